//! The throughput a plan's time estimates assume, and the arithmetic they
//! print. No database is measured: these are round figures for commodity
//! hardware, chosen to be conservative, and every estimate names the one it
//! used so that a reader can redo it with their own.

use serde::Serialize;

/// A named throughput figure and why it is what it is.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Assumption {
    pub name: &'static str,
    pub value: f64,
    pub unit: &'static str,
    pub why: &'static str,
}

/// Copying a table's data to another server (a dump and restore, `COPY`, or
/// logical replication's initial sync): about 40 % of a 1 Gbit/s link
/// (125 MB/s), the rest left to the production traffic that keeps running.
pub const COPY: Assumption = Assumption {
    name: "COPY_MB_PER_S",
    value: 50.0,
    unit: "MB/s",
    why: "copy to another server: 40 % of a 1 Gbit/s link, the rest left to production traffic",
};

/// Rewriting a table in place (a type change that converts every value):
/// the table is read and written on the same disks, and its indexes built
/// again, so it is slower than a sequential read.
pub const REWRITE: Assumption = Assumption {
    name: "REWRITE_MB_PER_S",
    value: 100.0,
    unit: "MB/s",
    why: "table rewrite on the same server: every row read and written again, indexes rebuilt",
};

/// Reading every row to check a constraint (a CHECK or a foreign key being
/// validated, NOT NULL proved): a sequential scan evaluating a condition.
pub const SCAN: Assumption = Assumption {
    name: "SCAN_ROWS_PER_S",
    value: 1_000_000.0,
    unit: "rows/s",
    why: "sequential scan evaluating a condition on every row",
};

/// Building a B-tree index: a sort of every key, then the tree written.
pub const INDEX_BUILD: Assumption = Assumption {
    name: "INDEX_BUILD_ROWS_PER_S",
    value: 200_000.0,
    unit: "rows/s",
    why: "B-tree build: every key sorted, then the tree written",
};

/// Writing a value into every row with batched `UPDATE`s that pause between
/// batches, so that the application's own writes keep their latency.
pub const BACKFILL: Assumption = Assumption {
    name: "BACKFILL_ROWS_PER_S",
    value: 10_000.0,
    unit: "rows/s",
    why: "batched UPDATEs pausing between batches, leaving room for the application's writes",
};

/// Megabytes in a gigabyte, as the sizes of a specification count them.
pub const MB_PER_GB: f64 = 1024.0;

/// A number as the arithmetic prints it: whole numbers without decimals,
/// others rounded to two places.
pub fn number(x: f64) -> String {
    // `+ 0.0` turns -0 (an empty float sum is -0) into 0.
    let rounded = (x * 100.0).round() / 100.0 + 0.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        let s = format!("{rounded:.2}");
        s.trim_end_matches('0').to_string()
    }
}

/// A duration for people: `56 s`, `17.8 s`, `14 h 13 min 20 s`, `3 d 14 h`.
pub fn human(seconds: f64) -> String {
    if seconds < 60.0 {
        return format!("{} s", number(seconds));
    }
    let total = seconds.round() as u64;
    let (d, h, m, s) = (total / 86_400, total % 86_400 / 3600, total % 3600 / 60, total % 60);
    let mut parts = Vec::new();
    if d > 0 {
        parts.push(format!("{d} d"));
    }
    if h > 0 {
        parts.push(format!("{h} h"));
    }
    if m > 0 {
        parts.push(format!("{m} min"));
    }
    if s > 0 {
        parts.push(format!("{s} s"));
    }
    parts.join(" ")
}

/// `2800 MB ÷ 50 MB/s = 56 s`: an amount over a throughput, in seconds.
pub fn divide(amount: f64, unit: &str, by: &Assumption) -> (String, f64) {
    let seconds = amount / by.value;
    let mut text = format!("{} {unit} ÷ {} {} = {} s", number(amount), number(by.value), by.unit, number(seconds));
    if seconds >= 60.0 {
        text.push_str(&format!(" ({})", human(seconds)));
    }
    (text, seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_reads_as_written_by_hand() {
        assert_eq!(divide(2800.0, "MB", &COPY).0, "2800 MB ÷ 50 MB/s = 56 s");
        assert_eq!(divide(890.0, "MB", &COPY).0, "890 MB ÷ 50 MB/s = 17.8 s");
        assert_eq!(divide(2_560_000.0, "MB", &COPY).0, "2560000 MB ÷ 50 MB/s = 51200 s (14 h 13 min 20 s)");
        assert_eq!(divide(1_500_000.0, "rows", &SCAN).0, "1500000 rows ÷ 1000000 rows/s = 1.5 s");
        assert_eq!(number(1.0 / 3.0), "0.33");
        assert_eq!(number(-0.0), "0");
        assert_eq!(human(3600.0), "1 h");
        assert_eq!(human(86.0 * 3600.0), "3 d 14 h");
    }
}
