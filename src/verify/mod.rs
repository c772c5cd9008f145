//! `storyplan verify` (SPEC §8): does a pull request ship the plan's next steps?
//!
//! Each sourced component's facts at the pull request's base and head come in; their
//! difference (added and removed facts, modifiers ignored) is matched to the first
//! release of that component, in plan order, not shipped at the base, whose changes
//! projected onto the kinds its sources yield equal it. What does not match, what ships
//! before unshipped steps, and what ships as separate releases in one pull request are
//! errors, each with the checker's own findings for shipping the change now (see
//! [`simulate`]). Pure: reading the revisions is the command's work (`cli::verify`).

mod simulate;

use std::collections::BTreeSet;

use rustc_hash::FxHashSet;
use serde::Serialize;

use crate::check::words::step_label;
use crate::check::{Finding, Rule, Severity, Summary};
use crate::plan::{Access, Change, Fact, Plan, Source, Step};

/// A base fact as the sources see it: its access and key, modifiers dropped.
pub type Key = (Access, String);

/// One sourced component's facts at the base and at the head of a pull request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sourced {
    /// The component's index in the plan at head.
    pub component: usize,
    pub base: Vec<Fact>,
    pub head: Vec<Fact>,
    /// Its sources that are new at head: missing at the base, where the plan did not
    /// name them. What they yield is a difference from nothing.
    pub new_sources: Vec<Source>,
}

/// What a pull request changes of one component, as its sources say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The component's index in the plan at head.
    pub component: usize,
    /// Sorted, without modifiers.
    pub added: Vec<Fact>,
    pub removed: Vec<Fact>,
}

impl Difference {
    pub fn of(sourced: &Sourced) -> Difference {
        let base: BTreeSet<Key> = sourced.base.iter().map(key).collect();
        let head: BTreeSet<Key> = sourced.head.iter().map(key).collect();
        Difference {
            component: sourced.component,
            added: head.difference(&base).map(fact).collect(),
            removed: base.difference(&head).map(fact).collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }

    fn keys(&self) -> (BTreeSet<Key>, BTreeSet<Key>) {
        (
            self.added.iter().map(key).collect(),
            self.removed.iter().map(key).collect(),
        )
    }
}

/// How a component's difference stands against the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// It is the plan's next release of the component.
    Matches,
    /// It is a release that unshipped steps come before.
    OutOfOrder,
    /// No unshipped release makes it.
    Unplanned,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Matches => "matches",
            Status::OutOfOrder => "out-of-order",
            Status::Unplanned => "unplanned",
        }
    }
}

/// A component the pull request changes: its difference, the release it matches and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shipping {
    pub difference: Difference,
    /// The matched release (an index into the plan's steps at head).
    pub step: Option<usize>,
    pub status: Status,
    /// The component's sources that are new in the pull request (a difference from nothing).
    pub new_sources: Vec<Source>,
}

/// Everything `verify` says of one plan.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Verification {
    /// The components the pull request changes, in the plan's order.
    pub components: Vec<Shipping>,
    /// Verify's findings, each error followed by the checker's findings for shipping the
    /// change now; steps are indices into the plan at head.
    pub findings: Vec<Finding>,
}

impl Verification {
    pub fn summary(&self) -> Summary {
        Summary::of(&self.findings)
    }

    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

/// One release's changes, projected onto the kinds its component's sources yield.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Planned {
    step: usize,
    added: BTreeSet<Key>,
    removed: BTreeSet<Key>,
}

impl Planned {
    fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }
}

fn key(fact: &Fact) -> Key {
    (fact.access, fact.key.trim().to_string())
}

fn fact(key: &Key) -> Fact {
    Fact::new(key.0, key.1.clone())
}

/// The kinds of facts a component's sources yield.
fn kinds(sources: &[Source]) -> Vec<Access> {
    let mut kinds: Vec<Access> = sources.iter().map(Source::access).collect();
    kinds.sort();
    kinds.dedup();
    kinds
}

fn project(facts: &[Fact], kinds: &[Access]) -> BTreeSet<Key> {
    facts
        .iter()
        .filter(|f| kinds.contains(&f.access))
        .map(key)
        .collect()
}

