//! The words and symbols that the checker's findings and every output share: a step's
//! label, a change in one line, what a fact does to its key, and the status, severity and
//! rollback window of a step. Pure: values in, text out; callers clean and escape what
//! came from the plan for their medium.

use std::fmt;

use super::report::{Rollback, Severity, Status};
use crate::plan::{Access, Change, Plan, Switch};

/// `step 3 "expand"`: a step's place, 1-based as the board numbers steps, and its id as
/// given; `step 3` alone where the id is not known or not wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepLabel<'a> {
    index: usize,
    id: Option<&'a str>,
}

impl<'a> StepLabel<'a> {
    /// The label of the step at `index` (0-based) whose id is `id`.
    pub fn new(index: usize, id: &'a str) -> StepLabel<'a> {
        StepLabel {
            index,
            id: Some(id),
        }
    }

    /// `step 3`: the place of the step at `index` (0-based), without its id.
    pub fn number(index: usize) -> StepLabel<'static> {
        StepLabel { index, id: None }
    }
}

impl fmt::Display for StepLabel<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Piece by piece: a nested `write!` costs more than the rest of a finding's message.
        f.write_str("step ")?;
        fmt::Display::fmt(&(self.index + 1), f)?;
        if let Some(id) = self.id {
            f.write_str(" \"")?;
            f.write_str(id)?;
            f.write_str("\"")?;
        }
        Ok(())
    }
}

/// The label of `plan`'s step at `index` (0-based); its place alone past the plan's end.
pub fn step_label(plan: &Plan, index: usize) -> StepLabel<'_> {
    match plan.steps.get(index) {
        Some(step) => StepLabel::new(index, step.id()),
        None => StepLabel::number(index),
    }
}

/// What a fact does to its key, as a finding says it: `provides`, `calls`, `reads`, `writes`.
pub fn verb(access: Access) -> &'static str {
    match access {
        Access::Provide => "provides",
        Access::Call => "calls",
        Access::Read => "reads",
        Access::Write => "writes",
    }
}

/// The mark of an `Add` in a change line.
pub const ADD: &str = "+";
/// The mark of a `Remove` in a change line (a minus sign, not a hyphen).
pub const REMOVE: &str = "−";
/// The words of an `Ungate` in a change line.
pub const UNGATE: &str = "~ ungate";
/// The words of a `Backfill` in a change line; `BACKFILL_FROM` points at its source.
pub const BACKFILL: &str = "⇐ backfill";
pub const BACKFILL_FROM: &str = "←";
/// The mark of a release in its component's lane.
pub const RELEASE: &str = "●";
/// The mark of a flip of a toggle.
pub const FLIP: &str = "⚑";

/// `+ fact`, `− fact`, `~ ungate t`, `⇐ backfill into ← from`: a change in one line, as
/// the lists of a step's changes show it.
#[derive(Debug, Clone, Copy)]
pub struct ChangeLine<'a>(pub &'a Change);

/// A change in one line; see [`ChangeLine`].
pub fn change_line(change: &Change) -> ChangeLine<'_> {
    ChangeLine(change)
}

impl fmt::Display for ChangeLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Change::Add(fact) => write!(f, "{ADD} {fact}"),
            Change::Remove(fact) => write!(f, "{REMOVE} {fact}"),
            Change::Ungate(toggle) => write!(f, "{UNGATE} {toggle}"),
            Change::Backfill { into, from } => {
                write!(f, "{BACKFILL} {into} {BACKFILL_FROM} {from}")
            }
        }
    }
}

/// `⚑ turn t On`: a flip in one line, as the lists of a step's changes show it.
#[derive(Debug, Clone, Copy)]
pub struct FlipLine<'a> {
    pub toggle: &'a str,
    pub to: Switch,
}

/// A flip in one line; see [`FlipLine`].
pub fn flip_line(toggle: &str, to: Switch) -> FlipLine<'_> {
    FlipLine { toggle, to }
}

impl fmt::Display for FlipLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{FLIP} turn {} {}", self.toggle, self.to.name())
    }
}

/// `Add(fact)`, `Remove(fact)`, `Ungate("t")`, `Backfill(into: "a", from: "b")`: a change
/// as the plan file writes it, strings escaped for RON. The text is `Change`'s own
/// `Display`, which the store writes too; this names it among the words.
#[derive(Debug, Clone, Copy)]
pub struct ChangeRon<'a>(pub &'a Change);

/// A change as the plan file writes it; see [`ChangeRon`].
pub fn change_ron(change: &Change) -> ChangeRon<'_> {
    ChangeRon(change)
}

impl fmt::Display for ChangeRon<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.0, f)
    }
}

/// The symbol of an error: a step's status or a finding's severity.
pub const ERROR: &str = "✗";
/// The symbol of a warning.
pub const WARNING: &str = "▲";
/// The symbol of a step that is fine.
pub const OK: &str = "✓";
/// The symbol of an informational finding (a rollback window).
pub const INFO: &str = "○";
/// The symbol of an accepted finding: it no longer counts against its step, so the step's mark.
pub const ACCEPTED: &str = OK;
/// The symbol of a rollback window that a revert can still meet.
pub const REVERT: &str = "↶";
/// The symbol of a step no revert undoes: it drops data for good.
pub const IRREVERSIBLE: &str = "⊘";

