//! Rails (Active Record): `db/migrate/<YYYYMMDDHHMMSS>_<slug>.rb`, a class
//! named after the file (`add_users_email` → `AddUsersEmail`, which is what
//! the migrator looks for), with `def up` and `def down` running one
//! `execute` per statement.
//!
//! The SQL goes in a heredoc with a *quoted* terminator, `<<~'SQL'`: Ruby
//! then neither interpolates `#{…}` nor processes backslashes, so the SQL is
//! taken as written. The `~` form strips the indentation the heredoc is
//! written with, which is exactly the six spaces added when the SQL's own
//! least indented line starts at column 0 (otherwise a double-quoted string
//! is written instead). The class inherits `ActiveRecord::Migration[X.Y]`
//! with the version of the newest existing migration, so the new file
//! behaves like its neighbours; `disable_ddl_transaction!` runs a migration
//! outside a transaction.

use super::python::Placer;
use super::{Existing, Format, Migration, Probe, read_text, scan_entries};
use crate::error::{Error, Result};
use crate::generate::escape::hash_comment;
use crate::generate::version::Style;
use crate::generate::write::OutFile;
use crate::model::Location;
use crate::plan::Step;
use std::path::Path;

pub struct Rails {
    /// `X.Y` of `ActiveRecord::Migration[X.Y]`, see [`Format::in_dir`].
    migration_version: Option<String>,
}

pub const RAILS: Rails = Rails { migration_version: None };

/// The version used when no migration says one: the oldest Rails release
/// still maintained when this was written (Migration[7.1] needs Rails ≥ 7.1).
pub const DEFAULT_MIGRATION_VERSION: &str = "7.1";

/// The indentation of heredoc bodies: inside `class`, `def` and `execute`.
const BODY_INDENT: &str = "      ";

impl Format for Rails {
    fn name(&self) -> &'static str {
        "rails"
    }
    fn dirs(&self) -> &'static [&'static str] {
        &["db/migrate"]
    }
    fn style(&self) -> Style {
        Style::Timestamp
    }
    fn one_query_per_file(&self) -> bool {
        // One `execute` per statement.
        false
    }
    fn in_dir(&self, dir: &Path) -> Result<Option<Box<dyn Format>>> {
        let mut version = None;
        for e in scan_entries(self, dir)?.iter().rev() {
            version = migration_version(&read_text(&dir.join(&e.paths[0]))?);
            if version.is_some() {
                break;
            }
        }
        Ok(Some(Box::new(Rails { migration_version: version })))
    }
    fn entry(&self, name: &str, is_dir: bool) -> Option<(String, String)> {
        // The migrator's pattern: /\A([0-9]+)_([_a-z0-9]*)\.?([_a-z0-9]*)?\.rb\z/
        let stem = name.strip_suffix(".rb")?;
        let (version, rest) = stem.split_once('_')?;
        let allowed = |s: &str| s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        let (name_part, scope) = rest.split_once('.').unwrap_or((rest, ""));
        let ok = !is_dir && !version.is_empty() && version.chars().all(|c| c.is_ascii_digit()) && allowed(name_part) && allowed(scope);
        ok.then(|| (version.to_string(), stem.to_string()))
    }
    fn detect(&self, probe: &Probe) -> u32 {
        let names = probe.has_entry(|n, d| self.entry(n, d).is_some());
        let telltale = probe.telltale("Gemfile", Some("rails"));
        let content = probe.sample_contains("ActiveRecord::Migration");
        u32::from(names) + 2 * u32::from(telltale) + 4 * u32::from(content)
    }
    fn render(&self, m: &Migration<'_>) -> Result<Vec<OutFile>> {
        let class = class_name(m.slug)?;
        let version = self.migration_version.as_deref().unwrap_or(DEFAULT_MIGRATION_VERSION);
        let mut text = format!("# {}.\n\nclass {class} < ActiveRecord::Migration[{version}]\n", hash_comment(m.header));
        if !m.transaction {
            text.push_str("  disable_ddl_transaction!\n\n");
        }
        text.push_str("  def up\n");
        text.push_str(&executes(m.up));
        text.push_str("  end\n\n  def down\n");
        text.push_str(&executes(m.down));
        text.push_str("  end\nend\n");
        Ok(vec![OutFile::new(format!("{}_{}.rb", m.version, m.slug), text)])
    }
    fn index(&self, dir: &Path, new: &[OutFile], _dialect: crate::model::Dialect) -> Result<Vec<OutFile>> {
        // The migrator refuses two migrations with one name (one class).
        let existing = scan_entries(self, dir)?;
        for f in new {
            let name = f.path.to_string_lossy();
            let Some((_, stem)) = self.entry(&name, false) else { continue };
            let class = |stem: &str| stem.split_once('_').map(|(_, n)| n.split('.').next().unwrap_or(n).to_string());
            if let Some(e) = existing.iter().find(|e| class(&e.name) == class(&stem)) {
                return Err(Error::usage(format!(
                    "{} already has a migration named {}: {}",
                    dir.display(),
                    class(&stem).unwrap_or_default(),
                    e.paths[0].display()
                ))
                .help("Rails refuses two migrations with the same class name; choose another --name"));
            }
        }
        Ok(Vec::new())
    }
    fn read_up(&self, dir: &Path, e: &Existing) -> Result<String> {
        let path = dir.join(&e.paths[0]);
        read_up_text(&read_text(&path)?, &path.display().to_string())
    }
}

