//! Completion for the form fields where something that already exists is named — a key, a
//! component, a toggle, a step — so that a typo is offered the existing name instead of
//! quietly becoming a new key (SPEC §6). Pure state plus a small dropdown view.

use std::collections::BTreeSet;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Widget};

use crate::plan::Plan;
use crate::text::clean_line;
use crate::tui::fuzzy::{self, Fuzzy};
use crate::tui::phrase::{self, Slot};
use crate::tui::theme::Theme;

/// How many suggestions a field shows.
pub const MAX_SUGGESTIONS: usize = 8;

/// What a field names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pool {
    /// Keys of facts: endpoints, tables, topics — and the interfaces of `Serving`.
    Keys,
    Components,
    Toggles,
    Steps,
    /// A component's sources: the plan's, and what the repository suggests.
    Sources,
}

/// The existing names of `pool` in `plan`, distinct and sorted, as the plan spells them
/// (not cleaned: accepting one must name exactly the existing thing). Blank names are
/// left out.
pub fn candidates(plan: &Plan, pool: Pool) -> Vec<String> {
    let names: BTreeSet<&str> = match pool {
        Pool::Keys => plan.keys(),
        Pool::Components => plan.components.iter().map(|c| c.id.as_str()).collect(),
        Pool::Toggles => plan.toggles.iter().map(|t| t.id.as_str()).collect(),
        Pool::Steps => plan.steps.iter().map(|s| s.id()).collect(),
        Pool::Sources => return plan_sources(plan),
    };
    names
        .into_iter()
        .filter(|name| !name.trim().is_empty())
        .map(str::to_string)
        .collect()
}

/// The sources the plan's components name, as the form spells them.
fn plan_sources(plan: &Plan) -> Vec<String> {
    let mut sources: Vec<String> = plan
        .components
        .iter()
        .flat_map(|c| c.sources.iter().map(crate::plan::Source::arg))
        .collect();
    sources.sort();
    sources.dedup();
    sources
}

/// The candidates for a slot of a fact line: clause words, keys or toggles.
pub fn slot_candidates(plan: &Plan, slot: Slot) -> Vec<String> {
    let words = || phrase::WORDS.map(String::from).to_vec();
    match slot {
        Slot::Start => {
            let mut all = words();
            all.extend(candidates(plan, Pool::Keys));
            all
        }
        Slot::Word => words(),
        Slot::Key => candidates(plan, Pool::Keys),
        Slot::Toggle => candidates(plan, Pool::Toggles),
    }
}

/// The suggestions for one field as it is typed.
#[derive(Debug)]
pub struct Completion {
    /// Distinct and sorted.
    candidates: Vec<String>,
    /// Indices into `candidates`, best first, at most [`MAX_SUGGESTIONS`].
    matches: Vec<usize>,
    /// A row of `matches`, once the user picks one with next/prev.
    selected: Option<usize>,
    fuzzy: Fuzzy,
    /// What was typed, as last given to `update`.
    typed: String,
    /// Matched characters of each row of `matches`, for the view.
    highlights: Vec<Vec<u32>>,
    /// In a fact line, the slot the candidates are for.
    pub slot: Option<Slot>,
}

impl Completion {
    /// Completion over `candidates` (sorted and made distinct here), before anything is
    /// typed: the first suggestions in order.
    pub fn new(mut candidates: Vec<String>) -> Completion {
        candidates.sort();
        candidates.dedup();
        let mut completion = Completion {
            candidates,
            matches: Vec::new(),
            selected: None,
            fuzzy: Fuzzy::new(),
            typed: String::new(),
            highlights: Vec::new(),
            slot: None,
        };
        completion.update("");
        completion
    }

    /// Completion over the names of `pool` in `plan`.
    pub fn for_plan(plan: &Plan, pool: Pool) -> Completion {
        Completion::new(candidates(plan, pool))
    }

