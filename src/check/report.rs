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
        let mut summary = Summary::default();
        for finding in &self.findings {
            match finding.severity {
                Severity::Error => summary.errors += 1,
                Severity::Warning => summary.warnings += 1,
                Severity::Info => summary.infos += 1,
                Severity::Accepted => summary.accepted += 1,
            }
        }
        summary
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
