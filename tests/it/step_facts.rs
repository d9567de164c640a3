//! The facts of planned steps, checked against what they claim: every step
//! names the objects it touches (the relation it locks among them, each
//! placed in the schema files), and the work reported for a column's type
//! change is what PostgreSQL does. A rewrite gives the table a new
//! `pg_class.relfilenode`, an index built again gives the index one; a
//! change of the catalog only leaves both as they were.

use crate::support;
use schemashift::model::Schema;
use schemashift::plan::facts::Work;
use schemashift::plan::{Action, Object, Plan, Step};

fn read(path: &str, sql: &str) -> Schema {
    support::read_sql(path, sql).unwrap_or_else(|e| panic!("{path}: {e}")).0
}

fn plan(old: &Schema, new: &Schema) -> Plan {
    schemashift::plan::plan(old, new).unwrap_or_else(|e| panic!("{e}"))
}

/// Whether `object` is the relation `on`.
fn is_relation(object: &Object, on: &schemashift::model::QName) -> bool {
    matches!(object, Object::Table(q) | Object::View(q) | Object::MaterializedView(q) | Object::Sequence(q) if q == on)
}

/// What is wrong with the touches of `steps` (`what` names the migration).
fn check_touches(what: &str, steps: &[Step], problems: &mut Vec<String>) {
    for s in steps {
        if s.facts.touches.is_empty() {
            problems.push(format!("{what}: `{}` touches nothing", s.sql));
        }
        if let Some(lock) = &s.facts.lock
            && !s.facts.touches.iter().any(|t| is_relation(&t.object, &lock.on))
        {
            problems.push(format!("{what}: `{}` locks {} but does not name it", s.sql, lock.on));
        }
        if let Some(d) = &s.facts.destroys {
            let named = s.facts.touches.iter().any(|t| match &t.object {
                Object::Table(q) | Object::MaterializedView(q) | Object::Sequence(q) => *q == d.relation,
                Object::Column(q, c) => *q == d.relation && d.columns.contains(c) && t.action == Action::Drop,
                _ => false,
            });
            if !named {
                problems.push(format!("{what}: `{}` destroys data of {} but does not name it", s.sql, d.relation));
            }
        }
    }
}

/// Every step of every planned fixture, both ways, and of every pg_dump
/// fixture created from nothing and dropped again, says what it touches,
/// the relation it locks and the data it destroys among them.
#[test]
fn every_step_names_what_it_touches() {
    let mut problems = Vec::new();
    let dir = support::diff_fixtures_dir();
    for case in support::diff_cases() {
        let text = |f: &str| std::fs::read_to_string(dir.join(&case).join(f)).unwrap();
        let (old, new) = (read("old.sql", &text("old.sql")), read("new.sql", &text("new.sql")));
        let Ok(p) = schemashift::plan::plan(&old, &new) else { continue };
        check_touches(&format!("{case} (up)"), &p.up, &mut problems);
        check_touches(&format!("{case} (down)"), &p.down, &mut problems);
    }
    let empty = Schema::new(schemashift::model::Dialect::Postgres);
    let mut planned = 0;
    for case in support::pgdump_cases() {
        let schema = read("schema.sql", &support::pgdump_fixture(&case));
        // The facts, not the plan's verification, are under test here.
        let Ok(p) = schemashift::plan::plan_unverified(&empty, &schema, &Default::default()) else { continue };
        planned += 1;
        check_touches(&format!("pgdump {case} (created)"), &p.up, &mut problems);
        check_touches(&format!("pgdump {case} (dropped)"), &p.down, &mut problems);
    }
    assert!(planned > 0, "no pg_dump fixture planned");
    assert!(problems.is_empty(), "{} steps:\n{}", problems.len(), problems.join("\n"));
}

