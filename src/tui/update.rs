//! Messages, effects and `update`: the only place the board's state changes. Input is
//! turned into messages by pure functions, so all of it is testable without a terminal.

use std::path::PathBuf;

use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tui_input::Input;

use super::editing;
use super::keymap::{Action, Keymap, Mode};
use super::model::{Drag, Model, Notice, Overlay, Pane, Question, Snapshot, Source};
pub use super::msg::{Answer, Effect, Msg};
use super::msg::{FormKey, Reading};
use super::share;

/// What the keyboard is talking to right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Keys(Mode),
    Ask(Question),
    Text,
    Form,
    Finder,
    Preview,
    Reader,
    Export,
}

impl Context {
    /// The keymap mode whose bindings this context reads.
    pub fn mode(self) -> Mode {
        match self {
            Context::Keys(mode) => mode,
            Context::Ask(_) => Mode::Question,
            Context::Text => Mode::Prompt,
            Context::Form => Mode::Form,
            Context::Finder => Mode::Finder,
            Context::Preview => Mode::Draft,
            Context::Reader => Mode::Reader,
            Context::Export => Mode::Export,
        }
    }
}

impl Model {
    pub fn context(&self) -> Context {
        match &self.overlay {
            None => Context::Keys(Mode::Board),
            Some(Overlay::Help { typing: true, .. }) => Context::Text,
            Some(Overlay::Help { .. }) => Context::Keys(Mode::Help),
            Some(Overlay::Ask(question)) => Context::Ask(*question),
            Some(Overlay::SaveAs { .. } | Overlay::Prompt { .. }) => Context::Text,
            Some(Overlay::Reader {
                export: Some(_), ..
            }) => Context::Export,
            Some(Overlay::Reader { .. }) => Context::Reader,
            Some(Overlay::Form { .. }) => Context::Form,
            Some(Overlay::Finder(_)) => Context::Finder,
            Some(Overlay::Draft { .. } | Overlay::Import { .. } | Overlay::Fix { .. }) => {
                Context::Preview
            }
            Some(Overlay::List { .. }) => Context::Keys(Mode::List),
            Some(Overlay::Templates { .. }) => Context::Keys(Mode::Pattern),
        }
    }
}

/// Turns a key press into a message: the context's bindings first, then what typing does
/// there.
pub fn key_to_msg(keymap: &Keymap, context: Context, key: KeyEvent) -> Option<Msg> {
    if !key.is_press() && !key.is_repeat() {
        return None;
    }
    let ctrl_c = key.code == KeyCode::Char('c') && key.modifiers == KeyModifiers::CONTROL;
    if ctrl_c && !matches!(context, Context::Ask(_)) {
        return Some(Msg::Interrupt);
    }
    let action = keymap.action(context.mode(), &key);
    match context {
        Context::Keys(_) => action.map(Msg::Action),
        Context::Ask(question) => {
            let answer = match (question, action?) {
                (_, Action::Close) => Answer::Cancel,
                (Question::Quit, Action::AnswerSave) => Answer::Save,
                (Question::Quit, Action::AnswerDiscard) => Answer::Discard,
                (Question::Conflict { .. }, Action::AnswerReload) => Answer::Reload,
                (Question::Conflict { .. }, Action::AnswerOverwrite) => Answer::Overwrite,
                (Question::Conflict { .. }, Action::AnswerCompare) => Answer::Compare,
                _ => return None,
            };
            Some(Msg::Answer(answer))
        }
        Context::Text => match action {
            Some(Action::Confirm) => Some(Msg::Submit),
            Some(Action::Close) => Some(Msg::Action(Action::Close)),
            _ => tui_input::backend::crossterm::to_input_request(&Event::Key(key)).map(Msg::Edit),
        },
        Context::Form => form_key_to_msg(action, key).map(Msg::Form),
        Context::Finder => Some(Msg::Finder(key)),
        Context::Reader | Context::Export => Some(match action? {
            Action::Down => Msg::Read(Reading::Scroll(1)),
            Action::Up => Msg::Read(Reading::Scroll(-1)),
            Action::PageDown => Msg::Read(Reading::Page(1)),
            Action::PageUp => Msg::Read(Reading::Page(-1)),
            Action::Top => Msg::Read(Reading::Scroll(i32::MIN)),
            Action::Bottom => Msg::Read(Reading::Scroll(i32::MAX)),
            Action::Copy => Msg::Read(Reading::Copy),
            Action::WriteFile => Msg::Read(Reading::Write),
            Action::SwitchExport => Msg::Read(Reading::Switch),
            Action::Close => Msg::Action(Action::Close),
            _ => return None,
        }),
        Context::Preview => match action? {
            Action::Take => Some(Msg::Draft(true)),
            Action::Close => Some(Msg::Draft(false)),
            Action::Down => Some(Msg::DraftScroll(true)),
            Action::Up => Some(Msg::DraftScroll(false)),
            _ => None,
        },
    }
}

