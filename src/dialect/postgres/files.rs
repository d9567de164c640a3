//! Reading a schema's SQL files: replaying their statements onto an empty
//! model. Files are applied in path order; a statement that refers to a
//! table another file creates later is retried once every file has been
//! read, so a schema may be split over many files in any order.

use super::read::{self, Applied, PgReader};
use super::split;
use crate::error::{Error, Result, Warning};
use crate::model::Schema;
use crate::read::decode;
use crate::source::SourceFile;

/// Reads the SQL files of one schema into a model.
pub fn read_schema(files: &[SourceFile]) -> Result<(Schema, Vec<Warning>)> {
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
    let resolution = read::finish(&mut schema);
    read::validate::validate(&schema, &resolution)?;
    Ok((schema, warnings))
}

/// The statements of one file.
pub(super) fn statements_of(file: &SourceFile) -> Result<Vec<split::RawStatement<'_>>> {
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
pub(super) fn apply_deferred<'s, S: std::borrow::Borrow<split::RawStatement<'s>>>(
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

