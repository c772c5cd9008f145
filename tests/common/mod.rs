//! Building plans in code for the tests: the smallest component, release, flip and plan.

// Each test crate uses the helpers it needs.
#![allow(dead_code)]

pub mod kickoff;

use storyplan::plan::{Change, Component, Fact, Kind, Plan, Step, Switch};

pub fn component(id: &str, kind: Kind, current: Vec<Fact>) -> Component {
    Component {
        id: id.into(),
        name: id.into(),
        kind,
        repo: None,
        sources: Vec::new(),
        current,
        target: None,
    }
}

pub fn release(id: &str, component: &str, changes: Vec<Change>) -> Step {
    Step::Release {
        id: id.into(),
        component: component.into(),
        title: id.into(),
        changes,
        commit: None,
        shipped: false,
        notes: None,
        pr: None,
    }
}

pub fn flip(id: &str, toggle: &str, to: Switch) -> Step {
    Step::Flip {
        id: id.into(),
        toggle: toggle.into(),
        to,
        title: id.into(),
        shipped: false,
        notes: None,
    }
}

pub fn plan(components: Vec<Component>, steps: Vec<Step>) -> Plan {
    Plan {
        components,
        steps,
        ..Plan::new("test")
    }
}
