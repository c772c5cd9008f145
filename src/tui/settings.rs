//! User settings: key bindings and the look of the board, read from the platform's config
//! folder, so that a broken file costs the user a line on the status bar, never the board.
//!
//! # Where
//!
//! The folder is `$STORYPLAN_CONFIG_DIR` when that is set and not empty, else the
//! platform's config folder for storyplan (`directories::ProjectDirs::from("", "",
//! "storyplan")`): `~/.config/storyplan` on Linux (or `$XDG_CONFIG_HOME/storyplan`),
//! `~/Library/Application Support/storyplan` on macOS, `%APPDATA%\storyplan\config` on
//! Windows. Both files are optional; a missing file means the defaults.
//!
//! # `keymap.ron`
//!
//! Per mode, the actions whose keys you want to change, each with the complete list of its
//! keys. An action you name gets exactly your keys, and those keys are taken away from any
//! other action of that mode; actions you do not name keep their defaults.
//!
//! ```ron
//! (
//!     board: {
//!         undo: ["z"],
//!         redo: ["ctrl-z", "U"],
//!         move_step_down: ["J", "ctrl-down"],
//!     },
//!     help: {
//!         close: ["esc", "q"],
//!     },
//!     form: {
//!         confirm: ["enter", "ctrl-s"],
//!     },
//! )
//! ```
//!
//! The modes and their actions (the README lists their default keys):
//! - `board`: `down`, `up`, `top`, `bottom`, `page_down`, `page_up`, `move_step_down`,
//!   `move_step_up`, `undo`, `redo`, `save`, `next_pane`, `prev_pane`, `jump`, `add`, `edit`,
//!   `delete`, `duplicate`, `find`, `palette`, `templates`, `draft`, `import`, `fix`, `ship`,
//!   `accept`, `toggles`, `story`, `export`, `compare`, `help`, `close`, `quit`.
//! - `help`: `down`, `up`, `page_down`, `page_up`, `top`, `bottom`, `find`, `close`.
//! - `list`: `down`, `up`, `top`, `bottom`, `add`, `edit`, `delete`, `copy_to_target`,
//!   `duplicate`, `move_step_down`, `move_step_up`, `undo`, `redo`, `save`, `close`.
//! - `pattern`: `down`, `up`, `jump`, `close`.
//! - `form`: `next_field`, `prev_field`, `down`, `up`, `confirm`, `new_line`, `close`.
//! - `finder`: `jump`, `down`, `up`, `page_down`, `page_up`, `close`.
//! - `picker`: `jump`, `down`, `up`, `clear_query`, `close`.
//! - `reader`: `down`, `up`, `page_down`, `page_up`, `top`, `bottom`, `close`.
//! - `export`: `down`, `up`, `page_down`, `page_up`, `top`, `bottom`, `copy`, `write_file`,
//!   `switch_export`, `close`.
//! - `draft`: `take`, `close`, `down`, `up`.
//! - `question`: `answer_save`, `answer_discard`, `answer_reload`, `answer_overwrite`,
//!   `answer_compare`, `close`.
//! - `prompt`: `confirm`, `close`.
//!
//! Keys: one character (`"z"`, `"J"`, `"?"`), or a name: `up`, `down`, `left`, `right`,
//! `enter`, `esc`, `tab`, `backtab`, `home`, `end`, `pageup`, `pagedown`, `space`,
//! `backspace`, `delete`; with any of the prefixes `ctrl-`, `alt-`, `shift-`
//! (`"ctrl-s"`, `"alt-up"`; `"shift-j"` is the same key as `"J"`).
//!
//! # `settings.ron`
//!
//! ```ron
//! (
//!     theme: "plain",   // "default" (colours) or "plain" (no colours); default "default"
//!     mouse: false,     // click and drag steps with the mouse; default true
//! )
//! ```
//!
//! Both fields are optional; other fields are an error. The environment variable `NO_COLOR`
//! (set and not empty) forces the plain theme, whatever the file says.
//!
//! # Problems
//!
//! A file that cannot be read or parsed, an unknown action, setting, theme or key is reported
//! as one line in [`Settings::problems`] — `keymap.ron:3:14: unknown action `mvoe_down` …` —
//! and the board starts anyway. A file that does not parse is ignored as a whole (its
//! defaults apply); in a `keymap.ron` that parses, the keys that are understood apply and
//! only the unknown ones are dropped. An action whose keys are all unknown keeps its
//! defaults; an action named twice (the last one applies), a key taken from another action
//! and a board left without a key for `quit` (Ctrl-c always quits) are reported too.

