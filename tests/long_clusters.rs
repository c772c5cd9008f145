//! What changes in clusters of many steps. The rollback analysis judges a revert again
//! only after a step that touches what the revert reaches: the first plans here are the
//! cases where a step reaches a revert in a roundabout way (each was once judged "safe" by
//! mistake), and the window must be the one that judging at every step gives
//! (`check_whole`). A move hint tries moves only for breaks of up to 256 of the cluster's
//! steps.

use std::path::Path;

use storyplan::check::{Rollback, Rule, check, check_reaching, check_whole};
use storyplan::plan::{Change, Fact, Kind, Plan, Step};
use storyplan::store;

mod common;

use common::{component, plan, release};

fn load(text: &str) -> Plan {
    match store::parse(Path::new("reach.ron"), text) {
        Ok(loaded) => loaded.plan,
        Err(err) => panic!("the test plan does not load: {err}"),
    }
}

/// The rollback windows of `plan`, after holding the report, with reach followed in every
/// cluster and as `check` follows it, to the whole-plan one.
fn windows(plan: &Plan) -> Vec<Rollback> {
    let split = check_reaching(plan);
    let whole = check_whole(plan);
    assert_eq!(split.findings, whole.findings, "findings");
    assert_eq!(
        check(plan).findings,
        whole.findings,
        "findings as check finds them"
    );
    let windows: Vec<Rollback> = split.steps.iter().map(|s| s.rollback).collect();
    let whole: Vec<Rollback> = whole.steps.iter().map(|s| s.rollback).collect();
    assert_eq!(windows, whole, "windows");
    windows
}

#[test]
fn a_later_change_that_changes_nothing_can_still_change_what_a_revert_undoes() {
    // s0 adds a read and removes it again; s1's remove finds nothing to remove, yet
    // reverting s0 after s1 brings the read back with nothing providing it.
    let plan = load(
        r#"Plan(version: 1, story: "s", components: [
            Component(id: "web", name: "web", kind: Database),
        ], steps: [
            Release(id: "s0", component: "web", title: "s0", changes: [
                Add(Read("t.old")), Remove(Tolerant(Read("t.old"))),
            ]),
            Release(id: "s1", component: "web", title: "s1", changes: [
                Remove(Tolerant(Read("t.old"))),
            ]),
        ])"#,
    );
    assert_eq!(windows(&plan), [Rollback::Until(1), Rollback::Safe]);
}

#[test]
fn a_backfill_that_starts_a_mirror_reaches_the_store_it_mirrors() {
    // Reverting s0 writes "t.old" again; once s2 makes "t.new" its mirror, that write
    // misses the mirror.
    let plan = load(
        r#"Plan(version: 1, story: "s", components: [
            Component(id: "db", name: "db", kind: Database, current: [
                Tolerant(Write("t.old")), Provide("t.new"),
            ]),
        ], steps: [
            Release(id: "s0", component: "db", title: "s0", changes: [
                Remove(Tolerant(Write("t.old"))),
            ]),
            Release(id: "s1", component: "db", title: "s1", changes: [
                Add(Provide("t.old")),
            ]),
            Release(id: "s2", component: "db", title: "s2", changes: [
                Backfill(into: "t.new", from: "t.old"),
            ]),
        ])"#,
    );
    let report = check_reaching(&plan);
    let rollback = report
        .findings
        .iter()
        .find(|f| f.rule == Rule::Rollback && f.step == Some(0));
    assert_eq!(rollback.and_then(|f| f.key.as_deref()), Some("t.new"));
    assert_eq!(windows(&plan)[0], Rollback::Until(2));
}

#[test]
fn a_flip_reaches_the_facts_it_gates_before_they_are_active() {
    // The gated fact waits for "GET /x" to be used by someone else. After the flip, the
    // revert of s1 brings back such a use, and the fact's call of "GET /x v2" breaks.
    let plan = load(
        r#"Plan(version: 1, story: "s", components: [
            Component(id: "web", name: "web", kind: Service, current: [
                Provide("GET /x"),
                Gated("t1", Serving("GET /x", Call("GET /x v2"))),
            ]),
            Component(id: "api", name: "api", kind: Service),
        ], toggles: [Toggle(id: "t1", initially: Off)], steps: [
            Release(id: "s0", component: "api", title: "s0", changes: [Add(Call("GET /x"))]),
            Release(id: "s1", component: "api", title: "s1", changes: [Remove(Call("GET /x"))]),
            Flip(id: "s2", toggle: "t1", to: On, title: "s2"),
        ])"#,
    );
    assert_eq!(windows(&plan)[1], Rollback::Until(2));
}

