//! Pattern templates, drafting from the target, and the reference-keeping edits, judged
//! by the checker: what they insert checks clean and reaches the target.

use storyplan::check::{Finding, Report, Rule, Severity, check};
use storyplan::compose::draft::draft;
use storyplan::compose::edit::{
    duplicate_component, duplicate_step, fresh_id, rename_component, rename_step, rename_toggle,
    slug, toggle_before,
};
use storyplan::compose::patterns::{
    DoubleWrite, ExpandContract, Inserted, Pattern, ToggleFeature, insert,
};
use storyplan::plan::{Accept, Change, Component, Fact, Kind, Plan, Step, Switch, Toggle};

fn example(name: &str) -> Plan {
    let path = format!("{}/assets/examples/{name}.ron", env!("CARGO_MANIFEST_DIR"));
    storyplan::store::load(std::path::Path::new(&path))
        .expect("example loads")
        .plan
}

/// The example with no steps (and no toggles): only where it starts and its targets.
fn bare(name: &str) -> Plan {
    let mut plan = example(name);
    plan.steps.clear();
    plan.toggles.clear();
    plan
}

/// Errors and warnings, rollback infos left out: (rule, step id, component).
fn problems(plan: &Plan, report: &Report) -> Vec<(Rule, String, String)> {
    report
        .findings
        .iter()
        .filter(|f| matches!(f.severity, Severity::Error | Severity::Warning))
        .map(|f| {
            (
                f.rule,
                f.step
                    .map_or("-".to_string(), |s| plan.steps[s].id().to_string()),
                f.component.clone().unwrap_or_else(|| "-".into()),
            )
        })
        .collect()
}

/// Clean but for `target-not-reached` of the listed components.
fn assert_clean_but_targets(plan: &Plan, unreached: &[&str]) {
    let report = check(plan);
    let problems = problems(plan, &report);
    let expected: Vec<(Rule, String, String)> = unreached
        .iter()
        .map(|c| (Rule::TargetNotReached, "-".to_string(), c.to_string()))
        .collect();
    let mut got = problems.clone();
    got.sort();
    let mut want = expected;
    want.sort();
    assert_eq!(got, want, "findings: {:#?}", report.findings);
}

fn assert_clean(plan: &Plan) {
    assert_clean_but_targets(plan, &[]);
}

fn changes(plan: &Plan) -> Vec<(Option<String>, Vec<Change>)> {
    plan.steps
        .iter()
        .map(|s| (s.component().map(str::to_string), s.changes().to_vec()))
        .collect()
}

fn ids(plan: &Plan) -> Vec<&str> {
    plan.steps.iter().map(|s| s.id()).collect()
}

fn component(id: &str, kind: Kind, current: Vec<Fact>, target: Option<Vec<Fact>>) -> Component {
    Component {
        id: id.to_string(),
        name: format!("The {id}"),
        kind,
        repo: None,
        sources: Vec::new(),
        current,
        target,
    }
}

fn plan_of(components: Vec<Component>) -> Plan {
    Plan {
        components,
        ..Plan::new("A story")
    }
}

fn inserted(plan: &Plan, at: usize, pattern: &Pattern) -> Plan {
    let steps = pattern.steps(plan, at).expect("the template applies");
    let mut out = plan.clone();
    insert(&mut out, at, steps);
    out
}

const POST_REMINDER: &str = "POST /user/{id}/reminder";
const GET_REMINDER: &str = "GET /user/{id}/reminder";
const DOLLARS: &str = "POST /animals/{id}/expense {amount: dollars}";
const CENTS: &str = "POST /animals/{id}/expense {amount: cents}";
const AMOUNT: &str = "expenses.amount";
const AMOUNT_CENTS: &str = "expenses.amount_cents";

fn reminders_feature() -> ToggleFeature {
    ToggleFeature {
        name: "reminders".into(),
        toggle: "reminders".into(),
        ui: "web".into(),
        service: "api".into(),
        store: Some("db".into()),
        interfaces: vec![POST_REMINDER.into(), GET_REMINDER.into()],
        data: Some("reminders".into()),
    }
}

fn cents_contract() -> ExpandContract {
    ExpandContract {
        name: "cents".into(),
        producer: "api".into(),
        old: DOLLARS.into(),
        new: CENTS.into(),
        consumers: vec!["web".into()],
    }
}

fn amount_move() -> DoubleWrite {
    DoubleWrite {
        name: "amount-cents".into(),
        store: "db".into(),
        old: AMOUNT.into(),
        new: AMOUNT_CENTS.into(),
        writers: vec!["api".into()],
        readers: vec!["api".into()],
    }
}

// ---------------------------------------------------------------------------------------
// Templates on the article's stories

#[test]
fn toggle_feature_rebuilds_the_reminders_story() {
    let bare = bare("reminders");
    let plan = inserted(&bare, 0, &Pattern::ToggleFeature(reminders_feature()));
    assert_clean(&plan);
    assert_eq!(
        plan.toggles,
        vec![Toggle {
            id: "reminders".into(),
            initially: Switch::Off
        }]
    );
    assert_eq!(
        ids(&plan),
        vec![
            "reminders-ui",
            "reminders-service",
            "reminders-store",
            "reminders-on",
            "reminders-cleanup"
        ]
    );
    // The same releases as the article's plan, in the same order.
    assert_eq!(changes(&plan), changes(&example("reminders")));
    assert!(matches!(
        &plan.steps[3],
        Step::Flip { toggle, to: Switch::On, .. } if toggle == "reminders"
    ));
}

#[test]
fn expand_contract_rebuilds_the_cents_api_story() {
    let plan = inserted(
        &bare("cents-api"),
        0,
        &Pattern::ExpandContract(cents_contract()),
    );
    assert_clean(&plan);
    assert_eq!(
        ids(&plan),
        vec!["cents-expand", "cents-migrate", "cents-contract"]
    );
    assert_eq!(changes(&plan), changes(&example("cents-api")));
    assert!(plan.toggles.is_empty());
}

