//! Formats that keep up and down in one SQL file, separated by marker
//! comments: goose (`-- +goose Up`), dbmate (`-- migrate:up`) and
//! sql-migrate (`-- +migrate Up`).

use super::{Existing, Format, Migration, Probe, blank_lines_except, has_inner_semicolon, read_text};
use crate::error::{Error, Result};
use crate::generate::escape::sql_comment;
use crate::generate::version::Style;
use crate::generate::write::OutFile;
use crate::model::Location;
use crate::plan::Step;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Goose,
    Dbmate,
    SqlMigrate,
}

pub struct Marked {
    kind: Kind,
}

/// goose: `-- +goose Up`/`Down`, `StatementBegin`/`End` around statements
/// with inner semicolons, `-- +goose NO TRANSACTION`.
pub const GOOSE: Marked = Marked { kind: Kind::Goose };
/// dbmate: `-- migrate:up`/`down`, `transaction:false` on the marker line.
pub const DBMATE: Marked = Marked { kind: Kind::Dbmate };
/// sql-migrate: `-- +migrate Up`/`Down`, `StatementBegin`/`End`, `notransaction`.
pub const SQL_MIGRATE: Marked = Marked { kind: Kind::SqlMigrate };

impl Marked {
    fn up_marker(&self) -> &'static str {
        match self.kind {
            Kind::Goose => "-- +goose Up",
            Kind::Dbmate => "-- migrate:up",
            Kind::SqlMigrate => "-- +migrate Up",
        }
    }
    fn down_marker(&self) -> &'static str {
        match self.kind {
            Kind::Goose => "-- +goose Down",
            Kind::Dbmate => "-- migrate:down",
            Kind::SqlMigrate => "-- +migrate Down",
        }
    }
    /// The marker line of one direction, with the no-transaction option
    /// where the framework puts it on that line.
    fn marker_line(&self, marker: &str, transaction: bool) -> String {
        match (self.kind, transaction) {
            (Kind::Dbmate, false) => format!("{marker} transaction:false\n"),
            (Kind::SqlMigrate, false) => format!("{marker} notransaction\n"),
            _ => format!("{marker}\n"),
        }
    }
    /// Statements, fenced where the runner would otherwise split them at an
    /// inner `;` (goose and sql-migrate split files themselves; dbmate does not).
    fn body(&self, steps: &[Step]) -> String {
        let (begin, end) = match self.kind {
            Kind::Goose => ("-- +goose StatementBegin\n", "-- +goose StatementEnd\n"),
            Kind::SqlMigrate => ("-- +migrate StatementBegin\n", "-- +migrate StatementEnd\n"),
            Kind::Dbmate => return crate::plan::script(steps),
        };
        let mut out = String::new();
        for s in steps {
            if has_inner_semicolon(&s.sql) {
                out.push_str(begin);
                out.push_str(&s.sql);
                out.push('\n');
                out.push_str(end);
            } else {
                out.push_str(&s.sql);
                out.push('\n');
            }
        }
        out
    }
    /// Whether the runner reads `line` as one of its annotations, as its
    /// parser decides: goose takes any `--` line mentioning `+goose`
    /// (internal/sqlparser/parser.go), sql-migrate a line starting with
    /// `-- +` (sqlparse.go: a command, or dropped from the SQL), dbmate a
    /// line starting with `--` and `migrate:` (its `upRegExp`/`downRegExp`).
    /// Case is ignored: stricter than the runners, never looser.
    fn is_annotation(&self, line: &str) -> bool {
        let lower = line.to_ascii_lowercase();
        match self.kind {
            Kind::Goose => lower.trim_start().starts_with("--") && lower.contains("+goose"),
            Kind::SqlMigrate => lower.starts_with("-- +"),
            Kind::Dbmate => lower.strip_prefix("--").is_some_and(|rest| rest.trim_start().starts_with("migrate:")),
        }
    }
    fn version_and_name(&self, stem: &str) -> Option<(String, String)> {
        // sql-migrate's own `new` names files `<timestamp>-<name>.sql`.
        let cut = stem.find(|c: char| !c.is_ascii_digit())?;
        let sep = stem[cut..].chars().next()?;
        let ok = sep == '_' || (self.kind == Kind::SqlMigrate && sep == '-');
        (cut > 0 && ok).then(|| (stem[..cut].to_string(), stem[cut + 1..].to_string()))
    }
}

