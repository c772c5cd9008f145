//! Each rule on a small plan built in code: the exact findings (rule, step, key, until).

use storyplan::check::{Report, Rollback, Rule, Severity, check};
use storyplan::plan::{Accept, Change, Component, Fact, Kind, Step, Switch, Toggle};

mod common;

use common::{component, flip, plan, release};

/// (rule, step index, key, until) of a finding.
type Found<'r> = (Rule, Option<usize>, Option<&'r str>, Option<usize>);

/// Every finding but rollback infos.
fn found(report: &Report) -> Vec<Found<'_>> {
    report
        .findings
        .iter()
        .filter(|f| f.rule != Rule::Rollback)
        .map(|f| (f.rule, f.step, f.key.as_deref(), f.until))
        .collect()
}

fn db(id: &str, stores: &[&str]) -> Component {
    component(
        id,
        Kind::Database,
        stores.iter().map(|s| Fact::provide(*s)).collect(),
    )
}

#[test]
fn services_that_only_serve_each_other_stay_dormant() {
    // a serves "A" by calling "B"; b serves "B" by calling "A" and writing a store that
    // does not exist. Nobody outside the cycle calls either, so nothing is active.
    let p = plan(
        vec![
            component(
                "a",
                Kind::Service,
                vec![Fact::provide("A"), Fact::call("B").serving("A")],
            ),
            component(
                "b",
                Kind::Service,
                vec![
                    Fact::provide("B"),
                    Fact::call("A").serving("B"),
                    Fact::write("missing").serving("B"),
                ],
            ),
        ],
        vec![],
    );
    assert_eq!(found(&check(&p)), vec![]);
}

#[test]
fn activity_chains_through_services_to_the_store() {
    let p = plan(
        vec![
            component("web", Kind::Ui, vec![]),
            component(
                "api",
                Kind::Service,
                vec![
                    Fact::provide("GET /a"),
                    Fact::call("GET /b").serving("GET /a"),
                ],
            ),
            component(
                "svc",
                Kind::Service,
                vec![
                    Fact::provide("GET /b"),
                    Fact::read("rows").serving("GET /b"),
                ],
            ),
            db("db", &[]),
        ],
        vec![
            release("ui", "web", vec![Change::Add(Fact::call("GET /a"))]),
            release("table", "db", vec![Change::Add(Fact::provide("rows"))]),
        ],
    );
    let report = check(&p);
    assert_eq!(
        found(&report),
        vec![(Rule::BrokenConsumer, Some(0), Some("rows"), Some(1))]
    );
    assert_eq!(report.findings[0].component.as_deref(), Some("svc"));
    assert_eq!(report.broken_at(0).collect::<Vec<_>>(), vec!["svc"]);
    assert_eq!(report.broken_at(1).count(), 0);
}

#[test]
fn a_break_in_the_current_state_has_no_step() {
    let p = plan(
        vec![
            component("web", Kind::Ui, vec![Fact::call("GET /a")]),
            component("api", Kind::Service, vec![]),
        ],
        vec![release(
            "fix",
            "api",
            vec![Change::Add(Fact::provide("GET /a"))],
        )],
    );
    let report = check(&p);
    assert_eq!(
        found(&report),
        vec![(Rule::BrokenConsumer, None, Some("GET /a"), Some(0))]
    );
    // Reverting the fix breaks the consumer again at once.
    assert_eq!(report.steps[0].rollback, Rollback::Until(0));
}

#[test]
fn a_key_nothing_provides_gets_a_did_you_mean() {
    let p = plan(
        vec![
            component("web", Kind::Ui, vec![]),
            component("api", Kind::Service, vec![Fact::provide("GET /user/{id}")]),
        ],
        vec![release(
            "ui",
            "web",
            vec![Change::Add(Fact::call("GET /users/{id}"))],
        )],
    );
    let report = check(&p);
    assert_eq!(
        found(&report),
        vec![(Rule::BrokenConsumer, Some(0), Some("GET /users/{id}"), None)]
    );
    assert_eq!(
        report.findings[0].hint,
        "Nothing in the plan provides \"GET /users/{id}\": did you mean \"GET /user/{id}\"? \
         Otherwise add a release that provides \"GET /users/{id}\" before step 1 \"ui\"."
    );
}

