//! `storyplan import` on a throwaway git repository: an API described by OpenAPI, a web
//! app by a pact, a database by migrations (the fixtures under `tests/fixtures/sources`),
//! and a plan whose components name them.

use std::path::{Path, PathBuf};
use std::process::Command;

use storyplan::plan::Fact;
use storyplan::store;

#[path = "common/run.rs"]
mod run;

use run::{storyplan, text};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sources")
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.org"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        status.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&status.stderr)
    );
}

const PLAN: &str = r#"#![enable(implicit_some)]
Plan(
    version: 1,
    story: "Reminders",
    components: [
        Component(
            id: "web",
            name: "Web app",
            kind: Ui,
            sources: [Pact("web/pact.json")],
            current: [
                Call("GET /user/{userId}/reminder"),
                Call("GET /gone"),
            ],
        ),
        Component(
            id: "api",
            name: "API",
            kind: Service,
            sources: [OpenApi("api/openapi.yaml")],
            current: [
                Provide("GET /user/{id}"),
                Provide("GET /user/{userId}/reminder"),
                Call("GET /elsewhere"),
            ],
        ),
        Component(
            id: "db",
            name: "Database",
            kind: Database,
            sources: [Sql("db/schema.sql", dialect: Sqlite)],
            current: [Provide("u"), Provide("u.b")],
        ),
    ],
)
"#;

/// A repository with the three sources and the plan, committed.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let root = dir.path();
    for (from, to) in [
        ("openapi/shelter-3.0.yaml", "api/openapi.yaml"),
        ("pact/web-api-v3.json", "web/pact.json"),
        ("sql/sqlite.sql", "db/schema.sql"),
    ] {
        let to = root.join(to);
        std::fs::create_dir_all(to.parent().expect("a folder")).expect("folder");
        std::fs::copy(fixtures().join(from), to).expect("fixture copied");
    }
    std::fs::create_dir_all(root.join(".storyplan")).expect("plan folder");
    std::fs::write(root.join(".storyplan/reminders.ron"), PLAN).expect("plan written");
    git(root, &["init", "-q"]);
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "start"]);
    dir
}

fn plan(dir: &Path) -> storyplan::plan::Plan {
    store::load(&dir.join(".storyplan/reminders.ron"))
        .expect("the plan loads")
        .plan
}

#[test]
fn import_shows_what_each_component_lacks_and_what_its_sources_lack() {
    let repo = repository();
    let out = storyplan(repo.path(), &["import", ".storyplan/reminders.ron"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    // The pact's /user/me/reminder matches the API's template, spelt as the plan spells it.
    let web =
        "web ← Pact(\"web/pact.json\")\n  + Call(\"GET /stats/weekly\")\n  − Call(\"GET /gone\")\n";
    assert!(stdout.contains(web), "{stdout}");
    assert!(
        stdout.contains("api ← OpenApi(\"api/openapi.yaml\")\n  + Provide(\"DELETE /user/{id}\")"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("Provide(\"GET /user/{id}/reminder\")"),
        "the plan's spelling {{userId}} is kept: {stdout}"
    );
    assert!(
        !stdout.contains("GET /elsewhere"),
        "a call is not what OpenAPI says: {stdout}"
    );
    assert!(
        stdout.contains("--write adds what current lacks"),
        "{stdout}"
    );
    let before = std::fs::read(repo.path().join(".storyplan/reminders.ron")).expect("reads");
    assert_eq!(before, PLAN.as_bytes(), "nothing written without --write");
}

#[test]
fn write_adds_to_current_and_prune_removes_then_it_is_in_sync() {
    let repo = repository();
    let out = storyplan(
        repo.path(),
        &["import", ".storyplan/reminders.ron", "--write"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Wrote .storyplan/reminders.ron: added"));
    let written = plan(repo.path());
    let web = &written.components[0];
    assert!(web.current.contains(&Fact::call("GET /stats/weekly")));
    assert!(
        web.current.contains(&Fact::call("GET /gone")),
        "kept without --prune"
    );
    assert_eq!(
        written.components[1].current[2],
        Fact::call("GET /elsewhere")
    );
    // Saved canonically: loading and saving again gives the same bytes.
    let bytes = std::fs::read(repo.path().join(".storyplan/reminders.ron")).expect("reads");
    assert_eq!(store::to_canonical_string(&written).as_bytes(), bytes);

    let out = storyplan(
        repo.path(),
        &["import", ".storyplan/reminders.ron", "--write", "--prune"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        !plan(repo.path()).components[0]
            .current
            .contains(&Fact::call("GET /gone"))
    );
    let out = storyplan(repo.path(), &["import", ".storyplan/reminders.ron"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.matches(": in sync").count(), 3, "{stdout}");
}

#[test]
fn a_ref_reads_the_sources_as_they_were_committed() {
    let repo = repository();
    let api = repo.path().join("api/openapi.yaml");
    let grown = std::fs::read_to_string(&api).expect("reads").replacen(
        "\npaths:\n",
        "\npaths:\n  /kennels:\n    get:\n      responses: {\"200\": {description: kennels}}\n",
        1,
    );
    std::fs::write(&api, grown).expect("written");
    let args = ["import", ".storyplan/reminders.ron", "--component", "api"];
    let now = text(&storyplan(repo.path(), &args).stdout);
    assert!(now.contains("+ Provide(\"GET /kennels\")"), "{now}");
    let mut at_head = args.to_vec();
    at_head.extend(["--ref", "HEAD"]);
    let then = storyplan(repo.path(), &at_head);
    assert_eq!(then.status.code(), Some(1), "{}", text(&then.stderr));
    let then = text(&then.stdout);
    assert!(!then.contains("GET /kennels"), "{then}");
    assert!(
        !then.contains("web ←"),
        "only the component asked for: {then}"
    );
}

#[test]
fn bad_input_exits_2_with_a_message_naming_it() {
    let repo = repository();
    let run = |args: &[&str]| {
        let out = storyplan(repo.path(), args);
        (out.status.code(), text(&out.stderr))
    };
    let (code, err) = run(&["import", ".storyplan/reminders.ron", "--component", "apii"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("there is no component apii: did you mean api?"),
        "{err}"
    );
    let (code, err) = run(&["import", ".storyplan/reminders.ron", "--ref", "no-such-ref"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("no-such-ref"), "{err}");
    std::fs::remove_file(repo.path().join("db/schema.sql")).expect("removed");
    let (code, err) = run(&["import", ".storyplan/reminders.ron"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("db/schema.sql"), "{err}");
    let (code, err) = run(&["import", "missing.ron"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("missing.ron"), "{err}");
    let before = std::fs::read(repo.path().join(".storyplan/reminders.ron")).expect("reads");
    assert_eq!(before, PLAN.as_bytes(), "nothing written");
}
