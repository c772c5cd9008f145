//! The version `storyplan --version` prints: the package's, and the git revision it was
//! built from when it was built from a checkout (`0.1.0 (a1b2c3d)`).

use std::path::Path;
use std::process::Command;

fn main() {
    let version = env!("CARGO_PKG_VERSION");
    let revision = Command::new("git")
        .args(["rev-parse", "--short=9", "HEAD"])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .map(|rev| rev.trim().to_string())
        .filter(|rev| !rev.is_empty());
    match revision {
        Some(rev) => println!("cargo:rustc-env=STORYPLAN_VERSION={version} ({rev})"),
        None => println!("cargo:rustc-env=STORYPLAN_VERSION={version}"),
    }
    // Built again when the checkout moves to another commit.
    for watched in [".git/HEAD", ".git/refs/heads", ".git/packed-refs"] {
        if Path::new(watched).exists() {
            println!("cargo:rerun-if-changed={watched}");
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
