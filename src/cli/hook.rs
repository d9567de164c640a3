//! `schemashift hook install|uninstall`.

use crate::error::{Error, Result};
use crate::hook::{self, Run};
use clap::{Args, Subcommand};
use std::path::Path;

#[derive(Args, Debug)]
pub struct HookArgs {
    #[command(subcommand)]
    pub action: HookAction,
}

#[derive(Subcommand, Debug)]
pub enum HookAction {
    /// Write `.git/hooks/pre-commit` (or into core.hooksPath) running
    /// schemashift on what is staged; never replaces a hook it did not write.
    Install {
        /// What the hook runs, in order [default: check].
        #[arg(long, value_enum, value_delimiter = ',')]
        run: Vec<Run>,
    },
    /// Remove the pre-commit hook `hook install` wrote (and no other).
    Uninstall,
}

pub fn run(args: HookArgs, quiet: bool, cwd: &Path) -> Result<i32> {
    let hooks = crate::source::hooks_dir(cwd)?;
    match args.action {
        HookAction::Install { run } => {
            let runs = if run.is_empty() { vec![Run::Check] } else { run };
            let binary = std::env::current_exe().map_err(|e| Error::io(format!("cannot tell where schemashift is: {e}")))?;
            let path = hook::install(&hooks, &binary, &runs)?;
            if !quiet {
                super::note(&format!("installed {}", path.display()));
            }
        }
        HookAction::Uninstall => match hook::uninstall(&hooks)? {
            Some(path) if !quiet => super::note(&format!("removed {}", path.display())),
            Some(_) => {}
            None if !quiet => super::note(&format!("no pre-commit hook to remove in {}", hooks.display())),
            None => {}
        },
    }
    Ok(0)
}
