//! Planned migrations proven on a real PostgreSQL 15: up, then down.
//!
//! Every case is a directory `fixtures/diff/<case>/` with `old.sql` and
//! `new.sql` (the schema before and after a change, the first line a comment
//! saying what changes and why it is interesting) and, usually, `data.sql`:
//! rows inserted into the old schema that the migration must keep. Cases named
//! `noop_*` describe the same database written two ways.
//!
//! Per case, three tests:
//!
//! - `fixture_loads`: both schemas (and the data) load on PostgreSQL 15; the
//!   two catalogs are equal for a `noop_*` case and differ for every other.
//!   This checks the fixture itself, planner or not.
//! - `reads`: the library reads both schema texts.
//! - `migrates`: the planner's migration, run on a database built from
//!   `old.sql` + `data.sql`:
//!   1. up (`psql -v ON_ERROR_STOP=1`, in one transaction unless a step is
//!      marked non-transactional or uses `CONCURRENTLY`) must give the catalog of a database built from
//!      `new.sql`, and keep the rows of every table and column both schemas
//!      share (following the rename hints of `new.sql`);
//!   2. down must then give the catalog of a database built from `old.sql`
//!      and the original rows of every column the new schema kept.
//!
//!   For a `noop_*` case the plan must be empty. A case may also say what
//!   its plan must and must not contain (`expect_plan`, see
//!   [`check_plan_expectations`]).
//!
//! The checks themselves live in `support::roundtrip`, shared with
//! `random_schemas`: catalogs are compared through `support::comparable`, and
//! after the down a table that lost a column in the up is compared without
//! column positions (PostgreSQL can only append a re-added column).
//!
//! The `harness_*` tests run hand-written migrations through the same checks,
//! to prove that a missing statement and lost rows are caught.

use crate::support;

use std::sync::OnceLock;
use std::time::Instant;
use support::catalog;
use support::pg::{self, PgServer};
use support::roundtrip::{self, Expected as Loaded, Failure, Script, report};
use support::rows::{Renames, TableName};

/// A case's files.
struct Fixture {
    case: String,
    old: String,
    new: String,
    data: Option<String>,
    /// `schema.table.column` whose values the up migration transforms on
    /// purpose (e.g. a composite value gaining a field), listed in the
    /// fixture's `values_change` file: not compared after the up, still
    /// compared after the round trip.
    values_change: Vec<String>,
}

fn fixture(case: &str) -> Fixture {
    let dir = support::diff_fixtures_dir().join(case);
    let read = |name: &str| std::fs::read_to_string(dir.join(name));
    let old = read("old.sql").unwrap_or_else(|e| panic!("{case}: cannot read old.sql: {e}"));
    let new = read("new.sql").unwrap_or_else(|e| panic!("{case}: cannot read new.sql: {e}"));
    let data = read("data.sql").ok();
    let values_change = read("values_change")
        .map(|t| t.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_string).collect())
        .unwrap_or_default();
    Fixture { case: case.to_string(), old, new, data, values_change }
}

fn is_noop(case: &str) -> bool {
    case.starts_with("noop_")
}

impl Fixture {
    fn case(&self) -> roundtrip::Case<'_> {
        roundtrip::Case {
            name: &self.case,
            old: &self.old,
            new: &self.new,
            data: self.data.as_deref(),
            values_change: &self.values_change,
        }
    }
}

/// The catalogs of `old.sql` (+ data) and `new.sql`, loaded once per case.
fn loaded<'a>(server: &PgServer, fx: &Fixture, cell: &'a OnceLock<Loaded>) -> &'a Loaded {
    cell.get_or_init(|| roundtrip::expected(server, &fx.case()).unwrap_or_else(|e| panic!("{}: {e}", fx.case)))
}

