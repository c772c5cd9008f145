//! Compiling a plan's facts and steps: keys and toggles interned to ids, ids checked for
//! duplicates, and every reference to nothing (an undeclared toggle, an unknown component)
//! collected as a bad reference.

use rustc_hash::FxHashMap as HashMap;

use super::{BadRef, Releases};
use crate::check::state::{Atom, Op};
use crate::check::words::step_label;
use crate::plan::{Access, Change, Fact, Plan, Step, Switch};
use crate::suggest::closest;

/// Each step's release with global ids (`None` for flips and unknown components), and
/// each step's flip of a declared toggle (`None` for releases and unknown toggles).
pub(super) type Steps = (Releases, Vec<Option<(u32, bool)>>);

/// `str::trim`, quicker for the usual key or id that starts and ends with a visible ASCII
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
pub(super) struct Builder<'a> {
    plan: &'a Plan,
    key_ids: HashMap<&'a str, usize>,
    pub keys: Vec<&'a str>,
    toggle_ids: HashMap<&'a str, usize>,
    pub toggle_names: Vec<&'a str>,
    pub toggle_initial: Vec<bool>,
    pub provided: Vec<bool>,
    pub bad: Vec<BadRef>,
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

/// The phases of compiling, in the order `build` runs them: ids first, so that facts and
/// steps can tell a reference to nothing.
impl<'a> Builder<'a> {
    pub(super) fn new(plan: &'a Plan) -> Builder<'a> {
        // Room for a key per fact and change at most, so interning never regrows.
        let facts: usize = plan.components.iter().map(|c| c.current.len()).sum();
        let changes: usize = plan.steps.iter().map(|s| s.changes().len()).sum();
        let room = facts + changes;
        Builder {
            plan,
            key_ids: HashMap::with_capacity_and_hasher(room, Default::default()),
            keys: Vec::with_capacity(room),
            toggle_ids: HashMap::default(),
            toggle_names: Vec::new(),
            toggle_initial: Vec::new(),
            provided: Vec::with_capacity(room),
            bad: Vec::new(),
            declared_toggles: 0,
        }
    }

    /// Each component id's index; the first of a duplicated id wins.
    pub(super) fn component_ids(&mut self) -> HashMap<&'a str, usize> {
        let plan = self.plan;
        let mut comp_ids: HashMap<&str, usize> =
            HashMap::with_capacity_and_hasher(plan.components.len(), Default::default());
        for (i, c) in plan.components.iter().enumerate() {
            if comp_ids.contains_key(c.id.trim()) {
                self.bad.push(BadRef {
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
        comp_ids
    }

    /// Gives the declared toggles the first ids; the first of a duplicated id wins.
    pub(super) fn declare_toggles(&mut self) {
        for t in &self.plan.toggles {
            if self.toggle_ids.contains_key(t.id.trim()) {
                self.bad.push(BadRef {
                    step: None,
                    component: None,
                    key: Some(t.id.clone()),
                    message: format!("Two toggles have the id \"{}\".", t.id),
                    hint: "Declare each toggle once.".into(),
                });
                continue;
            }
            self.toggle_ids.insert(t.id.trim(), self.toggle_names.len());
            self.toggle_names.push(t.id.trim());
            self.toggle_initial.push(t.initially.is_on());
        }
        self.declared_toggles = self.toggle_names.len();
    }

    /// Checks the facts of the components' targets (they are not simulated).
    pub(super) fn check_targets(&mut self) {
        for c in &self.plan.components {
            for fact in c.target.iter().flatten() {
                self.target_fact(fact, &c.id);
            }
        }
    }

    /// Reports each step whose id an earlier step has.
    pub(super) fn check_step_ids(&mut self) {
        let plan = self.plan;
        let mut step_ids: HashMap<&str, usize> =
            HashMap::with_capacity_and_hasher(plan.steps.len(), Default::default());
        for (i, s) in plan.steps.iter().enumerate() {
            let first = *step_ids.entry(trimmed(s.id())).or_insert(i);
            if first != i {
                self.bad.push(BadRef {
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
            }
        }
    }

    /// Each component's current facts; `None` for a component whose id an earlier one
    /// has (it is not simulated, but its facts are still checked).
    pub(super) fn compile_current(
        &mut self,
        comp_ids: &HashMap<&str, usize>,
    ) -> Vec<Option<Vec<Atom>>> {
        let plan = self.plan;
        plan.components
            .iter()
            .enumerate()
            .map(|(c, component)| {
                let facts: Vec<Atom> = component
                    .current
                    .iter()
                    .map(|f| self.fact(f, None, &component.id))
                    .collect();
                let simulated = comp_ids.get(component.id.trim()) == Some(&c);
                simulated.then_some(facts)
            })
            .collect()
    }

    /// Each step as a release or a flip with global ids.
    pub(super) fn compile_steps(&mut self, comp_ids: &HashMap<&str, usize>) -> Steps {
        let plan = self.plan;
        let mut releases = Releases::with_capacity(plan.steps.len());
        let mut flips = Vec::with_capacity(plan.steps.len());
        for (i, step) in plan.steps.iter().enumerate() {
            match step {
                Step::Release {
                    component, changes, ..
                } => {
                    flips.push(None);
                    releases.push(|ops| self.release(i, component, changes, comp_ids, ops));
                }
                Step::Flip { toggle, to, .. } => {
                    releases.push_none();
                    flips.push(self.flip(i, toggle, *to));
                }
            }
        }
        (releases, flips)
    }

    /// Step `i`, a release of `component`: its index, its changes pushed to `ops`; or
    /// `None` when the plan has no such component.
    fn release(
        &mut self,
        i: usize,
        component: &'a str,
        changes: &'a [Change],
        comp_ids: &HashMap<&str, usize>,
        ops: &mut Vec<Op>,
    ) -> Option<usize> {
        let plan = self.plan;
        let Some(&comp) = comp_ids.get(trimmed(component)) else {
            let ids = plan.components.iter().map(|c| c.id.as_str());
            let hint = match closest(component.trim(), ids) {
                Some(best) => format!("Did you mean \"{best}\"? Otherwise add the component."),
                None => "Add the component to `components`.".to_string(),
            };
            self.bad.push(BadRef {
                step: Some(i),
                component: Some(component.to_string()),
                key: None,
                message: format!(
                    "{} releases \"{component}\", which is not a component of the plan.",
                    step_label(plan, i)
                ),
                hint,
            });
            return None;
        };
        ops.extend(
            changes
                .iter()
                .map(|change| self.change(i, component, change)),
        );
        Some(comp)
    }

    /// A change of step `i`, a release of `component`.
    fn change(&mut self, i: usize, component: &'a str, change: &'a Change) -> Op {
        match change {
            Change::Add(fact) => Op::Add(self.fact(fact, Some(i), component)),
            Change::Remove(fact) => {
                let f = self.fact(fact, Some(i), component);
                Op::Remove {
                    access: f.access,
                    key: f.key,
                    serving: f.serving,
                }
            }
            Change::Ungate(t) => Op::Ungate(self.toggle(t, |plan| BadRef {
                step: Some(i),
                component: Some(component.to_string()),
                key: Some(t.trim().to_string()),
                message: format!(
                    "{} ungates \"{t}\", which is not a declared toggle.",
                    step_label(plan, i)
                ),
                hint: toggle_hint(plan),
            }) as u32),
            Change::Backfill { into, from } => Op::Backfill {
                into: self.key(into) as u32,
                from: self.key(from) as u32,
            },
        }
    }

    /// Step `i`, a flip of `toggle`: the toggle's id and value, or `None` for an unknown
    /// toggle (the flip changes nothing and is judged no further).
    fn flip(&mut self, i: usize, toggle: &'a str, to: Switch) -> Option<(u32, bool)> {
        let known = self.declared(toggle.trim());
        let id = self.toggle(toggle, |plan| BadRef {
            step: Some(i),
            component: None,
            key: Some(toggle.trim().to_string()),
            message: format!(
                "{} flips \"{toggle}\", which is not a declared toggle.",
                step_label(plan, i)
            ),
            hint: toggle_hint(plan),
        });
        known.then_some((id as u32, to.is_on()))
    }
}
