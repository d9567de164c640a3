//! Golden-file tests for the frameworks whose runners are not installed
//! here: golang-migrate, goose, Flyway, Liquibase, Prisma and Atlas.
//!
//! Each test builds a repository whose schema goes through four revisions
//! (see `support::runner`), starting from a baseline migration written the
//! way the framework's own users write one, runs the real CLI once per
//! change, and checks the files against the framework's documented naming
//! and parsing rules, re-implemented here independently of schemashift:
//! golang-migrate's file-name regex, goose's annotations and statement
//! splitting, Flyway's `V`/`U` names and `.sql.conf`, Liquibase's formatted
//! SQL parser, Prisma's folder listing and lock file, and Atlas's `atlas.sum`
//! (computed by a separate Python script with hashlib).

use crate::support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};
use support::runner::{self, History, NAMES, REVISIONS, SCHEMA_PATH};

/// The slugs the three runs' names must be reduced to.
const SLUGS: [&str; 3] = ["add_pending_status", "rename_note_body", "add_tags"];

fn schemashift(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_schemashift"))
        .args(args)
        .current_dir(cwd)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .expect("schemashift runs")
}

fn text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Every file under `dir`, relative path → bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    runner::listing(dir).into_iter().map(|rel| (rel.clone(), std::fs::read(dir.join(&rel)).unwrap())).collect()
}

/// The history for `format`, with `--concurrently` so that some migrations
/// must run outside a transaction, after the `baseline` files.
fn history(format: &str, dir: &str, baseline: &[(&str, String)]) -> History {
    let setup: Vec<(String, String)> = baseline.iter().map(|(p, t)| (format!("{dir}/{p}"), t.clone())).collect();
    let setup: Vec<(&str, &str)> = setup.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    runner::generate_history(&setup, dir, &["--framework", format, "--concurrently"])
}

/// Strips `"location"` keys: where an object was written differs between
/// the schema file and the migrations, what it is must not.
fn without_locations(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            map.remove("location");
            map.values_mut().for_each(without_locations);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(without_locations),
        _ => {}
    }
}

