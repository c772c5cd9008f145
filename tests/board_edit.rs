//! Editing on the board without a terminal: forms, lists, the finder, templates, drafts
//! and the kickoff, driven by key presses through `key_to_msg` and `update`. Every edit
//! is one undo step and the checker has re-run after it.

use std::path::{Path, PathBuf};

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers};
use storyplan::check::{Rule, Severity, check};
use storyplan::plan::{Change, Fact, Kind, Plan};
use storyplan::store;
use storyplan::tui::editing;
use storyplan::tui::model::{List, Model, Overlay, Pane, Source};
use storyplan::tui::update::{Context, key_to_msg, update};

fn example(name: &str) -> Plan {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("assets/examples/{name}.ron"));
    store::load(&path).expect("example loads").plan
}

fn board(plan: Plan) -> Model {
    Model::new(
        plan,
        Source::File {
            path: PathBuf::from("plan.ron"),
            stamp: None,
        },
    )
}

fn empty_plan() -> Plan {
    Plan::new("Adopt online")
}

fn press(model: &mut Model, code: KeyCode, mods: KeyModifiers) {
    let key = KeyEvent {
        code,
        modifiers: mods,
        kind: KeyEventKind::Press,
        state: KeyEventState::NONE,
    };
    if let Some(msg) = key_to_msg(&model.keymap, model.context(), key) {
        update(model, msg);
    }
}

fn key(model: &mut Model, code: KeyCode) {
    press(model, code, KeyModifiers::NONE);
}

fn typed(model: &mut Model, text: &str) {
    for c in text.chars() {
        let mods = if c.is_uppercase() {
            KeyModifiers::SHIFT
        } else {
            KeyModifiers::NONE
        };
        press(model, KeyCode::Char(c), mods);
    }
}

fn form_error(model: &Model) -> Option<String> {
    match &model.overlay {
        Some(Overlay::Form { form, .. }) => form.error.clone(),
        _ => None,
    }
}

#[test]
fn a_component_is_added_with_a_form_and_undone_in_one_step() {
    let mut model = board(empty_plan());
    // Steps, details, findings, components.
    key(&mut model, KeyCode::Tab);
    key(&mut model, KeyCode::Tab);
    key(&mut model, KeyCode::Tab);
    assert_eq!(model.pane, Pane::Components);
    key(&mut model, KeyCode::Char('a'));
    assert_eq!(model.context(), Context::Form);
    typed(&mut model, "db");
    key(&mut model, KeyCode::Tab);
    typed(&mut model, "PostgreSQL");
    key(&mut model, KeyCode::Tab);
    // Service → Database: one step along the choice.
    key(&mut model, KeyCode::Right);
    key(&mut model, KeyCode::Enter);
    assert!(model.overlay.is_none(), "{:?}", form_error(&model));
    let db = model.plan.component("db").expect("added");
    assert_eq!((db.name.as_str(), db.kind), ("PostgreSQL", Kind::Database));
    assert_eq!(model.undo.len(), 1);
    key(&mut model, KeyCode::Char('u'));
    assert!(model.plan.components.is_empty());
}

#[test]
fn esc_cancels_a_form_without_touching_the_plan() {
    let mut model = board(example("reminders"));
    key(&mut model, KeyCode::Char('e'));
    typed(&mut model, "-renamed");
    key(&mut model, KeyCode::Esc);
    assert!(model.overlay.is_none());
    assert_eq!(model.plan, example("reminders"));
    assert!(model.undo.is_empty());
}

#[test]
fn a_form_with_a_problem_stays_open_and_says_so() {
    let mut model = board(empty_plan());
    model.pane = Pane::Components;
    key(&mut model, KeyCode::Char('a'));
    key(&mut model, KeyCode::Enter);
    assert_eq!(
        form_error(&model).as_deref(),
        Some("A component needs an id")
    );
    assert!(model.undo.is_empty());
}

