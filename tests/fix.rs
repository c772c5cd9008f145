//! `fix`: the nearest safe order, held to brute force over every order of small random
//! plans, to the article's stories in their unsafe orders, and to a plan no order makes
//! safe (which a repair must).

use std::path::Path;
use std::time::Duration;

use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::Config;
use storyplan::check::{Severity, check};
use storyplan::compose::fix::{Fixed, RepairKind, counted, fix, moves, reordered};
use storyplan::plan::{
    Accept, Access, Change, Component, FORMAT_VERSION, Fact, Kind, Plan, Step, Switch, Toggle,
};
use storyplan::store;

const LIMIT: Duration = Duration::from_secs(60);

#[path = "common/stories.rs"]
mod stories;

use stories::{example, in_commit, reorder};

#[path = "common/run.rs"]
mod run;

fn ids(plan: &Plan, order: &[usize]) -> Vec<String> {
    order
        .iter()
        .map(|&i| plan.steps[i].id().to_string())
        .collect()
}

/// Adjacent swaps from the written order: pairs the other way round.
fn inversions(order: &[usize]) -> usize {
    let mut count = 0;
    for i in 0..order.len() {
        for j in i + 1..order.len() {
            if order[i] > order[j] {
                count += 1;
            }
        }
    }
    count
}

/// Whether `order` keeps what `fix` must keep: every shipped step, and every commit that
/// has a shipped release, where it is written; every commit's releases together.
fn allowed(plan: &Plan, order: &[usize]) -> bool {
    let mut labels: Vec<(&str, Vec<usize>)> = Vec::new();
    for (i, step) in plan.steps.iter().enumerate() {
        if let Some(label) = step.commit() {
            match labels.iter_mut().find(|(l, _)| *l == label) {
                Some((_, members)) => members.push(i),
                None => labels.push((label, vec![i])),
            }
        }
    }
    let place = |s: usize| order.iter().position(|&x| x == s).expect("a permutation");
    for (i, step) in plan.steps.iter().enumerate() {
        let group = labels
            .iter()
            .find(|(l, _)| step.commit() == Some(*l))
            .map(|(_, m)| m.as_slice());
        let shipped = match group {
            Some(members) => members.iter().any(|&m| plan.steps[m].shipped()),
            None => step.shipped(),
        };
        if shipped && place(i) != i {
            return false;
        }
    }
    for (_, members) in &labels {
        let shipped = members.iter().any(|&m| plan.steps[m].shipped());
        let mut places: Vec<usize> = members.iter().map(|&m| place(m)).collect();
        places.sort_unstable();
        if !shipped && places.windows(2).any(|w| w[1] != w[0] + 1) {
            return false;
        }
    }
    true
}

fn permutations(n: usize) -> Vec<Vec<usize>> {
    fn go(items: &mut Vec<usize>, k: usize, out: &mut Vec<Vec<usize>>) {
        if k == items.len() {
            out.push(items.clone());
            return;
        }
        for i in k..items.len() {
            items.swap(k, i);
            go(items, k + 1, out);
            items.swap(k, i);
        }
    }
    let mut out = Vec::new();
    go(&mut (0..n).collect(), 0, &mut out);
    out
}

/// The best (errors, warnings, swaps) over every allowed order, checking each whole; and
/// on the way, that the search's counts differ from `check`'s by the same constant in
/// every order.
fn brute_force(plan: &Plan) -> Option<(usize, usize, usize)> {
    let mut best: Option<(usize, usize, usize)> = None;
    let mut constant: Option<(i64, i64)> = None;
    for order in permutations(plan.steps.len()) {
        if !allowed(plan, &order) {
            continue;
        }
        let summary = check(&reordered(plan, &order)).summary();
        let searched = counted(plan, &order).expect("an allowed order is one the search sees");
        let offset = (
            summary.errors as i64 - searched.0,
            summary.warnings as i64 - searched.1,
        );
        assert_eq!(
            *constant.get_or_insert(offset),
            offset,
            "the search counts {searched:?} for {:?}, check {summary:?}\n{}",
            ids(plan, &order),
            store::to_canonical_string(plan)
        );
        let cost = (summary.errors, summary.warnings, inversions(&order));
        if best.is_none_or(|b| cost < b) {
            best = Some(cost);
        }
    }
    best
}

