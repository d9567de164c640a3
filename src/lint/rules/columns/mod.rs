//! SS3xx: column types, defaults, identity and generated columns: what
//! rewrites a table, what fails on existing rows, what narrows.
//!
//! What PostgreSQL does to the values of a column whose type changes is in
//! [`casts`]; the helpers below find the changes the rules look at.

mod add_column_volatile_default;
mod add_identity_column;
mod add_not_null_column_without_default;
mod add_serial_column;
mod add_stored_generated_column;
mod cast_always_fails;
mod cast_may_fail;
mod change_column_collation;
mod change_column_type;
mod drop_column_default;
mod identity_change;
mod json_column_added;
mod narrow_integer;
mod narrow_numeric;
mod narrow_varchar;
mod timestamp_time_zone_change;

/// What PostgreSQL does to a column's values when its type changes.
pub use crate::dialect::postgres::casts;
use crate::diff::Change;
use crate::lint::{Context, Hit, Preflight, Rule};
use crate::model::{Column, Expr, QName, UserTypeKind, quote_ident};
use casts::{Failure, TypeChange};

pub static RULES: &[&Rule] = &[
    &change_column_type::RULE,
    &cast_always_fails::RULE,
    &cast_may_fail::RULE,
    &narrow_varchar::RULE,
    &narrow_numeric::RULE,
    &narrow_integer::RULE,
    &timestamp_time_zone_change::RULE,
    &change_column_collation::RULE,
    &add_column_volatile_default::RULE,
    &add_not_null_column_without_default::RULE,
    &add_serial_column::RULE,
    &add_identity_column::RULE,
    &add_stored_generated_column::RULE,
    &identity_change::RULE,
    &drop_column_default::RULE,
    &json_column_added::RULE,
];

/// A column altered on a table that holds rows.
pub struct Altered<'a> {
    pub change: &'a Change,
    pub table: &'a QName,
    pub from: &'a Column,
    pub to: &'a Column,
    /// The table's and the column's names before the migration, quoted:
    /// what a query run before it must say.
    pub table_before: String,
    pub column_before: String,
    /// How many partitions or inheriting tables the same change reaches
    /// through this one (their own changes are left out: the statement on
    /// the parent converts them too).
    pub descendants: usize,
    user_type: bool,
    labels: Option<&'a [String]>,
    version: Option<u32>,
}

impl Altered<'_> {
    /// `public.t.c`, as findings name a column.
    pub fn object(&self) -> String {
        format!("{}.{}", self.table, self.to.name)
    }
    pub fn type_changed(&self) -> bool {
        self.from.data_type != self.to.data_type
    }
    /// The type change as the planner converts it, on the column as it is
    /// named before the migration.
    pub fn cast(&self) -> TypeChange<'_> {
        TypeChange {
            column: &self.column_before,
            from: &self.from.data_type,
            to: &self.to.data_type,
            user_type: self.user_type,
            labels: self.labels,
            version: self.version,
        }
    }
    pub fn failure(&self) -> Failure {
        if self.type_changed() { self.cast().failure() } else { Failure::Never }
    }
    /// A query that lists the rows `condition` selects: it must find none.
    pub fn rows_where(&self, condition: &str) -> Preflight {
        Preflight::no_rows(format!("SELECT {c} FROM {t} WHERE {condition};", c = self.column_before, t = self.table_before))
    }
    /// A query that converts every value as the migration will: it fails
    /// exactly where the migration would.
    pub fn converts_all(&self) -> Preflight {
        Preflight::succeeds(format!("SELECT count({}) FROM {};", self.cast().expression(), self.table_before))
    }
    /// "from `integer` to `bigint`"
    pub fn types(&self) -> String {
        format!("from {} to {}", self.from.data_type, self.to.data_type)
    }
}

