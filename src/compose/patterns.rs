//! Pattern templates: the article's three safe shapes as ordinary steps.
//!
//! Each template is a struct of exactly the inputs it needs; `steps(plan, at)` validates
//! them against the facts the plan has just before step `at` and returns the steps (and
//! any toggle to declare) that [`insert`] places at `at`. The steps are plain releases and
//! flips: once inserted the user adjusts them like any other step.
//!
//! **Clean insertion.** Inserted at `at` into a plan that checks without errors and
//! warnings, each template adds no error and no warning other than `target-not-reached`
//! (for components whose `target` does not mention the new keys: the template changes
//! them, the target is the user's to update). The steps after `at` keep working as long
//! as they do not themselves use, provide or remove the keys the template moves (or flip
//! its toggle); the templates cannot know what later steps mean to do with them.
//!
//! - [`ToggleFeature`]: a new feature outside-in behind a toggle — the UI's calls hidden,
//!   the service's endpoints, the store, the flip, the toggle removed.
//! - [`ExpandContract`]: an interface changed inside-out — the producer provides the new
//!   key as well, each consumer moves over, the producer drops the old key.
//! - [`DoubleWrite`]: a data store moved without a gap — the writers also write the new
//!   store (tolerating failure), the store adds it and backfills it, readers and writers
//!   move over, the old store goes.

use crate::check::words::StepLabel;
use crate::compose::edit::{fresh_id, slug, toggle_before};
use crate::plan::{Access, Change, Component, Fact, Kind, Plan, Step, Switch, Toggle};
use crate::suggest::closest;

/// What a template (or a draft) adds to a plan: steps in order, and toggles to declare.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Inserted {
    pub steps: Vec<Step>,
    pub toggles: Vec<Toggle>,
}

/// Inserts the steps at `at` (the end of the plan if `at` is past it) and declares the
/// toggles the plan does not have yet.
pub fn insert(plan: &mut Plan, at: usize, inserted: Inserted) {
    let at = at.min(plan.steps.len());
    for toggle in inserted.toggles {
        if !plan.toggles.iter().any(|t| t.id == toggle.id) {
            plan.toggles.push(toggle);
        }
    }
    plan.steps.splice(at..at, inserted.steps);
}

/// One of the three templates, for callers that keep the choice as a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pattern {
    ToggleFeature(ToggleFeature),
    ExpandContract(ExpandContract),
    DoubleWrite(DoubleWrite),
}

impl Pattern {
    pub fn steps(&self, plan: &Plan, at: usize) -> Result<Inserted, String> {
        match self {
            Pattern::ToggleFeature(p) => p.steps(plan, at),
            Pattern::ExpandContract(p) => p.steps(plan, at),
            Pattern::DoubleWrite(p) => p.steps(plan, at),
        }
    }
}

/// A new feature, outside-in behind a toggle (the article's reminders):
///
/// 1. `<name>-ui`: `ui` calls each interface, gated by `toggle`;
/// 2. `<name>-service`: `service` provides each interface and, with `data`, writes or
///    reads it while serving it — an interface whose key starts with `GET ` or `HEAD `
///    reads `data`, any other interface writes it;
/// 3. `<name>-store`: `store` provides `data` (left out when `store` already provides it
///    at `at`);
/// 4. `<name>-on`: the toggle flipped On;
/// 5. `<name>-cleanup`: `ui` ungates the toggle.
///
/// The toggle is declared (Off) if the plan lacks it; a declared toggle must be Off at
/// `at` and not flipped by a later step. Clean because nothing calls the new interfaces
/// before the flip, which comes after the store.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ToggleFeature {
    pub name: String,
    pub toggle: String,
    /// The component whose calls the toggle hides (usually the UI).
    pub ui: String,
    /// The component that provides the interfaces.
    pub service: String,
    /// The stateful component that holds `data`; may be left out when `data` is already
    /// provided by a store at `at`.
    pub store: Option<String>,
    /// New keys the service provides and the ui calls.
    pub interfaces: Vec<String>,
    /// The store key the service writes or reads while serving the interfaces.
    pub data: Option<String>,
}

