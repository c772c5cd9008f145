//! The real binary in a real terminal: tmux runs the board, sends keys as a person would,
//! and reads the screen back with `capture-pane`.
//!
//! Without tmux the test says so and passes, so `cargo test` works on any machine; CI
//! installs tmux and sets `STORYPLAN_E2E=require`, which turns a missing tmux into a
//! failure.

use std::path::Path;
use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

use storyplan::check::check;
use storyplan::store;

struct Tmux {
    session: String,
    /// One board at a time: sessions that share two cores miss their waits.
    _serial: std::sync::MutexGuard<'static, ()>,
}

static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

impl Tmux {
    fn available() -> bool {
        Command::new("tmux")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success())
    }

    fn start(name: &str, dir: &Path, command: &str) -> Tmux {
        Tmux::start_sized(name, dir, command, (120, 36))
    }

    fn start_sized(name: &str, dir: &Path, command: &str, (width, height): (u16, u16)) -> Tmux {
        let serial = SERIAL
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let session = format!("storyplan-e2e-{name}-{}", std::process::id());
        let (width, height) = (width.to_string(), height.to_string());
        let start = || {
            Command::new("tmux")
                .args([
                    "new-session",
                    "-d",
                    "-s",
                    &session,
                    "-x",
                    &width,
                    "-y",
                    &height,
                    "-c",
                ])
                .arg(dir)
                .arg(command)
                .output()
                .expect("tmux starts")
        };
        // The tmux server exits with the last session; a session started while it is still
        // going away fails, so try again a few times.
        let mut output = start();
        for _ in 0..10 {
            if output.status.success() {
                break;
            }
            sleep(Duration::from_millis(200));
            output = start();
        }
        assert!(
            output.status.success(),
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        Tmux {
            session,
            _serial: serial,
        }
    }

    fn keys(&self, keys: &[&str]) {
        let status = Command::new("tmux")
            .args(["send-keys", "-t", &self.session])
            .args(keys)
            .status()
            .expect("tmux send-keys runs");
        assert!(status.success());
    }

    fn screen(&self) -> String {
        let output = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.session])
            .output()
            .expect("tmux capture-pane runs");
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Waits until the screen shows `text`, failing with the screen after a while.
    fn wait_for(&self, text: &str) -> String {
        self.wait_for_all(&[text])
    }

    /// Waits until the screen shows every one of `texts` at once (a capture can catch a
    /// frame half drawn, so one text on screen does not mean the rest is there yet).
    fn wait_for_all(&self, texts: &[&str]) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if texts.iter().all(|text| screen.contains(text)) {
                return screen;
            }
            if start.elapsed() > Duration::from_secs(15) {
                panic!("waited for {texts:?}; the screen shows:\n{screen}");
            }
            sleep(Duration::from_millis(100));
        }
    }

    /// Waits until the board has quit (its session ends with it), failing with `why` and
    /// the screen after a while.
    fn wait_until_gone(&self, why: &str) {
        let start = Instant::now();
        while self.running() && start.elapsed() < Duration::from_secs(10) {
            sleep(Duration::from_millis(100));
        }
        assert!(!self.running(), "{why}\n{}", self.screen());
    }

    fn resize(&self, (width, height): (u16, u16)) {
        let status = Command::new("tmux")
            .args(["resize-window", "-t", &self.session, "-x"])
            .arg(width.to_string())
            .arg("-y")
            .arg(height.to_string())
            .status()
            .expect("tmux resize-window runs");
        assert!(status.success());
    }

    /// The screen and the scrollback above it.
    fn screen_and_history(&self) -> String {
        let output = Command::new("tmux")
            .args(["capture-pane", "-p", "-S", "-", "-t", &self.session])
            .output()
            .expect("tmux capture-pane runs");
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    fn running(&self) -> bool {
        Command::new("tmux")
            .args(["has-session", "-t", &self.session])
            .output()
            .is_ok_and(|o| o.status.success())
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.session])
            .output();
    }
}

/// The board's command line, with its settings read from `config` (which it creates).
fn storyplan_command(config: &Path, args: &str) -> String {
    std::fs::create_dir_all(config).expect("config dir");
    format!(
        "env STORYPLAN_CONFIG_DIR={} {} {args}",
        config.display(),
        env!("CARGO_BIN_EXE_storyplan")
    )
}

/// A temporary folder that is a git repository (to storyplan) without plans.
fn empty_repository() -> tempfile::TempDir {
    let dir = tempfile::TempDir::new().expect("temp dir");
    std::fs::create_dir(dir.path().join(".git")).expect("a repository");
    dir
}