/// What each release of component `c` changes of the kinds its sources yield, in plan
/// order: the component's facts before and after the release, as the plan writes them
/// (each release after the ones before it), compared. Only the first component of a
/// duplicated id is released, as in the checker.
fn releases_of(plan: &Plan, c: usize) -> Vec<Planned> {
    let Some(component) = plan.components.get(c) else {
        return Vec::new();
    };
    if plan.components.iter().position(|x| x.id == component.id) != Some(c) {
        return Vec::new();
    }
    let kinds = kinds(&component.sources);
    let mut facts = component.current.clone();
    let mut planned = Vec::new();
    for (i, step) in plan.steps.iter().enumerate() {
        if step.component() != Some(component.id.as_str()) {
            continue;
        }
        let before = project(&facts, &kinds);
        for change in step.changes() {
            change.apply_to(&mut facts);
        }
        let after = project(&facts, &kinds);
        planned.push(Planned {
            step: i,
            added: after.difference(&before).cloned().collect(),
            removed: before.difference(&after).cloned().collect(),
        });
    }
    planned
}

/// The ids of the steps the plan at the base marks shipped.
fn shipped_ids(base: Option<&Plan>) -> FxHashSet<&str> {
    base.map(|plan| {
        plan.steps
            .iter()
            .filter(|s| s.shipped())
            .map(Step::id)
            .collect()
    })
    .unwrap_or_default()
}

/// The plan at head read against the base: which steps had shipped, and what each
/// sourced component's releases change of what its sources yield.
struct Context<'a> {
    head: &'a Plan,
    base: Option<&'a Plan>,
    shipped_at_base: FxHashSet<&'a str>,
    /// Per component of the plan at head: its releases' projections (empty for a
    /// component without sources).
    planned: Vec<Vec<Planned>>,
}

impl<'a> Context<'a> {
    fn new(head: &'a Plan, base: Option<&'a Plan>) -> Context<'a> {
        let planned = (0..head.components.len())
            .map(|c| {
                if head.components[c].sources.is_empty() {
                    Vec::new()
                } else {
                    releases_of(head, c)
                }
            })
            .collect();
        Context {
            head,
            base,
            shipped_at_base: shipped_ids(base),
            planned,
        }
    }

    fn shipped_at_base(&self, step: usize) -> bool {
        self.head
            .steps
            .get(step)
            .is_some_and(|s| self.shipped_at_base.contains(s.id()))
    }

    /// The release a difference matches: the first of its component, in plan order, not
    /// shipped at the base, whose projected changes equal it.
    fn matched(&self, difference: &Difference) -> Option<usize> {
        let (added, removed) = difference.keys();
        self.planned
            .get(difference.component)?
            .iter()
            .find(|p| !self.shipped_at_base(p.step) && p.added == added && p.removed == removed)
            .map(|p| p.step)
    }

    /// Whether a step marked shipped at head is one no source can show: a flip, a
    /// release of a component without sources, or one that changes nothing they yield.
    fn invisible(&self, step: usize) -> bool {
        let Some(Step::Release { component, .. }) = self.head.steps.get(step) else {
            return true;
        };
        let Some(c) = self.head.components.iter().position(|x| &x.id == component) else {
            return true;
        };
        self.planned[c]
            .iter()
            .find(|p| p.step == step)
            .is_none_or(Planned::is_empty)
    }

    /// Whether a step is live once the pull request ships `pr`: shipped at the base,
    /// shipped by the pull request, or marked shipped at head where no source could show it.
    fn live(&self, step: usize, pr: &[usize]) -> bool {
        self.shipped_at_base(step)
            || pr.contains(&step)
            || (self.head.steps.get(step).is_some_and(Step::shipped) && self.invisible(step))
    }

    /// The steps before `step` that are not live.
    fn blockers(&self, step: usize, pr: &[usize]) -> Vec<usize> {
        (0..step).filter(|&j| !self.live(j, pr)).collect()
    }

    /// The component's unshipped releases that change something its sources yield.
    fn unshipped(&self, c: usize) -> impl Iterator<Item = &Planned> {
        self.planned[c]
            .iter()
            .filter(|p| !self.shipped_at_base(p.step) && !p.is_empty())
    }
}

