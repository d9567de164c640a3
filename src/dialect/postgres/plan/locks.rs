//! The facts of PostgreSQL's statements, as this planner writes them: the
//! lock each takes (PostgreSQL 15 documentation, "Explicit Locking", and
//! each command's page), the work it does on the rows, and the data it
//! destroys. The planner's statements are its own canonical forms
//! (`ALTER TABLE public.t ADD COLUMN …`), so their leading words say which
//! command they are. What the words cannot say, the planner sets where it
//! makes the step: the table of a DROP INDEX, the CONCURRENTLY form of an
//! index step (`index_step`), and the work of a column's type change, which
//! depends on the two types ([`type_change_work`]).

use crate::model::{Column, DataType, QName, Schema, Table, UserTypeKind, name_parts_folded};
use crate::plan::facts::{Destroys, Facts, Lock, OutsideTransaction, Work};

pub const ACCESS_EXCLUSIVE: &str = "ACCESS EXCLUSIVE";
pub const SHARE: &str = "SHARE";
pub const SHARE_ROW_EXCLUSIVE: &str = "SHARE ROW EXCLUSIVE";
pub const SHARE_UPDATE_EXCLUSIVE: &str = "SHARE UPDATE EXCLUSIVE";
pub const EXCLUSIVE: &str = "EXCLUSIVE";
pub const ROW_EXCLUSIVE: &str = "ROW EXCLUSIVE";
/// What a `SELECT` takes: it conflicts only with ACCESS EXCLUSIVE.
pub const ACCESS_SHARE: &str = "ACCESS SHARE";

/// What the application's statements cannot do while `level` is held on a
/// table ("Explicit Locking", table 13.2, "Conflicting Lock Modes"): reads
/// take ACCESS SHARE, which only ACCESS EXCLUSIVE conflicts with; writes
/// take ROW EXCLUSIVE, which SHARE, SHARE ROW EXCLUSIVE, EXCLUSIVE and
/// ACCESS EXCLUSIVE conflict with. SHARE UPDATE EXCLUSIVE (a concurrent
/// index build, a VALIDATE CONSTRAINT) lets both go on.
pub fn blocks(level: &str) -> crate::plan::facts::Blocks {
    let reads = level == ACCESS_EXCLUSIVE;
    let writes = matches!(level, SHARE | SHARE_ROW_EXCLUSIVE | EXCLUSIVE | ACCESS_EXCLUSIVE);
    crate::plan::facts::Blocks { reads, writes }
}

/// The statements of a migration file, each a step with its facts and the
/// line and column where it starts; a statement the database refuses in a
/// transaction block is marked so.
pub fn statement_steps(file: &str, sql: &str) -> crate::error::Result<Vec<(u32, u32, crate::plan::Step)>> {
    let statements = crate::dialect::postgres::split::split_statements(sql).map_err(|u| {
        crate::error::Error::data(format!("unterminated {}", u.what)).at(crate::model::Location::new(file, u.line, u.column))
    })?;
    Ok(statements
        .iter()
        .map(|st| {
            let facts = facts_of(st.text);
            let summary = st.text.split_whitespace().take(6).collect::<Vec<_>>().join(" ");
            let transactional = facts.outside_transaction.is_none();
            (st.line, st.column, crate::plan::Step { summary, sql: format!("{};", st.text), transactional, facts })
        })
        .collect())
}

