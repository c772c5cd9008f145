//! The board's look as data: every style a view uses comes from here, chosen by state.
//! Views never name a colour, so `NO_COLOR` (the plain theme) reaches every pixel.

use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::BorderType;

use crate::check::{Rollback, Severity, Status};

#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: &'static str,
    header: Style,
    story: Style,
    modified: Style,
    read_only: Style,
    error: Style,
    warning: Style,
    info: Style,
    ok: Style,
    accepted: Style,
    border: Style,
    border_focused: Style,
    title: Style,
    title_focused: Style,
    selected: Style,
    dragged: Style,
    id: Style,
    lane_label: Style,
    lane_empty: Style,
    lane_marker: Style,
    flip_marker: Style,
    broken_lane: Style,
    drop_line: Style,
    rollback_safe: Style,
    rollback_until: Style,
    rollback_loses: Style,
    rollback_irreversible: Style,
    heading: Style,
    muted: Style,
    added: Style,
    removed: Style,
    reached: Style,
    key: Style,
    status_bar: Style,
    notice: Style,
    notice_error: Style,
    overlay: Style,
    input: Style,
    matched: Style,
}

impl Default for Theme {
    /// The coloured theme, in the 16 named colours every terminal can show.
    fn default() -> Self {
        let fg = |c: Color| Style::new().fg(c);
        Theme {
            name: "default",
            header: Style::new().fg(Color::White).bg(Color::Blue),
            story: Style::new()
                .fg(Color::White)
                .bg(Color::Blue)
                .add_modifier(Modifier::BOLD),
            modified: fg(Color::Yellow).add_modifier(Modifier::BOLD),
            read_only: fg(Color::LightRed).add_modifier(Modifier::BOLD),
            error: fg(Color::Red).add_modifier(Modifier::BOLD),
            warning: fg(Color::Yellow),
            info: fg(Color::Cyan),
            ok: fg(Color::Green),
            accepted: fg(Color::DarkGray),
            border: fg(Color::DarkGray),
            border_focused: fg(Color::Cyan),
            title: Style::new(),
            title_focused: fg(Color::Cyan).add_modifier(Modifier::BOLD),
            selected: Style::new()
                .bg(Color::DarkGray)
                .add_modifier(Modifier::BOLD),
            dragged: fg(Color::Magenta).add_modifier(Modifier::ITALIC),
            id: Style::new().add_modifier(Modifier::BOLD),
            lane_label: fg(Color::Cyan),
            lane_empty: fg(Color::DarkGray),
            lane_marker: fg(Color::LightBlue).add_modifier(Modifier::BOLD),
            flip_marker: fg(Color::Magenta).add_modifier(Modifier::BOLD),
            broken_lane: fg(Color::LightRed).add_modifier(Modifier::BOLD),
            drop_line: fg(Color::Yellow).add_modifier(Modifier::BOLD),
            rollback_safe: fg(Color::Green),
            rollback_until: fg(Color::Yellow),
            rollback_loses: fg(Color::LightRed),
            rollback_irreversible: fg(Color::Red).add_modifier(Modifier::BOLD),
            heading: fg(Color::Cyan).add_modifier(Modifier::BOLD),
            muted: fg(Color::DarkGray),
            added: fg(Color::Green),
            removed: fg(Color::LightRed),
            reached: fg(Color::Green),
            key: fg(Color::Cyan).add_modifier(Modifier::BOLD),
            status_bar: Style::new(),
            notice: fg(Color::Green),
            notice_error: Style::new()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD),
            overlay: fg(Color::Yellow),
            input: Style::new().bg(Color::DarkGray),
            matched: fg(Color::Yellow).add_modifier(Modifier::BOLD),
        }
    }
}

