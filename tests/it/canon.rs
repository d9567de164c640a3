//! Canonical expressions, judged by PostgreSQL itself.
//!
//! Every entry of `fixtures/canon/corpus.txt` (several hundred CHECKs,
//! defaults, generated columns, index keys and predicates, trigger
//! conditions, domain checks and views, written against
//! `fixtures/canon/context.sql`) becomes one object of a schema script. The
//! script is loaded into the tests' PostgreSQL 15, and read by schemashift.
//! Per entry:
//!
//! - **same text**: schemashift's canonical form is, token for token, what
//!   PostgreSQL prints for the stored object (`pg_get_expr`,
//!   `pg_get_constraintdef`, `pg_get_indexdef`, `pg_get_triggerdef`,
//!   `pg_get_viewdef`, with `search_path = public`);
//! - **same meaning**: the canonical form, loaded in the entry's place into a
//!   second database, is stored exactly as the original was;
//! - **equal iff**: for every pair of entries of the same kind on the same
//!   type, the canonical forms are equal exactly when PostgreSQL's texts are.
//!
//! The counts are printed; every entry must pass all three.

use crate::support;

use schemashift::model::{ConstraintKind, Schema, UserTypeKind};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer};
use std::collections::BTreeMap;
use support::pg::{self, PgServer};

/// One corpus entry: what kind of object, on what type, written how.
#[derive(Debug, Clone)]
struct Entry {
    line: usize,
    kind: String,
    /// The column or domain type for `default`, `generated` and `domain`.
    type_name: String,
    text: String,
}

impl Entry {
    /// The name of the object the entry becomes.
    fn object(&self) -> String {
        let prefix = match self.kind.as_str() {
            "check" => "k",
            "default" => "d",
            "generated" => "g",
            "index" => "x",
            "where" => "w",
            "when" => "tg",
            "domain" => "dom",
            "view" => "v",
            other => panic!("line {}: unknown kind {other}", self.line),
        };
        format!("{prefix}{}", self.line)
    }

    /// The statement that creates the entry's object with `text` in its place.
    fn ddl(&self, text: &str) -> String {
        let o = self.object();
        let ty = &self.type_name;
        match self.kind.as_str() {
            "check" => format!("ALTER TABLE t ADD CONSTRAINT {o} CHECK ({text});"),
            "default" => format!("ALTER TABLE t ADD COLUMN {o} {ty} DEFAULT {text};"),
            "generated" => format!("ALTER TABLE t ADD COLUMN {o} {ty} GENERATED ALWAYS AS ({text}) STORED;"),
            "index" => format!("CREATE INDEX {o} ON t (({text}));"),
            "where" => format!("CREATE INDEX {o} ON t (i) WHERE {text};"),
            "when" => format!("CREATE TRIGGER {o} AFTER UPDATE ON t FOR EACH ROW WHEN ({text}) EXECUTE FUNCTION trg();"),
            "domain" => format!("CREATE DOMAIN {o} AS {ty} CONSTRAINT {o}_check CHECK ({text});"),
            "view" => format!("CREATE VIEW {o} AS {text};"),
            _ => unreachable!(),
        }
    }

    /// Entries whose canonical forms are compared with each other.
    fn group(&self) -> String {
        format!("{} {}", self.kind, self.type_name)
    }
}

fn corpus() -> Vec<Entry> {
    let path = support::fixtures_dir().join("canon/corpus.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (head, body) = line.split_once(": ").unwrap_or_else(|| panic!("corpus.txt:{}: expected `kind: text`", i + 1));
        let (kind, type_name) = head.split_once(' ').unwrap_or((head, ""));
        out.push(Entry { line: i + 1, kind: kind.to_string(), type_name: type_name.to_string(), text: body.to_string() });
    }
    out
}

fn context_sql() -> String {
    std::fs::read_to_string(support::fixtures_dir().join("canon/context.sql")).expect("context.sql")
}

