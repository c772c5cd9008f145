//! How the checker and the loader scale with the length of a plan, on the generated clean
//! plans of `plans`; and what the checker costs on the article's stories in the unsafe
//! orders it warns about (findings with hints, whose move hints try moves).

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group,
    criterion_main,
};
use storyplan::check::{Rollback, Rule, check};
use storyplan::plan::Plan;
use storyplan::store;

#[path = "../tests/common/entangled.rs"]
mod entangled;
mod plans;

use entangled::chain_text;
use plans::{chained_plan, clean_plan, growing_plan, growing_plan_with_targets};

const SIZES: [usize; 3] = [100, 1_000, 10_000];

/// A plan per size, checked once: a generator that makes unclean plans measures nothing.
fn plans() -> Vec<(usize, Plan, String)> {
    SIZES
        .iter()
        .map(|&n| {
            let plan = clean_plan(n);
            let report = check(&plan);
            let summary = report.summary();
            if summary.errors != 0 || summary.warnings != 0 {
                let shown: Vec<String> = report
                    .findings
                    .iter()
                    .take(20)
                    .map(|f| format!("{:?}", f))
                    .collect();
                panic!(
                    "the generated plan of {n} steps is not clean ({summary:?}):\n{}",
                    shown.join("\n")
                );
            }
            let mut windows = [0usize; 4];
            for step in &report.steps {
                windows[match step.rollback {
                    Rollback::Safe => 0,
                    Rollback::Until(_) => 1,
                    Rollback::LosesData => 2,
                    Rollback::Irreversible => 3,
                }] += 1;
            }
            eprintln!(
                "{n} steps, {} components: clean, {} infos; rollback safe/until/loses-data/irreversible = {windows:?}",
                plan.components.len(),
                summary.infos
            );
            let text = store::to_canonical_string(&plan);
            let parsed = store::parse(Path::new("generated.ron"), &text)
                .unwrap_or_else(|err| panic!("the generated plan of {n} steps does not load: {err}"));
            assert!(parsed.plan == plan, "the generated plan of {n} steps does not round-trip");
            (n, plan, text)
        })
        .collect()
}

/// Enough samples for a stable median while the whole run stays well under two minutes.
/// Each iteration takes milliseconds, so flat sampling (a fixed count per sample) fits.
fn settle(group: &mut BenchmarkGroup<'_, WallTime>, n: usize) {
    group.throughput(Throughput::Elements(n as u64));
    group.sampling_mode(SamplingMode::Flat);
    if n >= 10_000 {
        group.sample_size(10);
        group.measurement_time(Duration::from_secs(6));
    } else {
        group.sample_size(30);
        group.measurement_time(Duration::from_secs(3));
    }
}

fn benches(c: &mut Criterion) {
    let plans = plans();

    let mut group = c.benchmark_group("check");
    group.warm_up_time(Duration::from_secs(1));
    for (n, plan, _) in &plans {
        settle(&mut group, *n);
        group.bench_with_input(BenchmarkId::from_parameter(n), plan, |b, plan| {
            b.iter(|| check(black_box(plan)));
        });
    }
    group.finish();

    let mut group = c.benchmark_group("parse");
    group.warm_up_time(Duration::from_secs(1));
    for (n, _, text) in &plans {
        settle(&mut group, *n);
        group.bench_with_input(BenchmarkId::from_parameter(n), text, |b, text| {
            b.iter(|| store::parse(Path::new("generated.ron"), black_box(text)).map(|l| l.plan));
        });
    }
    group.finish();
}

/// The article's stories in unsafe orders: (name, story, order of its step ids).
const UNSAFE: [(&str, &str, &[&str]); 3] = [
    (
        "reminders-flip-first",
        include_str!("../assets/examples/reminders.ron"),
        &["ui-hidden", "enable", "endpoints", "table", "cleanup"],
    ),
    (
        "cents-api-contract-first",
        include_str!("../assets/examples/cents-api.ron"),
        &["expand", "contract", "migrate"],
    ),
    (
        "amount-column-expand-first",
        include_str!("../assets/examples/amount-column.ron"),
        &["expand", "double-write", "contract", "migrate"],
    ),
];