/// Each difference matched to the plan, before any finding: the release it matches and
/// whether it comes in order. `differences` of components without sources, or empty,
/// are left out.
pub fn match_differences(
    head: &Plan,
    base: Option<&Plan>,
    differences: &[Difference],
) -> Vec<(Difference, Option<usize>, Status)> {
    let context = Context::new(head, base);
    statuses(&context, differences)
}

fn statuses(
    context: &Context,
    differences: &[Difference],
) -> Vec<(Difference, Option<usize>, Status)> {
    let differences: Vec<&Difference> = differences
        .iter()
        .filter(|d| {
            !d.is_empty()
                && context
                    .head
                    .components
                    .get(d.component)
                    .is_some_and(|c| !c.sources.is_empty())
        })
        .collect();
    let matched: Vec<Option<usize>> = differences.iter().map(|d| context.matched(d)).collect();
    let mut pr: Vec<usize> = matched.iter().flatten().copied().collect();
    pr.sort_unstable();
    pr.dedup();
    differences
        .into_iter()
        .zip(matched)
        .map(|(difference, step)| {
            let status = match step {
                None => Status::Unplanned,
                Some(s) if context.blockers(s, &pr).is_empty() => Status::Matches,
                Some(_) => Status::OutOfOrder,
            };
            (difference.clone(), step, status)
        })
        .collect()
}

/// Verifies a pull request against one plan: `head` as the pull request leaves it,
/// `base` as it was (none when the pull request adds it), and each sourced component's
/// facts at both revisions. The components in `elsewhere` (indices into `head`) changed
/// as another plan's next release says; this plan does not report them as unplanned.
pub fn verify(
    head: &Plan,
    base: Option<&Plan>,
    sourced: &[Sourced],
    elsewhere: &[usize],
) -> Verification {
    let context = Context::new(head, base);
    let differences: Vec<Difference> = sourced
        .iter()
        .filter(|s| s.component < head.components.len())
        .map(Difference::of)
        .collect();
    let mut statuses = statuses(&context, &differences);
    statuses.retain(|(d, _, status)| {
        !(elsewhere.contains(&d.component) && *status == Status::Unplanned)
    });
    statuses.sort_by_key(|(d, _, _)| d.component);
    let components: Vec<Shipping> = statuses
        .into_iter()
        .map(|(difference, step, status)| Shipping {
            new_sources: sourced
                .iter()
                .find(|s| s.component == difference.component)
                .map(|s| s.new_sources.clone())
                .unwrap_or_default(),
            difference,
            step,
            status,
        })
        .collect();

    let mut findings = drift(&context, sourced);
    let pr: Vec<usize> = {
        let mut pr: Vec<usize> = components.iter().filter_map(|s| s.step).collect();
        pr.sort_unstable();
        pr.dedup();
        pr
    };
    let race = components.len() >= 2 && !one_commit(head, &components);
    let erring = race || components.iter().any(|s| s.status != Status::Matches);
    let harm = if erring {
        simulate::shipping_now(&context, &components, &pr)
    } else {
        simulate::Harm::default()
    };
    for (n, shipping) in components.iter().enumerate() {
        let own = harm.at(n);
        match shipping.status {
            Status::Matches => {}
            Status::Unplanned => {
                findings.push(unplanned(&context, shipping));
                findings.extend(own.iter().cloned());
            }
            Status::OutOfOrder => {
                let Some(step) = shipping.step else { continue };
                let blockers = context.blockers(step, &pr);
                findings.push(out_of_order(head, shipping, step, &blockers, own));
                // The checker would move the step; here the fix is to ship the others
                // first: the one that ends the break, where one does.
                let first = ship_first(head, &blockers);
                findings.extend(own.iter().cloned().map(|mut f| {
                    f.hint = match f.until.filter(|u| blockers.contains(u)) {
                        Some(until) => format!("Ship {} first.", blocker_label(head, until)),
                        None => format!("Ship {first} first."),
                    };
                    f
                }));
            }
        }
    }
    if race {
        findings.push(commit_race(head, &components, &harm));
        let mut others: Vec<Finding> = (0..components.len())
            .filter(|&n| components[n].status == Status::Matches)
            .flat_map(|n| harm.at(n).iter().cloned())
            .collect();
        others.sort_by_key(|f| f.step);
        findings.extend(others);
    }
    for &step in &pr {
        let Some(shipping) = components.iter().find(|s| s.step == Some(step)) else {
            continue;
        };
        if !head.steps[step].shipped() {
            findings.push(not_marked(head, shipping, step));
        }
    }
    Verification {
        components,
        findings,
    }
}

