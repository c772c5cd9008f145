//! The storyplan binary: parses the command line and hands over to the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use storyplan::cli::check::{EXIT_UNREADABLE, Format, Options};
use storyplan::cli::{self, demo};

#[derive(Debug, Parser)]
#[command(name = "storyplan", version, about)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check plans: exit 0 when clean, 1 on errors (or warnings with --deny warnings),
    /// 2 when a file cannot be read or parsed.
    Check {
        /// Plan files; default: every plan in .storyplan/ at the git root.
        files: Vec<PathBuf>,
        /// How to print the findings.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Fail on warnings too.
        #[arg(long, value_enum)]
        deny: Option<Deny>,
    },
    /// Show the bundled example story (the interactive board comes next).
    Demo,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Deny {
    Warnings,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let mut stdout = std::io::stdout().lock();
    let result = match args.command {
        Command::Check {
            files,
            format,
            deny,
        } => {
            let options = Options {
                files,
                format,
                deny_warnings: matches!(deny, Some(Deny::Warnings)),
                color: cli::stdout_color(),
            };
            match std::env::current_dir() {
                Ok(cwd) => cli::check::run(&options, &cwd, &mut stdout, &mut std::io::stderr()),
                Err(error) => {
                    eprintln!("storyplan: cannot read the current folder: {error}");
                    Ok(EXIT_UNREADABLE)
                }
            }
        }
        Command::Demo => demo::run(&mut stdout),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::from(EXIT_UNREADABLE)
        }
        Err(error) => {
            eprintln!("storyplan: cannot write the output: {error}");
            ExitCode::from(EXIT_UNREADABLE)
        }
    }
}
