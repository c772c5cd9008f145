//! Editing on the board: forms, the lists inside steps and components, the finder,
//! pattern templates and drafted steps. `update` hands these messages over; every change
//! of the plan goes through `change`, so each is one undo step and is checked at once.

use ratatui::crossterm::event::{Event, KeyCode, KeyEvent};
use ratatui_textarea::CursorMove;
use tui_input::backend::crossterm::to_input_request;

use super::complete::{Completion, Pool, candidates, slot_candidates};
use super::finder::{Finder, FinderOutcome, Target, first_mention};
use super::form::{FieldId, FieldKind, Form, Purpose, Template};
use super::keymap::Action;
use super::model::{Kickoff, List, Model, Notice, Overlay, Pane};
use super::msg::FormKey;
use super::phrase;
use crate::check::words::change_line;
use crate::check::{Finding, Rule, Severity};
use crate::compose::draft::draft;
use crate::compose::edit::{duplicate_component, duplicate_step, fresh_id};
use crate::compose::patterns::{self, DoubleWrite, ExpandContract, ToggleFeature};
use crate::plan::{Fact, Plan, Step};

/// Says `text` on the status line, as an error or not.
pub(super) fn notice(model: &mut Model, text: impl Into<String>, error: bool) {
    model.notice = Some(Notice {
        text: text.into(),
        error,
    });
}

/// Changes the plan as one undo step; on an error nothing changes.
pub fn change(
    model: &mut Model,
    edit: impl FnOnce(&mut Plan) -> Result<String, String>,
) -> Result<(), String> {
    let done = model.edit(edit)?;
    notice(model, done, false);
    Ok(())
}

fn open_form(model: &mut Model, form: Form) {
    let back = model.overlay.take().map(Box::new);
    model.overlay = Some(Overlay::Form {
        form: Box::new(form),
        completion: None,
        back,
    });
    refresh_completion(model);
}

/// `a`: what is added depends on where the focus is.
pub fn add(model: &mut Model) {
    let form = match model.pane {
        // In Details, a new step goes after the selected one, as from the steps.
        Pane::Steps | Pane::Details => {
            let at = if model.plan.steps.is_empty() {
                0
            } else {
                model.selected + 1
            };
            Form::step(&model.plan, None, at)
        }
        Pane::Components => Form::component(&model.plan, None),
        Pane::Findings => {
            notice(
                model,
                "Findings come from the plan: fix the plan, or A accepts one",
                false,
            );
            return;
        }
    };
    open_form(model, form);
}

/// `e`: edit the selected step, component or finding's acceptance.
pub fn edit(model: &mut Model) {
    match model.pane {
        Pane::Steps if model.selected < model.plan.steps.len() => {
            let form = Form::step(&model.plan, Some(model.selected), model.selected);
            open_form(model, form);
        }
        Pane::Components if model.component < model.plan.components.len() => {
            let form = Form::component(&model.plan, Some(model.component));
            open_form(model, form);
        }
        Pane::Findings => accept(model),
        _ => {}
    }
}

/// `Enter` on a step or a component: its changes or its facts.
pub fn open(model: &mut Model) {
    match model.pane {
        Pane::Steps => match model.plan.steps.get(model.selected) {
            Some(Step::Release { .. }) => {
                model.overlay = Some(Overlay::List {
                    list: List::Changes {
                        step: model.selected,
                    },
                    selected: 0,
                });
            }
            Some(Step::Flip { .. }) if model.read_only => model.refuse_read_only(),
            Some(Step::Flip { .. }) => edit(model),
            None => {}
        },
        Pane::Components if model.component < model.plan.components.len() => {
            model.overlay = Some(Overlay::List {
                list: List::Facts {
                    component: model.component,
                },
                selected: 0,
            });
        }
        _ => {}
    }
}

