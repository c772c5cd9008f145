//! Keys as data: every binding names an action, and every action has a description, so
//! the help overlay and the status bar are generated from the same table.

use std::collections::HashMap;
use std::fmt;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;

/// What a key does on the board.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    MoveStepUp,
    MoveStepDown,
    Undo,
    Redo,
    Save,
    Quit,
    Help,
    Close,
    NextPane,
    PrevPane,
    Jump,
    Add,
    Edit,
    Delete,
    Duplicate,
    Find,
    Templates,
    Draft,
    Accept,
    Toggles,
    Story,
    Export,
    Compare,
}

impl Action {
    pub fn description(self) -> &'static str {
        match self {
            Action::Up => "previous row",
            Action::Down => "next row",
            Action::Top => "first row",
            Action::Bottom => "last row",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::MoveStepUp => "move the step earlier",
            Action::MoveStepDown => "move the step later",
            Action::Undo => "undo",
            Action::Redo => "redo",
            Action::Save => "save",
            Action::Quit => "quit",
            Action::Help => "help",
            Action::Close => "close",
            Action::NextPane => "next pane",
            Action::PrevPane => "previous pane",
            Action::Jump => "open: a step's changes, a component's facts, a finding's step",
            Action::Add => "add a step, component, fact, change or toggle",
            Action::Edit => "edit the selected item",
            Action::Delete => "delete the selected item (u brings it back)",
            Action::Duplicate => "duplicate the selected item",
            Action::Find => "find a step, component, key or finding",
            Action::Templates => "insert a pattern: toggle, expand/contract, double write",
            Action::Draft => "draft the steps that reach the target",
            Action::Accept => "accept the selected finding, with a reason",
            Action::Toggles => "the plan's toggles",
            Action::Story => "the story's title, narrative and notes",
            Action::Export => "export preview (Markdown): copy it or write it to a file",
            Action::Compare => "compare the plan with its file at a git ref",
        }
    }

    /// A short word for the status bar.
    pub fn short(self) -> &'static str {
        match self {
            Action::Up | Action::Down => "select",
            Action::MoveStepUp | Action::MoveStepDown => "move step",
            Action::Undo => "undo",
            Action::Redo => "redo",
            Action::Save => "save",
            Action::Quit => "quit",
            Action::Help => "help",
            Action::Close => "close",
            Action::NextPane | Action::PrevPane => "pane",
            Action::Jump => "open",
            Action::Add => "add",
            Action::Edit => "edit",
            Action::Delete => "delete",
            Action::Duplicate => "duplicate",
            Action::Find => "find",
            Action::Templates => "pattern",
            Action::Draft => "draft",
            Action::Accept => "accept",
            Action::Toggles => "toggles",
            Action::Story => "story",
            Action::Export => "export",
            Action::Compare => "compare",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::PageUp | Action::PageDown => "page",
        }
    }
}

/// Where keys are read: the board itself, or the help overlay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Board,
    Help,
}

/// One key with its modifiers, written like `ctrl-s`, `alt-up`, `J` or `?`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Chord {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Chord {
    /// Normalises an event: a typed character carries its case, so shift is dropped.
    pub fn from_event(key: &KeyEvent) -> Chord {
        let mut mods =
            key.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match key.code {
            KeyCode::Char(c) => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::Char(c)
            }
            KeyCode::BackTab => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        Chord { code, mods }
    }

    pub fn parse(text: &str) -> Result<Chord, String> {
        let text = text.trim();
        let mut mods = KeyModifiers::NONE;
        let mut rest = text;
        loop {
            let lower = rest.to_ascii_lowercase();
            let prefix = ["ctrl-", "alt-", "shift-"]
                .into_iter()
                .find(|p| lower.starts_with(p) && rest.len() > p.len());
            let Some(prefix) = prefix else { break };
            mods |= match prefix {
                "ctrl-" => KeyModifiers::CONTROL,
                "alt-" => KeyModifiers::ALT,
                _ => KeyModifiers::SHIFT,
            };
            rest = &rest[prefix.len()..];
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(c),
            _ => match rest.to_ascii_lowercase().as_str() {
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "enter" | "return" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" => KeyCode::Tab,
                "backtab" => KeyCode::BackTab,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "pageup" | "pgup" => KeyCode::PageUp,
                "pagedown" | "pgdn" => KeyCode::PageDown,
                "space" => KeyCode::Char(' '),
                "backspace" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                _ => return Err(format!("unknown key \"{text}\"")),
            },
        };
        let mut chord = Chord { code, mods };
        if let KeyCode::Char(c) = code {
            // `shift-j` means `J`.
            if mods.contains(KeyModifiers::SHIFT) {
                chord.code = KeyCode::Char(c.to_ascii_uppercase());
                chord.mods.remove(KeyModifiers::SHIFT);
            }
        }
        if code == KeyCode::Tab && mods.contains(KeyModifiers::SHIFT) {
            chord = Chord {
                code: KeyCode::BackTab,
                mods: mods - KeyModifiers::SHIFT,
            };
        }
        Ok(chord)
    }
}

