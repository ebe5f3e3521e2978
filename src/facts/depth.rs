//! A guard against files whose nesting would overflow the stack in syn's recursive-descent
//! parser, in the recursive drop of the tree it builds, or in our own visitor.
//!
//! It runs on the raw tokens of [`super::lex`] before syn sees the file and estimates the
//! stack a file needs: every open delimiter costs a level, and inside one delimiter level
//! the tokens that make syn nest without a delimiter (prefix operators, closures, generic
//! `<`, left-nested operator/method chains, `->`, `=`) add their share until a separator
//! (`;`, a top-level `,`, the end of a braced item or statement) ends the expression.
//! The weights are measured stack use per nesting level (unoptimised build, the worst case),
//! in KiB; the budget fits the stack of the threads that run extraction.

use super::lex::{TokKind, Token};
use super::{Problem, ProblemKind};
use crate::source::Span;

/// Deepest delimiter nesting followed, whatever the budget says.
pub const MAX_DELIMITER_DEPTH: usize = 256;
/// Estimated stack use (KiB, see weights) a file may need. Leaves a quarter of the
/// [`super::extract::STACK_SIZE`] for the caller and the parts of syn that do not nest.
const BUDGET: u32 = 6000;

/// One delimiter level (brace, paren, bracket).
const GROUP_W: u32 = 32;
/// One unclosed generic `<` (type parsing is the most expensive nesting in syn).
const ANGLE_W: u32 = 56;
/// One prefix operator or keyword in a run: `!`, `-`, `*`, `&`, `mut`, `return`, `move`, `dyn` ..
const PREFIX_W: u32 = 32;
/// One closure opener: `|x|`, `||`.
const CLOSURE_W: u32 = 18;
/// `->` (fn pointer types returning fn pointer types nest).
const ARROW_W: u32 = 40;
/// `=` and compound assignments (right-associative, parsed recursively).
const ASSIGN_W: u32 = 9;
/// `@` pattern bindings.
const AT_W: u32 = 3;
/// A binary operator, `.`, `?`, `as`, `else`: left-nested trees, cheap per level but unbounded.
const CHAIN_W: u32 = 1;

#[derive(Debug, Clone, Copy, Default)]
struct Level {
    /// Cost of the enclosing levels, this level's delimiter included.
    base: u32,
    /// Weighted chain tokens since the last separator.
    chain: u32,
    /// Unclosed generic `<` since the last separator.
    angle: u32,
    /// A comparison `<`/`>` is open (comparisons do not chain, so a second `<` before a
    /// separator opens generics).
    cmp: bool,
    /// Current run of prefix operators/keywords.
    prefix: u32,
    /// Between the `|`s of a closure's parameter list.
    in_params: bool,
    /// The last token at this level closed a brace group: the next token may start a
    /// new statement or item.
    after_brace: bool,
}

impl Level {
    fn cost(&self) -> u32 {
        self.base
            .saturating_add(self.chain)
            .saturating_add(self.angle.saturating_mul(ANGLE_W))
            .saturating_add(if self.cmp { ANGLE_W } else { 0 })
            .saturating_add(self.prefix.saturating_mul(PREFIX_W))
    }
    fn reset(&mut self) {
        self.chain = 0;
        self.angle = 0;
        self.cmp = false;
        self.prefix = 0;
        self.in_params = false;
    }
}

/// Feed it every non-comment token of a file in order; it reports the first place where
/// the file is too deep to hand to syn.
pub struct NestingGuard {
    levels: Vec<Level>,
    /// The previous token ends an operand (so `-`, `&`, `*`, `|` are binary operators).
    after_operand: bool,
    prev: Prev,
    budget: u32,
}

/// What the previous token says about a following `<`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prev {
    Other,
    /// `::`, an upper-case identifier, an item's name, `impl`, `for`: `<` opens generics.
    GenericOpener,
    /// `fn`, `struct` .. : the next identifier is an item name.
    ItemKeyword,
}

impl Default for NestingGuard {
    fn default() -> Self {
        NestingGuard {
            levels: vec![Level::default()],
            after_operand: false,
            prev: Prev::Other,
            budget: BUDGET,
        }
    }
}

