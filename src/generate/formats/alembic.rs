//! Alembic: one Python module per migration in `<script_location>/versions`,
//! chained by `revision` / `down_revision`, with `upgrade()` and
//! `downgrade()` calling `op.execute` once per statement.
//!
//! # Order and file names
//!
//! Alembic orders migrations by the revision chain, never by file name.
//! schemashift still puts a number in front of the name it writes,
//! `0003_<revision>_<slug>.py` (what a `file_template` of
//! `%%(rev)s_%%(slug)s` with a sequence in front would give), so that a
//! directory listing reads in order. The number is the migration's
//! "version": for a file without one, it is its place in the chain.
//!
//! # Revisions
//!
//! `alembic revision` takes random ids; schemashift derives the 12 hex
//! digits from the version, name, parent and SQL, so the same change
//! generates the same bytes. The new migration follows the current head (the
//! revision no other names as its `down_revision`); with several heads
//! schemashift refuses, as `alembic upgrade head` would.
//!
//! # Transactions
//!
//! Alembic's stock `env.py` runs *all* pending migrations in one
//! transaction, so the commit between two migrations that other runners
//! give for free does not happen. Statements that must run outside a
//! transaction (`CREATE INDEX CONCURRENTLY`) and `ALTER TYPE … ADD VALUE`
//! (whose label cannot be used before it commits) therefore run in
//! `op.get_context().autocommit_block()`, which commits what came before.
//!
//! # SQL in `op.execute`
//!
//! Alembic turns a string into SQLAlchemy's `text()`, where `:name` is a
//! bind parameter and `\:` an escaped colon. Colons that `text()` would take
//! for either are escaped so the database receives exactly the planned SQL
//! ([`escape_text_colons`]); `%` needs nothing (SQLAlchemy doubles it for
//! psycopg2 and the driver undoes that).

use super::python::{self, Placer, Tok, error_at};
use super::{Existing, Format, Migration, Probe, list_dir, read_text};
use crate::error::{Error, Result};
use crate::generate::escape::hash_comment;
use crate::generate::version::Style;
use crate::generate::write::OutFile;
use crate::plan::Step;
use std::path::{Path, PathBuf};

pub struct Alembic;

pub const ALEMBIC: Alembic = Alembic;

