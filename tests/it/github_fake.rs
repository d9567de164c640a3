//! A fake of the part of GitHub's REST API that `schemashift github
//! comment` uses, on 127.0.0.1 inside the test: one pull request's issue
//! comments held in memory (listed page by page with a `Link` header,
//! created, edited), the token checked, every request recorded, and
//! scripted answers (a 502, a rate limit) served before the real ones.
//!
//! Plain HTTP/1.1 over `std::net`, one connection at a time, each closed
//! after its answer: all the client needs, and nothing to install.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const OWNER_REPO: &str = "acme/shop";
pub const PR: u64 = 42;

#[derive(Debug, Clone)]
pub struct Comment {
    pub id: u64,
    pub body: String,
}

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// With the query.
    pub target: String,
    pub authorization: Option<String>,
    pub body: String,
}

/// An answer served instead of the real one, to the next request of its method.
#[derive(Debug, Clone)]
pub struct Scripted {
    pub method: &'static str,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// Whether the request is carried out all the same (a comment created
    /// by a POST whose answer is lost).
    pub acts: bool,
}

impl Scripted {
    pub fn status(method: &'static str, status: u16) -> Scripted {
        Scripted { method, status, headers: Vec::new(), body: format!(r#"{{"message": "scripted {status}"}}"#), acts: false }
    }
    pub fn header(mut self, name: &str, value: &str) -> Scripted {
        self.headers.push((name.into(), value.into()));
        self
    }
    pub fn body(mut self, body: &str) -> Scripted {
        self.body = body.into();
        self
    }
    pub fn acting(mut self) -> Scripted {
        self.acts = true;
        self
    }
}

#[derive(Default)]
struct State {
    token: String,
    comments: Vec<Comment>,
    next_id: u64,
    requests: Vec<Request>,
    scripted: VecDeque<Scripted>,
}

pub struct FakeGithub {
    pub url: String,
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FakeGithub {
    /// A server accepting `token`, with no comments yet.
    pub fn start(token: &str) -> FakeGithub {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let url = format!("http://{addr}");
        let state = Arc::new(Mutex::new(State { token: token.into(), next_id: 1000, ..State::default() }));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (state, stop, url) = (state.clone(), stop.clone(), url.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(stream) = stream {
                        serve(stream, &state, &url);
                    }
                }
            })
        };
        FakeGithub { url, addr, state, stop, thread: Some(thread) }
    }

    /// Adds a comment as if someone had posted it; its id.
    pub fn add_comment(&self, body: &str) -> u64 {
        let mut s = self.state.lock().unwrap();
        s.next_id += 1;
        let id = s.next_id;
        s.comments.push(Comment { id, body: body.into() });
        id
    }

    pub fn script(&self, answer: Scripted) {
        self.state.lock().unwrap().scripted.push_back(answer);
    }

    pub fn comments(&self) -> Vec<Comment> {
        self.state.lock().unwrap().comments.clone()
    }

    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().unwrap().requests.clone()
    }

    /// `(method, target)` of each request, in order.
    pub fn calls(&self) -> Vec<(String, String)> {
        self.requests().into_iter().map(|r| (r.method, r.target)).collect()
    }
}

impl Drop for FakeGithub {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(stream: TcpStream, state: &Mutex<State>, base: &str) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let Some(request) = read_request(&stream) else { return };
    let (status, headers, body) = answer(&request, state, base);
    state.lock().unwrap().requests.push(request);
    let mut out = format!("HTTP/1.1 {status} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n", reason(status), body.len());
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(&body);
    let mut stream = stream;
    let _ = stream.write_all(out.as_bytes());
    let _ = stream.flush();
}

fn read_request(stream: &TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next()?.to_string(), parts.next()?.to_string());
    let (mut length, mut authorization) = (0usize, None);
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 {
            break;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse().ok()?,
            "authorization" => authorization = Some(value.trim().to_string()),
            _ => {}
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Request { method, target, authorization, body: String::from_utf8_lossy(&body).into_owned() })
}

type Answer = (u16, Vec<(String, String)>, String);

fn answer(request: &Request, state: &Mutex<State>, base: &str) -> Answer {
    let mut s = state.lock().unwrap();
    if request.authorization.as_deref() != Some(&format!("Bearer {}", s.token)) {
        return (401, Vec::new(), r#"{"message": "Bad credentials"}"#.into());
    }
    let scripted = s.scripted.iter().position(|a| a.method == request.method).and_then(|i| s.scripted.remove(i));
    if let Some(a) = &scripted {
        if a.acts {
            let _ = route(request, &mut s, base);
        }
        return (a.status, a.headers.clone(), a.body.clone());
    }
    route(request, &mut s, base)
}

fn route(request: &Request, s: &mut State, base: &str) -> Answer {
    let not_found = || (404, Vec::new(), r#"{"message": "Not Found"}"#.to_string());
    let (path, query) = request.target.split_once('?').unwrap_or((&request.target, ""));
    let param = |name: &str| query.split('&').find_map(|p| p.strip_prefix(&format!("{name}="))).and_then(|v| v.parse::<usize>().ok());
    let list = format!("/repos/{OWNER_REPO}/issues/{PR}/comments");
    // GitHub's own next links name the repository by id.
    let by_id = format!("/repositories/1/issues/{PR}/comments");
    match request.method.as_str() {
        "GET" if path == list || path == by_id => {
            let per_page = param("per_page").unwrap_or(30).min(100);
            let page = param("page").unwrap_or(1).max(1);
            let shown: Vec<serde_json::Value> = s.comments.iter().skip((page - 1) * per_page).take(per_page).map(json).collect();
            let pages = s.comments.len().div_ceil(per_page).max(1);
            let mut headers = Vec::new();
            if page < pages {
                let at = |p: usize| format!("<{base}{by_id}?per_page={per_page}&page={p}>");
                headers.push(("Link".to_string(), format!(r#"{}; rel="next", {}; rel="last""#, at(page + 1), at(pages))));
            }
            (200, headers, serde_json::Value::Array(shown).to_string())
        }
        "POST" if path == list => {
            let Some(body) = body_of(&request.body) else { return (422, Vec::new(), r#"{"message": "Invalid request"}"#.into()) };
            s.next_id += 1;
            let comment = Comment { id: s.next_id, body };
            let out = json(&comment).to_string();
            s.comments.push(comment);
            (201, Vec::new(), out)
        }
        "PATCH" => {
            let Some(id) = path.strip_prefix(&format!("/repos/{OWNER_REPO}/issues/comments/")).and_then(|i| i.parse::<u64>().ok()) else {
                return not_found();
            };
            let Some(body) = body_of(&request.body) else { return (422, Vec::new(), r#"{"message": "Invalid request"}"#.into()) };
            match s.comments.iter_mut().find(|c| c.id == id) {
                Some(c) => {
                    c.body = body;
                    (200, Vec::new(), json(c).to_string())
                }
                None => not_found(),
            }
        }
        _ => not_found(),
    }
}

fn json(c: &Comment) -> serde_json::Value {
    serde_json::json!({ "id": c.id, "body": c.body, "html_url": format!("https://github.test/{OWNER_REPO}/pull/{PR}#issuecomment-{}", c.id) })
}

fn body_of(request_body: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(request_body).ok()?;
    value.get("body")?.as_str().map(str::to_string)
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        502 => "Bad Gateway",
        _ => "Status",
    }
}