use std::ffi::OsString;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use ron::error::{Error as RonError, SpannedError};
use ron::extensions::Extensions;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::text::{clean_line, cut, lower_first};

/// How much of a name quoted from a settings file a problem shows (one status line).
const NAME_CHARS: usize = 40;
use crate::tui::keymap::{Keymap, UserKeymap};
use crate::tui::theme::Theme;

/// The environment variable that names the settings folder instead of the platform's.
pub const CONFIG_DIR_VAR: &str = "STORYPLAN_CONFIG_DIR";
/// Key bindings, merged over the defaults.
pub const KEYMAP_FILE: &str = "keymap.ron";
/// Theme and mouse.
pub const SETTINGS_FILE: &str = "settings.ron";

/// Settings files are a few lines; anything larger than this is not read.
const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// What the board starts with.
#[derive(Debug, Clone)]
pub struct Settings {
    pub keymap: Keymap,
    pub theme: Theme,
    /// Whether the board captures the mouse (clicks and drags).
    pub mouse: bool,
    /// One line per problem found in the files, for the status line; cleaned of control
    /// characters.
    pub problems: Vec<String>,
}

impl Default for Settings {
    /// The built-in defaults, without looking at files or the environment (`load` also
    /// honours `NO_COLOR`).
    fn default() -> Self {
        Settings {
            keymap: Keymap::default(),
            theme: Theme::default(),
            mouse: true,
            problems: Vec::new(),
        }
    }
}

/// `settings.ron`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename = "Settings")]
struct UserSettings {
    #[serde(default)]
    theme: Option<String>,
    #[serde(default)]
    mouse: Option<bool>,
}

/// The folder the settings are read from: `$STORYPLAN_CONFIG_DIR`, else the platform's
/// config folder for storyplan; `None` when neither is known (no home folder).
pub fn config_dir() -> Option<PathBuf> {
    config_dir_from(std::env::var_os(CONFIG_DIR_VAR))
}

fn config_dir_from(override_dir: Option<OsString>) -> Option<PathBuf> {
    match override_dir {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => directories::ProjectDirs::from("", "", "storyplan")
            .map(|dirs| dirs.config_dir().to_path_buf()),
    }
}

/// The user's settings from [`config_dir`].
pub fn load() -> Settings {
    load_from(config_dir().as_deref())
}

/// The settings in `dir` (defaults for what is missing; no folder means all defaults),
/// with the problems found on the way. Never fails: the board must start.
pub fn load_from(dir: Option<&Path>) -> Settings {
    let mut problems = Vec::new();

    let mut keymap = Keymap::default();
    if let Some(user) = dir.and_then(|dir| read_ron::<UserKeymap>(dir, KEYMAP_FILE, &mut problems))
    {
        for problem in keymap.merge(&user.value) {
            let at = locate_key_problem(&user.text, &problem)
                .map(|(line, column)| format!(":{line}:{column}"))
                .unwrap_or_default();
            problems.push(format!("{KEYMAP_FILE}{at}: {problem}"));
        }
    }

    let user = dir
        .and_then(|dir| read_ron::<UserSettings>(dir, SETTINGS_FILE, &mut problems))
        .map(|parsed| parsed.value)
        .unwrap_or_default();
    let theme_name = user.theme.as_deref().filter(|name| {
        let known = Theme::named(name).is_some();
        if !known {
            problems.push(format!(
                "{SETTINGS_FILE}: unknown theme \"{}\" (expected default or plain)",
                cut(name, NAME_CHARS)
            ));
        }
        known
    });

    Settings {
        keymap,
        theme: Theme::from_env(theme_name),
        mouse: user.mouse.unwrap_or(true),
        problems: problems
            .iter()
            .map(|problem| clean_line(problem).into_owned())
            .collect(),
    }
}

