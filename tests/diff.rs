//! The semantic diff of two plans: each kind of change asserted exactly, moves kept
//! minimal, findings compared by what they are about, and the human rendering.

use storyplan::check::{Rule, Severity};
use storyplan::diff::{
    AcceptChange, ComponentChange, ComponentField, Edit, PlanDiff, StepChange, StepField,
    ToggleChange, diff, render,
};
use storyplan::plan::{Accept, Change, Fact, Kind, Plan, Step, Switch, Toggle};

mod common;

use common::{component, flip, release};

/// web calls an endpoint the api serves from a table in db; the steps build it
/// inside-out, so the plan is clean.
fn base() -> Plan {
    Plan {
        version: 1,
        story: "Show the things".into(),
        narrative: None,
        components: vec![
            component("web", Kind::Ui, vec![]),
            component("api", Kind::Service, vec![]),
            component("db", Kind::Database, vec![]),
        ],
        toggles: Vec::new(),
        steps: vec![
            release("table", "db", vec![Change::Add(Fact::provide("things"))]),
            release(
                "endpoint",
                "api",
                vec![
                    Change::Add(Fact::provide("GET /things")),
                    Change::Add(Fact::read("things").serving("GET /things")),
                ],
            ),
            release("page", "web", vec![Change::Add(Fact::call("GET /things"))]),
        ],
        accepted: Vec::new(),
        notes: None,
    }
}

fn example(name: &str) -> Plan {
    let path = format!("{}/assets/examples/{name}.ron", env!("CARGO_MANIFEST_DIR"));
    storyplan::store::load(std::path::Path::new(&path))
        .expect("example loads")
        .plan
}

fn reorder(mut plan: Plan, ids: &[&str]) -> Plan {
    plan.steps = ids
        .iter()
        .map(|id| {
            let at = plan.step_index(id).expect("step exists");
            plan.steps[at].clone()
        })
        .collect();
    plan
}

fn moved(id: &str, from: usize, to: usize) -> StepChange {
    StepChange::Moved {
        id: id.into(),
        from,
        to,
    }
}

fn changed(id: &str, index: usize, change: StepField) -> StepChange {
    StepChange::Changed {
        id: id.into(),
        index,
        change,
    }
}

/// (rule, step id, component, key) of the introduced or resolved findings.
fn about(found: &[storyplan::diff::DiffFinding]) -> Vec<(Rule, Option<&str>, Option<&str>)> {
    found
        .iter()
        .map(|f| {
            (
                f.finding.rule,
                f.step_id.as_deref(),
                f.finding.component.as_deref(),
            )
        })
        .collect()
}

#[test]
fn identical_plans_have_an_empty_diff() {
    let d = diff(&base(), &base());
    assert!(d.is_empty());
    assert_eq!(d, PlanDiff::default());
    assert_eq!(
        render(&d, "main:x.ron", "x.ron", false),
        "No changes to the plan between main:x.ron and x.ron.\n"
    );
    let reminders = example("reminders");
    assert!(diff(&reminders, &reminders).is_empty());
}

#[test]
fn a_step_added_is_reported_with_its_position() {
    let old = base();
    let mut new = base();
    let noted = release("notes", "db", vec![Change::Add(Fact::provide("notes"))]);
    new.steps.insert(1, noted.clone());
    let d = diff(&old, &new);
    assert_eq!(
        d.steps,
        vec![StepChange::Added {
            index: 1,
            step: noted
        }]
    );
    assert!(d.introduced.is_empty() && d.resolved.is_empty());
    assert!(d.components.is_empty() && d.toggles.is_empty() && d.accepted.is_empty());
}

#[test]
fn a_step_removed_is_reported_at_its_old_place_with_what_breaks() {
    let old = base();
    let mut new = base();
    let endpoint = new.steps.remove(1);
    let d = diff(&old, &new);
    assert_eq!(
        d.steps,
        vec![StepChange::Removed {
            index: 1,
            step: endpoint
        }]
    );
    // Without the endpoint the page's call is broken for good.
    assert_eq!(
        about(&d.introduced),
        vec![(Rule::BrokenConsumer, Some("page"), Some("web"))]
    );
    assert_eq!(d.introduced[0].finding.key.as_deref(), Some("GET /things"));
    assert_eq!(d.introduced[0].finding.step, Some(1));
    // An introduced error is red.
    let colored = render(&d, "old.ron", "new.ron", true);
    assert!(
        colored.contains("\u{1b}[31m+ introduced error[broken-consumer]"),
        "{colored}"
    );
}

