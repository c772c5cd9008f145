//! Draft the steps from the target: propose the releases that take every component from
//! where the plan leaves it to its `target`, in an order that breaks no consumer and
//! loses no data where the article's patterns can make it so.
//!
//! How:
//! 1. Each component with a target whose facts at the end of the plan (the checker's
//!    `finals`) differ from it gets a chain of releases, split by the patterns:
//!    - *double write*: a writer of a store whose data moves to a new store first also
//!      writes the new one, tolerating failure;
//!    - *expand*: a component adds what it newly provides (and what it does while
//!      serving it); a store adds its new stores, backfilled from the store they replace;
//!    - *read-new*: when several components both read and write a moving store, all but
//!      the first move their reads first, so no one reads a store that fell behind;
//!    - *migrate*: every other change of the component, in one release (a consumer swaps
//!      its old use for the new one; a toggle its target no longer has is ungated);
//!    - *contract*: the component stops providing what its target drops; a store drops
//!      its old stores (last: a store whose data is not kept elsewhere loses it).
//! 2. A move of data `old → new` is recognised when a store drops `old`, a store adds
//!    `new`, and components swap a `Write`/`Read` of `old` for one of `new`.
//! 3. A toggle that is Off at the end and that a migration ungates is flipped On first.
//! 4. The releases are ordered with the checker as the oracle, one cluster of components
//!    that share keys or toggles at a time (so each check is small). They go in pattern
//!    order — double writes, stores added, expands, reader migrations, migrations, flips,
//!    contracts, stores dropped — as far as their prerequisites allow (the component's
//!    earlier releases, the double writes before the backfill, the backfill before the
//!    old store goes, the flip before the ungate). If the checker then finds harm at a
//!    drafted step, the steps before it stay and its place goes to the first later ready
//!    release that causes no harm there (greedy repair); then the rest is tried in
//!    pattern order again. Where no release fits, the pattern order's choice stays.
//! 5. Whatever is still wrong at a drafted step (an error or warning), or short of a
//!    drafted component's target, is explained in `notes`.
//!
//! New features are drafted inside-out (store, service, then the UI), which needs no
//! toggle; the `ToggleFeature` template gives the outside-in shape behind a toggle.
//! Components without a target are left alone.
//!
//! Here the driver, what to move and the moves of data; `parts` drafts each component's
//! releases by pattern, and `order` orders them with the checker.

mod order;
mod parts;

use crate::check::{Report, check};
use crate::compose::patterns::{Inserted, insert};
use crate::plan::{Access, Fact, Plan, Step, Switch, Toggle};
use parts::Parts;

/// Drafted steps, to append after the plan's steps, the toggles they need declared, and
/// what the draft could not make safe.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Draft {
    pub steps: Vec<Step>,
    pub toggles: Vec<Toggle>,
    pub notes: Vec<String>,
}

impl Draft {
    /// Appends the drafted steps to `plan` and declares the toggles it lacks.
    pub fn append_to(&self, plan: &mut Plan) {
        let at = plan.steps.len();
        insert(
            plan,
            at,
            Inserted {
                steps: self.steps.clone(),
                toggles: self.toggles.clone(),
            },
        );
    }
}

/// A component to move: where the plan leaves it and its target.
struct Work {
    comp: usize,
    from: Vec<Fact>,
    to: Vec<Fact>,
    stateful: bool,
}

impl Work {
    fn extra(&self) -> impl Iterator<Item = &Fact> {
        self.from.iter().filter(|f| !self.to.contains(f))
    }

    fn missing(&self) -> impl Iterator<Item = &Fact> {
        self.to.iter().filter(|f| !self.from.contains(f))
    }

    /// Keys it provides at the target and not now (`true`), or now and not at the target.
    fn provides_changed(&self, new: bool) -> Vec<String> {
        let (a, b) = if new {
            (&self.to, &self.from)
        } else {
            (&self.from, &self.to)
        };
        let mut keys: Vec<String> = Vec::new();
        for f in a.iter().filter(|f| f.access == Access::Provide) {
            let elsewhere = b
                .iter()
                .any(|g| g.access == Access::Provide && g.key == f.key);
            if !elsewhere && !keys.contains(&f.key) {
                keys.push(f.key.clone());
            }
        }
        keys
    }

    fn uses(&self, facts_to: bool, access: Access, key: &str) -> bool {
        let facts = if facts_to { &self.to } else { &self.from };
        facts.iter().any(|f| f.access == access && f.key == key)
    }
}

/// A store's data moving from `old` to `new`.
#[derive(Debug, Clone)]
struct Move {
    old: String,
    new: String,
    /// Components (work indices) that swap a write of `old` for a write of `new`.
    writers: Vec<usize>,
    /// Components that both read and write `old` now and move both.
    reading_writers: Vec<usize>,
}

fn same_set(a: &[Fact], b: &[Fact]) -> bool {
    a.iter().all(|f| b.contains(f)) && b.iter().all(|f| a.contains(f))
}

