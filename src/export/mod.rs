//! Exports of a plan for pull requests and scripts: Markdown for the whole plan or for the
//! one step a PR implements, and JSON (the check report plus the plan).
//!
//! The Markdown sits between two HTML comments, [`BEGIN`] and [`END`], which GitHub does
//! not show: a re-export replaces only that part of a PR description
//! ([`replace_generated`]), and what the author wrote around it stays. Every piece of plan
//! text is cleaned of control characters and escaped where it would break the Markdown.

pub mod depends;
mod escape;
#[cfg(test)]
pub(crate) mod fixture;
mod json;
mod markdown;
mod mermaid;
mod report_json;
mod status;
mod step;
mod write_json;

pub use depends::{Dependency, User, Why, dependencies};
pub use json::{DependencyEntry, PlanExport, StepExport, json, step_json};
pub use report_json::{
    ErrorEntry, FileEntry, FileError, FileReport, FindingEntry, StepEntry, file_error, file_report,
    finding_entry,
};
pub use write_json::to_writer as write_json;

use crate::check::Report;
use crate::plan::Plan;

/// Opens the generated part of an export.
pub const BEGIN: &str = "<!-- storyplan:begin -->";
/// Closes the generated part of an export.
pub const END: &str = "<!-- storyplan:end -->";

/// The whole plan as Markdown: story, narrative and notes, components from current to
/// target, the steps as a task list (shipped ones checked) with their changes, a mermaid
/// diagram of the lanes, and the findings. `file` names the plan file in the overview.
pub fn markdown(plan: &Plan, report: &Report, file: Option<&str>) -> String {
    let mut out = format!("{BEGIN}\n\n");
    markdown::plan_body(&mut out, plan, report, file, 1);
    finish(out)
}

/// What a pull request for step `step_index` (an index into `plan.steps`) needs: the step
/// and its changes, the steps that must be live before it and those it enables (see
/// [`depends`] for the rule), its rollback window and findings, and the whole plan folded
/// in a `<details>` block.
///
/// # Panics
/// When `step_index` is not an index into the plan's steps.
pub fn step_markdown(
    plan: &Plan,
    report: &Report,
    step_index: usize,
    file: Option<&str>,
) -> String {
    let mut out = format!("{BEGIN}\n\n");
    step::step_body(&mut out, plan, report, step_index, file);
    finish(out)
}

fn finish(out: String) -> String {
    format!("{}\n\n{END}\n", out.trim_end())
}

/// `existing` (a PR description, a README) with its generated part replaced by the one
/// in `fresh`; when `existing` has no generated part, `fresh` is appended after a blank
/// line. Everything outside the markers is kept byte for byte.
///
/// The generated part runs from the last [`BEGIN`] before the first [`END`] to that
/// [`END`], so a stray marker left by hand cannot swallow the author's text. A `fresh`
/// without markers is wrapped in them.
pub fn replace_generated(existing: &str, fresh: &str) -> String {
    let part = match generated(fresh) {
        Some(range) => fresh[range].to_string(),
        None => format!("{BEGIN}\n\n{}\n\n{END}", fresh.trim_end()),
    };
    match generated(existing) {
        Some(range) => format!(
            "{}{part}{}",
            &existing[..range.start],
            &existing[range.end..]
        ),
        None if existing.trim().is_empty() => format!("{part}\n"),
        None => format!("{}\n\n{part}\n", existing.trim_end()),
    }
}

/// Where the generated part of `text` is, markers included. A marker counts only on a
/// line of its own: plan text inside the generated part can hold the same words (its `<`
/// is escaped, so no line of it starts with one), and must not end the part early.
fn generated(text: &str) -> Option<std::ops::Range<usize>> {
    let mut begin = None;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if bare == BEGIN {
            begin = Some(at);
        } else if bare == END
            && let Some(start) = begin
        {
            return Some(start..at + bare.len());
        }
        at += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRESH: &str = "<!-- storyplan:begin -->\n\nnew\n\n<!-- storyplan:end -->\n";

    #[test]
    fn the_generated_part_is_replaced_and_the_rest_kept() {
        let existing =
            "Intro by hand.\n\n<!-- storyplan:begin -->\nold\n<!-- storyplan:end -->\n\nOutro.\n";
        assert_eq!(
            replace_generated(existing, FRESH),
            "Intro by hand.\n\n<!-- storyplan:begin -->\n\nnew\n\n<!-- storyplan:end -->\n\nOutro.\n"
        );
    }

    #[test]
    fn without_markers_the_export_is_appended() {
        assert_eq!(
            replace_generated("My PR.\n\n", FRESH),
            "My PR.\n\n<!-- storyplan:begin -->\n\nnew\n\n<!-- storyplan:end -->\n"
        );
        assert_eq!(replace_generated("", FRESH), FRESH);
    }

    #[test]
    fn a_stray_begin_marker_keeps_the_text_after_it() {
        let existing =
            "<!-- storyplan:begin -->\nmine\n<!-- storyplan:begin -->\nold\n<!-- storyplan:end -->";
        assert_eq!(
            replace_generated(existing, FRESH),
            "<!-- storyplan:begin -->\nmine\n<!-- storyplan:begin -->\n\nnew\n\n<!-- storyplan:end -->"
        );
    }

    #[test]
    fn a_fresh_part_without_markers_is_wrapped() {
        assert_eq!(
            replace_generated("x", "text\n"),
            "x\n\n<!-- storyplan:begin -->\n\ntext\n\n<!-- storyplan:end -->\n"
        );
    }
}