/// `d`: delete the selected step or component; `u` brings it back.
pub fn delete(model: &mut Model) {
    let result = match model.pane {
        Pane::Steps if model.selected < model.plan.steps.len() => {
            let at = model.selected;
            change(model, |plan| {
                let step = plan.steps.remove(at);
                Ok(format!("Deleted step {} (u brings it back)", step.id()))
            })
        }
        Pane::Components if model.component < model.plan.components.len() => {
            let at = model.component;
            change(model, |plan| {
                let c = plan.components.remove(at);
                Ok(format!("Deleted component {} (u brings it back)", c.id))
            })
        }
        Pane::Findings => match model.report.findings.get(model.finding).cloned() {
            Some(finding) if finding.severity == Severity::Accepted => {
                change(model, |plan| withdraw(plan, &finding))
            }
            Some(_) => Err("Only an accepted finding can be withdrawn".into()),
            None => Ok(()),
        },
        _ => Ok(()),
    };
    if let Err(problem) = result {
        notice(model, problem, true);
    }
}

/// Removes the acceptances that accept `finding`: it is a finding again.
fn withdraw(plan: &mut Plan, finding: &Finding) -> Result<String, String> {
    // As the checker matches them: the rule, the step (none for a plan-wide finding), and
    // the key when the acceptance names one.
    let accepts = |a: &crate::plan::Accept| {
        let step = match a.step.as_deref() {
            Some(id) => match plan.step_index(id.trim()) {
                Some(i) => Some(i),
                None => return false,
            },
            None => None,
        };
        Rule::from_id(a.rule.trim()) == Some(finding.rule)
            && step == finding.step
            && a.key
                .as_deref()
                .is_none_or(|key| finding.key.as_deref() == Some(key.trim()))
    };
    let keep: Vec<bool> = plan.accepted.iter().map(|a| !accepts(a)).collect();
    if keep.iter().all(|&k| k) {
        return Err("No acceptance of this finding is in the plan".into());
    }
    let mut keep = keep.into_iter();
    plan.accepted.retain(|_| keep.next().unwrap_or(true));
    Ok(format!("Withdrew the acceptance of {}", finding.rule))
}

/// `y`: duplicate the selected step or component.
pub fn duplicate(model: &mut Model) {
    let result = match model.pane {
        Pane::Steps if model.selected < model.plan.steps.len() => {
            let at = model.selected;
            let outcome = change(model, |plan| {
                let copy = duplicate_step(plan, at);
                Ok(format!("Duplicated as {}", plan.steps[copy].id()))
            });
            if outcome.is_ok() {
                model.selected = at + 1;
            }
            outcome
        }
        Pane::Components if model.component < model.plan.components.len() => {
            let at = model.component;
            change(model, |plan| {
                let copy = duplicate_component(plan, at);
                Ok(format!("Duplicated as {}", plan.components[copy].id))
            })
        }
        _ => Ok(()),
    };
    if let Err(problem) = result {
        notice(model, problem, true);
    }
}

/// `A`: accept the selected finding with a reason (or change the reason).
pub fn accept(model: &mut Model) {
    let Some(finding) = model.report.findings.get(model.finding) else {
        return;
    };
    if model.pane != Pane::Findings {
        notice(model, "Select a finding first (Tab to the findings)", false);
        return;
    }
    let form = Form::accept(model.finding, finding.rule.id(), finding.reason.as_deref());
    open_form(model, form);
}

pub fn toggles(model: &mut Model) {
    model.overlay = Some(Overlay::List {
        list: List::Toggles,
        selected: 0,
    });
}

pub fn story(model: &mut Model) {
    let form = Form::story(&model.plan);
    open_form(model, form);
}

pub fn find(model: &mut Model) {
    let finder = Finder::new(&model.plan, &model.report).with_keymap(&model.keymap);
    model.overlay = Some(Overlay::Finder(Box::new(finder)));
}

/// `:` or Ctrl-p: the command palette.
pub fn palette(model: &mut Model) {
    let finder = Finder::palette(&model.keymap);
    model.overlay = Some(Overlay::Finder(Box::new(finder)));
}

/// Keys in the finder; returns the action the palette chose, for the board to run.
pub fn finder_key(model: &mut Model, key: KeyEvent) -> Option<Action> {
    let Some(Overlay::Finder(finder)) = &mut model.overlay else {
        return None;
    };
    match finder.handle(&key) {
        None => {}
        Some(FinderOutcome::Cancel) => model.overlay = None,
        Some(FinderOutcome::Jump(Target::Action(action))) => {
            model.overlay = None;
            return Some(action);
        }
        Some(FinderOutcome::Jump(target)) => {
            model.overlay = None;
            jump(model, target);
        }
    }
    None
}

