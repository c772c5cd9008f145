//! Commit groups: the releases of one commit deploy separately, in any order, so every
//! deploy order is run and the harms that only some orders cause are races.

use rustc_hash::FxHashSet as HashSet;
use std::cell::RefCell;

use crate::check::index::{CStepKind, Cluster};
use crate::check::report::Rule;
use crate::check::state::{Evaluator, State, Store, advance};
use crate::plan::Access;

use super::harm::{Harm, harms_since};
use super::step::apply_step;
use super::{Break, Sim, Snap};

/// The most releases of a commit group whose every deploy order is simulated (720 orders is
/// already a lot of simulation per keystroke); past it, the written order and its reverse.
pub(super) const MAX_ORDERED: usize = 6;

impl Sim<'_, '_> {
    /// Runs the releases of a commit group in every deploy order and reports the breaks
    /// that start and end inside the group, on the release whose deployment starts them,
    /// and the losses and gaps that the written order does not cause.
    pub(super) fn commit_orders(&mut self, group: usize, start: usize, end: usize, pre: &Snap) {
        let members: Vec<usize> = (start..end).collect();
        if members.len() < 2 {
            return;
        }
        let label = self.index.groups[group].0;
        let runs = self.deploy_orders(group, &members);
        let mut written_data: HashSet<Harm> = HashSet::default();
        let mut seen: HashSet<(usize, Option<u32>, u32, bool)> = HashSet::default();
        for (whole, order) in &runs {
            let written = *order == members;
            let deploys = self.deploy(pre, order);
            if written {
                written_data.extend(deploys.iter().flat_map(|(lasting, events)| {
                    lasting
                        .iter()
                        .chain(events)
                        .copied()
                        .filter(|h| h.is_data())
                }));
            }
            for (n, (lasting, events)) in deploys.iter().enumerate() {
                let g = self.cl.steps[order[n]].global;
                let started = lasting
                    .iter()
                    .filter(|h| n == 0 || !deploys[n - 1].0.contains(h));
                for &harm in started.chain(events) {
                    if harm.is_data() {
                        // Lost data does not come back, and a stale read's rows stay stale.
                        if !written_data.contains(&harm)
                            && seen.insert((g, harm.comp(), harm.key(), true))
                        {
                            self.race(label, whole, order[n], harm, None);
                        }
                        continue;
                    }
                    let Some(m) = (n + 1..order.len()).find(|&m| !deploys[m].0.contains(&harm))
                    else {
                        continue;
                    };
                    // The written order's races are its own breaks (see `written_races`).
                    if !seen.insert((g, harm.comp(), harm.key(), false)) || written {
                        continue;
                    }
                    let until = self.cl.steps[order[m]].global;
                    self.race(label, whole, order[n], harm, Some(until));
                }
            }
        }
    }

    /// Each deploy order of `members`, the releases of commit group `group` in this
    /// cluster, named by the first order of the whole group that deploys them so: the
    /// written order first, then the others in lexicographic order of their positions.
    fn deploy_orders(&self, group: usize, members: &[usize]) -> Vec<(Vec<usize>, Vec<usize>)> {
        let (_, first, last) = self.index.groups[group];
        let mut runs: Vec<(Vec<usize>, Vec<usize>)> = if last - first + 1 > MAX_ORDERED {
            // Past the limit only the written order and its reverse, of the whole group.
            let mut reversed = members.to_vec();
            reversed.reverse();
            vec![
                ((first..=last).collect(), members.to_vec()),
                ((first..=last).rev().collect(), reversed),
            ]
        } else {
            orders(members)
                .into_iter()
                .map(|order| {
                    let globals: Vec<usize> =
                        order.iter().map(|&q| self.cl.steps[q].global).collect();
                    (whole_order(first, last, &globals), order)
                })
                .collect()
        };
        runs.sort();
        runs
    }

    /// Reports a race of commit `label` started by the release at cluster position `q`
    /// when the group deploys in the order `whole` (global step indices).
    pub(super) fn race(
        &mut self,
        label: &str,
        whole: &[usize],
        q: usize,
        harm: Harm,
        until: Option<usize>,
    ) {
        let g = self.cl.steps[q].global;
        let names: Vec<String> = whole
            .iter()
            .map(|&s| format!("\"{}\"", self.plan.steps[s].id()))
            .collect();
        let what = self.describe_harm(harm);
        let message = match until {
            Some(u) => format!(
                "If commit \"{label}\" deploys in the order {}, {what} from the moment {} is live until {} is.",
                names.join(" → "),
                self.label(g),
                self.label(u)
            ),
            None => format!(
                "If commit \"{label}\" deploys in the order {}, {what} once {} is live.",
                names.join(" → "),
                self.label(g)
            ),
        };
        let hint = match until {
            Some(u) => format!(
                "Ship {} in a commit of its own before the one with {}: the releases of one commit deploy separately, in any order.",
                self.label(u),
                self.label(g)
            ),
            None => {
                // The group's steps in the written order (a race always has its group).
                let steps = match self.index.groups.iter().find(|grp| grp.0 == label) {
                    Some(&(_, first, last)) => first..last + 1,
                    None => 0..0,
                };
                let written: Vec<String> = steps
                    .map(|s| format!("\"{}\"", self.plan.steps[s].id()))
                    .collect();
                format!(
                    "Ship the releases of commit \"{label}\" as separate commits, in the order {}: their pipelines deploy separately, in any order.",
                    written.join(" → ")
                )
            }
        };
        let comp = harm.comp().or(match self.cl.steps[q].kind {
            CStepKind::Release { comp, .. } => Some(comp),
            CStepKind::Flip { .. } => None,
        });
        let comp = comp.map(|c| self.comp(c).to_string());
        let key = Some(self.key(harm.key()).to_string());
        let finding = self.push(Rule::CommitRace, Some(g), comp, key, message, hint);
        self.findings[finding].until = until;
    }

