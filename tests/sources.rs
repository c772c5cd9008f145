//! The source readers (SPEC §7) as a user meets them: `storyplan facts` run as a process
//! on the fixtures under tests/fixtures/sources/, its output, warnings and exit codes;
//! then real documents from public projects, the migrations checked against what
//! PostgreSQL itself reports; and sources read at a git revision.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use storyplan::plan::Access;
use storyplan::sources::{self, Dialect, GitTree, Source, Templates, Tree, WorkTree, natural_cmp};
use tempfile::TempDir;

#[path = "common/run.rs"]
mod run;

use run::storyplan;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sources")
}

/// `storyplan facts ARGS…` run in the fixtures' folder.
fn facts(args: &[&str]) -> Output {
    let mut all = vec!["facts"];
    all.extend_from_slice(args);
    storyplan(&fixtures(), &all)
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("storyplan exits with a code")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

/// Runs `facts` and checks it succeeds with exactly these facts and warnings.
fn expect(args: &[&str], facts_out: &[&str], warnings: &[&str]) {
    let output = facts(args);
    assert_eq!(code(&output), 0, "{args:?}: {}", stderr(&output));
    assert_eq!(lines(&stdout(&output)), facts_out, "{args:?}");
    assert_eq!(lines(&stderr(&output)), warnings, "{args:?}");
}

/// Runs `facts` and checks it fails with exit 2 and exactly this on stderr.
fn expect_error(args: &[&str], error: &str) {
    let output = facts(args);
    assert_eq!(code(&output), 2, "{args:?}: {}", stdout(&output));
    assert_eq!(stdout(&output), "", "{args:?}");
    assert_eq!(stderr(&output).trim_end(), error, "{args:?}");
}

// ---------------------------------------------------------------------------------------
// OpenAPI

#[test]
fn openapi_3_0_yaml_provides_every_operation() {
    expect(
        &["openapi:openapi/shelter-3.0.yaml"],
        &[
            r#"Provide("DELETE /user/{id}")"#,
            r#"Provide("GET /animals")"#,
            r#"Provide("GET /user/{id}")"#,
            r#"Provide("GET /user/{id}/reminder")"#,
            r#"Provide("HEAD /animals")"#,
            r#"Provide("OPTIONS /animals")"#,
            r#"Provide("PATCH /animals/{animalId}/feedings")"#,
            r#"Provide("POST /user/{id}/reminder")"#,
            r#"Provide("PUT /user/{id}")"#,
            r#"Provide("TRACE /animals/{animalId}/feedings")"#,
        ],
        &[],
    );
}

#[test]
fn openapi_3_1_json_follows_path_item_refs_and_warns_about_the_rest() {
    expect(
        &["openapi:openapi/reminders-3.1.json"],
        &[
            r#"Provide("DELETE /user/{userId}/reminder/{reminderId}")"#,
            r#"Provide("GET /health")"#,
            r#"Provide("GET /user/me/reminder")"#,
            r#"Provide("GET /user/{userId}/reminder")"#,
            r#"Provide("GET /user/{userId}/reminder/{reminderId}")"#,
            r#"Provide("POST /user/{userId}/reminder")"#,
        ],
        &[
            "openapi/reminders-3.1.json:18: warning: path `/health`: `subscribe` is not an operation; skipped",
            "openapi/reminders-3.1.json:22: warning: path `reminders` does not start with `/`; skipped",
            "openapi/reminders-3.1.json:25: warning: path `/legacy`: `$ref: legacy.yaml#/paths/~1legacy` \
             is not followed (only refs to #/components/pathItems/… in this document are); its \
             operations are skipped",
        ],
    );
}

#[test]
fn swagger_2_0_is_read_without_its_base_path() {
    expect(
        &["openapi:openapi/petstore-swagger-2.0.yaml"],
        &[
            r#"Provide("DELETE /pet/{petId}")"#,
            r#"Provide("GET /pet/{petId}")"#,
            r#"Provide("GET /store/inventory")"#,
            r#"Provide("POST /pet")"#,
            r#"Provide("PUT /pet")"#,
        ],
        &[],
    );
}

#[test]
fn documents_that_cannot_be_read_are_errors_naming_the_file() {
    expect_error(
        &["openapi:openapi/malformed.yaml"],
        "storyplan: openapi/malformed.yaml:8: malformed YAML: did not find expected ',' or '}'",
    );
    expect_error(
        &["openapi:openapi/not-openapi.yaml"],
        "storyplan: openapi/not-openapi.yaml: not an OpenAPI document: it has no `openapi` or \
         `swagger` field",
    );
    expect_error(
        &["openapi:openapi/missing.yaml"],
        "storyplan: openapi/missing.yaml: no such file or folder",
    );
    expect_error(
        &["openapi:openapi"],
        "storyplan: openapi: this is a folder, not a file",
    );
}

#[test]
fn a_binary_file_is_an_error() {
    let dir = TempDir::new().expect("a temporary folder");
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend(std::iter::repeat_n(0u8, 64));
    fs::write(dir.path().join("logo.png"), &png).expect("write");
    for source in ["openapi:logo.png", "sql:logo.png", "pact:logo.png"] {
        let output = storyplan(dir.path(), &["facts", source]);
        assert_eq!(code(&output), 2, "{source}");
        assert_eq!(
            stderr(&output),
            "storyplan: logo.png: this is a binary file, not text\n",
            "{source}"
        );
    }
}

/// A generated OpenAPI document of about `bytes` bytes with `paths` paths.
fn big_document(bytes: usize) -> (String, usize) {
    let mut text = String::from("openapi: 3.0.3\ninfo: {title: big, version: '1'}\npaths:\n");
    let mut paths = 0;
    while text.len() < bytes {
        text.push_str(&format!(
            "  /things/{{id}}/part-{paths}:\n    get:\n      parameters:\n        - {{name: id, in: path, required: true, schema: {{type: string}}}}\n      responses:\n        '200':\n          description: the part\n          content:\n            application/json:\n              schema:\n                type: object\n                properties:\n                  id: {{type: string}}\n                  size: {{type: integer}}\n    delete:\n      responses: {{'204': {{description: gone}}}}\n"
        ));
        paths += 1;
    }
    (text, paths)
}

#[test]
fn a_20_mb_document_is_read_quickly() {
    let dir = TempDir::new().expect("a temporary folder");
    let (text, paths) = big_document(20 * 1024 * 1024);
    fs::write(dir.path().join("big.yaml"), &text).expect("write");
    let started = Instant::now();
    let output = storyplan(dir.path(), &["facts", "openapi:big.yaml"]);
    let took = started.elapsed();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(stdout(&output).lines().count(), 2 * paths);
    // Generous: a debug build on a shared machine; the benchmark holds the real budget.
    assert!(took < Duration::from_secs(30), "{took:?}");
}

// ---------------------------------------------------------------------------------------
// SQL

#[test]
fn postgres_migrations_are_replayed_in_natural_order() {
    expect(
        &["sql:sql/postgres"],
        &[
            r#"Provide("animal_count")"#,
            r#"Provide("animal_count.count")"#,
            r#"Provide("animals")"#,
            r#"Provide("animals.born")"#,
            r#"Provide("animals.id")"#,
            r#"Provide("animals.mood")"#,
            r#"Provide("animals.name")"#,
            r#"Provide("animals.species")"#,
            r#"Provide("animals_copy")"#,
            r#"Provide("animals_copy.born")"#,
            r#"Provide("animals_copy.id")"#,
            r#"Provide("animals_copy.mood")"#,
            r#"Provide("animals_copy.name")"#,
            r#"Provide("animals_copy.species")"#,
            r#"Provide("audit.log")"#,
            r#"Provide("audit.log.at")"#,
            r#"Provide("audit.log.what")"#,
            r#"Provide("cats")"#,
            r#"Provide("cats.born")"#,
            r#"Provide("cats.id")"#,
            r#"Provide("cats.indoor")"#,
            r#"Provide("cats.mood")"#,
            r#"Provide("cats.name")"#,
            r#"Provide("cats.species")"#,
            r#"Provide("feedings")"#,
            r#"Provide("feedings.animal_id")"#,
            r#"Provide("feedings.fed_at")"#,
            r#"Provide("measurements")"#,
            r#"Provide("measurements.id")"#,
            r#"Provide("measurements.taken_at")"#,
            r#"Provide("measurements.value")"#,
            r#"Provide("measurements_2024")"#,
            r#"Provide("measurements_2024.id")"#,
            r#"Provide("measurements_2024.taken_at")"#,
            r#"Provide("measurements_2024.value")"#,
            r#"Provide("tags")"#,
            r#"Provide("tags.color")"#,
            r#"Provide("tags.id")"#,
            r#"Provide("tags.label")"#,
            r#"Provide("user_reminders")"#,
            r#"Provide("user_reminders.id")"#,
            r#"Provide("user_reminders.note")"#,
            r#"Provide("user_reminders.remind_at")"#,
            r#"Provide("user_reminders.user_id")"#,
            r#"Provide("users")"#,
            r#"Provide("users.display_name")"#,
            r#"Provide("users.email")"#,
            r#"Provide("users.id")"#,
            r#"Provide("users.updated_at")"#,
        ],
        &[
            "sql/postgres/archive: warning: folder skipped: a subfolder is read only when it holds an up.sql",
            "sql/postgres/V2__reminders.sql:12: warning: statement skipped, it does not parse as \
             PostgreSQL: Expected: an SQL statement, found: DO at line 12, column 1 (`DO $$ BEGIN \
             IF NOT EXISTS (SELECT 1 FROM pg_role…`)",
            "sql/postgres/V3__feedings.sql:4: warning: CREATE TABLE sums AS …: its columns are not \
             known (name every column of the query, or list them after the table's name); the \
             table is read without columns",
            "sql/postgres/V4__broken.sql:3: warning: statement skipped, it does not parse as \
             PostgreSQL: Expected: ',' or ')' after column definition, found: NOT at line 5, \
             column 36 (`CREATE TABLE shifts ( id int, starts_at timestam…`)",
            "sql/postgres/V7__ghosts.sql:3: warning: ALTER TABLE phantoms: no table of that name is \
             created before; the statement is skipped",
            "sql/postgres/V8__inheritance.sql:5: warning: statement skipped, it does not parse as \
             PostgreSQL: Expected: ), found: INCLUDING at line 5, column 41 (`CREATE TABLE \
             animals_like (LIKE animals INCLUDIN…`)",
        ],
    );
}

#[test]
fn one_migration_file_is_read_by_itself() {
    expect(
        &["sql:sql/postgres/V6__tags.sql"],
        &[
            r#"Provide("tags")"#,
            r#"Provide("tags.color")"#,
            r#"Provide("tags.id")"#,
            r#"Provide("tags.label")"#,
        ],
        &[],
    );
}

#[test]
fn mysql_migrations_keep_their_spelling_and_follow_delimiters() {
    expect(
        &["sql+mysql:sql/mysql.sql"],
        &[
            r#"Provide("Expenses")"#,
            r#"Provide("Expenses.amount_cents")"#,
            r#"Provide("Expenses.category_id")"#,
            r#"Provide("Expenses.id")"#,
            r#"Provide("Expenses.memo")"#,
            r#"Provide("expense_categories")"#,
            r#"Provide("expense_categories.id")"#,
            r#"Provide("expense_categories.name")"#,
        ],
        &[
            "sql/mysql.sql:27: warning: statement skipped, it does not parse as MySQL: Expected: end \
             of statement, found: PARTITION at line 27, column 48 (`CREATE TABLE budgets (id INT, \
             limit_cents INT) P…`)",
        ],
    );
}

#[test]
fn sqlite_migrations_follow_the_table_swap() {
    expect(
        &["sql+sqlite:sql/sqlite.sql"],
        &[
            r#"Provide("Notes")"#,
            r#"Provide("Notes.created_at")"#,
            r#"Provide("Notes.id")"#,
            r#"Provide("Notes.text")"#,
            r#"Provide("shifts")"#,
            r#"Provide("shifts.id")"#,
            r#"Provide("shifts.starts_at")"#,
            r#"Provide("shifts.volunteer_id")"#,
        ],
        &[
            "sql/sqlite.sql:15: warning: statement skipped, it does not parse as SQLite: Expected: a \
             concrete value, found: ON at line 15, column 23 (`PRAGMA foreign_keys = ON`)",
        ],
    );
}

#[test]
fn migration_folders_of_diesel_and_golang_migrate_skip_their_down_files() {
    expect(
        &["sql:sql/diesel"],
        &[
            r#"Provide("volunteers")"#,
            r#"Provide("volunteers.id")"#,
            r#"Provide("volunteers.name")"#,
            r#"Provide("volunteers.phone")"#,
            r#"Provide("volunteers.updated_at")"#,
        ],
        &[],
    );
    expect(
        &["sql:sql/golang"],
        &[
            r#"Provide("jobs")"#,
            r#"Provide("jobs.attempts")"#,
            r#"Provide("jobs.id")"#,
            r#"Provide("jobs.state")"#,
        ],
        &[],
    );
}

#[test]
fn a_folder_without_migrations_is_an_error() {
    expect_error(
        &["sql:pact"],
        "storyplan: pact: no migrations in this folder: no *.sql files (other than *.down.sql), \
         nor subfolders with an up.sql",
    );
}

// ---------------------------------------------------------------------------------------
// Pact

#[test]
fn pact_interactions_of_v2_to_v4_are_calls_without_query_strings() {
    expect(
        &["pact:pact"],
        &[
            r#"Call("DELETE /user/123/reminder/9")"#,
            r#"Call("GET /animals")"#,
            r#"Call("GET /stats/weekly")"#,
            r#"Call("GET /user/123")"#,
            r#"Call("GET /user/123/reminder")"#,
            r#"Call("GET /user/me/reminder")"#,
            r#"Call("POST /user/123/reminder")"#,
        ],
        &[
            r#"pact/web-api-v3.json: warning: interaction 3 "no method": its request has no `method`; skipped"#,
        ],
    );
}

#[test]
fn pact_paths_take_the_templates_the_openapi_sources_provide() {
    let output = facts(&[
        "openapi:openapi/reminders-3.1.json",
        "openapi:openapi/shelter-3.0.yaml",
        "pact:pact",
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let calls: Vec<String> = stdout(&output)
        .lines()
        .filter(|l| l.starts_with("Call"))
        .map(str::to_string)
        .collect();
    assert_eq!(
        calls,
        [
            r#"Call("DELETE /user/{userId}/reminder/{reminderId}")"#,
            r#"Call("GET /animals")"#,
            r#"Call("GET /stats/weekly")"#,
            r#"Call("GET /user/me/reminder")"#,
            r#"Call("GET /user/{id}")"#,
            r#"Call("GET /user/{id}/reminder")"#,
            r#"Call("POST /user/{id}/reminder")"#,
        ]
    );
    // Both documents' facts, and every document's warnings, are there.
    assert!(stdout(&output).contains(r#"Provide("TRACE /animals/{animalId}/feedings")"#));
    assert_eq!(stderr(&output).lines().count(), 4, "{}", stderr(&output));
}

#[test]
fn a_file_that_is_not_a_pact_is_an_error_alone_and_a_warning_in_a_folder() {
    expect_error(
        &["pact:openapi/reminders-3.1.json"],
        "storyplan: openapi/reminders-3.1.json: not a Pact file: it has neither `interactions` nor \
         `messages`",
    );
    let dir = TempDir::new().expect("a temporary folder");
    fs::write(
        dir.path().join("a.json"),
        "{\"interactions\": [{\"request\": {\"method\": \"GET\", \"path\": \"/a\"}}]}",
    )
    .expect("write");
    fs::write(dir.path().join("b.json"), "{\"interactions\": [\n}").expect("write");
    let output = storyplan(dir.path(), &["facts", "pact:."]);
    assert_eq!(code(&output), 0);
    assert_eq!(stdout(&output), "Call(\"GET /a\")\n");
    assert_eq!(
        stderr(&output),
        "./b.json:2: warning: malformed JSON: expected value\n"
    );
}

// ---------------------------------------------------------------------------------------
// The command

#[test]
fn json_has_the_facts_and_the_warnings_with_their_lines() {
    let output = facts(&[
        "--format",
        "json",
        "sql:sql/postgres/V7__ghosts.sql",
        "pact:pact",
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
    let value: Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    assert_eq!(
        value,
        json!({
            "facts": [
                "Call(\"DELETE /user/123/reminder/9\")",
                "Call(\"GET /animals\")",
                "Call(\"GET /stats/weekly\")",
                "Call(\"GET /user/123\")",
                "Call(\"GET /user/123/reminder\")",
                "Call(\"GET /user/me/reminder\")",
                "Call(\"POST /user/123/reminder\")",
            ],
            "warnings": [
                {
                    "file": "sql/postgres/V7__ghosts.sql",
                    "line": 3,
                    "message": "ALTER TABLE phantoms: no table of that name is created before; \
                                the statement is skipped",
                },
                {
                    "file": "pact/web-api-v3.json",
                    "line": null,
                    "message": "interaction 3 \"no method\": its request has no `method`; skipped",
                },
            ],
        })
    );
}

#[test]
fn bad_source_arguments_exit_2_with_the_forms_that_work() {
    expect_error(
        &["graphql:schema.graphql"],
        "storyplan: `graphql:schema.graphql`: unknown source kind `graphql`; use openapi:PATH, \
         sql:PATH, sql+mysql:PATH, sql+sqlite:PATH or pact:PATH",
    );
    expect_error(
        &["sql+oracle:sql/postgres"],
        "storyplan: `sql+oracle:sql/postgres`: unknown SQL dialect `oracle`; the dialects are \
         postgres (the default), mysql and sqlite; use openapi:PATH, sql:PATH, sql+mysql:PATH, \
         sql+sqlite:PATH or pact:PATH",
    );
    let output = facts(&[]);
    assert_eq!(code(&output), 2);
}

#[test]
fn every_source_that_cannot_be_read_is_named() {
    let output = facts(&["openapi:nope.yaml", "sql:sql/postgres", "pact:nope"]);
    assert_eq!(code(&output), 2);
    assert_eq!(stdout(&output), "");
    assert_eq!(
        lines(&stderr(&output)),
        [
            "storyplan: nope.yaml: no such file or folder",
            "storyplan: nope: no such file or folder",
        ]
    );
}

#[test]
fn text_from_files_reaches_the_terminal_without_control_characters() {
    let dir = TempDir::new().expect("a temporary folder");
    fs::write(
        dir.path().join("evil.yaml"),
        "openapi: 3.0.0\npaths:\n  \"/a\\e[31m\\u202e\":\n    get: {}\n    \"x\\e]0;title\\u0007\": {}\n",
    )
    .expect("write");
    let output = storyplan(dir.path(), &["facts", "openapi:evil.yaml"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    for text in [stdout(&output), stderr(&output)] {
        assert!(
            !text
                .chars()
                .any(|c| c == '\u{1b}' || c == '\u{7}' || c == '\u{202e}'),
            "{text:?}"
        );
    }
    assert_eq!(stdout(&output), "Provide(\"GET /a[31m\")\n");
}

// ---------------------------------------------------------------------------------------
// The library's pieces for `import`

#[test]
fn read_matches_pacts_to_the_templates_it_is_given() {
    let tree = WorkTree::new(fixtures());
    let openapi = sources::read(
        &tree,
        &Source::OpenApi("openapi/shelter-3.0.yaml".into()),
        &Templates::default(),
    )
    .expect("reads");
    let templates = Templates::from_facts(&openapi.facts);
    let pact = sources::read(&tree, &Source::Pact("pact".into()), &templates).expect("reads");
    assert!(pact.facts.iter().all(|f| f.access == Access::Call));
    assert!(pact.keys().any(|k| k == "GET /user/{id}/reminder"));
    let mut facts = pact.facts.clone();
    sources::respell(&mut facts, ["GET /user/{userId}/reminder"]);
    assert!(facts.iter().any(|f| f.key == "GET /user/{userId}/reminder"));
}

// ---------------------------------------------------------------------------------------
// Real documents

#[test]
fn rclones_openapi_description_reads_whole() {
    let derived = sources::read(
        &WorkTree::new(fixtures()),
        &Source::OpenApi("real/rclone-openapi/openapi.yaml".into()),
        &Templates::default(),
    )
    .expect("reads");
    assert_eq!(derived.warnings, []);
    assert_eq!(derived.facts.len(), 101);
    assert!(derived.keys().all(|k| k.starts_with("POST /")));
    for key in [
        "POST /rc/noop",
        "POST /operations/cleanup",
        "POST /core/version",
    ] {
        assert!(derived.keys().any(|k| k == key), "{key}");
    }
    // The JSON bundle of the same description says the same.
    let text =
        fs::read_to_string(fixtures().join("real/rclone-openapi/openapi.yaml")).expect("reads");
    let paths = text.lines().filter(|l| l.starts_with("  /")).count();
    assert_eq!(paths, 101);
}

/// The tables and columns PostgreSQL reported after applying procrastinate's migrations.
fn recorded_columns() -> BTreeSet<String> {
    fs::read_to_string(fixtures().join("real/procrastinate/postgres-columns.txt"))
        .expect("the recorded answer")
        .lines()
        .map(str::to_string)
        .collect()
}

fn procrastinate_keys() -> BTreeSet<String> {
    let derived = sources::read(
        &WorkTree::new(fixtures()),
        &Source::Sql("real/procrastinate/migrations".into(), Dialect::Postgres),
        &Templates::default(),
    )
    .expect("reads");
    assert_eq!(derived.warnings, []);
    derived.keys().map(str::to_string).collect()
}

/// Precision and recall of `ours` against `truth`, printed, and the differences.
fn compare(ours: &BTreeSet<String>, truth: &BTreeSet<String>) -> (f64, f64) {
    let right = ours.intersection(truth).count() as f64;
    let precision = right / ours.len().max(1) as f64;
    let recall = right / truth.len().max(1) as f64;
    println!(
        "precision {precision:.3} ({right}/{}), recall {recall:.3} ({right}/{})",
        ours.len(),
        truth.len()
    );
    (precision, recall)
}

#[test]
fn procrastinates_migrations_give_what_postgres_reported() {
    let ours = procrastinate_keys();
    let truth = recorded_columns();
    assert_eq!(truth.len(), 27);
    let (precision, recall) = compare(&ours, &truth);
    assert_eq!(ours, truth);
    assert_eq!((precision, recall), (1.0, 1.0));
}

/// The folder of the newest PostgreSQL server programs, if any are installed.
fn postgres_installed() -> bool {
    let on_path = |name: &str| {
        std::env::var_os("PATH")
            .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(name).is_file()))
    };
    let debian = fs::read_dir("/usr/lib/postgresql").is_ok_and(|versions| {
        versions
            .flatten()
            .any(|v| v.path().join("bin/pg_ctl").is_file() && v.path().join("bin/initdb").is_file())
    });
    on_path("psql") && (debian || (on_path("pg_ctl") && on_path("initdb")))
}

#[test]
fn procrastinates_migrations_give_what_a_live_postgres_reports() {
    let required = std::env::var("STORYPLAN_PG").is_ok_and(|v| v == "require");
    if !postgres_installed() {
        assert!(
            !required,
            "STORYPLAN_PG=require, but PostgreSQL (psql, initdb, pg_ctl) is not installed"
        );
        println!("skipping: PostgreSQL (psql, initdb, pg_ctl) is not installed");
        return;
    }
    let folder = fixtures().join("real/procrastinate/migrations");
    let mut files: Vec<String> = fs::read_dir(&folder)
        .expect("the migrations")
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".sql"))
        .collect();
    files.sort_by(|a, b| natural_cmp(a, b));
    let output = Command::new("bash")
        .arg(fixtures().join("real/pg_schema.sh"))
        .args(&files)
        .current_dir(&folder)
        .output()
        .expect("bash runs");
    if output.status.code() == Some(3) && !required {
        println!("skipping: {}", stderr(&output).trim());
        return;
    }
    assert!(output.status.success(), "{}", stderr(&output));
    let live: BTreeSet<String> = stdout(&output).lines().map(str::to_string).collect();
    assert_eq!(
        live,
        recorded_columns(),
        "the live answer differs from the recorded one"
    );
    let (precision, recall) = compare(&procrastinate_keys(), &live);
    assert_eq!((precision, recall), (1.0, 1.0));
}

// ---------------------------------------------------------------------------------------
// Sources at a git revision

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.org"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

#[test]
fn a_git_revision_is_read_as_it_was_committed() {
    let dir = TempDir::new().expect("a temporary folder");
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    fs::create_dir_all(root.join("db/migrations/V3__add/nested")).expect("mkdir");
    fs::write(
        root.join("db/migrations/V1__a.sql"),
        "CREATE TABLE a (x int);",
    )
    .expect("write");
    fs::write(
        root.join("db/migrations/V3__add/up.sql"),
        "ALTER TABLE a ADD y int;",
    )
    .expect("write");
    fs::write(root.join("db/migrations/V3__add/nested/z.sql"), "").expect("write");
    fs::write(
        root.join("api.yaml"),
        "openapi: 3.1.0\npaths:\n  /a: {get: {}}\n",
    )
    .expect("write");
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "first"]);
    fs::write(
        root.join("db/migrations/V2__b.sql"),
        "CREATE TABLE b (z int);",
    )
    .expect("write");
    fs::write(
        root.join("api.yaml"),
        "openapi: 3.1.0\npaths:\n  /b: {get: {}}\n",
    )
    .expect("write");

    let at_head = GitTree::open(&root.join("db"), "main").expect("opens");
    let sql = Source::Sql("db/migrations".into(), Dialect::Postgres);
    let api = Source::OpenApi("api.yaml".into());
    let committed = sources::read_all(&at_head, &[sql.clone(), api.clone()]).expect("reads");
    let keys: Vec<&str> = committed.keys().collect();
    assert_eq!(keys, ["GET /a", "a", "a.x", "a.y"]);
    let working = sources::read_all(&WorkTree::new(root), &[sql, api]).expect("reads");
    let keys: Vec<&str> = working.keys().collect();
    assert_eq!(keys, ["GET /b", "a", "a.x", "a.y", "b", "b.z"]);

    assert!(at_head.read(Path::new("missing.sql")).is_err());
    assert_eq!(at_head.list(Path::new("api.yaml")).expect("lists"), None);
    let listed = at_head
        .list(Path::new("db/migrations"))
        .expect("lists")
        .expect("a folder");
    assert_eq!(listed.len(), 2);
    assert!(GitTree::open(root, "no-such-ref").is_err());
    assert!(GitTree::open(root, "--output=x").is_err());
}