/// `inspect --migrations` of the directory gives the last revision's schema.
fn assert_reads_back(h: &History, format: &str) {
    let inspect = |args: &[&str]| {
        let out = schemashift(h.repo.path(), args);
        assert!(out.status.success(), "inspect {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        let mut v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("inspect prints JSON");
        without_locations(&mut v);
        v
    };
    let dir = h.dir.display().to_string();
    let from_migrations = inspect(&["inspect", "--migrations", &dir, "--framework", format]);
    let from_schema = inspect(&["inspect", "--", SCHEMA_PATH]);
    assert_eq!(from_migrations, from_schema, "{format}: the migrations do not build the last revision ({:?})", runner::listing(&h.dir));
}

/// The version and description of every migration written, in the order
/// written, from what `generate` printed, using `parse` on each path.
fn written<T>(h: &History, parse: impl Fn(&str) -> Option<T>) -> Vec<Vec<T>> {
    h.outputs.iter().map(|out| out.lines().filter_map(|l| parse(l.rsplit('/').next().unwrap())).collect()).collect()
}

/// Versions increase run after run and each run's slug is the sanitized name
/// (with `_2`, `_3` … for the parts of a split change).
fn assert_numbering(runs: &[Vec<(String, String)>], baseline: &str, numeric: impl Fn(&str) -> u64) {
    let mut last = numeric(baseline);
    for (i, run) in runs.iter().enumerate() {
        assert!(!run.is_empty(), "run {i} wrote no migration");
        for (k, (version, slug)) in run.iter().enumerate() {
            let n = numeric(version);
            assert!(n > last, "version {version} does not follow {last}");
            last = n;
            let expected = if k == 0 { SLUGS[i].to_string() } else { format!("{}_{}", SLUGS[i], k + 1) };
            assert_eq!(slug, &expected, "run {i} ({})", NAMES[i]);
        }
    }
}

/// A later run with `--version` set to one that exists is refused, and
/// nothing in the directory changes (no file replaced, no index rewritten).
fn assert_refuses_existing_version(h: &History, format: &str, version: &str) {
    let before = snapshot(&h.dir);
    h.repo.write(SCHEMA_PATH, &format!("{}\nCREATE TABLE extra (x int);\n", REVISIONS[3]));
    let dir = h.dir.display().to_string();
    let out = schemashift(h.repo.path(), &["generate", "--name", "extra", "--dir", &dir, "--framework", format, "--version", version]);
    assert_eq!(out.status.code(), Some(64), "{format}: {}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    assert_eq!(snapshot(&h.dir), before, "{format}: the directory changed");
    h.repo.write(SCHEMA_PATH, REVISIONS[3]);
}

/// Same inputs and `--version` give the same bytes, whatever the clock says.
fn assert_deterministic(format: &str, version: &str, setup: &[(&str, String)]) {
    let run = |epoch: &str| {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("old.sql"), REVISIONS[0]).unwrap();
        std::fs::write(tmp.path().join("new.sql"), REVISIONS[1]).unwrap();
        for (p, t) in setup {
            let path = tmp.path().join("m").join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, t).unwrap();
        }
        let out = Command::new(env!("CARGO_BIN_EXE_schemashift"))
            .args(["generate", "--no-index", "old.sql", "new.sql", "--name", "Add: Pending/Status!", "--dir", "m"])
            .args(["--framework", format, "--version", version])
            .current_dir(tmp.path())
            .env("SOURCE_DATE_EPOCH", epoch)
            .output()
            .unwrap();
        assert!(out.status.success(), "{format}: {}", String::from_utf8_lossy(&out.stderr));
        let snap = snapshot(&tmp.path().join("m"));
        assert!(snap.keys().any(|k| k.contains("add_pending_status")), "{format}: slug not sanitized: {:?}", snap.keys());
        assert!(snap.keys().all(|k| !k.contains(':') && !k.contains('!')), "{snap:?}");
        snap
    };
    assert_eq!(run("1700000000"), run("1800000000"), "{format}: output depends on the clock");
}

fn has_concurrently(sql: &str) -> bool {
    sql.contains("CONCURRENTLY")
}

/// Statements ending with `;` at the end of a line (what line-based runners split at).
fn semicolon_lines(sql: &str) -> usize {
    sql.lines().filter(|l| !l.trim_start().starts_with("--") && l.trim_end().ends_with(';')).count()
}

// ---------------------------------------------------------------- golang-migrate

/// golang-migrate's source driver: `^([0-9]+)_(.*)\.(down|up)\.(.*)$`.
fn golang_migrate_name(name: &str) -> Option<(u64, String, String, String)> {
    let (version, rest) = name.split_once('_')?;
    if version.is_empty() || !version.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // `(.*)` is greedy: the last `.up.` or `.down.` splits.
    let at = (0..rest.len()).rev().find(|&i| rest[i..].starts_with(".up.") || rest[i..].starts_with(".down."))?;
    let direction = if rest[at..].starts_with(".up.") { "up" } else { "down" };
    let ext = &rest[at + direction.len() + 2..];
    Some((version.parse().ok()?, rest[..at].to_string(), direction.to_string(), ext.to_string()))
}

