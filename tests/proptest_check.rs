//! Random plans, valid or not: the checker always answers, its report fits the plan, and
//! the canonical text of a plan reads back to the same plan.
//!
//! Keys, ids and toggles come mostly from small pools so that they collide (shared keys,
//! stores that mirror each other, duplicate ids), with dangling components, undeclared
//! toggles and odd strings mixed in. A failure prints the shrunk plan as RON.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, TestCaseError};
use storyplan::check::{Finding, Report, Rollback, Rule, check, check_reaching, check_whole};
use storyplan::plan::{
    Accept, Access, Change, Component, FORMAT_VERSION, Fact, Kind, Plan, Step, Switch, Toggle,
};
use storyplan::store;

/// Interfaces: what services provide and serve, and UIs call.
const INTERFACES: &[&str] = &["GET /x", "GET /x v2", "POST /x", "topic created v2"];
/// Data stores: what databases and queues provide, and services read and write.
const STORES: &[&str] = &["t.old", "t.new", "users", " users "];
/// Component ids by position: a plan of n components has the first n.
const COMPONENT_IDS: &[&str] = &["web", "api", "db", "queue", "job", "ext", "db2", "worker"];
/// Releases of components the plan does not have.
const DANGLING_IDS: &[&str] = &["ghost", "", " api"];
/// Toggle ids by position, as for components.
const TOGGLE_IDS: &[&str] = &["t1", "t2", "t3"];
const UNDECLARED: &[&str] = &["undeclared", " t1"];
const COMMITS: &[&str] = &["pr-1", "pr-2"];
/// An interface only the commit runs of `steps` use.
const RACED: &str = "GET /raced";
const RULE_IDS: &[&str] = &[
    "broken-consumer",
    "data-gap",
    "data-loss",
    "commit-race",
    "bad-reference",
    "noop-change",
    "rollback",
    "no-such-rule",
    "",
];
/// Characters a RON writer must quote or escape, and some that are merely unusual.
const ODD_CHARS: &[char] = &[
    '"', '\\', '\n', '\t', '\r', '\0', '\u{7}', '\u{1b}', '\u{85}', '\u{feff}', ' ', 'é', '€',
    '😀', '(', ')', ',', ':', '/', '#', '[', '{', '}', '\'', 'r',
];

/// How many components and toggles the plan declares: the other parts refer to these
/// mostly, and to ones that do not exist now and then.
#[derive(Debug, Clone, Copy)]
struct Sizes {
    components: usize,
    toggles: usize,
}

/// Free text: mostly pool keys, sometimes printable Unicode, sometimes escape-worthy.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => select(INTERFACES).prop_map(str::to_string),
        2 => select(STORES).prop_map(str::to_string),
        1 => "\\PC{0,8}",
        1 => prop::collection::vec(select(ODD_CHARS), 0..6).prop_map(String::from_iter),
    ]
}

fn optional_text() -> impl Strategy<Value = Option<String>> {
    prop::option::weighted(0.3, text())
}

fn interface() -> impl Strategy<Value = String> {
    select(INTERFACES).prop_map(str::to_string)
}

fn store_key() -> impl Strategy<Value = String> {
    select(STORES).prop_map(str::to_string)
}

/// Any key: mostly from the pools, sometimes an odd string.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => interface(),
        3 => store_key(),
        1 => text(),
    ]
}

/// Mostly a declared toggle; now and then one the plan does not declare.
fn toggle_ref(sizes: Sizes) -> BoxedStrategy<String> {
    let undeclared = select(UNDECLARED).prop_map(str::to_string);
    if sizes.toggles == 0 {
        return undeclared.boxed();
    }
    prop_oneof![
        6 => select(&TOGGLE_IDS[..sizes.toggles]).prop_map(str::to_string),
        1 => undeclared,
    ]
    .boxed()
}

/// Mostly a component of the plan; now and then one it does not have.
fn component_ref(sizes: Sizes) -> BoxedStrategy<String> {
    let dangling = select(DANGLING_IDS).prop_map(str::to_string);
    if sizes.components == 0 {
        return dangling.boxed();
    }
    prop_oneof![
        10 => select(&COMPONENT_IDS[..sizes.components]).prop_map(str::to_string),
        1 => dangling,
    ]
    .boxed()
}

