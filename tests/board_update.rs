//! The board's state machine without a terminal: keys to messages, and what `update`
//! does with them.

use std::path::{Path, PathBuf};

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers};
use storyplan::check::Status;
use storyplan::plan::Plan;
use storyplan::store::{self, Stamp};
use storyplan::tui::app::perform;
use storyplan::tui::keymap::{Action, Keymap, Mode};
use storyplan::tui::model::{Drag, Model, Overlay, Pane, Question, Source};
use storyplan::tui::msg::{Effect, Msg};
use storyplan::tui::update::{Context, key_to_msg, update};

fn example(name: &str) -> Plan {
    let path = format!("{}/assets/examples/{name}.ron", env!("CARGO_MANIFEST_DIR"));
    store::load(Path::new(&path)).expect("example loads").plan
}

fn board(plan: Plan) -> Model {
    Model::new(
        plan,
        Source::File {
            path: PathBuf::from("plan.ron"),
            stamp: Some(Stamp::of_bytes(b"on disk")),
        },
    )
}

/// The reminders story with the flip moved before the table: one break.
fn broken_reminders() -> Model {
    let mut plan = example("reminders");
    plan.steps.swap(2, 3);
    board(plan)
}

fn press(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
    KeyEvent {
        code,
        modifiers: mods,
        kind: KeyEventKind::Press,
        state: KeyEventState::NONE,
    }
}

fn key(model: &mut Model, code: KeyCode, mods: KeyModifiers) -> Option<Effect> {
    let msg = key_to_msg(&model.keymap, model.context(), press(code, mods))?;
    update(model, msg)
}

fn ids(model: &Model) -> Vec<&str> {
    model.plan.steps.iter().map(|s| s.id()).collect()
}

#[test]
fn key_releases_do_nothing() {
    let mut release = press(KeyCode::Char('j'), KeyModifiers::NONE);
    release.kind = KeyEventKind::Release;
    assert_eq!(
        key_to_msg(&Keymap::default(), Context::Keys(Mode::Board), release),
        None
    );
}

#[test]
fn moving_the_flip_after_the_table_clears_the_error_and_the_selection_follows() {
    let mut model = broken_reminders();
    assert_eq!(model.report.summary().errors, 1);
    model.selected = 2;
    assert_eq!(model.plan.steps[2].id(), "enable");
    key(&mut model, KeyCode::Char('J'), KeyModifiers::SHIFT);
    assert_eq!(
        ids(&model),
        ["ui-hidden", "endpoints", "table", "enable", "cleanup"]
    );
    assert_eq!(model.selected, 3);
    assert_eq!(model.report.summary().errors, 0);
    assert!(model.modified());
    let notice = model.notice.as_ref().expect("the move is reported");
    assert!(notice.text.contains("1 → 0 errors"), "{}", notice.text);
}

#[test]
fn alt_arrows_move_steps_too_and_stop_at_the_ends() {
    let mut model = board(example("cents-api"));
    key(&mut model, KeyCode::Up, KeyModifiers::ALT);
    assert_eq!(ids(&model), ["expand", "migrate", "contract"]);
    assert!(!model.modified());
    key(&mut model, KeyCode::Down, KeyModifiers::ALT);
    assert_eq!(ids(&model), ["migrate", "expand", "contract"]);
    assert_eq!(model.report.steps[0].status, Status::Error);
}

