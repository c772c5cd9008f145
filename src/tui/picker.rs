//! The plan picker: what `storyplan` shows when `.storyplan/` holds several plans — a fuzzy
//! list of the plan files with their stories; Enter opens one.
//!
//! The list is short (a repository's plans), so it is matched synchronously on every
//! keystroke by the board's one [`Fuzzy`] matcher, as STYLE.md's finder notes say.

use std::borrow::Cow;
use std::io;
use std::path::{Path, PathBuf};

use ratatui::backend::Backend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Padding, Widget};
use ratatui::{DefaultTerminal, Terminal};

use crate::store::{self, LoadError, Loaded};
use crate::text::clean_line;
use crate::tui::fuzzy::{self, Fuzzy};
use crate::tui::keymap::{Action, Binding, Keymap, Mode, action_in, hints_in};
use crate::tui::theme::Theme;

/// One plan file in the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub path: PathBuf,
    /// What the list shows and the query matches: "file name — story title". Free of
    /// control characters.
    pub label: String,
}

impl Entry {
    /// An entry with `label` cleaned of control characters (labels come from plan files).
    pub fn new(path: PathBuf, label: &str) -> Entry {
        Entry {
            path,
            label: clean_line(label).into_owned(),
        }
    }

    /// "reminders.ron — Remind volunteers…", or "broken.ron — (does not load: 3:14: …)".
    pub fn from_load(path: PathBuf, loaded: &Result<Loaded, LoadError>) -> Entry {
        let name = file_name(&path);
        let label = match loaded {
            Ok(loaded) => format!("{name} — {}", loaded.plan.story),
            Err(err) => match err.position() {
                Some(pos) => format!(
                    "{name} — (does not load: {}:{}: {})",
                    pos.line, pos.column, err.message
                ),
                None => format!("{name} — (does not load: {})", err.message),
            },
        };
        Entry::new(path, &label)
    }

    /// Loads the plan at `path` for its story.
    pub fn load(path: PathBuf) -> Entry {
        let loaded = store::load(&path);
        Entry::from_load(path, &loaded)
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .unwrap_or(path.as_os_str())
        .to_string_lossy()
        .into_owned()
}

/// How the picker ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Open(PathBuf),
    Cancel,
}

/// The picker's state: the entries, the query, and the entries that match it, best first.
#[derive(Debug)]
pub struct Picker {
    entries: Vec<Entry>,
    query: String,
    /// Indices into `entries`, best match first.
    matches: Vec<usize>,
    /// A row of `matches`.
    selected: usize,
    fuzzy: Fuzzy,
    /// The picker's key bindings.
    keys: Vec<Binding>,
}

impl Picker {
    /// The picker over `entries`, in their order until a query ranks them; labels are
    /// cleaned of control characters however the entries were made.
    pub fn new(mut entries: Vec<Entry>) -> Picker {
        for entry in &mut entries {
            if let Cow::Owned(clean) = clean_line(&entry.label) {
                entry.label = clean;
            }
        }
        let mut picker = Picker {
            entries,
            query: String::new(),
            matches: Vec::new(),
            selected: 0,
            fuzzy: Fuzzy::new(),
            keys: Keymap::default().bindings(Mode::Picker).to_vec(),
        };
        picker.rank();
        picker
    }

    /// Takes the picker's keys from `keymap` instead of the defaults.
    pub fn with_keymap(mut self, keymap: &Keymap) -> Self {
        self.keys = keymap.bindings(Mode::Picker).to_vec();
        self
    }

    pub fn query(&self) -> &str {
        &self.query
    }

    pub fn set_query(&mut self, query: &str) {
        self.query.clear();
        self.query.extend(query.chars().filter(|c| !c.is_control()));
        self.rank();
    }

    pub fn push(&mut self, c: char) {
        if !c.is_control() {
            self.query.push(c);
            self.rank();
        }
    }

    pub fn pop(&mut self) {
        if self.query.pop().is_some() {
            self.rank();
        }
    }

    /// Re-ranks every entry against the query; the best match becomes the selection.
    fn rank(&mut self) {
        let labels = self.entries.iter().map(|entry| entry.label.as_str());
        self.matches = self.fuzzy.rank(&self.query, labels);
        self.selected = 0;
    }

