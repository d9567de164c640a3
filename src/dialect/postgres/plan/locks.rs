//! The facts of PostgreSQL's statements, as this planner writes them: the
//! lock each takes (PostgreSQL 15 documentation, "Explicit Locking", and
//! each command's page), the work it does on the rows, and the data it
//! destroys. The planner's statements are its own canonical forms
//! (`ALTER TABLE public.t ADD COLUMN …`), so their leading words say which
//! command they are. What the words cannot say, the planner sets where it
//! makes the step: the table of a DROP INDEX and the CONCURRENTLY form of
//! an index step (`index_step`). Not yet said: a type change PostgreSQL does
//! without a rewrite (binary-coercible types) counts as a rewrite here.

use crate::model::{QName, name_parts_folded};
use crate::plan::facts::{Destroys, Facts, Lock, OutsideTransaction, Work};

pub const ACCESS_EXCLUSIVE: &str = "ACCESS EXCLUSIVE";
pub const SHARE: &str = "SHARE";
pub const SHARE_ROW_EXCLUSIVE: &str = "SHARE ROW EXCLUSIVE";
pub const SHARE_UPDATE_EXCLUSIVE: &str = "SHARE UPDATE EXCLUSIVE";
pub const EXCLUSIVE: &str = "EXCLUSIVE";

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
            facts.destroys = table.zip(column).map(|(relation, c)| Destroys { relation, columns: vec![c] });
        }
    } else if is(&["DROP", "TABLE"]) || is(&["DROP", "MATERIALIZED", "VIEW"]) {
        let at = if is(&["DROP", "TABLE"]) { 2 } else { 3 };
        facts.lock = lock(ACCESS_EXCLUSIVE, at);
        facts.destroys = relation(&words, at).map(|relation| Destroys { relation, columns: Vec::new() });
    } else if is(&["DROP", "SEQUENCE"]) {
        // The counter's position is data: a sequence created again starts over.
        facts.lock = lock(ACCESS_EXCLUSIVE, 2);
        facts.destroys = relation(&words, 2).map(|relation| Destroys { relation, columns: Vec::new() });
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
        assert_eq!(lock("ALTER TABLE public.t ADD CONSTRAINT k UNIQUE (a);"), (Some(ACCESS_EXCLUSIVE), Work::IndexBuild));
        assert_eq!(lock("ALTER TABLE public.t ADD CONSTRAINT c CHECK (a > 0);"), (Some(ACCESS_EXCLUSIVE), Work::Scan));
        assert_eq!(lock("CREATE INDEX i ON public.t USING btree (a);"), (Some(SHARE), Work::IndexBuild));
        assert_eq!(lock("CREATE UNIQUE INDEX CONCURRENTLY i ON ONLY public.t USING btree (a);"), (Some(SHARE_UPDATE_EXCLUSIVE), Work::IndexBuild));
        assert_eq!(lock("CREATE TRIGGER tr BEFORE UPDATE ON public.t FOR EACH ROW EXECUTE FUNCTION f();"), (Some(SHARE_ROW_EXCLUSIVE), Work::Metadata));
        assert_eq!(lock("CREATE TABLE public.t (a integer);"), (None, Work::Metadata));
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
}
