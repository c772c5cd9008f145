//! Importing what the repository says (SPEC §7): a component's `current` facts compared
//! with the facts its sources yield, and the comparison applied. Pure: the sources are
//! read elsewhere, and what they yield comes in as facts.

use rustc_hash::FxHashSet;

use crate::plan::{Access, Component, Fact, Plan, Source};

/// One component's `current` against its sources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// The component's index in the plan.
    pub component: usize,
    /// What the sources have that `current` lacks, sorted.
    pub added: Vec<Fact>,
    /// What `current` has of the kinds the sources yield that the sources lack, in the
    /// order of `current`.
    pub removed: Vec<Fact>,
}

impl Comparison {
    pub fn in_sync(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }
}

/// Compares `component`'s current facts with `derived`, the facts its sources yield.
/// Modifiers are ignored: `Gated("t", Provide("k"))` has `Provide("k")`.
pub fn compare(plan: &Plan, component: usize, derived: &[Fact]) -> Comparison {
    let Some(c) = plan.components.get(component) else {
        return Comparison {
            component,
            added: Vec::new(),
            removed: Vec::new(),
        };
    };
    let kinds: Vec<Access> = c.sources.iter().map(Source::access).collect();
    let base = |f: &Fact| (f.access, f.key.trim().to_string());
    let have: FxHashSet<(Access, String)> = c.current.iter().map(base).collect();
    let from_sources: FxHashSet<(Access, String)> = derived.iter().map(base).collect();
    let mut added: Vec<Fact> = Vec::new();
    let mut seen = FxHashSet::default();
    for fact in derived {
        let b = base(fact);
        if !have.contains(&b) && seen.insert(b.clone()) {
            added.push(Fact::new(b.0, b.1));
        }
    }
    added.sort();
    let removed = c
        .current
        .iter()
        .filter(|f| kinds.contains(&f.access) && !from_sources.contains(&base(f)))
        .cloned()
        .collect();
    Comparison {
        component,
        added,
        removed,
    }
}

/// Applies comparisons to the plan's `current` facts: what the sources add, and with
/// `prune` what they lack removed. Nothing else changes. Returns how many facts were
/// added and removed.
pub fn apply(plan: &mut Plan, comparisons: &[Comparison], prune: bool) -> (usize, usize) {
    let (mut added, mut removed) = (0, 0);
    for comparison in comparisons {
        let Some(c) = plan.components.get_mut(comparison.component) else {
            continue;
        };
        added += add(c, &comparison.added);
        if prune {
            let before = c.current.len();
            c.current.retain(|f| !comparison.removed.contains(f));
            removed += before - c.current.len();
        }
    }
    (added, removed)
}

fn add(c: &mut Component, facts: &[Fact]) -> usize {
    let mut n = 0;
    for fact in facts {
        if !c.current.contains(fact) {
            c.current.push(fact.clone());
            n += 1;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Dialect, Kind};

    fn plan() -> Plan {
        let mut plan = Plan::new("s");
        plan.components.push(Component {
            id: "api".into(),
            name: "api".into(),
            kind: Kind::Service,
            repo: None,
            sources: vec![Source::OpenApi("api.yaml".into())],
            current: vec![
                Fact::provide("GET /a"),
                Fact::provide("GET /old").gated("t"),
                Fact::call("GET /elsewhere"),
                Fact::read("t.a").serving("GET /a"),
            ],
            target: None,
        });
        plan.components.push(Component {
            id: "db".into(),
            name: "db".into(),
            kind: Kind::Database,
            repo: None,
            sources: vec![Source::Sql("db".into(), Dialect::Postgres)],
            current: vec![Fact::provide("t"), Fact::provide("t.a")],
            target: None,
        });
        plan
    }

    #[test]
    fn a_comparison_adds_what_current_lacks_and_removes_only_the_kinds_sources_yield() {
        let plan = plan();
        let derived = [
            Fact::provide("GET /a"),
            Fact::provide("POST /a"),
            Fact::provide("GET /b"),
        ];
        let comparison = compare(&plan, 0, &derived);
        assert_eq!(
            comparison.added,
            [Fact::provide("GET /b"), Fact::provide("POST /a")]
        );
        // The call and the read are not what an OpenAPI document says.
        assert_eq!(comparison.removed, [Fact::provide("GET /old").gated("t")]);
        assert!(!comparison.in_sync());
        let in_sync = compare(&plan, 1, &[Fact::provide("t"), Fact::provide("t.a")]);
        assert!(in_sync.in_sync(), "{in_sync:?}");
    }

    #[test]
    fn applying_adds_and_prunes_only_current() {
        let mut plan = plan();
        let derived = [Fact::provide("GET /a"), Fact::provide("GET /b")];
        let comparison = compare(&plan, 0, &derived);
        let mut kept = plan.clone();
        assert_eq!(
            apply(&mut kept, std::slice::from_ref(&comparison), false),
            (1, 0)
        );
        assert!(
            kept.components[0]
                .current
                .contains(&Fact::provide("GET /old").gated("t"))
        );
        assert_eq!(apply(&mut plan, &[comparison], true), (1, 1));
        assert_eq!(
            plan.components[0].current,
            [
                Fact::provide("GET /a"),
                Fact::call("GET /elsewhere"),
                Fact::read("t.a").serving("GET /a"),
                Fact::provide("GET /b"),
            ]
        );
        assert_eq!(plan.components[0].target, None);
    }
}
