//! Rails cannot run here, so the files `generate --framework rails` writes are
//! checked against Rails' documented rules instead: the migrator's file
//! name pattern, the class name it derives from the file name
//! (`String#camelize`), `ActiveRecord::Migration[X.Y]` copied from the
//! newest migration, `disable_ddl_transaction!`, and heredocs whose bodies
//! Ruby reads back as exactly the SQL. The SQL itself is compared with what
//! goose (run for real elsewhere) gets for the same history.

use crate::support;

use std::process::Command;
use support::git::TestRepo;
use support::runner;

const GEMFILE: &str = "source \"https://rubygems.org\"\n\ngem \"rails\", \"~> 7.0.8\"\n";
const OLDER: &str = "class CreateWidgets < ActiveRecord::Migration[6.1]\n  def change\n  end\nend\n";
const NEWEST: &str = "class CreateGadgets < ActiveRecord::Migration[7.0]\n  def change\n  end\nend\n";

fn setup() -> Vec<(&'static str, &'static str)> {
    vec![
        ("Gemfile", GEMFILE),
        // Listed newest first: "newest" is by version, not by listing.
        ("db/migrate/20230201000000_create_gadgets.rb", NEWEST),
        ("db/migrate/20230101000000_create_widgets.rb", OLDER),
    ]
}

/// ActiveSupport's `camelize` for a migration name made of `[a-z0-9_]`:
/// the leading word capitalized, then each `_word` replaced by the word
/// capitalized (`capitalize` upper-cases the first character only).
fn camelize(name: &str) -> String {
    let mut out = String::new();
    for word in name.split('_') {
        let mut cs = word.chars();
        if let Some(first) = cs.next() {
            out.extend(first.to_uppercase());
            out.push_str(cs.as_str());
        }
    }
    out
}

/// The migrator's `/\A([0-9]+)_([_a-z0-9]*)\.?([_a-z0-9]*)?\.rb\z/`, giving
/// version and name.
fn migration_file(name: &str) -> Option<(String, String)> {
    let stem = name.strip_suffix(".rb")?;
    let (version, rest) = stem.split_once('_')?;
    let name_part = rest.split('.').next().unwrap();
    let ok = !version.is_empty()
        && version.bytes().all(|b| b.is_ascii_digit())
        && rest.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.');
    ok.then(|| (version.to_string(), name_part.to_string()))
}

/// Ruby's reading of `<<~'TERM'` heredocs inside `def <method>`: the body
/// up to the line that is the terminator, with the least indentation of its
/// non-blank lines removed (the files use spaces only), no escapes.
fn heredocs(text: &str, method: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().position(|l| l.trim() == format!("def {method}")).expect("method present");
    let mut out = Vec::new();
    let mut i = start + 1;
    while lines[i].trim() != "end" {
        let opener = lines[i].trim();
        let term = opener.strip_prefix("execute <<~'").and_then(|t| t.strip_suffix('\'')).unwrap_or_else(|| panic!("unexpected line {opener:?}"));
        let end = i + 1 + lines[i + 1..].iter().position(|l| l.trim() == term).expect("terminator");
        let body = &lines[i + 1..end];
        let strip = body.iter().filter(|l| !l.trim().is_empty()).map(|l| l.len() - l.trim_start().len()).min().unwrap_or(0);
        out.push(body.iter().map(|l| l.get(strip..).unwrap_or("").to_string() + "\n").collect::<String>().trim_end().to_string());
        i = end + 1;
    }
    out
}

/// The statements of one section of a goose file, as one text per statement.
fn goose_statements(text: &str, up: bool) -> Vec<String> {
    let (from, to) = if up { ("-- +goose Up", "-- +goose Down") } else { ("-- +goose Down", "\u{0}") };
    let section = text.split(from).nth(1).unwrap().split(to).next().unwrap();
    let mut out = Vec::new();
    let mut current = String::new();
    let mut fenced = false;
    for line in section.lines().skip(1) {
        match line.trim() {
            "-- +goose StatementBegin" => fenced = true,
            "-- +goose StatementEnd" => {
                fenced = false;
                out.push(std::mem::take(&mut current).trim_end().to_string());
            }
            _ => {
                current.push_str(line);
                current.push('\n');
                if !fenced && line.trim_end().ends_with(';') {
                    out.push(std::mem::take(&mut current).trim_end().to_string());
                }
            }
        }
    }
    out
}

fn files_of(dir: &std::path::Path) -> Vec<(String, String)> {
    runner::listing(dir).into_iter().map(|f| (f.clone(), std::fs::read_to_string(dir.join(&f)).unwrap())).collect()
}