/// Keys in a form: the form's bindings move between fields (Tab), through completions or
/// fields (↑/↓), take a completion or submit (Enter), break a line in narrative and notes
/// (Alt-Enter) and cancel (Esc); any other key edits the focused field.
fn form_key_to_msg(action: Option<Action>, key: KeyEvent) -> Option<FormKey> {
    Some(match action {
        Some(Action::NextField) => FormKey::Next,
        Some(Action::PrevField) => FormKey::Prev,
        Some(Action::Down) => FormKey::Down,
        Some(Action::Up) => FormKey::Up,
        Some(Action::Confirm) => FormKey::Submit,
        Some(Action::NewLine) => FormKey::NewLine,
        Some(Action::Close) => FormKey::Cancel,
        _ => FormKey::Type(key),
    })
}

const PAGE: usize = 10;

/// Pastes text into the field that has the cursor: a form's field, a prompt, the finder's
/// query. Control characters are dropped; a one-line field takes line breaks as spaces.
fn paste(model: &mut Model, text: &str) {
    match &mut model.overlay {
        Some(Overlay::Form { .. }) => editing::paste(model, text),
        Some(Overlay::SaveAs { input, .. } | Overlay::Prompt { input, .. }) => {
            *input = super::form::inserted(input, &crate::text::clean_line(text));
        }
        Some(Overlay::Finder(finder)) => {
            let query = format!("{}{}", finder.query(), crate::text::clean_line(text));
            finder.set_query(&query);
        }
        _ => {}
    }
}

/// How many ticks (half-seconds) a notice stays on the board with no input.
pub const NOTICE_TICKS: u32 = 8;

/// Whether a message is the user's input (a key, the mouse, a paste), rather than the loop
/// reporting back.
fn is_input(msg: &Msg) -> bool {
    matches!(
        msg,
        Msg::Action(_)
            | Msg::SelectStep(_)
            | Msg::SelectFinding(_)
            | Msg::SelectComponent(_)
            | Msg::Focus(_)
            | Msg::Wheel { .. }
            | Msg::DragPress(_)
            | Msg::DragOver(_)
            | Msg::MoveStep { .. }
            | Msg::Paste(_)
    )
}

/// What still works while the board is not on screen: quitting (and answering whether to
/// save first), closing, and what the loop reports back.
fn works_unseen(msg: &Msg) -> bool {
    match msg {
        Msg::Action(action) => matches!(action, Action::Quit | Action::Close),
        Msg::Interrupt
        | Msg::Tick
        | Msg::Answer(_)
        | Msg::Shown(_)
        | Msg::HelpLimit(_)
        | Msg::PageRows(_)
        | Msg::DetailsLimit(_)
        | Msg::Told { .. }
        | Msg::Saved { .. }
        | Msg::SaveFailed(_)
        | Msg::SaveRefused { .. }
        | Msg::DiskChanged { .. }
        | Msg::Reloaded { .. }
        | Msg::DiskEdited
        | Msg::Imported(_)
        | Msg::ReloadFailed(_)
        | Msg::Show { .. } => true,
        _ => false,
    }
}

