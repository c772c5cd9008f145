//! Forms: a few labelled fields, keyboard first. A form knows what it is for (`Purpose`)
//! and turns its fields into a change of the plan when it is submitted; everything here
//! is pure, so the forms are tested without a terminal.

use ratatui_textarea::TextArea;
use tui_input::{Input, InputRequest};

use super::complete::Pool;
use super::phrase;

use crate::compose::edit::{fresh_id, rename_component, rename_step, rename_toggle};
use crate::plan::{
    Accept, Access, Change, Component, Fact, Kind, Plan, Source, Step, Switch, Toggle,
};

/// Every field a form can have; the label is what the form shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldId {
    /// A fact on one line, in words or RON; the fact's fields follow it.
    Fact,
    Story,
    Narrative,
    Notes,
    Id,
    Name,
    Kind,
    Repo,
    Sources,
    Initially,
    State,
    Access,
    Key,
    Tolerant,
    GatedBy,
    Serving,
    StepKind,
    Title,
    Component,
    Toggle,
    To,
    Commit,
    Shipped,
    Pr,
    ChangeKind,
    Into,
    From,
    Reason,
    /// The inputs of the patterns.
    Ui,
    Service,
    Store,
    Interfaces,
    Data,
    Producer,
    Old,
    New,
    Consumers,
    Writers,
    Readers,
}

impl FieldId {
    pub fn label(self) -> &'static str {
        match self {
            FieldId::Fact => "fact",
            FieldId::Story => "story",
            FieldId::Narrative => "narrative",
            FieldId::Notes => "notes",
            FieldId::Id => "id",
            FieldId::Name => "name",
            FieldId::Kind => "kind",
            FieldId::Repo => "repo",
            FieldId::Sources => "sources",
            FieldId::Initially => "initially",
            FieldId::State => "state",
            FieldId::Access => "access",
            FieldId::Key => "key",
            FieldId::Tolerant => "tolerant",
            FieldId::GatedBy => "gated by",
            FieldId::Serving => "serving",
            FieldId::StepKind => "step",
            FieldId::Title => "title",
            FieldId::Component => "component",
            FieldId::Toggle => "toggle",
            FieldId::To => "to",
            FieldId::Commit => "commit",
            FieldId::Shipped => "shipped",
            FieldId::Pr => "pr",
            FieldId::ChangeKind => "change",
            FieldId::Into => "into",
            FieldId::From => "from",
            FieldId::Reason => "reason",
            FieldId::Ui => "ui",
            FieldId::Service => "service",
            FieldId::Store => "store",
            FieldId::Interfaces => "interfaces",
            FieldId::Data => "data",
            FieldId::Producer => "producer",
            FieldId::Old => "old",
            FieldId::New => "new",
            FieldId::Consumers => "consumers",
            FieldId::Writers => "writers",
            FieldId::Readers => "readers",
        }
    }
}

/// The patterns a form can fill in, in the order the board offers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    ToggleFeature,
    ExpandContract,
    DoubleWrite,
}

impl Template {
    pub const ALL: [Template; 3] = [
        Template::ToggleFeature,
        Template::ExpandContract,
        Template::DoubleWrite,
    ];