/// Whether every changed component matches a release and those releases are one
/// `commit` group of the plan.
fn one_commit(head: &Plan, components: &[Shipping]) -> bool {
    let mut labels = components
        .iter()
        .map(|s| s.step.and_then(|i| head.steps[i].commit()));
    let Some(Some(first)) = labels.next() else {
        return false;
    };
    labels.all(|label| label == Some(first))
}

/// `Provide("a"), Provide("b") and 3 more`.
fn facts_list(facts: &[Fact]) -> String {
    const SHOWN: usize = 6;
    let mut shown: Vec<String> = facts.iter().take(SHOWN).map(Fact::to_string).collect();
    if facts.len() > SHOWN {
        shown.push(format!("{} more", facts.len() - SHOWN));
    }
    join(&shown)
}

/// `a`, `a and b`, `a, b and c`.
fn join(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// `adds X and removes Y`, either part left out when empty.
fn changes_text(added: &[Fact], removed: &[Fact]) -> String {
    let mut parts = Vec::new();
    if !added.is_empty() {
        parts.push(format!("adds {}", facts_list(added)));
    }
    if !removed.is_empty() {
        parts.push(format!("removes {}", facts_list(removed)));
    }
    parts.join(" and ")
}

fn sorted(keys: &BTreeSet<Key>) -> Vec<Fact> {
    keys.iter().map(fact).collect()
}

/// `(api's sources OpenApi("x") are new in this pull request: …)`, when they are.
fn from_nothing(id: &str, new_sources: &[Source]) -> String {
    if new_sources.is_empty() {
        return String::new();
    }
    let sources: Vec<String> = new_sources.iter().map(ToString::to_string).collect();
    let (which, are) = if new_sources.len() == 1 {
        ("source", "is")
    } else {
        ("sources", "are")
    };
    format!(
        " ({id}'s {which} {} {are} new in this pull request, so what {} is a difference from nothing)",
        join(&sources),
        if new_sources.len() == 1 {
            "it yields"
        } else {
            "they yield"
        },
    )
}

fn unplanned(context: &Context, shipping: &Shipping) -> Finding {
    let head = context.head;
    let d = &shipping.difference;
    let id = &head.components[d.component].id;
    let message = format!(
        "This pull request changes {id} in a way no unshipped step of \"{}\" plans: it {}{}.",
        head.story,
        changes_text(&d.added, &d.removed),
        from_nothing(id, &shipping.new_sources),
    );
    let hint = unplanned_hint(context, d, id);
    Finding::new(
        Rule::UnplannedChange,
        None,
        Some(id.clone()),
        None,
        message,
        hint,
    )
}

/// How to bring an unplanned difference and the plan together: the releases it equals
/// together, or how it differs from the component's next release, or a release to add.
fn unplanned_hint(context: &Context, d: &Difference, id: &str) -> String {
    let head = context.head;
    let (added, removed) = d.keys();
    let unshipped: Vec<&Planned> = context.unshipped(d.component).collect();
    // Several releases in one pull request: their projections, one after the other.
    let (mut net_added, mut net_removed) = (BTreeSet::new(), BTreeSet::new());
    for (n, p) in unshipped.iter().enumerate() {
        for k in &p.added {
            if !net_removed.remove(k) {
                net_added.insert(k.clone());
            }
        }
        for k in &p.removed {
            if !net_added.remove(k) {
                net_removed.insert(k.clone());
            }
        }
        if n > 0 && net_added == added && net_removed == removed {
            let labels: Vec<String> = unshipped[..=n]
                .iter()
                .map(|p| step_label(head, p.step).to_string())
                .collect();
            return format!(
                "It is {} together, which deploy as one release this way: ship them in separate pull requests, in the plan's order.",
                join(&labels)
            );
        }
    }
    if let Some(next) = unshipped.first() {
        let mut parts = Vec::new();
        let mut say = |verb: &str, keys: BTreeSet<Key>| {
            if !keys.is_empty() {
                parts.push(format!("{verb} {}", facts_list(&sorted(&keys))));
            }
        };
        say(
            "does not add",
            next.added.difference(&added).cloned().collect(),
        );
        say(
            "does not remove",
            next.removed.difference(&removed).cloned().collect(),
        );
        say(
            "also adds",
            added.difference(&next.added).cloned().collect(),
        );
        say(
            "also removes",
            removed.difference(&next.removed).cloned().collect(),
        );
        return format!(
            "{id}'s next release is {}, which {}; this pull request {}. Make the pull request match it, or add a release of {id} for this change to the plan.",
            step_label(head, next.step),
            changes_text(&sorted(&next.added), &sorted(&next.removed)),
            join(&parts),
        );
    }
    format!(
        "Add a release of {id} that makes this change to the plan, after its shipped steps, and check the plan."
    )
}

/// `step 2 "table"` for a step, `the flip of "t" (step 4 "enable")` for a flip.
fn blocker_label(head: &Plan, step: usize) -> String {
    match &head.steps[step] {
        Step::Flip { toggle, .. } => {
            format!(
                "{} (turning {toggle} {})",
                step_label(head, step),
                flip_to(&head.steps[step])
            )
        }
        Step::Release { component, .. } => format!("{} ({component})", step_label(head, step)),
    }
}

/// `step 2 "table" (db), then step 4 "enable" (turning reminders On)`.
fn ship_first(head: &Plan, blockers: &[usize]) -> String {
    let labels: Vec<String> = blockers.iter().map(|&b| blocker_label(head, b)).collect();
    labels.join(", then ")
}

fn flip_to(step: &Step) -> &'static str {
    match step {
        Step::Flip { to, .. } => to.name(),
        Step::Release { .. } => "",
    }
}

