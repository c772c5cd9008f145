//! Checking a plan's steps in an order the caller chooses, a step (or a commit group) at a
//! time, from a prefix kept as a value: what the order search of `storyplan fix` stands on.
//!
//! A [`Prefix`] is the simulation after some steps — facts, toggles, the stores'
//! bookkeeping, what is broken or stale, the mirrors' open gaps — with the errors and
//! warnings those steps earn. Extending it by a step counts what `check` reports at that
//! step in every plan that starts with the prefix, so a prefix's counts never go down as
//! it grows, except that a gap's warning becomes an error once the mirror is read or
//! becomes the only copy. What follows a prefix depends on its state alone (two prefixes
//! of the same steps may differ: a gap depends on the order), which is what
//! [`Prefix::state_key`] writes out.
//!
//! Counted are the findings whose number an order can change: changes (and releases)
//! that do nothing, backfills of stores not available, losses, gaps, stale reads, breaks, commit races, and
//! at the end toggles left behind and targets not reached; each acceptance applies as in
//! `check`. Not counted are those no order changes (bad references compiled from the
//! plan, releases of a third party, breaks before the first step, and shipped steps out
//! of order while shipped steps keep their places): one `check` of any order gives them.
//! Findings are counted, not worded, and rollback windows are not judged.

use rustc_hash::FxHashSet as HashSet;
use std::cell::{Cell, RefCell};

use super::commit::{Before, Deploys, MAX_ORDERED, deploy, orders};
use super::harm::Harm;
use super::step::apply_step;
use crate::check::index::{CStepKind, Cluster, Index, build};
use crate::check::report::{Rule, Severity};
use crate::check::state::{Atom, Effect, Evaluator, State, Store, advance, initial_stores};
use crate::check::{accept, end_rules};
use crate::plan::{Access, Change, Fact, Plan};

/// Errors and warnings, as `Summary` counts them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Tally {
    pub errors: usize,
    pub warnings: usize,
}

/// A plan compiled once, to be checked in any order a step at a time.
pub struct Stepper<'p> {
    plan: &'p Plan,
    index: Index<'p>,
    /// The plan simulated whole, as one cluster; `None` when nothing in it has a fact.
    cl: Option<Cluster>,
    /// Each step's position among the cluster's steps; `None` for a step that changes no
    /// fact (a release without changes or of an unknown component, a flip of an unknown
    /// toggle).
    at: Vec<Option<usize>>,
    evaluator: RefCell<Evaluator>,
    acceptances: Vec<Acceptance<'p>>,
    /// For each step, the other steps with its id: an acceptance names the first of them.
    twins: Vec<Vec<usize>>,
    simulated: Cell<usize>,
}

/// An acceptance that applies to findings at a step: its rule, step id and key.
struct Acceptance<'p> {
    rule: Rule,
    step: &'p str,
    key: Option<&'p str>,
}

/// The simulation after some steps, and what they earned.
#[derive(Debug, Clone)]
pub struct Prefix {
    state: State,
    stores: Vec<Store>,
    broken: Vec<(u32, u32, Access)>,
    stale: Vec<(u32, u32)>,
    /// The open gap of each mirror, sorted by key: whether its finding is a warning that a
    /// read of the mirror (or its becoming the only copy) turns into an error.
    gaps: Vec<(u32, bool)>,
    /// A bit per step of the plan: placed or not.
    placed: Vec<u64>,
    tally: Tally,
}

impl Prefix {
    /// The errors and warnings of the steps placed so far.
    pub fn tally(&self) -> Tally {
        self.tally
    }

    pub fn is_placed(&self, step: usize) -> bool {
        self.placed
            .get(step / 64)
            .is_some_and(|word| word >> (step % 64) & 1 == 1)
    }

    /// How many of the steps before `step` (in the plan's written order) are placed.
    pub fn placed_before(&self, step: usize) -> usize {
        let (full, rest) = (step / 64, step % 64);
        let words = self
            .placed
            .iter()
            .take(full)
            .map(|w| w.count_ones() as usize);
        let part = self
            .placed
            .get(full)
            .map_or(0, |w| (w & ((1u64 << rest) - 1)).count_ones() as usize);
        words.sum::<usize>() + part
    }

    fn place(&mut self, step: usize) {
        if let Some(word) = self.placed.get_mut(step / 64) {
            *word |= 1 << (step % 64);
        }
    }