#[test]
fn a_new_step_lands_after_the_selection_and_is_checked_at_once() {
    let mut model = board(example("cents-api"));
    // Select "migrate" and add a release of web after it that calls a key nobody provides.
    key(&mut model, KeyCode::Char('j'));
    key(&mut model, KeyCode::Char('a'));
    key(&mut model, KeyCode::Tab);
    typed(&mut model, "audit");
    key(&mut model, KeyCode::Tab);
    typed(&mut model, "Call the audit log");
    key(&mut model, KeyCode::Tab);
    typed(&mut model, "web");
    key(&mut model, KeyCode::Enter);
    assert!(model.overlay.is_none(), "{:?}", form_error(&model));
    assert_eq!(model.plan.steps[2].id(), "audit");
    assert_eq!(model.selected, 2);

    // Its changes: Enter opens them; a adds one.
    key(&mut model, KeyCode::Enter);
    assert!(matches!(
        model.overlay,
        Some(Overlay::List {
            list: List::Changes { step: 2 },
            ..
        })
    ));
    key(&mut model, KeyCode::Char('a'));
    key(&mut model, KeyCode::Tab); // access: Call
    key(&mut model, KeyCode::Tab);
    typed(&mut model, "POST /audit");
    key(&mut model, KeyCode::Enter);
    assert!(form_error(&model).is_none(), "{:?}", form_error(&model));
    assert_eq!(
        model.plan.steps[2].changes(),
        [Change::Add(Fact::call("POST /audit"))]
    );
    // The list is back under the form; the checker already knows.
    assert!(matches!(model.overlay, Some(Overlay::List { .. })));
    assert!(
        model
            .report
            .findings
            .iter()
            .any(|f| { f.rule == Rule::BrokenConsumer && f.key.as_deref() == Some("POST /audit") })
    );
    key(&mut model, KeyCode::Char('d'));
    assert!(model.plan.steps[2].changes().is_empty());
    // Undo works inside the list, which stays open.
    key(&mut model, KeyCode::Char('u'));
    assert_eq!(model.plan.steps[2].changes().len(), 1);
    assert!(matches!(model.overlay, Some(Overlay::List { .. })));
    key(&mut model, KeyCode::Esc);
    assert!(model.overlay.is_none());
}

#[test]
fn completion_offers_the_existing_key_for_a_typo() {
    let mut model = board(example("reminders"));
    new_fact_form(&mut model, 0);
    key(&mut model, KeyCode::Tab); // access: Call
    typed(&mut model, "POST /user/{id}/remindr");
    key(&mut model, KeyCode::Down);
    key(&mut model, KeyCode::Enter); // takes the completion
    key(&mut model, KeyCode::Enter); // submits
    assert!(form_error(&model).is_none(), "{:?}", form_error(&model));
    let web = model.plan.component("web").expect("web");
    assert!(
        web.current
            .contains(&Fact::call("POST /user/{id}/reminder"))
    );
}

#[test]
fn renaming_a_step_keeps_its_acceptance() {
    let mut plan = example("amount-column");
    plan.accepted.push(storyplan::plan::Accept {
        rule: "rollback".into(),
        step: Some("contract".into()),
        key: Some("expenses.amount".into()),
        reason: "archived".into(),
    });
    let mut model = board(plan);
    model.selected = 3;
    key(&mut model, KeyCode::Char('e'));
    key(&mut model, KeyCode::Tab);
    for _ in 0.."contract".len() {
        key(&mut model, KeyCode::Backspace);
    }
    typed(&mut model, "drop-amount");
    key(&mut model, KeyCode::Enter);
    assert!(model.overlay.is_none(), "{:?}", form_error(&model));
    assert_eq!(model.plan.steps[3].id(), "drop-amount");
    assert_eq!(model.plan.accepted[0].step.as_deref(), Some("drop-amount"));
    assert!(
        model
            .report
            .findings
            .iter()
            .any(|f| f.severity == Severity::Accepted)
    );
}

#[test]
fn delete_and_duplicate_are_undoable() {
    let mut model = board(example("reminders"));
    key(&mut model, KeyCode::Char('d'));
    assert_eq!(model.plan.steps.len(), 4);
    key(&mut model, KeyCode::Char('u'));
    assert_eq!(model.plan, example("reminders"));
    key(&mut model, KeyCode::Char('y'));
    assert_eq!(model.plan.steps.len(), 6);
    assert_ne!(model.plan.steps[1].id(), "ui-hidden");
    assert_eq!(model.selected, 1);
}

#[test]
fn a_finding_is_accepted_with_a_reason() {
    let mut plan = example("amount-column");
    plan.steps.remove(0);
    let mut model = board(plan);
    let loss = model
        .report
        .findings
        .iter()
        .position(|f| f.rule == Rule::DataLoss)
        .expect("data loss without the double write");
    model.pane = Pane::Findings;
    model.finding = loss;
    key(&mut model, KeyCode::Char('A'));
    typed(&mut model, "old amounts are archived");
    key(&mut model, KeyCode::Enter);
    assert!(model.overlay.is_none(), "{:?}", form_error(&model));
    let accepted = &model.plan.accepted[0];
    assert_eq!(accepted.rule, "data-loss");
    assert_eq!(accepted.step.as_deref(), Some("contract"));
    let loss = model
        .report
        .findings
        .iter()
        .find(|f| f.rule == Rule::DataLoss)
        .expect("still listed");
    assert_eq!(loss.severity, Severity::Accepted);
}

