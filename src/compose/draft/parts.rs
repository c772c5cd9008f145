//! The drafted parts: for each component to move, its chain of releases split by the
//! patterns (double write, expand, read-new, migrate, contract), then what orders the
//! parts (the backfill after the double writes, the old store after the backfill) and
//! the flips that must come before an ungate.

use super::{Move, Work};
use crate::compose::edit::{fresh_id, slug, toggle_before};
use crate::compose::patterns::release;
use crate::plan::{Access, Change, Fact, Plan, Step, Switch};

/// The pattern a drafted step belongs to; the greedy order prefers the earlier ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Class {
    DoubleWrite,
    StoreAdd,
    Expand,
    ReadMigrate,
    Migrate,
    Flip,
    Contract,
    StoreDrop,
}

pub(super) struct Part {
    pub step: Step,
    /// The component it releases (its index), or none for a flip.
    pub comp: Option<usize>,
    pub class: Class,
    /// Parts that must be placed before this one.
    pub after: Vec<usize>,
}

/// The parts drafted so far, and what the moves of data need to order them.
pub(super) struct Parts<'p> {
    plan: &'p Plan,
    moves: &'p [Move],
    pub list: Vec<Part>,
    /// Per move: its double writes, the release that adds (and backfills) the new store,
    /// and the release that drops the old one.
    double_writes: Vec<Vec<usize>>,
    store_adds: Vec<Option<usize>>,
    store_drops: Vec<Option<usize>>,
    /// Step ids in use: the plan's and the drafted ones.
    ids: Vec<String>,
}

/// One component's chain of releases as it is drafted: each release comes after the one
/// before, and `facts` are the component's facts once the chain so far has shipped.
struct Chain {
    /// The component's index in the plan and in the works.
    comp: usize,
    work: usize,
    id: String,
    base: String,
    facts: Vec<Fact>,
    releases: Vec<usize>,
}

