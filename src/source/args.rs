//! `git diff`-style arguments → which two sides to read.
//!
//! This is pure argument interpretation, no repository access, so the rules
//! can be read (and tested) in one place:
//!
//! | arguments          | old                 | new          |
//! |--------------------|---------------------|--------------|
//! | (none)             | index               | working tree |
//! | `--staged`         | HEAD                | index        |
//! | `--staged A`       | A                   | index        |
//! | `A`                | A                   | working tree |
//! | `A B`, `A..B`      | A                   | B            |
//! | `A...B`            | merge-base(A, B)    | B            |
//! | `--no-index X Y`   | path X              | path Y       |
//!
//! As in git, an empty end of a range means `HEAD` (`A..` is `A..HEAD`).

use crate::error::{Error, Result};

/// Command-line arguments that choose the two sides of a comparison.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceArgs {
    /// Zero, one or two revisions; one may be a range `A..B` or `A...B`.
    pub revs: Vec<String>,
    /// `--staged` / `--cached`: compare HEAD (or the one revision) with the index.
    pub staged: bool,
    /// `--no-index`: compare two paths on disk, without git.
    pub no_index: bool,
    /// Pathspecs after `--`, or the two paths for `--no-index`.
    pub paths: Vec<String>,
}

/// One side of a comparison read from a repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Side {
    /// The files on disk, minus ignored ones.
    WorkTree,
    /// The staging area (`.git/index`).
    Index,
    /// Anything `git rev-parse` understands, as the user wrote it.
    Rev(String),
}

impl Side {
    /// What the side is called in messages and migration headers.
    pub fn label(&self) -> String {
        match self {
            Side::WorkTree => "working tree".to_string(),
            Side::Index => "index".to_string(),
            Side::Rev(rev) => rev.clone(),
        }
    }
}

/// A side before the repository is consulted: a merge base needs the
/// commit graph, so it stays symbolic until then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Want {
    Side(Side),
    MergeBase(String, String),
}

/// What the arguments ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Plan {
    NoIndex { old: String, new: String },
    Git { old: Want, new: Want },
}

pub(crate) fn plan(args: &SourceArgs) -> Result<Plan> {
    if args.no_index {
        if args.staged || !args.revs.is_empty() {
            return Err(Error::usage("--no-index compares two paths and takes no revision or --staged")
                .help("use `--no-index <old> <new>` alone"));
        }
        return match args.paths.as_slice() {
            [old, new] => Ok(Plan::NoIndex { old: old.clone(), new: new.clone() }),
            other => Err(Error::usage(format!("--no-index needs exactly two paths, got {}", other.len()))
                .help("e.g. `--no-index old/schema.sql new/schema.sql` (two files or two directories)")),
        };
    }
    let rev = |r: &str| Want::Side(Side::Rev(r.to_string()));
    let (old, new) = match args.revs.as_slice() {
        [] if args.staged => (rev("HEAD"), Want::Side(Side::Index)),
        [] => (Want::Side(Side::Index), Want::Side(Side::WorkTree)),
        [one] => match split_range(one)? {
            Some(range) if args.staged => {
                return Err(Error::usage(format!(
                    "--staged compares one revision with the index, got the range '{}'",
                    range.text
                ))
                .help("drop --staged to compare the two ends of the range"));
            }
            Some(Range { from, to, symmetric: false, .. }) => (rev(&from), rev(&to)),
            Some(Range { from, to, symmetric: true, .. }) => (Want::MergeBase(from, to.clone()), rev(&to)),
            None if args.staged => (rev(one), Want::Side(Side::Index)),
            None => (rev(one), Want::Side(Side::WorkTree)),
        },
        [a, b] => {
            if args.staged {
                return Err(Error::usage("--staged takes at most one revision")
                    .help("`--staged [<rev>]` compares a revision (default HEAD) with the index"));
            }
            for r in [a, b] {
                if split_range(r)?.is_some() {
                    return Err(Error::usage(format!("the range '{r}' cannot be combined with another revision"))
                        .help("give either `<a> <b>` or one range `<a>..<b>`"));
                }
            }
            (rev(a), rev(b))
        }
        more => {
            return Err(Error::usage(format!("at most two revisions can be compared, got {}", more.len()))
                .help("put paths after `--`, e.g. `schemashift diff main -- db/schema.sql`"));
        }
    };
    Ok(Plan::Git { old, new })
}

