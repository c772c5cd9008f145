//! One fuzzy matcher for every list the board filters as you type: the plan picker, the
//! `/` finder and the completion of keys, components, toggles and steps in forms.
//!
//! The lists are short strings, at most tens of thousands, so they are matched
//! synchronously on each keystroke with one reused [`Matcher`] (it allocates ~135 KB),
//! as STYLE.md's finder notes say; `benches/fuzzy.rs` measures a keystroke at 10,000 keys.

use nucleo::pattern::{CaseMatching, Normalization, Pattern};
use nucleo::{Config, Matcher, Utf32Str};
use ratatui::style::Style;
use ratatui::text::Span;

/// A reusable fuzzy matcher: nucleo's [`Matcher`], the parsed query and scratch space.
pub struct Fuzzy {
    matcher: Matcher,
    /// The query `pattern` was parsed from, so that repeated calls skip the parse.
    query: String,
    pattern: Pattern,
    /// Scratch space for non-ASCII items.
    buf: Vec<char>,
    /// Scratch space for (score, index) while ranking.
    scored: Vec<(u32, usize)>,
}

impl std::fmt::Debug for Fuzzy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fuzzy")
            .field("query", &self.query)
            .finish_non_exhaustive()
    }
}

impl Default for Fuzzy {
    fn default() -> Self {
        Fuzzy::new()
    }
}

impl Fuzzy {
    pub fn new() -> Fuzzy {
        Fuzzy {
            matcher: Matcher::new(Config::DEFAULT),
            query: String::new(),
            pattern: Pattern::default(),
            buf: Vec::new(),
            scored: Vec::new(),
        }
    }

    /// Parses `query` as nucleo's `Pattern::parse` does (words match separately; smart
    /// case and normalisation; `^`, `$`, `!` and `'` have their fzf meanings).
    fn parse(&mut self, query: &str) {
        if self.query != query {
            self.pattern
                .reparse(query, CaseMatching::Smart, Normalization::Smart);
            self.query.clear();
            self.query.push_str(query);
        }
    }

    /// The indices of the items that match `query`, best score first, equal scores in
    /// their original order; an empty (or all-blank) query matches every item, in order.
    pub fn rank<'a>(&mut self, query: &str, items: impl Iterator<Item = &'a str>) -> Vec<usize> {
        self.parse(query);
        if self.pattern.atoms.is_empty() {
            return items.enumerate().map(|(index, _)| index).collect();
        }
        self.scored.clear();
        for (index, item) in items.enumerate() {
            let haystack = Utf32Str::new(item, &mut self.buf);
            if let Some(score) = self.pattern.score(haystack, &mut self.matcher) {
                self.scored.push((score, index));
            }
        }
        self.scored
            .sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        self.scored.iter().map(|&(_, index)| index).collect()
    }

    /// The characters of `item` that `query` matched, ascending and distinct, for
    /// highlighting; they count grapheme clusters, as ratatui's `styled_graphemes` does.
    /// Empty when the query is blank or does not match. Call it for visible rows only.
    pub fn indices(&mut self, query: &str, item: &str) -> Vec<u32> {
        self.parse(query);
        let mut indices = Vec::new();
        if self.pattern.atoms.is_empty() {
            return indices;
        }
        let haystack = Utf32Str::new(item, &mut self.buf);
        // Each word of the query appends its own indices.
        if self
            .pattern
            .indices(haystack, &mut self.matcher, &mut indices)
            .is_none()
        {
            indices.clear();
        }
        indices.sort_unstable();
        indices.dedup();
        indices
    }
}

/// `text` in spans of `style`, the grapheme clusters at `indices` (ascending) patched
/// with `matched`, cut to `max` columns with "…" marking the cut.
pub fn highlight(
    text: &str,
    indices: &[u32],
    style: Style,
    matched: Style,
    max: usize,
) -> Vec<Span<'static>> {
    const ELLIPSIS: &str = "…";
    let text_span = Span::raw(text);
    let cut = text_span.width() > max;
    // Room for the text itself when it is cut: one column goes to the ellipsis.
    let room = if cut { max.saturating_sub(1) } else { max };
    let mut spans = Vec::new();
    let mut run = String::new();
    let mut run_matched = false;
    let mut used = 0;
    for (index, grapheme) in text_span.styled_graphemes(Style::new()).enumerate() {
        let w = Span::raw(grapheme.symbol).width();
        if used + w > room {
            break;
        }
        used += w;
        let is_matched = u32::try_from(index).is_ok_and(|i| indices.binary_search(&i).is_ok());
        if is_matched != run_matched && !run.is_empty() {
            spans.push(run_span(
                std::mem::take(&mut run),
                run_matched,
                style,
                matched,
            ));
        }
        run_matched = is_matched;
        run.push_str(grapheme.symbol);
    }
    if !run.is_empty() {
        spans.push(run_span(run, run_matched, style, matched));
    }
    if cut && max > 0 {
        spans.push(Span::styled(ELLIPSIS, style));
    }
    spans
}

