//! What matching a pull request to a plan costs (issue 13): a generated plan of services
//! described by OpenAPI documents and web apps by pacts, and a pull request that ships
//! the next release in order (matching alone), one that ships a later release early, and
//! one that changes two components at once (both asking the checker what would break).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use storyplan::plan::{Change, Component, Fact, Kind, Plan, Source, Step};
use storyplan::verify::{Sourced, verify};

/// `services` services, each with a web app that calls it; each pair has `releases`
/// features: the service's endpoints, then the web app's calls to them.
fn plan(services: usize, releases: usize) -> Plan {
    let mut plan = Plan::new("Generated");
    for s in 0..services {
        plan.components.push(Component {
            id: format!("api{s}"),
            name: format!("API {s}"),
            kind: Kind::Service,
            repo: None,
            sources: vec![Source::OpenApi(format!("api{s}/openapi.yaml"))],
            current: vec![Fact::provide(format!("GET /s{s}/health"))],
            target: None,
        });
        plan.components.push(Component {
            id: format!("web{s}"),
            name: format!("Web {s}"),
            kind: Kind::Ui,
            repo: None,
            sources: vec![Source::Pact(format!("web{s}/pacts"))],
            current: vec![Fact::call(format!("GET /s{s}/health"))],
            target: None,
        });
    }
    for r in 0..releases {
        for s in 0..services {
            let endpoints = [format!("GET /s{s}/f{r}"), format!("POST /s{s}/f{r}")];
            plan.steps.push(release(
                format!("api{s}-f{r}"),
                format!("api{s}"),
                endpoints.iter().map(|e| Change::Add(Fact::provide(e))),
            ));
            plan.steps.push(release(
                format!("web{s}-f{r}"),
                format!("web{s}"),
                endpoints.iter().map(|e| Change::Add(Fact::call(e))),
            ));
        }
    }
    plan
}

fn release(id: String, component: String, changes: impl Iterator<Item = Change>) -> Step {
    Step::Release {
        title: id.clone(),
        id,
        component,
        changes: changes.collect(),
        commit: None,
        shipped: false,
        notes: None,
        pr: None,
    }
}

/// Every component's facts at the base: the current facts, the same for every step
/// before `shipped` applied.
fn facts_at(plan: &Plan, shipped: usize) -> Vec<Vec<Fact>> {
    plan.components
        .iter()
        .map(|c| plan.facts_before(&c.id, shipped))
        .collect()
}

/// The pull request that ships `steps` (indices) on top of the first `shipped` steps.
fn pull_request(plan: &Plan, shipped: usize, steps: &[usize]) -> (Plan, Vec<Sourced>) {
    let mut base = plan.clone();
    for step in &mut base.steps[..shipped] {
        if let Step::Release { shipped, .. } = step {
            *shipped = true;
        }
    }
    let before = facts_at(plan, shipped);
    let sourced = (0..plan.components.len())
        .map(|c| {
            let mut head = before[c].clone();
            for &s in steps {
                if plan.steps[s].component() == Some(plan.components[c].id.as_str()) {
                    for change in plan.steps[s].changes() {
                        change.apply_to(&mut head);
                    }
                }
            }
            Sourced {
                component: c,
                base: before[c].clone(),
                head,
                new_sources: Vec::new(),
            }
        })
        .collect();
    (base, sourced)
}

fn bench(c: &mut Criterion) {
    for (services, releases) in [(2, 2), (25, 4)] {
        let plan = plan(services, releases);
        let steps = plan.steps.len();
        let shipped = steps / 2;
        let name = |what: &str| {
            format!(
                "verify {what}, {} components, {steps} steps",
                plan.components.len()
            )
        };

        let (base, sourced) = pull_request(&plan, shipped, &[shipped]);
        let v = verify(&plan, Some(&base), &sourced, &[]);
        assert!(!v.has_errors(), "{:?}", v.findings);
        c.bench_function(&name("the next release"), |b| {
            b.iter(|| verify(black_box(&plan), Some(&base), black_box(&sourced), &[]))
        });

        // A web app's calls before its service's endpoints: out of order, and breaking.
        let early = shipped + 1;
        let (base, sourced) = pull_request(&plan, shipped, &[early]);
        let v = verify(&plan, Some(&base), &sourced, &[]);
        assert!(v.has_errors());
        c.bench_function(&name("a release out of order"), |b| {
            b.iter(|| verify(black_box(&plan), Some(&base), black_box(&sourced), &[]))
        });

        let (base, sourced) = pull_request(&plan, shipped, &[shipped, shipped + 1]);
        let v = verify(&plan, Some(&base), &sourced, &[]);
        assert!(v.has_errors());
        c.bench_function(&name("two releases in one pull request"), |b| {
            b.iter(|| verify(black_box(&plan), Some(&base), black_box(&sourced), &[]))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