/// An interface changed inside-out (the article's dollars → cents):
///
/// 1. `<name>-expand`: `producer` provides `new` as well, with copies of its
///    `Serving(old, …)` facts re-keyed to `new`, as they are at `at`;
/// 2. `<name>-migrate[-<consumer>]`: each consumer in turn replaces each use of `old` by
///    the same use of `new` (access, `Tolerant`, `Gated` and `Serving` kept);
/// 3. `<name>-contract`: `producer` removes `Provide(old)` (and its `Serving(old, …)`).
///
/// Every component that uses `old` without tolerating failure must be a consumer, or the
/// contract would break it. The producer must not be stateful: moving data is
/// [`DoubleWrite`]'s job.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExpandContract {
    pub name: String,
    pub producer: String,
    pub old: String,
    pub new: String,
    pub consumers: Vec<String>,
}

/// A data store moved with the pre-emptive double write (the article's amount column):
///
/// 1. `<name>-double-write[-<writer>]`: each writer adds `Tolerant(Write(new))` beside each
///    `Write(old)` it has at `at` (same `Serving` and `Gated`);
/// 2. `<name>-expand`: `store` adds `Provide(new)` and `Backfill(into: new, from: old)`;
/// 3. migrations, one release per component — first the readers that do not write, then
///    the writers: `Remove(Write(old))`, `Remove(Write(new))`, the writes again on `new`
///    without `Tolerant`, and for a writer that also reads, its reads in the same release
///    (`Remove(Read(old))`, the reads again on `new`). A store that lost a writer is behind
///    and must have no reader left, so when several writers also read, all but the first
///    move their reads in a release of their own (`<name>-read-new-<writer>`) before any
///    writer stops writing `old`;
/// 4. `<name>-contract`: `store` removes `Provide(old)`; its data is kept in `new`.
///
/// Every writer of `old`, and every reader that does not tolerate failure, must be listed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DoubleWrite {
    pub name: String,
    /// The stateful component that provides `old` and will provide `new`.
    pub store: String,
    pub old: String,
    pub new: String,
    pub writers: Vec<String>,
    pub readers: Vec<String>,
}

/// A plain release, not shipped, in no commit.
pub(crate) fn release(id: String, component: &str, title: String, changes: Vec<Change>) -> Step {
    Step::Release {
        id,
        component: component.to_string(),
        title,
        changes,
        commit: None,
        shipped: false,
        notes: None,
        pr: None,
    }
}

/// The plan as it is just before step `at`, for validating a template's inputs.
struct At<'a> {
    plan: &'a Plan,
    at: usize,
    /// Step ids in use: the plan's and the ones given out so far.
    ids: Vec<String>,
    prefix: String,
}

impl<'a> At<'a> {
    fn new(plan: &'a Plan, at: usize, name: &str) -> Result<At<'a>, String> {
        if at > plan.steps.len() {
            return Err(format!(
                "Step position {} is past the end of the plan ({} steps)",
                at + 1,
                plan.steps.len()
            ));
        }
        if name.trim().is_empty() {
            return Err("Give the pattern a name: it prefixes the new steps' ids".into());
        }
        Ok(At {
            plan,
            at,
            ids: plan.steps.iter().map(|s| s.id().to_string()).collect(),
            prefix: slug(name),
        })
    }

    /// "before step 3 \"table\"" or "at the end of the plan".
    fn when(&self) -> String {
        match self.plan.steps.get(self.at) {
            Some(step) => format!("before {}", StepLabel::new(self.at, step.id())),
            None => "at the end of the plan".into(),
        }
    }

    /// A component the template releases: it exists and the team deploys it.
    fn component(&self, role: &str, id: &str) -> Result<&'a Component, String> {
        let id = id.trim();
        if id.is_empty() {
            return Err(format!("Name the {role} component"));
        }
        let Some(component) = self.plan.components.iter().find(|c| c.id == id) else {
            let ids = self.plan.components.iter().map(|c| c.id.as_str());
            let known = match closest(id, ids.clone()) {
                Some(best) => format!("did you mean \"{best}\"?"),
                None => format!("components: {}", ids.collect::<Vec<_>>().join(", ")),
            };
            return Err(format!(
                "The {role} \"{id}\" is not a component of the plan ({known})"
            ));
        };
        if component.kind == Kind::External {
            return Err(format!(
                "The {role} \"{id}\" is External: the team does not release it"
            ));
        }
        Ok(component)
    }