enum Effect {
    Chain(u32),
    Prefix(u32),
    Neutral,
}

impl NestingGuard {
    /// Account for one token; `Err` when the file is too deep.
    pub fn feed(&mut self, tok: Token, text: &str) -> Result<(), Problem> {
        let s = text.get(tok.lo..tok.hi).unwrap_or("");
        let after_operand = self.after_operand;
        let prev = self.prev;
        self.prev = match (tok.kind, s) {
            (TokKind::Punct, "::") | (TokKind::Ident, "impl" | "for") => Prev::GenericOpener,
            (TokKind::Ident, "fn" | "struct" | "enum" | "union" | "trait" | "type") => {
                Prev::ItemKeyword
            }
            (TokKind::Ident, _)
                if prev == Prev::ItemKeyword || s.starts_with(|c: char| c.is_uppercase()) =>
            {
                Prev::GenericOpener
            }
            _ => Prev::Other,
        };
        let top = self.top();
        if top.after_brace {
            top.after_brace = false;
            // `if a {} else if b {}`, `match x {}.await?`: the expression goes on.
            let continues = matches!(s, "else" | "as" | "." | "?")
                || (tok.kind == TokKind::Punct && s != "#" && s != ";");
            if !continues {
                top.reset();
            }
        }
        let mut ends_operand = false;
        let effect = match tok.kind {
            TokKind::LineComment | TokKind::BlockComment => return Ok(()),
            TokKind::Open => {
                let top = self.top();
                let base = top.cost().saturating_add(GROUP_W);
                if s == "{" {
                    // Generics never hold a brace group: an open `<` was a comparison.
                    top.angle = 0;
                    top.cmp = false;
                }
                top.prefix = 0;
                self.levels.push(Level {
                    base,
                    ..Level::default()
                });
                self.after_operand = false;
                if self.levels.len() > MAX_DELIMITER_DEPTH + 1 {
                    return Err(too_deep(
                        tok,
                        format!(
                            "delimiters nested more than {MAX_DELIMITER_DEPTH} deep; \
                             the file is not analysed"
                        ),
                    ));
                }
                return self.check(tok);
            }
            TokKind::Close => {
                if self.levels.len() > 1 {
                    self.levels.pop();
                }
                let top = self.top();
                top.after_brace = s == "}";
                top.prefix = 0;
                self.after_operand = true;
                return Ok(());
            }
            TokKind::Number | TokKind::Str | TokKind::Char => {
                ends_operand = true;
                Effect::Neutral
            }
            TokKind::Lifetime => {
                // `&'a mut T`: the prefix run goes on after the lifetime.
                self.after_operand = false;
                return Ok(());
            }
            TokKind::Ident => match s {
                "mut" | "ref" | "box" | "return" | "break" | "yield" | "become" | "move"
                | "dyn" | "impl" | "raw" | "const" | "static" | "async" => Effect::Prefix(1),
                "as" | "else" => Effect::Chain(CHAIN_W),
                "self" | "Self" | "super" | "crate" | "true" | "false" => {
                    ends_operand = true;
                    Effect::Neutral
                }
                "if" | "match" | "while" | "for" | "loop" | "in" | "let" | "where" | "fn"
                | "unsafe" | "pub" | "use" | "struct" | "enum" | "trait" | "type" | "mod"
                | "extern" | "continue" => Effect::Neutral,
                _ => {
                    ends_operand = true;
                    Effect::Neutral
                }
            },
            TokKind::Punct => {
                let top = self.top();
                match s {
                    ";" => {
                        top.reset();
                        Effect::Neutral
                    }
                    "," => {
                        if top.angle == 0 && !top.in_params {
                            top.reset();
                        }
                        Effect::Neutral
                    }
                    "|" if top.in_params => {
                        top.in_params = false;
                        Effect::Neutral
                    }
                    "|" if !after_operand => {
                        top.in_params = true;
                        Effect::Chain(CLOSURE_W)
                    }
                    "||" if !after_operand => Effect::Chain(CLOSURE_W),
                    "<" if prev == Prev::GenericOpener || !after_operand => {
                        top.angle += 1;
                        Effect::Neutral
                    }
                    // The lexer joins `<<`; where no operand precedes it, it opens two
                    // generics (`<<T as A>::B as C>::D`, or a hostile `<<<<…`).
                    "<<" if prev == Prev::GenericOpener || !after_operand => {
                        top.angle += 2;
                        Effect::Neutral
                    }
                    "<" if top.cmp => {
                        // `a<b<c`: comparisons do not chain, so these are generics.
                        top.cmp = false;
                        top.angle += 2;
                        Effect::Neutral
                    }
                    "<" => {
                        top.cmp = true;
                        Effect::Neutral
                    }
                    ">" | ">>" => {
                        let n = if s == ">" { 1 } else { 2 };
                        if top.angle >= n {
                            top.angle -= n;
                            ends_operand = true;
                            Effect::Neutral
                        } else {
                            top.angle = 0;
                            top.cmp = true;
                            Effect::Neutral
                        }
                    }
                    "=>" => {
                        top.angle = 0;
                        top.cmp = false;
                        Effect::Neutral
                    }
                    "&&" | "||" | "==" | "!=" | "<=" | ">=" if after_operand => {
                        top.angle = 0;
                        top.cmp = false;
                        Effect::Chain(CHAIN_W)
                    }
                    "&&" => Effect::Prefix(2),
                    "&" | "*" | "-" | "!" if !after_operand => Effect::Prefix(1),
                    // `name!(..)`: a macro bang, not an operator.
                    "!" => Effect::Neutral,
                    "->" => Effect::Chain(ARROW_W),
                    "=" | "+=" | "-=" | "*=" | "/=" | "%=" | "^=" | "&=" | "|=" | "<<=" | ">>=" => {
                        Effect::Chain(ASSIGN_W)
                    }
                    "@" => Effect::Chain(AT_W),
                    "?" => {
                        ends_operand = true;
                        Effect::Chain(CHAIN_W)
                    }
                    "::" | ":" | "#" | "$" | "'" => Effect::Neutral,
                    _ => Effect::Chain(CHAIN_W),
                }
            }
        };
        let top = self.top();
        let is_prefix = matches!(effect, Effect::Prefix(_));
        match effect {
            Effect::Chain(w) => top.chain = top.chain.saturating_add(w),
            Effect::Prefix(n) => top.prefix = top.prefix.saturating_add(n),
            Effect::Neutral => {}
        }
        self.after_operand = ends_operand;
        let result = self.check(tok);
        if !is_prefix {
            self.top().prefix = 0;
        }
        result
    }

