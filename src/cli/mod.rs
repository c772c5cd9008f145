//! The command line's work, kept in the library so the binary stays thin and tests can
//! call it: one module per command, and the three output formats of `storyplan check`
//! (which `verify` prints its findings with).

pub mod board;
pub mod check;
pub mod diff;
mod exit;
pub mod export;
pub mod facts;
pub mod fix;
pub mod github;
pub mod human;
pub mod import;
pub mod json;
pub mod outcome;
pub mod review;
pub mod sarif;
pub mod verify;

pub use exit::Exit;

use std::ffi::OsStr;
use std::io::IsTerminal;

use crate::check::Finding;
use crate::store::{Loaded, Pos};

/// Colours only for a person at a terminal, and never when `NO_COLOR` is set to something.
pub fn color_wanted(stdout_is_terminal: bool, no_color: Option<&OsStr>) -> bool {
    stdout_is_terminal && no_color.is_none_or(|value| value.is_empty())
}

/// [`color_wanted`] for this process's stdout and environment.
pub fn stdout_color() -> bool {
    color_wanted(
        std::io::stdout().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    )
}

/// Where in the file a finding points: its step; for a plan-wide finding, the component it
/// names, else the plan itself.
pub fn position(loaded: &Loaded, finding: &Finding) -> Pos {
    if let Some(step) = finding.step.filter(|&i| i < loaded.plan.steps.len()) {
        return loaded.spans().step(step);
    }
    let component = finding
        .component
        .as_deref()
        .and_then(|id| loaded.plan.components.iter().position(|c| c.id == id));
    match component {
        Some(index) => loaded.spans().component(index),
        None => loaded.spans().plan(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_needs_a_terminal_and_no_no_color() {
        assert!(color_wanted(true, None));
        assert!(color_wanted(true, Some(OsStr::new(""))));
        assert!(!color_wanted(true, Some(OsStr::new("1"))));
        assert!(!color_wanted(false, None));
    }
}