fn jump(model: &mut Model, target: Target) {
    match target {
        Target::Step(i) => {
            model.selected = i;
            model.pane = Pane::Steps;
        }
        Target::Component(i) => {
            model.component = i;
            model.pane = Pane::Components;
        }
        Target::Finding(i) => {
            model.finding = i;
            model.pane = Pane::Findings;
        }
        Target::Key(key) => match first_mention(&model.plan, &key) {
            Some(Target::Key(_)) | None => notice(model, format!("Nothing mentions {key}"), false),
            Some(target) => jump(model, target),
        },
        // The palette's actions are run by the board (`finder_key` returns them).
        Target::Action(_) => {}
    }
}

pub fn templates(model: &mut Model) {
    model.overlay = Some(Overlay::Templates { selected: 0 });
}

/// Keys in the template list: choose one and get its form.
pub fn templates_action(model: &mut Model, action: Action) {
    let Some(Overlay::Templates { selected }) = &mut model.overlay else {
        return;
    };
    match action {
        Action::Up => *selected = selected.saturating_sub(1),
        Action::Down => *selected = (*selected + 1).min(Template::ALL.len() - 1),
        Action::Close | Action::Quit => model.overlay = None,
        Action::Jump => {
            let template = Template::ALL[(*selected).min(Template::ALL.len() - 1)];
            let at = if model.plan.steps.is_empty() {
                0
            } else {
                model.selected + 1
            };
            model.overlay = None;
            let mut form = Form::template(template, at);
            if model.pane == Pane::Components
                && let Some(component) = model.plan.components.get(model.component)
            {
                form = form.prefill(component);
            } else if model.pane == Pane::Steps
                && let Some(step) = model.plan.steps.get(model.selected)
            {
                form = form.prefill_step(&model.plan, step);
            }
            open_form(model, form);
        }
        _ => {}
    }
}

/// `s`: marks the selected step shipped, or no longer shipped, as the pull request that
/// ships it says (what `storyplan verify` asks for).
pub fn ship(model: &mut Model) {
    if !matches!(model.pane, Pane::Steps | Pane::Details) {
        return notice(
            model,
            "s marks the selected step shipped: select a step",
            false,
        );
    }
    let index = model.selected;
    let result = change(model, |plan| {
        let step = plan.steps.get_mut(index).ok_or("No step selected")?;
        let (Step::Release { shipped, .. } | Step::Flip { shipped, .. }) = step;
        *shipped = !*shipped;
        let now = if *shipped {
            "marked shipped"
        } else {
            "no longer marked shipped"
        };
        Ok(format!("Step {} \"{}\" {now}", index + 1, step.id()))
    });
    if let Err(problem) = result {
        notice(model, problem, true);
    }
}

/// `D`: draft the steps that close the gap to the targets, shown before inserting.
pub fn draft_steps(model: &mut Model) {
    let draft = draft(&model.plan);
    if draft.steps.is_empty() {
        let why = if draft.notes.is_empty() {
            "Every component with a target reaches it: nothing to draft".to_string()
        } else {
            draft.notes.join("; ")
        };
        notice(model, why, false);
        return;
    }
    let mut taken = model.plan.clone();
    draft.append_to(&mut taken);
    let would_be = crate::check::check(&taken).summary();
    model.overlay = Some(Overlay::Draft {
        draft: Box::new(draft),
        would_be,
        scroll: 0,
    });
}

/// Enter takes the drafted steps (one undo step), Esc leaves the plan as it was.
pub fn draft_answer(model: &mut Model, take: bool) {
    let Some(Overlay::Draft { draft, .. }) = model.overlay.take() else {
        return;
    };
    if !take {
        notice(model, "Draft discarded", false);
        return;
    }
    let count = draft.steps.len();
    let first = model.plan.steps.len();
    let result = change(model, |plan| {
        draft.append_to(plan);
        Ok(format!("Added {count} drafted steps"))
    });
    match result {
        Ok(()) => {
            model.selected = first;
            model.pane = Pane::Steps;
        }
        Err(problem) => notice(model, problem, true),
    }
}

