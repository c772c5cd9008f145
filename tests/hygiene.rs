//! Plan text is untrusted: whatever a plan holds, what reaches a terminal (the board, the
//! human and GitHub formats of `check`) or Markdown holds no control character, no bidi
//! control, no zero-width character and no line separator, and the Markdown's generated
//! part has exactly one pair of marker lines.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::Config;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use storyplan::check::check;
use storyplan::cli::outcome::Outcome;
use storyplan::export::{self, BEGIN, END};
use storyplan::plan::{Change, Fact, Plan, Step};
use storyplan::store;
use storyplan::text::{is_dropped, is_separator};
use storyplan::tui::model::{Model, Source};
use storyplan::tui::view;

/// Pieces that hostile plan text is made of.
const PIECES: &[&str] = &[
    "a",
    "Ünï",
    " ",
    "\u{1b}[31m",
    "\u{1b}]0;title\u{7}",
    "\u{9b}2J",
    "\u{7f}",
    "\r",
    "\n",
    "\t",
    "\u{202e}",
    "\u{2066}",
    "\u{200b}",
    "\u{200d}",
    "\u{feff}",
    "\u{ad}",
    "\u{2028}",
    "\u{2029}",
    "<!-- storyplan:end -->",
    "<!-- storyplan:begin -->",
    "<",
    "`",
    "# ",
    "|",
];

fn hostile() -> impl Strategy<Value = String> {
    prop::collection::vec(select(PIECES), 1..8).prop_map(|pieces| pieces.concat())
}

fn forbidden(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| (is_dropped(c) && c != '\n') || is_separator(c))
        .collect()
}

/// The reminders story with hostile text in its story, narrative, notes, a step's id and
/// title, a component's id and name, a key and an accepted finding's reason.
fn plan_with(texts: [String; 7]) -> Plan {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/examples/reminders.ron");
    let mut plan = store::load(&path).expect("the example loads").plan;
    let [story, narrative, id, title, component, key, reason] = texts;
    plan.story = story;
    plan.narrative = Some(narrative.clone());
    plan.notes = Some(narrative);
    if let Step::Release {
        id: step_id,
        title: step_title,
        changes,
        ..
    } = &mut plan.steps[0]
    {
        *step_id = id;
        *step_title = title;
        changes.push(Change::Add(Fact::call(key)));
    }
    plan.components[0].name = component.clone();
    plan.components[2].id = component;
    plan.accepted.push(storyplan::plan::Accept {
        rule: "broken-consumer".into(),
        step: None,
        key: None,
        reason,
    });
    plan
}

fn board_text(plan: &Plan) -> String {
    let model = Model::new(
        plan.clone(),
        Source::File {
            path: PathBuf::from("plan.ron"),
            stamp: None,
        },
    );
    let mut terminal = Terminal::new(TestBackend::new(120, 36)).expect("a test terminal");
    terminal
        .draw(|frame| {
            view::draw(frame, &model);
        })
        .expect("draws");
    let buffer = terminal.backend().buffer();
    buffer.content().iter().map(|cell| cell.symbol()).collect()
}

fn check_outputs(plan: &Plan) -> Vec<String> {
    let text = store::to_canonical_string(plan);
    let loaded = store::parse(Path::new("hostile.ron"), &text).expect("the plan loads");
    let report = check(&loaded.plan);
    let outcomes = [Outcome::Checked {
        file: PathBuf::from("hostile.ron"),
        loaded: Box::new(loaded),
        report,
    }];
    let mut human = Vec::new();
    storyplan::cli::human::write_all(&mut human, &outcomes, true).expect("writes");
    let mut github = Vec::new();
    storyplan::cli::github::write_all(&mut github, &outcomes).expect("writes");
    [human, github]
        .into_iter()
        .map(|bytes| String::from_utf8(bytes).expect("utf-8"))
        .collect()
}

/// Colour codes are storyplan's own: take them out before looking for the plan's.
fn without_own_colours(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("\u{1b}[") {
        out.push_str(&rest[..at]);
        let code = &rest[at + 2..];
        let end = code
            .find('m')
            .filter(|&end| code[..end].chars().all(|c| c.is_ascii_digit() || c == ';'));
        match end {
            Some(end) => rest = &code[end + 1..],
            None => {
                out.push('\u{1b}');
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

proptest! {
    #![proptest_config(Config { cases: 64, failure_persistence: None, ..Config::default() })]

    #[test]
    fn hostile_plan_text_never_reaches_a_terminal_or_markdown_raw(
        texts in [hostile(), hostile(), hostile(), hostile(), hostile(), hostile(), hostile()]
    ) {
        let plan = plan_with(texts);
        let report = check(&plan);

        let mut markdowns = vec![export::markdown(&plan, &report, Some("hostile.ron"))];
        for step in 0..plan.steps.len() {
            markdowns.push(export::step_markdown(&plan, &report, step, None));
        }
        for markdown in &markdowns {
            let bad = forbidden(&markdown.replace('\t', " "));
            prop_assert!(bad.is_empty(), "{:?} in the Markdown:\n{}", bad, markdown);
            let begins = markdown.lines().filter(|l| *l == BEGIN).count();
            let ends = markdown.lines().filter(|l| *l == END).count();
            prop_assert_eq!((begins, ends), (1, 1), "{}", markdown);
        }

        let board = board_text(&plan);
        let bad = forbidden(&board);
        prop_assert!(bad.is_empty(), "{:?} on the board:\n{}", bad, board);

        for output in check_outputs(&plan) {
            let text = without_own_colours(&output);
            let bad = forbidden(&text.replace('\t', " "));
            prop_assert!(bad.is_empty(), "{:?} in check's output:\n{}", bad, output);
        }
    }
}