#[test]
fn the_finder_jumps_to_a_step() {
    let mut model = board(example("reminders"));
    key(&mut model, KeyCode::Char('/'));
    assert_eq!(model.context(), Context::Finder);
    typed(&mut model, "enab");
    key(&mut model, KeyCode::Enter);
    assert!(model.overlay.is_none());
    assert_eq!((model.pane, model.selected), (Pane::Steps, 3));
}

#[test]
fn toggles_are_edited_in_their_list() {
    let mut model = board(example("reminders"));
    key(&mut model, KeyCode::Char('t'));
    key(&mut model, KeyCode::Char('e'));
    for _ in 0.."reminders".len() {
        key(&mut model, KeyCode::Backspace);
    }
    typed(&mut model, "feeding-reminders");
    key(&mut model, KeyCode::Enter);
    assert!(form_error(&model).is_none(), "{:?}", form_error(&model));
    // The rename reaches the gates, the flip and the ungate: still clean.
    assert_eq!(model.plan.toggles[0].id, "feeding-reminders");
    assert_eq!(model.report.summary().errors, 0);
    assert_eq!(model.report.summary().warnings, 0);
}

#[test]
fn a_template_inserts_clean_expand_migrate_contract_steps() {
    let mut plan = example("cents-api");
    plan.steps.clear();
    let mut model = board(plan);
    key(&mut model, KeyCode::Char('p'));
    key(&mut model, KeyCode::Char('j'));
    key(&mut model, KeyCode::Enter);
    assert_eq!(model.context(), Context::Form);
    typed(&mut model, "cents");
    key(&mut model, KeyCode::Tab);
    typed(&mut model, "api");
    key(&mut model, KeyCode::Tab);
    typed(&mut model, "POST /animals/{id}/expense {amount: dollars}");
    key(&mut model, KeyCode::Tab);
    typed(&mut model, "POST /animals/{id}/expense {amount: cents}");
    key(&mut model, KeyCode::Tab);
    typed(&mut model, "web");
    key(&mut model, KeyCode::Enter);
    assert!(model.overlay.is_none(), "{:?}", form_error(&model));
    assert_eq!(model.plan.steps.len(), 3);
    let summary = model.report.summary();
    assert_eq!(
        (summary.errors, summary.warnings),
        (0, 0),
        "{:?}",
        model.report.findings
    );
    assert_eq!(model.undo.len(), 1);
}

#[test]
fn drafted_steps_are_previewed_then_taken_or_discarded() {
    let mut plan = example("amount-column");
    plan.steps.clear();
    let mut model = board(plan.clone());
    key(&mut model, KeyCode::Char('D'));
    assert_eq!(model.context(), Context::Preview);
    key(&mut model, KeyCode::Esc);
    assert_eq!(model.plan, plan);
    key(&mut model, KeyCode::Char('D'));
    key(&mut model, KeyCode::Enter);
    assert!(!model.plan.steps.is_empty());
    let summary = model.report.summary();
    assert_eq!(
        (summary.errors, summary.warnings),
        (0, 0),
        "{:?}",
        model.report.findings
    );
    key(&mut model, KeyCode::Char('u'));
    assert_eq!(model.plan, plan);
}

#[test]
fn the_kickoff_goes_story_components_facts() {
    let mut model = board(empty_plan());
    editing::kickoff(&mut model);
    key(&mut model, KeyCode::Tab);
    typed(&mut model, "As a volunteer I want to pay online");
    key(&mut model, KeyCode::Enter);
    // Components, one form after the other; Esc on an empty one moves on.
    typed(&mut model, "web");
    key(&mut model, KeyCode::Tab);
    key(&mut model, KeyCode::Tab);
    key(&mut model, KeyCode::Left); // Service → Ui
    key(&mut model, KeyCode::Enter);
    typed(&mut model, "api");
    key(&mut model, KeyCode::Enter);
    key(&mut model, KeyCode::Esc);
    assert_eq!(model.plan.components.len(), 2);
    assert_eq!(model.plan.components[0].kind, Kind::Ui);
    // The facts of web, then of api.
    assert!(matches!(
        model.overlay,
        Some(Overlay::List {
            list: List::Facts { component: 0 },
            ..
        })
    ));
    // The fact line: a key alone takes the access the component's kind usually has.
    key(&mut model, KeyCode::Char('a'));
    typed(&mut model, "POST /payment");
    key(&mut model, KeyCode::Enter);
    key(&mut model, KeyCode::Esc);
    assert!(matches!(
        model.overlay,
        Some(Overlay::List {
            list: List::Facts { component: 1 },
            ..
        })
    ));
    key(&mut model, KeyCode::Char('a'));
    typed(&mut model, "p POST /payment");
    key(&mut model, KeyCode::Enter);
    key(&mut model, KeyCode::Esc);
    assert!(model.overlay.is_none());
    assert_eq!(model.kickoff, None);
    assert_eq!(
        model.plan.narrative.as_deref(),
        Some("As a volunteer I want to pay online")
    );
    assert_eq!(
        model.plan.components[1].current,
        [Fact::provide("POST /payment")]
    );
    assert_eq!(check(&model.plan).summary().errors, 0);
}

