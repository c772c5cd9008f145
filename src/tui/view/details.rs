//! The Details pane: what the selected step changes, what it breaks, the facts of its
//! component once it is live, and how long it can be reverted. Text here wraps.

use std::cell::RefCell;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::steps::rollback_label;
use super::{fit, pane_block};
use crate::check::Rollback;
use crate::check::words::{OK, StepLabel, change_line, flip_line, severity_badge};
use crate::plan::{Change, Plan, Step};
use crate::text::{clean, clean_line};
use crate::tui::model::{Model, Pane};

pub struct DetailsView<'a> {
    model: &'a Model,
    /// The lines as last wrapped, with the width they were wrapped to: drawing the pane
    /// and working out how far it scrolls wrap them once (a step's facts are replayed
    /// for them).
    wrapped: RefCell<Option<(usize, Vec<Line<'static>>)>>,
}

impl<'a> DetailsView<'a> {
    pub fn new(model: &'a Model) -> Self {
        DetailsView {
            model,
            wrapped: RefCell::new(None),
        }
    }

    /// Every line of the pane, wrapped to the width of `area`'s inside.
    fn lines(&self, area: Rect) -> Vec<Line<'static>> {
        let cols = self.block().inner(area).width as usize;
        if let Some((width, lines)) = &*self.wrapped.borrow()
            && *width == cols
        {
            return lines.clone();
        }
        let items = if self.model.details_finding {
            self.finding_items()
        } else {
            self.items()
        };
        let lines: Vec<Line<'static>> = items
            .iter()
            .flat_map(|(line, hang)| fit::wrap_line(line, cols, *hang))
            .collect();
        *self.wrapped.borrow_mut() = Some((cols, lines.clone()));
        lines
    }

    fn block(&self) -> ratatui::widgets::Block<'static> {
        let model = self.model;
        pane_block(&model.theme, "Details".into(), model.pane == Pane::Details)
    }

    /// How far the pane can scroll in `area`: its lines past the first page.
    pub fn max_scroll(&self, area: Rect) -> u16 {
        let rows = self.block().inner(area).height as usize;
        self.lines(area).len().saturating_sub(rows) as u16
    }

    /// The selected finding in full: what and where, its message and hint, and what
    /// Enter on it does.
    fn finding_items(&self) -> Vec<(Line<'static>, usize)> {
        let model = self.model;
        let theme = &model.theme;
        let Some(f) = model.report.findings.get(model.finding) else {
            return vec![(Line::styled("No findings.", theme.muted()), 0)];
        };
        let mut lines = vec![(
            Line::from(vec![
                Span::styled(
                    format!(
                        "Finding {} of {} · ",
                        model.finding + 1,
                        model.report.findings.len()
                    ),
                    theme.muted(),
                ),
                Span::styled(severity_badge(f.severity), theme.severity(f.severity)),
                Span::raw(" "),
                Span::styled(f.rule.id().to_string(), theme.id()),
            ]),
            0,
        )];
        let mut place = Vec::new();
        match f.step.and_then(|i| model.plan.steps.get(i).map(|s| (i, s))) {
            Some((i, s)) => place.push(StepLabel::new(i, &clean_line(s.id())).to_string()),
            None => place.push("the plan as a whole".to_string()),
        }
        if let Some(c) = &f.component {
            place.push(format!("component {}", clean_line(c)));
        }
        if let Some(k) = &f.key {
            place.push(format!("key \"{}\"", clean_line(k)));
        }
        lines.push((Line::styled(place.join(" · "), theme.muted()), 0));
        lines.push((Line::raw(""), 0));
        lines.push((Line::raw(clean_line(&f.message).into_owned()), 0));
        if !f.hint.trim().is_empty() {
            lines.push((Line::raw(""), 0));
            lines.push((Line::styled("Hint", theme.heading()), 0));
            lines.push((Line::raw(format!("  {}", clean_line(&f.hint))), 2));
        }
        if let Some(reason) = &f.reason {
            lines.push((Line::raw(""), 0));
            lines.push((
                Line::styled(
                    format!("Accepted: {}", clean_line(reason)),
                    theme.severity(f.severity),
                ),
                2,
            ));
        }
        let enter = match (f.step, &f.component) {
            (Some(_), _) => Some("Enter in the findings goes to its step.".to_string()),
            (None, Some(c)) => Some(format!(
                "Enter in the findings opens the facts of {}.",
                clean_line(c)
            )),
            (None, None) => None,
        };
        if let Some(enter) = enter {
            lines.push((Line::raw(""), 0));
            lines.push((Line::styled(enter, theme.muted()), 0));
        }
        lines
    }

    /// The pane's lines, each with the indent its wrapped continuation lines get.
    fn items(&self) -> Vec<(Line<'static>, usize)> {
        let model = self.model;
        let theme = &model.theme;
        let Some(step) = model.plan.steps.get(model.selected) else {
            return vec![(
                Line::styled(
                    "No step selected: the plan has no steps yet.",
                    theme.muted(),
                ),
                0,
            )];
        };
        let i = model.selected;
        let report = model.report.steps.get(i);
        let mut lines = Vec::new();
        let heading = |text: String| Line::styled(text, theme.heading());
        let indent = |spans: Vec<Span<'static>>| {
            let mut all = vec![Span::raw("  ")];
            all.extend(spans);
            Line::from(all)
        };

        lines.push((
            Line::from(vec![
                Span::styled(
                    format!("Step {} of {} · ", i + 1, model.plan.steps.len()),
                    theme.muted(),
                ),
                Span::styled(clean_line(step.id()).into_owned(), theme.id()),
            ]),
            0,
        ));
        lines.push((Line::raw(clean_line(step.title()).into_owned()), 0));
        lines.push((Line::styled(what(&model.plan, step), theme.muted()), 0));

        lines.push((Line::raw(""), 0));
        lines.push((heading("Changes".into()), 0));
        match step {
            Step::Flip { toggle, to, .. } => lines.push((
                indent(vec![Span::styled(
                    flip_line(&clean_line(toggle), *to).to_string(),
                    theme.lane_marker(true),
                )]),
                4,
            )),
            Step::Release { changes, .. } if changes.is_empty() => {
                lines.push((indent(vec![Span::styled("no changes", theme.muted())]), 4));
            }
            Step::Release { changes, .. } => {
                for change in changes {
                    let (text, style) = styled_change(change, theme);
                    lines.push((indent(vec![Span::styled(text, style)]), 4));
                }
            }
        }

        lines.push((Line::raw(""), 0));
        let findings: Vec<_> = model.report.findings_at(i).collect();
        lines.push((heading(format!("Findings ({})", findings.len())), 0));
        if findings.is_empty() {
            lines.push((
                indent(vec![Span::styled(format!("{OK} none"), theme.reached())]),
                4,
            ));
        }
        for f in findings {
            lines.push((
                indent(vec![
                    Span::styled(severity_badge(f.severity), theme.severity(f.severity)),
                    Span::raw(" "),
                    Span::styled(format!("[{}]", f.rule.id()), theme.muted()),
                    Span::raw(" "),
                    Span::raw(clean_line(&f.message).into_owned()),
                ]),
                4,
            ));
            if !f.hint.trim().is_empty() {
                lines.push((
                    indent(vec![Span::styled(
                        format!("→ {}", clean_line(&f.hint)),
                        theme.muted(),
                    )]),
                    4,
                ));
            }
            if let Some(reason) = &f.reason {
                lines.push((
                    indent(vec![Span::styled(
                        format!("accepted: {}", clean_line(reason)),
                        theme.severity(f.severity),
                    )]),
                    4,
                ));
            }
        }

        if let Some(report) = report {
            lines.push((Line::raw(""), 0));
            lines.push((heading("Rollback".into()), 0));
            lines.push((
                indent(vec![
                    Span::styled(rollback_label(model, i), theme.rollback(report.rollback)),
                    Span::raw(format!(
                        ": {}",
                        rollback_words(&model.plan, i, report.rollback)
                    )),
                ]),
                4,
            ));
        }

        lines.push((Line::raw(""), 0));
        match step {
            Step::Release { component, .. } => {
                lines.push((
                    heading(format!("After this step: {}", clean_line(component))),
                    0,
                ));
                let facts = model.plan.facts_after(i).unwrap_or_default();
                if facts.is_empty() {
                    lines.push((indent(vec![Span::styled("no facts", theme.muted())]), 4));
                }
                for fact in &facts {
                    lines.push((
                        indent(vec![Span::raw(clean_line(&fact.to_string()).into_owned())]),
                        4,
                    ));
                }
            }
            Step::Flip { toggle, to, .. } => {
                lines.push((heading("After this step".into()), 0));
                lines.push((
                    indent(vec![Span::raw(format!(
                        "{} is {}",
                        clean_line(toggle),
                        to.name()
                    ))]),
                    4,
                ));
                let gated = gated_by(&model.plan, toggle);
                let text = if gated.is_empty() {
                    "nothing in the plan is gated by it".to_string()
                } else {
                    format!("it gates facts of {}", clean_line(&gated.join(", ")))
                };
                lines.push((indent(vec![Span::styled(text, theme.muted())]), 4));
            }
        }

        let notes = match step {
            Step::Release { notes, .. } | Step::Flip { notes, .. } => notes.as_deref(),
        };
        if let Some(notes) = notes.filter(|n| !n.trim().is_empty()) {
            lines.push((Line::raw(""), 0));
            lines.push((heading("Notes".into()), 0));
            for line in clean(notes).lines() {
                lines.push((indent(vec![Span::raw(line.replace('\t', "    "))]), 4));
            }
        }
        lines
    }
}

