//! One [`Settings`] per run: what the command line, the environment and
//! `schemashift.toml` say, merged once and passed down.
//!
//! Each value is taken from the first layer that gives it: a flag, then the
//! environment, then the file, then detection or a default. Before this
//! module each command looked the file up where it needed it (three times in
//! one `generate`), and the merging lived in three places that could drift
//! apart. [`crate::config`] stays the file's parser; this is the only caller
//! that decides what wins.
//!
//! Pathspecs after `--` are not here: like the revisions they are part of
//! the `git diff`-style arguments ([`crate::source::SourceArgs`]), and under
//! `--no-index` they are the two paths compared. They still win over the
//! file's `schema` globs kept here; [`crate::source`] applies that.

use crate::config::{CONFIG_FILE, Config, OLD_VERSION_KEY};
use crate::error::{Error, Result};
use crate::generate::formats::{self, Format};
use crate::model::Dialect;
use std::fmt;
use std::path::{Path, PathBuf};

/// `SOURCE_DATE_EPOCH`: the time for timestamp versions, instead of the
/// clock (reproducible builds' convention; the tests use it).
pub const SOURCE_DATE_EPOCH: &str = "SOURCE_DATE_EPOCH";

/// `SCHEMASHIFT_CONFIG`: the configuration file to read instead of
/// `schemashift.toml` at the repository root (the GitHub Action's `config`).
pub const CONFIG_ENV: &str = "SCHEMASHIFT_CONFIG";

/// The old spelling of `generate --server-version`, still accepted with a
/// warning.
pub const OLD_VERSION_FLAG: &str = "postgres-version";

/// Where a setting's value came from, for messages that should point at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A command-line flag, as it was spelt.
    Flag(&'static str),
    /// An environment variable.
    Env(&'static str),
    /// A key of `schemashift.toml`, in `file` (a path, or `HEAD:schemashift.toml`).
    File { key: &'static str, file: String },
    /// Nothing said: the default, or what detection finds later.
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag(flag) => write!(f, "{flag}"),
            Origin::Env(var) => write!(f, "${var}"),
            Origin::File { key, file } => write!(f, "`{key}` in {file}"),
            Origin::Default => write!(f, "the default"),
        }
    }
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: T,
    pub origin: Origin,
}

impl<T> Setting<T> {
    fn new(value: T, origin: Origin) -> Setting<T> {
        Setting { value, origin }
    }
}

/// The command-line layer: what this invocation's flags say (`None` or
/// `false`: not given). Each command fills in the flags it has.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub dialect: Option<String>,
    /// `generate --dir`, relative to the current directory.
    pub dir: Option<String>,
    /// `generate --framework`.
    pub framework: Option<String>,
    /// `generate --format`, the old spelling of `--framework`.
    pub deprecated_format: Option<String>,
    pub concurrently: bool,
    /// `--online` (diff, generate, lint).
    pub online: bool,
    /// `--phases`.
    pub phases: bool,
    /// `--preserve-data` (diff, generate, lint).
    pub preserve_data: bool,
    /// `generate --server-version`.
    pub server_version: Option<u32>,
    /// `generate --postgres-version`, the old spelling of `--server-version`.
    pub deprecated_server_version: Option<u32>,
    pub quiet: bool,
    pub allow_empty: bool,
}

/// `schemashift.toml` as found for this run, and where it was read from.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    pub config: Config,
    /// A disk path, or `HEAD:schemashift.toml` in a bare repository.
    pub origin: String,
}

