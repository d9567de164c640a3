//! What to say when a revision does not resolve.
//!
//! gix reports where its parser gave up in its own vocabulary (the callback
//! that failed, the Rust name of the navigation step), which means nothing to
//! someone who typed `HEAD~9`. So a revision that fails is taken apart here
//! the way git reads it, `<base>` then `~N`, `^N`, `^{…}`, `@{…}` steps, then
//! `:<path>`, and each longer prefix is resolved again until one fails. That
//! piece is the one the message names, with what the repository has instead:
//! how many ancestors there are, how many parents, which names are close.
//!
//! Damage (a corrupt commit on the way, a shallow clone's boundary) is told
//! apart before this, in [`super::damage`]; what reaches here is a revision
//! that names nothing in an intact repository.

use crate::error::{Error, ErrorKind};
use gix::bstr::ByteSlice;
use gix::ObjectId;

/// The forms a revision may take, for the help of every message here.
const FORMS: &str = "a branch, tag or commit id, optionally followed by `~N` (N commits back), `^N` (the Nth parent) \
                     or `@{N}` (the Nth reflog entry), e.g. `main`, `v1.0`, `a1b2c3d`, `HEAD~2`";

/// The error for `rev`, which gix could not resolve.
pub(crate) fn explain(repo: &gix::Repository, rev: &str) -> Error {
    match Parsed::new(rev) {
        Ok(parsed) => parsed.explain(repo),
        Err(why) => Error::usage(format!("invalid revision '{rev}': {why}")).help(format!("give {FORMS}")),
    }
}

/// One step after the base of a revision.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// `~N`: the first parent, N times.
    Ancestor(usize),
    /// `^N`: the Nth parent (`^0`: the commit itself).
    Parent(usize),
    /// `^{…}`: peel to a kind of object, or `^{/text}`: the youngest commit
    /// whose message matches.
    Peel(String),
    /// `@{…}`: a reflog entry, date, previous branch or upstream.
    At(String),
}

/// A revision taken apart: `base`, then `steps`, each with the end of its
/// text in the revision, then an optional `:path`.
#[derive(Debug, PartialEq, Eq)]
struct Parsed<'a> {
    rev: &'a str,
    base: &'a str,
    steps: Vec<(Step, usize)>,
    /// `:path` after a tree-ish; the index forms `:path` and `:/text` have an empty base.
    path: Option<&'a str>,
}

