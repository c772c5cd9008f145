//! Forms: a few labelled fields, keyboard first. A form knows what it is for (`Purpose`)
//! and turns its fields into a change of the plan when it is submitted; everything here
//! is pure, so the forms are tested without a terminal.

use tui_input::{Input, InputRequest};

use super::complete::Pool;

use crate::compose::edit::{fresh_id, rename_component, rename_step, rename_toggle};
use crate::plan::{Accept, Access, Change, Component, Fact, Kind, Plan, Step, Switch, Toggle};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    /// An id or key that should usually be one the plan already has.
    Pick(Pool),
    Choice(&'static [&'static str]),
    Flag,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: &'static str,
    pub kind: FieldKind,
    pub input: Input,
    pub choice: usize,
    pub flag: bool,
    /// Shown only while the field `.0` has the choice `.1`.
    pub when: Option<(&'static str, &'static str)>,
}

impl Field {
    fn text(name: &'static str, value: &str) -> Field {
        Field {
            name,
            kind: FieldKind::Text,
            input: Input::new(value.to_string()),
            choice: 0,
            flag: false,
            when: None,
        }
    }

    fn pick(name: &'static str, pool: Pool, value: &str) -> Field {
        Field {
            kind: FieldKind::Pick(pool),
            ..Field::text(name, value)
        }
    }

    fn choice(name: &'static str, options: &'static [&'static str], value: &str) -> Field {
        Field {
            kind: FieldKind::Choice(options),
            choice: options.iter().position(|o| *o == value).unwrap_or(0),
            ..Field::text(name, "")
        }
    }

    fn flag(name: &'static str, value: bool) -> Field {
        Field {
            kind: FieldKind::Flag,
            flag: value,
            ..Field::text(name, "")
        }
    }

    fn when(mut self, field: &'static str, choice: &'static str) -> Field {
        self.when = Some((field, choice));
        self
    }

    /// The value as text: what was typed, the option chosen, or "yes"/"no".
    pub fn value(&self) -> String {
        match &self.kind {
            FieldKind::Text | FieldKind::Pick(_) => self.input.value().to_string(),
            FieldKind::Choice(options) => options.get(self.choice).copied().unwrap_or("").into(),
            FieldKind::Flag => if self.flag { "yes" } else { "no" }.into(),
        }
    }
}

/// What submitting a form does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Story,
    Component(Option<usize>),
    Toggle(Option<usize>),
    /// A fact of a component's current state (`target: false`) or its target.
    Fact {
        component: usize,
        target: bool,
        index: Option<usize>,
    },
    /// A new step is inserted at `at`; an existing one is edited in place.
    Step {
        index: Option<usize>,
        at: usize,
    },
    Change {
        step: usize,
        index: Option<usize>,
    },
    Accept {
        finding: usize,
    },
    /// One of the pattern templates, inserted at `at`.
    Template {
        which: usize,
        at: usize,
    },
}

#[derive(Debug, Clone)]
pub struct Form {
    pub title: String,
    pub purpose: Purpose,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub error: Option<String>,
}

const KINDS: &[&str] = &["Ui", "Service", "Database", "Queue", "Job", "External"];
const ACCESS: &[&str] = &["Provide", "Call", "Read", "Write"];
const SWITCH: &[&str] = &["Off", "On"];
const STEP_KINDS: &[&str] = &["Release", "Flip"];
const CHANGE_KINDS: &[&str] = &["Add", "Remove", "Ungate", "Backfill"];

fn fact_fields(fact: Option<&Fact>, when: Option<(&'static str, &'static str)>) -> Vec<Field> {
    let access = fact.map_or("Call", |f| f.access.name());
    let mut fields = vec![
        Field::choice("access", ACCESS, access),
        Field::pick("key", Pool::Keys, fact.map_or("", |f| &f.key)),
        Field::flag("tolerant", fact.is_some_and(|f| f.tolerant)),
        Field::pick(
            "gated by",
            Pool::Toggles,
            fact.and_then(|f| f.gate.as_deref()).unwrap_or(""),
        ),
        Field::pick(
            "serving",
            Pool::Keys,
            fact.and_then(|f| f.serving.as_deref()).unwrap_or(""),
        ),
    ];
    for field in &mut fields {
        field.when = when;
    }
    fields
}

impl Form {
    fn new(title: impl Into<String>, purpose: Purpose, fields: Vec<Field>) -> Form {
        Form {
            title: title.into(),
            purpose,
            fields,
            focus: 0,
            error: None,
        }
    }

