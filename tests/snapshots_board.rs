//! The board as a person sees it: snapshots of whole screens (text only), and plain
//! assertions on the buffer for what must hold whatever the snapshots say.

use std::path::PathBuf;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use storyplan::plan::{Change, Component, Fact, Kind, Plan, Step, Switch, Toggle};
use storyplan::tui::model::{Drag, Model, Notice, Overlay, Pane, Question, Source};
use storyplan::tui::theme::Theme;
use storyplan::tui::view::{self, LayoutCache};
use tui_input::Input;

fn example(name: &str) -> Plan {
    let path = format!("{}/assets/examples/{name}.ron", env!("CARGO_MANIFEST_DIR"));
    storyplan::store::load(std::path::Path::new(&path))
        .expect("example loads")
        .plan
}

fn reorder(mut plan: Plan, ids: &[&str]) -> Plan {
    plan.steps = ids
        .iter()
        .map(|id| {
            let step = plan.steps.iter().find(|s| s.id() == *id);
            step.expect("step exists").clone()
        })
        .collect();
    plan
}

fn model(plan: Plan, file: &str) -> Model {
    let mut model = Model::new(
        plan,
        Source::File {
            path: PathBuf::from(file),
            stamp: None,
        },
    );
    model.theme = Theme::plain();
    model
}

fn reminders() -> Model {
    model(example("reminders"), ".storyplan/reminders.ron")
}

/// The reminders story with the flip before the table: the API writes nowhere.
fn flip_before_table() -> Model {
    let plan = reorder(
        example("reminders"),
        &["ui-hidden", "endpoints", "enable", "table", "cleanup"],
    );
    model(plan, ".storyplan/reminders.ron")
}

/// The flip before the endpoints: the web breaks, then the API's writes while the
/// endpoints are live and the table is not.
fn flip_before_endpoints() -> Model {
    let plan = reorder(
        example("reminders"),
        &["ui-hidden", "enable", "endpoints", "table", "cleanup"],
    );
    model(plan, ".storyplan/reminders.ron")
}

fn render(model: &Model, width: u16, height: u16) -> (Terminal<TestBackend>, LayoutCache) {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let mut cache = LayoutCache::default();
    terminal
        .draw(|frame| cache = view::draw(frame, model))
        .unwrap();
    (terminal, cache)
}

fn cell(terminal: &Terminal<TestBackend>, x: u16, y: u16) -> &str {
    terminal.backend().buffer()[(x, y)].symbol()
}

fn line(terminal: &Terminal<TestBackend>, y: u16) -> String {
    let width = terminal.backend().buffer().area.width;
    (0..width).map(|x| cell(terminal, x, y)).collect()
}

fn screen(terminal: &Terminal<TestBackend>) -> String {
    let height = terminal.backend().buffer().area.height;
    (0..height)
        .map(|y| line(terminal, y))
        .collect::<Vec<_>>()
        .join("\n")
}

fn release(id: &str, component: &str, title: &str, changes: Vec<Change>) -> Step {
    Step::Release {
        id: id.into(),
        component: component.into(),
        title: title.into(),
        changes,
        commit: None,
        shipped: false,
        notes: None,
        pr: None,
    }
}

fn component(id: &str, name: &str, kind: Kind, current: Vec<Fact>) -> Component {
    Component {
        id: id.into(),
        name: name.into(),
        kind,
        repo: None,
        sources: Vec::new(),
        current,
        target: None,
    }
}

const PAY: &str = "POST /adoptions/{id}/payment";
const RECEIPT: &str = "topic receipt-requested v1";
const EMAIL: &str = "POST /notify/email";