impl<'a> Parsed<'a> {
    /// Splits `rev`; `Err` says why it cannot be a revision at all.
    fn new(rev: &'a str) -> Result<Parsed<'a>, String> {
        // `:path` starts at the first colon outside braces (`@{10:00}`, `^{/a:b}`).
        let mut depth = 0usize;
        let colon = rev.char_indices().find_map(|(i, c)| {
            match c {
                '{' => depth += 1,
                '}' => depth = depth.saturating_sub(1),
                ':' if depth == 0 => return Some(i),
                _ => {}
            }
            None
        });
        let (treeish, path) = match colon {
            Some(i) => (&rev[..i], Some(&rev[i + 1..])),
            None => (rev, None),
        };
        // Ref names cannot contain `~`, `^` or `@{` (git-check-ref-format).
        let base_end = [treeish.find('~'), treeish.find('^'), treeish.find("@{")].into_iter().flatten().min();
        let base = &treeish[..base_end.unwrap_or(treeish.len())];
        let mut steps = Vec::new();
        let mut at = base.len();
        while at < treeish.len() {
            let rest = &treeish[at..];
            let (step, len) = if let Some(inner) = rest.strip_prefix("^{").or_else(|| rest.strip_prefix("@{")) {
                let close = inner.find('}').ok_or_else(|| format!("`{rest}` has no closing `}}`"))?;
                let text = inner[..close].to_string();
                let step = if rest.starts_with('^') { Step::Peel(text) } else { Step::At(text) };
                (step, close + 3)
            } else if let Some(op @ ('~' | '^')) = rest.chars().next() {
                let digits = rest[1..].bytes().take_while(u8::is_ascii_digit).count();
                let n = match digits {
                    0 => 1,
                    _ => rest[1..=digits].parse().map_err(|_| format!("the number in `{}` is too large", &rest[..=digits]))?,
                };
                (if op == '~' { Step::Ancestor(n) } else { Step::Parent(n) }, digits + 1)
            } else {
                return Err(format!("`{rest}` after `{}` is not revision syntax", &treeish[..at]));
            };
            at += len;
            steps.push((step, at));
        }
        // Only `@{…}` may stand without a base (`@{-1}`, `@{u}`: the current branch).
        if base.is_empty() && steps.first().is_some_and(|(s, _)| !matches!(s, Step::At(_))) {
            return Err(format!("`{treeish}` needs a branch, tag or commit before it, e.g. `HEAD{treeish}`"));
        }
        Ok(Parsed { rev, base, steps, path })
    }

    fn explain(&self, repo: &gix::Repository) -> Error {
        let rev = self.rev;
        if self.base.is_empty() && self.steps.is_empty() {
            if let Some(text) = self.path.and_then(|p| p.strip_prefix('/')) {
                return unknown(rev, format!("no commit message matches `{text}`"))
                    .help("`:/text` names the youngest commit whose message contains `text`; `git log --oneline` lists them");
            }
            if let Some(path) = self.path {
                return unknown(rev, format!("the index has no file `{path}`"))
                    .help(format!("`:path` names a file in the index; give {FORMS}"));
            }
        }
        // The base: `@` and an empty base before `@{…}` stand for HEAD.
        let base = match self.base {
            "" | "@" => "HEAD",
            b => b,
        };
        let mut shown = base.to_string();
        let mut id = match repo.rev_parse_single(base) {
            Ok(id) => id.detach(),
            Err(base_error) => return self.unknown_base(repo, base, &base_error),
        };
        for (step, end) in &self.steps {
            match repo.rev_parse_single(&self.rev[..*end]) {
                Ok(next) => id = next.detach(),
                Err(_) => return self.step_failed(repo, step, &shown, id),
            }
            shown = self.rev[..*end].to_string();
        }
        if let Some(path) = self.path {
            return unknown(rev, format!("{shown} has no file or directory `{path}`"))
                .help(format!("`<revision>:<path>` names a path in that revision; `git ls-tree --name-only {shown}` lists what is there"));
        }
        // Every piece resolves on its own: say no more than that it failed,
        // rather than repeat gix's words.
        unknown(rev, "git cannot resolve it".to_string()).help(format!("give {FORMS}"))
    }

    /// The base names nothing: no such ref, an ambiguous or unknown short
    /// id, a HEAD without commits or one that cannot be read.
    fn unknown_base(&self, repo: &gix::Repository, base: &str, e: &gix::Error) -> Error {
        use gix::revision::spec::parse::Error as Parse;
        let rev = self.rev;
        for cause in e.iter_errors() {
            match cause.downcast_ref::<Parse>() {
                Some(Parse::AmbiguousPrefix { prefix, candidates }) => {
                    let kinds: Vec<String> = candidates.iter().map(|(id, info)| format!("{} ({})", id, candidate(info))).collect();
                    return Error::usage(format!(
                        "ambiguous revision '{rev}': {} objects have ids starting with {prefix}: {}",
                        candidates.len(),
                        kinds.join(", ")
                    ))
                    .help("give more digits of the commit id, e.g. the 12 that `git log --oneline --abbrev=12` shows");
                }
                Some(Parse::AmbiguousRefAndObject { prefix, reference, .. }) => {
                    return Error::usage(format!(
                        "ambiguous revision '{rev}': {prefix} is both the name {} and the start of an object id",
                        reference.as_bstr()
                    ))
                    .help(format!("write the name in full (`{}`) or give more digits of the id", reference.as_bstr()));
                }
                _ => {}
            }
        }
        if base == "HEAD" {
            match repo.head() {
                Err(_) => {
                    return Error::io(format!(
                        "cannot read '{rev}': HEAD ({}) does not name a branch or commit",
                        repo.git_dir().join("HEAD").display()
                    ))
                    .help("the repository is damaged: point HEAD at a branch again, e.g. `git symbolic-ref HEAD refs/heads/main`");
                }
                Ok(head) if head.is_unborn() => {
                    let branch = head.referent_name().map(|n| n.shorten().to_string()).unwrap_or_else(|| "HEAD".into());
                    return unknown(rev, format!("the branch `{branch}` has no commits yet"))
                        .help("commit first, or compare the index with the working tree: `schemashift diff` with no revision");
                }
                Ok(_) => {}
            }
        }
        let hex = (4..=40).contains(&base.len()) && base.bytes().all(|b| b.is_ascii_hexdigit());
        let reason = if hex {
            format!("no branch or tag is named `{base}`, and no object id starts with it")
        } else {
            format!("no branch, tag or remote branch is named `{base}`")
        };
        let near = similar_names(repo, base);
        let help = match near.as_slice() {
            [] => format!("give {FORMS}; `git branch -a` and `git tag` list the names"),
            names => format!("did you mean {}? `git branch -a` and `git tag` list the names", names.join(" or ")),
        };
        unknown(rev, reason).help(help)
    }

    /// `step` after `shown` (which resolved to `id`) names nothing.
    fn step_failed(&self, repo: &gix::Repository, step: &Step, shown: &str, id: ObjectId) -> Error {
        let rev = self.rev;
        let kind = repo.find_object(id).map(|o| o.kind).ok();
        let not_a_commit = |what: &str| {
            unknown(rev, format!("{shown} is a {}, and only a commit has {what}", kind.map_or("non-commit".into(), |k| k.to_string())))
                .help(format!("apply `~` and `^` to a commit: give {FORMS}"))
        };
        match step {
            Step::Ancestor(n) => {
                let Some(depth) = first_parents(repo, id, *n) else { return not_a_commit("ancestors") };
                let reason = match depth {
                    0 => format!("{shown} is the first commit of its history, with no ancestors"),
                    1 => format!("{shown} has only 1 ancestor (following first parents)"),
                    d => format!("{shown} has only {d} ancestors (following first parents)"),
                };
                unknown(rev, reason).help(if depth == 0 {
                    format!("`{shown}` itself is the oldest; `git log --oneline {shown}` lists the history")
                } else {
                    format!("the oldest is `{shown}~{depth}`; `git log --oneline --first-parent {shown}` lists them")
                })
            }
            Step::Parent(n) => {
                let Some(parents) = parent_count(repo, id) else { return not_a_commit("parents") };
                if parents == 0 {
                    return unknown(rev, format!("{shown} is the first commit of its history, with no parent"))
                        .help(format!("`{shown}` itself is the oldest; `git log --oneline {shown}` lists the history"));
                }
                let reason = if parents == 1 {
                    format!("{shown} has 1 parent, so `^{n}` names none")
                } else {
                    format!("{shown} has {parents} parents, so `^{n}` names none")
                };
                unknown(rev, reason)
                    .help("`^2` is the second parent of a merge commit; `~N` goes N commits back along first parents")
            }
            Step::Peel(inner) if inner.starts_with('/') => {
                unknown(rev, format!("no commit reachable from {shown} has a message matching `{}`", &inner[1..]))
                    .help(format!("`git log --oneline {shown}` lists the commits and their messages"))
            }
            Step::Peel(inner) => {
                let known = ["", "commit", "tree", "blob", "tag", "object"];
                if !known.contains(&inner.as_str()) {
                    return Error::usage(format!("invalid revision '{rev}': `^{{{inner}}}` is not a kind of object"))
                        .help("peel with `^{commit}`, `^{tree}`, `^{blob}`, `^{tag}` or `^{}`");
                }
                let kind = kind.map_or("object".into(), |k| k.to_string());
                unknown(rev, format!("{shown} is a {kind}, which cannot be peeled to a {inner}"))
                    .help("a tag peels to what it points at, a commit to its tree; nothing peels to a blob or tag")
            }
            Step::At(inner) => at_failed(rev, self.base, inner),
        }
    }
}

/// `@{…}` that names nothing.
fn at_failed(rev: &str, base: &str, inner: &str) -> Error {
    let of = if base.is_empty() { "the current branch".to_string() } else { format!("`{base}`") };
    if let Some(n) = inner.strip_prefix('-') {
        let reason = if n == "1" {
            "no other branch was checked out before this one".to_string()
        } else {
            format!("fewer than {n} other branches were checked out before this one")
        };
        return unknown(rev, reason)
            .help("`git reflog` lists the checkouts; name the branch instead");
    }
    if ["u", "upstream", "push"].contains(&inner.to_ascii_lowercase().as_str()) {
        return unknown(rev, format!("{of} has no {} branch configured", if inner.eq_ignore_ascii_case("push") { "push" } else { "upstream" }))
            .help("name the remote branch itself, e.g. `origin/main`, or set one with `git branch --set-upstream-to=origin/<branch>`");
    }
    let reflog = if base.is_empty() { "HEAD".to_string() } else { base.to_string() };
    if inner.bytes().all(|b| b.is_ascii_digit()) {
        return unknown(rev, format!("the reflog of {of} has no entry {inner}"))
            .help(format!("`git reflog show {reflog}` lists its entries; old ones expire, and a fresh clone has few"));
    }
    unknown(rev, format!("the reflog of {of} does not reach back to `{inner}`"))
        .help(format!("`git reflog show --date=iso {reflog}` lists its entries with their dates"))
}

/// How many ancestors `id` has along first parents, counted up to `most`;
/// `None` when `id` is not a commit (nor a tag of one).
fn first_parents(repo: &gix::Repository, id: ObjectId, most: usize) -> Option<usize> {
    let mut commit = as_commit(repo, id)?;
    let mut depth = 0;
    while depth < most {
        let Some(parent) = commit.parent_ids().next() else { break };
        // Damage on the way was reported before this module is asked.
        let Some(next) = as_commit(repo, parent.detach()) else { break };
        commit = next;
        depth += 1;
    }
    Some(depth)
}

fn parent_count(repo: &gix::Repository, id: ObjectId) -> Option<usize> {
    Some(as_commit(repo, id)?.parent_ids().count())
}

fn as_commit(repo: &gix::Repository, id: ObjectId) -> Option<gix::Commit<'_>> {
    repo.find_object(id).ok()?.peel_tags_to_end().ok()?.try_into_commit().ok()
}

