//! The GitHub Action's own steps, read from `action.yml` and run the way a
//! runner runs a composite action's `run:` steps (`bash -e -o pipefail`,
//! one `GITHUB_OUTPUT` file per step, `${{ }}` expressions in `env:`
//! evaluated first, later steps skipped after a failure), in a temporary
//! repository with a pull request event, against the fake GitHub API.
//!
//! `version: path` makes the install step take the schemashift built for
//! the tests from PATH; the `uses:` steps (the build cache) are the only
//! ones not run, and each must be limited to `version: source`.

use crate::github_comment::{TOKEN, github_env};
use crate::github_fake::{FakeGithub, PR};
use crate::support::git::TestRepo;
use serde_yaml_ng::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const MARKER: &str = "<!-- schemashift:comment -->";

fn action() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml");
    serde_yaml_ng::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn fixture(case: &str, side: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/diff").join(case).join(format!("{side}.sql"))).unwrap()
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Null => String::new(),
        other => panic!("not a scalar: {other:?}"),
    }
}

/// One step's result.
#[derive(Debug)]
struct StepRun {
    name: String,
    code: i32,
    stdout: String,
    stderr: String,
}

/// One run of the whole action.
struct ActionRun {
    steps: Vec<StepRun>,
    outputs: BTreeMap<String, String>,
}

impl ActionRun {
    fn failed(&self) -> bool {
        self.steps.iter().any(|s| s.code != 0)
    }
    fn step(&self, name: &str) -> &StepRun {
        self.steps.iter().find(|s| s.name == name).unwrap_or_else(|| panic!("step {name} did not run: {:?}", self.steps))
    }
    fn log(&self) -> String {
        self.steps.iter().map(|s| format!("--- {} (exit {})\n{}{}", s.name, s.code, s.stdout, s.stderr)).collect()
    }
}

/// A workspace with a pull request: the repository, the runner's files and
/// the fake API.
struct Runner {
    repo: TestRepo,
    temp: tempfile::TempDir,
    api: FakeGithub,
    base: String,
    head_ref: String,
}

impl Runner {
    /// `main` with the old schema, and branch `feature` changing it, checked out.
    fn new(files: &[(&str, &str)], old: &str, new: &str) -> Runner {
        let repo = TestRepo::new();
        for (path, text) in files {
            repo.write(path, text);
        }
        repo.write("db/schema.sql", old);
        let base = repo.commit_all("base schema");
        repo.git(&["checkout", "-q", "-b", "feature"]);
        repo.write("db/schema.sql", new);
        repo.commit_all("change the schema");
        Runner { repo, temp: tempfile::tempdir().unwrap(), api: FakeGithub::start(TOKEN), base, head_ref: "feature".into() }
    }

    /// The `github` context of a pull_request event on the current HEAD.
    fn github_context(&self) -> serde_json::Value {
        let head = self.repo.git(&["rev-parse", "HEAD"]);
        let event = serde_json::json!({
            "action": "synchronize",
            "number": PR,
            "pull_request": { "number": PR, "base": { "sha": self.base, "ref": "main" }, "head": { "sha": head, "ref": self.head_ref } },
        });
        serde_json::json!({ "event": event, "event_name": "pull_request", "head_ref": self.head_ref, "token": TOKEN, "action_repository": "acme/schemashift", "action_ref": "v1" })
    }

    /// Runs every step of the action with `inputs` over the defaults.
    fn run(&self, inputs: &[(&str, &str)]) -> ActionRun {
        self.run_with_context(self.github_context(), inputs)
    }