impl Theme {
    /// No colours at all, only modifiers: what `NO_COLOR` asks for.
    pub fn plain() -> Theme {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        let none = Style::new();
        Theme {
            name: "plain",
            header: none,
            story: bold,
            modified: bold,
            read_only: bold,
            error: bold,
            warning: none,
            info: none,
            ok: none,
            accepted: none,
            border: none,
            border_focused: bold,
            title: none,
            title_focused: bold,
            selected: Style::new().add_modifier(Modifier::REVERSED),
            dragged: Style::new().add_modifier(Modifier::ITALIC),
            id: bold,
            lane_label: none,
            lane_empty: none,
            lane_marker: bold,
            flip_marker: bold,
            broken_lane: bold,
            drop_line: bold,
            rollback_safe: none,
            rollback_until: none,
            rollback_loses: bold,
            rollback_irreversible: bold,
            heading: Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            muted: none,
            added: bold,
            removed: bold,
            reached: none,
            key: bold,
            status_bar: none,
            notice: none,
            notice_error: Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED),
            overlay: bold,
            input: Style::new().add_modifier(Modifier::UNDERLINED),
            matched: Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        }
    }

    /// A theme by the name a user's settings give.
    pub fn named(name: &str) -> Option<Theme> {
        match name.trim() {
            "default" => Some(Theme::default()),
            "plain" => Some(Theme::plain()),
            _ => None,
        }
    }

    /// The theme to use: plain whenever `NO_COLOR` is set (and not empty), else the named
    /// one, else the default.
    pub fn from_env(name: Option<&str>) -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme::choose(name, no_color)
    }

    /// [`Theme::from_env`] without the environment, for tests.
    pub fn choose(name: Option<&str>, no_color: bool) -> Theme {
        if no_color {
            return Theme::plain();
        }
        name.and_then(Theme::named).unwrap_or_default()
    }

    pub fn header(&self) -> Style {
        self.header
    }

    pub fn story(&self) -> Style {
        self.story
    }

    /// A flag in the header: the unsaved-changes marker or read-only.
    pub fn header_flag(&self, read_only: bool) -> Style {
        let flag = if read_only {
            self.read_only
        } else {
            self.modified
        };
        self.header.patch(flag)
    }

    pub fn severity(&self, severity: Severity) -> Style {
        match severity {
            Severity::Error => self.error,
            Severity::Warning => self.warning,
            Severity::Info => self.info,
            Severity::Accepted => self.accepted,
        }
    }

    pub fn status(&self, status: Status) -> Style {
        match status {
            Status::Ok => self.ok,
            Status::Warning => self.warning,
            Status::Error => self.error,
        }
    }

    pub fn pane_border(&self, focused: bool) -> Style {
        if focused {
            self.border_focused
        } else {
            self.border
        }
    }

    /// The focused pane is told apart by its border's shape too, not by colour alone.
    pub fn pane_border_type(&self, focused: bool) -> BorderType {
        if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        }
    }

    pub fn pane_title(&self, focused: bool) -> Style {
        if focused {
            self.title_focused
        } else {
            self.title
        }
    }

    /// The background of a step row.
    pub fn step_row(&self, selected: bool, dragging: bool) -> Style {
        let mut style = Style::new();
        if selected {
            style = style.patch(self.selected);
        }
        if dragging {
            style = style.patch(self.dragged);
        }
        style
    }

    /// A row of the findings or components list; highlighted only in the focused pane.
    pub fn list_row(&self, selected: bool, focused: bool) -> Style {
        if selected && focused {
            self.selected
        } else {
            Style::new()
        }
    }

    pub fn id(&self) -> Style {
        self.id
    }

    pub fn lane_label(&self) -> Style {
        self.lane_label
    }

    pub fn lane_empty(&self) -> Style {
        self.lane_empty
    }

    /// The marker of a step in its component's lane (● for a release, ⚑ for a flip).
    pub fn lane_marker(&self, flip: bool) -> Style {
        if flip {
            self.flip_marker
        } else {
            self.lane_marker
        }
    }

    pub fn broken_lane(&self) -> Style {
        self.broken_lane
    }

    pub fn drop_line(&self) -> Style {
        self.drop_line
    }

    pub fn rollback(&self, rollback: Rollback) -> Style {
        match rollback {
            Rollback::Safe => self.rollback_safe,
            Rollback::Until(_) => self.rollback_until,
            Rollback::LosesData => self.rollback_loses,
            Rollback::Irreversible => self.rollback_irreversible,
        }
    }

    pub fn heading(&self) -> Style {
        self.heading
    }

    pub fn muted(&self) -> Style {
        self.muted
    }

    /// A fact a change or the target adds (`+`) or removes (`−`).
    pub fn diff(&self, added: bool) -> Style {
        if added { self.added } else { self.removed }
    }

    /// A component whose final facts are its target.
    pub fn reached(&self) -> Style {
        self.reached
    }

    /// A key in the status bar and the help overlay.
    pub fn key(&self) -> Style {
        self.key
    }

    pub fn status_bar(&self) -> Style {
        self.status_bar
    }

    pub fn notice(&self, error: bool) -> Style {
        if error {
            self.notice_error
        } else {
            self.notice
        }
    }

    /// The border of an overlay (help, a question, save as).
    pub fn overlay(&self) -> Style {
        self.overlay
    }

    /// A text field being typed into.
    pub fn input(&self) -> Style {
        self.input
    }

    /// The characters of a row that a fuzzy query matched (finder, picker, completion);
    /// patched over the row's own style, so it shows on the selected row too.
    pub fn matched(&self) -> Style {
        self.matched
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn colours(style: Style) -> bool {
        style.fg.is_some() || style.bg.is_some() || style.underline_color.is_some()
    }

    #[test]
    fn the_plain_theme_has_no_colour_in_any_state() {
        let t = Theme::plain();
        let mut styles = vec![
            t.header(),
            t.story(),
            t.header_flag(true),
            t.header_flag(false),
            t.id(),
            t.lane_label(),
            t.lane_empty(),
            t.lane_marker(true),
            t.lane_marker(false),
            t.broken_lane(),
            t.drop_line(),
            t.heading(),
            t.muted(),
            t.diff(true),
            t.diff(false),
            t.reached(),
            t.key(),
            t.status_bar(),
            t.notice(true),
            t.notice(false),
            t.overlay(),
            t.input(),
            t.matched(),
        ];
        for flag in [false, true] {
            styles.push(t.pane_border(flag));
            styles.push(t.pane_title(flag));
            for other in [false, true] {
                styles.push(t.step_row(flag, other));
                styles.push(t.list_row(flag, other));
            }
        }
        for s in [
            Severity::Error,
            Severity::Warning,
            Severity::Info,
            Severity::Accepted,
        ] {
            styles.push(t.severity(s));
        }
        for s in [Status::Ok, Status::Warning, Status::Error] {
            styles.push(t.status(s));
        }
        for r in [
            Rollback::Safe,
            Rollback::Until(1),
            Rollback::LosesData,
            Rollback::Irreversible,
        ] {
            styles.push(t.rollback(r));
        }
        assert!(styles.iter().all(|s| !colours(*s)), "{styles:?}");
        // The selection still shows without colour.
        assert_ne!(t.step_row(true, false), Style::new());
    }

    #[test]
    fn no_color_wins_over_the_named_theme() {
        assert_eq!(Theme::choose(Some("default"), true).name, "plain");
        assert_eq!(Theme::choose(Some("plain"), false).name, "plain");
        assert_eq!(Theme::choose(None, false).name, "default");
        assert_eq!(Theme::choose(Some("neon"), false).name, "default");
        assert!(Theme::named("neon").is_none());
        assert!(colours(Theme::default().severity(Severity::Error)));
    }
}
