//! The terminal side of the board: the event loop, the effects `update` asks for, and
//! leaving the terminal (and the user's work) in order when something goes wrong.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    Event,
};
use ratatui::crossterm::execute;

use super::keymap::Keymap;
use super::model::{Model, Notice, Source};
use super::mouse::mouse_to_msg;
use super::msg::{Effect, Msg};
use super::picker::{Entry, pick};
use super::settings::Settings;
use super::theme::Theme;
use super::update::{key_to_msg, update};
use super::view::{self, LayoutCache};
use crate::plan::Plan;
use crate::store::{self, LoadError, Stamp};

/// The unsaved plan and where to write it if the board panics.
static RECOVERY: Mutex<Option<(PathBuf, Plan)>> = Mutex::new(None);

/// Where a crash writes the unsaved plan: next to its file, as `<name>.ron.recovered`.
pub fn recovery_path(source: &Source) -> PathBuf {
    match source {
        Source::File { path, .. } => {
            let mut name = path.file_name().unwrap_or_default().to_os_string();
            name.push(".recovered");
            path.with_file_name(name)
        }
        Source::Example { name } => PathBuf::from(format!("{name}.ron.recovered")),
        // A plan at a ref is read-only, so this is only a fallback: here, by its name.
        Source::Ref { path, .. } => {
            let mut name = path.file_name().unwrap_or_default().to_os_string();
            name.push(".recovered");
            PathBuf::from(name)
        }
    }
}

/// Keeps the plan a crash would write out, if it has unsaved changes.
pub fn remember_for_recovery(model: &Model) {
    let slot = model
        .modified()
        .then(|| (recovery_path(&model.source), model.plan.clone()));
    if let Ok(mut guard) = RECOVERY.lock() {
        *guard = slot;
    }
}

/// Writes the remembered unsaved plan next to its file, saying so on stderr; `what`
/// says what happened ("crashed", "lost its terminal").
fn write_recovery(what: &str) {
    let unsaved = RECOVERY.lock().ok().and_then(|mut guard| guard.take());
    if let Some((path, plan)) = unsaved {
        let text = store::to_canonical_string(&plan);
        match std::fs::write(&path, text) {
            Ok(()) => eprintln!(
                "storyplan {what}; your unsaved plan is in {}",
                path.display()
            ),
            Err(error) => eprintln!(
                "storyplan {what} and could not write {}: {error}",
                path.display()
            ),
        }
    }
}

/// Restores the terminal and saves the unsaved plan before the panic message prints.
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(io::stdout(), DisableMouseCapture, DisableBracketedPaste);
        ratatui::restore();
        write_recovery("crashed");
        previous(info);
    }));
}

/// Watches, from a thread of its own, for the board's terminal going away: a hangup or
/// termination signal, or a controlling terminal that can no longer be opened (with
/// SIGHUP ignored the board would otherwise read an empty terminal forever, inside
/// crossterm, where its own loop never gets a turn). Writes the unsaved plan and exits.
fn watch_hangup() {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGHUP, SIGTERM]) else {
            return;
        };
        let tty = || {
            std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open("/dev/tty")
                .is_ok()
        };
        // Only a terminal that was there can go away.
        let had_tty = tty();
        std::thread::spawn(move || {
            loop {
                let signalled = signals.pending().next().is_some();
                if signalled || (had_tty && !tty()) {
                    write_recovery("lost its terminal");
                    std::process::exit(129);
                }
                std::thread::sleep(Duration::from_millis(250));
            }
        });
    }
}

/// The board draws on stdout: without a terminal there, says so instead of an errno (and
/// before a command creates anything for a board it cannot show).
pub fn needs_terminal() -> io::Result<()> {
    if std::io::IsTerminal::is_terminal(&io::stdout()) {
        return Ok(());
    }
    Err(io::Error::other(
        "the board needs a terminal: run it in one, or use `storyplan check` or \
         `storyplan export` in scripts",
    ))
}

/// Runs `body` on a terminal set up for the board, and leaves the terminal as it was
/// whatever happens (a panic included).
fn with_terminal<R>(
    mouse: bool,
    body: impl FnOnce(&mut DefaultTerminal) -> io::Result<R>,
) -> io::Result<R> {
    needs_terminal()?;
    let mut terminal = ratatui::try_init()?;
    install_panic_hook();
    // A paste arrives as one event, not as thousands of keys.
    execute!(io::stdout(), EnableBracketedPaste)?;
    if mouse {
        execute!(io::stdout(), EnableMouseCapture)?;
    }
    let result = body(&mut terminal);
    // A blank screen to leave: a terminal that grew while the board was up (tmux among
    // them) may otherwise carry the board's last rows onto the shell's screen.
    let _ = terminal.clear();
    if mouse {
        let _ = execute!(io::stdout(), DisableMouseCapture);
    }
    let _ = execute!(io::stdout(), DisableBracketedPaste);
    ratatui::restore();
    if let Ok(mut guard) = RECOVERY.lock() {
        *guard = None;
    }
    result
}

