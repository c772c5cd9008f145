//! The JSON format of `storyplan check`: one array, one object per file, in the shape
//! `export` defines for the report.

use std::io::{self, Write};

use crate::export::{FileEntry, file_error, file_report};

use super::outcome::Outcome;

/// The array's elements, one per file, in the order they were checked.
pub fn entries(outcomes: &[Outcome]) -> Vec<FileEntry> {
    outcomes
        .iter()
        .map(|outcome| match outcome {
            Outcome::Checked {
                file,
                loaded,
                report,
            } => FileEntry::Report(file_report(file, loaded, report)),
            Outcome::Failed { file, error } => FileEntry::Error(file_error(file, error)),
        })
        .collect()
}

/// Writes the array, pretty-printed, with a final newline.
pub fn write_all(out: &mut dyn Write, outcomes: &[Outcome]) -> io::Result<()> {
    crate::export::write_json(&mut *out, &entries(outcomes))?;
    writeln!(out)
}
