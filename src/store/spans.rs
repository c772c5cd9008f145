//! Where the parts of a plan start in its source text.
//!
//! ron reports positions only for errors, so a small scanner walks the text once: it
//! skips strings (escaped and raw), chars, line and nested block comments, tracks bracket
//! depth, and notes where each element of the plan's lists begins.

/// A place in the source: 1-based line and column, the column counted in chars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    pub const START: Pos = Pos { line: 1, column: 1 };

    /// The position just after `prefix`, which is the start of a source text.
    pub fn after(prefix: &str) -> Pos {
        let mut pos = Pos::START;
        for c in prefix.chars() {
            pos.advance(c);
        }
        pos
    }

    fn advance(&mut self, c: char) {
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
    }
}

/// Where the plan and each element of its lists start. Indexes are 0-based, as in the
/// plan's vectors; an index the source does not have falls back to the plan's start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spans {
    found_plan: bool,
    plan: Pos,
    version: Option<Pos>,
    components: Vec<Pos>,
    toggles: Vec<Pos>,
    steps: Vec<Pos>,
    accepted: Vec<Pos>,
}

impl Default for Spans {
    fn default() -> Self {
        Spans {
            found_plan: false,
            plan: Pos::START,
            version: None,
            components: Vec::new(),
            toggles: Vec::new(),
            steps: Vec::new(),
            accepted: Vec::new(),
        }
    }
}

impl Spans {
    /// Scans a plan's source text; never fails, and finds what it can in a broken text.
    pub fn scan(text: &str) -> Spans {
        Scanner::new(text).run()
    }

    /// The start of the plan's value: `Plan(` (or its bare `(`).
    pub fn plan(&self) -> Pos {
        self.plan
    }

    /// Whether the source has a plan's opening parenthesis at all.
    pub fn has_plan(&self) -> bool {
        self.found_plan
    }

    /// The start of the value of the plan's `version` field, if the source has one.
    pub fn version(&self) -> Option<Pos> {
        self.version
    }

    pub fn step(&self, index: usize) -> Pos {
        self.steps.get(index).copied().unwrap_or(self.plan)
    }

    pub fn component(&self, index: usize) -> Pos {
        self.components.get(index).copied().unwrap_or(self.plan)
    }

    pub fn toggle(&self, index: usize) -> Pos {
        self.toggles.get(index).copied().unwrap_or(self.plan)
    }

    pub fn accepted(&self, index: usize) -> Pos {
        self.accepted.get(index).copied().unwrap_or(self.plan)
    }

    pub fn step_count(&self) -> usize {
        self.steps.len()
    }

    pub fn component_count(&self) -> usize {
        self.components.len()
    }

    pub fn toggle_count(&self) -> usize {
        self.toggles.len()
    }

    pub fn accepted_count(&self) -> usize {
        self.accepted.len()
    }
}

/// The first significant character at or after `pos` (skipping whitespace and
/// comments) and the text from there on; None when only trivia follows or `pos` is not
/// in the text.
pub(crate) fn next_significant(text: &str, pos: Pos) -> Option<(Pos, &str)> {
    let mut scanner = Scanner::new(text);
    while scanner.pos < pos {
        scanner.bump()?;
    }
    if scanner.skip_trivia() {
        Some((scanner.pos, scanner.rest()))
    } else {
        None
    }
}

