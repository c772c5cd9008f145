//! The whole plan as GitHub-flavoured Markdown: the story, its components from current to
//! target, the steps as a task list, the findings and a diagram of the lanes.

use std::fmt::Write as _;

use crate::check::words::{
    ADD, BACKFILL, BACKFILL_FROM, ERROR, IRREVERSIBLE, OK, REMOVE, REVERT, StepLabel, UNGATE,
    WARNING, flip_line, rollback_badge, rollback_symbol, severity_symbol, severity_word,
    status_badge,
};
use crate::check::{Finding, Report, Rollback, Severity};
use crate::plan::{Change, Component, Fact, Plan, Step};

use super::escape::{block, code, inline, pr_link};
use super::mermaid;
use super::status::{step_rollback, step_status};

/// Writes the plan with its story heading at `level` (1 for `#`) and its sections one
/// level below.
pub(super) fn plan_body(
    out: &mut String,
    plan: &Plan,
    report: &Report,
    file: Option<&str>,
    level: usize,
) {
    let h = |extra: usize| "#".repeat(level + extra);
    let story = inline(&plan.story);
    let story = if story.is_empty() {
        "Untitled story".to_string()
    } else {
        story
    };
    let _ = writeln!(out, "{} {story}\n", h(0));
    if let Some(narrative) = plan.narrative.as_deref().filter(|n| !n.trim().is_empty()) {
        let _ = writeln!(out, "{}", block(narrative, "> "));
    }
    if let Some(notes) = plan.notes.as_deref().filter(|n| !n.trim().is_empty()) {
        let _ = writeln!(out, "{}", block(notes, ""));
    }
    let _ = writeln!(out, "{}\n", overview(plan, report, file));

    let _ = writeln!(out, "{} Components\n", h(1));
    components(out, plan, report);

    let _ = writeln!(out, "{} Steps\n", h(1));
    steps(out, plan, report);

    let _ = writeln!(out, "{} Lanes\n", h(1));
    mermaid::diagram(out, plan, report);

    let (open, accepted): (Vec<&Finding>, Vec<&Finding>) = report
        .findings
        .iter()
        .partition(|f| f.severity != Severity::Accepted);
    let _ = writeln!(out, "{} Findings\n", h(1));
    if open.is_empty() {
        let _ = writeln!(
            out,
            "None: the checker has nothing to say about this plan.\n"
        );
    } else {
        for finding in open {
            finding_item(out, plan, finding, "");
        }
        out.push('\n');
    }
    if !accepted.is_empty() {
        let _ = writeln!(out, "{} Accepted findings\n", h(1));
        for finding in accepted {
            finding_item(out, plan, finding, "");
        }
        out.push('\n');
    }
}

/// `**✓ safe**: 0 errors, 0 warnings, 2 infos, 0 accepted · 5 steps, 1 shipped · plan `file``.
fn overview(plan: &Plan, report: &Report, file: Option<&str>) -> String {
    let summary = report.summary();
    let verdict = if summary.errors > 0 {
        format!("{ERROR} unsafe")
    } else if summary.warnings > 0 {
        format!("{WARNING} safe, with warnings")
    } else {
        format!("{OK} safe")
    };
    let shipped = plan.steps.iter().filter(|s| s.shipped()).count();
    let mut text = format!(
        "**{verdict}**: {}, {}, {}, {} accepted · {}, {shipped} shipped",
        count(summary.errors, "error"),
        count(summary.warnings, "warning"),
        count(summary.infos, "info"),
        summary.accepted,
        count(plan.steps.len(), "step"),
    );
    if let Some(file) = file {
        let _ = write!(text, " · plan {}", code(file));
    }
    text
}

