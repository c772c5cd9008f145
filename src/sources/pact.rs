//! Pact files, v2 to v4, where the component is the consumer: each HTTP interaction is
//! `Call("METHOD /path")`, the path as the request has it without its query string, or
//! the template another component's OpenAPI source provides when exactly one matches it
//! (`/user/123/reminder` → `/user/{id}/reminder`). Message interactions (v3 `messages`,
//! v4 `Asynchronous/Messages` and `Synchronous/Messages`) are skipped.

use std::path::Path;

use rustc_hash::FxHashMap;
use serde_json::Value;

use crate::plan::{Access, Fact};

use super::{
    Derived, SourceError, Tree, Warning, child, clean_key, natural_cmp, parameter_shape, shown,
    text,
};

/// The v4 type of an HTTP interaction; v2 and v3 interactions have no type and are HTTP.
const HTTP: &str = "Synchronous/HTTP";

/// Reads the Pact file, or every `*.json` Pact file of the folder, at `path` in `tree`.
pub fn read(tree: &dyn Tree, path: &Path, templates: &Templates) -> Result<Derived, SourceError> {
    let file = shown(path);
    let listing = tree.list(path).map_err(|e| SourceError::io(&file, &e))?;
    let Some(entries) = listing else {
        let bytes = tree.read(path).map_err(|e| SourceError::io(&file, &e))?;
        return parse(&file, &bytes, templates);
    };
    let mut names: Vec<String> = entries
        .into_iter()
        .filter(|e| !e.is_dir && e.name.to_ascii_lowercase().ends_with(".json"))
        .map(|e| e.name)
        .collect();
    if names.is_empty() {
        return Err(SourceError::new(
            &file,
            None,
            "no Pact files in this folder: no *.json files",
        ));
    }
    names.sort_by(|a, b| natural_cmp(a, b));
    let mut derived = Derived::default();
    for name in names {
        let shown_name = child(&file, &name);
        let read = tree
            .read(&path.join(&name))
            .map_err(|e| SourceError::io(&shown_name, &e))
            .and_then(|bytes| parse(&shown_name, &bytes, templates));
        match read {
            Ok(one) => derived.extend(one),
            Err(error) => derived.warnings.push(error.into_warning()),
        }
    }
    Ok(derived)
}

/// Reads one Pact file's bytes; `file` names it in warnings and errors.
pub fn parse(file: &str, bytes: &[u8], templates: &Templates) -> Result<Derived, SourceError> {
    let source = text(file, bytes)?;
    let pact: Value = serde_json::from_str(source).map_err(|error| {
        let line = (error.line() > 0).then_some(error.line());
        let message = error.to_string();
        let reason = message
            .rfind(" at line ")
            .map_or(message.as_str(), |at| &message[..at]);
        SourceError::new(file, line, format!("malformed JSON: {reason}"))
    })?;
    let not_a_pact = || {
        SourceError::new(
            file,
            None,
            "not a Pact file: it has neither `interactions` nor `messages`",
        )
    };
    let Value::Object(pact) = pact else {
        return Err(not_a_pact());
    };
    let interactions = match (pact.get("interactions"), pact.get("messages")) {
        (Some(Value::Array(interactions)), _) => interactions.as_slice(),
        (None, Some(Value::Array(_))) => &[],
        (Some(_), _) => {
            return Err(SourceError::new(file, None, "`interactions` is not a list"));
        }
        (None, _) => return Err(not_a_pact()),
    };
    let mut derived = Derived::default();
    for (index, interaction) in interactions.iter().enumerate() {
        match call(interaction, templates) {
            Ok(Some(fact)) => derived.facts.push(fact),
            Ok(None) => {}
            Err(why) => {
                let description = interaction
                    .get("description")
                    .and_then(Value::as_str)
                    .map(|d| format!(" \"{}\"", clean_key(d)))
                    .unwrap_or_default();
                derived.warnings.push(Warning::new(
                    file,
                    None,
                    format!("interaction {}{description}: {why}; skipped", index + 1),
                ));
            }
        }
    }
    Ok(derived)
}

/// The call an HTTP interaction makes; `None` for a message interaction.
fn call(interaction: &Value, templates: &Templates) -> Result<Option<Fact>, String> {
    let Value::Object(interaction) = interaction else {
        return Err("it is not an object".into());
    };
    match interaction.get("type") {
        None => {}
        Some(Value::String(kind)) if kind == HTTP => {}
        Some(Value::String(_)) => return Ok(None),
        Some(_) => return Err("its `type` is not a string".into()),
    }
    let Some(request) = interaction.get("request").and_then(Value::as_object) else {
        return Err("it has no `request`".into());
    };
    let Some(method) = request.get("method").and_then(Value::as_str) else {
        return Err("its request has no `method`".into());
    };
    let Some(path) = request.get("path").and_then(Value::as_str) else {
        return Err("its request has no `path`".into());
    };
    let method = clean_key(method).to_ascii_uppercase();
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let path = clean_key(path);
    if method.is_empty() || path.is_empty() {
        return Err("its request has an empty method or path".into());
    }
    let key = match templates.resolve(&method, &path) {
        Some(template) => template.to_string(),
        None => format!("{method} {path}"),
    };
    Ok(Some(Fact::call(key)))
}

