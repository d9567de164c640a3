//! `schemashift.toml` at the repository root. TEMPORARY stub.
pub struct Config { pub dialect: Option<String> }
impl Config { pub fn load(_root: &std::path::Path) -> crate::Result<Option<Config>> { Ok(None) } }