/// A fact shaped like a story's (interfaces called, stores read and written) or not.
fn fact(sizes: Sizes) -> impl Strategy<Value = Fact> {
    let shaped = prop_oneof![
        (Just(Access::Provide), interface()),
        (Just(Access::Provide), store_key()),
        (Just(Access::Call), interface()),
        (Just(Access::Read), store_key()),
        (Just(Access::Write), store_key()),
    ];
    let base = prop_oneof![
        5 => shaped,
        1 => (select(&Access::ALL[..]), key()),
    ];
    (
        base,
        0..100u8,
        prop::option::weighted(0.2, toggle_ref(sizes)),
        prop::option::weighted(0.4, interface()),
    )
        .prop_map(|((access, key), dice, gate, serving)| {
            let mut fact = Fact::new(access, key);
            // A tolerant use is common; a tolerant provide (a bad reference) is rare.
            if dice < 3 || (access.is_use() && dice < 25) {
                fact = fact.tolerant();
            }
            if let Some(gate) = gate {
                fact = fact.gated(gate);
            }
            if let Some(serving) = serving {
                fact = fact.serving(serving);
            }
            fact
        })
}

fn facts(sizes: Sizes) -> impl Strategy<Value = Vec<Fact>> {
    prop::collection::vec(fact(sizes), 0..5)
}

/// The plan's components, ids by position; a few reuse an earlier id.
fn components(sizes: Sizes) -> impl Strategy<Value = Vec<Component>> {
    let kind = prop_oneof![
        3 => Just(Kind::Database),
        3 => Just(Kind::Service),
        2 => Just(Kind::Ui),
        1 => select(&Kind::ALL[..]),
    ];
    let component = (
        prop::option::weighted(0.05, select(COMPONENT_IDS)),
        text(),
        kind,
        optional_text(),
        facts(sizes),
        prop::option::weighted(0.4, facts(sizes)),
    );
    prop::collection::vec(component, sizes.components).prop_map(|drafts| {
        drafts
            .into_iter()
            .enumerate()
            .map(
                |(n, (reused, name, kind, repo, current, target))| Component {
                    id: reused.unwrap_or(COMPONENT_IDS[n]).to_string(),
                    name,
                    kind,
                    repo,
                    sources: Vec::new(),
                    current,
                    target,
                },
            )
            .collect()
    })
}

/// The declared toggles, ids by position; now and then one is declared twice.
fn toggles(sizes: Sizes) -> impl Strategy<Value = Vec<Toggle>> {
    (
        prop::collection::vec(switch(), sizes.toggles),
        prop::bool::weighted(0.05),
    )
        .prop_map(|(switches, twice)| {
            let mut toggles: Vec<Toggle> = switches
                .into_iter()
                .zip(TOGGLE_IDS)
                .map(|(initially, id)| Toggle {
                    id: id.to_string(),
                    initially,
                })
                .collect();
            if twice && let Some(first) = toggles.first().cloned() {
                toggles.push(first);
            }
            toggles
        })
}

fn switch() -> impl Strategy<Value = Switch> {
    prop::bool::ANY.prop_map(|on| if on { Switch::On } else { Switch::Off })
}

fn change(sizes: Sizes) -> impl Strategy<Value = Change> {
    prop_oneof![
        8 => fact(sizes).prop_map(Change::Add),
        6 => fact(sizes).prop_map(Change::Remove),
        1 => toggle_ref(sizes).prop_map(Change::Ungate),
        2 => (store_key(), store_key()).prop_map(|(into, from)| Change::Backfill { into, from }),
        1 => (key(), key()).prop_map(|(into, from)| Change::Backfill { into, from }),
    ]
}

/// A step whose id is filled in by `steps`.
fn step(sizes: Sizes) -> impl Strategy<Value = Step> {
    let release = (
        component_ref(sizes),
        text(),
        prop::collection::vec(change(sizes), 0..4),
        prop::option::weighted(0.06, select(COMMITS)),
        prop::bool::weighted(0.2),
        optional_text(),
        optional_text(),
    )
        .prop_map(
            |(component, title, changes, commit, shipped, notes, pr)| Step::Release {
                id: String::new(),
                component,
                title,
                changes,
                commit: commit.map(str::to_string),
                shipped,
                notes,
                pr,
            },
        );
    let flip = (
        toggle_ref(sizes),
        switch(),
        text(),
        prop::bool::weighted(0.2),
        optional_text(),
    )
        .prop_map(|(toggle, to, title, shipped, notes)| Step::Flip {
            id: String::new(),
            toggle,
            to,
            title,
            shipped,
            notes,
        });
    prop_oneof![4 => release, 1 => flip]
}

