//! The Steps pane: one row per step, with one lane per component, like the article's
//! story-plan diagram: the step's marker sits in its component's lane, and a lane shows
//! ✗ on the rows where that component has a broken use.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::Style;
use ratatui::widgets::{Block, Widget};

use super::fit::{self, width};
use super::{pane_block, put, row, scroll_offset};
use crate::check::words::{ERROR, FLIP, RELEASE, StepLabel, rollback_badge, status_badge};
use crate::check::{Rollback, Status};
use crate::plan::Step;
use crate::text::clean_line;
use crate::tui::model::{Drag, Model, Pane};

const MARKER_W: u16 = 1;
/// The widest status badge, `▲ warning`, and a space.
const BADGE_W: u16 = 10;
const MIN_LANE: u16 = 3;
const MAX_LANE: u16 = 6;
/// Room kept for the id and title before lanes get wider than the minimum.
const MIN_TEXT: u16 = 24;
const MAX_ROLLBACK: usize = 14;
/// The steps pane takes at least this share of the width, more for many lanes.
const MIN_SHARE: u16 = 60;
const MAX_SHARE: u16 = 66;

pub struct StepsView<'a> {
    model: &'a Model,
}

/// A row of the list: a step, or the line where a dragged step will land.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    Step(usize),
    Drop,
}

/// Where each column of a row starts and how wide it is.
struct Columns {
    num: (u16, u16),
    badge: (u16, u16),
    lanes: Vec<(u16, u16)>,
    text: (u16, u16),
    rollback: (u16, u16),
    /// Two header rows when the lane labels do not fit side by side.
    label_rows: u16,
}

impl<'a> StepsView<'a> {
    pub fn new(model: &'a Model) -> Self {
        StepsView { model }
    }

    fn focused(&self) -> bool {
        self.model.pane == Pane::Steps
    }

    fn has_flips(&self) -> bool {
        self.model
            .plan
            .steps
            .iter()
            .any(|s| matches!(s, Step::Flip { .. }))
    }

    /// The lane labels: each component's id, then the flips' column.
    fn lane_labels(&self) -> Vec<String> {
        let mut labels: Vec<String> = self
            .model
            .plan
            .components
            .iter()
            .map(|c| clean_line(&c.id).into_owned())
            .collect();
        if self.has_flips() {
            labels.push(FLIP.to_string());
        }
        labels
    }

    /// The lane a step's marker goes in, if its component exists.
    fn lane_of(&self, step: &Step) -> Option<usize> {
        let components = &self.model.plan.components;
        match step {
            Step::Release { component, .. } => components.iter().position(|c| c.id == *component),
            Step::Flip { .. } => Some(components.len()),
        }
    }

    fn broken_lanes(&self, step: usize) -> Vec<usize> {
        let components = &self.model.plan.components;
        self.model
            .report
            .broken_at(step)
            .filter_map(|id| components.iter().position(|c| c.id == id))
            .collect()
    }

