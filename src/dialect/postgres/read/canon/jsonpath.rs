//! `jsonpath` constants as PostgreSQL prints them (`jsonpath_out`): keys
//! quoted (`$."a"`), the top-level operation parenthesized, inner ones only
//! where precedence needs it, `strict` kept and `lax` (the default) left
//! out. A path this reader does not know is kept as written.

/// The printed form of `text` read as a jsonpath, if it can be read.
pub fn normalize(text: &str) -> Option<String> {
    let tokens = tokenize(text)?;
    let mut p = Parser { t: tokens, i: 0 };
    let strict = if p.eat_word("strict") {
        true
    } else {
        p.eat_word("lax");
        false
    };
    let item = p.expr()?;
    if p.i != p.t.len() {
        return None;
    }
    let mut out = String::new();
    if strict {
        out.push_str("strict ");
    }
    print(&item, &mut out, true);
    Some(out)
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Num(String),
    Var(String),
    Sym(&'static str),
}

fn tokenize(text: &str) -> Option<Vec<Tok>> {
    let c: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    const SYMS: [&str; 22] = [
        "**", "&&", "||", "==", "!=", "<>", "<=", ">=", "$", "@", ".", "[", "]", "(", ")", "?", "*", "<", ">", "!", ",", "{",
    ];
    while i < c.len() {
        let ch = c[i];
        if ch.is_whitespace() {
            i += 1;
            continue;
        }
        if ch == '"' {
            let mut s = String::new();
            i += 1;
            loop {
                let d = *c.get(i)?;
                i += 1;
                match d {
                    '"' => break,
                    '\\' => {
                        let e = *c.get(i)?;
                        i += 1;
                        s.push(match e {
                            'n' => '\n',
                            't' => '\t',
                            'r' => '\r',
                            'b' => '\u{8}',
                            'f' => '\u{c}',
                            'v' => '\u{b}',
                            'u' => {
                                let hex: String = c.get(i..i + 4)?.iter().collect();
                                i += 4;
                                char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?
                            }
                            other => other,
                        });
                    }
                    other => s.push(other),
                }
            }
            out.push(Tok::Str(s));
            continue;
        }
        if ch.is_ascii_digit() || (ch == '.' && c.get(i + 1).is_some_and(char::is_ascii_digit) && !matches!(out.last(), Some(Tok::Sym(")" | "]")) | Some(Tok::Word(_)) | Some(Tok::Str(_)))) {
            let start = i;
            while i < c.len() && (c[i].is_ascii_digit() || c[i] == '.' || ((c[i] == 'e' || c[i] == 'E') && i > start)) {
                if (c[i] == 'e' || c[i] == 'E') && matches!(c.get(i + 1), Some('+' | '-')) {
                    i += 1;
                }
                // A dot followed by a non-digit ends the number (`$[1].a`).
                if c[i] == '.' && !c.get(i + 1).is_some_and(char::is_ascii_digit) {
                    break;
                }
                i += 1;
            }
            out.push(Tok::Num(c[start..i].iter().collect()));
            continue;
        }
        if ch == '$' && c.get(i + 1).is_some_and(|n| n.is_alphanumeric() || *n == '_' || *n == '"') {
            i += 1;
            if c[i] == '"' {
                let rest: String = c[i..].iter().collect();
                let mut sub = tokenize(&rest)?;
                let Tok::Str(name) = sub.remove(0) else { return None };
                // Skip the quoted name we just read.
                let consumed = quoted_len(&c[i..])?;
                i += consumed;
                out.push(Tok::Var(name));
            } else {
                let start = i;
                while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                    i += 1;
                }
                out.push(Tok::Var(c[start..i].iter().collect()));
            }
            continue;
        }
        if ch.is_alphabetic() || ch == '_' {
            let start = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            out.push(Tok::Word(c[start..i].iter().collect()));
            continue;
        }
        let rest: String = c[i..c.len().min(i + 2)].iter().collect();
        let sym = SYMS.iter().chain(["+", "-", "/", "%", "}"].iter()).find(|s| rest.starts_with(**s))?;
        out.push(Tok::Sym(sym));
        i += sym.chars().count();
    }
    Some(out)
}

