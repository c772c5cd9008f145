//! The editing overlays as a person sees them: forms, the lists inside steps and
//! components, the templates, a draft and the finder; snapshots of whole screens (text
//! only), and plain assertions for the cursor, hidden fields and control characters.

use std::path::PathBuf;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Position;
use storyplan::compose::draft::{Draft, draft};
use storyplan::plan::{Accept, Change, Fact, Plan, Step, Switch, Toggle};
use storyplan::tui::complete::{Completion, Pool, slot_candidates};
use storyplan::tui::finder::Finder;
use storyplan::tui::form::Form;
use storyplan::tui::model::{List, Model, Overlay, Source};
use storyplan::tui::phrase;
use storyplan::tui::theme::Theme;
use storyplan::tui::view;
use tui_input::InputRequest;

fn example(name: &str) -> Plan {
    let path = format!("{}/assets/examples/{name}.ron", env!("CARGO_MANIFEST_DIR"));
    storyplan::store::load(std::path::Path::new(&path))
        .expect("example loads")
        .plan
}

fn model(plan: Plan) -> Model {
    let mut model = Model::new(
        plan,
        Source::File {
            path: PathBuf::from(".storyplan/reminders.ron"),
            stamp: None,
        },
    );
    model.theme = Theme::plain();
    model
}

fn reminders() -> Model {
    model(example("reminders"))
}

fn render(model: &Model, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| {
            view::draw(frame, model);
        })
        .unwrap();
    terminal
}

fn line(terminal: &Terminal<TestBackend>, y: u16) -> String {
    let buffer = terminal.backend().buffer();
    (0..buffer.area.width)
        .map(|x| buffer[(x, y)].symbol())
        .collect()
}

