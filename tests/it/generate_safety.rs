//! Outside text cannot become live code in a generated file.
//!
//! `generate` runs on `--no-index` paths, a `--name` and object names that
//! hold a line break followed by `DROP TABLE users;` (and comment
//! terminators, quotes, heredoc terminators, runner markers, backslashes,
//! non-ASCII), for every format. Then real parsers judge each file written:
//! the SQL files are tokenized with sqlparser (the statement must not appear
//! outside comments, quoted identifiers and strings) and run through
//! PostgreSQL 15, after which `users` must still exist; the Python files are
//! parsed and tokenized by Python; the Ruby file by Ruby's own lexer
//! (Ripper) when Ruby is installed; the runbooks are checked for the one
//! structure Markdown could give them. The runners' own line-based readings
//! (goose, sql-migrate, dbmate, Liquibase, Atlas, Flyway) are checked too:
//! no line but the format's own markers reads as a directive.
//!
//! A missing python3 or Ruby skips that check with a notice, unless `CI` is
//! set; the PostgreSQL run is a test of its own, ignored without PostgreSQL.

use crate::support;

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer, Whitespace};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The statement that must never run.
const PAYLOAD: &str = "DROP TABLE users;";

const OLD: &str = "CREATE TABLE users (id bigint PRIMARY KEY, name text);\n";

/// The new schema: a table whose name, and a comment whose text, hold the
/// payload on a line of its own, a heredoc terminator, quotes of every kind.
const NEW: &str = "CREATE TABLE users (id bigint PRIMARY KEY, name text);\n\
CREATE TABLE \"evil\nDROP TABLE users;\nSQL\n\"\"\"\"\"\" '''\" (id int);\n\
COMMENT ON TABLE users IS 'x\nDROP TABLE users; */ \"\"\" '''' #{1} \\ é\nSQL';\n";

/// A path segment (no `/`) holding a line break and the payload, and what
/// every comment language or runner could take for something of its own.
fn nasty_segment(side: &str) -> String {
    format!(
        "{side}\n{PAYLOAD}\n-- *\u{2028}\r\nSQL\n\"\"\" ''' #{{`id`}} ${{x}} +goose Down +migrate Up migrate:down atlas:txmode none \
         -*- coding: latin-1 -*- \\ é ``` <b>x</b> [a](b)"
    )
}

/// Writes `text` to `<side…>/<…>/schema.sql` below `work` and returns the
/// path relative to `work`: two nasty segments, so the path holds `*/` too.
fn schema_at(work: &Path, side: &str, text: &str) -> String {
    let rel = format!("{}/{}/schema.sql", nasty_segment(side), nasty_segment("x"));
    let path = work.join(&rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    rel
}

const FORMATS: &[(&str, &str)] = &[
    ("plain", "migrations"),
    ("golang-migrate", "migrations"),
    ("goose", "migrations"),
    ("dbmate", "db/migrations"),
    ("flyway", "migrations"),
    ("refinery", "migrations"),
    ("sqlx", "migrations"),
    ("sqlx-simple", "migrations"),
    ("diesel", "migrations"),
    ("sql-migrate", "migrations"),
    ("atlas", "migrations"),
    ("liquibase", "changelog"),
    ("prisma", "prisma/migrations"),
    ("rails", "db/migrate"),
    ("django", "notes/migrations"),
    ("alembic", "alembic/versions"),
];

/// Generates the migration in `format` below a fresh work directory.
/// Returns the work directory and the files written, relative to it.
fn generate(format: &str, dir: &str) -> (tempfile::TempDir, Vec<PathBuf>) {
    let work = tempfile::tempdir().unwrap();
    let old = schema_at(work.path(), "old", OLD);
    let new = schema_at(work.path(), "new", NEW);
    let out = Command::new(env!("CARGO_BIN_EXE_schemashift"))
        .args(["generate", "--no-index", &old, &new, "--framework", format, "--dir", dir])
        .args(["--name", &format!("x\n{PAYLOAD}\n\"\"\"")])
        .current_dir(work.path())
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .unwrap();
    assert!(out.status.success(), "{format}: {}", String::from_utf8_lossy(&out.stderr));
    let files: Vec<PathBuf> = walkdir::WalkDir::new(work.path().join(dir))
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(work.path()).unwrap().to_path_buf())
        .collect();
    assert!(!files.is_empty(), "{format}: nothing written");
    (work, files)
}

/// Whether a tool is installed; when it is not, `CI` makes that a failure
/// and otherwise the check is skipped with a notice.
fn tool(program: &str, what: &str) -> bool {
    let found = Command::new("sh").args(["-c", &format!("command -v {program}")]).output().is_ok_and(|o| o.status.success());
    if !found {
        assert!(std::env::var_os("CI").is_none(), "{program} is not installed, and CI is set");
        eprintln!("skipping {what}: {program} is not installed");
    }
    found
}

