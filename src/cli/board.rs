//! The board's commands: `storyplan` alone (the repository's plans, through the picker
//! when there are several), `open FILE`, `new "Title"` and `demo [NAME]`. Each finds its
//! plan and hands it to the board in `tui`.

use std::io;
use std::path::Path;

use crate::compose::edit::{fresh_id, slug};
use crate::plan::Plan;
use crate::store;
use crate::text::{clean, clean_line};
use crate::tui::model::{Model, Source};
use crate::tui::picker::Entry;
use crate::tui::settings::Settings;
use crate::tui::{app, editing};

use super::Exit;

/// `storyplan` without a command: the repository's plans, through the picker when there
/// are several. Returns the exit code.
pub fn run_repository(cwd: &Path, settings: Settings) -> io::Result<Exit> {
    let Some(root) = store::find_git_root(cwd) else {
        eprintln!(
            "storyplan: {} is not inside a git repository.\n\
             Plans live in .storyplan/ at the root of a repository. Try `storyplan demo` to see one,\n\
             or `storyplan open FILE` to open a plan anywhere.",
            cwd.display()
        );
        return Ok(Exit::Unreadable);
    };
    let plans = store::discover_plans(&root)?;
    let chosen = match plans.as_slice() {
        [] => return offer_new(cwd, &root, settings),
        [one] => Some(one.clone()),
        many => {
            let entries = many.iter().map(|path| Entry::load(path.clone())).collect();
            app::pick_plan(entries, &settings.theme, &settings.keymap)?
        }
    };
    let Some(path) = chosen else {
        return Ok(Exit::Clean);
    };
    // Shown in the header: relative to where storyplan was started, when it is below it.
    let shown = path.strip_prefix(cwd).unwrap_or(&path);
    run_file(shown, settings)
}

/// A repository without plans: says how to start one and, at a terminal, offers to start
/// one at once (the kickoff of `storyplan new`).
fn offer_new(cwd: &Path, root: &Path, settings: Settings) -> io::Result<Exit> {
    use std::io::{BufRead, IsTerminal, Write};
    println!(
        "No plans yet in {}.\n\n\
         A plan is a RON file there, one per story. To get started:\n  \
         storyplan new \"Story title\"   start one on the board, from the story to its steps\n  \
         storyplan demo                 see the reminders story on the board\n  \
         storyplan open FILE            open a plan file",
        clean_line(&store::plan_dir(root).display().to_string())
    );
    if !(io::stdin().is_terminal() && io::stdout().is_terminal()) {
        return Ok(Exit::Clean);
    }
    print!("\nStart one now? Its title (Enter to leave): ");
    io::stdout().flush()?;
    let mut title = String::new();
    io::stdin().lock().read_line(&mut title)?;
    if title.trim().is_empty() {
        return Ok(Exit::Clean);
    }
    run_new(cwd, &title, settings)
}

/// `storyplan new "Story title"`: writes `.storyplan/<slug>.ron` at the git root (or
/// here, outside a repository) and opens the kickoff on it. Returns the exit code.
pub fn run_new(cwd: &Path, title: &str, settings: Settings) -> io::Result<Exit> {
    let title = clean_line(title.trim()).into_owned();
    if title.is_empty() {
        eprintln!("storyplan: give the story a title: storyplan new \"Remind volunteers\"");
        return Ok(Exit::Unreadable);
    }
    // Nothing is created for a board that cannot be shown.
    if let Err(error) = app::needs_terminal() {
        eprintln!("storyplan: {error}");
        return Ok(Exit::Unreadable);
    }
    let root = store::find_git_root(cwd).unwrap_or_else(|| cwd.to_path_buf());
    let folder = store::plan_dir(&root);
    let (stem, same) = file_stem(&folder, &title);
    if let Some(same) = same {
        eprintln!(
            "storyplan: {} already has this story; open it with `storyplan open {}`",
            same.display(),
            same.display()
        );
        return Ok(Exit::Unreadable);
    }
    let path = folder.join(format!("{stem}.ron"));
    let plan = Plan::new(title);
    std::fs::create_dir_all(&folder)?;
    store::save_atomic(&path, &plan)?;
    let shown = path
        .strip_prefix(cwd)
        .map(Path::to_path_buf)
        .unwrap_or(path);
    let mut model = match app::open_file(&shown) {
        Ok(model) => model,
        Err(error) => {
            eprintln!("error: {}", clean(&error.to_string()));
            return Ok(Exit::Unreadable);
        }
    };
    app::apply_settings(&mut model, settings);
    editing::kickoff(&mut model);
    app::run(model)?;
    Ok(Exit::Clean)
}

