//! `schemashift plan --spec`: the two seed specifications shipped in
//! `fixtures/specs/` planned in every format, with the content their own
//! figures give (each table's copy arithmetic, the pattern's phases, each
//! compliance regime and dependency); validation problems at their JSON
//! paths; bad JSON at its line and column; and the real migration between
//! two schema revisions embedded, with its lock facts and pre-flight query.

use crate::support::git::TestRepo;
use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

const DATABASE: &str = "fixtures/specs/sample_database_migration.json";
const SERVICE: &str = "fixtures/specs/sample_service_migration.json";
const FORMATS: [&str; 3] = ["text", "markdown", "json"];

fn schemashift(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("schemashift").unwrap().current_dir(dir).args(args).output().unwrap()
}

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The plan of a shipped specification in `format`; it must succeed.
fn plan(spec: &str, format: &str) -> String {
    let out = schemashift(repo_root(), &["plan", "--spec", spec, "--format", format]);
    assert_eq!(out.status.code(), Some(0), "{spec} {format}: {}", text(&out.stderr));
    text(&out.stdout)
}

fn json_plan(spec: &str) -> Value {
    serde_json::from_str(&plan(spec, "json")).expect("plan --format json prints JSON")
}

fn phase_names(plan: &Value) -> Vec<String> {
    plan["phases"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_string()).collect()
}

fn spec_strings(spec: &str, key: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(repo_root().join(spec)).unwrap()).unwrap();
    v["constraints"][key].as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
}

#[test]
fn the_shipped_specifications_are_the_seed_samples() {
    for name in ["sample_database_migration.json", "sample_service_migration.json"] {
        let seed = repo_root().join("../shared/seed-samples").join(name);
        let Ok(seed) = std::fs::read(&seed) else { continue };
        assert_eq!(std::fs::read(repo_root().join("fixtures/specs").join(name)).unwrap(), seed, "{name} differs from the seed sample");
    }
}

#[test]
fn database_seed_shows_each_tables_copy_arithmetic_in_every_format() {
    let lines = [
        "users: 450 MB ÷ 50 MB/s = 9 s",
        "user_profiles: 890 MB ÷ 50 MB/s = 17.8 s",
        "user_sessions: 1200 MB ÷ 50 MB/s = 24 s",
        "audit_logs: 2800 MB ÷ 50 MB/s = 56 s",
    ];
    let out = plan(DATABASE, "text");
    for line in lines {
        assert!(out.contains(line), "text lacks {line:?}:\n{out}");
    }
    assert!(out.contains("whole data volume: 2500 GB × 1024 MB/GB = 2560000 MB ÷ 50 MB/s = 51200 s (14 h 13 min 20 s)"), "{out}");
    assert!(out.contains("COPY_MB_PER_S = 50 MB/s"), "the assumption is named: {out}");
    assert!(out.contains("[over] copy of the data: 14 h 13 min 20 s against the 30 min (1800 s) downtime budget"), "{out}");
    assert!(out.contains("switch of each dependency: 30 min ÷ 5 dependencies = 6 min each (360 s)"), "{out}");
    // The CHECK's validation, estimated from the table's stated rows.
    assert!(out.contains("user_profiles: validate bio_length_check against the existing rows: 1500000 rows ÷ 1000000 rows/s = 1.5 s"), "{out}");

    let md = plan(DATABASE, "markdown");
    for line in lines {
        let (table, arithmetic) = line.split_once(": ").unwrap();
        assert!(md.contains(&format!("- {table}: `{arithmetic}`")), "markdown lacks {line:?}:\n{md}");
    }
    assert!(md.contains("`COPY_MB_PER_S` = 50 MB/s"), "{md}");

    let json = json_plan(DATABASE);
    let entries: Vec<&Value> = json["timeline"]["sections"].as_array().unwrap().iter().flat_map(|s| s["entries"].as_array().unwrap()).collect();
    for line in lines {
        let (table, arithmetic) = line.split_once(": ").unwrap();
        assert!(entries.iter().any(|e| e["subject"] == table && e["arithmetic"] == arithmetic), "json lacks {line:?}");
    }
    let audit = entries.iter().find(|e| e["subject"] == "audit_logs").unwrap();
    assert_eq!(audit["seconds"], 56.0);
    assert_eq!(json["timeline"]["assumptions"][0]["name"], "COPY_MB_PER_S");
}

