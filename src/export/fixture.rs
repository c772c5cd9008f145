//! A loaded plan and a hand-made report, so the formats are tested without the checker.

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
    let step = |status, rollback| StepReport { status, rollback };
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
