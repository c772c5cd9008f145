//! Simulates one cluster step by step, turning what changes into findings, then judges
//! every step's rollback window against the states that follow it.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::cell::RefCell;
use std::collections::hash_map::Entry;
use std::fmt;

use super::index::{CStepKind, Cluster, Index};
use super::report::{Finding, Rollback, Rule, sentence};
use super::state::{
    Atom, Backfill, Effect, Eval, Evaluator, Events, Landed, Op, State, Store, advance, follow,
    initial_stores, revert,
};
use super::words::{StepLabel, step_label, verb};
use crate::plan::{Access, Change, Plan, Switch};
use crate::suggest::closest;

/// The state after a step, kept for the rollback analysis and commit groups.
struct Snap {
    state: State,
    stores: Vec<Store>,
    broken: Vec<(u32, u32, Access)>,
    stale: Vec<(u32, u32)>,
}

/// Something that goes wrong in a state; used to compare deploy orders and reverts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Harm {
    Broken(u32, u32, Access),
    Stale(u32, u32),
    Gap(u32),
    Lost(u32),
}

/// How harms rank when one must be named: data harms first, then by key, kind and
/// component, by global ids (so a plan checked whole names the same one).
pub type HarmOrder = (bool, u32, u8, usize);

impl Harm {
    fn is_data(self) -> bool {
        !matches!(self, Harm::Broken(..))
    }

    fn key(self) -> u32 {
        match self {
            Harm::Broken(_, k, _) | Harm::Stale(_, k) | Harm::Gap(k) | Harm::Lost(k) => k,
        }
    }

    fn comp(self) -> Option<u32> {
        match self {
            Harm::Broken(c, ..) | Harm::Stale(c, _) => Some(c),
            Harm::Gap(_) | Harm::Lost(_) => None,
        }
    }

    fn order(self, cl: &Cluster) -> HarmOrder {
        let kind = match self {
            Harm::Lost(_) => 0,
            Harm::Gap(_) => 1,
            Harm::Stale(..) => 2,
            Harm::Broken(..) => 3,
        };
        let comp = self.comp().map_or(usize::MAX, |c| cl.comps[c as usize]);
        (!self.is_data(), cl.keys[self.key() as usize], kind, comp)
    }
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

/// A harm in words, with its component and key named.
struct HarmText<'a> {
    harm: Harm,
    comp: &'a str,
    key: &'a str,
}

impl fmt::Display for HarmText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let HarmText { harm, comp, key } = self;
        match harm {
            Harm::Broken(_, _, access) => write!(
                f,
                "{comp} {} \"{key}\" while nothing provides it",
                verb(*access)
            ),
            Harm::Stale(..) => write!(
                f,
                "{comp} reads \"{key}\", which missed writes made only to its mirror"
            ),
            Harm::Gap(_) => write!(f, "\"{key}\" misses writes made to the store it mirrors"),
            Harm::Lost(_) => write!(f, "\"{key}\" is dropped with data kept nowhere else"),
        }
    }
}

