//! The real pre-commit framework (PyPI `pre-commit`) runs this repository's
//! `.pre-commit-hooks.yaml` with `pre-commit try-repo`, in temporary
//! repositories with a staged schema change, an unstaged one and none.
//!
//! pre-commit builds the hooks the way it does for every `language: rust`
//! hook repository: `cargo install --path` of a clone. The clone is of a
//! copy of this checkout committed with fixed dates, so the same sources
//! give the same revision and pre-commit's cache (kept under `target/`)
//! builds once; the release profile is turned down to opt-level 0 through
//! cargo's environment, as a test does not need a fast binary.

use crate::support::git::{TestRepo, git_in};
use crate::{Need, Test};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

pub const TESTS: &[Test] = &[
    Test { name: "check_hook_fails_on_a_staged_change_without_migration", needs: &[Need::Program("pre-commit"), Need::Program("cargo")], run: check_hook },
    Test { name: "generate_hook_writes_then_fails_until_staged", needs: &[Need::Program("pre-commit"), Need::Program("cargo")], run: generate_hook },
    Test { name: "lint_hook_fails_on_a_breaking_staged_change", needs: &[Need::Program("pre-commit"), Need::Program("cargo")], run: lint_hook },
];

const V1: &str = "CREATE TABLE users (id bigint PRIMARY KEY, name text);\n";
const V2: &str = "CREATE TABLE users (id bigint PRIMARY KEY, name text, email text);\n";

fn work_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/pre-commit")
}

/// A git repository holding this checkout's files (tracked and untracked,
/// not ignored), committed with fixed dates: the hook repository.
fn hook_repo() -> &'static Path {
    static REPO: OnceLock<PathBuf> = OnceLock::new();
    REPO.get_or_init(|| {
        let src = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dst = work_dir().join("hook-repo");
        let _ = std::fs::remove_dir_all(&dst);
        std::fs::create_dir_all(&dst).unwrap();
        let files = git_in(src, &["ls-files", "-z", "--cached", "--others", "--exclude-standard"]);
        for rel in files.split('\0').filter(|f| !f.is_empty()) {
            let from = src.join(rel);
            if !from.is_file() {
                continue; // deleted in the working tree
            }
            let to = dst.join(rel);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(&from, &to).unwrap();
        }
        git_in(&dst, &["init", "-q"]);
        git_in(&dst, &["add", "-A"]);
        let out = Command::new("git")
            .current_dir(&dst)
            .args(["-c", "commit.gpgsign=false", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "hooks"])
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
            .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        dst
    })
}

/// `pre-commit try-repo <hook repo> <hook>` in `repo`, with pre-commit's
/// cache and cargo's build directory kept between runs.
fn try_repo(repo: &TestRepo, hook: &str) -> Output {
    let home = work_dir().join("home");
    Command::new("pre-commit")
        .current_dir(repo.path())
        .args(["try-repo", &hook_repo().to_string_lossy(), hook, "--verbose"])
        .env("PRE_COMMIT_HOME", &home)
        .env("CARGO_TARGET_DIR", work_dir().join("cargo-target"))
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("PRE_COMMIT")
        .output()
        .expect("pre-commit runs")
}

fn all(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// A project with a dbmate directory in step with V1, committed.
fn project() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("schemashift.toml", "dir = \"db/migrations\"\nframework = \"dbmate\"\n");
    repo.write("schema.sql", V1);
    repo.write("db/migrations/20230101000000_init.sql", "-- migrate:up\nCREATE TABLE users (id bigint PRIMARY KEY, name text);\n\n-- migrate:down\nDROP TABLE users;\n");
    repo.commit_all("init");
    repo
}

fn migrations(repo: &TestRepo) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo.path().join("db/migrations"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".sql"))
        .collect();
    names.sort();
    names
}

fn check_hook() {
    let repo = project();
    // Nothing staged: passes.
    let out = try_repo(&repo, "schemashift-check");
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
    // An unstaged change only: pre-commit stashes it, the index is in step.
    repo.write("schema.sql", V2);
    let out = try_repo(&repo, "schemashift-check");
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
    // Staged without a migration: fails, naming the fix.
    repo.git(&["add", "schema.sql"]);
    let out = try_repo(&repo, "schemashift-check");
    assert_eq!(out.status.code(), Some(1), "{}", all(&out));
    let text = all(&out);
    assert!(text.contains("ALTER TABLE public.users ADD COLUMN email text;"), "{text}");
    assert!(text.contains("schemashift generate --staged --name add_column_email"), "{text}");
    // With the migration staged: passes.
    repo.write("db/migrations/20230102000000_email.sql", "-- migrate:up\nALTER TABLE users ADD COLUMN email text;\n\n-- migrate:down\nALTER TABLE users DROP COLUMN email;\n");
    repo.git(&["add", "-A"]);
    let out = try_repo(&repo, "schemashift-check");
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
}

fn generate_hook() {
    let repo = project();
    let out = try_repo(&repo, "schemashift-generate");
    assert_eq!(out.status.code(), Some(0), "nothing staged: {}", all(&out));
    assert_eq!(migrations(&repo).len(), 1);
    repo.write("schema.sql", V2);
    repo.git(&["add", "schema.sql"]);
    let out = try_repo(&repo, "schemashift-generate");
    assert_eq!(out.status.code(), Some(1), "wrote, so fails: {}", all(&out));
    let names = migrations(&repo);
    assert_eq!(names.len(), 2, "{names:?}\n{}", all(&out));
    let written = std::fs::read_to_string(repo.path().join("db/migrations").join(&names[1])).unwrap();
    assert!(written.contains("ALTER TABLE public.users ADD COLUMN email text;"), "{written}");
    // Staged: passes, and writes nothing more.
    repo.git(&["add", "-A"]);
    let out = try_repo(&repo, "schemashift-generate");
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
    assert_eq!(migrations(&repo), names);
}

fn lint_hook() {
    let repo = project();
    repo.write("schema.sql", V2);
    repo.git(&["add", "schema.sql"]);
    let out = try_repo(&repo, "schemashift-lint");
    assert_eq!(out.status.code(), Some(0), "an added column breaks nothing: {}", all(&out));
    repo.write("schema.sql", "CREATE TABLE users (id bigint PRIMARY KEY);\n");
    repo.git(&["add", "schema.sql"]);
    let out = try_repo(&repo, "schemashift-lint");
    assert_ne!(out.status.code(), Some(0), "{}", all(&out));
    assert!(all(&out).contains("SS102"), "the finding is shown: {}", all(&out));
}