    /// Re-ranks the candidates against what the field now holds; the best
    /// [`MAX_SUGGESTIONS`] stay, and the selection is cleared (Enter keeps what was typed
    /// until the user picks a suggestion).
    pub fn update(&mut self, typed: &str) {
        self.typed.clear();
        self.typed.push_str(typed.trim());
        let names = self.candidates.iter().map(String::as_str);
        let mut matches = self.fuzzy.rank(&self.typed, names);
        matches.truncate(MAX_SUGGESTIONS);
        self.highlights = matches
            .iter()
            .map(|&i| self.fuzzy.indices(&self.typed, &self.candidates[i]))
            .collect();
        self.matches = matches;
        self.selected = None;
    }

    /// Selects the next suggestion, from the first after an update, wrapping around.
    pub fn next(&mut self) {
        let len = self.matches.len();
        self.selected = match self.selected {
            _ if len == 0 => None,
            None => Some(0),
            Some(row) => Some((row + 1) % len),
        };
    }

    /// Selects the previous suggestion, from the last after an update, wrapping around.
    pub fn prev(&mut self) {
        let len = self.matches.len();
        self.selected = match self.selected {
            _ if len == 0 => None,
            None | Some(0) => Some(len - 1),
            Some(row) => Some(row - 1),
        };
    }

    /// The selected suggestion, to put in the field; `None` until one is picked.
    pub fn accept(&self) -> Option<&str> {
        self.selected
            .and_then(|row| self.matches.get(row))
            .map(|&i| self.candidates[i].as_str())
    }

    /// Whether `typed` would name something new: non-empty once trimmed, and not exactly
    /// an existing candidate. The field marks it "new".
    pub fn is_new(&self, typed: &str) -> bool {
        let typed = typed.trim();
        !typed.is_empty()
            && self
                .candidates
                .binary_search_by(|c| c.as_str().cmp(typed))
                .is_err()
    }

    /// The suggestions, best first.
    pub fn suggestions(&self) -> impl ExactSizeIterator<Item = &str> {
        self.matches.iter().map(|&i| self.candidates[i].as_str())
    }

    /// The row of the selected suggestion.
    pub fn selected(&self) -> Option<usize> {
        self.selected
    }

    /// Every candidate, distinct and sorted.
    pub fn candidates(&self) -> &[String] {
        &self.candidates
    }

    /// Whether anything matches what was typed (the dropdown shows).
    pub fn has_matches(&self) -> bool {
        !self.matches.is_empty()
    }
}

/// The suggestions as a dropdown under a field: `impl Widget for &CompletionView`,
/// rendered over the whole area it may use (the frame); it places itself under `field`,
/// or above it when there is no room below. Draws nothing when nothing matches.
pub struct CompletionView<'a> {
    completion: &'a Completion,
    theme: &'a Theme,
    field: Rect,
}

/// The narrowest dropdown, so that short fields still show useful suggestions.
const MIN_WIDTH: u16 = 24;

impl<'a> CompletionView<'a> {
    pub fn new(completion: &'a Completion, theme: &'a Theme, field: Rect) -> Self {
        CompletionView {
            completion,
            theme,
            field,
        }
    }

    /// The dropdown's rect, borders included, inside `bounds`; empty with no suggestions.
    pub fn rect(&self, bounds: Rect) -> Rect {
        let rows = self.completion.matches.len() as u16;
        if rows == 0 {
            return Rect::new(self.field.x, self.field.bottom(), 0, 0);
        }
        let width = self.field.width.max(MIN_WIDTH).min(bounds.width);
        let x = self
            .field
            .x
            .min(bounds.right().saturating_sub(width))
            .max(bounds.x);
        let below = bounds.bottom().saturating_sub(self.field.bottom());
        let above = self.field.y.saturating_sub(bounds.y);
        let wanted = rows + 2;
        let (y, height) = if below >= wanted || below >= above {
            (self.field.bottom(), wanted.min(below))
        } else {
            let height = wanted.min(above);
            (self.field.y - height, height)
        };
        Rect::new(x, y, width, height).intersection(bounds)
    }
}

