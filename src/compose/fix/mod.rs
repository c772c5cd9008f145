//! `fix`: the nearest safe order of a plan's steps, and repairs when there is none
//! (SPEC §9).
//!
//! Orders keep shipped steps in their places (a commit with a shipped release stays where
//! it is, whole) and the releases of one commit together (in any order among
//! themselves). They rank by errors, then warnings, then the adjacent swaps that turn the
//! written order into them (the `J`/`K` presses on the board). The search (see `search`)
//! is exact while it finishes within the time limit, which plans of up to 10 unshipped
//! steps do; past the limit it returns the best order seen, not proven the least.
//!
//! When no order is free of errors, `repair` tries the plan's patterns on the releases
//! that cause them, and lists each repair that leads to fewer errors, with its order.

mod layout;
mod repair;
mod search;

use std::time::{Duration, Instant};

use crate::check::{Stepper, Summary, check};
use crate::plan::Plan;
use layout::Layout;
use search::{Search, inversions};

pub use repair::{Repair, RepairKind};

/// What `fix` found for a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixed {
    /// The proposed order: indices into the plan's steps.
    pub order: Vec<usize>,
    /// Single-step moves that turn the written order into `order`, in turn.
    pub moves: Vec<Move>,
    /// Adjacent swaps from the written order to `order`.
    pub swaps: usize,
    /// The findings' counts in the written order and in the proposed one.
    pub before: Summary,
    pub after: Summary,
    /// The proposed order has no error.
    pub found: bool,
    /// No order has fewer errors, warnings or swaps.
    pub minimal: bool,
    /// When no order is free of errors: the pattern repairs that remove some.
    pub repairs: Vec<Repair>,
    /// Whole-plan checks run, and steps simulated by the search (for benchmarks).
    pub checks: usize,
    pub simulated: usize,
}

/// One step moved from one place to another (0-based places, before and after the move),
/// to land right after another step, or at the top.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Move {
    /// The step moved: an index into the written plan's steps.
    pub step: usize,
    pub from: usize,
    pub to: usize,
    /// The step it lands right after, and that step's place before the move; `None` when
    /// it goes to the top.
    pub after: Option<(usize, usize)>,
}

/// The plan with its steps in `order` (indices into its steps).
pub fn reordered(plan: &Plan, order: &[usize]) -> Plan {
    let mut out = plan.clone();
    out.steps = order.iter().map(|&i| plan.steps[i].clone()).collect();
    out
}

/// Searches the orders of `plan`'s steps for the nearest one without errors (see the
/// module documentation), within `limit`; repairs are looked for when none is found.
pub fn fix(plan: &Plan, limit: Duration) -> Fixed {
    let deadline = Instant::now() + limit;
    let mut fixed = order(plan, deadline);
    if !fixed.found {
        let (repairs, checks, simulated) = repair::repairs(plan, &fixed, deadline + limit);
        fixed.repairs = repairs;
        fixed.checks += checks;
        fixed.simulated += simulated;
    }
    fixed
}

/// The order part of `fix`: the best order found by `deadline`, without repairs.
pub(crate) fn order(plan: &Plan, deadline: Instant) -> Fixed {
    let before = check(plan).summary();
    let mut checks = 1;
    let layout = Layout::new(plan);
    let stepper = Stepper::new(plan);
    let written: Vec<usize> = (0..plan.steps.len()).collect();
    let found = Search::new(&layout, &stepper, deadline).run();
    let (order, after, minimal) = match found {
        Some(found) => {
            let after = if found.order == written {
                before
            } else {
                checks += 1;
                check(&reordered(plan, &found.order)).summary()
            };
            // The search counts what orders change; one check of a searched order gives
            // the rest, which must be the same for every order.
            let constant = |summary: Summary, cost: (i64, i64)| {
                (
                    summary.errors as i64 - cost.0,
                    summary.warnings as i64 - cost.1,
                )
            };
            let gathered = layout
                .written()
                .map(|units| {
                    units
                        .iter()
                        .flat_map(|&u| layout.units[u].steps.iter().copied())
                        .collect::<Vec<usize>>()
                })
                .unwrap_or_else(|| written.clone());
            // Another order to compare with: the written one, its commits gathered (or,
            // when that is not allowed, the order found, which must count as searched).
            let other = if cost_of(&layout, &stepper, &gathered).is_some() {
                gathered
            } else {
                found.order.clone()
            };
            let calibration = if other == written {
                before
            } else if other == found.order {
                after
            } else {
                checks += 1;
                check(&reordered(plan, &other)).summary()
            };
            let counted = (found.cost.0, found.cost.1);
            let honest = cost_of(&layout, &stepper, &other)
                .is_some_and(|c| constant(calibration, c) == constant(after, counted))
                && cost_of(&layout, &stepper, &found.order) == Some(counted);
            (
                found.order,
                after,
                found.proven && honest && stepper.exact(),
            )
        }
        None => (written.clone(), before, false),
    };
    Fixed {
        moves: moves(&order),
        swaps: inversions(&order),
        found: after.errors == 0,
        order,
        before,
        after,
        minimal,
        repairs: Vec::new(),
        checks,
        simulated: stepper.simulated(),
    }
}

