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

use rustc_hash::FxHashMap as HashMap;
use std::cell::OnceCell;
use std::collections::hash_map::Entry;
use std::ops::Range;
use std::rc::Rc;

use super::state::{Atom, Op};
use super::words::step_label;
use crate::forest::Forest;
use crate::plan::{Access, Change, Fact, Plan, Step};
use crate::suggest::closest;

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
    /// Names of the plan's keys and toggles, by global id.
    pub keys: Vec<&'a str>,
    pub toggle_names: Vec<&'a str>,
    pub toggle_initial: Vec<bool>,
    /// Each component's current facts with global ids; `None` for a component whose id an
    /// earlier one already has (it is not simulated).
    pub current: Vec<Option<Vec<Atom>>>,
    /// Each step's release with global ids, `None` for flips and unknown components.
    pub releases: Vec<Option<(usize, Vec<Op>)>>,
}

impl<'a> Index<'a> {
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

/// `str::trim`, quicker for the usual key that starts and ends with a visible ASCII
/// character (nothing to trim).
fn trimmed(key: &str) -> &str {
    let visible = |b: Option<&u8>| b.is_some_and(|&b| b > b' ' && b.is_ascii());
    let bytes = key.as_bytes();
    if visible(bytes.first()) && visible(bytes.last()) {
        key
    } else {
        key.trim()
    }
}

/// Interns keys and toggles and collects bad references while compiling.
struct Builder<'a> {
    plan: &'a Plan,
    key_ids: HashMap<&'a str, usize>,
    keys: Vec<&'a str>,
    toggle_ids: HashMap<&'a str, usize>,
    toggle_names: Vec<&'a str>,
    toggle_initial: Vec<bool>,
    provided: Vec<bool>,
    bad: Vec<BadRef>,
    /// Toggles with an id below this one are declared in `toggles`.
    declared_toggles: usize,
}

impl<'a> Builder<'a> {
    fn key(&mut self, key: &'a str) -> usize {
        let key = trimmed(key);
        let keys = &mut self.keys;
        let provided = &mut self.provided;
        *self.key_ids.entry(key).or_insert_with(|| {
            keys.push(key);
            provided.push(false);
            keys.len() - 1
        })
    }

    /// The toggle's id; an undeclared toggle gets one too (Off). Every reference to an
    /// undeclared toggle is a finding.
    fn toggle(&mut self, name: &'a str, bad: impl FnOnce(&Plan) -> BadRef) -> usize {
        let name = name.trim();
        if !self.declared(name) {
            self.bad.push(bad(self.plan));
        }
        if let Some(&t) = self.toggle_ids.get(name) {
            return t;
        }
        self.toggle_ids.insert(name, self.toggle_names.len());
        self.toggle_names.push(name);
        self.toggle_initial.push(false);
        self.toggle_names.len() - 1
    }

    fn declared(&self, toggle: &str) -> bool {
        self.toggle_ids
            .get(toggle)
            .is_some_and(|&t| t < self.declared_toggles)
    }

    /// Checks a fact of a component's `target`: the same rules as any fact, step null.
    fn target_fact(&mut self, fact: &Fact, comp: &str) {
        if let Some(t) = fact.gate.as_deref()
            && !self.declared(t.trim())
        {
            self.bad.push(BadRef {
                step: None,
                component: Some(comp.to_string()),
                key: Some(fact.key.clone()),
                message: format!(
                    "{comp}'s target fact {fact} is gated by \"{t}\", which is not a declared toggle."
                ),
                hint: toggle_hint(self.plan),
            });
        }
        if fact.tolerant && fact.access == Access::Provide {
            self.bad.push(tolerant_provide(fact, comp, None));
        }
    }

    fn fact(&mut self, fact: &'a Fact, step: Option<usize>, comp: &str) -> Atom {
        let key = self.key(&fact.key) as u32;
        let serving = fact.serving.as_deref().map(|i| self.key(i) as u32);
        let gate = fact.gate.as_deref().map(|t| {
            self.toggle(t, |plan| BadRef {
                step,
                component: Some(comp.to_string()),
                key: Some(fact.key.clone()),
                message: format!(
                    "{comp}'s fact {fact} is gated by \"{t}\", which is not a declared toggle."
                ),
                hint: toggle_hint(plan),
            }) as u32
        });
        if fact.tolerant && fact.access == Access::Provide {
            self.bad.push(tolerant_provide(fact, comp, step));
        }
        if fact.access == Access::Provide {
            self.provided[key as usize] = true;
        }
        Atom {
            access: fact.access,
            key,
            tolerant: fact.tolerant,
            gate,
            serving,
        }
    }
}

