//! The sources a repository's files suggest, offered while components are laid out: its
//! OpenAPI documents, its folders of SQL migrations (and `.sql` files on their own), its
//! pact files (their folder when it holds several). Found from the names git knows (or,
//! outside git, a bounded walk) and the first bytes of YAML and JSON files.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::process::Command;

use crate::plan::{Dialect, Source};

/// At most this many files are named; a monorepo beyond it is searched in its first part.
const MAX_FILES: usize = 50_000;
/// At most this many YAML and JSON files are opened to see what they are.
const MAX_SNIFFED: usize = 5_000;
/// How much of a file tells whether it is an OpenAPI document or a pact.
const SNIFF_BYTES: u64 = 4096;

/// The sources found under `root`, OpenAPI documents first, then SQL, then pacts, each
/// sorted by path (relative to `root`, with `/`).
pub fn discover(root: &Path) -> Vec<Source> {
    let files = git_files(root).unwrap_or_else(|| walk(root));
    let mut openapi = Vec::new();
    let mut sql: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut pacts: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut sniffed = 0;
    for file in &files {
        let lower = file.to_ascii_lowercase();
        let (dir, name) = match lower.rsplit_once('/') {
            Some((dir, name)) => (&file[..dir.len()], name),
            None => ("", lower.as_str()),
        };
        if name.ends_with(".sql") {
            if name.ends_with(".down.sql") || name == "down.sql" {
                continue;
            }
            // A migration in a folder of its own (`2024_x/up.sql`) belongs to the folder
            // above.
            let folder = if name == "up.sql" {
                dir.rsplit_once('/').map_or("", |(above, _)| above)
            } else {
                dir
            };
            sql.entry(folder.to_string())
                .or_default()
                .push(file.clone());
            continue;
        }
        let data = [".yaml", ".yml", ".json"].iter().any(|e| name.ends_with(e));
        if !data || sniffed >= MAX_SNIFFED {
            continue;
        }
        sniffed += 1;
        let Some(head) = head(&root.join(file)) else {
            continue;
        };
        if is_openapi(&head) {
            openapi.push(Source::OpenApi(file.clone()));
        } else if name.ends_with(".json") && is_pact(&head) {
            pacts.entry(dir.to_string()).or_default().push(file.clone());
        }
    }
    let mut found = openapi;
    for (dir, files) in sql {
        let dialect = dialect_of(&dir);
        if files.len() > 1 && !dir.is_empty() {
            found.push(Source::Sql(dir, dialect));
        } else {
            found.extend(files.into_iter().map(|f| Source::Sql(f, dialect)));
        }
    }
    for (dir, files) in pacts {
        if files.len() > 1 && !dir.is_empty() {
            found.push(Source::Pact(dir));
        } else {
            found.extend(files.into_iter().map(Source::Pact));
        }
    }
    found
}

/// The dialect a folder's name says (`db/mysql`, `sqlite/migrations`); Postgres else.
fn dialect_of(dir: &str) -> Dialect {
    let dir = dir.to_ascii_lowercase();
    if dir.contains("mysql") || dir.contains("mariadb") {
        Dialect::MySql
    } else if dir.contains("sqlite") {
        Dialect::Sqlite
    } else {
        Dialect::Postgres
    }
}

/// The files git tracks or would track (untracked, not ignored), relative to `root`.
fn git_files(root: &Path) -> Option<Vec<String>> {
    let output = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(root)
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let mut files: Vec<String> = output
        .stdout
        .split(|&b| b == 0)
        .filter(|name| !name.is_empty())
        .filter_map(|name| std::str::from_utf8(name).ok())
        .take(MAX_FILES)
        .map(str::to_string)
        .collect();
    files.sort();
    files.dedup();
    Some(files)
}

/// Outside git: the files under `root`, hidden folders and build output left out.
fn walk(root: &Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut folders = vec![String::new()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(root.join(&folder)) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            let path = if folder.is_empty() {
                name.clone()
            } else {
                format!("{folder}/{name}")
            };
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                let skipped = name.starts_with('.') || ["target", "node_modules"].contains(&&*name);
                if !skipped {
                    folders.push(path);
                }
            } else if kind.is_file() {
                files.push(path);
            }
            if files.len() >= MAX_FILES {
                files.sort();
                return files;
            }
        }
    }
    files.sort();
    files
}

/// The first bytes of a file, as text.
fn head(path: &Path) -> Option<String> {
    let file = std::fs::File::open(path).ok()?;
    let mut bytes = Vec::new();
    file.take(SNIFF_BYTES).read_to_end(&mut bytes).ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// An `openapi` or `swagger` field at the top of a YAML document, or anywhere in the
/// first bytes of a JSON one.
fn is_openapi(head: &str) -> bool {
    let yaml = head.lines().any(|line| {
        let line = line.trim_end();
        ["openapi:", "swagger:", "\"openapi\":", "'openapi':"]
            .iter()
            .any(|field| line.starts_with(field))
    });
    yaml || head.contains("\"openapi\"") || head.contains("\"swagger\"")
}

/// A pact names its consumer and its provider.
fn is_pact(head: &str) -> bool {
    head.contains("\"consumer\"") && head.contains("\"provider\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, path: &str, text: &str) {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("folder");
        std::fs::write(path, text).expect("written");
    }

    #[test]
    fn a_repository_offers_its_documents_migrations_and_pacts() {
        let dir = tempfile::TempDir::new().expect("temp dir");
        let root = dir.path();
        write(root, "api/openapi.yaml", "openapi: 3.0.3\npaths: {}\n");
        write(
            root,
            "api/spec.json",
            "{\"swagger\": \"2.0\", \"paths\": {}}",
        );
        write(root, "api/config.yaml", "name: not an api\n");
        write(root, "db/migrations/V1__a.sql", "create table a (id int);");
        write(root, "db/migrations/V2__b.sql", "create table b (id int);");
        write(root, "db/migrations/V2__b.down.sql", "drop table b;");
        write(root, "legacy/mysql/schema.sql", "create table c (id int);");
        write(root, "diesel/2024_a/up.sql", "create table d (id int);");
        write(root, "diesel/2024_b/up.sql", "create table e (id int);");
        write(root, "diesel/2024_b/down.sql", "drop table e;");
        write(
            root,
            "web/pacts/web-api.json",
            "{\"consumer\": {\"name\": \"web\"}, \"provider\": {\"name\": \"api\"}}",
        );
        write(
            root,
            "web/pacts/web-auth.json",
            "{\"consumer\": {\"name\": \"web\"}, \"provider\": {\"name\": \"auth\"}}",
        );
        write(
            root,
            "worker/pact.json",
            "{\"consumer\": {\"name\": \"worker\"}, \"provider\": {\"name\": \"api\"}}",
        );
        write(root, "target/openapi.yaml", "openapi: 3.1.0\n");
        write(root, ".hidden/openapi.yaml", "openapi: 3.1.0\n");
        let found: Vec<String> = discover(root).iter().map(Source::arg).collect();
        assert_eq!(
            found,
            [
                "openapi:api/openapi.yaml",
                "openapi:api/spec.json",
                "sql:db/migrations",
                "sql:diesel",
                "sql+mysql:legacy/mysql/schema.sql",
                "pact:web/pacts",
                "pact:worker/pact.json",
            ]
        );
    }
}
