//! Rename hints: `-- schemashift:renamed-from <old>` (or sqldef's
//! `-- @renamed from=<old>`) written next to a definition.

use serde::{Deserialize, Serialize};

/// The name an object had before, as the schema's author declared it.
///
/// A hint says how to get from the previous revision to this one; it is not
/// part of what the database holds, so like [`super::Location`] it never
/// takes part in equality.
#[derive(Debug, Clone, Default, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RenameHint(pub Option<String>);

impl PartialEq for RenameHint {
    fn eq(&self, _other: &RenameHint) -> bool {
        true
    }
}

impl RenameHint {
    pub fn is_none(&self) -> bool {
        self.0.is_none()
    }
    pub fn get(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

/// The old name in a hint comment's text (without `--` or `/* */`), if the
/// comment is a rename hint. Unquoted names fold to lower case.
pub fn parse_hint(comment: &str) -> Option<String> {
    let c = comment.trim();
    let rest = c
        .strip_prefix("schemashift:renamed-from")
        .or_else(|| c.strip_prefix("@renamed from="))
        .or_else(|| c.strip_prefix("@renamed from ="))?;
    let name = rest.trim().trim_start_matches('=').trim();
    if let Some(quoted) = name.strip_prefix('"') {
        // A quoted name runs to the closing quote; `""` is a quote inside it.
        let mut out = String::new();
        let mut chars = quoted.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    out.push('"');
                }
                '"' => return Some(out),
                c => out.push(c),
            }
        }
        return None;
    }
    let name = name.split_whitespace().next()?.trim_end_matches("*/");
    (!name.is_empty()).then(|| name.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::parse_hint;

    #[test]
    fn both_spellings() {
        assert_eq!(parse_hint(" schemashift:renamed-from old_name"), Some("old_name".into()));
        assert_eq!(parse_hint("@renamed from=Username"), Some("username".into()));
        assert_eq!(parse_hint("schemashift:renamed-from \"Old Name\" and more"), Some("Old Name".into()));
        assert_eq!(parse_hint("schemashift:renamed-from \"unterminated"), None);
        assert_eq!(parse_hint("schemashift:renamed-from \"Old\""), Some("Old".into()));
        assert_eq!(parse_hint("just a comment"), None);
    }
}
