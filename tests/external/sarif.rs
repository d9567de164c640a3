//! `lint --format sarif` judged by outside tools: the official SARIF 2.1.0
//! JSON schema (shipped in Microsoft's SARIF Multitool npm package) through
//! Python's `jsonschema`, and the Multitool's own validator with its GitHub
//! ingestion rules (`--rule-kind Gh`). A broken copy must be rejected too,
//! so the judges are shown to judge.

use crate::{Need, Test};
use assert_cmd::Command;
use std::path::{Path, PathBuf};

pub const TESTS: &[Test] = &[Test {
    name: "lint_sarif_is_valid_sarif_2_1_0_for_github",
    needs: &[Need::SarifTools, Need::PythonModules("jsonschema")],
    run: lint_sarif_is_valid_sarif_2_1_0_for_github,
}];

/// Where .ci/run unpacks `@microsoft/sarif-multitool-linux`
/// (`SCHEMASHIFT_SARIF_TOOLS` overrides it): `sarif-2.1.0.json` and the
/// `Sarif.Multitool` binary.
pub fn tools_dir() -> PathBuf {
    match std::env::var_os("SCHEMASHIFT_SARIF_TOOLS") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("target/tools/sarif-multitool/package"),
    }
}

/// Schema errors, one per line (empty: valid).
fn schema_errors(sarif: &Path) -> String {
    let script = "import json, sys, jsonschema\n\
                  schema = json.load(open(sys.argv[1]))\n\
                  doc = json.load(open(sys.argv[2]))\n\
                  v = jsonschema.validators.validator_for(schema)(schema)\n\
                  for e in v.iter_errors(doc): print(list(e.path), e.message)\n";
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(tools_dir().join("sarif-2.1.0.json"))
        .arg(sarif)
        .output()
        .expect("python3 runs");
    assert!(out.status.success(), "the schema check itself failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The Multitool's error-level results (`ruleId: message`), SARIF and
/// GitHub rules.
fn multitool_errors(sarif: &Path, dir: &Path) -> Vec<String> {
    let report = dir.join("validation.sarif");
    let out = std::process::Command::new(tools_dir().join("Sarif.Multitool"))
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .args(["validate", "--rule-kind", "Sarif;Gh", "--log", "ForceOverwrite", "-j"])
        .arg(tools_dir().join("sarif-2.1.0.json"))
        .arg("-o")
        .arg(&report)
        .arg(sarif)
        .output()
        .expect("Sarif.Multitool runs");
    let text = std::fs::read_to_string(&report).unwrap_or_else(|_| panic!("no validation report: {}", String::from_utf8_lossy(&out.stdout)));
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let results = json["runs"][0]["results"].as_array().cloned().unwrap_or_default();
    let mut errors: Vec<String> = results
        .iter()
        .filter(|r| r["level"] == "error")
        .map(|r| format!("{}: {}", r["ruleId"], r["message"]))
        .collect();
    // A file it could not read at all is a tool notification, not a result.
    let stdout = String::from_utf8_lossy(&out.stdout);
    errors.extend(stdout.lines().filter(|l| l.contains(": error ")).map(str::to_string));
    errors
}

fn lint_sarif_is_valid_sarif_2_1_0_for_github() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    std::fs::write(a.join("schema.sql"), "CREATE TABLE users (\n  id bigint PRIMARY KEY,\n  email text,\n  name text\n);\nCREATE TABLE gone (id int);\n").unwrap();
    // A misspelt suppression adds a finding located in the new revision.
    std::fs::write(b.join("schema.sql"), "-- schemashift:ignore drop-colum\nCREATE TABLE users (\n  id bigint PRIMARY KEY,\n  name text\n);\n").unwrap();
    let out = Command::cargo_bin("schemashift")
        .unwrap()
        .current_dir(dir.path())
        .args(["lint", "--no-index", "a", "b", "--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let sarif_path = dir.path().join("lint.sarif");
    std::fs::write(&sarif_path, &out.stdout).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = json["runs"][0]["results"].as_array().unwrap();
    assert!(results.len() >= 3, "{results:?}");

    let errors = schema_errors(&sarif_path);
    assert!(errors.is_empty(), "not valid SARIF 2.1.0:\n{errors}");
    let errors = multitool_errors(&sarif_path, dir.path());
    assert!(errors.is_empty(), "the SARIF Multitool rejects it:\n{}", errors.join("\n"));

    // The judges judge: the same log with a result missing its message.
    let mut broken = json.clone();
    broken["runs"][0]["results"][0].as_object_mut().unwrap().remove("message");
    broken["runs"][0]["results"][1]["level"] = "fatal".into();
    let broken_path = dir.path().join("broken.sarif");
    std::fs::write(&broken_path, serde_json::to_vec_pretty(&broken).unwrap()).unwrap();
    let errors = schema_errors(&broken_path);
    assert!(errors.contains("'message' is a required property") && errors.contains("'fatal'"), "{errors}");
}