/// The class Rails' migrator expects for a file name: `name.camelize`.
pub fn class_name(slug: &str) -> Result<String> {
    if !slug.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Err(Error::usage(format!("the Rails migration name `{slug}` does not start with a letter"))
            .help("Rails names the migration's class after it, and a Ruby class name starts with a letter; choose a --name that does"));
    }
    Ok(slug.split('_').map(|w| w[..1].to_ascii_uppercase() + &w[1..]).collect())
}

/// `X.Y` of the first `ActiveRecord::Migration[X.Y]` in `text`.
pub fn migration_version(text: &str) -> Option<String> {
    let at = text.find("ActiveRecord::Migration[")? + "ActiveRecord::Migration[".len();
    let inner = &text[at..at + text[at..].find(']')?];
    let ok = inner.split_once('.').is_some_and(|(a, b)| {
        !a.is_empty() && !b.is_empty() && a.chars().all(|c| c.is_ascii_digit()) && b.chars().all(|c| c.is_ascii_digit())
    });
    ok.then(|| inner.to_string())
}

fn executes(steps: &[Step]) -> String {
    steps.iter().map(|s| execute(&s.sql)).collect()
}

/// One `execute` of `sql`: a heredoc when it carries the text exactly,
/// else a double-quoted string with escapes.
fn execute(sql: &str) -> String {
    let lines: Vec<&str> = sql.split('\n').collect();
    let indent_of = |l: &str| l.len() - l.trim_start_matches([' ', '\t']).len();
    let least_indent = lines.iter().filter(|l| !l.trim_matches([' ', '\t']).is_empty()).map(|l| indent_of(l)).min();
    let heredoc = !sql.contains('\r') && least_indent == Some(0);
    if !heredoc {
        return format!("    execute {}\n", ruby_string(sql));
    }
    let mut term = "SQL".to_string();
    let mut n = 0;
    while lines.iter().any(|l| l.trim() == term) {
        n += 1;
        term = format!("SQL_{n}");
    }
    let mut out = format!("    execute <<~'{term}'\n");
    for l in &lines {
        if !l.is_empty() {
            out.push_str(BODY_INDENT);
            out.push_str(l);
        }
        out.push('\n');
    }
    out.push_str(&format!("    {term}\n"));
    out
}

/// A double-quoted Ruby string meaning exactly `text`.
fn ruby_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '#' => out.push_str("\\#"),
            '\n' => out.push('\n'),
            '\r' => out.push_str("\\r"),
            '\t' => out.push('\t'),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn error_at(file: &str, line: usize, col: usize, message: impl Into<String>) -> Error {
    Error::data(message).at(Location::new(file, line as u32, col as u32))
}

