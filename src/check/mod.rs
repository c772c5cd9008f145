//! The checker: simulates a plan step by step and reports where the order breaks a
//! consumer or loses data. Pure: no IO, no terminal.

mod report;

pub use report::{Finding, Report, Rollback, Rule, Severity, Status, StepReport, Summary};

use crate::plan::Plan;

/// Checks a plan: every finding, and each step's status and rollback window.
pub fn check(plan: &Plan) -> Report {
    let _ = plan;
    Report::default()
}
