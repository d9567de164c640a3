//! The strict round trip of one planned migration on PostgreSQL 15: a
//! database built from the old schema and its rows, the up applied and its
//! catalog and rows compared with the new schema's, then the down applied and
//! compared with the old schema's.
//!
//! Used by `migrate_roundtrip` (the hand-written cases under `fixtures/diff/`)
//! and `random_schemas` (generated schema pairs).
//!
//! Catalogs are compared through [`super::comparable`] (number-constant
//! defaults spelled either way are equal). After the down, a table that lost
//! a column in the up is compared without column positions: PostgreSQL can
//! only append a re-added column, so its old position is out of any
//! migration's reach; every other column position is compared.

use super::catalog::{self, Catalog};
use super::pg::PgServer;
use super::rows::{self, Renames, Snapshot, TableName};
use std::io::Write;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// One schema change to check: the two schema texts, rows for the old one.
#[derive(Debug, Clone, Copy)]
pub struct Case<'a> {
    /// Names the databases created for it.
    pub name: &'a str,
    pub old: &'a str,
    pub new: &'a str,
    pub data: Option<&'a str>,
    /// `schema.table.column` whose values the up migration transforms on
    /// purpose: not compared after the up, still compared after the round trip.
    pub values_change: &'a [String],
}

/// The catalogs of a fresh load of the old schema (with its rows) and of the
/// new one: what the migrated database must equal.
#[derive(Debug, Clone)]
pub struct Expected {
    pub old: Catalog,
    pub new: Catalog,
}

/// Creates a database named after `name` and runs `scripts` into it in
/// order; on an error the database is dropped and psql's message returned,
/// prefixed with the index of the script that failed.
pub fn load(server: &PgServer, name: &str, scripts: &[&str]) -> Result<String, (usize, String)> {
    let db = server.create_database(name);
    for (i, text) in scripts.iter().enumerate() {
        if let Err(e) = server.psql_file(&db, text) {
            server.drop_database(&db);
            return Err((i, e));
        }
    }
    Ok(db)
}

/// [`Expected`] for a case: its old schema plus rows, and its new schema,
/// each loaded into a database of its own (dropped afterwards). The error
/// says which text PostgreSQL refused (`old.sql`, `data.sql`, `new.sql`).
pub fn expected(server: &PgServer, case: &Case) -> Result<Expected, String> {
    let what = ["old.sql", "data.sql"];
    let mut old_scripts = vec![case.old];
    old_scripts.extend(case.data);
    let old_db = load(server, &format!("{}_old", case.name), &old_scripts)
        .map_err(|(i, e)| format!("{} does not load on PostgreSQL 15:\n{e}", what[i]))?;
    let old = super::comparable(&catalog::catalog(server, &old_db));
    server.drop_database(&old_db);
    let new_db = load(server, &format!("{}_new", case.name), &[case.new])
        .map_err(|(_, e)| format!("new.sql does not load on PostgreSQL 15:\n{e}"))?;
    let new = super::comparable(&catalog::catalog(server, &new_db));
    server.drop_database(&new_db);
    Ok(Expected { old, new })
}

/// What went wrong with a migration, in the order the checks run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The up script stopped with an error (psql's message, with its line).
    UpFailed(String),
    /// After the up, the catalog differs from `new.sql`'s (first = migrated).
    UpCatalog(String),
    /// After the up, rows differ from the original ones.
    UpRows(String),
    DownFailed(String),
    /// After the down, the catalog differs from `old.sql`'s (first = migrated back).
    DownCatalog(String),
    DownRows(String),
}

impl Failure {
    pub fn kind(&self) -> &'static str {
        match self {
            Failure::UpFailed(_) => "up fails",
            Failure::UpCatalog(_) => "catalog after up differs from new.sql",
            Failure::UpRows(_) => "rows lost or changed by up",
            Failure::DownFailed(_) => "down fails",
            Failure::DownCatalog(_) => "catalog after down differs from old.sql",
            Failure::DownRows(_) => "rows lost or changed by the round trip",
        }
    }
    pub fn detail(&self) -> &str {
        match self {
            Failure::UpFailed(s)
            | Failure::UpCatalog(s)
            | Failure::UpRows(s)
            | Failure::DownFailed(s)
            | Failure::DownCatalog(s)
            | Failure::DownRows(s) => s,
        }
    }
}

#[derive(Debug, Default)]
pub struct Timings {
    pub setup: Duration,
    pub up: Duration,
    pub down: Duration,
    pub checks: Duration,
}

/// A migration script and whether it may run as one transaction.
pub struct Script {
    pub sql: String,
    pub one_transaction: bool,
}

impl Script {
    /// A hand-written script: one transaction unless it builds an index `CONCURRENTLY`.
    pub fn hand_written(sql: &str) -> Script {
        Script { sql: sql.to_string(), one_transaction: !sql.to_ascii_uppercase().contains("CONCURRENTLY") }
    }

    /// A planned script: one transaction unless a step says it cannot be in one
    /// (or, belt and braces, uses `CONCURRENTLY`).
    pub fn planned(steps: &[schemashift::plan::Step]) -> Script {
        let sql: String = steps.iter().map(|s| format!("{}\n", s.sql)).collect();
        let one_transaction = steps.iter().all(|s| s.transactional) && !sql.to_ascii_uppercase().contains("CONCURRENTLY");
        Script { sql, one_transaction }
    }
}

