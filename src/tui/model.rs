//! The board's state. Only `update` changes it; views read it.

use std::path::PathBuf;

use tui_input::Input;

use super::complete::Completion;
use super::finder::Finder;
use super::form::Form;
use super::keymap::{Action, Keymap};
use super::theme::Theme;
use crate::check::{Report, Summary, check};
use crate::compose::draft::Draft;
use crate::plan::Plan;
use crate::store::Stamp;

/// Where the plan came from, and where saving writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A plan file; `stamp` is how the file looked when it was loaded or last saved.
    File { path: PathBuf, stamp: Option<Stamp> },
    /// A bundled example held in memory; saving asks for a file name.
    Example { name: String },
    /// A plan as it is at a git ref (`storyplan review`), with its path from the
    /// repository's root; opened read-only, so nothing is saved to it.
    Ref { reference: String, path: PathBuf },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Steps,
    /// What the selected step or finding says in full; it scrolls.
    Details,
    Findings,
    Components,
}

impl Pane {
    /// In the order Tab visits them.
    pub const ALL: [Pane; 4] = [Pane::Steps, Pane::Details, Pane::Findings, Pane::Components];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Steps => "Steps",
            Pane::Details => "Details",
            Pane::Findings => "Findings",
            Pane::Components => "Components",
        }
    }
}

/// What a question is for, and so what its answers do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    /// Quitting with unsaved changes: Save / Discard / Cancel.
    Quit,
    /// The file changed on disk since it was loaded: Reload / Overwrite / Cancel.
    Conflict { then_quit: bool },
}

impl Question {
    /// The answers it takes, as the question mode's actions, in the order they show.
    pub fn answers(self) -> &'static [Action] {
        match self {
            Question::Quit => &[Action::AnswerSave, Action::AnswerDiscard, Action::Close],
            Question::Conflict { .. } => &[
                Action::AnswerReload,
                Action::AnswerOverwrite,
                Action::AnswerCompare,
                Action::Close,
            ],
        }
    }
}

/// The lists of things inside a step, a component or the plan, edited in an overlay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    /// The changes of the release at this index.
    Changes {
        step: usize,
    },
    /// A component's current and target facts.
    Facts {
        component: usize,
    },
    Toggles,
    Accepted,
}

pub enum Overlay {
    Help {
        scroll: u16,
        /// What the help is filtered by (`/`), and whether it is being typed.
        filter: Input,
        typing: bool,
    },
    Ask(Question),
    SaveAs {
        input: Input,
        then_quit: bool,
    },
    /// A form; `back` is the overlay it returns to when it closes.
    Form {
        form: Box<Form>,
        completion: Option<Box<Completion>>,
        back: Option<Box<Overlay>>,
    },
    List {
        list: List,
        selected: usize,
    },
    Finder(Box<Finder>),
    Templates {
        selected: usize,
    },
    /// The nearest safe order (and repairs), shown before it is applied; `choice` is the
    /// order (when it moves anything), then each repair.
    Fix {
        fixed: Box<crate::compose::fix::Fixed>,
        choice: usize,
        scroll: u16,
    },
    /// A component's facts compared with its sources, shown before they are applied.
    Import {
        comparison: Box<crate::compose::import::Comparison>,
        warnings: Vec<crate::sources::Warning>,
        /// What the plan would check as with the comparison applied.
        would_be: Summary,
        scroll: u16,
    },
    /// Drafted steps, shown before they are inserted.
    Draft {
        draft: Box<Draft>,
        /// What the plan would check as with the drafted steps taken.
        would_be: Summary,
        scroll: u16,
    },
    /// One line of input for something other than saving.
    Prompt {
        input: Input,
        purpose: Prompt,
    },
    /// Text to read: an export preview or a diff.
    Reader {
        title: String,
        text: String,
        scroll: u16,
        /// Set for an export preview: what it exports, and so what `c`, `w` and Tab do.
        export: Option<Export>,
    },
}

/// What a prompt's answer is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    /// The git ref to compare the open plan with.
    CompareWith,
    /// The file to write the export preview to.
    ExportTo(Export),
}

/// What the export preview shows: the whole plan, or the part a PR for one step needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Export {
    Plan,
    Step(usize),
}

/// The kickoff of a new plan: the story, then the components, then each one's facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kickoff {
    Story,
    Components,
    Facts(usize),
}

/// The mouse drag of a step: press on a row, drag to a slot, release to move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Drag {
    #[default]
    Idle,
    Pressed {
        step: usize,
    },
    Dragging {
        from: usize,
        to: usize,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
}

/// What the board says to an edit or a save of a plan it shows read-only.
pub const READ_ONLY: &str =
    "This plan is read-only: it can be read, searched and exported, not edited";

/// A plan as it was before an edit, with the selection to restore.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub plan: Plan,
    pub selected: usize,
    /// What the step from this plan to the next one did, as undo and redo say it.
    pub what: String,
    /// That step was a reload from disk: undoing it brings back a version the file no
    /// longer has.
    pub reload: bool,
}

