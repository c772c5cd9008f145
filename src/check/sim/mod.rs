//! Simulates one cluster step by step, turning what changes into findings, then judges
//! every step's rollback window against the states that follow it.
//!
//! `step` walks the steps and reports what each one changes, `commit` runs the releases of
//! a commit group in every deploy order, `rollback` judges reverting each step, `hints`
//! words the fixes that need the whole walk, and `harm` names what goes wrong in a state.

mod commit;
mod harm;
mod hints;
mod rollback;
mod step;

use rustc_hash::FxHashMap as HashMap;
use std::cell::RefCell;
use std::collections::hash_map::Entry;

use super::index::{CStepKind, Cluster, Index};
use super::report::{Finding, Rollback, Rule};
use super::state::{Atom, Effect, Evaluator, State, Store, advance, initial_stores};
use super::words::{StepLabel, step_label};
use crate::plan::{Access, Plan, Switch};
use harm::HarmOrder;

/// The state after a step, kept for the rollback analysis and commit groups.
struct Snap {
    state: State,
    stores: Vec<Store>,
    broken: Vec<(u32, u32, Access)>,
    stale: Vec<(u32, u32)>,
}

struct Break {
    finding: usize,
    comp: u32,
    key: u32,
    access: Access,
    start: Option<usize>,
    was_available: bool,
}

struct Gap {
    finding: usize,
    read: Option<(u32, usize)>,
    only_copy: Option<usize>,
}

/// A cluster's verdict on reverting one of its steps. A release in several clusters gets
/// the verdict that comes first by `rank` (see `check`).
pub struct Window {
    /// Precedence: irreversible (by the global id of the store it drops), then loses
    /// data, then `until` the earliest step after which reverting harms.
    pub rank: (u8, usize, HarmOrder),
    pub rollback: Rollback,
    pub finding: Finding,
}

/// Space the simulation reuses from one cluster, step and judgement to the next (the
/// rollback analysis evaluates thousands of states per check).
#[derive(Default)]
pub struct Workspace {
    evaluator: RefCell<Evaluator>,
    scratch: RefCell<Scratch>,
}

/// A revert being judged: one component's facts or the toggles, and the stores.
#[derive(Default)]
struct Scratch {
    facts: Vec<Atom>,
    toggles: Vec<bool>,
    stores: Vec<Store>,
}

/// Simulates a cluster, pushing its findings; returns the rollback windows of its steps
/// that are not safe, by global step index.
pub fn run(
    plan: &Plan,
    index: &Index,
    cl: &Cluster,
    space: &Workspace,
    findings: &mut Vec<Finding>,
) -> Vec<(usize, Window)> {
    let stateful = cl
        .comps
        .iter()
        .map(|&c| plan.components[c].kind.is_stateful());
    space.evaluator.borrow_mut().reset(stateful, cl.keys.len());
    Sim {
        plan,
        index,
        cl,
        findings,
        evaluator: &space.evaluator,
        scratch: &space.scratch,
    }
    .run()
}

struct Sim<'p, 'f> {
    plan: &'p Plan,
    index: &'p Index<'p>,
    cl: &'p Cluster,
    findings: &'f mut Vec<Finding>,
    evaluator: &'p RefCell<Evaluator>,
    scratch: &'p RefCell<Scratch>,
}

impl Sim<'_, '_> {
    fn comp(&self, c: u32) -> &str {
        &self.plan.components[self.cl.comps[c as usize]].id
    }

    fn key(&self, k: u32) -> &str {
        self.index.keys[self.cl.keys[k as usize] as usize]
    }

    fn toggle(&self, t: u32) -> &str {
        self.index.toggle_names[self.cl.toggles[t as usize] as usize]
    }

