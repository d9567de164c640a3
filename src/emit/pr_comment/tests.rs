//! The comment's content, links and the order in which it is trimmed.

use super::sections::{clip, share};
use super::*;
use crate::lint::{Class, Finding, Located, Preflight, Revision};
use crate::model::{Dialect, Location, Schema};
use crate::source::SourceFile;

fn schema(sql: &str) -> Schema {
    let files = [SourceFile { path: "schema.sql".into(), bytes: sql.as_bytes().to_vec(), blob_id: None }];
    crate::read::read_schema(&files, Dialect::Postgres).unwrap().0
}

/// A real change: a table dropped and a column dropped, planned and linted.
fn planned() -> (Plan, Report) {
    let old = schema("CREATE TABLE products (id integer PRIMARY KEY, legacy_code text, price numeric);\nCREATE TABLE old_audit (id integer);\n");
    let new = schema("CREATE TABLE products (id integer PRIMARY KEY, price numeric);\n");
    let plan = crate::plan::plan(&old, &new).unwrap();
    let report = crate::lint::lint(&old, &new, &plan, &Default::default(), &Default::default());
    (plan, report)
}

fn input<'a>(report: &'a Report, plan: Option<&'a Plan>, preflight: &'a [Check]) -> Input<'a> {
    Input { report, plan, preflight, title: "main → HEAD", sources: "main...HEAD", rules_url: "https://example.test/docs/rules.md" }
}

/// A finding of `class` with a message `len` characters long.
fn finding(class: Class, n: usize, len: usize) -> Finding {
    Finding {
        code: "SS102",
        rule: "drop-column",
        class,
        object: format!("public.t{n}.c"),
        message: format!("finding {n} {}", "x".repeat(len)),
        location: Some(Located { revision: Revision::New, location: Location::new("schema.sql", n as u32 + 1, 1) }),
        help: "keep it".into(),
        preflight: None,
    }
}

#[test]
fn the_marker_is_the_first_line_and_each_change_has_its_class_and_lock() {
    let (plan, report) = planned();
    let checks = crate::runbook::preflight(&report);
    let text = render(&input(&report, Some(&plan), &checks));
    if std::env::var_os("SHOW_COMMENT").is_some() {
        eprintln!("{text}");
    }
    assert_eq!(text.lines().next(), Some(MARKER));
    assert!(text.contains("## schemashift: 🔴 breaking changes"), "{text}");
    assert!(text.contains("| 🔴 breaking | 2 |"), "{text}");
    // The lock comes from the step's facts, on the row of its change.
    let row = text.lines().find(|l| l.starts_with("| public.products.legacy_code |")).expect(&text);
    assert!(row.contains("drop column") && row.contains("ACCESS EXCLUSIVE on public.products"), "{row}");
    assert!(text.contains("<details>\n<summary>Up: "), "{text}");
    assert!(text.contains("ALTER TABLE public.products DROP COLUMN legacy_code;"), "{text}");
    assert!(text.contains("<summary>Down: "), "{text}");
    assert!(!text.contains("trimmed"), "nothing to trim: {text}");
    // Deterministic.
    assert_eq!(text, render(&input(&report, Some(&plan), &checks)));
}

#[test]
fn findings_link_to_their_rule_anchor_in_docs_rules_md() {
    let (plan, report) = planned();
    let text = render(&input(&report, Some(&plan), &[]));
    assert!(text.contains("[SS102 drop-column](https://example.test/docs/rules.md#ss102-drop-column)"), "{text}");
    assert!(text.contains("[SS101 drop-table](https://example.test/docs/rules.md#ss101-drop-table)"), "{text}");
    // Every anchor linked is a heading of the reference.
    let docs = crate::lint::docs::markdown();
    for f in &report.findings {
        assert!(docs.contains(&format!("## {} {}\n", f.code, f.rule)));
        assert_eq!(crate::lint::docs::anchor(f.code, f.rule), format!("{}-{}", f.code.to_lowercase(), f.rule));
    }
}

#[test]
fn preflight_checks_are_listed_with_their_query() {
    let (plan, report) = planned();
    let checks = vec![Check { about: "public.products.price".into(), why: "values may not fit".into(), sql: "SELECT 1 FROM products;".into(), expect: "no rows".into() }];
    let text = render(&input(&report, Some(&plan), &checks));
    assert!(text.contains("### Pre-flight checks"), "{text}");
    assert!(text.contains("1. public.products.price — values may not fit. Must return: **no rows**."), "{text}");
    assert!(text.contains("   SELECT 1 FROM products;"), "{text}");
}

#[test]
fn the_rules_url_comes_from_the_flag_the_environment_github_or_is_relative() {
    let none = |_: &str| None;
    assert_eq!(rules_url(None, &none), "docs/rules.md");
    assert_eq!(rules_url(Some("https://x/rules.md"), &none), "https://x/rules.md");
    let github = |v: &str| match v {
        "GITHUB_SERVER_URL" => Some("https://github.example/".to_string()),
        "GITHUB_REPOSITORY" => Some("acme/shop".to_string()),
        _ => None,
    };
    assert_eq!(rules_url(None, &github), "https://github.example/acme/shop/blob/HEAD/docs/rules.md");
    let set = |v: &str| if v == "SCHEMASHIFT_RULES_URL" { Some("https://docs.test/rules.md".to_string()) } else { github(v) };
    assert_eq!(rules_url(None, &set), "https://docs.test/rules.md");
    assert_eq!(rules_url(Some("flag"), &set), "flag", "the flag wins");
}