    fn top(&mut self) -> &mut Level {
        if self.levels.is_empty() {
            self.levels.push(Level::default());
        }
        let last = self.levels.len() - 1;
        &mut self.levels[last]
    }

    fn check(&mut self, tok: Token) -> Result<(), Problem> {
        if self.top().cost() > self.budget {
            return Err(too_deep(
                tok,
                "expression or type nested too deeply to analyse safely; the file is not \
                 analysed"
                    .to_string(),
            ));
        }
        Ok(())
    }
}

fn too_deep(tok: Token, message: String) -> Problem {
    Problem {
        kind: ProblemKind::TooDeep,
        message,
        span: Some(Span::new(tok.lo, tok.hi)),
    }
}

/// Check a whole text (the extractor feeds the guard itself, sharing its lexer pass).
#[cfg(test)]
pub fn check(text: &str) -> Result<(), Problem> {
    check_within(text, BUDGET)
}

/// Check a text that will be parsed while the walk of its file is already on the stack
/// (a macro expansion): it gets a fraction of the budget.
pub fn check_within(text: &str, budget: u32) -> Result<(), Problem> {
    let mut guard = NestingGuard {
        budget,
        ..NestingGuard::default()
    };
    for tok in super::lex::Lexer::new(text) {
        guard.feed(tok, text)?;
    }
    Ok(())
}

/// Budget for macro expansions parsed in the middle of a file's walk.
pub const EXPANSION_BUDGET: u32 = BUDGET / 8;

#[cfg(test)]
mod tests {
    use super::*;