    /// The pattern's name, as the list of patterns and its form's title show it.
    pub fn title(self) -> &'static str {
        match self {
            Template::ToggleFeature => "New feature behind a toggle",
            Template::ExpandContract => "Change an interface by expand / migrate / contract",
            Template::DoubleWrite => "Move data with a pre-emptive double write",
        }
    }

    /// The title of its form.
    pub fn form_title(self) -> &'static str {
        match self {
            Template::ToggleFeature => "New feature behind a toggle",
            Template::ExpandContract => "Expand / migrate / contract",
            Template::DoubleWrite => "Pre-emptive double write",
        }
    }

    /// The shape of the steps it inserts, in one line.
    pub fn shape(self) -> &'static str {
        match self {
            Template::ToggleFeature => {
                "outside-in: gated UI → endpoints → data store → flip → clean-up"
            }
            Template::ExpandContract => {
                "inside-out: producer provides both → consumers migrate → producer drops the old"
            }
            Template::DoubleWrite => {
                "writers write both → new store with backfill → migrate → old store dropped"
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    /// Text of several lines (narrative, notes), edited in place.
    Lines,
    /// An id or key that should usually be one the plan already has.
    Pick(Pool),
    /// A fact on one line ([`super::phrase`]), completed word by word.
    Phrase,
    Choice(Vec<&'static str>),
    Flag,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub id: FieldId,
    pub kind: FieldKind,
    pub input: Input,
    /// The text of a `Lines` field.
    pub lines: TextArea<'static>,
    pub choice: usize,
    pub flag: bool,
    /// Shown only while the field `.0` has one of the choices `.1`.
    pub when: Option<(FieldId, &'static [&'static str])>,
    /// The value the form opened with: a field left as it was keeps it to the byte.
    initial: String,
}

impl Field {
    fn text(id: FieldId, value: &str) -> Field {
        Field {
            id,
            kind: FieldKind::Text,
            input: Input::new(value.to_string()),
            lines: TextArea::default(),
            choice: 0,
            flag: false,
            when: None,
            initial: value.to_string(),
        }
    }

    fn lines(id: FieldId, value: &str) -> Field {
        let lines = TextArea::new(value.split('\n').map(str::to_string).collect());
        Field {
            kind: FieldKind::Lines,
            lines,
            ..Field::text(id, value)
        }
    }

    fn pick(id: FieldId, pool: Pool, value: &str) -> Field {
        Field {
            kind: FieldKind::Pick(pool),
            ..Field::text(id, value)
        }
    }

    fn choice(id: FieldId, options: Vec<&'static str>, value: &str) -> Field {
        let choice = options.iter().position(|o| *o == value).unwrap_or(0);
        let mut field = Field {
            kind: FieldKind::Choice(options),
            choice,
            ..Field::text(id, "")
        };
        field.initial = field.value();
        field
    }

    fn flag(id: FieldId, value: bool) -> Field {
        let mut field = Field {
            kind: FieldKind::Flag,
            flag: value,
            ..Field::text(id, "")
        };
        field.initial = field.value();
        field
    }

    fn when(mut self, field: FieldId, choices: &'static [&'static str]) -> Field {
        self.when = Some((field, choices));
        self
    }

    /// The value as text: what was typed, the option chosen, or "yes"/"no".
    pub fn value(&self) -> String {
        match &self.kind {
            FieldKind::Text | FieldKind::Pick(_) | FieldKind::Phrase => {
                self.input.value().to_string()
            }
            FieldKind::Lines => self.lines.clone().into_lines().join("\n"),
            FieldKind::Choice(options) => options.get(self.choice).copied().unwrap_or("").into(),
            FieldKind::Flag => if self.flag { "yes" } else { "no" }.into(),
        }
    }

    /// Whether the field still holds the value the form opened with.
    pub fn unchanged(&self) -> bool {
        self.value() == self.initial
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
    /// One of the patterns, inserted at `at`.
    Template {
        template: Template,
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
    /// A new key the form asked about ("did you mean …?"): confirming it again keeps it.
    pub asked: Option<String>,
}

/// The item of a comma-separated list being typed: what follows the last comma, without
/// the spaces that start it.
pub fn last_item(list: &str) -> &str {
    let item = list.rsplit_once(',').map_or(list, |(_, item)| item);
    item.trim_start()
}

/// That the plan has no component `id`, and the closest one it has.
fn no_component(plan: &Plan, id: &str) -> String {
    let ids = plan.components.iter().map(|c| c.id.as_str());
    match crate::suggest::closest(id, ids) {
        Some(best) => format!("There is no component {id}: did you mean {best}?"),
        None => format!("There is no component {id}."),
    }
}

/// The kind a new component's id suggests: `web` a Ui, `db` a Database, `events` a
/// Queue; a Service otherwise.
fn likely_kind(id: &str) -> Kind {
    let id = id.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| id.contains(w));
    if has(&["web", "ui", "app", "front", "mobile", "ios", "android"]) {
        Kind::Ui
    } else if has(&["db", "database", "sql", "store", "postgres", "mysql"]) {
        Kind::Database
    } else if has(&["queue", "event", "topic", "kafka", "bus", "stream"]) {
        Kind::Queue
    } else {
        Kind::Service
    }
}

/// The choices of a field, from the model's own names.
fn kinds() -> Vec<&'static str> {
    Kind::ALL.iter().map(|k| k.name()).collect()
}

fn accesses() -> Vec<&'static str> {
    Access::ALL.iter().map(|a| a.name()).collect()
}

fn switches() -> Vec<&'static str> {
    Switch::ALL.iter().map(|s| s.name()).collect()
}

const RELEASE: &str = "Release";
const FLIP: &str = "Flip";
const CHANGE_KINDS: [&str; 4] = ["Add", "Remove", "Ungate", "Backfill"];

/// What a new fact of a component of this kind most often does: a database or a queue
/// (or a third party) provides, the rest call.
fn usual_access(kind: Option<Kind>) -> Access {
    match kind {
        Some(Kind::Database | Kind::Queue | Kind::External) => Access::Provide,
        _ => Access::Call,
    }
}

