//! Hand-written PostgreSQL schemas against what `pg_dump --schema-only` makes
//! of them, on a real PostgreSQL 15.
//!
//! For every case under `fixtures/pgdump/<case>/schema.sql` (and one large
//! generated schema) three things are checked, each its own test:
//!
//! - `loads_deterministically`: the schema loads, and loading it again into a
//!   second database gives an equal catalog: the catalog comparison itself is
//!   deterministic, so its verdicts below mean something.
//! - `dump_restores_same_catalog`: the `pg_dump` output loaded into a third
//!   database gives the same catalog as the hand-written file: the two texts
//!   describe the same database, so the reader must make them equal models.
//! - `reader_roundtrip`: the reader turns both texts into equal models.
//! - `inspect_output_restores_same_catalog`: `inspect --format sql` of the
//!   model loads into a database with the same catalog, and reads back (as
//!   SQL, and as canonical JSON) into an equal model.
//!
//! The server is shared by the whole binary (see `support::pg`); each case
//! loads its schema once (cached per case) and every test uses fresh databases.
//! They are not dropped: the server and its data directory (in memory) go
//! away with the test binary, and a `DROP DATABASE` costs another psql run.

use crate::support;

use serde_json::Value;
use std::sync::OnceLock;
use std::time::Instant;
use support::catalog::{self, Catalog};
use support::pg::{self, PgServer};

/// The name of the generated case (no fixture file: see `support::big_schema`).
const BIG: &str = "big_generated";

/// A case's schema loaded once into its own database, with its dump.
struct Loaded {
    sql: String,
    dump: String,
    catalog: Catalog,
}

fn schema_sql(case: &str) -> String {
    if case == BIG { support::big_schema::big_schema_sql() } else { support::pgdump_fixture(case) }
}

fn load(server: &PgServer, case: &str, sql: &str) -> String {
    let db = server.create_database(case);
    let started = Instant::now();
    if let Err(e) = server.psql_file(&db, sql) {
        panic!("{case}: the schema does not load on PostgreSQL 15:\n{e}");
    }
    eprintln!("{case}: loaded into {db} in {:?}", started.elapsed());
    db
}

