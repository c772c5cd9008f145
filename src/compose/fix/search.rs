//! The order search: a greedy repair of the written order gives a first bound, then a
//! branch and bound over prefixes proves it the least or finds a better order.
//!
//! Orders grow a unit at a time from the front. A prefix is ranked by what it has earned:
//! errors, then warnings, then the adjacent swaps it already implies (the pairs it placed
//! out of written order, and each placed step's pairs with earlier-written steps still to
//! come). That rank never goes down as the prefix grows (a gap's warning that becomes an
//! error moves it up), so a prefix that ranks no better than the best order found cannot
//! lead to a better one. Two prefixes of the same units that leave the same state lead to
//! the same findings whatever follows, so what is learned about one — the least it can
//! still add, or the best way to finish it — serves the other. They are remembered by
//! units placed *and* state: two orders of the same steps can leave the stores in
//! different states (a mirror that missed writes in one order and not in the other).

use std::collections::HashMap;
use std::time::Instant;

use super::layout::{Layout, place};
use crate::check::{Prefix, Stepper};

/// Errors, warnings and adjacent swaps, compared in that order. The counts leave out the
/// findings no order changes.
pub(super) type Cost = (i64, i64, i64);

const WORST: Cost = (i64::MAX, i64::MAX, i64::MAX);

/// How many prefixes the search remembers at most.
const REMEMBERED: usize = 1 << 20;

fn add(a: Cost, b: Cost) -> Cost {
    (
        a.0.saturating_add(b.0),
        a.1.saturating_add(b.1),
        a.2.saturating_add(b.2),
    )
}

fn sub(a: Cost, b: Cost) -> Cost {
    (
        a.0.saturating_sub(b.0),
        a.1.saturating_sub(b.1),
        a.2.saturating_sub(b.2),
    )
}

/// A unit and the order its steps ship in.
type Item = (usize, Vec<usize>);

/// The best order found.
pub(super) struct Found {
    /// Indices into the plan's steps.
    pub order: Vec<usize>,
    pub cost: Cost,
    /// No order costs less: the search ran to the end.
    pub proven: bool,
}

/// What is known about finishing a prefix: at least `least` more, and when `finish` is
/// set exactly that, by those steps.
struct Remembered {
    least: Cost,
    finish: Option<Vec<usize>>,
}

pub(super) struct Search<'s, 'p> {
    layout: &'s Layout,
    stepper: &'s Stepper<'p>,
    deadline: Instant,
    best: Cost,
    order: Vec<usize>,
    memo: HashMap<Vec<u32>, Remembered>,
    nodes: usize,
    stopped: bool,
}

impl<'s, 'p> Search<'s, 'p> {
    pub fn new(layout: &'s Layout, stepper: &'s Stepper<'p>, deadline: Instant) -> Self {
        Search {
            layout,
            stepper,
            deadline,
            best: WORST,
            order: Vec::new(),
            memo: HashMap::new(),
            nodes: 0,
            stopped: false,
        }
    }

    /// The greedy repair of the written order, then the branch and bound; `None` when no
    /// order keeps the shipped steps in place (or time ran out before one was seen).
    pub fn run(mut self) -> Option<Found> {
        if let Some(units) = self.layout.written() {
            let items: Vec<Item> = units
                .iter()
                .map(|&u| (u, self.layout.units[u].steps.clone()))
                .collect();
            self.greedy(items);
        }
        let start = self.stepper.start();
        let mut placed = vec![0u64; self.layout.units.len().div_ceil(64)];
        let mut path = Vec::with_capacity(self.layout.steps);
        self.dfs(&start, &mut placed, 0, 0, &mut path);
        (self.best != WORST).then_some(Found {
            order: self.order,
            cost: self.best,
            proven: !self.stopped,
        })
    }

    fn out_of_time(&mut self) -> bool {
        if !self.stopped && Instant::now() >= self.deadline {
            self.stopped = true;
        }
        self.stopped
    }

    /// The cost of `items` simulated from `pre`, the prefix of the items before `from`;
    /// `None` when time runs out.
    fn cost_from(&mut self, items: &[Item], from: usize, pre: &Prefix) -> Option<Cost> {
        let mut prefix = pre.clone();
        for (u, steps) in &items[from..] {
            if self.out_of_time() {
                return None;
            }
            prefix = place(self.stepper, &prefix, &self.layout.units[*u], steps);
        }
        let (t, end) = (prefix.tally(), self.stepper.end(&prefix));
        let order: Vec<usize> = items.iter().flat_map(|(_, s)| s.iter().copied()).collect();
        Some((
            t.errors + end.errors,
            t.warnings + end.warnings,
            inversions(&order) as i64,
        ))
    }

