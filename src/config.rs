//! `schemashift.toml` at the repository root.
