//! One step of the walk: its changes applied in order, the changes that do nothing, and
//! the breaks that start and end with it.

use std::cell::RefCell;
use std::collections::hash_map::Entry;

use crate::check::index::{CStepKind, Cluster};
use crate::check::report::Rule;
use crate::check::state::{Activity, Backfill, Effect, Evaluator, Op, State, advance};
use crate::plan::{Access, Change, Switch};

use super::hints::{CHECKPOINT, MOVE_REACH};
use super::{Break, Sim, Snap, Walk};

/// Whether component `c`'s uses of key `k` are gated in `state`.
fn gated_use(state: &State, c: u32, k: u32) -> bool {
    state.facts[c as usize]
        .iter()
        .any(|a| a.key == k && a.access != Access::Provide && a.gate.is_some())
}

impl Sim<'_, '_> {
    /// Simulates the step at cluster position `p` on the state the step before left: a
    /// commit group that starts here is run in every deploy order first; the reverts it
    /// reaches are judged after it, and the breaks it ends are worded.
    pub(super) fn step(&mut self, p: usize, walk: &mut Walk) {
        let cl = self.cl;
        let step = &cl.steps[p];
        let g = step.global;
        if let Some(group) = step.group
            && (p == 0 || cl.steps[p - 1].group != Some(group))
        {
            let end = (p..cl.steps.len())
                .take_while(|&q| cl.steps[q].group == Some(group))
                .count();
            self.commit_orders(group, p, p + end, &walk.now);
        }
        if p > 0 && p.is_multiple_of(CHECKPOINT) {
            walk.checkpoints.push_back((p, walk.now.state.clone()));
            while walk
                .checkpoints
                .front()
                .is_some_and(|&(at, _)| at + MOVE_REACH + CHECKPOINT < p)
            {
                walk.checkpoints.pop_front();
            }
        }
        // The state before the step is needed after it only to see what the step touched:
        // otherwise it becomes the new state in place, so that a component's facts are not
        // copied by every release that adds to them.
        let (mut state, mut stores) = if self.reach {
            (walk.now.state.clone(), walk.now.stores.clone())
        } else {
            (
                std::mem::take(&mut walk.now.state),
                std::mem::take(&mut walk.now.stores),
            )
        };
        let (effects, backfills) = self.changes(p, &mut state);
        let comp = match step.kind {
            CStepKind::Release { comp, .. } => Some(comp),
            CStepKind::Flip { .. } => None,
        };
        let evaluator = self.evaluator;
        let mut evaluation = evaluator.borrow_mut();
        evaluation.evaluate(state.view());
        let eval = evaluation.last();
        let events = advance(&mut stores, eval, &backfills);
        let pre = &walk.now;
        let mut activity = Activity::default();
        if self.reach {
            let touched = &mut walk.touched;
            touched.reset(cl.keys.len(), cl.toggles.len());
            touched.facts_between(pre.state.view(), &pre.activity, state.view(), &evaluation);
            touched.toggles_between(state.view(), &pre.state.toggles, &state.toggles);
            touched.stores_between(&pre.stores, &stores);
            // A store that starts or stops mirroring another touches both.
            touched.mirror_partners(&pre.stores);
            touched.mirror_partners(&stores);
            evaluation.save_activity(&mut activity);
        }
        let dropped =
            self.store_findings(g, comp, &events, &eval.writes, &mut walk.gaps, &pre.stale);
        let mut available = std::mem::take(&mut walk.spare);
        available.clone_from(&eval.available);
        let broken = eval.broken.clone();
        drop(evaluation);
        let before = std::mem::take(&mut walk.now.broken);
        walk.now = Snap {
            state,
            activity,
            stores,
            broken: Vec::new(),
            stale: events.stale,
        };
        self.open_breaks(Some(g), &broken, walk);
        self.close_breaks(g, &before, &broken, walk);
        walk.now.broken = broken;
        walk.spare = std::mem::replace(&mut walk.available, available);
        walk.effects.push(effects);
        self.judge_reverts(p, dropped, walk);
        for b in std::mem::take(&mut walk.ended) {
            self.describe_break(&walk.breaks[b], walk);
        }
    }

    /// Applies the step at cluster position `p` to `state`: what its changes did, without
    /// the changes that did nothing (each is a finding), and its backfills.
    fn changes(&mut self, p: usize, state: &mut State) -> (Vec<(usize, Effect)>, Vec<Backfill>) {
        let step = &self.cl.steps[p];
        let (mut effects, backfills) = self.apply_step(state, &step.kind);
        for &(n, ref effect) in &effects {
            if *effect != Effect::Nothing {
                continue;
            }
            match step.kind {
                CStepKind::Release { comp, .. } => self.noop_change(step.global, n, comp),
                CStepKind::Flip { toggle, on } => self.noop_flip(step.global, toggle, on),
            }
        }
        effects.retain(|(_, effect)| *effect != Effect::Nothing);
        (effects, backfills)
    }

