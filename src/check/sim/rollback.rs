//! Rollback windows: how long reverting each step, as one deployment, harms nothing.

use std::fmt;

use crate::check::index::CStepKind;
use crate::check::report::{Finding, Rollback, Rule};
use crate::check::state::{Effect, Op, advance, follow, revert};

use super::harm::{Harm, harms_since};
use super::{Scratch, Sim, Snap, Walk, Window};

/// `format!` for a sentence: `format!` sizes the string by the literal text alone and
/// grows it again for every name and label written into it.
fn text(args: fmt::Arguments<'_>) -> String {
    let mut out = String::with_capacity(160);
    fmt::Write::write_fmt(&mut out, args).expect("a String takes any text");
    out
}

/// A step's revert that has harmed nothing so far: judged again as the walk goes on.
struct Revert {
    /// The step's cluster position, and the component it releases (`None`: a flip).
    p: usize,
    comp: Option<u32>,
    /// What reverting undoes now: an `Add` is followed through the component's later
    /// changes.
    live: Vec<Effect>,
    /// Counts the judgements, so that a node's list of watchers can tell the reverts that
    /// still reach it from those it has heard of before.
    epoch: u32,
    open: bool,
    /// Judged at every step from now on (see `Reverts::wide`).
    wide: bool,
}

/// The most nodes a revert is watched on; see `Reverts::wide`.
const MAX_WATCHED: usize = 64;

/// The reverts of a cluster's steps as the walk goes: those still open, who reaches what,
/// and the windows decided.
#[derive(Default)]
pub(super) struct Reverts {
    all: Vec<Revert>,
    /// The open reverts, for judging every revert at every step.
    open: Vec<u32>,
    /// By component, its open reverts: a release that removes or ungates may change what
    /// they undo.
    by_comp: Vec<Vec<u32>>,
    /// By node (see `reach::Nodes`), the reverts that reached it when last judged, with
    /// the epoch of that judgement.
    watchers: Vec<Vec<(u32, u32)>>,
    /// The reverts that reached more than `MAX_WATCHED` nodes when last judged: judged at
    /// every step, so that watching them does not cost memory by the size of the cluster.
    wide: Vec<u32>,
    /// The windows decided, by global step index.
    pub windows: Vec<(usize, Window)>,
    /// Space for the reverts due to be judged after a step.
    due: Vec<u32>,
}

impl Reverts {
    /// Room for the reverts of a cluster of `steps` steps.
    pub fn with_capacity(steps: usize) -> Self {
        Reverts {
            all: Vec::with_capacity(steps),
            ..Reverts::default()
        }
    }
}

