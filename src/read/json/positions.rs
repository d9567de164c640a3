//! Where each key of a JSON document starts, so that objects read from it can
//! carry a file:line:column location.
//!
//! serde_json reports positions only for syntax errors; a `Value` forgets
//! them. The document has already been validated by serde_json when this
//! runs, so the scanner can be small and lenient: it only has to follow the
//! nesting and remember where each member key and array element begins.

use std::collections::HashMap;

/// Line and column (1-based) of each object member key and array element,
/// keyed by the path of names/indexes from the root.
#[derive(Debug, Default)]
pub struct Positions {
    map: HashMap<Vec<String>, (u32, u32)>,
}

impl Positions {
    pub fn scan(text: &str) -> Positions {
        let mut scanner = Scanner { chars: text.chars().collect(), at: 0, line: 1, column: 1, map: HashMap::new() };
        scanner.value(&mut Vec::new());
        Positions { map: scanner.map }
    }

    /// The position of `path`, or of its nearest ancestor that has one.
    pub fn get(&self, path: &[String]) -> (u32, u32) {
        (0..=path.len()).rev().find_map(|n| self.map.get(&path[..n]).copied()).unwrap_or((1, 1))
    }
}

struct Scanner {
    chars: Vec<char>,
    at: usize,
    line: u32,
    column: u32,
    map: HashMap<Vec<String>, (u32, u32)>,
}

impl Scanner {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += 1;
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.bump();
        }
    }

    fn value(&mut self, path: &mut Vec<String>) {
        self.skip_ws();
        match self.peek() {
            Some('{') => self.object(path),
            Some('[') => self.array(path),
            Some('"') => {
                self.string();
            }
            // Numbers, true, false, null: everything up to the next delimiter.
            Some(_) => {
                while let Some(c) = self.peek() {
                    if matches!(c, ',' | '}' | ']') || c.is_whitespace() {
                        break;
                    }
                    self.bump();
                }
            }
            None => {}
        }
    }

    fn object(&mut self, path: &mut Vec<String>) {
        self.bump(); // {
        loop {
            self.skip_ws();
            match self.peek() {
                Some('"') => {
                    let start = (self.line, self.column);
                    let key = self.string();
                    path.push(key);
                    self.map.insert(path.clone(), start);
                    self.skip_ws();
                    if self.peek() == Some(':') {
                        self.bump();
                    }
                    self.value(path);
                    path.pop();
                }
                Some(',') => {
                    self.bump();
                }
                Some('}') => {
                    self.bump();
                    return;
                }
                // Malformed input cannot get here (serde_json checked it first);
                // stop rather than loop forever if it somehow does.
                _ => return,
            }
        }
    }

    fn array(&mut self, path: &mut Vec<String>) {
        self.bump(); // [
        let mut index = 0usize;
        loop {
            self.skip_ws();
            match self.peek() {
                Some(',') => {
                    self.bump();
                }
                Some(']') => {
                    self.bump();
                    return;
                }
                Some(_) => {
                    path.push(index.to_string());
                    self.map.insert(path.clone(), (self.line, self.column));
                    let before = self.at;
                    self.value(path);
                    path.pop();
                    index += 1;
                    if self.at == before {
                        return;
                    }
                }
                None => return,
            }
        }
    }

    /// Reads a string literal and returns its decoded text.
    fn string(&mut self) -> String {
        self.bump(); // opening quote
        let mut out = String::new();
        while let Some(c) = self.bump() {
            match c {
                '"' => break,
                '\\' => match self.bump() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some('r') => out.push('\r'),
                    Some('b') => out.push('\u{8}'),
                    Some('f') => out.push('\u{c}'),
                    Some('u') => {
                        let high = self.hex4();
                        let code = if (0xD800..0xDC00).contains(&high) && self.peek() == Some('\\') {
                            self.bump();
                            self.bump(); // u
                            let low = self.hex4();
                            0x10000 + ((high - 0xD800) << 10) + (low.wrapping_sub(0xDC00) & 0x3FF)
                        } else {
                            high
                        };
                        out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                    }
                    Some(other) => out.push(other),
                    None => break,
                },
                c => out.push(c),
            }
        }
        out
    }

    fn hex4(&mut self) -> u32 {
        let mut code = 0;
        for _ in 0..4 {
            code = code * 16 + self.bump().and_then(|c| c.to_digit(16)).unwrap_or(0);
        }
        code
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn finds_keys_and_elements() {
        let text = "{\n  \"tables\": {\n    \"u\\u0073ers\": {\"columns\": [1, {\"a\": 2}]}\n  }\n}";
        let pos = Positions::scan(text);
        assert_eq!(pos.get(&p(&["tables"])), (2, 3));
        assert_eq!(pos.get(&p(&["tables", "users"])), (3, 5));
        assert_eq!(pos.get(&p(&["tables", "users", "columns", "1", "a"])), (3, 36));
        // Unknown paths fall back to the nearest known ancestor.
        assert_eq!(pos.get(&p(&["tables", "users", "nope"])), (3, 5));
        assert_eq!(pos.get(&p(&["missing"])), (1, 1));
    }
}
