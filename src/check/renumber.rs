//! `schemashift renumber --base <rev>`: moves the migrations this branch
//! added after the base's newest, so that the runner applies them last, as
//! they were written. Files are renamed (and their runbooks with them); the
//! files that name other migrations follow: `atlas.sum` is rewritten, an
//! Alembic migration's `down_revision` and a Django migration's
//! `dependencies` point at the base's newest migration.
//!
//! Everything is checked before the first file moves; no file is
//! overwritten.

use super::base::added;
use super::snapshot::Snapshot;
use crate::error::{Error, Result};
use crate::generate::detect::Choice;
use crate::generate::formats::{Existing, alembic};
use crate::generate::version;
use crate::generate::write::{OutFile, write_all};
use crate::settings::Settings;
use crate::source::{self, Side};
use std::path::{Path, PathBuf};

/// What renumbering did.
pub struct Renumbered {
    /// (old path, new path), as the user knows them.
    pub renamed: Vec<(String, String)>,
    /// Files rewritten in place.
    pub rewritten: Vec<String>,
}

/// A file renamed, and what its text must say afterwards.
struct Move {
    from: PathBuf,
    to: PathBuf,
}

/// Renumbers the working tree's migrations added since `base` and HEAD
/// forked after `base`'s newest; `now` is for timestamp versions.
pub fn renumber(base: &str, choice: &Choice, settings: &Settings, cwd: &Path, now: i64) -> Result<Renumbered> {
    if choice.format.name() == "liquibase" {
        return Err(Error::usage("Liquibase runs changesets in the order its changelog lists them, not by file name: reorder the changelog's includes instead"));
    }
    let fork = source::merge_base(base, "HEAD", cwd)?;
    let tip = Snapshot::at(&Side::Rev(base.to_string()), choice, &settings.root, cwd)?;
    let start = Snapshot::at(&Side::Rev(fork), choice, &settings.root, cwd)?;
    let ours = Snapshot::at(&Side::WorkTree, choice, &settings.root, cwd)?;
    let theirs = tip.migrations(choice)?;
    let mine: Vec<Existing> = added(&ours, &start, choice)?.into_iter().filter(|m| !theirs.iter().any(|t| t.name == m.name)).collect();
    let Some(newest) = theirs.last() else { return Ok(Renumbered { renamed: Vec::new(), rewritten: Vec::new() }) };
    if mine.iter().all(|m| version::compare(&m.version, &newest.version) == std::cmp::Ordering::Greater) {
        return Ok(Renumbered { renamed: Vec::new(), rewritten: Vec::new() });
    }
    let versions: Vec<String> = theirs.iter().map(|m| m.version.clone()).collect();
    let style = version::detect(&versions).unwrap_or_else(|| choice.format.style());
    let mut next = version::next(style, &versions, now);
    let mut moves: Vec<Move> = Vec::new();
    let mut names: Vec<(String, String)> = Vec::new();
    for m in &mine {
        let new_name = m.name.replacen(&m.version, &next, 1);
        for p in &m.paths {
            let name = p.to_string_lossy();
            moves.push(Move { from: p.clone(), to: PathBuf::from(name.replacen(&m.version, &next, 1)) });
        }
        // The runbook `generate` wrote beside it.
        // `<version>_<slug>.runbook.md`, whether the framework's name for the
        // migration holds the version (dbmate), not (golang-migrate) or more
        // (Alembic's revision id between them).
        let runbook = |f: &&String| {
            let Some(rest) = f.strip_suffix(".runbook.md").filter(|s| !s.contains('/')).and_then(|s| s.strip_prefix(m.version.as_str())) else {
                return false;
            };
            !rest.is_empty() && (m.name.ends_with(rest) || rest.ends_with(m.name.as_str()))
        };
        for f in ours.files.keys().filter(runbook) {
            moves.push(Move { from: PathBuf::from(f), to: PathBuf::from(f.replacen(&m.version, &next, 1)) });
        }
        names.push((m.name.clone(), new_name));
        next = version::successor(&next)?;
    }
    for mv in &moves {
        if ours.dir.join(&mv.to).exists() && !moves.iter().any(|o| o.from == mv.to) {
            return Err(Error::data(format!("cannot renumber: {} already exists", ours.shown(&mv.to))).help("nothing was renamed"));
        }
    }
    let edits = texts(&mine, &names, &theirs, &ours, choice)?;
    // Two passes through temporary names, so that a chain of renames
    // (0004 → 0005 while 0003 → 0004) never lands on a file still there.
    let tmp = |p: &Path| ours.dir.join(format!(".schemashift-renumber-{}", p.to_string_lossy().replace('/', "_")));
    for mv in &moves {
        rename(&ours.dir.join(&mv.from), &tmp(&mv.from))?;
    }
    for mv in &moves {
        rename(&tmp(&mv.from), &ours.dir.join(&mv.to))?;
    }
    // The texts that name other migrations, at their new names, and
    // atlas.sum, which hashes every file by name: written as `generate`
    // writes, each replaced whole.
    let mut files: Vec<OutFile> = edits
        .into_iter()
        .map(|(path, text)| {
            let to = moves.iter().find(|m| m.from == path).map_or(path, |m| m.to.clone());
            OutFile { replace: true, ..OutFile::new(to, text) }
        })
        .collect();
    let sum = Path::new(crate::generate::formats::atlas::SUM_FILE);
    files.extend(choice.format.index(&ours.dir, &[], settings.dialect.value)?.into_iter().filter(|f| f.path == sum && ours.dir.join(sum).exists()));
    write_all(&ours.dir, &files)?;
    let rewritten = files.iter().map(|f| ours.shown(&f.path)).collect();
    let renamed = moves.iter().map(|m| (ours.shown(&m.from), ours.shown(&m.to))).collect();
    Ok(Renumbered { renamed, rewritten })
}

