//! `storyplan export`: the Markdown a pull request gets (whole plan and one step), read back
//! as CommonMark; the JSON a script gets; the command's exit codes; and that nothing from a
//! plan can drive a terminal or break the Markdown around it.

use std::fs;
use std::path::{Path, PathBuf};

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde_json::Value;
use storyplan::check::{Severity, check};
use storyplan::export::{self, BEGIN, END};
use storyplan::plan::{Plan, Step};
use storyplan::store::{self, Loaded};
use tempfile::TempDir;

#[path = "common/run.rs"]
mod run;

use run::storyplan;

const EXAMPLES: [&str; 3] = ["reminders", "cents-api", "amount-column"];

fn example_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("assets/examples/{name}.ron"))
}

fn shown(name: &str) -> String {
    format!("assets/examples/{name}.ron")
}

fn load(name: &str) -> Loaded {
    store::load(&example_path(name)).expect("the example loads")
}

/// The amount-column story without its pre-emptive double write: `expand` opens a gap.
fn without_double_write() -> Plan {
    let mut plan = load("amount-column").plan;
    plan.steps.retain(|s| s.id() != "double-write");
    plan
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

fn events(markdown: &str) -> Vec<Event<'_>> {
    Parser::new_ext(markdown, Options::ENABLE_TASKLISTS | Options::ENABLE_TABLES).collect()
}

/// Each task-list item: whether it is checked, and the bold text that starts it.
fn tasks(markdown: &str) -> Vec<(bool, String)> {
    let mut found = Vec::new();
    let mut pending: Option<bool> = None;
    let mut in_strong = false;
    for event in events(markdown) {
        match event {
            Event::TaskListMarker(checked) => pending = Some(checked),
            Event::Start(Tag::Strong) => in_strong = true,
            Event::End(TagEnd::Strong) => in_strong = false,
            Event::Text(text) if in_strong => {
                if let Some(checked) = pending.take() {
                    found.push((checked, text.into_string()));
                }
            }
            _ => {}
        }
    }
    found
}

/// (level, text) of every heading.
fn headings(markdown: &str) -> Vec<(HeadingLevel, String)> {
    let mut found = Vec::new();
    let mut current: Option<(HeadingLevel, String)> = None;
    for event in events(markdown) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => current = Some((level, String::new())),
            Event::Text(text) | Event::Code(text) => {
                if let Some((_, heading)) = &mut current {
                    heading.push_str(&text);
                }
            }
            Event::End(TagEnd::Heading(_)) => found.extend(current.take()),
            _ => {}
        }
    }
    found
}

/// The text of every fenced code block with the info string `lang`.
fn code_blocks(markdown: &str, lang: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut current: Option<String> = None;
    for event in events(markdown) {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if &*info == lang => {
                current = Some(String::new());
            }
            Event::Text(text) => {
                if let Some(block) = &mut current {
                    block.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => found.extend(current.take()),
            _ => {}
        }
    }
    found
}

/// Every piece of raw HTML the Markdown holds.
fn html(markdown: &str) -> Vec<String> {
    events(markdown)
        .into_iter()
        .filter_map(|event| match event {
            Event::Html(html) | Event::InlineHtml(html) => Some(html.trim().to_string()),
            _ => None,
        })
        .collect()
}

fn markdown_of(name: &str) -> String {
    let loaded = load(name);
    export::markdown(&loaded.plan, &check(&loaded.plan), Some(&shown(name)))
}

#[test]
fn snapshot_of_each_example() {
    for name in EXAMPLES {
        insta::assert_snapshot!(
            format!("markdown_{}", name.replace('-', "_")),
            markdown_of(name)
        );
    }
}

#[test]
fn snapshot_of_a_plan_without_its_double_write() {
    let plan = without_double_write();
    let report = check(&plan);
    assert!(report.summary().errors > 0, "the broken plan has errors");
    insta::assert_snapshot!(
        "markdown_amount_column_without_double_write",
        export::markdown(&plan, &report, Some("amount-column-broken.ron"))
    );
}

#[test]
fn snapshot_of_the_expand_step() {
    let loaded = load("amount-column");
    let report = check(&loaded.plan);
    let index = loaded.plan.step_index("expand").expect("expand is a step");
    insta::assert_snapshot!(
        "step_amount_column_expand",
        export::step_markdown(&loaded.plan, &report, index, Some(&shown("amount-column")))
    );
}

#[test]
fn steps_are_tasks_in_plan_order_and_shipped_ones_are_checked() {
    let mut loaded = load("reminders");
    for step in loaded.plan.steps.iter_mut().take(2) {
        match step {
            Step::Release { shipped, .. } | Step::Flip { shipped, .. } => *shipped = true,
        }
    }
    let markdown = export::markdown(&loaded.plan, &check(&loaded.plan), None);
    let expected: Vec<(bool, String)> = loaded
        .plan
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| (i < 2, format!("{}. {}", i + 1, s.id())))
        .collect();
    assert_eq!(tasks(&markdown), expected);
}