/// `METHOD /path` split in two, for a key that has that shape.
pub fn endpoint(key: &str) -> Option<(&str, &str)> {
    let (method, path) = key.trim().split_once(' ')?;
    let path = path.trim();
    (path.starts_with('/') && !method.is_empty() && method.bytes().all(|b| b.is_ascii_alphabetic()))
        .then_some((method, path))
}

/// Endpoint templates (`GET /user/{id}`) that concrete paths are matched to.
#[derive(Debug, Clone, Default)]
pub struct Templates {
    by_method: FxHashMap<String, Vec<Template>>,
}

#[derive(Debug, Clone)]
struct Template {
    key: String,
    segments: Vec<Segment>,
    /// How many segments have no parameter.
    literal: usize,
}

#[derive(Debug, Clone)]
enum Segment {
    Literal(String),
    /// Literal text and `{parameters}`: `{name}.json`, `v{major}.{minor}`.
    Pattern(Vec<Part>),
}

#[derive(Debug, Clone)]
enum Part {
    Text(String),
    Parameter,
}

impl Templates {
    /// The templates among keys of the shape `METHOD /path`.
    pub fn from_keys<'a>(keys: impl IntoIterator<Item = &'a str>) -> Templates {
        let mut templates = Templates::default();
        for key in keys {
            let Some((method, path)) = endpoint(key) else {
                continue;
            };
            let segments: Vec<Segment> = path.split('/').map(segment).collect();
            let literal = segments
                .iter()
                .filter(|s| matches!(s, Segment::Literal(_)))
                .count();
            templates
                .by_method
                .entry(method.to_ascii_uppercase())
                .or_default()
                .push(Template {
                    key: key.trim().to_string(),
                    segments,
                    literal,
                });
        }
        templates
    }

    /// The templates among the keys of `Provide` facts.
    pub fn from_facts<'a>(facts: impl IntoIterator<Item = &'a Fact>) -> Templates {
        Templates::from_keys(
            facts
                .into_iter()
                .filter(|f| f.access == Access::Provide)
                .map(|f| f.key.as_str()),
        )
    }

    pub fn is_empty(&self) -> bool {
        self.by_method.is_empty()
    }

    /// The key of the template a concrete request matches, segment by segment: the one
    /// match, or among several the one with the most segments without parameters; `None`
    /// when nothing matches or the best are different endpoints. (Templates that differ
    /// only in the names of their parameters are one endpoint; the first in order is
    /// taken, and [`super::respell`] gives it the plan's spelling.)
    pub fn resolve(&self, method: &str, path: &str) -> Option<&str> {
        let candidates = self.by_method.get(&method.to_ascii_uppercase())?;
        let segments: Vec<&str> = path.split('/').collect();
        let mut best: Option<&Template> = None;
        let mut tied = false;
        for template in candidates {
            if !matches(template, &segments) {
                continue;
            }
            match best {
                Some(b) if b.literal > template.literal => {}
                Some(b) if b.literal == template.literal => {
                    // Templates that differ only in their parameters' names are one
                    // endpoint: the first in order stands for them.
                    if parameter_shape(&b.key) != parameter_shape(&template.key) {
                        tied = true;
                    } else if template.key < b.key {
                        best = Some(template);
                    }
                }
                _ => {
                    best = Some(template);
                    tied = false;
                }
            }
        }
        if tied {
            return None;
        }
        best.map(|t| t.key.as_str())
    }
}

fn segment(text: &str) -> Segment {
    if !text.contains('{') {
        return Segment::Literal(text.to_string());
    }
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        if open > 0 {
            parts.push(Part::Text(rest[..open].to_string()));
        }
        parts.push(Part::Parameter);
        rest = &rest[open + close + 1..];
    }
    if !rest.is_empty() {
        parts.push(Part::Text(rest.to_string()));
    }
    Segment::Pattern(parts)
}

fn matches(template: &Template, segments: &[&str]) -> bool {
    template.segments.len() == segments.len()
        && template
            .segments
            .iter()
            .zip(segments)
            .all(|(pattern, text)| match pattern {
                Segment::Literal(literal) => literal == text,
                Segment::Pattern(parts) => matches_parts(parts, text),
            })
}

