//! `storyplan verify [FILE…] --base REF [--head REF] [--format human|json|github]`
//! (SPEC §8): each plan read at the pull request's head (the working tree by default) and
//! at its base, each sourced component's facts derived at both through git, and the
//! difference matched to the plan's next releases. Nothing is written. Exit 0 when every
//! difference is the plan's next step, 1 on an error finding, 2 when a revision, a plan
//! or a source cannot be read.

use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use crate::check::{Finding, Rule, Severity, Summary};
use crate::export::{FindingEntry, file_error, finding_entry};
use crate::plan::{Access, Fact, Plan, Source};
use crate::sources::import::derive;
use crate::sources::{GitTree, Tree, natural_cmp, tree_at};
use crate::store::{self, LoadError, Loaded, PLAN_DIR};
use crate::text::clean_line;
use crate::verify::{Difference, Shipping, Sourced, Status, Verification, match_differences};

use super::check::Format;
use super::facts::write_warnings;
use super::{Exit, github, human, sarif};

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The plans; empty means every plan in `.storyplan/` at head.
    pub files: Vec<PathBuf>,
    /// The revision the pull request goes into.
    pub base: String,
    /// The pull request's revision; the working tree when `None`.
    pub head: Option<String>,
    pub format: Format,
    /// Colour the human format.
    pub color: bool,
}

/// Where a component's difference shows in its sources: a file (from the repository's
/// root) and, when found, the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub file: String,
    pub line: Option<usize>,
}

/// One plan's result.
pub enum Verified {
    Done {
        /// The plan as it is shown: as given, or from the current folder.
        file: PathBuf,
        loaded: Box<Loaded>,
        verification: Verification,
        /// Per entry of `verification.components`: where its difference shows.
        located: Vec<Option<Located>>,
    },
    Failed {
        file: PathBuf,
        error: LoadError,
    },
}

/// A plan read at both revisions, before it is verified.
struct Read {
    file: PathBuf,
    loaded: Loaded,
    base: Option<Plan>,
    sourced: Vec<Sourced>,
}

/// Runs `storyplan verify` from the folder `cwd`.
pub fn run(
    options: &Options,
    cwd: &Path,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<Exit> {
    let cwd = std::fs::canonicalize(cwd).unwrap_or_else(|_| cwd.to_path_buf());
    let Some(root) = store::find_git_root(&cwd) else {
        writeln!(
            err,
            "storyplan: {} is not inside a git repository: verify compares two of its revisions",
            clean_line(&cwd.display().to_string())
        )?;
        return Ok(Exit::Unreadable);
    };
    let base = match GitTree::open(&root, &options.base) {
        Ok(tree) => tree,
        Err(problem) => {
            writeln!(err, "storyplan: base: {}", clean_line(&problem))?;
            return Ok(Exit::Unreadable);
        }
    };
    let head = match tree_at(&root, options.head.as_deref()) {
        Ok(tree) => tree,
        Err(problem) => {
            writeln!(err, "storyplan: head: {}", clean_line(&problem))?;
            return Ok(Exit::Unreadable);
        }
    };
    let revisions = Revisions {
        base: &base,
        base_name: format!("base {}", options.base),
        head: head.as_ref(),
        head_name: match &options.head {
            Some(reference) => format!("head {reference}"),
            None => "head (the working tree)".to_string(),
        },
    };
    let plans = if options.files.is_empty() {
        match discover(revisions.head, &root, &cwd, &revisions.head_name) {
            Ok(plans) => plans,
            Err(message) => {
                writeln!(err, "storyplan: {}", clean_line(&message))?;
                return Ok(Exit::Unreadable);
            }
        }
    } else {
        options
            .files
            .iter()
            .map(|file| (inside(&root, &cwd.join(file)), file.clone()))
            .collect()
    };

    let mut read: Vec<Result<Read, (PathBuf, LoadError)>> = Vec::new();
    for (path, shown) in plans {
        read.push(read_plan(&revisions, path, shown, err)?);
    }
    let verified = verify_all(read, revisions.head);
    match options.format {
        Format::Human => write_human(out, &verified, &options.base, options.color)?,
        Format::Json => write_json(out, &verified)?,
        Format::Github => write_github(out, &verified)?,
        Format::Sarif => write_sarif(out, &verified)?,
    }
    out.flush()?;
    Ok(exit_code(&verified))
}

/// 2 if a plan could not be read (it wins), else 1 on an error finding.
pub fn exit_code(verified: &[Verified]) -> Exit {
    let mut code = Exit::Clean;
    for v in verified {
        match v {
            Verified::Failed { .. } => return Exit::Unreadable,
            Verified::Done { verification, .. } if verification.has_errors() => {
                code = Exit::Findings
            }
            Verified::Done { .. } => {}
        }
    }
    code
}

/// The two trees and how messages name them.
struct Revisions<'a> {
    base: &'a GitTree,
    base_name: String,
    head: &'a dyn Tree,
    head_name: String,
}