#[test]
fn database_seed_plans_expand_migrate_contract_with_gates_and_triggers() {
    let json = json_plan(DATABASE);
    assert_eq!(json["type"], "database");
    assert_eq!(json["pattern"], "schema_change");
    assert_eq!(phase_names(&json), ["expand", "migrate", "contract"]);
    for phase in json["phases"].as_array().unwrap() {
        assert!(!phase["goal"].as_str().unwrap().is_empty());
        assert!(!phase["gates"].as_array().unwrap().is_empty(), "{} has no gate", phase["name"]);
        assert!(!phase["rollback_triggers"].as_array().unwrap().is_empty(), "{} has no rollback trigger", phase["name"]);
    }
    let expand = &json["phases"][0];
    let gate = expand["gates"].as_array().unwrap().iter().find(|g| g["check"].as_str().unwrap().contains("bio_length_check")).expect("the CHECK's pre-flight gate");
    assert_eq!(gate["query"], "SELECT count(*) FROM user_profiles WHERE NOT (LENGTH(bio) <= 2000);");
    assert_eq!(gate["expect"], "0");
    let migrate = &json["phases"][1];
    let checks: Vec<&str> = migrate["gates"].as_array().unwrap().iter().map(|g| g["check"].as_str().unwrap()).collect();
    for table in ["users", "user_profiles", "user_sessions", "audit_logs"] {
        assert!(checks.iter().any(|c| c.starts_with(&format!("{table}: the row count"))), "no row count gate for {table}: {checks:?}");
    }
    let triggers: Vec<&str> = migrate["rollback_triggers"].as_array().unwrap().iter().map(|t| t["when"].as_str().unwrap()).collect();
    assert!(triggers.contains(&"the application has been unable to work for 30 min"), "{triggers:?}");
    assert!(triggers.contains(&"query response time goes above 100 ms"), "{triggers:?}");
    assert!(triggers.iter().any(|t| t.starts_with("it is 06:00 UTC (the window's end)")), "{triggers:?}");
    // varchar(255) → text keeps every value: the dialect says so, no rewrite.
    let actions = migrate["actions"].as_array().unwrap();
    assert!(actions.iter().any(|a| a == "user_profiles: change bio from varchar(255) to text: every value stays as stored (catalog only)"), "{actions:?}");

    let risks: Vec<&str> = json["risks"].as_array().unwrap().iter().map(|r| r["risk"].as_str().unwrap()).collect();
    assert!(risks.iter().any(|r| r.starts_with("copying the data takes 14 h 13 min 20 s")), "{risks:?}");
    assert!(risks.iter().any(|r| r.starts_with("users is critical")), "{risks:?}");
    assert!(risks.iter().any(|r| r.starts_with("user_profiles is critical")), "{risks:?}");
    assert!(json["risks"].as_array().unwrap().iter().all(|r| !r["mitigations"].as_array().unwrap().is_empty()));
    assert_eq!(json["risks"][0]["severity"], "high");
}

