//! A fact typed on one line, in words (`serving POST /x write expenses.type`) or as the
//! plan's RON (`Serving("POST /x", Write("expenses.type"))`). The fact forms put it first:
//! the fields under it follow what it reads as, and it follows them. Pure, so it is tested
//! without a terminal.
//!
//! The words: `[add|remove] [gated TOGGLE] [serving INTERFACE] [tolerant] ACCESS KEY`, the
//! clauses in any order. ACCESS is `provide`, `call`, `read` or `write` (or their first
//! letter as the first word); a line that starts with the key leaves the access to the
//! form. A clause's argument runs to the next clause word, so a key may hold spaces
//! (`GET /user/{id}`). A key that holds a clause word is written in double quotes.

use crate::plan::{Access, Fact};

/// What a line reads as: the fact, and `add` or `remove` when it starts with one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phrase {
    /// Its access is Call when the line left it to the form.
    pub fact: Fact,
    /// Whether the line said the access.
    pub access: bool,
    /// `Some(false)` for `add`, `Some(true)` for `remove`.
    pub remove: Option<bool>,
}

/// What the word being typed names, for completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    /// Where the line starts: a clause word, or a key.
    Start,
    /// A clause word: `gated`, `serving`, `tolerant`, an access.
    Word,
    /// A key (after an access) or an interface (after `serving`).
    Key,
    Toggle,
}

/// The clause words completion offers where a clause starts.
pub const WORDS: [&str; 7] = [
    "provide", "call", "read", "write", "gated", "serving", "tolerant",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Word {
    Access(Access),
    /// A key where the line starts, its access left to the form.
    Bare,
    Gated,
    Serving,
    Tolerant,
    Add,
    Remove,
}

/// Where a word stands: the first of the line, before any clause but `add`/`remove`
/// (where an access may be one letter), or later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    First,
    Start,
    Later,
}

fn word(token: &str, at: At) -> Option<Word> {
    let first = at != At::Later;
    let lower = token.to_ascii_lowercase();
    let access = |a| Some(Word::Access(a));
    match lower.as_str() {
        "provide" | "provides" => access(Access::Provide),
        "call" | "calls" => access(Access::Call),
        "read" | "reads" => access(Access::Read),
        "write" | "writes" => access(Access::Write),
        "p" if first => access(Access::Provide),
        "c" if first => access(Access::Call),
        "r" if first => access(Access::Read),
        "w" if first => access(Access::Write),
        "gated" => Some(Word::Gated),
        "serving" => Some(Word::Serving),
        "tolerant" => Some(Word::Tolerant),
        "add" if at == At::First => Some(Word::Add),
        "remove" if at == At::First => Some(Word::Remove),
        _ => None,
    }
}

/// One word of the line: its text (quotes taken off), whether it was quoted, and where
/// it starts in the line.
struct Token<'a> {
    text: &'a str,
    quoted: bool,
    start: usize,
}

fn tokens(line: &str) -> Result<Vec<Token<'_>>, String> {
    let mut out = Vec::new();
    let mut rest = line.char_indices().peekable();
    while let Some(&(start, c)) = rest.peek() {
        if c.is_whitespace() {
            rest.next();
            continue;
        }
        if c == '"' {
            rest.next();
            let Some(end) = line[start + 1..].find('"') else {
                return Err("a quoted key needs its closing \"".into());
            };
            let end = start + 1 + end;
            out.push(Token {
                text: &line[start + 1..end],
                quoted: true,
                start,
            });
            while rest.next_if(|&(i, _)| i <= end).is_some() {}
            continue;
        }
        let mut end = line.len();
        while let Some(&(i, c)) = rest.peek() {
            if c.is_whitespace() {
                end = i;
                break;
            }
            rest.next();
        }
        out.push(Token {
            text: &line[start..end],
            quoted: false,
            start,
        });
    }
    Ok(out)
}

/// One clause of the line: its word (a bare key's is [`Word::Bare`]), whether the word
/// stood where a clause may start, and the tokens of its argument.
struct Clause {
    word: Word,
    at: At,
    /// The token of the word itself; for a bare key, its first token.
    token: usize,
    args: std::ops::Range<usize>,
}

fn is_word(token: &Token<'_>) -> bool {
    !token.quoted && word(token.text, At::Later).is_some()
}