#[test]
fn golang_migrate_files_follow_the_documented_names() {
    let baseline = [
        ("20231101000000_baseline.up.sql", REVISIONS[0].to_string()),
        ("20231101000000_baseline.down.sql", "DROP TABLE notes;\nDROP TABLE accounts;\nDROP TYPE status;\n".to_string()),
    ];
    let h = history("golang-migrate", "db/migrations", &baseline);
    let mut pairs: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    for name in runner::listing(&h.dir) {
        let (version, _, direction, ext) = golang_migrate_name(&name).unwrap_or_else(|| panic!("{name} is not a golang-migrate name"));
        assert_eq!(ext, "sql");
        pairs.entry(version).or_default().push(direction);
        let sql = text(&h.dir.join(&name));
        if has_concurrently(&sql) {
            // Each file is one query; PostgreSQL runs a multi-statement query in one transaction.
            assert_eq!(semicolon_lines(&sql), 1, "{name} holds more than the concurrent statement:\n{sql}");
        }
    }
    assert!(pairs.values().all(|d| d.len() == 2 && d.contains(&"up".into()) && d.contains(&"down".into())), "{pairs:?}");
    let runs = written(&h, |n| golang_migrate_name(n).filter(|p| p.2 == "up").map(|p| (p.0.to_string(), p.1)));
    assert_numbering(&runs, "20231101000000", |v| v.parse().unwrap());
    assert_reads_back(&h, "golang-migrate");
    assert_refuses_existing_version(&h, "golang-migrate", &runs[1][0].0);
    assert_deterministic("golang-migrate", "42", &[]);
}

// ---------------------------------------------------------------- goose

/// goose's SQL parser, reduced to what decides how a file runs: the Up
/// statements (split at a line ending in `;` outside StatementBegin/End)
/// and whether `-- +goose NO TRANSACTION` is present.
fn goose_parse(sql: &str) -> (Vec<String>, Vec<String>, bool) {
    let (mut up, mut down) = (Vec::new(), Vec::new());
    let (mut direction, mut fenced, mut no_tx) = (None, false, false);
    let mut current = String::new();
    for line in sql.lines() {
        let annotation = line.trim().strip_prefix("-- +goose ").map(str::trim);
        match annotation {
            Some("Up") => direction = Some(true),
            Some("Down") => direction = Some(false),
            Some("StatementBegin") => fenced = true,
            Some("StatementEnd") => {
                fenced = false;
                let target = if direction == Some(true) { &mut up } else { &mut down };
                target.push(std::mem::take(&mut current));
            }
            Some("NO TRANSACTION") => no_tx = true,
            Some(other) => panic!("unknown goose annotation `{other}`"),
            None => {
                if direction.is_none() || line.trim_start().starts_with("--") || line.trim().is_empty() && current.is_empty() {
                    continue;
                }
                current.push_str(line);
                current.push('\n');
                if !fenced && line.trim_end().ends_with(';') {
                    let target = if direction == Some(true) { &mut up } else { &mut down };
                    target.push(std::mem::take(&mut current));
                }
            }
        }
    }
    assert!(current.trim().is_empty() && !fenced, "unterminated statement: {current}");
    (up, down, no_tx)
}

#[test]
fn goose_annotations_split_statements_whole() {
    let baseline = [(
        "20231101000000_baseline.sql",
        format!("-- +goose Up\n{}\n-- +goose Down\nDROP TABLE notes;\nDROP TABLE accounts;\nDROP TYPE status;\n", REVISIONS[0]),
    )];
    let h = history("goose", "db/migrations", &baseline);
    let mut saw_function = false;
    for name in runner::listing(&h.dir) {
        let (version, _) = name.strip_suffix(".sql").and_then(|s| s.split_once('_')).expect("goose name");
        assert!(version.bytes().all(|b| b.is_ascii_digit()), "{name}");
        let sql = text(&h.dir.join(&name));
        let (up, down, no_tx) = goose_parse(&sql);
        assert!(!up.is_empty() && !down.is_empty(), "{name}");
        for s in up.iter().chain(&down) {
            assert_eq!(s.matches("$$").count() % 2, 0, "{name}: a dollar-quoted body is cut:\n{s}");
            saw_function |= s.contains("$$");
        }
        assert_eq!(no_tx, has_concurrently(&sql), "{name}: NO TRANSACTION must mark exactly the concurrent migrations");
    }
    assert!(saw_function, "the trigger function was not generated");
    let runs = written(&h, |n| n.strip_suffix(".sql").and_then(|s| s.split_once('_')).map(|(v, d)| (v.to_string(), d.to_string())));
    assert_numbering(&runs, "20231101000000", |v| v.parse().unwrap());
    assert_reads_back(&h, "goose");
    assert_refuses_existing_version(&h, "goose", &runs[2][0].0);
    assert_deterministic("goose", "7", &[]);
}

