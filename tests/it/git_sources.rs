//! Sources read the way `git diff` does, in real repositories made by `git`.

use crate::support::git as support;

use schemashift::settings::{Flags, Settings};
use schemashift::source::{self, DEFAULT_SCHEMA_GLOBS, FileSet, SourceArgs, repo_root};
use schemashift::{Error, ErrorKind};
use std::path::Path;
use support::{TestRepo, git_in};

// ---------------------------------------------------------------- helpers

/// As the CLI reads: the settings (and schemashift.toml) once, then the sides.
fn resolve_pair(args: &SourceArgs, cwd: &Path) -> Result<(FileSet, FileSet), Error> {
    source::resolve_pair(args, &Settings::load(Flags::default(), cwd)?, cwd)
}

fn resolve_one(rev: Option<&str>, paths: &[String], cwd: &Path) -> Result<FileSet, Error> {
    source::resolve_one(rev, paths, &Settings::load(Flags::default(), cwd)?, cwd)
}

fn revs(revs: &[&str]) -> SourceArgs {
    SourceArgs { revs: revs.iter().map(|s| s.to_string()).collect(), ..Default::default() }
}

fn with_paths(mut args: SourceArgs, paths: &[&str]) -> SourceArgs {
    args.paths = paths.iter().map(|s| s.to_string()).collect();
    args
}

fn staged(r: &[&str]) -> SourceArgs {
    SourceArgs { staged: true, ..revs(r) }
}

fn no_index(old: &str, new: &str) -> SourceArgs {
    SourceArgs { no_index: true, paths: vec![old.into(), new.into()], ..Default::default() }
}

/// (path, contents) of every file, in order.
fn files(set: &FileSet) -> Vec<(&str, &str)> {
    set.files.iter().map(|f| (f.path.as_str(), std::str::from_utf8(&f.bytes).unwrap())).collect()
}

fn paths(set: &FileSet) -> Vec<&str> {
    set.files.iter().map(|f| f.path.as_str()).collect()
}

