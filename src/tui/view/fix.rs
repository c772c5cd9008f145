//! The fix preview: the moves that turn the written order into the nearest safe one, the
//! steps in that order, what the plan would check as, and the repairs to choose from
//! when no order is free of errors.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::draft::{render_preview, verdict};
use super::fit;
use crate::compose::fix::Fixed;
use crate::plan::Plan;
use crate::text::clean_line;
use crate::tui::model::Model;

pub struct FixView<'a> {
    model: &'a Model,
    fixed: &'a Fixed,
    choice: usize,
    scroll: u16,
}

/// `step 4 "enable"`: the step at `index` of the written plan, at `place` when the move is
/// made.
fn label(plan: &Plan, place: usize, index: usize) -> String {
    let id = plan.steps.get(index).map_or("", |s| s.id());
    format!("step {} \"{}\"", place + 1, clean_line(id))
}

impl<'a> FixView<'a> {
    pub fn new(model: &'a Model, fixed: &'a Fixed, choice: usize, scroll: u16) -> Self {
        FixView {
            model,
            fixed,
            choice,
            scroll,
        }
    }

    fn lines(&self, cols: usize) -> Vec<Line<'static>> {
        let theme = &self.model.theme;
        let plan = &self.model.plan;
        let fixed = self.fixed;
        let mut lines = Vec::new();
        let push = |lines: &mut Vec<Line<'static>>, line: Line<'static>, indent: usize| {
            lines.extend(fit::wrap_line(&line, cols, indent));
        };
        let before = verdict(theme, "As written: ", fixed.before);
        push(&mut lines, before, 2);
        let mut option = 0;
        let marker = |option: usize| if option == self.choice { "▸ " } else { "  " };
        if !fixed.moves.is_empty() {
            lines.push(Line::raw(""));
            let swaps = if fixed.swaps == 1 { "swap" } else { "swaps" };
            let head = format!(
                "{}The nearest order without errors: {} adjacent {swaps}{}",
                marker(option),
                fixed.swaps,
                if fixed.minimal {
                    ""
                } else {
                    " (the best found in time)"
                }
            );
            push(&mut lines, Line::styled(head, theme.heading()), 2);
            for m in &fixed.moves {
                let to = match m.after {
                    Some((after, place)) => format!("after {}", label(plan, place, after)),
                    None => "to the top".to_string(),
                };
                let line = format!("    move {} {to}", label(plan, m.from, m.step));
                push(&mut lines, Line::raw(line), 6);
            }
            for (n, &i) in fixed.order.iter().enumerate() {
                let step = &plan.steps[i];
                let moved = fixed.moves.iter().any(|m| m.step == i);
                let style = if moved {
                    theme.diff(true)
                } else {
                    theme.muted()
                };
                let line = Line::from(vec![
                    Span::raw(format!("    {}. ", n + 1)),
                    Span::styled(clean_line(step.id()).into_owned(), style),
                    Span::styled(format!(" — {}", clean_line(step.title())), theme.muted()),
                ]);
                push(&mut lines, line, 7);
            }
            let after = verdict(theme, "    In this order: ", fixed.after);
            push(&mut lines, after, 6);
            option += 1;
        }
        if !fixed.repairs.is_empty() {
            lines.push(Line::raw(""));
            let head = "No order is free of errors; the patterns offer:";
            push(&mut lines, Line::styled(head, theme.heading()), 2);
            for repair in &fixed.repairs {
                let line = format!("{}{}", marker(option), clean_line(&repair.description));
                push(&mut lines, Line::raw(line), 4);
                let after = verdict(theme, "    With it: ", repair.after);
                push(&mut lines, after, 6);
                option += 1;
            }
        }
        lines
    }
}

impl Widget for &FixView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        render_preview(
            self.model,
            "Fix the order",
            |cols| self.lines(cols),
            self.scroll,
            area,
            buf,
        );
    }
}
