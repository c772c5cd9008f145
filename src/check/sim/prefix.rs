//! Checking a plan's steps in an order the caller chooses, a step (or a commit group) at a
//! time, from a prefix kept as a value: what the order search of `storyplan fix` stands on.
//!
//! A [`Prefix`] is the simulation after some steps — per cluster of keys that cannot
//! affect each other (as `check` splits the plan), the facts, toggles, the stores'
//! bookkeeping, what is broken or stale and the mirrors' open gaps — with the errors and
//! warnings those steps earn. Extending it by a step counts what `check` reports at that
//! step in every plan that starts with the prefix, so a prefix's counts never go down as
//! it grows, except that a gap's warning becomes an error once the mirror is read or
//! becomes the only copy. What follows a prefix depends on its state alone (two prefixes
//! of the same steps may differ: a gap depends on the order), which is what
//! [`Prefix::state_key`] writes out.
//!
//! Counted are the findings whose number an order can change: changes (and releases)
//! that do nothing, backfills of stores not available, losses, gaps, stale reads, breaks,
//! commit races, and at the end toggles left behind and targets not reached; each
//! acceptance applies as in `check`. Not counted are those no order changes (bad
//! references compiled from the plan, releases of a third party, breaks before the first
//! step, and shipped steps out of order while shipped steps keep their places): one
//! `check` of any order gives them. Findings are counted, not worded, and rollback
//! windows are not judged.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::commit::{Before, Deploys, MAX_ORDERED, deploy, orders};
use super::harm::Harm;
use super::step::apply_step;
use crate::check::index::{CStepKind, Cluster, Index, build};
use crate::check::report::{Rule, Severity};
use crate::check::state::{Atom, Effect, Evaluator, State, Store, advance, initial_stores};
use crate::check::{accept, end_rules};
use crate::plan::{Access, Change, Fact, Plan};

/// Errors and warnings, as `Summary` counts them; what a step adds may have one warning
/// fewer (a gap's warning that becomes an error).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tally {
    pub errors: i64,
    pub warnings: i64,
}

impl Tally {
    fn add(self, other: Tally) -> Tally {
        Tally {
            errors: self.errors + other.errors,
            warnings: self.warnings + other.warnings,
        }
    }

    fn count(&mut self, severity: Severity) {
        match severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Info | Severity::Accepted => {}
        }
    }
}

/// How many steps of one cluster [`Stepper::least_after`] tries in every order at most;
/// a cluster with more steps left counts nothing.
const LEAST_TRIED: usize = 7;

/// A plan compiled once, to be checked in any order a step at a time.
pub struct Stepper<'p> {
    plan: &'p Plan,
    index: Index<'p>,
    /// The clusters of keys and toggles that cannot affect each other.
    clusters: Vec<Piece>,
    /// For each step, the clusters it touches and its position among each one's steps.
    touches: Vec<Vec<(usize, usize)>>,
    /// For each cluster, its steps (indices into the plan's steps).
    members: Vec<Vec<usize>>,
    acceptances: Vec<Acceptance<'p>>,
    /// For each step, the other steps with its id: an acceptance names the first of them.
    twins: Vec<Vec<usize>>,
    /// Whether each cluster's findings can be counted apart, whatever the rest of the
    /// order (see `least_after`).
    apart: bool,
    simulated: Cell<usize>,
    /// The least each cluster still adds, by cluster, steps left and state.
    least: RefCell<HashMap<Vec<u32>, Tally>>,
}

/// One cluster and the space its states are evaluated in.
struct Piece {
    cl: Cluster,
    evaluator: RefCell<Evaluator>,
}

/// An acceptance that applies to findings at a step: its rule, step id and key.
struct Acceptance<'p> {
    rule: Rule,
    step: &'p str,
    key: Option<&'p str>,
}

/// One cluster's simulation after some steps.
#[derive(Debug, Clone)]
struct Part {
    state: State,
    stores: Vec<Store>,
    broken: Vec<(u32, u32, Access)>,
    stale: Vec<(u32, u32)>,
    /// The open gap of each mirror, sorted by key: whether its finding is a warning that a
    /// read of the mirror (or its becoming the only copy) turns into an error.
    gaps: Vec<(u32, bool)>,
    /// What the cluster's steps left can still add at least, once known.
    least: Cell<Option<Tally>>,
}

