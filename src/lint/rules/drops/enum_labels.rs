//! How an enum's labels changed when the type must be rebuilt
//! (`Change::RebuildEnum`), and the query that finds the rows a rebuild
//! would fail on. Shared by `drop-enum-value` (SS114), `reorder-enum-values`
//! (SS205) and `rename-enum-value` (SS206).
//!
//! PostgreSQL can add a label (`ALTER TYPE … ADD VALUE`) and rename one in
//! place (`ALTER TYPE … RENAME VALUE`, since 10), but cannot remove or
//! reorder labels: the planner then creates the type again and converts
//! every column through `text` (`USING col::text::type`). A row holding a
//! label the new type lacks makes that conversion fail ("invalid input
//! value for enum"), and the whole migration with it.

use crate::diff::Change;
use crate::lint::{Context, Preflight};
use crate::model::{QName, UserType, UserTypeKind, quote_ident, quote_literal};

/// What became of an enum's labels.
#[derive(Debug, Default, PartialEq)]
pub struct Labels {
    /// Old labels gone, not counting those replaced in place.
    pub removed: Vec<String>,
    /// New labels, not counting those that replace an old one in place.
    pub added: Vec<String>,
    /// `(old, new)`: an old label removed and a new one added at the same
    /// place (between the same kept labels): most likely a rename.
    pub replaced: Vec<(String, String)>,
    /// Whether the labels both sides keep are in another order.
    pub reordered: bool,
}

/// The labels of an enum type.
pub fn values(t: &UserType) -> Option<&[String]> {
    match &t.kind {
        UserTypeKind::Enum { values } => Some(values),
        _ => None,
    }
}

/// Compares an enum's labels before and after. Labels removed and added
/// between the same two kept neighbours, as many of each, pair up in order
/// as replacements; when the kept labels are reordered, nothing pairs up
/// (their places cannot be compared).
pub fn compare(from: &[String], to: &[String]) -> Labels {
    let kept_old: Vec<&String> = from.iter().filter(|l| to.contains(l)).collect();
    let kept_new: Vec<&String> = to.iter().filter(|l| from.contains(l)).collect();
    let reordered = kept_old != kept_new;
    // Each label not kept, with the number of kept labels before it: its gap.
    let gaps = |list: &[String], other: &[String]| -> Vec<(usize, String)> {
        let mut kept = 0;
        let mut out = Vec::new();
        for l in list {
            if other.contains(l) {
                kept += 1;
            } else {
                out.push((kept, l.clone()));
            }
        }
        out
    };
    let (gone, new) = (gaps(from, to), gaps(to, from));
    let mut labels = Labels { reordered, ..Labels::default() };
    for gap in 0..=kept_old.len() {
        let r: Vec<&String> = gone.iter().filter(|(g, _)| *g == gap).map(|(_, l)| l).collect();
        let a: Vec<&String> = new.iter().filter(|(g, _)| *g == gap).map(|(_, l)| l).collect();
        if !reordered && r.len() == a.len() {
            labels.replaced.extend(r.into_iter().cloned().zip(a.into_iter().cloned()));
        } else {
            labels.removed.extend(r.into_iter().cloned());
            labels.added.extend(a.into_iter().cloned());
        }
    }
    labels
}

/// The enum rebuilds of the migration: the change, its old and new labels.
pub fn rebuilds<'a>(ctx: &Context<'a>) -> impl Iterator<Item = (&'a Change, &'a UserType, Labels)> + 'a {
    ctx.changes().filter_map(|c| match c {
        Change::RebuildEnum { from, to } => Some((c, to, compare(values(from)?, values(to)?))),
        _ => None,
    })
}

/// A column of the old schema that holds values of an enum.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumColumn {
    /// The table's name before the migration (the preflight runs then).
    pub table: QName,
    /// Its name when the migration converts the column (after a rename).
    pub table_now: QName,
    pub column: String,
    /// Whether it holds arrays of the enum.
    pub array: bool,
}

/// The columns of the old schema that hold values of an enum, or arrays of
/// them; columns of a domain over the enum count too. Tables and columns
/// the migration drops are left out: their rows are not converted.
pub fn columns_using(ctx: &Context, name: &QName) -> Vec<EnumColumn> {
    let type_name = name.to_string();
    // The type itself, and the domains over it (with whether they are arrays of it).
    let mut kinds: Vec<(String, bool)> = vec![(type_name.clone(), false)];
    for t in ctx.old.types.values() {
        if let UserTypeKind::Domain { base, .. } = &t.kind
            && base.name == type_name
        {
            kinds.push((t.name.to_string(), base.array_dims > 0));
        }
    }
    let renamed_to = |t: &QName| {
        ctx.changes()
            .find_map(|c| match c {
                Change::RenameTable { from, to } if from == t => Some(to.clone()),
                _ => None,
            })
            .unwrap_or_else(|| t.clone())
    };
    let mut out = Vec::new();
    for (tname, table) in &ctx.old.tables {
        if super::table_dropped(ctx, tname) {
            continue;
        }
        let now = renamed_to(tname);
        for c in &table.columns {
            let Some((_, domain_array)) = kinds.iter().find(|(k, _)| *k == c.data_type.name) else { continue };
            if super::column_dropped(ctx, &now, &c.name) {
                continue;
            }
            let array = *domain_array || c.data_type.array_dims > 0;
            out.push(EnumColumn { table: tname.clone(), table_now: now.clone(), column: c.name.clone(), array });
        }
    }
    out
}

