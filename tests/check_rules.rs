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

#[test]
fn a_long_target_names_exactly_what_is_missing_and_extra() {
    // Past a handful of facts the end and the target are compared through a set: the
    // finding must still list what is missing in the target's order, and what is extra in
    // the end's, and a toggle left behind must still name the last flip that turned it on.
    let current: Vec<Fact> = (0..30)
        .map(|i| Fact::provide(format!("GET /k{i}")))
        .collect();
    let mut target = current.clone();
    target.remove(4);
    target.push(Fact::provide("GET /never"));
    target.push(Fact::provide("GET /k12").gated("u"));
    let mut api = component("api", Kind::Service, current);
    api.target = Some(target);
    let mut p = plan(
        vec![api],
        vec![
            flip("on-early", "t", Switch::On),
            release(
                "beta",
                "api",
                vec![Change::Add(Fact::provide("GET /beta").gated("t"))],
            ),
            flip("on-again", "t", Switch::On),
        ],
    );
    p.toggles.push(toggle("t", Switch::Off));
    p.toggles.push(toggle("u", Switch::Off));
    let report = check(&p);
    let ends: Vec<(&str, &str)> = report
        .findings
        .iter()
        .filter(|f| matches!(f.rule, Rule::TargetNotReached | Rule::ToggleLeftBehind))
        .map(|f| (f.message.as_str(), f.hint.as_str()))
        .collect();
    assert_eq!(
        ends,
        vec![
            (
                "api still has facts gated by \"t\" at the end of the plan.",
                "Add a release of api with Ungate(\"t\") after step 3 \"on-again\".",
            ),
            (
                "api ends the plan short of its target: missing Provide(\"GET /never\"), Gated(\"u\", Provide(\"GET /k12\")); extra Provide(\"GET /k4\"), Gated(\"t\", Provide(\"GET /beta\")).",
                "Add releases of api that close the difference, or correct its target.",
            ),
        ]
    );
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
    assert_eq!(p.facts_after(0), Some(vec![Fact::provide("A")]));
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
    assert_eq!(p.facts_after(0), Some(expected.clone()));
    assert_eq!(report.finals[0], expected);
}