struct Parsed<T> {
    value: T,
    text: String,
}

/// Reads and parses `dir/name`: `None` when the file is missing (silently) or broken (with
/// a problem pushed).
fn read_ron<T: DeserializeOwned>(
    dir: &Path,
    name: &str,
    problems: &mut Vec<String>,
) -> Option<Parsed<T>> {
    let path = dir.join(name);
    let text = match read_text(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return None,
        Err(err) => {
            problems.push(format!("{name}: {}", read_failure(&err)));
            return None;
        }
    };
    // Editors on some platforms start UTF-8 files with a byte order mark; ron does not.
    let body = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let options = ron::Options::default().with_default_extension(Extensions::IMPLICIT_SOME);
    match options.from_str::<T>(body) {
        Ok(value) => Some(Parsed {
            value,
            text: body.to_string(),
        }),
        // A file of nothing but blanks and comments (everything commented out) is empty.
        Err(_) if options.from_str::<T>(&format!("{body}\n()")).is_ok() => None,
        Err(err) => {
            let (line, column) = culprit(body, &err);
            problems.push(format!("{name}:{line}:{column}: {}", describe(&err)));
            None
        }
    }
}

/// Where ron's error points, moved past the blanks ron often stops before, onto the text
/// it tripped over.
fn culprit(text: &str, err: &SpannedError) -> (usize, usize) {
    let reported = (err.span.start.line.max(1), err.span.start.col.max(1));
    if err.code == RonError::Eof {
        return reported;
    }
    let Some(offset) = offset_of(text, reported) else {
        return reported;
    };
    let rest = &text[offset..];
    let culprit = rest.trim_start();
    if culprit.is_empty() {
        return reported;
    }
    position_of(text, offset + rest.len() - culprit.len())
}

/// The byte offset of a 1-based line and column (in characters).
fn offset_of(text: &str, (line, column): (usize, usize)) -> Option<usize> {
    let line_start = match line {
        1 => 0,
        _ => text.match_indices('\n').nth(line - 2)?.0 + 1,
    };
    let in_line = text[line_start..]
        .char_indices()
        .nth(column - 1)
        .map_or(text.len() - line_start, |(i, _)| i);
    Some(line_start + in_line)
}

/// The 1-based line and column (in characters) of a byte offset.
fn position_of(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
}

fn read_text(path: &Path) -> io::Result<String> {
    let file = File::open(path)?;
    if file.metadata()?.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            "this is a folder",
        ));
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!("the file is larger than {MAX_FILE_BYTES} bytes"),
        ));
    }
    String::from_utf8(bytes)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "the file is not UTF-8 text"))
}

fn read_failure(err: &io::Error) -> String {
    match err.kind() {
        io::ErrorKind::PermissionDenied => "cannot read the file: permission denied".to_string(),
        io::ErrorKind::IsADirectory => "this is a folder, not a settings file".to_string(),
        io::ErrorKind::FileTooLarge | io::ErrorKind::InvalidData => err.to_string(),
        _ => format!("cannot read the file: {err}"),
    }
}

/// Where in `keymap.ron` a problem is: the key of an `unknown key "…"`, else the action it
/// names first in backticks (for an action named twice, its second time), when written
/// plainly.
fn locate_key_problem(text: &str, problem: &str) -> Option<(usize, usize)> {
    if let Some(quoted) = problem.strip_prefix("unknown key ") {
        return Some(position_of(text, text.find(quoted)?));
    }
    let name = problem.split('`').nth(1)?;
    let mut at = text.match_indices(name).map(|(at, _)| at).filter(|&at| {
        let before = text[..at].chars().next_back();
        let after = text[at + name.len()..].trim_start();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_') && after.starts_with(':')
    });
    let first = at.next()?;
    let found = if problem.contains("appears twice") {
        at.next().unwrap_or(first)
    } else {
        first
    };
    Some(position_of(text, found))
}