#[test]
fn double_write_rebuilds_the_amount_column_story() {
    let plan = inserted(
        &bare("amount-column"),
        0,
        &Pattern::DoubleWrite(amount_move()),
    );
    assert_clean(&plan);
    assert_eq!(
        ids(&plan),
        vec![
            "amount-cents-double-write",
            "amount-cents-expand",
            "amount-cents-migrate",
            "amount-cents-contract"
        ]
    );
    assert_eq!(changes(&plan), changes(&example("amount-column")));
}

#[test]
fn templates_in_the_middle_of_a_story_leave_it_clean() {
    // Change the user endpoint while the reminders story is under way.
    let reminders = example("reminders");
    let user = ExpandContract {
        name: "user-v2".into(),
        producer: "api".into(),
        old: "GET /user/{id}".into(),
        new: "GET /user/{id} v2".into(),
        consumers: vec!["web".into()],
    };
    for at in 0..=reminders.steps.len() {
        let plan = inserted(&reminders, at, &Pattern::ExpandContract(user.clone()));
        assert_clean_but_targets(&plan, &["api", "web"]);
        // The expand copied the endpoint's read of users.
        let expand = plan.step_index("user-v2-expand").unwrap();
        assert!(plan.steps[expand].changes().contains(&Change::Add(
            Fact::read("users").serving("GET /user/{id} v2")
        )));
    }

    // A toggled feature in the middle of the cents contract change.
    let cents = example("cents-api");
    let notes = ToggleFeature {
        name: "notes".into(),
        toggle: "notes".into(),
        ui: "web".into(),
        service: "api".into(),
        store: Some("db".into()),
        interfaces: vec!["POST /animals/{id}/note".into()],
        data: Some("animals.notes".into()),
    };
    for at in 0..=cents.steps.len() {
        let plan = inserted(&cents, at, &Pattern::ToggleFeature(notes.clone()));
        assert_clean_but_targets(&plan, &["api", "db", "web"]);
    }

    // The amount column moved while the reminders story is under way (its own db).
    let mut plan = example("reminders");
    let amount = example("amount-column");
    for c in &amount.components {
        let mut c = c.clone();
        c.id = format!("{}-2", c.id);
        plan.components.push(c);
    }
    let mut moved = amount_move();
    moved.store = "db-2".into();
    moved.writers = vec!["api-2".into()];
    moved.readers = vec!["api-2".into()];
    for at in 0..=plan.steps.len() {
        let with = inserted(&plan, at, &Pattern::DoubleWrite(moved.clone()));
        assert_clean(&with);
    }
}

#[test]
fn toggle_feature_skips_the_store_a_feature_already_has() {
    // The feature reads and writes the users table the db already holds.
    let mut plan = bare("reminders");
    plan.toggles.push(Toggle {
        id: "profiles".into(),
        initially: Switch::Off,
    });
    let feature = ToggleFeature {
        name: "profiles".into(),
        toggle: "profiles".into(),
        ui: "web".into(),
        service: "api".into(),
        store: None,
        interfaces: vec![
            "PUT /user/{id}/profile".into(),
            "HEAD /user/{id}/profile".into(),
        ],
        data: Some("users".into()),
    };
    let steps = feature.steps(&plan, 0).unwrap();
    assert!(steps.toggles.is_empty(), "the toggle is declared already");
    let service = &steps.steps[1];
    assert_eq!(
        service.changes(),
        &[
            Change::Add(Fact::provide("PUT /user/{id}/profile")),
            Change::Add(Fact::write("users").serving("PUT /user/{id}/profile")),
            Change::Add(Fact::provide("HEAD /user/{id}/profile")),
            Change::Add(Fact::read("users").serving("HEAD /user/{id}/profile")),
        ]
    );
    insert(&mut plan, 0, steps);
    assert_eq!(
        ids(&plan),
        vec![
            "profiles-ui",
            "profiles-service",
            "profiles-on",
            "profiles-cleanup"
        ]
    );
    assert_clean_but_targets(&plan, &["api", "db", "web"]);
}

#[test]
fn toggle_feature_without_data_has_no_store_step() {
    let mut plan = bare("reminders");
    let feature = ToggleFeature {
        name: "ping".into(),
        toggle: "ping".into(),
        ui: "web".into(),
        service: "api".into(),
        store: None,
        interfaces: vec!["GET /ping".into()],
        data: None,
    };
    let steps = feature.steps(&plan, 0).unwrap();
    insert(&mut plan, 0, steps);
    assert_eq!(plan.steps.len(), 4);
    assert_clean_but_targets(&plan, &["api", "db", "web"]);
}

// ---------------------------------------------------------------------------------------
// Templates on small plans built here

/// A gateway calls the catalogue's v1 search; an admin UI calls it behind a toggle; a
/// report job calls it tolerantly; the catalogue reads the items while serving it.
fn catalogue() -> Plan {
    let v1 = "GET /search v1";
    let mut plan = plan_of(vec![
        component(
            "gateway",
            Kind::Service,
            vec![Fact::provide("GET /"), Fact::call(v1).serving("GET /")],
            None,
        ),
        component("web", Kind::Ui, vec![Fact::call("GET /")], None),
        // A component without a target gates nothing on purpose: this one does.
        component(
            "admin",
            Kind::Ui,
            vec![Fact::call(v1).gated("admin")],
            Some(vec![Fact::call("GET /search v2").gated("admin")]),
        ),
        component("report", Kind::Job, vec![Fact::call(v1).tolerant()], None),
        component(
            "catalogue",
            Kind::Service,
            vec![Fact::provide(v1), Fact::read("items").serving(v1)],
            None,
        ),
        component("db", Kind::Database, vec![Fact::provide("items")], None),
    ]);
    plan.toggles.push(Toggle {
        id: "admin".into(),
        initially: Switch::On,
    });
    plan
}

