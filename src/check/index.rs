//! Compiles a plan for simulation: interns keys and toggles, reports references to
//! nothing, and splits the plan into clusters that cannot affect each other.
//!
//! Two components land in one cluster when they share a key (directly or through
//! others) or a toggle. Simulating clusters apart gives the same findings as simulating
//! the plan whole, and keeps every step's cost bounded by its cluster, not the plan.

use rustc_hash::FxHashMap as HashMap;

use super::state::{Atom, Op};
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
    Release { comp: u32, ops: Vec<Op> },
    Flip { toggle: u32, on: bool },
}

pub struct CStep {
    /// Index into `plan.steps`.
    pub global: usize,
    pub kind: CStepKind,
    /// The commit group this release belongs to, if its group is well formed.
    pub group: Option<usize>,
}

pub struct Cluster<'a> {
    /// Global component index of each local component.
    pub comps: Vec<usize>,
    pub stateful: Vec<bool>,
    pub keys: Vec<&'a str>,
    pub toggle_names: Vec<&'a str>,
    pub initial_toggles: Vec<bool>,
    pub current: Vec<Vec<Atom>>,
    pub steps: Vec<CStep>,
}

pub struct Index<'a> {
    pub clusters: Vec<Cluster<'a>>,
    /// Well-formed commit groups: (label, first step, last step), in plan order.
    pub groups: Vec<(&'a str, usize, usize)>,
    pub bad: Vec<BadRef>,
    /// Every key some fact of the plan provides, for "did you mean".
    pub provided: Vec<&'a str>,
}

struct Forest(Vec<usize>);

impl Forest {
    fn find(&mut self, mut x: usize) -> usize {
        while self.0[x] != x {
            self.0[x] = self.0[self.0[x]];
            x = self.0[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.0[a] = b;
        }
    }
}

fn step_label(plan: &Plan, index: usize) -> String {
    format!("step {} \"{}\"", index + 1, plan.steps[index].id())
}

/// Interns keys and toggles and collects bad references while compiling.
struct Builder<'a> {
    plan: &'a Plan,
    key_ids: HashMap<&'a str, usize>,
    keys: Vec<&'a str>,
    toggle_ids: HashMap<&'a str, usize>,
    toggle_names: Vec<&'a str>,
    toggle_initial: Vec<bool>,
    provided: Vec<&'a str>,
    bad: Vec<BadRef>,
}

impl<'a> Builder<'a> {
    fn key(&mut self, key: &'a str) -> usize {
        let key = key.trim();
        let keys = &mut self.keys;
        *self.key_ids.entry(key).or_insert_with(|| {
            keys.push(key);
            keys.len() - 1
        })
    }

    /// The toggle's id; an undeclared toggle gets one too (Off), after a finding.
    fn toggle(&mut self, name: &'a str, bad: impl FnOnce(&Plan) -> BadRef) -> usize {
        let name = name.trim();
        if let Some(&t) = self.toggle_ids.get(name) {
            return t;
        }
        self.bad.push(bad(self.plan));
        self.toggle_ids.insert(name, self.toggle_names.len());
        self.toggle_names.push(name);
        self.toggle_initial.push(false);
        self.toggle_names.len() - 1
    }

    fn fact(&mut self, fact: &'a Fact, step: Option<usize>, comp: &str) -> GFact {
        let key = self.key(&fact.key);
        let serving = fact.serving.as_deref().map(|i| self.key(i));
        let gate = fact.gate.as_deref().map(|t| {
            self.toggle(t, |plan| BadRef {
                step,
                component: Some(comp.to_string()),
                key: Some(fact.key.clone()),
                message: format!(
                    "{comp}'s fact {fact} is gated by \"{t}\", which is not a declared toggle."
                ),
                hint: toggle_hint(plan),
            })
        });
        if fact.tolerant && fact.access == Access::Provide {
            self.bad.push(BadRef {
                step,
                component: Some(comp.to_string()),
                key: Some(fact.key.clone()),
                message: format!("{comp} has {fact}: only Call, Read and Write can be tolerant."),
                hint: format!("Write Provide(\"{}\") without Tolerant.", fact.key.trim()),
            });
        }
        if fact.access == Access::Provide {
            self.provided.push(fact.key.trim());
        }
        GFact {
            access: fact.access,
            key,
            tolerant: fact.tolerant,
            gate,
            serving,
        }
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

pub fn build<'a>(plan: &'a Plan) -> Index<'a> {
    let mut b = Builder {
        plan,
        key_ids: HashMap::default(),
        keys: Vec::new(),
        toggle_ids: HashMap::default(),
        toggle_names: Vec::new(),
        toggle_initial: Vec::new(),
        provided: Vec::new(),
        bad: Vec::new(),
    };

