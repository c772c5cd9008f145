//! `storyplan fix FILE [--write] [--format human|json]` (SPEC §9): the nearest order of the
//! plan's steps without errors, the moves that get there and the findings before and
//! after; when no order is free of errors, the repairs the patterns offer. `--write`
//! saves the new order canonically and atomically, never over a file changed on disk
//! since it was read. Exit 0 when the proposed order has no errors, 1 when no order
//! without errors was found, 2 when the plan cannot be loaded or written.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

use crate::check::words::StepLabel;
use crate::check::{Finding, Report, Severity, Summary, check};
use crate::compose::fix::{Fixed, Move, Repair, fix};
use crate::export::{file_error, write_json};
use crate::plan::Plan;
use crate::store::{self, Loaded, Stamp};
use crate::text::clean_line;

use super::Exit;
use super::human::{load_error_text, plural, summary_text, write_finding};

/// How long the search may take before it settles for the best order seen.
pub const LIMIT: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// The moves and the findings before and after, for a person.
    #[default]
    Human,
    /// One JSON object, for scripts and the board.
    Json,
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub file: PathBuf,
    /// Save the new order to the file.
    pub write: bool,
    pub format: Format,
    /// Colour the human format.
    pub color: bool,
}

/// The JSON object of `storyplan fix --format json` (SPEC §9).
#[derive(Debug, Clone, Serialize)]
pub struct FixReport {
    pub file: String,
    pub found: bool,
    pub minimal: bool,
    /// Step ids in the proposed order.
    pub order: Vec<String>,
    pub moves: Vec<MoveEntry>,
    pub swaps: usize,
    pub before: Summary,
    pub after: Summary,
    pub repairs: Vec<RepairEntry>,
}

/// One step moved: its id, and its place (1-based) before and after the move.
#[derive(Debug, Clone, Serialize)]
pub struct MoveEntry {
    pub step: String,
    pub from: usize,
    pub to: usize,
}

/// A repair: its pattern, what it does, the steps it adds and changes, the toggles it
/// declares, the order of the repaired plan and the counts it leads to.
#[derive(Debug, Clone, Serialize)]
pub struct RepairEntry {
    pub pattern: &'static str,
    pub description: String,
    pub inserted: Vec<String>,
    pub changed: Vec<String>,
    pub toggles: Vec<String>,
    pub order: Vec<String>,
    pub summary: Summary,
}

/// The JSON object for `fixed`, found for `plan`, shown as `file`.
pub fn fix_report(file: &Path, plan: &Plan, fixed: &Fixed) -> FixReport {
    let id = |i: usize| plan.steps[i].id().to_string();
    FixReport {
        file: file.display().to_string(),
        found: fixed.found,
        minimal: fixed.minimal,
        order: fixed.order.iter().map(|&i| id(i)).collect(),
        moves: fixed
            .moves
            .iter()
            .map(|m| MoveEntry {
                step: id(m.step),
                from: m.from + 1,
                to: m.to + 1,
            })
            .collect(),
        swaps: fixed.swaps,
        before: fixed.before,
        after: fixed.after,
        repairs: fixed.repairs.iter().map(repair_entry).collect(),
    }
}

fn repair_entry(repair: &Repair) -> RepairEntry {
    RepairEntry {
        pattern: repair.kind.name(),
        description: repair.description.clone(),
        inserted: repair.inserted.clone(),
        changed: repair.changed.clone(),
        toggles: repair.toggles.clone(),
        order: repair
            .plan
            .steps
            .iter()
            .map(|s| s.id().to_string())
            .collect(),
        summary: repair.after,
    }
}

/// `move step 4 "enable" after step 5 "table"`: a move with the places of the plan as it
/// is when the move is made.
pub fn move_text(plan: &Plan, m: &Move) -> String {
    let label = |place: usize, step: usize| StepLabel::new(place, plan.steps[step].id());
    let moved = label(m.from, m.step);
    let text = match m.after {
        Some((after, place)) => format!("move {moved} after {}", label(place, after)),
        None => format!("move {moved} to the top"),
    };
    clean_line(&text).into_owned()
}

