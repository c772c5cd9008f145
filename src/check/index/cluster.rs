//! Key groups and clusters: which keys and toggles can affect each other, and each
//! cluster's components, keys, toggles, current facts and steps, with local ids.

use std::rc::Rc;

use super::{CStep, CStepKind, Cluster, Releases};
use crate::check::state::{Atom, Op};
use crate::forest::Forest;

/// The plan compiled with global ids, as clustering needs it.
pub(super) struct Compiled<'c> {
    /// How many keys and toggles the plan has.
    pub keys: usize,
    pub toggles: usize,
    /// Each component's current facts; `None` for a component that is not simulated.
    pub current: &'c [Option<Vec<Atom>>],
    /// Each step's release and flip (see `compile::Steps`).
    pub releases: &'c Releases,
    pub flips: &'c [Option<(u32, bool)>],
    /// The commit group of each step, if its group is well formed.
    pub group_of: &'c [Option<usize>],
}

/// The nodes of the key groups: the keys, then the toggles, by global id.
#[derive(Clone, Copy)]
struct Nodes {
    keys: usize,
    toggles: usize,
}

impl Nodes {
    fn len(self) -> usize {
        self.keys + self.toggles
    }

    fn toggle(self, t: u32) -> usize {
        self.keys + t as usize
    }

    /// The node whose group a change touches.
    fn of(self, op: &Op) -> usize {
        match *op {
            Op::Add(f) => f.key as usize,
            Op::Remove { key, .. } => key as usize,
            Op::Backfill { into, .. } => into as usize,
            Op::Ungate(t) => self.toggle(t),
        }
    }
}

/// Splits the compiled plan into clusters; with `split` false every key group goes into
/// one cluster.
pub(super) fn clusters(compiled: &Compiled, split: bool) -> Vec<Cluster> {
    let nodes = Nodes {
        keys: compiled.keys,
        toggles: compiled.toggles,
    };
    let group = key_groups(nodes, compiled);
    let root: Vec<usize> = if split {
        group.clone()
    } else {
        vec![0; nodes.len()]
    };
    let (cluster_of_root, mut clusters) = number(nodes, compiled, &root);
    let mut place = Placement {
        nodes,
        root,
        cluster_of_root,
        local: vec![u32::MAX; nodes.len()],
    };
    place.local_ids(&mut clusters, &group);
    place.current(&mut clusters, compiled.current);
    place.steps(&mut clusters, compiled);
    clusters
}

