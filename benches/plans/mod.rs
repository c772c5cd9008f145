//! Clean plans of any length for the benchmarks, made of the story shapes the checker is
//! for: expand / migrate / contract of an endpoint, a pre-emptive double write that moves
//! a store, and a feature behind a toggle. Chains are grouped in fours around one shared
//! database, and the steps of a group interleave, so clusters hold several components and
//! the store, mirror, commit and rollback logic all run.

// Each bench uses the parts it needs.
#![allow(dead_code)]

use storyplan::plan::{Change, Component, Fact, Kind, Plan, Step, Switch, Toggle};

const CHAINS_PER_GROUP: usize = 4;

/// The three story shapes, by how many steps each takes.
#[derive(Clone, Copy)]
enum Shape {
    /// Expand, migrate, contract of `GET /things/{i} v1` → `v2`: 3 steps.
    Endpoint,
    /// Double write, expand with backfill, migrate, contract of `t{i}.old` → `t{i}.new`: 4 steps.
    Store,
    /// A notes feature behind toggle `notes-{i}`, outside-in, then the toggle removed: 5 steps.
    Feature,
}

impl Shape {
    fn steps(self) -> usize {
        match self {
            Shape::Endpoint => 3,
            Shape::Store => 4,
            Shape::Feature => 5,
        }
    }
}

/// One full group: an endpoint chain, a store chain, another endpoint chain, a feature.
const GROUP: [Shape; CHAINS_PER_GROUP] = [
    Shape::Endpoint,
    Shape::Store,
    Shape::Endpoint,
    Shape::Feature,
];

/// Shapes whose steps add up to exactly `steps` (any `steps` of 3 or more).
fn shapes_for(steps: usize) -> Vec<Shape> {
    assert!(
        steps >= 3,
        "a generated plan has at least one chain of 3 steps"
    );
    let per_group: usize = GROUP.iter().map(|s| s.steps()).sum();
    let mut groups = steps / per_group;
    let mut rest = steps % per_group;
    // 1 or 2 steps left over cannot form a chain: fold one full group into the rest.
    if rest < 3 && groups > 0 {
        groups -= 1;
        rest += per_group;
    }
    let mut shapes: Vec<Shape> = GROUP
        .iter()
        .copied()
        .cycle()
        .take(groups * GROUP.len())
        .collect();
    while rest >= 8 {
        shapes.push(Shape::Store);
        rest -= 4;
    }
    match rest {
        0 => {}
        3 => shapes.push(Shape::Endpoint),
        4 => shapes.push(Shape::Store),
        5 => shapes.push(Shape::Feature),
        6 => shapes.extend([Shape::Endpoint, Shape::Endpoint]),
        7 => shapes.extend([Shape::Endpoint, Shape::Store]),
        _ => unreachable!("{rest} steps left over"),
    }
    shapes
}

/// What one chain contributes to the plan; its steps come in units that deploy together.
struct Chain {
    components: Vec<Component>,
    /// The chain's part of the shared database: current and target facts.
    db_current: Vec<Fact>,
    db_target: Vec<Fact>,
    toggles: Vec<Toggle>,
    /// Steps in order; a unit of several steps is one commit and stays adjacent.
    units: Vec<Vec<Step>>,
}

pub fn component(id: String, kind: Kind, current: Vec<Fact>, target: Vec<Fact>) -> Component {
    Component {
        name: format!("The {id}"),
        id,
        kind,
        repo: Some("monorepo".to_string()),
        sources: Vec::new(),
        current,
        target: Some(target),
    }
}

fn release(id: String, component: &str, changes: Vec<Change>) -> Step {
    Step::Release {
        title: format!("Release {id}"),
        id,
        component: component.to_string(),
        changes,
        commit: None,
        shipped: false,
        notes: None,
        pr: None,
    }
}

fn in_commit(mut step: Step, label: &str) -> Step {
    if let Step::Release { commit, .. } = &mut step {
        *commit = Some(label.to_string());
    }
    step
}

