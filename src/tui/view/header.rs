//! The header: the story, the file, whether it is modified or read-only, and the counts.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::fit::{self, width};
use crate::check::words::{ACCEPTED, ERROR, WARNING};
use crate::text::clean_line;
use crate::tui::model::Model;

pub struct HeaderView<'a> {
    model: &'a Model,
}

impl<'a> HeaderView<'a> {
    pub fn new(model: &'a Model) -> Self {
        HeaderView { model }
    }
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl Widget for &HeaderView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let model = self.model;
        let theme = &model.theme;
        let base = theme.header();
        buf.set_style(area, base);

        let summary = model.report.summary();
        // A count is in its severity's colour only when there is something to count: a red
        // "0 errors" reads as an alarm.
        let counted = |n: usize, severity| {
            if n == 0 {
                base
            } else {
                base.patch(theme.severity(severity))
            }
        };
        let mut counts = vec![
            Span::styled(
                format!("{ERROR} {}", count(summary.errors, "error", "errors")),
                counted(summary.errors, crate::check::Severity::Error),
            ),
            Span::styled("  ", base),
            Span::styled(
                format!(
                    "{WARNING} {}",
                    count(summary.warnings, "warning", "warnings")
                ),
                counted(summary.warnings, crate::check::Severity::Warning),
            ),
        ];
        if summary.accepted > 0 {
            counts.push(Span::styled("  ", base));
            counts.push(Span::styled(
                format!("{ACCEPTED} {} accepted", summary.accepted),
                base.patch(theme.severity(crate::check::Severity::Accepted)),
            ));
        }
        counts.push(Span::styled(" ", base));
        let counts = Line::from(counts);
        let counts_w = counts.width() as u16;

        let mut flags = Vec::new();
        if model.modified() {
            flags.push(Span::styled("  [+] modified", theme.header_flag(false)));
        }
        if model.read_only {
            flags.push(Span::styled("  read-only", theme.header_flag(true)));
        }
        let flags_w: usize = flags.iter().map(Span::width).sum();

        // The story and the file share what the counts and flags leave.
        let room = (area.width as usize).saturating_sub(counts_w as usize + flags_w + 2);
        let story = clean_line(model.plan.story.trim());
        let file = clean_line(&model.title()).into_owned();
        let file_w = width(&file).min(room * 2 / 5);
        let story_w = width(&story).min(room.saturating_sub(file_w + 3));
        let file_w = room.saturating_sub(story_w + 3).min(width(&file));

        let mut left = vec![
            Span::styled(" ", base),
            Span::styled(fit::cut(&story, story_w).into_owned(), theme.story()),
        ];
        if file_w > 0 {
            left.push(Span::styled(" · ", base));
            left.push(Span::styled(
                fit::cut_left(&file, file_w).into_owned(),
                base,
            ));
        }
        left.extend(flags);
        buf.set_line(
            area.x,
            area.y,
            &Line::from(left),
            area.width.saturating_sub(counts_w),
        );
        let x = area.right().saturating_sub(counts_w);
        buf.set_line(x, area.y, &counts, counts_w);
    }
}