fn pair(repo: &TestRepo, args: &SourceArgs) -> (FileSet, FileSet) {
    resolve_pair(args, repo.path()).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

fn pair_err(cwd: &Path, args: &SourceArgs) -> Error {
    match resolve_pair(args, cwd) {
        Ok((a, b)) => panic!("{args:?} should fail, got {} / {}", a.label, b.label),
        Err(e) => e,
    }
}

/// main: v1 → v2 → v3 of schema.sql, tagged v1.0 at v1.
fn three_commits() -> (TestRepo, [String; 3]) {
    let repo = TestRepo::new();
    repo.write("schema.sql", "v1\n");
    let c1 = repo.commit_all("one");
    repo.git(&["tag", "v1.0"]);
    repo.write("schema.sql", "v2\n");
    let c2 = repo.commit_all("two");
    repo.write("schema.sql", "v3\n");
    let c3 = repo.commit_all("three");
    (repo, [c1, c2, c3])
}

// ---------------------------------------------------------------- the git diff forms

#[test]
fn no_revision_compares_index_with_working_tree() {
    let (repo, _) = three_commits();
    repo.write("schema.sql", "staged\n");
    repo.git(&["add", "schema.sql"]);
    repo.write("schema.sql", "unstaged\n");
    let (old, new) = pair(&repo, &revs(&[]));
    assert_eq!(old.label, "index");
    assert_eq!(new.label, "working tree");
    assert_eq!(files(&old), [("schema.sql", "staged\n")]);
    assert_eq!(files(&new), [("schema.sql", "unstaged\n")]);
    // The index side comes from git objects, the working tree from disk.
    assert_eq!(old.files[0].blob_id.as_deref(), Some(repo.git(&["rev-parse", ":schema.sql"]).as_str()));
    assert_eq!(new.files[0].blob_id, None);
    assert_eq!((old.commit.as_deref(), new.commit.as_deref()), (None, None));
    let root = repo.path().canonicalize().unwrap();
    assert_eq!(new.root.unwrap().canonicalize().unwrap(), root);
}

#[test]
fn staged_compares_head_with_index() {
    let (repo, [_, _, c3]) = three_commits();
    repo.write("schema.sql", "staged\n");
    repo.git(&["add", "schema.sql"]);
    repo.write("schema.sql", "unstaged\n");
    let (old, new) = pair(&repo, &staged(&[]));
    assert_eq!((old.label.as_str(), old.commit.as_deref()), ("HEAD", Some(c3.as_str())));
    assert_eq!(files(&old), [("schema.sql", "v3\n")]);
    assert_eq!(new.label, "index");
    assert_eq!(files(&new), [("schema.sql", "staged\n")]);
}

#[test]
fn staged_with_a_revision_compares_it_with_index() {
    let (repo, _) = three_commits();
    repo.write("schema.sql", "staged\n");
    repo.git(&["add", "schema.sql"]);
    let (old, new) = pair(&repo, &staged(&["v1.0"]));
    assert_eq!(files(&old), [("schema.sql", "v1\n")]);
    assert_eq!(files(&new), [("schema.sql", "staged\n")]);
}

#[test]
fn staged_in_a_repository_without_commits_starts_from_nothing() {
    let repo = TestRepo::new();
    repo.write("schema.sql", "first\n");
    repo.git(&["add", "schema.sql"]);
    let (old, new) = pair(&repo, &staged(&[]));
    assert!(old.files.is_empty());
    assert_eq!(old.commit, None);
    assert_eq!(files(&new), [("schema.sql", "first\n")]);
}

#[test]
fn one_revision_compares_it_with_working_tree_including_unstaged_edits() {
    let (repo, [c1, _, _]) = three_commits();
    repo.write("schema.sql", "unstaged\n");
    let (old, new) = pair(&repo, &revs(&["HEAD~2"]));
    assert_eq!(old.label, "HEAD~2");
    assert_eq!(old.commit.as_deref(), Some(c1.as_str()));
    assert_eq!(files(&old), [("schema.sql", "v1\n")]);
    assert_eq!(old.files[0].blob_id.as_deref(), Some(repo.git(&["rev-parse", "HEAD~2:schema.sql"]).as_str()));
    assert_eq!(new.label, "working tree");
    assert_eq!(files(&new), [("schema.sql", "unstaged\n")]);
}

#[test]
fn two_revisions_and_double_dot_range_compare_them() {
    let (repo, [c1, c2, _]) = three_commits();
    repo.write("schema.sql", "unstaged edits are not read\n");
    for args in [revs(&["v1.0", "HEAD~1"]), revs(&["v1.0..HEAD~1"])] {
        let (old, new) = pair(&repo, &args);
        assert_eq!((old.label.as_str(), old.commit.as_deref()), ("v1.0", Some(c1.as_str())));
        assert_eq!((new.label.as_str(), new.commit.as_deref()), ("HEAD~1", Some(c2.as_str())));
        assert_eq!(files(&old), [("schema.sql", "v1\n")]);
        assert_eq!(files(&new), [("schema.sql", "v2\n")]);
    }
    // An open end means HEAD, as in git.
    let (old, new) = pair(&repo, &revs(&["v1.0.."]));
    assert_eq!(files(&old), [("schema.sql", "v1\n")]);
    assert_eq!((new.label.as_str(), files(&new)), ("HEAD", vec![("schema.sql", "v3\n")]));
}

/// base ── m1 (main)
///     └── f1 (feature)
fn diverged() -> (TestRepo, String) {
    let repo = TestRepo::new();
    repo.write("schema.sql", "base\n");
    let base = repo.commit_all("base");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("schema.sql", "feature\n");
    repo.commit_all("feature work");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("schema.sql", "main moved on\n");
    repo.commit_all("main work");
    (repo, base)
}

#[test]
fn triple_dot_compares_merge_base_with_the_right_side() {
    let (repo, base) = diverged();
    let (old, new) = pair(&repo, &revs(&["main...feature"]));
    assert_eq!(old.label, "merge-base(main, feature)");
    assert_eq!(old.commit.as_deref(), Some(base.as_str()));
    assert_eq!(files(&old), [("schema.sql", "base\n")]);
    assert_eq!(new.label, "feature");
    assert_eq!(files(&new), [("schema.sql", "feature\n")]);

    // The two-dot form compares the tips instead: the merge base really differs from main.
    let (old, _) = pair(&repo, &revs(&["main..feature"]));
    assert_eq!(files(&old), [("schema.sql", "main moved on\n")]);

    // `...feature` means `HEAD...feature`.
    let (old, _) = pair(&repo, &revs(&["...feature"]));
    assert_eq!(old.commit.as_deref(), Some(base.as_str()));
}

#[test]
fn revisions_in_every_spelling() {
    let (repo, [c1, c2, c3]) = three_commits();
    repo.git(&["branch", "old-work", &c2]);
    repo.git(&["update-ref", "refs/remotes/origin/main", &c1]);
    let short = &c2[..8];
    let cases: [(&str, &str, &str); 7] = [
        ("v1.0", "v1\n", &c1),        // tag
        ("old-work", "v2\n", &c2),    // branch
        ("origin/main", "v1\n", &c1), // remote-tracking branch
        ("HEAD~2", "v1\n", &c1),      // ancestry
        (short, "v2\n", &c2),         // short sha
        ("main@{1}", "v2\n", &c2),    // reflog: main before its last commit
        ("main", "v3\n", &c3),
    ];
    for (rev, text, commit) in cases {
        let set = resolve_one(Some(rev), &[], repo.path()).unwrap_or_else(|e| panic!("{rev}: {e}"));
        assert_eq!(set.label, rev);
        assert_eq!(set.commit.as_deref(), Some(commit), "{rev}");
        assert_eq!(files(&set), [("schema.sql", text)], "{rev}");
    }
}

#[test]
fn resolve_one_defaults_to_working_tree() {
    let (repo, _) = three_commits();
    repo.write("schema.sql", "editing\n");
    let set = resolve_one(None, &[], repo.path()).unwrap();
    assert_eq!(set.label, "working tree");
    assert_eq!(files(&set), [("schema.sql", "editing\n")]);
}

// ---------------------------------------------------------------- which files

#[test]
fn files_added_and_deleted_between_revisions() {
    let repo = TestRepo::new();
    repo.write("schema/a.sql", "a1\n");
    repo.write("schema/b.sql", "b\n");
    repo.commit_all("one");
    repo.remove("schema/b.sql");
    repo.write("schema/a.sql", "a2\n");
    repo.write("schema/c.sql", "c\n");
    repo.commit_all("two");
    let (old, new) = pair(&repo, &revs(&["HEAD~1", "HEAD"]));
    assert_eq!(files(&old), [("schema/a.sql", "a1\n"), ("schema/b.sql", "b\n")]);
    assert_eq!(files(&new), [("schema/a.sql", "a2\n"), ("schema/c.sql", "c\n")]);
}

#[test]
fn a_schema_that_did_not_exist_yet_is_an_empty_side() {
    let repo = TestRepo::new();
    repo.write("README.md", "hi\n");
    repo.commit_all("no schema yet");
    repo.write("db/schema.sql", "create table t (id int);\n");
    repo.commit_all("schema");
    let (old, new) = pair(&repo, &revs(&["HEAD~1", "HEAD"]));
    assert!(old.files.is_empty());
    assert_eq!(files(&new), [("db/schema.sql", "create table t (id int);\n")]);
}

#[test]
fn schema_split_over_nested_directories_is_read_whole_and_sorted() {
    let repo = TestRepo::new();
    repo.write("db/schema/views/active.sql", "view\n");
    repo.write("db/schema/tables/users.sql", "users\n");
    repo.write("db/schema/tables/orders.sql", "orders\n");
    repo.write("db/schema/tables/deep/x/y.sql", "deep\n");
    repo.write("db/schema/README.md", "not schema\n");
    repo.write("db/migrations/001_init.sql", "not the schema\n");
    repo.commit_all("split schema");
    let expected = [
        ("db/schema/tables/deep/x/y.sql", "deep\n"),
        ("db/schema/tables/orders.sql", "orders\n"),
        ("db/schema/tables/users.sql", "users\n"),
        ("db/schema/views/active.sql", "view\n"),
    ];
    let (old, new) = pair(&repo, &revs(&["HEAD"]));
    assert_eq!(files(&old), expected);
    assert_eq!(files(&new), expected);
    let (index, _) = pair(&repo, &revs(&[]));
    assert_eq!(files(&index), expected);
}

#[test]
fn default_locations_are_all_read() {
    let repo = TestRepo::new();
    for p in DEFAULT_SCHEMA_GLOBS {
        repo.write(&p.replace("**/*", "x/y"), p);
    }
    repo.write("other/schema.sql", "not a default location\n");
    repo.commit_all("all defaults");
    let set = resolve_one(Some("HEAD"), &[], repo.path()).unwrap();
    assert_eq!(
        paths(&set),
        [
            "db/schema.json",
            "db/schema.sql",
            "db/schema/x/y.sql",
            "db/structure.sql",
            "schema.json",
            "schema.sql",
            "schema/x/y.sql",
            "structure.sql"
        ]
    );
}

#[test]
fn ignored_files_in_the_working_tree_are_not_read() {
    let repo = TestRepo::new();
    repo.write(".gitignore", "schema/local.sql\nschema/tmp/\nschema/forced.sql\n");
    repo.write("schema/a.sql", "a\n");
    repo.commit_all("one");
    // Tracked despite the ignore rule: git keeps it, so do we.
    repo.write("schema/forced.sql", "forced\n");
    repo.git(&["add", "-f", "schema/forced.sql"]);
    repo.write("schema/local.sql", "ignored file\n");
    repo.write("schema/tmp/scratch.sql", "ignored dir\n");
    // A tracked file inside an ignored directory is still read; its untracked neighbour is not.
    repo.write("schema/tmp/kept.sql", "tracked in ignored dir\n");
    repo.git(&["add", "-f", "schema/tmp/kept.sql"]);
    repo.write("schema/new.sql", "untracked, not ignored\n");
    std::fs::create_dir_all(repo.path().join(".git/info")).unwrap();
    std::fs::write(repo.path().join(".git/info/exclude"), "schema/private.sql\n").unwrap();
    repo.write("schema/private.sql", "excluded by info/exclude\n");
    let set = resolve_one(None, &[], repo.path()).unwrap();
    assert_eq!(
        files(&set),
        [
            ("schema/a.sql", "a\n"),
            ("schema/forced.sql", "forced\n"),
            ("schema/new.sql", "untracked, not ignored\n"),
            ("schema/tmp/kept.sql", "tracked in ignored dir\n"),
        ]
    );
}

#[test]
fn pathspecs_win_over_config_which_wins_over_defaults() {
    let repo = TestRepo::new();
    repo.write("schema.sql", "default\n");
    repo.write("ddl/one.sql", "one\n");
    repo.write("ddl/nested/two.sql", "two\n");
    repo.write("ddl/notes.txt", "notes\n");
    repo.commit_all("files");

    // No config: the defaults.
    assert_eq!(paths(&resolve_one(None, &[], repo.path()).unwrap()), ["schema.sql"]);

    // Config globs replace the defaults; `*` stops at `/` there.
    repo.write("schemashift.toml", "schema = [\"ddl/*.sql\"]\n");
    assert_eq!(paths(&resolve_one(None, &[], repo.path()).unwrap()), ["ddl/one.sql"]);
    repo.write("schemashift.toml", "schema = [\"ddl/**/*.sql\"]\n");
    assert_eq!(paths(&resolve_one(None, &[], repo.path()).unwrap()), ["ddl/nested/two.sql", "ddl/one.sql"]);
    // A config without `schema` keeps the defaults.
    repo.write("schemashift.toml", "dialect = \"postgres\"\n");
    assert_eq!(paths(&resolve_one(None, &[], repo.path()).unwrap()), ["schema.sql"]);

    repo.write("schemashift.toml", "schema = [\"ddl/**/*.sql\"]\n");
    // Pathspecs win; as in git a pathspec `*` also crosses `/`.
    let p = |specs: &[&str]| {
        let specs: Vec<String> = specs.iter().map(|s| s.to_string()).collect();
        paths(&resolve_one(Some("HEAD"), &specs, repo.path()).unwrap())
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>()
    };
    assert_eq!(p(&["schema.sql"]), ["schema.sql"]);
    assert_eq!(p(&["ddl/*.sql"]), ["ddl/nested/two.sql", "ddl/one.sql"]);
    // A directory means the .sql/.json files under it; a named file is taken whatever its name.
    assert_eq!(p(&["ddl"]), ["ddl/nested/two.sql", "ddl/one.sql"]);
    assert_eq!(p(&["ddl/notes.txt", "schema.sql"]), ["ddl/notes.txt", "schema.sql"]);
}

#[test]
fn pathspecs_are_relative_to_the_current_directory() {
    let repo = TestRepo::new();
    repo.write("db/schema.sql", "db\n");
    repo.write("schema.sql", "root\n");
    repo.commit_all("files");
    let sub = repo.path().join("db");
    let (old, new) = resolve_pair(&with_paths(revs(&["HEAD"]), &["schema.sql"]), &sub).unwrap();
    assert_eq!(files(&old), [("db/schema.sql", "db\n")]);
    assert_eq!(files(&new), [("db/schema.sql", "db\n")]);
    let set = resolve_one(None, &["../schema.sql".to_string()], &sub).unwrap();
    assert_eq!(files(&set), [("schema.sql", "root\n")]);
    // Without pathspecs the defaults stay relative to the repository root.
    let set = resolve_one(None, &[], &sub).unwrap();
    assert_eq!(paths(&set), ["db/schema.sql", "schema.sql"]);
    assert_eq!(repo_root(&sub).unwrap().canonicalize().unwrap(), repo.path().canonicalize().unwrap());
}

// ---------------------------------------------------------------- bare repositories

#[test]
fn bare_clone_reads_revision_against_revision() {
    let (repo, [c1, _, c3]) = three_commits();
    let bare = repo.sibling("bare.git");
    git_in(repo.path().parent().unwrap(), &["clone", "-q", "--bare", "repo", "bare.git"]);
    let (old, new) = resolve_pair(&revs(&["v1.0", "main"]), &bare).unwrap();
    assert_eq!((old.commit.as_deref(), files(&old)), (Some(c1.as_str()), vec![("schema.sql", "v1\n")]));
    assert_eq!((new.commit.as_deref(), files(&new)), (Some(c3.as_str()), vec![("schema.sql", "v3\n")]));
    assert_eq!(new.root, None);
    assert_eq!(repo_root(&bare), None);

    for args in [revs(&[]), staged(&[]), revs(&["main"])] {
        let e = pair_err(&bare, &args);
        assert_eq!(e.kind, ErrorKind::NoInput, "{args:?}: {e}");
        assert!(e.message.contains("bare repository"), "{e}");
    }
    assert_eq!(resolve_one(None, &[], &bare).unwrap_err().kind, ErrorKind::NoInput);
}

#[test]
fn bare_repository_takes_config_from_head() {
    let repo = TestRepo::new();
    repo.write("schemashift.toml", "schema = [\"ddl/*.sql\"]\n");
    repo.write("ddl/t.sql", "t\n");
    repo.write("schema.sql", "default location, not configured\n");
    repo.commit_all("configured");
    let bare = repo.sibling("bare.git");
    git_in(repo.path().parent().unwrap(), &["clone", "-q", "--bare", "repo", "bare.git"]);
    let set = resolve_one(Some("main"), &[], &bare).unwrap();
    assert_eq!(files(&set), [("ddl/t.sql", "t\n")]);
}

// ---------------------------------------------------------------- --no-index

#[test]
fn no_index_compares_two_files_outside_any_repository() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("old.sql"), "old\n").unwrap();
    std::fs::create_dir(dir.path().join("new")).unwrap();
    std::fs::write(dir.path().join("new/schema.sql"), "new\n").unwrap();
    let (old, new) = resolve_pair(&no_index("old.sql", "new/schema.sql"), dir.path()).unwrap();
    assert_eq!((old.label.as_str(), files(&old)), ("old.sql", vec![("old.sql", "old\n")]));
    assert_eq!(files(&new), [("new/schema.sql", "new\n")]);
    assert_eq!((old.commit, old.files[0].blob_id.clone()), (None, None));
}

