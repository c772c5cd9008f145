//! Facts derived from the files a repository already has (SPEC §7): OpenAPI documents
//! yield `Provide("METHOD /path")`, SQL migrations `Provide("table")` and
//! `Provide("table.column")`, Pact files `Call("METHOD /path")`.
//!
//! Each reader takes a [`Tree`] (where the files come from) and a path in it, and returns
//! the [`Derived`] facts with the [`Warning`]s about what it skipped; a source that cannot
//! be read at all is a [`SourceError`]. Nothing a file holds makes a reader panic.
//!
//! The readers' own functions (`openapi::read`, `sql::read`, `pact::read`) return facts
//! in the order they were found; [`read`] and [`read_all`] sort them and drop duplicates.
//! A plan's `import` reads each component's sources with [`read`], the Pact ones with
//! the [`Templates`] of every `OpenApi` source of the plan, then [`respell`]s the derived
//! keys with the plan's keys and compares facts of each source's [`Source::access`].

pub mod discover;
pub mod git;
pub mod import;
pub mod openapi;
pub mod pact;
pub mod sql;
mod tree;

use std::borrow::Cow;
use std::fmt;
use std::io;
use std::path::Path;

use rustc_hash::FxHashMap;

use crate::plan::Fact;
use crate::text::clean_line;

pub use crate::plan::{Dialect, Source};
pub use git::GitTree;
pub use pact::Templates;
pub use tree::{Entry, Tree, WorkTree};

/// The largest file a source may be: far above any real API description or migration,
/// low enough that a stray dump or image is refused before it is read.
pub const MAX_SOURCE_BYTES: u64 = 64 * 1024 * 1024;

/// Something a reader skipped: the file (the source's path as given, then `/` and the
/// name inside a folder), the line where there is one, and what was skipped and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Warning {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl Warning {
    pub fn new(file: impl Into<String>, line: Option<usize>, message: impl Into<String>) -> Self {
        Warning {
            file: file.into(),
            line,
            message: message.into(),
        }
    }
}

/// `file:line: message`, or `file: message`, on one line with control characters removed.
impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        located(f, &self.file, self.line, &self.message)
    }
}

/// A source that cannot be read at all: missing, a binary file, not the format its kind
/// says, malformed as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl SourceError {
    pub fn new(file: impl Into<String>, line: Option<usize>, message: impl Into<String>) -> Self {
        SourceError {
            file: file.into(),
            line,
            message: message.into(),
        }
    }

    /// The error for a file or folder that cannot be read.
    pub fn io(file: &str, error: &io::Error) -> Self {
        let message = match error.kind() {
            io::ErrorKind::NotFound => "no such file or folder".to_string(),
            io::ErrorKind::FileTooLarge | io::ErrorKind::IsADirectory => error.to_string(),
            _ => format!("cannot read it: {error}"),
        };
        SourceError::new(file, None, message)
    }

    /// The same problem as a warning, for one file of a folder that is read on.
    pub fn into_warning(self) -> Warning {
        Warning::new(self.file, self.line, self.message)
    }
}

/// `file:line: message`, or `file: message`, on one line with control characters removed.
impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        located(f, &self.file, self.line, &self.message)
    }
}

impl std::error::Error for SourceError {}

fn located(
    f: &mut fmt::Formatter<'_>,
    file: &str,
    line: Option<usize>,
    message: &str,
) -> fmt::Result {
    let file = clean_line(file);
    let message = clean_line(message);
    match line {
        Some(line) => write!(f, "{file}:{line}: {message}"),
        None => write!(f, "{file}: {message}"),
    }
}

/// What sources yield: facts (sorted and without duplicates once [`Derived::finish`]ed)
/// and warnings (in the order the files were read).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Derived {
    pub facts: Vec<Fact>,
    pub warnings: Vec<Warning>,
}

impl Derived {
    /// Adds another source's facts and warnings.
    pub fn extend(&mut self, other: Derived) {
        self.facts.extend(other.facts);
        self.warnings.extend(other.warnings);
    }

    /// Sorts the facts and drops duplicates (of facts, and of warnings).
    pub fn finish(mut self) -> Derived {
        self.facts.sort();
        self.facts.dedup();
        let mut seen = rustc_hash::FxHashSet::default();
        self.warnings.retain(|w| seen.insert(w.clone()));
        self
    }

    /// The derived keys, in the facts' order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.facts.iter().map(|f| f.key.as_str())
    }
}

