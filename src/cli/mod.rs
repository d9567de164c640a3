//! Command-line front end: argument parsing and wiring, no logic.

mod check;
mod compare;
mod completions;
mod diff;
mod generate;
mod github;
mod hook;
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
    about = "Reads database schemas from git and turns schema changes into reversible migrations"
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
    /// Check that the migrations, replayed, give the schema (exit 1 when
    /// they do not, with the `generate` command that fixes it); with
    /// --base, that this branch's migrations follow the base's.
    Check(check::CheckArgs),
    /// Print the migration between two schemas (like `git diff`, for databases).
    Diff(diff::DiffArgs),
    /// Write the migration between two schemas into the project's migrations directory.
    Generate(generate::GenerateArgs),
    /// What the GitHub Action runs: post the pull request comment, set step outputs.
    Github(github::GithubArgs),
    /// Install or remove a plain git pre-commit hook running schemashift.
    Hook(hook::HookArgs),
    /// Print the model of one revision's schema (default: the working tree).
    Inspect(inspect::InspectArgs),
    /// Judge the change between two schemas: what breaks, what locks, what is lost.
    Lint(lint::LintArgs),
    /// Print the phased plan of a migration specification (`--spec`), with
    /// the real migration between two schema revisions when they are named.
    Plan(plan::PlanArgs),
    /// List the lint rules, or print their reference (`--format markdown`).
    Rules(rules::RulesArgs),
    /// Rename this branch's new migrations to follow the base's newest
    /// (updating atlas.sum, Alembic's down_revision, Django's dependencies).
    Renumber(check::RenumberArgs),
    /// Print the rollback runbook of the change between two schemas.
    Runbook(runbook::RunbookArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    ///
    /// Load it in the shell's own way, e.g. for bash
    /// `schemashift completions bash > ~/.local/share/bash-completion/completions/schemashift`,
    /// for zsh a file `_schemashift` in a directory of `$fpath`, for fish
    /// `~/.config/fish/completions/schemashift.fish`.
    Completions(completions::CompletionsArgs),
}

/// Runs the command line and returns the process exit code.
pub fn run(args: impl IntoIterator<Item = std::ffi::OsString>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are not errors; every other clap error is a usage error (64).
            if !e.use_stderr() {
                let _ = e.print();
                return 0;
            }
            eprint!("{}", clap_error(&e));
            return 64;
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
        Command::Check(args) => args.flags(),
        Command::Diff(args) => args.sources.flags(),
        Command::Generate(args) => args.flags(),
        Command::Github(_) => Flags::default(),
        Command::Hook(_) => Flags::default(),
        Command::Inspect(args) => args.flags(),
        Command::Lint(args) => args.sources.flags(),
        Command::Plan(args) => args.sources.flags(),
        Command::Rules(_) => Flags::default(),
        Command::Renumber(args) => args.flags(),
        Command::Runbook(args) => args.sources.flags(),
        Command::Completions(_) => Flags::default(),
    };
    // The one place settings are resolved (and schemashift.toml read) for
    // the whole run; the commands and the modules below get `&Settings`.
    let settings = match Settings::load(Flags { quiet: cli.quiet, ..flags }, &cwd) {
        Ok(s) => s,
        Err(e) => return report(&e),
    };
    for deprecation in &settings.deprecations {
        warn(&settings, deprecation);
    }
    let result: Result<i32> = match cli.command {
        Command::Check(args) => check::run(args, &settings, &cwd),
        Command::Diff(args) => diff::run(args, &settings, &cwd),
        Command::Generate(args) => generate::run(args, &settings, &cwd),
        Command::Github(args) => github::run(args, &cwd),
        Command::Hook(args) => hook::run(args, settings.quiet, &cwd),
        Command::Inspect(args) => inspect::run(args, &settings, &cwd),
        Command::Lint(args) => lint::run(args, &settings, &cwd),
        Command::Plan(args) => plan::run(args, &settings, &cwd),
        Command::Rules(args) => rules::run(args),
        Command::Renumber(args) => check::renumber(args, &settings, &cwd),
        Command::Runbook(args) => runbook::run(args, &settings, &cwd),
        Command::Completions(args) => completions::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => report(&e),
    }
}

/// Every line schemashift starts on standard error begins with this, then
/// `error: `, `warning: ` or `note: ` (ARCHITECTURE.md, "Messages on
/// standard error"); only an error's `  help: ` line, the lines of a
/// multi-line message and SQL printed to run by hand follow unprefixed.
pub const PREFIX: &str = "schemashift: ";

fn report(e: &Error) -> i32 {
    eprintln!("{PREFIX}{e}");
    e.exit_code()
}

/// clap's message for a bad command line, its `error: ` given the prefix
/// our own errors have; the tip and usage lines after it stay as clap
/// writes them.
fn clap_error(e: &clap::Error) -> String {
    let text = e.render().to_string();
    if text.starts_with("error: ") { format!("{PREFIX}{text}") } else { text }
}

/// `schemashift: warning: …` on standard error, unless `--quiet`.
pub fn warn(settings: &Settings, message: &str) {
    if !settings.quiet {
        eprintln!("{PREFIX}warning: {message}");
    }
}

/// `schemashift: note: …` on standard error: what a command did or
/// decided, for the person at the terminal.
pub fn note(message: &str) {
    eprintln!("{PREFIX}note: {message}");
}

/// Prints warnings to standard error, where they do not mix with the output.
pub fn print_warnings(settings: &Settings, warnings: &[crate::Warning]) {
    if settings.quiet {
        return;
    }
    for w in warnings {
        eprintln!("{PREFIX}{w}");
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
