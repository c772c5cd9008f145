//! Shell completions, the manual page and the version, from the same clap definitions.

use std::process::Command;

fn storyplan(args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_storyplan"))
        .args(args)
        .output()
        .expect("storyplan runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn completions_are_produced_for_every_shell_and_bash_reads_its_own() {
    for (shell, marker) in [
        ("bash", "complete -F _storyplan"),
        ("zsh", "#compdef storyplan"),
        ("fish", "complete -c storyplan"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[storyplan]"),
    ] {
        let (code, script) = storyplan(&["completions", shell]);
        assert_eq!(code, Some(0), "{shell}");
        assert!(script.contains(marker), "{shell}: {script}");
        // Every command is offered.
        for command in ["check", "import", "facts", "export", "completions"] {
            assert!(script.contains(command), "{shell} lacks {command}");
        }
    }
    let (_, bash) = storyplan(&["completions", "bash"]);
    let dir = tempfile::TempDir::new().expect("temp dir");
    let file = dir.path().join("storyplan.bash");
    std::fs::write(&file, bash).expect("written");
    match Command::new("bash").arg("-n").arg(&file).output() {
        Ok(out) => assert!(
            out.status.success(),
            "bash -n: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(_) => eprintln!("bash is not installed: the bash script's syntax is not checked"),
    }
    let (code, _) = storyplan(&["completions", "tcsh"]);
    assert_eq!(code, Some(2), "an unknown shell is a usage error");
}

#[test]
fn the_manual_page_is_roff_with_the_commands() {
    let (code, page) = storyplan(&["man"]);
    assert_eq!(code, Some(0));
    assert!(page.contains(".TH storyplan 1"), "{page}");
    assert!(page.contains("storyplan\\-check"), "{page}");
}

#[test]
fn the_version_is_the_packages_with_the_revision_of_a_checkout() {
    let (code, version) = storyplan(&["--version"]);
    assert_eq!(code, Some(0));
    let expected = format!("storyplan {}", env!("CARGO_PKG_VERSION"));
    assert!(version.starts_with(&expected), "{version}");
    // Built from a checkout: the revision follows, as git names it.
    if std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(".git")
        .exists()
    {
        let revision = version
            .trim()
            .strip_prefix(&expected)
            .and_then(|rest| rest.strip_prefix(" ("))
            .and_then(|rest| rest.strip_suffix(')'))
            .unwrap_or_default();
        assert!(
            revision.len() >= 7 && revision.chars().all(|c| c.is_ascii_hexdigit()),
            "{version}"
        );
    }
}
