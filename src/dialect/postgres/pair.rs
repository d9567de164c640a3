//! Reading the two sides of a comparison together.
//!
//! Between two revisions most schema files are the same (in a large schema
//! with one changed table, all but one). What depends on a statement's text
//! alone — its tokens and sqlparser's parse, most of the cost of reading — is
//! then made once for both readers ([`Prepared`]); applying it to each model
//! still happens statement by statement in each reader, since that depends
//! on everything read before (generated names, search_path, deferred
//! statements).
//!
//! Files are applied in path order, so the files that come before the first
//! one that differs (a common prefix) leave both readers in the same state:
//! the old side's reader reads them alone and the new side's starts from a
//! copy of its state ([`PgReader::fork`]); meanwhile the new side's thread
//! prepares statements for it.
//!
//! The two readers run on two threads. Each takes the prepared statements it
//! needs in order; when the one it needs next is being prepared by the other
//! thread, it prepares one further ahead instead of waiting, so the shared
//! work is split between the threads. A reader that runs far ahead of the
//! other waits rather than pile up parses for it: memory stays that of two
//! models and a few hundred statements.

use super::read::prepare::Prepared;
use super::read::{self as postgres, Applied, PgReader};
use super::split::RawStatement;
use crate::error::{Result, Warning};
use crate::model::Schema;
use crate::source::{FileSet, SourceFile};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// Statements are prepared in runs of this many (of one file): threads meet
/// once per run, not once per statement, which matters on a busy machine,
/// where a thread that waits loses its turn on the CPU.
const CHUNK: usize = 48;
/// How many runs a reader looks ahead for one to prepare while the one it
/// needs is being prepared by the other reader.
const LOOKAHEAD: usize = 4;
/// How many runs of the files both read a reader may be ahead of the other.
const MAX_AHEAD: usize = 6;
/// How many runs ahead of the old side's reader the new side's thread
/// prepares while it waits for the common prefix to be read.
const HELP_AHEAD: usize = 6;

type Read = (Schema, Vec<Warning>);

/// Reads the old and the new side of SQL files, as [`super::files::read_schema`]
/// reads each. The old side's error wins when both fail, as when they are
/// read in turn.
pub fn read_pair(old: &FileSet, new: &FileSet) -> Result<(Read, Read)> {
    let old_files = sorted(&old.files);
    let new_files = sorted(&new.files);
    let prefix = old_files.iter().zip(&new_files).take_while(|(a, b)| a.path == b.path && a.bytes == b.bytes).count();
    let mut units = Vec::new();
    let old_side = side(&old_files, &mut units, None, 0);
    let new_side = side(&new_files, &mut units, Some(&old_side), prefix);
    let pool = Pool::new(units);
    let (old_read, new_read) = std::thread::scope(|s| {
        let new_read = s.spawn(|| read_side(&new_side, &pool, 1, prefix, &old_side.order));
        let old_read = read_side(&old_side, &pool, 0, prefix, &[]);
        (old_read, new_read.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    });
    Ok((old_read?, new_read?))
}

/// A statement that referred to a table not read yet, to apply at the end.
type Deferred<'a> = (&'a str, &'a RawStatement<'a>, crate::model::QName);

/// The old side's reader after the common prefix, for the new side.
struct Fork<'a> {
    reader: PgReader,
    deferred: Vec<Deferred<'a>>,
}

fn sorted(files: &[SourceFile]) -> Vec<&SourceFile> {
    let mut files: Vec<&SourceFile> = files.iter().collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// One file of one side: its statements (or why it cannot be read) and the
/// runs of them that are prepared together.
struct File<'a> {
    source: &'a SourceFile,
    statements: Arc<Result<Vec<RawStatement<'a>>>>,
    chunks: std::ops::Range<usize>,
}

struct Side<'a> {
    files: Vec<File<'a>>,
    /// The runs of statements in the order this side applies them.
    order: Vec<usize>,
}

