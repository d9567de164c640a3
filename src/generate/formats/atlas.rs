//! Atlas versioned migrations: `<YYYYMMDDHHMMSS>_<name>.sql`, up only, and
//! `atlas.sum`, the directory's integrity file.
//!
//! Atlas computes down migrations itself (`atlas migrate down` plans them
//! against a dev database), so there are no down files; the down SQL goes to
//! a `.rollback.md` runbook, which Atlas ignores: it reads `*.sql` only.
//!
//! A file that must run outside a transaction starts with the file
//! directive `-- atlas:txmode none`, followed by a blank line: Atlas reads
//! file directives from the comment lines at the top of the file, and only
//! when a blank line separates them from the statements.
//!
//! `atlas migrate apply` refuses a directory whose `atlas.sum` does not match
//! its files, so every new migration rewrites it, computed as Atlas's
//! `migrate.NewHashFile` does (sql/migrate/dir.go): over all `*.sql` files of
//! the directory in byte order, one running SHA-256 is fed each file's name
//! and then its content, and the file's line holds the base64 of that running
//! digest; a file whose first line carries `atlas:sum ignore` feeds its name
//! only and gets no line. The first line, `h1:<sum>`, is the base64 SHA-256
//! over every listed name followed by its hash.

use super::{Existing, Format, Migration, Probe, list_dir, read_text, sql_of, version_prefix};
use crate::error::{Error, Result};
use crate::generate::version::Style;
use crate::generate::write::OutFile;
use std::path::Path;

pub struct Atlas;

pub const ATLAS: Atlas = Atlas;

/// The integrity file's name.
pub const SUM_FILE: &str = "atlas.sum";

impl Format for Atlas {
    fn name(&self) -> &'static str {
        "atlas"
    }
    fn dirs(&self) -> &'static [&'static str] {
        &["migrations"]
    }
    fn style(&self) -> Style {
        // Atlas's default formatter names files `{{ now }}_{{ name }}.sql`, `now` in UTC.
        Style::Timestamp
    }
    fn has_down(&self) -> bool {
        false
    }
    fn one_query_per_file(&self) -> bool {
        // Atlas splits files into statements itself (dollar quotes included).
        false
    }
    fn entry(&self, name: &str, is_dir: bool) -> Option<(String, String)> {
        if is_dir {
            return None;
        }
        version_prefix(name.strip_suffix(".sql")?)
    }
    fn detect(&self, probe: &Probe) -> u32 {
        let names = probe.has_entry(|n, d| self.entry(n, d).is_some());
        let telltale = probe.telltale("atlas.hcl", None);
        let layout = probe.has_entry(|n, d| !d && n == SUM_FILE);
        u32::from(names) + 2 * u32::from(telltale) + 4 * u32::from(layout)
    }
    fn render(&self, m: &Migration<'_>) -> Result<Vec<OutFile>> {
        let mut text = String::new();
        if !m.transaction {
            text.push_str("-- atlas:txmode none\n\n");
        }
        text.push_str(&format!("-- {}\n\n", m.header));
        text.push_str(&sql_of(m.up));
        Ok(vec![OutFile::new(format!("{}_{}.sql", m.version, m.slug), text)])
    }
    fn runbook_hint(&self) -> Option<&'static str> {
        Some("Atlas plans down migrations itself: `atlas migrate down` (it needs a dev database).")
    }
    fn index(&self, dir: &Path, new: &[OutFile]) -> Result<Vec<OutFile>> {
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        for (name, is_dir) in list_dir(dir)? {
            if !is_dir && name.ends_with(".sql") {
                let path = dir.join(&name);
                let bytes = std::fs::read(&path).map_err(|e| Error::io(format!("cannot read {}: {e}", path.display())))?;
                files.push((name, bytes));
            }
        }
        for f in new {
            let name = f.path.to_string_lossy();
            if f.path.components().count() == 1 && name.ends_with(".sql") {
                files.retain(|(n, _)| *n != name);
                files.push((name.into_owned(), f.bytes.clone()));
            }
        }
        // Go compares strings byte by byte, as Rust does.
        files.sort();
        let mut sum = OutFile::new(SUM_FILE, sum_file(&files));
        sum.replace = true;
        Ok(vec![sum])
    }
    fn read_up(&self, dir: &Path, e: &Existing) -> Result<String> {
        read_text(&dir.join(&e.paths[0]))
    }
}