#[test]
fn a_story_form_confirmed_as_it_opened_keeps_the_text_as_written() {
    let mut plan = example("reminders");
    plan.story = "Reminders  ".to_string();
    plan.narrative = Some("GET / POST of reminders\nline two  \n\nafter a blank line".into());
    plan.notes = Some(" / starts with a slash".into());
    let before = plan.clone();
    let mut model = board(plan);
    key(&mut model, KeyCode::Char('i'));
    assert_eq!(model.context(), Context::Form);
    // Through every field and back, then Enter.
    for _ in 0..3 {
        key(&mut model, KeyCode::Tab);
    }
    key(&mut model, KeyCode::Enter);
    assert!(model.overlay.is_none(), "{:?}", form_error(&model));
    assert_eq!(model.plan, before);
    assert!(!model.modified(), "an unchanged form is not an edit");
}

#[test]
fn narrative_and_notes_take_several_lines() {
    let mut model = board(example("reminders"));
    key(&mut model, KeyCode::Char('i'));
    key(&mut model, KeyCode::Tab);
    // ↓ moves between the narrative's lines: to the end of its last line, then a new line
    // with Alt-Enter.
    key(&mut model, KeyCode::Down);
    key(&mut model, KeyCode::Down);
    key(&mut model, KeyCode::End);
    press(&mut model, KeyCode::Enter, KeyModifiers::ALT);
    typed(&mut model, "Even on weekends");
    key(&mut model, KeyCode::Enter);
    assert!(model.overlay.is_none(), "{:?}", form_error(&model));
    let narrative = model.plan.narrative.as_deref().unwrap_or_default();
    assert!(
        narrative.ends_with("accurate schedule\nEven on weekends"),
        "{narrative:?}"
    );
    assert_eq!(narrative.lines().count(), 4);
}

#[test]
fn a_long_paste_lands_in_the_focused_field_at_once() {
    let mut model = board(example("reminders"));
    key(&mut model, KeyCode::Char('i'));
    // The story's title: one line, so line breaks become spaces; controls are dropped.
    let pasted = "x".repeat(16_000);
    update(
        &mut model,
        storyplan::tui::msg::Msg::Paste(format!("{pasted}\n\u{1b}!")),
    );
    key(&mut model, KeyCode::Tab);
    // The narrative takes lines.
    update(
        &mut model,
        storyplan::tui::msg::Msg::Paste("first\nsecond".into()),
    );
    key(&mut model, KeyCode::Enter);
    assert!(model.overlay.is_none(), "{:?}", form_error(&model));
    let story = &model.plan.story;
    assert!(story.starts_with("Remind volunteers") && story.ends_with(&format!("{pasted} !")));
    assert!(
        model
            .plan
            .narrative
            .as_deref()
            .is_some_and(|n| n.starts_with("first\nsecond")),
        "{:?}",
        model.plan.narrative
    );
}

/// Opens the facts list of component `c` and a new fact form in it, its focus on the
/// access field (after the fact line and current/target).
fn new_fact_form(model: &mut Model, c: usize) {
    model.pane = Pane::Components;
    model.component = c;
    key(model, KeyCode::Enter);
    key(model, KeyCode::Char('a'));
    key(model, KeyCode::Tab);
    key(model, KeyCode::Tab);
}

#[test]
fn a_new_fact_starts_as_its_component_usually_has_it_and_letters_pick_choices() {
    let mut model = board(example("amount-column"));
    let db = model
        .plan
        .components
        .iter()
        .position(|c| c.id == "db")
        .expect("db");
    assert_eq!(model.plan.components[db].kind, Kind::Database);
    new_fact_form(&mut model, db);
    key(&mut model, KeyCode::Tab);
    typed(&mut model, "expenses.type");
    key(&mut model, KeyCode::Enter);
    assert!(
        model.plan.components[db]
            .current
            .contains(&Fact::provide("expenses.type")),
        "a database's new fact provides"
    );

    let api = model
        .plan
        .components
        .iter()
        .position(|c| c.id == "api")
        .expect("api");
    key(&mut model, KeyCode::Esc);
    new_fact_form(&mut model, api);
    // Service: a call, unless a letter picks another access.
    key(&mut model, KeyCode::Char('w'));
    key(&mut model, KeyCode::Tab);
    typed(&mut model, "expenses.type");
    key(&mut model, KeyCode::Enter);
    assert!(
        model.plan.components[api]
            .current
            .contains(&Fact::write("expenses.type")),
        "w picked Write: {:?}",
        model.plan.components[api].current
    );
    // On the current/target choice, t picks target.
    key(&mut model, KeyCode::Char('a'));
    key(&mut model, KeyCode::Tab);
    key(&mut model, KeyCode::Char('t'));
    key(&mut model, KeyCode::Tab);
    key(&mut model, KeyCode::Char('r'));
    key(&mut model, KeyCode::Tab);
    typed(&mut model, "expenses.type");
    key(&mut model, KeyCode::Enter);
    let target = model.plan.components[api]
        .target
        .clone()
        .unwrap_or_default();
    assert!(target.contains(&Fact::read("expenses.type")), "{target:?}");
}

