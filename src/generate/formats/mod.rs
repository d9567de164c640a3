//! Migration frameworks' layouts: how each names, numbers and marks its files.
//!
//! A [`Format`] knows one framework: where its migrations usually live, how
//! to recognise its files in a directory, how to write one migration, and
//! how to read the up SQL of an existing one back. The registry in
//! [`all`] is what `--framework` accepts and what auto-detection considers.

pub mod alembic;
pub mod atlas;
mod diesel;
mod django;
mod flyway;
mod liquibase;
mod marked;
mod prisma;
mod python;
mod rails;
mod split_files;

use super::version::Style;
use super::write::OutFile;
use crate::error::{Error, Result};
use crate::model::Dialect;
use crate::plan::Step;
use std::path::{Path, PathBuf};

/// A migration already in the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Existing {
    pub version: String,
    /// The name the framework knows it by: the file or directory name
    /// without extension (`0002_add_users`, `20240101120000_init`).
    pub name: String,
    /// Its files, relative to the migrations directory, up file first.
    pub paths: Vec<PathBuf>,
    /// Its identifier when the framework chains migrations by id (Alembic's
    /// `revision`), and the one it follows (`down_revision`).
    pub id: Option<String>,
    pub parent: Option<String>,
}

/// One migration to write.
#[derive(Debug, Clone)]
pub struct Migration<'a> {
    pub version: &'a str,
    /// Already reduced to `[a-z0-9_]`, see [`super::sanitize_slug`].
    pub slug: &'a str,
    /// One line saying what made the file, without a comment marker.
    pub header: &'a str,
    pub up: &'a [Step],
    pub down: &'a [Step],
    /// False: the statements must run outside a transaction.
    pub transaction: bool,
    /// The newest migration before this one (existing, or written earlier by
    /// the same run), for frameworks that chain migrations.
    pub previous: Option<&'a Existing>,
}

/// What auto-detection looks at: the migrations directory and the
/// repository's telltale files.
#[derive(Debug, Default)]
pub struct Probe {
    /// Entries of the migrations directory: name and whether it is a directory.
    pub entries: Vec<(String, bool)>,
    /// The first 4 KiB of up to 8 migration files of the directory.
    pub samples: Vec<String>,
    /// Telltale files at the repository root (or next to the directory) that
    /// exist, with their first 64 KiB: `Cargo.toml`, `go.mod`, `alembic.ini`, …
    pub telltales: Vec<(String, String)>,
}

impl Probe {
    pub fn has_entry(&self, pred: impl Fn(&str, bool) -> bool) -> bool {
        self.entries.iter().any(|(n, d)| pred(n, *d))
    }
    pub fn sample_contains(&self, needle: &str) -> bool {
        self.samples.iter().any(|s| s.contains(needle))
    }
    /// Whether telltale file `name` exists, and contains `needle` if given.
    pub fn telltale(&self, name: &str, needle: Option<&str>) -> bool {
        self.telltales.iter().any(|(n, text)| n == name && needle.is_none_or(|x| text.contains(x)))
    }
}

/// The telltale files read into a [`Probe`].
pub const TELLTALE_FILES: &[&str] = &[
    "Cargo.toml",
    "go.mod",
    "package.json",
    "Gemfile",
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "flyway.conf",
    "flyway.toml",
    "diesel.toml",
    "refinery.toml",
    "atlas.hcl",
    "dbconfig.yml",
    "alembic.ini",
    "manage.py",
    "liquibase.properties",
    "requirements.txt",
    "pyproject.toml",
    "schema.prisma",
    "prisma/schema.prisma",
    ".dbmate",
    ".env",
];