#[test]
fn expand_contract_keeps_each_use_as_it_was() {
    let plan = catalogue();
    assert_clean_but_targets(&plan, &["admin"]);
    let pattern = ExpandContract {
        name: "search v2".into(),
        producer: "catalogue".into(),
        old: "GET /search v1".into(),
        new: "GET /search v2".into(),
        consumers: vec!["gateway".into(), "admin".into(), "report".into()],
    };
    let out = inserted(&plan, 0, &Pattern::ExpandContract(pattern));
    assert_clean(&out);
    assert_eq!(
        ids(&out),
        vec![
            "search-v2-expand",
            "search-v2-migrate-gateway",
            "search-v2-migrate-admin",
            "search-v2-migrate-report",
            "search-v2-contract"
        ]
    );
    let end = check(&out).finals;
    assert_eq!(
        end[0],
        vec![
            Fact::provide("GET /"),
            Fact::call("GET /search v2").serving("GET /")
        ]
    );
    assert_eq!(end[2], vec![Fact::call("GET /search v2").gated("admin")]);
    assert_eq!(end[3], vec![Fact::call("GET /search v2").tolerant()]);
    assert_eq!(
        end[4],
        vec![
            Fact::provide("GET /search v2"),
            Fact::read("items").serving("GET /search v2")
        ]
    );
}

#[test]
fn expand_contract_may_leave_out_a_tolerant_user() {
    let plan = catalogue();
    let pattern = ExpandContract {
        name: "v2".into(),
        producer: "catalogue".into(),
        old: "GET /search v1".into(),
        new: "GET /search v2".into(),
        consumers: vec!["gateway".into(), "admin".into()],
    };
    let out = inserted(&plan, 0, &Pattern::ExpandContract(pattern));
    assert_clean(&out);
}

/// Orders: the api writes and reads `orders.old`, the billing service writes and reads
/// it too, an export job only reads it, an import job only writes it.
fn orders() -> Plan {
    let old = "orders.old";
    plan_of(vec![
        component(
            "web",
            Kind::Ui,
            vec![Fact::call("POST /order"), Fact::call("GET /order")],
            None,
        ),
        component(
            "api",
            Kind::Service,
            vec![
                Fact::provide("POST /order"),
                Fact::write(old).serving("POST /order"),
                Fact::provide("GET /order"),
                Fact::read(old).serving("GET /order"),
            ],
            None,
        ),
        component(
            "billing",
            Kind::Job,
            vec![Fact::read(old), Fact::write(old)],
            None,
        ),
        component("export", Kind::Job, vec![Fact::read(old)], None),
        component(
            "import",
            Kind::Job,
            vec![Fact::write(old).gated("import")],
            Some(vec![Fact::write("orders.new").gated("import")]),
        ),
        component("db", Kind::Database, vec![Fact::provide(old)], None),
    ])
}

#[test]
fn double_write_moves_readers_before_any_writer_stops() {
    let mut plan = orders();
    plan.toggles.push(Toggle {
        id: "import".into(),
        initially: Switch::On,
    });
    assert_clean_but_targets(&plan, &["import"]);
    let pattern = DoubleWrite {
        name: "orders".into(),
        store: "db".into(),
        old: "orders.old".into(),
        new: "orders.new".into(),
        writers: vec!["api".into(), "billing".into(), "import".into()],
        readers: vec!["export".into(), "api".into(), "billing".into()],
    };
    let out = inserted(&plan, 0, &Pattern::DoubleWrite(pattern));
    assert_clean(&out);
    assert_eq!(
        ids(&out),
        vec![
            "orders-double-write-api",
            "orders-double-write-billing",
            "orders-double-write-import",
            "orders-expand",
            "orders-migrate-export",
            "orders-read-new-billing",
            "orders-migrate-api",
            "orders-migrate-billing",
            "orders-migrate-import",
            "orders-contract"
        ]
    );
    let end = check(&out).finals;
    assert_eq!(end[4], vec![Fact::write("orders.new").gated("import")]);
    assert_eq!(end[5], vec![Fact::provide("orders.new")]);

    // Without the early reads, billing would read a store api stopped writing.
    let mut naive = out.clone();
    let read_new = naive.step_index("orders-read-new-billing").unwrap();
    let moved = naive.steps.remove(read_new);
    let billing = naive.step_index("orders-migrate-billing").unwrap();
    if let Step::Release { changes, .. } = &mut naive.steps[billing] {
        changes.extend(moved.changes().iter().cloned());
    }
    let report = check(&naive);
    assert!(
        report.findings.iter().any(|f| f.rule == Rule::DataGap),
        "{:#?}",
        report.findings
    );
}

#[test]
fn the_same_template_twice_gets_fresh_ids() {
    let plan = bare("reminders");
    let first = reminders_feature().steps(&plan, 0).unwrap();
    let mut plan2 = plan.clone();
    insert(&mut plan2, 0, first);
    let mut second = reminders_feature();
    second.toggle = "reminders-2".into();
    second.interfaces = vec!["POST /user/{id}/other".into()];
    second.data = Some("others".into());
    let steps = second.steps(&plan2, plan2.steps.len()).unwrap();
    let new_ids: Vec<&str> = steps.steps.iter().map(|s| s.id()).collect();
    assert_eq!(
        new_ids,
        vec![
            "reminders-ui-2",
            "reminders-service-2",
            "reminders-store-2",
            "reminders-on-2",
            "reminders-cleanup-2"
        ]
    );
    let at = plan2.steps.len();
    insert(&mut plan2, at, steps);
    assert_clean_but_targets(&plan2, &["api", "db", "web"]);
}

#[test]
fn insert_past_the_end_appends_and_declares_toggles_once() {
    let mut plan = bare("reminders");
    let toggle = Toggle {
        id: "t".into(),
        initially: Switch::Off,
    };
    let flip = Step::Flip {
        id: "f".into(),
        toggle: "t".into(),
        to: Switch::On,
        title: "On".into(),
        shipped: false,
        notes: None,
    };
    for _ in 0..2 {
        insert(
            &mut plan,
            99,
            Inserted {
                steps: vec![flip.clone()],
                toggles: vec![toggle.clone()],
            },
        );
    }
    assert_eq!(plan.toggles, vec![toggle]);
    assert_eq!(plan.steps.len(), 2);
}