    pub fn story(plan: &Plan) -> Form {
        Form::new(
            "Story",
            Purpose::Story,
            vec![
                Field::text("story", &plan.story),
                Field::text(
                    "narrative",
                    &plan
                        .narrative
                        .clone()
                        .unwrap_or_default()
                        .replace('\n', " / "),
                ),
                Field::text(
                    "notes",
                    &plan.notes.clone().unwrap_or_default().replace('\n', " / "),
                ),
            ],
        )
    }

    pub fn component(plan: &Plan, index: Option<usize>) -> Form {
        let c = index.and_then(|i| plan.components.get(i));
        let title = if c.is_some() {
            "Edit component"
        } else {
            "New component"
        };
        Form::new(
            title,
            Purpose::Component(index),
            vec![
                Field::text("id", c.map_or("", |c| &c.id)),
                Field::text("name", c.map_or("", |c| &c.name)),
                Field::choice("kind", KINDS, c.map_or("Service", |c| c.kind.name())),
                Field::text("repo", c.and_then(|c| c.repo.as_deref()).unwrap_or("")),
            ],
        )
    }

    pub fn toggle(plan: &Plan, index: Option<usize>) -> Form {
        let t = index.and_then(|i| plan.toggles.get(i));
        let title = if t.is_some() {
            "Edit toggle"
        } else {
            "New toggle"
        };
        Form::new(
            title,
            Purpose::Toggle(index),
            vec![
                Field::text("id", t.map_or("", |t| &t.id)),
                Field::choice("initially", SWITCH, t.map_or("Off", |t| t.initially.name())),
            ],
        )
    }

    pub fn fact(plan: &Plan, component: usize, target: bool, index: Option<usize>) -> Form {
        let c = plan.components.get(component);
        let list = c.and_then(|c| {
            if target {
                c.target.as_ref()
            } else {
                Some(&c.current)
            }
        });
        let fact = index.and_then(|i| list.and_then(|l| l.get(i)));
        let which = if target { "target" } else { "current" };
        let id = c.map_or("", |c| c.id.as_str());
        let verb = if fact.is_some() { "Edit" } else { "New" };
        let mut fields = fact_fields(fact, None);
        if index.is_none() {
            fields.insert(0, Field::choice("state", &["current", "target"], which));
        }
        Form::new(
            format!("{verb} fact of {id}"),
            Purpose::Fact {
                component,
                target,
                index,
            },
            fields,
        )
    }

    /// The inputs of a pattern template (lists are comma-separated).
    pub fn template(which: usize, at: usize) -> Form {
        let (title, fields) = match which {
            0 => (
                "New feature behind a toggle",
                vec![
                    Field::text("name", ""),
                    Field::pick("toggle", Pool::Toggles, ""),
                    Field::pick("ui", Pool::Components, ""),
                    Field::pick("service", Pool::Components, ""),
                    Field::pick("store", Pool::Components, ""),
                    Field::text("interfaces", ""),
                    Field::pick("data", Pool::Keys, ""),
                ],
            ),
            1 => (
                "Expand / migrate / contract",
                vec![
                    Field::text("name", ""),
                    Field::pick("producer", Pool::Components, ""),
                    Field::pick("old", Pool::Keys, ""),
                    Field::text("new", ""),
                    Field::text("consumers", ""),
                ],
            ),
            _ => (
                "Pre-emptive double write",
                vec![
                    Field::text("name", ""),
                    Field::pick("store", Pool::Components, ""),
                    Field::pick("old", Pool::Keys, ""),
                    Field::text("new", ""),
                    Field::text("writers", ""),
                    Field::text("readers", ""),
                ],
            ),
        };
        Form::new(title, Purpose::Template { which, at }, fields)
    }

