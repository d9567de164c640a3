//! Django: `<app>/migrations/NNNN_<slug>.py`, a `Migration` class whose
//! `operations` is one `migrations.RunSQL(sql=[…], reverse_sql=[…])`.
//!
//! Statements are given as a list: Django runs the items one by one, as
//! they are, without splitting them and without `%` interpolation (no
//! parameters are passed). A migration depends on the one before it in the
//! same app, named `(<app label>, <migration name>)`; the app label is the
//! name of the directory holding `migrations/` (Django's default label).
//! Django runs each migration in its own transaction unless it says
//! `atomic = False`, which is how statements that refuse a transaction run.

use super::python::{self, Placer, Tok, error_at};
use super::{Existing, Format, Migration, Probe, read_text};
use crate::error::{Error, Result};
use crate::generate::escape::hash_comment;
use crate::generate::version::Style;
use crate::generate::write::OutFile;
use crate::plan::Step;
use std::path::Path;

pub struct Django {
    /// The app label, known once the directory is (see [`Format::in_dir`]).
    label: Option<String>,
}

pub const DJANGO: Django = Django { label: None };

/// The app label of a migrations directory: its parent directory's name.
fn app_label(dir: &Path) -> Result<String> {
    let label = dir.parent().and_then(|p| p.file_name()).map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let identifier = label.starts_with(|c: char| c.is_alphabetic() || c == '_') && label.chars().all(|c| c.is_alphanumeric() || c == '_');
    if !identifier {
        return Err(Error::usage(format!(
            "{} is not inside a Django app directory (`{label}` is not a Python identifier, so it cannot be an app label)",
            dir.display()
        ))
        .help("pass --dir <app>/migrations"));
    }
    Ok(label)
}

impl Format for Django {
    fn name(&self) -> &'static str {
        "django"
    }
    fn dirs(&self) -> &'static [&'static str] {
        // Apps live anywhere; there is no usual directory to look in.
        &["migrations"]
    }
    fn style(&self) -> Style {
        Style::Sequential { width: 4 }
    }
    fn one_query_per_file(&self) -> bool {
        false
    }
    fn in_dir(&self, dir: &Path) -> Result<Option<Box<dyn Format>>> {
        Ok(Some(Box::new(Django { label: Some(app_label(dir)?) })))
    }
    fn entry(&self, name: &str, is_dir: bool) -> Option<(String, String)> {
        // Django loads every module of the package whose name does not
        // start with `_` or `~`; schemashift numbers them by their prefix.
        let stem = name.strip_suffix(".py")?;
        if is_dir || stem.starts_with(['_', '~']) {
            return None;
        }
        let (version, _) = super::version_prefix(stem)?;
        Some((version, stem.to_string()))
    }
    fn detect(&self, probe: &Probe) -> u32 {
        let names = probe.has_entry(|n, d| self.entry(n, d).is_some()) && probe.has_entry(|n, d| !d && n == "__init__.py");
        let telltale = probe.telltale("manage.py", Some("django")) || probe.telltale("apps.py", Some("AppConfig"));
        let content = probe.sample_contains("from django.db import migrations");
        u32::from(names) + 2 * u32::from(telltale) + 4 * u32::from(content)
    }
    fn render(&self, m: &Migration<'_>) -> Result<Vec<OutFile>> {
        let mut text = format!("# {}.\n\nfrom django.db import migrations\n\n\nclass Migration(migrations.Migration):\n", hash_comment(m.header));
        // Only the migration's own flag: a step marked non-transactional in
        // a transactional migration (`ALTER TYPE … ADD VALUE`) is fine in
        // a transaction; the migration ends after it so it commits.
        let atomic = m.transaction;
        if m.previous.is_none() {
            text.push_str("    initial = True\n");
        }
        if !atomic {
            text.push_str("    atomic = False\n");
        }
        text.push('\n');
        match m.previous {
            None => text.push_str("    dependencies = []\n"),
            Some(p) => {
                let label = self.label.as_deref().ok_or_else(|| Error::internal("the Django app label is not known"))?;
                text.push_str(&format!(
                    "    dependencies = [\n        ({}, {}),\n    ]\n",
                    python::short_literal(label),
                    python::short_literal(&p.name)
                ));
            }
        }
        text.push_str("\n    operations = [\n        migrations.RunSQL(\n");
        text.push_str(&statements("sql", m.up));
        text.push_str(&statements("reverse_sql", m.down));
        text.push_str("        ),\n    ]\n");
        Ok(vec![OutFile::new(format!("{}_{}.py", m.version, m.slug), text)])
    }
    fn read_up(&self, dir: &Path, e: &Existing) -> Result<String> {
        let path = dir.join(&e.paths[0]);
        read_forward_sql(&read_text(&path)?, &path.display().to_string())
    }
}

