//! Plan text made safe for Markdown and for mermaid: cleaned of control characters and
//! escaped wherever it could otherwise open structure (a heading, a list, a link, HTML,
//! a table cell, a code span's end, a diagram statement).

use crate::text::clean_line;

/// Text inside a paragraph, a list item, a heading or a table cell, on one line.
///
/// Every character that CommonMark or GitHub could read as markup is escaped with a
/// backslash, so the text renders as written. Two exceptions keep plan text readable: an
/// underscore between two letters (it cannot open emphasis there, so `amount_cents`
/// stays as it is), and a code span the author wrote (`` `amount` ``) when it holds
/// no `<` or `>`, which is kept as code since nothing inside a code span is markup.
pub fn inline(text: &str) -> String {
    let text = clean_line(text);
    let text = text.trim();
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '`' {
            let run = backticks(&chars, i);
            match code_span_end(&chars, i, run) {
                Some(end) => out.extend(&chars[i..end]),
                None => (0..run).for_each(|_| out.push_str("\\`")),
            }
            i = code_span_end(&chars, i, run).unwrap_or(i + run);
            continue;
        }
        let before = i.checked_sub(1).map(|b| chars[b]);
        let after = chars.get(i + 1).copied();
        let escape = match c {
            '\\' | '*' | '[' | ']' | '<' | '>' | '|' | '~' | '$' => true,
            '_' => {
                !(before.is_some_and(char::is_alphanumeric)
                    && after.is_some_and(char::is_alphanumeric))
            }
            '&' => after.is_some_and(|a| a.is_ascii_alphanumeric() || a == '#'),
            // A heading's closing sequence, or a heading of its own at the start.
            '#' => i == 0 || i + 1 == chars.len(),
            // A list item, a quote, a setext underline or a thematic break at the start.
            '-' | '+' | '=' => i == 0,
            // `1.` or `1)` at the start would begin an ordered list.
            '.' | ')' => chars[..i].iter().all(char::is_ascii_digit) && i > 0,
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
        i += 1;
    }
    out
}

/// How many backticks start at `start`.
fn backticks(chars: &[char], start: usize) -> usize {
    chars[start..].iter().take_while(|&&c| c == '`').count()
}

/// Where the code span opened by `run` backticks at `start` ends (just past its closing
/// run of exactly as many backticks), if it closes and holds nothing that could start HTML.
fn code_span_end(chars: &[char], start: usize, run: usize) -> Option<usize> {
    let mut i = start + run;
    while i < chars.len() {
        if chars[i] == '`' {
            let closing = backticks(chars, i);
            if closing == run {
                let inside = &chars[start + run..i];
                let plain = !inside.iter().any(|c| matches!(c, '<' | '>'));
                let blank = inside.iter().all(|c| *c == ' ');
                return (plain && !blank).then_some(i + run);
            }
            i += closing;
        } else {
            i += 1;
        }
    }
    None
}

/// Text that may hold several lines (a narrative, notes): each line escaped like
/// [`inline`], blank lines kept as paragraph breaks.
pub fn lines(text: &str) -> Vec<String> {
    let cleaned = crate::text::clean(text);
    let mut out: Vec<String> = cleaned.lines().map(inline).collect();
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    let start = out.iter().take_while(|l| l.is_empty()).count();
    out.drain(..start);
    out.dedup_by(|a, b| a.is_empty() && b.is_empty());
    out
}

/// Lines joined as one block that keeps its line breaks: a backslash ends each line
/// inside a paragraph (a hard break in CommonMark); `prefix` starts every line (`"> "`
/// for a quote).
pub fn block(text: &str, prefix: &str) -> String {
    let lines = lines(text);
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        let next_is_text = lines.get(i + 1).is_some_and(|l| !l.is_empty());
        if line.is_empty() {
            out.push_str(prefix.trim_end());
        } else {
            out.push_str(prefix);
            out.push_str(line);
            if next_is_text {
                out.push('\\');
            }
        }
        out.push('\n');
    }
    out
}

