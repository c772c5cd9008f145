//! The status bar: the mode, then a notice when there is one, else the keys that work
//! here, generated from the keymap.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::fit;
use crate::text::clean_line;
use crate::tui::keymap::{Action, Mode};
use crate::tui::model::{Drag, Model, Overlay, Pane};

pub struct StatusView<'a> {
    model: &'a Model,
}

impl<'a> StatusView<'a> {
    pub fn new(model: &'a Model) -> Self {
        StatusView { model }
    }

    /// The key of an action (or of a pair, "j/k") and its short word.
    fn hint(&self, mode: Mode, actions: &[Action]) -> Option<(String, &'static str)> {
        let keymap = &self.model.keymap;
        let keys: Vec<String> = actions
            .iter()
            .filter_map(|a| keymap.key_for(mode, *a))
            .collect();
        if keys.is_empty() {
            return None;
        }
        let short = keymap.binding(mode, actions[0]).map_or("", |b| b.short);
        Some((keys.join("/"), short))
    }

    /// The mode's name and its hints, most useful first.
    fn hints(&self) -> (&'static str, Vec<(String, &'static str)>) {
        let model = self.model;
        let keymap = &model.keymap;
        match &model.overlay {
            Some(Overlay::Ask(question)) => {
                let answers = question.answers();
                let hints = keymap
                    .bindings(Mode::Question)
                    .iter()
                    .filter(|b| answers.contains(&b.action))
                    .filter_map(|b| Some((b.chords.first()?.shown(), b.short)))
                    .collect();
                return (Mode::Question.status(), hints);
            }
            Some(Overlay::SaveAs { .. }) => {
                // Enter saves here: the prompt's "ok" says less.
                let hints = keymap.hints(Mode::Prompt).into_iter();
                let hints = hints.map(|(k, w)| (k, if w == "ok" { "save" } else { w }));
                return ("SAVE AS", hints.collect());
            }
            Some(_) => {
                let mode = model.context().mode();
                return (mode.status(), keymap.hints(mode));
            }
            None => {}
        }
        if matches!(model.drag, Drag::Dragging { .. }) {
            return ("DRAG", Vec::new());
        }
        let mut groups: Vec<&[Action]> = vec![&[Action::Down, Action::Up]];
        match model.pane {
            Pane::Steps if !model.read_only => {
                groups.push(&[Action::MoveStepDown, Action::MoveStepUp]);
            }
            Pane::Findings => groups.push(&[Action::Jump]),
            _ => {}
        }
        if !model.read_only {
            groups.extend([&[Action::Undo][..], &[Action::Redo], &[Action::Save]]);
        }
        groups.extend([&[Action::NextPane][..], &[Action::Help], &[Action::Quit]]);
        // Enter on a finding goes to its step: "jump" says that better than "open".
        let findings = model.pane == Pane::Findings;
        let hints = groups
            .iter()
            .filter_map(|a| self.hint(Mode::Board, a))
            .map(|(k, w)| (k, if findings && w == "open" { "jump" } else { w }))
            .map(|(k, w)| {
                let details = model.pane == Pane::Details;
                (
                    k,
                    if details && w == "select" {
                        "scroll"
                    } else {
                        w
                    },
                )
            })
            .collect();
        let mode = match model.pane {
            _ if model.read_only => "READ-ONLY",
            Pane::Steps => "STEPS",
            Pane::Details => "DETAILS",
            Pane::Findings => "FINDINGS",
            Pane::Components => "COMPONENTS",
        };
        (mode, hints)
    }
}

impl Widget for &StatusView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let model = self.model;
        let theme = &model.theme;
        buf.set_style(area, theme.status_bar());
        let width = area.width as usize;

        // A notice shows under the editing overlays too: what an edit in a list did, the
        // kickoff's next step; the help and the questions have their own words.
        let editing = !matches!(
            model.overlay,
            Some(Overlay::Help { .. } | Overlay::Ask(_) | Overlay::SaveAs { .. })
        );
        let (mode, hints) = self.hints();
        let mut spans = vec![
            Span::styled(format!(" {mode} "), theme.heading()),
            Span::raw(" "),
        ];
        // The mode stays in view; the notice takes the hints' place.
        if let Some(notice) = &model.notice
            && editing
        {
            let text = clean_line(&notice.text);
            let text = if notice.error {
                format!(" ! {text} ")
            } else {
                format!(" {text} ")
            };
            let room = width.saturating_sub(spans.iter().map(Span::width).sum());
            spans.push(Span::styled(
                fit::cut(&text, room).into_owned(),
                theme.notice(notice.error),
            ));
            buf.set_line(area.x, area.y, &Line::from(spans), area.width);
            return;
        }
        if mode == "DRAG" {
            let esc = model
                .keymap
                .key_for(Mode::Board, Action::Close)
                .unwrap_or_else(|| "Esc".to_string());
            spans.push(Span::raw(format!("drag: release to drop, {esc} to cancel")));
        }
        // Help and quit always show; the others while they fit, in order.
        let hint_w = |(key, word): &(String, &str)| fit::width(key) + fit::width(word) + 3;
        let (rest, always) = hints.split_at(hints.len().saturating_sub(2));
        let mut used =
            spans.iter().map(Span::width).sum::<usize>() + always.iter().map(hint_w).sum::<usize>();
        let mut shown = Vec::new();
        for hint in rest {
            let w = hint_w(hint);
            if used + w > width {
                break;
            }
            used += w;
            shown.push(hint);
        }
        shown.extend(always);
        for (key, word) in shown {
            spans.push(Span::styled(key.clone(), theme.key()));
            spans.push(Span::raw(format!(" {word}  ")));
        }
        buf.set_line(area.x, area.y, &Line::from(spans), area.width);
    }
}