fn is_down(path: &Path) -> bool {
    let name = path.file_name().unwrap().to_string_lossy();
    name.contains(".down.") || name == "down.sql" || name.starts_with('U')
}

// ---------------------------------------------------------------- SQL

/// The tokens of `sql` outside comments and whitespace; panics when
/// sqlparser cannot tokenize it.
fn live_tokens(sql: &str, file: &str) -> Vec<Token> {
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, sql).tokenize().unwrap_or_else(|e| panic!("{file}: {e}"));
    for t in &tokens {
        if let Token::Whitespace(Whitespace::SingleLineComment { comment, .. }) = t {
            let body = comment.strip_suffix('\n').unwrap_or(comment);
            assert!(!body.contains(['\n', '\r']), "{file}: a comment spans lines: {comment:?}");
        }
    }
    tokens.into_iter().filter(|t| !matches!(t, Token::Whitespace(_))).collect()
}

/// Panics when the live tokens hold `DROP TABLE users`.
fn assert_no_live_payload(sql: &str, file: &str) {
    let tokens = live_tokens(sql, file);
    let word = |t: &Token, w: &str| matches!(t, Token::Word(x) if x.quote_style.is_none() && x.value.eq_ignore_ascii_case(w));
    for window in tokens.windows(3) {
        assert!(
            !(word(&window[0], "DROP") && word(&window[1], "TABLE") && word(&window[2], "users")),
            "{file}: the injected statement is live SQL:\n{sql}"
        );
    }
}

/// The lines a runner reads as directives, which must all be the format's own.
fn assert_runner_reads_only_its_markers(format: &str, text: &str, file: &str) {
    let lines = text.split(['\n', '\r']);
    let bad: Vec<&str> = match format {
        "goose" => {
            let own = ["-- +goose Up", "-- +goose Down", "-- +goose StatementBegin", "-- +goose StatementEnd", "-- +goose NO TRANSACTION"];
            lines.filter(|l| l.trim().starts_with("--") && l.contains("+goose") && !own.contains(l)).collect()
        }
        "sql-migrate" => {
            let own = ["-- +migrate Up", "-- +migrate Down", "-- +migrate StatementBegin", "-- +migrate StatementEnd"];
            lines.filter(|l| l.starts_with("-- +") && !own.contains(l)).collect()
        }
        "dbmate" => lines
            .filter(|l| l.strip_prefix("--").is_some_and(|r| r.trim_start().starts_with("migrate:")))
            .filter(|l| !["-- migrate:up", "-- migrate:down"].contains(l))
            .collect(),
        "liquibase" => {
            let comments = text.lines().filter(|l| l.starts_with("--comment:")).count();
            assert_eq!(comments, 1, "{file}: one comment line");
            lines
                .filter(|l| l.trim_start().starts_with('-'))
                .filter(|l| !["--liquibase formatted sql", "--changeset ", "--comment: ", "--rollback "].iter().any(|p| l.starts_with(p)))
                .collect()
        }
        // Atlas reads directives in the comment block at the top of a file.
        "atlas" => text.split("\n\n").next().unwrap().lines().filter(|l| l.contains("atlas:") && *l != "-- atlas:txmode none").collect(),
        "flyway" => lines.filter(|l| l.contains("${")).collect(),
        _ => Vec::new(),
    };
    assert!(bad.is_empty(), "{file}: {format} would read these lines as its own: {bad:?}");
}

/// The SQL files of every format that writes SQL, ups before downs (so that
/// they run in an order that applies), in the work directory they were
/// written to.
fn sql_files() -> Vec<(&'static str, tempfile::TempDir, Vec<PathBuf>)> {
    let mut all = Vec::new();
    for &(format, dir) in FORMATS {
        let (work, files) = generate(format, dir);
        let mut sql_files: Vec<PathBuf> = files.into_iter().filter(|f| f.extension().is_some_and(|e| e == "sql")).collect();
        if matches!(format, "rails" | "django" | "alembic") {
            assert!(sql_files.is_empty(), "{format}: {sql_files:?}");
            continue;
        }
        assert!(!sql_files.is_empty(), "{format}: no SQL file written");
        sql_files.sort_by_key(|f| (is_down(f), f.to_path_buf()));
        all.push((format, work, sql_files));
    }
    all
}

#[test]
fn sql_files_hold_the_injected_text_only_in_comments_and_quotes() {
    for (format, work, files) in sql_files() {
        for f in files {
            let text = std::fs::read_to_string(work.path().join(&f)).unwrap();
            let name = format!("{format}: {}", f.display());
            assert!(text.contains(PAYLOAD), "{name}: the test needs the payload in the file:\n{text}");
            assert_no_live_payload(&text, &name);
            assert_runner_reads_only_its_markers(format, &text, &name);
        }
    }
}

