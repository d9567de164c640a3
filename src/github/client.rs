//! The REST API, as `github comment` needs it: one request at a time, with
//! the token, retried when GitHub says to try again, and a failure told in
//! words that say what to fix.
//!
//! Retried (a bounded number of times, waits capped, see [`Retry`]): a
//! server error (5xx) and a connection that failed, for requests that are
//! safe to repeat (GET, PATCH); a secondary rate limit (403 or 429 with
//! `retry-after`, or with `x-ratelimit-remaining: 0` and a reset soon) for
//! any request, since GitHub refused it without acting. A POST that failed
//! otherwise may or may not have created its comment: [`Sent::Unsure`]
//! lets the caller look before trying again.
//!
//! The token goes into the `Authorization` header and nowhere else; every
//! message is passed through [`Token::redact`] before it leaves here, and
//! redirects are not followed (a `Location` elsewhere would not get the
//! token, and a moved repository is better told than guessed).

use super::context::Token;
use crate::error::{Error, Result};
use std::time::Duration;

/// GitHub's REST API version this client speaks.
const API_VERSION: &str = "2022-11-28";

/// How often and how long to try again.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    /// Tries of one request in all.
    pub attempts: u32,
    /// The longest wait schemashift accepts: a rate limit that resets later
    /// fails now rather than holding the job.
    pub cap: Duration,
    /// Every wait is multiplied by this (`SCHEMASHIFT_GITHUB_RETRY_SCALE`;
    /// the tests set it to 0).
    pub scale: f64,
}

impl Default for Retry {
    fn default() -> Retry {
        Retry { attempts: 4, cap: Duration::from_secs(60), scale: 1.0 }
    }
}

impl Retry {
    /// The defaults, with `SCHEMASHIFT_GITHUB_RETRY_SCALE` from `env`.
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<Retry> {
        let mut retry = Retry::default();
        if let Some(text) = env("SCHEMASHIFT_GITHUB_RETRY_SCALE") {
            retry.scale = text
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|s| s.is_finite() && *s >= 0.0)
                .ok_or_else(|| Error::usage(format!("SCHEMASHIFT_GITHUB_RETRY_SCALE must be a number 0 or more, not {text:?}")))?;
        }
        Ok(retry)
    }
}

/// A response, read whole.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub body: String,
    /// The `Link` header (pagination).
    pub link: Option<String>,
    retry_after: Option<String>,
    remaining: Option<String>,
    reset: Option<String>,
}

/// What a request that may not be repeated came to.
pub enum Sent {
    /// GitHub answered with success.
    Done(Response),
    /// It failed in a way that may have acted (a server error, a lost
    /// connection): look before trying again.
    Unsure(Error),
}

/// A client of one API with one token.
pub struct Client {
    agent: ureq::Agent,
    token: Token,
    retry: Retry,
    /// Told about each wait (standard error, for the job's log).
    on_wait: Box<dyn Fn(&str)>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Method {
    Get,
    Post,
    Patch,
}

impl Method {
    fn name(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
        }
    }
    /// Whether sending it twice does no more than sending it once.
    fn idempotent(self) -> bool {
        self != Method::Post
    }
}

/// What one try came to.
enum Try {
    Answered(Response),
    /// No answer: the connection failed or timed out.
    Lost(String),
}