/// `path` from the repository's root (`..` and `.` resolved by their names), or as it is
/// when it lies outside.
fn inside(root: &Path, path: &Path) -> PathBuf {
    let mut parts = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                parts.pop();
            }
            Component::CurDir => {}
            other => parts.push(other),
        }
    }
    parts
        .strip_prefix(root)
        .map(Path::to_path_buf)
        .unwrap_or(parts)
}

/// The plans in `.storyplan/` at head: where each is from the root, and how it is shown.
fn discover(
    head: &dyn Tree,
    root: &Path,
    cwd: &Path,
    head_name: &str,
) -> Result<Vec<(PathBuf, PathBuf)>, String> {
    let entries = match head.list(Path::new(PLAN_DIR)) {
        Ok(Some(entries)) => entries,
        Ok(None) => Vec::new(),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(error) => return Err(format!("cannot read {PLAN_DIR}/ at {head_name}: {error}")),
    };
    let mut names: Vec<String> = entries
        .into_iter()
        .filter(|e| !e.is_dir && e.name.ends_with(".ron"))
        .map(|e| e.name)
        .collect();
    names.sort();
    if names.is_empty() {
        return Err(format!(
            "no plans found in {PLAN_DIR}/ at {head_name}; pass files to verify"
        ));
    }
    Ok(names
        .into_iter()
        .map(|name| {
            let path = Path::new(PLAN_DIR).join(name);
            let full = root.join(&path);
            let shown = full
                .strip_prefix(cwd)
                .map_or(full.clone(), Path::to_path_buf);
            (path, shown)
        })
        .collect())
}