    /// The prefixes of `items`: before the first, then after each.
    fn prefixes(&mut self, items: &[Item]) -> Option<Vec<Prefix>> {
        let mut out = vec![self.stepper.start()];
        for (u, steps) in items {
            if self.out_of_time() {
                return None;
            }
            let next = place(
                self.stepper,
                &out[out.len() - 1],
                &self.layout.units[*u],
                steps,
            );
            out.push(next);
        }
        Some(out)
    }

    /// Repairs the written order greedily: at the first unit that earns an error (or, with
    /// none left, a warning), the one move of a unit — that one later, or a later one
    /// before it — that lowers the cost most, until no move lowers it. Its result is the
    /// first bound of the branch and bound.
    fn greedy(&mut self, mut items: Vec<Item>) {
        let Some(mut prefixes) = self.prefixes(&items) else {
            return;
        };
        let Some(mut cost) = self.cost_from(&items, items.len(), &prefixes[items.len()]) else {
            return;
        };
        self.offer(&items, cost);
        'improve: loop {
            let earns = |i: usize, errors: bool| {
                let (a, b) = (prefixes[i].tally(), prefixes[i + 1].tally());
                if errors {
                    b.errors > a.errors
                } else {
                    b.warnings > a.warnings
                }
            };
            let mut marked: Vec<usize> = (0..items.len()).filter(|&i| earns(i, true)).collect();
            if marked.is_empty() {
                marked = (0..items.len()).filter(|&i| earns(i, false)).collect();
            }
            for p in marked {
                let mut chosen: Option<(Cost, Vec<Item>)> = None;
                for q in 0..items.len() {
                    let mut tries = vec![moved(&items, p, q)];
                    if q > p {
                        tries.push(moved(&items, q, p));
                    }
                    for candidate in tries {
                        let units: Vec<usize> = candidate.iter().map(|i| i.0).collect();
                        if q == p || !self.layout.fits(&units) {
                            continue;
                        }
                        let from = p.min(q);
                        let Some(c) = self.cost_from(&candidate, from, &prefixes[from]) else {
                            return;
                        };
                        if c < cost && chosen.as_ref().is_none_or(|(best, _)| c < *best) {
                            chosen = Some((c, candidate));
                        }
                    }
                }
                if let Some((c, better)) = chosen {
                    items = better;
                    cost = c;
                    self.offer(&items, cost);
                    match self.prefixes(&items) {
                        Some(p) => prefixes = p,
                        None => return,
                    }
                    continue 'improve;
                }
            }
            return;
        }
    }

    /// Keeps `items` as the best order if it costs less than the best so far.
    fn offer(&mut self, items: &[Item], cost: Cost) {
        if cost < self.best {
            self.best = cost;
            self.order = items.iter().flat_map(|(_, s)| s.iter().copied()).collect();
        }
    }

    /// Branch and bound below the prefix `prefix` of the units in `placed`, which fills
    /// the places before `at` with `swaps` adjacent swaps, reached by the steps `path`.
    /// Returns how to finish it when that improved the best order (then it is the best
    /// way to finish it).
    fn dfs(
        &mut self,
        prefix: &Prefix,
        placed: &mut [u64],
        at: usize,
        swaps: i64,
        path: &mut Vec<usize>,
    ) -> Option<(Cost, Vec<usize>)> {
        self.nodes += 1;
        if self.nodes.is_multiple_of(64) && self.out_of_time() || self.stopped {
            return None;
        }
        let t = prefix.tally();
        let acc: Cost = (t.errors, t.warnings, swaps);
        if at == self.layout.steps {
            let end = self.stepper.end(prefix);
            let rest: Cost = (end.errors, end.warnings, 0);
            let total = add(acc, rest);
            if total < self.best {
                self.best = total;
                self.order.clone_from(path);
                return Some((rest, Vec::new()));
            }
            return None;
        }
        let mut key: Vec<u32> = placed
            .iter()
            .flat_map(|&w| [w as u32, (w >> 32) as u32])
            .collect();
        prefix.state_key(&mut key);
        if let Some(known) = self.memo.get(&key) {
            let total = add(acc, known.least);
            if let Some(finish) = &known.finish {
                if total < self.best {
                    self.best = total;
                    self.order = path.iter().chain(finish).copied().collect();
                    return Some((known.least, finish.clone()));
                }
                return None;
            }
            if total >= self.best {
                return None;
            }
        }
        let found = self.children(prefix, placed, at, acc, path);
        if self.stopped {
            return None;
        }
        let known = match &found {
            Some((least, finish)) => Remembered {
                least: *least,
                finish: Some(finish.clone()),
            },
            None => {
                let least = sub(self.best, acc);
                let least = match self.memo.get(&key) {
                    Some(old) if old.least > least => old.least,
                    _ => least,
                };
                Remembered {
                    least,
                    finish: None,
                }
            }
        };
        if self.memo.len() < REMEMBERED || self.memo.contains_key(&key) {
            self.memo.insert(key, known);
        }
        found
    }

    /// The units that can come next at `at`, each in every order it may ship in, best
    /// first; searched in turn.
    fn children(
        &mut self,
        prefix: &Prefix,
        placed: &mut [u64],
        at: usize,
        acc: Cost,
        path: &mut Vec<usize>,
    ) -> Option<(Cost, Vec<usize>)> {
        let layout = self.layout;
        let next: Vec<usize> = match layout.fixed_at[at] {
            Some(u) => vec![u],
            None => {
                let room = layout.room(at);
                (0..layout.units.len())
                    .filter(|&u| placed[u / 64] >> (u % 64) & 1 == 0)
                    .filter(|&u| layout.units[u].fixed.is_none())
                    .filter(|&u| layout.units[u].steps.len() <= room)
                    .collect()
            }
        };
        let mut children = Vec::new();
        for u in next {
            let unit = &layout.units[u];
            // A commit's deploy orders are the same whatever order it is written in.
            let runs = unit.commit.then(|| self.stepper.runs(prefix, &unit.steps));
            for steps in unit.inner_orders() {
                let swaps = acc.2 + swaps_of(prefix, &steps);
                if (acc.0, acc.1, swaps) >= self.best {
                    continue;
                }
                let child = match &runs {
                    Some(runs) => self.stepper.place_group(prefix, runs, &steps),
                    None => place(self.stepper, prefix, unit, &steps),
                };
                let t = child.tally();
                let cost: Cost = (t.errors, t.warnings, swaps);
                let least = self.stepper.least_after(&child);
                let bound = add(cost, (least.errors, least.warnings, 0));
                if bound < self.best {
                    children.push((bound, cost, u, steps, child));
                }
            }
        }
        children.sort_by_key(|c| c.0);
        let mut found = None;
        for (bound, cost, u, steps, child) in children {
            if bound >= self.best {
                continue;
            }
            placed[u / 64] |= 1 << (u % 64);
            path.extend(&steps);
            let below = self.dfs(&child, placed, at + steps.len(), cost.2, path);
            path.truncate(path.len() - steps.len());
            placed[u / 64] &= !(1 << (u % 64));
            if self.stopped {
                return None;
            }
            if let Some((rest, finish)) = below {
                let mut all = steps;
                all.extend(finish);
                found = Some((add(sub(cost, acc), rest), all));
            }
        }
        found
    }
}