#[test]
fn undo_and_redo_walk_back_and_forth_through_many_moves() {
    let mut model = board(example("amount-column"));
    let original = ids(&model).join(",");
    for _ in 0..3 {
        key(&mut model, KeyCode::Char('J'), KeyModifiers::SHIFT);
    }
    assert_eq!(
        ids(&model),
        ["expand", "migrate", "contract", "double-write"]
    );
    for _ in 0..3 {
        key(&mut model, KeyCode::Char('u'), KeyModifiers::NONE);
    }
    assert_eq!(ids(&model).join(","), original);
    assert!(!model.modified());
    assert_eq!(model.selected, 0);
    key(&mut model, KeyCode::Char('r'), KeyModifiers::CONTROL);
    key(&mut model, KeyCode::Char('r'), KeyModifiers::CONTROL);
    assert_eq!(
        ids(&model),
        ["expand", "migrate", "double-write", "contract"]
    );
    // A new edit after undo drops the redo history.
    key(&mut model, KeyCode::Char('u'), KeyModifiers::NONE);
    assert_eq!(model.redo.len(), 2);
    key(&mut model, KeyCode::Char('K'), KeyModifiers::SHIFT);
    assert_eq!(
        ids(&model),
        ["double-write", "expand", "migrate", "contract"]
    );
    assert!(model.redo.is_empty());
}

#[test]
fn a_drag_ends_in_one_move() {
    let mut model = broken_reminders();
    update(&mut model, Msg::DragPress(2));
    assert_eq!(model.drag, Drag::Pressed { step: 2 });
    update(&mut model, Msg::DragOver(4));
    update(&mut model, Msg::DragOver(3));
    assert_eq!(model.drag, Drag::Dragging { from: 2, to: 3 });
    update(&mut model, Msg::MoveStep { from: 2, to: 3 });
    assert_eq!(model.drag, Drag::Idle);
    assert_eq!(model.report.summary().errors, 0);
    assert_eq!(model.undo.len(), 1);
}

#[test]
fn saving_a_file_asks_the_loop_to_write_it_against_its_stamp() {
    let mut model = broken_reminders();
    let effect = key(&mut model, KeyCode::Char('s'), KeyModifiers::CONTROL);
    match effect {
        Some(Effect::Save {
            path,
            expected,
            force,
            then_quit,
            ..
        }) => {
            assert_eq!(path, PathBuf::from("plan.ron"));
            assert_eq!(expected, Some(Stamp::of_bytes(b"on disk")));
            assert!(!force && !then_quit);
        }
        other => panic!("expected a save, got {other:?}"),
    }
}

#[test]
fn a_file_changed_on_disk_asks_before_overwriting() {
    let mut model = broken_reminders();
    key(&mut model, KeyCode::Char('J'), KeyModifiers::SHIFT);
    update(&mut model, Msg::DiskChanged { then_quit: false });
    assert_eq!(
        model.context(),
        Context::Ask(Question::Conflict { then_quit: false })
    );
    let effect = key(&mut model, KeyCode::Char('o'), KeyModifiers::NONE);
    assert!(matches!(effect, Some(Effect::Save { force: true, .. })));

    update(&mut model, Msg::DiskChanged { then_quit: false });
    let effect = key(&mut model, KeyCode::Char('r'), KeyModifiers::NONE);
    assert_eq!(
        effect,
        Some(Effect::Reload {
            by_itself: false,
            path: PathBuf::from("plan.ron")
        })
    );
    update(&mut model, Msg::DiskChanged { then_quit: false });
    assert_eq!(key(&mut model, KeyCode::Esc, KeyModifiers::NONE), None);
    assert!(model.overlay.is_none());
}

#[test]
fn a_file_changed_on_disk_can_be_compared_with_the_edits_on_the_board() {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let path = dir.path().join("plan.ron");
    let mut on_disk = example("reminders");
    on_disk.story = "Reminders, as a teammate renamed it".into();
    store::save_atomic(&path, &on_disk).expect("saved");
    let mut model = broken_reminders();
    model.source = Source::File {
        path: path.clone(),
        stamp: None,
    };
    key(&mut model, KeyCode::Char('J'), KeyModifiers::SHIFT);
    update(&mut model, Msg::DiskChanged { then_quit: false });
    let effect = key(&mut model, KeyCode::Char('v'), KeyModifiers::NONE);
    let Some(Effect::CompareDisk {
        path: compared,
        plan,
    }) = effect.clone()
    else {
        panic!("v compares: {effect:?}");
    };
    assert_eq!(compared, path);
    assert_eq!(*plan, model.plan);
    let shown = perform(effect.expect("an effect")).expect("a message");
    let Msg::Show { title, text } = &shown else {
        panic!("the comparison is shown: {shown:?}");
    };
    assert_eq!(title, "Your edits against the file on disk");
    assert!(
        text.contains("Reminders, as a teammate renamed it"),
        "{text}"
    );
    update(&mut model, shown);
    assert!(matches!(model.overlay, Some(Overlay::Reader { .. })));
}

