//! `schemashift rules [--format text|markdown|json]`: the lint rules.

use crate::error::Result;
use crate::lint;
use clap::{Args, ValueEnum};

#[derive(Args, Debug)]
pub struct RulesArgs {
    /// Output format: a table, the reference (`docs/rules.md`), or JSON.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    Json,
}

#[derive(serde::Serialize)]
struct JsonRule {
    code: &'static str,
    name: &'static str,
    class: lint::Class,
    opt_in: bool,
    summary: &'static str,
    why: &'static str,
    locks: &'static str,
    instead: &'static str,
}

pub fn run(args: RulesArgs) -> Result<i32> {
    let out = match args.format {
        Format::Markdown => lint::docs::markdown(),
        Format::Text => lint::rules::all()
            .map(|r| {
                let default = if r.opt_in { "opt-in" } else { "on" };
                format!("{}  {:<34} {:<21} {:<7} {}\n", r.code, r.name, r.class.name(), default, r.summary)
            })
            .collect(),
        Format::Json => {
            let rules: Vec<JsonRule> = lint::rules::all()
                .map(|r| JsonRule {
                    code: r.code,
                    name: r.name,
                    class: r.class,
                    opt_in: r.opt_in,
                    summary: r.summary,
                    why: r.why,
                    locks: r.locks,
                    instead: r.instead,
                })
                .collect();
            serde_json::to_string_pretty(&rules).expect("plain data serializes") + "\n"
        }
    };
    super::write_stdout(&out)?;
    Ok(0)
}