    fn label(&self, global: usize) -> StepLabel<'_> {
        step_label(self.plan, global)
    }

    fn push(
        &mut self,
        rule: Rule,
        step: Option<usize>,
        component: Option<String>,
        key: Option<String>,
        message: String,
        hint: String,
    ) -> usize {
        let finding = Finding::new(rule, step, component, key, message, hint);
        self.findings.push(finding);
        self.findings.len() - 1
    }

    fn run(mut self) -> Vec<(usize, Window)> {
        let cl = self.cl;
        let state = State {
            facts: cl.current.clone(),
            toggles: cl
                .toggles
                .iter()
                .map(|&t| self.index.toggle_initial[t as usize])
                .collect(),
        };
        // The evaluator is borrowed from the workspace, not from `self`, so that its result
        // can be read while findings are pushed.
        let evaluator = self.evaluator;
        let mut evaluation = evaluator.borrow_mut();
        let eval = evaluation.evaluate(state.view());
        let mut stores = initial_stores(eval);
        let events = advance(&mut stores, eval, &[]);
        // Which keys are available before the step being simulated.
        let mut available = eval.available.clone();

        let mut breaks: Vec<Break> = Vec::new();
        let mut open: HashMap<(u32, u32), usize> = HashMap::default();
        for &(c, k, access) in &eval.broken {
            let finding = self.push(
                Rule::BrokenConsumer,
                None,
                Some(self.comp(c).into()),
                Some(self.key(k).into()),
                String::new(),
                String::new(),
            );
            open.insert((c, k), breaks.len());
            breaks.push(Break {
                finding,
                comp: c,
                key: k,
                access,
                start: None,
                was_available: false,
            });
        }
        let mut snaps = Vec::with_capacity(cl.steps.len() + 1);
        snaps.push(Snap {
            state,
            stores,
            broken: eval.broken.clone(),
            stale: events.stale,
        });
        drop(evaluation);
        // What each step's changes did, with the index of the change in its release.
        let mut effects: Vec<Vec<(usize, Effect)>> = Vec::with_capacity(cl.steps.len());
        let mut dropped: Vec<Option<u32>> = Vec::with_capacity(cl.steps.len());
        let mut gaps: HashMap<u32, Gap> = HashMap::default();
        let mut closed_gaps: Vec<Gap> = Vec::new();
        let mut behind_since: HashMap<u32, (usize, u32, u32)> = HashMap::default();

        for p in 0..cl.steps.len() {
            let step = &cl.steps[p];
            let g = step.global;
            if let Some(group) = step.group
                && (p == 0 || cl.steps[p - 1].group != Some(group))
            {
                let end = (p..cl.steps.len())
                    .take_while(|&q| cl.steps[q].group == Some(group))
                    .count();
                self.commit_orders(group, p, p + end, &snaps[p]);
            }
            let pre = &snaps[p];
            let mut state = pre.state.clone();
            let (mut step_effects, backfills) = self.apply_step(&mut state, &step.kind);
            for &(n, ref effect) in &step_effects {
                if *effect != Effect::Nothing {
                    continue;
                }
                match step.kind {
                    CStepKind::Release { comp, .. } => self.noop(g, n, comp),
                    CStepKind::Flip { toggle, on } => {
                        let name = self.toggle(toggle);
                        let value = if on { Switch::On } else { Switch::Off }.name();
                        let msg = format!(
                            "{} turns \"{name}\" {value}, and it is already {value}.",
                            self.label(g)
                        );
                        let hint = "Delete the flip, or check the toggle's `initially` value and earlier flips.".to_string();
                        self.push(
                            Rule::NoopChange,
                            Some(g),
                            None,
                            Some(name.into()),
                            msg,
                            hint,
                        );
                    }
                }
            }
            step_effects.retain(|(_, effect)| *effect != Effect::Nothing);
            let comp = match step.kind {
                CStepKind::Release { comp, .. } => Some(comp),
                CStepKind::Flip { .. } => None,
            };
            let mut stores = pre.stores.clone();
            let mut evaluation = evaluator.borrow_mut();
            let eval = evaluation.evaluate(state.view());
            let events = advance(&mut stores, eval, &backfills);
            let step_drop = self.store_findings(
                g,
                comp,
                &events,
                &eval.writes,
                &mut gaps,
                &mut closed_gaps,
                &mut behind_since,
                &pre.stale,
            );

            // Breaks that start here, and breaks that end here.
            for &(c, k, access) in &eval.broken {
                if let Entry::Vacant(slot) = open.entry((c, k)) {
                    let finding = self.push(
                        Rule::BrokenConsumer,
                        Some(g),
                        Some(self.comp(c).into()),
                        Some(self.key(k).into()),
                        String::new(),
                        String::new(),
                    );
                    let was_available = available[k as usize];
                    slot.insert(breaks.len());
                    breaks.push(Break {
                        finding,
                        comp: c,
                        key: k,
                        access,
                        start: Some(g),
                        was_available,
                    });
                }
            }
            // `broken` is sorted and has one entry per component and key.
            let still = |&(c, k): &(u32, u32)| {
                eval.broken
                    .binary_search_by_key(&(c, k), |b| (b.0, b.1))
                    .is_ok()
            };
            open.retain(|ck, b| {
                if !still(ck) {
                    self.findings[breaks[*b].finding].until = Some(g);
                    return false;
                }
                true
            });

            available.clone_from(&eval.available);
            snaps.push(Snap {
                state,
                stores,
                broken: eval.broken.clone(),
                stale: events.stale,
            });
            effects.push(step_effects);
            dropped.push(step_drop);
        }

        for b in &breaks {
            self.describe_break(b, &snaps);
        }
        for (_, gap) in gaps.drain() {
            closed_gaps.push(gap);
        }
        for gap in closed_gaps {
            self.finish_gap(&gap);
        }
        self.written_races(&breaks);

        (0..cl.steps.len())
            .filter_map(|p| {
                let window = self.rollback(p, &snaps, &effects[p], dropped[p])?;
                Some((cl.steps[p].global, window))
            })
            .collect()
    }
}