impl Widget for &DetailsView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let block = self.block();
        let rows = block.inner(area).height as usize;
        let mut lines = self.lines(area);
        let scroll = usize::from(self.model.details_scroll).min(lines.len().saturating_sub(rows));
        lines.drain(..scroll);
        // What does not fit is marked, with the way to read it.
        if lines.len() > rows && rows > 0 {
            let more = lines.len() - rows + 1;
            lines.truncate(rows - 1);
            let how = if self.model.pane == Pane::Details {
                "j/k scroll"
            } else {
                "Tab to Details to scroll"
            };
            lines.push(Line::styled(
                format!("… {more} more lines ({how})"),
                self.model.theme.muted(),
            ));
        }
        // Already wrapped, with hanging indents; `Wrap` only guards the edge.
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .render(area, buf);
    }
}

/// "release of api (Shelter API, Service)" or "flip of the toggle reminders".
fn what(plan: &Plan, step: &Step) -> String {
    let mut text = match step {
        Step::Release { component, .. } => {
            let id = component.as_str();
            match plan.components.iter().find(|c| c.id == id) {
                Some(c) => format!(
                    "release of {} ({}, {})",
                    clean_line(id),
                    clean_line(&c.name),
                    c.kind.name()
                ),
                None => format!("release of {}, which is not a component", clean_line(id)),
            }
        }
        Step::Flip { toggle, .. } => {
            format!("flip of the toggle {}", clean_line(toggle))
        }
    };
    if let Some(commit) = step.commit() {
        text.push_str(&format!(" · commit {}", clean_line(commit)));
    }
    if step.shipped() {
        text.push_str(" · shipped");
    }
    text
}

