//! Generated schema pairs (`support::random_schema`) through the pipeline,
//! checked two ways:
//!
//! - `generated_pairs_plan_without_panic_or_internal_error`: many pairs,
//!   in-process and fast: both sides read, and planning both ways (which
//!   replays each plan on the model) neither panics nor fails internally
//!   (exit 70) nor refuses the pair.
//! - `generated_pairs_round_trip_on_postgres`: fewer pairs, each on the tests'
//!   PostgreSQL 15 with rows: the up gives the new schema's catalog and keeps
//!   the rows, the down gives the old schema's catalog back
//!   (`support::roundtrip`, as for the fixtures).
//!
//! Case `i` of a run uses seed `SCHEMASHIFT_RANDOM_SEED + i` (default seed
//! 1); `SCHEMASHIFT_RANDOM_CASES` and `SCHEMASHIFT_RANDOM_PG_CASES` set how
//! many cases each test runs. A failure prints its seed, the mutations, both
//! schemas and the rows; `SCHEMASHIFT_RANDOM_SEED=<seed>
//! SCHEMASHIFT_RANDOM_CASES=1 SCHEMASHIFT_RANDOM_PG_CASES=1` runs it alone. A
//! long local run:
//!
//! ```sh
//! CI=true SCHEMASHIFT_RANDOM_CASES=200000 SCHEMASHIFT_RANDOM_PG_CASES=5000 SCHEMASHIFT_RANDOM_SEED=$RANDOM \
//!     cargo test --release --test it random_schemas:: -- --nocapture
//! ```

use crate::support;

use schemashift::ErrorKind;
use schemashift::model::Schema;
use std::panic::AssertUnwindSafe;
use std::time::Instant;
use support::random_schema::{self, Pair};
use support::roundtrip::{self, Script};

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn seeds(cases_var: &str, default_cases: u64) -> std::ops::Range<u64> {
    let first = env_number("SCHEMASHIFT_RANDOM_SEED", 1);
    first..first + env_number(cases_var, default_cases)
}

fn read(path: &str, sql: &str) -> schemashift::Result<Schema> {
    support::read_sql(path, sql).map(|(s, _)| s)
}

/// Everything needed to reproduce a case.
fn describe(pair: &Pair) -> String {
    format!(
        "seed {} (rerun: SCHEMASHIFT_RANDOM_SEED={} SCHEMASHIFT_RANDOM_CASES=1 SCHEMASHIFT_RANDOM_PG_CASES=1), mutations {:?}\n\
         --- old.sql\n{}--- new.sql\n{}--- data.sql\n{}",
        pair.seed, pair.seed, pair.mutations, pair.old, pair.new, pair.rows
    )
}