#[test]
fn one_step_dragged_anywhere_is_one_move() {
    let mut old = base();
    old.steps.push(release("a", "db", vec![]));
    old.steps.push(release("b", "db", vec![]));
    // [table, endpoint, page, a, b]: drag "table" to the end, then "b" to the front.
    let down = reorder(old.clone(), &["endpoint", "page", "a", "b", "table"]);
    assert_eq!(diff(&old, &down).steps, vec![moved("table", 0, 4)]);
    let up = reorder(old.clone(), &["b", "table", "endpoint", "page", "a"]);
    assert_eq!(diff(&old, &up).steps, vec![moved("b", 4, 0)]);
    // Reversing three steps is two moves, not three: the middle one stays.
    let reversed = reorder(old.clone(), &["page", "endpoint", "table", "a", "b"]);
    assert_eq!(
        diff(&old, &reversed).steps,
        vec![moved("page", 2, 0), moved("table", 0, 2)]
    );
}

#[test]
fn steps_added_before_others_do_not_make_them_moves() {
    let old = base();
    let mut new = base();
    let first = release("first", "db", vec![Change::Add(Fact::provide("x"))]);
    new.steps.insert(0, first.clone());
    new.steps.remove(2);
    let d = diff(&old, &new);
    assert_eq!(
        d.steps,
        vec![
            StepChange::Removed {
                index: 1,
                step: old.steps[1].clone()
            },
            StepChange::Added {
                index: 0,
                step: first
            },
        ]
    );
}

#[test]
fn changes_inside_a_step_are_each_reported() {
    let old = base();
    let mut new = base();
    if let Step::Release {
        title,
        changes,
        shipped,
        commit,
        notes,
        pr,
        ..
    } = &mut new.steps[1]
    {
        *title = "Things endpoint".into();
        changes[1] = Change::Add(Fact::read("things").serving("GET /things").tolerant());
        changes.push(Change::Add(Fact::provide("GET /thing/{id}")));
        *shipped = true;
        *commit = Some("pr-7".into());
        *notes = Some("behind the gateway".into());
        *pr = Some("#7".into());
    }
    if let Step::Release { component, .. } = &mut new.steps[2] {
        *component = "api".into();
    }
    let d = diff(&old, &new);
    let read = Fact::read("things").serving("GET /things");
    assert_eq!(
        d.steps,
        vec![
            changed(
                "endpoint",
                1,
                StepField::Title(Edit {
                    old: "endpoint".into(),
                    new: "Things endpoint".into()
                })
            ),
            changed(
                "endpoint",
                1,
                StepField::ChangeRemoved {
                    at: 1,
                    change: Change::Add(read.clone())
                }
            ),
            changed(
                "endpoint",
                1,
                StepField::ChangeAdded {
                    at: 1,
                    change: Change::Add(read.tolerant())
                }
            ),
            changed(
                "endpoint",
                1,
                StepField::ChangeAdded {
                    at: 2,
                    change: Change::Add(Fact::provide("GET /thing/{id}"))
                }
            ),
            changed(
                "endpoint",
                1,
                StepField::Commit(Edit {
                    old: None,
                    new: Some("pr-7".into())
                })
            ),
            changed(
                "endpoint",
                1,
                StepField::Shipped(Edit {
                    old: false,
                    new: true
                })
            ),
            changed(
                "endpoint",
                1,
                StepField::Notes(Edit {
                    old: None,
                    new: Some("behind the gateway".into())
                })
            ),
            changed(
                "endpoint",
                1,
                StepField::Pr(Edit {
                    old: None,
                    new: Some("#7".into())
                })
            ),
            changed(
                "page",
                2,
                StepField::Component(Edit {
                    old: "web".into(),
                    new: "api".into()
                })
            ),
        ]
    );
}

#[test]
fn flips_compare_their_toggle_and_value_and_a_changed_kind_is_a_replacement() {
    let mut old = base();
    old.toggles.push(Toggle {
        id: "things".into(),
        initially: Switch::Off,
    });
    old.steps.push(flip("on", "things", Switch::On));
    old.steps.push(flip("swap", "things", Switch::Off));
    let mut new = old.clone();
    new.steps[3] = flip("on", "other", Switch::Off);
    new.steps[4] = release("swap", "db", vec![]);
    let d = diff(&old, &new);
    assert_eq!(
        d.steps,
        vec![
            changed(
                "on",
                3,
                StepField::Toggle(Edit {
                    old: "things".into(),
                    new: "other".into()
                })
            ),
            changed(
                "on",
                3,
                StepField::To(Edit {
                    old: Switch::On,
                    new: Switch::Off
                })
            ),
            changed(
                "swap",
                4,
                StepField::Replaced(Edit {
                    old: Box::new(old.steps[4].clone()),
                    new: Box::new(new.steps[4].clone())
                })
            ),
        ]
    );
}

