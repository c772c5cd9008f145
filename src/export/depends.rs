//! Which earlier steps a step needs live before it ships, and why: what a pull request for
//! one step says under "Must be live before it" and "What it enables".
//!
//! Step *j* must be live before a later step *i* when *j*:
//! - **provides** a key that *i* relies on: a key that *i*'s component uses once *i* is live
//!   (for a flip turned On: a key used by the facts it switches on), or that a service it
//!   calls uses while serving that call (followed through `Serving` to a fixpoint), or a
//!   store that *i* backfills into or from;
//! - **adds what *i* takes away**: a fact of the same component that a `Remove` in *i*
//!   matches, or facts gated by a toggle that *i* ungates or flips;
//! - **turns On** the toggle that *i* ungates (the feature has run switched on before its
//!   gate is removed for good);
//! - **stops a use** of a key that *i* stops providing, or **copies the data** of a store
//!   that *i* stops providing into another store;
//! - **writes a store** that *i* backfills into: the double write that keeps the copy
//!   complete after the backfill.
//!
//! Each is a reason a reviewer can check by reading the two steps, and each names what
//! goes wrong when *j* comes after *i*: a broken use, lost or stale data, a flip or a
//! change that has nothing to act on. The rule is meant to catch at least the orders that
//! break: moving a step to just after a later one adds an error only when that step, or
//! one between them, needs it (`tests/export.rs` holds this for the article's stories).
//! "What it enables" is the same relation read the other way.

use crate::check::words::verb;
use crate::plan::{Access, Change, Fact, Plan, Step, Switch};

use super::escape::code;

/// One reason why an earlier step must be live before a later one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    /// The earlier step provides `key`, which `user` relies on once the later step is
    /// live; no user: the later step backfills it.
    Provides { key: String, user: Option<User> },
    /// The earlier release adds `fact`, which the later release removes.
    Removes { fact: Fact },
    /// The earlier release adds facts gated by `toggle`, which the later release ungates.
    Ungates { toggle: String },
    /// The earlier release adds facts gated by `toggle`, which the later flip switches.
    Switches { toggle: String, to: Switch },
    /// The earlier flip turns `toggle` On; the later release ungates it for good.
    FlipsOn { toggle: String },
    /// The earlier release stops `user` using `key`; the later release stops providing it.
    StopsUse {
        key: String,
        user: String,
        access: Access,
    },
    /// The earlier release copies `from` into `into`; the later one stops providing `from`.
    KeepsData { from: String, into: String },
    /// The earlier release makes `writer` write `key`; the later one backfills into it.
    DoubleWrite { key: String, writer: String },
}

impl Why {
    /// The reason with the earlier step as its subject, said where the later step is
    /// "this step": under "Must be live before it".
    pub fn before(&self) -> String {
        match self {
            Why::Provides {
                key,
                user: Some(user),
            } => format!("provides {}, which {}", code(key), user.uses(None)),
            Why::Provides { key, user: None } => {
                format!("provides {}, which this step backfills", code(key))
            }
            Why::Removes { fact } => {
                format!("adds {}, which this step removes", code(&fact.to_string()))
            }
            Why::Ungates { toggle } => {
                format!(
                    "adds facts gated by {}, which this step ungates",
                    code(toggle)
                )
            }
            Why::Switches { toggle, to } => format!(
                "adds facts gated by {}, which this flip turns {}",
                code(toggle),
                to.name()
            ),
            Why::FlipsOn { toggle } => format!(
                "turns {} On, which this step's ungate makes permanent",
                code(toggle)
            ),
            Why::StopsUse { key, user, access } => format!(
                "stops {} {} {}, which this step stops providing",
                code(user),
                gerund(*access),
                code(key)
            ),
            Why::KeepsData { from, into } => format!(
                "copies {} into {}, so its data is kept when this step stops providing it",
                code(from),
                code(into)
            ),
            Why::DoubleWrite { key, writer } => format!(
                "makes {} write {} (the double write), so the copy this step backfills misses no writes",
                code(writer),
                code(key)
            ),
        }
    }

