//! The checker: simulates a plan step by step and reports where the order breaks a
//! consumer or loses data. Pure: no IO, no terminal.

mod budget;
mod index;
mod report;
mod sim;
mod state;
pub mod words;

pub use budget::{Entangled, MAX_WORK, entangled};
pub use index::MAX_SUGGESTED;
pub use report::{Finding, Report, Rollback, Rule, Severity, Status, StepReport, Summary};
pub use sim::prefix::{Least, Prefix, Runs, Stepper, Tally};

use std::cell::OnceCell;
use std::hash::Hash;
use std::rc::Rc;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::plan::{Component, Fact, Plan, Step, Switch};
use words::step_label;

/// Checks a plan: every finding, and each step's status and rollback window.
pub fn check(plan: &Plan) -> Report {
    check_with(plan, true, sim::Judging::Auto)
}

/// Checks a plan simulated whole, without splitting it into independent key groups, and
/// judging every revert at every later step: slower, and the same report as `check` (the
/// tests hold the split and the rollback analysis's shortcut to that).
#[doc(hidden)]
pub fn check_whole(plan: &Plan) -> Report {
    check_with(plan, false, sim::Judging::EveryStep)
}

/// Checks a plan as `check` does, following what reverts reach in every cluster, however
/// short (`check` does so in long clusters only): the same report, for the tests to hold
/// that shortcut to `check_whole`.
#[doc(hidden)]
pub fn check_reaching(plan: &Plan) -> Report {
    check_with(plan, true, sim::Judging::Reach)
}

fn check_with(plan: &Plan, split: bool, judging: sim::Judging) -> Report {
    let mut index = index::build(plan, split);
    let mut findings = compile_findings(plan, &index);
    let clusters = std::mem::take(&mut index.clusters);
    let windows = simulate(plan, &index, clusters, judging, &mut findings);
    let finals = replay(&index);
    let mut steps = step_reports(windows, &mut findings);
    step_rules(plan, &index, &mut findings);
    end_rules(plan, &finals, &mut findings);
    // A component that was not simulated (its id is taken by another) keeps its current facts.
    let finals = finals
        .into_iter()
        .zip(&plan.components)
        .map(|(last, component)| last.unwrap_or_else(|| component.current.clone()))
        .collect();
    accept(plan, &mut findings);
    sort(&mut findings);
    for f in &findings {
        let Some(step) = f.step else { continue };
        steps[step].status = steps[step].status.max(status(f.severity));
    }
    Report {
        findings,
        steps,
        finals,
    }
}

/// The findings of compiling: bad references, and releases with no changes.
fn compile_findings(plan: &Plan, index: &index::Index) -> Vec<Finding> {
    let mut findings: Vec<Finding> = Vec::new();
    for bad in &index.bad {
        findings.push(Finding::new(
            Rule::BadReference,
            bad.step,
            bad.component.clone(),
            bad.key.clone(),
            bad.message.clone(),
            bad.hint.clone(),
        ));
    }
    // A release with no changes touches no cluster.
    for (i, release) in index.releases.iter().enumerate() {
        if let Some((comp, ops)) = release
            && ops.is_empty()
        {
            let comp = &plan.components[comp].id;
            findings.push(Finding::new(
                Rule::NoopChange,
                Some(i),
                Some(comp.clone()),
                None,
                format!("{} releases {comp} with no changes.", step_label(plan, i)),
                "Add the changes this release makes, or delete the step.".to_string(),
            ));
        }
    }
    findings
}

/// The rollback windows that are not safe: for each step, the place of its window in
/// `kept` (`NONE`: safe). Steps are many and unsafe windows few, so a window is kept
/// only where there is one.
struct Windows {
    slot: Vec<u32>,
    kept: Vec<sim::Window>,
}

impl Windows {
    const NONE: u32 = u32::MAX;
}

