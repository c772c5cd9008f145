//! The store: plan files loaded with precise errors, saved canonically and atomically,
//! and found in `.storyplan/` at the git root.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use storyplan::plan::{
    Accept, Change, Component, Dialect, FORMAT_VERSION, Fact, Kind, Plan, Source, Step, Switch,
    Toggle,
};
use storyplan::store::{
    self, LoadError, MAX_PLAN_BYTES, Pos, discover_plans, find_git_root, load, parse, plan_dir,
    save_atomic, to_canonical_string, write_atomic,
};

const EXAMPLES: &str = "assets/examples";
const VALID: &str = "tests/fixtures/valid";
const INVALID: &str = "tests/fixtures/invalid";

fn ron_files(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "ron"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .ron files in {dir}");
    files
}

fn fixture(dir: &str, name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(dir).join(name)
}

fn load_ok(path: &Path) -> store::Loaded {
    load(path).unwrap_or_else(|err| panic!("{err}"))
}

fn pos(line: usize, column: usize) -> Pos {
    Pos { line, column }
}

fn file_names(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

// ---- round trips and canonical bytes -------------------------------------------------

#[test]
fn examples_are_canonical_and_round_trip() {
    for path in ron_files(EXAMPLES) {
        let loaded = load_ok(&path);
        let canonical = to_canonical_string(&loaded.plan);
        assert_eq!(
            canonical,
            fs::read_to_string(&path).unwrap(),
            "{} is not in canonical form",
            path.display()
        );
        let again = parse(&path, &canonical).unwrap();
        assert_eq!(again.plan, loaded.plan, "{}", path.display());
        assert_eq!(to_canonical_string(&again.plan), canonical);
    }
}

#[test]
fn every_valid_fixture_loads_and_round_trips_through_the_canonical_form() {
    for path in ron_files(VALID) {
        let loaded = load_ok(&path);
        assert_eq!(loaded.plan.version, FORMAT_VERSION);
        let canonical = to_canonical_string(&loaded.plan);
        assert!(canonical.starts_with("#![enable(implicit_some)]\nPlan(\n"));
        assert!(canonical.ends_with(")\n"));
        let again = parse(Path::new("again.ron"), &canonical).unwrap();
        assert_eq!(again.plan, loaded.plan, "{}", path.display());
    }
}

#[test]
fn the_fixture_with_every_field_is_canonical() {
    let path = fixture(VALID, "everything.ron");
    let loaded = load_ok(&path);
    assert_eq!(to_canonical_string(&loaded.plan), loaded.source);
}

#[test]
fn saving_twice_gives_identical_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let plan = load_ok(&fixture(EXAMPLES, "reminders.ron")).plan;
    let first = dir.path().join("first.ron");
    let second = dir.path().join("second.ron");
    save_atomic(&first, &plan).unwrap();
    save_atomic(&second, &load_ok(&first).plan).unwrap();
    let first_bytes = fs::read(&first).unwrap();
    assert_eq!(first_bytes, fs::read(&second).unwrap());
    save_atomic(&first, &plan).unwrap();
    assert_eq!(first_bytes, fs::read(&first).unwrap());
    assert_eq!(first_bytes, to_canonical_string(&plan).into_bytes());
}

// ---- loading what users write ----------------------------------------------------------

#[test]
fn plain_optional_fields_load_without_the_header() {
    let plan = load_ok(&fixture(VALID, "plain-optional.ron")).plan;
    assert_eq!(plan.steps[0].commit(), Some("pr-7"));
    assert_eq!(
        plan.components[0].target,
        Some(vec![
            Fact::provide("GET /animals"),
            Fact::provide("GET /animals/{id}")
        ])
    );
    assert_eq!(plan.components[0].repo.as_deref(), Some("backend"));
    assert!(plan.narrative.is_some());
    assert_eq!(plan.accepted[0].step.as_deref(), Some("detail"));
    assert_eq!(plan.accepted[0].key, None);
    let Step::Release { pr, notes, .. } = &plan.steps[0] else {
        panic!("a release");
    };
    assert_eq!(pr.as_deref(), Some("https://example.com/pr/7"));
    assert_eq!(notes, &None);
}