/// `sql=[…]` (or `reverse_sql=[…]`), one literal per statement.
fn statements(keyword: &str, steps: &[Step]) -> String {
    if steps.is_empty() {
        return format!("            {keyword}=[],\n");
    }
    let mut out = format!("            {keyword}=[\n");
    for s in steps {
        out.push_str(&format!("                {},\n", python::literal(&s.sql)));
    }
    out.push_str("            ],\n");
    out
}

/// The forward SQL of every `RunSQL` in `operations`, placed on its lines.
/// Other operations (models, `RunPython`) are refused with their position:
/// their effect on the schema is not written down as SQL.
fn read_forward_sql(text: &str, file: &str) -> Result<String> {
    let lines = python::logical_lines(text, file)?;
    let class = lines.iter().position(|l| l.indent == 0 && l.starts_with_names(&["class", "Migration"]));
    let Some(class) = class else {
        return Err(error_at(file, 1, 1, "no `class Migration(migrations.Migration):` in this Django migration"));
    };
    let operations = lines[class + 1..]
        .iter()
        .take_while(|l| l.indent > 0)
        .find(|l| l.starts_with_names(&["operations"]) && l.tokens.get(1).is_some_and(|t| t.is_op('=')));
    let mut out = Placer::new();
    let Some(operations) = operations else { return Ok(out.finish()) };
    let t = &operations.tokens;
    let list_end = t.get(2).filter(|t| t.is_op('[') || t.is_op('(')).and_then(|_| python::closing(t, 2));
    let Some(list_end) = list_end else {
        return Err(error_at(file, operations.line(), t[0].col, "`operations` is not a list")
            .help("schemashift reads operations = [migrations.RunSQL(...)]"));
    };
    let mut i = 3;
    while i < list_end {
        if t[i].is_op(',') {
            i += 1;
            continue;
        }
        let run_sql = t[i].is_name("migrations")
            && t.get(i + 1).is_some_and(|t| t.is_op('.'))
            && t.get(i + 2).is_some_and(|t| t.is_name("RunSQL"))
            && t.get(i + 3).is_some_and(|t| t.is_op('('));
        if !run_sql {
            let what: String = t[i..(i + 3).min(list_end)].iter().map(python::Token::text).collect();
            return Err(error_at(file, t[i].line, t[i].col, format!("`{what}` is not SQL that schemashift can read"))
                .help("schemashift reads migrations made of migrations.RunSQL(sql=[...]); write the change as SQL"));
        }
        let close = python::closing(t, i + 3).ok_or_else(|| error_at(file, t[i].line, t[i].col, "RunSQL( is not closed"))?;
        read_run_sql(&t[i + 4..close], file, &t[i], &mut out)?;
        i = close + 1;
    }
    Ok(out.finish())
}

