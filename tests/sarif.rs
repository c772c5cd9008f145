//! `storyplan check --format sarif` validated against the official SARIF 2.1.0 schema,
//! for a clean plan, a broken one and one with an accepted finding.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn schema() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/schemas/sarif-schema-2.1.0.json");
    let text = std::fs::read_to_string(path).expect("the schema reads");
    // The published schema's pattern for `run.language` has a stray `]`, which lenient
    // regex engines read as a literal and ECMA-262 refuses: it is escaped here, so the
    // pattern means what those engines read (storyplan does not write `language`).
    let stray = r#"[a-zA-Z]{2}-[a-zA-Z]{2}]?$"#;
    assert!(text.contains(stray), "the schema is the published one");
    let text = text.replace(stray, r#"[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$"#);
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

/// `check --format sarif` on the plan with this text, run where it is `plan.ron`.
fn sarif(plan: &str) -> (Option<i32>, Value) {
    let dir = tempfile::TempDir::new().expect("temp dir");
    std::fs::write(dir.path().join("plan.ron"), plan).expect("written");
    let out = Command::new(env!("CARGO_BIN_EXE_storyplan"))
        .args(["check", "plan.ron", "--format", "sarif"])
        .current_dir(dir.path())
        .output()
        .expect("storyplan runs");
    let log: Value = serde_json::from_slice(&out.stdout).expect("the output is JSON");
    let validator = schema();
    let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
    assert!(
        errors.is_empty(),
        "not valid SARIF 2.1.0: {errors:#?}\n{log:#}"
    );
    (out.status.code(), log)
}

fn example(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("assets/examples/{name}.ron"));
    std::fs::read_to_string(path).expect("the example reads")
}

fn results(log: &Value) -> &Vec<Value> {
    log["runs"][0]["results"].as_array().expect("results")
}

#[test]
fn a_clean_plan_has_only_notes_and_every_rule_is_described() {
    let (code, log) = sarif(&example("reminders"));
    assert_eq!(code, Some(0));
    let driver = &log["runs"][0]["tool"]["driver"];
    assert_eq!(driver["name"], "storyplan");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let ids: Vec<&str> = driver["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| r["id"].as_str().expect("an id"))
        .collect();
    let all: Vec<&str> = storyplan::check::Rule::ALL.iter().map(|r| r.id()).collect();
    assert_eq!(ids, all);
    assert!(results(&log).iter().all(|r| r["level"] == "note"));
    // The schema does catch a log that is not SARIF.
    let mut wrong = log.clone();
    wrong["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!schema().is_valid(&wrong));
}

#[test]
fn a_broken_plan_has_errors_on_the_plans_lines() {
    // The reminders story with the flip before the table.
    let broken = example("reminders").replacen(
        "Flip(\n            id: \"enable\"",
        "Flip(\n            id: \"enable-early\"",
        1,
    );
    let mut plan: storyplan::plan::Plan = storyplan::store::parse(Path::new("plan.ron"), &broken)
        .expect("parses")
        .plan;
    plan.steps.swap(2, 3);
    let (code, log) = sarif(&storyplan::store::to_canonical_string(&plan));
    assert_eq!(code, Some(1));
    let errors: Vec<&Value> = results(&log)
        .iter()
        .filter(|r| r["level"] == "error")
        .collect();
    assert!(!errors.is_empty(), "{log:#}");
    let first = errors[0];
    assert_eq!(first["ruleId"], "broken-consumer");
    let rule_index = first["ruleIndex"].as_u64().expect("an index") as usize;
    assert_eq!(
        log["runs"][0]["tool"]["driver"]["rules"][rule_index]["id"],
        "broken-consumer"
    );
    let location = &first["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "plan.ron");
    assert!(location["region"]["startLine"].as_u64().expect("a line") > 1);
}

#[test]
fn an_accepted_finding_is_a_suppressed_result_with_its_reason() {
    let mut plan: storyplan::plan::Plan =
        storyplan::store::parse(Path::new("plan.ron"), &example("amount-column"))
            .expect("parses")
            .plan;
    // Without the double write, the mirror misses writes; the plan accepts it.
    let report = storyplan::check::check(&plan);
    let info = report
        .findings
        .iter()
        .find(|f| f.rule == storyplan::check::Rule::Rollback)
        .expect("a rollback info");
    plan.accepted.push(storyplan::plan::Accept {
        rule: "rollback".into(),
        step: info.step.map(|s| plan.steps[s].id().to_string()),
        key: info.key.clone(),
        reason: "we fix forward".into(),
    });
    let (code, log) = sarif(&storyplan::store::to_canonical_string(&plan));
    assert_eq!(code, Some(0));
    let suppressed: Vec<&Value> = results(&log)
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 1, "{log:#}");
    assert_eq!(
        suppressed[0]["suppressions"][0]["justification"],
        "we fix forward"
    );
    assert_eq!(suppressed[0]["suppressions"][0]["kind"], "inSource");
    assert_eq!(suppressed[0]["level"], "note");
}

#[test]
fn a_plan_that_does_not_parse_is_a_notification_of_a_failed_run() {
    let (code, log) = sarif("Plan(version: 1, story: \"x\", components: [");
    assert_eq!(code, Some(2));
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let note = &invocation["toolExecutionNotifications"][0];
    assert_eq!(note["level"], "error");
    assert_eq!(
        note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "plan.ron"
    );
}
