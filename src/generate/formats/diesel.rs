//! diesel: one directory per migration, `<version>_<name>/up.sql` and
//! `down.sql`, with `metadata.toml` (`run_in_transaction = false`) for a
//! migration that must run outside a transaction.

use super::{Existing, Format, Migration, Probe, read_text};
use crate::error::Result;
use crate::generate::escape::sql_comment;
use crate::generate::version::Style;
use crate::generate::write::OutFile;
use std::path::{Path, PathBuf};

pub struct Diesel;

pub const DIESEL: Diesel = Diesel;

impl Format for Diesel {
    fn name(&self) -> &'static str {
        "diesel"
    }
    fn dirs(&self) -> &'static [&'static str] {
        &["migrations"]
    }
    fn style(&self) -> Style {
        // `diesel migration generate` names directories `%Y-%m-%d-%H%M%S_<name>`.
        Style::DashedTimestamp
    }
    fn one_query_per_file(&self) -> bool {
        true
    }
    fn entry(&self, name: &str, is_dir: bool) -> Option<(String, String)> {
        if !is_dir {
            return None;
        }
        let (version, rest) = name.split_once('_')?;
        let ok = version.starts_with(|c: char| c.is_ascii_digit()) && version.chars().all(|c| c.is_ascii_digit() || c == '-');
        ok.then(|| (version.to_string(), rest.to_string()))
    }
    fn detect(&self, probe: &Probe) -> u32 {
        let names = probe.has_entry(|n, d| self.entry(n, d).is_some());
        let telltale = probe.telltale("diesel.toml", None) || probe.telltale("Cargo.toml", Some("diesel"));
        let layout = probe.has_entry(|n, d| d && n.ends_with("_diesel_initial_setup"));
        u32::from(names) + 2 * u32::from(telltale) + 4 * u32::from(layout)
    }
    fn render(&self, m: &Migration<'_>) -> Result<Vec<OutFile>> {
        let dir = format!("{}_{}", m.version, m.slug);
        let header = sql_comment(m.header, &[]);
        let text = |steps| format!("-- {header}\n\n{}", crate::plan::script(steps));
        let mut files = vec![OutFile::new(format!("{dir}/up.sql"), text(m.up)), OutFile::new(format!("{dir}/down.sql"), text(m.down))];
        if !m.transaction {
            files.push(OutFile::new(format!("{dir}/metadata.toml"), "run_in_transaction = false\n"));
        }
        Ok(files)
    }
    fn runbook_file(&self, m: &Migration<'_>) -> PathBuf {
        PathBuf::from(format!("{}_{}/runbook.md", m.version, m.slug))
    }
    fn read_up(&self, dir: &Path, e: &Existing) -> Result<String> {
        read_text(&dir.join(&e.paths[0]).join("up.sql"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_and_versions() {
        assert_eq!(DIESEL.entry("2024-01-02-030405_add_users", true), Some(("2024-01-02-030405".into(), "add_users".into())));
        assert_eq!(DIESEL.entry("00000000000000_diesel_initial_setup", true), Some(("00000000000000".into(), "diesel_initial_setup".into())));
        assert_eq!(DIESEL.entry("2024-01-02-030405_add_users", false), None);
        assert_eq!(DIESEL.entry(".keep", true), None);
    }
}
