//! `cargo bench --bench diff_5000`: `schemashift diff HEAD~1 HEAD` on a
//! 5,000-table schema (about 5 MB of DDL in 200-odd files) where the last
//! commit changes one table. Design budget: under 1 s and 300 MB.
//!
//! 1. Generates the schema (`support/schema_gen.rs`, seeded), commits it to a
//!    temporary git repository with the git CLI, then commits the one-table
//!    change (a column, an index, a changed default).
//! 2. End to end: runs the release binary's `diff HEAD~1 HEAD` when it has
//!    that subcommand, else this binary's own library pipeline in a child
//!    process; wall time from spawn to exit, peak RSS from `/usr/bin/time -v`
//!    (or VmHWM polled from /proc when GNU time is missing).
//! 3. Stage by stage, each run in a fresh child process so that memory is
//!    the pipeline's own: git read (`resolve_pair`), parse (`read_files`, old
//!    and new), diff, plan, render (`up_sql`/`down_sql`), verify. Per stage:
//!    time, heap peak while it ran (a counting allocator), and the process's
//!    VmHWM after it. Stages the library does not have yet are reported as
//!    such, not skipped silently.
//! 4. Parse scaling: the reader alone at 1/4, 1/2 and the full size, to show
//!    whether per-table cost grows with the schema.
//!
//! Options (after `--`): `--runs N` (default 5), `--tables N` (default 5000),
//! `--no-scaling`, `--keep` (keep the repository and print its path).

#[path = "support/schema_gen.rs"]
mod schema_gen;
#[path = "support/process.rs"]
mod process;
#[path = "support/repo.rs"]
mod repo;

use repo::{git, write_files};
use process::{ProcessRun, timed_process, vm_hwm_kb};
use schemashift::model::{Dialect, Schema};
use schemashift::settings::{Flags, Settings};
use schemashift::source::{FileSet, SourceArgs, SourceFile, resolve_pair};
use std::alloc::{GlobalAlloc, Layout, System};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

// ------------------------------------------------------------ heap accounting

/// The system allocator, counting live bytes and their high-water mark.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Relaxed);
            grew(new_size);
        }
        p
    }
}

