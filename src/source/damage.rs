//! What to say when the object database cannot give what was asked for.
//!
//! gix reports a revision it cannot walk to as out of range, whether the
//! history ends there, ends because the clone is shallow, or is broken by a
//! corrupt commit. Those need different answers (`unknown revision`, `git
//! fetch --deepen`, `git fsck`), so when a revision does not resolve, its
//! `~`/`^` steps are walked again here, one commit at a time, to find which.

use crate::error::{Error, Result};
use gix::ObjectId;
use std::path::Path;

/// A revision that did not resolve, explained: the clone is shallow and the
/// revision lies beyond its history (66), an object on the way is corrupt or
/// missing (74), or it does not exist (66).
pub(crate) fn unresolved_revision(repo: &gix::Repository, rev: &str) -> Error {
    match walk_steps(repo, rev) {
        Err(explained) => explained,
        Ok(()) => unknown_revision(repo, rev),
    }
}

/// A revision that resolved to an object that cannot be read. gix follows
/// `^` past the end of a shallow clone to a commit that is not there, so
/// the walk decides first whether that is the reason.
pub(crate) fn unreadable_revision(repo: &gix::Repository, rev: &str, id: ObjectId, e: &gix::Error) -> Error {
    match walk_steps(repo, rev) {
        Err(explained) => explained,
        Ok(()) => object_error(repo, id, &format!("reading '{rev}'"), e),
    }
}

/// An object that could not be read: exit 74. `context` says what it was
/// (`the root tree in HEAD~1`, `db/schema.sql in main`).
///
/// gix's own account of the failure (which decoder, which internal call) is
/// left out: where the object is stored and `git fsck` say more to a person.
pub(crate) fn object_error(repo: &gix::Repository, id: ObjectId, context: &str, _e: &gix::Error) -> Error {
    if repo.has_object(id) {
        return Error::io(format!("corrupt object {id}: {} ({context})", stored_copy(repo, id))).help(FSCK_HELP);
    }
    // Missing on purpose in a partial clone, where git fetches objects on
    // demand and gix does not: not damage, and git can repair it.
    if is_partial_clone(repo) {
        return Error::io(format!("object {id} has not been fetched into this partial clone ({context})")).help(format!(
            "let git fetch it: `git cat-file -p {id} > /dev/null`, or clone without `--filter`"
        ));
    }
    Error::io(format!("corrupt object {id}: missing from the object database ({context})")).help(FSCK_HELP)
}

pub(crate) const FSCK_HELP: &str = "the repository is damaged: `git fsck --full` lists what is broken; fetch the objects again \
                         (`git fetch`) or clone the repository anew";

/// No repository could be opened from `cwd`: none there (66, pointing at
/// `--no-index`), a `.git` file whose `gitdir:` leads nowhere (66), a
/// configuration git cannot parse (65), or one that cannot be read (74).
pub(crate) fn unopenable(cwd: &Path, e: &gix::Error) -> Error {
    let no_repo = || {
        Error::no_input(format!("not a git repository (or any parent directory): {}", cwd.display()))
            .help("run schemashift inside a git repository, or compare two paths without git: `--no-index <old> <new>`")
    };
    let Some(dot_git) = cwd.ancestors().map(|d| d.join(".git")).find(|p| p.exists()) else { return no_repo() };
    let at = dot_git.parent().unwrap_or(cwd).display().to_string();
    if dot_git.is_file() {
        let text = std::fs::read_to_string(&dot_git).unwrap_or_default();
        if let Some(target) = text.trim().strip_prefix("gitdir:").map(str::trim) {
            return Error::no_input(format!(
                "not a git repository: {} points to `{target}`, which is not a git directory",
                dot_git.display()
            ))
            .help("a worktree or submodule whose repository moved or was deleted: `git worktree repair` from the main repository, or fix the `gitdir:` line");
        }
        return no_repo();
    }
    if let Some(parse) = e.iter_errors().find_map(|c| c.downcast_ref::<gix::config::parse::Error>()) {
        return Error::data(format!(
            "cannot open the git repository at {at}: a git configuration file has a syntax error on line {}",
            parse.line_number()
        ))
        .help(format!("`git config --list --show-origin` names the file; the repository's own is {}", dot_git.join("config").display()));
    }
    let missing = ["HEAD", "objects", "refs"].into_iter().find(|part| !dot_git.join(part).exists());
    let why = match (missing, super::git::io_cause(e)) {
        (Some(part), _) => format!(": {} has no `{part}`", dot_git.display()),
        (None, Some(io)) => format!(": {io}"),
        (None, None) => String::new(),
    };
    Error::io(format!("cannot open the git repository at {at}{why}"))
        .help("`git status` there says what git finds wrong with it")
}

