//! schemashift's canonical JSON: `{"format": "schemashift/1", "schema": {…}}`
//! where the schema is the model's own serde form.

use super::positions::Positions;
use super::{CANONICAL_FORMAT, json_error};
use crate::model::{Location, Schema};
use crate::{Error, Result};
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    // Checked on the parsed Value before this is deserialized.
    #[serde(rename = "format")]
    _format: serde::de::IgnoredAny,
    schema: Schema,
}

pub(super) fn read(path: &str, text: &str, root: Value) -> Result<Schema> {
    let format = root.get("format").and_then(Value::as_str).unwrap_or_default();
    if format != CANONICAL_FORMAT {
        return Err(Error::data(format!("unsupported format {format:?}"))
            .at(location(path, &Positions::scan(text), &["format"]))
            .help(format!("this schemashift reads \"{CANONICAL_FORMAT}\"; a newer file needs a newer schemashift")));
    }
    // Deserializing straight from the text gives errors with line:column.
    let mut schema = serde_json::from_str::<Document>(text).map(|d| d.schema).map_err(|e| json_error(path, &e, "invalid schema"))?;
    check_inheritance(path, text, &schema)?;
    locate_on_update_columns(path, text, &mut schema);
    Ok(schema)
}

/// A column with an ON UPDATE is turned into a trigger after this (see
/// `on_update`), with a warning, or an error for a bad expression, at the
/// column. schemashift never writes `on_update` for PostgreSQL, so such a
/// column was written by hand, often without a location: it gets its place
/// in this file.
fn locate_on_update_columns(path: &str, text: &str, schema: &mut Schema) {
    let mut positions = None;
    for (name, table) in schema.tables.iter_mut() {
        for (i, column) in table.columns.iter_mut().enumerate() {
            if column.on_update.is_some() && column.location.is_unknown() {
                let positions = positions.get_or_insert_with(|| Positions::scan(text));
                let key = name.to_string();
                column.location = location(path, positions, &["schema", "tables", &key, "columns", &i.to_string()]);
            }
        }
    }
}

/// Every parent a table inherits from exists, and none inherits from itself
/// (PostgreSQL refuses both, and the planner walks the parents).
fn check_inheritance(path: &str, text: &str, schema: &Schema) -> Result<()> {
    for (name, table) in &schema.tables {
        let bad = if let Some(missing) = table.inherits.iter().find(|p| !schema.tables.contains_key(*p)) {
            format!("table {name} inherits from {missing}, which is not in the schema")
        } else if table.inherits.iter().any(|p| p == name || schema.ancestors(p).contains(name)) {
            format!("table {name} inherits from itself (circular inheritance)")
        } else {
            continue;
        };
        let key = name.to_string();
        return Err(Error::data(bad).at(location(path, &Positions::scan(text), &["schema", "tables", &key, "inherits"])));
    }
    Ok(())
}

fn location(path: &str, positions: &Positions, keys: &[&str]) -> Location {
    let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
    let (line, column) = positions.get(&keys);
    Location::new(path, line, column)
}