// ---------------------------------------------------------------------------------------
// Validation

fn refusal(pattern: Pattern, plan: &Plan, at: usize) -> String {
    pattern.steps(plan, at).expect_err("the template refuses")
}

fn assert_refuses(pattern: Pattern, plan: &Plan, at: usize, needle: &str) {
    let message = refusal(pattern, plan, at);
    assert!(
        message.contains(needle),
        "expected {needle:?} in {message:?}"
    );
}

#[test]
fn toggle_feature_validates_its_inputs() {
    let plan = bare("reminders");
    let with = |f: &dyn Fn(&mut ToggleFeature)| {
        let mut p = reminders_feature();
        f(&mut p);
        Pattern::ToggleFeature(p)
    };
    assert_refuses(
        with(&|p| p.name = "  ".into()),
        &plan,
        0,
        "Give the pattern a name",
    );
    assert_refuses(with(&|_| {}), &plan, 1, "past the end of the plan");
    assert_refuses(with(&|p| p.toggle.clear()), &plan, 0, "Name the toggle");
    assert_refuses(
        with(&|p| p.ui = "wbe".into()),
        &plan,
        0,
        "The ui \"wbe\" is not a component of the plan (did you mean \"web\"?)",
    );
    assert_refuses(
        with(&|p| p.ui = "frontend".into()),
        &plan,
        0,
        "The ui \"frontend\" is not a component of the plan (components: web, api, db)",
    );
    assert_refuses(
        with(&|p| p.service = "web".into()),
        &plan,
        0,
        "are both \"web\"",
    );
    assert_refuses(
        with(&|p| p.service = "db".into()),
        &plan,
        0,
        "is a Database",
    );
    assert_refuses(
        with(&|p| p.interfaces.clear()),
        &plan,
        0,
        "List the new interfaces",
    );
    assert_refuses(
        with(&|p| p.interfaces.push(POST_REMINDER.into())),
        &plan,
        0,
        "appears twice among the interfaces",
    );
    assert_refuses(
        with(&|p| p.interfaces = vec!["GET /user/{id}".into()]),
        &plan,
        0,
        "\"GET /user/{id}\" is already provided by api at the end of the plan",
    );
    assert_refuses(
        with(&|p| p.store = Some("api".into())),
        &plan,
        0,
        "is a Service",
    );
    assert_refuses(with(&|p| p.store = None), &plan, 0, "name the store");
    assert_refuses(with(&|p| p.data = None), &plan, 0, "Name the data key");
    assert_refuses(
        with(&|p| {
            p.store = None;
            p.data = Some("GET /user/{id}".into());
        }),
        &plan,
        0,
        "\"GET /user/{id}\" is provided by api, which is not a store",
    );

    // A declared toggle that is on, or flipped later, hides nothing.
    let mut on = plan.clone();
    on.toggles.push(Toggle {
        id: "reminders".into(),
        initially: Switch::On,
    });
    assert_refuses(with(&|_| {}), &on, 0, "is On at the end of the plan");
    let full = example("reminders");
    assert_refuses(
        with(&|p| p.interfaces = vec!["GET /other".into()]),
        &full,
        1,
        "Step \"enable\" flips \"reminders\" later",
    );
    // An External component is not released by the team.
    let mut external = plan.clone();
    external.components[1].kind = Kind::External;
    assert_refuses(
        with(&|_| {}),
        &external,
        0,
        "The service \"api\" is External",
    );
}

#[test]
fn toggle_feature_refuses_data_another_component_holds() {
    let mut plan = bare("reminders");
    plan.components.push(component(
        "cache",
        Kind::Database,
        vec![Fact::provide("reminders")],
        None,
    ));
    assert_refuses(
        Pattern::ToggleFeature(reminders_feature()),
        &plan,
        0,
        "\"reminders\" is provided by cache, not by the store db",
    );
}

#[test]
fn expand_contract_validates_its_inputs() {
    let plan = bare("cents-api");
    let with = |f: &dyn Fn(&mut ExpandContract)| {
        let mut p = cents_contract();
        f(&mut p);
        Pattern::ExpandContract(p)
    };
    assert_refuses(
        with(&|p| p.producer = "apu".into()),
        &plan,
        0,
        "The producer \"apu\" is not a component",
    );
    assert_refuses(
        with(&|p| p.producer = "db".into()),
        &plan,
        0,
        "move them with DoubleWrite",
    );
    assert_refuses(
        with(&|p| p.old = "POST /other".into()),
        &plan,
        0,
        "api does not provide \"POST /other\" at the end of the plan",
    );
    assert_refuses(with(&|p| p.new = DOLLARS.into()), &plan, 0, "are both");
    let mut serving = plan.clone();
    serving.components[1]
        .current
        .push(Fact::write("audit").serving(CENTS));
    assert_refuses(with(&|_| {}), &serving, 0, "api already has facts about");
    assert_refuses(with(&|p| p.new = " ".into()), &plan, 0, "Give the new key");
    assert_refuses(with(&|p| p.consumers.clear()), &plan, 0, "web also uses");
    assert_refuses(
        with(&|p| p.consumers.push("api".into())),
        &plan,
        0,
        "api is the producer",
    );
    assert_refuses(
        with(&|p| p.consumers.push("db".into())),
        &plan,
        0,
        "db does not use",
    );
    assert_refuses(
        with(&|p| p.consumers.push("web".into())),
        &plan,
        0,
        "appears twice among the consumers",
    );
    // At the end of the article's plan, the producer provides cents only.
    assert_refuses(
        with(&|_| {}),
        &example("cents-api"),
        3,
        "api does not provide",
    );
    // Before the contract, cents is provided already.
    assert_refuses(
        with(&|_| {}),
        &example("cents-api"),
        2,
        "is already provided by api before step 3 \"contract\"",
    );
}

