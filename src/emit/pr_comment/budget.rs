//! Fitting the comment under GitHub's limit of 65,536 characters per
//! comment (a longer body is refused with 422, and the reviewer sees
//! nothing). What is given up first is what a reviewer can least miss and
//! most easily get back:
//!
//! 1. the SQL, cut to whole lines (`schemashift diff` prints it);
//! 2. the findings, the least severe first (`schemashift lint`);
//! 3. the pre-flight checks, then the rows of the changes table;
//! 4. as a last resort, the text itself, cut at a line ([`cut`]).
//!
//! Each stage keeps as much as fits (found by bisection: the length only
//! grows with what is kept), so the result is the same for the same input.

use super::Input;
use super::sections::{Keep, compose};

/// GitHub's limit on a comment's body, in characters.
pub const MAX_CHARS: usize = 65_536;

/// Room kept under the limit when the SQL is cut to measure: the notes'
/// numbers may take a few more digits in the final text than when measured.
const SLACK: usize = 64;

/// A text's length as GitHub counts it against the limit: in characters.
pub fn chars(text: &str) -> usize {
    text.chars().count()
}

fn fits(text: &str) -> bool {
    chars(text) <= MAX_CHARS
}

pub(super) fn fit(input: &Input) -> String {
    let all = Keep::all(input);
    let text = compose(input, &all);
    if fits(&text) {
        return text;
    }
    // 1. The SQL: measured without it, then given the room left.
    let mut keep = Keep { sql: Some(0), ..all };
    let bare = compose(input, &keep);
    if fits(&bare) {
        let room = MAX_CHARS.saturating_sub(chars(&bare) + SLACK);
        let text = compose(input, &Keep { sql: Some(room), ..keep });
        return if fits(&text) { text } else { bare };
    }
    // 2.–3. The findings, the pre-flight checks, the change rows.
    keep.findings = most_that_fit(all.findings, |k| compose(input, &Keep { findings: k, ..keep }));
    keep.preflight = most_that_fit(all.preflight, |k| compose(input, &Keep { preflight: k, ..keep }));
    keep.changes = most_that_fit(all.changes, |k| compose(input, &Keep { changes: k, ..keep }));
    // 4. Whatever is still too long (a title of a megabyte).
    cut(&compose(input, &keep), MAX_CHARS)
}

/// The largest `k` in `0..=max` for which `render(k)` fits (0 when none does).
fn most_that_fit(max: usize, render: impl Fn(usize) -> String) -> usize {
    if fits(&render(max)) {
        return max;
    }
    let (mut lo, mut hi) = (0, max);
    // Invariant: every k < lo fits (or lo is 0), hi does not fit.
    while lo + 1 < hi {
        let mid = lo + (hi - lo) / 2;
        if fits(&render(mid)) { lo = mid } else { hi = mid }
    }
    lo
}

/// `text` cut to at most `max` characters at a line break, with what the
/// cut leaves open closed (a code fence, `<details>`) and a line saying how
/// much was left out. The last resort, for `github comment` too, which may
/// be given any body.
pub fn cut(text: &str, max: usize) -> String {
    let total = chars(text);
    if total <= max {
        return text.to_string();
    }
    // Room for the closing fence and tags and the note.
    let keep = max.saturating_sub(512);
    let end = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
    let head = &text[..end];
    let head = head.rfind('\n').map_or(head, |nl| &head[..=nl]);
    let mut out = head.to_string();
    if let Some(fence) = open_fence(head) {
        out.push_str(&fence);
        out.push('\n');
    }
    let open = head.matches("<details>").count().saturating_sub(head.matches("</details>").count());
    for _ in 0..open {
        out.push_str("\n</details>\n");
    }
    out.push_str(&format!(
        "\n> **Comment trimmed:** {} characters left out to stay under GitHub's limit of {} characters per comment.\n",
        super::sections::thousands(total - chars(head)),
        super::sections::thousands(MAX_CHARS)
    ));
    out
}

/// The fence of a code block `text` leaves open, if any.
fn open_fence(text: &str) -> Option<String> {
    let mut open: Option<String> = None;
    for line in text.lines() {
        let line = line.trim_start();
        let ticks = line.chars().take_while(|&c| c == '`').count();
        if ticks < 3 {
            continue;
        }
        match &open {
            None => open = Some("`".repeat(ticks)),
            // A closing fence: at least as long, and nothing after it.
            Some(f) if ticks >= f.len() && line.trim_end().chars().all(|c| c == '`') => open = None,
            Some(_) => {}
        }
    }
    open
}