/// Online adoption fees: eight components, long titles, a toggle, and one break (the
/// receipt worker ships before the e-mail endpoint it calls).
fn eight_components() -> Model {
    let add = Change::Add;
    let mut web = component(
        "web",
        "Shelter web app",
        Kind::Ui,
        vec![Fact::call("GET /adoptions/{id}")],
    );
    web.target = Some(vec![Fact::call("GET /adoptions/{id}"), Fact::call(PAY)]);
    let mut mobile = component(
        "mobile",
        "Volunteer app",
        Kind::Ui,
        vec![Fact::call("GET /adoptions/{id}")],
    );
    mobile.target = Some(vec![
        Fact::call("GET /adoptions/{id}"),
        Fact::call(PAY),
        Fact::call("GET /adoptions/{id}/receipt"),
    ]);
    let api = component(
        "api",
        "Shelter API",
        Kind::Service,
        vec![
            Fact::provide("GET /adoptions/{id}"),
            Fact::read("adoptions").serving("GET /adoptions/{id}"),
        ],
    );
    let plan = Plan {
        version: 1,
        story:
            "Let adopters pay the adoption fee online with a saved card and get a receipt by e-mail"
                .into(),
        narrative: None,
        components: vec![
            web,
            mobile,
            api,
            component("notifications", "Notifications", Kind::Service, vec![]),
            component("worker", "Receipt worker", Kind::Job, vec![]),
            component(
                "db",
                "PostgreSQL",
                Kind::Database,
                vec![Fact::provide("adoptions")],
            ),
            component("events", "Event bus", Kind::Queue, vec![]),
            component(
                "payments-gateway",
                "Card payments provider",
                Kind::External,
                vec![Fact::provide("POST /charges")],
            ),
        ],
        toggles: vec![Toggle {
            id: "online-payment".into(),
            initially: Switch::Off,
        }],
        steps: vec![
            release(
                "cards-table",
                "db",
                "Create the saved cards table with encrypted card tokens and an owner index",
                vec![add(Fact::provide("cards"))],
            ),
            release(
                "receipt-topic",
                "events",
                "Create the receipt-requested topic on the shared event bus",
                vec![add(Fact::provide(RECEIPT))],
            ),
            release(
                "receipt-worker",
                "worker",
                "Receipt worker that turns receipt requests into e-mails to the adopter",
                vec![add(Fact::read(RECEIPT)), add(Fact::call(EMAIL))],
            ),
            release(
                "email-endpoint",
                "notifications",
                "Receipt e-mail endpoint in the notifications service, with the new template",
                vec![add(Fact::provide(EMAIL))],
            ),
            release(
                "pay-endpoint",
                "api",
                "Payment endpoint: charge the card, save it, request the receipt",
                vec![
                    add(Fact::provide(PAY)),
                    add(Fact::call("POST /charges").serving(PAY)),
                    add(Fact::write("cards").serving(PAY)),
                    add(Fact::write(RECEIPT).serving(PAY)),
                ],
            ),
            release(
                "pay-button",
                "web",
                "Pay-online button on the adoption page, hidden behind the toggle",
                vec![add(Fact::call(PAY).gated("online-payment"))],
            ),
            release(
                "pay-screen",
                "mobile",
                "Payment screen in the volunteer app, hidden behind the toggle",
                vec![add(Fact::call(PAY).gated("online-payment"))],
            ),
            Step::Flip {
                id: "go-live".into(),
                toggle: "online-payment".into(),
                to: Switch::On,
                title: "Turn online payment on for every shelter at once".into(),
                shipped: false,
                notes: None,
            },
            release(
                "web-cleanup",
                "web",
                "Remove the online-payment toggle from the web app",
                vec![Change::Ungate("online-payment".into())],
            ),
            release(
                "mobile-cleanup",
                "mobile",
                "Remove the online-payment toggle from the volunteer app",
                vec![Change::Ungate("online-payment".into())],
            ),
        ],
        accepted: vec![],
        notes: None,
    };
    model(plan, ".storyplan/online-adoption-fees-with-saved-cards.ron")
}

#[test]
fn clean_plan() {
    let model = reminders();
    let (terminal, _) = render(&model, 120, 36);
    insta::assert_snapshot!("clean_120x36", terminal.backend());
    let (terminal, _) = render(&model, 100, 30);
    insta::assert_snapshot!("clean_100x30", terminal.backend());
}

#[test]
fn broken_plan() {
    let mut model = flip_before_table();
    model.selected = 2;
    // Unsaved: the plan differs from the one on disk.
    model.saved.story.push_str(" (on disk)");
    let (terminal, _) = render(&model, 120, 36);
    insta::assert_snapshot!("broken_120x36", terminal.backend());
    let (terminal, _) = render(&model, 100, 30);
    insta::assert_snapshot!("broken_100x30", terminal.backend());
}

