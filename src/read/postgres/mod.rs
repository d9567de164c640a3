//! PostgreSQL-specific reading.

pub mod canon;
