//! A throwaway PostgreSQL 15 server shared by every test of one test binary.
//!
//! DESIGN.md asks for one server per test run and one database per case: an
//! `initdb` costs about a second, a `CREATE DATABASE` on a server with
//! `fsync=off` and its data directory on `/dev/shm` costs a few milliseconds.
//! [`server`] starts the server lazily the first time a test asks for it.
//!
//! # Stopping it
//!
//! Rust runs no destructors for statics and offers no `atexit` without `libc`,
//! so the test process cannot reliably stop the server itself. Instead, right
//! after the server is up, a small watchdog shell is started in its own session
//! (`setsid`, so a Ctrl-C to the test's process group does not kill it first):
//! it polls the test process with `kill -0` once a second, and when that
//! process is gone (normal exit, panic, SIGKILL alike) it runs
//! `pg_ctl stop -m immediate` and removes the data directory. The server is
//! therefore gone at most about a second after the test binary exits.
//!
//! # Skipping
//!
//! A test that needs the server does not run when the server binaries are
//! missing and the `CI` environment variable is unset: in `tests/it` it is
//! marked `#[cfg_attr(pg_missing, ignore = "…")]`, a cfg `build.rs` sets with
//! the same search ([`super::pg_find`]); in `tests/external` it declares
//! `Need::Postgres`. Either way it is reported as ignored, with the reason.
//! Under `CI`, missing binaries are a failure. A server that is present but
//! fails to start is always a failure: that is a broken machine, not a
//! missing tool.
//!
//! [`server`] returns `None` only to an ignored test run on purpose
//! (`--ignored`, `--include-ignored`), which then returns early with a
//! notice. Reaching it without the binaries otherwise is a failure that
//! names the cause: a test not marked as needing the server (it would pass
//! without having run), or a build whose decision no longer holds. A test
//! that only uses the server when there is one calls [`optional_server`].
//!
//! # Running as root
//!
//! PostgreSQL refuses to run as root. When the tests run as root (containers),
//! `initdb` and `pg_ctl` run as `nobody:nogroup` through
//! `setpriv --reuid=nobody --regid=nogroup --clear-groups` (or `runuser -u
//! nobody --` when setpriv is missing), and the server's directory is chowned to
//! that user. The clients (`psql`, `pg_dump`) connect over the Unix socket as
//! the `postgres` superuser with trust authentication, whoever runs them.
//!
//! # Roles
//!
//! Roles are cluster-wide, so a schema file cannot create them idempotently
//! (and `pg_dump` never dumps them). Like a real deployment, where roles exist
//! before the schema is loaded, the server is created with the roles the
//! fixtures grant to: [`ROLES`].

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use super::pg_find;

/// Roles created at server start for fixtures that `GRANT` to them.
pub const ROLES: &[&str] = &["app_user", "reporting"];

/// Keep the data directory on `/dev/shm` only when this much is free there.
const SHM_MIN_FREE_KB: u64 = 512 * 1024;

/// The superuser created by `initdb -U`.
const SUPERUSER: &str = "postgres";

/// A running throwaway server. Obtain it with [`server`].
#[derive(Debug)]
pub struct PgServer {
    /// Directory with `psql` and `pg_dump` of the server's version.
    bin_dir: PathBuf,
    /// Holds `data/`, `server.log` and the Unix socket.
    base_dir: PathBuf,
    port: u16,
    next_db: AtomicUsize,
}

/// The shared server, started on first use, for a test that needs it.
/// `None` only when PostgreSQL 15 is missing, `CI` is unset and the test was
/// run although ignored (`--ignored`, `--include-ignored`): the caller should
/// return early.
///
/// # Panics
/// When PostgreSQL 15 is missing under `CI`, or reached by a test that runs
/// although it should be ignored (see the module documentation); always when
/// PostgreSQL is present but does not start.
pub fn server() -> Option<&'static PgServer> {
    let server = optional_server();
    if server.is_none() {
        check_missing_server_is_expected();
    }
    server
}

