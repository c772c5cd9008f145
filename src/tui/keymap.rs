//! Keys as data: every binding names an action, and every action has a description, so
//! the help overlay and the status bar are generated from the same table.

use std::collections::HashMap;
use std::fmt;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;

use crate::text::clean_line;

/// What a key does. One action may serve several contexts (`Down` moves a cursor on the
/// board, in a list and in the finder); each binding says in its own words what it does
/// there.
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
    /// Confirm a form or a prompt.
    Confirm,
    /// A line break in a form's field of several lines.
    NewLine,
    NextField,
    PrevField,
    /// Clear what was typed into a finder or picker.
    ClearQuery,
    /// In an export preview: copy it, write it to a file, switch plan / step.
    Copy,
    WriteFile,
    SwitchExport,
    /// In a draft preview: add the drafted steps to the plan.
    Take,
    /// In a component's facts: copy its current facts into its target.
    CopyToTarget,
    /// The selected component's facts compared with its sources, to apply.
    Import,
    /// Marks the selected step shipped, or no longer shipped.
    Ship,
    /// The nearest safe order of the steps (and repairs), to apply.
    Fix,
    /// The command palette: any action of the board by name.
    Palette,
    /// The answers to the board's questions.
    AnswerSave,
    AnswerDiscard,
    AnswerReload,
    AnswerOverwrite,
    AnswerCompare,
}

/// Where keys are read: the board, and each overlay with keys of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Board,
    Help,
    List,
    Pattern,
    Form,
    Finder,
    Picker,
    Reader,
    Export,
    Draft,
    Question,
    Prompt,
}

impl Mode {
    pub const ALL: [Mode; 12] = [
        Mode::Board,
        Mode::Help,
        Mode::List,
        Mode::Pattern,
        Mode::Form,
        Mode::Finder,
        Mode::Picker,
        Mode::Reader,
        Mode::Export,
        Mode::Draft,
        Mode::Question,
        Mode::Prompt,
    ];

    /// The name in `keymap.ron`.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Board => "board",
            Mode::Help => "help",
            Mode::List => "list",
            Mode::Pattern => "pattern",
            Mode::Form => "form",
            Mode::Finder => "finder",
            Mode::Picker => "picker",
            Mode::Reader => "reader",
            Mode::Export => "export",
            Mode::Draft => "draft",
            Mode::Question => "question",
            Mode::Prompt => "prompt",
        }
    }

    /// The heading of the mode's section in the help.
    pub fn title(self) -> &'static str {
        match self {
            Mode::Board => "On the board",
            Mode::Help => "In the help",
            Mode::List => "In a list (changes, facts, toggles, accepted findings)",
            Mode::Pattern => "Choosing a pattern",
            Mode::Form => "In a form",
            Mode::Finder => "In the finder (type to filter)",
            Mode::Picker => "Picking a plan (type to filter)",
            Mode::Reader => "Reading a diff",
            Mode::Export => "In the export preview",
            Mode::Draft => "In a preview to apply (drafted steps, an import)",
            Mode::Question => "Answering a question",
            Mode::Prompt => "In a prompt (save as, compare, write)",
        }
    }

    /// The mode's name on the status bar.
    pub fn status(self) -> &'static str {
        match self {
            Mode::Board => "BOARD",
            Mode::Help => "HELP",
            Mode::List => "LIST",
            Mode::Pattern => "PATTERN",
            Mode::Form => "FORM",
            Mode::Finder => "FIND",
            Mode::Picker => "PICK",
            Mode::Reader => "READ",
            Mode::Export => "EXPORT",
            Mode::Draft => "PREVIEW",
            Mode::Question => "QUESTION",
            Mode::Prompt => "PROMPT",
        }
    }
}

/// One action's keys in a mode, with what it does there: in a sentence for the help, and
/// in a word for the status bar and footers (empty: not shown there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub action: Action,
    pub chords: Vec<Chord>,
    pub short: &'static str,
    pub desc: &'static str,
}

