//! The preview of drafted steps: what `D` would append to the plan, numbered as they will
//! land, each with its changes; Enter adds them, Esc discards them.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Widget};

use super::centered;
use super::fit;
use super::overlay::{footer, scrolled};
use crate::check::words::change_line;
use crate::check::{Severity, Summary};
use crate::compose::draft::Draft;
use crate::plan::{Change, Step};
use crate::text::clean_line;
use crate::tui::keymap::Mode;
use crate::tui::model::Model;
use crate::tui::theme::Theme;

const DRAFT_WIDTH: u16 = 90;
const TITLE: &str = "Drafted steps";

pub struct DraftView<'a> {
    model: &'a Model,
    draft: &'a Draft,
    /// What the plan would check as with the draft taken.
    would_be: Summary,
    scroll: u16,
}

impl<'a> DraftView<'a> {
    pub fn new(model: &'a Model, draft: &'a Draft, would_be: Summary, scroll: u16) -> Self {
        DraftView {
            model,
            draft,
            would_be,
            scroll,
        }
    }

    /// Every line of the preview, wrapped to `cols` columns.
    fn lines(&self, cols: usize) -> Vec<Line<'static>> {
        let theme = &self.model.theme;
        let clean = |text: &str| clean_line(text).into_owned();
        let first = self.model.plan.steps.len() + 1;
        let mut lines = Vec::new();
        for (n, step) in self.draft.steps.iter().enumerate() {
            let owner = match step {
                Step::Release { component, .. } => clean(component.as_str()),
                Step::Flip { toggle, to, .. } => {
                    format!("flip {} → {}", clean(toggle.as_str()), to.name())
                }
            };
            let head = Line::from(vec![
                Span::raw(format!("{}. ", first + n)),
                Span::styled(clean(step.id()), theme.id()),
                Span::raw(format!(" — {} ", clean(step.title()))),
                Span::styled(format!("({owner})"), theme.muted()),
            ]);
            // Wrapped under the id, clear of the changes' indent.
            lines.extend(fit::wrap_line(&head, cols, 3));
            for change in step.changes() {
                let style = match change {
                    Change::Add(_) => theme.diff(true),
                    Change::Remove(_) => theme.diff(false),
                    _ => Style::new(),
                };
                let line = Line::from(vec![
                    Span::raw("     "),
                    Span::styled(clean(&change_line(change).to_string()), style),
                ]);
                lines.extend(fit::wrap_line(&line, cols, 7));
            }
        }
        lines.push(Line::raw(""));
        let verdict = verdict(theme, "Taking them, the plan would be: ", self.would_be);
        lines.extend(fit::wrap_line(&verdict, cols, 2));
        if !self.draft.toggles.is_empty() {
            lines.push(Line::raw(""));
            lines.push(Line::styled("New toggles", theme.heading()));
            for toggle in &self.draft.toggles {
                let line = Line::from(vec![
                    Span::raw("  "),
                    Span::styled(clean(&toggle.id), theme.id()),
                    Span::styled(
                        format!(" initially {}", toggle.initially.name()),
                        theme.muted(),
                    ),
                ]);
                lines.extend(fit::wrap_line(&line, cols, 4));
            }
        }
        if !self.draft.notes.is_empty() {
            lines.push(Line::raw(""));
            lines.push(Line::styled("Notes", theme.heading()));
            for note in &self.draft.notes {
                let line = Line::styled(format!("  {}", clean(note)), theme.muted());
                lines.extend(fit::wrap_line(&line, cols, 4));
            }
        }
        lines
    }
}

/// "Taking them, the plan would be: 0 errors, 1 warning": `lead`, then the counts.
pub(super) fn verdict(theme: &Theme, lead: &str, would_be: Summary) -> Line<'static> {
    let Summary {
        errors, warnings, ..
    } = would_be;
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let style = if errors > 0 {
        theme.severity(Severity::Error)
    } else if warnings > 0 {
        theme.severity(Severity::Warning)
    } else {
        theme.severity(Severity::Info)
    };
    Line::from(vec![
        Span::raw(lead.to_string()),
        Span::styled(
            format!(
                "{}, {}",
                plural(errors, "error", "errors"),
                plural(warnings, "warning", "warnings")
            ),
            style,
        ),
    ])
}

/// A preview in a centred box: `lines` (wrapped to the box's width by `lines`), scrolled
/// by `scroll`, with the preview's keys at the bottom.
pub(super) fn render_preview(
    model: &Model,
    title: &str,
    lines: impl FnOnce(usize) -> Vec<Line<'static>>,
    scroll: u16,
    area: Rect,
    buf: &mut Buffer,
) {
    let theme = &model.theme;
    let box_w = DRAFT_WIDTH.min(area.width.saturating_sub(4));
    let cols = box_w.saturating_sub(4) as usize;
    let lines = lines(cols);
    let total = lines.len() as u16;
    // Borders, a blank line above and below the lines, the keys.
    let rect = centered(area, box_w, (total + 5).min(area.height.saturating_sub(2)));
    let visible = rect.height.saturating_sub(5);
    let text = scrolled(buf, theme, rect, title, None, lines, (scroll, visible, 1));
    let inner = Block::bordered().inner(rect);
    let keys = model.keymap.hints(Mode::Draft);
    let keys = fit::cut_line(&footer(theme, &keys), text.width as usize);
    if inner.height > 0 {
        buf.set_line(text.x, inner.bottom() - 1, &keys, text.width);
    }
}

impl Widget for &DraftView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        render_preview(
            self.model,
            TITLE,
            |cols| self.lines(cols),
            self.scroll,
            area,
            buf,
        );
    }
}