fn grew(size: usize) {
    let now = LIVE.fetch_add(size, Relaxed) + size;
    PEAK.fetch_max(now, Relaxed);
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// What one measured call cost.
#[derive(Clone, Copy, Default)]
struct Cost {
    wall: Duration,
    /// CPU time of the process, all threads (the reader and the planner use
    /// two): unlike wall time, not inflated when other processes compete for the CPUs.
    cpu: Duration,
    /// Heap needed on top of what was live before (peak − live at start).
    heap: usize,
}

/// Runs `f`, returning its result and what it cost.
fn measured<T>(f: impl FnOnce() -> T) -> (T, Cost) {
    let base = LIVE.load(Relaxed);
    PEAK.store(base, Relaxed);
    let cpu0 = process_cpu();
    let start = Instant::now();
    let out = f();
    let wall = start.elapsed();
    let cpu = process_cpu().saturating_sub(cpu0);
    (out, Cost { wall, cpu, heap: PEAK.load(Relaxed) - base })
}

/// User + system time of this process, threads that have ended included
/// (`getrusage(RUSAGE_SELF)`, microseconds).
fn process_cpu() -> Duration {
    // struct rusage on Linux: two struct timevals (ru_utime, ru_stime), then 14 longs.
    #[repr(C)]
    struct Rusage {
        utime: [i64; 2],
        stime: [i64; 2],
        rest: [i64; 14],
    }
    unsafe extern "C" {
        fn getrusage(who: i32, usage: *mut Rusage) -> i32;
    }
    let mut u = Rusage { utime: [0; 2], stime: [0; 2], rest: [0; 14] };
    // SAFETY: `u` has the layout of struct rusage on 64-bit Linux; RUSAGE_SELF is 0.
    if unsafe { getrusage(0, &mut u) } != 0 {
        return Duration::ZERO;
    }
    let micros = |t: [i64; 2]| Duration::from_secs(t[0] as u64) + Duration::from_micros(t[1] as u64);
    micros(u.utime) + micros(u.stime)
}

// ------------------------------------------------------------ the child: one pipeline run

/// The stages, in pipeline order. Output: one tab-separated line per stage.
fn child(repo: &Path) {
    let report = |name: &str, status: &str, c: Cost| {
        let hwm = vm_hwm_kb("self").unwrap_or(0);
        println!("STAGE\t{name}\t{status}\t{}\t{}\t{}\t{hwm}", c.wall.as_nanos(), c.cpu.as_nanos(), c.heap);
    };
    let args = SourceArgs { revs: vec!["HEAD~1".into(), "HEAD".into()], ..Default::default() };
    // Settings (and schemashift.toml) as the CLI reads them, once, then the sides.
    let (pair, c) = measured(|| Settings::load(Flags::default(), repo).and_then(|s| resolve_pair(&args, &s, repo)));
    let (old_files, new_files) = match pair {
        Ok(p) => p,
        Err(e) => return report("git read", &format!("error: {e}"), c),
    };
    report("git read", "ok", c);

    // Both revisions as the CLI reads them: together, on two threads, files
    // the same on both sides parsed once.
    let label = "parse old + new (read_pair)";
    let (read, c) = measured(|| schemashift::read::read_pair(&old_files, &new_files, Dialect::Postgres));
    let models: Vec<Schema> = match read {
        Ok(((old, _), (new, _))) => {
            report(label, "ok", c);
            vec![old, new]
        }
        Err(e) => return report(label, &format!("error: {e}"), c),
    };
    drop((old_files, new_files));
    let (old, new) = (&models[0], &models[1]);

    // Not a pipeline stage: the cost of comparing the two models whole, the
    // floor under any differ that walks both.
    let (equal, c) = measured(|| old == new);
    report("(models ==)", if equal { "ok: equal?!" } else { "ok" }, c);
    // Nor this: one deep copy of a model, which the differ and the verifier make.
    let (copy, c) = measured(|| old.clone());
    report("(model clone)", "ok", c);
    drop(copy);

    // The differ, both directions as the planner runs it (the down migration
    // is planned from new to old with the renames reversed).
    let renames = schemashift::diff::Renames::from_hints(new);
    let (forward, c) = measured(|| schemashift::diff::diff(old, new, &renames));
    report("diff old→new", &format!("ok: {} changes", forward.changes.len()), c);
    let (backward, c) = measured(|| schemashift::diff::diff(new, old, &renames.reversed()));
    report("diff new→old", &format!("ok: {} changes", backward.changes.len()), c);
    drop((forward, backward));

    // The planner without its replay check: both diffs again, then lowering.
    let (planned, c) = measured(|| schemashift::plan::plan_unverified(old, new, &Default::default()));
    let plan = match planned {
        Ok(p) => {
            report("plan (2 diffs + lowering)", &format!("ok: {} up / {} down steps", p.up.len(), p.down.len()), c);
            p
        }
        Err(e) => return report("plan (2 diffs + lowering)", &format!("error: {e}"), c),
    };
    let ((up, down), c) = measured(|| (plan.up_sql(), plan.down_sql()));
    report("render", &format!("ok: {} + {} bytes", up.len(), down.len()), c);
    let (verified, c) = measured(|| schemashift::plan::verify::verify(old, new, &plan));
    match verified {
        Ok(()) => report("verify (replay up and down)", "ok", c),
        Err(e) => report("verify (replay up and down)", &format!("error: {e}"), c),
    }
    if std::env::var_os("SCHEMASHIFT_BENCH_PRINT").is_some() {
        eprintln!("-- up\n{up}-- down\n{down}");
    }
}

// ------------------------------------------------------------ the parent

struct Options {
    runs: usize,
    tables: usize,
    scaling: bool,
    keep: bool,
}

fn options(args: &[String]) -> Options {
    let mut o = Options { runs: 5, tables: 5000, scaling: true, keep: false };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--runs" => o.runs = it.next().and_then(|n| n.parse().ok()).expect("--runs N"),
            "--tables" => o.tables = it.next().and_then(|n| n.parse().ok()).expect("--tables N"),
            "--no-scaling" => o.scaling = false,
            "--keep" => o.keep = true,
            // `cargo bench` passes --bench; filters are not meaningful here.
            _ => {}
        }
    }
    o.runs = o.runs.max(1);
    o
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--child") {
        child(Path::new(&args[1]));
        return;
    }
    let opts = options(&args);
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_schemashift"));

    println!("schemashift benchmark: diff of a {}-table schema, one table changed", opts.tables);
    println!("machine: {}", machine());
    println!();

    // 1. The schema, old and new, in a git repository.
    let cfg = if opts.tables == 5000 { schema_gen::Config::large() } else { schema_gen::Config::with_tables(opts.tables) };
    let (generated, gen_cost) = measured(|| (schema_gen::generate(cfg, false), schema_gen::generate(cfg, true)));
    let (old, new) = generated;
    let s = &old.stats;
    println!(
        "schema: {} files, {:.2} MB, {} lines, {} statements; generated in {:.0} ms (both revisions)",
        old.files.len(),
        old.bytes() as f64 / 1e6,
        old.lines(),
        s.statements,
        ms(gen_cost.wall)
    );
    println!(
        "        {} tables, {} columns, {} constraints ({} FK, {} cycles via ALTER TABLE), {} indexes, {} views, {} enums, {} domains",
        s.tables, s.columns, s.constraints, s.foreign_keys, s.cycles, s.indexes, s.views, s.enums, s.domains
    );
    println!(
        "        unnamed (names derived by the reader): {} constraints, {} indexes",
        s.unnamed_constraints, s.unnamed_indexes
    );
    let changed_files: Vec<&str> =
        old.files.iter().zip(&new.files).filter(|(a, b)| a.1 != b.1).map(|(a, _)| a.0.as_str()).collect();
    println!("change: {} (+ column loyalty_tier, + partial index, version DEFAULT 1 -> 0) in {}", new.changed_table, changed_files.join(", "));

    let dir = tempfile::Builder::new().prefix("schemashift-bench-").tempdir().expect("temporary directory");
    let repo = dir.path();
    git(repo, &["init", "-q", "-b", "main"]);
    write_files(repo, &old.files);
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-q", "-m", "schema"]);
    write_files(repo, &new.files);
    git(repo, &["commit", "-q", "-am", "one table changed"]);
    println!("repository: {}", if opts.keep { repo.display().to_string() } else { "(temporary)".into() });
    println!();

    // 2. End to end.
    let load_before = load_average();
    let has_diff = cli_has_diff(&bin);
    let self_exe = std::env::current_exe().expect("own path");
    let mut e2e: Vec<ProcessRun> = Vec::new();
    let mut cli_failure = None;
    if has_diff {
        for _ in 0..opts.runs {
            let run = timed_process(&bin, &["diff", "HEAD~1", "HEAD"], repo);
            if !run.success {
                cli_failure = Some(run.stderr_tail);
                e2e.clear();
                break;
            }
            e2e.push(run);
        }
    }
    let cli_measured = !e2e.is_empty();

    // 3. Stages, each run in a fresh child process.
    let mut stage_runs: Vec<Vec<StageLine>> = Vec::new();
    let mut child_runs: Vec<ProcessRun> = Vec::new();
    for _ in 0..opts.runs {
        let run = timed_process(&self_exe, &["--child", &repo.display().to_string()], repo);
        assert!(run.success, "pipeline child failed: {}", run.stderr_tail);
        stage_runs.push(run.stdout.lines().filter_map(StageLine::parse).collect());
        child_runs.push(run);
    }

    println!("## End to end ({} runs)", opts.runs);
    println!();
    if !has_diff {
        println!("The release binary has no `diff` subcommand yet (checked `schemashift --help`): measured the library pipeline.");
        println!();
    }
    if let Some(err) = &cli_failure {
        println!("`schemashift diff HEAD~1 HEAD` failed, measured the library pipeline instead: {err}");
        println!();
    }
    println!("| what | wall min | wall median | CPU (user+sys) median | peak RSS (max) |");
    println!("|---|---:|---:|---:|---:|");
    let row = |label: &str, runs: &[ProcessRun]| {
        let walls: Vec<Duration> = runs.iter().map(|r| r.wall).collect();
        let cpus: Vec<Duration> = runs.iter().filter_map(|r| r.cpu).collect();
        let rss = runs.iter().filter_map(|r| r.max_rss_kb).max();
        println!(
            "| {label} | {:.0} ms | {:.0} ms | {} | {} |",
            ms(min(&walls)),
            ms(median(&walls)),
            if cpus.is_empty() { "n/a".into() } else { format!("{:.0} ms", ms(median(&cpus))) },
            rss.map_or("n/a".into(), |k| format!("{:.0} MB", k as f64 / 1024.0))
        );
    };
    if cli_measured {
        row("`schemashift diff HEAD~1 HEAD` (release binary)", &e2e);
    }
    row("library stages below, one child process (diffs twice more, measures)", &child_runs);
    if !cli_measured {
        e2e = child_runs;
    }
    let walls: Vec<Duration> = e2e.iter().map(|r| r.wall).collect();
    let worst_rss_kb = e2e.iter().filter_map(|r| r.max_rss_kb).max();
    let worst_rss_mb = worst_rss_kb.map_or(0.0, |k| k as f64 / 1024.0);
    let time_ms = ms(min(&walls));
    println!();
    println!(
        "Budget (< 1000 ms, < 300 MB): {} — best wall {time_ms:.0} ms, peak RSS {worst_rss_mb:.0} MB{}",
        if time_ms < 1000.0 && worst_rss_mb < 300.0 { "within" } else { "OVER" },
        if cli_measured { "" } else { " (stages that exist so far)" }
    );
    println!("Load average before / after: {load_before} / {}", load_average());
    println!();
    if let Some(run) = e2e.first().filter(|_| cli_measured) {
        println!("The migration it prints (up):");
        println!();
        println!("```sql\n{}```", run.stdout);
        println!();
    }

    println!("## Stages ({} runs, each in a fresh process)", opts.runs);
    println!();
    println!("| stage | status | wall min | wall median | CPU median | heap peak (median) | VmHWM after (max) |");
    println!("|---|---|---:|---:|---:|---:|---:|");
    let names: Vec<String> = stage_runs[0].iter().map(|l| l.name.clone()).collect();
    for name in &names {
        let lines: Vec<&StageLine> = stage_runs.iter().filter_map(|r| r.iter().find(|l| &l.name == name)).collect();
        let status = &lines[0].status;
        let walls: Vec<Duration> = lines.iter().map(|l| l.wall).collect();
        let cpus: Vec<Duration> = lines.iter().map(|l| l.cpu).collect();
        let mut heaps: Vec<usize> = lines.iter().map(|l| l.heap).collect();
        heaps.sort();
        let hwm = lines.iter().map(|l| l.hwm_kb).max().unwrap_or(0);
        if status.starts_with("ok") {
            println!(
                "| {name} | {status} | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} MB | {:.0} MB |",
                ms(min(&walls)),
                ms(median(&walls)),
                ms(median(&cpus)),
                heaps[heaps.len() / 2] as f64 / 1e6,
                hwm as f64 / 1024.0
            );
        } else {
            println!("| {name} | {status} | – | – | – | – | – |");
        }
    }
    println!();

    // 4. Parse scaling.
    if opts.scaling {
        println!("## Parse scaling (read_files on one revision, in process, best of 3 by CPU time)");
        println!();
        println!("| tables | MB of DDL | statements | wall | CPU | CPU µs per table |");
        println!("|---:|---:|---:|---:|---:|---:|");
        for tables in [opts.tables / 4, opts.tables / 2, opts.tables] {
            let g = schema_gen::generate(
                if tables == 5000 { schema_gen::Config::large() } else { schema_gen::Config::with_tables(tables) },
                false,
            );
            let set = FileSet {
                label: format!("{tables} tables"),
                commit: None,
                files: g
                    .files
                    .iter()
                    .map(|(p, t)| SourceFile { path: p.clone(), bytes: t.as_bytes().to_vec(), blob_id: None })
                    .collect(),
                root: None,
            };
            let best = (0..3)
                .map(|_| {
                    let (r, c) = measured(|| schemashift::read::read_files(&set, Dialect::Postgres));
                    r.expect("the generated schema reads");
                    c
                })
                .min_by_key(|c| c.cpu)
                .unwrap();
            println!(
                "| {tables} | {:.2} | {} | {:.0} ms | {:.0} ms | {:.0} |",
                g.bytes() as f64 / 1e6,
                g.stats.statements,
                ms(best.wall),
                ms(best.cpu),
                best.cpu.as_micros() as f64 / tables as f64
            );
        }
        println!();
    }
    // 5. Where the reader's time goes.
    if opts.scaling {
        breakdown(&old);
    }

    if opts.keep {
        let kept = dir.keep();
        println!("kept {}", kept.display());
    }
}

