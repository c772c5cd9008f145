//! Sources as they are at a git revision, for `import --ref` and `verify`: the files of one
//! commit, read through git's command line at the repository's root. The ref is resolved
//! to a commit once, so every file comes from the same revision and nothing the user
//! typed reaches git as an option.

use std::ffi::OsStr;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Output, Stdio};
use std::sync::Mutex;

use rustc_hash::FxHashMap;

use crate::store::find_git_root;
use crate::text::clean_line;

use super::tree::too_large;
use super::{Entry, MAX_SOURCE_BYTES, Tree};

/// The files of one commit of a repository, addressed by paths from its root.
///
/// Folders are listed with `git ls-tree`, whose answer is kept, so the files of a listed
/// folder are not looked up again; blobs come from one `git cat-file --batch` that lives
/// as long as the tree, so a folder of 500 migrations is not 500 processes.
pub struct GitTree {
    root: PathBuf,
    commit: String,
    /// What `ls-tree` said of each path so far.
    known: Mutex<FxHashMap<String, Known>>,
    batch: Mutex<Option<Batch>>,
}

impl fmt::Debug for GitTree {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GitTree")
            .field("root", &self.root)
            .field("commit", &self.commit)
            .finish_non_exhaustive()
    }
}

/// A path at the commit: `blob` or `tree`, its object, and a blob's size.
#[derive(Debug, Clone)]
struct Known {
    kind: String,
    object: String,
    size: Option<u64>,
}

impl GitTree {
    /// The tree of `reference` (a branch, tag, commit…) in the repository that holds
    /// `cwd`. The error says why in one line: not a repository, no such ref, no git.
    pub fn open(cwd: &Path, reference: &str) -> Result<GitTree, String> {
        let Some(root) = find_git_root(cwd) else {
            return Err(format!(
                "cannot read sources at `{}`: {} is not inside a git repository",
                clean_line(reference),
                clean_line(&cwd.display().to_string())
            ));
        };
        if reference.is_empty() || reference.starts_with('-') {
            return Err(format!("`{}` is not a git ref", clean_line(reference)));
        }
        let output = run(
            &root,
            [
                "rev-parse",
                "--verify",
                "--quiet",
                "--end-of-options",
                &format!("{reference}^{{commit}}"),
            ],
        )
        .map_err(|error| error.to_string())?;
        let commit = String::from_utf8_lossy(&output.stdout).trim().to_string();
        if !output.status.success() || commit.is_empty() {
            if is_shallow(&root) {
                return Err(format!(
                    "`{}` is not in this shallow clone: fetch it first ({}), or clone with its history (actions/checkout: fetch-depth: 0)",
                    clean_line(reference),
                    fetch_advice(&root, reference)
                ));
            }
            return Err(format!(
                "no ref `{}` in the repository at {}",
                clean_line(reference),
                clean_line(&root.display().to_string())
            ));
        }
        Ok(GitTree {
            root,
            commit,
            known: Mutex::new(FxHashMap::default()),
            batch: Mutex::new(None),
        })
    }

    /// The repository's root, which paths are relative to.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The commit the ref named when the tree was opened.
    pub fn commit(&self) -> &str {
        &self.commit
    }

    /// `path` as git names it at the root: `a/b`, or the empty string for the root.
    fn inside(&self, path: &Path) -> io::Result<String> {
        let relative = if path.is_absolute() {
            path.strip_prefix(&self.root).map_err(|_| {
                io::Error::new(
                    io::ErrorKind::NotFound,
                    "the path is outside the repository",
                )
            })?
        } else {
            path
        };
        let mut parts = Vec::new();
        for component in relative.components() {
            match component {
                Component::Normal(part) => match part.to_str() {
                    Some(part) => parts.push(part),
                    None => {
                        return Err(io::Error::new(
                            io::ErrorKind::NotFound,
                            "the path is not UTF-8",
                        ));
                    }
                },
                Component::CurDir => {}
                Component::ParentDir => {
                    if parts.pop().is_none() {
                        return Err(io::Error::new(
                            io::ErrorKind::NotFound,
                            "the path is outside the repository",
                        ));
                    }
                }
                Component::RootDir | Component::Prefix(_) => {}
            }
        }
        Ok(parts.join("/"))
    }

