//! How a command ends, as the shell sees it: the one place the exit codes are numbered.

use std::process::ExitCode;

/// The exit code of every command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: the command did its work; for `check`, every plan is clean (accepted findings
    /// and infos do not count).
    Clean,
    /// 1: some plan has a finding of severity error (or warning, with `--deny warnings`).
    Findings,
    /// 2: a file or ref could not be read, parsed or understood, or there was nothing to
    /// work on.
    Unreadable,
}

impl Exit {
    /// The number the process exits with.
    pub fn code(self) -> u8 {
        match self {
            Exit::Clean => 0,
            Exit::Findings => 1,
            Exit::Unreadable => 2,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit.code())
    }
}
