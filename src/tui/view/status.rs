//! The status bar: a notice when there is one, else the mode and the keys that work
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
        let keys: Vec<String> = actions
            .iter()
            .filter_map(|a| self.model.keymap.key_for(mode, *a))
            .map(|chord| clean_line(&chord.to_string()).into_owned())
            .collect();
        if keys.is_empty() {
            return None;
        }
        Some((keys.join("/"), actions[0].short()))
    }

    /// The mode's name and its hints, most useful first.
    fn hints(&self) -> (&'static str, Vec<(String, &'static str)>) {
        let model = self.model;
        let fixed = |pairs: &[(&str, &'static str)]| {
            pairs.iter().map(|(k, w)| (k.to_string(), *w)).collect()
        };
        match &model.overlay {
            Some(Overlay::Help { .. }) => {
                let hints = [
                    &[Action::Down, Action::Up][..],
                    &[Action::PageDown, Action::PageUp],
                    &[Action::Close],
                ]
                .iter()
                .filter_map(|a| self.hint(Mode::Help, a))
                .map(|(k, w)| (k, if w == "select" { "scroll" } else { w }))
                .collect();
                return ("HELP", hints);
            }
            Some(Overlay::Ask(_)) => return ("QUESTION", fixed(&[("Esc", "cancel")])),
            Some(Overlay::SaveAs { .. }) => {
                return ("SAVE AS", fixed(&[("Enter", "save"), ("Esc", "cancel")]));
            }
            Some(Overlay::Prompt { .. }) => {
                return ("PROMPT", fixed(&[("Enter", "ok"), ("Esc", "cancel")]));
            }
            Some(Overlay::Reader {
                export: Some(_), ..
            }) => {
                let keys = [
                    ("c", "copy"),
                    ("w", "write"),
                    ("Tab", "plan/step"),
                    ("Esc", "close"),
                ];
                return ("EXPORT", fixed(&keys));
            }
            Some(Overlay::Reader { .. }) => {
                return ("READ", fixed(&[("j/k", "scroll"), ("Esc", "close")]));
            }
            Some(Overlay::Form { .. }) => {
                let keys = [("Tab", "next"), ("Enter", "save"), ("Esc", "cancel")];
                return ("FORM", fixed(&keys));
            }
            Some(Overlay::Finder(_)) => {
                let keys = [("↑↓", "select"), ("Enter", "jump"), ("Esc", "close")];
                return ("FIND", fixed(&keys));
            }
            Some(Overlay::Draft { .. }) => {
                let keys = [("↑↓", "scroll"), ("Enter", "add"), ("Esc", "discard")];
                return ("DRAFT", fixed(&keys));
            }
            Some(Overlay::List { .. }) => {
                let groups: [&[Action]; 5] = [
                    &[Action::Down, Action::Up],
                    &[Action::Add],
                    &[Action::Edit],
                    &[Action::Delete],
                    &[Action::Close],
                ];
                let hints = groups.iter().filter_map(|a| self.hint(Mode::Board, a));
                return ("LIST", hints.collect());
            }
            Some(Overlay::Templates { .. }) => {
                let groups: [&[Action]; 3] = [
                    &[Action::Down, Action::Up],
                    &[Action::Jump],
                    &[Action::Close],
                ];
                let hints = groups
                    .iter()
                    .filter_map(|a| self.hint(Mode::Board, a))
                    .map(|(k, w)| (k, if w == "open" { "choose" } else { w }));
                return ("PATTERN", hints.collect());
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
            .collect();
        let mode = match model.pane {
            _ if model.read_only => "READ-ONLY",
            Pane::Steps => "STEPS",
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
        if let Some(notice) = &model.notice
            && editing
        {
            let text = clean_line(&notice.text);
            let text = if notice.error {
                format!(" ! {text} ")
            } else {
                format!(" {text} ")
            };
            let text = fit::cut(&text, width);
            buf.set_span(
                area.x,
                area.y,
                &Span::styled(text, theme.notice(notice.error)),
                area.width,
            );
            return;
        }

        let (mode, hints) = self.hints();
        let mut spans = vec![
            Span::styled(format!(" {mode} "), theme.heading()),
            Span::raw(" "),
        ];
        if mode == "DRAG" {
            let esc = model
                .keymap
                .key_for(Mode::Board, Action::Close)
                .map_or("Esc".to_string(), |k| {
                    clean_line(&k.to_string()).into_owned()
                });
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
