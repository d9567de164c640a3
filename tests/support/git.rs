//! Temporary git repositories built with the `git` command line, so that the
//! tests exercise gix against repositories made by real git.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct TestRepo {
    // Held so the directory lives as long as the repository.
    _tmp: tempfile::TempDir,
    root: PathBuf,
}

/// Runs git in `dir` isolated from the user's configuration, panicking with
/// git's output on failure so that a broken fixture is obvious.
pub fn git_in(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", "-c", "core.autocrlf=false"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .output()
        .expect("git is installed");
    assert!(
        out.status.success(),
        "git {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

impl TestRepo {
    /// An empty repository on branch `main` with an identity configured.
    pub fn new() -> TestRepo {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("repo");
        std::fs::create_dir(&root).unwrap();
        git_in(&root, &["init", "-q"]);
        git_in(&root, &["config", "user.name", "Test"]);
        git_in(&root, &["config", "user.email", "test@example.com"]);
        TestRepo { _tmp: tmp, root }
    }

    pub fn path(&self) -> &Path {
        &self.root
    }

    /// A scratch directory next to the repository (for clones).
    pub fn sibling(&self, name: &str) -> PathBuf {
        self.root.parent().unwrap().join(name)
    }

    pub fn git(&self, args: &[&str]) -> String {
        git_in(&self.root, args)
    }

    pub fn write(&self, rel: &str, text: &str) {
        let path = self.root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    pub fn remove(&self, rel: &str) {
        std::fs::remove_file(self.root.join(rel)).unwrap();
    }

    /// A symbolic link at `rel` pointing to `target` (as written, relative to the link).
    pub fn symlink(&self, rel: &str, target: &str) {
        let path = self.root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, path).unwrap();
    }

    /// The file of a loose object: the tests make repositories with plain
    /// `git commit`, which writes every object loose until a gc packs them.
    pub fn loose_object(&self, id: &str) -> PathBuf {
        let path = self.root.join(".git/objects").join(&id[..2]).join(&id[2..]);
        assert!(path.is_file(), "{id} is not a loose object");
        path
    }

    /// Replaces the stored bytes of object `id` (git writes them read-only).
    pub fn overwrite_object(&self, id: &str, bytes: &[u8]) {
        use std::os::unix::fs::PermissionsExt;
        let path = self.loose_object(id);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    /// `git clone <args> file://<this repository> <sibling name>`; the
    /// `file://` URL makes git use its transport, which `--depth` and
    /// `--filter` need (a plain path would copy the object files).
    pub fn clone_to(&self, name: &str, args: &[&str]) -> PathBuf {
        let url = format!("file://{}", self.root.display());
        let dest = self.sibling(name);
        let mut all = vec!["clone", "-q"];
        all.extend_from_slice(args);
        all.extend_from_slice(&[url.as_str(), dest.to_str().unwrap()]);
        git_in(self.root.parent().unwrap(), &all);
        dest
    }

    /// Stages everything and commits; returns the full commit id.
    pub fn commit_all(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }
}
