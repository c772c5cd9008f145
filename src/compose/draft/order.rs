//! Ordering the drafted parts: cluster by cluster, in pattern order as far as their
//! prerequisites allow, repaired where the checker finds harm.

use std::collections::HashMap;

use super::parts::Part;
use crate::check::{Finding, Report, Rule, Severity, check};
use crate::forest::Forest;
use crate::plan::{Change, Fact, Plan, Step, Toggle};

/// Components that share keys or toggles, as the checker clusters them: the nodes are
/// components, then keys and toggles by name.
struct Clusters {
    forest: Forest,
    comps: usize,
    names: HashMap<String, usize>,
}

impl Clusters {
    fn new(comps: usize) -> Clusters {
        Clusters {
            forest: Forest::new(comps),
            comps,
            names: HashMap::new(),
        }
    }

    fn name(&mut self, name: &str) -> usize {
        let next = self.comps + self.names.len();
        let node = *self.names.entry(name.trim().to_string()).or_insert(next);
        if node == self.forest.len() {
            self.forest.add();
        }
        node
    }

    fn link(&mut self, comp: usize, name: &str) {
        let node = self.name(name);
        self.forest.union(comp, node);
    }

    fn toggle(&mut self, toggle: &str) -> usize {
        self.name(&format!("\u{0}toggle {}", toggle.trim()))
    }

    fn fact(&mut self, comp: usize, fact: &Fact) {
        self.link(comp, &fact.key);
        if let Some(s) = &fact.serving {
            self.link(comp, s);
        }
        if let Some(t) = &fact.gate {
            let node = self.toggle(t);
            self.forest.union(comp, node);
        }
    }

    fn change(&mut self, comp: usize, change: &Change) {
        match change {
            Change::Add(f) | Change::Remove(f) => self.fact(comp, f),
            Change::Ungate(t) => {
                let node = self.toggle(t);
                self.forest.union(comp, node);
            }
            Change::Backfill { into, from } => {
                self.link(comp, into);
                self.link(comp, from);
            }
        }
    }

    fn root_of_toggle(&mut self, toggle: &str) -> usize {
        let node = self.toggle(toggle);
        self.forest.find(node)
    }

    fn root(&mut self, comp: usize) -> usize {
        self.forest.find(comp)
    }
}

/// Orders the parts cluster by cluster (see [`arrange`]) and notes what is still wrong
/// at the drafted steps, or short of a drafted component's target. `report` is the
/// plan's; `moved` are the ids of the drafted components.
pub(super) fn order(
    plan: &Plan,
    report: &Report,
    toggles: &[Toggle],
    moved: &[&str],
    parts: &[Part],
    notes: &mut Vec<String>,
) -> Vec<usize> {
    let mut cl = clusters(plan, report, parts);
    let part_root: Vec<usize> = parts
        .iter()
        .map(|p| match (&p.step, p.comp) {
            (_, Some(c)) => cl.root(c),
            (Step::Flip { toggle, .. }, None) => cl.root_of_toggle(toggle),
            _ => usize::MAX,
        })
        .collect();
    let mut roots: Vec<usize> = Vec::new();
    for &r in &part_root {
        if !roots.contains(&r) {
            roots.push(r);
        }
    }

    let mut order = Vec::with_capacity(parts.len());
    for root in roots {
        let members: Vec<usize> = (0..parts.len()).filter(|&p| part_root[p] == root).collect();
        let mut sub = sub_plan(plan, toggles, &mut cl, root);
        let base = sub.steps.len();
        let (placed, report) = arrange(&mut sub, parts, &members);
        note(&sub, &report, base, moved, notes);
        order.extend(placed);
    }
    order
}

/// The components, keys and toggles of the plan, its steps and the parts, joined where
/// they share a key or a toggle.
fn clusters(plan: &Plan, report: &Report, parts: &[Part]) -> Clusters {
    let mut cl = Clusters::new(plan.components.len());
    for (c, component) in plan.components.iter().enumerate() {
        for f in component
            .current
            .iter()
            .chain(component.target.iter().flatten())
            .chain(report.finals.get(c).into_iter().flatten())
        {
            cl.fact(c, f);
        }
    }
    for step in &plan.steps {
        if let Some(c) = step.component().and_then(|id| index_of(plan, id)) {
            for change in step.changes() {
                cl.change(c, change);
            }
        }
    }
    for part in parts {
        match (&part.step, part.comp) {
            (Step::Release { changes, .. }, Some(c)) => {
                for change in changes {
                    cl.change(c, change);
                }
            }
            (Step::Flip { toggle, .. }, _) => {
                cl.toggle(toggle);
            }
            _ => {}
        }
    }
    cl
}

/// The index of the first component with id `id`.
fn index_of(plan: &Plan, id: &str) -> Option<usize> {
    plan.components.iter().position(|c| c.id == id.trim())
}