impl Format for Alembic {
    fn name(&self) -> &'static str {
        "alembic"
    }
    fn dirs(&self) -> &'static [&'static str] {
        &["alembic/versions", "migrations/versions"]
    }
    fn style(&self) -> Style {
        Style::Sequential { width: 4 }
    }
    fn one_query_per_file(&self) -> bool {
        // One `op.execute` per statement: each is its own query.
        false
    }
    fn entry(&self, name: &str, is_dir: bool) -> Option<(String, String)> {
        let stem = name.strip_suffix(".py")?;
        if is_dir || stem.starts_with("__init__") || stem.starts_with('.') {
            return None;
        }
        // Alembic loads every module; the chain, not the name, orders them.
        let first = stem.split_once('_').map_or(stem, |(f, _)| f);
        Some((first.to_string(), stem.to_string()))
    }
    fn detect(&self, probe: &Probe) -> u32 {
        let names = probe.has_entry(|n, d| self.entry(n, d).is_some());
        let telltale = probe.telltale("alembic.ini", None)
            || probe.telltale("script.py.mako", None)
            || probe.telltale("env.py", Some("alembic"));
        let content = probe.sample_contains("down_revision") || probe.sample_contains("from alembic import op");
        u32::from(names) + 2 * u32::from(telltale) + 4 * u32::from(content)
    }
    fn scan(&self, dir: &Path) -> Result<Vec<Existing>> {
        let mut found = Vec::new();
        for (name, is_dir) in list_dir(dir)? {
            if self.entry(&name, is_dir).is_none() {
                continue;
            }
            let path = dir.join(&name);
            let head = chain_header(&read_text(&path)?, &path.display().to_string())?;
            found.push((name, head));
        }
        chain_order(dir, found)
    }
    fn render(&self, m: &Migration<'_>) -> Result<Vec<OutFile>> {
        let rev = revision_of(m);
        let parent = m.previous.and_then(|p| p.id.clone());
        let mut text = format!("\"\"\"{}\n\nRevision ID: {rev}\n", m.slug.replace('_', " "));
        match &parent {
            Some(p) if p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') => text.push_str(&format!("Revises: {p}\n")),
            _ => text.push_str("Revises:\n"),
        }
        text.push_str("\"\"\"\n\n");
        text.push_str(&format!("# {}.\n\n", hash_comment(m.header)));
        text.push_str("from alembic import op\n\n# revision identifiers, used by Alembic.\n");
        text.push_str(&format!("revision = {}\n", python::short_literal(&rev)));
        match &parent {
            Some(p) => text.push_str(&format!("down_revision = {}\n", python::short_literal(p))),
            None => text.push_str("down_revision = None\n"),
        }
        text.push_str("branch_labels = None\ndepends_on = None\n\n\n");
        text.push_str("def upgrade() -> None:\n");
        text.push_str(&body(m.up, m.transaction));
        text.push_str("\n\ndef downgrade() -> None:\n");
        text.push_str(&body(m.down, m.transaction));
        Ok(vec![OutFile::new(file_name(m, &rev), text)])
    }
    fn describe(&self, m: &Migration<'_>, _files: &[OutFile]) -> Existing {
        let rev = revision_of(m);
        let name = file_name(m, &rev);
        Existing {
            version: m.version.to_string(),
            name: name.trim_end_matches(".py").to_string(),
            paths: vec![PathBuf::from(name)],
            id: Some(rev),
            parent: m.previous.and_then(|p| p.id.clone()),
        }
    }
    fn read_up(&self, dir: &Path, e: &Existing) -> Result<String> {
        let path = dir.join(&e.paths[0]);
        read_upgrade(&read_text(&path)?, &path.display().to_string())
    }
}

fn file_name(m: &Migration<'_>, rev: &str) -> String {
    format!("{}_{rev}_{}.py", m.version, m.slug)
}

/// 12 hex digits from everything that makes the migration what it is.
fn revision_of(m: &Migration<'_>) -> String {
    let mut h = Fnv::default();
    for part in [m.version, m.slug, m.previous.and_then(|p| p.id.as_deref()).unwrap_or("")] {
        h.write(part.as_bytes());
        h.write(&[0]);
    }
    for s in m.up.iter().chain([&Step { summary: String::new(), sql: "--".into(), transactional: true, facts: Default::default() }]).chain(m.down) {
        h.write(s.sql.as_bytes());
        h.write(&[u8::from(s.transactional)]);
    }
    format!("{:016x}", h.finish())[..12].to_string()
}