// Random plans shaped like stories: services that provide and serve interfaces, UIs that
// call them, stores read, written, backfilled and dropped, toggles, commits, shipped steps
// and accepted findings, with a dangling reference now and then.

const COMPONENTS: [(&str, Kind); 4] = [
    ("web", Kind::Ui),
    ("api", Kind::Service),
    ("db", Kind::Database),
    ("worker", Kind::Service),
];
const INTERFACES: &[&str] = &["GET /a", "POST /a", "GET /b"];
const STORES: &[&str] = &["t.old", "t.new", "users"];
const TOGGLES: &[&str] = &["t1", "t2"];
const RULES: &[&str] = &[
    "broken-consumer",
    "data-gap",
    "data-loss",
    "commit-race",
    "noop-change",
];

fn interface() -> impl Strategy<Value = String> {
    select(INTERFACES).prop_map(str::to_string)
}

fn store_key() -> impl Strategy<Value = String> {
    select(STORES).prop_map(str::to_string)
}

fn toggle() -> impl Strategy<Value = String> {
    prop_oneof![9 => select(TOGGLES).prop_map(str::to_string), 1 => Just("undeclared".to_string())]
}

fn fact() -> impl Strategy<Value = Fact> {
    let base = prop_oneof![
        (Just(Access::Provide), interface()),
        (Just(Access::Provide), store_key()),
        (Just(Access::Call), interface()),
        (Just(Access::Read), store_key()),
        (Just(Access::Write), store_key()),
    ];
    (
        base,
        prop::bool::weighted(0.15),
        prop::option::weighted(0.15, toggle()),
        prop::option::weighted(0.3, interface()),
    )
        .prop_map(|((access, key), tolerant, gate, serving)| {
            let mut fact = Fact::new(access, key);
            fact.tolerant = tolerant && access.is_use();
            fact.gate = gate;
            fact.serving = serving;
            fact
        })
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        6 => fact().prop_map(Change::Add),
        3 => fact().prop_map(Change::Remove),
        1 => toggle().prop_map(Change::Ungate),
        2 => (store_key(), store_key()).prop_map(|(into, from)| Change::Backfill { into, from }),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    let component = prop_oneof![
        19 => select(&COMPONENTS[..]).prop_map(|c| c.0.to_string()),
        1 => Just("ghost".to_string()),
    ];
    let release = (
        component,
        prop::collection::vec(change(), 0..4),
        prop::option::weighted(0.2, select(&["pr-1", "pr-2"][..])),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(component, changes, commit, shipped)| Step::Release {
            id: String::new(),
            component,
            title: "A release".into(),
            changes,
            commit: commit.map(str::to_string),
            shipped,
            notes: None,
            pr: None,
        });
    let flip =
        (toggle(), prop::bool::ANY, prop::bool::weighted(0.1)).prop_map(|(toggle, on, shipped)| {
            Step::Flip {
                id: String::new(),
                toggle,
                to: if on { Switch::On } else { Switch::Off },
                title: "A flip".into(),
                shipped,
                notes: None,
            }
        });
    prop_oneof![4 => release, 1 => flip]
}

