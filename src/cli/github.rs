//! `schemashift github comment --body-file <file>`: the pull request's one
//! schemashift comment, posted or edited in place.
//! `schemashift github outputs --report <lint.json>`: a lint report's level
//! and counts as step outputs.
//!
//! What the GitHub Action runs besides `lint`; both read the variables
//! GitHub Actions sets, and neither reads schemashift.toml.

use crate::error::{Error, Result};
use crate::github::client::{Client, Retry};
use crate::github::comment::{self, Done};
use crate::github::context::{self, Overrides};
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct GithubArgs {
    #[command(subcommand)]
    pub command: GithubCommand,
}

#[derive(Subcommand, Debug)]
pub enum GithubCommand {
    /// Post a body (`lint --format pr-comment`) as the pull request's one
    /// schemashift comment, or edit that comment in place on later runs.
    /// Reads GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_EVENT_PATH and
    /// GITHUB_API_URL (default https://api.github.com).
    Comment(CommentArgs),
    /// Append a lint report's level and counts (`lint --format json`) to
    /// the step outputs file, $GITHUB_OUTPUT.
    Outputs(OutputsArgs),
}

#[derive(Args, Debug)]
pub struct CommentArgs {
    /// The comment's Markdown; `-` for standard input.
    #[arg(long, value_name = "FILE")]
    pub body_file: PathBuf,
    /// The pull request's number [default: from the event payload, $GITHUB_EVENT_PATH].
    #[arg(long, value_name = "NUMBER")]
    pub pr: Option<u64>,
    /// The repository, owner/name [default: $GITHUB_REPOSITORY].
    #[arg(long, value_name = "OWNER/NAME")]
    pub repo: Option<String>,
}

#[derive(Args, Debug)]
pub struct OutputsArgs {
    /// The report, as `schemashift lint --format json` prints it.
    #[arg(long, value_name = "FILE")]
    pub report: PathBuf,
    /// The file to append to [default: $GITHUB_OUTPUT].
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(args: GithubArgs, cwd: &Path) -> Result<i32> {
    match args.command {
        GithubCommand::Comment(a) => post(a, cwd),
        GithubCommand::Outputs(a) => outputs(a, cwd),
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

fn post(args: CommentArgs, cwd: &Path) -> Result<i32> {
    let body = read_body(&args.body_file, cwd)?;
    let (target, token) = context::resolve(&env, &Overrides { repo: args.repo, number: args.pr })?;
    let client = Client::new(token.clone(), Retry::from_env(&env)?, Box::new(super::note));
    let (body, trimmed) = comment::prepare(&body);
    if let Some(left) = trimmed {
        eprintln!(
            "{}warning: the body is over GitHub's limit of {} characters per comment: {left} characters left out, and the comment says so",
            super::PREFIX,
            crate::emit::pr_comment::MAX_CHARS
        );
    }
    // Whatever went wrong, the message is shown without the token in it.
    let posted = comment::upsert(&client, &target, &body).map_err(|e| {
        let help = e.help.as_deref().map(|h| token.redact(h));
        let mut redacted = Error::new(e.kind, token.redact(&e.message));
        redacted.help = help;
        redacted
    })?;
    let what = match posted.done {
        Done::Created => "created",
        Done::Updated => "updated",
        Done::Unchanged => "unchanged",
    };
    let place = format!("{}/{}#{}", target.owner, target.repo, target.number);
    let url = if posted.url.is_empty() { String::new() } else { format!(": {}", posted.url) };
    super::write_stdout(&token.redact(&format!("{what} comment {} on {place}{url}\n", posted.id)))?;
    Ok(0)
}

fn read_body(path: &Path, cwd: &Path) -> Result<String> {
    let bytes = if path == Path::new("-") {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf).map_err(|e| Error::io(format!("cannot read the body from standard input: {e}")))?;
        buf
    } else {
        std::fs::read(cwd.join(path)).map_err(|e| {
            let error = format!("cannot read --body-file {}: {e}", path.display());
            if e.kind() == std::io::ErrorKind::NotFound { Error::no_input(error) } else { Error::io(error) }
        })?
    };
    String::from_utf8(bytes).map_err(|_| Error::data(format!("--body-file {} is not UTF-8 text", path.display())))
}

fn outputs(args: OutputsArgs, cwd: &Path) -> Result<i32> {
    let json = std::fs::read_to_string(cwd.join(&args.report))
        .map_err(|e| Error::no_input(format!("cannot read --report {}: {e}", args.report.display())))?;
    let lines = crate::github::outputs::from_report(&json, &args.report.display().to_string())?;
    let file = match args.output.map(|p| cwd.join(p)).or_else(|| env("GITHUB_OUTPUT").filter(|v| !v.is_empty()).map(PathBuf::from)) {
        Some(f) => f,
        None => return Err(Error::no_input("GITHUB_OUTPUT is not set: where do the outputs go?").help("pass --output <file>")),
    };
    use std::io::Write;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&file)
        .and_then(|mut f| f.write_all(lines.as_bytes()))
        .map_err(|e| Error::io(format!("cannot append to {}: {e}", file.display())))?;
    Ok(0)
}
