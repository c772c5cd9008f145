//! Making plan text safe to print.
//!
//! Plans come from repositories, so a story, title or key can hold anything — including
//! escape sequences that would recolour, move the cursor or retitle the terminal of whoever
//! runs `storyplan check`, and invisible characters that reorder or shift what is shown
//! (bidi overrides, zero-width characters). Everything that came from a plan goes through
//! [`clean`] (or [`clean_line`] for one-line contexts) before it is printed, on a terminal
//! or in Markdown.

use std::borrow::Cow;

/// Removes control characters — C0 (except newline and tab), DEL and C1 — so that text
/// from a plan cannot drive the terminal, and the invisible formatting characters (bidi
/// embeddings, overrides, isolates and marks, zero-width spaces and joiners, the byte
/// order mark, the soft hyphen), which would reorder or shift the layout unseen. Line and
/// paragraph separators become newlines. Dropping ESC leaves an escape sequence as harmless
/// visible text (`[31m`).
pub fn clean(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| is_dropped(c) || is_separator(c)) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .filter(|&c| !is_dropped(c))
            .map(|c| if is_separator(c) { '\n' } else { c })
            .collect(),
    )
}

/// Like [`clean`], and also turns newlines, tabs and line separators into spaces, for text
/// that must stay on one line (a location, a summary, a workflow-command property).
pub fn clean_line(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| is_dropped(c) || is_line_break(c)) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .filter(|&c| !is_dropped(c))
            .map(|c| if is_line_break(c) { ' ' } else { c })
            .collect(),
    )
}

/// Whether a character never reaches the terminal or the Markdown.
pub fn is_dropped(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || is_invisible(c)
}

/// The invisible formatting characters that change how text is laid out or ordered.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206F}'
        | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}')
}

/// U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR: line breaks by another name.
pub fn is_separator(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}')
}

fn is_line_break(c: char) -> bool {
    c == '\n' || c == '\t' || is_separator(c)
}

/// At most `max` characters of `text`, with "…" where it was cut (names quoted from a
/// file into a one-line message).
pub fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// `text` with its first letter in lower case, to continue a sentence with it.
pub fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `text` with its first letter in upper case, to start a sentence or a label with it.
pub fn upper_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        let text = "POST /user/{id}/reminder — «ünïcødé» ✓";
        assert!(matches!(clean(text), Cow::Borrowed(t) if t == text));
        assert!(matches!(clean_line(text), Cow::Borrowed(t) if t == text));
    }

    #[test]
    fn escape_sequences_lose_their_escape() {
        assert_eq!(clean("red \u{1b}[31mtext\u{1b}[0m"), "red [31mtext[0m");
        assert_eq!(clean("\u{1b}]0;title\u{7}x"), "]0;titlex");
    }

    #[test]
    fn c0_del_and_c1_are_dropped() {
        assert_eq!(
            clean("a\u{0}b\u{8}c\rd\u{7f}e\u{85}f\u{9b}g\u{9f}h"),
            "abcdefgh"
        );
    }

    #[test]
    fn clean_keeps_newlines_and_tabs() {
        assert_eq!(clean("one\n\ttwo"), "one\n\ttwo");
    }

    #[test]
    fn clean_line_turns_newlines_and_tabs_into_spaces() {
        assert_eq!(clean_line("one\r\ntwo\tthree\u{1b}"), "one two three");
    }

    #[test]
    fn bidi_controls_and_zero_width_characters_are_dropped() {
        assert_eq!(clean("abc\u{202E}fed\u{202C}"), "abcfed");
        assert_eq!(clean("a\u{2066}b\u{2069}c\u{200F}"), "abc");
        assert_eq!(
            clean("zero\u{200B}width\u{200D}joiner\u{FEFF}"),
            "zerowidthjoiner"
        );
        assert_eq!(clean("soft\u{AD}hyphen"), "softhyphen");
    }

    #[test]
    fn line_and_paragraph_separators_are_line_breaks() {
        assert_eq!(clean("one\u{2028}two\u{2029}three"), "one\ntwo\nthree");
        assert_eq!(clean_line("one\u{2028}two"), "one two");
    }

    #[test]
    fn characters_next_to_the_control_ranges_are_kept() {
        assert_eq!(clean(" ~\u{a0}é"), " ~\u{a0}é");
    }

    #[test]
    fn cut_marks_where_it_cut_and_counts_characters() {
        assert_eq!(cut("Lambda", 6), "Lambda");
        assert_eq!(cut("Lambdas", 6), "Lambda…");
        assert_eq!(cut("éééé", 2), "éé…");
    }

    #[test]
    fn lower_first_lowers_only_the_first_letter() {
        assert_eq!(lower_first("Expected A"), "expected A");
        assert_eq!(lower_first(""), "");
    }
}