pub fn update(model: &mut Model, msg: Msg) -> Option<Effect> {
    if !model.shown && !works_unseen(&msg) {
        model.notice = Some(Notice {
            text: "The terminal is too small to show the board: keys do nothing until it is larger (q quits)".into(),
            error: true,
        });
        return None;
    }
    // On the board, a notice gives the key hints back at the next input or after a few
    // seconds (an error stays until the next input); under an overlay it stays, since
    // there it says what to do next (the kickoff's steps).
    if model.overlay.is_none() && model.notice.is_some() {
        if let Msg::Tick = msg {
            model.notice_ticks += 1;
            if model.notice_ticks >= NOTICE_TICKS && model.notice.as_ref().is_some_and(|n| !n.error)
            {
                model.notice = None;
            }
            return None;
        }
        if is_input(&msg) {
            model.notice = None;
        }
    }
    model.notice_ticks = 0;
    match msg {
        Msg::Tick => {}
        Msg::Action(action) => return act(model, action),
        Msg::SelectStep(step) => {
            model.drag = Drag::Idle;
            if step < model.plan.steps.len() {
                model.selected = step;
                focus(model, Pane::Steps);
                model.details_scroll = 0;
            }
        }
        Msg::SelectFinding(finding) => {
            if finding < model.report.findings.len() {
                model.finding = finding;
                focus(model, Pane::Findings);
                model.details_scroll = 0;
            }
        }
        Msg::DetailsLimit(limit) => model.details_scroll = model.details_scroll.min(limit),
        Msg::SelectComponent(component) => {
            if component < model.plan.components.len() {
                model.component = component;
                model.pane = Pane::Components;
            }
        }
        Msg::Focus(pane) => focus(model, pane),
        Msg::Wheel { pane, down } => {
            let action = if down { Action::Down } else { Action::Up };
            let focused = model.pane;
            model.pane = pane;
            cursor(model, action);
            model.pane = focused;
        }
        Msg::DragPress(step) => {
            if step < model.plan.steps.len() {
                model.selected = step;
                model.pane = Pane::Steps;
                model.drag = Drag::Pressed { step };
            }
        }
        Msg::DragOver(to) => {
            let to = to.min(model.plan.steps.len().saturating_sub(1));
            model.drag = match model.drag {
                Drag::Pressed { step: from } | Drag::Dragging { from, .. } => {
                    Drag::Dragging { from, to }
                }
                Drag::Idle => Drag::Idle,
            };
        }
        Msg::MoveStep { from, to } => {
            model.drag = Drag::Idle;
            move_step(model, from, to);
        }
        Msg::Answer(answer) => return answer_question(model, answer),
        Msg::Form(key) => editing::form_key(model, key),
        Msg::Finder(key) => {
            if let Some(action) = editing::finder_key(model, key) {
                return act(model, action);
            }
        }
        Msg::Draft(take) if matches!(model.overlay, Some(Overlay::Import { .. })) => {
            super::import::answer(model, take)
        }
        Msg::Draft(take) if matches!(model.overlay, Some(Overlay::Fix { .. })) => {
            super::fix::answer(model, take)
        }
        Msg::DraftScroll(down) if matches!(model.overlay, Some(Overlay::Fix { .. })) => {
            super::fix::step(model, down)
        }
        Msg::Draft(take) => editing::draft_answer(model, take),
        Msg::Imported(result) => super::import::done(model, result),
        Msg::Read(reading) => return share::read(model, reading),
        Msg::Show { title, text } => {
            model.overlay = Some(Overlay::Reader {
                title,
                text,
                scroll: 0,
                export: None,
            });
        }
        Msg::Told { text, error } => model.notice = Some(Notice { text, error }),
        Msg::DraftScroll(down) => editing::draft_scroll(model, down),
        Msg::Shown(shown) => model.shown = shown,
        Msg::Paste(text) => paste(model, &text),
        Msg::Interrupt => {
            if !model.modified() {
                return Some(Effect::Quit);
            }
            model.overlay = Some(Overlay::Ask(Question::Quit));
        }
        Msg::PageRows(rows) => model.page_rows = rows.max(1),
        Msg::HelpLimit(limit) => {
            if let Some(Overlay::Help { scroll, .. }) = &mut model.overlay {
                *scroll = (*scroll).min(limit);
            }
        }
        Msg::Edit(request) => match &mut model.overlay {
            Some(Overlay::SaveAs { input, .. } | Overlay::Prompt { input, .. }) => {
                input.handle(request);
            }
            Some(Overlay::Help {
                filter,
                scroll,
                typing: true,
            }) => {
                filter.handle(request);
                *scroll = 0;
            }
            _ => {}
        },
        Msg::Submit => return submit(model),
        Msg::Saved {
            path,
            stamp,
            plan,
            then_quit,
        } => {
            model.saved = *plan;
            model.notice = Some(Notice {
                text: format!("Saved {}", path.display()),
                error: false,
            });
            model.source = Source::File {
                path,
                stamp: Some(stamp),
            };
            model.overlay = None;
            model.refresh();
            if then_quit {
                return Some(Effect::Quit);
            }
        }
        Msg::SaveRefused { reason, then_quit } => {
            // Offer the same name with `.copy` before its extension.
            let suggestion = match &model.source {
                Source::File { path, .. } => {
                    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
                    path.with_file_name(format!("{stem}.copy.ron"))
                        .display()
                        .to_string()
                }
                _ => String::new(),
            };
            model.overlay = Some(Overlay::SaveAs {
                input: Input::new(suggestion),
                then_quit,
            });
            model.notice = Some(Notice {
                text: format!("Not saved: {reason}; save it under another name"),
                error: true,
            });
        }
        Msg::SaveFailed(reason) => {
            model.notice = Some(Notice {
                text: format!("Not saved: {reason}"),
                error: true,
            });
        }
        Msg::DiskChanged { then_quit } => {
            model.overlay = Some(Overlay::Ask(Question::Conflict { then_quit }));
        }
        Msg::Reloaded {
            plan,
            stamp,
            by_itself,
        } => {
            // The edits that reloading replaces stay one undo away.
            model.saved = (*plan).clone();
            model.replace_plan(*plan, "reload from disk".into(), true);
            if let Source::File { stamp: slot, .. } = &mut model.source {
                *slot = Some(stamp);
            }
            model.overlay = None;
            let text = if by_itself {
                "The file changed on disk: reloaded it (u goes back to the version before)"
            } else {
                "Reloaded from disk (u brings your edits back)"
            };
            model.notice = Some(Notice {
                text: text.into(),
                error: false,
            });
        }
        Msg::DiskEdited => return disk_edited(model),
        Msg::ReloadFailed(reason) => {
            model.overlay = None;
            model.notice = Some(Notice {
                text: format!("Could not reload: {reason}"),
                error: true,
            });
        }
    }
    None
}

