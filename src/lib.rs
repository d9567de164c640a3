//! schemashift: reads database schemas kept in git, understands them into one
//! model, and (in later stages) diffs them into reversible migrations.
//!
//! The pipeline, one module each: [`source`] picks the files of a revision,
//! [`read`] replays their statements onto a [`model::Schema`], [`emit`]
//! prints a model. The command-line front end in `main.rs` only wires these.

pub mod cli;
pub mod config;
pub mod diff;
pub mod emit;
pub mod error;
pub mod generate;
pub mod model;
pub mod plan;
pub mod read;
pub mod source;

pub use error::{Error, ErrorKind, Result, Warning};