#[test]
fn removing_a_provider_still_in_use_says_to_migrate_first() {
    let p = plan(
        vec![
            component("web", Kind::Ui, vec![Fact::call("GET /a")]),
            component("api", Kind::Service, vec![Fact::provide("GET /a")]),
        ],
        vec![release(
            "drop",
            "api",
            vec![Change::Remove(Fact::provide("GET /a"))],
        )],
    );
    let report = check(&p);
    assert_eq!(
        found(&report),
        vec![(Rule::BrokenConsumer, Some(0), Some("GET /a"), None)]
    );
    assert!(
        report.findings[0]
            .hint
            .contains("first release web without it"),
        "{}",
        report.findings[0].hint
    );
}

#[test]
fn bad_references_are_findings_not_failures() {
    let mut p = plan(
        vec![
            component("web", Kind::Ui, vec![Fact::call("GET /a").gated("ghost")]),
            component("api", Kind::Service, vec![Fact::provide("GET /a")]),
            db("db", &["rows"]),
        ],
        vec![
            release("s1", "wbe", vec![Change::Add(Fact::call("GET /a"))]),
            flip("s2", "nope", Switch::On),
            release(
                "s3",
                "api",
                vec![Change::Add(Fact::provide("GET /b").tolerant())],
            ),
            release(
                "s4",
                "db",
                vec![Change::Backfill {
                    into: "copy".into(),
                    from: "rows".into(),
                }],
            ),
            release("s4", "api", vec![Change::Remove(Fact::provide("GET /b"))]),
        ],
    );
    p.accepted.push(Accept {
        rule: "no-such-rule".into(),
        step: None,
        key: None,
        reason: "because".into(),
    });
    let report = check(&p);
    let bad: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule == Rule::BadReference)
        .map(|f| (f.step, f.key.as_deref(), f.component.as_deref()))
        .collect();
    assert_eq!(
        bad,
        vec![
            (None, None, None),
            (None, Some("GET /a"), Some("web")),
            (Some(0), None, Some("wbe")),
            (Some(1), Some("nope"), None),
            (Some(2), Some("GET /b"), Some("api")),
            (Some(3), Some("copy"), Some("db")),
            (Some(4), None, Some("api")),
        ]
    );
    let unknown = report
        .findings
        .iter()
        .find(|f| f.step == Some(0))
        .expect("unknown component finding");
    assert_eq!(
        unknown.hint,
        "Did you mean \"web\"? Otherwise add the component."
    );
    assert!(report.summary().errors >= 7);
}

#[test]
fn commit_groups_must_be_adjacent_and_release_each_component_once() {
    let mut steps = vec![
        release("a", "api", vec![Change::Add(Fact::provide("X"))]),
        release("b", "web", vec![Change::Add(Fact::call("X"))]),
        release("c", "api", vec![Change::Add(Fact::provide("Y"))]),
    ];
    for (step, label) in steps.iter_mut().zip(["pr-1", "pr-2", "pr-1"]) {
        if let Step::Release { commit, .. } = step {
            *commit = Some(label.into());
        }
    }
    let p = plan(
        vec![
            component("web", Kind::Ui, vec![]),
            component("api", Kind::Service, vec![]),
        ],
        steps,
    );
    let report = check(&p);
    let bad: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule == Rule::BadReference)
        .map(|f| (f.step, f.key.as_deref(), f.hint.contains("step 2 \"b\"")))
        .collect();
    // Step c does not follow a, pr-1's previous release (the hint names b, in between);
    // and pr-1 releases api twice.
    assert_eq!(bad, vec![(Some(2), None, false), (Some(2), None, true)]);
}

