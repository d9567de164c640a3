//! schemashift: reads database schemas kept in git, understands them into one
//! model, and diffs them into reversible migrations.
//!
//! The pipeline, one module each: [`source`] picks the files of a revision,
//! [`read`] replays their statements onto a [`model::Schema`], [`diff`]
//! compares two models, [`plan`] orders and lowers the changes into verified
//! up/down SQL, [`generate`] writes it as a framework's migration files, and
//! [`emit`] prints a model; [`spec`] turns a migration specification into
//! a phased plan; [`github`] posts the pull request comment the GitHub
//! Action writes. The command-line front end ([`cli`]) only wires
//! these, with one [`settings::Settings`] per run: the flags, the environment
//! and `schemashift.toml` ([`config`]) merged once.

pub mod check;
pub mod cli;
pub mod config;
pub mod dialect;
pub mod diff;
pub mod emit;
pub mod error;
pub mod generate;
pub mod github;
pub mod hook;
pub mod lex;
pub mod lint;
pub mod model;
pub mod plan;
pub mod read;
pub mod runbook;
pub mod settings;
pub mod source;
pub mod spec;
pub mod throughput;

pub use error::{Error, ErrorKind, Result, Warning};
