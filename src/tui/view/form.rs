//! The form overlay: one row per visible field (label, then value), the completions of
//! the focused field in a dropdown under it, the form's error and its keys.

use std::borrow::Cow;

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Widget};
use tui_input::Input;

use super::fit::{self, width};
use super::overlay::{footer, overlay_block};
use super::{centered, put};
use crate::check::Severity;
use crate::check::words::ERROR;
use crate::text::clean_line;
use crate::tui::complete::{Completion, CompletionView, Pool};
use crate::tui::form::{Field, FieldKind, Form};
use crate::tui::keymap::{Action, Keymap, Mode};
use crate::tui::theme::Theme;

const FORM_WIDTH: u16 = 76;
/// The widest label column; longer names are cut.
const MAX_LABEL: usize = 16;
/// Room kept after a pick field for its "new" tag.
const TAG_WIDTH: u16 = 5;

/// The keys that change a choice (a letter picks the option it starts): editing keys, so
/// not in the keymap.
const CHOOSE: (&str, &str) = ("←→/letter", "choose");

pub struct FormView<'a> {
    theme: &'a Theme,
    keymap: &'a Keymap,
    form: &'a Form,
    /// The completions of the focused field, when it names something.
    completion: Option<&'a Completion>,
}

/// Where the parts of the form go in an area.
struct Areas {
    rect: Rect,
    /// (field index, row) of each visible field that fits, top to bottom.
    rows: Vec<(usize, Rect)>,
    /// What the focused field wants, wrapped; then the error, wrapped; and the row of
    /// the first of their lines.
    help: Vec<String>,
    error: Vec<String>,
    error_y: u16,
    footer: Rect,
}

impl<'a> FormView<'a> {
    pub fn new(
        theme: &'a Theme,
        keymap: &'a Keymap,
        form: &'a Form,
        completion: Option<&'a Completion>,
    ) -> Self {
        FormView {
            theme,
            keymap,
            form,
            completion,
        }
    }

    /// The label column: as wide as the longest label of any field, shown or not, so that
    /// switching a choice does not shift the values.
    fn label_width(&self) -> u16 {
        let widest = self.form.fields.iter().map(|f| width(f.id.label())).max();
        widest.unwrap_or(0).min(MAX_LABEL) as u16
    }

    fn areas(&self, area: Rect) -> Areas {
        let box_w = FORM_WIDTH.min(area.width.saturating_sub(4));
        let text_w = box_w.saturating_sub(4) as usize;
        let error = match &self.form.error {
            Some(error) => fit::wrap(&format!("{ERROR} {}", clean_line(error)), text_w),
            None => Vec::new(),
        };
        let help = match self.form.help() {
            Some(help) => fit::wrap(help, text_w),
            None => Vec::new(),
        };
        let shown: Vec<usize> = (0..self.form.fields.len())
            .filter(|&i| self.form.visible(i))
            .collect();
        let height = |i: usize| field_rows(&self.form.fields[i]);
        // Borders, a blank line above and below the fields, the footer; the error and a
        // blank line under it.
        let block = |lines: &Vec<String>| if lines.is_empty() { 0 } else { lines.len() + 1 };
        let chrome = 5 + block(&help) + block(&error);
        let total: usize = shown.iter().map(|&i| height(i)).sum();
        let rect = centered(
            area,
            box_w,
            ((chrome + total) as u16).min(area.height.saturating_sub(2)),
        );
        let inner = overlay_block(self.theme, "").inner(rect);
        let room = (rect.height as usize).saturating_sub(chrome);
        // The first field shown: the focused one and those before it fit.
        let focus = shown
            .iter()
            .position(|&i| i == self.form.focus)
            .unwrap_or(0);
        let mut offset = 0;
        while offset < focus
            && shown[offset..=focus]
                .iter()
                .map(|&i| height(i))
                .sum::<usize>()
                > room
        {
            offset += 1;
        }
        let mut rows = Vec::new();
        let mut used = 0;
        for &i in &shown[offset..] {
            let h = height(i).min(room.saturating_sub(used));
            if h == 0 {
                break;
            }
            let mut rect = super::row(inner, used + 1);
            rect.height = h as u16;
            rows.push((i, rect));
            used += h;
        }
        let used_rows = used;
        let error_y = inner.y + 2 + used_rows as u16;
        Areas {
            rect,
            rows,
            help,
            error,
            error_y,
            footer: super::row(inner, (inner.height as usize).saturating_sub(1)),
        }
    }