#[test]
fn broken_twice_with_the_flip_before_the_endpoints() {
    let mut model = flip_before_endpoints();
    model.selected = 2;
    let (terminal, _) = render(&model, 120, 36);
    insta::assert_snapshot!("flip_before_endpoints_120x36", terminal.backend());
}

#[test]
fn help_overlay() {
    let mut model = reminders();
    model.overlay = Some(Overlay::Help {
        scroll: 0,
        filter: Default::default(),
        typing: false,
    });
    let (terminal, _) = render(&model, 120, 36);
    insta::assert_snapshot!("help_120x36", terminal.backend());
    // Scrolled past the end: the last page, no further.
    model.overlay = Some(Overlay::Help {
        scroll: u16::MAX,
        filter: Default::default(),
        typing: false,
    });
    let (terminal, _) = render(&model, 100, 30);
    insta::assert_snapshot!("help_scrolled_100x30", terminal.backend());
    let text = screen(&terminal);
    assert!(text.contains("the step drops data for good"), "{text}");
}

#[test]
fn quit_question() {
    let mut model = reminders();
    // Unsaved: the plan differs from the one on disk.
    model.saved.story.push_str(" (on disk)");
    model.overlay = Some(Overlay::Ask(Question::Quit));
    let (terminal, _) = render(&model, 120, 36);
    insta::assert_snapshot!("quit_120x36", terminal.backend());
    let text = screen(&terminal);
    assert!(text.contains("Unsaved changes."));
    assert!(text.contains("[s] Save  [d] Discard  [c] Cancel"));
}

#[test]
fn conflict_question() {
    let mut model = reminders();
    model.overlay = Some(Overlay::Ask(Question::Conflict { then_quit: false }));
    let (terminal, _) = render(&model, 100, 30);
    let text = screen(&terminal);
    assert!(text.contains("The file changed on disk since it was opened."));
    assert!(
        text.contains("[r] Reload  [o] Overwrite  [v] Compare  [c] Cancel"),
        "{text}"
    );
}

#[test]
fn save_as_places_the_cursor_in_the_field() {
    let mut model = reminders();
    model.source = Source::Example {
        name: "reminders".into(),
    };
    model.overlay = Some(Overlay::SaveAs {
        input: Input::new(".storyplan/reminders.ron".into()),
        then_quit: false,
    });
    let (mut terminal, _) = render(&model, 120, 36);
    insta::assert_snapshot!("save_as_120x36", terminal.backend());
    let cursor = terminal.get_cursor_position().unwrap();
    let row = line(&terminal, cursor.y);
    let field_start = row
        .find(".storyplan/reminders.ron")
        .expect("the value is drawn");
    let before = row[..field_start].chars().count() as u16;
    assert_eq!(cursor.x, before + ".storyplan/reminders.ron".len() as u16);
}

#[test]
fn drag_in_progress() {
    let mut model = reminders();
    model.selected = 4;
    model.drag = Drag::Dragging { from: 4, to: 1 };
    let (terminal, cache) = render(&model, 120, 36);
    insta::assert_snapshot!("drag_120x36", terminal.backend());
    let text = screen(&terminal);
    assert!(text.contains("drag: release to drop, Esc to cancel"));
    // The drop line sits above step 2, which moved down one row to make room.
    let rows: Vec<(usize, u16)> = cache.step_rows.iter().map(|(i, r)| (*i, r.y)).collect();
    let first = rows[0].1;
    assert_eq!(
        rows,
        vec![
            (0, first),
            (1, first + 2),
            (2, first + 3),
            (3, first + 4),
            (4, first + 5)
        ]
    );
    assert!(line(&terminal, first + 1).contains("drop here as step 2"));
    assert!(line(&terminal, first + 5).contains("↕"));
}

