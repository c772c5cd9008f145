//! Files on disk: atomic writes, the git root and the plans in `.storyplan/`.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::plan::Plan;

use super::canonical::to_canonical_string;

/// The folder, at the git root, where a repository keeps its plans.
pub const PLAN_DIR: &str = ".storyplan";

/// Saves a plan in its canonical form, atomically.
pub fn save_atomic(path: &Path, plan: &Plan) -> io::Result<()> {
    write_atomic(path, to_canonical_string(plan).as_bytes())
}

/// Replaces `path` with `bytes` so that readers see the old file or the new one, never a
/// part: a temporary file in the same folder is written, synced and renamed over it, with
/// the old file's mode (and owner, where this process may set it). A file the user may not
/// write, or that is not a regular file, is refused rather than replaced; temporary files
/// of earlier saves that were killed are removed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    // Writing through a symlink replaces the file it points to, not the link.
    let path = match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => fs::canonicalize(path)?,
        _ => path.to_path_buf(),
    };
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} does not name a file", path.display()),
        )
    })?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    refuse_unwritable(&path)?;
    remove_stale_temps(&dir, &name.to_string_lossy());
    let (temp_path, file) = create_temp(&dir, &name.to_string_lossy())?;
    let written = fill_and_replace(file, &temp_path, &path, bytes);
    if written.is_err() {
        let _ = fs::remove_file(&temp_path);
        return written;
    }
    // The rename is durable once the folder's entry is; not every platform can sync one.
    if let Ok(dir) = File::open(&dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

fn fill_and_replace(mut file: File, temp: &Path, path: &Path, bytes: &[u8]) -> io::Result<()> {
    if let Ok(meta) = fs::metadata(path) {
        let _ = file.set_permissions(meta.permissions());
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            // Only root may give a file away; for anyone else the owner is already theirs.
            let _ = std::os::unix::fs::fchown(&file, Some(meta.uid()), Some(meta.gid()));
        }
    }
    file.write_all(bytes)?;
    file.flush()?;
    file.sync_all()?;
    drop(file);
    fs::rename(temp, path)
}

/// Refuses to replace what the user may not write (a read-only file stays read-only) and
/// what is not a regular file (a FIFO, a device, a folder).
fn refuse_unwritable(path: &Path) -> io::Result<()> {
    let Ok(meta) = fs::metadata(path) else {
        return Ok(());
    };
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is not a regular file", path.display()),
        ));
    }
    // Marked read-only for everyone: kept so even for a user (root) the system would let
    // through.
    if meta.permissions().readonly() {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!("{} is read-only", path.display()),
        ));
    }
    // Opening for writing (without truncating) asks the system, owner and mode alike.
    match OpenOptions::new().write(true).open(path) {
        Err(err) if err.kind() == io::ErrorKind::PermissionDenied => Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!("{} is read-only for you", path.display()),
        )),
        _ => Ok(()),
    }
}

/// How old a temporary file of ours must be before a save takes it for the leftover of a
/// save that was killed.
const STALE_TEMP: std::time::Duration = std::time::Duration::from_secs(60);

/// Removes `.NAME.PID-N.tmp` files in `dir` left by saves of another process that were
/// killed before they could clean up.
fn remove_stale_temps(dir: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let prefix = format!(".{name}.");
    let own = format!("{prefix}{}-", std::process::id());
    for entry in entries.flatten() {
        let file = entry.file_name();
        let Some(file) = file.to_str() else { continue };
        let ours = file.strip_prefix(&prefix).is_some_and(|rest| {
            rest.strip_suffix(".tmp").is_some_and(|n| {
                n.split_once('-').is_some_and(|(pid, k)| {
                    !pid.is_empty()
                        && pid.bytes().all(|b| b.is_ascii_digit())
                        && k.bytes().all(|b| b.is_ascii_digit())
                })
            })
        });
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|at| at.elapsed().ok())
            .is_some_and(|age| age >= STALE_TEMP);
        if ours && old && !file.starts_with(&own) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// A new, exclusively created temporary file next to the target.
fn create_temp(dir: &Path, name: &str) -> io::Result<(PathBuf, File)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut attempts = 0;
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!(".{name}.{}-{n}.tmp", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => return Ok((temp, file)),
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists && attempts < 100 => {
                attempts += 1;
            }
            Err(err) => return Err(err),
        }
    }
}

/// The nearest folder at or above `start` that holds a `.git` folder or file.
pub fn find_git_root(start: &Path) -> Option<PathBuf> {
    let start = fs::canonicalize(start)
        .or_else(|_| std::path::absolute(start))
        .ok()?;
    start
        .ancestors()
        .find(|dir| fs::symlink_metadata(dir.join(".git")).is_ok())
        .map(Path::to_path_buf)
}

/// Where a repository's plans live: `ROOT/.storyplan`.
pub fn plan_dir(root: &Path) -> PathBuf {
    root.join(PLAN_DIR)
}

/// The `*.ron` files in `ROOT/.storyplan`, sorted; none when the folder does not exist.
pub fn discover_plans(root: &Path) -> io::Result<Vec<PathBuf>> {
    let entries = match fs::read_dir(plan_dir(root)) {
        Ok(entries) => entries,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(err),
    };
    let mut plans = Vec::new();
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|ext| ext == "ron") && path.is_file() {
            plans.push(path);
        }
    }
    plans.sort();
    Ok(plans)
}

/// How a file looked: enough to tell that someone else changed it since.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    len: u64,
    hash: u64,
}

impl Stamp {
    pub fn of_bytes(bytes: &[u8]) -> Stamp {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        bytes.hash(&mut hasher);
        Stamp {
            len: bytes.len() as u64,
            hash: hasher.finish(),
        }
    }

    /// The stamp of the file as it is now; `None` when there is no file.
    pub fn of_file(path: &Path) -> io::Result<Option<Stamp>> {
        match fs::metadata(path) {
            Ok(meta) if !meta.is_file() => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("{} is not a regular file", path.display()),
                ));
            }
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
            _ => {}
        }
        match std::fs::read(path) {
            Ok(bytes) => Ok(Some(Stamp::of_bytes(&bytes))),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(err),
        }
    }
}