    pub fn step(plan: &Plan, index: Option<usize>, at: usize) -> Form {
        let step = index.and_then(|i| plan.steps.get(i));
        let (kind, id, title) = match step {
            Some(s) => (
                if s.component().is_some() {
                    "Release"
                } else {
                    "Flip"
                },
                s.id(),
                s.title(),
            ),
            None => ("Release", "", ""),
        };
        let (component, commit, pr, toggle, to) = match step {
            Some(Step::Release {
                component,
                commit,
                pr,
                ..
            }) => (
                component.as_str(),
                commit.as_deref(),
                pr.as_deref(),
                "",
                "On",
            ),
            Some(Step::Flip { toggle, to, .. }) => ("", None, None, toggle.as_str(), to.name()),
            None => ("", None, None, "", "On"),
        };
        let notes = match step {
            Some(Step::Release { notes, .. } | Step::Flip { notes, .. }) => notes.as_deref(),
            None => None,
        };
        let verb = if step.is_some() {
            "Edit step"
        } else {
            "New step"
        };
        Form::new(
            verb,
            Purpose::Step { index, at },
            vec![
                Field::choice("step", STEP_KINDS, kind),
                Field::text("id", id),
                Field::text("title", title),
                Field::pick("component", Pool::Components, component).when("step", "Release"),
                Field::pick("toggle", Pool::Toggles, toggle).when("step", "Flip"),
                Field::choice("to", &["On", "Off"], to).when("step", "Flip"),
                Field::text("commit", commit.unwrap_or("")).when("step", "Release"),
                Field::flag("shipped", step.is_some_and(Step::shipped)),
                Field::text("notes", notes.unwrap_or("")),
                Field::text("pr", pr.unwrap_or("")).when("step", "Release"),
            ],
        )
    }

    pub fn change(plan: &Plan, step: usize, index: Option<usize>) -> Form {
        let change = index.and_then(|i| plan.steps.get(step)?.changes().get(i));
        let (kind, fact, toggle, into, from) = match change {
            Some(Change::Add(f)) => ("Add", Some(f), "", "", ""),
            Some(Change::Remove(f)) => ("Remove", Some(f), "", "", ""),
            Some(Change::Ungate(t)) => ("Ungate", None, t.as_str(), "", ""),
            Some(Change::Backfill { into, from }) => {
                ("Backfill", None, "", into.as_str(), from.as_str())
            }
            None => ("Add", None, "", "", ""),
        };
        let id = plan.steps.get(step).map_or("", |s| s.id());
        let verb = if change.is_some() {
            "Edit change"
        } else {
            "New change"
        };
        // The fact's fields apply to Add and Remove: `visible` reads "a|b" as either.
        let mut fields = vec![Field::choice("change", CHANGE_KINDS, kind)];
        fields.extend(fact_fields(fact, Some(("change", "Add|Remove"))));
        fields.push(Field::pick("toggle", Pool::Toggles, toggle).when("change", "Ungate"));
        fields.push(Field::pick("into", Pool::Keys, into).when("change", "Backfill"));
        fields.push(Field::pick("from", Pool::Keys, from).when("change", "Backfill"));
        Form::new(
            format!("{verb} of step \"{id}\""),
            Purpose::Change { step, index },
            fields,
        )
    }

    pub fn accept(finding: usize, rule: &str, existing: Option<&str>) -> Form {
        Form::new(
            format!("Accept {rule}"),
            Purpose::Accept { finding },
            vec![Field::text("reason", existing.unwrap_or(""))],
        )
    }

    /// Whether a field is shown (and so used) with the current choices.
    pub fn visible(&self, index: usize) -> bool {
        let Some((name, wanted)) = self.fields[index].when else {
            return true;
        };
        let value = self.get(name).map(Field::value).unwrap_or_default();
        wanted.split('|').any(|w| w == value)
    }

