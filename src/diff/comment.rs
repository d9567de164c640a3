//! What a comment is on, as the model names it. The dialect's planner turns
//! it into its own syntax (PostgreSQL's `COMMENT ON COLUMN t.c`); the differ
//! writes no SQL.

use crate::model::QName;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "on", rename_all = "snake_case")]
pub enum CommentTarget {
    Schema { name: String },
    Type { name: QName },
    Domain { name: QName },
    DomainConstraint { domain: QName, name: String },
    Sequence { name: QName },
    Table { name: QName },
    Column { table: QName, column: String },
    Constraint { table: QName, name: String },
    Index { name: QName },
    Trigger { table: QName, name: String },
    Policy { table: QName, name: String },
    Rule { relation: QName, name: String },
    Statistics { name: QName },
    Publication { name: String },
    View { name: QName, materialized: bool },
    Routine { signature: String, procedure: bool },
}

impl CommentTarget {
    /// The object, for reports: `column public.t.c`, `constraint k on public.t`.
    pub fn describe(&self) -> String {
        use CommentTarget::*;
        match self {
            Schema { name } | Publication { name } => format!("{} {name}", self.kind()),
            Type { name } | Domain { name } | Sequence { name } | Table { name } | Index { name } | Statistics { name } => {
                format!("{} {name}", self.kind())
            }
            View { name, .. } => format!("{} {name}", self.kind()),
            Column { table, column } => format!("column {table}.{column}"),
            DomainConstraint { domain: on, name } | Constraint { table: on, name } | Trigger { table: on, name } | Policy { table: on, name }
            | Rule { relation: on, name } => format!("{} {name} on {on}", self.kind()),
            Routine { signature, .. } => format!("{} {signature}", self.kind()),
        }
    }

    fn kind(&self) -> &'static str {
        use CommentTarget::*;
        match self {
            Schema { .. } => "schema",
            Type { .. } => "type",
            Domain { .. } => "domain",
            DomainConstraint { .. } => "domain constraint",
            Sequence { .. } => "sequence",
            Table { .. } => "table",
            Column { .. } => "column",
            Constraint { .. } => "constraint",
            Index { .. } => "index",
            Trigger { .. } => "trigger",
            Policy { .. } => "policy",
            Rule { .. } => "rule",
            Statistics { .. } => "statistics",
            Publication { .. } => "publication",
            View { materialized: true, .. } => "materialized view",
            View { .. } => "view",
            Routine { procedure: true, .. } => "procedure",
            Routine { .. } => "function",
        }
    }
}