/// `format!` for a sentence: `format!` sizes the string by the literal text alone and
/// grows it again for every name and label written into it.
fn text(args: fmt::Arguments<'_>) -> String {
    let mut out = String::with_capacity(160);
    fmt::Write::write_fmt(&mut out, args).expect("a String takes any text");
    out
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

    fn noop(&mut self, g: usize, n: usize, comp: u32) {
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
    fn store_findings(
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
            self.findings[finding].severity = super::Severity::Warning;
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

    /// The first release of component `c` after step `after` with a change that `wanted`
    /// accepts.
    fn later_release(
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
    fn gap_hint(
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

    fn finish_gap(&mut self, gap: &Gap) {
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
        finding.severity = super::Severity::Error;
        if let Some(stripped) = finding.message.strip_suffix('.') {
            finding.message = format!("{stripped}; {}.", tail.join(", and "));
        }
    }

    /// The cluster position of a step, by its global index.
    fn position(&self, global: usize) -> Option<usize> {
        self.cl
            .steps
            .binary_search_by_key(&global, |s| s.global)
            .ok()
    }

    /// The step after which the step at cluster position `p` must ship so that it starts
    /// no break in key group `group`: the first from `at` on (trying `MOVE_TRIES` places at
    /// most), with the step tried there as a move would put it.
    fn move_after(&self, p: usize, at: usize, group: u32, snaps: &[Snap]) -> Option<usize> {
        let step = &self.cl.steps[p].kind;
        let in_group = |&&(_, k, _): &&(u32, u32, Access)| self.cl.key_groups[k as usize] == group;
        let mut state = snaps[p].state.clone();
        let end = self.cl.steps.len().min(at + MOVE_TRIES);
        for q in p + 1..end {
            self.apply_step(&mut state, &self.cl.steps[q].kind);
            if q < at {
                continue;
            }
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

    /// The toggle of the feature key `k` belongs to (one in its key group), if the plan
    /// has one.
    fn feature_toggle(&self, k: u32) -> Option<&str> {
        let group = self.cl.key_groups[k as usize];
        let t = self.cl.toggle_groups.iter().position(|&g| g == group)?;
        Some(self.index.toggle_names[self.cl.toggles[t] as usize])
    }

    /// Whether component `c`'s uses of key `k` are already gated in `snap`.
    fn gated(&self, snap: &Snap, c: u32, k: u32) -> bool {
        snap.state.facts[c as usize]
            .iter()
            .any(|a| a.key == k && a.access != Access::Provide && a.gate.is_some())
    }

    /// "gate c's use of k behind the toggle "t" and turn it on after X", naming the plan's
    /// toggle for the feature when it has one.
    fn gate_advice(&self, b: &Break, after: Option<StepLabel>) -> String {
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

    fn describe_break(&mut self, b: &Break, snaps: &[Snap]) {
        let (c, k) = (self.comp(b.comp).to_string(), self.key(b.key).to_string());
        let verb = verb(b.access);
        let until = self.findings[b.finding].until;
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

        let never_provided = !self.index.provided[self.cl.keys[b.key as usize] as usize];
        let hint = if never_provided {
            let at = b
                .start
                .map_or("the first step".to_string(), |s| self.label(s).to_string());
            match closest(&k, self.index.provided_names()) {
                Some(best) => format!(
                    "Nothing in the plan provides \"{k}\": did you mean \"{best}\"? Otherwise add a release that provides \"{k}\" before {at}."
                ),
                None => format!(
                    "Nothing in the plan provides \"{k}\": add a release that provides it before {at}."
                ),
            }
        } else {
            match (b.start, until) {
                (None, Some(u)) => format!(
                    "The current state is already broken; {} fixes it. If production is fine, the current facts are wrong.",
                    self.label(u)
                ),
                (None, None) => format!(
                    "The current state is already broken and stays so: provide \"{k}\", or stop {c} using it."
                ),
                (Some(s), until) => {
                    let own = self.plan.steps[s].component() == Some(c.as_str());
                    let flip = self.plan.steps[s].component().is_none();
                    let p = self.position(s);
                    // Already gated: the toggle is on, so gating again changes nothing.
                    let gated = p.is_some_and(|p| self.gated(&snaps[p + 1], b.comp, b.key));
                    // The last step to follow: the one after which the moved step starts
                    // no break at all. None when no move does it (say, the consumer itself
                    // stops the use later).
                    let group = self.cl.key_groups[b.key as usize];
                    let after = until
                        .and_then(|u| p.zip(self.position(u)))
                        .and_then(|(p, at)| self.move_after(p, at, group, snaps));
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
            }
        };
        let f = &mut self.findings[b.finding];
        f.message = sentence(message);
        f.hint = sentence(hint);
    }

    /// Applies a step to `state`, its changes in order: what each change did (`Nothing`
    /// for a backfill or a change that changed nothing), and the backfills, each judged
    /// on the state the changes before it left.
    fn apply_step(
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

    /// Runs the releases of a commit group in every deploy order and reports the breaks
    /// that start and end inside the group, on the release whose deployment starts them,
    /// and the losses and gaps that the written order does not cause.
    fn commit_orders(&mut self, group: usize, start: usize, end: usize, pre: &Snap) {
        let members: Vec<usize> = (start..end).collect();
        if members.len() < 2 {
            return;
        }
        let (label, first, last) = self.index.groups[group];
        // Each order of this cluster's releases, named by the first order of the whole
        // group that deploys them so: the written order first, then the others in
        // lexicographic order of their positions.
        let mut runs: Vec<(Vec<usize>, Vec<usize>)> = if last - first + 1 > MAX_ORDERED {
            // Past the limit only the written order and its reverse, of the whole group.
            let mut reversed = members.clone();
            reversed.reverse();
            vec![
                ((first..=last).collect(), members.clone()),
                ((first..=last).rev().collect(), reversed),
            ]
        } else {
            orders(&members)
                .into_iter()
                .map(|order| {
                    let globals: Vec<usize> =
                        order.iter().map(|&q| self.cl.steps[q].global).collect();
                    (whole_order(first, last, &globals), order)
                })
                .collect()
        };
        runs.sort();
        let mut written_data: HashSet<Harm> = HashSet::default();
        let mut seen: HashSet<(usize, Option<u32>, u32, bool)> = HashSet::default();
        for (whole, order) in &runs {
            let written = *order == members;
            let deploys = self.deploy(pre, order);
            if written {
                written_data.extend(deploys.iter().flat_map(|(lasting, events)| {
                    lasting
                        .iter()
                        .chain(events)
                        .copied()
                        .filter(|h| h.is_data())
                }));
            }
            for (n, (lasting, events)) in deploys.iter().enumerate() {
                let g = self.cl.steps[order[n]].global;
                let started = lasting
                    .iter()
                    .filter(|h| n == 0 || !deploys[n - 1].0.contains(h));
                for &harm in started.chain(events) {
                    if harm.is_data() {
                        // Lost data does not come back, and a stale read's rows stay stale.
                        if !written_data.contains(&harm)
                            && seen.insert((g, harm.comp(), harm.key(), true))
                        {
                            self.race(label, whole, order[n], harm, None);
                        }
                        continue;
                    }
                    let Some(m) = (n + 1..order.len()).find(|&m| !deploys[m].0.contains(&harm))
                    else {
                        continue;
                    };
                    // The written order's races are its own breaks (see `written_races`).
                    if !seen.insert((g, harm.comp(), harm.key(), false)) || written {
                        continue;
                    }
                    let until = self.cl.steps[order[m]].global;
                    self.race(label, whole, order[n], harm, Some(until));
                }
            }
        }
    }

    /// Reports a race of commit `label` started by the release at cluster position `q`
    /// when the group deploys in the order `whole` (global step indices).
    fn race(&mut self, label: &str, whole: &[usize], q: usize, harm: Harm, until: Option<usize>) {
        let g = self.cl.steps[q].global;
        let names: Vec<String> = whole
            .iter()
            .map(|&s| format!("\"{}\"", self.plan.steps[s].id()))
            .collect();
        let what = self.describe_harm(harm);
        let message = match until {
            Some(u) => format!(
                "If commit \"{label}\" deploys in the order {}, {what} from the moment {} is live until {} is.",
                names.join(" → "),
                self.label(g),
                self.label(u)
            ),
            None => format!(
                "If commit \"{label}\" deploys in the order {}, {what} once {} is live.",
                names.join(" → "),
                self.label(g)
            ),
        };
        let hint = match until {
            Some(u) => format!(
                "Ship {} in a commit of its own before the one with {}: the releases of one commit deploy separately, in any order.",
                self.label(u),
                self.label(g)
            ),
            None => {
                let (_, first, last) = *self
                    .index
                    .groups
                    .iter()
                    .find(|grp| grp.0 == label)
                    .expect("a race belongs to a commit group");
                let written: Vec<String> = (first..=last)
                    .map(|s| format!("\"{}\"", self.plan.steps[s].id()))
                    .collect();
                format!(
                    "Ship the releases of commit \"{label}\" as separate commits, in the order {}: their pipelines deploy separately, in any order.",
                    written.join(" → ")
                )
            }
        };
        let comp = harm.comp().or(match self.cl.steps[q].kind {
            CStepKind::Release { comp, .. } => Some(comp),
            CStepKind::Flip { .. } => None,
        });
        let comp = comp.map(|c| self.comp(c).to_string());
        let key = Some(self.key(harm.key()).to_string());
        let finding = self.push(Rule::CommitRace, Some(g), comp, key, message, hint);
        self.findings[finding].until = until;
    }

    /// Deploys `order` from `pre`: after each deploy, the harms that last while it is live
    /// (breaks and stale reads) and the losses and gaps its deployment causes.
    fn deploy(&self, pre: &Snap, order: &[usize]) -> Vec<(Vec<Harm>, Vec<Harm>)> {
        let mut state = pre.state.clone();
        let mut stores = pre.stores.clone();
        let mut out = Vec::with_capacity(order.len());
        for &q in order {
            let (_, backfills) = self.apply_step(&mut state, &self.cl.steps[q].kind);
            let mut evaluator = self.evaluator.borrow_mut();
            let eval = evaluator.evaluate(state.view());
            let events = advance(&mut stores, eval, &backfills);
            let (lasting, data) = harms_since(&pre.broken, &pre.stale, eval, &events)
                .partition(|h| matches!(h, Harm::Broken(..) | Harm::Stale(..)));
            out.push((lasting, data));
        }
        out
    }

    /// What a harm does, to be written into a message.
    fn describe_harm(&self, harm: Harm) -> HarmText<'_> {
        HarmText {
            harm,
            comp: harm.comp().map_or("", |c| self.comp(c)),
            key: self.key(harm.key()),
        }
    }

    /// Breaks of the written order that start and end inside a commit group are races.
    fn written_races(&mut self, breaks: &[Break]) {
        for b in breaks {
            let Some(start) = b.start else { continue };
            let Some(until) = self.findings[b.finding].until else {
                continue;
            };
            let Some(&(label, first, last)) = self
                .index
                .groups
                .iter()
                .find(|g| g.1 <= start && start < g.2)
            else {
                continue;
            };
            if until > last {
                continue;
            }
            let whole: Vec<usize> = (first..=last).collect();
            let Some(q) = self.cl.steps.iter().position(|s| s.global == start) else {
                continue;
            };
            let harm = Harm::Broken(b.comp, b.key, b.access);
            let at = self.findings.len();
            self.race(label, &whole, q, harm, Some(until));
            let race = self.findings.swap_remove(at);
            self.findings[b.finding] = race;
        }
    }

    /// The rollback window of the step at cluster position `p`, if reverting it (all its
    /// changes in this cluster, as one deployment) is not safe.
    fn rollback(
        &self,
        p: usize,
        snaps: &[Snap],
        effects: &[(usize, Effect)],
        dropped: Option<u32>,
    ) -> Option<Window> {
        let g = self.cl.steps[p].global;
        let comp = match self.cl.steps[p].kind {
            CStepKind::Release { comp, .. } => Some(comp),
            CStepKind::Flip { .. } => None,
        };
        let comp_name = |harm: Option<Harm>| {
            comp.or(harm.and_then(Harm::comp))
                .map(|c| self.comp(c).to_string())
        };
        if let Some(k) = dropped {
            let key = self.key(k).to_string();
            let message = format!(
                "{} drops \"{key}\" for good: no revert brings its data back.",
                self.label(g)
            );
            let hint = format!(
                "Before {} ships, make sure the data of \"{key}\" is kept elsewhere or no longer needed.",
                self.label(g)
            );
            return Some(Window {
                rank: (0, self.cl.keys[k as usize] as usize, Default::default()),
                rollback: Rollback::Irreversible,
                finding: Finding::new(
                    Rule::Rollback,
                    Some(g),
                    comp_name(None),
                    Some(key),
                    message,
                    hint,
                ),
            });
        }
        // What reverting undoes at each later point: an `Add` is followed through the
        // component's later changes. Steps outside the cluster leave its keys as they are,
        // so only the cluster's own steps can tell.
        let mut live: Vec<Effect> = effects.iter().map(|(_, e)| e.clone()).collect();
        let (q, harm) = (p..self.cl.steps.len()).find_map(|q| {
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
                    *effect = form.map_or(Effect::Nothing, Effect::Added);
                }
            }
            Some((q, self.judge(comp, &live, &snaps[q + 1])?))
        })?;
        let what = self.describe_harm(harm);
        let key = Some(self.key(harm.key()).to_string());
        let comp_name = comp_name(Some(harm));
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
        Some(Window {
            rank,
            rollback,
            finding,
        })
    }

    /// What reverting a step does in the state `snap`: its changes' inverses applied last
    /// first, as one deployment. The harm it does, a data harm before a break.
    fn judge(&self, comp: Option<u32>, live: &[Effect], snap: &Snap) -> Option<Harm> {
        let mut scratch = self.scratch.borrow_mut();
        let Scratch {
            facts,
            toggles,
            stores,
        } = &mut *scratch;
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
        let eval = evaluator.evaluate(view);
        stores.clone_from(&snap.stores);
        let events = advance(stores, eval, &[]);
        harms_since(&snap.broken, &snap.stale, eval, &events).min_by_key(|h| h.order(self.cl))
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

/// The lexicographically first order of a commit group's steps (`first..=last`) in which
/// the steps of `sub` deploy in the order given.
fn whole_order(first: usize, last: usize, sub: &[usize]) -> Vec<usize> {
    let mut left: Vec<usize> = (first..=last).collect();
    let mut next = 0;
    let mut out = Vec::with_capacity(left.len());
    while !left.is_empty() {
        let pick = left
            .iter()
            .position(|s| !sub.contains(s) || sub.get(next) == Some(s))
            .unwrap_or(0);
        let s = left.remove(pick);
        if sub.get(next) == Some(&s) {
            next += 1;
        }
        out.push(s);
    }
    out
}

/// What is wrong in a state that was not wrong before (`pre_broken`, `pre_stale`), plus
/// the data harms of `events`.
fn harms_since<'e>(
    pre_broken: &'e [(u32, u32, Access)],
    pre_stale: &'e [(u32, u32)],
    eval: &'e Eval,
    events: &'e Events,
) -> impl Iterator<Item = Harm> + 'e {
    let broken = eval
        .broken
        .iter()
        .filter(|&&(c, k, _)| !pre_broken.iter().any(|b| b.0 == c && b.1 == k))
        .map(|&(c, k, access)| Harm::Broken(c, k, access));
    let lost = events
        .dropped
        .iter()
        .filter(|&&(_, kept)| !kept)
        .map(|&(k, _)| Harm::Lost(k));
    let gaps = events.gaps.iter().map(|&(k, ..)| Harm::Gap(k));
    let stale = events
        .stale
        .iter()
        .filter(|s| pre_stale.binary_search(s).is_err())
        .map(|&(c, k)| Harm::Stale(c, k));
    broken.chain(lost).chain(gaps).chain(stale)
}

/// How many places after a break's end a move hint tries before it gives up on a move (the
/// checker runs on every keystroke: a hint must not cost a walk to the end of the plan).
const MOVE_TRIES: usize = 32;

/// The most releases of a commit group whose every deploy order is simulated (720 orders is
/// already a lot of simulation per keystroke); past it, the written order and its reverse.
const MAX_ORDERED: usize = 6;

/// Every deploy order of a commit group's releases.
fn orders(members: &[usize]) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    let mut current = members.to_vec();
    permute(&mut current, 0, &mut out);
    out
}

fn permute(items: &mut Vec<usize>, k: usize, out: &mut Vec<Vec<usize>>) {
    if k == items.len() {
        out.push(items.clone());
        return;
    }
    for i in k..items.len() {
        items.swap(k, i);
        permute(items, k + 1, out);
        items.swap(k, i);
    }
}
