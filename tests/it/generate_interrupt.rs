//! `generate` interrupted by SIGINT or SIGTERM leaves the migrations
//! directory as it was or with the complete migration, never a part of it,
//! and never its staging directory.
//!
//! The interruptions are made deterministic with `SCHEMASHIFT_PAUSE_WRITE`
//! (src/generate/write.rs): the writer stops at a named point of its work,
//! says so on standard error, and the test sends the signal then. Every point
//! is tried with every signal, for layouts that write files, directories
//! (diesel) and an index file replaced in place (Atlas's `atlas.sum`).
//! A second test sends signals at increasing delays into a large generate,
//! without pauses: where they land varies from run to run, so it asserts
//! only what must hold wherever they land.

#![cfg(unix)]

use crate::support;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const OLD: &str = "CREATE TABLE users (id bigint PRIMARY KEY, name text);\n";
/// With `--concurrently`, the index on the existing table goes into a
/// migration of its own: two migrations, so several files and directories.
const NEW: &str = "CREATE TABLE users (id bigint PRIMARY KEY, name text, email text);\n\
                   CREATE INDEX users_email_idx ON users (email);\n\
                   CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\n";

/// The writer's pause points, in the order it reaches them.
const POINTS: &[&str] = &["staging", "staged-1", "synced", "placed-1", "placed", "committed"];

/// A layout and the migrations already in its directory.
struct Layout {
    format: &'static str,
    existing: &'static [(&'static str, &'static str)],
}

const LAYOUTS: &[Layout] = &[
    Layout { format: "plain", existing: &[("0001_init.up.sql", OLD), ("0001_init.down.sql", "DROP TABLE users;\n")] },
    Layout { format: "diesel", existing: &[("2020-01-01-000000_init/up.sql", OLD), ("2020-01-01-000000_init/down.sql", "DROP TABLE users;\n")] },
    Layout { format: "atlas", existing: &[("20200101000000_init.sql", OLD), ("atlas.sum", "h1:the old sum\n")] },
];

/// Every entry below `dir` (hidden ones included): path → content, or
/// `<dir>` for a directory.
fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .map(|e| e.unwrap())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
            let content = if e.file_type().is_dir() { "<dir>".to_string() } else { std::fs::read_to_string(e.path()).unwrap() };
            (rel, content)
        })
        .collect()
}

fn staging_left(snap: &BTreeMap<String, String>) -> Vec<&String> {
    snap.keys().filter(|k| k.split('/').any(|part| part.starts_with(".schemashift"))).collect()
}

/// A work directory with the two schemas and `migrations/` holding `layout`'s existing files.
fn setup(layout: &Layout, old: &str, new: &str) -> tempfile::TempDir {
    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("old.sql"), old).unwrap();
    std::fs::write(work.path().join("new.sql"), new).unwrap();
    for (path, text) in layout.existing {
        let p = work.path().join("migrations").join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    work
}

fn generate(work: &Path, format: &str) -> Command {
    generate_with(work, format, libc::SIG_DFL)
}

/// [`generate`] with SIGINT's action set to `sigint` in the child. Whatever
/// the test process inherited (a shell's background job ignores SIGINT),
/// the child starts with the action the test means.
fn generate_with(work: &Path, format: &str, sigint: libc::sighandler_t) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_schemashift"));
    cmd.args(["generate", "--no-index", "old.sql", "new.sql", "--name", "add email", "--concurrently", "--framework", format, "--dir", "migrations"])
        .current_dir(work)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .env_remove("SCHEMASHIFT_PAUSE_WRITE");
    // SAFETY: between fork and exec only async-signal-safe calls (signal).
    unsafe {
        cmd.pre_exec(move || {
            libc::signal(libc::SIGINT, sigint);
            libc::signal(libc::SIGTERM, libc::SIG_DFL);
            Ok(())
        });
    }
    cmd
}

/// What an uninterrupted run writes for `layout`.
fn complete(layout: &Layout, old: &str, new: &str) -> BTreeMap<String, String> {
    let work = setup(layout, old, new);
    let out = generate(work.path(), layout.format).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    snapshot(&work.path().join("migrations"))
}

fn kill(child: &Child, signal: i32) {
    // SAFETY: kill has no memory-safety preconditions; the pid is our child's.
    let rc = unsafe { libc::kill(child.id() as libc::pid_t, signal) };
    assert_eq!(rc, 0, "kill {}: {}", child.id(), std::io::Error::last_os_error());
}

/// Reads the child's standard error until the writer says it paused at
/// `point`; panics with what it said if it ends first.
fn wait_for_pause(child: &mut Child, point: &str) {
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut said = String::new();
    loop {
        let mut line = String::new();
        if err.read_line(&mut line).unwrap() == 0 {
            let status = child.wait().unwrap();
            panic!("generate ended ({status}) without pausing at {point}:\n{said}");
        }
        said.push_str(&line);
        if line.contains(&format!("paused at {point} ")) {
            // Keep draining in the background, so a write to stderr never blocks.
            std::thread::spawn(move || {
                let _ = err.read_to_string(&mut String::new());
            });
            return;
        }
    }
}

