//! The CI wiring teams copy: the GitHub Action and the pre-commit hook parse, and the
//! commands they run are storyplan's own, with options it has.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn yaml(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    let text = std::fs::read_to_string(&path).expect("the file reads");
    yaml_serde::from_str(&text).unwrap_or_else(|e| panic!("{name} is not YAML: {e}"))
}

/// Whether `storyplan ARGS --help` succeeds: the command and its options exist.
fn accepts(args: &[&str]) -> bool {
    Command::new(env!("CARGO_BIN_EXE_storyplan"))
        .args(args)
        .arg("--help")
        .output()
        .is_ok_and(|out| out.status.success())
}

#[test]
fn the_action_is_composite_installs_storyplan_and_runs_check() {
    let action = yaml("action.yml");
    assert_eq!(action["runs"]["using"], "composite");
    for input in [
        "plans",
        "deny-warnings",
        "version",
        "verify",
        "sarif",
        "upload-sarif",
    ] {
        assert!(
            action["inputs"][input]["description"].is_string(),
            "input {input}"
        );
    }
    let steps = action["runs"]["steps"].as_array().expect("steps");
    let run: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    let all = run.join("\n");
    assert!(
        all.contains("cargo install --locked --path \"$ACTION_PATH\""),
        "{all}"
    );
    assert!(all.contains("args=(check --format github)"), "{all}");
    assert!(all.contains("storyplan check --format sarif"), "{all}");
    assert!(all.contains("--deny warnings"), "{all}");
    let uses: Vec<&str> = steps.iter().filter_map(|s| s["uses"].as_str()).collect();
    assert!(
        uses.contains(&"github/codeql-action/upload-sarif@v3"),
        "{uses:?}"
    );
    assert!(accepts(&["check", "--format", "sarif"]));
    assert!(accepts(&[
        "check", "--format", "github", "--deny", "warnings"
    ]));
}

#[test]
fn the_pre_commit_hook_checks_the_changed_plans() {
    let hooks = yaml(".pre-commit-hooks.yaml");
    let hook = &hooks[0];
    assert_eq!(hook["id"], "storyplan-check");
    assert_eq!(hook["entry"], "storyplan check");
    assert_eq!(hook["language"], "rust");
    assert_eq!(hook["pass_filenames"], true);
    // Plans at the root's .storyplan/, as storyplan keeps them.
    assert_eq!(hook["files"], r"^\.storyplan/.*\.ron$");
    assert!(accepts(&["check"]));
}