#[test]
fn findings_focused() {
    let mut model = flip_before_table();
    model.pane = Pane::Findings;
    model.finding = 1;
    let (terminal, cache) = render(&model, 120, 36);
    insta::assert_snapshot!("findings_focused_120x36", terminal.backend());
    let (_, rect) = cache.finding_rows[1];
    let row = line(&terminal, rect.y);
    assert!(row[..].contains("▸"), "{row}");
    assert_eq!(cache.finding_rows.len(), model.report.findings.len().min(7));
    // The focused pane's title is marked, and only that one.
    assert!(screen(&terminal).contains("▸ Findings"));
    assert!(!screen(&terminal).contains("▸ Steps"));
}

#[test]
fn eight_components_at_120_columns() {
    let mut model = eight_components();
    model.selected = 2;
    let (terminal, cache) = render(&model, 120, 36);
    insta::assert_snapshot!("eight_components_120x36", terminal.backend());
    let text = screen(&terminal);
    assert!(text.contains("…"), "long titles are cut with an ellipsis");
    // Cut lane headers get a legend on the pane's bottom border.
    assert!(text.contains(" lanes: web · mobile · api · "), "{text}");
    let (few, _) = render(&reminders(), 120, 36);
    assert!(
        !screen(&few).contains(" lanes: "),
        "headers that fit need none"
    );
    assert_eq!(cache.step_rows.len(), model.plan.steps.len());
    // No row of the steps pane wraps: each step's id is on its own row.
    for (i, rect) in &cache.step_rows {
        let row = line(&terminal, rect.y);
        assert!(row.contains(model.plan.steps[*i].id()), "{row}");
    }
}

#[test]
fn too_small() {
    let model = reminders();
    let (terminal, cache) = render(&model, 59, 20);
    insta::assert_snapshot!("too_small_59x20", terminal.backend());
    assert!(screen(&terminal).contains("storyplan needs at least 60×16 (this terminal is 59×20)"));
    assert_eq!(cache, LayoutCache::default());
    let (terminal, cache) = render(&model, 100, 15);
    assert!(screen(&terminal).contains("(this terminal is 100×15)"));
    assert_eq!(cache, LayoutCache::default());
}

#[test]
fn the_compact_layout_at_laptop_size_shows_one_pane_at_a_time() {
    let mut model = flip_before_table();
    let (terminal, cache) = render(&model, 80, 24);
    insta::assert_snapshot!("compact_steps_80x24", terminal.backend());
    assert!(cache.board);
    let panes: Vec<Pane> = cache.panes.iter().map(|(p, _)| *p).collect();
    assert_eq!(panes, [Pane::Steps, Pane::Details]);
    assert_eq!(cache.step_rows.len(), model.plan.steps.len());
    assert!(screen(&terminal).contains("Details"));
    model.pane = Pane::Findings;
    let (terminal, cache) = render(&model, 80, 24);
    insta::assert_snapshot!("compact_findings_80x24", terminal.backend());
    assert_eq!(cache.finding_rows.len(), model.report.findings.len());
    model.pane = Pane::Components;
    let (terminal, cache) = render(&model, 80, 24);
    assert_eq!(cache.component_rows.len(), model.plan.components.len());
    assert!(screen(&terminal).contains("Components (3)"));
    // From 100×30 on, every pane at once.
    let (_, cache) = render(&model, 100, 30);
    assert_eq!(cache.panes.len(), 4);
}

#[test]
fn the_selected_marker_is_on_the_selected_steps_line() {
    for selected in 0..5 {
        let mut model = reminders();
        model.selected = selected;
        let (terminal, cache) = render(&model, 100, 30);
        let steps = cache.panes[0].1;
        let marked: Vec<usize> = cache
            .step_rows
            .iter()
            .filter(|(_, r)| cell(&terminal, steps.x + 1, r.y) == "▸")
            .map(|(i, _)| *i)
            .collect();
        assert_eq!(marked, vec![selected]);
        let (_, rect) = cache.step_rows[selected];
        assert!(line(&terminal, rect.y).contains(model.plan.steps[selected].id()));
    }
}

