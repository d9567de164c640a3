//! SS111 drop-index.

use super::{columns_in, dropped_columns, parent_drops, uniqueness_kept_by};
use crate::diff::Change;
use crate::lint::{Class, Context, Example, Hit, Rule};
use crate::model::{Index, QName};
use crate::plan::Step;

pub static RULE: Rule = Rule {
    code: "SS111",
    name: "drop-index",
    class: Class::NonBreaking,
    opt_in: false,
    summary: "An index is dropped (potentially breaking when it is UNIQUE).",
    why: "Queries that used the index fall back to another index or to reading the whole table, and can become slow \
          enough to time out. A UNIQUE index is also a guarantee: once it is gone duplicates can be written, which is \
          potentially breaking (the message says so; this rule's class stays that of a plain index, configure it \
          `potentially_breaking` to fail on it). Not reported: an index that goes with its table or with one of its \
          columns, one built again under the same name (unless it stops being unique), and a partition's copy of an \
          index its parent drops (reported once, on the parent).",
    locks: "PostgreSQL: `DROP INDEX` takes an ACCESS EXCLUSIVE lock on the index's table, which waits for every open \
            transaction that touched the table and blocks its readers and writers meanwhile; the drop itself is fast. \
            `DROP INDEX CONCURRENTLY` (PostgreSQL 9.2+) waits for those transactions without blocking new ones, takes \
            only SHARE UPDATE EXCLUSIVE, and must run outside a transaction block.",
    instead: "Check that no query needs it (`pg_stat_user_indexes.idx_scan` staying at 0 over a representative period), \
              then drop it with `DROP INDEX CONCURRENTLY`, in a migration of its own outside a transaction. For a UNIQUE \
              index, make sure nothing relies on the uniqueness, or keep it with a constraint.",
    fires: &[
        Example::new(
            "CREATE TABLE t (id bigint, email text);\nCREATE INDEX t_email ON t (email);",
            "CREATE TABLE t (id bigint, email text);",
        ),
        Example::new(
            "CREATE TABLE t (id bigint, email text);\nCREATE UNIQUE INDEX t_email ON t (email);",
            "CREATE TABLE t (id bigint, email text);",
        ),
    ],
    passes: &[
        // Its table goes, and it with it.
        Example::new("CREATE TABLE t (id bigint, email text);\nCREATE INDEX t_email ON t (email);", ""),
        // Its column goes: drop-column's finding.
        Example::new("CREATE TABLE t (id bigint, email text);\nCREATE INDEX t_email ON t (email);", "CREATE TABLE t (id bigint);"),
        // Built again under its name, still unique.
        Example::new(
            "CREATE TABLE t (id bigint, email text);\nCREATE UNIQUE INDEX t_email ON t (email);",
            "CREATE TABLE t (id bigint, email text);\nCREATE UNIQUE INDEX t_email ON t (lower(email));",
        ),
    ],
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut hits = Vec::new();
    for change in ctx.changes() {
        let Change::DropIndex { table, index } = change else { continue };
        if !dropped_columns(ctx, table, &columns_of(ctx, table, index)).is_empty() {
            continue;
        }
        let same = |p: &Index| p.unique == index.unique && p.keys == index.keys && p.predicate == index.predicate && p.method == index.method;
        if parent_drops(ctx, table, |c| matches!(c, Change::DropIndex { index: p, .. } if same(p))) {
            continue;
        }
        let now = ctx
            .new_table(table)
            .map(|t| &t.indexes)
            .or_else(|| ctx.new.views.get(table).map(|v| &v.indexes))
            .and_then(|indexes| indexes.get(&index.name));
        let plain: Option<Vec<String>> = index.keys.iter().map(|k| (!k.expression).then(|| k.expr.clone())).collect();
        let keys: Vec<&str> = index.keys.iter().map(|k| k.expr.as_str()).collect();
        let keys = keys.join(", ");
        // Unique before, and the same uniqueness kept after (by the rebuilt index or another).
        let uniqueness = index.unique.then(|| match (&plain, now) {
            (_, Some(n)) if n.unique => Some(format!("index {} built again", n.name)),
            (Some(cols), _) if index.predicate.is_none() => uniqueness_kept_by(ctx.new_table(table), cols),
            _ => None,
        });
        if now.is_some() && uniqueness.as_ref().is_none_or(|kept| kept.is_some()) {
            continue; // built again under its name, nothing lost
        }
        let name = QName::new(table.schema.clone(), index.name.clone());
        let mut message = if now.is_some() {
            format!("unique index {name} on {table} ({keys}) is built again without UNIQUE")
        } else {
            let unique = if index.unique { "unique " } else { "" };
            format!("{unique}index {name} on {table} ({keys}) is dropped: queries that used it fall back to other indexes or full scans")
        };
        match &uniqueness {
            Some(Some(by)) => message.push_str(&format!("; ({keys}) stays unique through {by}")),
            Some(None) => message.push_str(&format!(
                "; potentially breaking: nothing keeps ({keys}) unique any more, and duplicates can be written"
            )),
            None => {}
        }
        let mut hit = Hit::new(name.to_string(), String::new(), ctx.at(change));
        if let Some(step) = drop_step(ctx, table, &index.name)
            && let (Some(lock), Some(online)) = (&step.facts.lock, &step.facts.online)
        {
            message.push_str(&format!("; it takes an {} lock on {}", lock.level, lock.on));
            hit = hit.help(format!(
                "Run `{}` instead, in a migration of its own outside a transaction block: it takes only {}.",
                online.sql, online.lock
            ));
        }
        hit.message = message;
        hits.push(hit);
    }
    hits
}