/// The longest file name a title gives, before `.ron` (and a `-2` to keep it unique).
const STEM_MAX: usize = 60;

/// The file name of a new story in `folder`: its title's slug, cut at a word boundary to
/// `STEM_MAX` characters, with `-2`, `-3`… when the name is taken by another story (a
/// title with no Latin letters or digits is a `story`, so a second one is `story-2`).
/// When the file of that name already holds this story, that file instead.
fn file_stem(folder: &Path, title: &str) -> (String, Option<std::path::PathBuf>) {
    let slug = slug(title);
    let stem = if slug.len() <= STEM_MAX {
        slug.as_str()
    } else {
        // The slug is ASCII; cut at the last dash that keeps it short enough.
        let cut = &slug[..STEM_MAX];
        cut.rfind('-').map_or(cut, |at| &cut[..at])
    };
    let first = folder.join(format!("{stem}.ron"));
    let same = store::load(&first)
        .ok()
        .filter(|loaded| clean_line(loaded.plan.story.trim()) == title)
        .map(|_| first);
    let stem = fresh_id(|stem| folder.join(format!("{stem}.ron")).exists(), stem);
    (stem, same)
}

/// `storyplan open FILE`. Returns the exit code.
pub fn run_file(path: &Path, settings: Settings) -> io::Result<Exit> {
    match app::open_file(path) {
        Ok(mut model) => {
            app::apply_settings(&mut model, settings);
            app::run(model)?;
            Ok(Exit::Clean)
        }
        Err(error) => {
            eprintln!("error: {}", clean(&error.to_string()));
            Ok(Exit::Unreadable)
        }
    }
}

/// `storyplan demo [NAME]`: a bundled example, in memory. Returns the exit code.
pub fn run_example(name: Option<&str>, settings: Settings) -> io::Result<Exit> {
    let examples = store::examples::bundled();
    let wanted = name.unwrap_or(examples[0].0);
    let Some((name, text)) = examples.iter().find(|(n, _)| *n == wanted) else {
        let names: Vec<&str> = examples.iter().map(|(n, _)| *n).collect();
        eprintln!(
            "storyplan: there is no example \"{}\"; the examples are {}",
            clean_line(wanted),
            names.join(", ")
        );
        return Ok(Exit::Unreadable);
    };
    let loaded = match store::parse(Path::new(name), text) {
        Ok(loaded) => loaded,
        Err(error) => {
            eprintln!("error: bundled example {error}");
            return Ok(Exit::Unreadable);
        }
    };
    let mut model = Model::new(
        loaded.plan,
        Source::Example {
            name: name.to_string(),
        },
    );
    app::apply_settings(&mut model, settings);
    app::run(model)?;
    Ok(Exit::Clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_storys_file_name_is_unique_short_and_never_empty() {
        let dir = tempfile::TempDir::new().expect("a temporary folder");
        let folder = dir.path();
        assert_eq!(
            file_stem(folder, "Add expense types").0,
            "add-expense-types"
        );
        // No Latin letters: "story", then "story-2" once that is taken by another story.
        assert_eq!(file_stem(folder, "Добавить типы расходов").0, "story");
        let other = Plan::new("Другая история");
        store::save_atomic(&folder.join("story.ron"), &other).expect("saved");
        assert_eq!(
            file_stem(folder, "Добавить типы расходов"),
            ("story-2".into(), None)
        );
        // The same story again: its file, to open rather than copy.
        let (_, same) = file_stem(folder, "Другая история");
        assert_eq!(same, Some(folder.join("story.ron")));
        // A long title is cut at a word boundary.
        let long =
            "Move every amount of every expense of every animal into cents without losing one";
        let stem = file_stem(folder, long).0;
        assert!(stem.len() <= STEM_MAX, "{stem}");
        assert!(
            long.to_lowercase().replace(' ', "-").starts_with(&stem),
            "{stem}"
        );
        assert!(!stem.ends_with('-'));
    }
}
