//! Mouse events to messages, hit-tested against the rects the last draw recorded.

use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

use super::model::Drag;
use super::msg::Msg;
use super::view::LayoutCache;

fn hit(rows: &[(usize, Rect)], at: Position) -> Option<usize> {
    rows.iter().find(|(_, r)| r.contains(at)).map(|(i, _)| *i)
}

/// Turns a mouse event into a message. A press on a step starts a drag; dragging over
/// the steps picks where it will land; releasing sends one `MoveStep` (or a plain
/// selection when it did not move).
pub fn mouse_to_msg(event: MouseEvent, cache: &LayoutCache, drag: Drag) -> Option<Msg> {
    let at = Position::new(event.column, event.row);
    match event.kind {
        MouseEventKind::Down(MouseButton::Left) => {
            if let Some(step) = hit(&cache.step_rows, at) {
                return Some(Msg::DragPress(step));
            }
            if let Some(finding) = hit(&cache.finding_rows, at) {
                return Some(Msg::SelectFinding(finding));
            }
            if let Some(component) = hit(&cache.component_rows, at) {
                return Some(Msg::SelectComponent(component));
            }
            let pane = cache.panes.iter().find(|(_, r)| r.contains(at))?.0;
            Some(Msg::Focus(pane))
        }
        MouseEventKind::Drag(MouseButton::Left) => {
            if drag == Drag::Idle {
                return None;
            }
            let step = hit(&cache.step_rows, at).or_else(|| {
                // Above or below the visible rows: the first or last visible step.
                let first = cache.step_rows.first()?;
                let last = cache.step_rows.last()?;
                if at.y < first.1.y {
                    Some(first.0)
                } else if at.y >= last.1.bottom() {
                    Some(last.0)
                } else {
                    None
                }
            })?;
            Some(Msg::DragOver(step))
        }
        MouseEventKind::Up(MouseButton::Left) => match drag {
            Drag::Dragging { from, to } if from != to => Some(Msg::MoveStep { from, to }),
            Drag::Dragging { from, .. } => Some(Msg::SelectStep(from)),
            Drag::Pressed { step } => Some(Msg::SelectStep(step)),
            Drag::Idle => None,
        },
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            let pane = cache.panes.iter().find(|(_, r)| r.contains(at))?.0;
            Some(Msg::Wheel {
                pane,
                down: event.kind == MouseEventKind::ScrollDown,
            })
        }
        _ => None,
    }
}