pub fn draft_scroll(model: &mut Model, down: bool) {
    if let Some(Overlay::Draft { scroll, .. } | Overlay::Import { scroll, .. }) = &mut model.overlay
    {
        *scroll = if down {
            scroll.saturating_add(1)
        } else {
            scroll.saturating_sub(1)
        };
    }
}

/// The items a list overlay shows, with what each one points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Change(usize),
    Fact { target: bool, index: usize },
    Toggle(usize),
    Accepted(usize),
}

pub fn items(plan: &Plan, list: List) -> Vec<Item> {
    match list {
        List::Changes { step } => (0..plan.steps.get(step).map_or(0, |s| s.changes().len()))
            .map(Item::Change)
            .collect(),
        List::Facts { component } => {
            let Some(c) = plan.components.get(component) else {
                return Vec::new();
            };
            let current = (0..c.current.len()).map(|index| Item::Fact {
                target: false,
                index,
            });
            let target = (0..c.target.as_ref().map_or(0, Vec::len)).map(|index| Item::Fact {
                target: true,
                index,
            });
            current.chain(target).collect()
        }
        List::Toggles => (0..plan.toggles.len()).map(Item::Toggle).collect(),
        List::Accepted => (0..plan.accepted.len()).map(Item::Accepted).collect(),
    }
}

/// Keys in a list overlay.
pub fn list_action(model: &mut Model, action: Action) {
    let Some(Overlay::List { list, selected }) = model.overlay else {
        return;
    };
    let all = items(&model.plan, list);
    let item = all.get(selected).cloned();
    let set = |model: &mut Model, to: usize| {
        if let Some(Overlay::List { selected, .. }) = &mut model.overlay {
            *selected = to;
        }
    };
    match action {
        Action::Up => set(model, selected.saturating_sub(1)),
        Action::Down => set(model, (selected + 1).min(all.len().saturating_sub(1))),
        Action::Top => set(model, 0),
        Action::Bottom => set(model, all.len().saturating_sub(1)),
        Action::Close | Action::Quit => close_list(model, list),
        Action::Add => {
            let form = match list {
                List::Changes { step } => Form::change(&model.plan, step, None),
                List::Facts { component } => {
                    let target = matches!(item, Some(Item::Fact { target: true, .. }));
                    Form::fact(&model.plan, component, target, None)
                }
                List::Toggles => Form::toggle(&model.plan, None),
                List::Accepted => return,
            };
            open_form(model, form);
        }
        Action::Edit | Action::Jump => {
            let form = match (list, item) {
                (List::Changes { step }, Some(Item::Change(i))) => {
                    Form::change(&model.plan, step, Some(i))
                }
                (List::Facts { component }, Some(Item::Fact { target, index })) => {
                    Form::fact(&model.plan, component, target, Some(index))
                }
                (List::Toggles, Some(Item::Toggle(i))) => Form::toggle(&model.plan, Some(i)),
                _ => return,
            };
            open_form(model, form);
        }
        Action::Delete => {
            let Some(item) = item else { return };
            let result = change(model, |plan| remove_item(plan, list, &item));
            match result {
                Ok(()) => {
                    let len = items(&model.plan, list).len();
                    set(model, selected.min(len.saturating_sub(1)));
                }
                Err(problem) => notice(model, problem, true),
            }
        }
        Action::Duplicate => {
            let Some(item) = item else { return };
            if let Err(problem) = change(model, |plan| duplicate_item(plan, list, &item)) {
                notice(model, problem, true);
            }
        }
        Action::CopyToTarget => {
            let List::Facts { component } = list else {
                return;
            };
            match change(model, |plan| copy_to_target(plan, component)) {
                Ok(()) => {
                    // The target is what is edited next: the selection goes to its first
                    // row, where `a` adds to it.
                    let rows = items(&model.plan, list);
                    let first = rows
                        .iter()
                        .position(|row| matches!(row, Item::Fact { target: true, .. }));
                    set(
                        model,
                        first.unwrap_or(selected.min(rows.len().saturating_sub(1))),
                    );
                }
                Err(problem) => notice(model, problem, true),
            }
        }
        Action::MoveStepUp | Action::MoveStepDown => {
            let (Some(Item::Change(i)), List::Changes { step }) = (item, list) else {
                return;
            };
            let down = action == Action::MoveStepDown;
            let len = all.len();
            let to = if down { i + 1 } else { i.wrapping_sub(1) };
            if to >= len {
                return;
            }
            let moved = change(model, |plan| {
                if let Some(Step::Release { changes, .. }) = plan.steps.get_mut(step) {
                    changes.swap(i, to);
                }
                Ok("Change moved".into())
            });
            if moved.is_ok() {
                set(model, to);
            }
        }
        _ => {}
    }
}

