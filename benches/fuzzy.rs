//! What one keystroke in the finder or a completion costs: re-ranking 10,000 keys of the
//! shapes plans hold (endpoints, columns, topics) with the one reused matcher, for short,
//! medium and long queries, and highlighting the rows that show. STYLE.md's budget: a
//! few milliseconds, or the finder moves to the threaded `nucleo::Nucleo`.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use storyplan::tui::finder::LIST_ROWS;
use storyplan::tui::fuzzy::Fuzzy;

const KEYS: usize = 10_000;

/// Realistic keys: "GET /things/{id}/part-42", "table_17.column_3", "topic order-created v3".
fn keys(n: usize) -> Vec<String> {
    const THINGS: [&str; 8] = [
        "things",
        "orders",
        "users",
        "shelters",
        "animals",
        "invoices",
        "reminders",
        "shifts",
    ];
    const VERBS: [&str; 4] = ["GET", "POST", "PUT", "DELETE"];
    const EVENTS: [&str; 5] = ["created", "updated", "deleted", "shipped", "paid"];
    (0..n)
        .map(|i| {
            let thing = THINGS[i % THINGS.len()];
            match i % 3 {
                0 => format!(
                    "{} /{thing}/{{id}}/part-{}",
                    VERBS[(i / 3) % VERBS.len()],
                    i % 97
                ),
                1 => format!("table_{}.column_{}", i % 211, i % 13),
                _ => format!(
                    "topic {}-{} v{}",
                    thing.trim_end_matches('s'),
                    EVENTS[(i / 3) % EVENTS.len()],
                    i % 5
                ),
            }
        })
        .collect()
}

/// One keystroke: the query grows by one character and everything is ranked again.
fn keystroke(c: &mut Criterion) {
    let keys = keys(KEYS);
    let mut fuzzy = Fuzzy::new();
    let mut group = c.benchmark_group("keystroke");
    group.throughput(Throughput::Elements(KEYS as u64));
    for query in ["o", "ord", "ordcreat", "GET part", "table_17"] {
        let matches = fuzzy.rank(query, keys.iter().map(String::as_str)).len();
        assert!(matches > 0, "{query} matches nothing");
        let id = format!("{query} ({} chars, {matches} match)", query.chars().count());
        group.bench_with_input(BenchmarkId::new("rank", id), &query, |b, query| {
            b.iter(|| black_box(fuzzy.rank(black_box(query), keys.iter().map(String::as_str))))
        });
    }
    group.finish();
}

/// The rest of a keystroke: the matched characters of the rows that show.
fn highlight(c: &mut Criterion) {
    let keys = keys(KEYS);
    let mut fuzzy = Fuzzy::new();
    let query = "ordcreat";
    let top: Vec<usize> = fuzzy
        .rank(query, keys.iter().map(String::as_str))
        .into_iter()
        .take(LIST_ROWS)
        .collect();
    c.bench_function("highlight/visible rows", |b| {
        b.iter(|| {
            for &i in &top {
                black_box(fuzzy.indices(query, &keys[i]));
            }
        })
    });
}

criterion_group!(benches, keystroke, highlight);
criterion_main!(benches);