/// The index (`.git/index`) cannot be read: the reason when the operating
/// system gives one, else it is damaged.
pub(crate) fn index_error(repo: &gix::Repository, e: &gix::Error) -> Error {
    let path = repo.index_path();
    match super::git::io_cause(e) {
        Some(io) => Error::io(format!("cannot read the git index {}: {io}", path.display())),
        None => Error::io(format!("the git index {} is damaged: git cannot read its entries", path.display()))
            .help("rebuild it from HEAD with `rm .git/index && git reset` (staged changes become unstaged; the working tree is kept)"),
    }
}

/// `a...b` found no merge base. In a shallow clone that usually means the
/// history that holds it was not fetched.
pub(crate) fn no_merge_base(repo: &gix::Repository, a: &str, b: &str) -> Error {
    if is_shallow(repo) {
        return Error::no_input(format!(
            "'{a}' and '{b}' have no common ancestor in the history of this shallow clone"
        ))
        .help(deepen_help());
    }
    Error::no_input(format!("'{a}' and '{b}' have no common ancestor"))
        .help(format!("compare them directly with `{a} {b}` or `{a}..{b}`"))
}

/// An intact repository in which `rev` names nothing: [`super::revision`]
/// says which part of it, and what there is instead.
fn unknown_revision(repo: &gix::Repository, rev: &str) -> Error {
    let mut e = super::revision::explain(repo, rev);
    // In a shallow clone a commit id or branch may name history that was not
    // fetched; say so, without claiming it (the name may just be mistyped).
    if is_shallow(repo) && e.kind == crate::error::ErrorKind::NoInput {
        let help = e.help.take().map(|h| format!("{h}; ")).unwrap_or_default();
        e.help = Some(format!("{help}this is a shallow clone, so older commits may not be here: {}", deepen_help()));
    }
    e
}

fn deepen_help() -> String {
    "fetch more history with `git fetch --deepen=<N>` (N more commits) or all of it with `git fetch --unshallow` \
     (in GitHub Actions: `fetch-depth: 0` on actions/checkout)"
        .to_string()
}

/// One `~N` or `^N` step after the base of a revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// `~N`: the first parent, N times.
    Ancestor(usize),
    /// `^N`: the Nth parent (`^0` is the commit itself).
    Parent(usize),
}

/// Splits `HEAD~2^2` into `HEAD` and its steps. Ref names cannot contain `~`
/// or `^` (git-check-ref-format), so the steps are the longest tail made only
/// of them; `v1^{commit}~1` keeps its peel in the base. `None` without steps.
fn split_steps(rev: &str) -> Option<(&str, Vec<Step>)> {
    let starts = rev.char_indices().filter(|(_, c)| matches!(c, '~' | '^')).map(|(i, _)| i);
    for start in starts {
        if start == 0 {
            continue;
        }
        if let Some(steps) = parse_steps(&rev[start..]) {
            return Some((&rev[..start], steps));
        }
    }
    None
}

