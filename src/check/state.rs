//! One cluster's state and its evaluation: which facts are active, which keys are
//! available, which uses are broken, and how the data stores' bookkeeping moves.
//!
//! Ids here are dense and local to a cluster (see `index`), so evaluation costs the size
//! of the cluster, not of the plan.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use crate::plan::Access;

/// A fact with interned key, toggle and interface ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Atom {
    pub access: Access,
    pub key: u32,
    pub tolerant: bool,
    pub gate: Option<u32>,
    pub serving: Option<u32>,
}

/// A change of a release, compiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Add(Atom),
    Remove {
        access: Access,
        key: u32,
        serving: Option<u32>,
    },
    Ungate(u32),
    Backfill {
        into: u32,
        from: u32,
    },
}

/// What a change actually did, kept so that it can be reverted later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Added(Atom),
    Removed(Vec<Atom>),
    Ungated(Vec<(Atom, Atom)>),
    Flipped { toggle: u32, to: bool },
    Nothing,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    /// Facts per component; shared between snapshots until a release changes them.
    pub facts: Vec<Rc<Vec<Atom>>>,
    pub toggles: Vec<bool>,
}

impl State {
    /// Applies one change to a component, returning what it did.
    pub fn apply(&mut self, comp: u32, op: Op) -> Effect {
        let facts = &self.facts[comp as usize];
        match op {
            Op::Add(atom) => {
                if facts.contains(&atom) {
                    return Effect::Nothing;
                }
                Rc::make_mut(&mut self.facts[comp as usize]).push(atom);
                Effect::Added(atom)
            }
            Op::Remove {
                access,
                key,
                serving,
            } => {
                let hit = |a: &Atom| {
                    (a.access == access
                        && a.key == key
                        && (serving.is_none() || a.serving == serving))
                        || (access == Access::Provide && a.serving == Some(key))
                };
                if !facts.iter().any(hit) {
                    return Effect::Nothing;
                }
                let list = Rc::make_mut(&mut self.facts[comp as usize]);
                let removed: Vec<Atom> = list.iter().copied().filter(|a| hit(a)).collect();
                list.retain(|a| !hit(a));
                Effect::Removed(removed)
            }
            Op::Ungate(toggle) => {
                if !facts.iter().any(|a| a.gate == Some(toggle)) {
                    return Effect::Nothing;
                }
                let list = Rc::make_mut(&mut self.facts[comp as usize]);
                let mut pairs = Vec::new();
                let mut kept: Vec<Atom> = Vec::with_capacity(list.len());
                for atom in list.iter().copied() {
                    let plain = if atom.gate == Some(toggle) {
                        let plain = Atom { gate: None, ..atom };
                        pairs.push((atom, plain));
                        plain
                    } else {
                        atom
                    };
                    if !kept.contains(&plain) {
                        kept.push(plain);
                    }
                }
                *list = kept;
                Effect::Ungated(pairs)
            }
            Op::Backfill { .. } => Effect::Nothing,
        }
    }

    /// Undoes what a change did, as far as the state still shows it. Returns whether
    /// anything changed.
    pub fn revert(&mut self, comp: Option<u32>, effect: &Effect) -> bool {
        match (effect, comp) {
            (Effect::Flipped { toggle, to }, _) => {
                let slot = &mut self.toggles[*toggle as usize];
                let changed = *slot == *to;
                *slot = !*to;
                changed
            }
            (Effect::Added(atom), Some(comp)) => {
                if !self.facts[comp as usize].contains(atom) {
                    return false;
                }
                Rc::make_mut(&mut self.facts[comp as usize]).retain(|a| a != atom);
                true
            }
            (Effect::Removed(atoms), Some(comp)) => {
                let missing: Vec<Atom> = atoms
                    .iter()
                    .copied()
                    .filter(|a| !self.facts[comp as usize].contains(a))
                    .collect();
                if missing.is_empty() {
                    return false;
                }
                Rc::make_mut(&mut self.facts[comp as usize]).extend(missing);
                true
            }
            (Effect::Ungated(pairs), Some(comp)) => {
                let list = &self.facts[comp as usize];
                if !pairs.iter().any(|(_, plain)| list.contains(plain)) {
                    return false;
                }
                let list = Rc::make_mut(&mut self.facts[comp as usize]);
                for (gated, plain) in pairs {
                    if let Some(slot) = list.iter_mut().find(|a| *a == plain) {
                        *slot = *gated;
                    }
                }
                true
            }
            _ => false,
        }
    }
}

/// A write that lands in an available key while a state is live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Landed {
    pub comp: u32,
    pub serving: Option<u32>,
    pub key: u32,
}

