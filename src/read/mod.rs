//! Readers: replay statements onto a model.
//!
//! Reading a schema is replaying its files onto an empty model. Files are
//! applied in path order; a statement that refers to a table another file
//! creates later is retried once every file has been read, so a schema may
//! be split over many files in any order.

pub mod json;
mod pair;
pub mod postgres;
pub mod split;

pub use pair::read_pair;

use crate::error::{Error, Result, Warning};
use crate::model::{Dialect, Schema};
use crate::source::{FileSet, SourceFile};
use postgres::{Applied, PgReader};

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

/// Reads the SQL files of one schema into a model.
pub fn read_schema(files: &[SourceFile], dialect: Dialect) -> Result<(Schema, Vec<Warning>)> {
    match dialect {
        Dialect::Postgres => {}
        other => {
            return Err(Error::usage(format!("the {} dialect is not yet supported", other.name()))
                .help("only --dialect postgres is supported in this version"));
        }
    }
    let mut files: Vec<&SourceFile> = files.iter().collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let mut reader = PgReader::new();
    let mut deferred = Vec::new();
    for file in &files {
        for st in statements_of(file)? {
            if let Applied::MissingTable(t) = reader.apply(&file.path, &st)? {
                deferred.push((file.path.as_str(), st, t));
            }
        }
    }
    apply_deferred(&mut reader, deferred)?;
    let PgReader { mut schema, warnings, .. } = reader;
    postgres::finish(&mut schema);
    postgres::validate::validate(&schema)?;
    Ok((schema, warnings))
}

/// The statements of one file.
fn statements_of(file: &SourceFile) -> Result<Vec<split::RawStatement<'_>>> {
    let text = decode(file)?;
    let statements = split::split_statements(text).map_err(|u| {
        Error::data(format!("unterminated {} at end of file", u.what))
            .at(crate::model::Location::new(&file.path, u.line, u.column))
            .help("the statement starting here never ends; check for a missing quote or `*/`")
    })?;
    // An empty file (or one of only comments) is the empty schema: the
    // start of a project's first migration.
    Ok(statements)
}

/// Statements that referred to tables not yet created: by now every file has been read.
fn apply_deferred<'s, S: std::borrow::Borrow<split::RawStatement<'s>>>(
    reader: &mut PgReader,
    deferred: Vec<(&str, S, crate::model::QName)>,
) -> Result<()> {
    for (path, st, _) in deferred {
        let st = st.borrow();
        if let Applied::MissingTable(t) = reader.apply(path, st)? {
            return Err(Error::data(format!("table {t} does not exist"))
                .at(crate::model::Location::new(path, st.line, st.column))
                .help("create the table before altering it, or add the file that creates it to the schema"));
        }
    }
    Ok(())
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
