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

/// The script. A fact is `a`, `t` for the target, Tab, the access's letter, Tab, the key
/// (Tab takes its completion where the script says so), Enter; a second Enter where the
/// board asks whether a new key was meant to be a known one.
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
    Key("a"), TAB, Key("c"), TAB, Text("POST /animals/{id}/expense"), ENTER,
    Key("a"), TAB, Key("c"), TAB, Text("GET /animals/{id}/expenses"), ENTER, ENTER,
    Key("T"),
    Key("a"), Key("t"), TAB, Key("c"), TAB, Text("GET /expense-types"), TAB, TAB,
    Text("expense-types"), ENTER,
    ESC,
    // api provides them, writes and reads the table, writes the event; its target adds
    // the types.
    Key("a"), TAB, Key("p"), TAB, Text("POST"), TAB, ENTER,
    Key("a"), TAB, Key("p"), TAB, Text("GET /anim"), TAB, ENTER,
    Key("a"), TAB, Key("w"), TAB, Text("expenses"), ENTER,
    Key("a"), TAB, Key("r"), TAB, Text("expenses"), ENTER,
    Key("a"), TAB, Key("w"), TAB, Text("expense-recorded"), ENTER,
    Key("T"),
    Key("a"), Key("t"), TAB, Key("p"), TAB, Text("expense-t"), TAB, ENTER,
    Key("a"), Key("t"), TAB, Key("w"), TAB, Text("expenses.type"), ENTER,
    Key("a"), Key("t"), TAB, Key("r"), TAB, Text("expenses.ty"), TAB, ENTER,
    Key("a"), Key("t"), TAB, Key("r"), TAB, Text("expense-types"), ENTER, ENTER,
    ESC,
    // db provides the table; its target adds the column and the types table.
    Key("a"), TAB, Key("p"), TAB, Text("expenses"), ENTER,
    Key("T"),
    Key("a"), Key("t"), TAB, Key("p"), TAB, Text("expenses.ty"), TAB, ENTER,
    Key("a"), Key("t"), TAB, Key("p"), TAB, Text("expense-ty"), TAB, ENTER,
    ESC,
    // events provides the topic, unchanged.
    Key("a"), TAB, Key("p"), TAB, Text("expense-rec"), TAB, ENTER,
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