#[test]
fn shift_t_in_a_components_facts_copies_its_current_facts_into_the_target() {
    let mut plan = example("amount-column");
    let db = plan
        .components
        .iter()
        .position(|c| c.id == "db")
        .expect("db");
    plan.components[db].target = None;
    let mut model = board(plan);
    model.pane = Pane::Components;
    model.component = db;
    key(&mut model, KeyCode::Enter);
    press(&mut model, KeyCode::Char('T'), KeyModifiers::SHIFT);
    let c = &model.plan.components[db];
    assert_eq!(c.target.as_ref(), Some(&c.current));
    assert!(
        model
            .notice
            .as_ref()
            .is_some_and(|n| !n.error && n.text.contains("Copied 1"))
    );
    // Again: nothing to copy, and it says so.
    press(&mut model, KeyCode::Char('T'), KeyModifiers::SHIFT);
    assert!(model.notice.as_ref().is_some_and(|n| n.error));
    // One undo step takes the copy back.
    key(&mut model, KeyCode::Char('u'));
    assert_eq!(model.plan.components[db].target, None);
}

#[test]
fn d_on_an_accepted_finding_withdraws_its_acceptance() {
    let mut plan = example("amount-column");
    plan.steps.remove(0);
    let mut model = board(plan);
    let loss = |model: &Model| {
        model
            .report
            .findings
            .iter()
            .position(|f| f.rule == Rule::DataLoss)
            .expect("data loss without the double write")
    };
    model.pane = Pane::Findings;
    model.finding = loss(&model);
    // Not accepted yet: nothing to withdraw, and it says so.
    key(&mut model, KeyCode::Char('d'));
    assert!(model.notice.as_ref().is_some_and(|n| n.error));
    assert!(!model.modified());

    key(&mut model, KeyCode::Char('A'));
    typed(&mut model, "old amounts are archived");
    key(&mut model, KeyCode::Enter);
    assert_eq!(model.plan.accepted.len(), 1);
    model.finding = loss(&model);
    assert_eq!(
        model.report.findings[model.finding].severity,
        Severity::Accepted
    );
    key(&mut model, KeyCode::Char('d'));
    assert!(model.plan.accepted.is_empty());
    let finding = &model.report.findings[loss(&model)];
    assert_eq!(finding.severity, Severity::Error);
    key(&mut model, KeyCode::Char('u'));
    assert_eq!(model.plan.accepted.len(), 1);
}

#[test]
fn tab_takes_the_best_completion_of_a_new_key_then_moves_on() {
    let mut model = board(example("reminders"));
    new_fact_form(&mut model, 0);
    key(&mut model, KeyCode::Tab); // access: Call
    typed(&mut model, "remindr");
    key(&mut model, KeyCode::Tab); // takes the best completion
    let Some(Overlay::Form { form, .. }) = &model.overlay else {
        panic!("the form is open");
    };
    let value = form.focused().map(|f| f.input.value().to_string());
    let value = value.unwrap_or_default();
    // A key the plan has, in place of what was typed.
    let keys: Vec<String> = model
        .plan
        .components
        .iter()
        .flat_map(|c| c.current.iter().chain(c.target.iter().flatten()))
        .map(|f| f.key.clone())
        .collect();
    assert!(keys.contains(&value), "{value} in {keys:?}");
    let before = form.focus;
    key(&mut model, KeyCode::Tab); // an existing key: Tab moves on
    let Some(Overlay::Form { form, .. }) = &model.overlay else {
        panic!("the form is open");
    };
    assert_eq!(form.focus, before + 1);
}