/// Reads a plan at both revisions and its sourced components' facts at both; what
/// cannot be read is the plan's error. Warnings about what the sources at head skipped
/// go to `err`.
fn read_plan(
    revisions: &Revisions,
    path: PathBuf,
    file: PathBuf,
    err: &mut dyn Write,
) -> io::Result<Result<Read, (PathBuf, LoadError)>> {
    let fail = |message: String| Ok(Err((file.clone(), LoadError::new(&file, message))));
    let loaded = match load_at(revisions.head, &path, &file) {
        Ok(Some(loaded)) => loaded,
        Ok(None) => return fail(format!("not found at {}", revisions.head_name)),
        Err(error) => return Ok(Err((file.clone(), error))),
    };
    let base = match load_at(revisions.base, &path, &file) {
        Ok(found) => found.map(|loaded| loaded.plan),
        Err(mut error) => {
            error.message = format!(
                "the plan at {} does not load: {}",
                revisions.base_name, error.message
            );
            return Ok(Err((file.clone(), error)));
        }
    };
    let plan = &loaded.plan;
    let components: Vec<usize> = (0..plan.components.len())
        .filter(|&c| !plan.components[c].sources.is_empty())
        .collect();
    // What the base reads: the plan at head without the sources new in the pull request.
    let mut at_base = plan.clone();
    let mut new_sources: Vec<Vec<Source>> = vec![Vec::new(); plan.components.len()];
    for &c in &components {
        let component = &plan.components[c];
        for source in &component.sources {
            let at = Path::new(source.path());
            if !exists(revisions.head, at) {
                return fail(format!(
                    "{}'s source {source} does not exist at {}",
                    component.id, revisions.head_name
                ));
            }
            if exists(revisions.base, at) {
                continue;
            }
            let named_at_base = base
                .as_ref()
                .and_then(|b| b.component(&component.id))
                .is_some_and(|b| b.sources.iter().any(|s| s.path() == source.path()));
            if named_at_base {
                return fail(format!(
                    "{}'s source {source} does not exist at {}, where the plan names it",
                    component.id, revisions.base_name
                ));
            }
            new_sources[c].push(source.clone());
        }
        at_base.components[c]
            .sources
            .retain(|s| !new_sources[c].contains(s));
    }
    let derived_head = match derive(plan, revisions.head, &components) {
        Ok(derived) => derived,
        Err(errors) => return fail(source_errors(&errors, &revisions.head_name)),
    };
    let derived_base = match derive(&at_base, revisions.base, &components) {
        Ok(derived) => derived,
        Err(errors) => return fail(source_errors(&errors, &revisions.base_name)),
    };
    write_warnings(err, &derived_head.warnings)?;
    let sourced = derived_head
        .facts
        .into_iter()
        .zip(derived_base.facts)
        .map(|((component, head), (_, base))| Sourced {
            component,
            base,
            head,
            new_sources: std::mem::take(&mut new_sources[component]),
        })
        .collect();
    Ok(Ok(Read {
        file,
        loaded,
        base,
        sourced,
    }))
}

/// `a.yaml: no such file or folder; b.sql:3: …` at a revision.
fn source_errors(errors: &[crate::sources::SourceError], at: &str) -> String {
    let each: Vec<String> = errors.iter().map(ToString::to_string).collect();
    format!("a source cannot be read at {at}: {}", each.join("; "))
}

fn exists(tree: &dyn Tree, path: &Path) -> bool {
    !matches!(tree.list(path), Err(error) if error.kind() == io::ErrorKind::NotFound)
}

/// The plan at `path` in `tree`, `None` when it is not there; errors name it `file`.
fn load_at(tree: &dyn Tree, path: &Path, file: &Path) -> Result<Option<Loaded>, LoadError> {
    let bytes = match tree.read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(LoadError::new(file, format!("cannot read it: {error}"))),
    };
    if bytes.len() as u64 > store::MAX_PLAN_BYTES {
        return Err(LoadError::new(file, "the file is too large to be a plan"));
    }
    let text = String::from_utf8(bytes)
        .map_err(|e| store::not_utf8(file, e.as_bytes(), e.utf8_error()))?;
    store::parse(file, &text).map(Some)
}

/// Verifies every plan read. A difference that another plan's next release makes is
/// that plan's, not unplanned in the others.
fn verify_all(read: Vec<Result<Read, (PathBuf, LoadError)>>, head: &dyn Tree) -> Vec<Verified> {
    // What each plan matches: the sources that changed, and how.
    let mut claims: Vec<(usize, Vec<String>, Difference)> = Vec::new();
    for (n, r) in read.iter().enumerate() {
        let Ok(r) = r else { continue };
        let differences: Vec<Difference> = r.sourced.iter().map(Difference::of).collect();
        for (difference, _, status) in
            match_differences(&r.loaded.plan, r.base.as_ref(), &differences)
        {
            if status != Status::Unplanned {
                let paths = paths(&r.loaded.plan, difference.component);
                claims.push((n, paths, difference));
            }
        }
    }
    read.into_iter()
        .enumerate()
        .map(|(n, r)| match r {
            Err((file, error)) => Verified::Failed { file, error },
            Ok(r) => {
                let plan = &r.loaded.plan;
                let elsewhere: Vec<usize> = r
                    .sourced
                    .iter()
                    .filter(|s| {
                        let d = Difference::of(s);
                        let p = paths(plan, s.component);
                        claims.iter().any(|(m, paths, claimed)| {
                            *m != n
                                && *paths == p
                                && claimed.added == d.added
                                && claimed.removed == d.removed
                        })
                    })
                    .map(|s| s.component)
                    .collect();
                let verification =
                    crate::verify::verify(plan, r.base.as_ref(), &r.sourced, &elsewhere);
                let located = verification
                    .components
                    .iter()
                    .map(|s| locate(head, &plan.components[s.difference.component].sources, s))
                    .collect();
                Verified::Done {
                    file: r.file,
                    loaded: Box::new(r.loaded),
                    verification,
                    located,
                }
            }
        })
        .collect()
}