fn out_of_order(
    head: &Plan,
    shipping: &Shipping,
    step: usize,
    blockers: &[usize],
    harm: &[Finding],
) -> Finding {
    let id = &head.components[shipping.difference.component].id;
    let label = step_label(head, step);
    let labels: Vec<String> = blockers.iter().map(|&b| blocker_label(head, b)).collect();
    let first = ship_first(head, blockers);
    let (comes, has) = if blockers.len() == 1 {
        ("comes", "has")
    } else {
        ("come", "have")
    };
    let message = format!(
        "This pull request ships {label} of \"{}\", but {} {comes} before it and {has} not shipped.",
        head.story,
        join(&labels),
    );
    let hint = if harm.is_empty() {
        format!(
            "Ship {first} first; or, if {label} does not need {}, move it before them in the plan.",
            if blockers.len() == 1 { "it" } else { "them" }
        )
    } else {
        format!(
            "Ship {first} first: shipping {label} now breaks {}.",
            breaks(harm, id)
        )
    };
    Finding::new(
        Rule::OutOfOrder,
        Some(step),
        Some(id.clone()),
        None,
        message,
        hint,
    )
}

/// `api ("reviews") and web ("GET /a", "GET /b")`: who the checker's findings say breaks.
fn breaks(harm: &[Finding], fallback: &str) -> String {
    let mut who: Vec<(String, Vec<String>)> = Vec::new();
    for finding in harm {
        let component = finding.component.as_deref().unwrap_or(fallback).to_string();
        let at = match who.iter().position(|(c, _)| *c == component) {
            Some(at) => at,
            None => {
                who.push((component, Vec::new()));
                who.len() - 1
            }
        };
        if let Some(key) = &finding.key {
            let key = format!("\"{key}\"");
            if !who[at].1.contains(&key) {
                who[at].1.push(key);
            }
        }
    }
    let parts: Vec<String> = who
        .into_iter()
        .map(|(component, keys)| match keys.is_empty() {
            true => component,
            false => format!("{component} ({})", keys.join(", ")),
        })
        .collect();
    join(&parts)
}