#[test]
fn components_and_their_facts() {
    let mut old = base();
    old.components
        .push(component("cache", Kind::Service, vec![]));
    old.components[1].current = vec![Fact::provide("GET /health"), Fact::call("GET /auth")];
    old.components[1].target = Some(vec![Fact::provide("GET /things")]);
    old.components[2].target = Some(vec![Fact::provide("things")]);
    let mut new = old.clone();
    new.components.remove(3);
    let queue = component("queue", Kind::Queue, vec![]);
    new.components.push(queue.clone());
    let api = &mut new.components[1];
    api.name = "Things API".into();
    api.kind = Kind::Job;
    api.repo = Some("backend".into());
    api.current = vec![Fact::call("GET /auth"), Fact::provide("GET /status")];
    api.target = Some(vec![
        Fact::provide("GET /things"),
        Fact::provide("GET /status"),
    ]);
    new.components[0].target = Some(vec![Fact::call("GET /things")]);
    new.components[2].target = None;
    let d = diff(&old, &new);
    let field = |id: &str, change| ComponentChange::Changed {
        id: id.into(),
        change,
    };
    assert_eq!(
        d.components,
        vec![
            field(
                "web",
                ComponentField::TargetSet(vec![Fact::call("GET /things")])
            ),
            field(
                "api",
                ComponentField::Name(Edit {
                    old: "api".into(),
                    new: "Things API".into()
                })
            ),
            field(
                "api",
                ComponentField::Kind(Edit {
                    old: Kind::Service,
                    new: Kind::Job
                })
            ),
            field(
                "api",
                ComponentField::Repo(Edit {
                    old: None,
                    new: Some("backend".into())
                })
            ),
            field(
                "api",
                ComponentField::CurrentRemoved(Fact::provide("GET /health"))
            ),
            field(
                "api",
                ComponentField::CurrentAdded(Fact::provide("GET /status"))
            ),
            field(
                "api",
                ComponentField::TargetAdded(Fact::provide("GET /status"))
            ),
            field(
                "db",
                ComponentField::TargetDropped(vec![Fact::provide("things")])
            ),
            ComponentChange::Removed(old.components[3].clone()),
            ComponentChange::Added(queue),
        ]
    );
}

#[test]
fn facts_reordered_are_not_a_change() {
    let mut old = base();
    old.components[1].current = vec![Fact::provide("a"), Fact::provide("b")];
    let mut new = old.clone();
    new.components[1].current.reverse();
    assert!(diff(&old, &new).is_empty());
}

#[test]
fn toggles_added_removed_and_changed() {
    let toggle = |id: &str, initially| Toggle {
        id: id.into(),
        initially,
    };
    let mut old = base();
    old.toggles = vec![toggle("a", Switch::Off), toggle("b", Switch::Off)];
    let mut new = base();
    new.toggles = vec![toggle("b", Switch::On), toggle("c", Switch::Off)];
    let d = diff(&old, &new);
    assert_eq!(
        d.toggles,
        vec![
            ToggleChange::Removed {
                id: "a".into(),
                initially: Switch::Off
            },
            ToggleChange::Initially {
                id: "b".into(),
                edit: Edit {
                    old: Switch::Off,
                    new: Switch::On
                }
            },
            ToggleChange::Added {
                id: "c".into(),
                initially: Switch::Off
            },
        ]
    );
}

#[test]
fn accepted_findings_added_removed_and_their_reasons() {
    let accept = |rule: &str, step: &str, reason: &str| Accept {
        rule: rule.into(),
        step: Some(step.into()),
        key: None,
        reason: reason.into(),
    };
    let mut old = base();
    old.accepted = vec![
        accept("noop-change", "table", "was"),
        accept("rollback", "page", "fine"),
    ];
    let mut new = base();
    new.accepted = vec![
        accept("noop-change", "table", "is"),
        accept("external-release", "endpoint", "vendor"),
    ];
    let d = diff(&old, &new);
    assert_eq!(
        d.accepted,
        vec![
            AcceptChange::Reason {
                accept: accept("noop-change", "table", "is"),
                old: "was".into()
            },
            AcceptChange::Removed(accept("rollback", "page", "fine")),
            AcceptChange::Added(accept("external-release", "endpoint", "vendor")),
        ]
    );
}

#[test]
fn story_narrative_and_notes() {
    let old = base();
    let mut new = base();
    new.story = "Show the things, sorted".into();
    new.narrative = Some("As a volunteer".into());
    new.notes = Some("see the RFC".into());
    let d = diff(&old, &new);
    assert_eq!(
        d.story,
        Some(Edit {
            old: "Show the things".into(),
            new: "Show the things, sorted".into()
        })
    );
    assert_eq!(
        d.narrative,
        Some(Edit {
            old: None,
            new: Some("As a volunteer".into())
        })
    );
    assert_eq!(
        d.notes,
        Some(Edit {
            old: None,
            new: Some("see the RFC".into())
        })
    );
}