    // Components, toggles and steps by id; the first of a duplicated id wins.
    let mut comp_ids: HashMap<&str, usize> = HashMap::default();
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
    let mut step_ids: HashMap<&str, usize> = HashMap::default();
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

    let mut global_facts: Vec<Vec<GFact>> = Vec::with_capacity(plan.components.len());
    for c in &plan.components {
        let facts = c.current.iter().map(|f| b.fact(f, None, &c.id)).collect();
        global_facts.push(facts);
    }

    let mut gsteps: Vec<Option<GStep>> = Vec::with_capacity(plan.steps.len());
    for (i, step) in plan.steps.iter().enumerate() {
        match step {
            Step::Release {
                component, changes, ..
            } => {
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
                    gsteps.push(None);
                    continue;
                };
                let mut ops = Vec::with_capacity(changes.len());
                for change in changes {
                    let op = match change {
                        Change::Add(fact) => GOp::Add(b.fact(fact, Some(i), component)),
                        Change::Remove(fact) => {
                            let f = b.fact(fact, Some(i), component);
                            GOp::Remove(f.access, f.key, f.serving)
                        }
                        Change::Ungate(t) => GOp::Ungate(b.toggle(t, |plan| BadRef {
                            step: Some(i),
                            component: Some(component.clone()),
                            key: None,
                            message: format!(
                                "{} ungates \"{t}\", which is not a declared toggle.",
                                step_label(plan, i)
                            ),
                            hint: toggle_hint(plan),
                        })),
                        Change::Backfill { into, from } => GOp::Backfill(b.key(into), b.key(from)),
                    };
                    ops.push(op);
                }
                gsteps.push(Some(GStep::Release { comp, ops }));
            }
            Step::Flip { toggle, to, .. } => {
                let id = b.toggle(toggle, |plan| BadRef {
                    step: Some(i),
                    component: None,
                    key: Some(toggle.clone()),
                    message: format!(
                        "{} flips \"{toggle}\", which is not a declared toggle.",
                        step_label(plan, i)
                    ),
                    hint: toggle_hint(plan),
                });
                gsteps.push(Some(GStep::Flip {
                    toggle: id,
                    on: to.is_on(),
                }));
            }
        }
    }

    let Builder {
        keys,
        toggle_names,
        toggle_initial,
        mut provided,
        mut bad,
        ..
    } = b;
    let groups = commit_groups(plan, &comp_ids, &mut bad);

    // Cluster: nodes are components, then keys, then toggles.
    let (nc, nk, nt) = (plan.components.len(), keys.len(), toggle_names.len());
    let mut forest = Forest((0..nc + nk + nt).collect());
    let key_node = |k: usize| nc + k;
    let toggle_node = |t: usize| nc + nk + t;
    let link_fact = |forest: &mut Forest, c: usize, f: &GFact| {
        forest.union(c, key_node(f.key));
        if let Some(s) = f.serving {
            forest.union(c, key_node(s));
        }
        if let Some(t) = f.gate {
            forest.union(c, toggle_node(t));
        }
    };
    for (c, facts) in global_facts.iter().enumerate() {
        for f in facts {
            link_fact(&mut forest, c, f);
        }
    }
    for step in gsteps.iter().flatten() {
        if let GStep::Release { comp, ops } = step {
            for op in ops {
                match *op {
                    GOp::Add(ref f) => link_fact(&mut forest, *comp, f),
                    GOp::Remove(_, k, s) => {
                        forest.union(*comp, key_node(k));
                        if let Some(s) = s {
                            forest.union(*comp, key_node(s));
                        }
                    }
                    GOp::Ungate(t) => forest.union(*comp, toggle_node(t)),
                    GOp::Backfill(a, b) => {
                        forest.union(*comp, key_node(a));
                        forest.union(*comp, key_node(b));
                    }
                }
            }
        }
    }

    let mut cluster_of_root: HashMap<usize, usize> = HashMap::default();
    let mut clusters: Vec<Cluster> = Vec::new();
    let mut local = vec![u32::MAX; nc + nk + nt];
    let mut home = |node: usize, forest: &mut Forest, clusters: &mut Vec<Cluster<'_>>| -> usize {
        let root = forest.find(node);
        *cluster_of_root.entry(root).or_insert_with(|| {
            clusters.push(Cluster {
                comps: Vec::new(),
                stateful: Vec::new(),
                keys: Vec::new(),
                toggle_names: Vec::new(),
                initial_toggles: Vec::new(),
                current: Vec::new(),
                steps: Vec::new(),
            });
            clusters.len() - 1
        })
    };
    let mut comp_home = vec![None; nc];
    for (c, component) in plan.components.iter().enumerate() {
        if comp_ids.get(component.id.trim()) != Some(&c) {
            continue;
        }
        let cl = home(c, &mut forest, &mut clusters);
        local[c] = clusters[cl].comps.len() as u32;
        comp_home[c] = Some((cl, local[c]));
        clusters[cl].comps.push(c);
        clusters[cl].stateful.push(component.kind.is_stateful());
    }
    for (k, name) in keys.iter().enumerate() {
        let cl = home(key_node(k), &mut forest, &mut clusters);
        local[key_node(k)] = clusters[cl].keys.len() as u32;
        clusters[cl].keys.push(name);
    }
    for (t, name) in toggle_names.iter().enumerate() {
        let cl = home(toggle_node(t), &mut forest, &mut clusters);
        local[toggle_node(t)] = clusters[cl].toggle_names.len() as u32;
        clusters[cl].toggle_names.push(name);
        clusters[cl].initial_toggles.push(toggle_initial[t]);
    }
    let atom = |f: &GFact| Atom {
        access: f.access,
        key: local[key_node(f.key)],
        tolerant: f.tolerant,
        gate: f.gate.map(|t| local[toggle_node(t)]),
        serving: f.serving.map(|s| local[key_node(s)]),
    };
    for (c, facts) in global_facts.iter().enumerate() {
        if let Some((cl, _)) = comp_home[c] {
            clusters[cl].current.push(facts.iter().map(atom).collect());
        }
    }
    let group_of = |i: usize| groups.iter().position(|&(_, a, b)| a <= i && i <= b);
    for (i, step) in gsteps.into_iter().enumerate() {
        let Some(step) = step else { continue };
        let (cl, kind) = match step {
            GStep::Release { comp, ops } => {
                let Some((cl, lc)) = comp_home[comp] else {
                    continue;
                };
                let ops = ops
                    .iter()
                    .map(|op| match *op {
                        GOp::Add(ref f) => Op::Add(atom(f)),
                        GOp::Remove(access, k, s) => Op::Remove {
                            access,
                            key: local[key_node(k)],
                            serving: s.map(|s| local[key_node(s)]),
                        },
                        GOp::Ungate(t) => Op::Ungate(local[toggle_node(t)]),
                        GOp::Backfill(a, b) => Op::Backfill {
                            into: local[key_node(a)],
                            from: local[key_node(b)],
                        },
                    })
                    .collect();
                (cl, CStepKind::Release { comp: lc, ops })
            }
            GStep::Flip { toggle, on } => {
                let cl = home(toggle_node(toggle), &mut forest, &mut clusters);
                (
                    cl,
                    CStepKind::Flip {
                        toggle: local[toggle_node(toggle)],
                        on,
                    },
                )
            }
        };
        clusters[cl].steps.push(CStep {
            global: i,
            kind,
            group: group_of(i),
        });
    }

    provided.sort_unstable();
    provided.dedup();
    Index {
        clusters,
        groups,
        bad,
        provided,
    }
}