fn chain(i: usize, shape: Shape, db: &str) -> Chain {
    let svc = format!("svc-{i}");
    let web = format!("web-{i}");
    let old = format!("t{i}.old");
    match shape {
        Shape::Endpoint => {
            let v1 = format!("GET /things/{i} v1");
            let v2 = format!("GET /things/{i} v2");
            let read_for = |interface: &str| Fact::read(&old).serving(interface);
            Chain {
                components: vec![
                    component(
                        svc.clone(),
                        Kind::Service,
                        vec![Fact::provide(&v1), read_for(&v1)],
                        vec![Fact::provide(&v2), read_for(&v2)],
                    ),
                    component(
                        web.clone(),
                        Kind::Ui,
                        vec![Fact::call(&v1)],
                        vec![Fact::call(&v2)],
                    ),
                ],
                db_current: vec![Fact::provide(&old)],
                db_target: vec![Fact::provide(&old)],
                toggles: Vec::new(),
                units: vec![
                    vec![release(
                        format!("expand-{i}"),
                        &svc,
                        vec![Change::Add(Fact::provide(&v2)), Change::Add(read_for(&v2))],
                    )],
                    vec![release(
                        format!("migrate-{i}"),
                        &web,
                        vec![
                            Change::Remove(Fact::call(&v1)),
                            Change::Add(Fact::call(&v2)),
                        ],
                    )],
                    vec![release(
                        format!("contract-{i}"),
                        &svc,
                        vec![Change::Remove(Fact::provide(&v1))],
                    )],
                ],
            }
        }
        Shape::Store => {
            let new = format!("t{i}.new");
            let post = format!("POST /things/{i}");
            let get = format!("GET /things/{i}");
            Chain {
                components: vec![
                    component(
                        svc.clone(),
                        Kind::Service,
                        vec![
                            Fact::provide(&post),
                            Fact::write(&old).serving(&post),
                            Fact::provide(&get),
                            Fact::read(&old).serving(&get),
                        ],
                        vec![
                            Fact::provide(&post),
                            Fact::write(&new).serving(&post),
                            Fact::provide(&get),
                            Fact::read(&new).serving(&get),
                        ],
                    ),
                    component(
                        web.clone(),
                        Kind::Ui,
                        vec![Fact::call(&post), Fact::call(&get)],
                        vec![Fact::call(&post), Fact::call(&get)],
                    ),
                ],
                db_current: vec![Fact::provide(&old)],
                db_target: vec![Fact::provide(&new)],
                toggles: Vec::new(),
                units: vec![
                    vec![release(
                        format!("double-write-{i}"),
                        &svc,
                        vec![Change::Add(Fact::write(&new).tolerant().serving(&post))],
                    )],
                    vec![release(
                        format!("add-store-{i}"),
                        db,
                        vec![
                            Change::Add(Fact::provide(&new)),
                            Change::Backfill {
                                into: new.clone(),
                                from: old.clone(),
                            },
                        ],
                    )],
                    vec![release(
                        format!("move-{i}"),
                        &svc,
                        vec![
                            Change::Remove(Fact::write(&old)),
                            Change::Remove(Fact::write(&new)),
                            Change::Add(Fact::write(&new).serving(&post)),
                            Change::Remove(Fact::read(&old)),
                            Change::Add(Fact::read(&new).serving(&get)),
                        ],
                    )],
                    vec![release(
                        format!("drop-store-{i}"),
                        db,
                        vec![Change::Remove(Fact::provide(&old))],
                    )],
                ],
            }
        }
        Shape::Feature => {
            let get = format!("GET /things/{i}");
            let notes = format!("POST /things/{i}/notes");
            let table = format!("t{i}.notes");
            let toggle = format!("notes-{i}");
            let commit = format!("pr-notes-{i}");
            Chain {
                components: vec![
                    component(
                        svc.clone(),
                        Kind::Service,
                        vec![Fact::provide(&get), Fact::read(&old).serving(&get)],
                        vec![
                            Fact::provide(&get),
                            Fact::read(&old).serving(&get),
                            Fact::provide(&notes),
                            Fact::write(&table).serving(&notes),
                        ],
                    ),
                    component(
                        web.clone(),
                        Kind::Ui,
                        vec![Fact::call(&get)],
                        vec![Fact::call(&get), Fact::call(&notes)],
                    ),
                ],
                db_current: vec![Fact::provide(&old)],
                db_target: vec![Fact::provide(&old), Fact::provide(&table)],
                toggles: vec![Toggle {
                    id: toggle.clone(),
                    initially: Switch::Off,
                }],
                units: vec![
                    vec![release(
                        format!("hidden-ui-{i}"),
                        &web,
                        vec![Change::Add(Fact::call(&notes).gated(&toggle))],
                    )],
                    // The endpoint's writes stay dormant while the toggle is off, so the
                    // endpoint and its table can ship in one commit, in either order.
                    vec![
                        in_commit(
                            release(
                                format!("endpoint-{i}"),
                                &svc,
                                vec![
                                    Change::Add(Fact::provide(&notes)),
                                    Change::Add(Fact::write(&table).serving(&notes)),
                                ],
                            ),
                            &commit,
                        ),
                        in_commit(
                            release(
                                format!("table-{i}"),
                                db,
                                vec![Change::Add(Fact::provide(&table))],
                            ),
                            &commit,
                        ),
                    ],
                    vec![Step::Flip {
                        id: format!("enable-{i}"),
                        toggle: toggle.clone(),
                        to: Switch::On,
                        title: format!("Turn notes {i} on"),
                        shipped: false,
                        notes: None,
                    }],
                    vec![release(
                        format!("clean-up-{i}"),
                        &web,
                        vec![Change::Ungate(toggle)],
                    )],
                ],
            }
        }
    }
}