/// The text of `atlas.sum` for `files` (name, content), already in order.
pub fn sum_file(files: &[(String, Vec<u8>)]) -> String {
    let mut running = Sha256::new();
    let mut lines: Vec<(String, String)> = Vec::new();
    for (name, bytes) in files {
        running.update(name.as_bytes());
        if sum_ignored(bytes) {
            continue;
        }
        running.update(bytes);
        lines.push((name.clone(), base64(&running.clone().finish())));
    }
    let mut total = Sha256::new();
    for (name, hash) in &lines {
        total.update(name.as_bytes());
        total.update(hash.as_bytes());
    }
    let mut out = format!("h1:{}\n", base64(&total.finish()));
    for (name, hash) in &lines {
        out.push_str(&format!("{name} h1:{hash}\n"));
    }
    out
}

/// Whether a file opts out of the sum with `atlas:sum ignore`. Atlas matches
/// `^([ -~]*)atlas:(\w+)(?: +([ -~]*))*` against the whole content: only
/// the first line counts (the printable run `[ -~]` stops at its end), the
/// greedy prefix picks the last `atlas:<word>` on it, and the argument is
/// everything after the spaces that follow the word.
fn sum_ignored(content: &[u8]) -> bool {
    let run_len = content.iter().position(|b| !(b' '..=b'~').contains(b)).unwrap_or(content.len());
    let run = &content[..run_len];
    let is_word = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    let Some(at) = (0..run.len()).rev().find(|&i| run[i..].starts_with(b"atlas:") && run.get(i + 6).is_some_and(is_word)) else {
        return false;
    };
    let rest = &run[at + 6..];
    let word_len = rest.iter().position(|b| !is_word(b)).unwrap_or(rest.len());
    let (word, after) = rest.split_at(word_len);
    let spaces = after.iter().take_while(|b| **b == b' ').count();
    // No space after the word: the optional argument group does not match.
    let argument: &[u8] = if spaces > 0 { &after[spaces..] } else { b"" };
    word == b"sum" && argument == b"ignore"
}

/// Standard base64 with padding (Go's `base64.StdEncoding`).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// SHA-256 (FIPS 180-4), enough for `atlas.sum`; cloning gives the digest so
/// far while the running hash goes on, as Go's `h.Sum(nil)` does.
#[derive(Clone)]
struct Sha256 {
    state: [u32; 8],
    block: Vec<u8>,
    length: u64,
}

const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
    0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
    0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
    0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
    0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
    0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

impl Sha256 {
    fn new() -> Sha256 {
        Sha256 {
            state: [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19],
            block: Vec::with_capacity(64),
            length: 0,
        }
    }

    fn update(&mut self, mut data: &[u8]) {
        self.length += data.len() as u64;
        while !data.is_empty() {
            let take = (64 - self.block.len()).min(data.len());
            self.block.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.block.len() == 64 {
                let block: [u8; 64] = self.block[..].try_into().expect("64 bytes");
                self.compress(&block);
                self.block.clear();
            }
        }
    }

    fn finish(mut self) -> [u8; 32] {
        let bits = self.length.wrapping_mul(8);
        let mut tail = vec![0x80u8];
        while (self.block.len() + tail.len()) % 64 != 56 {
            tail.push(0);
        }
        tail.extend_from_slice(&bits.to_be_bytes());
        let length = self.length;
        self.update(&tail);
        self.length = length;
        let mut out = [0u8; 32];
        for (i, word) in self.state.iter().enumerate() {
            out[4 * i..4 * i + 4].copy_from_slice(&word.to_be_bytes());
        }
        out
    }

