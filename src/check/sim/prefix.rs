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
//! [`Prefix::fingerprint`] sums up.
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
    fn count(&mut self, severity: Severity) {
        match severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Info | Severity::Accepted => {}
        }
    }
}

/// The least the steps left can still add (see [`Stepper::least_after`]): errors,
/// warnings, and adjacent swaps among themselves, compared in that order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Least {
    pub errors: i64,
    pub warnings: i64,
    pub swaps: i64,
}

impl Least {
    fn add(self, other: Least) -> Least {
        Least {
            errors: self.errors + other.errors,
            warnings: self.warnings + other.warnings,
            swaps: self.swaps + other.swaps,
        }
    }
}

/// How many steps of one cluster [`Stepper::least_after`] tries in every order at most;
/// a cluster with more steps left counts nothing.
const LEAST_TRIED: usize = 7;

/// How many states of clusters a stepper numbers by their contents.
const STATES: usize = 1 << 18;

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
    /// The least each cluster still adds, by cluster, state and steps left.
    least: RefCell<HashMap<Vec<u64>, Least>>,
    /// The states of clusters seen, numbered (see `state_of`).
    states: RefCell<HashMap<Box<[u32]>, u64>>,
    fresh: Cell<u64>,
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
    least: Cell<Option<Least>>,
    /// The number of its state among the cluster's states seen (see `Stepper::state_of`),
    /// once known.
    id: Cell<Option<u64>>,
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

/// How many clusters' states a prefix keeps in one shared chunk: extending a prefix copies
/// the list of chunks and the one chunk a step changes, not every cluster's state.
const CHUNK: usize = 32;

/// The simulation after some steps, and what they earned.
#[derive(Debug, Clone)]
pub struct Prefix {
    /// Each cluster's state, in chunks of `CHUNK`.
    parts: Vec<Rc<Vec<Rc<Part>>>>,
    /// A bit per step of the plan: placed or not.
    placed: Vec<u64>,
    tally: Tally,
    /// The sum of a token per step placed and per cluster and state (see `fingerprint`).
    fingerprint: [u64; 2],
}

/// Mixes a number into 64 bits that look random (splitmix64's finaliser).
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// What a step placed (`a` the step) or a cluster's state (`a` the cluster, `b` the
/// state's number) adds to a fingerprint: 128 bits that look random.
fn token(cluster: bool, a: usize, b: u64) -> [u64; 2] {
    let x = mix(mix(u64::from(cluster) ^ mix(a as u64)) ^ b);
    [mix(x ^ 1), mix(x ^ 2)]
}

fn plus(into: &mut [u64; 2], token: [u64; 2]) {
    into[0] = into[0].wrapping_add(token[0]);
    into[1] = into[1].wrapping_add(token[1]);
}

fn minus(into: &mut [u64; 2], token: [u64; 2]) {
    into[0] = into[0].wrapping_sub(token[0]);
    into[1] = into[1].wrapping_sub(token[1]);
}

impl Prefix {
    /// What the steps after this prefix depend on, with the steps it placed: two prefixes
    /// with the same fingerprint placed the same steps and left every cluster in the same
    /// state (a false match is as likely as guessing a 128-bit number), so they lead to
    /// the same findings whatever follows.
    pub fn fingerprint(&self) -> [u64; 2] {
        self.fingerprint
    }

    fn part(&self, c: usize) -> &Part {
        &self.parts[c / CHUNK][c % CHUNK]
    }

    fn part_mut(&mut self, c: usize) -> &mut Part {
        let chunk = Rc::make_mut(&mut self.parts[c / CHUNK]);
        Rc::make_mut(&mut chunk[c % CHUNK])
    }

