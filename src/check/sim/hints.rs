//! The words of findings that need more than the step at hand: a break's span and fix (a
//! move, a gate, a missing provider), and how to close a mirror's gap, keep dropped data
//! or fix a stale read.

use crate::check::report::sentence;
use std::ops::Range;
use std::rc::Rc;

use crate::check::index::CStepKind;
use crate::check::state::{Effect, Events, Landed, Replayed, State};
use crate::check::words::{StepLabel, verb};
use crate::plan::{Access, Change};

use super::{Break, Gaps, Sim, Walk};

/// How many places after a break's end a move hint tries before it gives up on a move (the
/// checker runs on every keystroke: a hint must not cost a walk to the end of the plan).
const MOVE_TRIES: usize = 32;

/// How far (in the cluster's steps) a break may span for its hint to try moving the step
/// that starts it: trying replays the steps in between without it, so in a long cluster
/// every break would cost a walk of its length. A longer break's hint says to provide the
/// key earlier or gate the use.
pub(super) const MOVE_REACH: usize = 256;

/// The walk keeps the state before every `CHECKPOINT`th step (of the last `MOVE_REACH`),
/// to start a move hint's replay from.
pub(super) const CHECKPOINT: usize = 64;

impl Sim<'_, '_> {
    /// The first release of component `c` after step `after` with a change that `wanted`
    /// accepts.
    pub(super) fn later_release(
        &self,
        c: u32,
        after: usize,
        wanted: impl Fn(&Change) -> bool,
    ) -> Option<usize> {
        let id = self.comp(c);
        (after + 1..self.plan.steps.len()).find(|&i| {
            let step = &self.plan.steps[i];
            step.component().map(str::trim) == Some(id) && step.changes().iter().any(&wanted)
        })
    }

    /// How to close a gap that opened at step `g`: mirror `k` of `source` missed
    /// `writer`'s write under `serving`. Names a double write that is there but serves
    /// another interface, or one the plan places too late.
    pub(super) fn gap_hint(
        &self,
        g: usize,
        (k, source, writer, serving): (u32, u32, u32, Option<u32>),
        writes: &[Landed],
        events: &Events,
    ) -> String {
        let (kn, sn, wn) = (self.key(k), self.key(source), self.comp(writer));
        let label = self.label(g);
        let wanted = serving.map(|i| self.key(i));
        let under = |interface: Option<&str>| match interface {
            Some(i) => format!("while serving \"{i}\""),
            None => "with no Serving".to_string(),
        };
        if let Some(double) = writes.iter().find(|w| w.comp == writer && w.key == k) {
            return format!(
                "{wn} writes \"{kn}\" {} but writes \"{sn}\" {}: a double write matches only under the same interface, so write \"{kn}\" {} too.",
                under(double.serving.map(|i| self.key(i))),
                under(wanted),
                under(wanted)
            );
        }
        // A release that adds the write and keeps writing the source: one that stops
        // writing the source is the migration, not the double write.
        let stops = |change: &Change| matches!(change, Change::Remove(f) if f.access == Access::Write && f.key.trim() == sn);
        let double = self
            .later_release(writer, g, |change| added_write(change, kn).is_some())
            .filter(|&later| !self.plan.steps[later].changes().iter().any(stops));
        if let Some(later) = double {
            let interface = self.plan.steps[later]
                .changes()
                .iter()
                .find_map(|change| added_write(change, kn))
                .flatten();
            if interface.is_none() || interface == wanted {
                return format!(
                    "Move {}, the double write, before {label}.",
                    self.label(later)
                );
            }
            return format!(
                "Move {}, the double write, before {label}, and write \"{kn}\" there {} (it writes {}): a double write matches only under the same interface.",
                self.label(later),
                under(wanted),
                under(interface)
            );
        }
        if events.backfilled.contains(&k) {
            format!(
                "Add a pre-emptive double write before {label}: a release of {wn} that also writes \"{kn}\" (Tolerant) {}, as it writes \"{sn}\".",
                under(wanted)
            )
        } else {
            format!(
                "Keep {wn} writing \"{kn}\" wherever it writes \"{sn}\" until nothing needs \"{sn}\"; then backfill \"{kn}\" again."
            )
        }
    }

