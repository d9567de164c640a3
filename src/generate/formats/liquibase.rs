//! Liquibase formatted SQL: one changelog file per migration,
//! `<version>_<name>.sql`, holding one changeset with its rollback.
//!
//! The syntax is the one Liquibase's `AbstractFormattedChangeLogParser`
//! reads, line by line:
//!
//! - the first line is `--liquibase formatted sql`;
//! - `--changeset <author>:<id> attr:value …` opens a changeset; its id
//!   here is the file's own name, `<version>_<name>`, so it is unique and
//!   the same whenever the file is generated again;
//! - `--comment: <text>` is the changeset's comment (schemashift's header);
//! - every other line is SQL of the changeset, except `--rollback <sql>`
//!   lines, whose text after `--rollback ` is collected line by line, with a
//!   line break between, into the rollback SQL. (The `/* liquibase rollback */`
//!   block joins its lines without a break, which would glue `a` and `FROM`
//!   together, so it is not used.)
//! - `runInTransaction:false` runs the changeset outside a transaction;
//! - Liquibase splits SQL at `;` with a BEGIN/END heuristic that does not
//!   know PostgreSQL's dollar quotes, so a changeset whose statements hold a
//!   `;` inside (a function body) gets `splitStatements:false` (and the
//!   rollback `rollbackSplitStatements:false`): the whole text then goes to
//!   the JDBC driver, which splits it by PostgreSQL's own rules.
//!
//! Liquibase runs changelogs, not directories. A master changelog that uses
//! `includeAll` on the directory picks new files up by itself; one that lists
//! its files is left alone (it is the project's hand-written file, with its
//! own order and comments), and `generate` prints the lines to add to it.

use super::{Existing, Format, Migration, Probe, blank_lines_except, has_inner_semicolon, read_text, versioned_sql_file};
use crate::error::{Error, Result};
use crate::generate::escape::{json_string, sql_comment, xml_attribute};
use crate::generate::version::Style;
use crate::generate::write::OutFile;
use crate::model::Location;
use crate::plan::Step;
use std::path::Path;

pub struct Liquibase;

pub const LIQUIBASE: Liquibase = Liquibase;

/// The changesets' author.
pub const AUTHOR: &str = "schemashift";

/// The names Liquibase's own documentation and Spring Boot give the master changelog.
const MASTER_NAMES: &[&str] =
    &["db.changelog-master.xml", "db.changelog-master.yaml", "db.changelog-master.yml", "db.changelog-master.json"];

/// Words that, after `--` (or a single `-`) at the start of a line, Liquibase
/// reads as one of its own directives rather than as SQL.
const DIRECTIVES: &[&str] =
    &["changeset", "rollback", "comment", "property", "precondition", "validchecksum", "ignorelines", "ignore:", "liquibase"];

/// Whether `line` would be taken for a Liquibase directive.
fn is_directive(line: &str) -> bool {
    let t = line.trim_start();
    if let Some(rest) = t.strip_prefix('-') {
        let word = rest.trim_start_matches('-').trim_start().to_ascii_lowercase();
        return DIRECTIVES.iter().any(|d| word.starts_with(d));
    }
    let lower = t.to_ascii_lowercase();
    lower.starts_with("/*") && lower[2..].trim_start().starts_with("liquibase")
}

impl Liquibase {
    fn body(&self, m: &Migration<'_>) -> Result<String> {
        // Liquibase reads the file with `readLine`, so a lone `\r` inside a
        // statement ends a line too: the check and the `--rollback` lines
        // below split the SQL where Liquibase will.
        super::refuse_directive_lines("Liquibase", m.up, is_directive)?;
        super::refuse_directive_lines("Liquibase", m.down, is_directive)?;
        let split = |steps: &[Step]| steps.iter().any(|s| has_inner_semicolon(&s.sql));
        let mut attrs = String::new();
        if !m.transaction {
            attrs.push_str(" runInTransaction:false");
        }
        if split(m.up) {
            attrs.push_str(" splitStatements:false");
        }
        if split(m.down) {
            attrs.push_str(" rollbackSplitStatements:false");
        }
        let mut text = format!("--liquibase formatted sql\n\n--changeset {AUTHOR}:{}_{}{attrs}\n", m.version, m.slug);
        // Liquibase expands `${property}` in every line, comments included.
        text.push_str(&format!("--comment: {}\n", sql_comment(m.header, &["${"])));
        for s in m.up {
            text.push_str(&s.sql);
            text.push('\n');
        }
        if m.down.is_empty() {
            text.push_str("--rollback empty\n");
        }
        for s in m.down {
            for line in super::runner_lines(&s.sql) {
                // `--rollback ` with its space even for an empty line: without
                // it the line would be SQL of the changeset.
                text.push_str("--rollback ");
                text.push_str(line);
                text.push('\n');
            }
        }
        Ok(text)
    }
}

