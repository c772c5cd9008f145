//! Plans at git refs, in a throw-away repository: reading an older commit's plan, the
//! errors for a missing ref or path, `storyplan diff` and `storyplan review` as a user runs
//! them, and the read-only board model a review opens.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use storyplan::cli::review::open_model;
use storyplan::diff::StepChange;
use storyplan::store::git::{PlanSource, diff_against, load, read};
use storyplan::tui::model::Source;
use tempfile::TempDir;

#[path = "common/run.rs"]
mod run;

use run::storyplan;

fn have_git() -> bool {
    let found = Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("note: git is not installed; skipping the tests of plans at git refs");
    }
    found
}

fn git(dir: &Path, args: &[&str]) {
    let output = Command::new("git")
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.com",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn reminders() -> String {
    let path = format!(
        "{}/assets/examples/reminders.ron",
        env!("CARGO_MANIFEST_DIR")
    );
    fs::read_to_string(path).expect("the example reads")
}

/// The reminders story with the flip before the table (as the teammate first wrote it).
fn flip_first() -> String {
    let text = reminders();
    let table = text
        .find("        Release(\n            id: \"table\"")
        .expect("table");
    let flip = text.find("        Flip(").expect("flip");
    let cleanup = text
        .find("        Release(\n            id: \"cleanup\"")
        .expect("cleanup");
    format!(
        "{}{}{}{}",
        &text[..table],
        &text[flip..cleanup],
        &text[table..flip],
        &text[cleanup..]
    )
}

/// A repository whose first commit has the flip before the table and whose second has
/// the article's order: `HEAD~1:.storyplan/x.ron` is the old plan, the file the new one.
fn repository() -> TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let root = dir.path();
    git(root, &["init", "-q"]);
    fs::create_dir(root.join(".storyplan")).expect("the plan folder");
    fs::write(root.join(".storyplan/x.ron"), flip_first()).expect("write the plan");
    git(root, &["add", ".storyplan/x.ron"]);
    git(root, &["commit", "-q", "-m", "Plan the reminders"]);
    fs::write(root.join(".storyplan/x.ron"), reminders()).expect("write the plan");
    git(root, &["commit", "-q", "-a", "-m", "Flip after the table"]);
    dir
}

fn old_ref() -> PlanSource {
    PlanSource::Ref {
        reference: "HEAD~1".into(),
        path: PathBuf::from(".storyplan/x.ron"),
    }
}

#[test]
fn arguments_are_refs_only_when_git_knows_the_ref() {
    if !have_git() {
        return;
    }
    let repo = repository();
    let root = repo.path();
    assert_eq!(
        PlanSource::parse("HEAD~1:.storyplan/x.ron", root),
        old_ref()
    );
    assert_eq!(
        PlanSource::parse("main:.storyplan/x.ron", root),
        PlanSource::Ref {
            reference: "main".into(),
            path: PathBuf::from(".storyplan/x.ron")
        }
    );
    for file in [
        "C:\\plans\\x.ron",
        "nosuch:x.ron",
        ".storyplan/x.ron",
        "-x:y",
    ] {
        assert_eq!(
            PlanSource::parse(file, root),
            PlanSource::File(PathBuf::from(file)),
            "{file}"
        );
    }
}

#[test]
fn reading_an_older_commit_gives_the_old_plan() {
    if !have_git() {
        return;
    }
    let repo = repository();
    let root = repo.path();
    let (name, text) = read(&old_ref(), root).expect("the old plan reads");
    assert_eq!(name, "HEAD~1:.storyplan/x.ron");
    assert_eq!(text, flip_first());
    let (_, loaded) = load(&old_ref(), root).expect("the old plan parses");
    let ids: Vec<&str> = loaded.plan.steps.iter().map(|s| s.id()).collect();
    assert_eq!(
        ids,
        ["ui-hidden", "endpoints", "enable", "table", "cleanup"]
    );

    // From a folder inside the repository, paths from the root and from here both work.
    let inner = root.join(".storyplan");
    for path in [
        ".storyplan/x.ron",
        "x.ron",
        "./x.ron",
        "../.storyplan/x.ron",
    ] {
        let source = PlanSource::parse(&format!("HEAD~1:{path}"), &inner);
        let (name, text) = read(&source, &inner).expect(path);
        assert_eq!(name, "HEAD~1:.storyplan/x.ron", "{path}");
        assert_eq!(text, flip_first(), "{path}");
    }
}

