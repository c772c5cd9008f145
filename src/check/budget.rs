//! How much work checking a plan takes, known before it starts.
//!
//! The checker simulates each cluster (a group of keys that act on one another) step by
//! step, and every step evaluates its cluster's whole state: checking a cluster costs
//! about its steps times its facts and keys. Story plans keep their clusters small, so
//! that product stays far below anything noticeable; a generated plan whose thousands of
//! steps all act on one chain of keys would take seconds, on every check. Such a plan is
//! refused when it is read, in one linear pass, so that no file can stall CI or the board.

use super::index;
use crate::plan::Plan;

/// The most work a plan may take to check, in steps times facts and keys of their
/// clusters, summed over the clusters: about half a second on a laptop. The article's
/// stories take tens; a plan of 10,000 steps in small clusters about a hundred thousand.
pub const MAX_WORK: u64 = 20_000_000;

/// The cluster that makes a plan too costly to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entangled {
    /// The cluster's first step (0-based), its steps, and the keys they act on.
    pub first_step: usize,
    pub steps: usize,
    pub keys: usize,
    /// The work the whole plan would take.
    pub work: u64,
}

/// The costliest cluster of a plan whose check would take more than [`MAX_WORK`]; `None`
/// for a plan that can be checked.
pub fn entangled(plan: &Plan) -> Option<Entangled> {
    if upper_bound(plan) <= MAX_WORK {
        return None;
    }
    let index = index::build(plan, true);
    let mut work = 0u64;
    let mut worst: Option<(u64, &index::Cluster)> = None;
    for cluster in &index.clusters {
        let facts: usize = cluster.current.iter().map(|list| list.len()).sum();
        let size = facts + cluster.ops.len() + cluster.keys.len() + cluster.toggles.len();
        let cost = cluster.steps.len() as u64 * size as u64;
        work += cost;
        if worst.is_none_or(|(most, _)| cost > most) {
            worst = Some((cost, cluster));
        }
    }
    let (_, cluster) = worst?;
    (work > MAX_WORK).then(|| Entangled {
        first_step: cluster.steps.first().map_or(0, |s| s.global),
        steps: cluster.steps.len(),
        keys: cluster.keys.len(),
        work,
    })
}

/// More than the plan's check can cost, counted without compiling it: every step in one
/// cluster with every fact, change, key (at most two a fact) and toggle.
fn upper_bound(plan: &Plan) -> u64 {
    let facts: usize = plan.components.iter().map(|c| c.current.len()).sum();
    let changes: usize = plan.steps.iter().map(|s| s.changes().len()).sum();
    let size = 3 * (facts + changes) + plan.toggles.len();
    (plan.steps.len() + changes) as u64 * size as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Change, Component, Fact, Kind, Step};

    fn web_releasing(changes: impl Iterator<Item = Change>) -> Plan {
        let web = Component {
            id: "web".into(),
            name: "web".into(),
            kind: Kind::Ui,
            repo: None,
            sources: Vec::new(),
            current: Vec::new(),
            target: None,
        };
        let steps = changes
            .enumerate()
            .map(|(i, change)| Step::Release {
                id: format!("s{i}"),
                component: "web".into(),
                title: String::new(),
                changes: vec![change],
                commit: None,
                shipped: false,
                notes: None,
                pr: None,
            })
            .collect();
        Plan {
            components: vec![web],
            steps,
            ..Plan::new("web")
        }
    }

    /// Steps that each call the next key while serving the last: one cluster.
    fn chain(steps: usize) -> Plan {
        web_releasing((0..steps).map(|i| {
            Change::Add(Fact::call(format!("GET /k{}", i + 1)).serving(format!("GET /k{i}")))
        }))
    }

    #[test]
    fn a_chain_of_steps_is_refused_once_its_work_passes_the_limit() {
        // One cluster: n steps over n facts and n + 1 keys.
        let work = |n: u64| n * (n + n + 1);
        let fits = (1..5_000u64)
            .rev()
            .find(|&n| work(n) <= MAX_WORK)
            .unwrap_or(0);
        assert_eq!(entangled(&chain(fits as usize)), None);
        let over = fits as usize + 1;
        assert_eq!(
            entangled(&chain(over)),
            Some(Entangled {
                first_step: 0,
                steps: over,
                keys: over + 1,
                work: work(fits + 1),
            })
        );
    }

    #[test]
    fn many_small_clusters_are_cheap_however_many_steps() {
        let calls = (0..20_000).map(|i| Change::Add(Fact::call(format!("GET /k{i}"))));
        assert_eq!(entangled(&web_releasing(calls)), None);
    }
}
