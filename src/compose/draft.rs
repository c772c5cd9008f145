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

use std::collections::HashMap;

use crate::check::{Finding, Report, Rule, Severity, check};
use crate::compose::edit::{apply, fresh_id, slug, toggle_before};
use crate::compose::patterns::{Inserted, insert, release};
use crate::forest::Forest;
use crate::plan::{Access, Change, Fact, Plan, Step, Switch, Toggle};

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

/// The pattern a drafted step belongs to; the greedy order prefers the earlier ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    DoubleWrite,
    StoreAdd,
    Expand,
    ReadMigrate,
    Migrate,
    Flip,
    Contract,
    StoreDrop,
}

struct Part {
    step: Step,
    /// The component it releases (its index), or none for a flip.
    comp: Option<usize>,
    class: Class,
    /// Parts that must be placed before this one.
    after: Vec<usize>,
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

/// Changes that take `facts` to exactly `to` (as a set), applied to `facts`: `Ungate` of
/// toggles `to` no longer gates, `Remove`s of what is extra, `Add`s of what is missing.
fn diff(facts: &mut Vec<Fact>, to: &[Fact]) -> Vec<Change> {
    let mut changes = Vec::new();
    let mut gates: Vec<String> = Vec::new();
    for f in facts.iter() {
        if let Some(g) = &f.gate
            && !gates.contains(g)
        {
            gates.push(g.clone());
        }
    }
    for gate in gates {
        if to.iter().any(|f| f.gate.as_ref() == Some(&gate)) {
            continue;
        }
        let helps = facts.iter().any(|f| {
            f.gate.as_ref() == Some(&gate)
                && to.contains(&Fact {
                    gate: None,
                    ..f.clone()
                })
        });
        if helps {
            let change = Change::Ungate(gate);
            apply(facts, &change);
            changes.push(change);
        }
    }
    for f in facts.clone() {
        if !to.contains(&f) && facts.contains(&f) {
            let change = Change::Remove(f);
            apply(facts, &change);
            changes.push(change);
        }
    }
    for f in to {
        let change = Change::Add(f.clone());
        if apply(facts, &change) {
            changes.push(change);
        }
    }
    changes
}

fn quoted_list<'a>(keys: impl IntoIterator<Item = &'a String>) -> String {
    let mut out: Vec<String> = Vec::new();
    for k in keys {
        let q = format!("\"{k}\"");
        if !out.contains(&q) {
            out.push(q);
        }
    }
    out.join(", ")
}

/// A title for a migration, from what it adds and removes.
fn migrate_title(comp: &str, changes: &[Change]) -> String {
    let mut added: Vec<String> = Vec::new();
    let mut removed: Vec<String> = Vec::new();
    let mut ungated: Vec<String> = Vec::new();
    for change in changes {
        match change {
            Change::Add(f) if !added.contains(&f.key) => added.push(f.key.clone()),
            Change::Remove(f) if !removed.contains(&f.key) => removed.push(f.key.clone()),
            Change::Ungate(t) => ungated.push(t.clone()),
            _ => {}
        }
    }
    let only_added: Vec<&String> = added.iter().filter(|k| !removed.contains(k)).collect();
    let only_removed: Vec<&String> = removed.iter().filter(|k| !added.contains(k)).collect();
    match (only_added.is_empty(), only_removed.is_empty()) {
        (false, false) => format!(
            "{comp} uses {} instead of {}",
            quoted_list(only_added),
            quoted_list(only_removed)
        ),
        (false, true) => format!("{comp} starts using {}", quoted_list(only_added)),
        (true, false) => format!("{comp} stops using {}", quoted_list(only_removed)),
        (true, true) if !ungated.is_empty() && added.is_empty() && removed.is_empty() => {
            format!("Remove the {} toggle from {comp}", quoted_list(&ungated))
        }
        (true, true) => format!("{comp} changes how it uses {}", quoted_list(&added)),
    }
}

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