#[test]
fn explicit_some_loads_without_the_header() {
    let plan = load_ok(&fixture(VALID, "explicit-some.ron")).plan;
    assert_eq!(plan.steps[0].commit(), Some("pr-7"));
    assert_eq!(
        plan.components[0].target.as_ref().map(Vec::len),
        Some(2),
        "target: Some([...])"
    );
    assert_eq!(plan.components[1].repo, None);
    assert_eq!(plan.components[1].target, None);
    assert_eq!(plan.notes.as_deref(), Some("Plan notes."));
    assert_eq!(plan.accepted[0].step.as_deref(), Some("detail"));
}

#[test]
fn the_header_accepts_both_spellings() {
    let plan = load_ok(&fixture(VALID, "header-with-some.ron")).plan;
    assert_eq!(plan.steps[0].commit(), Some("pr-7"));
    assert_eq!(plan.components[0].repo.as_deref(), Some("backend"));
    let plain = load_ok(&fixture(EXAMPLES, "reminders.ron")).plan;
    assert_eq!(plain.components[0].repo.as_deref(), Some("frontend"));
    assert_eq!(
        plain.components[0].target.as_ref().map(Vec::len),
        Some(3),
        "target: [...] under the header"
    );
}

#[test]
fn a_minimal_plan_takes_the_defaults() {
    let plan = load_ok(&fixture(VALID, "minimal.ron")).plan;
    assert_eq!(plan.components.len(), 1);
    assert_eq!(plan.components[0].kind, Kind::Service);
    assert!(plan.components[0].current.is_empty());
    assert_eq!(plan.components[0].target, None);
    assert!(plan.toggles.is_empty() && plan.steps.is_empty() && plan.accepted.is_empty());
    assert_eq!((plan.narrative, plan.notes), (None, None));
}

#[test]
fn comments_raw_strings_and_escapes_load() {
    let loaded = load_ok(&fixture(VALID, "comments.ron"));
    let plan = &loaded.plan;
    assert_eq!(
        plan.story,
        r#"Titles may be raw strings with "quotes", ( and ]"#
    );
    assert_eq!(
        plan.narrative.as_deref(),
        Some("Escapes: \"quoted\", a back\\slash, a tab\tand é.\nSecond line.")
    );
    let ids: Vec<&str> = plan.components.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        ["api", "db"],
        "the commented-out component is not there"
    );
    assert_eq!(
        plan.components[0].current[1],
        Fact::read("a").tolerant().serving("GET /a")
    );
    assert_eq!(plan.toggles[0].initially, Switch::Off);
    assert_eq!(plan.steps[1].title(), r"raw \n stays");
    // The spans skip what the comments and strings hold.
    let line_of = |needle: &str| {
        loaded
            .source
            .lines()
            .position(|line| line.contains(needle))
            .unwrap()
            + 1
    };
    assert_eq!(loaded.spans().plan(), pos(line_of("Plan( //"), 1));
    assert_eq!(
        loaded.spans().component(0),
        pos(line_of("        Component("), 9)
    );
    assert_eq!(loaded.spans().component(1), pos(line_of("id: \"db\""), 9));
    assert_eq!(loaded.spans().toggle(0), pos(line_of("toggles:"), 15));
    assert_eq!(loaded.spans().step(0), pos(line_of("Flip(id: \"on\""), 9));
    assert_eq!(loaded.spans().step(1), pos(line_of("Release(id: \"r\""), 9));
}

#[test]
fn a_byte_order_mark_is_ignored() {
    let text = format!(
        "\u{feff}{}",
        fs::read_to_string(fixture(VALID, "minimal.ron")).unwrap()
    );
    let loaded = parse(Path::new("bom.ron"), &text).unwrap();
    assert_eq!(loaded.plan.components[0].id, "api");
}

// ---- errors ------------------------------------------------------------------------------