#[test]
fn no_index_compares_two_directories_recursively() {
    let dir = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write("a/tables/users.sql", "users a\n");
    write("a/snapshot.json", "{}\n");
    write("a/notes.md", "skip\n");
    write("b/tables/users.sql", "users b\n");
    write("b/tables/orders.sql", "orders b\n");
    write("b/z.SQL", "upper-case extension\n");
    let (old, new) = resolve_pair(&no_index("a", "b"), dir.path()).unwrap();
    assert_eq!(files(&old), [("snapshot.json", "{}\n"), ("tables/users.sql", "users a\n")]);
    assert_eq!(
        files(&new),
        [("tables/orders.sql", "orders b\n"), ("tables/users.sql", "users b\n"), ("z.SQL", "upper-case extension\n")]
    );
    assert_eq!(old.root.unwrap(), dir.path().join("a"));
    // Absolute paths work too, from anywhere.
    let abs = |p: &str| dir.path().join(p).to_string_lossy().into_owned();
    let (_, new) = resolve_pair(&no_index(&abs("a"), &abs("b")), Path::new("/")).unwrap();
    assert_eq!(paths(&new), ["tables/orders.sql", "tables/users.sql", "z.SQL"]);
}

// ---------------------------------------------------------------- errors

#[test]
fn unknown_revision_is_no_input() {
    let (repo, _) = three_commits();
    for args in
        [revs(&["nope"]), revs(&["main", "nope"]), revs(&["nope..main"]), revs(&["main...nope"]), staged(&["nope"])]
    {
        let e = pair_err(repo.path(), &args);
        assert_eq!(e.kind, ErrorKind::NoInput, "{args:?}");
        assert!(e.message.contains("unknown revision 'nope'"), "{e}");
        assert!(e.help.is_some());
    }
    let e = resolve_one(Some("HEAD~99"), &[], repo.path()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NoInput);
    assert!(e.message.contains("'HEAD~99'"), "{e}");
}