#[test]
fn reloading_keeps_the_replaced_edits_one_undo_away() {
    let mut model = broken_reminders();
    key(&mut model, KeyCode::Char('J'), KeyModifiers::SHIFT);
    let edited = ids(&model).join(",");
    let on_disk = example("reminders");
    update(
        &mut model,
        Msg::Reloaded {
            plan: Box::new(on_disk.clone()),
            stamp: Stamp::of_bytes(b"new"),
            by_itself: false,
        },
    );
    assert_eq!(model.plan, on_disk);
    assert!(!model.modified());
    key(&mut model, KeyCode::Char('u'), KeyModifiers::NONE);
    assert_eq!(ids(&model).join(","), edited);
    // Undoing a reload says that this version is no longer the file's.
    let notice = model.notice.as_ref().map(|n| n.text.as_str()).unwrap_or("");
    assert!(
        notice.starts_with("Undid the reload") && notice.contains("no longer has"),
        "{notice}"
    );
}

#[test]
fn undo_and_redo_say_what_they_undid_and_redid() {
    let mut model = broken_reminders();
    let notice = |model: &Model| {
        model
            .notice
            .as_ref()
            .map(|n| n.text.clone())
            .unwrap_or_default()
    };
    let moved = ids(&model)[0].to_string();
    key(&mut model, KeyCode::Char('J'), KeyModifiers::SHIFT);
    key(&mut model, KeyCode::Char('u'), KeyModifiers::NONE);
    assert_eq!(
        notice(&model),
        format!("Undid: move {moved} 1 → 2 (0 more)")
    );
    key(&mut model, KeyCode::Char('r'), KeyModifiers::CONTROL);
    assert_eq!(
        notice(&model),
        format!("Redid: move {moved} 1 → 2 (0 more)")
    );
    // An edit's own words, without its aside.
    model.selected = 0;
    let deleted = ids(&model)[0].to_string();
    key(&mut model, KeyCode::Char('d'), KeyModifiers::NONE);
    key(&mut model, KeyCode::Char('u'), KeyModifiers::NONE);
    assert_eq!(
        notice(&model),
        format!("Undid: Deleted step {deleted} (1 more)")
    );
}

#[test]
fn quitting_with_unsaved_changes_asks_save_discard_cancel() {
    let mut model = broken_reminders();
    assert_eq!(
        key(&mut model, KeyCode::Char('q'), KeyModifiers::NONE),
        Some(Effect::Quit)
    );
    key(&mut model, KeyCode::Char('J'), KeyModifiers::SHIFT);
    assert_eq!(
        key(&mut model, KeyCode::Char('q'), KeyModifiers::NONE),
        None
    );
    assert!(matches!(model.overlay, Some(Overlay::Ask(Question::Quit))));
    assert_eq!(
        key(&mut model, KeyCode::Char('c'), KeyModifiers::NONE),
        None
    );
    assert!(model.overlay.is_none());

    key(&mut model, KeyCode::Char('q'), KeyModifiers::NONE);
    assert_eq!(
        key(&mut model, KeyCode::Char('d'), KeyModifiers::NONE),
        Some(Effect::Quit)
    );

    key(&mut model, KeyCode::Char('q'), KeyModifiers::NONE);
    let effect = key(&mut model, KeyCode::Char('s'), KeyModifiers::NONE);
    assert!(matches!(
        effect,
        Some(Effect::Save {
            then_quit: true,
            ..
        })
    ));
}