/// Each invalid fixture, the line and column its error points at, and what it says.
const INVALID_EXPECTATIONS: &[(&str, usize, usize, &str)] = &[
    ("empty.ron", 1, 1, "the file is empty: expected `Plan(...)`"),
    (
        "no-plan.ron",
        2,
        40,
        "the file has no plan in it: expected `Plan(...)`",
    ),
    (
        "missing-comma.ron",
        5,
        5,
        "expected a comma, found `components`",
    ),
    (
        "missing-comma-in-fields.ron",
        5,
        29,
        "expected a comma, found `name`",
    ),
    (
        "missing-paren.ron",
        12,
        13,
        "expected `,` or the `)` that closes this part, found `]`",
    ),
    (
        "unclosed-plan.ron",
        5,
        20,
        "the file ends too early: a closing `)` or `]` may be missing",
    ),
    (
        "wrong-type.ron",
        4,
        12,
        "expected a string in double quotes, found `5`",
    ),
    (
        "unknown-variant.ron",
        9,
        19,
        "unknown component kind `Lambda`: expected `Ui`, `Service`, `Database`, `Queue`, `Job` or `External`",
    ),
    ("missing-field.ron", 3, 1, "missing field `story` in `Plan`"),
    (
        "missing-version.ron",
        1,
        1,
        "missing field `version` in `Plan`",
    ),
    (
        "unknown-field.ron",
        13,
        13,
        "unknown field `shiped` in `Release` (did you mean `shipped`?)",
    ),
    (
        "modifier-twice.ron",
        11,
        17,
        "the modifier Tolerant appears twice in one fact",
    ),
    (
        "version-2.ron",
        3,
        14,
        "this plan is format version 2; this storyplan reads version 1",
    ),
    ("wrong-name.ron", 1, 1, "expected `Plan(...)`, found `Plot`"),
    (
        "gated-without-fact.ron",
        5,
        63,
        "`Gated(...)` takes 2 values, found 1 value",
    ),
    (
        "unknown-fact.ron",
        5,
        68,
        "unknown fact `Provde` (did you mean `Provide`?): expected `Provide`, `Call`, `Read`",
    ),
    ("trailing-text.ron", 6, 1, "unexpected text after the plan"),
];

#[test]
fn invalid_fixtures_report_where_and_what() {
    let files: BTreeSet<String> = ron_files(INVALID)
        .iter()
        .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let expected: BTreeSet<String> = INVALID_EXPECTATIONS
        .iter()
        .map(|(name, ..)| name.to_string())
        .collect();
    assert_eq!(files, expected, "every invalid fixture has an expectation");

    for &(name, line, column, message) in INVALID_EXPECTATIONS {
        let path = fixture(INVALID, name);
        let err = match load(&path) {
            Ok(_) => panic!("{name} loaded"),
            Err(err) => err,
        };
        assert_eq!(err.file, path, "{name}");
        assert_eq!(
            (err.line, err.column),
            (Some(line), Some(column)),
            "{name}: {err}"
        );
        assert!(err.message.contains(message), "{name}: {err}");
        assert_eq!(
            err.to_string(),
            format!("{}:{line}:{column}: {}", path.display(), err.message)
        );
    }
}

#[test]
fn a_newer_version_is_named_before_its_unknown_fields() {
    let text = "Plan(version: 7, story: \"x\", owners: [\"a\"], components: [])";
    let err = parse(Path::new("v7.ron"), text).unwrap_err();
    assert_eq!(
        err.message,
        "this plan is format version 7; this storyplan reads version 1"
    );
    assert_eq!((err.line, err.column), (Some(1), Some(15)));
}

#[test]
fn bytes_that_are_not_utf8_are_reported_where_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latin1.ron");
    fs::write(
        &path,
        b"Plan(\n    version: 1,\n    story: \"Caf\xe9\",\n)\n",
    )
    .unwrap();
    let err = load(&path).unwrap_err();
    assert_eq!((err.line, err.column), (Some(3), Some(16)), "{err}");
    assert!(err.message.contains("not UTF-8"), "{err}");
    assert!(err.message.contains("0xE9"), "{err}");
}

#[path = "common/entangled.rs"]
mod entangled;

#[test]
fn a_plan_too_entangled_to_check_is_refused_where_its_group_starts() {
    // A megabyte of one chain: a group of 11,000 steps, which would take the checker
    // seconds on every check. The plan is refused as it is read, at the group's first step.
    let (text, steps) = entangled::chain_text(1_000_000);
    let err = parse(Path::new("chain.ron"), &text).unwrap_err();
    assert_eq!((err.line, err.column), (Some(5), Some(5)), "{err}");
    assert_eq!(
        err.message,
        format!(
            "this plan is too entangled to check: {steps} of its steps, from step 2 \"0\" on, act on one group of {} related keys, and checking them would take {} times as long as storyplan allows; split it into smaller plans, one per story",
            steps + 1,
            (steps as u64 * (2 * steps as u64 + 1)).div_ceil(storyplan::check::MAX_WORK),
        )
    );
}