    fn facts(&self, id: &str) -> Vec<Fact> {
        self.plan.facts_before(id, self.at)
    }

    /// Components that provide `key` at `at`.
    fn providers(&self, key: &str) -> Vec<&'a str> {
        self.plan
            .components
            .iter()
            .filter(|c| {
                self.facts(&c.id)
                    .iter()
                    .any(|f| f.access == Access::Provide && f.key == key)
            })
            .map(|c| c.id.as_str())
            .collect()
    }

    /// Every use (Call, Read, Write) of `key` at `at`, by component.
    fn users(&self, key: &str) -> Vec<(&'a str, Fact)> {
        let mut out = Vec::new();
        for c in &self.plan.components {
            for f in self.facts(&c.id) {
                if f.access.is_use() && f.key == key {
                    out.push((c.id.as_str(), f));
                }
            }
        }
        out
    }

    /// A fresh step id `<prefix>-<suffix>`.
    fn id(&mut self, suffix: &str) -> String {
        let base = format!("{}-{suffix}", self.prefix);
        let id = fresh_id(|x| self.ids.iter().any(|i| i == x), &base);
        self.ids.push(id.clone());
        id
    }
}

/// Trimmed, non-empty, distinct entries of a list input.
fn list(role: &str, items: &[String]) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        let item = item.trim();
        if item.is_empty() {
            return Err(format!("One of the {role} is empty"));
        }
        if out.iter().any(|x| x == item) {
            return Err(format!("\"{item}\" appears twice among the {role}"));
        }
        out.push(item.to_string());
    }
    Ok(out)
}

fn key(role: &str, key: &str) -> Result<String, String> {
    let key = key.trim();
    if key.is_empty() {
        return Err(format!("Give the {role} key"));
    }
    Ok(key.to_string())
}

/// `fact` with its key replaced.
fn rekeyed(fact: &Fact, key: &str) -> Fact {
    Fact {
        key: key.to_string(),
        ..fact.clone()
    }
}

/// Whether an interface reads (a `GET` or `HEAD` endpoint) rather than writes.
fn reads(interface: &str) -> bool {
    let upper = interface.trim_start().to_ascii_uppercase();
    upper.starts_with("GET ") || upper.starts_with("HEAD ")
}