/// Runs the board until the user quits.
pub fn run(model: Model) -> io::Result<()> {
    with_terminal(model.mouse, |terminal| event_loop(terminal, model))
}

/// Runs the plan picker until the user picks a plan (its path) or leaves it.
pub fn pick_plan(
    entries: Vec<Entry>,
    theme: &Theme,
    keymap: &Keymap,
) -> io::Result<Option<PathBuf>> {
    with_terminal(false, |terminal| pick(terminal, entries, theme, keymap))
}

fn event_loop(terminal: &mut DefaultTerminal, model: Model) -> io::Result<()> {
    let result = run_loop(terminal, model);
    // A terminal that fails to draw or to read is gone too: keep the unsaved plan.
    if result.is_err() {
        write_recovery("lost its terminal");
    }
    result
}

fn run_loop(terminal: &mut DefaultTerminal, mut model: Model) -> io::Result<()> {
    let mut cache = LayoutCache::default();
    let mut dirty = true;
    let mut remembered = model.revision;
    remember_for_recovery(&model);
    watch_hangup();
    let mut disk = DiskWatch::default();
    loop {
        if dirty {
            terminal.draw(|frame| cache = view::draw(frame, &model))?;
            dirty = false;
            if cache.board != model.shown {
                update(&mut model, Msg::Shown(cache.board));
            }
            if let Some(limit) = cache.help_max_scroll {
                update(&mut model, Msg::HelpLimit(limit));
            }
            if let Some(rows) = cache.page_rows
                && rows != model.page_rows
            {
                update(&mut model, Msg::PageRows(rows));
            }
            if let Some(limit) = cache.details_max_scroll
                && model.details_scroll > limit
            {
                update(&mut model, Msg::DetailsLimit(limit));
            }
        }
        if !event::poll(Duration::from_millis(500))? {
            if model.notice.is_some() {
                update(&mut model, Msg::Tick);
                dirty = model.notice.is_none();
            }
            if let Some(msg) = disk.changed(&model) {
                dirty = true;
                if !handle(&mut model, msg) {
                    return Ok(());
                }
            }
            continue;
        }
        let msg = match event::read()? {
            Event::Key(key) => key_to_msg(&model.keymap, model.context(), key),
            Event::Paste(text) => Some(Msg::Paste(text)),
            Event::Mouse(mouse) if model.mouse => mouse_to_msg(mouse, &cache, model.drag),
            Event::Resize(..) => {
                dirty = true;
                None
            }
            _ => None,
        };
        let Some(msg) = msg else { continue };
        dirty = true;
        if !handle(&mut model, msg) {
            return Ok(());
        }
        if model.revision != remembered {
            remember_for_recovery(&model);
            remembered = model.revision;
        }
    }
}

/// Updates the model with `msg` and carries out the effects that follow, each reporting
/// back; `false` once one of them is to quit.
fn handle(model: &mut Model, msg: Msg) -> bool {
    let mut effect = update(model, msg);
    while let Some(next) = effect.take() {
        match perform(next) {
            Some(reply) => effect = update(model, reply),
            None => return false,
        }
    }
    true
}

/// Watches the plan's file between keys: a change made by something else (an editor, a
/// pull, a second board) is told to the model once per version of the file. The file is
/// read again only when its size or modification time moves.
#[derive(Default)]
struct DiskWatch {
    seen: Option<(u64, Option<std::time::SystemTime>)>,
    told: Option<Stamp>,
}

impl DiskWatch {
    fn changed(&mut self, model: &Model) -> Option<Msg> {
        let Source::File {
            path,
            stamp: Some(known),
        } = &model.source
        else {
            return None;
        };
        let meta = std::fs::metadata(path).ok()?;
        let now = (meta.len(), meta.modified().ok());
        if self.seen.replace(now) == Some(now) {
            return None;
        }
        let stamp = Stamp::of_file(path).ok()??;
        if stamp == *known || self.told == Some(stamp) {
            return None;
        }
        self.told = Some(stamp);
        Some(Msg::DiskEdited)
    }
}