#[test]
fn nothing_matched_names_what_was_looked_for_and_where() {
    let repo = TestRepo::new();
    repo.write("README.md", "no schema here\n");
    repo.commit_all("one");
    let e = pair_err(repo.path(), &with_paths(revs(&["HEAD"]), &["db/shema.sql"]));
    assert_eq!(e.kind, ErrorKind::NoInput);
    assert!(e.message.contains("'db/shema.sql'") && e.message.contains("HEAD"), "{e}");
    let help = e.help.unwrap();
    assert!(help.contains("-- ") && help.contains("schemashift.toml"), "{help}");

    let e = resolve_one(None, &[], repo.path()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NoInput);
    assert!(e.message.contains("default") && e.message.contains("db/schema.sql"), "{e}");
    assert!(e.message.contains("working tree"), "{e}");

    repo.write("schemashift.toml", "schema = [\"sql/**/*.sql\"]\n");
    let e = pair_err(repo.path(), &revs(&[]));
    assert!(e.message.contains("sql/**/*.sql") && e.message.contains("schemashift.toml"), "{e}");
}

#[test]
fn not_a_repository_points_at_no_index() {
    let dir = tempfile::tempdir().unwrap();
    for args in [revs(&[]), revs(&["main"]), staged(&[])] {
        let e = pair_err(dir.path(), &args);
        assert_eq!(e.kind, ErrorKind::NoInput);
        assert!(e.message.contains("not a git repository"), "{e}");
        assert!(e.help.as_deref().unwrap().contains("--no-index"), "{e}");
    }
    assert_eq!(resolve_one(None, &[], dir.path()).unwrap_err().kind, ErrorKind::NoInput);
    assert_eq!(repo_root(dir.path()), None);
}

