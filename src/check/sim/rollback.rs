//! Rollback windows: how long reverting each step, as one deployment, harms nothing.

use std::fmt;

use crate::check::index::CStepKind;
use crate::check::report::{Finding, Rollback, Rule};
use crate::check::state::{Effect, advance, follow, revert};

use super::harm::{Harm, harms_since};
use super::{Scratch, Sim, Snap, Walk, Window};

/// `format!` for a sentence: `format!` sizes the string by the literal text alone and
/// grows it again for every name and label written into it.
fn text(args: fmt::Arguments<'_>) -> String {
    let mut out = String::with_capacity(160);
    fmt::Write::write_fmt(&mut out, args).expect("a String takes any text");
    out
}

impl Sim<'_, '_> {
    /// The rollback window of the step at cluster position `p`, if reverting it (all its
    /// changes in this cluster, as one deployment) is not safe.
    pub(super) fn rollback(
        &self,
        p: usize,
        walk: &Walk,
        effects: &[(usize, Effect)],
        dropped: Option<u32>,
    ) -> Option<Window> {
        let comp = match self.cl.steps[p].kind {
            CStepKind::Release { comp, .. } => Some(comp),
            CStepKind::Flip { .. } => None,
        };
        if let Some(k) = dropped {
            return Some(self.irreversible(p, comp, k));
        }
        let (q, harm) = self.first_harmful_revert(p, comp, walk, effects)?;
        Some(self.harmful_window(p, q, comp, harm))
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

    /// The first cluster position from `p` on after which reverting the step at `p` harms,
    /// and the harm; `effects` are what its changes did. A revert that harms nothing is
    /// judged again only after a step that touches what it reaches (see `reach`).
    fn first_harmful_revert(
        &self,
        p: usize,
        comp: Option<u32>,
        walk: &Walk,
        effects: &[(usize, Effect)],
    ) -> Option<(usize, Harm)> {
        // What reverting undoes at each later point: an `Add` is followed through the
        // component's later changes. Steps outside the cluster leave its keys as they are,
        // so only the cluster's own steps can tell.
        let mut live: Vec<Effect> = effects.iter().map(|(_, e)| e.clone()).collect();
        (p..self.cl.steps.len()).find_map(|q| {
            // Judged at `p`, after a step that changes what the revert undoes, and after
            // one that touches what it reaches.
            let mut again = q == p || !self.reach;
            if q > p
                && let CStepKind::Release { comp: c, ops } = &self.cl.steps[q].kind
                && Some(*c) == comp
            {
                for effect in &mut live {
                    let Effect::Added(atom) = effect else {
                        continue;
                    };
                    let form = self.cl.ops[ops.clone()]
                        .iter()
                        .try_fold(*atom, |a, &(_, op)| follow(a, op));
                    let form = form.map_or(Effect::Nothing, Effect::Added);
                    again |= *effect != form;
                    *effect = form;
                }
            }
            if !again && !self.scratch.borrow().reach.meets(walk.touched(q)) {
                return None;
            }
            Some((q, self.judge(comp, &live, &walk.snaps[q + 1])?))
        })
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
            seen,
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
            reach.facts_between(snap.state.view(), &snap.activity, view, &evaluator, seen);
            reach.toggles_between(view, &snap.state.toggles, view.toggles);
            reach.stores_between(&snap.stores, stores);
            reach.mirror_partners(&snap.stores);
        }
        harm
    }
}