fn fixture_loads(server: &PgServer, case: &str, cell: &OnceLock<Loaded>) {
    let fx = fixture(case);
    assert!(fx.old.trim_start().starts_with("--"), "{case}: old.sql should begin with a comment saying what the case is");
    let l = loaded(server, &fx, cell);
    if is_noop(case) {
        assert!(l.old == l.new, "{case}: a noop case must describe one database twice:\n{}", catalog::diff(&l.old, &l.new));
        assert!(fx.data.is_none(), "{case}: a noop case needs no data.sql");
    } else {
        assert!(l.old != l.new, "{case}: old.sql and new.sql give the same catalog: name it noop_* or change new.sql");
    }
}

fn read(path: &str, text: &str) -> Result<schemashift::model::Schema, String> {
    support::read_sql(path, text)
        .map(|(schema, _warnings)| schema)
        .map_err(|e| format!("{e:?}"))
}

fn read_both(fx: &Fixture) -> (schemashift::model::Schema, schemashift::model::Schema) {
    let case = &fx.case;
    let old = read(&format!("fixtures/diff/{case}/old.sql"), &fx.old).unwrap_or_else(|e| panic!("{case}: reading old.sql: {e}"));
    let new = read(&format!("fixtures/diff/{case}/new.sql"), &fx.new).unwrap_or_else(|e| panic!("{case}: reading new.sql: {e}"));
    (old, new)
}

// ---------------------------------------------------------------------------
// Judging a plan.

/// A case's `expect_plan` file states what its plan must (not) do, one
/// line each: `up has: <text>`, `up lacks: <text>` (and `down …`), and
/// `rebuilds: <kind> <object>` for every object the up migration drops and
/// creates again unchanged (`rebuilds: none` when there must be none). A
/// catalog comparison cannot see a needless rebuild; these lines can.
fn check_plan_expectations(case: &str, plan: &schemashift::plan::Plan) {
    let Ok(text) = std::fs::read_to_string(support::diff_fixtures_dir().join(case).join("expect_plan")) else { return };
    let (up, down) = (plan.up_sql(), plan.down_sql());
    let mut rebuilds: Vec<String> = Vec::new();
    let mut listed = false;
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let (what, arg) = line.split_once(": ").unwrap_or_else(|| panic!("{case}: expect_plan: cannot read {line:?}"));
        match what {
            "up has" => assert!(up.contains(arg), "{case}: the up migration lacks {arg:?}:\n{up}"),
            "up lacks" => assert!(!up.contains(arg), "{case}: the up migration has {arg:?}:\n{up}"),
            "down has" => assert!(down.contains(arg), "{case}: the down migration lacks {arg:?}:\n{down}"),
            "down lacks" => assert!(!down.contains(arg), "{case}: the down migration has {arg:?}:\n{down}"),
            "rebuilds" => {
                listed = true;
                if arg != "none" {
                    rebuilds.push(arg.to_string());
                }
            }
            other => panic!("{case}: expect_plan: unknown expectation {other:?}"),
        }
    }
    if listed {
        let mut actual: Vec<String> = plan.rebuilds.iter().map(|r| format!("{} {}", r.kind, r.object)).collect();
        actual.sort();
        rebuilds.sort();
        assert_eq!(actual, rebuilds, "{case}: the objects rebuilt ({:?})", plan.rebuilds);
    }
}