#[test]
fn a_new_key_close_to_one_the_plan_has_is_asked_about_once() {
    let mut model = board(example("reminders"));
    new_fact_form(&mut model, 0);
    key(&mut model, KeyCode::Tab); // access: Call
    typed(&mut model, "POST /user/{id}/remindr");
    key(&mut model, KeyCode::Enter);
    let asked = form_error(&model).unwrap_or_default();
    assert!(
        asked.starts_with(
            "New key \"POST /user/{id}/remindr\" — did you mean \"POST /user/{id}/reminder\"?"
        ),
        "{asked}"
    );
    let web = model.plan.component("web").expect("web").current.clone();
    assert!(
        !web.contains(&Fact::call("POST /user/{id}/remindr")),
        "not saved yet"
    );
    // Enter again keeps it new.
    key(&mut model, KeyCode::Enter);
    assert!(form_error(&model).is_none());
    let web = model.plan.component("web").expect("web");
    assert!(web.current.contains(&Fact::call("POST /user/{id}/remindr")));
}

#[test]
fn typing_in_a_field_clears_the_forms_error() {
    let mut model = board(empty_plan());
    model.pane = Pane::Components;
    key(&mut model, KeyCode::Char('a'));
    key(&mut model, KeyCode::Enter);
    assert!(form_error(&model).is_some(), "a component needs an id");
    typed(&mut model, "db");
    assert!(form_error(&model).is_none());
}

#[test]
fn a_release_of_a_component_the_plan_does_not_have_is_asked_about_with_a_guess() {
    let mut model = board(example("reminders"));
    let steps = model.plan.steps.len();
    key(&mut model, KeyCode::Char('a'));
    key(&mut model, KeyCode::Tab); // id
    typed(&mut model, "more");
    key(&mut model, KeyCode::Tab); // title
    key(&mut model, KeyCode::Tab); // component
    typed(&mut model, "apii");
    key(&mut model, KeyCode::Enter);
    let error = form_error(&model).unwrap_or_default();
    assert_eq!(
        error,
        "There is no component apii: did you mean api? Enter again adds apii as a new component"
    );
    assert_eq!(model.plan.steps.len(), steps);
    // Fixing the typo releases the existing component.
    key(&mut model, KeyCode::Backspace);
    assert!(form_error(&model).is_none());
    key(&mut model, KeyCode::Enter);
    assert!(form_error(&model).is_none(), "{:?}", form_error(&model));
    assert_eq!(model.plan.steps.len(), steps + 1);
    assert_eq!(model.plan.components.len(), 3);
}

#[test]
fn confirming_a_release_of_a_new_component_adds_the_component() {
    let mut model = board(example("reminders"));
    key(&mut model, KeyCode::Char('a'));
    key(&mut model, KeyCode::Tab); // id
    typed(&mut model, "notify");
    key(&mut model, KeyCode::Tab); // title
    key(&mut model, KeyCode::Tab); // component
    typed(&mut model, "events");
    key(&mut model, KeyCode::Enter);
    assert!(form_error(&model).is_some(), "asked first");
    key(&mut model, KeyCode::Enter);
    assert!(model.overlay.is_none(), "{:?}", form_error(&model));
    let events = model.plan.component("events").expect("the new component");
    assert_eq!(events.kind, Kind::Queue, "its id suggests a queue");
    assert!(model.plan.steps.iter().any(|s| s.id() == "notify"));
    let said = model
        .notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default();
    assert!(
        said.contains("with a new component events (a Queue"),
        "{said}"
    );
    // One undo takes back both.
    key(&mut model, KeyCode::Char('u'));
    assert!(model.plan.component("events").is_none());
    assert!(!model.plan.steps.iter().any(|s| s.id() == "notify"));
}

#[path = "common/kickoff.rs"]
mod kickoff;

#[test]
fn the_add_expense_types_kickoff_takes_under_four_hundred_keys() {
    use kickoff::Token;
    let mut model = board(Plan::new("Add expense types"));
    editing::kickoff(&mut model);
    for token in kickoff::SCRIPT {
        match *token {
            Token::Text(text) => typed(&mut model, text),
            Token::Key("Tab") => key(&mut model, KeyCode::Tab),
            Token::Key("Enter") => key(&mut model, KeyCode::Enter),
            Token::Key("Escape") => key(&mut model, KeyCode::Esc),
            Token::Key(c) => typed(&mut model, c),
        }
    }
    let plan = &model.plan;
    let facts: usize = plan
        .components
        .iter()
        .map(|c| c.current.len() + c.target.as_ref().map_or(0, Vec::len))
        .sum();
    let ids: Vec<&str> = plan.components.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["web", "api", "db", "events"]);
    let kinds: Vec<Kind> = plan.components.iter().map(|c| c.kind).collect();
    assert_eq!(
        kinds,
        [Kind::Ui, Kind::Service, Kind::Database, Kind::Queue]
    );
    assert_eq!(facts, 25, "{:#?}", plan.components);
    assert_eq!(plan.toggles.len(), 1);
    assert!(plan.steps.len() >= 4, "the draft was taken");
    let summary = check(plan).summary();
    assert_eq!((summary.errors, summary.warnings), (0, 0));
    // Every component reaches its target.
    assert!(
        check(plan)
            .findings
            .iter()
            .all(|f| f.rule != Rule::TargetNotReached)
    );
    let keys = kickoff::keys();
    eprintln!("the Add expense types kickoff: {keys} keys, {facts} facts");
    assert!(keys < 400, "{keys} keys");
}