/// One key with its modifiers, written like `ctrl-s`, `alt-up`, `J` or `?`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Chord {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Chord {
    /// The chord as a hint shows it. A key can come from the user's keymap.ron, so it is
    /// cleaned like any text shown.
    pub fn shown(&self) -> String {
        clean_line(&self.to_string()).into_owned()
    }

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

/// The bindings of each mode, in the order the help lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    modes: HashMap<Mode, Vec<Binding>>,
}

/// A user's `keymap.ron`: per mode, the keys of the actions it changes, e.g.
/// `(board: { move_step_down: ["J", "ctrl-down"] }, form: { confirm: ["ctrl-enter"] })`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserKeymap {
    #[serde(default)]
    pub board: ModeKeys,
    #[serde(default)]
    pub help: ModeKeys,
    #[serde(default)]
    pub list: ModeKeys,
    #[serde(default)]
    pub pattern: ModeKeys,
    #[serde(default)]
    pub form: ModeKeys,
    #[serde(default)]
    pub finder: ModeKeys,
    #[serde(default)]
    pub picker: ModeKeys,
    #[serde(default)]
    pub reader: ModeKeys,
    #[serde(default)]
    pub export: ModeKeys,
    #[serde(default)]
    pub draft: ModeKeys,
    #[serde(default)]
    pub question: ModeKeys,
    #[serde(default)]
    pub prompt: ModeKeys,
}

/// The actions a user's `keymap.ron` names for one mode, with their keys, in the order the
/// file gives them; an action named twice is kept twice, so that it can be reported.
#[derive(Debug, Default)]
pub struct ModeKeys(pub Vec<(Action, Vec<String>)>);

impl<'de> Deserialize<'de> for ModeKeys {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = ModeKeys;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map `{action: [keys]}`")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<ModeKeys, M::Error> {
                let mut pairs = Vec::new();
                while let Some(pair) = map.next_entry()? {
                    pairs.push(pair);
                }
                Ok(ModeKeys(pairs))
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

impl UserKeymap {
    fn mode(&self, mode: Mode) -> &ModeKeys {
        match mode {
            Mode::Board => &self.board,
            Mode::Help => &self.help,
            Mode::List => &self.list,
            Mode::Pattern => &self.pattern,
            Mode::Form => &self.form,
            Mode::Finder => &self.finder,
            Mode::Picker => &self.picker,
            Mode::Reader => &self.reader,
            Mode::Export => &self.export,
            Mode::Draft => &self.draft,
            Mode::Question => &self.question,
            Mode::Prompt => &self.prompt,
        }
    }
}

/// A default binding: action, keys, short word, description.
type Row = (Action, &'static [&'static str], &'static str, &'static str);

const BOARD: &[Row] = &[
    (Action::Down, &["j", "down"], "select", "next row"),
    (Action::Up, &["k", "up"], "select", "previous row"),
    (Action::Top, &["g", "home"], "top", "first row"),
    (Action::Bottom, &["G", "end"], "bottom", "last row"),
    (Action::PageDown, &["pagedown"], "page", "page down"),
    (Action::PageUp, &["pageup"], "page", "page up"),
    (
        Action::MoveStepDown,
        &["J", "alt-down"],
        "move step",
        "move the step later",
    ),
    (
        Action::MoveStepUp,
        &["K", "alt-up"],
        "move step",
        "move the step earlier",
    ),
    (Action::Undo, &["u"], "undo", "undo"),
    (Action::Redo, &["ctrl-r"], "redo", "redo"),
    (Action::Save, &["ctrl-s"], "save", "save"),
    (Action::NextPane, &["tab"], "pane", "next pane"),
    (Action::PrevPane, &["backtab"], "pane", "previous pane"),
    (
        Action::Jump,
        &["enter"],
        "open",
        "open: a step's changes, a component's facts, a finding's step",
    ),
    (
        Action::Add,
        &["a"],
        "add",
        "add a step, component, fact, change or toggle",
    ),
    (Action::Edit, &["e"], "edit", "edit the selected item"),
    (
        Action::Delete,
        &["d"],
        "delete",
        "delete the selected item (undo brings it back)",
    ),
    (
        Action::Duplicate,
        &["y"],
        "duplicate",
        "duplicate the selected item",
    ),
    (
        Action::Find,
        &["/"],
        "find",
        "find a step, component, key or finding",
    ),
    (
        Action::Palette,
        &[":", "ctrl-p"],
        "run",
        "run any action by name (the command palette)",
    ),
    (
        Action::Templates,
        &["p"],
        "pattern",
        "insert a pattern: toggle, expand/contract, double write",
    ),
    (
        Action::Draft,
        &["D"],
        "draft",
        "draft the steps that reach the target",
    ),
    (
        Action::Import,
        &["I"],
        "import",
        "import the selected component's facts from its sources",
    ),
    (
        Action::Fix,
        &["F"],
        "fix order",
        "the nearest safe order of the steps, or repairs, to apply",
    ),
    (
        Action::Ship,
        &["s"],
        "shipped",
        "mark the selected step shipped (again: not shipped)",
    ),
    (
        Action::Accept,
        &["A"],
        "accept",
        "accept the selected finding, with a reason",
    ),
    (Action::Toggles, &["t"], "toggles", "the plan's toggles"),
    (
        Action::Story,
        &["i"],
        "story",
        "the story's title, narrative and notes",
    ),
    (
        Action::Export,
        &["x"],
        "export",
        "export preview (Markdown): copy it or write it to a file",
    ),
    (
        Action::Compare,
        &["c"],
        "compare",
        "compare the plan with its file at a git ref",
    ),
    (Action::Help, &["?"], "help", "help"),
    (Action::Close, &["esc"], "close", "close"),
    (Action::Quit, &["q"], "quit", "quit"),
];

