//! A plan's components compared with their sources, for `storyplan import` and the
//! board's import preview: each component's sources read from one tree (the working
//! tree or a git revision), Pact paths matched to the endpoints the plan's other
//! components provide, the plan's spelling of path parameters kept. [`derive`] is the
//! reading alone, for `verify`, which compares what the sources yield at two revisions.

use crate::compose::import::{Comparison, compare};
use crate::plan::{Access, Fact, Plan, Source};

use super::{Derived, SourceError, Templates, Tree, Warning, read, respell};

/// The comparisons of the components asked about, and the warnings their sources gave.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Imported {
    pub comparisons: Vec<Comparison>,
    pub warnings: Vec<Warning>,
}

impl Imported {
    pub fn in_sync(&self) -> bool {
        self.comparisons.iter().all(Comparison::in_sync)
    }
}

/// Each component's facts as its sources yield them in one tree: sorted, without
/// duplicates, keys in the plan's spelling; and the warnings the sources gave.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Derivation {
    /// The component's index in the plan, and its derived facts.
    pub facts: Vec<(usize, Vec<Fact>)>,
    pub warnings: Vec<Warning>,
}

/// Compares the components at `components` (indices into the plan; every component
/// with sources when empty) with what their sources yield in `tree`. A source of theirs
/// that cannot be read is an error; an OpenAPI source of another component that cannot
/// be read only leaves its endpoints out of the Pact matching, with a warning.
pub fn import(
    plan: &Plan,
    tree: &dyn Tree,
    components: &[usize],
) -> Result<Imported, Vec<SourceError>> {
    let derivation = derive(plan, tree, components)?;
    let comparisons = derivation
        .facts
        .iter()
        .map(|(i, facts)| compare(plan, *i, facts))
        .collect();
    Ok(Imported {
        comparisons,
        warnings: derivation.warnings,
    })
}

/// Reads the sources of the components at `components` (indices into the plan; every
/// component with sources when empty) in `tree`, as `import` compares them: Pact paths
/// matched to the endpoints of the plan's OpenAPI sources and `Provide` facts, keys
/// respelled to the plan's spelling. Errors and warnings as for [`import`].
pub fn derive(
    plan: &Plan,
    tree: &dyn Tree,
    components: &[usize],
) -> Result<Derivation, Vec<SourceError>> {
    let asked: Vec<usize> = if components.is_empty() {
        (0..plan.components.len())
            .filter(|&i| !plan.components[i].sources.is_empty())
            .collect()
    } else {
        components.to_vec()
    };
    let none = Templates::default();
    let mut warnings = Vec::new();
    let mut errors = Vec::new();
    // Every OpenAPI source of the plan, read once: its own component's facts, and the
    // templates a Pact source's paths are matched to.
    let mut openapi: Vec<(usize, Result<Derived, SourceError>)> = Vec::new();
    for (i, c) in plan.components.iter().enumerate() {
        for source in c.sources.iter().filter(|s| matches!(s, Source::OpenApi(_))) {
            openapi.push((i, read(tree, source, &none)));
        }
    }
    let mut endpoints: Vec<&Fact> = plan
        .components
        .iter()
        .flat_map(|c| c.current.iter().chain(c.target.iter().flatten()))
        .filter(|f| f.access == Access::Provide)
        .collect();
    for (i, result) in &openapi {
        match result {
            Ok(derived) => endpoints.extend(&derived.facts),
            Err(error) if !asked.contains(i) => warnings.push(Warning::new(
                error.file.clone(),
                error.line,
                format!(
                    "{} (its endpoints are not matched to pact paths)",
                    error.message
                ),
            )),
            Err(_) => {}
        }
    }
    let templates = Templates::from_facts(endpoints);
    let mut facts = Vec::new();
    for &i in &asked {
        let Some(c) = plan.components.get(i) else {
            continue;
        };
        let mut derived = Derived::default();
        for (_, result) in openapi.iter().filter(|(owner, _)| *owner == i) {
            match result {
                Ok(d) => derived.extend(d.clone()),
                Err(error) => errors.push(error.clone()),
            }
        }
        for source in c
            .sources
            .iter()
            .filter(|s| !matches!(s, Source::OpenApi(_)))
        {
            match read(tree, source, &templates) {
                Ok(d) => derived.extend(d),
                Err(error) => errors.push(error),
            }
        }
        let mut derived = derived.finish();
        respell(&mut derived.facts, plan.keys());
        warnings.append(&mut derived.warnings);
        facts.push((i, derived.facts));
    }
    if errors.is_empty() {
        Ok(Derivation { facts, warnings })
    } else {
        Err(errors)
    }
}
