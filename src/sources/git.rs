//! Sources as they are at a git revision, for `import --ref` and `verify`: the files of one
//! commit, read through git's command line at the repository's root. The ref is resolved
//! to a commit once, so every file comes from the same revision and nothing the user
//! typed reaches git as an option.

use std::ffi::OsStr;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::store::find_git_root;
use crate::text::clean_line;

use super::tree::too_large;
use super::{Entry, MAX_SOURCE_BYTES, Tree};

/// The files of one commit of a repository, addressed by paths from its root.
#[derive(Debug, Clone)]
pub struct GitTree {
    root: PathBuf,
    commit: String,
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
        let output = git(
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
            return Err(format!(
                "no ref `{}` in the repository at {}",
                clean_line(reference),
                clean_line(&root.display().to_string())
            ));
        }
        Ok(GitTree { root, commit })
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

    /// The mode, kind, object and size (`-` for a tree) of `path` at the commit.
    fn entry(&self, path: &str) -> io::Result<Option<(String, String, Option<u64>)>> {
        if path.is_empty() {
            return Ok(Some(("tree".into(), self.commit.clone(), None)));
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
        for line in output.split(|&b| b == 0) {
            let line = String::from_utf8_lossy(line);
            let Some((meta, name)) = line.split_once('\t') else {
                continue;
            };
            if name != path {
                continue;
            }
            let fields: Vec<&str> = meta.split_whitespace().collect();
            if let [_, kind, object, size] = fields.as_slice() {
                return Ok(Some((
                    kind.to_string(),
                    object.to_string(),
                    size.parse().ok(),
                )));
            }
        }
        Ok(None)
    }

    fn git<I, S>(&self, args: I) -> io::Result<Vec<u8>>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let output = git(&self.root, args)?;
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
            Some((kind, _, _)) if kind != "blob" => Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "this is a folder, not a file",
            )),
            Some((_, _, Some(size))) if size > MAX_SOURCE_BYTES => Err(too_large(size)),
            Some((_, object, _)) => self.git(["cat-file", "blob", &object]),
        }
    }

    fn list(&self, path: &Path) -> io::Result<Option<Vec<Entry>>> {
        let inside = self.inside(path)?;
        match self.entry(&inside)? {
            None => Err(io::Error::new(
                io::ErrorKind::NotFound,
                "not in this revision",
            )),
            Some((kind, _, _)) if kind != "tree" => Ok(None),
            Some((_, object, _)) => {
                let output = self.git(["ls-tree", "-z", &object])?;
                let mut entries = Vec::new();
                for line in output.split(|&b| b == 0) {
                    let line = String::from_utf8_lossy(line);
                    let Some((meta, name)) = line.split_once('\t') else {
                        continue;
                    };
                    let is_dir = meta.split_whitespace().nth(1) == Some("tree");
                    entries.push(Entry {
                        name: name.to_string(),
                        is_dir,
                    });
                }
                Ok(Some(entries))
            }
        }
    }
}

/// Runs git in `dir`, paths taken literally (no globs) and nothing asked of the user.
fn git<I, S>(dir: &Path, args: I) -> io::Result<Output>
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