/// The errors and warnings the search counts for `plan`'s steps in `order` (leaving out
/// those no order changes), if the order keeps commits together and shipped steps in
/// place: for the tests, which hold these counts to `check`'s.
#[doc(hidden)]
pub fn counted(plan: &Plan, order: &[usize]) -> Option<(i64, i64)> {
    cost_of(&Layout::new(plan), &Stepper::new(plan), order)
}

/// The errors and warnings the search counts for `order`, if it keeps the plan's units
/// whole and in place.
fn cost_of(layout: &Layout, stepper: &Stepper, order: &[usize]) -> Option<(i64, i64)> {
    let mut prefix = stepper.start();
    let mut at = 0;
    let mut units = Vec::new();
    while at < order.len() {
        let u = layout.unit_of[order[at]];
        let unit = &layout.units[u];
        let steps = order.get(at..at + unit.steps.len())?;
        if !unit.steps.iter().all(|s| steps.contains(s)) {
            return None;
        }
        prefix = layout::place(stepper, &prefix, unit, steps);
        units.push(u);
        at += steps.len();
    }
    if !layout.fits(&units) {
        return None;
    }
    let (t, end) = (prefix.tally(), stepper.end(&prefix));
    Some((t.errors + end.errors, t.warnings + end.warnings))
}

/// The fewest single-step moves that turn the written order into `order`: every step
/// off a longest run kept in written order moves, in `order`'s order, to right after the
/// step that precedes it there.
pub fn moves(order: &[usize]) -> Vec<Move> {
    let kept = longest_increasing(order);
    let mut now: Vec<usize> = (0..order.len()).collect();
    let mut out = Vec::new();
    for (i, &step) in order.iter().enumerate() {
        if kept.contains(&step) {
            continue;
        }
        let Some(from) = now.iter().position(|&s| s == step) else {
            continue;
        };
        let after = i.checked_sub(1).map(|p| order[p]);
        let behind = after.and_then(|a| Some((a, now.iter().position(|&s| s == a)?)));
        now.remove(from);
        let to = match after {
            Some(a) => now.iter().position(|&s| s == a).map_or(0, |p| p + 1),
            None => 0,
        };
        now.insert(to, step);
        if from != to {
            out.push(Move {
                step,
                from,
                to,
                after: behind,
            });
        }
    }
    out
}

/// The steps of a longest subsequence of `order` in written order; among runs as long,
/// the one that keeps later-written steps, so that a step placed too early is the one
/// that moves (later), as the checker's hints say.
fn longest_increasing(order: &[usize]) -> Vec<usize> {
    // From the right: the place of the largest first step of a run of each length, with
    // links to the rest of the run.
    let mut heads: Vec<usize> = Vec::new();
    let mut next: Vec<Option<usize>> = vec![None; order.len()];
    for (i, &x) in order.iter().enumerate().rev() {
        let len = heads.partition_point(|&h| order[h] > x);
        next[i] = len.checked_sub(1).map(|l| heads[l]);
        if len == heads.len() {
            heads.push(i);
        } else if x > order[heads[len]] {
            heads[len] = i;
        }
    }
    let mut out = Vec::with_capacity(heads.len());
    let mut at = heads.last().copied();
    while let Some(i) = at {
        out.push(order[i]);
        at = next[i];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replay(n: usize, moves: &[Move]) -> Vec<usize> {
        let mut now: Vec<usize> = (0..n).collect();
        for m in moves {
            assert_eq!(now[m.from], m.step);
            let step = now.remove(m.from);
            now.insert(m.to, step);
            match m.after {
                Some((a, _)) => assert_eq!(now[m.to - 1], a),
                None => assert_eq!(m.to, 0),
            }
        }
        now
    }

    #[test]
    fn moves_turn_the_written_order_into_the_new_one() {
        for order in [
            vec![0, 1, 2, 3, 4],
            vec![0, 1, 3, 2, 4],
            vec![4, 3, 2, 1, 0],
            vec![2, 0, 1, 4, 3],
            vec![1, 2, 3, 4, 0],
        ] {
            let moves = moves(&order);
            assert_eq!(replay(order.len(), &moves), order, "{moves:?}");
            let kept = longest_increasing(&order).len();
            assert_eq!(moves.len(), order.len() - kept);
        }
    }

    #[test]
    fn one_move_after_a_later_step() {
        let moves = moves(&[0, 1, 3, 2, 4]);
        assert_eq!(
            moves,
            vec![Move {
                step: 2,
                from: 2,
                to: 3,
                after: Some((3, 3))
            }]
        );
    }
}