#[test]
fn double_write_validates_its_inputs() {
    let plan = bare("amount-column");
    let with = |f: &dyn Fn(&mut DoubleWrite)| {
        let mut p = amount_move();
        f(&mut p);
        Pattern::DoubleWrite(p)
    };
    assert_refuses(
        with(&|p| p.store = "api".into()),
        &plan,
        0,
        "The store \"api\" is a Service",
    );
    assert_refuses(
        with(&|p| p.store = "nope".into()),
        &plan,
        0,
        "is not a component",
    );
    assert_refuses(
        with(&|p| p.old = "expenses.other".into()),
        &plan,
        0,
        "db does not provide \"expenses.other\" at the end of the plan at all",
    );
    assert_refuses(with(&|p| p.new = AMOUNT.into()), &plan, 0, "are both");
    assert_refuses(
        with(&|p| p.writers.clear()),
        &plan,
        0,
        "api also uses \"expenses.amount\"",
    );
    assert_refuses(with(&|p| p.readers.clear()), &plan, 0, "among the readers");
    assert_refuses(
        with(&|p| p.writers.push("web".into())),
        &plan,
        0,
        "web does not write",
    );
    assert_refuses(
        with(&|p| p.readers.push("db".into())),
        &plan,
        0,
        "db is the store",
    );
    // After the expand, the new column exists.
    assert_refuses(
        with(&|_| {}),
        &example("amount-column"),
        2,
        "is already provided by db",
    );
    // A gated store cannot be backfilled from while its toggle is off.
    let mut gated = plan.clone();
    gated.components[2].current = vec![Fact::provide(AMOUNT).gated("t")];
    gated.toggles.push(Toggle {
        id: "t".into(),
        initially: Switch::On,
    });
    assert_refuses(with(&|_| {}), &gated, 0, "only under a toggle");
}

// ---------------------------------------------------------------------------------------
// Drafting from the target

fn drafted(plan: &Plan) -> (Plan, Vec<String>) {
    let proposed = draft(plan);
    let mut out = plan.clone();
    proposed.append_to(&mut out);
    (out, proposed.notes)
}

fn count(report: &Report, rule: Rule) -> usize {
    report.findings.iter().filter(|f| f.rule == rule).count()
}

fn assert_draft_is_safe(plan: &Plan) -> Plan {
    let (out, notes) = drafted(plan);
    let report = check(&out);
    assert_eq!(report.summary().errors, 0, "{:#?}", report.findings);
    assert_eq!(
        count(&report, Rule::TargetNotReached),
        0,
        "{:#?}",
        report.findings
    );
    assert_eq!(
        count(&report, Rule::ToggleLeftBehind),
        0,
        "{:#?}",
        report.findings
    );
    assert_eq!(report.summary().warnings, 0, "{:#?}", report.findings);
    assert!(notes.is_empty(), "{notes:#?}");
    out
}

#[test]
fn draft_of_the_reminders_targets_goes_inside_out() {
    let out = assert_draft_is_safe(&bare("reminders"));
    let order: Vec<_> = out.steps.iter().map(|s| s.component().unwrap()).collect();
    assert_eq!(order, vec!["db", "api", "web"]);
    assert_eq!(ids(&out), vec!["db-expand", "api-expand", "web-migrate"]);
}

#[test]
fn draft_of_the_cents_api_targets_is_expand_migrate_contract() {
    let out = assert_draft_is_safe(&bare("cents-api"));
    assert_eq!(ids(&out), vec!["api-expand", "web-migrate", "api-contract"]);
    assert_eq!(changes(&out), changes(&example("cents-api")));
}

#[test]
fn draft_of_the_amount_column_targets_double_writes() {
    let out = assert_draft_is_safe(&bare("amount-column"));
    assert_eq!(
        ids(&out),
        vec!["api-double-write", "db-expand", "api-migrate", "db-drop"]
    );
    assert_eq!(
        out.steps[1].changes(),
        &[
            Change::Add(Fact::provide(AMOUNT_CENTS)),
            Change::Backfill {
                into: AMOUNT_CENTS.into(),
                from: AMOUNT.into()
            }
        ]
    );
}

#[test]
fn draft_of_a_plan_at_its_target_is_empty() {
    for name in ["reminders", "cents-api", "amount-column"] {
        let none = draft(&example(name));
        assert!(none.steps.is_empty(), "{name}: {:#?}", none.steps);
        assert!(none.notes.is_empty(), "{name}: {:#?}", none.notes);
        assert!(none.toggles.is_empty());
    }
    // Components without a target are left alone.
    let mut plan = bare("cents-api");
    for c in &mut plan.components {
        c.target = None;
    }
    assert_eq!(draft(&plan), Default::default());
}

#[test]
fn draft_finishes_a_story_half_way() {
    // The reminders story up to the table: the flip and the clean-up are left.
    let mut plan = example("reminders");
    plan.steps.truncate(3);
    let out = assert_draft_is_safe(&plan);
    assert_eq!(&ids(&out)[3..], &["reminders-on", "web-migrate"]);
    assert!(matches!(&out.steps[3], Step::Flip { to: Switch::On, .. }));
    assert_eq!(
        out.steps[4].changes(),
        &[Change::Ungate("reminders".into())]
    );
    assert_eq!(
        out.steps[4].title(),
        "Remove the \"reminders\" toggle from web"
    );

    // The amount column after the double write and the expand.
    let mut plan = example("amount-column");
    plan.steps.truncate(2);
    let out = assert_draft_is_safe(&plan);
    assert_eq!(&ids(&out)[2..], &["api-migrate", "db-drop"]);
}

#[test]
fn draft_finishes_every_prefix_of_the_articles_stories() {
    for name in ["reminders", "cents-api", "amount-column"] {
        let full = example(name);
        for k in 0..=full.steps.len() {
            let mut plan = full.clone();
            plan.steps.truncate(k);
            let (out, notes) = drafted(&plan);
            let report = check(&out);
            let summary = report.summary();
            assert!(
                summary.errors == 0 && summary.warnings == 0 && notes.is_empty(),
                "{name} after {k} steps: {:#?}\n{notes:#?}\n{:#?}",
                ids(&out),
                report.findings
            );
        }
    }
}

