//! The canonical text of a plan: same plan, same bytes.
//!
//! Written by hand rather than by ron's pretty printer so the layout is ours and stable:
//! one component, step, fact, change, toggle and accepted finding per line, fields in the
//! model's order, optional fields left out when they say nothing, trailing commas.

use std::fmt::Write as _;

use crate::plan::{Accept, Component, Fact, Plan, Step, Toggle, quoted};

const HEADER: &str = "#![enable(implicit_some)]\n";
const INDENT: &str = "    ";

/// The canonical RON text of a plan, ending with a newline.
pub fn to_canonical_string(plan: &Plan) -> String {
    let mut out = Writer::default();
    out.text.push_str(HEADER);
    write_plan(&mut out, plan);
    out.text
}

#[derive(Default)]
struct Writer {
    text: String,
    depth: usize,
}

impl Writer {
    /// Starts an indented line and returns the text to append to it.
    fn line(&mut self) -> &mut String {
        for _ in 0..self.depth {
            self.text.push_str(INDENT);
        }
        &mut self.text
    }

    /// A whole line at the current indent.
    fn put(&mut self, content: &str) {
        self.line().push_str(content);
        self.text.push('\n');
    }

    fn field(&mut self, name: &str, value: &str) {
        let line = self.line();
        let _ = writeln!(line, "{name}: {value},");
    }

    fn text_field(&mut self, name: &str, value: &str) {
        self.field(name, &quoted(value));
    }

    fn optional_text(&mut self, name: &str, value: Option<&String>) {
        if let Some(value) = value {
            self.text_field(name, value);
        }
    }

    /// `name: [` … `],` with one item per line; an empty list stays on one line.
    fn list<T>(&mut self, name: &str, items: &[T], mut item: impl FnMut(&mut Self, &T)) {
        if items.is_empty() {
            self.field(name, "[]");
            return;
        }
        self.put(&format!("{name}: ["));
        self.depth += 1;
        for each in items {
            item(self, each);
        }
        self.depth -= 1;
        self.put("],");
    }

    /// A list field the model defaults to empty: left out when it is.
    fn optional_list<T>(&mut self, name: &str, items: &[T], item: impl FnMut(&mut Self, &T)) {
        if !items.is_empty() {
            self.list(name, items, item);
        }
    }

    fn facts(&mut self, name: &str, facts: &[Fact]) {
        self.list(name, facts, |out, fact| out.put(&format!("{fact},")));
    }

    /// `Name(` … `),` around fields written one per line.
    fn record(&mut self, name: &str, fields: impl FnOnce(&mut Self)) {
        self.put(&format!("{name}("));
        self.depth += 1;
        fields(self);
        self.depth -= 1;
        self.put("),");
    }
}

fn write_plan(out: &mut Writer, plan: &Plan) {
    let Plan {
        version,
        story,
        narrative,
        components,
        toggles,
        steps,
        accepted,
        notes,
    } = plan;
    out.put("Plan(");
    out.depth += 1;
    out.field("version", &version.to_string());
    out.text_field("story", story);
    out.optional_text("narrative", narrative.as_ref());
    out.list("components", components, write_component);
    out.optional_list("toggles", toggles, |out, toggle| {
        out.put(&format!("{},", toggle_text(toggle)));
    });
    out.optional_list("steps", steps, write_step);
    out.optional_list("accepted", accepted, |out, accept| {
        out.put(&format!("{},", accept_text(accept)));
    });
    out.optional_text("notes", notes.as_ref());
    out.depth -= 1;
    out.put(")");
}

fn write_component(out: &mut Writer, component: &Component) {
    let Component {
        id,
        name,
        kind,
        repo,
        sources,
        current,
        target,
    } = component;
    out.record("Component", |out| {
        out.text_field("id", id);
        out.text_field("name", name);
        out.field("kind", kind.name());
        out.optional_text("repo", repo.as_ref());
        out.optional_list("sources", sources, |out, source| {
            out.put(&format!("{source},"));
        });
        if !current.is_empty() {
            out.facts("current", current);
        }
        if let Some(target) = target {
            out.facts("target", target);
        }
    });
}

fn toggle_text(toggle: &Toggle) -> String {
    let Toggle { id, initially } = toggle;
    format!(
        "Toggle(id: {}, initially: {})",
        quoted(id),
        initially.name()
    )
}

fn accept_text(accept: &Accept) -> String {
    let Accept {
        rule,
        step,
        key,
        reason,
    } = accept;
    let mut text = format!("Accept(rule: {}", quoted(rule));
    if let Some(step) = step {
        let _ = write!(text, ", step: {}", quoted(step));
    }
    if let Some(key) = key {
        let _ = write!(text, ", key: {}", quoted(key));
    }
    let _ = write!(text, ", reason: {})", quoted(reason));
    text
}