impl<'a> Context<'a> {
    /// Every column altered on a table that held rows before the migration,
    /// once per tree of partitions or inheriting tables: a child whose parent
    /// changes the same column the same way is counted in the parent's
    /// `descendants`.
    pub fn altered_columns(&self) -> Vec<Altered<'a>> {
        let same_on = |t: &QName, from: &Column, to: &Column| {
            self.changes().any(|c| matches!(c, Change::AlterColumn { table, from: f, to: n } if table == t && f.name == from.name && same_change(f, from) && same_change(n, to)))
        };
        let parents = |t: &QName| -> Vec<QName> {
            self.new_table(t).map(|t| t.partition_of.iter().map(|p| p.parent.clone()).chain(t.inherits.iter().cloned()).collect()).unwrap_or_default()
        };
        let from_parent = |t: &QName, from: &Column, to: &Column| parents(t).iter().any(|p| same_on(p, from, to));
        let descendants = |t: &QName, from: &Column, to: &Column| {
            let mut found: Vec<&QName> = Vec::new();
            let mut queue = vec![t];
            while let Some(parent) = queue.pop() {
                for child in self.new.tables.values().filter(|c| parents(&c.name).contains(parent)) {
                    if !found.contains(&&child.name) && same_on(&child.name, from, to) {
                        found.push(&child.name);
                        queue.push(&child.name);
                    }
                }
            }
            found.len()
        };
        self.changes()
            .filter_map(|change| match change {
                Change::AlterColumn { table, from, to } if self.existed(table) && !from_parent(table, from, to) => {
                    let user = self.new.types.iter().find(|(name, _)| name.to_string() == to.data_type.name);
                    let labels = user.and_then(|(_, t)| match &t.kind {
                        UserTypeKind::Enum { values } => Some(values.as_slice()),
                        _ => None,
                    });
                    Some(Altered {
                        change,
                        table,
                        from,
                        to,
                        table_before: self.table_before(table).to_string(),
                        column_before: quote_ident(&self.column_before(table, &to.name)),
                        descendants: descendants(table, from, to),
                        user_type: user.is_some(),
                        labels: labels.filter(|_| to.data_type.array_dims == 0),
                        version: self.server_version(),
                    })
                }
                _ => None,
            })
            .collect()
    }

    /// The name a table had before the migration renamed it.
    pub fn table_before(&self, table: &QName) -> QName {
        self.changes()
            .find_map(|c| match c {
                Change::RenameTable { from, to } if to == table => Some(from.clone()),
                _ => None,
            })
            .unwrap_or_else(|| table.clone())
    }

    /// The name a column had before the migration renamed it.
    pub fn column_before(&self, table: &QName, column: &str) -> String {
        self.changes()
            .find_map(|c| match c {
                Change::RenameColumn { table: t, from, to } if t == table && to == column => Some(from.clone()),
                _ => None,
            })
            .unwrap_or_else(|| column.to_string())
    }

    /// The lock the migration's heaviest step on `table` takes, from the
    /// step facts (`ACCESS EXCLUSIVE` for every `ALTER TABLE` form these
    /// rules look at).
    pub fn lock_on(&self, table: &QName) -> &'static str {
        self.heaviest_on(table).and_then(|s| s.facts.lock.as_ref()).map_or("ACCESS EXCLUSIVE", |l| l.level)
    }

    /// Columns added to tables that held rows, with the change; once per
    /// tree of partitions or inheriting tables (see [`Self::added_through_parent`]).
    pub fn added_columns(&self) -> impl Iterator<Item = (&'a Change, &'a QName, &'a Column)> + '_ {
        self.changes().filter_map(move |c| match c {
            Change::AddColumn { table, column } if self.existed(table) && !self.added_through_parent(table, &column.name) => Some((c, table, column)),
            _ => None,
        })
    }

    /// Whether `column` comes to `table` because the same migration adds it
    /// to a parent (a partitioned table or one it inherits from): the
    /// parent's statement adds it to every child.
    pub fn added_through_parent(&self, table: &QName, column: &str) -> bool {
        let Some(t) = self.new_table(table) else { return false };
        let mut parents = t.partition_of.iter().map(|p| &p.parent).chain(&t.inherits);
        parents.any(|p| self.changes().any(|c| matches!(c, Change::AddColumn { table, column: added } if table == p && added.name == column)))
    }

    /// Whether `column` of `table` is a serial: its default draws from a
    /// sequence the same migration creates, owned by the column.
    pub fn is_serial(&self, table: &QName, column: &Column) -> bool {
        column.default.as_ref().is_some_and(|d| d.0.to_ascii_lowercase().contains("nextval("))
            && self.changes().any(|c| {
                matches!(c, Change::CreateSequence { sequence } if sequence.owned_by.as_ref().is_some_and(|(t, col)| t == table && col == &column.name))
            })
    }

    /// The volatile function a default calls, if any: those of PostgreSQL
    /// and its bundled extensions that are marked VOLATILE (`provolatile =
    /// 'v'`), and functions of the schema declared VOLATILE (the default
    /// for CREATE FUNCTION when nothing is said).
    pub fn volatile_call(&self, default: &Expr) -> Option<String> {
        let text = default.0.to_ascii_lowercase();
        const BUILT_IN: &[&str] = &[
            "random",
            "random_normal",
            "clock_timestamp",
            "timeofday",
            "gen_random_uuid",
            "uuidv4",
            "uuidv7",
            "uuid_generate_v1",
            "uuid_generate_v1mc",
            "uuid_generate_v4",
            "nextval",
            "gen_random_bytes",
        ];
        if let Some(f) = BUILT_IN.iter().find(|f| calls(&text, f)) {
            return Some(format!("{f}()"));
        }
        self.new.functions.values().find_map(|f| {
            let volatile = !f.attributes.iter().any(|a| {
                let a = a.to_ascii_uppercase();
                a == "IMMUTABLE" || a == "STABLE"
            });
            let name = f.name.name.to_ascii_lowercase();
            (volatile && !f.procedure && calls(&text, &name)).then(|| format!("{}()", f.name))
        })
    }
}