#[test]
fn draft_orders_readers_before_writers_and_splits_shared_reads() {
    let mut plan = orders();
    plan.toggles.push(Toggle {
        id: "import".into(),
        initially: Switch::On,
    });
    let swap = |facts: &[Fact]| -> Vec<Fact> {
        facts
            .iter()
            .map(|f| Fact {
                key: f.key.replace("orders.old", "orders.new"),
                ..f.clone()
            })
            .collect()
    };
    for c in &mut plan.components {
        c.target = Some(swap(&c.current));
    }
    let out = assert_draft_is_safe(&plan);
    let first_writer_done = out
        .steps
        .iter()
        .position(|s| s.id().ends_with("-migrate") && s.changes().iter().any(|c| matches!(c, Change::Remove(f) if f.access == storyplan::plan::Access::Write)))
        .unwrap();
    let last_read_moved = out
        .steps
        .iter()
        .rposition(|s| {
            s.changes()
                .iter()
                .any(|c| matches!(c, Change::Add(f) if f.access == storyplan::plan::Access::Read))
        })
        .unwrap();
    assert!(last_read_moved <= first_writer_done, "{:#?}", ids(&out));
    assert!(ids(&out).contains(&"billing-read-new"), "{:#?}", ids(&out));
}

#[test]
fn draft_moves_a_writer_that_stops_before_the_new_store_opens() {
    // The legacy job stops writing the old store. Were the new store added first, the
    // job's writes would miss it: the checker sends that release ahead of the backfill.
    let (old, new) = ("orders.old", "orders.new");
    let serve = |key: &str| {
        vec![
            Fact::provide("POST /order"),
            Fact::write(key).serving("POST /order"),
            Fact::provide("GET /order"),
            Fact::read(key).serving("GET /order"),
        ]
    };
    let calls = vec![Fact::call("POST /order"), Fact::call("GET /order")];
    let plan = plan_of(vec![
        component("web", Kind::Ui, calls.clone(), Some(calls)),
        component("api", Kind::Service, serve(old), Some(serve(new))),
        component("legacy", Kind::Job, vec![Fact::write(old)], Some(vec![])),
        component(
            "db",
            Kind::Database,
            vec![Fact::provide(old)],
            Some(vec![Fact::provide(new)]),
        ),
    ]);
    let out = assert_draft_is_safe(&plan);
    assert_eq!(
        ids(&out),
        vec![
            "api-double-write",
            "legacy-migrate",
            "db-expand",
            "api-migrate",
            "db-drop"
        ]
    );
}

#[test]
fn draft_moves_data_into_another_database() {
    // The amounts move to a warehouse database: its release adds the store and copies
    // the amounts over from the old database, which drops them last.
    let mut plan = bare("amount-column");
    plan.components[2].target = Some(vec![]);
    plan.components.push(component(
        "warehouse",
        Kind::Database,
        vec![],
        Some(vec![Fact::provide(AMOUNT_CENTS)]),
    ));
    let out = assert_draft_is_safe(&plan);
    assert_eq!(
        ids(&out),
        vec![
            "api-double-write",
            "warehouse-expand",
            "api-migrate",
            "db-drop"
        ]
    );
    assert!(out.steps[1].changes().contains(&Change::Backfill {
        into: AMOUNT_CENTS.into(),
        from: AMOUNT.into()
    }));
}

#[test]
fn draft_says_what_it_cannot_make_safe() {
    // The db drops the notes column, which holds data that goes nowhere.
    let mut plan = bare("reminders");
    plan.components[2]
        .current
        .push(Fact::provide("animals.notes"));
    plan.components[2].target = Some(vec![Fact::provide("users")]);
    plan.components[1].target = None;
    plan.components[0].target = None;
    let dropped = draft(&plan);
    assert_eq!(dropped.steps.len(), 1);
    assert_eq!(dropped.steps[0].id(), "db-drop");
    assert!(
        dropped
            .notes
            .iter()
            .any(|n| n.starts_with("data-loss at step \"db-drop\"")),
        "{:#?}",
        dropped.notes
    );

    // A consumer without a target keeps calling what the producer's target drops.
    let mut plan = bare("cents-api");
    plan.components[0].target = None;
    let broken = draft(&plan);
    assert!(
        broken
            .notes
            .iter()
            .any(|n| n.starts_with("broken-consumer at step \"api-contract\"")),
        "{:#?}",
        broken.notes
    );
}

#[test]
fn draft_declares_the_toggles_targets_gate_by() {
    let mut plan = bare("reminders");
    plan.components[0].target = Some(vec![
        Fact::call("GET /user/{id}"),
        Fact::call(POST_REMINDER).gated("beta"),
    ]);
    plan.components[1].target = Some(vec![
        Fact::provide("GET /user/{id}"),
        Fact::read("users").serving("GET /user/{id}"),
        Fact::provide(POST_REMINDER),
        Fact::write("reminders").serving(POST_REMINDER),
    ]);
    let beta = draft(&plan);
    assert_eq!(
        beta.toggles,
        vec![Toggle {
            id: "beta".into(),
            initially: Switch::Off
        }]
    );
    let mut out = plan.clone();
    beta.append_to(&mut out);
    let report = check(&out);
    assert_eq!(report.summary().errors, 0, "{:#?}", report.findings);
    assert_eq!(report.summary().warnings, 0, "{:#?}", report.findings);
}

