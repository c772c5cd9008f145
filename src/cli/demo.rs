//! `storyplan demo`: for now, the check of the bundled reminders story; the interactive
//! board will open on it once it exists.

use std::io::{self, Write};

use crate::check::{Rollback, Status, check};
use crate::plan::{Plan, Step};
use crate::text::clean_line;

use super::check::{EXIT_CLEAN, EXIT_UNREADABLE};
use super::examples;
use super::human::summary_text;

/// Prints the reminders example's steps and check summary. Returns the exit code.
pub fn run(out: &mut dyn Write) -> io::Result<u8> {
    let [(name, text), ..] = examples::bundled();
    let plan: Plan = match ron::from_str(text) {
        Ok(plan) => plan,
        Err(error) => {
            writeln!(out, "error: bundled example {name}: {error}")?;
            return Ok(EXIT_UNREADABLE);
        }
    };
    let report = check(&plan);
    writeln!(
        out,
        "{} (bundled example \"{name}\")",
        clean_line(&plan.story)
    )?;
    writeln!(out)?;
    for (i, step) in plan.steps.iter().enumerate() {
        let (badge, rollback) = match report.steps.get(i) {
            Some(step_report) => (
                badge(step_report.status),
                rollback_text(&plan, step_report.rollback),
            ),
            None => ("?        ", "-".to_string()),
        };
        writeln!(
            out,
            "  {:>2}. {badge} {:<12} {:<14} rollback: {rollback}",
            i + 1,
            clean_line(step.id()),
            clean_line(&lane(step)),
        )?;
    }
    writeln!(out)?;
    writeln!(out, "{name}: {}", summary_text(&report.summary()))?;
    writeln!(out)?;
    writeln!(
        out,
        "The interactive board comes next; until then, `storyplan check FILE` checks plans."
    )?;
    out.flush()?;
    Ok(EXIT_CLEAN)
}

/// `safe`, `until "enable"`, `loses-data` or `irreversible`.
fn rollback_text(plan: &Plan, rollback: Rollback) -> String {
    match rollback {
        Rollback::Until(step) => match plan.steps.get(step) {
            Some(step) => format!("until \"{}\"", clean_line(step.id())),
            None => rollback.name().to_string(),
        },
        Rollback::Safe | Rollback::LosesData | Rollback::Irreversible => {
            rollback.name().to_string()
        }
    }
}

/// The component a release deploys, or the toggle a flip switches.
fn lane(step: &Step) -> String {
    match step {
        Step::Release { component, .. } => component.clone(),
        Step::Flip { toggle, to, .. } => format!("{toggle} {}", to.name()),
    }
}

fn badge(status: Status) -> &'static str {
    match status {
        Status::Ok => "✓ ok     ",
        Status::Warning => "▲ warning",
        Status::Error => "✗ error  ",
    }
}