/// The shared server for a test that uses it when there is one (and does
/// its other checks either way): `None` when PostgreSQL 15 is not installed
/// and `CI` is unset.
///
/// # Panics
/// Under `CI` when PostgreSQL 15 is missing, and always when it is present but
/// does not start.
pub fn optional_server() -> Option<&'static PgServer> {
    static SERVER: OnceLock<Result<Option<PgServer>, String>> = OnceLock::new();
    // The outcome, failure included, is stored once: a failed start must not be
    // retried (and fail slowly) by every test thread.
    match SERVER.get_or_init(start) {
        Ok(server) => server.as_ref(),
        Err(message) => panic!("{message}"),
    }
}

/// The text of the tests' ignore marks (`tests/it`), repeated in each
/// attribute since an attribute cannot name a constant.
pub const IGNORE_REASON: &str = "needs PostgreSQL 15 server binaries (initdb, pg_ctl) — not found; set CI=1 to make this a failure";

/// PostgreSQL 15 is missing and `CI` unset, and a test asks for the server:
/// fine when ignored tests were asked for, otherwise a panic naming the cause.
fn check_missing_server_is_expected() {
    if std::env::args().any(|a| a == "--ignored" || a == "--include-ignored") {
        eprintln!("skipping: PostgreSQL 15 not found (set CI to make this fail)");
        return;
    }
    if cfg!(pg_missing) {
        panic!(
            "this test needs PostgreSQL 15, which is missing, but is not marked as needing it, so it would pass \
             without having run: give it #[cfg_attr(pg_missing, ignore = \"{IGNORE_REASON}\")] (tests/it) or \
             Need::Postgres (tests/external), or call pg::optional_server if it only uses the server when there is one"
        );
    }
    let found: Vec<PathBuf> = pg_find::dirs_with_binaries(|v| std::env::var_os(v)).collect();
    if found.is_empty() {
        panic!(
            "PostgreSQL's server binaries are missing, which they were not when this test binary was built (so the \
             tests that need them are not ignored): build again (cargo does when CI, SCHEMASHIFT_PG_BIN or PATH \
             changed; touch build.rs when PostgreSQL was removed) so that build.rs decides again. (In tests/external: \
             this test lacks Need::Postgres.)"
        );
    }
    panic!(
        "PostgreSQL's server binaries are in {found:?}, but none are version 15 (build.rs only checks that the files \
         exist, so the tests that need them are not ignored): install postgresql-15, or point {} at its bin directory",
        pg_find::OVERRIDE_VAR
    );
}

fn start() -> Result<Option<PgServer>, String> {
    let Some(bin_dir) = find_bin_dir() else {
        if std::env::var_os("CI").is_some() {
            let looked_in = match std::env::var_os(pg_find::OVERRIDE_VAR).filter(|d| !d.is_empty()) {
                Some(dir) => format!("${} = {}", pg_find::OVERRIDE_VAR, dir.to_string_lossy()),
                None => format!("{} and PATH", pg_find::DEBIAN_BIN_DIR),
            };
            return Err(format!(
                "PostgreSQL 15 not found (looked in {looked_in} for {} of version 15) and CI is set: install \
                 postgresql-15 and postgresql-contrib",
                pg_find::NEEDED.join(", ")
            ));
        }
        return Ok(None);
    };
    PgServer::start(bin_dir).map(Some).map_err(|e| format!("could not start the test PostgreSQL server: {e}"))
}

/// The directory holding the server binaries and the clients of version 15
/// (`None` when they are not installed; no server is started): the first of
/// [`pg_find::dirs_with_binaries`] whose `postgres` says it is 15.
pub fn find_bin_dir() -> Option<PathBuf> {
    pg_find::dirs_with_binaries(|v| std::env::var_os(v)).find(|dir| {
        Command::new(dir.join("postgres"))
            .arg("--version")
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(") 15."))
    })
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// The prefix that runs a server program as an unprivileged user when we are root.
fn unprivileged_prefix() -> Vec<String> {
    if !is_root() {
        return Vec::new();
    }
    if which("setpriv").is_some() {
        ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"].map(String::from).to_vec()
    } else {
        ["runuser", "-u", "nobody", "--"].map(String::from).to_vec()
    }
}

fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(program)).find(|p| p.is_file())
}

/// Where the data directory goes: `/dev/shm` when it has room, else the temp dir.
fn scratch_root() -> PathBuf {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        let free_kb = Command::new("df")
            .args(["-Pk", "/dev/shm"])
            .output()
            .ok()
            .and_then(|o| {
                let text = String::from_utf8_lossy(&o.stdout).into_owned();
                text.lines().nth(1)?.split_whitespace().nth(3)?.parse::<u64>().ok()
            })
            .unwrap_or(0);
        if free_kb >= SHM_MIN_FREE_KB {
            return shm.to_path_buf();
        }
    }
    std::env::temp_dir()
}

