//! SS7xx: rollback safety: whether the down migration gives the old state
//! back, data included, and whether it still runs once the new code has
//! written data.
//!
//! The down steps are planned from the new schema back to the old one with
//! the renames reversed first, so they name renamed tables by their old
//! names; the up steps name them by their new ones. The helpers here follow
//! a table through the migration's renames either way.

mod rollback_drops_new_data;
mod rollback_fails_on_new_data;
mod rollback_loses_data;

/// What a type change does to the values, there and back.
use crate::dialect::postgres::round_trip as casts;
use crate::diff::Change;
use crate::lint::{Context, Rule};
use crate::model::{Column, QName, Schema, Table, quote_ident};
use crate::plan::Step;
use crate::plan::facts::Work;

pub static RULES: &[&Rule] = &[&rollback_loses_data::RULE, &rollback_fails_on_new_data::RULE, &rollback_drops_new_data::RULE];

/// The name a table (by its new name) had before the migration.
fn name_before(ctx: &Context, table: &QName) -> QName {
    ctx.changes()
        .find_map(|c| match c {
            Change::RenameTable { from, to } if to == table => Some(from.clone()),
            _ => None,
        })
        .unwrap_or_else(|| table.clone())
}

/// The name a table (by its old name) has after the migration.
fn name_after(ctx: &Context, table: &QName) -> QName {
    ctx.changes()
        .find_map(|c| match c {
            Change::RenameTable { from, to } if from == table => Some(to.clone()),
            _ => None,
        })
        .unwrap_or_else(|| table.clone())
}

/// The table before the migration, by its old or its new name.
fn old_table<'a>(ctx: &Context<'a>, table: &QName) -> Option<&'a Table> {
    ctx.old.tables.get(table).or_else(|| ctx.old.tables.get(&name_before(ctx, table)))
}

/// The down steps that lock `table` (by its new name).
fn down_steps_on<'a>(ctx: &Context<'a>, table: &QName) -> impl Iterator<Item = &'a Step> {
    let names = [table.clone(), name_before(ctx, table)];
    ctx.plan.down.iter().filter(move |s| s.facts.lock.as_ref().is_some_and(|l| names.contains(&l.on)))
}

/// Whether some down step reads or writes every row of `table` (a scan,
/// an index build, a rewrite): a step that can fail on what the rows hold.
fn down_checks_rows(ctx: &Context, table: &QName) -> bool {
    down_steps_on(ctx, table).any(|s| s.facts.work > Work::Metadata)
}

fn idents(names: &[String]) -> String {
    names.iter().map(|n| quote_ident(n)).collect::<Vec<_>>().join(", ")
}

/// The statements that keep a copy of `columns` of `table` (as it is
/// before the migration) and put them back after a rollback; `filter`: an
/// SQL condition choosing the rows worth keeping.
fn keep_a_copy(table: &Table, columns: &[String], filter: Option<&str>) -> String {
    let suffix = if columns.len() == 1 { format!("{}_backup", columns[0]) } else { "backup".to_string() };
    let backup = QName::new(table.name.schema.clone(), format!("{}_{suffix}", table.name.name));
    let filter = filter.map(|f| format!(" WHERE {f}")).unwrap_or_default();
    let Some(key) = table.row_key().filter(|k| !k.iter().any(|c| columns.contains(c))) else {
        return format!(
            "before the up migration, keep a copy of the rows: `CREATE TABLE {backup} AS SELECT * FROM {}{filter};` \
             ({} has no key to match them by after a rollback: add one first, or restore them by hand)",
            table.name, table.name
        );
    };
    let set: Vec<String> = columns.iter().map(|c| format!("{} = saved.{}", quote_ident(c), quote_ident(c))).collect();
    let on: Vec<String> = key.iter().map(|k| format!("cur.{} = saved.{}", quote_ident(k), quote_ident(k))).collect();
    format!(
        "before the up migration, keep a copy: `CREATE TABLE {backup} AS SELECT {}, {} FROM {}{filter};`; \
         after a rollback, put the values back: `UPDATE {} AS cur SET {} FROM {backup} AS saved WHERE {};`",
        idents(&key),
        idents(columns),
        table.name,
        table.name,
        set.join(", "),
        on.join(" AND ")
    )
}

