//! Data-preserving plans (`--preserve-data`): what the up migration copies
//! before it destroys it, and what the down migration needs to put it back.
//!
//! The dialect's planner decides which steps destroy data it can keep, and
//! writes the SQL (for PostgreSQL, `dialect/postgres/plan/preserve.rs`);
//! this is the dialect-neutral record of each copy, which the plan carries
//! so that `generate` can give every migration it cuts the down that puts
//! back what that migration saved.
//!
//! Every copy is a table of [`crate::model::BACKUP_SCHEMA`], named after
//! what it keeps; the down migration reads it, puts the data back and drops
//! it. Copies the downs never read stay until the migration written by
//! `generate --drop-backups` drops the schema.

use crate::model::{DataType, QName};
use serde::Serialize;

/// One copy the up migration keeps.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Backup {
    /// The table holding the copy.
    pub table: QName,
    /// The relation whose data it holds, by its name in the old schema.
    pub relation: QName,
    /// The column whose values it holds (old name); `None`: every row of
    /// the relation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// What the up does to the data.
    pub reason: Reason,
    /// The relation and column as the up migration names them, after its
    /// renames (the names the new schema gives them).
    #[serde(skip)]
    pub renamed: (QName, Option<String>),
    /// The columns copied, the row key's first.
    #[serde(skip)]
    pub saved: Vec<Saved>,
    /// How many of `saved` are the key that finds each row again (none for
    /// a whole table: its rows are inserted again).
    #[serde(skip)]
    pub key: usize,
}

/// What the up migration does to the data a backup keeps.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Reason {
    /// The table is dropped: every row is kept.
    DropTable,
    /// The column is dropped: its value in every row is kept.
    DropColumn,
    /// The column's type changes in a way that alters some values (rounds,
    /// cuts, normalizes): the values the conversion would change are kept.
    TypeChange { from: DataType, to: DataType },
    /// Labels are removed from the column's enum type: the values of the
    /// rows holding them are kept, and the up clears those rows (`cleared`).
    EnumLabels { labels: Vec<String>, cleared: Cleared },
}

/// What the up writes into a row whose enum label it removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cleared {
    Null,
    /// The column's default (the column is NOT NULL).
    Default,
}

/// One column of a backup table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    /// The column's name in the old schema, which the backup table uses too.
    pub name: String,
    /// Its name during the up migration (after the migration's renames).
    pub renamed: String,
    /// Its type in the old schema.
    pub data_type: DataType,
    /// The copy holds the value's text, not the value: its type is one the
    /// schema defines (an enum, a domain, …), which the migration may drop
    /// or rebuild while the copy still needs it.
    pub as_text: bool,
}
