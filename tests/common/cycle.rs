//! A plan no order makes safe, for the tests of `fix` and of the board's `F`.

/// The web app needs an endpoint of the API, and the API's release that provides it also
/// calls one the web app only provides in the same release: every order breaks one.
pub const CYCLE: &str = r#"Plan(
    version: 1,
    story: "Feeding schedules",
    components: [
        Component(id: "web", name: "Web app", kind: Ui, current: [],
            target: [Call("GET /schedule"), Provide("GET /preferences")]),
        Component(id: "api", name: "API", kind: Service, current: [],
            target: [Provide("GET /schedule"), Call("GET /preferences")]),
    ],
    steps: [
        Release(id: "schedule-page", component: "web", title: "Schedule page and preferences",
            changes: [Add(Call("GET /schedule")), Add(Provide("GET /preferences"))]),
        Release(id: "schedule-endpoint", component: "api", title: "Schedule endpoint",
            changes: [Add(Provide("GET /schedule")), Add(Call("GET /preferences"))]),
    ],
)
"#;