/// A component's source paths, sorted: how plans that name one component differently
/// are seen to describe the same thing.
fn paths(plan: &Plan, component: usize) -> Vec<String> {
    let mut paths: Vec<String> = plan.components[component]
        .sources
        .iter()
        .map(|s| s.path().to_string())
        .collect();
    paths.sort();
    paths
}

// ---------------------------------------------------------------------------------------
// Where a difference shows in the sources

/// The files a search may open in one source folder, at most.
const MAX_SEARCHED: usize = 2000;

/// The first fact of a component's difference, found in its sources at head: the file
/// (the newest of a folder, in the natural order of names, that mentions it) and line.
fn locate(head: &dyn Tree, sources: &[Source], shipping: &Shipping) -> Option<Located> {
    let d = &shipping.difference;
    let fact = d.added.first().or(d.removed.first())?;
    let needle = needle(fact);
    for source in sources.iter().filter(|s| s.access() == fact.access) {
        let path = Path::new(source.path());
        let files = match head.list(path) {
            Ok(None) => vec![source.path().to_string()],
            Ok(Some(_)) => files_under(head, source.path()),
            Err(_) => continue,
        };
        for file in files.iter().rev() {
            let Ok(bytes) = head.read(Path::new(file)) else {
                continue;
            };
            let text = String::from_utf8_lossy(&bytes);
            if let Some(line) = text.lines().position(|l| l.contains(needle.as_str())) {
                return Some(Located {
                    file: file.clone(),
                    line: Some(line + 1),
                });
            }
        }
        if let [only] = files.as_slice() {
            return Some(Located {
                file: only.clone(),
                line: None,
            });
        }
    }
    None
}

/// What a source's text says for a fact: an endpoint's path up to its first parameter,
/// a table's name (a column's table).
fn needle(fact: &Fact) -> String {
    let key = fact.key.as_str();
    match fact.access {
        Access::Provide if !key.contains(' ') => key.split('.').next().unwrap_or(key).to_string(),
        _ => {
            let path = key.split_once(' ').map_or(key, |(_, path)| path);
            path.split('{').next().unwrap_or(path).to_string()
        }
    }
}

/// The files of a source folder and its subfolders (one level down, as migrations are
/// laid out), in natural order.
fn files_under(tree: &dyn Tree, folder: &str) -> Vec<String> {
    let mut files = Vec::new();
    let Ok(Some(entries)) = tree.list(Path::new(folder)) else {
        return files;
    };
    for entry in entries {
        let path = format!("{}/{}", folder.trim_end_matches('/'), entry.name);
        if !entry.is_dir {
            files.push(path);
            continue;
        }
        if let Ok(Some(inner)) = tree.list(Path::new(&path)) {
            files.extend(
                inner
                    .into_iter()
                    .filter(|e| !e.is_dir)
                    .map(|e| format!("{path}/{}", e.name)),
            );
        }
        if files.len() > MAX_SEARCHED {
            break;
        }
    }
    files.sort_by(|a, b| natural_cmp(a, b));
    files
}