/// The files at `reference`, read through git, or the working tree at `root` when there
/// is none.
pub fn tree_at(root: &Path, reference: Option<&str>) -> Result<Box<dyn Tree>, String> {
    Ok(match reference {
        Some(reference) => Box::new(GitTree::open(root, reference)?),
        None => Box::new(WorkTree::new(root)),
    })
}

/// Reads one source. `templates` are the endpoints other sources provide, which a Pact
/// source matches its concrete paths to (ignored by the other kinds).
pub fn read(
    tree: &dyn Tree,
    source: &Source,
    templates: &Templates,
) -> Result<Derived, SourceError> {
    let derived = match source {
        Source::OpenApi(path) => openapi::read(tree, Path::new(path))?,
        Source::Sql(path, dialect) => sql::read(tree, Path::new(path), *dialect)?,
        Source::Pact(path) => pact::read(tree, Path::new(path), templates)?,
    };
    Ok(derived.finish())
}

/// Reads several sources as `storyplan facts` does: the union of their facts, Pact paths
/// matched to the templates the OpenAPI sources among them provide. Every source that
/// cannot be read is in the error list.
pub fn read_all(tree: &dyn Tree, sources: &[Source]) -> Result<Derived, Vec<SourceError>> {
    let mut results: Vec<Option<Result<Derived, SourceError>>> = vec![None; sources.len()];
    let none = Templates::default();
    for (i, source) in sources.iter().enumerate() {
        if !matches!(source, Source::Pact(_)) {
            results[i] = Some(read(tree, source, &none));
        }
    }
    let provided: Vec<&Fact> = sources
        .iter()
        .zip(&results)
        .filter(|(source, _)| matches!(source, Source::OpenApi(_)))
        .filter_map(|(_, result)| result.as_ref()?.as_ref().ok())
        .flat_map(|derived| &derived.facts)
        .collect();
    let templates = Templates::from_facts(provided);
    for (i, source) in sources.iter().enumerate() {
        if results[i].is_none() {
            results[i] = Some(read(tree, source, &templates));
        }
    }
    let mut all = Derived::default();
    let mut errors = Vec::new();
    for result in results.into_iter().flatten() {
        match result {
            Ok(derived) => all.extend(derived),
            Err(error) => errors.push(error),
        }
    }
    if errors.is_empty() {
        Ok(all.finish())
    } else {
        Err(errors)
    }
}

/// A key with the name of every path parameter taken out: `GET /user/{id}` and
/// `GET /user/{userId}` both become `GET /user/{}`.
pub fn parameter_shape(key: &str) -> Cow<'_, str> {
    if !key.contains('{') {
        return Cow::Borrowed(key);
    }
    let mut out = String::with_capacity(key.len());
    let mut rest = key;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        out.push_str(&rest[..=open]);
        out.push('}');
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Gives each derived fact whose key equals a key the plan already uses up to the names
/// of path parameters the plan's spelling (SPEC §7). A shape that several plan keys share
/// is left alone: there is no one spelling to keep.
pub fn respell<'a>(derived: &mut [Fact], plan_keys: impl IntoIterator<Item = &'a str>) {
    let mut spelling: FxHashMap<String, Option<&'a str>> = FxHashMap::default();
    for key in plan_keys {
        let key = key.trim();
        if !key.contains('{') {
            continue;
        }
        spelling
            .entry(parameter_shape(key).into_owned())
            .and_modify(|known| {
                if known.is_some_and(|k| k != key) {
                    *known = None;
                }
            })
            .or_insert(Some(key));
    }
    if spelling.is_empty() {
        return;
    }
    for fact in derived {
        if !fact.key.contains('{') {
            continue;
        }
        if let Some(Some(key)) = spelling.get(parameter_shape(&fact.key).as_ref()) {
            fact.key = (*key).to_string();
        }
    }
}

/// A file inside a source folder, named as warnings name it: `dir/name`.
pub(crate) fn child(dir: &str, name: &str) -> String {
    if dir.is_empty() || dir.ends_with('/') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}

/// A path as warnings and errors name it: as given, with `/` between its parts.
pub(crate) fn shown(path: &Path) -> String {
    let text = path.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' {
        text.into_owned()
    } else {
        text.replace(std::path::MAIN_SEPARATOR, "/")
    }
}