/// Everything a command needs to know beyond its own arguments.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The project root: the repository's work tree, else the current
    /// directory. `dir` in the file is relative to it, and detection looks here.
    pub root: PathBuf,
    /// Where `schemashift.toml` was read from, when there is one.
    pub config_file: Option<String>,
    pub dialect: Setting<Dialect>,
    /// The file's `schema` globs, relative to the root; `None`: the defaults
    /// ([`crate::source::DEFAULT_SCHEMA_GLOBS`]).
    pub schema: Option<Setting<Vec<String>>>,
    /// The migrations directory (absolute); `None`: detected.
    pub dir: Option<Setting<PathBuf>>,
    /// The migration framework's name, checked only by [`Settings::framework`]
    /// so that a command that writes no migrations does not fail on it.
    pub framework: Option<Setting<String>>,
    pub concurrent_indexes: bool,
    /// The major version of the database server the migrations run on;
    /// `None`: a supported release.
    pub server_version: Option<u32>,
    /// Plan the online forms, with these session timeouts (`--online`,
    /// `online = true`); `None`: the plain forms.
    pub online: Option<crate::plan::Online>,
    /// Plan in expand and contract phases (`--phases`).
    pub phases: bool,
    /// Where `generate` writes runbooks (absolute), from `runbook_dir`;
    /// `None`: beside the migration.
    pub runbook_dir: Option<PathBuf>,
    /// Keep a copy of what the migration destroys, for its down to put back
    /// (`--preserve-data`, `preserve_data = true`).
    pub preserve_data: bool,
    /// The time for timestamp versions (Unix seconds).
    pub now: Setting<i64>,
    pub quiet: bool,
    pub allow_empty: bool,
    /// Old spellings used in this run, one message each, printed as warnings.
    pub deprecations: Vec<String>,
    /// The linter's options: rules on and off, classes, naming patterns,
    /// the server version.
    pub lint: crate::lint::Options,
    /// `[lint] fail_on` from the file, checked (`Some(None)`: never).
    pub fail_on: Option<Option<crate::lint::Class>>,
}

impl Settings {
    /// Reads `schemashift.toml` (the one read of the run) and the process
    /// environment, and merges them under `flags`.
    pub fn load(flags: Flags, cwd: &Path) -> Result<Settings> {
        let explicit = std::env::var_os(CONFIG_ENV).filter(|v| !v.is_empty()).map(PathBuf::from);
        let (root, file) = crate::source::read_config(cwd, explicit.as_deref())?;
        Settings::resolve(flags, &|name| std::env::var(name).ok(), file, root, cwd)
    }