fn migrates(server: &PgServer, case: &str, cell: &OnceLock<Loaded>) {
    let started = Instant::now();
    let fx = fixture(case);
    let (old, new) = read_both(&fx);
    let plan_started = Instant::now();
    let plan = schemashift::plan::plan(&old, &new).unwrap_or_else(|e| panic!("{case}: the planner fails: {e:?}"));
    let plan_time = plan_started.elapsed();
    if is_noop(case) {
        let steps: Vec<&str> = plan.up.iter().map(|s| s.summary.as_str()).collect();
        assert!(plan.is_empty(), "{case}: the schemas are the same, yet the plan has steps {steps:?}:\n{}", plan.up_sql());
        eprintln!("{case}: ok (noop), plan {plan_time:?}, total {:?}", started.elapsed());
        return;
    }
    assert!(!plan.is_empty(), "{case}: the schemas differ but the plan is empty");
    check_plan_expectations(case, &plan);
    let l = loaded(server, &fx, cell);
    let (up, down) = (Script::planned(&plan.up), Script::planned(&plan.down));
    assert_eq!(up.sql, plan.up_sql(), "{case}: up_sql() is the up steps' SQL");
    assert_eq!(down.sql, plan.down_sql(), "{case}: down_sql() is the down steps' SQL");
    let (failures, t) = roundtrip::check_migration(server, &fx.case(), l, &up, &down);
    let line = format!(
        "plan {plan_time:?}, setup {:?}, up {:?}, down {:?}, checks {:?}, total {:?}, {} steps",
        t.setup,
        t.up,
        t.down,
        t.checks,
        started.elapsed(),
        plan.up.len()
    );
    // A case whose failure is a known, documented limitation carries a
    // `known_failure` file saying why: it must still fail (and in the way
    // described), so that a fix is noticed and the file removed.
    let known = std::fs::read_to_string(support::diff_fixtures_dir().join(case).join("known_failure")).ok();
    match (failures.is_empty(), known) {
        (true, None) => eprintln!("{case}: ok, {line}"),
        (true, Some(why)) => panic!("{case}: listed as a known failure ({}) but it passes now: remove its known_failure file", why.trim()),
        (false, Some(why)) => {
            let report = report(case, &failures, &up, &down);
            let expected = why.lines().find_map(|l| l.strip_prefix("expect: ")).unwrap_or("");
            assert!(report.contains(expected), "{case}: fails, but not as its known_failure file says ({expected:?}):\n{report}");
            eprintln!("{case}: known failure, {line}: {}", why.lines().next().unwrap_or(""));
        }
        (false, None) => {
            eprintln!("{case}: FAILED, {line}");
            panic!("{}", report(case, &failures, &up, &down));
        }
    }
}

// ---------------------------------------------------------------------------
// The cases.

macro_rules! cases {
    ($($case:ident),* $(,)?) => {
        /// Every case, by directory name.
        const CASES: &[&str] = &[$(stringify!($case)),*];

        $(
            mod $case {
                use super::*;

                static LOADED: OnceLock<Loaded> = OnceLock::new();

                #[test]
                #[cfg_attr(pg_missing, ignore = "needs PostgreSQL 15 server binaries (initdb, pg_ctl) — not found; set CI=1 to make this a failure")]
                fn fixture_loads() {
                    let Some(server) = pg::server() else { return };
                    super::fixture_loads(server, stringify!($case), &LOADED);
                }

                #[test]
                fn reads() {
                    read_both(&fixture(stringify!($case)));
                }

                #[test]
                #[cfg_attr(pg_missing, ignore = "needs PostgreSQL 15 server binaries (initdb, pg_ctl) — not found; set CI=1 to make this a failure")]
                fn migrates() {
                    let Some(server) = pg::server() else { return };
                    super::migrates(server, stringify!($case), &LOADED);
                }
            }
        )*
    };
}

