//! `storyplan import FILE [--component ID]… [--ref REF] [--write] [--prune]` (SPEC §7):
//! each component's `current` facts compared with what its sources yield, at the working
//! tree or a git ref. `+` what the sources have that `current` lacks, `−` what `current`
//! has of the kinds the sources yield that they lack. `--write` adds what is missing to
//! `current` (and `--prune` removes what the sources lack), saved canonically and
//! atomically, never over a file changed meanwhile. Exit 0 in sync (or written), 1 not in
//! sync, 2 when the plan, a ref or a source cannot be read.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::compose::import::apply;
use crate::plan::Plan;
use crate::sources::import::{Imported, import};
use crate::sources::tree_at;
use crate::store::{self, Stamp};
use crate::text::clean_line;

use super::Exit;
use super::facts::{write_error, write_warnings};

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub file: PathBuf,
    /// Only these components; every component with sources when empty.
    pub components: Vec<String>,
    /// Read the sources at this git ref instead of the working tree.
    pub reference: Option<String>,
    pub write: bool,
    pub prune: bool,
}

/// Runs `storyplan import` with paths relative to `cwd`.
pub fn run(
    options: &Options,
    cwd: &Path,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<Exit> {
    let path = cwd.join(&options.file);
    let shown = options.file.display().to_string();
    let loaded = match store::load(&path) {
        Ok(loaded) => loaded,
        Err(mut error) => {
            error.file = options.file.clone();
            writeln!(err, "storyplan: {}", clean_line(&error.to_string()))?;
            return Ok(Exit::Unreadable);
        }
    };
    let stamp = Stamp::of_bytes(loaded.source.as_bytes());
    let plan = loaded.plan;
    let components = match chosen(&plan, &options.components) {
        Ok(components) => components,
        Err(problem) => {
            writeln!(err, "storyplan: {shown}: {}", clean_line(&problem))?;
            return Ok(Exit::Unreadable);
        }
    };
    let start = path.parent().unwrap_or(cwd);
    let Some(root) = store::find_git_root(start).or_else(|| store::find_git_root(cwd)) else {
        writeln!(
            err,
            "storyplan: {shown} is not inside a git repository: source paths are relative to its root"
        )?;
        return Ok(Exit::Unreadable);
    };
    let tree = match tree_at(&root, options.reference.as_deref()) {
        Ok(tree) => tree,
        Err(problem) => {
            writeln!(err, "storyplan: {}", clean_line(&problem))?;
            return Ok(Exit::Unreadable);
        }
    };
    let imported = match import(&plan, tree.as_ref(), &components) {
        Ok(imported) => imported,
        Err(errors) => {
            for error in &errors {
                write_error(err, error)?;
            }
            return Ok(Exit::Unreadable);
        }
    };
    write_warnings(err, &imported.warnings)?;
    report(&plan, &imported, out)?;
    if imported.in_sync() {
        out.flush()?;
        return Ok(Exit::Clean);
    }
    if !options.write {
        let add: usize = imported.comparisons.iter().map(|c| c.added.len()).sum();
        let lack: usize = imported.comparisons.iter().map(|c| c.removed.len()).sum();
        writeln!(
            out,
            "Not in sync: {add} to add, {lack} the sources lack. storyplan import {shown} --write adds what current lacks; --prune also removes what the sources lack"
        )?;
        out.flush()?;
        return Ok(Exit::Findings);
    }
    let mut updated = plan.clone();
    let (added, removed) = apply(&mut updated, &imported.comparisons, options.prune);
    if updated == plan {
        out.flush()?;
        return Ok(Exit::Clean);
    }
    // Never over someone else's edit made since the plan was read.
    match Stamp::of_file(&path) {
        Ok(Some(now)) if now == stamp => {}
        Ok(_) => {
            writeln!(
                err,
                "storyplan: {shown} changed on disk while its sources were read; nothing written, run import again"
            )?;
            return Ok(Exit::Unreadable);
        }
        Err(error) => {
            writeln!(err, "storyplan: {shown}: {error}")?;
            return Ok(Exit::Unreadable);
        }
    }
    if let Err(error) = store::save_atomic(&path, &updated) {
        writeln!(err, "storyplan: cannot write {shown}: {error}")?;
        return Ok(Exit::Unreadable);
    }
    let facts = |n: usize| if n == 1 { "fact" } else { "facts" };
    let mut said = format!("Wrote {shown}: added {added} {}", facts(added));
    if options.prune {
        said.push_str(&format!(", removed {removed} {}", facts(removed)));
    }
    writeln!(out, "{}", clean_line(&said))?;
    out.flush()?;
    Ok(Exit::Clean)
}

/// The indices of the components named, each of which must have sources; none named,
/// every component with sources (at least one).
fn chosen(plan: &Plan, names: &[String]) -> Result<Vec<usize>, String> {
    if names.is_empty() {
        if plan.components.iter().all(|c| c.sources.is_empty()) {
            return Err(
                "no component has sources: add them, e.g. sources: [OpenApi(\"api/openapi.yaml\")]"
                    .into(),
            );
        }
        return Ok(Vec::new());
    }
    let mut chosen = Vec::new();
    for name in names {
        let Some(i) = plan.components.iter().position(|c| c.id == name.trim()) else {
            let ids = plan.components.iter().map(|c| c.id.as_str());
            return Err(match crate::suggest::closest(name, ids) {
                Some(best) => format!("there is no component {name}: did you mean {best}?"),
                None => format!("there is no component {name}"),
            });
        };
        if plan.components[i].sources.is_empty() {
            return Err(format!("component {name} has no sources to import from"));
        }
        if !chosen.contains(&i) {
            chosen.push(i);
        }
    }
    Ok(chosen)
}

/// One block per component: its sources, then `+` and `−` lines, or "in sync".
fn report(plan: &Plan, imported: &Imported, out: &mut dyn Write) -> io::Result<()> {
    for comparison in &imported.comparisons {
        let Some(c) = plan.components.get(comparison.component) else {
            continue;
        };
        let sources: Vec<String> = c.sources.iter().map(ToString::to_string).collect();
        let head = format!("{} ← {}", c.id, sources.join(", "));
        if comparison.in_sync() {
            writeln!(out, "{}: in sync", clean_line(&head))?;
            continue;
        }
        writeln!(out, "{}", clean_line(&head))?;
        for fact in &comparison.added {
            writeln!(out, "  + {}", clean_line(&fact.to_string()))?;
        }
        for fact in &comparison.removed {
            writeln!(out, "  − {}", clean_line(&fact.to_string()))?;
        }
    }
    Ok(())
}
