//! The `/` finder: one fuzzy list over the plan's steps, components, keys and findings;
//! Enter jumps to the selected one (SPEC §6).
//!
//! Pure state (`Finder::handle` turns a key into an outcome) and a view that only reads
//! it: the highlights of the rows that can show are computed when the state changes, so
//! drawing never needs the matcher.

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{Event, KeyEvent, KeyEventKind};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Padding, Widget};
use tui_input::backend::crossterm::to_input_request;
use tui_input::{Input, InputRequest};

use crate::check::words::{StepLabel, severity_symbol};
use crate::check::{Finding, Report};
use crate::plan::{Change, Fact, Plan};
use crate::text::clean_line;
use crate::tui::complete::{Pool, candidates};
use crate::tui::fuzzy::{self, Fuzzy};
use crate::tui::keymap::{Action, Binding, Keymap, Mode, action_in, hints_in};
use crate::tui::theme::Theme;

/// Where Enter on a row takes the board.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// Index into `plan.steps`.
    Step(usize),
    /// Index into `plan.components`.
    Component(usize),
    /// A key as the plan spells it; see [`first_mention`] for where it leads.
    Key(String),
    /// Index into `report.findings`.
    Finding(usize),
    /// An action of the board, run as its key would run it (the command palette).
    Action(Action),
}

/// What a row is; its name starts the row's label, so "key" or "finding" in the query
/// narrows the list to one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemKind {
    Step,
    Component,
    Key,
    Finding,
    Action,
}

impl ItemKind {
    pub fn name(self) -> &'static str {
        match self {
            ItemKind::Step => "step",
            ItemKind::Component => "component",
            ItemKind::Key => "key",
            ItemKind::Finding => "finding",
            ItemKind::Action => "action",
        }
    }
}

/// One row of the finder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub target: Target,
    /// What the row shows and the query matches, e.g. "step 4 enable — Turn reminders on";
    /// it starts with the kind's name and a space. Free of control characters.
    pub label: String,
    pub kind: ItemKind,
}

impl Item {
    fn new(kind: ItemKind, target: Target, rest: &str) -> Item {
        Item {
            target,
            label: clean_line(&format!("{} {rest}", kind.name())).into_owned(),
            kind,
        }
    }

    /// The label without its kind: what goes after the kind column.
    pub fn text(&self) -> &str {
        self.label
            .get(self.kind.name().len() + 1..)
            .unwrap_or_default()
    }
}

/// How the finder ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FinderOutcome {
    Jump(Target),
    Cancel,
}

/// How many rows the list shows at most; highlights are kept for this many rows around
/// the selection.
pub const LIST_ROWS: usize = 16;

/// The finder's state: the query, every item, and the items that match, best first.
#[derive(Debug)]
pub struct Finder {
    query: Input,
    items: Vec<Item>,
    /// Indices into `items`, best match first.
    matches: Vec<usize>,
    /// A row of `matches`.
    selected: usize,
    fuzzy: Fuzzy,
    /// The first row of the window of `LIST_ROWS` rows that holds the selection.
    offset: usize,
    /// Matched characters of the rows from `offset` on, at most `LIST_ROWS` of them.
    highlights: Vec<Vec<u32>>,
    /// The finder's key bindings.
    keys: Vec<Binding>,
    /// Its title: "Find", or "Run" for the command palette.
    title: &'static str,
}

impl Finder {
    /// The finder over `plan` and its `report`: steps, components, keys, findings, in that
    /// order until a query ranks them.
    pub fn new(plan: &Plan, report: &Report) -> Finder {
        let mut items = Vec::new();
        for (i, step) in plan.steps.iter().enumerate() {
            let rest = format!("{} {} — {}", i + 1, step.id(), step.title());
            items.push(Item::new(ItemKind::Step, Target::Step(i), &rest));
        }
        for (i, component) in plan.components.iter().enumerate() {
            let rest = format!(
                "{} — {} ({})",
                component.id,
                component.name,
                component.kind.name()
            );
            items.push(Item::new(ItemKind::Component, Target::Component(i), &rest));
        }
        for key in candidates(plan, Pool::Keys) {
            let item = Item::new(ItemKind::Key, Target::Key(String::new()), &key);
            items.push(Item {
                target: Target::Key(key),
                ..item
            });
        }
        for (i, finding) in report.findings.iter().enumerate() {
            items.push(Item::new(
                ItemKind::Finding,
                Target::Finding(i),
                &finding_text(finding),
            ));
        }
        Finder::with_items(items)
    }

