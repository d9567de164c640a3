//! Which files form the schema: pathspecs, `schemashift.toml` globs, or defaults.
//!
//! One [`Selection`] answers two questions for every walker (git tree, index,
//! working tree): does this file belong to the schema, and can this directory
//! contain any file that does? The second lets walkers skip whole subtrees,
//! which matters in big repositories where the schema is one file in `db/`.
//!
//! Two flavours of glob, on purpose:
//! - pathspecs after `--` follow git: relative to the current directory, and a
//!   `*` also matches `/` (`git diff -- 'db/*.sql'` sees `db/a/b.sql` too);
//! - `schemashift.toml` globs and the defaults are relative to the repository
//!   root and `*` stops at `/` (as in `.gitignore`); use `**` to cross directories.
//!
//! In both, a pattern without glob characters names a file (any extension) or a
//! directory, and a directory means every `.sql`/`.json` file under it: a
//! `db/` folder usually also holds READMEs and scripts that are not schema.

use crate::error::{Error, Result};
use globset::{GlobBuilder, GlobMatcher};
use std::path::Path;

/// Where schemashift looks for the schema when neither pathspecs nor
/// `schemashift.toml`'s `schema` key say otherwise. Relative to the repository
/// root; `**` crosses directories, `*` does not. Covers the usual dump names
/// (Rails/dbmate `structure.sql`/`schema.sql`), a folder of DDL files, and
/// JSON snapshots. Every file that matches is part of the schema.
pub const DEFAULT_SCHEMA_GLOBS: &[&str] = &[
    "schema.sql",
    "structure.sql",
    "db/schema.sql",
    "db/structure.sql",
    "schema/**/*.sql",
    "db/schema/**/*.sql",
    "schema.json",
    "db/schema.json",
];

/// Whether a file found under a directory is a schema file by its name.
pub(crate) fn is_schema_file(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".sql") || lower.ends_with(".json")
}

enum Pattern {
    /// A file, or a directory standing for the schema files under it; `""` is the root.
    Path(String),
    /// A glob, with its literal leading directories (for pruning).
    Glob { matcher: GlobMatcher, base: String },
}

/// Where the patterns of a [`Selection`] came from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Origin {
    Pathspecs,
    Config(String),
    Defaults,
}

/// The set of files that forms the schema.
pub struct Selection {
    patterns: Vec<Pattern>,
    texts: Vec<String>,
    origin: Origin,
}

impl Selection {
    /// Pathspecs as typed after `--`; `prefix` is the current directory relative
    /// to the repository root (`""` at the root or in a bare repository).
    pub fn pathspecs(specs: &[String], prefix: &str, root: Option<&Path>) -> Result<Selection> {
        let mut patterns = Vec::new();
        for spec in specs {
            let path = normalize(spec, prefix, root)?;
            let pattern = compile(&path, false).map_err(|e| {
                Error::usage(format!("invalid pathspec '{spec}': {e}"))
                    .help("pathspecs are paths or globs such as `db/*.sql` or `db/**/*.sql`")
            })?;
            patterns.push(pattern);
        }
        Ok(Selection { patterns, texts: specs.to_vec(), origin: Origin::Pathspecs })
    }

    /// The `schema` globs of `schemashift.toml`; `origin` names that file.
    pub fn config(globs: &[String], origin: &str) -> Result<Selection> {
        let mut patterns = Vec::new();
        for glob in globs {
            let trimmed = glob.trim_start_matches("./").trim_end_matches('/');
            let pattern = compile(trimmed, true).map_err(|e| {
                Error::data(format!("invalid glob '{glob}' in `schema` of {origin}: {e}"))
                    .help("globs are relative to the repository root, e.g. `db/**/*.sql`")
            })?;
            patterns.push(pattern);
        }
        Ok(Selection { patterns, texts: globs.to_vec(), origin: Origin::Config(origin.to_string()) })
    }

