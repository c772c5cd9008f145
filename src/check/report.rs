//! What the checker found: findings, and per step a status and a rollback window.

use std::fmt;

use serde::Serialize;

use crate::plan::Fact;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
    Accepted,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Accepted => "accepted",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The checker's rules, and the ones `storyplan verify` adds (SPEC §8; verify's
/// `commit-race` is the checker's); their ids are a stable contract (JSON output,
/// `accepted`, tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    BrokenConsumer,
    DataGap,
    DataLoss,
    CommitRace,
    BadReference,
    NoopChange,
    ToggleLeftBehind,
    TargetNotReached,
    ExternalRelease,
    ShippedOrder,
    Rollback,
    /// Verify only: a pull request's change that no unshipped release plans.
    UnplannedChange,
    /// Verify only: a pull request ships a release before unshipped steps it follows.
    OutOfOrder,
    /// Verify only: a release a pull request ships that the plan does not mark shipped.
    NotMarkedShipped,
    /// Verify only: the plan's shipped steps and the sources disagree at the base.
    PlanDrift,
}

impl Rule {
    /// The checker's rules: the ones a plan can accept.
    pub const ALL: [Rule; 11] = [
        Rule::BrokenConsumer,
        Rule::DataGap,
        Rule::DataLoss,
        Rule::CommitRace,
        Rule::BadReference,
        Rule::NoopChange,
        Rule::ToggleLeftBehind,
        Rule::TargetNotReached,
        Rule::ExternalRelease,
        Rule::ShippedOrder,
        Rule::Rollback,
    ];

    /// The rules of `storyplan verify`, which the checker never reports.
    pub const VERIFY: [Rule; 5] = [
        Rule::UnplannedChange,
        Rule::OutOfOrder,
        Rule::CommitRace,
        Rule::NotMarkedShipped,
        Rule::PlanDrift,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Rule::BrokenConsumer => "broken-consumer",
            Rule::DataGap => "data-gap",
            Rule::DataLoss => "data-loss",
            Rule::CommitRace => "commit-race",
            Rule::BadReference => "bad-reference",
            Rule::NoopChange => "noop-change",
            Rule::ToggleLeftBehind => "toggle-left-behind",
            Rule::TargetNotReached => "target-not-reached",
            Rule::ExternalRelease => "external-release",
            Rule::ShippedOrder => "shipped-order",
            Rule::Rollback => "rollback",
            Rule::UnplannedChange => "unplanned-change",
            Rule::OutOfOrder => "out-of-order",
            Rule::NotMarkedShipped => "not-marked-shipped",
            Rule::PlanDrift => "plan-drift",
        }
    }

    /// The checker's rule with this id.
    pub fn from_id(id: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|rule| rule.id() == id)
    }

    /// What the rule finds, in one line (SARIF's short description, the help's title).
    pub fn summary(self) -> &'static str {
        match self {
            Rule::BrokenConsumer => "A step leaves a component using a key nothing provides",
            Rule::DataGap => "A store misses writes or is read while stale",
            Rule::DataLoss => "A store that holds data stops being provided and its data is lost",
            Rule::CommitRace => "Releases in one commit break something in some deploy order",
            Rule::BadReference => {
                "A reference to something the plan does not have, or a malformed plan part"
            }
            Rule::NoopChange => "A change that changes nothing",
            Rule::ToggleLeftBehind => "A toggle still gates facts at the end of the plan",
            Rule::TargetNotReached => "A component ends the plan short of its target",
            Rule::ExternalRelease => "A release of a third party the team does not deploy",
            Rule::ShippedOrder => "A shipped step comes after a step that is not shipped",
            Rule::Rollback => "A step cannot be reverted at every later point of the plan",
            Rule::UnplannedChange => "A pull request changes what no unshipped release plans",
            Rule::OutOfOrder => {
                "A pull request ships a release before the steps planned ahead of it"
            }
            Rule::NotMarkedShipped => "A release ships without the plan marking it shipped",
            Rule::PlanDrift => "What the sources say differs from the plan's shipped state",
        }
    }

    /// How such a finding is usually fixed (SARIF's help text).
    pub fn help(self) -> &'static str {
        match self {
            Rule::BrokenConsumer => {
                "Release the provider first (move the consumer's step after it), gate the new use behind a toggle flipped once the provider is live, or keep the old interface until every consumer has moved."
            }
            Rule::DataGap => {
                "Add a pre-emptive double write before the new store is read or backfilled, so it never misses a write."
            }
            Rule::DataLoss => {
                "Copy the data elsewhere (expand, double write, backfill) before the store stops being provided, or accept the loss with a reason."
            }
            Rule::CommitRace => {
                "Split the commit so each release deploys on its own, in the order that is safe."
            }
            Rule::BadReference => {
                "Fix the id, toggle or fact the finding names; every reference must name something the plan declares."
            }
            Rule::NoopChange => "Remove the change, or change what it was meant to change.",
            Rule::ToggleLeftBehind => {
                "Add a release that ungates the toggle once it is on for good, or put the gate in the target."
            }
            Rule::TargetNotReached => {
                "Add the releases that bring the component to its target (the board's draft proposes them), or correct the target."
            }
            Rule::ExternalRelease => {
                "A third party is not released by the team: model what it provides in its current facts instead."
            }
            Rule::ShippedOrder => {
                "Mark the earlier step shipped if it is live, or move the shipped step back to where it shipped."
            }
            Rule::Rollback => {
                "Know the window: revert only before the step the finding names, or plan a fix forward."
            }
            Rule::UnplannedChange => {
                "Add the change to the plan as a release (in the right place), or take it out of the pull request."
            }
            Rule::OutOfOrder => {
                "Ship the steps before it first, or reorder the plan if the order was wrong (storyplan check judges the new order)."
            }
            Rule::NotMarkedShipped => "Mark the step shipped: true in the same pull request.",
            Rule::PlanDrift => {
                "Mark the steps that did ship as shipped, or correct the plan's current facts (storyplan import)."
            }
        }
    }

    /// The severity a finding of this rule has before it is accepted.
    pub fn severity(self) -> Severity {
        match self {
            Rule::BrokenConsumer
            | Rule::DataGap
            | Rule::DataLoss
            | Rule::CommitRace
            | Rule::BadReference
            | Rule::UnplannedChange
            | Rule::OutOfOrder => Severity::Error,
            Rule::NoopChange
            | Rule::ToggleLeftBehind
            | Rule::TargetNotReached
            | Rule::ExternalRelease
            | Rule::ShippedOrder
            | Rule::NotMarkedShipped
            | Rule::PlanDrift => Severity::Warning,
            Rule::Rollback => Severity::Info,
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub rule: Rule,
    /// Index into `plan.steps` (0-based), or `None` for the whole plan.
    pub step: Option<usize>,
    /// For a break: the step where it ends, if any.
    pub until: Option<usize>,
    pub component: Option<String>,
    pub key: Option<String>,
    pub message: String,
    pub hint: String,
    /// Set when the plan accepts this finding.
    pub reason: Option<String>,
}

impl Finding {
    /// A finding with its rule's severity; messages and hints that start with a step's
    /// label get a capital letter.
    pub fn new(
        rule: Rule,
        step: Option<usize>,
        component: Option<String>,
        key: Option<String>,
        message: String,
        hint: String,
    ) -> Finding {
        Finding {
            severity: rule.severity(),
            rule,
            step,
            until: None,
            component,
            key,
            message: sentence(message),
            hint: sentence(hint),
            reason: None,
        }
    }
}

/// How long a step can be reverted without breaking a consumer or losing data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rollback {
    Safe,
    /// Safe until the step at this index ships.
    Until(usize),
    LosesData,
    Irreversible,
}