impl Sim<'_, '_> {
    /// After the step at cluster position `q`: judges again the open reverts it may have
    /// changed (every open one, unless reverts are judged where steps reach them), then the
    /// step's own revert (`dropped`: the store it drops, which no revert brings back).
    pub(super) fn judge_reverts(&mut self, q: usize, dropped: Option<u32>, walk: &mut Walk) {
        let comp = match self.cl.steps[q].kind {
            CStepKind::Release { comp, .. } => Some(comp),
            CStepKind::Flip { .. } => None,
        };
        let reverts = &mut walk.reverts;
        let mut due = std::mem::take(&mut reverts.due);
        if self.reach {
            let nodes = self.cl.keys.len() + self.cl.toggles.len();
            reverts.watchers.resize_with(nodes, Vec::new);
            for &node in &walk.touched.list {
                for (id, epoch) in reverts.watchers[node as usize].drain(..) {
                    let r = &reverts.all[id as usize];
                    if r.open && r.epoch == epoch {
                        due.push(id);
                    }
                }
            }
            reverts.wide.retain(|&id| reverts.all[id as usize].open);
            due.extend_from_slice(&reverts.wide);
            if let Some(c) = comp
                && self.changes_what_adds_undo(q)
                && let Some(mine) = reverts.by_comp.get_mut(c as usize)
            {
                mine.retain(|&id| reverts.all[id as usize].open);
                due.extend_from_slice(mine);
            }
            due.sort_unstable();
            due.dedup();
        } else {
            reverts.open.retain(|&id| reverts.all[id as usize].open);
            due.extend_from_slice(&reverts.open);
        }
        for id in due.drain(..) {
            let r = &mut walk.reverts.all[id as usize];
            if r.comp == comp
                && let CStepKind::Release { ops, .. } = &self.cl.steps[q].kind
            {
                for effect in &mut r.live {
                    if let Effect::Added(atom) = effect {
                        let form = self.cl.ops[ops.clone()]
                            .iter()
                            .try_fold(*atom, |a, &(_, op)| follow(a, op));
                        *effect = form.map_or(Effect::Nothing, Effect::Added);
                    }
                }
            }
            self.judge_revert(id, q, walk);
        }
        walk.reverts.due = due;
        let p = q;
        if let Some(k) = dropped {
            let window = self.irreversible(p, comp, k);
            walk.reverts.windows.push((self.cl.steps[p].global, window));
            return;
        }
        let reverts = &mut walk.reverts;
        let id = reverts.all.len() as u32;
        reverts.all.push(Revert {
            p,
            comp,
            live: walk.effects[p].iter().map(|(_, e)| e.clone()).collect(),
            epoch: 0,
            open: true,
            wide: false,
        });
        if !self.reach {
            reverts.open.push(id);
        } else if let Some(c) = comp {
            let c = c as usize;
            if reverts.by_comp.len() <= c {
                reverts.by_comp.resize_with(c + 1, Vec::new);
            }
            reverts.by_comp[c].push(id);
        }
        self.judge_revert(id, q, walk);
    }

    /// Whether the release at `q` has a change that may change what an `Add` put there
    /// (see `follow`): a `Remove` or an `Ungate`.
    fn changes_what_adds_undo(&self, q: usize) -> bool {
        match &self.cl.steps[q].kind {
            CStepKind::Release { ops, .. } => self.cl.ops[ops.clone()]
                .iter()
                .any(|(_, op)| matches!(op, Op::Remove { .. } | Op::Ungate(_))),
            CStepKind::Flip { .. } => false,
        }
    }

    /// Judges revert `id` on the state after the step at `q`: the window it decides, or
    /// (reverts judged where steps reach them) the nodes it now watches.
    fn judge_revert(&mut self, id: u32, q: usize, walk: &mut Walk) {
        let r = &walk.reverts.all[id as usize];
        let (p, comp) = (r.p, r.comp);
        let Some(harm) = self.judge(comp, &r.live, &walk.now) else {
            if self.reach {
                let reverts = &mut walk.reverts;
                let r = &mut reverts.all[id as usize];
                r.epoch += 1;
                let scratch = self.scratch.borrow();
                let nodes = &scratch.reach.list;
                if nodes.len() > MAX_WATCHED {
                    if !r.wide {
                        r.wide = true;
                        reverts.wide.push(id);
                    }
                } else {
                    for &node in nodes {
                        reverts.watchers[node as usize].push((id, r.epoch));
                    }
                }
            }
            return;
        };
        let window = self.harmful_window(p, q, comp, harm);
        let reverts = &mut walk.reverts;
        let r = &mut reverts.all[id as usize];
        r.open = false;
        r.live = Vec::new();
        reverts.windows.push((self.cl.steps[p].global, window));
    }

    /// The window of the step at `p`, which drops store `k`: no revert brings its data back.
    fn irreversible(&self, p: usize, comp: Option<u32>, k: u32) -> Window {
        let g = self.cl.steps[p].global;
        let key = self.key(k).to_string();
        let message = format!(
            "{} drops \"{key}\" for good: no revert brings its data back.",
            self.label(g)
        );
        let hint = format!(
            "Before {} ships, make sure the data of \"{key}\" is kept elsewhere or no longer needed.",
            self.label(g)
        );
        let component = comp.map(|c| self.comp(c).to_string());
        Window {
            rank: (0, self.cl.keys[k as usize] as usize, Default::default()),
            rollback: Rollback::Irreversible,
            finding: Finding::new(Rule::Rollback, Some(g), component, Some(key), message, hint),
        }
    }

