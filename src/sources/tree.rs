//! Where a source's files come from: the working tree, or (later) a git revision. The
//! readers see only this trait, so one reader serves `facts`, `import` and `verify`.

use std::io;
use std::path::{Path, PathBuf};

use super::MAX_SOURCE_BYTES;

/// One entry of a folder: its name (no `/`) and whether it is a folder itself.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    pub name: String,
    pub is_dir: bool,
}

/// Files under a root, addressed by paths relative to it (absolute paths are taken as
/// they are).
pub trait Tree {
    /// The bytes of a file. A missing file is `NotFound`; a folder is `IsADirectory`; a
    /// file larger than [`MAX_SOURCE_BYTES`] is `FileTooLarge`, refused before it is read.
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;

    /// The entries of a folder, in no particular order; `None` when `path` is a file.
    /// A missing path is `NotFound`.
    fn list(&self, path: &Path) -> io::Result<Option<Vec<Entry>>>;
}

/// The files of the working tree under a folder.
#[derive(Debug, Clone)]
pub struct WorkTree {
    root: PathBuf,
}

impl WorkTree {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        WorkTree { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
}

impl Tree for WorkTree {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        let full = self.root.join(path);
        let meta = std::fs::metadata(&full)?;
        if meta.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "this is a folder, not a file",
            ));
        }
        if meta.len() > MAX_SOURCE_BYTES {
            return Err(too_large(meta.len()));
        }
        std::fs::read(&full)
    }

    fn list(&self, path: &Path) -> io::Result<Option<Vec<Entry>>> {
        let full = self.root.join(path);
        let meta = std::fs::metadata(&full)?;
        if !meta.is_dir() {
            return Ok(None);
        }
        let mut entries = Vec::new();
        for entry in std::fs::read_dir(&full)? {
            let entry = entry?;
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            // Follows symbolic links, as reading the file would.
            let is_dir = std::fs::metadata(entry.path()).is_ok_and(|m| m.is_dir());
            entries.push(Entry { name, is_dir });
        }
        Ok(Some(entries))
    }
}

/// The error for a file over [`MAX_SOURCE_BYTES`].
pub(crate) fn too_large(size: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::FileTooLarge,
        format!("the file is {size} bytes; sources are limited to {MAX_SOURCE_BYTES} bytes"),
    )
}
