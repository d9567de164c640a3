//! The statement forms of `pg_dump --schema-only` (PostgreSQL 12–17) that
//! schemashift reads: the Rails regression, hand-written and pg_dump
//! spellings that must meet, ALTER forms a migration replays, errors with
//! positions for malformed statements of modelled kinds, and no panic on
//! any prefix of them. The same forms against a real PostgreSQL are in
//! `pg_dump_roundtrip` (fixture `pg_dump_forms`) and `migrate_roundtrip`.

use assert_cmd::Command;
use schemashift::ErrorKind;
use schemashift::model::{Enabled, PolicyCommand, QName, ReplicaIdentity, Storage, UserTypeKind};

use crate::support::{read_files, read_ok as read};

fn q(s: &str, n: &str) -> QName {
    QName::new(s, n)
}

/// An excerpt of a Rails 7 `db/structure.sql` written by pg_dump 15 for
/// GoodJob's tables: every command stopped (exit 65) at its SET STATISTICS.
const RAILS_STRUCTURE: &str = r#"SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: good_jobs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.good_jobs (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    queue_name text,
    priority integer,
    serialized_params jsonb,
    scheduled_at timestamp(6) without time zone,
    performed_at timestamp(6) without time zone,
    finished_at timestamp(6) without time zone,
    error text,
    created_at timestamp(6) without time zone NOT NULL,
    updated_at timestamp(6) without time zone NOT NULL
);
ALTER TABLE ONLY public.good_jobs ALTER COLUMN finished_at SET STATISTICS 1000;
ALTER TABLE ONLY public.good_jobs ALTER COLUMN serialized_params SET COMPRESSION lz4;
ALTER TABLE ONLY public.good_jobs ALTER COLUMN error SET STORAGE EXTERNAL;
ALTER TABLE ONLY public.good_jobs ALTER COLUMN queue_name SET (n_distinct=100);

ALTER TABLE ONLY public.good_jobs
    ADD CONSTRAINT good_jobs_pkey PRIMARY KEY (id);

CREATE INDEX index_good_jobs_on_queue_name_and_scheduled_at ON public.good_jobs USING btree (queue_name, scheduled_at) WHERE (finished_at IS NULL);

ALTER TABLE public.good_jobs ENABLE ROW LEVEL SECURITY;

CREATE POLICY good_jobs_tenant ON public.good_jobs USING ((queue_name = current_setting('app.queue'::text)));

COMMENT ON POLICY good_jobs_tenant ON public.good_jobs IS 'one queue per session';

CREATE TABLE public.schema_migrations (
    version character varying NOT NULL
);

ALTER TABLE ONLY public.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);

SET search_path TO "$user", public;

INSERT INTO "schema_migrations" (version) VALUES
('20240101000000');
"#;

#[test]
fn the_rails_structure_sql_that_stopped_at_set_statistics_reads() {
    let s = read(RAILS_STRUCTURE);
    let jobs = &s.tables[&q("public", "good_jobs")];
    let column = |name: &str| jobs.column(name).unwrap();
    assert_eq!(column("finished_at").statistics, Some(1000));
    assert_eq!(
        column("serialized_params").compression.as_deref(),
        Some("lz4")
    );
    assert_eq!(column("error").storage, Some(Storage::External));
    assert_eq!(column("queue_name").options, ["n_distinct=100"]);
    assert!(jobs.row_level_security);
    assert_eq!(
        jobs.policies["good_jobs_tenant"].comment.as_deref(),
        Some("one queue per session")
    );

    // And on the command line: exit 0 where it was 65, for inspect and diff.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("structure.sql");
    std::fs::write(&path, RAILS_STRUCTURE).unwrap();
    Command::cargo_bin("schemashift")
        .unwrap()
        .args(["inspect", "--no-index"])
        .arg(&path)
        .assert()
        .success();
    Command::cargo_bin("schemashift")
        .unwrap()
        .args(["diff", "--no-index"])
        .arg(&path)
        .arg(&path)
        .assert()
        .success();
}