    /// [`Self::run`] with this `github` context.
    fn run_with_context(&self, github: serde_json::Value, inputs: &[(&str, &str)]) -> ActionRun {
        let action = action();
        let temp = self.temp.path();
        let event_path = temp.join("event.json");
        std::fs::write(&event_path, github["event"].to_string()).unwrap();
        let summary = temp.join("step_summary.md");
        let runner_temp = temp.join("runner_temp");
        std::fs::create_dir_all(&runner_temp).unwrap();

        // Inputs: the defaults, evaluated, then what the workflow gives.
        let mut ctx = Context { inputs: BTreeMap::new(), steps: BTreeMap::new(), github: github.clone(), runner_temp: runner_temp.clone() };
        let declared = action["inputs"].as_mapping().unwrap();
        for (name, spec) in declared {
            let value = ctx.eval(&text(&spec["default"]));
            ctx.inputs.insert(text(name), value);
        }
        for (name, value) in inputs {
            assert!(ctx.inputs.contains_key(*name), "action.yml has no input {name}");
            ctx.inputs.insert(name.to_string(), value.to_string());
        }

        let schemashift = assert_cmd::cargo::cargo_bin("schemashift");
        let mut path = format!("{}:{}", schemashift.parent().unwrap().display(), std::env::var("PATH").unwrap_or_default());
        let mut env: BTreeMap<String, String> = github_env(temp, &self.api.url, TOKEN).into_iter().filter(|(k, _)| k != "GITHUB_TOKEN").collect();
        for (k, v) in [
            ("HOME", temp.to_str().unwrap()),
            ("GIT_CONFIG_NOSYSTEM", "1"),
            ("GIT_CONFIG_GLOBAL", "/dev/null"),
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_EVENT_NAME", "pull_request"),
            ("GITHUB_EVENT_PATH", event_path.to_str().unwrap()),
            ("GITHUB_WORKSPACE", self.repo.path().to_str().unwrap()),
            ("GITHUB_ACTION_PATH", env!("CARGO_MANIFEST_DIR")),
            ("GITHUB_SERVER_URL", "https://github.test"),
            ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
            ("RUNNER_TEMP", runner_temp.to_str().unwrap()),
            ("RUNNER_OS", "Linux"),
        ] {
            env.insert(k.into(), v.into());
        }

        let mut steps = Vec::new();
        for (i, step) in action["runs"]["steps"].as_sequence().unwrap().iter().enumerate() {
            let name = step.get("id").map(text).unwrap_or_else(|| format!("step{i}"));
            if step.get("uses").is_some() {
                let condition = step.get("if").map(text).unwrap_or_default();
                assert_eq!(condition, "inputs.version == 'source'", "a `uses:` step the test cannot run must be limited to the source build");
                assert_eq!(ctx.inputs["version"], "path");
                continue;
            }
            assert!(step.get("if").is_none(), "run steps decide in bash, where the test runs them: {name}");
            assert_eq!(step.get("shell").map(text).as_deref(), Some("bash"), "{name}");
            if steps.iter().any(|s: &StepRun| s.code != 0) {
                break; // success(): the steps after a failure do not run
            }
            let dir = self.repo.path().join(step.get("working-directory").map(|w| ctx.eval(&text(w))).unwrap_or_else(|| ".".into()));
            let files = ["GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH"].map(|f| {
                let file = temp.join(format!("{name}.{f}"));
                std::fs::write(&file, "").unwrap();
                (f, file)
            });
            let script = temp.join(format!("{name}.sh"));
            std::fs::write(&script, text(&step["run"])).unwrap();
            let mut cmd = std::process::Command::new("bash");
            cmd.args(["--noprofile", "--norc", "-e", "-o", "pipefail"]).arg(&script).current_dir(&dir).env_clear();
            cmd.envs(&env).env("PATH", &path);
            for (f, file) in &files {
                cmd.env(f, file);
            }
            if let Some(step_env) = step.get("env").and_then(Value::as_mapping) {
                for (k, v) in step_env {
                    cmd.env(text(k), ctx.eval(&text(v)));
                }
            }
            let out = cmd.output().unwrap();
            let run = StepRun {
                name: name.clone(),
                code: out.status.code().unwrap_or(-1),
                stdout: String::from_utf8_lossy(&out.stdout).into(),
                stderr: String::from_utf8_lossy(&out.stderr).into(),
            };
            assert!(!run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN), "step {name} printed the token");
            ctx.steps.insert(name.clone(), key_values(&std::fs::read_to_string(&files[0].1).unwrap()));
            for (k, v) in key_values(&std::fs::read_to_string(&files[1].1).unwrap()) {
                env.insert(k, v);
            }
            for dir in std::fs::read_to_string(&files[2].1).unwrap().lines().filter(|l| !l.is_empty()) {
                path = format!("{dir}:{path}");
            }
            steps.push(run);
        }
        let outputs = action["outputs"].as_mapping().unwrap().iter().map(|(k, v)| (text(k), ctx.eval(&text(&v["value"])))).collect();
        ActionRun { steps, outputs }
    }

    fn summary(&self) -> String {
        std::fs::read_to_string(self.temp.path().join("step_summary.md")).unwrap_or_default()
    }
}

