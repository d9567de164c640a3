//! `schemashift github comment` against a fake GitHub API: one sticky
//! comment, created then edited; found on a later page; trimmed to the
//! limit; 401, 403 and 404 told apart; 502 and rate limits retried; a POST
//! whose answer is lost never doubled; and the token in no output.

use crate::github_fake::{FakeGithub, OWNER_REPO, PR, Scripted};
use assert_cmd::Command;
use std::path::Path;

/// Unlike anything else the runs print, so that finding it anywhere is a leak.
pub const TOKEN: &str = "ghs_t0k3nThatMustNeverBePrinted9";
const MARKER: &str = "<!-- schemashift:comment -->";

pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// The environment a workflow step has, pointing at `api`: the event
/// payload of pull request [`PR`] written into `dir`.
pub fn github_env(dir: &Path, api: &str, token: &str) -> Vec<(String, String)> {
    let event = dir.join("event.json");
    std::fs::write(&event, format!(r#"{{"action": "synchronize", "number": {PR}, "pull_request": {{"number": {PR}}}}}"#)).unwrap();
    [
        ("GITHUB_TOKEN", token),
        ("GITHUB_REPOSITORY", OWNER_REPO),
        ("GITHUB_EVENT_PATH", event.to_str().unwrap()),
        ("GITHUB_API_URL", api),
        // Waits scaled to nothing: the retries are counted, not timed.
        ("SCHEMASHIFT_GITHUB_RETRY_SCALE", "0"),
        // A proxy set on the machine must not carry requests to 127.0.0.1.
        ("NO_PROXY", "127.0.0.1,localhost"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// `schemashift github comment --body-file <body>` with `env` and nothing
/// else of this process's environment; checks that the token is in no output.
fn comment(dir: &Path, env: &[(String, String)], body: &str, extra: &[&str]) -> Run {
    let file = dir.join("comment.md");
    std::fs::write(&file, body).unwrap();
    let mut cmd = Command::cargo_bin("schemashift").unwrap();
    cmd.env_clear().current_dir(dir).args(["github", "comment", "--body-file", "comment.md"]).args(extra);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let run = Run { code: out.status.code(), stdout: String::from_utf8_lossy(&out.stdout).into(), stderr: String::from_utf8_lossy(&out.stderr).into() };
    assert_no_token(&run);
    run
}

pub fn assert_no_token(run: &Run) {
    assert!(!run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN), "the token was printed:\n{}\n{}", run.stdout, run.stderr);
}

fn setup() -> (tempfile::TempDir, FakeGithub, Vec<(String, String)>) {
    let dir = tempfile::tempdir().unwrap();
    let api = FakeGithub::start(TOKEN);
    let env = github_env(dir.path(), &api.url, TOKEN);
    (dir, api, env)
}

fn methods(api: &FakeGithub) -> Vec<String> {
    api.calls().into_iter().map(|(m, _)| m).collect()
}

#[test]
fn the_first_run_creates_the_comment_and_later_runs_edit_the_same_one() {
    let (dir, api, env) = setup();
    api.add_comment("LGTM, but see the migration");
    let first = comment(dir.path(), &env, &format!("{MARKER}\nfirst report\n"), &[]);
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    assert!(first.stdout.starts_with("created comment "), "{}", first.stdout);
    assert!(first.stdout.contains(&format!("on {OWNER_REPO}#{PR}: https://github.test/")), "{}", first.stdout);
    assert_eq!(methods(&api), ["GET", "POST"]);
    let token_header = format!("Bearer {TOKEN}");
    assert!(api.requests().iter().all(|r| r.authorization.as_deref() == Some(token_header.as_str())));
    assert!(api.requests()[0].target.ends_with(&format!("/repos/{OWNER_REPO}/issues/{PR}/comments?per_page=100&page=1")));

    let second = comment(dir.path(), &env, &format!("{MARKER}\nsecond report\n"), &[]);
    assert_eq!(second.code, Some(0), "{}", second.stderr);
    assert!(second.stdout.starts_with("updated comment "), "{}", second.stdout);
    let comments = api.comments();
    assert_eq!(comments.len(), 2, "one comment of schemashift's beside the reviewer's");
    assert_eq!(comments[1].body, format!("{MARKER}\nsecond report\n"));
    assert_eq!(methods(&api), ["GET", "POST", "GET", "PATCH"]);
    assert!(api.calls()[3].1.ends_with(&format!("/issues/comments/{}", comments[1].id)));

    // The same body again: nothing to edit.
    let third = comment(dir.path(), &env, &format!("{MARKER}\nsecond report\n"), &[]);
    assert_eq!(third.code, Some(0), "{}", third.stderr);
    assert!(third.stdout.starts_with("unchanged comment "), "{}", third.stdout);
    assert_eq!(methods(&api).len(), 5, "one GET, no PATCH");
}

#[test]
fn a_body_without_the_marker_gets_it_so_that_the_next_run_finds_it() {
    let (dir, api, env) = setup();
    assert_eq!(comment(dir.path(), &env, "plain report\n", &[]).code, Some(0));
    assert_eq!(api.comments()[0].body, format!("{MARKER}\nplain report\n"));
    assert_eq!(comment(dir.path(), &env, "plain report, again\n", &[]).code, Some(0));
    assert_eq!(api.comments().len(), 1);
    assert_eq!(api.comments()[0].body, format!("{MARKER}\nplain report, again\n"));
}

#[test]
fn the_comment_is_found_on_the_second_page_of_a_long_conversation() {
    let (dir, api, env) = setup();
    for i in 0..120 {
        api.add_comment(&format!("comment {i}"));
    }
    // Quoting the marker is not being the comment: the one that starts with it wins.
    api.add_comment(&format!("> about {MARKER} in a review"));
    let ours = api.add_comment(&format!("{MARKER}\nold report\n"));
    for i in 0..30 {
        api.add_comment(&format!("later comment {i}"));
    }
    let run = comment(dir.path(), &env, &format!("{MARKER}\nnew report\n"), &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let calls = api.calls();
    assert_eq!(calls.len(), 3, "{calls:?}");
    assert!(calls[1].1.contains("page=2"), "the Link header's next page was followed: {calls:?}");
    assert_eq!(calls[2], ("PATCH".to_string(), format!("/repos/{OWNER_REPO}/issues/comments/{ours}")));
    assert_eq!(api.comments().len(), 152);
    assert_eq!(api.comments().iter().find(|c| c.id == ours).unwrap().body, format!("{MARKER}\nnew report\n"));
}

#[test]
fn a_body_over_githubs_limit_is_trimmed_and_says_so() {
    let (dir, api, env) = setup();
    let body: String = format!("{MARKER}\n") + &"0123456789abcdefghi\n".repeat(3_500);
    assert_eq!(body.chars().count(), 70_029);
    let run = comment(dir.path(), &env, &body, &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stderr.contains("over GitHub's limit of 65536 characters per comment"), "{}", run.stderr);
    let posted = &api.comments()[0].body;
    assert!(posted.chars().count() <= 65_536, "{}", posted.chars().count());
    assert!(posted.starts_with(MARKER));
    assert!(posted.contains("**Comment trimmed:**") && posted.contains("characters left out"), "{}", &posted[posted.len() - 200..]);
}

#[test]
fn a_bad_token_is_told_as_such_with_exit_74() {
    let (dir, api, mut env) = setup();
    let wrong = "ghs_wrongTokenAlsoSecret000000000";
    env.retain(|(k, _)| k != "GITHUB_TOKEN");
    env.push(("GITHUB_TOKEN".into(), wrong.into()));
    let run = comment(dir.path(), &env, "report", &[]);
    assert_eq!(run.code, Some(74), "{}", run.stderr);
    assert!(run.stderr.starts_with("schemashift: error: GitHub refused the token: 401 Unauthorized"), "{}", run.stderr);
    assert!(run.stderr.contains("invalid or expired"), "{}", run.stderr);
    assert!(!run.stderr.contains(wrong) && !run.stdout.contains(wrong));
    assert_eq!(api.comments().len(), 0);
}

#[test]
fn missing_permissions_are_told_with_what_to_grant() {
    let (dir, api, env) = setup();
    api.script(Scripted::status("POST", 403).body(r#"{"message": "Resource not accessible by integration"}"#));
    let run = comment(dir.path(), &env, "report", &[]);
    assert_eq!(run.code, Some(74), "{}", run.stderr);
    assert!(run.stderr.contains("the token may not do this: 403 Forbidden to POST"), "{}", run.stderr);
    assert!(run.stderr.contains("Resource not accessible by integration"), "{}", run.stderr);
    assert!(run.stderr.contains("pull-requests: write"), "{}", run.stderr);
    assert_eq!(methods(&api), ["GET", "POST"], "a 403 that is no rate limit is not retried");
}

#[test]
fn an_unknown_repository_or_pull_request_is_a_404_error() {
    let (dir, api, env) = setup();
    let run = comment(dir.path(), &env, "report", &["--repo", "acme/elsewhere"]);
    assert_eq!(run.code, Some(74), "{}", run.stderr);
    assert!(run.stderr.contains("not found: 404 to GET /repos/acme/elsewhere/issues/42/comments"), "{}", run.stderr);
    assert!(run.stderr.contains("token that cannot see a private repository"), "{}", run.stderr);
    let run = comment(dir.path(), &env, "report", &["--pr", "7"]);
    assert_eq!(run.code, Some(74), "{}", run.stderr);
    assert_eq!(api.comments().len(), 0);
}

#[test]
fn a_502_is_retried_and_then_succeeds() {
    let (dir, api, env) = setup();
    api.script(Scripted::status("GET", 502));
    api.script(Scripted::status("GET", 503));
    let run = comment(dir.path(), &env, "report", &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(methods(&api), ["GET", "GET", "GET", "POST"]);
    assert!(run.stderr.contains("GitHub answered 502 Bad Gateway to GET /repos/acme/shop/issues/42/comments?per_page=100&page=1; trying again"), "{}", run.stderr);
    assert_eq!(api.comments().len(), 1);
}

#[test]
fn server_errors_that_persist_fail_with_exit_74_after_bounded_tries() {
    let (dir, api, env) = setup();
    for _ in 0..10 {
        api.script(Scripted::status("GET", 500));
    }
    let run = comment(dir.path(), &env, "report", &[]);
    assert_eq!(run.code, Some(74), "{}", run.stderr);
    assert!(run.stderr.contains("GitHub failed: 500 Internal Server Error to GET"), "{}", run.stderr);
    assert!(run.stderr.contains("after 4 tries"), "{}", run.stderr);
    assert_eq!(methods(&api).len(), 4);
}

#[test]
fn a_secondary_rate_limit_is_waited_out() {
    let (dir, api, env) = setup();
    api.script(Scripted::status("POST", 403).header("retry-after", "30").body(r#"{"message": "You have exceeded a secondary rate limit."}"#));
    api.script(Scripted::status("GET", 429).header("x-ratelimit-remaining", "0").header("x-ratelimit-reset", "0"));
    let run = comment(dir.path(), &env, "report", &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(methods(&api), ["GET", "GET", "POST", "POST"]);
    assert!(run.stderr.contains("GitHub answered 403 Forbidden to POST"), "{}", run.stderr);
    assert_eq!(api.comments().len(), 1, "the refused POST created nothing, the retry one comment");
}

#[test]
fn a_post_whose_answer_is_lost_is_not_repeated_blindly() {
    let (dir, api, env) = setup();
    // The comment is created, but the answer is a 502.
    api.script(Scripted::status("POST", 502).acting());
    let run = comment(dir.path(), &env, &format!("{MARKER}\nreport\n"), &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(methods(&api), ["GET", "POST", "GET"], "listed again, found it, done");
    assert_eq!(api.comments().len(), 1, "no duplicate");
    assert!(run.stdout.starts_with("unchanged comment "), "{}", run.stdout);
}

#[test]
fn githubs_words_are_shown_but_never_the_token_they_echo() {
    let (dir, api, env) = setup();
    api.script(Scripted::status("POST", 422).body(&format!(r#"{{"message": "Validation Failed for token {TOKEN}"}}"#)));
    let run = comment(dir.path(), &env, "report", &[]);
    assert_eq!(run.code, Some(74), "{}", run.stderr);
    assert!(run.stderr.contains("Validation Failed for token ***"), "{}", run.stderr);
}

#[test]
fn what_is_missing_from_the_environment_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let env = github_env(dir.path(), "http://127.0.0.1:9", TOKEN);
    let without = |name: &str| env.iter().filter(|(k, _)| k != name).cloned().collect::<Vec<_>>();
    let run = comment(dir.path(), &without("GITHUB_TOKEN"), "report", &[]);
    assert_eq!(run.code, Some(66));
    assert!(run.stderr.contains("GITHUB_TOKEN is not set"), "{}", run.stderr);
    let run = comment(dir.path(), &without("GITHUB_EVENT_PATH"), "report", &[]);
    assert_eq!(run.code, Some(66));
    assert!(run.stderr.contains("pass --pr <number>"), "{}", run.stderr);
    let run = comment(dir.path(), &env, "report", &["--repo", "not a repository"]);
    assert_eq!(run.code, Some(64), "{}", run.stderr);
    let mut cmd = Command::cargo_bin("schemashift").unwrap();
    let out = cmd.env_clear().envs(env.iter().cloned()).current_dir(dir.path()).args(["github", "comment", "--body-file", "missing.md"]).output().unwrap();
    assert_eq!(out.status.code(), Some(66));
    // Nothing listens on port 9: no answer is an I/O error, after retries.
    let run = comment(dir.path(), &env, "report", &[]);
    assert_eq!(run.code, Some(74), "{}", run.stderr);
    assert!(run.stderr.contains("no answer from GitHub to GET"), "{}", run.stderr);
}
