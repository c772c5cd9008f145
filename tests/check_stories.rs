//! The article's three stories: the safe order checks clean, and the unsafe orders it
//! warns about produce exactly the findings it predicts.

use storyplan::check::{Finding, Report, Rollback, Rule, Severity, Status, check};
use storyplan::plan::{Change, Plan, Step};

#[path = "common/stories.rs"]
mod stories;

use stories::{example, in_commit, reorder};

/// (severity, rule, step id, key, until id) of every finding, rollback infos left out.
fn pinned(plan: &Plan, report: &Report) -> Vec<(Severity, Rule, String, String, String)> {
    let id = |s: Option<usize>| s.map_or("-".to_string(), |s| plan.steps[s].id().to_string());
    report
        .findings
        .iter()
        .filter(|f| f.rule != Rule::Rollback)
        .map(|f| {
            (
                f.severity,
                f.rule,
                id(f.step),
                f.key.clone().unwrap_or_else(|| "-".into()),
                id(f.until),
            )
        })
        .collect()
}

fn row(
    severity: Severity,
    rule: Rule,
    step: &str,
    key: &str,
    until: &str,
) -> (Severity, Rule, String, String, String) {
    (severity, rule, step.into(), key.into(), until.into())
}

fn first(report: &Report, rule: Rule) -> &Finding {
    report
        .findings
        .iter()
        .find(|f| f.rule == rule)
        .expect("a finding of the rule")
}

fn windows(report: &Report) -> Vec<Rollback> {
    report.steps.iter().map(|s| s.rollback).collect()
}

const POST_REMINDER: &str = "POST /user/{id}/reminder";
const GET_REMINDER: &str = "GET /user/{id}/reminder";

#[test]
fn reminders_behind_a_toggle_is_clean() {
    let plan = example("reminders");
    let report = check(&plan);
    assert_eq!(pinned(&plan, &report), vec![]);
    assert!(report.steps.iter().all(|s| s.status == Status::Ok));
    // The endpoints and the table can be reverted until the toggle is on.
    assert_eq!(
        windows(&report),
        vec![
            Rollback::Safe,
            Rollback::Until(3),
            Rollback::Until(3),
            Rollback::Safe,
            Rollback::Safe
        ]
    );
    let rollback: Vec<_> = report
        .findings
        .iter()
        .map(|f| (f.rule, f.step, f.until, f.key.as_deref()))
        .collect();
    assert_eq!(
        rollback,
        vec![
            (Rule::Rollback, Some(1), Some(3), Some(POST_REMINDER)),
            (Rule::Rollback, Some(2), Some(3), Some("reminders")),
        ]
    );
}

#[test]
fn reminders_ui_first_without_a_toggle_breaks_the_ui_then_the_api() {
    let mut plan = example("reminders");
    if let Step::Release { changes, .. } = &mut plan.steps[0] {
        for change in changes {
            if let Change::Add(fact) = change {
                fact.gate = None;
            }
        }
    }
    plan.toggles.clear();
    let plan = reorder(plan, &["ui-hidden", "endpoints", "table"]);
    let report = check(&plan);
    let e = Severity::Error;
    assert_eq!(
        pinned(&plan, &report),
        vec![
            row(
                e,
                Rule::BrokenConsumer,
                "ui-hidden",
                GET_REMINDER,
                "endpoints"
            ),
            row(
                e,
                Rule::BrokenConsumer,
                "ui-hidden",
                POST_REMINDER,
                "endpoints"
            ),
            row(e, Rule::BrokenConsumer, "endpoints", "reminders", "table"),
        ]
    );
    let api = &report.findings[2];
    assert_eq!(api.component.as_deref(), Some("api"));
    assert!(
        api.message.contains("what it writes is not saved"),
        "{}",
        api.message
    );
    let ui = &report.findings[0];
    assert!(
        ui.hint
            .contains("Move step 1 \"ui-hidden\" after step 3 \"table\"")
            && ui.hint.contains("toggle"),
        "{}",
        ui.hint
    );
}

#[test]
fn reminders_flip_before_the_table_breaks_the_api() {
    let plan = reorder(
        example("reminders"),
        &["ui-hidden", "endpoints", "enable", "table", "cleanup"],
    );
    let report = check(&plan);
    assert_eq!(
        pinned(&plan, &report),
        vec![row(
            Severity::Error,
            Rule::BrokenConsumer,
            "enable",
            "reminders",
            "table"
        )]
    );
    assert_eq!(
        first(&report, Rule::BrokenConsumer).hint,
        "Move the flip step 3 \"enable\" after step 4 \"table\"."
    );
    assert_eq!(report.steps[2].status, Status::Error);
}