/// Adds to a component's target the current facts it does not have yet, so that only what
/// changes is typed: a component with no target gets its current facts as one.
fn copy_to_target(plan: &mut Plan, component: usize) -> Result<String, String> {
    let c = plan
        .components
        .get_mut(component)
        .ok_or("The component is gone")?;
    let target = c.target.get_or_insert_with(Vec::new);
    let missing: Vec<Fact> = c
        .current
        .iter()
        .filter(|f| !target.contains(f))
        .cloned()
        .collect();
    if missing.is_empty() {
        return Err(if c.current.is_empty() {
            format!("{} has no current facts to copy", c.id)
        } else {
            format!("The target of {} already has every current fact", c.id)
        });
    }
    let n = missing.len();
    target.extend(missing);
    let facts = if n == 1 { "fact" } else { "facts" };
    Ok(format!(
        "Copied {n} current {facts} into the target of {}",
        c.id
    ))
}

fn close_list(model: &mut Model, list: List) {
    model.overlay = None;
    if let (Some(Kickoff::Facts(c)), List::Facts { .. }) = (model.kickoff, list) {
        kickoff_facts(model, c + 1);
    }
}

fn remove_item(plan: &mut Plan, list: List, item: &Item) -> Result<String, String> {
    match (list, item) {
        (List::Changes { step }, Item::Change(i)) => {
            if let Some(Step::Release { changes, .. }) = plan.steps.get_mut(step)
                && *i < changes.len()
            {
                let gone = changes.remove(*i);
                return Ok(format!("Deleted {} (u brings it back)", change_line(&gone)));
            }
            Err("The change is gone".into())
        }
        (List::Facts { component }, Item::Fact { target, index }) => {
            let c = plan
                .components
                .get_mut(component)
                .ok_or("The component is gone")?;
            let list = if *target {
                c.target.as_mut().ok_or("No target")?
            } else {
                &mut c.current
            };
            if *index >= list.len() {
                return Err("The fact is gone".into());
            }
            let gone = list.remove(*index);
            Ok(format!("Deleted {gone} (u brings it back)"))
        }
        (List::Toggles, Item::Toggle(i)) if *i < plan.toggles.len() => {
            let gone = plan.toggles.remove(*i);
            Ok(format!("Deleted toggle {} (u brings it back)", gone.id))
        }
        (List::Accepted, Item::Accepted(i)) if *i < plan.accepted.len() => {
            let gone = plan.accepted.remove(*i);
            Ok(format!(
                "No longer accepting {} (u brings it back)",
                gone.rule
            ))
        }
        _ => Err("Nothing to delete".into()),
    }
}

fn duplicate_item(plan: &mut Plan, list: List, item: &Item) -> Result<String, String> {
    match (list, item) {
        (List::Changes { step }, Item::Change(i)) => {
            if let Some(Step::Release { changes, .. }) = plan.steps.get_mut(step)
                && let Some(copy) = changes.get(*i).cloned()
            {
                changes.insert(*i + 1, copy);
                return Ok("Change duplicated".into());
            }
            Err("The change is gone".into())
        }
        (List::Toggles, Item::Toggle(i)) => {
            let mut copy = plan.toggles.get(*i).cloned().ok_or("The toggle is gone")?;
            copy.id = fresh_id(|x| plan.toggles.iter().any(|t| t.id == x), &copy.id);
            let id = copy.id.clone();
            plan.toggles.insert(*i + 1, copy);
            Ok(format!("Duplicated as {id}"))
        }
        // Two equal facts are one fact; a copy would change nothing.
        _ => Err("A fact is either there or not: edit it instead".into()),
    }
}