#[test]
fn every_export_parses_into_the_expected_outline() {
    for name in EXAMPLES {
        let loaded = load(name);
        let markdown = markdown_of(name);
        let outline = headings(&markdown);
        assert_eq!(outline[0], (HeadingLevel::H1, loaded.plan.story.clone()));
        let sections: Vec<&str> = outline[1..].iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(
            sections,
            ["Components", "Steps", "Lanes", "Findings"],
            "{name}"
        );
        assert!(
            outline[1..]
                .iter()
                .all(|(level, _)| *level == HeadingLevel::H2)
        );
        assert_eq!(tasks(&markdown).len(), loaded.plan.steps.len(), "{name}");
        // The only HTML is the pair of markers.
        assert_eq!(html(&markdown), [BEGIN, END], "{name}");
    }
}

#[test]
fn the_diagram_has_a_lane_for_every_component() {
    for name in EXAMPLES {
        let loaded = load(name);
        let blocks = code_blocks(&markdown_of(name), "mermaid");
        assert_eq!(blocks.len(), 1, "{name}: one diagram");
        let diagram = &blocks[0];
        assert!(diagram.starts_with("sequenceDiagram\n"), "{diagram}");
        for (n, component) in loaded.plan.components.iter().enumerate() {
            let lane = format!("participant c{n} as {} · ", component.id);
            assert!(diagram.contains(&lane), "{name}: {lane} in {diagram}");
        }
        for (i, step) in loaded.plan.steps.iter().enumerate() {
            assert!(
                diagram.contains(&format!("{}. {}", i + 1, step.id())),
                "{diagram}"
            );
        }
    }
}

#[test]
fn the_diagram_marks_broken_steps_and_flips() {
    let markdown = export::markdown(
        &without_double_write(),
        &check(&without_double_write()),
        None,
    );
    let diagram = &code_blocks(&markdown, "mermaid")[0];
    assert!(
        diagram.contains("rect rgba(255, 80, 80, 0.25)"),
        "{diagram}"
    );
    assert!(diagram.contains("✗ 1. expand · error"), "{diagram}");

    let reminders = &code_blocks(&markdown_of("reminders"), "mermaid")[0];
    assert!(
        reminders.contains("Note over c0,c2: ⚑ 4. enable: reminders On"),
        "{reminders}"
    );
}

#[test]
fn markers_wrap_the_export_and_a_re_export_keeps_the_rest() {
    let fresh = markdown_of("reminders");
    assert!(fresh.starts_with(&format!("{BEGIN}\n")), "{fresh}");
    assert!(fresh.ends_with(&format!("{END}\n")), "{fresh}");

    let old = export::markdown(
        &without_double_write(),
        &check(&without_double_write()),
        None,
    );
    let description = format!("Closes #42.\n\n{old}\nReviewed with Sam.\n");
    let updated = export::replace_generated(&description, &fresh);
    assert_eq!(
        updated,
        format!(
            "Closes #42.\n\n{}\n\nReviewed with Sam.\n",
            fresh.trim_end()
        )
    );
    assert_eq!(export::replace_generated(&updated, &fresh), updated);

    let appended = export::replace_generated("Closes #42.\n", &fresh);
    assert_eq!(appended, format!("Closes #42.\n\n{fresh}"));
}