impl Rollback {
    pub fn name(self) -> &'static str {
        match self {
            Rollback::Safe => "safe",
            Rollback::Until(_) => "until",
            Rollback::LosesData => "loses-data",
            Rollback::Irreversible => "irreversible",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Ok,
    Warning,
    Error,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warning => "warning",
            Status::Error => "error",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepReport {
    pub status: Status,
    pub rollback: Rollback,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub accepted: usize,
}

impl Summary {
    /// How many of `findings` have each severity.
    pub fn of<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Summary {
        let mut summary = Summary::default();
        for finding in findings {
            match finding.severity {
                Severity::Error => summary.errors += 1,
                Severity::Warning => summary.warnings += 1,
                Severity::Info => summary.infos += 1,
                Severity::Accepted => summary.accepted += 1,
            }
        }
        summary
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Report {
    /// Sorted by step (plan-wide findings first), then severity, rule, component and key.
    pub findings: Vec<Finding>,
    /// One entry per step of the plan, in plan order.
    pub steps: Vec<StepReport>,
    /// Each component's facts at the end of the plan, in `plan.components` order.
    pub finals: Vec<Vec<Fact>>,
}

impl Report {
    pub fn summary(&self) -> Summary {
        Summary::of(&self.findings)
    }

    pub fn findings_at(&self, step: usize) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.step == Some(step))
    }

    /// Components with a broken use while step `step` is live (for the board's lanes).
    pub fn broken_at(&self, step: usize) -> impl Iterator<Item = &str> {
        self.findings.iter().filter_map(move |f| {
            let live = f.rule == Rule::BrokenConsumer
                && f.step.is_some_and(|s| s <= step)
                && f.until.is_none_or(|u| step < u);
            live.then_some(f.component.as_deref()).flatten()
        })
    }
}

/// Starts a message or hint that begins with a step's label with a capital letter;
/// component ids and keys keep their case.
pub(crate) fn sentence(text: String) -> String {
    match text.strip_prefix("step ") {
        Some(rest) => format!("Step {rest}"),
        None => text,
    }
}