/// Reads both sides and plans both ways, online, and keeping copies of
/// what is destroyed, catching panics; the plan of old to new.
fn pipeline(pair: &Pair) -> Result<schemashift::plan::Plan, String> {
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| -> Result<schemashift::plan::Plan, String> {
        let old = read("old.sql", &pair.old).map_err(|e| format!("the old side does not read ({:?}): {e}", e.kind))?;
        let new = read("new.sql", &pair.new).map_err(|e| format!("the new side does not read ({:?}): {e}", e.kind))?;
        let internal = |e: schemashift::Error| {
            if e.kind == ErrorKind::Internal { format!("internal error (exit 70): {e}") } else { format!("planning fails ({:?}): {e}", e.kind) }
        };
        let up = schemashift::plan::plan(&old, &new).map_err(internal)?;
        schemashift::plan::plan(&new, &old).map_err(|e| format!("backwards: {}", internal(e)))?;
        // The online plan, and the migrations generate cuts it into (each
        // part planned and the whole sequence replayed).
        let options = schemashift::plan::Options { online: Some(Default::default()), ..Default::default() };
        let online = schemashift::plan::plan_with(&old, &new, &options).map_err(|e| format!("online: {}", internal(e)))?;
        let rules = schemashift::generate::segment::Rules::new(false, schemashift::model::Dialect::Postgres, None);
        if !online.is_empty() {
            schemashift::generate::units(&old, &new, &online, rules, true).map_err(|e| format!("online migrations: {}", internal(e)))?;
        }
        // And in expand/contract phases.
        let phased = schemashift::plan::Options { phases: true, ..Default::default() };
        let phases = schemashift::plan::plan_with(&old, &new, &phased).map_err(|e| format!("phases: {}", internal(e)))?;
        if !phases.is_empty() {
            schemashift::generate::units(&old, &new, &phases, rules, true).map_err(|e| format!("phased migrations: {}", internal(e)))?;
        }
        // The plan that keeps a copy of what it destroys, and its migrations
        // (the copies are data: every part's down puts back its own).
        let options = schemashift::plan::Options { preserve_data: true, ..Default::default() };
        let preserving = schemashift::plan::plan_with(&old, &new, &options).map_err(|e| format!("preserving: {}", internal(e)))?;
        if !preserving.is_empty() {
            let rules = schemashift::generate::segment::Rules::new(false, schemashift::model::Dialect::Postgres, None);
            schemashift::generate::units(&old, &new, &preserving, rules, false).map_err(|e| format!("preserving migrations: {}", internal(e)))?;
        }
        Ok(up)
    }));
    match result {
        Ok(r) => r,
        Err(payload) => Err(format!(
            "panic: {}",
            payload.downcast_ref::<String>().cloned().or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default()
        )),
    }
}

/// Fails listing the first few problems, each with its case.
fn assert_none(what: &str, total: usize, problems: &[(String, Pair)]) {
    if problems.is_empty() {
        return;
    }
    let mut text = format!("{} of {total} generated pairs: {what}\n", problems.len());
    // A tally by first line, object names blanked, to see the distinct problems.
    let mut kinds: std::collections::BTreeMap<String, Vec<u64>> = Default::default();
    for (problem, pair) in problems {
        let line = problem.lines().next().unwrap_or("");
        let shape: String =
            line.split(' ').map(|w| if w.contains(['_', '.']) || w.contains(|c: char| c.is_ascii_digit()) { "<…>" } else { w }).collect::<Vec<_>>().join(" ");
        kinds.entry(shape).or_default().push(pair.seed);
    }
    for (shape, seeds) in &kinds {
        text.push_str(&format!("{:5} × {shape} (seeds {:?})\n", seeds.len(), &seeds[..seeds.len().min(5)]));
    }
    // The first few in full, and as files to run the CLI on.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target").join("random_schemas");
    for (problem, pair) in problems.iter().take(3) {
        text.push_str(&format!("\n===== {problem}\n{}\n", describe(pair)));
        let case = dir.join(format!("seed_{}", pair.seed));
        if std::fs::create_dir_all(&case).is_ok() {
            for (file, content) in [("old.sql", &pair.old), ("new.sql", &pair.new), ("data.sql", &pair.rows), ("problem.txt", problem)] {
                let _ = std::fs::write(case.join(file), content);
            }
            text.push_str(&format!("(written to {})\n", case.display()));
        }
    }
    panic!("{text}");
}

#[test]
fn generated_pairs_plan_without_panic_or_internal_error() {
    let started = Instant::now();
    // Silent on this thread only: the other tests of the binary run beside
    // this one, and their panic messages must still show.
    let quiet = std::thread::current().id();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() != quiet {
            previous(info)
        }
    }));
    let mut problems = Vec::new();
    let mut steps = 0usize;
    // About 20 ms a pair unoptimized, 5 ms in release.
    let seeds = seeds("SCHEMASHIFT_RANDOM_CASES", if cfg!(debug_assertions) { 1000 } else { 5000 });
    let total = seeds.clone().count();
    for seed in seeds {
        let pair = random_schema::generate(seed);
        match pipeline(&pair) {
            Ok(plan) => steps += plan.up.len(),
            Err(problem) => problems.push((problem, pair)),
        }
    }
    let _ = std::panic::take_hook();
    eprintln!(
        "random schemas, model pipeline: {total} pairs, {steps} up steps, {} failing, {:.1?}",
        problems.len(),
        started.elapsed()
    );
    assert_none("fail in the model pipeline", total, &problems);
}

