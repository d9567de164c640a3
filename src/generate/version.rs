//! Migration versions: how a directory numbers its migrations, and the next
//! number in that style.
//!
//! Frameworks sort migrations by version, so the next one must sort after
//! every existing one and look like its neighbours: `0007` after `0006`,
//! `20261121093000` after a timestamp, `2026-11-21-093000` in diesel's style.

use crate::error::{Error, Result};

/// A numbering style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// 1, 2, 3 … zero-padded to `width` digits (0: no padding).
    Sequential { width: usize },
    /// UTC `YYYYMMDDHHMMSS` (Rails, dbmate, goose, sqlx, Atlas, Prisma, …).
    Timestamp,
    /// UTC `YYYY-MM-DD-HHMMSS` (diesel).
    DashedTimestamp,
}

/// Works out the style of existing versions; `None` when there are none.
///
/// Fourteen-digit numbers that read as a date are timestamps; anything else
/// made of digits is sequential, padded when the existing versions are
/// (`0001` gives width 4; `1`, `12` give no padding).
///
/// An all-zero version (diesel's `00000000000000_diesel_initial_setup`) is a
/// placeholder, not a style: it says nothing about how the next one looks.
pub fn detect(versions: &[String]) -> Option<Style> {
    let versions: Vec<String> = versions.iter().filter(|v| v.chars().any(|c| c.is_ascii_digit() && c != '0')).cloned().collect();
    let newest = versions.iter().max_by(|a, b| compare(a, b))?;
    if is_dashed_timestamp(newest) {
        return Some(Style::DashedTimestamp);
    }
    if is_timestamp(newest) {
        return Some(Style::Timestamp);
    }
    let leading = |v: &String| v.split(['.', '_']).next().unwrap_or(v).to_string();
    let padded = versions.iter().map(leading).filter(|v| v.len() > 1 && v.starts_with('0')).map(|v| v.len()).max();
    Some(Style::Sequential { width: padded.unwrap_or(0) })
}

/// The version after all of `existing` in `style`, at time `now` (Unix seconds)
/// for the timestamp styles. A timestamp never goes backwards: when the
/// newest existing one is not older than `now` (a clock behind, or several
/// migrations generated within a second), it is the newest plus one second.
pub fn next(style: Style, existing: &[String], now: i64) -> String {
    match style {
        Style::Sequential { width } => {
            let max = existing.iter().filter_map(|v| leading_number(v)).max().unwrap_or(0);
            format!("{:0width$}", max + 1)
        }
        Style::Timestamp | Style::DashedTimestamp => {
            let newest = existing.iter().filter_map(|v| timestamp_seconds(v)).max();
            let at = match newest {
                Some(n) if n >= now => n + 1,
                _ => now,
            };
            format_timestamp(style, at)
        }
    }
}

/// The version after `version` in the same style (for the second and later
/// migrations of one `generate`).
pub fn successor(version: &str) -> Result<String> {
    if is_dashed_timestamp(version) {
        return Ok(next(Style::DashedTimestamp, &[version.to_string()], 0));
    }
    if is_timestamp(version) {
        return Ok(next(Style::Timestamp, &[version.to_string()], 0));
    }
    match leading_number(version) {
        Some(n) if version.bytes().all(|b| b.is_ascii_digit()) => Ok(format!("{:0width$}", n + 1, width = version.len())),
        _ => Err(Error::usage(format!("cannot number a second migration after version `{version}`"))
            .help("this change needs more than one migration; give a plain number or timestamp to --version")),
    }
}

/// Orders versions as frameworks do: numerically when both are numbers
/// (`10` after `9`), else as text.
pub fn compare(a: &str, b: &str) -> std::cmp::Ordering {
    match (leading_number(a), leading_number(b)) {
        (Some(x), Some(y)) if x != y => x.cmp(&y),
        _ => a.cmp(b),
    }
}

/// Whether two versions name the same migration (`0003` and `3` do).
pub fn same(a: &str, b: &str) -> bool {
    let digits = |v: &str| v.bytes().all(|c| c.is_ascii_digit());
    if digits(a) && digits(b) {
        a.trim_start_matches('0') == b.trim_start_matches('0')
    } else {
        a == b
    }
}

/// The longest version `--version` takes: more than a timestamp (14), a
/// dashed one (17) or any dotted Flyway version needs, and short enough to
/// keep file names within 255 bytes (see [`super::MAX_SLUG_LEN`]).
pub const MAX_LEN: usize = 32;

/// Checks a version given with `--version`: digits, optionally separated by
/// `.`, `_` or `-` (Flyway's `1.2`, diesel's dashes), at most [`MAX_LEN`]
/// long; nothing that could reach outside the directory.
pub fn validate(version: &str) -> Result<()> {
    if version.len() > MAX_LEN {
        return Err(Error::usage(format!("the version is {} characters long; at most {MAX_LEN} are allowed", version.len()))
            .help("a version is a number or a timestamp, e.g. 42 or 20261121093000"));
    }
    let ok = !version.is_empty()
        && version.starts_with(|c: char| c.is_ascii_digit())
        && version.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        && !version.contains("..")
        && !version.contains("__");
    if ok {
        Ok(())
    } else {
        Err(Error::usage(format!("invalid version `{version}`"))
            .help("a version is digits, optionally separated by `.`, `_` or `-` (e.g. 42, 20261121093000, 1.2)"))
    }
}

