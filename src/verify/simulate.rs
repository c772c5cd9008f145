//! What shipping a pull request now would break, in the checker's own words: the plan
//! with the pull request's releases moved to right after the live steps (and a release
//! appended there for each change no step plans), the releases of one pull request in
//! one commit, checked; its errors at those releases, told in the plan's numbering.

use crate::check::words::{StepLabel, step_label};
use crate::check::{Finding, Rule, Severity, check};
use crate::plan::{Plan, Step};
use crate::text::{lower_first, upper_first};

use super::{Context, Shipping, changes_of};

/// The checker's errors for shipping the pull request now.
#[derive(Debug, Clone, Default)]
pub(super) struct Harm {
    /// Per changed component, in the order of the components given: the errors at its
    /// release, steps and labels those of the plan at head.
    pub of: Vec<Vec<Finding>>,
    /// Those of them that are commit races.
    pub race: Vec<Finding>,
}

impl Harm {
    pub fn at(&self, n: usize) -> &[Finding] {
        self.of.get(n).map_or(&[], Vec::as_slice)
    }
}

/// The rules whose findings say what shipping breaks.
const BREAKS: [Rule; 4] = [
    Rule::BrokenConsumer,
    Rule::DataGap,
    Rule::DataLoss,
    Rule::CommitRace,
];

/// Checks the plan as it would be if the pull request shipped now; `pr` are the matched
/// releases (indices into the plan at head).
pub(super) fn shipping_now(context: &Context, components: &[Shipping], pr: &[usize]) -> Harm {
    let head = context.head;
    let mut sim = head.clone();
    sim.steps = Vec::with_capacity(head.steps.len() + components.len());
    // Where each simulated step comes from: a step of the plan, or a changed component.
    let mut origin: Vec<Origin> = Vec::with_capacity(sim.steps.capacity());
    let label = commit_label(head);
    let together = components.len() >= 2;
    for (j, step) in head.steps.iter().enumerate() {
        if !pr.contains(&j) && context.live(j, pr) {
            sim.steps.push(step.clone());
            origin.push(Origin::Plan(j));
        }
    }
    for (n, shipping) in components.iter().enumerate() {
        let step = match shipping.step {
            Some(j) => {
                let mut step = head.steps[j].clone();
                if let Step::Release { commit, .. } = &mut step {
                    *commit = together.then(|| label.clone());
                }
                origin.push(Origin::Plan(j));
                step
            }
            None => {
                let component = head.components[shipping.difference.component].id.clone();
                origin.push(Origin::Unplanned(n));
                Step::Release {
                    id: unplanned_id(head, &component),
                    title: format!("The pull request's change to {component}"),
                    component,
                    changes: changes_of(&shipping.difference),
                    commit: together.then(|| label.clone()),
                    shipped: false,
                    notes: None,
                    pr: None,
                }
            }
        };
        sim.steps.push(step);
    }
    for (j, step) in head.steps.iter().enumerate() {
        if !pr.contains(&j) && !context.live(j, pr) {
            sim.steps.push(step.clone());
            origin.push(Origin::Plan(j));
        }
    }
    let report = check(&sim);
    let relabel = Relabel::new(&sim, &origin, head, components, &label);
    let mut harm = Harm {
        of: vec![Vec::new(); components.len()],
        race: Vec::new(),
    };
    for finding in report.findings {
        if finding.severity != Severity::Error || !BREAKS.contains(&finding.rule) {
            continue;
        }
        let Some(at) = finding.step else { continue };
        let n = match origin.get(at) {
            Some(Origin::Unplanned(n)) => *n,
            Some(Origin::Plan(j)) => match components.iter().position(|s| s.step == Some(*j)) {
                Some(n) => n,
                None => continue,
            },
            None => continue,
        };
        let to_head = |i: usize| match origin.get(i) {
            Some(Origin::Plan(j)) => Some(*j),
            _ => None,
        };
        // A race already says how the pull request deploys; the rest need the context.
        let message = match finding.rule {
            Rule::CommitRace => relabel.apply(&finding.message),
            _ => {
                let said = relabel.apply(&finding.message);
                let said = match said.starts_with("Step ") || said.starts_with("The unplanned") {
                    true => lower_first(&said),
                    false => said,
                };
                format!("If this pull request ships now: {said}")
            }
        };
        let finding = Finding {
            step: to_head(at),
            until: finding.until.and_then(to_head),
            message,
            hint: relabel.apply(&finding.hint),
            ..finding
        };
        if finding.rule == Rule::CommitRace {
            harm.race.push(finding.clone());
        }
        harm.of[n].push(finding);
    }
    harm
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// A step of the plan at head.
    Plan(usize),
    /// The release made up for the n-th changed component, which no step plans.
    Unplanned(usize),
}

/// A commit label no release of the plan uses, for the pull request's releases.
fn commit_label(plan: &Plan) -> String {
    let used = |label: &str| plan.steps.iter().any(|s| s.commit() == Some(label));
    let mut label = "this pull request".to_string();
    while used(&label) {
        label.push('\'');
    }
    label
}

/// A step id no step of the plan has, for the release made up for an unplanned change.
fn unplanned_id(plan: &Plan, component: &str) -> String {
    let mut id = format!("unplanned change to {component}");
    while plan.step_index(&id).is_some() {
        id.push('\'');
    }
    id
}

/// Rewrites the simulated plan's step labels (`step 2 "endpoints"`) into the plan's own,
/// a made-up release into what it is, and the pull request's commit into "this pull
/// request", in one pass so that no rewrite is rewritten again.
struct Relabel {
    /// From, to; longest first.
    pairs: Vec<(String, String)>,
}

impl Relabel {
    fn new(
        sim: &Plan,
        origin: &[Origin],
        head: &Plan,
        components: &[Shipping],
        label: &str,
    ) -> Relabel {
        let mut pairs = Vec::new();
        for (s, step) in sim.steps.iter().enumerate() {
            let from = StepLabel::new(s, step.id()).to_string();
            let to = match origin.get(s) {
                Some(Origin::Plan(j)) => step_label(head, *j).to_string(),
                Some(Origin::Unplanned(n)) => {
                    let component = components[*n].difference.component;
                    format!("the unplanned change to {}", head.components[component].id)
                }
                None => continue,
            };
            if from != to {
                pairs.push((upper_first(&from), upper_first(&to)));
                pairs.push((from, to));
            }
        }
        pairs.push((
            format!("commit \"{label}\""),
            "this pull request".to_string(),
        ));
        pairs.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        Relabel { pairs }
    }

    fn apply(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        'scan: while let Some(c) = rest.chars().next() {
            for (from, to) in &self.pairs {
                if let Some(after) = rest.strip_prefix(from.as_str()) {
                    out.push_str(to);
                    rest = after;
                    continue 'scan;
                }
            }
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
        out
    }
}