fn write_step(out: &mut Writer, step: &Step) {
    match step {
        Step::Release {
            id,
            component,
            title,
            changes,
            commit,
            shipped,
            notes,
            pr,
        } => out.record("Release", |out| {
            out.text_field("id", id);
            out.text_field("component", component);
            out.text_field("title", title);
            out.optional_list("changes", changes, |out, change| {
                out.put(&format!("{change},"));
            });
            out.optional_text("commit", commit.as_ref());
            if *shipped {
                out.field("shipped", "true");
            }
            out.optional_text("notes", notes.as_ref());
            out.optional_text("pr", pr.as_ref());
        }),
        Step::Flip {
            id,
            toggle,
            to,
            title,
            shipped,
            notes,
        } => out.record("Flip", |out| {
            out.text_field("id", id);
            out.text_field("toggle", toggle);
            out.field("to", to.name());
            out.text_field("title", title);
            if *shipped {
                out.field("shipped", "true");
            }
            out.optional_text("notes", notes.as_ref());
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Change, Kind, Switch};

    fn release(id: &str, changes: Vec<Change>) -> Step {
        Step::Release {
            id: id.into(),
            component: "api".into(),
            title: format!("Release {id}"),
            changes,
            commit: None,
            shipped: false,
            notes: None,
            pr: None,
        }
    }

    #[test]
    fn writes_the_canonical_layout() {
        let plan = Plan {
            version: 1,
            story: "Say \"hi\"".into(),
            narrative: None,
            components: vec![
                Component {
                    id: "api".into(),
                    name: "API".into(),
                    kind: Kind::Service,
                    repo: None,
                    sources: Vec::new(),
                    current: vec![Fact::write("k").tolerant().gated("t").serving("GET /a")],
                    target: Some(vec![]),
                },
                Component {
                    id: "db".into(),
                    name: "DB".into(),
                    kind: Kind::Database,
                    repo: Some("backend".into()),
                    sources: Vec::new(),
                    current: vec![],
                    target: None,
                },
            ],
            toggles: vec![Toggle {
                id: "t".into(),
                initially: Switch::Off,
            }],
            steps: vec![
                release("b", vec![Change::Ungate("t".into())]),
                Step::Flip {
                    id: "a".into(),
                    toggle: "t".into(),
                    to: Switch::On,
                    title: "On".into(),
                    shipped: true,
                    notes: None,
                },
                Step::Release {
                    id: "c".into(),
                    component: "api".into(),
                    title: "Release c".into(),
                    changes: vec![],
                    commit: Some("pr-7".into()),
                    shipped: true,
                    notes: Some("n".into()),
                    pr: Some("#7".into()),
                },
            ],
            accepted: vec![Accept {
                rule: "data-loss".into(),
                step: None,
                key: Some("k".into()),
                reason: "why\nnot".into(),
            }],
            notes: Some("end".into()),
        };
        let expected = r##"#![enable(implicit_some)]
Plan(
    version: 1,
    story: "Say \"hi\"",
    components: [
        Component(
            id: "api",
            name: "API",
            kind: Service,
            current: [
                Gated("t", Serving("GET /a", Tolerant(Write("k")))),
            ],
            target: [],
        ),
        Component(
            id: "db",
            name: "DB",
            kind: Database,
            repo: "backend",
        ),
    ],
    toggles: [
        Toggle(id: "t", initially: Off),
    ],
    steps: [
        Release(
            id: "b",
            component: "api",
            title: "Release b",
            changes: [
                Ungate("t"),
            ],
        ),
        Flip(
            id: "a",
            toggle: "t",
            to: On,
            title: "On",
            shipped: true,
        ),
        Release(
            id: "c",
            component: "api",
            title: "Release c",
            commit: "pr-7",
            shipped: true,
            notes: "n",
            pr: "#7",
        ),
    ],
    accepted: [
        Accept(rule: "data-loss", key: "k", reason: "why\nnot"),
    ],
    notes: "end",
)
"##;
        assert_eq!(to_canonical_string(&plan), expected);
    }

    #[test]
    fn an_empty_plan_keeps_its_required_fields() {
        let plan = Plan {
            version: 1,
            story: String::new(),
            narrative: None,
            components: vec![],
            toggles: vec![],
            steps: vec![],
            accepted: vec![],
            notes: None,
        };
        assert_eq!(
            to_canonical_string(&plan),
            "#![enable(implicit_some)]\nPlan(\n    version: 1,\n    story: \"\",\n    components: [],\n)\n"
        );
    }
}