#[test]
fn a_missing_ref_or_path_says_what_is_missing() {
    if !have_git() {
        return;
    }
    let repo = repository();
    let root = repo.path();
    let missing_ref = PlanSource::Ref {
        reference: "nosuch".into(),
        path: PathBuf::from(".storyplan/x.ron"),
    };
    assert_eq!(
        read(&missing_ref, root).unwrap_err(),
        "no ref `nosuch` in this repository — branches are main"
    );
    let missing_path = PlanSource::Ref {
        reference: "HEAD~1".into(),
        path: PathBuf::from(".storyplan/y.ron"),
    };
    assert_eq!(
        read(&missing_path, root).unwrap_err(),
        "`.storyplan/y.ron` is not in `HEAD~1`; its plans are .storyplan/x.ron"
    );
    let folder = PlanSource::Ref {
        reference: "main".into(),
        path: PathBuf::from(".storyplan"),
    };
    assert_eq!(
        read(&folder, root).unwrap_err(),
        "`.storyplan` is a folder in `main`, not a plan file"
    );

    let outside = tempfile::tempdir().expect("a temporary folder");
    let error = read(&old_ref(), outside.path()).unwrap_err();
    assert!(
        error.starts_with("cannot read `HEAD~1:.storyplan/x.ron`: ")
            && error.ends_with(" is not inside a git repository"),
        "{error}"
    );
}

