//! The `/` finder and field completion on the reminders story: what a query finds, where
//! Enter goes, what completion offers, and how both look.

use std::path::Path;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use storyplan::check::{Report, check};
use storyplan::plan::{Fact, Plan};
use storyplan::store;
use storyplan::tui::complete::{Completion, CompletionView, Pool, candidates};
use storyplan::tui::finder::{Finder, FinderOutcome, FinderView, ItemKind, Target, first_mention};
use storyplan::tui::theme::Theme;

fn reminders() -> (Plan, Report) {
    let plan = store::load(Path::new("assets/examples/reminders.ron"))
        .expect("the reminders example loads")
        .plan;
    let report = check(&plan);
    (plan, report)
}

fn finder() -> Finder {
    let (plan, report) = reminders();
    Finder::new(&plan, &report)
}

fn press(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn type_in(finder: &mut Finder, text: &str) {
    for c in text.chars() {
        assert_eq!(finder.handle(&press(KeyCode::Char(c))), None);
    }
}

fn labels(finder: &Finder) -> Vec<&str> {
    finder.rows().map(|item| item.label.as_str()).collect()
}

#[test]
fn the_finder_lists_steps_components_keys_and_findings() {
    let finder = finder();
    let rows = labels(&finder);
    assert_eq!(
        rows[0],
        "step 1 ui-hidden — Reminder button and nav item, hidden behind the toggle"
    );
    assert!(
        rows.contains(&"step 4 enable — Turn reminders on"),
        "{rows:#?}"
    );
    assert!(
        rows.contains(&"component api — Shelter API (Service)"),
        "{rows:#?}"
    );
    assert!(rows.contains(&"key POST /user/{id}/reminder"), "{rows:#?}");
    // Keys are distinct and sorted, serving interfaces included.
    let keys: Vec<&str> = finder
        .items()
        .iter()
        .filter(|item| item.kind == ItemKind::Key)
        .map(|item| item.text())
        .collect();
    assert_eq!(
        keys,
        [
            "GET /user/{id}",
            "GET /user/{id}/reminder",
            "POST /user/{id}/reminder",
            "reminders",
            "users",
        ]
    );
    let findings: Vec<&str> = finder
        .items()
        .iter()
        .filter(|item| item.kind == ItemKind::Finding)
        .map(|item| item.label.as_str())
        .collect();
    assert_eq!(findings.len(), 2);
    assert!(
        findings[0].starts_with("finding ○ rollback step 2 — Reverting step 2 \"endpoints\""),
        "{findings:#?}"
    );
    assert_eq!(finder.total(), 5 + 3 + 5 + 2);
    assert_eq!(finder.selected_target(), Some(&Target::Step(0)));
}

#[test]
fn enab_puts_the_enable_step_first() {
    let mut finder = finder();
    type_in(&mut finder, "enab");
    assert_eq!(finder.query(), "enab");
    assert_eq!(finder.selected_target(), Some(&Target::Step(3)));
    assert_eq!(labels(&finder)[0], "step 4 enable — Turn reminders on");
}

#[test]
fn several_words_each_narrow_the_list() {
    let mut finder = finder();
    type_in(&mut finder, "remind tab");
    assert_eq!(
        finder.selected_target(),
        Some(&Target::Step(2)),
        "{:#?}",
        labels(&finder)
    );
    assert_eq!(
        labels(&finder)[0],
        "step 3 table — Create the reminders table"
    );
    // Both words must match: a row without "remind" is gone, even with "tab" in it.
    assert!(
        finder
            .rows()
            .all(|item| item.label.to_lowercase().contains("remind"))
    );
    let db = Target::Component(2);
    assert!(finder.rows().all(|item| item.target != db));
}

#[test]
fn an_upper_case_word_finds_the_key() {
    let mut finder = finder();
    type_in(&mut finder, "POST rem");
    assert_eq!(
        finder.selected_target(),
        Some(&Target::Key("POST /user/{id}/reminder".to_string())),
        "{:#?}",
        labels(&finder)
    );
    // Smart case: "POST" does not match "post" in lower case anywhere.
    assert!(finder.rows().all(|item| item.label.contains("POST")));
}

#[test]
fn a_finding_is_found_by_its_rule() {
    let mut finder = finder();
    type_in(&mut finder, "rollback");
    assert_eq!(
        finder.selected_target(),
        Some(&Target::Finding(0)),
        "{:#?}",
        labels(&finder)
    );
    assert_eq!(
        finder.handle(&press(KeyCode::Down)),
        None,
        "the second rollback finding is next"
    );
    assert_eq!(finder.selected_target(), Some(&Target::Finding(1)));
}

#[test]
fn enter_jumps_esc_cancels() {
    let mut finder = finder();
    type_in(&mut finder, "enab");
    assert_eq!(
        finder.handle(&press(KeyCode::Enter)),
        Some(FinderOutcome::Jump(Target::Step(3)))
    );
    assert_eq!(
        finder.handle(&press(KeyCode::Esc)),
        Some(FinderOutcome::Cancel)
    );
    // Ctrl-c is the board's: it quits from anywhere (see board_update), not the finder's.
    assert_eq!(finder.handle(&ctrl('c')), None);
    // A release is not a press.
    let mut release = press(KeyCode::Esc);
    release.kind = KeyEventKind::Release;
    assert_eq!(finder.handle(&release), None);
    // Nothing to jump to: Enter does nothing.
    finder.set_query("zzzz");
    assert_eq!(finder.rows().len(), 0);
    assert_eq!(finder.selected_target(), None);
    assert_eq!(finder.handle(&press(KeyCode::Enter)), None);
}

#[test]
fn arrows_and_ctrl_keys_select_and_editing_keys_edit() {
    let mut finder = finder();
    finder.handle(&press(KeyCode::Down));
    finder.handle(&ctrl('n'));
    assert_eq!(finder.selected(), Some(2));
    finder.handle(&ctrl('p'));
    assert_eq!(finder.selected_target(), Some(&Target::Step(1)));
    finder.handle(&press(KeyCode::Up));
    finder.handle(&press(KeyCode::Up));
    assert_eq!(finder.selected(), Some(0));
    finder.handle(&press(KeyCode::PageDown));
    finder.handle(&press(KeyCode::PageDown));
    assert_eq!(finder.selected(), Some(finder.total() - 1));
    // Typing re-ranks and selects the best match again.
    type_in(&mut finder, "keyy");
    finder.handle(&press(KeyCode::Backspace));
    assert_eq!(finder.query(), "key");
    assert_eq!(finder.selected(), Some(0));
    finder.handle(&press(KeyCode::Left));
    finder.handle(&press(KeyCode::Char('X')));
    assert_eq!(finder.query(), "keXy");
    finder.handle(&ctrl('w'));
    assert_eq!(finder.query(), "y");
    finder.handle(&ctrl('u'));
    assert_eq!(finder.query(), "");
    assert_eq!(finder.rows().len(), finder.total());
    // Alt-letters are not typing.
    finder.handle(&KeyEvent::new(KeyCode::Char('x'), KeyModifiers::ALT));
    assert_eq!(finder.query(), "");
}

#[test]
fn a_key_jumps_to_the_first_step_that_changes_it() {
    let (plan, _) = reminders();
    // Step 1 gates on the toggle "reminders"; step 2 is the first to name the table.
    assert_eq!(first_mention(&plan, "reminders"), Some(Target::Step(1)));
    assert_eq!(
        first_mention(&plan, "POST /user/{id}/reminder"),
        Some(Target::Step(0))
    );
    // No step changes it: the first component that has it.
    assert_eq!(first_mention(&plan, "users"), Some(Target::Component(1)));
    assert_eq!(
        first_mention(&plan, "GET /user/{id}"),
        Some(Target::Component(0))
    );
    assert_eq!(first_mention(&plan, "nothing"), None);
}

#[test]
fn control_characters_are_removed_from_labels() {
    let (mut plan, _) = reminders();
    plan.components[0].name = "Web\u{1b}[31m app\nnext".to_string();
    plan.components[0]
        .current
        .push(Fact::call("GET \u{1b}]0;x\u{7}/evil"));
    if let storyplan::plan::Step::Flip { title, .. } = &mut plan.steps[3] {
        *title = "Turn \u{9b}2Jon".to_string();
    }
    let report = check(&plan);
    let mut finder = Finder::new(&plan, &report);
    for item in finder.items() {
        assert!(
            !item.label.chars().any(char::is_control),
            "{:?}",
            item.label
        );
    }
    let labels: Vec<&str> = finder.items().iter().map(|i| i.label.as_str()).collect();
    assert!(
        labels.contains(&"component web — Web[31m app next (Ui)"),
        "{labels:#?}"
    );
    assert!(labels.contains(&"step 4 enable — Turn 2Jon"), "{labels:#?}");
    assert!(labels.contains(&"key GET ]0;x/evil"), "{labels:#?}");
    // The key's target keeps the plan's spelling, so the jump finds it.
    finder.set_query("evil");
    let target = finder.selected_target().cloned();
    assert_eq!(
        target,
        Some(Target::Key("GET \u{1b}]0;x\u{7}/evil".to_string()))
    );
    let Some(Target::Key(key)) = target else {
        unreachable!()
    };
    assert_eq!(first_mention(&plan, &key), Some(Target::Component(0)));
    // A control character typed into the query is dropped.
    finder.set_query("");
    finder.handle(&press(KeyCode::Char('\u{1b}')));
    assert_eq!(finder.query(), "");
}

#[test]
fn completion_offers_the_existing_key_for_a_typo() {
    let (plan, _) = reminders();
    let mut keys = Completion::new(candidates(&plan, Pool::Keys));
    let typo = "POST /user/{id}/remindr";
    keys.update(typo);
    assert_eq!(keys.suggestions().next(), Some("POST /user/{id}/reminder"));
    assert!(keys.is_new(typo));
    assert_eq!(keys.accept(), None, "nothing is taken until one is picked");
    keys.next();
    assert_eq!(keys.accept(), Some("POST /user/{id}/reminder"));
    // An existing key, exactly: not new.
    keys.update("reminders");
    assert!(!keys.is_new("reminders"));
    assert!(!keys.is_new(" reminders "));
    assert!(keys.is_new("Reminders"));
    assert!(!keys.is_new(""));
}

#[test]
fn candidates_are_distinct_and_sorted_per_pool() {
    let (plan, _) = reminders();
    for pool in [Pool::Keys, Pool::Components, Pool::Toggles, Pool::Steps] {
        let names = candidates(&plan, pool);
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(names, sorted, "{pool:?}");
    }
    assert_eq!(candidates(&plan, Pool::Components), ["api", "db", "web"]);
    assert_eq!(candidates(&plan, Pool::Toggles), ["reminders"]);
    assert_eq!(
        candidates(&plan, Pool::Steps),
        ["cleanup", "enable", "endpoints", "table", "ui-hidden"]
    );
    // "users" is named by current facts of two components and a Serving: once.
    let keys = candidates(&plan, Pool::Keys);
    assert_eq!(keys.iter().filter(|k| *k == "users").count(), 1);
}

fn draw_finder(finder: &Finder, theme: &Theme) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    terminal
        .draw(|frame| {
            let area = frame.area();
            let view = FinderView::new(finder, theme);
            frame.render_widget(&view, area);
            frame.set_cursor_position(view.cursor(area));
        })
        .unwrap();
    terminal
}

