//! Fitting plan text into cells: widths are terminal columns (Unicode width, through
//! ratatui's `Span::width`), and a cut is always marked with an ellipsis.

use std::borrow::Cow;

use ratatui::style::Style;
use ratatui::text::{Line, Span};

pub const ELLIPSIS: &str = "…";

/// How many terminal columns `text` takes.
pub fn width(text: &str) -> usize {
    Span::raw(text).width()
}

fn char_width(c: char) -> usize {
    let mut buf = [0; 4];
    width(c.encode_utf8(&mut buf))
}

/// `text` in at most `max` columns, its end replaced by "…" when it does not fit.
pub fn cut(text: &str, max: usize) -> Cow<'_, str> {
    if width(text) <= max {
        return Cow::Borrowed(text);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = char_width(c);
        if used + w > max - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push_str(ELLIPSIS);
    Cow::Owned(out)
}

/// Like [`cut`], but keeps the end: for file paths, whose name is at the end.
/// `text` in at most `max` columns, cut in the middle: what it starts and ends with both
/// stay, so `Provide("GET /things/{id} v1")` and `… v2` still differ once cut.
pub fn cut_middle(text: &str, max: usize) -> Cow<'_, str> {
    if width(text) <= max {
        return Cow::Borrowed(text);
    }
    if max < 3 {
        return cut(text, max);
    }
    let tail = (max - 1) / 2;
    let head = max - 1 - tail;
    let start = cut(text, head + 1);
    let start = start.trim_end_matches(ELLIPSIS);
    let end = cut_left(text, tail + 1);
    let end = end.trim_start_matches(ELLIPSIS);
    Cow::Owned(format!("{start}{ELLIPSIS}{end}"))
}

pub fn cut_left(text: &str, max: usize) -> Cow<'_, str> {
    if width(text) <= max {
        return Cow::Borrowed(text);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let mut kept = Vec::new();
    let mut used = 0;
    for c in text.chars().rev() {
        let w = char_width(c);
        if used + w > max - 1 {
            break;
        }
        kept.push(c);
        used += w;
    }
    let mut out = String::from(ELLIPSIS);
    out.extend(kept.into_iter().rev());
    Cow::Owned(out)
}