#[test]
fn no_index_missing_path_is_no_input() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.sql"), "a\n").unwrap();
    let e = pair_err(dir.path(), &no_index("a.sql", "missing.sql"));
    assert_eq!(e.kind, ErrorKind::NoInput);
    assert!(e.message.contains("'missing.sql'"), "{e}");
    std::fs::create_dir(dir.path().join("empty1")).unwrap();
    std::fs::create_dir(dir.path().join("empty2")).unwrap();
    assert_eq!(pair_err(dir.path(), &no_index("empty1", "empty2")).kind, ErrorKind::NoInput);
}

#[test]
fn bad_argument_combinations_are_usage_errors() {
    let (repo, _) = three_commits();
    let cases = [
        revs(&["HEAD~2", "HEAD~1", "HEAD"]),
        staged(&["HEAD~1", "HEAD"]),
        staged(&["HEAD~1..HEAD"]),
        revs(&["HEAD~1..HEAD", "HEAD"]),
        SourceArgs { no_index: true, paths: vec!["only-one".into()], ..Default::default() },
        SourceArgs {
            no_index: true,
            revs: vec!["HEAD".into()],
            paths: vec!["a".into(), "b".into()],
            ..Default::default()
        },
        with_paths(revs(&["HEAD"]), &["../../outside.sql"]),
    ];
    for args in cases {
        assert_eq!(pair_err(repo.path(), &args).kind, ErrorKind::Usage, "{args:?}");
    }
    assert_eq!(resolve_one(Some("HEAD~1..HEAD"), &[], repo.path()).unwrap_err().kind, ErrorKind::Usage);
}