/// The text of a source file: UTF-8 without a byte order mark. A file with a NUL byte is
/// binary; one with bytes that are not UTF-8 is refused with the line they are on.
pub(crate) fn text<'a>(file: &str, bytes: &'a [u8]) -> Result<&'a str, SourceError> {
    if bytes.contains(&0) {
        return Err(SourceError::new(
            file,
            None,
            "this is a binary file, not text",
        ));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.strip_prefix('\u{feff}').unwrap_or(text)),
        Err(error) => {
            let line = line_at(bytes, error.valid_up_to());
            Err(SourceError::new(
                file,
                Some(line),
                "the file is not UTF-8 text",
            ))
        }
    }
}

/// The 1-based line of a byte offset.
pub(crate) fn line_at(bytes: &[u8], offset: usize) -> usize {
    1 + bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

/// A key derived from a file, on one line and without characters that would drive or
/// reorder a terminal.
pub(crate) fn clean_key(key: &str) -> String {
    clean_line(key).trim().to_string()
}

/// Natural order of file names: runs of digits compare as numbers (`V2__x.sql` before
/// `V10__y.sql`), everything else character by character; names that compare equal so
/// (`1_a` and `01_a`) fall back to plain order.
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    loop {
        match (x.first(), y.first()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(p), Some(q)) if p.is_ascii_digit() && q.is_ascii_digit() => {
                let run = |s: &[u8]| s.iter().take_while(|c| c.is_ascii_digit()).count();
                let (m, n) = (run(x), run(y));
                let trim = |digits: &'_ [u8]| -> usize {
                    digits.iter().take_while(|&&c| c == b'0').count()
                };
                let (dx, dy) = (&x[trim(&x[..m])..m], &y[trim(&y[..n])..n]);
                let order = dx.len().cmp(&dy.len()).then_with(|| dx.cmp(dy));
                if order != Ordering::Equal {
                    return order;
                }
                x = &x[m..];
                y = &y[n..];
            }
            (Some(p), Some(q)) => {
                if p != q {
                    return p.cmp(q);
                }
                x = &x[1..];
                y = &y[1..];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order_compares_digit_runs_as_numbers() {
        let mut names = vec![
            "V10__y.sql",
            "V2__x.sql",
            "V1__init.sql",
            "V1_1__fix.sql",
            "V02__z.sql",
            "20240101_a.sql",
            "9_b.sql",
        ];
        names.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            names,
            [
                "9_b.sql",
                "20240101_a.sql",
                "V1_1__fix.sql",
                "V1__init.sql",
                "V2__x.sql",
                "V02__z.sql",
                "V10__y.sql",
            ]
        );
    }

    #[test]
    fn natural_order_is_total_on_leading_zeros() {
        assert_eq!(natural_cmp("01_a", "1_a"), "01_a".cmp("1_a"));
        assert_eq!(natural_cmp("a", "a"), std::cmp::Ordering::Equal);
        assert_eq!(natural_cmp("a", "a1"), std::cmp::Ordering::Less);
        assert_eq!(
            natural_cmp("00000000000000000000000000001", "2"),
            std::cmp::Ordering::Less
        );
    }

    #[test]
    fn respelling_keeps_the_plans_parameter_names() {
        let mut facts = vec![
            Fact::provide("GET /user/{id}/reminder"),
            Fact::provide("GET /user/{id}"),
            Fact::provide("GET /shelter/{id}"),
            Fact::provide("users.id"),
        ];
        let plan = [
            "GET /user/{userId}/reminder",
            "GET /user/{id}",
            "GET /shelter/{a}",
            "GET /shelter/{b}",
        ];
        respell(&mut facts, plan);
        let keys: Vec<&str> = facts.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "GET /user/{userId}/reminder",
                "GET /user/{id}",
                "GET /shelter/{id}",
                "users.id"
            ]
        );
    }

    #[test]
    fn the_parameter_shape_drops_names_only() {
        assert_eq!(parameter_shape("GET /a/{x}/b/{yy}"), "GET /a/{}/b/{}");
        assert_eq!(parameter_shape("GET /a/{x"), "GET /a/{x");
        assert_eq!(parameter_shape("users.id"), "users.id");
    }

    #[test]
    fn text_refuses_binary_and_names_the_line_of_bad_bytes() {
        assert_eq!(
            text("a.sql", b"x\0y").map_err(|e| e.to_string()),
            Err("a.sql: this is a binary file, not text".into())
        );
        assert_eq!(
            text("a.sql", b"one\ntwo \xff\n").map_err(|e| e.to_string()),
            Err("a.sql:2: the file is not UTF-8 text".into())
        );
        assert_eq!(text("a.sql", "\u{feff}ok".as_bytes()), Ok("ok"));
    }
}