/// Simulates every cluster, pushing its findings; returns each step's rollback window
/// that is not safe. A release in several clusters gets the window that ranks first.
/// Each cluster is dropped as soon as it is simulated, while its memory is still in cache.
fn simulate(
    plan: &Plan,
    index: &index::Index,
    clusters: Vec<index::Cluster>,
    judging: sim::Judging,
    findings: &mut Vec<Finding>,
) -> Windows {
    let mut windows = Windows {
        slot: vec![Windows::NONE; plan.steps.len()],
        kept: Vec::new(),
    };
    let mut space = sim::Workspace::default();
    space.judging = judging;
    for cluster in clusters {
        for (global, window) in sim::run(plan, index, &cluster, &space, findings) {
            let slot = &mut windows.slot[global];
            match windows.kept.get_mut(*slot as usize) {
                Some(kept) if window.rank < kept.rank => *kept = window,
                Some(_) => {}
                None => {
                    *slot = windows.kept.len() as u32;
                    windows.kept.push(window);
                }
            }
        }
    }
    windows
}

/// Each step's report, its status not judged yet: its rollback window (a window that is
/// not safe is a finding too).
fn step_reports(windows: Windows, findings: &mut Vec<Finding>) -> Vec<StepReport> {
    let steps = windows
        .slot
        .iter()
        .map(|&slot| StepReport {
            status: Status::Ok,
            rollback: windows
                .kept
                .get(slot as usize)
                .map_or(Rollback::Safe, |w| w.rollback),
        })
        .collect();
    findings.extend(windows.kept.into_iter().map(|w| w.finding));
    steps
}

/// The status a finding of this severity gives its step.
fn status(severity: Severity) -> Status {
    match severity {
        Severity::Error => Status::Error,
        Severity::Warning => Status::Warning,
        Severity::Info | Severity::Accepted => Status::Ok,
    }
}

/// Sorts findings as `Report::findings` documents: by step (plan-wide first), then
/// severity, rule, component, key and message. Their places are sorted and the findings
/// moved into them in place, each once: a finding is large, and a sort moves each of
/// them many times.
fn sort(findings: &mut [Finding]) {
    let key = |f: &Finding| (f.step.map_or(0, |s| s + 1), f.severity, f.rule);
    let mut order: Vec<u32> = (0..findings.len() as u32).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&findings[a as usize], &findings[b as usize]);
        (key(a), &a.component, &a.key, &a.message).cmp(&(key(b), &b.component, &b.key, &b.message))
    });
    permute(findings, &mut order);
}

/// Puts `items[order[i]]` at place `i` for every `i`, following the permutation's cycles;
/// `order` is left as the identity.
fn permute<T>(items: &mut [T], order: &mut [u32]) {
    for start in 0..order.len() {
        let mut at = start;
        while order[at] as usize != start {
            let from = order[at] as usize;
            items.swap(at, from);
            order[at] = at as u32;
            at = from;
        }
        order[at] = at as u32;
    }
}

/// Replays the releases on whole components: each simulated component's final facts.
/// Clusters hold a component's facts in pieces; this keeps them in one list, in the order
/// the plan gives them (current facts in file order, additions appended). A step's facts
/// are not kept here (that grows with the square of the plan): `Plan::facts_after` gives
/// them for the one step that is asked about.
fn replay(index: &index::Index) -> Vec<Option<Vec<Fact>>> {
    let mut facts: Vec<Option<state::Replayed>> = index
        .current
        .iter()
        .map(|c| Some(state::Replayed::new(Rc::new(c.clone()?))))
        .collect();
    for (comp, ops) in index.releases.iter().flatten() {
        if let Some(replayed) = &mut facts[comp] {
            for &op in ops {
                replayed.apply(op);
            }
        }
    }
    facts
        .iter()
        .map(|entry| {
            let replayed = entry.as_ref()?;
            Some(replayed.list.iter().map(|a| index.fact(a)).collect())
        })
        .collect()
}