/// The line's clauses. An argument runs to the next clause word, except a toggle, which
/// is one word; after `add`, `remove`, `tolerant` or a toggle, the line may go on with
/// the key (or a one-letter access) as where it starts.
fn clauses(tokens: &[Token<'_>]) -> Vec<Clause> {
    let mut out = Vec::new();
    let mut at = At::First;
    let mut i = 0;
    while i < tokens.len() {
        let token = &tokens[i];
        let (word, from) = match (!token.quoted).then(|| word(token.text, at)).flatten() {
            Some(word) => (word, i + 1),
            None => (Word::Bare, i),
        };
        let mut end = from;
        match word {
            Word::Tolerant | Word::Add | Word::Remove => {}
            Word::Gated => {
                if tokens.get(end).is_some_and(|t| !is_word(t)) {
                    end += 1;
                }
            }
            Word::Access(_) | Word::Serving | Word::Bare => {
                while tokens.get(end).is_some_and(|t| !is_word(t)) {
                    end += 1;
                }
            }
        }
        out.push(Clause {
            word,
            at,
            token: i,
            args: from..end,
        });
        at = match word {
            Word::Tolerant | Word::Add | Word::Remove | Word::Gated => At::Start,
            _ => At::Later,
        };
        i = end.max(i + 1);
    }
    out
}

/// Reads a line as a fact: RON when it starts like a RON fact (`Write(…`), words
/// otherwise. The error says what was expected.
pub fn parse(line: &str) -> Result<Phrase, String> {
    let trimmed = line.trim();
    if trimmed.starts_with(|c: char| c.is_ascii_uppercase()) && trimmed.contains('(') {
        return ron::from_str::<Fact>(trimmed)
            .map(|fact| Phrase {
                fact,
                access: true,
                remove: None,
            })
            .map_err(|error| format!("as RON: {}", error.code));
    }
    let tokens = tokens(line)?;
    let mut access: Option<(Option<Access>, String)> = None;
    let mut gate: Option<String> = None;
    let mut serving: Option<String> = None;
    let mut tolerant = false;
    let mut remove = None;
    for clause in clauses(&tokens) {
        let argument = tokens[clause.args]
            .iter()
            .map(|t| t.text)
            .collect::<Vec<_>>()
            .join(" ");
        let twice = |name: &str| format!("{name} is said twice");
        match clause.word {
            Word::Access(_) | Word::Bare if access.is_some() => {
                return Err("one fact has one access and one key".into());
            }
            Word::Access(a) if argument.is_empty() => {
                return Err(format!("{} needs a key", a.name().to_lowercase()));
            }
            Word::Access(a) => access = Some((Some(a), argument)),
            Word::Bare => access = Some((None, argument)),
            Word::Gated if gate.is_some() => return Err(twice("gated")),
            Word::Gated if argument.is_empty() => return Err("gated needs a toggle".into()),
            Word::Gated => gate = Some(argument),
            Word::Serving if serving.is_some() => return Err(twice("serving")),
            Word::Serving if argument.is_empty() => {
                return Err("serving needs an interface".into());
            }
            Word::Serving => serving = Some(argument),
            Word::Tolerant => tolerant = true,
            Word::Add => remove = Some(false),
            Word::Remove => remove = Some(true),
        }
    }
    let Some((said, key)) = access else {
        return Err("expected provide, call, read or write and a key".into());
    };
    if tolerant && said == Some(Access::Provide) {
        return Err("only call, read and write can be tolerant".into());
    }
    let mut fact = Fact::new(said.unwrap_or(Access::Call), key);
    fact.tolerant = tolerant;
    fact.gate = gate;
    fact.serving = serving;
    Ok(Phrase {
        fact,
        access: said.is_some(),
        remove,
    })
}

/// An argument as the words write it: in quotes when it would read otherwise.
fn argument(text: &str) -> String {
    let plain = !text.is_empty()
        && !text.contains('"')
        && text
            .split_whitespace()
            .all(|token| word(token, At::Later).is_none())
        && text.split_whitespace().count() == text.split(' ').count();
    if plain {
        text.to_string()
    } else {
        format!("\"{text}\"")
    }
}

/// The words for a fact's parts, modifiers first as the RON nests them; an empty key is
/// left out, so a half-filled form still reads.
pub fn words(access: Access, key: &str, tolerant: bool, gate: &str, serving: &str) -> String {
    // Words cannot quote a quote: such a fact is written as RON.
    if [key, gate, serving].iter().any(|text| text.contains('"')) && !key.trim().is_empty() {
        let mut fact = Fact::new(access, key);
        fact.tolerant = tolerant;
        fact.gate = Some(gate.trim().to_string()).filter(|g| !g.is_empty());
        fact.serving = Some(serving.trim().to_string()).filter(|s| !s.is_empty());
        return fact.to_string();
    }
    let mut out = Vec::new();
    if !gate.trim().is_empty() {
        out.push(format!("gated {}", argument(gate.trim())));
    }
    if !serving.trim().is_empty() {
        out.push(format!("serving {}", argument(serving.trim())));
    }
    if tolerant {
        out.push("tolerant".into());
    }
    let access = access.name().to_lowercase();
    let key = key.trim();
    if key.is_empty() {
        out.push(access);
    } else {
        out.push(format!("{access} {}", argument(key)));
    }
    out.join(" ")
}

/// What the end of the line is: the slot being typed and where its text starts. A clause
/// word's argument is completed from the plan's names, a clause word from [`WORDS`].
pub fn slot(line: &str) -> (Slot, usize) {
    let Ok(tokens) = tokens(line) else {
        return (Slot::Key, line.len());
    };
    let Some(last) = clauses(&tokens).pop() else {
        return (Slot::Start, line.len());
    };
    let typing = !line.ends_with(char::is_whitespace);
    let start_of = |index: usize| tokens.get(index).map_or(line.len(), |t| t.start);
    // The clause word itself is still being typed: it may yet be another word, or the
    // start of a key where a key may stand.
    if typing && last.word != Word::Bare && last.args.is_empty() {
        let slot = if last.at == At::Later {
            Slot::Word
        } else {
            Slot::Start
        };
        return (slot, start_of(last.token));
    }
    let argument = start_of(last.args.start);
    match last.word {
        Word::Tolerant | Word::Add | Word::Remove => (Slot::Start, line.len()),
        Word::Gated if typing || last.args.is_empty() => (Slot::Toggle, argument),
        Word::Gated => (Slot::Start, line.len()),
        Word::Bare => (Slot::Start, argument),
        Word::Access(_) | Word::Serving => (Slot::Key, argument),
    }
}

/// The line with the slot being typed replaced by `taken`; a clause word is followed by a
/// space, ready for its argument.
pub fn complete(line: &str, taken: &str) -> String {
    let (slot, start) = slot(line);
    let mut out = line[..start].to_string();
    let word = slot == Slot::Word || (slot == Slot::Start && WORDS.contains(&taken));
    if word {
        out.push_str(taken);
        out.push(' ');
    } else {
        out.push_str(&argument(taken));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(line: &str) -> Fact {
        match parse(line) {
            Ok(phrase) => phrase.fact,
            Err(error) => panic!("{line:?} did not read: {error}"),
        }
    }

    #[test]
    fn words_read_as_the_fact_they_name() {
        assert_eq!(
            fact("serving POST /x write expenses.type"),
            Fact::write("expenses.type").serving("POST /x")
        );
        assert_eq!(fact("c GET /user/{id}"), Fact::call("GET /user/{id}"));
        assert_eq!(
            fact("  Provide   users.email "),
            Fact::provide("users.email")
        );
        assert_eq!(
            fact("write t.a tolerant gated cents"),
            Fact::write("t.a").tolerant().gated("cents")
        );
        assert_eq!(fact("read \"call log\""), Fact::read("call log"));
    }

    #[test]
    fn a_line_that_starts_with_the_key_leaves_the_access_to_the_form() {
        let bare = parse("POST /x").unwrap();
        assert!(!bare.access);
        assert_eq!(bare.fact.key, "POST /x");
        let said = parse("p POST /x").unwrap();
        assert!(said.access);
        let change = parse("remove t.amount serving GET /x").unwrap();
        assert_eq!(change.remove, Some(true));
        assert!(!change.access);
        assert_eq!(change.fact.key, "t.amount");
        assert_eq!(change.fact.serving.as_deref(), Some("GET /x"));
        assert_eq!(
            parse("gated t POST /x").map(|p| p.fact),
            Ok(Fact::call("POST /x").gated("t"))
        );
        assert_eq!(
            parse("tolerant r t.a").map(|p| p.fact),
            Ok(Fact::read("t.a").tolerant())
        );
    }

    #[test]
    fn ron_reads_as_the_plan_writes_it() {
        assert_eq!(
            fact(r#"Serving("POST /x", Write("expenses.type"))"#),
            Fact::write("expenses.type").serving("POST /x")
        );
        assert!(parse("Write(\"x\"").unwrap_err().starts_with("as RON: "));
    }

    #[test]
    fn add_and_remove_lead_a_change() {
        let phrase = parse("remove read t.amount").unwrap();
        assert_eq!(phrase.remove, Some(true));
        assert_eq!(phrase.fact, Fact::read("t.amount"));
        assert_eq!(parse("add p t").unwrap().remove, Some(false));
        assert_eq!(parse("add p t").unwrap().fact, Fact::provide("t"));
        assert_eq!(parse("call x remove").unwrap().fact, Fact::call("x remove"));
    }

    #[test]
    fn mistakes_say_what_was_expected() {
        let error = |line: &str| parse(line).unwrap_err();
        assert_eq!(
            error("tolerant then call x"),
            "one fact has one access and one key"
        );
        assert_eq!(error("write"), "write needs a key");
        assert_eq!(error("gated call x"), "gated needs a toggle");
        assert_eq!(
            error("serving POST /x"),
            "expected provide, call, read or write and a key"
        );
        assert_eq!(
            error("call a read b"),
            "one fact has one access and one key"
        );
        assert_eq!(
            error("tolerant provide t"),
            "only call, read and write can be tolerant"
        );
        assert_eq!(error("call \"open"), "a quoted key needs its closing \"");
        assert_eq!(error(""), "expected provide, call, read or write and a key");
    }

    #[test]
    fn words_round_trip_through_parse() {
        let facts = [
            Fact::write("expenses.type")
                .serving("POST /x")
                .gated("t")
                .tolerant(),
            Fact::call("GET /user/{id}/reminder"),
            Fact::read("call log"),
            Fact::provide("say \"hi\""),
        ];
        for fact in facts {
            let line = words(
                fact.access,
                &fact.key,
                fact.tolerant,
                fact.gate.as_deref().unwrap_or(""),
                fact.serving.as_deref().unwrap_or(""),
            );
            assert_eq!(parse(&line).map(|p| p.fact), Ok(fact), "{line}");
        }
        assert_eq!(words(Access::Call, "", false, "", ""), "call");
    }

    #[test]
    fn the_slot_is_what_the_end_of_the_line_names() {
        assert_eq!(slot(""), (Slot::Start, 0));
        assert_eq!(slot("ser"), (Slot::Start, 0));
        assert_eq!(slot("POST /x"), (Slot::Start, 0));
        assert_eq!(slot("remove POST /x"), (Slot::Start, 7));
        assert_eq!(slot("serving "), (Slot::Key, 8));
        assert_eq!(slot("serving PO"), (Slot::Key, 8));
        assert_eq!(slot("serving POST /x write exp"), (Slot::Key, 22));
        assert_eq!(slot("gated re"), (Slot::Toggle, 6));
        assert_eq!(slot("tolerant "), (Slot::Start, 9));
        assert_eq!(slot("gated t "), (Slot::Start, 8));
        assert_eq!(slot("gated t GET"), (Slot::Start, 8));
        assert_eq!(slot("call x wri"), (Slot::Key, 5));
        assert_eq!(slot("call x write"), (Slot::Word, 7));
        assert_eq!(slot("c "), (Slot::Key, 2));
        assert_eq!(slot("call"), (Slot::Start, 0));
    }

    #[test]
    fn completing_replaces_the_slot() {
        assert_eq!(complete("ser", "serving"), "serving ");
        assert_eq!(complete("serving PO", "POST /x"), "serving POST /x");
        assert_eq!(
            complete("serving POST /x write exp", "expenses.type"),
            "serving POST /x write expenses.type"
        );
        assert_eq!(complete("add ", "provide"), "add provide ");
        assert_eq!(complete("POST /us", "POST /user/{id}"), "POST /user/{id}");
        assert_eq!(complete("c cal", "call log"), "c \"call log\"");
    }
}