/// The files of one side as runs of statements to prepare. A file with the
/// same path and bytes as one of `other`'s is split once: its runs are the
/// same for both. The first `skip` files are not this side's to read (the
/// common prefix).
fn side<'a>(files: &[&'a SourceFile], chunks: &mut Vec<Chunk<'a>>, other: Option<&Side<'a>>, skip: usize) -> Side<'a> {
    let mut out = Side { files: Vec::new(), order: Vec::new() };
    for &source in &files[skip..] {
        let same = other.and_then(|o| o.files.iter().find(|f| f.source.path == source.path && f.source.bytes == source.bytes));
        let (statements, range) = match same {
            Some(f) => {
                for chunk in &mut chunks[f.chunks.clone()] {
                    chunk.uses += 1;
                }
                (f.statements.clone(), f.chunks.clone())
            }
            None => {
                let statements = Arc::new(super::files::statements_of(source));
                let first = chunks.len();
                if let Ok(stmts) = statements.as_ref() {
                    chunks.extend(stmts.chunks(CHUNK).map(|run| Chunk { texts: run.iter().map(|s| s.text).collect(), uses: 1 }));
                }
                (statements, first..chunks.len())
            }
        };
        out.order.extend(range.clone());
        out.files.push(File { source, statements, chunks: range });
    }
    out
}

/// One side's reader, as [`super::files::read_schema`] reads, with prepared
/// statements from the pool. The old side's (`me` 0) hands its state after
/// the first `prefix` files to the new side's, which starts from there
/// (its side has no files before) and prepares `old_order` meanwhile.
fn read_side<'a>(side: &'a Side<'a>, pool: &Pool<'a>, me: usize, prefix: usize, old_order: &[usize]) -> Result<Read> {
    let _done = Finished { pool, me };
    let (mut reader, mut deferred) = if me == 1 && prefix > 0 {
        match pool.await_fork(old_order) {
            Some(Fork { reader, deferred }) => (reader, deferred),
            // The old side failed before: its error is the one reported.
            None => return Err(crate::error::Error::internal("the old side was not read")),
        }
    } else {
        (PgReader::new(), Vec::new())
    };
    let mut next = 0;
    for (i, file) in side.files.iter().enumerate() {
        if me == 0 && i == prefix && prefix > 0 {
            pool.publish_fork(Fork { reader: reader.fork(), deferred: deferred.clone() });
        }
        let statements = file.statements.as_ref().as_ref().map_err(Clone::clone)?;
        for (run, _) in statements.chunks(CHUNK).zip(file.chunks.clone()) {
            let prepared = pool.take(&side.order, next, me);
            next += 1;
            for (st, prepared) in run.iter().zip(prepared.iter()) {
                if let Applied::MissingTable(t) = reader.apply_prepared(&file.source.path, st, prepared)? {
                    deferred.push((file.source.path.as_str(), st, t));
                }
            }
        }
    }
    if me == 0 && side.files.len() == prefix && prefix > 0 {
        pool.publish_fork(Fork { reader: reader.fork(), deferred: deferred.clone() });
    }
    super::files::apply_deferred(&mut reader, deferred)?;
    let PgReader { mut schema, warnings, .. } = reader;
    let resolution = postgres::finish(&mut schema);
    postgres::validate::validate(&schema, &resolution)?;
    Ok((schema, warnings))
}

/// Statement texts to prepare together, and for how many readers.
struct Chunk<'a> {
    texts: Vec<&'a str>,
    uses: usize,
}

type Run = Arc<Vec<Prepared>>;

enum Slot {
    Empty,
    /// Being prepared by one of the readers.
    Claimed,
    /// Prepared; `left` readers have yet to take it, `first` took it first.
    Ready { prepared: Run, left: usize, first: Option<usize> },
    Taken,
}

struct State<'a> {
    slots: Vec<Slot>,
    /// Per reader: statements it took that the other reader has still to take.
    ahead: [usize; 2],
    /// Per reader: how many runs of its order it has taken.
    taken: [usize; 2],
    finished: [bool; 2],
    fork: Option<Fork<'a>>,
}

struct Pool<'a> {
    units: Vec<Chunk<'a>>,
    state: Mutex<State<'a>>,
    changed: Condvar,
}

impl<'a> Pool<'a> {
    fn new(units: Vec<Chunk<'a>>) -> Pool<'a> {
        let slots = units.iter().map(|_| Slot::Empty).collect();
        let state = State { slots, ahead: [0; 2], taken: [0; 2], finished: [false; 2], fork: None };
        Pool { units, state: Mutex::new(state), changed: Condvar::new() }
    }

    fn lock(&self) -> MutexGuard<'_, State<'a>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn publish_fork(&self, fork: Fork<'a>) {
        self.lock().fork = Some(fork);
        self.changed.notify_all();
    }

    /// Waits for the old side's state after the common prefix, preparing
    /// the runs the old side's reader will take next meanwhile. None when the
    /// old side ended without it (an error).
    fn await_fork(&self, old_order: &[usize]) -> Option<Fork<'a>> {
        let mut state = self.lock();
        loop {
            if let Some(fork) = state.fork.take() {
                return Some(fork);
            }
            if state.finished[0] {
                return None;
            }
            let from = state.taken[0].min(old_order.len());
            let ahead = old_order[from..].iter().take(HELP_AHEAD).copied().find(|&u| matches!(state.slots[u], Slot::Empty));
            state = match ahead {
                Some(u) => self.prepare(state, u),
                None => self.changed.wait(state).unwrap_or_else(|e| e.into_inner()),
            };
        }
    }

