//! `schemashift completions <shell>`: a completion script on standard output.
//!
//! The script is clap_complete's, generated from [`super::Cli`] itself, so a
//! new subcommand or flag is completed as soon as it parses.

use crate::error::{Error, Result};
use clap::{Args, CommandFactory};
use clap_complete::Shell;

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to write the script for.
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(args: CompletionsArgs) -> Result<i32> {
    let mut command = super::Cli::command();
    let name = command.get_name().to_string();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, name, &mut script);
    let script = String::from_utf8(script)
        .map_err(|_| Error::internal(format!("the {} completion script is not UTF-8", args.shell)))?;
    super::write_stdout(&script)?;
    Ok(0)
}