#[test]
fn a_broken_lane_shows_a_cross_on_exactly_the_rows_of_the_break() {
    let model = flip_before_endpoints();
    let (terminal, cache) = render(&model, 120, 36);
    let lane_centre = |component: &str| {
        // The lane's centre is where a release of that component puts its marker.
        let step = model
            .plan
            .steps
            .iter()
            .position(|s| s.component() == Some(component))
            .unwrap();
        let (_, rect) = cache.step_rows[step];
        let steps = cache.panes[0].1;
        (steps.x..steps.right())
            .find(|x| cell(&terminal, *x, rect.y) == "●")
            .expect("the release has a marker")
    };
    for component in ["web", "api", "db"] {
        let x = lane_centre(component);
        let crossed: Vec<usize> = cache
            .step_rows
            .iter()
            .filter(|(_, r)| (x..x + 2).any(|x| cell(&terminal, x, r.y) == "✗"))
            .map(|(i, _)| *i)
            .collect();
        let broken: Vec<usize> = (0..model.plan.steps.len())
            .filter(|i| model.report.broken_at(*i).any(|c| c == component))
            .collect();
        assert_eq!(crossed, broken, "lane {component}");
    }
    // The web is broken from the flip until the endpoints; the API until the table.
    assert_eq!(
        (0..5)
            .map(|i| model.report.broken_at(i).collect::<Vec<_>>())
            .collect::<Vec<_>>(),
        vec![vec![], vec!["web", "web"], vec!["api"], vec![], vec![]]
    );
}

#[test]
fn step_rows_follow_the_scroll_and_keep_the_selection_visible() {
    let mut model = reminders();
    // Twenty steps: more than the 16 rows the steps pane has at 100×30.
    let extra = model.plan.steps[4].clone();
    for n in 0..15 {
        let mut step = extra.clone();
        if let Step::Release { id, .. } = &mut step {
            *id = format!("extra-{n}");
        }
        model.plan.steps.push(step);
    }
    model.refresh();
    for selected in [0, 10, 19] {
        model.selected = selected;
        let (terminal, cache) = render(&model, 100, 30);
        let indices: Vec<usize> = cache.step_rows.iter().map(|(i, _)| *i).collect();
        assert!(indices.contains(&selected));
        assert!(indices.windows(2).all(|w| w[1] == w[0] + 1), "{indices:?}");
        let ys: Vec<u16> = cache.step_rows.iter().map(|(_, r)| r.y).collect();
        assert!(ys.windows(2).all(|w| w[1] == w[0] + 1), "{ys:?}");
        for (i, rect) in &cache.step_rows {
            assert!(line(&terminal, rect.y).contains(model.plan.steps[*i].id()));
        }
        let steps = cache.panes[0].1;
        assert!(ys.iter().all(|y| *y > steps.y && *y < steps.bottom() - 1));
    }
}

#[test]
fn notices_replace_the_key_hints() {
    let mut model = reminders();
    let (terminal, _) = render(&model, 120, 36);
    let status = line(&terminal, 35);
    for hint in [
        "j/k select",
        "J/K move step",
        "u undo",
        "Ctrl-r redo",
        "Ctrl-s save",
        "? help",
        "q quit",
    ] {
        assert!(status.contains(hint), "{status}");
    }
    model.notice = Some(Notice {
        text: "Not saved: \u{1b}[31mdisk full".into(),
        error: true,
    });
    let (terminal, _) = render(&model, 120, 36);
    let status = line(&terminal, 35);
    // The mode stays; the notice takes the hints' place.
    assert!(
        status.starts_with(" STEPS   ! Not saved: [31mdisk full"),
        "{status}"
    );
    assert!(!status.contains("q quit"), "{status}");
    model.drag = storyplan::tui::model::Drag::Dragging { from: 0, to: 1 };
    let (terminal, _) = render(&model, 120, 36);
    assert!(
        line(&terminal, 35).starts_with(" DRAG "),
        "{}",
        line(&terminal, 35)
    );
}

#[test]
fn plan_text_cannot_drive_the_terminal() {
    let mut plan = example("reminders");
    plan.story = "Evil \u{1b}]0;pwned\u{7} story".into();
    if let Step::Release { title, id, .. } = &mut plan.steps[0] {
        *title = "title\u{1b}[2J with\nnewline".into();
        *id = "ui\u{9b}hidden".into();
    }
    let model = model(plan, ".storyplan/evil\u{1b}[31m.ron");
    let (terminal, _) = render(&model, 120, 36);
    let text = screen(&terminal);
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "{text:?}"
    );
    assert!(text.contains("Evil ]0;pwned story"));
    assert!(text.contains("title[2J with newline"));
}