    /// The cluster position of a step, by its global index.
    pub(super) fn position(&self, global: usize) -> Option<usize> {
        self.cl
            .steps
            .binary_search_by_key(&global, |s| s.global)
            .ok()
    }

    /// The step after which the step at cluster position `p` must ship so that it starts
    /// no break in key group `group`: the first from `at` on (trying `MOVE_TRIES` places at
    /// most), with the step tried there as a move would put it.
    pub(super) fn move_after(&self, p: usize, at: usize, group: u32, walk: &Walk) -> Option<usize> {
        if at > p + MOVE_REACH {
            return None;
        }
        let step = &self.cl.steps[p].kind;
        let in_group = |&&(_, k, _): &&(u32, u32, Access)| self.cl.key_groups[k as usize] == group;
        let from = at.max(p + 1);
        let mut state = self.replay(&self.state_before(p, walk), p + 1..from);
        let end = self.cl.steps.len().min(at + MOVE_TRIES);
        for q in from..end {
            self.apply_step(&mut state, &self.cl.steps[q].kind);
            let before = self
                .evaluator
                .borrow_mut()
                .evaluate(state.view())
                .broken
                .clone();
            let mut moved = state.clone();
            self.apply_step(&mut moved, step);
            let mut evaluator = self.evaluator.borrow_mut();
            let after = &evaluator.evaluate(moved.view()).broken;
            if after
                .iter()
                .filter(in_group)
                .all(|a| before.iter().any(|b| (b.0, b.1) == (a.0, a.1)))
            {
                return Some(self.cl.steps[q].global);
            }
        }
        None
    }

    /// The state before the step at cluster position `p`: the last checkpoint before it
    /// (or the initial state), with what the steps since did (as the walk recorded it)
    /// done again.
    fn state_before(&self, p: usize, walk: &Walk) -> State {
        let (from, mut state) = match walk.checkpoints.iter().rev().find(|(at, _)| *at <= p) {
            Some((at, checkpoint)) => (*at, checkpoint.clone()),
            None => (0, self.initial_state()),
        };
        for q in from..p {
            for (n, effect) in &walk.effects[q] {
                match (&self.cl.steps[q].kind, effect) {
                    (&CStepKind::Release { comp, .. }, Effect::Added(atom)) => {
                        Rc::make_mut(&mut state.facts[comp as usize]).push(*atom);
                    }
                    (CStepKind::Release { comp, ops }, _) => {
                        let op = self.cl.ops[ops.clone()].iter().find(|(m, _)| m == n);
                        if let Some(&(_, op)) = op {
                            state.apply(*comp, op);
                        }
                    }
                    (&CStepKind::Flip { toggle, on }, _) => state.toggles[toggle as usize] = on,
                }
            }
        }
        state
    }

    /// The state the cluster's steps in `steps` leave on `state`. Long lists of facts get a
    /// set (see `Replayed`), so that a replay costs the steps it replays, not those times
    /// the length of a component that keeps growing.
    fn replay(&self, state: &State, steps: Range<usize>) -> State {
        let mut facts: Vec<Option<Replayed>> = state.facts.iter().map(|_| None).collect();
        let mut toggles = state.toggles.clone();
        for q in steps {
            match &self.cl.steps[q].kind {
                CStepKind::Release { comp, ops } => {
                    let c = *comp as usize;
                    let replayed =
                        facts[c].get_or_insert_with(|| Replayed::new(Rc::clone(&state.facts[c])));
                    for &(_, op) in &self.cl.ops[ops.clone()] {
                        replayed.apply(op);
                    }
                }
                &CStepKind::Flip { toggle, on } => toggles[toggle as usize] = on,
            }
        }
        State {
            facts: facts
                .into_iter()
                .zip(&state.facts)
                .map(|(replayed, before)| replayed.map_or_else(|| Rc::clone(before), |r| r.list))
                .collect(),
            toggles,
        }
    }