/// Where the value closed by the bracket at `close` starts: the name before its opening
/// bracket (`Release(`), or the bracket itself. None when `close` is not a closing bracket.
pub(crate) fn opening_of(text: &str, close: Pos) -> Option<Pos> {
    let mut scanner = Scanner::new(text);
    let mut open: Vec<Pos> = Vec::new();
    let mut name: Option<Pos> = None;
    while let Some((token, start)) = scanner.next_token() {
        if start > close {
            return None;
        }
        match token {
            Token::Open => open.push(name.take().unwrap_or(start)),
            Token::Close if start == close => return open.pop(),
            Token::Close => {
                open.pop();
                name = None;
            }
            Token::Word(_) => name = Some(start),
            _ => name = None,
        }
    }
    None
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum List {
    Components,
    Toggles,
    Steps,
    Accepted,
}

impl List {
    fn of_field(name: &str) -> Option<List> {
        match name {
            "components" => Some(List::Components),
            "toggles" => Some(List::Toggles),
            "steps" => Some(List::Steps),
            "accepted" => Some(List::Accepted),
            _ => None,
        }
    }
}

/// One significant piece of the source, as far as positions are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token<'a> {
    Word(&'a str),
    Open,
    Close,
    Comma,
    Colon,
    Hash,
    /// A string, char, number sign or anything else that is a value or part of one.
    Other,
}

struct Scanner<'a> {
    text: &'a str,
    at: usize,
    pos: Pos,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str) -> Self {
        Scanner {
            text,
            at: 0,
            pos: Pos::START,
        }
    }

    fn rest(&self) -> &'a str {
        self.text.get(self.at..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        // Most of a plan is ASCII: no decoding for it.
        match self.text.as_bytes().get(self.at) {
            Some(&b) if b.is_ascii() => Some(char::from(b)),
            Some(_) => self.rest().chars().next(),
            None => None,
        }
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += c.len_utf8();
        self.pos.advance(c);
        Some(c)
    }

    fn bump_while(&mut self, keep: impl Fn(char) -> bool) {
        while let Some(c) = self.peek() {
            if !keep(c) {
                break;
            }
            self.bump();
        }
    }

    /// Skips whitespace and comments; returns false at the end of the text.
    fn skip_trivia(&mut self) -> bool {
        loop {
            // Indentation and line breaks, a byte at a time without decoding.
            let bytes = self.text.as_bytes();
            while let Some(&b) = bytes.get(self.at) {
                match b {
                    b'\n' => {
                        self.pos.line += 1;
                        self.pos.column = 1;
                    }
                    b' ' | b'\t' | b'\r' => self.pos.column += 1,
                    _ => break,
                }
                self.at += 1;
            }
            let rest = self.rest();
            if rest.starts_with("//") {
                self.bump_while(|c| c != '\n');
            } else if rest.starts_with("/*") {
                self.skip_block_comment();
            } else {
                match self.peek() {
                    Some(c) if c.is_whitespace() => {
                        self.bump();
                    }
                    Some(_) => return true,
                    None => return false,
                }
            }
        }
    }

    fn skip_block_comment(&mut self) {
        let mut depth = 0usize;
        loop {
            let rest = self.rest();
            if rest.starts_with("/*") {
                depth += 1;
                self.bump();
                self.bump();
            } else if rest.starts_with("*/") {
                self.bump();
                self.bump();
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return;
                }
            } else if self.bump().is_none() {
                return;
            }
        }
    }

    /// Skips a quoted string or char after its opening quote, honouring backslashes.
    fn skip_quoted(&mut self, quote: char) {
        let bytes = self.text.as_bytes();
        loop {
            // A run of plain ASCII (no quote, escape or line break) moves the column only.
            let run = bytes[self.at.min(bytes.len())..]
                .iter()
                .take_while(|&&b| {
                    b.is_ascii() && b != b'\\' && b != b'\n' && char::from(b) != quote
                })
                .count();
            self.at += run;
            self.pos.column += run;
            match self.bump() {
                None => return,
                Some('\\') => {
                    self.bump();
                }
                Some(c) if c == quote => return,
                Some(_) => {}
            }
        }
    }

    /// Skips a raw string from its first `#` or `"` (after the `r` or `br`).
    fn skip_raw_string(&mut self) {
        let mut hashes = 0usize;
        while self.peek() == Some('#') {
            self.bump();
            hashes += 1;
        }
        if self.peek() != Some('"') {
            return;
        }
        self.bump();
        while let Some(c) = self.bump() {
            if c == '"' {
                let closing = self.rest().bytes().take(hashes).filter(|&b| b == b'#');
                if closing.count() == hashes {
                    for _ in 0..hashes {
                        self.bump();
                    }
                    return;
                }
            }
        }
    }

    /// The next significant token and where it starts, or None at the end.
    fn next_token(&mut self) -> Option<(Token<'a>, Pos)> {
        if !self.skip_trivia() {
            return None;
        }
        let start = self.pos;
        let from = self.at;
        let c = self.bump()?;
        let token = match c {
            '(' | '[' | '{' => Token::Open,
            ')' | ']' | '}' => Token::Close,
            ',' => Token::Comma,
            ':' => Token::Colon,
            '#' => Token::Hash,
            '"' => {
                self.skip_quoted('"');
                Token::Other
            }
            '\'' => {
                self.skip_quoted('\'');
                Token::Other
            }
            c if is_word_char(c) => {
                self.bump_while(is_word_char);
                let word = self.text.get(from..self.at).unwrap_or("");
                match (word, self.peek()) {
                    ("r", Some('#'))
                        if self
                            .rest()
                            .get(1..)
                            .is_some_and(|r| r.starts_with(is_word_start)) =>
                    {
                        // A raw identifier, `r#name`.
                        self.bump();
                        self.bump_while(is_word_char);
                        Token::Word(self.text.get(from + 2..self.at).unwrap_or(""))
                    }
                    ("r" | "br", Some('#' | '"')) => {
                        self.skip_raw_string();
                        Token::Other
                    }
                    ("b", Some('"')) => {
                        self.bump();
                        self.skip_quoted('"');
                        Token::Other
                    }
                    ("b", Some('\'')) => {
                        self.bump();
                        self.skip_quoted('\'');
                        Token::Other
                    }
                    _ => Token::Word(word),
                }
            }
            _ => Token::Other,
        };
        Some((token, start))
    }

    fn run(mut self) -> Spans {
        let mut spans = Spans::default();
        let mut depth = 0usize;
        // `#![...]` attributes before the value: a `#` marks the next bracket group.
        let mut attribute_pending = false;
        let mut in_attribute = false;
        let mut found_plan = false;
        let mut name_before: Option<Pos> = None;
        // Inside the plan's parentheses (depth 1): the field being read.
        let mut field_word: Option<&str> = None;
        let mut field: Option<&str> = None;
        let mut awaiting_value = false;
        // Inside one of the plan's lists (depth 2).
        let mut list: Option<List> = None;
        let mut awaiting_element = false;

        while let Some((token, start)) = self.next_token() {
            if !found_plan {
                match token {
                    Token::Hash if depth == 0 => attribute_pending = true,
                    Token::Open if depth == 0 && attribute_pending => {
                        in_attribute = true;
                        attribute_pending = false;
                        depth += 1;
                    }
                    Token::Open if depth == 0 && !in_attribute => {
                        spans.plan = name_before.unwrap_or(start);
                        found_plan = true;
                        spans.found_plan = true;
                        depth = 1;
                    }
                    Token::Open => depth += 1,
                    Token::Close => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            in_attribute = false;
                        }
                    }
                    Token::Word(_) if depth == 0 => name_before = Some(start),
                    _ if depth == 0 => name_before = None,
                    _ => {}
                }
                continue;
            }

            if depth == 2 && awaiting_element && list.is_some() {
                if !matches!(token, Token::Close | Token::Comma) {
                    let positions = match list {
                        Some(List::Components) => &mut spans.components,
                        Some(List::Toggles) => &mut spans.toggles,
                        Some(List::Steps) => &mut spans.steps,
                        Some(List::Accepted) => &mut spans.accepted,
                        None => continue,
                    };
                    positions.push(start);
                }
                awaiting_element = false;
            }
            if depth == 1 && awaiting_value && !matches!(token, Token::Comma | Token::Close) {
                if field == Some("version") && spans.version.is_none() {
                    spans.version = Some(start);
                }
                awaiting_value = false;
            }

            match token {
                Token::Open => {
                    if depth == 1 {
                        list = field.and_then(List::of_field);
                        awaiting_element = list.is_some();
                    }
                    depth += 1;
                }
                Token::Close => {
                    depth = depth.saturating_sub(1);
                    match depth {
                        0 => break,
                        1 => list = None,
                        _ => {}
                    }
                }
                Token::Comma => match depth {
                    1 => {
                        field = None;
                        field_word = None;
                        awaiting_value = false;
                    }
                    2 => awaiting_element = list.is_some(),
                    _ => {}
                },
                Token::Colon if depth == 1 => {
                    field = field_word.take();
                    awaiting_value = true;
                }
                Token::Word(word) if depth == 1 && field.is_none() => field_word = Some(word),
                _ => {}
            }
        }
        spans
    }
}

