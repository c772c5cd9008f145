//! Plans on disk: loading RON with errors that say where and what was expected, the
//! canonical save (same plan, same bytes, written atomically), finding the repository's
//! plans in `.storyplan/` at the git root, reading plans at git refs, and the bundled
//! example plans.

mod canonical;
mod error;
pub mod examples;
mod files;
pub mod git;
mod spans;

pub use canonical::to_canonical_string;
pub use error::LoadError;
pub use files::{
    PLAN_DIR, Stamp, discover_plans, find_git_root, plan_dir, save_atomic, write_atomic,
};
pub use spans::{Pos, Spans};

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use ron::extensions::Extensions;
use serde::Deserialize;

use crate::check::{self, Entangled, words::step_label};
use crate::plan::{FORMAT_VERSION, Plan};

/// Plans are small; a file larger than this is not read at all.
pub const MAX_PLAN_BYTES: u64 = 16 * 1024 * 1024;

/// A plan with the text it was read from and where its parts start in that text.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub plan: Plan,
    pub source: String,
    /// Found on first use: only a plan with findings to place needs them.
    spans: std::cell::OnceCell<Spans>,
}

impl Loaded {
    fn new(plan: Plan, source: String) -> Loaded {
        Loaded {
            plan,
            source,
            spans: std::cell::OnceCell::new(),
        }
    }

    /// Where the plan's parts start in its text.
    pub fn spans(&self) -> &Spans {
        self.spans.get_or_init(|| Spans::scan(body(&self.source)))
    }
}

/// Reads and parses a plan file.
pub fn load(path: &Path) -> Result<Loaded, LoadError> {
    let bytes = read_capped(path)?;
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => return Err(not_utf8(path, err.as_bytes(), err.utf8_error())),
    };
    let plan = parse_text(path, &text)?;
    Ok(Loaded::new(plan, text))
}

/// Parses the text of a plan file; `file` is only used to name it in errors.
pub fn parse(file: &Path, text: &str) -> Result<Loaded, LoadError> {
    let plan = parse_text(file, text)?;
    Ok(Loaded::new(plan, text.to_string()))
}

/// The text without the byte order mark some editors start UTF-8 files with; ron does not
/// take one.
fn body(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// The plan a text holds, ids and keys normalised (they compare exactly from here on).
fn parse_text(file: &Path, text: &str) -> Result<Plan, LoadError> {
    if text.len() as u64 > MAX_PLAN_BYTES {
        return Err(too_large(file, text.len() as u64));
    }
    let body = body(text);
    if body.trim().is_empty() {
        return Err(LoadError::at(
            file,
            Pos::START,
            "the file is empty: expected `Plan(...)`",
        ));
    }
    let options = ron_options();
    // Positions are needed only to say where a problem is.
    let version_error = |version: u32| {
        let spans = Spans::scan(body);
        LoadError::at(
            file,
            spans.version().unwrap_or(spans.plan()),
            format!(
                "this plan is format version {version}; this storyplan reads version {FORMAT_VERSION}"
            ),
        )
    };
    match options.from_str::<Plan>(&crate::plan::unname_dialects(body)) {
        Ok(plan) if plan.version != FORMAT_VERSION => Err(version_error(plan.version)),
        Ok(mut plan) => {
            plan.normalize();
            match check::entangled(&plan) {
                Some(entangled) => Err(too_entangled(file, body, &plan, &entangled)),
                None => Ok(plan),
            }
        }
        Err(err) => {
            // A newer format may hold fields this build does not know: name the version
            // first. Only a file that does not load is read a second time, for that.
            if let Ok(probe) = options.from_str::<VersionProbe>(body)
                && probe.version != FORMAT_VERSION
            {
                return Err(version_error(probe.version));
            }
            if !Spans::scan(body).has_plan() && only_trivia_after(body, &err) {
                let mut error = LoadError::from_ron(file, body, &err);
                error.message = "the file has no plan in it: expected `Plan(...)`".to_string();
                return Err(error);
            }
            Err(LoadError::from_ron(file, body, &err))
        }
    }
}

/// A plan whose check would take too long, refused at its costliest group of steps.
fn too_entangled(file: &Path, body: &str, plan: &Plan, entangled: &Entangled) -> LoadError {
    let times = entangled.work.div_ceil(check::MAX_WORK);
    LoadError::at(
        file,
        Spans::scan(body).step(entangled.first_step),
        format!(
            "this plan is too entangled to check: {} of its steps, from {} on, act on one group of {} related keys, and checking them would take {times} times as long as storyplan allows; split it into smaller plans, one per story",
            entangled.steps,
            step_label(plan, entangled.first_step),
            entangled.keys,
        ),
    )
}

/// Whether nothing but whitespace and comments follows the place ron stopped at.
fn only_trivia_after(text: &str, err: &ron::error::SpannedError) -> bool {
    let pos = Pos {
        line: err.span.start.line,
        column: err.span.start.col,
    };
    spans::next_significant(text, pos).is_none()
}

/// Optional fields may be written plainly (`commit: "pr-7"`), with or without the header.
fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(Extensions::IMPLICIT_SOME)
}