/// Scrolling through text: the help, a diff, an export.
const SCROLLING: &[Row] = &[
    (Action::Down, &["j", "down"], "scroll", "scroll down"),
    (Action::Up, &["k", "up"], "scroll", "scroll up"),
    (
        Action::PageDown,
        &["pagedown", "space"],
        "page",
        "page down",
    ),
    (Action::PageUp, &["pageup"], "page", "page up"),
    (Action::Top, &["g", "home"], "", "to the top"),
    (Action::Bottom, &["G", "end"], "", "to the end"),
];

const HELP: &[Row] = &[
    (
        Action::Find,
        &["/"],
        "filter",
        "filter the help by what you type",
    ),
    (Action::Close, &["esc", "?", "q"], "close", "close the help"),
];

const LIST: &[Row] = &[
    (Action::Down, &["j", "down"], "select", "next item"),
    (Action::Up, &["k", "up"], "select", "previous item"),
    (Action::Top, &["g", "home"], "", "first item"),
    (Action::Bottom, &["G", "end"], "", "last item"),
    (Action::Add, &["a"], "add", "add an item"),
    (
        Action::Edit,
        &["e", "enter"],
        "edit",
        "edit the selected item",
    ),
    (Action::Delete, &["d"], "delete", "delete the selected item"),
    (
        Action::CopyToTarget,
        &["T"],
        "",
        "in a component's facts: copy the current facts into the target",
    ),
    // Not every list duplicates or reorders: its own footer says when these work.
    (Action::Duplicate, &["y"], "", "duplicate the selected item"),
    (
        Action::MoveStepDown,
        &["J", "alt-down"],
        "",
        "move the item later",
    ),
    (
        Action::MoveStepUp,
        &["K", "alt-up"],
        "",
        "move the item earlier",
    ),
    (Action::Undo, &["u"], "", "undo, as on the board"),
    (Action::Redo, &["ctrl-r"], "", "redo, as on the board"),
    (Action::Save, &["ctrl-s"], "", "save, as on the board"),
    (Action::Close, &["esc", "q"], "close", "close the list"),
];

const PATTERN: &[Row] = &[
    (Action::Down, &["j", "down"], "select", "next pattern"),
    (Action::Up, &["k", "up"], "select", "previous pattern"),
    (
        Action::Jump,
        &["enter"],
        "choose",
        "fill in the selected pattern",
    ),
    (Action::Close, &["esc", "q"], "close", "close"),
];

