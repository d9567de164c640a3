//! `schemashift plan --spec <file> [--format text|markdown|json] [<sources>]`:
//! the phased plan of a migration specification, with the real migration
//! between two schema revisions embedded when the command line (or the
//! specification's `revisions`) names them.

use super::compare::Sources;
use crate::error::{Error, Result};
use crate::model::Location;
use crate::settings::Settings;
use crate::spec::render::Format;
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct PlanArgs {
    /// The migration specification, a JSON file (its format is described
    /// under `schemashift plan` in README.md).
    #[arg(long, value_name = "FILE")]
    pub spec: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// The schema revisions whose migration the plan embeds, as for `diff`
    /// (they win over the specification's `revisions`).
    #[command(flatten)]
    pub sources: Sources,
}

pub fn run(args: PlanArgs, settings: &Settings, cwd: &Path) -> Result<i32> {
    let label = args.spec.display().to_string();
    let bytes = std::fs::read(cwd.join(&args.spec)).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::no_input(format!("the specification {label} does not exist")),
        _ => Error::io(format!("cannot read the specification {label}: {e}")),
    })?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::data("the specification is not UTF-8 text").at(Location::new(&label, 1, 1)))?;
    let spec = crate::spec::read(&label, &text)?;

    let named_here = !args.sources.revs.is_empty() || args.sources.staged || args.sources.no_index || !args.sources.paths.is_empty();
    let sources = if named_here {
        if spec.revisions.is_some() && !settings.quiet {
            super::note(&format!("{label}: the revisions on the command line are used, not the specification's"));
        }
        Some(args.sources)
    } else {
        spec.revisions.as_ref().map(|r| from_spec(r, &args.spec, args.sources))
    };
    let schema = match sources {
        Some(sources) => {
            let compared = sources.compare(settings, cwd)?;
            let embedded = crate::spec::embed::embed(
                &compared.old_files.label,
                &compared.new_files.label,
                &compared.plan,
                &compared.lint,
                compared.new.dialect,
                settings.server_version,
            );
            compared.drop_aside();
            Some(embedded)
        }
        None => None,
    };
    let plan = crate::spec::plan::build(&spec, schema.as_ref(), settings.dialect.value);
    super::write_stdout(&crate::spec::render::render(&plan, args.format))?;
    Ok(0)
}

/// The sources a specification's `revisions` name; the flags that are not
/// sources (`--online`, `--dialect`, `--allow-empty`) still apply. Paths
/// compared without git are relative to the specification's directory.
fn from_spec(r: &crate::spec::Revisions, spec_path: &Path, flags: Sources) -> Sources {
    let dir = spec_path.parent().unwrap_or(Path::new(""));
    let (revs, paths) = if r.no_index {
        let side = |p: &str| dir.join(p).display().to_string();
        (vec![side(&r.from), side(r.to.as_deref().unwrap_or_default())], Vec::new())
    } else {
        (std::iter::once(r.from.clone()).chain(r.to.clone()).collect(), r.paths.clone())
    };
    Sources { revs, staged: false, no_index: r.no_index, paths, ..flags }
}
