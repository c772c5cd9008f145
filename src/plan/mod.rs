//! The plan model: components, their facts, toggles and the steps of a story.
//!
//! Pure data with serde derives; no IO and nothing about terminals. The RON form of a
//! fact nests its modifiers (`Gated("t", Serving("i", Tolerant(Read("k"))))`); in memory a
//! fact is flat, which makes matching and comparing cheap.

mod fact;
mod source;

pub use fact::quoted;
pub use fact::{Access, Fact, FactError};
pub use source::{Dialect, Source, unname_dialects};

use std::fmt;

use serde::{Deserialize, Serialize};

/// The plan format this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub version: u32,
    pub story: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub narrative: Option<String>,
    pub components: Vec<Component>,
    #[serde(default)]
    pub toggles: Vec<Toggle>,
    #[serde(default)]
    pub steps: Vec<Step>,
    #[serde(default)]
    pub accepted: Vec<Accept>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Kind {
    Ui,
    Service,
    Database,
    Queue,
    Job,
    External,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Ui,
        Kind::Service,
        Kind::Database,
        Kind::Queue,
        Kind::Job,
        Kind::External,
    ];

    /// Databases and queues hold data: the keys they provide are data stores.
    pub fn is_stateful(self) -> bool {
        matches!(self, Kind::Database | Kind::Queue)
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Ui => "Ui",
            Kind::Service => "Service",
            Kind::Database => "Database",
            Kind::Queue => "Queue",
            Kind::Job => "Job",
            Kind::External => "External",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Component {
    pub id: String,
    pub name: String,
    pub kind: Kind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    /// Where the repository describes the component (SPEC §7).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
    #[serde(default)]
    pub current: Vec<Fact>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Vec<Fact>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Switch {
    On,
    #[default]
    Off,
}

impl Switch {
    pub const ALL: [Switch; 2] = [Switch::Off, Switch::On];

    pub fn is_on(self) -> bool {
        self == Switch::On
    }

    pub fn name(self) -> &'static str {
        match self {
            Switch::On => "On",
            Switch::Off => "Off",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Toggle {
    pub id: String,
    #[serde(default)]
    pub initially: Switch,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Step {
    Release {
        id: String,
        component: String,
        title: String,
        #[serde(default)]
        changes: Vec<Change>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        commit: Option<String>,
        #[serde(default)]
        shipped: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        notes: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pr: Option<String>,
    },
    Flip {
        id: String,
        toggle: String,
        to: Switch,
        title: String,
        #[serde(default)]
        shipped: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        notes: Option<String>,
    },
}

impl Step {
    pub fn id(&self) -> &str {
        match self {
            Step::Release { id, .. } | Step::Flip { id, .. } => id,
        }
    }

    pub fn title(&self) -> &str {
        match self {
            Step::Release { title, .. } | Step::Flip { title, .. } => title,
        }
    }

    pub fn shipped(&self) -> bool {
        match self {
            Step::Release { shipped, .. } | Step::Flip { shipped, .. } => *shipped,
        }
    }

    /// The component a release deploys; flips deploy nothing.
    pub fn component(&self) -> Option<&str> {
        match self {
            Step::Release { component, .. } => Some(component),
            Step::Flip { .. } => None,
        }
    }

    pub fn commit(&self) -> Option<&str> {
        match self {
            Step::Release { commit, .. } => commit.as_deref(),
            Step::Flip { .. } => None,
        }
    }

    pub fn changes(&self) -> &[Change] {
        match self {
            Step::Release { changes, .. } => changes,
            Step::Flip { .. } => &[],
        }
    }

    pub fn kind_name(&self) -> &'static str {
        match self {
            Step::Release { .. } => "release",
            Step::Flip { .. } => "flip",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    Add(Fact),
    Remove(Fact),
    Ungate(String),
    Backfill { into: String, from: String },
}

impl Change {
    /// Applies the change to a component's facts as the checker does, and says whether it
    /// changed anything: `Add` adds a fact that is not there; `Remove` takes every fact
    /// with the same access and key (and the same `Serving` interface, if it names one),
    /// and a removed `Provide(k)` takes the `Serving(k, …)` facts with it; `Ungate` strips
    /// the toggle's gate; `Backfill` moves data, not facts.
    pub fn apply_to(&self, facts: &mut Vec<Fact>) -> bool {
        match self {
            Change::Add(fact) => {
                if facts.contains(fact) {
                    return false;
                }
                facts.push(fact.clone());
                true
            }
            Change::Remove(gone) => {
                let before = facts.len();
                facts.retain(|f| {
                    let same = f.access == gone.access
                        && f.key == gone.key
                        && (gone.serving.is_none() || f.serving == gone.serving);
                    let served =
                        gone.access == Access::Provide && f.serving.as_ref() == Some(&gone.key);
                    !(same || served)
                });
                facts.len() != before
            }
            Change::Ungate(toggle) => {
                if !facts.iter().any(|f| f.gate.as_ref() == Some(toggle)) {
                    return false;
                }
                let mut kept: Vec<Fact> = Vec::with_capacity(facts.len());
                for mut fact in facts.drain(..) {
                    if fact.gate.as_ref() == Some(toggle) {
                        fact.gate = None;
                    }
                    if !kept.contains(&fact) {
                        kept.push(fact);
                    }
                }
                *facts = kept;
                true
            }
            Change::Backfill { .. } => false,
        }
    }
}

/// As the plan file writes it: `Add(fact)`, `Remove(fact)`, `Ungate("t")`,
/// `Backfill(into: "a", from: "b")`, strings escaped for RON.
impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Add(fact) => write!(f, "Add({fact})"),
            Change::Remove(fact) => write!(f, "Remove({fact})"),
            Change::Ungate(toggle) => write!(f, "Ungate({})", quoted(toggle)),
            Change::Backfill { into, from } => {
                write!(
                    f,
                    "Backfill(into: {}, from: {})",
                    quoted(into),
                    quoted(from)
                )
            }
        }
    }
}

/// A finding the team decided to live with; the reason travels with the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accept {
    pub rule: String,
    #[serde(default)]
    pub step: Option<String>,
    #[serde(default)]
    pub key: Option<String>,
    pub reason: String,
}

impl Plan {
    /// Every key the plan names, distinct and sorted: in current and target facts, in the
    /// changes of its steps and their backfills, and the interfaces `Serving` names.
    pub fn keys(&self) -> std::collections::BTreeSet<&str> {
        fn fact_keys<'a>(fact: &'a Fact, keys: &mut std::collections::BTreeSet<&'a str>) {
            keys.insert(&fact.key);
            if let Some(interface) = &fact.serving {
                keys.insert(interface);
            }
        }
        let mut keys = std::collections::BTreeSet::new();
        for component in &self.components {
            let target = component.target.iter().flatten();
            for fact in component.current.iter().chain(target) {
                fact_keys(fact, &mut keys);
            }
        }
        for step in &self.steps {
            for change in step.changes() {
                match change {
                    Change::Add(fact) | Change::Remove(fact) => fact_keys(fact, &mut keys),
                    Change::Backfill { into, from } => {
                        keys.insert(into);
                        keys.insert(from);
                    }
                    Change::Ungate(_) => {}
                }
            }
        }
        keys
    }

    /// A plan of this format version with a story and nothing else yet.
    pub fn new(story: impl Into<String>) -> Plan {
        Plan {
            version: FORMAT_VERSION,
            story: story.into(),
            narrative: None,
            components: Vec::new(),
            toggles: Vec::new(),
            steps: Vec::new(),
            accepted: Vec::new(),
            notes: None,
        }
    }

    /// Trims every id, key and reference in the plan: they compare exactly after this, so
    /// it runs once where a plan comes in (loading a file).
    pub fn normalize(&mut self) {
        fn trim(text: &mut String) {
            let trimmed = text.trim();
            if trimmed.len() != text.len() {
                *text = trimmed.to_string();
            }
        }
        fn trim_all<'a>(texts: impl IntoIterator<Item = &'a mut String>) {
            texts.into_iter().for_each(trim);
        }
        fn fact(fact: &mut Fact) {
            trim_all(
                [&mut fact.key]
                    .into_iter()
                    .chain(&mut fact.gate)
                    .chain(&mut fact.serving),
            );
        }
        for component in &mut self.components {
            trim(&mut component.id);
            component
                .sources
                .iter_mut()
                .for_each(|s| trim(s.path_mut()));
            component.current.iter_mut().for_each(fact);
            component.target.iter_mut().flatten().for_each(fact);
        }
        trim_all(self.toggles.iter_mut().map(|t| &mut t.id));
        for step in &mut self.steps {
            match step {
                Step::Release {
                    id,
                    component,
                    changes,
                    commit,
                    ..
                } => {
                    trim_all([id, component].into_iter().chain(commit));
                    for change in changes {
                        match change {
                            Change::Add(f) | Change::Remove(f) => fact(f),
                            Change::Ungate(toggle) => trim(toggle),
                            Change::Backfill { into, from } => trim_all([into, from]),
                        }
                    }
                }
                Step::Flip { id, toggle, .. } => trim_all([id, toggle]),
            }
        }
        for accept in &mut self.accepted {
            trim_all(
                [&mut accept.rule]
                    .into_iter()
                    .chain(&mut accept.step)
                    .chain(&mut accept.key),
            );
        }
    }

    /// The facts of component `component_id` just before step `step_index`: its `current`
    /// facts with the changes of its releases before that index applied, as the checker
    /// applies them. With `step_index` at or past the end, where the plan leaves it. The
    /// first component of a duplicated id is the one released, as in the checker; an
    /// unknown component has no facts.
    pub fn facts_before(&self, component_id: &str, step_index: usize) -> Vec<Fact> {
        let Some(component) = self.component(component_id) else {
            return Vec::new();
        };
        let mut facts = component.current.clone();
        let end = step_index.min(self.steps.len());
        for step in &self.steps[..end] {
            if step.component() == Some(component_id) {
                for change in step.changes() {
                    change.apply_to(&mut facts);
                }
            }
        }
        facts
    }

    /// The facts of the component a release deploys, right after it; `None` for a flip.
    pub fn facts_after(&self, step_index: usize) -> Option<Vec<Fact>> {
        let component = self.steps.get(step_index)?.component()?;
        Some(self.facts_before(component, step_index + 1))
    }

    pub fn component(&self, id: &str) -> Option<&Component> {
        self.components.iter().find(|c| c.id == id)
    }

    pub fn step_index(&self, id: &str) -> Option<usize> {
        self.steps.iter().position(|s| s.id() == id)
    }
}
