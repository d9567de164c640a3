//! SS702 rollback-fails-on-new-data.

use super::{casts, columns_of_type, down_checks_rows, idents};
use crate::diff::Change;
use crate::lint::{Class, Context, Example, Hit, Rule};
use crate::model::{Constraint, ConstraintKind, FkMatch, Index, QName, quote_ident, quote_literal};

pub static RULE: Rule = Rule {
    code: "SS702",
    name: "rollback-fails-on-new-data",
    class: Class::PotentiallyBreaking,
    opt_in: false,
    summary: "The down migration fails once the new application has written data the old schema rejects.",
    why: "The up migration relaxes a rule the old schema enforced: a type is widened (varchar(50) to varchar(200), integer \
          to bigint), NOT NULL is dropped, a CHECK, UNIQUE, primary or foreign key is dropped, an enum gains labels. The new \
          application soon writes what only the new schema accepts. The down migration then tightens the rule again and \
          checks every row: the type change back, SET NOT NULL, ADD CONSTRAINT or the enum's rebuild fails on those rows, \
          and the rollback stops part-way (or, run in one transaction, undoes nothing) when it is needed most.",
    locks: "The down's statements check every row under an ACCESS EXCLUSIVE lock (a type change rewrites the table, SET NOT \
            NULL and ADD CONSTRAINT scan it, a UNIQUE key builds its index; a FOREIGN KEY takes SHARE ROW EXCLUSIVE on both \
            tables), so the failure comes after a long lock, at the end of the scan.",
    instead: "Before rolling back, find and fix the rows the old schema rejects (each finding gives the query), or write the \
              down so it does not tighten the rule: keep the wider type, add the constraint `NOT VALID` (and validate it \
              later with `ALTER TABLE … VALIDATE CONSTRAINT`), leave the column nullable. When a rollback must stay \
              possible for a while, relax the rule in one release and let the new application use it in the next.",
    fires: &[
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, name varchar(50));", "CREATE TABLE t (id bigint PRIMARY KEY, name varchar(200));"),
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, name text NOT NULL);", "CREATE TABLE t (id bigint PRIMARY KEY, name text);"),
        Example::new(
            "CREATE TABLE t (id bigint PRIMARY KEY, qty int CONSTRAINT qty_positive CHECK (qty > 0));",
            "CREATE TABLE t (id bigint PRIMARY KEY, qty int);",
        ),
        Example::new(
            "CREATE TYPE mood AS ENUM ('happy', 'sad');\nCREATE TABLE t (id bigint PRIMARY KEY, m mood);",
            "CREATE TYPE mood AS ENUM ('happy', 'sad', 'meh');\nCREATE TABLE t (id bigint PRIMARY KEY, m mood);",
        ),
    ],
    passes: &[
        // Narrowing in the up: the down widens, which always succeeds.
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, name varchar(200));", "CREATE TABLE t (id bigint PRIMARY KEY, name varchar(50));"),
        // The down adds the CHECK back NOT VALID, as it was: no row is checked.
        Example::new(
            "CREATE TABLE t (id bigint PRIMARY KEY, qty int);\nALTER TABLE t ADD CONSTRAINT qty_positive CHECK (qty > 0) NOT VALID;",
            "CREATE TABLE t (id bigint PRIMARY KEY, qty int);",
        ),
        // Only a table the migration creates uses the new label: the down drops it first.
        Example::new(
            "CREATE TYPE mood AS ENUM ('happy', 'sad');",
            "CREATE TYPE mood AS ENUM ('happy', 'sad', 'meh');\nCREATE TABLE t (id bigint PRIMARY KEY, m mood);",
        ),
    ],
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut hits = Vec::new();
    for change in ctx.changes() {
        match change {
            Change::AlterColumn { table, from, to } if ctx.existed(table) && to.generated.is_none() && down_checks_rows(ctx, table) => {
                let column = quote_ident(&to.name);
                let object = format!("{table}.{column}");
                if let Some(f) = casts::failure(&to.data_type, &from.data_type, &column) {
                    hits.push(
                        Hit::new(
                            &object,
                            format!(
                                "column {object} changes from {} to {}: once the new application writes {}, the down's conversion back to {} fails",
                                from.data_type, to.data_type, f.values, from.data_type
                            ),
                            ctx.at(change),
                        )
                        .help(before_rollback(table, &f.rows, "change or delete them, or make the down keep the new type")),
                    );
                }
                if !from.nullable && to.nullable && to.identity.is_none() {
                    hits.push(
                        Hit::new(
                            &object,
                            format!("column {object} may now be NULL: once the new application writes NULLs, the down's SET NOT NULL fails"),
                            ctx.at(change),
                        )
                        .help(before_rollback(table, &format!("{column} IS NULL"), "give them a value, or make the down leave the column nullable")),
                    );
                }
            }
            Change::DropConstraint { table, constraint } if ctx.existed(table) && down_checks_rows(ctx, table) => {
                if let Some(hit) = dropped_constraint(ctx, change, table, constraint) {
                    hits.push(hit);
                }
            }
            Change::DropIndex { table, index } if index.unique && ctx.existed(table) && down_checks_rows(ctx, table) => {
                if let Some(hit) = dropped_unique_index(ctx, change, table, index) {
                    hits.push(hit);
                }
            }
            Change::AddEnumValues { name, from, to } => {
                let added: Vec<String> = to.iter().filter(|v| !from.contains(v)).map(|v| quote_literal(v)).collect();
                let labels = added.join(", ");
                for (t, c) in columns_of_type(ctx.new, name) {
                    if !ctx.existed(&t.name) || !down_checks_rows(ctx, &t.name) {
                        continue;
                    }
                    let column = quote_ident(&c.name);
                    let rows = if c.data_type.array_dims > 0 { format!("{column}::text[] && ARRAY[{labels}]") } else { format!("{column}::text IN ({labels})") };
                    hits.push(
                        Hit::new(
                            format!("{}.{column}", t.name),
                            format!(
                                "enum {name} gains {labels}: once rows of {}.{column} hold them, the down, which rebuilds the enum without them, fails converting that column",
                                t.name
                            ),
                            ctx.at(change),
                        )
                        .help(before_rollback(&t.name, &rows, "change them to labels the old enum has, or make the down keep the labels")),
                    );
                }
            }
            _ => {}
        }
    }
    hits
}