fn leading_number(v: &str) -> Option<u64> {
    let digits: String = v.chars().take_while(|c| c.is_ascii_digit()).collect();
    if is_dashed_timestamp(v) {
        return timestamp_seconds(v).map(|s| s as u64);
    }
    digits.parse().ok()
}

fn is_timestamp(v: &str) -> bool {
    v.len() == 14 && v.bytes().all(|b| b.is_ascii_digit()) && (v.starts_with("19") || v.starts_with("20")) && timestamp_seconds(v).is_some()
}

fn is_dashed_timestamp(v: &str) -> bool {
    let b = v.as_bytes();
    v.len() == 17
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'-'
        && b.iter().enumerate().all(|(i, c)| matches!(i, 4 | 7 | 10) || c.is_ascii_digit())
}

/// Seconds since the Unix epoch of a 14-digit or dashed timestamp. Seconds
/// and minutes past 59 are accepted as they come (a successor of :59 is :60
/// in the digits), so ordering stays numeric.
fn timestamp_seconds(v: &str) -> Option<i64> {
    let digits: String = v.chars().filter(|c| c.is_ascii_digit()).collect();
    if digits.len() != 14 {
        return None;
    }
    let n = |r: std::ops::Range<usize>| digits[r].parse::<i64>().ok();
    let (y, mo, d, h, mi, s) = (n(0..4)?, n(4..6)?, n(6..8)?, n(8..10)?, n(10..12)?, n(12..14)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s)
}

fn format_timestamp(style: Style, seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let rest = seconds.rem_euclid(86_400);
    let (y, mo, d) = civil_from_days(days);
    let (h, mi, s) = (rest / 3600, rest % 3600 / 60, rest % 60);
    match style {
        Style::DashedTimestamp => format!("{y:04}-{mo:02}-{d:02}-{h:02}{mi:02}{s:02}"),
        _ => format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}"),
    }
}

// Howard Hinnant's days-from-civil algorithms (proleptic Gregorian, UTC).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn detects_padding_and_styles() {
        assert_eq!(detect(&v(&["0001", "0002"])), Some(Style::Sequential { width: 4 }));
        assert_eq!(detect(&v(&["1", "12"])), Some(Style::Sequential { width: 0 }));
        assert_eq!(detect(&v(&["000001"])), Some(Style::Sequential { width: 6 }));
        assert_eq!(detect(&v(&["20240102030405", "20250101000000"])), Some(Style::Timestamp));
        assert_eq!(detect(&v(&["2024-01-02-030405"])), Some(Style::DashedTimestamp));
        assert_eq!(detect(&v(&["1.1", "2"])), Some(Style::Sequential { width: 0 }));
        assert_eq!(detect(&[]), None);
        assert_eq!(detect(&v(&["00000000000000"])), None);
        assert_eq!(detect(&v(&["00000000000000", "2024-01-02-030405"])), Some(Style::DashedTimestamp));
    }

    #[test]
    fn next_sequential_is_after_the_largest_not_the_last_listed() {
        assert_eq!(next(Style::Sequential { width: 4 }, &v(&["0009", "0002"]), 0), "0010");
        assert_eq!(next(Style::Sequential { width: 0 }, &v(&["9", "10"]), 0), "11");
        assert_eq!(next(Style::Sequential { width: 3 }, &v(&["999"]), 0), "1000");
        assert_eq!(next(Style::Sequential { width: 4 }, &[], 0), "0001");
        assert_eq!(next(Style::Sequential { width: 0 }, &v(&["1.1", "2.3"]), 0), "3");
    }

    #[test]
    fn timestamps_format_utc_and_never_go_backwards() {
        // 1,700,000,000 s is 2023-11-14 22:13:20 UTC.
        let t = 1_700_000_000;
        assert_eq!(next(Style::Timestamp, &[], t), "20231114221320");
        assert_eq!(next(Style::DashedTimestamp, &[], t), "2023-11-14-221320");
        assert_eq!(next(Style::Timestamp, &v(&["20231114221320"]), t), "20231114221321");
        assert_eq!(format_timestamp(Style::Timestamp, 0), "19700101000000");
        assert_eq!(format_timestamp(Style::DashedTimestamp, 951_782_400), "2000-02-29-000000");
        assert_eq!(next(Style::Timestamp, &v(&["20991231235959"]), t), "21000101000000");
        assert_eq!(next(Style::DashedTimestamp, &v(&["2099-12-31-235959"]), t), "2100-01-01-000000");
        assert_eq!(timestamp_seconds("20000229000000"), Some(951_782_400));
    }

    #[test]
    fn successors_and_sameness() {
        assert_eq!(successor("0007").unwrap(), "0008");
        assert_eq!(successor("20261121093059").unwrap(), "20261121093100");
        assert!(successor("1.2").is_err());
        assert!(same("0003", "3"));
        assert!(!same("1.1", "1.10"));
        assert!(validate("../x").is_err());
        assert!(validate("1.2").is_ok());
        assert!(validate("").is_err());
        assert!(validate(&"1".repeat(MAX_LEN)).is_ok());
        assert!(validate(&"1".repeat(MAX_LEN + 1)).unwrap_err().message.contains("at most 32"));
    }
}
