//! A step's status and rollback window as the report gives them: shared by the Markdown,
//! the diagram and the JSON, so every format says the same of a step.

use crate::check::{Report, Rollback, Severity, Status};

/// The step's status; for a report without that step, the worst severity found at it.
pub(super) fn step_status(report: &Report, i: usize) -> Status {
    match report.steps.get(i) {
        Some(step) => step.status,
        None => {
            let worst = report.findings_at(i).map(|f| f.severity).min();
            match worst {
                Some(Severity::Error) => Status::Error,
                Some(Severity::Warning) => Status::Warning,
                _ => Status::Ok,
            }
        }
    }
}

/// The step's rollback window; safe for a report without that step.
pub(super) fn step_rollback(report: &Report, i: usize) -> Rollback {
    report.steps.get(i).map_or(Rollback::Safe, |s| s.rollback)
}