/// The SQL that `def up` (or, without it, `def change`) executes, each
/// statement on the line it comes from. Heredocs (`<<~SQL`, `<<-'SQL'`,
/// `<<SQL`, with `.squish`) and single- or double-quoted strings are read;
/// any other line in the method (Rails' schema DSL) is refused.
pub fn read_up_text(text: &str, file: &str) -> Result<String> {
    let lines: Vec<&str> = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
    let is_def = |l: &str, name: &str| {
        let t = l.trim();
        t.strip_prefix("def ").is_some_and(|r| r.trim_start() == name || r.trim_start().starts_with(&format!("{name}()")))
    };
    let start = lines.iter().position(|l| is_def(l, "up")).or_else(|| lines.iter().position(|l| is_def(l, "change")));
    let Some(start) = start else {
        return Err(error_at(file, 1, 1, "no `def up` or `def change` in this Rails migration"));
    };
    let def_indent = lines[start].len() - lines[start].trim_start().len();
    let mut out = Placer::new();
    let mut i = start + 1;
    loop {
        let Some(line) = lines.get(i) else {
            return Err(error_at(file, start + 1, def_indent + 1, "`def` without its `end`"));
        };
        let trimmed = line.trim();
        let indent = line.len() - line.trim_start().len();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            i += 1;
            continue;
        }
        if trimmed == "end" && indent <= def_indent {
            break;
        }
        let col = indent + 1;
        let rest = trimmed.strip_prefix("execute").filter(|r| r.starts_with([' ', '(']));
        let Some(rest) = rest else {
            let word: String = trimmed.chars().take_while(|c| !c.is_whitespace() && *c != '(').collect();
            return Err(error_at(file, i + 1, col, format!("`{word}` in a Rails migration is not SQL that schemashift can read"))
                .help("schemashift reads migrations whose up method runs `execute` with literal SQL; write the change as SQL"));
        };
        let rest = rest.trim_start().trim_start_matches('(').trim_start();
        if rest.starts_with("<<") {
            let (sql, next) = heredoc(&lines, i, rest, file, col)?;
            out.place(i as u32 + 2, &sql);
            i = next;
        } else if rest.starts_with(['"', '\'']) {
            // A string may span lines: read it from the joined remainder.
            let offset = line.len() - rest.len();
            let remainder = lines[i..].join("\n");
            let (sql, consumed) = quoted(&remainder[offset..]).ok_or_else(|| {
                error_at(file, i + 1, offset + 1, "this string cannot be read (not closed, or it interpolates `#{…}`)")
            })?;
            out.place(i as u32 + 1, &sql);
            i += remainder[..offset + consumed].matches('\n').count() + 1;
        } else {
            return Err(error_at(file, i + 1, col, "the argument of execute is not a string or heredoc")
                .help("schemashift reads execute <<~SQL … SQL and execute \"…\" with literal SQL"));
        }
    }
    Ok(out.finish())
}

/// A heredoc opened on `lines[at]` by `opener` (`<<~'SQL'` …): its value
/// and the index of the line after its terminator.
fn heredoc(lines: &[&str], at: usize, opener: &str, file: &str, col: usize) -> Result<(String, usize)> {
    let bad = |m: &str| error_at(file, at + 1, col, m.to_string());
    let mut s = &opener[2..];
    let squiggly = s.starts_with('~');
    let dash = s.starts_with('-');
    if squiggly || dash {
        s = &s[1..];
    }
    let quote = s.chars().next().filter(|c| *c == '\'' || *c == '"');
    if let Some(q) = quote {
        s = &s[1..];
        let end = s.find(q).ok_or_else(|| bad("heredoc terminator quote not closed"))?;
        let (term, after) = (&s[..end], &s[end + 1..]);
        return finish_heredoc(lines, at, term, after, squiggly, dash, q == '\'', file, col);
    }
    let end = s.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(s.len());
    if end == 0 {
        return Err(bad("heredoc without a terminator name"));
    }
    finish_heredoc(lines, at, &s[..end], &s[end..], squiggly, dash, false, file, col)
}