    /// The bracket that joins the releases of one commit (adjacent steps with the same
    /// commit label): `┌` on the first, `│` between, `└` on the last.
    fn commit_bracket(&self, i: usize) -> Option<&'static str> {
        let steps = &self.model.plan.steps;
        let commit = steps.get(i)?.commit()?;
        let same = |j: Option<usize>| {
            j.and_then(|j| steps.get(j))
                .and_then(|s| s.commit())
                .is_some_and(|c| c == commit)
        };
        match (same(i.checked_sub(1)), same(Some(i + 1))) {
            (false, true) => Some("┌"),
            (true, true) => Some("│"),
            (true, false) => Some("└"),
            (false, false) => None,
        }
    }

    /// Marker, number and a space; the badge; the gap and rollback window: all but
    /// the lanes and the text.
    fn fixed_width(&self) -> (u16, u16, u16) {
        let steps = &self.model.plan.steps;
        // A plan with commit groups keeps a column before the numbers for their brackets.
        let bracket = u16::from(steps.iter().any(|s| s.commit().is_some()));
        let num_w = steps.len().to_string().len().max(2) as u16 + 1 + bracket;
        let rollback_w = (0..steps.len())
            .map(|i| width(&rollback_label(self.model, i)))
            .max()
            .unwrap_or(0)
            .clamp(width("rollback"), MAX_ROLLBACK) as u16;
        (
            num_w,
            rollback_w,
            MARKER_W + num_w + BADGE_W + 1 + rollback_w,
        )
    }

    /// How wide the pane would like to be in a board `full` columns wide: wider than
    /// its usual share when many lanes would leave too little room for the titles.
    pub fn wanted_width(&self, full: u16) -> u16 {
        let (_, _, fixed) = self.fixed_width();
        let lanes = self.lane_labels().len() as u16;
        let wanted = 2 + fixed + lanes * MIN_LANE + MIN_TEXT;
        wanted.clamp(full * MIN_SHARE / 100, full * MAX_SHARE / 100)
    }

    fn columns(&self, inner: Rect) -> Columns {
        let (num_w, rollback_w, fixed) = self.fixed_width();
        let labels = self.lane_labels();
        let lanes = labels.len() as u16;
        let widest = labels.iter().map(|l| width(l)).max().unwrap_or(0) as u16;
        let room = inner.width.saturating_sub(fixed + MIN_TEXT);
        // Wide enough for the labels side by side when there is room, else 3; narrower
        // only when even that would leave the titles no room at all.
        let lane_w = match lanes {
            0 => 0,
            _ => {
                let squeezed = inner.width.saturating_sub(fixed + MIN_TEXT / 2) / lanes;
                (widest + 1)
                    .min(room / lanes)
                    .clamp(MIN_LANE, MAX_LANE)
                    .min(squeezed.max(1))
            }
        };
        // Narrow lanes have no space of their own to set them off from the titles.
        let lanes_w = lane_w * lanes + u16::from(lane_w < MIN_LANE);
        let [_, num, badge, lanes_area, text, _, rollback] = Layout::horizontal([
            Constraint::Length(MARKER_W),
            Constraint::Length(num_w),
            Constraint::Length(BADGE_W),
            Constraint::Length(lanes_w),
            Constraint::Fill(1),
            Constraint::Length(1),
            Constraint::Length(rollback_w),
        ])
        .areas(inner);
        let lane_rects = Layout::horizontal(vec![Constraint::Length(lane_w); labels.len()])
            .flex(Flex::Start)
            .split(lanes_area);
        let lanes: Vec<(u16, u16)> = lane_rects.iter().map(|r| (r.x, r.width)).collect();
        let label_rows = if labels
            .iter()
            .zip(&lanes)
            .all(|(label, (_, w))| width(label) < *w as usize)
        {
            1
        } else {
            2
        };
        Columns {
            num: (num.x, num.width),
            badge: (badge.x, badge.width),
            lanes,
            text: (text.x, text.width),
            rollback: (rollback.x, rollback.width),
            label_rows,
        }
    }

    /// The rows in order: the steps, and the drop line while a step is dragged.
    fn entries(&self) -> Vec<Entry> {
        let mut entries = Vec::new();
        for i in 0..self.model.plan.steps.len() {
            match self.model.drag {
                Drag::Dragging { from, to } if i == to && to <= from => {
                    entries.push(Entry::Drop);
                    entries.push(Entry::Step(i));
                }
                Drag::Dragging { from, to } if i == to && to > from => {
                    entries.push(Entry::Step(i));
                    entries.push(Entry::Drop);
                }
                _ => entries.push(Entry::Step(i)),
            }
        }
        entries
    }

    /// The columns, and the entries visible in the list with their rows.
    fn visible(&self, area: Rect) -> (Columns, Vec<(Entry, Rect)>) {
        let inner = Block::bordered().inner(area);
        let columns = self.columns(inner);
        let list = Rect {
            y: inner.y + columns.label_rows,
            height: inner.height.saturating_sub(columns.label_rows),
            ..inner
        };
        let entries = self.entries();
        let height = list.height as usize;
        let at = |e: Entry| entries.iter().position(|x| *x == e).unwrap_or(0);
        let selected = at(Entry::Step(self.model.selected));
        let mut offset = scroll_offset(entries.len(), height, selected);
        if matches!(self.model.drag, Drag::Dragging { .. }) && height > 0 {
            // Keep the dragged step where it is, but never hide the drop line.
            let drop = at(Entry::Drop);
            if drop < offset {
                offset = drop;
            } else if drop >= offset + height {
                offset = drop + 1 - height;
            }
        }
        let shown = entries
            .iter()
            .skip(offset)
            .take(height)
            .enumerate()
            .map(|(n, e)| (*e, row(list, n)))
            .collect();
        (columns, shown)
    }

    /// (step index, row rect) of each visible step, top to bottom.
    pub fn rows(&self, area: Rect) -> Vec<(usize, Rect)> {
        self.visible(area)
            .1
            .into_iter()
            .filter_map(|(e, r)| match e {
                Entry::Step(i) => Some((i, r)),
                Entry::Drop => None,
            })
            .collect()
    }

    fn render_labels(&self, inner: Rect, columns: &Columns, buf: &mut Buffer) {
        let theme = &self.model.theme;
        let y = inner.y + columns.label_rows - 1;
        let muted = theme.muted();
        let num = format!(
            "{:>w$}",
            "#",
            w = (columns.num.1 as usize).saturating_sub(1)
        );
        put(buf, columns.num, y, &num, muted);
        put(buf, columns.badge, y, "status", muted);
        put(buf, columns.text, y, "step", muted);
        put(buf, columns.rollback, y, "rollback", muted);
        let labels = self.lane_labels();
        for (n, (label, (x, w))) in labels.iter().zip(&columns.lanes).enumerate() {
            let centre = x + w.saturating_sub(1) / 2;
            let label_w = width(label) as u16;
            if columns.label_rows == 1 {
                // Centred over the lane's markers.
                let start = centre.saturating_sub(label_w.saturating_sub(1) / 2).max(*x);
                put(buf, (start, x + w - start), y, label, theme.lane_label());
            } else {
                // Staggered over two rows, starting above the lane's markers: each label
                // may reach over its neighbour's lane, up to the next label on its row.
                let row_y = inner.y + (n % 2) as u16;
                let limit = if n % 2 == 1 {
                    columns.text.0
                } else {
                    inner.right()
                };
                let room = (2 * w)
                    .saturating_sub(1)
                    .min(limit.saturating_sub(centre + 1));
                put(buf, (centre, room), row_y, label, theme.lane_label());
            }
        }
    }

    fn render_step(&self, i: usize, area: Rect, columns: &Columns, buf: &mut Buffer) {
        let model = self.model;
        let theme = &model.theme;
        let step = &model.plan.steps[i];
        let selected = i == model.selected;
        let dragged = matches!(model.drag, Drag::Dragging { from, .. } if from == i);
        buf.set_style(area, theme.step_row(selected, dragged));
        let y = area.y;

        let marker = if dragged {
            "↕"
        } else if selected {
            "▸"
        } else {
            " "
        };
        put(buf, (area.x, MARKER_W), y, marker, Style::new());
        let num = format!(
            "{:>w$}",
            i + 1,
            w = (columns.num.1 as usize).saturating_sub(1)
        );
        put(buf, columns.num, y, &num, Style::new());
        if let Some(bracket) = self.commit_bracket(i) {
            put(buf, (columns.num.0, 1), y, bracket, theme.muted());
        }

        let status = model.report.steps.get(i).map_or(Status::Ok, |s| s.status);
        put(
            buf,
            columns.badge,
            y,
            status_badge(status),
            theme.status(status),
        );

        let own = self.lane_of(step);
        let broken = self.broken_lanes(i);
        for (lane, (x, w)) in columns.lanes.iter().enumerate() {
            if *w == 0 {
                continue;
            }
            let centre = x + (w - 1) / 2;
            let is_own = own == Some(lane);
            let is_broken = broken.contains(&lane);
            let flip = matches!(step, Step::Flip { .. });
            let mark = if flip { FLIP } else { RELEASE };
            match (is_own, is_broken) {
                (true, true) if *w >= 2 => {
                    put(buf, (centre, 1), y, mark, theme.lane_marker(flip));
                    put(buf, (centre + 1, 1), y, ERROR, theme.broken_lane());
                }
                (_, true) => put(buf, (centre, 1), y, ERROR, theme.broken_lane()),
                (true, false) => put(buf, (centre, 1), y, mark, theme.lane_marker(flip)),
                (false, false) => put(buf, (centre, 1), y, "·", theme.lane_empty()),
            }
        }

        let (x, w) = columns.text;
        let id = clean_line(step.id());
        let title = clean_line(step.title());
        let id = fit::cut(&id, w as usize);
        let id_w = width(&id) as u16;
        put(buf, (x, w), y, &id, theme.id());
        if id_w + 2 < w {
            put(buf, (x + id_w + 2, w - id_w - 2), y, &title, Style::new());
        }

        if let Some(report) = model.report.steps.get(i) {
            let (x, w) = columns.rollback;
            let label = rollback_fitting(model, i, w as usize);
            let label = fit::cut(&label, w as usize);
            let start = x + w - width(&label) as u16;
            put(
                buf,
                (start, x + w - start),
                y,
                &label,
                theme.rollback(report.rollback),
            );
        }
    }

    fn render_drop(&self, area: Rect, buf: &mut Buffer) {
        let Drag::Dragging { to, .. } = self.model.drag else {
            return;
        };
        let text = format!("──▶ drop here as {} ", StepLabel::number(to));
        let fill = (area.width as usize).saturating_sub(width(&text));
        let line = format!("{text}{}", "─".repeat(fill));
        put(
            buf,
            (area.x, area.width),
            area.y,
            &line,
            self.model.theme.drop_line(),
        );
    }
}