/// Whether an action changes the plan, or opens a form that would (in a list, Enter edits
/// the item).
fn edits(action: Action, in_list: bool) -> bool {
    matches!(
        action,
        Action::Add
            | Action::Edit
            | Action::Delete
            | Action::Duplicate
            | Action::Templates
            | Action::Draft
            | Action::Import
            | Action::Ship
            | Action::Fix
            | Action::Accept
            | Action::Story
            | Action::MoveStepUp
            | Action::MoveStepDown
            | Action::CopyToTarget
    ) || (in_list && action == Action::Jump)
}

fn act(model: &mut Model, action: Action) -> Option<Effect> {
    let in_list = matches!(model.overlay, Some(Overlay::List { .. }));
    if model.read_only && (model.overlay.is_none() || in_list) && edits(action, in_list) {
        model.refuse_read_only();
        return None;
    }
    let history = matches!(action, Action::Undo | Action::Redo | Action::Save);
    match model.overlay {
        // Undo, redo and save work in a list as on the board.
        Some(Overlay::List { .. }) if !history => {
            editing::list_action(model, action);
            return None;
        }
        Some(Overlay::Templates { .. }) => {
            editing::templates_action(model, action);
            return None;
        }
        _ => {}
    }
    if let Some(Overlay::Help {
        scroll,
        filter,
        typing,
    }) = &mut model.overlay
    {
        match action {
            Action::Down => *scroll = scroll.saturating_add(1),
            Action::Up => *scroll = scroll.saturating_sub(1),
            Action::PageDown => *scroll = scroll.saturating_add(PAGE as u16),
            Action::PageUp => *scroll = scroll.saturating_sub(PAGE as u16),
            Action::Top => *scroll = 0,
            Action::Bottom => *scroll = u16::MAX,
            Action::Find => *typing = true,
            // Esc while filtering clears the filter; otherwise it closes the help.
            Action::Close if *typing || !filter.value().is_empty() => {
                *filter = Input::default();
                *typing = false;
                *scroll = 0;
            }
            Action::Close | Action::Help | Action::Quit => model.overlay = None,
            _ => {}
        }
        return None;
    }
    match action {
        Action::Up
        | Action::Down
        | Action::Top
        | Action::Bottom
        | Action::PageUp
        | Action::PageDown => cursor(model, action),
        Action::MoveStepUp if model.selected > 0 => {
            move_step(model, model.selected, model.selected - 1)
        }
        Action::MoveStepDown => move_step(model, model.selected, model.selected + 1),
        Action::MoveStepUp => {}
        Action::Undo => travel(model, true),
        Action::Redo => travel(model, false),
        Action::Save => return save(model, false),
        Action::Quit => {
            if model.modified() {
                model.overlay = Some(Overlay::Ask(Question::Quit));
            } else {
                return Some(Effect::Quit);
            }
        }
        Action::Help => {
            model.overlay = Some(Overlay::Help {
                scroll: 0,
                filter: Input::default(),
                typing: false,
            })
        }
        Action::Close => {
            if model.overlay.is_some() {
                model.overlay = None;
            } else if model.drag != Drag::Idle {
                model.drag = Drag::Idle;
            } else {
                model.notice = None;
            }
        }
        Action::NextPane | Action::PrevPane => {
            let at = Pane::ALL.iter().position(|p| *p == model.pane).unwrap_or(0);
            let n = Pane::ALL.len();
            let next = if action == Action::NextPane {
                at + 1
            } else {
                at + n - 1
            };
            focus(model, Pane::ALL[next % n]);
        }
        Action::Jump => {
            if model.pane != Pane::Findings {
                editing::open(model);
            } else if let Some(f) = model.report.findings.get(model.finding) {
                match (f.step, f.component.as_deref()) {
                    (Some(step), _) => {
                        model.selected = step;
                        focus(model, Pane::Steps);
                    }
                    // A finding about the plan as a whole opens its component's facts.
                    (None, Some(id)) => {
                        if let Some(c) = model.plan.components.iter().position(|c| c.id == id) {
                            model.component = c;
                            model.pane = Pane::Components;
                            editing::open(model);
                        }
                    }
                    (None, None) => {}
                }
            }
        }
        Action::Add => editing::add(model),
        Action::Edit => editing::edit(model),
        Action::Delete => editing::delete(model),
        Action::Duplicate => editing::duplicate(model),
        Action::Find => editing::find(model),
        Action::Palette => editing::palette(model),
        Action::Templates => editing::templates(model),
        Action::Draft => editing::draft_steps(model),
        Action::Import => return super::import::start(model),
        Action::Ship => editing::ship(model),
        Action::Fix => super::fix::start(model),
        Action::Accept => editing::accept(model),
        Action::Toggles => editing::toggles(model),
        Action::Story => editing::story(model),
        Action::Export => share::preview(model),
        Action::Compare => share::ask_ref(model),
        // The actions of the overlays' own contexts do nothing on the board.
        Action::Confirm
        | Action::NewLine
        | Action::NextField
        | Action::PrevField
        | Action::ClearQuery
        | Action::Copy
        | Action::WriteFile
        | Action::SwitchExport
        | Action::Take
        | Action::CopyToTarget
        | Action::AnswerSave
        | Action::AnswerDiscard
        | Action::AnswerReload
        | Action::AnswerOverwrite
        | Action::AnswerCompare => {}
    }
    None
}

