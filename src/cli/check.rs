//! `schemashift check [<rev> | --staged] [--base <rev>]` and
//! `schemashift renumber --base <rev>`.

use crate::check::{self, Outcome, base::Problem};
use crate::error::{Error, Result};
use crate::generate::detect;
use crate::settings::{Flags, Settings};
use crate::source::Side;
use clap::Args;
use std::path::Path;

/// Where the migrations are, shared by `check` and `renumber`.
#[derive(Args, Debug)]
pub struct Directory {
    /// The migrations directory [default: from schemashift.toml, else detected].
    #[arg(long)]
    pub dir: Option<String>,
    /// The migration framework (as for `generate`) [default: from schemashift.toml, else detected].
    #[arg(long, value_name = "FRAMEWORK")]
    pub framework: Option<String>,
    /// SQL dialect of the schema files [default: from schemashift.toml, else postgres]
    #[arg(long)]
    pub dialect: Option<String>,
}

impl Directory {
    fn flags(&self) -> Flags {
        Flags { dir: self.dir.clone(), framework: self.framework.clone(), dialect: self.dialect.clone(), ..Flags::default() }
    }
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The revision whose schema and migrations to check [default: the
    /// index when a git hook runs it, else the working tree].
    pub rev: Option<String>,
    /// Check the index: what `git commit` would record.
    #[arg(long, alias = "cached", conflicts_with = "rev")]
    pub staged: bool,
    /// Also check what this branch did to the migrations against a base
    /// revision (e.g. `origin/main`): its new migrations sort after the
    /// base's, the base's are unchanged, atlas.sum matches.
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    #[command(flatten)]
    pub directory: Directory,
    /// Pathspecs choosing the schema files (globs), after `--`.
    #[arg(last = true)]
    pub paths: Vec<String>,
}

impl CheckArgs {
    pub fn flags(&self) -> Flags {
        self.directory.flags()
    }
}

#[derive(Args, Debug)]
pub struct RenumberArgs {
    /// The revision this branch will merge into (e.g. `origin/main`).
    #[arg(long, value_name = "REV")]
    pub base: String,
    #[command(flatten)]
    pub directory: Directory,
}

impl RenumberArgs {
    pub fn flags(&self) -> Flags {
        self.directory.flags()
    }
}

pub fn run(args: CheckArgs, settings: &Settings, cwd: &Path) -> Result<i32> {
    let side = match (&args.rev, args.staged) {
        (Some(rev), _) => Side::Rev(rev.clone()),
        (None, true) => Side::Index,
        (None, false) => check::default_side(),
    };
    let choice = detect::configured(settings)?;
    let mut code = 0;
    match check::check(&side, &args.paths, &choice, settings, cwd)? {
        Outcome::Untouched => {}
        Outcome::InStep { dir, side } => say(settings, &format!("migrations are in step: {dir}, replayed, gives the schema of {side}")),
        Outcome::Drift(d) => {
            code = 1;
            // The difference, change by change (where the schema says it),
            // then the migration that is missing.
            let mut out = format!("-- The schema of {} differs from what {} gives:\n", d.side, d.dir);
            for c in &d.lint.changes {
                let at = c.location.as_ref().map(|l| format!(" ({})", l.location)).unwrap_or_default();
                out.push_str(&format!("--   {} {} [{}]{at}\n", c.kind.replace('_', " "), c.object, c.class.name()));
            }
            out.push_str(&format!("-- The migration {} lacks:\n", d.dir));
            out.push_str(&d.plan.up_sql());
            if !out.ends_with('\n') {
                out.push('\n');
            }
            super::write_stdout(&out)?;
            if d.unstaged.is_empty() {
                super::report(&Error::data(format!("{} is not in step with the schema of {}", d.dir, d.side)).help(format!(
                    "write the missing migration: `{}`",
                    generate_command(&side, &args, &d.plan)
                )));
            } else {
                super::report(&Error::data(format!("migration files in {} are not staged: {}", d.dir, d.unstaged.join(", "))).help(format!(
                    "review them and stage them: `git add {}`",
                    d.unstaged.join(" ")
                )));
            }
        }
        Outcome::Unreplayable { why, schema_changed, migrations_changed, dir } => {
            super::warn(settings, &format!("cannot replay the migrations in {dir} ({}): checking only that a schema change comes with a migration", why.line()));
            if schema_changed && !migrations_changed {
                code = 1;
                super::report(&Error::data(format!("the schema changed since HEAD, and {dir} did not")).help(format!(
                    "write the migration: `{}`",
                    generate_command(&side, &args, &crate::plan::Plan::default())
                )));
            }
        }
    }
    if let Some(base) = &args.base {
        let problems = check::base::against(base, &side, &choice, settings, cwd)?;
        for Problem { message, help } in &problems {
            super::report(&Error::data(message.clone()).help(help.clone()));
        }
        if !problems.is_empty() {
            code = 1;
        }
    }
    Ok(code)
}

/// The `generate` command that writes what is missing, for the side checked.
fn generate_command(side: &Side, args: &CheckArgs, plan: &crate::plan::Plan) -> String {
    let mut cmd = "schemashift generate".to_string();
    // A revision's missing migration is written where the migrations are
    // written: from the directory's state to the working tree.
    if *side == Side::Index {
        cmd.push_str(" --staged");
    }
    if !plan.changes.is_empty() {
        cmd.push_str(&format!(" --name {}", crate::generate::slug_for(&plan.changes)));
    }
    for (flag, value) in [("--dir", &args.directory.dir), ("--framework", &args.directory.framework), ("--dialect", &args.directory.dialect)] {
        if let Some(v) = value {
            cmd.push_str(&format!(" {flag} {}", crate::generate::escape::shell_word(v)));
        }
    }
    if !args.paths.is_empty() {
        cmd.push_str(" --");
        for p in &args.paths {
            cmd.push_str(&format!(" {}", crate::generate::escape::shell_word(p)));
        }
    }
    cmd
}

pub fn renumber(args: RenumberArgs, settings: &Settings, cwd: &Path) -> Result<i32> {
    let choice = detect::configured(settings)?;
    let done = check::renumber::renumber(&args.base, &choice, settings, cwd, settings.now.value)?;
    if done.renamed.is_empty() {
        say(settings, &format!("nothing to renumber: this branch's migrations already sort after {}'s", args.base));
        return Ok(0);
    }
    let mut out = String::new();
    for (from, to) in &done.renamed {
        out.push_str(&format!("{from} -> {to}\n"));
    }
    super::write_stdout(&out)?;
    for f in &done.rewritten {
        say(settings, &format!("rewrote {f}"));
    }
    Ok(0)
}

fn say(settings: &Settings, text: &str) {
    if !settings.quiet {
        super::note(text);
    }
}
