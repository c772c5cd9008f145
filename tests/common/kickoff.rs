//! The kickoff of "Add expense types" (web, api, db and events; a toggle) as the keys a
//! pair types, from `storyplan new` to the drafted steps: one script for the board's
//! model and for the real board in tmux, so that both count the same keys.

/// A key as tmux names it (`Tab`, `Enter`, `Escape`, or one character), or a text typed
/// a character at a time.
#[derive(Debug, Clone, Copy)]
pub enum Token {
    Key(&'static str),
    Text(&'static str),
}

use Token::{Key, Text};

const TAB: Token = Key("Tab");
const ENTER: Token = Key("Enter");
const ESC: Token = Key("Escape");

/// The script. A fact is `a`, the fact line (a key alone takes the access the
/// component's kind usually has; `p`, `c`, `r` or `w` first says another), Enter; Tab takes
/// a key's completion where the script says so, and a second Enter answers the board's
/// question whether a new key was meant to be a known one. After `T` copies the current
/// facts into the target, the selection is in the target, where `a` adds.
#[rustfmt::skip]
pub const SCRIPT: &[Token] = &[
    // The story as `storyplan new` titled it.
    ENTER,
    // Components: web (Ui), api (Service), db (Database), events (Queue).
    Text("web"), TAB, TAB, Key("u"), ENTER,
    Text("api"), ENTER,
    Text("db"), TAB, TAB, Key("d"), ENTER,
    Text("events"), TAB, TAB, Key("q"), ENTER,
    ESC,
    // web calls the expense endpoints; its target adds the types, behind a toggle.
    Key("a"), Text("POST /animals/{id}/expense"), ENTER,
    Key("a"), Text("GET /animals/{id}/expenses"), ENTER, ENTER,
    Key("T"),
    Key("a"), Text("gated expense-types GET /expense-types"), ENTER,
    ESC,
    // api provides them, writes and reads the table, writes the event; its target adds
    // the types.
    Key("a"), Text("p POST"), TAB, ENTER,
    Key("a"), Text("p GET /anim"), TAB, ENTER,
    Key("a"), Text("w expenses"), ENTER,
    Key("a"), Text("r expenses"), ENTER,
    Key("a"), Text("w expense-recorded"), ENTER,
    Key("T"),
    Key("a"), Text("p expense-t"), TAB, ENTER,
    Key("a"), Text("w expenses.type"), ENTER,
    Key("a"), Text("r expenses.ty"), TAB, ENTER,
    Key("a"), Text("r expense-types"), ENTER, ENTER,
    ESC,
    // db provides the table; its target adds the column and the types table.
    Key("a"), Text("expenses"), ENTER,
    Key("T"),
    Key("a"), Text("expenses.ty"), TAB, ENTER,
    Key("a"), Text("expense-ty"), TAB, ENTER,
    ESC,
    // events provides the topic, unchanged.
    Key("a"), Text("expense-rec"), TAB, ENTER,
    Key("T"),
    ESC,
    // The toggle, then the steps drafted from the targets, taken.
    Key("t"), Key("a"), Text("expense-types"), ENTER, ESC,
    Key("D"), ENTER,
];

/// How many keys the script types.
pub fn keys() -> usize {
    SCRIPT
        .iter()
        .map(|t| match t {
            Key(_) => 1,
            Text(text) => text.chars().count(),
        })
        .sum()
}