/// Proposes the releases (and flips) that take every component with a target from
/// where the plan leaves it to its target; see the module documentation.
pub fn draft(plan: &Plan) -> Draft {
    let report = check(plan);
    let mut notes: Vec<String> = Vec::new();
    let index_of = |id: &str| {
        plan.components
            .iter()
            .position(|c| c.id.trim() == id.trim())
    };

    // What to move.
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
    if works.is_empty() {
        return Draft {
            notes,
            ..Draft::default()
        };
    }

    // Toggles the targets gate by that the plan does not declare.
    let mut toggles: Vec<Toggle> = Vec::new();
    for w in &works {
        for f in &w.to {
            if let Some(g) = &f.gate
                && !plan.toggles.iter().any(|t| t.id.trim() == g)
                && !toggles.iter().any(|t| &t.id == g)
            {
                toggles.push(Toggle {
                    id: g.clone(),
                    initially: Switch::Off,
                });
            }
        }
    }

    let moves = find_moves(&works);

    // Step ids: the plan's and the drafted ones.
    let mut ids: Vec<String> = plan
        .steps
        .iter()
        .map(|s| s.id().trim().to_string())
        .collect();
    let mut fresh = |base: String| {
        let id = fresh_id(|x| ids.iter().any(|i| i == x), &base);
        ids.push(id.clone());
        id
    };

    let mut parts: Vec<Part> = Vec::new();
    // Per move: its double writes, the release that adds the new store.
    let mut double_writes: Vec<Vec<usize>> = vec![Vec::new(); moves.len()];
    let mut store_adds: Vec<Option<usize>> = vec![None; moves.len()];
    let mut store_drops: Vec<Option<usize>> = vec![None; moves.len()];
    for (wi, w) in works.iter().enumerate() {
        let id = plan.components[w.comp].id.trim().to_string();
        let base = slug(&id);
        let mut s = w.from.clone();
        let mut chain: Vec<usize> = Vec::new();
        let push = |parts: &mut Vec<Part>, chain: &mut Vec<usize>, step, class| {
            parts.push(Part {
                step,
                comp: Some(w.comp),
                class,
                after: chain.last().copied().into_iter().collect(),
            });
            chain.push(parts.len() - 1);
            parts.len() - 1
        };

        // Double writes.
        let mut changes = Vec::new();
        let mut into: Vec<usize> = Vec::new();
        for (m, mv) in moves.iter().enumerate() {
            if !mv.writers.contains(&wi) {
                continue;
            }
            for f in s.clone() {
                if f.access == Access::Write && f.key == mv.old {
                    let change = Change::Add(Fact {
                        key: mv.new.clone(),
                        tolerant: true,
                        ..f
                    });
                    if apply(&mut s, &change) {
                        changes.push(change);
                    }
                }
            }
            into.push(m);
        }
        if !changes.is_empty() {
            let news = quoted_list(into.iter().map(|&m| &moves[m].new));
            let step = release(
                fresh(format!("{base}-double-write")),
                &id,
                format!("{id} also writes {news}, tolerating failure"),
                changes,
            );
            let p = push(&mut parts, &mut chain, step, Class::DoubleWrite);
            for m in into {
                double_writes[m].push(p);
            }
        }

        // Expand: what it newly provides, and what it does while serving it.
        let new_keys = w.provides_changed(true);
        let mut changes = Vec::new();
        for f in &w.to {
            let about_new = (f.access == Access::Provide && new_keys.contains(&f.key))
                || f.serving.as_ref().is_some_and(|i| new_keys.contains(i));
            let change = Change::Add(f.clone());
            if about_new && apply(&mut s, &change) {
                changes.push(change);
            }
        }
        let mut filled: Vec<usize> = Vec::new();
        if w.stateful {
            for (m, mv) in moves.iter().enumerate() {
                if new_keys.contains(&mv.new) {
                    changes.push(Change::Backfill {
                        into: mv.new.clone(),
                        from: mv.old.clone(),
                    });
                    filled.push(m);
                }
            }
        }
        if !changes.is_empty() {
            let keys = quoted_list(&new_keys);
            let (class, title) = if w.stateful {
                let copied = quoted_list(filled.iter().map(|&m| &moves[m].old));
                let title = if filled.is_empty() {
                    format!("{id} adds {keys}")
                } else {
                    format!("{id} adds {keys} and copies {copied} into it")
                };
                (Class::StoreAdd, title)
            } else {
                (Class::Expand, format!("{id} provides {keys} as well"))
            };
            let step = release(fresh(format!("{base}-expand")), &id, title, changes);
            let p = push(&mut parts, &mut chain, step, class);
            for m in filled {
                store_adds[m] = Some(p);
            }
        }

        // Reads first, for all but the first component that reads and writes a move.
        for mv in &moves {
            if !mv.reading_writers.iter().skip(1).any(|&x| x == wi) {
                continue;
            }
            let mut desired: Vec<Fact> = s
                .iter()
                .filter(|f| !(f.access == Access::Read && f.key == mv.old))
                .cloned()
                .collect();
            desired.extend(
                w.to.iter()
                    .filter(|f| f.access == Access::Read && f.key == mv.new)
                    .cloned(),
            );
            let changes = diff(&mut s, &desired);
            if !changes.is_empty() {
                let step = release(
                    fresh(format!("{base}-read-new")),
                    &id,
                    format!("{id} reads \"{}\" instead of \"{}\"", mv.new, mv.old),
                    changes,
                );
                push(&mut parts, &mut chain, step, Class::ReadMigrate);
            }
        }

        // Migrate: everything but dropping what it stops providing.
        let gone_keys = w.provides_changed(false);
        let mut desired = w.to.clone();
        for f in &s {
            let about_gone = (f.access == Access::Provide && gone_keys.contains(&f.key))
                || f.serving.as_ref().is_some_and(|i| gone_keys.contains(i));
            if about_gone && !desired.contains(f) {
                desired.push(f.clone());
            }
        }
        let changes = diff(&mut s, &desired);
        if !changes.is_empty() {
            let writes = changes.iter().any(|c| match c {
                Change::Add(f) | Change::Remove(f) => f.access == Access::Write,
                _ => false,
            });
            let class = if writes {
                Class::Migrate
            } else {
                Class::ReadMigrate
            };
            let title = migrate_title(&id, &changes);
            let step = release(fresh(format!("{base}-migrate")), &id, title, changes);
            push(&mut parts, &mut chain, step, class);
        }

        // Contract: what it stops providing.
        let changes = diff(&mut s, &w.to);
        if !changes.is_empty() {
            let keys = quoted_list(&gone_keys);
            let (class, title, name) = if w.stateful {
                (Class::StoreDrop, format!("{id} drops {keys}"), "drop")
            } else {
                (
                    Class::Contract,
                    format!("{id} stops providing {keys}"),
                    "contract",
                )
            };
            let step = release(fresh(format!("{base}-{name}")), &id, title, changes);
            let p = push(&mut parts, &mut chain, step, class);
            for (m, mv) in moves.iter().enumerate() {
                if w.stateful && gone_keys.contains(&mv.old) {
                    store_drops[m] = Some(p);
                }
            }
        }
    }

    // The backfill after the double writes; the old store after the backfill.
    for m in 0..moves.len() {
        if let Some(add) = store_adds[m] {
            parts[add].after.extend(double_writes[m].iter().copied());
            if let Some(drop) = store_drops[m]
                && drop != add
            {
                parts[drop].after.push(add);
            }
        }
    }

    // A toggle that is Off at the end and that a migration ungates: flip it On first.
    let end = plan.steps.len();
    let mut flips: Vec<(String, usize)> = Vec::new();
    for p in 0..parts.len() {
        let ungated: Vec<String> = parts[p]
            .step
            .changes()
            .iter()
            .filter_map(|c| match c {
                Change::Ungate(t) => Some(t.clone()),
                _ => None,
            })
            .collect();
        for t in ungated {
            let kept = plan
                .components
                .iter()
                .flat_map(|c| c.target.iter().flatten())
                .any(|f| f.gate.as_ref() == Some(&t));
            if kept || toggle_before(plan, &t, end) != Some(Switch::Off) {
                continue;
            }
            let flip = match flips.iter().find(|(name, _)| *name == t) {
                Some(&(_, flip)) => flip,
                None => {
                    parts.push(Part {
                        step: Step::Flip {
                            id: fresh(format!("{}-on", slug(&t))),
                            toggle: t.clone(),
                            to: Switch::On,
                            title: format!("Turn \"{t}\" on"),
                            shipped: false,
                            notes: None,
                        },
                        comp: None,
                        class: Class::Flip,
                        after: Vec::new(),
                    });
                    flips.push((t.clone(), parts.len() - 1));
                    parts.len() - 1
                }
            };
            parts[p].after.push(flip);
        }
    }

    let moved: Vec<&str> = works
        .iter()
        .map(|w| plan.components[w.comp].id.as_str())
        .collect();
    let order = order(plan, &report, &toggles, &moved, &parts, &mut notes);
    Draft {
        steps: order.iter().map(|&p| parts[p].step.clone()).collect(),
        toggles,
        notes,
    }
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

/// Orders the parts cluster by cluster (see [`arrange`]) and notes what is still wrong
/// at the drafted steps, or short of a drafted component's target. `report` is the
/// plan's; `moved` are the ids of the drafted components.
fn order(
    plan: &Plan,
    report: &Report,
    toggles: &[Toggle],
    moved: &[&str],
    parts: &[Part],
    notes: &mut Vec<String>,
) -> Vec<usize> {
    let nc = plan.components.len();
    let index_of = |id: &str| {
        plan.components
            .iter()
            .position(|c| c.id.trim() == id.trim())
    };
    let mut cl = Clusters::new(nc);
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
        if let Some(c) = step.component().and_then(index_of) {
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
        let in_cluster: Vec<bool> = (0..nc).map(|c| cl.root(c) == root).collect();
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
                    index_of(component).is_some_and(|c| in_cluster[c])
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
                    .is_none_or(|id| sub.steps.iter().any(|s| s.id().trim() == id.trim()))
            })
            .cloned()
            .collect();
        let base = sub.steps.len();
        let (placed, report) = arrange(&mut sub, parts, &members);
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
        order.extend(placed);
    }
    order
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