/// The facts of one statement.
pub fn facts_of(sql: &str) -> Facts {
    let words = words_of(sql, 12);
    let upper: Vec<String> = words.iter().map(|w| w.to_ascii_uppercase()).collect();
    let is = |prefix: &[&str]| upper.len() >= prefix.len() && prefix.iter().zip(&upper).all(|(p, w)| p == w);
    let lock = |level: &'static str, at: usize| relation(&words, at).map(|on| Lock { level, on });
    let mut facts = Facts::default();
    // Refused inside a transaction block (a user's statement kept as text may be one).
    if is(&["CREATE", "INDEX", "CONCURRENTLY"]) || is(&["CREATE", "UNIQUE", "INDEX", "CONCURRENTLY"]) || is(&["DROP", "INDEX", "CONCURRENTLY"])
        || is(&["REINDEX"]) || is(&["VACUUM"])
    {
        facts.outside_transaction = Some(OutsideTransaction::Refused);
    }
    if is(&["ALTER", "TABLE"]) {
        let at = if upper.get(2).is_some_and(|w| w == "ONLY") { 3 } else { 2 };
        let table = relation(&words, at);
        let action = upper.get(at + 1..).unwrap_or_default().join(" ");
        let (level, work) = alter_table_action(&action, sql);
        facts.lock = table.clone().map(|on| Lock { level, on });
        facts.work = work;
        if action.starts_with("DROP COLUMN") {
            let column = words.get(at + 3).map(|c| name_parts_folded(c.trim_end_matches([';', ','])).pop().unwrap_or_default());
            facts.destroys = table.zip(column).map(|(relation, c)| Destroys::new(relation, vec![c]));
        }
    } else if is(&["DROP", "TABLE"]) || is(&["DROP", "MATERIALIZED", "VIEW"]) {
        let at = if is(&["DROP", "TABLE"]) { 2 } else { 3 };
        facts.lock = lock(ACCESS_EXCLUSIVE, at);
        facts.destroys = relation(&words, at).map(|relation| Destroys::new(relation, Vec::new()));
    } else if is(&["DROP", "SEQUENCE"]) {
        // The counter's position is data: a sequence created again starts over.
        facts.lock = lock(ACCESS_EXCLUSIVE, 2);
        facts.destroys = relation(&words, 2).map(|relation| Destroys::new(relation, Vec::new()));
    } else if is(&["CREATE", "INDEX"]) || is(&["CREATE", "UNIQUE", "INDEX"]) {
        // CREATE [UNIQUE] INDEX [CONCURRENTLY] name ON [ONLY] table
        let concurrently = upper.iter().any(|w| w == "CONCURRENTLY");
        let on = upper.iter().position(|w| w == "ON").map(|i| if upper.get(i + 1).is_some_and(|w| w == "ONLY") { i + 2 } else { i + 1 });
        facts.lock = on.and_then(|i| lock(if concurrently { SHARE_UPDATE_EXCLUSIVE } else { SHARE }, i));
        facts.work = Work::IndexBuild;
    } else if is(&["DROP", "INDEX"]) {
        // The lock is on the index's table, which the statement does not name.
        facts.work = Work::Metadata;
    } else if is(&["CREATE", "TRIGGER"]) || is(&["CREATE", "CONSTRAINT", "TRIGGER"]) || is(&["CREATE", "OR", "REPLACE", "TRIGGER"]) {
        facts.lock = upper.iter().position(|w| w == "ON").and_then(|i| lock(SHARE_ROW_EXCLUSIVE, i + 1));
    } else if is(&["DROP", "TRIGGER"]) || is(&["DROP", "POLICY"]) || is(&["DROP", "RULE"]) || is(&["CREATE", "POLICY"]) || is(&["ALTER", "POLICY"]) {
        facts.lock = upper.iter().position(|w| w == "ON").and_then(|i| lock(ACCESS_EXCLUSIVE, i + 1));
    } else if is(&["REFRESH", "MATERIALIZED", "VIEW"]) {
        let concurrently = upper.get(3).is_some_and(|w| w == "CONCURRENTLY");
        let at = if concurrently { 4 } else { 3 };
        facts.lock = lock(if concurrently { EXCLUSIVE } else { ACCESS_EXCLUSIVE }, at);
        facts.work = Work::Rewrite;
    } else if is(&["ALTER", "VIEW"]) || is(&["DROP", "VIEW"]) || is(&["CREATE", "OR", "REPLACE", "VIEW"]) {
        let at = if is(&["CREATE", "OR", "REPLACE", "VIEW"]) { 4 } else { 2 };
        facts.lock = lock(ACCESS_EXCLUSIVE, at);
    }
    facts
}