#[test]
#[cfg_attr(pg_missing, ignore = "needs PostgreSQL 15 server binaries (initdb, pg_ctl) — not found; set CI=1 to make this a failure")]
fn sql_files_run_on_postgresql_without_dropping_users() {
    let Some(server) = support::pg::server() else { return };
    for (format, work, files) in sql_files() {
        let db = server.create_database("safety");
        server.psql_file(&db, OLD).unwrap();
        for f in files {
            let text = std::fs::read_to_string(work.path().join(&f)).unwrap();
            let name = format!("{format}: {}", f.display());
            assert!(text.contains(PAYLOAD), "{name}: the test needs the payload in the file:\n{text}");
            server.psql_file(&db, &text).unwrap_or_else(|e| panic!("{name} does not run: {e}\n{text}"));
            let users = server.query(&db, "SELECT count(*) FROM pg_class WHERE oid = 'public.users'::regclass").unwrap();
            assert_eq!(users, "1", "{name}: users was dropped");
        }
    }
}

// ---------------------------------------------------------------- Python

/// Parses the file with Python and checks, token by token, that every
/// occurrence of the payload lies inside a string literal or a comment, and
/// that the file declares no encoding but UTF-8.
const PYTHON_CHECK: &str = r#"
import ast, io, sys, tokenize
path, payload = sys.argv[1], sys.argv[2]
src = open(path, 'rb').read()
encoding, _ = tokenize.detect_encoding(io.BytesIO(src).readline)
assert encoding == 'utf-8', f'{path}: declares the encoding {encoding}'
text = src.decode('utf-8')
ast.parse(text, filename=path)
starts = [0]
for line in text.splitlines(keepends=True):
    starts.append(starts[-1] + len(line))
def offset(pos):
    return starts[pos[0] - 1] + pos[1]
quoted = []
for tok in tokenize.generate_tokens(io.StringIO(text).readline):
    if tok.type in (tokenize.STRING, tokenize.COMMENT):
        quoted.append((offset(tok.start), offset(tok.end)))
    if tok.type == tokenize.COMMENT:
        assert '\n' not in tok.string and '\r' not in tok.string, tok
at = text.find(payload)
while at >= 0:
    if not any(a <= at and at + len(payload) <= b for a, b in quoted):
        sys.exit(f'{path}: {payload!r} at offset {at} is live code')
    at = text.find(payload, at + 1)
"#;

#[test]
fn python_files_hold_the_injected_text_only_in_strings_and_comments() {
    if !tool("python3", "the Python parser checks") {
        return;
    }
    for &(format, dir) in FORMATS.iter().filter(|(f, _)| matches!(*f, "django" | "alembic")) {
        let (work, files) = generate(format, dir);
        for f in files.iter().filter(|f| f.extension().is_some_and(|e| e == "py")) {
            let path = work.path().join(f);
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(text.contains(PAYLOAD), "{format}: the test needs the payload in the file:\n{text}");
            let out = Command::new("python3").args(["-c", PYTHON_CHECK]).arg(&path).arg(PAYLOAD).output().unwrap();
            assert!(out.status.success(), "{format}: {}\n{text}", String::from_utf8_lossy(&out.stderr));
        }
    }
}

// ---------------------------------------------------------------- Ruby

/// `ruby -c`, then Ripper's tokens: every occurrence of the payload inside
/// string content (a heredoc body) or a comment, and the source encoding
/// still UTF-8 after Ruby has read the magic comments.
const RUBY_CHECK: &str = r##"
require 'ripper'
path, payload = ARGV
src = File.read(path, encoding: 'UTF-8')
ripper = Ripper.new(src)
ripper.parse
abort "#{path}: Ruby reads it as #{ripper.encoding}" unless ripper.encoding == Encoding::UTF_8
abort "#{path}: syntax error" if ripper.error?
starts = [0]
src.each_line { |l| starts << starts.last + l.bytesize }
quoted = []
Ripper.lex(src).each do |(line, col), type, tok, _|
  next unless [:on_tstring_content, :on_comment].include?(type)
  abort "#{path}: a comment spans lines: #{tok.inspect}" if type == :on_comment && tok.chomp.include?("\n")
  a = starts[line - 1] + col
  quoted << [a, a + tok.bytesize]
end
bytes = src.b
at = bytes.index(payload.b)
while at
  abort "#{path}: #{payload.inspect} at byte #{at} is live code" unless quoted.any? { |a, b| a <= at && at + payload.bytesize <= b }
  at = bytes.index(payload.b, at + 1)
end
"##;