#[test]
fn session_settings_and_meta_commands_of_every_version_are_read() {
    let s = read(
        "\\restrict 0123456789abcdef\n\
         SET statement_timeout = 0;\nSET transaction_timeout = 0;\nSET default_table_access_method = heap;\n\
         SELECT pg_catalog.set_config('search_path', '', false);\nSET default_tablespace = '';\n\
         CREATE TABLE public.t (a integer);\n\\unrestrict 0123456789abcdef\n",
    );
    assert!(s.tables.contains_key(&q("public", "t")));
    assert!(s.opaque.is_empty(), "{:?}", s.opaque);
}

/// Hand-written and pg_dump spellings of the same database.
#[test]
fn hand_written_and_pg_dump_spellings_meet() {
    let pairs: &[(&str, &str)] = &[
        (
            "CREATE TABLE t (a int) WITH (fillfactor = 70, autovacuum_enabled = false);",
            "CREATE TABLE public.t (a integer) WITH (fillfactor='70', autovacuum_enabled='false');",
        ),
        (
            "CREATE TABLE t (a int, b text); ALTER TABLE t ALTER COLUMN b SET STORAGE EXTENDED, ALTER COLUMN a SET STORAGE PLAIN;",
            "CREATE TABLE public.t (a integer, b text);",
        ),
        ("CREATE TABLE t (a int); ALTER TABLE t REPLICA IDENTITY DEFAULT;", "CREATE TABLE public.t (a integer);"),
        ("CREATE TABLE t (a text COMPRESSION lz4);", "CREATE TABLE public.t (a text);\nALTER TABLE ONLY public.t ALTER COLUMN a SET COMPRESSION lz4;"),
        ("CREATE TABLE t (a text STORAGE MAIN);", "CREATE TABLE public.t (a text);\nALTER TABLE ONLY public.t ALTER COLUMN a SET STORAGE MAIN;"),
        (
            "CREATE TABLE t (a int); ALTER TABLE t ALTER a SET (n_distinct = '-1');",
            "CREATE TABLE public.t (a integer);\nALTER TABLE ONLY public.t ALTER COLUMN a SET (n_distinct=-1);",
        ),
        (
            "CREATE TABLE t (a int); CREATE TABLE u (a int); CREATE PUBLICATION p FOR TABLE t, u;",
            "CREATE TABLE public.t (a integer); CREATE TABLE public.u (a integer);
             CREATE PUBLICATION p WITH (publish = 'insert, update, delete, truncate');
             ALTER PUBLICATION p ADD TABLE ONLY public.t; ALTER PUBLICATION p ADD TABLE ONLY public.u;",
        ),
        (
            "CREATE TABLE t (a int); CREATE PUBLICATION p FOR TABLE t WITH (publish = 'update,insert', publish_via_partition_root = off);",
            "CREATE TABLE public.t (a integer); CREATE PUBLICATION p WITH (publish = 'insert, update');
             ALTER PUBLICATION p ADD TABLE ONLY public.t;",
        ),
        (
            "CREATE TABLE t (a int); CREATE POLICY p ON t AS PERMISSIVE FOR ALL TO PUBLIC USING (a > 0);",
            "CREATE TABLE public.t (a integer); CREATE POLICY p ON public.t USING ((a > 0));",
        ),
        (
            "CREATE TABLE t (a int, b int); CREATE STATISTICS s (mcv, ndistinct, dependencies) ON b, a FROM t;",
            "CREATE TABLE public.t (a integer, b integer); CREATE STATISTICS public.s ON a, b FROM public.t;",
        ),
        (
            "CREATE TABLE t (a int, b text); CREATE STATISTICS s ON (a), (lower(b)) FROM t;",
            "CREATE TABLE public.t (a integer, b text); CREATE STATISTICS public.s ON a, lower(b) FROM public.t;",
        ),
        (
            "CREATE TABLE t (id int, n text); CREATE RULE r AS ON UPDATE TO t DO INSTEAD UPDATE t SET n = new.n WHERE id = old.id;",
            "CREATE TABLE public.t (id integer, n text);
             CREATE RULE r AS\n    ON UPDATE TO public.t DO INSTEAD  UPDATE public.t SET n = new.n\n  WHERE (t.id = old.id);",
        ),
        (
            "CREATE TABLE t (id int, n text); CREATE RULE r AS ON INSERT TO t DO ALSO NOTIFY t_changed;",
            "CREATE TABLE public.t (id integer, n text);\nCREATE RULE r AS\n    ON INSERT TO public.t DO\n NOTIFY t_changed;",
        ),
        (
            "CREATE TABLE t (id int); CREATE TRIGGER x AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f(); ALTER TABLE t DISABLE TRIGGER ALL;",
            "CREATE TABLE public.t (id integer); CREATE TRIGGER x AFTER INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.f();
             ALTER TABLE public.t DISABLE TRIGGER x;",
        ),
        (
            "CREATE DOMAIN d AS int CONSTRAINT d_check CHECK (VALUE > 0); COMMENT ON CONSTRAINT d_check ON DOMAIN d IS 'x';",
            "CREATE DOMAIN public.d AS integer\n\tCONSTRAINT d_check CHECK ((VALUE > 0));\nCOMMENT ON CONSTRAINT d_check ON DOMAIN public.d IS 'x';",
        ),
        (
            "CREATE SERVER s FOREIGN DATA WRAPPER w OPTIONS (host 'x', port '1');",
            "CREATE SERVER s FOREIGN DATA WRAPPER w OPTIONS (\n    host 'x',\n    port '1'\n);",
        ),
    ];
    for (hand, dump) in pairs {
        assert_eq!(
            read(hand),
            read(dump),
            "\n{hand}\n  and\n{dump}\nshould be one model"
        );
    }
    // pg_dump names a partition's clone of its parent's row trigger only to
    // give it another firing state; the clone is not modelled, so that is
    // kept as text, in one spelling.
    let hand = "CREATE TABLE p (id int) PARTITION BY RANGE (id); CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (1) TO (10);
                CREATE TRIGGER tr BEFORE INSERT ON p FOR EACH ROW EXECUTE FUNCTION f(); alter table p1 disable trigger tr;";
    let dump = "CREATE TABLE public.p (id integer) PARTITION BY RANGE (id);
                CREATE TABLE public.p1 PARTITION OF public.p FOR VALUES FROM (1) TO (10);
                CREATE TRIGGER tr BEFORE INSERT ON public.p FOR EACH ROW EXECUTE FUNCTION public.f();
                ALTER TABLE public.p1 DISABLE TRIGGER tr;";
    assert_eq!(read(hand), read(dump));
    assert_eq!(read(dump).opaque[0].text, "ALTER TABLE public.p1 DISABLE TRIGGER tr");
    // And what must not meet.
    assert_ne!(
        read("CREATE TABLE t (a int) WITH (fillfactor = 70);"),
        read("CREATE TABLE t (a int) WITH (fillfactor = 80);")
    );
    assert_ne!(
        read("CREATE TABLE t (a text); ALTER TABLE t ALTER a SET STORAGE MAIN;"),
        read("CREATE TABLE t (a text);")
    );
    assert_ne!(
        read("CREATE TABLE t (a int); CREATE PUBLICATION p FOR TABLE t;"),
        read("CREATE TABLE t (a int); CREATE PUBLICATION p;")
    );
}

