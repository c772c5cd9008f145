//! Repairs for a plan that no order makes free of errors: the article's patterns applied
//! to the releases behind the errors of the best order.
//!
//! - *Toggle*: a release that adds a use of a key that breaks gets the use gated behind a
//!   new toggle, flipped On (after the key's providers, where the order search puts it)
//!   and ungated by a clean-up release; with no provider in the plan, the use stays
//!   hidden (no flip).
//! - *Expand / contract*: a release that stops providing a key and adds something else is
//!   split: it keeps its additions (the expand), and a new release after it stops
//!   providing (the contract); the consumers' migrations go in between.
//! - *Double write*: before a release that backfills a new store from an old one, each
//!   writer of the old store also writes the new one, tolerating failure.
//!
//! Each repair is applied to the plan as written, its steps ordered by the same search,
//! and listed only when that leaves fewer errors than the best order without it.

use std::time::Instant;

use super::{Fixed, order, reordered};
use crate::check::{Rule, Severity, Summary, check};
use crate::compose::edit::{fresh_id, slug};
use crate::compose::patterns::{double_write, release};
use crate::plan::{Access, Change, Fact, Plan, Step, Switch, Toggle};

/// The most repairs tried for one plan: each costs an order search.
const TRIED: usize = 12;

/// Which pattern a repair applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepairKind {
    Toggle,
    ExpandContract,
    DoubleWrite,
}

impl RepairKind {
    pub fn name(self) -> &'static str {
        match self {
            RepairKind::Toggle => "toggle",
            RepairKind::ExpandContract => "expand-contract",
            RepairKind::DoubleWrite => "double-write",
        }
    }
}

/// A pattern applied to the plan, with the order found for the result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repair {
    pub kind: RepairKind,
    /// What it does, in one sentence.
    pub description: String,
    /// Ids of the steps it adds, of the steps whose changes it changes, and of the toggles
    /// it declares.
    pub inserted: Vec<String>,
    pub changed: Vec<String>,
    pub toggles: Vec<String>,
    /// The plan with the repair applied, its steps in the order found for it: applying
    /// the repair is replacing the plan with this one.
    pub plan: Plan,
    /// The findings' counts of `plan`.
    pub after: Summary,
}

/// A repair to try: its kind, what it says it does, the plan it makes and what it adds
/// and changes.
struct Candidate {
    kind: RepairKind,
    description: String,
    plan: Plan,
    inserted: Vec<String>,
    changed: Vec<String>,
    toggles: Vec<String>,
}

/// The repairs of `plan` that leave fewer errors than `fixed` (its best order), searched
/// by `deadline`; with the whole-plan checks and simulated steps they cost.
pub(super) fn repairs(
    plan: &Plan,
    fixed: &Fixed,
    deadline: Instant,
) -> (Vec<Repair>, usize, usize) {
    // The errors of the order found and of the order written: the writer's intent may
    // need a repair that another order only trades for another error.
    let mut errors: Vec<(Rule, Option<String>, Option<String>)> = Vec::new();
    for report in [check(&reordered(plan, &fixed.order)), check(plan)] {
        for f in report
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
        {
            let error = (f.rule, f.component.clone(), f.key.clone());
            if !errors.contains(&error) {
                errors.push(error);
            }
        }
    }
    let mut checks = 2;
    let mut simulated = 0;
    let mut candidates: Vec<Candidate> = Vec::new();
    for (rule, component, key) in &errors {
        let (Some(key), component) = (key.as_deref(), component.as_deref()) else {
            continue;
        };
        match rule {
            Rule::BrokenConsumer | Rule::CommitRace => {
                if let Some(component) = component {
                    candidates.extend(gates(plan, component, key));
                }
                candidates.extend(splits(plan, key));
            }
            Rule::DataGap | Rule::DataLoss => candidates.extend(double_writes(plan, key)),
            _ => {}
        }
    }
    let mut seen: Vec<Plan> = Vec::new();
    candidates.retain(|c| {
        let new = !seen.contains(&c.plan);
        seen.push(c.plan.clone());
        new
    });
    candidates.truncate(TRIED);
    let mut out = Vec::new();
    let count = candidates.len();
    for (n, candidate) in candidates.into_iter().enumerate() {
        let now = Instant::now();
        if now >= deadline {
            break;
        }
        // An equal share of what is left for each repair still to try.
        let share = (deadline - now) / (count - n) as u32;
        let found = order(&candidate.plan, now + share);
        checks += found.checks;
        simulated += found.simulated;
        if found.after.errors >= fixed.after.errors {
            continue;
        }
        out.push(Repair {
            kind: candidate.kind,
            description: candidate.description,
            inserted: candidate.inserted,
            changed: candidate.changed,
            toggles: candidate.toggles,
            plan: reordered(&candidate.plan, &found.order),
            after: found.after,
        });
    }
    out.sort_by_key(|r| (r.after.errors, r.after.warnings));
    (out, checks, simulated)
}