    /// Every file under the repository-relative directory `dir`, whatever
    /// its name: a migrations directory, read whole.
    pub fn under(dir: &str) -> Selection {
        let dir = dir.trim_matches('/');
        let glob = if dir.is_empty() { "**".to_string() } else { format!("{}/**", globset::escape(dir)) };
        let pattern = compile(&glob, true).expect("an escaped directory and `**` form a valid glob");
        Selection { patterns: vec![pattern], texts: vec![format!("{dir}/")], origin: Origin::Pathspecs }
    }

    /// [`DEFAULT_SCHEMA_GLOBS`].
    pub fn defaults() -> Selection {
        let patterns =
            DEFAULT_SCHEMA_GLOBS.iter().map(|g| compile(g, true).expect("default globs are valid")).collect();
        let texts = DEFAULT_SCHEMA_GLOBS.iter().map(|s| s.to_string()).collect();
        Selection { patterns, texts, origin: Origin::Defaults }
    }

    /// Does the file at repository-relative `path` belong to the schema?
    pub fn matches(&self, path: &str) -> bool {
        self.patterns.iter().any(|p| match p {
            Pattern::Path(p) => path == p || (is_under(path, p) && is_schema_file(path)),
            Pattern::Glob { matcher, .. } => matcher.is_match(path),
        })
    }

    /// Can the directory `dir` (repository-relative, `""` = root) hold a match?
    pub fn may_contain(&self, dir: &str) -> bool {
        self.patterns.iter().any(|p| {
            let base = match p {
                Pattern::Path(p) => p,
                Pattern::Glob { base, .. } => base,
            };
            dir.is_empty() || base.is_empty() || dir == base || is_under(dir, base) || is_under(base, dir)
        })
    }

    /// Does a pattern name `path` or something below it by its literal part (a
    /// file or directory, or a glob's leading directories)? `db/schema.sql`
    /// and `db/**/*.sql` reach into `db`; `**/*.sql` names no directory in
    /// particular. Asked of entries the walkers cannot enter (a submodule, a
    /// symbolic link), to tell one the schema was expected behind from one
    /// that merely sits somewhere a wide glob looks.
    pub fn reaches_into(&self, path: &str) -> bool {
        !path.is_empty()
            && self.patterns.iter().any(|p| {
                let base = match p {
                    Pattern::Path(p) => p,
                    Pattern::Glob { base, .. } => base,
                };
                base == path || is_under(base, path)
            })
    }

    /// What was looked for, for "no file matched" messages.
    pub fn describe(&self) -> String {
        let list = self.texts.iter().map(|t| format!("'{t}'")).collect::<Vec<_>>().join(", ");
        match &self.origin {
            Origin::Pathspecs => format!("pathspec {list}"),
            Origin::Config(file) => format!("the `schema` globs of {file} ({list})"),
            Origin::Defaults => format!("the default schema locations ({list})"),
        }
    }
}

/// Is `path` strictly inside directory `dir`? (`""` is the root.)
fn is_under(path: &str, dir: &str) -> bool {
    dir.is_empty() || (path.len() > dir.len() && path.starts_with(dir) && path.as_bytes()[dir.len()] == b'/')
}