#[test]
fn a_consumer_revert_far_from_its_provider_is_judged_where_it_matters() {
    // The provider of "GET /k0" ships after forty unrelated releases of the same cluster;
    // reverting it is safe until the consumer that arrives last.
    let mut steps = vec![release(
        "provide",
        "api",
        vec![Change::Add(Fact::provide("GET /k0"))],
    )];
    steps.extend(chain(40));
    steps.push(release(
        "consume",
        "web",
        vec![Change::Add(Fact::call("GET /k0"))],
    ));
    let plan = web_and_api(steps);
    let windows = windows(&plan);
    assert_eq!(windows[0], Rollback::Until(41));
    assert!(windows[1..].iter().all(|w| *w == Rollback::Safe));
}

/// `api` provides "GET /k0" after `gap` unrelated releases of the same cluster, which a
/// call of "GET /k0" by `web` precedes, after `before` other unrelated releases.
fn late_provider(before: usize, gap: usize) -> Plan {
    let mut steps: Vec<_> = (0..before)
        .map(|i| {
            let fact = Fact::call(format!("GET /j{i}")).serving("GET /k0");
            release(&format!("j{i}"), "web", vec![Change::Add(fact)])
        })
        .collect();
    steps.push(release(
        "consume",
        "web",
        vec![Change::Add(Fact::call("GET /k0"))],
    ));
    steps.extend(chain(gap));
    steps.push(release(
        "provide",
        "api",
        vec![Change::Add(Fact::provide("GET /k0"))],
    ));
    web_and_api(steps)
}

/// `n` releases of `web` that chain "GET /k1" … "GET /kn" to "GET /k0" through `Serving`
/// facts that never become active: the same cluster, and nothing of it changes.
fn chain(n: usize) -> Vec<Step> {
    (1..=n)
        .map(|i| {
            let fact = Fact::call(format!("GET /k{i}")).serving(format!("GET /k{}", i - 1));
            release(&format!("u{i}"), "web", vec![Change::Add(fact)])
        })
        .collect()
}

/// A plan of `web` (a Ui) and `api` (a Service), neither with facts before `steps`.
fn web_and_api(steps: Vec<Step>) -> Plan {
    plan(
        vec![
            component("web", Kind::Ui, Vec::new()),
            component("api", Kind::Service, Vec::new()),
        ],
        steps,
    )
}

/// The hint of the break that step `at` (0-based) starts.
fn break_hint(plan: &Plan, at: usize) -> String {
    let report = check(plan);
    let found = report
        .findings
        .iter()
        .find(|f| f.rule == Rule::BrokenConsumer && f.step == Some(at));
    match found {
        Some(f) => f.hint.clone(),
        None => panic!("no break at step {}: {:#?}", at + 1, report.findings),
    }
}

#[test]
fn a_break_of_a_few_hundred_steps_is_fixed_by_a_move() {
    let hint = break_hint(&late_provider(0, 200), 0);
    assert!(
        hint.starts_with("Move step 1 \"consume\" after step 202 \"provide\""),
        "{hint}"
    );
    // The state before step 101 is rebuilt from the one kept before step 65.
    let plan = late_provider(100, 200);
    assert_eq!(plan.steps[100].id(), "consume");
    let hint = break_hint(&plan, 100);
    assert!(
        hint.starts_with("Move step 101 \"consume\" after step 302 \"provide\""),
        "{hint}"
    );
}

#[test]
fn a_break_longer_than_a_move_hint_looks_says_to_provide_earlier_or_gate() {
    let hint = break_hint(&late_provider(0, 300), 0);
    assert_eq!(
        hint,
        "Add a release that provides \"GET /k0\" before step 1 \"consume\", or gate web's use of \"GET /k0\" behind a toggle."
    );
}

#[test]
fn only_the_first_keys_nobody_provides_get_a_did_you_mean() {
    // api provides /items/N; web calls /itemz/N, a typo of each, in its own step.
    let n = storyplan::check::MAX_SUGGESTED + 6;
    let provided = (0..n).map(|i| Fact::provide(format!("GET /items/{i}")));
    let steps = (0..n)
        .map(|i| {
            let call = Fact::call(format!("GET /itemz/{i}"));
            release(&format!("s{i}"), "web", vec![Change::Add(call)])
        })
        .collect();
    let plan = plan(
        vec![
            component("web", Kind::Ui, vec![]),
            component("api", Kind::Service, provided.collect()),
        ],
        steps,
    );
    let report = check(&plan);
    let hints: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.rule == Rule::BrokenConsumer)
        .map(|f| f.hint.as_str())
        .collect();
    assert_eq!(hints.len(), n);
    let asked = hints.iter().filter(|h| h.contains("did you mean")).count();
    assert_eq!(asked, storyplan::check::MAX_SUGGESTED);
    assert!(
        hints[0].contains("did you mean \"GET /items/0\"?"),
        "{}",
        hints[0]
    );
    assert!(!hints[n - 1].contains("did you mean"), "{}", hints[n - 1]);
}
