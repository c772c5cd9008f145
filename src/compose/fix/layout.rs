//! What may move: the plan's steps as units that move whole (a step, or the releases of
//! one commit), and the places where shipped units stay.

use crate::check::Stepper;
use crate::plan::{Plan, Step};

/// More releases than this in one commit: only the written order of its releases and the
/// reverse are tried (the checker, too, runs only those two deploy orders then).
const MAX_PERMUTED: usize = 6;

/// Steps that move together: one step, or the releases of one commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Unit {
    /// Indices into the plan's steps, in written order.
    pub steps: Vec<usize>,
    /// Where a shipped unit starts; it stays there.
    pub fixed: Option<usize>,
    /// The releases of a well-formed commit group: the checker runs their deploy orders.
    pub commit: bool,
}

impl Unit {
    /// The orders its steps may ship in: every order of a commit's releases (up to
    /// `MAX_PERMUTED`, else the written one and its reverse); a shipped unit's own.
    pub fn inner_orders(&self) -> Vec<Vec<usize>> {
        if self.fixed.is_some() || self.steps.len() < 2 {
            return vec![self.steps.clone()];
        }
        if self.steps.len() > MAX_PERMUTED {
            let mut reversed = self.steps.clone();
            reversed.reverse();
            return vec![self.steps.clone(), reversed];
        }
        let mut out = Vec::new();
        permutations(&mut self.steps.clone(), 0, &mut out);
        out
    }
}

/// Every order of `items[k..]` after `items[..k]`, written order first, then in
/// lexicographic order of the places taken from it.
fn permutations(items: &mut Vec<usize>, k: usize, out: &mut Vec<Vec<usize>>) {
    if k == items.len() {
        out.push(items.clone());
        return;
    }
    for i in k..items.len() {
        let item = items.remove(i);
        items.insert(k, item);
        permutations(items, k + 1, out);
        let item = items.remove(k);
        items.insert(i, item);
    }
}

/// The units of a plan and where the shipped ones stand.
#[derive(Debug, Clone)]
pub(super) struct Layout {
    pub steps: usize,
    pub units: Vec<Unit>,
    /// The unit that starts at each place, for shipped units.
    pub fixed_at: Vec<Option<usize>>,
    /// Each step's unit.
    pub unit_of: Vec<usize>,
}

impl Layout {
    pub fn new(plan: &Plan) -> Layout {
        let n = plan.steps.len();
        let mut units: Vec<Unit> = Vec::new();
        let mut unit_of = vec![usize::MAX; n];
        for members in commits(plan) {
            let shipped = members.iter().any(|&s| plan.steps[s].shipped());
            let adjacent = members.windows(2).all(|w| w[1] == w[0] + 1);
            if shipped && !adjacent {
                // A shipped commit spread out stays where it is, step by step.
                for &s in &members {
                    unit_of[s] = units.len();
                    units.push(Unit {
                        steps: vec![s],
                        fixed: Some(s),
                        commit: false,
                    });
                }
                continue;
            }
            let commit = members.len() > 1 && once_each(plan, &members);
            for &s in &members {
                unit_of[s] = units.len();
            }
            units.push(Unit {
                fixed: shipped.then_some(members[0]),
                steps: members,
                commit,
            });
        }
        for (s, step) in plan.steps.iter().enumerate() {
            if unit_of[s] == usize::MAX {
                unit_of[s] = units.len();
                units.push(Unit {
                    steps: vec![s],
                    fixed: step.shipped().then_some(s),
                    commit: false,
                });
            }
        }
        // Units by where they start in the written plan.
        units.sort_by_key(|u| u.steps[0]);
        for (u, unit) in units.iter().enumerate() {
            for &s in &unit.steps {
                unit_of[s] = u;
            }
        }
        let mut fixed_at = vec![None; n];
        for (u, unit) in units.iter().enumerate() {
            if let Some(at) = unit.fixed {
                fixed_at[at] = Some(u);
            }
        }
        Layout {
            steps: n,
            units,
            fixed_at,
            unit_of,
        }
    }