    /// What `path` is at the commit, if it is there.
    fn entry(&self, path: &str) -> io::Result<Option<Known>> {
        if path.is_empty() {
            return Ok(Some(Known {
                kind: "tree".into(),
                object: self.commit.clone(),
                size: None,
            }));
        }
        if let Some(known) = self.known.lock().ok().and_then(|k| k.get(path).cloned()) {
            return Ok(Some(known));
        }
        let output = self.git([
            "ls-tree",
            "-z",
            "-l",
            "--full-tree",
            &self.commit,
            "--",
            path,
        ])?;
        Ok(entries(&output)
            .into_iter()
            .find(|(name, _)| name == path)
            .map(|(_, known)| known))
    }

    /// The bytes of a blob, from the batch process (started on first use, and again
    /// after it failed).
    fn blob(&self, object: &str) -> io::Result<Vec<u8>> {
        let mut batch = self
            .batch
            .lock()
            .map_err(|_| io::Error::other("git cat-file failed"))?;
        if batch.is_none() {
            *batch = Some(Batch::start(&self.root)?);
        }
        let result = match batch.as_mut() {
            Some(running) => running.get(object),
            None => Err(io::Error::other("git cat-file did not start")),
        };
        if result.is_err() {
            *batch = None;
        }
        result
    }

    fn git<I, S>(&self, args: I) -> io::Result<Vec<u8>>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let output = run(&self.root, args)?;
        if !output.status.success() {
            let text = String::from_utf8_lossy(&output.stderr);
            return Err(io::Error::other(format!(
                "git failed: {}",
                clean_line(text.trim().trim_start_matches("fatal: "))
            )));
        }
        Ok(output.stdout)
    }
}

impl Tree for GitTree {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        let inside = self.inside(path)?;
        match self.entry(&inside)? {
            None => Err(io::Error::new(
                io::ErrorKind::NotFound,
                "not in this revision",
            )),
            Some(known) if known.kind != "blob" => Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "this is a folder, not a file",
            )),
            Some(Known {
                size: Some(size), ..
            }) if size > MAX_SOURCE_BYTES => Err(too_large(size)),
            Some(known) => self.blob(&known.object),
        }
    }

    fn list(&self, path: &Path) -> io::Result<Option<Vec<Entry>>> {
        let inside = self.inside(path)?;
        let Some(known) = self.entry(&inside)? else {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                "not in this revision",
            ));
        };
        if known.kind != "tree" {
            return Ok(None);
        }
        let output = self.git(["ls-tree", "-z", "-l", &known.object])?;
        let found = entries(&output);
        let listed = found
            .iter()
            .map(|(name, known)| Entry {
                name: name.clone(),
                is_dir: known.kind == "tree",
            })
            .collect();
        if let Ok(mut cache) = self.known.lock() {
            for (name, known) in found {
                let full = if inside.is_empty() {
                    name
                } else {
                    format!("{inside}/{name}")
                };
                cache.insert(full, known);
            }
        }
        Ok(Some(listed))
    }
}

/// Whether the repository is a shallow clone, whose history stops short.
fn is_shallow(root: &Path) -> bool {
    run(root, ["rev-parse", "--is-shallow-repository"])
        .is_ok_and(|output| String::from_utf8_lossy(&output.stdout).trim() == "true")
}

