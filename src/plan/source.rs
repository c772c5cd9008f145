//! Where the repository describes a component (SPEC §7): an OpenAPI document, SQL
//! migrations, pact files. Paths are relative to the git root, written with `/`.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::fact::{Access, quoted};
use crate::text::clean_line;

/// The SQL a migration folder is written in; Postgres unless the plan says otherwise.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
pub enum Dialect {
    #[default]
    Postgres,
    MySql,
    Sqlite,
}

impl Dialect {
    pub const ALL: [Dialect; 3] = [Dialect::Postgres, Dialect::MySql, Dialect::Sqlite];

    /// The name in a plan file: `Postgres`, `MySql`, `Sqlite`.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Postgres => "Postgres",
            Dialect::MySql => "MySql",
            Dialect::Sqlite => "Sqlite",
        }
    }

    /// The name people know it by: `PostgreSQL`, `MySQL`, `SQLite`.
    pub fn title(self) -> &'static str {
        match self {
            Dialect::Postgres => "PostgreSQL",
            Dialect::MySql => "MySQL",
            Dialect::Sqlite => "SQLite",
        }
    }

    /// The name on the command line: `sql+mysql:PATH`.
    pub fn arg(self) -> &'static str {
        match self {
            Dialect::Postgres => "postgres",
            Dialect::MySql => "mysql",
            Dialect::Sqlite => "sqlite",
        }
    }

    /// A dialect by either of its names, in any case; also `postgresql`, `pg`, `mariadb`
    /// and `sqlite3`.
    pub fn from_name(name: &str) -> Option<Dialect> {
        match name.trim().to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" | "pg" => Some(Dialect::Postgres),
            "mysql" | "mariadb" => Some(Dialect::MySql),
            "sqlite" | "sqlite3" => Some(Dialect::Sqlite),
            _ => None,
        }
    }
}

/// One source of a component's facts. In a plan: `OpenApi("api/openapi.yaml")`,
/// `Sql("db/migrations")`, `Sql("db/migrations", dialect: MySql)`, `Pact("web/pacts")`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Source {
    OpenApi(String),
    Sql(String, #[serde(default)] Dialect),
    Pact(String),
}

impl Source {
    /// The file or folder, relative to the git root.
    pub fn path(&self) -> &str {
        match self {
            Source::OpenApi(path) | Source::Sql(path, _) | Source::Pact(path) => path,
        }
    }

    pub fn path_mut(&mut self) -> &mut String {
        match self {
            Source::OpenApi(path) | Source::Sql(path, _) | Source::Pact(path) => path,
        }
    }

    /// Reads the command line's form: `openapi:PATH`, `sql:PATH`, `sql+mysql:PATH`,
    /// `sql+sqlite:PATH` (also `sql+postgres:PATH`), `pact:PATH`. The error says what is
    /// wrong and what is expected.
    pub fn from_arg(arg: &str) -> Result<Source, String> {
        let arg = arg.trim();
        let wrong = |why: String| {
            format!(
                "`{}`: {why}; use openapi:PATH, sql:PATH, sql+mysql:PATH, sql+sqlite:PATH or pact:PATH",
                clean_line(arg)
            )
        };
        let Some((kind, path)) = arg.split_once(':') else {
            return Err(wrong("a source is KIND:PATH".into()));
        };
        let path = path.trim().to_string();
        if path.is_empty() {
            return Err(wrong("the path is missing after the `:`".into()));
        }
        let (kind, dialect) = match kind.split_once('+') {
            Some((kind, dialect)) => (kind, Some(dialect)),
            None => (kind, None),
        };
        match (kind.trim().to_ascii_lowercase().as_str(), dialect) {
            ("openapi", None) => Ok(Source::OpenApi(path)),
            ("pact", None) => Ok(Source::Pact(path)),
            ("sql", None) => Ok(Source::Sql(path, Dialect::Postgres)),
            ("sql", Some(dialect)) => match Dialect::from_name(dialect) {
                Some(dialect) => Ok(Source::Sql(path, dialect)),
                None => Err(wrong(format!(
                    "unknown SQL dialect `{}`; the dialects are postgres (the default), mysql and sqlite",
                    clean_line(dialect)
                ))),
            },
            ("openapi" | "pact", Some(_)) => Err(wrong(format!(
                "only sql sources take a dialect (`sql+mysql:PATH`), not {kind}"
            ))),
            _ => Err(wrong(format!("unknown source kind `{}`", clean_line(kind)))),
        }
    }

