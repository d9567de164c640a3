//! `schemashift hook install|uninstall`: a plain `pre-commit` git hook for
//! teams without the pre-commit framework.
//!
//! The hook is a POSIX shell script that runs schemashift on what is
//! staged. It carries a marker line, so that schemashift never replaces or
//! removes a hook it did not write.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// The line that says schemashift wrote the hook.
pub const MARKER: &str = "# schemashift-managed-hook";

/// What the hook runs, in order; each failing stops the commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Run {
    /// `check --staged`: the staged migrations give the staged schema.
    Check,
    /// `generate --staged --exit-code`: writes the missing migration and
    /// stops the commit so that it is reviewed and staged.
    Generate,
    /// `lint --staged`: judges the staged change.
    Lint,
}

impl Run {
    fn command(self) -> &'static str {
        match self {
            Run::Check => "check --staged",
            Run::Generate => "generate --staged --exit-code",
            Run::Lint => "lint --staged",
        }
    }
}

/// The hook's text: `binary` is the schemashift that installed it, used
/// while it exists, else the one on PATH.
pub fn script(binary: &Path, runs: &[Run]) -> String {
    let mut s = format!(
        "#!/bin/sh\n{MARKER}\n# Written by `schemashift hook install`; `schemashift hook uninstall` removes it.\n\
         SCHEMASHIFT={}\n[ -x \"$SCHEMASHIFT\" ] || SCHEMASHIFT=schemashift\n",
        crate::generate::escape::shell_word(&binary.to_string_lossy())
    );
    for run in runs {
        s.push_str(&format!("\"$SCHEMASHIFT\" {} || exit $?\n", run.command()));
    }
    s
}

/// Installs the hook in `hooks`; refuses to replace a hook schemashift did
/// not write. Returns its path.
pub fn install(hooks: &Path, binary: &Path, runs: &[Run]) -> Result<PathBuf> {
    let path = hooks.join("pre-commit");
    if let Some(text) = read(&path)?
        && !text.lines().any(|l| l == MARKER) {
            return Err(Error::data(format!("{} exists and was not written by schemashift: not replacing it", path.display())).help("add `schemashift check --staged` to it yourself, or move it away and run `schemashift hook install` again (with the pre-commit framework, use the schemashift-check hook instead)".to_string()));
        }
    std::fs::create_dir_all(hooks).map_err(|e| Error::io(format!("cannot create {}: {e}", hooks.display())))?;
    let mut tmp = tempfile::NamedTempFile::new_in(hooks).map_err(|e| Error::io(format!("cannot write in {}: {e}", hooks.display())))?;
    std::io::Write::write_all(&mut tmp, script(binary, runs).as_bytes()).map_err(|e| Error::io(format!("cannot write {}: {e}", path.display())))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755))
            .map_err(|e| Error::io(format!("cannot make {} executable: {e}", path.display())))?;
    }
    tmp.persist(&path).map_err(|e| Error::io(format!("cannot write {}: {e}", path.display())))?;
    Ok(path)
}

/// Removes the hook if schemashift wrote it. `Ok(None)`: there was none.
pub fn uninstall(hooks: &Path) -> Result<Option<PathBuf>> {
    let path = hooks.join("pre-commit");
    let Some(text) = read(&path)? else { return Ok(None) };
    if !text.lines().any(|l| l == MARKER) {
        return Err(Error::data(format!("{} was not written by schemashift: leaving it", path.display()))
            .help("remove the schemashift lines from it yourself, if it has any"));
    }
    std::fs::remove_file(&path).map_err(|e| Error::io(format!("cannot remove {}: {e}", path.display())))?;
    Ok(Some(path))
}

fn read(path: &Path) -> Result<Option<String>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(format!("cannot read {}: {e}", path.display()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_a_foreign_hook_and_removes_only_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let hooks = dir.path().join("hooks");
        std::fs::create_dir(&hooks).unwrap();
        std::fs::write(hooks.join("pre-commit"), "#!/bin/sh\nmake lint\n").unwrap();
        assert_eq!(install(&hooks, Path::new("/bin/schemashift"), &[Run::Check]).unwrap_err().exit_code(), 65);
        assert_eq!(uninstall(&hooks).unwrap_err().exit_code(), 65);
        assert_eq!(std::fs::read_to_string(hooks.join("pre-commit")).unwrap(), "#!/bin/sh\nmake lint\n", "untouched");
        std::fs::remove_file(hooks.join("pre-commit")).unwrap();
        let path = install(&hooks, Path::new("/opt/my tools/schemashift"), &[Run::Generate, Run::Check]).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("SCHEMASHIFT='/opt/my tools/schemashift'\n"), "{text}");
        let gen_at = text.find("generate --staged --exit-code").unwrap();
        assert!(gen_at < text.find("check --staged").unwrap(), "in the order asked: {text}");
        // Installing again replaces its own.
        install(&hooks, Path::new("/bin/schemashift"), &[Run::Lint]).unwrap();
        assert!(std::fs::read_to_string(&path).unwrap().contains("\"$SCHEMASHIFT\" lint --staged || exit $?"));
        assert_eq!(uninstall(&hooks).unwrap(), Some(path.clone()));
        assert!(!path.exists());
        assert_eq!(uninstall(&hooks).unwrap(), None);
    }
}