fn unique_dir(root: &Path) -> Result<PathBuf, String> {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    for attempt in 0..100u32 {
        let dir = root.join(format!("schemashift-pg-{}-{nanos:x}-{attempt}", std::process::id()));
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("cannot create {}: {e}", dir.display())),
        }
    }
    Err(format!("cannot create a unique directory in {}", root.display()))
}

/// A port number for the socket name `.s.PGSQL.<port>`. With
/// `listen_addresses=''` nothing listens on TCP; a port the kernel just handed
/// out is still the least surprising choice for anyone reading `ps`.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(54329)
}

fn run(cmd: &mut Command) -> Result<Output, String> {
    let shown = format!("{cmd:?}");
    let out = cmd.output().map_err(|e| format!("cannot run {shown}: {e}"))?;
    if out.status.success() {
        Ok(out)
    } else {
        Err(format!(
            "{shown} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn command(prefix: &[String], program: &Path) -> Command {
    match prefix.split_first() {
        None => Command::new(program),
        Some((first, rest)) => {
            let mut c = Command::new(first);
            c.args(rest).arg(program);
            c
        }
    }
}

impl PgServer {
    fn start(bin_dir: PathBuf) -> Result<PgServer, String> {
        let base_dir = unique_dir(&scratch_root())?;
        let prefix = unprivileged_prefix();
        if !prefix.is_empty() {
            run(Command::new("chown").args(["-R", "nobody:nogroup"]).arg(&base_dir))?;
        }
        let data = base_dir.join("data");
        let port = free_port();

        run(command(&prefix, &bin_dir.join("initdb"))
            .current_dir(&base_dir)
            .arg("-D")
            .arg(&data)
            .args(["-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"]))?;

        // Every setting here trades durability for speed: the data is thrown away.
        let options = format!(
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c listen_addresses='' \
             -c unix_socket_directories='{}' -p {port} -c max_connections=200 -c autovacuum=off \
             -c max_wal_size=4GB -c checkpoint_timeout=1h -c timezone=UTC",
            base_dir.display()
        );
        let log = base_dir.join("server.log");
        let started = run(command(&prefix, &bin_dir.join("pg_ctl"))
            .current_dir(&base_dir)
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(&log)
            .args(["-w", "-t", "60", "-s", "-o", &options, "start"]));
        if let Err(e) = started {
            let server_log = std::fs::read_to_string(&log).unwrap_or_default();
            return Err(format!("{e}\nserver log {}:\n{server_log}", log.display()));
        }
        spawn_watchdog(&prefix, &bin_dir.join("pg_ctl"), &base_dir);

        let server = PgServer { bin_dir, base_dir, port, next_db: AtomicUsize::new(0) };
        let roles: String = ROLES.iter().map(|r| format!("CREATE ROLE {r} NOLOGIN;\n")).collect();
        server.psql_file("postgres", &roles)?;
        Ok(server)
    }

    /// The directory of the Unix socket (pass as `-h`).
    // socket_dir and port: for the runners' connection URLs (tests/external),
    // unused in the tests/it binary, which goes through `client`.
    #[allow(dead_code)]
    pub fn socket_dir(&self) -> &Path {
        &self.base_dir
    }

    #[allow(dead_code)]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A client command (`psql`, `pg_dump`) aimed at this server, with the
    /// caller's `PG*` environment removed so that it cannot redirect the test.
    pub fn client(&self, program: &str, db: &str) -> Command {
        let mut c = Command::new(self.bin_dir.join(program));
        for var in ["PGHOST", "PGHOSTADDR", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD", "PGSERVICE", "PGOPTIONS", "PGSSLMODE", "PGCLUSTER"] {
            c.env_remove(var);
        }
        c.env("PGTZ", "UTC").env("PGCLIENTENCODING", "UTF8");
        c.arg("-h").arg(&self.base_dir).arg("-p").arg(self.port.to_string()).args(["-U", SUPERUSER, "-d", db]);
        c
    }

    /// Creates an empty database named after `prefix` plus a counter, unique
    /// for the whole run (safe to call from many test threads at once).
    ///
    /// # Panics
    /// When the server refuses, which only a broken server does.
    pub fn create_database(&self, prefix: &str) -> String {
        let n = self.next_db.fetch_add(1, Ordering::Relaxed);
        let mut stem: String = prefix
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
            .take(48)
            .collect();
        if stem.is_empty() || stem.starts_with(|c: char| c.is_ascii_digit()) {
            stem.insert_str(0, "db_");
        }
        let name = format!("{stem}_{n}");
        self.query("postgres", &format!("CREATE DATABASE \"{name}\""))
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name} failed: {e}"));
        name
    }

    /// Drops a database, disconnecting whoever is still using it.
    pub fn drop_database(&self, db: &str) {
        let name = db.replace('"', "\"\"");
        self.query("postgres", &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .unwrap_or_else(|e| panic!("DROP DATABASE {db} failed: {e}"));
    }

    /// Runs a script like `psql -f`, stopping at the first error.
    /// Returns what psql printed, or its error output (with the line number).
    pub fn psql_file(&self, db: &str, sql_text: &str) -> Result<String, String> {
        let mut cmd = self.client("psql", db);
        cmd.args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"]);
        run_with_stdin(cmd, sql_text.as_bytes())
    }

    /// Runs one statement and returns its unaligned, tuples-only output
    /// (`psql -At`), without the final newline.
    pub fn query(&self, db: &str, sql: &str) -> Result<String, String> {
        let mut cmd = self.client("psql", db);
        cmd.args(["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql]);
        let mut out = run_with_stdin(cmd, b"")?;
        if out.ends_with('\n') {
            out.pop();
        }
        Ok(out)
    }

    /// `pg_dump` with extra arguments (e.g. Rails' `-s -x -O`).
    pub fn pg_dump(&self, db: &str, args: &[&str]) -> Result<String, String> {
        let mut cmd = self.client("pg_dump", db);
        cmd.args(args);
        run_with_stdin(cmd, b"")
    }

    /// `pg_dump --schema-only` of a database, as a client would write it to a file.
    ///
    /// # Panics
    /// When pg_dump fails.
    pub fn pg_dump_schema(&self, db: &str) -> String {
        self.pg_dump(db, &["--schema-only"]).unwrap_or_else(|e| panic!("pg_dump --schema-only {db} failed: {e}"))
    }
}

fn run_with_stdin(mut cmd: Command, input: &[u8]) -> Result<String, String> {
    let shown = format!("{:?}", cmd.get_program());
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {shown}: {e}"))?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    // Write from another thread: a big script and a big answer would otherwise
    // deadlock on full pipes.
    let output = std::thread::scope(|s| {
        s.spawn(move || {
            // psql may exit early (ON_ERROR_STOP) and close its end; that error is reported below.
            let _ = stdin.write_all(input);
        });
        child.wait_with_output()
    })
    .map_err(|e| format!("{shown}: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if output.status.success() {
        Ok(stdout)
    } else {
        Err(format!("{shown} failed ({}): {}{stdout}", output.status, String::from_utf8_lossy(&output.stderr)))
    }
}

/// Stops the server and removes its directory once this process is gone.
fn spawn_watchdog(prefix: &[String], pg_ctl: &Path, base_dir: &Path) {
    const SCRIPT: &str = r#"
        while kill -0 "$1" 2>/dev/null; do sleep 1; done
        shift 3
        "$@" -D "$BASE/data" stop -m immediate -s
        rm -rf "$BASE"
    "#;
    let mut cmd = match which("setsid") {
        Some(setsid) => {
            let mut c = Command::new(setsid);
            c.arg("sh");
            c
        }
        None => Command::new("sh"),
    };
    cmd.arg("-c")
        .arg(format!("BASE=\"$2\"; {SCRIPT}"))
        .arg("schemashift-pg-watchdog")
        .arg(std::process::id().to_string())
        .arg(base_dir)
        .arg("-") // placeholder so that `shift 3` leaves the stop command
        .args(prefix)
        .arg(pg_ctl)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Err(e) = cmd.spawn() {
        eprintln!("warning: cannot start the watchdog that stops the test server ({e}); stop it by hand: {}", base_dir.display());
    }
}