    fn all_parts(&self) -> impl Iterator<Item = &Part> {
        self.parts
            .iter()
            .flat_map(|chunk| chunk.iter().map(|p| &**p))
    }

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
            plus(&mut self.fingerprint, token(false, step, 0));
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
        let mut by_id: HashMap<&str, Vec<usize>> = HashMap::default();
        for (i, step) in plan.steps.iter().enumerate() {
            by_id.entry(step.id()).or_default().push(i);
        }
        let twins: Vec<Vec<usize>> = plan
            .steps
            .iter()
            .enumerate()
            .map(|(i, step)| {
                let same = by_id.get(step.id()).map_or(&[][..], Vec::as_slice);
                same.iter().copied().filter(|&j| j != i).collect()
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
            states: RefCell::new(HashMap::default()),
            fresh: Cell::new(0),
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

    /// The number of a cluster's state: the same for equal states. Past `STATES` states
    /// each new one gets a number of its own, equal to no other (the search then merges
    /// fewer prefixes, and stays right).
    fn state_of(&self, part: &Part) -> u64 {
        if let Some(id) = part.id.get() {
            return id;
        }
        let mut key = Vec::new();
        part.key(&mut key);
        let mut states = self.states.borrow_mut();
        let id = match states.get(key.as_slice()) {
            Some(&id) => id,
            None => {
                let id = self.fresh.get();
                self.fresh.set(id + 1);
                if states.len() < STATES {
                    states.insert(key.into_boxed_slice(), id);
                }
                id
            }
        };
        part.id.set(Some(id));
        id
    }

    /// How many steps (and deploys of commit groups) were simulated so far, per cluster
    /// they touch.
    pub fn simulated(&self) -> usize {
        self.simulated.get()
    }

    /// The state before the first step.
    pub fn start(&self) -> Prefix {
        let parts: Vec<Rc<Part>> = self
            .clusters
            .iter()
            .map(|piece| {
                let state = super::initial_state(&piece.cl, &self.index);
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
                    id: Cell::new(None),
                })
            })
            .collect();
        let mut fingerprint = [0, 0];
        for (c, part) in parts.iter().enumerate() {
            plus(&mut fingerprint, token(true, c, self.state_of(part)));
        }
        Prefix {
            parts: parts
                .chunks(CHUNK)
                .map(|chunk| Rc::new(chunk.to_vec()))
                .collect(),
            placed: vec![0; self.plan.steps.len().div_ceil(64)],
            tally: Tally::default(),
            fingerprint,
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
            let (piece, part) = (&self.clusters[c], pre.part(c));
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
        for (piece, part) in self.clusters.iter().zip(pre.all_parts()) {
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

    /// The least the steps not placed in `pre` can still add before the end of the plan,
    /// whatever their order: per cluster, its steps left in their best order, each step
    /// alone (commits and shipped steps aside) — the fewest errors, then warnings, then
    /// adjacent swaps among those steps. Clusters cannot affect each other, so their least
    /// add up: an order with no more errors and warnings than the sum has each cluster in
    /// one of its best orders, and so at least as many swaps. A cluster with more than
    /// `LEAST_TRIED` steps left counts nothing, and so does every cluster when an
    /// acceptance could tell a cluster counted alone from the whole (see `new`).
    pub fn least_after(&self, pre: &Prefix) -> Least {
        if !self.apart {
            return Least::default();
        }
        let mut total = Least::default();
        for (c, part) in pre.all_parts().enumerate() {
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
                Least::default()
            } else {
                self.least_of(c, part, &left)
            };
            part.least.set(Some(least));
            total = total.add(least);
        }
        total
    }

    /// The least cluster `c` adds from `part` by its steps `left` (in written order), in
    /// their best order.
    fn least_of(&self, c: usize, part: &Part, left: &[usize]) -> Least {
        if left.is_empty() {
            return Least::default();
        }
        let mut key: Vec<u64> = vec![c as u64, self.state_of(part)];
        key.extend(left.iter().map(|&s| s as u64));
        if let Some(&known) = self.least.borrow().get(&key) {
            return known;
        }
        let mut best: Option<Least> = None;
        for (i, &s) in left.iter().enumerate() {
            let Some(&(_, p)) = self.touches[s].iter().find(|t| t.0 == c) else {
                continue;
            };
            let mut next = part.clone();
            let mut tally = Tally::default();
            self.step_part(c, &mut next, p, s, true, &mut tally, None);
            let rest: Vec<usize> = left[..i].iter().chain(&left[i + 1..]).copied().collect();
            // The steps written before it come after it now; a pair of steps that share
            // several clusters counts in the first only.
            let swaps = left[..i]
                .iter()
                .filter(|&&t| self.first_shared(s, t) == Some(c))
                .count();
            let first = Least {
                errors: tally.errors,
                warnings: tally.warnings,
                swaps: swaps as i64,
            };
            let total = first.add(self.least_of(c, &next, &rest));
            if best.is_none_or(|b| total < b) {
                best = Some(total);
            }
        }
        let best = best.unwrap_or_default();
        self.least.borrow_mut().insert(key, best);
        best
    }

    /// The first cluster that steps `s` and `t` both touch.
    fn first_shared(&self, s: usize, t: usize) -> Option<usize> {
        self.touches[s]
            .iter()
            .map(|&(c, _)| c)
            .filter(|&c| self.touches[t].iter().any(|&(d, _)| d == c))
            .min()
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
            if let Some((_, ops)) = self.index.releases.get(step)
                && ops.is_empty()
            {
                let noop = (Rule::NoopChange, Severity::Warning);
                self.finding(&mut next.tally, noop, step, first, None);
            }
            return;
        }
        for &(c, p) in &self.touches[step] {
            let mut tally = next.tally;
            let opened = group.as_deref_mut();
            let old = self.state_of(next.part(c));
            self.step_part(c, next.part_mut(c), p, step, first, &mut tally, opened);
            let new = self.state_of(next.part(c));
            next.tally = tally;
            minus(&mut next.fingerprint, token(true, c, old));
            plus(&mut next.fingerprint, token(true, c, new));
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
        part.least.set(None);
        part.id.set(None);
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