/// A single revision argument that turned out to be a range.
struct Range {
    text: String,
    from: String,
    to: String,
    /// `...`: the old side is the merge base.
    symmetric: bool,
}

/// Splits `A..B` / `A...B`. Ref names cannot contain `..` (git-check-ref-format),
/// so the first occurrence is the separator; `...` is tried first because it
/// contains `..`.
fn split_range(text: &str) -> Result<Option<Range>> {
    let (sep, symmetric) = if text.contains("...") {
        ("...", true)
    } else if text.contains("..") {
        ("..", false)
    } else {
        return Ok(None);
    };
    let Some((from, to)) = text.split_once(sep) else { return Ok(None) };
    if from.is_empty() && to.is_empty() {
        return Err(Error::usage(format!("'{text}' is not a revision range")).help("write `<a>..<b>` or `<a>...<b>`"));
    }
    let or_head = |s: &str| if s.is_empty() { "HEAD".to_string() } else { s.to_string() };
    Ok(Some(Range { text: text.to_string(), from: or_head(from), to: or_head(to), symmetric }))
}

/// Rejects ranges where exactly one revision is wanted (`inspect`).
pub(crate) fn single_rev(text: &str) -> Result<()> {
    if split_range(text)?.is_some() {
        return Err(Error::usage(format!("expected one revision, got the range '{text}'"))
            .help("give a single branch, tag or commit"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(revs: &[&str], staged: bool) -> SourceArgs {
        SourceArgs { revs: revs.iter().map(|s| s.to_string()).collect(), staged, ..Default::default() }
    }
    fn rev(s: &str) -> Want {
        Want::Side(Side::Rev(s.into()))
    }

    #[test]
    fn forms() {
        let p = |revs: &[&str], staged| plan(&args(revs, staged)).unwrap();
        assert_eq!(p(&[], false), Plan::Git { old: Want::Side(Side::Index), new: Want::Side(Side::WorkTree) });
        assert_eq!(p(&[], true), Plan::Git { old: rev("HEAD"), new: Want::Side(Side::Index) });
        assert_eq!(p(&["v1"], true), Plan::Git { old: rev("v1"), new: Want::Side(Side::Index) });
        assert_eq!(p(&["a..b"], false), Plan::Git { old: rev("a"), new: rev("b") });
        assert_eq!(p(&["a.."], false), Plan::Git { old: rev("a"), new: rev("HEAD") });
        assert_eq!(p(&["a...b"], false), Plan::Git { old: Want::MergeBase("a".into(), "b".into()), new: rev("b") });
        assert_eq!(p(&["...b"], false), Plan::Git { old: Want::MergeBase("HEAD".into(), "b".into()), new: rev("b") });
    }

    #[test]
    fn usage_errors() {
        use crate::error::ErrorKind::Usage;
        assert_eq!(plan(&args(&["a", "b", "c"], false)).unwrap_err().kind, Usage);
        assert_eq!(plan(&args(&["a", "b"], true)).unwrap_err().kind, Usage);
        assert_eq!(plan(&args(&["a..b", "c"], false)).unwrap_err().kind, Usage);
        assert_eq!(plan(&args(&["a..b"], true)).unwrap_err().kind, Usage);
        assert_eq!(plan(&args(&[".."], false)).unwrap_err().kind, Usage);
        let no_index = SourceArgs { no_index: true, paths: vec!["x".into()], ..Default::default() };
        assert_eq!(plan(&no_index).unwrap_err().kind, Usage);
    }
}