const FORM: &[Row] = &[
    (Action::NextField, &["tab"], "next", "next field"),
    (Action::PrevField, &["backtab"], "", "previous field"),
    (
        Action::Down,
        &["down"],
        "completions",
        "next completion (or field)",
    ),
    (
        Action::Up,
        &["up"],
        "completions",
        "previous completion (or field)",
    ),
    (
        Action::Confirm,
        &["enter"],
        "save",
        "take the highlighted completion, or save the form",
    ),
    (
        Action::NewLine,
        &["alt-enter", "ctrl-j"],
        "",
        "start a new line in a field of several lines (narrative, notes)",
    ),
    (Action::Close, &["esc"], "cancel", "cancel the form"),
];

const FINDER: &[Row] = &[
    (Action::Jump, &["enter"], "jump", "jump to the match"),
    (Action::Down, &["down", "ctrl-n"], "select", "next match"),
    (Action::Up, &["up", "ctrl-p"], "select", "previous match"),
    (
        Action::PageDown,
        &["pagedown"],
        "",
        "a page of matches down",
    ),
    (Action::PageUp, &["pageup"], "", "a page of matches up"),
    (Action::Close, &["esc"], "close", "close the finder"),
];

const PICKER: &[Row] = &[
    (Action::Jump, &["enter"], "open", "open the plan"),
    (Action::Down, &["down", "ctrl-n"], "", "next plan"),
    (Action::Up, &["up", "ctrl-p"], "", "previous plan"),
    (Action::ClearQuery, &["ctrl-u"], "", "clear the filter"),
    (
        Action::Close,
        &["esc", "ctrl-c"],
        "quit",
        "leave without opening a plan",
    ),
];

const READER: &[Row] = &[(Action::Close, &["esc", "q"], "close", "close")];

const EXPORT: &[Row] = &[
    (
        Action::Copy,
        &["c"],
        "copy",
        "copy it to the clipboard (OSC 52)",
    ),
    (Action::WriteFile, &["w"], "write", "write it to a file"),
    (
        Action::SwitchExport,
        &["tab", "backtab"],
        "plan/step",
        "switch between the whole plan and the selected step",
    ),
    (Action::Close, &["esc", "q"], "close", "close"),
];

const DRAFT: &[Row] = &[
    (
        Action::Take,
        &["enter"],
        "apply",
        "apply the preview: add the drafted steps, or import",
    ),
    (
        Action::Close,
        &["esc", "q"],
        "discard",
        "discard the preview",
    ),
    (Action::Down, &["j", "down"], "scroll", "scroll down"),
    (Action::Up, &["k", "up"], "scroll", "scroll up"),
];

const QUESTION: &[Row] = &[
    (Action::AnswerSave, &["s", "S"], "save", "save, then go on"),
    (
        Action::AnswerDiscard,
        &["d", "D"],
        "discard",
        "discard the changes",
    ),
    (
        Action::AnswerReload,
        &["r", "R"],
        "reload",
        "reload the file from disk",
    ),
    (
        Action::AnswerOverwrite,
        &["o", "O"],
        "overwrite",
        "overwrite the file on disk",
    ),
    (
        Action::AnswerCompare,
        &["v", "V"],
        "compare",
        "compare your edits with the file on disk",
    ),
    (Action::Close, &["c", "C", "esc"], "cancel", "cancel"),
];

const PROMPT: &[Row] = &[
    (Action::Confirm, &["enter"], "ok", "confirm"),
    (Action::Close, &["esc"], "cancel", "cancel"),
];

/// A mode's default bindings, in the order the help lists them.
fn defaults(mode: Mode) -> Vec<Row> {
    // The modes that show text scroll through it with the same keys.
    let (scrolls, own) = match mode {
        Mode::Board => (false, BOARD),
        Mode::Help => (true, HELP),
        Mode::List => (false, LIST),
        Mode::Pattern => (false, PATTERN),
        Mode::Form => (false, FORM),
        Mode::Finder => (false, FINDER),
        Mode::Picker => (false, PICKER),
        Mode::Reader => (true, READER),
        Mode::Export => (true, EXPORT),
        Mode::Draft => (false, DRAFT),
        Mode::Question => (false, QUESTION),
        Mode::Prompt => (false, PROMPT),
    };
    if scrolls {
        [SCROLLING, own].concat()
    } else {
        own.to_vec()
    }
}