/// What one pair did on PostgreSQL.
enum PgOutcome {
    Passed { rows: usize },
    EmptyPlan,
    Failed(String),
}

fn round_trip(server: &support::pg::PgServer, pair: &Pair) -> PgOutcome {
    let name = format!("random_{}", pair.seed);
    let case = roundtrip::Case { name: &name, old: &pair.old, new: &pair.new, data: Some(&pair.rows), values_change: &[] };
    // The generator's promise first: both sides and the rows load.
    let expected = match roundtrip::expected(server, &case) {
        Ok(e) => e,
        Err(e) => return PgOutcome::Failed(format!("generator bug: {e}")),
    };
    let plan = match pipeline(pair) {
        Ok(plan) => plan,
        Err(problem) => return PgOutcome::Failed(problem),
    };
    if plan.is_empty() {
        if expected.old != expected.new {
            let diff = support::catalog::diff(&expected.old, &expected.new);
            return PgOutcome::Failed(format!("the plan is empty, the catalogs differ:\n{diff}"));
        }
        return PgOutcome::EmptyPlan;
    }
    let (up, down) = (Script::planned(&plan.up), Script::planned(&plan.down));
    let (failures, _) = roundtrip::check_migration(server, &case, &expected, &up, &down);
    if failures.is_empty() {
        PgOutcome::Passed { rows: pair.rows.matches("\n    (").count() }
    } else {
        PgOutcome::Failed(roundtrip::report(&name, &failures, &up, &down))
    }
}

#[test]
#[cfg_attr(pg_missing, ignore = "needs PostgreSQL 15 server binaries (initdb, pg_ctl) — not found; set CI=1 to make this a failure")]
fn generated_pairs_round_trip_on_postgres() {
    let Some(server) = support::pg::server() else { return };
    let started = Instant::now();
    let seeds: Vec<u64> = seeds("SCHEMASHIFT_RANDOM_PG_CASES", 300).collect();
    // Most of the time is spent waiting for psql: a few cases at once.
    let jobs = env_number("SCHEMASHIFT_RANDOM_PG_JOBS", 4).max(1) as usize;
    let outcomes: Vec<(Pair, PgOutcome)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..jobs)
            .map(|j| {
                let seeds = &seeds;
                scope.spawn(move || {
                    seeds.iter().skip(j).step_by(jobs).map(|s| {
                        let pair = random_schema::generate(*s);
                        let outcome = round_trip(server, &pair);
                        (pair, outcome)
                    }).collect::<Vec<_>>()
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().expect("a worker panicked")).collect()
    });
    let (mut empty, mut rows, mut problems) = (0usize, 0usize, Vec::new());
    for (pair, outcome) in outcomes {
        match outcome {
            PgOutcome::Passed { rows: n } => rows += n,
            PgOutcome::EmptyPlan => empty += 1,
            PgOutcome::Failed(problem) => problems.push((problem, pair)),
        }
    }
    problems.sort_by_key(|(_, pair)| pair.seed);
    eprintln!(
        "random schemas, PostgreSQL round trip: {} pairs ({empty} with an empty plan), {rows} rows kept through up and down, \
         {} failing, {jobs} at once, {:.1?}",
        seeds.len(),
        problems.len(),
        started.elapsed()
    );
    assert_none("fail the PostgreSQL round trip", seeds.len(), &problems);
}

