//! Sharing from the board: the export preview (`x`: Markdown of the whole plan or of the
//! selected step, copied with OSC 52 or written to a file) and the comparison with the
//! plan's file at a git ref (`c`).

use std::path::PathBuf;

use tui_input::Input;

use super::model::{Export, Model, Notice, Overlay, Prompt, Source};
use super::msg::{Effect, Reading};
use crate::check::words::StepLabel;
use crate::export;

fn file_name(model: &Model) -> Option<String> {
    match &model.source {
        Source::File { path, .. } | Source::Ref { path, .. } => Some(path.display().to_string()),
        Source::Example { .. } => None,
    }
}

fn export_text(model: &Model, scope: Export) -> (String, String) {
    let file = file_name(model);
    match scope {
        Export::Plan => (
            "Export: the whole plan (Markdown)".to_string(),
            export::markdown(&model.plan, &model.report, file.as_deref()),
        ),
        Export::Step(i) => (
            format!(
                "Export: {} for its pull request (Markdown)",
                StepLabel::number(i)
            ),
            export::step_markdown(&model.plan, &model.report, i, file.as_deref()),
        ),
    }
}

/// `x`: the export preview, of the whole plan.
pub fn preview(model: &mut Model) {
    let (title, text) = export_text(model, Export::Plan);
    model.overlay = Some(Overlay::Reader {
        title,
        text,
        scroll: 0,
        export: Some(Export::Plan),
    });
}

pub fn read(model: &mut Model, reading: Reading) -> Option<Effect> {
    let Some(Overlay::Reader {
        text,
        scroll,
        export,
        ..
    }) = &mut model.overlay
    else {
        return None;
    };
    let reading = match reading {
        Reading::Page(pages) => Reading::Scroll(pages * i32::from(model.page_rows)),
        other => other,
    };
    match (reading, *export) {
        (Reading::Page(_), _) => {}
        (Reading::Scroll(by), _) => {
            let lines = text.lines().count() as i64;
            let to = (i64::from(*scroll) + i64::from(by)).clamp(0, (lines - 1).max(0));
            *scroll = u16::try_from(to).unwrap_or(u16::MAX);
        }
        (Reading::Copy, Some(_)) => return Some(Effect::Copy(text.clone())),
        (Reading::Write, Some(scope)) => {
            let name = match (scope, &model.source) {
                (Export::Step(i), _) => format!("{}.md", model.plan.steps[i].id()),
                (Export::Plan, Source::File { path, .. }) => path
                    .with_extension("md")
                    .file_name()
                    .map_or("plan.md".into(), |n| n.to_string_lossy().into_owned()),
                _ => "plan.md".into(),
            };
            model.overlay = Some(Overlay::Prompt {
                input: Input::new(crate::text::clean_line(&name).into_owned()),
                purpose: Prompt::ExportTo(scope),
            });
            // The preview comes back after the file is written, or on Esc.
            model.notice = Some(Notice {
                text: "Write the export to this file".into(),
                error: false,
            });
        }
        (Reading::Switch, Some(scope)) => {
            let next = match scope {
                Export::Plan if !model.plan.steps.is_empty() => Export::Step(model.selected),
                _ => Export::Plan,
            };
            let (title, text) = export_text(model, next);
            model.overlay = Some(Overlay::Reader {
                title,
                text,
                scroll: 0,
                export: Some(next),
            });
        }
        _ => {}
    }
    None
}

/// `c`: asks which git ref to compare the plan's file with.
pub fn ask_ref(model: &mut Model) {
    if !matches!(model.source, Source::File { .. } | Source::Ref { .. }) {
        model.notice = Some(Notice {
            text: "Only a plan file in a git repository can be compared with a ref".into(),
            error: true,
        });
        return;
    }
    model.overlay = Some(Overlay::Prompt {
        input: Input::new("HEAD".into()),
        purpose: Prompt::CompareWith,
    });
}

/// Enter in a prompt.
pub fn answer(model: &mut Model) -> Option<Effect> {
    let Some(Overlay::Prompt { input, purpose }) = &model.overlay else {
        return None;
    };
    let value = input.value().trim().to_string();
    if value.is_empty() {
        return None;
    }
    match purpose {
        Prompt::CompareWith => {
            let path = match &model.source {
                Source::File { path, .. } | Source::Ref { path, .. } => path.clone(),
                Source::Example { .. } => return None,
            };
            model.overlay = None;
            Some(Effect::Compare {
                reference: value,
                path,
                plan: Box::new(model.plan.clone()),
            })
        }
        Prompt::ExportTo(scope) => {
            let scope = *scope;
            model.overlay = None;
            let (_, text) = export_text(model, scope);
            Some(Effect::Write {
                path: PathBuf::from(value),
                text,
            })
        }
    }
}