/// What PostgreSQL prints for every entry's object, by object name.
fn printed(server: &PgServer, db: &str) -> BTreeMap<String, String> {
    let sql = r#"
SET search_path = public;
SELECT pg_catalog.json_object_agg(name, def) FROM (
  SELECT c.conname AS name, pg_catalog.pg_get_constraintdef(c.oid) AS def
    FROM pg_catalog.pg_constraint c WHERE c.conrelid = 'public.t'::regclass AND c.contype = 'c'
  UNION ALL
  SELECT a.attname, pg_catalog.pg_get_expr(d.adbin, d.adrelid)
    FROM pg_catalog.pg_attrdef d JOIN pg_catalog.pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
   WHERE d.adrelid = 'public.t'::regclass
  UNION ALL
  SELECT i.relname, CASE WHEN x.indpred IS NOT NULL THEN pg_catalog.pg_get_expr(x.indpred, x.indrelid)
                         ELSE pg_catalog.pg_get_indexdef(x.indexrelid, 1, false) END
    FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
   WHERE x.indrelid = 'public.t'::regclass
  UNION ALL
  SELECT g.tgname, pg_catalog.pg_get_triggerdef(g.oid) FROM pg_catalog.pg_trigger g
   WHERE g.tgrelid = 'public.t'::regclass AND NOT g.tgisinternal
  UNION ALL
  SELECT ty.typname, pg_catalog.pg_get_constraintdef(c.oid) FROM pg_catalog.pg_constraint c
    JOIN pg_catalog.pg_type ty ON ty.oid = c.contypid WHERE ty.typname ~ '^dom[0-9]+$'
  UNION ALL
  SELECT v.relname, pg_catalog.pg_get_viewdef(v.oid) FROM pg_catalog.pg_class v
   WHERE v.relkind = 'v' AND v.relnamespace = 'public'::regnamespace
) defs;
"#;
    let out = server.query(db, sql).unwrap_or_else(|e| panic!("reading the catalog of {db}: {e}"));
    let json: serde_json::Value = serde_json::from_str(out.lines().last().unwrap_or("{}")).expect("json");
    json.as_object()
        .map(|o| o.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect())
        .unwrap_or_default()
}

/// The part of PostgreSQL's printout that is the entry's expression.
fn expression_of(entry: &Entry, def: &str) -> String {
    let def = def.trim();
    match entry.kind.as_str() {
        "check" | "domain" => {
            let inner = def.strip_prefix("CHECK (").and_then(|d| d.strip_suffix(')')).unwrap_or(def);
            inner.to_string()
        }
        "when" => {
            let start = def.find(" WHEN (").map(|i| i + " WHEN (".len()).unwrap_or(0);
            let end = def.rfind(") EXECUTE FUNCTION").unwrap_or(def.len());
            def[start..end].to_string()
        }
        "view" => def.trim_end_matches(';').to_string(),
        _ => def.to_string(),
    }
}

/// schemashift's canonical text for each entry's object.
fn canonical(schema: &Schema, entry: &Entry) -> Option<String> {
    let t = schema.tables.get(&schemashift::model::QName::new("public", "t"))?;
    let o = entry.object();
    match entry.kind.as_str() {
        "check" => match &t.constraints.get(&o)?.kind {
            ConstraintKind::Check { expr, .. } => Some(expr.0.clone()),
            _ => None,
        },
        "default" => t.column(&o)?.default.as_ref().map(|e| e.0.clone()),
        "generated" => t.column(&o)?.generated.as_ref().map(|e| e.0.clone()),
        "index" => t.indexes.get(&o)?.keys.first().map(|k| k.expr.clone()),
        "where" => t.indexes.get(&o)?.predicate.as_ref().map(|e| e.0.clone()),
        "when" => t.triggers.get(&o)?.when.as_ref().map(|e| e.0.clone()),
        "domain" => match &schema.types.get(&schemashift::model::QName::new("public", o.as_str()))?.kind {
            UserTypeKind::Domain { checks, .. } => checks.values().next().map(|e| e.0.clone()),
            _ => None,
        },
        "view" => schema.views.get(&schemashift::model::QName::new("public", o.as_str())).map(|v| v.query.clone()),
        _ => None,
    }
}

/// The text's tokens, whitespace left out.
fn tokens(text: &str) -> Vec<Token> {
    Tokenizer::new(&PostgreSqlDialect {}, text)
        .tokenize()
        .unwrap_or_default()
        .into_iter()
        .filter(|t| !matches!(t, Token::Whitespace(_)))
        .collect()
}