/// Keeps the completion list in step with the focused field.
fn refresh_completion(model: &mut Model) {
    let Some(Overlay::Form {
        form, completion, ..
    }) = &mut model.overlay
    else {
        return;
    };
    let Some(field) = form.focused() else {
        *completion = None;
        return;
    };
    let typed = completed_part(field).to_string();
    let (plan, file, repository) = (&model.plan, &model.source, &mut model.repository);
    // The repository's part: the sources it suggests, the keys the plan's sources yield.
    let mut more = |pool: Pool| -> Vec<String> {
        match pool {
            Pool::Sources => repository.found(file).to_vec(),
            Pool::Keys => repository.keys(file, plan).to_vec(),
            Pool::Components | Pool::Toggles | Pool::Steps => Vec::new(),
        }
    };
    match field.kind {
        FieldKind::Pick(pool) => {
            let list = completion.get_or_insert_with(|| {
                let mut all = candidates(plan, pool);
                all.extend(more(pool));
                Box::new(Completion::new(all))
            });
            list.update(&typed);
        }
        FieldKind::Phrase => {
            let (slot, _) = phrase::slot(field.input.value());
            if completion
                .as_ref()
                .is_none_or(|list| list.slot != Some(slot))
            {
                let mut all = slot_candidates(plan, slot);
                if matches!(slot, phrase::Slot::Start | phrase::Slot::Key) {
                    all.extend(more(Pool::Keys));
                }
                let mut list = Completion::new(all);
                list.slot = Some(slot);
                *completion = Some(Box::new(list));
            }
            if let Some(list) = completion {
                list.update(&typed);
            }
        }
        _ => *completion = None,
    }
}

/// The part of a field that completion replaces: all of it, or in a fact line the word
/// being typed.
fn completed_part(field: &super::form::Field) -> &str {
    let value = field.input.value();
    match field.kind {
        FieldKind::Phrase => &value[phrase::slot(value).1..],
        FieldKind::Pick(Pool::Sources) => super::form::last_item(value),
        _ => value,
    }
}

/// Text pasted into the form's focused field: several lines into narrative and notes, one
/// line (line breaks as spaces) anywhere else.
pub fn paste(model: &mut Model, text: &str) {
    let Some(Overlay::Form { form, .. }) = &mut model.overlay else {
        return;
    };
    if let Some(lines) = form.lines_mut() {
        lines.insert_str(crate::text::clean(text).replace('\t', " "));
        return;
    }
    if form.is_text() {
        let pasted = crate::text::clean_line(text);
        if let Some(field) = form.focused() {
            let input = super::form::inserted(&field.input, &pasted);
            form.set_input(input);
        }
        refresh_completion(model);
    }
}