/// A clean plan of exactly `steps` steps.
pub fn clean_plan(steps: usize) -> Plan {
    let mut plan = Plan::new(format!("A generated story of {steps} steps"));
    let shapes = shapes_for(steps);
    for (g, group) in shapes.chunks(CHAINS_PER_GROUP).enumerate() {
        let db = format!("db-{g}");
        let chains: Vec<Chain> = group
            .iter()
            .enumerate()
            .map(|(n, &shape)| chain(g * CHAINS_PER_GROUP + n, shape, &db))
            .collect();
        let mut db_current = Vec::new();
        let mut db_target = Vec::new();
        let mut queues: Vec<std::vec::IntoIter<Vec<Step>>> = Vec::new();
        for chain in chains {
            plan.components.extend(chain.components);
            plan.toggles.extend(chain.toggles);
            db_current.extend(chain.db_current);
            db_target.extend(chain.db_target);
            queues.push(chain.units.into_iter());
        }
        plan.components
            .push(component(db, Kind::Database, db_current, db_target));
        // Round robin over the group's chains: each chain keeps its own order.
        loop {
            let mut any = false;
            for queue in &mut queues {
                if let Some(unit) = queue.next() {
                    plan.steps.extend(unit);
                    any = true;
                }
            }
            if !any {
                break;
            }
        }
    }
    assert_eq!(plan.steps.len(), steps);
    plan
}

/// Two components that keep growing: a service provides `GET /kN` and a web app calls it,
/// step after step. Every step adds a fact, so a checker that kept each step's facts would
/// grow with the square of the steps.
pub fn growing_plan(steps: usize) -> Plan {
    let releases = (0..steps)
        .map(|i| {
            let key = format!("GET /k{}", i / 2);
            if i % 2 == 0 {
                release(
                    format!("p{i}"),
                    "api",
                    vec![Change::Add(Fact::provide(key))],
                )
            } else {
                release(format!("c{i}"), "web", vec![Change::Add(Fact::call(key))])
            }
        })
        .collect();
    web_and_api("Growing components", releases)
}

/// `growing_plan` whose components' targets are the facts its steps reach: a checker
/// that compared the end with the target fact by fact would grow with the square of the
/// steps.
pub fn growing_plan_with_targets(steps: usize) -> Plan {
    let mut plan = growing_plan(steps);
    let (calls, provides) = (steps / 2, steps.div_ceil(2));
    let keys = |n: usize, fact: fn(String) -> Fact| (0..n).map(move |k| fact(format!("GET /k{k}")));
    plan.components[0].target = Some(keys(calls, Fact::call).collect());
    plan.components[1].target = Some(keys(provides, Fact::provide).collect());
    plan
}

/// A plan of `web` (a Ui) and `api` (a Service), neither with facts before `steps`.
fn web_and_api(story: &str, steps: Vec<Step>) -> Plan {
    Plan {
        components: vec![
            component("web".into(), Kind::Ui, Vec::new(), Vec::new()),
            component("api".into(), Kind::Service, Vec::new(), Vec::new()),
        ],
        steps,
        ..Plan::new(story)
    }
}

/// One cluster that keeps growing: `web` releases calls of `GET /k{i}`, each release also
/// serving the next key under the last one (so every key joins one cluster), and `api`
/// provides the keys in the second half. A revert of a call harms nothing until the end,
/// so its window spans the rest of the cluster: the shape that shows what judging reverts
/// costs.
pub fn chained_plan(steps: usize) -> Plan {
    let half = steps / 2;
    let releases = (0..steps)
        .map(|i| {
            if i < half {
                let changes = vec![
                    Change::Add(Fact::call(format!("GET /k{i}"))),
                    Change::Add(
                        Fact::call(format!("GET /k{}", i + 1)).serving(format!("GET /k{i}")),
                    ),
                ];
                release(format!("u{i}"), "web", changes)
            } else {
                let key = format!("GET /k{}", i - half);
                release(
                    format!("p{i}"),
                    "api",
                    vec![Change::Add(Fact::provide(key))],
                )
            }
        })
        .collect();
    web_and_api("One growing cluster", releases)
}
