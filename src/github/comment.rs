//! One sticky comment per pull request: the first run posts it, every later
//! run edits the same comment in place, so the conversation shows the
//! latest verdict once instead of a new comment per push.
//!
//! The comment is recognised by [`MARKER`], the hidden line the body starts
//! with. The pull request's comments are listed page by page (GitHub gives
//! at most 100 a page and says where the next is in the `Link` header); a
//! comment that starts with the marker wins over one that only quotes it.
//! A POST that fails without saying whether it created the comment is never
//! simply repeated: the comments are listed again first, and an edit made
//! if it is there.

use super::client::{Client, Method, Sent};
use super::context::Target;
use crate::emit::pr_comment::{MARKER, MAX_CHARS, chars, cut};
use crate::error::{Error, Result};
use serde::Deserialize;

/// At most this many pages of 100 comments are read.
const MAX_PAGES: usize = 100;

/// How often a POST whose outcome is unknown leads to looking again.
const ROUNDS: u32 = 3;

/// The body to post: the marker added when missing, and cut to GitHub's
/// limit as a last resort (with how many characters were left out).
pub fn prepare(body: &str) -> (String, Option<usize>) {
    let marked = if body.contains(MARKER) { body.to_string() } else { format!("{MARKER}\n{body}") };
    let total = chars(&marked);
    if total <= MAX_CHARS {
        return (marked, None);
    }
    let mut trimmed = cut(&marked, MAX_CHARS);
    if !trimmed.contains(MARKER) {
        // The marker was further down than the cut: put it first.
        trimmed = format!("{MARKER}\n{}", cut(&marked, MAX_CHARS - chars(MARKER) - 1));
    }
    let left = total - chars(&trimmed);
    (trimmed, Some(left))
}

#[derive(Debug, Deserialize)]
struct Comment {
    id: u64,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    html_url: Option<String>,
}

/// What was done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Done {
    Created,
    Updated,
    /// The comment already says this: nothing was sent.
    Unchanged,
}

#[derive(Debug, Clone)]
pub struct Posted {
    pub id: u64,
    pub url: String,
    pub done: Done,
}

/// Posts `body` (prepared) as the pull request's one schemashift comment.
pub fn upsert(client: &Client, target: &Target, body: &str) -> Result<Posted> {
    let payload = serde_json::json!({ "body": body }).to_string();
    let mut round = 1;
    loop {
        if let Some(existing) = find(client, target)? {
            let url = existing.html_url.clone().unwrap_or_default();
            if existing.body.as_deref() == Some(body) {
                return Ok(Posted { id: existing.id, url, done: Done::Unchanged });
            }
            let response = client.send(Method::Patch, &target.url(&format!("/issues/comments/{}", existing.id)), Some(&payload))?;
            let edited = parse::<Comment>(&response.body, "the edited comment")?;
            return Ok(Posted { id: edited.id, url: edited.html_url.unwrap_or(url), done: Done::Updated });
        }
        match client.post(&target.url(&format!("/issues/{}/comments", target.number)), &payload)? {
            Sent::Done(response) => {
                let created = parse::<Comment>(&response.body, "the new comment")?;
                return Ok(Posted { id: created.id, url: created.html_url.unwrap_or_default(), done: Done::Created });
            }
            // It may be there now: list again rather than post twice.
            Sent::Unsure(e) if round < ROUNDS => {
                client.pause(round, &format!("{}; looking for the comment again before posting", e.message));
                round += 1;
            }
            Sent::Unsure(e) => return Err(e),
        }
    }
}

