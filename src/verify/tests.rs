use std::path::Path;

use super::*;
use crate::check::check;

/// Reviews: a table, the endpoints that use it, and the page that calls them; the web
/// app already calls the health check the API provides.
fn plan(shipped: &[&str], commit: Option<(&str, &str)>) -> Plan {
    let mut text = r#"Plan(
    version: 1,
    story: "Reviews",
    components: [
        Component(id: "web", name: "Web", kind: Ui, sources: [Pact("web/pacts")],
            current: [Call("GET /health")]),
        Component(id: "api", name: "API", kind: Service, sources: [OpenApi("api/openapi.yaml")],
            current: [Provide("GET /health")]),
        Component(id: "db", name: "Database", kind: Database, sources: [Sql("db/migrations")],
            current: [Provide("users"), Provide("users.id")]),
    ],
    steps: [
        Release(id: "table", component: "db", title: "Reviews table", changes: [
            Add(Provide("reviews")), Add(Provide("reviews.id")), Add(Provide("reviews.body")),
        ]),
        Release(id: "endpoints", component: "api", title: "Review endpoints", changes: [
            Add(Provide("GET /reviews")), Add(Provide("POST /reviews")),
            Add(Serving("POST /reviews", Write("reviews"))),
            Add(Serving("GET /reviews", Read("reviews"))),
        ]),
        Release(id: "page", component: "web", title: "Reviews page", changes: [
            Add(Call("GET /reviews")), Add(Call("POST /reviews")),
        ]),
    ],
)"#
    .to_string();
    for id in shipped {
        let at = format!("Release(id: \"{id}\",");
        text = text.replace(&at, &format!("{at} shipped: true,"));
    }
    if let Some((a, b)) = commit {
        for id in [a, b] {
            let at = format!("Release(id: \"{id}\",");
            text = text.replace(&at, &format!("{at} commit: \"c\","));
        }
    }
    crate::store::parse(Path::new("reviews.ron"), &text)
        .expect("the plan parses")
        .plan
}

fn provide(keys: &[&str]) -> Vec<Fact> {
    keys.iter().map(|k| Fact::provide(*k)).collect()
}

fn call(keys: &[&str]) -> Vec<Fact> {
    keys.iter().map(|k| Fact::call(*k)).collect()
}

const TABLE: [&str; 3] = ["reviews", "reviews.body", "reviews.id"];
const USERS: [&str; 2] = ["users", "users.id"];

fn sourced(component: usize, base: Vec<Fact>, head: Vec<Fact>) -> Sourced {
    Sourced {
        component,
        base,
        head,
        new_sources: Vec::new(),
    }
}

fn db(before: &[&str], after: &[&str]) -> Sourced {
    sourced(2, provide(before), provide(after))
}

fn api(before: &[&str], after: &[&str]) -> Sourced {
    sourced(1, provide(before), provide(after))
}

fn web(before: &[&str], after: &[&str]) -> Sourced {
    sourced(0, call(before), call(after))
}

fn rules(v: &Verification) -> Vec<(Rule, Option<usize>, Option<&str>)> {
    v.findings
        .iter()
        .map(|f| (f.rule, f.step, f.component.as_deref()))
        .collect()
}

fn statuses(v: &Verification) -> Vec<(usize, Option<usize>, Status)> {
    v.components
        .iter()
        .map(|s| (s.difference.component, s.step, s.status))
        .collect()
}

fn with(base: &[&str], more: &[&str]) -> Vec<String> {
    base.iter().chain(more).map(|s| s.to_string()).collect()
}

fn refs(keys: &[String]) -> Vec<&str> {
    keys.iter().map(String::as_str).collect()
}

#[test]
fn the_next_step_shipped_and_marked_is_clean() {
    let (base, head) = (plan(&[], None), plan(&["table"], None));
    let all = with(&USERS, &TABLE);
    let v = verify(&head, Some(&base), &[db(&USERS, &refs(&all))], &[]);
    assert_eq!(statuses(&v), [(2, Some(0), Status::Matches)]);
    assert_eq!(v.findings, []);
    assert_eq!(
        v.components[0].difference.added,
        provide(&["reviews", "reviews.body", "reviews.id"])
    );
}

#[test]
fn the_next_step_not_marked_says_how_to_mark_it() {
    let p = plan(&[], None);
    let all = with(&USERS, &TABLE);
    let v = verify(&p, Some(&p), &[db(&USERS, &refs(&all))], &[]);
    assert_eq!(rules(&v), [(Rule::NotMarkedShipped, Some(0), Some("db"))]);
    assert_eq!(v.findings[0].severity, Severity::Warning);
    assert!(
        v.findings[0]
            .hint
            .contains("shipped: true to step \"table\""),
        "{}",
        v.findings[0].hint
    );
    assert!(!v.has_errors());
}

