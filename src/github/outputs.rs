//! A lint report as step outputs: `name=value` lines appended to the file
//! GitHub Actions names in `GITHUB_OUTPUT`, so that a workflow can branch on
//! the level or the counts without parsing JSON in shell (the action's
//! scripts need no `jq`).

use crate::error::{Error, Result};
use crate::lint::Class;

/// The outputs of a `lint --format json` report: `level`, the number of
/// changes of each class (`breaking`, `potentially-breaking`,
/// `non-breaking`, `additive`) and of `findings`.
pub fn from_report(json: &str, origin: &str) -> Result<String> {
    let report: serde_json::Value =
        serde_json::from_str(json).map_err(|e| Error::data(format!("{origin} is not a lint report in JSON (`lint --format json`): {e}")))?;
    let level = report
        .get("level")
        .and_then(|l| l.as_str())
        .ok_or_else(|| Error::data(format!("{origin} has no `level`: is it the output of `schemashift lint --format json`?")))?;
    // Values go into `name=value` lines: nothing may hold a line break.
    let mut out = format!("level={}\n", level.replace(['\n', '\r'], " "));
    for class in Class::ALL.iter().rev() {
        let n = report.pointer(&format!("/counts/{}", class.name())).and_then(|v| v.as_u64()).unwrap_or(0);
        out.push_str(&format!("{}={n}\n", class.name().replace('_', "-")));
    }
    let findings = report.get("findings").and_then(|f| f.as_array()).map_or(0, Vec::len);
    out.push_str(&format!("findings={findings}\n"));
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_report_becomes_one_line_per_output() {
        let json = r#"{"level": "breaking_changes", "counts": {"additive": 2, "breaking": 1, "non_breaking": 0, "potentially_breaking": 3}, "findings": [{}, {}]}"#;
        assert_eq!(
            super::from_report(json, "r.json").unwrap(),
            "level=breaking_changes\nbreaking=1\npotentially-breaking=3\nnon-breaking=0\nadditive=2\nfindings=2\n"
        );
        assert_eq!(super::from_report("{}", "r.json").unwrap_err().exit_code(), 65);
        assert_eq!(super::from_report("[", "r.json").unwrap_err().exit_code(), 65);
    }
}