#[test]
fn reminders_flip_before_the_endpoints_breaks_the_ui() {
    let plan = reorder(
        example("reminders"),
        &["ui-hidden", "enable", "endpoints", "table", "cleanup"],
    );
    let report = check(&plan);
    let e = Severity::Error;
    assert_eq!(
        pinned(&plan, &report),
        vec![
            row(e, Rule::BrokenConsumer, "enable", GET_REMINDER, "endpoints"),
            row(
                e,
                Rule::BrokenConsumer,
                "enable",
                POST_REMINDER,
                "endpoints"
            ),
            row(e, Rule::BrokenConsumer, "endpoints", "reminders", "table"),
        ]
    );
}

#[test]
fn reminders_without_cleanup_leaves_the_toggle_behind() {
    let plan = reorder(
        example("reminders"),
        &["ui-hidden", "endpoints", "table", "enable"],
    );
    let report = check(&plan);
    let w = Severity::Warning;
    assert_eq!(
        pinned(&plan, &report),
        vec![
            row(w, Rule::ToggleLeftBehind, "-", "reminders", "-"),
            row(w, Rule::TargetNotReached, "-", "-", "-"),
        ]
    );
    assert_eq!(
        report.findings[0].hint,
        "Add a release of web with Ungate(\"reminders\") after step 4 \"enable\"."
    );
    assert!(
        report.findings[1]
            .message
            .contains("missing Call(\"POST /user/{id}/reminder\")")
    );
}

#[test]
fn reminders_endpoints_and_table_in_one_commit_are_safe_behind_the_toggle() {
    let plan = in_commit(example("reminders"), &["endpoints", "table"], "pr-2");
    assert_eq!(pinned(&plan, &check(&plan)), vec![]);
}

const DOLLARS: &str = "POST /animals/{id}/expense {amount: dollars}";
const CENTS: &str = "POST /animals/{id}/expense {amount: cents}";

#[test]
fn cents_api_by_expand_migrate_contract_is_clean() {
    let plan = example("cents-api");
    let report = check(&plan);
    assert_eq!(pinned(&plan, &report), vec![]);
    assert_eq!(
        windows(&report),
        vec![Rollback::Until(1), Rollback::Until(2), Rollback::Safe]
    );
}

#[test]
fn cents_api_ui_first_breaks_the_ui_until_the_expand() {
    let plan = reorder(example("cents-api"), &["migrate", "expand", "contract"]);
    let report = check(&plan);
    assert_eq!(
        pinned(&plan, &report),
        vec![row(
            Severity::Error,
            Rule::BrokenConsumer,
            "migrate",
            CENTS,
            "expand"
        )]
    );
    assert_eq!(report.findings[0].component.as_deref(), Some("web"));
}

#[test]
fn cents_api_contract_before_migrate_breaks_the_ui() {
    let plan = reorder(example("cents-api"), &["expand", "contract", "migrate"]);
    let report = check(&plan);
    assert_eq!(
        pinned(&plan, &report),
        vec![row(
            Severity::Error,
            Rule::BrokenConsumer,
            "contract",
            DOLLARS,
            "migrate"
        )]
    );
    assert_eq!(
        first(&report, Rule::BrokenConsumer).hint,
        "Move step 2 \"contract\" after step 3 \"migrate\"."
    );
}

#[test]
fn cents_api_backend_change_without_expand_breaks_the_ui() {
    let mut plan = example("cents-api");
    // One release replaces the dollars endpoint with the cents one.
    plan.steps = vec![
        plan.steps[0].clone(),
        plan.steps[2].clone(),
        plan.steps[1].clone(),
    ];
    if let Step::Release { changes, .. } = &mut plan.steps[0] {
        let contract = plan_changes(&example("cents-api"), "contract");
        changes.extend(contract);
    }
    plan.steps.remove(1);
    let report = check(&plan);
    assert_eq!(
        pinned(&plan, &report),
        vec![row(
            Severity::Error,
            Rule::BrokenConsumer,
            "expand",
            DOLLARS,
            "migrate"
        )]
    );
}

fn plan_changes(plan: &Plan, id: &str) -> Vec<Change> {
    let index = plan.step_index(id).expect("step exists");
    plan.steps[index].changes().to_vec()
}

#[test]
fn cents_api_released_in_one_commit_races() {
    let plan = in_commit(example("cents-api"), &["expand", "migrate"], "pr-1");
    let report = check(&plan);
    assert_eq!(
        pinned(&plan, &report),
        vec![row(
            Severity::Error,
            Rule::CommitRace,
            "migrate",
            CENTS,
            "expand"
        )]
    );
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.rule == Rule::CommitRace && f.message.contains("\"migrate\" → \"expand\""))
    );
}