/// Just the version of a plan, whatever else the file holds.
#[derive(Deserialize)]
#[serde(rename = "Plan")]
struct VersionProbe {
    version: u32,
}

fn read_capped(path: &Path) -> Result<Vec<u8>, LoadError> {
    let cannot = |err: io::Error| LoadError::new(path, read_failure(&err));
    // Before opening: opening a FIFO waits for a writer, reading a device never ends.
    let meta = std::fs::metadata(path).map_err(cannot)?;
    if meta.is_dir() {
        return Err(LoadError::new(path, "this is a folder, not a plan file"));
    }
    if !meta.is_file() {
        return Err(LoadError::new(
            path,
            "this is not a regular file (a pipe or a device?), not a plan file",
        ));
    }
    let file = File::open(path).map_err(cannot)?;
    if meta.len() > MAX_PLAN_BYTES {
        return Err(too_large(path, meta.len()));
    }
    // The size on disk can change or be unknown (pipes): read one byte past the limit.
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(MAX_PLAN_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_PLAN_BYTES {
        return Err(LoadError::new(
            path,
            format!(
                "the file is more than {MAX_PLAN_BYTES} bytes; plans are limited to {}",
                size_limit()
            ),
        ));
    }
    Ok(bytes)
}

fn read_failure(err: &io::Error) -> String {
    match err.kind() {
        io::ErrorKind::NotFound => "the file does not exist".to_string(),
        io::ErrorKind::PermissionDenied => "cannot read the file: permission denied".to_string(),
        io::ErrorKind::IsADirectory => "this is a folder, not a plan file".to_string(),
        _ => format!("cannot read the file: {err}"),
    }
}

fn size_limit() -> String {
    format!(
        "{} MiB ({MAX_PLAN_BYTES} bytes)",
        MAX_PLAN_BYTES / (1024 * 1024)
    )
}

fn too_large(file: &Path, len: u64) -> LoadError {
    LoadError::new(
        file,
        format!(
            "the file is {len} bytes; plans are limited to {}",
            size_limit()
        ),
    )
}

/// A file that is not UTF-8, with the line and column of its first bad byte.
pub(crate) fn not_utf8(file: &Path, bytes: &[u8], err: std::str::Utf8Error) -> LoadError {
    let valid = bytes.get(..err.valid_up_to()).unwrap_or_default();
    let prefix = std::str::from_utf8(valid).unwrap_or_default();
    let bad = bytes.get(err.valid_up_to()).copied().unwrap_or_default();
    LoadError::at(
        file,
        Pos::after(prefix),
        format!(
            "the file is not UTF-8 text: byte 0x{bad:02X} here is not valid UTF-8; save the plan as UTF-8"
        ),
    )
}