// ------------------------------------------------------------ parse breakdown

/// Floors under the reader (splitting, tokenizing, sqlparser) and the cost of
/// the model lookups that scan every table, measured on the full model.
fn breakdown(g: &schema_gen::Generated) {
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;
    use sqlparser::tokenizer::Tokenizer;

    println!("## Where the reader's time goes (one revision, in process, CPU time)");
    println!();
    let set = FileSet {
        label: "old".into(),
        commit: None,
        files: g.files.iter().map(|(p, t)| SourceFile { path: p.clone(), bytes: t.as_bytes().to_vec(), blob_id: None }).collect(),
        root: None,
    };
    let (read, full) = measured(|| schemashift::read::read_files(&set, Dialect::Postgres));
    let (model, _) = read.expect("the generated schema reads");

    let (statements, split) = measured(|| {
        g.files.iter().flat_map(|(_, t)| schemashift::dialect::postgres::split::split_statements(t).expect("splits")).collect::<Vec<_>>()
    });
    let dialect = PostgreSqlDialect {};
    let (tokens, tokenize) = measured(|| {
        statements.iter().map(|st| Tokenizer::new(&dialect, st.text).tokenize_with_location().map_or(0, |t| t.len())).sum::<usize>()
    });
    let (failed, parse) = measured(|| statements.iter().filter(|st| Parser::parse_sql(&dialect, st.text).is_err()).count());

    println!("| step | CPU | share of read_files |");
    println!("|---|---:|---:|");
    let share = |c: &Cost| format!("{:.0} %", 100.0 * c.cpu.as_secs_f64() / full.cpu.as_secs_f64());
    println!("| read_files (the whole reader) | {:.0} ms | 100 % |", ms(full.cpu));
    println!("| split_statements, all files ({} statements) | {:.0} ms | {} |", statements.len(), ms(split.cpu), share(&split));
    println!("| sqlparser tokenize, each statement once ({tokens} tokens) | {:.0} ms | {} |", ms(tokenize.cpu), share(&tokenize));
    println!(
        "| sqlparser parse_sql, each statement once ({failed} rejected) | {:.0} ms | {} |",
        ms(parse.cpu),
        share(&parse)
    );
    println!();

    // Lookups that scan every table: a name that exists nowhere is the case
    // the reader hits on every generated name it tries, and on every CREATE INDEX.
    let calls = 2000;
    let missing = schemashift::model::QName::new("sales", "no_such_relation");
    let per_call = |c: Cost| c.cpu.as_secs_f64() * 1e6 / calls as f64;
    let (_, fi) = measured(|| (0..calls).filter(|_| model.find_index(std::hint::black_box(&missing)).is_some()).count());
    let (_, fc) =
        measured(|| (0..calls).filter(|_| model.find_constraint(std::hint::black_box("sales"), "no_such_constraint").is_some()).count());
    let (_, re) = measured(|| (0..calls).filter(|_| model.relation_exists(std::hint::black_box(&missing))).count());
    let s = &g.stats;
    // Calls the reader makes (at least; a taken first candidate adds more):
    // every CREATE INDEX checks find_index; every unnamed index and implicit
    // sequence tries relation_exists; every unnamed constraint tries
    // find_constraint and relation_exists.
    let find_index_calls = s.indexes;
    let relation_exists_calls = s.unnamed_indexes + s.sequences + s.unnamed_constraints;
    let find_constraint_calls = s.unnamed_constraints;
    // The model grows while it is read: on average a lookup sees half of it.
    let estimate_ms = (find_index_calls as f64 * per_call(fi)
        + relation_exists_calls as f64 * per_call(re)
        + find_constraint_calls as f64 * per_call(fc))
        / 2.0
        / 1000.0;
    println!("| lookup on the final model ({} tables), name absent | CPU per call | calls while reading (≥) |", model.tables.len());
    println!("|---|---:|---:|");
    println!("| Schema::find_index | {:.1} µs | {find_index_calls} |", per_call(fi));
    println!("| Schema::relation_exists | {:.1} µs | {relation_exists_calls} |", per_call(re));
    println!("| Schema::find_constraint | {:.1} µs | {find_constraint_calls} |", per_call(fc));
    println!();
    println!(
        "What these scans would cost if the reader made them for every name it tries (calls × cost at half size): {estimate_ms:.0} ms = {:.0} % of read_files. (It no longer does: it checks a set of the names taken first.)",
        100.0 * estimate_ms / ms(full.cpu)
    );
    println!();
}