/// What `${{ }}` expressions may name here.
struct Context {
    inputs: BTreeMap<String, String>,
    steps: BTreeMap<String, BTreeMap<String, String>>,
    github: serde_json::Value,
    runner_temp: PathBuf,
}

impl Context {
    /// `text` with each `${{ expr }}` replaced; an expression of another
    /// form than these fails the test (and keeps action.yml simple).
    fn eval(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find("}}").expect("unclosed expression") + start;
            let expr = rest[start + 3..end].trim();
            out.push_str(&self.value(expr));
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        out
    }

    fn value(&self, expr: &str) -> String {
        let parts: Vec<&str> = expr.split('.').collect();
        match parts.as_slice() {
            ["inputs", name] => self.inputs.get(*name).cloned().unwrap_or_else(|| panic!("no input {name}")),
            ["steps", id, "outputs", name] => self.steps.get(*id).and_then(|o| o.get(*name)).cloned().unwrap_or_default(),
            ["runner", "temp"] => self.runner_temp.display().to_string(),
            ["github", path @ ..] => {
                let v = path.iter().fold(&self.github, |v, p| &v[*p]);
                match v {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Null => String::new(),
                    other => other.to_string(),
                }
            }
            _ => panic!("an expression the test does not evaluate: {expr}"),
        }
    }
}

/// `name=value` lines and `name<<DELIMITER` blocks, as the runner reads them.
fn key_values(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((k, delimiter)) = line.split_once("<<") {
            let value: Vec<&str> = lines.by_ref().take_while(|l| *l != delimiter).collect();
            out.insert(k.to_string(), value.join("\n"));
        } else if let Some((k, v)) = line.split_once('=') {
            out.insert(k.to_string(), v.to_string());
        }
    }
    out
}

#[test]
fn the_action_comments_sets_outputs_and_fails_per_fail_on() {
    let old = fixture("column_dropped", "old");
    let new = fixture("column_dropped", "new");
    let runner = Runner::new(&[], &old, &new);

    let first = runner.run(&[("version", "path"), ("schema", "db/*.sql"), ("fail-on", "breaking")]);
    let log = first.log();
    if std::env::var_os("SHOW_ACTION_LOG").is_some() {
        eprintln!("{log}");
    }
    assert!(first.failed(), "a breaking change fails with fail-on: breaking\n{log}");
    let last = first.steps.last().unwrap();
    assert_eq!(last.name, "verdict", "only the verdict failed, after everything else ran\n{log}");
    assert_eq!(last.code, 1, "{log}");
    assert!(last.stdout.contains("::error title=schemashift::the schema change is breaking_changes"), "{log}");
    assert!(first.steps[..first.steps.len() - 1].iter().all(|s| s.code == 0), "{log}");

    // The outputs.
    let o = &first.outputs;
    assert_eq!(o["level"], "breaking_changes", "{o:?}");
    assert_eq!((o["breaking"].as_str(), o["potentially-breaking"].as_str(), o["non-breaking"].as_str(), o["additive"].as_str()), ("1", "0", "0", "0"), "{o:?}");
    assert!(o["findings"].parse::<usize>().unwrap() >= 1, "{o:?}");
    assert_eq!(o["merge-base"], runner.base);
    assert_eq!(o["migration-commit"], "");
    let report = std::fs::read_to_string(&o["report-path"]).unwrap();

    // The report: in the job summary, and posted as the comment.
    assert!(report.starts_with(MARKER), "{report}");
    assert!(report.contains("| public.products.legacy_code | drop column | 🔴 breaking | ACCESS EXCLUSIVE on public.products |"), "{report}");
    assert!(report.contains("ALTER TABLE public.products DROP COLUMN legacy_code;"), "{report}");
    assert!(report.contains(&format!("Schema change `{} → HEAD`", runner.base)), "{report}");
    // The rule links go to the action's own repository at its ref.
    assert!(report.contains("(https://github.test/acme/schemashift/blob/v1/docs/rules.md#ss102-drop-column)"), "{report}");
    assert_eq!(runner.summary(), report);
    let comments = runner.api.comments();
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0].body, report);
    assert!(first.step("comment").stdout.starts_with("created comment "), "{log}");
    // The annotation on the dropped column's line, in the old schema.
    assert!(first.step("lint").stdout.contains("::error file=db/schema.sql,line="), "{log}");

    // A second push adds a nullable column; fail-on: none passes.
    runner.repo.write("db/schema.sql", &new.replace("price numeric(10,2) NOT NULL", "price numeric(10,2) NOT NULL,\n    note text"));
    runner.repo.commit_all("a note");
    let second = runner.run(&[("version", "path"), ("schema", "db/*.sql"), ("fail-on", "none")]);
    assert!(!second.failed(), "fail-on: none never fails\n{}", second.log());
    assert_eq!((second.outputs["breaking"].as_str(), second.outputs["additive"].as_str()), ("1", "1"), "{:?}", second.outputs);
    assert!(second.step("comment").stdout.starts_with("updated comment "), "{}", second.log());
    let comments = runner.api.comments();
    assert_eq!(comments.len(), 1, "the same comment, edited");
    assert!(comments[0].body.contains("public.products.note"), "{}", comments[0].body);
    let methods: Vec<String> = runner.api.calls().into_iter().map(|(m, _)| m).collect();
    assert_eq!(methods, ["GET", "POST", "GET", "PATCH"]);
}