#[test]
fn a_successful_save_clears_the_modified_marker_and_may_quit() {
    let mut model = broken_reminders();
    key(&mut model, KeyCode::Char('J'), KeyModifiers::SHIFT);
    let plan = Box::new(model.plan.clone());
    let effect = update(
        &mut model,
        Msg::Saved {
            path: PathBuf::from("plan.ron"),
            stamp: Stamp::of_bytes(b"saved"),
            plan,
            then_quit: true,
        },
    );
    assert_eq!(effect, Some(Effect::Quit));
    assert!(!model.modified());
    assert_eq!(
        model.source,
        Source::File {
            path: PathBuf::from("plan.ron"),
            stamp: Some(Stamp::of_bytes(b"saved"))
        }
    );
}

#[test]
fn saving_an_example_asks_for_a_file_name() {
    let mut model = Model::new(
        example("reminders"),
        Source::Example {
            name: "reminders".into(),
        },
    );
    assert_eq!(
        key(&mut model, KeyCode::Char('s'), KeyModifiers::CONTROL),
        None
    );
    assert_eq!(model.context(), Context::Text);
    key(&mut model, KeyCode::Char('x'), KeyModifiers::NONE);
    let effect = key(&mut model, KeyCode::Enter, KeyModifiers::NONE);
    match effect {
        Some(Effect::Save { path, expected, .. }) => {
            assert_eq!(path, PathBuf::from(".storyplan/reminders.ronx"));
            assert_eq!(expected, None);
        }
        other => panic!("expected a save, got {other:?}"),
    }
}

#[test]
fn enter_on_a_finding_jumps_to_its_step() {
    let mut model = broken_reminders();
    key(&mut model, KeyCode::Tab, KeyModifiers::NONE);
    assert_eq!(model.pane, Pane::Details);
    key(&mut model, KeyCode::Tab, KeyModifiers::NONE);
    assert_eq!(model.pane, Pane::Findings);
    let error = model
        .report
        .findings
        .iter()
        .position(|f| f.step == Some(2))
        .expect("a finding at the flip");
    for _ in 0..error {
        key(&mut model, KeyCode::Char('j'), KeyModifiers::NONE);
    }
    key(&mut model, KeyCode::Enter, KeyModifiers::NONE);
    assert_eq!(model.pane, Pane::Steps);
    assert_eq!(model.selected, 2);
}

#[test]
fn help_opens_scrolls_and_closes() {
    let mut model = broken_reminders();
    key(&mut model, KeyCode::Char('?'), KeyModifiers::NONE);
    assert_eq!(model.context(), Context::Keys(Mode::Help));
    key(&mut model, KeyCode::Char('j'), KeyModifiers::NONE);
    key(&mut model, KeyCode::Char('j'), KeyModifiers::NONE);
    assert!(matches!(
        model.overlay,
        Some(Overlay::Help { scroll: 2, .. })
    ));
    // Moves are not available under the help.
    key(&mut model, KeyCode::Char('J'), KeyModifiers::SHIFT);
    assert!(!model.modified());
    key(&mut model, KeyCode::Esc, KeyModifiers::NONE);
    assert!(model.overlay.is_none());
}

#[test]
fn read_only_plans_refuse_moves_and_saves() {
    let mut model = broken_reminders();
    model.read_only = true;
    key(&mut model, KeyCode::Char('J'), KeyModifiers::SHIFT);
    assert!(!model.modified());
    assert_eq!(
        key(&mut model, KeyCode::Char('s'), KeyModifiers::CONTROL),
        None
    );
    assert!(model.notice.as_ref().is_some_and(|n| n.error));
}

