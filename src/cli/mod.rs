//! The command line's work, kept in the library so the binary stays thin and tests can
//! call it: one module per command, and the three output formats of `storyplan check`.

pub mod check;
pub mod export;
pub mod github;
pub mod human;
pub mod json;

use std::ffi::OsStr;
use std::io::IsTerminal;

use crate::check::Finding;
use crate::store::{Loaded, Pos};

/// Colours only for a person at a terminal, and never when `NO_COLOR` is set to something.
pub fn color_wanted(stdout_is_terminal: bool, no_color: Option<&OsStr>) -> bool {
    stdout_is_terminal && no_color.is_none_or(|value| value.is_empty())
}

/// [`color_wanted`] for this process's stdout and environment.
pub fn stdout_color() -> bool {
    color_wanted(
        std::io::stdout().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    )
}

/// Where in the file a finding points: its step; for a plan-wide finding, the component it
/// names, else the plan itself.
pub fn position(loaded: &Loaded, finding: &Finding) -> Pos {
    if let Some(step) = finding.step.filter(|&i| i < loaded.plan.steps.len()) {
        return loaded.spans.step(step);
    }
    let component = finding
        .component
        .as_deref()
        .and_then(|id| loaded.plan.components.iter().position(|c| c.id == id));
    match component {
        Some(index) => loaded.spans.component(index),
        None => loaded.spans.plan(),
    }
}

/// A loaded plan and a hand-made report, so the formats are tested without the checker.
#[cfg(test)]
pub(crate) mod fixture {
    use crate::check::{Finding, Report, Rollback, Rule, Severity, Status, StepReport};
    use crate::store::{self, Loaded};

    pub const PLAN: &str = r#"Plan(
    version: 1,
    story: "Show the ESC[31mthings",
    components: [
        Component(id: "web", name: "Web app", kind: Ui, current: []),
        Component(id: "api", name: "API", kind: Service, current: [], target: [Provide("GET /things")]),
    ],
    steps: [
        Release(id: "ui", component: "web", title: "Things page", changes: [Add(Call("GET /things"))]),
        Release(id: "endpoint", component: "api", title: "Things endpoint", changes: [Add(Provide("GET /things"))]),
        Flip(id: "on", toggle: "things", to: On, title: "Turn it on"),
    ],
)
"#;

    pub fn loaded() -> Loaded {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("things.ron");
        std::fs::write(&path, PLAN.replace("ESC", "\u{1b}")).expect("write the plan");
        store::load(&path).expect("the fixture loads")
    }

    fn finding(rule: Rule, step: Option<usize>, component: Option<&str>) -> Finding {
        Finding {
            severity: rule.severity(),
            rule,
            step,
            until: None,
            component: component.map(str::to_string),
            key: None,
            message: String::new(),
            hint: String::new(),
            reason: None,
        }
    }

    pub fn report() -> Report {
        let broken = Finding {
            until: Some(1),
            key: Some("GET /things".to_string()),
            message: "web calls \"GET /things\", which nothing provides until step 2 \"endpoint\"."
                .to_string(),
            hint: "Move step 1 \"ui\" after step 2 \"endpoint\", or gate the call behind a toggle."
                .to_string(),
            ..finding(Rule::BrokenConsumer, Some(0), Some("web"))
        };
        let accepted = Finding {
            severity: Severity::Accepted,
            key: Some("things".to_string()),
            message: "The flip of things comes \u{1b}]0;x\u{7}first.".to_string(),
            hint: "Move it.".to_string(),
            reason: Some("we know,\nit is fine".to_string()),
            ..finding(Rule::NoopChange, Some(2), None)
        };
        let target = Finding {
            message: "api does not reach its target: missing Provide(\"GET /things\").".to_string(),
            hint: "Add a release of api.".to_string(),
            ..finding(Rule::TargetNotReached, None, Some("api"))
        };
        let plan_wide = Finding {
            message: "Something about the 100% whole plan.".to_string(),
            ..finding(Rule::ShippedOrder, None, None)
        };
        let rollback = Finding {
            message: "Reverting step 2 \"endpoint\" breaks web from step 3 on.".to_string(),
            hint: "Revert step 1 \"ui\" first.".to_string(),
            ..finding(Rule::Rollback, Some(1), Some("api"))
        };
        let step = |status, rollback| StepReport {
            status,
            rollback,
            facts_after: Vec::new(),
        };
        Report {
            findings: vec![target, plan_wide, broken, rollback, accepted],
            steps: vec![
                step(Status::Error, Rollback::Safe),
                step(Status::Ok, Rollback::Until(2)),
                step(Status::Ok, Rollback::Safe),
            ],
            finals: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_needs_a_terminal_and_no_no_color() {
        assert!(color_wanted(true, None));
        assert!(color_wanted(true, Some(OsStr::new(""))));
        assert!(!color_wanted(true, Some(OsStr::new("1"))));
        assert!(!color_wanted(false, None));
    }
}
