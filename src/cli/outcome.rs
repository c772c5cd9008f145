//! One file's result in `storyplan check`: what the check produces and each format prints.

use std::path::{Path, PathBuf};

use crate::check::Report;
use crate::store::{LoadError, Loaded};

/// One file's result: its report, or why it could not be loaded.
pub enum Outcome {
    Checked {
        /// The file as it is shown: as given, or relative to the current folder.
        file: PathBuf,
        loaded: Box<Loaded>,
        report: Report,
    },
    Failed {
        file: PathBuf,
        error: LoadError,
    },
}

impl Outcome {
    pub fn file(&self) -> &Path {
        match self {
            Outcome::Checked { file, .. } | Outcome::Failed { file, .. } => file,
        }
    }
}