#[test]
fn a_file_over_the_size_limit_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.ron");
    let file = fs::File::create(&path).unwrap();
    file.set_len(MAX_PLAN_BYTES + 1).unwrap();
    drop(file);
    let err = load(&path).unwrap_err();
    assert_eq!((err.line, err.column), (None, None));
    assert_eq!(
        err.message,
        format!(
            "the file is {} bytes; plans are limited to 16 MiB ({MAX_PLAN_BYTES} bytes)",
            MAX_PLAN_BYTES + 1
        )
    );
    assert_eq!(
        err.to_string(),
        format!("{}: {}", path.display(), err.message)
    );
}

#[test]
fn a_file_at_the_size_limit_is_parsed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.ron");
    let mut text = fs::read_to_string(fixture(VALID, "minimal.ron")).unwrap();
    let padding = usize::try_from(MAX_PLAN_BYTES).unwrap() - text.len();
    text.push_str(&" ".repeat(padding));
    fs::write(&path, &text).unwrap();
    assert_eq!(load_ok(&path).plan.components[0].id, "api");
}

#[test]
fn unreadable_paths_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let missing = load(&dir.path().join("missing.ron")).unwrap_err();
    assert_eq!(missing.message, "the file does not exist");
    assert_eq!(missing.line, None);
    let folder = load(dir.path()).unwrap_err();
    assert_eq!(folder.message, "this is a folder, not a plan file");
}

#[test]
fn load_errors_compare_and_display() {
    let err = LoadError {
        file: PathBuf::from(".storyplan/x.ron"),
        line: Some(4),
        column: Some(2),
        message: "expected a comma".into(),
    };
    assert_eq!(err.to_string(), ".storyplan/x.ron:4:2: expected a comma");
    assert_eq!(err.clone(), err);
    let boxed: Box<dyn std::error::Error> = Box::new(err);
    assert!(boxed.to_string().ends_with("expected a comma"));
}

// ---- spans ---------------------------------------------------------------------------

#[test]
fn spans_point_at_each_element_of_the_plan_lists() {
    let loaded = load_ok(&fixture(EXAMPLES, "reminders.ron"));
    let spans = loaded.spans();
    let lines: Vec<&str> = loaded.source.lines().collect();
    let at = |p: Pos| &lines[p.line - 1][p.column - 1..];

    assert_eq!(spans.plan(), pos(2, 1));
    // The third step, "table", starts at its `Release(`.
    assert_eq!(spans.step(2), pos(77, 9));
    assert!(at(spans.step(2)).starts_with("Release("));
    assert!(lines[77].contains("id: \"table\""));

    assert_eq!(spans.step_count(), loaded.plan.steps.len());
    for (i, step) in loaded.plan.steps.iter().enumerate() {
        let start = spans.step(i);
        let head = match step {
            Step::Release { .. } => "Release(",
            Step::Flip { .. } => "Flip(",
        };
        assert!(at(start).starts_with(head), "step {i}");
        assert!(lines[start.line].contains(&format!("id: \"{}\"", step.id())));
    }
    assert_eq!(spans.component_count(), loaded.plan.components.len());
    for (i, component) in loaded.plan.components.iter().enumerate() {
        let start = spans.component(i);
        assert!(at(start).starts_with("Component("));
        assert!(lines[start.line].contains(&format!("id: \"{}\"", component.id)));
    }
    assert!(at(spans.toggle(0)).starts_with("Toggle(id: \"reminders\""));
    // Past the end, a position still exists: the plan's.
    assert_eq!(spans.step(99), spans.plan());
    assert_eq!(spans.accepted(0), spans.plan());
}

#[test]
fn spans_find_accepted_findings() {
    let loaded = load_ok(&fixture(VALID, "everything.ron"));
    let lines: Vec<&str> = loaded.source.lines().collect();
    for i in 0..loaded.plan.accepted.len() {
        let start = loaded.spans().accepted(i);
        assert!(lines[start.line - 1][start.column - 1..].starts_with("Accept(rule: "));
    }
    assert_eq!(loaded.spans().accepted_count(), 2);
    assert_eq!(loaded.spans().toggle_count(), 2);
}

