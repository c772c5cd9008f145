//! OpenAPI 3.0, 3.1 (and 3.2) and Swagger 2.0 documents, YAML or JSON: every operation
//! under `paths` is `Provide("METHOD /path")`, the method upper-case and the path template
//! as written (`servers` and Swagger's `basePath` are not prefixed).
//!
//! The document is not built into a tree: a few visitors pick out `openapi`, `swagger`,
//! `paths` (each path item's keys) and `components.pathItems` (which a 3.1 path item's
//! `$ref` may name), and skip everything else unread, so a 20 MB description is read in
//! one pass without holding its schemas.

use std::fmt;
use std::path::Path;

use rustc_hash::FxHashMap;
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::plan::Fact;

use super::{Derived, SourceError, Tree, Warning, clean_key, shown, text};

/// The operations of a path item, as OpenAPI names them.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The other fixed fields of a path item, which are not operations.
const PATH_ITEM_FIELDS: [&str; 5] = ["summary", "description", "servers", "parameters", "$ref"];

/// Where a 3.1 path item's `$ref` may point inside the document.
const PATH_ITEMS_REF: &str = "#/components/pathItems/";

/// Reads the document at `path` in `tree`.
pub fn read(tree: &dyn Tree, path: &Path) -> Result<Derived, SourceError> {
    let file = shown(path);
    let bytes = tree.read(path).map_err(|e| SourceError::io(&file, &e))?;
    parse(&file, &bytes)
}

/// Reads a document's bytes; `file` names it in warnings and errors.
pub fn parse(file: &str, bytes: &[u8]) -> Result<Derived, SourceError> {
    let source = text(file, bytes)?;
    let document = if source.trim_start().starts_with('{') {
        serde_json::from_str::<Document>(source).map_err(|error| {
            let line = (error.line() > 0).then_some(error.line());
            SourceError::new(
                file,
                line,
                format!("malformed JSON: {}", json_reason(&error)),
            )
        })?
    } else {
        yaml_serde::from_str::<Document>(source).map_err(|error| {
            let line = error.location().map(|at| at.line());
            SourceError::new(
                file,
                line,
                format!("malformed YAML: {}", yaml_reason(&error)),
            )
        })?
    };
    document.facts(file, source)
}