fn commit_race(head: &Plan, components: &[Shipping], harm: &simulate::Harm) -> Finding {
    let parts: Vec<String> = components
        .iter()
        .map(|s| {
            let id = &head.components[s.difference.component].id;
            match s.step {
                Some(step) => format!("{id} ({})", step_label(head, step)),
                None => format!("{id} (a change no step plans)"),
            }
        })
        .collect();
    let first = components.iter().filter_map(|s| s.step).min();
    let message = format!(
        "This pull request changes {}, which the plan does not ship as one commit: their pipelines deploy separately, in any order.",
        join(&parts)
    );
    let hint = if harm.race.is_empty() {
        "Split the pull request into one per release, in the plan's order; or, since every deploy order is safe, give the releases one commit label in the plan (commit: \"…\")."
            .to_string()
    } else {
        format!(
            "Split the pull request into one per release, in the plan's order: in some deploy order it breaks {}.",
            breaks(&harm.race, "a consumer")
        )
    };
    Finding::new(Rule::CommitRace, first, None, None, message, hint)
}

fn not_marked(head: &Plan, shipping: &Shipping, step: usize) -> Finding {
    let id = &head.components[shipping.difference.component].id;
    let step_id = head.steps[step].id();
    Finding::new(
        Rule::NotMarkedShipped,
        Some(step),
        Some(id.clone()),
        None,
        format!(
            "{} ships in this pull request, but the plan does not mark it shipped.",
            step_label(head, step)
        ),
        format!(
            "Mark it in this pull request: add shipped: true to step \"{step_id}\" (Release(id: \"{step_id}\", …, shipped: true))."
        ),
    )
}

/// `plan-drift`: at the base, each sourced component's facts after the steps the plan
/// marks shipped, compared with what its sources yield there. Needs the plan at the
/// base; a component new in the plan or whose sources are all new is not compared.
fn drift(context: &Context, sourced: &[Sourced]) -> Vec<Finding> {
    let Some(base) = context.base else {
        return Vec::new();
    };
    let head = context.head;
    let mut findings = Vec::new();
    for s in sourced {
        let Some(component) = head.components.get(s.component) else {
            continue;
        };
        let all_new = s.new_sources.len() >= component.sources.len();
        let Some(at) = base.components.iter().position(|c| c.id == component.id) else {
            continue;
        };
        if all_new {
            continue;
        }
        let kinds = kinds(&component.sources);
        let mut facts = base.components[at].current.clone();
        for step in base.steps.iter().filter(|s| s.shipped()) {
            if step.component() == Some(component.id.as_str()) {
                for change in step.changes() {
                    change.apply_to(&mut facts);
                }
            }
        }
        let planned = project(&facts, &kinds);
        let yielded = project(&s.base, &kinds);
        let extra: BTreeSet<Key> = yielded.difference(&planned).cloned().collect();
        let missing: BTreeSet<Key> = planned.difference(&yielded).cloned().collect();
        if extra.is_empty() && missing.is_empty() {
            continue;
        }
        let id = &component.id;
        let mut parts = Vec::new();
        if !extra.is_empty() {
            parts.push(format!(
                "its sources yield {} that the plan's shipped steps do not",
                facts_list(&sorted(&extra))
            ));
        }
        if !missing.is_empty() {
            parts.push(format!(
                "they lack {} that the plan's shipped steps have",
                facts_list(&sorted(&missing))
            ));
        }
        let message = format!(
            "At the base, {id} differs from the plan: {}.",
            parts.join("; ")
        );
        // A release that would explain it has shipped without being marked.
        let looks_shipped = releases_of(base, at)
            .into_iter()
            .find(|p| !base.steps[p.step].shipped() && p.added == extra && p.removed == missing);
        let hint = match looks_shipped {
            Some(p) => {
                let step_id = base.steps[p.step].id();
                let label = match head.step_index(step_id) {
                    Some(i) => step_label(head, i).to_string(),
                    None => step_label(base, p.step).to_string(),
                };
                format!("{label} looks shipped: mark it with shipped: true.")
            }
            None => format!(
                "Mark the steps of {id} that have shipped with shipped: true, or bring its current facts in line with its sources (storyplan import)."
            ),
        };
        findings.push(Finding::new(
            Rule::PlanDrift,
            None,
            Some(id.clone()),
            None,
            message,
            hint,
        ));
    }
    findings
}

/// The `Add`s and `Remove`s that make a difference, for a release the plan lacks.
fn changes_of(d: &Difference) -> Vec<Change> {
    d.added
        .iter()
        .cloned()
        .map(Change::Add)
        .chain(d.removed.iter().cloned().map(Change::Remove))
        .collect()
}

#[cfg(test)]
mod tests;
