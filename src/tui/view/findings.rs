//! The Findings pane: every finding on one line each — severity, rule, where, message.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::{Block, Widget};

use super::fit::width;
use super::{empty_note, pane, put, row, scroll_offset};
use crate::check::Finding;
use crate::check::words::{OK, StepLabel, severity_badge};
use crate::text::clean_line;
use crate::tui::model::{Model, Pane};

pub struct FindingsView<'a> {
    model: &'a Model,
}

impl<'a> FindingsView<'a> {
    pub fn new(model: &'a Model) -> Self {
        FindingsView { model }
    }

    fn focused(&self) -> bool {
        self.model.pane == Pane::Findings
    }

    /// (finding index, row rect) of each visible finding, top to bottom.
    pub fn rows(&self, area: Rect) -> Vec<(usize, Rect)> {
        let inner = Block::bordered().inner(area);
        let findings = &self.model.report.findings;
        let height = inner.height as usize;
        let offset = scroll_offset(findings.len(), height, self.model.finding);
        (offset..findings.len())
            .take(height)
            .enumerate()
            .map(|(n, i)| (i, row(inner, n)))
            .collect()
    }
}

impl Widget for &FindingsView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let model = self.model;
        let theme = &model.theme;
        let findings = &model.report.findings;
        let title = format!("Findings ({})", findings.len());
        let inner = pane(buf, area, theme, title, self.focused());
        if findings.is_empty() {
            let note = format!("{OK} No findings: every step of this order is safe.");
            empty_note(buf, inner, &note, theme.reached());
            return;
        }
        let column = |text: fn(&Finding) -> String| {
            findings.iter().map(|f| width(&text(f))).max().unwrap_or(0) as u16 + 1
        };
        let sev_w = column(|f| severity_badge(f.severity).to_string());
        let rule_w = column(|f| f.rule.id().to_string());
        let loc_w = column(location);
        for (i, rect) in self.rows(area) {
            let f = &findings[i];
            let selected = i == model.finding && self.focused();
            buf.set_style(rect, theme.list_row(selected, self.focused()));
            let y = rect.y;
            let mut x = rect.x;
            let mut cell = |w: u16, text: &str, style: Style| {
                let w = w.min(rect.right().saturating_sub(x));
                put(buf, (x, w), y, text, style);
                x += w;
            };
            cell(2, if selected { "▸" } else { " " }, Style::new());
            cell(
                sev_w,
                severity_badge(f.severity),
                theme.severity(f.severity),
            );
            cell(rule_w, f.rule.id(), theme.muted());
            cell(loc_w, &location(f), Style::new());
            cell(u16::MAX, &clean_line(&f.message), Style::new());
        }
    }
}

/// "step 3", or "plan" for a finding about the whole plan.
fn location(finding: &Finding) -> String {
    match finding.step {
        Some(step) => StepLabel::number(step).to_string(),
        None => "plan".into(),
    }
}
