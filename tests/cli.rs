//! `storyplan check` (and the board's way in) as a user (or CI) runs them: the built binary,
//! real files, exit codes and output.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use tempfile::TempDir;

#[path = "common/run.rs"]
mod run;

use run::storyplan;

/// A web app that calls an endpoint the API only provides one release later.
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
/// The line of `BROKEN` where the breaking step starts.
const BROKEN_STEP_LINE: usize = 9;

/// A release with no changes: a `noop-change` warning and nothing else.
const WARNING_ONLY: &str = r#"Plan(
    version: 1,
    story: "Nothing to do",
    components: [
        Component(id: "db", name: "Database", kind: Database, current: [Provide("users")]),
    ],
    steps: [
        Release(id: "nothing", component: "db", title: "An empty release", changes: []),
    ],
)
"#;

/// `kind: Browser` is not a component kind.
const MALFORMED: &str = r#"Plan(
    version: 1,
    story: "Broken file",
    components: [
        Component(id: "web", name: "Web app", kind: Browser, current: []),
    ],
)
"#;

fn code(output: &Output) -> i32 {
    output.status.code().expect("storyplan exits with a code")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn write_plan(dir: &TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    fs::write(&path, text).expect("write the fixture");
    path
}

fn json(output: &Output) -> Vec<Value> {
    let value: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("stdout is JSON ({e}): {}", stdout(output)));
    value.as_array().expect("one array").clone()
}

#[test]
fn the_bundled_examples_are_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = storyplan(
        root,
        &[
            "check",
            "assets/examples/reminders.ron",
            "assets/examples/cents-api.ron",
            "assets/examples/amount-column.ron",
        ],
    );
    assert_eq!(code(&output), 0, "{}{}", stdout(&output), stderr(&output));
    assert!(stdout(&output).contains("assets/examples/reminders.ron: clean"));
}