    /// The finder over `items` as given (labels cleaned here too).
    pub fn with_items(mut items: Vec<Item>) -> Finder {
        for item in &mut items {
            if let std::borrow::Cow::Owned(clean) = clean_line(&item.label) {
                item.label = clean;
            }
        }
        let mut finder = Finder {
            query: Input::default(),
            items,
            matches: Vec::new(),
            selected: 0,
            fuzzy: Fuzzy::new(),
            offset: 0,
            highlights: Vec::new(),
            keys: Keymap::default().bindings(Mode::Finder).to_vec(),
            title: "Find",
        };
        finder.rank();
        finder
    }

    /// The command palette: every action of the board, by what the keymap says it does,
    /// with its keys; Enter runs the selected one.
    pub fn palette(keymap: &Keymap) -> Finder {
        let items = keymap
            .bindings(Mode::Board)
            .iter()
            .filter(|b| b.action != Action::Palette)
            .map(|b| {
                // Its short word first ("export", "undo"), so that typing it ranks it first.
                let keys: Vec<String> = b.chords.iter().map(|c| c.shown()).collect();
                let mut rest = if b.short.is_empty() || b.desc.starts_with(b.short) {
                    b.desc.to_string()
                } else {
                    format!("{} — {}", b.short, b.desc)
                };
                if !keys.is_empty() {
                    rest.push_str(&format!(" ({})", keys.join(", ")));
                }
                Item::new(ItemKind::Action, Target::Action(b.action), &rest)
            })
            .collect();
        Finder {
            title: "Run",
            ..Finder::with_items(items).with_keymap(keymap)
        }
    }

    pub fn title(&self) -> &'static str {
        self.title
    }

    pub fn query(&self) -> &str {
        self.query.value()
    }

    /// The query field, for drawing it.
    pub fn input(&self) -> &Input {
        &self.query
    }

    /// Replaces the query (control characters dropped), cursor at its end.
    pub fn set_query(&mut self, query: &str) {
        self.query = Input::new(query.chars().filter(|c| !c.is_control()).collect());
        self.rank();
    }

    /// Takes the finder's keys from `keymap` instead of the defaults.
    pub fn with_keymap(mut self, keymap: &Keymap) -> Self {
        self.keys = keymap.bindings(Mode::Finder).to_vec();
        self
    }

    /// What a key does; `Some` when the finder is done. The finder's bindings select
    /// (↑/↓, Ctrl-p/Ctrl-n, PgUp/PgDn by default), jump to the selection (Enter; nothing
    /// when nothing matches) or cancel (Esc, Ctrl-c); any other key edits the query with
    /// tui-input's keys (←/→, Home/End, Ctrl-w, Ctrl-u…).
    pub fn handle(&mut self, key: &KeyEvent) -> Option<FinderOutcome> {
        if key.kind == KeyEventKind::Release {
            return None;
        }
        match action_in(&self.keys, key) {
            Some(Action::Close) => return Some(FinderOutcome::Cancel),
            Some(Action::Jump) => return self.selected_target().cloned().map(FinderOutcome::Jump),
            Some(Action::Up) => self.select_by(-1),
            Some(Action::Down) => self.select_by(1),
            Some(Action::PageUp) => self.select_by(-(LIST_ROWS as isize)),
            Some(Action::PageDown) => self.select_by(LIST_ROWS as isize),
            _ => match to_input_request(&Event::Key(*key)) {
                Some(InputRequest::InsertChar(c)) if c.is_control() => {}
                // The query changed (not only its cursor): rank again.
                Some(request) if self.query.handle(request).is_some_and(|s| s.value) => self.rank(),
                _ => {}
            },
        }
        None
    }

    /// Re-ranks every item against the query; the best match becomes the selection.
    fn rank(&mut self) {
        let labels = self.items.iter().map(|item| item.label.as_str());
        self.matches = self.fuzzy.rank(self.query.value(), labels);
        self.selected = 0;
        self.offset = 0;
        self.highlight();
    }

    /// Moves the selection by `delta` rows, staying in the list.
    pub fn select_by(&mut self, delta: isize) {
        let last = self.matches.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
        let offset = if self.selected < self.offset {
            self.selected
        } else {
            self.offset
                .max((self.selected + 1).saturating_sub(LIST_ROWS))
        };
        if offset != self.offset {
            self.offset = offset;
            self.highlight();
        }
    }

    /// Computes the matched characters of the rows that can show.
    fn highlight(&mut self) {
        let rows = self.matches.iter().skip(self.offset).take(LIST_ROWS);
        self.highlights = rows
            .map(|&i| self.fuzzy.indices(self.query.value(), &self.items[i].label))
            .collect();
    }

    /// The row of the selection among the matches; `None` when nothing matches.
    pub fn selected(&self) -> Option<usize> {
        (self.selected < self.matches.len()).then_some(self.selected)
    }

    pub fn selected_item(&self) -> Option<&Item> {
        self.row(self.selected)
    }

    /// Where Enter would go.
    pub fn selected_target(&self) -> Option<&Target> {
        self.selected_item().map(|item| &item.target)
    }

    /// The matching items, best first.
    pub fn rows(&self) -> impl ExactSizeIterator<Item = &Item> {
        self.matches.iter().map(|&i| &self.items[i])
    }

    pub fn row(&self, row: usize) -> Option<&Item> {
        self.matches.get(row).map(|&i| &self.items[i])
    }

    /// Every item, matching or not, in their first order.
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    pub fn total(&self) -> usize {
        self.items.len()
    }

    /// The matched characters of row `row`'s label, if it is near enough the selection
    /// to show; empty otherwise.
    pub fn indices(&self, row: usize) -> &[u32] {
        row.checked_sub(self.offset)
            .and_then(|n| self.highlights.get(n))
            .map_or(&[], Vec::as_slice)
    }
}

