//! `storyplan facts SOURCE… [--format human|json]`: the facts the repository's files
//! yield (SPEC §7), sorted, one per line in canonical RON; warnings about what was
//! skipped on stderr (human) or in the JSON. Exit 0, or 2 when a source is not
//! `KIND:PATH` or cannot be read at all.

use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

use crate::sources::{self, Source, SourceError, Warning, WorkTree};
use crate::text::clean_line;

use super::Exit;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// One fact per line; warnings on stderr as `file:line: warning: message`.
    #[default]
    Human,
    /// `{"facts": […], "warnings": [{"file", "line", "message"}]}`.
    Json,
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `openapi:PATH`, `sql:PATH`, `sql+mysql:PATH`, `sql+sqlite:PATH`, `pact:PATH`.
    pub sources: Vec<String>,
    pub format: Format,
}

#[derive(Serialize)]
struct Report<'a> {
    facts: Vec<String>,
    warnings: Vec<JsonWarning<'a>>,
}

#[derive(Serialize)]
struct JsonWarning<'a> {
    file: &'a str,
    line: Option<usize>,
    message: &'a str,
}

/// Runs `storyplan facts` with paths relative to `cwd`: the facts to `out`, warnings
/// (human format) and errors to `err`.
pub fn run(
    options: &Options,
    cwd: &Path,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<Exit> {
    let mut parsed = Vec::new();
    let mut bad = false;
    for arg in &options.sources {
        match Source::from_arg(arg) {
            Ok(source) => parsed.push(source),
            Err(error) => {
                writeln!(err, "storyplan: {error}")?;
                bad = true;
            }
        }
    }
    if bad {
        return Ok(Exit::Unreadable);
    }
    if parsed.is_empty() {
        writeln!(
            err,
            "storyplan: name at least one source: openapi:PATH, sql:PATH, sql+mysql:PATH, \
             sql+sqlite:PATH or pact:PATH"
        )?;
        return Ok(Exit::Unreadable);
    }
    let derived = match sources::read_all(&WorkTree::new(cwd), &parsed) {
        Ok(derived) => derived,
        Err(errors) => {
            for error in &errors {
                write_error(err, error)?;
            }
            return Ok(Exit::Unreadable);
        }
    };
    match options.format {
        Format::Human => {
            write_warnings(err, &derived.warnings)?;
            for fact in &derived.facts {
                writeln!(out, "{}", clean_line(&fact.to_string()))?;
            }
        }
        Format::Json => {
            let report = Report {
                facts: derived.facts.iter().map(ToString::to_string).collect(),
                warnings: derived
                    .warnings
                    .iter()
                    .map(|w| JsonWarning {
                        file: &w.file,
                        line: w.line,
                        message: &w.message,
                    })
                    .collect(),
            };
            crate::export::write_json(&mut *out, &report)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(Exit::Clean)
}

/// Warnings as a compiler gives them: `file:line: warning: message`.
pub(super) fn write_warnings(err: &mut dyn Write, warnings: &[Warning]) -> io::Result<()> {
    for warning in warnings {
        let location = match warning.line {
            Some(line) => format!("{}:{line}", warning.file),
            None => warning.file.clone(),
        };
        writeln!(
            err,
            "{}: warning: {}",
            clean_line(&location),
            clean_line(&warning.message)
        )?;
    }
    Ok(())
}

pub(super) fn write_error(err: &mut dyn Write, error: &SourceError) -> io::Result<()> {
    writeln!(err, "storyplan: {error}")
}