/// A code span holding `text` exactly: the fence is longer than any run of backticks
/// inside, and padded when the text starts or ends with a backtick.
pub fn code(text: &str) -> String {
    let text = clean_line(text);
    let text = text.trim();
    if text.is_empty() {
        return "*(empty)*".to_string();
    }
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// A link to a pull request when it is a plain web address; an issue reference such as
/// `#12` or `owner/repo#12` as it is, so GitHub links it; anything else as text.
pub fn pr_link(pr: &str) -> String {
    let pr = clean_line(pr);
    let pr = pr.trim();
    let web = pr.starts_with("https://") || pr.starts_with("http://");
    let plain_url = !pr.chars().any(|c| c.is_whitespace() || "<>\\`".contains(c));
    if web && plain_url {
        return format!("[PR](<{pr}>)");
    }
    let reference = pr.split_once('#').is_some_and(|(repo, number)| {
        let repo_ok = repo.is_empty()
            || (repo.contains('/')
                && repo
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c)));
        repo_ok && !number.is_empty() && number.chars().all(|c| c.is_ascii_digit())
    });
    if reference {
        format!("PR {pr}")
    } else {
        format!("PR {}", inline(pr))
    }
}

/// Text for a mermaid label (a participant's name, a note, a block's title), on one line:
/// characters that end a statement, open a comment or read as HTML become entity codes.
pub fn mermaid(text: &str) -> String {
    let text = clean_line(text);
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.trim().chars() {
        match c {
            '#' => out.push_str("#35;"),
            ';' => out.push_str("#59;"),
            '%' => out.push_str("#37;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '"' => out.push_str("#quot;"),
            '`' => out.push_str("#96;"),
            '&' => out.push_str("#amp;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_escapes_what_would_become_markup() {
        assert_eq!(inline("a | b"), r"a \| b");
        assert_eq!(inline("<script>"), r"\<script\>");
        assert_eq!(inline("*y* [z](u)"), r"\*y\* \[z\](u)");
        assert_eq!(inline("a ` b"), r"a \` b");
        assert_eq!(inline("`<b>` here"), r"\`\<b\>\` here");
        assert_eq!(inline("# not a heading #"), r"\# not a heading \#");
        assert_eq!(inline("- not a list"), r"\- not a list");
        assert_eq!(inline("12. not a list"), r"12\. not a list");
        assert_eq!(inline("&amp; & it"), r"\&amp; & it");
        assert_eq!(inline("costs $5"), r"costs \$5");
    }

    #[test]
    fn inline_keeps_ordinary_text_readable() {
        assert_eq!(
            inline("Add amount_cents and copy 3.5 amounts (C#, done)"),
            "Add amount_cents and copy 3.5 amounts (C#, done)"
        );
        assert_eq!(inline("_emphasis_"), r"\_emphasis\_");
    }

    #[test]
    fn inline_keeps_the_authors_code_spans() {
        assert_eq!(
            inline("the `amount_cents|x` column"),
            "the `amount_cents|x` column"
        );
        assert_eq!(inline("``a`b`` and `c``"), "``a`b`` and \\`c\\`\\`");
    }

    #[test]
    fn inline_drops_control_characters_and_line_breaks() {
        assert_eq!(inline("red \u{1b}[31m\nnext"), r"red \[31m next");
    }

    #[test]
    fn a_block_keeps_its_lines_and_paragraphs() {
        assert_eq!(
            block("one\n# two\n\n\n\nthree\n", "> "),
            "> one\\\n> \\# two\n>\n> three\n"
        );
    }

    #[test]
    fn a_code_span_outlasts_the_backticks_inside() {
        assert_eq!(code("Call(\"x\")"), "`Call(\"x\")`");
        assert_eq!(code("a``b"), "```a``b```");
        assert_eq!(code("`a"), "`` `a ``");
    }

    #[test]
    fn pull_requests_link_only_plain_addresses() {
        assert_eq!(
            pr_link("https://example.com/pr/7"),
            "[PR](<https://example.com/pr/7>)"
        );
        assert_eq!(pr_link("#12"), "PR #12");
        assert_eq!(pr_link("org/repo#12"), "PR org/repo#12");
        assert_eq!(pr_link("javascript:alert(1)"), "PR javascript:alert(1)");
        assert_eq!(pr_link("https://x/<b>"), r"PR https://x/\<b\>");
    }

    #[test]
    fn mermaid_text_cannot_end_a_statement() {
        assert_eq!(
            mermaid("a; b #c <d> \"e\" %%f"),
            "a#59; b #35;c #lt;d#gt; #quot;e#quot; #37;#37;f"
        );
    }
}
