//! Overlays, drawn last over a cleared rect: help, a question, the save-as field, and
//! the pieces the editing overlays share (their box and their line of keys).

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Widget};
use tui_input::Input;

use super::centered;
use super::fit::{self, width};
use crate::check::words::{ERROR, FLIP, IRREVERSIBLE, OK, RELEASE, REVERT, WARNING};
use crate::text::{clean_line, upper_first};
use crate::tui::keymap::{Binding, Keymap, Mode};
use crate::tui::model::{Model, Question};
use crate::tui::theme::Theme;

/// The double-lined box of an overlay, titled.
pub(super) fn overlay_block(theme: &Theme, title: &str) -> Block<'static> {
    Block::bordered()
        .border_type(BorderType::Double)
        .border_style(theme.overlay())
        .title(Line::from(Span::styled(
            format!(" {title} "),
            theme.overlay(),
        )))
}

/// Draws a bordered box of lines that scroll: the keys (if any) and, when the lines do
/// not fit, which of them show, in the bottom border. `top` blank rows go above the
/// lines. Returns the rect of the lines.
pub(super) fn scrolled(
    buf: &mut Buffer,
    theme: &Theme,
    rect: Rect,
    title: &str,
    keys: Option<&str>,
    lines: Vec<Line<'static>>,
    (scroll, visible, top): (u16, u16, u16),
) -> Rect {
    let total = lines.len() as u16;
    let scroll = scroll.min(total.saturating_sub(visible));
    let mut block = overlay_block(theme, title);
    if let Some(keys) = keys {
        block = block.title_bottom(Line::from(Span::styled(format!(" {keys} "), theme.key())));
    }
    if total > visible {
        let last = (scroll + visible).min(total);
        block = block.title_bottom(
            Line::from(format!(" {}–{} of {} ", scroll + 1, last, total)).right_aligned(),
        );
    }
    Clear.render(rect, buf);
    let inner = block.inner(rect);
    block.render(rect, buf);
    let text = Rect {
        x: inner.x + 1,
        y: inner.y + top,
        width: inner.width.saturating_sub(2),
        height: visible.min(inner.height.saturating_sub(top)),
    };
    Paragraph::new(lines).scroll((scroll, 0)).render(text, buf);
    text
}

/// The keys of an overlay on one line, as the finder shows them: "Enter save · Esc cancel".
pub(super) fn footer(theme: &Theme, keys: &[(String, &str)]) -> Line<'static> {
    let mut spans = Vec::new();
    for (n, (key, what)) in keys.iter().enumerate() {
        if n > 0 {
            spans.push(Span::styled(" · ", theme.muted()));
        }
        spans.push(Span::styled(key.clone(), theme.key()));
        spans.push(Span::styled(format!(" {what}"), theme.muted()));
    }
    Line::from(spans)
}

pub struct HelpView<'a> {
    model: &'a Model,
    scroll: u16,
    /// Only the bindings whose keys or description hold this (any case); and whether it
    /// is being typed.
    filter: &'a str,
    typing: bool,
}

const HELP_WIDTH: u16 = 76;

const MOUSE: &str = "Press on a step and drag it up or down: a drop line shows where it will \
    land, and releasing the button moves it there (one undo step, like J/K). Esc cancels the \
    drag. A click selects a row or focuses a pane; the wheel moves the cursor of the pane \
    under the pointer.";

/// The symbols the board draws, each row's symbols shown side by side, and what they mean.
const SYMBOLS: [(&[&str], &str); 6] = [
    (&[RELEASE], "a release, in its component's lane"),
    (&[FLIP], "a flip of a toggle"),
    (
        &[ERROR],
        "the lane's component has a broken use while the step is live",
    ),
    (
        &[ERROR, WARNING, OK],
        "the step's status: error, warning, ok",
    ),
    (&[REVERT], "how long the step can be reverted"),
    (&[IRREVERSIBLE], "the step drops data for good"),
];

impl<'a> HelpView<'a> {
    pub fn new(model: &'a Model, scroll: u16) -> Self {
        HelpView {
            model,
            scroll,
            filter: "",
            typing: false,
        }
    }

    /// Shows only the bindings that hold `filter`.
    pub fn filtered(self, filter: &'a str, typing: bool) -> Self {
        HelpView {
            filter,
            typing,
            ..self
        }
    }