fn random_plan(max_steps: usize) -> impl Strategy<Value = Plan> {
    let component = (
        prop::collection::vec(fact(), 0..3),
        prop::option::weighted(0.4, prop::collection::vec(fact(), 0..4)),
    );
    let accept = (
        select(RULES),
        0..max_steps,
        prop::option::weighted(0.5, prop_oneof![interface(), store_key()]),
    )
        .prop_map(|(rule, step, key)| Accept {
            rule: rule.to_string(),
            step: Some(format!("s{step}")),
            key,
            reason: "known".into(),
        });
    (
        prop::collection::vec(component, COMPONENTS.len()),
        prop::collection::vec(prop::bool::ANY, TOGGLES.len()),
        prop::collection::vec(
            (step(), prop::option::weighted(0.05, 0..3usize)),
            1..=max_steps,
        ),
        prop::collection::vec(accept, 0..2),
    )
        .prop_map(|(components, toggles, steps, accepted)| Plan {
            version: FORMAT_VERSION,
            story: "Random".into(),
            narrative: None,
            components: components
                .into_iter()
                .zip(COMPONENTS)
                .map(|((current, target), (id, kind))| Component {
                    id: id.into(),
                    name: id.into(),
                    kind,
                    repo: None,
                    sources: Vec::new(),
                    current,
                    target,
                })
                .collect(),
            toggles: toggles
                .into_iter()
                .zip(TOGGLES)
                .map(|(on, id)| Toggle {
                    id: id.to_string(),
                    initially: if on { Switch::On } else { Switch::Off },
                })
                .collect(),
            steps: steps
                .into_iter()
                .enumerate()
                .map(|(n, (mut step, twin))| {
                    let id = format!("s{}", twin.unwrap_or(n));
                    match &mut step {
                        Step::Release { id: slot, .. } | Step::Flip { id: slot, .. } => *slot = id,
                    }
                    step
                })
                .collect(),
            accepted,
            notes: None,
        })
}

/// One of the article's stories, its steps shuffled, a pair of them sometimes in one
/// commit, and sometimes the first one shipped.
fn story_shuffled() -> impl Strategy<Value = Plan> {
    let stories = ["reminders", "cents-api", "amount-column"];
    (0..stories.len()).prop_flat_map(move |n| {
        let plan = example(stories[n]);
        let count = plan.steps.len();
        (
            Just(plan),
            Just((0..count).collect::<Vec<usize>>()).prop_shuffle(),
            prop::option::weighted(0.3, 0..count),
            prop::bool::weighted(0.15),
        )
            .prop_map(|(plan, order, paired, shipped)| {
                let mut plan = reordered(&plan, &order);
                if let Some(at) = paired {
                    for step in plan.steps.iter_mut().skip(at).take(2) {
                        if let Step::Release { commit, .. } = step {
                            *commit = Some("pr-pair".into());
                        }
                    }
                }
                if shipped && let Some(Step::Release { shipped, .. }) = plan.steps.first_mut() {
                    *shipped = true;
                }
                plan
            })
    })
}

