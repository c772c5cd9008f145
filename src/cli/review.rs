//! `storyplan review REF[:PATH]`: the board, read-only, on a plan as it is at a git ref
//! (or in a file).

use std::io;
use std::path::{Path, PathBuf};

use crate::store::git::{PlanSource, load};
use crate::tui::app;
use crate::tui::model::{Model, Source};
use crate::tui::settings::Settings;

use super::Exit;

/// The board's model for a review: the plan as it is at the source, read-only.
pub fn open_model(source: &PlanSource, cwd: &Path) -> Result<Model, String> {
    let (name, loaded) = load(source, cwd)?;
    let origin = match source {
        PlanSource::File(path) => Source::File {
            path: path.clone(),
            stamp: None,
        },
        PlanSource::Ref { reference, path } => Source::Ref {
            reference: reference.clone(),
            // The name is `REF:PATH` with the path from the root, as it was found.
            path: name
                .strip_prefix(reference.as_str())
                .and_then(|rest| rest.strip_prefix(':'))
                .map_or_else(|| path.clone(), PathBuf::from),
        },
    };
    let mut model = Model::new(loaded.plan, origin);
    model.read_only = true;
    Ok(model)
}

/// `storyplan review REF[:PATH]`: the board, read-only, on the plan as it is at the ref.
/// Returns the exit code.
pub fn run(arg: &str, cwd: &Path, settings: Settings) -> io::Result<Exit> {
    let model = PlanSource::parse_review(arg, cwd).and_then(|source| open_model(&source, cwd));
    match model {
        Ok(mut model) => {
            app::apply_settings(&mut model, settings);
            app::run(model)?;
            Ok(Exit::Clean)
        }
        Err(error) => {
            eprintln!("storyplan: {error}");
            Ok(Exit::Unreadable)
        }
    }
}