struct GFact {
    access: Access,
    key: usize,
    tolerant: bool,
    gate: Option<usize>,
    serving: Option<usize>,
}

enum GOp {
    Add(GFact),
    Remove(Access, usize, Option<usize>),
    Ungate(usize),
    Backfill(usize, usize),
}

enum GStep {
    Release { comp: usize, ops: Vec<GOp> },
    Flip { toggle: usize, on: bool },
}

/// Finds the commit groups: releases sharing a label must be adjacent and release
/// different components. Malformed groups are reported and then treated as plain steps.
fn commit_groups<'a>(
    plan: &'a Plan,
    comp_ids: &HashMap<&str, usize>,
    bad: &mut Vec<BadRef>,
) -> Vec<(&'a str, usize, usize)> {
    let mut members: Vec<(&str, Vec<usize>)> = Vec::new();
    for (i, step) in plan.steps.iter().enumerate() {
        if let Some(label) = step.commit() {
            match members.iter_mut().find(|(l, _)| *l == label) {
                Some((_, list)) => list.push(i),
                None => members.push((label, vec![i])),
            }
        }
    }
    let mut groups = Vec::new();
    for (label, list) in members {
        let (first, last) = (list[0], list[list.len() - 1]);
        let mut ok = true;
        if last - first + 1 != list.len() {
            ok = false;
            let outsider = (first..=last).find(|i| !list.contains(i)).unwrap_or(first);
            bad.push(BadRef {
                step: Some(outsider),
                component: plan.steps[outsider].component().map(str::to_string),
                key: None,
                message: format!(
                    "The releases of commit \"{label}\" are not adjacent: {} sits between them.",
                    step_label(plan, outsider)
                ),
                hint: format!(
                    "Move {} out from between the releases of commit \"{label}\".",
                    step_label(plan, outsider)
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