#[test]
fn a_long_migration_loses_its_sql_first_and_says_how_to_see_it() {
    let (mut plan, report) = planned();
    // 40,000 characters of up and of down SQL.
    let long: String = (0..1000).map(|i| format!("-- statement {i:04} {}\n", "y".repeat(20))).collect();
    plan.up.push(crate::plan::Step::new("padding", long.trim_end()));
    plan.down.push(crate::plan::Step::new("padding", long.trim_end()));
    let text = render(&input(&report, Some(&plan), &[]));
    assert!(chars(&text) <= MAX_CHARS, "{}", chars(&text));
    assert!(chars(&text) > MAX_CHARS - 2_000, "as much SQL as fits is kept: {}", chars(&text));
    assert!(text.contains("> SQL trimmed: "), "{text}");
    assert!(text.contains("run `schemashift diff main...HEAD` to see the up"), "{text}");
    assert!(text.contains("more characters left out"), "the cut is marked in the SQL");
    // The findings are all there.
    for f in &report.findings {
        assert!(text.contains(&format!("[{} {}]", f.code, f.rule)));
    }
    assert!(!text.contains("findings left out"));
    // Both blocks still open and close.
    assert_eq!(text.matches("<details>").count(), 2);
    assert_eq!(text.matches("</details>").count(), 2);
}

#[test]
fn when_the_sql_is_not_enough_the_least_severe_findings_go_next() {
    let (plan, mut report) = planned();
    report.findings.clear();
    // 200 findings of 500 characters: 100,000 characters, the breaking ones last in file order.
    for n in 0..200 {
        let class = if n >= 190 { Class::Breaking } else { Class::NonBreaking };
        report.findings.push(finding(class, n, 500));
    }
    let text = render(&input(&report, Some(&plan), &[]));
    assert!(chars(&text) <= MAX_CHARS, "{}", chars(&text));
    assert!(text.contains("> SQL trimmed: "), "the SQL went first: {text}");
    let kept = text.matches("\n- ").count();
    assert!(kept > 50 && kept < 200, "{kept}");
    assert!(text.contains(&format!("_{} of 200 findings left out (the least severe)", 200 - kept)), "{text}");
    // Every breaking finding is kept; the non-breaking ones kept are the first.
    for n in 190..200 {
        assert!(text.contains(&format!("finding {n} ")), "breaking finding {n} kept");
    }
    assert!(text.contains("finding 0 ") && !text.contains("finding 189 "));
}

#[test]
fn a_body_cut_as_a_last_resort_closes_its_code_block_and_details() {
    let body = format!("{MARKER}\n<details>\n\n```sql\n{}", "SELECT 1;\n".repeat(10_000));
    let text = cut(&body, MAX_CHARS);
    assert!(chars(&text) <= MAX_CHARS);
    assert!(text.starts_with(MARKER));
    assert!(text.contains("```\n\n</details>\n"), "{}", &text[text.len() - 300..]);
    assert!(text.contains("**Comment trimmed:** "), "{}", &text[text.len() - 300..]);
    assert_eq!(cut("short", MAX_CHARS), "short");
}

#[test]
fn no_changes_says_so() {
    let report = Report { level: crate::lint::Level::FullyCompatible, counts: Default::default(), changes: vec![], findings: vec![], suppressed: 0 };
    let text = render(&input(&report, None, &[]));
    assert_eq!(text, format!("{MARKER}\n## schemashift: 🟢 fully compatible\n\nSchema change `main → HEAD`\n\nNo schema changes.\n"));
}

#[test]
fn sql_room_is_shared_and_cut_at_whole_lines() {
    assert_eq!(share(100, 30, 200), (30, 70));
    assert_eq!(share(100, 200, 30), (70, 30));
    assert_eq!(share(100, 200, 200), (50, 50));
    assert_eq!(clip("a;\nbb;\n", 5), ("a;\n".to_string(), 4));
    assert_eq!(clip("a;\nbb;\n", 100), ("a;\nbb;\n".to_string(), 0));
    assert_eq!(super::sections::thousands(65_536), "65,536");
    assert_eq!(super::sections::thousands(999), "999");
}

#[test]
fn text_from_the_schema_cannot_break_the_markdown() {
    let mut report = planned().1;
    let mut f = finding(Class::Breaking, 1, 0);
    f.message = "evil | </details> ```\nnew line".into();
    f.location = Some(Located { revision: Revision::Old, location: Location::new("a`b.sql", 1, 1) });
    report.findings = vec![f];
    let text = render(&input(&report, None, &[]));
    // The line break is shown as `\n`, escaped itself.
    assert!(text.contains("evil \\| \\</details\\> \\`\\`\\`\\\\nnew line"), "{text}");
    assert!(text.contains("at ``a`b.sql:1:1`` (old schema)"), "{text}");
    let _ = Preflight::no_rows("x");
}

#[test]
fn advice_keeps_its_code_spans_unless_they_do_not_pair_up() {
    let mut report = planned().1;
    let mut f = finding(Class::Breaking, 1, 0);
    f.message = "drop <b>".into();
    f.help = "run `SELECT * FROM t;` first, then *relax*".into();
    report.findings = vec![f.clone()];
    let text = render(&input(&report, None, &[]));
    assert!(text.contains(r"drop \<b\>"), "{text}");
    assert!(text.contains(r"**Instead:** run `SELECT * FROM t;` first, then \*relax\*"), "{text}");
    f.help = "a name with ` one backtick".into();
    report.findings = vec![f];
    let text = render(&input(&report, None, &[]));
    assert!(text.contains(r"**Instead:** a name with \` one backtick"), "{text}");
}