    fn compress(&mut self, block: &[u8; 64]) {
        let mut w = [0u32; 64];
        for i in 0..16 {
            w[i] = u32::from_be_bytes([block[4 * i], block[4 * i + 1], block[4 * i + 2], block[4 * i + 3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16].wrapping_add(s0).wrapping_add(w[i - 7]).wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = self.state;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = h.wrapping_add(s1).wrapping_add(ch).wrapping_add(K[i]).wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            h = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (s, v) in self.state.iter_mut().zip([a, b, c, d, e, f, g, h]) {
            *s = s.wrapping_add(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Step;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn sha256_and_base64_known_answers() {
        let digest = |data: &[u8]| {
            let mut h = Sha256::new();
            h.update(data);
            hex(&h.finish())
        };
        // FIPS 180-4 examples and the empty message.
        assert_eq!(digest(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(digest(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(
            digest(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        assert_eq!(digest(&[b'a'; 1_000_000]), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn sum_matches_atlas_own_test_data() {
        // ariga/atlas sql/migrate/testdata/partial-checkpoint: the first three
        // files and the lines Atlas wrote for them in its atlas.sum.
        let files = vec![
            ("1_first.sql".to_string(), b"create table `tbl_1` (`col` int);\n".to_vec()),
            ("2_second.sql".to_string(), b"create table `tbl_2` (`col` int);\n".to_vec()),
            (
                "3_checkpoint.sql".to_string(),
                b"-- atlas:checkpoint\n\nCREATE TABLE `tbl_1` (`col` int);\nCREATE TABLE `tbl_2` (`col` int);\n".to_vec(),
            ),
        ];
        let text = sum_file(&files);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], "1_first.sql h1:uJ2MyyeTqXx4rCqtRMQAvRrfsvdwmvsZ3LcadVvCdOc=");
        assert_eq!(lines[2], "2_second.sql h1:TLO00GtsqSi8o0ySoaofBqxemrElL8fHOs3IRnqYvB8=");
        assert_eq!(lines[3], "3_checkpoint.sql h1:LR4UjDYVtrRuHLN5GQwLAYnXrSf/iO70psY8hTmLmjw=");
    }

    #[test]
    fn sum_ignore_directive_only_on_the_first_line() {
        assert!(sum_ignored(b"-- atlas:sum ignore\nCREATE TABLE a (x int);"));
        assert!(sum_ignored(b"-- atlas:sum   ignore"));
        assert!(!sum_ignored(b"-- atlas:sum ignore please\n"));
        assert!(!sum_ignored(b"-- header\n-- atlas:sum ignore\n"));
        assert!(!sum_ignored(b"-- atlas:sum ignore atlas:lint x\n"));
        assert!(!sum_ignored(b"\t-- atlas:sum ignore\n"));
        let a = vec![("1_a.sql".to_string(), b"-- atlas:sum ignore\nx".to_vec()), ("2_b.sql".to_string(), b"y".to_vec())];
        let text = sum_file(&a);
        assert_eq!(text.lines().count(), 2, "the ignored file has no line: {text}");
        let b = vec![("2_b.sql".to_string(), b"y".to_vec())];
        assert_ne!(sum_file(&b), text, "its name still feeds the running hash");
    }

    #[test]
    fn txmode_directive_is_a_file_directive() {
        let up = [Step { summary: String::new(), sql: "CREATE INDEX CONCURRENTLY i ON t (x);".into(), transactional: false }];
        let m = Migration { version: "20240101000000", slug: "i", header: "h", up: &up, down: &up, transaction: false, previous: None };
        let f = ATLAS.render(&m).unwrap().remove(0);
        assert_eq!(f.path.to_str(), Some("20240101000000_i.sql"));
        assert!(String::from_utf8(f.bytes).unwrap().starts_with("-- atlas:txmode none\n\n-- h\n\nCREATE INDEX CONCURRENTLY"));
    }
}
