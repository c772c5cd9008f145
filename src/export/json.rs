//! The JSON export: the object `check --format json` prints for the file, plus the plan
//! itself, so a script gets the findings and everything they are about in one document.
//! Every string that came from the plan is cleaned of control characters.

use std::path::Path;

use serde::Serialize;

use crate::check::Report;
use crate::plan::{Accept, Change, Component, Fact, Plan, Step, Toggle};
use crate::store::Loaded;
use crate::text::clean;

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
        plan: clean_plan(&loaded.plan),
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
        id: clean(loaded.plan.steps[other].id()).into_owned(),
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

/// The plan with every string cleaned of control characters.
fn clean_plan(plan: &Plan) -> Plan {
    let text = |s: &String| clean(s).into_owned();
    let maybe = |s: &Option<String>| s.as_deref().map(|s| clean(s).into_owned());
    Plan {
        version: plan.version,
        story: text(&plan.story),
        narrative: maybe(&plan.narrative),
        components: plan
            .components
            .iter()
            .map(|c| Component {
                id: text(&c.id),
                name: text(&c.name),
                kind: c.kind,
                repo: maybe(&c.repo),
                current: c.current.iter().map(clean_fact).collect(),
                target: c
                    .target
                    .as_ref()
                    .map(|t| t.iter().map(clean_fact).collect()),
            })
            .collect(),
        toggles: plan
            .toggles
            .iter()
            .map(|t| Toggle {
                id: text(&t.id),
                initially: t.initially,
            })
            .collect(),
        steps: plan.steps.iter().map(clean_step).collect(),
        accepted: plan
            .accepted
            .iter()
            .map(|a| Accept {
                rule: text(&a.rule),
                step: maybe(&a.step),
                key: maybe(&a.key),
                reason: text(&a.reason),
            })
            .collect(),
        notes: maybe(&plan.notes),
    }
}

fn clean_step(step: &Step) -> Step {
    let text = |s: &String| clean(s).into_owned();
    let maybe = |s: &Option<String>| s.as_deref().map(|s| clean(s).into_owned());
    match step {
        Step::Release {
            id,
            component,
            title,
            changes,
            commit,
            shipped,
            notes,
            pr,
        } => Step::Release {
            id: text(id),
            component: text(component),
            title: text(title),
            changes: changes
                .iter()
                .map(|change| match change {
                    Change::Add(fact) => Change::Add(clean_fact(fact)),
                    Change::Remove(fact) => Change::Remove(clean_fact(fact)),
                    Change::Ungate(toggle) => Change::Ungate(text(toggle)),
                    Change::Backfill { into, from } => Change::Backfill {
                        into: text(into),
                        from: text(from),
                    },
                })
                .collect(),
            commit: maybe(commit),
            shipped: *shipped,
            notes: maybe(notes),
            pr: maybe(pr),
        },
        Step::Flip {
            id,
            toggle,
            to,
            title,
            shipped,
            notes,
        } => Step::Flip {
            id: text(id),
            toggle: text(toggle),
            to: *to,
            title: text(title),
            shipped: *shipped,
            notes: maybe(notes),
        },
    }
}

fn clean_fact(fact: &Fact) -> Fact {
    Fact {
        access: fact.access,
        key: clean(&fact.key).into_owned(),
        tolerant: fact.tolerant,
        gate: fact.gate.as_deref().map(|g| clean(g).into_owned()),
        serving: fact.serving.as_deref().map(|s| clean(s).into_owned()),
    }
}
