//! The board's vocabulary: the messages `update` takes, the effects it asks the loop to
//! carry out, and the small values they carry.

use std::path::PathBuf;

use ratatui::crossterm::event::KeyEvent;
use tui_input::InputRequest;

use super::keymap::Action;
use super::model::Pane;
use crate::plan::Plan;
use crate::store::Stamp;

/// What a key does inside a form.
#[derive(Debug, Clone, PartialEq)]
pub enum FormKey {
    Next,
    Prev,
    Up,
    Down,
    /// Enter: takes a completion or submits.
    Submit,
    /// A line break in a field of several lines.
    NewLine,
    Cancel,
    /// Any other key: edits the focused field (Space and ←/→ change a choice or a flag).
    Type(KeyEvent),
}

/// Keys in the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    Scroll(i32),
    /// A page down (1) or up (-1): as many lines as the reader shows.
    Page(i32),
    /// Copy the export to the clipboard.
    Copy,
    /// Write the export to a file (asks for its name).
    Write,
    /// Switch the export between the whole plan and the selected step.
    Switch,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Save,
    Discard,
    Reload,
    Overwrite,
    /// Shows what the board has that the file on disk has not.
    Compare,
    Cancel,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Action(Action),
    /// Half a second passed with no input: a notice on the board grows older.
    Tick,
    SelectStep(usize),
    SelectFinding(usize),
    SelectComponent(usize),
    Focus(Pane),
    Wheel {
        pane: Pane,
        down: bool,
    },
    DragPress(usize),
    DragOver(usize),
    /// Moves the step at `from` so that it ends up at index `to`.
    MoveStep {
        from: usize,
        to: usize,
    },
    Answer(Answer),
    Form(FormKey),
    Finder(KeyEvent),
    /// Take (true) or discard the drafted steps, or the import.
    Draft(bool),
    /// What a component's sources yield, compared with it; or why they cannot be read.
    Imported(Result<crate::sources::import::Imported, String>),
    DraftScroll(bool),
    Read(Reading),
    /// Text to show in the reader (a diff computed by the loop).
    Show {
        title: String,
        text: String,
    },
    /// How an effect went, for the status line.
    Told {
        text: String,
        error: bool,
    },
    /// The furthest the help can scroll at the current size (reported after a draw).
    HelpLimit(u16),
    /// How many lines the open reader shows: what a page is.
    PageRows(u16),
    /// How far Details can scroll, as drawn.
    DetailsLimit(u16),
    /// Text pasted into the terminal (bracketed paste): typed into the field that has the
    /// cursor, at once.
    Paste(String),
    /// Ctrl-c: quit from wherever the board is, asking first when there are unsaved
    /// changes, whatever the keymap says.
    Interrupt,
    /// Whether the last draw showed the board, or only the notice that the terminal is
    /// too small (reported after a draw when it changes).
    Shown(bool),
    Edit(InputRequest),
    Submit,
    Saved {
        path: PathBuf,
        stamp: Stamp,
        plan: Box<Plan>,
        then_quit: bool,
    },
    SaveFailed(String),
    /// The file may not be written (read-only, or not a regular file): save elsewhere.
    SaveRefused {
        reason: String,
        then_quit: bool,
    },
    DiskChanged {
        then_quit: bool,
    },
    Reloaded {
        plan: Box<Plan>,
        stamp: Stamp,
        by_itself: bool,
    },
    /// The plan's file changed on disk: another editor, a teammate's pull, a second board.
    DiskEdited,
    ReloadFailed(String),
}

/// Work with the outside world that `update` asks the loop to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Write the plan to `path`, unless the file no longer matches `expected` (and
    /// `force` is off), or — with `expected: None` — unless a file is already there.
    Save {
        path: PathBuf,
        plan: Box<Plan>,
        expected: Option<Stamp>,
        force: bool,
        then_quit: bool,
    },
    Reload {
        path: PathBuf,
        /// The board noticed the change itself (no unsaved edits), rather than being asked.
        by_itself: bool,
    },
    /// Put the text on the clipboard (OSC 52).
    Copy(String),
    /// Write an export to a new file.
    Write {
        path: PathBuf,
        text: String,
    },
    /// Read a component's sources in the repository at `root` and compare them with it.
    Import {
        root: PathBuf,
        plan: Box<Plan>,
        component: usize,
    },
    /// Compare the file on disk (changed by someone else) with the plan on the board.
    CompareDisk {
        path: PathBuf,
        plan: Box<Plan>,
    },
    /// Compare the plan with its file at a git ref.
    Compare {
        reference: String,
        path: PathBuf,
        plan: Box<Plan>,
    },
    Quit,
}