fn loaded(server: &PgServer, case: &str, cell: &'static OnceLock<Loaded>) -> &'static Loaded {
    cell.get_or_init(|| {
        let sql = schema_sql(case);
        let db = load(server, case, &sql);
        let dump = server.pg_dump_schema(&db);
        let started = Instant::now();
        let catalog = catalog::catalog(server, &db);
        eprintln!("{case}: catalog read in {:?}", started.elapsed());
        assert!(catalog.count("table") + catalog.count("view") > 0, "{case}: the catalog lists no table or view: {catalog:#?}");
        let mut kinds: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
        for key in catalog.objects.keys() {
            *kinds.entry(key.kind.as_str()).or_default() += 1;
        }
        eprintln!("{case}: catalog {kinds:?}");
        Loaded { sql, dump, catalog }
    })
}

fn loads_deterministically(server: &PgServer, case: &str, first: &Loaded) {
    let db = load(server, case, &first.sql);
    let second = catalog::catalog(server, &db);
    assert!(
        first.catalog == second,
        "{case}: the same script loaded twice gives different catalogs:\n{}",
        catalog::diff(&first.catalog, &second)
    );
}

fn dump_restores_same_catalog(server: &PgServer, case: &str, first: &Loaded) {
    let db = server.create_database(&format!("{case}_restored"));
    if let Err(e) = server.psql_file(&db, &first.dump) {
        panic!("{case}: the pg_dump output does not load:\n{e}");
    }
    // A schema-only dump creates every materialized view WITH NO DATA:
    // whether one is populated is data, which such a dump does not carry.
    let restored = catalog::catalog(server, &db).without("populated");
    let original = first.catalog.without("populated");
    assert!(
        original == restored,
        "{case}: the database restored from pg_dump differs from the one built from schema.sql \
         (first = from schema.sql, second = from the dump):\n{}",
        catalog::diff(&original, &restored)
    );
}

// ---------------------------------------------------------------------------
// `schemashift inspect`: its SQL rebuilds the database, its JSON the model.

fn inspect_output_restores_same_catalog(server: &PgServer, case: &str, first: &Loaded) {
    let (model, _) = read_model("schema.sql", &first.sql).unwrap_or_else(|e| panic!("{case}: {e}"));

    // --format sql: loaded into a fresh database, the same catalog.
    let rendered = schemashift::dialect::postgres::render::render_schema(&model);
    let saved = save_text(&format!("{case}.inspect.sql"), &rendered);
    let db = server.create_database(&format!("{case}_inspect"));
    if let Err(e) = server.psql_file(&db, &rendered) {
        panic!("{case}: the output of inspect --format sql ({saved}) does not load:\n{e}");
    }
    let rebuilt = comparable(&catalog::catalog(server, &db));
    let original = comparable(&first.catalog);
    assert!(
        original == rebuilt,
        "{case}: the database built from inspect --format sql ({saved}) differs from the one built from schema.sql \
         (first = schema.sql, second = inspect output):\n{}",
        catalog::diff(&original, &rebuilt)
    );
    // Reading the rendered SQL back gives the same model.
    let (reread, _) = read_model(&saved, &rendered).unwrap_or_else(|e| panic!("{case}: reading {saved}: {e}"));
    assert!(reread == model, "{case}: the model of the inspect SQL differs from the model of schema.sql");

    // --format json: the canonical JSON reads back into an equal model.
    let json = schemashift::emit::json::to_canonical_json(&model);
    let back = schemashift::read::json::read_json(&format!("{case}.json"), &json).unwrap_or_else(|e| panic!("{case}: {e}"));
    assert!(back == model, "{case}: the canonical JSON does not read back into an equal model");
}

/// The catalog without what the model deliberately does not carry, so that
/// the comparison is about everything else:
/// - an extension's comment (the model leaves it to the extension; pg_dump
///   repeats the default, so it cannot tell a user's comment from it);
/// - how a number constant default is spelled: PostgreSQL prints the same
///   value `0`, `(0)::numeric` or `'0'::numeric` depending on how it was written.
fn comparable(c: &Catalog) -> Catalog {
    let mut c = c.clone();
    for (key, fields) in c.objects.iter_mut() {
        if key.kind == "extension" {
            fields.remove("comment");
        }
        if let Some(d) = fields.get_mut("default") {
            *d = support::number_constant(d).unwrap_or_else(|| d.clone());
        }
    }
    c
}

// ---------------------------------------------------------------------------
// The reader round trip.

/// Reads one SQL text with the library: the model and the warnings as text.
fn read_model(path: &str, text: &str) -> Result<(schemashift::model::Schema, Vec<String>), String> {
    match support::read_sql(path, text) {
        Ok((schema, warnings)) => Ok((schema, warnings.iter().map(|w| format!("{w:?}")).collect())),
        Err(e) => Err(format!("{e:?}")),
    }
}

fn reader_roundtrip(case: &str, first: &Loaded) {
    let source_path = if case == BIG { format!("<generated {BIG}>") } else { format!("fixtures/pgdump/{case}/schema.sql") };
    let dump_path = format!("{case}.pg_dump.sql");
    let started = Instant::now();
    let written = read_model(&source_path, &first.sql);
    let dumped = read_model(&dump_path, &first.dump);
    eprintln!("{case}: both texts read in {:?}", started.elapsed());
    let saved_dump = save_text(&format!("{case}.pg_dump.sql"), &first.dump);
    let ((written, written_warnings), (dumped, dumped_warnings)) = match (written, dumped) {
        (Ok(w), Ok(d)) => (w, d),
        (w, d) => panic!(
            "{case}: the reader rejects {}:\n  {source_path}: {}\n  the pg_dump output ({saved_dump}): {}",
            if w.is_err() && d.is_err() { "both texts" } else { "one text" },
            w.err().unwrap_or_else(|| "read fine".into()),
            d.err().unwrap_or_else(|| "read fine".into()),
        ),
    };
    // A schema-only dump declares every materialized view WITH NO DATA:
    // whether one holds data is not part of what a schema dump carries.
    let (mut written, mut dumped) = (written, dumped);
    for v in written.views.values_mut().chain(dumped.views.values_mut()) {
        v.with_no_data = false;
    }
    if written == dumped {
        return;
    }
    let a = without_locations(serde_json::to_value(&written).expect("model serializes"));
    let b = without_locations(serde_json::to_value(&dumped).expect("model serializes"));
    let mut differences = Vec::new();
    json_diff("", &a, &b, &mut differences);
    let pretty_a = serde_json::to_string_pretty(&a).unwrap();
    let pretty_b = serde_json::to_string_pretty(&b).unwrap();
    let saved_a = save_text(&format!("{case}.schema.model.json"), &pretty_a);
    let saved_b = save_text(&format!("{case}.pg_dump.model.json"), &pretty_b);
    panic!(
        "{case}: the model of schema.sql (first) and of its pg_dump (second) differ in {} places:\n{}\n\
         differing lines of the pretty JSON (- schema.sql, + pg_dump):\n{}\n\
         warnings reading schema.sql: {written_warnings:#?}\nwarnings reading the dump: {dumped_warnings:#?}\n\
         full models: {saved_a} and {saved_b}; the dump: {saved_dump}",
        differences.len(),
        shown(&differences, 100),
        line_diff(&pretty_a, &pretty_b, 150),
    )
}

/// The first `max` lines, and how many were left out.
fn shown(lines: &[String], max: usize) -> String {
    let mut text = lines.iter().take(max).cloned().collect::<Vec<_>>().join("\n");
    if lines.len() > max {
        text.push_str(&format!("\n  … {} more", lines.len() - max));
    }
    text
}

/// Writes a text next to the test binary's scratch files and returns its path.
fn save_text(name: &str, text: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("pg_dump_roundtrip").join(name);
    let _ = std::fs::create_dir_all(path.parent().unwrap());
    match std::fs::write(&path, text) {
        Ok(()) => path.display().to_string(),
        Err(e) => format!("(not saved: {e})"),
    }
}

/// Drops every `location` field: where an object was written differs between
/// the two texts by nature, and model equality ignores it too.
fn without_locations(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            Value::Object(map.into_iter().filter(|(k, _)| k != "location").map(|(k, v)| (k, without_locations(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(without_locations).collect()),
        other => other,
    }
}

/// Lists differences as `path: first ≠ second`. Arrays of objects with a
/// `name` (columns, arguments) are matched by name, so one missing column
/// reads as one difference rather than a shift of every later one.
fn json_diff(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    if a == b {
        return;
    }
    match (a, b) {
        (Value::Object(ma), Value::Object(mb)) => {
            let keys: std::collections::BTreeSet<&String> = ma.keys().chain(mb.keys()).collect();
            for k in keys {
                let sub = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                match (ma.get(k), mb.get(k)) {
                    (Some(va), Some(vb)) => json_diff(&sub, va, vb, out),
                    (Some(va), None) => out.push(format!("  {sub}: {} ≠ (absent)", short(va))),
                    (None, Some(vb)) => out.push(format!("  {sub}: (absent) ≠ {}", short(vb))),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(xa), Value::Array(xb)) if named(xa) && named(xb) => {
            let name = |v: &Value| v.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
            let names_a: Vec<String> = xa.iter().map(name).collect();
            let names_b: Vec<String> = xb.iter().map(name).collect();
            for (i, va) in xa.iter().enumerate() {
                match xb.iter().find(|vb| name(vb) == names_a[i]) {
                    Some(vb) => json_diff(&format!("{path}[{}]", names_a[i]), va, vb, out),
                    None => out.push(format!("  {path}[{}]: {} ≠ (absent)", names_a[i], short(va))),
                }
            }
            for (i, vb) in xb.iter().enumerate() {
                if !names_a.contains(&names_b[i]) {
                    out.push(format!("  {path}[{}]: (absent) ≠ {}", names_b[i], short(vb)));
                }
            }
            let common_a: Vec<&String> = names_a.iter().filter(|n| names_b.contains(n)).collect();
            let common_b: Vec<&String> = names_b.iter().filter(|n| names_a.contains(n)).collect();
            if common_a != common_b {
                out.push(format!("  {path} (order): {common_a:?} ≠ {common_b:?}"));
            }
        }
        (Value::Array(xa), Value::Array(xb)) if xa.len() == xb.len() => {
            for (i, (va, vb)) in xa.iter().zip(xb).enumerate() {
                json_diff(&format!("{path}[{i}]"), va, vb, out);
            }
        }
        _ => out.push(format!("  {path}: {} ≠ {}", short(a), short(b))),
    }
}

fn named(items: &[Value]) -> bool {
    !items.is_empty() && items.iter().all(|v| v.get("name").is_some_and(Value::is_string))
}

fn short(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 600 { format!("{}…", text.chars().take(600).collect::<String>()) } else { text }
}

/// The lines that differ between two texts, unified-diff style with a line
/// of context, after trimming the common beginning and end.
fn line_diff(a: &str, b: &str, max_lines: usize) -> String {
    let la: Vec<&str> = a.lines().collect();
    let lb: Vec<&str> = b.lines().collect();
    let prefix = la.iter().zip(&lb).take_while(|(x, y)| x == y).count();
    let suffix = la[prefix..].iter().rev().zip(lb[prefix..].iter().rev()).take_while(|(x, y)| x == y).count();
    let (ma, mb) = (&la[prefix..la.len() - suffix], &lb[prefix..lb.len() - suffix]);
    let mut out = Vec::new();
    if ma.len().saturating_mul(mb.len()) > 16_000_000 {
        out.extend(ma.iter().map(|l| format!("-{l}")));
        out.extend(mb.iter().map(|l| format!("+{l}")));
    } else {
        // Longest common subsequence over the differing middle.
        let (n, m) = (ma.len(), mb.len());
        let mut lcs = vec![vec![0u32; m + 1]; n + 1];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[i][j] = if ma[i] == mb[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n || j < m {
            if i < n && j < m && ma[i] == mb[j] {
                out.push(format!(" {}", ma[i]));
                i += 1;
                j += 1;
            } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
                out.push(format!("+{}", mb[j]));
                j += 1;
            } else {
                out.push(format!("-{}", ma[i]));
                i += 1;
            }
        }
    }
    let total = out.len();
    let mut text = format!("@@ after line {prefix} @@\n");
    for line in out.into_iter().take(max_lines) {
        text.push_str(&line);
        text.push('\n');
    }
    if total > max_lines {
        text.push_str(&format!("… {} more lines\n", total - max_lines));
    }
    text
}

// ---------------------------------------------------------------------------
// The cases.

macro_rules! cases {
    ($($case:ident),* $(,)?) => {
        /// Every hand-written case, by directory name.
        const CASES: &[&str] = &[$(stringify!($case)),*];

        $(
            mod $case {
                use super::*;

                static LOADED: OnceLock<Loaded> = OnceLock::new();

                #[test]
                #[cfg_attr(pg_missing, ignore = "needs PostgreSQL 15 server binaries (initdb, pg_ctl) — not found; set CI=1 to make this a failure")]
                fn loads_deterministically() {
                    let Some(server) = pg::server() else { return };
                    super::loads_deterministically(server, stringify!($case), loaded(server, stringify!($case), &LOADED));
                }

                #[test]
                #[cfg_attr(pg_missing, ignore = "needs PostgreSQL 15 server binaries (initdb, pg_ctl) — not found; set CI=1 to make this a failure")]
                fn dump_restores_same_catalog() {
                    let Some(server) = pg::server() else { return };
                    super::dump_restores_same_catalog(server, stringify!($case), loaded(server, stringify!($case), &LOADED));
                }

                #[test]
                #[cfg_attr(pg_missing, ignore = "needs PostgreSQL 15 server binaries (initdb, pg_ctl) — not found; set CI=1 to make this a failure")]
                fn inspect_output_restores_same_catalog() {
                    let Some(server) = pg::server() else { return };
                    super::inspect_output_restores_same_catalog(server, stringify!($case), loaded(server, stringify!($case), &LOADED));
                }

                #[test]
                #[cfg_attr(pg_missing, ignore = "needs PostgreSQL 15 server binaries (initdb, pg_ctl) — not found; set CI=1 to make this a failure")]
                fn reader_roundtrip() {
                    let Some(server) = pg::server() else { return };
                    super::reader_roundtrip(stringify!($case), loaded(server, stringify!($case), &LOADED));
                }
            }
        )*
    };
}

cases!(
    comments_grants,
    constraints,
    django_app,
    extensions,
    fk_cycles,
    functions_triggers,
    indexes,
    inheritance,
    multi_schema_search_path,
    partitioning,
    pg_dump_forms,
    quoted_identifiers,
    rails_app,
    sequences_identity,
    types_enums_domains,
    using_index,
    views,
    big_generated,
);

#[test]
fn every_fixture_directory_has_its_tests() {
    let listed: Vec<&str> = CASES.iter().copied().filter(|c| *c != BIG).collect();
    let on_disk = support::pgdump_cases();
    assert_eq!(on_disk, listed, "add the new fixtures/pgdump/<case> directories to the cases! list (sorted)");
}

#[test]
fn big_generated_schema_is_big() {
    let sql = support::big_schema::big_schema_sql();
    let tables = sql.matches("CREATE TABLE ").count();
    assert!(tables >= 320, "only {tables} tables");
    assert!(sql.contains("REFERENCES") && sql.contains("CREATE INDEX") && sql.contains("CREATE VIEW"));
    assert_eq!(sql, support::big_schema::big_schema_sql(), "the generator must be deterministic");
}

// ---------------------------------------------------------------------------
// The comparison can fail: databases differing in exactly one thing.

const BASE: &str = "
CREATE TYPE color AS ENUM ('red', 'green', 'blue');
CREATE TABLE paint (
    id integer PRIMARY KEY,
    shade color NOT NULL,
    coats integer DEFAULT 1,
    mixed_at timestamptz
);
CREATE INDEX paint_coats ON paint (coats) WHERE coats > 0;
COMMENT ON TABLE paint IS 'Paint pots';
";

#[test]
#[cfg_attr(pg_missing, ignore = "needs PostgreSQL 15 server binaries (initdb, pg_ctl) — not found; set CI=1 to make this a failure")]
fn catalogs_differ_when_one_thing_differs() {
    let Some(server) = pg::server() else { return };
    let variants: &[(&str, &str, &str, &str)] = &[
        ("column default", "DEFAULT 1", "DEFAULT 2", "column public.paint.coats"),
        ("index predicate", "WHERE coats > 0", "WHERE coats > 1", "index public.paint_coats"),
        ("enum label order", "('red', 'green', 'blue')", "('red', 'blue', 'green')", "enum public.color"),
        ("comment", "'Paint pots'", "'Paint tins'", "table public.paint"),
    ];
    let base_db = load(server, "one_difference_base", BASE);
    let base = catalog::catalog(server, &base_db);
    let again_db = load(server, "one_difference_again", BASE);
    assert_eq!(base, catalog::catalog(server, &again_db), "control: the same script twice must give equal catalogs");

    for (what, from, to, object) in variants {
        assert!(BASE.contains(from), "{what}: {from:?} not in the base script");
        let db = load(server, &format!("one_difference_{what}"), &BASE.replace(from, to));
        let changed = catalog::catalog(server, &db);
        assert_ne!(base, changed, "{what}: the catalogs compare equal");
        let diff = catalog::diff(&base, &changed);
        let changed_objects: Vec<&str> = diff.lines().filter(|l| !l.starts_with(' ')).collect();
        assert_eq!(changed_objects, vec![format!("~ {object}")], "{what}: expected exactly {object} to differ, got:\n{diff}");
        server.drop_database(&db);
    }
    server.drop_database(&base_db);
    server.drop_database(&again_db);
}

/// Inheritance as the catalog sees it: which table declares a column or a
/// CHECK (attislocal, conislocal), NO INHERIT, and the parents' order. A
/// model that got any of these wrong must not pass a round trip.
const INHERITANCE_BASE: &str = "
CREATE TABLE parent (id integer, note text, CONSTRAINT parent_id_check CHECK (id > 0));
CREATE TABLE other (id integer);
CREATE TABLE child (extra integer) INHERITS (parent, other);
";

#[test]
#[cfg_attr(pg_missing, ignore = "needs PostgreSQL 15 server binaries (initdb, pg_ctl) — not found; set CI=1 to make this a failure")]
fn catalogs_see_inheritance() {
    let Some(server) = pg::server() else { return };
    let variants: &[(&str, &str, &str, &[&str])] = &[
        ("column declared by the child", "(extra integer)", "(extra integer, note text)", &["~ column public.child.note"]),
        (
            "CHECK declared by the child",
            "(extra integer)",
            "(extra integer, CONSTRAINT parent_id_check CHECK (id > 0))",
            &["~ constraint public.child.parent_id_check"],
        ),
        (
            "NO INHERIT",
            "CHECK (id > 0)",
            "CHECK (id > 0) NO INHERIT",
            &["- constraint public.child.parent_id_check (only in the first)", "~ constraint public.parent.parent_id_check"],
        ),
        ("parents' order", "INHERITS (parent, other)", "INHERITS (other, parent)", &["~ table public.child"]),
        ("one parent less", "INHERITS (parent, other)", "INHERITS (parent)", &["~ column public.child.id", "~ table public.child"]),
    ];
    let base_db = load(server, "inheritance_base", INHERITANCE_BASE);
    let base = catalog::catalog(server, &base_db);
    for (what, from, to, objects) in variants {
        assert!(INHERITANCE_BASE.contains(from), "{what}: {from:?} not in the base script");
        let db = load(server, &format!("inheritance_{what}"), &INHERITANCE_BASE.replace(from, to));
        let diff = catalog::diff(&base, &catalog::catalog(server, &db));
        let changed_objects: Vec<&str> = diff.lines().filter(|l| !l.starts_with(' ')).collect();
        assert_eq!(changed_objects, *objects, "{what}: expected exactly {objects:?} to differ, got:\n{diff}");
        server.drop_database(&db);
    }
    server.drop_database(&base_db);
}

#[test]
#[cfg_attr(pg_missing, ignore = "needs PostgreSQL 15 server binaries (initdb, pg_ctl) — not found; set CI=1 to make this a failure")]
fn psql_errors_name_the_line() {
    let Some(server) = pg::server() else { return };
    let db = server.create_database("psql_errors");
    let err = server.psql_file(&db, "CREATE TABLE ok (id int);\nCREATE TABLE broken (id nosuchtype);\nCREATE TABLE never (id int);\n").unwrap_err();
    assert!(err.contains(":2: ERROR:") && err.contains("nosuchtype"), "{err}");
    assert_eq!(server.query(&db, "SELECT count(*) FROM pg_class WHERE relname IN ('ok', 'never')").unwrap(), "1", "ON_ERROR_STOP stops at the error");
    server.drop_database(&db);
}
