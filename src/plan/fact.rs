use std::fmt;

use serde::{Deserialize, Serialize};

/// What a fact does with its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Access {
    Provide,
    Call,
    Read,
    Write,
}

impl Access {
    pub const ALL: [Access; 4] = [Access::Provide, Access::Call, Access::Read, Access::Write];

    pub fn name(self) -> &'static str {
        match self {
            Access::Provide => "Provide",
            Access::Call => "Call",
            Access::Read => "Read",
            Access::Write => "Write",
        }
    }

    /// Call, Read and Write use a key; Provide serves it.
    pub fn is_use(self) -> bool {
        self != Access::Provide
    }
}

/// One thing a component does, with its modifiers flattened.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fact {
    pub access: Access,
    pub key: String,
    pub tolerant: bool,
    /// `Gated(toggle, …)`: active only while the toggle is On.
    pub gate: Option<String>,
    /// `Serving(interface, …)`: active only while the component serves the interface.
    pub serving: Option<String>,
}

impl Fact {
    pub fn new(access: Access, key: impl Into<String>) -> Self {
        Fact {
            access,
            key: key.into().trim().to_string(),
            tolerant: false,
            gate: None,
            serving: None,
        }
    }

    pub fn provide(key: impl Into<String>) -> Self {
        Fact::new(Access::Provide, key)
    }

    pub fn call(key: impl Into<String>) -> Self {
        Fact::new(Access::Call, key)
    }

    pub fn read(key: impl Into<String>) -> Self {
        Fact::new(Access::Read, key)
    }

    pub fn write(key: impl Into<String>) -> Self {
        Fact::new(Access::Write, key)
    }

    pub fn tolerant(mut self) -> Self {
        self.tolerant = true;
        self
    }

    pub fn gated(mut self, toggle: impl Into<String>) -> Self {
        self.gate = Some(toggle.into().trim().to_string());
        self
    }

    pub fn serving(mut self, interface: impl Into<String>) -> Self {
        self.serving = Some(interface.into().trim().to_string());
        self
    }
}

/// Canonical RON form, modifiers outside in: `Gated(t, Serving(i, Tolerant(base)))`.
impl fmt::Display for Fact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut closing = 0;
        if let Some(gate) = &self.gate {
            write!(f, "Gated({}, ", quoted(gate))?;
            closing += 1;
        }
        if let Some(serving) = &self.serving {
            write!(f, "Serving({}, ", quoted(serving))?;
            closing += 1;
        }
        if self.tolerant {
            f.write_str("Tolerant(")?;
            closing += 1;
        }
        write!(f, "{}({})", self.access.name(), quoted(&self.key))?;
        for _ in 0..closing {
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// A RON string literal: quotes, backslashes and control characters escaped.
pub fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The nested form a fact has in a plan file.
#[derive(Debug, Clone, Serialize, Deserialize)]
enum FactRepr {
    Provide(String),
    Call(String),
    Read(String),
    Write(String),
    Tolerant(Box<FactRepr>),
    Gated(String, Box<FactRepr>),
    Serving(String, Box<FactRepr>),
}

/// Why a nested fact is not a fact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactError(String);

impl fmt::Display for FactError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<FactRepr> for Fact {
    type Error = FactError;

    fn try_from(mut repr: FactRepr) -> Result<Self, FactError> {
        let mut tolerant = false;
        let mut gate = None;
        let mut serving = None;
        let twice =
            |name: &str| FactError(format!("the modifier {name} appears twice in one fact"));
        loop {
            repr = match repr {
                FactRepr::Provide(key) => {
                    return Ok(flat(Access::Provide, key, tolerant, gate, serving));
                }
                FactRepr::Call(key) => return Ok(flat(Access::Call, key, tolerant, gate, serving)),
                FactRepr::Read(key) => return Ok(flat(Access::Read, key, tolerant, gate, serving)),
                FactRepr::Write(key) => {
                    return Ok(flat(Access::Write, key, tolerant, gate, serving));
                }
                FactRepr::Tolerant(inner) => {
                    if tolerant {
                        return Err(twice("Tolerant"));
                    }
                    tolerant = true;
                    *inner
                }
                FactRepr::Gated(toggle, inner) => {
                    if gate.is_some() {
                        return Err(twice("Gated"));
                    }
                    gate = Some(toggle.trim().to_string());
                    *inner
                }
                FactRepr::Serving(interface, inner) => {
                    if serving.is_some() {
                        return Err(twice("Serving"));
                    }
                    serving = Some(interface.trim().to_string());
                    *inner
                }
            }
        }
    }
}

fn flat(
    access: Access,
    key: String,
    tolerant: bool,
    gate: Option<String>,
    serving: Option<String>,
) -> Fact {
    Fact {
        access,
        key: key.trim().to_string(),
        tolerant,
        gate,
        serving,
    }
}

impl From<&Fact> for FactRepr {
    fn from(fact: &Fact) -> Self {
        let mut repr = match fact.access {
            Access::Provide => FactRepr::Provide(fact.key.clone()),
            Access::Call => FactRepr::Call(fact.key.clone()),
            Access::Read => FactRepr::Read(fact.key.clone()),
            Access::Write => FactRepr::Write(fact.key.clone()),
        };
        if fact.tolerant {
            repr = FactRepr::Tolerant(Box::new(repr));
        }
        if let Some(serving) = &fact.serving {
            repr = FactRepr::Serving(serving.clone(), Box::new(repr));
        }
        if let Some(gate) = &fact.gate {
            repr = FactRepr::Gated(gate.clone(), Box::new(repr));
        }
        repr
    }
}

impl Serialize for Fact {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        FactRepr::from(self).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Fact {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let repr = FactRepr::deserialize(deserializer)?;
        Fact::try_from(repr).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_writes_modifiers_in_canonical_order() {
        let fact = Fact::write("expenses.amount_cents")
            .tolerant()
            .serving("POST /expense")
            .gated("cents");
        assert_eq!(
            fact.to_string(),
            r#"Gated("cents", Serving("POST /expense", Tolerant(Write("expenses.amount_cents"))))"#
        );
    }

    #[test]
    fn nested_modifiers_flatten_in_any_order() {
        let repr = FactRepr::Tolerant(Box::new(FactRepr::Gated(
            " t ".into(),
            Box::new(FactRepr::Read(" users ".into())),
        )));
        let fact = Fact::try_from(repr).unwrap();
        assert_eq!(fact, Fact::read("users").tolerant().gated("t"));
    }

    #[test]
    fn a_modifier_twice_is_rejected() {
        let repr = FactRepr::Tolerant(Box::new(FactRepr::Tolerant(Box::new(FactRepr::Call(
            "k".into(),
        )))));
        assert_eq!(
            Fact::try_from(repr).unwrap_err().to_string(),
            "the modifier Tolerant appears twice in one fact"
        );
    }

    #[test]
    fn quoted_escapes_what_ron_needs() {
        assert_eq!(quoted("a\"b\\c\nd\u{7}"), r#""a\"b\\c\nd\u{7}""#);
    }
}