#[test]
fn a_plan_that_does_not_parse_at_a_ref_says_where() {
    if !have_git() {
        return;
    }
    let repo = repository();
    let root = repo.path();
    fs::write(
        root.join(".storyplan/x.ron"),
        "Plan(\n    version: 1,\n    story: \"x\",\n    components: [Component(id: \"a\", name: \"a\", kind: Browser)],\n)\n",
    )
    .expect("write");
    git(root, &["commit", "-q", "-a", "-m", "Break the plan"]);
    let source = PlanSource::parse("HEAD:.storyplan/x.ron", root);
    let error = load(&source, root).unwrap_err();
    assert!(
        error.starts_with("HEAD:.storyplan/x.ron:4:"),
        "the error names the ref, the path, the line and the column: {error}"
    );
    let output = storyplan(
        root,
        &["diff", "HEAD~1:.storyplan/x.ron", "HEAD:.storyplan/x.ron"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("HEAD:.storyplan/x.ron:4:"));
}

#[test]
fn a_plan_that_is_not_utf8_at_a_ref_says_where() {
    if !have_git() {
        return;
    }
    let repo = repository();
    let root = repo.path();
    let mut bytes = b"Plan(\n    version: 1,\n    story: \"caf".to_vec();
    bytes.extend([0xE9, b'"', b')', b'\n']);
    fs::write(root.join(".storyplan/x.ron"), &bytes).expect("write");
    git(root, &["commit", "-q", "-a", "-m", "Latin-1"]);
    let error = load(&PlanSource::parse("HEAD:.storyplan/x.ron", root), root).unwrap_err();
    assert!(
        error.starts_with("HEAD:.storyplan/x.ron:3:16: the file is not UTF-8 text"),
        "{error}"
    );
    let output = storyplan(root, &["diff", "HEAD:.storyplan/x.ron", ".storyplan/x.ron"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("HEAD:.storyplan/x.ron:3:16:"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn diff_of_a_ref_and_the_file_prints_the_move_and_the_resolved_break() {
    if !have_git() {
        return;
    }
    let repo = repository();
    let output = storyplan(
        repo.path(),
        &["diff", "HEAD~1:.storyplan/x.ron", ".storyplan/x.ron"],
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        stdout,
        "--- HEAD~1:.storyplan/x.ron\n\
         +++ .storyplan/x.ron\n\
         ↕ step \"enable\" moved 3 → 4\n\
         - resolved error[broken-consumer] (step 3 \"enable\", api, \"reminders\"): api writes \"reminders\" while nothing provides it, from step 3 \"enable\" until step 4 \"table\": what it writes is not saved.\n"
    );

    let same = storyplan(
        repo.path(),
        &["diff", "HEAD:.storyplan/x.ron", ".storyplan/x.ron"],
    );
    assert_eq!(same.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&same.stdout),
        "No changes to the plan between HEAD:.storyplan/x.ron and .storyplan/x.ron.\n"
    );

    let missing = storyplan(
        repo.path(),
        &["diff", "HEAD~1:.storyplan/x.ron", "nosuch:x.ron"],
    );
    assert_eq!(missing.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&missing.stderr),
        "storyplan: nosuch:x.ron: the file does not exist, and `nosuch` is not a ref of a git repository here\n"
    );
}

#[test]
fn review_of_an_unknown_ref_exits_2_with_the_message() {
    if !have_git() {
        return;
    }
    let repo = repository();
    let output = storyplan(repo.path(), &["review", "nosuchref"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "storyplan: no ref `nosuchref` in this repository — branches are main\n"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn a_ref_alone_means_its_one_plan() {
    if !have_git() {
        return;
    }
    let repo = repository();
    let root = repo.path();
    assert_eq!(
        PlanSource::parse_review("HEAD~1", root),
        Ok(PlanSource::Ref {
            reference: "HEAD~1".into(),
            path: PathBuf::from(".storyplan/x.ron")
        })
    );
    fs::write(root.join(".storyplan/y.ron"), reminders()).expect("write");
    git(root, &["add", ".storyplan/y.ron"]);
    git(root, &["commit", "-q", "-m", "Another story"]);
    assert_eq!(
        PlanSource::parse_review("HEAD", root),
        Err(
            "`HEAD` has 2 plans in .storyplan/; name one: storyplan review HEAD:PATH — \
             .storyplan/x.ron, .storyplan/y.ron"
                .into()
        )
    );
}

#[test]
fn review_opens_the_plan_at_the_ref_read_only() {
    if !have_git() {
        return;
    }
    let repo = repository();
    let root = repo.path();
    let source = PlanSource::parse_review("HEAD~1:.storyplan/x.ron", root).expect("a ref");
    let model = open_model(&source, root).expect("the model opens");
    assert!(model.read_only);
    assert_eq!(model.title(), "HEAD~1:.storyplan/x.ron");
    assert_eq!(
        model.source,
        Source::Ref {
            reference: "HEAD~1".into(),
            path: PathBuf::from(".storyplan/x.ron")
        }
    );
    assert_eq!(model.plan.steps[2].id(), "enable");
    assert_eq!(model.report.summary().errors, 1);
    assert!(!model.modified());

    // A ref alone, from inside the plan folder, finds the same plan.
    let inner = root.join(".storyplan");
    let source = PlanSource::parse_review("HEAD~1", &inner).expect("the one plan");
    let model = open_model(&source, &inner).expect("the model opens");
    assert_eq!(model.title(), "HEAD~1:.storyplan/x.ron");
}

#[test]
fn the_board_can_diff_the_open_plan_against_a_ref() {
    if !have_git() {
        return;
    }
    let repo = repository();
    let root = repo.path();
    let current = storyplan::store::load(&root.join(".storyplan/x.ron"))
        .expect("the plan loads")
        .plan;
    let diff =
        diff_against("HEAD~1", Path::new(".storyplan/x.ron"), &current, root).expect("the diff");
    assert_eq!(
        diff.steps,
        vec![StepChange::Moved {
            id: "enable".into(),
            from: 2,
            to: 3
        }]
    );
    assert_eq!(diff.steps_at(3).count(), 1);
    assert_eq!(diff.resolved.len(), 1);
    assert!(diff.introduced.is_empty());
    let error = diff_against("nosuch", Path::new(".storyplan/x.ron"), &current, root).unwrap_err();
    assert_eq!(
        error,
        "no ref `nosuch` in this repository — branches are main"
    );
}

#[test]
fn the_status_bar_of_a_review_says_read_only() {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/examples/reminders.ron");
    let plan = storyplan::store::load(&path).expect("example loads").plan;
    let mut model = storyplan::tui::model::Model::new(
        plan,
        storyplan::tui::model::Source::Ref {
            reference: "main".into(),
            path: ".storyplan/reminders.ron".into(),
        },
    );
    model.read_only = true;
    let mut terminal = Terminal::new(TestBackend::new(120, 36)).expect("test terminal");
    terminal
        .draw(|frame| {
            storyplan::tui::view::draw(frame, &model);
        })
        .expect("draws");
    let buffer = terminal.backend().buffer();
    let last_row: String = (0..buffer.area.width)
        .map(|x| buffer[(x, buffer.area.height - 1)].symbol().to_string())
        .collect();
    assert!(last_row.contains("READ-ONLY"), "{last_row}");
    assert!(!last_row.contains("move step"), "{last_row}");
}
