//! SQL migrations: a `.sql` file, or a folder of them replayed in natural file-name order,
//! followed to the tables and columns that exist at the end: `Provide("table")` and
//! `Provide("table.column")`.
//!
//! The text is split into statements here (quotes, comments, dollar quotes, MySQL's
//! `DELIMITER` and `BEGIN … END` bodies respected), and each statement is parsed by
//! itself, so one that `sqlparser` cannot read (a `DO $$ … $$` block, a dialect's own
//! statement) is a warning with its file and line and the rest is still read.
//!
//! Followed: `CREATE TABLE` (columns, `IF NOT EXISTS`, `AS SELECT`, `LIKE`, `INHERITS`,
//! `PARTITION OF`), `ALTER TABLE` (add, drop and rename column, rename table, MySQL's
//! `CHANGE`), `RENAME TABLE` and `DROP TABLE`. Temporary tables and views are not tables
//! of the schema and are left out; every other statement (indexes, data, grants, types,
//! functions…) does not change tables or columns and is passed over.
//!
//! Names: Postgres folds unquoted identifiers to lower case and keeps quoted ones as
//! written (truncated to 63 bytes, as Postgres does); MySQL and SQLite keep identifiers
//! as written and match them without regard to case. A table in the default schema
//! (`public` for Postgres, `main` for SQLite) is named without it (`public.users` is
//! `users`); a table in any other schema keeps it (`audit.log`, and its columns
//! `audit.log.id`).
//!
//! In a folder, only `*.sql` files are read, not `*.down.sql` (golang-migrate, sqlx) nor
//! `down.sql`; a subfolder with an `up.sql` (diesel) is that migration, in the order of
//! the subfolder's name. Flyway's names are understood: `U…__` undo migrations are
//! skipped and `R__` repeatable ones run after the versioned ones.

use std::path::Path;

use rustc_hash::FxHashMap;
use sqlparser::ast::{
    AlterTableOperation, CreateTable, CreateTableLikeKind, Expr, Ident, ObjectName, ObjectNamePart,
    ObjectType, Query, RenameTableNameKind, SelectItem, SetExpr, Statement, TableFactor,
};
use sqlparser::dialect::{self as dialects};
use sqlparser::parser::{Parser, ParserError};

use crate::plan::Fact;
use crate::text::cut;

use super::{
    Derived, Dialect, SourceError, Tree, Warning, child, clean_key, natural_cmp, shown, text,
};

/// Postgres truncates identifiers to this many bytes (NAMEDATALEN - 1).
const PG_MAX_IDENTIFIER: usize = 63;

/// How much of a skipped statement a warning quotes.
const EXCERPT_CHARS: usize = 48;

/// Reads the `.sql` file or the folder of migrations at `path` in `tree`.
pub fn read(tree: &dyn Tree, path: &Path, dialect: Dialect) -> Result<Derived, SourceError> {
    let file = shown(path);
    let listing = tree.list(path).map_err(|e| SourceError::io(&file, &e))?;
    let mut schema = Schema::new(dialect);
    let mut warnings = Vec::new();
    match listing {
        None => {
            let bytes = tree.read(path).map_err(|e| SourceError::io(&file, &e))?;
            let sql = text(&file, &bytes)?;
            schema.replay(&file, sql, &mut warnings);
        }
        Some(entries) => {
            let migrations = migrations(tree, path, &file, entries, &mut warnings);
            if migrations.is_empty() {
                return Err(SourceError::new(
                    &file,
                    None,
                    "no migrations in this folder: no *.sql files (other than *.down.sql), \
                     nor subfolders with an up.sql",
                ));
            }
            for migration in migrations {
                let name = child(&file, &migration);
                let bytes = match tree.read(&path.join(&migration)) {
                    Ok(bytes) => bytes,
                    Err(error) => {
                        warnings.push(SourceError::io(&name, &error).into_warning());
                        continue;
                    }
                };
                match text(&name, &bytes) {
                    Ok(sql) => schema.replay(&name, sql, &mut warnings),
                    Err(error) => warnings.push(error.into_warning()),
                }
            }
        }
    }
    Ok(Derived {
        facts: schema.facts(),
        warnings,
    })
}

/// Reads the statements of one SQL text, as if it were a file named `file`.
pub fn parse(file: &str, sql: &str, dialect: Dialect) -> Derived {
    let mut schema = Schema::new(dialect);
    let mut warnings = Vec::new();
    schema.replay(file, sql, &mut warnings);
    Derived {
        facts: schema.facts(),
        warnings,
    }
}