    fn lines(&self, cols: usize) -> Vec<Line<'static>> {
        let model = self.model;
        let theme = &model.theme;
        let query = self.filter.trim().to_lowercase();
        let mut lines = Vec::new();
        // A section per context, the board first: every binding with what it does there.
        for mode in Mode::ALL {
            let bindings = model.keymap.bindings(mode);
            let keys: Vec<String> = bindings
                .iter()
                .map(|binding| {
                    let keys: Vec<String> = binding.chords.iter().map(|c| c.to_string()).collect();
                    clean_line(&keys.join(", ")).into_owned()
                })
                .collect();
            let key_w = keys.iter().map(|k| width(k)).max().unwrap_or(0).min(24) + 2;
            let kept: Vec<(&Binding, String)> = bindings
                .iter()
                .zip(keys)
                .filter(|(binding, keys)| {
                    query.is_empty()
                        || binding.desc.to_lowercase().contains(&query)
                        || keys.to_lowercase().contains(&query)
                })
                .collect();
            if kept.is_empty() {
                continue;
            }
            lines.push(Line::styled(mode.title(), theme.heading()));
            for (binding, keys) in kept {
                let line = Line::from(vec![
                    Span::raw("  "),
                    Span::styled(fit::pad(&keys, key_w), theme.key()),
                    Span::raw(binding.desc),
                ]);
                // A long description wraps under itself, clear of the keys.
                lines.extend(fit::wrap_line(&line, cols, 2 + key_w));
            }
            lines.push(Line::raw(""));
        }
        if !query.is_empty() {
            if lines.is_empty() {
                lines.push(Line::styled(
                    format!("No key does \"{}\".", clean_line(self.filter.trim())),
                    theme.muted(),
                ));
            }
            return lines;
        }
        lines.push(Line::styled("Mouse", theme.heading()));
        if model.mouse {
            for line in fit::wrap(MOUSE, cols.saturating_sub(2)) {
                lines.push(Line::raw(format!("  {line}")));
            }
        } else {
            lines.push(Line::raw("  The mouse is switched off in the settings."));
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled("Symbols", theme.heading()));
        for (symbols, meaning) in SYMBOLS {
            lines.push(Line::from(vec![
                Span::raw("  "),
                Span::styled(fit::pad(&symbols.join(" "), 7), theme.key()),
                Span::raw(meaning),
            ]));
        }
        lines
    }

    /// The bottom title: the help mode's keys, from the keymap.
    fn keys(&self) -> String {
        self.model.keymap.footer(Mode::Help)
    }
}

impl HelpView<'_> {
    /// The box, the lines and how many of them fit, in `area`.
    fn layout(&self, area: Rect) -> (Rect, Vec<Line<'static>>, u16) {
        let box_w = HELP_WIDTH.min(area.width.saturating_sub(4));
        let lines = self.lines(box_w.saturating_sub(4) as usize);
        let box_h = (lines.len() as u16 + 2).min(area.height.saturating_sub(4));
        (centered(area, box_w, box_h), lines, box_h.saturating_sub(2))
    }

    /// The furthest the help can scroll in `area`.
    pub fn max_scroll(&self, area: Rect) -> u16 {
        let (_, lines, visible) = self.layout(area);
        (lines.len() as u16).saturating_sub(visible)
    }
}

impl Widget for &HelpView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (rect, lines, visible) = self.layout(area);
        let keys = self.keys();
        let theme = &self.model.theme;
        let title = match (self.filter.is_empty(), self.typing) {
            (true, false) => "Help".to_string(),
            (_, true) => format!("Help · /{}▏", clean_line(self.filter)),
            (false, false) => format!("Help · /{}", clean_line(self.filter)),
        };
        scrolled(
            buf,
            theme,
            rect,
            &title,
            Some(&keys),
            lines,
            (self.scroll, visible, 0),
        );
    }
}

pub struct AskView<'a> {
    theme: &'a Theme,
    keymap: &'a Keymap,
    question: Question,
}

impl<'a> AskView<'a> {
    pub fn new(theme: &'a Theme, keymap: &'a Keymap, question: Question) -> Self {
        AskView {
            theme,
            keymap,
            question,
        }
    }
}

impl Widget for &AskView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (title, message) = match self.question {
            Question::Quit => ("Quit", "Unsaved changes."),
            Question::Conflict { .. } => (
                "File changed",
                "The file changed on disk since it was opened.",
            ),
        };
        let mut spans = Vec::new();
        for &action in self.question.answers() {
            let Some(binding) = self.keymap.binding(Mode::Question, action) else {
                continue;
            };
            let Some(key) = binding.chords.first() else {
                continue;
            };
            if !spans.is_empty() {
                spans.push(Span::raw("  "));
            }
            spans.push(Span::styled(format!("[{}]", key.shown()), self.theme.key()));
            spans.push(Span::raw(format!(" {}", upper_first(binding.short))));
        }
        let answers = Line::from(spans).centered();
        let box_w = (width(message).max(answers.width()) as u16 + 8).max(40);
        let rect = centered(area, box_w, 6);
        Clear.render(rect, buf);
        Paragraph::new(vec![
            Line::raw(""),
            Line::raw(message).centered(),
            Line::raw(""),
            answers,
        ])
        .block(overlay_block(self.theme, title))
        .render(rect, buf);
    }
}

/// One line of input in a small box: "Save as", and the other prompts.
pub struct SaveAsView<'a> {
    theme: &'a Theme,
    keymap: &'a Keymap,
    input: &'a Input,
    title: &'a str,
    question: &'a str,
    action: &'a str,
}

const SAVE_AS_WIDTH: u16 = 64;

impl<'a> SaveAsView<'a> {
    /// A prompt with its own title, question and word for Enter.
    pub fn asking(
        theme: &'a Theme,
        keymap: &'a Keymap,
        input: &'a Input,
        title: &'a str,
        question: &'a str,
        action: &'a str,
    ) -> Self {
        SaveAsView {
            theme,
            keymap,
            input,
            title,
            question,
            action,
        }
    }

