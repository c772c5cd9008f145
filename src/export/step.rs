//! The part of the plan a pull request for one step needs: what it ships, which steps must
//! be live before it and which it enables, how long it can be reverted, its findings, and
//! the whole plan folded away below.

use std::fmt::Write as _;

use crate::check::words::{OK, status_badge};
use crate::check::{Finding, Report, Rollback, Rule};
use crate::plan::{Plan, Step};

use super::depends::{Dependency, dependencies, enables, live_before};
use super::escape::{code, inline, pr_link};
use super::markdown::{change_items, finding_item, plan_body, rollback_words, step_label};
use super::status::{step_rollback, step_status};

pub(super) fn step_body(
    out: &mut String,
    plan: &Plan,
    report: &Report,
    i: usize,
    file: Option<&str>,
) {
    let step = &plan.steps[i];
    let title = match inline(step.title()) {
        t if t.is_empty() => inline(step.id()),
        t => t,
    };
    let _ = writeln!(out, "## Step {} of {}: {title}\n", i + 1, plan.steps.len());
    let _ = writeln!(out, "{}\n", what(plan, i));
    let _ = writeln!(out, "{}\n", status(plan, report, i));
    let _ = writeln!(out, "### Changes\n");
    for item in change_items(step) {
        let _ = writeln!(out, "- {item}");
    }
    if let Some(notes) = notes(step) {
        let _ = writeln!(out, "\n*Notes:* {notes}");
    }
    out.push('\n');

    let all = dependencies(plan);
    let _ = writeln!(out, "### Must be live before it\n");
    let before: Vec<&Dependency> = live_before(&all, i).collect();
    let later = needed_later(report, i);
    if before.is_empty() && later.is_empty() {
        let _ = writeln!(
            out,
            "Nothing: no earlier step provides what it relies on or sets up what it changes.\n"
        );
    } else if before.is_empty() {
        let _ = writeln!(out, "No earlier step.\n");
    } else {
        for dependency in before {
            dependency_item(
                out,
                plan,
                dependency.earlier,
                |w| w.before(),
                &dependency.why,
            );
        }
        out.push('\n');
    }
    if !later.is_empty() {
        let _ = writeln!(
            out,
            "**The order is broken**: it relies on what these later steps provide, so they must ship first (move them before it, or this step after them):\n"
        );
        for (u, found) in later {
            step_item(out, plan, u);
            for finding in found {
                let _ = writeln!(out, "  - {}", inline(&finding.message));
            }
        }
        out.push('\n');
    }
    let _ = writeln!(out, "### What it enables\n");
    let after: Vec<&Dependency> = enables(&all, i).collect();
    if after.is_empty() {
        let _ = writeln!(out, "No later step needs it.\n");
    } else {
        for dependency in after {
            dependency_item(out, plan, dependency.later, |w| w.after(), &dependency.why);
        }
        out.push('\n');
    }

    let _ = writeln!(out, "### Rollback\n");
    let rollback = step_rollback(report, i);
    let _ = writeln!(
        out,
        "**{}**: {}\n",
        rollback_words(plan, i, rollback),
        rollback_meaning(plan, i, rollback)
    );
    for finding in report.findings_at(i).filter(|f| f.rule == Rule::Rollback) {
        let _ = writeln!(out, "{}\n", inline(&finding.message));
        if !finding.hint.trim().is_empty() {
            let _ = writeln!(out, "*Hint:* {}\n", inline(&finding.hint));
        }
    }

    let _ = writeln!(out, "### Findings\n");
    let own: Vec<_> = report
        .findings_at(i)
        .filter(|f| f.rule != Rule::Rollback)
        .collect();
    let ended: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.until == Some(i) && f.step != Some(i) && f.rule != Rule::Rollback)
        .collect();
    if own.is_empty() {
        let _ = writeln!(out, "None at this step.\n");
    } else {
        for finding in own {
            finding_item(out, plan, finding, "");
        }
        out.push('\n');
    }
    if !ended.is_empty() {
        let _ = writeln!(out, "It ends these breaks, which start earlier:\n");
        for finding in ended {
            finding_item(out, plan, finding, "");
        }
        out.push('\n');
    }

    let _ = writeln!(out, "<details><summary>The whole plan</summary>\n");
    plan_body(out, plan, report, file, 3);
    let _ = writeln!(out, "</details>\n");
}

