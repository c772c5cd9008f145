//! The JSON outputs validate against the schemas kept in `schemas/`: `check` on the
//! examples, on plans with every field and with findings, and on files that do not load;
//! `facts` on each kind of source.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn validator(name: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("schemas").join(name)).expect("reads");
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

fn json(args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_storyplan"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("storyplan runs");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?} printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn assert_valid(validator: &jsonschema::Validator, value: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{value:#}");
}

fn ron_files(dir: &Path) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(root().join(dir))
        .expect("a folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .map(|p| {
            p.strip_prefix(root())
                .expect("inside")
                .display()
                .to_string()
        })
        .collect();
    files.sort();
    files
}

#[test]
fn check_json_validates_for_plans_that_load_and_plans_that_do_not() {
    let check = validator("check.schema.json");
    let mut files = ron_files(Path::new("assets/examples"));
    files.extend(ron_files(Path::new("tests/fixtures/valid")));
    files.extend(ron_files(Path::new("tests/fixtures/invalid")));
    // The reminders story with the flip before the table: errors.
    let dir = tempfile::TempDir::new().expect("temp dir");
    let example = root().join("assets/examples/reminders.ron");
    let mut plan = storyplan::store::load(&example).expect("loads").plan;
    plan.steps.swap(2, 3);
    let broken = dir.path().join("broken.ron");
    storyplan::store::save_atomic(&broken, &plan).expect("written");
    files.push(broken.display().to_string());
    let mut args = vec!["check", "--format", "json"];
    args.extend(files.iter().map(String::as_str));
    let value = json(&args);
    assert_valid(&check, &value);
    let entries = value.as_array().expect("an array");
    assert_eq!(entries.len(), files.len());
    assert!(entries.iter().any(|e| e.get("error").is_some()));
    assert!(entries.iter().any(|e| {
        e["findings"]
            .as_array()
            .is_some_and(|f| f.iter().any(|f| f["severity"] == "error"))
    }));
    // The schema does catch a shape it does not describe.
    let mut wrong = value.clone();
    wrong[0]["summary"]["errors"] = Value::from("none");
    assert!(!check.is_valid(&wrong));
}

#[test]
fn facts_json_validates_for_every_kind_of_source() {
    let facts = validator("facts.schema.json");
    let sources = "tests/fixtures/sources";
    for args in [
        vec![format!("openapi:{sources}/openapi/shelter-3.0.yaml")],
        vec![format!("sql:{sources}/sql/postgres")],
        vec![format!("sql+sqlite:{sources}/sql/sqlite.sql")],
        vec![
            format!("openapi:{sources}/openapi/shelter-3.0.yaml"),
            format!("pact:{sources}/pact"),
        ],
    ] {
        let mut all = vec!["facts".to_string(), "--format".into(), "json".into()];
        all.extend(args);
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        let value = json(&all);
        assert_valid(&facts, &value);
        assert!(!value["facts"].as_array().expect("facts").is_empty());
    }
}

#[test]
fn fix_json_validates_with_an_order_found_and_with_repairs() {
    let fix = validator("fix.schema.json");
    let dir = tempfile::TempDir::new().expect("temp dir");
    // The reminders story with the flip before the table: one move fixes it.
    let example = root().join("assets/examples/reminders.ron");
    let mut plan = storyplan::store::load(&example).expect("loads").plan;
    plan.steps.swap(2, 3);
    let broken = dir.path().join("broken.ron");
    storyplan::store::save_atomic(&broken, &plan).expect("written");
    // The web app and the API need each other in one release each: only a repair helps.
    let cycle = dir.path().join("cycle.ron");
    std::fs::write(
        &cycle,
        r#"Plan(version: 1, story: "Feeding schedules", components: [
            Component(id: "web", name: "Web app", kind: Ui, current: []),
            Component(id: "api", name: "API", kind: Service, current: []),
        ], steps: [
            Release(id: "schedule-page", component: "web", title: "Page",
                changes: [Add(Call("GET /schedule")), Add(Provide("GET /preferences"))]),
            Release(id: "schedule-endpoint", component: "api", title: "Endpoint",
                changes: [Add(Provide("GET /schedule")), Add(Call("GET /preferences"))]),
        ])"#,
    )
    .expect("written");
    for (file, found) in [(&broken, true), (&cycle, false)] {
        let value = json(&["fix", &file.display().to_string(), "--format", "json"]);
        assert_valid(&fix, &value);
        assert_eq!(value["found"], found, "{value:#}");
        if !found {
            assert!(!value["repairs"].as_array().expect("repairs").is_empty());
        }
    }
}