cases!(
    check_added_changed_dropped,
    check_named_during_type_change,
    check_renamed_explicit_name,
    cluster_on_changed,
    column_added_not_null_default,
    column_added_nullable,
    column_array_element_type_changed,
    column_attribute_options_changed,
    column_collation_changed,
    column_comments_changed,
    column_compression_changed,
    column_default_changed,
    column_drop_not_null,
    column_dropped,
    column_dropped_not_null_default,
    column_generated_added,
    column_generated_expression_changed,
    column_identity_added,
    column_identity_always_to_by_default,
    column_identity_dropped,
    column_numeric_precision_changed,
    column_serial_to_identity,
    column_set_not_null,
    column_statistics_target_changed,
    column_storage_changed,
    column_type_int_to_bigint,
    column_type_text_to_integer,
    column_type_timestamp_to_timestamptz,
    column_type_varchar_to_enum,
    column_varchar_length_decreased,
    column_varchar_length_increased,
    comments_on_new_kinds_changed,
    composite_type_added_and_used,
    composite_type_attribute_added,
    constraint_validated,
    constraint_validated_and_rebuilt,
    domain_added_and_used,
    domain_base_type_changed,
    domain_changed,
    domain_dropped,
    enum_added_and_dropped,
    enum_array_column_value_added,
    enum_value_added_end,
    enum_value_added_middle,
    enum_value_removed,
    enum_value_removed_with_default_and_index,
    enum_value_renamed,
    enum_values_added_first,
    exclude_constraint_added,
    exclude_constraint_dropped,
    extension_added_with_column,
    extension_dropped,
    extension_in_schema,
    fk_actions_changed,
    fk_added,
    fk_cycle_added,
    fk_cycle_dropped,
    fk_dropped,
    fk_self_referencing_added,
    fk_to_new_table,
    function_attributes_changed,
    function_body_changed,
    function_recreated_rebuilds_callers,
    function_return_type_changed,
    function_signature_changed,
    function_used_by_default_and_check,
    generated_column_readded_keeps_dependents,
    grants_added,
    grants_revoked_and_changed,
    index_added,
    index_columns_changed,
    index_desc_nulls,
    index_dropped,
    index_expression,
    index_include_columns,
    index_method_changed,
    index_opclass_and_collation,
    index_partial_predicate_changed,
    index_renamed_hint,
    index_renamed_with_column_type_change,
    index_unique_to_constraint,
    inherit_attached,
    inherit_checks_changed,
    inherit_child_default_differs,
    inherit_child_table_added,
    inherit_column_dropped_above_a_keeper,
    inherit_column_type_changed,
    inherit_detached,
    inherit_detached_inherited_only,
    inherit_generated_expression_dropped,
    inherit_parent_column_added,
    inherit_parent_column_dropped,
    inherit_parent_column_dropped_child_keeps,
    inherit_parent_column_renamed,
    inherit_parent_dropped,
    inherit_parent_table_renamed,
    matview_added_with_index,
    matview_definition_changed,
    matview_dropped,
    matview_rebuilt_keeps_data_state,
    multi_schema_cross_references,
    multi_schema_same_names,
    noop_case_and_whitespace,
    noop_default_and_check_spelling,
    noop_explicit_vs_implicit_names,
    noop_function_spelling,
    noop_grant_spelling,
    noop_identity_spelling,
    noop_index_and_fk_spelling,
    noop_inheritance_spelling,
    noop_inline_vs_table_constraints,
    noop_partition_spelling,
    noop_pg_dump_forms_spelling,
    noop_pg_dump_style,
    noop_quoting,
    noop_reordered_statements,
    noop_serial_vs_expansion,
    noop_type_synonyms,
    noop_view_spelling,
    opaque_objects_changed,
    order_dependants_around_type_change,
    order_drop_reverse_dependencies,
    order_fk_key_type_change,
    order_functions_and_types_by_use,
    order_type_before_column,
    owned_sequence_grants_go_with_table,
    partition_added,
    partition_attached,
    partition_default_and_index,
    partition_detached,
    partitioned_table_added,
    pk_added,
    pk_changed_columns,
    pk_dropped,
    policy_added_changed_dropped,
    policy_column_type_changed,
    procedure_added_and_changed,
    publication_tables_changed,
    quoted_mixed_case_identifiers,
    quoted_renamed_table,
    quoted_reserved_words,
    quoted_spaces_quotes_and_dots,
    rebuilt_types_keep_comments,
    rename_column_hint,
    rename_column_sqldef_hint,
    rename_column_used_by_index_and_view,
    rename_column_with_type_change,
    rename_table_and_view_dependents_follow,
    rename_table_hint,
    rename_table_sqldef_hint,
    rename_without_hint_is_drop_add,
    replica_identity_changed,
    row_level_security_changed,
    rule_added_changed_dropped,
    schema_added_with_objects,
    schema_dropped,
    schema_named_like_a_keyword,
    sequence_added_owned_by,
    sequence_dropped,
    sequence_options_changed,
    sequence_owned_by_changed,
    statistics_added_changed_dropped,
    table_added,
    table_comment_added_removed,
    table_dropped,
    table_dropped_names_reused,
    table_set_schema_hint,
    table_storage_parameters_changed,
    table_unlogged_changed,
    trigger_added,
    trigger_changed,
    trigger_dropped_with_function,
    trigger_enabled_changed,
    trigger_function_body_changed,
    type_change_rebuilds_trigger_and_policy,
    unique_added_dropped,
    unique_changed_columns,
    unique_nulls_not_distinct,
    view_added_dropped,
    view_chain_over_dropped_column,
    view_column_type_changes_recreate,
    view_columns_removed,
    view_definition_changed,
    view_on_view_changed,
    view_options_changed,
    view_over_changed_column,
    view_rebuilds_only_readers,
    view_renamed_hint,
    view_with_rule_recreated,
);

