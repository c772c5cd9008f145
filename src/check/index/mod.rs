//! Compiles a plan for simulation: interns keys and toggles, reports references to
//! nothing, and splits the plan into clusters that cannot affect each other.
//!
//! A cluster is a group of keys and toggles: a fact joins its key with its `Serving`
//! interface and its toggle (a flip turns all the facts it gates on or off), a `Backfill`
//! joins its two stores, and a `Remove` that names an interface joins it with the key.
//! Activity, availability, breaks, writes and the stores' bookkeeping of a key only
//! depend on facts in its group, so simulating clusters apart gives the same findings as
//! simulating the plan whole, and keeps every step's cost bounded by its cluster.
//! A component lives in every cluster where it has facts; a release belongs to every
//! cluster one of its changes touches, with those changes only.
//!
//! `build` runs the phases in order: `compile` (ids, duplicates, facts and steps with
//! global ids, bad references), `commit` (commit groups), `cluster` (key groups, and the
//! clusters with local ids).

mod cluster;
mod commit;
mod compile;

use std::cell::OnceCell;
use std::ops::Range;
use std::rc::Rc;

use super::state::{Atom, Op};
use crate::plan::{Fact, Plan};
use cluster::Compiled;
use commit::{commit_groups, group_of_steps};
use compile::Builder;

/// A problem found while compiling: (step index or None, component, key, message, hint).
pub struct BadRef {
    pub step: Option<usize>,
    pub component: Option<String>,
    pub key: Option<String>,
    pub message: String,
    pub hint: String,
}

pub enum CStepKind {
    /// The release's changes that touch the cluster: a range of `Cluster::ops`.
    Release {
        comp: u32,
        ops: Range<usize>,
    },
    Flip {
        toggle: u32,
        on: bool,
    },
}

pub struct CStep {
    /// Index into `plan.steps`.
    pub global: usize,
    pub kind: CStepKind,
    /// The commit group this release belongs to, if its group is well formed.
    pub group: Option<usize>,
}

#[derive(Default)]
pub struct Cluster {
    /// Global index of each local component, ascending.
    pub comps: Vec<usize>,
    /// Global id of each local key, ascending.
    pub keys: Vec<u32>,
    /// Global id of each local toggle, ascending.
    pub toggles: Vec<u32>,
    /// The key group of each local key and toggle (a cluster is one group, unless the
    /// plan is checked whole).
    pub key_groups: Vec<u32>,
    pub toggle_groups: Vec<u32>,
    /// Each local component's current facts in this cluster, in file order.
    pub current: Vec<Rc<Vec<Atom>>>,
    /// The changes of the releases that touch the cluster, each with its index in its
    /// release.
    pub ops: Vec<(usize, Op)>,
    pub steps: Vec<CStep>,
}

pub struct Index<'a> {
    pub clusters: Vec<Cluster>,
    /// Well-formed commit groups: (label, first step, last step), in plan order.
    pub groups: Vec<(&'a str, usize, usize)>,
    pub bad: Vec<BadRef>,
    /// Whether some fact of the plan provides the key, by global id.
    pub provided: Vec<bool>,
    /// The keys some fact provides, sorted by name: candidates for "did you mean".
    provided_sorted: OnceCell<Vec<u32>>,
    /// How many keys were looked up for "did you mean" so far.
    suggested: std::cell::Cell<usize>,
    /// Names of the plan's keys and toggles, by global id.
    pub keys: Vec<&'a str>,
    pub toggle_names: Vec<&'a str>,
    pub toggle_initial: Vec<bool>,
    /// Each component's current facts with global ids; `None` for a component whose id an
    /// earlier one already has (it is not simulated).
    pub current: Vec<Option<Vec<Atom>>>,
    /// Each step's release with global ids, `None` for flips and unknown components.
    pub releases: Releases,
}

/// Each step's release with global ids: the component it releases and its changes, kept
/// in one list for all the steps (a list per step would cost an allocation per step, and
/// the passes over them would jump around memory).
#[derive(Default)]
pub struct Releases {
    ops: Vec<Op>,
    /// Per step: the component and its changes' place in `ops`, `None` for flips and
    /// unknown components.
    steps: Vec<Option<(usize, Range<u32>)>>,
}