// ---------------------------------------------------------------- Flyway

/// Flyway's versioned and undo names: `V<version>__<description>.sql`,
/// `U<version>__<description>.sql`, version digits separated by `.` or `_`.
fn flyway_name(name: &str) -> Option<(char, String, String)> {
    let stem = name.strip_suffix(".sql")?;
    let prefix = stem.chars().next().filter(|c| *c == 'V' || *c == 'U')?;
    let (version, description) = stem[1..].split_once("__")?;
    let ok = version.starts_with(|c: char| c.is_ascii_digit()) && version.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '_');
    ok.then(|| (prefix, version.to_string(), description.to_string()))
}

#[test]
fn flyway_versions_undo_scripts_and_script_configuration() {
    let baseline = [("V1__baseline.sql", REVISIONS[0].to_string())];
    let h = history("flyway", "db/migration", &baseline);
    let files = runner::listing(&h.dir);
    for name in &files {
        if let Some(script) = name.strip_suffix(".conf") {
            assert!(files.contains(&script.to_string()), "{name} configures no script");
            assert_eq!(text(&h.dir.join(name)), "executeInTransaction=false\n");
            assert!(has_concurrently(&text(&h.dir.join(script))), "{name}: only concurrent scripts leave the transaction");
            continue;
        }
        let (prefix, version, description) = flyway_name(name).unwrap_or_else(|| panic!("{name} is not a Flyway name"));
        let sql = text(&h.dir.join(name));
        assert_eq!(files.contains(&format!("{name}.conf")), has_concurrently(&sql), "{name}");
        if prefix == 'V' && version != "1" {
            assert!(files.contains(&format!("U{version}__{description}.sql")), "V{version} has no undo script");
        }
    }
    let runs = written(&h, |n| flyway_name(n).filter(|p| p.0 == 'V').map(|p| (p.1, p.2)));
    assert_numbering(&runs, "1", |v| v.parse().unwrap());
    assert_eq!(runs[0][0].0, "2", "numbering continues after V1");
    assert_reads_back(&h, "flyway");
    assert_refuses_existing_version(&h, "flyway", "2");
    assert_deterministic("flyway", "3", &[]);
}

// ---------------------------------------------------------------- Liquibase

#[derive(Debug, Default)]
struct Changeset {
    author: String,
    id: String,
    attributes: String,
    sql: String,
    rollback: String,
}

/// Liquibase's formatted SQL parser (AbstractFormattedChangeLogParser),
/// reduced to changesets, their attributes, SQL and `--rollback` lines.
fn liquibase_parse(name: &str, text: &str) -> Vec<Changeset> {
    let mut lines = text.lines().skip_while(|l| l.trim().is_empty());
    let first = lines.next().unwrap_or("");
    let squeezed: String = first.split_whitespace().collect::<String>().to_lowercase();
    assert!(squeezed.starts_with("--liquibaseformatted"), "{name}: first line is `{first}`");
    let mut out: Vec<Changeset> = Vec::new();
    for line in lines {
        let t = line.trim_start();
        let after_dashes = t.strip_prefix("--").map(|r| r.trim_start());
        if let Some(rest) = after_dashes.and_then(|r| r.strip_prefix("changeset")) {
            // `changeset\s+("[^"]+"|[^:]+):\s*("[^"]+"|\S+).*`
            assert!(rest.starts_with(char::is_whitespace), "{name}: `{line}`");
            let (author, rest) = rest.trim_start().split_once(':').expect("author:id");
            let rest = rest.trim_start();
            let id_len = rest.find(char::is_whitespace).unwrap_or(rest.len());
            out.push(Changeset {
                author: author.into(),
                id: rest[..id_len].into(),
                attributes: rest[id_len..].into(),
                ..Default::default()
            });
            continue;
        }
        let Some(cs) = out.last_mut() else {
            assert!(line.trim().is_empty(), "{name}: `{line}` outside a changeset");
            continue;
        };
        if let Some(rest) = after_dashes.and_then(|r| r.strip_prefix("rollback ")) {
            cs.rollback.push_str(rest);
            cs.rollback.push('\n');
        } else if after_dashes.is_some_and(|r| r.to_lowercase().starts_with("comment")) {
        } else {
            assert!(!t.starts_with("--rollback"), "{name}: `{line}` would be SQL, not rollback");
            cs.sql.push_str(line);
            cs.sql.push('\n');
        }
    }
    out
}