#[test]
fn a_pattern_opened_from_a_component_starts_with_it_in_its_field() {
    use storyplan::tui::form::FieldId;
    let mut model = board(example("reminders"));
    model.pane = Pane::Components;
    model.component = model
        .plan
        .components
        .iter()
        .position(|c| c.id == "db")
        .expect("db");
    key(&mut model, KeyCode::Char('p'));
    key(&mut model, KeyCode::Enter); // the toggle feature
    let Some(Overlay::Form { form, .. }) = &model.overlay else {
        panic!("the pattern's form is open");
    };
    let store = form
        .get(FieldId::Store)
        .map(|f| f.input.value().to_string());
    assert_eq!(store.as_deref(), Some("db"));
    let ui = form.get(FieldId::Ui).map(|f| f.input.value().to_string());
    assert_eq!(ui.as_deref(), Some(""));
}

#[test]
fn a_pattern_opened_from_a_step_starts_with_its_component_and_endpoints() {
    let mut model = board(example("reminders"));
    model.pane = Pane::Steps;
    model.selected = 1; // endpoints, a release of api
    key(&mut model, KeyCode::Char('p'));
    key(&mut model, KeyCode::Enter); // the toggle feature
    assert_eq!(field(&model, "service"), "api");
    assert_eq!(
        field(&model, "interfaces"),
        "POST /user/{id}/reminder, GET /user/{id}/reminder"
    );
    assert_eq!(field(&model, "ui"), "");

    // The double write from "contract", a release of db that removes the old column.
    let mut model = board(example("amount-column"));
    model.pane = Pane::Steps;
    model.selected = 3;
    assert_eq!(model.plan.steps[3].id(), "contract");
    key(&mut model, KeyCode::Char('p'));
    key(&mut model, KeyCode::Down);
    key(&mut model, KeyCode::Down);
    key(&mut model, KeyCode::Enter);
    assert_eq!(field(&model, "store"), "db");
    assert_eq!(field(&model, "old"), "expenses.amount");
}

/// The text of the focused form's field labelled `label`.
fn field(model: &Model, label: &str) -> String {
    let Some(Overlay::Form { form, .. }) = &model.overlay else {
        panic!("a form is open");
    };
    let field = form.fields.iter().find(|f| f.id.label() == label);
    field.map(|f| f.value()).unwrap_or_default()
}

#[test]
fn the_fact_line_completes_word_by_word_and_the_fields_follow_it() {
    let mut model = board(example("amount-column"));
    model.pane = Pane::Components;
    model.component = 1; // api
    key(&mut model, KeyCode::Enter);
    key(&mut model, KeyCode::Char('a'));
    // A clause word, completed: Tab takes it and leaves room for its argument.
    typed(&mut model, "serv");
    key(&mut model, KeyCode::Tab);
    assert_eq!(field(&model, "fact"), "serving ");
    // The interface, completed from the plan's keys.
    typed(&mut model, "POST /anim");
    key(&mut model, KeyCode::Tab);
    assert_eq!(field(&model, "fact"), "serving POST /animals/{id}/expense");
    typed(&mut model, " write expenses.amount_c");
    key(&mut model, KeyCode::Tab);
    assert_eq!(
        field(&model, "fact"),
        "serving POST /animals/{id}/expense write expenses.amount_cents"
    );
    assert_eq!(field(&model, "access"), "Write");
    assert_eq!(field(&model, "key"), "expenses.amount_cents");
    assert_eq!(field(&model, "serving"), "POST /animals/{id}/expense");
    key(&mut model, KeyCode::Enter);
    assert!(form_error(&model).is_none(), "{:?}", form_error(&model));
    let api = &model.plan.components[1];
    assert_eq!(api.id, "api");
    assert!(
        api.current
            .contains(&Fact::write("expenses.amount_cents").serving("POST /animals/{id}/expense")),
        "{:?}",
        api.current
    );
}