fn tolerant_provide(fact: &Fact, comp: &str, step: Option<usize>) -> BadRef {
    BadRef {
        step,
        component: Some(comp.to_string()),
        key: Some(fact.key.clone()),
        message: format!("{comp} has {fact}: only Call, Read and Write can be tolerant."),
        hint: format!("Write Provide(\"{}\") without Tolerant.", fact.key.trim()),
    }
}

fn toggle_hint(plan: &Plan) -> String {
    if plan.toggles.is_empty() {
        "Declare the toggle in `toggles`.".to_string()
    } else {
        let ids: Vec<&str> = plan.toggles.iter().map(|t| t.id.as_str()).collect();
        format!(
            "Declare it in `toggles`, or use one of: {}.",
            ids.join(", ")
        )
    }
}

/// Compiles a plan; with `split` false every key group goes into one cluster (the plan is
/// simulated whole, which must give the same report).
pub fn build<'a>(plan: &'a Plan, split: bool) -> Index<'a> {
    let mut b = Builder {
        plan,
        key_ids: HashMap::with_capacity_and_hasher(plan.components.len() * 4, Default::default()),
        keys: Vec::new(),
        toggle_ids: HashMap::default(),
        toggle_names: Vec::new(),
        toggle_initial: Vec::new(),
        provided: Vec::new(),
        bad: Vec::new(),
        declared_toggles: 0,
    };

    // Components, toggles and steps by id; the first of a duplicated id wins.
    let mut comp_ids: HashMap<&str, usize> =
        HashMap::with_capacity_and_hasher(plan.components.len(), Default::default());
    for (i, c) in plan.components.iter().enumerate() {
        if comp_ids.contains_key(c.id.trim()) {
            b.bad.push(BadRef {
                step: None,
                component: Some(c.id.clone()),
                key: None,
                message: format!("Two components have the id \"{}\".", c.id),
                hint: "Give each component its own id.".into(),
            });
        } else {
            comp_ids.insert(c.id.trim(), i);
        }
    }
    for t in &plan.toggles {
        if b.toggle_ids.contains_key(t.id.trim()) {
            b.bad.push(BadRef {
                step: None,
                component: None,
                key: Some(t.id.clone()),
                message: format!("Two toggles have the id \"{}\".", t.id),
                hint: "Declare each toggle once.".into(),
            });
            continue;
        }
        b.toggle_ids.insert(t.id.trim(), b.toggle_names.len());
        b.toggle_names.push(t.id.trim());
        b.toggle_initial.push(t.initially.is_on());
    }
    b.declared_toggles = b.toggle_names.len();
    for c in &plan.components {
        for fact in c.target.iter().flatten() {
            b.target_fact(fact, &c.id);
        }
    }
    let mut step_ids: HashMap<&str, usize> =
        HashMap::with_capacity_and_hasher(plan.steps.len(), Default::default());
    for (i, s) in plan.steps.iter().enumerate() {
        if let Some(first) = step_ids.get(s.id().trim()) {
            b.bad.push(BadRef {
                step: Some(i),
                component: s.component().map(str::to_string),
                key: None,
                message: format!(
                    "{} has the same id as step {}.",
                    step_label(plan, i),
                    first + 1
                ),
                hint: "Give each step its own id.".into(),
            });
        } else {
            step_ids.insert(s.id().trim(), i);
        }
    }

    // Components whose id an earlier component has are not simulated.
    let simulated = |c: usize| comp_ids.get(plan.components[c].id.trim()) == Some(&c);
    let current: Vec<Option<Vec<Atom>>> = plan
        .components
        .iter()
        .enumerate()
        .map(|(c, component)| {
            let facts: Vec<Atom> = component
                .current
                .iter()
                .map(|f| b.fact(f, None, &component.id))
                .collect();
            simulated(c).then_some(facts)
        })
        .collect();

    let mut releases: Vec<Option<(usize, Vec<Op>)>> = Vec::with_capacity(plan.steps.len());
    let mut flips: Vec<Option<(u32, bool)>> = Vec::with_capacity(plan.steps.len());
    for (i, step) in plan.steps.iter().enumerate() {
        match step {
            Step::Release {
                component, changes, ..
            } => {
                flips.push(None);
                let Some(&comp) = comp_ids.get(component.trim()) else {
                    let ids = plan.components.iter().map(|c| c.id.as_str());
                    let hint = match closest(component.trim(), ids) {
                        Some(best) => {
                            format!("Did you mean \"{best}\"? Otherwise add the component.")
                        }
                        None => "Add the component to `components`.".to_string(),
                    };
                    b.bad.push(BadRef {
                        step: Some(i),
                        component: Some(component.clone()),
                        key: None,
                        message: format!(
                            "{} releases \"{component}\", which is not a component of the plan.",
                            step_label(plan, i)
                        ),
                        hint,
                    });
                    releases.push(None);
                    continue;
                };
                let mut ops = Vec::with_capacity(changes.len());
                for change in changes {
                    let op = match change {
                        Change::Add(fact) => Op::Add(b.fact(fact, Some(i), component)),
                        Change::Remove(fact) => {
                            let f = b.fact(fact, Some(i), component);
                            Op::Remove {
                                access: f.access,
                                key: f.key,
                                serving: f.serving,
                            }
                        }
                        Change::Ungate(t) => Op::Ungate(b.toggle(t, |plan| BadRef {
                            step: Some(i),
                            component: Some(component.clone()),
                            key: Some(t.trim().to_string()),
                            message: format!(
                                "{} ungates \"{t}\", which is not a declared toggle.",
                                step_label(plan, i)
                            ),
                            hint: toggle_hint(plan),
                        }) as u32),
                        Change::Backfill { into, from } => Op::Backfill {
                            into: b.key(into) as u32,
                            from: b.key(from) as u32,
                        },
                    };
                    ops.push(op);
                }
                releases.push(Some((comp, ops)));
            }
            Step::Flip { toggle, to, .. } => {
                // A flip of an unknown toggle changes nothing and is judged no further.
                let known = b.declared(toggle.trim());
                let id = b.toggle(toggle, |plan| BadRef {
                    step: Some(i),
                    component: None,
                    key: Some(toggle.trim().to_string()),
                    message: format!(
                        "{} flips \"{toggle}\", which is not a declared toggle.",
                        step_label(plan, i)
                    ),
                    hint: toggle_hint(plan),
                });
                releases.push(None);
                flips.push(known.then_some((id as u32, to.is_on())));
            }
        }
    }

    let Builder {
        keys,
        toggle_names,
        toggle_initial,
        provided,
        mut bad,
        ..
    } = b;
    let groups = commit_groups(plan, &comp_ids, &mut bad);

    // Key groups: nodes are keys, then toggles.
    let (nk, nt) = (keys.len(), toggle_names.len());
    let mut forest = Forest::new(nk + nt);
    let toggle_node = |t: u32| nk + t as usize;
    let link_fact = |forest: &mut Forest, f: &Atom| {
        if let Some(s) = f.serving {
            forest.union(f.key as usize, s as usize);
        }
        if let Some(t) = f.gate {
            forest.union(f.key as usize, toggle_node(t));
        }
    };
    for f in current.iter().flatten().flatten() {
        link_fact(&mut forest, f);
    }
    for (_, ops) in releases.iter().flatten() {
        for op in ops {
            match *op {
                Op::Add(ref f) => link_fact(&mut forest, f),
                Op::Remove {
                    key,
                    serving: Some(s),
                    ..
                } => forest.union(key as usize, s as usize),
                Op::Backfill { into, from } => forest.union(into as usize, from as usize),
                Op::Remove { .. } | Op::Ungate(_) => {}
            }
        }
    }
    // The node whose group a change touches.
    let node_of = |op: &Op| match *op {
        Op::Add(f) => f.key as usize,
        Op::Remove { key, .. } => key as usize,
        Op::Backfill { into, .. } => into as usize,
        Op::Ungate(t) => toggle_node(t),
    };

    // A cluster for each group that a simulated fact or a step touches, numbered in the
    // order they are first touched.
    let group: Vec<usize> = (0..nk + nt).map(|node| forest.find(node)).collect();
    let root: Vec<usize> = if split {
        group.clone()
    } else {
        vec![0; nk + nt]
    };
    let mut cluster_of_root = vec![u32::MAX; nk + nt];
    let mut count = 0;
    let mut touch = |node: usize| -> u32 {
        let slot = &mut cluster_of_root[root[node]];
        if *slot == u32::MAX {
            *slot = count;
            count += 1;
        }
        *slot
    };
    // (cluster << 32 | component) for every cluster a component has facts or changes in.
    let mut members: Vec<u64> = Vec::new();
    let mut member = |cl: u32, c: usize| {
        let m = (cl as u64) << 32 | c as u64;
        if members.last() != Some(&m) {
            members.push(m);
        }
    };
    for (c, facts) in current.iter().enumerate() {
        for f in facts.iter().flatten() {
            member(touch(f.key as usize), c);
        }
    }
    for (comp, ops) in releases.iter().flatten() {
        for op in ops {
            member(touch(node_of(op)), *comp);
        }
    }
    for &(toggle, _) in flips.iter().flatten() {
        touch(toggle_node(toggle));
    }
    // A key or toggle that nothing simulated touches has no cluster: its number is past
    // the last one.
    let cluster_of = |node: usize| cluster_of_root[root[node]] as usize;
    let mut clusters: Vec<Cluster> = (0..count).map(|_| Cluster::default()).collect();
    members.sort_unstable();
    members.dedup();
    for run in members.chunk_by(|a, b| a >> 32 == b >> 32) {
        let cluster = &mut clusters[(run[0] >> 32) as usize];
        cluster.comps = run.iter().map(|&m| m as u32 as usize).collect();
        cluster.current = run.iter().map(|_| Rc::default()).collect();
    }
    // Local ids follow global order, so whatever is sorted by id sorts the same way.
    let mut local = vec![u32::MAX; nk + nt];
    for (node, slot) in local.iter_mut().enumerate() {
        let Some(cluster) = clusters.get_mut(cluster_of(node)) else {
            continue;
        };
        let (ids, groups, id) = if node < nk {
            (&mut cluster.keys, &mut cluster.key_groups, node)
        } else {
            (&mut cluster.toggles, &mut cluster.toggle_groups, node - nk)
        };
        *slot = ids.len() as u32;
        ids.push(id as u32);
        groups.push(group[node] as u32);
    }
    let localize = |f: &Atom| Atom {
        key: local[f.key as usize],
        gate: f.gate.map(|t| local[toggle_node(t)]),
        serving: f.serving.map(|s| local[s as usize]),
        ..*f
    };
    let localize_op = |op: &Op| match *op {
        Op::Add(ref f) => Op::Add(localize(f)),
        Op::Remove {
            access,
            key,
            serving,
        } => Op::Remove {
            access,
            key: local[key as usize],
            serving: serving.map(|s| local[s as usize]),
        },
        Op::Ungate(t) => Op::Ungate(local[toggle_node(t)]),
        Op::Backfill { into, from } => Op::Backfill {
            into: local[into as usize],
            from: local[from as usize],
        },
    };
    let local_comp = |cluster: &Cluster, c: usize| -> u32 {
        cluster
            .comps
            .binary_search(&c)
            .expect("a component is a member of the clusters it has facts in") as u32
    };
    for (c, facts) in current.iter().enumerate() {
        for f in facts.iter().flatten() {
            let cluster = &mut clusters[cluster_of(f.key as usize)];
            let lc = local_comp(cluster, c);
            // Not shared yet: the simulation shares it with its first state.
            Rc::get_mut(&mut cluster.current[lc as usize])
                .expect("current facts are not shared while compiling")
                .push(localize(f));
        }
    }
    let mut group_of = vec![None; plan.steps.len()];
    for (n, &(_, first, last)) in groups.iter().enumerate() {
        group_of[first..=last].fill(Some(n));
    }
    for (i, (release, flip)) in releases.iter().zip(&flips).enumerate() {
        if let Some((comp, ops)) = release {
            // One step in each cluster the release touches, in the order the clusters first
            // appear among its changes, with the changes that touch it.
            for (n, op) in ops.iter().enumerate() {
                let cl = cluster_of(node_of(op));
                if ops[..n].iter().any(|o| cluster_of(node_of(o)) == cl) {
                    continue;
                }
                let cluster = &mut clusters[cl];
                let start = cluster.ops.len();
                for (m, o) in ops.iter().enumerate().skip(n) {
                    if cluster_of(node_of(o)) == cl {
                        cluster.ops.push((m, localize_op(o)));
                    }
                }
                let comp = local_comp(cluster, *comp);
                cluster.steps.push(CStep {
                    global: i,
                    kind: CStepKind::Release {
                        comp,
                        ops: start..cluster.ops.len(),
                    },
                    group: group_of[i],
                });
            }
        } else if let Some((toggle, on)) = *flip {
            let node = toggle_node(toggle);
            clusters[cluster_of(node)].steps.push(CStep {
                global: i,
                kind: CStepKind::Flip {
                    toggle: local[node],
                    on,
                },
                group: group_of[i],
            });
        }
    }

    Index {
        clusters,
        groups,
        bad,
        provided,
        provided_sorted: OnceCell::new(),
        keys,
        toggle_names,
        toggle_initial,
        current,
        releases,
    }
}

