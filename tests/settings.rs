//! User settings from a config folder: defaults for what is missing, and a one-line problem
//! (never a failure) for what is broken.

use std::fs;
use std::path::Path;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use storyplan::tui::keymap::{Action, Keymap, Mode, action_name};
use storyplan::tui::settings::{self, Settings};
use storyplan::tui::theme::Theme;
use tempfile::TempDir;

fn folder(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn load(dir: &TempDir) -> Settings {
    settings::load_from(Some(dir.path()))
}

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

#[test]
fn no_files_mean_the_defaults() {
    let dir = folder(&[]);
    let settings = load(&dir);
    assert_eq!(settings.problems, Vec::<String>::new());
    assert_eq!(settings.keymap, Keymap::default());
    assert!(settings.mouse);
    assert_eq!(settings.theme, Theme::from_env(None));
}

#[test]
fn no_folder_means_the_defaults() {
    let settings = settings::load_from(None);
    assert_eq!(settings.problems, Vec::<String>::new());
    assert_eq!(settings.keymap, Keymap::default());
    assert!(settings.mouse);
}

#[test]
fn a_missing_folder_means_the_defaults() {
    let dir = folder(&[]);
    let settings = settings::load_from(Some(&dir.path().join("nowhere")));
    assert_eq!(settings.problems, Vec::<String>::new());
    assert!(settings.mouse);
}

#[test]
fn keymap_rebinds_undo() {
    let dir = folder(&[("keymap.ron", "(board: { undo: [\"z\"] })\n")]);
    let settings = load(&dir);
    assert_eq!(settings.problems, Vec::<String>::new());
    assert_eq!(
        settings.keymap.action(Mode::Board, &key('z')),
        Some(Action::Undo)
    );
    assert_eq!(settings.keymap.action(Mode::Board, &key('u')), None);
    // What the file does not name keeps its default.
    assert_eq!(
        settings.keymap.action(Mode::Board, &key('q')),
        Some(Action::Quit)
    );
}

#[test]
fn a_malformed_keymap_is_reported_with_its_place_and_ignored() {
    let text = "(\n    board: {\n        undo: [\"z\"]\n        redo: [\"y\"],\n    },\n)\n";
    let dir = folder(&[("keymap.ron", text)]);
    let settings = load(&dir);
    assert_eq!(settings.problems.len(), 1, "{:?}", settings.problems);
    let problem = &settings.problems[0];
    assert!(problem.starts_with("keymap.ron:4:9: "), "{problem}");
    // Nothing of a file that does not parse applies, not even the undo it got to.
    assert_eq!(settings.keymap, Keymap::default());
    assert!(settings.mouse);
}

#[test]
fn an_unknown_action_is_named_with_the_actions_there_are() {
    let text = "(\n  board: {\n    mvoe_step_down: [\"x\"],\n  },\n)\n";
    let dir = folder(&[("keymap.ron", text)]);
    let settings = load(&dir);
    assert_eq!(
        settings.problems,
        vec![
            "keymap.ron:3:5: unknown action `mvoe_step_down`: did you mean `move_step_down`? \
             (expected one of up, down, top, bottom, page_up, page_down, move_step_up, \
             move_step_down, undo, redo, save, quit, help, close, next_pane, prev_pane, jump, \
             add, edit, delete, duplicate, find, templates, draft, accept, toggles, story, export, \
             compare, confirm, new_line, next_field, prev_field, clear_query, copy, write_file, \
             switch_export, \
             take, copy_to_target, import, ship, fix, palette, answer_save, answer_discard, answer_reload, answer_overwrite, answer_compare)"
                .to_string()
        ]
    );
    assert_eq!(settings.keymap, Keymap::default());
}

#[test]
fn an_unknown_mode_is_named() {
    let dir = folder(&[("keymap.ron", "(bord: {})")]);
    let settings = load(&dir);
    assert_eq!(
        settings.problems,
        vec![
            "keymap.ron:1:2: unknown mode `bord`: did you mean `board`? (expected one of board, help, list, pattern, form, finder, picker, reader, export, draft, question, prompt)"
                .to_string()
        ]
    );
}

#[test]
fn an_unknown_key_is_reported_and_the_rest_applies() {
    let text = "(\n  board: {\n    save: [\"ctrl-w\", \"hyper-x\"],\n  },\n)\n";
    let dir = folder(&[("keymap.ron", text)]);
    let settings = load(&dir);
    assert_eq!(
        settings.problems,
        vec!["keymap.ron:3:22: unknown key \"hyper-x\"".to_string()]
    );
    let ctrl_w = KeyEvent::new(KeyCode::Char('w'), KeyModifiers::CONTROL);
    assert_eq!(
        settings.keymap.action(Mode::Board, &ctrl_w),
        Some(Action::Save)
    );
}

#[test]
fn settings_turn_the_mouse_off() {
    let dir = folder(&[("settings.ron", "(mouse: false)")]);
    let settings = load(&dir);
    assert_eq!(settings.problems, Vec::<String>::new());
    assert!(!settings.mouse);
}

#[test]
fn settings_choose_the_plain_theme() {
    let dir = folder(&[("settings.ron", "(\n    theme: \"plain\",\n)\n")]);
    let settings = load(&dir);
    assert_eq!(settings.problems, Vec::<String>::new());
    assert_eq!(settings.theme, Theme::plain());
    assert!(settings.mouse);
}

#[test]
fn an_unknown_theme_is_reported_and_the_default_used() {
    let dir = folder(&[("settings.ron", "(theme: \"neon\", mouse: false)")]);
    let settings = load(&dir);
    assert_eq!(
        settings.problems,
        vec!["settings.ron: unknown theme \"neon\" (expected default or plain)".to_string()]
    );
    assert_eq!(settings.theme, Theme::from_env(None));
    // The file parsed: its other setting applies.
    assert!(!settings.mouse);
}

#[test]
fn an_unknown_setting_is_reported_and_the_file_ignored() {
    let dir = folder(&[("settings.ron", "(mouse: false, colour: true)")]);
    let settings = load(&dir);
    assert_eq!(
        settings.problems,
        vec!["settings.ron:1:16: unknown setting `colour` (expected theme or mouse)".to_string()]
    );
    assert!(settings.mouse);
}

#[test]
fn a_wrong_type_is_reported() {
    let dir = folder(&[("settings.ron", "(mouse: \"no\")")]);
    let settings = load(&dir);
    assert_eq!(settings.problems.len(), 1, "{:?}", settings.problems);
    assert!(
        settings.problems[0].starts_with("settings.ron:1:"),
        "{:?}",
        settings.problems
    );
    assert!(settings.mouse);
}

#[test]
fn both_files_report_their_problems() {
    let dir = folder(&[
        ("keymap.ron", "(board: { undo: [\"hyper-x\"] })"),
        ("settings.ron", "(theme: \"neon\")"),
    ]);
    let settings = load(&dir);
    assert_eq!(
        settings.problems,
        vec![
            "keymap.ron:1:18: unknown key \"hyper-x\"".to_string(),
            "keymap.ron:1:11: `undo` keeps its default keys in board: none of the keys given is known"
                .to_string(),
            "settings.ron: unknown theme \"neon\" (expected default or plain)".to_string(),
        ]
    );
    // It keeps them indeed.
    assert_eq!(
        settings.keymap.action(Mode::Board, &key('u')),
        Some(Action::Undo)
    );
}

#[test]
fn keymap_problems_are_reported_where_they_are_and_never_empty_an_action() {
    let text = "(\n  board: {\n    undo: [\"shift-\"],\n    redo: [\"q\"],\n    redo: [\"r\"],\n    quit: [],\n    move_step_down: [\"u\"],\n  },\n)\n";
    let dir = folder(&[("keymap.ron", text)]);
    let settings = load(&dir);
    assert_eq!(
        settings.problems,
        vec![
            "keymap.ron:3:12: unknown key \"shift-\"".to_string(),
            "keymap.ron:3:5: `undo` keeps its default keys in board: none of the keys given is known"
                .to_string(),
            "keymap.ron:5:5: `redo` appears twice in board: the last one applies".to_string(),
            "keymap.ron:7:5: `move_step_down` takes a key of `undo` in board".to_string(),
            "keymap.ron:6:5: `quit` has no key left on the board: Ctrl-c still quits".to_string(),
        ]
    );
    let keymap = &settings.keymap;
    assert_eq!(keymap.action(Mode::Board, &key('r')), Some(Action::Redo));
    assert_eq!(keymap.action(Mode::Board, &key('q')), None);
    assert_eq!(
        keymap.action(Mode::Board, &key('u')),
        Some(Action::MoveStepDown)
    );
}

#[test]
fn empty_and_commented_out_files_mean_the_defaults() {
    let dir = folder(&[
        ("keymap.ron", "// (board: { undo: [\"z\"] })\n"),
        ("settings.ron", "\u{feff}\n  \n"),
    ]);
    let settings = load(&dir);
    assert_eq!(settings.problems, Vec::<String>::new());
    assert_eq!(settings.keymap, Keymap::default());
    assert!(settings.mouse);
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let dir = folder(&[("settings.ron", "\u{feff}(mouse: false)")]);
    let settings = load(&dir);
    assert_eq!(settings.problems, Vec::<String>::new());
    assert!(!settings.mouse);
}

#[test]
fn unreadable_files_are_reported() {
    let dir = folder(&[]);
    fs::create_dir(dir.path().join("keymap.ron")).unwrap();
    fs::write(dir.path().join("settings.ron"), b"(mouse: \xff)").unwrap();
    let settings = load(&dir);
    assert_eq!(
        settings.problems,
        vec![
            "keymap.ron: this is a folder, not a settings file".to_string(),
            "settings.ron: the file is not UTF-8 text".to_string(),
        ]
    );
    assert_eq!(settings.keymap, Keymap::default());
    assert!(settings.mouse);
}

#[test]
fn control_characters_do_not_reach_the_status_line() {
    let dir = folder(&[("settings.ron", "(theme: \"ne\u{1b}[31mon\u{7}\")")]);
    let settings = load(&dir);
    assert_eq!(
        settings.problems,
        vec!["settings.ron: unknown theme \"ne[31mon\" (expected default or plain)".to_string()]
    );
    assert!(
        settings
            .problems
            .iter()
            .all(|p| !p.chars().any(char::is_control))
    );
}

#[test]
fn the_config_folder_is_named() {
    // Set by the end-to-end test to a temporary folder, else the platform's folder.
    match std::env::var_os(settings::CONFIG_DIR_VAR) {
        Some(dir) if !dir.is_empty() => {
            assert_eq!(settings::config_dir(), Some(Path::new(&dir).to_path_buf()))
        }
        _ => {
            if let Some(dir) = settings::config_dir() {
                assert!(dir.ends_with("storyplan") || dir.ends_with("config"));
            }
        }
    }
}

#[test]
fn broken_files_say_where_and_what_was_expected() {
    let cases = [
        (
            "keymap.ron",
            "(board: { undo: \"z\" })",
            "keymap.ron:1:17: expected a list of keys: `[`",
        ),
        (
            "keymap.ron",
            "(board: { undo: [z] })",
            "keymap.ron:1:18: expected a string in double quotes",
        ),
        (
            "keymap.ron",
            "(board: [])",
            "keymap.ron:1:9: expected a map `{action: [keys]}`",
        ),
        (
            "keymap.ron",
            "board: {}",
            "keymap.ron:1:1: expected `(`, found `board`",
        ),
        (
            "keymap.ron",
            "(board: { \"undo\": [\"z\"] })",
            "keymap.ron:1:11: expected a name (without quotes)",
        ),
        (
            "settings.ron",
            "(mouse: yes)",
            "settings.ron:1:9: expected `true` or `false`",
        ),
        (
            "settings.ron",
            "(theme: plain)",
            "settings.ron:1:9: expected a string in double quotes",
        ),
        (
            "settings.ron",
            "(mouse: false) (theme: \"plain\")",
            "settings.ron:1:16: unexpected text after the settings: the file holds one `(...)`",
        ),
        (
            "settings.ron",
            "(mouse: false,\n\n  // x\n",
            "settings.ron:3:7: the file ends too early: a closing `)`, `]` or `}` may be missing",
        ),
    ];
    for (name, text, problem) in cases {
        let dir = folder(&[(name, text)]);
        let settings = load(&dir);
        assert_eq!(settings.problems, vec![problem.to_string()], "{text}");
        assert_eq!(settings.keymap, Keymap::default(), "{text}");
        assert!(settings.mouse, "{text}");
    }
}

#[test]
fn the_settings_may_be_named_and_written_with_some() {
    let dir = folder(&[(
        "settings.ron",
        "#![enable(implicit_some)]\nSettings(theme: Some(\"plain\"), mouse: Some(false))",
    )]);
    let settings = load(&dir);
    assert_eq!(settings.problems, Vec::<String>::new());
    assert_eq!(settings.theme, Theme::plain());
    assert!(!settings.mouse);
}

#[test]
fn the_readme_and_the_settings_docs_name_every_action_of_every_mode() {
    let readme = include_str!("../README.md");
    let docs = include_str!("../src/tui/settings.rs");
    let keymap = Keymap::default();
    for mode in Mode::ALL {
        let name = mode.name();
        let row = readme
            .lines()
            .find(|l| l.starts_with(&format!("| `{name}` |")))
            .unwrap_or_else(|| panic!("the README has no row for {name}"));
        // The mode's paragraph in the settings docs, wrapped lines and all.
        let start = docs
            .find(&format!("//! - `{name}`:"))
            .unwrap_or_else(|| panic!("the settings docs do not list {name}"));
        let end = docs[start + 1..]
            .find("//! - `")
            .map_or(docs.len(), |at| start + 1 + at);
        let paragraph = &docs[start..end];
        for binding in keymap.bindings(mode) {
            let action = format!("`{}`", action_name(binding.action));
            assert!(row.contains(&action), "README {name}: {action}");
            assert!(
                paragraph.contains(&action),
                "settings docs {name}: {action}"
            );
        }
    }
}