fn run_span(text: String, is_matched: bool, style: Style, matched: Style) -> Span<'static> {
    if is_matched {
        Span::styled(text, style.patch(matched))
    } else {
        Span::styled(text, style)
    }
}

/// The indices of `indices` that fall in the `len` grapheme clusters from `start`,
/// made relative to `start`: for highlighting one part of a label on its own.
pub fn shift(indices: &[u32], start: u32, len: u32) -> Vec<u32> {
    indices
        .iter()
        .filter(|&&i| i >= start && i - start < len)
        .map(|&i| i - start)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: [&str; 5] = [
        "GET /user/{id}",
        "POST /user/{id}/reminder",
        "GET /user/{id}/reminder",
        "reminders",
        "users",
    ];

    fn ranked(fuzzy: &mut Fuzzy, query: &str) -> Vec<&'static str> {
        fuzzy
            .rank(query, KEYS.iter().copied())
            .into_iter()
            .map(|i| KEYS[i])
            .collect()
    }

    #[test]
    fn an_empty_query_matches_everything_in_order() {
        let mut fuzzy = Fuzzy::new();
        assert_eq!(ranked(&mut fuzzy, ""), KEYS);
        assert_eq!(ranked(&mut fuzzy, "   "), KEYS);
        assert_eq!(fuzzy.indices("", "users"), Vec::<u32>::new());
    }

    #[test]
    fn the_best_match_comes_first_and_misses_are_left_out() {
        let mut fuzzy = Fuzzy::new();
        let rows = ranked(&mut fuzzy, "remi");
        assert_eq!(rows[0], "reminders");
        assert!(!rows.contains(&"users"));
        // Smart case: an upper-case word matches case-sensitively.
        assert_eq!(ranked(&mut fuzzy, "POST rem"), ["POST /user/{id}/reminder"]);
        assert_eq!(ranked(&mut fuzzy, "zzz"), Vec::<&str>::new());
    }

    #[test]
    fn equal_scores_keep_the_original_order() {
        let mut fuzzy = Fuzzy::new();
        let items = ["b-x", "a-x", "c-x"];
        assert_eq!(fuzzy.rank("x", items.iter().copied()), [0, 1, 2]);
    }

    #[test]
    fn indices_are_sorted_distinct_and_count_characters() {
        let mut fuzzy = Fuzzy::new();
        // Two words matching the same characters are highlighted once.
        assert_eq!(fuzzy.indices("rem re", "reminders"), [0, 1, 2]);
        let item = "é—rem";
        let indices = fuzzy.indices("rem", item);
        assert_eq!(indices, [2, 3, 4]);
        assert_eq!(fuzzy.indices("zzz", item), Vec::<u32>::new());
    }

    #[test]
    fn highlight_styles_matched_characters_and_cuts_with_an_ellipsis() {
        let bold = Style::new().bold();
        let spans = highlight("é—x", &[0, 2], Style::new(), bold, 10);
        let texts: Vec<&str> = spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(texts, ["é", "—", "x"]);
        assert_eq!(spans[0].style, bold);
        assert_eq!(spans[1].style, Style::new());
        let spans = highlight("reminders", &[0, 1, 7], Style::new(), bold, 5);
        let texts: Vec<&str> = spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(texts, ["re", "mi", "…"]);
        assert!(highlight("reminders", &[], Style::new(), bold, 0).is_empty());
        // Wide characters are not split.
        let spans = highlight("提醒事项", &[], Style::new(), bold, 5);
        let text: String = spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(text, "提醒…");
    }

    #[test]
    fn shift_keeps_one_part_of_a_label() {
        assert_eq!(shift(&[0, 2, 5, 6, 9], 5, 4), [0, 1]);
        assert_eq!(shift(&[0, 2], 0, 2), [0]);
    }
}