fn join(keys: &[String]) -> String {
    keys.iter()
        .map(|k| format!("\"{k}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A `ToggleFeature`'s inputs, checked against the plan at `at`.
struct Feature {
    toggle: String,
    ui: String,
    service: String,
    interfaces: Vec<String>,
}

impl ToggleFeature {
    pub fn steps(&self, plan: &Plan, at: usize) -> Result<Inserted, String> {
        let mut cx = At::new(plan, at, &self.name)?;
        let feature = self.feature(&cx)?;
        let store_step = self.store_step(&cx, &feature.interfaces)?;
        let toggles = self.toggle_to_declare(&cx, &feature.toggle)?;
        let steps = self.build(&mut cx, &feature, store_step);
        Ok(Inserted { steps, toggles })
    }

    /// The toggle, the ui, the service and the interfaces: named, apart, and new at `at`.
    fn feature(&self, cx: &At) -> Result<Feature, String> {
        let toggle = self.toggle.trim().to_string();
        if toggle.is_empty() {
            return Err("Name the toggle that hides the feature".into());
        }
        let ui = cx.component("ui", &self.ui)?.id.clone();
        let service = cx.component("service", &self.service)?;
        if service.id == ui.trim() {
            return Err(format!(
                "The ui and the service are both \"{ui}\": the toggle hides one component's calls to another's interfaces"
            ));
        }
        if service.kind.is_stateful() {
            return Err(format!(
                "The service \"{}\" is a {}: what it provides are data stores, not interfaces",
                service.id,
                service.kind.name()
            ));
        }
        let service = service.id.clone();
        let interfaces = list("interfaces", &self.interfaces)?;
        if interfaces.is_empty() {
            return Err("List the new interfaces the service provides and the ui calls".into());
        }
        let ui_facts = cx.facts(&ui);
        let service_facts = cx.facts(&service);
        for i in &interfaces {
            if let Some(p) = cx.providers(i).first() {
                return Err(format!(
                    "\"{i}\" is already provided by {p} {}: a toggled feature adds new interfaces (ExpandContract changes one)",
                    cx.when()
                ));
            }
            if ui_facts.iter().any(|f| f.key == *i) {
                return Err(format!("{ui} already uses \"{i}\" {}", cx.when()));
            }
            if service_facts
                .iter()
                .any(|f| f.key == *i || f.serving.as_deref() == Some(i))
            {
                return Err(format!(
                    "{service} already has facts about \"{i}\" {}",
                    cx.when()
                ));
            }
        }
        Ok(Feature {
            toggle,
            ui,
            service,
            interfaces,
        })
    }

    /// The store that will hold the data and the data key, if the data needs a new store.
    fn store_step(
        &self,
        cx: &At,
        interfaces: &[String],
    ) -> Result<Option<(String, String)>, String> {
        let (store, data) = match (&self.store, &self.data) {
            (None, None) => return Ok(None),
            (Some(store), None) => {
                return Err(format!(
                    "Name the data key the service keeps in \"{}\", or leave the store out",
                    store.trim()
                ));
            }
            (store, Some(data)) => (store, data),
        };
        let data = key("data", data)?;
        if interfaces.contains(&data) {
            return Err(format!("\"{data}\" is both an interface and the data key"));
        }
        let providers = cx.providers(&data);
        let store = match store {
            Some(store) => {
                let component = cx.component("store", store)?;
                if !component.kind.is_stateful() {
                    return Err(format!(
                        "The store \"{}\" is a {}: data lives in a Database or a Queue",
                        component.id,
                        component.kind.name()
                    ));
                }
                Some(component.id.clone())
            }
            None => None,
        };
        match (providers.first(), store) {
            (None, Some(store)) => Ok(Some((store, data))),
            (None, None) => Err(format!(
                "Nothing provides \"{data}\" {}: name the store that will hold it",
                cx.when()
            )),
            (Some(p), Some(store)) if *p == store => Ok(None),
            (Some(p), Some(store)) => Err(format!(
                "\"{data}\" is provided by {p}, not by the store {store}, {}",
                cx.when()
            )),
            (Some(p), None) => {
                let stateful = cx.plan.component(p).is_some_and(|c| c.kind.is_stateful());
                if !stateful {
                    return Err(format!(
                        "\"{data}\" is provided by {p}, which is not a store"
                    ));
                }
                Ok(None)
            }
        }
    }

    /// The toggle to declare (Off) if the plan lacks it; a declared toggle must be Off at
    /// `at` and flipped by no later step.
    fn toggle_to_declare(&self, cx: &At, toggle: &str) -> Result<Vec<Toggle>, String> {
        let (plan, at) = (cx.plan, cx.at);
        let mut toggles = Vec::new();
        match toggle_before(plan, toggle, at) {
            None => toggles.push(Toggle {
                id: toggle.to_string(),
                initially: Switch::Off,
            }),
            Some(Switch::On) => {
                return Err(format!(
                    "The toggle \"{toggle}\" is On {}: the hidden calls would not be hidden; pick a new toggle",
                    cx.when()
                ));
            }
            Some(Switch::Off) => {}
        }
        if let Some(later) = plan.steps[at..]
            .iter()
            .find(|s| matches!(s, Step::Flip { toggle: t, .. } if t == toggle))
        {
            return Err(format!(
                "Step \"{}\" flips \"{toggle}\" later in the plan: pick a new toggle for this feature",
                later.id()
            ));
        }
        Ok(toggles)
    }

    /// The hidden calls, the endpoints, the store, the flip and the clean-up.
    fn build(
        &self,
        cx: &mut At,
        feature: &Feature,
        store_step: Option<(String, String)>,
    ) -> Vec<Step> {
        let Feature {
            toggle,
            ui,
            service,
            interfaces,
        } = feature;
        let names = join(interfaces);
        let mut steps = Vec::new();
        steps.push(release(
            cx.id("ui"),
            ui,
            format!("{ui} calls {names}, hidden behind \"{toggle}\""),
            interfaces
                .iter()
                .map(|i| Change::Add(Fact::call(i).gated(toggle)))
                .collect(),
        ));
        let data = self.data.as_deref().map(str::trim);
        let mut changes = Vec::new();
        for i in interfaces {
            changes.push(Change::Add(Fact::provide(i)));
            if let Some(data) = data {
                let used = if reads(i) {
                    Fact::read(data)
                } else {
                    Fact::write(data)
                };
                changes.push(Change::Add(used.serving(i)));
            }
        }
        steps.push(release(
            cx.id("service"),
            service,
            format!("{service} provides {names}"),
            changes,
        ));
        if let Some((store, data)) = store_step {
            steps.push(release(
                cx.id("store"),
                &store,
                format!("{store} adds \"{data}\""),
                vec![Change::Add(Fact::provide(&data))],
            ));
        }
        steps.push(Step::Flip {
            id: cx.id("on"),
            toggle: toggle.clone(),
            to: Switch::On,
            title: format!("Turn \"{toggle}\" on"),
            shipped: false,
            notes: None,
        });
        steps.push(release(
            cx.id("cleanup"),
            ui,
            format!("Remove the \"{toggle}\" toggle from {ui}"),
            vec![Change::Ungate(toggle.clone())],
        ));
        steps
    }
}

/// The changes that make `facts` use `new` wherever they use `old`, keeping the rest of
/// each fact: one `Remove` per group of facts it takes, then the facts again on `new`.
fn swap(facts: &[Fact], old: &str, new: &str) -> Vec<Change> {
    let olds: Vec<&Fact> = facts
        .iter()
        .filter(|f| f.key == old && f.access.is_use())
        .collect();
    let mut working = facts.to_vec();
    let mut changes = Vec::new();
    for f in &olds {
        if working.contains(f) {
            let remove = Change::Remove((*f).clone());
            remove.apply_to(&mut working);
            changes.push(remove);
        }
    }
    changes.extend(moved(facts, None, old, new));
    changes
}

/// `Add`s of the facts with `access` (`None`: any use) on `old`, re-keyed to `new`, once
/// each.
fn moved(facts: &[Fact], access: Option<Access>, old: &str, new: &str) -> Vec<Change> {
    let mut seen: Vec<Fact> = Vec::new();
    for f in facts {
        let hit = f.key == old && f.access.is_use() && access.is_none_or(|a| a == f.access);
        if hit && !seen.contains(&rekeyed(f, new)) {
            seen.push(rekeyed(f, new));
        }
    }
    seen.into_iter().map(Change::Add).collect()
}

/// A writer's pre-emptive double write: `Tolerant(Write(new))` beside each `Write(old)`
/// among `facts` (same `Serving` and `Gated`), once each.
pub(crate) fn double_write(facts: &[Fact], old: &str, new: &str) -> Vec<Change> {
    let mut facts = facts.to_vec();
    let olds: Vec<Fact> = facts
        .iter()
        .filter(|f| f.access == Access::Write && f.key == old)
        .cloned()
        .collect();
    let mut changes = Vec::new();
    for f in olds {
        let add = Change::Add(Fact {
            tolerant: true,
            ..rekeyed(&f, new)
        });
        if add.apply_to(&mut facts) {
            changes.push(add);
        }
    }
    changes
}

/// An `ExpandContract`'s producer and keys, checked against the plan at `at`.
struct InterfaceMove {
    producer: String,
    old: String,
    new: String,
    /// The producer's facts at `at`.
    facts: Vec<Fact>,
}

impl ExpandContract {
    pub fn steps(&self, plan: &Plan, at: usize) -> Result<Inserted, String> {
        let mut cx = At::new(plan, at, &self.name)?;
        let mv = self.interface_move(&cx)?;
        let consumers = self.consumers(&cx, &mv)?;
        Ok(Inserted {
            steps: self.build(&mut cx, &mv, &consumers),
            toggles: Vec::new(),
        })
    }

    /// The producer, a service that provides `old`, and `new`, which nothing provides.
    fn interface_move(&self, cx: &At) -> Result<InterfaceMove, String> {
        let producer = cx.component("producer", &self.producer)?;
        if producer.kind.is_stateful() {
            return Err(format!(
                "The producer \"{}\" is a {}: its keys hold data; move them with DoubleWrite",
                producer.id,
                producer.kind.name()
            ));
        }
        let producer = producer.id.clone();
        let old = key("old", &self.old)?;
        let new = key("new", &self.new)?;
        if old == new {
            return Err(format!("The old and the new key are both \"{old}\""));
        }
        let facts = cx.facts(&producer);
        if !facts
            .iter()
            .any(|f| f.access == Access::Provide && f.key == old)
        {
            return Err(format!(
                "{producer} does not provide \"{old}\" {}",
                cx.when()
            ));
        }
        if let Some(p) = cx.providers(&new).first() {
            return Err(format!(
                "\"{new}\" is already provided by {p} {}",
                cx.when()
            ));
        }
        if facts
            .iter()
            .any(|f| f.key == new || f.serving.as_deref() == Some(new.as_str()))
        {
            return Err(format!(
                "{producer} already has facts about \"{new}\" {}",
                cx.when()
            ));
        }
        Ok(InterfaceMove {
            producer,
            old,
            new,
            facts,
        })
    }

    /// The consumers: each uses `old` and not `new`, and every other use of `old` that
    /// does not tolerate failure is listed.
    fn consumers(&self, cx: &At, mv: &InterfaceMove) -> Result<Vec<String>, String> {
        let InterfaceMove {
            producer, old, new, ..
        } = mv;
        let consumers = list("consumers", &self.consumers)?;
        for c in &consumers {
            let id = cx.component("consumer", c)?.id.clone();
            if id == *producer {
                return Err(format!("{producer} is the producer, not a consumer"));
            }
            let facts = cx.facts(&id);
            if !facts.iter().any(|f| f.access.is_use() && f.key == *old) {
                return Err(format!("{id} does not use \"{old}\" {}", cx.when()));
            }
            if facts.iter().any(|f| f.key == *new) {
                return Err(format!("{id} already uses \"{new}\" {}", cx.when()));
            }
        }
        for (user, fact) in cx.users(old) {
            if user != producer && !fact.tolerant && !consumers.iter().any(|c| c == user) {
                return Err(format!(
                    "{user} also uses \"{old}\" ({fact}): list it among the consumers, or the contract step breaks it"
                ));
            }
        }
        Ok(consumers)
    }

    /// The expand, each consumer's migration, and the contract.
    fn build(&self, cx: &mut At, mv: &InterfaceMove, consumers: &[String]) -> Vec<Step> {
        let InterfaceMove {
            producer,
            old,
            new,
            facts,
        } = mv;
        let mut expand = Vec::new();
        for f in facts {
            if f.access == Access::Provide && f.key == *old {
                expand.push(Change::Add(rekeyed(f, new)));
            }
        }
        for f in facts {
            if f.serving.as_deref() == Some(old.as_str()) {
                expand.push(Change::Add(Fact {
                    serving: Some(new.clone()),
                    ..f.clone()
                }));
            }
        }
        let mut steps = vec![release(
            cx.id("expand"),
            producer,
            format!("{producer} provides \"{new}\" as well as \"{old}\""),
            expand,
        )];
        for c in consumers {
            let suffix = if consumers.len() == 1 {
                "migrate".to_string()
            } else {
                format!("migrate-{}", slug(c))
            };
            steps.push(release(
                cx.id(&suffix),
                c,
                format!("{c} uses \"{new}\" instead of \"{old}\""),
                swap(&cx.facts(c), old, new),
            ));
        }
        steps.push(release(
            cx.id("contract"),
            producer,
            format!("{producer} stops providing \"{old}\""),
            vec![Change::Remove(Fact::provide(old))],
        ));
        steps
    }
}

/// A `DoubleWrite`'s store and keys, checked against the plan at `at`.
struct DataMove {
    store: String,
    old: String,
    new: String,
}

impl DoubleWrite {
    pub fn steps(&self, plan: &Plan, at: usize) -> Result<Inserted, String> {
        let mut cx = At::new(plan, at, &self.name)?;
        let mv = self.data_move(&cx)?;
        let (writers, readers) = self.roles(&cx, &mv)?;
        let DataMove { store, old, new } = &mv;
        let mut steps = self.double_writes(&mut cx, &mv, &writers);
        steps.push(release(
            cx.id("expand"),
            store,
            format!("{store} adds \"{new}\" and copies \"{old}\" into it"),
            vec![
                Change::Add(Fact::provide(new)),
                Change::Backfill {
                    into: new.clone(),
                    from: old.clone(),
                },
            ],
        ));
        steps.extend(self.migrations(&mut cx, &mv, &writers, &readers));
        steps.push(release(
            cx.id("contract"),
            store,
            format!("{store} drops \"{old}\""),
            vec![Change::Remove(Fact::provide(old))],
        ));
        Ok(Inserted {
            steps,
            toggles: Vec::new(),
        })
    }

    /// The store, a database or queue that provides `old` plainly, and `new`, which
    /// nothing provides.
    fn data_move(&self, cx: &At) -> Result<DataMove, String> {
        let store = cx.component("store", &self.store)?;
        if !store.kind.is_stateful() {
            return Err(format!(
                "The store \"{}\" is a {}: a double write moves data between the stores of a Database or a Queue",
                store.id,
                store.kind.name()
            ));
        }
        let store = store.id.clone();
        let old = key("old", &self.old)?;
        let new = key("new", &self.new)?;
        if old == new {
            return Err(format!("The old and the new key are both \"{old}\""));
        }
        let store_facts = cx.facts(&store);
        if !store_facts.contains(&Fact::provide(&old)) {
            let why = if store_facts
                .iter()
                .any(|f| f.access == Access::Provide && f.key == old)
            {
                "only under a toggle or while serving something: the backfill needs it provided plainly"
            } else {
                "at all"
            };
            return Err(format!(
                "{store} does not provide \"{old}\" {} {why}",
                cx.when()
            ));
        }
        if let Some(p) = cx.providers(&new).first() {
            return Err(format!(
                "\"{new}\" is already provided by {p} {}",
                cx.when()
            ));
        }
        Ok(DataMove { store, old, new })
    }

    /// The writers and readers: each writes (reads) `old` and does not use `new`, and
    /// every other use of `old` is listed (a read that tolerates failure may be left out).
    fn roles(&self, cx: &At, mv: &DataMove) -> Result<(Vec<String>, Vec<String>), String> {
        let (store, old, new) = (mv.store.clone(), mv.old.clone(), mv.new.clone());
        let writers = list("writers", &self.writers)?;
        let readers = list("readers", &self.readers)?;
        for (role, ids, access) in [
            ("writer", &writers, Access::Write),
            ("reader", &readers, Access::Read),
        ] {
            for id in ids {
                let id = cx.component(role, id)?.id.clone();
                if id == store {
                    return Err(format!("{store} is the store, not a {role}"));
                }
                let facts = cx.facts(&id);
                if !facts.iter().any(|f| f.access == access && f.key == old) {
                    return Err(format!(
                        "{id} does not {} \"{old}\" {}",
                        if access == Access::Write {
                            "write"
                        } else {
                            "read"
                        },
                        cx.when()
                    ));
                }
                if facts.iter().any(|f| f.key == new) {
                    return Err(format!("{id} already uses \"{new}\" {}", cx.when()));
                }
            }
        }
        for (user, fact) in cx.users(&old) {
            let listed = match fact.access {
                Access::Write => writers.iter().any(|w| w == user),
                _ if fact.tolerant => true,
                Access::Read => readers.iter().any(|r| r == user),
                _ => false,
            };
            if !listed && user != store {
                let role = if fact.access == Access::Write {
                    "writers: its writes would open a gap in the new store"
                } else {
                    "readers: the contract step would break it"
                };
                return Err(format!(
                    "{user} also uses \"{old}\" ({fact}): list it among the {role}"
                ));
            }
        }
        Ok((writers, readers))
    }

    /// Each writer's double write: it also writes `new` beside each write of `old`,
    /// tolerating failure.
    fn double_writes(&self, cx: &mut At, mv: &DataMove, writers: &[String]) -> Vec<Step> {
        let (old, new) = (mv.old.clone(), mv.new.clone());
        let mut steps = Vec::new();
        for w in writers {
            let changes = double_write(&cx.facts(w), &old, &new);
            let suffix = if writers.len() == 1 {
                "double-write".to_string()
            } else {
                format!("double-write-{}", slug(w))
            };
            steps.push(release(
                cx.id(&suffix),
                w,
                format!("{w} also writes \"{new}\", tolerating failure"),
                changes,
            ));
        }
        steps
    }

    /// The migrations, one release per component, in an order that leaves no reader on a
    /// store that fell behind.
    fn migrations(
        &self,
        cx: &mut At,
        mv: &DataMove,
        writers: &[String],
        readers: &[String],
    ) -> Vec<Step> {
        let (old, new) = (mv.old.clone(), mv.new.clone());
        let mut steps = Vec::new();
        // Readers first; then the first writer that also reads; the other writers that
        // read move their reads before any writer stops writing `old`.
        let pure_readers: Vec<&String> = readers.iter().filter(|r| !writers.contains(r)).collect();
        let reading_writers: Vec<&String> =
            writers.iter().filter(|w| readers.contains(w)).collect();
        let pure_writers: Vec<&String> = writers.iter().filter(|w| !readers.contains(w)).collect();
        let early_reads: Vec<&String> = reading_writers.iter().skip(1).copied().collect();
        // (component, moves its writes, moves its reads, suffix)
        let mut moves: Vec<(&String, bool, bool, String)> = Vec::new();
        for r in &pure_readers {
            moves.push((r, false, true, format!("migrate-{}", slug(r))));
        }
        for w in &early_reads {
            moves.push((w, false, true, format!("read-new-{}", slug(w))));
        }
        if let Some(w) = reading_writers.first() {
            moves.push((w, true, true, format!("migrate-{}", slug(w))));
        }
        for w in early_reads.iter().chain(&pure_writers) {
            moves.push((w, true, false, format!("migrate-{}", slug(w))));
        }
        let single = moves.len() == 1;
        for (c, writes, reads, suffix) in moves {
            let facts = cx.facts(c);
            let mut changes = Vec::new();
            if writes {
                changes.push(Change::Remove(Fact::write(&old)));
                changes.push(Change::Remove(Fact::write(&new)));
                changes.extend(moved(&facts, Some(Access::Write), &old, &new));
            }
            if reads {
                changes.push(Change::Remove(Fact::read(&old)));
                changes.extend(moved(&facts, Some(Access::Read), &old, &new));
            }
            let title = match (writes, reads) {
                (true, true) => format!("{c} reads and writes \"{new}\" only"),
                (true, false) => format!("{c} writes \"{new}\" only"),
                _ => format!("{c} reads \"{new}\" instead of \"{old}\""),
            };
            let suffix = if single {
                "migrate".to_string()
            } else {
                suffix
            };
            steps.push(release(cx.id(&suffix), c, title, changes));
        }
        steps
    }
}