#[test]
fn files_follow_rails_naming_and_carry_the_planned_sql() {
    for args in [&[][..], &["--concurrently"][..]] {
        let rails = runner::generate_history(&setup(), "db/migrate", args);
        let mut goose_args = vec!["--framework", "goose"];
        goose_args.extend(args);
        let goose = runner::generate_history(&[], "db/migrations", &goose_args);
        let written: Vec<(String, String)> = files_of(&rails.dir).into_iter().filter(|(f, _)| !f.starts_with("2023010") && !f.starts_with("2023020")).collect();
        let reference = files_of(&goose.dir);
        assert_eq!(written.len(), reference.len(), "{written:?}");
        let mut classes = Vec::new();
        for ((file, text), (goose_file, goose_text)) in written.iter().zip(&reference) {
            let (version, name) = migration_file(file).unwrap_or_else(|| panic!("{file} does not match the migrator's pattern"));
            assert_eq!(version.len(), 14, "{file}: a UTC timestamp version");
            assert!(goose_file.starts_with(&version), "{file} and {goose_file} are the same migration");
            let class = camelize(&name);
            assert!(class.starts_with(|c: char| c.is_ascii_uppercase()), "{class}");
            assert!(text.contains(&format!("\nclass {class} < ActiveRecord::Migration[7.0]\n")), "{file}: class {class} copying [7.0]:\n{text}");
            classes.push(class);
            let concurrent = goose_text.contains("NO TRANSACTION");
            assert_eq!(text.contains("  disable_ddl_transaction!\n"), concurrent, "{file}:\n{text}");
            assert_eq!(heredocs(text, "up"), goose_statements(goose_text, true), "{file} up");
            assert_eq!(heredocs(text, "down"), goose_statements(goose_text, false), "{file} down");
        }
        let mut unique = classes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), classes.len(), "Rails refuses two migrations with one class name: {classes:?}");
        assert_eq!(written.iter().filter(|(_, t)| t.contains("disable_ddl_transaction!")).count(), usize::from(!args.is_empty()));
    }
}

/// Checked by hand against the Rails guides: a file of the first change.
const GOLDEN_FIRST: &str = "# Generated by schemashift 0.1.0 from HEAD to working tree.

class AddPendingStatus < ActiveRecord::Migration[7.0]
  def up
    execute <<~'SQL'
      ALTER TYPE public.status ADD VALUE 'pending' BEFORE 'active';
    SQL
    execute <<~'SQL'
      CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
          NEW.updated_at := now();
          RETURN NEW;
      END;
      $$;
    SQL
  end

  def down
    execute <<~'SQL'
      ALTER TYPE public.status RENAME TO status__old;
    SQL
    execute <<~'SQL'
      CREATE TYPE public.status AS ENUM ('active', 'closed');
    SQL
    execute <<~'SQL'
      ALTER TABLE public.accounts ALTER COLUMN status DROP DEFAULT;
    SQL
    execute <<~'SQL'
      ALTER TABLE public.accounts ALTER COLUMN status TYPE public.status USING status::text::public.status;
    SQL
    execute <<~'SQL'
      ALTER TABLE public.accounts ALTER COLUMN status SET DEFAULT 'active'::status;
    SQL
    execute <<~'SQL'
      DROP TYPE public.status__old;
    SQL
    execute <<~'SQL'
      DROP FUNCTION public.touch();
    SQL
  end
end
";

#[test]
fn golden_first_migration() {
    let history = runner::generate_history(&setup(), "db/migrate", &[]);
    // 1,700,000,060 s is 2023-11-14 22:14:20 UTC.
    let text = std::fs::read_to_string(history.dir.join("20231114221420_add_pending_status.rb")).unwrap();
    let text = text.replacen(&text[..text.find('\n').unwrap()], "# Generated by schemashift 0.1.0 from HEAD to working tree.", 1);
    assert_eq!(text, GOLDEN_FIRST);
}

/// SQL that a heredoc could get wrong: a line that is the terminator, Ruby
/// interpolation, backslashes, and an indented first line.
const AWKWARD: &str = r#"SQL #{x} \ \n '' "q" end"#;

#[test]
fn awkward_sql_reads_back_and_the_default_version_is_used() {
    let repo = TestRepo::new();
    repo.write("Gemfile", GEMFILE);
    let old = "CREATE TABLE keep (id int);\n";
    repo.write("db/schema.sql", old);
    repo.commit_all("old");
    let function = "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$\nSELECT 1\nSQL\n$$;\n";
    let new = format!("{old}CREATE TABLE t (id int);\nCOMMENT ON TABLE t IS '{}';\n{function}", AWKWARD.replace('\'', "''"));
    repo.write("db/schema.sql", &new);
    let out = Command::new(env!("CARGO_BIN_EXE_schemashift"))
        .args(["generate", "--name", "awkward", "--dir", "db/migrate"])
        .current_dir(repo.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let files = files_of(&repo.path().join("db/migrate"));
    assert_eq!(files.len(), 1);
    let text = &files[0].1;
    assert!(text.contains("\nclass Awkward < ActiveRecord::Migration[7.1]\n"), "no migration to copy from: the default\n{text}");
    assert!(text.contains("    execute <<~'SQL_1'\n      CREATE FUNCTION"), "the terminator cannot be SQL:\n{text}");
    let bodies = heredocs(text, "up");
    assert!(bodies.iter().any(|b| b.contains(&AWKWARD.replace('\'', "''"))), "{bodies:?}");

    let out = Command::new(env!("CARGO_BIN_EXE_schemashift"))
        .args(["inspect", "--migrations", "db/migrate", "--format", "sql"])
        .current_dir(repo.path())
        .output()
        .unwrap();
    let sql = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(sql.contains(&format!("'{}'", AWKWARD.replace('\'', "''"))) && sql.contains("SQL\n$$"), "{sql}");

    // The same name again: Rails would refuse two Awkward classes.
    repo.commit_all("awkward");
    repo.write("db/schema.sql", &format!("{new}CREATE TABLE u (id int);\n"));
    let out = Command::new(env!("CARGO_BIN_EXE_schemashift"))
        .args(["generate", "--name", "awkward", "--dir", "db/migrate"])
        .current_dir(repo.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(64), "{err}");
    assert!(err.contains("already has a migration named awkward"), "{err}");
    assert_eq!(files_of(&repo.path().join("db/migrate")).len(), 1);
}
