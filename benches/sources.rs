//! What reading sources costs (issue 12's budgets): a generated 5 MB OpenAPI document,
//! YAML (under 300 ms) and JSON, and a generated folder of 500 Postgres migrations read
//! from disk and replayed (under 1 s).

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use storyplan::sources::{Dialect, WorkTree, openapi, sql};

const DOCUMENT_BYTES: usize = 5 * 1024 * 1024;
const MIGRATIONS: usize = 500;

/// An OpenAPI 3.0 document of about `bytes` bytes, shaped like real ones: parameters,
/// request bodies and responses with inline schemas, and `$ref`s into components.
fn yaml_document(bytes: usize) -> String {
    let mut text = String::from(
        "openapi: 3.0.3\ninfo:\n  title: Generated\n  version: '1.0'\ncomponents:\n  schemas:\n    \
         Error:\n      type: object\n      properties:\n        message: {type: string}\npaths:\n",
    );
    let mut i = 0;
    while text.len() < bytes {
        let _ = write!(
            text,
            "  /things/{{thingId}}/parts-{i}/{{partId}}:
    parameters:
      - {{name: thingId, in: path, required: true, schema: {{type: string}}}}
      - {{name: partId, in: path, required: true, schema: {{type: integer}}}}
    get:
      operationId: getPart{i}
      summary: Reads part {i} of a thing, with its size and colour
      responses:
        '200':
          description: the part
          content:
            application/json:
              schema:
                type: object
                required: [id, size]
                properties:
                  id: {{type: string, format: uuid}}
                  size: {{type: integer, minimum: 0}}
                  colour: {{type: string, enum: [red, green, blue]}}
        '404':
          description: no such part
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/Error'}}
    put:
      operationId: putPart{i}
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                size: {{type: integer}}
      responses:
        '204': {{description: stored}}
    delete:
      responses:
        '204': {{description: gone}}
"
        );
        i += 1;
    }
    text
}

/// The same document as JSON.
fn json_document(yaml: &str) -> String {
    let value: serde_json::Value = yaml_serde::from_str(yaml).expect("the generated YAML reads");
    serde_json::to_string_pretty(&value).expect("serialises")
}

/// Migration `i` of a generated history: a table with its columns, an index, a column
/// added to an earlier table, data, and now and then a PL/pgSQL function, a rename or a
/// DO block.
fn migration(i: usize) -> String {
    let mut text = format!(
        "-- Migration {i}: the things of kind {i}.\n\
         CREATE TABLE IF NOT EXISTS things_{i} (\n    id bigserial PRIMARY KEY,\n    \
         owner_id uuid NOT NULL,\n    name text NOT NULL DEFAULT 'thing; {i}',\n    \
         size integer CHECK (size >= 0),\n    created_at timestamptz NOT NULL DEFAULT now(),\n    \
         updated_at timestamptz,\n    notes text\n);\n\
         CREATE INDEX things_{i}_owner ON things_{i} (owner_id);\n\
         INSERT INTO things_{i} (owner_id, name) VALUES (gen_random_uuid(), 'it''s {i}');\n\
         COMMENT ON TABLE things_{i} IS 'generated';\n"
    );
    if i > 0 {
        let _ = writeln!(
            text,
            "ALTER TABLE things_{} ADD COLUMN extra_{i} jsonb;",
            i / 2
        );
    }
    if i % 7 == 3 {
        let _ = writeln!(
            text,
            "ALTER TABLE things_{i} RENAME COLUMN notes TO remarks;"
        );
    }
    if i % 10 == 5 {
        let _ = write!(
            text,
            "CREATE OR REPLACE FUNCTION touch_{i}() RETURNS trigger LANGUAGE plpgsql AS $$\n\
             BEGIN\n    NEW.updated_at := now();\n    RETURN NEW;\nEND;\n$$;\n\
             CREATE TRIGGER things_{i}_touch BEFORE UPDATE ON things_{i}\n    \
             FOR EACH ROW EXECUTE FUNCTION touch_{i}();\n"
        );
    }
    if i.is_multiple_of(25) {
        text.push_str("DO $$ BEGIN PERFORM pg_sleep(0); END $$;\n");
    }
    text
}

fn write_migrations(dir: &Path) {
    for i in 0..MIGRATIONS {
        let name = format!("V{}__things_{i}.sql", i + 1);
        std::fs::write(dir.join(name), migration(i)).expect("write a migration");
    }
}

fn openapi_documents(c: &mut Criterion) {
    let yaml = yaml_document(DOCUMENT_BYTES);
    let json = json_document(&yaml);
    let mut group = c.benchmark_group("openapi_5mb");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(8));
    group.throughput(Throughput::Bytes(yaml.len() as u64));
    group.bench_function("yaml", |b| {
        b.iter(|| openapi::parse("big.yaml", black_box(yaml.as_bytes())).expect("reads"));
    });
    group.throughput(Throughput::Bytes(json.len() as u64));
    group.bench_function("json", |b| {
        b.iter(|| openapi::parse("big.json", black_box(json.as_bytes())).expect("reads"));
    });
    group.finish();
}

fn migration_folder(c: &mut Criterion) {
    let dir = tempfile::TempDir::new().expect("a temporary folder");
    write_migrations(dir.path());
    let tree = WorkTree::new(dir.path());
    let mut group = c.benchmark_group("sql_migrations");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("500", |b| {
        b.iter(|| {
            let derived = sql::read(&tree, Path::new(""), Dialect::Postgres).expect("reads");
            assert_eq!(derived.warnings.len(), MIGRATIONS / 25);
            derived
        });
    });
    group.finish();
}

criterion_group!(bench, openapi_documents, migration_folder);
criterion_main!(bench);
