//! `storyplan diff OLD NEW`: what changed between two plans, each a file or `REF:PATH`.

use std::io::{self, Write};
use std::path::Path;

use crate::diff;
use crate::store::git::{PlanSource, load};

use super::Exit;

/// `storyplan diff OLD NEW`: the semantic diff on `out`. Exit 0 whether or not the plans
/// differ; 2, with the reason on `err`, when a side cannot be read or parsed.
pub fn run(
    old: &str,
    new: &str,
    cwd: &Path,
    color: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<Exit> {
    let sides = load(&PlanSource::parse(old, cwd), cwd)
        .and_then(|old| Ok((old, load(&PlanSource::parse(new, cwd), cwd)?)));
    let ((old_name, old), (new_name, new)) = match sides {
        Ok(sides) => sides,
        Err(error) => {
            writeln!(err, "storyplan: {error}")?;
            return Ok(Exit::Unreadable);
        }
    };
    let diff = diff::diff(&old.plan, &new.plan);
    out.write_all(diff::render(&diff, &old_name, &new_name, color).as_bytes())?;
    Ok(Exit::Clean)
}