#[test]
fn an_additive_change_passes_fail_on_breaking_and_comment_false_posts_nothing() {
    let runner = Runner::new(&[], &fixture("column_added_nullable", "old"), &fixture("column_added_nullable", "new"));
    let run = runner.run(&[("version", "path"), ("comment", "false")]);
    assert!(!run.failed(), "{}", run.log());
    assert_eq!(run.outputs["level"], "fully_compatible", "{:?}", run.outputs);
    assert_eq!(run.outputs["additive"], "1");
    assert!(run.step("comment").stdout.contains("not commenting"), "{}", run.log());
    assert!(runner.api.calls().is_empty());
    assert!(runner.summary().starts_with(MARKER));
}

/// A pull request dropping a column, its migrations directory in step with
/// main, and a bare `origin` its branch is pushed to.
fn dropped_column_pr() -> Runner {
    // The schema's configuration beside it, named by the `config` input.
    let config = "schema = [\"db/schema.sql\"]\nframework = \"dbmate\"\ndir = \"db/migrations\"\n";
    let old = fixture("column_dropped", "old");
    let runner = Runner::new(&[("db/schemashift.toml", config)], &old, &old);
    // The first migration, written on main, creates the base schema.
    let repo = &runner.repo;
    repo.git(&["checkout", "-q", "main"]);
    generate_in(repo, "init", "1700000000", Some("db/schemashift.toml"));
    repo.commit_all("initial migration");
    repo.git(&["branch", "-f", "feature", "main"]);
    repo.git(&["checkout", "-q", "feature"]);
    repo.write("db/schema.sql", &fixture("column_dropped", "new"));
    repo.commit_all("drop legacy_code");
    // The remote the pull request's branch is pushed to.
    let origin = repo.sibling("origin.git");
    crate::support::git::git_in(repo.path(), &["clone", "-q", "--bare", ".", origin.to_str().unwrap()]);
    repo.git(&["remote", "add", "origin", origin.to_str().unwrap()]);
    Runner { base: repo.git(&["rev-parse", "main"]), ..runner }
}

#[test]
fn generate_commits_the_migration_to_the_pull_requests_branch_once() {
    let runner = dropped_column_pr();
    let origin = runner.repo.sibling("origin.git");
    let inputs = [("version", "path"), ("config", "db/schemashift.toml"), ("generate", "true"), ("fail-on", "none"), ("migration-name", "drop legacy code")];
    let run = runner.run(&inputs);
    assert!(!run.failed(), "{}", run.log());
    let pushed = crate::support::git::git_in(&origin, &["rev-parse", "refs/heads/feature"]);
    assert_eq!(run.outputs["migration-commit"], pushed);
    let files = crate::support::git::git_in(&origin, &["show", "--name-only", "--format=%s", "refs/heads/feature"]);
    assert!(files.starts_with("Migration drop legacy code, generated by schemashift"), "{files}");
    assert!(files.lines().any(|l| l.starts_with("db/migrations/") && l.ends_with("_drop_legacy_code.sql")), "{files}");
    assert!(runner.api.comments()[0].body.contains("drop column"));

    // Run again on the pushed commit: the migration is there, nothing to commit.
    let again = runner.run(&inputs);
    assert!(!again.failed(), "{}", again.log());
    assert!(again.step("generate").stdout.contains("the migrations are up to date"), "{}", again.log());
    assert_eq!(crate::support::git::git_in(&origin, &["rev-parse", "refs/heads/feature"]), pushed);
}