/// A styled line in at most `max` columns, its end replaced by "…" (in the style of the
/// span it cuts) when it does not fit.
pub fn cut_line(line: &Line<'_>, max: usize) -> Line<'static> {
    let owned = |span: &Span<'_>| Span::styled(span.content.to_string(), span.style);
    if line.width() <= max {
        return Line::from(line.spans.iter().map(owned).collect::<Vec<_>>()).style(line.style);
    }
    let mut spans = Vec::new();
    let mut used = 0;
    for span in &line.spans {
        let w = span.width();
        if used + w < max {
            spans.push(owned(span));
            used += w;
            continue;
        }
        let mut text = String::new();
        for c in span.content.chars() {
            let cw = char_width(c);
            if used + cw > max.saturating_sub(1) {
                break;
            }
            text.push(c);
            used += cw;
        }
        if max > 0 {
            text.push_str(ELLIPSIS);
        }
        spans.push(Span::styled(text, span.style));
        break;
    }
    Line::from(spans).style(line.style)
}

/// `text` cut to `cols` columns and padded with spaces to exactly `cols`.
pub fn pad(text: &str, cols: usize) -> String {
    let cut = cut(text, cols);
    let fill = cols.saturating_sub(width(&cut));
    format!("{cut}{}", " ".repeat(fill))
}

/// Splits `text` into lines of at most `cols` columns at spaces (a word longer than a
/// line is cut), for text whose line count must be known before it is drawn.
pub fn wrap(text: &str, cols: usize) -> Vec<String> {
    let cols = cols.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let word = cut(word, cols);
        let needed = if line.is_empty() {
            width(&word)
        } else {
            width(&line) + 1 + width(&word)
        };
        if needed > cols && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Wraps a styled line at spaces into lines of at most `cols` columns. The first line
/// keeps the line's leading spaces; the lines after it start with `hang` spaces, so a
/// wrapped item stays indented under itself. A word longer than a line is cut.
pub fn wrap_line(line: &Line<'_>, cols: usize, hang: usize) -> Vec<Line<'static>> {
    // Words, each with the spaces before it, made of pieces that may differ in style.
    let mut words: Vec<(usize, Vec<(String, Style)>)> = Vec::new();
    let mut spaces = 0;
    let mut glued = false;
    for span in &line.spans {
        for (k, part) in span.content.split(' ').enumerate() {
            if k > 0 {
                spaces += 1;
                glued = false;
            }
            if part.is_empty() {
                continue;
            }
            match words.last_mut() {
                Some((_, pieces)) if glued => pieces.push((part.to_string(), span.style)),
                _ => words.push((spaces, vec![(part.to_string(), span.style)])),
            }
            spaces = 0;
            glued = true;
        }
    }
    let hang = hang.min(cols.saturating_sub(1));
    let mut lines = Vec::new();
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    let mut fresh = true;
    for (spaces, pieces) in words {
        let word_w: usize = pieces.iter().map(|(t, _)| width(t)).sum();
        let mut gap = spaces;
        if !fresh && used + gap + word_w > cols {
            lines.push(Line::from(std::mem::take(&mut spans)).style(line.style));
            spans.push(Span::raw(" ".repeat(hang)));
            used = hang;
            gap = 0;
        }
        gap = gap.min(cols.saturating_sub(used + 1));
        if gap > 0 {
            spans.push(Span::raw(" ".repeat(gap)));
            used += gap;
        }
        for (text, style) in pieces {
            let room = cols.saturating_sub(used);
            if room == 0 {
                break;
            }
            let shown = cut(&text, room);
            let was_cut = matches!(shown, Cow::Owned(_));
            used += width(&shown);
            spans.push(Span::styled(shown.into_owned(), style));
            if was_cut {
                break;
            }
        }
        fresh = false;
    }
    if !spans.is_empty() || lines.is_empty() {
        lines.push(Line::from(spans).style(line.style));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Severity;
    use crate::check::words::severity_badge;

    #[test]
    fn cuts_mark_the_cut_with_an_ellipsis() {
        assert_eq!(cut("reminders", 20), "reminders");
        assert_eq!(cut("reminders", 9), "reminders");
        assert_eq!(cut("reminders", 5), "remi…");
        assert_eq!(cut("reminders", 1), "…");
        assert_eq!(cut("reminders", 0), "");
        assert_eq!(cut_left("a/b/reminders.ron", 10), "…nders.ron");
    }

    #[test]
    fn a_cut_in_the_middle_keeps_both_ends_apart() {
        let v1 = r#"Provide("GET /animals/{id}/expenses v1")"#;
        let v2 = r#"Provide("GET /animals/{id}/expenses v2")"#;
        let (a, b) = (cut_middle(v1, 20), cut_middle(v2, 20));
        assert_ne!(a, b);
        assert_eq!(width(&a), 20);
        assert_eq!(a, r#"Provide("G…nses v1")"#);
        assert_eq!(cut_middle("short", 20), "short");
        assert_eq!(cut_middle("reminders", 2), "r…");
    }

    #[test]
    fn a_cut_line_ends_in_an_ellipsis_in_the_cut_span_style() {
        let bold = Style::new().bold();
        let line = Line::from(vec![
            Span::raw("current "),
            Span::styled("Provide(\"users\")", bold),
        ]);
        assert_eq!(
            cut_line(&line, 40).to_string(),
            "current Provide(\"users\")"
        );
        let cut = cut_line(&line, 12);
        assert_eq!(cut.to_string(), "current Pro…");
        assert_eq!(cut.spans[1].style, bold);
        assert_eq!(cut_line(&line, 8).to_string(), "current…");
        assert_eq!(cut_line(&line, 1).to_string(), "…");
        assert_eq!(cut_line(&line, 0).to_string(), "");
        assert_eq!(cut_line(&Line::raw("提醒事项"), 5).to_string(), "提醒…");
    }

    #[test]
    fn wide_characters_count_two_columns() {
        assert_eq!(width("提醒"), 4);
        assert_eq!(cut("提醒事项", 5), "提醒…");
        assert_eq!(pad("提醒事项", 6), "提醒… ");
        assert_eq!(width(&pad("提醒事项", 6)), 6);
    }

    #[test]
    fn wrap_breaks_at_spaces() {
        assert_eq!(
            wrap("drag a step with the mouse", 10),
            ["drag a", "step with", "the mouse"]
        );
        assert_eq!(wrap("", 10), [""]);
    }

    fn text(lines: &[Line]) -> Vec<String> {
        lines.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn wrapped_lines_hang_under_their_first_line() {
        let badge = severity_badge(Severity::Error);
        let line = Line::from(vec![
            Span::raw("  "),
            Span::styled(badge, Style::new().bold()),
            Span::raw(" [broken-consumer] api writes \"reminders\""),
        ]);
        assert_eq!(
            text(&wrap_line(&line, 21, 4)),
            [
                format!("  {badge}"),
                "    [broken-consumer]".to_string(),
                "    api writes".to_string(),
                "    \"reminders\"".to_string(),
            ]
        );
        let long = Line::raw("+ Serving(\"POST /user/{id}/reminder\", Write(\"reminders\"))");
        assert_eq!(
            text(&wrap_line(&long, 24, 2)),
            [
                "+ Serving(\"POST",
                "  /user/{id}/reminder\",",
                "  Write(\"reminders\"))",
            ]
        );
        assert_eq!(text(&wrap_line(&Line::raw("abcdefghij"), 5, 2)), ["abcd…"]);
        assert_eq!(text(&wrap_line(&Line::raw(""), 5, 2)), [""]);
    }
}