#[test]
fn a_field_changed_below_the_fact_line_writes_the_line_again() {
    let mut model = board(example("amount-column"));
    model.pane = Pane::Components;
    model.component = 1;
    key(&mut model, KeyCode::Enter);
    key(&mut model, KeyCode::Char('a'));
    typed(&mut model, "expenses.type");
    assert_eq!(field(&model, "fact"), "expenses.type");
    assert_eq!(field(&model, "access"), "Call", "a Service's usual access");
    key(&mut model, KeyCode::Tab); // state
    key(&mut model, KeyCode::Tab); // access
    key(&mut model, KeyCode::Char('r'));
    assert_eq!(field(&model, "fact"), "read expenses.type");
    key(&mut model, KeyCode::Tab); // key
    key(&mut model, KeyCode::Tab); // tolerant
    key(&mut model, KeyCode::Char('y'));
    assert_eq!(field(&model, "fact"), "tolerant read expenses.type");
    key(&mut model, KeyCode::Enter);
    let api = &model.plan.components[1];
    assert!(
        api.current
            .contains(&Fact::read("expenses.type").tolerant())
    );
}

#[test]
fn a_fact_line_that_does_not_read_is_refused_with_what_was_expected() {
    let mut model = board(example("amount-column"));
    model.pane = Pane::Components;
    model.component = 1;
    key(&mut model, KeyCode::Enter);
    key(&mut model, KeyCode::Char('a'));
    typed(&mut model, "call x read y");
    key(&mut model, KeyCode::Enter);
    assert_eq!(
        form_error(&model).as_deref(),
        Some("The fact line: one fact has one access and one key")
    );
    // RON reads too, as the plan writes it.
    for _ in 0.."call x read y".len() {
        key(&mut model, KeyCode::Backspace);
    }
    typed(
        &mut model,
        r#"Gated("cents", Read("expenses.amount_cents"))"#,
    );
    assert_eq!(field(&model, "gated by"), "cents");
    key(&mut model, KeyCode::Enter);
    assert!(form_error(&model).is_none(), "{:?}", form_error(&model));
    let api = &model.plan.components[1];
    assert!(
        api.current
            .contains(&Fact::read("expenses.amount_cents").gated("cents"))
    );
}

#[test]
fn a_change_starts_at_its_fact_line_where_remove_picks_the_kind() {
    let mut model = board(example("amount-column"));
    key(&mut model, KeyCode::Enter); // the changes of step 1
    key(&mut model, KeyCode::Char('a'));
    typed(&mut model, "remove r expenses.amount");
    assert_eq!(field(&model, "change"), "Remove");
    key(&mut model, KeyCode::Enter);
    let changes = model.plan.steps[0].changes();
    assert_eq!(
        changes.last(),
        Some(&Change::Remove(Fact::read("expenses.amount")))
    );
}

#[test]
fn a_components_sources_are_edited_in_its_form() {
    use storyplan::plan::{Dialect, Source};
    let mut model = board(example("amount-column"));
    model.pane = Pane::Components;
    model.component = 2; // db
    key(&mut model, KeyCode::Char('e'));
    for _ in 0..4 {
        key(&mut model, KeyCode::Tab); // name, kind, repo, sources
    }
    typed(&mut model, "sql+oracle:db");
    key(&mut model, KeyCode::Enter);
    assert_eq!(
        form_error(&model).as_deref(),
        Some(
            "`sql+oracle:db`: unknown SQL dialect `oracle`; the dialects are postgres (the default), mysql and sqlite; use openapi:PATH, sql:PATH, sql+mysql:PATH, sql+sqlite:PATH or pact:PATH"
        )
    );
    for _ in 0.."oracle:db".len() {
        key(&mut model, KeyCode::Backspace);
    }
    typed(&mut model, "mysql:db/migrations, openapi:api/openapi.yaml");
    key(&mut model, KeyCode::Enter);
    assert!(model.overlay.is_none(), "{:?}", form_error(&model));
    assert_eq!(
        model.plan.components[2].sources,
        [
            Source::Sql("db/migrations".into(), Dialect::MySql),
            Source::OpenApi("api/openapi.yaml".into()),
        ]
    );
    // The form shows them as they are typed.
    key(&mut model, KeyCode::Char('e'));
    assert_eq!(
        field(&model, "sources"),
        "sql+mysql:db/migrations, openapi:api/openapi.yaml"
    );
}

#[test]
fn s_marks_the_selected_step_shipped_and_again_unmarks_it() {
    let mut model = board(example("reminders"));
    model.pane = Pane::Steps;
    model.selected = 1;
    assert!(!model.plan.steps[1].shipped());
    key(&mut model, KeyCode::Char('s'));
    assert!(model.plan.steps[1].shipped());
    let said = model
        .notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default();
    assert_eq!(said, "Step 2 \"endpoints\" marked shipped");
    key(&mut model, KeyCode::Char('s'));
    assert!(!model.plan.steps[1].shipped());
    key(&mut model, KeyCode::Char('u'));
    assert!(model.plan.steps[1].shipped(), "one undo a press");
}