/// serde_json's message without its own ` at line L column C` (the line is reported
/// beside it).
fn json_reason(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// yaml_serde's message without its own position (the line is reported beside it).
fn yaml_reason(error: &yaml_serde::Error) -> String {
    let text = error.to_string();
    match text.find(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// What a document holds that matters here.
#[derive(Debug, Default)]
struct Document {
    openapi: Option<Scalar>,
    swagger: Option<Scalar>,
    paths: Option<Items>,
    path_items: Option<Items>,
    /// The document is not a map at all.
    not_a_map: bool,
}

impl Document {
    fn facts(self, file: &str, source: &str) -> Result<Derived, SourceError> {
        let error = |message: String| SourceError::new(file, None, message);
        if self.not_a_map {
            return Err(error(
                "not an OpenAPI document: it is not a map of fields".into(),
            ));
        }
        match (&self.openapi, &self.swagger) {
            (Some(version), _) => {
                if !version.text().starts_with("3.") {
                    return Err(error(format!(
                        "OpenAPI version `{}` is not read; 3.0, 3.1 and Swagger 2.0 are",
                        clean_key(version.text())
                    )));
                }
            }
            (None, Some(version)) => {
                if version.text() != "2.0" {
                    return Err(error(format!(
                        "Swagger version `{}` is not read; 2.0 is",
                        clean_key(version.text())
                    )));
                }
            }
            (None, None) => {
                return Err(error(
                    "not an OpenAPI document: it has no `openapi` or `swagger` field".into(),
                ));
            }
        }
        let paths = match self.paths {
            None => {
                return Err(error(
                    "the OpenAPI document has no `paths`, so it provides no endpoints".into(),
                ));
            }
            Some(Items::NotAMap) => return Err(error("`paths` is not a map".into())),
            Some(Items::Map(paths)) => paths,
        };
        let shared: FxHashMap<String, PathItem> = match self.path_items {
            Some(Items::Map(items)) => items.into_iter().collect(),
            _ => FxHashMap::default(),
        };
        let mut derived = Derived::default();
        let mut problems: Vec<(String, String)> = Vec::new();
        for (path, item) in paths {
            if path.starts_with("x-") {
                continue;
            }
            if !path.starts_with('/') {
                problems.push((
                    path.clone(),
                    format!(
                        "path `{}` does not start with `/`; skipped",
                        clean_key(&path)
                    ),
                ));
                continue;
            }
            operations(&path, &item, &shared, &mut derived.facts, &mut problems);
        }
        if !problems.is_empty() {
            let lines = key_lines(source);
            derived.warnings = problems
                .into_iter()
                .map(|(key, message)| Warning::new(file, lines.get(key.as_str()).copied(), message))
                .collect();
        }
        Ok(derived)
    }
}

/// The operations of the path item at `path`, following a `$ref` into
/// `components.pathItems`.
fn operations(
    path: &str,
    item: &PathItem,
    shared: &FxHashMap<String, PathItem>,
    facts: &mut Vec<Fact>,
    problems: &mut Vec<(String, String)>,
) {
    let shown_path = clean_key(path);
    let mut item = item;
    let mut seen = Vec::new();
    loop {
        let PathItem::Map { keys, reference } = item else {
            if !matches!(item, PathItem::Empty) {
                problems.push((
                    path.to_string(),
                    format!("path `{shown_path}`: its item is not a map; skipped"),
                ));
            }
            return;
        };
        for key in keys {
            if METHODS.contains(&key.as_str()) {
                facts.push(Fact::provide(format!(
                    "{} {shown_path}",
                    key.to_ascii_uppercase()
                )));
            } else if !PATH_ITEM_FIELDS.contains(&key.as_str()) && !key.starts_with("x-") {
                problems.push((
                    path.to_string(),
                    format!(
                        "path `{shown_path}`: `{}` is not an operation; skipped",
                        clean_key(key)
                    ),
                ));
            }
        }
        let Some(reference) = reference else {
            return;
        };
        let target = reference
            .strip_prefix(PATH_ITEMS_REF)
            .and_then(|name| shared.get(name).map(|item| (name, item)));
        match target {
            Some((name, target)) if !seen.contains(&name) => {
                seen.push(name);
                item = target;
            }
            Some(_) => {
                problems.push((
                    path.to_string(),
                    format!("path `{shown_path}`: its `$ref` goes round in a circle"),
                ));
                return;
            }
            None => {
                problems.push((
                    path.to_string(),
                    format!(
                        "path `{shown_path}`: `$ref: {}` is not followed (only refs to \
                         {PATH_ITEMS_REF}… in this document are); its operations are skipped",
                        clean_key(reference)
                    ),
                ));
                return;
            }
        }
    }
}

/// The line each key first appears on as `key:` or `"key":`, to say where a warning
/// is. Found by looking at the text, since the parsers do not report where values are.
fn key_lines(source: &str) -> FxHashMap<&str, usize> {
    let mut lines = FxHashMap::default();
    for (index, line) in source.lines().enumerate() {
        let line = line.trim_start();
        let key = if let Some(quoted) = line.strip_prefix('"') {
            quoted.split_once("\":").map(|(key, _)| key)
        } else if let Some(quoted) = line.strip_prefix('\'') {
            quoted.split_once("':").map(|(key, _)| key)
        } else {
            line.split_once(':').map(|(key, _)| key.trim_end())
        };
        if let Some(key) = key {
            lines.entry(key).or_insert(index + 1);
        }
    }
    lines
}

/// A scalar field's text (`3.0.3`, or `3` for an unquoted YAML number).
#[derive(Debug, Clone)]
enum Scalar {
    Text(String),
    Other,
}

impl Scalar {
    fn text(&self) -> &str {
        match self {
            Scalar::Text(text) => text,
            Scalar::Other => "",
        }
    }
}

/// A map of names to path items (`paths`, `components.pathItems`), or something else.
#[derive(Debug)]
enum Items {
    Map(Vec<(String, PathItem)>),
    NotAMap,
}

/// A path item: its keys (and its `$ref`), nothing (`/a:` with no value), or not a map.
#[derive(Debug)]
enum PathItem {
    Map {
        keys: Vec<String>,
        reference: Option<String>,
    },
    Empty,
    NotAMap,
}

/// Visitor methods that take any value other than a map (or a unit, which `unit` is made
/// of) as `other`, consuming it.
macro_rules! anything_else {
    ($other:expr, $unit:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($unit)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($unit)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok($other)
        }
    };
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a scalar")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar::Text(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar::Text(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar::Text(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar::Text(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar::Text(v.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
                Ok(Scalar::Other)
            }
            fn visit_none<E: de::Error>(self) -> Result<Scalar, E> {
                Ok(Scalar::Other)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Scalar::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Scalar::Other)
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Document {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Document;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an OpenAPI document")
            }
            anything_else!(
                Document {
                    not_a_map: true,
                    ..Document::default()
                },
                Document {
                    not_a_map: true,
                    ..Document::default()
                }
            );
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Document, A::Error> {
                let mut document = Document::default();
                while let Some(key) = map.next_key::<Scalar>()? {
                    match key.text() {
                        "openapi" => document.openapi = Some(map.next_value()?),
                        "swagger" => document.swagger = Some(map.next_value()?),
                        "paths" => document.paths = Some(map.next_value()?),
                        "components" => {
                            document.path_items = map.next_value::<Components>()?.0;
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(document)
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// `components`, of which only `pathItems` matters.
struct Components(Option<Items>);

impl<'de> Deserialize<'de> for Components {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Components;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("components")
            }
            anything_else!(Components(None), Components(None));
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Components, A::Error> {
                let mut items = None;
                while let Some(key) = map.next_key::<Scalar>()? {
                    if key.text() == "pathItems" {
                        items = Some(map.next_value()?);
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(Components(items))
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Items {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Items;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map of path items")
            }
            anything_else!(Items::NotAMap, Items::Map(Vec::new()));
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Items, A::Error> {
                let mut items = Vec::new();
                while let Some(key) = map.next_key::<Scalar>()? {
                    let item: PathItem = map.next_value()?;
                    if let Scalar::Text(key) = key {
                        items.push((key, item));
                    }
                }
                Ok(Items::Map(items))
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for PathItem {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = PathItem;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a path item")
            }
            anything_else!(PathItem::NotAMap, PathItem::Empty);
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PathItem, A::Error> {
                let mut keys = Vec::new();
                let mut reference = None;
                while let Some(key) = map.next_key::<Scalar>()? {
                    if key.text() == "$ref" {
                        if let Scalar::Text(to) = map.next_value::<Scalar>()? {
                            reference = Some(to);
                        }
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                    if let Scalar::Text(key) = key {
                        keys.push(key);
                    }
                }
                Ok(PathItem::Map { keys, reference })
            }
        }
        deserializer.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<String> {
        let derived = parse("api.yaml", text.as_bytes()).expect("reads").finish();
        derived.facts.iter().map(|f| f.to_string()).collect()
    }

    fn error(text: &str) -> String {
        parse("api.yaml", text.as_bytes())
            .expect_err("an error")
            .to_string()
    }

    #[test]
    fn every_operation_is_provided_with_its_template_as_written() {
        let text = "openapi: 3.0.3\npaths:\n  /user/{id}:\n    parameters: []\n    get: {}\n    \
                    delete: {}\n    x-internal: true\n  /b:\n    servers: []\n    post:\n      \
                    responses:\n        200: {description: ok}\n";
        assert_eq!(
            keys(text),
            [
                "Provide(\"DELETE /user/{id}\")",
                "Provide(\"GET /user/{id}\")",
                "Provide(\"POST /b\")"
            ]
        );
    }

    #[test]
    fn json_and_swagger_are_read_too() {
        let text = r#"{"swagger": "2.0", "basePath": "/v1", "paths": {"/pets": {"get": {}}}}"#;
        assert_eq!(keys(text), ["Provide(\"GET /pets\")"]);
    }

    #[test]
    fn not_openapi_and_malformed_documents_are_errors() {
        assert_eq!(
            error("title: x\npaths: {}\n"),
            "api.yaml: not an OpenAPI document: it has no `openapi` or `swagger` field"
        );
        assert_eq!(
            error("openapi: 3.1.0\ninfo: {}\n"),
            "api.yaml: the OpenAPI document has no `paths`, so it provides no endpoints"
        );
        assert!(
            error("openapi: 3.0.0\npaths:\n  /a: [\n").starts_with("api.yaml:4: malformed YAML")
        );
        assert!(
            error("{\"openapi\": \"3.0.0\",\n\"paths\": {,}}")
                .starts_with("api.yaml:2: malformed JSON")
        );
        assert_eq!(
            error("- a\n- b\n"),
            "api.yaml: not an OpenAPI document: it is not a map of fields"
        );
        assert_eq!(
            error("swagger: '1.2'\npaths: {}\n"),
            "api.yaml: Swagger version `1.2` is not read; 2.0 is"
        );
    }

    #[test]
    fn odd_path_items_are_warnings_with_their_line() {
        let text = "openapi: 3.1.0\npaths:\n  /a:\n    get: {}\n    fetch: {}\n  b:\n    get: {}\n  \
                    /c: 7\n  /d:\n  /e:\n    $ref: '#/components/pathItems/E'\n  /f:\n    \
                    $ref: 'other.yaml#/x'\ncomponents:\n  pathItems:\n    E:\n      put: {}\n";
        let derived = parse("api.yaml", text.as_bytes()).expect("reads").finish();
        let facts: Vec<String> = derived.facts.iter().map(|f| f.to_string()).collect();
        assert_eq!(facts, ["Provide(\"GET /a\")", "Provide(\"PUT /e\")"]);
        let warnings: Vec<String> = derived.warnings.iter().map(|w| w.to_string()).collect();
        assert_eq!(
            warnings,
            [
                "api.yaml:3: path `/a`: `fetch` is not an operation; skipped",
                "api.yaml:6: path `b` does not start with `/`; skipped",
                "api.yaml:8: path `/c`: its item is not a map; skipped",
                "api.yaml:12: path `/f`: `$ref: other.yaml#/x` is not followed (only refs to \
                 #/components/pathItems/… in this document are); its operations are skipped",
            ]
        );
    }
}