#[test]
fn a_read_only_plan_refuses_edit_keys_without_opening_a_form() {
    let mut model = broken_reminders();
    model.read_only = true;
    let refused = |model: &Model| {
        model
            .notice
            .as_ref()
            .is_some_and(|n| n.error && n.text.contains("read-only"))
    };
    // Add, edit, delete, duplicate, pattern, draft, accept, story.
    for c in ['a', 'e', 'd', 'y', 'p', 'D', 'A', 'i'] {
        model.notice = None;
        let mods = if c.is_uppercase() {
            KeyModifiers::SHIFT
        } else {
            KeyModifiers::NONE
        };
        key(&mut model, KeyCode::Char(c), mods);
        assert!(model.overlay.is_none(), "{c} opened an overlay");
        assert!(refused(&model), "{c} says nothing");
    }
    // Enter on a release opens its changes to read; there, Enter and a do not edit.
    key(&mut model, KeyCode::Enter, KeyModifiers::NONE);
    assert!(matches!(model.overlay, Some(Overlay::List { .. })));
    for code in [KeyCode::Enter, KeyCode::Char('a')] {
        model.notice = None;
        key(&mut model, code, KeyModifiers::NONE);
        assert!(
            matches!(model.overlay, Some(Overlay::List { .. })),
            "{code:?}"
        );
        assert!(refused(&model), "{code:?} says nothing");
    }
    key(&mut model, KeyCode::Esc, KeyModifiers::NONE);
    // Enter on a flip would open its form.
    let flip = model
        .plan
        .steps
        .iter()
        .position(|s| s.component().is_none())
        .expect("the story has a flip");
    model.selected = flip;
    model.notice = None;
    key(&mut model, KeyCode::Enter, KeyModifiers::NONE);
    assert!(model.overlay.is_none());
    assert!(refused(&model));
    assert!(!model.modified());
}

#[test]
fn every_default_binding_has_a_description() {
    let keymap = Keymap::default();
    for mode in Mode::ALL {
        for binding in keymap.bindings(mode) {
            assert!(!binding.desc.is_empty(), "{mode:?} {:?}", binding.action);
            assert!(
                !binding.chords.is_empty(),
                "{mode:?} {:?} has no key",
                binding.action
            );
        }
    }
    assert!(keymap.key_for(Mode::Board, Action::Quit).is_some());
}