#[test]
fn changes_that_change_nothing_are_noops() {
    let mut p = plan(
        vec![component("api", Kind::Service, vec![Fact::provide("X")])],
        vec![
            release("again", "api", vec![Change::Add(Fact::provide("X"))]),
            release("gone", "api", vec![Change::Remove(Fact::call("Y"))]),
            release("ungate", "api", vec![Change::Ungate("t".into())]),
            flip("off", "t", Switch::Off),
            release("empty", "api", vec![]),
        ],
    );
    p.toggles.push(Toggle {
        id: "t".into(),
        initially: Switch::Off,
    });
    let report = check(&p);
    assert_eq!(
        found(&report),
        vec![
            (Rule::NoopChange, Some(0), Some("X"), None),
            (Rule::NoopChange, Some(1), Some("Y"), None),
            (Rule::NoopChange, Some(2), Some("t"), None),
            (Rule::NoopChange, Some(3), Some("t"), None),
            (Rule::NoopChange, Some(4), None, None),
        ]
    );
    assert!(
        report
            .findings
            .iter()
            .all(|f| f.severity == Severity::Warning)
    );
}

#[test]
fn external_releases_and_shipped_order_warn() {
    let mut p = plan(
        vec![component(
            "pay",
            Kind::External,
            vec![Fact::provide("charge v1")],
        )],
        vec![
            release("a", "pay", vec![Change::Add(Fact::provide("charge v2"))]),
            release("b", "pay", vec![Change::Remove(Fact::provide("charge v1"))]),
        ],
    );
    if let Step::Release { shipped, .. } = &mut p.steps[1] {
        *shipped = true;
    }
    let report = check(&p);
    assert_eq!(
        found(&report),
        vec![
            (Rule::ExternalRelease, Some(0), None, None),
            (Rule::ExternalRelease, Some(1), None, None),
            (Rule::ShippedOrder, Some(1), None, None),
        ]
    );
}

#[test]
fn a_gap_nobody_reads_is_only_a_warning() {
    // The copy misses writes, but nothing reads it and the original stays.
    let p = plan(
        vec![
            component("web", Kind::Ui, vec![Fact::call("POST /x")]),
            component(
                "api",
                Kind::Service,
                vec![
                    Fact::provide("POST /x"),
                    Fact::write("old").serving("POST /x"),
                ],
            ),
            db("db", &["old"]),
        ],
        vec![release(
            "copy",
            "db",
            vec![
                Change::Add(Fact::provide("new")),
                Change::Backfill {
                    into: "new".into(),
                    from: "old".into(),
                },
            ],
        )],
    );
    let report = check(&p);
    assert_eq!(
        found(&report),
        vec![(Rule::DataGap, Some(0), Some("new"), None)]
    );
    assert_eq!(report.findings[0].severity, Severity::Warning);
}

#[test]
fn reading_a_store_that_fell_behind_is_a_stale_read() {
    // api moves its writes to the copy, then a report job starts reading the original.
    let p = plan(
        vec![
            component("web", Kind::Ui, vec![Fact::call("POST /x")]),
            component(
                "api",
                Kind::Service,
                vec![
                    Fact::provide("POST /x"),
                    Fact::write("old").serving("POST /x"),
                    Fact::write("new").serving("POST /x").tolerant(),
                ],
            ),
            component("report", Kind::Job, vec![]),
            db("db", &["old"]),
        ],
        vec![
            release(
                "expand",
                "db",
                vec![
                    Change::Add(Fact::provide("new")),
                    Change::Backfill {
                        into: "new".into(),
                        from: "old".into(),
                    },
                ],
            ),
            release("migrate", "api", vec![Change::Remove(Fact::write("old"))]),
            release("job", "report", vec![Change::Add(Fact::read("old"))]),
        ],
    );
    let report = check(&p);
    assert_eq!(
        found(&report),
        vec![(Rule::DataGap, Some(2), Some("old"), None)]
    );
    let stale = report
        .findings
        .iter()
        .find(|f| f.rule == Rule::DataGap)
        .expect("stale read");
    assert_eq!(stale.severity, Severity::Error);
    assert!(
        stale.message.contains("since step 2 \"migrate\""),
        "{}",
        stale.message
    );
}

#[test]
fn a_gated_store_hides_but_keeps_its_data() {
    let mut db = component("db", Kind::Database, vec![Fact::provide("rows").gated("t")]);
    db.target = Some(db.current.clone());
    let mut p = plan(
        vec![db],
        vec![flip("on", "t", Switch::On), flip("off", "t", Switch::Off)],
    );
    p.toggles.push(Toggle {
        id: "t".into(),
        initially: Switch::Off,
    });
    let report = check(&p);
    assert_eq!(found(&report), vec![]);
}

