//! Which framework a project uses, and where its migrations live.
//!
//! Flags win, then `schemashift.toml` (both merged in [`crate::settings`]),
//! then what the repository shows: a
//! directory where some framework keeps migrations, the files in it (names,
//! marker comments, layout files such as `atlas.sum`) and telltale files at
//! the root (`go.mod` naming goose, `Cargo.toml` naming sqlx, …). When the
//! evidence points at two frameworks equally, schemashift refuses and asks,
//! rather than guessing a layout the runner would then reject.

use super::formats::{self, Format, Probe, TELLTALE_FILES};
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// The chosen framework and directory, and why.
pub struct Choice {
    pub format: &'static dyn Format,
    pub dir: PathBuf,
    pub reason: String,
}

/// Files next to a migrations directory that name its framework.
const NEIGHBOUR_FILES: &[&str] = &["env.py", "script.py.mako", "apps.py", "models.py", "__init__.py"];

/// The project's migrations directory and framework: as the run's settings
/// (flags, schemashift.toml) name them, else detected.
pub fn configured(settings: &crate::settings::Settings) -> Result<Choice> {
    choose(&settings.root, settings.dir.as_ref().map(|d| d.value.as_path()), settings.framework()?)
}

/// Chooses the format and directory: `dir` and `format` are what the
/// settings (or `inspect --migrations`) say, absolute; detected when `None`.
pub fn choose(root: &Path, dir: Option<&Path>, format: Option<&'static dyn Format>) -> Result<Choice> {
    let dir = dir.map(Path::to_path_buf);
    match (format, dir) {
        (Some(format), Some(dir)) => Ok(Choice { format, dir, reason: "as configured".into() }),
        (Some(format), None) => {
            let dir = format
                .dirs()
                .iter()
                .map(|d| root.join(d))
                .find(|d| d.is_dir())
                .unwrap_or_else(|| root.join(format.dirs()[0]));
            Ok(Choice { format, dir, reason: format!("the usual directory of {}", format.name()) })
        }
        (None, Some(dir)) => {
            let (format, reason) = detect_format(root, &dir)?;
            Ok(Choice { format, dir, reason })
        }
        (None, None) => {
            let dir = find_dir(root)?;
            let (format, reason) = detect_format(root, &dir)?;
            Ok(Choice { format, dir, reason })
        }
    }
}

/// The one directory under `root` where some framework keeps migrations.
fn find_dir(root: &Path) -> Result<PathBuf> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    let mut usual: Vec<&str> = formats::all().iter().flat_map(|f| f.dirs().iter().copied()).collect();
    usual.sort();
    usual.dedup();
    for d in usual {
        let path = root.join(d);
        if formats::list_dir(&path)?.is_empty() {
            continue;
        }
        if !candidates.contains(&path) {
            candidates.push(path);
        }
    }
    match candidates.len() {
        1 => Ok(candidates.remove(0)),
        0 => Err(Error::usage("no migrations directory found")
            .help("pass --dir <directory> and --framework <framework>, or set `dir` and `framework` in schemashift.toml")),
        _ => Err(Error::usage(format!(
            "several migrations directories: {}",
            candidates.iter().map(|c| relative(root, c)).collect::<Vec<_>>().join(", ")
        ))
        .help("choose one with --dir, or set `dir` in schemashift.toml")),
    }
}

/// The framework whose evidence in and around `dir` is strongest.
pub fn detect_format(root: &Path, dir: &Path) -> Result<(&'static dyn Format, String)> {
    let probe = probe(root, dir)?;
    let mut scored: Vec<(u32, &'static dyn Format)> = formats::all().into_iter().map(|f| (f.detect(&probe), f)).collect();
    scored.sort_by_key(|(score, _)| std::cmp::Reverse(*score));
    let best = scored[0].0;
    let top: Vec<&'static dyn Format> = scored.iter().filter(|(s, _)| *s == best).map(|(_, f)| *f).collect();
    let shown = relative(root, dir);
    if best == 0 {
        return Err(Error::usage(format!("cannot tell which migration framework {shown} belongs to"))
            .help(format!("pass --framework <framework> (one of: {})", names(&formats::all()))));
    }
    if top.len() == 1 {
        return Ok((top[0], format!("detected from {shown}")));
    }
    // `NNNN_name.up.sql` files and nothing else: the plain layout, which is
    // also what golang-migrate and sqlx read.
    if best == 1 && top.iter().any(|f| f.name() == "plain") {
        let plain = formats::by_name("plain")?;
        return Ok((plain, format!("detected from {shown}")));
    }
    Err(Error::usage(format!("{shown} could be {} migrations", names(&top).replace(", ", " or ")))
        .help("say which with --framework, or set `framework` in schemashift.toml"))
}

fn probe(root: &Path, dir: &Path) -> Result<Probe> {
    let entries = formats::list_dir(dir)?;
    let mut samples = Vec::new();
    for (name, _) in entries.iter().filter(|(_, is_dir)| !is_dir).take(8) {
        if let Ok(bytes) = std::fs::read(dir.join(name)) {
            let head = &bytes[..bytes.len().min(4096)];
            samples.push(String::from_utf8_lossy(head).into_owned());
        }
    }
    let mut telltales = Vec::new();
    let mut read = |base: &Path, name: &str| {
        if let Ok(bytes) = std::fs::read(base.join(name)) {
            let head = &bytes[..bytes.len().min(65_536)];
            telltales.push((name.to_string(), String::from_utf8_lossy(head).into_owned()));
        }
    };
    for name in TELLTALE_FILES {
        read(root, name);
    }
    if let Some(parent) = dir.parent() {
        for name in NEIGHBOUR_FILES {
            read(parent, name);
        }
    }
    Ok(Probe { entries, samples, telltales })
}

fn names(list: &[&'static dyn Format]) -> String {
    list.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ")
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).display().to_string()
}
