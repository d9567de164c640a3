//! Entries at a schema path that are not regular files: symbolic links and
//! submodules (and, on disk, other repositories nested in the work tree).
//!
//! schemashift reads regular files only. In git a symbolic link's blob holds
//! the path it points to and a submodule's entry holds a commit id of another
//! repository, so neither gives the schema it stands for; following links on
//! disk but not in git objects would make the two sides of a diff disagree.
//! Skipping them silently is worse than refusing: the part of the schema behind
//! them would vanish from one side and the migration would drop it. So every
//! walker records them here, and [`Found::into_files`] decides whether they
//! stop the run.

use super::SourceFile;
use super::pathspec::Selection;
use crate::config::CONFIG_FILE;
use crate::error::{Error, Result};

/// What an entry is instead of a regular file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum What {
    /// The link's target as stored (relative to the link's directory), when readable.
    Symlink { target: Option<String> },
    /// A gitlink: a commit of another repository.
    Submodule,
    /// A directory on disk with its own `.git` that this repository does not
    /// track as a submodule.
    NestedRepository,
}

/// An entry the selection points at that schemashift does not read.
#[derive(Debug, Clone)]
pub(crate) struct Unreadable {
    /// Repository-relative, `/`-separated.
    pub path: String,
    pub what: What,
    /// The selection matches the entry itself as a schema file (or names it),
    /// rather than only expecting files below it.
    pub named: bool,
}

/// The schema files of one side, and the entries that could not be read.
#[derive(Debug, Default)]
pub(crate) struct Found {
    pub files: Vec<SourceFile>,
    pub unreadable: Vec<Unreadable>,
}

impl Found {
    /// Records `path` if the selection points at it; `what` is only asked
    /// then, as it may read a link's target.
    pub fn note_unreadable(&mut self, sel: &Selection, path: &str, what: impl FnOnce() -> What) {
        let named = sel.matches(path);
        if named || sel.reaches_into(path) {
            self.unreadable.push(Unreadable { path: path.to_string(), what: what(), named });
        }
    }

    /// The files read, or the error for an unreadable entry. One the selection
    /// names is always an error: that file *is* part of the schema. One the
    /// schema was only expected behind (a submodule at `db` while looking for
    /// `db/schema.sql`) is an error when nothing else was found, which is when
    /// "no schema files found" would otherwise hide the reason; a project
    /// with an unrelated `db` submodule and its schema elsewhere is not
    /// bothered. `place` says where, e.g. `in HEAD~1`, `in the working tree`.
    pub fn into_files(mut self, place: &str) -> Result<Vec<SourceFile>> {
        // Directory listings come in no particular order: name the same entry every run.
        self.unreadable.sort_by(|a, b| a.path.cmp(&b.path));
        let blocking = self.unreadable.iter().find(|u| u.named).or_else(|| {
            if self.files.is_empty() { self.unreadable.first() } else { None }
        });
        match blocking {
            Some(u) => Err(u.error(place)),
            None => Ok(self.files),
        }
    }
}

impl Unreadable {
    /// Exit 66, missing input, rather than 65, bad data: schemashift never
    /// reads bytes it cannot understand here. The schema files the user asked
    /// for are simply not in this repository's objects (a submodule's are in
    /// another repository, a link's are wherever it points), which is the
    /// same situation as a path that does not exist, with the reason spelled
    /// out; and scripts that already treat 66 as "no schema here" keep working.
    fn error(&self, place: &str) -> Error {
        let path = &self.path;
        match &self.what {
            What::Symlink { target } => {
                let to = target.as_deref().map(|t| format!(" (to {t})")).unwrap_or_default();
                let help = match target.as_deref().and_then(|t| link_target_in_repo(path, t)) {
                    Some(real) => format!(
                        "name what it links to instead: `-- {real}`, or `schema = [\"{real}\"]` in {CONFIG_FILE}"
                    ),
                    None => "it points outside the repository: keep the schema file itself in the repository".to_string(),
                };
                Error::no_input(format!(
                    "{path} is a symbolic link {place}{to}; schemashift reads regular files only, never through links"
                ))
                .help(help)
            }
            What::Submodule => {
                Error::no_input(format!("{path} is a git submodule {place}; its files are in another repository"))
                    .help(other_repository_help(path))
            }
            What::NestedRepository => Error::no_input(format!(
                "{path} is another git repository nested {place}; its files are not part of this one"
            ))
            .help(other_repository_help(path)),
        }
    }
}

fn other_repository_help(path: &str) -> String {
    format!("schemashift reads one repository at a time: run it in that one (`cd {path} && schemashift …`), or keep the schema in this repository")
}

/// The repository-relative path a link at `link` pointing to `target` names,
/// when it stays inside the repository: `db/schema.sql` → `../shared/s.sql`
/// gives `shared/s.sql`. `None` for absolute targets and ones that climb out.
fn link_target_in_repo(link: &str, target: &str) -> Option<String> {
    if target.starts_with('/') || target.contains('\\') || target.is_empty() {
        return None;
    }
    let mut parts: Vec<&str> = link.split('/').collect();
    parts.pop();
    for component in target.split('/') {
        match component {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            c => parts.push(c),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_targets_resolve_against_the_link_directory() {
        assert_eq!(link_target_in_repo("db/schema.sql", "../shared/s.sql").as_deref(), Some("shared/s.sql"));
        assert_eq!(link_target_in_repo("schema.sql", "db/structure.sql").as_deref(), Some("db/structure.sql"));
        assert_eq!(link_target_in_repo("db", "./database/").as_deref(), Some("database"));
        assert_eq!(link_target_in_repo("schema.sql", "../outside.sql"), None);
        assert_eq!(link_target_in_repo("schema.sql", "/etc/passwd"), None);
    }

    fn found(unreadable: Vec<Unreadable>, files: usize) -> Found {
        let file = SourceFile { path: "schema.sql".into(), bytes: Vec::new(), blob_id: None };
        Found { files: vec![file; files], unreadable }
    }

    #[test]
    fn a_named_entry_always_stops_one_behind_which_files_were_expected_only_when_nothing_was_found() {
        let named = Unreadable { path: "db/schema.sql".into(), what: What::Symlink { target: None }, named: true };
        let behind = Unreadable { path: "db".into(), what: What::Submodule, named: false };
        assert!(found(vec![named.clone()], 1).into_files("in HEAD").is_err());
        assert_eq!(found(vec![behind.clone()], 1).into_files("in HEAD").unwrap().len(), 1);
        let e = found(vec![behind], 0).into_files("in HEAD").unwrap_err();
        assert_eq!(e.exit_code(), 66);
        assert!(e.message.contains("db is a git submodule in HEAD"), "{e}");
    }
}