/// The touches of a step say where each object is defined: a dropped one
/// in the old files, the others in the new ones; and the JSON report
/// carries them with the step's other facts.
#[test]
fn touches_carry_where_each_object_is_defined() {
    let old = read("old.sql", "CREATE TABLE users (\n  id int PRIMARY KEY,\n  nick text\n);\nCREATE TABLE teams (id int PRIMARY KEY);\n");
    let new = read(
        "new.sql",
        "CREATE TABLE teams (id int PRIMARY KEY);\n\nCREATE TABLE users (\n  id int PRIMARY KEY,\n  team int CONSTRAINT users_team REFERENCES teams\n);\n",
    );
    let p = plan(&old, &new);
    let find = |needle: &str| p.up.iter().find(|s| s.sql.contains(needle)).unwrap_or_else(|| panic!("{needle} in {:#?}", p.up));
    let place = |s: &Step, object: &Object| {
        let t = s.facts.touches.iter().find(|t| t.object == *object).unwrap_or_else(|| panic!("{object:?} in {:#?}", s.facts.touches));
        (t.action, t.location.as_ref().map(|l| l.to_string()))
    };
    let users = || schemashift::model::QName::new("public", "users");
    let teams = schemashift::model::QName::new("public", "teams");
    let drop = find("DROP COLUMN nick");
    assert_eq!(place(drop, &Object::Column(users(), "nick".into())), (Action::Drop, Some("old.sql:3:3".into())));
    assert_eq!(place(drop, &Object::Table(users())), (Action::Alter, Some("new.sql:3:1".into())));
    let add = find("ADD COLUMN team");
    assert_eq!(place(add, &Object::Column(users(), "team".into())), (Action::Create, Some("new.sql:5:3".into())));
    let fk = find("ADD CONSTRAINT users_team");
    assert_eq!(place(fk, &Object::Constraint(users(), "users_team".into())).0, Action::Create);
    assert_eq!(place(fk, &Object::Table(teams)), (Action::Use, Some("new.sql:1:1".into())));

    // A rename names the object under both names, each placed where it is written.
    let old = read("old.sql", "CREATE TABLE other (id int);\nCREATE TABLE clients (id int);\n");
    let new = read("new.sql", "CREATE TABLE other (id int);\n\n-- schemashift:renamed-from clients\nCREATE TABLE customers (id int);\n");
    let p = plan(&old, &new);
    let rename = p.up.iter().find(|s| s.sql.contains("RENAME TO")).unwrap_or_else(|| panic!("{:#?}", p.up));
    let q = |n: &str| schemashift::model::QName::new("public", n);
    assert_eq!(place(rename, &Object::Table(q("clients"))), (Action::Rename, Some("old.sql:2:1".into())));
    assert_eq!(place(rename, &Object::Table(q("customers"))), (Action::RenameTo, Some("new.sql:4:1".into())));

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("old.sql"), "CREATE TABLE users (id int PRIMARY KEY, nick text);\n").unwrap();
    std::fs::write(dir.path().join("new.sql"), "CREATE TABLE users (id int PRIMARY KEY);\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_schemashift"))
        .current_dir(dir.path())
        .args(["diff", "--no-index", "old.sql", "new.sql", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let touches = &json["up_steps"][0]["facts"]["touches"];
    assert_eq!(
        *touches,
        serde_json::json!([
            {"kind": "table", "name": "public.users", "action": "alter", "location": "new.sql:1:1"},
            {"kind": "column", "name": "public.users.nick", "action": "drop", "location": "old.sql:1:41"},
        ]),
        "{json:#}"
    );
    assert_eq!(json["up_steps"][0]["facts"]["lock"]["level"], "ACCESS EXCLUSIVE", "the other facts stay as they were");
}

/// A column type change: the old and new column types (with whatever the
/// old schema needs first, `{t}` standing for the table's name) and the
/// work PostgreSQL does.
struct TypeChange {
    before: &'static str,
    from: &'static str,
    to: &'static str,
    work: Work,
}

const fn change(from: &'static str, to: &'static str, work: Work) -> TypeChange {
    TypeChange { before: "", from, to, work }
}

const TYPE_CHANGES: &[TypeChange] = &[
    change("varchar(10)", "varchar(20)", Work::Metadata),
    change("varchar(20)", "varchar(10)", Work::Rewrite),
    change("varchar(10)", "varchar", Work::Metadata),
    change("varchar(10)", "text", Work::Metadata),
    change("varchar", "text", Work::Metadata),
    change("text", "varchar", Work::Metadata),
    change("text", "varchar(10)", Work::Rewrite),
    change("numeric(10,2)", "numeric(12,2)", Work::Metadata),
    change("numeric(10,2)", "numeric(12,4)", Work::Rewrite),
    change("numeric(10,2)", "numeric", Work::Metadata),
    change("numeric", "numeric(10,2)", Work::Rewrite),
    change("varbit(5)", "varbit(10)", Work::Metadata),
    change("varbit(5)", "varbit", Work::Metadata),
    change("varbit(10)", "varbit(5)", Work::Rewrite),
    change("cidr", "inet", Work::Metadata),
    change("inet", "cidr", Work::Rewrite),
    change("timestamp(3)", "timestamp(6)", Work::Metadata),
    change("timestamptz(3)", "timestamptz", Work::Metadata),
    change("time(3)", "time(2)", Work::Rewrite),
    change("timetz(2)", "timetz(4)", Work::Metadata),
    change("varchar(10)[]", "varchar(20)[]", Work::Rewrite),
    change("integer", "bigint", Work::Rewrite),
    // The collation alone: the rows stay, the index on the column is built again.
    change("text", "text COLLATE \"C\"", Work::IndexBuild),
    TypeChange { before: "CREATE DOMAIN {t}_d AS text;", from: "text", to: "{t}_d", work: Work::Metadata },
    TypeChange { before: "CREATE DOMAIN {t}_d AS text;", from: "{t}_d", to: "text", work: Work::Metadata },
    TypeChange { before: "CREATE DOMAIN {t}_d AS varchar(20) CHECK (VALUE <> '');", from: "{t}_d", to: "text", work: Work::Metadata },
    TypeChange { before: "CREATE DOMAIN {t}_d AS text CHECK (VALUE <> '');", from: "text", to: "{t}_d", work: Work::Rewrite },
];

/// Each type change is planned, its work checked against the expected,
/// then run on PostgreSQL, on a table with a row and an index on the
/// column: the relfilenodes say what was written again.
#[test]
fn type_change_work_is_what_postgres_does() {
    let mut wrong = Vec::new();
    let mut planned = Vec::new();
    for (i, c) in TYPE_CHANGES.iter().enumerate() {
        let t = format!("t{i}");
        let before = c.before.replace("{t}", &t);
        let table = |ty: &str| {
            format!("{before}\nCREATE TABLE {t} (id int, c {});\nCREATE INDEX {t}_c ON {t} (c);\n", ty.replace("{t}", &t))
        };
        let (old_sql, new_sql) = (table(c.from), table(c.to));
        let p = plan(&read("old.sql", &old_sql), &read("new.sql", &new_sql));
        let steps: Vec<&Step> = p.up.iter().filter(|s| s.facts.touches.iter().any(|x| matches!(&x.object, Object::Column(_, c) if c == "c"))).collect();
        let work = steps.iter().map(|s| s.facts.work).max().unwrap_or_default();
        if work != c.work {
            wrong.push(format!("{} → {}: planned {work:?}, expected {:?}\n{}", c.from, c.to, c.work, p.up_sql()));
        }
        planned.push((t, old_sql, p.up_sql(), work));
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    let Some(server) = support::pg::server() else { return };
    let db = server.create_database("step_facts");
    let nodes = |t: &str| {
        let q = format!("SELECT (SELECT relfilenode FROM pg_class WHERE oid = '{t}'::regclass), (SELECT relfilenode FROM pg_class WHERE oid = '{t}_c'::regclass)");
        let out = server.query(&db, &q).expect("relfilenodes");
        let (table, index) = out.split_once('|').expect("two columns");
        (table.to_string(), index.to_string())
    };
    let mut differ = Vec::new();
    for ((t, old_sql, up, work), c) in planned.iter().zip(TYPE_CHANGES) {
        server.psql_file(&db, old_sql).unwrap_or_else(|e| panic!("{old_sql}: {e}"));
        server.psql_file(&db, &format!("INSERT INTO {t} (id) VALUES (1);")).expect("a row");
        let (table_before, index_before) = nodes(t);
        server.psql_file(&db, up).unwrap_or_else(|e| panic!("{up}: {e}"));
        let (table_after, index_after) = nodes(t);
        let did = match (table_before != table_after, index_before != index_after) {
            (true, _) => Work::Rewrite,
            (false, true) => Work::IndexBuild,
            (false, false) => Work::Metadata,
        };
        if did != *work {
            differ.push(format!("{} → {}: PostgreSQL did {did:?}, the facts say {work:?}\n{up}", c.from, c.to));
        }
    }
    server.drop_database(&db);
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}