#[test]
fn cents_api_replace_in_one_commit_races_in_both_orders() {
    // The big bang: the API swaps dollars for cents and the web app follows, one commit.
    let mut plan = example("cents-api");
    let mut swap = plan_changes(&plan, "expand");
    swap.extend(plan_changes(&plan, "contract"));
    if let Step::Release {
        changes, commit, ..
    } = &mut plan.steps[0]
    {
        *changes = swap;
        *commit = Some("pr-1".into());
    }
    if let Step::Release { commit, .. } = &mut plan.steps[1] {
        *commit = Some("pr-1".into());
    }
    plan.steps.truncate(2);
    let report = check(&plan);
    let e = Severity::Error;
    assert_eq!(
        pinned(&plan, &report),
        vec![
            row(e, Rule::CommitRace, "expand", DOLLARS, "migrate"),
            row(e, Rule::CommitRace, "migrate", CENTS, "expand"),
        ]
    );
}

const AMOUNT: &str = "expenses.amount";
const AMOUNT_CENTS: &str = "expenses.amount_cents";

#[test]
fn amount_column_with_a_double_write_is_clean() {
    let plan = example("amount-column");
    let report = check(&plan);
    assert_eq!(pinned(&plan, &report), vec![]);
    assert_eq!(
        windows(&report),
        vec![
            Rollback::Until(1),
            Rollback::Until(2),
            Rollback::LosesData,
            Rollback::Irreversible
        ]
    );
    let migrate = report
        .findings
        .iter()
        .find(|f| f.step == Some(2))
        .expect("migrate has a rollback finding");
    assert_eq!(migrate.severity, Severity::Info);
    assert_eq!(migrate.key.as_deref(), Some(AMOUNT));
}

#[test]
fn amount_column_without_a_double_write_opens_a_gap_and_loses_data() {
    let plan = reorder(example("amount-column"), &["expand", "migrate", "contract"]);
    let report = check(&plan);
    let e = Severity::Error;
    assert_eq!(
        pinned(&plan, &report),
        vec![
            row(e, Rule::DataGap, "expand", AMOUNT_CENTS, "-"),
            // Without the double write, migrate's removal of it matches nothing.
            row(
                Severity::Warning,
                Rule::NoopChange,
                "migrate",
                AMOUNT_CENTS,
                "-"
            ),
            row(e, Rule::DataLoss, "contract", AMOUNT, "-"),
        ]
    );
    let gap = &report.findings[0];
    assert!(
        gap.hint
            .starts_with("Add a pre-emptive double write before step 1 \"expand\""),
        "{}",
        gap.hint
    );
    assert!(
        gap.message.contains("api reads it from step 2 \"migrate\""),
        "{}",
        gap.message
    );
}

#[test]
fn amount_column_expand_before_the_double_write_still_has_a_gap() {
    let plan = reorder(
        example("amount-column"),
        &["expand", "double-write", "migrate", "contract"],
    );
    let report = check(&plan);
    let e = Severity::Error;
    assert_eq!(
        pinned(&plan, &report),
        vec![
            row(e, Rule::DataGap, "expand", AMOUNT_CENTS, "-"),
            row(e, Rule::DataLoss, "contract", AMOUNT, "-"),
        ]
    );
}

#[test]
fn amount_column_double_write_after_its_expand_is_told_to_move_not_to_be_added() {
    // SPEC §3 hints: the plan already has the double write, in the wrong place.
    let plan = reorder(
        example("amount-column"),
        &["expand", "double-write", "migrate", "contract"],
    );
    let report = check(&plan);
    assert_eq!(
        first(&report, Rule::DataGap).hint,
        "Move step 2 \"double-write\", the double write, before step 1 \"expand\"."
    );
    // The data loss at the contract names the incomplete copy it was meant to keep, and the
    // same move.
    assert_eq!(
        first(&report, Rule::DataLoss).hint,
        "\"expenses.amount_cents\" was meant to keep this data but misses writes from step 1 \"expand\" on. Move step 2 \"double-write\", the double write, before step 1 \"expand\"."
    );
}