/// The reminders story with the flip before the table, then in the article's order.
fn reminders_fixed() -> (Plan, Plan) {
    let new = example("reminders");
    let old = reorder(
        new.clone(),
        &["ui-hidden", "endpoints", "enable", "table", "cleanup"],
    );
    (old, new)
}

#[test]
fn moving_the_flip_after_the_table_is_one_move_that_resolves_the_break() {
    let (old, new) = reminders_fixed();
    let d = diff(&old, &new);
    assert_eq!(d.steps, vec![moved("enable", 2, 3)]);
    assert!(d.introduced.is_empty(), "{:?}", d.introduced);
    assert_eq!(
        about(&d.resolved),
        vec![(Rule::BrokenConsumer, Some("enable"), Some("api"))]
    );
    let resolved = &d.resolved[0].finding;
    assert_eq!(resolved.severity, Severity::Error);
    assert_eq!(resolved.key.as_deref(), Some("reminders"));
    // The finding's index is into the old plan, where the flip was step 3.
    assert_eq!(resolved.step, Some(2));
    assert!(d.components.is_empty() && d.toggles.is_empty() && d.accepted.is_empty());

    // And back: one move the other way (of the earlier of the two neighbours) brings the
    // break back.
    let back = diff(&new, &old);
    assert_eq!(back.steps, vec![moved("table", 2, 3)]);
    assert!(back.resolved.is_empty());
    assert_eq!(
        about(&back.introduced),
        vec![(Rule::BrokenConsumer, Some("enable"), Some("api"))]
    );
}

#[test]
fn the_reminders_diff_renders_one_line_per_change() {
    let (old, new) = reminders_fixed();
    let text = render(
        &diff(&old, &new),
        "HEAD~1:.storyplan/reminders.ron",
        ".storyplan/reminders.ron",
        false,
    );
    assert_eq!(
        text,
        "--- HEAD~1:.storyplan/reminders.ron\n\
         +++ .storyplan/reminders.ron\n\
         ↕ step \"enable\" moved 3 → 4\n\
         - resolved error[broken-consumer] (step 3 \"enable\", api, \"reminders\"): api writes \"reminders\" while nothing provides it, from step 3 \"enable\" until step 4 \"table\": what it writes is not saved.\n"
    );
}

#[test]
fn a_small_diff_renders_each_kind_of_line() {
    let old = base();
    let mut new = base();
    // An escape in the plan shows as text: it never reaches the terminal.
    new.story = "Show the \u{1b}[31mthings".into();
    new.toggles.push(Toggle {
        id: "things".into(),
        initially: Switch::Off,
    });
    new.components[2].current = vec![Fact::provide("users")];
    new.steps.remove(0);
    if let Step::Release { title, changes, .. } = &mut new.steps[1] {
        *title = "Things page\nwith a list".into();
        changes[0] = Change::Add(Fact::call("GET /things").gated("things"));
    }
    new.accepted.push(Accept {
        rule: "broken-consumer".into(),
        step: Some("endpoint".into()),
        key: Some("things".into()),
        reason: "the table is made by hand".into(),
    });
    let text = render(&diff(&old, &new), "old.ron", "new.ron", false);
    assert_eq!(
        text,
        r#"--- old.ron
+++ new.ron
~ story: "Show the things" → "Show the \u{1b}[31mthings"
+ component db current: Provide("users")
+ toggle things (initially Off)
- step 1 "table": release of db: "table"
~ step 2 "page" title: "page" → "Things page\nwith a list"
- step 2 "page" Add(Call("GET /things"))
+ step 2 "page" Add(Gated("things", Call("GET /things")))
+ accepted broken-consumer at step "endpoint" on "things": "the table is made by hand"
+ introduced warning[toggle-left-behind] (web, "things"): web still has facts gated by "things" at the end of the plan.
- resolved info[rollback] (step 1 "table", db, "things"): Reverting step 1 "table" once step 3 "page" has shipped leaves a state where api reads "things" while nothing provides it.
- resolved info[rollback] (step 2 "endpoint", api, "GET /things"): Reverting step 2 "endpoint" once step 3 "page" has shipped leaves a state where web calls "GET /things" while nothing provides it.
"#
    );
    let colored = render(&diff(&old, &new), "old.ron", "new.ron", true);
    assert!(colored.contains("\u{1b}[32m+ toggle things"));
    assert!(!colored.contains("\u{1b}[31mthings"));
    // A finding's colour says whether it is good news: an introduced warning is yellow, a
    // resolved finding green.
    assert!(colored.contains("\u{1b}[33m+ introduced warning[toggle-left-behind]"));
    assert!(colored.contains("\u{1b}[32m- resolved info[rollback]"));
}