#[test]
fn the_rails_file_holds_the_injected_text_only_in_heredocs_and_comments() {
    let (work, files) = generate("rails", "db/migrate");
    let path = work.path().join(&files[0]);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(PAYLOAD), "the test needs the payload in the file:\n{text}");
    // Without Ruby, the structure the escaping guarantees: one comment line
    // on top, the class on the third.
    assert!(text.lines().next().unwrap().starts_with("# Generated by schemashift"), "{text}");
    assert!(text.lines().nth(2).unwrap().starts_with("class XDropTableUsers < ActiveRecord::Migration["), "{text}");
    if !tool("ruby", "the Ruby parser checks") {
        return;
    }
    let syntax = Command::new("ruby").arg("-c").arg(&path).output().unwrap();
    assert!(syntax.status.success(), "ruby -c: {}\n{text}", String::from_utf8_lossy(&syntax.stderr));
    let out = Command::new("ruby").args(["-e", RUBY_CHECK]).arg(&path).arg(PAYLOAD).output().unwrap();
    assert!(out.status.success(), "{}\n{text}", String::from_utf8_lossy(&out.stderr));
}

// ---------------------------------------------------------------- Markdown

/// The runbook's structure: a title, paragraphs of text (no raw HTML, no
/// line starting markup), and one fenced block holding the down SQL, closed
/// on its last line.
fn assert_runbook_structure(text: &str, file: &str) {
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("# Rolling back "), "{file}:\n{text}");
    let open = lines.iter().position(|l| l.starts_with("```")).unwrap_or_else(|| panic!("{file}: no code block:\n{text}"));
    let fence = lines[open].chars().take_while(|c| *c == '`').count();
    let close = lines[open + 1..]
        .iter()
        .position(|l| {
            let t = l.trim();
            t.len() >= fence && t.chars().all(|c| c == '`')
        })
        .map(|p| open + 1 + p)
        .unwrap_or_else(|| panic!("{file}: the code block is not closed:\n{text}"));
    assert_eq!(close, lines.len() - 1, "{file}: the code block closes early:\n{text}");
    assert!(lines[open + 1..close].iter().any(|l| l.contains(PAYLOAD)), "{file}: the test needs the payload in the SQL:\n{text}");
    for (i, line) in lines[1..open].iter().enumerate() {
        let raw_html = line.char_indices().any(|(at, c)| c == '<' && !line[..at].ends_with('\\'));
        let starts_markup = line.starts_with(['#', '>', '-', '*', '+', '|', '`', '<', ' ']) || line.starts_with(PAYLOAD);
        assert!(!raw_html && !starts_markup, "{file}: line {} is markup: {line:?}", i + 2);
    }
}

#[test]
fn runbooks_hold_the_injected_text_only_as_text_and_code() {
    for &(format, dir) in FORMATS {
        let (work, files) = generate(format, dir);
        for f in files.iter().filter(|f| f.to_string_lossy().ends_with("rollback.md")) {
            let text = std::fs::read_to_string(work.path().join(f)).unwrap();
            assert_runbook_structure(&text, &format!("{format}: {}", f.display()));
        }
        // The change's runbook: the payload only in code blocks or escaped
        // text, never a line of markup of its own; every fence closed.
        let runbooks: Vec<_> = files.iter().filter(|f| f.to_string_lossy().ends_with("runbook.md")).collect();
        assert_eq!(runbooks.len(), 1, "{format}: {files:?}");
        let text = std::fs::read_to_string(work.path().join(runbooks[0])).unwrap();
        let mut fence: Option<usize> = None;
        for line in text.lines() {
            let ticks = line.trim_start().chars().take_while(|c| *c == '`').count();
            match fence {
                Some(open) if ticks >= open && line.trim().chars().all(|c| c == '`') => fence = None,
                Some(_) => {}
                None if ticks >= 3 => fence = Some(ticks),
                // A line of its own would be markup (a heading, HTML): the
                // payload may only follow the runbook's own text on a line.
                None => assert!(
                    !line.starts_with(PAYLOAD) && !line.starts_with('<') && !line.starts_with("SQL"),
                    "{format}: the payload makes a line of its own:\n{line}"
                ),
            }
        }
        assert!(fence.is_none() && !text.contains('\r'), "{format}: a code block is left open:\n{text}");
        // The other files without a language of their own: fixed text or
        // generated names only.
        for f in files.iter().filter(|f| !f.extension().is_some_and(|e| ["sql", "md", "py", "rb"].contains(&e.to_str().unwrap()))) {
            let text = std::fs::read_to_string(work.path().join(f)).unwrap();
            assert!(!text.contains(PAYLOAD) && !text.contains('\r'), "{format}: {}:\n{text}", f.display());
        }
    }
}
