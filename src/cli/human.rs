//! The human format of `storyplan check`, read like a compiler's diagnostics:
//!
//! ```text
//! error[broken-consumer]: <message>
//!   --> <file>:<line>:<col> (step 2 "endpoints", api)
//!    = hint: <hint>
//! ```
//!
//! then one summary line per file. Everything that came from the plan is cleaned first.

use std::io::{self, Write};
use std::path::Path;

use crate::check::words::StepLabel;
use crate::check::{Finding, Report, Severity, Summary};
use crate::store::{LoadError, Loaded};
use crate::text::clean_line;

use super::outcome::Outcome;
use super::position;

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const GREEN: &str = "\x1b[1;32m";
const CYAN: &str = "\x1b[1;36m";
const BLUE: &str = "\x1b[1;34m";

/// ANSI styling that turns into nothing when colour is off.
#[derive(Debug, Clone, Copy)]
struct Paint(bool);

impl Paint {
    fn on(self, style: &'static str) -> &'static str {
        if self.0 { style } else { "" }
    }

    fn reset(self) -> &'static str {
        self.on(RESET)
    }
}

fn severity_style(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => RED,
        Severity::Warning => YELLOW,
        Severity::Info => CYAN,
        Severity::Accepted => GREEN,
    }
}

/// Writes every file's diagnostics and summary, files separated by a blank line.
pub fn write_all(out: &mut dyn Write, outcomes: &[Outcome], color: bool) -> io::Result<()> {
    for (index, outcome) in outcomes.iter().enumerate() {
        if index > 0 {
            writeln!(out)?;
        }
        match outcome {
            Outcome::Checked {
                file,
                loaded,
                report,
            } => write_report(out, file, loaded, report, color)?,
            Outcome::Failed { file, error } => write_load_error(out, file, error, color)?,
        }
    }
    Ok(())
}

/// One file's findings, each followed by a blank line, then its summary line.
pub fn write_report(
    out: &mut dyn Write,
    file: &Path,
    loaded: &Loaded,
    report: &Report,
    color: bool,
) -> io::Result<()> {
    for finding in &report.findings {
        write_finding(out, file, loaded, finding, color)?;
        writeln!(out)?;
    }
    let paint = Paint(color);
    let summary = report.summary();
    let style = if summary.errors > 0 {
        RED
    } else if summary.warnings > 0 {
        YELLOW
    } else {
        GREEN
    };
    writeln!(
        out,
        "{}{}:{} {}{}{}",
        paint.on(BOLD),
        clean_line(&file.display().to_string()),
        paint.reset(),
        paint.on(style),
        summary_text(&summary),
        paint.reset(),
    )
}

/// One diagnostic: the headline, where it points, and the hint (or, once accepted, the reason).
pub fn write_finding(
    out: &mut dyn Write,
    file: &Path,
    loaded: &Loaded,
    finding: &Finding,
    color: bool,
) -> io::Result<()> {
    let paint = Paint(color);
    let pos = position(loaded, finding);
    writeln!(
        out,
        "{}{}[{}]{}{}: {}{}",
        paint.on(severity_style(finding.severity)),
        finding.severity,
        finding.rule,
        paint.reset(),
        paint.on(BOLD),
        clean_line(&finding.message),
        paint.reset(),
    )?;
    let context = step_context(loaded, finding)
        .map(|context| format!(" ({context})"))
        .unwrap_or_default();
    writeln!(
        out,
        "  {}-->{} {}:{}:{}{}",
        paint.on(BLUE),
        paint.reset(),
        clean_line(&file.display().to_string()),
        pos.line,
        pos.column,
        context,
    )?;
    let (label, text) = match (&finding.reason, finding.severity) {
        (Some(reason), _) => ("reason", reason.as_str()),
        (None, Severity::Accepted) => ("reason", ""),
        (None, _) => ("hint", finding.hint.as_str()),
    };
    if !text.trim().is_empty() {
        writeln!(
            out,
            "   {}={} {label}: {}",
            paint.on(BLUE),
            paint.reset(),
            clean_line(text)
        )?;
    }
    Ok(())
}

/// `step 2 "endpoints", api` for a finding at a step; `api` for a plan-wide finding about
/// a component; nothing for a finding about the whole plan.
pub fn step_context(loaded: &Loaded, finding: &Finding) -> Option<String> {
    let step = finding
        .step
        .and_then(|i| Some((i, loaded.plan.steps.get(i)?)));
    let component = finding
        .component
        .as_deref()
        .or_else(|| step.and_then(|(_, step)| step.component()));
    let step = step.map(|(i, step)| StepLabel::new(i, &clean_line(step.id())).to_string());
    match (step, component) {
        (Some(step), Some(component)) => Some(format!("{step}, {}", clean_line(component))),
        (Some(step), None) => Some(step),
        (None, Some(component)) => Some(clean_line(component).into_owned()),
        (None, None) => None,
    }
}

