//! The tests that need something besides the crate and PostgreSQL 15: a
//! migration framework's own runner (`runner_*`) or the sqldef corpus beside
//! the repository (`conformance_postgres`, `fuzz_sqldef`), or the SARIF
//! judges (`sarif`).
//!
//! Each module lists its tests in a table ([`Test`]: a name, what it needs,
//! the function). This binary has its own harness (libtest-mimic, `harness =
//! false` in Cargo.toml) so that what is missing is decided when it runs: a
//! test whose runner or corpus is missing is reported as *ignored*, the
//! reason in brackets before its name and on a line of its own, and counted
//! in the summary line, where libtest's harness could only let it return
//! early and count it as passed. With `CI` set nothing is ignored: the test
//! runs and fails on what is missing, as under the standard harness.
//!
//! The usual arguments work: `cargo test --test external runner_dbmate`,
//! `-- --list`, `-- --include-ignored` (an ignored test then returns early
//! with a notice, as it used to).

// Of the support shared with tests/it, this binary uses the server, catalogs,
// repositories and the runner revisions, not the rest (random schemas, row
// snapshots, the fixture round trip): those parts would warn as unused here.
#[allow(dead_code)]
#[path = "../support/mod.rs"]
mod support;

mod runner;
mod sqldef;

mod conformance_postgres;
mod fuzz_sqldef;
mod pre_commit;
mod runner_alembic;
mod runner_dbmate;
mod runner_diesel;
mod runner_django;
mod runner_refinery;
mod runner_sql_migrate;
mod runner_sqlx;
mod sarif;
mod squawk;

use libtest_mimic::{Arguments, Trial};
use std::collections::BTreeMap;
use std::process::{Command, ExitCode};

/// One test: its name (module-relative, as it was a `#[test]` fn), what it
/// needs beyond the crate, and the function, which panics on failure.
pub struct Test {
    pub name: &'static str,
    pub needs: &'static [Need],
    pub run: fn(),
}

/// Something a test needs that a machine may lack.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Need {
    /// PostgreSQL 15's binaries ([`support::pg::server`] starts the server).
    Postgres,
    /// A program on `PATH`: a framework's runner.
    Program(&'static str),
    /// Python modules `python3` must import (comma-separated, as in `import`).
    PythonModules(&'static str),
    /// The sqldef corpus at `../shared/corpora/sqldef/psqldef`.
    SqldefCorpus,
    /// The SARIF schema and Multitool ([`sarif::tools_dir`]).
    SarifTools,
}

/// Every module's table, with the module's name (the tests' former binary).
const TABLES: &[(&str, &[Test])] = &[
    ("conformance_postgres", conformance_postgres::TESTS),
    ("fuzz_sqldef", fuzz_sqldef::TESTS),
    ("pre_commit", pre_commit::TESTS),
    ("runner_alembic", runner_alembic::TESTS),
    ("runner_dbmate", runner_dbmate::TESTS),
    ("runner_diesel", runner_diesel::TESTS),
    ("runner_django", runner_django::TESTS),
    ("runner_refinery", runner_refinery::TESTS),
    ("runner_sql_migrate", runner_sql_migrate::TESTS),
    ("runner_sqlx", runner_sqlx::TESTS),
    ("sarif", sarif::TESTS),
    ("squawk", squawk::TESTS),
];

fn main() -> ExitCode {
    let args = Arguments::from_args();
    let ci = std::env::var_os("CI").is_some();
    let mut missing: BTreeMap<Need, Option<String>> = BTreeMap::new();
    let mut notices = Vec::new();
    let mut trials = Vec::new();
    for (module, tests) in TABLES {
        for test in *tests {
            let name = format!("{module}::{}", test.name);
            let reasons: Vec<String> =
                test.needs.iter().filter_map(|need| missing.entry(*need).or_insert_with(|| why_missing(*need)).clone()).collect();
            let run = test.run;
            let trial = Trial::test(&name, move || {
                run();
                Ok(())
            });
            // Under CI a missing need is a failure, which the test itself
            // reports (support::pg::server, runner::runner_available, …).
            if reasons.is_empty() || ci {
                trials.push(trial);
            } else {
                let reason = reasons.join(", ");
                notices.push(format!("ignored {name}: {reason}"));
                trials.push(trial.with_ignored_flag(true).with_kind(reason));
            }
        }
    }
    if !notices.is_empty() && !args.list {
        eprintln!("{}\n(.ci/run installs the runners; set CI to make these fail)", notices.join("\n"));
    }
    libtest_mimic::run(&args, trials).exit_code()
}

/// Why `need` is not met on this machine, or `None` when it is.
fn why_missing(need: Need) -> Option<String> {
    match need {
        Need::Postgres => support::pg::find_bin_dir().is_none().then(|| "PostgreSQL 15 not found".to_string()),
        Need::Program(program) => (!runner::installed(program)).then(|| format!("{program} not installed")),
        Need::PythonModules(modules) => {
            let ok = Command::new("python3").args(["-c", &format!("import {modules}")]).output().is_ok_and(|o| o.status.success());
            (!ok).then(|| format!("python3 cannot import {modules}"))
        }
        Need::SarifTools => {
            let dir = sarif::tools_dir();
            (!dir.join("sarif-2.1.0.json").is_file() || !dir.join("Sarif.Multitool").is_file())
                .then(|| format!("SARIF schema and Multitool missing at {}", dir.display()))
        }
        Need::SqldefCorpus => {
            let dir = sqldef::corpus_dir().join("psqldef");
            (!dir.is_dir()).then(|| format!("sqldef corpus missing at {}", dir.display()))
        }
    }
}