    pub fn up(&mut self) {
        self.selected = self.selected.saturating_sub(1);
    }

    pub fn down(&mut self) {
        if self.selected + 1 < self.matches.len() {
            self.selected += 1;
        }
    }

    /// The row of the selection among the matches; `None` when nothing matches.
    pub fn selected(&self) -> Option<usize> {
        (self.selected < self.matches.len()).then_some(self.selected)
    }

    pub fn selected_entry(&self) -> Option<&Entry> {
        self.row(self.selected)
    }

    /// The matching entries, best first.
    pub fn rows(&self) -> impl ExactSizeIterator<Item = &Entry> {
        self.matches.iter().map(|&index| &self.entries[index])
    }

    pub fn row(&self, row: usize) -> Option<&Entry> {
        self.matches.get(row).map(|&index| &self.entries[index])
    }

    pub fn total(&self) -> usize {
        self.entries.len()
    }

    /// The characters (grapheme clusters, as nucleo counts them) of row `row`'s label that
    /// the query matched, ascending, for highlighting; empty for no query or no such row.
    pub fn indices(&mut self, row: usize) -> Vec<u32> {
        match self.matches.get(row) {
            Some(&index) => self.fuzzy.indices(&self.query, &self.entries[index].label),
            None => Vec::new(),
        }
    }

    /// What a key does; `Some` when the picker is done.
    pub fn handle_key(&mut self, key: &KeyEvent) -> Option<Outcome> {
        if !key.is_press() {
            return None;
        }
        match action_in(&self.keys, key) {
            Some(Action::Close) => return Some(Outcome::Cancel),
            Some(Action::Jump) => {
                return self
                    .selected_entry()
                    .map(|entry| Outcome::Open(entry.path.clone()));
            }
            Some(Action::Up) => self.up(),
            Some(Action::Down) => self.down(),
            Some(Action::ClearQuery) => self.set_query(""),
            _ => match key.code {
                KeyCode::Backspace => self.pop(),
                KeyCode::Char(c) if (key.modifiers - KeyModifiers::SHIFT).is_empty() => {
                    self.push(c)
                }
                _ => {}
            },
        }
        None
    }

    /// What to draw in `area`: computes the highlights of the rows that will show.
    pub fn view<'a>(&'a mut self, area: Rect, theme: &'a Theme) -> PickerView<'a> {
        let areas = Areas::of(area, self.total());
        let offset = scroll_offset(self.selected, areas.list.height);
        let visible = (offset..self.matches.len()).take(usize::from(areas.list.height));
        let highlights = visible.map(|row| self.indices(row)).collect();
        PickerView {
            picker: self,
            theme,
            offset,
            highlights,
        }
    }
}

/// The first row shown, so that the selection is on screen.
fn scroll_offset(selected: usize, height: u16) -> usize {
    let height = usize::from(height.max(1));
    (selected + 1).saturating_sub(height)
}

/// Where the parts of the picker go.
struct Areas {
    frame: Rect,
    query: Rect,
    list: Rect,
    footer: Rect,
}

impl Areas {
    /// A box centred in `area`, tall enough for every entry when it fits.
    fn of(area: Rect, entries: usize) -> Areas {
        let rows = u16::try_from(entries.max(1)).unwrap_or(u16::MAX);
        let height = rows.saturating_add(4);
        let frame = area.centered(Constraint::Max(100), Constraint::Max(height));
        let inner = frame_block().inner(frame);
        let [query, list, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(inner);
        Areas {
            frame,
            query,
            list,
            footer,
        }
    }
}

fn frame_block() -> Block<'static> {
    Block::bordered().padding(Padding::horizontal(1))
}

/// The picker as drawn: `impl Widget for &PickerView`.
pub struct PickerView<'a> {
    picker: &'a Picker,
    theme: &'a Theme,
    offset: usize,
    /// Matched characters of the rows from `offset` on.
    highlights: Vec<Vec<u32>>,
}

