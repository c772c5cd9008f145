//! Why a plan file could not be loaded, in plain words, with where.

use std::fmt;
use std::path::{Path, PathBuf};

use ron::error::{Error, SpannedError};

use super::spans::{Pos, next_significant, opening_of};
use crate::text::{cut, lower_first};

/// How much of a name quoted from the file a message shows.
const NAME_CHARS: usize = 60;

/// A plan file that could not be read, parsed or understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl LoadError {
    /// An error about the whole file.
    pub fn new(file: &Path, message: impl Into<String>) -> Self {
        LoadError {
            file: file.to_path_buf(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    /// An error at a place in the file.
    pub fn at(file: &Path, pos: Pos, message: impl Into<String>) -> Self {
        LoadError {
            file: file.to_path_buf(),
            line: Some(pos.line),
            column: Some(pos.column),
            message: message.into(),
        }
    }

    pub fn position(&self) -> Option<Pos> {
        Some(Pos {
            line: self.line?,
            column: self.column?,
        })
    }

    /// ron's error, placed on the token it tripped over and said in plain words.
    pub(crate) fn from_ron(file: &Path, text: &str, err: &SpannedError) -> Self {
        let reported = Pos {
            line: err.span.start.line.max(1),
            column: err.span.start.col.max(1),
        };
        // ron often reports the place before the whitespace that precedes the culprit.
        let (mut pos, rest) = next_significant(text, reported).unwrap_or((reported, ""));
        // A missing field or a bad fact is noticed at its closing bracket: point at its start.
        if matches!(
            err.code,
            Error::MissingStructField { .. }
                | Error::ExpectedDifferentLength { .. }
                | Error::Message(_)
        ) && rest.starts_with(')')
        {
            pos = opening_of(text, pos).unwrap_or(pos);
        }
        let mut message = describe(&err.code);
        if expects_syntax(&err.code) {
            message.push_str(", found ");
            message.push_str(&found(rest));
        }
        LoadError::at(file, pos, message)
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for LoadError {}

/// Errors about what token should come next, which read better with what came instead.
fn expects_syntax(code: &Error) -> bool {
    matches!(
        code,
        Error::ExpectedArray
            | Error::ExpectedArrayEnd
            | Error::ExpectedBoolean
            | Error::ExpectedComma
            | Error::ExpectedInteger
            | Error::ExpectedOptionEnd
            | Error::ExpectedStructLike
            | Error::ExpectedStructLikeEnd
            | Error::ExpectedString
            | Error::ExpectedIdentifier
    )
}

/// The token at the start of `rest`, as an error message names it.
fn found(rest: &str) -> String {
    let word: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        .take(40)
        .collect();
    match rest.chars().next() {
        None => "the end of the file".to_string(),
        Some('"') => "a string".to_string(),
        Some(_) if !word.is_empty() => format!("`{word}`"),
        Some(c) if c.is_control() => format!("{c:?}"),
        Some(c) => format!("`{c}`"),
    }
}

/// What the model's type names mean to someone writing a plan.
fn what(type_name: &str) -> &str {
    match type_name {
        "Kind" => "component kind",
        "Switch" => "toggle value",
        "Step" => "step",
        "Change" => "change",
        "FactRepr" => "fact",
        other => other,
    }
}

/// Serde's words for the model's types, rephrased ("u32", "enum FactRepr", …).
fn plain_expected(expected: &str) -> String {
    let expected = expected
        .replace("FactRepr::", "")
        .replace("FactRepr", "Fact");
    match expected.as_str() {
        "u32" | "u64" | "usize" => "a whole number".to_string(),
        "a boolean" => "`true` or `false`".to_string(),
        "enum Kind" => "a component kind (Ui, Service, Database, Queue, Job or External)".into(),
        "enum Switch" => "`On` or `Off`".to_string(),
        "enum Step" => "a step: `Release(...)` or `Flip(...)`".to_string(),
        "enum Change" => {
            "a change: `Add(...)`, `Remove(...)`, `Ungate(...)` or `Backfill(...)`".to_string()
        }
        "enum Fact" => "a fact such as `Provide(\"key\")` or `Call(\"key\")`".to_string(),
        _ => expected,
    }
}

fn ticked(names: &[&str]) -> String {
    let names: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
    match names.as_slice() {
        [] => "nothing".to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn suggestion(found: &str, names: &[&str]) -> String {
    match crate::suggest::closest(found, names.iter().copied()) {
        Some(name) => format!(" (did you mean `{name}`?)"),
        None => String::new(),
    }
}

/// ron's error, said as what the file should have had at that place.
pub(crate) fn describe(code: &Error) -> String {
    match code {
        Error::Eof => "the file ends too early: a closing `)` or `]` may be missing".to_string(),
        Error::ExpectedArray => "expected a list: `[`".to_string(),
        Error::ExpectedArrayEnd => "expected `,` or the `]` that closes the list".to_string(),
        Error::ExpectedAttribute => "expected an attribute like `#![enable(implicit_some)]`".into(),
        Error::ExpectedAttributeEnd => "expected `)]` to close `#![enable(...)]`".to_string(),
        Error::ExpectedBoolean => "expected `true` or `false`".to_string(),
        Error::ExpectedComma => "expected a comma".to_string(),
        Error::ExpectedInteger => "expected a whole number".to_string(),
        Error::ExpectedOption => "expected a value, `Some(...)` or `None`".to_string(),
        Error::ExpectedOptionEnd => "expected the `)` that closes `Some(...)`".to_string(),
        Error::ExpectedMap | Error::ExpectedMapColon | Error::ExpectedMapEnd => {
            "expected a map `{key: value}`".to_string()
        }
        Error::ExpectedDifferentStructName { expected, found } => {
            format!(
                "expected `{expected}(...)`, found `{}`",
                cut(found, NAME_CHARS)
            )
        }
        Error::ExpectedStructLike => "expected `(`".to_string(),
        Error::ExpectedNamedStructLike("") => "expected `(`".to_string(),
        Error::ExpectedNamedStructLike(name) => format!("expected `{name}(...)`"),
        Error::ExpectedStructLikeEnd => "expected `,` or the `)` that closes this part".into(),
        Error::ExpectedUnit => "expected `()`".to_string(),
        Error::ExpectedString => "expected a string in double quotes".to_string(),
        Error::ExpectedStringEnd => "the string is not closed: expected `\"`".to_string(),
        Error::ExpectedIdentifier => "expected a name (of a field or a variant)".to_string(),
        Error::InvalidEscape(why) => format!("invalid escape in a string: {}", lower_first(why)),
        Error::IntegerOutOfBounds => "the number is negative or too large".to_string(),
        Error::InvalidIntegerDigit { digit, .. } => format!("unexpected {digit:?} in a number"),
        Error::NoSuchExtension(name) => {
            format!("unknown RON extension `{name}` (storyplan writes `#![enable(implicit_some)]`)")
        }
        Error::UnclosedBlockComment => "a block comment `/* ... */` is not closed".to_string(),
        Error::UnexpectedChar(c) => format!("unexpected character {c:?}"),
        Error::Utf8Error(_) => "the text is not valid UTF-8".to_string(),
        Error::TrailingCharacters => {
            "unexpected text after the plan: the file holds one `Plan(...)` and nothing else"
                .to_string()
        }
        Error::InvalidValueForType { expected, found } => {
            format!(
                "expected {}, found {}",
                plain_expected(expected),
                cut(found, NAME_CHARS)
            )
        }
        Error::ExpectedDifferentLength { expected, found } => {
            let expected = plain_expected(expected);
            let values = |n: usize| match n {
                1 => "1 value".to_string(),
                n => format!("{n} values"),
            };
            // Serde says "tuple variant Gated with 2 elements".
            let variant = expected
                .strip_prefix("tuple variant ")
                .and_then(|rest| rest.split_once(" with "))
                .and_then(|(name, count)| Some((name, count.strip_suffix(" elements")?)));
            match variant {
                Some((name, count)) => format!(
                    "`{name}(...)` takes {count} values, found {}",
                    values(*found)
                ),
                None => format!("expected {expected}, found {}", values(*found)),
            }
        }
        Error::NoSuchEnumVariant {
            expected,
            found,
            outer,
        } => {
            let kind = outer.as_deref().map_or("variant", what);
            format!(
                "unknown {kind} `{}`{}: expected {}",
                cut(found, NAME_CHARS),
                suggestion(found, expected),
                ticked(expected)
            )
        }
        Error::NoSuchStructField {
            expected,
            found,
            outer,
        } => format!(
            "unknown field `{}`{}{}: expected {}",
            cut(found, NAME_CHARS),
            in_outer(outer.as_deref()),
            suggestion(found, expected),
            ticked(expected)
        ),
        Error::MissingStructField { field, outer } => {
            format!("missing field `{field}`{}", in_outer(outer.as_deref()))
        }
        Error::DuplicateStructField { field, outer } => format!(
            "the field `{field}`{} appears twice",
            in_outer(outer.as_deref())
        ),
        Error::ExceededRecursionLimit => "the plan nests too deeply to read".to_string(),
        Error::SuggestRawIdentifier(name) | Error::InvalidIdentifier(name) => format!(
            "expected a name (of a field or a variant), found `{}`",
            cut(name, NAME_CHARS)
        ),
        Error::ExpectedStructName(name) => format!("expected the name `{name}` before `(`"),
        Error::Message(message) => message.replace("FactRepr", "fact"),
        other => lower_first(&other.to_string()),
    }
}

fn in_outer(outer: Option<&str>) -> String {
    match outer {
        Some(name) => format!(" in `{}`", what(name)),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_has_the_position_when_known() {
        let at = LoadError::at(Path::new("a.ron"), Pos { line: 3, column: 9 }, "expected x");
        assert_eq!(at.to_string(), "a.ron:3:9: expected x");
        let whole = LoadError::new(Path::new("a.ron"), "cannot read");
        assert_eq!(whole.to_string(), "a.ron: cannot read");
    }

    #[test]
    fn long_names_from_the_file_are_cut_short() {
        assert_eq!(cut("Lambda", NAME_CHARS), "Lambda");
        let long = "é".repeat(100);
        assert_eq!(cut(&long, NAME_CHARS), format!("{}…", "é".repeat(60)));
    }

    #[test]
    fn lists_read_as_prose() {
        assert_eq!(ticked(&["On", "Off"]), "`On` or `Off`");
        assert_eq!(ticked(&["a", "b", "c"]), "`a`, `b` or `c`");
        assert_eq!(ticked(&["a"]), "`a`");
    }
}