impl Format for Marked {
    fn name(&self) -> &'static str {
        match self.kind {
            Kind::Goose => "goose",
            Kind::Dbmate => "dbmate",
            Kind::SqlMigrate => "sql-migrate",
        }
    }
    fn dirs(&self) -> &'static [&'static str] {
        match self.kind {
            Kind::Goose => &["migrations", "db/migrations"],
            Kind::Dbmate => &["db/migrations"],
            Kind::SqlMigrate => &["migrations", "db/migrations"],
        }
    }
    fn style(&self) -> Style {
        Style::Timestamp
    }
    fn one_query_per_file(&self) -> bool {
        // dbmate sends each part as one query; goose and sql-migrate split it.
        self.kind == Kind::Dbmate
    }
    fn entry(&self, name: &str, is_dir: bool) -> Option<(String, String)> {
        if is_dir {
            return None;
        }
        self.version_and_name(name.strip_suffix(".sql")?)
    }
    fn detect(&self, probe: &Probe) -> u32 {
        let names = probe.has_entry(|n, d| self.entry(n, d).is_some());
        let marker = probe.sample_contains(self.up_marker());
        let telltale = match self.kind {
            Kind::Goose => probe.telltale("go.mod", Some("pressly/goose")),
            Kind::Dbmate => probe.telltale("package.json", Some("dbmate")) || probe.telltale(".dbmate", None),
            Kind::SqlMigrate => probe.telltale("dbconfig.yml", None) || probe.telltale("go.mod", Some("rubenv/sql-migrate")),
        };
        u32::from(names) + 2 * u32::from(telltale) + 4 * u32::from(marker)
    }
    fn render(&self, m: &Migration<'_>) -> Result<Vec<OutFile>> {
        super::refuse_directive_lines(self.name(), m.up, |l| self.is_annotation(l))?;
        super::refuse_directive_lines(self.name(), m.down, |l| self.is_annotation(l))?;
        // goose reads `+goose` anywhere on a comment line, the header's included.
        let markers: &[&str] = if self.kind == Kind::Goose { &["+goose"] } else { &[] };
        let mut text = format!("-- {}\n", sql_comment(m.header, markers));
        if self.kind == Kind::Goose && !m.transaction {
            text.push_str("-- +goose NO TRANSACTION\n");
        }
        text.push('\n');
        text.push_str(&self.marker_line(self.up_marker(), m.transaction));
        text.push_str(&self.body(m.up));
        text.push('\n');
        text.push_str(&self.marker_line(self.down_marker(), m.transaction));
        text.push_str(&self.body(m.down));
        let sep = if self.kind == Kind::SqlMigrate { "-" } else { "_" };
        Ok(vec![OutFile::new(format!("{}{sep}{}.sql", m.version, m.slug), text)])
    }
    fn read_up(&self, dir: &Path, e: &Existing) -> Result<String> {
        let path = dir.join(&e.paths[0]);
        let text = read_text(&path)?;
        let is = |line: &str, marker: &str| line.trim_start().starts_with(marker);
        if !text.lines().any(|l| is(l, self.up_marker())) {
            return Err(Error::data(format!("{} has no `{}` line", path.display(), self.up_marker()))
                .at(Location::new(path.display().to_string(), 1, 1))
                .help(format!("is this a {} migration? choose the framework with --framework", self.name())));
        }
        let mut inside = false;
        Ok(blank_lines_except(&text, |_, line| {
            if is(line, self.up_marker()) {
                inside = true;
                return false;
            }
            if is(line, self.down_marker()) {
                inside = false;
            }
            inside
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(sql: &str) -> Step {
        Step { summary: String::new(), sql: sql.into(), transactional: true, facts: Default::default() }
    }

    #[test]
    fn goose_fences_bodies_and_marks_no_transaction() {
        let up = [step("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;"), step("CREATE TABLE t (x int);")];
        let down = [step("DROP TABLE t;")];
        let m = Migration { version: "00002", slug: "f", header: "h", up: &up, down: &down, transaction: false, previous: None };
        let text = String::from_utf8(GOOSE.render(&m).unwrap().remove(0).bytes).unwrap();
        assert_eq!(
            text,
            "-- h\n-- +goose NO TRANSACTION\n\n-- +goose Up\n-- +goose StatementBegin\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;\n-- +goose StatementEnd\nCREATE TABLE t (x int);\n\n-- +goose Down\nDROP TABLE t;\n"
        );
    }

    #[test]
    fn dbmate_and_sql_migrate_markers() {
        let up = [step("CREATE INDEX CONCURRENTLY i ON t (x);")];
        let down = [step("DROP INDEX CONCURRENTLY i;")];
        let m = Migration { version: "20240101000000", slug: "i", header: "h", up: &up, down: &down, transaction: false, previous: None };
        let dbmate = DBMATE.render(&m).unwrap().remove(0);
        assert_eq!(dbmate.path.to_str(), Some("20240101000000_i.sql"));
        let text = String::from_utf8(dbmate.bytes).unwrap();
        assert!(text.contains("-- migrate:up transaction:false\nCREATE INDEX"), "{text}");
        assert!(text.contains("-- migrate:down transaction:false\nDROP INDEX"), "{text}");
        let sm = SQL_MIGRATE.render(&m).unwrap().remove(0);
        assert_eq!(sm.path.to_str(), Some("20240101000000-i.sql"));
        assert!(String::from_utf8(sm.bytes).unwrap().contains("-- +migrate Up notransaction\n"));
    }

    #[test]
    fn headers_and_statements_cannot_hold_annotations() {
        let up = [step("CREATE TABLE t (x int);")];
        let m = Migration { version: "1", slug: "t", header: "from a\n-- +goose Down\nDROP TABLE users; +goose", up: &up, down: &[], transaction: true, previous: None };
        let text = String::from_utf8(GOOSE.render(&m).unwrap().remove(0).bytes).unwrap();
        assert!(text.starts_with("-- from a\\n-- \\u{2b}goose Down\\nDROP TABLE users; \\u{2b}goose\n"), "{text}");
        assert_eq!(text.lines().filter(|l| l.contains("+goose")).count(), 2, "only the Up and Down markers: {text}");
        for (format, sql) in [
            (&GOOSE, "COMMENT ON TABLE t IS 'a\n-- +goose Down\nDROP TABLE users;';"),
            (&GOOSE, "COMMENT ON TABLE t IS 'a\n  --+GOOSE NO TRANSACTION';"),
            (&SQL_MIGRATE, "COMMENT ON TABLE t IS 'a\r-- +migrate Down';"),
            (&DBMATE, "COMMENT ON TABLE t IS 'a\n--  migrate:down';"),
        ] {
            let bad = [step(sql)];
            let m = Migration { version: "1", slug: "t", header: "h", up: &up, down: &bad, transaction: true, previous: None };
            let err = format.render(&m).unwrap_err();
            assert!(err.to_string().contains("would read as a directive"), "{err}");
        }
        // Mid-line, the same words are SQL to every runner.
        let fine = [step("COMMENT ON TABLE t IS 'a\nx -- migrate:down, -- +migrate Down, -- +goose Down';")];
        let m = Migration { version: "1", slug: "t", header: "h", up: &fine, down: &[], transaction: true, previous: None };
        assert!(GOOSE.render(&m).is_ok() && DBMATE.render(&m).is_ok() && SQL_MIGRATE.render(&m).is_ok());
    }

    #[test]
    fn reading_back_keeps_only_the_up_part_on_its_lines() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("1_a.sql"), "-- +goose Up\nCREATE TABLE a (x int);\n-- +goose Down\nDROP TABLE a;\n").unwrap();
        let e = GOOSE.scan(dir.path()).unwrap().remove(0);
        assert_eq!(GOOSE.read_up(dir.path(), &e).unwrap(), "\nCREATE TABLE a (x int);\n\n\n");
        assert_eq!(SQL_MIGRATE.entry("20240101000000-add-x.sql", false), Some(("20240101000000".into(), "add-x".into())));
        assert_eq!(GOOSE.entry("20240101000000-add-x.sql", false), None);
    }
}