/// A change as a +/− line, in the fact's RON form, coloured as a diff.
fn styled_change(change: &Change, theme: &crate::tui::theme::Theme) -> (String, Style) {
    let style = match change {
        Change::Add(_) => theme.diff(true),
        Change::Remove(_) => theme.diff(false),
        Change::Ungate(_) | Change::Backfill { .. } => Style::new(),
    };
    (
        clean_line(&change_line(change).to_string()).into_owned(),
        style,
    )
}

/// The components whose facts (now, in the target or added by a step) the toggle gates.
fn gated_by(plan: &Plan, toggle: &str) -> Vec<String> {
    plan.components
        .iter()
        .filter(|c| {
            let gates = |f: &crate::plan::Fact| f.gate.as_deref() == Some(toggle);
            c.current.iter().any(gates)
                || c.target.iter().flatten().any(gates)
                || plan.steps.iter().any(|s| {
                    s.component() == Some(c.id.as_str())
                        && s.changes()
                            .iter()
                            .any(|ch| matches!(ch, Change::Add(f) if gates(f)))
                })
        })
        .map(|c| c.id.clone())
        .collect()
}

fn rollback_words(plan: &Plan, step: usize, rollback: Rollback) -> String {
    match rollback {
        Rollback::Safe => "it can be reverted at every later point of the plan.".into(),
        Rollback::Until(j) if j == step => {
            "reverting it breaks a consumer right away: it fixes an earlier break.".into()
        }
        Rollback::Until(j) => {
            let id = plan.steps.get(j).map_or("?", |s| s.id());
            format!(
                "reverting it is safe until {} ships; after that, revert that step first.",
                StepLabel::new(j, &clean_line(id))
            )
        }
        Rollback::LosesData => {
            "reverting it loses data, even right after it ships: backfill first, or keep the double write.".into()
        }
        Rollback::Irreversible => {
            "it drops data for good: no revert brings it back.".into()
        }
    }
}