/// The later steps a step needs live first, as the checker found them: the breaks the
/// step starts that a later step ends, by that step, in plan order.
fn needed_later(report: &Report, i: usize) -> Vec<(usize, Vec<&Finding>)> {
    let mut breaks: Vec<(usize, &Finding)> = report
        .findings_at(i)
        .filter(|f| f.rule == Rule::BrokenConsumer)
        .filter_map(|f| Some((f.until.filter(|&u| u > i)?, f)))
        .collect();
    breaks.sort_by_key(|(u, _)| *u);
    let mut later: Vec<(usize, Vec<&Finding>)> = Vec::new();
    for (u, finding) in breaks {
        match later.last_mut() {
            Some((last, found)) if *last == u => found.push(finding),
            _ => later.push((u, vec![finding])),
        }
    }
    later
}

/// `Release of `api` (Shelter API, Service, repo `backend`), step `endpoints` of **story**`.
fn what(plan: &Plan, i: usize) -> String {
    let step = &plan.steps[i];
    let what = match step {
        Step::Release { component, .. } => {
            match plan.components.iter().find(|c| c.id == *component) {
                Some(c) => {
                    let mut about = vec![inline(&c.name), c.kind.name().to_string()];
                    if let Some(repo) = c.repo.as_deref().filter(|r| !r.trim().is_empty()) {
                        about.push(format!("repo {}", code(repo)));
                    }
                    about.retain(|a| !a.is_empty());
                    format!("Release of {} ({})", code(component), about.join(", "))
                }
                None => format!("Release of {}, which is not a component", code(component)),
            }
        }
        Step::Flip { toggle, to, .. } => {
            format!("Flip of the toggle {} to {}", code(toggle), to.name())
        }
    };
    let story = match inline(&plan.story) {
        story if story.is_empty() => "Untitled story".to_string(),
        story => story,
    };
    format!("{what}, step {} of **{story}**", code(step.id()))
}

/// `**✓ ok** · ↶ safe · commit `x` · [PR](…) · shipped`.
fn status(plan: &Plan, report: &Report, i: usize) -> String {
    let step = &plan.steps[i];
    let mut text = format!(
        "**{}** · {}",
        status_badge(step_status(report, i)),
        rollback_words(plan, i, step_rollback(report, i)),
    );
    if let Some(commit) = step.commit() {
        let _ = write!(text, " · commit {}", code(commit));
    }
    if let Step::Release { pr: Some(pr), .. } = step
        && !pr.trim().is_empty()
    {
        let _ = write!(text, " · {}", pr_link(pr));
    }
    if step.shipped() {
        let _ = write!(text, " · {OK} shipped");
    } else {
        text.push_str(" · not shipped yet");
    }
    text
}

fn notes(step: &Step) -> Option<String> {
    let notes = match step {
        Step::Release { notes, .. } | Step::Flip { notes, .. } => notes.as_deref()?,
    };
    let text = inline(notes);
    (!text.is_empty()).then_some(text)
}

/// `- [x] **1. ui-hidden** (web) Title`, checked when that step is shipped, and its
/// reasons nested below.
fn dependency_item(
    out: &mut String,
    plan: &Plan,
    other: usize,
    say: impl Fn(&super::depends::Why) -> String,
    why: &[super::depends::Why],
) {
    step_item(out, plan, other);
    for reason in why {
        let _ = writeln!(out, "  - {}", say(reason));
    }
}

/// `- [ ] **4. table** (db) Create the reminders table`: another step, as a task.
fn step_item(out: &mut String, plan: &Plan, other: usize) {
    let step = &plan.steps[other];
    let checked = if step.shipped() { "x" } else { " " };
    let what = match step {
        Step::Release { component, .. } => format!("({})", inline(component)),
        Step::Flip { .. } => "(flip)".to_string(),
    };
    let _ = writeln!(
        out,
        "- [{checked}] **{}. {}** {what} {}",
        other + 1,
        inline(step.id()),
        inline(step.title())
    );
}

fn rollback_meaning(plan: &Plan, i: usize, rollback: Rollback) -> String {
    match rollback {
        Rollback::Safe => "it can be reverted at every later point of the plan.".to_string(),
        Rollback::Until(j) if j == i => {
            "reverting it breaks a consumer even right after it ships: it fixes an earlier break."
                .to_string()
        }
        Rollback::Until(j) => format!(
            "reverting it is safe until {} ships; after that, revert that step first.",
            step_label(plan, j)
        ),
        Rollback::LosesData => "reverting it loses data, even right after it ships.".to_string(),
        Rollback::Irreversible => "it drops data for good: no revert brings it back.".to_string(),
    }
}