    /// Appends what the steps after this prefix depend on: two prefixes of the same steps
    /// with the same key lead to the same findings whatever follows.
    pub fn state_key(&self, out: &mut Vec<u32>) {
        for facts in &self.state.facts {
            out.push(facts.len() as u32);
            for a in facts.iter() {
                out.extend([
                    a.access as u32 | u32::from(a.tolerant) << 2,
                    a.key,
                    a.gate.map_or(0, |t| t + 1),
                    a.serving.map_or(0, |s| s + 1),
                ]);
            }
        }
        out.extend(self.state.toggles.iter().map(|&on| u32::from(on)));
        for store in &self.stores {
            let flags = [
                store.exists,
                store.holds_data,
                store.own_rows,
                store.complete,
                store.behind,
            ];
            let bits = flags
                .iter()
                .enumerate()
                .fold(0, |bits, (n, &flag)| bits | u32::from(flag) << n);
            out.extend([bits, store.mirror_of.map_or(0, |m| m + 1)]);
        }
        out.push(self.broken.len() as u32);
        out.extend(
            self.broken
                .iter()
                .flat_map(|&(c, k, access)| [c, k, access as u32]),
        );
        out.push(self.stale.len() as u32);
        out.extend(self.stale.iter().flat_map(|&(c, k)| [c, k]));
        out.push(self.gaps.len() as u32);
        out.extend(self.gaps.iter().flat_map(|&(k, open)| [k, u32::from(open)]));
    }

    fn count(&mut self, severity: Severity) {
        match severity {
            Severity::Error => self.tally.errors += 1,
            Severity::Warning => self.tally.warnings += 1,
            Severity::Info | Severity::Accepted => {}
        }
    }

    /// A gap's warning becomes an error: its mirror is read, or is the only copy.
    fn escalate(&mut self, key: u32) {
        if let Ok(at) = self.gaps.binary_search_by_key(&key, |g| g.0)
            && self.gaps[at].1
        {
            self.gaps[at].1 = false;
            self.tally.errors += 1;
            self.tally.warnings -= 1;
        }
    }
}

/// The deploy orders of a commit group simulated from a prefix, for [`Stepper::place_group`].
pub struct Runs {
    /// Each order (positions among the cluster's steps) with the harms after each deploy:
    /// those that last while it is live, and the losses and gaps it causes.
    runs: Vec<(Vec<usize>, Deploys)>,
    /// Whether every order was run; past `MAX_ORDERED` releases only the order the runs
    /// were made for and its reverse are, as `check` does.
    every: bool,
}

/// A break that a release of a commit group started: a race if it ends inside the group.
struct Opened {
    step: usize,
    first: bool,
    comp: u32,
    key: u32,
    ended: bool,
}

