//! Reading a 50 MB schema of wide tables: time and memory of the release
//! binary's `inspect --no-index` (one side) and `diff --no-index` of the
//! file with itself (both sides), which must grow linearly with the number
//! of statements and columns.
//!
//! The schema: 2,479 tables of 1,001 columns (ten types in turn, every
//! seventh NOT NULL, some DEFAULT 0), each with an index and an
//! `ALTER TABLE … ADD COLUMN`, 50.0 MB in one file, generated the same way
//! on every run. Half of it is read too, to show the growth.
//!
//! `cargo bench --bench read_50mb` (`-- --runs N`, default 3).

#[path = "support/process.rs"]
mod process;

use std::path::{Path, PathBuf};

const TYPES: [&str; 10] = ["integer", "bigint", "text", "varchar(40)", "numeric(10,2)", "boolean", "timestamptz", "jsonb", "uuid", "date"];

/// Tables of 1,001 columns until the text is at least `bytes` long.
fn schema(bytes: usize) -> String {
    let mut out = String::with_capacity(bytes + 100_000);
    let mut t = 0;
    while out.len() < bytes {
        out.push_str(&format!("CREATE TABLE t{t} (\n    id bigint PRIMARY KEY,\n"));
        let columns: Vec<String> = (0..1000)
            .map(|i| {
                let ty = TYPES[(i + t) % TYPES.len()];
                let not_null = if i % 7 == 0 { " NOT NULL" } else { "" };
                let default = if matches!(ty, "integer" | "bigint") && i % 3 == 0 { " DEFAULT 0" } else { "" };
                format!("    c{i} {ty}{not_null}{default}")
            })
            .collect();
        out.push_str(&columns.join(",\n"));
        out.push_str(&format!("\n);\nCREATE INDEX t{t}_c1 ON t{t} (c1);\nALTER TABLE t{t} ADD COLUMN extra text;\n"));
        t += 1;
    }
    out
}

fn binary() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let status = std::process::Command::new(env!("CARGO")).args(["build", "--release", "--quiet"]).current_dir(root).status().expect("cargo build");
    assert!(status.success(), "cargo build --release failed");
    root.join("target/release/schemashift")
}

fn main() {
    let runs: usize = std::env::args().skip_while(|a| a != "--runs").nth(1).and_then(|n| n.parse().ok()).unwrap_or(3);
    let bin = binary();
    let dir = tempfile::tempdir().expect("temporary directory");
    println!("schemashift benchmark: reading wide tables, {runs} runs each (min / median)\n");
    println!("| schema | command | wall | CPU (user+sys) | peak RSS |");
    println!("|---|---|---:|---:|---:|");
    for mb in [25, 50] {
        let text = schema(mb * 1_000_000);
        let name = format!("s{mb}.sql");
        std::fs::write(dir.path().join(&name), &text).expect("write the schema");
        for (label, args) in [("inspect", vec!["inspect", "--no-index", name.as_str()]), ("diff (itself)", vec!["diff", "--no-index", name.as_str(), name.as_str()])] {
            let mut walls = Vec::new();
            let mut cpus = Vec::new();
            let mut rss = Vec::new();
            for _ in 0..runs {
                let run = process::timed_process(&bin, &args, dir.path());
                assert!(run.success, "{label} failed: {}", run.stderr_tail);
                // inspect prints the model; a diff of a file with itself, nothing.
                assert_eq!(run.stdout.starts_with('{'), label == "inspect", "{label}: unexpected output");
                walls.push(run.wall.as_secs_f64());
                cpus.push(run.cpu.map_or(0.0, |c| c.as_secs_f64()));
                rss.push(run.max_rss_kb.unwrap_or(0));
            }
            walls.sort_by(f64::total_cmp);
            cpus.sort_by(f64::total_cmp);
            rss.sort();
            println!(
                "| {:.1} MB | `{label}` | {:.2} / {:.2} s | {:.2} s | {} MB |",
                text.len() as f64 / 1e6,
                walls[0],
                walls[runs / 2],
                cpus[runs / 2],
                rss[runs - 1] / 1024
            );
        }
    }
}