/// Focuses a pane; Steps and Findings also say what Details shows.
fn focus(model: &mut Model, pane: Pane) {
    if pane != model.pane {
        match pane {
            Pane::Steps if model.details_finding => {
                model.details_finding = false;
                model.details_scroll = 0;
            }
            Pane::Findings if !model.details_finding => {
                model.details_finding = true;
                model.details_scroll = 0;
            }
            _ => {}
        }
    }
    model.pane = pane;
}

/// Moves the cursor of the focused pane (Details scrolls); a new selection shows in
/// Details from its top.
fn cursor(model: &mut Model, action: Action) {
    let (slot, len) = match model.pane {
        Pane::Steps => {
            model.details_finding = false;
            (&mut model.selected, model.plan.steps.len())
        }
        Pane::Details => {
            let scroll = &mut model.details_scroll;
            *scroll = match action {
                Action::Up => scroll.saturating_sub(1),
                Action::Down => scroll.saturating_add(1),
                Action::Top => 0,
                Action::Bottom => u16::MAX,
                Action::PageUp => scroll.saturating_sub(PAGE as u16),
                Action::PageDown => scroll.saturating_add(PAGE as u16),
                _ => *scroll,
            };
            return;
        }
        Pane::Findings => {
            model.details_finding = true;
            (&mut model.finding, model.report.findings.len())
        }
        Pane::Components => (&mut model.component, model.plan.components.len()),
    };
    model.details_scroll = 0;
    let last = len.saturating_sub(1);
    *slot = match action {
        Action::Up => slot.saturating_sub(1),
        Action::Down => (*slot + 1).min(last),
        Action::Top => 0,
        Action::Bottom => last,
        Action::PageUp => slot.saturating_sub(PAGE),
        Action::PageDown => (*slot + PAGE).min(last),
        _ => *slot,
    };
}

