//! SS110 drop-constraint.

use super::{columns_in, dropped_columns, parent_drops, uniqueness_kept_by};
use crate::diff::Change;
use crate::lint::{Class, Context, Example, Hit, Rule};
use crate::model::{Constraint, ConstraintKind, QName};

pub static RULE: Rule = Rule {
    code: "SS110",
    name: "drop-constraint",
    class: Class::PotentiallyBreaking,
    opt_in: false,
    summary: "A PRIMARY KEY, UNIQUE, CHECK or EXCLUDE constraint is dropped.",
    why: "The guarantee the constraint gave is gone: duplicates, out-of-range values or overlapping rows can be written \
          from then on, and code that relied on them not existing (an `ON CONFLICT` target, a lookup expecting one row, \
          a report) misbehaves once they appear. Dropping a primary key also leaves the table without a row identity: \
          ORMs that need one, and logical replication of `UPDATE` and `DELETE` (with the default replica identity), stop \
          working for it. Not reported: a constraint whose guarantee another one still gives (a UNIQUE constraint replaced \
          by a unique index on the same columns), a CHECK or EXCLUDE redefined under the same name (the new definition \
          is judged on its own), a constraint that goes because one of its columns is dropped (`drop-column`), and a \
          partition's copy of a constraint its parent drops (reported once, on the parent). \
          Foreign keys are `drop-foreign-key`'s.",
    locks: "PostgreSQL: `ALTER TABLE … DROP CONSTRAINT` takes an ACCESS EXCLUSIVE lock on the table, briefly (the index \
            of a PRIMARY KEY, UNIQUE or EXCLUDE constraint is dropped with it); no rows are read.",
    instead: "Make sure nothing relies on the guarantee any more, or give it another way before dropping the constraint: \
              build the replacement first (`CREATE UNIQUE INDEX CONCURRENTLY orders_number_key2 ON orders (number);`), then \
              drop the old constraint. For a primary key moving to other columns, add the new key before dropping the old.",
    fires: &[
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, email text UNIQUE);", "CREATE TABLE t (id bigint PRIMARY KEY, email text);"),
        Example::new(
            "CREATE TABLE t (id bigint, amount int CONSTRAINT amount_positive CHECK (amount > 0));",
            "CREATE TABLE t (id bigint, amount int);",
        ),
    ],
    passes: &[
        // The same uniqueness, now given by a unique index.
        Example::new(
            "CREATE TABLE t (id bigint PRIMARY KEY, email text UNIQUE);",
            "CREATE TABLE t (id bigint PRIMARY KEY, email text);\nCREATE UNIQUE INDEX t_email ON t (email);",
        ),
        // The column goes, and its constraint with it: drop-column's finding.
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, email text UNIQUE);", "CREATE TABLE t (id bigint PRIMARY KEY);"),
        // A CHECK redefined under its name.
        Example::new(
            "CREATE TABLE t (amount int CONSTRAINT amount_positive CHECK (amount > 0));",
            "CREATE TABLE t (amount int CONSTRAINT amount_positive CHECK (amount > 0 AND amount < 1000000));",
        ),
    ],
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut hits = Vec::new();
    for change in ctx.changes() {
        let Change::DropConstraint { table, constraint } = change else { continue };
        if matches!(constraint.kind, ConstraintKind::ForeignKey { .. }) || !constraint.local {
            continue;
        }
        if !dropped_columns(ctx, table, &columns_of(ctx, table, constraint)).is_empty() {
            continue;
        }
        if parent_drops(ctx, table, |c| matches!(c, Change::DropConstraint { constraint: p, .. } if p.kind == constraint.kind)) {
            continue;
        }
        if let Some(message) = message(ctx, table, constraint) {
            hits.push(Hit::new(format!("{table}.{}", constraint.name), message, ctx.at(change)));
        }
    }
    hits
}

/// The columns a constraint uses: dropping any of them drops it.
fn columns_of(ctx: &Context, table: &QName, c: &Constraint) -> Vec<String> {
    match &c.kind {
        ConstraintKind::PrimaryKey { columns, include } | ConstraintKind::Unique { columns, include, .. } => {
            columns.iter().chain(include).cloned().collect()
        }
        ConstraintKind::ForeignKey { columns, .. } => columns.clone(),
        ConstraintKind::Check { expr, .. } => columns_in(ctx, table, &expr.0),
        ConstraintKind::Exclude { elements, include, predicate, .. } => {
            let mut cols: Vec<String> = elements.iter().flat_map(|(e, _)| columns_in(ctx, table, e)).collect();
            cols.extend(include.iter().cloned());
            if let Some(p) = predicate {
                cols.extend(columns_in(ctx, table, &p.0));
            }
            cols
        }
    }
}