#[test]
fn liquibase_changesets_with_rollbacks_and_attributes() {
    let baseline = [(
        "0001_baseline.sql",
        format!("--liquibase formatted sql\n\n--changeset me:baseline\n{}--rollback DROP TABLE notes;\n", REVISIONS[0]),
    )];
    let h = history("liquibase", "db/changelog", &baseline);
    let mut ids = Vec::new();
    for name in runner::listing(&h.dir) {
        let changesets = liquibase_parse(&name, &text(&h.dir.join(&name)));
        assert_eq!(changesets.len(), 1, "{name}");
        let cs = &changesets[0];
        assert!(!cs.sql.trim().is_empty() && !cs.rollback.trim().is_empty(), "{name}: {cs:?}");
        ids.push(format!("{}:{}", cs.author, cs.id));
        if name.starts_with("0001") {
            continue;
        }
        assert_eq!(cs.author, "schemashift");
        assert_eq!(format!("{}.sql", cs.id), name, "the id is the file's name");
        assert_eq!(cs.attributes.contains("runInTransaction:false"), has_concurrently(&cs.sql), "{name}");
        let body_semicolon = |sql: &str| sql.split("$$").skip(1).step_by(2).any(|body| body.contains(';'));
        assert_eq!(cs.attributes.contains("splitStatements:false"), body_semicolon(&cs.sql), "{name}: {}", cs.attributes);
        assert_eq!(cs.attributes.contains("rollbackSplitStatements:false"), body_semicolon(&cs.rollback), "{name}");
        for s in [&cs.sql, &cs.rollback] {
            assert_eq!(s.matches("$$").count() % 2, 0, "{name}");
        }
    }
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "changeset ids repeat: {ids:?}");
    let runs = written(&h, |n| n.strip_suffix(".sql").and_then(|s| s.split_once('_')).map(|(v, d)| (v.to_string(), d.to_string())));
    assert_numbering(&runs, "0001", |v| v.parse().unwrap());
    assert_eq!(runs[0][0].0, "0002", "padded numbering continues");
    assert_reads_back(&h, "liquibase");
    assert_refuses_existing_version(&h, "liquibase", "0002");
    assert_deterministic("liquibase", "0005", &[]);
}