pub fn status_symbol(status: Status) -> &'static str {
    match status {
        Status::Ok => OK,
        Status::Warning => WARNING,
        Status::Error => ERROR,
    }
}

/// `ok`, `warning`, `error`: the same word as the status's id in JSON.
pub fn status_word(status: Status) -> &'static str {
    status.name()
}

/// `✓ ok`, `▲ warning`, `✗ error`: symbol and word, so that status never rests on colour.
pub fn status_badge(status: Status) -> &'static str {
    match status {
        Status::Ok => "✓ ok",
        Status::Warning => "▲ warning",
        Status::Error => "✗ error",
    }
}

pub fn severity_symbol(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => ERROR,
        Severity::Warning => WARNING,
        Severity::Info => INFO,
        Severity::Accepted => ACCEPTED,
    }
}

/// `error`, `warning`, `info`, `accepted`: the same word as the severity's id in JSON.
pub fn severity_word(severity: Severity) -> &'static str {
    severity.name()
}

/// `✗ error`, `▲ warning`, `○ info`, `✓ accepted`.
pub fn severity_badge(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "✗ error",
        Severity::Warning => "▲ warning",
        Severity::Info => "○ info",
        Severity::Accepted => "✓ accepted",
    }
}

/// `⊘` for an irreversible step, `↶` for every other window.
pub fn rollback_symbol(rollback: Rollback) -> &'static str {
    match rollback {
        Rollback::Irreversible => IRREVERSIBLE,
        Rollback::Safe | Rollback::Until(_) | Rollback::LosesData => REVERT,
    }
}

/// `safe`, `until`, `loses data`, `irreversible`: words for people (JSON has the ids of
/// `Rollback::name`).
pub fn rollback_word(rollback: Rollback) -> &'static str {
    match rollback {
        Rollback::Safe => "safe",
        Rollback::Until(_) => "until",
        Rollback::LosesData => "loses data",
        Rollback::Irreversible => "irreversible",
    }
}

/// `↶ safe`, `↶ until <step>`, `↶ loses data`, `⊘ irreversible`; `until` names the step
/// (by its index) after which reverting harms, the way the caller names steps.
pub fn rollback_badge(rollback: Rollback, until: impl FnOnce(usize) -> String) -> String {
    let symbol = rollback_symbol(rollback);
    match rollback {
        Rollback::Until(step) => format!("{symbol} until {}", until(step)),
        _ => format!("{symbol} {}", rollback_word(rollback)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Fact;

    #[test]
    fn a_step_label_has_its_place_from_one_and_its_id() {
        assert_eq!(StepLabel::new(2, "expand").to_string(), "step 3 \"expand\"");
        assert_eq!(StepLabel::number(0).to_string(), "step 1");
    }

    #[test]
    fn a_step_label_past_the_plan_is_its_place_alone() {
        let mut plan = Plan::new("story");
        plan.steps.push(crate::plan::Step::Flip {
            id: "on".into(),
            toggle: "t".into(),
            to: Switch::On,
            title: String::new(),
            shipped: false,
            notes: None,
        });
        assert_eq!(step_label(&plan, 0).to_string(), "step 1 \"on\"");
        assert_eq!(step_label(&plan, 4).to_string(), "step 5");
    }

    #[test]
    fn changes_read_as_lines_and_as_the_file_writes_them() {
        let backfill = Change::Backfill {
            into: "new".into(),
            from: "old".into(),
        };
        assert_eq!(change_line(&backfill).to_string(), "⇐ backfill new ← old");
        assert_eq!(
            change_ron(&backfill).to_string(),
            "Backfill(into: \"new\", from: \"old\")"
        );
        let remove = Change::Remove(Fact::read("t"));
        assert_eq!(change_line(&remove).to_string(), "− Read(\"t\")");
        assert_eq!(change_ron(&remove).to_string(), "Remove(Read(\"t\"))");
        assert_eq!(flip_line("t", Switch::On).to_string(), "⚑ turn t On");
        let ungate = Change::Ungate("a\"b".into());
        assert_eq!(change_line(&ungate).to_string(), "~ ungate a\"b");
        assert_eq!(change_ron(&ungate).to_string(), "Ungate(\"a\\\"b\")");
    }

    #[test]
    fn every_badge_is_its_symbol_then_its_word() {
        for status in [Status::Ok, Status::Warning, Status::Error] {
            let joined = format!("{} {}", status_symbol(status), status_word(status));
            assert_eq!(status_badge(status), joined);
        }
        for severity in [
            Severity::Error,
            Severity::Warning,
            Severity::Info,
            Severity::Accepted,
        ] {
            let joined = format!("{} {}", severity_symbol(severity), severity_word(severity));
            assert_eq!(severity_badge(severity), joined);
        }
    }

    #[test]
    fn rollback_badges_name_the_step_as_the_caller_does() {
        let id = |j: usize| format!("#{j}");
        assert_eq!(rollback_badge(Rollback::Safe, id), "↶ safe");
        assert_eq!(rollback_badge(Rollback::Until(4), id), "↶ until #4");
        assert_eq!(rollback_badge(Rollback::LosesData, id), "↶ loses data");
        assert_eq!(rollback_badge(Rollback::Irreversible, id), "⊘ irreversible");
    }
}