/// The finding's message, or `None` when the guarantee survives.
fn message(ctx: &Context, table: &QName, c: &Constraint) -> Option<String> {
    let new_table = ctx.new_table(table);
    let readded = new_table.and_then(|t| t.constraints.get(&c.name));
    let same_kind = |other: &Constraint| std::mem::discriminant(&other.kind) == std::mem::discriminant(&c.kind);
    let name = &c.name;
    match &c.kind {
        ConstraintKind::PrimaryKey { columns, .. } => {
            let cols = columns.join(", ");
            let kept = uniqueness_kept_by(new_table, columns);
            let new_pk = new_table.and_then(|t| t.primary_key());
            if kept.is_some() && new_pk.is_some() {
                return None;
            }
            let unique = match &kept {
                Some(by) => format!("({cols}) stays unique through {by}"),
                None => format!("nothing keeps ({cols}) unique any more"),
            };
            let identity = match new_pk {
                Some(pk) => format!("the new primary key {} does not make ({cols}) unique", pk.name),
                None => "the table has no primary key any more (ORMs and logical replication of UPDATE and DELETE need one)".to_string(),
            };
            Some(format!("primary key {name} ({cols}) of {table} is dropped: {unique}, and {identity}"))
        }
        ConstraintKind::Unique { columns, .. } => {
            if uniqueness_kept_by(new_table, columns).is_some() {
                return None;
            }
            let cols = columns.join(", ");
            Some(format!("unique constraint {name} ({cols}) of {table} is dropped: duplicate values of ({cols}) can be written"))
        }
        ConstraintKind::Check { expr, .. } => {
            if readded.is_some_and(same_kind) {
                return None;
            }
            Some(format!("check constraint {name} of {table} is dropped: rows for which {expr} is false can be written"))
        }
        ConstraintKind::Exclude { method, elements, .. } => {
            if readded.is_some_and(same_kind) {
                return None;
            }
            let elements: Vec<String> = elements.iter().map(|(e, op)| format!("{e} WITH {op}")).collect();
            Some(format!(
                "exclusion constraint {name} of {table} is dropped: rows that conflict under EXCLUDE USING {method} ({}) can be written",
                elements.join(", ")
            ))
        }
        ConstraintKind::ForeignKey { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::findings;

    #[test]
    fn a_primary_key_dropped_says_what_is_lost() {
        let f = findings("drop-constraint", "CREATE TABLE t (id bigint PRIMARY KEY, n int);", "CREATE TABLE t (id bigint, n int);");
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message,
            "primary key t_pkey (id) of public.t is dropped: nothing keeps (id) unique any more, and the table has no \
             primary key any more (ORMs and logical replication of UPDATE and DELETE need one)"
        );
        // Replaced by a unique constraint: unique still, but no primary key.
        let f = findings("drop-constraint", "CREATE TABLE t (id bigint PRIMARY KEY);", "CREATE TABLE t (id bigint NOT NULL UNIQUE);");
        assert!(f[0].message.contains("(id) stays unique through unique constraint t_id_key"), "{}", f[0].message);
        // Moved to more columns: id alone is no longer unique.
        let f = findings("drop-constraint", "CREATE TABLE t (id bigint PRIMARY KEY, k int NOT NULL);", "CREATE TABLE t (id bigint, k int NOT NULL, PRIMARY KEY (id, k));");
        assert!(f[0].message.contains("the new primary key t_pkey does not make (id) unique"), "{}", f[0].message);
        // Moved to fewer columns: stronger, nothing lost.
        assert!(findings("drop-constraint", "CREATE TABLE t (id bigint, k int, PRIMARY KEY (id, k));", "CREATE TABLE t (id bigint PRIMARY KEY, k int NOT NULL);").is_empty());
    }

    #[test]
    fn foreign_keys_and_inherited_checks_are_not_this_rules() {
        let old = "CREATE TABLE p (id bigint PRIMARY KEY);\nCREATE TABLE c (p_id bigint REFERENCES p);";
        assert!(findings("drop-constraint", old, "CREATE TABLE p (id bigint PRIMARY KEY);\nCREATE TABLE c (p_id bigint);").is_empty());
        let old = "CREATE TABLE p (a int CONSTRAINT a_pos CHECK (a > 0));\nCREATE TABLE c () INHERITS (p);";
        let f = findings("drop-constraint", old, "CREATE TABLE p (a int);\nCREATE TABLE c () INHERITS (p);");
        assert_eq!(f.iter().map(|f| f.object.as_str()).collect::<Vec<_>>(), ["public.p.a_pos"]);
    }

    #[test]
    fn a_partitioned_tables_constraints_are_reported_once_on_the_parent() {
        let old = "CREATE TABLE p (id int, k int, CONSTRAINT u UNIQUE (id, k), CONSTRAINT c CHECK (id > 0)) PARTITION BY RANGE (k);\n\
                   CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10);\nCREATE INDEX pi ON p (id);";
        let new = "CREATE TABLE p (id int, k int) PARTITION BY RANGE (k);\nCREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10);";
        let objects = |rule: &str| findings(rule, old, new).into_iter().map(|f| f.object).collect::<Vec<_>>();
        assert_eq!(objects("drop-constraint"), ["public.p.c", "public.p.u"]);
        assert_eq!(objects("drop-index"), ["public.pi"]);
    }
}
