//! Atlas versioned migrations: `<YYYYMMDDHHMMSS>_<name>.sql`, up only, and
//! `atlas.sum`, the directory's integrity file.
//!
//! Atlas computes down migrations itself (`atlas migrate down` plans them
//! against a dev database), so there are no down files; the down SQL goes to
//! a `.rollback.md` runbook, which Atlas ignores: it reads `*.sql` only.
//!
//! A file that must run outside a transaction starts with the file
//! directive `-- atlas:txmode none`, followed by a blank line: Atlas reads
//! file directives from the comment lines at the top of the file, and only
//! when a blank line separates them from the statements.
//!
//! `atlas migrate apply` refuses a directory whose `atlas.sum` does not match
//! its files, so every new migration rewrites it, computed as Atlas's
//! `migrate.NewHashFile` does (sql/migrate/dir.go): over all `*.sql` files of
//! the directory in byte order, one running SHA-256 is fed each file's name
//! and then its content, and the file's line holds the base64 of that running
//! digest; a file whose first line carries `atlas:sum ignore` feeds its name
//! only and gets no line. The first line, `h1:<sum>`, is the base64 SHA-256
//! over every listed name followed by its hash.

use super::{Existing, Format, Migration, Probe, list_dir, read_text, versioned_sql_file};
use crate::error::{Error, Result};
use crate::generate::escape::sql_comment;
use crate::generate::version::Style;
use crate::generate::write::OutFile;
use sha2::{Digest, Sha256};
use std::path::Path;

pub struct Atlas;

pub const ATLAS: Atlas = Atlas;

/// The integrity file's name.
pub const SUM_FILE: &str = "atlas.sum";

impl Format for Atlas {
    fn name(&self) -> &'static str {
        "atlas"
    }
    fn dirs(&self) -> &'static [&'static str] {
        &["migrations"]
    }
    fn style(&self) -> Style {
        // Atlas's default formatter names files `{{ now }}_{{ name }}.sql`, `now` in UTC.
        Style::Timestamp
    }
    fn has_down(&self) -> bool {
        false
    }
    fn one_query_per_file(&self) -> bool {
        // Atlas splits files into statements itself (dollar quotes included).
        false
    }
    fn entry(&self, name: &str, is_dir: bool) -> Option<(String, String)> {
        versioned_sql_file(name, is_dir)
    }
    fn detect(&self, probe: &Probe) -> u32 {
        let names = probe.has_entry(|n, d| self.entry(n, d).is_some());
        let telltale = probe.telltale("atlas.hcl", None);
        let layout = probe.has_entry(|n, d| !d && n == SUM_FILE);
        u32::from(names) + 2 * u32::from(telltale) + 4 * u32::from(layout)
    }
    fn render(&self, m: &Migration<'_>) -> Result<Vec<OutFile>> {
        let mut text = String::new();
        if !m.transaction {
            text.push_str("-- atlas:txmode none\n\n");
        }
        // Without the txmode directive the header is the file's first comment
        // block, where Atlas looks for `atlas:<directive>`.
        text.push_str(&format!("-- {}\n\n", sql_comment(m.header, &["atlas:"])));
        text.push_str(&crate::plan::script(m.up));
        Ok(vec![OutFile::new(format!("{}_{}.sql", m.version, m.slug), text)])
    }
    fn runbook_hint(&self) -> Option<&'static str> {
        Some("Atlas plans down migrations itself: `atlas migrate down` (it needs a dev database).")
    }
    fn index(&self, dir: &Path, new: &[OutFile], _dialect: crate::model::Dialect) -> Result<Vec<OutFile>> {
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        for (name, is_dir) in list_dir(dir)? {
            if !is_dir && name.ends_with(".sql") {
                let path = dir.join(&name);
                // `atlas.sum` holds one `<name> h1:<hash>` per line: a name
                // with a line break in it would start a line of its own.
                if name.contains(|c: char| c.is_control()) {
                    return Err(Error::data(format!(
                        "{} has a control character in its name, which atlas.sum cannot list",
                        crate::generate::escape::one_line(&path.display().to_string())
                    ))
                    .help("rename the file; Atlas reads each line of atlas.sum as one file"));
                }
                let bytes = std::fs::read(&path).map_err(|e| Error::io(format!("cannot read {}: {e}", path.display())))?;
                files.push((name, bytes));
            }
        }
        for f in new {
            let name = f.path.to_string_lossy();
            if f.path.components().count() == 1 && name.ends_with(".sql") {
                files.retain(|(n, _)| *n != name);
                files.push((name.into_owned(), f.bytes.clone()));
            }
        }
        // Go compares strings byte by byte, as Rust does.
        files.sort();
        let mut sum = OutFile::new(SUM_FILE, sum_file(&files));
        sum.replace = true;
        Ok(vec![sum])
    }
    fn read_up(&self, dir: &Path, e: &Existing) -> Result<String> {
        read_text(&dir.join(&e.paths[0]))
    }
}

