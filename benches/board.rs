//! What a move costs on the board: `update` moves a step (snapshot for undo, re-check),
//! then a frame is drawn, as after every keystroke. Targets: one frame at 60 Hz (16 ms)
//! on a 1,000-step plan, 2 ms on a 100-step plan. And what a long paste into a form costs:
//! linear in its length (1,600 and 16,000 characters).

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use storyplan::tui::model::{Model, Source};
use storyplan::tui::msg::Msg;
use storyplan::tui::update::update;
use storyplan::tui::view;

mod plans;

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("move-and-draw");
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(4));
    group.sample_size(30);
    for n in [100, 1_000] {
        let mut model = Model::new(
            plans::clean_plan(n),
            Source::Example {
                name: "generated".into(),
            },
        );
        let middle = n / 2;
        model.selected = middle;
        let mut terminal = match Terminal::new(TestBackend::new(120, 36)) {
            Ok(terminal) => terminal,
            Err(error) => panic!("a test terminal: {error}"),
        };
        group.throughput(Throughput::Elements(n as u64));
        let mut down = true;
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| {
                // Back and forth, so every iteration moves the same step over the same one.
                let (from, to) = if down {
                    (middle, middle + 1)
                } else {
                    (middle + 1, middle)
                };
                down = !down;
                update(&mut model, Msg::MoveStep { from, to });
                model.undo.clear();
                let drawn = terminal.draw(|frame| {
                    black_box(view::draw(frame, &model));
                });
                black_box(drawn.is_ok())
            });
        });
    }
    group.finish();
}

fn paste(c: &mut Criterion) {
    let mut group = c.benchmark_group("paste-into-a-form");
    group.warm_up_time(Duration::from_secs(1));
    group.sample_size(20);
    for n in [1_600, 16_000] {
        let text = "x".repeat(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| {
                let mut model = Model::new(
                    plans::clean_plan(10),
                    Source::Example {
                        name: "generated".into(),
                    },
                );
                update(
                    &mut model,
                    Msg::Action(storyplan::tui::keymap::Action::Story),
                );
                update(&mut model, Msg::Paste(text.clone()));
                black_box(model.overlay.is_some())
            });
        });
    }
    group.finish();
}

criterion_group!(bench, benches, paste);
criterion_main!(bench);
