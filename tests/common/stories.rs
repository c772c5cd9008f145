//! The article's stories as the examples hold them, and the orders the tests put them in.

use std::path::Path;

use storyplan::plan::{Plan, Step};

/// The bundled example `name` (`reminders`, `cents-api`, `amount-column`).
pub fn example(name: &str) -> Plan {
    let path = format!("{}/assets/examples/{name}.ron", env!("CARGO_MANIFEST_DIR"));
    storyplan::store::load(Path::new(&path))
        .expect("example loads")
        .plan
}

/// The plan with its steps in the order of `ids`.
pub fn reorder(mut plan: Plan, ids: &[&str]) -> Plan {
    let steps = ids
        .iter()
        .map(|id| {
            plan.steps
                .iter()
                .find(|s| s.id() == *id)
                .expect("step exists")
                .clone()
        })
        .collect();
    plan.steps = steps;
    plan
}

/// The plan with the releases `ids` in commit `label`.
pub fn in_commit(mut plan: Plan, ids: &[&str], label: &str) -> Plan {
    for step in &mut plan.steps {
        if let Step::Release { id, commit, .. } = step
            && ids.contains(&id.as_str())
        {
            *commit = Some(label.to_string());
        }
    }
    plan
}