impl Releases {
    pub fn with_capacity(steps: usize) -> Releases {
        Releases {
            ops: Vec::with_capacity(steps),
            steps: Vec::with_capacity(steps),
        }
    }

    /// Adds the next step's release: `release` pushes its changes and gives its
    /// component, or `None` (its step has no release).
    pub fn push(&mut self, release: impl FnOnce(&mut Vec<Op>) -> Option<usize>) {
        let start = self.ops.len();
        let step = release(&mut self.ops).map(|comp| (comp, start as u32..self.ops.len() as u32));
        if step.is_none() {
            self.ops.truncate(start);
        }
        self.steps.push(step);
    }

    /// Adds the next step, which is not a release.
    pub fn push_none(&mut self) {
        self.steps.push(None);
    }

    /// Step `i`'s release: its component and its changes.
    pub fn get(&self, i: usize) -> Option<(usize, &[Op])> {
        let (comp, ops) = self.steps.get(i)?.as_ref()?;
        Some((*comp, &self.ops[ops.start as usize..ops.end as usize]))
    }

    /// Each step's release, in plan order.
    pub fn iter(&self) -> impl Iterator<Item = Option<(usize, &[Op])>> + '_ {
        (0..self.steps.len()).map(|i| self.get(i))
    }
}

/// How many keys nobody provides get a "did you mean": each looks at every provided key,
/// and a plan with more unprovided keys than this is generated, not misspelt, so past it
/// the hints stop asking and the checker stays linear.
pub const MAX_SUGGESTED: usize = 64;

impl<'a> Index<'a> {
    /// The provided key `key` is probably a typo of, for the first [`MAX_SUGGESTED`] keys
    /// asked about.
    pub fn did_you_mean(&self, key: &str) -> Option<&'a str> {
        let asked = self.suggested.get();
        if asked >= MAX_SUGGESTED {
            return None;
        }
        self.suggested.set(asked + 1);
        crate::suggest::closest(key, self.provided_names())
    }

    /// The keys some fact of the plan provides, sorted; sorted on the first break that
    /// needs them.
    pub fn provided_names(&self) -> impl Iterator<Item = &'a str> + '_ {
        let sorted = self.provided_sorted.get_or_init(|| {
            let mut ids: Vec<u32> = (0..self.keys.len() as u32)
                .filter(|&k| self.provided[k as usize])
                .collect();
            ids.sort_unstable_by_key(|&k| self.keys[k as usize]);
            ids
        });
        sorted.iter().map(|&k| self.keys[k as usize])
    }

    /// A compiled fact with global ids, as the plan writes it (keys trimmed).
    pub fn fact(&self, atom: &Atom) -> Fact {
        Fact {
            access: atom.access,
            key: self.keys[atom.key as usize].to_string(),
            tolerant: atom.tolerant,
            gate: atom.gate.map(|t| self.toggle_names[t as usize].to_string()),
            serving: atom.serving.map(|s| self.keys[s as usize].to_string()),
        }
    }
}

/// Compiles a plan; with `split` false every key group goes into one cluster (the plan is
/// simulated whole, which must give the same report).
pub fn build<'a>(plan: &'a Plan, split: bool) -> Index<'a> {
    let mut b = Builder::new(plan);
    let comp_ids = b.component_ids();
    b.declare_toggles();
    b.check_targets();
    b.check_step_ids();
    let current = b.compile_current(&comp_ids);
    let (releases, flips) = b.compile_steps(&comp_ids);
    let Builder {
        keys,
        toggle_names,
        toggle_initial,
        provided,
        mut bad,
        ..
    } = b;
    let groups = commit_groups(plan, &comp_ids, &mut bad);
    let clusters = cluster::clusters(
        &Compiled {
            keys: keys.len(),
            toggles: toggle_names.len(),
            current: &current,
            releases: &releases,
            flips: &flips,
            group_of: &group_of_steps(plan.steps.len(), &groups),
        },
        split,
    );
    Index {
        clusters,
        groups,
        bad,
        provided,
        provided_sorted: OnceCell::new(),
        suggested: std::cell::Cell::new(0),
        keys,
        toggle_names,
        toggle_initial,
        current,
        releases,
    }
}
