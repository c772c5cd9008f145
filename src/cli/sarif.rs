//! The SARIF format of `storyplan check` (SARIF 2.1.0), for code-scanning dashboards: one
//! run whose driver lists every rule, each finding a result with its rule, level, message
//! and the plan's file, line and column. An accepted finding is a result suppressed in the
//! plan, with its reason as the justification; a plan that cannot be read is a
//! notification of the run, which then did not execute successfully.

use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

use crate::check::{Finding, Rule, Severity};
use crate::store::Pos;
use crate::text::clean;

use super::outcome::Outcome;
use super::position;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    column_kind: &'static str,
    results: Vec<SarifResult>,
    invocations: [Invocation; 1],
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    rules: Vec<Descriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    id: &'static str,
    short_description: Text,
    help: Text,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

/// One finding as SARIF reports it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    justification: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

/// A file the run could not read.
#[derive(Serialize)]
pub struct Notification {
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
}

/// SARIF's level for a severity: error, warning, or note.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Accepted => "note",
    }
}

/// A file as SARIF addresses it: a relative URI reference with `/`, or a `file://` URI
/// for an absolute path; characters a URI may not hold are percent-encoded.
fn uri(file: &Path) -> String {
    let text = file.to_string_lossy().replace('\\', "/");
    let mut out = String::with_capacity(text.len());
    if text.starts_with('/') {
        out.push_str("file://");
    }
    for byte in text.bytes() {
        let plain = byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte);
        if plain {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn location(file: &Path, pos: Option<Pos>) -> Location {
    Location {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation { uri: uri(file) },
            region: pos.map(|pos| Region {
                start_line: pos.line.max(1),
                start_column: pos.column.max(1),
            }),
        },
    }
}

/// A finding on the plan at `file`, its rule's index taken from `rules`.
pub fn result(
    file: &Path,
    loaded: &crate::store::Loaded,
    finding: &Finding,
    rules: &[Rule],
) -> SarifResult {
    let rule = finding.rule;
    let mut text = clean(&finding.message).into_owned();
    if !finding.hint.trim().is_empty() {
        text.push(' ');
        text.push_str(&clean(&finding.hint));
    }
    let suppressions = if finding.severity == Severity::Accepted {
        let reason = finding.reason.as_deref().unwrap_or("accepted in the plan");
        vec![Suppression {
            kind: "inSource",
            justification: clean(reason).into_owned(),
        }]
    } else {
        Vec::new()
    };
    // A suppressed result keeps the level its rule gives.
    let severity = if suppressions.is_empty() {
        finding.severity
    } else {
        rule.severity()
    };
    SarifResult {
        rule_id: rule.id(),
        rule_index: rules.iter().position(|r| *r == rule).unwrap_or(0),
        level: level(severity),
        message: Text { text },
        locations: vec![location(file, Some(position(loaded, finding)))],
        suppressions,
    }
}

/// A plan that could not be read, where the error says.
pub fn notification(file: &Path, error: &crate::store::LoadError) -> Notification {
    Notification {
        level: "error",
        message: Text {
            text: clean(&error.message).into_owned(),
        },
        locations: vec![location(
            file,
            error.line.map(|line| Pos {
                line,
                column: error.column.unwrap_or(1),
            }),
        )],
    }
}

/// Writes one SARIF log for every file checked.
pub fn write_all(out: &mut dyn Write, outcomes: &[Outcome]) -> io::Result<()> {
    let rules = &Rule::ALL;
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for outcome in outcomes {
        match outcome {
            Outcome::Checked {
                file,
                loaded,
                report,
            } => results.extend(
                report
                    .findings
                    .iter()
                    .map(|f| result(file, loaded, f, rules)),
            ),
            Outcome::Failed { file, error } => notifications.push(notification(file, error)),
        }
    }
    write_log(out, rules, results, notifications)
}

/// Writes the log of one run: the driver with `rules`, the results, and what could not be
/// read.
pub fn write_log(
    out: &mut dyn Write,
    rules: &[Rule],
    results: Vec<SarifResult>,
    notifications: Vec<Notification>,
) -> io::Result<()> {
    let rules = rules
        .iter()
        .map(|&rule| Descriptor {
            id: rule.id(),
            short_description: Text {
                text: rule.summary().to_string(),
            },
            help: Text {
                text: rule.help().to_string(),
            },
            default_configuration: Configuration {
                level: level(rule.severity()),
            },
        })
        .collect();
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "storyplan",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    rules,
                },
            },
            column_kind: "unicodeCodePoints",
            results,
            invocations: [Invocation {
                execution_successful: notifications.is_empty(),
                tool_execution_notifications: notifications,
            }],
        }],
    };
    crate::export::write_json(&mut *out, &log)?;
    writeln!(out)
}