#[allow(clippy::too_many_arguments)]
fn finish_heredoc(
    lines: &[&str],
    at: usize,
    term: &str,
    after: &str,
    squiggly: bool,
    dash: bool,
    literal: bool,
    file: &str,
    col: usize,
) -> Result<(String, usize)> {
    let after = after.trim().trim_end_matches(')').trim();
    let squish = match after {
        "" => false,
        ".squish" => true,
        _ => return Err(error_at(file, at + 1, col, format!("`{after}` after the heredoc cannot be read"))),
    };
    let indented_term = squiggly || dash;
    let end = lines[at + 1..]
        .iter()
        .position(|l| if indented_term { l.trim_start() == term } else { *l == term })
        .map(|p| at + 1 + p)
        .ok_or_else(|| error_at(file, at + 1, col, format!("heredoc `{term}` is not closed")))?;
    let body = &lines[at + 1..end];
    let width = |l: &str| {
        let mut w = 0;
        for c in l.chars() {
            match c {
                ' ' => w += 1,
                '\t' => w = (w / 8 + 1) * 8,
                _ => break,
            }
        }
        w
    };
    let strip = if squiggly { body.iter().filter(|l| !l.trim_matches([' ', '\t']).is_empty()).map(|l| width(l)).min().unwrap_or(0) } else { 0 };
    let mut text = String::new();
    for (k, l) in body.iter().enumerate() {
        let mut rest = *l;
        let mut w = 0;
        while w < strip {
            match rest.chars().next() {
                Some(' ') => w += 1,
                Some('\t') if (w / 8 + 1) * 8 <= strip => w = (w / 8 + 1) * 8,
                _ => break,
            }
            rest = &rest[1..];
        }
        let line = if literal {
            rest.to_string()
        } else {
            unescape_double(rest).ok_or_else(|| error_at(file, at + k + 2, 1, "this heredoc interpolates `#{…}`, which cannot be read as SQL"))?
        };
        text.push_str(&line);
        text.push('\n');
    }
    if squish {
        text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    Ok((text.trim_end_matches('\n').to_string(), end + 1))
}

/// Backslash escapes of a double-quoted string or heredoc; `None` when it
/// interpolates.
fn unescape_double(s: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '#' if matches!(chars.peek(), Some('{' | '$' | '@')) => return None,
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                's' => out.push(' '),
                '0' => out.push('\0'),
                'e' => out.push('\x1b'),
                'u' if chars.peek() == Some(&'{') => {
                    chars.next();
                    let hex: String = chars.by_ref().take_while(|c| *c != '}').collect();
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                }
                '\n' => {}
                // `\\`, `\"`, `\#` and unknown escapes give the character.
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    Some(out)
}

/// A single- or double-quoted string at the start of `s`: its value and
/// the bytes it took.
fn quoted(s: &str) -> Option<(String, usize)> {
    let q = s.chars().next()?;
    let mut raw = String::new();
    let mut escaped = false;
    for (i, c) in s.char_indices().skip(1) {
        if escaped {
            raw.push(c);
            escaped = false;
            continue;
        }
        if c == '\\' {
            raw.push(c);
            escaped = true;
            continue;
        }
        if c == q {
            let value = if q == '"' {
                unescape_double(&raw)?
            } else {
                // Single quotes: only `\\` and `\'` are escapes.
                raw.replace("\\\\", "\u{0}").replace("\\'", "'").replace('\u{0}', "\\")
            };
            return Some((value, i + 1));
        }
        raw.push(c);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(sql: &str) -> Step {
        Step { summary: String::new(), sql: sql.into(), transactional: true, facts: Default::default() }
    }

    #[test]
    fn class_names_are_rails_camelize() {
        assert_eq!(class_name("add_users_email").unwrap(), "AddUsersEmail");
        assert_eq!(class_name("add_tags_2").unwrap(), "AddTags2");
        assert_eq!(class_name("add_2fa").unwrap(), "Add2fa");
        assert!(class_name("2fa").is_err());
    }

    #[test]
    fn heredocs_choose_a_terminator_and_fall_back_to_strings() {
        assert_eq!(execute("SELECT 1;"), "    execute <<~'SQL'\n      SELECT 1;\n    SQL\n");
        assert_eq!(execute("SELECT $$\nSQL\n$$;"), "    execute <<~'SQL_1'\n      SELECT $$\n      SQL\n      $$;\n    SQL_1\n");
        assert_eq!(execute("  SELECT 1;"), "    execute \"  SELECT 1;\"\n");
        assert_eq!(execute("SELECT '#{x}\\n\"';\r"), "    execute \"SELECT '\\#{x}\\\\n\\\"';\\r\"\n");
    }

    #[test]
    fn reads_back_what_it_writes_and_hand_written_forms() {
        for sql in ["CREATE TABLE a (\n    x int\n);", "SELECT '#{x}', E'\\\\', '\t';", "  SELECT 1;", "SELECT $$\nSQL\n$$;", "SELECT '\r';"] {
            let m = Migration { version: "20240101000000", slug: "x", header: "h", up: &[step(sql)], down: &[], transaction: true, previous: None };
            let text = String::from_utf8(RAILS.render(&m).unwrap()[0].bytes.clone()).unwrap();
            let back = read_up_text(&text, "x.rb").unwrap();
            assert_eq!(back.trim_start_matches('\n').trim_end_matches('\n'), sql, "{text}");
        }
        let hand = "class X < ActiveRecord::Migration[6.1]\n  def change\n    execute <<-SQL.squish\n      CREATE TABLE a\n        (x int)\n    SQL\n    execute(\"DROP TABLE b\")\n    execute 'SELECT \\'its\\''\n  end\nend\n";
        assert_eq!(read_up_text(hand, "x.rb").unwrap(), "\n\n\nCREATE TABLE a (x int);\n\n\nDROP TABLE b;\nSELECT 'its';\n");
        let dsl = "class X < ActiveRecord::Migration[7.0]\n  def up\n    execute 'SELECT 1'\n    add_column :users, :email, :string\n  end\nend\n";
        let err = read_up_text(dsl, "db/migrate/1_x.rb").unwrap_err();
        let loc = err.location.clone().unwrap();
        assert_eq!((loc.file.as_ref(), loc.line, loc.column), ("db/migrate/1_x.rb", 4, 5));
        assert!(err.to_string().contains("add_column"), "{err}");
        let interpolating = "  def up\n    execute <<~SQL\n      SELECT #{1}\n    SQL\n  end\n";
        assert_eq!(read_up_text(interpolating, "x.rb").unwrap_err().location.unwrap().line, 3);
    }

    #[test]
    fn the_header_is_one_comment_line() {
        let header = "from x\n  DROP TABLE users; # coding: latin-1\r\n=begin\n__END__\nSQL\n\"\"\" ''' \\ é";
        let m = Migration { version: "20240101000000", slug: "x", header, up: &[step("SELECT 1;")], down: &[], transaction: true, previous: None };
        let text = String::from_utf8(RAILS.render(&m).unwrap()[0].bytes.clone()).unwrap();
        assert_eq!(
            text.lines().next().unwrap(),
            r#"# from x\n  DROP TABLE users; # coding\u{3a} latin-1\r\n=begin\n__END__\nSQL\n""" ''' \\ é."#
        );
        assert_eq!(text.lines().nth(2), Some("class X < ActiveRecord::Migration[7.1]"), "{text}");
    }

    #[test]
    fn strings_mean_exactly_their_text() {
        // Read back by the reader's own rules for Ruby's double-quoted strings.
        for text in ["a\nb", "cr\r", "\"q\" 'q'", "#{x} #@y #$z", "back\\slash \\n", "é 漢字 \u{2028}", "nul\0", "\nSQL\n"] {
            let lit = ruby_string(text);
            assert_eq!(quoted(&lit), Some((text.to_string(), lit.len())), "{lit}");
        }
    }

    #[test]
    fn migration_versions_and_names() {
        assert_eq!(migration_version("class A < ActiveRecord::Migration[7.0]\n"), Some("7.0".into()));
        assert_eq!(migration_version("class A < ActiveRecord::Migration\n"), None);
        assert_eq!(RAILS.entry("20240101000000_add_users.rb", false), Some(("20240101000000".into(), "20240101000000_add_users".into())));
        assert_eq!(RAILS.entry("20240101000000_add_users.blog.rb", false).map(|e| e.0), Some("20240101000000".into()));
        assert_eq!(RAILS.entry("20240101000000_AddUsers.rb", false), None);
    }
}
