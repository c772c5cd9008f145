//! The list overlays: the changes of a step, the facts of a component, the toggles and
//! the accepted findings, each edited in place; and the pattern templates to choose from.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Widget};

use super::fit::{self, width};
use super::overlay::{footer, overlay_block};
use super::{centered, put, row, scroll_offset};
use crate::check::words::{StepLabel, change_line};
use crate::plan::{Change, Plan};
use crate::text::clean_line;
use crate::tui::editing::{Item, items};
use crate::tui::form::Template;
use crate::tui::keymap::{Action, Mode};
use crate::tui::model::{List, Model};
use crate::tui::theme::Theme;

const LIST_WIDTH: u16 = 84;
const TEMPLATES_WIDTH: u16 = 96;

/// The key of an action in a mode, as the hints show it.
fn key(model: &Model, mode: Mode, action: Action) -> Option<String> {
    model.keymap.key_for(mode, action)
}

/// The list's hints for `actions` that have a key, each with its word.
fn hints(model: &Model, actions: &[(&[Action], &'static str)]) -> Vec<(String, &'static str)> {
    actions
        .iter()
        .filter_map(|(actions, word)| {
            let keys: Vec<String> = actions
                .iter()
                .filter_map(|a| key(model, Mode::List, *a))
                .collect();
            (!keys.is_empty()).then(|| (keys.join("/"), *word))
        })
        .collect()
}

/// Draws an overlay's box with its rows, its keys on the last line inside; returns the
/// rect inside the box, between its padding lines, where the rows go.
fn frame(theme: &Theme, rect: Rect, title: &str, keys: Line<'static>, buf: &mut Buffer) -> Rect {
    Clear.render(rect, buf);
    let title = fit::cut(title, rect.width.saturating_sub(6) as usize);
    let block = overlay_block(theme, &title);
    let inner = block.inner(rect);
    block.render(rect, buf);
    if inner.height > 0 {
        let keys = fit::cut_line(&keys, inner.width.saturating_sub(2) as usize);
        let y = inner.bottom() - 1;
        buf.set_line(inner.x + 1, y, &keys, inner.width.saturating_sub(1));
    }
    Rect {
        y: inner.y + 1,
        height: inner.height.saturating_sub(3),
        ..inner
    }
}

/// One row of a list: the marker, then the line, cut to fit; the selected row styled.
fn list_row(theme: &Theme, area: Rect, line: Line<'_>, selected: bool, buf: &mut Buffer) {
    let style = theme.list_row(selected, true);
    buf.set_style(area, style);
    let marker = if selected { "▶" } else { " " };
    put(buf, (area.x + 1, 1), area.y, marker, style);
    let cols = area.width.saturating_sub(4);
    let line = fit::cut_line(&line, cols as usize);
    buf.set_line(area.x + 3, area.y, &line, cols);
}

pub struct ListView<'a> {
    model: &'a Model,
    list: List,
    selected: usize,
}

impl<'a> ListView<'a> {
    pub fn new(model: &'a Model, list: List, selected: usize) -> Self {
        ListView {
            model,
            list,
            selected,
        }
    }

    fn plan(&self) -> &'a Plan {
        &self.model.plan
    }

    fn title(&self) -> String {
        let plan = self.plan();
        let title = match self.list {
            List::Changes { step } => match plan.steps.get(step) {
                Some(s) => {
                    let owner = s.component().unwrap_or(s.kind_name());
                    format!("Changes of {} ({owner})", StepLabel::new(step, s.id()))
                }
                None => "Changes".to_string(),
            },
            List::Facts { component } => match plan.components.get(component) {
                Some(c) => format!("Facts of {} — current and target", c.id),
                None => "Facts".to_string(),
            },
            List::Toggles => "Toggles".to_string(),
            List::Accepted => "Accepted findings".to_string(),
        };
        clean_line(&title).into_owned()
    }

    /// What an empty list says: how to add to it.
    fn empty(&self) -> String {
        let model = self.model;
        let add = key(model, Mode::List, Action::Add);
        let (what, how) = match self.list {
            List::Changes { .. } => ("No changes yet", "adds one"),
            List::Facts { .. } => ("No facts yet", "adds one, current or target"),
            List::Toggles => ("No toggles yet", "adds one"),
            List::Accepted => {
                // Findings are accepted on the board.
                let accept = key(model, Mode::Board, Action::Accept);
                return match accept {
                    Some(k) => format!("No accepted findings: {k} on a finding accepts it"),
                    None => "No accepted findings".to_string(),
                };
            }
        };
        match add {
            Some(k) => format!("{what}: {k} {how}"),
            None => what.to_string(),
        }
    }

    /// The keys that do something in this list.
    fn keys(&self) -> Line<'static> {
        let reorder: (&[Action], &str) = (&[Action::MoveStepDown, Action::MoveStepUp], "reorder");
        let mut actions: Vec<(&[Action], &str)> = match self.list {
            List::Accepted => vec![(&[Action::Delete], "delete")],
            _ => vec![
                (&[Action::Add], "add"),
                (&[Action::Edit], "edit"),
                (&[Action::Delete], "delete"),
            ],
        };
        match self.list {
            List::Changes { .. } => {
                actions.extend([(&[Action::Duplicate][..], "duplicate"), reorder])
            }
            List::Toggles => actions.push((&[Action::Duplicate], "duplicate")),
            // Two equal facts are one fact, so facts are not duplicated.
            List::Facts { .. } => actions.push((&[Action::CopyToTarget], "current → target")),
            List::Accepted => {}
        }
        actions.push((&[Action::Close], "close"));
        footer(&self.model.theme, &hints(self.model, &actions))
    }

    /// An item's line, cleaned.
    fn line(&self, item: &Item, toggle_w: usize) -> Line<'static> {
        let theme = &self.model.theme;
        let plan = self.plan();
        let clean = |text: &str| clean_line(text).into_owned();
        match *item {
            Item::Change(i) => {
                let change = match self.list {
                    List::Changes { step } => plan.steps.get(step).and_then(|s| s.changes().get(i)),
                    _ => None,
                };
                let Some(change) = change else {
                    return Line::default();
                };
                let style = match change {
                    Change::Add(_) => theme.diff(true),
                    Change::Remove(_) => theme.diff(false),
                    _ => Style::new(),
                };
                Line::styled(clean(&change_line(change).to_string()), style)
            }
            Item::Fact { target, index } => {
                let List::Facts { component } = self.list else {
                    return Line::default();
                };
                let c = plan.components.get(component);
                let facts = c.and_then(|c| {
                    if target {
                        c.target.as_ref()
                    } else {
                        Some(&c.current)
                    }
                });
                let Some(fact) = facts.and_then(|f| f.get(index)) else {
                    return Line::default();
                };
                let which = if target { "target" } else { "current" };
                Line::from(vec![
                    Span::styled(fit::pad(which, 9), theme.muted()),
                    Span::raw(clean(&fact.to_string())),
                ])
            }
            Item::Toggle(i) => {
                let Some(toggle) = plan.toggles.get(i) else {
                    return Line::default();
                };
                Line::from(vec![
                    Span::styled(fit::pad(&clean(&toggle.id), toggle_w + 2), theme.id()),
                    Span::styled(
                        format!("initially {}", toggle.initially.name()),
                        theme.muted(),
                    ),
                ])
            }
            Item::Accepted(i) => {
                let Some(accept) = plan.accepted.get(i) else {
                    return Line::default();
                };
                let mut spans = vec![Span::styled(clean(&accept.rule), theme.id())];
                if let Some(step) = &accept.step {
                    spans.push(Span::raw(format!(" step {}", clean(step))));
                }
                if let Some(key) = &accept.key {
                    spans.push(Span::raw(format!(" key {}", clean(key))));
                }
                spans.push(Span::styled(
                    format!(" — {}", clean(&accept.reason)),
                    theme.muted(),
                ));
                Line::from(spans)
            }
        }
    }
}