// ------------------------------------------------------------ helpers

struct StageLine {
    name: String,
    status: String,
    wall: Duration,
    cpu: Duration,
    heap: usize,
    hwm_kb: u64,
}

impl StageLine {
    fn parse(line: &str) -> Option<StageLine> {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != 7 || f[0] != "STAGE" {
            return None;
        }
        Some(StageLine {
            name: f[1].into(),
            status: f[2].into(),
            wall: Duration::from_nanos(f[3].parse().ok()?),
            cpu: Duration::from_nanos(f[4].parse().ok()?),
            heap: f[5].parse().ok()?,
            hwm_kb: f[6].parse().ok()?,
        })
    }
}


fn cli_has_diff(bin: &Path) -> bool {
    let out = Command::new(bin).arg("--help").output().expect("run schemashift --help");
    String::from_utf8_lossy(&out.stdout).lines().any(|l| l.trim_start().starts_with("diff "))
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| c.lines().find_map(|l| l.strip_prefix("model name").map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())))
        .unwrap_or_else(|| "unknown CPU".into());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| m.lines().next().and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok()))
        .map_or("?".into(), |k| format!("{:.1} GB", k as f64 / 1024.0 / 1024.0));
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cpus} CPUs ({cpu}), {mem} RAM")
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or("?".into(), |l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn min(v: &[Duration]) -> Duration {
    v.iter().copied().min().unwrap_or_default()
}

fn median(v: &[Duration]) -> Duration {
    let mut v = v.to_vec();
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}
