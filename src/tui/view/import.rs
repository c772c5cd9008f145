//! The import preview: what `I` would change in a component's current facts, `+` what
//! its sources have that it lacks, `−` what it has that they lack, what the plan would
//! check as, and what the sources warned about.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::draft::{render_preview, verdict};
use super::fit;
use crate::check::Summary;
use crate::compose::import::Comparison;
use crate::sources::Warning;
use crate::text::clean_line;
use crate::tui::model::Model;

pub struct ImportView<'a> {
    model: &'a Model,
    comparison: &'a Comparison,
    warnings: &'a [Warning],
    would_be: Summary,
    scroll: u16,
}

impl<'a> ImportView<'a> {
    pub fn new(
        model: &'a Model,
        comparison: &'a Comparison,
        warnings: &'a [Warning],
        would_be: Summary,
        scroll: u16,
    ) -> Self {
        ImportView {
            model,
            comparison,
            warnings,
            would_be,
            scroll,
        }
    }

    fn lines(&self, cols: usize) -> Vec<Line<'static>> {
        let theme = &self.model.theme;
        let mut lines = Vec::new();
        if let Some(c) = self.model.plan.components.get(self.comparison.component) {
            let sources: Vec<String> = c.sources.iter().map(ToString::to_string).collect();
            let head = Line::from(vec![
                Span::styled(clean_line(&c.id).into_owned(), theme.id()),
                Span::styled(
                    format!(" ← {}", clean_line(&sources.join(", "))),
                    theme.muted(),
                ),
            ]);
            lines.extend(fit::wrap_line(&head, cols, 2));
        }
        let facts = [
            (&self.comparison.added, "+", true),
            (&self.comparison.removed, "−", false),
        ];
        for (list, sign, added) in facts {
            for fact in list {
                let line = Line::styled(
                    format!("  {sign} {}", clean_line(&fact.to_string())),
                    theme.diff(added),
                );
                lines.extend(fit::wrap_line(&line, cols, 4));
            }
        }
        lines.push(Line::raw(""));
        let verdict = verdict(theme, "Applying it, the plan would be: ", self.would_be);
        lines.extend(fit::wrap_line(&verdict, cols, 2));
        if !self.warnings.is_empty() {
            lines.push(Line::raw(""));
            lines.push(Line::styled("What the sources skipped", theme.heading()));
            for warning in self.warnings {
                let line = Line::styled(
                    format!("  {}", clean_line(&warning.to_string())),
                    theme.muted(),
                );
                lines.extend(fit::wrap_line(&line, cols, 4));
            }
        }
        lines
    }
}

impl Widget for &ImportView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        render_preview(
            self.model,
            "Import from the sources",
            |cols| self.lines(cols),
            self.scroll,
            area,
            buf,
        );
    }
}
