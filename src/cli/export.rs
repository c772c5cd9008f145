//! `storyplan export FILE [--format markdown|json] [--step ID]`: the export on stdout.
//! Exit 0 whatever the plan's findings (exporting is not checking); 2 when the file does
//! not load or the step id is unknown.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::check::check;
use crate::export;
use crate::plan::Plan;
use crate::store;
use crate::suggest::closest;
use crate::text::clean_line;

use super::Exit;
use super::human::load_error_text;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// GitHub-flavoured Markdown for a pull request description, between storyplan
    /// marker comments so that a re-export can replace just that part.
    #[default]
    Markdown,
    /// The `check --format json` object for the file, plus the plan.
    Json,
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub file: PathBuf,
    pub format: Format,
    /// Export only what a pull request for this step needs.
    pub step: Option<String>,
}

/// Runs `storyplan export` from the folder `cwd`: the export to `out`, problems to `err`.
/// Returns the exit code.
pub fn run(
    options: &Options,
    cwd: &Path,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<Exit> {
    let shown = &options.file;
    let loaded = match store::load(&cwd.join(shown)) {
        Ok(loaded) => loaded,
        Err(error) => {
            writeln!(err, "storyplan: {}", load_error_text(shown, &error))?;
            return Ok(Exit::Unreadable);
        }
    };
    let plan = &loaded.plan;
    let step = match options.step.as_deref() {
        None => None,
        Some(id) => match find_step(plan, id) {
            Some(index) => Some(index),
            None => {
                writeln!(err, "storyplan: {}", unknown_step(plan, shown, id))?;
                return Ok(Exit::Unreadable);
            }
        },
    };
    let report = check(plan);
    let file = shown.display().to_string();
    match (options.format, step) {
        (Format::Markdown, None) => {
            out.write_all(export::markdown(plan, &report, Some(&file)).as_bytes())?
        }
        (Format::Markdown, Some(i)) => {
            out.write_all(export::step_markdown(plan, &report, i, Some(&file)).as_bytes())?;
        }
        (Format::Json, None) => {
            export::write_json(&mut *out, &export::json(shown, &loaded, &report))?;
            writeln!(out)?;
        }
        (Format::Json, Some(i)) => {
            export::write_json(&mut *out, &export::step_json(shown, &loaded, &report, i))?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(Exit::Clean)
}

fn find_step(plan: &Plan, id: &str) -> Option<usize> {
    plan.step_index(id).or_else(|| plan.step_index(id.trim()))
}

/// `no step "x" in FILE; did you mean "y"? Its steps: a, b, c`.
fn unknown_step(plan: &Plan, file: &Path, id: &str) -> String {
    let file = clean_line(&file.display().to_string()).into_owned();
    let id = clean_line(id);
    if plan.steps.is_empty() {
        return format!("no step \"{id}\" in {file}: the plan has no steps yet");
    }
    let ids: Vec<&str> = plan.steps.iter().map(|s| s.id()).collect();
    let mut text = format!("no step \"{id}\" in {file}");
    match closest(&id, ids.iter().copied()) {
        Some(guess) => text.push_str(&format!(
            "; did you mean \"{}\"? Its steps are: ",
            clean_line(guess)
        )),
        None => text.push_str("; its steps are: "),
    }
    let listed: Vec<String> = ids.iter().map(|i| clean_line(i).into_owned()).collect();
    text.push_str(&listed.join(", "));
    text
}
