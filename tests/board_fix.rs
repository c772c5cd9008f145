//! `F` on the board: the nearest safe order previewed and applied as one undo step, and
//! the repairs offered as choices when no order is free of errors.

use std::path::{Path, PathBuf};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers};
use storyplan::check::check;
use storyplan::plan::Plan;
use storyplan::store;
use storyplan::tui::model::{Model, Overlay, Source};
use storyplan::tui::theme::Theme;
use storyplan::tui::update::{key_to_msg, update};
use storyplan::tui::view;

fn board(plan: Plan) -> Model {
    let mut model = Model::new(
        plan,
        Source::File {
            path: PathBuf::from(".storyplan/plan.ron"),
            stamp: None,
        },
    );
    model.theme = Theme::plain();
    model
}

fn example(name: &str) -> Plan {
    let path = format!("{}/assets/examples/{name}.ron", env!("CARGO_MANIFEST_DIR"));
    store::load(Path::new(&path)).expect("example loads").plan
}

fn key(model: &mut Model, code: KeyCode) {
    let event = KeyEvent {
        code,
        modifiers: KeyModifiers::NONE,
        kind: KeyEventKind::Press,
        state: KeyEventState::NONE,
    };
    if let Some(msg) = key_to_msg(&model.keymap, model.context(), event) {
        update(model, msg);
    }
}

fn ids(model: &Model) -> Vec<&str> {
    model.plan.steps.iter().map(|s| s.id()).collect()
}

fn notice(model: &Model) -> String {
    model
        .notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default()
}

#[test]
fn f_previews_the_nearest_safe_order_and_enter_applies_it_as_one_undo_step() {
    // The reminders story with the flip before the table.
    let mut plan = example("reminders");
    plan.steps.swap(2, 3);
    let mut model = board(plan);
    let written: Vec<String> = ids(&model).iter().map(|s| s.to_string()).collect();
    key(&mut model, KeyCode::Char('F'));
    assert!(matches!(model.overlay, Some(Overlay::Fix { .. })));
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).expect("terminal");
    terminal
        .draw(|frame| {
            view::draw(frame, &model);
        })
        .expect("drawn");
    insta::assert_snapshot!("fix_preview_100x30", terminal.backend());

    key(&mut model, KeyCode::Enter);
    assert!(model.overlay.is_none());
    assert_eq!(
        ids(&model),
        ["ui-hidden", "endpoints", "table", "enable", "cleanup"]
    );
    assert_eq!(check(&model.plan).summary().errors, 0);
    assert_eq!(
        notice(&model),
        "Moved 1 step into the nearest safe order (u undoes it)"
    );
    key(&mut model, KeyCode::Char('u'));
    assert_eq!(ids(&model), written);
}

#[test]
fn a_safe_order_has_nothing_to_fix_and_esc_discards_a_preview() {
    let mut model = board(example("amount-column"));
    key(&mut model, KeyCode::Char('F'));
    assert!(model.overlay.is_none());
    assert_eq!(
        notice(&model),
        "The written order is already the nearest safe one"
    );
    let mut plan = example("reminders");
    plan.steps.swap(2, 3);
    let mut model = board(plan);
    let before = model.plan.clone();
    key(&mut model, KeyCode::Char('F'));
    key(&mut model, KeyCode::Esc);
    assert!(model.overlay.is_none());
    assert_eq!(model.plan, before);
}

#[path = "common/cycle.rs"]
mod cycle;

use cycle::CYCLE;

#[test]
fn without_a_safe_order_the_repairs_are_choices_and_enter_applies_the_chosen_one() {
    let plan = store::parse(Path::new("cycle.ron"), CYCLE)
        .expect("loads")
        .plan;
    let mut model = board(plan);
    key(&mut model, KeyCode::Char('F'));
    let Some(Overlay::Fix { fixed, choice, .. }) = &model.overlay else {
        panic!("the preview is open: {}", notice(&model));
    };
    assert!(!fixed.found);
    assert_eq!(*choice, 0);
    let offset = usize::from(!fixed.moves.is_empty());
    let toggle = fixed
        .repairs
        .iter()
        .position(|r| r.kind == storyplan::compose::fix::RepairKind::Toggle)
        .expect("a toggle repair");
    let wanted = fixed.repairs[toggle].plan.clone();
    for _ in 0..offset + toggle {
        key(&mut model, KeyCode::Down);
    }
    key(&mut model, KeyCode::Enter);
    assert_eq!(model.plan, wanted);
    assert_eq!(check(&model.plan).summary().errors, 0);
    assert!(
        notice(&model).starts_with("Repaired: "),
        "{}",
        notice(&model)
    );
}
