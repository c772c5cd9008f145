//! What `fix` costs (issue 14's budgets): the article's stories in the unsafe orders the
//! checker's tests name (under 50 ms each), plans of 12 steps searched to the proven best
//! order (under 200 ms), and a shuffled plan of 50 steps (within the 1 s limit). Each case
//! prints, once, the checker's work per search: whole-plan checks and steps simulated.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use storyplan::compose::fix::{Fixed, fix, reordered};
use storyplan::plan::{Access, Change, Fact, Kind, Plan, Step, Switch, Toggle};
use storyplan::store;

mod plans;

use plans::{chained_plan, clean_plan, growing_plan};

/// The time limit `storyplan fix` uses.
const LIMIT: Duration = Duration::from_secs(1);

/// The article's stories in unsafe orders: (name, story, order of its step ids).
const UNSAFE: [(&str, &str, &[&str]); 6] = [
    (
        "reminders-flip-before-table",
        include_str!("../assets/examples/reminders.ron"),
        &["ui-hidden", "endpoints", "enable", "table", "cleanup"],
    ),
    (
        "reminders-flip-first",
        include_str!("../assets/examples/reminders.ron"),
        &["ui-hidden", "enable", "endpoints", "table", "cleanup"],
    ),
    (
        "cents-api-migrate-first",
        include_str!("../assets/examples/cents-api.ron"),
        &["migrate", "expand", "contract"],
    ),
    (
        "cents-api-contract-first",
        include_str!("../assets/examples/cents-api.ron"),
        &["expand", "contract", "migrate"],
    ),
    (
        "amount-column-expand-first",
        include_str!("../assets/examples/amount-column.ron"),
        &["expand", "double-write", "migrate", "contract"],
    ),
    (
        "amount-column-contract-first",
        include_str!("../assets/examples/amount-column.ron"),
        &["double-write", "expand", "contract", "migrate"],
    ),
];

fn story(name: &str, text: &str, order: &[&str]) -> Plan {
    let plan = store::parse(Path::new("story.ron"), text)
        .unwrap_or_else(|err| panic!("the story {name} does not load: {err}"))
        .plan;
    let indices: Vec<usize> = order.iter().filter_map(|id| plan.step_index(id)).collect();
    assert_eq!(indices.len(), plan.steps.len(), "{name} names every step");
    reordered(&plan, &indices)
}

/// A fixed shuffle: the steps dealt into `hands` piles, read back pile after pile.
fn dealt(plan: &Plan, hands: usize) -> Plan {
    let n = plan.steps.len();
    let order: Vec<usize> = (0..hands).flat_map(|h| (h..n).step_by(hands)).collect();
    reordered(plan, &order)
}

/// A fixed shuffle: a linear congruential sequence from `seed` sorts the steps.
fn shuffled(plan: &Plan, seed: u64) -> Plan {
    let mut state = seed;
    let mut keyed: Vec<(u64, usize)> = (0..plan.steps.len())
        .map(|i| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33, i)
        })
        .collect();
    keyed.sort_unstable();
    let order: Vec<usize> = keyed.into_iter().map(|(_, i)| i).collect();
    reordered(plan, &order)
}

/// Numbers from a linear congruential sequence.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as usize % sides
    }

    fn fact(&mut self) -> Fact {
        const INTERFACES: [&str; 3] = ["GET /a", "POST /a", "GET /b"];
        const STORES: [&str; 3] = ["t.old", "t.new", "users"];
        let interface = INTERFACES[self.roll(3)];
        let store = STORES[self.roll(3)];
        let mut fact = match self.roll(5) {
            0 => Fact::provide(interface),
            1 => Fact::provide(store),
            2 => Fact::call(interface),
            3 => Fact::read(store),
            _ => Fact::write(store),
        };
        if fact.access != Access::Provide && self.roll(7) == 0 {
            fact = fact.tolerant();
        }
        if self.roll(7) == 0 {
            fact = fact.gated(if self.roll(2) == 0 { "t1" } else { "t2" });
        }
        if self.roll(3) == 0 {
            fact = fact.serving(INTERFACES[self.roll(3)]);
        }
        fact
    }
}