/// The columns of `schema`'s tables whose type is `type_name` or an array of it.
fn columns_of_type<'a>(schema: &'a Schema, type_name: &QName) -> Vec<(&'a Table, &'a Column)> {
    let name = type_name.to_string();
    schema
        .tables
        .values()
        .filter(|t| t.partition_of.is_none())
        .flat_map(|t| t.columns.iter().filter(|c| c.local && c.data_type.name == name).map(move |c| (t, c)))
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::lint::{Finding, Options};


    /// The findings of the rule `code` on the migration from `old` to `new`.
    pub fn findings(code: &str, old: &str, new: &str, options: Options) -> Vec<Finding> {
        crate::lint::rules::support::testing::lint(old, new, options, &[code]).into_iter().filter(|f| f.code == code).collect()
    }

    pub fn messages(code: &str, old: &str, new: &str) -> Vec<String> {
        findings(code, old, new, Options::default()).into_iter().map(|f| format!("{} | {}", f.message, f.help)).collect()
    }

    fn objects(code: &str, old: &str, new: &str) -> Vec<String> {
        findings(code, old, new, Options::default()).into_iter().map(|f| f.object).collect()
    }

    #[test]
    fn a_dropped_sequence_comes_back_at_its_start() {
        let old = "CREATE TABLE t (id serial PRIMARY KEY);";
        let new = "CREATE TABLE t (id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY);";
        let found = messages("SS701", old, new);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].contains("sequence public.t_id_seq is dropped (it numbers public.t.id)"), "{}", found[0]);
        assert!(found[0].contains("setval('public.t_id_seq', (SELECT max(id) FROM public.t))"), "{}", found[0]);
        // Dropped with its table: the table's finding says it all.
        assert_eq!(objects("SS701", old, ""), ["public.t"]);
    }

    #[test]
    fn a_dropped_column_says_how_the_down_adds_it_back() {
        let old = "CREATE TABLE t (id bigint PRIMARY KEY, a text NOT NULL, b int DEFAULT 7, c text);";
        let found = messages("SS701", old, "CREATE TABLE t (id bigint PRIMARY KEY);");
        assert_eq!(found.len(), 3, "{found:#?}");
        assert!(found[0].contains("NOT NULL without a default, which fails"), "{}", found[0]);
        assert!(found[1].contains("with its default (7)"), "{}", found[1]);
        assert!(found[2].contains("NULL in every row"), "{}", found[2]);
        assert!(found[2].contains("UPDATE public.t AS cur SET c = saved.c FROM public.t_c_backup AS saved WHERE cur.id = saved.id"), "{}", found[2]);
    }

    #[test]
    fn new_columns_of_a_renamed_table_are_found_by_the_down_s_old_name() {
        let old = "CREATE TABLE t (id bigint PRIMARY KEY);";
        let new = "-- schemashift:renamed-from t\nCREATE TABLE t2 (id bigint PRIMARY KEY, y int NOT NULL DEFAULT 0);";
        assert_eq!(objects("SS703", old, new), ["public.t2.y"]);
        // A serial's sequence goes with its new table; a sequence of its own is found.
        let new = "CREATE TABLE t (id bigint PRIMARY KEY);\nCREATE TABLE n (id serial PRIMARY KEY);\nCREATE SEQUENCE s;";
        assert_eq!(objects("SS703", old, new), ["public.n", "public.s"]);
    }

    #[test]
    fn dropped_keys_fail_the_down_unless_a_stricter_one_stays() {
        let old = "CREATE TABLE p (id bigint PRIMARY KEY);\n\
                   CREATE TABLE t (id bigint PRIMARY KEY, a int, b int, p_id bigint REFERENCES p, CONSTRAINT ab UNIQUE (a, b));\n\
                   CREATE UNIQUE INDEX t_b ON t (b);";
        let new = "CREATE TABLE p (id bigint PRIMARY KEY);\nCREATE TABLE t (id bigint PRIMARY KEY, a int, b int, p_id bigint);";
        assert_eq!(objects("SS702", old, new), ["public.t.ab", "public.t.t_p_id_fkey", "public.t_b"]);
        // Unique on fewer columns, the same foreign key with another action: nothing the old one rejects gets in.
        let stricter = "CREATE TABLE p (id bigint PRIMARY KEY);\n\
                        CREATE TABLE t (id bigint PRIMARY KEY, a int, b int, p_id bigint REFERENCES p ON DELETE CASCADE, CONSTRAINT ab UNIQUE (a));\n\
                        CREATE UNIQUE INDEX t_b ON t (b);";
        assert_eq!(objects("SS702", old, stricter), Vec::<String>::new());
        // The column goes: the down adds it back empty, which no key rejects.
        let old = "CREATE TABLE t (id bigint PRIMARY KEY, a int UNIQUE, q int CHECK (q > 0));";
        assert_eq!(objects("SS702", old, "CREATE TABLE t (id bigint PRIMARY KEY);"), Vec::<String>::new());
    }

    #[test]
    fn new_enum_labels_fail_the_down_on_the_columns_that_hold_them() {
        let old = "CREATE TYPE mood AS ENUM ('a');\nCREATE TABLE t (id bigint PRIMARY KEY, m mood, ms mood[]);";
        let new = "CREATE TYPE mood AS ENUM ('a', 'b');\nCREATE TABLE t (id bigint PRIMARY KEY, m mood, ms mood[]);";
        let found = messages("SS702", old, new);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(found[0].contains("m::text IN ('b')"), "{}", found[0]);
        assert!(found[1].contains("ms::text[] && ARRAY['b']"), "{}", found[1]);
    }

    #[test]
    fn a_changed_check_may_be_stricter() {
        let old = "CREATE TABLE t (id bigint PRIMARY KEY, q int CONSTRAINT q_ok CHECK (q > 0));";
        let found = messages("SS702", old, "CREATE TABLE t (id bigint PRIMARY KEY, q int CONSTRAINT q_ok CHECK (q >= 0));");
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].starts_with("CHECK q_ok (q > 0) is replaced on public.t (unless"), "{}", found[0]);
        assert!(found[0].contains("SELECT * FROM public.t WHERE NOT (q > 0);"), "{}", found[0]);
        // The same CHECK made NOT VALID still checks every row written from now on.
        let not_valid = "CREATE TABLE t (id bigint PRIMARY KEY, q int);\nALTER TABLE t ADD CONSTRAINT q_ok CHECK (q > 0) NOT VALID;";
        assert_eq!(objects("SS702", old, not_valid), Vec::<String>::new());
    }
}