impl<'p> Parts<'p> {
    pub(super) fn new(plan: &'p Plan, moves: &'p [Move]) -> Parts<'p> {
        Parts {
            plan,
            moves,
            list: Vec::new(),
            double_writes: vec![Vec::new(); moves.len()],
            store_adds: vec![None; moves.len()],
            store_drops: vec![None; moves.len()],
            ids: plan.steps.iter().map(|s| s.id().to_string()).collect(),
        }
    }

    /// A step id from `base` that neither the plan nor the draft has yet.
    fn fresh(&mut self, base: String) -> String {
        let id = fresh_id(|x| self.ids.iter().any(|i| i == x), &base);
        self.ids.push(id.clone());
        id
    }

    /// Adds a release of `changes` to the chain, after its last release; returns its part.
    fn push(
        &mut self,
        chain: &mut Chain,
        suffix: &str,
        title: String,
        changes: Vec<Change>,
        class: Class,
    ) -> usize {
        let id = self.fresh(format!("{}-{suffix}", chain.base));
        self.list.push(Part {
            step: release(id, &chain.id, title, changes),
            comp: Some(chain.comp),
            class,
            after: chain.releases.last().copied().into_iter().collect(),
        });
        chain.releases.push(self.list.len() - 1);
        self.list.len() - 1
    }

    /// The chain of releases that takes the component of `works[wi]` to its target.
    pub(super) fn component(&mut self, wi: usize, w: &Work) {
        let id = self.plan.components[w.comp].id.trim().to_string();
        let mut chain = Chain {
            comp: w.comp,
            work: wi,
            base: slug(&id),
            id,
            facts: w.from.clone(),
            releases: Vec::new(),
        };
        self.double_write(&mut chain);
        self.expand(&mut chain, w);
        self.read_new(&mut chain, w);
        let gone_keys = w.provides_changed(false);
        self.migrate(&mut chain, w, &gone_keys);
        self.contract(&mut chain, w, &gone_keys);
    }

    /// Double writes: the component also writes each store its writes move to.
    fn double_write(&mut self, chain: &mut Chain) {
        let moves = self.moves;
        let mut changes = Vec::new();
        let mut into: Vec<usize> = Vec::new();
        for (m, mv) in moves.iter().enumerate() {
            if !mv.writers.contains(&chain.work) {
                continue;
            }
            for f in chain.facts.clone() {
                if f.access == Access::Write && f.key == mv.old {
                    let change = Change::Add(Fact {
                        key: mv.new.clone(),
                        tolerant: true,
                        ..f
                    });
                    if change.apply_to(&mut chain.facts) {
                        changes.push(change);
                    }
                }
            }
            into.push(m);
        }
        if changes.is_empty() {
            return;
        }
        let news = quoted_list(into.iter().map(|&m| &moves[m].new));
        let title = format!("{} also writes {news}, tolerating failure", chain.id);
        let p = self.push(chain, "double-write", title, changes, Class::DoubleWrite);
        for m in into {
            self.double_writes[m].push(p);
        }
    }

    /// Expand: what the component newly provides, and what it does while serving it; a
    /// store also backfills its new stores from the ones they replace.
    fn expand(&mut self, chain: &mut Chain, w: &Work) {
        let moves = self.moves;
        let new_keys = w.provides_changed(true);
        let mut changes = Vec::new();
        for f in &w.to {
            let about_new = (f.access == Access::Provide && new_keys.contains(&f.key))
                || f.serving.as_ref().is_some_and(|i| new_keys.contains(i));
            let change = Change::Add(f.clone());
            if about_new && change.apply_to(&mut chain.facts) {
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
        if changes.is_empty() {
            return;
        }
        let (id, keys) = (&chain.id, quoted_list(&new_keys));
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
        let p = self.push(chain, "expand", title, changes, class);
        for m in filled {
            self.store_adds[m] = Some(p);
        }
    }

    /// Reads first, for all but the first component that reads and writes a move.
    fn read_new(&mut self, chain: &mut Chain, w: &Work) {
        for mv in self.moves {
            if !mv.reading_writers.iter().skip(1).any(|&x| x == chain.work) {
                continue;
            }
            let mut desired: Vec<Fact> = chain
                .facts
                .iter()
                .filter(|f| !(f.access == Access::Read && f.key == mv.old))
                .cloned()
                .collect();
            desired.extend(
                w.to.iter()
                    .filter(|f| f.access == Access::Read && f.key == mv.new)
                    .cloned(),
            );
            let changes = diff(&mut chain.facts, &desired);
            if !changes.is_empty() {
                let title = format!(
                    "{} reads \"{}\" instead of \"{}\"",
                    chain.id, mv.new, mv.old
                );
                self.push(chain, "read-new", title, changes, Class::ReadMigrate);
            }
        }
    }

    /// Migrate: every other change, but dropping what the component stops providing.
    fn migrate(&mut self, chain: &mut Chain, w: &Work, gone_keys: &[String]) {
        let mut desired = w.to.clone();
        for f in &chain.facts {
            let about_gone = (f.access == Access::Provide && gone_keys.contains(&f.key))
                || f.serving.as_ref().is_some_and(|i| gone_keys.contains(i));
            if about_gone && !desired.contains(f) {
                desired.push(f.clone());
            }
        }
        let changes = diff(&mut chain.facts, &desired);
        if changes.is_empty() {
            return;
        }
        let writes = changes.iter().any(|c| match c {
            Change::Add(f) | Change::Remove(f) => f.access == Access::Write,
            _ => false,
        });
        let class = if writes {
            Class::Migrate
        } else {
            Class::ReadMigrate
        };
        let title = migrate_title(&chain.id, &changes);
        self.push(chain, "migrate", title, changes, class);
    }

    /// Contract: what the component stops providing; a store drops its old stores.
    fn contract(&mut self, chain: &mut Chain, w: &Work, gone_keys: &[String]) {
        let changes = diff(&mut chain.facts, &w.to);
        if changes.is_empty() {
            return;
        }
        let (id, keys) = (&chain.id, quoted_list(gone_keys));
        let (class, title, name) = if w.stateful {
            (Class::StoreDrop, format!("{id} drops {keys}"), "drop")
        } else {
            (
                Class::Contract,
                format!("{id} stops providing {keys}"),
                "contract",
            )
        };
        let p = self.push(chain, name, title, changes, class);
        for (m, mv) in self.moves.iter().enumerate() {
            if w.stateful && gone_keys.contains(&mv.old) {
                self.store_drops[m] = Some(p);
            }
        }
    }

    /// The backfill after the double writes; the old store after the backfill.
    pub(super) fn order_moves(&mut self) {
        for m in 0..self.moves.len() {
            if let Some(add) = self.store_adds[m] {
                self.list[add]
                    .after
                    .extend(self.double_writes[m].iter().copied());
                if let Some(drop) = self.store_drops[m]
                    && drop != add
                {
                    self.list[drop].after.push(add);
                }
            }
        }
    }

    /// A toggle that is Off at the end and that a migration ungates: flip it On first.
    pub(super) fn flips_first(&mut self) {
        let plan = self.plan;
        let end = plan.steps.len();
        let mut flips: Vec<(String, usize)> = Vec::new();
        for p in 0..self.list.len() {
            let ungated: Vec<String> = self.list[p]
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
                        let flip = self.flip(&t);
                        flips.push((t.clone(), flip));
                        flip
                    }
                };
                self.list[p].after.push(flip);
            }
        }
    }

    /// A flip of `toggle` to On; returns its part.
    fn flip(&mut self, toggle: &str) -> usize {
        let step = Step::Flip {
            id: self.fresh(format!("{}-on", slug(toggle))),
            toggle: toggle.to_string(),
            to: Switch::On,
            title: format!("Turn \"{toggle}\" on"),
            shipped: false,
            notes: None,
        };
        self.list.push(Part {
            step,
            comp: None,
            class: Class::Flip,
            after: Vec::new(),
        });
        self.list.len() - 1
    }
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
            change.apply_to(facts);
            changes.push(change);
        }
    }
    for f in facts.clone() {
        if !to.contains(&f) && facts.contains(&f) {
            let change = Change::Remove(f);
            change.apply_to(facts);
            changes.push(change);
        }
    }
    for f in to {
        let change = Change::Add(f.clone());
        if change.apply_to(facts) {
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
