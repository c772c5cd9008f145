//! One cluster's state and its evaluation: which facts are active, which keys are
//! available, which uses are broken, and how the data stores' bookkeeping moves.
//!
//! Ids here are dense and local to a cluster (see `index`), so evaluation costs the size
//! of the cluster, not of the plan.

use rustc_hash::FxHashSet as HashSet;
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

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    /// Facts per component; shared between snapshots until a release changes them.
    pub facts: Vec<Rc<Vec<Atom>>>,
    pub toggles: Vec<bool>,
}

impl State {
    /// Applies one change to a component, returning what it did.
    pub fn apply(&mut self, comp: u32, op: Op) -> Effect {
        apply(&mut self.facts[comp as usize], op)
    }

    /// The state as the evaluator reads it.
    pub fn view(&self) -> View<'_> {
        View {
            facts: &self.facts,
            toggles: &self.toggles,
            patch: None,
        }
    }
}

/// A state to evaluate: a snapshot's facts and toggles, with one component's facts
/// possibly replaced (so that a revert is judged without copying the snapshot).
#[derive(Clone, Copy)]
pub struct View<'a> {
    pub facts: &'a [Rc<Vec<Atom>>],
    pub toggles: &'a [bool],
    pub patch: Option<(u32, &'a [Atom])>,
}

impl<'a> View<'a> {
    pub fn facts(&self, c: usize) -> &'a [Atom] {
        match self.patch {
            Some((p, facts)) if p as usize == c => facts,
            _ => &self.facts[c],
        }
    }

    pub fn comps(&self) -> impl Iterator<Item = (usize, &'a [Atom])> + '_ {
        (0..self.facts.len()).map(|c| (c, self.facts(c)))
    }
}

/// Undoes what a change did to a component's facts, as far as `facts` still shows it
/// (an `Added` names the fact in the form it has now; see `follow`). Returns whether
/// anything changed. (A flip is undone on the toggles, not here.)
pub fn revert(facts: &mut Vec<Atom>, effect: &Effect) -> bool {
    match effect {
        Effect::Added(atom) => {
            if !facts.contains(atom) {
                return false;
            }
            facts.retain(|a| a != atom);
            true
        }
        Effect::Removed(atoms) => {
            let before = facts.len();
            for atom in atoms {
                // What the release removed comes back, unless a later step added it again.
                if !facts[..before].contains(atom) {
                    facts.push(*atom);
                }
            }
            facts.len() > before
        }
        Effect::Ungated(pairs) => {
            if !pairs.iter().any(|(_, plain)| facts.contains(plain)) {
                return false;
            }
            for (gated, plain) in pairs {
                if let Some(slot) = facts.iter_mut().find(|a| *a == plain) {
                    *slot = *gated;
                }
            }
            true
        }
        Effect::Flipped { .. } | Effect::Nothing => false,
    }
}

/// Whether `Remove` of (access, key, serving) takes `atom` away: same base access and key
/// (and interface, if the `Remove` names one), or a use serving a provided key.
fn removes(access: Access, key: u32, serving: Option<u32>, atom: &Atom) -> bool {
    (atom.access == access && atom.key == key && (serving.is_none() || atom.serving == serving))
        || (access == Access::Provide && atom.serving == Some(key))
}

/// The form a fact that an `Add` put there has after a later change of its component: an
/// `Ungate` strips its gate; a `Remove` that matches it takes it away (`None`).
pub fn follow(atom: Atom, op: Op) -> Option<Atom> {
    match op {
        Op::Remove {
            access,
            key,
            serving,
        } if removes(access, key, serving, &atom) => None,
        Op::Ungate(toggle) if atom.gate == Some(toggle) => Some(Atom { gate: None, ..atom }),
        _ => Some(atom),
    }
}