    /// A change of a release that changes nothing: an `Add` of a fact the component has,
    /// a `Remove` of one it lacks, an `Ungate` of a toggle none of its facts has.
    fn noop_change(&mut self, g: usize, n: usize, comp: u32) {
        let c = self.comp(comp).to_string();
        let label = self.label(g);
        let (message, hint, key) = match &self.plan.steps[g].changes()[n] {
            Change::Add(fact) => (
                format!("{label} adds {fact} to {c}, which already has it."),
                "Drop this change, or check the component's facts before the step.".to_string(),
                Some(fact.key.clone()),
            ),
            Change::Remove(fact) => (
                format!("{label} removes {fact} from {c}, which has no such fact then."),
                "Drop this change, or check its key and access against the component's facts."
                    .to_string(),
                Some(fact.key.clone()),
            ),
            Change::Ungate(t) => (
                format!("{label} ungates \"{t}\", but none of {c}'s facts is gated by it then."),
                "Drop this change, or check which toggle gates the component's facts.".to_string(),
                Some(t.trim().to_string()),
            ),
            Change::Backfill { .. } => return,
        };
        self.push(Rule::NoopChange, Some(g), Some(c), key, message, hint);
    }

    /// A flip that sets a toggle to the value it has.
    fn noop_flip(&mut self, g: usize, toggle: u32, on: bool) {
        let name = self.toggle(toggle);
        let value = if on { Switch::On } else { Switch::Off }.name();
        let msg = format!(
            "{} turns \"{name}\" {value}, and it is already {value}.",
            self.label(g)
        );
        let hint = "Delete the flip, or check the toggle's `initially` value and earlier flips."
            .to_string();
        self.push(
            Rule::NoopChange,
            Some(g),
            None,
            Some(name.into()),
            msg,
            hint,
        );
    }

    /// A break for each use in `broken` that has none open, starting at step `start`
    /// (`None`: before the first step, when nothing was available before).
    pub(super) fn open_breaks(
        &mut self,
        start: Option<usize>,
        broken: &[(u32, u32, Access)],
        walk: &mut Walk,
    ) {
        for &(c, k, access) in broken {
            if let Entry::Vacant(slot) = walk.open.entry((c, k)) {
                let finding = self.push(
                    Rule::BrokenConsumer,
                    start,
                    Some(self.comp(c).into()),
                    Some(self.key(k).into()),
                    String::new(),
                    String::new(),
                );
                slot.insert(walk.breaks.len());
                walk.breaks.push(Break {
                    finding,
                    comp: c,
                    key: k,
                    access,
                    start,
                    was_available: start.is_some() && walk.available[k as usize],
                    gated: start.is_some() && gated_use(&walk.now.state, c, k),
                });
            }
        }
    }

    /// Ends at step `g` each open break whose use `broken` no longer has: those of the uses
    /// broken `before` the step (the open breaks) that it does not list.
    fn close_breaks(
        &mut self,
        g: usize,
        before: &[(u32, u32, Access)],
        broken: &[(u32, u32, Access)],
        walk: &mut Walk,
    ) {
        // Both lists are sorted and have one entry per component and key.
        let mut now = broken.iter().map(|b| (b.0, b.1)).peekable();
        for ck in before.iter().map(|b| (b.0, b.1)) {
            while now.next_if(|&n| n < ck).is_some() {}
            if now.next_if_eq(&ck).is_some() {
                continue;
            }
            if let Some(b) = walk.open.remove(&ck) {
                self.findings[walk.breaks[b].finding].until = Some(g);
                walk.ended.push(b);
            }
        }
    }

    /// Applies a step to `state`, as [`apply_step`] does.
    pub(super) fn apply_step(
        &self,
        state: &mut State,
        kind: &CStepKind,
    ) -> (Vec<(usize, Effect)>, Vec<Backfill>) {
        apply_step(self.cl, self.evaluator, state, kind)
    }
}

/// Applies a step of cluster `cl` to `state`, its changes in order: what each change did
/// (`Nothing` for a backfill or a change that changed nothing), and the backfills, each
/// judged on the state the changes before it left.
pub(super) fn apply_step(
    cl: &Cluster,
    evaluator: &RefCell<Evaluator>,
    state: &mut State,
    kind: &CStepKind,
) -> (Vec<(usize, Effect)>, Vec<Backfill>) {
    let mut effects = Vec::new();
    let mut backfills = Vec::new();
    match kind {
        CStepKind::Release { comp, ops } => {
            for &(n, op) in &cl.ops[ops.clone()] {
                if let Op::Backfill { into, from } = op {
                    let ok = into != from && {
                        let mut evaluator = evaluator.borrow_mut();
                        let eval = evaluator.evaluate(state.view());
                        eval.store_available(into) && eval.store_available(from)
                    };
                    backfills.push(Backfill { into, from, ok });
                }
                effects.push((n, state.apply(*comp, op)));
            }
        }
        &CStepKind::Flip { toggle, on } => {
            let slot = &mut state.toggles[toggle as usize];
            let effect = if *slot == on {
                Effect::Nothing
            } else {
                *slot = on;
                Effect::Flipped { toggle, to: on }
            };
            effects.push((0, effect));
        }
    }
    (effects, backfills)
}
