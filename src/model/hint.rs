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
/// comment is a rename hint, as written: `old`, `"Old Name"`, `schema.old`.
pub fn parse_hint(comment: &str) -> Option<String> {
    let c = comment.trim();
    let rest = c
        .strip_prefix("schemashift:renamed-from")
        .or_else(|| c.strip_prefix("@renamed from="))
        .or_else(|| c.strip_prefix("@renamed from ="))?;
    let name = rest.trim().trim_start_matches('=').trim();
    // The name runs to the first space outside double quotes; an
    // unterminated quote makes it no name at all.
    let mut end = name.len();
    let mut i = 0;
    while let Some(c) = name[i..].chars().next() {
        if c == '"' {
            match crate::lex::quoted_at(name, i, crate::lex::Syntax::STANDARD) {
                Some(q) if q.closed => i = q.end,
                _ => return None,
            }
            continue;
        }
        if c.is_whitespace() {
            end = i;
            break;
        }
        i += c.len_utf8();
    }
    let name = name[..end].trim_end_matches("*/");
    (!name.is_empty()).then(|| name.to_string())
}

impl RenameHint {
    /// The hinted name's parts, folded by PostgreSQL's rules.
    pub fn parts(&self) -> Option<Vec<String>> {
        self.0.as_deref().map(super::name_parts_folded)
    }
    /// The hinted object name (the last part).
    pub fn name(&self) -> Option<String> {
        self.parts().and_then(|p| p.last().cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::parse_hint;

    #[test]
    fn both_spellings() {
        let folded = |c: &str| super::RenameHint(parse_hint(c)).parts();
        assert_eq!(folded(" schemashift:renamed-from old_name"), Some(vec!["old_name".into()]));
        assert_eq!(folded("@renamed from=Username"), Some(vec!["username".into()]));
        assert_eq!(folded("schemashift:renamed-from \"Old Name\" and more"), Some(vec!["Old Name".into()]));
        assert_eq!(folded("schemashift:renamed-from public.Old"), Some(vec!["public".into(), "old".into()]));
        assert_eq!(folded("schemashift:renamed-from \"a.b\""), Some(vec!["a.b".into()]));
        assert_eq!(parse_hint("schemashift:renamed-from \"unterminated"), None);
        assert_eq!(parse_hint("just a comment"), None);
    }
}