impl fmt::Display for Chord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("Alt-")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("Shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Del"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// The bindings of each mode, in the order the help overlay lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    modes: HashMap<Mode, Vec<(Action, Vec<Chord>)>>,
}

/// A user's `keymap.ron`: per mode, the keys of the actions it changes, e.g.
/// `(board: { move_step_down: ["J", "ctrl-down"] })`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserKeymap {
    #[serde(default)]
    pub board: HashMap<Action, Vec<String>>,
    #[serde(default)]
    pub help: HashMap<Action, Vec<String>>,
}

const BOARD: &[(Action, &[&str])] = &[
    (Action::Down, &["j", "down"]),
    (Action::Up, &["k", "up"]),
    (Action::Top, &["g", "home"]),
    (Action::Bottom, &["G", "end"]),
    (Action::PageDown, &["pagedown"]),
    (Action::PageUp, &["pageup"]),
    (Action::MoveStepDown, &["J", "alt-down"]),
    (Action::MoveStepUp, &["K", "alt-up"]),
    (Action::Undo, &["u"]),
    (Action::Redo, &["ctrl-r"]),
    (Action::Save, &["ctrl-s"]),
    (Action::NextPane, &["tab"]),
    (Action::PrevPane, &["backtab"]),
    (Action::Jump, &["enter"]),
    (Action::Add, &["a"]),
    (Action::Edit, &["e"]),
    (Action::Delete, &["d"]),
    (Action::Duplicate, &["y"]),
    (Action::Find, &["/"]),
    (Action::Templates, &["p"]),
    (Action::Draft, &["D"]),
    (Action::Accept, &["A"]),
    (Action::Toggles, &["t"]),
    (Action::Story, &["i"]),
    (Action::Export, &["x"]),
    (Action::Compare, &["c"]),
    (Action::Help, &["?"]),
    (Action::Close, &["esc"]),
    (Action::Quit, &["q"]),
];

const HELP: &[(Action, &[&str])] = &[
    (Action::Down, &["j", "down"]),
    (Action::Up, &["k", "up"]),
    (Action::PageDown, &["pagedown", "space"]),
    (Action::PageUp, &["pageup"]),
    (Action::Top, &["g", "home"]),
    (Action::Bottom, &["G", "end"]),
    (Action::Close, &["esc", "?", "q"]),
];

impl Default for Keymap {
    fn default() -> Self {
        let table = |rows: &[(Action, &[&str])]| {
            rows.iter()
                .map(|(action, keys)| {
                    let chords = keys.iter().filter_map(|k| Chord::parse(k).ok()).collect();
                    (*action, chords)
                })
                .collect()
        };
        Keymap {
            modes: HashMap::from([(Mode::Board, table(BOARD)), (Mode::Help, table(HELP))]),
        }
    }
}

