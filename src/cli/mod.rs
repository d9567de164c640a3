//! Command-line front end: argument parsing and wiring, no logic.

mod compare;
mod diff;
mod generate;
mod github;
mod inspect;
mod lint;
mod plan;
mod rules;
mod runbook;

use crate::error::{Error, Result};
use crate::settings::{Flags, Settings};
use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "schemashift",
    version,
    about = "Reads database schemas from git and turns schema changes into reversible migrations",
    disable_help_subcommand = true
)]
pub struct Cli {
    /// Print no warnings on standard error (they stay in `--format json`).
    #[arg(long, short, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Print the migration between two schemas (like `git diff`, for databases).
    Diff(diff::DiffArgs),
    /// Write the migration between two schemas into the project's migrations directory.
    Generate(generate::GenerateArgs),
    /// What the GitHub Action runs: post the pull request comment, set step outputs.
    Github(github::GithubArgs),
    /// Print the model of one revision's schema (default: the working tree).
    Inspect(inspect::InspectArgs),
    /// Judge the change between two schemas: what breaks, what locks, what is lost.
    Lint(lint::LintArgs),
    /// Print the phased plan of a migration specification (`--spec`), with
    /// the real migration between two schema revisions when they are named.
    Plan(plan::PlanArgs),
    /// List the lint rules, or print their reference (`--format markdown`).
    Rules(rules::RulesArgs),
    /// Print the rollback runbook of the change between two schemas.
    Runbook(runbook::RunbookArgs),
}

/// Runs the command line and returns the process exit code.
pub fn run(args: impl IntoIterator<Item = std::ffi::OsString>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are not errors; every other clap error is a usage error (64).
            let code = if e.use_stderr() { 64 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let cwd = match std::env::current_dir() {
        Ok(d) => d,
        Err(e) => return report(&Error::io(format!("cannot read the current directory: {e}"))),
    };
    // Talks to GitHub with what the environment says; schemashift.toml,
    // whatever it holds, has no say in it.
    if let Command::Github(args) = cli.command {
        return github::run(args, &cwd).unwrap_or_else(|e| report(&e));
    }
    let flags = match &cli.command {
        Command::Diff(args) => args.sources.flags(),
        Command::Generate(args) => args.flags(),
        Command::Github(_) => Flags::default(),
        Command::Inspect(args) => args.flags(),
        Command::Lint(args) => args.sources.flags(),
        Command::Plan(args) => args.sources.flags(),
        Command::Rules(_) => Flags::default(),
        Command::Runbook(args) => args.sources.flags(),
    };
    // The one place settings are resolved (and schemashift.toml read) for
    // the whole run; the commands and the modules below get `&Settings`.
    let settings = match Settings::load(Flags { quiet: cli.quiet, ..flags }, &cwd) {
        Ok(s) => s,
        Err(e) => return report(&e),
    };
    if !settings.quiet {
        for note in &settings.deprecations {
            eprintln!("{note}");
        }
    }
    let result: Result<i32> = match cli.command {
        Command::Diff(args) => diff::run(args, &settings, &cwd),
        Command::Generate(args) => generate::run(args, &settings, &cwd),
        Command::Github(args) => github::run(args, &cwd),
        Command::Inspect(args) => inspect::run(args, &settings, &cwd),
        Command::Lint(args) => lint::run(args, &settings, &cwd),
        Command::Plan(args) => plan::run(args, &settings, &cwd),
        Command::Rules(args) => rules::run(args),
        Command::Runbook(args) => runbook::run(args, &settings, &cwd),
    };
    match result {
        Ok(code) => code,
        Err(e) => report(&e),
    }
}

fn report(e: &Error) -> i32 {
    eprintln!("schemashift: {e}");
    e.exit_code()
}

/// Prints warnings to standard error, where they do not mix with the output.
pub fn print_warnings(settings: &Settings, warnings: &[crate::Warning]) {
    if settings.quiet {
        return;
    }
    for w in warnings {
        eprintln!("{w}");
    }
}

/// Writes to standard output through a buffer, as `write` produces it; a
/// closed pipe (`| head`) is not an error.
pub fn stream_stdout(write: impl FnOnce(&mut std::io::BufWriter<std::io::StdoutLock<'static>>) -> std::io::Result<()>) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::io(format!("cannot write to standard output: {e}"))),
    }
}

/// Writes to standard output; a closed pipe (`| head`) is not an error.
pub fn write_stdout(text: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::io(format!("cannot write to standard output: {e}"))),
    }
}