    fn deep(text: &str) -> bool {
        check(text).is_err()
    }

    #[test]
    fn ordinary_code_passes() {
        let text = r#"
            use std::collections::HashMap;
            pub struct A<T: Clone + Send> { m: HashMap<String, Vec<Option<Box<dyn Fn(u8) -> T>>>> }
            impl<T: Clone + Send> A<T> {
                fn f(&mut self, x: &&mut u8) -> Result<(), Box<dyn std::error::Error>> {
                    let v: Vec<_> = (0..10).map(|i| i * 2).filter(|&i| i < 5 && i > 1).collect();
                    if v.len() < 3 { return Ok(()); } else if v.len() > 4 { x.clone(); }
                    let r = Router::new().route("/a", get(a)).route("/b", get(b)).layer(l);
                    match v.len() { n if n < 10 => {}, n if n < 20 => {}, _ => {} }
                    Ok(())
                }
            }
        "#;
        assert!(!deep(text));
    }

    #[test]
    fn many_items_and_statements_do_not_accumulate() {
        let mut text = String::new();
        for i in 0..5000 {
            text.push_str(&format!(
                "fn f{i}(a: u8) -> Option<u8> {{ if a < 3 {{ None }} else {{ Some(a) }} }}\n\
                 impl<T> X<T> for Y {{ fn g(&self) -> fn() -> u8 {{ h }} }}\n\
                 static S{i}: [i32; 3] = [-1, -2, -3];\n"
            ));
        }
        text.push_str("const T: &[i32] = &[");
        for _ in 0..100_000 {
            text.push_str("-1, a < b, !x, ");
        }
        text.push_str("];");
        let mut m = String::from("fn m(n: u32) -> u8 { match n {");
        for i in 0..10_000 {
            m.push_str(&format!("n if n < {i} => {i}, "));
        }
        m.push_str("_ => 0 } }");
        assert!(!deep(&text));
        assert!(!deep(&m));
    }

    #[test]
    fn hostile_nesting_is_refused() {
        let n = 100_000;
        assert!(deep(&format!(
            "fn f() {{ {}1{} }}",
            "(".repeat(n),
            ")".repeat(n)
        )));
        assert!(deep(&format!(
            "fn f() {{ let x = a{}; }}",
            " + a".repeat(n)
        )));
        assert!(deep(&format!("fn f() {{ let x = {}x; }}", "!".repeat(n))));
        assert!(deep(&format!("fn f() {{ let x = {}x; }}", "|| ".repeat(n))));
        assert!(deep(&format!(
            "fn f() {{ let x = {}x; }}",
            "|a, b| ".repeat(n)
        )));
        assert!(deep(&format!(
            "type T = {}u8{};",
            "Vec<".repeat(n),
            ">".repeat(n)
        )));
        assert!(deep(&format!(
            "type T = {}u8{};",
            "Vec<A, ".repeat(n),
            ">".repeat(n)
        )));
        assert!(deep(&format!(
            "type T = {}u8{};",
            "v<".repeat(200),
            ">".repeat(200)
        )));
        assert!(deep(&format!("fn f() {{ a{}; }}", ".b()".repeat(n))));
        assert!(deep(&format!(
            "fn f() {{ a{}; }}",
            " + f::<A, B>()".repeat(n)
        )));
        assert!(deep(&format!(
            "fn f() {{ if a {{}} {} }}",
            "else if a {} ".repeat(n)
        )));
        assert!(deep(&format!("type T = {}u8;", "fn() -> ".repeat(n))));
        assert!(deep(&format!("fn f() {{ {}x; }}", "a = ".repeat(n))));
        // Just over the delimiter limit.
        let d = MAX_DELIMITER_DEPTH + 1;
        assert!(deep(&format!("{}{}", "(".repeat(d), ")".repeat(d))));
    }

    #[test]
    fn the_problem_points_at_the_offending_token() {
        let text = format!("fn f() {{ {} }}", "[".repeat(300));
        let p = check(&text).unwrap_err();
        assert_eq!(p.kind, ProblemKind::TooDeep);
        let span = p.span.unwrap();
        assert_eq!(&text[span.range()], "[");
    }
}