impl Widget for &ListView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let theme = &self.model.theme;
        let items = items(self.plan(), self.list);
        let box_w = LIST_WIDTH.min(area.width.saturating_sub(4));
        // Borders, a blank line above and below the rows, the keys.
        let wanted = items.len().max(1) as u16 + 5;
        let rect = centered(area, box_w, wanted.min(area.height.saturating_sub(2)));
        let rows = frame(theme, rect, &self.title(), self.keys(), buf);
        if items.is_empty() {
            let at = (rows.x + 3, rows.width.saturating_sub(4));
            put(buf, at, rows.y, &self.empty(), theme.muted());
            return;
        }
        let toggle_w = self
            .plan()
            .toggles
            .iter()
            .map(|t| width(&clean_line(&t.id)))
            .max()
            .unwrap_or(0)
            .min(32);
        let selected = self.selected.min(items.len() - 1);
        let height = rows.height as usize;
        let offset = scroll_offset(items.len(), height, selected);
        for (n, item) in items.iter().enumerate().skip(offset).take(height) {
            let line = self.line(item, toggle_w);
            list_row(theme, row(rows, n - offset), line, n == selected, buf);
        }
    }
}

/// The pattern templates `p` offers: each one's title and what it does.
pub struct TemplatesView<'a> {
    model: &'a Model,
    selected: usize,
}

impl<'a> TemplatesView<'a> {
    pub fn new(model: &'a Model, selected: usize) -> Self {
        TemplatesView { model, selected }
    }
}

impl Widget for &TemplatesView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let model = self.model;
        let theme = &model.theme;
        let keys = model.keymap.hints(Mode::Pattern);
        let box_w = TEMPLATES_WIDTH.min(area.width.saturating_sub(4));
        // Two lines a template and a blank line between them.
        let wanted = (Template::ALL.len() * 3 - 1) as u16 + 5;
        let rect = centered(area, box_w, wanted.min(area.height.saturating_sub(2)));
        let rows = frame(theme, rect, "Insert a pattern", footer(theme, &keys), buf);
        let selected = self.selected.min(Template::ALL.len() - 1);
        for (n, template) in Template::ALL.iter().enumerate() {
            let (title, description) = (template.title(), template.shape());
            let at = n * 3;
            if at + 1 >= rows.height as usize {
                break;
            }
            let is_selected = n == selected;
            let title = Line::styled(format!("{}. {title}", n + 1), theme.id());
            list_row(theme, row(rows, at), title, is_selected, buf);
            // The description belongs to the title's row: styled with it, not marked again.
            let under = row(rows, at + 1);
            let style = theme.list_row(is_selected, true);
            buf.set_style(under, style);
            let at = (under.x + 6, under.width.saturating_sub(7));
            put(buf, at, under.y, description, theme.muted().patch(style));
        }
    }
}