/// `groups` groups of a UI, a service, a job and a database: the service's endpoint moves
/// from v1 to v2 (the UI follows) and its store moves from old to new (the job reads it).
fn generated(groups: usize) -> Plan {
    let mut components = Vec::new();
    for g in 0..groups {
        let (v1, v2) = (format!("GET /things/{g} v1"), format!("GET /things/{g} v2"));
        let post = format!("POST /things/{g}");
        let (old, new) = (format!("t{g}.old"), format!("t{g}.new"));
        components.push(component(
            &format!("web-{g}"),
            Kind::Ui,
            vec![Fact::call(&v1), Fact::call(&post)],
            Some(vec![Fact::call(&v2), Fact::call(&post)]),
        ));
        components.push(component(
            &format!("svc-{g}"),
            Kind::Service,
            vec![
                Fact::provide(&v1),
                Fact::read(&old).serving(&v1),
                Fact::provide(&post),
                Fact::write(&old).serving(&post),
            ],
            Some(vec![
                Fact::provide(&v2),
                Fact::read(&new).serving(&v2),
                Fact::provide(&post),
                Fact::write(&new).serving(&post),
            ]),
        ));
        components.push(component(
            &format!("job-{g}"),
            Kind::Job,
            vec![Fact::read(&old)],
            Some(vec![Fact::read(&new)]),
        ));
        components.push(component(
            &format!("db-{g}"),
            Kind::Database,
            vec![Fact::provide(&old)],
            Some(vec![Fact::provide(&new)]),
        ));
    }
    plan_of(components)
}

#[test]
fn draft_of_many_interface_changes_and_store_moves_is_safe() {
    let plan = generated(5);
    let all: Vec<&str> = plan.components.iter().map(|c| c.id.as_str()).collect();
    assert_clean_but_targets(&plan, &all);
    let out = assert_draft_is_safe(&plan);
    // Per group: the service double-writes, expands, migrates and contracts; the UI and
    // the job migrate; the database adds the new store and drops the old one.
    assert_eq!(out.steps.len(), 5 * 8, "{:#?}", ids(&out));
    assert_eq!(
        &ids(&out)[..8],
        &[
            "svc-0-double-write",
            "db-0-expand",
            "svc-0-expand",
            "web-0-migrate",
            "job-0-migrate",
            "svc-0-migrate",
            "svc-0-contract",
            "db-0-drop"
        ]
    );
}

// ---------------------------------------------------------------------------------------
// Edits

#[test]
fn slug_keeps_ascii_letters_digits_and_single_dashes() {
    assert_eq!(
        slug("Remind volunteers when animals need feeding!"),
        "remind-volunteers-when-animals-need-feeding"
    );
    assert_eq!(slug("  --Hello__World--  "), "hello-world");
    assert_eq!(slug("Dollars → Cents (v2)"), "dollars-cents-v2");
    assert_eq!(slug("Ünïcode"), "n-code");
    assert_eq!(slug("ABC123"), "abc123");
    assert_eq!(slug(""), "story");
    assert_eq!(slug("¡¿!?"), "story");
}

#[test]
fn fresh_id_counts_up_from_two() {
    let taken = ["a", "a-2", "b"];
    let is_taken = |id: &str| taken.contains(&id);
    assert_eq!(fresh_id(is_taken, "a"), "a-3");
    assert_eq!(fresh_id(is_taken, "b"), "b-2");
    assert_eq!(fresh_id(is_taken, "c"), "c");
}