/// Keys in a form.
pub fn form_key(model: &mut Model, key: FormKey) {
    let Some(Overlay::Form {
        form, completion, ..
    }) = &mut model.overlay
    else {
        return;
    };
    // A field of several lines takes ↑/↓ between its lines (past the first or the last,
    // they move on as in any form), line breaks and typing.
    if let Some(lines) = form.lines_mut() {
        let (row, last) = (lines.cursor().0, lines.lines().len().saturating_sub(1));
        let handled = match key {
            FormKey::Up if row > 0 => {
                lines.move_cursor(CursorMove::Up);
                true
            }
            FormKey::Down if row < last => {
                lines.move_cursor(CursorMove::Down);
                true
            }
            FormKey::NewLine => {
                lines.insert_newline();
                true
            }
            FormKey::Type(event) => {
                lines.input(event);
                true
            }
            _ => false,
        };
        if handled {
            return;
        }
    }
    // Tab takes the highlighted completion (the best one when none is), as shells, helix
    // and fzf do, when what was typed names nothing yet; then it moves on.
    let completed = match (&key, completion.as_deref(), form.focused()) {
        (FormKey::Next, Some(list), Some(field)) if list.is_new(completed_part(field)) => list
            .accept()
            .or_else(|| list.suggestions().next())
            .map(str::to_string),
        _ => None,
    };
    match key {
        FormKey::Next if completed.is_some() => {
            if let Some(taken) = completed {
                form.set_value(&taken);
            }
        }
        FormKey::Next | FormKey::Prev => {
            form.move_focus(key == FormKey::Next);
            *completion = None;
        }
        FormKey::Down | FormKey::Up => match completion {
            Some(list) if list.has_matches() => {
                if key == FormKey::Down {
                    list.next();
                } else {
                    list.prev();
                }
                return;
            }
            _ => {
                form.move_focus(key == FormKey::Down);
                *completion = None;
            }
        },
        FormKey::Type(event) => {
            let Some(request) = to_input_request(&Event::Key(event)) else {
                return;
            };
            match event.code {
                // A choice or a flag is changed with Space or the side arrows; a text
                // field takes them as editing.
                KeyCode::Char(' ') if !form.is_text() => form.cycle(true),
                KeyCode::Left | KeyCode::Right if !form.is_text() => {
                    form.cycle(event.code == KeyCode::Right)
                }
                KeyCode::Char(c) if !form.is_text() => form.pick_by_letter(c),
                // Typing fixes what the error was about: it goes until the next Enter.
                _ => {
                    form.edit(request);
                    form.error = None;
                }
            }
        }
        FormKey::Cancel => {
            close_form(model, false);
            return;
        }
        FormKey::NewLine => {}
        FormKey::Submit => {
            // Enter on a highlighted completion takes it; otherwise it submits.
            if let Some(list) = completion
                && let Some(taken) = list.accept()
            {
                let taken = taken.to_string();
                form.set_value(&taken);
                *completion = None;
                return;
            }
            submit(model);
            return;
        }
    }
    refresh_completion(model);
}

fn submit(model: &mut Model) {
    // A key the plan does not have, close to one it has: asked about once, in one line.
    let mut known = candidates(&model.plan, Pool::Keys);
    known.extend_from_slice(model.repository.keys(&model.source, &model.plan));
    if let Some(Overlay::Form { form, .. }) = &mut model.overlay
        && let Some((field, value, best)) = form.new_key_like(&known)
    {
        form.error = Some(format!(
            "New key \"{value}\" — did you mean \"{best}\"? Enter keeps it new; Tab completes it from the plan's keys"
        ));
        form.asked = Some(value);
        form.focus = field;
        refresh_completion(model);
        return;
    }
    // A release of a component the plan does not have: asked about once too.
    if let Some(Overlay::Form { form, .. }) = &mut model.overlay
        && form.ask_unknown_component(&model.plan)
    {
        refresh_completion(model);
        return;
    }
    let Some(Overlay::Form { form, .. }) = &model.overlay else {
        return;
    };
    let form = form.clone();
    // Confirming what was already there changes nothing: no undo step, no rewrite.
    if form.unchanged() && is_edit(form.purpose) {
        close_form(model, true);
        return;
    }
    let result = match form.purpose {
        Purpose::Accept { finding } => {
            let Some(f) = model.report.findings.get(finding) else {
                return close_form(model, false);
            };
            let step = f.step.map(|s| model.plan.steps[s].id().to_string());
            let key = f.key.clone();
            let rule = f.rule.id();
            match form.acceptance(rule, step, key) {
                Ok(acceptance) => change(model, |plan| {
                    plan.accepted.retain(|a| {
                        !(a.rule == acceptance.rule
                            && a.step == acceptance.step
                            && a.key == acceptance.key)
                    });
                    plan.accepted.push(acceptance);
                    Ok(format!("Accepted {rule}"))
                }),
                Err(problem) => Err(problem),
            }
        }
        Purpose::Template { template, at } => {
            match template_inserted(&form, template, &model.plan, at) {
                Ok(inserted) => {
                    let count = inserted.steps.len();
                    let result = change(model, |plan| {
                        patterns::insert(plan, at, inserted);
                        Ok(format!("Inserted {count} steps"))
                    });
                    if result.is_ok() {
                        model.selected = at;
                        model.pane = Pane::Steps;
                    }
                    result
                }
                Err(problem) => Err(problem),
            }
        }
        _ => change(model, |plan| form.apply(plan)),
    };
    match result {
        Ok(()) => {
            if let Purpose::Step { index: None, at } = form.purpose {
                model.selected = at.min(model.plan.steps.len().saturating_sub(1));
            }
            close_form(model, true);
        }
        Err(problem) => {
            if let Some(Overlay::Form { form, .. }) = &mut model.overlay {
                form.error = Some(problem);
            }
        }
    }
}

