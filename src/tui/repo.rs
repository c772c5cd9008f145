//! What the board knows of the repository around its plan, found on first use and kept:
//! the sources its files suggest (offered in a component's form), and the keys the plan's
//! sources yield (offered wherever a key is completed).

use std::path::{Path, PathBuf};

use super::model::Source as PlanFile;
use crate::plan::{Plan, Source};
use crate::sources::{Templates, WorkTree, discover::discover, read};

#[derive(Debug, Default)]
pub struct Repository {
    /// The git root, once looked for.
    root: Option<Option<PathBuf>>,
    /// The sources the repository's files suggest, as the form spells them.
    found: Option<Vec<String>>,
    /// The keys the plan's sources yielded, and the sources they came from.
    keys: Option<(Vec<Source>, Vec<String>)>,
}

impl Repository {
    /// The git root around the plan's file, looked for once.
    pub fn root(&mut self, file: &PlanFile) -> Option<&Path> {
        let root = self.root.get_or_insert_with(|| match file {
            PlanFile::File { path, .. } => {
                let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
                crate::store::find_git_root(folder.unwrap_or(Path::new(".")))
            }
            PlanFile::Example { .. } | PlanFile::Ref { .. } => None,
        });
        root.as_deref()
    }

    /// The sources the repository's files suggest (`openapi:api/openapi.yaml`, …).
    pub fn found(&mut self, file: &PlanFile) -> &[String] {
        if self.found.is_none() {
            let found = match self.root(file) {
                Some(root) => discover(root).iter().map(Source::arg).collect(),
                None => Vec::new(),
            };
            self.found = Some(found);
        }
        self.found.as_deref().unwrap_or_default()
    }

    /// The keys the plan's sources yield in the working tree; read again when the
    /// sources change. What cannot be read yields nothing here (`I` says why).
    pub fn keys(&mut self, file: &PlanFile, plan: &Plan) -> &[String] {
        let sources: Vec<Source> = plan
            .components
            .iter()
            .flat_map(|c| c.sources.iter().cloned())
            .collect();
        if self.keys.as_ref().is_none_or(|(read, _)| *read != sources) {
            let mut keys = Vec::new();
            if !sources.is_empty()
                && let Some(root) = self.root(file)
            {
                let tree = WorkTree::new(root);
                let none = Templates::default();
                for source in &sources {
                    if let Ok(derived) = read(&tree, source, &none) {
                        keys.extend(derived.facts.into_iter().map(|f| f.key));
                    }
                }
            }
            keys.sort();
            keys.dedup();
            self.keys = Some((sources, keys));
        }
        self.keys.as_ref().map_or(&[], |(_, keys)| keys.as_slice())
    }
}