    /// The command line's form, which [`Source::from_arg`] reads back.
    pub fn arg(&self) -> String {
        match self {
            Source::OpenApi(path) => format!("openapi:{path}"),
            Source::Pact(path) => format!("pact:{path}"),
            Source::Sql(path, Dialect::Postgres) => format!("sql:{path}"),
            Source::Sql(path, dialect) => format!("sql+{}:{path}", dialect.arg()),
        }
    }

    /// The one kind of fact the source yields: `Provide` for OpenAPI and SQL, `Call`
    /// for Pact. `import` compares only facts of the kinds a component's sources yield.
    pub fn access(&self) -> Access {
        match self {
            Source::OpenApi(_) | Source::Sql(..) => Access::Provide,
            Source::Pact(_) => Access::Call,
        }
    }

    /// The name of its kind as the plan writes it.
    pub fn kind(&self) -> &'static str {
        match self {
            Source::OpenApi(_) => "OpenApi",
            Source::Sql(..) => "Sql",
            Source::Pact(_) => "Pact",
        }
    }
}

/// The canonical RON: the dialect only when it is not Postgres, named.
impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Sql(path, dialect) if *dialect != Dialect::Postgres => {
                write!(f, "Sql({}, dialect: {})", quoted(path), dialect.name())
            }
            _ => write!(f, "{}({})", self.kind(), quoted(self.path())),
        }
    }
}