/// Carries out an effect; returns the message that reports how it went, or `None` to quit.
pub fn perform(effect: Effect) -> Option<Msg> {
    Some(match effect {
        Effect::Quit => return None,
        Effect::Copy(text) => match super::clipboard::copy(&text) {
            Ok(()) => Msg::Told {
                text: format!(
                    "Copied {} lines to the clipboard (OSC 52; in tmux it needs set-clipboard on)",
                    text.lines().count()
                ),
                error: false,
            },
            Err(error) => Msg::Told {
                text: format!("Could not copy: {error}"),
                error: true,
            },
        },
        Effect::Write { path, text } => {
            let told = |text: String, error| Msg::Told { text, error };
            if path.exists() {
                told(
                    format!("{} already exists; choose another name", path.display()),
                    true,
                )
            } else {
                match store::write_atomic(&path, text.as_bytes()) {
                    Ok(()) => told(format!("Wrote {}", path.display()), false),
                    Err(error) => told(format!("Cannot write {}: {error}", path.display()), true),
                }
            }
        }
        Effect::Import {
            root,
            plan,
            component,
        } => {
            let tree = crate::sources::WorkTree::new(&root);
            let result = crate::sources::import::import(&plan, &tree, &[component]);
            Msg::Imported(result.map_err(|errors| {
                let said: Vec<String> = errors.iter().map(ToString::to_string).collect();
                crate::text::clean_line(&said.join("; ")).into_owned()
            }))
        }
        Effect::CompareDisk { path, plan } => match store::load(&path) {
            Ok(disk) => Msg::Show {
                title: "Your edits against the file on disk".into(),
                text: crate::diff::render(
                    &crate::diff::diff(&disk.plan, &plan),
                    &format!("{} on disk", path.display()),
                    "the board",
                    false,
                ),
            },
            Err(error) => Msg::Told {
                text: crate::text::clean_line(&error.to_string()).into_owned(),
                error: true,
            },
        },
        Effect::Compare {
            reference,
            path,
            plan,
        } => {
            let cwd = std::env::current_dir().unwrap_or_default();
            match store::git::diff_against(&reference, &path, &plan, &cwd) {
                Ok(diff) => Msg::Show {
                    title: format!("Changes since {reference}"),
                    text: crate::diff::render(
                        &diff,
                        &format!("{reference}:{}", path.display()),
                        &path.display().to_string(),
                        false,
                    ),
                },
                Err(problem) => Msg::Told {
                    text: crate::text::clean_line(&problem).into_owned(),
                    error: true,
                },
            }
        }
        Effect::Save {
            path,
            plan,
            expected,
            force,
            then_quit,
        } => save(path, plan, expected, force, then_quit),
        Effect::Reload { path, by_itself } => match (store::load(&path), Stamp::of_file(&path)) {
            (Ok(loaded), Ok(Some(stamp))) => Msg::Reloaded {
                stamp,
                plan: Box::new(loaded.plan),
                by_itself,
            },
            (Ok(_), Ok(None)) => Msg::ReloadFailed(format!("{} is gone", path.display())),
            (Ok(_), Err(error)) => Msg::ReloadFailed(error.to_string()),
            (Err(error), _) => {
                Msg::ReloadFailed(crate::text::clean_line(&error.to_string()).into())
            }
        },
    })
}

fn save(
    path: PathBuf,
    plan: Box<Plan>,
    expected: Option<Stamp>,
    force: bool,
    then_quit: bool,
) -> Msg {
    let on_disk = match Stamp::of_file(&path) {
        Ok(stamp) => stamp,
        Err(error) if error.kind() == std::io::ErrorKind::InvalidInput => {
            return Msg::SaveRefused {
                reason: error.to_string(),
                then_quit,
            };
        }
        Err(error) => return Msg::SaveFailed(format!("cannot read {}: {error}", path.display())),
    };
    if !force && on_disk != expected {
        return match expected {
            None => Msg::SaveFailed(format!(
                "{} already exists; choose another name",
                path.display()
            )),
            Some(_) => Msg::DiskChanged { then_quit },
        };
    }
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty())
        && let Err(error) = std::fs::create_dir_all(folder)
    {
        return Msg::SaveFailed(format!("cannot create {}: {error}", folder.display()));
    }
    let text = store::to_canonical_string(&plan);
    match store::write_atomic(&path, text.as_bytes()) {
        Ok(()) => Msg::Saved {
            stamp: Stamp::of_bytes(text.as_bytes()),
            path,
            plan,
            then_quit,
        },
        Err(error)
            if matches!(
                error.kind(),
                std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::InvalidInput
            ) =>
        {
            Msg::SaveRefused {
                reason: error.to_string(),
                then_quit,
            }
        }
        Err(error) => Msg::SaveFailed(format!("cannot write {}: {error}", path.display())),
    }
}

/// Loads a plan file into a new board model.
pub fn open_file(path: &Path) -> Result<Model, LoadError> {
    let loaded = store::load(path)?;
    // The stamp is of the bytes on disk, which is what a later save compares against.
    let stamp = Stamp::of_file(path).ok().flatten();
    Ok(Model::new(
        loaded.plan,
        Source::File {
            path: path.to_path_buf(),
            stamp,
        },
    ))
}

/// Applies the user's settings; problems with them go on the status line.
pub fn apply_settings(model: &mut Model, settings: Settings) {
    model.keymap = settings.keymap;
    model.theme = settings.theme;
    model.mouse = settings.mouse;
    if !settings.problems.is_empty() {
        model.notice = Some(Notice {
            text: format!(
                "Settings: {} (using defaults)",
                settings.problems.join("; ")
            ),
            error: true,
        });
    }
}