fn set_id(step: &mut Step, new: String) {
    match step {
        Step::Release { id, .. } | Step::Flip { id, .. } => *id = new,
    }
}

/// Steps with ids `s0`, `s1`, … (a few reuse another's id), and sometimes a run of
/// adjacent releases of different components sharing one commit, up to past the
/// six-release limit on deploy orders.
fn steps(sizes: Sizes) -> impl Strategy<Value = Vec<Step>> {
    (
        prop::collection::vec(
            (step(sizes), prop::option::weighted(0.03, 0..6usize)),
            0..=25,
        ),
        prop::option::weighted(0.5, (0..25usize, 2..9usize, 0..8usize, prop::bool::ANY)),
    )
        .prop_map(move |(drafts, run)| {
            let mut steps: Vec<Step> = drafts
                .into_iter()
                .enumerate()
                .map(|(n, (mut step, reused))| {
                    set_id(&mut step, format!("s{}", reused.unwrap_or(n)));
                    step
                })
                .collect();
            if let Some((start, len, first, race)) = run
                && start < steps.len()
            {
                // Gather `len` releases from `start` on, moving the flips among them after.
                let mut releases = Vec::new();
                let mut flips = Vec::new();
                let mut end = start;
                while end < steps.len() && releases.len() < len {
                    match &steps[end] {
                        Step::Release { .. } => releases.push(steps[end].clone()),
                        Step::Flip { .. } => flips.push(steps[end].clone()),
                    }
                    end += 1;
                }
                for (n, step) in releases.iter_mut().enumerate() {
                    if let Step::Release {
                        component, commit, ..
                    } = step
                    {
                        *commit = Some("pr-run".to_string());
                        if sizes.components > 0 {
                            let id = COMPONENT_IDS[(first + n) % sizes.components];
                            *component = id.to_string();
                        }
                    }
                }
                // A new interface provided first and called last: safe as written, a race
                // in the orders that deploy the caller before the provider.
                if race && releases.len() >= 2 {
                    let n = releases.len();
                    for (at, fact) in [(0, Fact::provide(RACED)), (n - 1, Fact::call(RACED))] {
                        if let Step::Release { changes, .. } = &mut releases[at] {
                            changes.push(Change::Add(fact));
                        }
                    }
                }
                steps.splice(start..end, releases.into_iter().chain(flips));
            }
            steps
        })
}

fn accept() -> impl Strategy<Value = Accept> {
    (
        select(RULE_IDS),
        prop::option::weighted(0.7, (0..30usize).prop_map(|n| format!("s{n}"))),
        prop::option::weighted(0.5, key()),
        prop_oneof![Just(String::new()), Just("  ".to_string()), text()],
    )
        .prop_map(|(rule, step, key, reason)| Accept {
            rule: rule.to_string(),
            step,
            key,
            reason,
        })
}

fn plan() -> impl Strategy<Value = Plan> {
    (0..=COMPONENT_IDS.len(), 0..=TOGGLE_IDS.len()).prop_flat_map(|(components, toggles)| {
        let sizes = Sizes {
            components,
            toggles,
        };
        (
            text(),
            optional_text(),
            self::components(sizes),
            self::toggles(sizes),
            steps(sizes),
            prop::collection::vec(accept(), 0..3),
            optional_text(),
        )
            .prop_map(
                |(story, narrative, components, toggles, steps, accepted, notes)| Plan {
                    version: FORMAT_VERSION,
                    story,
                    narrative,
                    components,
                    toggles,
                    steps,
                    accepted,
                    notes,
                },
            )
    })
}

/// 512 cases unless `PROPTEST_CASES` asks for another number (a longer hunt, say).
fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(512);
    Config {
        cases,
        // Failures are shrunk and printed as RON; nothing is written next to the test.
        failure_persistence: None,
        ..Config::default()
    }
}

/// Runs the checker, turning a panic into a failure that shows the plan.
fn checked(plan: &Plan) -> Result<Report, TestCaseError> {
    catch_unwind(AssertUnwindSafe(|| check(plan))).map_err(|panic| {
        let why = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("a panic without a message");
        TestCaseError::fail(format!(
            "check panicked: {why}\n{}",
            store::to_canonical_string(plan)
        ))
    })
}

