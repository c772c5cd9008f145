//! The JSON export: the object `check --format json` prints for the file, plus the plan
//! itself, so a script gets the findings and everything they are about in one document.
//! Strings keep every character of the plan; the writer (`write_json`) escapes what must
//! not reach a terminal raw.

use std::path::Path;

use serde::Serialize;

use crate::check::Report;
use crate::plan::Plan;
use crate::store::Loaded;

use super::depends::{Dependency, Why, dependencies, enables, live_before};
use super::report_json::{FileReport, FindingEntry, StepEntry, file_report};

/// `storyplan export --format json`: the check report's fields, then `plan`.
#[derive(Debug, Clone, Serialize)]
pub struct PlanExport {
    #[serde(flatten)]
    pub report: FileReport,
    /// The plan in its serde form (as in the RON file, with JSON's syntax).
    pub plan: Plan,
}

/// `storyplan export --format json --step ID`: one step's entry and findings, the steps
/// it needs live before it and the steps it enables.
#[derive(Debug, Clone, Serialize)]
pub struct StepExport {
    pub file: String,
    pub story: String,
    pub step: StepEntry,
    /// The findings at this step, as `check --format json` writes them.
    pub findings: Vec<FindingEntry>,
    pub must_be_live_before: Vec<DependencyEntry>,
    pub enables: Vec<DependencyEntry>,
}

/// Another step and why the two depend on each other.
#[derive(Debug, Clone, Serialize)]
pub struct DependencyEntry {
    /// 1-based, as people count steps.
    pub index: usize,
    pub id: String,
    /// One sentence per reason, Markdown code spans around keys and ids.
    pub why: Vec<String>,
}

/// The JSON export of the plan loaded from `path`.
pub fn json(path: &Path, loaded: &Loaded, report: &Report) -> PlanExport {
    PlanExport {
        report: file_report(path, loaded, report),
        plan: loaded.plan.clone(),
    }
}

/// The JSON export of one step (`step` indexes `plan.steps`).
///
/// # Panics
/// When `step` is not an index into the plan's steps.
pub fn step_json(path: &Path, loaded: &Loaded, report: &Report, step: usize) -> StepExport {
    let whole = file_report(path, loaded, report);
    let all = dependencies(&loaded.plan);
    let entry = |dependency: &Dependency, other: usize, say: fn(&Why) -> String| DependencyEntry {
        index: other + 1,
        id: loaded.plan.steps[other].id().to_string(),
        why: dependency.why.iter().map(say).collect(),
    };
    StepExport {
        file: whole.file,
        story: whole.story,
        step: whole.steps[step].clone(),
        findings: whole
            .findings
            .into_iter()
            .filter(|f| f.step_index == Some(step + 1))
            .collect(),
        must_be_live_before: live_before(&all, step)
            .map(|d| entry(d, d.earlier, Why::before))
            .collect(),
        enables: enables(&all, step)
            .map(|d| entry(d, d.later, Why::after))
            .collect(),
    }
}