/// The pull request's schemashift comment: the oldest that starts with the
/// marker, else the oldest that holds it.
fn find(client: &Client, target: &Target) -> Result<Option<Comment>> {
    let mut url = target.url(&format!("/issues/{}/comments?per_page=100&page=1", target.number));
    let mut holding = None;
    for _ in 0..MAX_PAGES {
        let response = client.send(Method::Get, &url, None)?;
        for c in parse::<Vec<Comment>>(&response.body, "the list of comments")? {
            let body = c.body.as_deref().unwrap_or("");
            if body.trim_start().starts_with(MARKER) {
                return Ok(Some(c));
            }
            if holding.is_none() && body.contains(MARKER) {
                holding = Some(c);
            }
        }
        match response.link.as_deref().and_then(next_link) {
            Some(next) => url = same_api(&next, target)?,
            None => return Ok(holding),
        }
    }
    Ok(holding)
}

fn parse<T: serde::de::DeserializeOwned>(body: &str, what: &str) -> Result<T> {
    serde_json::from_str(body).map_err(|e| Error::io(format!("GitHub's answer is not {what} as expected: {e}")))
}

/// The `rel="next"` URL of a `Link` header:
/// `<https://…?page=2>; rel="next", <https://…?page=5>; rel="last"`.
pub fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (url, params) = part.trim().split_once(';')?;
        let url = url.trim().strip_prefix('<')?.strip_suffix('>')?;
        let next = params.split(';').any(|p| {
            let Some((key, value)) = p.split_once('=') else { return false };
            key.trim().eq_ignore_ascii_case("rel") && value.trim().trim_matches('"').split_whitespace().any(|r| r.eq_ignore_ascii_case("next"))
        });
        next.then(|| url.to_string())
    })
}

/// A next-page URL, checked to be on the API the token is meant for: the
/// token goes with the request, and must not go anywhere else.
fn same_api(url: &str, target: &Target) -> Result<String> {
    let rest = url.strip_prefix(&target.api);
    if rest.is_some_and(|r| r.starts_with('/') || r.starts_with('?')) {
        Ok(url.to_string())
    } else {
        Err(Error::io(format!("GitHub's next page is outside GITHUB_API_URL ({}): {url}; not sending the token there", target.api)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_page_is_read_from_the_link_header() {
        let header = r#"<https://api.github.com/repositories/1/issues/2/comments?per_page=100&page=2>; rel="next", <https://api.github.com/repositories/1/issues/2/comments?per_page=100&page=3>; rel="last""#;
        assert_eq!(next_link(header).as_deref(), Some("https://api.github.com/repositories/1/issues/2/comments?per_page=100&page=2"));
        assert_eq!(next_link(r#"<https://x/?page=1>; rel="prev", <https://x/?page=1>; rel="first""#), None);
        assert_eq!(next_link("<https://x/?page=3>; rel=next").as_deref(), Some("https://x/?page=3"));
    }

    #[test]
    fn the_next_page_must_be_on_the_same_api() {
        let target = Target { api: "https://ghe.test/api/v3".into(), owner: "o".into(), repo: "r".into(), number: 1 };
        assert!(same_api("https://ghe.test/api/v3/repositories/1/issues/1/comments?page=2", &target).is_ok());
        assert!(same_api("https://ghe.test/api/v3.evil/x", &target).is_err());
        assert!(same_api("https://evil.test/api/v3/x", &target).is_err());
    }

    #[test]
    fn the_body_gets_the_marker_and_fits_the_limit() {
        assert_eq!(prepare("hello").0, format!("{MARKER}\nhello"));
        assert_eq!(prepare(&format!("{MARKER}\nhi")), (format!("{MARKER}\nhi"), None));
        let (body, left) = prepare(&"x\n".repeat(40_000));
        assert!(chars(&body) <= MAX_CHARS && body.starts_with(MARKER));
        assert!(left.unwrap() > 80_000 - MAX_CHARS);
        assert!(body.contains("**Comment trimmed:**"));
        // A marker far down survives the cut too.
        let (body, _) = prepare(&format!("{}{MARKER}\n", "y\n".repeat(40_000)));
        assert!(body.starts_with(MARKER) && chars(&body) <= MAX_CHARS);
    }
}