/// RON has no named argument after a positional one, yet `Sql("db", dialect: MySql)` is
/// how a plan says a dialect: the `dialect:` inside `Sql(…)` is blanked (same length, so
/// every position in an error stays true) before the plan is parsed. Strings and
/// comments are skipped; one pass, and none at all without the word.
pub fn unname_dialects(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("dialect") {
        return std::borrow::Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let mut blanks: Vec<std::ops::Range<usize>> = Vec::new();
    // The identifier before each open parenthesis.
    let mut callers: Vec<bool> = Vec::new();
    let mut last_ident: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                last_ident = None;
                continue;
            }
            b'r' if matches!(bytes.get(i + 1), Some(b'"' | b'#')) => {
                let hashes = bytes[i + 1..].iter().take_while(|&&c| c == b'#').count();
                if bytes.get(i + 1 + hashes) == Some(&b'"') {
                    let close = format!("\"{}", "#".repeat(hashes));
                    let start = i + 2 + hashes;
                    i = text[start..]
                        .find(&close)
                        .map_or(bytes.len(), |at| start + at + close.len());
                    last_ident = None;
                    continue;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = text[i..].find('\n').map_or(bytes.len(), |at| i + at);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let mut depth = 1;
                i += 2;
                while i < bytes.len() && depth > 0 {
                    if bytes[i..].starts_with(b"/*") {
                        depth += 1;
                        i += 2;
                    } else if bytes[i..].starts_with(b"*/") {
                        depth -= 1;
                        i += 2;
                    } else {
                        i += 1;
                    }
                }
                continue;
            }
            b'(' => {
                callers.push(last_ident.is_some_and(|(s, e)| &text[s..e] == "Sql"));
                last_ident = None;
            }
            b')' => {
                callers.pop();
                last_ident = None;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                if &text[start..i] == "dialect" && callers.last() == Some(&true) {
                    let rest = text[i..].trim_start();
                    if rest.starts_with(':') {
                        let colon = bytes.len() - rest.len();
                        blanks.push(start..colon + 1);
                    }
                }
                last_ident = Some((start, i));
                continue;
            }
            c if c.is_ascii_whitespace() => {}
            _ => last_ident = None,
        }
        i += 1;
    }
    if blanks.is_empty() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for blank in blanks {
        out.push_str(&text[from..blank.start]);
        out.push_str(&" ".repeat(blank.len()));
        from = blank.end;
    }
    out.push_str(&text[from..]);
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_dialect_is_blanked_inside_sql_only() {
        let text = r#"sources: [Sql("db", dialect: MySql), OpenApi("a")], title: "dialect: x", x: Other(dialect: 1)"#;
        let plain = unname_dialects(text);
        assert_eq!(
            plain,
            r#"sources: [Sql("db",          MySql), OpenApi("a")], title: "dialect: x", x: Other(dialect: 1)"#
        );
        assert_eq!(plain.len(), text.len());
        let commented = "// Sql(\"x\", dialect: MySql)\nSql(\"y\", dialect : Sqlite)";
        assert_eq!(
            unname_dialects(commented),
            "// Sql(\"x\", dialect: MySql)\nSql(\"y\",           Sqlite)"
        );
        assert!(matches!(
            unname_dialects("no such word"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn sources_parse_from_the_command_line_and_write_back() {
        let cases = [
            ("openapi:api.yaml", Source::OpenApi("api.yaml".into())),
            ("sql:db", Source::Sql("db".into(), Dialect::Postgres)),
            ("sql+mysql:db", Source::Sql("db".into(), Dialect::MySql)),
            ("sql+sqlite:a:b", Source::Sql("a:b".into(), Dialect::Sqlite)),
            ("pact:pacts", Source::Pact("pacts".into())),
        ];
        for (arg, source) in cases {
            assert_eq!(Source::from_arg(arg), Ok(source.clone()), "{arg}");
            assert_eq!(source.arg(), arg);
        }
        assert_eq!(
            Source::from_arg(" SQL+PostgreSQL:db "),
            Ok(Source::Sql("db".into(), Dialect::Postgres))
        );
    }

    #[test]
    fn bad_sources_say_what_is_wrong() {
        let message = |arg: &str| Source::from_arg(arg).unwrap_err();
        assert_eq!(
            message("sql+oracle:db"),
            "`sql+oracle:db`: unknown SQL dialect `oracle`; the dialects are postgres (the default), mysql and sqlite; use openapi:PATH, sql:PATH, sql+mysql:PATH, sql+sqlite:PATH or pact:PATH"
        );
        assert!(message("graphql:x").contains("unknown source kind `graphql`"));
        assert!(message("api.yaml").contains("KIND:PATH"));
        assert!(message("openapi:").contains("path is missing"));
        assert!(message("pact+mysql:x").contains("only sql"));
    }

    #[test]
    fn sources_read_and_write_as_the_spec_spells_them() {
        let text = r#"[OpenApi("api/openapi.yaml"), Sql("db/migrations"), Sql("db/my", dialect: MySql), Pact("web/pacts")]"#;
        let sources: Vec<Source> = ron::from_str(&unname_dialects(text)).expect("reads");
        assert_eq!(
            sources,
            [
                Source::OpenApi("api/openapi.yaml".into()),
                Source::Sql("db/migrations".into(), Dialect::Postgres),
                Source::Sql("db/my".into(), Dialect::MySql),
                Source::Pact("web/pacts".into()),
            ]
        );
        let written: Vec<String> = sources.iter().map(Source::to_string).collect();
        assert_eq!(
            written,
            [
                r#"OpenApi("api/openapi.yaml")"#,
                r#"Sql("db/migrations")"#,
                r#"Sql("db/my", dialect: MySql)"#,
                r#"Pact("web/pacts")"#,
            ]
        );
    }
}
