//! The Components pane: each component's current → target facts, and what the plan
//! still has to add (+) or remove (−) to get there: the target against the facts the
//! component ends the plan with.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::{Block, Widget};

use super::{empty_note, pane, put, row, scroll_offset};
use crate::check::words::OK;
use crate::plan::Fact;
use crate::text::clean_line;
use crate::tui::model::{Model, Pane};

pub struct ComponentsView<'a> {
    model: &'a Model,
}

/// One line of the pane: a component's summary, or a fact still to add or remove.
enum Entry<'a> {
    Summary(usize),
    Fact {
        component: usize,
        added: bool,
        fact: &'a Fact,
    },
}

impl Entry<'_> {
    fn component(&self) -> usize {
        match self {
            Entry::Summary(c) | Entry::Fact { component: c, .. } => *c,
        }
    }
}

impl<'a> ComponentsView<'a> {
    pub fn new(model: &'a Model) -> Self {
        ComponentsView { model }
    }

    fn focused(&self) -> bool {
        self.model.pane == Pane::Components
    }

    /// What the plan still has to add to reach the target, and what to remove.
    fn to_do(&self, c: usize) -> Option<(Vec<&'a Fact>, Vec<&'a Fact>)> {
        let target = self.model.plan.components[c].target.as_ref()?;
        let last = self.model.report.finals.get(c)?;
        let missing = target.iter().filter(|f| !last.contains(f)).collect();
        let extra = last.iter().filter(|f| !target.contains(f)).collect();
        Some((missing, extra))
    }

    fn entries(&self) -> Vec<Entry<'a>> {
        let mut entries = Vec::new();
        for c in 0..self.model.plan.components.len() {
            entries.push(Entry::Summary(c));
            if let Some((missing, extra)) = self.to_do(c) {
                for (added, facts) in [(true, missing), (false, extra)] {
                    entries.extend(facts.into_iter().map(|fact| Entry::Fact {
                        component: c,
                        added,
                        fact,
                    }));
                }
            }
        }
        entries
    }

    fn visible(&self, area: Rect) -> Vec<(Entry<'a>, Rect)> {
        let inner = Block::bordered().inner(area);
        let entries = self.entries();
        let height = inner.height as usize;
        let selected = self.model.component;
        let start = entries
            .iter()
            .position(|e| e.component() == selected)
            .unwrap_or(0);
        let end = entries
            .iter()
            .rposition(|e| e.component() == selected)
            .map_or(0, |e| e + 1);
        let mut offset = scroll_offset(entries.len(), height, start);
        // Show all of the selected component's lines when they fit.
        if end - start <= height && end > offset + height {
            offset = end - height;
        }
        entries
            .into_iter()
            .skip(offset)
            .take(height)
            .enumerate()
            .map(|(n, e)| (e, row(inner, n)))
            .collect()
    }

    /// (component index, rect) of each visible component: its summary and fact lines.
    pub fn rows(&self, area: Rect) -> Vec<(usize, Rect)> {
        let mut rows: Vec<(usize, Rect)> = Vec::new();
        for (entry, rect) in self.visible(area) {
            match rows.last_mut() {
                Some((c, span)) if *c == entry.component() => span.height += 1,
                _ => rows.push((entry.component(), rect)),
            }
        }
        rows
    }

    fn summary(&self, c: usize) -> (String, Option<bool>) {
        let component = &self.model.plan.components[c];
        let id = clean_line(&component.id);
        let kind = component.kind.name();
        let current = component.current.len();
        match (&component.target, self.to_do(c)) {
            (Some(target), Some((missing, extra))) => {
                let head = format!("{id} ({kind}): {current} → {}, ", facts(target.len()));
                if missing.is_empty() && extra.is_empty() {
                    return (format!("{head}{OK} reached"), Some(true));
                }
                let mut parts = Vec::new();
                if !missing.is_empty() {
                    parts.push(format!("+{} to add", missing.len()));
                }
                if !extra.is_empty() {
                    parts.push(format!("−{} to remove", extra.len()));
                }
                (format!("{head}{}", parts.join(", ")), Some(false))
            }
            _ => (
                format!("{id} ({kind}): {}, no target", facts(current)),
                None,
            ),
        }
    }
}

impl Widget for &ComponentsView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let model = self.model;
        let theme = &model.theme;
        let components = &model.plan.components;
        let title = format!("Components ({})", components.len());
        let inner = pane(buf, area, theme, title, self.focused());
        if components.is_empty() {
            empty_note(buf, inner, "No components yet.", theme.muted());
            return;
        }
        for (entry, rect) in self.visible(area) {
            let y = rect.y;
            match entry {
                Entry::Summary(c) => {
                    let selected = c == model.component && self.focused();
                    buf.set_style(rect, theme.list_row(selected, self.focused()));
                    put(
                        buf,
                        (rect.x, 2),
                        y,
                        if selected { "▸" } else { " " },
                        Style::new(),
                    );
                    let (text, reached) = self.summary(c);
                    let style = match reached {
                        Some(true) => theme.reached(),
                        _ => Style::new(),
                    };
                    let id_w = super::fit::width(&clean_line(&components[c].id)) as u16;
                    let w = rect.width.saturating_sub(2);
                    put(buf, (rect.x + 2, w), y, &text, style);
                    buf.set_style(
                        Rect {
                            x: rect.x + 2,
                            width: id_w.min(w),
                            ..rect
                        },
                        theme.id(),
                    );
                }
                Entry::Fact { added, fact, .. } => {
                    let sign = if added { "+" } else { "−" };
                    let w = rect.width.saturating_sub(4);
                    // Cut in the middle: `…v1` and `…v2` stay apart.
                    let fact = clean_line(&fact.to_string()).into_owned();
                    let fact = super::fit::cut_middle(&fact, (w as usize).saturating_sub(2));
                    let text = format!("{sign} {fact}");
                    put(buf, (rect.x + 4, w), y, &text, theme.diff(added));
                }
            }
        }
    }
}

fn facts(n: usize) -> String {
    format!("{n} {}", if n == 1 { "fact" } else { "facts" })
}