/// The plan cut down to the cluster `root`: its components, its steps, the acceptances
/// of its steps, and every toggle (the plan's and the drafted ones).
fn sub_plan(plan: &Plan, toggles: &[Toggle], cl: &mut Clusters, root: usize) -> Plan {
    let in_cluster: Vec<bool> = (0..plan.components.len())
        .map(|c| cl.root(c) == root)
        .collect();
    let mut sub = Plan {
        version: plan.version,
        story: plan.story.clone(),
        narrative: None,
        components: plan
            .components
            .iter()
            .enumerate()
            .filter(|(c, _)| in_cluster[*c])
            .map(|(_, c)| c.clone())
            .collect(),
        toggles: plan.toggles.iter().chain(toggles).cloned().collect(),
        steps: Vec::new(),
        accepted: Vec::new(),
        notes: None,
    };
    for step in &plan.steps {
        let keep = match step {
            Step::Release { component, .. } => {
                index_of(plan, component).is_some_and(|c| in_cluster[c])
            }
            Step::Flip { toggle, .. } => cl.root_of_toggle(toggle) == root,
        };
        if keep {
            sub.steps.push(step.clone());
        }
    }
    sub.accepted = plan
        .accepted
        .iter()
        .filter(|a| {
            a.step
                .as_deref()
                .is_none_or(|id| sub.steps.iter().any(|s| s.id() == id.trim()))
        })
        .cloned()
        .collect();
    sub
}

/// Notes the errors and warnings of `report` at the drafted steps of `sub` (from `base`
/// on), and the drafted components that end short of their target.
fn note(sub: &Plan, report: &Report, base: usize, moved: &[&str], notes: &mut Vec<String>) {
    for f in &report.findings {
        if !matches!(f.severity, Severity::Error | Severity::Warning) {
            continue;
        }
        match f.step {
            Some(s) if s >= base => notes.push(format!(
                "{} at step \"{}\": {} {}",
                f.rule,
                sub.steps[s].id(),
                f.message,
                f.hint
            )),
            None if matches!(f.rule, Rule::TargetNotReached | Rule::ToggleLeftBehind)
                && f.component.as_deref().is_some_and(|c| moved.contains(&c)) =>
            {
                notes.push(format!("{}: {}", f.rule, f.message));
            }
            _ => {}
        }
    }
}

/// Whether a finding says the order is wrong; the end-state warnings are the draft's to
/// fix, not the order's.
fn harmful(f: &Finding) -> bool {
    matches!(f.severity, Severity::Error | Severity::Warning)
        && !matches!(f.rule, Rule::TargetNotReached | Rule::ToggleLeftBehind)
}

/// The parts not placed yet, in pattern order as far as their prerequisites allow.
fn by_class(parts: &[Part], members: &[usize], placed: &[usize]) -> Vec<usize> {
    let mut done: Vec<usize> = placed.to_vec();
    let mut out = Vec::new();
    let mut left: Vec<usize> = members
        .iter()
        .copied()
        .filter(|p| !placed.contains(p))
        .collect();
    left.sort_by_key(|&p| (parts[p].class, p));
    while !left.is_empty() {
        // Prerequisites form no cycle; should one appear, the first part goes anyway.
        let at = left
            .iter()
            .position(|&p| parts[p].after.iter().all(|a| done.contains(a)))
            .unwrap_or(0);
        let p = left.remove(at);
        done.push(p);
        out.push(p);
    }
    out
}

/// Orders a cluster's parts after its existing steps in `sub`, with the checker as the
/// oracle, and returns the order and the report of `sub` with the parts appended.
///
/// The parts go in pattern order. If a drafted step then has a harmful finding, the
/// steps before the first such step stay (the checker reports a harm at the step that
/// causes it, so they cause none), and its place goes to the first ready part after it,
/// in pattern order, that causes no harm there; if none does, the pattern order's
/// choice stays (and its harm ends up in the notes). Then the rest is tried in pattern
/// order again. A cluster the patterns order safely costs one check.
fn arrange(sub: &mut Plan, parts: &[Part], members: &[usize]) -> (Vec<usize>, Report) {
    let mut placed: Vec<usize> = Vec::with_capacity(members.len());
    // Harms at steps from this index on are the draft's doing.
    let mut from = sub.steps.len();
    loop {
        let rest = by_class(parts, members, &placed);
        let start = sub.steps.len();
        sub.steps
            .extend(rest.iter().map(|&p| parts[p].step.clone()));
        let report = check(sub);
        let Some(first) = first_harm(&report, from) else {
            placed.extend(rest);
            return (placed, report);
        };
        sub.steps.truncate(first);
        placed.extend(&rest[..first - start]);

        let culprit = rest[first - start];
        let chosen = rest[first - start + 1..]
            .iter()
            .copied()
            .filter(|&p| parts[p].after.iter().all(|a| placed.contains(a)))
            .find(|&p| {
                sub.steps.push(parts[p].step.clone());
                let clean = first_harm(&check(sub), from).is_none();
                if !clean {
                    sub.steps.pop();
                }
                clean
            });
        match chosen {
            Some(p) => placed.push(p),
            None => {
                sub.steps.push(parts[culprit].step.clone());
                placed.push(culprit);
                from = sub.steps.len();
            }
        }
    }
}

/// The first step from index `from` on with a harmful finding.
fn first_harm(report: &Report, from: usize) -> Option<usize> {
    report
        .findings
        .iter()
        .filter(|f| harmful(f))
        .filter_map(|f| f.step)
        .filter(|&s| s >= from)
        .min()
}