#[test]
fn every_fixture_directory_has_its_tests() {
    let on_disk = support::diff_cases();
    let listed: Vec<String> = CASES.iter().map(|c| c.to_string()).collect();
    assert_eq!(on_disk, listed, "list every fixtures/diff/<case> directory in the cases! list (sorted)");
    assert!(on_disk.len() >= 90, "only {} cases", on_disk.len());
}

#[test]
fn every_case_has_old_and_new_and_most_have_data() {
    let cases = support::diff_cases();
    let with_data = cases.iter().filter(|c| fixture(c).data.is_some()).count();
    let changing = cases.iter().filter(|c| !is_noop(c)).count();
    assert!(with_data * 3 >= changing * 2, "only {with_data} of {changing} changing cases have a data.sql");
}

// ---------------------------------------------------------------------------
// The harness itself: rename hints, and proof that it can fail.

fn t(s: &str, n: &str) -> TableName {
    (s.to_string(), n.to_string())
}

#[test]
fn rename_hints_name_tables_and_columns() {
    let sql = "-- schemashift:renamed-from accounts\nCREATE TABLE public.\"Users\" (\n    id int,\n    -- schemashift:renamed-from mail\n    \"E-mail\" text,\n    -- @renamed from=Nick\n    nickname text\n);\n-- @renamed from=old_idx\nCREATE INDEX i ON \"Users\" (id);\n-- schemashift:renamed-from archive.items\nCREATE TABLE IF NOT EXISTS store.Items (id int);\n";
    let r = Renames::from_hints(sql, "public");
    assert_eq!(r.tables.get(&t("public", "accounts")), Some(&t("public", "Users")));
    assert_eq!(r.tables.get(&t("archive", "items")), Some(&t("store", "items")));
    assert_eq!(r.column(&t("public", "Users"), "mail"), "E-mail");
    assert_eq!(r.column(&t("public", "Users"), "nick"), "nickname");
    assert_eq!((r.tables.len(), r.columns.len()), (2, 2));
    let back = r.inverse();
    assert_eq!(back.table(&t("public", "Users")), t("public", "accounts"));
    assert_eq!(back.column(&t("public", "accounts"), "E-mail"), "mail");
}

/// Runs a hand-written migration of `case` through the checks.
fn hand_written(server: &PgServer, case: &str, up: &str, down: &str) -> Vec<Failure> {
    static LOADED: OnceLock<std::sync::Mutex<std::collections::BTreeMap<String, &'static Loaded>>> = OnceLock::new();
    let fx = fixture(case);
    let l = {
        let mut cache = LOADED.get_or_init(Default::default).lock().unwrap();
        *cache.entry(case.to_string()).or_insert_with(|| {
            let cell: &'static OnceLock<Loaded> = Box::leak(Box::new(OnceLock::new()));
            loaded(server, &fx, cell)
        })
    };
    let (failures, _) = roundtrip::check_migration(server, &fx.case(), l, &Script::hand_written(up), &Script::hand_written(down));
    failures
}