#[test]
fn broken_config_is_a_data_error_naming_file_and_place() {
    let (repo, _) = three_commits();
    repo.write("schemashift.toml", "dialect = \"postgres\"\nschemas = [\"x\"]\n");
    let e = pair_err(repo.path(), &revs(&[]));
    assert_eq!(e.kind, ErrorKind::Data);
    assert!(e.message.contains("schemas"), "{e}");
    let loc = e.location.unwrap();
    assert!(loc.file.ends_with("schemashift.toml"), "{}", loc.file);
    assert_eq!((loc.line, loc.column), (2, 1));

    repo.write("schemashift.toml", "schema = [\"a\"\n");
    let e = pair_err(repo.path(), &revs(&[]));
    assert_eq!(e.kind, ErrorKind::Data);
    assert!(e.location.unwrap().line >= 1);
}

#[test]
fn sources_take_the_config_from_the_settings_and_do_not_read_it_again() {
    let repo = TestRepo::new();
    repo.write("ddl/t.sql", "t\n");
    repo.write("schema.sql", "default location\n");
    repo.write("schemashift.toml", "schema = [\"ddl/*.sql\"]\n");
    repo.commit_all("configured");
    let settings = Settings::load(Flags::default(), repo.path()).unwrap();
    // Broken after the one read of the run: the sides still use what was read.
    repo.write("schemashift.toml", "schema = [\"a\"\n");
    let (old, new) = source::resolve_pair(&revs(&["HEAD"]), &settings, repo.path()).unwrap();
    assert_eq!((paths(&old), paths(&new)), (vec!["ddl/t.sql"], vec!["ddl/t.sql"]));
    assert_eq!(paths(&source::resolve_one(None, &[], &settings, repo.path()).unwrap()), ["ddl/t.sql"]);
}

#[test]
fn unresolved_merge_conflict_in_index_is_a_data_error() {
    let repo = TestRepo::new();
    repo.write("schema.sql", "base\n");
    repo.commit_all("base");
    repo.git(&["checkout", "-q", "-b", "other"]);
    repo.write("schema.sql", "other\n");
    repo.commit_all("other");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("schema.sql", "mine\n");
    repo.commit_all("mine");
    // The merge stops on the conflict; ignore its failing status.
    let _ = std::process::Command::new("git").args(["merge", "-q", "other"]).current_dir(repo.path()).output();
    let e = pair_err(repo.path(), &staged(&[]));
    assert_eq!(e.kind, ErrorKind::Data, "{e}");
    assert!(e.message.contains("schema.sql"), "{e}");
    // Two revisions do not involve the index, so they still work mid-merge.
    assert!(resolve_pair(&revs(&["main", "other"]), repo.path()).is_ok());
}

// ---------------------------------------------------------------- git edge cases

/// The error of `resolve_one`, which must fail.
fn one_err(cwd: &Path, rev: Option<&str>, paths: &[&str]) -> Error {
    let paths: Vec<String> = paths.iter().map(|s| s.to_string()).collect();
    match resolve_one(rev, &paths, cwd) {
        Ok(set) => panic!("{rev:?} {paths:?} should fail, got {:?}", self::paths(&set)),
        Err(e) => e,
    }
}

#[test]
fn a_symlinked_schema_file_is_named_in_revisions_the_index_and_the_working_tree() {
    let repo = TestRepo::new();
    repo.write("shared/s.sql", "CREATE TABLE a (id int);\n");
    repo.symlink("db/schema.sql", "../shared/s.sql");
    repo.commit_all("linked");
    let checks = [
        (one_err(repo.path(), Some("HEAD"), &[]), "in HEAD"),
        (one_err(repo.path(), None, &[]), "in the working tree"),
        // Index → working tree: the index is read first.
        (pair_err(repo.path(), &revs(&[])), "in the index"),
        // A pathspec naming the link, from a subdirectory.
        (one_err(&repo.path().join("db"), Some("HEAD"), &["schema.sql"]), "in HEAD"),
    ];
    for (e, place) in checks {
        assert_eq!(e.kind, ErrorKind::NoInput, "{e}");
        assert!(e.message.contains(&format!("db/schema.sql is a symbolic link {place}")), "{e}");
        assert!(e.message.contains("regular files only") && e.message.contains("../shared/s.sql"), "{e}");
        assert!(e.help.as_deref().unwrap().contains("-- shared/s.sql"), "{e}");
    }
    // What the help suggests works.
    let set = resolve_one(Some("HEAD"), &["shared/s.sql".to_string()], repo.path()).unwrap();
    assert_eq!(paths(&set), ["shared/s.sql"]);
}