/// What is true of a state: activity, availability, breaks, writes and reads.
#[derive(Debug, Clone, Default)]
pub struct Eval {
    pub available: Vec<bool>,
    /// Some stateful component has a `Provide` of the key, active or not.
    pub store_exists: Vec<bool>,
    /// Broken uses, one per component and key, sorted.
    pub broken: Vec<(u32, u32, Access)>,
    pub writes: Vec<Landed>,
    /// Active reads of available keys: (component, key).
    pub reads: Vec<(u32, u32)>,
}

impl Eval {
    pub fn store_available(&self, key: u32) -> bool {
        self.store_exists[key as usize] && self.available[key as usize]
    }
}

/// Evaluates a state: the least fixpoint of `Serving` activity, then everything that
/// follows from it.
pub fn evaluate(state: &State, stateful: &[bool], key_count: usize) -> Eval {
    let comps = state.facts.len();
    let mut active: Vec<Vec<bool>> = state.facts.iter().map(|f| vec![false; f.len()]).collect();
    let mut provides: HashSet<(u32, u32)> = HashSet::new();
    let mut users = vec![0u32; key_count];
    let mut users_by: HashMap<(u32, u32), u32> = HashMap::new();
    let mut pending: HashMap<u32, Vec<(u32, u32)>> = HashMap::new();
    let mut work: Vec<(u32, u32)> = Vec::new();

    for (c, facts) in state.facts.iter().enumerate() {
        for (f, atom) in facts.iter().enumerate() {
            if atom.gate.is_some_and(|t| !state.toggles[t as usize]) {
                continue;
            }
            match atom.serving {
                None => work.push((c as u32, f as u32)),
                Some(interface) => pending
                    .entry(interface)
                    .or_default()
                    .push((c as u32, f as u32)),
            }
        }
    }

    while let Some((c, f)) = work.pop() {
        let slot = &mut active[c as usize][f as usize];
        if *slot {
            continue;
        }
        *slot = true;
        let atom = state.facts[c as usize][f as usize];
        if atom.access == Access::Provide {
            provides.insert((c, atom.key));
        } else {
            users[atom.key as usize] += 1;
            *users_by.entry((c, atom.key)).or_default() += 1;
        }
        // Facts serving this key may have just become active.
        if let Some(waiting) = pending.get_mut(&atom.key) {
            let mut i = 0;
            while i < waiting.len() {
                let (sc, sf) = waiting[i];
                let others =
                    users[atom.key as usize] - users_by.get(&(sc, atom.key)).copied().unwrap_or(0);
                if provides.contains(&(sc, atom.key)) && others > 0 {
                    work.push((sc, sf));
                    waiting.swap_remove(i);
                } else {
                    i += 1;
                }
            }
        }
    }

    let mut available = vec![false; key_count];
    let mut store_exists = vec![false; key_count];
    for &(_, key) in &provides {
        available[key as usize] = true;
    }
    for (c, facts) in state.facts.iter().enumerate().take(comps) {
        if stateful[c] {
            for atom in facts.iter().filter(|a| a.access == Access::Provide) {
                store_exists[atom.key as usize] = true;
            }
        }
    }

    let mut broken = Vec::new();
    let mut writes = Vec::new();
    let mut reads = Vec::new();
    for (c, facts) in state.facts.iter().enumerate() {
        for (f, atom) in facts.iter().enumerate() {
            if !active[c][f] || atom.access == Access::Provide {
                continue;
            }
            let up = available[atom.key as usize];
            if !up && !atom.tolerant {
                broken.push((c as u32, atom.key, atom.access));
            }
            if up {
                match atom.access {
                    Access::Write => writes.push(Landed {
                        comp: c as u32,
                        serving: atom.serving,
                        key: atom.key,
                    }),
                    Access::Read => reads.push((c as u32, atom.key)),
                    _ => {}
                }
            }
        }
    }
    // One break per component and key; a broken write names it, since it loses data.
    broken.sort_by_key(|&(c, k, access)| (c, k, access != Access::Write, access));
    broken.dedup_by_key(|b| (b.0, b.1));
    reads.sort();
    reads.dedup();
    Eval {
        available,
        store_exists,
        broken,
        writes,
        reads,
    }
}

/// A data store's bookkeeping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Store {
    pub exists: bool,
    pub holds_data: bool,
    /// False once a gap opened: writes to the store it mirrors did not reach it.
    pub complete: bool,
    /// True once the store mirroring this one got writes that this one did not.
    pub behind: bool,
    pub mirror_of: Option<u32>,
}

impl Store {
    const ABSENT: Store = Store {
        exists: false,
        holds_data: false,
        complete: true,
        behind: false,
        mirror_of: None,
    };
}

/// The stores before the first step: whatever `current` provides holds data.
pub fn initial_stores(eval: &Eval) -> Vec<Store> {
    eval.store_exists
        .iter()
        .map(|&exists| Store {
            exists,
            holds_data: exists,
            ..Store::ABSENT
        })
        .collect()
}