/// The order `Report::findings` documents: plan-wide first, then by step, severity, rule,
/// component and key.
fn sort_key(f: &Finding) -> impl Ord + '_ {
    (
        f.step.map_or(0, |s| s + 1),
        f.severity,
        f.rule,
        f.component.as_deref(),
        f.key.as_deref(),
    )
}

/// The article's stories, whose steps `story_reordered` shuffles, drops and commits together.
const STORIES: [&str; 3] = [
    include_str!("../assets/examples/reminders.ron"),
    include_str!("../assets/examples/cents-api.ron"),
    include_str!("../assets/examples/amount-column.ron"),
];

/// One of the stories with its steps in another order, some left out, and a pair of
/// neighbours sometimes in one commit: plans that go deep into stores, mirrors and toggles.
fn story_reordered() -> impl Strategy<Value = Plan> {
    (0..STORIES.len()).prop_flat_map(|n| {
        let plan = store::parse(Path::new("story.ron"), STORIES[n])
            .expect("a bundled story loads")
            .plan;
        let count = plan.steps.len();
        (
            Just(plan),
            Just((0..count).collect::<Vec<usize>>()).prop_shuffle(),
            prop::collection::vec(prop::bool::weighted(0.85), count),
            prop::option::weighted(0.4, 0..count.max(1)),
        )
            .prop_map(|(mut plan, order, kept, paired)| {
                let steps = std::mem::take(&mut plan.steps);
                plan.steps = order
                    .into_iter()
                    .zip(kept)
                    .filter(|&(_, keep)| keep)
                    .map(|(i, _)| steps[i].clone())
                    .collect();
                if let Some(at) = paired {
                    for step in plan.steps.iter_mut().skip(at).take(2) {
                        if let Step::Release { commit, .. } = step {
                            *commit = Some("pr-pair".to_string());
                        }
                    }
                }
                plan
            })
    })
}

/// Everything a report must be, whatever the plan: checked without a panic, one step
/// report per step, indices in range, breaks that end after they start, findings in the
/// documented order, and the same report every time.
fn report_fits(plan: &Plan) -> Result<(), TestCaseError> {
    let ron = store::to_canonical_string(plan);
    let report = checked(plan)?;
    let steps = plan.steps.len();
    prop_assert_eq!(
        report.steps.len(),
        steps,
        "one step report per step\n{}",
        ron
    );
    for f in &report.findings {
        prop_assert!(
            f.step.is_none_or(|s| s < steps),
            "step out of range: {:?}\n{}",
            f,
            ron
        );
        prop_assert!(
            f.until.is_none_or(|u| u < steps),
            "until out of range: {:?}\n{}",
            f,
            ron
        );
        if let (Rule::BrokenConsumer, Some(step), Some(until)) = (f.rule, f.step, f.until) {
            prop_assert!(
                until > step,
                "a break ends before it starts: {:?}\n{}",
                f,
                ron
            );
        }
        if let (Rule::Rollback, Some(step), Some(until)) = (f.rule, f.step, f.until) {
            prop_assert!(
                until >= step,
                "a rollback window ends before its step: {:?}\n{}",
                f,
                ron
            );
        }
    }
    for (i, s) in report.steps.iter().enumerate() {
        if let Rollback::Until(j) = s.rollback {
            prop_assert!(
                i <= j && j < steps,
                "step {} has a window until {}\n{}",
                i,
                j,
                ron
            );
        }
    }
    prop_assert!(
        report.findings.is_sorted_by_key(sort_key),
        "findings out of order: {:#?}\n{}",
        report
            .findings
            .iter()
            .map(|f| (f.step, f.severity, f.rule, &f.component, &f.key))
            .collect::<Vec<_>>(),
        ron
    );
    let again = checked(plan)?;
    prop_assert!(
        again == report,
        "checking twice gives different reports\n{}",
        ron
    );
    Ok(())
}

/// The key-group split and judging reverts only where a step reaches them are only
/// speed-ups: the plan simulated whole, judging every revert at every step, gives the same
/// report, word for word.
fn split_is_honest(plan: &Plan) -> Result<(), TestCaseError> {
    let whole = catch_unwind(AssertUnwindSafe(|| check_whole(plan)))
        .map_err(|_| TestCaseError::fail("check_whole panicked"))?;
    let reaching = catch_unwind(AssertUnwindSafe(|| check_reaching(plan)))
        .map_err(|_| TestCaseError::fail("check_reaching panicked"))?;
    for split in [checked(plan)?, reaching] {
        same_report(plan, &split, &whole)?;
    }
    Ok(())
}

