//! The sqldef test-case corpus: YAML files mapping a case name to its fields
//! (`shared/corpora/sqldef/testcase.schema.json` describes them).
//!
//! The corpus is data read at test time from `shared/` beside the repository,
//! never copied into it. Parsing is strict: a field this module does not know
//! is an error, so that a newer corpus with a new restriction cannot slip
//! into the run as if the restriction did not exist.

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// `shared/corpora/sqldef` beside the repository.
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("shared").join("corpora").join("sqldef")
}

/// One case, as written in the YAML file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// The old schema; absent means empty.
    pub current: Option<String>,
    /// The new schema; absent means empty.
    pub desired: Option<String>,
    /// sqldef's own answers (documentation only).
    pub up: Option<String>,
    pub down: Option<String>,
    /// sqldef is expected to fail with this message.
    pub error: Option<String>,
    #[serde(default, deserialize_with = "version")]
    pub min_version: Option<String>,
    #[serde(default, deserialize_with = "version")]
    pub max_version: Option<String>,
    pub user: Option<String>,
    pub flavor: Option<String>,
    pub managed_roles: Option<Vec<String>>,
    /// Parsed so that the strict parse accepts it; no rule depends on it.
    #[allow(dead_code)]
    pub enable_drop: Option<bool>,
    /// `manage:` rules (extension, function, privilege); kept as YAML, only
    /// their presence matters here.
    pub manage: Option<serde_yaml_ng::Value>,
    /// Parsed so that the strict parse accepts it; no rule depends on it.
    #[allow(dead_code)]
    pub legacy_ignore_quotes: Option<bool>,
    pub offline: Option<bool>,
    pub config: Option<Config>,
}

/// The `config:` block.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub create_index_concurrently: Option<bool>,
    pub disable_ddl_transaction: Option<bool>,
    pub bulk_alter: Option<bool>,
}

impl Config {
    /// The options set to a value other than their default (all default to false).
    pub fn non_default(&self) -> Vec<&'static str> {
        [
            ("create_index_concurrently", self.create_index_concurrently),
            ("disable_ddl_transaction", self.disable_ddl_transaction),
            ("bulk_alter", self.bulk_alter),
        ]
        .into_iter()
        .filter(|(_, v)| *v == Some(true))
        .map(|(k, _)| k)
        .collect()
    }
}

/// A case with where it comes from.
#[derive(Debug, Clone)]
pub struct NamedCase {
    /// The YAML file's name, e.g. `tests_tables.yml`.
    pub file: String,
    /// The case's key in that file.
    pub name: String,
    pub case: Case,
}

impl NamedCase {
    /// `tests_tables.yml/CreateTable`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.file, self.name)
    }
}

/// Versions are strings in the schema (`"10.0"`), but an unquoted `15` or
/// `9.6` is a YAML number: accept both, as text.
fn version<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let value = Option::<serde_yaml_ng::Value>::deserialize(d)?;
    match value {
        None | Some(serde_yaml_ng::Value::Null) => Ok(None),
        Some(serde_yaml_ng::Value::String(s)) => Ok(Some(s)),
        Some(serde_yaml_ng::Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(serde::de::Error::custom(format!("a version must be a string or a number, not {other:?}"))),
    }
}

/// Compares dotted versions numerically (`9.6` < `10` < `10.1`); a missing
/// part counts as 0.
pub fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    let parts = |s: &str| -> Vec<u64> { s.split('.').map(|p| p.trim().parse().unwrap_or(0)).collect() };
    let (pa, pb) = (parts(a), parts(b));
    let n = pa.len().max(pb.len());
    (0..n).map(|i| pa.get(i).unwrap_or(&0).cmp(pb.get(i).unwrap_or(&0))).find(|o| o.is_ne()).unwrap_or(std::cmp::Ordering::Equal)
}

/// Parses one YAML file of cases, in file order.
pub fn parse_file(file: &str, text: &str) -> Result<Vec<NamedCase>, String> {
    let mapping: serde_yaml_ng::Mapping = serde_yaml_ng::from_str(text).map_err(|e| format!("{file}: {e}"))?;
    let mut cases = Vec::with_capacity(mapping.len());
    for (key, value) in mapping {
        let name = match key {
            serde_yaml_ng::Value::String(s) => s,
            other => return Err(format!("{file}: a case name must be a string, not {other:?}")),
        };
        // A case with no fields at all is an empty-to-empty case.
        let case: Case = if value.is_null() {
            Case::default()
        } else {
            serde_yaml_ng::from_value(value).map_err(|e| format!("{file}: case {name}: {e}"))?
        };
        cases.push(NamedCase { file: file.to_string(), name, case });
    }
    Ok(cases)
}

/// Every case of every `*.yml` file in `dir`, files in name order.
pub fn load_dir(dir: &Path) -> Result<Vec<NamedCase>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yml" || x == "yaml"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        cases.extend(parse_file(&file, &text)?);
    }
    Ok(cases)
}