/// The migrations of a folder, as paths relative to it (`V1__a.sql`, `2024_x/up.sql`),
/// in the order they run.
fn migrations(
    tree: &dyn Tree,
    path: &Path,
    file: &str,
    entries: Vec<super::Entry>,
    warnings: &mut Vec<Warning>,
) -> Vec<String> {
    let is_sql = |name: &str| name.to_ascii_lowercase().ends_with(".sql");
    let is_down = |name: &str| {
        let lower = name.to_ascii_lowercase();
        lower.ends_with(".down.sql") || lower == "down.sql"
    };
    let flyway = entries
        .iter()
        .any(|e| !e.is_dir && flyway_version(&e.name, 'V'));
    // (group, name to order by, path): repeatable Flyway migrations run last.
    let mut found: Vec<(u8, String, String)> = Vec::new();
    for entry in entries {
        if entry.is_dir {
            let inner = tree.list(&path.join(&entry.name)).ok().flatten();
            let has_up = inner
                .as_ref()
                .is_some_and(|inner| inner.iter().any(|e| !e.is_dir && e.name == "up.sql"));
            if has_up {
                found.push((0, entry.name.clone(), format!("{}/up.sql", entry.name)));
            } else if !entry.name.starts_with('.') {
                warnings.push(Warning::new(
                    child(file, &entry.name),
                    None,
                    "folder skipped: a subfolder is read only when it holds an up.sql",
                ));
            }
            continue;
        }
        if !is_sql(&entry.name) || is_down(&entry.name) {
            continue;
        }
        if flyway && flyway_version(&entry.name, 'U') {
            continue;
        }
        let group = u8::from(flyway && entry.name.starts_with("R__"));
        found.push((group, entry.name.clone(), entry.name));
    }
    found.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| natural_cmp(&a.1, &b.1)));
    found.into_iter().map(|(_, _, path)| path).collect()
}

/// Whether `name` is a Flyway migration of the kind `prefix` (`V1__x.sql`, `U1_1__x.sql`).
fn flyway_version(name: &str, prefix: char) -> bool {
    let Some(rest) = name
        .strip_prefix(prefix)
        .or_else(|| name.strip_prefix(prefix.to_ascii_lowercase()))
    else {
        return false;
    };
    let Some((version, _)) = rest.split_once("__") else {
        return false;
    };
    version.starts_with(|c: char| c.is_ascii_digit())
        && version
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '_')
}

// ---------------------------------------------------------------------------------------
// Splitting

/// One statement of a file: its text from its first significant character to before its
/// delimiter, and the line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece<'a> {
    pub text: &'a str,
    pub line: usize,
}

/// The statements of `sql`, without the ones that are only comments or blank.
///
/// Quoted text (`'…'`, `"…"`, `` `…` ``, SQLite's `[…]`, Postgres's `E'…'` and dollar
/// quotes `$$…$$`, `$tag$…$tag$`) and comments (`--`, `/* */` nested as in Postgres,
/// MySQL's `#`) never end a statement. MySQL's `DELIMITER x` line changes the delimiter.
/// In `CREATE TRIGGER`, `FUNCTION` or `PROCEDURE`, a `;` inside `BEGIN … END` does not
/// end the statement.
pub fn split(sql: &str, dialect: Dialect) -> Vec<Piece<'_>> {
    Splitter::new(sql, dialect).run()
}

struct Splitter<'a> {
    sql: &'a str,
    b: &'a [u8],
    dialect: Dialect,
    i: usize,
    line: usize,
    delimiter: String,
    pieces: Vec<Piece<'a>>,
    /// Where the current statement's first significant character is, and its line.
    start: Option<(usize, usize)>,
    /// The first words of the current statement (upper-case), to recognise a block body.
    head: Vec<String>,
    /// The last word seen, upper-case.
    last_word: String,
    /// Open `BEGIN`/`CASE` blocks in a block statement.
    blocks: usize,
    /// Whether only blanks stand between the last line break and here.
    line_blank: bool,
}

impl<'a> Splitter<'a> {
    fn new(sql: &'a str, dialect: Dialect) -> Self {
        Splitter {
            sql,
            b: sql.as_bytes(),
            dialect,
            i: 0,
            line: 1,
            delimiter: ";".into(),
            pieces: Vec::new(),
            start: None,
            head: Vec::new(),
            last_word: String::new(),
            blocks: 0,
            line_blank: true,
        }
    }