#[test]
fn a_later_step_before_an_earlier_one_says_what_breaks() {
    let p = plan(&["table"], None);
    let v = verify(
        &p,
        Some(&p),
        &[web(
            &["GET /health"],
            &["GET /health", "GET /reviews", "POST /reviews"],
        )],
        &[],
    );
    assert_eq!(statuses(&v), [(0, Some(2), Status::OutOfOrder)]);
    let found = rules(&v);
    assert_eq!(found[0], (Rule::OutOfOrder, Some(2), Some("web")));
    assert_eq!(
        found.last(),
        Some(&(Rule::NotMarkedShipped, Some(2), Some("web")))
    );
    let first = &v.findings[0];
    assert_eq!(
        first.message,
        "This pull request ships step 3 \"page\" of \"Reviews\", but step 2 \"endpoints\" (api) comes before it and has not shipped."
    );
    assert_eq!(
        first.hint,
        "Ship step 2 \"endpoints\" (api) first: shipping step 3 \"page\" now breaks web (\"GET /reviews\", \"POST /reviews\")."
    );
    // The checker's own words, in the plan's numbering: the page's calls break.
    let breaks: Vec<&Finding> = v
        .findings
        .iter()
        .filter(|f| f.rule == Rule::BrokenConsumer)
        .collect();
    assert_eq!(breaks.len(), 2, "{:#?}", v.findings);
    for f in &breaks {
        assert_eq!(f.step, Some(2));
        assert_eq!(f.until, Some(1));
        assert_eq!(f.component.as_deref(), Some("web"));
        assert!(
            f.message
                .contains("from step 3 \"page\" until step 2 \"endpoints\""),
            "{}",
            f.message
        );
        assert_eq!(f.hint, "Ship step 2 \"endpoints\" (api) first.");
    }
}

#[test]
fn a_step_out_of_order_that_breaks_nothing_still_waits_for_the_plan() {
    let p = plan(&[], None);
    let v = verify(
        &p,
        Some(&p),
        &[api(
            &["GET /health"],
            &["GET /health", "GET /reviews", "POST /reviews"],
        )],
        &[],
    );
    assert_eq!(statuses(&v), [(1, Some(1), Status::OutOfOrder)]);
    assert_eq!(
        rules(&v),
        [
            (Rule::OutOfOrder, Some(1), Some("api")),
            (Rule::NotMarkedShipped, Some(1), Some("api")),
        ]
    );
    assert_eq!(
        v.findings[0].hint,
        "Ship step 1 \"table\" (db) first; or, if step 2 \"endpoints\" does not need it, move it before them in the plan."
    );
}

#[test]
fn the_endpoints_with_the_table_shipped_are_in_order() {
    let (base, head) = (plan(&["table"], None), plan(&["table", "endpoints"], None));
    let v = verify(
        &head,
        Some(&base),
        &[api(
            &["GET /health"],
            &["GET /health", "GET /reviews", "POST /reviews"],
        )],
        &[],
    );
    assert_eq!(statuses(&v), [(1, Some(1), Status::Matches)]);
    assert_eq!(v.findings, []);
}

#[test]
fn a_change_no_step_plans_reports_the_consumer_it_breaks() {
    let p = plan(&[], None);
    let v = verify(&p, Some(&p), &[api(&["GET /health"], &[])], &[]);
    assert_eq!(statuses(&v), [(1, None, Status::Unplanned)]);
    let found = rules(&v);
    assert_eq!(
        found,
        [
            (Rule::UnplannedChange, None, Some("api")),
            (Rule::BrokenConsumer, None, Some("web")),
        ]
    );
    assert!(
        v.findings[0]
            .message
            .contains("removes Provide(\"GET /health\")"),
        "{}",
        v.findings[0].message
    );
    assert!(
        v.findings[0]
            .hint
            .contains("api's next release is step 2 \"endpoints\""),
        "{}",
        v.findings[0].hint
    );
    assert!(
        v.findings[1]
            .message
            .contains("the unplanned change to api")
            || v.findings[1]
                .message
                .contains("The unplanned change to api"),
        "{}",
        v.findings[1].message
    );
}

#[test]
fn two_components_as_separate_releases_race() {
    let (base, head) = (plan(&["table"], None), plan(&["table"], None));
    let v = verify(
        &head,
        Some(&base),
        &[
            web(
                &["GET /health"],
                &["GET /health", "GET /reviews", "POST /reviews"],
            ),
            api(
                &["GET /health"],
                &["GET /health", "GET /reviews", "POST /reviews"],
            ),
        ],
        &[],
    );
    assert_eq!(
        statuses(&v),
        [(0, Some(2), Status::Matches), (1, Some(1), Status::Matches)]
    );
    let found = rules(&v);
    assert_eq!(found[0], (Rule::CommitRace, Some(1), None));
    assert!(v.has_errors());
    // The checker's race: the page deployed before the endpoints breaks its calls.
    let race: Vec<&Finding> = v.findings[1..]
        .iter()
        .filter(|f| f.rule == Rule::CommitRace)
        .collect();
    assert!(!race.is_empty(), "{:#?}", v.findings);
    assert!(
        race[0].message.contains("If this pull request deploys"),
        "{}",
        race[0].message
    );
    assert_eq!(race[0].step, Some(2));
}

