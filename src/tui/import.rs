//! `I` on the board: the selected component's `current` facts compared with its sources
//! (SPEC §7), shown as a preview that Enter applies as one undo step, as
//! `storyplan import --write --prune` would.

use std::path::PathBuf;

use super::editing::notice;
use super::model::{Model, Overlay, Pane, Source};
use super::msg::Effect;
use crate::check::check;
use crate::compose::import::{Comparison, apply};
use crate::sources::import::Imported;

/// The component `I` is about: the selected one in the components pane, else the one
/// the selected step releases.
fn chosen(model: &Model) -> Option<usize> {
    if model.pane == Pane::Components {
        return (model.component < model.plan.components.len()).then_some(model.component);
    }
    let id = model.plan.steps.get(model.selected)?.component()?;
    model.plan.components.iter().position(|c| c.id == id)
}

/// `I`: asks the loop to read the component's sources.
pub fn start(model: &mut Model) -> Option<Effect> {
    let Some(component) = chosen(model) else {
        notice(
            model,
            "Select a component to import its facts from its sources",
            false,
        );
        return None;
    };
    let c = &model.plan.components[component];
    if c.sources.is_empty() {
        let id = c.id.clone();
        notice(
            model,
            format!("{id} has no sources: e on it adds them (openapi:PATH, sql:PATH, pact:PATH)"),
            false,
        );
        return None;
    }
    if !matches!(model.source, Source::File { .. }) {
        notice(
            model,
            "Importing reads the repository's files: open a plan file of the repository",
            true,
        );
        return None;
    }
    let Some(root) = model.repository.root(&model.source).map(PathBuf::from) else {
        notice(
            model,
            "The plan is not inside a git repository: source paths are relative to its root",
            true,
        );
        return None;
    };
    Some(Effect::Import {
        root,
        plan: Box::new(model.plan.clone()),
        component,
    })
}

/// What the loop read: the preview, or why there is none.
pub fn done(model: &mut Model, result: Result<Imported, String>) {
    let imported = match result {
        Ok(imported) => imported,
        Err(problem) => return notice(model, problem, true),
    };
    let Some(comparison) = imported.comparisons.into_iter().next() else {
        return;
    };
    let Some(c) = model.plan.components.get(comparison.component) else {
        return;
    };
    if comparison.in_sync() {
        let warned = match imported.warnings.len() {
            0 => String::new(),
            n => format!(" ({n} warnings: storyplan import lists them)"),
        };
        return notice(
            model,
            format!("{} is in sync with its sources{warned}", c.id),
            false,
        );
    }
    let mut applied = model.plan.clone();
    apply(&mut applied, std::slice::from_ref(&comparison), true);
    let would_be = check(&applied).summary();
    model.overlay = Some(Overlay::Import {
        comparison: Box::new(comparison),
        warnings: imported.warnings,
        would_be,
        scroll: 0,
    });
}

/// Enter applies the comparison (adds and removes, one undo step); Esc leaves the plan.
pub fn answer(model: &mut Model, take: bool) {
    let Some(Overlay::Import { comparison, .. }) = model.overlay.take() else {
        return;
    };
    if !take {
        return notice(model, "Import discarded", false);
    }
    let comparison: Comparison = *comparison;
    let id = model
        .plan
        .components
        .get(comparison.component)
        .map(|c| c.id.clone())
        .unwrap_or_default();
    let result = model.edit(|plan| {
        let (added, removed) = apply(plan, std::slice::from_ref(&comparison), true);
        Ok(format!(
            "Imported into {id}: {added} added, {removed} removed (u brings them back)"
        ))
    });
    match result {
        Ok(done) => notice(model, done, false),
        Err(problem) => notice(model, problem, true),
    }
}
