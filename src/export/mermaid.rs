//! The plan's lanes as a mermaid sequence diagram, which GitHub renders: one participant
//! (a lane) per component, each step a note in its component's lane in plan order, flips a
//! note across every lane, releases of one commit side by side in a `par` block, and steps
//! with an error on a red band that names the lanes they leave broken.

use std::fmt::Write as _;

use crate::check::words::{ERROR, FLIP, status_symbol, status_word};
use crate::check::{Report, Status};
use crate::plan::{Plan, Step};

use super::escape::mermaid;
use super::status::step_status;

/// Writes the fenced ```` ```mermaid ```` block, or a sentence when there is no lane.
pub(super) fn diagram(out: &mut String, plan: &Plan, report: &Report) {
    let mut lanes: Vec<(String, String)> = plan
        .components
        .iter()
        .map(|c| {
            let name = c.name.trim();
            let label = if name.is_empty() || name == c.id {
                mermaid(&c.id)
            } else {
                format!("{} · {}", mermaid(&c.id), mermaid(name))
            };
            (c.id.clone(), label)
        })
        .collect();
    // A release of a component the plan does not declare still gets a lane to sit in.
    for step in &plan.steps {
        if let Some(id) = step.component()
            && !lanes.iter().any(|(lane, _)| lane == id)
        {
            lanes.push((id.to_string(), format!("{} (not a component)", mermaid(id))));
        }
    }
    if lanes.is_empty() {
        let _ = writeln!(out, "No components yet: no lanes to draw.\n");
        return;
    }
    let lane = |id: &str| lanes.iter().position(|(lane, _)| lane == id);
    let everywhere = if lanes.len() == 1 {
        "c0".to_string()
    } else {
        format!("c0,c{}", lanes.len() - 1)
    };

    let _ = writeln!(out, "```mermaid\nsequenceDiagram");
    for (n, (_, label)) in lanes.iter().enumerate() {
        let _ = writeln!(out, "    participant c{n} as {label}");
    }
    let mut i = 0;
    while i < plan.steps.len() {
        let group = commit_group(plan, i);
        let grouped = group > 1;
        if grouped {
            let label = plan.steps[i].commit().unwrap_or_default();
            let _ = writeln!(out, "    par commit {}", mermaid(label));
        }
        for k in i..i + group {
            if grouped && k > i {
                let _ = writeln!(out, "    and");
            }
            let over = match plan.steps[k].component().and_then(lane) {
                Some(n) => format!("c{n}"),
                None => everywhere.clone(),
            };
            note(
                out,
                plan,
                report,
                k,
                &over,
                if grouped { "    " } else { "" },
            );
        }
        if grouped {
            let _ = writeln!(out, "    end");
        }
        i += group;
    }
    let _ = writeln!(out, "```\n");
}

/// How many steps from `i` on ship in one commit (1 when `i` has no commit label).
fn commit_group(plan: &Plan, i: usize) -> usize {
    let Some(label) = plan.steps[i].commit() else {
        return 1;
    };
    plan.steps[i..]
        .iter()
        .take_while(|s| s.commit() == Some(label))
        .count()
}

fn note(out: &mut String, plan: &Plan, report: &Report, i: usize, over: &str, indent: &str) {
    let step = &plan.steps[i];
    let status = step_status(report, i);
    let mut text = match step {
        Step::Release { .. } => format!(
            "{} {}. {}",
            status_symbol(status),
            i + 1,
            mermaid(step.id())
        ),
        Step::Flip { toggle, to, .. } => format!(
            "{FLIP} {}. {}: {} {}",
            i + 1,
            mermaid(step.id()),
            mermaid(toggle),
            to.name()
        ),
    };
    if status != Status::Ok {
        let _ = write!(text, " · {}", status_word(status));
    }
    if step.shipped() {
        text.push_str(" · shipped");
    }
    let title = mermaid(step.title());
    if !title.is_empty() {
        let _ = write!(text, "<br/>{title}");
    }
    let mut broken: Vec<&str> = report.broken_at(i).collect();
    broken.sort_unstable();
    broken.dedup();
    if !broken.is_empty() {
        let names: Vec<String> = broken.iter().map(|c| mermaid(c)).collect();
        let _ = write!(text, "<br/>{ERROR} broken: {}", names.join(", "));
    }
    if status == Status::Error {
        let _ = writeln!(out, "    {indent}rect rgba(255, 80, 80, 0.25)");
        let _ = writeln!(out, "    {indent}    Note over {over}: {text}");
        let _ = writeln!(out, "    {indent}end");
    } else {
        let _ = writeln!(out, "    {indent}Note over {over}: {text}");
    }
}