impl Format for Liquibase {
    fn name(&self) -> &'static str {
        "liquibase"
    }
    fn dirs(&self) -> &'static [&'static str] {
        &["src/main/resources/db/changelog", "db/changelog", "changelog"]
    }
    fn style(&self) -> Style {
        Style::Sequential { width: 4 }
    }
    fn one_query_per_file(&self) -> bool {
        false
    }
    fn entry(&self, name: &str, is_dir: bool) -> Option<(String, String)> {
        versioned_sql_file(name, is_dir)
    }
    fn detect(&self, probe: &Probe) -> u32 {
        let names = probe.has_entry(|n, d| self.entry(n, d).is_some());
        let telltale = probe.telltale("liquibase.properties", None)
            || probe.telltale("pom.xml", Some("liquibase"))
            || probe.telltale("build.gradle", Some("liquibase"))
            || probe.telltale("build.gradle.kts", Some("liquibase"));
        let layout = probe.sample_contains("--liquibase formatted sql") || probe.has_entry(|n, d| !d && MASTER_NAMES.contains(&n));
        u32::from(names) + 2 * u32::from(telltale) + 4 * u32::from(layout)
    }
    fn render(&self, m: &Migration<'_>) -> Result<Vec<OutFile>> {
        Ok(vec![OutFile::new(format!("{}_{}.sql", m.version, m.slug), self.body(m)?)])
    }
    fn notes(&self, dir: &Path, new: &[OutFile]) -> Result<Vec<String>> {
        let names: Vec<String> = new.iter().map(|f| f.path.to_string_lossy().into_owned()).collect();
        let master =
            [Some(dir), dir.parent()].into_iter().flatten().flat_map(|d| MASTER_NAMES.iter().map(move |n| d.join(n))).find(|p| p.is_file());
        let Some(master) = master else {
            return Ok(vec![format!(
                "liquibase runs a changelog, not a directory: include {} from your master changelog \
                 (e.g. <includeAll path=\"{}\"/>), or run it with --changelog-file",
                names.join(", "),
                dir.display()
            )]);
        };
        let text = std::fs::read_to_string(&master).map_err(|e| Error::io(format!("cannot read {}: {e}", master.display())))?;
        if text.contains("includeAll") {
            return Ok(Vec::new());
        }
        // Paths relative to the master changelog.
        let prefix = if master.parent() == Some(dir) {
            String::new()
        } else {
            format!("{}/", dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default())
        };
        let ext = master.extension().and_then(|e| e.to_str()).unwrap_or("");
        // Lines to paste into the master changelog: the directory's name may
        // hold anything, so each value is escaped for the changelog's language
        // (a JSON string is also a YAML scalar).
        let lines: Vec<String> = names
            .iter()
            .map(|n| {
                let file = format!("{prefix}{n}");
                match ext {
                    "xml" => format!("    <include file=\"{}\" relativeToChangelogFile=\"true\"/>", xml_attribute(&file)),
                    "json" => format!("    {{ \"include\": {{ \"file\": {}, \"relativeToChangelogFile\": true }} }}", json_string(&file)),
                    _ => format!("  - include:\n      file: {}\n      relativeToChangelogFile: true", json_string(&file)),
                }
            })
            .collect();
        Ok(vec![format!(
            "{} lists its changelogs one by one and was not changed; add, in this order:\n{}",
            master.display(),
            lines.join("\n")
        )])
    }
    fn read_up(&self, dir: &Path, e: &Existing) -> Result<String> {
        let path = dir.join(&e.paths[0]);
        let text = read_text(&path)?;
        let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        let squeezed: String = first.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase();
        if !squeezed.starts_with("--liquibaseformatted") {
            return Err(Error::data(format!("{} does not start with `--liquibase formatted sql`", path.display()))
                .at(Location::new(path.display().to_string(), 1, 1))
                .help("is this a Liquibase formatted SQL changelog? choose the framework with --framework"));
        }
        let mut in_changeset = false;
        let mut in_rollback_block = false;
        Ok(blank_lines_except(&text, |_, line| {
            let lower = line.trim_start().to_ascii_lowercase();
            if in_rollback_block {
                in_rollback_block = !line.trim_end().ends_with("*/");
                return false;
            }
            if lower.starts_with("/*") && lower[2..].trim_start().starts_with("liquibase") {
                in_rollback_block = !line.trim_end().ends_with("*/");
                return false;
            }
            if is_directive(line) {
                if lower.trim_start_matches('-').trim_start().starts_with("changeset") {
                    in_changeset = true;
                }
                return false;
            }
            in_changeset
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(sql: &str, transactional: bool) -> Step {
        Step { summary: "s".into(), sql: sql.into(), transactional, facts: Default::default() }
    }

    #[test]
    fn changeset_attributes_and_rollback_lines() {
        let up = [step("CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$\nBEGIN\n  RETURN 1;\nEND;\n$$;", true)];
        let down = [step("DROP FUNCTION f();", true)];
        let m = Migration { version: "0002", slug: "f", header: "h", up: &up, down: &down, transaction: true, previous: None };
        let text = String::from_utf8(LIQUIBASE.render(&m).unwrap().remove(0).bytes).unwrap();
        assert_eq!(
            text,
            "--liquibase formatted sql\n\n--changeset schemashift:0002_f splitStatements:false\n--comment: h\n\
             CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$\nBEGIN\n  RETURN 1;\nEND;\n$$;\n--rollback DROP FUNCTION f();\n"
        );
        let idx = [step("CREATE INDEX CONCURRENTLY i ON t (x);", false)];
        let m = Migration { version: "0003", slug: "i", header: "h", up: &idx, down: &idx, transaction: false, previous: None };
        let text = String::from_utf8(LIQUIBASE.render(&m).unwrap().remove(0).bytes).unwrap();
        assert!(text.contains("--changeset schemashift:0003_i runInTransaction:false\n"), "{text}");
    }

    #[test]
    fn outside_text_stays_in_its_place() {
        // The header on its one comment line, placeholders broken up.
        let up = [step("CREATE TABLE t (x int);", true)];
        let down = [step("COMMENT ON TABLE users IS 'a\rDROP TABLE users;';", true)];
        let m = Migration { version: "1", slug: "t", header: "from x\nDROP TABLE users; ${p}", up: &up, down: &down, transaction: true, previous: None };
        let text = String::from_utf8(LIQUIBASE.render(&m).unwrap().remove(0).bytes).unwrap();
        assert!(text.contains("--comment: from x\\nDROP TABLE users; \\u{24}{p}\n"), "{text}");
        // A lone carriage return in the down SQL is a line break to Liquibase:
        // the line after it is a rollback line too, never changeset SQL.
        assert!(text.ends_with("--rollback COMMENT ON TABLE users IS 'a\n--rollback DROP TABLE users;';\n"), "{text:?}");
        let bad = [step("COMMENT ON TABLE t IS 'a\r--changeset evil:1';", true)];
        let m = Migration { version: "1", slug: "t", header: "h", up: &bad, down: &[], transaction: true, previous: None };
        assert!(LIQUIBASE.render(&m).is_err(), "the check splits lines where Liquibase does");
    }

    #[test]
    fn changelog_lines_to_paste_are_escaped() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a\"<b>&c");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(root.path().join("db.changelog-master.xml"), "<databaseChangeLog/>\n").unwrap();
        let notes = LIQUIBASE.notes(&dir, &[OutFile::new("0001_x.sql", "")]).unwrap();
        assert!(notes[0].contains("<include file=\"a&quot;&lt;b&gt;&amp;c/0001_x.sql\" relativeToChangelogFile=\"true\"/>"), "{notes:?}");
        std::fs::remove_file(root.path().join("db.changelog-master.xml")).unwrap();
        std::fs::write(root.path().join("db.changelog-master.yaml"), "databaseChangeLog: []\n").unwrap();
        let notes = LIQUIBASE.notes(&dir, &[OutFile::new("0001_x.sql", "")]).unwrap();
        assert!(notes[0].contains("      file: \"a\\\"<b>&c/0001_x.sql\"\n"), "{notes:?}");
    }

    #[test]
    fn refuses_sql_that_reads_as_a_directive() {
        let up = [step("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$\n--rollback me\nSELECT 1 $$;", true)];
        let m = Migration { version: "1", slug: "f", header: "h", up: &up, down: &up, transaction: true, previous: None };
        assert!(LIQUIBASE.render(&m).is_err());
        assert!(is_directive("-- changeset a:b"));
        assert!(is_directive("/* liquibase rollback"));
        assert!(!is_directive("-- a plain comment"));
        assert!(!is_directive("CREATE TABLE comment (x int);"));
    }

    #[test]
    fn reading_back_keeps_changeset_sql_only() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("0001_a.sql"),
            "--liquibase formatted sql\n\n--changeset me:1\n--comment: x\nCREATE TABLE a (x int);\n--rollback DROP TABLE a;\n\
             /* liquibase rollback\nDROP TABLE a;\n*/\n",
        )
        .unwrap();
        let e = LIQUIBASE.scan(dir.path()).unwrap().remove(0);
        assert_eq!(LIQUIBASE.read_up(dir.path(), &e).unwrap(), "\n\n\n\nCREATE TABLE a (x int);\n\n\n\n\n");
        std::fs::write(dir.path().join("0002_b.sql"), "CREATE TABLE b (x int);\n").unwrap();
        let e = LIQUIBASE.scan(dir.path()).unwrap().remove(1);
        assert!(LIQUIBASE.read_up(dir.path(), &e).is_err());
    }
}