/// The lock and the work of one `ALTER TABLE` action (its upper-cased words).
fn alter_table_action(action: &str, sql: &str) -> (&'static str, Work) {
    let upper_sql = sql.to_ascii_uppercase();
    if action.starts_with("ADD CONSTRAINT") || action.starts_with("ADD PRIMARY KEY") || action.starts_with("ADD UNIQUE") || action.starts_with("ADD FOREIGN KEY") || action.starts_with("ADD CHECK") {
        let not_valid = upper_sql.trim_end_matches(';').trim_end().ends_with("NOT VALID");
        if upper_sql.contains(" FOREIGN KEY ") {
            // Both the table and the one it references.
            return (SHARE_ROW_EXCLUSIVE, if not_valid { Work::Metadata } else { Work::Scan });
        }
        if upper_sql.contains(" USING INDEX ") {
            return (ACCESS_EXCLUSIVE, Work::Metadata);
        }
        if upper_sql.contains(" PRIMARY KEY ") || upper_sql.contains(" UNIQUE ") || upper_sql.contains(" EXCLUDE ") {
            return (ACCESS_EXCLUSIVE, Work::IndexBuild);
        }
        return (ACCESS_EXCLUSIVE, if not_valid { Work::Metadata } else { Work::Scan });
    }
    if action.starts_with("VALIDATE CONSTRAINT") {
        return (SHARE_UPDATE_EXCLUSIVE, Work::Scan);
    }
    if action.starts_with("ADD COLUMN") {
        // A stored generated column, an identity or a volatile default fills
        // every row now; a constant default is kept in the catalog (PG 11+).
        let rewrites = upper_sql.contains(" STORED") || upper_sql.contains(" GENERATED ") && upper_sql.contains(" IDENTITY")
            || ["NEXTVAL(", "RANDOM(", "CLOCK_TIMESTAMP(", "GEN_RANDOM_UUID(", "UUID_GENERATE_", "TIMEOFDAY("].iter().any(|f| upper_sql.contains(f));
        return (ACCESS_EXCLUSIVE, if rewrites { Work::Rewrite } else { Work::Metadata });
    }
    if action.contains(" TYPE ") && action.starts_with("ALTER COLUMN") {
        return (ACCESS_EXCLUSIVE, Work::Rewrite);
    }
    if action.starts_with("ALTER COLUMN") && action.contains("SET NOT NULL") {
        return (ACCESS_EXCLUSIVE, Work::Scan);
    }
    if action.starts_with("ALTER COLUMN") && action.contains("SET STATISTICS") {
        return (SHARE_UPDATE_EXCLUSIVE, Work::Metadata);
    }
    if action.starts_with("SET (") || action.starts_with("RESET (") || action.starts_with("CLUSTER ON") || action.starts_with("SET WITHOUT CLUSTER") {
        return (SHARE_UPDATE_EXCLUSIVE, Work::Metadata);
    }
    if action.starts_with("ATTACH PARTITION") {
        return (SHARE_UPDATE_EXCLUSIVE, Work::Scan);
    }
    if action.starts_with("SET LOGGED") || action.starts_with("SET UNLOGGED") || action.starts_with("SET TABLESPACE") || action.starts_with("SET ACCESS METHOD") {
        return (ACCESS_EXCLUSIVE, Work::Rewrite);
    }
    if action.starts_with("ENABLE TRIGGER") || action.starts_with("DISABLE TRIGGER") || action.starts_with("ENABLE ALWAYS") || action.starts_with("ENABLE REPLICA") {
        return (SHARE_ROW_EXCLUSIVE, Work::Metadata);
    }
    (ACCESS_EXCLUSIVE, Work::Metadata)
}