fn same_report(plan: &Plan, split: &Report, whole: &Report) -> Result<(), TestCaseError> {
    if split != whole {
        let show = |r: &Report| -> Vec<String> {
            r.findings
                .iter()
                .map(|f| {
                    format!(
                        "{:?} {:?} {:?} {:?} {:?}: {} / {}",
                        f.rule, f.step, f.component, f.key, f.until, f.message, f.hint
                    )
                })
                .collect()
        };
        return Err(TestCaseError::fail(format!(
            "split and whole differ:\nsplit {:#?}\nwhole {:#?}\nsplit windows {:?}\nwhole windows {:?}\n{}",
            show(split),
            show(whole),
            split.steps.iter().map(|s| s.rollback).collect::<Vec<_>>(),
            whole.steps.iter().map(|s| s.rollback).collect::<Vec<_>>(),
            store::to_canonical_string(plan)
        )));
    }
    Ok(())
}

/// The (from, after) step numbers of a hint that says "Move [the flip] step N "…" after
/// step M "…"".
fn move_hint(hint: &str) -> Option<(usize, usize)> {
    let rest = hint.strip_prefix("Move ")?;
    let rest = rest.strip_prefix("the flip ").unwrap_or(rest);
    let number = |text: &str| -> Option<(usize, usize)> {
        let text = text.strip_prefix("step ")?;
        let digits = text.find(|c: char| !c.is_ascii_digit())?;
        Some((text[..digits].parse().ok()?, digits + 5))
    };
    let (from, used) = number(rest)?;
    let after = rest[used..].find(" after step ")?;
    let (to, _) = number(&rest[used + after + " after ".len()..])?;
    Some((from, to))
}

/// Following a move hint of a break once clears that break: the moved step no longer
/// starts a break of that component and key.
fn move_hints_fix(plan: &Plan) -> Result<(), TestCaseError> {
    let report = checked(plan)?;
    for f in &report.findings {
        if f.rule != Rule::BrokenConsumer {
            continue;
        }
        let Some((from, to)) = move_hint(&f.hint) else {
            continue;
        };
        prop_assert_eq!(
            Some(from - 1),
            f.step,
            "the hint moves another step: {}",
            &f.hint
        );
        prop_assert!(to > from, "the hint moves a step back: {}", &f.hint);
        let mut moved = plan.clone();
        let step = moved.steps.remove(from - 1);
        moved.steps.insert(to - 1, step);
        let after = checked(&moved)?;
        let still = after.findings.iter().find(|g| {
            g.rule == Rule::BrokenConsumer
                && g.step == Some(to - 1)
                && g.component == f.component
                && g.key == f.key
        });
        prop_assert!(
            still.is_none(),
            "following \"{}\" leaves {:?}\n{}",
            &f.hint,
            still,
            store::to_canonical_string(plan)
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn a_move_hint_followed_clears_its_break(plan in plan()) {
        move_hints_fix(&plan)?;
    }

    #[test]
    fn a_move_hint_in_a_reordered_story_clears_its_break(plan in story_reordered()) {
        move_hints_fix(&plan)?;
    }

    #[test]
    fn checking_key_groups_apart_gives_the_whole_plan_report(plan in plan()) {
        split_is_honest(&plan)?;
    }

    #[test]
    fn checking_a_reordered_story_apart_gives_the_whole_plan_report(plan in story_reordered()) {
        split_is_honest(&plan)?;
    }

    #[test]
    fn the_report_fits_the_plan(plan in plan()) {
        report_fits(&plan)?;
    }

    #[test]
    fn the_report_fits_a_reordered_story(plan in story_reordered()) {
        report_fits(&plan)?;
    }

    #[test]
    fn canonical_text_reads_back_to_the_same_plan(plan in plan()) {
        let ron = store::to_canonical_string(&plan);
        let loaded = match store::parse(Path::new("random.ron"), &ron) {
            Ok(loaded) => loaded,
            Err(err) => return Err(TestCaseError::fail(format!("the canonical text does not load: {err}\n{ron}"))),
        };
        // Loading trims ids and keys once; everything else reads back as written.
        let mut expected = plan.clone();
        expected.normalize();
        prop_assert!(loaded.plan == expected, "read back as a different plan: {:#?}\n{}", loaded.plan, ron);
        let again = store::to_canonical_string(&loaded.plan);
        prop_assert_eq!(again, store::to_canonical_string(&expected), "the canonical text is not stable");
    }
}