/// Finds the commit groups: releases sharing a label must be adjacent and release
/// different components. Malformed groups are reported and then treated as plain steps.
fn commit_groups<'a>(
    plan: &'a Plan,
    comp_ids: &HashMap<&str, usize>,
    bad: &mut Vec<BadRef>,
) -> Vec<(&'a str, usize, usize)> {
    let mut members: Vec<(&str, Vec<usize>)> = Vec::new();
    let mut by_label: HashMap<&str, usize> = HashMap::default();
    for (i, step) in plan.steps.iter().enumerate() {
        if let Some(label) = step.commit() {
            match by_label.entry(label) {
                Entry::Occupied(n) => members[*n.get()].1.push(i),
                Entry::Vacant(slot) => {
                    slot.insert(members.len());
                    members.push((label, vec![i]));
                }
            }
        }
    }
    let mut groups = Vec::new();
    for (label, list) in members {
        let (first, last) = (list[0], list[list.len() - 1]);
        let mut ok = true;
        // Each release that does not directly follow the group's previous one.
        for pair in list.windows(2) {
            let (previous, release) = (pair[0], pair[1]);
            if release == previous + 1 {
                continue;
            }
            ok = false;
            let between: Vec<String> = (previous + 1..release)
                .map(|s| step_label(plan, s).to_string())
                .collect();
            bad.push(BadRef {
                step: Some(release),
                component: plan.steps[release].component().map(str::to_string),
                key: None,
                message: format!(
                    "{} is in commit \"{label}\" but does not follow {}, the commit's previous release: {} {} between them.",
                    step_label(plan, release),
                    step_label(plan, previous),
                    between.join(", "),
                    if between.len() == 1 { "sits" } else { "sit" }
                ),
                hint: format!(
                    "Move {} out from between the releases of commit \"{label}\", or {} next to {}.",
                    between.join(" and "),
                    step_label(plan, release),
                    step_label(plan, previous)
                ),
            });
        }
        let mut seen: HashMap<usize, usize> = HashMap::default();
        for &i in &list {
            let Some(c) = plan.steps[i]
                .component()
                .and_then(|c| comp_ids.get(c.trim()))
            else {
                continue;
            };
            if let Some(&other) = seen.get(c) {
                ok = false;
                let comp = &plan.components[*c].id;
                bad.push(BadRef {
                    step: Some(i),
                    component: Some(comp.clone()),
                    key: None,
                    message: format!(
                        "Commit \"{label}\" releases {comp} twice ({} and {}): one pipeline deploys a component once per commit.",
                        step_label(plan, other),
                        step_label(plan, i)
                    ),
                    hint: format!("Merge the two releases of {comp}, or ship them in separate commits."),
                });
            } else {
                seen.insert(*c, i);
            }
        }
        if ok && list.len() > 1 {
            groups.push((label, first, last));
        }
    }
    groups.sort_by_key(|g| g.1);
    groups
}
