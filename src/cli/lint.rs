//! `schemashift lint [<rev> [<rev>]] [--staged] [--no-index <old> <new>] [-- paths]`:
//! the findings of the linter on the change between two schemas.
//!
//! Exit code: 0 when no finding reaches the `--fail-on` class
//! (default `potentially-breaking`), else 2 when the worst is breaking and
//! 1 otherwise.

use super::compare::Sources;
use crate::emit::lint::{Format, Texts};
use crate::error::Result;
use crate::lint::{Class, Report};
use crate::settings::{Settings, parse_fail_on};
use clap::Args;
use std::io::IsTerminal;
use std::path::Path;

#[derive(Args, Debug)]
pub struct LintArgs {
    #[command(flatten)]
    pub sources: Sources,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// The lowest class that makes the exit code non-zero: breaking,
    /// potentially-breaking, non-breaking, additive, or never
    /// [default: `[lint] fail_on` in schemashift.toml, else potentially-breaking].
    #[arg(long)]
    pub fail_on: Option<String>,
    /// Lint hand-written migration files instead of a schema change: a
    /// migrations directory (its framework detected) or files, in order.
    #[arg(long, num_args = 1.., value_name = "DIR|FILES")]
    pub migrations: Vec<std::path::PathBuf>,
    /// The rule reference `--format pr-comment` links each finding's code
    /// to, the rule's anchor appended [default: $SCHEMASHIFT_RULES_URL, else
    /// in GitHub Actions the repository's docs/rules.md on GitHub, else the
    /// relative docs/rules.md].
    #[arg(long, value_name = "URL")]
    pub rules_url: Option<String>,
}

/// The exit code for a report under a threshold.
pub fn exit_code(report: &Report, threshold: Option<Class>) -> i32 {
    match (report.worst(), threshold) {
        (Some(worst), Some(t)) if worst >= t => {
            if worst == Class::Breaking { 2 } else { 1 }
        }
        _ => 0,
    }
}

pub fn run(args: LintArgs, settings: &Settings, cwd: &Path) -> Result<i32> {
    let threshold = match &args.fail_on {
        Some(text) => parse_fail_on(text, "--fail-on")?,
        None => settings.fail_on.unwrap_or(Some(Class::PotentiallyBreaking)),
    };
    if !args.migrations.is_empty() {
        if !args.sources.revs.is_empty() || args.sources.staged || args.sources.no_index {
            return Err(crate::Error::usage("--migrations lints migration files: give no revisions, --staged or --no-index with it"));
        }
        if args.sources.online {
            return Err(crate::Error::usage("--online plans a migration; --migrations lints the migrations as written, with no plan to make online")
                .help("leave out --online, or lint the schema change instead: `schemashift lint --online [revisions]`"));
        }
        if args.sources.preserve_data {
            return Err(crate::Error::usage("--preserve-data plans a migration; --migrations lints the migrations as written, with no plan to keep copies in")
                .help("leave out --preserve-data, or lint the schema change instead: `schemashift lint --preserve-data [revisions]`"));
        }
        let migrations = read_migrations(&args.migrations, settings, cwd)?;
        let (report, texts) = crate::lint::migrations::lint_migrations(&migrations, settings.dialect.value, &settings.lint)?;
        if args.format == Format::PrComment {
            let shown: Vec<String> = args.migrations.iter().map(|p| p.display().to_string()).collect();
            let sources = format!("--migrations {}", shell_words(&shown));
            let title = format!("migrations {}", shown.join(" "));
            super::write_stdout(&pr_comment(&report, None, &title, &sources, args.rules_url.as_deref()))?;
            return Ok(exit_code(&report, threshold));
        }
        let color = args.format == Format::Text && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        super::write_stdout(&crate::emit::lint::render(&report, &texts, args.format, color))?;
        return Ok(exit_code(&report, threshold));
    }
    let compared = args.sources.compare(settings, cwd)?;
    let report = &compared.lint;
    let texts = Texts::new(&compared.old_files, &compared.new_files);
    if args.format == Format::PrComment {
        let title = format!("{} → {}", compared.old_files.label, compared.new_files.label);
        let comment = pr_comment(report, Some(&compared.plan), &title, &source_words(&args.sources), args.rules_url.as_deref());
        super::write_stdout(&comment)?;
    } else {
        let color = args.format == Format::Text && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        super::write_stdout(&crate::emit::lint::render(report, &texts, args.format, color))?;
    }
    let code = exit_code(report, threshold);
    compared.drop_aside();
    Ok(code)
}

/// The pull request comment of a report (and its plan, when there is one).
fn pr_comment(report: &Report, plan: Option<&crate::plan::Plan>, title: &str, sources: &str, rules_url: Option<&str>) -> String {
    use crate::emit::pr_comment;
    let preflight = crate::runbook::preflight(report);
    let rules_url = pr_comment::rules_url(rules_url, &|name| std::env::var(name).ok());
    pr_comment::render(&pr_comment::Input { report, plan, preflight: &preflight, title, sources, rules_url: &rules_url })
}

/// The sources as arguments that name them again, for the commands the
/// comment tells the reader to run (`main...HEAD --online -- db/*.sql`).
fn source_words(s: &super::compare::Sources) -> String {
    let mut words: Vec<String> = Vec::new();
    if s.staged {
        words.push("--staged".into());
    }
    if s.no_index {
        words.push("--no-index".into());
    }
    words.extend(s.revs.iter().cloned());
    if let Some(d) = &s.dialect {
        words.extend(["--dialect".to_string(), d.clone()]);
    }
    for (on, flag) in [(s.online, "--online"), (s.phases, "--phases"), (s.preserve_data, "--preserve-data"), (s.allow_empty, "--allow-empty")] {
        if on {
            words.push(flag.into());
        }
    }
    if !s.paths.is_empty() {
        words.push("--".into());
        words.extend(s.paths.iter().cloned());
    }
    shell_words(&words)
}

/// Words as a POSIX shell reads them back: quoted when they hold anything
/// but plain characters.
fn shell_words(words: &[String]) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:@^~=+,%".contains(c);
    words
        .iter()
        .map(|w| if !w.is_empty() && w.chars().all(plain) { w.clone() } else { format!("'{}'", w.replace('\'', "'\\''")) })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The up SQL of each migration, oldest first: a directory in its
/// framework's order (detected, or `framework` from the settings), or files
/// in the order given.
fn read_migrations(paths: &[std::path::PathBuf], settings: &Settings, cwd: &Path) -> Result<Vec<crate::lint::migrations::Migration>> {
    use crate::lint::migrations::Migration;
    let shown = |p: &Path| p.display().to_string();
    if let [dir] = paths {
        let full = cwd.join(dir);
        if full.is_dir() {
            let choice = crate::generate::detect::choose(&settings.root, Some(&full), settings.framework()?)?;
            let mut out = Vec::new();
            for e in choice.format.scan(&full)? {
                let sql = choice.format.read_up(&full, &e)?;
                out.push(Migration { label: shown(&dir.join(&e.paths[0])), sql });
            }
            return Ok(out);
        }
    }
    paths
        .iter()
        .map(|p| {
            let bytes = std::fs::read(cwd.join(p)).map_err(|e| {
                crate::Error::no_input(format!("cannot read migration {}: {e}", p.display()))
            })?;
            Ok(Migration { label: shown(p), sql: String::from_utf8_lossy(&bytes).into_owned() })
        })
        .collect()
}