/// The work of `ALTER TABLE … ALTER COLUMN … TYPE`, the column going from
/// `from` (in `old`) to `to` (in `new`), converted through text when
/// `via_text` (`USING c::text::type`), in `table` (the new model's).
///
/// PostgreSQL rewrites the table unless the conversion is binary coercible
/// all along (PostgreSQL 15 documentation, ALTER TABLE: "when the old type
/// is either binary coercible to the new type or an unconstrained domain
/// over the new type, a table rewrite is not needed"; `tablecmds.c`,
/// `ATColumnChangeRequiresRewrite`): a length, precision or scale that
/// only grows is dropped from the conversion by the type's support function
/// (`varchar_support`, `numeric_support`, `varbit_support`,
/// `timestamp_support`, `time_support`), a cast without a function (`varchar`
/// → `text`, `cidr` → `inet`) is a relabelling, and a domain is its base
/// type, unless the new one has constraints to check (a rewrite too).
/// Without a rewrite, the indexes are kept (`TryReuseIndex`) when their
/// operator classes and collations stay the same: the binary-coercible
/// types share their operator classes, but an index on a column whose
/// collation changes is built again.
pub fn type_change_work(old: &Schema, from: &Column, new: &Schema, to: &Column, via_text: bool, table: Option<&Table>) -> Work {
    let (source, target) = (resolve(old, &from.data_type), resolve(new, &to.data_type));
    let kept = match (source, target) {
        (Some(source), Some(target)) if via_text => {
            let text = Resolved { base: DataType::simple("text"), constrained: false };
            coercible(&source, &text) && coercible(&text, &target)
        }
        (Some(source), Some(target)) => coercible(&source, &target),
        _ => false,
    };
    if !kept {
        return Work::Rewrite;
    }
    let collation_changes = from.collation != to.collation;
    if collation_changes && table.is_some_and(|t| indexed(t, &to.name)) { Work::IndexBuild } else { Work::Metadata }
}

/// A type as PostgreSQL stores it: a domain's base type, and whether any
/// domain on the way has constraints (CHECK or NOT NULL).
#[derive(Debug, Clone, PartialEq)]
struct Resolved {
    base: DataType,
    constrained: bool,
}

/// `t` through its domains, in `schema`; None for a chain of domains that
/// does not end (which a schema cannot have).
fn resolve(schema: &Schema, t: &DataType) -> Option<Resolved> {
    let mut base = t.clone();
    let mut constrained = false;
    for _ in 0..16 {
        let domain = (base.array_dims == 0).then(|| schema.types.values().find(|u| u.name.to_string() == base.name)).flatten();
        match domain.map(|u| &u.kind) {
            Some(UserTypeKind::Domain { base: next, not_null, checks, .. }) => {
                constrained |= *not_null || !checks.is_empty();
                base = next.clone();
            }
            _ => return Some(Resolved { base, constrained }),
        }
    }
    None
}

/// Whether PostgreSQL converts `from` to `to` without computing the values
/// again: the same type, or a binary-coercible cast whose length coercion
/// its support function drops, into a type that checks nothing.
fn coercible(from: &Resolved, to: &Resolved) -> bool {
    if to.constrained {
        return false;
    }
    let (a, b) = (&from.base, &to.base);
    if a == b {
        return true;
    }
    // Arrays (converted element by element) and the rest: one list, shared
    // with the lint rules that judge a type change.
    crate::dialect::postgres::casts::binary_coercible(a, b)
}

/// Whether an index or a key's index of `table` has `column` as a key
/// taking the column's collation (an expression using it is rebuilt by the
/// planner anyway; a key with a COLLATE of its own keeps it).
fn indexed(table: &Table, column: &str) -> bool {
    let keys = table.indexes.values().flat_map(|i| &i.keys).any(|k| !k.expression && k.expr == column && k.collation.is_none());
    let constraints = table.constraints.values().any(|c| match &c.kind {
        crate::model::ConstraintKind::PrimaryKey { columns, .. } | crate::model::ConstraintKind::Unique { columns, .. } => {
            columns.iter().any(|c| c == column)
        }
        crate::model::ConstraintKind::Exclude { elements, .. } => elements.iter().any(|(e, _)| e == column),
        _ => false,
    });
    keys || constraints
}