impl PickerView<'_> {
    /// Where the terminal cursor goes: after the query.
    pub fn cursor(&self, area: Rect) -> Position {
        let (query_area, _, shown) = self.query_line(Areas::of(area, self.picker.total()).query);
        let typed = u16::try_from(Line::from(shown).width()).unwrap_or(u16::MAX);
        let x = query_area.x.saturating_add(2).saturating_add(typed);
        Position::new(x.min(query_area.right().saturating_sub(1)), query_area.y)
    }

    /// The query's part of its row, the count's part, and the end of the query that fits.
    fn query_line(&self, row: Rect) -> (Rect, Rect, &str) {
        let count = count_text(self.picker);
        let [query_area, count_area] = Layout::horizontal([
            Constraint::Fill(1),
            Constraint::Length(u16::try_from(count.len() + 1).unwrap_or(u16::MAX)),
        ])
        .areas(row);
        let shown = tail(self.picker.query(), query_area.width.saturating_sub(3));
        (query_area, count_area, shown)
    }
}

/// How many plans match, of how many: "2/3".
fn count_text(picker: &Picker) -> String {
    format!("{}/{}", picker.matches.len(), picker.total())
}

impl Widget for &PickerView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let theme = self.theme;
        let picker = self.picker;
        let areas = Areas::of(area, picker.total());
        Clear.render(areas.frame, buf);
        frame_block()
            .border_type(theme.pane_border_type(true))
            .border_style(theme.pane_border(true))
            .title(Line::styled(" Open a plan ", theme.pane_title(true)))
            .render(areas.frame, buf);

        // The query, its tail when it is longer than the line, and how many match.
        let (query_area, count_area, shown) = self.query_line(areas.query);
        Line::from(vec![Span::styled("> ", theme.key()), Span::raw(shown)])
            .style(theme.input())
            .render(query_area, buf);
        Line::styled(count_text(picker), theme.muted())
            .right_aligned()
            .render(count_area, buf);

        if picker.matches.is_empty() {
            Line::styled("  no plan matches", theme.muted()).render(areas.list, buf);
        }
        let rows = areas.list.rows().zip(self.offset..picker.matches.len());
        for ((line_area, row), highlight) in rows.zip(&self.highlights) {
            let selected = picker.selected == row;
            let style = theme.list_row(selected, true);
            buf.set_style(line_area, style);
            let marker = if selected { "▶ " } else { "  " };
            let label = picker.row(row).map_or("", |entry| entry.label.as_str());
            let mut spans = vec![Span::raw(marker)];
            spans.extend(highlighted(label, highlight, theme.matched()));
            Line::from(spans).style(style).render(line_area, buf);
        }

        let mut spans: Vec<Span> = Vec::new();
        for (key, what) in hints_in(&picker.keys) {
            spans.push(Span::styled(key, theme.key()));
            spans.push(Span::styled(format!(" {what} · "), theme.muted()));
        }
        spans.push(Span::styled("type to filter", theme.muted()));
        Line::from(spans).render(areas.footer, buf);
    }
}

/// `label` in spans, the characters at `indices` (grapheme clusters, ascending) in
/// `matched`.
fn highlighted(label: &str, indices: &[u32], matched: Style) -> Vec<Span<'static>> {
    // The row's own width cuts the label; the list is as wide as the screen allows.
    fuzzy::highlight(label, indices, Style::new(), matched, usize::MAX)
}

/// The end of `text` that fits in `width` columns.
fn tail(text: &str, width: u16) -> &str {
    let width = usize::from(width);
    let mut start = 0;
    while Line::from(&text[start..]).width() > width {
        start += text[start..].chars().next().map_or(1, char::len_utf8);
    }
    &text[start..]
}

/// Shows the picker until the user opens a plan (its path) or cancels (`None`).
/// Draws the picker over the whole frame, the cursor after its query.
fn draw(frame: &mut ratatui::Frame, picker: &mut Picker, theme: &Theme) {
    let area = frame.area();
    let view = picker.view(area, theme);
    frame.set_cursor_position(view.cursor(area));
    frame.render_widget(&view, area);
}

pub fn pick(
    terminal: &mut DefaultTerminal,
    entries: Vec<Entry>,
    theme: &Theme,
    keymap: &Keymap,
) -> io::Result<Option<PathBuf>> {
    let picker = Picker::new(entries).with_keymap(keymap);
    run(terminal, picker, theme, event::read)
}

