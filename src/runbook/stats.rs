//! `--stats <file>`: how big each table is, so that the runbook can say
//! how long a step holds its lock. The shape is that of a migration
//! specification's `tables_to_migrate`: a list of `{"name", "row_count",
//! "size_mb"}` (`critical` is accepted and kept), either alone or as the
//! `tables_to_migrate` field of a larger object.

use crate::error::{Error, Result};
use crate::model::{Location, QName};
use serde::Deserialize;

/// One table's size.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableStats {
    /// `users` (in the default schema) or `billing.invoices`.
    pub name: String,
    pub row_count: u64,
    pub size_mb: f64,
    #[serde(default)]
    pub critical: bool,
}

/// The sizes of the tables a file names.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    pub tables: Vec<TableStats>,
}

impl Stats {
    /// Reads `text` (from `origin`, for errors): a list of tables, or an
    /// object with `tables_to_migrate`.
    pub fn parse(text: &str, origin: &str) -> Result<Stats> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            Error::data(format!("{origin} is not JSON: {e}")).at(Location::new(origin, e.line() as u32, e.column() as u32))
        })?;
        let list = match &value {
            serde_json::Value::Array(_) => value.clone(),
            serde_json::Value::Object(o) => o.get("tables_to_migrate").cloned().ok_or_else(|| {
                Error::data(format!("{origin} has no `tables_to_migrate`"))
                    .help("give a list of {\"name\", \"row_count\", \"size_mb\"}, or an object with that list as `tables_to_migrate`")
            })?,
            _ => return Err(Error::data(format!("{origin}: expected a list of tables or an object with `tables_to_migrate`"))),
        };
        let tables: Vec<TableStats> = serde_json::from_value(list).map_err(|e| {
            Error::data(format!("{origin}: `tables_to_migrate` is not a list of tables: {e}"))
                .help("each table is {\"name\": \"users\", \"row_count\": 1500000, \"size_mb\": 450}")
        })?;
        if let Some(bad) = tables.iter().find(|t| !t.size_mb.is_finite() || t.size_mb < 0.0) {
            return Err(Error::data(format!("{origin}: table {} has a size_mb of {}, which is not a size", bad.name, bad.size_mb)));
        }
        Ok(Stats { tables })
    }

    /// The sizes of `table`: named with its schema, or without one when it
    /// is in `public`.
    pub fn of(&self, table: &QName) -> Option<&TableStats> {
        self.tables.iter().find(|t| match t.name.split_once('.') {
            Some((schema, name)) => schema == table.schema && name == table.name,
            None => t.name == table.name && table.schema == "public",
        })
    }
}