// ---- atomic saving -------------------------------------------------------------------

#[test]
fn save_atomic_writes_overwrites_and_leaves_no_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.ron");
    let plan = load_ok(&fixture(EXAMPLES, "cents-api.ron")).plan;

    save_atomic(&path, &plan).unwrap();
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        to_canonical_string(&plan)
    );
    assert_eq!(
        file_names(dir.path()),
        BTreeSet::from(["plan.ron".to_string()])
    );

    fs::write(
        &path,
        "an older, longer text than the plan will leave behind ".repeat(200),
    )
    .unwrap();
    save_atomic(&path, &plan).unwrap();
    assert_eq!(load_ok(&path).plan, plan);
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        to_canonical_string(&plan)
    );
    assert_eq!(
        file_names(dir.path()),
        BTreeSet::from(["plan.ron".to_string()])
    );
}

#[test]
fn write_atomic_removes_its_temporary_file_when_it_fails() {
    let dir = tempfile::tempdir().unwrap();
    // A non-empty folder cannot be replaced by a file: the rename fails.
    let blocked = dir.path().join("blocked.ron");
    fs::create_dir(&blocked).unwrap();
    fs::write(blocked.join("keep"), "x").unwrap();
    assert!(write_atomic(&blocked, b"plan").is_err());
    assert_eq!(
        file_names(dir.path()),
        BTreeSet::from(["blocked.ron".to_string()])
    );
    assert_eq!(fs::read_to_string(blocked.join("keep")).unwrap(), "x");

    // A missing folder is an error, not a created folder.
    let nowhere = dir.path().join("missing/plan.ron");
    assert!(write_atomic(&nowhere, b"plan").is_err());
    assert!(!dir.path().join("missing").exists());
}

#[test]
fn write_atomic_writes_bytes_as_given() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raw.bin");
    write_atomic(&path, b"\x00\xffbytes").unwrap();
    assert_eq!(fs::read(&path).unwrap(), b"\x00\xffbytes");
    write_atomic(&path, b"").unwrap();
    assert_eq!(fs::read(&path).unwrap(), b"");
}

#[cfg(unix)]
#[test]
fn write_atomic_through_a_symlink_replaces_its_target() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("real.ron");
    let link = dir.path().join("link.ron");
    fs::write(&target, "old").unwrap();
    std::os::unix::fs::symlink(&target, &link).unwrap();
    write_atomic(&link, b"new").unwrap();
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read_to_string(&target).unwrap(), "new");
}

// ---- finding plans -------------------------------------------------------------------

#[test]
fn find_git_root_walks_up_to_a_git_folder_or_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = fs::canonicalize(dir.path()).unwrap();
    let repo = root.join("repo");
    let deep = repo.join("src/deep");
    fs::create_dir_all(&deep).unwrap();
    fs::create_dir(repo.join(".git")).unwrap();
    assert_eq!(find_git_root(&deep), Some(repo.clone()));
    assert_eq!(find_git_root(&repo), Some(repo.clone()));

    // A worktree or submodule has a `.git` file.
    let worktree = root.join("worktree");
    fs::create_dir_all(worktree.join("a")).unwrap();
    fs::write(worktree.join(".git"), "gitdir: ../repo/.git/worktrees/w\n").unwrap();
    assert_eq!(find_git_root(&worktree.join("a")), Some(worktree.clone()));

    let outside = root.join("outside");
    fs::create_dir(&outside).unwrap();
    let found = find_git_root(&outside);
    assert!(
        !found.is_some_and(|found| found.starts_with(&root)),
        "nothing inside the temp folder is a repository"
    );
}

#[test]
fn discover_plans_lists_ron_files_sorted() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    assert_eq!(plan_dir(root), root.join(".storyplan"));
    assert_eq!(discover_plans(root).unwrap(), Vec::<PathBuf>::new());

    let plans = plan_dir(root);
    fs::create_dir(&plans).unwrap();
    assert_eq!(discover_plans(root).unwrap(), Vec::<PathBuf>::new());
    for name in [
        "zebra.ron",
        "alpha.ron",
        "notes.txt",
        "ron",
        "middle.ron.bak",
    ] {
        fs::write(plans.join(name), "").unwrap();
    }
    fs::create_dir(plans.join("folder.ron")).unwrap();
    assert_eq!(
        discover_plans(root).unwrap(),
        vec![plans.join("alpha.ron"), plans.join("zebra.ron")]
    );
}