#[test]
fn service_seed_plans_the_strangler_fig_from_its_own_figures() {
    let json = json_plan(SERVICE);
    assert_eq!(json["pattern"], "strangler_fig");
    assert_eq!(phase_names(&json), ["preparation", "intercept", "gradual_migration", "validation", "decommission"]);
    assert_eq!(json["phases"][2]["stated"]["estimated_duration_hours"], 48.0);
    let out = plan(SERVICE, "text");
    for expected in [
        "enable_new_user_service: 24 h + 24 h + 24 h + 0 h = 72 h",
        "enable_new_auth_endpoints: 12 h + 12 h + 0 h = 24 h",
        "enable_new_user_service at 5 %: 5 % × 850 requests/s = 42.5 requests/s to the new service",
        "total: 8 h + 2 h + 48 h + 24 h + 4 h = 86 h (3 d 14 h)",
        "[over] rollout: enable_new_user_service's schedule takes 72 h (the flags run side by side), against the 48 h stated for gradual_migration: 24 h over",
        "whole data volume: 50 GB × 1024 MB/GB = 51200 MB ÷ 50 MB/s = 1024 s (17 min 4 s)",
        "replicas for the legacy peak: 2000 requests/s ÷ 300 requests/s per replica = 6.67 → 7 replicas",
        "route GET /api/v1/users/{id} → GET /api/v2/users/{id}",
        "route POST /api/v1/users/login → POST /api/v2/auth/login (matched by its last segment only",
        "when error_rate stays above 0.1 (10 %) for 5 min: automatic_rollback: set enable_new_user_service, enable_new_auth_endpoints to 0 %",
        "when cpu_utilization stays above 0.95 (95 %) for 5 min: scale_up: add capacity to New User Service (Node.js + TypeScript), up to its 10 replicas",
        "before enable_new_user_service goes beyond 25 %: error_rate below 0.05 (5 %), response_time_p95 below 250 ms",
        "4 instances, 4 × 4 cores = 16 cores, 4 × 8 GB = 32 GB of memory; behind AWS ELB Classic",
        "the load balancer changes from AWS ELB Classic to AWS ALB",
        "critical metrics with no alert threshold and no rollback trigger: request_rate, response_time_p99, database_connection_pool",
    ] {
        assert!(out.contains(expected), "text lacks {expected:?}:\n{out}");
    }
    // PCI DSS moves the card-handling dependency last.
    assert!(out.contains("in this order: order_service, notification_service, analytics_service, mobile_app_v1, mobile_app_v2, web_frontend, admin_dashboard, payment_service"), "{out}");
}

#[test]
fn every_compliance_requirement_and_dependency_is_addressed_in_every_format() {
    for spec in [DATABASE, SERVICE] {
        let compliance = spec_strings(spec, "compliance_requirements");
        let special = spec_strings(spec, "special_requirements");
        let dependencies = spec_strings(spec, "dependencies");
        for format in FORMATS {
            let out = plan(spec, format);
            for dep in &dependencies {
                assert!(out.contains(&format!("{dep}: ")), "{spec} {format}: dependency {dep} has no line of its own");
            }
            for name in compliance.iter().chain(&special) {
                assert!(out.contains(name.as_str()), "{spec} {format}: {name} is not addressed");
            }
        }
        let json = json_plan(spec);
        for name in compliance.iter().chain(&special) {
            let req = json["requirements"].as_array().unwrap().iter().find(|r| r["name"] == name.as_str()).unwrap_or_else(|| panic!("{spec}: no requirement {name}"));
            assert!(req["actions"].as_array().unwrap().len() >= 2, "{spec}: {name} has too few actions: {req}");
            assert!(req["from"].as_str().unwrap().starts_with("$.constraints."), "{req}");
        }
    }
    let gdpr = plan(DATABASE, "text");
    assert!(gdpr.contains("audit_logs is an audit trail: its 50000000 rows arrive complete"), "SOX names the audit table:\n{gdpr}");
    assert!(plan(SERVICE, "text").contains("payment_service handles card data: its traffic moves last"), "PCI DSS names the payment dependency");
}

#[test]
fn no_placeholder_in_any_plan() {
    let braces = regex::Regex::new(r"\{[A-Za-z_][A-Za-z0-9_]*\}").unwrap();
    for spec in [DATABASE, SERVICE] {
        let source = std::fs::read_to_string(repo_root().join(spec)).unwrap();
        for format in FORMATS {
            let out = plan(spec, format);
            for word in ["TBD", "TODO", "XXX", "FIXME", "{}", "{table_name}", "{table}", "{name}", "lorem", "N/A", "<placeholder>"] {
                assert!(!out.contains(word), "{spec} {format} prints {word:?}");
            }
            // Braces only as the specification writes them (route templates).
            for m in braces.find_iter(&out) {
                assert!(source.contains(m.as_str()), "{spec} {format} prints {} that its specification does not", m.as_str());
            }
            assert!(!out.contains("NaN") && !out.contains("inf "), "{spec} {format}: a number went wrong");
        }
    }
}