#[test]
fn dropping_a_store_with_data_is_data_loss_and_irreversible() {
    let p = plan(
        vec![db("db", &["notes"])],
        vec![release(
            "drop-notes",
            "db",
            vec![Change::Remove(Fact::provide("notes"))],
        )],
    );
    let report = check(&p);
    assert_eq!(
        found(&report),
        vec![(Rule::DataLoss, Some(0), Some("notes"), None)]
    );
    assert_eq!(report.steps[0].rollback, Rollback::Irreversible);
}

#[test]
fn independent_stories_in_one_plan_keep_their_own_findings() {
    // Two unrelated components break at different steps; clusters must not mix them up.
    let p = plan(
        vec![
            component("web", Kind::Ui, vec![]),
            component("api", Kind::Service, vec![]),
            component("app", Kind::Ui, vec![]),
            component("svc", Kind::Service, vec![]),
        ],
        vec![
            release("w", "web", vec![Change::Add(Fact::call("A"))]),
            release("s", "svc", vec![Change::Add(Fact::provide("B"))]),
            release("a", "api", vec![Change::Add(Fact::provide("A"))]),
            release("p", "app", vec![Change::Add(Fact::call("B"))]),
        ],
    );
    let report = check(&p);
    assert_eq!(
        found(&report),
        vec![(Rule::BrokenConsumer, Some(0), Some("A"), Some(2))]
    );
    assert_eq!(
        report.steps.iter().map(|s| s.rollback).collect::<Vec<_>>(),
        vec![
            Rollback::Safe,
            Rollback::Until(3),
            Rollback::Until(2),
            Rollback::Safe
        ]
    );
}

#[test]
fn toggle_left_behind_ignores_gates_the_target_keeps() {
    let mut web = component("web", Kind::Ui, vec![]);
    web.target = Some(vec![Fact::call("A").gated("beta")]);
    let mut p = plan(
        vec![
            web,
            component("api", Kind::Service, vec![Fact::provide("A")]),
        ],
        vec![release(
            "ui",
            "web",
            vec![Change::Add(Fact::call("A").gated("beta"))],
        )],
    );
    p.toggles.push(Toggle {
        id: "beta".into(),
        initially: Switch::On,
    });
    assert_eq!(found(&check(&p)), vec![]);
}

/// The rollback findings: (step, key, until).
fn rollbacks(report: &Report) -> Vec<(Option<usize>, Option<&str>, Option<usize>)> {
    report
        .findings
        .iter()
        .filter(|f| f.rule == Rule::Rollback)
        .map(|f| (f.step, f.key.as_deref(), f.until))
        .collect()
}

#[test]
fn a_release_across_clusters_gets_one_window_the_earliest_harm() {
    // "A" and "B" share nothing, so each change of "both" is simulated apart. Reverting it
    // breaks web's call of "B" at once, which comes before the harm reverting it does
    // once "use-a" has shipped, though the change of "A" comes first.
    let p = plan(
        vec![
            component("web", Kind::Ui, vec![Fact::call("B")]),
            component("api", Kind::Service, vec![]),
        ],
        vec![
            release(
                "both",
                "api",
                vec![
                    Change::Add(Fact::provide("A")),
                    Change::Add(Fact::provide("B")),
                ],
            ),
            release("use-a", "web", vec![Change::Add(Fact::call("A"))]),
        ],
    );
    let report = check(&p);
    assert_eq!(report.steps[0].rollback, Rollback::Until(0));
    assert_eq!(report.steps[1].rollback, Rollback::Safe);
    assert_eq!(rollbacks(&report), vec![(Some(0), Some("B"), Some(0))]);
}

#[test]
fn a_release_across_clusters_harmful_after_one_step_names_its_first_change() {
    // Reverting either change of "both" breaks web once "use" has shipped; changes are
    // judged in order, so the window names "B".
    let p = plan(
        vec![
            component("web", Kind::Ui, vec![]),
            component("api", Kind::Service, vec![]),
        ],
        vec![
            release(
                "both",
                "api",
                vec![
                    Change::Add(Fact::provide("B")),
                    Change::Add(Fact::provide("A")),
                ],
            ),
            release(
                "use",
                "web",
                vec![Change::Add(Fact::call("A")), Change::Add(Fact::call("B"))],
            ),
        ],
    );
    let report = check(&p);
    assert_eq!(report.steps[0].rollback, Rollback::Until(1));
    assert_eq!(rollbacks(&report), vec![(Some(0), Some("B"), Some(1))]);
}