    pub fn get(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    fn text(&self, name: &str) -> String {
        self.get(name)
            .map(|f| f.value().trim().to_string())
            .unwrap_or_default()
    }

    fn optional(&self, name: &str) -> Option<String> {
        Some(self.text(name)).filter(|t| !t.is_empty())
    }

    fn flag(&self, name: &str) -> bool {
        self.get(name).is_some_and(|f| f.flag)
    }

    pub fn focused(&self) -> Option<&Field> {
        self.fields.get(self.focus)
    }

    /// Whether the focused field takes typed text.
    pub fn is_text(&self) -> bool {
        self.focused()
            .is_some_and(|f| matches!(f.kind, FieldKind::Text | FieldKind::Pick(_)))
    }

    /// Moves the focus to the next (or previous) visible field, wrapping around.
    pub fn move_focus(&mut self, forward: bool) {
        let n = self.fields.len();
        for step in 1..=n {
            let i = if forward {
                (self.focus + step) % n
            } else {
                (self.focus + n - step) % n
            };
            if self.visible(i) {
                self.focus = i;
                return;
            }
        }
    }

    /// Edits the focused text field.
    pub fn edit(&mut self, request: InputRequest) {
        if let Some(field) = self.fields.get_mut(self.focus)
            && matches!(field.kind, FieldKind::Text | FieldKind::Pick(_))
        {
            field.input.handle(request);
        }
    }

    /// Replaces the focused text field's value (a completion was taken).
    pub fn set_value(&mut self, value: &str) {
        if let Some(field) = self.fields.get_mut(self.focus) {
            field.input = Input::new(value.to_string());
        }
    }

    /// Space or ←/→ on a choice or a flag.
    pub fn cycle(&mut self, forward: bool) {
        let Some(field) = self.fields.get_mut(self.focus) else {
            return;
        };
        match field.kind {
            FieldKind::Choice(options) => {
                let n = options.len();
                field.choice = if forward {
                    (field.choice + 1) % n
                } else {
                    (field.choice + n - 1) % n
                };
            }
            FieldKind::Flag => field.flag = !field.flag,
            _ => {}
        }
    }

    fn fact_value(&self) -> Result<Fact, String> {
        let key = self.text("key");
        if key.is_empty() {
            return Err("A fact needs a key".into());
        }
        let access = Access::ALL
            .into_iter()
            .find(|a| a.name() == self.text("access"))
            .unwrap_or(Access::Call);
        let mut fact = Fact::new(access, key);
        fact.tolerant = self.flag("tolerant");
        fact.gate = self.optional("gated by");
        fact.serving = self.optional("serving");
        if fact.tolerant && access == Access::Provide {
            return Err("Only Call, Read and Write can be tolerant".into());
        }
        Ok(fact)
    }

    /// Applies the form to the plan. On an error the plan is unchanged.
    pub fn apply(&self, plan: &mut Plan) -> Result<String, String> {
        let mut draft = plan.clone();
        let done = self.apply_to(&mut draft)?;
        *plan = draft;
        Ok(done)
    }

    fn apply_to(&self, plan: &mut Plan) -> Result<String, String> {
        match self.purpose {
            Purpose::Story => {
                let story = self.text("story");
                if story.is_empty() {
                    return Err("The story needs a title".into());
                }
                plan.story = story;
                plan.narrative = self.optional("narrative").map(|t| t.replace(" / ", "\n"));
                plan.notes = self.optional("notes").map(|t| t.replace(" / ", "\n"));
                Ok("Story updated".into())
            }
            Purpose::Component(index) => {
                let id = self.text("id");
                if id.is_empty() {
                    return Err("A component needs an id".into());
                }
                let kind = Kind::ALL
                    .into_iter()
                    .find(|k| k.name() == self.text("kind"))
                    .unwrap_or(Kind::Service);
                let name = self.optional("name").unwrap_or_else(|| id.clone());
                let repo = self.optional("repo");
                match index {
                    Some(i) => {
                        let old = plan
                            .components
                            .get(i)
                            .ok_or("The component is gone")?
                            .id
                            .clone();
                        if old != id {
                            rename_component(plan, &old, &id)?;
                        }
                        let c = &mut plan.components[i];
                        c.name = name;
                        c.kind = kind;
                        c.repo = repo;
                        Ok(format!("Component {id} updated"))
                    }
                    None => {
                        if plan.component(&id).is_some() {
                            return Err(format!("There is already a component {id}"));
                        }
                        plan.components.push(Component {
                            id: id.clone(),
                            name,
                            kind,
                            repo,
                            current: Vec::new(),
                            target: None,
                        });
                        Ok(format!("Component {id} added"))
                    }
                }
            }
            Purpose::Toggle(index) => {
                let id = self.text("id");
                if id.is_empty() {
                    return Err("A toggle needs an id".into());
                }
                let initially = if self.text("initially") == "On" {
                    Switch::On
                } else {
                    Switch::Off
                };
                match index {
                    Some(i) => {
                        let old = plan.toggles.get(i).ok_or("The toggle is gone")?.id.clone();
                        if old != id {
                            rename_toggle(plan, &old, &id)?;
                        }
                        plan.toggles[i].initially = initially;
                        Ok(format!("Toggle {id} updated"))
                    }
                    None => {
                        if plan.toggles.iter().any(|t| t.id == id) {
                            return Err(format!("There is already a toggle {id}"));
                        }
                        plan.toggles.push(Toggle {
                            id: id.clone(),
                            initially,
                        });
                        Ok(format!("Toggle {id} added"))
                    }
                }
            }
            Purpose::Fact {
                component,
                target,
                index,
            } => {
                let target = match self.get("state") {
                    Some(field) => field.value() == "target",
                    None => target,
                };
                let fact = self.fact_value()?;
                let c = plan
                    .components
                    .get_mut(component)
                    .ok_or("The component is gone")?;
                let list = if target {
                    c.target.get_or_insert_with(Vec::new)
                } else {
                    &mut c.current
                };
                let text = fact.to_string();
                match index {
                    Some(i) if i < list.len() => list[i] = fact,
                    _ => {
                        if list.contains(&fact) {
                            return Err(format!("{} already has {text}", c.id));
                        }
                        list.push(fact);
                    }
                }
                Ok(format!(
                    "{text} in {} of {}",
                    if target {
                        "the target"
                    } else {
                        "the current state"
                    },
                    c.id
                ))
            }
            Purpose::Step { index, at } => {
                let typed = self.text("id");
                let title = self.text("title");
                let notes = self.optional("notes");
                let shipped = self.flag("shipped");
                let old = index
                    .and_then(|i| plan.steps.get(i))
                    .map(|s| s.id().to_string());
                let taken = |x: &str| plan.step_index(x).is_some() && old.as_deref() != Some(x);
                let id = if typed.is_empty() {
                    fresh_id(taken, &crate::compose::edit::slug(&title))
                } else if taken(&typed) {
                    return Err(format!("There is already a step {typed}"));
                } else {
                    typed
                };
                let changes = index
                    .and_then(|i| plan.steps.get(i))
                    .map(|s| s.changes().to_vec())
                    .unwrap_or_default();
                let step = if self.text("step") == "Flip" {
                    let toggle = self.text("toggle");
                    if toggle.is_empty() {
                        return Err("A flip needs a toggle".into());
                    }
                    Step::Flip {
                        id: id.clone(),
                        toggle,
                        to: if self.text("to") == "Off" {
                            Switch::Off
                        } else {
                            Switch::On
                        },
                        title,
                        shipped,
                        notes,
                    }
                } else {
                    let component = self.text("component");
                    if component.is_empty() {
                        return Err("A release needs a component".into());
                    }
                    Step::Release {
                        id: id.clone(),
                        component,
                        title,
                        changes,
                        commit: self.optional("commit"),
                        shipped,
                        notes,
                        pr: self.optional("pr"),
                    }
                };
                match (index, old) {
                    (Some(i), Some(old)) => {
                        if old != id {
                            rename_step(plan, &old, &id)?;
                        }
                        plan.steps[i] = step;
                        Ok(format!("Step {id} updated"))
                    }
                    _ => {
                        plan.steps.insert(at.min(plan.steps.len()), step);
                        Ok(format!("Step {id} added"))
                    }
                }
            }
            Purpose::Change { step, index } => {
                let change = match self.text("change").as_str() {
                    "Remove" => Change::Remove(self.fact_value()?),
                    "Ungate" => {
                        let toggle = self.text("toggle");
                        if toggle.is_empty() {
                            return Err("Ungate needs a toggle".into());
                        }
                        Change::Ungate(toggle)
                    }
                    "Backfill" => {
                        let (into, from) = (self.text("into"), self.text("from"));
                        if into.is_empty() || from.is_empty() {
                            return Err("Backfill needs both stores".into());
                        }
                        Change::Backfill { into, from }
                    }
                    _ => Change::Add(self.fact_value()?),
                };
                let Some(Step::Release { changes, id, .. }) = plan.steps.get_mut(step) else {
                    return Err("Only releases have changes".into());
                };
                match index {
                    Some(i) if i < changes.len() => changes[i] = change,
                    _ => changes.push(change),
                }
                Ok(format!("Changes of {id} updated"))
            }
            Purpose::Accept { .. } | Purpose::Template { .. } => {
                Err("The board applies this form itself".into())
            }
        }
    }

    /// Builds the acceptance this form describes, for `rule`, `step` and `key`.
    pub fn acceptance(
        &self,
        rule: &str,
        step: Option<String>,
        key: Option<String>,
    ) -> Result<Accept, String> {
        let reason = self.text("reason");
        if reason.is_empty() {
            return Err("Say why the finding is acceptable".into());
        }
        Ok(Accept {
            rule: rule.to_string(),
            step,
            key,
            reason,
        })
    }
}