/// `error: FILE:LINE:COL: MESSAGE`, leaving out the line and column when unknown.
pub fn write_load_error(
    out: &mut dyn Write,
    file: &Path,
    error: &LoadError,
    color: bool,
) -> io::Result<()> {
    let paint = Paint(color);
    writeln!(
        out,
        "{}error{}: {}{}{}",
        paint.on(RED),
        paint.reset(),
        paint.on(BOLD),
        load_error_text(file, error),
        paint.reset(),
    )
}

/// `FILE:LINE:COL: MESSAGE` with the message cleaned (it may quote the file).
pub fn load_error_text(file: &Path, error: &LoadError) -> String {
    let mut text = clean_line(&file.display().to_string()).into_owned();
    if let Some(line) = error.line {
        text.push_str(&format!(":{line}"));
        if let Some(column) = error.column {
            text.push_str(&format!(":{column}"));
        }
    }
    text.push_str(": ");
    text.push_str(&clean_line(&error.message));
    text
}

/// `2 errors, 1 warning, 3 infos, 0 accepted`, prefixed with `clean: ` when nothing fails.
pub fn summary_text(summary: &Summary) -> String {
    let counts = format!(
        "{}, {}, {}, {} accepted",
        plural(summary.errors, "error"),
        plural(summary.warnings, "warning"),
        plural(summary.infos, "info"),
        summary.accepted,
    );
    if summary.errors == 0 && summary.warnings == 0 {
        format!("clean ({counts})")
    } else {
        counts
    }
}

/// `1 noun`, or `N nouns`.
pub fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::fixture;

    fn render(color: bool) -> String {
        let mut out = Vec::new();
        let file = Path::new(".storyplan/things.ron");
        write_report(
            &mut out,
            file,
            &fixture::loaded(),
            &fixture::report(),
            color,
        )
        .expect("write to memory");
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn a_report_reads_like_a_compiler() {
        let expected = r#"warning[target-not-reached]: api does not reach its target: missing Provide("GET /things").
  --> .storyplan/things.ron:6:9 (api)
   = hint: Add a release of api.

warning[shipped-order]: Something about the 100% whole plan.
  --> .storyplan/things.ron:1:1

error[broken-consumer]: web calls "GET /things", which nothing provides until step 2 "endpoint".
  --> .storyplan/things.ron:9:9 (step 1 "ui", web)
   = hint: Move step 1 "ui" after step 2 "endpoint", or gate the call behind a toggle.

info[rollback]: Reverting step 2 "endpoint" breaks web from step 3 on.
  --> .storyplan/things.ron:10:9 (step 2 "endpoint", api)
   = hint: Revert step 1 "ui" first.

accepted[noop-change]: The flip of things comes ]0;xfirst.
  --> .storyplan/things.ron:11:9 (step 3 "on")
   = reason: we know, it is fine

.storyplan/things.ron: 1 error, 2 warnings, 1 info, 1 accepted
"#;
        assert_eq!(render(false), expected);
    }

    #[test]
    fn colour_comes_from_us_only() {
        let text = render(true);
        assert!(text.contains("\x1b[1;31merror[broken-consumer]\x1b[0m"));
        assert!(!text.contains("\x1b]"));
        assert!(!text.contains("\x1b[31m"));
    }

    #[test]
    fn load_errors_name_file_line_and_column() {
        let error = LoadError {
            file: "x.ron".into(),
            line: Some(4),
            column: Some(17),
            message: "expected `,` but found \u{1b}[2J".to_string(),
        };
        let mut out = Vec::new();
        write_load_error(&mut out, Path::new("x.ron"), &error, false).expect("write to memory");
        assert_eq!(
            String::from_utf8(out).expect("UTF-8"),
            "error: x.ron:4:17: expected `,` but found [2J\n"
        );
    }

    #[test]
    fn summary_pluralises_each_count() {
        let summary = Summary {
            errors: 2,
            warnings: 1,
            infos: 3,
            accepted: 0,
        };
        assert_eq!(
            summary_text(&summary),
            "2 errors, 1 warning, 3 infos, 0 accepted"
        );
    }

    #[test]
    fn summary_says_clean_without_errors_or_warnings() {
        let summary = Summary {
            errors: 0,
            warnings: 0,
            infos: 1,
            accepted: 2,
        };
        assert_eq!(
            summary_text(&summary),
            "clean (0 errors, 0 warnings, 1 info, 2 accepted)"
        );
    }
}