#[test]
fn a_step_export_folds_the_whole_plan() {
    let loaded = load("reminders");
    let report = check(&loaded.plan);
    let markdown = export::step_markdown(&loaded.plan, &report, 3, None);
    assert!(markdown.starts_with(&format!("{BEGIN}\n\n## Step 4 of 5: Turn reminders on\n")));
    let outline: Vec<String> = headings(&markdown).into_iter().map(|(_, t)| t).collect();
    for section in [
        "Must be live before it",
        "What it enables",
        "Rollback",
        "Findings",
    ] {
        assert!(
            outline.iter().any(|h| h == section),
            "{section} in {outline:?}"
        );
    }
    assert!(markdown.contains("<details><summary>The whole plan</summary>\n\n### "));
    assert!(markdown.contains("\n\n</details>\n"));
    // The whole plan inside renders as Markdown: its steps are tasks.
    assert_eq!(
        tasks(&markdown).len(),
        3 + 1 + 5,
        "needed, enabled, the plan's steps"
    );
    assert_eq!(
        html(&markdown),
        [
            BEGIN,
            "<details><summary>The whole plan</summary>",
            "</details>",
            END
        ]
    );
}

/// (earlier id, later id) of every dependency.
fn pairs(plan: &Plan) -> Vec<(String, String)> {
    export::dependencies(plan)
        .into_iter()
        .map(|d| {
            (
                plan.steps[d.earlier].id().to_string(),
                plan.steps[d.later].id().to_string(),
            )
        })
        .collect()
}

#[test]
fn what_must_be_live_before_each_step_of_the_stories() {
    let owned = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    let plan = load("reminders").plan;
    assert_eq!(
        pairs(&plan),
        owned(&[
            ("ui-hidden", "enable"),
            ("endpoints", "enable"),
            ("table", "enable"),
            ("ui-hidden", "cleanup"),
            ("endpoints", "cleanup"),
            ("table", "cleanup"),
            ("enable", "cleanup"),
        ])
    );
    let plan = load("amount-column").plan;
    assert_eq!(
        pairs(&plan),
        owned(&[
            ("double-write", "expand"),
            ("double-write", "migrate"),
            ("expand", "migrate"),
            ("expand", "contract"),
            ("migrate", "contract"),
        ])
    );
    let plan = load("cents-api").plan;
    assert_eq!(
        pairs(&plan),
        owned(&[("expand", "migrate"), ("migrate", "contract")])
    );
}

/// The rule catches at least the orders that break: moving step j to just after step i
/// adds an error only if j must be live before i or before a step between them.
#[test]
fn moving_a_step_past_what_needs_it_is_what_breaks() {
    let errors = |plan: &Plan| {
        check(plan)
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count()
    };
    let mut plans: Vec<(&str, Plan)> = EXAMPLES.iter().map(|n| (*n, load(n).plan)).collect();
    plans.push(("without double write", without_double_write()));
    for (name, plan) in plans {
        let dependencies = export::dependencies(&plan);
        let before = errors(&plan);
        for j in 0..plan.steps.len() {
            for i in j + 1..plan.steps.len() {
                let mut moved = plan.clone();
                let step = moved.steps.remove(j);
                moved.steps.insert(i, step);
                if errors(&moved) > before {
                    let needed = dependencies
                        .iter()
                        .any(|d| d.earlier == j && (j + 1..=i).contains(&d.later));
                    assert!(
                        needed,
                        "{name}: moving {} after {} breaks, but nothing needs it there",
                        plan.steps[j].id(),
                        plan.steps[i].id()
                    );
                }
            }
        }
    }
}

#[test]
fn json_is_the_check_report_plus_the_plan() {
    let path = Path::new("assets/examples/reminders.ron");
    let loaded = load("reminders");
    let report = check(&loaded.plan);
    let value = serde_json::to_value(export::json(path, &loaded, &report)).expect("serialises");
    let checked =
        serde_json::to_value(export::file_report(path, &loaded, &report)).expect("serialises");
    for field in ["file", "story", "steps", "findings", "summary"] {
        assert_eq!(value[field], checked[field], "{field}");
    }
    assert_eq!(value["plan"]["story"], loaded.plan.story);
    assert_eq!(value["plan"]["steps"].as_array().map(Vec::len), Some(5));
    let plan: Plan = serde_json::from_value(value["plan"].clone()).expect("the plan reads back");
    assert_eq!(plan, loaded.plan);
}

#[test]
fn the_command_prints_the_same_markdown() {
    for name in EXAMPLES {
        let output = storyplan(root(), &["export", &shown(name)]);
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        assert_eq!(text(&output.stdout), markdown_of(name));
    }
    let output = storyplan(
        root(),
        &["export", &shown("amount-column"), "--step", "expand"],
    );
    assert_eq!(output.status.code(), Some(0));
    let loaded = load("amount-column");
    let expected = export::step_markdown(
        &loaded.plan,
        &check(&loaded.plan),
        1,
        Some(&shown("amount-column")),
    );
    assert_eq!(text(&output.stdout), expected);
}