    /// The toggle of the feature key `k` belongs to (one in its key group), if the plan
    /// has one.
    pub(super) fn feature_toggle(&self, k: u32) -> Option<&str> {
        let group = self.cl.key_groups[k as usize];
        let t = self.cl.toggle_groups.iter().position(|&g| g == group)?;
        Some(self.index.toggle_names[self.cl.toggles[t] as usize])
    }

    /// "gate c's use of k behind the toggle "t" and turn it on after X", naming the plan's
    /// toggle for the feature when it has one.
    pub(super) fn gate_advice(&self, b: &Break, after: Option<StepLabel>) -> String {
        let (c, k) = (self.comp(b.comp), self.key(b.key));
        let toggle = match self.feature_toggle(b.key) {
            Some(t) => format!("the toggle \"{t}\""),
            None => "a toggle".to_string(),
        };
        match after {
            Some(step) => {
                format!("gate {c}'s use of \"{k}\" behind {toggle} and turn it on after {step}")
            }
            None => format!("gate {c}'s use of \"{k}\" behind {toggle}"),
        }
    }

    /// Words a break once the walk knows where it ends: its message and its hint.
    pub(super) fn describe_break(&mut self, b: &Break, walk: &Walk) {
        let until = self.findings[b.finding].until;
        let message = self.break_message(b, until);
        let hint = self.break_hint(b, until, walk);
        let f = &mut self.findings[b.finding];
        f.message = sentence(message);
        f.hint = sentence(hint);
    }

    /// "c reads "k" while nothing provides it, from step 2 "x" until step 4 "y"."
    fn break_message(&self, b: &Break, until: Option<usize>) -> String {
        let (c, k) = (self.comp(b.comp), self.key(b.key));
        let verb = verb(b.access);
        let span = match (b.start, until) {
            (Some(s), Some(u)) => format!("from {} until {}", self.label(s), self.label(u)),
            (Some(s), None) => format!("from {} on", self.label(s)),
            (None, Some(u)) => format!("before the first step, until {}", self.label(u)),
            (None, None) => "before the first step, and no step fixes it".to_string(),
        };
        let mut message = format!("{c} {verb} \"{k}\" while nothing provides it, {span}");
        if b.access == Access::Write {
            message.push_str(": what it writes is not saved");
        }
        message.push('.');
        message
    }

    /// How to fix a break: provide a key that nothing in the plan provides, question a
    /// current state that is already broken, or fix the step that starts it.
    fn break_hint(&self, b: &Break, until: Option<usize>, walk: &Walk) -> String {
        let (c, k) = (self.comp(b.comp), self.key(b.key));
        let never_provided = !self.index.provided[self.cl.keys[b.key as usize] as usize];
        if never_provided {
            let at = b
                .start
                .map_or("the first step".to_string(), |s| self.label(s).to_string());
            return match self.index.did_you_mean(k) {
                Some(best) => format!(
                    "Nothing in the plan provides \"{k}\": did you mean \"{best}\"? Otherwise add a release that provides \"{k}\" before {at}."
                ),
                None => format!(
                    "Nothing in the plan provides \"{k}\": add a release that provides it before {at}."
                ),
            };
        }
        match (b.start, until) {
            (None, Some(u)) => format!(
                "The current state is already broken; {} fixes it. If production is fine, the current facts are wrong.",
                self.label(u)
            ),
            (None, None) => format!(
                "The current state is already broken and stays so: provide \"{k}\", or stop {c} using it."
            ),
            (Some(s), until) => self.start_hint(b, s, until, walk),
        }
    }