// ---------------------------------------------------------------------------------------
// Output

/// The human format: per plan, what the pull request changes of each component and
/// which step that is, then the findings as `check` prints them, then the counts.
pub fn write_human(
    out: &mut dyn Write,
    verified: &[Verified],
    base: &str,
    color: bool,
) -> io::Result<()> {
    for (index, v) in verified.iter().enumerate() {
        if index > 0 {
            writeln!(out)?;
        }
        match v {
            Verified::Failed { file, error } => human::write_load_error(out, file, error, color)?,
            Verified::Done {
                file,
                loaded,
                verification,
                ..
            } => {
                let shown = clean_line(&file.display().to_string()).into_owned();
                let plan = &loaded.plan;
                if plan.components.iter().all(|c| c.sources.is_empty()) {
                    writeln!(
                        out,
                        "{shown}: no component has sources, so nothing to compare with {}",
                        clean_line(base)
                    )?;
                } else if verification.components.is_empty() {
                    writeln!(
                        out,
                        "{shown}: no source of the plan's components changed since {}",
                        clean_line(base)
                    )?;
                } else {
                    writeln!(out, "{shown}: changes since {}", clean_line(base))?;
                }
                for shipping in &verification.components {
                    write_component(out, plan, shipping)?;
                }
                writeln!(out)?;
                for finding in &verification.findings {
                    human::write_finding(out, file, loaded, finding, color)?;
                    writeln!(out)?;
                }
                writeln!(
                    out,
                    "{shown}: {}",
                    human::summary_text(&verification.summary())
                )?;
            }
        }
    }
    Ok(())
}

/// `  api: step 2 "endpoints", out of order` and its `+`/`−` facts.
fn write_component(out: &mut dyn Write, plan: &Plan, shipping: &Shipping) -> io::Result<()> {
    let id = &plan.components[shipping.difference.component].id;
    let step = shipping
        .step
        .map(|i| crate::check::words::step_label(plan, i).to_string());
    let what = match (shipping.status, step) {
        (Status::Matches, Some(step)) => format!("ships {step}"),
        (Status::OutOfOrder, Some(step)) => format!("ships {step}, out of order"),
        _ => "a change no step plans".to_string(),
    };
    writeln!(out, "  {}: {}", clean_line(id), clean_line(&what))?;
    for source in &shipping.new_sources {
        writeln!(
            out,
            "    {} is new: a difference from nothing",
            clean_line(&source.to_string())
        )?;
    }
    for fact in &shipping.difference.added {
        writeln!(out, "    + {}", clean_line(&fact.to_string()))?;
    }
    for fact in &shipping.difference.removed {
        writeln!(out, "    − {}", clean_line(&fact.to_string()))?;
    }
    Ok(())
}

/// One plan in the JSON array (SPEC §8).
#[derive(Debug, Clone, Serialize)]
pub struct PlanEntry {
    pub file: String,
    pub components: Vec<ComponentEntry>,
    pub findings: Vec<FindingEntry>,
    pub summary: Summary,
}

#[derive(Debug, Clone, Serialize)]
pub struct ComponentEntry {
    pub component: String,
    /// Facts in canonical RON, sorted.
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// The matched release's id.
    pub step: Option<String>,
    /// `matches`, `out-of-order` or `unplanned`.
    pub status: Status,
}

#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
enum Entry {
    Plan(PlanEntry),
    Error(crate::export::FileError),
}

/// The JSON object of one verified plan.
pub fn plan_entry(file: &Path, plan: &Plan, verification: &Verification) -> PlanEntry {
    let facts = |facts: &[Fact]| facts.iter().map(ToString::to_string).collect();
    PlanEntry {
        file: file.display().to_string(),
        components: verification
            .components
            .iter()
            .map(|s| ComponentEntry {
                component: plan.components[s.difference.component].id.clone(),
                added: facts(&s.difference.added),
                removed: facts(&s.difference.removed),
                step: s.step.map(|i| plan.steps[i].id().to_string()),
                status: s.status,
            })
            .collect(),
        findings: verification
            .findings
            .iter()
            .map(|f| finding_entry(plan, f))
            .collect(),
        summary: verification.summary(),
    }
}