#[test]
fn a_symlink_among_schema_files_is_refused_rather_than_left_out() {
    // Leaving db/schema/b.sql out would make its table vanish from the schema,
    // and the migration would drop it.
    let repo = TestRepo::new();
    repo.write("db/schema/a.sql", "a\n");
    repo.write("elsewhere/b.sql", "b\n");
    repo.symlink("db/schema/b.sql", "../../elsewhere/b.sql");
    repo.commit_all("one link among files");
    for e in [one_err(repo.path(), Some("HEAD"), &[]), one_err(repo.path(), None, &[])] {
        assert_eq!(e.kind, ErrorKind::NoInput, "{e}");
        assert!(e.message.contains("db/schema/b.sql is a symbolic link"), "{e}");
    }
}

#[test]
fn a_symlinked_directory_where_the_schema_should_be_is_named() {
    let repo = TestRepo::new();
    repo.write("database/schema.sql", "a\n");
    repo.symlink("db", "database");
    repo.commit_all("linked directory");
    for e in [one_err(repo.path(), Some("HEAD"), &[]), one_err(repo.path(), None, &[])] {
        assert_eq!(e.kind, ErrorKind::NoInput, "{e}");
        assert!(e.message.contains("db is a symbolic link") && e.message.contains("(to database)"), "{e}");
        assert!(e.help.as_deref().unwrap().contains("-- database"), "{e}");
    }
}

/// A repository whose `db` is a submodule holding `schema.sql`.
fn with_submodule() -> (TestRepo, TestRepo) {
    let sub = TestRepo::new();
    sub.write("schema.sql", "CREATE TABLE a (id int);\n");
    sub.commit_all("sub");
    let repo = TestRepo::new();
    let url = format!("file://{}", sub.path().display());
    repo.git(&["-c", "protocol.file.allow=always", "submodule", "add", "-q", &url, "db"]);
    repo.commit_all("add submodule");
    (repo, sub)
}

#[test]
fn a_submodule_where_the_schema_should_be_is_named() {
    let (repo, _sub) = with_submodule();
    let checks = [
        (one_err(repo.path(), Some("HEAD"), &[]), "in HEAD"),
        (one_err(repo.path(), None, &[]), "in the working tree"),
        (pair_err(repo.path(), &staged(&[])), "in HEAD"),
        (one_err(repo.path(), None, &["db/schema.sql"]), "in the working tree"),
        (one_err(repo.path(), Some("HEAD"), &["db"]), "in HEAD"),
    ];
    for (e, place) in checks {
        assert_eq!(e.kind, ErrorKind::NoInput, "{e}");
        assert!(e.message.contains(&format!("db is a git submodule {place}")), "{e}");
        assert!(e.message.contains("another repository"), "{e}");
        assert!(e.help.as_deref().unwrap().contains("cd db"), "{e}");
    }
    // In the index: what `git diff` compares first.
    let e = pair_err(repo.path(), &revs(&[]));
    assert!(e.message.contains("db is a git submodule in the index"), "{e}");

    // A schema of its own elsewhere: the submodule is none of its business.
    repo.write("schema.sql", "CREATE TABLE b (id int);\n");
    repo.commit_all("own schema");
    assert_eq!(paths(&resolve_one(Some("HEAD"), &[], repo.path()).unwrap()), ["schema.sql"]);
    assert_eq!(paths(&resolve_one(None, &[], repo.path()).unwrap()), ["schema.sql"]);
    // But a pathspec into it still says why it finds nothing there.
    let e = one_err(repo.path(), Some("HEAD"), &["db/schema.sql"]);
    assert!(e.message.contains("db is a git submodule"), "{e}");
}

#[test]
fn an_uninitialized_submodule_is_named_too() {
    // Cloned without --recurse-submodules, `db` is an empty directory on disk.
    let (repo, _sub) = with_submodule();
    let clone = repo.clone_to("clone", &[]);
    assert_eq!(std::fs::read_dir(clone.join("db")).unwrap().count(), 0);
    let e = one_err(&clone, None, &[]);
    assert_eq!(e.kind, ErrorKind::NoInput, "{e}");
    assert!(e.message.contains("db is a git submodule in the working tree"), "{e}");
}