pub struct Model {
    pub plan: Plan,
    /// The checker's report on `plan`, refreshed after every edit.
    pub report: Report,
    pub source: Source,
    /// The plan as it is on disk (or as the example was), to tell whether it is modified.
    pub saved: Plan,
    /// Counts the plan's changes (edits, undo, redo, reload, save).
    pub revision: u64,
    pub read_only: bool,
    pub selected: usize,
    pub pane: Pane,
    pub finding: usize,
    pub component: usize,
    pub overlay: Option<Overlay>,
    pub undo: Vec<Snapshot>,
    pub redo: Vec<Snapshot>,
    pub drag: Drag,
    pub notice: Option<Notice>,
    /// How many ticks the notice has been on the board with no input; see `NOTICE_TICKS`.
    pub notice_ticks: u32,
    /// How many lines the open reader shows, as it was last drawn: a page.
    pub page_rows: u16,
    /// Whether Details shows the selected finding (the findings were looked at last)
    /// rather than the selected step; and how far it is scrolled.
    pub details_finding: bool,
    pub details_scroll: u16,
    pub keymap: Keymap,
    pub theme: Theme,
    pub mouse: bool,
    pub quit: bool,
    pub kickoff: Option<Kickoff>,
    /// Whether the board is on screen; below the minimum size keys must not change what
    /// nobody can see.
    pub shown: bool,
    /// The sources the repository suggests and the keys the plan's sources yield.
    pub repository: super::repo::Repository,
}

impl Model {
    pub fn new(plan: Plan, source: Source) -> Model {
        let report = check(&plan);
        Model {
            saved: plan.clone(),
            plan,
            report,
            source,
            revision: 0,
            read_only: false,
            selected: 0,
            pane: Pane::Steps,
            finding: 0,
            component: 0,
            overlay: None,
            undo: Vec::new(),
            redo: Vec::new(),
            drag: Drag::Idle,
            notice: None,
            notice_ticks: 0,
            page_rows: 10,
            details_finding: false,
            details_scroll: 0,
            keymap: Keymap::default(),
            theme: Theme::default(),
            mouse: true,
            quit: false,
            kickoff: None,
            shown: true,
            repository: super::repo::Repository::default(),
        }
    }

    /// Whether the plan differs from the one on disk (or the example as it came).
    pub fn modified(&self) -> bool {
        self.plan != self.saved
    }

    /// The one way an edit changes the plan: refused on a read-only plan, else applied to
    /// a copy, kept as one undo step and checked at once. Returns what the edit says it did.
    pub fn edit(
        &mut self,
        edit: impl FnOnce(&mut Plan) -> Result<String, String>,
    ) -> Result<String, String> {
        if self.read_only {
            return Err(READ_ONLY.into());
        }
        let mut plan = self.plan.clone();
        let done = edit(&mut plan)?;
        self.replace_plan(plan, undo_words(&done), false);
        Ok(done)
    }

    /// Says better what the last edit did, for undo and redo to name it.
    pub fn describe_last_edit(&mut self, what: String) {
        if let Some(last) = self.undo.last_mut() {
            last.what = what;
        }
    }

    /// Says that a read-only plan takes no edits, instead of opening a form it would
    /// refuse.
    pub fn refuse_read_only(&mut self) {
        self.notice = Some(Notice {
            text: READ_ONLY.into(),
            error: true,
        });
    }

    /// Puts `plan` in place as one undo step (an edit, or a reload from disk), which undo
    /// and redo name as `what`.
    pub fn replace_plan(&mut self, plan: Plan, what: String, reload: bool) {
        self.undo.push(Snapshot {
            plan: std::mem::replace(&mut self.plan, plan),
            selected: self.selected,
            what,
            reload,
        });
        self.redo.clear();
        self.refresh();
    }

    /// The name shown in the header: the file, the example's name, or `REF:PATH`.
    pub fn title(&self) -> String {
        match &self.source {
            Source::File { path, .. } => path.display().to_string(),
            Source::Example { name } => format!("unsaved example {name}"),
            Source::Ref { reference, path } => format!("{reference}:{}", path.display()),
        }
    }

    /// Re-runs the checker and the bookkeeping that follows an edit.
    pub fn refresh(&mut self) {
        self.report = check(&self.plan);
        self.revision += 1;
        let steps = self.plan.steps.len();
        self.selected = self.selected.min(steps.saturating_sub(1));
        self.finding = self
            .finding
            .min(self.report.findings.len().saturating_sub(1));
        self.component = self
            .component
            .min(self.plan.components.len().saturating_sub(1));
    }
}

/// An edit's notice as undo names it: "Deleted step x (u brings it back)" is undone as
/// "Deleted step x".
fn undo_words(done: &str) -> String {
    let done = done.trim();
    match done.strip_suffix(')').and_then(|d| d.rsplit_once(" (")) {
        Some((words, _)) => words.to_string(),
        None => done.to_string(),
    }
}
