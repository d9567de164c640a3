//! The statement key words PostgreSQL knows, to tell a statement kept as
//! text from a typo: `CREATE INDX` is not a statement schemashift does not
//! model, it is a mistake, reported with the key word it is one edit away
//! from.

/// The first word of every SQL command PostgreSQL has (its reference, "SQL
/// Commands").
pub const COMMANDS: &[&str] = &[
    "ABORT", "ALTER", "ANALYZE", "BEGIN", "CALL", "CHECKPOINT", "CLOSE", "CLUSTER", "COMMENT", "COMMIT", "COPY", "CREATE",
    "DEALLOCATE", "DECLARE", "DELETE", "DISCARD", "DO", "DROP", "END", "EXECUTE", "EXPLAIN", "FETCH", "GRANT", "IMPORT",
    "INSERT", "LISTEN", "LOAD", "LOCK", "MERGE", "MOVE", "NOTIFY", "PREPARE", "REASSIGN", "REFRESH", "REINDEX", "RELEASE",
    "RESET", "REVOKE", "ROLLBACK", "SAVEPOINT", "SECURITY", "SELECT", "SET", "SHOW", "START", "TABLE", "TRUNCATE",
    "UNLISTEN", "UPDATE", "VACUUM", "VALUES", "WITH",
];

/// The first word of what `CREATE` makes.
pub const CREATE_KINDS: &[&str] = &[
    "ACCESS", "AGGREGATE", "CAST", "COLLATION", "CONVERSION", "DATABASE", "DOMAIN", "EVENT", "EXTENSION", "FOREIGN",
    "FUNCTION", "GROUP", "INDEX", "LANGUAGE", "MATERIALIZED", "OPERATOR", "POLICY", "PROCEDURE", "PUBLICATION", "ROLE",
    "RULE", "SCHEMA", "SEQUENCE", "SERVER", "STATISTICS", "SUBSCRIPTION", "TABLE", "TABLESPACE", "TEXT", "TRANSFORM",
    "TRIGGER", "TYPE", "USER", "VIEW",
];

/// The first word of what `ALTER` changes.
pub const ALTER_KINDS: &[&str] = &[
    "AGGREGATE", "COLLATION", "CONVERSION", "DATABASE", "DEFAULT", "DOMAIN", "EVENT", "EXTENSION", "FOREIGN", "FUNCTION",
    "GROUP", "INDEX", "LANGUAGE", "LARGE", "MATERIALIZED", "OPERATOR", "POLICY", "PROCEDURE", "PUBLICATION", "ROLE",
    "ROUTINE", "RULE", "SCHEMA", "SEQUENCE", "SERVER", "STATISTICS", "SUBSCRIPTION", "SYSTEM", "TABLE", "TABLESPACE",
    "TEXT", "TRIGGER", "TYPE", "USER", "VIEW",
];

/// The first word of what `DROP` removes.
pub const DROP_KINDS: &[&str] = &[
    "ACCESS", "AGGREGATE", "CAST", "COLLATION", "CONVERSION", "DATABASE", "DOMAIN", "EVENT", "EXTENSION", "FOREIGN",
    "FUNCTION", "GROUP", "INDEX", "LANGUAGE", "MATERIALIZED", "OPERATOR", "OWNED", "POLICY", "PROCEDURE", "PUBLICATION",
    "ROLE", "ROUTINE", "RULE", "SCHEMA", "SEQUENCE", "SERVER", "STATISTICS", "SUBSCRIPTION", "TABLE", "TABLESPACE",
    "TEXT", "TRANSFORM", "TRIGGER", "TYPE", "USER", "VIEW",
];

/// Objects of the whole cluster rather than of a database's schema: valid
/// in a dump of everything (`pg_dumpall`), kept as text.
pub const CLUSTER_KINDS: &[&str] = &["DATABASE", "ROLE", "USER", "GROUP", "TABLESPACE"];

/// The candidate `word` is one edit (an insertion, a deletion, a
/// substitution or two neighbours swapped) away from, if any.
pub fn did_you_mean(word: &str, candidates: &[&'static str]) -> Option<&'static str> {
    let word = word.to_ascii_uppercase();
    candidates.iter().copied().find(|c| one_edit_apart(&word, c))
}

/// A help text naming the key word meant, when one is one edit away.
pub fn suggestion(word: &str, candidates: &[&'static str], before: &str) -> Option<String> {
    did_you_mean(word, candidates).map(|k| format!("did you mean `{before}{k}`?"))
}

fn one_edit_apart(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a == b {
        return false;
    }
    match a.len() as isize - b.len() as isize {
        0 => {
            let differ: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
            match differ.as_slice() {
                [_] => true,
                [i, j] => *j == i + 1 && a[*i] == b[*j] && a[*j] == b[*i],
                _ => false,
            }
        }
        1 => one_insertion(&b, &a),
        -1 => one_insertion(&a, &b),
        _ => false,
    }
}

/// Whether `long` is `short` with one character inserted.
fn one_insertion(short: &[char], long: &[char]) -> bool {
    let at = (0..short.len()).find(|&i| short[i] != long[i]).unwrap_or(short.len());
    short[at..] == long[at + 1..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_edit_away() {
        assert_eq!(did_you_mean("INDX", CREATE_KINDS), Some("INDEX"));
        assert_eq!(did_you_mean("tablee", CREATE_KINDS), Some("TABLE"));
        assert_eq!(did_you_mean("TALBE", CREATE_KINDS), Some("TABLE"));
        assert_eq!(did_you_mean("VEIW", CREATE_KINDS), Some("VIEW"));
        assert_eq!(did_you_mean("CRATE", COMMANDS), Some("CREATE"));
        assert_eq!(did_you_mean("orders", CREATE_KINDS), None);
        assert_eq!(did_you_mean("TABLE", CREATE_KINDS), None, "a key word is not its own typo");
        assert_eq!(did_you_mean("TBL", CREATE_KINDS), None, "two edits");
    }
}