/// The query to run before the migration: it lists every row of `columns`
/// that holds one of `labels`, and must return none for the rebuild to
/// succeed. `None` when no column holds the type.
pub fn preflight(columns: &[EnumColumn], labels: &[String]) -> Option<Preflight> {
    if columns.is_empty() || labels.is_empty() {
        return None;
    }
    let list = labels.iter().map(|l| quote_literal(l)).collect::<Vec<_>>().join(", ");
    let selects: Vec<String> = columns
        .iter()
        .map(|EnumColumn { table, column, array, .. }| {
            let col = quote_ident(column);
            let test = if *array { format!("{col}::text[] && ARRAY[{list}]") } else { format!("{col}::text IN ({list})") };
            format!(
                "SELECT {} AS table_name, {} AS column_name, {col}::text AS value FROM {table} WHERE {test}",
                quote_literal(&table.to_string()),
                quote_literal(column)
            )
        })
        .collect();
    Some(Preflight::no_rows(format!("{};", selects.join("\nUNION ALL\n"))))
}

/// `public.t.x, public.u.y (rewritten under an ACCESS EXCLUSIVE lock)`:
/// the columns converted, and what the planned steps do to their tables.
pub fn converted(ctx: &Context, columns: &[EnumColumn]) -> String {
    let names: Vec<String> = columns.iter().map(|c| format!("{}.{}", c.table_now, quote_ident(&c.column))).collect();
    let mut tables: Vec<&QName> = columns.iter().map(|c| &c.table_now).collect();
    tables.dedup();
    let rewrites: Vec<String> = tables
        .iter()
        .filter_map(|t| ctx.heaviest_on(t).filter(|s| s.facts.work == crate::plan::facts::Work::Rewrite).map(|s| (t, s)))
        .map(|(t, s)| format!("{t} under {}", s.facts.lock.as_ref().map_or("a", |l| l.level)))
        .collect();
    let rewritten = if rewrites.is_empty() { String::new() } else { format!(" (rewriting {})", rewrites.join(", ")) };
    format!("{}{rewritten}", names.join(", "))
}

/// `'a', 'b'`, for messages.
pub fn quoted(labels: &[String]) -> String {
    labels.iter().map(|l| quote_literal(l)).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(labels: &[&str]) -> Vec<String> {
        labels.iter().map(|s| s.to_string()).collect()
    }
    fn cmp(from: &[&str], to: &[&str]) -> Labels {
        compare(&v(from), &v(to))
    }

    #[test]
    fn a_label_gone_from_between_kept_ones_is_removed() {
        let l = cmp(&["a", "b", "c"], &["a", "c"]);
        assert_eq!((l.removed, l.added, l.replaced.len(), l.reordered), (v(&["b"]), v(&[]), 0, false));
    }

    #[test]
    fn a_label_swapped_for_another_at_its_place_is_a_replacement() {
        let l = cmp(&["a", "b", "c"], &["a", "x", "c", "d"]);
        assert_eq!(l.replaced, vec![("b".to_string(), "x".to_string())]);
        assert_eq!((l.removed, l.added, l.reordered), (v(&[]), v(&["d"]), false));
        // At the ends too, and two in a row pair up in order.
        let l = cmp(&["a", "b", "c"], &["a", "y", "z"]);
        assert_eq!(l.replaced, vec![("b".into(), "y".into()), ("c".into(), "z".into())]);
    }

    #[test]
    fn uneven_gaps_and_reorders_pair_nothing() {
        let l = cmp(&["a", "b", "c"], &["a", "x", "y", "c"]);
        assert_eq!((l.removed, l.added, l.replaced.len()), (v(&["b"]), v(&["x", "y"]), 0));
        let l = cmp(&["a", "b", "c"], &["c", "x", "a"]);
        assert!(l.reordered);
        assert_eq!((l.removed, l.added, l.replaced.len()), (v(&["b"]), v(&["x"]), 0));
        assert!(!cmp(&["a", "b"], &["a", "b", "c"]).reordered);
    }

    #[test]
    fn the_preflight_lists_rows_holding_the_labels_in_every_column() {
        let col = |schema: &str, table: &str, column: &str, array: bool| EnumColumn {
            table: QName::new(schema, table),
            table_now: QName::new(schema, table),
            column: column.to_string(),
            array,
        };
        let cols = vec![col("public", "t", "x", false), col("s", "u", "Tags", true)];
        let p = preflight(&cols, &v(&["b", "it's"])).unwrap();
        assert_eq!(p.expect, "no rows");
        assert_eq!(
            p.sql,
            "SELECT 'public.t' AS table_name, 'x' AS column_name, x::text AS value FROM public.t WHERE x::text IN ('b', 'it''s')\n\
             UNION ALL\n\
             SELECT 's.u' AS table_name, 'Tags' AS column_name, \"Tags\"::text AS value FROM s.u WHERE \"Tags\"::text[] && ARRAY['b', 'it''s'];"
        );
        assert!(preflight(&[], &v(&["b"])).is_none());
    }
}
