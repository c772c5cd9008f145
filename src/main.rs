//! The storyplan binary: parses the command line and hands over to the library.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use storyplan::cli;
use storyplan::cli::Exit;
use storyplan::cli::check::{Format, Options};
use storyplan::tui::settings;

#[derive(Debug, Parser)]
#[command(name = "storyplan", version = env!("STORYPLAN_VERSION"), about)]
struct Args {
    /// Without a command: the board on the plans in .storyplan/ at the git root.
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Open a plan file on the board.
    Open {
        /// The plan file.
        file: PathBuf,
    },
    /// Start a plan for a story in .storyplan/ and lay it out on the board.
    New {
        /// The story's title; the file is named after it.
        title: String,
    },
    /// Open a bundled example on the board, in memory (saving asks where to write it).
    Demo {
        /// reminders (default), cents-api or amount-column.
        name: Option<String>,
    },
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
    /// Print a plan for a pull request description or a script: the whole plan, or with
    /// --step what a PR for that step needs. Exit 0; 2 when the file does not load or the
    /// step is unknown.
    Export {
        /// The plan file.
        file: PathBuf,
        /// What to print.
        #[arg(long, value_enum, default_value_t = cli::export::Format::Markdown)]
        format: cli::export::Format,
        /// Only what a PR for this step (its id) needs. With --format json: the step's
        /// entry, its findings, and the steps it needs live before it and enables.
        #[arg(long, value_name = "ID")]
        step: Option<String>,
    },
    /// Review a plan as it is at a git ref, on the board, read-only.
    Review {
        /// REF:PATH (e.g. origin/feature:.storyplan/x.ron), or REF alone for the
        /// ref's only plan in .storyplan/.
        source: String,
    },
    /// Print the facts the repository's files yield, sorted, one per line in canonical
    /// RON; warnings about what was skipped go to stderr. Exit 0; 2 when a source
    /// cannot be read at all.
    Facts {
        /// openapi:PATH, sql:PATH, sql+mysql:PATH, sql+sqlite:PATH or pact:PATH. Pact
        /// paths are matched to the templates the openapi sources given here provide.
        #[arg(required = true, value_name = "SOURCE")]
        sources: Vec<String>,
        /// How to print the facts.
        #[arg(long, value_enum, default_value_t = cli::facts::Format::Human)]
        format: cli::facts::Format,
    },
    /// Compare each component's current facts with what its sources yield: + what the
    /// sources have that current lacks, − what current has that they lack. Exit 0 in
    /// sync (or written), 1 not in sync, 2 when something cannot be read.
    Import {
        /// The plan file.
        file: PathBuf,
        /// Only this component (again for more); every component with sources when
        /// left out.
        #[arg(long = "component", value_name = "ID")]
        components: Vec<String>,
        /// Read the sources at this git ref instead of the working tree.
        #[arg(long = "ref", value_name = "REF")]
        reference: Option<String>,
        /// Add what current lacks to the plan file (canonical, atomic).
        #[arg(long)]
        write: bool,
        /// With --write, also remove from current what the sources lack.
        #[arg(long, requires = "write")]
        prune: bool,
    },
    /// Print shell completions for storyplan's commands and options.
    Completions {
        /// The shell: bash, zsh, fish, powershell or elvish.
        shell: clap_complete::Shell,
    },
    /// Print storyplan's manual page (roff), to install as storyplan.1.
    Man,
    /// Check that a pull request's changes are the plans' next steps: each sourced
    /// component's facts at the base and the head compared and matched to the plan's
    /// releases. Exit 0 when they are, 1 on an error, 2 when a revision, plan or source
    /// cannot be read.
    Verify {
        /// Plan files; default: every plan in .storyplan/ at head.
        files: Vec<PathBuf>,
        /// The revision the pull request goes into (e.g. origin/main).
        #[arg(long, value_name = "REF")]
        base: String,
        /// The pull request's revision; default: the working tree.
        #[arg(long, value_name = "REF")]
        head: Option<String>,
        /// How to print the findings.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Search the orders of a plan's steps for the nearest one without errors: print the
    /// moves and the findings before and after, and repairs from the patterns when no
    /// order is free of errors. Exit 0 when the proposed order has no errors, 1 when none
    /// was found, 2 when the file cannot be loaded or written.
    Fix {
        /// The plan file.
        file: PathBuf,
        /// Save the new order to the file (canonical, atomic).
        #[arg(long)]
        write: bool,
        /// How to print the result.
        #[arg(long, value_enum, default_value_t = cli::fix::Format::Human)]
        format: cli::fix::Format,
    },
    /// Print what changed between two plans: steps added, removed, moved and changed,
    /// and the findings introduced and resolved. Exit 0 whether or not they differ.
    Diff {
        /// The old plan: a file or REF:PATH (e.g. main:.storyplan/x.ron).
        old: String,
        /// The new plan: a file or REF:PATH.
        new: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Deny {
    Warnings,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let cwd = match std::env::current_dir() {
        Ok(cwd) => cwd,
        Err(error) => {
            eprintln!("storyplan: cannot read the current folder: {error}");
            return Exit::Unreadable.into();
        }
    };
    let result = match args.command {
        Some(Command::Check {
            files,
            format,
            deny,
        }) => {
            let options = Options {
                files,
                format,
                deny_warnings: matches!(deny, Some(Deny::Warnings)),
                color: cli::stdout_color(),
            };
            buffered(|out| cli::check::run(&options, &cwd, out, &mut std::io::stderr()))
        }
        Some(Command::Export { file, format, step }) => {
            let options = cli::export::Options { file, format, step };
            buffered(|out| cli::export::run(&options, &cwd, out, &mut std::io::stderr()))
        }
        Some(Command::Open { file }) => cli::board::run_file(&file, settings::load()),
        Some(Command::New { title }) => cli::board::run_new(&cwd, &title, settings::load()),
        Some(Command::Demo { name }) => cli::board::run_example(name.as_deref(), settings::load()),
        Some(Command::Review { source }) => cli::review::run(&source, &cwd, settings::load()),
        Some(Command::Diff { old, new }) => buffered(|out| {
            cli::diff::run(
                &old,
                &new,
                &cwd,
                cli::stdout_color(),
                out,
                &mut std::io::stderr(),
            )
        }),
        Some(Command::Import {
            file,
            components,
            reference,
            write,
            prune,
        }) => {
            let options = cli::import::Options {
                file,
                components,
                reference,
                write,
                prune,
            };
            buffered(|out| cli::import::run(&options, &cwd, out, &mut std::io::stderr()))
        }
        Some(Command::Completions { shell }) => {
            let mut command = <Args as clap::CommandFactory>::command();
            let mut out = std::io::stdout().lock();
            clap_complete::generate(shell, &mut command, "storyplan", &mut out);
            out.flush().map(|()| Exit::Clean)
        }
        Some(Command::Man) => {
            let command = <Args as clap::CommandFactory>::command();
            let mut out = std::io::stdout().lock();
            clap_mangen::Man::new(command)
                .render(&mut out)
                .and_then(|()| out.flush())
                .map(|()| Exit::Clean)
        }
        Some(Command::Verify {
            files,
            base,
            head,
            format,
        }) => {
            let options = cli::verify::Options {
                files,
                base,
                head,
                format,
                color: cli::stdout_color(),
            };
            buffered(|out| cli::verify::run(&options, &cwd, out, &mut std::io::stderr()))
        }
        Some(Command::Facts { sources, format }) => {
            let options = cli::facts::Options { sources, format };
            buffered(|out| cli::facts::run(&options, &cwd, out, &mut std::io::stderr()))
        }
        Some(Command::Fix {
            file,
            write,
            format,
        }) => {
            let options = cli::fix::Options {
                file,
                write,
                format,
                color: cli::stdout_color(),
            };
            buffered(|out| cli::fix::run(&options, &cwd, out, &mut std::io::stderr()))
        }
        None => cli::board::run_repository(&cwd, settings::load()),
    };
    match result {
        Ok(exit) => exit.into(),
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Exit::Unreadable.into(),
        Err(error) => {
            eprintln!("storyplan: {error}");
            Exit::Unreadable.into()
        }
    }
}

/// Runs a command that writes its report to standard output. Standard output writes
/// every line as it ends, which a reader at a terminal wants; into a pipe or a file (CI)
/// that is a system call per line of a long report, so there it goes through a buffer.
fn buffered<T>(run: impl FnOnce(&mut dyn Write) -> std::io::Result<T>) -> std::io::Result<T> {
    let mut stdout = std::io::stdout().lock();
    if stdout.is_terminal() {
        return run(&mut stdout);
    }
    let mut out = std::io::BufWriter::new(stdout);
    let result = run(&mut out)?;
    out.flush()?;
    Ok(result)
}