    fn rect(area: Rect) -> Rect {
        centered(area, SAVE_AS_WIDTH.min(area.width.saturating_sub(4)), 7)
    }

    /// The one-line text field inside the overlay.
    fn field(area: Rect) -> Rect {
        let inner = Block::bordered().inner(Self::rect(area));
        Rect {
            x: inner.x + 1,
            y: inner.y + 2,
            width: inner.width.saturating_sub(2),
            height: 1,
        }
    }

    fn scroll(&self, field: Rect) -> usize {
        // One column more than the field, so the cursor can sit after the last character.
        self.input
            .visual_scroll(field.width.saturating_sub(1) as usize)
    }

    /// Where the terminal's cursor goes: at the input's cursor inside the field.
    pub fn cursor(&self, area: Rect) -> Position {
        let field = Self::field(area);
        let at = self
            .input
            .visual_cursor()
            .saturating_sub(self.scroll(field)) as u16;
        Position::new(field.x + at.min(field.width.saturating_sub(1)), field.y)
    }
}

impl Widget for &SaveAsView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let rect = SaveAsView::rect(area);
        let field = SaveAsView::field(area);
        Clear.render(rect, buf);
        let block = overlay_block(self.theme, self.title);
        let inner = block.inner(rect);
        block.render(rect, buf);
        let row = |y: u16| Rect {
            x: inner.x + 1,
            y: inner.y + y,
            width: inner.width.saturating_sub(2),
            height: 1,
        };
        Line::raw(self.question).render(row(1), buf);
        // The prompt's keys, Enter's word said for this prompt.
        let keys: Vec<(String, &str)> = self
            .keymap
            .hints(Mode::Prompt)
            .into_iter()
            .map(|(key, short)| (key, if short == "ok" { self.action } else { short }))
            .collect();
        footer(self.theme, &keys).render(row(4), buf);
        buf.set_style(field, self.theme.input());
        Paragraph::new(clean_line(self.input.value()).into_owned())
            .style(self.theme.input())
            .scroll((0, self.scroll(field) as u16))
            .render(field, buf);
    }
}

/// Text to read, scrollable: an export preview or a diff.
pub struct ReaderView<'a> {
    theme: &'a Theme,
    title: &'a str,
    text: &'a str,
    scroll: u16,
    keys: &'a str,
}

impl<'a> ReaderView<'a> {
    pub fn new(
        theme: &'a Theme,
        title: &'a str,
        text: &'a str,
        scroll: u16,
        keys: &'a str,
    ) -> Self {
        ReaderView {
            theme,
            title,
            text,
            scroll,
            keys,
        }
    }
}

impl ReaderView<'_> {
    /// The box the reader takes in `area`.
    fn rect(area: Rect) -> Rect {
        let width = 100.min(area.width.saturating_sub(4));
        centered(area, width, area.height.saturating_sub(4))
    }

    /// How many lines of text the reader shows in `area`: a page.
    pub fn rows(area: Rect) -> u16 {
        Self::rect(area).height.saturating_sub(2)
    }
}

impl Widget for &ReaderView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let rect = ReaderView::rect(area);
        // Long lines wrap, so nothing of an export or a diff is cut off.
        let cols = rect.width.saturating_sub(4) as usize;
        let lines: Vec<Line> = self
            .text
            .lines()
            .flat_map(|l| {
                let l = clean_line(l);
                // A nested list item keeps its indent, on every line it wraps to.
                let body = l.trim_start_matches(' ');
                let indent = " ".repeat((l.len() - body.len()).min(cols / 2));
                if body.is_empty() {
                    vec![String::new()]
                } else {
                    fit::wrap(body, cols.saturating_sub(indent.len()))
                        .into_iter()
                        .map(|wrapped| format!("{indent}{wrapped}"))
                        .collect()
                }
            })
            .map(Line::raw)
            .collect();
        let visible = ReaderView::rows(area);
        let view = (self.scroll, visible, 0);
        scrolled(
            buf,
            self.theme,
            rect,
            self.title,
            Some(self.keys),
            lines,
            view,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Plan;
    use crate::tui::model::Source;

    #[test]
    fn the_help_lists_every_binding_of_every_mode() {
        let model = Model::new(
            Plan::new("story"),
            Source::Example {
                name: "reminders".into(),
            },
        );
        // Wide enough that nothing wraps.
        let lines = HelpView::new(&model, 0).lines(400);
        let text: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        for mode in Mode::ALL {
            assert!(text.iter().any(|l| l == mode.title()), "{mode:?}");
            for binding in model.keymap.bindings(mode) {
                let keys: Vec<String> = binding.chords.iter().map(|c| c.to_string()).collect();
                let row = text
                    .iter()
                    .find(|l| l.contains(&keys.join(", ")) && l.ends_with(binding.desc));
                assert!(row.is_some(), "{mode:?} {:?}", binding.action);
            }
        }
    }
}