/// The up step that drops the index `name` on `table`, with its facts.
fn drop_step<'a>(ctx: &Context<'a>, table: &QName, name: &str) -> Option<&'a Step> {
    let summary = format!("drop index {name}");
    ctx.step_for(|s| {
        (s.summary == summary || s.summary.starts_with(&format!("{summary} (")))
            && s.facts.lock.as_ref().is_none_or(|l| &l.on == table)
    })
}

/// The columns an index uses: its keys, included columns and predicate.
fn columns_of(ctx: &Context, table: &QName, index: &Index) -> Vec<String> {
    let mut cols: Vec<String> = Vec::new();
    for k in &index.keys {
        if k.expression {
            cols.extend(columns_in(ctx, table, &k.expr));
        } else {
            cols.push(k.expr.clone());
        }
    }
    cols.extend(index.include.iter().cloned());
    if let Some(p) = &index.predicate {
        cols.extend(columns_in(ctx, table, &p.0));
    }
    cols
}

#[cfg(test)]
mod tests {
    use super::super::testing::findings;

    #[test]
    fn a_unique_index_dropped_is_called_potentially_breaking() {
        let f = findings(
            "drop-index",
            "CREATE TABLE t (id bigint, email text);\nCREATE UNIQUE INDEX t_email ON t (email);",
            "CREATE TABLE t (id bigint, email text);",
        );
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message,
            "unique index public.t_email on public.t (email) is dropped: queries that used it fall back to other indexes or \
             full scans; potentially breaking: nothing keeps (email) unique any more, and duplicates can be written; it \
             takes an ACCESS EXCLUSIVE lock on public.t"
        );
        assert!(f[0].help.contains("DROP INDEX CONCURRENTLY public.t_email;"), "{}", f[0].help);
    }

    #[test]
    fn uniqueness_kept_elsewhere_or_lost_in_a_rebuild_is_said() {
        let f = findings(
            "drop-index",
            "CREATE TABLE t (id bigint, email text);\nCREATE UNIQUE INDEX t_email ON t (email);",
            "CREATE TABLE t (id bigint, email text UNIQUE);",
        );
        assert!(f[0].message.contains("(email) stays unique through unique constraint t_email_key"), "{}", f[0].message);
        let f = findings(
            "drop-index",
            "CREATE TABLE t (id bigint, email text);\nCREATE UNIQUE INDEX t_email ON t (email);",
            "CREATE TABLE t (id bigint, email text);\nCREATE INDEX t_email ON t (email);",
        );
        assert!(f[0].message.starts_with("unique index public.t_email on public.t (email) is built again without UNIQUE; potentially breaking"), "{}", f[0].message);
    }
}