fn fact_fields(
    fact: Option<&Fact>,
    usual: Access,
    when: Option<(FieldId, &'static [&'static str])>,
) -> Vec<Field> {
    let access = fact.map_or(usual.name(), |f| f.access.name());
    let line = fact.map_or(String::new(), |f| {
        phrase::words(
            f.access,
            &f.key,
            f.tolerant,
            f.gate.as_deref().unwrap_or(""),
            f.serving.as_deref().unwrap_or(""),
        )
    });
    let mut fields = vec![
        Field {
            kind: FieldKind::Phrase,
            ..Field::text(FieldId::Fact, &line)
        },
        Field::choice(FieldId::Access, accesses(), access),
        Field::pick(FieldId::Key, Pool::Keys, fact.map_or("", |f| &f.key)),
        Field::flag(FieldId::Tolerant, fact.is_some_and(|f| f.tolerant)),
        Field::pick(
            FieldId::GatedBy,
            Pool::Toggles,
            fact.and_then(|f| f.gate.as_deref()).unwrap_or(""),
        ),
        Field::pick(
            FieldId::Serving,
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
            asked: None,
        }
    }

    pub fn story(plan: &Plan) -> Form {
        Form::new(
            "Story",
            Purpose::Story,
            vec![
                Field::text(FieldId::Story, &plan.story),
                Field::lines(
                    FieldId::Narrative,
                    plan.narrative.as_deref().unwrap_or_default(),
                ),
                Field::lines(FieldId::Notes, plan.notes.as_deref().unwrap_or_default()),
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
                Field::text(FieldId::Id, c.map_or("", |c| &c.id)),
                Field::text(FieldId::Name, c.map_or("", |c| &c.name)),
                Field::choice(
                    FieldId::Kind,
                    kinds(),
                    c.map_or("Service", |c| c.kind.name()),
                ),
                Field::text(
                    FieldId::Repo,
                    c.and_then(|c| c.repo.as_deref()).unwrap_or(""),
                ),
                Field::pick(
                    FieldId::Sources,
                    Pool::Sources,
                    &c.map_or(String::new(), |c| {
                        let args: Vec<String> = c.sources.iter().map(Source::arg).collect();
                        args.join(", ")
                    }),
                ),
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
                Field::text(FieldId::Id, t.map_or("", |t| &t.id)),
                Field::choice(
                    FieldId::Initially,
                    switches(),
                    t.map_or("Off", |t| t.initially.name()),
                ),
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
        let mut fields = fact_fields(fact, usual_access(c.map(|c| c.kind)), None);
        if index.is_none() {
            fields.insert(
                1,
                Field::choice(FieldId::State, vec!["current", "target"], which),
            );
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

    /// The inputs of a pattern (lists are comma-separated).
    pub fn template(template: Template, at: usize) -> Form {
        let text = |id| Field::text(id, "");
        let pick = |id, pool| Field::pick(id, pool, "");
        let fields = match template {
            Template::ToggleFeature => vec![
                text(FieldId::Name),
                pick(FieldId::Toggle, Pool::Toggles),
                pick(FieldId::Ui, Pool::Components),
                pick(FieldId::Service, Pool::Components),
                pick(FieldId::Store, Pool::Components),
                text(FieldId::Interfaces),
                pick(FieldId::Data, Pool::Keys),
            ],
            Template::ExpandContract => vec![
                text(FieldId::Name),
                pick(FieldId::Producer, Pool::Components),
                pick(FieldId::Old, Pool::Keys),
                text(FieldId::New),
                text(FieldId::Consumers),
            ],
            Template::DoubleWrite => vec![
                text(FieldId::Name),
                pick(FieldId::Store, Pool::Components),
                pick(FieldId::Old, Pool::Keys),
                text(FieldId::New),
                text(FieldId::Writers),
                text(FieldId::Readers),
            ],
        };
        Form::new(
            template.form_title(),
            Purpose::Template { template, at },
            fields,
        )
    }

    /// Puts `component` (the one selected on the board) in the pattern field its kind
    /// fills: a Ui in `ui`, a service or a job in `service` or `producer`, a database or a
    /// queue in `store`.
    pub fn prefill(mut self, component: &Component) -> Form {
        let wanted: &[FieldId] = match component.kind {
            Kind::Ui => &[FieldId::Ui],
            Kind::Service | Kind::Job => &[FieldId::Service, FieldId::Producer],
            Kind::Database | Kind::Queue => &[FieldId::Store],
            Kind::External => &[],
        };
        if let Some(field) = self
            .fields
            .iter_mut()
            .find(|f| wanted.contains(&f.id) && f.input.value().is_empty())
        {
            field.input = Input::new(component.id.clone());
        }
        self
    }

    /// A pattern's fields from the selected step: its component, as [`Form::prefill`];
    /// what it removes as the old key, and the endpoints it adds as the interfaces.
    pub fn prefill_step(mut self, plan: &Plan, step: &Step) -> Form {
        if let Some(component) = step.component().and_then(|id| plan.component(id)) {
            self = self.prefill(component);
        }
        let removed = step.changes().iter().find_map(|c| match c {
            Change::Remove(fact) => Some(fact.key.clone()),
            _ => None,
        });
        let provided: Vec<&str> = step
            .changes()
            .iter()
            .filter_map(|c| match c {
                Change::Add(fact) if fact.access == Access::Provide => Some(fact.key.as_str()),
                _ => None,
            })
            .collect();
        for field in &mut self.fields {
            let value = match field.id {
                FieldId::Old => removed.clone(),
                FieldId::Interfaces if !provided.is_empty() => Some(provided.join(", ")),
                _ => None,
            };
            if let Some(value) = value
                && field.input.value().is_empty()
            {
                field.input = Input::new(value);
            }
        }
        self
    }

    pub fn step(plan: &Plan, index: Option<usize>, at: usize) -> Form {
        let step = index.and_then(|i| plan.steps.get(i));
        let (kind, id, title) = match step {
            Some(s) => (
                if s.component().is_some() {
                    RELEASE
                } else {
                    FLIP
                },
                s.id(),
                s.title(),
            ),
            None => (RELEASE, "", ""),
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
        let release: &'static [&'static str] = &[RELEASE];
        let flip: &'static [&'static str] = &[FLIP];
        Form::new(
            verb,
            Purpose::Step { index, at },
            vec![
                Field::choice(FieldId::StepKind, vec![RELEASE, FLIP], kind),
                Field::text(FieldId::Id, id),
                Field::text(FieldId::Title, title),
                Field::pick(FieldId::Component, Pool::Components, component)
                    .when(FieldId::StepKind, release),
                Field::pick(FieldId::Toggle, Pool::Toggles, toggle).when(FieldId::StepKind, flip),
                Field::choice(FieldId::To, vec!["On", "Off"], to).when(FieldId::StepKind, flip),
                Field::text(FieldId::Commit, commit.unwrap_or("")).when(FieldId::StepKind, release),
                Field::flag(FieldId::Shipped, step.is_some_and(Step::shipped)),
                Field::lines(FieldId::Notes, notes.unwrap_or("")),
                Field::text(FieldId::Pr, pr.unwrap_or("")).when(FieldId::StepKind, release),
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
        // The fact's fields apply to Add and Remove.
        let mut fields = vec![Field::choice(
            FieldId::ChangeKind,
            CHANGE_KINDS.to_vec(),
            kind,
        )];
        let released = plan
            .steps
            .get(step)
            .and_then(|s| s.component())
            .and_then(|id| plan.component(id))
            .map(|c| c.kind);
        fields.extend(fact_fields(
            fact,
            usual_access(released),
            Some((FieldId::ChangeKind, &CHANGE_KINDS[..2])),
        ));
        let ungate: &'static [&'static str] = &CHANGE_KINDS[2..3];
        let backfill: &'static [&'static str] = &CHANGE_KINDS[3..];
        fields.push(
            Field::pick(FieldId::Toggle, Pool::Toggles, toggle).when(FieldId::ChangeKind, ungate),
        );
        fields
            .push(Field::pick(FieldId::Into, Pool::Keys, into).when(FieldId::ChangeKind, backfill));
        fields
            .push(Field::pick(FieldId::From, Pool::Keys, from).when(FieldId::ChangeKind, backfill));
        let mut form = Form::new(
            format!("{verb} of step \"{id}\""),
            Purpose::Change { step, index },
            fields,
        );
        // A new change starts at the fact line, where `add` or `remove` picks the kind.
        if index.is_none() {
            form.focus = 1;
        }
        form
    }

    pub fn accept(finding: usize, rule: &str, existing: Option<&str>) -> Form {
        Form::new(
            format!("Accept {rule}"),
            Purpose::Accept { finding },
            vec![Field::text(FieldId::Reason, existing.unwrap_or(""))],
        )
    }

    /// Whether a field is shown (and so used) with the current choices.
    /// The first shown key field whose value the plan does not have yet, with the key it
    /// is closest to, unless the form already asked about that value.
    pub fn new_key_like(&self, known: &[String]) -> Option<(usize, String, String)> {
        self.fields.iter().enumerate().find_map(|(i, field)| {
            if field.kind != FieldKind::Pick(crate::tui::complete::Pool::Keys) || !self.visible(i) {
                return None;
            }
            let value = field.input.value().trim();
            if value.is_empty()
                || known.iter().any(|k| k == value)
                || self.asked.as_deref() == Some(value)
            {
                return None;
            }
            let best = crate::suggest::closest(value, known.iter().map(String::as_str))?;
            Some((i, value.to_string(), best.to_string()))
        })
    }

    /// The release's component when the plan has no such component: the field's index
    /// and the id typed.
    pub fn unknown_component(&self, plan: &Plan) -> Option<(usize, String)> {
        if !matches!(self.purpose, Purpose::Step { .. }) {
            return None;
        }
        let i = self
            .fields
            .iter()
            .position(|f| f.id == FieldId::Component)?;
        let component = self.text(FieldId::Component);
        let unknown =
            self.visible(i) && !component.is_empty() && plan.component(&component).is_none();
        unknown.then_some((i, component))
    }

    /// The question a release of a component the plan lacks asks once: the closest
    /// existing id, and that confirming adds the component.
    pub fn ask_unknown_component(&mut self, plan: &Plan) -> bool {
        let Some((field, component)) = self.unknown_component(plan) else {
            return false;
        };
        if self.asked.as_deref() == Some(component.as_str()) {
            return false;
        }
        self.error = Some(format!(
            "{} Enter again adds {component} as a new component",
            no_component(plan, &component)
        ));
        self.asked = Some(component);
        self.focus = field;
        true
    }

    /// What the focused field wants, in one line, where its label alone does not say:
    /// the patterns' inputs, and a fact's key, interface and toggle.
    pub fn help(&self) -> Option<&'static str> {
        let field = self.focused()?;
        let pattern = matches!(self.purpose, Purpose::Template { .. });
        Some(match field.id {
            FieldId::Name if pattern => {
                "a short name for the feature or change: it starts the steps' ids"
            }
            FieldId::Toggle if pattern => {
                "the toggle the feature hides behind: an existing one, or a new id"
            }
            FieldId::Component if matches!(self.purpose, Purpose::Step { .. }) => {
                "the component this release deploys; a new id is asked about, then added"
            }
            FieldId::Sources => {
                "where the repo describes it, comma-separated (Tab offers what the repo has): openapi:PATH, sql:PATH, pact:PATH"
            }
            FieldId::Ui => "the component that shows the feature (a Ui)",
            FieldId::Service => "the component that serves it (a Service)",
            FieldId::Store => "the component that keeps the data (a Database or a Queue)",
            FieldId::Interfaces => {
                "the endpoints the UI calls and the service provides, comma-separated: GET /x, POST /x"
            }
            FieldId::Data => {
                "the stores the service reads and writes, comma-separated: expenses.type"
            }
            FieldId::Producer => "the component that provides the interface being replaced",
            FieldId::Old => "what is replaced: an interface (GET /x v1) or a store (t.amount)",
            FieldId::New => "what replaces it: GET /x v2, or t.amount_cents",
            FieldId::Consumers => "the components that use the old interface, comma-separated",
            FieldId::Writers => "the components that write the old store, comma-separated",
            FieldId::Readers => "the components that read it, comma-separated",
            FieldId::Fact => {
                "words (c GET /x · serving POST /x write t.c · gated t read t.c) or RON"
            }
            FieldId::Key => "an endpoint (GET /x/{id}) or a store (table.column) the fact is about",
            FieldId::Serving => "only while serving this interface (empty: always)",
            FieldId::GatedBy => "only while this toggle is on (empty: always)",
            _ => return None,
        })
    }

    pub fn visible(&self, index: usize) -> bool {
        let Some((id, wanted)) = self.fields[index].when else {
            return true;
        };
        let value = self.get(id).map(Field::value).unwrap_or_default();
        wanted.contains(&value.as_str())
    }

    pub fn get(&self, id: FieldId) -> Option<&Field> {
        self.fields.iter().find(|f| f.id == id)
    }

    /// Whether every field still holds what the form opened with: confirming changes
    /// nothing then.
    pub fn unchanged(&self) -> bool {
        self.fields.iter().all(Field::unchanged)
    }

    /// A field's value: trimmed once typed into, exactly as it was when left alone.
    pub fn text(&self, id: FieldId) -> String {
        let Some(field) = self.get(id) else {
            return String::new();
        };
        let value = field.value();
        if field.unchanged() {
            value
        } else {
            value.trim().to_string()
        }
    }

    pub fn optional(&self, id: FieldId) -> Option<String> {
        Some(self.text(id)).filter(|t| !t.trim().is_empty())
    }

    fn flag(&self, id: FieldId) -> bool {
        self.get(id).is_some_and(|f| f.flag)
    }

    pub fn focused(&self) -> Option<&Field> {
        self.fields.get(self.focus)
    }

    /// Whether the focused field takes typed text on one line.
    pub fn is_text(&self) -> bool {
        self.focused().is_some_and(|f| {
            matches!(
                f.kind,
                FieldKind::Text | FieldKind::Pick(_) | FieldKind::Phrase
            )
        })
    }

    /// Whether the focused field takes several lines of text.
    pub fn is_lines(&self) -> bool {
        self.focused().is_some_and(|f| f.kind == FieldKind::Lines)
    }

    /// The focused field's lines, to edit them.
    pub fn lines_mut(&mut self) -> Option<&mut TextArea<'static>> {
        let field = self.fields.get_mut(self.focus)?;
        (field.kind == FieldKind::Lines).then_some(&mut field.lines)
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
            && matches!(
                field.kind,
                FieldKind::Text | FieldKind::Pick(_) | FieldKind::Phrase
            )
        {
            field.input.handle(request);
        }
        self.follow();
    }

    /// Replaces the focused text field's value (a completion was taken); in the fact
    /// line, only the word being typed.
    pub fn set_value(&mut self, value: &str) {
        if let Some(field) = self.fields.get_mut(self.focus) {
            let value = match field.kind {
                FieldKind::Phrase => phrase::complete(field.input.value(), value),
                FieldKind::Pick(Pool::Sources) => {
                    let typed = field.input.value();
                    let kept = &typed[..typed.len() - last_item(typed).len()];
                    format!("{kept}{value}")
                }
                _ => value.to_string(),
            };
            field.input = Input::new(value);
        }
        self.follow();
    }

    /// Replaces the focused field's whole text (a paste was inserted).
    pub fn set_input(&mut self, input: Input) {
        if let Some(field) = self.fields.get_mut(self.focus) {
            field.input = input;
        }
        self.follow();
    }

    /// The fact line and the fact's fields say the same: after the line changed, the
    /// fields take what it reads as (when it reads); after a field changed, the line is
    /// written again from the fields.
    fn follow(&mut self) {
        let Some(line) = self.fields.iter().position(|f| f.kind == FieldKind::Phrase) else {
            return;
        };
        if self.focus == line {
            let text = self.fields[line].input.value().to_string();
            if text.trim().is_empty() {
                self.set_field(FieldId::Key, "");
                self.set_field(FieldId::GatedBy, "");
                self.set_field(FieldId::Serving, "");
                return;
            }
            let Ok(read) = phrase::parse(&text) else {
                return;
            };
            let fact = read.fact;
            if read.access {
                self.set_field(FieldId::Access, fact.access.name());
            }
            self.set_field(FieldId::Key, &fact.key);
            self.set_field(FieldId::GatedBy, fact.gate.as_deref().unwrap_or(""));
            self.set_field(FieldId::Serving, fact.serving.as_deref().unwrap_or(""));
            if let Some(field) = self.fields.iter_mut().find(|f| f.id == FieldId::Tolerant) {
                field.flag = fact.tolerant;
            }
            if let Some(remove) = read.remove {
                self.set_field(FieldId::ChangeKind, if remove { "Remove" } else { "Add" });
            }
            return;
        }
        let follows = self.focused().is_some_and(|f| {
            matches!(
                f.id,
                FieldId::Access
                    | FieldId::Key
                    | FieldId::Tolerant
                    | FieldId::GatedBy
                    | FieldId::Serving
            )
        });
        if !follows {
            return;
        }
        let access = Access::ALL
            .into_iter()
            .find(|a| a.name() == self.text(FieldId::Access))
            .unwrap_or(Access::Call);
        let words = phrase::words(
            access,
            &self.text(FieldId::Key),
            self.flag(FieldId::Tolerant),
            &self.text(FieldId::GatedBy),
            &self.text(FieldId::Serving),
        );
        self.fields[line].input = Input::new(words);
    }

    /// Sets a field by its id: a text to `value`, a choice to the option `value`.
    fn set_field(&mut self, id: FieldId, value: &str) {
        let Some(field) = self.fields.iter_mut().find(|f| f.id == id) else {
            return;
        };
        match &field.kind {
            FieldKind::Choice(options) => {
                if let Some(i) = options.iter().position(|o| *o == value) {
                    field.choice = i;
                }
            }
            _ if field.input.value() != value => field.input = Input::new(value.to_string()),
            _ => {}
        }
    }

    /// What the fact line does not read as, when it was typed into.
    fn phrase_error(&self) -> Option<String> {
        let (i, field) = self
            .fields
            .iter()
            .enumerate()
            .find(|(_, f)| f.kind == FieldKind::Phrase)?;
        if field.unchanged() || !self.visible(i) || field.input.value().trim().is_empty() {
            return None;
        }
        phrase::parse(field.input.value())
            .err()
            .map(|why| format!("The fact line: {why}"))
    }

    /// Space or ←/→ on a choice or a flag.
    pub fn cycle(&mut self, forward: bool) {
        let Some(field) = self.fields.get_mut(self.focus) else {
            return;
        };
        match &field.kind {
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
        self.follow();
    }

    /// A letter on a choice picks the next option that starts with it (`p` Provide, `c`
    /// Call, `r` Read, `w` Write); on a flag, `y` sets it and `n` clears it.
    pub fn pick_by_letter(&mut self, letter: char) {
        let Some(field) = self.fields.get_mut(self.focus) else {
            return;
        };
        let letter = letter.to_ascii_lowercase();
        match &field.kind {
            FieldKind::Choice(options) => {
                let n = options.len();
                let starts = |i: usize| {
                    options[i]
                        .chars()
                        .next()
                        .is_some_and(|c| c.to_ascii_lowercase() == letter)
                };
                if let Some(i) = (1..=n).map(|d| (field.choice + d) % n).find(|&i| starts(i)) {
                    field.choice = i;
                }
            }
            FieldKind::Flag if letter == 'y' || letter == 'n' => field.flag = letter == 'y',
            _ => {}
        }
        self.follow();
    }

    fn fact_value(&self) -> Result<Fact, String> {
        if let Some(error) = self.phrase_error() {
            return Err(error);
        }
        let key = self.text(FieldId::Key);
        if key.is_empty() {
            return Err("A fact needs a key".into());
        }
        let access = Access::ALL
            .into_iter()
            .find(|a| a.name() == self.text(FieldId::Access))
            .unwrap_or(Access::Call);
        let mut fact = Fact::new(access, key);
        fact.tolerant = self.flag(FieldId::Tolerant);
        fact.gate = self.optional(FieldId::GatedBy);
        fact.serving = self.optional(FieldId::Serving);
        if fact.tolerant && access == Access::Provide {
            return Err("Only Call, Read and Write can be tolerant".into());
        }
        Ok(fact)
    }

    /// Applies the form to the plan. On an error the plan is unchanged.
    pub fn apply(&self, plan: &mut Plan) -> Result<String, String> {
        let mut draft = plan.clone();
        let done = match self.purpose {
            Purpose::Story => self.apply_story(&mut draft),
            Purpose::Component(index) => self.apply_component(&mut draft, index),
            Purpose::Toggle(index) => self.apply_toggle(&mut draft, index),
            Purpose::Fact {
                component,
                target,
                index,
            } => self.apply_fact(&mut draft, component, target, index),
            Purpose::Step { index, at } => self.apply_step(&mut draft, index, at),
            Purpose::Change { step, index } => self.apply_change(&mut draft, step, index),
            Purpose::Accept { .. } | Purpose::Template { .. } => {
                Err("The board applies this form itself".into())
            }
        }?;
        *plan = draft;
        Ok(done)
    }

    fn apply_story(&self, plan: &mut Plan) -> Result<String, String> {
        let story = self.text(FieldId::Story);
        if story.trim().is_empty() {
            return Err("The story needs a title".into());
        }
        plan.story = story;
        plan.narrative = self.optional(FieldId::Narrative);
        plan.notes = self.optional(FieldId::Notes);
        Ok("Story updated".into())
    }

    /// The sources field: `KIND:PATH`, comma-separated.
    fn sources(&self) -> Result<Vec<Source>, String> {
        let text = self.text(FieldId::Sources);
        let mut sources: Vec<Source> = Vec::new();
        for arg in text.split(',').filter(|a| !a.trim().is_empty()) {
            let source = Source::from_arg(arg)?;
            if !sources.contains(&source) {
                sources.push(source);
            }
        }
        Ok(sources)
    }

    fn apply_component(&self, plan: &mut Plan, index: Option<usize>) -> Result<String, String> {
        let id = self.text(FieldId::Id);
        if id.is_empty() {
            return Err("A component needs an id".into());
        }
        let kind = Kind::ALL
            .into_iter()
            .find(|k| k.name() == self.text(FieldId::Kind))
            .unwrap_or(Kind::Service);
        let name = self.optional(FieldId::Name).unwrap_or_else(|| id.clone());
        let repo = self.optional(FieldId::Repo);
        let sources = self.sources()?;
        let Some(i) = index else {
            if plan.component(&id).is_some() {
                return Err(format!("There is already a component {id}"));
            }
            plan.components.push(Component {
                id: id.clone(),
                name,
                kind,
                repo,
                sources,
                current: Vec::new(),
                target: None,
            });
            return Ok(format!("Component {id} added"));
        };
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
        // Left as it was, the list keeps its order and spelling to the byte.
        if !self.get(FieldId::Sources).is_some_and(Field::unchanged) {
            c.sources = sources;
        }
        Ok(format!("Component {id} updated"))
    }

    fn apply_toggle(&self, plan: &mut Plan, index: Option<usize>) -> Result<String, String> {
        let id = self.text(FieldId::Id);
        if id.is_empty() {
            return Err("A toggle needs an id".into());
        }
        let initially = if self.text(FieldId::Initially) == Switch::On.name() {
            Switch::On
        } else {
            Switch::Off
        };
        let Some(i) = index else {
            if plan.toggles.iter().any(|t| t.id == id) {
                return Err(format!("There is already a toggle {id}"));
            }
            plan.toggles.push(Toggle {
                id: id.clone(),
                initially,
            });
            return Ok(format!("Toggle {id} added"));
        };
        let old = plan.toggles.get(i).ok_or("The toggle is gone")?.id.clone();
        if old != id {
            rename_toggle(plan, &old, &id)?;
        }
        plan.toggles[i].initially = initially;
        Ok(format!("Toggle {id} updated"))
    }

    fn apply_fact(
        &self,
        plan: &mut Plan,
        component: usize,
        target: bool,
        index: Option<usize>,
    ) -> Result<String, String> {
        let target = match self.get(FieldId::State) {
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
        let state = if target {
            "the target"
        } else {
            "the current state"
        };
        Ok(format!("{text} in {state} of {}", c.id))
    }

    fn apply_step(
        &self,
        plan: &mut Plan,
        index: Option<usize>,
        at: usize,
    ) -> Result<String, String> {
        let typed = self.text(FieldId::Id);
        let title = self.text(FieldId::Title);
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
        // A component the plan does not have yet, confirmed after the form asked.
        let created = match self.unknown_component(plan) {
            Some((_, component)) if self.asked.as_deref() == Some(component.as_str()) => {
                let kind = likely_kind(&component);
                plan.components.push(Component {
                    id: component.clone(),
                    name: component.clone(),
                    kind,
                    repo: None,
                    sources: Vec::new(),
                    current: Vec::new(),
                    target: None,
                });
                format!(
                    ", with a new component {component} (a {}: e in the components pane edits it)",
                    kind.name()
                )
            }
            _ => String::new(),
        };
        let step = self.step_value(plan, index, id.clone(), title)?;
        match (index, old) {
            (Some(i), Some(old)) => {
                if old != id {
                    rename_step(plan, &old, &id)?;
                }
                plan.steps[i] = step;
                Ok(format!("Step {id} updated{created}"))
            }
            _ => {
                plan.steps.insert(at.min(plan.steps.len()), step);
                Ok(format!("Step {id} added{created}"))
            }
        }
    }

    /// The step the form describes; an edited release keeps its changes.
    fn step_value(
        &self,
        plan: &Plan,
        index: Option<usize>,
        id: String,
        title: String,
    ) -> Result<Step, String> {
        let notes = self.optional(FieldId::Notes);
        let shipped = self.flag(FieldId::Shipped);
        if self.text(FieldId::StepKind) == FLIP {
            let toggle = self.text(FieldId::Toggle);
            if toggle.is_empty() {
                return Err("A flip needs a toggle".into());
            }
            let to = if self.text(FieldId::To) == Switch::Off.name() {
                Switch::Off
            } else {
                Switch::On
            };
            return Ok(Step::Flip {
                id,
                toggle,
                to,
                title,
                shipped,
                notes,
            });
        }
        let component = self.text(FieldId::Component);
        if component.is_empty() {
            return Err("A release needs a component".into());
        }
        if plan.component(&component).is_none() {
            return Err(no_component(plan, &component));
        }
        let changes = index
            .and_then(|i| plan.steps.get(i))
            .map(|s| s.changes().to_vec())
            .unwrap_or_default();
        Ok(Step::Release {
            id,
            component,
            title,
            changes,
            commit: self.optional(FieldId::Commit),
            shipped,
            notes,
            pr: self.optional(FieldId::Pr),
        })
    }

    fn apply_change(
        &self,
        plan: &mut Plan,
        step: usize,
        index: Option<usize>,
    ) -> Result<String, String> {
        let change = match self.text(FieldId::ChangeKind).as_str() {
            "Remove" => Change::Remove(self.fact_value()?),
            "Ungate" => {
                let toggle = self.text(FieldId::Toggle);
                if toggle.is_empty() {
                    return Err("Ungate needs a toggle".into());
                }
                Change::Ungate(toggle)
            }
            "Backfill" => {
                let (into, from) = (self.text(FieldId::Into), self.text(FieldId::From));
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

    /// Builds the acceptance this form describes, for `rule`, `step` and `key`.
    pub fn acceptance(
        &self,
        rule: &str,
        step: Option<String>,
        key: Option<String>,
    ) -> Result<Accept, String> {
        let reason = self.text(FieldId::Reason);
        if reason.trim().is_empty() {
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

/// `text` put into `input` at its cursor, the cursor after it; linear in both lengths.
pub fn inserted(input: &Input, text: &str) -> Input {
    let value = input.value();
    let at = value
        .char_indices()
        .nth(input.cursor())
        .map_or(value.len(), |(at, _)| at);
    let joined = format!("{}{text}{}", &value[..at], &value[at..]);
    Input::new(joined).with_cursor(input.cursor() + text.chars().count())
}