#[test]
fn a_release_across_clusters_that_drops_data_is_irreversible() {
    // "swap" drops "notes" for good in one cluster; in the other, reverting it would only
    // be harmful once "use" has shipped. Irreversible wins.
    let p = plan(
        vec![component("web", Kind::Ui, vec![]), db("db", &["notes"])],
        vec![
            release(
                "swap",
                "db",
                vec![
                    Change::Add(Fact::provide("cache")),
                    Change::Remove(Fact::provide("notes")),
                ],
            ),
            release("use", "web", vec![Change::Add(Fact::read("cache"))]),
        ],
    );
    let report = check(&p);
    assert_eq!(
        found(&report),
        vec![(Rule::DataLoss, Some(0), Some("notes"), None)]
    );
    assert_eq!(report.steps[0].rollback, Rollback::Irreversible);
    assert_eq!(rollbacks(&report), vec![(Some(0), Some("notes"), None)]);
}

#[test]
fn noops_of_a_release_across_clusters_stay_with_their_changes() {
    let p = plan(
        vec![component("api", Kind::Service, vec![Fact::provide("A")])],
        vec![
            release("empty", "api", vec![]),
            release(
                "both",
                "api",
                vec![
                    Change::Add(Fact::provide("A")),
                    Change::Remove(Fact::call("B")),
                    Change::Add(Fact::provide("C")),
                ],
            ),
        ],
    );
    let report = check(&p);
    assert_eq!(
        found(&report),
        vec![
            (Rule::NoopChange, Some(0), None, None),
            (Rule::NoopChange, Some(1), Some("A"), None),
            (Rule::NoopChange, Some(1), Some("B"), None),
        ]
    );
    assert_eq!(report.steps[0].facts_after, vec![Fact::provide("A")]);
}

#[test]
fn facts_of_a_component_in_several_clusters_keep_the_plan_order() {
    // X, Y, Z, W and V share nothing: api lives in five clusters. Its facts read as if
    // the plan were simulated whole: current facts in file order, additions appended.
    let p = plan(
        vec![component(
            "api",
            Kind::Service,
            vec![Fact::provide("X"), Fact::call("Y"), Fact::provide("Z")],
        )],
        vec![release(
            "r",
            "api",
            vec![
                Change::Add(Fact::call("W")),
                Change::Remove(Fact::call("Y")),
                Change::Add(Fact::provide("V")),
            ],
        )],
    );
    let report = check(&p);
    let expected = vec![
        Fact::provide("X"),
        Fact::provide("Z"),
        Fact::call("W"),
        Fact::provide("V"),
    ];
    assert_eq!(report.steps[0].facts_after, expected);
    assert_eq!(report.finals[0], expected);
}

#[test]
fn a_commit_race_is_found_in_the_cluster_it_happens_in() {
    // "provide" also adds an unrelated "B", so it is in two clusters; the race on "A"
    // names the deploy order of the releases that touch "A".
    let mut p = plan(
        vec![
            component("web", Kind::Ui, vec![]),
            component("api", Kind::Service, vec![]),
        ],
        vec![
            release(
                "provide",
                "api",
                vec![
                    Change::Add(Fact::provide("B")),
                    Change::Add(Fact::provide("A")),
                ],
            ),
            release("call", "web", vec![Change::Add(Fact::call("A"))]),
        ],
    );
    for step in &mut p.steps {
        if let Step::Release { commit, .. } = step {
            *commit = Some("pr-1".into());
        }
    }
    let report = check(&p);
    assert_eq!(
        found(&report),
        vec![(Rule::CommitRace, Some(1), Some("A"), Some(0))]
    );
    let race = report
        .findings
        .iter()
        .find(|f| f.rule == Rule::CommitRace)
        .expect("the race is reported");
    assert!(
        race.message.contains("in the order \"call\" → \"provide\""),
        "{}",
        race.message
    );
}
