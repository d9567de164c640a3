//! schemashift's canonical JSON: `{"format": "schemashift/1", "schema": {…}}`
//! where the schema is the model's own serde form.

use super::positions::Positions;
use super::{CANONICAL_FORMAT, json_error};
use crate::model::{Constraint, ConstraintKind, Location, QName, Schema, UserType, UserTypeKind};
use crate::{Error, Result};
use serde::Deserialize;
use serde_json::{Map, Value};

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
    match serde_json::from_str::<Document>(text) {
        Ok(document) => Ok(document.schema),
        Err(direct) => read_flattened(path, text, root)
            .map_err(|e| e.unwrap_or_else(|| json_error(path, &direct, "invalid schema"))),
    }
}

fn location(path: &str, positions: &Positions, keys: &[&str]) -> Location {
    let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
    let (line, column) = positions.get(&keys);
    Location::new(path, line, column)
}

// WORKAROUND: `Constraint` and `UserType` combine `#[serde(flatten)]` with
// `#[serde(deny_unknown_fields)]`, which serde does not support: it rejects
// the flattened `kind` on the way back in, so the model cannot read what it
// writes. Until the model drops `deny_unknown_fields` on those two structs,
// they are taken out of the document and put together here; everything else
// still goes through the model's own Deserialize. Once the model is fixed the
// direct path above succeeds and this code is no longer reached.

/// `Err(None)` means "nothing better to report than the direct error".
fn read_flattened(path: &str, text: &str, mut root: Value) -> Result<Schema, Option<Error>> {
    let positions = Positions::scan(text);
    let Some(schema) = root.get_mut("schema").and_then(Value::as_object_mut) else { return Err(None) };
    let mut constraints: Vec<(String, Map<String, Value>)> = Vec::new();
    if let Some(tables) = schema.get_mut("tables").and_then(Value::as_object_mut) {
        for (key, table) in tables.iter_mut() {
            if let Some(Value::Object(c)) = table.as_object_mut().and_then(|t| t.remove("constraints")) {
                constraints.push((key.clone(), c));
            }
        }
    }
    let types = match schema.remove("types") {
        Some(Value::Object(t)) => t,
        _ => Map::new(),
    };
    let mut model: Schema = serde_json::from_value(Value::Object(std::mem::take(schema))).map_err(|_| None)?;

    for (table_key, map) in constraints {
        let table = QName::parse(&table_key).and_then(|q| model.tables.get_mut(&q)).ok_or(None)?;
        for (name, value) in map {
            let at = || location(path, &positions, &["schema", "tables", &table_key, "constraints", &name]);
            let constraint = constraint(value)
                .map_err(|e| Some(Error::data(format!("invalid constraint {name:?}: {e}")).at(at())))?;
            table.constraints.insert(name, constraint);
        }
    }
    for (key, value) in types {
        let at = || location(path, &positions, &["schema", "types", &key]);
        let user_type =
            user_type(value).map_err(|e| Some(Error::data(format!("invalid type {key:?}: {e}")).at(at())))?;
        let name = QName::parse(&key).ok_or_else(|| Some(Error::data(format!("not a type name: {key:?}")).at(at())))?;
        model.types.insert(name, user_type);
    }
    Ok(model)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConstraintHead {
    name: String,
    #[serde(default)]
    deferrable: bool,
    #[serde(default)]
    initially_deferred: bool,
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    location: Location,
}

fn constraint(value: Value) -> Result<Constraint, serde_json::Error> {
    let (head, kind) = split(value, &["name", "deferrable", "initially_deferred", "comment", "location"]);
    let head: ConstraintHead = serde_json::from_value(head)?;
    let kind: ConstraintKind = serde_json::from_value(kind)?;
    Ok(Constraint {
        name: head.name,
        kind,
        deferrable: head.deferrable,
        initially_deferred: head.initially_deferred,
        comment: head.comment,
        location: head.location,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TypeHead {
    name: QName,
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    location: Location,
}

fn user_type(value: Value) -> Result<UserType, serde_json::Error> {
    let (head, kind) = split(value, &["name", "comment", "location"]);
    let head: TypeHead = serde_json::from_value(head)?;
    let kind: UserTypeKind = serde_json::from_value(kind)?;
    Ok(UserType { name: head.name, kind, comment: head.comment, location: head.location })
}

/// Splits an object into the keys in `head` and the rest.
fn split(value: Value, head: &[&str]) -> (Value, Value) {
    let Value::Object(map) = value else { return (value.clone(), value) };
    let (a, b): (Map<String, Value>, Map<String, Value>) =
        map.into_iter().partition(|(k, _)| head.contains(&k.as_str()));
    (Value::Object(a), Value::Object(b))
}