impl Widget for &CompletionView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let rect = self.rect(area);
        if rect.is_empty() {
            return;
        }
        let theme = self.theme;
        let completion = self.completion;
        Clear.render(rect, buf);
        let block = Block::bordered()
            .border_type(BorderType::Plain)
            .border_style(theme.overlay());
        let inner = block.inner(rect);
        block.render(rect, buf);
        let rows = inner.rows().zip(completion.suggestions().enumerate());
        for (row_area, (row, name)) in rows {
            let selected = completion.selected == Some(row);
            let style = theme.list_row(selected, true);
            buf.set_style(row_area, style);
            let marker = if selected { "▶ " } else { "  " };
            let clean = clean_line(name);
            // Indices count the characters of the name as the plan spells it.
            let highlight = match &clean {
                std::borrow::Cow::Borrowed(_) => completion.highlights[row].as_slice(),
                std::borrow::Cow::Owned(_) => &[],
            };
            let room = usize::from(row_area.width.saturating_sub(2));
            let mut spans = vec![Span::styled(marker, style)];
            spans.extend(fuzzy::highlight(
                &clean,
                highlight,
                style,
                theme.matched(),
                room,
            ));
            Line::from(spans).render(row_area, buf);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn completion() -> Completion {
        Completion::new(
            [
                "users",
                "reminders",
                "GET /user/{id}",
                "users",
                "POST /user/{id}",
            ]
            .map(String::from)
            .to_vec(),
        )
    }

    #[test]
    fn candidates_are_distinct_and_sorted() {
        let c = completion();
        assert_eq!(
            c.candidates(),
            ["GET /user/{id}", "POST /user/{id}", "reminders", "users"]
        );
        assert_eq!(c.suggestions().len(), 4);
        assert_eq!(c.accept(), None);
    }

    #[test]
    fn next_and_prev_wrap_and_an_update_clears_the_pick() {
        let mut c = completion();
        c.update("user");
        let first = c.suggestions().next().map(str::to_string);
        c.next();
        assert_eq!(c.accept().map(str::to_string), first);
        c.prev();
        c.prev();
        assert_eq!(c.selected(), Some(c.suggestions().len() - 2));
        c.update("users");
        assert_eq!(c.accept(), None);
        c.prev();
        assert_eq!(c.selected(), Some(c.suggestions().len() - 1));
        c.update("zzz");
        c.next();
        c.prev();
        assert_eq!(c.accept(), None);
        assert!(!c.has_matches());
    }

    #[test]
    fn is_new_means_not_exactly_an_existing_name() {
        let c = completion();
        assert!(c.is_new("user"));
        assert!(c.is_new("Users"));
        assert!(!c.is_new("users"));
        assert!(!c.is_new("  users "));
        assert!(!c.is_new("   "));
    }

    #[test]
    fn at_most_eight_suggestions() {
        let mut c = Completion::new((0..20).map(|i| format!("table_{i}")).collect());
        c.update("tab");
        assert_eq!(c.suggestions().len(), MAX_SUGGESTIONS);
    }

    #[test]
    fn the_dropdown_goes_below_the_field_or_above_when_there_is_no_room() {
        let c = completion();
        let theme = Theme::plain();
        let bounds = Rect::new(0, 0, 80, 24);
        let below = CompletionView::new(&c, &theme, Rect::new(10, 5, 30, 1));
        assert_eq!(below.rect(bounds), Rect::new(10, 6, 30, 6));
        let above = CompletionView::new(&c, &theme, Rect::new(70, 22, 8, 1));
        assert_eq!(above.rect(bounds), Rect::new(56, 16, 24, 6));
        let mut none = completion();
        none.update("zzz");
        let view = CompletionView::new(&none, &theme, Rect::new(10, 5, 30, 1));
        assert!(view.rect(bounds).is_empty());
    }
}
