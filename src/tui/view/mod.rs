//! Drawing the board. Every pane is a widget over `&Model` (`impl Widget for &XView`);
//! `draw` composes them and records where the rows landed, for the mouse to hit-test.
//! Nothing here changes the model, and all text that came from the plan passes through
//! `crate::text::clean`/`clean_line` before it reaches the screen.

mod components;
mod details;
mod draft;
mod findings;
mod fit;
mod fix;
mod form;
mod header;
mod import;
mod lists;
mod overlay;
mod status;
mod steps;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

use super::finder::FinderView;
use super::keymap::Mode;
use super::model::{Model, Overlay, Pane, Prompt};
use super::theme::Theme;

pub use components::ComponentsView;
pub use details::DetailsView;
pub use draft::DraftView;
pub use findings::FindingsView;
pub use form::FormView;
pub use header::HeaderView;
pub use lists::{ListView, TemplatesView};
pub use overlay::{AskView, HelpView, ReaderView, SaveAsView};
pub use status::StatusView;
pub use steps::StepsView;

/// Where the last draw put things, for hit-testing the mouse against.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LayoutCache {
    /// The rect of each pane as drawn, borders included.
    pub panes: Vec<(Pane, Rect)>,
    /// (step index, row rect) of each visible step row, top to bottom.
    pub step_rows: Vec<(usize, Rect)>,
    /// (finding index, row rect) of each visible finding.
    pub finding_rows: Vec<(usize, Rect)>,
    /// (component index, rect) of each visible component: its summary line and the
    /// +/− lines under it.
    pub component_rows: Vec<(usize, Rect)>,
    /// How far the help overlay can scroll, while it is open.
    pub help_max_scroll: Option<u16>,
    /// How many lines the reader shows, while it is open: a page.
    pub page_rows: Option<u16>,
    /// How far Details can scroll, when it is drawn.
    pub details_max_scroll: Option<u16>,
    /// Whether the board was drawn: below the minimum size only a notice is.
    pub board: bool,
}

/// The smallest terminal the board is drawn on: the compact layout.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;
/// From this size on, the board shows every pane at once.
pub const FULL_WIDTH: u16 = 100;
pub const FULL_HEIGHT: u16 = 30;

/// Renders the whole board and returns the rects it used. Never mutates the model.
pub fn draw(frame: &mut Frame, model: &Model) -> LayoutCache {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let asking = matches!(model.overlay, Some(Overlay::Ask(_)));
        frame.render_widget(TooSmall { area, asking }, area);
        return LayoutCache::default();
    }
    if area.width < FULL_WIDTH || area.height < FULL_HEIGHT {
        return draw_compact(frame, model);
    }
    let bottom_height = if area.height <= 40 {
        9
    } else {
        area.height * 28 / 100
    };
    let [header, main, bottom, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(bottom_height),
        Constraint::Length(1),
    ])
    .areas(area);
    let steps = StepsView::new(model);
    let [steps_area, details_area] = Layout::horizontal([
        Constraint::Length(steps.wanted_width(area.width)),
        Constraint::Fill(1),
    ])
    .areas(main);
    let [findings_area, components_area] =
        Layout::horizontal([Constraint::Percentage(58), Constraint::Fill(1)]).areas(bottom);

    let findings = FindingsView::new(model);
    let components = ComponentsView::new(model);
    frame.render_widget(&HeaderView::new(model), header);
    frame.render_widget(&steps, steps_area);
    let details = DetailsView::new(model);
    frame.render_widget(&details, details_area);
    frame.render_widget(&findings, findings_area);
    frame.render_widget(&components, components_area);
    frame.render_widget(&StatusView::new(model), status);

    let mut cache = LayoutCache {
        panes: vec![
            (Pane::Steps, steps_area),
            (Pane::Details, details_area),
            (Pane::Findings, findings_area),
            (Pane::Components, components_area),
        ],
        details_max_scroll: Some(details.max_scroll(details_area)),
        step_rows: steps.rows(steps_area),
        finding_rows: findings.rows(findings_area),
        component_rows: components.rows(components_area),
        board: true,
        ..LayoutCache::default()
    };
    draw_overlays(frame, model, &mut cache);
    cache
}

