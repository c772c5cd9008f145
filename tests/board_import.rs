//! `I` on the board: a component's current facts compared with its sources in the
//! repository, previewed, and applied as one undo step.

use std::path::{Path, PathBuf};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers};
use storyplan::plan::{Fact, Plan};
use storyplan::store::{self, Stamp};
use storyplan::tui::app::perform;
use storyplan::tui::model::{Model, Overlay, Pane, Source};
use storyplan::tui::msg::{Effect, Msg};
use storyplan::tui::theme::Theme;
use storyplan::tui::update::{key_to_msg, update};
use storyplan::tui::view;

const PLAN: &str = r#"Plan(
    version: 1,
    story: "Reminders",
    components: [
        Component(id: "web", name: "Web app", kind: Ui, current: [Call("GET /user/{id}")]),
        Component(
            id: "api",
            name: "API",
            kind: Service,
            sources: [OpenApi("api/openapi.yaml")],
            current: [Provide("GET /user/{id}"), Provide("GET /retired")],
        ),
    ],
)
"#;

/// A folder that is a git repository to storyplan, with the API's OpenAPI document and
/// the plan.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::TempDir::new().expect("temp dir");
    std::fs::create_dir(dir.path().join(".git")).expect("a repository");
    std::fs::create_dir_all(dir.path().join("api")).expect("api folder");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sources/openapi/shelter-3.0.yaml");
    std::fs::copy(fixture, dir.path().join("api/openapi.yaml")).expect("copied");
    std::fs::write(dir.path().join("plan.ron"), PLAN).expect("plan written");
    dir
}

fn board(dir: &Path) -> Model {
    let path: PathBuf = dir.join("plan.ron");
    let plan: Plan = store::load(&path).expect("the plan loads").plan;
    let mut model = Model::new(
        plan,
        Source::File {
            path,
            stamp: Some(Stamp::of_bytes(PLAN.as_bytes())),
        },
    );
    model.theme = Theme::plain();
    model.pane = Pane::Components;
    model.component = 1;
    model
}

fn key(model: &mut Model, code: KeyCode) -> Option<Effect> {
    let event = KeyEvent {
        code,
        modifiers: KeyModifiers::NONE,
        kind: KeyEventKind::Press,
        state: KeyEventState::NONE,
    };
    let msg = key_to_msg(&model.keymap, model.context(), event)?;
    update(model, msg)
}

/// `I`, and the loop's answer to the effect it asks for.
fn import(model: &mut Model) {
    let effect = key(model, KeyCode::Char('I')).expect("I asks to read the sources");
    assert!(
        matches!(effect, Effect::Import { component: 1, .. }),
        "{effect:?}"
    );
    let msg = perform(effect).expect("a message back");
    assert!(matches!(msg, Msg::Imported(Ok(_))), "{msg:?}");
    update(model, msg);
}

fn screen(model: &Model, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal
        .draw(|frame| {
            view::draw(frame, model);
        })
        .expect("drawn");
    terminal
}

#[test]
fn i_previews_the_comparison_and_enter_applies_it_as_one_undo_step() {
    let repo = repository();
    let mut model = board(repo.path());
    import(&mut model);
    let Some(Overlay::Import { comparison, .. }) = &model.overlay else {
        panic!("the preview is open: {:?}", model.notice);
    };
    assert!(
        comparison
            .added
            .contains(&Fact::provide("POST /user/{id}/reminder"))
    );
    assert_eq!(comparison.removed, [Fact::provide("GET /retired")]);
    let before = model.plan.clone();
    // The header names the plan's file: a fixed name, not the temporary folder's.
    let source = std::mem::replace(
        &mut model.source,
        Source::File {
            path: PathBuf::from("plan.ron"),
            stamp: None,
        },
    );
    insta::assert_snapshot!("import_preview_100x30", screen(&model, 100, 30).backend());
    model.source = source;

    key(&mut model, KeyCode::Enter);
    assert!(model.overlay.is_none());
    let api = &model.plan.components[1].current;
    assert!(api.contains(&Fact::provide("POST /user/{id}/reminder")));
    assert!(!api.contains(&Fact::provide("GET /retired")));
    let said = model
        .notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default();
    assert!(
        said.starts_with("Imported into api: 9 added, 1 removed"),
        "{said}"
    );
    key(&mut model, KeyCode::Char('u'));
    assert_eq!(model.plan, before, "one undo takes the whole import back");

    // In sync now: I says so and opens nothing.
    key(&mut model, KeyCode::Char('U'));
    import(&mut model);
    key(&mut model, KeyCode::Enter);
    import(&mut model);
    assert!(model.overlay.is_none());
    let said = model
        .notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default();
    assert_eq!(said, "api is in sync with its sources");
}