#[test]
fn saved_plans_are_discovered_and_load() {
    let dir = tempfile::tempdir().unwrap();
    let plans = plan_dir(dir.path());
    fs::create_dir(&plans).unwrap();
    let plan = load_ok(&fixture(EXAMPLES, "amount-column.ron")).plan;
    save_atomic(&plans.join("amount-column.ron"), &plan).unwrap();
    let found = discover_plans(dir.path()).unwrap();
    assert_eq!(found, vec![plans.join("amount-column.ron")]);
    assert_eq!(load_ok(&found[0]).plan, plan);
}

// ---- never panic, always round trip ---------------------------------------------------

#[test]
fn every_truncation_of_an_example_is_an_error_with_a_position() {
    let text = fs::read_to_string(fixture(EXAMPLES, "cents-api.ron")).unwrap();
    let line_count = text.lines().count();
    let cut_points = text.char_indices().map(|(i, _)| i);
    for cut in cut_points.filter(|&i| i < text.trim_end().len()) {
        let part = &text[..cut];
        let Err(err) = parse(Path::new("cut.ron"), part) else {
            panic!("a plan cut at byte {cut} loaded");
        };
        let line = err.line.expect("a position");
        assert!(line >= 1 && line <= line_count + 1, "{err}");
        assert!(err.column.is_some_and(|c| c >= 1), "{err}");
    }
}

/// Strings with what a RON string literal must escape, and some that it need not.
fn text() -> impl Strategy<Value = String> {
    let chars = prop::sample::select(vec![
        'a', 'Z', '0', ' ', '/', '{', '}', '(', ')', '[', ']', ',', ':', '#', 'r', '"', '\\', '\n',
        '\r', '\t', '\u{0}', '\u{7}', '\u{1b}', '\u{7f}', '\u{85}', 'é', '→', '\u{2028}', '🦀',
    ]);
    prop::collection::vec(chars, 0..12).prop_map(|chars| chars.into_iter().collect())
}

/// Keys and toggle ids as the model keeps them: trimmed.
fn key() -> impl Strategy<Value = String> {
    text().prop_map(|text| text.trim().to_string())
}

fn fact() -> impl Strategy<Value = Fact> {
    (
        0..4usize,
        key(),
        any::<bool>(),
        prop::option::of(key()),
        prop::option::of(key()),
    )
        .prop_map(|(access, key, tolerant, gate, serving)| Fact {
            access: storyplan::plan::Access::ALL[access],
            key,
            tolerant,
            gate,
            serving,
        })
}

fn switch() -> impl Strategy<Value = Switch> {
    prop_oneof![Just(Switch::On), Just(Switch::Off)]
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        fact().prop_map(Change::Add),
        fact().prop_map(Change::Remove),
        text().prop_map(Change::Ungate),
        (text(), text()).prop_map(|(into, from)| Change::Backfill { into, from }),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (
            (text(), text(), text()),
            prop::collection::vec(change(), 0..4),
            prop::option::of(text()),
            any::<bool>(),
            prop::option::of(text()),
            prop::option::of(text()),
        )
            .prop_map(
                |((id, component, title), changes, commit, shipped, notes, pr)| {
                    Step::Release {
                        id,
                        component,
                        title,
                        changes,
                        commit,
                        shipped,
                        notes,
                        pr,
                    }
                }
            ),
        (
            (text(), text(), switch(), text()),
            any::<bool>(),
            prop::option::of(text())
        )
            .prop_map(|((id, toggle, to, title), shipped, notes)| Step::Flip {
                id,
                toggle,
                to,
                title,
                shipped,
                notes,
            }),
    ]
}

fn source() -> impl Strategy<Value = Source> {
    (text(), 0..5usize).prop_map(|(path, kind)| match kind {
        0 => Source::OpenApi(path),
        1 => Source::Pact(path),
        n => Source::Sql(path, Dialect::ALL[n - 2]),
    })
}

