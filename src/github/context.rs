//! Which pull request to comment on, and with what: read from the variables
//! GitHub Actions sets (`GITHUB_API_URL`, `GITHUB_REPOSITORY`,
//! `GITHUB_EVENT_PATH`) and the token the workflow passes (`GITHUB_TOKEN`),
//! the command line winning where it says something.

use crate::error::{Error, Result};
use std::fmt;
use std::path::Path;

/// The API of github.com; GitHub Enterprise Server sets `GITHUB_API_URL`
/// to its own (`https://ghe.example.com/api/v3`).
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// A token, which nothing may print: its `Debug` hides it, and the one way
/// to read it is the header it goes into.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    pub fn new(secret: String) -> Token {
        Token(secret)
    }
    /// The `Authorization` header's value.
    pub fn authorization(&self) -> String {
        format!("Bearer {}", self.0)
    }
    /// `text` with every occurrence of the token replaced: what any message
    /// goes through before it is printed, whatever it quotes.
    pub fn redact(&self, text: &str) -> String {
        if self.0.is_empty() { text.to_string() } else { text.replace(&self.0, "***") }
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

/// The repository and pull request to comment on.
#[derive(Debug, Clone)]
pub struct Target {
    /// Without a trailing `/`.
    pub api: String,
    pub owner: String,
    pub repo: String,
    /// The pull request's number (its issue number: comments on a pull
    /// request's conversation are issue comments).
    pub number: u64,
}

impl Target {
    /// `https://api.github.com/repos/{owner}/{repo}` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}/repos/{}/{}{path}", self.api, self.owner, self.repo)
    }
}

/// What the command line says, overriding the environment.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--repo owner/name`.
    pub repo: Option<String>,
    /// `--pr <number>`.
    pub number: Option<u64>,
}

/// The target and the token, from `env` (a variable's value) and `given`.
pub fn resolve(env: &dyn Fn(&str) -> Option<String>, given: &Overrides) -> Result<(Target, Token)> {
    let var = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    let token = var("GITHUB_TOKEN").ok_or_else(|| {
        Error::no_input("GITHUB_TOKEN is not set: there is no token to post the comment with")
            .help("in a workflow step: `env: GITHUB_TOKEN: ${{ github.token }}` (the action passes its `github-token` input)")
    })?;
    let api = var("GITHUB_API_URL").unwrap_or_else(|| DEFAULT_API_URL.to_string());
    if !(api.starts_with("https://") || api.starts_with("http://")) {
        return Err(Error::usage(format!("GITHUB_API_URL is not an http(s) URL: {api}")));
    }
    let repository = match &given.repo {
        Some(r) => r.clone(),
        None => var("GITHUB_REPOSITORY").ok_or_else(|| {
            Error::no_input("GITHUB_REPOSITORY is not set: which repository is the pull request in?").help("pass --repo owner/name")
        })?,
    };
    let (owner, repo) = split_repository(&repository)?;
    let number = match given.number {
        Some(n) => n,
        None => {
            let path = var("GITHUB_EVENT_PATH").ok_or_else(|| {
                Error::no_input("GITHUB_EVENT_PATH is not set: which pull request is this?").help("pass --pr <number>")
            })?;
            event_number(Path::new(&path))?
        }
    };
    let target = Target { api: api.trim_end_matches('/').to_string(), owner, repo, number };
    Ok((target, Token::new(token)))
}

/// `owner/name`, each part as GitHub allows it (so that it can go into a
/// URL path as it is).
fn split_repository(text: &str) -> Result<(String, String)> {
    let ok = |part: &str| !part.is_empty() && part != "." && part != ".." && part.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    match text.trim().split_once('/') {
        Some((owner, repo)) if ok(owner) && ok(repo) => Ok((owner.to_string(), repo.to_string())),
        _ => Err(Error::usage(format!("the repository must be owner/name, not {text:?}"))),
    }
}

