//! What a branch may do to a migrations directory, judged against a base
//! revision (`check --base origin/main`):
//!
//! - the migrations it adds sort after every migration on the base, or the
//!   runner applies them out of order — or, when two branches took the same
//!   number, one of them not at all (`schemashift renumber` fixes it);
//! - the migrations the base already has are not edited or removed: a
//!   runner never applies a migration twice, so an edit reaches no database
//!   that already ran it;
//! - `atlas.sum`, when there is one, matches the files.
//!
//! "Added on this branch" is what the side holds that the merge base of the
//! base and the branch does not: migrations the base gained since the
//! branch started are not the branch's doing.

use super::snapshot::Snapshot;
use crate::error::Result;
use crate::generate::detect::Choice;
use crate::generate::formats::{Existing, atlas};
use crate::generate::version;
use crate::settings::Settings;
use crate::source::{self, Side};
use std::path::Path;

/// One thing wrong, and what fixes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub message: String,
    pub help: String,
}

/// The directory at `side` against revision `base`.
pub fn against(base: &str, side: &Side, choice: &Choice, settings: &Settings, cwd: &Path) -> Result<Vec<Problem>> {
    let branch_rev = match side {
        Side::Rev(r) => r.clone(),
        _ => "HEAD".to_string(),
    };
    let fork = source::merge_base(base, &branch_rev, cwd)?;
    let tip = Snapshot::at(&Side::Rev(base.to_string()), choice, &settings.root, cwd)?;
    let start = Snapshot::at(&Side::Rev(fork), choice, &settings.root, cwd)?;
    let ours = Snapshot::at(side, choice, &settings.root, cwd)?;
    let mut problems = Vec::new();
    let base_migrations = tip.migrations(choice)?;
    for m in start.migrations(choice)?.iter().chain(&base_migrations) {
        for p in edited(m, &tip, &start, &ours, base) {
            if !problems.contains(&p) {
                problems.push(p);
            }
        }
    }
    let added = added(&ours, &start, choice)?;
    if let Some(newest) = base_migrations.last() {
        for m in &added {
            if base_migrations.iter().any(|b| b.name == m.name) {
                continue;
            }
            if version::compare(&m.version, &newest.version) != std::cmp::Ordering::Greater {
                problems.push(Problem {
                    message: format!(
                        "{} (version {}) is new on this branch but does not sort after {} (version {}) on {base}: the runner would apply it out of order{}",
                        ours.shown(&m.paths[0]),
                        m.version,
                        tip.shown(&newest.paths[0]),
                        newest.version,
                        if version::same(&m.version, &newest.version) { ", or skip one of the two with the same version" } else { "" }
                    ),
                    help: format!("renumber this branch's migrations after the base's newest: `schemashift renumber --base {base}`"),
                });
            }
        }
    }
    problems.extend(sum_mismatch(&ours));
    Ok(problems)
}

/// The migrations of `ours` that the branch's starting point did not have.
/// Read by name from the listing, not by the framework's scan, so that a
/// chain the branch broke (two Alembic heads) is still reported in order.
pub fn added(ours: &Snapshot, start: &Snapshot, choice: &Choice) -> Result<Vec<Existing>> {
    let known = start.migrations(choice)?;
    let mut found: Vec<Existing> = Vec::new();
    for path in ours.files.keys() {
        // Migrations are files or directories directly in the directory.
        let (top, is_dir) = match path.split_once('/') {
            Some((dir, _)) => (dir, true),
            None => (path.as_str(), false),
        };
        let Some((version, name)) = choice.format.entry(top, is_dir) else { continue };
        if known.iter().any(|k| k.name == name) || found.iter().any(|f| f.name == name) {
            if let Some(f) = found.iter_mut().find(|f| f.name == name && !f.paths.iter().any(|p| p == Path::new(top))) {
                f.paths.push(top.into());
            }
            continue;
        }
        found.push(Existing { version, name, paths: vec![top.into()], id: None, parent: None });
    }
    for f in &mut found {
        // The up file first, as the framework's scan orders them.
        f.paths.sort_by_key(|p| (!p.to_string_lossy().ends_with(".up.sql"), p.clone()));
    }
    found.sort_by(|a, b| version::compare(&a.version, &b.version).then_with(|| a.name.cmp(&b.name)));
    Ok(found)
}

/// A migration the base (or the branch's start) has, edited or removed on
/// the branch. A file the base itself edited since the branch started is
/// the base's doing: the branch may hold either version.
fn edited(m: &Existing, tip: &Snapshot, start: &Snapshot, ours: &Snapshot, base: &str) -> Vec<Problem> {
    let mut out = Vec::new();
    for top in &m.paths {
        let top = top.to_string_lossy().into_owned();
        let inside = |p: &String| *p == top || p.starts_with(&format!("{top}/"));
        let paths: std::collections::BTreeSet<&String> = tip.files.keys().chain(start.files.keys()).filter(|p| inside(p)).collect();
        for path in paths {
            let shown = ours.shown(Path::new(path));
            let (at_tip, at_start) = (tip.files.get(path), start.files.get(path));
            let problem = match ours.files.get(path) {
                Some(b) if Some(b) == at_tip || Some(b) == at_start => continue,
                Some(_) => Problem {
                    message: format!("{shown} is already on {base} and was changed: databases that ran it will not run it again"),
                    help: format!("restore it (`git checkout {base} -- {shown}`) and put the change in a new migration"),
                },
                None if at_start.is_some() && at_tip.is_some() => Problem {
                    message: format!("{shown} is on {base} but not on this branch: removing a migration that ran does not undo it"),
                    help: format!("restore it (`git checkout {base} -- {shown}`); to undo its change, add a new migration"),
                },
                // New on the base since the branch started, or removed by the base.
                None => continue,
            };
            out.push(problem);
        }
    }
    out
}

/// `atlas.sum` against the files it lists, when the directory has one.
fn sum_mismatch(ours: &Snapshot) -> Option<Problem> {
    let listed = ours.files.get(atlas::SUM_FILE)?;
    let files: Vec<(String, Vec<u8>)> =
        ours.files.iter().filter(|(p, _)| !p.contains('/') && p.ends_with(".sql")).map(|(p, b)| (p.clone(), b.clone())).collect();
    let expected = atlas::sum_file(&files);
    if expected.as_bytes() == listed.as_slice() {
        return None;
    }
    Some(Problem {
        message: format!("{} does not match the migration files: Atlas refuses to run the directory", ours.shown(Path::new(atlas::SUM_FILE))),
        help: "rehash it: `atlas migrate hash` (or `schemashift renumber`, which rewrites it)".to_string(),
    })
}
