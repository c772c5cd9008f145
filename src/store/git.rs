//! Plans as they are in a file or at a git ref, for reviewing a teammate's plan, diffing
//! versions and comparing the board's plan with a ref.
//!
//! Git is asked through its command line (`git` on the PATH), run at the repository's
//! root; refs are resolved to a commit first, so nothing the user typed reaches git as an
//! option.

use std::ffi::OsStr;
use std::io;
use std::path::{Component, Path, PathBuf};

use crate::diff::{self, PlanDiff};
use crate::plan::Plan;
use crate::store::{self, Loaded, PLAN_DIR};
use crate::text::{clean, clean_line};

/// Where a plan to review or diff comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanSource {
    /// A plan file, relative to the current folder or absolute.
    File(PathBuf),
    /// A plan as it is at a git ref; `path` as the user gave it (from the repository's
    /// root, or from the current folder).
    Ref { reference: String, path: PathBuf },
}

impl PlanSource {
    /// `REF:PATH` when what comes before the first `:` is a commit-ish of the repository
    /// at `cwd`; anything else (`C:\plans\x.ron`, `notes:old.ron`) is a file.
    pub fn parse(arg: &str, cwd: &Path) -> PlanSource {
        if let Some((reference, path)) = arg.split_once(':')
            && !path.is_empty()
            && commit_of(cwd, reference).is_some()
        {
            return PlanSource::Ref {
                reference: reference.to_string(),
                path: PathBuf::from(path),
            };
        }
        PlanSource::File(PathBuf::from(arg))
    }

    /// Like [`PlanSource::parse`], and `REF` alone means the repository's one plan in
    /// `.storyplan/` at that ref; an existing file without a `:` is reviewed as a file.
    pub fn parse_review(arg: &str, cwd: &Path) -> Result<PlanSource, String> {
        if arg.contains(':') {
            return Ok(PlanSource::parse(arg, cwd));
        }
        if commit_of(cwd, arg).is_none() && cwd.join(arg).is_file() {
            return Ok(PlanSource::File(PathBuf::from(arg)));
        }
        let repo = Repo::find(cwd, arg)?;
        let commit = repo.commit(arg)?;
        let plans = repo.plans(&commit)?;
        match plans.as_slice() {
            [one] => Ok(PlanSource::Ref {
                reference: arg.to_string(),
                path: PathBuf::from(one),
            }),
            [] => Err(format!(
                "`{}` has no plans in {PLAN_DIR}/; name one: storyplan review {}:PATH",
                clean_line(arg),
                clean_line(arg)
            )),
            many => Err(format!(
                "`{}` has {} plans in {PLAN_DIR}/; name one: storyplan review {}:PATH — {}",
                clean_line(arg),
                many.len(),
                clean_line(arg),
                list(many)
            )),
        }
    }

    /// How the plan is named in titles, diffs and errors: `REF:PATH` with the path from
    /// the repository's root once read, or the file as given.
    fn shown(&self) -> String {
        match self {
            PlanSource::File(path) => path.display().to_string(),
            PlanSource::Ref { reference, path } => format!("{reference}:{}", path.display()),
        }
    }
}

/// Reads a plan's text: `(display name, text)`. For a ref, the display name is
/// `REF:PATH` with PATH from the repository's root.
pub fn read(source: &PlanSource, cwd: &Path) -> Result<(String, String), String> {
    match source {
        PlanSource::File(path) => {
            let shown = path.display().to_string();
            let bytes = std::fs::read(cwd.join(path)).map_err(|error| {
                let why = match error.kind() {
                    io::ErrorKind::NotFound => not_a_file_or_ref(path, cwd),
                    io::ErrorKind::IsADirectory => "this is a folder, not a plan file".into(),
                    _ => format!("cannot read the file: {error}"),
                };
                format!("{}: {why}", clean_line(&shown))
            })?;
            let text = utf8(&shown, bytes)?;
            Ok((shown, text))
        }
        PlanSource::Ref { reference, path } => {
            let repo = Repo::find(cwd, &source.shown())?;
            let commit = repo.commit(reference)?;
            let inside = repo.locate(&commit, reference, path, cwd)?;
            let shown = format!("{reference}:{}", inside.path);
            let text = utf8(&shown, repo.blob(&inside.object, &inside.path)?)?;
            Ok((shown, text))
        }
    }
}

/// The text of a plan read as `shown`; not UTF-8 is an error with the bad byte's line and
/// column, as for a file in the working tree.
fn utf8(shown: &str, bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|err| {
        store::not_utf8(Path::new(shown), err.as_bytes(), err.utf8_error()).to_string()
    })
}