/// The help: the query that finds the rows the down would fail on.
fn before_rollback(table: &QName, rows: &str, then: &str) -> String {
    format!("before rolling back, find the rows: `SELECT * FROM {table} WHERE {rows};` and {then}")
}

/// Whether the up drops one of `columns` of `table`: the down then adds the
/// column back empty, and what it holds is `rollback-loses-data`'s finding.
fn drops_any(ctx: &Context, table: &QName, columns: &[String]) -> bool {
    ctx.changes().any(|c| matches!(c, Change::DropColumn { table: t, column } if t == table && columns.contains(&column.name)))
}

fn key_columns(kind: &ConstraintKind) -> Option<&Vec<String>> {
    match kind {
        ConstraintKind::PrimaryKey { columns, .. } | ConstraintKind::Unique { columns, .. } | ConstraintKind::ForeignKey { columns, .. } => Some(columns),
        _ => None,
    }
}

/// Whether the new schema keeps a rule at least as strict on `table`, so
/// no row the new application writes can break the old one (a constraint
/// added NOT VALID still checks every row written after it).
fn still_enforced(ctx: &Context, table: &QName, old: &Constraint) -> bool {
    let Some(t) = ctx.new_table(table) else { return false };
    t.constraints.values().any(|c| match (&old.kind, &c.kind) {
        // Unique over fewer columns is stricter.
        (ConstraintKind::Unique { columns: a, nulls_not_distinct: false, .. }, ConstraintKind::Unique { columns: b, .. } | ConstraintKind::PrimaryKey { columns: b, .. }) => {
            b.iter().all(|x| a.contains(x))
        }
        (ConstraintKind::PrimaryKey { columns: a, .. }, ConstraintKind::PrimaryKey { columns: b, .. }) => b.iter().all(|x| a.contains(x)),
        (
            ConstraintKind::ForeignKey { columns: a, references: r, ref_columns: ra, match_type: ma, .. },
            ConstraintKind::ForeignKey { columns: b, references: s, ref_columns: rb, match_type: mb, .. },
        ) => a == b && r == s && ra == rb && (ma == mb || *mb == FkMatch::Full),
        (ConstraintKind::Check { expr: a, .. }, ConstraintKind::Check { expr: b, .. }) => a == b,
        _ => false,
    })
}