/// The `sql` argument of one `RunSQL(…)`: the first positional argument or
/// `sql=`; a string, or a list/tuple of strings.
fn read_run_sql(args: &[python::Token], file: &str, at: &python::Token, out: &mut Placer) -> Result<()> {
    let start = if args.first().is_some_and(|t| t.is_name("sql")) && args.get(1).is_some_and(|t| t.is_op('=')) {
        2
    } else {
        let keyword = args.iter().position(|t| t.is_name("sql")).filter(|&k| args.get(k + 1).is_some_and(|t| t.is_op('=')));
        match keyword {
            Some(k) if !matches!(args[0].tok, Tok::Str { .. } | Tok::Op('[' | '(')) => k + 2,
            _ => 0,
        }
    };
    let bad = |t: &python::Token| {
        error_at(file, t.line, t.col, "the sql of RunSQL is not a string literal or a list of them")
            .help("schemashift reads RunSQL(sql=[\"<SQL>\", ...]) with literal SQL")
    };
    let Some(first) = args.get(start) else { return Err(bad(at)) };
    if first.is_name("migrations") {
        // migrations.RunSQL.noop
        return Ok(());
    }
    if let Some((sql, line, _)) = python::strings_at(args, start) {
        out.place(line, &sql);
        return Ok(());
    }
    if !(first.is_op('[') || first.is_op('(')) {
        return Err(bad(first));
    }
    let end = python::closing(args, start).ok_or_else(|| bad(first))?;
    let mut i = start + 1;
    while i < end {
        if args[i].is_op(',') {
            i += 1;
            continue;
        }
        let (sql, line, next) = python::strings_at(args, i).ok_or_else(|| {
            let e = bad(&args[i]);
            if args[i].is_op('(') { e.help("statements with parameters, (sql, params), cannot be read as SQL") } else { e }
        })?;
        out.place(line, &sql);
        i = next;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(sql: &str, transactional: bool) -> Step {
        Step { summary: String::new(), sql: sql.into(), transactional, facts: Default::default() }
    }

    fn text(files: &[OutFile]) -> String {
        String::from_utf8(files[0].bytes.clone()).unwrap()
    }

    #[test]
    fn the_app_label_is_the_parent_directory() {
        assert_eq!(app_label(Path::new("/src/notes/migrations")).unwrap(), "notes");
        assert!(app_label(Path::new("/src/my-app/migrations")).is_err());
        assert!(app_label(Path::new("migrations")).is_err());
    }

    #[test]
    fn first_and_following_migrations() {
        let django = Django { label: Some("notes".into()) };
        let up = [step("CREATE TABLE a (x text DEFAULT '100%');", true), step("SELECT '\\' || \"\"\"x\"\"\";", true)];
        let down = [step("DROP TABLE a;", true)];
        let m = Migration { version: "0001", slug: "init", header: "Generated by test", up: &up, down: &down, transaction: true, previous: None };
        let files = django.render(&m).unwrap();
        assert_eq!(files[0].path, Path::new("0001_init.py"));
        let first = text(&files);
        assert!(first.contains("class Migration(migrations.Migration):\n    initial = True\n\n    dependencies = []\n"), "{first}");
        assert!(!first.contains("atomic"));
        assert!(first.contains("            sql=[\n                \"\"\"\\\nCREATE TABLE a (x text DEFAULT '100%');\"\"\",\n"), "{first}");
        assert!(first.contains("            reverse_sql=[\n                \"\"\"\\\nDROP TABLE a;\"\"\",\n            ],\n"), "{first}");

        let prev = django.describe(&m, &files);
        assert_eq!(prev.name, "0001_init");
        let up2 = [step("CREATE INDEX CONCURRENTLY i ON a (x);", false)];
        let down2 = [step("DROP INDEX CONCURRENTLY i;", false)];
        let m2 = Migration { version: "0002", slug: "i", header: "h", up: &up2, down: &down2, transaction: false, previous: Some(&prev) };
        let second = text(&django.render(&m2).unwrap());
        assert!(second.contains("class Migration(migrations.Migration):\n    atomic = False\n\n    dependencies = [\n        (\"notes\", \"0001_init\"),\n    ]\n"), "{second}");
        assert!(!second.contains("initial"));
        assert!(DJANGO.render(&m2).is_err(), "no label, no dependency");

        let sql = read_forward_sql(&first, "0001_init.py").unwrap();
        let statements: Vec<&str> = sql.split(";\n").map(str::trim).filter(|s| !s.is_empty()).collect();
        assert_eq!(statements, ["CREATE TABLE a (x text DEFAULT '100%')", "SELECT '\\' || \"\"\"x\"\"\""]);
        let line = first.lines().position(|l| l.starts_with("CREATE TABLE")).unwrap();
        assert_eq!(sql.lines().position(|l| l.starts_with("CREATE TABLE")), Some(line));
    }

    #[test]
    fn reads_hand_written_run_sql_and_refuses_models() {
        let text = "from django.db import migrations\n\nclass Migration(migrations.Migration):\n    dependencies = [('a', '0001')]\n    operations = [\n        migrations.RunSQL('CREATE TABLE t (x int)', 'DROP TABLE t'),\n        migrations.RunSQL(\n            sql=['CREATE INDEX i ON t (x)'],\n            reverse_sql=migrations.RunSQL.noop),\n        migrations.RunSQL(reverse_sql='x', sql=\"DROP TABLE u\"),\n    ]\n";
        let sql = read_forward_sql(text, "f.py").unwrap();
        assert_eq!(sql, "\n\n\n\n\nCREATE TABLE t (x int);\n\nCREATE INDEX i ON t (x);\n\nDROP TABLE u;\n");
        let models = "class Migration(migrations.Migration):\n    operations = [\n        migrations.CreateModel(name='A', fields=[]),\n    ]\n";
        let err = read_forward_sql(models, "app/migrations/0001.py").unwrap_err();
        let loc = err.location.clone().unwrap();
        assert_eq!((loc.file.as_ref(), loc.line, loc.column), ("app/migrations/0001.py", 3, 9));
        assert!(err.to_string().contains("migrations.CreateModel"), "{err}");
        let params = "class Migration(migrations.Migration):\n    operations = [migrations.RunSQL([('INSERT INTO t VALUES (%s)', [1])])]\n";
        assert!(read_forward_sql(params, "f.py").is_err());
    }

    #[test]
    fn outside_text_is_escaped_for_python() {
        let django = Django { label: Some("notes".into()) };
        let header = "from x\nDROP TABLE users; # -*- coding: latin-1 -*-\r\"\"\" \\ \0 é";
        let prev = Existing { version: "0001".into(), name: "0001_it's \"\"\"\n\\".into(), paths: vec![], id: None, parent: None };
        let up = [step("SELECT 1;", true)];
        let m = Migration { version: "0002", slug: "x", header, up: &up, down: &[], transaction: true, previous: Some(&prev) };
        let text = text(&django.render(&m).unwrap());
        assert_eq!(
            text.lines().next().unwrap(),
            r#"# from x\nDROP TABLE users; # \u{2d}*- coding\u{3a} latin-1 \u{2d}*-\r""" \\ \u{0} é."#
        );
        // The dependency reads back as the existing migration's name.
        let lines = python::logical_lines(&text, "f.py").unwrap();
        let deps = lines.iter().find(|l| l.starts_with_names(&["dependencies"])).unwrap();
        let names: Vec<String> = deps.tokens.iter().filter_map(|t| match &t.tok { Tok::Str { value, .. } => Some(value.clone()), _ => None }).collect();
        assert_eq!(names, ["notes", "0001_it's \"\"\"\n\\"]);
    }

    #[test]
    fn names_and_detection() {
        assert_eq!(DJANGO.entry("0002_add_users.py", false), Some(("0002".into(), "0002_add_users".into())));
        assert_eq!(DJANGO.entry("__init__.py", false), None);
        assert_eq!(DJANGO.entry("0002_x.pyc", false), None);
        let probe = Probe {
            entries: vec![("0001_initial.py".into(), false), ("__init__.py".into(), false)],
            samples: vec!["from django.db import migrations\n".into()],
            telltales: vec![("apps.py".into(), "class NotesConfig(AppConfig):".into())],
        };
        assert_eq!(DJANGO.detect(&probe), 7);
    }
}