/// Twelve steps of random facts over three interfaces and three stores, a few flips of
/// two toggles, and now and then a commit.
fn tangled(seed: u64) -> Plan {
    let mut dice = Dice(seed);
    let mut plan = Plan::new("Tangled");
    for (id, kind) in [
        ("web", Kind::Ui),
        ("api", Kind::Service),
        ("db", Kind::Database),
        ("worker", Kind::Service),
    ] {
        let current = (0..dice.roll(3)).map(|_| dice.fact()).collect();
        let mut component = plans::component(id.into(), kind, current, Vec::new());
        component.target = None;
        plan.components.push(component);
    }
    for id in ["t1", "t2"] {
        plan.toggles.push(Toggle {
            id: id.into(),
            initially: Switch::Off,
        });
    }
    for i in 0..12 {
        let step = if dice.roll(5) == 0 {
            Step::Flip {
                id: format!("s{i}"),
                toggle: if dice.roll(2) == 0 { "t1" } else { "t2" }.into(),
                to: if dice.roll(2) == 0 {
                    Switch::On
                } else {
                    Switch::Off
                },
                title: format!("Flip {i}"),
                shipped: false,
                notes: None,
            }
        } else {
            let changes = (0..1 + dice.roll(3))
                .map(|_| match dice.roll(10) {
                    0..=5 => Change::Add(dice.fact()),
                    6..=8 => Change::Remove(dice.fact()),
                    _ => Change::Backfill {
                        into: "t.new".into(),
                        from: "t.old".into(),
                    },
                })
                .collect();
            Step::Release {
                id: format!("s{i}"),
                component: ["web", "api", "db", "worker"][dice.roll(4)].into(),
                title: format!("Release {i}"),
                changes,
                commit: (dice.roll(8) == 0).then(|| "pr-1".to_string()),
                shipped: false,
                notes: None,
                pr: None,
            }
        };
        plan.steps.push(step);
    }
    plan
}

fn reversed(plan: &Plan) -> Plan {
    let order: Vec<usize> = (0..plan.steps.len()).rev().collect();
    reordered(plan, &order)
}

/// Runs `fix` once and says what it found and what it cost.
fn report(name: &str, plan: &Plan) -> Fixed {
    let fixed = fix(plan, LIMIT);
    eprintln!(
        "{name}: {} steps, {} -> {} errors, {} swaps, found {}, minimal {}; {} checks, {} steps simulated",
        plan.steps.len(),
        fixed.before.errors,
        fixed.after.errors,
        fixed.swaps,
        fixed.found,
        fixed.minimal,
        fixed.checks,
        fixed.simulated
    );
    fixed
}

fn unsafe_orders(c: &mut Criterion) {
    let mut group = c.benchmark_group("fix_unsafe");
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(2));
    for (name, text, order) in UNSAFE {
        let plan = story(name, text, order);
        let fixed = report(name, &plan);
        assert!(fixed.found && fixed.minimal, "{name} is fixed, provably");
        group.bench_function(name, |b| b.iter(|| fix(black_box(&plan), LIMIT)));
    }
    group.finish();
}

/// Plans of 12 steps the search must prove: generated stories (stores moved, endpoints
/// changed, a feature behind a toggle with a commit) reversed or shuffled, stores moved
/// without their double writes (no order is clean, so every order must be ruled out),
/// consumers written before their providers, one cluster of chained calls, and tangled
/// plans of random facts over a few keys (one cluster, many errors in every order).
fn twelve(c: &mut Criterion) {
    let mut no_double_writes = clean_plan(16);
    no_double_writes
        .steps
        .retain(|s| !s.id().starts_with("double-write"));
    let mut mixed = clean_plan(15);
    mixed.steps.truncate(12);
    let cases = [
        ("stores-reversed", reversed(&clean_plan(12))),
        ("stores-shuffled", shuffled(&clean_plan(12), 7)),
        ("mixed-reversed", reversed(&mixed)),
        ("mixed-shuffled", shuffled(&mixed, 11)),
        ("stores-without-double-writes", reversed(&no_double_writes)),
        ("consumers-first", reversed(&growing_plan(12))),
        ("one-cluster", chained_plan(12)),
        ("tangled-1", tangled(1)),
        ("tangled-2", tangled(2)),
        ("tangled-3", tangled(3)),
    ];
    let mut group = c.benchmark_group("fix_12");
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    group.sample_size(20);
    for (name, plan) in &cases {
        assert_eq!(plan.steps.len(), 12, "{name}");
        let fixed = report(name, plan);
        assert!(fixed.minimal, "{name} is searched to the end");
        group.bench_function(*name, |b| b.iter(|| fix(black_box(plan), LIMIT)));
    }
    group.finish();
}

/// A generated story of 50 steps dealt into 5 piles: far from any clean order.
fn fifty(c: &mut Criterion) {
    let plan = dealt(&clean_plan(50), 5);
    report("fifty-dealt", &plan);
    let mut group = c.benchmark_group("fix_50");
    group.warm_up_time(Duration::from_secs(1));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(12));
    group.bench_function("dealt", |b| b.iter(|| fix(black_box(&plan), LIMIT)));
    group.finish();
}

criterion_group!(bench, unsafe_orders, twelve, fifty);
criterion_main!(bench);
