//! GitLab Code Quality: a JSON array of issues (the subset of Code
//! Climate's format GitLab reads): description, check_name, fingerprint,
//! severity, location.path and location.lines.begin.

use crate::lint::{Class, Report};
use serde_json::json;
use sha2::{Digest, Sha256};

fn severity(class: Class) -> &'static str {
    match class {
        Class::Breaking => "critical",
        Class::PotentiallyBreaking => "major",
        Class::NonBreaking => "minor",
        Class::Additive => "info",
    }
}

pub fn render(report: &Report) -> String {
    let issues: Vec<_> = report
        .findings
        .iter()
        .map(|f| {
            let (path, line) = f.location.as_ref().map_or((String::new(), 1), |l| (l.location.file.to_string(), l.location.line.max(1)));
            // Unique per finding and stable across runs: GitLab compares
            // fingerprints between the base and the merge request.
            let fingerprint = Sha256::digest(format!("{}\0{}\0{}", f.code, f.object, path).as_bytes());
            json!({
                "description": format!("{} ({} {})", f.message, f.code, f.rule),
                "check_name": f.rule,
                "fingerprint": fingerprint.iter().map(|b| format!("{b:02x}")).collect::<String>(),
                "severity": severity(f.class),
                "location": { "path": path, "lines": { "begin": line } },
            })
        })
        .collect();
    serde_json::to_string_pretty(&issues).expect("plain data serializes") + "\n"
}
