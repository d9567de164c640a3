//! `schemashift.toml` at the repository root.
//!
//! The file is small on purpose: which files form the schema, which dialect
//! they are written in, where migrations go and in which framework's layout.
//! This module only parses it; [`crate::settings`] merges it with the flags
//! and the environment (flags win).
//!
//! Unknown keys are an error rather than ignored: a misspelt `shcema = [...]`
//! silently falling back to the default file list would be a nasty surprise.

use crate::error::{Error, Result};
use crate::model::Location;
use serde::Deserialize;
use std::path::Path;

/// The configuration file's name, looked for at the repository root.
pub const CONFIG_FILE: &str = "schemashift.toml";

/// The old name of the `server_version` key (see [`Config::deprecated_server_version`]).
pub const OLD_VERSION_KEY: &str = "postgres_version";

/// The contents of `schemashift.toml`. Every key is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Globs, relative to the repository root, naming the files that form the
    /// schema (e.g. `["db/schema/**/*.sql"]`). Empty means the defaults of
    /// [`crate::source::DEFAULT_SCHEMA_GLOBS`].
    #[serde(default)]
    pub schema: Vec<String>,
    /// SQL dialect of the schema files (`postgres`, `mysql`, `sqlite`, ...).
    pub dialect: Option<String>,
    /// Directory where migrations are written.
    pub dir: Option<String>,
    /// The migration framework whose layout `generate` writes (`golang-migrate`, `dbmate`, ...).
    pub framework: Option<String>,
    /// The old name of `framework`, still accepted with a warning: `format`
    /// means the output format (`sql`, `json`) everywhere else.
    pub format: Option<String>,
    /// Build indexes on existing tables with `CREATE INDEX CONCURRENTLY`.
    pub concurrent_indexes: Option<bool>,
    /// Major version of the database server the migrations run on (e.g. 11).
    pub server_version: Option<u32>,
    /// Plan the online forms (as `--online`).
    pub online: Option<bool>,
    /// Where `generate` writes the change's runbook, relative to the
    /// repository root (default: beside the migration).
    pub runbook_dir: Option<String>,
    /// Keep a copy of what migrations destroy, for their downs to put back
    /// (as `--preserve-data`).
    pub preserve_data: Option<bool>,
    /// An online plan's `lock_timeout` (PostgreSQL's interval syntax: `5s`).
    pub lock_timeout: Option<String>,
    /// An online plan's `statement_timeout` (`1h`; `0` for none).
    pub statement_timeout: Option<String>,
    /// The old name of `server_version`, still accepted with a warning.
    #[serde(rename = "postgres_version")]
    pub deprecated_server_version: Option<u32>,
    /// `[lint]`: which rules run, how strictly, and the naming conventions.
    #[serde(default)]
    pub lint: LintConfig,
}

/// The `[lint]` table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LintConfig {
    /// The lowest class that fails `lint` (as `--fail-on`).
    pub fail_on: Option<String>,
    /// `[lint.rules]`: by rule name or code, `"off"`, `"on"` (an opt-in rule
    /// too) or a class its findings get instead of the rule's own.
    #[serde(default)]
    pub rules: std::collections::BTreeMap<String, String>,
    /// `[lint.naming]`: a regular expression each kind of name must match
    /// (the `naming-convention` rule).
    #[serde(default)]
    pub naming: NamingConfig,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamingConfig {
    pub table: Option<String>,
    pub column: Option<String>,
    pub index: Option<String>,
    pub constraint: Option<String>,
    pub view: Option<String>,
}

impl Config {
    /// Reads `<root>/schemashift.toml` from disk; `Ok(None)` when there is none.
    pub fn load(root: &Path) -> Result<Option<Config>> {
        let path = root.join(CONFIG_FILE);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(Error::io(format!("cannot read {}: {e}", path.display())));
            }
        };
        Config::parse_bytes(&bytes, &path.display().to_string()).map(Some)
    }

    /// Parses configuration text; `origin` names the file in error messages
    /// (a disk path, or e.g. `HEAD:schemashift.toml` when read from git).
    pub fn parse(text: &str, origin: &str) -> Result<Config> {
        toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map_or((1, 1), |span| line_col(text, span.start));
            // toml's message already names the offending key for unknown fields
            // ("unknown field `x`, expected one of ..."); keep it and add the place.
            Error::data(format!("invalid {CONFIG_FILE}: {}", e.message().trim_end()))
                .at(Location::new(origin, line, column))
                .help(
                    "valid keys are `schema` (list of globs), `dialect`, `dir`, `framework`, `concurrent_indexes`, `server_version`, `online`, `lock_timeout`, `statement_timeout`, `runbook_dir`, `preserve_data` and the `[lint]` table; \
                     see the `schemashift.toml` reference in the README",
                )
        })
    }

    /// Like [`Config::parse`], for bytes that may not be UTF-8.
    pub fn parse_bytes(bytes: &[u8], origin: &str) -> Result<Config> {
        let text = std::str::from_utf8(bytes).map_err(|e| {
            let (line, column) = line_col_bytes(bytes, e.valid_up_to());
            Error::data(format!("invalid {CONFIG_FILE}: not UTF-8 text")).at(Location::new(origin, line, column))
        })?;
        Config::parse(text, origin)
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(text.len());
    // Spans from toml always fall on char boundaries; be defensive anyway.
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line as u32, column as u32)
}

fn line_col_bytes(bytes: &[u8], offset: usize) -> (u32, u32) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line as u32, column as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn parses_all_keys() {
        let c = Config::parse(
            "schema = [\"db/*.sql\"]\ndialect = \"postgres\"\ndir = \"migrations\"\nframework = \"dbmate\"\n",
            "schemashift.toml",
        )
        .unwrap();
        assert_eq!(c.schema, vec!["db/*.sql"]);
        assert_eq!(c.dialect.as_deref(), Some("postgres"));
        assert_eq!(c.dir.as_deref(), Some("migrations"));
        assert_eq!(c.framework.as_deref(), Some("dbmate"));
        // The old name of `framework` still parses; Settings warns about it.
        let old = Config::parse("format = \"dbmate\"\n", "schemashift.toml").unwrap();
        assert_eq!(old.format.as_deref(), Some("dbmate"));
    }

    #[test]
    fn unknown_key_names_key_and_place() {
        let e = Config::parse("dialect = \"mysql\"\nshcema = []\n", "x/schemashift.toml").unwrap_err();
        assert_eq!(e.kind, ErrorKind::Data);
        assert!(e.message.contains("shcema"), "{}", e.message);
        let loc = e.location.unwrap();
        assert_eq!((loc.file.as_ref(), loc.line, loc.column), ("x/schemashift.toml", 2, 1));
    }

    #[test]
    fn bad_toml_has_line_and_column() {
        let e = Config::parse("schema = [\n  \"a\",\n  = \n", "schemashift.toml").unwrap_err();
        assert_eq!(e.kind, ErrorKind::Data);
        assert_eq!(e.location.unwrap().line, 3);
    }

    #[test]
    fn wrong_type_is_data_error() {
        let e = Config::parse("schema = \"db/*.sql\"\n", "schemashift.toml").unwrap_err();
        assert_eq!(e.kind, ErrorKind::Data);
    }
}