    fn run(mut self) -> Vec<Piece<'a>> {
        while self.i < self.b.len() {
            let c = self.b[self.i];
            if c == b'\n' {
                self.line += 1;
                self.i += 1;
                self.line_blank = true;
                continue;
            }
            if c.is_ascii_whitespace() {
                self.i += 1;
                continue;
            }
            if self.start.is_none() && self.line_blank && self.delimiter_command() {
                continue;
            }
            self.line_blank = false;
            if self.comment() {
                continue;
            }
            if self.blocks == 0 && self.b[self.i..].starts_with(self.delimiter.as_bytes()) {
                self.end_statement(self.i);
                self.i += self.delimiter.len();
                continue;
            }
            if self.start.is_none() {
                self.start = Some((self.i, self.line));
            }
            self.token();
        }
        self.end_statement(self.b.len());
        self.pieces
    }

    /// MySQL's `DELIMITER x` line: takes it and returns true.
    fn delimiter_command(&mut self) -> bool {
        if self.dialect != Dialect::MySql {
            return false;
        }
        let rest = &self.sql[self.i..];
        let line_end = rest.find('\n').unwrap_or(rest.len());
        let line = rest[..line_end].trim();
        let Some(word) = line.get(..10) else {
            return false;
        };
        if !word.eq_ignore_ascii_case("delimiter ") {
            return false;
        }
        let delimiter = line[10..].trim();
        if delimiter.is_empty() {
            return false;
        }
        self.delimiter = delimiter.to_string();
        self.i += line_end;
        true
    }

    /// Skips a comment at `i`, if there is one.
    fn comment(&mut self) -> bool {
        let rest = &self.b[self.i..];
        let line_comment = rest.starts_with(b"--")
            && (self.dialect != Dialect::MySql
                || rest.get(2).is_none_or(|c| c.is_ascii_whitespace()));
        if line_comment || (self.dialect == Dialect::MySql && rest.starts_with(b"#")) {
            let end = rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len());
            self.i += end;
            return true;
        }
        if rest.starts_with(b"/*") {
            let nested = self.dialect == Dialect::Postgres;
            let mut depth = 0usize;
            let mut j = self.i;
            while j < self.b.len() {
                if self.b[j..].starts_with(b"/*") && (nested || depth == 0) {
                    depth += 1;
                    j += 2;
                } else if self.b[j..].starts_with(b"*/") {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if self.b[j] == b'\n' {
                        self.line += 1;
                    }
                    j += 1;
                }
            }
            self.i = j;
            return true;
        }
        false
    }

    /// Takes one token of a statement: a quoted text, a word or a single character.
    fn token(&mut self) {
        let c = self.b[self.i];
        match c {
            b'\'' => {
                let backslash = self.dialect == Dialect::MySql || self.e_string();
                self.quoted(b'\'', backslash);
            }
            b'"' => self.quoted(b'"', self.dialect == Dialect::MySql),
            b'`' if self.dialect != Dialect::Postgres => self.quoted(b'`', false),
            b'[' if self.dialect == Dialect::Sqlite => self.until(b']'),
            b'$' if self.dialect == Dialect::Postgres && self.dollar_quote() => {}
            c if is_word_byte(c) => self.word(),
            _ => self.i += 1,
        }
    }

    /// Whether the `'` at `i` opens a Postgres escape string (`E'…'`).
    fn e_string(&self) -> bool {
        self.dialect == Dialect::Postgres
            && self.i >= 1
            && matches!(self.b[self.i - 1], b'e' | b'E')
            && (self.i < 2 || !is_word_byte(self.b[self.i - 2]))
    }

    /// Skips text quoted with `quote` (doubled inside, or escaped with `\`).
    fn quoted(&mut self, quote: u8, backslash: bool) {
        let mut j = self.i + 1;
        while j < self.b.len() {
            let c = self.b[j];
            if c == b'\n' {
                self.line += 1;
            }
            if backslash && c == b'\\' {
                if self.b.get(j + 1) == Some(&b'\n') {
                    self.line += 1;
                }
                j += 2;
                continue;
            }
            if c == quote {
                if self.b.get(j + 1) == Some(&quote) {
                    j += 2;
                    continue;
                }
                j += 1;
                break;
            }
            j += 1;
        }
        self.i = j.min(self.b.len());
    }

    /// Skips to after the next `close`.
    fn until(&mut self, close: u8) {
        let mut j = self.i + 1;
        while j < self.b.len() && self.b[j] != close {
            if self.b[j] == b'\n' {
                self.line += 1;
            }
            j += 1;
        }
        self.i = (j + 1).min(self.b.len());
    }

    /// Skips a dollar-quoted text at `i` (`$$…$$`, `$tag$…$tag$`), if there is one.
    fn dollar_quote(&mut self) -> bool {
        if self.i > 0 && is_word_byte(self.b[self.i - 1]) {
            return false;
        }
        let rest = &self.b[self.i + 1..];
        let tag_len = rest
            .iter()
            .take_while(|&&c| is_word_byte(c) && c != b'$')
            .count();
        if rest.first().is_some_and(|c| c.is_ascii_digit()) || rest.get(tag_len) != Some(&b'$') {
            return false;
        }
        let opener = &self.b[self.i..self.i + tag_len + 2];
        let body = self.i + opener.len();
        let close = find(&self.b[body..], opener)
            .map(|at| body + at + opener.len())
            .unwrap_or(self.b.len());
        self.line += self.b[self.i..close]
            .iter()
            .filter(|&&c| c == b'\n')
            .count();
        self.i = close;
        true
    }

    /// Takes a word, keeping count of `BEGIN … END` blocks in a block statement.
    fn word(&mut self) {
        let end = self.b[self.i..]
            .iter()
            .position(|&c| !is_word_byte(c))
            .map_or(self.b.len(), |n| self.i + n);
        let word = self.sql[self.i..end].to_ascii_uppercase();
        self.i = end;
        if self.head.len() < 6 {
            self.head.push(word.clone());
        }
        if self.is_block_statement() {
            match word.as_str() {
                "BEGIN" => self.blocks += 1,
                "CASE" if self.last_word != "END" => self.blocks += 1,
                "END" => self.blocks = self.blocks.saturating_sub(1),
                // `END IF`, `END LOOP`…: their openers were not counted.
                "IF" | "LOOP" | "WHILE" | "REPEAT" | "FOR" if self.last_word == "END" => {
                    self.blocks += 1;
                }
                _ => {}
            }
        }
        self.last_word = word;
    }

    /// `CREATE [OR REPLACE] [TEMP] TRIGGER|FUNCTION|PROCEDURE …`, whose body may hold `;`.
    fn is_block_statement(&self) -> bool {
        self.head.first().is_some_and(|w| w == "CREATE")
            && self
                .head
                .iter()
                .any(|w| matches!(w.as_str(), "TRIGGER" | "FUNCTION" | "PROCEDURE"))
    }

    fn end_statement(&mut self, end: usize) {
        if let Some((start, line)) = self.start.take() {
            let text = self.sql[start..end].trim_end();
            if !text.is_empty() {
                self.pieces.push(Piece { text, line });
            }
        }
        self.head.clear();
        self.last_word.clear();
        self.blocks = 0;
    }
}