fn config(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(cases);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// `fix`'s answer is the best of every order, proven so.
fn matches_brute_force(plan: &Plan) -> Result<(), TestCaseError> {
    let fixed = fix(plan, LIMIT);
    let best = brute_force(plan);
    let shown = store::to_canonical_string(plan);
    let Some(best) = best else {
        prop_assert!(!fixed.minimal, "no order is allowed, yet minimal\n{shown}");
        return Ok(());
    };
    // A commit of more than six releases is tried in two orders only.
    let largest_commit = plan
        .steps
        .iter()
        .filter_map(|s| s.commit())
        .map(|label| {
            plan.steps
                .iter()
                .filter(|s| s.commit() == Some(label))
                .count()
        })
        .max()
        .unwrap_or(0);
    if largest_commit > 6 {
        return Ok(());
    }
    prop_assert!(fixed.minimal, "not proven minimal\n{shown}");
    let got = (fixed.after.errors, fixed.after.warnings, fixed.swaps);
    prop_assert_eq!(got, best, "order {:?}\n{}", ids(plan, &fixed.order), shown);
    let again = check(&reordered(plan, &fixed.order)).summary();
    prop_assert_eq!(again, fixed.after);
    prop_assert_eq!(fixed.found, fixed.after.errors == 0);
    prop_assert_eq!(fixed.swaps, inversions(&fixed.order));
    Ok(())
}

proptest! {
    #![proptest_config(config(96))]

    #[test]
    fn the_search_finds_the_best_order_of_a_random_plan(plan in random_plan(7)) {
        matches_brute_force(&plan)?;
    }

    #[test]
    fn the_search_finds_the_best_order_of_a_shuffled_story(plan in story_shuffled()) {
        matches_brute_force(&plan)?;
    }
}

/// Every unsafe order of a story: fixed clean, in the fewest swaps any clean order needs.
fn every_unsafe_order_is_fixed(plan: &Plan) {
    let mut unsafe_orders = 0;
    for order in permutations(plan.steps.len()) {
        let shuffled = reordered(plan, &order);
        if check(&shuffled).summary().errors == 0 {
            continue;
        }
        unsafe_orders += 1;
        let fixed = fix(&shuffled, LIMIT);
        let shown = ids(&shuffled, &(0..order.len()).collect::<Vec<_>>());
        assert!(fixed.found, "{shown:?} is not fixed");
        assert!(fixed.minimal, "{shown:?}");
        assert_eq!(fixed.after.errors, 0, "{shown:?}");
        let fewest = permutations(order.len())
            .into_iter()
            .filter(|o| check(&reordered(&shuffled, o)).summary() == fixed.after)
            .map(|o| inversions(&o))
            .min();
        assert_eq!(Some(fixed.swaps), fewest, "{shown:?}");
    }
    assert!(unsafe_orders > 0);
}

#[test]
fn every_unsafe_order_of_the_reminders_is_fixed() {
    every_unsafe_order_is_fixed(&example("reminders"));
}

#[test]
fn every_unsafe_order_of_the_cents_api_is_fixed() {
    every_unsafe_order_is_fixed(&example("cents-api"));
}

#[test]
fn every_unsafe_order_of_the_amount_column_is_fixed() {
    every_unsafe_order_is_fixed(&example("amount-column"));
}

/// The unsafe orders the README and the checker's tests name: each is fixed clean, and
/// the moves say how.
#[test]
fn the_named_unsafe_orders_are_fixed_clean() {
    let cases: [(&str, &[&str], usize); 7] = [
        (
            "reminders",
            &["ui-hidden", "endpoints", "enable", "table", "cleanup"],
            1,
        ),
        (
            "reminders",
            &["ui-hidden", "enable", "endpoints", "table", "cleanup"],
            2,
        ),
        ("cents-api", &["migrate", "expand", "contract"], 1),
        ("cents-api", &["expand", "contract", "migrate"], 1),
        (
            "amount-column",
            &["expand", "double-write", "migrate", "contract"],
            1,
        ),
        (
            "amount-column",
            &["double-write", "expand", "contract", "migrate"],
            1,
        ),
        // The README's example.
        (
            "amount-column",
            &["expand", "double-write", "contract", "migrate"],
            2,
        ),
    ];
    for (story, order, swaps) in cases {
        let plan = reorder(example(story), order);
        let fixed = fix(&plan, LIMIT);
        assert!(fixed.found && fixed.minimal, "{story} {order:?}");
        let after = (fixed.after.errors, fixed.after.warnings);
        assert_eq!(after, (0, 0), "{story} {order:?}");
        assert_eq!(fixed.swaps, swaps, "{story} {order:?}");
        assert_eq!(
            ids(&plan, &fixed.order),
            ids(&example(story), &(0..order.len()).collect::<Vec<_>>()),
            "{story} {order:?}: the article's order"
        );
        assert_eq!(moves(&fixed.order), fixed.moves);
    }
}

#[test]
fn the_flip_before_the_table_moves_after_it() {
    let plan = reorder(
        example("reminders"),
        &["ui-hidden", "endpoints", "enable", "table", "cleanup"],
    );
    let fixed = fix(&plan, LIMIT);
    assert_eq!(fixed.moves.len(), 1);
    let m = fixed.moves[0];
    assert_eq!(plan.steps[m.step].id(), "enable");
    assert_eq!((m.from, m.to), (2, 3));
    let (after, place) = m.after.expect("after a step");
    assert_eq!((plan.steps[after].id(), place), ("table", 3));
    assert_eq!(fixed.before.errors, 1);
}

#[test]
fn a_clean_plan_stays_as_it_is() {
    let plan = example("amount-column");
    let fixed = fix(&plan, LIMIT);
    assert_eq!(fixed.order, vec![0, 1, 2, 3]);
    assert!(fixed.moves.is_empty() && fixed.found && fixed.minimal);
    assert_eq!(fixed.swaps, 0);
}

#[test]
fn shipped_steps_keep_their_places() {
    // The flip shipped too early: the rest must make do around it.
    let mut plan = reorder(
        example("reminders"),
        &["ui-hidden", "enable", "endpoints", "table", "cleanup"],
    );
    if let Step::Flip { shipped, .. } = &mut plan.steps[1] {
        *shipped = true;
    }
    let fixed = fix(&plan, LIMIT);
    assert_eq!(fixed.order[1], 1, "the shipped flip stays second");
    assert!(fixed.minimal);
}

#[test]
fn a_commit_stays_together_in_any_inner_order() {
    // The migration and the code that needs it in one commit race whatever their order.
    let plan = in_commit(example("amount-column"), &["expand", "migrate"], "pr-2");
    let fixed = fix(&plan, LIMIT);
    let expand = fixed.order.iter().position(|&s| s == 1).expect("expand");
    let migrate = fixed.order.iter().position(|&s| s == 2).expect("migrate");
    assert_eq!(expand.abs_diff(migrate), 1);
    assert!(!fixed.found);
    assert!(fixed.minimal);
}

#[path = "common/cycle.rs"]
mod cycle;

use cycle::CYCLE;

#[test]
fn a_plan_no_order_makes_safe_gets_a_repair_that_works() {
    let plan = store::parse(Path::new("cycle.ron"), CYCLE)
        .expect("the plan loads")
        .plan;
    let fixed: Fixed = fix(&plan, LIMIT);
    assert!(!fixed.found);
    assert!(fixed.minimal);
    assert_eq!(fixed.after.errors, 1);
    let toggle = fixed
        .repairs
        .iter()
        .find(|r| r.kind == RepairKind::Toggle)
        .expect("a toggle repair");
    let report = check(&toggle.plan);
    assert_eq!(report.summary().errors, 0, "{:?}", report.findings);
    assert_eq!(toggle.after, report.summary());
    assert!(!toggle.inserted.is_empty());
    // Applied, the repaired plan needs no further move.
    let again = fix(&toggle.plan, LIMIT);
    assert!(again.found && again.moves.is_empty());
    for repair in &fixed.repairs {
        assert!(
            repair.after.errors < fixed.after.errors,
            "{}",
            repair.description
        );
        assert_eq!(check(&repair.plan).summary(), repair.after);
    }
}

#[test]
fn a_missing_double_write_is_a_repair() {
    let mut plan = example("amount-column");
    plan.steps.retain(|s| s.id() != "double-write");
    let fixed = fix(&plan, LIMIT);
    assert!(!fixed.found);
    let repair = fixed
        .repairs
        .iter()
        .find(|r| r.kind == RepairKind::DoubleWrite)
        .expect("a double write repair");
    assert_eq!(repair.after.errors, 0);
    assert_eq!(repair.inserted, vec!["api-double-write".to_string()]);
    let first = repair
        .plan
        .steps
        .iter()
        .position(|s| s.id() == "api-double-write");
    let expand = repair.plan.steps.iter().position(|s| s.id() == "expand");
    assert!(first < expand);
}

#[test]
fn an_interface_changed_in_one_release_is_split() {
    // The API swaps dollars for cents in one release: the web app breaks before or after.
    let mut plan = example("cents-api");
    plan.steps.retain(|s| s.id() != "contract");
    if let Some(Step::Release { changes, .. }) = plan.steps.first_mut() {
        changes.insert(
            0,
            Change::Remove(Fact::provide(
                "POST /animals/{id}/expense {amount: dollars}",
            )),
        );
    }
    let fixed = fix(&plan, LIMIT);
    assert!(!fixed.found);
    let split = fixed
        .repairs
        .iter()
        .find(|r| r.kind == RepairKind::ExpandContract)
        .expect("a split");
    assert_eq!(split.after.errors, 0);
    assert_eq!(split.inserted, vec!["expand-contract".to_string()]);
    let order: Vec<&str> = split.plan.steps.iter().map(|s| s.id()).collect();
    assert_eq!(order, vec!["expand", "migrate", "expand-contract"]);
}

#[test]
fn accepted_findings_do_not_count() {
    let mut plan = reorder(
        example("reminders"),
        &["ui-hidden", "endpoints", "enable", "table", "cleanup"],
    );
    plan.accepted.push(Accept {
        rule: "broken-consumer".into(),
        step: Some("enable".into()),
        key: Some("reminders".into()),
        reason: "the table is created by hand first".into(),
    });
    let fixed = fix(&plan, LIMIT);
    assert_eq!(fixed.before.errors, 0);
    assert!(fixed.found && fixed.moves.is_empty());
    assert_eq!(
        check(&plan)
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Accepted)
            .count(),
        1
    );
}