impl Keymap {
    /// Applies a user's bindings over these: an action the user names gets exactly the
    /// user's keys, and those keys are taken from whatever action had them. Returns the
    /// problems found (unknown keys); the rest still applies.
    pub fn merge(&mut self, user: &UserKeymap) -> Vec<String> {
        let mut problems = Vec::new();
        for (mode, actions) in [(Mode::Board, &user.board), (Mode::Help, &user.help)] {
            let bindings = self.modes.entry(mode).or_default();
            let mut names: Vec<_> = actions.iter().collect();
            names.sort_by_key(|(action, _)| action.description());
            for (action, keys) in names {
                let mut chords = Vec::new();
                for key in keys {
                    match Chord::parse(key) {
                        Ok(chord) => chords.push(chord),
                        Err(problem) => problems.push(problem),
                    }
                }
                for (_, taken) in bindings.iter_mut() {
                    taken.retain(|c| !chords.contains(c));
                }
                match bindings.iter_mut().find(|(a, _)| a == action) {
                    Some((_, existing)) => *existing = chords,
                    None => bindings.push((*action, chords)),
                }
            }
        }
        problems
    }

    pub fn action(&self, mode: Mode, key: &KeyEvent) -> Option<Action> {
        let chord = Chord::from_event(key);
        self.bindings(mode)
            .iter()
            .find(|(_, chords)| chords.contains(&chord))
            .map(|(action, _)| *action)
    }

    pub fn bindings(&self, mode: Mode) -> &[(Action, Vec<Chord>)] {
        self.modes.get(&mode).map_or(&[], Vec::as_slice)
    }

    /// The first key of an action, for hints ("J move step").
    pub fn key_for(&self, mode: Mode, action: Action) -> Option<Chord> {
        self.bindings(mode)
            .iter()
            .find(|(a, _)| *a == action)
            .and_then(|(_, chords)| chords.first().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyEventKind;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent {
            code,
            modifiers: mods,
            kind: KeyEventKind::Press,
            state: ratatui::crossterm::event::KeyEventState::NONE,
        }
    }

    #[test]
    fn chords_parse_and_print() {
        assert_eq!(
            Chord::parse("ctrl-s").unwrap(),
            Chord {
                code: KeyCode::Char('s'),
                mods: KeyModifiers::CONTROL
            }
        );
        assert_eq!(Chord::parse("shift-j").unwrap(), Chord::parse("J").unwrap());
        assert_eq!(Chord::parse("alt-up").unwrap().to_string(), "Alt-↑");
        assert!(Chord::parse("hyper-x").is_err());
    }

    #[test]
    fn shifted_letters_match_their_capital() {
        let map = Keymap::default();
        let shifted_j = key(KeyCode::Char('J'), KeyModifiers::SHIFT);
        assert_eq!(
            map.action(Mode::Board, &shifted_j),
            Some(Action::MoveStepDown)
        );
        let alt_up = key(KeyCode::Up, KeyModifiers::ALT);
        assert_eq!(map.action(Mode::Board, &alt_up), Some(Action::MoveStepUp));
        let ctrl_r = key(KeyCode::Char('r'), KeyModifiers::CONTROL);
        assert_eq!(map.action(Mode::Board, &ctrl_r), Some(Action::Redo));
    }

    #[test]
    fn user_bindings_replace_an_actions_keys_and_steal_the_key() {
        let mut map = Keymap::default();
        let user: UserKeymap = ron::from_str(r#"(board: { undo: ["z"], redo: ["u"] })"#).unwrap();
        assert_eq!(map.merge(&user), Vec::<String>::new());
        let u = key(KeyCode::Char('u'), KeyModifiers::NONE);
        let z = key(KeyCode::Char('z'), KeyModifiers::NONE);
        assert_eq!(map.action(Mode::Board, &z), Some(Action::Undo));
        assert_eq!(map.action(Mode::Board, &u), Some(Action::Redo));
        // Ctrl-r no longer redoes: the user gave redo exactly one key.
        let ctrl_r = key(KeyCode::Char('r'), KeyModifiers::CONTROL);
        assert_eq!(map.action(Mode::Board, &ctrl_r), None);
    }

    #[test]
    fn unknown_keys_are_reported_and_the_rest_applies() {
        let mut map = Keymap::default();
        let user: UserKeymap =
            ron::from_str(r#"(board: { save: ["ctrl-w", "nope-key"] })"#).unwrap();
        assert_eq!(
            map.merge(&user),
            vec!["unknown key \"nope-key\"".to_string()]
        );
        let ctrl_w = key(KeyCode::Char('w'), KeyModifiers::CONTROL);
        assert_eq!(map.action(Mode::Board, &ctrl_w), Some(Action::Save));
    }
}