/// Letters, digits, `_`, `$` and any byte of a non-ASCII character.
fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

// ---------------------------------------------------------------------------------------
// Replaying

/// The tables as the statements so far leave them.
struct Schema {
    dialect: Dialect,
    /// By folded name.
    tables: FxHashMap<String, Table>,
}

struct Table {
    /// The name as the facts spell it.
    name: String,
    /// Columns in order: (folded, as spelled).
    columns: Vec<(String, String)>,
}

/// Whether a statement changes the schema.
enum Effect {
    None,
    Warn(String),
}

impl Schema {
    fn new(dialect: Dialect) -> Self {
        Schema {
            dialect,
            tables: FxHashMap::default(),
        }
    }

    fn replay(&mut self, file: &str, sql: &str, warnings: &mut Vec<Warning>) {
        let dialect: Box<dyn dialects::Dialect> = match self.dialect {
            Dialect::Postgres => Box::new(dialects::PostgreSqlDialect {}),
            Dialect::MySql => Box::new(dialects::MySqlDialect {}),
            Dialect::Sqlite => Box::new(dialects::SQLiteDialect {}),
        };
        for piece in split(sql, self.dialect) {
            let parsed = Parser::new(dialect.as_ref())
                .try_with_sql(piece.text)
                .and_then(|mut parser| parser.parse_statements());
            match parsed {
                Ok(statements) => {
                    for statement in statements {
                        if let Effect::Warn(message) = self.apply(statement) {
                            warnings.push(Warning::new(file, Some(piece.line), message));
                        }
                    }
                }
                Err(error) => warnings.push(Warning::new(
                    file,
                    Some(piece.line),
                    format!(
                        "statement skipped, it does not parse as {}: {} (`{}`)",
                        self.dialect.title(),
                        reason(&error, piece.line),
                        excerpt(piece.text)
                    ),
                )),
            }
        }
    }

    fn apply(&mut self, statement: Statement) -> Effect {
        match statement {
            Statement::CreateTable(create) => self.create(create),
            Statement::AlterTable(alter) => {
                if alter.table_type.is_some() {
                    return Effect::None;
                }
                let name = self.name(&alter.name);
                let Some(fold) = self.existing(&name) else {
                    return self.unknown("ALTER TABLE", &name, alter.if_exists);
                };
                let mut fold = fold;
                for operation in alter.operations {
                    fold = self.alter(fold, operation);
                }
                Effect::None
            }
            Statement::RenameTable(renames) => {
                for rename in renames {
                    let old = self.name(&rename.old_name);
                    let Some(fold) = self.existing(&old) else {
                        return self.unknown("RENAME TABLE", &old, false);
                    };
                    let new = self.renamed(&old, &rename.new_name);
                    self.rename_table(&fold, new);
                }
                Effect::None
            }
            Statement::Drop {
                object_type: ObjectType::Table,
                if_exists,
                names,
                temporary,
                ..
            } => {
                let mut effect = Effect::None;
                for name in &names {
                    let name = self.name(name);
                    match self.existing(&name) {
                        Some(fold) => {
                            self.tables.remove(&fold);
                        }
                        None if !temporary => effect = self.unknown("DROP TABLE", &name, if_exists),
                        None => {}
                    }
                }
                effect
            }
            _ => Effect::None,
        }
    }