#[test]
fn ctrl_c_quits_from_anywhere_and_asks_first_when_there_are_unsaved_changes() {
    let ctrl_c = press(KeyCode::Char('c'), KeyModifiers::CONTROL);
    let mut model = board(example("reminders"));
    // Whatever the keymap says, and in any context but a question.
    model.keymap = Keymap::default();
    let user: storyplan::tui::keymap::UserKeymap =
        ron::from_str(r#"(board: { quit: [] })"#).expect("a keymap");
    let _ = model.keymap.merge(&user);
    for context in [
        Context::Keys(Mode::Board),
        Context::Keys(Mode::List),
        Context::Form,
        Context::Finder,
        Context::Text,
    ] {
        assert_eq!(
            key_to_msg(&model.keymap, context, ctrl_c),
            Some(Msg::Interrupt),
            "{context:?}"
        );
    }
    assert_eq!(update(&mut model, Msg::Interrupt), Some(Effect::Quit));

    let mut model = broken_reminders();
    update(&mut model, Msg::MoveStep { from: 3, to: 2 });
    assert!(model.modified());
    assert_eq!(update(&mut model, Msg::Interrupt), None);
    assert!(matches!(model.overlay, Some(Overlay::Ask(Question::Quit))));
}

#[test]
fn keys_do_not_change_a_plan_the_terminal_is_too_small_to_show() {
    let mut model = broken_reminders();
    let before = model.plan.clone();
    update(&mut model, Msg::Shown(false));
    for key in ['d', 'd', 'J', 'a'] {
        if let Some(msg) = key_to_msg(
            &model.keymap,
            model.context(),
            press(KeyCode::Char(key), KeyModifiers::NONE),
        ) {
            assert_eq!(update(&mut model, msg), None);
        }
    }
    assert_eq!(model.plan, before);
    assert!(model.overlay.is_none());
    assert!(model.notice.as_ref().is_some_and(|n| n.error));
    // Saving what nobody can see is refused too; quitting works.
    let save = key_to_msg(
        &model.keymap,
        model.context(),
        press(KeyCode::Char('s'), KeyModifiers::CONTROL),
    )
    .expect("ctrl-s saves");
    assert_eq!(update(&mut model, save), None);
    assert_eq!(
        update(&mut model, Msg::Action(Action::Quit)),
        Some(Effect::Quit)
    );
    // Once the board is back, keys work again.
    update(&mut model, Msg::Shown(true));
    update(&mut model, Msg::Action(Action::Delete));
    assert_ne!(model.plan, before);
}

#[test]
fn a_notice_on_the_board_gives_the_hints_back_at_the_next_key_or_after_a_few_seconds() {
    use storyplan::tui::update::NOTICE_TICKS;
    let mut model = broken_reminders();
    key(&mut model, KeyCode::Char('J'), KeyModifiers::SHIFT);
    assert!(model.notice.is_some());
    for _ in 1..NOTICE_TICKS {
        update(&mut model, Msg::Tick);
    }
    assert!(
        model.notice.is_some(),
        "still there just before the time is up"
    );
    update(&mut model, Msg::Tick);
    assert!(model.notice.is_none(), "gone after {NOTICE_TICKS} ticks");

    // The next key takes it away, and a key's own notice shows.
    key(&mut model, KeyCode::Char('J'), KeyModifiers::SHIFT);
    key(&mut model, KeyCode::Char('j'), KeyModifiers::NONE);
    assert!(model.notice.is_none());
    key(&mut model, KeyCode::Char('u'), KeyModifiers::NONE);
    assert!(
        model
            .notice
            .as_ref()
            .is_some_and(|n| n.text.starts_with("Undid"))
    );

    // An error stays until the next key.
    model.read_only = true;
    key(&mut model, KeyCode::Char('J'), KeyModifiers::SHIFT);
    for _ in 0..NOTICE_TICKS * 2 {
        update(&mut model, Msg::Tick);
    }
    assert!(model.notice.as_ref().is_some_and(|n| n.error));
    key(&mut model, KeyCode::Char('j'), KeyModifiers::NONE);
    assert!(model.notice.is_none());
}

#[test]
fn a_file_changed_on_disk_reloads_by_itself_unless_there_are_unsaved_edits() {
    // No unsaved edits: the board asks the loop to reload, and says it did.
    let mut model = broken_reminders();
    assert_eq!(
        update(&mut model, Msg::DiskEdited),
        Some(Effect::Reload {
            path: PathBuf::from("plan.ron"),
            by_itself: true,
        })
    );
    let on_disk = example("reminders");
    update(
        &mut model,
        Msg::Reloaded {
            plan: Box::new(on_disk.clone()),
            stamp: Stamp::of_bytes(b"theirs"),
            by_itself: true,
        },
    );
    assert_eq!(model.plan, on_disk);
    let notice = model
        .notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default();
    assert!(
        notice.starts_with("The file changed on disk: reloaded it"),
        "{notice}"
    );

    // Unsaved edits: nothing is replaced; it says so.
    key(&mut model, KeyCode::Char('J'), KeyModifiers::SHIFT);
    let edited = model.plan.clone();
    assert_eq!(update(&mut model, Msg::DiskEdited), None);
    assert_eq!(model.plan, edited);
    assert!(
        model
            .notice
            .as_ref()
            .is_some_and(|n| n.error && n.text.contains("unsaved edits"))
    );
}

#[test]
fn details_follows_the_selected_finding_scrolls_and_opens_a_plan_findings_component() {
    // The toggle left behind: a finding of the plan as a whole, about web.
    let mut plan = example("reminders");
    plan.steps.pop();
    let mut model = board(plan);
    let left = model
        .report
        .findings
        .iter()
        .position(|f| f.step.is_none() && f.component.is_some())
        .expect("a plan-wide finding about a component");
    assert!(!model.details_finding);
    update(&mut model, Msg::SelectFinding(left));
    assert!(model.details_finding, "Details shows the finding");
    // Shift-Tab from the findings reaches Details, still showing the finding; j scrolls.
    key(&mut model, KeyCode::BackTab, KeyModifiers::SHIFT);
    assert_eq!(model.pane, Pane::Details);
    assert!(model.details_finding);
    key(&mut model, KeyCode::Char('j'), KeyModifiers::NONE);
    assert_eq!(model.details_scroll, 1);
    update(&mut model, Msg::DetailsLimit(0));
    assert_eq!(model.details_scroll, 0);
    // Back on the steps, Details shows the step again.
    key(&mut model, KeyCode::BackTab, KeyModifiers::SHIFT);
    assert_eq!(model.pane, Pane::Steps);
    assert!(!model.details_finding);
    // Enter on the plan-wide finding opens the facts of its component.
    update(&mut model, Msg::SelectFinding(left));
    key(&mut model, KeyCode::Enter, KeyModifiers::NONE);
    let web = model.plan.components.iter().position(|c| c.id == "web");
    assert!(matches!(
        model.overlay,
        Some(Overlay::List { list: storyplan::tui::model::List::Facts { component }, .. })
            if Some(component) == web
    ));
}

#[test]
fn the_command_palette_runs_an_action_by_what_it_does() {
    let mut model = broken_reminders();
    let moved = ids(&model)[0].to_string();
    key(&mut model, KeyCode::Char('J'), KeyModifiers::SHIFT);
    assert_eq!(ids(&model)[1], moved);
    // ":" opens it; typing what the action does finds it; Enter runs it.
    key(&mut model, KeyCode::Char(':'), KeyModifiers::NONE);
    assert!(matches!(model.overlay, Some(Overlay::Finder(_))));
    for c in "undo".chars() {
        key(&mut model, KeyCode::Char(c), KeyModifiers::NONE);
    }
    key(&mut model, KeyCode::Enter, KeyModifiers::NONE);
    assert!(model.overlay.is_none());
    assert_eq!(ids(&model)[0], moved, "the move was undone");
    // Ctrl-p opens it too, and an action that opens something opens it.
    key(&mut model, KeyCode::Char('p'), KeyModifiers::CONTROL);
    for c in "toggles".chars() {
        key(&mut model, KeyCode::Char(c), KeyModifiers::NONE);
    }
    key(&mut model, KeyCode::Enter, KeyModifiers::NONE);
    assert!(matches!(
        model.overlay,
        Some(Overlay::List {
            list: storyplan::tui::model::List::Toggles,
            ..
        })
    ));
}

#[test]
fn slash_in_the_help_filters_it_by_what_is_typed() {
    let mut model = broken_reminders();
    key(&mut model, KeyCode::Char('?'), KeyModifiers::NONE);
    key(&mut model, KeyCode::Char('/'), KeyModifiers::NONE);
    // While the filter is typed, letters go to it: q does not close the help.
    for c in "quit".chars() {
        key(&mut model, KeyCode::Char(c), KeyModifiers::NONE);
    }
    let filter = |model: &Model| match &model.overlay {
        Some(Overlay::Help { filter, typing, .. }) => Some((filter.value().to_string(), *typing)),
        _ => None,
    };
    assert_eq!(filter(&model), Some(("quit".into(), true)));
    key(&mut model, KeyCode::Enter, KeyModifiers::NONE);
    assert_eq!(filter(&model), Some(("quit".into(), false)));
    // Esc clears the filter, then closes the help.
    key(&mut model, KeyCode::Esc, KeyModifiers::NONE);
    assert_eq!(filter(&model), Some((String::new(), false)));
    key(&mut model, KeyCode::Esc, KeyModifiers::NONE);
    assert!(model.overlay.is_none());
}
