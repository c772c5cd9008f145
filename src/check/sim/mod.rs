//! Simulates one cluster step by step, turning what changes into findings, then judges
//! every step's rollback window against the states that follow it.
//!
//! Here the walk's driver and what it gathers; `step` takes one step (its changes, the
//! breaks it starts and ends), `stores` reports what a step does to stores, `commit` runs
//! the releases of a commit group in every deploy order, `rollback` judges reverting each
//! step, `hints` words the fixes, and `harm` names what goes wrong in a state.

mod commit;
mod harm;
mod hints;
pub(super) mod prefix;
mod reach;
mod rollback;
mod step;
mod stores;

use rustc_hash::FxHashMap as HashMap;
use std::cell::RefCell;
use std::collections::VecDeque;

use super::index::{Cluster, Index};
use super::report::{Finding, Rollback, Rule};
use super::state::{Activity, Atom, Effect, Evaluator, State, Store, advance, initial_stores};
use super::words::{StepLabel, step_label};
use crate::plan::{Access, Plan};
use harm::HarmOrder;

/// The state after a step: what the next step starts from, and what reverts are judged on.
struct Snap {
    state: State,
    /// Which facts are active, when reverts are judged where steps reach them.
    activity: Activity,
    stores: Vec<Store>,
    broken: Vec<(u32, u32, Access)>,
    stale: Vec<(u32, u32)>,
}

/// A use of a key that nothing provides, from the step that starts it (`None`: before the
/// first step); its finding is worded once the walk knows where it ends.
struct Break {
    finding: usize,
    comp: u32,
    key: u32,
    access: Access,
    start: Option<usize>,
    was_available: bool,
    /// The component's uses of the key were already gated after the step that started it.
    gated: bool,
}

/// A mirror that missed writes to the store it mirrors; its finding becomes an error once
/// something reads the mirror or the mirror becomes the only copy.
struct Gap {
    finding: usize,
    read: Option<(u32, usize)>,
    only_copy: Option<usize>,
}

/// The stores' bookkeeping across the walk: the open gap of each mirror, the gaps closed,
/// and since when (step, writer, store) each store has missed writes made to its mirror.
#[derive(Default)]
struct Gaps {
    open: HashMap<u32, Gap>,
    closed: Vec<Gap>,
    behind_since: HashMap<u32, (usize, u32, u32)>,
}

/// What the walk through a cluster's steps has gathered so far. It keeps the state after
/// the last step only (and a few recent ones for move hints), so that its memory grows with
/// the cluster, not with the cluster times its steps.
struct Walk {
    /// The state before the first step, then after each step in turn.
    now: Snap,
    /// The state before every `CHECKPOINT`th step but the first (the initial state is
    /// built again when asked), as far back as a move hint may look.
    checkpoints: VecDeque<(usize, State)>,
    breaks: Vec<Break>,
    /// The breaks that have not ended, by component and key: indices into `breaks`.
    open: HashMap<(u32, u32), usize>,
    /// The breaks the step being simulated ended, to be worded once it is done.
    ended: Vec<usize>,
    /// Which keys are available before the step being simulated (and the space it had
    /// the step before).
    available: Vec<bool>,
    spare: Vec<bool>,
    /// What each step's changes did, with the index of the change in its release.
    effects: Vec<Vec<(usize, Effect)>>,
    gaps: Gaps,
    /// The keys and toggles the step being simulated touched, when reverts are judged
    /// where steps reach them.
    touched: reach::Nodes,
    reverts: rollback::Reverts,
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
    pub judging: Judging,
}

/// When a revert that harms nothing is judged again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Judging {
    /// After every later step.
    EveryStep,
    /// Only after a step that touches what the revert reaches (see `reach`). Both give the
    /// same windows (the tests hold `reach` to that).
    Reach,
    /// `Reach` in clusters of `REACH_FROM` steps or more, where judging every step costs
    /// more than following what each step touches; `EveryStep` in shorter ones.
    #[default]
    Auto,
}

