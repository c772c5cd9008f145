//! Commit groups: releases that share a commit label deploy from one commit, so they must
//! be adjacent and release different components.

use rustc_hash::FxHashMap as HashMap;
use std::collections::hash_map::Entry;

use super::BadRef;
use crate::check::words::step_label;
use crate::plan::Plan;

/// A well-formed commit group: its label, first step and last step.
pub(super) type Group<'a> = (&'a str, usize, usize);

/// Finds the commit groups: releases sharing a label must be adjacent and release
/// different components. Malformed groups are reported and then treated as plain steps.
pub(super) fn commit_groups<'a>(
    plan: &'a Plan,
    comp_ids: &HashMap<&str, usize>,
    bad: &mut Vec<BadRef>,
) -> Vec<Group<'a>> {
    let mut groups = Vec::new();
    for (label, list) in members(plan) {
        let (first, last) = (list[0], list[list.len() - 1]);
        let adjacent = adjacent(plan, label, &list, bad);
        let once_each = once_each(plan, comp_ids, label, &list, bad);
        if adjacent && once_each && list.len() > 1 {
            groups.push((label, first, last));
        }
    }
    groups.sort_by_key(|g| g.1);
    groups
}

/// The commit group of each of the plan's `steps`, if it is in a well-formed one.
pub(super) fn group_of_steps(steps: usize, groups: &[Group]) -> Vec<Option<usize>> {
    let mut group_of = vec![None; steps];
    for (n, &(_, first, last)) in groups.iter().enumerate() {
        group_of[first..=last].fill(Some(n));
    }
    group_of
}

/// Each commit label with its releases, in the order the labels first appear.
fn members(plan: &Plan) -> Vec<(&str, Vec<usize>)> {
    let mut members: Vec<(&str, Vec<usize>)> = Vec::new();
    let mut by_label: HashMap<&str, usize> = HashMap::default();
    for (i, step) in plan.steps.iter().enumerate() {
        if let Some(label) = step.commit() {
            match by_label.entry(label) {
                Entry::Occupied(n) => members[*n.get()].1.push(i),
                Entry::Vacant(slot) => {
                    slot.insert(members.len());
                    members.push((label, vec![i]));
                }
            }
        }
    }
    members
}

/// Whether each release of commit `label` directly follows the commit's previous one;
/// reports each that does not.
fn adjacent(plan: &Plan, label: &str, list: &[usize], bad: &mut Vec<BadRef>) -> bool {
    let mut ok = true;
    for pair in list.windows(2) {
        let (previous, release) = (pair[0], pair[1]);
        if release == previous + 1 {
            continue;
        }
        ok = false;
        let between: Vec<String> = (previous + 1..release)
            .map(|s| step_label(plan, s).to_string())
            .collect();
        bad.push(BadRef {
            step: Some(release),
            component: plan.steps[release].component().map(str::to_string),
            key: None,
            message: format!(
                "{} is in commit \"{label}\" but does not follow {}, the commit's previous release: {} {} between them.",
                step_label(plan, release),
                step_label(plan, previous),
                between.join(", "),
                if between.len() == 1 { "sits" } else { "sit" }
            ),
            hint: format!(
                "Move {} out from between the releases of commit \"{label}\", or {} next to {}.",
                between.join(" and "),
                step_label(plan, release),
                step_label(plan, previous)
            ),
        });
    }
    ok
}

/// Whether the releases of commit `label` release each component once; reports each
/// second release of one.
fn once_each(
    plan: &Plan,
    comp_ids: &HashMap<&str, usize>,
    label: &str,
    list: &[usize],
    bad: &mut Vec<BadRef>,
) -> bool {
    let mut ok = true;
    let mut seen: HashMap<usize, usize> = HashMap::default();
    for &i in list {
        let Some(c) = plan.steps[i]
            .component()
            .and_then(|c| comp_ids.get(c.trim()))
        else {
            continue;
        };
        if let Some(&other) = seen.get(c) {
            ok = false;
            let comp = &plan.components[*c].id;
            bad.push(BadRef {
                step: Some(i),
                component: Some(comp.clone()),
                key: None,
                message: format!(
                    "Commit \"{label}\" releases {comp} twice ({} and {}): one pipeline deploys a component once per commit.",
                    step_label(plan, other),
                    step_label(plan, i)
                ),
                hint: format!("Merge the two releases of {comp}, or ship them in separate commits."),
            });
        } else {
            seen.insert(*c, i);
        }
    }
    ok
}