    /// The form's box in `area`, with `margin` blank columns either side: a form opened
    /// from a list clears them, so the list's rows do not peek out beside it.
    pub fn rect(&self, area: Rect, margin: u16) -> Rect {
        let rect = self.areas(area).rect;
        let x = rect.x.saturating_sub(margin).max(area.x);
        Rect {
            x,
            width: (rect.right() + margin).min(area.right()) - x,
            ..rect
        }
    }

    /// Where a field's value goes in its row: after the marker and the label.
    fn value_column(&self, row: Rect) -> Rect {
        let x = row.x + 3 + self.label_width() + 2;
        Rect {
            x,
            width: row.right().saturating_sub(x + 1),
            ..row
        }
    }

    /// The text box of a text or pick field (a pick field keeps room for its tag).
    fn text_box(&self, field: &Field, row: Rect) -> Rect {
        let mut column = self.value_column(row);
        if matches!(field.kind, FieldKind::Pick(_)) {
            column.width = column.width.saturating_sub(TAG_WIDTH);
        }
        column
    }

    /// The focused field and its text box, when it takes text and is on screen.
    fn focused_box(&self, areas: &Areas) -> Option<(&'a Field, Rect)> {
        let field = self.form.focused()?;
        if !matches!(
            field.kind,
            FieldKind::Text | FieldKind::Pick(_) | FieldKind::Phrase
        ) {
            return None;
        }
        let (_, row) = areas.rows.iter().find(|(i, _)| *i == self.form.focus)?;
        Some((field, self.text_box(field, *row)))
    }

    /// Where the terminal's cursor goes: in the focused text field, if there is one.
    pub fn cursor(&self, area: Rect) -> Option<Position> {
        let (field, text_box) = self.focused_box(&self.areas(area))?;
        let shown = shown(&field.input);
        let scroll = shown.visual_scroll(text_box.width.saturating_sub(1) as usize);
        let at = shown.visual_cursor().saturating_sub(scroll) as u16;
        Some(Position::new(
            text_box.x + at.min(text_box.width.saturating_sub(1)),
            text_box.y,
        ))
    }

    fn render_text(&self, field: &Field, text_box: Rect, focused: bool, buf: &mut Buffer) {
        let theme = self.theme;
        buf.set_style(text_box, theme.input());
        let shown = shown(&field.input);
        if focused {
            // Scrolled to keep the cursor in the box, one column spare for it at the end.
            let scroll = shown.visual_scroll(text_box.width.saturating_sub(1) as usize);
            Paragraph::new(shown.value().to_string())
                .style(theme.input())
                .scroll((0, scroll as u16))
                .render(text_box, buf);
        } else {
            let at = (text_box.x, text_box.width);
            put(buf, at, text_box.y, shown.value(), theme.input());
        }
    }

    fn render_lines(&self, field: &Field, column: Rect, focused: bool, buf: &mut Buffer) {
        let theme = self.theme;
        let mut lines = field.lines.clone();
        lines.set_style(theme.input());
        lines.set_cursor_line_style(theme.input());
        let cursor = if focused {
            theme.input().add_modifier(Modifier::REVERSED)
        } else {
            theme.input()
        };
        lines.set_cursor_style(cursor);
        lines.render(column, buf);
        // The text comes from the plan: no control character reaches the terminal.
        for y in column.top()..column.bottom() {
            for x in column.left()..column.right() {
                let cell = &mut buf[(x, y)];
                if let Cow::Owned(clean) = clean_line(cell.symbol()) {
                    cell.set_symbol(&clean);
                }
            }
        }
    }

    fn render_choice(&self, options: &[&str], chosen: usize, column: Rect, buf: &mut Buffer) {
        let theme = self.theme;
        let value = options.get(chosen).copied().unwrap_or("");
        let mut spans = vec![
            Span::styled("‹ ", theme.key()),
            Span::styled(value.to_string(), theme.id()),
            Span::styled(" ›", theme.key()),
            Span::raw("   "),
        ];
        for (n, option) in options.iter().enumerate() {
            if n > 0 {
                spans.push(Span::styled(" · ", theme.muted()));
            }
            spans.push(Span::styled(option.to_string(), theme.muted()));
        }
        let line = fit::cut_line(&Line::from(spans), column.width as usize);
        buf.set_line(column.x, column.y, &line, column.width);
    }
}

/// How many rows a field takes: a multi-line field shows a few lines at once.
fn field_rows(field: &Field) -> usize {
    match field.kind {
        FieldKind::Lines => LINES_ROWS,
        _ => 1,
    }
}