#[test]
fn two_components_in_one_commit_with_every_order_safe_are_clean() {
    let base = plan(&[], Some(("table", "endpoints")));
    let head = plan(&["table", "endpoints"], Some(("table", "endpoints")));
    assert!(
        check(&head)
            .findings
            .iter()
            .all(|f| f.severity != Severity::Error)
    );
    let all = with(&USERS, &TABLE);
    let v = verify(
        &head,
        Some(&base),
        &[
            db(&USERS, &refs(&all)),
            api(
                &["GET /health"],
                &["GET /health", "GET /reviews", "POST /reviews"],
            ),
        ],
        &[],
    );
    assert_eq!(
        statuses(&v),
        [(1, Some(1), Status::Matches), (2, Some(0), Status::Matches)]
    );
    assert_eq!(v.findings, []);
}

#[test]
fn a_drifted_plan_names_the_step_that_looks_shipped() {
    let p = plan(&[], None);
    let all = with(&USERS, &TABLE);
    let v = verify(&p, Some(&p), &[db(&refs(&all), &refs(&all))], &[]);
    assert_eq!(v.components, []);
    assert_eq!(rules(&v), [(Rule::PlanDrift, None, Some("db"))]);
    assert_eq!(
        v.findings[0].hint,
        "Step 1 \"table\" looks shipped: mark it with shipped: true."
    );
    assert!(!v.has_errors());
}

#[test]
fn a_first_source_is_a_difference_from_nothing() {
    let p = plan(&[], None);
    let mut db = db(
        &[],
        &["users", "users.id", "reviews", "reviews.body", "reviews.id"],
    );
    db.new_sources = p.components[2].sources.clone();
    let v = verify(&p, None, &[db], &[]);
    assert_eq!(statuses(&v), [(2, None, Status::Unplanned)]);
    assert!(
        v.findings[0]
            .message
            .contains("db's source Sql(\"db/migrations\") is new in this pull request, so what it yields is a difference from nothing"),
        "{}",
        v.findings[0].message
    );
}

#[test]
fn two_releases_of_one_component_in_one_pull_request_are_named() {
    let mut p = plan(&[], None);
    if let Step::Release { changes, .. } = &mut p.steps[1] {
        changes.truncate(1);
    }
    p.steps.push(Step::Release {
        id: "post".into(),
        component: "api".into(),
        title: "Post reviews".into(),
        changes: vec![Change::Add(Fact::provide("POST /reviews"))],
        commit: None,
        shipped: false,
        notes: None,
        pr: None,
    });
    let v = verify(
        &p,
        Some(&p),
        &[api(
            &["GET /health"],
            &["GET /health", "GET /reviews", "POST /reviews"],
        )],
        &[],
    );
    assert_eq!(v.findings[0].rule, Rule::UnplannedChange);
    assert!(
        v.findings[0]
            .hint
            .starts_with("It is step 2 \"endpoints\" and step 4 \"post\" together"),
        "{}",
        v.findings[0].hint
    );
}

#[test]
fn a_component_without_releases_changes_unplanned() {
    let mut p = plan(&[], None);
    p.steps.retain(|s| s.component() != Some("api"));
    let v = verify(
        &p,
        Some(&p),
        &[api(&["GET /health"], &["GET /health", "GET /kennels"])],
        &[],
    );
    assert_eq!(statuses(&v), [(1, None, Status::Unplanned)]);
    assert_eq!(
        v.findings[0].hint,
        "Add a release of api that makes this change to the plan, after its shipped steps, and check the plan."
    );
}

#[test]
fn another_plans_change_is_not_unplanned_here() {
    let p = plan(&[], None);
    let v = verify(&p, Some(&p), &[api(&["GET /health"], &[])], &[1]);
    assert_eq!(v.components, []);
    assert_eq!(v.findings, []);
}

#[test]
fn the_checker_never_reports_verify_rules() {
    let examples = crate::store::examples::bundled();
    for (name, text) in examples {
        let plan = crate::store::parse(Path::new(name), text)
            .expect("the example parses")
            .plan;
        for finding in check(&plan).findings {
            assert!(
                finding.rule == Rule::CommitRace || !Rule::VERIFY.contains(&finding.rule),
                "{name}: {finding:?}"
            );
        }
    }
    for rule in Rule::VERIFY {
        assert_eq!(Rule::from_id(rule.id()).is_some(), rule == Rule::CommitRace);
    }
    assert_eq!(Rule::OutOfOrder.id(), "out-of-order");
    assert_eq!(Rule::UnplannedChange.id(), "unplanned-change");
    assert_eq!(Rule::NotMarkedShipped.id(), "not-marked-shipped");
    assert_eq!(Rule::PlanDrift.id(), "plan-drift");
}
