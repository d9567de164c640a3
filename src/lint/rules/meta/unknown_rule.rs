//! SS001 unknown-rule-in-suppression. Its findings come from reading the
//! suppression comments (`crate::lint::suppress`), not from the changes.

use crate::lint::{Class, Example, Rule};

pub static RULE: Rule = Rule {
    code: "SS001",
    name: "unknown-rule-in-suppression",
    class: Class::PotentiallyBreaking,
    opt_in: false,
    summary: "A suppression comment names a rule that does not exist.",
    why: "`-- schemashift:ignore <rule>` with a misspelt or retired rule name suppresses nothing, so the finding it was \
          meant for still fails the check — or, worse, the author believes a risk was reviewed when the comment does nothing.",
    locks: "None: this is about the comment, not about the database.",
    instead: "Use a rule's name or code as `schemashift rules` lists them, e.g. `-- schemashift:ignore drop-column -- archived in #123`.",
    fires: &[Example::new(
        "CREATE TABLE t (id bigint);",
        "-- schemashift:ignore drop-colum -- typo\nCREATE TABLE t (id bigint);",
    )],
    passes: &[Example::new(
        "CREATE TABLE t (id bigint, c text);",
        "-- schemashift:ignore-file drop-column -- archived\nCREATE TABLE t (id bigint);",
    )],
    check: |_| Vec::new(),
};