fn quoted_len(c: &[char]) -> Option<usize> {
    let mut i = 1;
    while i < c.len() {
        match c[i] {
            '\\' => i += 2,
            '"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// A jsonpath item.
#[derive(Debug, Clone)]
enum Item {
    Root,
    Current,
    Last,
    Var(String),
    Null,
    Bool(bool),
    Str(String),
    Num(String),
    Binary(&'static str, Box<Item>, Box<Item>),
    Unary(&'static str, Box<Item>),
    Not(Box<Item>),
    Exists(Box<Item>),
    IsUnknown(Box<Item>),
    LikeRegex(Box<Item>, String, Option<String>),
    /// A primary followed by accessors.
    Path(Box<Item>, Vec<Accessor>),
}

#[derive(Debug, Clone)]
enum Accessor {
    Key(String),
    AnyKey,
    AnyArray,
    Index(Vec<(Item, Option<Item>)>),
    Any(Option<(String, String)>),
    Filter(Item),
    Method(String, Option<String>),
}

struct Parser {
    t: Vec<Tok>,
    i: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.t.get(self.i)
    }
    fn eat(&mut self, sym: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Sym(s)) if *s == sym) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn eat_word(&mut self, w: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Word(x)) if x.eq_ignore_ascii_case(w)) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn expr(&mut self) -> Option<Item> {
        let mut left = self.and()?;
        while self.eat("||") {
            left = Item::Binary("||", Box::new(left), Box::new(self.and()?));
        }
        Some(left)
    }
    fn and(&mut self) -> Option<Item> {
        let mut left = self.comparison()?;
        while self.eat("&&") {
            left = Item::Binary("&&", Box::new(left), Box::new(self.comparison()?));
        }
        Some(left)
    }
    fn comparison(&mut self) -> Option<Item> {
        if self.eat("!") {
            if !self.eat("(") {
                return None;
            }
            let inner = self.expr()?;
            if !self.eat(")") {
                return None;
            }
            return Some(Item::Not(Box::new(inner)));
        }
        if self.eat_word("exists") {
            if !self.eat("(") {
                return None;
            }
            let inner = self.expr()?;
            if !self.eat(")") {
                return None;
            }
            return Some(Item::Exists(Box::new(inner)));
        }
        let left = self.additive()?;
        for (sym, printed) in [("==", "=="), ("!=", "!="), ("<>", "!="), ("<=", "<="), (">=", ">="), ("<", "<"), (">", ">")] {
            if self.eat(sym) {
                return Some(Item::Binary(printed, Box::new(left), Box::new(self.additive()?)));
            }
        }
        if self.eat_word("like_regex") {
            let Some(Tok::Str(pattern)) = self.peek().cloned() else { return None };
            self.i += 1;
            let flags = if self.eat_word("flag") {
                let Some(Tok::Str(f)) = self.peek().cloned() else { return None };
                self.i += 1;
                Some(f)
            } else {
                None
            };
            return Some(Item::LikeRegex(Box::new(left), pattern, flags));
        }
        if self.eat_word("starts") {
            if !self.eat_word("with") {
                return None;
            }
            return Some(Item::Binary("starts with", Box::new(left), Box::new(self.additive()?)));
        }
        if self.eat_word("is") {
            if !self.eat_word("unknown") {
                return None;
            }
            return Some(Item::IsUnknown(Box::new(left)));
        }
        Some(left)
    }
    fn additive(&mut self) -> Option<Item> {
        let mut left = self.multiplicative()?;
        loop {
            let op = if self.eat("+") {
                "+"
            } else if self.eat("-") {
                "-"
            } else {
                return Some(left);
            };
            left = Item::Binary(op, Box::new(left), Box::new(self.multiplicative()?));
        }
    }
    fn multiplicative(&mut self) -> Option<Item> {
        let mut left = self.unary()?;
        loop {
            let op = if self.eat("*") {
                "*"
            } else if self.eat("/") {
                "/"
            } else if self.eat("%") {
                "%"
            } else {
                return Some(left);
            };
            left = Item::Binary(op, Box::new(left), Box::new(self.unary()?));
        }
    }
    /// A sign on a number is part of the number (PostgreSQL's `makeItemUnary`).
    fn unary(&mut self) -> Option<Item> {
        if self.eat("-") {
            return Some(match self.unary()? {
                Item::Num(n) => Item::Num(super::literal::numeric(&format!("-{n}")).unwrap_or(format!("-{n}"))),
                other => Item::Unary("-", Box::new(other)),
            });
        }
        if self.eat("+") {
            return Some(match self.unary()? {
                Item::Num(n) => Item::Num(n),
                other => Item::Unary("+", Box::new(other)),
            });
        }
        self.accessors()
    }
    fn accessors(&mut self) -> Option<Item> {
        let primary = self.primary()?;
        let mut chain = Vec::new();
        loop {
            if self.eat(".") {
                if self.eat("**") {
                    chain.push(Accessor::Any(self.any_level()?));
                } else if self.eat("*") {
                    chain.push(Accessor::AnyKey);
                } else {
                    match self.peek().cloned() {
                        Some(Tok::Str(k)) => {
                            self.i += 1;
                            chain.push(Accessor::Key(k));
                        }
                        Some(Tok::Word(w)) => {
                            self.i += 1;
                            if self.eat("(") {
                                let arg = match self.peek().cloned() {
                                    Some(Tok::Str(s)) => {
                                        self.i += 1;
                                        Some(s)
                                    }
                                    _ => None,
                                };
                                if !self.eat(")") {
                                    return None;
                                }
                                chain.push(Accessor::Method(w.to_ascii_lowercase(), arg));
                            } else {
                                chain.push(Accessor::Key(w));
                            }
                        }
                        _ => return None,
                    }
                }
            } else if self.eat("[") {
                if self.eat("*") {
                    if !self.eat("]") {
                        return None;
                    }
                    chain.push(Accessor::AnyArray);
                } else {
                    let mut subs = Vec::new();
                    loop {
                        let from = self.expr()?;
                        let to = if self.eat_word("to") { Some(self.expr()?) } else { None };
                        subs.push((from, to));
                        if self.eat("]") {
                            break;
                        }
                        if !self.eat(",") {
                            return None;
                        }
                    }
                    chain.push(Accessor::Index(subs));
                }
            } else if self.eat("?") {
                if !self.eat("(") {
                    return None;
                }
                let f = self.expr()?;
                if !self.eat(")") {
                    return None;
                }
                chain.push(Accessor::Filter(f));
            } else {
                break;
            }
        }
        Some(if chain.is_empty() { primary } else { Item::Path(Box::new(primary), chain) })
    }
    fn any_level(&mut self) -> Option<Option<(String, String)>> {
        if !self.eat("{") {
            return Some(None);
        }
        let bound = |p: &mut Parser| -> Option<String> {
            match p.peek().cloned() {
                Some(Tok::Num(n)) => {
                    p.i += 1;
                    Some(n)
                }
                Some(Tok::Word(w)) if w == "last" => {
                    p.i += 1;
                    Some("last".into())
                }
                _ => None,
            }
        };
        let from = bound(self)?;
        let to = if self.eat_word("to") { bound(self)? } else { from.clone() };
        if !self.eat("}") {
            return None;
        }
        Some(Some((from, to)))
    }
    fn primary(&mut self) -> Option<Item> {
        let t = self.peek().cloned()?;
        self.i += 1;
        Some(match t {
            Tok::Sym("$") => Item::Root,
            Tok::Sym("@") => Item::Current,
            Tok::Var(v) => Item::Var(v),
            Tok::Str(s) => Item::Str(s),
            Tok::Num(n) => Item::Num(super::literal::numeric(&n)?),
            Tok::Word(w) if w == "last" => Item::Last,
            Tok::Word(w) if w == "null" => Item::Null,
            Tok::Word(w) if w == "true" => Item::Bool(true),
            Tok::Word(w) if w == "false" => Item::Bool(false),
            Tok::Sym("(") => {
                let inner = self.expr()?;
                if !self.eat(")") {
                    return None;
                }
                inner
            }
            _ => return None,
        })
    }
}

/// PostgreSQL's `operationPriority`.
fn priority(item: &Item) -> u8 {
    match item {
        Item::Binary("||", ..) => 0,
        Item::Binary("&&", ..) => 1,
        Item::Binary("==" | "!=" | "<" | ">" | "<=" | ">=" | "starts with", ..) => 2,
        Item::Binary("+" | "-", ..) => 3,
        Item::Binary("*" | "/" | "%", ..) => 4,
        Item::Unary(..) => 5,
        _ => 6,
    }
}

fn quote(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `printJsonPathItem`: `brackets` parenthesizes an operation.
fn print(item: &Item, out: &mut String, brackets: bool) {
    match item {
        Item::Root => out.push('$'),
        Item::Current => out.push('@'),
        Item::Last => out.push_str("last"),
        Item::Var(v) => {
            out.push('$');
            quote(v, out);
        }
        Item::Null => out.push_str("null"),
        Item::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Item::Str(s) => quote(s, out),
        Item::Num(n) => out.push_str(n),
        Item::Binary(op, l, r) => {
            if brackets {
                out.push('(');
            }
            print(l, out, priority(l) <= priority(item));
            out.push(' ');
            out.push_str(op);
            out.push(' ');
            print(r, out, priority(r) <= priority(item));
            if brackets {
                out.push(')');
            }
        }
        Item::Unary(op, arg) => {
            if brackets {
                out.push('(');
            }
            out.push_str(op);
            print(arg, out, priority(arg) <= priority(item));
            if brackets {
                out.push(')');
            }
        }
        Item::Not(arg) => {
            out.push_str("!(");
            print(arg, out, false);
            out.push(')');
        }
        Item::Exists(arg) => {
            out.push_str("exists (");
            print(arg, out, false);
            out.push(')');
        }
        Item::IsUnknown(arg) => {
            out.push('(');
            print(arg, out, false);
            out.push_str(") is unknown");
        }
        Item::LikeRegex(arg, pattern, flags) => {
            if brackets {
                out.push('(');
            }
            print(arg, out, priority(arg) <= priority(item));
            out.push_str(" like_regex ");
            quote(pattern, out);
            if let Some(f) = flags {
                out.push_str(" flag ");
                quote(f, out);
            }
            if brackets {
                out.push(')');
            }
        }
        Item::Path(primary, chain) => {
            print(primary, out, true);
            for a in chain {
                match a {
                    Accessor::Key(k) => {
                        out.push('.');
                        quote(k, out);
                    }
                    Accessor::AnyKey => out.push_str(".*"),
                    Accessor::AnyArray => out.push_str("[*]"),
                    Accessor::Index(subs) => {
                        out.push('[');
                        for (i, (from, to)) in subs.iter().enumerate() {
                            if i > 0 {
                                out.push(',');
                            }
                            print(from, out, false);
                            if let Some(t) = to {
                                out.push_str(" to ");
                                print(t, out, false);
                            }
                        }
                        out.push(']');
                    }
                    Accessor::Any(level) => {
                        out.push_str(".**");
                        match level {
                            Some((f, t)) if f == t => out.push_str(&format!("{{{f}}}")),
                            Some((f, t)) => out.push_str(&format!("{{{f} to {t}}}")),
                            None => {}
                        }
                    }
                    Accessor::Filter(f) => {
                        out.push_str("?(");
                        print(f, out, false);
                        out.push(')');
                    }
                    Accessor::Method(name, arg) => {
                        out.push('.');
                        out.push_str(name);
                        out.push('(');
                        if let Some(a) = arg {
                            quote(a, out);
                        }
                        out.push(')');
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::normalize;

    // Each expected value is what PostgreSQL 15 printed for the path.
    #[test]
    fn paths_print_as_postgres_prints_them() {
        for (written, printed) in [
            ("$.a == 1", "($.\"a\" == 1)"),
            ("$.a", "$.\"a\""),
            ("$.a.b[0]", "$.\"a\".\"b\"[0]"),
            ("strict $.a", "strict $.\"a\""),
            ("lax $.a", "$.\"a\""),
            ("$[*] ? (@ > 1)", "$[*]?(@ > 1)"),
            ("$.a ? (@.b == \"x\" && @.c > 2)", "$.\"a\"?(@.\"b\" == \"x\" && @.\"c\" > 2)"),
            ("$.size()", "$.size()"),
            ("$.a + 1 * 2", "($.\"a\" + 1 * 2)"),
            ("($.a + 1) * 2", "(($.\"a\" + 1) * 2)"),
            ("exists($.a)", "exists ($.\"a\")"),
            ("$.\"a b\"", "$.\"a b\""),
            ("$.a like_regex \"^x\" flag \"i\"", "($.\"a\" like_regex \"^x\" flag \"i\")"),
            ("$.a[1 to 3, 5]", "$.\"a\"[1 to 3,5]"),
            ("$.**{2 to last}", "$.**{2 to last}"),
            ("$.** ? (@ == 1)", "$.**?(@ == 1)"),
            ("- $.a", "(-$.\"a\")"),
            ("$ ? (!(@ == 1))", "$?(!(@ == 1))"),
            ("$.a starts with \"x\"", "($.\"a\" starts with \"x\")"),
            ("$.a.type()", "$.\"a\".type()"),
            ("$.datetime(\"YYYY\")", "$.datetime(\"YYYY\")"),
            ("$var", "$\"var\""),
            ("$.a ? ((@ > 1) is unknown)", "$.\"a\"?((@ > 1) is unknown)"),
            ("1.50", "1.50"),
            ("1e2", "100"),
            ("-1", "-1"),
            ("$.a == -1", "($.\"a\" == -1)"),
            ("$ ? (@.a == 1 || @.b == 2 && @.c == 3)", "$?(@.\"a\" == 1 || @.\"b\" == 2 && @.\"c\" == 3)"),
            ("$ ? ((@.a == 1 || @.b == 2) && @.c == 3)", "$?((@.\"a\" == 1 || @.\"b\" == 2) && @.\"c\" == 3)"),
        ] {
            assert_eq!(normalize(written).as_deref(), Some(printed), "{written}");
        }
    }
}