fn dropped_constraint(ctx: &Context, change: &Change, table: &QName, c: &Constraint) -> Option<Hit> {
    let not_valid_kind = matches!(c.kind, ConstraintKind::Check { .. } | ConstraintKind::ForeignKey { .. });
    if not_valid_kind && c.not_valid || still_enforced(ctx, table, c) {
        return None;
    }
    if let Some(columns) = key_columns(&c.kind)
        && drops_any(ctx, table, columns)
    {
        return None;
    }
    let name = quote_ident(&c.name);
    let (what, written, rows) = match &c.kind {
        ConstraintKind::Check { expr, .. } => {
            // A CHECK on a column the up drops: the down adds the column back
            // empty first (that is `rollback-loses-data`'s finding).
            let dropped: Vec<String> = ctx
                .changes()
                .filter_map(|x| match x {
                    Change::DropColumn { table: t, column } if t == table => Some(column.name.clone()),
                    _ => None,
                })
                .collect();
            if !crate::dialect::check_columns(ctx.new.dialect, &expr.0, &dropped).is_empty() {
                return None;
            }
            let expr = parenthesized(&expr.0);
            (format!("CHECK {name} {expr}"), "rows it rejected".to_string(), format!("NOT {expr}"))
        }
        ConstraintKind::PrimaryKey { columns, .. } | ConstraintKind::Unique { columns, .. } => {
            let kind = if matches!(c.kind, ConstraintKind::PrimaryKey { .. }) { "PRIMARY KEY" } else { "UNIQUE" };
            let list = idents(columns);
            let nulls = if kind == "PRIMARY KEY" { format!(" OR {}", columns.iter().map(|x| format!("{} IS NULL", quote_ident(x))).collect::<Vec<_>>().join(" OR ")) } else { String::new() };
            (
                format!("{kind} {name} ({list})"),
                if nulls.is_empty() { "duplicates".to_string() } else { "duplicates or NULLs".to_string() },
                format!("({list}) IN (SELECT {list} FROM {table} GROUP BY {list} HAVING count(*) > 1){nulls}"),
            )
        }
        ConstraintKind::ForeignKey { columns, references, ref_columns, .. } => {
            let list = idents(columns);
            let join: Vec<String> = columns.iter().zip(ref_columns).map(|(a, b)| format!("r.{} = {table}.{}", quote_ident(b), quote_ident(a))).collect();
            let present: Vec<String> = columns.iter().map(|x| format!("{} IS NOT NULL", quote_ident(x))).collect();
            (
                format!("FOREIGN KEY {name} ({list}) to {references}"),
                format!("rows that match no row of {references}"),
                format!("{} AND NOT EXISTS (SELECT 1 FROM {references} AS r WHERE {})", present.join(" AND "), join.join(" AND ")),
            )
        }
        ConstraintKind::Exclude { .. } => (format!("exclusion constraint {name}"), "rows that conflict".to_string(), String::new()),
    };
    let help = match &c.kind {
        ConstraintKind::Exclude { .. } => {
            "before rolling back, find and fix the rows that conflict under the constraint, or make the down add it back only once they are fixed".to_string()
        }
        // Only CHECK and FOREIGN KEY constraints can be added NOT VALID.
        ConstraintKind::Check { .. } | ConstraintKind::ForeignKey { .. } => {
            before_rollback(table, &rows, "fix or delete them, or make the down add the constraint back `NOT VALID`")
        }
        _ => before_rollback(table, &rows, "fix or delete the duplicates first"),
    };
    // A constraint of the same name in the new schema replaces it: it may
    // be the stricter one, which nothing here can tell.
    let gone = if ctx.new_table(table).is_some_and(|t| t.constraints.contains_key(&c.name)) {
        format!("is replaced on {table} (unless the new definition is at least as strict)")
    } else {
        format!("is dropped from {table}")
    };
    Some(
        Hit::new(
            format!("{table}.{name}"),
            format!("{what} {gone}: once the new application writes {written}, the down cannot add it back"),
            ctx.at(change),
        )
        .help(help),
    )
}