/// One framework's layout.
pub trait Format: Sync {
    /// The `--framework` name.
    fn name(&self) -> &'static str;
    /// Where its migrations usually live, relative to the repository root;
    /// the first is where a new project's go.
    fn dirs(&self) -> &'static [&'static str];
    /// The numbering of a new, empty directory.
    fn style(&self) -> Style;
    /// False for frameworks without down migrations (the down goes to the runbook).
    fn has_down(&self) -> bool {
        true
    }
    /// False when the runner runs every migration inside a transaction with
    /// no way to opt out, so statements PostgreSQL refuses in a transaction
    /// block (`CREATE INDEX CONCURRENTLY`) cannot be written for it.
    fn runs_outside_transaction(&self) -> bool {
        true
    }
    /// True when the runner sends a migration file to the server as one
    /// query, so statements refused in a transaction block need one file each.
    fn one_query_per_file(&self) -> bool;
    /// The version and name of a directory entry that is one of its migrations.
    fn entry(&self, name: &str, is_dir: bool) -> Option<(String, String)>;
    /// How strongly the probe says this is the framework: 0 not at all; +1
    /// file names fit, +2 a telltale file names it, +4 file contents or a
    /// layout file only it uses.
    fn detect(&self, probe: &Probe) -> u32;
    /// This format as the directory it writes into configures it (Django's
    /// app label is the directory's parent, Rails copies the migration
    /// version of the newest file), or `None` when nothing in the directory
    /// matters to rendering.
    fn in_dir(&self, _dir: &Path) -> Result<Option<Box<dyn Format>>> {
        Ok(None)
    }
    /// The migrations already in `dir`, oldest first.
    fn scan(&self, dir: &Path) -> Result<Vec<Existing>> {
        scan_entries(self, dir)
    }
    /// The files of one migration, relative to the migrations directory.
    fn render(&self, m: &Migration<'_>) -> Result<Vec<OutFile>>;
    /// The migration just rendered, as [`Format::scan`] would find it once
    /// written: what the next migration of the same run follows.
    fn describe(&self, m: &Migration<'_>, files: &[OutFile]) -> Existing {
        Existing {
            version: m.version.to_string(),
            name: format!("{}_{}", m.version, m.slug),
            paths: files.iter().map(|f| f.path.clone()).collect(),
            id: None,
            parent: None,
        }
    }
    /// Index files over all migrations that must change with new ones
    /// (Atlas's `atlas.sum`, Prisma's lock file naming the database), given
    /// the files about to be written and the dialect they are written in.
    fn index(&self, _dir: &Path, _new: &[OutFile], _dialect: Dialect) -> Result<Vec<OutFile>> {
        Ok(Vec::new())
    }
    /// Where the rollback runbook of a migration goes when the framework has
    /// no down migrations: somewhere its runner never reads.
    fn runbook_path(&self, m: &Migration<'_>) -> PathBuf {
        PathBuf::from(format!("{}_{}.rollback.md", m.version, m.slug))
    }
    /// Where the runbook of a change ([`crate::runbook`]) goes, beside its
    /// first migration, where the runner never reads.
    fn runbook_file(&self, m: &Migration<'_>) -> PathBuf {
        PathBuf::from(format!("{}_{}.runbook.md", m.version, m.slug))
    }
    /// What the runbook says about the framework's own way back, if it has one.
    fn runbook_hint(&self) -> Option<&'static str> {
        None
    }
    /// What the user must still do by hand once the files are written (a
    /// changelog that lists its files explicitly), one message per item.
    fn notes(&self, _dir: &Path, _new: &[OutFile]) -> Result<Vec<String>> {
        Ok(Vec::new())
    }
    /// The up SQL of an existing migration. Lines that are not SQL of the up
    /// part are blanked rather than removed, so error positions stay true.
    fn read_up(&self, dir: &Path, e: &Existing) -> Result<String>;
}