/// Reads and parses a plan: `(display name, loaded plan)`; parse errors say where.
pub fn load(source: &PlanSource, cwd: &Path) -> Result<(String, Loaded), String> {
    let (name, loaded) = match source {
        // The store's own reading says more (sizes, the place of a bad byte).
        PlanSource::File(path) if cwd.join(path).is_file() => {
            let name = path.display().to_string();
            let loaded = store::load(&cwd.join(path)).map_err(|mut error| {
                error.file = path.clone();
                error.to_string()
            });
            (name, loaded)
        }
        _ => {
            let (name, text) = read(source, cwd)?;
            let loaded = store::parse(Path::new(&name), &text).map_err(|e| e.to_string());
            (name, loaded)
        }
    };
    match loaded {
        Ok(loaded) => Ok((name, loaded)),
        Err(error) => Err(clean(&error).into_owned()),
    }
}

/// What changed from the plan at `reference:path` to the plan open on the board.
pub fn diff_against(
    reference: &str,
    path: &Path,
    current: &Plan,
    cwd: &Path,
) -> Result<PlanDiff, String> {
    let source = PlanSource::Ref {
        reference: reference.to_string(),
        path: path.to_path_buf(),
    };
    let (_, loaded) = load(&source, cwd)?;
    Ok(diff::diff(&loaded.plan, current))
}

// ---------------------------------------------------------------------------------------
// Git

/// The repository a ref is read from, and how to ask its git.
struct Repo {
    root: PathBuf,
}

/// A file found at a commit: its path from the root (with `/`) and its blob.
struct Found {
    path: String,
    object: String,
}

impl Repo {
    fn find(cwd: &Path, wanted: &str) -> Result<Repo, String> {
        match store::find_git_root(cwd) {
            Some(root) => Ok(Repo { root }),
            None => Err(format!(
                "cannot read `{}`: {} is not inside a git repository",
                clean_line(wanted),
                clean_line(&cwd.display().to_string())
            )),
        }
    }

    fn git<I, S>(&self, args: I) -> Result<std::process::Output, String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        git(&self.root, args)
    }

    /// The commit `reference` names, or an error that lists the branches.
    fn commit(&self, reference: &str) -> Result<String, String> {
        if let Some(commit) = commit_of(&self.root, reference) {
            return Ok(commit);
        }
        let output = self.git(["for-each-ref", "--format=%(refname:short)", "refs/heads/"])?;
        let branches: Vec<String> = String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(str::to_string)
            .collect();
        let shown = clean_line(reference);
        Err(match branches.as_slice() {
            [] => format!("no ref `{shown}` in this repository, which has no branches yet"),
            some => format!(
                "no ref `{shown}` in this repository — branches are {}",
                list(some)
            ),
        })
    }

    /// Finds `path` at `commit`: as given from the root, else from the current folder
    /// (first for `./` and `../` paths, as git itself reads them).
    fn locate(
        &self,
        commit: &str,
        reference: &str,
        path: &Path,
        cwd: &Path,
    ) -> Result<Found, String> {
        let mut candidates = Vec::new();
        let from_cwd = std::fs::canonicalize(cwd)
            .ok()
            .and_then(|cwd| inside(&self.root, &cwd.join(path)));
        let from_root = if path.is_absolute() {
            inside(&self.root, path)
        } else {
            inside(&self.root, &self.root.join(path))
        };
        let relative = matches!(
            path.components().next(),
            Some(Component::CurDir | Component::ParentDir)
        );
        if relative {
            candidates.extend(from_cwd.clone());
        }
        candidates.extend(from_root);
        candidates.extend(from_cwd);
        candidates.dedup();
        let shown_ref = clean_line(reference);
        let Some(first) = candidates.first().cloned() else {
            return Err(format!(
                "`{}` is outside the repository at {}",
                clean_line(&path.display().to_string()),
                clean_line(&self.root.display().to_string())
            ));
        };
        for candidate in &candidates {
            match self.entry(commit, candidate)? {
                Some((kind, object)) if kind == "blob" => {
                    return Ok(Found {
                        path: candidate.clone(),
                        object,
                    });
                }
                Some(_) => {
                    return Err(format!(
                        "`{}` is a folder in `{shown_ref}`, not a plan file",
                        clean_line(candidate)
                    ));
                }
                None => {}
            }
        }
        let plans = self.plans(commit).unwrap_or_default();
        let mut message = format!("`{}` is not in `{shown_ref}`", clean_line(&first));
        if !plans.is_empty() {
            message.push_str(&format!("; its plans are {}", list(&plans)));
        }
        Err(message)
    }

    /// The kind (`blob`, `tree`) and object of `path` at `commit`, if it is there.
    fn entry(&self, commit: &str, path: &str) -> Result<Option<(String, String)>, String> {
        let output = self.git(["ls-tree", "-z", "--full-tree", commit, "--", path])?;
        if !output.status.success() {
            return Err(git_failed("ls-tree", &output.stderr));
        }
        let text = String::from_utf8_lossy(&output.stdout);
        // `<mode> <kind> <object>\t<path>\0`, one entry for a path that is there.
        for entry in text.split('\0') {
            let Some((meta, name)) = entry.split_once('\t') else {
                continue;
            };
            if name != path {
                continue;
            }
            let mut fields = meta.split(' ');
            let (_, kind, object) = (fields.next(), fields.next(), fields.next());
            if let (Some(kind), Some(object)) = (kind, object) {
                return Ok(Some((kind.to_string(), object.to_string())));
            }
        }
        Ok(None)
    }

    /// The `*.ron` files in `.storyplan/` at `commit`, from the root, sorted.
    fn plans(&self, commit: &str) -> Result<Vec<String>, String> {
        let folder = format!("{PLAN_DIR}/");
        let output = self.git([
            "ls-tree",
            "-z",
            "--full-tree",
            "--name-only",
            commit,
            "--",
            &folder,
        ])?;
        if !output.status.success() {
            return Err(git_failed("ls-tree", &output.stderr));
        }
        let mut plans: Vec<String> = String::from_utf8_lossy(&output.stdout)
            .split('\0')
            .filter(|name| name.ends_with(".ron"))
            .map(str::to_string)
            .collect();
        plans.sort();
        Ok(plans)
    }

    /// The bytes of a blob, refused when it is larger than a plan may be.
    fn blob(&self, object: &str, path: &str) -> Result<Vec<u8>, String> {
        let size = self.git(["cat-file", "-s", object])?;
        let size: u64 = String::from_utf8_lossy(&size.stdout)
            .trim()
            .parse()
            .map_err(|_| format!("git cannot read `{}`", clean_line(path)))?;
        if size > store::MAX_PLAN_BYTES {
            return Err(format!(
                "`{}` is {size} bytes; plans are limited to {} bytes",
                clean_line(path),
                store::MAX_PLAN_BYTES
            ));
        }
        let output = self.git(["cat-file", "blob", object])?;
        if !output.status.success() {
            return Err(git_failed("cat-file", &output.stderr));
        }
        Ok(output.stdout)
    }
}