fn dedup(facts: &[Fact]) -> Vec<Fact> {
    let mut out: Vec<Fact> = Vec::with_capacity(facts.len());
    for f in facts {
        if !out.contains(f) {
            out.push(f.clone());
        }
    }
    out
}

/// Proposes the releases (and flips) that take every component with a target from
/// where the plan leaves it to its target; see the module documentation.
pub fn draft(plan: &Plan) -> Draft {
    let report = check(plan);
    let mut notes: Vec<String> = Vec::new();
    let works = works(plan, &report, &mut notes);
    if works.is_empty() {
        return Draft {
            notes,
            ..Draft::default()
        };
    }
    let toggles = undeclared_toggles(plan, &works);
    let moves = find_moves(&works);
    let mut parts = Parts::new(plan, &moves);
    for (wi, w) in works.iter().enumerate() {
        parts.component(wi, w);
    }
    parts.order_moves();
    parts.flips_first();
    let parts = parts.list;

    let moved: Vec<&str> = works
        .iter()
        .map(|w| plan.components[w.comp].id.as_str())
        .collect();
    let order = order::order(plan, &report, &toggles, &moved, &parts, &mut notes);
    Draft {
        steps: order.iter().map(|&p| parts[p].step.clone()).collect(),
        toggles,
        notes,
    }
}

/// What to move: each component with a target whose facts at the end of the plan
/// differ from it. A duplicated id is drafted once, with a note.
fn works(plan: &Plan, report: &Report, notes: &mut Vec<String>) -> Vec<Work> {
    let index_of = |id: &str| plan.components.iter().position(|c| c.id == id.trim());
    let mut works: Vec<Work> = Vec::new();
    for (c, component) in plan.components.iter().enumerate() {
        let Some(target) = &component.target else {
            continue;
        };
        if index_of(&component.id) != Some(c) {
            notes.push(format!(
                "Component {} appears twice: only the first is drafted; give each its own id",
                component.id
            ));
            continue;
        }
        let from = dedup(report.finals.get(c).unwrap_or(&component.current));
        let to = dedup(target);
        if same_set(&from, &to) {
            continue;
        }
        works.push(Work {
            comp: c,
            from,
            to,
            stateful: component.kind.is_stateful(),
        });
    }
    works
}

/// Toggles the targets gate by that the plan does not declare: declared Off.
fn undeclared_toggles(plan: &Plan, works: &[Work]) -> Vec<Toggle> {
    let mut toggles: Vec<Toggle> = Vec::new();
    for w in works {
        for f in &w.to {
            if let Some(g) = &f.gate
                && !plan.toggles.iter().any(|t| t.id == *g)
                && !toggles.iter().any(|t| &t.id == g)
            {
                toggles.push(Toggle {
                    id: g.clone(),
                    initially: Switch::Off,
                });
            }
        }
    }
    toggles
}

/// Moves of data between stores: a store drops `old`, a store adds `new`, and components
/// swap a write or read of `old` for one of `new`. Each `old` pairs with the `new` most
/// uses move to (same `Serving` counts double), each `new` with one `old`.
fn find_moves(works: &[Work]) -> Vec<Move> {
    let mut gone: Vec<String> = Vec::new();
    let mut added: Vec<String> = Vec::new();
    for w in works.iter().filter(|w| w.stateful) {
        gone.extend(w.provides_changed(false));
        added.extend(w.provides_changed(true));
    }
    if gone.is_empty() || added.is_empty() {
        return Vec::new();
    }
    let mut votes: Vec<((String, String), usize)> = Vec::new();
    for w in works {
        for e in w.extra() {
            if !(matches!(e.access, Access::Read | Access::Write) && gone.contains(&e.key)) {
                continue;
            }
            for m in w.missing() {
                if m.access != e.access || !added.contains(&m.key) {
                    continue;
                }
                let weight = if m.serving == e.serving { 2 } else { 1 };
                let pair = (e.key.clone(), m.key.clone());
                match votes.iter_mut().find(|(p, _)| *p == pair) {
                    Some((_, v)) => *v += weight,
                    None => votes.push((pair, weight)),
                }
            }
        }
    }
    // Most votes first; ties keep the order found.
    votes.sort_by_key(|v| std::cmp::Reverse(v.1));
    let mut moves: Vec<Move> = Vec::new();
    for ((old, new), _) in votes {
        if moves.iter().any(|m| m.old == old || m.new == new) {
            continue;
        }
        let writers: Vec<usize> = works
            .iter()
            .enumerate()
            .filter(|(_, w)| {
                w.extra().any(|f| f.access == Access::Write && f.key == old)
                    && w.uses(true, Access::Write, &new)
            })
            .map(|(i, _)| i)
            .collect();
        let reading_writers = writers
            .iter()
            .copied()
            .filter(|&i| works[i].uses(false, Access::Read, &old))
            .collect();
        moves.push(Move {
            old,
            new,
            writers,
            reading_writers,
        });
    }
    moves
}