#[test]
fn the_command_prints_json() {
    let output = storyplan(root(), &["export", &shown("reminders"), "--format", "json"]);
    assert_eq!(output.status.code(), Some(0));
    let value: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    for field in ["file", "story", "plan", "steps", "findings", "summary"] {
        assert!(value.get(field).is_some(), "{field} in {value}");
    }
    assert_eq!(value["file"], shown("reminders"));

    let output = storyplan(
        root(),
        &[
            "export",
            &shown("reminders"),
            "--format",
            "json",
            "--step",
            "table",
        ],
    );
    assert_eq!(output.status.code(), Some(0));
    let value: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(value["step"]["id"], "table");
    assert_eq!(value["findings"][0]["rule"], "rollback");
    assert_eq!(value["findings"].as_array().map(Vec::len), Some(1));
    assert_eq!(value["must_be_live_before"], serde_json::json!([]));
    let enabled: Vec<&Value> = value["enables"]
        .as_array()
        .expect("enables")
        .iter()
        .map(|e| &e["id"])
        .collect();
    assert_eq!(enabled, ["enable", "cleanup"]);
}

#[test]
fn a_file_that_does_not_load_exits_2() {
    let dir = TempDir::new().unwrap();
    let output = storyplan(dir.path(), &["export", "missing.ron"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert!(text(&output.stderr).starts_with("storyplan: missing.ron"));

    fs::write(
        dir.path().join("bad.ron"),
        "Plan(version: 1, story: \"x\",\n  components: [Component(id: \"a\", kind: Browser)],\n)",
    )
    .unwrap();
    let output = storyplan(dir.path(), &["export", "bad.ron", "--format", "json"]);
    assert_eq!(output.status.code(), Some(2));
    let message = text(&output.stderr);
    assert!(message.starts_with("storyplan: bad.ron:2:"), "{message}");
}

#[test]
fn an_unknown_step_exits_2_and_lists_the_steps() {
    let output = storyplan(root(), &["export", &shown("reminders"), "--step", "tabel"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert_eq!(
        text(&output.stderr),
        "storyplan: no step \"tabel\" in assets/examples/reminders.ron; did you mean \"table\"? \
         Its steps are: ui-hidden, endpoints, table, enable, cleanup\n"
    );
}

/// A plan whose every text tries to escape: terminal control sequences, and Markdown
/// and HTML that would restructure a PR description.
const HOSTILE: &str = r##"Plan(
    version: 1,
    story: "Show ESC[31mthings BEL # <img src=x onerror=alert(1)> | `",
    narrative: "# Not a heading\n- not a list\n<script>alert(1)</script>\n```\nnot code",
    notes: "ESC]0;retitledBEL [a link](https://example.com) **bold** ~~gone~~",
    components: [
        Component(id: "web ESC[2J", name: "Web <b>app</b>; end", kind: Ui, current: []),
        Component(id: "api", name: "API | x", kind: Service, current: [], target: [Provide("GET /th|ngs`")]),
    ],
    steps: [
        Release(id: "ui", component: "web ESC[2J", title: "Page\n## injected", changes: [Add(Call("GET /th|ngs`"))], pr: "javascript:alert(1)"),
        Release(id: "end", component: "api", title: "--> x; %% y", changes: [Add(Provide("GET /th|ngs`"))], notes: "</details>"),
    ],
)
"##;

fn hostile(dir: &TempDir) -> PathBuf {
    let path = dir.path().join("hostile.ron");
    let text = HOSTILE.replace("ESC", "\u{1b}").replace("BEL", "\u{7}");
    fs::write(&path, text).expect("write the plan");
    path
}

fn no_control_characters(output: &[u8]) {
    let output = text(output);
    let bad: Vec<char> = output
        .chars()
        .filter(|c| c.is_control() && *c != '\n')
        .collect();
    assert!(bad.is_empty(), "control characters {bad:?} in {output}");
}

#[test]
fn control_characters_in_a_plan_never_reach_the_output() {
    let dir = TempDir::new().unwrap();
    hostile(&dir);
    for args in [
        &["export", "hostile.ron"][..],
        &["export", "hostile.ron", "--step", "ui"],
        &["export", "hostile.ron", "--format", "json"],
        &["export", "hostile.ron", "--format", "json", "--step", "end"],
    ] {
        let output = storyplan(dir.path(), args);
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        no_control_characters(&output.stdout);
        // JSON keeps the plan's characters, escaped (`\u001b`), so the bytes hold none.
        if args.contains(&"json") {
            let escaped = text(&output.stdout);
            assert!(escaped.contains("\\u001b"), "{escaped}");
        }
    }
    let output = storyplan(
        dir.path(),
        &["export", "hostile.ron", "--step", "\u{1b}[2J"],
    );
    assert_eq!(output.status.code(), Some(2));
    no_control_characters(&output.stderr);
}

#[test]
fn plan_text_cannot_restructure_the_markdown() {
    let dir = TempDir::new().unwrap();
    let loaded = store::load(&hostile(&dir)).expect("the plan loads");
    let report = check(&loaded.plan);
    for markdown in [
        export::markdown(&loaded.plan, &report, Some("hostile.ron")),
        export::step_markdown(&loaded.plan, &report, 1, Some("hostile.ron")),
    ] {
        let html = html(&markdown);
        let allowed = [
            BEGIN,
            END,
            "<details><summary>The whole plan</summary>",
            "</details>",
        ];
        assert!(
            html.iter().all(|h| allowed.contains(&h.as_str())),
            "{html:?}"
        );
        let outline: Vec<String> = headings(&markdown).into_iter().map(|(_, t)| t).collect();
        assert!(
            !outline
                .iter()
                .any(|h| h.contains("injected") || h == "Not a heading"),
            "{outline:?}"
        );
        assert_eq!(code_blocks(&markdown, "").len(), 0, "no stray code block");
        let links: Vec<String> = events(&markdown)
            .into_iter()
            .filter_map(|e| match e {
                Event::Start(Tag::Link { dest_url, .. }) => Some(dest_url.into_string()),
                _ => None,
            })
            .collect();
        assert!(links.is_empty(), "{links:?}");
        let diagram = &code_blocks(&markdown, "mermaid")[0];
        for line in diagram.lines() {
            let bare = without_entities(&line.replace("<br/>", " "));
            assert!(
                !bare.contains(['#', ';', '%', '<', '>', '"', '`']),
                "{line}"
            );
        }
    }
}

/// A mermaid line with its entity codes (`#59;`, `#lt;`) taken out.
fn without_entities(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find('#') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find(';') {
            Some(end) if after[..end].chars().all(|c| c.is_ascii_alphanumeric()) => {
                rest = &after[end + 1..];
            }
            _ => {
                out.push('#');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn plan_text_holding_a_marker_does_not_end_the_generated_part() {
    let mut plan = load("reminders").plan;
    plan.story = format!("Reminders {END} for everyone");
    if let Step::Release { title, .. } = &mut plan.steps[0] {
        *title = format!("{END}\n{BEGIN}");
    }
    plan.narrative = Some(format!("{END}\nmore"));
    let old = export::markdown(&plan, &check(&plan), None);
    let description = format!("Written by hand.\n\n{old}\nSigned, the author.\n");
    plan.story = "Reminders, renamed".into();
    let new = export::markdown(&plan, &check(&plan), None);
    assert_eq!(
        export::replace_generated(&description, &new),
        format!("Written by hand.\n\n{new}\nSigned, the author.\n")
    );
}

#[test]
fn a_step_that_needs_a_later_step_says_which_instead_of_nothing() {
    // The flip before the table: turning reminders on breaks the API until the table ships.
    let mut plan = load("reminders").plan;
    plan.steps.swap(2, 3);
    assert_eq!(plan.steps[2].id(), "enable");
    let report = check(&plan);
    let markdown = export::step_markdown(&plan, &report, 2, None);
    let section = markdown
        .split("### Must be live before it\n\n")
        .nth(1)
        .and_then(|rest| rest.split("### What it enables").next())
        .expect("the section");
    assert!(!section.contains("Nothing"), "{section}");
    assert!(section.contains("**The order is broken**"), "{section}");
    assert!(section.contains("- [ ] **4. table**"), "{section}");
    // The step it needs is named once, under the break it ends.
    assert_eq!(section.matches("**4. table**").count(), 1, "{section}");
    assert!(section.contains("reminders"), "{section}");

    // In the safe order the section has no such list.
    let plan = load("reminders").plan;
    let markdown = export::step_markdown(&plan, &check(&plan), 3, None);
    assert!(!markdown.contains("The order is broken"));
}
