//! `schemashift inspect [<rev>] [--format json|sql] [-- paths]`.

use crate::error::{Error, Result};
use crate::settings::{Flags, Settings};
use crate::source;
use clap::{Args, ValueEnum};
use std::path::Path;

#[derive(Args, Debug)]
pub struct InspectArgs {
    /// The revision to read (branch, tag, sha, `HEAD~2`, …); default: the working tree.
    /// With --no-index, a file or directory on disk.
    pub rev: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
    /// SQL dialect of the schema files [default: from schemashift.toml, else postgres]
    #[arg(long)]
    pub dialect: Option<String>,
    /// Read the given path from disk without git.
    #[arg(long)]
    pub no_index: bool,
    /// Read the schema that the up migrations in this directory build,
    /// instead of the schema files.
    #[arg(long, value_name = "DIR")]
    pub migrations: Option<String>,
    /// The migration framework of --migrations [default: detected].
    /// Not `framework` from schemashift.toml: that describes the project's
    /// own directory, and --migrations may name any other.
    #[arg(long, requires = "migrations")]
    pub framework: Option<String>,
    /// Pathspecs choosing the schema files (globs), after `--`.
    #[arg(last = true)]
    pub paths: Vec<String>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// schemashift's canonical JSON of the model.
    Json,
    /// A normalized SQL schema, one statement per object.
    Sql,
}

impl InspectArgs {
    /// What these flags contribute to the run's [`Settings`].
    pub fn flags(&self) -> Flags {
        Flags { dialect: self.dialect.clone(), ..Flags::default() }
    }
}

pub fn run(args: InspectArgs, settings: &Settings, cwd: &Path) -> Result<i32> {
    if let Some(dir) = &args.migrations {
        if args.rev.is_some() || args.no_index || !args.paths.is_empty() {
            return Err(Error::usage("--migrations reads a directory on disk; it takes no revision, --no-index or paths"));
        }
        // Before detection, which would blame the framework it cannot tell
        // in a directory that is not there.
        require_dir(dir, cwd)?;
        let framework = args.framework.as_deref().map(crate::generate::formats::by_name).transpose()?;
        let choice = crate::generate::detect::choose(&settings.root, Some(&cwd.join(dir)), framework)?;
        let schema =
            crate::generate::read_back::read_migrations(&choice.dir, Path::new(dir), choice.format, settings.dialect.value)?;
        return print(&schema, args.format);
    }
    let files = if args.no_index {
        let path = args.rev.as_deref().ok_or_else(|| Error::usage("--no-index needs a file or directory to read"))?;
        source::read_no_index(path, cwd)?
    } else {
        source::resolve_one(args.rev.as_deref(), &args.paths, settings, cwd)?
    };
    let (schema, warnings) = crate::read::read_files(&files, settings.dialect.value)?;
    super::print_warnings(settings, &warnings);
    print(&schema, args.format)
}

/// `--migrations <dir>` (relative to `cwd`) must be an existing directory:
/// missing input (66) otherwise, naming it.
fn require_dir(dir: &str, cwd: &Path) -> Result<()> {
    let help = "--migrations takes the directory of the migration files, relative to the current directory";
    match std::fs::metadata(cwd.join(dir)) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(Error::no_input(format!("--migrations {dir}: not a directory")).help(help)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(Error::no_input(format!("--migrations {dir}: no such directory")).help(help))
        }
        Err(e) => Err(Error::io(format!("cannot read {dir}: {e}"))),
    }
}

fn print(schema: &crate::model::Schema, format: Format) -> Result<i32> {
    match format {
        Format::Json => super::stream_stdout(|out| crate::emit::json::write_canonical_json(schema, out))?,
        Format::Sql => super::write_stdout(&crate::dialect::render_schema(schema)?)?,
    }
    Ok(0)
}