    /// Deploys `order` from `pre`, as [`deploy`] does.
    pub(super) fn deploy(&self, pre: &Snap, order: &[usize]) -> Deploys {
        let from = Before {
            state: &pre.state,
            stores: &pre.stores,
            broken: &pre.broken,
            stale: &pre.stale,
        };
        deploy(self.cl, self.evaluator, from, order)
    }

    /// Breaks of the written order that start and end inside a commit group are races.
    pub(super) fn written_races(&mut self, breaks: &[Break]) {
        for b in breaks {
            let Some(start) = b.start else { continue };
            let Some(until) = self.findings[b.finding].until else {
                continue;
            };
            let Some(&(label, first, last)) = self
                .index
                .groups
                .iter()
                .find(|g| g.1 <= start && start < g.2)
            else {
                continue;
            };
            if until > last {
                continue;
            }
            let whole: Vec<usize> = (first..=last).collect();
            let Some(q) = self.cl.steps.iter().position(|s| s.global == start) else {
                continue;
            };
            let harm = Harm::Broken(b.comp, b.key, b.access);
            let at = self.findings.len();
            self.race(label, &whole, q, harm, Some(until));
            let race = self.findings.swap_remove(at);
            self.findings[b.finding] = race;
        }
    }
}

/// After each deploy of a commit group's releases in some order: the harms that last
/// while it is live (breaks and stale reads), and the losses and gaps it causes.
pub(super) type Deploys = Vec<(Vec<Harm>, Vec<Harm>)>;

/// The state a commit group deploys from: its facts and toggles, the stores, and what is
/// already broken or stale there.
#[derive(Clone, Copy)]
pub(super) struct Before<'a> {
    pub state: &'a State,
    pub stores: &'a [Store],
    pub broken: &'a [(u32, u32, Access)],
    pub stale: &'a [(u32, u32)],
}

/// Deploys the releases of cluster `cl` at positions `order` from `pre`: after each
/// deploy, the harms that last while it is live (breaks and stale reads) and the losses
/// and gaps its deployment causes.
pub(super) fn deploy(
    cl: &Cluster,
    evaluator: &RefCell<Evaluator>,
    pre: Before,
    order: &[usize],
) -> Deploys {
    let mut state = pre.state.clone();
    let mut stores = pre.stores.to_vec();
    let mut out = Vec::with_capacity(order.len());
    for &q in order {
        let (_, backfills) = apply_step(cl, evaluator, &mut state, &cl.steps[q].kind);
        let mut evaluator = evaluator.borrow_mut();
        let eval = evaluator.evaluate(state.view());
        let events = advance(&mut stores, eval, &backfills);
        let (lasting, data) = harms_since(pre.broken, pre.stale, eval, &events)
            .partition(|h| matches!(h, Harm::Broken(..) | Harm::Stale(..)));
        out.push((lasting, data));
    }
    out
}

/// The lexicographically first order of a commit group's steps (`first..=last`) in which
/// the steps of `sub` deploy in the order given.
fn whole_order(first: usize, last: usize, sub: &[usize]) -> Vec<usize> {
    let mut left: Vec<usize> = (first..=last).collect();
    let mut next = 0;
    let mut out = Vec::with_capacity(left.len());
    while !left.is_empty() {
        let pick = left
            .iter()
            .position(|s| !sub.contains(s) || sub.get(next) == Some(s))
            .unwrap_or(0);
        let s = left.remove(pick);
        if sub.get(next) == Some(&s) {
            next += 1;
        }
        out.push(s);
    }
    out
}

/// Every deploy order of a commit group's releases.
pub(super) fn orders(members: &[usize]) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    let mut current = members.to_vec();
    permute(&mut current, 0, &mut out);
    out
}

fn permute(items: &mut Vec<usize>, k: usize, out: &mut Vec<Vec<usize>>) {
    if k == items.len() {
        out.push(items.clone());
        return;
    }
    for i in k..items.len() {
        items.swap(k, i);
        permute(items, k + 1, out);
        items.swap(k, i);
    }
}