impl<'p> Stepper<'p> {
    pub fn new(plan: &'p Plan) -> Stepper<'p> {
        let mut index = build(plan, false);
        let cl = index.clusters.pop();
        let mut at = vec![None; plan.steps.len()];
        let mut evaluator = Evaluator::default();
        if let Some(cl) = &cl {
            for (p, step) in cl.steps.iter().enumerate() {
                at[step.global] = Some(p);
            }
            let stateful = cl
                .comps
                .iter()
                .map(|&c| plan.components[c].kind.is_stateful());
            evaluator.reset(stateful, cl.keys.len());
        }
        let twins = plan
            .steps
            .iter()
            .enumerate()
            .map(|(i, step)| {
                (0..plan.steps.len())
                    .filter(|&j| j != i && plan.steps[j].id() == step.id())
                    .collect()
            })
            .collect();
        Stepper {
            plan,
            index,
            cl,
            at,
            evaluator: RefCell::new(evaluator),
            acceptances: acceptances(plan),
            twins,
            simulated: Cell::new(0),
        }
    }

    /// Whether the counts are exact: they are unless the plan accepts a finding that is
    /// not simulated (a bad reference, a shipped step out of order, a release of a third
    /// party) at a step whose id another step has too, or a bad reference at a release in
    /// a commit; whether an order gives such a finding to the step the acceptance names
    /// is not followed.
    pub fn exact(&self) -> bool {
        self.acceptances.iter().all(|a| {
            let steps = || self.plan.steps.iter().filter(|s| s.id() == a.step);
            match a.rule {
                Rule::BadReference => steps().count() < 2 && steps().all(|s| s.commit().is_none()),
                Rule::ShippedOrder | Rule::ExternalRelease => steps().count() < 2,
                _ => true,
            }
        })
    }

    /// How many steps (and deploys of commit groups) were simulated so far.
    pub fn simulated(&self) -> usize {
        self.simulated.get()
    }

    /// The state before the first step.
    pub fn start(&self) -> Prefix {
        let placed = vec![0; self.plan.steps.len().div_ceil(64)];
        let Some(cl) = &self.cl else {
            return Prefix {
                state: State::default(),
                stores: Vec::new(),
                broken: Vec::new(),
                stale: Vec::new(),
                gaps: Vec::new(),
                placed,
                tally: Tally::default(),
            };
        };
        let state = State {
            facts: cl.current.clone(),
            toggles: cl
                .toggles
                .iter()
                .map(|&t| self.index.toggle_initial[t as usize])
                .collect(),
        };
        let mut evaluator = self.evaluator.borrow_mut();
        let eval = evaluator.evaluate(state.view());
        let mut stores = initial_stores(eval);
        let events = advance(&mut stores, eval, &[]);
        Prefix {
            state,
            stores,
            broken: eval.broken.clone(),
            stale: events.stale,
            gaps: Vec::new(),
            placed,
            tally: Tally::default(),
        }
    }

    /// `pre` followed by step `step` (an index into the plan's steps), outside any commit
    /// group.
    pub fn place(&self, pre: &Prefix, step: usize) -> Prefix {
        let mut next = pre.clone();
        self.step_into(&mut next, step, None);
        next
    }

    /// Simulates every deploy order of a commit group's releases (`group`, in the order
    /// the plan would list them) from `pre`.
    pub fn runs(&self, pre: &Prefix, group: &[usize]) -> Runs {
        let every = group.len() <= MAX_ORDERED;
        let Some(cl) = &self.cl else {
            return Runs {
                runs: Vec::new(),
                every,
            };
        };
        let members: Vec<usize> = group.iter().filter_map(|&s| self.at[s]).collect();
        if members.len() < 2 {
            return Runs {
                runs: Vec::new(),
                every,
            };
        }
        let orders = if every {
            orders(&members)
        } else {
            let mut reversed = members.clone();
            reversed.reverse();
            vec![members, reversed]
        };
        let before = Before {
            state: &pre.state,
            stores: &pre.stores,
            broken: &pre.broken,
            stale: &pre.stale,
        };
        let runs = orders
            .into_iter()
            .map(|order| {
                self.simulated.set(self.simulated.get() + order.len());
                let deploys = deploy(cl, &self.evaluator, before, &order);
                (order, deploys)
            })
            .collect();
        Runs { runs, every }
    }

    /// `pre` followed by a commit group's releases in the order `group` lists them, with
    /// the races of its other deploy orders (`runs`, made from `pre`).
    pub fn place_group(&self, pre: &Prefix, runs: &Runs, group: &[usize]) -> Prefix {
        let mut next = pre.clone();
        if let Some(cl) = &self.cl {
            let written: Vec<usize> = group.iter().filter_map(|&s| self.at[s]).collect();
            let fresh;
            let runs = if runs.every || runs.runs.first().is_none_or(|r| r.0 == written) {
                runs
            } else {
                fresh = self.runs(pre, group);
                &fresh
            };
            self.races(cl, &mut next, runs, &written, |g| {
                let at = group.iter().position(|&s| s == g).unwrap_or(0);
                self.first(pre, g, &group[..at])
            });
        }
        let mut opened = Vec::new();
        for &s in group {
            self.step_into(&mut next, s, Some(&mut opened));
        }
        for o in opened {
            let rule = if o.ended {
                Rule::CommitRace
            } else {
                Rule::BrokenConsumer
            };
            let key = self.key_name(o.key);
            if !self.accepted(rule, o.step, o.first, Some(key)) {
                next.count(Severity::Error);
            }
        }
        next
    }

    /// What the end of the plan adds after `pre` (every step placed): toggles left behind
    /// and targets not reached.
    pub fn end(&self, pre: &Prefix) -> Tally {
        let finals: Vec<Option<Vec<Fact>>> = (0..self.plan.components.len())
            .map(|c| {
                self.index.current[c].as_ref()?;
                let Some(cl) = &self.cl else {
                    return Some(Vec::new());
                };
                let Ok(local) = cl.comps.binary_search(&c) else {
                    return Some(Vec::new());
                };
                Some(
                    pre.state.facts[local]
                        .iter()
                        .map(|a| self.index.fact(&global(cl, a)))
                        .collect(),
                )
            })
            .collect();
        let mut findings = Vec::new();
        end_rules(self.plan, &finals, &mut findings);
        let ends = findings.len();
        accept(self.plan, &mut findings);
        let mut tally = Tally::default();
        for f in &findings[..ends] {
            match f.severity {
                Severity::Error => tally.errors += 1,
                Severity::Warning => tally.warnings += 1,
                Severity::Info | Severity::Accepted => {}
            }
        }
        tally
    }

    fn key_name(&self, key: u32) -> &'p str {
        match &self.cl {
            Some(cl) => self.index.keys[cl.keys[key as usize] as usize],
            None => "",
        }
    }

