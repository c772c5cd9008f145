//! The JSON shape of the check report (SPEC §4), built from `Serialize` structs so the
//! shape is in one place: `check --format json` prints one array of these, one element per
//! file, and `export --format json` starts from the same object.
//!
//! Every finding carries `reason`, `null` unless the plan accepts it, so that each object
//! of one kind has the same fields. A file that cannot be loaded is
//! `{"file": …, "error": {"message": …, "line": N, "column": N}}`, with `null` line and
//! column when unknown. Strings keep every character of the plan; the writer
//! (`write_json`) escapes what must not reach a terminal raw.

use std::path::Path;

use serde::Serialize;

use crate::check::{Finding, Report, Rollback, Rule, Severity, Summary};
use crate::plan::Plan;
use crate::store::{LoadError, Loaded};

use super::status::{step_rollback, step_status};

/// One element of the array: a file's report, or why it could not be loaded.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum FileEntry {
    Report(FileReport),
    Error(FileError),
}

#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub file: String,
    pub story: String,
    pub steps: Vec<StepEntry>,
    pub findings: Vec<FindingEntry>,
    pub summary: Summary,
}

#[derive(Debug, Clone, Serialize)]
pub struct StepEntry {
    /// 1-based, as people count steps.
    pub index: usize,
    pub id: String,
    /// `release` or `flip`.
    pub kind: &'static str,
    /// The component a release deploys; `null` for a flip.
    pub component: Option<String>,
    /// `ok`, `warning` or `error`.
    pub status: &'static str,
    /// `safe`, `until`, `loses-data` or `irreversible`.
    pub rollback: &'static str,
    /// With `until`: the id of the step after which reverting stops being safe.
    pub rollback_until: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingEntry {
    pub severity: Severity,
    pub rule: Rule,
    /// The step's id, `null` for a finding about the whole plan.
    pub step: Option<String>,
    /// 1-based, `null` with `step`.
    pub step_index: Option<usize>,
    /// For a break: the id of the step where it ends, if any.
    pub until: Option<String>,
    pub component: Option<String>,
    pub key: Option<String>,
    pub message: String,
    pub hint: String,
    /// Why the plan accepts this finding; `null` unless the severity is `accepted`.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileError {
    pub file: String,
    pub error: ErrorEntry,
}

#[derive(Debug, Clone, Serialize)]
pub struct ErrorEntry {
    pub message: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

/// The JSON object of one checked plan, shown as `file`.
pub fn file_report(file: &Path, loaded: &Loaded, report: &Report) -> FileReport {
    let plan = &loaded.plan;
    let steps = plan
        .steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            // The checker reports every step; these only guard a report of another plan.
            let (status, rollback) = (step_status(report, i), step_rollback(report, i));
            let rollback_until = match rollback {
                Rollback::Until(until) => step_id(plan, until),
                Rollback::Safe | Rollback::LosesData | Rollback::Irreversible => None,
            };
            StepEntry {
                index: i + 1,
                id: step.id().to_string(),
                kind: step.kind_name(),
                component: step.component().map(|c| c.to_string()),
                status: status.name(),
                rollback: rollback.name(),
                rollback_until,
            }
        })
        .collect();
    let findings = report
        .findings
        .iter()
        .map(|finding| finding_entry(plan, finding))
        .collect();
    FileReport {
        file: file.display().to_string(),
        story: plan.story.clone(),
        steps,
        findings,
        summary: report.summary(),
    }
}

/// The JSON object of a file that could not be loaded, shown as `file`.
pub fn file_error(file: &Path, error: &LoadError) -> FileError {
    FileError {
        file: file.display().to_string(),
        error: ErrorEntry {
            message: error.message.clone(),
            line: error.line,
            column: error.column,
        },
    }
}

/// The JSON object of one finding about `plan` (`verify` prints its findings so too).
pub fn finding_entry(plan: &Plan, finding: &Finding) -> FindingEntry {
    let owned = |text: &Option<String>| text.clone();
    FindingEntry {
        severity: finding.severity,
        rule: finding.rule,
        step: finding.step.and_then(|i| step_id(plan, i)),
        step_index: finding.step.map(|i| i + 1),
        until: finding.until.and_then(|i| step_id(plan, i)),
        component: owned(&finding.component),
        key: owned(&finding.key),
        message: finding.message.clone(),
        hint: finding.hint.clone(),
        reason: owned(&finding.reason),
    }
}

fn step_id(plan: &Plan, index: usize) -> Option<String> {
    plan.steps.get(index).map(|step| step.id().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::fixture;

    #[test]
    fn a_report_has_the_documented_shape() {
        let report = file_report(
            Path::new(".storyplan/things.ron"),
            &fixture::loaded(),
            &fixture::report(),
        );
        let value = serde_json::to_value(&report).expect("serialises");
        let finding = |severity, rule, step: Option<(&str, usize)>, component, key| {
            serde_json::json!({
                "severity": severity, "rule": rule,
                "step": step.map(|(id, _)| id), "step_index": step.map(|(_, index)| index),
                "until": null, "component": component, "key": key, "reason": null,
            })
        };
        let mut findings = vec![
            finding("warning", "target-not-reached", None, Some("api"), None),
            finding("warning", "shipped-order", None, None, None),
            finding(
                "error",
                "broken-consumer",
                Some(("ui", 1)),
                Some("web"),
                Some("GET /things"),
            ),
            finding("info", "rollback", Some(("endpoint", 2)), Some("api"), None),
            finding(
                "accepted",
                "noop-change",
                Some(("on", 3)),
                None,
                Some("things"),
            ),
        ];
        findings[2]["until"] = "endpoint".into();
        findings[4]["reason"] = "we know,\nit is fine".into();
        for (expected, actual) in findings
            .iter_mut()
            .zip(value["findings"].as_array().unwrap())
        {
            expected["message"] = actual["message"].clone();
            expected["hint"] = actual["hint"].clone();
        }
        let expected = serde_json::json!({
            "file": ".storyplan/things.ron",
            "story": "Show the \u{1b}[31mthings",
            "steps": [
                {"index": 1, "id": "ui", "kind": "release", "component": "web",
                 "status": "error", "rollback": "safe", "rollback_until": null},
                {"index": 2, "id": "endpoint", "kind": "release", "component": "api",
                 "status": "ok", "rollback": "until", "rollback_until": "on"},
                {"index": 3, "id": "on", "kind": "flip", "component": null,
                 "status": "ok", "rollback": "safe", "rollback_until": null},
            ],
            "findings": findings,
            "summary": {"errors": 1, "warnings": 2, "infos": 1, "accepted": 1},
        });
        assert_eq!(value, expected);
        assert_eq!(
            value["findings"][4]["message"],
            "The flip of things comes \u{1b}]0;x\u{7}first."
        );
    }

    #[test]
    fn a_file_that_cannot_be_loaded_has_an_error_object() {
        let error = LoadError {
            file: "x.ron".into(),
            line: None,
            column: None,
            message: "cannot read x.ron: no such file".to_string(),
        };
        let entry = FileEntry::Error(file_error(Path::new("x.ron"), &error));
        assert_eq!(
            serde_json::to_value(&entry).expect("serialises"),
            serde_json::json!({
                "file": "x.ron",
                "error": {"message": "cannot read x.ron: no such file", "line": null, "column": null},
            })
        );
    }
}
