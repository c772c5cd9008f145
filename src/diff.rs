//! What changed between two versions of a plan, in the plan's own terms: the story, the
//! components and their facts, the toggles, the steps (added, removed, moved, changed), the
//! accepted findings, and the findings the change introduces or resolves.
//!
//! Pure: no IO. A review of a teammate's plan reads the two versions (see `store::git`) and
//! prints [`render`]; the board can mark its rows from a [`PlanDiff`].

use std::collections::HashMap;
use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};

use crate::check::words::{StepLabel, severity_word};
use crate::check::{Finding, Rule, Severity, check};
use crate::plan::{Accept, Change, Component, Fact, Kind, Plan, Step, Switch, quoted};
use crate::text::clean_line;

/// Every difference between an old and a new plan.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlanDiff {
    pub story: Option<Edit<String>>,
    pub narrative: Option<Edit<Option<String>>>,
    pub notes: Option<Edit<Option<String>>>,
    pub components: Vec<ComponentChange>,
    pub toggles: Vec<ToggleChange>,
    /// Removed steps (old order) first, then the new plan's steps in order.
    pub steps: Vec<StepChange>,
    pub accepted: Vec<AcceptChange>,
    /// Findings of the new plan that the old one did not have.
    pub introduced: Vec<DiffFinding>,
    /// Findings of the old plan that the new one no longer has.
    pub resolved: Vec<DiffFinding>,
}

impl PlanDiff {
    pub fn is_empty(&self) -> bool {
        self == &PlanDiff::default()
    }

    /// What the diff says about the step at this index of the new plan (added, moved,
    /// changed): what the board marks on that row.
    pub fn steps_at(&self, new_index: usize) -> impl Iterator<Item = &StepChange> {
        self.steps
            .iter()
            .filter(move |c| c.new_index() == Some(new_index))
    }
}

/// A value before and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit<T> {
    pub old: T,
    pub new: T,
}

impl<T> Edit<T> {
    fn new(old: T, new: T) -> Self {
        Edit { old, new }
    }
}