#[test]
fn odd_plans_draw_at_any_size_without_spilling_out_of_their_rows() {
    let mut empty = example("reminders");
    empty.steps.clear();
    empty.components.clear();
    empty.toggles.clear();

    let mut crowded = eight_components().plan;
    for n in 0..22 {
        let id = format!("服务-{n}-with-a-very-long-component-identifier");
        crowded
            .components
            .push(component(&id, "宽字符", Kind::Service, vec![]));
        crowded.steps.push(release(
            &format!("step-{n}-{}", "x".repeat(60)),
            &id,
            &format!("提醒事项 {}", "a long title ".repeat(20)),
            vec![Change::Add(Fact::provide(format!("key {n}")))],
        ));
    }
    crowded
        .steps
        .push(release("ghost", "no-such-component", "", vec![]));

    for plan in [empty, crowded] {
        for (selected, drag) in [
            (0, Drag::Idle),
            (7, Drag::Dragging { from: 7, to: 0 }),
            (20, Drag::Dragging { from: 20, to: 31 }),
        ] {
            let mut model = model(plan.clone(), ".storyplan/odd.ron");
            model.selected = selected.min(plan.steps.len().saturating_sub(1));
            model.drag = if plan.steps.is_empty() {
                Drag::Idle
            } else {
                drag
            };
            model.component = 9.min(plan.components.len().saturating_sub(1));
            for (width, height) in [(100, 30), (101, 31), (120, 36), (240, 70), (100, 120)] {
                let (terminal, cache) = render(&model, width, height);
                let steps = cache.panes[0].1;
                for (i, rect) in &cache.step_rows {
                    assert!(*i < model.plan.steps.len());
                    assert!(rect.x > steps.x && rect.right() < steps.right());
                    assert!(rect.y > steps.y && rect.y < steps.bottom() - 1);
                }
                // The pane's right border is intact on every row: nothing spilled over it.
                for y in steps.y + 1..steps.bottom() - 1 {
                    assert_eq!(cell(&terminal, steps.right() - 1, y), "┃", "row {y}");
                }
                if model.plan.steps.len() > 1 {
                    assert!(cache.step_rows.iter().any(|(i, _)| *i == model.selected));
                }
            }
        }
    }
}

#[test]
fn the_plain_theme_draws_no_colour_and_the_default_one_does() {
    use ratatui::style::{Color, Modifier};
    let mut model = flip_before_endpoints();
    model.overlay = Some(Overlay::Help {
        scroll: 0,
        filter: Default::default(),
        typing: false,
    });
    model.notice = Some(Notice {
        text: "Not saved".into(),
        error: true,
    });
    model.drag = Drag::Dragging { from: 1, to: 3 };
    let (terminal, cache) = render(&model, 120, 36);
    let buffer = terminal.backend().buffer();
    assert!(
        buffer
            .content()
            .iter()
            .all(|c| c.fg == Color::Reset && c.bg == Color::Reset)
    );
    // Without colour the selection still shows: reversed.
    let (_, rect) = cache.step_rows[model.selected];
    assert!(
        buffer[(rect.x + 1, rect.y)]
            .modifier
            .contains(Modifier::REVERSED)
    );

    model.theme = Theme::default();
    let (terminal, _) = render(&model, 120, 36);
    let buffer = terminal.backend().buffer();
    assert!(buffer.content().iter().any(|c| c.fg == Color::Red));
}