/// FNV-1a with a final avalanche (the bits are an identifier, not a
/// security boundary).
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn finish(&self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// The body of `upgrade()` or `downgrade()`.
fn body(steps: &[Step], transaction: bool) -> String {
    if steps.is_empty() {
        return "    pass\n".to_string();
    }
    let mut out = String::new();
    let mut in_block = false;
    for s in steps {
        let outside = !transaction || !s.transactional || adds_enum_value(&s.sql);
        if outside && !in_block {
            out.push_str("    with op.get_context().autocommit_block():\n");
        }
        in_block = outside;
        let indent = if in_block { "        " } else { "    " };
        out.push_str(&format!("{indent}op.execute({})\n", python::literal(&escape_text_colons(&s.sql))));
    }
    out
}

fn adds_enum_value(sql: &str) -> bool {
    let sql = sql.trim_start();
    sql.starts_with("ALTER TYPE ") && sql.contains(" ADD VALUE ")
}

fn is_word(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// Whether the colon at `cs[i]` is followed by a word (possibly empty) that
/// is not followed by another colon or word character: the tail both of
/// SQLAlchemy's bind pattern `(?<![:\w\\]):(\w+)(?![:\w])` and of its escape
/// pattern `\\(:\w*)(?![:\w])`. Returns the end of the word.
fn colon_tail(cs: &[char], i: usize) -> Option<usize> {
    let mut j = i + 1;
    while j < cs.len() && is_word(cs[j]) {
        j += 1;
    }
    (j >= cs.len() || cs[j] != ':').then_some(j)
}

/// `sql` such that SQLAlchemy's `text()` sends exactly `sql`: a backslash
/// before every colon that `text()` would read as a bind parameter
/// (`:name`), and before every colon whose backslash it would remove (`\:`).
pub fn escape_text_colons(sql: &str) -> String {
    let cs: Vec<char> = sql.chars().collect();
    let mut out = String::with_capacity(sql.len());
    for (i, &c) in cs.iter().enumerate() {
        if c == ':'
            && let Some(end) = colon_tail(&cs, i)
        {
            let prev = i.checked_sub(1).map(|p| cs[p]);
            let escaped = prev == Some('\\');
            let bind = end > i + 1 && !prev.is_some_and(|p| p == ':' || p == '\\' || is_word(p));
            if escaped || bind {
                out.push('\\');
            }
        }
        out.push(c);
    }
    out
}

/// What SQLAlchemy's `text()` sends for `text` without parameters, or the
/// offset of the first bind parameter (which a migration cannot be given).
pub fn unescape_text_colons(text: &str) -> std::result::Result<String, usize> {
    let cs: Vec<char> = text.chars().collect();
    for (i, &c) in cs.iter().enumerate() {
        if c == ':' {
            let prev = i.checked_sub(1).map(|p| cs[p]);
            if let Some(end) = colon_tail(&cs, i)
                && end > i + 1
                && !prev.is_some_and(|p| p == ':' || p == '\\' || is_word(p))
            {
                return Err(i);
            }
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < cs.len() {
        if cs[i] == '\\' && cs.get(i + 1) == Some(&':') && colon_tail(&cs, i + 1).is_some() {
            i += 1;
            continue;
        }
        out.push(cs[i]);
        i += 1;
    }
    Ok(out)
}

/// `revision` and `down_revision` of one file.
#[derive(Debug, Clone)]
struct ChainHeader {
    file: String,
    revision: String,
    parents: Vec<String>,
    /// Line of `down_revision`, for messages.
    down_line: u32,
}

/// Reads the module-level `revision = "…"` and `down_revision = …` (a
/// string, `None`, or a tuple/list of strings for a merge), with or without
/// type annotations.
fn chain_header(text: &str, file: &str) -> Result<ChainHeader> {
    let lines = python::logical_lines(text, file)?;
    let value = |name: &str| -> Result<Option<(Vec<String>, u32)>> {
        let Some(line) = lines.iter().find(|l| l.indent == 0 && l.starts_with_names(&[name])) else { return Ok(None) };
        let t = &line.tokens;
        let Some(eq) = t.iter().position(|t| t.is_op('=')) else { return Ok(None) };
        let rest = &t[eq + 1..];
        let bad = || error_at(file, line.line(), t[0].col, format!("`{name}` is not a string literal, None, or a tuple of them"));
        match rest.first().map(|t| &t.tok) {
            Some(Tok::Name(n)) if n == "None" && rest.len() == 1 => Ok(Some((Vec::new(), line.line()))),
            Some(Tok::Str { .. }) => {
                let (v, _, end) = python::strings_at(rest, 0).ok_or_else(bad)?;
                if end != rest.len() {
                    return Err(bad());
                }
                Ok(Some((vec![v], line.line())))
            }
            Some(Tok::Op('(' | '[')) => {
                let mut out = Vec::new();
                for t in &rest[1..rest.len() - 1] {
                    match &t.tok {
                        Tok::Str { value, .. } => out.push(value.clone()),
                        Tok::Op(',') => {}
                        _ => return Err(bad()),
                    }
                }
                Ok(Some((out, line.line())))
            }
            _ => Err(bad()),
        }
    };
    let Some((revision, _)) = value("revision")? else {
        return Err(error_at(file, 1, 1, "no `revision = \"…\"` line: Alembic cannot load this file either")
            .help("every .py file in an Alembic versions directory is a migration; move other modules elsewhere"));
    };
    let (parents, down_line) = value("down_revision")?.unwrap_or((Vec::new(), 1));
    let revision = revision.into_iter().next().unwrap_or_default();
    Ok(ChainHeader { file: file.to_string(), revision, parents, down_line })
}

/// A migration file's `revision` and the revisions it follows
/// (`down_revision`), for tools that move migrations (`renumber`).
pub fn chain_ids(text: &str, file: &str) -> Result<(String, Vec<String>)> {
    let h = chain_header(text, file)?;
    Ok((h.revision, h.parents))
}

/// The migrations in chain order, parents before children, each numbered.
fn chain_order(dir: &Path, found: Vec<(String, ChainHeader)>) -> Result<Vec<Existing>> {
    for (i, (_, a)) in found.iter().enumerate() {
        if let Some((_, b)) = found[..i].iter().find(|(_, b)| b.revision == a.revision) {
            return Err(error_at(&a.file, 1, 1, format!("revision {} is also the revision of {}", a.revision, b.file)));
        }
        for p in &a.parents {
            if !found.iter().any(|(_, b)| &b.revision == p) {
                return Err(error_at(&a.file, a.down_line, 1, format!("down_revision {p} is not a revision in {}", dir.display()))
                    .help("the revision it follows is missing from the versions directory"));
            }
        }
    }
    let heads: Vec<&ChainHeader> =
        found.iter().map(|(_, h)| h).filter(|h| !found.iter().any(|(_, o)| o.parents.contains(&h.revision))).collect();
    if !found.is_empty() && heads.len() != 1 {
        let list: Vec<String> = heads.iter().map(|h| format!("{} ({})", h.revision, h.file)).collect();
        let message = if heads.is_empty() {
            format!("the revisions in {} form a cycle", dir.display())
        } else {
            format!("{} has {} heads: {}", dir.display(), heads.len(), list.join(", "))
        };
        return Err(Error::data(message).help("merge them first (`alembic merge heads`), so the new migration has one revision to follow"));
    }
    // Kahn's algorithm, taking the first ready file by name at each step so
    // the order is stable.
    let mut placed: Vec<usize> = Vec::new();
    while placed.len() < found.len() {
        let ready = (0..found.len()).find(|&i| {
            !placed.contains(&i)
                && found[i].1.parents.iter().all(|p| placed.iter().any(|&j| &found[j].1.revision == p))
        });
        let Some(i) = ready else {
            return Err(Error::data(format!("the revisions in {} form a cycle", dir.display())));
        };
        placed.push(i);
    }
    Ok(placed
        .iter()
        .enumerate()
        .map(|(position, &i)| {
            let (name, h) = &found[i];
            let stem = name.trim_end_matches(".py");
            let prefix = super::version_prefix(stem).map(|(v, _)| v).filter(|v| v != &h.revision);
            Existing {
                version: prefix.unwrap_or_else(|| format!("{:04}", position + 1)),
                name: stem.to_string(),
                paths: vec![PathBuf::from(name)],
                id: Some(h.revision.clone()),
                parent: (!h.parents.is_empty()).then(|| h.parents.join(",")),
            }
        })
        .collect())
}

/// The SQL of `upgrade()`: every `op.execute("…")` (also `sa.text("…")`,
/// adjacent literals), placed on its own line. Anything else that does
/// something is refused with its position.
fn read_upgrade(text: &str, file: &str) -> Result<String> {
    let lines = python::logical_lines(text, file)?;
    let Some((_, body)) = python::function_body(&lines, "upgrade") else {
        return Err(error_at(file, 1, 1, "no `def upgrade():` in this Alembic migration"));
    };
    let mut out = Placer::new();
    for line in body {
        let t = &line.tokens;
        let only_strings = t.iter().all(|t| matches!(t.tok, Tok::Str { .. }));
        let autocommit = line.starts_with_names(&["with"])
            && t.iter().any(|t| t.is_name("autocommit_block"))
            && t.last().is_some_and(|t| t.is_op(':'));
        if only_strings || autocommit || line.starts_with_names(&["pass"]) || line.starts_with_names(&["import"]) || line.starts_with_names(&["from"]) {
            continue;
        }
        let is_execute = t.len() > 4 && t[0].is_name("op") && t[1].is_op('.') && t[2].is_name("execute") && t[3].is_op('(');
        if !is_execute {
            let what: String = t.iter().take(3).map(python::Token::text).collect();
            return Err(error_at(file, line.line(), t[0].col, format!("`{what}…` in upgrade() is not SQL that schemashift can read"))
                .help("schemashift reads migrations made of op.execute(\"<SQL>\") calls; write the change as SQL"));
        }
        let mut at = 4;
        let wrapped = if t[at].is_name("text") && t.get(at + 1).is_some_and(|t| t.is_op('(')) {
            at += 2;
            true
        } else if (t[at].is_name("sa") || t[at].is_name("sqlalchemy"))
            && t.get(at + 1).is_some_and(|t| t.is_op('.'))
            && t.get(at + 2).is_some_and(|t| t.is_name("text"))
            && t.get(at + 3).is_some_and(|t| t.is_op('('))
        {
            at += 4;
            true
        } else {
            false
        };
        let not_literal = || {
            error_at(file, line.line(), t[4].col, "the argument of op.execute is not a string literal")
                .help("schemashift reads op.execute(\"<SQL>\") and op.execute(sa.text(\"<SQL>\")) with literal SQL")
        };
        let (value, first_line, end) = python::strings_at(t, at).ok_or_else(not_literal)?;
        let closes = if wrapped { t.get(end).is_some_and(|t| t.is_op(')')) } else { t.get(end).is_some_and(|t| t.is_op(')') || t.is_op(',')) };
        if !closes {
            return Err(not_literal());
        }
        let sql = unescape_text_colons(&value).map_err(|offset| {
            let name: String = value.chars().skip(offset).take_while(|c| *c == ':' || is_word(*c)).collect();
            error_at(file, first_line, 1, format!("`{name}` is a bind parameter of text(), which a migration cannot be given"))
                .help("write the value into the SQL, or escape the colon as `\\:`")
        })?;
        out.place(first_line, &sql);
    }
    Ok(out.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(sql: &str, transactional: bool) -> Step {
        Step { summary: String::new(), sql: sql.into(), transactional, facts: Default::default() }
    }

    fn migration<'a>(version: &'a str, up: &'a [Step], down: &'a [Step], previous: Option<&'a Existing>) -> Migration<'a> {
        Migration { version, slug: "add_users", header: "Generated by test", up, down, transaction: true, previous }
    }

    #[test]
    fn colon_escaping_follows_sqlalchemy_patterns() {
        // Casts, assignments and time literals are not bind parameters.
        for sql in ["SELECT x::int", "NEW.a := now();", "SELECT '12::30'", "a:=b", "SELECT ':'"] {
            assert_eq!(escape_text_colons(sql), sql);
        }
        assert_eq!(escape_text_colons("SELECT ':name'"), "SELECT '\\:name'");
        assert_eq!(escape_text_colons("SELECT 'a\\:b'"), "SELECT 'a\\\\:b'");
        assert_eq!(escape_text_colons("SELECT 'x:y'"), "SELECT 'x:y'", "preceded by a word character");
        assert_eq!(escape_text_colons("E'\\: '"), "E'\\\\: '", "text() drops the backslash of `\\:` even without a name");
        for sql in ["SELECT ':name', 'a\\:b', x::int, '\\\\:z', ':é', ' :a:b', ':_'", "\\:", ":", "::a\\:"] {
            assert_eq!(unescape_text_colons(&escape_text_colons(sql)).unwrap(), sql, "{sql}");
        }
        assert_eq!(unescape_text_colons("SELECT :id"), Err(7));
    }

    #[test]
    fn chains_to_the_previous_revision_and_reads_back() {
        let up = [step("CREATE TABLE users (id int);", true), step("COMMENT ON TABLE users IS 'a \"\"\" b \\ c :d';", true)];
        let down = [step("DROP TABLE users;", true)];
        let prev = Existing { version: "0001".into(), name: "0001_abc_init".into(), paths: vec!["0001_abc_init.py".into()], id: Some("abc".into()), parent: None };
        let m = migration("0002", &up, &down, Some(&prev));
        let files = ALEMBIC.render(&m).unwrap();
        let text = String::from_utf8(files[0].bytes.clone()).unwrap();
        let rev = revision_of(&m);
        assert_eq!(rev.len(), 12);
        assert!(rev.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(files[0].path, PathBuf::from(format!("0002_{rev}_add_users.py")));
        assert!(text.contains(&format!("revision = \"{rev}\"\ndown_revision = \"abc\"\n")), "{text}");
        assert!(text.contains("def upgrade() -> None:\n    op.execute(\"\"\"\\\nCREATE TABLE users (id int);\"\"\")\n"), "{text}");
        assert!(!text.contains("autocommit_block"));
        let described = ALEMBIC.describe(&m, &files);
        assert_eq!(described.id.as_deref(), Some(rev.as_str()));
        assert_eq!(described.parent.as_deref(), Some("abc"));
        // Same input, same bytes; another parent, another revision.
        assert_eq!(ALEMBIC.render(&m).unwrap(), files);
        assert_ne!(revision_of(&migration("0002", &up, &down, None)), rev);

        let sql = read_upgrade(&text, "f.py").unwrap();
        let header = chain_header(&text, "f.py").unwrap();
        assert_eq!((header.revision.as_str(), header.parents.as_slice()), (rev.as_str(), ["abc".to_string()].as_slice()));
        let statements: Vec<&str> = sql.lines().filter(|l| !l.is_empty()).collect();
        assert_eq!(statements, ["CREATE TABLE users (id int);", "COMMENT ON TABLE users IS 'a \"\"\" b \\ c :d';"]);
        let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap();
        assert_eq!(sql.lines().position(|l| l.starts_with("CREATE")).unwrap(), line_of("CREATE TABLE users"));
    }

    #[test]
    fn the_header_is_one_comment_line() {
        let up = [step("SELECT 1;", true)];
        let m = Migration { header: "from x\nrevision = 'evil'\r\"\"\"", ..migration("0001", &up, &[], None) };
        let text = String::from_utf8(ALEMBIC.render(&m).unwrap()[0].bytes.clone()).unwrap();
        assert!(text.contains("\n# from x\\nrevision = 'evil'\\r\"\"\".\n\n"), "{text}");
        assert_eq!(chain_header(&text, "f.py").unwrap().revision, revision_of(&m));
    }

    #[test]
    fn statements_outside_a_transaction_go_in_an_autocommit_block() {
        let up = [step("CREATE INDEX CONCURRENTLY i ON t (x);", false)];
        let down = [step("DROP INDEX CONCURRENTLY i;", false)];
        let m = Migration { transaction: false, ..migration("0003", &up, &down, None) };
        let text = String::from_utf8(ALEMBIC.render(&m).unwrap()[0].bytes.clone()).unwrap();
        assert!(text.contains("def upgrade() -> None:\n    with op.get_context().autocommit_block():\n        op.execute(\"\"\"\\\nCREATE INDEX CONCURRENTLY"), "{text}");
        assert!(text.contains("down_revision = None\n"));
        let up = [step("ALTER TYPE s ADD VALUE 'x' BEFORE 'y';", true), step("ALTER TABLE t ADD COLUMN c int;", true)];
        let text = String::from_utf8(ALEMBIC.render(&migration("0004", &up, &[], None)).unwrap()[0].bytes.clone()).unwrap();
        assert!(text.contains("    with op.get_context().autocommit_block():\n        op.execute(\"\"\"\\\nALTER TYPE s ADD VALUE 'x' BEFORE 'y';\"\"\")\n    op.execute(\"\"\"\\\nALTER TABLE t"), "{text}");
        assert!(text.contains("def downgrade() -> None:\n    pass\n"));
    }

    #[test]
    fn reads_hand_written_migrations_and_refuses_what_is_not_sql() {
        let text = "\"\"\"doc\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision: str = 'r2'\ndown_revision: Union[str, None] = ('r1', 'r0')\n\n\ndef upgrade():\n    \"\"\"Docstring.\"\"\"\n    op.execute('CREATE TABLE a (x int)')\n    op.execute(sa.text(\"INSERT INTO a VALUES (1) \"\n                       \"-- \\\\:x\"))\n\n\ndef downgrade():\n    op.drop_table('a')\n";
        let h = chain_header(text, "f.py").unwrap();
        assert_eq!(h.parents, ["r1", "r0"]);
        assert_eq!(read_upgrade(text, "f.py").unwrap(), "\n\n\n\n\n\n\n\n\n\nCREATE TABLE a (x int);\nINSERT INTO a VALUES (1) -- :x;\n");
        let bad = "def upgrade():\n    op.execute('x')\n    op.create_table('a')\n";
        let err = read_upgrade(bad, "v/f.py").unwrap_err();
        assert_eq!(err.location.as_ref().map(|l| (l.file.as_ref(), l.line, l.column)), Some(("v/f.py", 3, 5)), "{err}");
        assert!(err.to_string().contains("op.create_table"), "{err}");
        let err = read_upgrade("def upgrade():\n    op.execute(sql)\n", "f.py").unwrap_err();
        assert!(err.to_string().contains("not a string literal"), "{err}");
        let err = read_upgrade("def upgrade():\n    op.execute('SELECT :id')\n", "f.py").unwrap_err();
        assert!(err.to_string().contains(":id"), "{err}");
        assert!(read_upgrade("x = 1\n", "f.py").is_err());
    }

    #[test]
    fn scan_orders_by_chain_and_refuses_several_heads() {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str, rev: &str, down: &str| {
            std::fs::write(dir.path().join(name), format!("revision = '{rev}'\ndown_revision = {down}\n\ndef upgrade():\n    pass\n")).unwrap();
        };
        // Names sort against the chain on purpose.
        file("ffff_first.py", "aaa", "None");
        file("1111_second.py", "bbb", "'aaa'");
        file("0003_ccc_third.py", "ccc", "'bbb'");
        std::fs::write(dir.path().join("__init__.py"), "").unwrap();
        let found = ALEMBIC.scan(dir.path()).unwrap();
        let ids: Vec<_> = found.iter().map(|e| (e.version.as_str(), e.id.as_deref().unwrap(), e.parent.as_deref())).collect();
        assert_eq!(ids, [("0001", "aaa", None), ("1111", "bbb", Some("aaa")), ("0003", "ccc", Some("bbb"))]);
        file("0004_ddd_branch.py", "ddd", "'bbb'");
        let err = ALEMBIC.scan(dir.path()).unwrap_err();
        assert!(err.to_string().contains("2 heads") && err.to_string().contains("ccc") && err.to_string().contains("ddd"), "{err}");
        file("0004_ddd_branch.py", "ddd", "'zzz'");
        let err = ALEMBIC.scan(dir.path()).unwrap_err();
        assert_eq!(err.location.as_ref().map(|l| l.line), Some(2), "{err}");
    }
}
