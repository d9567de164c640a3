//! Reading a migrations directory back into a model: every up migration,
//! oldest first, replayed onto an empty schema — what the database looks
//! like once the runner has applied them all.

use super::formats::Format;
use crate::error::Result;
use crate::model::{Dialect, Schema};
use std::path::Path;

/// The schema the up migrations in `dir` build, in `format`'s layout.
/// Locations name the files under `shown`, the directory as the user wrote it.
pub fn read_migrations(dir: &Path, shown: &Path, format: &dyn Format, dialect: Dialect) -> Result<Schema> {
    let mut schema = Schema::new(dialect);
    for e in format.scan(dir)? {
        let sql = format.read_up(dir, &e)?;
        let label = shown.join(&e.paths[0]).display().to_string();
        schema = crate::dialect::replay(schema, &label, &sql)?;
    }
    Ok(schema)
}