    /// The prepared statements of run `order[at]` of reader `me`.
    fn take(&self, order: &[usize], at: usize, me: usize) -> Run {
        let unit = order[at];
        let mut state = self.lock();
        state.taken[me] = at + 1;
        if me == 0 {
            // The other thread may be waiting to prepare runs after this one.
            self.changed.notify_all();
        }
        loop {
            let other_finished = state.finished[1 - me];
            match &mut state.slots[unit] {
                Slot::Ready { prepared, left, first } => {
                    let prepared = prepared.clone();
                    *left -= 1;
                    if *left > 0 {
                        *first = Some(me);
                        state.ahead[me] += 1;
                    } else {
                        let first = *first;
                        state.slots[unit] = Slot::Taken;
                        if let Some(f) = first {
                            state.ahead[f] -= 1;
                            self.changed.notify_all();
                        }
                    }
                    return prepared;
                }
                Slot::Empty => {
                    let other = 1 - me;
                    if self.units[unit].uses > 1 && state.ahead[me] >= MAX_AHEAD && !state.finished[other] {
                        state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
                        continue;
                    }
                    state = self.prepare(state, unit);
                }
                // Claimed by a reader that ended (it panicked): prepare it here.
                Slot::Claimed if other_finished => state = self.prepare(state, unit),
                Slot::Claimed => {
                    // Prepare one of the next statements meanwhile, if the other reader has not.
                    let ahead = order[at + 1..].iter().take(LOOKAHEAD).copied().find(|&u| matches!(state.slots[u], Slot::Empty));
                    match ahead {
                        Some(u) => state = self.prepare(state, u),
                        None => state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner()),
                    }
                }
                // Only if a unit were taken more often than counted: prepare it again.
                Slot::Taken => return Arc::new(self.units[unit].texts.iter().map(|t| Prepared::new(t)).collect()),
            }
        }
    }

    /// Prepares `unit` outside the lock.
    fn prepare<'s>(&'s self, mut state: MutexGuard<'s, State<'a>>, unit: usize) -> MutexGuard<'s, State<'a>> {
        state.slots[unit] = Slot::Claimed;
        drop(state);
        let Chunk { texts, uses } = &self.units[unit];
        let uses = *uses;
        let prepared = Arc::new(texts.iter().map(|t| Prepared::new(t)).collect());
        let mut state = self.lock();
        state.slots[unit] = Slot::Ready { prepared, left: uses, first: None };
        self.changed.notify_all();
        state
    }
}

/// Marks a reader finished however it ends, so that the other never waits for it.
struct Finished<'p, 'a> {
    pool: &'p Pool<'a>,
    me: usize,
}