/// The pull request's number in the event payload GitHub Actions writes:
/// `pull_request.number` (pull_request, pull_request_target), `number`,
/// or `issue.number` (an issue_comment on a pull request).
pub fn event_number(path: &Path) -> Result<u64> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::no_input(format!("cannot read the event payload {} (GITHUB_EVENT_PATH): {e}", path.display())))?;
    let event: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Error::data(format!("the event payload {} is not JSON: {e}", path.display())))?;
    let at = |pointer: &str| event.pointer(pointer).and_then(serde_json::Value::as_u64);
    at("/pull_request/number").or_else(|| at("/number")).or_else(|| at("/issue/number")).ok_or_else(|| {
        Error::no_input(format!("the event payload {} names no pull request (no pull_request.number, number or issue.number)", path.display()))
            .help("run on pull_request events, or pass --pr <number>")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    #[test]
    fn the_number_comes_from_any_of_the_event_shapes() {
        let dir = tempfile::tempdir().unwrap();
        for (json, n) in [(r#"{"pull_request": {"number": 7}, "number": 9}"#, 7), (r#"{"number": 9}"#, 9), (r#"{"issue": {"number": 11}}"#, 11)] {
            let path = dir.path().join("event.json");
            std::fs::write(&path, json).unwrap();
            assert_eq!(event_number(&path).unwrap(), n);
        }
        std::fs::write(dir.path().join("push.json"), r#"{"ref": "refs/heads/main"}"#).unwrap();
        assert_eq!(event_number(&dir.path().join("push.json")).unwrap_err().exit_code(), 66);
        std::fs::write(dir.path().join("bad.json"), "{").unwrap();
        assert_eq!(event_number(&dir.path().join("bad.json")).unwrap_err().exit_code(), 65);
        assert_eq!(event_number(&dir.path().join("missing.json")).unwrap_err().exit_code(), 66);
    }

    #[test]
    fn the_environment_names_the_target_and_flags_win() {
        let e = env(&[("GITHUB_TOKEN", "t0k"), ("GITHUB_REPOSITORY", "acme/shop"), ("GITHUB_API_URL", "https://ghe.test/api/v3/")]);
        let (target, token) = resolve(&e, &Overrides { repo: None, number: Some(5) }).unwrap();
        assert_eq!(target.url("/issues/5/comments"), "https://ghe.test/api/v3/repos/acme/shop/issues/5/comments");
        assert_eq!(format!("{token:?}"), "Token(***)");
        assert_eq!(token.redact("Bearer t0k"), "Bearer ***");
        let (target, _) = resolve(&e, &Overrides { repo: Some("o/r".into()), number: Some(1) }).unwrap();
        assert_eq!((target.owner.as_str(), target.repo.as_str(), target.api.as_str()), ("o", "r", "https://ghe.test/api/v3"));
        let default = env(&[("GITHUB_TOKEN", "t"), ("GITHUB_REPOSITORY", "a/b")]);
        assert_eq!(resolve(&default, &Overrides { repo: None, number: Some(1) }).unwrap().0.api, DEFAULT_API_URL);
    }

    #[test]
    fn what_is_missing_or_malformed_is_a_clear_error() {
        let code = |vars: &[(&str, &str)], given: Overrides| resolve(&env(vars), &given).unwrap_err().exit_code();
        assert_eq!(code(&[("GITHUB_REPOSITORY", "a/b")], Overrides { number: Some(1), ..Default::default() }), 66);
        assert_eq!(code(&[("GITHUB_TOKEN", "t")], Overrides { number: Some(1), ..Default::default() }), 66);
        assert_eq!(code(&[("GITHUB_TOKEN", "t"), ("GITHUB_REPOSITORY", "a/b")], Overrides::default()), 66);
        assert_eq!(code(&[("GITHUB_TOKEN", "t"), ("GITHUB_REPOSITORY", "a/b/c")], Overrides { number: Some(1), ..Default::default() }), 64);
        assert_eq!(code(&[("GITHUB_TOKEN", "t"), ("GITHUB_REPOSITORY", "../x")], Overrides { number: Some(1), ..Default::default() }), 64);
    }
}