#[test]
fn liquibase_master_changelog_is_never_rewritten() {
    let explicit =
        "<databaseChangeLog>\n    <include file=\"0001_baseline.sql\" relativeToChangelogFile=\"true\"/>\n</databaseChangeLog>\n";
    let generate = |master: &str| {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("old.sql"), REVISIONS[0]).unwrap();
        std::fs::write(tmp.path().join("new.sql"), REVISIONS[3]).unwrap();
        std::fs::create_dir(tmp.path().join("changelog")).unwrap();
        std::fs::write(tmp.path().join("changelog/db.changelog-master.xml"), master).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_schemashift"))
            .args(["generate", "--no-index", "old.sql", "new.sql", "--name", "all", "--dir", "changelog", "--framework", "liquibase"])
            .current_dir(tmp.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(text(&tmp.path().join("changelog/db.changelog-master.xml")), master);
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let stderr = generate(explicit);
    assert!(stderr.contains("<include file=\"0001_all.sql\" relativeToChangelogFile=\"true\"/>"), "{stderr}");
    let stderr = generate("<databaseChangeLog>\n    <includeAll path=\"./\" relativeToChangelogFile=\"true\"/>\n</databaseChangeLog>\n");
    assert!(!stderr.contains("<include"), "{stderr}");
}

// ---------------------------------------------------------------- Prisma

fn prisma_folder(name: &str) -> Option<(String, String)> {
    let (version, slug) = name.split_once('_')?;
    (version.len() == 14 && version.bytes().all(|b| b.is_ascii_digit())).then(|| (version.to_string(), slug.to_string()))
}

#[test]
fn prisma_folders_lock_file_and_runbooks() {
    let baseline = [("20231101000000_baseline/migration.sql", REVISIONS[0].to_string())];
    let h = history("prisma", "prisma/migrations", &baseline);
    // As Prisma's listMigrations: the folders of the directory, each with migration.sql.
    let mut folders = Vec::new();
    for entry in std::fs::read_dir(&h.dir).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if !entry.file_type().unwrap().is_dir() {
            assert_eq!(name, "migration_lock.toml", "only the lock file sits beside the folders");
            continue;
        }
        prisma_folder(&name).unwrap_or_else(|| panic!("{name} is not <timestamp>_<name>"));
        let sql = text(&entry.path().join("migration.sql"));
        if has_concurrently(&sql) {
            assert_eq!(semicolon_lines(&sql), 1, "{name}: migration.sql runs as one implicit transaction");
        }
        if name != "20231101000000_baseline" {
            let runbook = text(&entry.path().join("rollback.md"));
            assert!(runbook.contains("```sql\n"), "{name}: {runbook}");
        }
        folders.push(name);
    }
    assert_eq!(folders.len(), 1 + h.outputs.iter().map(|o| o.lines().filter(|l| l.ends_with("migration.sql")).count()).sum::<usize>());
    assert_eq!(
        text(&h.dir.join("migration_lock.toml")),
        "# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = \"postgresql\"\n"
    );
    let runs: Vec<Vec<(String, String)>> = h
        .outputs
        .iter()
        .map(|o| o.lines().filter(|l| l.ends_with("/migration.sql")).filter_map(|l| prisma_folder(l.rsplit('/').nth(1).unwrap())).collect())
        .collect();
    assert_numbering(&runs, "20231101000000", |v| v.parse().unwrap());
    assert_reads_back(&h, "prisma");
    assert_refuses_existing_version(&h, "prisma", &runs[0][0].0);
    assert_deterministic("prisma", "20300101000000", &[]);
}

#[test]
fn prisma_refuses_a_history_of_another_provider() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("old.sql"), REVISIONS[0]).unwrap();
    std::fs::write(tmp.path().join("new.sql"), REVISIONS[1]).unwrap();
    let lock = "# Please do not edit this file manually\nprovider = \"mysql\"\n";
    std::fs::create_dir(tmp.path().join("m")).unwrap();
    std::fs::write(tmp.path().join("m/migration_lock.toml"), lock).unwrap();
    let out = schemashift(tmp.path(), &["generate", "--no-index", "old.sql", "new.sql", "--name", "x", "--dir", "m", "--framework", "prisma"]);
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`mysql`"), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(runner::listing(&tmp.path().join("m")), vec!["migration_lock.toml".to_string()]);
}

// ---------------------------------------------------------------- Atlas