/// Draws the open overlay over the board, and records how far the help can scroll and how
/// many lines the reader shows.
fn draw_overlays(frame: &mut Frame, model: &Model, cache: &mut LayoutCache) {
    cache.help_max_scroll = model
        .overlay
        .as_ref()
        .and_then(|overlay| draw_overlay(frame, model, overlay, true));
    cache.page_rows = match &model.overlay {
        Some(Overlay::Reader { .. }) => Some(ReaderView::rows(frame.area())),
        _ => None,
    };
}

/// The board at laptop size (80×24, as lazygit and k9s use): the focused pane takes the
/// whole width (Tab goes to the next one), and under the steps the selected step's
/// details, as far as they fit.
fn draw_compact(frame: &mut Frame, model: &Model) -> LayoutCache {
    let area = frame.area();
    let [header, main, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    frame.render_widget(&HeaderView::new(model), header);
    frame.render_widget(&StatusView::new(model), status);
    let mut cache = LayoutCache {
        board: true,
        ..LayoutCache::default()
    };
    match model.pane {
        Pane::Details => {
            let details = DetailsView::new(model);
            frame.render_widget(&details, main);
            cache.panes.push((Pane::Details, main));
            cache.details_max_scroll = Some(details.max_scroll(main));
        }
        Pane::Steps => {
            // The steps as many rows as they need (half the height at least, so that
            // dragging has room), the details the rest (five rows at least).
            let wanted = model.plan.steps.len() as u16 + 3;
            let steps_height = wanted
                .max(main.height / 2)
                .min(main.height.saturating_sub(5));
            let [steps_area, details_area] =
                Layout::vertical([Constraint::Length(steps_height), Constraint::Fill(1)])
                    .areas(main);
            let steps = StepsView::new(model);
            frame.render_widget(&steps, steps_area);
            let details = DetailsView::new(model);
            frame.render_widget(&details, details_area);
            cache.details_max_scroll = Some(details.max_scroll(details_area));
            cache.panes.push((Pane::Steps, steps_area));
            cache.panes.push((Pane::Details, details_area));
            cache.step_rows = steps.rows(steps_area);
        }
        Pane::Findings => {
            let findings = FindingsView::new(model);
            frame.render_widget(&findings, main);
            cache.panes.push((Pane::Findings, main));
            cache.finding_rows = findings.rows(main);
        }
        Pane::Components => {
            let components = ComponentsView::new(model);
            frame.render_widget(&components, main);
            cache.panes.push((Pane::Components, main));
            cache.component_rows = components.rows(main);
        }
    }
    draw_overlays(frame, model, &mut cache);
    cache
}

/// Draws an overlay over the board; a form first draws what it returns to (the list it
/// edits an item of). Only the overlay on `top` places the cursor. Returns how far the
/// help can scroll, when it is the help.
fn draw_overlay(frame: &mut Frame, model: &Model, overlay: &Overlay, top: bool) -> Option<u16> {
    let area = frame.area();
    let theme = &model.theme;
    let mut cursor = None;
    let mut help_max_scroll = None;
    match overlay {
        Overlay::Help {
            scroll,
            filter,
            typing,
        } => {
            let help = HelpView::new(model, *scroll).filtered(filter.value(), *typing);
            help_max_scroll = Some(help.max_scroll(area));
            frame.render_widget(&help, area);
        }
        Overlay::Ask(question) => {
            frame.render_widget(&AskView::new(theme, &model.keymap, *question), area);
        }
        Overlay::SaveAs { input, .. } => {
            let (title, question) = ("Save as", "Save the plan to the file:");
            let view = SaveAsView::asking(theme, &model.keymap, input, title, question, "save");
            frame.render_widget(&view, area);
            cursor = Some(view.cursor(area));
        }
        Overlay::Form {
            form,
            completion,
            back,
        } => {
            let view = FormView::new(theme, &model.keymap, form, completion.as_deref());
            if let Some(back) = back {
                draw_overlay(frame, model, back, false);
                frame.render_widget(Clear, view.rect(area, 2));
            }
            frame.render_widget(&view, area);
            cursor = view.cursor(area);
        }
        Overlay::List { list, selected } => {
            frame.render_widget(&ListView::new(model, *list, *selected), area);
        }
        Overlay::Finder(finder) => {
            let view = FinderView::new(finder, theme);
            frame.render_widget(&view, area);
            cursor = Some(view.cursor(area));
        }
        Overlay::Templates { selected } => {
            frame.render_widget(&TemplatesView::new(model, *selected), area);
        }
        Overlay::Draft {
            draft,
            would_be,
            scroll,
        } => {
            frame.render_widget(&DraftView::new(model, draft, *would_be, *scroll), area);
        }
        Overlay::Fix {
            fixed,
            choice,
            scroll,
        } => {
            frame.render_widget(&fix::FixView::new(model, fixed, *choice, *scroll), area);
        }
        Overlay::Import {
            comparison,
            warnings,
            would_be,
            scroll,
        } => {
            let view = import::ImportView::new(model, comparison, warnings, *would_be, *scroll);
            frame.render_widget(&view, area);
        }
        Overlay::Prompt { input, purpose } => {
            let (title, question, action) = match purpose {
                Prompt::CompareWith => (
                    "Compare",
                    "Compare the plan with its file at the git ref:",
                    "compare",
                ),
                Prompt::ExportTo(_) => ("Write export", "Write the export to the file:", "write"),
            };
            let view = SaveAsView::asking(theme, &model.keymap, input, title, question, action);
            frame.render_widget(&view, area);
            cursor = Some(view.cursor(area));
        }
        Overlay::Reader {
            title,
            text,
            scroll,
            export,
        } => {
            let mode = if export.is_some() {
                Mode::Export
            } else {
                Mode::Reader
            };
            let keys = model.keymap.footer(mode);
            frame.render_widget(&ReaderView::new(theme, title, text, *scroll, &keys), area);
        }
    }
    if top && let Some(cursor) = cursor {
        frame.set_cursor_position(cursor);
    }
    help_max_scroll
}

/// The bordered block of a pane; the focused one has its own border and a marked title.
fn pane_block<'a>(theme: &Theme, title: String, focused: bool) -> Block<'a> {
    let marker = if focused { "▸" } else { " " };
    Block::bordered()
        .border_type(theme.pane_border_type(focused))
        .border_style(theme.pane_border(focused))
        .title(Line::from(Span::styled(
            format!("{marker} {title} "),
            theme.pane_title(focused),
        )))
}

/// Draws a pane's block and returns the area inside it.
fn pane(buf: &mut Buffer, area: Rect, theme: &Theme, title: String, focused: bool) -> Rect {
    let block = pane_block(theme, title, focused);
    let inner = block.inner(area);
    block.render(area, buf);
    inner
}

/// What an empty pane says, on its first row.
fn empty_note(buf: &mut Buffer, inner: Rect, text: &str, style: Style) {
    put(
        buf,
        (inner.x + 2, inner.width.saturating_sub(2)),
        inner.y,
        text,
        style,
    );
}

/// The first row to show of `total` rows in `height` rows so that row `focus` is
/// visible: kept in the middle when the list is longer than the area.
fn scroll_offset(total: usize, height: usize, focus: usize) -> usize {
    if total <= height || height == 0 {
        return 0;
    }
    focus.saturating_sub(height / 2).min(total - height)
}

/// One row of `area`, `offset` rows down.
fn row(area: Rect, offset: usize) -> Rect {
    Rect {
        x: area.x,
        y: area.y + offset as u16,
        width: area.width,
        height: 1,
    }
}

/// Writes `text` into the column `(x, w)` of row `y`, cut with an ellipsis to fit.
fn put(buf: &mut Buffer, (x, w): (u16, u16), y: u16, text: &str, style: Style) {
    if w == 0 {
        return;
    }
    let text = fit::cut(text, w as usize);
    buf.set_stringn(x, y, text, w as usize, style);
}

/// A `width`×`height` rect in the middle of `area`, never larger than it.
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    area.centered(Constraint::Length(width), Constraint::Length(height))
}

/// What a terminal below the minimum gets instead of the board.
struct TooSmall {
    area: Rect,
    /// Quitting with unsaved changes asked what to do: the answers work here too.
    asking: bool,
}

impl Widget for TooSmall {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let mut text = format!(
            "storyplan needs at least {MIN_WIDTH}×{MIN_HEIGHT} (this terminal is {}×{}). \
             Until then keys do not change the plan; q quits.",
            self.area.width, self.area.height
        );
        if self.asking {
            text.push_str(" Unsaved changes: s saves and quits, d discards, c cancels.");
        }
        let lines = fit::wrap(&text, area.width as usize).len() as u16;
        let notice = centered(area, area.width, lines);
        Clear.render(area, buf);
        Paragraph::new(text)
            .centered()
            .wrap(Wrap { trim: true })
            .render(notice, buf);
    }
}
