//! What a change reaches: the keys and toggles a step touches, and those on which a
//! reverted state differs from the state it reverts. A revert that harms nothing is judged
//! again only after a step that touches what it reaches: elsewhere the reverted state and
//! the real one change alike, so the verdict cannot change. Without this, every step of a
//! long cluster would be judged at every later step (cubic in the cluster's length).

use crate::check::state::{Activity, Atom, Effect, Evaluator, Store, View};

/// How far ahead the side-by-side walk of two fact lists looks for the next pair.
const RESYNC: usize = 16;

/// A set of nodes: a key by its local id, a toggle by its local id after the keys. Kept as
/// flags with the list of members, so that it empties in the time it took to fill.
#[derive(Default)]
pub(super) struct Nodes {
    keys: u32,
    flags: Vec<bool>,
    pub list: Vec<u32>,
}

impl Nodes {
    /// Empties the set, sized for a cluster of `keys` keys and `toggles` toggles.
    pub fn reset(&mut self, keys: usize, toggles: usize) {
        for &n in &self.list {
            if let Some(flag) = self.flags.get_mut(n as usize) {
                *flag = false;
            }
        }
        self.list.clear();
        self.keys = keys as u32;
        self.flags.resize(keys + toggles, false);
    }

    fn insert(&mut self, node: u32) {
        let flag = &mut self.flags[node as usize];
        if !*flag {
            *flag = true;
            self.list.push(node);
        }
    }

    pub fn key(&mut self, k: u32) {
        self.insert(k);
    }

    pub fn toggle(&mut self, t: u32) {
        self.insert(self.keys + t);
    }

    /// A fact's key, the interface it serves and the toggle that gates it.
    pub fn atom(&mut self, atom: &Atom) {
        self.key(atom.key);
        if let Some(s) = atom.serving {
            self.key(s);
        }
        if let Some(t) = atom.gate {
            self.toggle(t);
        }
    }

    pub fn contains(&self, node: u32) -> bool {
        self.flags.get(node as usize).is_some_and(|&f| f)
    }

    /// What a change did, as far as its facts and toggle go.
    pub fn effect(&mut self, effect: &Effect) {
        match effect {
            Effect::Added(atom) => self.atom(atom),
            Effect::Removed(atoms) => atoms.iter().for_each(|a| self.atom(a)),
            Effect::Ungated(pairs) => pairs.iter().for_each(|(gated, plain)| {
                self.atom(gated);
                self.atom(plain);
            }),
            &Effect::Flipped { toggle, .. } => self.toggle(toggle),
            Effect::Nothing => {}
        }
    }

    /// The facts that are in one state and not the other, or active in one and not the
    /// other: `before` with the activity `was`, `after` as `evaluator` last evaluated it.
    ///
    /// A step or a revert keeps a component's facts in order, removing some, replacing
    /// some in place (an ungate) and adding at the end, so the lists are walked side by
    /// side, looking up to `RESYNC` facts ahead past a run of removed ones. A fact the walk
    /// cannot pair is counted as different, so an unusual change costs precision (a revert
    /// judged more often), never a missed difference.
    pub fn facts_between(
        &mut self,
        before: View,
        was: &Activity,
        after: View,
        evaluator: &Evaluator,
    ) {
        for (c, old) in before.comps() {
            let new = after.facts(c);
            let (mut i, mut j) = (0, 0);
            while i < old.len() && j < new.len() {
                if old[i] == new[j] {
                    if was.get(c, i) != evaluator.is_active(c, j) {
                        self.atom(&new[j]);
                    }
                    j += 1;
                } else if let Some(d) = old[i + 1..].iter().take(RESYNC).position(|a| *a == new[j])
                {
                    // A run of facts removed: each differs.
                    old[i..=i + d].iter().for_each(|a| self.atom(a));
                    i += d;
                } else {
                    self.atom(&old[i]);
                    self.atom(&new[j]);
                    j += 1;
                }
                i += 1;
            }
            old[i..].iter().chain(&new[j..]).for_each(|a| self.atom(a));
        }
    }

    /// The toggles whose value differs between two states, and the facts they gate: a
    /// fact that waits for its interface may start or stop waiting with no change of
    /// activity yet.
    pub fn toggles_between(&mut self, facts: View, before: &[bool], after: &[bool]) {
        let mut flipped = false;
        for (t, (a, b)) in before.iter().zip(after).enumerate() {
            if a != b {
                self.toggle(t as u32);
                flipped = true;
            }
        }
        if !flipped {
            return;
        }
        for (_, list) in facts.comps() {
            for atom in list {
                if atom
                    .gate
                    .is_some_and(|t| before[t as usize] != after[t as usize])
                {
                    self.atom(atom);
                }
            }
        }
    }

    /// The stores whose bookkeeping differs between two states.
    pub fn stores_between(&mut self, before: &[Store], after: &[Store]) {
        for (k, (a, b)) in before.iter().zip(after).enumerate() {
            if a != b {
                self.key(k as u32);
            }
        }
    }

    /// Adds, for each store in the set, the store it mirrors and the stores mirroring it:
    /// what is judged of a store (a gap, a drop with its data kept elsewhere) depends on them.
    pub fn mirror_partners(&mut self, stores: &[Store]) {
        for (m, store) in stores.iter().enumerate() {
            let Some(source) = store.mirror_of else {
                continue;
            };
            let (m, source) = (m as u32, source);
            if self.contains(m) {
                self.key(source);
            } else if self.contains(source) {
                self.key(m);
            }
        }
    }
}