/// Runs git in `dir` as the source readers do (paths literal, nothing asked), with the
/// error as a message.
fn git<I, S>(dir: &Path, args: I) -> Result<std::process::Output, String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    crate::sources::git::run(dir, args).map_err(|error| error.to_string())
}

/// The commit `reference` names in the repository at `dir`, if it names one.
fn commit_of(dir: &Path, reference: &str) -> Option<String> {
    // A ref never starts with `-`; this keeps the argument from being read as an option.
    if reference.is_empty() || reference.starts_with('-') {
        return None;
    }
    let output = git(
        dir,
        [
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &format!("{reference}^{{commit}}"),
        ],
    )
    .ok()?;
    let commit = String::from_utf8_lossy(&output.stdout).trim().to_string();
    (output.status.success() && !commit.is_empty()).then_some(commit)
}

/// Git's complaint, on one line and cleaned.
fn git_failed(command: &str, stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let text = text.trim().trim_start_matches("fatal: ");
    format!("git {command} failed: {}", clean_line(text))
}

/// Why a file argument that does not exist was not read as `REF:PATH` either.
fn not_a_file_or_ref(path: &Path, cwd: &Path) -> String {
    let text = path.display().to_string();
    match text.split_once(':') {
        Some((reference, _)) if !reference.is_empty() && commit_of(cwd, reference).is_none() => {
            format!(
                "the file does not exist, and `{}` is not a ref of a git repository here",
                clean_line(reference)
            )
        }
        _ => "the file does not exist".to_string(),
    }
}

/// `full` as a path from `root` with `/` separators, when it is inside it.
fn inside(root: &Path, full: &Path) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    let normal = normalize(full);
    let rest = normal.strip_prefix(root).ok()?;
    for part in rest.components() {
        match part {
            Component::Normal(name) => parts.push(name.to_string_lossy().into_owned()),
            _ => return None,
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// `a/./b/../c` as `a/c`, without asking the file system (the file may not exist here).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// A short list for a message: the first few, and how many more.
fn list(items: &[String]) -> String {
    const SHOWN: usize = 8;
    let mut text: Vec<String> = items
        .iter()
        .take(SHOWN)
        .map(|item| clean_line(item).into_owned())
        .collect();
    if items.len() > SHOWN {
        text.push(format!("and {} more", items.len() - SHOWN));
    }
    text.join(", ")
}