/// One JSON array, one object per plan, pretty-printed, with a final newline.
pub fn write_json(out: &mut dyn Write, verified: &[Verified]) -> io::Result<()> {
    let entries: Vec<Entry> = verified
        .iter()
        .map(|v| match v {
            Verified::Done {
                file,
                loaded,
                verification,
                ..
            } => Entry::Plan(plan_entry(file, &loaded.plan, verification)),
            Verified::Failed { file, error } => Entry::Error(file_error(file, error)),
        })
        .collect();
    crate::export::write_json(&mut *out, &entries)?;
    writeln!(out)
}

/// GitHub workflow commands: each finding on the plan's line, as `check` annotates; an
/// unplanned or out-of-order change, and each change of a commit race, also on the
/// source's line where its difference shows.
/// SARIF: the checker's rules and verify's own, each finding a result on the plan's line.
pub fn write_sarif(out: &mut dyn Write, verified: &[Verified]) -> io::Result<()> {
    let mut rules: Vec<Rule> = Rule::ALL.to_vec();
    rules.extend(Rule::VERIFY.iter().filter(|r| !Rule::ALL.contains(r)));
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for v in verified {
        match v {
            Verified::Failed { file, error } => {
                notifications.push(sarif::notification(file, error))
            }
            Verified::Done {
                file,
                loaded,
                verification,
                ..
            } => results.extend(
                verification
                    .findings
                    .iter()
                    .map(|f| sarif::result(file, loaded, f, &rules)),
            ),
        }
    }
    sarif::write_log(out, &rules, results, notifications)
}

pub fn write_github(out: &mut dyn Write, verified: &[Verified]) -> io::Result<()> {
    for v in verified {
        match v {
            Verified::Failed { file, error } => {
                writeln!(out, "{}", github::load_error_command(file, error))?
            }
            Verified::Done {
                file,
                loaded,
                verification,
                located,
            } => {
                for finding in &verification.findings {
                    writeln!(out, "{}", github::finding_command(file, loaded, finding))?;
                    for at in sources_of(&loaded.plan, verification, located, finding) {
                        writeln!(out, "{}", source_command(at, finding))?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// Where in the sources a verify error about the pull request's changes shows.
fn sources_of<'a>(
    plan: &Plan,
    verification: &Verification,
    located: &'a [Option<Located>],
    finding: &Finding,
) -> Vec<&'a Located> {
    let about = |shipping: &Shipping| match finding.rule {
        // Verify's own race is about the pull request, not one component and key.
        Rule::CommitRace => finding.component.is_none() && finding.key.is_none(),
        Rule::UnplannedChange | Rule::OutOfOrder => {
            finding.component.as_deref()
                == Some(plan.components[shipping.difference.component].id.as_str())
        }
        _ => false,
    };
    verification
        .components
        .iter()
        .zip(located)
        .filter(|(shipping, _)| about(shipping))
        .filter_map(|(_, at)| at.as_ref())
        .collect()
}

fn source_command(at: &Located, finding: &Finding) -> String {
    let mut properties = format!("file={}", github::escape_property(&clean_line(&at.file)));
    if let Some(line) = at.line {
        properties.push_str(&format!(",line={line},col=1"));
    }
    properties.push_str(&format!(
        ",title={}",
        github::escape_property(&format!("storyplan {}", finding.rule))
    ));
    let mut message = crate::text::clean(&finding.message).into_owned();
    if !finding.hint.trim().is_empty() {
        message.push_str(&format!(" ({})", crate::text::clean(&finding.hint)));
    }
    let command = match finding.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Accepted => "notice",
    };
    format!(
        "::{command} {properties}::{}",
        github::escape_data(&message)
    )
}