/// A step id not taken in `plan`, from `base`.
fn step_id(plan: &Plan, base: &str) -> String {
    fresh_id(|id| plan.steps.iter().any(|s| s.id() == id), base)
}

/// Whether some component provides `key` now, or some release adds a `Provide` of it.
fn provided(plan: &Plan, key: &str) -> bool {
    let provides = |f: &Fact| f.access == Access::Provide && f.key == key;
    plan.components
        .iter()
        .any(|c| c.current.iter().any(provides))
        || plan.steps.iter().any(|s| {
            s.changes()
                .iter()
                .any(|c| matches!(c, Change::Add(f) if provides(f)))
        })
}

/// Each release of `component` that adds a plain use of `key`, with that use gated behind
/// a new toggle, flipped On after it (and ungated by a clean-up release) when something
/// in the plan provides the key.
fn gates(plan: &Plan, component: &str, key: &str) -> Vec<Candidate> {
    let mut out = Vec::new();
    for (i, step) in plan.steps.iter().enumerate() {
        let Step::Release {
            id,
            component: released,
            changes,
            shipped: false,
            ..
        } = step
        else {
            continue;
        };
        let uses = |c: &Change| matches!(c, Change::Add(f) if f.access.is_use() && f.key == key && !f.tolerant && f.gate.is_none());
        if released.trim() != component || !changes.iter().any(uses) {
            continue;
        }
        let toggle = fresh_id(|t| plan.toggles.iter().any(|x| x.id == t), &slug(id));
        let mut repaired = plan.clone();
        repaired.toggles.push(Toggle {
            id: toggle.clone(),
            initially: Switch::Off,
        });
        if let Step::Release { changes, .. } = &mut repaired.steps[i] {
            for change in changes.iter_mut().filter(|c| uses(c)) {
                if let Change::Add(fact) = change {
                    fact.gate = Some(toggle.clone());
                }
            }
        }
        let mut inserted = Vec::new();
        let hidden = format!(
            "gate {component}'s use of \"{key}\" in \"{id}\" behind the new toggle \"{toggle}\""
        );
        let description = if provided(plan, key) {
            let on = step_id(&repaired, &format!("{toggle}-on"));
            repaired.steps.push(Step::Flip {
                id: on.clone(),
                toggle: toggle.clone(),
                to: Switch::On,
                title: format!("Turn \"{toggle}\" on"),
                shipped: false,
                notes: None,
            });
            let cleanup = step_id(&repaired, &format!("{toggle}-cleanup"));
            repaired.steps.push(release(
                cleanup.clone(),
                component,
                format!("Remove the \"{toggle}\" toggle from {component}"),
                vec![Change::Ungate(toggle.clone())],
            ));
            inserted.extend([on.clone(), cleanup]);
            format!("Toggle: {hidden}, and turn it on (\"{on}\") once \"{key}\" is provided")
        } else {
            format!("Toggle: {hidden}; nothing in the plan provides \"{key}\", so it stays off")
        };
        out.push(Candidate {
            kind: RepairKind::Toggle,
            description,
            plan: repaired,
            inserted,
            changed: vec![id.clone()],
            toggles: vec![toggle],
        });
    }
    out
}