/// Whether the generator covers what it claims to: over 200 seeds, every kind
/// of object and type appears in old and new schemas, every mutation is
/// applied, and a seed always gives the same pair.
#[test]
fn the_generator_produces_variety() {
    type Feature = (&'static str, fn(&str) -> bool);
    let features: &[Feature] = &[
        ("table", |s| s.contains("CREATE TABLE")),
        ("second schema", |s| s.contains("CREATE SCHEMA app")),
        ("enum", |s| s.contains("AS ENUM")),
        ("domain", |s| s.contains("CREATE DOMAIN")),
        ("domain check", |s| s.contains("CHECK (VALUE")),
        ("view", |s| s.contains("CREATE VIEW")),
        ("view over a view", |s| {
            let views: Vec<&str> = s.lines().filter_map(|l| l.strip_prefix("CREATE VIEW ")).filter_map(|l| l.split(' ').next()).collect();
            s.lines().filter(|l| l.starts_with("CREATE VIEW")).any(|l| views.iter().any(|v| l.contains(&format!("FROM {v}"))))
        }),
        ("index", |s| s.contains("CREATE INDEX")),
        ("unique index", |s| s.contains("CREATE UNIQUE INDEX")),
        ("expression index", |s| s.contains("(lower(")),
        ("partial index", |s| s.lines().any(|l| l.contains("INDEX") && l.contains(" WHERE "))),
        ("primary key", |s| s.contains("PRIMARY KEY")),
        ("unique", |s| s.contains(" UNIQUE")),
        ("check", |s| s.contains("CHECK (") && !s.contains("CHECK (VALUE")),
        ("foreign key", |s| s.contains("REFERENCES")),
        ("foreign key after the tables", |s| s.contains("FOREIGN KEY") && s.contains("ALTER TABLE")),
        ("not null", |s| s.contains("NOT NULL")),
        ("constant default", |s| s.contains("DEFAULT 0") || s.contains("DEFAULT 'abc'")),
        ("cast default", |s| s.contains("DEFAULT '") && s.contains("'::")),
        ("function default", |s| s.contains("now()") || s.contains("gen_random_uuid()") || s.contains("CURRENT_")),
        ("smallint", |s| s.contains(" smallint") || s.contains(" int2")),
        ("integer", |s| s.contains(" integer") || s.contains(" int4") || s.contains(" int ")),
        ("bigint", |s| s.contains(" bigint") || s.contains(" int8")),
        ("numeric", |s| s.contains(" numeric(")),
        ("text", |s| s.contains(" text")),
        ("varchar", |s| s.contains("varchar(") || s.contains("character varying(")),
        ("boolean", |s| s.contains(" bool")),
        ("date", |s| s.contains(" date")),
        ("timestamptz", |s| s.contains(" timestamptz") || s.contains(" timestamp with time zone")),
        ("uuid", |s| s.contains(" uuid")),
        ("jsonb", |s| s.contains(" jsonb")),
        ("integer array", |s| s.contains("int[]") || s.contains("integer[]")),
    ];
    let mut missing_old: Vec<&str> = features.iter().map(|(n, _)| *n).collect();
    let mut missing_new = missing_old.clone();
    let mut mutations: Vec<&str> = random_schema::mutation_kinds().to_vec();
    let mut hints = 0;
    let mut rows = 0;
    for seed in 0..200 {
        let pair = random_schema::generate(seed);
        let again = random_schema::generate(seed);
        assert_eq!((&pair.old, &pair.new, &pair.rows), (&again.old, &again.new, &again.rows), "seed {seed} is not deterministic");
        for (name, has) in features {
            if has(&pair.old) {
                missing_old.retain(|n| n != name);
            }
            if has(&pair.new) {
                missing_new.retain(|n| n != name);
            }
        }
        mutations.retain(|m| !pair.mutations.contains(m));
        hints += usize::from(pair.new.contains("renamed-from") || pair.new.contains("@renamed"));
        rows += usize::from(pair.rows.contains("INSERT INTO"));
        assert!(pair.old != pair.new || pair.mutations.is_empty(), "seed {seed}: mutations {:?} changed nothing", pair.mutations);
    }
    assert!(missing_old.is_empty(), "never in an old schema: {missing_old:?}");
    assert!(missing_new.is_empty(), "never in a new schema: {missing_new:?}");
    assert!(mutations.is_empty(), "never applied: {mutations:?}");
    assert!(hints >= 20, "only {hints} of 200 new schemas carry a rename hint");
    assert!(rows >= 180, "only {rows} of 200 pairs have rows");
}
