//! JSON schema files. Two shapes are read:
//!
//! - **snapshots** written by other tools (`tables` → `columns`, `constraints`,
//!   `indexes`; `views`; `procedures`), mapped into the model with the
//!   database's own rules (see [`snapshot`]);
//! - **canonical JSON**, schemashift's own serialization of the model
//!   (`crate::emit::json`), recognised by its `"format": "schemashift/1"` marker.
//!
//! [`read_json`] tells them apart, so a repository can keep either. Read for
//! PostgreSQL, a column's MySQL-style `ON UPDATE` becomes a trigger and its
//! function (see [`crate::dialect::settle_json`]).

mod canonical;


pub(crate) mod positions;
mod snapshot;
mod text;
mod types;

use crate::model::{Location, Schema};
use crate::{Error, Result, Warning};
use serde_json::Value;

/// The marker of schemashift's canonical JSON, and its version.
pub const CANONICAL_FORMAT: &str = "schemashift/1";

/// Which of the two JSON shapes a document has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonFormat {
    /// schemashift's own serialization of the model.
    Canonical,
    /// A snapshot in the `tables`/`views`/`procedures` shape.
    Snapshot,
}

/// Reads a JSON schema file of either shape. Warnings are discarded; use
/// [`read_json_with_warnings`] to show them.
pub fn read_json(path: &str, text: &str) -> Result<Schema> {
    read_json_with_warnings(path, text).map(|(schema, _)| schema)
}

/// Reads a JSON schema file of either shape, with the warnings met on the way
/// (unknown keys, MySQL-only features kept in the model, …).
pub fn read_json_with_warnings(path: &str, text: &str) -> Result<(Schema, Vec<Warning>)> {
    let root = parse(path, text)?;
    match detect(&root) {
        Some(JsonFormat::Canonical) => {
            // schemashift writes no `on_update` for PostgreSQL (it is
            // expanded when read), but a file written otherwise may have it.
            let mut schema = canonical::read(path, text, root)?;
            let mut warnings = Vec::new();
            crate::dialect::settle_json(&mut schema, false, &mut warnings)?;
            Ok((schema, warnings))
        }
        Some(JsonFormat::Snapshot) => {
            let mut warnings = Vec::new();
            let schema = snapshot::read(path, text, &root, &mut warnings)?;
            Ok((schema, warnings))
        }
        None => Err(Error::data("this JSON file is not a schema: it has neither a \"format\" marker nor \"tables\"")
            .at(Location::new(path, 1, 1))
            .help(format!("a snapshot has a \"tables\" object; schemashift's own files start with \"format\": \"{CANONICAL_FORMAT}\""))),
    }
}

/// Reads a JSON snapshot (the `database_schema_*.json` shape). Warnings are
/// discarded; use [`read_snapshot_with_warnings`] to show them.
pub fn read_snapshot(path: &str, text: &str) -> Result<Schema> {
    read_snapshot_with_warnings(path, text).map(|(schema, _)| schema)
}

pub fn read_snapshot_with_warnings(path: &str, text: &str) -> Result<(Schema, Vec<Warning>)> {
    let root = parse(path, text)?;
    let mut warnings = Vec::new();
    let schema = snapshot::read(path, text, &root, &mut warnings)?;
    Ok((schema, warnings))
}

/// Which shape a parsed document has, if any: the canonical marker wins,
/// otherwise any of the snapshot's top-level collections.
pub fn detect(root: &Value) -> Option<JsonFormat> {
    let object = root.as_object()?;
    if object.contains_key("format") {
        Some(JsonFormat::Canonical)
    } else if ["tables", "views", "procedures", "functions"].iter().any(|k| object.contains_key(*k)) {
        Some(JsonFormat::Snapshot)
    } else {
        None
    }
}

/// Parses JSON, turning a syntax error into a data error at file:line:column.
fn parse(path: &str, text: &str) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| json_error(path, &e, "invalid JSON"))
}

/// serde_json's message without its trailing " at line L column C", which
/// the location already says.
pub(crate) fn json_error(path: &str, e: &serde_json::Error, what: &str) -> Error {
    let message = e.to_string();
    let message = message.rfind(" at line ").map_or(message.as_str(), |at| &message[..at]);
    let location = Location::new(path, e.line().max(1) as u32, e.column().max(1) as u32);
    Error::data(format!("{what}: {message}")).at(location)
}