    fn create(&mut self, create: CreateTable) -> Effect {
        if create.temporary {
            return Effect::None;
        }
        let name = self.name(&create.name);
        let fold = self.fold(&name);
        if self.tables.contains_key(&fold) {
            if create.if_not_exists || create.or_replace {
                if create.or_replace {
                    self.tables.remove(&fold);
                } else {
                    return Effect::None;
                }
            } else {
                return Effect::Warn(format!(
                    "CREATE TABLE {}: the table exists already; the statement is skipped",
                    clean_key(&name)
                ));
            }
        }
        let mut table = Table {
            name: name.clone(),
            columns: Vec::new(),
        };
        let mut effect = Effect::None;
        let mut copy_from = |schema: &Schema, table: &mut Table, from: &ObjectName, how: &str| {
            let from = schema.name(from);
            match schema.tables.get(&schema.fold(&from)) {
                Some(source) => {
                    for (_, column) in &source.columns {
                        schema.add_column(table, column.clone());
                    }
                }
                None => {
                    effect = Effect::Warn(format!(
                        "CREATE TABLE {}: its columns come from {how} {}, which is not known; \
                         only the columns it names are read",
                        clean_key(&name),
                        clean_key(&from)
                    ));
                }
            }
        };
        if let Some(parent) = &create.partition_of {
            copy_from(self, &mut table, parent, "the partitioned table");
        }
        for parent in create.inherits.iter().flatten() {
            copy_from(self, &mut table, parent, "the parent table");
        }
        if let Some(CreateTableLikeKind::Parenthesized(like) | CreateTableLikeKind::Plain(like)) =
            &create.like
        {
            copy_from(self, &mut table, &like.name, "the table it is LIKE,");
        }
        if let Some(clone) = &create.clone {
            copy_from(self, &mut table, clone, "the cloned table");
        }
        for column in &create.columns {
            let column = self.ident(&column.name);
            self.add_column(&mut table, column);
        }
        if create.columns.is_empty()
            && let Some(query) = &create.query
        {
            match self.query_columns(query) {
                Some(columns) => {
                    for column in columns {
                        self.add_column(&mut table, column);
                    }
                }
                None => {
                    effect = Effect::Warn(format!(
                        "CREATE TABLE {} AS …: its columns are not known (name every column \
                         of the query, or list them after the table's name); the table is \
                         read without columns",
                        clean_key(&name)
                    ));
                }
            }
        }
        self.tables.insert(fold, table);
        effect
    }

    /// The names of a query's columns, when each is a plain or aliased column, a cast of
    /// one, a function call (named after the function, as Postgres does) or `*` over one
    /// known table.
    fn query_columns(&self, query: &Query) -> Option<Vec<String>> {
        let mut body = query.body.as_ref();
        loop {
            match body {
                SetExpr::Query(inner) => body = inner.body.as_ref(),
                SetExpr::SetOperation { left, .. } => body = left.as_ref(),
                _ => break,
            }
        }
        let SetExpr::Select(select) = body else {
            return None;
        };
        let mut columns = Vec::new();
        for item in &select.projection {
            match item {
                SelectItem::ExprWithAlias { alias, .. } => columns.push(self.ident(alias)),
                SelectItem::UnnamedExpr(expr) => columns.push(self.expr_name(expr)?),
                SelectItem::Wildcard(_) => {
                    let [from] = select.from.as_slice() else {
                        return None;
                    };
                    let TableFactor::Table { name, .. } = &from.relation else {
                        return None;
                    };
                    if !from.joins.is_empty() {
                        return None;
                    }
                    let table = self.tables.get(&self.fold(&self.name(name)))?;
                    columns.extend(table.columns.iter().map(|(_, c)| c.clone()));
                }
                _ => return None,
            }
        }
        Some(columns)
    }

    fn expr_name(&self, expr: &Expr) -> Option<String> {
        match expr {
            Expr::Identifier(ident) => Some(self.ident(ident)),
            Expr::CompoundIdentifier(parts) => parts.last().map(|i| self.ident(i)),
            Expr::Cast { expr, .. } | Expr::Nested(expr) => self.expr_name(expr),
            Expr::Function(function) => function
                .name
                .0
                .last()
                .and_then(ObjectNamePart::as_ident)
                .map(|i| self.ident(i)),
            _ => None,
        }
    }

    /// Applies one `ALTER TABLE` operation to the table folded as `fold`; returns the
    /// table's folded name after it (changed by a rename).
    fn alter(&mut self, fold: String, operation: AlterTableOperation) -> String {
        match operation {
            AlterTableOperation::AddColumn { column_def, .. } => {
                let column = self.ident(&column_def.name);
                let dialect = self.dialect;
                if let Some(table) = self.tables.get_mut(&fold) {
                    add(dialect, table, column);
                }
                fold
            }
            AlterTableOperation::DropColumn { column_names, .. } => {
                let folded: Vec<String> = column_names
                    .iter()
                    .map(|c| self.fold(&self.ident(c)))
                    .collect();
                if let Some(table) = self.tables.get_mut(&fold) {
                    table.columns.retain(|(f, _)| !folded.contains(f));
                }
                fold
            }
            AlterTableOperation::RenameColumn {
                old_column_name,
                new_column_name,
            } => {
                self.rename_column(&fold, &old_column_name, &new_column_name);
                fold
            }
            AlterTableOperation::ChangeColumn {
                old_name, new_name, ..
            } => {
                self.rename_column(&fold, &old_name, &new_name);
                fold
            }
            AlterTableOperation::RenameTable { table_name } => {
                let (RenameTableNameKind::As(new) | RenameTableNameKind::To(new)) = table_name;
                let Some(old) = self.tables.get(&fold).map(|t| t.name.clone()) else {
                    return fold;
                };
                let new = self.renamed(&old, &new);
                self.rename_table(&fold, new)
            }
            _ => fold,
        }
    }