impl<T: PartialEq + Clone> Edit<T> {
    fn of(old: &T, new: &T) -> Option<Self> {
        (old != new).then(|| Edit::new(old.clone(), new.clone()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComponentChange {
    Added(Component),
    Removed(Component),
    Changed { id: String, change: ComponentField },
}

/// One difference inside a component present in both plans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComponentField {
    Name(Edit<String>),
    Kind(Edit<Kind>),
    Repo(Edit<Option<String>>),
    CurrentAdded(Fact),
    CurrentRemoved(Fact),
    /// The component now has a target (these facts); before, it was not compared.
    TargetSet(Vec<Fact>),
    /// The component no longer has a target (it had these facts).
    TargetDropped(Vec<Fact>),
    TargetAdded(Fact),
    TargetRemoved(Fact),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToggleChange {
    Added { id: String, initially: Switch },
    Removed { id: String, initially: Switch },
    Initially { id: String, edit: Edit<Switch> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepChange {
    /// A step only the new plan has, at this index of the new plan.
    Added { index: usize, step: Step },
    /// A step only the old plan had, at this index of the old plan.
    Removed { index: usize, step: Step },
    /// A step whose place among the steps both plans have changed.
    Moved { id: String, from: usize, to: usize },
    /// A difference inside a step both plans have; `index` is in the new plan.
    Changed {
        id: String,
        index: usize,
        change: StepField,
    },
}

impl StepChange {
    /// Where the step is in the new plan; `None` for a removed step.
    pub fn new_index(&self) -> Option<usize> {
        match self {
            StepChange::Added { index, .. } | StepChange::Changed { index, .. } => Some(*index),
            StepChange::Moved { to, .. } => Some(*to),
            StepChange::Removed { .. } => None,
        }
    }
}

/// One difference inside a step present in both plans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepField {
    /// A release became a flip or the other way round.
    Replaced(Edit<Box<Step>>),
    Title(Edit<String>),
    Component(Edit<String>),
    Toggle(Edit<String>),
    To(Edit<Switch>),
    Commit(Edit<Option<String>>),
    Shipped(Edit<bool>),
    Notes(Edit<Option<String>>),
    Pr(Edit<Option<String>>),
    /// A change the release now makes; `at` is its index in the new list of changes.
    ChangeAdded {
        at: usize,
        change: Change,
    },
    /// A change the release no longer makes; `at` is its index in the old list.
    ChangeRemoved {
        at: usize,
        change: Change,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AcceptChange {
    Added(Accept),
    Removed(Accept),
    /// The same finding (rule, step, key) accepted for another reason.
    Reason {
        accept: Accept,
        old: String,
    },
}

/// A finding introduced or resolved, with the id of its step (the finding's own `step`
/// indexes the plan it comes from: the new plan if introduced, the old one if resolved).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffFinding {
    pub step_id: Option<String>,
    pub finding: Finding,
}

/// The semantic diff of two plans.
pub fn diff(old: &Plan, new: &Plan) -> PlanDiff {
    let (found_old, found_new) = (with_ids(old), with_ids(new));
    PlanDiff {
        story: Edit::of(&old.story, &new.story),
        narrative: Edit::of(&old.narrative, &new.narrative),
        notes: Edit::of(&old.notes, &new.notes),
        components: components(&old.components, &new.components),
        toggles: toggles(old, new),
        steps: steps(&old.steps, &new.steps),
        accepted: accepted(&old.accepted, &new.accepted),
        introduced: only_in(&found_new, &found_old),
        resolved: only_in(&found_old, &found_new),
    }
}

/// Items keyed by id, with the k-th of a repeated id matched to the k-th in the other list.
fn keyed<T>(items: &[T], id: impl Fn(&T) -> &str) -> Vec<(&str, usize)> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    items
        .iter()
        .map(|item| {
            let n = seen.entry(id(item)).or_default();
            *n += 1;
            (id(item), *n - 1)
        })
        .collect()
}

/// For each old item, the index of the same item in the new list.
fn matching<T>(old: &[T], new: &[T], id: impl Fn(&T) -> &str) -> Vec<Option<usize>> {
    let new_keys: HashMap<(&str, usize), usize> = keyed(new, &id)
        .into_iter()
        .enumerate()
        .map(|(index, key)| (key, index))
        .collect();
    keyed(old, &id)
        .into_iter()
        .map(|key| new_keys.get(&key).copied())
        .collect()
}

fn components(old: &[Component], new: &[Component]) -> Vec<ComponentChange> {
    let matched = matching(old, new, |c| c.id.as_str());
    let mut out = Vec::new();
    let mut kept = vec![false; new.len()];
    for (before, to) in old.iter().zip(&matched) {
        match to {
            None => out.push(ComponentChange::Removed(before.clone())),
            Some(to) => {
                kept[*to] = true;
                let changed = |change| ComponentChange::Changed {
                    id: before.id.clone(),
                    change,
                };
                out.extend(component_fields(before, &new[*to]).into_iter().map(changed));
            }
        }
    }
    for (after, kept) in new.iter().zip(kept) {
        if !kept {
            out.push(ComponentChange::Added(after.clone()));
        }
    }
    out
}

fn component_fields(old: &Component, new: &Component) -> Vec<ComponentField> {
    let mut out = Vec::new();
    out.extend(Edit::of(&old.name, &new.name).map(ComponentField::Name));
    out.extend(Edit::of(&old.kind, &new.kind).map(ComponentField::Kind));
    out.extend(Edit::of(&old.repo, &new.repo).map(ComponentField::Repo));
    let (added, removed) = fact_sets(&old.current, &new.current);
    out.extend(removed.into_iter().map(ComponentField::CurrentRemoved));
    out.extend(added.into_iter().map(ComponentField::CurrentAdded));
    match (&old.target, &new.target) {
        (None, Some(target)) => out.push(ComponentField::TargetSet(target.clone())),
        (Some(target), None) => out.push(ComponentField::TargetDropped(target.clone())),
        (Some(before), Some(after)) => {
            let (added, removed) = fact_sets(before, after);
            out.extend(removed.into_iter().map(ComponentField::TargetRemoved));
            out.extend(added.into_iter().map(ComponentField::TargetAdded));
        }
        (None, None) => {}
    }
    out
}

/// Facts are a set: (added, removed), each in the order of its list.
fn fact_sets(old: &[Fact], new: &[Fact]) -> (Vec<Fact>, Vec<Fact>) {
    let minus = |a: &[Fact], b: &[Fact]| {
        let mut left: Vec<Option<&Fact>> = b.iter().map(Some).collect();
        let mut out = Vec::new();
        for fact in a {
            match left.iter_mut().find(|f| f.is_some_and(|f| f == fact)) {
                Some(slot) => *slot = None,
                None => out.push(fact.clone()),
            }
        }
        out
    };
    (minus(new, old), minus(old, new))
}

fn toggles(old: &Plan, new: &Plan) -> Vec<ToggleChange> {
    let matched = matching(&old.toggles, &new.toggles, |t| t.id.as_str());
    let mut out = Vec::new();
    let mut kept = vec![false; new.toggles.len()];
    for (before, to) in old.toggles.iter().zip(&matched) {
        match to {
            None => out.push(ToggleChange::Removed {
                id: before.id.clone(),
                initially: before.initially,
            }),
            Some(to) => {
                kept[*to] = true;
                let after = &new.toggles[*to];
                if let Some(edit) = Edit::of(&before.initially, &after.initially) {
                    out.push(ToggleChange::Initially {
                        id: before.id.clone(),
                        edit,
                    });
                }
            }
        }
    }
    for (after, kept) in new.toggles.iter().zip(kept) {
        if !kept {
            out.push(ToggleChange::Added {
                id: after.id.clone(),
                initially: after.initially,
            });
        }
    }
    out
}

fn steps(old: &[Step], new: &[Step]) -> Vec<StepChange> {
    let matched = matching(old, new, Step::id);
    let mut out = Vec::new();
    let mut from = vec![None; new.len()];
    for (index, (step, to)) in old.iter().zip(&matched).enumerate() {
        match to {
            None => out.push(StepChange::Removed {
                index,
                step: step.clone(),
            }),
            Some(to) => from[*to] = Some(index),
        }
    }
    let moved = moved(&matched);
    for (index, step) in new.iter().enumerate() {
        let Some(was) = from[index] else {
            out.push(StepChange::Added {
                index,
                step: step.clone(),
            });
            continue;
        };
        if moved[was] {
            out.push(StepChange::Moved {
                id: step.id().to_string(),
                from: was,
                to: index,
            });
        }
        for change in step_fields(&old[was], step) {
            out.push(StepChange::Changed {
                id: step.id().to_string(),
                index,
                change,
            });
        }
    }
    out
}

/// Which old steps moved. The steps both plans have keep their place when they are in a
/// longest run that kept its relative order (a longest common subsequence of the two
/// orders), so dragging one step anywhere is one move. Among equally long runs, the one
/// with the most steps at the same rank wins (reversing three steps moves the outer two),
/// then the one that keeps later steps (swapping two neighbours moves the earlier one).
fn moved(matched: &[Option<usize>]) -> Vec<bool> {
    let mut shared: Vec<(usize, usize)> = matched
        .iter()
        .enumerate()
        .filter_map(|(old, new)| new.map(|new| (old, new)))
        .collect();
    // Ranks among the shared steps, so added and removed steps shift nothing.
    let mut by_new: Vec<usize> = (0..shared.len()).collect();
    by_new.sort_by_key(|&at| shared[at].1);
    for (rank, at) in by_new.into_iter().enumerate() {
        shared[at].1 = rank;
    }
    // best[i]: the best run ending at shared step i, as (length, steps at the same rank),
    // and the step before it in that run. Plans are small: quadratic is fine.
    let mut best: Vec<((usize, usize), Option<usize>)> = Vec::with_capacity(shared.len());
    for (i, &(_, rank)) in shared.iter().enumerate() {
        let stays = usize::from(rank == i);
        let mut run = ((1, stays), None);
        for (j, &(_, before)) in shared[..i].iter().enumerate() {
            let ((len, same), _) = best[j];
            if before < rank && (len + 1, same + stays) >= run.0 {
                run = ((len + 1, same + stays), Some(j));
            }
        }
        best.push(run);
    }
    let mut moved = vec![false; matched.len()];
    for &(old, _) in &shared {
        moved[old] = true;
    }
    let mut cursor = (0..best.len()).rev().max_by_key(|&i| best[i].0);
    while let Some(i) = cursor {
        moved[shared[i].0] = false;
        cursor = best[i].1;
    }
    moved
}

fn step_fields(old: &Step, new: &Step) -> Vec<StepField> {
    let mut out = Vec::new();
    match (old, new) {
        (
            Step::Release {
                component: old_component,
                title: old_title,
                changes: old_changes,
                commit: old_commit,
                shipped: old_shipped,
                notes: old_notes,
                pr: old_pr,
                ..
            },
            Step::Release {
                component,
                title,
                changes,
                commit,
                shipped,
                notes,
                pr,
                ..
            },
        ) => {
            out.extend(Edit::of(old_title, title).map(StepField::Title));
            out.extend(Edit::of(old_component, component).map(StepField::Component));
            out.extend(change_lists(old_changes, changes));
            out.extend(Edit::of(old_commit, commit).map(StepField::Commit));
            out.extend(Edit::of(old_shipped, shipped).map(StepField::Shipped));
            out.extend(Edit::of(old_notes, notes).map(StepField::Notes));
            out.extend(Edit::of(old_pr, pr).map(StepField::Pr));
        }
        (
            Step::Flip {
                toggle: old_toggle,
                to: old_to,
                title: old_title,
                shipped: old_shipped,
                notes: old_notes,
                ..
            },
            Step::Flip {
                toggle,
                to,
                title,
                shipped,
                notes,
                ..
            },
        ) => {
            out.extend(Edit::of(old_title, title).map(StepField::Title));
            out.extend(Edit::of(old_toggle, toggle).map(StepField::Toggle));
            out.extend(Edit::of(old_to, to).map(StepField::To));
            out.extend(Edit::of(old_shipped, shipped).map(StepField::Shipped));
            out.extend(Edit::of(old_notes, notes).map(StepField::Notes));
        }
        _ => out.push(StepField::Replaced(Edit::new(
            Box::new(old.clone()),
            Box::new(new.clone()),
        ))),
    }
    out
}

/// Changes apply in order, so they are diffed like lines: what is outside a longest common
/// subsequence was removed or added (a reordered change shows as one of each).
fn change_lists(old: &[Change], new: &[Change]) -> Vec<StepField> {
    let (n, m) = (old.len(), new.len());
    // common[i][j]: the longest common subsequence of old[i..] and new[j..].
    let mut common = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            common[i][j] = if old[i] == new[j] {
                common[i + 1][j + 1] + 1
            } else {
                common[i + 1][j].max(common[i][j + 1])
            };
        }
    }
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && old[i] == new[j] {
            i += 1;
            j += 1;
        } else if j == m || (i < n && common[i + 1][j] >= common[i][j + 1]) {
            out.push(StepField::ChangeRemoved {
                at: i,
                change: old[i].clone(),
            });
            i += 1;
        } else {
            out.push(StepField::ChangeAdded {
                at: j,
                change: new[j].clone(),
            });
            j += 1;
        }
    }
    out
}

fn accepted(old: &[Accept], new: &[Accept]) -> Vec<AcceptChange> {
    let key = |a: &Accept| (a.rule.clone(), a.step.clone(), a.key.clone());
    let mut left: Vec<Option<&Accept>> = new.iter().map(Some).collect();
    let mut out = Vec::new();
    for before in old {
        let slot = left
            .iter_mut()
            .find(|a| a.is_some_and(|a| key(a) == key(before)));
        match slot.and_then(Option::take) {
            None => out.push(AcceptChange::Removed(before.clone())),
            Some(after) if after.reason != before.reason => out.push(AcceptChange::Reason {
                accept: after.clone(),
                old: before.reason.clone(),
            }),
            Some(_) => {}
        }
    }
    out.extend(left.into_iter().flatten().cloned().map(AcceptChange::Added));
    out
}

/// Findings are the same when their rule, step id, component and key are: messages and
/// indices change when steps move, and a moved step's finding is still the same finding.
type FindingKey = (Rule, Option<String>, Option<String>, Option<String>);

/// The plan's findings, each with the id of its step.
fn with_ids(plan: &Plan) -> Vec<DiffFinding> {
    check(plan)
        .findings
        .into_iter()
        .map(|finding| DiffFinding {
            step_id: finding
                .step
                .and_then(|s| plan.steps.get(s))
                .map(|s| s.id().to_string()),
            finding,
        })
        .collect()
}

fn finding_key(f: &DiffFinding) -> FindingKey {
    (
        f.finding.rule,
        f.step_id.clone(),
        f.finding.component.clone(),
        f.finding.key.clone(),
    )
}

/// The findings of `these` that `others` does not have, counting repeats.
fn only_in(these: &[DiffFinding], others: &[DiffFinding]) -> Vec<DiffFinding> {
    let mut count: HashMap<FindingKey, usize> = HashMap::new();
    for f in others {
        *count.entry(finding_key(f)).or_default() += 1;
    }
    these
        .iter()
        .filter(|f| match count.get_mut(&finding_key(f)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        })
        .cloned()
        .collect()
}

// ---------------------------------------------------------------------------------------
// Rendering

const HEADING: Style = Style::new().bold();

/// The marker of a line: added, removed, changed or moved.
#[derive(Debug, Clone, Copy)]
enum Mark {
    Plus,
    Minus,
    Tilde,
    Move,
}

impl Mark {
    fn symbol(self) -> &'static str {
        match self {
            Mark::Plus => "+",
            Mark::Minus => "-",
            Mark::Tilde => "~",
            Mark::Move => "↕",
        }
    }

    fn style(self) -> Style {
        match self {
            Mark::Plus => AnsiColor::Green.on_default(),
            Mark::Minus => AnsiColor::Red.on_default(),
            Mark::Tilde => AnsiColor::Yellow.on_default(),
            Mark::Move => AnsiColor::Cyan.on_default(),
        }
    }
}

struct Out {
    text: String,
    color: bool,
}

impl Out {
    /// `style`, or no style when colour is off (a plain style prints nothing, nor its reset).
    fn paint(&self, style: Style) -> Style {
        if self.color { style } else { Style::new() }
    }