#[test]
fn the_header_counts_are_coloured_only_when_there_is_something_to_count() {
    use ratatui::style::Color;
    let header_colours = |model: &Model, word: &str| -> Vec<Color> {
        let (terminal, _) = render(model, 120, 36);
        let buffer = terminal.backend().buffer();
        let top = line(&terminal, 0);
        let at = top
            .find(word)
            .unwrap_or_else(|| panic!("{word} in {top:?}"));
        let column = top[..at].chars().count() as u16;
        vec![buffer[(column, 0)].fg]
    };
    let mut clean = reminders();
    clean.theme = Theme::default();
    assert_eq!(clean.report.summary().errors, 0);
    let plain = header_colours(&clean, "0 errors");
    assert_eq!(header_colours(&clean, "0 warnings"), plain);

    let mut broken = flip_before_table();
    broken.theme = Theme::default();
    assert!(broken.report.summary().errors > 0);
    let errors = format!("{} error", broken.report.summary().errors);
    assert_ne!(
        header_colours(&broken, &errors),
        plain,
        "a non-zero count stands out"
    );
}

#[test]
fn the_export_preview_keeps_the_indent_of_nested_list_items() {
    let mut model = reminders();
    model.selected = 3;
    storyplan::tui::share::preview(&mut model);
    let Some(Overlay::Reader { text, .. }) = &model.overlay else {
        panic!("x opens the export preview");
    };
    let item = text
        .lines()
        .find(|l| l.starts_with("- [") && l.len() > 12)
        .expect("a top-level task")
        .to_string();
    let nested = text
        .lines()
        .find(|l| l.starts_with("  - ") && l.len() > 12)
        .expect("a nested item")
        .to_string();
    let (terminal, _) = render(&model, 200, 50);
    let screen = screen(&terminal);
    // The column where a line's text starts on screen, found by its first characters.
    let column = |line: &str| -> usize {
        let probe: String = line.trim_start().chars().take(10).collect();
        let row = screen
            .lines()
            .find(|l| l.contains(&probe))
            .unwrap_or_else(|| panic!("{probe:?} on screen:\n{screen}"));
        row[..row.find(&probe).unwrap_or(0)].chars().count()
    };
    assert_eq!(column(&nested), column(&item) + 2, "{item:?} / {nested:?}");
}

#[test]
fn details_shows_the_selected_finding_in_full() {
    let mut model = flip_before_table();
    let error = model
        .report
        .findings
        .iter()
        .position(|f| f.severity == storyplan::check::Severity::Error)
        .expect("the flip before the table breaks the API");
    model.finding = error;
    model.pane = Pane::Findings;
    model.details_finding = true;
    let (terminal, _) = render(&model, 120, 36);
    insta::assert_snapshot!("details_of_a_finding_120x36", terminal.backend());
    let text = screen(&terminal);
    assert!(
        text.contains(&format!("Finding {} of", error + 1)),
        "{text}"
    );
    assert!(text.contains("Hint"), "{text}");
}

#[test]
fn releases_of_one_commit_are_joined_by_a_bracket() {
    let mut plan = example("reminders");
    for i in [1, 2] {
        if let Step::Release { commit, .. } = &mut plan.steps[i] {
            *commit = Some("schema-and-api".into());
        }
    }
    let model = model(plan, ".storyplan/reminders.ron");
    let (terminal, cache) = render(&model, 120, 36);
    let row = |i: usize| {
        let (_, rect) = cache.step_rows[i];
        line(&terminal, rect.y)
    };
    assert!(row(1).contains("┌ 2 "), "{}", row(1));
    assert!(row(2).contains("└ 3 "), "{}", row(2));
    assert!(!row(0).contains('┌') && !row(3).contains('└'), "{}", row(3));
}

#[test]
fn the_help_shows_only_what_its_filter_matches() {
    let mut model = reminders();
    model.overlay = Some(Overlay::Help {
        scroll: 0,
        filter: tui_input::Input::new("undo".into()),
        typing: false,
    });
    let text = screen(&render(&model, 120, 36).0);
    assert!(text.contains("Help · /undo"), "{text}");
    assert!(text.contains("On the board"), "{text}");
    assert!(text.contains("undo"), "{text}");
    assert!(!text.contains("move the step later"), "{text}");
    assert!(!text.contains("Symbols"), "{text}");
    model.overlay = Some(Overlay::Help {
        scroll: 0,
        filter: tui_input::Input::new("xyzzy".into()),
        typing: false,
    });
    let text = screen(&render(&model, 120, 36).0);
    assert!(text.contains("No key does \"xyzzy\"."), "{text}");
}