    /// How many places are free from `at` to the next shipped unit (or the end).
    pub fn room(&self, at: usize) -> usize {
        (at..self.steps)
            .find(|&p| self.fixed_at[p].is_some())
            .unwrap_or(self.steps)
            - at
    }

    /// The written order with each commit's releases gathered where its first one is,
    /// as units; where a unit does not fit before a shipped one, the next that fits goes
    /// first. `None` when the units cannot fit around the shipped ones.
    pub fn written(&self) -> Option<Vec<usize>> {
        let mut order = Vec::with_capacity(self.units.len());
        let mut used = vec![false; self.units.len()];
        let mut tries = 0;
        self.fill(0, &mut order, &mut used, &mut tries)
            .then_some(order)
    }

    /// Fills the places from `at` on, backtracking (a bounded number of times) where the
    /// free units left cannot fill the room before a shipped unit.
    fn fill(
        &self,
        at: usize,
        order: &mut Vec<usize>,
        used: &mut [bool],
        tries: &mut usize,
    ) -> bool {
        if at == self.steps {
            return true;
        }
        *tries += 1;
        if *tries > 10_000 {
            return false;
        }
        let choices: Vec<usize> = match self.fixed_at[at] {
            Some(u) => vec![u],
            None => {
                let room = self.room(at);
                (0..self.units.len())
                    .filter(|&u| !used[u] && self.units[u].fixed.is_none())
                    .filter(|&u| self.units[u].steps.len() <= room)
                    .collect()
            }
        };
        for u in choices {
            used[u] = true;
            order.push(u);
            if self.fill(at + self.units[u].steps.len(), order, used, tries) {
                return true;
            }
            order.pop();
            used[u] = false;
        }
        false
    }

    /// Whether an order of units keeps every shipped unit in its place.
    pub fn fits(&self, order: &[usize]) -> bool {
        let mut at = 0;
        for &u in order {
            let unit = &self.units[u];
            if unit.fixed.is_some_and(|f| f != at)
                || unit.fixed.is_none() && unit.steps.len() > self.room(at)
            {
                return false;
            }
            at += unit.steps.len();
        }
        at == self.steps
    }
}

/// The releases of each commit label, in written order.
fn commits(plan: &Plan) -> Vec<Vec<usize>> {
    let mut out: Vec<(&str, Vec<usize>)> = Vec::new();
    for (i, step) in plan.steps.iter().enumerate() {
        let Some(label) = step.commit() else { continue };
        match out.iter_mut().find(|(l, _)| *l == label) {
            Some((_, members)) => members.push(i),
            None => out.push((label, vec![i])),
        }
    }
    out.into_iter().map(|(_, members)| members).collect()
}

/// Whether the releases release each component once, as the checker asks of a commit.
fn once_each(plan: &Plan, members: &[usize]) -> bool {
    let mut seen: Vec<usize> = Vec::new();
    for &s in members {
        let Step::Release { component, .. } = &plan.steps[s] else {
            continue;
        };
        let Some(c) = plan
            .components
            .iter()
            .position(|x| x.id.trim() == component.trim())
        else {
            continue;
        };
        if seen.contains(&c) {
            return false;
        }
        seen.push(c);
    }
    true
}

/// `pre` extended by unit `unit` in the order `steps`.
pub(super) fn place(
    stepper: &Stepper,
    pre: &crate::check::Prefix,
    unit: &Unit,
    steps: &[usize],
) -> crate::check::Prefix {
    if unit.commit {
        let runs = stepper.runs(pre, steps);
        stepper.place_group(pre, &runs, steps)
    } else {
        steps
            .iter()
            .fold(pre.clone(), |prefix, &s| stepper.place(&prefix, s))
    }
}