// The command as a user runs it: the built binary on real files.

mod cli {
    use std::fs;
    use std::process::Output;

    use serde_json::Value;

    use super::run::storyplan;
    use tempfile::TempDir;

    use super::{CYCLE, example, reorder};
    use storyplan::check::check;
    use storyplan::store;

    fn code(output: &Output) -> i32 {
        output.status.code().expect("storyplan exits with a code")
    }

    fn stdout(output: &Output) -> String {
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    fn stderr(output: &Output) -> String {
        String::from_utf8_lossy(&output.stderr).into_owned()
    }

    fn json(output: &Output) -> Value {
        serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("stdout is JSON ({e}): {}", stdout(output)))
    }

    /// The reminders with the flip before the table, saved canonically in `dir`.
    fn flip_before_table(dir: &TempDir) -> std::path::PathBuf {
        let plan = reorder(
            example("reminders"),
            &["ui-hidden", "endpoints", "enable", "table", "cleanup"],
        );
        let path = dir.path().join("reminders.ron");
        store::save_atomic(&path, &plan).expect("save the plan");
        path
    }

    #[test]
    fn the_moves_and_the_findings_before_and_after() {
        let dir = TempDir::new().unwrap();
        flip_before_table(&dir);
        let output = storyplan(dir.path(), &["fix", "reminders.ron"]);
        let text = stdout(&output);
        assert_eq!(code(&output), 0, "{text}{}", stderr(&output));
        assert!(text.contains("error[broken-consumer]: "), "{text}");
        assert!(text.contains("  --> reminders.ron:"), "{text}");
        assert!(
            text.contains(r#"  move step 3 "enable" after step 4 "table""#),
            "{text}"
        );
        assert!(
            text.contains("reminders.ron: 1 error, 0 warnings"),
            "{text}"
        );
        assert!(text.contains("reminders.ron: clean (0 errors"), "{text}");
    }

    #[test]
    fn json_has_the_documented_shape() {
        let dir = TempDir::new().unwrap();
        flip_before_table(&dir);
        let output = storyplan(dir.path(), &["fix", "--format", "json", "reminders.ron"]);
        assert_eq!(code(&output), 0);
        let fixed = json(&output);
        assert_eq!(fixed["file"], "reminders.ron");
        assert_eq!(fixed["found"], true);
        assert_eq!(fixed["minimal"], true);
        assert_eq!(
            fixed["order"],
            serde_json::json!(["ui-hidden", "endpoints", "table", "enable", "cleanup"])
        );
        assert_eq!(
            fixed["moves"],
            serde_json::json!([{"step": "enable", "from": 3, "to": 4}])
        );
        assert_eq!(fixed["swaps"], 1);
        for summary in ["before", "after"] {
            for field in ["errors", "warnings", "infos", "accepted"] {
                assert!(fixed[summary][field].is_u64(), "{summary}.{field}");
            }
        }
        assert_eq!(fixed["before"]["errors"], 1);
        assert_eq!(fixed["after"]["errors"], 0);
        assert_eq!(fixed["repairs"], serde_json::json!([]));
    }

    #[test]
    fn write_saves_the_new_order_canonically() {
        let dir = TempDir::new().unwrap();
        let path = flip_before_table(&dir);
        let output = storyplan(dir.path(), &["fix", "--write", "reminders.ron"]);
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        assert!(stdout(&output).contains("Wrote reminders.ron"));
        let text = fs::read_to_string(&path).expect("read the plan");
        let saved = store::parse(&path, &text).expect("the plan loads").plan;
        assert_eq!(check(&saved).summary().errors, 0);
        assert_eq!(text, store::to_canonical_string(&saved));
        let again = storyplan(dir.path(), &["fix", "--format", "json", "reminders.ron"]);
        assert_eq!(json(&again)["moves"], serde_json::json!([]));
    }

    #[test]
    fn no_order_without_errors_exits_1_with_a_repair() {
        let dir = TempDir::new().unwrap();
        fs::write(dir.path().join("cycle.ron"), CYCLE).expect("write the plan");
        let output = storyplan(dir.path(), &["fix", "--format", "json", "cycle.ron"]);
        assert_eq!(code(&output), 1);
        let fixed = json(&output);
        assert_eq!(fixed["found"], false);
        let repair = &fixed["repairs"][0];
        assert_eq!(repair["pattern"], "toggle");
        assert_eq!(repair["summary"]["errors"], 0);
        let human = storyplan(dir.path(), &["fix", "cycle.ron"]);
        assert_eq!(code(&human), 1);
        let text = stdout(&human);
        assert!(text.contains("Repairs from the patterns:"), "{text}");
        assert!(text.contains("1. Toggle: gate web's use of"), "{text}");
    }

    #[test]
    fn a_file_that_does_not_load_exits_2_with_its_line_and_column() {
        let dir = TempDir::new().unwrap();
        fs::write(
            dir.path().join("bad.ron"),
            "Plan(version: 1, story: \"x\",\n    components: [Component(id: \"w\", name: \"W\", kind: Browser)])",
        )
        .expect("write the plan");
        let output = storyplan(dir.path(), &["fix", "bad.ron"]);
        assert_eq!(code(&output), 2);
        let text = stderr(&output);
        assert!(text.starts_with("storyplan: bad.ron:2:"), "{text}");
        let output = storyplan(dir.path(), &["fix", "--format", "json", "bad.ron"]);
        assert_eq!(code(&output), 2);
        let error = json(&output);
        assert_eq!(error["file"], "bad.ron");
        assert_eq!(error["error"]["line"], 2);
    }

    #[test]
    fn plan_text_reaches_the_terminal_without_control_characters() {
        let dir = TempDir::new().unwrap();
        let mut plan = reorder(
            example("reminders"),
            &["ui-hidden", "endpoints", "enable", "table", "cleanup"],
        );
        if let Some(step) = plan.steps.iter_mut().find(|s| s.id() == "enable") {
            match step {
                storyplan::plan::Step::Flip { id, .. }
                | storyplan::plan::Step::Release { id, .. } => {
                    *id = "enable\u{1b}]0;pwned\u{7}".to_string();
                }
            }
        }
        store::save_atomic(&dir.path().join("odd.ron"), &plan).expect("save the plan");
        let output = storyplan(dir.path(), &["fix", "odd.ron"]);
        let text = stdout(&output);
        assert_eq!(code(&output), 0, "{text}");
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text:?}"
        );
        assert!(text.contains("move step 3 \"enable]0;pwned\""), "{text}");
    }
}