/// Whether schemashift's text is PostgreSQL's: index keys that are not
/// function calls are printed in an extra pair of parentheses.
fn same_text(entry: &Entry, ours: &str, theirs: &str) -> bool {
    tokens(ours) == tokens(theirs) || (entry.kind == "index" && tokens(&format!("({ours})")) == tokens(theirs))
}

fn load(server: &PgServer, name: &str, entries: &[Entry], text_of: &dyn Fn(&Entry) -> String) -> String {
    let db = server.create_database(name);
    let mut script = String::from("SET search_path = public;\n");
    script.push_str(&context_sql());
    for e in entries {
        script.push_str(&e.ddl(&text_of(e)));
        script.push('\n');
    }
    if let Err(err) = server.psql_file(&db, &script) {
        // Find the entry PostgreSQL refuses, to say which.
        for e in entries {
            let probe = server.create_database("canon_probe");
            let single = format!("SET search_path = public;\n{}\n{}\n", context_sql(), e.ddl(&text_of(e)));
            if let Err(msg) = server.psql_file(&probe, &single) {
                panic!("corpus.txt:{}: PostgreSQL refuses `{}`:\n{msg}", e.line, e.ddl(&text_of(e)));
            }
        }
        panic!("the corpus script does not load: {err}");
    }
    db
}

/// PostgreSQL's text for every entry, after loading each entry's `text_of`
/// (`None` where PostgreSQL stores nothing: a `DEFAULT NULL`).
fn stored(server: &PgServer, name: &str, entries: &[Entry], text_of: &dyn Fn(&Entry) -> String) -> BTreeMap<usize, Option<String>> {
    let db = load(server, name, entries, text_of);
    let defs = printed(server, &db);
    entries.iter().map(|e| (e.line, defs.get(&e.object()).map(|d| expression_of(e, d)))).collect()
}