/// What a candidate of an ambiguous short id is, in a few words.
fn candidate(info: &gix::revision::spec::parse::CandidateInfo) -> String {
    use gix::revision::spec::parse::CandidateInfo as C;
    match info {
        C::Commit { title, .. } => format!("commit \"{}\"", title.to_str_lossy().trim()),
        C::Tag { name } => format!("tag {}", name.to_str_lossy()),
        C::Object { kind } => kind.to_string(),
        C::FindError { .. } => "unreadable".to_string(),
    }
}

/// Branch, tag and remote branch names within two edits of `name`, in order.
fn similar_names(repo: &gix::Repository, name: &str) -> Vec<String> {
    let Ok(platform) = repo.references() else { return Vec::new() };
    let Ok(all) = platform.all() else { return Vec::new() };
    let mut names: Vec<String> = all
        .filter_map(Result::ok)
        .map(|r| r.name().shorten().to_string())
        // Two edits turn any short name into any other: suggest only for longer ones.
        .filter(|n| n != name && n.len().min(name.len()) > 3 && crate::lint::similar(n, name))
        .map(|n| format!("`{n}`"))
        .collect();
    names.sort();
    names.dedup();
    names.truncate(3);
    names
}

fn unknown(rev: &str, reason: String) -> Error {
    Error::new(ErrorKind::NoInput, format!("unknown revision '{rev}': {reason}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revisions_come_apart_at_their_steps_and_path() {
        let p = Parsed::new("HEAD~2^2^{tree}:db/schema.sql").unwrap();
        assert_eq!(p.base, "HEAD");
        let steps: Vec<&Step> = p.steps.iter().map(|(s, _)| s).collect();
        assert_eq!(steps, [&Step::Ancestor(2), &Step::Parent(2), &Step::Peel("tree".into())]);
        assert_eq!(p.steps.iter().map(|(_, end)| *end).collect::<Vec<_>>(), [6, 8, 15]);
        assert_eq!(p.path, Some("db/schema.sql"));
        let p = Parsed::new("main@{2024-01-01 10:00}~").unwrap();
        assert_eq!((p.base, p.path), ("main", None));
        assert_eq!(p.steps[0].0, Step::At("2024-01-01 10:00".into()));
        assert_eq!(p.steps[1].0, Step::Ancestor(1));
        let p = Parsed::new(":/fix: the bug").unwrap();
        assert_eq!((p.base, p.path), ("", Some("/fix: the bug")));
        assert_eq!(Parsed::new("@{-1}").unwrap().steps[0].0, Step::At("-1".into()));
        assert!(Parsed::new("HEAD~99999999999999999999999").unwrap_err().contains("too large"));
        assert!(Parsed::new("HEAD^{tree").unwrap_err().contains("closing"));
        assert!(Parsed::new("~1").unwrap_err().contains("`HEAD~1`"));
    }
}