#[test]
fn a_long_component_ends_with_the_facts_its_releases_leave() {
    // Past a handful of facts the end state is kept with a set beside the list: adds of
    // facts it has, removes and ungates must leave the same list as replaying the plan.
    let current: Vec<Fact> = (0..24)
        .map(|i| Fact::provide(format!("GET /k{i}")))
        .collect();
    let mut p = plan(
        vec![component("api", Kind::Service, current)],
        vec![
            release(
                "grow",
                "api",
                vec![
                    Change::Add(Fact::provide("GET /k3")),
                    Change::Add(Fact::provide("GET /new").gated("t")),
                    Change::Add(Fact::provide("GET /k5").gated("t")),
                    Change::Remove(Fact::provide("GET /k7")),
                ],
            ),
            release(
                "ungate",
                "api",
                vec![
                    Change::Ungate("t".into()),
                    Change::Add(Fact::provide("GET /k7")),
                    Change::Add(Fact::provide("GET /new")),
                    Change::Remove(Fact::provide("GET /k0")),
                ],
            ),
        ],
    );
    p.toggles.push(Toggle {
        id: "t".into(),
        initially: Switch::Off,
    });
    let report = check(&p);
    let replayed = p.facts_before("api", p.steps.len());
    assert_eq!(report.finals[0], replayed);
    assert_eq!(replayed.len(), 24, "k0 gone, k7 back at the end, /new once");
    assert_eq!(replayed.last(), Some(&Fact::provide("GET /k7")));
    assert!(!replayed.contains(&Fact::provide("GET /k0")));
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

// SPEC v1.1, §1–§3: one test for each paragraph that changed.

fn toggle(id: &str, initially: Switch) -> Toggle {
    Toggle {
        id: id.into(),
        initially,
    }
}

fn first(report: &Report, rule: Rule) -> &storyplan::check::Finding {
    report
        .findings
        .iter()
        .find(|f| f.rule == rule)
        .expect("the rule has a finding")
}

fn in_commit(mut step: Step, label: &str) -> Step {
    if let Step::Release { commit, .. } = &mut step {
        *commit = Some(label.into());
    }
    step
}

fn windows(report: &Report) -> Vec<Rollback> {
    report.steps.iter().map(|s| s.rollback).collect()
}

fn backfill(into: &str, from: &str) -> Change {
    Change::Backfill {
        into: into.into(),
        from: from.into(),
    }
}

#[test]
fn a_migration_that_adds_copies_and_drops_in_one_release_is_clean_and_irreversible() {
    // §1 Step: each change sees the state the changes before it left.
    let p = plan(
        vec![db("db", &["archive"])],
        vec![release(
            "rename",
            "db",
            vec![
                Change::Add(Fact::provide("archive_2024")),
                backfill("archive_2024", "archive"),
                Change::Remove(Fact::provide("archive")),
            ],
        )],
    );
    let report = check(&p);
    assert_eq!(found(&report), vec![]);
    assert_eq!(windows(&report), vec![Rollback::Irreversible]);
    assert_eq!(rollbacks(&report), vec![(Some(0), Some("archive"), None)]);
}

#[test]
fn a_backfill_before_its_store_is_added_in_the_same_release_is_a_bad_reference() {
    // §1 Step, in order: the store does not exist yet where the backfill stands.
    let p = plan(
        vec![db("db", &["archive"])],
        vec![release(
            "rename",
            "db",
            vec![
                backfill("archive_2024", "archive"),
                Change::Add(Fact::provide("archive_2024")),
            ],
        )],
    );
    assert_eq!(
        found(&check(&p)),
        vec![(Rule::BadReference, Some(0), Some("archive_2024"), None)]
    );
}

#[test]
fn a_release_that_adds_and_removes_the_same_call_reverts_to_nothing() {
    // §3 rollback: reverting is one deployment of all the inverses, last change first.
    let p = plan(
        vec![component("web", Kind::Ui, vec![])],
        vec![release(
            "s1",
            "web",
            vec![
                Change::Add(Fact::call("GET /i1")),
                Change::Remove(Fact::call("GET /i1")),
            ],
        )],
    );
    let report = check(&p);
    assert_eq!(found(&report), vec![]);
    assert_eq!(windows(&report), vec![Rollback::Safe]);
}

#[test]
fn putting_a_store_behind_a_toggle_in_one_release_keeps_its_data() {
    // §2: a store is dropped only when the release ends without it in any form.
    let mut p = plan(
        vec![db("db", &["notes"])],
        vec![
            release(
                "gate",
                "db",
                vec![
                    Change::Remove(Fact::provide("notes")),
                    Change::Add(Fact::provide("notes").gated("t")),
                ],
            ),
            flip("on", "t", Switch::On),
        ],
    );
    p.toggles = vec![toggle("t", Switch::Off)];
    let report = check(&p);
    // No data-loss: only the gate the plan never cleans up.
    assert_eq!(
        found(&report),
        vec![(Rule::ToggleLeftBehind, None, Some("t"), None)]
    );
    assert_eq!(windows(&report), vec![Rollback::Safe, Rollback::Safe]);
}

#[test]
fn a_store_dropped_and_provided_again_is_new_and_empty() {
    // §2: dropping it again later loses nothing.
    let p = plan(
        vec![db("db", &["notes"])],
        vec![
            release("drop", "db", vec![Change::Remove(Fact::provide("notes"))]),
            release("again", "db", vec![Change::Add(Fact::provide("notes"))]),
            release(
                "drop-again",
                "db",
                vec![Change::Remove(Fact::provide("notes"))],
            ),
        ],
    );
    let report = check(&p);
    assert_eq!(
        found(&report),
        vec![(Rule::DataLoss, Some(0), Some("notes"), None)]
    );
    assert_eq!(
        windows(&report),
        vec![Rollback::Irreversible, Rollback::Safe, Rollback::Safe]
    );
}

#[test]
fn dropping_a_store_ends_its_mirror_relations_both_ways() {
    // §2: "k" mirrors "g"; once "g" is dropped, a new "g" is no one's source, so writes
    // to it alone open no gap in "k". With the relation intact they do.
    let api = component(
        "api",
        Kind::Service,
        vec![Fact::write("g").tolerant(), Fact::write("k").tolerant()],
    );
    let expand = release(
        "expand",
        "db",
        vec![Change::Add(Fact::provide("k")), backfill("k", "g")],
    );
    let only_g = release("only-g", "api", vec![Change::Remove(Fact::write("k"))]);
    let p = plan(
        vec![api.clone(), db("db", &["g"])],
        vec![
            expand.clone(),
            release("drop-g", "db", vec![Change::Remove(Fact::provide("g"))]),
            only_g.clone(),
            release("new-g", "db", vec![Change::Add(Fact::provide("g"))]),
        ],
    );
    let report = check(&p);
    assert_eq!(found(&report), vec![]);
    assert_eq!(report.steps[1].rollback, Rollback::Irreversible);

    let kept = plan(vec![api, db("db", &["g"])], vec![expand, only_g]);
    assert_eq!(
        found(&check(&kept)),
        vec![(Rule::DataGap, Some(1), Some("k"), None)]
    );
}

#[test]
fn a_store_from_current_is_not_kept_by_the_store_it_mirrors() {
    // §2 kept elsewhere: "old" has rows of its own that a copy of "new" does not hold.
    let p = plan(
        vec![db("db", &["old", "new"])],
        vec![
            release("copy", "db", vec![backfill("old", "new")]),
            release("drop", "db", vec![Change::Remove(Fact::provide("old"))]),
        ],
    );
    assert_eq!(
        found(&check(&p)),
        vec![(Rule::DataLoss, Some(1), Some("old"), None)]
    );
    // A store new in the plan holds only what it copied, which its source still has.
    let fresh = plan(
        vec![db("db", &["new"])],
        vec![
            release(
                "copy",
                "db",
                vec![Change::Add(Fact::provide("old")), backfill("old", "new")],
            ),
            release("drop", "db", vec![Change::Remove(Fact::provide("old"))]),
        ],
    );
    assert_eq!(found(&check(&fresh)), vec![]);
}

#[test]
fn reverting_a_gated_endpoint_after_its_toggle_is_cleaned_up_breaks_the_caller() {
    // §3 rollback: an Add's inverse removes its fact in the form it has now (ungated).
    let mut p = plan(
        vec![
            component("web", Kind::Ui, vec![]),
            component("api", Kind::Service, vec![]),
        ],
        vec![
            release(
                "endpoint",
                "api",
                vec![Change::Add(Fact::provide("GET /r").gated("t"))],
            ),
            release("cleanup", "api", vec![Change::Ungate("t".into())]),
            release("caller", "web", vec![Change::Add(Fact::call("GET /r"))]),
        ],
    );
    p.toggles = vec![toggle("t", Switch::Off)];
    let report = check(&p);
    assert_eq!(found(&report), vec![]);
    assert_eq!(
        windows(&report),
        vec![Rollback::Until(2), Rollback::Until(2), Rollback::Safe]
    );
}

#[test]
fn reverting_a_step_that_breaks_a_writer_and_drops_its_data_is_loses_data() {
    // §3 precedence: loses-data before until.
    let p = plan(
        vec![
            component("api", Kind::Service, vec![Fact::write("t")]),
            db("db", &[]),
        ],
        vec![release(
            "table",
            "db",
            vec![Change::Add(Fact::provide("t"))],
        )],
    );
    let report = check(&p);
    assert_eq!(
        found(&report),
        vec![(Rule::BrokenConsumer, None, Some("t"), Some(0))]
    );
    assert_eq!(windows(&report), vec![Rollback::LosesData]);
}

#[test]
fn reverting_a_writer_moved_before_its_new_store_opens_a_gap_once_the_store_exists() {
    // §3 rollback: the whole release is reverted at once, so its writes go back to
    // "events" only; that opens a gap in "events_v2" once "new-store" has shipped.
    let p = plan(
        vec![
            component("ingest", Kind::Service, vec![Fact::write("events")]),
            db("db", &["events"]),
        ],
        vec![
            release(
                "ingest-move",
                "ingest",
                vec![
                    Change::Remove(Fact::write("events")),
                    Change::Add(Fact::write("events_v2")),
                ],
            ),
            release(
                "new-store",
                "db",
                vec![
                    Change::Add(Fact::provide("events_v2")),
                    backfill("events_v2", "events"),
                ],
            ),
            release(
                "drop-old",
                "db",
                vec![Change::Remove(Fact::provide("events"))],
            ),
        ],
    );
    let report = check(&p);
    assert_eq!(
        found(&report),
        vec![(Rule::BrokenConsumer, Some(0), Some("events_v2"), Some(1))]
    );
    assert_eq!(
        windows(&report),
        vec![
            Rollback::Until(1),
            Rollback::LosesData,
            Rollback::Irreversible
        ]
    );
}

#[test]
fn a_commit_race_is_on_the_release_that_starts_it_not_on_those_deployed_while_it_lasts() {
    // §2 commit-race: the report job and the API stop reading, then the column is dropped,
    // all in commit "pr-4". Deployed drop-first, the drop starts both breaks.
    let notes = "animals.notes";
    let p = plan(
        vec![
            component("report", Kind::Job, vec![Fact::read(notes)]),
            component("api", Kind::Service, vec![Fact::read(notes)]),
            db("db", &[notes]),
        ],
        vec![
            in_commit(
                release(
                    "stop-report",
                    "report",
                    vec![Change::Remove(Fact::read(notes))],
                ),
                "pr-4",
            ),
            in_commit(
                release("stop-read", "api", vec![Change::Remove(Fact::read(notes))]),
                "pr-4",
            ),
            in_commit(
                release(
                    "drop-notes",
                    "db",
                    vec![Change::Remove(Fact::provide(notes))],
                ),
                "pr-4",
            ),
        ],
    );
    let report = check(&p);
    assert_eq!(
        found(&report),
        vec![
            (Rule::DataLoss, Some(2), Some(notes), None),
            (Rule::CommitRace, Some(2), Some(notes), Some(1)),
            (Rule::CommitRace, Some(2), Some(notes), Some(0)),
        ]
    );
    let races: Vec<(Option<&str>, &str)> = report
        .findings
        .iter()
        .filter(|f| f.rule == Rule::CommitRace)
        .map(|f| (f.component.as_deref(), f.message.as_str()))
        .collect();
    // Each names the first order (lexicographic by position) in which it happens.
    assert!(
        races[0].0 == Some("api")
            && races[0]
                .1
                .contains("\"stop-report\" → \"drop-notes\" → \"stop-read\""),
        "{races:?}"
    );
    assert!(
        races[1].0 == Some("report")
            && races[1]
                .1
                .contains("\"stop-read\" → \"drop-notes\" → \"stop-report\""),
        "{races:?}"
    );
}

#[test]
fn a_commit_split_by_two_steps_names_both_on_the_release_that_strays() {
    // §2: a non-adjacent group is a bad reference on the release that does not follow the
    // group's previous one, key null; the hint names the steps in between.
    let p = plan(
        vec![
            component("web", Kind::Ui, vec![]),
            component("api", Kind::Service, vec![]),
        ],
        vec![
            in_commit(
                release("a", "api", vec![Change::Add(Fact::provide("X"))]),
                "pr-1",
            ),
            release("b", "web", vec![Change::Add(Fact::provide("Y"))]),
            release("c", "web", vec![Change::Add(Fact::provide("Z"))]),
            in_commit(
                release("d", "web", vec![Change::Add(Fact::call("X"))]),
                "pr-1",
            ),
        ],
    );
    let report = check(&p);
    assert_eq!(
        found(&report),
        vec![(Rule::BadReference, Some(3), None, None)]
    );
    let hint = &first(&report, Rule::BadReference).hint;
    assert!(hint.contains("step 2 \"b\" and step 3 \"c\""), "{hint}");
}

#[test]
fn every_reference_to_an_unknown_toggle_is_a_bad_reference() {
    // §3 bad-reference: in current, in target, in a change, an Ungate and a Flip; a flip of
    // an unknown toggle changes nothing and is judged no further (no noop-change).
    let mut web = component("web", Kind::Ui, vec![Fact::call("A").gated("ghost")]);
    web.target = Some(vec![Fact::call("B").gated("ghost")]);
    let mut p = plan(
        vec![
            web,
            component(
                "api",
                Kind::Service,
                vec![Fact::provide("A"), Fact::provide("C")],
            ),
        ],
        vec![
            release(
                "add",
                "web",
                vec![Change::Add(Fact::call("C").gated("ghost"))],
            ),
            release("cleanup", "web", vec![Change::Ungate("ghost".into())]),
            flip("on", "ghost", Switch::On),
            flip("off", "ghost", Switch::Off),
        ],
    );
    p.toggles = vec![toggle("t", Switch::Off)];
    let report = check(&p);
    let bad: Vec<Found> = found(&report)
        .into_iter()
        .filter(|f| matches!(f.0, Rule::BadReference | Rule::NoopChange))
        .collect();
    assert_eq!(
        bad,
        vec![
            (Rule::BadReference, None, Some("A"), None),
            (Rule::BadReference, None, Some("B"), None),
            (Rule::BadReference, Some(0), Some("C"), None),
            (Rule::BadReference, Some(1), Some("ghost"), None),
            (Rule::BadReference, Some(2), Some("ghost"), None),
            (Rule::BadReference, Some(3), Some("ghost"), None),
        ]
    );
}

#[test]
fn target_facts_are_validated_and_an_unknown_component_has_no_key() {
    // §3 bad-reference: target facts (step null); an unknown component's key is null.
    let mut api = component("api", Kind::Service, vec![]);
    api.target = Some(vec![Fact::provide("X").tolerant()]);
    let p = plan(
        vec![api],
        vec![release(
            "ghostly",
            "ghost",
            vec![Change::Add(Fact::call("X"))],
        )],
    );
    assert_eq!(
        found(&check(&p)),
        vec![
            (Rule::BadReference, None, Some("X"), None),
            (Rule::TargetNotReached, None, None, None),
            (Rule::BadReference, Some(0), None, None),
        ]
    );
}

#[test]
fn noop_ungates_and_flips_name_their_toggle() {
    // §3: the key of noop-change is the toggle id for Ungate and Flip.
    let mut p = plan(
        vec![component("web", Kind::Ui, vec![])],
        vec![
            release("cleanup", "web", vec![Change::Ungate(" t ".into())]),
            flip("off", "t", Switch::Off),
        ],
    );
    p.toggles = vec![toggle("t", Switch::Off)];
    assert_eq!(
        found(&check(&p)),
        vec![
            (Rule::NoopChange, Some(0), Some("t"), None),
            (Rule::NoopChange, Some(1), Some("t"), None),
        ]
    );
}

#[test]
fn an_accept_without_key_covers_every_finding_of_its_rule_at_its_step() {
    // §3 Accepting: no key matches every key; no step matches only plan-wide findings.
    let mut p = plan(
        vec![component("web", Kind::Ui, vec![Fact::call("Z")])],
        vec![release(
            "prototype",
            "web",
            vec![Change::Add(Fact::call("A")), Change::Add(Fact::call("B"))],
        )],
    );
    p.accepted = vec![Accept {
        rule: "broken-consumer".into(),
        step: Some("prototype".into()),
        key: None,
        reason: "a demo against a stub".into(),
    }];
    let report = check(&p);
    let severities: Vec<(Option<usize>, Option<&str>, Severity)> = report
        .findings
        .iter()
        .filter(|f| f.rule == Rule::BrokenConsumer)
        .map(|f| (f.step, f.key.as_deref(), f.severity))
        .collect();
    assert_eq!(
        severities,
        vec![
            (None, Some("Z"), Severity::Error),
            (Some(0), Some("A"), Severity::Accepted),
            (Some(0), Some("B"), Severity::Accepted),
        ]
    );
}

#[test]
fn a_stale_read_names_the_readers_step_to_move_before_the_writers() {
    // §3 hints: the writer moves to the mirror before the reader does.
    let p = plan(
        vec![
            component(
                "w",
                Kind::Service,
                vec![Fact::write("old"), Fact::write("new").tolerant()],
            ),
            component("r", Kind::Job, vec![Fact::read("old")]),
            db("db", &["old"]),
        ],
        vec![
            release(
                "expand",
                "db",
                vec![Change::Add(Fact::provide("new")), backfill("new", "old")],
            ),
            release("writer", "w", vec![Change::Remove(Fact::write("old"))]),
            release(
                "reader",
                "r",
                vec![
                    Change::Remove(Fact::read("old")),
                    Change::Add(Fact::read("new")),
                ],
            ),
            release("contract", "db", vec![Change::Remove(Fact::provide("old"))]),
        ],
    );
    let report = check(&p);
    assert_eq!(
        found(&report),
        vec![(Rule::DataGap, Some(1), Some("old"), None)]
    );
    assert_eq!(
        first(&report, Rule::DataGap).hint,
        "Move step 3 \"reader\", where r stops reading \"old\", before step 2 \"writer\"."
    );
    // Following it clears the finding.
    let mut moved = p.clone();
    moved.steps.swap(1, 2);
    assert_eq!(found(&check(&moved)), vec![]);
}

#[test]
fn a_hint_never_proposes_what_the_step_already_does() {
    // §3 hints: the use is already gated (the toggle is on), so gating is no advice.
    let mut p = plan(
        vec![
            component("web", Kind::Ui, vec![]),
            component("api", Kind::Service, vec![]),
        ],
        vec![
            release("ui", "web", vec![Change::Add(Fact::call("A").gated("t"))]),
            release("endpoint", "api", vec![Change::Add(Fact::provide("A"))]),
        ],
    );
    p.toggles = vec![toggle("t", Switch::On)];
    let report = check(&p);
    assert_eq!(
        found(&report),
        vec![
            (Rule::ToggleLeftBehind, None, Some("t"), None),
            (Rule::BrokenConsumer, Some(0), Some("A"), Some(1)),
        ]
    );
    assert_eq!(
        first(&report, Rule::BrokenConsumer).hint,
        "Move step 1 \"ui\" after step 2 \"endpoint\"."
    );
}
