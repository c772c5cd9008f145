//! Sharing from the board without a terminal: the export preview and what it asks the
//! loop to do (copy, write), and comparing with a git ref.

use std::path::{Path, PathBuf};

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers};
use storyplan::plan::Plan;
use storyplan::store;
use storyplan::tui::model::{Export, Model, Overlay, Source};
use storyplan::tui::msg::{Effect, Msg};
use storyplan::tui::update::{Context, key_to_msg, update};

fn example(name: &str) -> Plan {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("assets/examples/{name}.ron"));
    store::load(&path).expect("example loads").plan
}

fn board() -> Model {
    Model::new(
        example("amount-column"),
        Source::File {
            path: PathBuf::from(".storyplan/amount-column.ron"),
            stamp: None,
        },
    )
}

fn key(model: &mut Model, code: KeyCode) -> Option<Effect> {
    let key = KeyEvent {
        code,
        modifiers: KeyModifiers::NONE,
        kind: KeyEventKind::Press,
        state: KeyEventState::NONE,
    };
    let msg = key_to_msg(&model.keymap, model.context(), key)?;
    update(model, msg)
}

fn reader(model: &Model) -> (&str, Option<Export>) {
    match &model.overlay {
        Some(Overlay::Reader { text, export, .. }) => (text.as_str(), *export),
        _ => panic!("the reader is not open"),
    }
}

#[test]
fn the_export_preview_copies_the_whole_plan_or_the_selected_step() {
    let mut model = board();
    model.selected = 1;
    key(&mut model, KeyCode::Char('x'));
    let (text, export) = reader(&model);
    assert_eq!(export, Some(Export::Plan));
    assert!(text.contains("# Store expense amounts as cents in a new column"));
    let whole = text.to_string();

    key(&mut model, KeyCode::Tab);
    let (text, export) = reader(&model);
    assert_eq!(export, Some(Export::Step(1)));
    assert!(text.contains("Step 2 of 4"), "{text}");
    let step = text.to_string();
    assert_ne!(step, whole);

    assert_eq!(
        key(&mut model, KeyCode::Char('c')),
        Some(Effect::Copy(step.clone()))
    );

    key(&mut model, KeyCode::Char('w'));
    assert_eq!(model.context(), Context::Text);
    let effect = key(&mut model, KeyCode::Enter);
    assert_eq!(
        effect,
        Some(Effect::Write {
            path: PathBuf::from("expand.md"),
            text: step
        })
    );
    key(&mut model, KeyCode::Esc);
}

#[test]
fn the_reader_scrolls_within_the_text_and_closes() {
    let mut model = board();
    key(&mut model, KeyCode::Char('x'));
    for _ in 0..3 {
        key(&mut model, KeyCode::Char('j'));
    }
    assert!(matches!(
        model.overlay,
        Some(Overlay::Reader { scroll: 3, .. })
    ));
    key(&mut model, KeyCode::Char('G'));
    let lines = reader(&model).0.lines().count() as u16;
    assert!(matches!(model.overlay, Some(Overlay::Reader { scroll, .. }) if scroll == lines - 1));
    key(&mut model, KeyCode::Esc);
    assert!(model.overlay.is_none());
}

#[test]
fn page_down_in_the_reader_moves_by_the_lines_it_shows() {
    let mut model = board();
    key(&mut model, KeyCode::Char('x'));
    // The loop tells the model how many lines the reader shows, as it draws it.
    update(&mut model, storyplan::tui::msg::Msg::PageRows(17));
    key(&mut model, KeyCode::PageDown);
    assert!(matches!(
        model.overlay,
        Some(Overlay::Reader { scroll: 17, .. })
    ));
    key(&mut model, KeyCode::PageDown);
    key(&mut model, KeyCode::PageUp);
    assert!(matches!(
        model.overlay,
        Some(Overlay::Reader { scroll: 17, .. })
    ));
}

#[test]
fn comparing_asks_for_a_ref_and_shows_what_the_loop_found() {
    let mut model = board();
    key(&mut model, KeyCode::Char('c'));
    assert_eq!(model.context(), Context::Text);
    let effect = key(&mut model, KeyCode::Enter);
    match effect {
        Some(Effect::Compare {
            reference, path, ..
        }) => {
            assert_eq!(reference, "HEAD");
            assert_eq!(path, PathBuf::from(".storyplan/amount-column.ron"));
        }
        other => panic!("expected a comparison, got {other:?}"),
    }
    update(
        &mut model,
        Msg::Show {
            title: "Changes since HEAD".into(),
            text: "↕ step \"expand\" moved 2 → 1".into(),
        },
    );
    assert_eq!(reader(&model), ("↕ step \"expand\" moved 2 → 1", None));
    // Copy and write belong to exports only.
    assert_eq!(key(&mut model, KeyCode::Char('c')), None);
}

#[test]
fn an_example_in_memory_cannot_be_compared() {
    let mut model = Model::new(
        example("reminders"),
        Source::Example {
            name: "reminders".into(),
        },
    );
    key(&mut model, KeyCode::Char('c'));
    assert!(model.overlay.is_none());
    assert!(model.notice.as_ref().is_some_and(|n| n.error));
}

#[test]
fn the_reader_wraps_long_lines_and_shows_its_keys() {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use storyplan::tui::view;

    let mut model = board();
    let long = format!("{} end-of-the-long-line", "word ".repeat(40));
    update(
        &mut model,
        Msg::Show {
            title: "Changes since HEAD".into(),
            text: format!("first line\n{long}"),
        },
    );
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).expect("test terminal");
    terminal
        .draw(|frame| {
            view::draw(frame, &model);
        })
        .expect("draws");
    let screen: String = terminal
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|cell| cell.symbol())
        .collect();
    assert!(screen.contains("Changes since HEAD"));
    assert!(screen.contains("first line"));
    assert!(
        screen.contains("end-of-the-long-line"),
        "the long line was cut"
    );
    assert!(screen.contains("j/k scroll · Esc close"));
}