    /// The merge itself, without I/O besides the clock: `env` looks a
    /// variable up, `file` is the parsed `schemashift.toml`.
    pub fn resolve(
        flags: Flags,
        env: &dyn Fn(&str) -> Option<String>,
        file: Option<ConfigFile>,
        root: PathBuf,
        cwd: &Path,
    ) -> Result<Settings> {
        let (config, config_file) = match file {
            Some(f) => (f.config, Some(f.origin)),
            None => (Config::default(), None),
        };
        let in_file = |key: &'static str| Origin::File { key, file: config_file.clone().unwrap_or_else(|| CONFIG_FILE.into()) };
        let mut deprecations = Vec::new();

        let dialect = match (flags.dialect, config.dialect) {
            (Some(d), _) => Setting::new(parse_dialect(&d, &Origin::Flag("--dialect"))?, Origin::Flag("--dialect")),
            (None, Some(d)) => Setting::new(parse_dialect(&d, &in_file("dialect"))?, in_file("dialect")),
            (None, None) => Setting::new(Dialect::default(), Origin::Default),
        };
        let schema = (!config.schema.is_empty()).then(|| Setting::new(config.schema, in_file("schema")));
        // `--dir` is typed relative to where one stands, `dir` in the file
        // relative to the file.
        let dir = match (flags.dir, config.dir) {
            (Some(d), _) => Some(Setting::new(cwd.join(d), Origin::Flag("--dir"))),
            (None, Some(d)) => Some(Setting::new(root.join(d), in_file("dir"))),
            (None, None) => None,
        };

        // `format` named the framework in `generate` only; everywhere else it
        // is the output format (`sql`, `json`), so the framework's flag and
        // key are `framework`. The old spellings keep working, with a note.
        let file_framework = match (config.framework, config.format) {
            (Some(_), Some(_)) => {
                return Err(Error::data(format!(
                    "{} sets both `framework` and `format`",
                    config_file.as_deref().unwrap_or(CONFIG_FILE)
                ))
                .help("`format` is the old name of `framework`: keep only `framework`"));
            }
            (Some(f), None) => Some(Setting::new(f, in_file("framework"))),
            (None, Some(f)) => {
                deprecations.push(format!(
                    "`format` in {} is deprecated; rename it to `framework`",
                    config_file.as_deref().unwrap_or(CONFIG_FILE)
                ));
                Some(Setting::new(f, in_file("format")))
            }
            (None, None) => None,
        };
        let framework = match (flags.framework, flags.deprecated_format) {
            (Some(f), _) => Some(Setting::new(f, Origin::Flag("--framework"))),
            (None, Some(f)) => {
                deprecations.push("--format is deprecated for generate; use --framework".into());
                Some(Setting::new(f, Origin::Flag("--format")))
            }
            (None, None) => file_framework,
        };

        // `server_version` was `postgres_version` before the version was
        // more than PostgreSQL's; the old spellings work as `format` does.
        let file_version = match (config.server_version, config.deprecated_server_version) {
            (Some(_), Some(_)) => {
                return Err(Error::data(format!(
                    "{} sets both `server_version` and `{OLD_VERSION_KEY}`",
                    config_file.as_deref().unwrap_or(CONFIG_FILE)
                ))
                .help(format!("`{OLD_VERSION_KEY}` is the old name of `server_version`: keep only `server_version`")));
            }
            (Some(v), None) => Some(v),
            (None, Some(v)) => {
                deprecations.push(format!(
                    "`{OLD_VERSION_KEY}` in {} is deprecated; rename it to `server_version`",
                    config_file.as_deref().unwrap_or(CONFIG_FILE)
                ));
                Some(v)
            }
            (None, None) => None,
        };
        let server_version = match (flags.server_version, flags.deprecated_server_version) {
            (Some(v), _) => Some(v),
            (None, Some(v)) => {
                deprecations.push(format!("--{OLD_VERSION_FLAG} is deprecated; use --server-version"));
                Some(v)
            }
            (None, None) => file_version,
        };

        let now = match env(SOURCE_DATE_EPOCH).and_then(|v| v.trim().parse().ok()) {
            Some(epoch) => Setting::new(epoch, Origin::Env(SOURCE_DATE_EPOCH)),
            None => Setting::new(clock(), Origin::Default),
        };

        let runbook_dir = config.runbook_dir.as_ref().map(|d| root.join(d));
        let online = online_setting(flags.online, config.online, [config.lock_timeout, config.statement_timeout], config_file.as_deref())?;
        let lint = lint_options(&config.lint, server_version, config_file.as_deref())?;
        let fail_on = config.lint.fail_on.as_deref().map(|t| parse_fail_on(t, "fail_on in [lint]")).transpose()?;
        Ok(Settings {
            root,
            config_file,
            dialect,
            schema,
            dir,
            framework,
            // A flag can only switch these on: there is no `--no-concurrently`.
            concurrent_indexes: flags.concurrently || config.concurrent_indexes.unwrap_or(false),
            server_version,
            online,
            phases: flags.phases,
            runbook_dir,
            preserve_data: flags.preserve_data || config.preserve_data.unwrap_or(false),
            now,
            quiet: flags.quiet,
            allow_empty: flags.allow_empty,
            deprecations,
            lint,
            fail_on,
        })
    }

    /// How plans are made this run.
    pub fn plan_options(&self) -> crate::plan::Options {
        crate::plan::Options {
            online: self.online.clone(),
            server_version: self.server_version,
            phases: self.phases,
            preserve_data: self.preserve_data,
        }
    }

    /// The framework given by a flag or the file, checked; `None`: detect it.
    pub fn framework(&self) -> Result<Option<&'static dyn Format>> {
        let Some(f) = &self.framework else { return Ok(None) };
        formats::by_name(&f.value).map(Some).map_err(|mut e| {
            e.message = format!("{} (from {})", e.message, f.origin);
            e
        })
    }
}