fn close_form(model: &mut Model, submitted: bool) {
    let Some(Overlay::Form { form, back, .. }) = model.overlay.take() else {
        return;
    };
    model.overlay = back.map(|b| *b);
    match (model.kickoff, form.purpose) {
        (Some(Kickoff::Story), Purpose::Story) => {
            model.kickoff = Some(Kickoff::Components);
            open_form(model, Form::component(&model.plan, None));
        }
        (Some(Kickoff::Components), Purpose::Component(None)) if submitted => {
            open_form(model, Form::component(&model.plan, None));
        }
        (Some(Kickoff::Components), Purpose::Component(None)) => kickoff_facts(model, 0),
        _ => {}
    }
}

/// Starts the kickoff of a new plan: story, components, then each component's facts.
pub fn kickoff(model: &mut Model) {
    model.kickoff = Some(Kickoff::Story);
    open_form(model, Form::story(&model.plan));
    notice(
        model,
        "Kickoff: the story, then the components, then each one's current and target facts (Esc moves on)",
        false,
    );
}

fn kickoff_facts(model: &mut Model, component: usize) {
    if component >= model.plan.components.len() {
        model.kickoff = None;
        model.pane = Pane::Steps;
        notice(
            model,
            "Kickoff done: a adds a step, p inserts a pattern, D drafts the steps from the targets",
            false,
        );
        return;
    }
    model.kickoff = Some(Kickoff::Facts(component));
    model.component = component;
    model.overlay = Some(Overlay::List {
        list: List::Facts { component },
        selected: 0,
    });
    let id = model.plan.components[component].id.clone();
    notice(
        model,
        format!("Facts of {id}: a adds one (current or target), Esc goes on to the next component"),
        false,
    );
}

fn split(list: &str) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn template_inserted(
    form: &Form,
    template: Template,
    plan: &Plan,
    at: usize,
) -> Result<patterns::Inserted, String> {
    let text = |id| form.text(id).trim().to_string();
    let optional = |id| form.optional(id).map(|t| t.trim().to_string());
    match template {
        Template::ToggleFeature => ToggleFeature {
            name: text(FieldId::Name),
            toggle: text(FieldId::Toggle),
            ui: text(FieldId::Ui),
            service: text(FieldId::Service),
            store: optional(FieldId::Store),
            interfaces: split(&text(FieldId::Interfaces)),
            data: optional(FieldId::Data),
        }
        .steps(plan, at),
        Template::ExpandContract => ExpandContract {
            name: text(FieldId::Name),
            producer: text(FieldId::Producer),
            old: text(FieldId::Old),
            new: text(FieldId::New),
            consumers: split(&text(FieldId::Consumers)),
        }
        .steps(plan, at),
        Template::DoubleWrite => DoubleWrite {
            name: text(FieldId::Name),
            store: text(FieldId::Store),
            old: text(FieldId::Old),
            new: text(FieldId::New),
            writers: split(&text(FieldId::Writers)),
            readers: split(&text(FieldId::Readers)),
        }
        .steps(plan, at),
    }
}

/// Whether a form edits something that exists (so that leaving it as it was is a no-op).
fn is_edit(purpose: Purpose) -> bool {
    match purpose {
        Purpose::Story => true,
        Purpose::Component(index) | Purpose::Toggle(index) => index.is_some(),
        Purpose::Fact { index, .. } | Purpose::Step { index, .. } => index.is_some(),
        Purpose::Change { index, .. } => index.is_some(),
        Purpose::Accept { .. } | Purpose::Template { .. } => false,
    }
}
