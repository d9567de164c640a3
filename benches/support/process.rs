//! Running the release binary as a child process and measuring it: wall
//! time from spawn to exit, CPU time and peak RSS from GNU time (or VmHWM
//! polled from /proc when GNU time is missing). Shared by the benches.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One run of a child process.
pub struct ProcessRun {
    pub success: bool,
    pub wall: Duration,
    /// User + system time, from GNU time.
    pub cpu: Option<Duration>,
    pub max_rss_kb: Option<u64>,
    pub stdout: String,
    pub stderr_tail: String,
}

/// VmHWM (peak resident set) of a process, in kB.
pub fn vm_hwm_kb(pid: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs `program args` in `cwd`: wall time from spawn to exit, and peak RSS
/// from GNU time when installed, else from VmHWM polled every millisecond.
pub fn timed_process(program: &Path, args: &[&str], cwd: &Path) -> ProcessRun {
    let gnu_time = Path::new("/usr/bin/time");
    let rss_file = tempfile::NamedTempFile::new().expect("temporary file");
    let mut cmd = if gnu_time.exists() {
        let mut c = Command::new(gnu_time);
        c.arg("-v").arg("-o").arg(rss_file.path()).arg(program);
        c
    } else {
        Command::new(program)
    };
    cmd.args(args).current_dir(cwd).stdout(Stdio::piped()).stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn().expect("spawn");
    let pid = child.id().to_string();
    // Drain the pipes on threads so a large output cannot block the child.
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let out_thread = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut out_pipe, &mut s).ok();
        s
    });
    let err_thread = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut err_pipe, &mut s).ok();
        s
    });
    let mut polled: Option<u64> = None;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if !gnu_time.exists()
            && let Some(k) = vm_hwm_kb(&pid)
        {
            polled = Some(polled.map_or(k, |p| p.max(k)));
        }
        std::thread::sleep(Duration::from_micros(500));
    };
    let wall = start.elapsed();
    let stdout = out_thread.join().unwrap();
    let stderr = err_thread.join().unwrap();
    let report = std::fs::read_to_string(rss_file.path()).unwrap_or_default();
    let field = |name: &str| -> Option<f64> {
        report.lines().find_map(|l| l.trim().strip_prefix(name)).and_then(|v| v.trim().parse().ok())
    };
    let max_rss_kb = if gnu_time.exists() { field("Maximum resident set size (kbytes):").map(|k| k as u64) } else { polled };
    let cpu = match (field("User time (seconds):"), field("System time (seconds):")) {
        (Some(u), Some(s)) => Some(Duration::from_secs_f64(u + s)),
        _ => None,
    };
    let tail: String = stderr.lines().rev().take(3).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join(" / ");
    ProcessRun { success: status.success(), wall, cpu, max_rss_kb, stdout, stderr_tail: tail }
}

