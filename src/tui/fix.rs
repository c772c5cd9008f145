//! `F` on the board: the nearest safe order of the steps (SPEC §9), shown as a preview —
//! the moves, the steps in the new order, what the plan would check as — that Enter
//! applies as one undo step; when no order is free of errors, the repairs the patterns
//! offer are choices in the same preview.

use std::time::Duration;

use super::editing::notice;
use super::model::{Model, Overlay, Pane};
use crate::compose::fix::{Fixed, fix, reordered};

/// How long the search may take on the board, as on the command line.
const LIMIT: Duration = Duration::from_secs(1);

/// `F`: searches, and previews what it found.
pub fn start(model: &mut Model) {
    if model.plan.steps.len() < 2 {
        return notice(
            model,
            "Fewer than two steps: there is no order to fix",
            false,
        );
    }
    let fixed = fix(&model.plan, LIMIT);
    if fixed.moves.is_empty() && fixed.repairs.is_empty() {
        let text = if fixed.found {
            "The written order is already the nearest safe one"
        } else {
            "No order is free of errors, and no pattern repairs it: the findings say what is missing"
        };
        return notice(model, text, !fixed.found);
    }
    model.overlay = Some(Overlay::Fix {
        fixed: Box::new(fixed),
        choice: 0,
        scroll: 0,
    });
}

/// The choices of the preview: the order (when it moves anything), then each repair.
pub fn choices(fixed: &Fixed) -> usize {
    usize::from(!fixed.moves.is_empty()) + fixed.repairs.len()
}

/// ↑/↓: the next or previous choice when there are several, else a scroll.
pub fn step(model: &mut Model, down: bool) {
    if let Some(Overlay::Fix {
        fixed,
        choice,
        scroll,
    }) = &mut model.overlay
    {
        let n = choices(fixed);
        if n > 1 {
            *choice = if down {
                (*choice + 1).min(n - 1)
            } else {
                choice.saturating_sub(1)
            };
        } else if down {
            *scroll = scroll.saturating_add(1);
        } else {
            *scroll = scroll.saturating_sub(1);
        }
    }
}

/// Enter applies the chosen order or repair (one undo step); Esc leaves the plan.
pub fn answer(model: &mut Model, take: bool) {
    let Some(Overlay::Fix { fixed, choice, .. }) = model.overlay.take() else {
        return;
    };
    if !take {
        return notice(model, "Fix discarded", false);
    }
    let moved = !fixed.moves.is_empty();
    let result = if moved && choice == 0 {
        let order = fixed.order.clone();
        let n = fixed.moves.len();
        model.edit(move |plan| {
            *plan = reordered(plan, &order);
            let steps = if n == 1 { "step" } else { "steps" };
            Ok(format!(
                "Moved {n} {steps} into the nearest safe order (u undoes it)"
            ))
        })
    } else {
        let index = choice - usize::from(moved);
        let Some(repair) = fixed.repairs.get(index) else {
            return;
        };
        let repaired = repair.plan.clone();
        let said = format!("Repaired: {} (u undoes it)", repair.description);
        model.edit(move |plan| {
            *plan = repaired;
            Ok(said)
        })
    };
    match result {
        Ok(done) => {
            model.pane = Pane::Steps;
            notice(model, done, false);
        }
        Err(problem) => notice(model, problem, true),
    }
}