/// "✗ broken-consumer step 3 — Api writes …": icon, rule, where, message.
fn finding_text(finding: &Finding) -> String {
    let icon = severity_symbol(finding.severity);
    let place = match finding.step {
        Some(step) => StepLabel::number(step).to_string(),
        None => "plan".to_string(),
    };
    format!("{icon} {} {place} — {}", finding.rule.id(), finding.message)
}

/// Where a jump to `key` goes: the first step whose changes name it (a fact's key or
/// `Serving` interface, or a backfill's store), else the first component whose current
/// or target facts name it; `None` when nothing does.
pub fn first_mention(plan: &Plan, key: &str) -> Option<Target> {
    let names = |fact: &Fact| fact.key == key || fact.serving.as_deref() == Some(key);
    let step = plan.steps.iter().position(|step| {
        step.changes().iter().any(|change| match change {
            Change::Add(fact) | Change::Remove(fact) => names(fact),
            Change::Backfill { into, from } => into == key || from == key,
            Change::Ungate(_) => false,
        })
    });
    if let Some(step) = step {
        return Some(Target::Step(step));
    }
    plan.components
        .iter()
        .position(|c| c.current.iter().chain(c.target.iter().flatten()).any(names))
        .map(Target::Component)
}

/// The widest the finder gets, and the width of its kind column.
const MAX_WIDTH: u16 = 96;
const KIND_WIDTH: usize = 10;

/// Where the parts of the finder go.
struct Areas {
    frame: Rect,
    /// The "> " before the query.
    prompt: Rect,
    query: Rect,
    count: Rect,
    list: Rect,
    footer: Rect,
}

impl Areas {
    fn of(area: Rect, count: &str) -> Areas {
        let height = u16::try_from(LIST_ROWS + 4).unwrap_or(u16::MAX);
        let width = MAX_WIDTH.min(area.width.saturating_sub(4));
        let frame = area.centered(Constraint::Length(width), Constraint::Length(height));
        let inner = frame_block().inner(frame);
        let [line, list, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(inner);
        let count_width = u16::try_from(Line::raw(count).width() + 1).unwrap_or(u16::MAX);
        let [prompt, query, count] = Layout::horizontal([
            Constraint::Length(2),
            Constraint::Fill(1),
            Constraint::Length(count_width),
        ])
        .areas(line);
        Areas {
            frame,
            prompt,
            query,
            count,
            list,
            footer,
        }
    }
}

fn frame_block() -> Block<'static> {
    Block::bordered()
        .border_type(BorderType::Double)
        .padding(Padding::horizontal(1))
}