    fn rename_column(&mut self, fold: &str, old: &Ident, new: &Ident) {
        let old = self.fold(&self.ident(old));
        let new = self.ident(new);
        let new_fold = self.fold(&new);
        if let Some(table) = self.tables.get_mut(fold)
            && let Some(column) = table.columns.iter_mut().find(|(f, _)| *f == old)
        {
            *column = (new_fold, new);
        }
    }

    /// The new name of a table renamed to `new`: in the old one's schema unless `new`
    /// names one.
    fn renamed(&self, old: &str, new: &ObjectName) -> String {
        let new_name = self.name(new);
        if new.0.len() > 1 {
            return new_name;
        }
        match old.rsplit_once('.') {
            Some((schema, _)) => format!("{schema}.{new_name}"),
            None => new_name,
        }
    }

    fn rename_table(&mut self, fold: &str, new: String) -> String {
        let new_fold = self.fold(&new);
        if let Some(mut table) = self.tables.remove(fold) {
            table.name = new;
            self.tables.insert(new_fold.clone(), table);
        }
        new_fold
    }

    /// The folded name of the table `name`, if it exists.
    fn existing(&self, name: &str) -> Option<String> {
        let fold = self.fold(name);
        self.tables.contains_key(&fold).then_some(fold)
    }

    /// A statement on a table the migrations have not created: a warning unless the
    /// statement says `IF EXISTS`.
    fn unknown(&self, statement: &str, name: &str, if_exists: bool) -> Effect {
        if if_exists {
            return Effect::None;
        }
        Effect::Warn(format!(
            "{statement} {}: no table of that name is created before; the statement is skipped",
            clean_key(name)
        ))
    }

    fn add_column(&self, table: &mut Table, column: String) {
        add(self.dialect, table, column);
    }

    /// A table's name as the facts spell it: its identifiers joined by `.`, without the
    /// default schema.
    fn name(&self, name: &ObjectName) -> String {
        let mut parts: Vec<String> = name
            .0
            .iter()
            .map(|part| match part.as_ident() {
                Some(ident) => self.ident(ident),
                None => part.to_string(),
            })
            .collect();
        let default = match self.dialect {
            Dialect::Postgres => Some("public"),
            Dialect::Sqlite => Some("main"),
            Dialect::MySql => None,
        };
        if parts.len() == 2 && default.is_some_and(|d| self.fold(&parts[0]) == d) {
            parts.remove(0);
        }
        parts.join(".")
    }

    /// An identifier as the database keeps it.
    fn ident(&self, ident: &Ident) -> String {
        let value = match self.dialect {
            Dialect::Postgres if ident.quote_style.is_none() => ident.value.to_ascii_lowercase(),
            _ => ident.value.clone(),
        };
        let value = match self.dialect {
            Dialect::Postgres => truncate(value, PG_MAX_IDENTIFIER),
            _ => value,
        };
        clean_key(&value)
    }

    /// A name as it is compared: MySQL and SQLite compare without regard to case.
    fn fold(&self, name: &str) -> String {
        fold(self.dialect, name)
    }

    fn facts(&self) -> Vec<Fact> {
        let mut facts = Vec::new();
        for table in self.tables.values() {
            facts.push(Fact::provide(table.name.clone()));
            for (_, column) in &table.columns {
                facts.push(Fact::provide(format!("{}.{column}", table.name)));
            }
        }
        facts
    }
}

fn fold(dialect: Dialect, name: &str) -> String {
    match dialect {
        Dialect::Postgres => name.to_string(),
        Dialect::MySql | Dialect::Sqlite => name.to_lowercase(),
    }
}

/// Adds a column unless the table has it.
fn add(dialect: Dialect, table: &mut Table, column: String) {
    let folded = fold(dialect, &column);
    if !table.columns.iter().any(|(f, _)| *f == folded) {
        table.columns.push((folded, column));
    }
}

/// At most `max` bytes of `text`, cut at a character boundary.
fn truncate(mut text: String, max: usize) -> String {
    if text.len() > max {
        let mut at = max;
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        text.truncate(at);
    }
    text
}