#[test]
fn snapshot_of_the_finder() {
    let mut finder = finder();
    type_in(&mut finder, "rem");
    let terminal = draw_finder(&finder, &Theme::default());
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn the_finder_highlights_matches_marks_the_selection_and_places_the_cursor() {
    let theme = Theme::plain();
    let mut finder = finder();
    type_in(&mut finder, "enab");
    let mut terminal = draw_finder(&finder, &theme);
    let buffer = terminal.backend().buffer().clone();
    let (x, y) = (0..30u16)
        .flat_map(|y| (0..100u16).map(move |x| (x, y)))
        .find(|&(x, y)| buffer[(x, y)].symbol() == "▶")
        .expect("a selected row");
    assert!(buffer[(x, y)].modifier.contains(Modifier::REVERSED));
    let row: String = (x..x + 60).map(|x| buffer[(x, y)].symbol()).collect();
    assert!(
        row.starts_with("▶ step      4 enable — Turn reminders on"),
        "{row}"
    );
    let matched: String = (x..x + 60)
        .map(|x| &buffer[(x, y)])
        .filter(|cell| cell.modifier.contains(Modifier::UNDERLINED))
        .map(|cell| cell.symbol())
        .collect();
    assert_eq!(matched, "enab");
    let screen = terminal.backend().to_string();
    assert!(screen.contains(&format!("{}/{}", finder.rows().len(), finder.total())));
    let cursor = terminal.get_cursor_position().unwrap();
    let before: String = (cursor.x - 4..cursor.x)
        .map(|x| buffer[(x, cursor.y)].symbol())
        .collect();
    assert_eq!(before, "enab");
}

#[test]
fn a_long_list_keeps_the_selection_on_screen_and_tiny_screens_do_not_panic() {
    let mut finder = finder();
    for _ in 0..14 {
        finder.handle(&press(KeyCode::Down));
    }
    let terminal = draw_finder(&finder, &Theme::plain());
    let screen = terminal.backend().to_string();
    assert!(screen.contains("▶ finding"), "{screen}");
    let theme = Theme::default();
    for (w, h) in [(0, 0), (1, 1), (10, 3), (30, 8)] {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        terminal
            .draw(|frame| {
                let view = FinderView::new(&finder, &theme);
                frame.render_widget(&view, frame.area());
                let _ = view.cursor(frame.area());
            })
            .unwrap();
    }
}

fn draw_completion(completion: &Completion, field: Rect) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(60, 14)).unwrap();
    terminal
        .draw(|frame| {
            let theme = Theme::default();
            let view = CompletionView::new(completion, &theme, field);
            frame.render_widget(&view, frame.area());
        })
        .unwrap();
    terminal
}

#[test]
fn snapshot_of_a_completion() {
    let (plan, _) = reminders();
    let mut keys = Completion::for_plan(&plan, Pool::Keys);
    keys.update("user rem");
    keys.next();
    keys.next();
    let terminal = draw_completion(&keys, Rect::new(4, 2, 36, 1));
    insta::assert_snapshot!(terminal.backend());
}