/// The first `n` words of a statement: split at white space outside
/// double-quoted names (`"my table"` is one word).
fn words_of(sql: &str, n: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    let mut quoted = false;
    for (i, c) in sql.char_indices() {
        if c == '"' {
            quoted = !quoted;
        }
        match (c.is_whitespace() && !quoted, start) {
            (true, Some(s)) => {
                out.push(&sql[s..i]);
                start = None;
                if out.len() == n {
                    return out;
                }
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(&sql[s..]);
    }
    out
}

/// The relation named by the word at `at` (`public.t`, `"A".b`, the first
/// of a list `public.a, public.b`), when it is one.
fn relation(words: &[&str], at: usize) -> Option<QName> {
    let word = words.get(at)?.trim_end_matches([';', '(', ',']);
    let word = word.split('(').next().unwrap_or(word);
    let mut parts = name_parts_folded(word);
    match parts.len() {
        2 => {
            let name = parts.pop()?;
            Some(QName::new(parts.pop()?, name))
        }
        1 => Some(QName::new("public", parts.pop()?)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lock(sql: &str) -> (Option<&'static str>, Work) {
        let f = facts_of(sql);
        (f.lock.map(|l| l.level), f.work)
    }

    #[test]
    fn locks_and_work_follow_the_documentation() {
        assert_eq!(lock("ALTER TABLE public.t ADD COLUMN c integer;"), (Some(ACCESS_EXCLUSIVE), Work::Metadata));
        assert_eq!(lock("ALTER TABLE public.t ADD COLUMN c integer DEFAULT 0 NOT NULL;"), (Some(ACCESS_EXCLUSIVE), Work::Metadata));
        assert_eq!(lock("ALTER TABLE public.t ADD COLUMN c uuid DEFAULT gen_random_uuid();"), (Some(ACCESS_EXCLUSIVE), Work::Rewrite));
        assert_eq!(lock("ALTER TABLE public.t ADD COLUMN c integer GENERATED ALWAYS AS (a + 1) STORED;"), (Some(ACCESS_EXCLUSIVE), Work::Rewrite));
        assert_eq!(lock("ALTER TABLE public.t ALTER COLUMN c TYPE bigint;"), (Some(ACCESS_EXCLUSIVE), Work::Rewrite));
        assert_eq!(lock("ALTER TABLE public.t ALTER COLUMN c SET NOT NULL;"), (Some(ACCESS_EXCLUSIVE), Work::Scan));
        assert_eq!(lock("ALTER TABLE public.t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES public.u(id);"), (Some(SHARE_ROW_EXCLUSIVE), Work::Scan));
        assert_eq!(lock("ALTER TABLE public.t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES public.u(id) NOT VALID;"), (Some(SHARE_ROW_EXCLUSIVE), Work::Metadata));
        assert_eq!(lock("ALTER TABLE public.t VALIDATE CONSTRAINT f;"), (Some(SHARE_UPDATE_EXCLUSIVE), Work::Scan));
        // As the planner writes it for a constraint added NOT VALID and now validated.
        let validate = facts_of("ALTER TABLE public.\"Orders\" VALIDATE CONSTRAINT \"Total is positive\";");
        assert_eq!(validate.lock.map(|l| (l.level, l.on.to_string())), Some((SHARE_UPDATE_EXCLUSIVE, "public.\"Orders\"".to_string())));
        assert_eq!((validate.work, validate.destroys.is_none()), (Work::Scan, true));
        assert_eq!(lock("ALTER TABLE public.t ADD CONSTRAINT k UNIQUE (a);"), (Some(ACCESS_EXCLUSIVE), Work::IndexBuild));
        assert_eq!(lock("ALTER TABLE public.t ADD CONSTRAINT c CHECK (a > 0);"), (Some(ACCESS_EXCLUSIVE), Work::Scan));
        assert_eq!(lock("CREATE INDEX i ON public.t USING btree (a);"), (Some(SHARE), Work::IndexBuild));
        assert_eq!(lock("CREATE UNIQUE INDEX CONCURRENTLY i ON ONLY public.t USING btree (a);"), (Some(SHARE_UPDATE_EXCLUSIVE), Work::IndexBuild));
        assert_eq!(lock("CREATE TRIGGER tr BEFORE UPDATE ON public.t FOR EACH ROW EXECUTE FUNCTION f();"), (Some(SHARE_ROW_EXCLUSIVE), Work::Metadata));
        assert_eq!(lock("CREATE TABLE public.t (a integer);"), (None, Work::Metadata));
    }

    /// The work of a type change from `from` to `to` (types as PostgreSQL
    /// prints them), the domains `schema` declares, through text when `via_text`.
    fn type_change(schema: &str, from: &str, to: &str, via_text: bool) -> Work {
        let model = crate::dialect::postgres::read::replay(Schema::new(crate::model::Dialect::Postgres), "s.sql", schema).expect("reads");
        let column = |t: &str| {
            let (t, collation) = match t.split_once(" COLLATE ") {
                Some((t, c)) => (t, Some(c.to_string())),
                None => (t, None),
            };
            Column { collation, ..Column::new("c".into(), DataType::parse(t).expect("a type"), Default::default()) }
        };
        type_change_work(&model, &column(from), &model, &column(to), via_text, model.tables.values().next())
    }

    fn plain(from: &str, to: &str) -> Work {
        type_change("", from, to, false)
    }

    #[test]
    fn varchar_grows_without_a_rewrite() {
        assert_eq!(plain("character varying(10)", "character varying(20)"), Work::Metadata);
        assert_eq!(plain("character varying(10)", "character varying"), Work::Metadata);
        assert_eq!(plain("character varying(10)", "text"), Work::Metadata);
        assert_eq!(plain("character varying", "text"), Work::Metadata);
        assert_eq!(plain("text", "character varying"), Work::Metadata);
        assert_eq!(plain("character varying(20)", "character varying(10)"), Work::Rewrite, "shorter: every value is checked and cut");
        assert_eq!(plain("text", "character varying(10)"), Work::Rewrite, "a length to check");
        assert_eq!(plain("character varying", "character varying(10)"), Work::Rewrite);
        assert_eq!(plain("character(10)", "character(20)"), Work::Rewrite, "char pads");
        assert_eq!(plain("character(10)", "text"), Work::Rewrite, "char to text trims");
    }

    #[test]
    fn numeric_grows_without_a_rewrite_when_the_scale_stays() {
        assert_eq!(plain("numeric(10,2)", "numeric(12,2)"), Work::Metadata);
        assert_eq!(plain("numeric(10,2)", "numeric"), Work::Metadata);
        assert_eq!(plain("numeric(10)", "numeric(12)"), Work::Metadata);
        assert_eq!(plain("numeric(10)", "numeric(12,0)"), Work::Metadata, "numeric(p) is numeric(p,0)");
        assert_eq!(plain("numeric(10,2)", "numeric(12,3)"), Work::Rewrite, "a new scale");
        assert_eq!(plain("numeric(12,2)", "numeric(10,2)"), Work::Rewrite, "a smaller precision");
        assert_eq!(plain("numeric", "numeric(10,2)"), Work::Rewrite);
    }

    #[test]
    fn bit_varying_grows_without_a_rewrite() {
        assert_eq!(plain("bit varying(5)", "bit varying(10)"), Work::Metadata);
        assert_eq!(plain("bit varying(5)", "bit varying"), Work::Metadata);
        assert_eq!(plain("bit varying(10)", "bit varying(5)"), Work::Rewrite);
        assert_eq!(plain("bit(5)", "bit(10)"), Work::Rewrite, "bit has a fixed length");
    }

    #[test]
    fn cidr_to_inet_is_a_relabelling() {
        assert_eq!(plain("cidr", "inet"), Work::Metadata);
        assert_eq!(plain("inet", "cidr"), Work::Rewrite);
        assert_eq!(type_change("", "cidr", "inet", true), Work::Rewrite, "through text, every value is parsed again");
    }

    #[test]
    fn time_precision_grows_without_a_rewrite() {
        assert_eq!(plain("timestamp(3) without time zone", "timestamp(6) without time zone"), Work::Metadata);
        assert_eq!(plain("timestamp(3) with time zone", "timestamp with time zone"), Work::Metadata);
        assert_eq!(plain("timestamp without time zone", "timestamp(6) without time zone"), Work::Metadata, "6 is the most there is");
        assert_eq!(plain("time(2) with time zone", "time(4) with time zone"), Work::Metadata);
        assert_eq!(plain("time(3) without time zone", "time(2) without time zone"), Work::Rewrite);
        assert_eq!(plain("timestamp without time zone", "timestamp(3) without time zone"), Work::Rewrite);
        assert_eq!(plain("timestamp without time zone", "timestamp with time zone"), Work::Rewrite, "depends on the session's time zone");
    }

    #[test]
    fn other_changes_rewrite() {
        assert_eq!(plain("integer", "bigint"), Work::Rewrite);
        assert_eq!(plain("character varying(10)[]", "character varying(20)[]"), Work::Rewrite, "every element is converted");
        assert_eq!(plain("text", "text[]"), Work::Rewrite);
    }

    #[test]
    fn a_collation_change_builds_the_indexes_on_the_column_again() {
        assert_eq!(plain("text", "text COLLATE \"C\""), Work::Metadata);
        let indexed = "CREATE TABLE t (c text); CREATE INDEX t_c ON t (c);";
        assert_eq!(type_change(indexed, "text", "text COLLATE \"C\"", false), Work::IndexBuild);
        assert_eq!(type_change(indexed, "character varying(5)", "text", false), Work::Metadata, "the operator class stays");
        let keyed = "CREATE TABLE t (c text PRIMARY KEY);";
        assert_eq!(type_change(keyed, "text", "text COLLATE \"C\"", false), Work::IndexBuild);
        let own_collation = "CREATE TABLE t (c text); CREATE INDEX t_c ON t (c COLLATE \"C\");";
        assert_eq!(type_change(own_collation, "text", "text COLLATE \"POSIX\"", false), Work::Metadata, "the index keeps its own");
    }

    #[test]
    fn a_domain_is_its_base_type_unless_it_checks() {
        let domains = "CREATE DOMAIN plain AS text; CREATE DOMAIN checked AS text CHECK (VALUE <> ''); \
                       CREATE DOMAIN not_null AS text NOT NULL; CREATE DOMAIN short AS varchar(20) CHECK (VALUE <> '');";
        assert_eq!(type_change(domains, "text", "public.plain", true), Work::Metadata, "an unconstrained domain over the type");
        assert_eq!(type_change(domains, "public.plain", "text", false), Work::Metadata);
        assert_eq!(type_change(domains, "public.short", "text", false), Work::Metadata, "the old domain's checks do not matter");
        assert_eq!(type_change(domains, "character varying(10)", "public.plain", true), Work::Metadata);
        assert_eq!(type_change(domains, "text", "public.checked", true), Work::Rewrite, "values to check");
        assert_eq!(type_change(domains, "text", "public.not_null", true), Work::Rewrite);
        assert_eq!(type_change(domains, "integer", "public.plain", true), Work::Rewrite, "integer to text is computed");
        assert_eq!(type_change(domains, "text", "public.short", true), Work::Rewrite);
    }

    #[test]
    fn drops_say_what_they_destroy() {
        let f = facts_of("ALTER TABLE public.\"my table\" DROP COLUMN \"Old one\";");
        let d = f.destroys.unwrap();
        assert_eq!((d.relation, d.columns), (QName::new("public", "my table"), vec!["Old one".to_string()]));
        let f = facts_of("DROP TABLE public.t;");
        let d = f.destroys.unwrap();
        assert_eq!((d.relation, d.columns.len()), (QName::new("public", "t"), 0));
        // Of tables dropped together, the first (not `public."a,"`).
        let f = facts_of("DROP TABLE public.a, public.b;");
        assert_eq!((f.lock.unwrap().on, f.destroys.unwrap().relation), (QName::new("public", "a"), QName::new("public", "a")));
        assert!(facts_of("ALTER TABLE public.t DROP CONSTRAINT c;").destroys.is_none());
    }

    #[test]
    fn what_each_lock_keeps_the_application_from_doing() {
        let b = |level| {
            let b = blocks(level);
            (b.reads, b.writes)
        };
        assert_eq!(b(ACCESS_EXCLUSIVE), (true, true));
        assert_eq!(b(EXCLUSIVE), (false, true));
        assert_eq!(b(SHARE_ROW_EXCLUSIVE), (false, true));
        assert_eq!(b(SHARE), (false, true));
        assert_eq!(b(SHARE_UPDATE_EXCLUSIVE), (false, false));
        assert_eq!(b(ROW_EXCLUSIVE), (false, false));
    }
}