/// Every format, in the order `--help` lists them.
pub fn all() -> Vec<&'static dyn Format> {
    vec![
        &split_files::PLAIN,
        &split_files::GOLANG_MIGRATE,
        &marked::GOOSE,
        &marked::DBMATE,
        &flyway::FLYWAY,
        &split_files::SQLX,
        &split_files::SQLX_SIMPLE,
        &diesel::DIESEL,
        &flyway::REFINERY,
        &marked::SQL_MIGRATE,
        &atlas::ATLAS,
        &liquibase::LIQUIBASE,
        &prisma::PRISMA,
        &rails::RAILS,
        &django::DJANGO,
        &alembic::ALEMBIC,
    ]
}

/// The format called `name`.
pub fn by_name(name: &str) -> Result<&'static dyn Format> {
    let wanted = name.trim().to_ascii_lowercase().replace('_', "-");
    let alias = match wanted.as_str() {
        "migrate" | "golang" => "golang-migrate",
        "sql-migrate" | "sqlmigrate" => "sql-migrate",
        "sqlx-reversible" => "sqlx",
        "active-record" | "activerecord" => "rails",
        other => other,
    };
    all().into_iter().find(|f| f.name() == alias).ok_or_else(|| {
        let names: Vec<&str> = all().iter().map(|f| f.name()).collect();
        Error::usage(format!("unknown migration framework `{name}`")).help(format!("use one of: {}", names.join(", ")))
    })
}

/// Lists `dir` and keeps the entries `format` recognises, oldest first.
pub fn scan_entries<F: Format + ?Sized>(format: &F, dir: &Path) -> Result<Vec<Existing>> {
    let mut found: Vec<Existing> = Vec::new();
    for (name, is_dir) in list_dir(dir)? {
        let Some((version, migration)) = format.entry(&name, is_dir) else { continue };
        match found.iter_mut().find(|e| e.version == version && e.name == migration) {
            Some(e) => e.paths.push(PathBuf::from(&name)),
            None => found.push(Existing { version, name: migration, paths: vec![PathBuf::from(&name)], id: None, parent: None }),
        }
    }
    for e in &mut found {
        // The up file first: `….up.sql` sorts after `….down.sql`. (By its
        // suffix: a name such as `0001_setup` holds "up" in both files.)
        e.paths.sort_by_key(|p| (!p.to_string_lossy().ends_with(".up.sql"), p.clone()));
    }
    found.sort_by(|a, b| super::version::compare(&a.version, &b.version).then_with(|| a.name.cmp(&b.name)));
    Ok(found)
}

/// Entries of a directory (name, is a directory), sorted; none when it does not exist.
pub fn list_dir(dir: &Path) -> Result<Vec<(String, bool)>> {
    let read = match std::fs::read_dir(dir) {
        Ok(r) => r,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(format!("cannot read {}: {e}", dir.display()))),
    };
    let mut out = Vec::new();
    for entry in read {
        let entry = entry.map_err(|e| Error::io(format!("cannot read {}: {e}", dir.display())))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        out.push((name, entry.path().is_dir()));
    }
    out.sort();
    Ok(out)
}

/// Reads a migration file as text.
pub fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(format!("cannot read {}: {e}", path.display())))?;
    String::from_utf8(bytes).map_err(|_| {
        Error::data(format!("{} is not UTF-8 text", path.display())).at(crate::model::Location::new(path.display().to_string(), 1, 1))
    })
}