/// Whether `text` is the parts, each parameter standing for at least one character.
/// A parameter is "one character, then any number": the usual wildcard walk, which
/// goes back only to the last parameter, so it takes time in proportion to the
/// pattern's length times the text's, however many parameters a segment has.
fn matches_parts(parts: &[Part], text: &str) -> bool {
    #[derive(PartialEq)]
    enum Token {
        Char(char),
        One,
        Any,
    }
    let mut pattern = Vec::new();
    for part in parts {
        match part {
            Part::Text(literal) => pattern.extend(literal.chars().map(Token::Char)),
            Part::Parameter => pattern.extend([Token::One, Token::Any]),
        }
    }
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    let mut back: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(Token::One) => {
                p += 1;
                t += 1;
            }
            Some(Token::Char(c)) if *c == text[t] => {
                p += 1;
                t += 1;
            }
            Some(Token::Any) => {
                back = Some((p, t));
                p += 1;
            }
            _ => match back {
                Some((star, from)) => {
                    p = star + 1;
                    t = from + 1;
                    back = Some((star, from + 1));
                }
                None => return false,
            },
        }
    }
    while pattern.get(p) == Some(&Token::Any) {
        p += 1;
    }
    p == pattern.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn templates(keys: &[&str]) -> Templates {
        Templates::from_keys(keys.iter().copied())
    }

    #[test]
    fn a_concrete_path_matches_its_template() {
        let t = templates(&[
            "GET /user/{id}/reminder",
            "GET /user/{id}",
            "GET /user/me",
            "POST /user/{id}/reminder",
            "GET /files/{name}.json",
            "GET /a/{x}/c",
            "GET /a/b/{y}",
        ]);
        assert_eq!(
            t.resolve("GET", "/user/123/reminder"),
            Some("GET /user/{id}/reminder")
        );
        assert_eq!(t.resolve("get", "/user/123"), Some("GET /user/{id}"));
        assert_eq!(t.resolve("GET", "/user/me"), Some("GET /user/me"));
        assert_eq!(t.resolve("DELETE", "/user/1"), None);
        assert_eq!(
            t.resolve("GET", "/files/report.json"),
            Some("GET /files/{name}.json")
        );
        assert_eq!(t.resolve("GET", "/files/.json"), None);
        assert_eq!(t.resolve("GET", "/user/1/2"), None);
        // Both have two literal segments: no one template to prefer.
        assert_eq!(t.resolve("GET", "/a/b/c"), None);
        let wild = templates(&["GET /v/{a}-{b}.{c}", "GET /w/{a}{b}{c}{d}{e}{f}{g}{h}x"]);
        assert_eq!(
            wild.resolve("GET", "/v/one-two.three"),
            Some("GET /v/{a}-{b}.{c}")
        );
        assert_eq!(wild.resolve("GET", "/v/one-two"), None);
        assert_eq!(wild.resolve("GET", "/v/-two.three"), None);
        let long = "y".repeat(20_000);
        assert_eq!(wild.resolve("GET", &format!("/w/{long}")), None);
        assert_eq!(
            wild.resolve("GET", &format!("/w/{long}x")),
            Some("GET /w/{a}{b}{c}{d}{e}{f}{g}{h}x")
        );
        let same = templates(&["GET /u/{userId}", "GET /u/{id}", "GET /u/{x}"]);
        assert_eq!(same.resolve("GET", "/u/1"), Some("GET /u/{id}"));
    }

    #[test]
    fn interactions_of_every_version_become_calls() {
        let pact = r#"{"interactions": [
            {"description": "v2", "request": {"method": "get", "path": "/user/7?x=1"}},
            {"type": "Synchronous/HTTP", "request": {"method": "POST", "path": "/user/7/reminder"}},
            {"type": "Asynchronous/Messages", "contents": {}},
            {"description": "broken", "request": {"path": "/x"}}
        ], "messages": [{"description": "m"}]}"#;
        let t = templates(&["POST /user/{id}/reminder"]);
        let derived = parse("p.json", pact.as_bytes(), &t)
            .expect("reads")
            .finish();
        let facts: Vec<String> = derived.facts.iter().map(|f| f.to_string()).collect();
        assert_eq!(
            facts,
            [
                "Call(\"GET /user/7\")",
                "Call(\"POST /user/{id}/reminder\")"
            ]
        );
        let warnings: Vec<String> = derived.warnings.iter().map(|w| w.to_string()).collect();
        assert_eq!(
            warnings,
            ["p.json: interaction 4 \"broken\": its request has no `method`; skipped"]
        );
    }

    #[test]
    fn a_file_that_is_not_a_pact_is_an_error() {
        let error = |text: &str| {
            parse("p.json", text.as_bytes(), &Templates::default())
                .expect_err("an error")
                .to_string()
        };
        assert_eq!(
            error("{\"a\": 1}"),
            "p.json: not a Pact file: it has neither `interactions` nor `messages`"
        );
        assert_eq!(
            error("[1]"),
            "p.json: not a Pact file: it has neither `interactions` nor `messages`"
        );
        assert!(error("{\n\"interactions\": [}").starts_with("p.json:2: malformed JSON"));
    }

    #[test]
    fn endpoints_are_method_space_path() {
        assert_eq!(endpoint("GET /a"), Some(("GET", "/a")));
        assert_eq!(endpoint("users.id"), None);
        assert_eq!(endpoint("topic x v2"), None);
    }
}