fn parse_steps(mut text: &str) -> Option<Vec<Step>> {
    let mut steps = Vec::new();
    while let Some(op) = text.chars().next() {
        let step = match op {
            '~' => Step::Ancestor,
            '^' => Step::Parent,
            _ => return None,
        };
        // `op` is ASCII, so byte 1 starts the next character.
        let rest = &text[1..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let n = if digits == 0 { 1 } else { rest[..digits].parse().ok()? };
        steps.push(step(n));
        text = &rest[digits..];
    }
    Some(steps)
}

/// Walks `rev`'s steps from its base, reading every commit on the way.
/// `Err` when the walk explains the failure (shallow boundary, damaged
/// object); `Ok` when it does not (no steps, a base that does not resolve, or
/// a history that really ends), leaving "unknown revision" as the answer.
fn walk_steps(repo: &gix::Repository, rev: &str) -> Result<()> {
    let Some((base, steps)) = split_steps(rev) else { return Ok(()) };
    let Ok(start) = repo.rev_parse_single(base) else { return Ok(()) };
    let shallow: Vec<ObjectId> = match repo.shallow_commits() {
        Ok(Some(commits)) => commits.iter().copied().collect(),
        _ => Vec::new(),
    };
    let mut id = peeled_commit(repo, start.detach(), rev)?;
    // `HEAD^{tree}~1`: not a commit, so no history to walk; the revision
    // module says what is wrong with it.
    if repo.find_commit(id).is_err() && repo.find_object(id).is_ok() {
        return Ok(());
    }
    for (nth, times) in steps.iter().map(|s| match *s {
        Step::Ancestor(n) => (1, n),
        Step::Parent(n) => (n, usize::from(n > 0)),
    }) {
        for _ in 0..times {
            let parents = parents(repo, id, rev)?;
            let Some(&parent) = parents.get(nth - 1) else { return Ok(()) };
            if shallow.contains(&id) {
                return Err(beyond_shallow(rev, id));
            }
            id = parent;
        }
    }
    // The last commit reached must be readable too.
    parents(repo, id, rev).map(|_| ())
}

/// The commit a revision's base names, through annotated tags.
fn peeled_commit(repo: &gix::Repository, id: ObjectId, rev: &str) -> Result<ObjectId> {
    let context = format!("reading '{rev}'");
    let object = repo.find_object(id).map_err(|e| object_error(repo, id, &context, &e))?;
    let peeled = object.peel_tags_to_end().map_err(|e| object_error(repo, id, &context, &e))?;
    Ok(peeled.id)
}

/// The parents recorded in commit `id`, whether or not they are present.
fn parents(repo: &gix::Repository, id: ObjectId, rev: &str) -> Result<Vec<ObjectId>> {
    let context = format!("while resolving '{rev}'");
    let commit = repo.find_commit(id).map_err(|e| object_error(repo, id, &context, &e))?;
    let decoded = commit.decode().map_err(|e| object_error(repo, id, &context, &e))?;
    Ok(decoded.parents().collect())
}

fn beyond_shallow(rev: &str, boundary: ObjectId) -> Error {
    Error::no_input(format!(
        "'{rev}' is older than the history of this shallow clone: the parents of commit {} were not fetched",
        boundary.to_hex_with_len(7)
    ))
    .help(deepen_help())
}

fn is_shallow(repo: &gix::Repository) -> bool {
    repo.is_shallow().unwrap_or(false)
}

/// A `--filter` clone marks its remote `promisor = true` (older git set
/// `extensions.partialClone` instead): objects may be missing on purpose.
fn is_partial_clone(repo: &gix::Repository) -> bool {
    let snapshot = repo.config_snapshot();
    let config = snapshot.plumbing();
    let promisor = |value: gix::bstr::BString| gix::config::Boolean::try_from(value).is_ok_and(|b| b.0);
    config.string("extensions.partialClone").is_some()
        || config.sections_by_name("remote").into_iter().flatten().any(|s| s.value("promisor").is_some_and(promisor))
}

/// Where the unreadable copy of object `id` is: its loose file, else a pack.
fn stored_copy(repo: &gix::Repository, id: ObjectId) -> String {
    let hex = id.to_string();
    let loose = repo.objects.store_ref().path().join(&hex[..2]).join(&hex[2..]);
    if loose.is_file() {
        format!("its file {} is damaged: no valid object can be read from it", loose.display())
    } else {
        "its stored copy (in a pack file) is damaged: no valid object can be read from it".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_the_tail_of_tildes_and_carets() {
        use Step::*;
        assert_eq!(split_steps("HEAD~1"), Some(("HEAD", vec![Ancestor(1)])));
        assert_eq!(split_steps("main~2^2^"), Some(("main", vec![Ancestor(2), Parent(2), Parent(1)])));
        assert_eq!(split_steps("v1^{commit}~3"), Some(("v1^{commit}", vec![Ancestor(3)])));
        assert_eq!(split_steps("main@{1}^0"), Some(("main@{1}", vec![Parent(0)])));
        assert_eq!(split_steps("main"), None);
        assert_eq!(split_steps("v1^{commit}"), None);
        assert_eq!(split_steps("~1"), None);
        assert_eq!(split_steps("HEAD~1é"), None);
        assert_eq!(split_steps("HEAD~99999999999999999999999"), None);
    }
}