impl Part {
    fn key(&self, out: &mut Vec<u32>) {
        // A component's facts as a set: no finding depends on the order of its list.
        let mut atoms: Vec<[u32; 4]> = Vec::new();
        for facts in &self.state.facts {
            atoms.clear();
            atoms.extend(facts.iter().map(|a| {
                [
                    a.access as u32 | u32::from(a.tolerant) << 2,
                    a.key,
                    a.gate.map_or(0, |t| t + 1),
                    a.serving.map_or(0, |s| s + 1),
                ]
            }));
            atoms.sort_unstable();
            out.push(atoms.len() as u32);
            out.extend(atoms.iter().flatten());
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

    /// A gap's warning becomes an error: its mirror is read, or is the only copy.
    fn escalate(&mut self, key: u32, tally: &mut Tally) {
        if let Ok(at) = self.gaps.binary_search_by_key(&key, |g| g.0)
            && self.gaps[at].1
        {
            self.gaps[at].1 = false;
            tally.errors += 1;
            tally.warnings -= 1;
        }
    }
}

/// The simulation after some steps, and what they earned.
#[derive(Debug, Clone)]
pub struct Prefix {
    parts: Vec<Rc<Part>>,
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
        for part in &self.parts {
            part.key(out);
        }
    }
}

/// The deploy orders of a commit group simulated from a prefix, for [`Stepper::place_group`].
pub struct Runs {
    /// Per cluster the group's releases touch (at least two of them): each order of them
    /// (positions among the cluster's steps) with the harms after each deploy.
    clusters: Vec<(usize, Vec<Run>)>,
    /// Whether every order was run; past `MAX_ORDERED` releases only the order the runs
    /// were made for (`order`) and its reverse are, as `check` does.
    every: bool,
    order: Vec<usize>,
}

/// One deploy order of a commit group's releases in a cluster (their positions among its
/// steps), with the harms after each deploy.
type Run = (Vec<usize>, Deploys);

/// A break that a release of a commit group started: a race if it ends inside the group.
struct Opened {
    cluster: usize,
    step: usize,
    first: bool,
    comp: u32,
    key: u32,
    ended: bool,
}

impl<'p> Stepper<'p> {
    pub fn new(plan: &'p Plan) -> Stepper<'p> {
        let mut index = build(plan, true);
        let clusters: Vec<Piece> = std::mem::take(&mut index.clusters)
            .into_iter()
            .map(|cl| {
                let mut evaluator = Evaluator::default();
                let stateful = cl
                    .comps
                    .iter()
                    .map(|&c| plan.components[c].kind.is_stateful());
                evaluator.reset(stateful, cl.keys.len());
                Piece {
                    cl,
                    evaluator: RefCell::new(evaluator),
                }
            })
            .collect();
        let mut touches = vec![Vec::new(); plan.steps.len()];
        let mut members = vec![Vec::new(); clusters.len()];
        for (c, piece) in clusters.iter().enumerate() {
            for (p, step) in piece.cl.steps.iter().enumerate() {
                touches[step.global].push((c, p));
                members[c].push(step.global);
            }
        }
        let twins: Vec<Vec<usize>> = plan
            .steps
            .iter()
            .enumerate()
            .map(|(i, step)| {
                (0..plan.steps.len())
                    .filter(|&j| j != i && plan.steps[j].id() == step.id())
                    .collect()
            })
            .collect();
        let acceptances = acceptances(plan);
        // Counting a cluster's steps alone, a break inside a commit is a broken consumer
        // and each step the first of its id: an acceptance could tell otherwise.
        let apart = twins.iter().all(Vec::is_empty)
            && acceptances.iter().all(|a| {
                plan.steps
                    .iter()
                    .filter(|s| s.id() == a.step)
                    .all(|s| s.commit().is_none())
            });
        Stepper {
            plan,
            index,
            clusters,
            touches,
            members,
            acceptances,
            twins,
            apart,
            simulated: Cell::new(0),
            least: RefCell::new(HashMap::default()),
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

    /// How many steps (and deploys of commit groups) were simulated so far, per cluster
    /// they touch.
    pub fn simulated(&self) -> usize {
        self.simulated.get()
    }

    /// The state before the first step.
    pub fn start(&self) -> Prefix {
        let parts = self
            .clusters
            .iter()
            .map(|piece| {
                let cl = &piece.cl;
                let state = State {
                    facts: cl.current.clone(),
                    toggles: cl
                        .toggles
                        .iter()
                        .map(|&t| self.index.toggle_initial[t as usize])
                        .collect(),
                };
                let mut evaluator = piece.evaluator.borrow_mut();
                let eval = evaluator.evaluate(state.view());
                let mut stores = initial_stores(eval);
                let events = advance(&mut stores, eval, &[]);
                Rc::new(Part {
                    state,
                    stores,
                    broken: eval.broken.clone(),
                    stale: events.stale,
                    gaps: Vec::new(),
                    least: Cell::new(None),
                })
            })
            .collect();
        Prefix {
            parts,
            placed: vec![0; self.plan.steps.len().div_ceil(64)],
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
    /// the plan would list them) from `pre`, cluster by cluster.
    pub fn runs(&self, pre: &Prefix, group: &[usize]) -> Runs {
        let every = group.len() <= MAX_ORDERED;
        let mut touched: Vec<usize> = Vec::new();
        for &s in group {
            for &(c, _) in &self.touches[s] {
                if !touched.contains(&c) {
                    touched.push(c);
                }
            }
        }
        let mut clusters = Vec::new();
        for c in touched {
            let members = self.positions(c, group);
            if members.len() < 2 {
                continue;
            }
            let orders = if every {
                orders(&members)
            } else {
                let mut reversed = members.clone();
                reversed.reverse();
                vec![members, reversed]
            };
            let (piece, part) = (&self.clusters[c], &pre.parts[c]);
            let before = Before {
                state: &part.state,
                stores: &part.stores,
                broken: &part.broken,
                stale: &part.stale,
            };
            let runs = orders
                .into_iter()
                .map(|order| {
                    self.simulated.set(self.simulated.get() + order.len());
                    let deploys = deploy(&piece.cl, &piece.evaluator, before, &order);
                    (order, deploys)
                })
                .collect();
            clusters.push((c, runs));
        }
        Runs {
            clusters,
            every,
            order: group.to_vec(),
        }
    }

    /// The positions among cluster `c`'s steps of those of `steps` it has, in that order.
    fn positions(&self, c: usize, steps: &[usize]) -> Vec<usize> {
        steps
            .iter()
            .filter_map(|&s| self.touches[s].iter().find(|t| t.0 == c).map(|t| t.1))
            .collect()
    }

    /// `pre` followed by a commit group's releases in the order `group` lists them, with
    /// the races of its other deploy orders (`runs`, made from `pre`).
    pub fn place_group(&self, pre: &Prefix, runs: &Runs, group: &[usize]) -> Prefix {
        let fresh;
        let runs = if runs.every || runs.order == group {
            runs
        } else {
            fresh = self.runs(pre, group);
            &fresh
        };
        let mut next = pre.clone();
        for (c, cluster_runs) in &runs.clusters {
            let written = self.positions(*c, group);
            self.races(*c, &mut next.tally, cluster_runs, &written, |g| {
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
            let key = self.key_name(o.cluster, o.key);
            if !self.accepted(rule, o.step, o.first, Some(key)) {
                next.tally.errors += 1;
            }
        }
        next
    }

    /// What the end of the plan adds after `pre` (every step placed): toggles left behind
    /// and targets not reached.
    pub fn end(&self, pre: &Prefix) -> Tally {
        let mut finals: Vec<Option<Vec<Fact>>> = self
            .index
            .current
            .iter()
            .map(|current| current.as_ref().map(|_| Vec::new()))
            .collect();
        for (piece, part) in self.clusters.iter().zip(&pre.parts) {
            let cl = &piece.cl;
            for (local, &c) in cl.comps.iter().enumerate() {
                if let Some(facts) = &mut finals[c] {
                    let atoms = part.state.facts[local].iter();
                    facts.extend(atoms.map(|a| self.index.fact(&global(cl, a))));
                }
            }
        }
        let mut findings = Vec::new();
        end_rules(self.plan, &finals, &mut findings);
        let ends = findings.len();
        accept(self.plan, &mut findings);
        let mut tally = Tally::default();
        for f in &findings[..ends] {
            tally.count(f.severity);
        }
        tally
    }

    /// The least errors and warnings the steps not placed in `pre` can still add before
    /// the end of the plan, whatever their order: per cluster, its steps left in their
    /// best order, each step alone (commits and shipped steps aside). Clusters cannot
    /// affect each other, so their least add up. A cluster with more than
    /// `LEAST_TRIED` steps left counts nothing, and so does every cluster when an
    /// acceptance could tell a cluster counted alone from the whole (see `new`).
    pub fn least_after(&self, pre: &Prefix) -> Tally {
        if !self.apart {
            return Tally::default();
        }
        let mut total = Tally::default();
        for (c, part) in pre.parts.iter().enumerate() {
            if let Some(known) = part.least.get() {
                total = total.add(known);
                continue;
            }
            let left: Vec<usize> = self.members[c]
                .iter()
                .copied()
                .filter(|&s| !pre.is_placed(s))
                .collect();
            let least = if left.len() > LEAST_TRIED {
                Tally::default()
            } else {
                self.least_of(c, part, &left)
            };
            part.least.set(Some(least));
            total = total.add(least);
        }
        total
    }

    /// The least cluster `c` adds from `part` by its steps `left`, in their best order.
    fn least_of(&self, c: usize, part: &Part, left: &[usize]) -> Tally {
        if left.is_empty() {
            return Tally::default();
        }
        let mut key: Vec<u32> = vec![c as u32];
        key.extend(left.iter().map(|&s| s as u32));
        part.key(&mut key);
        if let Some(&known) = self.least.borrow().get(&key) {
            return known;
        }
        let mut best: Option<Tally> = None;
        for (i, &s) in left.iter().enumerate() {
            let Some(&(_, p)) = self.touches[s].iter().find(|t| t.0 == c) else {
                continue;
            };
            let mut next = part.clone();
            let mut tally = Tally::default();
            self.step_part(c, &mut next, p, s, true, &mut tally, None);
            let rest: Vec<usize> = left[..i].iter().chain(&left[i + 1..]).copied().collect();
            let total = tally.add(self.least_of(c, &next, &rest));
            if best.is_none_or(|b| total < b) {
                best = Some(total);
            }
        }
        let best = best.unwrap_or_default();
        self.least.borrow_mut().insert(key, best);
        best
    }

    fn key_name(&self, c: usize, key: u32) -> &'p str {
        let cl = &self.clusters[c].cl;
        self.index.keys[cl.keys[key as usize] as usize]
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
        tally: &mut Tally,
        (rule, severity): (Rule, Severity),
        step: usize,
        first: bool,
        key: Option<&str>,
    ) {
        if !self.accepted(rule, step, first, key) {
            tally.count(severity);
        }
    }

    /// The key a `noop-change` at change `n` of step `step` names; `None` for a backfill,
    /// which is never one.
    fn noop_key(&self, c: usize, step: usize, kind: &CStepKind, n: usize) -> Option<&'p str> {
        match kind {
            CStepKind::Release { .. } => match self.plan.steps[step].changes().get(n)? {
                Change::Add(fact) | Change::Remove(fact) => Some(fact.key.as_str()),
                Change::Ungate(toggle) => Some(toggle.trim()),
                Change::Backfill { .. } => None,
            },
            &CStepKind::Flip { toggle, .. } => {
                let cl = &self.clusters[c].cl;
                Some(self.index.toggle_names[cl.toggles[toggle as usize] as usize])
            }
        }
    }

    /// Extends `next` by step `step`, as `check`'s walk does, in every cluster it touches;
    /// inside a commit group the breaks it starts go to `group`, to be counted once the
    /// group is done.
    fn step_into(&self, next: &mut Prefix, step: usize, mut group: Option<&mut Vec<Opened>>) {
        let first = self.first(next, step, &[]);
        next.place(step);
        if self.touches[step].is_empty() {
            if let Some((_, ops)) = &self.index.releases[step]
                && ops.is_empty()
            {
                let noop = (Rule::NoopChange, Severity::Warning);
                self.finding(&mut next.tally, noop, step, first, None);
            }
            return;
        }
        for &(c, p) in &self.touches[step] {
            let part = Rc::make_mut(&mut next.parts[c]);
            part.least.set(None);
            let opened = group.as_deref_mut();
            self.step_part(c, part, p, step, first, &mut next.tally, opened);
        }
    }

    /// Extends cluster `c`'s `part` by its step at position `p` (step `step` of the plan),
    /// counting into `tally`.
    #[allow(clippy::too_many_arguments)]
    fn step_part(
        &self,
        c: usize,
        part: &mut Part,
        p: usize,
        step: usize,
        first: bool,
        tally: &mut Tally,
        group: Option<&mut Vec<Opened>>,
    ) {
        self.simulated.set(self.simulated.get() + 1);
        let piece = &self.clusters[c];
        let kind = &piece.cl.steps[p].kind;
        let (effects, backfills) = apply_step(&piece.cl, &piece.evaluator, &mut part.state, kind);
        let noop = (Rule::NoopChange, Severity::Warning);
        for &(n, ref effect) in &effects {
            if *effect == Effect::Nothing
                && let Some(key) = self.noop_key(c, step, kind, n)
            {
                self.finding(tally, noop, step, first, Some(key));
            }
        }
        let mut evaluator = piece.evaluator.borrow_mut();
        let eval = evaluator.evaluate(part.state.view());
        let events = advance(&mut part.stores, eval, &backfills);
        let error = |rule: Rule| (rule, Severity::Error);
        for &(into, _) in &events.bad_backfills {
            let key = self.key_name(c, into);
            self.finding(tally, error(Rule::BadReference), step, first, Some(key));
        }
        part.gaps.retain(|g| !events.backfilled.contains(&g.0));
        for &(k, kept) in &events.dropped {
            if !kept {
                let key = self.key_name(c, k);
                self.finding(tally, error(Rule::DataLoss), step, first, Some(key));
            }
        }
        for &(m, _) in &events.only_copy {
            part.escalate(m, tally);
        }
        for &(k, ..) in &events.gaps {
            let key = self.key_name(c, k);
            let open = !self.accepted(Rule::DataGap, step, first, Some(key));
            if open {
                tally.warnings += 1;
            }
            match part.gaps.binary_search_by_key(&k, |g| g.0) {
                Ok(at) => part.gaps[at].1 = open,
                Err(at) => part.gaps.insert(at, (k, open)),
            }
        }
        for &(_, k) in &events.gap_reads {
            part.escalate(k, tally);
        }
        for &(comp, k) in &events.stale {
            if part.stale.binary_search(&(comp, k)).is_err() {
                let key = self.key_name(c, k);
                self.finding(tally, error(Rule::DataGap), step, first, Some(key));
            }
        }
        let was = |list: &[(u32, u32, Access)], comp: u32, k: u32| {
            list.binary_search_by_key(&(comp, k), |b| (b.0, b.1))
                .is_ok()
        };
        let mut group = group;
        for &(comp, k, _) in &eval.broken {
            if was(&part.broken, comp, k) {
                continue;
            }
            match group.as_deref_mut() {
                Some(opened) => opened.push(Opened {
                    cluster: c,
                    step,
                    first,
                    comp,
                    key: k,
                    ended: false,
                }),
                None => {
                    let key = self.key_name(c, k);
                    self.finding(tally, error(Rule::BrokenConsumer), step, first, Some(key));
                }
            }
        }
        if let Some(opened) = group {
            for &(comp, k, _) in &part.broken {
                if was(&eval.broken, comp, k) {
                    continue;
                }
                if let Some(o) = opened
                    .iter_mut()
                    .rev()
                    .find(|o| o.cluster == c && !o.ended && o.comp == comp && o.key == k)
                {
                    o.ended = true;
                }
            }
        }
        part.broken.clone_from(&eval.broken);
        part.stale = events.stale;
    }

    /// Counts the races of a commit group in cluster `c` whose written order is `written`
    /// (positions among the cluster's steps), as `check`'s `commit_orders` reports them:
    /// the written order is run first.
    fn races(
        &self,
        c: usize,
        tally: &mut Tally,
        runs: &[Run],
        written: &[usize],
        first: impl Fn(usize) -> bool,
    ) {
        let Some(w) = runs.iter().position(|r| r.0 == written) else {
            return;
        };
        let cl = &self.clusters[c].cl;
        let written_data: HashSet<Harm> = runs[w]
            .1
            .iter()
            .flat_map(|(lasting, events)| lasting.iter().chain(events))
            .copied()
            .filter(|h| h.is_data())
            .collect();
        let mut seen: HashSet<(usize, Option<u32>, u32, bool)> = HashSet::default();
        let others = (0..runs.len()).filter(|&r| r != w);
        for r in std::iter::once(w).chain(others) {
            let (order, deploys) = &runs[r];
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
                        let key = self.key_name(c, harm.key());
                        let error = (Rule::CommitRace, Severity::Error);
                        self.finding(tally, error, g, first(g), Some(key));
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
