//! schemashift's canonical JSON of a model: the model's own serde form under
//! `"schema"`, after a `"format"` marker that readers check before anything
//! else (`crate::read::json::read_json` reads it back into an equal model).
//!
//! Deterministic by construction: every collection in the model is a
//! `BTreeMap` or an ordered `Vec`, and struct fields serialize in declaration
//! order. Locations are kept: they point at where each object was defined.

use crate::model::Schema;
use crate::read::json::CANONICAL_FORMAT;
use serde::Serialize;

#[derive(Serialize)]
struct Document<'a> {
    format: &'static str,
    schema: &'a Schema,
}

/// [`to_canonical_json`] written to `out` as it is made: the text of a
/// large schema is several times the size of its SQL, and need not be held.
pub fn write_canonical_json(schema: &Schema, out: &mut impl std::io::Write) -> std::io::Result<()> {
    let document = Document { format: CANONICAL_FORMAT, schema };
    serde_json::to_writer_pretty(&mut *out, &document).map_err(std::io::Error::other)?;
    out.write_all(b"\n")
}

/// Pretty-printed canonical JSON, ending with a newline.
pub fn to_canonical_json(schema: &Schema) -> String {
    let document = Document { format: CANONICAL_FORMAT, schema };
    // The model holds only strings, numbers, booleans and string-keyed maps,
    // so serialization to a String cannot fail.
    let mut out = serde_json::to_string_pretty(&document).expect("the model serializes to JSON");
    out.push('\n');
    out
}
