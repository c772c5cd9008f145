//! How long drafting the steps from the targets takes: the board drafts on a key press,
//! so a plan of 20 components must draft well under 50 ms.
//!
//! The plans are generated: groups of a UI, a service, a job and a database, where the
//! service's read endpoint moves from v1 to v2 (the UI follows, expand / migrate /
//! contract), its store moves from `old` to `new` (the job reads it: a pre-emptive
//! double write), or both. The plans have targets and no steps; each is drafted once
//! and checked before it is measured: a draft that is not safe measures nothing.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use storyplan::check::check;
use storyplan::compose::draft::draft;
use storyplan::plan::{Component, Fact, Kind, Plan};

mod plans;

use plans::component;

const SIZES: [usize; 2] = [20, 100];
const PER_GROUP: usize = 4;

#[derive(Clone, Copy)]
enum Change {
    Endpoint,
    Store,
    Both,
}

fn group(g: usize, change: Change) -> Vec<Component> {
    let (v1, v2) = (format!("GET /things/{g} v1"), format!("GET /things/{g} v2"));
    let post = format!("POST /things/{g}");
    let (old, new) = (format!("t{g}.old"), format!("t{g}.new"));
    let (endpoint, store) = match change {
        Change::Endpoint => (true, false),
        Change::Store => (false, true),
        Change::Both => (true, true),
    };
    let get_to = if endpoint { &v2 } else { &v1 };
    let data_to = if store { &new } else { &old };
    vec![
        component(
            format!("web-{g}"),
            Kind::Ui,
            vec![Fact::call(&v1), Fact::call(&post)],
            vec![Fact::call(get_to), Fact::call(&post)],
        ),
        component(
            format!("svc-{g}"),
            Kind::Service,
            vec![
                Fact::provide(&v1),
                Fact::read(&old).serving(&v1),
                Fact::provide(&post),
                Fact::write(&old).serving(&post),
            ],
            vec![
                Fact::provide(get_to),
                Fact::read(data_to).serving(get_to),
                Fact::provide(&post),
                Fact::write(data_to).serving(&post),
            ],
        ),
        component(
            format!("job-{g}"),
            Kind::Job,
            vec![Fact::read(&old)],
            vec![Fact::read(data_to)],
        ),
        component(
            format!("db-{g}"),
            Kind::Database,
            vec![Fact::provide(&old)],
            vec![Fact::provide(data_to)],
        ),
    ]
}

/// A plan of `n` components (a multiple of 4) with targets and no steps.
fn plan(n: usize) -> Plan {
    let changes = [Change::Both, Change::Endpoint, Change::Store];
    Plan {
        components: (0..n / PER_GROUP)
            .flat_map(|g| group(g, changes[g % changes.len()]))
            .collect(),
        ..Plan::new(format!("A generated story of {n} components"))
    }
}

/// The same groups around one shared database (and a second UI for some groups, to
/// make up `n`): one cluster, so every check the greedy order makes simulates the whole
/// plan — the worst case for the oracle.
fn shared(n: usize) -> Plan {
    let groups = (n - 1) / (PER_GROUP - 1);
    let mut plan = plan(groups * PER_GROUP);
    let mut current = Vec::new();
    let mut target = Vec::new();
    plan.components.retain(|c| {
        if c.kind != Kind::Database {
            return true;
        }
        current.extend(c.current.iter().cloned());
        target.extend(c.target.iter().flatten().cloned());
        false
    });
    for k in 0..(n - 1 - groups * (PER_GROUP - 1)) {
        let web = &plan.components[k * (PER_GROUP - 1)];
        let mut admin = web.clone();
        admin.id = format!("admin-{k}");
        plan.components.push(admin);
    }
    plan.components
        .push(component("db".into(), Kind::Database, current, target));
    plan
}

/// Drafts once and insists the draft is safe and reaches every target.
fn checked(n: usize, plan: Plan) -> Plan {
    let drafted = draft(&plan);
    let mut out = plan.clone();
    drafted.append_to(&mut out);
    let report = check(&out);
    let summary = report.summary();
    assert!(
        summary.errors == 0 && summary.warnings == 0 && drafted.notes.is_empty(),
        "the draft for {n} components is not clean ({summary:?}): {:#?}\n{:#?}",
        drafted.notes,
        report.findings
    );
    assert_eq!(plan.components.len(), n);
    eprintln!(
        "{n} components: {} drafted steps, clean, every target reached",
        drafted.steps.len()
    );
    plan
}

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("draft");
    group.warm_up_time(Duration::from_secs(1));
    group.sampling_mode(SamplingMode::Flat);
    for n in SIZES {
        for (shape, plan) in [("groups", plan(n)), ("one-db", shared(n))] {
            let plan = checked(n, plan);
            group.sample_size(if n <= 20 { 50 } else { 20 });
            group.measurement_time(Duration::from_secs(if n <= 20 { 4 } else { 8 }));
            group.bench_with_input(BenchmarkId::new(shape, n), &plan, |b, plan| {
                b.iter(|| draft(black_box(plan)));
            });
        }
    }
    group.finish();
}

criterion_group!(bench, benches);
criterion_main!(bench);