/// Applies one change to a component's facts, returning what it did; the list is copied
/// only when the change changes it (snapshots share it until then).
pub fn apply(facts: &mut Rc<Vec<Atom>>, op: Op) -> Effect {
    match op {
        Op::Add(atom) => {
            if facts.contains(&atom) {
                return Effect::Nothing;
            }
            match Rc::get_mut(facts) {
                Some(list) => list.push(atom),
                None => {
                    // Copy with room for the new fact, rather than copy and then grow.
                    let mut list = Vec::with_capacity(facts.len() + 1);
                    list.extend_from_slice(facts);
                    list.push(atom);
                    *facts = Rc::new(list);
                }
            }
            Effect::Added(atom)
        }
        Op::Remove {
            access,
            key,
            serving,
        } => {
            let hit = |a: &Atom| removes(access, key, serving, a);
            if !facts.iter().any(hit) {
                return Effect::Nothing;
            }
            let list = Rc::make_mut(facts);
            let removed: Vec<Atom> = list.iter().copied().filter(|a| hit(a)).collect();
            list.retain(|a| !hit(a));
            Effect::Removed(removed)
        }
        Op::Ungate(toggle) => {
            if !facts.iter().any(|a| a.gate == Some(toggle)) {
                return Effect::Nothing;
            }
            let list = Rc::make_mut(facts);
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

/// A component's facts being replayed, with a set beside a long list: adding to a
/// component that keeps growing does not search its whole list every time. Most
/// components are short, and searching their list costs less than keeping a set.
pub struct Replayed {
    pub list: Rc<Vec<Atom>>,
    set: Option<HashSet<Atom>>,
}

impl Replayed {
    /// Lists longer than this get a set.
    const SEARCHED: usize = 16;

    pub fn new(list: Rc<Vec<Atom>>) -> Self {
        let mut replayed = Replayed { list, set: None };
        replayed.index_if_long();
        replayed
    }

    fn index_if_long(&mut self) {
        if self.set.is_none() && self.list.len() > Self::SEARCHED {
            self.set = Some(self.list.iter().copied().collect());
        }
    }

    /// Applies one change, as `apply` does.
    pub fn apply(&mut self, op: Op) {
        if let Op::Add(atom) = op {
            let new = match &mut self.set {
                Some(set) => set.insert(atom),
                None => !self.list.contains(&atom),
            };
            if new {
                Rc::make_mut(&mut self.list).push(atom);
                self.index_if_long();
            }
            return;
        }
        let effect = apply(&mut self.list, op);
        let Some(set) = &mut self.set else { return };
        match effect {
            Effect::Removed(atoms) => {
                for atom in &atoms {
                    set.remove(atom);
                }
            }
            Effect::Ungated(pairs) => {
                for (gated, plain) in &pairs {
                    set.remove(gated);
                    set.insert(*plain);
                }
            }
            _ => {}
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

/// Which facts of a state are active, by component and place in its list.
#[derive(Debug, Clone, Default)]
pub struct Activity {
    offsets: Vec<usize>,
    active: Vec<bool>,
}

impl Activity {
    pub fn get(&self, c: usize, f: usize) -> bool {
        self.active[self.offsets[c] + f]
    }
}

/// Evaluates states of one cluster, reusing its scratch space from call to call (the
/// rollback analysis evaluates thousands of states per check).
#[derive(Debug, Default)]
pub struct Evaluator {
    stateful: Vec<bool>,
    key_count: usize,
    offsets: Vec<usize>,
    active: Vec<bool>,
    /// Per key: the components with an active `Provide` of it (a handful at most).
    providers: Vec<Vec<u32>>,
    /// Per key: active uses, the first component using it, and whether a second does.
    users: Vec<u32>,
    first_user: Vec<u32>,
    many_users: Vec<bool>,
    /// Per interface: the `Serving` facts waiting for it, as (component, fact).
    pending: Vec<Vec<(u32, u32)>>,
    work: Vec<(u32, u32)>,
    /// The result, rebuilt in place by every call.
    out: Eval,
}

impl Evaluator {
    /// Readies the evaluator for a cluster, keeping the space it already has.
    pub fn reset(&mut self, stateful: impl Iterator<Item = bool>, key_count: usize) {
        self.stateful.clear();
        self.stateful.extend(stateful);
        self.key_count = key_count;
        // The lists per key only grow: a shorter cluster leaves the rest unused, and the next
        // longer one reuses their space instead of allocating it again.
        if self.providers.len() < key_count {
            self.providers.resize_with(key_count, Vec::new);
            self.pending.resize_with(key_count, Vec::new);
        }
        self.users.resize(key_count, 0);
        self.first_user.resize(key_count, u32::MAX);
        self.many_users.resize(key_count, false);
    }

    fn activate(&mut self, state: View, c: u32, f: u32) {
        let slot = self.offsets[c as usize] + f as usize;
        if self.active[slot] {
            return;
        }
        self.active[slot] = true;
        let atom = state.facts(c as usize)[f as usize];
        let k = atom.key as usize;
        if atom.access == Access::Provide {
            if !self.providers[k].contains(&c) {
                self.providers[k].push(c);
            }
        } else {
            if self.users[k] == 0 {
                self.first_user[k] = c;
            } else if self.first_user[k] != c {
                self.many_users[k] = true;
            }
            self.users[k] += 1;
        }
        // Facts serving this key may have just become active.
        let mut i = 0;
        while i < self.pending[k].len() {
            let (sc, sf) = self.pending[k][i];
            let others = self.users[k] > 0 && (self.many_users[k] || self.first_user[k] != sc);
            if others && self.providers[k].contains(&sc) {
                self.work.push((sc, sf));
                self.pending[k].swap_remove(i);
            } else {
                i += 1;
            }
        }
    }

    /// What the last state evaluated makes true.
    pub fn last(&self) -> &Eval {
        &self.out
    }

    /// Which facts of the last state evaluated are active, copied into `into`.
    pub fn save_activity(&self, into: &mut Activity) {
        into.offsets.clone_from(&self.offsets);
        into.active.clone_from(&self.active);
    }

    /// Whether fact `f` of component `c` is active in the last state evaluated.
    pub fn is_active(&self, c: usize, f: usize) -> bool {
        self.active[self.offsets[c] + f]
    }

    /// Evaluates a state: the least fixpoint of `Serving` activity, then everything that
    /// follows from it.
    pub fn evaluate(&mut self, state: View) -> &Eval {
        self.clear(state);
        self.seed(state);
        while let Some((c, f)) = self.work.pop() {
            self.activate(state, c, f);
        }
        self.judge_uses(state);
        &self.out
    }

    /// Empties the scratch space and sizes it for `state`.
    fn clear(&mut self, state: View) {
        let key_count = self.key_count;
        for k in 0..key_count {
            self.providers[k].clear();
            self.pending[k].clear();
        }
        self.users.fill(0);
        self.many_users.fill(false);
        self.offsets.clear();
        let mut total = 0;
        for (_, facts) in state.comps() {
            self.offsets.push(total);
            total += facts.len();
        }
        self.active.clear();
        self.active.resize(total, false);
        self.work.clear();
    }

    /// Which stores exist, and the facts active from the start: those not gated off and
    /// not serving an interface (a `Serving` fact waits for its interface).
    fn seed(&mut self, state: View) {
        let key_count = self.key_count;
        let store_exists = &mut self.out.store_exists;
        store_exists.clear();
        store_exists.resize(key_count, false);
        for (c, facts) in state.comps() {
            for (f, atom) in facts.iter().enumerate() {
                if self.stateful[c] && atom.access == Access::Provide {
                    store_exists[atom.key as usize] = true;
                }
                if atom.gate.is_some_and(|t| !state.toggles[t as usize]) {
                    continue;
                }
                match atom.serving {
                    None => self.work.push((c as u32, f as u32)),
                    Some(interface) => self.pending[interface as usize].push((c as u32, f as u32)),
                }
            }
        }
    }

    /// What the active facts make of each use: available, broken, a write or a read that
    /// lands.
    fn judge_uses(&mut self, state: View) {
        let Evaluator {
            offsets,
            active,
            providers,
            key_count,
            out,
            ..
        } = self;
        let active = |c: usize, f: usize| active[offsets[c] + f];
        out.available.clear();
        out.available
            .extend(providers[..*key_count].iter().map(|p| !p.is_empty()));
        out.broken.clear();
        out.writes.clear();
        out.reads.clear();
        for (c, facts) in state.comps() {
            for (f, atom) in facts.iter().enumerate() {
                if !active(c, f) || atom.access == Access::Provide {
                    continue;
                }
                let up = out.available[atom.key as usize];
                if !up && !atom.tolerant {
                    out.broken.push((c as u32, atom.key, atom.access));
                }
                if up {
                    match atom.access {
                        Access::Write => out.writes.push(Landed {
                            comp: c as u32,
                            serving: atom.serving,
                            key: atom.key,
                        }),
                        Access::Read => out.reads.push((c as u32, atom.key)),
                        _ => {}
                    }
                }
            }
        }
        // One break per component and key; a broken write names it, since it loses data.
        out.broken
            .sort_by_key(|&(c, k, access)| (c, k, access != Access::Write, access));
        out.broken.dedup_by_key(|b| (b.0, b.1));
        out.reads.sort();
        out.reads.dedup();
    }
}

/// A data store's bookkeeping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Store {
    pub exists: bool,
    pub holds_data: bool,
    /// Holds rows that the store it mirrors may not have: it came from `current`, or was
    /// written before it became a mirror.
    pub own_rows: bool,
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
        own_rows: false,
        complete: true,
        behind: false,
        mirror_of: None,
    };

    const NEW: Store = Store {
        exists: true,
        ..Store::ABSENT
    };
}

/// The stores before the first step: whatever `current` provides holds rows of its own.
pub fn initial_stores(eval: &Eval) -> Vec<Store> {
    eval.store_exists
        .iter()
        .map(|&exists| Store {
            exists,
            holds_data: exists,
            own_rows: exists,
            ..Store::ABSENT
        })
        .collect()
}

/// A `Backfill` of a release, with whether both stores were available at its point of the
/// release (after the changes before it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backfill {
    pub into: u32,
    pub from: u32,
    pub ok: bool,
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
    /// Gaps that opened: (mirror, mirrored store, component whose write it missed, the
    /// interface that write served).
    pub gaps: Vec<(u32, u32, u32, Option<u32>)>,
    /// Stores that fell behind: (store, its mirror, component whose write it missed).
    pub behind: Vec<(u32, u32, u32)>,
    /// Incomplete mirrors whose source stopped existing: they became the only copy.
    /// (mirror, source)
    pub only_copy: Vec<(u32, u32)>,
    /// Active reads of stores that are behind: (component, key), sorted.
    pub stale: Vec<(u32, u32)>,
    /// Active reads of incomplete stores: (component, key), sorted.
    pub gap_reads: Vec<(u32, u32)>,
}

/// Whether another store available in `eval` holds all of a store's data: a complete
/// mirror of it, or the store it mirrors when that one has every row this one has.
fn kept_elsewhere(key: u32, stores: &[Store], eval: &Eval) -> bool {
    let store = stores[key as usize];
    if let Some(source) = store.mirror_of
        && !store.own_rows
        && eval.store_available(source)
        && !stores[source as usize].behind
    {
        return true;
    }
    stores.iter().enumerate().any(|(m, mirror)| {
        mirror.mirror_of == Some(key) && mirror.complete && eval.store_available(m as u32)
    })
}

/// Moves the bookkeeping of `stores` to the state `eval` describes, at the end of a
/// release: its backfills (in order, each at its point of the release), the stores it
/// creates and drops, and the writes made while the new state is live.
pub fn advance(stores: &mut [Store], eval: &Eval, backfills: &[Backfill]) -> Events {
    let mut events = Events::default();
    backfill(stores, backfills, &mut events);
    judge_drops(stores, eval, &mut events);
    create_and_drop(stores, eval);
    land_writes(stores, eval);
    compare_mirrors(stores, eval, &mut events);
    judge_reads(stores, eval, &mut events);
    events
}

/// A release's backfills: the target becomes a mirror of the source, as complete as it.
fn backfill(stores: &mut [Store], backfills: &[Backfill], events: &mut Events) {
    for &Backfill { into, from, ok } in backfills {
        if !ok {
            events.bad_backfills.push((into, from));
            continue;
        }
        // Both stores exist at the backfill's point, even one the release drops later.
        for k in [into, from] {
            if !stores[k as usize].exists {
                stores[k as usize] = Store::NEW;
            }
        }
        let source = stores[from as usize];
        let target = &mut stores[into as usize];
        target.complete = source.complete;
        target.behind = false;
        target.mirror_of = Some(from);
        target.holds_data |= source.holds_data;
        events.backfilled.push(into);
    }
}

/// A store is dropped when the component no longer provides it in any form at the end
/// of the release. Whether its data is kept is judged before any relation ends.
fn judge_drops(stores: &[Store], eval: &Eval, events: &mut Events) {
    for key in 0..stores.len() {
        let store = stores[key];
        if store.exists && !eval.store_exists[key] {
            let kept = kept_elsewhere(key as u32, stores, eval);
            if store.holds_data {
                events.dropped.push((key as u32, kept));
            }
            for (m, mirror) in stores.iter().enumerate() {
                if mirror.mirror_of == Some(key as u32) && eval.store_exists[m] && !mirror.complete
                {
                    events.only_copy.push((m as u32, key as u32));
                }
            }
        }
    }
}

/// The stores the new state creates, and those it drops.
fn create_and_drop(stores: &mut [Store], eval: &Eval) {
    for key in 0..stores.len() {
        let exists = eval.store_exists[key];
        if stores[key].exists && !exists {
            // Dropping a store ends every mirror relation it is part of, both ways.
            for mirror in stores.iter_mut() {
                if mirror.mirror_of == Some(key as u32) {
                    mirror.mirror_of = None;
                }
            }
            stores[key] = Store::ABSENT;
        } else if !stores[key].exists && exists {
            stores[key] = Store::NEW;
        }
    }
}

/// The writes made while the new state is live land in the stores that exist.
fn land_writes(stores: &mut [Store], eval: &Eval) {
    for write in &eval.writes {
        let store = &mut stores[write.key as usize];
        if store.exists {
            store.holds_data = true;
            if store.mirror_of.is_none() {
                store.own_rows = true;
            }
        }
    }
}

/// A write to one side of a mirror that the other side misses: the mirror opens a gap,
/// or the store it mirrors falls behind.
fn compare_mirrors(stores: &mut [Store], eval: &Eval, events: &mut Events) {
    // `x` matches `w` when the same component writes it under the same interface, or with
    // no interface at all.
    let unmatched = |to: u32, other: u32| {
        eval.writes.iter().find(|w| {
            w.key == to
                && !eval.writes.iter().any(|x| {
                    x.key == other
                        && x.comp == w.comp
                        && (x.serving == w.serving || x.serving.is_none())
                })
        })
    };
    for k in 0..stores.len() as u32 {
        let Some(g) = stores[k as usize].mirror_of else {
            continue;
        };
        if !(eval.store_available(k) && eval.store_available(g)) {
            continue;
        }
        if let Some(w) = unmatched(g, k) {
            if stores[k as usize].complete {
                events.gaps.push((k, g, w.comp, w.serving));
            }
            stores[k as usize].complete = false;
        }
        if let Some(w) = unmatched(k, g) {
            if !stores[g as usize].behind {
                events.behind.push((g, k, w.comp));
            }
            stores[g as usize].behind = true;
        }
    }
}

/// Active reads of stores that are behind (stale) or incomplete.
fn judge_reads(stores: &[Store], eval: &Eval, events: &mut Events) {
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
}
