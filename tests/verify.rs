//! `storyplan verify` on throwaway git repositories: a web app described by a pact, an API
//! by an OpenAPI document, a database by migrations, and a plan whose components name
//! them; commits on main and on feature branches, verified as a pull request would be.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

#[path = "common/run.rs"]
mod run;

use run::{storyplan, text};

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.org"])
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "advice.detachedHead=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

const OPENAPI: &str = "openapi: 3.0.3
info: {title: Shelter API, version: \"1\"}
paths:
  /health:
    get: {responses: {\"200\": {description: ok}}}
";

/// The API's document with the review endpoints.
fn openapi_with_reviews() -> String {
    format!(
        "{OPENAPI}  /reviews:
    get: {{responses: {{\"200\": {{description: reviews}}}}}}
    post: {{responses: {{\"201\": {{description: created}}}}}}
"
    )
}

/// A pact of the web app calling `paths` (`METHOD /path`) on the API.
fn pact(calls: &[&str]) -> String {
    let interactions: Vec<String> = calls
        .iter()
        .map(|call| {
            let (method, path) = call.split_once(' ').expect("METHOD /path");
            format!(
                "    {{\"description\": \"{call}\", \"request\": {{\"method\": \"{method}\", \"path\": \"{path}\"}}, \"response\": {{\"status\": 200}}}}"
            )
        })
        .collect();
    format!(
        "{{\"consumer\": {{\"name\": \"web\"}}, \"provider\": {{\"name\": \"api\"}},\n  \"interactions\": [\n{}\n  ],\n  \"metadata\": {{\"pactSpecification\": {{\"version\": \"3.0.0\"}}}}}}\n",
        interactions.join(",\n")
    )
}

const USERS: &str = "CREATE TABLE users (id bigint PRIMARY KEY);\n";
const REVIEWS: &str =
    "CREATE TABLE reviews (\n    id bigint PRIMARY KEY,\n    body text NOT NULL\n);\n";

/// The reviews story: a table, the endpoints that write and read it, the page that calls
/// them. `marks` are `(step id, extra fields)`, e.g. `("table", "shipped: true,")`.
fn plan(marks: &[(&str, &str)]) -> String {
    let mut text = r#"Plan(
    version: 1,
    story: "Reviews",
    components: [
        Component(id: "web", name: "Web app", kind: Ui, sources: [Pact("web/pacts")],
            current: [Call("GET /health")]),
        Component(id: "api", name: "API", kind: Service, sources: [OpenApi("api/openapi.yaml")],
            current: [Provide("GET /health")]),
        Component(id: "db", name: "Database", kind: Database, sources: [Sql("db/migrations")],
            current: [Provide("users"), Provide("users.id")]),
    ],
    steps: [
        Release(id: "table", component: "db", title: "The reviews table", changes: [
            Add(Provide("reviews")), Add(Provide("reviews.id")), Add(Provide("reviews.body")),
        ]),
        Release(id: "endpoints", component: "api", title: "Review endpoints", changes: [
            Add(Provide("GET /reviews")), Add(Provide("POST /reviews")),
            Add(Serving("POST /reviews", Write("reviews"))),
            Add(Serving("GET /reviews", Read("reviews"))),
        ]),
        Release(id: "page", component: "web", title: "The reviews page", changes: [
            Add(Call("GET /reviews")), Add(Call("POST /reviews")),
        ]),
    ],
)
"#
    .to_string();
    for (id, fields) in marks {
        let at = format!("Release(id: \"{id}\",");
        assert!(text.contains(&at), "no step {id}");
        text = text.replace(&at, &format!("{at} {fields}"));
    }
    text
}

const SHIPPED: &str = "shipped: true,";
const PLAN: &str = ".storyplan/reviews.ron";

/// A repository whose main branch has the three sources and the plan.
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new(plan_text: &str) -> Repo {
        let repo = Repo {
            dir: tempfile::TempDir::new().expect("temp dir"),
        };
        git(repo.path(), &["init", "-q"]);
        repo.write("api/openapi.yaml", OPENAPI);
        repo.write("web/pacts/web-api.json", &pact(&["GET /health"]));
        repo.write("db/migrations/V1__users.sql", USERS);
        repo.write(PLAN, plan_text);
        repo.commit("start");
        repo
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, path: &str, contents: &str) {
        let path = self.path().join(path);
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("folder");
        std::fs::write(path, contents).expect("written");
    }

    fn commit(&self, message: &str) {
        git(self.path(), &["add", "-A"]);
        git(self.path(), &["commit", "-q", "-m", message]);
    }

    fn branch(&self, name: &str) {
        git(self.path(), &["checkout", "-q", "-b", name]);
    }

    fn verify(&self, args: &[&str]) -> Output {
        let mut all = vec!["verify"];
        all.extend(args);
        storyplan(self.path(), &all)
    }

    /// `verify --base main --format json`, its exit code and the one plan's object.
    fn json(&self) -> (Option<i32>, Value) {
        let out = self.verify(&["--base", "main", "--format", "json"]);
        let value: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}{}", text(&out.stdout), text(&out.stderr)));
        let plans = value.as_array().expect("an array");
        assert_eq!(plans.len(), 1, "{value:#}");
        (out.status.code(), plans[0].clone())
    }
}

/// `(rule, step)` of each finding.
fn findings(plan: &Value) -> Vec<(String, Option<String>)> {
    plan["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().expect("rule").to_string(),
                f["step"].as_str().map(str::to_string),
            )
        })
        .collect()
}

/// `(component, step, status)` of each changed component.
fn components(plan: &Value) -> Vec<(String, Option<String>, String)> {
    plan["components"]
        .as_array()
        .expect("components")
        .iter()
        .map(|c| {
            (
                c["component"].as_str().expect("component").to_string(),
                c["step"].as_str().map(str::to_string),
                c["status"].as_str().expect("status").to_string(),
            )
        })
        .collect()
}

fn owned(rule: &str, step: Option<&str>) -> (String, Option<String>) {
    (rule.to_string(), step.map(str::to_string))
}

fn component(id: &str, step: Option<&str>, status: &str) -> (String, Option<String>, String) {
    (id.to_string(), step.map(str::to_string), status.to_string())
}

#[test]
fn the_next_step_shipped_and_marked_passes() {
    let repo = Repo::new(&plan(&[]));
    repo.branch("reviews-table");
    repo.write("db/migrations/V2__reviews.sql", REVIEWS);
    repo.write(PLAN, &plan(&[("table", SHIPPED)]));
    repo.commit("The reviews table");
    let (code, report) = repo.json();
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(
        components(&report),
        [component("db", Some("table"), "matches")]
    );
    assert_eq!(findings(&report), []);
    assert_eq!(
        report,
        serde_json::json!({
            "file": PLAN,
            "components": [{
                "component": "db",
                "added": ["Provide(\"reviews\")", "Provide(\"reviews.body\")", "Provide(\"reviews.id\")"],
                "removed": [],
                "step": "table",
                "status": "matches",
            }],
            "findings": [],
            "summary": {"errors": 0, "warnings": 0, "infos": 0, "accepted": 0},
        })
    );
    let human = repo.verify(&["--base", "main"]);
    assert_eq!(human.status.code(), Some(0));
    let stdout = text(&human.stdout);
    assert!(
        stdout.starts_with(".storyplan/reviews.ron: changes since main\n  db: ships step 1 \"table\"\n    + Provide(\"reviews\")\n"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with(
            ".storyplan/reviews.ron: clean (0 errors, 0 warnings, 0 infos, 0 accepted)\n"
        ),
        "{stdout}"
    );
}

#[test]
fn the_next_step_shipped_but_not_marked_says_the_edit() {
    let repo = Repo::new(&plan(&[]));
    repo.branch("reviews-table");
    repo.write("db/migrations/V2__reviews.sql", REVIEWS);
    repo.commit("The reviews table");
    let (code, report) = repo.json();
    assert_eq!(code, Some(0), "a warning does not fail: {report:#}");
    assert_eq!(
        components(&report),
        [component("db", Some("table"), "matches")]
    );
    assert_eq!(
        findings(&report),
        [owned("not-marked-shipped", Some("table"))]
    );
    let finding = &report["findings"][0];
    assert_eq!(finding["severity"], "warning");
    assert!(
        finding["hint"]
            .as_str()
            .is_some_and(|h| h.contains("add shipped: true to step \"table\"")),
        "{finding:#}"
    );
    let human = text(&repo.verify(&["--base", "main"]).stdout);
    assert!(
        human.contains("warning[not-marked-shipped]: Step 1 \"table\" ships in this pull request, but the plan does not mark it shipped.\n  --> .storyplan/reviews.ron:13:9 (step 1 \"table\", db)\n"),
        "{human}"
    );
}

#[test]
fn a_later_step_shipped_before_an_earlier_one_says_what_breaks() {
    let repo = Repo::new(&plan(&[("table", SHIPPED)]));
    repo.write("db/migrations/V2__reviews.sql", REVIEWS);
    repo.commit("The reviews table");
    repo.branch("reviews-page");
    repo.write(
        "web/pacts/web-api.json",
        &pact(&["GET /health", "GET /reviews", "POST /reviews"]),
    );
    repo.write(PLAN, &plan(&[("table", SHIPPED), ("page", SHIPPED)]));
    repo.commit("The reviews page");
    let (code, report) = repo.json();
    assert_eq!(code, Some(1), "{report:#}");
    assert_eq!(
        components(&report),
        [component("web", Some("page"), "out-of-order")]
    );
    assert_eq!(
        findings(&report),
        [
            owned("out-of-order", Some("page")),
            owned("broken-consumer", Some("page")),
            owned("broken-consumer", Some("page")),
        ]
    );
    let first = &report["findings"][0];
    assert_eq!(
        first["message"],
        "This pull request ships step 3 \"page\" of \"Reviews\", but step 2 \"endpoints\" (api) comes before it and has not shipped."
    );
    assert_eq!(
        first["hint"],
        "Ship step 2 \"endpoints\" (api) first: shipping step 3 \"page\" now breaks web (\"GET /reviews\", \"POST /reviews\")."
    );
    let broken = &report["findings"][1];
    assert_eq!(broken["component"], "web");
    assert_eq!(broken["key"], "GET /reviews");
    assert_eq!(broken["until"], "endpoints");
}

#[test]
fn a_change_no_step_plans_that_breaks_a_consumer_fails() {
    let repo = Repo::new(&plan(&[]));
    repo.branch("drop-health");
    repo.write(
        "api/openapi.yaml",
        "openapi: 3.0.3\ninfo: {title: Shelter API, version: \"2\"}\npaths: {}\n",
    );
    repo.commit("No more health check");
    let (code, report) = repo.json();
    assert_eq!(code, Some(1), "{report:#}");
    assert_eq!(components(&report), [component("api", None, "unplanned")]);
    assert_eq!(
        report["components"][0]["removed"],
        serde_json::json!(["Provide(\"GET /health\")"])
    );
    assert_eq!(
        findings(&report),
        [
            owned("unplanned-change", None),
            owned("broken-consumer", None)
        ]
    );
    let unplanned = &report["findings"][0];
    assert_eq!(
        unplanned["message"],
        "This pull request changes api in a way no unshipped step of \"Reviews\" plans: it removes Provide(\"GET /health\")."
    );
    let broken = &report["findings"][1];
    assert_eq!(broken["component"], "web");
    assert_eq!(broken["key"], "GET /health");
    assert!(
        broken["message"]
            .as_str()
            .is_some_and(|m| m.contains("the unplanned change to api")),
        "{broken:#}"
    );
}

#[test]
fn two_components_the_plan_releases_separately_race() {
    let repo = Repo::new(&plan(&[("table", SHIPPED)]));
    repo.write("db/migrations/V2__reviews.sql", REVIEWS);
    repo.commit("The reviews table");
    repo.branch("reviews");
    repo.write("api/openapi.yaml", &openapi_with_reviews());
    repo.write(
        "web/pacts/web-api.json",
        &pact(&["GET /health", "GET /reviews", "POST /reviews"]),
    );
    repo.write(
        PLAN,
        &plan(&[
            ("table", SHIPPED),
            ("endpoints", SHIPPED),
            ("page", SHIPPED),
        ]),
    );
    repo.commit("Reviews, all at once");
    let (code, report) = repo.json();
    assert_eq!(code, Some(1), "{report:#}");
    assert_eq!(
        components(&report),
        [
            component("web", Some("page"), "matches"),
            component("api", Some("endpoints"), "matches"),
        ]
    );
    let found = findings(&report);
    assert_eq!(found[0], owned("commit-race", Some("endpoints")));
    // The checker's race: the page deployed before the endpoints breaks its calls.
    assert!(
        found[1..].contains(&owned("commit-race", Some("page"))),
        "{found:?}"
    );
    let race = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "commit-race" && f["step"] == "page")
        .expect("the checker's race");
    assert!(
        race["message"]
            .as_str()
            .is_some_and(|m| m
                .starts_with("If this pull request deploys in the order \"page\" → \"endpoints\"")),
        "{race:#}"
    );
}

#[test]
fn two_components_in_one_commit_group_with_every_order_safe_pass() {
    let group = "commit: \"reviews-backend\",";
    let repo = Repo::new(&plan(&[("table", group), ("endpoints", group)]));
    repo.branch("reviews-backend");
    repo.write("db/migrations/V2__reviews.sql", REVIEWS);
    repo.write("api/openapi.yaml", &openapi_with_reviews());
    let both = format!("{group} {SHIPPED}");
    repo.write(PLAN, &plan(&[("table", &both), ("endpoints", &both)]));
    repo.commit("The reviews backend");
    let check = storyplan(repo.path(), &["check", PLAN]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stdout));
    let (code, report) = repo.json();
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(
        components(&report),
        [
            component("api", Some("endpoints"), "matches"),
            component("db", Some("table"), "matches"),
        ]
    );
    assert_eq!(findings(&report), []);
}

#[test]
fn a_drifted_plan_is_a_warning_that_names_the_step() {
    let repo = Repo::new(&plan(&[]));
    // The table shipped on main without the plan saying so.
    repo.write("db/migrations/V2__reviews.sql", REVIEWS);
    repo.commit("The reviews table, unmarked");
    repo.branch("docs");
    repo.write("README.md", "Reviews.\n");
    repo.commit("Docs");
    let (code, report) = repo.json();
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(components(&report), []);
    assert_eq!(findings(&report), [owned("plan-drift", None)]);
    let drift = &report["findings"][0];
    assert_eq!(drift["component"], "db");
    assert_eq!(drift["severity"], "warning");
    assert_eq!(
        drift["hint"],
        "Step 1 \"table\" looks shipped: mark it with shipped: true."
    );
    let human = text(&repo.verify(&["--base", "main"]).stdout);
    assert!(
        human.starts_with(
            ".storyplan/reviews.ron: no source of the plan's components changed since main\n"
        ),
        "{human}"
    );
}

#[test]
fn github_annotates_the_plan_and_the_source_line() {
    let repo = Repo::new(&plan(&[("table", SHIPPED)]));
    repo.write("db/migrations/V2__reviews.sql", REVIEWS);
    repo.commit("The reviews table");
    repo.branch("reviews-page");
    repo.write(
        "web/pacts/web-api.json",
        &pact(&["GET /health", "GET /reviews", "POST /reviews"]),
    );
    repo.commit("The reviews page");
    let out = repo.verify(&["--base", "main", "--format", "github"]);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<String> = text(&out.stdout).lines().map(str::to_string).collect();
    assert!(
        lines[0].starts_with("::error file=.storyplan/reviews.ron,line=21,col=9,title=storyplan out-of-order::This pull request ships step 3 \"page\""),
        "{lines:#?}"
    );
    assert!(
        lines[1].starts_with(
            "::error file=web/pacts/web-api.json,line=4,col=1,title=storyplan out-of-order::"
        ),
        "{lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("::warning file=.storyplan/reviews.ron,line=21,col=9,title=storyplan not-marked-shipped::")),
        "{lines:#?}"
    );
}

#[test]
fn head_may_be_a_ref_and_the_working_tree_is_left_alone() {
    let repo = Repo::new(&plan(&[]));
    repo.branch("reviews-table");
    repo.write("db/migrations/V2__reviews.sql", REVIEWS);
    repo.write(PLAN, &plan(&[("table", SHIPPED)]));
    repo.commit("The reviews table");
    git(repo.path(), &["checkout", "-q", "main"]);
    let before = git(repo.path(), &["status", "--porcelain", "--ignored"]);
    let out = repo.verify(&[
        "--base",
        "main",
        "--head",
        "reviews-table",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let value: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        components(&value[0]),
        [component("db", Some("table"), "matches")]
    );
    assert_eq!(
        git(repo.path(), &["status", "--porcelain", "--ignored"]),
        before
    );
    assert_eq!(
        git(repo.path(), &["rev-parse", "--abbrev-ref", "HEAD"]),
        "main"
    );
}

#[test]
fn a_change_another_plan_makes_is_not_unplanned_in_this_one() {
    let repo = Repo::new(&plan(&[]));
    // A finished story about the same API: every step shipped.
    repo.write(
        ".storyplan/health.ron",
        r#"Plan(
    version: 1,
    story: "Health check",
    components: [
        Component(id: "api", name: "API", kind: Service, sources: [OpenApi("api/openapi.yaml")],
            current: []),
    ],
    steps: [
        Release(id: "health", component: "api", title: "Health", shipped: true,
            changes: [Add(Provide("GET /health"))]),
    ],
)
"#,
    );
    repo.commit("An older story");
    repo.branch("reviews-endpoints");
    repo.write("db/migrations/V2__reviews.sql", REVIEWS);
    repo.write(PLAN, &plan(&[("table", SHIPPED)]));
    repo.commit("The reviews table");
    let out = repo.verify(&["--base", "main", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let value: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(value[0]["file"], ".storyplan/health.ron");
    assert_eq!(components(&value[0]), []);
    assert_eq!(value[1]["file"], PLAN);
    assert_eq!(
        components(&value[1]),
        [component("db", Some("table"), "matches")]
    );

    // The review endpoints too: the reviews plan's, and a race with the table.
    repo.write("api/openapi.yaml", &openapi_with_reviews());
    let out = repo.verify(&["--base", "main", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let value: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(components(&value[0]), []);
    assert_eq!(
        components(&value[1]),
        [
            component("api", Some("endpoints"), "matches"),
            component("db", Some("table"), "matches"),
        ]
    );
    assert_eq!(findings(&value[1])[0], owned("commit-race", Some("table")));

    // A change neither plan has: both say so.
    repo.write(
        "api/openapi.yaml",
        &format!(
            "{OPENAPI}  /kennels:\n    get: {{responses: {{\"200\": {{description: kennels}}}}}}\n"
        ),
    );
    std::fs::remove_file(repo.path().join("db/migrations/V2__reviews.sql")).expect("removed");
    repo.write(PLAN, &plan(&[]));
    let out = repo.verify(&["--base", "main", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let value: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(components(&value[0]), [component("api", None, "unplanned")]);
    assert_eq!(components(&value[1]), [component("api", None, "unplanned")]);
}

#[test]
fn a_component_gaining_its_first_source_is_a_difference_from_nothing() {
    let repo = Repo::new(&plan(&[]));
    repo.branch("notifier");
    repo.write(
        "notifier/openapi.yaml",
        "openapi: 3.0.3\ninfo: {title: Notifier, version: \"1\"}\npaths:\n  /notify:\n    post: {responses: {\"202\": {description: queued}}}\n",
    );
    let with_notifier = plan(&[]).replace(
        "    ],\n    steps: [\n",
        "        Component(id: \"notifier\", name: \"Notifier\", kind: Service, sources: [OpenApi(\"notifier/openapi.yaml\")]),\n    ],\n    steps: [\n        Release(id: \"notify\", component: \"notifier\", title: \"Notify\", shipped: true, changes: [Add(Provide(\"POST /notify\"))]),\n",
    );
    repo.write(PLAN, &with_notifier);
    repo.commit("The notifier");
    let out = repo.verify(&["--base", "main"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("  notifier: ships step 1 \"notify\"\n    OpenApi(\"notifier/openapi.yaml\") is new: a difference from nothing\n    + Provide(\"POST /notify\")\n"),
        "{stdout}"
    );
}

// ---------------------------------------------------------------------------------------
// Bad input: exit 2, a clear message, nothing written

/// Runs verify expecting exit 2 with `wanted` on stderr (or stdout, where the plan's own
/// report says it), and checks the repository is as it was.
fn fails_with(repo: &Repo, args: &[&str], wanted: &str) {
    let before = git(repo.path(), &["status", "--porcelain", "--ignored"]);
    let out = repo.verify(args);
    let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains(wanted), "wanted {wanted:?} in: {said}");
    assert!(!said.contains("panicked"), "{said}");
    assert_eq!(
        git(repo.path(), &["status", "--porcelain", "--ignored"]),
        before
    );
}

#[test]
fn a_base_ref_that_does_not_exist() {
    let repo = Repo::new(&plan(&[]));
    fails_with(
        &repo,
        &["--base", "origin/nowhere"],
        "base: no ref `origin/nowhere`",
    );
    fails_with(
        &repo,
        &["--base", "main", "--head", "nowhere"],
        "head: no ref `nowhere`",
    );
    fails_with(&repo, &["--base=-x"], "`-x` is not a git ref");
}

#[test]
fn a_plan_that_does_not_parse_at_head_or_at_base() {
    let repo = Repo::new(&plan(&[]));
    repo.branch("broken");
    repo.write(
        PLAN,
        &plan(&[]).replace("story: \"Reviews\",", "story: \"Reviews\""),
    );
    fails_with(
        &repo,
        &["--base", "main"],
        "error: .storyplan/reviews.ron:4:5: ",
    );
    let json = repo.verify(&["--base", "main", "--format", "json"]);
    let value: Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(value[0]["error"]["line"], 4);

    repo.commit("A broken plan");
    repo.branch("fixed");
    repo.write(PLAN, &plan(&[]));
    fails_with(
        &repo,
        &["--base", "broken"],
        "the plan at base broken does not load",
    );
}

#[test]
fn a_source_missing_at_one_revision() {
    let repo = Repo::new(&plan(&[]));
    repo.branch("no-api-doc");
    std::fs::remove_file(repo.path().join("api/openapi.yaml")).expect("removed");
    fails_with(
        &repo,
        &["--base", "main"],
        "api's source OpenApi(\"api/openapi.yaml\") does not exist at head (the working tree)",
    );
    repo.commit("The API document is gone");
    // Verified the other way round, the base lacks a document its plan names.
    git(repo.path(), &["checkout", "-q", "main"]);
    fails_with(
        &repo,
        &["--base", "no-api-doc"],
        "api's source OpenApi(\"api/openapi.yaml\") does not exist at base no-api-doc, where the plan names it",
    );
}

#[test]
fn a_shallow_clone_without_the_base_commit_says_to_fetch_it() {
    let repo = Repo::new(&plan(&[]));
    repo.write("README.md", "one\n");
    repo.commit("More history");
    let main = git(repo.path(), &["rev-parse", "HEAD"]);
    repo.branch("feature");
    repo.write("db/migrations/V2__reviews.sql", REVIEWS);
    repo.commit("The reviews table");
    let clones = tempfile::TempDir::new().expect("temp dir");
    let url = format!("file://{}", repo.path().display());
    git(
        clones.path(),
        &[
            "clone", "-q", "--depth", "1", "--branch", "feature", &url, "shallow",
        ],
    );
    let clone = clones.path().join("shallow");
    for base in ["origin/main", main.as_str()] {
        let out = storyplan(&clone, &["verify", "--base", base]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("is not in this shallow clone: fetch it first"),
            "{stderr}"
        );
    }
    let out = storyplan(&clone, &["verify", "--base", "origin/main"]);
    let fetch = "git fetch --depth=1 origin +refs/heads/main:refs/remotes/origin/main";
    assert!(text(&out.stderr).contains(fetch), "{}", text(&out.stderr));
    let args: Vec<&str> = fetch.split(' ').skip(1).collect();
    git(&clone, &args);
    let out = storyplan(&clone, &["verify", "--base", "origin/main"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

#[test]
fn outside_a_repository_or_without_plans() {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let out = storyplan(dir.path(), &["verify", "--base", "main"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("is not inside a git repository"));
    git(dir.path(), &["init", "-q"]);
    std::fs::write(dir.path().join("a"), "a").expect("written");
    git(dir.path(), &["add", "a"]);
    git(dir.path(), &["commit", "-q", "-m", "a"]);
    let out = storyplan(dir.path(), &["verify", "--base", "main"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no plans found in .storyplan/"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_plan_without_sources_has_nothing_to_compare() {
    let unsourced = plan(&[])
        .replace(", sources: [Pact(\"web/pacts\")]", "")
        .replace(", sources: [OpenApi(\"api/openapi.yaml\")]", "")
        .replace(", sources: [Sql(\"db/migrations\")]", "");
    let repo = Repo::new(&unsourced);
    let out = repo.verify(&["--base", "main"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stdout).starts_with(
            ".storyplan/reviews.ron: no component has sources, so nothing to compare with main\n"
        ),
        "{}",
        text(&out.stdout)
    );
}

/// A validator for a schema file (`schemas/NAME`, or the SARIF schema under the fixtures).
fn validator(path: &str) -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let text = std::fs::read_to_string(path).expect("the schema reads");
    // The SARIF schema's one pattern ECMA-262 refuses (see tests/sarif.rs).
    let text = text.replace(
        r#"[a-zA-Z]{2}-[a-zA-Z]{2}]?$"#,
        r#"[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$"#,
    );
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

#[test]
fn json_and_sarif_of_a_failing_pull_request_validate_against_their_schemas() {
    let repo = Repo::new(&plan(&[("table", SHIPPED)]));
    repo.write("db/migrations/V2__reviews.sql", REVIEWS);
    repo.commit("The reviews table");
    repo.branch("reviews-page");
    repo.write(
        "web/pacts/web-api.json",
        &pact(&["GET /health", "GET /reviews", "POST /reviews"]),
    );
    repo.commit("The reviews page");
    for (format, schema) in [
        ("json", "schemas/verify.schema.json"),
        ("sarif", "tests/fixtures/schemas/sarif-schema-2.1.0.json"),
    ] {
        let out = repo.verify(&["--base", "main", "--format", format]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{format}: {}",
            text(&out.stderr)
        );
        let value: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let validator = validator(schema);
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{format}: {errors:#?}\n{value:#}");
    }
    let out = repo.verify(&["--base", "main", "--format", "sarif"]);
    let log: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let rules: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["ruleId"].as_str().expect("a rule"))
        .collect();
    assert_eq!(
        rules,
        [
            "out-of-order",
            "broken-consumer",
            "broken-consumer",
            "not-marked-shipped"
        ]
    );
}