#[test]
fn generate_refuses_a_checkout_that_is_not_the_pull_requests_head() {
    let runner = Runner::new(&[], &fixture("column_dropped", "old"), &fixture("column_dropped", "new"));
    // What actions/checkout checks out by default: a merge commit, not the head.
    let mut github = runner.github_context();
    github["event"]["pull_request"]["head"]["sha"] = serde_json::json!("0123456789012345678901234567890123456789");
    let run = runner.run_with_context(github, &[("version", "path"), ("generate", "true"), ("comment", "false"), ("fail-on", "none")]);
    assert!(run.failed());
    let step = run.step("generate");
    assert_eq!(step.code, 1);
    assert!(step.stdout.contains("check it out (actions/checkout with ref: ${{ github.head_ref }})"), "{}", run.log());
}

#[test]
fn the_action_declares_what_the_readme_documents() {
    let action = action();
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = readme.split("## GitHub Action").nth(1).expect("README has a GitHub Action section");
    for kind in ["inputs", "outputs"] {
        for (name, _) in action[kind].as_mapping().unwrap() {
            assert!(section.contains(&format!("`{}`", text(name))), "README's GitHub Action section lists the {kind} `{}`", text(name));
        }
    }
    assert_eq!(text(&action["runs"]["using"]), "composite");
}