/// `--dialect` or `dialect`: one that this version reads
/// ([`crate::dialect::is_supported`]).
fn parse_dialect(name: &str, origin: &Origin) -> Result<Dialect> {
    match Dialect::parse(name) {
        Some(d) if crate::dialect::is_supported(d) => Ok(d),
        Some(other) => {
            let (supported, planned): (Vec<Dialect>, Vec<Dialect>) = Dialect::ALL.iter().partition(|d| crate::dialect::is_supported(**d));
            let supported: Vec<String> = supported.iter().map(|d| format!("`{}`", d.name())).collect();
            let planned: Vec<&str> = planned.iter().map(|d| d.product_name()).collect();
            Err(Error::usage(format!("the {} dialect is not yet supported (from {origin})", other.name())).help(format!(
                "only {} {} supported in this version; {} {} planned",
                supported.join(", "),
                if supported.len() == 1 { "is" } else { "are" },
                planned.join(" and "),
                if planned.len() == 1 { "is" } else { "are" },
            )))
        }
        None => {
            let names: Vec<&str> = Dialect::ALL.iter().map(|d| d.name()).collect();
            Err(Error::usage(format!("unknown dialect `{name}` (from {origin})")).help(format!("use one of: {}", names.join(", "))))
        }
    }
}

fn clock() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// `--fail-on` or `[lint] fail_on`: a class, or `never` (`None`).
pub fn parse_fail_on(text: &str, what: &str) -> Result<Option<crate::lint::Class>> {
    if text.eq_ignore_ascii_case("never") {
        return Ok(None);
    }
    crate::lint::Class::parse(text).map(Some).ok_or_else(|| {
        Error::usage(format!("{what}: `{text}` is not a class"))
            .help("use breaking, potentially-breaking, non-breaking, additive or never")
    })
}

/// The `[lint]` table as the linter's options: every rule name, value and
/// pattern checked, so a typo is an error rather than a rule silently on.
fn lint_options(config: &crate::config::LintConfig, server_version: Option<u32>, file: Option<&str>) -> Result<crate::lint::Options> {
    use crate::lint::{Class, Naming, Options, RuleSetting, rules};
    let file = file.unwrap_or(CONFIG_FILE);
    let mut options = Options { server_version, ..Options::default() };
    for (name, value) in &config.rules {
        let Some(rule) = rules::find(name) else {
            let near = rules::all().map(|r| r.name).find(|r| crate::lint::similar(r, name));
            let help = match near {
                Some(n) => format!("did you mean `{n}`? `schemashift rules` lists every rule"),
                None => "`schemashift rules` lists every rule".to_string(),
            };
            return Err(Error::data(format!("{file}: [lint.rules] names `{name}`, which is not a rule")).help(help));
        };
        let setting = match value.to_ascii_lowercase().as_str() {
            "off" => RuleSetting { enabled: Some(false), class: None },
            "on" => RuleSetting { enabled: Some(true), class: None },
            other => match Class::parse(other) {
                Some(class) => RuleSetting { enabled: Some(true), class: Some(class) },
                None => {
                    return Err(Error::data(format!("{file}: [lint.rules] {name} = \"{value}\" is not a setting"))
                        .help("use \"off\", \"on\", or a class: breaking, potentially-breaking, non-breaking, additive"));
                }
            },
        };
        options.rules.insert(rule.name.to_string(), setting);
    }
    let pattern = |kind: &str, text: &Option<String>| -> Result<Option<regex::Regex>> {
        text.as_deref()
            .map(|t| {
                // The whole name must match, whatever anchors the pattern has.
                regex::Regex::new(&format!("^(?:{t})$")).map_err(|e| {
                    Error::data(format!("{file}: [lint.naming] {kind} is not a regular expression: {e}"))
                })
            })
            .transpose()
    };
    let n = &config.naming;
    options.naming = Naming {
        table: pattern("table", &n.table)?,
        column: pattern("column", &n.column)?,
        index: pattern("index", &n.index)?,
        constraint: pattern("constraint", &n.constraint)?,
        view: pattern("view", &n.view)?,
    };
    Ok(options)
}

/// `--online` or `online = true`, with the file's timeouts (checked here,
/// so that a typo is an error now rather than when the migration runs).
fn online_setting(flag: bool, key: Option<bool>, timeouts: [Option<String>; 2], file: Option<&str>) -> Result<Option<crate::plan::Online>> {
    let file = file.unwrap_or(CONFIG_FILE);
    let mut online = crate::plan::Online::default();
    let [lock, statement] = timeouts;
    for (key, given, into) in [("lock_timeout", lock, &mut online.lock_timeout), ("statement_timeout", statement, &mut online.statement_timeout)] {
        if let Some(value) = given {
            if !is_duration(&value) {
                return Err(Error::data(format!("`{key}` in {file} is not a duration: `{value}`"))
                    .help("give a number with a unit PostgreSQL knows: `500ms`, `5s`, `2min`, `1h`, `1d`; `0` means no limit"));
            }
            *into = value.trim().to_string();
        }
    }
    Ok((flag || key.unwrap_or(false)).then_some(online))
}