/// Findings as (severity, rule, step, until, component, key) with ids mapped back.
fn shape(report: &Report, map: &dyn Fn(&str) -> String) -> Vec<String> {
    let mut out: Vec<String> = report
        .findings
        .iter()
        .map(|f: &Finding| {
            format!(
                "{:?} {:?} {:?} {:?} {:?} {:?}",
                f.severity,
                f.rule,
                f.step,
                f.until,
                f.component.as_deref().map(map),
                f.key
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn renaming_a_component_updates_its_releases_and_changes_no_finding() {
    // An unsafe order, so that there are findings to compare.
    let mut plan = example("reminders");
    plan.steps.swap(2, 3);
    let before = check(&plan);
    assert!(before.summary().errors > 0);
    rename_component(&mut plan, "api", "backend").unwrap();
    assert_eq!(plan.components[1].id, "backend");
    assert_eq!(plan.steps[1].component(), Some("backend"));
    let after = check(&plan);
    let back = |c: &str| {
        if c == "backend" {
            "api".to_string()
        } else {
            c.to_string()
        }
    };
    assert_eq!(shape(&after, &back), shape(&before, &|c| c.to_string()));

    assert_eq!(
        rename_component(&mut plan, "backend", "web"),
        Err("Another component already has the id \"web\"".into())
    );
    assert_eq!(
        rename_component(&mut plan, "backend", "  "),
        Err("A component id cannot be empty".into())
    );
    assert_eq!(
        rename_component(&mut plan, "api", "x"),
        Err("There is no component \"api\"".into())
    );
    assert_eq!(rename_component(&mut plan, "backend", "backend"), Ok(()));
}

#[test]
fn renaming_a_toggle_updates_every_reference() {
    let mut plan = example("reminders");
    plan.components[0]
        .target
        .as_mut()
        .unwrap()
        .push(Fact::call("GET /x").gated("reminders"));
    plan.components[0]
        .current
        .push(Fact::call("GET /x").gated("reminders"));
    // A Remove naming the toggle's gate, an accepted left-behind toggle, and an accepted
    // finding about the reminders *table*, whose key only looks like the toggle's id.
    if let Step::Release { changes, .. } = &mut plan.steps[0] {
        changes.push(Change::Remove(Fact::call("GET /y").gated("reminders")));
    }
    plan.accepted.push(Accept {
        rule: "toggle-left-behind".into(),
        step: None,
        key: Some("reminders".into()),
        reason: "kept for a while".into(),
    });
    plan.accepted.push(Accept {
        rule: "noop-change".into(),
        step: Some("enable".into()),
        key: Some("reminders".into()),
        reason: "r".into(),
    });
    plan.accepted.push(Accept {
        rule: "data-loss".into(),
        step: Some("table".into()),
        key: Some("reminders".into()),
        reason: "r".into(),
    });
    let before = check(&plan);

    rename_toggle(&mut plan, "reminders", "reminders-ui").unwrap();
    assert_eq!(plan.toggles[0].id, "reminders-ui");
    assert_eq!(
        plan.components[0].current[1].gate.as_deref(),
        Some("reminders-ui")
    );
    assert_eq!(
        plan.components[0].target.as_ref().unwrap()[3]
            .gate
            .as_deref(),
        Some("reminders-ui")
    );
    assert_eq!(
        plan.steps[0].changes(),
        &[
            Change::Add(Fact::call(POST_REMINDER).gated("reminders-ui")),
            Change::Add(Fact::call(GET_REMINDER).gated("reminders-ui")),
            Change::Remove(Fact::call("GET /y").gated("reminders-ui")),
        ]
    );
    assert!(matches!(&plan.steps[3], Step::Flip { toggle, .. } if toggle == "reminders-ui"));
    assert_eq!(
        plan.steps[4].changes(),
        &[Change::Ungate("reminders-ui".into())]
    );
    let keys: Vec<Option<&str>> = plan.accepted.iter().map(|a| a.key.as_deref()).collect();
    assert_eq!(
        keys,
        vec![
            Some("reminders-ui"),
            Some("reminders-ui"),
            Some("reminders")
        ]
    );
    // The fact keys are untouched: the table is still "reminders".
    assert!(
        plan.components[2]
            .target
            .as_ref()
            .unwrap()
            .contains(&Fact::provide("reminders"))
    );

    let after = check(&plan);
    let map = |k: &str| k.to_string();
    let keyless = |r: &Report| -> Vec<String> {
        shape(r, &map)
            .into_iter()
            .map(|s| s.replace("Some(\"reminders-ui\")", "Some(\"reminders\")"))
            .collect()
    };
    assert_eq!(keyless(&after), keyless(&before));

    assert!(rename_toggle(&mut plan, "reminders-ui", "").is_err());
    plan.toggles.push(Toggle {
        id: "other".into(),
        initially: Switch::Off,
    });
    assert!(rename_toggle(&mut plan, "reminders-ui", "other").is_err());
    assert!(rename_toggle(&mut plan, "reminders", "x").is_err());
}

#[test]
fn renaming_a_step_updates_accepted_findings() {
    let mut plan = example("amount-column");
    plan.accepted.push(Accept {
        rule: "data-loss".into(),
        step: Some("contract".into()),
        key: Some(AMOUNT.into()),
        reason: "archived".into(),
    });
    rename_step(&mut plan, "contract", "drop-amount").unwrap();
    assert_eq!(plan.steps[3].id(), "drop-amount");
    assert_eq!(plan.accepted[0].step.as_deref(), Some("drop-amount"));
    assert_eq!(check(&plan).summary().errors, 0);
    assert_eq!(
        rename_step(&mut plan, "drop-amount", "expand"),
        Err("Another step already has the id \"expand\"".into())
    );
    assert!(rename_step(&mut plan, "drop-amount", " ").is_err());
    assert!(rename_step(&mut plan, "contract", "x").is_err());
}

#[test]
fn duplicates_get_fresh_ids_and_land_after_the_original() {
    let mut plan = example("reminders");
    if let Step::Release { shipped, pr, .. } = &mut plan.steps[0] {
        *shipped = true;
        *pr = Some("#12".into());
    }
    assert_eq!(duplicate_step(&mut plan, 0), 1);
    assert_eq!(duplicate_step(&mut plan, 0), 1);
    assert_eq!(
        &ids(&plan)[..3],
        &["ui-hidden", "ui-hidden-copy-2", "ui-hidden-copy"]
    );
    assert!(!plan.steps[1].shipped());
    assert!(matches!(
        &plan.steps[1],
        Step::Release {
            pr: None,
            commit: None,
            ..
        }
    ));
    assert_eq!(plan.steps[1].changes(), plan.steps[0].changes());
    assert_eq!(duplicate_step(&mut plan, 5), 6);
    assert_eq!(plan.steps[6].id(), "enable-copy");

    assert_eq!(duplicate_component(&mut plan, 1), 2);
    assert_eq!(plan.components[2].id, "api-copy");
    assert_eq!(plan.components[2].name, "Shelter API (copy)");
    assert_eq!(plan.components[2].current, plan.components[1].current);
    assert_eq!(duplicate_component(&mut plan, 1), 2);
    assert_eq!(plan.components[2].id, "api-copy-2");
}

#[test]
fn facts_before_a_step_come_from_the_last_release_before_it() {
    let plan = example("reminders");
    let report = check(&plan);
    assert_eq!(plan.facts_before("api", 0), plan.components[1].current);
    assert_eq!(plan.facts_before("api", 1), plan.components[1].current);
    assert_eq!(
        plan.facts_before("api", 2),
        plan.facts_after(1).expect("step 2 is a release")
    );
    assert_eq!(plan.facts_before("api", 5), report.finals[1]);
    assert_eq!(plan.facts_before("web", 5), report.finals[0]);
    assert_eq!(
        plan.facts_before("web", 4),
        vec![
            Fact::call("GET /user/{id}"),
            Fact::call(POST_REMINDER).gated("reminders"),
            Fact::call(GET_REMINDER).gated("reminders"),
        ]
    );
    assert!(plan.facts_before("nope", 5).is_empty());
}

#[test]
fn apply_and_toggle_before_follow_the_checker() {
    let mut facts = vec![
        Fact::provide("k"),
        Fact::write("d").serving("k"),
        Fact::call("x").gated("t"),
        Fact::call("x"),
    ];
    assert!(!Change::Add(Fact::provide("k")).apply_to(&mut facts));
    assert!(Change::Ungate("t".into()).apply_to(&mut facts));
    assert_eq!(facts.len(), 3, "ungating merged two equal facts");
    assert!(Change::Remove(Fact::provide("k")).apply_to(&mut facts));
    assert_eq!(facts, vec![Fact::call("x")]);
    assert!(!Change::Remove(Fact::call("x").serving("other")).apply_to(&mut facts));

    let plan = example("reminders");
    assert_eq!(toggle_before(&plan, "reminders", 3), Some(Switch::Off));
    assert_eq!(toggle_before(&plan, "reminders", 4), Some(Switch::On));
    assert_eq!(toggle_before(&plan, "nope", 4), None);
}