fn run<B>(
    terminal: &mut Terminal<B>,
    mut picker: Picker,
    theme: &Theme,
    mut next_event: impl FnMut() -> io::Result<Event>,
) -> io::Result<Option<PathBuf>>
where
    B: Backend,
    B::Error: Send + Sync + 'static,
{
    loop {
        terminal
            .draw(|frame| draw(frame, &mut picker, theme))
            .map_err(io::Error::other)?;
        loop {
            match next_event()? {
                Event::Key(key) if key.is_press() => match picker.handle_key(&key) {
                    Some(Outcome::Open(path)) => return Ok(Some(path)),
                    Some(Outcome::Cancel) => return Ok(None),
                    None => break,
                },
                Event::Resize(..) => break,
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::backend::TestBackend;
    use ratatui::style::Modifier;

    fn entries() -> Vec<Entry> {
        vec![
            Entry::new(
                PathBuf::from(".storyplan/avatars.ron"),
                "avatars.ron — Let people upload an avatar",
            ),
            Entry::new(
                PathBuf::from(".storyplan/rename-column.ron"),
                "rename-column.ron — Rename users.name to users.full_name",
            ),
            Entry::new(
                PathBuf::from(".storyplan/reminders.ron"),
                "reminders.ron — Remind volunteers of their shifts",
            ),
        ]
    }

    fn labels(picker: &Picker) -> Vec<&str> {
        picker.rows().map(|entry| entry.label.as_str()).collect()
    }

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    #[test]
    fn the_best_match_comes_first() {
        let mut picker = Picker::new(entries());
        picker.set_query("rem");
        let rows = labels(&picker);
        assert_eq!(rows[0], "reminders.ron — Remind volunteers of their shifts");
        assert!(!rows.contains(&"avatars.ron — Let people upload an avatar"));
        assert_eq!(
            picker.selected_entry().map(|e| e.path.as_path()),
            Some(Path::new(".storyplan/reminders.ron"))
        );
        // Three characters of the label, spelling the query.
        let label: Vec<char> = picker.row(0).unwrap().label.chars().collect();
        let matched: String = picker
            .indices(0)
            .iter()
            .map(|&i| label[i as usize].to_ascii_lowercase())
            .collect();
        assert_eq!(matched, "rem");
    }

    #[test]
    fn an_empty_query_keeps_the_order() {
        let mut picker = Picker::new(entries());
        let all: Vec<String> = entries().into_iter().map(|e| e.label).collect();
        assert_eq!(labels(&picker), all);
        picker.set_query("rem");
        picker.set_query("");
        assert_eq!(labels(&picker), all);
        assert_eq!(picker.indices(0), Vec::<u32>::new());
    }

    #[test]
    fn typing_and_erasing_re_rank() {
        let mut picker = Picker::new(entries());
        for c in "ava".chars() {
            picker.push(c);
        }
        assert_eq!(picker.query(), "ava");
        assert_eq!(
            labels(&picker)[0],
            "avatars.ron — Let people upload an avatar"
        );
        picker.pop();
        picker.pop();
        picker.pop();
        picker.pop();
        assert_eq!(picker.query(), "");
        assert_eq!(labels(&picker).len(), 3);
    }

    #[test]
    fn up_and_down_stay_in_the_list() {
        let mut picker = Picker::new(entries());
        picker.up();
        assert_eq!(picker.selected(), Some(0));
        picker.down();
        picker.down();
        picker.down();
        picker.down();
        assert_eq!(picker.selected(), Some(2));
        assert_eq!(
            picker.selected_entry().map(|e| e.path.as_path()),
            Some(Path::new(".storyplan/reminders.ron"))
        );
        picker.up();
        assert_eq!(picker.selected(), Some(1));
    }

    #[test]
    fn a_query_matching_nothing_selects_nothing() {
        let mut picker = Picker::new(entries());
        picker.set_query("zzzz");
        assert_eq!(picker.rows().len(), 0);
        assert_eq!(picker.selected(), None);
        assert_eq!(picker.selected_entry(), None);
        picker.down();
        picker.up();
        assert_eq!(picker.selected(), None);
        assert_eq!(picker.handle_key(&press(KeyCode::Enter)), None);
        assert_eq!(picker.indices(0), Vec::<u32>::new());
    }

    #[test]
    fn no_entries_select_nothing() {
        let mut picker = Picker::new(Vec::new());
        picker.down();
        assert_eq!(picker.selected_entry(), None);
    }

    #[test]
    fn control_characters_are_removed_from_labels() {
        let entry = Entry::new(
            PathBuf::from("x.ron"),
            "x.ron — \u{1b}]0;pwned\u{7}Story\u{1b}[2J\nnext",
        );
        assert_eq!(entry.label, "x.ron — ]0;pwnedStory[2J next");
        // Entries made field by field are cleaned by the picker.
        let raw = Entry {
            path: PathBuf::from("y.ron"),
            label: "y.ron — \u{1b}[31mred\u{9b}".to_string(),
        };
        let mut picker = Picker::new(vec![entry, raw]);
        assert_eq!(picker.row(1).unwrap().label, "y.ron — [31mred");
        picker.set_query("\u{1b}story");
        assert_eq!(picker.query(), "story");
        assert_eq!(picker.rows().len(), 1);
    }

    #[test]
    fn entries_say_the_story_or_why_the_plan_does_not_load() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.ron");
        std::fs::write(
            &good,
            "Plan(version: 1, story: \"Ship \u{1b}[31mit\", components: [])",
        )
        .unwrap();
        let bad = dir.path().join("bad.ron");
        std::fs::write(&bad, "Plan(version: 1,\n  story \"x\")").unwrap();
        assert_eq!(Entry::load(good.clone()).label, "good.ron — Ship [31mit");
        let broken = Entry::load(bad.clone());
        assert!(
            broken.label.starts_with("bad.ron — (does not load: 2:"),
            "{}",
            broken.label
        );
        assert_eq!(broken.path, bad);
        let missing = Entry::load(dir.path().join("gone.ron"));
        assert_eq!(
            missing.label,
            "gone.ron — (does not load: the file does not exist)"
        );
    }

    #[test]
    fn keys_filter_select_open_and_cancel() {
        let mut picker = Picker::new(entries());
        let typed = KeyEvent::new(KeyCode::Char('R'), KeyModifiers::SHIFT);
        assert_eq!(picker.handle_key(&typed), None);
        assert_eq!(picker.query(), "R");
        assert_eq!(picker.handle_key(&press(KeyCode::Backspace)), None);
        assert_eq!(picker.query(), "");
        assert_eq!(picker.handle_key(&ctrl('n')), None);
        assert_eq!(picker.handle_key(&press(KeyCode::Down)), None);
        assert_eq!(picker.handle_key(&ctrl('p')), None);
        assert_eq!(picker.selected(), Some(1));
        // Alt-x is not typing.
        let alt = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::ALT);
        assert_eq!(picker.handle_key(&alt), None);
        assert_eq!(picker.query(), "");
        let mut release = press(KeyCode::Esc);
        release.kind = event::KeyEventKind::Release;
        assert_eq!(picker.handle_key(&release), None);
        assert_eq!(
            picker.handle_key(&press(KeyCode::Enter)),
            Some(Outcome::Open(PathBuf::from(".storyplan/rename-column.ron")))
        );
        assert_eq!(
            picker.handle_key(&press(KeyCode::Esc)),
            Some(Outcome::Cancel)
        );
        assert_eq!(picker.handle_key(&ctrl('c')), Some(Outcome::Cancel));
    }

    fn draw(picker: &mut Picker, theme: &Theme) -> Terminal<TestBackend> {
        draw_at(picker, theme, 80, 20)
    }

    fn draw_at(
        picker: &mut Picker,
        theme: &Theme,
        width: u16,
        height: u16,
    ) -> Terminal<TestBackend> {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal
            .draw(|frame| super::draw(frame, picker, theme))
            .unwrap();
        terminal
    }

    #[test]
    fn snapshot_with_a_query() {
        let mut picker = Picker::new(entries());
        picker.set_query("rem");
        let terminal = draw(&mut picker, &Theme::default());
        insta::assert_snapshot!(terminal.backend());
    }

    #[test]
    fn matched_characters_and_the_selection_are_styled() {
        let theme = Theme::plain();
        let mut picker = Picker::new(entries());
        picker.set_query("rem");
        let mut terminal = draw(&mut picker, &theme);
        let buffer = terminal.backend().buffer().clone();
        // Find the selected row by its marker.
        let (x, y) = (0..20u16)
            .flat_map(|y| (0..80u16).map(move |x| (x, y)))
            .find(|&(x, y)| buffer[(x, y)].symbol() == "▶")
            .expect("a selected row");
        assert_eq!(buffer[(x, y)].modifier, Modifier::REVERSED);
        let bold: String = (x..x + 70)
            .map(|x| &buffer[(x, y)])
            .filter(|cell| cell.modifier.contains(Modifier::BOLD))
            .map(|cell| cell.symbol().to_ascii_lowercase())
            .collect();
        assert_eq!(bold, "rem");
        assert!(
            (x..x + 70).all(|x| buffer[(x, y)].modifier.contains(Modifier::REVERSED)),
            "the whole row is selected"
        );
        // The cursor sits after "> rem".
        let cursor = terminal.get_cursor_position().unwrap();
        assert_eq!(buffer[(cursor.x - 1, cursor.y)].symbol(), "m");
    }

    #[test]
    fn a_long_list_scrolls_to_the_selection() {
        let many: Vec<Entry> = (0..40)
            .map(|i| {
                Entry::new(
                    PathBuf::from(format!("{i}.ron")),
                    &format!("plan-{i:02}.ron"),
                )
            })
            .collect();
        let mut picker = Picker::new(many);
        for _ in 0..30 {
            picker.down();
        }
        let terminal = draw(&mut picker, &Theme::plain());
        let screen = terminal.backend().to_string();
        assert!(screen.contains("▶ plan-30.ron"), "{screen}");
        assert!(!screen.contains("plan-00.ron"), "{screen}");
    }

    #[test]
    fn tiny_terminals_do_not_panic() {
        for (w, h) in [(1, 1), (5, 3), (20, 4), (0, 0)] {
            let mut picker = Picker::new(entries());
            picker.set_query("a very long query that does not fit");
            draw_at(&mut picker, &Theme::default(), w, h);
        }
    }

    #[test]
    fn a_long_query_shows_its_end_with_the_cursor_after_it() {
        let mut picker = Picker::new(entries());
        picker.set_query(&format!("{}xyz", "q".repeat(100)));
        let mut terminal = draw(&mut picker, &Theme::plain());
        let cursor = terminal.get_cursor_position().unwrap();
        let buffer = terminal.backend().buffer();
        let before: String = (cursor.x - 3..cursor.x)
            .map(|x| buffer[(x, cursor.y)].symbol())
            .collect();
        assert_eq!(before, "xyz");
        assert!(terminal.backend().to_string().contains("0/3"));
    }

    #[test]
    fn non_ascii_labels_highlight_whole_characters() {
        let spans = highlighted("é—x", &[0, 2], Style::new().bold());
        let texts: Vec<&str> = spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(texts, vec!["é", "—", "x"]);
        assert_eq!(spans[0].style, Style::new().bold());
        assert_eq!(spans[1].style, Style::new());
        assert_eq!(tail("abcdé", 3), "cdé");
    }

    #[test]
    fn the_loop_opens_the_typed_choice_or_cancels() {
        let keys = |keys: Vec<KeyEvent>| {
            let mut events = keys.into_iter().map(Event::Key);
            move || {
                events
                    .next()
                    .ok_or_else(|| io::Error::other("no more events"))
            }
        };
        let mut terminal = Terminal::new(TestBackend::new(80, 20)).unwrap();
        let typed = vec![
            press(KeyCode::Char('r')),
            press(KeyCode::Char('e')),
            press(KeyCode::Char('m')),
            press(KeyCode::Enter),
        ];
        let opened = run(
            &mut terminal,
            Picker::new(entries()),
            &Theme::default(),
            keys(typed),
        );
        assert_eq!(
            opened.unwrap(),
            Some(PathBuf::from(".storyplan/reminders.ron"))
        );
        let cancelled = run(
            &mut terminal,
            Picker::new(entries()),
            &Theme::default(),
            keys(vec![press(KeyCode::Down), press(KeyCode::Esc)]),
        );
        assert_eq!(cancelled.unwrap(), None);
    }
}
