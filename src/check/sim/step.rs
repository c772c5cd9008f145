//! One step of the walk: applying its changes, and the findings about changes that do
//! nothing and about stores (backfills, drops, gaps of mirrors, stale reads).

use rustc_hash::FxHashMap as HashMap;

use crate::check::index::CStepKind;
use crate::check::report::Rule;
use crate::check::state::{Backfill, Effect, Events, Landed, Op, State};
use crate::check::words::step_label;
use crate::plan::{Access, Change};

use super::{Gap, Sim};

impl Sim<'_, '_> {
    pub(super) fn noop(&mut self, g: usize, n: usize, comp: u32) {
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

    /// Findings about stores in one step; returns a store the step dropped with its data.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn store_findings(
        &mut self,
        g: usize,
        comp: Option<u32>,
        events: &Events,
        writes: &[Landed],
        gaps: &mut HashMap<u32, Gap>,
        closed: &mut Vec<Gap>,
        behind_since: &mut HashMap<u32, (usize, u32, u32)>,
        pre_stale: &[(u32, u32)],
    ) -> Option<u32> {
        // Most steps make no finding here: name the step and component only when one does.
        let (plan, cl) = (self.plan, self.cl);
        let label = || step_label(plan, g);
        let comp_name = || comp.map(|c| plan.components[cl.comps[c as usize]].id.clone());
        for &(into, from) in &events.bad_backfills {
            let label = label();
            let (a, b) = (self.key(into), self.key(from));
            let message = if into == from {
                format!("{label} backfills \"{a}\" from itself.")
            } else {
                format!(
                    "{label} backfills \"{a}\" from \"{b}\", but both stores must be available then."
                )
            };
            let hint = format!(
                "Make sure a database or queue provides \"{a}\" and \"{b}\" when {label} ships: move it after the release that adds the store."
            );
            self.push(
                Rule::BadReference,
                Some(g),
                comp_name(),
                Some(a.into()),
                message,
                hint,
            );
        }
        for &k in &events.backfilled {
            if let Some(gap) = gaps.remove(&k) {
                closed.push(gap);
            }
            behind_since.remove(&k);
        }
        let mut drop = None;
        for &(k, kept) in &events.dropped {
            drop.get_or_insert(k);
            if kept {
                continue;
            }
            let name = self.key(k).to_string();
            let label = label();
            let message =
                format!("{label} drops \"{name}\", which holds data that no other store keeps.");
            let partial = events.only_copy.iter().find(|&&(_, source)| source == k);
            // The gap finding of the copy already says how to close the gap.
            let gap = partial.and_then(|&(m, _)| Some((m, &self.findings[gaps.get(&m)?.finding])));
            let hint = match (partial, gap) {
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
            };
            self.push(
                Rule::DataLoss,
                Some(g),
                comp_name(),
                Some(name),
                message,
                hint,
            );
        }
        for &(m, _) in &events.only_copy {
            if let Some(gap) = gaps.get_mut(&m) {
                gap.only_copy.get_or_insert(g);
            }
        }
        for &(k, source, writer, serving) in &events.gaps {
            let (kn, sn, wn) = (
                self.key(k).to_string(),
                self.key(source).to_string(),
                self.comp(writer).to_string(),
            );
            let label = label();
            let message = format!(
                "\"{kn}\" mirrors \"{sn}\" but misses the writes {wn} makes to \"{sn}\" from {label} on."
            );
            let hint = self.gap_hint(g, (k, source, writer, serving), writes, events);
            let finding = self.push(Rule::DataGap, Some(g), Some(wn), Some(kn), message, hint);
            self.findings[finding].severity = crate::check::Severity::Warning;
            if let Some(old) = gaps.insert(
                k,
                Gap {
                    finding,
                    read: None,
                    only_copy: None,
                },
            ) {
                closed.push(old);
            }
        }
        for &(store, _, writer) in &events.behind {
            behind_since.entry(store).or_insert((g, writer, store));
        }
        for &(c, k) in &events.gap_reads {
            if let Some(gap) = gaps.get_mut(&k) {
                gap.read.get_or_insert((c, g));
            }
        }
        for &(c, k) in &events.stale {
            if pre_stale.binary_search(&(c, k)).is_ok() {
                continue;
            }
            let (cn, kn) = (self.comp(c).to_string(), self.key(k).to_string());
            let label = label();
            let since = behind_since
                .get(&k)
                .map(|&(s, w, _)| (self.label(s), self.comp(w).to_string()));
            let message = match &since {
                Some((s, w)) => format!(
                    "{cn} reads \"{kn}\" at {label}, but \"{kn}\" has missed the writes {w} makes only to its mirror since {s}."
                ),
                None => format!(
                    "{cn} reads \"{kn}\" at {label}, but \"{kn}\" has missed writes made only to its mirror."
                ),
            };
            // The reader's migration, placed after the step that started writing only the
            // mirror: moving it before that step is the fix.
            let migration = behind_since.get(&k).and_then(|&(s, writer, _)| {
                // Only a writer's own release can be the step to move before.
                if self.plan.steps[s].component().map(str::trim) != Some(self.comp(writer)) {
                    return None;
                }
                let reads = |change: &Change| {
                    matches!(change, Change::Remove(f) if f.access == Access::Read && f.key.trim() == kn)
                };
                Some((s, self.later_release(c, s, reads)?))
            });
            let hint = match migration {
                Some((s, r)) => format!(
                    "Move {}, where {cn} stops reading \"{kn}\", before {}.",
                    self.label(r),
                    self.label(s)
                ),
                None => format!(
                    "Keep writing \"{kn}\" as well as its mirror for as long as anything reads it, or backfill \"{kn}\" from its mirror before {label}."
                ),
            };
            self.push(Rule::DataGap, Some(g), Some(cn), Some(kn), message, hint);
        }
        drop
    }

    pub(super) fn finish_gap(&mut self, gap: &Gap) {
        let mut tail = Vec::new();
        if let Some((c, at)) = gap.read {
            tail.push(format!(
                "{} reads it from {} on",
                self.comp(c),
                self.label(at)
            ));
        }
        if let Some(at) = gap.only_copy {
            tail.push(format!("it is the only copy once {} ships", self.label(at)));
        }
        if tail.is_empty() {
            return;
        }
        let finding = &mut self.findings[gap.finding];
        finding.severity = crate::check::Severity::Error;
        if let Some(stripped) = finding.message.strip_suffix('.') {
            finding.message = format!("{stripped}; {}.", tail.join(", and "));
        }
    }

    /// Applies a step to `state`, its changes in order: what each change did (`Nothing`
    /// for a backfill or a change that changed nothing), and the backfills, each judged
    /// on the state the changes before it left.
    pub(super) fn apply_step(
        &self,
        state: &mut State,
        kind: &CStepKind,
    ) -> (Vec<(usize, Effect)>, Vec<Backfill>) {
        let mut effects = Vec::new();
        let mut backfills = Vec::new();
        match kind {
            CStepKind::Release { comp, ops } => {
                for &(n, op) in &self.cl.ops[ops.clone()] {
                    if let Op::Backfill { into, from } = op {
                        let ok = into != from && {
                            let mut evaluator = self.evaluator.borrow_mut();
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
}