fn screen(terminal: &Terminal<TestBackend>) -> String {
    let height = terminal.backend().buffer().area.height;
    (0..height)
        .map(|y| line(terminal, y))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The row and column (in characters) where `text` first shows.
fn find(terminal: &Terminal<TestBackend>, text: &str) -> Option<(u16, u16)> {
    let height = terminal.backend().buffer().area.height;
    (0..height).find_map(|y| {
        let line = line(terminal, y);
        let at = line.find(text)?;
        Some((line[..at].chars().count() as u16, y))
    })
}

/// The part of a line inside an overlay's double-lined box.
fn inside_box(line: &str) -> &str {
    match (line.find('║'), line.rfind('║')) {
        (Some(start), Some(end)) if start < end => &line[start + '║'.len_utf8()..end],
        _ => "",
    }
}

fn form(model: &mut Model, form: Form, completion: Option<Completion>) {
    let back = model.overlay.take().map(Box::new);
    model.overlay = Some(Overlay::Form {
        form: Box::new(form),
        completion: completion.map(Box::new),
        back,
    });
}

fn the_form(model: &mut Model) -> &mut Form {
    match &mut model.overlay {
        Some(Overlay::Form { form, .. }) => form,
        _ => panic!("a form is open"),
    }
}

fn type_into(form: &mut Form, text: &str) {
    for c in text.chars() {
        form.edit(InputRequest::InsertChar(c));
    }
}

fn focus(form: &mut Form, name: &str) {
    form.focus = form
        .fields
        .iter()
        .position(|f| f.id.label() == name)
        .expect("the form has the field");
}

fn step_form(flip: bool) -> Model {
    let mut model = reminders();
    let mut new_step = Form::step(&model.plan, None, 2);
    if flip {
        new_step.cycle(true);
    }
    form(&mut model, new_step, None);
    model
}

#[test]
fn new_step_form_release_and_flip() {
    let model = step_form(false);
    insta::assert_snapshot!(
        "step_form_release_120x36",
        render(&model, 120, 36).backend()
    );
    insta::assert_snapshot!(
        "step_form_release_100x30",
        render(&model, 100, 30).backend()
    );
    let model = step_form(true);
    insta::assert_snapshot!("step_form_flip_120x36", render(&model, 120, 36).backend());
}

#[test]
fn hidden_fields_are_not_drawn() {
    let label = |terminal: &Terminal<TestBackend>, name: &str| {
        // A label is right-aligned before two spaces and its value, inside the form's box.
        (0..36).any(|y| inside_box(&line(terminal, y)).contains(&format!(" {name}  ")))
    };
    let release = render(&step_form(false), 120, 36);
    for shown in [
        "step",
        "id",
        "title",
        "component",
        "commit",
        "shipped",
        "notes",
        "pr",
    ] {
        assert!(label(&release, shown), "{shown} shows for a release");
    }
    for hidden in ["toggle", "to"] {
        assert!(!label(&release, hidden), "{hidden} is hidden for a release");
    }
    let flip = render(&step_form(true), 120, 36);
    for shown in ["step", "id", "title", "toggle", "to", "shipped", "notes"] {
        assert!(label(&flip, shown), "{shown} shows for a flip");
    }
    for hidden in ["component", "commit", "pr"] {
        assert!(!label(&flip, hidden), "{hidden} is hidden for a flip");
    }
}

#[test]
fn the_cursor_sits_in_the_focused_text_field() {
    let mut model = step_form(false);
    let form = the_form(&mut model);
    focus(form, "id");
    type_into(form, "digest");
    let terminal = render(&model, 120, 36);
    let (x, y) = find(&terminal, "digest").expect("the typed id shows");
    let row = line(&terminal, y);
    assert!(row.contains('▸') && row.contains(" id  digest"), "{row}");
    assert!(terminal.backend().cursor_visible());
    assert_eq!(
        terminal.backend().cursor_position(),
        Position::new(x + 6, y)
    );

    let form = the_form(&mut model);
    form.edit(InputRequest::GoToPrevChar);
    form.edit(InputRequest::GoToPrevChar);
    let terminal = render(&model, 120, 36);
    assert_eq!(
        terminal.backend().cursor_position(),
        Position::new(x + 4, y)
    );

    // A choice takes no text: no cursor is placed, so the terminal hides it.
    the_form(&mut model).focus = 0;
    let terminal = render(&model, 120, 36);
    assert!(!terminal.backend().cursor_visible());
}

#[test]
fn a_component_form_shows_its_error() {
    let mut model = reminders();
    let mut new_component = Form::component(&model.plan, None);
    type_into(&mut new_component, "api");
    let mut plan = model.plan.clone();
    let error = new_component.apply(&mut plan).expect_err("the id is taken");
    new_component.error = Some(error.clone());
    form(&mut model, new_component, None);
    let terminal = render(&model, 120, 36);
    assert!(screen(&terminal).contains(&format!("✗ {error}")), "{error}");
    insta::assert_snapshot!("component_form_error_120x36", terminal.backend());
}

/// A new fact of the API, opened from its facts list, with "POST /us" typed as its key.
fn fact_form_completing() -> Model {
    let mut model = reminders();
    model.overlay = Some(Overlay::List {
        list: List::Facts { component: 1 },
        selected: 0,
    });
    let mut fact = Form::fact(&model.plan, 1, false, None);
    focus(&mut fact, "key");
    type_into(&mut fact, "POST /us");
    let mut completion = Completion::for_plan(&model.plan, Pool::Keys);
    completion.update("POST /us");
    completion.next();
    form(&mut model, fact, Some(completion));
    model
}

#[test]
fn fact_form_with_completions() {
    let model = fact_form_completing();
    let terminal = render(&model, 120, 36);
    let text = screen(&terminal);
    assert!(text.contains("POST /user/{id}/reminder"), "{text}");
    // "POST /us" is not a key the plan has; the fact line above says the same fact.
    assert!(text.contains("fact  call POST /us"), "{text}");
    let (_, y) = find(&terminal, "key  POST /us").unwrap();
    assert!(
        line(&terminal, y).contains(" new "),
        "{}",
        line(&terminal, y)
    );
    insta::assert_snapshot!("fact_form_completion_120x36", terminal.backend());
    insta::assert_snapshot!(
        "fact_form_completion_100x30",
        render(&model, 100, 30).backend()
    );
}

#[test]
fn the_fact_line_with_its_completions() {
    let mut model = reminders();
    model.overlay = Some(Overlay::List {
        list: List::Facts { component: 0 },
        selected: 0,
    });
    let mut fact = Form::fact(&model.plan, 0, false, None);
    type_into(&mut fact, "gated reminders POST /us");
    let (slot, start) = phrase::slot("gated reminders POST /us");
    let mut completion = Completion::new(slot_candidates(&model.plan, slot));
    completion.update(&"gated reminders POST /us"[start..]);
    form(&mut model, fact, Some(completion));
    let terminal = render(&model, 100, 30);
    let text = screen(&terminal);
    assert!(
        text.contains("▶ POST /user/{id}/reminder") || text.contains("  POST /user/{id}/reminder"),
        "{text}"
    );
    assert!(text.contains("gated by  reminders"), "{text}");
    insta::assert_snapshot!("fact_line_completion_100x30", terminal.backend());
}

#[test]
fn an_existing_key_is_not_tagged_new() {
    let mut model = fact_form_completing();
    let form = the_form(&mut model);
    form.set_value("users");
    if let Some(Overlay::Form {
        completion: Some(completion),
        ..
    }) = &mut model.overlay
    {
        completion.update("users");
    }
    let terminal = render(&model, 120, 36);
    let (_, y) = find(&terminal, "users").unwrap();
    assert!(
        !line(&terminal, y).contains(" new "),
        "{}",
        line(&terminal, y)
    );
}

fn list(list: List, selected: usize) -> Model {
    let mut model = reminders();
    model.overlay = Some(Overlay::List { list, selected });
    model
}

#[test]
fn the_changes_of_a_step() {
    let model = list(List::Changes { step: 1 }, 1);
    let terminal = render(&model, 120, 36);
    let text = screen(&terminal);
    assert!(
        text.contains("Changes of step 2 \"endpoints\" (api)"),
        "{text}"
    );
    insta::assert_snapshot!("changes_endpoints_120x36", terminal.backend());
}

#[test]
fn the_facts_of_a_component() {
    let model = list(List::Facts { component: 1 }, 3);
    insta::assert_snapshot!("facts_api_120x36", render(&model, 120, 36).backend());
    insta::assert_snapshot!("facts_api_100x30", render(&model, 100, 30).backend());
}

#[test]
fn the_toggles_and_the_accepted_findings() {
    let mut model = list(List::Toggles, 0);
    model.plan.toggles.push(Toggle {
        id: "digest-emails".into(),
        initially: Switch::On,
    });
    // The toggle is on disk too: the plan shows as saved.
    model.saved = model.plan.clone();
    insta::assert_snapshot!("toggles_120x36", render(&model, 120, 36).backend());

    let mut model = list(List::Accepted, 0);
    model.plan.accepted.push(Accept {
        rule: "data-loss".into(),
        step: Some("drop-notes".into()),
        key: Some("notes".into()),
        reason: "the notes were never read".into(),
    });
    let terminal = render(&model, 120, 36);
    assert!(
        screen(&terminal)
            .contains("data-loss step drop-notes key notes — the notes were never read")
    );
}

#[test]
fn empty_lists_say_how_to_add() {
    let mut model = list(List::Toggles, 0);
    model.plan.toggles.clear();
    assert!(screen(&render(&model, 120, 36)).contains("No toggles yet: a adds one"));
    let model = list(List::Changes { step: 3 }, 0);
    assert!(screen(&render(&model, 120, 36)).contains("No changes yet: a adds one"));
}

#[test]
fn the_templates() {
    let mut model = reminders();
    model.overlay = Some(Overlay::Templates { selected: 1 });
    insta::assert_snapshot!("templates_120x36", render(&model, 120, 36).backend());
}

/// What `D` drafts for the reminders story before any step is planned.
fn drafted() -> Draft {
    let mut plan = example("reminders");
    plan.steps.clear();
    draft(&plan)
}

#[test]
fn a_draft_preview() {
    let mut plan = example("reminders");
    plan.steps.clear();
    let mut model = model(plan);
    storyplan::tui::editing::draft_steps(&mut model);
    let Some(Overlay::Draft { would_be, .. }) = model.overlay else {
        panic!("D opens the draft preview");
    };
    insta::assert_snapshot!("draft_120x36", render(&model, 120, 36).backend());
    // What taking the draft would check as, from the checker.
    let text = screen(&render(&model, 120, 36));
    let expected = format!(
        "Taking them, the plan would be: {} errors, {} warning",
        would_be.errors, would_be.warnings
    );
    assert!(text.contains(&expected), "{expected} in {text}");
    // Longer than the screen and scrolled past the end, it stops at its last line.
    let mut long = drafted();
    long.notes = (1..=12).map(|n| format!("note {n}")).collect();
    model.overlay = Some(Overlay::Draft {
        draft: Box::new(long),
        would_be,
        scroll: u16::MAX,
    });
    let terminal = render(&model, 100, 30);
    let text = screen(&terminal);
    assert!(
        text.contains("note 12") && !text.contains("1. db-expand"),
        "{text}"
    );
    assert!(text.contains("–28 of 28 "), "{text}");
}

#[test]
fn the_finder() {
    let mut model = reminders();
    let mut finder = Finder::new(&model.plan, &model.report);
    finder.set_query("rem");
    model.overlay = Some(Overlay::Finder(Box::new(finder)));
    let terminal = render(&model, 120, 36);
    let (x, y) = find(&terminal, "> rem").expect("the query shows");
    assert!(terminal.backend().cursor_visible());
    assert_eq!(
        terminal.backend().cursor_position(),
        Position::new(x + 5, y)
    );
    insta::assert_snapshot!("finder_rem_120x36", terminal.backend());
}

#[test]
fn plan_text_with_control_characters_is_cleaned() {
    let mut plan = example("reminders");
    if let Step::Release {
        id, title, changes, ..
    } = &mut plan.steps[1]
    {
        *id = "end\u{1b}[31mpoints".into();
        *title = "Reminder\u{7} endpoints\u{9b}".into();
        changes.push(Change::Add(Fact::provide("evil\u{1b}]0;title\u{7}")));
    }
    plan.components[1].id = "a\u{1b}[2Jpi".into();
    plan.toggles[0].id = "remind\u{8}ers".into();
    plan.accepted.push(Accept {
        rule: "data-loss".into(),
        step: Some("x\u{1b}[0m".into()),
        key: None,
        reason: "because\u{1b}[5m".into(),
    });

    let mut model = model(plan);
    let mut edit = Form::step(&model.plan, Some(1), 1);
    focus(&mut edit, "title");
    form(&mut model, edit, None);
    let mut screens = vec![render(&model, 120, 36)];
    for list in [
        List::Changes { step: 1 },
        List::Facts { component: 1 },
        List::Toggles,
        List::Accepted,
    ] {
        model.overlay = Some(Overlay::List { list, selected: 0 });
        screens.push(render(&model, 120, 36));
    }
    model.overlay = Some(Overlay::Draft {
        draft: Box::new(Draft {
            steps: vec![model.plan.steps[1].clone()],
            toggles: model.plan.toggles.clone(),
            notes: vec!["note\u{1b}[1m".into()],
        }),
        would_be: model.report.summary(),
        scroll: 0,
    });
    screens.push(render(&model, 120, 36));

    for terminal in &screens {
        for y in 0..36 {
            let line = line(terminal, y);
            assert!(!line.chars().any(char::is_control), "{line:?}");
        }
    }
    let all: String = screens.iter().map(screen).collect();
    for shown in [
        "end[31mpoints",
        "Reminder endpoints",
        // A fact shows as the plan writes it, its control characters escaped.
        "evil\\u{1b}]0;title\\u{7}",
        "a[2Jpi",
        "reminders",
        "x[0m",
    ] {
        assert!(all.contains(shown), "{shown} shows, cleaned");
    }

    // The cursor follows the cleaned title: after "Reminder endpoints", not the raw one.
    let terminal = &screens[0];
    let (x, y) = find(terminal, "Reminder endpoints").unwrap();
    assert_eq!(
        terminal.backend().cursor_position(),
        Position::new(x + "Reminder endpoints".len() as u16, y)
    );
}

#[test]
fn a_remapped_form_key_shows_in_the_forms_footer_and_the_status_bar() {
    let mut model = step_form(false);
    let user: storyplan::tui::keymap::UserKeymap =
        ron::from_str(r#"(form: { confirm: ["ctrl-enter"], close: ["ctrl-q"] })"#)
            .expect("a keymap");
    assert_eq!(model.keymap.merge(&user), Vec::<String>::new());
    let screen = screen(&render(&model, 120, 36));
    assert!(
        screen.contains("←→/letter choose · Ctrl-Enter save · Ctrl-q"),
        "{screen}"
    );
    assert!(screen.contains(" FORM  Tab next  ↑↓ completions  Ctrl-Enter save  Ctrl-q cancel"));
    assert!(!screen.contains("Esc cancel"), "{screen}");
}

#[test]
fn a_pattern_form_says_in_one_line_what_the_focused_field_wants() {
    use storyplan::tui::form::{FieldId, Template};
    let mut model = reminders();
    let mut form = Form::template(Template::ToggleFeature, 0);
    form.focus = form
        .fields
        .iter()
        .position(|f| f.id == FieldId::Interfaces)
        .expect("the pattern asks for interfaces");
    model.overlay = Some(Overlay::Form {
        form: Box::new(form),
        completion: None,
        back: None,
    });
    let text = screen(&render(&model, 120, 36));
    assert!(
        text.contains("the endpoints the UI calls and the service provides, comma-separated"),
        "{text}"
    );
    // A field whose label says enough has no line.
    if let Some(Overlay::Form { form, .. }) = &mut model.overlay {
        form.focus = 0;
        assert_eq!(form.fields[0].id, FieldId::Name);
        assert!(
            form.help().is_some(),
            "a pattern's name says what it is for"
        );
    }
    let mut story = Form::story(&model.plan);
    story.focus = 0;
    assert_eq!(story.help(), None);
}