#[test]
fn a_broken_consumer_fails_like_a_compiler_error() {
    let dir = TempDir::new().unwrap();
    write_plan(&dir, "broken.ron", BROKEN);
    let output = storyplan(dir.path(), &["check", "broken.ron"]);
    let text = stdout(&output);
    assert_eq!(code(&output), 1, "{text}");
    assert!(text.contains("error[broken-consumer]: "), "{text}");
    let location = format!("  --> broken.ron:{BROKEN_STEP_LINE}:");
    assert!(text.contains(&location), "{text}");
    assert!(text.contains(r#"(step 1 "ui", web)"#), "{text}");
    assert!(text.contains("   = hint: "), "{text}");
    assert!(text.contains("broken.ron: 1 error"), "{text}");
}

#[test]
fn json_has_the_documented_shape() {
    let dir = TempDir::new().unwrap();
    write_plan(&dir, "broken.ron", BROKEN);
    let output = storyplan(dir.path(), &["check", "--format", "json", "broken.ron"]);
    assert_eq!(code(&output), 1);
    let files = json(&output);
    assert_eq!(files.len(), 1);
    let file = &files[0];
    assert_eq!(file["file"], "broken.ron");
    assert_eq!(file["story"], "Show the things");

    let steps = file["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[0]["index"], 1);
    assert_eq!(steps[0]["id"], "ui");
    assert_eq!(steps[0]["kind"], "release");
    assert_eq!(steps[0]["component"], "web");
    assert_eq!(steps[0]["status"], "error");
    for step in steps {
        for field in ["rollback", "rollback_until"] {
            assert!(step.get(field).is_some(), "{field} in {step}");
        }
    }

    let findings = file["findings"].as_array().expect("findings");
    let broken = findings
        .iter()
        .find(|f| f["rule"] == "broken-consumer")
        .expect("a broken-consumer finding");
    assert_eq!(broken["severity"], "error");
    assert_eq!(broken["step"], "ui");
    assert_eq!(broken["step_index"], 1);
    assert_eq!(broken["until"], "endpoint");
    assert_eq!(broken["component"], "web");
    assert_eq!(broken["key"], "GET /things");
    assert!(broken["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(broken["hint"].as_str().is_some_and(|h| !h.is_empty()));
    assert_eq!(broken["reason"], Value::Null);

    let count = |severity: &str| {
        findings
            .iter()
            .filter(|f| f["severity"] == severity)
            .count()
    };
    let summary = &file["summary"];
    assert_eq!(summary["errors"], count("error"));
    assert_eq!(summary["warnings"], count("warning"));
    assert_eq!(summary["infos"], count("info"));
    assert_eq!(summary["accepted"], count("accepted"));
    assert!(count("error") >= 1);
}

#[test]
fn github_format_annotates_the_plan() {
    let dir = TempDir::new().unwrap();
    write_plan(&dir, "broken.ron", BROKEN);
    let output = storyplan(dir.path(), &["check", "--format", "github", "broken.ron"]);
    let text = stdout(&output);
    assert_eq!(code(&output), 1);
    let expected = format!(
        "::error file=broken.ron,line={BROKEN_STEP_LINE},col=9,title=storyplan broken-consumer::"
    );
    assert!(text.contains(&expected), "{text}");
}

#[test]
fn a_malformed_file_exits_2_with_file_line_and_column() {
    let dir = TempDir::new().unwrap();
    write_plan(&dir, "malformed.ron", MALFORMED);
    let output = storyplan(dir.path(), &["check", "malformed.ron"]);
    let text = stdout(&output);
    assert_eq!(code(&output), 2, "{text}");
    assert!(text.contains("error: malformed.ron:5:"), "{text}");
}

#[test]
fn an_unreadable_file_wins_over_findings() {
    let dir = TempDir::new().unwrap();
    write_plan(&dir, "broken.ron", BROKEN);
    write_plan(&dir, "malformed.ron", MALFORMED);
    let output = storyplan(dir.path(), &["check", "broken.ron", "malformed.ron"]);
    assert_eq!(code(&output), 2);
    let output = storyplan(
        dir.path(),
        &["check", "--format", "json", "broken.ron", "malformed.ron"],
    );
    assert_eq!(code(&output), 2);
    let files = json(&output);
    assert_eq!(files[1]["file"], "malformed.ron");
    assert_eq!(files[1]["error"]["line"], 5);
    assert!(files[1]["error"]["column"].is_u64());
    assert!(files[1]["error"]["message"].is_string());
}

#[test]
fn a_missing_file_exits_2() {
    let dir = TempDir::new().unwrap();
    let output = storyplan(dir.path(), &["check", "missing.ron"]);
    assert_eq!(code(&output), 2);
    assert!(stdout(&output).contains("error: missing.ron"));
}

#[test]
fn deny_warnings_fails_on_a_warning() {
    let dir = TempDir::new().unwrap();
    write_plan(&dir, "warning.ron", WARNING_ONLY);
    let output = storyplan(dir.path(), &["check", "warning.ron"]);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    assert!(stdout(&output).contains("warning[noop-change]"));
    let output = storyplan(dir.path(), &["check", "--deny", "warnings", "warning.ron"]);
    assert_eq!(code(&output), 1, "{}", stdout(&output));
}

#[test]
fn without_files_and_without_plans_it_says_so() {
    let dir = TempDir::new().unwrap();
    fs::create_dir(dir.path().join(".git")).unwrap();
    let output = storyplan(dir.path(), &["check"]);
    assert_eq!(code(&output), 2);
    let text = stderr(&output);
    assert!(text.contains("no plans found in"), "{text}");
    assert!(text.contains(".storyplan/"), "{text}");
    assert!(text.contains("pass files to check"), "{text}");
}

#[test]
fn without_files_it_checks_the_repository_plans() {
    let dir = TempDir::new().unwrap();
    fs::create_dir(dir.path().join(".git")).unwrap();
    fs::create_dir(dir.path().join(".storyplan")).unwrap();
    fs::write(dir.path().join(".storyplan/broken.ron"), BROKEN).unwrap();
    fs::write(dir.path().join(".storyplan/warning.ron"), WARNING_ONLY).unwrap();
    let output = storyplan(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code(&output), 1);
    let files: Vec<Value> = json(&output)
        .into_iter()
        .map(|f| f["file"].clone())
        .collect();
    assert_eq!(files, [".storyplan/broken.ron", ".storyplan/warning.ron"]);

    let nested = dir.path().join("src/deep");
    fs::create_dir_all(&nested).unwrap();
    let output = storyplan(&nested, &["check"]);
    assert_eq!(code(&output), 1);
    assert!(stdout(&output).contains("broken.ron"));
}

#[test]
fn piped_output_and_no_color_have_no_escapes() {
    let dir = TempDir::new().unwrap();
    write_plan(&dir, "broken.ron", BROKEN);
    let piped = storyplan(dir.path(), &["check", "broken.ron"]);
    assert!(!piped.stdout.contains(&0x1b));
    let no_color = Command::new(env!("CARGO_BIN_EXE_storyplan"))
        .args(["check", "broken.ron"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(code(&no_color), 1);
    assert!(!no_color.stdout.contains(&0x1b));
}

#[test]
fn escape_sequences_in_a_plan_never_reach_the_terminal() {
    let evil = WARNING_ONLY
        .replace("Nothing to do", "Nothing \u{1b}[31mto do")
        .replace("An empty release", "An \u{1b}]0;owned\u{7} release")
        .replace(r#"id: "nothing""#, "id: \"noth\u{1b}[2Jing\"")
        .replace(r#"id: "db""#, "id: \"d\u{9b}b\"")
        .replace(r#"component: "db""#, "component: \"d\u{9b}b\"");
    let dir = TempDir::new().unwrap();
    write_plan(&dir, "evil.ron", &evil);
    for format in ["human", "json", "github"] {
        let output = storyplan(dir.path(), &["check", "--format", format, "evil.ron"]);
        assert_eq!(code(&output), 0, "{format}: {}", stdout(&output));
        assert!(
            !output.stdout.contains(&0x1b),
            "{format}: {}",
            stdout(&output)
        );
        assert!(!stdout(&output).contains('\u{9b}'), "{format}");
        assert!(!output.stderr.contains(&0x1b), "{format}");
    }
    let output = storyplan(dir.path(), &["check", "--format", "json", "evil.ron"]);
    // JSON keeps the plan's characters, escaped: the bytes hold no ESC, the values do.
    let files = json(&output);
    assert_eq!(files[0]["story"], "Nothing \u{1b}[31mto do");
    assert_eq!(files[0]["steps"][0]["id"], "noth\u{1b}[2Jing");
    assert!(stdout(&output).contains("Nothing \\u001b[31mto do"));
}

#[test]
fn escape_sequences_in_a_parse_error_never_reach_the_terminal() {
    let dir = TempDir::new().unwrap();
    let evil = MALFORMED.replace("Browser", "Brow\u{1b}[31mser");
    write_plan(&dir, "evil.ron", &evil);
    for format in ["human", "json", "github"] {
        let output = storyplan(dir.path(), &["check", "--format", format, "evil.ron"]);
        assert_eq!(code(&output), 2, "{format}");
        assert!(
            !output.stdout.contains(&0x1b),
            "{format}: {}",
            stdout(&output)
        );
    }
}

#[test]
fn demo_of_an_unknown_example_names_the_examples() {
    let dir = TempDir::new().unwrap();
    let output = storyplan(dir.path(), &["demo", "nosuch"]);
    assert_eq!(code(&output), 2);
    let text = stderr(&output);
    assert!(
        text.contains("reminders, cents-api, amount-column"),
        "{text}"
    );
}

#[test]
fn the_board_without_plans_says_what_to_do() {
    let dir = TempDir::new().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let output = storyplan(dir.path(), &[]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("No plans yet in"), "{text}");
    assert!(text.contains("storyplan demo"), "{text}");
    assert!(text.contains("storyplan new"), "{text}");
    // Nothing that exists only in storyplan's own source tree.
    assert!(!text.contains("assets/"), "{text}");
    // Without a terminal it does not ask.
    assert!(!text.contains("Start one now?"), "{text}");
}

#[test]
fn usage_errors_exit_2() {
    let dir = TempDir::new().unwrap();
    let output = storyplan(dir.path(), &["check", "--format", "xml"]);
    assert_eq!(code(&output), 2);
    let output = storyplan(dir.path(), &["check", "--deny", "infos"]);
    assert_eq!(code(&output), 2);
}

#[test]
fn the_board_without_a_terminal_says_so() {
    let dir = TempDir::new().unwrap();
    let output = storyplan(dir.path(), &["demo"]);
    assert_eq!(code(&output), 2);
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("the board needs a terminal"), "{err}");
    assert!(!err.contains("os error"), "{err}");
}

#[test]
fn new_without_a_terminal_says_so_and_creates_nothing() {
    let dir = TempDir::new().expect("a temporary folder");
    let output = storyplan(dir.path(), &["new", "Add expense types"]);
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("needs a terminal"),
        "{}",
        stderr(&output)
    );
    assert!(!dir.path().join(".storyplan").exists());
}