fn component() -> impl Strategy<Value = Component> {
    (
        (text(), text(), 0..6usize),
        prop::option::of(text()),
        prop::collection::vec(source(), 0..3),
        prop::collection::vec(fact(), 0..4),
        prop::option::of(prop::collection::vec(fact(), 0..3)),
    )
        .prop_map(
            |((id, name, kind), repo, sources, current, target)| Component {
                id,
                name,
                kind: Kind::ALL[kind],
                repo,
                sources,
                current,
                target,
            },
        )
}

fn plan() -> impl Strategy<Value = Plan> {
    (
        (text(), prop::option::of(text()), prop::option::of(text())),
        prop::collection::vec(component(), 0..4),
        prop::collection::vec(
            (text(), switch()).prop_map(|(id, initially)| Toggle { id, initially }),
            0..3,
        ),
        prop::collection::vec(step(), 0..5),
        prop::collection::vec(
            (
                text(),
                prop::option::of(text()),
                prop::option::of(text()),
                text(),
            )
                .prop_map(|(rule, step, key, reason)| Accept {
                    rule,
                    step,
                    key,
                    reason,
                }),
            0..3,
        ),
    )
        .prop_map(
            |((story, narrative, notes), components, toggles, steps, accepted)| Plan {
                version: FORMAT_VERSION,
                story,
                narrative,
                components,
                toggles,
                steps,
                accepted,
                notes,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn any_plan_round_trips_through_its_canonical_text(plan in plan()) {
        let text = to_canonical_string(&plan);
        let loaded = parse(Path::new("generated.ron"), &text)
            .map_err(|err| TestCaseError::fail(format!("{err}\n{text}")))?;
        // Loading trims ids and keys once; everything else reads back as written.
        let mut expected = plan.clone();
        expected.normalize();
        prop_assert_eq!(&loaded.plan, &expected);
        prop_assert_eq!(to_canonical_string(&loaded.plan), to_canonical_string(&expected));
        prop_assert_eq!(loaded.spans().step_count(), plan.steps.len());
        prop_assert_eq!(loaded.spans().component_count(), plan.components.len());
        prop_assert_eq!(loaded.spans().toggle_count(), plan.toggles.len());
        prop_assert_eq!(loaded.spans().accepted_count(), plan.accepted.len());
    }

    #[test]
    fn any_text_loads_or_fails_without_panicking(text in "\\PC{0,200}") {
        let _ = parse(Path::new("any.ron"), &text);
    }

    #[test]
    fn any_edit_of_an_example_loads_or_fails_with_a_position(
        at in 0..4000usize,
        remove in 0..4usize,
        insert in prop::sample::select(vec!["", "(", ")", "[", "]", ",", "\"", "r#\"", "/*", "//", "\n", "5", "x:", "Some(", "é"]),
    ) {
        let text = fs::read_to_string(fixture(EXAMPLES, "reminders.ron")).unwrap();
        let mut start = at.min(text.len());
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (start + remove).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        let edited = format!("{}{insert}{}", &text[..start], &text[end..]);
        if let Err(err) = parse(Path::new("edited.ron"), &edited) {
            prop_assert!(err.line.is_some_and(|line| line >= 1), "{}", err);
            prop_assert!(err.column.is_some_and(|column| column >= 1), "{}", err);
        }
    }
}

#[test]
fn ids_written_with_spaces_load_trimmed_and_their_accepts_match() {
    let text = r#"Plan(
    version: 1,
    story: "Drop the notes",
    components: [
        Component(id: " db ", name: "DB", kind: Database, current: [Provide(" animals.notes ")]),
    ],
    steps: [
        Release(id: " drop ", component: "db", title: "Drop notes", changes: [Remove(Provide("animals.notes"))]),
    ],
    accepted: [Accept(rule: "data-loss", step: "drop", key: "animals.notes", reason: "never read")],
)"#;
    let loaded = parse(Path::new("spaces.ron"), text).expect("the plan loads");
    // Loading the file does the same as parsing its text.
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(dir.path().join("spaces.ron"), text).expect("written");
    let from_file = load(&dir.path().join("spaces.ron")).expect("the file loads");
    assert_eq!(from_file.plan, loaded.plan);
    let plan = &loaded.plan;
    assert_eq!(plan.components[0].id, "db");
    assert_eq!(plan.components[0].current[0].key, "animals.notes");
    assert_eq!(plan.steps[0].id(), "drop");
    assert_eq!(plan.step_index("drop"), Some(0));
    let report = storyplan::check::check(plan);
    let loss: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule == storyplan::check::Rule::DataLoss)
        .map(|f| (f.step, f.severity, f.reason.as_deref()))
        .collect();
    assert_eq!(
        loss,
        [(
            Some(0),
            storyplan::check::Severity::Accepted,
            Some("never read")
        )]
    );
}