#[test]
fn statements_a_migration_replays_follow_the_objects() {
    let s = read(
        "CREATE TABLE t (id int PRIMARY KEY, a int NOT NULL, b text);
         CREATE UNIQUE INDEX t_a ON t (a);
         ALTER TABLE t CLUSTER ON t_a, REPLICA IDENTITY USING INDEX t_a;
         ALTER INDEX t_a RENAME TO t_a_key;
         ALTER TABLE t ADD COLUMN c text, ALTER COLUMN c SET STORAGE MAIN, ALTER COLUMN b SET STATISTICS 50;
         ALTER TABLE t ALTER COLUMN b SET STORAGE EXTERNAL;
         ALTER TABLE t ALTER COLUMN b TYPE varchar(10);
         ALTER TABLE t RENAME COLUMN a TO aa;
         CREATE POLICY p ON t USING (aa > 0);
         ALTER POLICY p ON t TO app_user WITH CHECK (aa > 1);
         ALTER POLICY p ON t RENAME TO p2;
         CREATE STATISTICS s ON aa, b FROM t;
         ALTER STATISTICS s SET STATISTICS 10;
         ALTER STATISTICS s RENAME TO s2;
         CREATE RULE r AS ON DELETE TO t DO INSTEAD NOTHING;
         ALTER RULE r ON t RENAME TO r2;
         ALTER TABLE t DISABLE RULE r2;
         CREATE PUBLICATION pub FOR TABLE t (id, aa);
         ALTER TABLE t RENAME TO t2;",
    );
    let t = &s.tables[&q("public", "t2")];
    assert_eq!(t.cluster_on.as_deref(), Some("t_a_key"));
    assert_eq!(
        t.replica_identity,
        Some(ReplicaIdentity::Index("t_a_key".into()))
    );
    assert_eq!(t.column("c").unwrap().storage, Some(Storage::Main));
    // The type change kept the statistics target and reset the storage.
    assert_eq!(
        (
            t.column("b").unwrap().statistics,
            t.column("b").unwrap().storage
        ),
        (Some(50), None)
    );
    // The policy followed the column's rename and took the ALTERs: it is
    // the policy written directly with them (compared as models, not as
    // canonical text, which is the canonicalizer's business).
    let direct = read(
        "CREATE TABLE t2 (id int PRIMARY KEY, aa int NOT NULL);
         CREATE POLICY p2 ON t2 TO app_user USING (aa > 0) WITH CHECK (aa > 1);",
    );
    let expected = &direct.tables[&q("public", "t2")].policies["p2"];
    assert_eq!(&t.policies["p2"], expected);
    let st = &s.statistics[&q("public", "s2")];
    assert_eq!(
        (st.table.clone(), st.columns.clone(), st.target),
        (
            q("public", "t2"),
            vec!["aa".to_string(), "b".to_string()],
            Some(10)
        )
    );
    assert_eq!(t.rules["r2"].enabled, Enabled::Disabled);
    assert_eq!(
        s.publications["pub"].tables[&q("public", "t2")].columns,
        ["aa", "id"]
    );

    // What goes with what is dropped.
    let s = read(
        "CREATE TABLE t (id int PRIMARY KEY, a int NOT NULL, b text);
         CREATE UNIQUE INDEX t_a ON t (a);
         ALTER TABLE t CLUSTER ON t_a, REPLICA IDENTITY USING INDEX t_a;
         CREATE STATISTICS s ON a, b FROM t;
         CREATE POLICY p ON t USING (b <> '');
         CREATE PUBLICATION pub FOR TABLE t;
         CREATE TABLE u (id int);
         CREATE STATISTICS su ON id, (id + 1) FROM u;
         CREATE PUBLICATION pu FOR TABLE u, t;
         DROP INDEX t_a;
         ALTER TABLE t DROP COLUMN b;
         DROP TABLE u;
         DROP POLICY IF EXISTS nothing_here ON t;
         ALTER PUBLICATION pub DROP TABLE t;",
    );
    let t = &s.tables[&q("public", "t")];
    assert_eq!(
        (t.cluster_on.clone(), t.replica_identity.clone()),
        (None, None)
    );
    assert!(t.policies.is_empty());
    assert!(s.statistics.is_empty());
    assert!(s.publications["pub"].tables.is_empty());
    assert_eq!(
        s.publications["pu"].tables.keys().collect::<Vec<_>>(),
        [&q("public", "t")]
    );
    let s = read(
        "CREATE TABLE t (a int); CREATE STATISTICS s ON a, (a + 1) FROM t; CREATE PUBLICATION p; DROP STATISTICS s; DROP PUBLICATION p;",
    );
    assert!(s.statistics.is_empty() && s.publications.is_empty());
}