    /// How to fix a break that step `s` starts: move the step after the one after which it
    /// starts no break, gate the use behind a toggle, or provide the key before it.
    fn start_hint(&self, b: &Break, s: usize, until: Option<usize>, walk: &Walk) -> String {
        let (c, k) = (self.comp(b.comp), self.key(b.key));
        let own = self.plan.steps[s].component() == Some(c);
        let flip = self.plan.steps[s].component().is_none();
        let p = self.position(s);
        // Already gated: the toggle is on, so gating again changes nothing.
        let gated = b.gated;
        // The last step to follow: the one after which the moved step starts no break at
        // all. None when no move does it (say, the consumer itself stops the use later).
        let group = self.cl.key_groups[b.key as usize];
        let after = until
            .and_then(|u| p.zip(self.position(u)))
            .and_then(|(p, at)| self.move_after(p, at, group, walk));
        match after {
            Some(t) if own && !gated => format!(
                "Move {} after {}, or {}.",
                self.label(s),
                self.label(t),
                self.gate_advice(b, Some(self.label(t)))
            ),
            Some(t) if flip => {
                format!("Move the flip {} after {}.", self.label(s), self.label(t))
            }
            Some(t) => format!("Move {} after {}.", self.label(s), self.label(t)),
            None if b.was_available => format!(
                "{} stops providing \"{k}\" while {c} still uses it: first release {c} without it (migrate), then remove it.",
                self.label(s)
            ),
            None if gated => format!(
                "Add a release that provides \"{k}\" before {}.",
                self.label(s)
            ),
            None => format!(
                "Add a release that provides \"{k}\" before {}, or {}.",
                self.label(s),
                self.gate_advice(b, None)
            ),
        }
    }

    /// How to keep the data of store `k` that step `g` drops: the fix of the gap that keeps
    /// its copy incomplete, a double write for a copy that misses writes, or a copy first.
    pub(super) fn loss_hint(&self, g: usize, k: u32, events: &Events, gaps: &Gaps) -> String {
        let name = self.key(k);
        let label = self.label(g);
        let partial = events.only_copy.iter().find(|&&(_, source)| source == k);
        // The gap finding of the copy already says how to close the gap.
        let gap = partial.and_then(|&(m, _)| Some((m, &self.findings[gaps.open.get(&m)?.finding])));
        match (partial, gap) {
            (_, Some((m, gap))) => format!(
                "\"{}\" was meant to keep this data but misses writes from {} on. {}",
                self.key(m),
                gap.step
                    .map_or(String::new(), |s| self.label(s).to_string()),
                gap.hint
            ),
            (Some(&(m, _)), None) => format!(
                "\"{}\" was meant to keep this data but misses writes: add a pre-emptive double write before it is created, so it is complete when {label} ships.",
                self.key(m)
            ),
            _ => format!(
                "Copy the data into another store first (Backfill), migrate its readers and writers, then drop \"{name}\"; or accept the finding with a reason if the data is not needed."
            ),
        }
    }

    /// How to fix component `c`'s stale read of store `k` at step `g`, given since when
    /// (step, writer, store) the store has been behind: move the reader's migration before
    /// the step that started writing only the mirror, or keep writing both.
    pub(super) fn stale_hint(
        &self,
        g: usize,
        c: u32,
        k: u32,
        behind_since: Option<(usize, u32, u32)>,
    ) -> String {
        let (cn, kn) = (self.comp(c), self.key(k));
        // The reader's migration, placed after the step that started writing only the
        // mirror: moving it before that step is the fix.
        let migration = behind_since.and_then(|(s, writer, _)| {
            // Only a writer's own release can be the step to move before.
            if self.plan.steps[s].component().map(str::trim) != Some(self.comp(writer)) {
                return None;
            }
            let reads = |change: &Change| {
                matches!(change, Change::Remove(f) if f.access == Access::Read && f.key.trim() == kn)
            };
            Some((s, self.later_release(c, s, reads)?))
        });
        match migration {
            Some((s, r)) => format!(
                "Move {}, where {cn} stops reading \"{kn}\", before {}.",
                self.label(r),
                self.label(s)
            ),
            None => format!(
                "Keep writing \"{kn}\" as well as its mirror for as long as anything reads it, or backfill \"{kn}\" from its mirror before {}.",
                self.label(g)
            ),
        }
    }
}

/// The interface of a write of `key` that a change adds (`Some(None)`: with no Serving).
fn added_write<'c>(change: &'c Change, key: &str) -> Option<Option<&'c str>> {
    match change {
        Change::Add(f) if f.access == Access::Write && f.key.trim() == key => {
            Some(f.serving.as_deref().map(str::trim))
        }
        _ => None,
    }
}
