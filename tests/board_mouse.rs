//! The mouse, hit-tested against a real draw: press, drag and release on the steps pane
//! end in exactly one move, the same message the move keys send.

use std::path::{Path, PathBuf};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use storyplan::store;
use storyplan::tui::model::{Drag, Model, Pane, Source};
use storyplan::tui::mouse::mouse_to_msg;
use storyplan::tui::msg::Msg;
use storyplan::tui::update::update;
use storyplan::tui::view::{self, LayoutCache};

fn board() -> Model {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/examples/reminders.ron");
    let plan = store::load(&path).expect("example loads").plan;
    Model::new(
        plan,
        Source::File {
            path: PathBuf::from("reminders.ron"),
            stamp: None,
        },
    )
}

fn draw(model: &Model) -> LayoutCache {
    let mut terminal = Terminal::new(TestBackend::new(120, 36)).expect("test terminal");
    let mut cache = LayoutCache::default();
    terminal
        .draw(|frame| cache = view::draw(frame, model))
        .expect("draws");
    cache
}

fn mouse(kind: MouseEventKind, column: u16, row: u16) -> MouseEvent {
    MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    }
}

/// Feeds one mouse event through hit-testing and `update`, redrawing as the loop does.
fn feed(model: &mut Model, cache: &mut LayoutCache, event: MouseEvent) -> Option<Msg> {
    let msg = mouse_to_msg(event, cache, model.drag)?;
    update(model, msg.clone());
    *cache = draw(model);
    Some(msg)
}

fn row_of(cache: &LayoutCache, step: usize) -> u16 {
    cache
        .step_rows
        .iter()
        .find(|(s, _)| *s == step)
        .map(|(_, r)| r.y)
        .expect("the step is on screen")
}

#[test]
fn press_drag_release_is_one_move() {
    let mut model = board();
    let mut cache = draw(&model);
    let x = cache.step_rows[0].1.x + 4;
    let table = row_of(&cache, 2);
    let enable = row_of(&cache, 3);

    let down = feed(
        &mut model,
        &mut cache,
        mouse(MouseEventKind::Down(MouseButton::Left), x, table),
    );
    assert_eq!(down, Some(Msg::DragPress(2)));
    assert_eq!(model.selected, 2);

    // Over the flip's row: the table would land at index 3.
    let over = feed(
        &mut model,
        &mut cache,
        mouse(MouseEventKind::Drag(MouseButton::Left), x, enable),
    );
    assert_eq!(over, Some(Msg::DragOver(3)));
    assert_eq!(model.drag, Drag::Dragging { from: 2, to: 3 });
    assert!(!model.modified(), "nothing moves before the release");

    let up = feed(
        &mut model,
        &mut cache,
        mouse(MouseEventKind::Up(MouseButton::Left), x, enable),
    );
    assert_eq!(up, Some(Msg::MoveStep { from: 2, to: 3 }));
    assert_eq!(model.plan.steps[3].id(), "table");
    assert_eq!(model.selected, 3);
    assert_eq!(model.undo.len(), 1);
    assert_eq!(
        model.report.summary().errors,
        1,
        "the flip now comes before the table"
    );
}

#[test]
fn a_click_without_a_drag_only_selects() {
    let mut model = board();
    let mut cache = draw(&model);
    let x = cache.step_rows[0].1.x + 4;
    let y = row_of(&cache, 4);
    feed(
        &mut model,
        &mut cache,
        mouse(MouseEventKind::Down(MouseButton::Left), x, y),
    );
    let up = feed(
        &mut model,
        &mut cache,
        mouse(MouseEventKind::Up(MouseButton::Left), x, y),
    );
    assert_eq!(up, Some(Msg::SelectStep(4)));
    assert_eq!(model.selected, 4);
    assert!(!model.modified());
    assert_eq!(model.drag, Drag::Idle);
}

#[test]
fn dragging_past_the_last_row_lands_at_the_end() {
    let mut model = board();
    let mut cache = draw(&model);
    let x = cache.step_rows[0].1.x + 4;
    let first = row_of(&cache, 0);
    let below = cache.step_rows.last().expect("rows").1.y + 3;
    feed(
        &mut model,
        &mut cache,
        mouse(MouseEventKind::Down(MouseButton::Left), x, first),
    );
    let over = feed(
        &mut model,
        &mut cache,
        mouse(MouseEventKind::Drag(MouseButton::Left), x, below),
    );
    assert_eq!(over, Some(Msg::DragOver(4)));
}

#[test]
fn clicks_elsewhere_focus_panes_and_the_wheel_scrolls_the_pane_under_it() {
    let mut model = board();
    let mut cache = draw(&model);
    let (_, findings) = *cache
        .panes
        .iter()
        .find(|(p, _)| *p == Pane::Findings)
        .expect("findings pane");
    let at = (findings.x + 2, findings.y + 1);
    let msg = feed(
        &mut model,
        &mut cache,
        mouse(MouseEventKind::Down(MouseButton::Left), at.0, at.1),
    );
    assert_eq!(msg, Some(Msg::SelectFinding(0)));
    assert_eq!(model.pane, Pane::Findings);

    let (_, steps) = cache.panes[0];
    let msg = feed(
        &mut model,
        &mut cache,
        mouse(MouseEventKind::ScrollDown, steps.x + 2, steps.y + 2),
    );
    assert_eq!(
        msg,
        Some(Msg::Wheel {
            pane: Pane::Steps,
            down: true
        })
    );
    assert_eq!(model.selected, 1);
    assert_eq!(
        model.pane,
        Pane::Findings,
        "the wheel does not steal the focus"
    );
}

#[test]
fn a_release_without_a_press_does_nothing() {
    let model = board();
    let cache = draw(&model);
    let event = mouse(MouseEventKind::Up(MouseButton::Left), 5, 5);
    assert_eq!(mouse_to_msg(event, &cache, Drag::Idle), None);
}