/// atlas.sum as Atlas computes it, by an independent Python implementation.
const ATLAS_SUM_PY: &str = r#"
import base64, hashlib, os, re, sys
d = sys.argv[1]
names = sorted(n for n in os.listdir(d) if n.endswith('.sql') and os.path.isfile(os.path.join(d, n)))
directive = re.compile(rb'^([ -~]*)atlas:(\w+)(?: +([ -~]*))*')
running, entries = hashlib.sha256(), []
for n in names:
    data = open(os.path.join(d, n), 'rb').read()
    running.update(n.encode())
    m = directive.match(data)
    if m and m.group(2) == b'sum' and m.group(3) == b'ignore':
        continue
    running.update(data)
    entries.append((n, base64.b64encode(running.copy().digest()).decode()))
total = hashlib.sha256()
for n, h in entries:
    total.update(n.encode())
    total.update(h.encode())
sys.stdout.write('h1:' + base64.b64encode(total.digest()).decode() + '\n' + ''.join('%s h1:%s\n' % e for e in entries))
"#;

fn python_atlas_sum(dir: &Path) -> Option<String> {
    let out = match Command::new("python3").arg("-c").arg(ATLAS_SUM_PY).arg(dir).output() {
        Ok(out) => out,
        Err(_) => {
            assert!(std::env::var_os("CI").is_none(), "python3 is not installed, and CI is set");
            eprintln!("skipping the independent atlas.sum check: python3 is not installed");
            return None;
        }
    };
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    Some(String::from_utf8(out.stdout).unwrap())
}

fn atlas_name(name: &str) -> Option<(String, String)> {
    let (version, slug) = name.strip_suffix(".sql")?.split_once('_')?;
    (version.len() == 14 && version.bytes().all(|b| b.is_ascii_digit())).then(|| (version.to_string(), slug.to_string()))
}

#[test]
fn atlas_files_directives_and_sum() {
    let baseline = [
        ("20231101000000_baseline.sql", REVISIONS[0].to_string()),
        // A file Atlas leaves out of the sum: only its name feeds the running hash.
        ("20231101000001_seed.sql", "-- atlas:sum ignore\nINSERT INTO accounts (email) VALUES ('x');\n".to_string()),
    ];
    let h = history("atlas", "migrations", &baseline);
    let files = runner::listing(&h.dir);
    for name in &files {
        if name == "atlas.sum" || name.ends_with(".rollback.md") {
            continue;
        }
        atlas_name(name).unwrap_or_else(|| panic!("{name} is not <timestamp>_<name>.sql"));
        let sql = text(&h.dir.join(name));
        // A file directive: first lines, then a blank line before the statements.
        assert_eq!(sql.starts_with("-- atlas:txmode none\n\n"), has_concurrently(&sql), "{name}");
        if name.starts_with("2023110100") {
            continue;
        }
        let runbook = format!("{}.rollback.md", name.strip_suffix(".sql").unwrap());
        assert!(files.contains(&runbook), "{name} has no runbook");
    }
    let sum = text(&h.dir.join("atlas.sum"));
    assert!(!sum.contains("20231101000001_seed.sql"), "{sum}");
    if let Some(expected) = python_atlas_sum(&h.dir) {
        assert_eq!(sum, expected);
    }
    let runs = written(&h, atlas_name);
    assert_numbering(&runs, "20231101000001", |v| v.parse().unwrap());
    assert_refuses_existing_version(&h, "atlas", &runs[1][0].0);
}

#[test]
fn atlas_reads_back_and_is_deterministic() {
    let baseline = [("20231101000000_baseline.sql", REVISIONS[0].to_string())];
    let h = history("atlas", "migrations", &baseline);
    if let Some(expected) = python_atlas_sum(&h.dir) {
        assert_eq!(text(&h.dir.join("atlas.sum")), expected);
    }
    assert_reads_back(&h, "atlas");

    assert_deterministic("atlas", "20300101000000", &[("20231101000000_baseline.sql", REVISIONS[0].to_string())]);
}