    /// Whether step `step` is the first of its id once `pre` and then `earlier` are placed:
    /// an acceptance names the first step with its id.
    fn first(&self, pre: &Prefix, step: usize, earlier: &[usize]) -> bool {
        self.twins[step]
            .iter()
            .all(|t| !pre.is_placed(*t) && !earlier.contains(t))
    }

    /// Whether the plan accepts a finding of `rule` at `step` about `key`.
    fn accepted(&self, rule: Rule, step: usize, first: bool, key: Option<&str>) -> bool {
        first
            && self.acceptances.iter().any(|a| {
                a.rule == rule
                    && a.step == self.plan.steps[step].id()
                    && a.key.is_none_or(|k| key == Some(k))
            })
    }

    /// Counts a finding at `step` unless the plan accepts it.
    fn finding(
        &self,
        next: &mut Prefix,
        (rule, severity): (Rule, Severity),
        step: usize,
        first: bool,
        key: Option<&str>,
    ) {
        if !self.accepted(rule, step, first, key) {
            next.count(severity);
        }
    }

    /// The key a `noop-change` at change `n` of step `step` names; `None` for a backfill,
    /// which is never one.
    fn noop_key(&self, step: usize, kind: &CStepKind, n: usize) -> Option<&'p str> {
        match kind {
            CStepKind::Release { .. } => match self.plan.steps[step].changes().get(n)? {
                Change::Add(fact) | Change::Remove(fact) => Some(fact.key.as_str()),
                Change::Ungate(toggle) => Some(toggle.trim()),
                Change::Backfill { .. } => None,
            },
            &CStepKind::Flip { toggle, .. } => {
                let cl = self.cl.as_ref()?;
                Some(self.index.toggle_names[cl.toggles[toggle as usize] as usize])
            }
        }
    }

    /// Extends `next` by step `step`, as `check`'s walk does; inside a commit group the
    /// breaks it starts go to `group`, to be counted once the group is done.
    fn step_into(&self, next: &mut Prefix, step: usize, group: Option<&mut Vec<Opened>>) {
        let first = self.first(next, step, &[]);
        next.place(step);
        let (Some(cl), Some(p)) = (&self.cl, self.at[step]) else {
            if let Some((_, ops)) = &self.index.releases[step]
                && ops.is_empty()
            {
                let noop = (Rule::NoopChange, Severity::Warning);
                self.finding(next, noop, step, first, None);
            }
            return;
        };
        self.simulated.set(self.simulated.get() + 1);
        let kind = &cl.steps[p].kind;
        let (effects, backfills) = apply_step(cl, &self.evaluator, &mut next.state, kind);
        let noop = (Rule::NoopChange, Severity::Warning);
        for &(n, ref effect) in &effects {
            if *effect == Effect::Nothing
                && let Some(key) = self.noop_key(step, kind, n)
            {
                self.finding(next, noop, step, first, Some(key));
            }
        }
        let mut evaluator = self.evaluator.borrow_mut();
        let eval = evaluator.evaluate(next.state.view());
        let events = advance(&mut next.stores, eval, &backfills);
        let error = |rule: Rule| (rule, Severity::Error);
        for &(into, _) in &events.bad_backfills {
            let key = self.key_name(into);
            self.finding(next, error(Rule::BadReference), step, first, Some(key));
        }
        next.gaps.retain(|g| !events.backfilled.contains(&g.0));
        for &(k, kept) in &events.dropped {
            if !kept {
                let key = self.key_name(k);
                self.finding(next, error(Rule::DataLoss), step, first, Some(key));
            }
        }
        for &(m, _) in &events.only_copy {
            next.escalate(m);
        }
        for &(k, ..) in &events.gaps {
            let open = !self.accepted(Rule::DataGap, step, first, Some(self.key_name(k)));
            if open {
                next.tally.warnings += 1;
            }
            match next.gaps.binary_search_by_key(&k, |g| g.0) {
                Ok(at) => next.gaps[at].1 = open,
                Err(at) => next.gaps.insert(at, (k, open)),
            }
        }
        for &(_, k) in &events.gap_reads {
            next.escalate(k);
        }
        for &(c, k) in &events.stale {
            if next.stale.binary_search(&(c, k)).is_err() {
                let key = self.key_name(k);
                self.finding(next, error(Rule::DataGap), step, first, Some(key));
            }
        }
        let was = |list: &[(u32, u32, Access)], c: u32, k: u32| {
            list.binary_search_by_key(&(c, k), |b| (b.0, b.1)).is_ok()
        };
        let mut group = group;
        for &(c, k, _) in &eval.broken {
            if was(&next.broken, c, k) {
                continue;
            }
            match group.as_deref_mut() {
                Some(opened) => opened.push(Opened {
                    step,
                    first,
                    comp: c,
                    key: k,
                    ended: false,
                }),
                None => {
                    let key = self.key_name(k);
                    self.finding(next, error(Rule::BrokenConsumer), step, first, Some(key));
                }
            }
        }
        if let Some(opened) = group {
            for &(c, k, _) in &next.broken {
                if was(&eval.broken, c, k) {
                    continue;
                }
                if let Some(o) = opened
                    .iter_mut()
                    .rev()
                    .find(|o| !o.ended && o.comp == c && o.key == k)
                {
                    o.ended = true;
                }
            }
        }
        next.broken.clone_from(&eval.broken);
        next.stale = events.stale;
    }

    /// Counts the races of a commit group deployed from `next` (not extended yet) whose
    /// written order is `written` (positions among the cluster's steps), as `check`'s
    /// `commit_orders` reports them: the written order is run first.
    fn races(
        &self,
        cl: &Cluster,
        next: &mut Prefix,
        runs: &Runs,
        written: &[usize],
        first: impl Fn(usize) -> bool,
    ) {
        let Some(w) = runs.runs.iter().position(|r| r.0 == written) else {
            return;
        };
        let written_data: HashSet<Harm> = runs.runs[w]
            .1
            .iter()
            .flat_map(|(lasting, events)| lasting.iter().chain(events))
            .copied()
            .filter(|h| h.is_data())
            .collect();
        let mut seen: HashSet<(usize, Option<u32>, u32, bool)> = HashSet::default();
        let others = (0..runs.runs.len()).filter(|&r| r != w);
        for r in std::iter::once(w).chain(others) {
            let (order, deploys) = &runs.runs[r];
            for (n, (lasting, events)) in deploys.iter().enumerate() {
                let g = cl.steps[order[n]].global;
                let started = lasting
                    .iter()
                    .filter(|h| n == 0 || !deploys[n - 1].0.contains(h));
                for &harm in started.chain(events) {
                    let race = if harm.is_data() {
                        !written_data.contains(&harm)
                            && seen.insert((g, harm.comp(), harm.key(), true))
                    } else {
                        let ends = (n + 1..order.len()).any(|m| !deploys[m].0.contains(&harm));
                        ends && seen.insert((g, harm.comp(), harm.key(), false)) && r != w
                    };
                    if race {
                        let key = self.key_name(harm.key());
                        let error = (Rule::CommitRace, Severity::Error);
                        self.finding(next, error, g, first(g), Some(key));
                    }
                }
            }
        }
    }
}

/// A fact of cluster `cl` with the plan's ids.
fn global(cl: &Cluster, a: &Atom) -> Atom {
    Atom {
        key: cl.keys[a.key as usize],
        gate: a.gate.map(|t| cl.toggles[t as usize]),
        serving: a.serving.map(|s| cl.keys[s as usize]),
        ..*a
    }
}

/// The plan's acceptances that apply to findings at a step, as `check` applies them: a
/// rule that exists, a step the plan has, and a reason.
fn acceptances(plan: &Plan) -> Vec<Acceptance<'_>> {
    plan.accepted
        .iter()
        .filter_map(|a| {
            let rule = Rule::from_id(a.rule.trim())?;
            let step = a.step.as_deref()?.trim();
            plan.step_index(step)?;
            if a.reason.trim().is_empty() {
                return None;
            }
            Some(Acceptance {
                rule,
                step,
                key: a.key.as_deref().map(str::trim),
            })
        })
        .collect()
}
