//! How long a step may hold its lock, from the size of its table and what
//! it does to the rows. The rates are the named assumptions of
//! [`crate::throughput`], the same ones `plan --spec` uses, stated in every
//! runbook that uses them, and the arithmetic is shown: a team can redo it
//! with its own disk's numbers.

use super::stats::TableStats;
use crate::plan::facts::Work;
use crate::throughput::{self, Assumption, BACKFILL, INDEX_BUILD, REWRITE, SCAN, number};
use serde::Serialize;

/// The assumptions, as the runbook states them.
pub fn assumptions() -> Vec<String> {
    [SCAN, INDEX_BUILD, REWRITE, BACKFILL].iter().map(|a| format!("{} = {} {} ({})", a.name, number(a.value), a.unit, a.why)).collect()
}

/// An estimate and how it was reached.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    pub seconds: f64,
    /// `public.users: 450 MB ÷ 100 MB/s = 4.5 s (rewrite)`.
    pub arithmetic: String,
}

/// How long `work` takes on a table of `stats`; `None` for catalog-only work.
pub fn estimate(work: Work, table: &str, stats: &TableStats) -> Option<Estimate> {
    let rows = stats.row_count as f64;
    let (amount, unit, by, what): (f64, &str, &Assumption, &str) = match work {
        Work::Metadata => return None,
        Work::Scan => (rows, "rows", &SCAN, "scan"),
        Work::IndexBuild => (rows, "rows", &INDEX_BUILD, "index build"),
        Work::Rewrite => (stats.size_mb, "MB", &REWRITE, "rewrite"),
        Work::Backfill => (rows, "rows", &BACKFILL, "backfill"),
    };
    let (text, seconds) = throughput::divide(amount, unit, by);
    Some(Estimate { seconds, arithmetic: format!("{table}: {text} ({what})") })
}

/// `42 s`, `3 min 5 s`, `1 h 2 min`.
pub fn duration(seconds: f64) -> String {
    throughput::human(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_show_their_arithmetic() {
        let t = TableStats { name: "users".into(), row_count: 1_500_000, size_mb: 450.0, critical: true };
        assert_eq!(estimate(Work::Metadata, "public.users", &t), None);
        let e = estimate(Work::Rewrite, "public.users", &t).unwrap();
        assert_eq!(e.arithmetic, "public.users: 450 MB ÷ 100 MB/s = 4.5 s (rewrite)");
        let e = estimate(Work::Backfill, "public.users", &t).unwrap();
        assert_eq!(e.arithmetic, "public.users: 1500000 rows ÷ 10000 rows/s = 150 s (2 min 30 s) (backfill)");
        let e = estimate(Work::IndexBuild, "public.users", &t).unwrap();
        assert_eq!((e.seconds, e.arithmetic.as_str()), (7.5, "public.users: 1500000 rows ÷ 200000 rows/s = 7.5 s (index build)"));
        assert_eq!(duration(3725.0), "1 h 2 min 5 s");
    }
}