/// Moves a step and says what the move did to the findings.
fn move_step(model: &mut Model, from: usize, to: usize) {
    let len = model.plan.steps.len();
    if from >= len || to >= len || from == to {
        return;
    }
    let before = model.report.summary();
    let moved = model.edit(|plan| {
        let step = plan.steps.remove(from);
        let id = crate::text::clean_line(step.id()).into_owned();
        plan.steps.insert(to, step);
        Ok(id)
    });
    let id = match moved {
        Ok(id) => id,
        Err(problem) => {
            model.notice = Some(Notice {
                text: problem,
                error: true,
            });
            return;
        }
    };
    model.selected = to;
    model.describe_last_edit(format!("move {id} {} → {}", from + 1, to + 1));
    let after = model.report.summary();
    model.notice = Some(Notice {
        text: format!(
            "Moved \"{id}\" to {}: {} → {} errors, {} → {} warnings",
            to + 1,
            before.errors,
            after.errors,
            before.warnings,
            after.warnings
        ),
        error: false,
    });
}

/// Undo (`back`) or redo: swaps the plan with the newest snapshot of one history and
/// pushes the current plan onto the other.
fn travel(model: &mut Model, back: bool) {
    let (from, to, done, nothing) = if back {
        (&mut model.undo, &mut model.redo, "Undid", "Nothing to undo")
    } else {
        (&mut model.redo, &mut model.undo, "Redid", "Nothing to redo")
    };
    let Some(snapshot) = from.pop() else {
        model.notice = Some(Notice {
            text: nothing.into(),
            error: false,
        });
        return;
    };
    let left = from.len();
    let what = snapshot.what.clone();
    let text = if back && snapshot.reload {
        "Undid the reload: this is your version from before it, which the file on disk no \
         longer has (saving writes it over the file)"
            .to_string()
    } else {
        format!("{done}: {what} ({left} more)")
    };
    to.push(Snapshot {
        plan: std::mem::replace(&mut model.plan, snapshot.plan),
        selected: model.selected,
        what,
        reload: snapshot.reload,
    });
    model.selected = snapshot.selected;
    model.refresh();
    model.notice = Some(Notice { text, error: false });
}

