//! SS5xx: index builds and drops, and table operations that hold a heavy
//! lock for as long as the table is large.

mod attach_partition;
mod create_index_non_concurrently;
mod detach_partition;
mod drop_index_non_concurrently;
mod set_logged;
mod set_unlogged;

use crate::lint::{Context, Rule};
use crate::model::QName;
use crate::plan::Step;

pub static RULES: &[&Rule] = &[
    &create_index_non_concurrently::RULE,
    &drop_index_non_concurrently::RULE,
    &set_unlogged::RULE,
    &set_logged::RULE,
    &attach_partition::RULE,
    &detach_partition::RULE,
];

/// The up step the planner wrote for one change (by its summary, see
/// [`super::constraints::planned`]), when it locks `table`: index names are
/// unique per namespace only, so the lock tells which table's index it is.
fn planned_on<'a>(ctx: &Context<'a>, summary: &str, table: &QName) -> Option<&'a Step> {
    ctx.step_for(|s| s.summary == summary && s.facts.lock.as_ref().is_some_and(|l| &l.on == table))
}

/// The lock level a step takes, or `default` when its facts name none.
fn level(step: &Step, default: &'static str) -> &'static str {
    step.facts.lock.as_ref().map_or(default, |l| l.level)
}

/// The partitions of `parent` in the new schema, and the default one.
fn partitions<'a>(ctx: &Context<'a>, parent: &QName) -> (Vec<&'a QName>, Option<&'a QName>) {
    let mut all = Vec::new();
    let mut default = None;
    for t in ctx.new.tables.values() {
        if let Some(p) = t.partition_of.as_ref().filter(|p| &p.parent == parent) {
            if p.bound.trim().eq_ignore_ascii_case("DEFAULT") {
                default = Some(&t.name);
            }
            all.push(&t.name);
        }
    }
    (all, default)
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::constraints::testing::{findings, one};

    #[test]
    fn a_partitioned_tables_index_is_built_per_partition() {
        let old = "CREATE TABLE m (id int, at date) PARTITION BY RANGE (at);\n\
                   CREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');";
        let f = one("create-index-non-concurrently", old, &format!("{old}\nCREATE INDEX m_at ON m (at);"));
        assert!(f.help.contains("ON ONLY public.m") && f.help.contains("public.m1") && f.help.contains("ALTER INDEX public.m_at ATTACH PARTITION"), "{}", f.help);
        assert!(!f.help.contains("CREATE INDEX CONCURRENTLY m_at ON public.m"), "{}", f.help);
    }

    #[test]
    fn a_rebuilt_index_is_replaced_under_another_name() {
        let f = one(
            "drop-index-non-concurrently",
            "CREATE TABLE t (id int PRIMARY KEY, a int, b int); CREATE INDEX i ON t (a);",
            "CREATE TABLE t (id int PRIMARY KEY, a int, b int); CREATE INDEX i ON t (a, b);",
        );
        assert!(f.message.contains("built again") && f.help.contains("under another name"), "{} / {}", f.message, f.help);
        assert_eq!(
            findings(
                "create-index-non-concurrently",
                "CREATE TABLE t (id int PRIMARY KEY, a int, b int); CREATE INDEX i ON t (a);",
                "CREATE TABLE t (id int PRIMARY KEY, a int, b int); CREATE INDEX i ON t (a, b);"
            )
            .len(),
            1
        );
    }

    #[test]
    fn partitions_say_which_default_partition_and_version_matter() {
        let parent = "CREATE TABLE m (id int, at date) PARTITION BY RANGE (at); CREATE TABLE md PARTITION OF m DEFAULT;";
        let f = one(
            "attach-partition",
            &format!("{parent} CREATE TABLE m1 (id int, at date);"),
            &format!("{parent} CREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');"),
        );
        assert!(f.message.contains("default partition public.md"), "{}", f.message);
        let f = one(
            "detach-partition",
            &format!("{parent} CREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');"),
            &format!("{parent} CREATE TABLE m1 (id int, at date);"),
        );
        assert!(f.help.contains("default partition (public.md)") && !f.help.contains("CONCURRENTLY;"), "{}", f.help);
    }

    #[test]
    fn set_unlogged_says_a_logged_table_referencing_it_makes_it_fail() {
        let f = one(
            "set-unlogged",
            "CREATE TABLE c (k int PRIMARY KEY); CREATE TABLE r (id int PRIMARY KEY, k int REFERENCES c);",
            "CREATE UNLOGGED TABLE c (k int PRIMARY KEY); CREATE TABLE r (id int PRIMARY KEY, k int REFERENCES c);",
        );
        assert!(f.message.contains("refuses it while public.r"), "{}", f.message);
    }
}