pub(super) fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn components(out: &mut String, plan: &Plan, report: &Report) {
    if plan.components.is_empty() {
        let _ = writeln!(out, "None yet.\n");
        return;
    }
    for (c, component) in plan.components.iter().enumerate() {
        let last = report.finals.get(c).unwrap_or(&component.current);
        let _ = writeln!(out, "- {}", component_line(component, last));
        let added = last.iter().filter(|f| !component.current.contains(f));
        let removed = component.current.iter().filter(|f| !last.contains(f));
        for fact in added {
            let _ = writeln!(out, "  - \\+ {}", code(&fact.to_string()));
        }
        for fact in removed {
            let _ = writeln!(out, "  - − {}", code(&fact.to_string()));
        }
        if let Some(target) = &component.target {
            for fact in target.iter().filter(|f| !last.contains(f)) {
                let _ = writeln!(out, "  - still missing: {}", code(&fact.to_string()));
            }
            for fact in last.iter().filter(|f| !target.contains(f)) {
                let _ = writeln!(out, "  - not in the target: {}", code(&fact.to_string()));
            }
        }
    }
    out.push('\n');
}

/// `**`web`** (Shelter web app, Ui, repo `frontend`): 1 fact → 3 facts; the plan adds 2 — ✓ target reached`.
fn component_line(component: &Component, last: &[Fact]) -> String {
    let mut about = vec![inline(&component.name), component.kind.name().to_string()];
    if let Some(repo) = component.repo.as_deref().filter(|r| !r.trim().is_empty()) {
        about.push(format!("repo {}", code(repo)));
    }
    about.retain(|part| !part.is_empty());
    let current = count(component.current.len(), "fact");
    let added = last
        .iter()
        .filter(|f| !component.current.contains(f))
        .count();
    let removed = component
        .current
        .iter()
        .filter(|f| !last.contains(f))
        .count();
    let changes = match (added, removed) {
        (0, 0) => "the plan changes nothing".to_string(),
        (a, 0) => format!("the plan adds {a}"),
        (0, r) => format!("the plan removes {r}"),
        (a, r) => format!("the plan adds {a} and removes {r}"),
    };
    let head = format!("**{}** ({})", code(&component.id), about.join(", "));
    match &component.target {
        Some(target) => {
            let reached =
                target.iter().all(|f| last.contains(f)) && last.iter().all(|f| target.contains(f));
            let verdict = if reached {
                format!("{OK} target reached")
            } else {
                format!("{ERROR} target not reached")
            };
            format!(
                "{head}: {current} → {}; {changes} — {verdict}",
                count(target.len(), "fact")
            )
        }
        None => format!("{head}: {current}, no target; {changes}"),
    }
}

fn steps(out: &mut String, plan: &Plan, report: &Report) {
    if plan.steps.is_empty() {
        let _ = writeln!(out, "None yet.\n");
        return;
    }
    let _ = writeln!(
        out,
        "*Checked when shipped. Each step: its status, then {REVERT} how long it can be reverted \
         safely, or {IRREVERSIBLE} if it drops data for good.*\n"
    );
    for (i, step) in plan.steps.iter().enumerate() {
        let checked = if step.shipped() { "x" } else { " " };
        let _ = writeln!(out, "- [{checked}] {}", step_line(plan, report, i));
        for item in change_items(step) {
            let _ = writeln!(out, "  - {item}");
        }
        if let Some(notes) = step_notes(step) {
            let _ = writeln!(out, "  - *Notes:* {notes}");
        }
    }
    out.push('\n');
}

/// `**1. ui-hidden** (web) Reminder button… — ✓ ok · ↶ safe · commit `x` · [PR](…)`.
pub(super) fn step_line(plan: &Plan, report: &Report, i: usize) -> String {
    let step = &plan.steps[i];
    let what = match step {
        Step::Release { component, .. } => format!("({})", inline(component)),
        Step::Flip { .. } => "(flip)".to_string(),
    };
    let mut line = format!(
        "**{}. {}** {what} {} — {} · {}",
        i + 1,
        inline(step.id()),
        inline(step.title()),
        status_badge(step_status(report, i)),
        rollback_words(plan, i, step_rollback(report, i)),
    );
    if let Some(commit) = step.commit() {
        let _ = write!(line, " · commit {}", code(commit));
    }
    if let Step::Release { pr: Some(pr), .. } = step
        && !pr.trim().is_empty()
    {
        let _ = write!(line, " · {}", pr_link(pr));
    }
    line
}