    /// The reason with the later step as its subject ("it"), said where the earlier step
    /// is "this step": under "What it enables".
    pub fn after(&self) -> String {
        match self {
            Why::Provides {
                key,
                user: Some(user),
            } => format!("{}, which this step provides", user.uses(Some(key))),
            Why::Provides { key, user: None } => {
                format!("it backfills {}, which this step provides", code(key))
            }
            Why::Removes { fact } => {
                format!(
                    "it removes {}, which this step adds",
                    code(&fact.to_string())
                )
            }
            Why::Ungates { toggle } => format!(
                "it ungates the facts gated by {} that this step adds",
                code(toggle)
            ),
            Why::Switches { toggle, to } => format!(
                "it turns {} the facts gated by {} that this step adds",
                to.name(),
                code(toggle)
            ),
            Why::FlipsOn { toggle } => format!(
                "it ungates {} for good once this step has turned it On",
                code(toggle)
            ),
            Why::StopsUse { key, user, access } => format!(
                "it stops providing {}, which this step stops {} {}",
                code(key),
                code(user),
                gerund(*access)
            ),
            Why::KeepsData { from, into } => format!(
                "it stops providing {}, whose data this step copies into {}",
                code(from),
                code(into)
            ),
            Why::DoubleWrite { key, writer } => format!(
                "it backfills into {}, which this step makes {} write, so the copy misses no writes",
                code(key),
                code(writer)
            ),
        }
    }
}

/// A component that uses a key: how, and the interface it serves while it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub component: String,
    pub access: Access,
    pub serving: Option<String>,
}

impl User {
    /// "`api` writes `key` (serving `POST /x`)", the key left out when `None`.
    fn uses(&self, key: Option<&str>) -> String {
        let mut text = format!("{} {}", code(&self.component), verb(self.access));
        if let Some(key) = key {
            text.push(' ');
            text.push_str(&code(key));
        }
        if let Some(serving) = &self.serving {
            text.push_str(&format!(" (serving {})", code(serving)));
        }
        text
    }
}

fn gerund(access: Access) -> &'static str {
    match access {
        Access::Provide => "providing",
        Access::Call => "calling",
        Access::Read => "reading",
        Access::Write => "writing",
    }
}

/// Step `earlier` must be live before step `later` (indexes into `plan.steps`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    pub earlier: usize,
    pub later: usize,
    pub why: Vec<Why>,
}

/// Every dependency of the plan, ordered by the later step, then the earlier one.
pub fn dependencies(plan: &Plan) -> Vec<Dependency> {
    let ids: Vec<&str> = plan.components.iter().map(|c| c.id.as_str()).collect();
    let component = |step: &Step| {
        step.component()
            .and_then(|id| ids.iter().position(|c| *c == id))
    };
    let mut facts: Vec<Vec<Fact>> = plan.components.iter().map(|c| c.current.clone()).collect();
    let mut found = Vec::new();
    for (i, step) in plan.steps.iter().enumerate() {
        if let Some(c) = component(step) {
            for change in step.changes() {
                change.apply_to(&mut facts[c]);
            }
        }
        let uses = uses(step, component(step), &facts);
        for j in 0..i {
            let mut why = Vec::new();
            needs(plan, j, i, &uses, &mut why);
            let mut unique: Vec<Why> = Vec::new();
            for reason in why {
                if !unique.contains(&reason) {
                    unique.push(reason);
                }
            }
            if !unique.is_empty() {
                found.push(Dependency {
                    earlier: j,
                    later: i,
                    why: unique,
                });
            }
        }
    }
    found
}

/// The steps that must be live before step `i`, in plan order.
pub fn live_before(dependencies: &[Dependency], i: usize) -> impl Iterator<Item = &Dependency> {
    dependencies.iter().filter(move |d| d.later == i)
}

/// The later steps that need step `i` live first, in plan order.
pub fn enables(dependencies: &[Dependency], i: usize) -> impl Iterator<Item = &Dependency> {
    dependencies.iter().filter(move |d| d.earlier == i)
}

/// A key some component uses: the key, the component's index, the fact.
type Use<'a> = (&'a str, usize, &'a Fact);