/// Each release that stops providing `key` and adds something too, split: the additions
/// stay (the expand), and a new release right after it stops providing (the contract).
fn splits(plan: &Plan, key: &str) -> Vec<Candidate> {
    let mut out = Vec::new();
    for (i, step) in plan.steps.iter().enumerate() {
        let Step::Release {
            id,
            component,
            changes,
            shipped: false,
            ..
        } = step
        else {
            continue;
        };
        let stops = |c: &Change| matches!(c, Change::Remove(f) if f.access == Access::Provide);
        let drops_key = changes
            .iter()
            .any(|c| matches!(c, Change::Remove(f) if f.access == Access::Provide && f.key == key));
        let adds = changes.iter().any(|c| matches!(c, Change::Add(_)));
        if !drops_key || !adds {
            continue;
        }
        let mut repaired = plan.clone();
        let contract_id = step_id(plan, &format!("{id}-contract"));
        let (removed, kept): (Vec<Change>, Vec<Change>) =
            changes.iter().cloned().partition(|c| stops(c));
        let dropped: Vec<String> = removed
            .iter()
            .filter_map(|c| match c {
                Change::Remove(f) => Some(format!("\"{}\"", f.key)),
                _ => None,
            })
            .collect();
        if let Step::Release { changes, .. } = &mut repaired.steps[i] {
            *changes = kept;
        }
        repaired.steps.insert(
            i + 1,
            release(
                contract_id.clone(),
                component,
                format!("{component} stops providing {}", dropped.join(", ")),
                removed,
            ),
        );
        out.push(Candidate {
            kind: RepairKind::ExpandContract,
            description: format!(
                "Expand / contract: split \"{id}\" so that {component} stops providing {} in a release of its own, \"{contract_id}\", after its consumers move",
                dropped.join(", ")
            ),
            plan: repaired,
            inserted: vec![contract_id],
            changed: vec![id.clone()],
            toggles: Vec::new(),
        });
    }
    out
}

/// For each release that backfills a store from another where `key` is one of the two, a
/// pre-emptive double write before it: each component that writes the old store then
/// also writes the new one, tolerating failure.
fn double_writes(plan: &Plan, key: &str) -> Vec<Candidate> {
    let mut out = Vec::new();
    for (e, step) in plan.steps.iter().enumerate() {
        if step.shipped() {
            continue;
        }
        for change in step.changes() {
            let Change::Backfill { into, from } = change else {
                continue;
            };
            if into.trim() != key && from.trim() != key {
                continue;
            }
            let (old, new) = (from.trim(), into.trim());
            let mut repaired = plan.clone();
            let mut inserted = Vec::new();
            let mut writers = Vec::new();
            for component in &plan.components {
                let facts = plan.facts_before(&component.id, e);
                let changes = double_write(&facts, old, new);
                if changes.is_empty() {
                    continue;
                }
                let id = step_id(&repaired, &format!("{}-double-write", slug(&component.id)));
                let at = e + inserted.len();
                repaired.steps.insert(
                    at,
                    release(
                        id.clone(),
                        &component.id,
                        format!("{} also writes \"{new}\", tolerating failure", component.id),
                        changes,
                    ),
                );
                inserted.push(id);
                writers.push(component.id.clone());
            }
            if inserted.is_empty() {
                continue;
            }
            out.push(Candidate {
                kind: RepairKind::DoubleWrite,
                description: format!(
                    "Double write: before \"{}\" backfills \"{new}\" from \"{old}\", {} also {} \"{new}\", tolerating failure",
                    step.id(),
                    writers.join(" and "),
                    if writers.len() == 1 { "writes" } else { "write" }
                ),
                plan: repaired,
                inserted,
                changed: Vec::new(),
                toggles: Vec::new(),
            });
        }
    }
    out
}