/// Runs `storyplan fix` with the file relative to `cwd`.
pub fn run(
    options: &Options,
    cwd: &Path,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<Exit> {
    let path = cwd.join(&options.file);
    let shown = options.file.as_path();
    let loaded = match store::load(&path) {
        Ok(loaded) => loaded,
        Err(mut error) => {
            error.file = options.file.clone();
            match options.format {
                Format::Human => {
                    writeln!(err, "storyplan: {}", load_error_text(shown, &error))?;
                }
                Format::Json => {
                    write_json(&mut *out, &file_error(shown, &error))?;
                    writeln!(out)?;
                }
            }
            return Ok(Exit::Unreadable);
        }
    };
    let fixed = fix(&loaded.plan, LIMIT);
    match options.format {
        Format::Human => write_human(out, shown, &loaded, &fixed, options.color)?,
        Format::Json => {
            write_json(&mut *out, &fix_report(shown, &loaded.plan, &fixed))?;
            writeln!(out)?;
        }
    }
    if options.write && !fixed.moves.is_empty() {
        let plan = crate::compose::fix::reordered(&loaded.plan, &fixed.order);
        if let Err(problem) = write_fixed(&path, &loaded, &plan) {
            writeln!(
                err,
                "storyplan: {}: {}",
                clean_line(&shown.display().to_string()),
                clean_line(&problem)
            )?;
            return Ok(Exit::Unreadable);
        }
        if options.format == Format::Human {
            writeln!(
                out,
                "Wrote {}: the steps in the new order.",
                clean_line(&shown.display().to_string())
            )?;
        }
    }
    out.flush()?;
    Ok(if fixed.found {
        Exit::Clean
    } else {
        Exit::Findings
    })
}

/// Saves `plan` to `path` canonically and atomically, unless the file no longer holds
/// what `loaded` was read from.
pub fn write_fixed(path: &Path, loaded: &Loaded, plan: &Plan) -> Result<(), String> {
    let stamp = Stamp::of_bytes(loaded.source.as_bytes());
    match Stamp::of_file(path) {
        Ok(Some(now)) if now == stamp => {}
        Ok(_) => {
            return Err(
                "changed on disk since it was read; nothing written, run fix again".to_string(),
            );
        }
        Err(error) => return Err(error.to_string()),
    }
    store::save_atomic(path, plan).map_err(|error| format!("cannot write it: {error}"))
}

/// The findings before, the moves, the findings after, and the repairs.
fn write_human(
    out: &mut dyn Write,
    file: &Path,
    loaded: &Loaded,
    fixed: &Fixed,
    color: bool,
) -> io::Result<()> {
    let plan = &loaded.plan;
    let shown = clean_line(&file.display().to_string()).into_owned();
    let before = check(plan);
    writeln!(out, "In the written order:")?;
    for finding in shown_findings(&before) {
        write_finding(out, file, loaded, finding, color)?;
        writeln!(out)?;
    }
    writeln!(out, "{shown}: {}", summary_text(&fixed.before))?;
    writeln!(out)?;
    if fixed.moves.is_empty() {
        let why = if fixed.found {
            "no order has fewer warnings or needs fewer swaps"
        } else {
            "no order has fewer errors"
        };
        let settled = if fixed.minimal {
            why.to_string()
        } else {
            format!("{why} among those searched")
        };
        writeln!(out, "The written order stays: {settled}.")?;
    } else {
        let moves = plural(fixed.moves.len(), "move");
        let swaps = plural(fixed.swaps, "adjacent swap");
        let least = if fixed.minimal {
            "the fewest"
        } else {
            "the best found in time"
        };
        writeln!(out, "{moves} ({swaps}, {least}):")?;
        for m in &fixed.moves {
            writeln!(out, "  {}", move_text(plan, m))?;
        }
        writeln!(out)?;
        let new = crate::compose::fix::reordered(plan, &fixed.order);
        let after = check(&new);
        writeln!(out, "In the new order:")?;
        for finding in shown_findings(&after) {
            write_unplaced(out, &new, finding)?;
            writeln!(out)?;
        }
        writeln!(out, "{shown}: {}", summary_text(&fixed.after))?;
    }
    if !fixed.found {
        writeln!(out)?;
        write_repairs(out, fixed)?;
    }
    Ok(())
}

/// Errors and warnings: what the order search weighs.
fn shown_findings(report: &Report) -> impl Iterator<Item = &Finding> {
    report
        .findings
        .iter()
        .filter(|f| matches!(f.severity, Severity::Error | Severity::Warning))
}

/// A finding of the plan in another order: where it is, by step, not by line.
fn write_unplaced(out: &mut dyn Write, plan: &Plan, finding: &Finding) -> io::Result<()> {
    let at = finding
        .step
        .and_then(|i| Some(StepLabel::new(i, plan.steps.get(i)?.id()).to_string()))
        .map(|label| format!(" ({})", clean_line(&label)))
        .unwrap_or_default();
    writeln!(
        out,
        "{}[{}]{at}: {}",
        finding.severity,
        finding.rule,
        clean_line(&finding.message)
    )?;
    if !finding.hint.trim().is_empty() {
        writeln!(out, "   = hint: {}", clean_line(&finding.hint))?;
    }
    Ok(())
}

fn write_repairs(out: &mut dyn Write, fixed: &Fixed) -> io::Result<()> {
    if fixed.repairs.is_empty() {
        return writeln!(
            out,
            "No order is free of errors, and no pattern repair removes any."
        );
    }
    writeln!(
        out,
        "No order is free of errors. Repairs from the patterns:"
    )?;
    for (n, repair) in fixed.repairs.iter().enumerate() {
        writeln!(out, "  {}. {}", n + 1, clean_line(&repair.description))?;
        let mut parts = Vec::new();
        if !repair.inserted.is_empty() {
            parts.push(format!("adds {}", quoted(&repair.inserted)));
        }
        if !repair.changed.is_empty() {
            parts.push(format!("changes {}", quoted(&repair.changed)));
        }
        if !repair.toggles.is_empty() {
            parts.push(format!("declares the toggle {}", quoted(&repair.toggles)));
        }
        let order: Vec<&str> = repair.plan.steps.iter().map(|s| s.id()).collect();
        parts.push(format!("order {}", clean_line(&order.join(" → "))));
        writeln!(out, "     {}", parts.join("; "))?;
        writeln!(out, "     leads to {}", summary_text(&repair.after))?;
    }
    Ok(())
}

fn quoted(ids: &[String]) -> String {
    let quoted: Vec<String> = ids
        .iter()
        .map(|id| format!("\"{}\"", clean_line(id)))
        .collect();
    quoted.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::fix::fix;
    use tempfile::TempDir;

    const BROKEN: &str = r#"Plan(
    version: 1,
    story: "Show the things",
    components: [
        Component(id: "web", name: "Web app", kind: Ui, current: []),
        Component(id: "api", name: "API", kind: Service, current: []),
    ],
    steps: [
        Release(id: "ui", component: "web", title: "Things page", changes: [Add(Call("GET /things"))]),
        Release(id: "endpoint", component: "api", title: "Things endpoint", changes: [Add(Provide("GET /things"))]),
    ],
)
"#;

    #[test]
    fn a_file_changed_since_it_was_read_is_not_overwritten() {
        let dir = TempDir::new().expect("a temporary folder");
        let path = dir.path().join("plan.ron");
        std::fs::write(&path, BROKEN).expect("write the plan");
        let loaded = store::load(&path).expect("the plan loads");
        let fixed = fix(&loaded.plan, LIMIT);
        let plan = crate::compose::fix::reordered(&loaded.plan, &fixed.order);
        std::fs::write(&path, format!("{BROKEN}\n")).expect("someone edits the plan");
        let refused = write_fixed(&path, &loaded, &plan);
        assert!(refused.is_err_and(|why| why.contains("changed on disk")));
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            format!("{BROKEN}\n")
        );
        let loaded = store::load(&path).expect("the plan loads");
        assert_eq!(write_fixed(&path, &loaded, &plan), Ok(()));
        let saved = store::load(&path).expect("the saved plan loads").plan;
        assert_eq!(saved, plan);
    }

    #[test]
    fn a_move_names_both_steps_at_their_places() {
        let plan = store::parse(Path::new("plan.ron"), BROKEN)
            .expect("the plan loads")
            .plan;
        let fixed = fix(&plan, LIMIT);
        let texts: Vec<String> = fixed.moves.iter().map(|m| move_text(&plan, m)).collect();
        assert_eq!(texts, vec![r#"move step 1 "ui" after step 2 "endpoint""#]);
    }
}