#[test]
fn esc_discards_the_import_and_a_component_without_sources_says_how_to_add_them() {
    let repo = repository();
    let mut model = board(repo.path());
    import(&mut model);
    let before = model.plan.clone();
    key(&mut model, KeyCode::Esc);
    assert!(model.overlay.is_none());
    assert_eq!(model.plan, before);

    model.component = 0;
    assert_eq!(key(&mut model, KeyCode::Char('I')), None);
    let said = model
        .notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default();
    assert_eq!(
        said,
        "web has no sources: e on it adds them (openapi:PATH, sql:PATH, pact:PATH)"
    );
}

#[test]
fn a_source_that_cannot_be_read_is_named_in_the_notice() {
    let repo = repository();
    std::fs::remove_file(repo.path().join("api/openapi.yaml")).expect("removed");
    let mut model = board(repo.path());
    let effect = key(&mut model, KeyCode::Char('I')).expect("an effect");
    let msg = perform(effect).expect("a message");
    update(&mut model, msg);
    assert!(model.overlay.is_none());
    let notice = model.notice.clone().expect("a notice");
    assert!(notice.error);
    assert!(notice.text.contains("api/openapi.yaml"), "{}", notice.text);
}

fn typed(model: &mut Model, text: &str) {
    for c in text.chars() {
        key(model, KeyCode::Char(c));
    }
}

fn focused_value(model: &Model) -> String {
    let Some(Overlay::Form { form, .. }) = &model.overlay else {
        panic!("a form is open");
    };
    form.focused().map(|f| f.value()).unwrap_or_default()
}

#[test]
fn a_components_form_offers_the_sources_the_repository_has() {
    let repo = repository();
    std::fs::create_dir_all(repo.path().join("db/migrations")).expect("folder");
    for (name, sql) in [
        ("V1__a.sql", "create table a (id int);"),
        ("V2__b.sql", "create table b (id int);"),
    ] {
        std::fs::write(repo.path().join("db/migrations").join(name), sql).expect("written");
    }
    let mut model = board(repo.path());
    model.component = 0;
    key(&mut model, KeyCode::Char('e'));
    for _ in 0..4 {
        key(&mut model, KeyCode::Tab); // name, kind, repo, sources
    }
    let Some(Overlay::Form { completion, .. }) = &model.overlay else {
        panic!("the form is open");
    };
    let offered: Vec<String> = completion
        .as_ref()
        .map(|c| c.suggestions().map(str::to_string).collect())
        .unwrap_or_default();
    assert_eq!(offered, ["openapi:api/openapi.yaml", "sql:db/migrations"]);
    typed(&mut model, "sql");
    key(&mut model, KeyCode::Tab);
    assert_eq!(focused_value(&model), "sql:db/migrations");
    typed(&mut model, ", open");
    key(&mut model, KeyCode::Tab);
    assert_eq!(
        focused_value(&model),
        "sql:db/migrations, openapi:api/openapi.yaml"
    );
}

#[test]
fn keys_the_plans_sources_yield_are_completed_in_a_fact() {
    let repo = repository();
    let mut model = board(repo.path());
    model.component = 0; // web calls what api's document provides
    key(&mut model, KeyCode::Enter);
    key(&mut model, KeyCode::Char('a'));
    typed(&mut model, "PATCH /anim");
    key(&mut model, KeyCode::Tab);
    assert_eq!(focused_value(&model), "PATCH /animals/{animalId}/feedings");
    key(&mut model, KeyCode::Enter);
    assert!(
        model.plan.components[0]
            .current
            .contains(&Fact::call("PATCH /animals/{animalId}/feedings")),
        "{:?}",
        model.plan.components[0].current
    );
}
