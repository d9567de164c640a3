//! Readers: a side of a comparison (SQL files, or one JSON snapshot) into a
//! model. SQL is read by the dialect's reader (see [`crate::dialect`]).

pub mod json;

use crate::error::{Error, Result, Warning};
use crate::model::{Dialect, Schema};
use crate::source::{FileSet, SourceFile};

/// One side read: its model and the warnings met on the way.
pub type Read = (Schema, Vec<Warning>);

/// Reads one side of a comparison: SQL files, or a single JSON snapshot.
pub fn read_files(files: &FileSet, dialect: Dialect) -> Result<(Schema, Vec<Warning>)> {
    let json: Vec<&SourceFile> = files.files.iter().filter(|f| f.path.ends_with(".json")).collect();
    match (json.as_slice(), files.files.len()) {
        ([], _) => read_schema(&files.files, dialect),
        ([one], 1) => json::read_json_with_warnings(&one.path, decode(one)?),
        _ => Err(Error::usage(format!(
            "the schema of {} mixes {} JSON snapshot(s) with other files",
            files.label,
            json.len()
        ))
        .help("a schema is either SQL files or one JSON snapshot; choose files with `-- <path>`")),
    }
}

/// Reads the SQL files of one schema into a model, in the dialect's reader.
pub fn read_schema(files: &[SourceFile], dialect: Dialect) -> Result<(Schema, Vec<Warning>)> {
    crate::dialect::read_sql(files, dialect)
}

/// The text of a file, or a clear error for binary and non-UTF-8 content.
pub fn decode(file: &SourceFile) -> Result<&str> {
    if file.bytes.contains(&0) {
        return Err(Error::data(format!("{} is a binary file, not SQL text", file.path))
            .at(crate::model::Location::new(&file.path, 1, 1))
            .help("exclude it from the schema files with a pathspec or the `schema` list in schemashift.toml"));
    }
    // A byte order mark is not part of the SQL.
    let bytes = file.bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&file.bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let valid = &bytes[..e.valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
        let column = String::from_utf8_lossy(&valid[valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)..]).chars().count() as u32 + 1;
        Error::data(format!("{} is not valid UTF-8", file.path))
            .at(crate::model::Location::new(&file.path, line, column))
            .help("convert the file to UTF-8 (e.g. `iconv -f latin1 -t utf-8`)")
    })
}

/// Reads the old and the new side together: the dialect's reader shares the
/// work of the files both sides hold. The old side's error wins when both
/// fail, as when they are read in turn.
pub fn read_pair(old: &FileSet, new: &FileSet, dialect: Dialect) -> Result<(Read, Read)> {
    let sql_only = |f: &FileSet| !f.files.iter().any(|f| f.path.ends_with(".json"));
    if sql_only(old) && sql_only(new) && let Some(pair) = crate::dialect::read_sql_pair(old, new, dialect) {
        return pair;
    }
    Ok((read_files(old, dialect)?, read_files(new, dialect)?))
}