const BIGINT_UP: &str = "ALTER TABLE public.page_views ALTER COLUMN hits TYPE bigint;\n";
const BIGINT_DOWN: &str = "ALTER TABLE public.page_views ALTER COLUMN hits TYPE integer;\n";
const INDEX_UP: &str = "CREATE INDEX orders_customer_idx ON public.orders (customer_id);\n\
                        CREATE UNIQUE INDEX orders_reference_key ON public.orders (reference);\n";
const INDEX_DOWN: &str = "DROP INDEX public.orders_reference_key;\nDROP INDEX public.orders_customer_idx;\n";

#[test]
#[cfg_attr(pg_missing, ignore = "needs PostgreSQL 15 server binaries (initdb, pg_ctl) — not found; set CI=1 to make this a failure")]
fn harness_accepts_correct_hand_written_migrations() {
    let Some(server) = pg::server() else { return };
    for (case, up, down) in [("column_type_int_to_bigint", BIGINT_UP, BIGINT_DOWN), ("index_added", INDEX_UP, INDEX_DOWN)] {
        let failures = hand_written(server, case, up, down);
        assert!(failures.is_empty(), "control: {}", report(case, &failures, &Script::hand_written(up), &Script::hand_written(down)));
    }
}

#[test]
#[cfg_attr(pg_missing, ignore = "needs PostgreSQL 15 server binaries (initdb, pg_ctl) — not found; set CI=1 to make this a failure")]
fn harness_detects_a_missing_statement() {
    let Some(server) = pg::server() else { return };
    let up = INDEX_UP.lines().next().unwrap();
    let down = INDEX_DOWN.lines().nth(1).unwrap();
    let failures = hand_written(server, "index_added", up, down);
    let kinds: Vec<&str> = failures.iter().map(Failure::kind).collect();
    assert_eq!(kinds, vec![Failure::UpCatalog(String::new()).kind()], "{}", report("index_added", &failures, &Script::hand_written(up), &Script::hand_written(down)));
    assert!(failures[0].detail().contains("index public.orders_reference_key (only in the second)"), "{}", failures[0].detail());
}

#[test]
#[cfg_attr(pg_missing, ignore = "needs PostgreSQL 15 server binaries (initdb, pg_ctl) — not found; set CI=1 to make this a failure")]
fn harness_detects_lost_rows() {
    let Some(server) = pg::server() else { return };
    // The right catalog (the column is the table's last), the wrong way: the values are gone.
    let up = "ALTER TABLE public.page_views DROP COLUMN hits;\nALTER TABLE public.page_views ADD COLUMN hits bigint;\n";
    let failures = hand_written(server, "column_type_int_to_bigint", up, BIGINT_DOWN);
    let kinds: Vec<&str> = failures.iter().map(Failure::kind).collect();
    assert_eq!(
        kinds,
        vec![Failure::UpRows(String::new()).kind(), Failure::DownRows(String::new()).kind()],
        "{}",
        report("column_type_int_to_bigint", &failures, &Script::hand_written(up), &Script::hand_written(BIGINT_DOWN))
    );
    assert!(failures[0].detail().contains("rows differ in columns"), "{}", failures[0].detail());
}

#[test]
#[cfg_attr(pg_missing, ignore = "needs PostgreSQL 15 server binaries (initdb, pg_ctl) — not found; set CI=1 to make this a failure")]
fn harness_detects_a_failing_script() {
    let Some(server) = pg::server() else { return };
    let up = "ALTER TABLE public.page_views ALTER COLUMN hits TYPE bigint;\nALTER TABLE public.no_such_table ADD COLUMN x int;\n";
    let failures = hand_written(server, "column_type_int_to_bigint", up, BIGINT_DOWN);
    assert!(
        matches!(failures.as_slice(), [Failure::UpFailed(e)] if e.contains(":2: ERROR:") && e.contains("no_such_table")),
        "{failures:?}"
    );
}