fn unsafe_orders(c: &mut Criterion) {
    let mut group = c.benchmark_group("check_unsafe");
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(2));
    for (name, text, order) in UNSAFE {
        let mut plan = store::parse(Path::new("story.ron"), text)
            .unwrap_or_else(|err| panic!("the story {name} does not load: {err}"))
            .plan;
        let steps = std::mem::take(&mut plan.steps);
        plan.steps = order
            .iter()
            .filter_map(|id| steps.iter().find(|s| s.id() == *id).cloned())
            .collect();
        assert_eq!(plan.steps.len(), steps.len(), "{name} names every step");
        let errors = check(&plan).summary().errors;
        assert!(errors > 0, "{name} is meant to be unsafe");
        group.bench_function(name, |b| b.iter(|| check(black_box(&plan))));
    }
    group.finish();
}

/// The shape where components keep growing: time and memory must stay linear in the steps
/// (800 and 8,000 steps: ×10 steps, about ×10 time).
fn growing(c: &mut Criterion) {
    let mut group = c.benchmark_group("check_growing");
    group.warm_up_time(Duration::from_secs(1));
    for n in [800, 8_000] {
        let plan = growing_plan(n);
        assert_eq!(
            check(&plan).summary().errors,
            0,
            "the growing plan is clean"
        );
        settle(&mut group, n);
        group.bench_with_input(BenchmarkId::from_parameter(n), &plan, |b, plan| {
            b.iter(|| check(black_box(plan)));
        });
    }
    group.finish();
}

/// The growing plan with targets of 400 and 4,000 facts per component, which its steps
/// reach: comparing a component's end with its target stays linear.
fn targets(c: &mut Criterion) {
    let mut group = c.benchmark_group("check_targets");
    group.warm_up_time(Duration::from_secs(1));
    for n in [800, 8_000] {
        let plan = growing_plan_with_targets(n);
        let report = check(&plan);
        assert!(
            report
                .findings
                .iter()
                .all(|f| f.rule != Rule::TargetNotReached),
            "the growing plan reaches its targets"
        );
        settle(&mut group, n);
        group.bench_with_input(BenchmarkId::from_parameter(n), &plan, |b, plan| {
            b.iter(|| check(black_box(plan)));
        });
    }
    group.finish();
}

/// One cluster that keeps growing (200 and 2,000 steps): every step's rollback window
/// spans the rest of the cluster, where judging each revert at each later step was cubic.
fn chained(c: &mut Criterion) {
    let mut group = c.benchmark_group("check_one_cluster");
    group.warm_up_time(Duration::from_secs(1));
    for n in [200, 2_000] {
        let plan = chained_plan(n);
        let summary = check(&plan).summary();
        assert_eq!(
            (summary.errors, summary.infos),
            (n / 2, n / 2),
            "each call breaks until its provider ships, and each provider's revert breaks it"
        );
        group.throughput(Throughput::Elements(n as u64));
        group.sampling_mode(SamplingMode::Flat);
        group.sample_size(10);
        group.bench_with_input(BenchmarkId::from_parameter(n), &plan, |b, plan| {
            b.iter(|| check(black_box(plan)));
        });
    }
    group.finish();
}

/// A 600 KB plan whose story is 300,000 `\t` escapes, and one of 120,000 `\u{…}`
/// escapes: parsing stays linear in the file whatever its strings hold.
fn escapes(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse_escapes");
    group.warm_up_time(Duration::from_secs(1));
    group.sample_size(20);
    for (name, escape, count) in [("tabs", "\\t", 300_000), ("unicode", "\\u{1F600}", 120_000)] {
        let text = format!(
            "Plan(version: 1, story: \"{}\", components: [], steps: [])",
            escape.repeat(count)
        );
        let loaded = store::parse(Path::new("escapes.ron"), &text)
            .unwrap_or_else(|err| panic!("the {name} plan does not load: {err}"));
        assert_eq!(loaded.plan.story.chars().count(), count);
        group.bench_function(name, |b| {
            b.iter(|| store::parse(Path::new("escapes.ron"), black_box(&text)).map(|l| l.plan))
        });
    }
    group.finish();
}

/// A megabyte of steps that all act on one chain of keys, whose check would take seconds:
/// refused as it is read, in time linear in the file.
fn one_chain(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse_entangled");
    group.warm_up_time(Duration::from_secs(1));
    group.sample_size(20);
    let (text, _) = chain_text(1_000_000);
    let refused = store::parse(Path::new("chain.ron"), &text).is_err();
    assert!(refused, "a megabyte of one chain is refused");
    group.bench_function("1mb", |b| {
        b.iter(|| store::parse(Path::new("chain.ron"), black_box(&text)).is_err())
    });
    group.finish();
}

criterion_group!(
    bench,
    benches,
    unsafe_orders,
    growing,
    targets,
    chained,
    escapes,
    one_chain
);
criterion_main!(bench);