fn dropped_unique_index(ctx: &Context, change: &Change, table: &QName, index: &Index) -> Option<Hit> {
    if index.keys.iter().any(|k| k.expression) {
        return None;
    }
    let columns: Vec<String> = index.keys.iter().map(|k| k.expr.clone()).collect();
    if drops_any(ctx, table, &columns) {
        return None;
    }
    // A unique index or key of the new schema over some of these columns keeps them unique.
    let new = ctx.new_table(table)?;
    let kept = new.indexes.values().any(|i| i.unique && i.predicate.is_none() && !i.keys.iter().any(|k| k.expression) && i.keys.iter().all(|k| columns.contains(&k.expr)))
        || new.constraints.values().any(|c| {
            matches!(&c.kind, ConstraintKind::PrimaryKey { columns: b, .. } | ConstraintKind::Unique { columns: b, .. } if b.iter().all(|x| columns.contains(x)))
        });
    if kept {
        return None;
    }
    let list = idents(&columns);
    let only = index.predicate.as_ref().map(|p| format!(" WHERE {p}")).unwrap_or_default();
    let rows = format!("({list}) IN (SELECT {list} FROM {table}{only} GROUP BY {list} HAVING count(*) > 1)");
    Some(
        Hit::new(
            format!("{}.{}", table.schema, quote_ident(&index.name)),
            format!(
                "unique index {} on {table} ({list}) is dropped: once the new application writes duplicates, the down cannot build it again",
                quote_ident(&index.name)
            ),
            ctx.at(change),
        )
        .help(before_rollback(table, &rows, "fix or delete the duplicates, or make the down build the index only once they are gone")),
    )
}

/// `expr` in parentheses, unless one pair already wraps it whole (the
/// canonical form of a CHECK does).
fn parenthesized(expr: &str) -> String {
    let wrapped = expr.starts_with('(') && {
        let (mut depth, mut quoted) = (0, false);
        let mut closes_at_end = false;
        for (i, c) in expr.char_indices() {
            match c {
                '\'' => quoted = !quoted,
                '(' if !quoted => depth += 1,
                ')' if !quoted => {
                    depth -= 1;
                    if depth == 0 {
                        closes_at_end = i == expr.len() - 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        closes_at_end
    };
    if wrapped { expr.to_string() } else { format!("({expr})") }
}

#[cfg(test)]
mod tests {
    use super::parenthesized;

    #[test]
    fn parentheses_wrap_a_whole_expression_once() {
        assert_eq!(parenthesized("(q > 0)"), "(q > 0)");
        assert_eq!(parenthesized("q > 0"), "(q > 0)");
        assert_eq!(parenthesized("(a > 0) AND (b > 0)"), "((a > 0) AND (b > 0))");
        assert_eq!(parenthesized("(s <> ')')"), "(s <> ')')");
    }
}