fn tmux_or_skip() -> bool {
    if Tmux::available() {
        return true;
    }
    assert!(
        std::env::var("STORYPLAN_E2E").as_deref() != Ok("require"),
        "STORYPLAN_E2E=require but tmux is not installed"
    );
    eprintln!("tmux is not installed: skipping the end-to-end test of the board");
    false
}

/// The reminders story with the flip before the table (the API writes a table that does
/// not exist yet: one error), written to `dir/plan.ron`.
fn broken_reminders(dir: &Path) -> std::path::PathBuf {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/examples/reminders.ron");
    let mut plan = store::load(&example).expect("example loads").plan;
    plan.steps.swap(2, 3);
    assert_eq!(check(&plan).summary().errors, 1);
    let file = dir.join("plan.ron");
    store::save_atomic(&file, &plan).expect("plan written");
    file
}

#[test]
fn move_undo_redo_and_save_on_the_real_board() {
    if !tmux_or_skip() {
        return;
    }
    let dir = tempfile::TempDir::new().expect("temp dir");
    let config = dir.path().join("config");
    let file = broken_reminders(dir.path());

    let command = storyplan_command(&config, "open plan.ron");
    let tmux = Tmux::start("move", dir.path(), &command);
    tmux.wait_for_all(&["1 error", "Turn reminders on", "q quit"]);

    // Select the flip (third step) and move it below the table.
    tmux.keys(&["j", "j", "J"]);
    tmux.wait_for_all(&["0 errors", "modified"]);

    tmux.keys(&["u"]);
    tmux.wait_for("1 error");
    tmux.keys(&["C-r"]);
    tmux.wait_for("0 errors");

    tmux.keys(&["C-s"]);
    tmux.wait_for("Saved");
    let saved = store::load(&file).expect("the saved plan loads");
    let order: Vec<&str> = saved.plan.steps.iter().map(|s| s.id()).collect();
    assert_eq!(
        order,
        ["ui-hidden", "endpoints", "table", "enable", "cleanup"]
    );
    assert_eq!(check(&saved.plan).summary().errors, 0);
    assert_eq!(
        std::fs::read_to_string(&file).expect("file reads"),
        store::to_canonical_string(&saved.plan)
    );

    // Saved, so quitting does not ask.
    tmux.keys(&["q"]);
    tmux.wait_until_gone("the board did not quit:");
}