/// Whether two versions of a column are alike in what the column rules
/// judge: type, collation, default, identity, generation, nullability.
fn same_change(a: &Column, b: &Column) -> bool {
    a.data_type == b.data_type
        && a.collation == b.collation
        && a.default == b.default
        && a.identity.as_ref().map(|i| i.always) == b.identity.as_ref().map(|i| i.always)
        && a.generated == b.generated
        && a.nullable == b.nullable
}

/// Whether `text` calls the function `name` (a whole word followed by `(`).
fn calls(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + name.len()..].trim_start();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_') && after.starts_with('(')
    })
}

/// Findings for each altered column `pick` accepts.
pub fn per_altered(ctx: &Context, pick: impl Fn(&Altered) -> Option<Hit>) -> Vec<Hit> {
    ctx.altered_columns().iter().filter_map(pick).collect()
}

#[cfg(test)]
mod tests {
    use super::calls;
    use crate::lint::{Finding, Options};
    use crate::model::{Dialect, Schema};

    fn read(sql: &str) -> Schema {
        let files = [crate::source::SourceFile { path: "schema.sql".into(), bytes: sql.as_bytes().to_vec(), blob_id: None }];
        crate::read::read_schema(&files, Dialect::Postgres).expect("the schema reads").0
    }

    /// The findings of the columns family's rules (SS3xx) from `old` to `new`.
    fn findings(old: &str, new: &str, version: Option<u32>) -> Vec<Finding> {
        let names: Vec<&str> = super::RULES.iter().map(|r| r.name).collect();
        let options = Options { server_version: version, ..Options::default() };
        crate::lint::rules::support::testing::lint(old, new, options, &names).into_iter().filter(|f| f.code.starts_with("SS3")).collect()
    }

    fn rules_of(found: &[Finding]) -> Vec<&str> {
        found.iter().map(|f| f.rule).collect()
    }

    /// `casts::TypeChange::via` mirrors the planner's choice of `USING`:
    /// the planned statement converts exactly as the pre-flight query does.
    #[test]
    fn the_conversion_is_the_one_the_planner_writes() {
        let pairs = [
            ("integer", "bigint"),
            ("text", "character varying(10)"),
            ("bigint", "uuid"),
            ("text", "integer"),
            ("integer", "text"),
            ("cidr", "inet"),
            ("integer", "date"),
            ("timestamp without time zone", "timestamp with time zone"),
            ("text", "mood"),
            ("integer[]", "bigint[]"),
            ("boolean", "integer"),
            ("json", "jsonb"),
        ];
        let mood = "CREATE TYPE mood AS ENUM ('a');\n";
        for (from, to) in pairs {
            let old = format!("{mood}CREATE TABLE t (c {from});");
            let new = format!("{mood}CREATE TABLE t (c {to});");
            let (o, n) = (read(&old), read(&new));
            let plan = crate::plan::plan(&o, &n).expect("the migration plans");
            let step = plan.up.iter().find(|s| s.sql.contains(" TYPE ")).unwrap_or_else(|| panic!("{from} → {to}: {:#?}", plan.up));
            let options = Options::default();
            let ctx = crate::lint::Context { old: &o, new: &n, plan: &plan, options: &options, statement: None };
            let altered = ctx.altered_columns();
            let cast = altered[0].cast();
            match cast.via() {
                super::casts::Via::Assignment => assert!(!step.sql.contains("USING"), "{from} → {to}: {}", step.sql),
                _ => assert!(step.sql.contains(&format!(" USING {};", cast.expression())), "{from} → {to}: {} vs {}", step.sql, cast.expression()),
            }
        }
    }