fn save(model: &mut Model, then_quit: bool) -> Option<Effect> {
    if model.read_only {
        model.refuse_read_only();
        return None;
    }
    match &model.source {
        Source::File { path, stamp } => Some(Effect::Save {
            path: path.clone(),
            plan: Box::new(model.plan.clone()),
            expected: *stamp,
            force: false,
            then_quit,
        }),
        Source::Example { name } => {
            let path = format!("{}/{name}.ron", crate::store::PLAN_DIR);
            model.overlay = Some(Overlay::SaveAs {
                input: Input::new(path),
                then_quit,
            });
            None
        }
        // Opened read-only (refused above); a ref is never written to.
        Source::Ref { .. } => None,
    }
}

fn submit(model: &mut Model) -> Option<Effect> {
    if let Some(Overlay::Prompt { .. }) = &model.overlay {
        return share::answer(model);
    }
    // Enter ends typing the help's filter; the filter stays.
    if let Some(Overlay::Help { typing, .. }) = &mut model.overlay {
        *typing = false;
        return None;
    }
    let Some(Overlay::SaveAs { input, then_quit }) = &model.overlay else {
        return None;
    };
    let name = input.value().trim();
    if name.is_empty() {
        model.notice = Some(Notice {
            text: "Type a file name to save to".into(),
            error: true,
        });
        return None;
    }
    Some(Effect::Save {
        path: PathBuf::from(name),
        plan: Box::new(model.plan.clone()),
        expected: None,
        force: false,
        then_quit: *then_quit,
    })
}

/// The plan's file changed on disk. With no unsaved edits and nothing open, the board
/// reloads it by itself; otherwise it says so, and saving will ask what to keep.
fn disk_edited(model: &mut Model) -> Option<Effect> {
    let Source::File { path, .. } = &model.source else {
        return None;
    };
    if !model.modified() && model.overlay.is_none() {
        return Some(Effect::Reload {
            path: path.clone(),
            by_itself: true,
        });
    }
    let save = model
        .keymap
        .key_for(Mode::Board, Action::Save)
        .unwrap_or_else(|| "saving".into());
    model.notice = Some(Notice {
        text: format!(
            "The file changed on disk while you have unsaved edits: {save} offers to compare, reload it or keep yours"
        ),
        error: true,
    });
    None
}

fn answer_question(model: &mut Model, answer: Answer) -> Option<Effect> {
    let Some(Overlay::Ask(question)) = model.overlay else {
        return None;
    };
    model.overlay = None;
    match (question, answer) {
        (_, Answer::Cancel) => None,
        (Question::Quit, Answer::Save) => save(model, true),
        (Question::Quit, Answer::Discard) => Some(Effect::Quit),
        (Question::Conflict { .. }, Answer::Reload) => match &model.source {
            Source::File { path, .. } => Some(Effect::Reload {
                path: path.clone(),
                by_itself: false,
            }),
            Source::Example { .. } | Source::Ref { .. } => None,
        },
        (Question::Conflict { then_quit }, Answer::Overwrite) => match &model.source {
            Source::File { path, stamp } => Some(Effect::Save {
                path: path.clone(),
                plan: Box::new(model.plan.clone()),
                expected: *stamp,
                force: true,
                then_quit,
            }),
            Source::Example { .. } | Source::Ref { .. } => None,
        },
        (Question::Conflict { .. }, Answer::Compare) => match &model.source {
            Source::File { path, .. } => Some(Effect::CompareDisk {
                path: path.clone(),
                plan: Box::new(model.plan.clone()),
            }),
            Source::Example { .. } | Source::Ref { .. } => None,
        },
        _ => None,
    }
}