fn has_glob_chars(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

fn compile(path: &str, literal_separator: bool) -> std::result::Result<Pattern, globset::Error> {
    if !has_glob_chars(path) {
        return Ok(Pattern::Path(path.to_string()));
    }
    // Literal leading directories: `db/schema/**/*.sql` can only match under
    // `db/schema`. The glob has a glob component, so take_while stops before the end.
    let base = path.split('/').take_while(|c| !has_glob_chars(c)).collect::<Vec<_>>().join("/");
    let matcher = GlobBuilder::new(path).literal_separator(literal_separator).build()?.compile_matcher();
    Ok(Pattern::Glob { matcher, base })
}

/// Turns a pathspec into a repository-relative, `/`-separated path, the way
/// git does: relative to the current directory, `:/` for the root, and an
/// absolute path inside the work tree accepted too.
fn normalize(spec: &str, prefix: &str, root: Option<&Path>) -> Result<String> {
    let outside = || {
        Error::usage(format!("pathspec '{spec}' is outside the repository"))
            .help("pathspecs are relative to the current directory inside the repository")
    };
    let spec_slash = spec.replace('\\', "/");
    let (base, rest): (&str, &str) = if let Some(rest) = spec_slash.strip_prefix(":/") {
        ("", rest)
    } else if Path::new(spec).is_absolute() {
        let root = root.ok_or_else(outside)?;
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let abs = Path::new(spec);
        let abs = abs.canonicalize().unwrap_or_else(|_| abs.to_path_buf());
        let rel = abs.strip_prefix(&root).map_err(|_| outside())?;
        return Ok(rel.to_string_lossy().replace('\\', "/").trim_end_matches('/').to_string());
    } else {
        (prefix, spec_slash.as_str())
    };
    let mut parts: Vec<&str> = base.split('/').filter(|c| !c.is_empty()).collect();
    for component in rest.split('/') {
        match component {
            "" | "." => {}
            ".." => {
                parts.pop().ok_or_else(outside)?;
            }
            c => parts.push(c),
        }
    }
    Ok(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specs(s: &[&str], prefix: &str) -> Selection {
        let v: Vec<String> = s.iter().map(|s| s.to_string()).collect();
        Selection::pathspecs(&v, prefix, None).unwrap()
    }

    #[test]
    fn pathspec_glob_crosses_directories_like_git() {
        let s = specs(&["db/*.sql"], "");
        assert!(s.matches("db/a.sql"));
        assert!(s.matches("db/x/b.sql"));
        assert!(!s.matches("other/a.sql"));
        assert!(s.may_contain("db") && s.may_contain("db/x") && !s.may_contain("other"));
    }

    #[test]
    fn config_glob_stops_at_slash() {
        let s = Selection::config(&["db/*.sql".to_string()], "schemashift.toml").unwrap();
        assert!(s.matches("db/a.sql"));
        assert!(!s.matches("db/x/b.sql"));
    }

    #[test]
    fn directory_means_schema_files_under_it() {
        let s = specs(&["db/"], "");
        assert!(s.matches("db/a.sql") && s.matches("db/x/s.json"));
        assert!(!s.matches("db/README.md"));
        assert!(!s.matches("dbx/a.sql"));
        let f = specs(&["db/schema.txt"], "");
        assert!(f.matches("db/schema.txt"));
    }

    #[test]
    fn relative_to_current_directory() {
        let s = specs(&["../schema.sql", "./x.sql"], "db/sub");
        assert!(s.matches("db/schema.sql") && s.matches("db/sub/x.sql"));
        let root = specs(&[":/schema.sql"], "db");
        assert!(root.matches("schema.sql"));
        assert!(Selection::pathspecs(&["../../x".to_string()], "db", None).is_err());
        let dot = specs(&["."], "");
        assert!(dot.matches("a/b.sql") && !dot.matches("a/b.txt"));
    }

    #[test]
    fn defaults() {
        let d = Selection::defaults();
        for p in ["schema.sql", "db/structure.sql", "schema/a/b.sql", "db/schema/x.sql", "db/schema.json"] {
            assert!(d.matches(p), "{p}");
        }
        for p in ["db/migrations/1.sql", "other/schema.sql", "schema.txt"] {
            assert!(!d.matches(p), "{p}");
        }
        assert!(!d.may_contain("node_modules"));
        assert!(d.may_contain("db") && d.may_contain("schema/x"));
    }

    #[test]
    fn reaches_into_only_what_a_pattern_names() {
        let d = Selection::defaults();
        // `db/schema.sql` and `db/schema/**/*.sql` lie behind `db`.
        assert!(d.reaches_into("db") && d.reaches_into("db/schema") && d.reaches_into("schema.sql"));
        assert!(!d.reaches_into("vendor") && !d.reaches_into("db/migrations") && !d.reaches_into(""));
        // A glob from the root names no directory: a submodule anywhere is not "the schema".
        let wide = specs(&["**/*.sql"], "");
        assert!(wide.may_contain("vendor") && !wide.reaches_into("vendor"));
    }
}