#[test]
#[cfg_attr(pg_missing, ignore = "needs PostgreSQL 15 server binaries (initdb, pg_ctl) — not found; set CI=1 to make this a failure")]
fn canonical_forms_agree_with_postgres() {
    let Some(server) = pg::server() else { return };
    let entries = corpus();
    assert!(entries.len() >= 300, "the corpus has {} entries", entries.len());

    // PostgreSQL's texts for the corpus as written, and for those texts
    // loaded again: a few of PostgreSQL's printouts are stored differently
    // when read back (an array cast is pushed into the elements, `(- 1)`
    // becomes the constant -1), so the text a schema settles on after a
    // dump and restore is the second one. That is the canonical form.
    let first = stored(server, "canon_written", &entries, &|e| e.text.clone());
    let loaded: Vec<Entry> = entries.iter().filter(|e| first[&e.line].is_some()).cloned().collect();
    let mut settled = stored(server, "canon_dumped", &loaded, &|e| first[&e.line].clone().unwrap_or_default());
    for e in &entries {
        settled.entry(e.line).or_insert(None);
    }
    let unsettled = entries.iter().filter(|e| first[&e.line] != settled[&e.line]).count();
    // The catalog comparison of the round-trip tests settles PostgreSQL's
    // first printout by rewriting it: that rewriting must be what PostgreSQL does.
    for e in &entries {
        if let (Some(f), Some(s)) = (&first[&e.line], &settled[&e.line]) {
            assert_eq!(support::settled(f), *s, "corpus.txt:{}: support::settled is not what PostgreSQL does", e.line);
        }
    }

    // schemashift's canonical forms, from reading the same script.
    let mut script = String::from("SET search_path = public;\n");
    script.push_str(&context_sql());
    for e in &entries {
        script.push_str(&e.ddl(&e.text));
        script.push('\n');
    }
    let schema = schemashift::dialect::replay(Schema::new(schemashift::model::Dialect::Postgres), "corpus.sql", &script)
        .unwrap_or_else(|e| panic!("schemashift cannot read the corpus: {e}"));
    let ours: BTreeMap<usize, Option<String>> = entries.iter().map(|e| (e.line, canonical(&schema, e))).collect();

    let mut failures = Vec::new();
    // 1. Token for token what PostgreSQL prints.
    let mut exact = 0;
    for e in &entries {
        match (&ours[&e.line], &settled[&e.line]) {
            (Some(c), Some(pg)) if same_text(e, c, pg) => exact += 1,
            (None, None) => exact += 1,
            (c, pg) => failures.push(format!(
                "corpus.txt:{}: {}: {}\n    schemashift: {}\n    PostgreSQL:  {}",
                e.line,
                e.kind,
                e.text,
                c.as_deref().unwrap_or("(nothing)"),
                pg.as_deref().unwrap_or("(nothing)")
            )),
        }
    }

    // 2. The canonical forms, loaded, are stored as the originals settle.
    let canon_entries: Vec<Entry> = entries.iter().filter(|e| ours[&e.line].is_some()).cloned().collect();
    let reloaded = stored(server, "canon_reloaded", &canon_entries, &|e| ours[&e.line].clone().unwrap_or_default());
    let mut meaning_kept = 0;
    for e in &canon_entries {
        if reloaded[&e.line] == settled[&e.line] {
            meaning_kept += 1;
        } else {
            failures.push(format!(
                "corpus.txt:{}: the canonical form means something else\n    written:   {}\n    canonical: {}\n    stored as: {}\n    settles:   {}",
                e.line,
                e.text,
                ours[&e.line].as_deref().unwrap_or_default(),
                reloaded[&e.line].as_deref().unwrap_or("(nothing)"),
                settled[&e.line].as_deref().unwrap_or("(nothing)")
            ));
        }
    }

    // 3. Equal exactly when PostgreSQL's texts are equal.
    let mut pairs = 0;
    for (i, a) in entries.iter().enumerate() {
        for b in &entries[i + 1..] {
            if a.group() != b.group() {
                continue;
            }
            pairs += 1;
            let ours_equal = ours[&a.line] == ours[&b.line];
            let theirs_equal = settled[&a.line] == settled[&b.line];
            if ours_equal != theirs_equal {
                failures.push(format!(
                    "corpus.txt:{} and {}: schemashift says {}, PostgreSQL says {}\n    {}  →  {}\n    {}  →  {}",
                    a.line,
                    b.line,
                    if ours_equal { "equal" } else { "different" },
                    if theirs_equal { "equal" } else { "different" },
                    a.text,
                    ours[&a.line].as_deref().unwrap_or("(nothing)"),
                    b.text,
                    ours[&b.line].as_deref().unwrap_or("(nothing)")
                ));
            }
        }
    }
    eprintln!(
        "canonical expressions: {} entries ({unsettled} that PostgreSQL stores differently once its own text is loaded again), \
         {exact} printed as PostgreSQL settles them, {meaning_kept} of {} stored alike when loaded back, {pairs} pairs compared",
        entries.len(),
        canon_entries.len()
    );
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

/// The catalog snapshot the canonicalizer resolves names against is what
/// `snapshot.sql` makes of the tests' PostgreSQL 15 (regenerate it with the
/// command in that file when this fails after an upgrade).
#[test]
#[cfg_attr(pg_missing, ignore = "needs PostgreSQL 15 server binaries (initdb, pg_ctl) — not found; set CI=1 to make this a failure")]
fn catalog_snapshot_is_current() {
    let Some(server) = pg::server() else { return };
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/dialect/postgres/read/canon/catalog");
    let script = std::fs::read_to_string(dir.join("snapshot.sql")).expect("snapshot.sql");
    let stored = std::fs::read_to_string(dir.join("pg15.tsv")).expect("pg15.tsv");
    let db = server.create_database("catalog_snapshot");
    let mut cmd = server.client("psql", &db);
    cmd.args(["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-f", "-"]);
    let fresh = {
        use std::io::Write;
        let mut child = cmd.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).spawn().expect("psql");
        child.stdin.take().expect("stdin").write_all(script.as_bytes()).expect("write");
        let out = child.wait_with_output().expect("psql runs");
        assert!(out.status.success(), "snapshot.sql fails");
        String::from_utf8(out.stdout).expect("utf-8")
    };
    if fresh != stored {
        let fresh_lines: std::collections::BTreeSet<&str> = fresh.lines().collect();
        let stored_lines: std::collections::BTreeSet<&str> = stored.lines().collect();
        let missing: Vec<&&str> = stored_lines.difference(&fresh_lines).take(5).collect();
        let extra: Vec<&&str> = fresh_lines.difference(&stored_lines).take(5).collect();
        panic!("pg15.tsv is not what snapshot.sql gives; first missing: {missing:?}, first extra: {extra:?}");
    }
}