/// Rules about single steps that need no simulation.
fn step_rules(plan: &Plan, index: &index::Index, findings: &mut Vec<Finding>) {
    let mut first_unshipped: Option<usize> = None;
    for (i, step) in plan.steps.iter().enumerate() {
        // The component compiling found for the release (the first of its id).
        if let Some((released, _)) = index.releases.get(i)
            && plan.components[released].kind == crate::plan::Kind::External
            && let Some(c) = step.component()
        {
            findings.push(Finding::new(
                Rule::ExternalRelease,
                Some(i),
                Some(c.to_string()),
                None,
                format!("{} releases {c}, a third party the team does not deploy.", step_label(plan, i)),
                format!(
                    "Agree the change and its date with {c}'s owners, or model it as a flip if they switch it at runtime."
                ),
            ));
        }
        match (step.shipped(), first_unshipped) {
            (true, Some(j)) => findings.push(Finding::new(
                Rule::ShippedOrder,
                Some(i),
                step.component().map(str::to_string),
                None,
                format!("{} is marked shipped, but {} before it is not.", step_label(plan, i), step_label(plan, j)),
                format!(
                    "Steps go live in plan order: mark {} shipped if it is live, or move {} before it.",
                    step_label(plan, j),
                    step_label(plan, i)
                ),
            )),
            (false, None) => first_unshipped = Some(i),
            _ => {}
        }
    }
}

/// Rules about where the plan ends: toggles left behind, targets not reached.
fn end_rules(plan: &Plan, finals: &[Option<Vec<Fact>>], findings: &mut Vec<Finding>) {
    let mut flips_on = OnceCell::new();
    for (c, component) in plan.components.iter().enumerate() {
        let Some(last) = &finals[c] else { continue };
        toggles_left_behind(plan, component, last, &mut flips_on, findings);
        target_not_reached(component, last, findings);
    }
}

/// The items of `list` that `other` lacks, in `list`'s order: looked up in a set when
/// `other` is long, so that comparing two long lists stays linear.
fn lacking<'a, T: Eq + Hash>(list: &'a [T], other: &[T]) -> Vec<&'a T> {
    if other.len() <= SCAN_UP_TO {
        return list.iter().filter(|x| !other.contains(x)).collect();
    }
    let other: HashSet<&T> = other.iter().collect();
    list.iter().filter(|x| !other.contains(x)).collect()
}

/// Lists up to this long are scanned; longer ones are put in a set first.
const SCAN_UP_TO: usize = 16;

/// The last step that flips each toggle on, by the toggle's name: found on the first
/// toggle left behind, in one pass over the plan.
fn last_flips_on(plan: &Plan) -> HashMap<&str, usize> {
    let mut last = HashMap::default();
    for (i, step) in plan.steps.iter().enumerate() {
        if let Step::Flip {
            toggle,
            to: Switch::On,
            ..
        } = step
        {
            last.insert(toggle.trim(), i);
        }
    }
    last
}

fn toggles_left_behind<'p>(
    plan: &'p Plan,
    component: &Component,
    last: &[Fact],
    flips_on: &mut OnceCell<HashMap<&'p str, usize>>,
    findings: &mut Vec<Finding>,
) {
    if last.iter().all(|f| f.gate.is_none()) {
        return;
    }
    let target_gates: Vec<&str> = component
        .target
        .iter()
        .flatten()
        .filter_map(|f| f.gate.as_deref())
        .collect();
    let gates: Vec<&str> = last.iter().filter_map(|f| f.gate.as_deref()).collect();
    let mut left: Vec<&str> = lacking(&gates, &target_gates)
        .into_iter()
        .copied()
        .collect();
    left.sort_unstable();
    left.dedup();
    for toggle in left {
        let flip_on = flips_on.get_or_init(|| last_flips_on(plan)).get(toggle);
        let after = match flip_on.copied() {
            Some(i) => format!("after {}", step_label(plan, i)),
            None => "once the toggle is on for good".to_string(),
        };
        findings.push(Finding::new(
            Rule::ToggleLeftBehind,
            None,
            Some(component.id.clone()),
            Some(toggle.to_string()),
            format!(
                "{} still has facts gated by \"{toggle}\" at the end of the plan.",
                component.id
            ),
            format!(
                "Add a release of {} with Ungate(\"{toggle}\") {after}.",
                component.id
            ),
        ));
    }
}