impl Drop for Finished<'_, '_> {
    fn drop(&mut self) {
        self.pool.lock().finished[self.me] = true;
        self.pool.changed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Dialect;

    fn set(files: &[(&str, &str)]) -> FileSet {
        FileSet {
            label: "test".into(),
            commit: None,
            files: files.iter().map(|(p, t)| SourceFile { path: p.to_string(), bytes: t.as_bytes().to_vec(), blob_id: None }).collect(),
            root: None,
        }
    }

    /// What reading each side on its own gives, as text: models (locations
    /// included) and warnings, or the error.
    fn alone(files: &FileSet) -> String {
        match crate::read::read_files(files, Dialect::Postgres) {
            Ok((schema, warnings)) => format!("{schema:?}\n{warnings:?}"),
            Err(e) => format!("error {e}"),
        }
    }

    fn together(old: &FileSet, new: &FileSet) -> (String, String) {
        match read_pair(old, new) {
            Ok(((o, ow), (n, nw))) => (format!("{o:?}\n{ow:?}"), format!("{n:?}\n{nw:?}")),
            Err(e) => (format!("error {e}"), String::new()),
        }
    }

    /// Many tables with unnamed constraints and indexes, whose names depend
    /// on what was read before.
    fn tables(prefix: &str, n: usize) -> String {
        (0..n)
            .map(|i| {
                format!(
                    "CREATE TABLE {prefix}_{i} (id serial PRIMARY KEY, code text UNIQUE, n int CHECK (n > 0), parent int REFERENCES {prefix}_0);\n\
                     CREATE INDEX ON {prefix}_{i} (lower(code));\nCOMMENT ON TABLE {prefix}_{i} IS 'table {i}';\n"
                )
            })
            .collect()
    }

    #[test]
    fn same_models_and_warnings_as_reading_each_side_alone() {
        let shared = tables("t", 700);
        let old_only = format!("{}\nCREATE TABLE t_1_code (x int);\n", tables("gone", 3));
        let changed_old = "CREATE TABLE c (a int);\nALTER TABLE late ADD COLUMN b int;\n";
        let changed_new = "CREATE TABLE c (a int, z int UNIQUE);\nALTER TABLE late ADD COLUMN b int;\nCREATE AGGREGATE agg (int) (sfunc = int4pl, stype = int);\n";
        let old = set(&[("a.sql", &shared), ("b.sql", changed_old), ("c.sql", &old_only), ("d.sql", "CREATE TABLE late (a int);")]);
        let new = set(&[("a.sql", &shared), ("b.sql", changed_new), ("d.sql", "CREATE TABLE late (a int);"), ("e.sql", &tables("added", 5))]);
        let (o, n) = together(&old, &new);
        assert_eq!(o, alone(&old));
        assert_eq!(n, alone(&new));
        // Reversed: the shared file is now the new side's first.
        let (o, n) = together(&new, &old);
        assert_eq!(o, alone(&new));
        assert_eq!(n, alone(&old));
    }

    #[test]
    fn a_common_prefix_is_read_once_and_forked() {
        // Names generated in the prefix (t_1_code_key, …) and the deferred
        // ALTER must carry over to the new side's reader.
        let early = format!("{}\nALTER TABLE later ADD COLUMN b int UNIQUE;\nSET search_path = other, public;\n", tables("t", 400));
        let later = "CREATE SCHEMA other;\nCREATE TABLE later (a int);\nCREATE TABLE other.x (code text UNIQUE);\n";
        let old = set(&[("a.sql", &early), ("b.sql", later), ("c.sql", "CREATE TABLE t_5_code_key1 (a int);")]);
        let new = set(&[("a.sql", &early), ("b.sql", later), ("c.sql", "CREATE TABLE t_5_code_key1 (a int, b int);")]);
        let (o, n) = together(&old, &new);
        assert_eq!(o, alone(&old));
        assert_eq!(n, alone(&new));
        // Everything the same; one side with a file more after the prefix, or fewer.
        let (o, n) = together(&old, &old);
        assert_eq!((o.as_str(), n.as_str()), (alone(&old).as_str(), alone(&old).as_str()));
        let more = set(&[("a.sql", &early), ("b.sql", later), ("c.sql", "CREATE TABLE t_5_code_key1 (a int);"), ("d.sql", "CREATE TABLE d (a int);")]);
        let (o, n) = together(&old, &more);
        assert_eq!((o, n), (alone(&old), alone(&more)));
        let (o, n) = together(&more, &old);
        assert_eq!((o, n), (alone(&more), alone(&old)));
        // An error inside the prefix is the old side's.
        let bad = set(&[("a.sql", "CREATE TABLE broken (a int,, b int);"), ("b.sql", later)]);
        let bad_new = set(&[("a.sql", "CREATE TABLE broken (a int,, b int);"), ("b.sql", "CREATE TABLE z (a int);")]);
        assert_eq!(together(&bad, &bad_new).0, alone(&bad));
    }

    #[test]
    fn the_error_is_the_one_reading_in_turn_gives() {
        let shared = tables("t", 200);
        let bad = "CREATE TABLE broken (a int,, b int);";
        let old = set(&[("a.sql", &shared), ("b.sql", bad)]);
        let new = set(&[("a.sql", &shared), ("b.sql", "CREATE TABLE fine (a int);")]);
        assert_eq!(together(&old, &new).0, alone(&old));
        assert_eq!(together(&new, &old).0, alone(&old));
        let both_bad = set(&[("a.sql", "CREATE TABLE x (a int REFERENCES nowhere_else);\nALTER TABLE missing ADD COLUMN a int;")]);
        assert_eq!(together(&both_bad, &old).0, alone(&both_bad));
        let unterminated = set(&[("a.sql", &shared), ("z.sql", "CREATE TABLE q (a text DEFAULT 'open);")]);
        assert_eq!(together(&new, &unterminated).0, alone(&unterminated));
    }
}
