//! Plan edits that keep references whole: renaming a component, toggle or step updates
//! everything that names it, and copies get ids of their own. The board makes each of
//! these one undo step; they are pure and know nothing about terminals.

use crate::plan::{Change, Plan, Step};

/// A file-name and id friendly form of a title: lowercase ASCII letters, digits and
/// single dashes, no dash at either end; `"story"` when nothing is left.
pub fn slug(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        "story".to_string()
    } else {
        out
    }
}

/// `base` if it is free, else the first free one of `base-2`, `base-3`, …
pub fn fresh_id(taken: impl Fn(&str) -> bool, base: &str) -> String {
    if !taken(base) {
        return base.to_string();
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|id| !taken(id))
        .expect("some suffix is free")
}

/// The id a rename gives, or why it refuses: empty, or taken by another item.
fn new_id(kind: &str, new: &str, taken: bool) -> Result<String, String> {
    let new = new.trim();
    if new.is_empty() {
        return Err(format!("A {kind} id cannot be empty"));
    }
    if taken {
        return Err(format!("Another {kind} already has the id \"{new}\""));
    }
    Ok(new.to_string())
}

/// Renames a component and every release of it.
pub fn rename_component(plan: &mut Plan, old: &str, new: &str) -> Result<(), String> {
    let old = old.trim();
    let Some(index) = plan.components.iter().position(|c| c.id == old) else {
        return Err(format!("There is no component \"{old}\""));
    };
    if new.trim() == old {
        return Ok(());
    }
    let taken = plan.components.iter().any(|c| c.id == new.trim());
    let new = new_id("component", new, taken)?;
    plan.components[index].id = new.clone();
    for step in &mut plan.steps {
        if let Step::Release { component, .. } = step
            && component == old
        {
            *component = new.clone();
        }
    }
    Ok(())
}

/// Renames a toggle and every reference to it: gates of current and target facts and of
/// the facts in changes, `Ungate` changes, flips, and accepted findings that name it.
pub fn rename_toggle(plan: &mut Plan, old: &str, new: &str) -> Result<(), String> {
    let old = old.trim();
    let Some(index) = plan.toggles.iter().position(|t| t.id == old) else {
        return Err(format!("There is no toggle \"{old}\""));
    };
    if new.trim() == old {
        return Ok(());
    }
    let taken = plan.toggles.iter().any(|t| t.id == new.trim());
    let new = new_id("toggle", new, taken)?;

    // Accepted findings keyed by the toggle: left behind, or a flip or ungate of it. A key
    // that happens to equal the toggle's id on any other finding is a fact's key.
    let about_toggle: Vec<bool> = plan
        .accepted
        .iter()
        .map(|a| {
            a.key.as_deref() == Some(old)
                && (a.rule == "toggle-left-behind"
                    || a.step.as_deref().is_some_and(|id| {
                        plan.steps
                            .iter()
                            .any(|s| s.id() == id.trim() && step_names_toggle(s, old))
                    }))
        })
        .collect();
    for (accept, about) in plan.accepted.iter_mut().zip(about_toggle) {
        if about {
            accept.key = Some(new.clone());
        }
    }

    plan.toggles[index].id = new.clone();
    let regate = |gate: &mut Option<String>| {
        if gate.as_deref() == Some(old) {
            *gate = Some(new.clone());
        }
    };
    for component in &mut plan.components {
        for fact in component
            .current
            .iter_mut()
            .chain(component.target.iter_mut().flatten())
        {
            regate(&mut fact.gate);
        }
    }
    for step in &mut plan.steps {
        match step {
            Step::Release { changes, .. } => {
                for change in changes {
                    match change {
                        Change::Add(fact) | Change::Remove(fact) => regate(&mut fact.gate),
                        Change::Ungate(toggle) if toggle == old => *toggle = new.clone(),
                        Change::Ungate(_) | Change::Backfill { .. } => {}
                    }
                }
            }
            Step::Flip { toggle, .. } => {
                if toggle == old {
                    *toggle = new.clone();
                }
            }
        }
    }
    Ok(())
}

/// A flip of the toggle, or a release that ungates it: steps whose findings are keyed by
/// the toggle's id.
fn step_names_toggle(step: &Step, toggle: &str) -> bool {
    match step {
        Step::Flip { toggle: t, .. } => t == toggle,
        Step::Release { changes, .. } => changes
            .iter()
            .any(|c| matches!(c, Change::Ungate(t) if t == toggle)),
    }
}

/// Renames a step and the accepted findings that name it.
pub fn rename_step(plan: &mut Plan, old: &str, new: &str) -> Result<(), String> {
    let old = old.trim();
    let Some(index) = plan.steps.iter().position(|s| s.id() == old) else {
        return Err(format!("There is no step \"{old}\""));
    };
    if new.trim() == old {
        return Ok(());
    }
    let taken = plan.steps.iter().any(|s| s.id() == new.trim());
    let new = new_id("step", new, taken)?;
    match &mut plan.steps[index] {
        Step::Release { id, .. } | Step::Flip { id, .. } => *id = new.clone(),
    }
    for accept in &mut plan.accepted {
        if accept.step.as_deref() == Some(old) {
            accept.step = Some(new.clone());
        }
    }
    Ok(())
}

/// Copies the step at `index` right after it, with a fresh id (`<id>-copy`, then
/// `<id>-copy-2`, …), and returns the copy's index. The copy is a new step: it is not
/// shipped, has no PR, and belongs to no commit (a commit releases a component once).
///
/// Panics if `index` is out of range.
pub fn duplicate_step(plan: &mut Plan, index: usize) -> usize {
    let mut copy = plan.steps[index].clone();
    let base = format!("{}-copy", plan.steps[index].id());
    let fresh = fresh_id(|id| plan.steps.iter().any(|s| s.id() == id), &base);
    match &mut copy {
        Step::Release {
            id,
            shipped,
            commit,
            pr,
            ..
        } => {
            *id = fresh;
            *shipped = false;
            *commit = None;
            *pr = None;
        }
        Step::Flip { id, shipped, .. } => {
            *id = fresh;
            *shipped = false;
        }
    }
    plan.steps.insert(index + 1, copy);
    index + 1
}

/// Copies the component at `index` right after it, with a fresh id (`<id>-copy`, …) and
/// its name marked as a copy, and returns the copy's index. No step releases the copy.
///
/// Panics if `index` is out of range.
pub fn duplicate_component(plan: &mut Plan, index: usize) -> usize {
    let mut copy = plan.components[index].clone();
    let base = format!("{}-copy", copy.id);
    copy.id = fresh_id(|id| plan.components.iter().any(|c| c.id == id), &base);
    copy.name = format!("{} (copy)", copy.name);
    plan.components.insert(index + 1, copy);
    index + 1
}

/// The value of a toggle just before step `step_index` (its `initially` value, then the
/// flips before that step), or `None` if the plan does not declare it.
pub fn toggle_before(plan: &Plan, toggle: &str, step_index: usize) -> Option<crate::plan::Switch> {
    let toggle = toggle.trim();
    let declared = plan.toggles.iter().find(|t| t.id == toggle)?;
    let end = step_index.min(plan.steps.len());
    let flipped = plan.steps[..end].iter().rev().find_map(|s| match s {
        Step::Flip { toggle: t, to, .. } if t == toggle => Some(*to),
        _ => None,
    });
    Some(flipped.unwrap_or(declared.initially))
}