#[test]
fn domain_constraint_comments_are_modelled() {
    let s = read(
        "CREATE DOMAIN d AS int CONSTRAINT d_check CHECK (VALUE > 0); COMMENT ON CONSTRAINT d_check ON DOMAIN d IS 'positive';",
    );
    let UserTypeKind::Domain { check_comments, .. } = &s.types[&q("public", "d")].kind else {
        panic!("a domain")
    };
    assert_eq!(check_comments["d_check"], "positive");
    assert!(s.opaque.is_empty());
}

#[test]
fn every_policy_clause() {
    let s = read(
        "CREATE TABLE t (a int, owner text);
         CREATE POLICY p ON t AS RESTRICTIVE FOR UPDATE TO reporting, app_user, app_user USING (owner = current_user) WITH CHECK (a > 0);",
    );
    let p = &s.tables[&q("public", "t")].policies["p"];
    assert!(p.restrictive);
    assert_eq!(p.command, PolicyCommand::Update);
    assert_eq!(p.roles, ["app_user", "reporting"]);
}

/// A malformed statement of a modelled kind is an error at its file, line
/// and column (exit 65), never an opaque statement.
#[test]
fn malformed_statements_of_modelled_kinds_are_errors_where_they_are() {
    let setup = "CREATE TABLE t (a int, b text);\n";
    let cases: &[(&str, &str, u32, u32)] = &[
        (
            "ALTER TABLE t ALTER COLUMN a SET STATISTICS lots;",
            "a number after SET STATISTICS",
            2,
            45,
        ),
        (
            "ALTER TABLE t ALTER COLUMN a SET STATISTICS -5;",
            "too low",
            2,
            1,
        ),
        (
            "ALTER TABLE t ALTER COLUMN b SET STORAGE SIDEWAYS;",
            "PLAIN, EXTERNAL, EXTENDED or MAIN",
            2,
            42,
        ),
        (
            "ALTER TABLE t ALTER COLUMN a SET STORAGE MAIN;",
            "can only have storage PLAIN",
            2,
            15,
        ),
        (
            "ALTER TABLE t ALTER COLUMN b SET COMPRESSION zstd;",
            "pglz, lz4 or default",
            2,
            46,
        ),
        (
            "ALTER TABLE t ALTER COLUMN nope SET STATISTICS 10;",
            "column nope of public.t does not exist",
            2,
            15,
        ),
        (
            "ALTER TABLE t SET (fillfactor = );",
            "a value after `=`",
            2,
            20,
        ),
        (
            "ALTER TABLE t REPLICA IDENTITY SOMETIMES;",
            "DEFAULT, FULL, NOTHING or USING INDEX",
            2,
            32,
        ),
        (
            "ALTER TABLE t CLUSTER ON missing_idx;",
            "index missing_idx for table public.t does not exist",
            2,
            15,
        ),
        (
            "ALTER TABLE t DISABLE TRIGGER nope;",
            "trigger nope for table public.t does not exist",
            2,
            15,
        ),
        (
            "ALTER TABLE t ENABLE ROW LEVEL SECURITY extra;",
            "`,` or the end of the statement",
            2,
            41,
        ),
        (
            "CREATE POLICY p ON t FOR EVERYTHING USING (true);",
            "ALL, SELECT, INSERT, UPDATE or DELETE",
            2,
            26,
        ),
        (
            "CREATE POLICY p ON t FOR INSERT USING (a > 0);",
            "only WITH CHECK expression allowed for INSERT",
            2,
            1,
        ),
        ("CREATE POLICY p ON t USING (a >);", "invalid SQL", 2, 33),
        (
            "CREATE POLICY p ON t USING (true) SOMETHING;",
            "TO, USING or WITH CHECK",
            2,
            35,
        ),
        (
            "CREATE RULE r AS ON TRUNCATE TO t DO NOTHING;",
            "SELECT, INSERT, UPDATE or DELETE",
            2,
            21,
        ),
        (
            "CREATE RULE r AS ON DELETE TO t DO INSTEAD DELETE FROM;",
            "invalid SQL",
            2,
            55,
        ),
        (
            "CREATE STATISTICS s (histogram) ON a, b FROM t;",
            "unrecognized statistics kind",
            2,
            1,
        ),
        (
            "CREATE STATISTICS s ON a FROM t;",
            "at least 2 columns",
            2,
            1,
        ),
        (
            "CREATE STATISTICS s ON a, nope FROM t;",
            "column nope of public.t does not exist",
            2,
            1,
        ),
        (
            "CREATE PUBLICATION p FOR t;",
            "TABLE or TABLES IN SCHEMA",
            2,
            26,
        ),
        (
            "CREATE PUBLICATION p WITH (publish = 'insert, upsert');",
            "\"upsert\"",
            2,
            1,
        ),
        (
            "ALTER PUBLICATION nope ADD TABLE t;",
            "publication \"nope\" does not exist",
            2,
            1,
        ),
        (
            "COMMENT ON POLICY nope ON t IS 'x';",
            "policy nope for table public.t does not exist",
            2,
            1,
        ),
    ];
    let mut wrong = Vec::new();
    for (statement, message, line, column) in cases {
        let text = format!("{setup}{statement}");
        let err = read_files(&[("db/schema.sql", &text)])
            .err()
            .unwrap_or_else(|| panic!("{statement}: read without error"));
        assert_eq!(err.kind, ErrorKind::Data, "{statement}: {err}");
        let loc = err
            .location
            .as_ref()
            .unwrap_or_else(|| panic!("{statement}: no location"));
        if !err.message.contains(message)
            || (loc.file.as_ref(), loc.line, loc.column) != ("db/schema.sql", *line, *column)
        {
            wrong.push(format!(
                "{statement}\n  expected {message:?} at {line}:{column}\n  got {err}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Statements PostgreSQL accepts that schemashift keeps as text: never an error.
#[test]
fn opaque_kinds_are_never_errors() {
    let (s, _) = read_files(&[(
        "schema.sql",
        "SECURITY LABEL FOR selinux ON TABLE public.t IS 'system_u:object_r:sepgsql_table_t:s0';
         CREATE TRANSFORM FOR hstore LANGUAGE plperl (FROM SQL WITH FUNCTION hstore_to_plperl(internal), TO SQL WITH FUNCTION plperl_to_hstore(internal));
         CREATE TRUSTED PROCEDURAL LANGUAGE plsample HANDLER plsample_call_handler;
         CREATE SUBSCRIPTION sub CONNECTION 'host=primary dbname=app' PUBLICATION jobs WITH (connect = false);
         CREATE TEXT SEARCH PARSER public.p (START = prsd_start, GETTOKEN = prsd_nexttoken, END = prsd_end, LEXTYPES = prsd_lextype);
         CREATE TEXT SEARCH TEMPLATE public.tt (LEXIZE = dsimple_lexize);
         CREATE FOREIGN TABLE public.ft (a integer) SERVER s;
         ALTER FOREIGN TABLE ONLY public.ft ALTER COLUMN a SET STATISTICS 100;
         COMMENT ON COLUMN public.ft.a IS 'remote';
         COMMENT ON FOREIGN TABLE public.ft IS 'remote table';
         CREATE OPERATOR CLASS public.c FOR TYPE integer USING btree AS OPERATOR 1 <;
         ALTER OPERATOR FAMILY public.c USING btree ADD FUNCTION 1 (integer, integer) btint4cmp(integer, integer);
         CREATE AGGREGATE public.agg(*) (SFUNC = int8inc, STYPE = bigint);
         ALTER DEFAULT PRIVILEGES FOR ROLE app_user REVOKE ALL ON SEQUENCES FROM PUBLIC;
         COMMENT ON ACCESS METHOD heap2 IS 'x';
         COMMENT ON CAST (integer AS text) IS 'x';
         COMMENT ON OPERATOR public.=== (integer, integer) IS 'x';",
    )])
    .expect("reads");
    let kinds: Vec<&str> = s.opaque.iter().map(|o| o.kind.as_str()).collect();
    for kind in [
        "SECURITY",
        "CREATE TRANSFORM",
        "CREATE LANGUAGE",
        "CREATE SUBSCRIPTION",
        "CREATE TEXT SEARCH PARSER",
        "CREATE TEXT SEARCH TEMPLATE",
        "CREATE FOREIGN TABLE",
        "ALTER FOREIGN TABLE",
        "COMMENT ON COLUMN",
        "COMMENT ON FOREIGN TABLE",
        "ALTER OPERATOR FAMILY",
        "CREATE AGGREGATE",
        "ALTER DEFAULT PRIVILEGES",
        "COMMENT ON ACCESS METHOD",
        "COMMENT ON CAST",
        "COMMENT ON OPERATOR",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    // DROP takes an object kept as text away with everything said about it.
    let s = read(
        "CREATE TEXT SEARCH CONFIGURATION cfg (PARSER = pg_catalog.\"default\");
         ALTER TEXT SEARCH CONFIGURATION cfg ADD MAPPING FOR word WITH simple;
         COMMENT ON TEXT SEARCH CONFIGURATION public.cfg IS 'x';
         CREATE SERVER s FOREIGN DATA WRAPPER w;
         DROP TEXT SEARCH CONFIGURATION IF EXISTS public.cfg;",
    );
    assert_eq!(
        s.opaque.iter().map(|o| o.kind.as_str()).collect::<Vec<_>>(),
        ["CREATE SERVER"]
    );
}

/// Every prefix of every statement of a modelled kind reads or fails
/// cleanly: bad input never panics.
#[test]
fn no_prefix_of_these_statements_panics() {
    let setup = "CREATE TABLE t (id int PRIMARY KEY, a int NOT NULL, b text); CREATE UNIQUE INDEX t_a ON t (a);
                 CREATE VIEW v AS SELECT id FROM t; CREATE TRIGGER x AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\n";
    let statements = [
        "ALTER TABLE ONLY t ALTER COLUMN b SET STATISTICS 100, ALTER COLUMN b SET STORAGE EXTERNAL, ALTER COLUMN b SET COMPRESSION lz4",
        "ALTER TABLE t ALTER COLUMN b SET (n_distinct = -0.5), ALTER COLUMN b RESET (n_distinct_inherited), SET (fillfactor = 70), RESET (autovacuum_enabled)",
        "ALTER TABLE t REPLICA IDENTITY USING INDEX t_a, CLUSTER ON t_a, SET WITHOUT CLUSTER, ENABLE ALWAYS TRIGGER x, FORCE ROW LEVEL SECURITY",
        "CREATE POLICY p ON t AS RESTRICTIVE FOR SELECT TO app_user, reporting USING ((a = (current_setting('x'::text))::integer)) WITH CHECK (true)",
        "CREATE RULE r AS ON UPDATE TO t WHERE (old.id < 0) DO INSTEAD (INSERT INTO t (id, a) VALUES (new.id, 1); UPDATE t SET b = 'x' WHERE (t.id = old.id); NOTIFY c)",
        "CREATE RULE rv AS ON INSERT TO v DO INSTEAD INSERT INTO t VALUES (new.id)",
        "CREATE STATISTICS IF NOT EXISTS s (ndistinct, mcv) ON a, (lower(b)), id FROM t",
        "CREATE PUBLICATION p FOR TABLE ONLY t (id, a) WHERE ((a > 0)), TABLES IN SCHEMA public WITH (publish = 'insert, update', publish_via_partition_root = true)",
        "COMMENT ON CONSTRAINT c ON DOMAIN d IS 'x'",
        "COMMENT ON RULE r ON t IS 'x'",
        "ALTER PUBLICATION p SET TABLE ONLY t, TABLES IN SCHEMA public",
        "DROP POLICY IF EXISTS p ON t CASCADE",
    ];
    for statement in statements {
        let tokens: Vec<usize> = statement
            .match_indices([' ', ',', '(', ')', '\''])
            .map(|(i, _)| i)
            .chain([statement.len()])
            .collect();
        for end in tokens {
            let text = format!("{setup}{};", &statement[..end]);
            // Ok or Err, both fine: the point is that it returns.
            let _ = read_files(&[("schema.sql", &text)]);
        }
    }
}

#[test]
fn a_policy_on_a_table_another_file_creates_waits_for_it() {
    let (s, _) = read_files(&[
        ("a_policies.sql", "CREATE POLICY p ON t USING (true); CREATE RULE r AS ON DELETE TO t DO INSTEAD NOTHING; ALTER TABLE t ENABLE ROW LEVEL SECURITY;"),
        ("b_tables.sql", "CREATE TABLE t (a int);"),
    ])
    .unwrap();
    let t = &s.tables[&q("public", "t")];
    assert!(t.policies.contains_key("p") && t.rules.contains_key("r") && t.row_level_security);
}