#[test]
fn a_two_component_plan_from_storyplan_new_with_keys_only() {
    if !tmux_or_skip() {
        return;
    }
    let dir = empty_repository();
    let command = storyplan_command(&dir.path().join("config"), "new 'Pay adoption fees online'");
    let tmux = Tmux::start("new", dir.path(), &command);
    let pause = || sleep(Duration::from_millis(300));
    tmux.wait_for("Kickoff");

    // The story: its narrative.
    tmux.keys(&["Tab"]);
    tmux.keys(&["-l", "As an adopter I want to pay the fee online"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("New component");

    // Two components: web (a Ui) and api (a Service); Esc ends the list.
    tmux.keys(&["-l", "web"]);
    tmux.keys(&["Tab"]);
    tmux.keys(&["-l", "Web app"]);
    tmux.keys(&["Tab", "Left", "Enter"]);
    pause();
    tmux.keys(&["-l", "api"]);
    tmux.keys(&["Tab"]);
    tmux.keys(&["-l", "Payments API"]);
    tmux.keys(&["Enter"]);
    pause();
    tmux.keys(&["Escape"]);
    tmux.wait_for("Facts of web");

    // web calls the payment endpoint; api provides it. The fact line: a key alone takes
    // the access a Ui usually has, `p` says Provide.
    pause();
    tmux.keys(&["a"]);
    pause();
    tmux.keys(&["-l", "POST /adoptions/{id}/payment"]);
    tmux.keys(&["Enter"]);
    pause();
    tmux.keys(&["Escape"]);
    tmux.wait_for("Facts of api");
    pause();
    tmux.keys(&["a"]);
    pause();
    tmux.keys(&["-l", "p POST /adoptions/{id}/payment"]);
    tmux.keys(&["Enter"]);
    pause();
    tmux.keys(&["Escape"]);
    tmux.wait_for("Kickoff done");

    tmux.keys(&["C-s"]);
    tmux.wait_for("Saved");
    tmux.keys(&["q"]);
    tmux.wait_until_gone("the board did not quit:");

    let file = dir.path().join(".storyplan/pay-adoption-fees-online.ron");
    let loaded = store::load(&file).expect("the new plan loads");
    let plan = &loaded.plan;
    assert_eq!(plan.story, "Pay adoption fees online");
    assert_eq!(
        plan.narrative.as_deref(),
        Some("As an adopter I want to pay the fee online")
    );
    let ids: Vec<&str> = plan.components.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["web", "api"]);
    assert_eq!(plan.components[0].kind, storyplan::plan::Kind::Ui);
    assert_eq!(
        plan.components[1].current,
        [storyplan::plan::Fact::provide(
            "POST /adoptions/{id}/payment"
        )]
    );
    let summary = check(plan).summary();
    assert_eq!((summary.errors, summary.warnings), (0, 0));
}

#[test]
fn storyplan_in_a_repository_without_plans_offers_to_start_one() {
    if !tmux_or_skip() {
        return;
    }
    let dir = empty_repository();
    let command = storyplan_command(&dir.path().join("config"), "");
    let tmux = Tmux::start("offer", dir.path(), &command);
    tmux.wait_for("Start one now?");
    tmux.keys(&["-l", "Add expense types"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("Kickoff");
    // Esc leaves the story form, then the first component's form.
    tmux.keys(&["Escape"]);
    tmux.wait_for("New component");
    tmux.keys(&["Escape"]);
    sleep(Duration::from_millis(300));
    tmux.keys(&["q"]);
    tmux.wait_until_gone("the board did not quit:");
    let file = dir.path().join(".storyplan/add-expense-types.ron");
    let loaded = store::load(&file).expect("the new plan loads");
    assert_eq!(loaded.plan.story, "Add expense types");
}

#[test]
fn a_plan_changed_on_disk_is_reloaded_by_the_board_without_unsaved_edits() {
    if !tmux_or_skip() {
        return;
    }
    let dir = tempfile::TempDir::new().expect("temp dir");
    let config = dir.path().join("config");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/examples/reminders.ron");
    let mut plan = store::load(&example).expect("example loads").plan;
    let file = dir.path().join("plan.ron");
    store::save_atomic(&file, &plan).expect("plan written");
    let command = storyplan_command(&config, "open plan.ron");
    let tmux = Tmux::start("disk", dir.path(), &command);
    tmux.wait_for("Steps (5)");
    // A teammate's edit lands in the file: one step fewer.
    plan.steps.pop();
    store::save_atomic(&file, &plan).expect("plan rewritten");
    tmux.wait_for("The file changed on disk: reloaded it");
    tmux.wait_for("Steps (4)");
    tmux.keys(&["q"]);
    tmux.wait_until_gone("the board did not quit:");
}

#[path = "common/kickoff.rs"]
mod kickoff;

#[test]
fn the_add_expense_types_kickoff_on_the_real_board_in_under_four_hundred_keys() {
    if !tmux_or_skip() {
        return;
    }
    let dir = empty_repository();
    let command = storyplan_command(&dir.path().join("config"), "new 'Add expense types'");
    let tmux = Tmux::start("kickoff", dir.path(), &command);
    tmux.wait_for("Kickoff");
    for token in kickoff::SCRIPT {
        match *token {
            kickoff::Token::Text(text) => tmux.keys(&["-l", text]),
            // An Esc straight before another key reads as Alt and that key: let it land.
            kickoff::Token::Key("Escape") => {
                tmux.keys(&["Escape"]);
                sleep(Duration::from_millis(300));
            }
            kickoff::Token::Key(key) => tmux.keys(&[key]),
        }
    }
    tmux.wait_for("Added");
    tmux.keys(&["C-s"]);
    tmux.wait_for("Saved");
    tmux.keys(&["q"]);
    tmux.wait_until_gone("the board did not quit:");
    let file = dir.path().join(".storyplan/add-expense-types.ron");
    let plan = store::load(&file).expect("the plan loads").plan;
    let ids: Vec<&str> = plan.components.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["web", "api", "db", "events"]);
    assert_eq!(plan.toggles.len(), 1);
    assert!(plan.steps.len() >= 4);
    let summary = check(&plan).summary();
    assert_eq!((summary.errors, summary.warnings), (0, 0));
    // The script's keys, and the save and the quit.
    assert!(kickoff::keys() + 2 < 400, "{} keys", kickoff::keys() + 2);
}

#[test]
fn the_story_form_confirmed_as_it_opened_changes_nothing() {
    if !tmux_or_skip() {
        return;
    }
    let dir = tempfile::TempDir::new().expect("temp dir");
    let config = dir.path().join("config");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/examples/reminders.ron");
    let mut plan = store::load(&example).expect("example loads").plan;
    plan.narrative = Some("Reminders on GET / POST\nfor every volunteer".into());
    plan.notes = Some("a / b".into());
    let file = dir.path().join("plan.ron");
    store::save_atomic(&file, &plan).expect("plan written");
    let before = std::fs::read(&file).expect("file reads");

    let command = storyplan_command(&config, "open plan.ron");
    let tmux = Tmux::start("story", dir.path(), &command);
    tmux.wait_for_all(&["0 errors", "q quit"]);
    tmux.keys(&["i"]);
    // The narrative shows as written, on its own lines.
    tmux.wait_for_all(&[
        "Reminders on GET / POST",
        "for every volunteer",
        "Enter save",
    ]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("STEPS");
    // Nothing changed, so quitting does not ask, and the file is as it was.
    tmux.keys(&["q"]);
    tmux.wait_until_gone("the board did not quit:");
    assert_eq!(std::fs::read(&file).expect("file reads"), before);
}

#[test]
fn keys_on_a_terminal_too_small_for_the_board_change_nothing() {
    if !tmux_or_skip() {
        return;
    }
    let dir = tempfile::TempDir::new().expect("temp dir");
    let config = dir.path().join("config");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/examples/reminders.ron");
    let plan = store::load(&example).expect("example loads").plan;
    let file = dir.path().join("plan.ron");
    store::save_atomic(&file, &plan).expect("plan written");
    let before = std::fs::read(&file).expect("file reads");

    let command = storyplan_command(&config, "open plan.ron");
    let tmux = Tmux::start_sized("small", dir.path(), &command, (40, 10));
    tmux.wait_for("needs at least");
    tmux.keys(&["d", "d", "d", "C-s"]);
    sleep(Duration::from_millis(500));
    assert_eq!(std::fs::read(&file).expect("file reads"), before);
    // Nothing changed, so q quits without asking.
    tmux.keys(&["q"]);
    tmux.wait_until_gone("the board did not quit:");
    assert_eq!(std::fs::read(&file).expect("file reads"), before);
}

#[test]
fn f_fixes_the_order_on_the_real_board_and_saves_it() {
    if !tmux_or_skip() {
        return;
    }
    let dir = tempfile::TempDir::new().expect("temp dir");
    let config = dir.path().join("config");
    let file = broken_reminders(dir.path());
    let command = storyplan_command(&config, "open plan.ron");
    let tmux = Tmux::start("fix", dir.path(), &command);
    tmux.wait_for_all(&["1 error", "q quit"]);
    tmux.keys(&["F"]);
    tmux.wait_for_all(&[
        "Fix the order",
        "move step 3 \"enable\" after step 4 \"table\"",
        "In this order: 0 errors",
    ]);
    tmux.keys(&["Enter"]);
    tmux.wait_for_all(&["0 errors", "nearest safe order"]);
    tmux.keys(&["C-s"]);
    tmux.wait_for("Saved");
    let saved = store::load(&file).expect("the saved plan loads");
    let order: Vec<&str> = saved.plan.steps.iter().map(|s| s.id()).collect();
    assert_eq!(
        order,
        ["ui-hidden", "endpoints", "table", "enable", "cleanup"]
    );
    tmux.keys(&["q"]);
    tmux.wait_until_gone("the board did not quit:");
}

#[test]
fn quitting_after_the_window_grew_leaves_a_clean_shell_screen() {
    if !tmux_or_skip() {
        return;
    }
    let dir = tempfile::TempDir::new().expect("temp dir");
    let command = storyplan_command(&dir.path().join("config"), "demo");
    // A shell around the board, so that its screen can be read after the board quits.
    let shell = format!("sh -c 'echo before; {command}; echo after; exec sleep 60'");
    let tmux = Tmux::start_sized("grow", dir.path(), &shell, (80, 24));
    tmux.wait_for_all(&["0 errors", "quit"]);
    tmux.resize((140, 40));
    tmux.wait_for_all(&["Details", "After this step"]);
    tmux.keys(&["q"]);
    let screen = tmux.wait_for("after");
    let everything = tmux.screen_and_history();
    for drawn in ["┃", "│", "Details", "Steps"] {
        assert!(
            !everything.contains(drawn),
            "the board's {drawn:?} is left on the shell's screen:\n{everything}"
        );
    }
    assert!(screen.trim_start().starts_with("before"), "{screen}");
}

/// The reminders story in `dir/plan.ron`, opened on the board in tmux by `shell` (which
/// gets the storyplan command as `$0`-free text to run), with a step moved so the plan has
/// unsaved changes.
fn modified_board(name: &str, dir: &Path, wrap: impl Fn(&str) -> String) -> Tmux {
    let config = dir.join("config");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/examples/reminders.ron");
    let plan = store::load(&example).expect("example loads").plan;
    store::save_atomic(&dir.join("plan.ron"), &plan).expect("plan written");
    let command = storyplan_command(&config, "open plan.ron");
    let tmux = Tmux::start(name, dir, &wrap(&command));
    tmux.wait_for_all(&["0 errors", "q quit"]);
    tmux.keys(&["J"]);
    tmux.wait_for("modified");
    tmux
}

/// Waits for the recovered plan next to `plan.ron` and returns it.
fn recovered(dir: &Path) -> storyplan::plan::Plan {
    let path = dir.join("plan.ron.recovered");
    let start = Instant::now();
    while !path.exists() && start.elapsed() < Duration::from_secs(10) {
        sleep(Duration::from_millis(100));
    }
    store::load(&path)
        .unwrap_or_else(|err| panic!("no recovered plan: {err}"))
        .plan
}

#[test]
fn a_hangup_keeps_the_unsaved_plan() {
    if !tmux_or_skip() {
        return;
    }
    let dir = tempfile::TempDir::new().expect("temp dir");
    let tmux = modified_board("hup", dir.path(), str::to_string);
    // Killing the session hangs up its terminal: the board gets SIGHUP.
    drop(tmux);
    let plan = recovered(dir.path());
    let order: Vec<&str> = plan.steps.iter().map(|s| s.id()).collect();
    assert_eq!(order[..2], ["endpoints", "ui-hidden"]);
}

#[test]
fn a_lost_terminal_with_sighup_ignored_keeps_the_plan_and_exits() {
    if !tmux_or_skip() {
        return;
    }
    let dir = tempfile::TempDir::new().expect("temp dir");
    let pid_file = dir.path().join("pid");
    let tmux = modified_board("nohup", dir.path(), |command| {
        format!(
            "sh -c 'echo $$ > {}; trap \"\" HUP; exec {command}'",
            pid_file.display()
        )
    });
    let pid = std::fs::read_to_string(&pid_file).expect("the board wrote its pid");
    let pid = pid.trim().to_string();
    drop(tmux);
    let plan = recovered(dir.path());
    assert_eq!(plan.steps[0].id(), "endpoints");
    // It does not spin on a terminal that is gone: it exits.
    let start = Instant::now();
    let alive = || Path::new("/proc").join(&pid).exists();
    while alive() && start.elapsed() < Duration::from_secs(10) {
        sleep(Duration::from_millis(100));
    }
    assert!(
        !alive(),
        "the board (pid {pid}) still runs without a terminal"
    );
}

#[test]
fn a_keymap_without_quit_still_quits_with_ctrl_c() {
    if !tmux_or_skip() {
        return;
    }
    let dir = tempfile::TempDir::new().expect("temp dir");
    let config = dir.path().join("config");
    let command = storyplan_command(&config, "demo");
    std::fs::write(
        config.join("keymap.ron"),
        "(board: { quit: [], undo: [\"q\"] })",
    )
    .expect("keymap written");
    let tmux = Tmux::start("noquit", dir.path(), &command);
    // The problem is on the status line; q no longer quits.
    tmux.wait_for("Ctrl-c still quits");
    tmux.keys(&["q"]);
    sleep(Duration::from_millis(300));
    assert!(tmux.running());
    tmux.keys(&["C-c"]);
    tmux.wait_until_gone("Ctrl-c did not quit:");
}

#[test]
fn a_long_paste_into_a_form_arrives_in_one_piece() {
    if !tmux_or_skip() {
        return;
    }
    let dir = tempfile::TempDir::new().expect("temp dir");
    let config = dir.path().join("config");
    let command = storyplan_command(&config, "demo");
    let tmux = Tmux::start("paste", dir.path(), &command);
    tmux.wait_for("q quit");
    tmux.keys(&["i"]);
    tmux.wait_for("Enter save");
    let pasted = format!("{}END", "ab".repeat(8_000));
    let buffer = Command::new("tmux")
        .args(["set-buffer", "-b", &tmux.session, &pasted])
        .status()
        .expect("tmux set-buffer runs");
    assert!(buffer.success());
    // -p: bracketed, as a terminal pastes when the application asks for it.
    let paste = Command::new("tmux")
        .args([
            "paste-buffer",
            "-p",
            "-b",
            &tmux.session,
            "-t",
            &tmux.session,
        ])
        .status()
        .expect("tmux paste-buffer runs");
    assert!(paste.success());
    tmux.keys(&["Enter"]);
    // The whole paste is in the story title, which the header shows (its end, cut).
    tmux.wait_for("[+] modified");
    let screen = tmux.screen();
    assert!(
        !screen.contains("Enter save"),
        "the form is closed:\n{screen}"
    );
}