    /// The window of the step at `p` whose revert first harms after the step at `q`: until
    /// that step ships; or, harming at once, it loses data or (it fixed a break) lasts
    /// until the step itself.
    fn harmful_window(&self, p: usize, q: usize, comp: Option<u32>, harm: Harm) -> Window {
        let g = self.cl.steps[p].global;
        let what = self.describe_harm(harm);
        let key = Some(self.key(harm.key()).to_string());
        let comp_name = comp.or(harm.comp()).map(|c| self.comp(c).to_string());
        let (rollback, mut finding) = if q > p {
            let gq = self.cl.steps[q].global;
            let message = text(format_args!(
                "Reverting {} once {} has shipped leaves a state where {what}.",
                self.label(g),
                self.label(gq)
            ));
            let hint = text(format_args!(
                "Revert {} first, then {}.",
                self.label(gq),
                self.label(g)
            ));
            let finding = Finding::new(Rule::Rollback, Some(g), comp_name, key, message, hint);
            (Rollback::Until(gq), finding)
        } else if harm.is_data() {
            let k = self.key(harm.key());
            let message = text(format_args!(
                "Reverting {} loses data: afterwards {what}.",
                self.label(g)
            ));
            let hint = format!(
                "Before reverting, backfill \"{k}\" from the store that kept the writes, or keep writing both stores until the contract step."
            );
            let finding = Finding::new(Rule::Rollback, Some(g), comp_name, key, message, hint);
            (Rollback::LosesData, finding)
        } else {
            let message = format!(
                "Reverting {} breaks a consumer at once: {what}.",
                self.label(g)
            );
            let hint =
                "The step fixed an earlier break: fix forward instead of reverting.".to_string();
            let finding = Finding::new(Rule::Rollback, Some(g), comp_name, key, message, hint);
            (Rollback::Until(g), finding)
        };
        let order = harm.order(self.cl);
        let rank = match rollback {
            Rollback::Until(u) => {
                finding.until = Some(u);
                (2, u, order)
            }
            _ => (1, g, order),
        };
        Window {
            rank,
            rollback,
            finding,
        }
    }

    /// What reverting a step does in the state `snap`: its changes' inverses applied last
    /// first, as one deployment. The harm it does, a data harm before a break. Leaves in
    /// the scratch space what the revert reaches: where the reverted state differs from
    /// `snap`, the stores beside those, and what the step's changes name.
    pub(super) fn judge(&self, comp: Option<u32>, live: &[Effect], snap: &Snap) -> Option<Harm> {
        let mut scratch = self.scratch.borrow_mut();
        let Scratch {
            facts,
            toggles,
            stores,
            reach,
        } = &mut *scratch;
        reach.reset(self.cl.keys.len(), self.cl.toggles.len());
        for effect in live {
            reach.effect(effect);
        }
        let mut view = snap.state.view();
        let mut changed = false;
        if let Some(comp) = comp {
            facts.clone_from(&snap.state.facts[comp as usize]);
            for effect in live.iter().rev() {
                changed |= revert(facts, effect);
            }
            view.patch = Some((comp, facts));
        } else {
            toggles.clone_from(&snap.state.toggles);
            for effect in live.iter().rev() {
                if let Effect::Flipped { toggle, to } = *effect
                    && toggles[toggle as usize] == to
                {
                    toggles[toggle as usize] = !to;
                    changed = true;
                }
            }
            view.toggles = toggles;
        }
        if !changed {
            return None;
        }
        let mut evaluator = self.evaluator.borrow_mut();
        evaluator.evaluate(view);
        let eval = evaluator.last();
        stores.clone_from(&snap.stores);
        let events = advance(stores, eval, &[]);
        let harm =
            harms_since(&snap.broken, &snap.stale, eval, &events).min_by_key(|h| h.order(self.cl));
        if harm.is_none() && self.reach {
            reach.facts_between(snap.state.view(), &snap.activity, view, &evaluator);
            reach.toggles_between(view, &snap.state.toggles, view.toggles);
            reach.stores_between(&snap.stores, stores);
            reach.mirror_partners(&snap.stores);
        }
        harm
    }
}