impl Client {
    pub fn new(token: Token, retry: Retry, on_wait: Box<dyn Fn(&str)>) -> Client {
        let tls = ureq::tls::TlsConfig::builder().root_certs(ureq::tls::RootCerts::PlatformVerifier).build();
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(Duration::from_secs(30)))
            .user_agent(format!("schemashift/{}", env!("CARGO_PKG_VERSION")))
            .tls_config(tls)
            .build();
        Client { agent: config.into(), token, retry, on_wait }
    }

    /// A request that may be repeated, retried as the module says; success
    /// or the error for the status GitHub gave.
    pub fn send(&self, method: Method, url: &str, body: Option<&str>) -> Result<Response> {
        debug_assert!(method.idempotent());
        match self.send_once_or_more(method, url, body)? {
            Sent::Done(r) => Ok(r),
            Sent::Unsure(e) => Err(e),
        }
    }

    /// A POST: retried only where GitHub refused it without acting (rate limits).
    pub fn post(&self, url: &str, body: &str) -> Result<Sent> {
        self.send_once_or_more(Method::Post, url, Some(body))
    }

    /// Waits before round `round + 1` of looking for what an unsure POST
    /// may have done, saying why.
    pub fn pause(&self, round: u32, why: &str) {
        let wait = backoff(round).min(self.retry.cap).mul_f64(self.retry.scale);
        (self.on_wait)(&self.token.redact(&format!("{why} (in {:.1}s)", wait.as_secs_f64())));
        std::thread::sleep(wait);
    }

    fn send_once_or_more(&self, method: Method, url: &str, body: Option<&str>) -> Result<Sent> {
        let mut attempt = 1;
        loop {
            let outcome = self.try_once(method, url, body);
            let last = attempt >= self.retry.attempts;
            let wait = match &outcome {
                Try::Answered(r) if (200..300).contains(&r.status) => None,
                Try::Answered(r) => rate_limit_wait(r, self.retry.cap).or_else(|| {
                    (r.status >= 500 && method.idempotent()).then(|| backoff(attempt))
                }),
                Try::Lost(_) => method.idempotent().then(|| backoff(attempt)),
            };
            match (outcome, wait) {
                (Try::Answered(r), _) if (200..300).contains(&r.status) => return Ok(Sent::Done(r)),
                (outcome, Some(wait)) if !last => {
                    let wait = wait.min(self.retry.cap).mul_f64(self.retry.scale);
                    let why = match &outcome {
                        Try::Answered(r) => format!("GitHub answered {} {}", r.status, reason(r.status)),
                        Try::Lost(e) => format!("no answer from GitHub ({e})"),
                    };
                    (self.on_wait)(&self.token.redact(&format!(
                        "{why} to {} {}; trying again in {:.1}s (attempt {} of {})",
                        method.name(),
                        path_of(url),
                        wait.as_secs_f64(),
                        attempt + 1,
                        self.retry.attempts
                    )));
                    std::thread::sleep(wait);
                    attempt += 1;
                }
                (Try::Answered(r), _) => {
                    let error = self.failure(method, url, &r, attempt);
                    return if r.status >= 500 && !method.idempotent() { Ok(Sent::Unsure(error)) } else { Err(error) };
                }
                (Try::Lost(e), _) => {
                    let error = Error::io(self.token.redact(&format!("no answer from GitHub to {} {}: {e}", method.name(), url)))
                        .help("check GITHUB_API_URL and the runner's network; GitHub's status page says whether the API is down");
                    return if method.idempotent() { Err(error) } else { Ok(Sent::Unsure(error)) };
                }
            }
        }
    }

    fn try_once(&self, method: Method, url: &str, body: Option<&str>) -> Try {
        let auth = self.token.authorization();
        let result = match method {
            Method::Get => self.agent.get(url).header("Authorization", &auth).header("Accept", "application/vnd.github+json").header("X-GitHub-Api-Version", API_VERSION).call(),
            Method::Post | Method::Patch => {
                let request = if method == Method::Post { self.agent.post(url) } else { self.agent.patch(url) };
                request
                    .header("Authorization", &auth)
                    .header("Accept", "application/vnd.github+json")
                    .header("X-GitHub-Api-Version", API_VERSION)
                    .content_type("application/json")
                    .send(body.unwrap_or("{}"))
            }
        };
        let mut response = match result {
            Ok(r) => r,
            Err(e) => return Try::Lost(self.token.redact(&e.to_string())),
        };
        let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        let (link, retry_after, remaining, reset) = (header("link"), header("retry-after"), header("x-ratelimit-remaining"), header("x-ratelimit-reset"));
        let status = response.status().as_u16();
        let body = match response.body_mut().read_to_string() {
            Ok(b) => b,
            Err(e) => return Try::Lost(self.token.redact(&format!("reading the answer to {} {}: {e}", method.name(), path_of(url)))),
        };
        Try::Answered(Response { status, body, link, retry_after, remaining, reset })
    }

    /// The error for a failed answer, in words that say what to fix.
    fn failure(&self, method: Method, url: &str, r: &Response, attempts: u32) -> Error {
        let said = github_message(&r.body).map(|m| format!(" (GitHub says: {m})")).unwrap_or_default();
        let what = format!("{} {}", method.name(), path_of(url));
        let (message, help) = match r.status {
            401 => (
                format!("GitHub refused the token: 401 Unauthorized to {what}{said}"),
                "the token is invalid or expired: pass the workflow's token (`github-token: ${{ github.token }}`, or GITHUB_TOKEN) or a valid personal access token",
            ),
            403 if is_rate_limited(r) => (
                format!("GitHub's rate limit: 403 Forbidden to {what} after {attempts} tries{said}"),
                "wait for the limit to reset (x-ratelimit-reset), or run fewer jobs with this token at once",
            ),
            403 => (
                format!("the token may not do this: 403 Forbidden to {what}{said}"),
                "give the job `permissions: pull-requests: write` (and `issues: write`); a pull request from a fork gets a read-only token on `pull_request` events",
            ),
            404 => (
                format!("not found: 404 to {what}{said}"),
                "check GITHUB_REPOSITORY and the pull request number; a token that cannot see a private repository gets 404 too (give it `contents: read`)",
            ),
            429 => (format!("GitHub's rate limit: 429 Too Many Requests to {what} after {attempts} tries{said}"), "wait a few minutes and run the job again"),
            301 | 302 | 307 | 308 => (
                format!("GitHub answered {} {} to {what}: the repository has moved{said}", r.status, reason(r.status)),
                "use the repository's new owner/name (GITHUB_REPOSITORY or --repo)",
            ),
            s if s >= 500 => (format!("GitHub failed: {s} {} to {what} after {attempts} tries{said}", reason(s)), "GitHub's status page says whether the API is down; run the job again later"),
            s => (format!("GitHub refused the request: {s} {} to {what}{said}", reason(s)), "this is likely a bug in schemashift; please report it with this message"),
        };
        Error::io(self.token.redact(&message)).help(help)
    }
}