/// The new texts of the files that name other migrations: Alembic's first
/// new migration follows the base's head; Django's name the renamed ones and
/// the first follows the base's newest.
fn texts(mine: &[Existing], names: &[(String, String)], theirs: &[Existing], ours: &Snapshot, choice: &Choice) -> Result<Vec<(PathBuf, String)>> {
    let read = |p: &Path| String::from_utf8(ours.files.get(&p.to_string_lossy().into_owned()).cloned().unwrap_or_default()).unwrap_or_default();
    let mut out = Vec::new();
    match choice.format.name() {
        "alembic" => {
            let head = theirs.last().and_then(|t| t.id.clone()).unwrap_or_default();
            let ids: Vec<(PathBuf, String, Vec<String>)> = mine
                .iter()
                .map(|m| {
                    let text = read(&m.paths[0]);
                    alembic::chain_ids(&text, &ours.shown(&m.paths[0])).map(|(id, parents)| (m.paths[0].clone(), id, parents))
                })
                .collect::<Result<_>>()?;
            for (path, _, parents) in &ids {
                // The first of this branch's: it follows none of them.
                let first = parents.iter().all(|p| !ids.iter().any(|(_, id, _)| id == p));
                if first && !parents.contains(&head) {
                    let text = read(path);
                    out.push((path.clone(), follow_alembic(&text, parents, &head)));
                }
            }
        }
        "django" => {
            let newest = theirs.last().map(|m| m.name.clone()).unwrap_or_default();
            for (i, m) in mine.iter().enumerate() {
                let mut text = read(&m.paths[0]);
                for (old, new) in names {
                    text = replace_quoted(&text, old, new);
                }
                // The first follows the base's newest, whichever of the
                // base's it followed when it was written.
                if i == 0 {
                    for t in theirs.iter().filter(|t| t.name != newest) {
                        text = replace_quoted(&text, &t.name, &newest);
                    }
                }
                out.push((m.paths[0].clone(), text));
            }
        }
        _ => {}
    }
    Ok(out)
}

/// `down_revision` (and the docstring's `Revises:`) pointing at `head`.
fn follow_alembic(text: &str, parents: &[String], head: &str) -> String {
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        let end = if line.ends_with('\n') { "\n" } else { "" };
        if line.starts_with("down_revision") {
            let annotation = line.split_once('=').map(|(l, _)| l.trim_end()).unwrap_or("down_revision");
            out.push_str(&format!("{annotation} = '{head}'{end}"));
        } else if line.starts_with("Revises:") && parents.iter().all(|p| line.contains(p.as_str())) {
            out.push_str(&format!("Revises: {head}{end}"));
        } else {
            out.push_str(line);
        }
    }
    out
}

/// `'old'` and `"old"` as Python string literals become `new`.
fn replace_quoted(text: &str, old: &str, new: &str) -> String {
    text.replace(&format!("'{old}'"), &format!("'{new}'")).replace(&format!("\"{old}\""), &format!("\"{new}\""))
}

fn rename(from: &Path, to: &Path) -> Result<()> {
    std::fs::rename(from, to).map_err(|e| Error::io(format!("cannot rename {} to {}: {e}", from.display(), to.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alembic_follows_the_new_head() {
        let text = "\"\"\"add x\n\nRevision ID: bbb\nRevises: aaa\n\"\"\"\nrevision = 'bbb'\ndown_revision: str | None = 'aaa'\n";
        let out = follow_alembic(text, &["aaa".into()], "ccc");
        assert!(out.contains("Revises: ccc\n") && out.contains("down_revision: str | None = 'ccc'\n") && out.contains("revision = 'bbb'"), "{out}");
    }

    #[test]
    fn django_names_in_either_quote() {
        let text = "dependencies = [(\"app\", \"0002_a\"), ('app', '0002_a_more')]";
        assert_eq!(replace_quoted(text, "0002_a", "0003_b"), "dependencies = [(\"app\", \"0003_b\"), ('app', '0002_a_more')]");
    }
}