/// `items` with the item at `from` moved to place `to`.
fn moved(items: &[Item], from: usize, to: usize) -> Vec<Item> {
    let mut out = items.to_vec();
    let item = out.remove(from);
    out.insert(to.min(out.len()), item);
    out
}

/// The adjacent swaps placing `steps` after `prefix` adds: pairs among them out of
/// written order, and each one's pairs with earlier-written steps not placed yet.
fn swaps_of(prefix: &Prefix, steps: &[usize]) -> i64 {
    let mut swaps = 0;
    for (i, &x) in steps.iter().enumerate() {
        let waiting = x - prefix.placed_before(x);
        let own = steps.iter().filter(|&&y| y < x).count();
        swaps += waiting - own;
        swaps += steps[..i].iter().filter(|&&y| y > x).count();
    }
    swaps as i64
}

/// The adjacent swaps that turn the written order into `order` (a permutation of the
/// step indices): the pairs it puts the other way round.
pub(super) fn inversions(order: &[usize]) -> usize {
    // A Fenwick tree over the indices seen so far.
    let n = order.len();
    let mut tree = vec![0usize; n + 1];
    let mut count = 0;
    for (seen, &x) in order.iter().enumerate() {
        let mut i = x + 1;
        let mut below = 0;
        while i > 0 {
            below += tree[i];
            i &= i - 1;
        }
        count += seen - below;
        let mut i = x + 1;
        while i <= n {
            tree[i] += 1;
            i += i & i.wrapping_neg();
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inversions_count_the_pairs_out_of_order() {
        assert_eq!(inversions(&[0, 1, 2, 3]), 0);
        assert_eq!(inversions(&[1, 0, 2, 3]), 1);
        assert_eq!(inversions(&[3, 2, 1, 0]), 6);
        assert_eq!(inversions(&[0, 2, 3, 1]), 2);
    }

    #[test]
    fn a_moved_item_lands_where_asked() {
        let items: Vec<Item> = (0..4).map(|u| (u, vec![u])).collect();
        let units = |items: Vec<Item>| items.into_iter().map(|i| i.0).collect::<Vec<_>>();
        assert_eq!(units(moved(&items, 0, 2)), vec![1, 2, 0, 3]);
        assert_eq!(units(moved(&items, 3, 1)), vec![0, 3, 1, 2]);
    }
}
