//! How long a step may hold its lock, from the size of its table and what
//! it does to the rows. The rates are assumptions, stated in every runbook
//! that uses them, and the arithmetic is shown: a team can redo it with
//! its own disk's numbers. They are deliberately modest (a busy server
//! sharing its disk with the application).

use super::stats::TableStats;
use crate::plan::facts::Work;
use serde::Serialize;

/// Reading a table to check its rows (a validation, a NOT NULL scan).
pub const SCAN_MB_PER_S: f64 = 100.0;
/// Building an index: reading the table and sorting its keys.
pub const INDEX_MB_PER_S: f64 = 50.0;
/// Writing the table again, and every index on it.
pub const REWRITE_MB_PER_S: f64 = 30.0;
/// Updating rows one by one in a backfill.
pub const BACKFILL_ROWS_PER_S: f64 = 20_000.0;

/// The assumptions, as the runbook states them.
pub fn assumptions() -> Vec<String> {
    vec![
        format!("a scan reads {SCAN_MB_PER_S} MB/s"),
        format!("an index build reads and sorts {INDEX_MB_PER_S} MB/s"),
        format!("a rewrite writes the table and its indexes at {REWRITE_MB_PER_S} MB/s"),
        format!("a backfill updates {BACKFILL_ROWS_PER_S} rows/s"),
    ]
}

/// An estimate and how it was reached.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    pub seconds: f64,
    /// `450 MB ÷ 30 MB/s = 15 s`.
    pub arithmetic: String,
}

/// How long `work` takes on a table of `stats`; `None` for catalog-only work.
pub fn estimate(work: Work, table: &str, stats: &TableStats) -> Option<Estimate> {
    let by_size = |rate: f64, what: &str| {
        let seconds = stats.size_mb / rate;
        Estimate { seconds, arithmetic: format!("{table}: {} MB ÷ {rate} MB/s ({what}) = {}", trim(stats.size_mb), duration(seconds)) }
    };
    match work {
        Work::Metadata => None,
        Work::Scan => Some(by_size(SCAN_MB_PER_S, "scan")),
        Work::IndexBuild => Some(by_size(INDEX_MB_PER_S, "index build")),
        Work::Rewrite => Some(by_size(REWRITE_MB_PER_S, "rewrite")),
        Work::Backfill => {
            let seconds = stats.row_count as f64 / BACKFILL_ROWS_PER_S;
            Some(Estimate {
                seconds,
                arithmetic: format!("{table}: {} rows ÷ {BACKFILL_ROWS_PER_S} rows/s (backfill) = {}", stats.row_count, duration(seconds)),
            })
        }
    }
}

/// `42 s`, `3 min 5 s`, `1 h 2 min`.
pub fn duration(seconds: f64) -> String {
    let s = seconds.ceil() as u64;
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 => format!("{} min {} s", s / 60, s % 60),
        _ => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

/// `450` rather than `450.0`.
fn trim(n: f64) -> String {
    if n.fract() == 0.0 { format!("{}", n as u64) } else { format!("{n}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_show_their_arithmetic() {
        let t = TableStats { name: "users".into(), row_count: 1_500_000, size_mb: 450.0, critical: true };
        assert_eq!(estimate(Work::Metadata, "public.users", &t), None);
        let e = estimate(Work::Rewrite, "public.users", &t).unwrap();
        assert_eq!(e.arithmetic, "public.users: 450 MB ÷ 30 MB/s (rewrite) = 15 s");
        let e = estimate(Work::Backfill, "public.users", &t).unwrap();
        assert_eq!(e.arithmetic, "public.users: 1500000 rows ÷ 20000 rows/s (backfill) = 1 min 15 s");
        assert_eq!(duration(3725.0), "1 h 2 min");
    }
}