/// ron's error in the words of someone editing the file.
fn describe(err: &SpannedError) -> String {
    match &err.code {
        RonError::NoSuchEnumVariant {
            expected, found, ..
        } => unknown("action", found, expected),
        RonError::NoSuchStructField {
            expected,
            found,
            outer,
        } => {
            let what = match outer.as_deref() {
                Some("UserKeymap") => "mode",
                Some("Settings") => "setting",
                _ => "field",
            };
            unknown(what, found, expected)
        }
        RonError::DuplicateStructField { field, .. } => {
            format!("`{field}` appears twice")
        }
        RonError::Eof => {
            "the file ends too early: a closing `)`, `]` or `}` may be missing".to_string()
        }
        RonError::ExpectedNamedStructLike(_) | RonError::ExpectedStructLike => {
            "expected `(`".to_string()
        }
        RonError::ExpectedDifferentStructName { found, .. } => {
            format!("expected `(`, found `{}`", cut(found, NAME_CHARS))
        }
        RonError::ExpectedComma => "expected a comma".to_string(),
        RonError::ExpectedIdentifier => "expected a name (without quotes)".to_string(),
        RonError::ExpectedBoolean => "expected `true` or `false`".to_string(),
        RonError::ExpectedString => "expected a string in double quotes".to_string(),
        RonError::ExpectedArray => "expected a list of keys: `[`".to_string(),
        RonError::ExpectedMap => "expected a map `{action: [keys]}`".to_string(),
        RonError::TrailingCharacters => {
            "unexpected text after the settings: the file holds one `(...)`".to_string()
        }
        other => lower_first(&other.to_string()),
    }
}

fn unknown(what: &str, found: &str, expected: &[&str]) -> String {
    let hint = match crate::suggest::closest(found, expected.iter().copied()) {
        Some(name) => format!(": did you mean `{name}`?"),
        None => String::new(),
    };
    let names = match expected {
        [one, two] => format!("{one} or {two}"),
        names => format!("one of {}", names.join(", ")),
    };
    format!(
        "unknown {what} `{}`{hint} (expected {names})",
        cut(found, NAME_CHARS)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_override_folder_wins_unless_empty() {
        assert_eq!(
            config_dir_from(Some(OsString::from("/tmp/sp"))),
            Some(PathBuf::from("/tmp/sp"))
        );
        let platform = directories::ProjectDirs::from("", "", "storyplan")
            .map(|dirs| dirs.config_dir().to_path_buf());
        assert_eq!(config_dir_from(Some(OsString::new())), platform);
        assert_eq!(config_dir_from(None), platform);
    }

    #[test]
    fn unknown_key_problems_are_placed_on_the_key() {
        let text = "(\n  board: {\n    save: [\"ctrl-s\", \"hyper-x\"],\n  },\n)\n";
        assert_eq!(
            locate_key_problem(text, "unknown key \"hyper-x\""),
            Some((3, 22))
        );
        assert_eq!(locate_key_problem(text, "something else"), None);
    }

    #[test]
    fn positions_count_characters() {
        let text = "(é: 1,\n  ü)";
        assert_eq!(offset_of(text, (1, 3)), Some(3));
        assert_eq!(position_of(text, 3), (1, 3));
        assert_eq!(offset_of(text, (2, 3)), Some(10));
        assert_eq!(position_of(text, 10), (2, 3));
        assert_eq!(offset_of(text, (3, 1)), None);
    }

    #[test]
    fn long_names_are_cut_short() {
        assert_eq!(
            cut(&"é".repeat(50), NAME_CHARS),
            format!("{}…", "é".repeat(40))
        );
    }
}