/// The text of `atlas.sum` for `files` (name, content), already in order.
pub fn sum_file(files: &[(String, Vec<u8>)]) -> String {
    // Cloning the running hash gives the digest so far while it goes on, as
    // Go's `h.Sum(nil)` does.
    let mut running = Sha256::new();
    let mut lines: Vec<(String, String)> = Vec::new();
    for (name, bytes) in files {
        running.update(name.as_bytes());
        if sum_ignored(bytes) {
            continue;
        }
        running.update(bytes);
        lines.push((name.clone(), base64(&running.clone().finalize())));
    }
    let mut total = Sha256::new();
    for (name, hash) in &lines {
        total.update(name.as_bytes());
        total.update(hash.as_bytes());
    }
    let mut out = format!("h1:{}\n", base64(&total.finalize()));
    for (name, hash) in &lines {
        out.push_str(&format!("{name} h1:{hash}\n"));
    }
    out
}

/// Whether a file opts out of the sum with `atlas:sum ignore`. Atlas matches
/// `^([ -~]*)atlas:(\w+)(?: +([ -~]*))*` against the whole content: only
/// the first line counts (the printable run `[ -~]` stops at its end), the
/// greedy prefix picks the last `atlas:<word>` on it, and the argument is
/// everything after the spaces that follow the word.
fn sum_ignored(content: &[u8]) -> bool {
    let run_len = content.iter().position(|b| !(b' '..=b'~').contains(b)).unwrap_or(content.len());
    let run = &content[..run_len];
    let is_word = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    let Some(at) = (0..run.len()).rev().find(|&i| run[i..].starts_with(b"atlas:") && run.get(i + 6).is_some_and(is_word)) else {
        return false;
    };
    let rest = &run[at + 6..];
    let word_len = rest.iter().position(|b| !is_word(b)).unwrap_or(rest.len());
    let (word, after) = rest.split_at(word_len);
    let spaces = after.iter().take_while(|b| **b == b' ').count();
    // No space after the word: the optional argument group does not match.
    let argument: &[u8] = if spaces > 0 { &after[spaces..] } else { b"" };
    word == b"sum" && argument == b"ignore"
}

/// Standard base64 with padding (Go's `base64.StdEncoding`).
fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Step;

    #[test]
    fn sum_matches_atlas_own_test_data() {
        // ariga/atlas sql/migrate/testdata/partial-checkpoint: the first three
        // files and the lines Atlas wrote for them in its atlas.sum.
        let files = vec![
            ("1_first.sql".to_string(), b"create table `tbl_1` (`col` int);\n".to_vec()),
            ("2_second.sql".to_string(), b"create table `tbl_2` (`col` int);\n".to_vec()),
            (
                "3_checkpoint.sql".to_string(),
                b"-- atlas:checkpoint\n\nCREATE TABLE `tbl_1` (`col` int);\nCREATE TABLE `tbl_2` (`col` int);\n".to_vec(),
            ),
        ];
        let text = sum_file(&files);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], "1_first.sql h1:uJ2MyyeTqXx4rCqtRMQAvRrfsvdwmvsZ3LcadVvCdOc=");
        assert_eq!(lines[2], "2_second.sql h1:TLO00GtsqSi8o0ySoaofBqxemrElL8fHOs3IRnqYvB8=");
        assert_eq!(lines[3], "3_checkpoint.sql h1:LR4UjDYVtrRuHLN5GQwLAYnXrSf/iO70psY8hTmLmjw=");
    }

    #[test]
    fn sum_ignore_directive_only_on_the_first_line() {
        assert!(sum_ignored(b"-- atlas:sum ignore\nCREATE TABLE a (x int);"));
        assert!(sum_ignored(b"-- atlas:sum   ignore"));
        assert!(!sum_ignored(b"-- atlas:sum ignore please\n"));
        assert!(!sum_ignored(b"-- header\n-- atlas:sum ignore\n"));
        assert!(!sum_ignored(b"-- atlas:sum ignore atlas:lint x\n"));
        assert!(!sum_ignored(b"\t-- atlas:sum ignore\n"));
        let a = vec![("1_a.sql".to_string(), b"-- atlas:sum ignore\nx".to_vec()), ("2_b.sql".to_string(), b"y".to_vec())];
        let text = sum_file(&a);
        assert_eq!(text.lines().count(), 2, "the ignored file has no line: {text}");
        let b = vec![("2_b.sql".to_string(), b"y".to_vec())];
        assert_ne!(sum_file(&b), text, "its name still feeds the running hash");
    }

    #[test]
    fn txmode_directive_is_a_file_directive() {
        let up = [Step { summary: String::new(), sql: "CREATE INDEX CONCURRENTLY i ON t (x);".into(), transactional: false, facts: Default::default() }];
        let m = Migration { version: "20240101000000", slug: "i", header: "h", up: &up, down: &up, transaction: false, previous: None };
        let f = ATLAS.render(&m).unwrap().remove(0);
        assert_eq!(f.path.to_str(), Some("20240101000000_i.sql"));
        assert!(String::from_utf8(f.bytes).unwrap().starts_with("-- atlas:txmode none\n\n-- h\n\nCREATE INDEX CONCURRENTLY"));
    }
}
