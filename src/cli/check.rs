//! `storyplan check`: load each plan, check it, print the findings, pick the exit code.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::check::{Severity, check};
use crate::store;

use super::Exit;
use super::outcome::Outcome;
use super::{github, human, json, sarif};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Like a compiler: one diagnostic per finding, then a summary per file.
    #[default]
    Human,
    /// One JSON array, one object per file, for scripts.
    Json,
    /// GitHub Actions workflow commands, so findings annotate the pull request.
    Github,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The plans to check; empty means every plan in `.storyplan/` at the git root.
    pub files: Vec<PathBuf>,
    pub format: Format,
    /// `--deny warnings`: warnings fail the check too.
    pub deny_warnings: bool,
    /// Colour the human format.
    pub color: bool,
}

/// Runs `storyplan check` from the folder `cwd`, writing the report to `out` and problems
/// that stop the check before any file is read to `err`. Returns the exit code.
pub fn run(
    options: &Options,
    cwd: &Path,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<Exit> {
    let files = if options.files.is_empty() {
        match discover(cwd) {
            Ok(files) => files,
            Err(message) => {
                writeln!(err, "storyplan: {message}")?;
                return Ok(Exit::Unreadable);
            }
        }
    } else {
        let shown = |file: &PathBuf| (cwd.join(file), file.clone());
        options.files.iter().map(shown).collect()
    };

    let outcomes: Vec<Outcome> = files
        .into_iter()
        .map(|(path, shown)| check_file(&path, shown))
        .collect();
    match options.format {
        Format::Human => human::write_all(out, &outcomes, options.color)?,
        Format::Json => json::write_all(out, &outcomes)?,
        Format::Github => github::write_all(out, &outcomes)?,
        Format::Sarif => sarif::write_all(out, &outcomes)?,
    }
    out.flush()?;
    Ok(exit_code(&outcomes, options.deny_warnings))
}

/// Loads and checks the plan at `path`, to be shown as `file`.
pub fn check_file(path: &Path, file: PathBuf) -> Outcome {
    match store::load(path) {
        Ok(loaded) => {
            let report = check(&loaded.plan);
            Outcome::Checked {
                file,
                loaded: Box::new(loaded),
                report,
            }
        }
        Err(error) => Outcome::Failed { file, error },
    }
}

/// 2 if any file could not be loaded (it wins), else 1 if any finding fails the check.
pub fn exit_code(outcomes: &[Outcome], deny_warnings: bool) -> Exit {
    let mut code = Exit::Clean;
    for outcome in outcomes {
        match outcome {
            Outcome::Failed { .. } => return Exit::Unreadable,
            Outcome::Checked { report, .. } => {
                let fails = report.findings.iter().any(|f| match f.severity {
                    Severity::Error => true,
                    Severity::Warning => deny_warnings,
                    Severity::Info | Severity::Accepted => false,
                });
                if fails {
                    code = Exit::Findings;
                }
            }
        }
    }
    code
}

/// The plans in `.storyplan/` at the git root above `cwd`: where each is, and how it is
/// shown (relative to `cwd` where it lies below it).
fn discover(cwd: &Path) -> Result<Vec<(PathBuf, PathBuf)>, String> {
    let Some(root) = store::find_git_root(cwd) else {
        return Err(
            "no plans found in .storyplan/ (not inside a git repository); pass files to check"
                .to_string(),
        );
    };
    let folder = root.join(".storyplan");
    let plans = match store::discover_plans(&root) {
        Ok(plans) => plans,
        Err(error) if error.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(error) => return Err(format!("cannot read {}: {error}", folder.display())),
    };
    if plans.is_empty() {
        return Err(format!(
            "no plans found in {}/; pass files to check",
            folder.display()
        ));
    }
    Ok(plans
        .into_iter()
        .map(|plan| {
            let shown = plan.strip_prefix(cwd).unwrap_or(&plan).to_path_buf();
            (plan, shown)
        })
        .collect())
}