#[test]
fn a_comment_github_refuses_is_a_warning_and_the_verdict_still_follows() {
    let runner = Runner::new(&[], &fixture("column_dropped", "old"), &fixture("column_dropped", "new"));
    // A pull request from a fork: the token may not write.
    runner.api.script(crate::github_fake::Scripted::status("POST", 403).body(r#"{"message": "Resource not accessible by integration"}"#));
    let run = runner.run(&[("version", "path"), ("fail-on", "potentially-breaking")]);
    let comment = run.step("comment");
    assert_eq!(comment.code, 0, "{}", run.log());
    assert!(comment.stdout.contains("::warning title=schemashift::the pull request comment could not be posted (exit 74"), "{}", run.log());
    assert!(comment.stderr.contains("pull-requests: write"), "{}", run.log());
    assert_eq!(run.step("verdict").code, 1, "{}", run.log());
    assert!(runner.summary().contains("drop column"));
}

#[test]
fn the_source_build_is_cached_on_cargo_lock_in_the_directory_it_builds_in() {
    let action = action();
    let steps = action["runs"]["steps"].as_sequence().unwrap();
    let by_id = |id: &str| steps.iter().find(|s| s.get("id").map(text).as_deref() == Some(id)).unwrap();
    let cache = steps.iter().find(|s| s.get("uses").is_some()).unwrap();
    assert!(text(&cache["uses"]).starts_with("actions/cache@"));
    assert_eq!(text(&cache["with"]["key"]), "${{ steps.cache-key.outputs.key }}");
    assert!(text(&cache["with"]["path"]).lines().any(|l| l == "${{ runner.temp }}/schemashift-target"));
    let install = text(&by_id("install")["run"]);
    assert!(install.contains(r#"CARGO_TARGET_DIR="$RUNNER_TEMP/schemashift-target" cargo install --locked --quiet --path "$GITHUB_ACTION_PATH""#), "{install}");

    // The key step, run for the source build: a key from Cargo.lock's hash.
    let temp = tempfile::tempdir().unwrap();
    let output = temp.path().join("output");
    std::fs::write(temp.path().join("key.sh"), text(&by_id("cache-key")["run"])).unwrap();
    let run = |version: &str| {
        std::fs::write(&output, "").unwrap();
        let status = std::process::Command::new("bash")
            .args(["--noprofile", "--norc", "-e", "-o", "pipefail", "key.sh"])
            .current_dir(temp.path())
            .env("INPUT_VERSION", version)
            .env("GITHUB_ACTION_PATH", env!("CARGO_MANIFEST_DIR"))
            .env("RUNNER_OS", "Linux")
            .env("GITHUB_OUTPUT", &output)
            .status()
            .unwrap();
        assert!(status.success());
        std::fs::read_to_string(&output).unwrap()
    };
    let key = run("source");
    let hash = key.trim().strip_prefix("key=schemashift-build-Linux-").unwrap_or_else(|| panic!("{key}"));
    assert!(hash.len() == 20 && hash.chars().all(|c| c.is_ascii_hexdigit()), "{key}");
    assert_eq!(run("source"), key, "the same lock file, the same key");
    assert_eq!(run("path"), "", "no build, no key");
}

#[test]
fn check_migrations_fails_a_schema_change_without_its_migration_and_passes_with_it() {
    let config = "schema = [\"db/schema.sql\"]\nframework = \"dbmate\"\ndir = \"db/migrations\"\n";
    let old = fixture("column_added_nullable", "old");
    let runner = Runner::new(&[("schemashift.toml", config)], &old, &old);
    let repo = &runner.repo;
    // main: the schema and its first migration; feature: the schema changed, no migration.
    repo.git(&["checkout", "-q", "main"]);
    generate_in(repo, "init", "1700000000", None);
    repo.commit_all("initial migration");
    repo.git(&["branch", "-f", "feature", "main"]);
    repo.git(&["checkout", "-q", "feature"]);
    repo.write("db/schema.sql", &fixture("column_added_nullable", "new"));
    repo.commit_all("add a column, no migration");
    let runner = Runner { base: repo.git(&["rev-parse", "main"]), ..runner };
    let inputs = [("version", "path"), ("check-migrations", "true"), ("fail-on", "none"), ("comment", "false")];

    let run = runner.run(&inputs);
    let log = run.log();
    assert!(run.failed(), "{log}");
    assert_eq!(run.steps.last().unwrap().name, "verdict", "{log}");
    assert_eq!(run.outputs["migrations"], "out-of-step", "{:?}", run.outputs);
    let check = run.step("check");
    assert_eq!(check.code, 0, "the verdict decides: {log}");
    assert!(check.stdout.contains("::error title=schemashift::db/migrations is not in step with the schema of HEAD (write the missing migration: `schemashift generate --name add_column_"), "{log}");
    let summary = runner.summary();
    assert!(summary.contains("### Migrations") && summary.contains("ADD COLUMN"), "{summary}");

    // The migration committed: in step, and after main's; the check passes.
    generate_in(&runner.repo, "add column", "1700000100", None);
    runner.repo.commit_all("its migration");
    let run = runner.run(&inputs);
    assert!(!run.failed(), "{}", run.log());
    assert_eq!(run.outputs["migrations"], "in-step");
    assert!(runner.summary().contains("In step with the schema, and in order after the base."));
}

/// `schemashift generate --name <name>` in `repo` at time `epoch`, with the
/// configuration file `config` when given; it must succeed.
fn generate_in(repo: &crate::support::git::TestRepo, name: &str, epoch: &str, config: Option<&str>) {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("schemashift"));
    cmd.args(["generate", "--name", name]).current_dir(repo.path()).env("SOURCE_DATE_EPOCH", epoch);
    if let Some(config) = config {
        cmd.env("SCHEMASHIFT_CONFIG", config);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn generate_names_the_migration_after_the_change_by_default() {
    let runner = dropped_column_pr();
    let origin = runner.repo.sibling("origin.git");
    let run = runner.run(&[("version", "path"), ("config", "db/schemashift.toml"), ("generate", "true"), ("fail-on", "none")]);
    assert!(!run.failed(), "{}", run.log());
    let files = crate::support::git::git_in(&origin, &["show", "--name-only", "--format=%s", "refs/heads/feature"]);
    let migration = files.lines().find(|l| l.starts_with("db/migrations/") && l.ends_with(".sql")).unwrap_or_else(|| panic!("{files}"));
    assert!(migration.ends_with("_drop_column_legacy_code.sql"), "{files}");
    let name = migration.rsplit('/').next().unwrap();
    assert!(files.starts_with(&format!("Migration {name}, generated by schemashift")), "{files}");
}