/// The length from which a cluster follows what reverts reach.
const REACH_FROM: usize = 32;

/// A revert being judged: one component's facts or the toggles, and the stores; and what
/// the revert reaches.
#[derive(Default)]
struct Scratch {
    facts: Vec<Atom>,
    toggles: Vec<bool>,
    stores: Vec<Store>,
    reach: reach::Nodes,
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
        reach: match space.judging {
            Judging::EveryStep => false,
            Judging::Reach => true,
            Judging::Auto => cl.steps.len() >= REACH_FROM,
        },
    }
    .run()
}

/// A cluster's state before its first step: its components' current facts, its toggles
/// as the plan declares them.
fn initial_state(cl: &Cluster, index: &Index) -> State {
    State {
        facts: cl.current.clone(),
        toggles: cl
            .toggles
            .iter()
            .map(|&t| index.toggle_initial[t as usize])
            .collect(),
    }
}

/// One cluster being simulated, and the findings it adds to.
struct Sim<'p, 'f> {
    plan: &'p Plan,
    index: &'p Index<'p>,
    cl: &'p Cluster,
    findings: &'f mut Vec<Finding>,
    evaluator: &'p RefCell<Evaluator>,
    scratch: &'p RefCell<Scratch>,
    /// Whether reverts are judged only after steps that reach them, and so whether each
    /// step records what it touched.
    reach: bool,
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

    /// Adds a finding; returns its index, for the phases that word it later.
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

    /// The walk: the state before the first step, each step in turn (with the reverts it
    /// decides), then the findings that need the whole walk.
    fn run(mut self) -> Vec<(usize, Window)> {
        let mut walk = self.start();
        for p in 0..self.cl.steps.len() {
            self.step(p, &mut walk);
        }
        self.finish(&mut walk);
        walk.reverts.windows
    }

    /// The cluster's state before its first step.
    fn initial_state(&self) -> State {
        initial_state(self.cl, self.index)
    }

    /// The state before the first step, and the breaks it already has.
    fn start(&mut self) -> Walk {
        let cl = self.cl;
        let state = self.initial_state();
        // The evaluator is borrowed from the workspace, not from `self`, so that its result
        // can be read while findings are pushed.
        let evaluator = self.evaluator;
        let mut evaluation = evaluator.borrow_mut();
        evaluation.evaluate(state.view());
        let eval = evaluation.last();
        let mut stores = initial_stores(eval);
        let events = advance(&mut stores, eval, &[]);
        let mut activity = Activity::default();
        if self.reach {
            evaluation.save_activity(&mut activity);
        }
        let mut walk = Walk {
            now: Snap {
                state,
                activity,
                stores,
                broken: eval.broken.clone(),
                stale: events.stale,
            },
            checkpoints: VecDeque::new(),
            breaks: Vec::new(),
            open: HashMap::default(),
            ended: Vec::new(),
            available: eval.available.clone(),
            spare: Vec::new(),
            effects: Vec::with_capacity(cl.steps.len()),
            gaps: Gaps::default(),
            touched: reach::Nodes::default(),
            reverts: rollback::Reverts::with_capacity(cl.steps.len()),
        };
        drop(evaluation);
        let broken = walk.now.broken.clone();
        self.open_breaks(None, &broken, &mut walk);
        walk
    }

    /// The findings that need the whole walk: the span and fix of each break still open
    /// (those that ended are worded as they end), what each gap led to, and the breaks that
    /// are races inside a commit group.
    fn finish(&mut self, walk: &mut Walk) {
        for b in &walk.breaks {
            if self.findings[b.finding].until.is_none() {
                self.describe_break(b, walk);
            }
        }
        let Gaps { open, closed, .. } = &mut walk.gaps;
        closed.extend(open.drain().map(|(_, gap)| gap));
        for gap in closed.iter() {
            self.finish_gap(gap);
        }
        self.written_races(&walk.breaks);
    }
}