#[test]
fn plans_are_deterministic() {
    for format in FORMATS {
        assert_eq!(plan(SERVICE, format), plan(SERVICE, format));
    }
}

#[test]
fn json_output_has_phases_risks_timeline() {
    for spec in [DATABASE, SERVICE] {
        let json = json_plan(spec);
        assert!(!json["phases"].as_array().unwrap().is_empty());
        assert!(!json["risks"].as_array().unwrap().is_empty());
        assert!(!json["timeline"]["sections"].as_array().unwrap().is_empty());
        assert!(!json["timeline"]["checks"].as_array().unwrap().is_empty());
        assert!(json["requirements"].as_array().unwrap().len() > 3);
        assert!(json.get("schema").is_none(), "no revisions, no embedded migration");
    }
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

#[test]
fn an_invalid_specification_reports_every_problem_at_its_path() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "spec.json",
        r#"{
  "type": "database",
  "pattern": "canary",
  "source": "a",
  "target": "b",
  "constraints": {"max_downtime_minutes": -5, "dependencies": ["x", "x"]},
  "tables_to_migrate": [
    {"name": "users", "row_count": 10, "size_mb": 1},
    {"name": "orders", "row_count": 10, "size_mb": 1},
    {"name": "users", "row_count": -3, "size_mb": "big", "colour": "red"}
  ],
  "schema_changes": [{"table": "user", "changes": [{"type": "add_colum", "column": "x"}]}],
  "rollback_triggers": [{"metric": "error_rate", "threshold": 5, "action": "automatic_rollback"}],
  "surprise": true
}
"#,
    );
    let out = schemashift(dir.path(), &["plan", "--spec", "spec.json"]);
    assert_eq!(out.status.code(), Some(65), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty(), "no plan for an invalid specification");
    let err = text(&out.stderr);
    for expected in [
        "spec.json: 11 problems in the migration specification:",
        "spec.json:3:3: $.pattern: unknown pattern \"canary\"; expected one of: schema_change, strangler_fig, blue_green",
        "spec.json:6:19: $.constraints.max_downtime_minutes: must be a non-negative number, not -5",
        "spec.json:6:69: $.constraints.dependencies[1]: x is listed twice (first at $.constraints.dependencies[0])",
        "spec.json:10:6: $.tables_to_migrate[2].name: users is listed twice (first at $.tables_to_migrate[0].name)",
        "spec.json:10:23: $.tables_to_migrate[2].row_count: must be a non-negative integer, not -3",
        "spec.json:10:40: $.tables_to_migrate[2].size_mb: must be a non-negative number, not \"big\"",
        "spec.json:10:58: $.tables_to_migrate[2].colour: unknown member; expected one of: name, row_count, size_mb, critical",
        "$.schema_changes[0].table: user is not in tables_to_migrate; did you mean users?",
        "$.schema_changes[0].changes[0].type: unknown change type \"add_colum\"; did you mean add_column?",
        "$.rollback_triggers[0].threshold: must be a fraction from 0 to 1 (0.05 for 5 %), not 5",
        "spec.json:14:3: $.surprise: unknown member; expected one of: type, pattern, source, target",
    ] {
        assert!(err.contains(expected), "stderr lacks {expected:?}:\n{err}");
    }
    // In the order of the document.
    assert!(err.find("$.tables_to_migrate[2].size_mb").unwrap() < err.find("$.tables_to_migrate[2].colour").unwrap(), "{err}");
}

#[test]
fn missing_members_and_wrong_types_are_problems() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "spec.json", r#"{"pattern": "blue_green", "source": "a", "constraints": [1], "tables_to_migrate": {"users": 1}}"#);
    let out = schemashift(dir.path(), &["plan", "--spec", "spec.json"]);
    assert_eq!(out.status.code(), Some(65));
    let err = text(&out.stderr);
    for expected in [
        "$.type: is required (a string)",
        "$.target: is required (a string)",
        "$.constraints: must be an object, not an array",
        "$.tables_to_migrate: must be an array, not an object",
    ] {
        assert!(err.contains(expected), "stderr lacks {expected:?}:\n{err}");
    }
}