    /// One line; `body` is already cleaned.
    fn line(&mut self, mark: Mark, body: &str) {
        self.styled(mark, mark.style(), body);
    }

    /// One line in a style of its own.
    fn styled(&mut self, mark: Mark, style: Style, body: &str) {
        let style = self.paint(style);
        let _ = writeln!(self.text, "{style}{} {body}{style:#}", mark.symbol());
    }

    fn heading(&mut self, text: &str) {
        let style = self.paint(HEADING);
        let _ = writeln!(self.text, "{style}{text}{style:#}");
    }
}

/// Text from a plan on one line, quoted, control characters removed.
fn q(text: &str) -> String {
    clean_line(&quoted(text)).into_owned()
}

fn id(text: &str) -> String {
    clean_line(text).into_owned()
}

fn maybe(text: &Option<String>) -> String {
    text.as_deref().map_or_else(|| "none".to_string(), q)
}

fn fact(fact: &Fact) -> String {
    clean_line(&fact.to_string()).into_owned()
}

fn facts(facts: &[Fact]) -> String {
    let list: Vec<String> = facts.iter().map(fact).collect();
    format!("[{}]", list.join(", "))
}

/// `step 3 "enable"`: the place (1-based, as the board numbers steps) and the id.
fn step_label(index: usize, step_id: &str) -> String {
    format!("{} {}", StepLabel::number(index), q(step_id))
}

/// What a step is, as one line: `release of api "Create the table"`.
fn step_summary(step: &Step) -> String {
    match step {
        Step::Release {
            component, title, ..
        } => format!("release of {}: {}", id(component), q(title)),
        Step::Flip {
            toggle, to, title, ..
        } => format!("flip of {} to {}: {}", id(toggle), to.name(), q(title)),
    }
}

fn accept_label(accept: &Accept) -> String {
    let mut text = format!("accepted {}", id(&accept.rule));
    if let Some(step) = &accept.step {
        let _ = write!(text, " at step {}", q(step));
    }
    if let Some(key) = &accept.key {
        let _ = write!(text, " on {}", q(key));
    }
    text
}

fn finding_line(found: &DiffFinding) -> String {
    let f = &found.finding;
    let mut place = Vec::new();
    if let (Some(index), Some(step)) = (f.step, &found.step_id) {
        place.push(step_label(index, step));
    }
    if let Some(component) = &f.component {
        place.push(id(component));
    }
    if let Some(key) = &f.key {
        place.push(q(key));
    }
    let severity = severity_word(f.severity);
    let place = if place.is_empty() {
        String::new()
    } else {
        format!(" ({})", place.join(", "))
    };
    format!(
        "{severity}[{}]{place}: {}",
        f.rule,
        clean_line(f.message.trim())
    )
}

/// A human diff: one line per change, marked `+` added, `-` removed, `~` changed, `↕`
/// moved; steps are numbered from 1 in the plan they are in (the new one, but the old one
/// for what was removed or resolved). Everything from the plans is cleaned.
pub fn render(diff: &PlanDiff, old_name: &str, new_name: &str, color: bool) -> String {
    let mut out = Out {
        text: String::new(),
        color,
    };
    let (old_name, new_name) = (clean_line(old_name), clean_line(new_name));
    if diff.is_empty() {
        let _ = writeln!(
            out.text,
            "No changes to the plan between {old_name} and {new_name}."
        );
        return out.text;
    }
    out.heading(&format!("--- {old_name}"));
    out.heading(&format!("+++ {new_name}"));
    if let Some(edit) = &diff.story {
        out.line(
            Mark::Tilde,
            &format!("story: {} → {}", q(&edit.old), q(&edit.new)),
        );
    }
    if let Some(edit) = &diff.narrative {
        out.line(
            Mark::Tilde,
            &format!("narrative: {} → {}", maybe(&edit.old), maybe(&edit.new)),
        );
    }
    if let Some(edit) = &diff.notes {
        out.line(
            Mark::Tilde,
            &format!("notes: {} → {}", maybe(&edit.old), maybe(&edit.new)),
        );
    }
    for change in &diff.components {
        component_line(&mut out, change);
    }
    for change in &diff.toggles {
        match change {
            ToggleChange::Added { id: t, initially } => out.line(
                Mark::Plus,
                &format!("toggle {} (initially {})", id(t), initially.name()),
            ),
            ToggleChange::Removed { id: t, initially } => out.line(
                Mark::Minus,
                &format!("toggle {} (initially {})", id(t), initially.name()),
            ),
            ToggleChange::Initially { id: t, edit } => out.line(
                Mark::Tilde,
                &format!(
                    "toggle {} initially: {} → {}",
                    id(t),
                    edit.old.name(),
                    edit.new.name()
                ),
            ),
        }
    }
    for change in &diff.steps {
        step_line(&mut out, change);
    }
    for change in &diff.accepted {
        match change {
            AcceptChange::Added(accept) => out.line(
                Mark::Plus,
                &format!("{}: {}", accept_label(accept), q(&accept.reason)),
            ),
            AcceptChange::Removed(accept) => out.line(
                Mark::Minus,
                &format!("{}: {}", accept_label(accept), q(&accept.reason)),
            ),
            AcceptChange::Reason { accept, old } => out.line(
                Mark::Tilde,
                &format!(
                    "{} reason: {} → {}",
                    accept_label(accept),
                    q(old),
                    q(&accept.reason)
                ),
            ),
        }
    }
    // A finding's colour says whether the change is good news: one introduced is red (an
    // error) or yellow (a warning), one resolved is green; its mark still says + or -.
    for found in &diff.introduced {
        let style = match found.finding.severity {
            Severity::Error => Mark::Minus.style(),
            Severity::Warning => Mark::Tilde.style(),
            Severity::Info | Severity::Accepted => Style::new(),
        };
        let text = format!("introduced {}", finding_line(found));
        out.styled(Mark::Plus, style, &text);
    }
    for found in &diff.resolved {
        let text = format!("resolved {}", finding_line(found));
        out.styled(Mark::Minus, Mark::Plus.style(), &text);
    }
    out.text
}

fn component_line(out: &mut Out, change: &ComponentChange) {
    let (mark, body) = match change {
        ComponentChange::Added(c) | ComponentChange::Removed(c) => {
            let mark = if matches!(change, ComponentChange::Added(_)) {
                Mark::Plus
            } else {
                Mark::Minus
            };
            let repo = c
                .repo
                .as_deref()
                .map(|r| format!(", repo {}", q(r)))
                .unwrap_or_default();
            (
                mark,
                format!(
                    "component {} {} ({}{repo})",
                    id(&c.id),
                    q(&c.name),
                    c.kind.name()
                ),
            )
        }
        ComponentChange::Changed { id: c, change } => {
            let c = format!("component {}", id(c));
            match change {
                ComponentField::Name(e) => (
                    Mark::Tilde,
                    format!("{c} name: {} → {}", q(&e.old), q(&e.new)),
                ),
                ComponentField::Kind(e) => (
                    Mark::Tilde,
                    format!("{c} kind: {} → {}", e.old.name(), e.new.name()),
                ),
                ComponentField::Repo(e) => (
                    Mark::Tilde,
                    format!("{c} repo: {} → {}", maybe(&e.old), maybe(&e.new)),
                ),
                ComponentField::CurrentAdded(f) => {
                    (Mark::Plus, format!("{c} current: {}", fact(f)))
                }
                ComponentField::CurrentRemoved(f) => {
                    (Mark::Minus, format!("{c} current: {}", fact(f)))
                }
                ComponentField::TargetSet(fs) => (Mark::Plus, format!("{c} target: {}", facts(fs))),
                ComponentField::TargetDropped(fs) => {
                    (Mark::Minus, format!("{c} target: {}", facts(fs)))
                }
                ComponentField::TargetAdded(f) => (Mark::Plus, format!("{c} target: {}", fact(f))),
                ComponentField::TargetRemoved(f) => {
                    (Mark::Minus, format!("{c} target: {}", fact(f)))
                }
            }
        }
    };
    out.line(mark, &body);
}

fn step_line(out: &mut Out, change: &StepChange) {
    let (mark, body) = match change {
        StepChange::Added { index, step } => (
            Mark::Plus,
            format!("{}: {}", step_label(*index, step.id()), step_summary(step)),
        ),
        StepChange::Removed { index, step } => (
            Mark::Minus,
            format!("{}: {}", step_label(*index, step.id()), step_summary(step)),
        ),
        StepChange::Moved { id: s, from, to } => (
            Mark::Move,
            format!("step {} moved {} → {}", q(s), from + 1, to + 1),
        ),
        StepChange::Changed {
            id: s,
            index,
            change,
        } => {
            let s = step_label(*index, s);
            match change {
                StepField::Replaced(e) => (
                    Mark::Tilde,
                    format!("{s}: {} → {}", step_summary(&e.old), step_summary(&e.new)),
                ),
                StepField::Title(e) => (
                    Mark::Tilde,
                    format!("{s} title: {} → {}", q(&e.old), q(&e.new)),
                ),
                StepField::Component(e) => (
                    Mark::Tilde,
                    format!("{s} component: {} → {}", id(&e.old), id(&e.new)),
                ),
                StepField::Toggle(e) => (
                    Mark::Tilde,
                    format!("{s} toggle: {} → {}", id(&e.old), id(&e.new)),
                ),
                StepField::To(e) => (
                    Mark::Tilde,
                    format!("{s} to: {} → {}", e.old.name(), e.new.name()),
                ),
                StepField::Commit(e) => (
                    Mark::Tilde,
                    format!("{s} commit: {} → {}", maybe(&e.old), maybe(&e.new)),
                ),
                StepField::Shipped(e) => {
                    (Mark::Tilde, format!("{s} shipped: {} → {}", e.old, e.new))
                }
                StepField::Notes(e) => (
                    Mark::Tilde,
                    format!("{s} notes: {} → {}", maybe(&e.old), maybe(&e.new)),
                ),
                StepField::Pr(e) => (
                    Mark::Tilde,
                    format!("{s} pr: {} → {}", maybe(&e.old), maybe(&e.new)),
                ),
                StepField::ChangeAdded { change: c, .. } => {
                    (Mark::Plus, format!("{s} {}", clean_line(&c.to_string())))
                }
                StepField::ChangeRemoved { change: c, .. } => {
                    (Mark::Minus, format!("{s} {}", clean_line(&c.to_string())))
                }
            }
        }
    };
    out.line(mark, &body);
}