    #[test]
    fn a_partitioned_table_is_reported_once_for_its_whole_tree() {
        let old = "CREATE TABLE m (id bigint, at date, v integer) PARTITION BY RANGE (at);\n\
                   CREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');\n\
                   CREATE TABLE m2 PARTITION OF m FOR VALUES FROM ('2021-01-01') TO ('2022-01-01');\n\
                   CREATE TABLE other (v integer);";
        let found = findings(old, &old.replace("v integer", "v bigint"), None);
        assert_eq!(rules_of(&found), ["change-column-type", "change-column-type"], "{found:#?}");
        assert!(found[0].message.contains("public.m and its 2 partitions"), "{}", found[0].message);
        assert!(found[1].message.contains("rewrites table public.other and rebuilds"), "{}", found[1].message);
        // A column added to the parent reaches the partitions by the same statement.
        let added = old.replace("at date, v integer)", "at date, v integer, token uuid DEFAULT gen_random_uuid(), doc json)");
        let found = findings(old, &added, None);
        assert_eq!(rules_of(&found), ["add-column-volatile-default", "json-column-added"], "{found:#?}");
    }

    #[test]
    fn pre_flight_queries_name_the_table_and_column_as_they_are_before_the_migration() {
        let old = "CREATE TABLE t (id bigint PRIMARY KEY, qty text);";
        let new = "-- schemashift:renamed-from t\nCREATE TABLE u (\n  id bigint PRIMARY KEY,\n  -- schemashift:renamed-from qty\n  amount integer\n);";
        let found = findings(old, new, None);
        let cast = found.iter().find(|f| f.rule == "cast-may-fail").unwrap_or_else(|| panic!("{found:#?}"));
        let sql = &cast.preflight.as_ref().unwrap().sql;
        assert!(sql.starts_with("SELECT qty FROM public.t WHERE qty IS NOT NULL"), "{sql}");
        assert_eq!(cast.object, "public.u.amount");
    }

    #[test]
    fn a_default_calling_a_function_of_the_schema_is_volatile_unless_declared_otherwise() {
        let functions = "CREATE FUNCTION next_code() RETURNS text LANGUAGE sql AS $$ SELECT md5(random()::text) $$;\n\
                         CREATE FUNCTION tenant() RETURNS text LANGUAGE sql STABLE AS $$ SELECT current_user::text $$;\n";
        let old = format!("{functions}CREATE TABLE t (id bigint PRIMARY KEY);");
        let volatile = findings(&old, &format!("{functions}CREATE TABLE t (id bigint PRIMARY KEY, code text DEFAULT next_code());"), None);
        assert_eq!(rules_of(&volatile), ["add-column-volatile-default"]);
        assert!(volatile[0].message.contains("public.next_code()"), "{}", volatile[0].message);
        let stable = findings(&old, &format!("{functions}CREATE TABLE t (id bigint PRIMARY KEY, owner text DEFAULT tenant());"), None);
        assert!(stable.is_empty(), "{stable:#?}");
    }

    #[test]
    fn a_volatile_default_on_a_serial_is_add_serial_columns_finding() {
        let found = findings("CREATE TABLE t (name text);", "CREATE TABLE t (name text, n bigserial);", None);
        assert_eq!(rules_of(&found), ["add-serial-column"]);
    }

    #[test]
    fn a_call_is_a_whole_name_before_a_parenthesis() {
        assert!(calls("gen_random_uuid()", "gen_random_uuid"));
        assert!(calls("nextval('t_id_seq'::regclass)", "nextval"));
        assert!(calls("(random() * 10)", "random"));
        assert!(!calls("my_random()", "random"));
        assert!(!calls("'random'", "random"));
        assert!(calls("public.random ()", "random"));
    }
}