impl Widget for &StepsView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let model = self.model;
        let title = format!("Steps ({})", model.plan.steps.len());
        let block = pane_block(&model.theme, title, self.focused());
        let inner = block.inner(area);
        block.render(area, buf);
        let (columns, shown) = self.visible(area);
        if model.plan.steps.is_empty() {
            let y = inner.y;
            put(
                buf,
                (inner.x + 1, inner.width.saturating_sub(1)),
                y,
                "No steps yet.",
                model.theme.muted(),
            );
            return;
        }
        self.render_labels(inner, &columns, buf);
        for (entry, rect) in shown {
            match entry {
                Entry::Step(i) => self.render_step(i, rect, &columns, buf),
                Entry::Drop => self.render_drop(rect, buf),
            }
        }
        self.render_legend(area, &columns, buf);
    }
}

impl StepsView<'_> {
    /// When a lane's header is cut, the lanes' names in order on the bottom border.
    fn render_legend(&self, area: Rect, columns: &Columns, buf: &mut Buffer) {
        let labels = self.lane_labels();
        let cut = labels.iter().zip(&columns.lanes).any(|(label, (_, w))| {
            width(label) as u16 > (w * columns.label_rows).saturating_sub(1)
        });
        if !cut || area.height < 2 || area.width < 8 {
            return;
        }
        let legend = format!(" lanes: {} ", labels.join(" · "));
        put(
            buf,
            (area.x + 2, area.width - 4),
            area.bottom() - 1,
            &legend,
            self.model.theme.muted(),
        );
    }
}

/// A step's rollback window in a few characters: "↶ safe", "↶ until contract"…
pub(super) fn rollback_label(model: &Model, step: usize) -> String {
    let Some(report) = model.report.steps.get(step) else {
        return String::new();
    };
    rollback_badge(report.rollback, |j| {
        let id = model.plan.steps.get(j).map_or("?", |s| s.id());
        clean_line(id).into_owned()
    })
}

/// The rollback label in `w` columns: "↶ until #7" when the id of the step does not fit.
fn rollback_fitting(model: &Model, step: usize, w: usize) -> String {
    let label = rollback_label(model, step);
    match model.report.steps.get(step).map(|r| r.rollback) {
        Some(rollback @ Rollback::Until(j)) if width(&label) > w => {
            rollback_badge(rollback, |_| format!("#{}", j + 1))
        }
        _ => label,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_badge_column_holds_every_status_badge_and_a_space() {
        for status in [Status::Ok, Status::Warning, Status::Error] {
            assert!(width(status_badge(status)) < BADGE_W as usize, "{status:?}");
        }
    }
}
