//! `lint --format pr-comment` from the command line: the rule link's base
//! from the flag, the environment or GitHub's variables; the exit code still
//! `--fail-on`'s; hand-written migrations commented without a plan; and
//! `SCHEMASHIFT_CONFIG` naming a file that is not there.

use assert_cmd::Command;
use std::path::Path;

const USERS: &str = "CREATE TABLE users (\n    id bigint PRIMARY KEY,\n    email text,\n    name text\n);\n";
const USERS_WITHOUT_EMAIL: &str = "CREATE TABLE users (\n    id bigint PRIMARY KEY,\n    name text\n);\n";

fn lint(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let mut cmd = Command::cargo_bin("schemashift").unwrap();
    cmd.current_dir(dir).arg("lint").args(args);
    for var in ["SCHEMASHIFT_RULES_URL", "GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "SCHEMASHIFT_CONFIG"] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    let out = cmd.output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("old.sql"), USERS).unwrap();
    std::fs::write(dir.path().join("new.sql"), USERS_WITHOUT_EMAIL).unwrap();
    dir
}

#[test]
fn rule_links_follow_the_flag_then_the_environment_then_github_then_the_relative_path() {
    let dir = project();
    let args = ["--no-index", "old.sql", "new.sql", "--format", "pr-comment"];
    let (code, out, err) = lint(dir.path(), &args, &[]);
    assert_eq!(code, Some(2), "lint's exit code as with any format: {err}");
    assert!(out.starts_with("<!-- schemashift:comment -->\n"), "{out}");
    assert!(out.contains("[SS102 drop-column](docs/rules.md#ss102-drop-column)"), "{out}");
    assert!(out.contains("Schema change `old.sql → new.sql`"), "{out}");
    assert!(out.contains("| public.users.email | drop column | 🔴 breaking | ACCESS EXCLUSIVE on public.users |"), "{out}");

    let github = [("GITHUB_SERVER_URL", "https://github.test"), ("GITHUB_REPOSITORY", "acme/shop")];
    let (_, out, _) = lint(dir.path(), &args, &github);
    assert!(out.contains("(https://github.test/acme/shop/blob/HEAD/docs/rules.md#ss102-drop-column)"), "{out}");
    let env = [github[0], github[1], ("SCHEMASHIFT_RULES_URL", "https://docs.test/rules.md")];
    let (_, out, _) = lint(dir.path(), &args, &env);
    assert!(out.contains("(https://docs.test/rules.md#ss102-drop-column)"), "{out}");
    let flagged: Vec<&str> = args.iter().copied().chain(["--rules-url", "https://flag.test/r.md", "--fail-on", "never"]).collect();
    let (code, out, _) = lint(dir.path(), &flagged, &env);
    assert_eq!(code, Some(0));
    assert!(out.contains("(https://flag.test/r.md#ss102-drop-column)"), "{out}");
    // The same input, the same comment.
    assert_eq!(lint(dir.path(), &flagged, &env).1, out);
}

#[test]
fn hand_written_migrations_are_commented_without_a_plan() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("001.sql"), USERS).unwrap();
    std::fs::write(dir.path().join("002.sql"), "ALTER TABLE users DROP COLUMN email;\n").unwrap();
    let (code, out, err) = lint(dir.path(), &["--migrations", "001.sql", "002.sql", "--format", "pr-comment", "--fail-on", "never"], &[]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.starts_with("<!-- schemashift:comment -->\n"), "{out}");
    assert!(out.contains("Schema change `migrations 001.sql 002.sql`"), "{out}");
    assert!(out.contains("[SS102 drop-column](docs/rules.md#ss102-drop-column)"), "{out}");
    assert!(!out.contains("### Migration"), "no plan, no SQL of schemashift's: {out}");
}

#[test]
fn a_configuration_file_named_but_missing_is_exit_66() {
    let dir = project();
    let (code, _, err) = lint(dir.path(), &["--no-index", "old.sql", "new.sql"], &[("SCHEMASHIFT_CONFIG", "db/schemashift.toml")]);
    assert_eq!(code, Some(66), "{err}");
    assert!(err.starts_with("schemashift: error: cannot read the configuration file"), "{err}");
    assert!(err.contains("(SCHEMASHIFT_CONFIG)"), "{err}");
    std::fs::create_dir(dir.path().join("db")).unwrap();
    std::fs::write(dir.path().join("db/schemashift.toml"), "[lint]\nfail_on = \"never\"\n").unwrap();
    let (code, _, err) = lint(dir.path(), &["--no-index", "old.sql", "new.sql"], &[("SCHEMASHIFT_CONFIG", "db/schemashift.toml")]);
    assert_eq!(code, Some(0), "the named file is read: {err}");
}