/// How the end (`last`) of `component` differs from its target, if it has one.
fn target_not_reached(component: &Component, last: &[Fact], findings: &mut Vec<Finding>) {
    let Some(target) = &component.target else {
        return;
    };
    if target == last {
        return;
    }
    let missing = lacking(target, last);
    let extra = lacking(last, target);
    if missing.is_empty() && extra.is_empty() {
        return;
    }
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!("missing {}", list(&missing)));
    }
    if !extra.is_empty() {
        parts.push(format!("extra {}", list(&extra)));
    }
    findings.push(Finding::new(
        Rule::TargetNotReached,
        None,
        Some(component.id.clone()),
        None,
        format!(
            "{} ends the plan short of its target: {}.",
            component.id,
            parts.join("; ")
        ),
        format!(
            "Add releases of {} that close the difference, or correct its target.",
            component.id
        ),
    ));
}

fn list(facts: &[&Fact]) -> String {
    const SHOWN: usize = 3;
    let mut out: Vec<String> = facts.iter().take(SHOWN).map(|f| f.to_string()).collect();
    if facts.len() > SHOWN {
        out.push(format!("and {} more", facts.len() - SHOWN));
    }
    out.join(", ")
}

/// Marks the findings the plan accepts, and reports acceptances that cannot apply.
fn accept(plan: &Plan, findings: &mut Vec<Finding>) {
    let mut bad = Vec::new();
    for (n, acceptance) in plan.accepted.iter().enumerate() {
        let rule = Rule::from_id(acceptance.rule.trim());
        let step = acceptance.step.as_deref().map(str::trim);
        let step_index = step.map(|id| plan.step_index(id));
        let problem = if rule.is_none() {
            Some(format!(
                "Accepted finding {} names the rule \"{}\", which does not exist.",
                n + 1,
                acceptance.rule
            ))
        } else if let (Some(id), Some(None)) = (step, step_index) {
            Some(format!(
                "Accepted finding {} names the step \"{id}\", which is not in the plan.",
                n + 1
            ))
        } else if acceptance.reason.trim().is_empty() {
            Some(format!("Accepted finding {} gives no reason.", n + 1))
        } else {
            None
        };
        if let Some(message) = problem {
            bad.push(Finding::new(
                Rule::BadReference,
                None,
                None,
                acceptance.key.clone(),
                message,
                "Name an existing rule and step, and say why the finding is acceptable.".into(),
            ));
            continue;
        }
        let step_index = step_index.flatten();
        for f in findings.iter_mut() {
            if Some(f.rule) == rule
                && f.step == step_index
                && acceptance
                    .key
                    .as_deref()
                    .is_none_or(|key| f.key.as_deref() == Some(key.trim()))
            {
                f.severity = Severity::Accepted;
                f.reason = Some(acceptance.reason.clone());
            }
        }
    }
    findings.extend(bad);
}

#[cfg(test)]
mod tests {
    use super::permute;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn permute_puts_each_item_where_the_order_says(
            order in (0usize..40).prop_flat_map(|n| Just((0..n as u32).collect::<Vec<_>>()).prop_shuffle())
        ) {
            let items: Vec<u32> = (0..order.len() as u32).map(|i| i * 7 + 1).collect();
            let expected: Vec<u32> = order.iter().map(|&i| items[i as usize]).collect();
            let (mut items, mut order) = (items, order);
            permute(&mut items, &mut order);
            prop_assert_eq!(items, expected);
        }
    }
}
