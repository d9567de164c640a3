//! PostgreSQL: its reader, canonical forms, DDL renderer and planner.

pub mod files;
pub mod identifiers;
pub mod on_update;
pub mod pair;
pub mod plan;
pub mod read;
pub mod render;
pub mod split;