/// How long a rate-limited answer asks to wait, when it is one and the wait
/// is within `cap` (a primary limit that resets in an hour is not waited for).
fn rate_limit_wait(r: &Response, cap: Duration) -> Option<Duration> {
    if r.status != 403 && r.status != 429 {
        return None;
    }
    if let Some(secs) = r.retry_after.as_deref().and_then(|s| s.trim().parse::<u64>().ok()) {
        return Some(Duration::from_secs(secs).min(cap));
    }
    if r.remaining.as_deref().map(str::trim) == Some("0") {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let reset = r.reset.as_deref().and_then(|s| s.trim().parse::<u64>().ok()).unwrap_or(now);
        let wait = Duration::from_secs(reset.saturating_sub(now).max(1));
        return (wait <= cap).then_some(wait);
    }
    // A secondary limit without headers: GitHub asks for at least a minute.
    (r.status == 429 || secondary_limit_message(&r.body)).then_some(Duration::from_secs(60).min(cap))
}

fn is_rate_limited(r: &Response) -> bool {
    r.retry_after.is_some() || r.remaining.as_deref().map(str::trim) == Some("0") || secondary_limit_message(&r.body)
}

fn secondary_limit_message(body: &str) -> bool {
    github_message(body).is_some_and(|m| m.to_ascii_lowercase().contains("rate limit"))
}

/// 1 s, 2 s, 4 s, … before try `attempt + 1`.
fn backoff(attempt: u32) -> Duration {
    Duration::from_secs(1 << attempt.saturating_sub(1).min(6))
}

/// GitHub's `message` in an error body, on one line and not too long.
fn github_message(body: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    let message = value.get("message")?.as_str()?;
    let line: String = crate::generate::escape::one_line(message).chars().take(300).collect();
    Some(line)
}

/// The URL without the API's origin, for messages: `/repos/o/r/issues/1/comments?page=2`.
fn path_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.find('/').map_or(url, |i| &rest[i..])
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        301 => "Moved Permanently",
        302 => "Found",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, retry_after: Option<&str>, remaining: Option<&str>, body: &str) -> Response {
        Response {
            status,
            body: body.into(),
            link: None,
            retry_after: retry_after.map(Into::into),
            remaining: remaining.map(Into::into),
            reset: None,
        }
    }

    #[test]
    fn rate_limits_are_waited_for_within_the_cap() {
        let cap = Duration::from_secs(60);
        assert_eq!(rate_limit_wait(&answer(403, Some("3"), None, ""), cap), Some(Duration::from_secs(3)));
        assert_eq!(rate_limit_wait(&answer(429, Some("600"), None, ""), cap), Some(cap), "a long retry-after is capped");
        assert_eq!(rate_limit_wait(&answer(403, None, Some("0"), ""), cap), Some(Duration::from_secs(1)), "reset now: a second");
        let far = Response { reset: Some("99999999999".into()), ..answer(403, None, Some("0"), "") };
        assert_eq!(rate_limit_wait(&far, cap), None, "a primary limit an hour away fails now");
        assert_eq!(rate_limit_wait(&answer(403, None, None, r#"{"message":"You have exceeded a secondary rate limit."}"#), cap), Some(cap));
        assert_eq!(rate_limit_wait(&answer(403, None, None, r#"{"message":"Resource not accessible by integration"}"#), cap), None);
        assert_eq!(rate_limit_wait(&answer(500, Some("1"), None, ""), cap), None);
    }

    #[test]
    fn waits_grow_and_the_scale_comes_from_the_environment() {
        assert_eq!([1, 2, 3].map(|a| backoff(a).as_secs()), [1, 2, 4]);
        assert_eq!(Retry::from_env(&|_| Some("0".into())).unwrap().scale, 0.0);
        assert_eq!(Retry::from_env(&|_| None).unwrap().scale, 1.0);
        assert_eq!(Retry::from_env(&|_| Some("-1".into())).unwrap_err().exit_code(), 64);
    }

    #[test]
    fn messages_show_the_path_and_github_s_words() {
        assert_eq!(path_of("https://api.github.com/repos/o/r/issues/1/comments?page=2"), "/repos/o/r/issues/1/comments?page=2");
        assert_eq!(github_message(r#"{"message": "Bad credentials\nx"}"#).as_deref(), Some("Bad credentials\\nx"));
        assert_eq!(github_message("<html>"), None);
    }
}