#[test]
fn bad_json_is_reported_at_its_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bad.json", "{\n  \"type\": \"database\",\n  \"source\": \"a\"\n  \"target\": \"b\"\n}\n");
    let out = schemashift(dir.path(), &["plan", "--spec", "bad.json"]);
    assert_eq!(out.status.code(), Some(65));
    assert!(text(&out.stderr).contains("schemashift: error: bad.json:4:3: invalid JSON: expected `,` or `}`"), "{}", text(&out.stderr));
}

#[test]
fn a_missing_specification_is_missing_input_and_spec_is_required() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(schemashift(dir.path(), &["plan", "--spec", "nope.json"]).status.code(), Some(66));
    assert_eq!(schemashift(dir.path(), &["plan"]).status.code(), Some(64));
    assert_eq!(schemashift(dir.path(), &["plan", "--spec", "x.json", "--format", "yaml"]).status.code(), Some(64));
}

const OLD: &str = "CREATE TABLE users (\n    id bigint PRIMARY KEY,\n    email text\n);\n";
const NEW: &str = "CREATE TABLE users (\n    id bigint PRIMARY KEY,\n    email text NOT NULL,\n    email_verified_at timestamp\n);\n";

/// A specification for the two schemas above: `users` sized, an announced
/// column the schema does add and one it does not.
fn small_spec(revisions: &str) -> String {
    format!(
        r#"{{
  "type": "database",
  "pattern": "schema_change",
  "source": "orders database",
  "target": "orders database",
  "constraints": {{"max_downtime_minutes": 1, "dependencies": ["billing_api"]}},
  "tables_to_migrate": [{{"name": "users", "row_count": 3000000, "size_mb": 900, "critical": true}}],
  "schema_changes": [{{"table": "users", "changes": [
    {{"type": "add_column", "column": "email_verified_at", "data_type": "timestamp", "nullable": true}},
    {{"type": "add_column", "column": "phone", "data_type": "text"}}
  ]}}]{revisions}
}}"#
    )
}

fn assert_embeds_the_real_migration(out: &std::process::Output) {
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let json: Value = serde_json::from_str(&stdout).unwrap();
    let phases = phase_names(&json);
    assert_eq!(phases, ["migration 1 of 1"], "source and target are one database: no copy phase");
    let phase = &json["phases"][0];
    assert_eq!(phase["transaction"], true);
    let steps = phase["steps"].as_array().unwrap();
    let not_null = steps.iter().find(|s| s["sql"] == "ALTER TABLE public.users ALTER COLUMN email SET NOT NULL;").expect("the SET NOT NULL step");
    assert_eq!(not_null["lock"]["level"], "ACCESS EXCLUSIVE");
    assert_eq!(not_null["lock"]["on"], "public.users");
    assert_eq!(not_null["lock"]["blocks_reads"], true);
    assert_eq!(not_null["work"], "scan");
    assert!(steps.iter().any(|s| s["sql"] == "ALTER TABLE public.users ADD COLUMN email_verified_at timestamp without time zone;"));
    // The lint finding's pre-flight query is a gate of the first phase.
    let gate = phase["gates"].as_array().unwrap().iter().find(|g| g["query"].as_str().is_some_and(|q| q.contains("IS NULL"))).expect("a pre-flight gate");
    assert_eq!(gate["query"], "SELECT id FROM public.users WHERE email IS NULL LIMIT 100;");
    assert_eq!(gate["expect"], "no rows");
    assert_eq!(json["schema"]["preflight"][0]["sql"], "SELECT id FROM public.users WHERE email IS NULL LIMIT 100;");
    // The scan is estimated from the stated rows and held against the budget.
    let entries: Vec<&Value> = json["timeline"]["sections"].as_array().unwrap().iter().flat_map(|s| s["entries"].as_array().unwrap()).collect();
    assert!(entries.iter().any(|e| e["arithmetic"] == "3000000 rows ÷ 1000000 rows/s = 3 s"), "{entries:?}");
    // The announced column the schema does not add is a risk.
    let risks: Vec<&str> = json["risks"].as_array().unwrap().iter().map(|r| r["risk"].as_str().unwrap()).collect();
    assert!(risks.iter().any(|r| r.contains("does not make: add_column phone on users")), "{risks:?}");
    assert!(!risks.iter().any(|r| r.contains("email_verified_at on users")), "{risks:?}");
}