/// A number, then optionally one of PostgreSQL's time units (`us`, `ms`,
/// `s`, `min`, `h`, `d`): what `SET lock_timeout` accepts.
fn is_duration(text: &str) -> bool {
    let text = text.trim();
    let digits = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    digits > 0 && ["", "us", "ms", "s", "min", "h", "d"].contains(&text[digits..].trim_start())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    const FILE: &str = "/repo/schemashift.toml";

    fn file(text: &str) -> Option<ConfigFile> {
        Some(ConfigFile { config: Config::parse(text, FILE).unwrap(), origin: FILE.into() })
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn epoch(name: &str) -> Option<String> {
        (name == SOURCE_DATE_EPOCH).then(|| "1700000000".into())
    }

    fn resolve(flags: Flags, env: &dyn Fn(&str) -> Option<String>, file: Option<ConfigFile>) -> Result<Settings> {
        Settings::resolve(flags, env, file, PathBuf::from("/repo"), Path::new("/repo/sub"))
    }

    fn in_file(key: &'static str) -> Origin {
        Origin::File { key, file: FILE.into() }
    }

    const FULL: &str = "schema = [\"db/*.sql\"]\ndialect = \"postgresql\"\ndir = \"db/migrations\"\nframework = \"dbmate\"\n\
                        concurrent_indexes = true\nserver_version = 11\n";

    #[test]
    fn defaults_when_nothing_is_said() {
        let s = resolve(Flags::default(), &no_env, None).unwrap();
        assert_eq!(s.dialect, Setting::new(Dialect::default(), Origin::Default));
        assert_eq!((s.schema, s.dir, s.framework, s.config_file), (None, None, None, None));
        assert_eq!((s.concurrent_indexes, s.server_version, s.quiet, s.allow_empty), (false, None, false, false));
        assert_eq!(s.now.origin, Origin::Default);
        assert!(s.deprecations.is_empty());
    }

    #[test]
    fn the_file_wins_over_defaults() {
        let s = resolve(Flags::default(), &no_env, file(FULL)).unwrap();
        assert_eq!(s.config_file.as_deref(), Some(FILE));
        assert_eq!(s.dialect, Setting::new(Dialect::Postgres, in_file("dialect")));
        assert_eq!(s.schema, Some(Setting::new(vec!["db/*.sql".to_string()], in_file("schema"))));
        // `dir` in the file is relative to the root, not to where one stands.
        assert_eq!(s.dir, Some(Setting::new(PathBuf::from("/repo/db/migrations"), in_file("dir"))));
        assert_eq!(s.framework, Some(Setting::new("dbmate".to_string(), in_file("framework"))));
        assert_eq!((s.concurrent_indexes, s.server_version), (true, Some(11)));
        assert_eq!(s.framework().unwrap().unwrap().name(), "dbmate");
    }

    #[test]
    fn flags_win_over_the_file() {
        let flags = Flags {
            dialect: Some("pg".into()),
            dir: Some("m".into()),
            framework: Some("goose".into()),
            concurrently: true,
            server_version: Some(10),
            quiet: true,
            allow_empty: true,
            ..Flags::default()
        };
        let s = resolve(flags, &no_env, file(FULL)).unwrap();
        assert_eq!(s.dialect.origin, Origin::Flag("--dialect"));
        // `--dir` is relative to the current directory.
        assert_eq!(s.dir, Some(Setting::new(PathBuf::from("/repo/sub/m"), Origin::Flag("--dir"))));
        assert_eq!(s.framework, Some(Setting::new("goose".to_string(), Origin::Flag("--framework"))));
        assert_eq!((s.server_version, s.quiet, s.allow_empty), (Some(10), true, true));
        // The flags not given leave the file's values.
        assert_eq!(s.schema.unwrap().origin, in_file("schema"));
    }

    #[test]
    fn the_environment_wins_over_the_clock() {
        let s = resolve(Flags::default(), &epoch, file(FULL)).unwrap();
        assert_eq!(s.now, Setting::new(1_700_000_000, Origin::Env(SOURCE_DATE_EPOCH)));
        // Not a number: the clock, as reproducible-build tools do.
        let s = resolve(Flags::default(), &|_| Some("soon".into()), None).unwrap();
        assert_eq!(s.now.origin, Origin::Default);
    }

    #[test]
    fn old_spellings_of_framework_still_work_with_a_note() {
        let flags = Flags { deprecated_format: Some("plain".into()), ..Flags::default() };
        let s = resolve(flags, &no_env, None).unwrap();
        assert_eq!(s.framework, Some(Setting::new("plain".to_string(), Origin::Flag("--format"))));
        assert_eq!(s.deprecations, ["--format is deprecated for generate; use --framework"]);

        let s = resolve(Flags::default(), &no_env, file("format = \"goose\"\n")).unwrap();
        assert_eq!(s.framework, Some(Setting::new("goose".to_string(), in_file("format"))));
        assert_eq!(s.deprecations, [format!("`format` in {FILE} is deprecated; rename it to `framework`")]);

        // The flag still wins over the old key, and the old key is still noted.
        let flags = Flags { framework: Some("plain".into()), ..Flags::default() };
        let s = resolve(flags, &no_env, file("format = \"goose\"\n")).unwrap();
        assert_eq!(s.framework.unwrap().origin, Origin::Flag("--framework"));
        assert_eq!(s.deprecations.len(), 1);

        let e = resolve(Flags::default(), &no_env, file("format = \"goose\"\nframework = \"goose\"\n")).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Data);
        assert!(e.message.contains(FILE), "{e}");
    }

    #[test]
    fn old_spellings_of_server_version_still_work_with_a_note() {
        let flags = Flags { deprecated_server_version: Some(11), ..Flags::default() };
        let s = resolve(flags, &no_env, None).unwrap();
        assert_eq!(s.server_version, Some(11));
        assert_eq!(s.deprecations, ["--postgres-version is deprecated; use --server-version"]);

        let s = resolve(Flags::default(), &no_env, file("postgres_version = 10\n")).unwrap();
        assert_eq!(s.server_version, Some(10));
        assert_eq!(s.deprecations, [format!("`postgres_version` in {FILE} is deprecated; rename it to `server_version`")]);

        // The new flag wins over the old key, which is still noted; the new key is not.
        let flags = Flags { server_version: Some(13), ..Flags::default() };
        let s = resolve(flags.clone(), &no_env, file("postgres_version = 10\n")).unwrap();
        assert_eq!((s.server_version, s.deprecations.len()), (Some(13), 1));
        let s = resolve(flags, &no_env, file("server_version = 10\n")).unwrap();
        assert_eq!((s.server_version, s.deprecations.len()), (Some(13), 0));

        let e = resolve(Flags::default(), &no_env, file("postgres_version = 10\nserver_version = 10\n")).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Data);
        assert!(e.message.contains(FILE), "{e}");
    }

    #[test]
    fn errors_name_where_the_value_came_from() {
        let e = resolve(Flags::default(), &no_env, file("dialect = \"oracle\"\n")).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Usage);
        assert!(e.message.contains("`oracle`") && e.message.contains(&format!("`dialect` in {FILE}")), "{e}");
        let e = resolve(Flags { dialect: Some("mysql".into()), ..Flags::default() }, &no_env, None).unwrap_err();
        assert!(e.message.contains("not yet supported (from --dialect)"), "{e}");
        assert_eq!(e.help.as_deref(), Some("only `postgres` is supported in this version; MySQL and SQLite are planned"));
        let e = resolve(Flags { dialect: Some("oracle".into()), ..Flags::default() }, &no_env, None).unwrap_err();
        assert_eq!(e.help.as_deref(), Some("use one of: postgres, mysql, sqlite"));

        // A framework is checked only when asked for: `diff` never asks.
        let s = resolve(Flags::default(), &no_env, file("framework = \"nope\"\n")).unwrap();
        let e = s.framework().err().unwrap();
        assert!(e.message.contains("`nope`") && e.message.contains(&format!("`framework` in {FILE}")), "{e}");
    }
}