/// The finder as drawn, centred over the board: `impl Widget for &FinderView`.
pub struct FinderView<'a> {
    finder: &'a Finder,
    theme: &'a Theme,
}

impl<'a> FinderView<'a> {
    pub fn new(finder: &'a Finder, theme: &'a Theme) -> Self {
        FinderView { finder, theme }
    }

    /// "3/42": how many items match, of how many.
    fn count(&self) -> String {
        format!("{}/{}", self.finder.matches.len(), self.finder.total())
    }

    /// How far the query is scrolled to keep the cursor in its field.
    fn scroll(&self, field: Rect) -> usize {
        // One column more than the field, so the cursor can sit after the last character.
        self.finder
            .query
            .visual_scroll(usize::from(field.width.saturating_sub(1)))
    }

    /// Where the terminal's cursor goes (`frame.set_cursor_position`): at the query's
    /// cursor, for a draw into `area`.
    pub fn cursor(&self, area: Rect) -> Position {
        let field = Areas::of(area, &self.count()).query;
        let at = self
            .finder
            .query
            .visual_cursor()
            .saturating_sub(self.scroll(field));
        let at = u16::try_from(at).unwrap_or(u16::MAX);
        Position::new(
            field
                .x
                .saturating_add(at.min(field.width.saturating_sub(1))),
            field.y,
        )
    }

    /// The first row shown in a list `height` rows high: within the finder's window and
    /// with the selection on screen.
    fn offset(&self, height: usize) -> usize {
        let finder = self.finder;
        finder
            .offset
            .max((finder.selected + 1).saturating_sub(height.max(1)))
    }
}

impl Widget for &FinderView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let theme = self.theme;
        let finder = self.finder;
        let count = self.count();
        let areas = Areas::of(area, &count);
        Clear.render(areas.frame, buf);
        frame_block()
            .border_style(theme.overlay())
            .title(Line::styled(
                format!(" {} ", finder.title()),
                theme.overlay(),
            ))
            .render(areas.frame, buf);

        Span::styled("> ", theme.key()).render(areas.prompt, buf);
        buf.set_style(areas.query, theme.input());
        let scroll = self.scroll(areas.query);
        let shown: String = finder.query().chars().skip(scroll).collect();
        Line::styled(shown, theme.input()).render(areas.query, buf);
        Line::styled(count, theme.muted())
            .right_aligned()
            .render(areas.count, buf);

        if finder.matches.is_empty() {
            Line::styled("  nothing matches", theme.muted()).render(areas.list, buf);
        }
        let height = usize::from(areas.list.height);
        let offset = self.offset(height);
        for (row_area, row) in areas.list.rows().zip(offset..finder.matches.len()) {
            let item = &finder.items[finder.matches[row]];
            let selected = row == finder.selected;
            let style = theme.list_row(selected, true);
            buf.set_style(row_area, style);
            let indices = finder.indices(row);
            let kind_len = item.kind.name().len() as u32 + 1;
            let marker = if selected { "▶ " } else { "  " };
            let mut spans = vec![Span::styled(marker, style)];
            let kind = fuzzy::highlight(
                item.kind.name(),
                &fuzzy::shift(indices, 0, kind_len),
                style.patch(theme.muted()),
                theme.matched(),
                KIND_WIDTH,
            );
            let kind_width: usize = kind.iter().map(Span::width).sum();
            spans.extend(kind);
            spans.push(Span::styled(" ".repeat(KIND_WIDTH - kind_width), style));
            let room = usize::from(row_area.width).saturating_sub(2 + KIND_WIDTH);
            spans.extend(fuzzy::highlight(
                item.text(),
                &fuzzy::shift(indices, kind_len, u32::MAX - kind_len),
                style,
                theme.matched(),
                room,
            ));
            Line::from(spans).render(row_area, buf);
        }

        let mut spans: Vec<Span> = Vec::new();
        for (key, what) in hints_in(&self.finder.keys) {
            spans.push(Span::styled(key, theme.key()));
            spans.push(Span::styled(format!(" {what} · "), theme.muted()));
        }
        spans.push(Span::styled("type to filter", theme.muted()));
        Line::from(spans).render(areas.footer, buf);
    }
}