/// What sqlparser says, with its position (`at Line: 2, Column: 5`, counted from the
/// statement's start) turned into the file's line.
fn reason(error: &ParserError, first_line: usize) -> String {
    let text = match error {
        ParserError::TokenizerError(text) | ParserError::ParserError(text) => text.clone(),
        ParserError::RecursionLimitExceeded => "it is nested too deeply".to_string(),
    };
    let Some(at) = text.rfind(" at Line: ") else {
        return clean_key(&text);
    };
    let position = &text[at + " at Line: ".len()..];
    let parsed = position
        .split_once(", Column: ")
        .and_then(|(line, column)| {
            Some((
                line.trim().parse::<usize>().ok()?,
                column.trim().parse::<usize>().ok()?,
            ))
        });
    match parsed {
        Some((line, column)) => format!(
            "{} at line {}, column {column}",
            clean_key(&text[..at]),
            first_line + line.saturating_sub(1)
        ),
        None => clean_key(&text[..at]),
    }
}

/// The start of a statement, on one line, for a warning.
fn excerpt(statement: &str) -> String {
    let one_line: String = statement.split_whitespace().collect::<Vec<_>>().join(" ");
    cut(&clean_key(&one_line), EXCERPT_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(sql: &str, dialect: Dialect) -> Vec<(usize, &str)> {
        split(sql, dialect)
            .into_iter()
            .map(|p| (p.line, p.text))
            .collect()
    }

    fn keys(sql: &str, dialect: Dialect) -> Vec<String> {
        let derived = parse("m.sql", sql, dialect).finish();
        assert!(derived.warnings.is_empty(), "{:?}", derived.warnings);
        derived.facts.into_iter().map(|f| f.key).collect()
    }

    #[test]
    fn the_splitter_respects_quotes_and_comments() {
        let sql = "-- a comment; still a comment\nCREATE TABLE a (x text DEFAULT 'a;b''c');\n\
                   /* block; /* nested; */ still */ SELECT \"odd;name\" FROM a;\n\n  \
                   INSERT INTO a VALUES (E'it\\'s;'); SELECT 1";
        assert_eq!(
            pieces(sql, Dialect::Postgres),
            [
                (2, "CREATE TABLE a (x text DEFAULT 'a;b''c')"),
                (3, "SELECT \"odd;name\" FROM a"),
                (5, "INSERT INTO a VALUES (E'it\\'s;')"),
                (5, "SELECT 1"),
            ]
        );
    }

    #[test]
    fn the_splitter_respects_dollar_quotes() {
        let sql = "DO $$ BEGIN PERFORM 1; END $$;\nCREATE FUNCTION f() RETURNS int AS $body$\n\
                   SELECT $1; -- $$ inside\n$body$ LANGUAGE sql;\nSELECT a$b$c FROM t;";
        assert_eq!(
            pieces(sql, Dialect::Postgres),
            [
                (1, "DO $$ BEGIN PERFORM 1; END $$"),
                (
                    2,
                    "CREATE FUNCTION f() RETURNS int AS $body$\nSELECT $1; -- $$ inside\n$body$ LANGUAGE sql"
                ),
                (5, "SELECT a$b$c FROM t"),
            ]
        );
    }

    #[test]
    fn the_splitter_knows_mysql_and_sqlite_quoting() {
        let mysql = "CREATE TABLE `a;b` (c text DEFAULT 'x\\';y'); # comment;\nSELECT \"q\\\";\";";
        assert_eq!(
            pieces(mysql, Dialect::MySql),
            [
                (1, "CREATE TABLE `a;b` (c text DEFAULT 'x\\';y')"),
                (2, "SELECT \"q\\\";\""),
            ]
        );
        let sqlite = "CREATE TABLE [a;b] (c);\nCREATE TRIGGER t AFTER INSERT ON x BEGIN\n  \
                      UPDATE y SET n = CASE WHEN 1 THEN 2 END;\n  DELETE FROM z;\nEND;\nSELECT 1;";
        assert_eq!(
            pieces(sqlite, Dialect::Sqlite),
            [
                (1, "CREATE TABLE [a;b] (c)"),
                (
                    2,
                    "CREATE TRIGGER t AFTER INSERT ON x BEGIN\n  UPDATE y SET n = CASE WHEN 1 THEN 2 END;\n  DELETE FROM z;\nEND"
                ),
                (6, "SELECT 1"),
            ]
        );
    }

    #[test]
    fn the_splitter_follows_mysql_delimiter_lines() {
        let sql = "DELIMITER //\nCREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  IF 1 THEN SELECT 2; END IF;\nEND//\nDELIMITER ;\nSELECT 3;";
        assert_eq!(
            pieces(sql, Dialect::MySql),
            [
                (
                    2,
                    "CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  IF 1 THEN SELECT 2; END IF;\nEND"
                ),
                (8, "SELECT 3"),
            ]
        );
    }

    #[test]
    fn unterminated_quotes_end_the_file_without_panicking() {
        for sql in [
            "SELECT 'abc",
            "SELECT $$abc",
            "SELECT /* abc",
            "SELECT \"abc",
            "$",
            "$a",
        ] {
            let found = split(sql, Dialect::Postgres);
            assert_eq!(found.len(), 1, "{sql}");
            let _ = parse("m.sql", sql, Dialect::Postgres);
        }
        let _ = split("SELECT `abc", Dialect::MySql);
        let _ = split("SELECT [abc", Dialect::Sqlite);
    }

    #[test]
    fn tables_and_columns_are_followed_to_the_end() {
        let sql = "CREATE TABLE Users (Id int, \"Name\" text, email text);\n\
                   CREATE TABLE IF NOT EXISTS users (other int);\n\
                   ALTER TABLE users ADD COLUMN age int, DROP COLUMN email;\n\
                   ALTER TABLE users RENAME COLUMN age TO years;\n\
                   ALTER TABLE IF EXISTS gone ADD COLUMN x int;\n\
                   CREATE TABLE public.old (a int);\n\
                   ALTER TABLE old RENAME TO new;\n\
                   CREATE TABLE audit.log (at timestamptz);\n\
                   CREATE TEMP TABLE scratch (a int);\n\
                   CREATE TABLE dropped (a int); DROP TABLE IF EXISTS dropped, never;\n\
                   CREATE INDEX i ON users (id); INSERT INTO users (id) VALUES (1);";
        assert_eq!(
            keys(sql, Dialect::Postgres),
            [
                "audit.log",
                "audit.log.at",
                "new",
                "new.a",
                "users",
                "users.Name",
                "users.id",
                "users.years",
            ]
        );
    }

    #[test]
    fn create_table_as_names_its_columns_when_it_can() {
        let sql = "CREATE TABLE a (x int, y int);\nCREATE TABLE b AS SELECT x, y AS z, now() FROM a;\n\
                   CREATE TABLE c AS SELECT * FROM a;\nCREATE TABLE d AS SELECT 1 + 1 FROM a;";
        let derived = parse("m.sql", sql, Dialect::Postgres).finish();
        let keys: Vec<&str> = derived.keys().collect();
        assert_eq!(
            keys,
            [
                "a", "a.x", "a.y", "b", "b.now", "b.x", "b.z", "c", "c.x", "c.y", "d"
            ]
        );
        assert_eq!(derived.warnings.len(), 1);
        assert_eq!(derived.warnings[0].line, Some(4));
    }

    #[test]
    fn a_statement_that_does_not_parse_is_a_warning_on_its_line() {
        let sql = "CREATE TABLE a (x int);\n\nCREATE TABLE b (\n  x int,\n  y int int\n);\nALTER TABLE a ADD COLUMN y int;";
        let derived = parse("m.sql", sql, Dialect::Postgres).finish();
        let keys: Vec<&str> = derived.keys().collect();
        assert_eq!(keys, ["a", "a.x", "a.y"]);
        assert_eq!(derived.warnings.len(), 1);
        let warning = derived.warnings[0].to_string();
        assert!(
            warning.starts_with("m.sql:3: statement skipped, it does not parse as PostgreSQL: "),
            "{warning}"
        );
        assert!(
            warning.ends_with("at line 5, column 9 (`CREATE TABLE b ( x int, y int int )`)"),
            "{warning}"
        );
    }

    #[test]
    fn mysql_and_sqlite_compare_names_without_case() {
        let mysql = "CREATE TABLE `Users` (`Id` int, name text);\nALTER TABLE users CHANGE NAME full_name text;\nRENAME TABLE USERS TO people;";
        assert_eq!(
            keys(mysql, Dialect::MySql),
            ["people", "people.Id", "people.full_name"]
        );
        let sqlite = "CREATE TABLE t (a);\nALTER TABLE T RENAME COLUMN A TO b;\nALTER TABLE main.t RENAME TO u;";
        assert_eq!(keys(sqlite, Dialect::Sqlite), ["u", "u.b"]);
    }

    #[test]
    fn postgres_truncates_long_identifiers() {
        let long = "a".repeat(70);
        let sql = format!("CREATE TABLE t ({long} int);");
        let expected = format!("t.{}", "a".repeat(63));
        assert_eq!(keys(&sql, Dialect::Postgres), ["t".to_string(), expected]);
    }

    #[test]
    fn deep_nesting_is_a_warning_not_a_crash() {
        let sql = format!(
            "CREATE TABLE a (x int);\nSELECT {}1{};",
            "(".repeat(5000),
            ")".repeat(5000)
        );
        let derived = parse("m.sql", &sql, Dialect::Postgres);
        assert_eq!(derived.warnings.len(), 1);
    }

    #[test]
    fn a_long_line_of_statements_splits_in_linear_time() {
        let sql = "SELECT 1;".repeat(200_000);
        let started = std::time::Instant::now();
        assert_eq!(split(&sql, Dialect::MySql).len(), 200_000);
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn flyway_names_are_recognised() {
        assert!(flyway_version("V1__init.sql", 'V'));
        assert!(flyway_version("V1_1__fix.sql", 'V'));
        assert!(flyway_version("U2__undo.sql", 'U'));
        assert!(!flyway_version("Views.sql", 'V'));
        assert!(!flyway_version("V__x.sql", 'V'));
    }
}