/// The keys a step relies on once it is live: its component's uses (for a flip turned On:
/// the uses it switches on), then what the services providing those keys use while
/// serving them, to a fixpoint.
fn uses<'a>(step: &Step, component: Option<usize>, facts: &'a [Vec<Fact>]) -> Vec<Use<'a>> {
    let mut found: Vec<Use<'a>> = Vec::new();
    match step {
        Step::Release { .. } => {
            if let Some(c) = component {
                let used = facts[c].iter().filter(|f| f.access.is_use());
                found.extend(used.map(|f| (f.key.as_str(), c, f)));
            }
        }
        Step::Flip { toggle, to, .. } => {
            if *to == Switch::On {
                for (c, component_facts) in facts.iter().enumerate() {
                    let switched = component_facts.iter().filter(|f| {
                        f.access.is_use() && f.gate.as_deref() == Some(toggle.as_str())
                    });
                    found.extend(switched.map(|f| (f.key.as_str(), c, f)));
                }
            }
        }
    }
    let mut next = 0;
    while next < found.len() {
        let key = found[next].0;
        next += 1;
        for (d, provider) in facts.iter().enumerate() {
            let provides = provider
                .iter()
                .any(|f| f.access == Access::Provide && f.key == key);
            if !provides {
                continue;
            }
            for f in provider.iter().filter(|f| f.access.is_use()) {
                let entry = (f.key.as_str(), d, f);
                if f.serving.as_deref() == Some(key) && !found.contains(&entry) {
                    found.push(entry);
                }
            }
        }
    }
    found
}

/// The reasons step `j` must be live before step `i`.
fn needs(plan: &Plan, j: usize, i: usize, uses: &[Use], why: &mut Vec<Why>) {
    let (earlier, later) = (&plan.steps[j], &plan.steps[i]);
    let same_component = match (earlier.component(), later.component()) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    };
    let adds = || {
        earlier.changes().iter().filter_map(|change| match change {
            Change::Add(fact) => Some(fact),
            _ => None,
        })
    };
    let provides = |key: &str| adds().any(|f| f.access == Access::Provide && f.key == key);

    for &(key, user, fact) in uses {
        if provides(key) {
            why.push(Why::Provides {
                key: key.to_string(),
                user: Some(User {
                    component: plan.components[user].id.clone(),
                    access: fact.access,
                    serving: fact.serving.clone(),
                }),
            });
        }
    }
    if let Step::Flip { toggle, to, .. } = later
        && adds().any(|f| f.gate.as_deref() == Some(toggle.as_str()))
    {
        why.push(Why::Switches {
            toggle: toggle.clone(),
            to: *to,
        });
    }
    for change in later.changes() {
        match change {
            Change::Remove(removed) => {
                if same_component {
                    for added in adds().filter(|added| matches_removal(removed, added)) {
                        why.push(Why::Removes {
                            fact: added.clone(),
                        });
                    }
                }
                if removed.access == Access::Provide {
                    stops_providing(earlier, &removed.key, why);
                }
            }
            Change::Ungate(toggle) => {
                let toggle = toggle.as_str();
                if same_component && adds().any(|f| f.gate.as_deref() == Some(toggle)) {
                    why.push(Why::Ungates {
                        toggle: toggle.to_string(),
                    });
                }
                if let Step::Flip {
                    toggle: flipped,
                    to: Switch::On,
                    ..
                } = earlier
                    && flipped == toggle
                {
                    why.push(Why::FlipsOn {
                        toggle: toggle.to_string(),
                    });
                }
            }
            Change::Backfill { into, from } => {
                for store in [into, from] {
                    if provides(store) {
                        why.push(Why::Provides {
                            key: store.clone(),
                            user: None,
                        });
                    }
                }
                let writes = adds().any(|f| f.access == Access::Write && f.key == *into);
                if let (true, Some(writer)) = (writes, earlier.component()) {
                    why.push(Why::DoubleWrite {
                        key: into.clone(),
                        writer: writer.to_string(),
                    });
                }
            }
            Change::Add(_) => {}
        }
    }
}

/// What `earlier` did so that a later step can stop providing `key`.
fn stops_providing(earlier: &Step, key: &str, why: &mut Vec<Why>) {
    for change in earlier.changes() {
        match change {
            Change::Remove(fact) if fact.access.is_use() && fact.key == key => {
                if let Some(user) = earlier.component() {
                    why.push(Why::StopsUse {
                        key: key.to_string(),
                        user: user.to_string(),
                        access: fact.access,
                    });
                }
            }
            Change::Backfill { into, from } if from == key => why.push(Why::KeepsData {
                from: key.to_string(),
                into: into.clone(),
            }),
            _ => {}
        }
    }
}

/// A `Remove` matches facts with the same access and key (and the same `Serving`
/// interface, when it names one); `Tolerant` and `Gated` do not matter (SPEC §1).
fn matches_removal(removed: &Fact, fact: &Fact) -> bool {
    removed.access == fact.access
        && removed.key == fact.key
        && (removed.serving.is_none() || removed.serving == fact.serving)
}