/// Runs a migration script like a careful deployment: stop at the first
/// error, all in one transaction when the script allows it.
pub fn apply(server: &PgServer, db: &str, script: &Script) -> Result<(), String> {
    let mut cmd = server.client("psql", db);
    cmd.args(["-X", "-q", "-v", "ON_ERROR_STOP=1"]);
    if script.one_transaction {
        cmd.arg("--single-transaction");
    }
    cmd.args(["-f", "-"]).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| format!("cannot run psql: {e}"))?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    let input = script.sql.as_bytes().to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().map_err(|e| format!("psql: {e}"))?;
    let _ = writer.join();
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{}{}", String::from_utf8_lossy(&out.stderr), String::from_utf8_lossy(&out.stdout)))
    }
}

/// The tables of `before` that lost a column on the way to `after`.
fn tables_losing_columns(before: &Snapshot, after: &Snapshot, renames: &Renames) -> Vec<TableName> {
    before
        .tables
        .iter()
        .filter(|(name, rows)| {
            let new_name = renames.table(name);
            after.tables.get(&new_name).is_some_and(|new_rows| {
                rows.columns.iter().any(|c| {
                    let new_col = renames.column(&new_name, &c.name);
                    !new_rows.columns.iter().any(|n| n.name == new_col)
                })
            })
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// `catalog` without the column positions of `tables`.
pub fn without_positions(server: &PgServer, db: &str, c: &Catalog, tables: &[TableName]) -> Catalog {
    let mut c = c.clone();
    for (schema, table) in tables {
        let prefix = server
            .query(db, &format!("SELECT format('%I.%I.', {}, {})", rows::quote_literal(schema), rows::quote_literal(table)))
            .expect("format() works");
        for (key, fields) in c.objects.iter_mut() {
            if key.kind == "column" && key.name.starts_with(&prefix) {
                fields.remove("position");
            }
        }
    }
    c
}

/// Applies `up` then `down` to a database built from the case's old schema
/// and data, and lists what went wrong (empty: the migration is right; the
/// database is then dropped, else kept for a look). Rows are matched across
/// the up following the rename hints of the new schema.
///
/// # Panics
/// When the old schema or its data do not load: check [`expected`] first.
pub fn check_migration(server: &PgServer, case: &Case, expected: &Expected, up: &Script, down: &Script) -> (Vec<Failure>, Timings) {
    let mut failures = Vec::new();
    let mut t = Timings::default();
    let renames = Renames::from_hints(case.new, "public");
    let keep_all = |table: &TableName, column: Option<&str>| {
        column.is_none_or(|c| !case.values_change.contains(&format!("{}.{}.{c}", table.0, table.1)))
    };

    let started = Instant::now();
    let mut scripts = vec![case.old];
    scripts.extend(case.data);
    let db = load(server, &format!("{}_a", case.name), &scripts)
        .unwrap_or_else(|(i, e)| panic!("{}: {} does not load:\n{e}", case.name, ["old.sql", "data.sql"][i]));
    let original = rows::snapshot(server, &db);
    t.setup = started.elapsed();

    let started = Instant::now();
    let applied = apply(server, &db, up);
    t.up = started.elapsed();
    if let Err(e) = applied {
        failures.push(Failure::UpFailed(e));
        return (failures, t);
    }
    let started = Instant::now();
    let migrated = super::comparable(&catalog::catalog(server, &db));
    if migrated != expected.new {
        failures.push(Failure::UpCatalog(catalog::diff(&migrated, &expected.new)));
    }
    let after_up = rows::snapshot(server, &db);
    let lost = rows::compare(server, &db, &original, &after_up, &renames, &keep_all);
    if !lost.is_empty() {
        failures.push(Failure::UpRows(lost));
    }
    t.checks = started.elapsed();

    let started = Instant::now();
    let applied = apply(server, &db, down);
    t.down = started.elapsed();
    if let Err(e) = applied {
        failures.push(Failure::DownFailed(e));
        return (failures, t);
    }
    let started = Instant::now();
    let reordered = tables_losing_columns(&original, &after_up, &renames);
    let back = without_positions(server, &db, &super::comparable(&catalog::catalog(server, &db)), &reordered);
    let old = without_positions(server, &db, &expected.old, &reordered);
    if back != old {
        failures.push(Failure::DownCatalog(catalog::diff(&back, &old)));
    }
    // Only what the new schema kept can come back: a column or table the up
    // dropped returns empty (or with its default).
    let after_down = rows::snapshot(server, &db);
    let kept = |table: &TableName, column: Option<&str>| {
        let new_table = renames.table(table);
        after_up.tables.get(&new_table).is_some_and(|t| {
            column.is_none_or(|column| {
                let new_column = renames.column(&new_table, column);
                t.columns.iter().any(|c| c.name == new_column)
            })
        })
    };
    let lost = rows::compare(server, &db, &original, &after_down, &Renames::default(), &kept);
    if !lost.is_empty() {
        failures.push(Failure::DownRows(lost));
    }
    t.checks += started.elapsed();
    if failures.is_empty() {
        server.drop_database(&db);
    }
    (failures, t)
}

/// `sql` with line numbers, as psql's error messages count them.
pub fn numbered(sql: &str) -> String {
    sql.lines().enumerate().map(|(i, l)| format!("{:4} | {l}\n", i + 1)).collect()
}

/// A failure report: what went wrong, then both scripts, numbered.
pub fn report(case: &str, failures: &[Failure], up: &Script, down: &Script) -> String {
    let mut text = format!("{case}: {}\n", failures.iter().map(Failure::kind).collect::<Vec<_>>().join("; "));
    for f in failures {
        text.push_str(&format!("\n== {} ==\n{}\n", f.kind(), f.detail().trim_end()));
    }
    let mode = |s: &Script| if s.one_transaction { "one transaction" } else { "no transaction" };
    text.push_str(&format!(
        "\n== up SQL ({}) ==\n{}\n== down SQL ({}) ==\n{}",
        mode(up),
        numbered(&up.sql),
        mode(down),
        numbered(&down.sql)
    ));
    text
}