/// The command that fetches a ref a shallow clone lacks, its commit alone, so that the
/// ref names it afterwards whatever branches the clone follows: a remote's branch
/// (`origin/main`) into its remote-tracking ref, a commit id as it is, a branch into a
/// branch of that name.
fn fetch_advice(root: &Path, reference: &str) -> String {
    let remotes = run(root, ["remote"])
        .map(|output| String::from_utf8_lossy(&output.stdout).into_owned())
        .unwrap_or_default();
    let remote_branch = remotes.lines().find_map(|remote| {
        let branch = reference.strip_prefix(remote.trim())?.strip_prefix('/')?;
        (!branch.is_empty()).then(|| (remote.trim(), branch))
    });
    let command = match remote_branch {
        Some((remote, branch)) => {
            format!(
                "git fetch --depth=1 {remote} +refs/heads/{branch}:refs/remotes/{remote}/{branch}"
            )
        }
        None if reference.len() >= 7 && reference.chars().all(|c| c.is_ascii_hexdigit()) => {
            format!("git fetch --depth=1 origin {reference}")
        }
        None => format!("git fetch --depth=1 origin {reference}:{reference}"),
    };
    clean_line(&command).into_owned()
}

/// The entries of `ls-tree -z -l`: `<mode> <kind> <object> <size>\t<name>\0`.
fn entries(output: &[u8]) -> Vec<(String, Known)> {
    let mut found = Vec::new();
    for line in output.split(|&b| b == 0) {
        let line = String::from_utf8_lossy(line);
        let Some((meta, name)) = line.split_once('\t') else {
            continue;
        };
        let fields: Vec<&str> = meta.split_whitespace().collect();
        if let [_, kind, object, size] = fields.as_slice() {
            found.push((
                name.to_string(),
                Known {
                    kind: kind.to_string(),
                    object: object.to_string(),
                    size: size.parse().ok(),
                },
            ));
        }
    }
    found
}

/// A running `git cat-file --batch`: an object id in, its header and bytes out.
struct Batch {
    child: Child,
    input: Option<ChildStdin>,
    output: BufReader<ChildStdout>,
}

impl Batch {
    fn start(root: &Path) -> io::Result<Batch> {
        let mut child = Command::new("git")
            .arg("-C")
            .arg(root)
            .args(["cat-file", "--batch"])
            .env("GIT_TERMINAL_PROMPT", "0")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|error| io::Error::other(format!("cannot run git: {error}")))?;
        let (Some(input), Some(output)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(io::Error::other("cannot talk to git cat-file"));
        };
        Ok(Batch {
            child,
            input: Some(input),
            output: BufReader::new(output),
        })
    }

    fn get(&mut self, object: &str) -> io::Result<Vec<u8>> {
        let input = self
            .input
            .as_mut()
            .ok_or_else(|| io::Error::other("git cat-file is closed"))?;
        writeln!(input, "{object}")?;
        input.flush()?;
        let mut header = String::new();
        self.output.read_line(&mut header)?;
        // `<object> blob <size>`, or `<object> missing`.
        let mut fields = header.split_whitespace();
        let (_, kind, size) = (fields.next(), fields.next(), fields.next());
        let size: u64 = match (kind, size.and_then(|s| s.parse().ok())) {
            (Some("blob"), Some(size)) => size,
            _ => {
                return Err(io::Error::new(
                    io::ErrorKind::NotFound,
                    "not in this revision",
                ));
            }
        };
        if size > MAX_SOURCE_BYTES {
            return Err(too_large(size));
        }
        let mut bytes = Vec::new();
        (&mut self.output).take(size).read_to_end(&mut bytes)?;
        let mut newline = [0u8; 1];
        self.output.read_exact(&mut newline)?;
        if bytes.len() as u64 != size {
            return Err(io::Error::other(
                "git cat-file stopped in the middle of a file",
            ));
        }
        Ok(bytes)
    }
}

impl Drop for Batch {
    fn drop(&mut self) {
        // Closing its input ends git; a batch dropped mid-answer is killed.
        self.input.take();
        if !matches!(self.child.try_wait(), Ok(Some(_))) {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// Runs git in `dir`, paths taken literally (no globs) and nothing asked of the user.
pub(crate) fn run<I, S>(dir: &Path, args: I) -> io::Result<Output>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_LITERAL_PATHSPECS", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(Stdio::null())
        .output()
        .map_err(|error| match error.kind() {
            io::ErrorKind::NotFound => {
                io::Error::other("cannot run git: it is not installed or not on the PATH")
            }
            _ => io::Error::other(format!("cannot run git: {error}")),
        })
}