#[test]
fn amount_column_double_write_under_another_interface_names_both() {
    // SPEC §3 hints: a double write whose `Serving` interface differs cannot match.
    let mut plan = example("amount-column");
    let at = plan.step_index("double-write").expect("the story has it");
    if let Step::Release { changes, .. } = &mut plan.steps[at]
        && let Some(Change::Add(fact)) = changes.first_mut()
    {
        fact.serving = Some("GET /animals/{id}/expenses".into());
    }
    let report = check(&plan);
    // Writes compare per interface both ways: "amount_cents" misses the POST writes, and
    // "amount" falls behind the GET ones, which the API reads from it.
    let e = Severity::Error;
    assert_eq!(
        pinned(&plan, &report),
        vec![
            row(e, Rule::DataGap, "expand", AMOUNT, "-"),
            row(e, Rule::DataGap, "expand", AMOUNT_CENTS, "-"),
            row(e, Rule::DataLoss, "contract", AMOUNT, "-"),
        ]
    );
    // The stale read happens because the database made the mirror live, so there is no
    // reader's migration to move before it.
    assert!(
        report.findings[0]
            .hint
            .starts_with("Keep writing \"expenses.amount\""),
        "{}",
        report.findings[0].hint
    );
    assert_eq!(
        report.findings[1].hint,
        "api writes \"expenses.amount_cents\" while serving \"GET /animals/{id}/expenses\" but writes \"expenses.amount\" while serving \"POST /animals/{id}/expense\": a double write matches only under the same interface, so write \"expenses.amount_cents\" while serving \"POST /animals/{id}/expense\" too."
    );
}

#[test]
fn reminders_flip_before_endpoints_and_table_is_told_to_follow_the_table() {
    // SPEC §3 hints: a move names the last step to follow, so one move clears the break
    // (after the endpoints alone, the API's writes would break until the table).
    let plan = reorder(
        example("reminders"),
        &["ui-hidden", "enable", "endpoints", "table", "cleanup"],
    );
    let report = check(&plan);
    let e = Severity::Error;
    assert_eq!(
        pinned(&plan, &report),
        vec![
            row(e, Rule::BrokenConsumer, "enable", GET_REMINDER, "endpoints"),
            row(
                e,
                Rule::BrokenConsumer,
                "enable",
                POST_REMINDER,
                "endpoints"
            ),
            row(e, Rule::BrokenConsumer, "endpoints", "reminders", "table"),
        ]
    );
    for f in report.findings.iter().filter(|f| f.step == Some(1)) {
        assert_eq!(
            f.hint,
            "Move the flip step 2 \"enable\" after step 4 \"table\"."
        );
    }
    // The API's own release: move it, or gate it behind the plan's toggle.
    assert_eq!(
        report.findings[2].hint,
        "Move step 3 \"endpoints\" after step 4 \"table\", or gate api's use of \"reminders\" behind the toggle \"reminders\" and turn it on after step 4 \"table\"."
    );
}

#[test]
fn amount_column_dropped_while_still_written_breaks_the_api() {
    let plan = reorder(
        example("amount-column"),
        &["double-write", "expand", "contract", "migrate"],
    );
    let report = check(&plan);
    assert_eq!(
        pinned(&plan, &report),
        vec![row(
            Severity::Error,
            Rule::BrokenConsumer,
            "contract",
            AMOUNT,
            "migrate"
        )]
    );
    let message = &first(&report, Rule::BrokenConsumer).message;
    assert!(
        message.starts_with("api writes \"expenses.amount\""),
        "{message}"
    );
}

#[test]
fn amount_column_migration_and_code_in_one_commit_race() {
    let plan = in_commit(example("amount-column"), &["expand", "migrate"], "pr-2");
    let report = check(&plan);
    assert_eq!(
        pinned(&plan, &report),
        vec![row(
            Severity::Error,
            Rule::CommitRace,
            "migrate",
            AMOUNT_CENTS,
            "expand"
        )]
    );
    assert_eq!(
        report
            .findings
            .iter()
            .find(|f| f.rule == Rule::CommitRace)
            .and_then(|f| f.component.as_deref()),
        Some("api")
    );
}

#[test]
fn accepting_the_data_loss_keeps_the_reason() {
    let mut plan = reorder(
        example("amount-column"),
        &["double-write", "expand", "migrate", "contract"],
    );
    plan.steps.retain(|s| s.id() != "double-write");
    plan.accepted.push(storyplan::plan::Accept {
        rule: "data-loss".into(),
        step: Some("contract".into()),
        key: Some(AMOUNT.into()),
        reason: "amounts before March are archived elsewhere".into(),
    });
    let report = check(&plan);
    let loss = report
        .findings
        .iter()
        .find(|f| f.rule == Rule::DataLoss)
        .expect("data-loss is still listed");
    assert_eq!(loss.severity, Severity::Accepted);
    assert_eq!(
        loss.reason.as_deref(),
        Some("amounts before March are archived elsewhere")
    );
    assert_eq!(report.summary().accepted, 1);
    assert_eq!(report.steps[2].status, Status::Ok);
}