#[test]
fn a_corrupt_commit_is_an_io_error_naming_it_not_an_unknown_revision() {
    for how in ["garbage", "truncated"] {
        let (repo, [c1, c2, _]) = three_commits();
        let stored = std::fs::read(repo.loose_object(&c2)).unwrap();
        let bytes = if how == "garbage" { b"this is not zlib".to_vec() } else { stored[..stored.len() / 2].to_vec() };
        repo.overwrite_object(&c2, &bytes);
        // HEAD~1 is the commit itself, HEAD~2 is reached through it, and the
        // id names it directly.
        for rev in ["HEAD~1", "HEAD~2", c2.as_str()] {
            let e = one_err(repo.path(), Some(rev), &[]);
            assert_eq!(e.kind, ErrorKind::Io, "{how} {rev}: {e}");
            assert!(e.message.starts_with(&format!("corrupt object {c2}: ")), "{how} {rev}: {e}");
            assert!(e.help.as_deref().unwrap().contains("git fsck"), "{e}");
        }
        let e = pair_err(repo.path(), &revs(&["HEAD~2..HEAD"]));
        assert_eq!(e.kind, ErrorKind::Io, "{how}: {e}");
        assert!(e.message.contains(&format!("corrupt object {c2}")), "{how}: {e}");
        // What does not pass through it still reads.
        assert!(resolve_one(Some("HEAD"), &[], repo.path()).is_ok());
        assert!(resolve_one(Some(&c1), &[], repo.path()).is_ok());
    }
}

#[test]
fn a_commit_whose_tree_is_missing_and_a_corrupt_blob_are_io_errors() {
    let (repo, _) = three_commits();
    let tree = repo.git(&["rev-parse", "HEAD~1^{tree}"]);
    std::fs::remove_file(repo.loose_object(&tree)).unwrap();
    let e = one_err(repo.path(), Some("HEAD~1"), &[]);
    assert_eq!(e.kind, ErrorKind::Io, "{e}");
    assert!(e.message.contains(&format!("corrupt object {tree}: missing")), "{e}");
    assert!(e.message.contains("HEAD~1"), "{e}");

    let blob = repo.git(&["rev-parse", "HEAD~2:schema.sql"]);
    repo.overwrite_object(&blob, b"garbage");
    let e = one_err(repo.path(), Some("HEAD~2"), &[]);
    assert_eq!(e.kind, ErrorKind::Io, "{e}");
    assert!(e.message.contains(&format!("corrupt object {blob}")) && e.message.contains("schema.sql in HEAD~2"), "{e}");
    // An intact revision is unaffected; one past the end is still unknown.
    assert!(resolve_one(Some("HEAD"), &[], repo.path()).is_ok());
    assert!(one_err(repo.path(), Some("HEAD~3"), &[]).message.contains("unknown revision 'HEAD~3'"));
}

#[test]
fn a_revision_beyond_a_shallow_clone_says_how_to_deepen_it() {
    let (repo, [c1, _, c3]) = three_commits();
    let clone = repo.clone_to("shallow", &["--depth", "1"]);
    assert_eq!(git_in(&clone, &["rev-parse", "--is-shallow-repository"]), "true");
    assert_eq!(paths(&resolve_one(Some("HEAD"), &[], &clone).unwrap()), ["schema.sql"]);
    for e in [one_err(&clone, Some("HEAD~1"), &[]), pair_err(&clone, &revs(&["HEAD~1"])), pair_err(&clone, &revs(&["HEAD^..HEAD"]))] {
        assert_eq!(e.kind, ErrorKind::NoInput, "{e}");
        assert!(e.message.contains("shallow clone") && e.message.contains(&c3[..7]), "{e}");
        let help = e.help.unwrap();
        assert!(help.contains("git fetch --deepen=") && help.contains("git fetch --unshallow"), "{help}");
    }
    // A commit id of the full history may be older than the clone: a hint.
    let e = one_err(&clone, Some(&c1), &[]);
    assert!(e.message.contains("unknown revision"), "{e}");
    assert!(e.help.unwrap().contains("--unshallow"));
    // Deepened, the same revision reads.
    git_in(&clone, &["fetch", "-q", "--deepen=1"]);
    assert!(resolve_one(Some("HEAD~1"), &[], &clone).is_ok());
}

#[test]
fn a_merge_base_beyond_a_shallow_clone_says_how_to_deepen_it() {
    let (repo, _) = diverged();
    let clone = repo.clone_to("shallow", &["--depth", "1", "--no-single-branch"]);
    let e = pair_err(&clone, &revs(&["origin/main...origin/feature"]));
    assert_eq!(e.kind, ErrorKind::NoInput, "{e}");
    assert!(e.message.contains("no common ancestor") && e.message.contains("shallow clone"), "{e}");
    assert!(e.help.unwrap().contains("--unshallow"));
    // The full repository has one.
    assert!(resolve_pair(&revs(&["main...feature"]), repo.path()).is_ok());
}

#[test]
fn an_object_a_partial_clone_has_not_fetched_is_not_called_corrupt() {
    let (repo, _) = three_commits();
    repo.git(&["config", "uploadpack.allowFilter", "true"]);
    let clone = repo.clone_to("partial", &["--filter=blob:none"]);
    let blob = repo.git(&["rev-parse", "HEAD~1:schema.sql"]);
    let e = one_err(&clone, Some("HEAD~1"), &[]);
    assert_eq!(e.kind, ErrorKind::Io, "{e}");
    assert!(e.message.contains(&format!("object {blob} has not been fetched into this partial clone")), "{e}");
    assert!(!e.message.contains("corrupt"), "{e}");
    assert!(e.help.unwrap().contains("git cat-file -p"));
}