#[test]
fn revisions_on_the_command_line_embed_the_real_steps_and_preflight() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "old.sql", OLD);
    write(dir.path(), "new.sql", NEW);
    write(dir.path(), "spec.json", &small_spec(""));
    let out = schemashift(dir.path(), &["plan", "--spec", "spec.json", "--format", "json", "--no-index", "old.sql", "new.sql"]);
    assert_embeds_the_real_migration(&out);

    let out = schemashift(dir.path(), &["plan", "--spec", "spec.json", "--no-index", "old.sql", "new.sql"]);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("         ALTER TABLE public.users ALTER COLUMN email SET NOT NULL;\n           -- lock ACCESS EXCLUSIVE on public.users (reads and writes wait); work: scans every row"), "{stdout}");
    assert!(stdout.contains("query: SELECT id FROM public.users WHERE email IS NULL LIMIT 100;"), "{stdout}");
    assert!(stdout.contains("Schema migration old.sql → new.sql"), "{stdout}");
    let md = text(&schemashift(dir.path(), &["plan", "--spec", "spec.json", "--format", "markdown", "--no-index", "old.sql", "new.sql"]).stdout);
    assert!(md.contains("```sql\n  SELECT id FROM public.users WHERE email IS NULL LIMIT 100;\n  ```"), "{md}");
}

#[test]
fn revisions_named_by_the_specification_are_embedded() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("db")).unwrap();
    write(&dir.path().join("db"), "old.sql", OLD);
    write(&dir.path().join("db"), "new.sql", NEW);
    // Paths compared without git are relative to the specification.
    write(&dir.path().join("db"), "spec.json", &small_spec(r#", "revisions": {"from": "old.sql", "to": "new.sql", "no_index": true}"#));
    let out = schemashift(dir.path(), &["plan", "--spec", "db/spec.json", "--format", "json"]);
    assert_embeds_the_real_migration(&out);
}

#[test]
fn git_revisions_embed_the_migration_between_commits() {
    let repo = TestRepo::new();
    repo.write("db/schema.sql", OLD);
    repo.commit_all("users");
    repo.write("db/schema.sql", NEW);
    repo.commit_all("users: verified emails");
    repo.write("spec.json", &small_spec(""));
    let out = schemashift(repo.path(), &["plan", "--spec", "spec.json", "--format", "json", "HEAD~1", "HEAD"]);
    assert_embeds_the_real_migration(&out);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["schema"]["old"], "HEAD~1");
    // The same through the specification's own revisions.
    repo.write("spec.json", &small_spec(r#", "revisions": {"from": "HEAD~1", "to": "HEAD"}"#));
    assert_embeds_the_real_migration(&schemashift(repo.path(), &["plan", "--spec", "spec.json", "--format", "json"]));
}

#[test]
fn blue_green_plans_build_sync_cutover_and_keep_blue() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "spec.json",
        r#"{"type": "database", "pattern": "blue_green", "source": "db-blue", "target": "db-green",
            "constraints": {"max_downtime_minutes": 5, "data_volume_gb": 10, "dependencies": ["api", "worker"]},
            "tables_to_migrate": [{"name": "events", "row_count": 1000, "size_mb": 300}],
            "migration_phases": [{"phase": "keep_blue", "estimated_duration_hours": 48}]}"#,
    );
    let out = schemashift(dir.path(), &["plan", "--spec", "spec.json", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(phase_names(&json), ["build_green", "sync", "cutover", "keep_blue"]);
    let sync = serde_json::to_string(&json["phases"][1]).unwrap();
    assert!(sync.contains("replication lag of green behind blue: under the 5 min (300 s) downtime budget"), "{sync}");
    let text_plan = text(&schemashift(dir.path(), &["plan", "--spec", "spec.json"]).stdout);
    assert!(text_plan.contains("events: 300 MB ÷ 50 MB/s = 6 s"), "{text_plan}");
    assert!(text_plan.contains("keep blue in step with green for the 48 h stated"), "{text_plan}");
}
