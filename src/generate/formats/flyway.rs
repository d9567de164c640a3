//! Flyway-style names, `V<version>__<description>.sql`: Flyway (with
//! `U<version>__<description>.sql` undo scripts and `.sql.conf` script
//! configuration) and refinery (versioned files only, no down).

use super::{Existing, Format, Migration, Probe, read_text};
use crate::error::Result;
use crate::generate::escape::sql_comment;
use crate::generate::version::Style;
use crate::generate::write::OutFile;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Flyway,
    Refinery,
}

pub struct VersionedScripts {
    kind: Kind,
}

/// Flyway: versioned `V…` and undo `U…` scripts; a script runs outside a
/// transaction when its `<script>.conf` says `executeInTransaction=false`.
pub const FLYWAY: VersionedScripts = VersionedScripts { kind: Kind::Flyway };
/// refinery: `V{n}__{name}.sql`; it has no down migrations (its `U` prefix
/// means *unversioned*, not undo).
pub const REFINERY: VersionedScripts = VersionedScripts { kind: Kind::Refinery };

/// `V1.2__add_users` → (`1.2`, `add_users`); `prefix` is `V` or `U`.
fn split_name(stem: &str, prefix: char) -> Option<(String, String)> {
    let rest = stem.strip_prefix(prefix)?;
    let (version, description) = rest.split_once("__")?;
    let ok = !version.is_empty()
        && version.starts_with(|c: char| c.is_ascii_digit())
        && version.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '_');
    ok.then(|| (version.to_string(), description.to_string()))
}

impl Format for VersionedScripts {
    fn name(&self) -> &'static str {
        match self.kind {
            Kind::Flyway => "flyway",
            Kind::Refinery => "refinery",
        }
    }
    fn dirs(&self) -> &'static [&'static str] {
        match self.kind {
            Kind::Flyway => &["src/main/resources/db/migration", "db/migration", "sql", "migrations"],
            Kind::Refinery => &["migrations"],
        }
    }
    fn style(&self) -> Style {
        Style::Sequential { width: 0 }
    }
    fn has_down(&self) -> bool {
        self.kind == Kind::Flyway
    }
    fn runs_outside_transaction(&self) -> bool {
        // refinery (0.8 to 0.10) wraps every migration in a transaction:
        // its PostgreSQL drivers run the file with `batch_execute` inside
        // `Client::transaction`, and it reads no marker to opt out.
        self.kind == Kind::Flyway
    }
    fn one_query_per_file(&self) -> bool {
        // Flyway splits scripts into statements; refinery sends the file whole.
        self.kind == Kind::Refinery
    }
    fn entry(&self, name: &str, is_dir: bool) -> Option<(String, String)> {
        if is_dir {
            return None;
        }
        let stem = name.strip_suffix(".sql")?;
        split_name(stem, 'V').or_else(|| if self.kind == Kind::Flyway { split_name(stem, 'U') } else { None })
    }
    fn detect(&self, probe: &Probe) -> u32 {
        let names = probe.has_entry(|n, d| !d && n.strip_suffix(".sql").and_then(|s| split_name(s, 'V')).is_some());
        let telltale = match self.kind {
            Kind::Flyway => {
                probe.telltale("flyway.conf", None)
                    || probe.telltale("flyway.toml", None)
                    || probe.telltale("pom.xml", Some("flyway"))
                    || probe.telltale("build.gradle", Some("flyway"))
                    || probe.telltale("build.gradle.kts", Some("flyway"))
            }
            Kind::Refinery => probe.telltale("Cargo.toml", Some("refinery")) || probe.telltale("refinery.toml", None),
        };
        let layout = self.kind == Kind::Flyway && probe.has_entry(|n, d| !d && n.ends_with(".sql.conf"));
        u32::from(names) + 2 * u32::from(telltale) + 4 * u32::from(layout)
    }
    fn render(&self, m: &Migration<'_>) -> Result<Vec<OutFile>> {
        // Flyway replaces `${name}` placeholders in the whole script, comments
        // included, and fails on one it has no value for.
        let markers: &[&str] = if self.kind == Kind::Flyway { &["${"] } else { &[] };
        let header = sql_comment(m.header, markers);
        let script = |prefix: char, steps: &[crate::plan::Step]| {
            OutFile::new(format!("{prefix}{}__{}.sql", m.version, m.slug), format!("-- {header}\n\n{}", crate::plan::script(steps)))
        };
        let mut files = vec![script('V', m.up)];
        if self.kind == Kind::Flyway {
            files.push(script('U', m.down));
            if !m.transaction {
                for name in [format!("V{}__{}.sql.conf", m.version, m.slug), format!("U{}__{}.sql.conf", m.version, m.slug)] {
                    files.push(OutFile::new(name, "executeInTransaction=false\n"));
                }
            }
        }
        Ok(files)
    }
    fn read_up(&self, dir: &Path, e: &Existing) -> Result<String> {
        let up = e.paths.iter().find(|p| p.to_string_lossy().starts_with('V')).unwrap_or(&e.paths[0]);
        read_text(&dir.join(up))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Step;

    #[test]
    fn names_versions_and_conf() {
        assert_eq!(FLYWAY.entry("V1.2__add_users.sql", false), Some(("1.2".into(), "add_users".into())));
        assert_eq!(FLYWAY.entry("U3__x.sql", false), Some(("3".into(), "x".into())));
        assert_eq!(REFINERY.entry("U3__x.sql", false), None);
        assert_eq!(FLYWAY.entry("V3_x.sql", false), None);
        assert_eq!(FLYWAY.entry("R__view.sql", false), None);
        let up = [Step { summary: String::new(), sql: "CREATE INDEX CONCURRENTLY i ON t (x);".into(), transactional: false, facts: Default::default() }];
        let m = Migration { version: "4", slug: "i", header: "h", up: &up, down: &up, transaction: false, previous: None };
        let names: Vec<String> = FLYWAY.render(&m).unwrap().iter().map(|f| f.path.display().to_string()).collect();
        assert_eq!(names, ["V4__i.sql", "U4__i.sql", "V4__i.sql.conf", "U4__i.sql.conf"]);
        assert_eq!(REFINERY.render(&m).unwrap().len(), 1);
        assert!(FLYWAY.runs_outside_transaction() && !REFINERY.runs_outside_transaction());
    }
}
