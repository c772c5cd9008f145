//! The GitHub format of `storyplan check`: one workflow command per finding, so a pull
//! request shows each finding on the plan's line.
//!
//! `::error file=F,line=L,col=C,title=storyplan RULE::MESSAGE (HINT)`; warnings are
//! `::warning`, infos and accepted findings `::notice`.

use std::io::{self, Write};
use std::path::Path;

use crate::check::{Finding, Severity};
use crate::store::{LoadError, Loaded, Pos};
use crate::text::{clean, clean_line};

use super::outcome::Outcome;
use super::position;

pub fn write_all(out: &mut dyn Write, outcomes: &[Outcome]) -> io::Result<()> {
    for outcome in outcomes {
        match outcome {
            Outcome::Checked {
                file,
                loaded,
                report,
            } => {
                for finding in &report.findings {
                    writeln!(out, "{}", finding_command(file, loaded, finding))?;
                }
            }
            Outcome::Failed { file, error } => {
                writeln!(out, "{}", load_error_command(file, error))?
            }
        }
    }
    Ok(())
}

/// The workflow command that annotates one finding.
pub fn finding_command(file: &Path, loaded: &Loaded, finding: &Finding) -> String {
    let command = match finding.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Accepted => "notice",
    };
    let mut message = clean(&finding.message).into_owned();
    match &finding.reason {
        Some(reason) => message.push_str(&format!(" (accepted: {})", clean(reason))),
        None if !finding.hint.trim().is_empty() => {
            message.push_str(&format!(" ({})", clean(&finding.hint)))
        }
        None => {}
    }
    let title = format!("storyplan {}", finding.rule);
    command_line(
        command,
        file,
        Some(position(loaded, finding)),
        &title,
        &message,
    )
}

/// The workflow command that reports a file that could not be loaded.
pub fn load_error_command(file: &Path, error: &LoadError) -> String {
    let pos = error.line.map(|line| Pos {
        line,
        column: error.column.unwrap_or(1),
    });
    command_line("error", file, pos, "storyplan", &clean(&error.message))
}

fn command_line(
    command: &str,
    file: &Path,
    pos: Option<Pos>,
    title: &str,
    message: &str,
) -> String {
    let file = clean_line(&file.display().to_string()).into_owned();
    let mut properties = format!("file={}", escape_property(&file));
    if let Some(pos) = pos {
        properties.push_str(&format!(",line={},col={}", pos.line, pos.column));
    }
    properties.push_str(&format!(",title={}", escape_property(title)));
    format!("::{command} {properties}::{}", escape_data(message))
}

/// GitHub's escaping of a command's message.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// GitHub's escaping of a command's property value: the message's, plus `:` and `,`.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::fixture;

    #[test]
    fn each_finding_is_one_workflow_command() {
        let loaded = fixture::loaded();
        let file = Path::new(".storyplan/things.ron");
        let lines: Vec<String> = fixture::report()
            .findings
            .iter()
            .map(|finding| finding_command(file, &loaded, finding))
            .collect();
        let at = "file=.storyplan/things.ron";
        assert_eq!(
            lines,
            [
                format!(
                    "::warning {at},line=6,col=9,title=storyplan target-not-reached::api does not \
                     reach its target: missing Provide(\"GET /things\"). (Add a release of api.)"
                ),
                format!(
                    "::warning {at},line=1,col=1,title=storyplan shipped-order::Something about \
                     the 100%25 whole plan."
                ),
                format!(
                    "::error {at},line=9,col=9,title=storyplan broken-consumer::web calls \
                     \"GET /things\", which nothing provides until step 2 \"endpoint\". (Move \
                     step 1 \"ui\" after step 2 \"endpoint\", or gate the call behind a toggle.)"
                ),
                format!(
                    "::notice {at},line=10,col=9,title=storyplan rollback::Reverting step 2 \
                     \"endpoint\" breaks web from step 3 on. (Revert step 1 \"ui\" first.)"
                ),
                format!(
                    "::notice {at},line=11,col=9,title=storyplan noop-change::The flip of things \
                     comes ]0;xfirst. (accepted: we know,%0Ait is fine)"
                ),
            ]
        );
    }

    #[test]
    fn data_escapes_percent_and_line_breaks() {
        assert_eq!(escape_data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
    }

    #[test]
    fn properties_also_escape_colons_and_commas() {
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn load_errors_name_file_line_and_column() {
        let error = LoadError {
            file: "plans/x.ron".into(),
            line: Some(3),
            column: Some(7),
            message: "expected `)`, found \u{1b}[31m".to_string(),
        };
        assert_eq!(
            load_error_command(Path::new("plans/x.ron"), &error),
            "::error file=plans/x.ron,line=3,col=7,title=storyplan::expected `)`, found [31m"
        );
    }

    #[test]
    fn load_errors_without_position_name_only_the_file() {
        let error = LoadError {
            file: "a,b.ron".into(),
            line: None,
            column: None,
            message: "cannot read: 100% gone".to_string(),
        };
        assert_eq!(
            load_error_command(Path::new("a,b.ron"), &error),
            "::error file=a%2Cb.ron,title=storyplan::cannot read: 100% gone"
                .replace("100%", "100%25")
        );
    }
}