fn step_notes(step: &Step) -> Option<String> {
    let notes = match step {
        Step::Release { notes, .. } | Step::Flip { notes, .. } => notes.as_deref()?,
    };
    let text = inline(notes);
    (!text.is_empty()).then_some(text)
}

/// The step's changes as list items: `\+ fact`, `− fact`, `~ ungate t`, `⇐ backfill k ← g`,
/// and for a flip `⚑ turn t On`.
pub(super) fn change_items(step: &Step) -> Vec<String> {
    match step {
        Step::Flip { toggle, to, .. } => vec![flip_line(&code(toggle), *to).to_string()],
        Step::Release { changes, .. } if changes.is_empty() => vec!["*(no changes)*".to_string()],
        Step::Release { changes, .. } => changes
            .iter()
            .map(|change| match change {
                // Escaped: a `+` at the start of an item would begin a nested list.
                Change::Add(fact) => format!("\\{ADD} {}", code(&fact.to_string())),
                Change::Remove(fact) => format!("{REMOVE} {}", code(&fact.to_string())),
                Change::Ungate(toggle) => format!("{UNGATE} {}", code(toggle)),
                Change::Backfill { into, from } => {
                    format!("{BACKFILL} {} {BACKFILL_FROM} {}", code(into), code(from))
                }
            })
            .collect(),
    }
}

/// `✗ **error** `broken-consumer` at step 1 `ui` (web, `GET /things`): message`, with the
/// hint (or the reason it is accepted) nested under it.
pub(super) fn finding_item(out: &mut String, plan: &Plan, finding: &Finding, indent: &str) {
    let mut about = Vec::new();
    if let Some(component) = finding.component.as_deref() {
        about.push(inline(component));
    }
    if let Some(key) = finding.key.as_deref() {
        about.push(code(key));
    }
    let at = match finding.step {
        Some(i) => format!(" at {}", step_label(plan, i)),
        None => String::new(),
    };
    let about = if about.is_empty() {
        String::new()
    } else {
        format!(" ({})", about.join(", "))
    };
    let _ = writeln!(
        out,
        "{indent}- {} {}{at}{about}: {}",
        severity_words(finding.severity),
        code(finding.rule.id()),
        inline(&finding.message),
    );
    match (&finding.reason, finding.severity) {
        (Some(reason), _) => {
            let _ = writeln!(out, "{indent}  - *Reason:* {}", inline(reason));
        }
        (None, _) if !finding.hint.trim().is_empty() => {
            let _ = writeln!(out, "{indent}  - *Hint:* {}", inline(&finding.hint));
        }
        _ => {}
    }
}

/// `step 4 `enable``.
pub(super) fn step_label(plan: &Plan, i: usize) -> String {
    match plan.steps.get(i) {
        Some(step) => format!("{} {}", StepLabel::number(i), code(step.id())),
        None => StepLabel::number(i).to_string(),
    }
}

/// `✗ **error**`: the severity's symbol and its word in bold.
pub(super) fn severity_words(severity: Severity) -> String {
    format!(
        "{} **{}**",
        severity_symbol(severity),
        severity_word(severity)
    )
}

/// `↶ safe`, `↶ until step 4 `enable``, `↶ loses data`, `⊘ irreversible`.
pub(super) fn rollback_words(plan: &Plan, i: usize, rollback: Rollback) -> String {
    match rollback {
        Rollback::Until(j) if j == i => format!(
            "{} until this step: reverting it at once breaks a consumer",
            rollback_symbol(rollback)
        ),
        _ => rollback_badge(rollback, |j| step_label(plan, j)),
    }
}
