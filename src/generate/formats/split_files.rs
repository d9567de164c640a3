//! Formats that keep up and down in two plain SQL files,
//! `<version>_<name>.up.sql` and `<version>_<name>.down.sql`: plain,
//! golang-migrate and sqlx (reversible), and sqlx's simple up-only files.

use super::{Existing, Format, Migration, Probe, read_text, version_prefix};
use crate::error::Result;
use crate::generate::escape::sql_comment;
use crate::generate::version::Style;
use crate::generate::write::OutFile;
use std::path::Path;

/// Which framework a split-file layout belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Plain,
    GolangMigrate,
    Sqlx,
    SqlxSimple,
}

pub struct SplitFiles {
    kind: Kind,
}

/// `NNNN_name.up.sql` / `NNNN_name.down.sql`, for any runner that applies
/// files in order.
pub const PLAIN: SplitFiles = SplitFiles { kind: Kind::Plain };
/// golang-migrate: `{version}_{title}.up.sql`; its PostgreSQL driver sends
/// each file as one query and has no per-file transaction switch.
pub const GOLANG_MIGRATE: SplitFiles = SplitFiles { kind: Kind::GolangMigrate };
/// sqlx-cli reversible migrations (`sqlx migrate add -r`): `-- no-transaction`
/// as the first line runs a file outside a transaction.
pub const SQLX: SplitFiles = SplitFiles { kind: Kind::Sqlx };
/// sqlx-cli simple migrations (`sqlx migrate add`): `<version>_<name>.sql`, up only.
pub const SQLX_SIMPLE: SplitFiles = SplitFiles { kind: Kind::SqlxSimple };

impl SplitFiles {
    fn file_text(&self, m: &Migration<'_>, steps: &[crate::plan::Step]) -> String {
        let mut text = String::new();
        if matches!(self.kind, Kind::Sqlx | Kind::SqlxSimple) && !m.transaction {
            // sqlx only looks at the very start of the file.
            text.push_str("-- no-transaction\n");
        }
        text.push_str(&format!("-- {}\n\n", sql_comment(m.header, &[])));
        text.push_str(&crate::plan::script(steps));
        text
    }
}

impl Format for SplitFiles {
    fn name(&self) -> &'static str {
        match self.kind {
            Kind::Plain => "plain",
            Kind::GolangMigrate => "golang-migrate",
            Kind::Sqlx => "sqlx",
            Kind::SqlxSimple => "sqlx-simple",
        }
    }
    fn dirs(&self) -> &'static [&'static str] {
        match self.kind {
            Kind::Plain => &["migrations", "db/migrations"],
            Kind::GolangMigrate => &["migrations", "db/migrations"],
            Kind::Sqlx | Kind::SqlxSimple => &["migrations"],
        }
    }
    fn style(&self) -> Style {
        match self.kind {
            Kind::Plain => Style::Sequential { width: 4 },
            // `migrate create` and `sqlx migrate add` default to UTC timestamps.
            _ => Style::Timestamp,
        }
    }
    fn has_down(&self) -> bool {
        self.kind != Kind::SqlxSimple
    }
    fn one_query_per_file(&self) -> bool {
        true
    }
    fn entry(&self, name: &str, is_dir: bool) -> Option<(String, String)> {
        if is_dir {
            return None;
        }
        let stem = match self.kind {
            Kind::SqlxSimple => {
                let stem = name.strip_suffix(".sql")?;
                if stem.ends_with(".up") || stem.ends_with(".down") {
                    return None;
                }
                stem
            }
            _ => name.strip_suffix(".up.sql").or_else(|| name.strip_suffix(".down.sql"))?,
        };
        version_prefix(stem)
    }
    fn detect(&self, probe: &Probe) -> u32 {
        let split = probe.has_entry(|n, d| !d && (n.ends_with(".up.sql") || n.ends_with(".down.sql")) && version_prefix(n).is_some());
        let simple = probe.has_entry(|n, d| !d && self.entry(n, d).is_some());
        let names = match self.kind {
            Kind::SqlxSimple => simple && !split,
            _ => split,
        };
        let telltale = match self.kind {
            Kind::Plain => false,
            Kind::GolangMigrate => probe.telltale("go.mod", Some("golang-migrate/migrate")),
            Kind::Sqlx | Kind::SqlxSimple => probe.telltale("Cargo.toml", Some("sqlx")),
        };
        let marker = matches!(self.kind, Kind::Sqlx | Kind::SqlxSimple) && probe.sample_contains("-- no-transaction");
        u32::from(names) + 2 * u32::from(telltale) + 4 * u32::from(marker && names)
    }
    fn render(&self, m: &Migration<'_>) -> Result<Vec<OutFile>> {
        let base = format!("{}_{}", m.version, m.slug);
        if self.kind == Kind::SqlxSimple {
            return Ok(vec![OutFile::new(format!("{base}.sql"), self.file_text(m, m.up))]);
        }
        Ok(vec![
            OutFile::new(format!("{base}.up.sql"), self.file_text(m, m.up)),
            OutFile::new(format!("{base}.down.sql"), self.file_text(m, m.down)),
        ])
    }
    fn read_up(&self, dir: &Path, e: &Existing) -> Result<String> {
        read_text(&dir.join(&e.paths[0]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Step;

    fn step(sql: &str) -> Step {
        Step { summary: String::new(), sql: sql.into(), transactional: true, facts: Default::default() }
    }

    #[test]
    fn names_and_no_transaction_marker() {
        let up = [step("CREATE INDEX CONCURRENTLY i ON t (x);")];
        let down = [step("DROP INDEX CONCURRENTLY i;")];
        let m = Migration { version: "20240101000000", slug: "idx", header: "h", up: &up, down: &down, transaction: false, previous: None };
        let files = SQLX.render(&m).unwrap();
        assert_eq!(files[0].path.to_str(), Some("20240101000000_idx.up.sql"));
        assert!(String::from_utf8_lossy(&files[0].bytes).starts_with("-- no-transaction\n-- h\n"));
        assert!(String::from_utf8_lossy(&files[1].bytes).starts_with("-- no-transaction\n"));
        let plain = PLAIN.render(&m).unwrap();
        assert_eq!(plain[1].path.to_str(), Some("20240101000000_idx.down.sql"));
        assert!(!String::from_utf8_lossy(&plain[0].bytes).contains("no-transaction"));
    }

    #[test]
    fn entries() {
        assert_eq!(PLAIN.entry("0003_add_users.up.sql", false), Some(("0003".into(), "add_users".into())));
        assert_eq!(PLAIN.entry("0003_add_users.sql", false), None);
        assert_eq!(SQLX_SIMPLE.entry("0003_add_users.sql", false), Some(("0003".into(), "add_users".into())));
        assert_eq!(SQLX_SIMPLE.entry("0003_add_users.up.sql", false), None);
        assert_eq!(PLAIN.entry("README.md", false), None);
    }
}