impl Default for Keymap {
    fn default() -> Self {
        let table = |rows: &[Row]| {
            rows.iter()
                .map(|&(action, keys, short, desc)| Binding {
                    action,
                    chords: keys.iter().filter_map(|k| Chord::parse(k).ok()).collect(),
                    short,
                    desc,
                })
                .collect()
        };
        Keymap {
            modes: Mode::ALL
                .iter()
                .map(|&mode| (mode, table(&defaults(mode))))
                .collect(),
        }
    }
}

impl Keymap {
    /// A mode's hints on one line, as the foot of a box shows them: "j/k scroll · Esc
    /// close" (paging is left to the status bar, where there is room).
    pub fn footer(&self, mode: Mode) -> String {
        let hints: Vec<String> = self
            .hints(mode)
            .iter()
            .filter(|(_, short)| *short != "page")
            .map(|(key, short)| format!("{key} {short}"))
            .collect();
        hints.join(" · ")
    }

    /// Applies a user's bindings over these: an action the user names gets exactly the
    /// user's keys, and those keys are taken from whatever action of that mode had them.
    /// Returns the problems found, each naming what it is about; the rest still applies.
    /// An action whose keys are all unknown keeps its defaults rather than losing them.
    pub fn merge(&mut self, user: &UserKeymap) -> Vec<String> {
        let mut problems = Vec::new();
        for mode in Mode::ALL {
            let Some(bindings) = self.modes.get_mut(&mode) else {
                continue;
            };
            let given = &user.mode(mode).0;
            for (n, (action, keys)) in given.iter().enumerate() {
                let name = action_name(*action);
                let place = mode.name();
                if given[n + 1..].iter().any(|(a, _)| a == action) {
                    problems.push(format!(
                        "`{name}` appears twice in {place}: the last one applies"
                    ));
                    continue;
                }
                if !bindings.iter().any(|b| b.action == *action) {
                    problems.push(format!("the action `{name}` does nothing in {place}"));
                    continue;
                }
                let mut chords = Vec::new();
                for key in keys {
                    match Chord::parse(key) {
                        Ok(chord) => chords.push(chord),
                        Err(problem) => problems.push(problem),
                    }
                }
                if chords.is_empty() && !keys.is_empty() {
                    problems.push(format!(
                        "`{name}` keeps its default keys in {place}: none of the keys given is known"
                    ));
                    continue;
                }
                for binding in bindings.iter_mut().filter(|b| b.action != *action) {
                    let before = binding.chords.len();
                    binding.chords.retain(|c| !chords.contains(c));
                    if binding.chords.len() < before {
                        problems.push(format!(
                            "`{name}` takes a key of `{}` in {place}",
                            action_name(binding.action)
                        ));
                    }
                }
                if let Some(binding) = bindings.iter_mut().find(|b| b.action == *action) {
                    binding.chords = chords;
                }
            }
        }
        if self.key_for(Mode::Board, Action::Quit).is_none() {
            problems.push("`quit` has no key left on the board: Ctrl-c still quits".to_string());
        }
        problems
    }

    pub fn action(&self, mode: Mode, key: &KeyEvent) -> Option<Action> {
        action_in(self.bindings(mode), key)
    }

    pub fn bindings(&self, mode: Mode) -> &[Binding] {
        self.modes.get(&mode).map_or(&[], Vec::as_slice)
    }

    pub fn binding(&self, mode: Mode, action: Action) -> Option<&Binding> {
        self.bindings(mode).iter().find(|b| b.action == action)
    }

    /// The first key of an action as a hint shows it ("J move step").
    pub fn key_for(&self, mode: Mode, action: Action) -> Option<String> {
        self.binding(mode, action)
            .and_then(|b| b.chords.first())
            .map(Chord::shown)
    }

    /// The hints of a mode, in its order: each binding with a short word, its first key
    /// (as [`Chord::shown`]); neighbours with the same word share one hint ("j/k
    /// select").
    pub fn hints(&self, mode: Mode) -> Vec<(String, &'static str)> {
        hints_in(self.bindings(mode))
    }
}