#[cfg(unix)]
mod files_on_disk {
    use std::fs;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    use std::time::{Duration, SystemTime};

    use storyplan::plan::Plan;
    use storyplan::store;

    fn saved(dir: &std::path::Path) -> std::path::PathBuf {
        let path = dir.join("plan.ron");
        store::save_atomic(&path, &Plan::new("first")).expect("saved");
        path
    }

    #[test]
    fn a_read_only_file_is_not_replaced() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = saved(dir.path());
        let before = fs::read(&path).expect("reads");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o444)).expect("chmod");
        let error = store::save_atomic(&path, &Plan::new("second")).expect_err("refused");
        assert_eq!(error.kind(), std::io::ErrorKind::PermissionDenied);
        assert!(error.to_string().contains("read-only"), "{error}");
        assert_eq!(fs::read(&path).expect("reads"), before);
        assert_eq!(
            fs::metadata(&path).expect("meta").permissions().mode() & 0o777,
            0o444
        );
    }

    #[test]
    fn a_save_keeps_the_files_mode_and_owner() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = saved(dir.path());
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).expect("chmod");
        // Only root can give the file to someone else; then the save must keep that owner.
        let given = std::os::unix::fs::chown(&path, Some(4321), Some(4321)).is_ok();
        store::save_atomic(&path, &Plan::new("second")).expect("saved");
        let meta = fs::metadata(&path).expect("meta");
        assert_eq!(meta.permissions().mode() & 0o777, 0o640);
        if given {
            assert_eq!((meta.uid(), meta.gid()), (4321, 4321));
        }
        assert!(
            store::load(&path).expect("loads").plan.story == "second",
            "the new plan is in place"
        );
    }

    #[test]
    fn a_save_removes_temporary_files_that_a_killed_save_left() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = saved(dir.path());
        let stale = dir.path().join(".plan.ron.99999-0.tmp");
        let fresh = dir.path().join(".plan.ron.99998-0.tmp");
        let other = dir.path().join(".notes.ron.99999-0.tmp");
        for file in [&stale, &fresh, &other] {
            fs::write(file, "half a plan").expect("written");
        }
        let long_ago = SystemTime::now() - Duration::from_secs(3600);
        for file in [&stale, &other] {
            fs::File::options()
                .write(true)
                .open(file)
                .and_then(|f| f.set_modified(long_ago))
                .expect("aged");
        }
        store::save_atomic(&path, &Plan::new("second")).expect("saved");
        assert!(
            !stale.exists(),
            "the stale temporary file of this plan is gone"
        );
        assert!(
            fresh.exists(),
            "a recent one may belong to a save still running"
        );
        assert!(
            other.exists(),
            "another plan's files are not this save's business"
        );
    }

    #[test]
    fn a_fifo_is_refused_at_once_for_reading_and_for_writing() {
        let dir = tempfile::tempdir().expect("temp dir");
        let fifo = dir.path().join("plan.ron");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success());
        if !made {
            eprintln!("mkfifo is not available: skipping");
            return;
        }
        let error = store::load(&fifo).expect_err("refused");
        assert!(error.to_string().contains("not a regular file"), "{error}");
        let error = store::save_atomic(&fifo, &Plan::new("x")).expect_err("refused");
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
    }
}

#[test]
fn a_field_that_is_not_a_name_is_said_without_rons_words() {
    let error = parse(Path::new("raw.ron"), "Plan(version: 1, story: \"x\", 0: 1)")
        .expect_err("does not load");
    assert_eq!(
        error.to_string(),
        "raw.ron:1:30: expected a name (of a field or a variant), found `0`"
    );
}