#[test]
fn an_interrupted_generate_writes_all_or_nothing() {
    for layout in LAYOUTS {
        let full = complete(layout, OLD, NEW);
        for &point in POINTS {
            for signal in [libc::SIGTERM, libc::SIGINT] {
                let work = setup(layout, OLD, NEW);
                let dir = work.path().join("migrations");
                let before = snapshot(&dir);
                let mut child = generate(work.path(), layout.format)
                    .env("SCHEMASHIFT_PAUSE_WRITE", point)
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap();
                wait_for_pause(&mut child, point);
                kill(&child, signal);
                let status = child.wait().unwrap();
                let case = format!("{} interrupted by signal {signal} at {point}", layout.format);
                assert_eq!(status.signal(), Some(signal), "{case}: the signal ends the process, once the directory is settled");
                let after = snapshot(&dir);
                assert!(staging_left(&after).is_empty(), "{case}: staging left behind: {after:#?}");
                if point == "committed" {
                    assert_eq!(after, full, "{case}: the migration was complete, and stays");
                } else {
                    assert_eq!(after, before, "{case}: everything written is undone");
                }
            }
        }
    }
}

#[test]
fn an_interrupted_new_directory_is_removed_again() {
    let layout = Layout { format: "plain", existing: &[] };
    let work = setup(&layout, OLD, NEW);
    let mut child = generate(work.path(), "plain")
        .env("SCHEMASHIFT_PAUSE_WRITE", "placed-1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_pause(&mut child, "placed-1");
    kill(&child, libc::SIGTERM);
    assert_eq!(child.wait().unwrap().signal(), Some(libc::SIGTERM));
    assert!(!work.path().join("migrations").exists(), "migrations/, made by the interrupted run, is gone");
}

#[test]
fn an_ignored_sigint_stays_ignored() {
    // Started with SIGINT ignored (`nohup`, a background job), generate
    // leaves it so: the SIGINT does nothing, the SIGTERM after it undoes
    // the write. Were SIGINT held off instead, it would be the one noted.
    let layout = &LAYOUTS[0];
    let work = setup(layout, OLD, NEW);
    let before = snapshot(&work.path().join("migrations"));
    let mut child = generate_with(work.path(), layout.format, libc::SIG_IGN)
        .env("SCHEMASHIFT_PAUSE_WRITE", "placed-1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_pause(&mut child, "placed-1");
    kill(&child, libc::SIGINT);
    std::thread::sleep(Duration::from_millis(100));
    kill(&child, libc::SIGTERM);
    assert_eq!(child.wait().unwrap().signal(), Some(libc::SIGTERM));
    assert_eq!(snapshot(&work.path().join("migrations")), before);
}

/// Runs generate on `big` and signals it: after `delay` from the start, or
/// (with `on_staging`) that long after its staging directory appears. Returns
/// what the directory holds afterwards and how the process ended, having
/// checked that no staging directory is left.
fn interrupt_big(big: &str, signal: i32, delay: Duration, on_staging: bool) -> (BTreeMap<String, String>, std::process::ExitStatus) {
    let layout = Layout { format: "plain", existing: &[] };
    let work = setup(&layout, OLD, big);
    let dir = work.path().join("migrations");
    let mut child = generate(work.path(), "plain").stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let staging_seen = || std::fs::read_dir(&dir).is_ok_and(|mut r| r.any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().starts_with(".schemashift"))));
    while on_staging && !staging_seen() && child.try_wait().unwrap().is_none() {
        std::thread::yield_now();
    }
    std::thread::sleep(delay);
    // The run may have ended already: then there is nothing to signal.
    if child.try_wait().unwrap().is_none() {
        kill(&child, signal);
    }
    let status = child.wait().unwrap();
    let after = if dir.exists() { snapshot(&dir) } else { BTreeMap::new() };
    assert!(staging_left(&after).is_empty(), "staging left behind ({delay:?}, on staging: {on_staging})");
    (after, status)
}

#[test]
fn signals_at_any_moment_leave_nothing_or_everything() {
    let big = format!("{OLD}{}", support::big_schema::big_schema_sql());
    let full = complete(&Layout { format: "plain", existing: &[] }, OLD, &big);
    // Signals spread over a run (reading, planning, verifying, writing),
    // then sent the moment the writer starts and shortly after: wherever a
    // signal lands, the directory is empty or complete.
    let cases = [(0, false), (300, false), (800, false), (0, true), (1, true), (3, true), (10, true)];
    let mut outcomes = Vec::new();
    for (i, (delay_ms, on_staging)) in cases.into_iter().enumerate() {
        let signal = if i % 2 == 0 { libc::SIGTERM } else { libc::SIGINT };
        let (after, status) = interrupt_big(&big, signal, Duration::from_millis(delay_ms), on_staging);
        let when = format!("{delay_ms} ms after {}", if on_staging { "staging appeared" } else { "the start" });
        let outcome = if after.is_empty() {
            "nothing"
        } else {
            assert_eq!(after, full, "{when}: a partial migration");
            "complete"
        };
        assert!(status.success() || status.signal() == Some(signal), "{when}: {status}");
        outcomes.push(format!("{when}: {outcome} ({status})"));
    }
    eprintln!("signals at various moments: {outcomes:#?}");
}