/// The key group of each node: a fact joins its key with its `Serving` interface and its
/// toggle, a `Backfill` joins its two stores, a `Remove` that names an interface joins it
/// with the key.
fn key_groups(nodes: Nodes, compiled: &Compiled) -> Vec<usize> {
    let mut forest = Forest::new(nodes.len());
    let link_fact = |forest: &mut Forest, f: &Atom| {
        if let Some(s) = f.serving {
            forest.union(f.key as usize, s as usize);
        }
        if let Some(t) = f.gate {
            forest.union(f.key as usize, nodes.toggle(t));
        }
    };
    for f in compiled.current.iter().flatten().flatten() {
        link_fact(&mut forest, f);
    }
    for (_, ops) in compiled.releases.iter().flatten() {
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
    (0..nodes.len()).map(|node| forest.find(node)).collect()
}

/// A cluster for each group (by its `root`) that a simulated fact or a step touches,
/// numbered in the order they are first touched: the cluster of each root (`u32::MAX`
/// for none), and the clusters with their components.
fn number(nodes: Nodes, compiled: &Compiled, root: &[usize]) -> (Vec<u32>, Vec<Cluster>) {
    let mut cluster_of_root = vec![u32::MAX; nodes.len()];
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
    for (c, facts) in compiled.current.iter().enumerate() {
        for f in facts.iter().flatten() {
            member(touch(f.key as usize), c);
        }
    }
    for (comp, ops) in compiled.releases.iter().flatten() {
        for op in ops {
            member(touch(nodes.of(op)), comp);
        }
    }
    for &(toggle, _) in compiled.flips.iter().flatten() {
        touch(nodes.toggle(toggle));
    }
    let mut clusters: Vec<Cluster> = (0..count).map(|_| Cluster::default()).collect();
    members.sort_unstable();
    members.dedup();
    // Most components have no current facts in most clusters: they share one empty list
    // until a fact is placed (see `Placement::current`).
    let none = Rc::default();
    for run in members.chunk_by(|a, b| a >> 32 == b >> 32) {
        let cluster = &mut clusters[(run[0] >> 32) as usize];
        cluster.comps = run.iter().map(|&m| m as u32 as usize).collect();
        cluster.current = run.iter().map(|_| Rc::clone(&none)).collect();
    }
    (cluster_of_root, clusters)
}

/// Where each node goes: its cluster, and its local id there.
struct Placement {
    nodes: Nodes,
    root: Vec<usize>,
    cluster_of_root: Vec<u32>,
    local: Vec<u32>,
}

impl Placement {
    /// A key or toggle that nothing simulated touches has no cluster: its number is past
    /// the last one.
    fn cluster(&self, node: usize) -> usize {
        self.cluster_of_root[self.root[node]] as usize
    }

    /// Gives each node its local id in its cluster, with its key group; local ids follow
    /// global order, so whatever is sorted by id sorts the same way.
    fn local_ids(&mut self, clusters: &mut [Cluster], group: &[usize]) {
        let nk = self.nodes.keys;
        for (node, &group) in group.iter().enumerate() {
            let Some(cluster) = clusters.get_mut(self.cluster(node)) else {
                continue;
            };
            let (ids, groups, id) = if node < nk {
                (&mut cluster.keys, &mut cluster.key_groups, node)
            } else {
                (&mut cluster.toggles, &mut cluster.toggle_groups, node - nk)
            };
            self.local[node] = ids.len() as u32;
            ids.push(id as u32);
            groups.push(group as u32);
        }
    }

    /// A fact with local ids.
    fn atom(&self, f: &Atom) -> Atom {
        let local = &self.local;
        Atom {
            key: local[f.key as usize],
            gate: f.gate.map(|t| local[self.nodes.toggle(t)]),
            serving: f.serving.map(|s| local[s as usize]),
            ..*f
        }
    }

    /// A change with local ids.
    fn op(&self, op: &Op) -> Op {
        let local = &self.local;
        match *op {
            Op::Add(ref f) => Op::Add(self.atom(f)),
            Op::Remove {
                access,
                key,
                serving,
            } => Op::Remove {
                access,
                key: local[key as usize],
                serving: serving.map(|s| local[s as usize]),
            },
            Op::Ungate(t) => Op::Ungate(local[self.nodes.toggle(t)]),
            Op::Backfill { into, from } => Op::Backfill {
                into: local[into as usize],
                from: local[from as usize],
            },
        }
    }

    /// Each simulated component's current facts, in the clusters of their keys.
    fn current(&self, clusters: &mut [Cluster], current: &[Option<Vec<Atom>>]) {
        for (c, facts) in current.iter().enumerate() {
            for f in facts.iter().flatten() {
                let cluster = &mut clusters[self.cluster(f.key as usize)];
                let lc = local_comp(cluster, c);
                // The first fact replaces the shared empty list with the component's own.
                Rc::make_mut(&mut cluster.current[lc as usize]).push(self.atom(f));
            }
        }
    }

    /// Each step, in the clusters it touches.
    fn steps(&self, clusters: &mut [Cluster], compiled: &Compiled) {
        let steps = compiled.releases.iter().zip(compiled.flips);
        for (i, (release, flip)) in steps.enumerate() {
            let group = compiled.group_of[i];
            if let Some((comp, ops)) = release {
                self.release(clusters, i, comp, ops, group);
            } else if let Some((toggle, on)) = *flip {
                let node = self.nodes.toggle(toggle);
                clusters[self.cluster(node)].steps.push(CStep {
                    global: i,
                    kind: CStepKind::Flip {
                        toggle: self.local[node],
                        on,
                    },
                    group,
                });
            }
        }
    }

    /// One step in each cluster release `i` touches, in the order the clusters first
    /// appear among its changes, with the changes that touch it.
    fn release(
        &self,
        clusters: &mut [Cluster],
        i: usize,
        comp: usize,
        ops: &[Op],
        group: Option<usize>,
    ) {
        let nodes = self.nodes;
        for (n, op) in ops.iter().enumerate() {
            let cl = self.cluster(nodes.of(op));
            if ops[..n].iter().any(|o| self.cluster(nodes.of(o)) == cl) {
                continue;
            }
            let cluster = &mut clusters[cl];
            let start = cluster.ops.len();
            for (m, o) in ops.iter().enumerate().skip(n) {
                if self.cluster(nodes.of(o)) == cl {
                    cluster.ops.push((m, self.op(o)));
                }
            }
            let comp = local_comp(cluster, comp);
            cluster.steps.push(CStep {
                global: i,
                kind: CStepKind::Release {
                    comp,
                    ops: start..cluster.ops.len(),
                },
                group,
            });
        }
    }
}

/// The local id of component `c` in a cluster it has facts or changes in.
fn local_comp(cluster: &Cluster, c: usize) -> u32 {
    cluster
        .comps
        .binary_search(&c)
        .expect("a component is a member of the clusters it has facts in") as u32
}