/// The rows of a multi-line field.
const LINES_ROWS: usize = 3;

/// A field's input as shown: cleaned of control characters, with the cursor where it
/// falls in the cleaned text (cleaning drops or replaces characters one for one).
fn shown(input: &Input) -> Cow<'_, Input> {
    let value = input.value();
    match clean_line(value) {
        Cow::Borrowed(_) => Cow::Borrowed(input),
        Cow::Owned(clean) => {
            let before: String = value.chars().take(input.cursor()).collect();
            let cursor = clean_line(&before).chars().count();
            Cow::Owned(Input::new(clean).with_cursor(cursor))
        }
    }
}

impl Widget for &FormView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let theme = self.theme;
        let form = self.form;
        let areas = self.areas(area);
        let title = clean_line(&form.title);
        let title = fit::cut(&title, areas.rect.width.saturating_sub(6) as usize);
        Clear.render(areas.rect, buf);
        overlay_block(theme, &title).render(areas.rect, buf);

        let label_w = self.label_width();
        for &(i, row) in &areas.rows {
            let field = &form.fields[i];
            let focused = i == form.focus;
            let head = Rect {
                width: (3 + label_w).min(row.width),
                ..row
            };
            let head_style = theme.list_row(focused, true);
            buf.set_style(head, head_style);
            let marker = if focused { "▸" } else { " " };
            put(buf, (row.x + 1, 1), row.y, marker, head_style);
            let label = fit::cut(field.id.label(), label_w as usize);
            let label_x = row.x + 3 + label_w - width(&label) as u16;
            put(buf, (label_x, label_w), row.y, &label, head_style);

            let column = self.value_column(row);
            match &field.kind {
                FieldKind::Lines => self.render_lines(field, column, focused, buf),
                FieldKind::Text | FieldKind::Pick(_) | FieldKind::Phrase => {
                    let text_box = self.text_box(field, row);
                    self.render_text(field, text_box, focused, buf);
                    // A path the repository does not suggest is still a path.
                    let new = focused
                        && matches!(field.kind, FieldKind::Pick(pool) if pool != Pool::Sources)
                        && self
                            .completion
                            .is_some_and(|c| c.is_new(field.input.value()));
                    if new {
                        let tag = (text_box.right() + 1, TAG_WIDTH - 1);
                        put(buf, tag, row.y, "new", theme.severity(Severity::Warning));
                    }
                }
                FieldKind::Choice(options) => {
                    self.render_choice(options, field.choice, column, buf);
                }
                FieldKind::Flag => {
                    let flag = if field.flag { "[x]" } else { "[ ]" };
                    let style = if focused { theme.key() } else { Style::new() };
                    put(buf, (column.x, column.width), row.y, flag, style);
                }
            }
        }

        // The help, then (after a blank line) the error, under the fields.
        let mut below: Vec<(&str, Style)> = areas
            .help
            .iter()
            .map(|line| (line.as_str(), theme.muted()))
            .collect();
        if !below.is_empty() && !areas.error.is_empty() {
            below.push(("", Style::new()));
        }
        let error = theme.severity(Severity::Error);
        below.extend(areas.error.iter().map(|line| (line.as_str(), error)));
        for (n, (line, style)) in below.into_iter().enumerate() {
            let y = areas.error_y + n as u16;
            if y >= areas.footer.y {
                break;
            }
            let at = (areas.footer.x + 1, areas.footer.width.saturating_sub(2));
            put(buf, at, y, line, style);
        }

        let mut keys = self.keymap.hints(Mode::Form);
        // Before the form's last two (save, cancel), the keys a field is filled with.
        let filling = match self.keymap.key_for(Mode::Form, Action::NewLine) {
            Some(key) if form.is_lines() => (key, "new line"),
            _ => (CHOOSE.0.to_string(), CHOOSE.1),
        };
        keys.insert(keys.len().saturating_sub(2), filling);
        let keys = fit::cut_line(
            &footer(theme, &keys),
            areas.footer.width.saturating_sub(2) as usize,
        );
        let footer_area = areas.footer;
        buf.set_line(
            footer_area.x + 1,
            footer_area.y,
            &keys,
            footer_area.width.saturating_sub(1),
        );

        // Over the rows under the field: the dropdown belongs to the focused field.
        if let (Some(completion), Some((field, text_box))) =
            (self.completion, self.focused_box(&areas))
            && matches!(field.kind, FieldKind::Pick(_) | FieldKind::Phrase)
        {
            CompletionView::new(completion, theme, text_box).render(area, buf);
        }
    }
}