fn is_word_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn is_word_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: usize, column: usize) -> Pos {
        Pos { line, column }
    }

    #[test]
    fn finds_the_plan_after_the_header_and_comments() {
        let text = "// a plan\n#![enable(implicit_some)]\n/* (not [this]) */\n  Plan(version: 1)";
        let spans = Spans::scan(text);
        assert_eq!(spans.plan(), at(4, 3));
        assert_eq!(spans.version(), Some(at(4, 17)));
    }

    #[test]
    fn an_unnamed_plan_starts_at_its_parenthesis() {
        let spans = Spans::scan("\n (version: 1, steps: [ A(), B() ])");
        assert_eq!(spans.plan(), at(2, 2));
        assert_eq!(spans.step(0), at(2, 24));
        assert_eq!(spans.step(1), at(2, 29));
    }

    #[test]
    fn list_elements_start_where_their_first_token_does() {
        let text = "Plan(\n  steps: [\n    Release(id: \"a\"),\n    // skip\n    Flip(id: \"b\"),\n  ],\n  toggles: [Toggle(id: \"t\")],\n)";
        let spans = Spans::scan(text);
        assert_eq!(spans.step_count(), 2);
        assert_eq!(spans.step(0), at(3, 5));
        assert_eq!(spans.step(1), at(5, 5));
        assert_eq!(spans.toggle(0), at(7, 13));
        assert_eq!(spans.component_count(), 0);
    }

    #[test]
    fn brackets_inside_strings_comments_and_raw_strings_do_not_count() {
        let text = concat!(
            "Plan(story: \"a ] \\\" [ (\", notes: r#\"x \"] ) \"# ,\n",
            "components: [ /* ] /* nested ] */ [ */ C(n: 'c'), C(n: r\"[\") ],\n",
            "steps: [S(), ],\n",
            ")",
        );
        let spans = Spans::scan(text);
        assert_eq!(spans.component_count(), 2);
        assert_eq!(spans.component(0), at(2, 40));
        assert_eq!(spans.component(1), at(2, 51));
        assert_eq!(spans.step_count(), 1);
        assert_eq!(spans.step(0), at(3, 9));
    }

    #[test]
    fn columns_count_chars_not_bytes() {
        let spans = Spans::scan("Plan(story: \"ünïcödé\", steps: [X()])");
        assert_eq!(spans.step(0), at(1, 32));
    }

    #[test]
    fn nested_lists_are_not_plan_lists() {
        let text = "Plan(components: [C(current: [A(), B()]), D()], steps: [])";
        let spans = Spans::scan(text);
        assert_eq!(spans.component_count(), 2);
        assert_eq!(spans.component(1), at(1, 43));
        assert_eq!(spans.step_count(), 0);
    }

    #[test]
    fn next_significant_skips_whitespace_and_comments() {
        let text = "a:  // note\n /* x */ 5";
        assert_eq!(next_significant(text, at(1, 3)), Some((at(2, 10), "5")));
        assert_eq!(next_significant(text, at(1, 1)), Some((at(1, 1), text)));
        assert_eq!(next_significant("a  ", at(1, 2)), None);
        assert_eq!(next_significant("a", at(5, 1)), None);
    }

    #[test]
    fn opening_of_finds_the_name_of_what_a_bracket_closes() {
        let text = "Plan(\n  steps: [Release(id: \")\", changes: [A()]),\n  ],\n)";
        assert_eq!(opening_of(text, at(2, 42)), Some(at(2, 11)));
        assert_eq!(opening_of(text, at(3, 3)), Some(at(2, 10)));
        assert_eq!(opening_of(text, at(4, 1)), Some(at(1, 1)));
        assert_eq!(opening_of(text, at(2, 3)), None);
        assert_eq!(opening_of(text, at(9, 9)), None);
    }

    #[test]
    fn missing_indexes_fall_back_to_the_plan() {
        let spans = Spans::scan("  Plan()");
        assert_eq!(spans.step(7), at(1, 3));
        assert_eq!(spans.accepted(0), at(1, 3));
    }

    #[test]
    fn broken_text_does_not_panic() {
        for text in [
            "",
            ")",
            "]]]",
            "r#",
            "r#\"",
            "\"\\",
            "/*",
            "/* /*",
            "Plan(steps: [",
            "b'",
            "#",
            "#![",
            "Plan(steps: [r##\"a\"#",
            "é",
            "r#é",
        ] {
            let _ = Spans::scan(text);
        }
    }
}