/// The lines of `text` as Java's `BufferedReader.readLine` reads them
/// (Liquibase): a line ends at `\n`, `\r\n` or a lone `\r`, and a break at
/// the very end starts no further line. The Go runners split at `\n` only;
/// checking their lines this way is stricter, never looser.
pub fn runner_lines(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(['\n', '\r']) {
        out.push(&rest[..at]);
        let width = if rest[at..].starts_with("\r\n") { 2 } else { 1 };
        rest = &rest[at + width..];
    }
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

/// Refuses statements holding a line that the framework's runner, reading
/// the file line by line, would take for one of its own directives
/// (`directive`) rather than for SQL: a string literal or function body
/// spanning lines could otherwise end the up part early, switch off the
/// transaction, or smuggle in a rollback. Nothing can escape such a line
/// for the runner, so the migration is refused with the line it holds.
pub fn refuse_directive_lines(framework: &str, steps: &[Step], directive: impl Fn(&str) -> bool) -> Result<()> {
    for s in steps {
        if let Some(line) = runner_lines(&s.sql).into_iter().find(|l| directive(l)) {
            let what = if s.summary.is_empty() { s.sql.lines().next().unwrap_or("").to_string() } else { s.summary.clone() };
            return Err(Error::usage(format!(
                "the statement for `{what}` has a line {framework} would read as a directive: {}",
                super::escape::one_line(line)
            ))
            .help("choose another framework with --framework, or write this migration by hand"));
        }
    }
    Ok(())
}

/// Whether a statement's text holds a `;` before its end (a function body,
/// a DO block): runners that split files at `;` need it fenced.
pub fn has_inner_semicolon(sql: &str) -> bool {
    let trimmed = sql.trim_end().trim_end_matches(';');
    trimmed.contains(';')
}

/// Splits `name` at the first `_` into a leading version made of digits and
/// the rest: `0001_init` → (`0001`, `init`).
pub fn version_prefix(name: &str) -> Option<(String, String)> {
    let (version, rest) = name.split_once('_')?;
    (!version.is_empty() && version.bytes().all(|b| b.is_ascii_digit())).then(|| (version.to_string(), rest.to_string()))
}

/// A `<version>_<name>.sql` file: its version and name.
pub fn versioned_sql_file(name: &str, is_dir: bool) -> Option<(String, String)> {
    if is_dir {
        return None;
    }
    version_prefix(name.strip_suffix(".sql")?)
}

/// `text` with every line for which `keep` is false replaced by an empty line.
pub fn blank_lines_except(text: &str, mut keep: impl FnMut(usize, &str) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if keep(i, line) {
            out.push_str(line);
        } else if line.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_has_a_unique_name_and_a_default_directory() {
        let names: Vec<&str> = all().iter().map(|f| f.name()).collect();
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "{names:?}");
        assert!(all().iter().all(|f| !f.dirs().is_empty()));
        assert_eq!(by_name("golang_migrate").unwrap().name(), "golang-migrate");
        assert!(by_name("nope").is_err());
    }

    #[test]
    fn the_up_file_comes_first_whatever_the_name() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("0001_setup.down.sql"), "DROP TABLE t;\n").unwrap();
        std::fs::write(dir.path().join("0001_setup.up.sql"), "CREATE TABLE t (x int);\n").unwrap();
        let found = scan_entries(&split_files::PLAIN, dir.path()).unwrap();
        assert_eq!(found[0].paths[0], PathBuf::from("0001_setup.up.sql"));
    }

    #[test]
    fn inner_semicolons() {
        assert!(!has_inner_semicolon("CREATE TABLE a (x int);"));
        assert!(has_inner_semicolon("CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;"));
    }

    #[test]
    fn runner_lines_split_like_read_line() {
        assert_eq!(runner_lines("a\nb\r\nc\rd"), ["a", "b", "c", "d"]);
        assert_eq!(runner_lines("a\n\nb\n"), ["a", "", "b"]);
        assert!(runner_lines("").is_empty());
        let step = |sql: &str| Step { summary: "s".into(), sql: sql.into(), transactional: true, facts: Default::default() };
        let is_marker = |l: &str| l.starts_with("-- +goose");
        assert!(refuse_directive_lines("goose", &[step("SELECT 'a\r-- +goose Down'")], is_marker).is_err());
        assert!(refuse_directive_lines("goose", &[step("SELECT 'a -- +goose Down'")], is_marker).is_ok());
    }

    #[test]
    fn blanking_keeps_line_numbers() {
        assert_eq!(blank_lines_except("a\nb\nc\n", |i, _| i != 1), "a\n\nc\n");
    }
}