/// What moving the stores' bookkeeping to a new state did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Events {
    /// Stores that stopped existing while holding data: (key, data kept elsewhere).
    pub dropped: Vec<(u32, bool)>,
    /// Backfills whose stores were not both available: (into, from).
    pub bad_backfills: Vec<(u32, u32)>,
    /// Backfills that cleared a store's marks.
    pub backfilled: Vec<u32>,
    /// Gaps that opened: (mirror, mirrored store, component whose write it missed).
    pub gaps: Vec<(u32, u32, u32)>,
    /// Stores that fell behind: (store, its mirror, component whose write it missed).
    pub behind: Vec<(u32, u32, u32)>,
    /// Incomplete mirrors whose source stopped existing: they became the only copy.
    pub only_copy: Vec<u32>,
    /// Active reads of stores that are behind: (component, key), sorted.
    pub stale: Vec<(u32, u32)>,
    /// Active reads of incomplete stores: (component, key), sorted.
    pub gap_reads: Vec<(u32, u32)>,
}

/// Whether a store's data survives elsewhere if it stops being provided.
fn kept_elsewhere(key: u32, stores: &[Store], eval: &Eval) -> bool {
    let store = stores[key as usize];
    if let Some(source) = store.mirror_of
        && eval.store_available(source)
        && !stores[source as usize].behind
    {
        return true;
    }
    stores.iter().enumerate().any(|(m, mirror)| {
        mirror.mirror_of == Some(key) && mirror.complete && eval.store_available(m as u32)
    })
}

/// Moves the bookkeeping of `stores` to the state `eval` describes, applying the
/// release's backfills and the writes made while that state is live.
pub fn advance(stores: &mut [Store], eval: &Eval, backfills: &[(u32, u32)]) -> Events {
    let mut events = Events::default();
    for key in 0..stores.len() {
        let exists = eval.store_exists[key];
        let store = stores[key];
        if store.exists && !exists {
            if store.holds_data {
                let kept = kept_elsewhere(key as u32, stores, eval);
                events.dropped.push((key as u32, kept));
            }
            for (m, mirror) in stores.iter().enumerate() {
                if mirror.mirror_of == Some(key as u32) && mirror.exists && !mirror.complete {
                    events.only_copy.push(m as u32);
                }
            }
            stores[key] = Store::ABSENT;
        } else if !store.exists && exists {
            stores[key] = Store {
                exists: true,
                ..Store::ABSENT
            };
        }
    }

    for &(into, from) in backfills {
        if !(eval.store_available(into) && eval.store_available(from)) || into == from {
            events.bad_backfills.push((into, from));
            continue;
        }
        let source = stores[from as usize];
        let target = &mut stores[into as usize];
        target.complete = source.complete;
        target.behind = false;
        target.mirror_of = Some(from);
        target.holds_data |= source.holds_data;
        events.backfilled.push(into);
    }

    for write in &eval.writes {
        let store = &mut stores[write.key as usize];
        if store.exists {
            store.holds_data = true;
        }
    }

    let mirrored: Vec<(u32, u32)> = stores
        .iter()
        .enumerate()
        .filter_map(|(k, s)| s.mirror_of.map(|g| (k as u32, g)))
        .filter(|&(k, g)| eval.store_available(k) && eval.store_available(g))
        .collect();
    if !mirrored.is_empty() {
        let mut by_key: HashMap<u32, Vec<(u32, Option<u32>)>> = HashMap::new();
        for w in &eval.writes {
            by_key.entry(w.key).or_default().push((w.comp, w.serving));
        }
        let none = Vec::new();
        // `x` matches `w` when the same component writes it under the same interface,
        // or with no interface at all.
        let matched = |w: &(u32, Option<u32>), others: &[(u32, Option<u32>)]| {
            others
                .iter()
                .any(|x| x.0 == w.0 && (x.1 == w.1 || x.1.is_none()))
        };
        for (k, g) in mirrored {
            let to_source = by_key.get(&g).unwrap_or(&none);
            let to_mirror = by_key.get(&k).unwrap_or(&none);
            if let Some(w) = to_source.iter().find(|w| !matched(w, to_mirror)) {
                if stores[k as usize].complete {
                    events.gaps.push((k, g, w.0));
                }
                stores[k as usize].complete = false;
            }
            if let Some(w) = to_mirror.iter().find(|w| !matched(w, to_source)) {
                if !stores[g as usize].behind {
                    events.behind.push((g, k, w.0));
                }
                stores[g as usize].behind = true;
            }
        }
    }

    for &(comp, key) in &eval.reads {
        let store = stores[key as usize];
        if !store.exists {
            continue;
        }
        if store.behind {
            events.stale.push((comp, key));
        }
        if !store.complete {
            events.gap_reads.push((comp, key));
        }
    }
    events
}