/// The hints of `bindings` (see [`Keymap::hints`]).
pub fn hints_in(bindings: &[Binding]) -> Vec<(String, &'static str)> {
    let mut hints: Vec<(String, &'static str)> = Vec::new();
    for binding in bindings {
        let Some(chord) = binding.chords.first() else {
            continue;
        };
        if binding.short.is_empty() {
            continue;
        }
        let chord = chord.shown();
        match hints.last_mut() {
            Some((keys, short)) if *short == binding.short => {
                // Down and Up read best as one glyph pair.
                if keys == "↓" && chord == "↑" {
                    *keys = "↑↓".to_string();
                } else {
                    keys.push('/');
                    keys.push_str(&chord);
                }
            }
            _ => hints.push((chord, binding.short)),
        }
    }
    hints
}

/// The action bound to a key among `bindings`.
pub fn action_in(bindings: &[Binding], key: &KeyEvent) -> Option<Action> {
    let chord = Chord::from_event(key);
    bindings
        .iter()
        .find(|b| b.chords.contains(&chord))
        .map(|b| b.action)
}

/// The snake_case name of an action, as `keymap.ron` writes it.
pub fn action_name(action: Action) -> String {
    let mut name = String::new();
    for (i, c) in format!("{action:?}").chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                name.push('_');
            }
            name.push(c.to_ascii_lowercase());
        } else {
            name.push(c);
        }
    }
    name
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
    fn every_mode_reads_its_own_bindings() {
        let mut map = Keymap::default();
        let user: UserKeymap = ron::from_str(
            r#"(form: { confirm: ["ctrl-enter"] }, question: { answer_save: ["w"] })"#,
        )
        .unwrap();
        assert_eq!(map.merge(&user), Vec::<String>::new());
        let enter = key(KeyCode::Enter, KeyModifiers::NONE);
        let ctrl_enter = key(KeyCode::Enter, KeyModifiers::CONTROL);
        assert_eq!(map.action(Mode::Form, &enter), None);
        assert_eq!(map.action(Mode::Form, &ctrl_enter), Some(Action::Confirm));
        // The prompt keeps its own Enter.
        assert_eq!(map.action(Mode::Prompt, &enter), Some(Action::Confirm));
        let w = key(KeyCode::Char('w'), KeyModifiers::NONE);
        assert_eq!(map.action(Mode::Question, &w), Some(Action::AnswerSave));
        assert_eq!(
            map.footer(Mode::Form).split(" · ").nth(2),
            Some("Ctrl-Enter save")
        );
    }

    #[test]
    fn an_action_a_mode_does_not_have_is_reported() {
        let mut map = Keymap::default();
        let user: UserKeymap = ron::from_str(r#"(picker: { undo: ["u"] })"#).unwrap();
        assert_eq!(
            map.merge(&user),
            vec!["the action `undo` does nothing in picker".to_string()]
        );
        assert_eq!(map, Keymap::default());
    }

    #[test]
    fn hints_pair_neighbours_that_share_a_word() {
        let map = Keymap::default();
        assert_eq!(
            map.footer(Mode::Finder),
            "Enter jump · ↑↓ select · Esc close"
        );
        assert_eq!(map.footer(Mode::Help), "j/k scroll · / filter · Esc close");
        let status: Vec<String> = map
            .hints(Mode::Help)
            .into_iter()
            .map(|(key, short)| format!("{key} {short}"))
            .collect();
        assert_eq!(
            status,
            ["j/k scroll", "PgDn/PgUp page", "/ filter", "Esc close"]
        );
    }

    #[test]
    fn a_key_from_the_keymap_reaches_hints_cleaned() {
        let mut map = Keymap::default();
        let user: UserKeymap = ron::from_str("(help: { close: [\"\u{202E}\", \"q\"] })").unwrap();
        assert_eq!(map.merge(&user), Vec::<String>::new());
        assert_eq!(map.key_for(Mode::Help, Action::Close).as_deref(), Some(""));
        assert_eq!(map.footer(Mode::Help), "j/k scroll · / filter ·  close");
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
