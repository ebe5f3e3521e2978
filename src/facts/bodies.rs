//! Fn bodies that extraction may leave unparsed.
//!
//! Most of a Rust file is fn bodies, and building syn trees for them is most of the cost of
//! a parse; yet a body contributes facts only through a few things: items declared in it
//! (keywords), macros a rule knows, `Box::leak`/`set_logger` calls, and paths naming
//! something a rule or the config cares about (see `index::interest`). The raw lexer pass
//! finds the outermost fn bodies; a body that mentions none of the *local* triggers below is
//! blanked out of the text syn parses and recorded as a [`super::LazyBody`]. Once the whole
//! workspace is known, the bodies that mention an interesting name are parsed on their own.
//!
//! Detection is purely lexical and never trusted blindly: the extractor checks that every
//! blanked range is exactly the block of a fn syn found, and parses the file again without
//! blanking if not.

use super::lex::{TokKind, Token};

/// Identifiers that make a body's facts depend on its own text, whatever the rest of the
/// workspace holds: items declared inside (they become definitions, uses and impls), the
/// static-declaring macros, link-time registries, and the calls body summaries record.
/// `union` is a contextual keyword (also a method name): a few extra parses, never a miss.
const LOCAL_TRIGGERS: &[&str] = &[
    "static",
    "fn",
    "struct",
    "enum",
    "union",
    "mod",
    "use",
    "impl",
    "trait",
    "type",
    "const",
    "macro_rules",
    "extern",
    "lazy_static",
    "thread_local",
    "task_local",
    "inventory",
    "leak",
    "set_logger",
    "set_boxed_logger",
];

/// A trigger that counts only if the next token agrees: `fn` but not a fn pointer type
/// `fn(..)`, `union` the item but not the method `.union(..)`, `const` but not an inline
/// `const { .. }` block (its items have triggers of their own), `extern crate` (extern
/// blocks and `extern "C" fn(..)` types give no facts; an `extern "C" fn f` has its `fn`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    None,
    Fn,
    Union,
    Const,
    Extern,
}

/// A fn body found by the lexer: `{` at `open`, `}` at `close`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FoundBody {
    pub open: usize,
    pub close: usize,
    /// It mentions a local trigger: parse it with the file.
    pub eager: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Idle,
    /// Just after `fn`: a name makes it an item, `(` a fn pointer type.
    AfterFn {
        depth: usize,
    },
    /// In a fn signature at delimiter depth `depth`, `angle` generic `<` open.
    Signature {
        depth: usize,
        angle: i32,
    },
    /// Inside a body opened at `open`; the body's own group sits at `depth`.
    Body {
        depth: usize,
        open: usize,
        eager: bool,
    },
}

/// Feed it every token of a file (comments included, they are skipped); it lists the
/// outermost fn bodies outside macro invocations and attributes.
pub(crate) struct BodyFinder {
    /// Open delimiters: the closing byte expected, and whether the group is opaque (a macro
    /// invocation or an attribute: its tokens are not Rust syntax yet).
    stack: Vec<(u8, bool)>,
    opaque: usize,
    /// The two previous non-comment tokens (kind, first byte, is `!`-like).
    prev: Option<Prev>,
    prev2: Option<Prev>,
    state: State,
    bodies: Vec<FoundBody>,
    /// Delimiters did not match: nothing may be blanked in this file.
    broken: bool,
    /// Names of `macro_rules!` defined in the file (their invocations may declare statics).
    local_macros: Vec<String>,
    /// The previous two tokens were `macro_rules !`: the next identifier is a macro name.
    macro_rules_bang: u8,
    /// Outer doc comments (`///`, `/** */`) outside macro invocations and attributes,
    /// as byte ranges; those from `docs_confirmed` on still wait for the next token.
    docs: Vec<(usize, usize)>,
    docs_confirmed: usize,
    /// A trigger in a body waits for the next token.
    pending: Pending,
    /// The previous token was `*` (`*const T` is a raw pointer type, not an item).
    after_star: bool,
}

/// What the lexer found in a file whose delimiters balance.
pub(crate) struct Found {
    /// The outermost fn bodies, in text order.
    pub bodies: Vec<FoundBody>,
    /// Names of the file's `macro_rules!`.
    pub local_macros: Vec<String>,
    /// Outer doc comments that syn needs not see: each is followed by an identifier or
    /// `#`, where an attribute is allowed whether the comment is there or not, so
    /// leaving it out changes no parse and drops only a `#[doc = ".."]` nobody reads.
    pub docs: Vec<(usize, usize)>,
}

/// `///` and `/** */` but not `////`, `/***` or `/**/` (rustc's rule: those are plain).
fn is_outer_doc(s: &str) -> bool {
    (s.starts_with("///") && !s.starts_with("////"))
        || (s.starts_with("/**") && !s.starts_with("/***") && s != "/**/")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prev {
    Ident,
    Bang,
    Pound,
    Other,
}

impl Default for BodyFinder {
    fn default() -> Self {
        BodyFinder {
            stack: Vec::new(),
            opaque: 0,
            prev: None,
            prev2: None,
            state: State::Idle,
            bodies: Vec::new(),
            broken: false,
            local_macros: Vec::new(),
            macro_rules_bang: 0,
            docs: Vec::new(),
            docs_confirmed: 0,
            pending: Pending::None,
            after_star: false,
        }
    }
}

impl BodyFinder {
    pub(crate) fn feed(&mut self, tok: Token, text: &str) {
        if self.broken {
            return;
        }
        let s = text.get(tok.lo..tok.hi).unwrap_or("");
        let kind = match tok.kind {
            TokKind::LineComment | TokKind::BlockComment => {
                if self.opaque == 0 && is_outer_doc(s) {
                    self.docs.push((tok.lo, tok.hi));
                }
                return;
            }
            TokKind::Ident => Prev::Ident,
            TokKind::Punct if s == "!" => Prev::Bang,
            TokKind::Punct if s == "#" => Prev::Pound,
            _ => Prev::Other,
        };
        if self.docs.len() > self.docs_confirmed {
            if tok.kind == TokKind::Ident || kind == Prev::Pound {
                self.docs_confirmed = self.docs.len();
            } else {
                self.docs.truncate(self.docs_confirmed);
            }
        }
        if self.pending != Pending::None {
            self.resolve_pending(tok.kind, s);
        }
        self.track_macro_rules(tok.kind, s);
        let after_star = tok.kind == TokKind::Punct && s == "*";
        match tok.kind {
            TokKind::Open => self.open(tok, s),
            TokKind::Close => self.close(tok, s),
            TokKind::Ident => self.ident(s),
            TokKind::Punct => self.punct(s),
            _ => {}
        }
        self.prev2 = self.prev;
        self.prev = Some(kind);
        self.after_star = after_star;
    }

    /// The token after a pending trigger decides whether the body is eager.
    fn resolve_pending(&mut self, kind: TokKind, s: &str) {
        let counts = match std::mem::replace(&mut self.pending, Pending::None) {
            Pending::None => false,
            Pending::Fn => !(kind == TokKind::Open && s == "("),
            Pending::Union => kind == TokKind::Ident,
            Pending::Const => !(kind == TokKind::Open && s == "{"),
            Pending::Extern => kind == TokKind::Ident && s == "crate",
        };
        if let (true, State::Body { eager, .. }) = (counts, &mut self.state) {
            *eager = true;
        }
    }

    /// The bodies found, or `None` when the file's delimiters do not balance (the file is
    /// then parsed whole, and syn reports the problem).
    pub(crate) fn finish(mut self) -> Option<Found> {
        if self.broken || !self.stack.is_empty() {
            return None;
        }
        self.docs.truncate(self.docs_confirmed);
        Some(Found {
            bodies: self.bodies,
            local_macros: self.local_macros,
            docs: self.docs,
        })
    }

    fn track_macro_rules(&mut self, kind: TokKind, s: &str) {
        self.macro_rules_bang = match (self.macro_rules_bang, kind, s) {
            (_, TokKind::Ident, "macro_rules") => 1,
            (1, TokKind::Punct, "!") => 2,
            (2, TokKind::Ident, name) => {
                self.local_macros.push(name.to_string());
                0
            }
            _ => 0,
        };
    }

    fn open(&mut self, tok: Token, s: &str) {
        let close = match s {
            "(" => b')',
            "[" => b']',
            _ => b'}',
        };
        // `name!(..)`, `path::name! {..}`, `macro_rules! name {..}`, `#[..]`, `#![..]`.
        let opaque = matches!(
            (self.prev2, self.prev),
            (Some(Prev::Ident), Some(Prev::Bang))
                | (Some(Prev::Bang), Some(Prev::Ident))
                | (_, Some(Prev::Pound))
                | (Some(Prev::Pound), Some(Prev::Bang))
        );
        let depth = self.stack.len();
        match self.state {
            State::Signature { depth: d, angle } if d == depth && s == "{" && angle <= 0 => {
                self.state = State::Body {
                    depth: depth + 1,
                    open: tok.lo,
                    eager: false,
                };
            }
            State::AfterFn { .. } => self.state = State::Idle,
            _ => {}
        }
        self.stack.push((close, opaque));
        if opaque {
            self.opaque += 1;
        }
    }

    fn close(&mut self, tok: Token, s: &str) {
        let Some((expected, opaque)) = self.stack.pop() else {
            self.broken = true;
            return;
        };
        if s.as_bytes().first() != Some(&expected) {
            self.broken = true;
            return;
        }
        if opaque {
            self.opaque -= 1;
        }
        let depth = self.stack.len();
        match self.state {
            State::Body {
                depth: d,
                open,
                eager,
            } if d == depth + 1 => {
                self.bodies.push(FoundBody {
                    open,
                    close: tok.lo,
                    eager,
                });
                self.state = State::Idle;
            }
            // The group around a signature closed without a body: not a fn item after all.
            State::Signature { depth: d, .. } | State::AfterFn { depth: d } if depth < d => {
                self.state = State::Idle;
            }
            _ => {}
        }
    }

    fn ident(&mut self, s: &str) {
        match &mut self.state {
            State::Body { eager, .. } if !*eager && LOCAL_TRIGGERS.contains(&s) => match s {
                "fn" => self.pending = Pending::Fn,
                "union" => self.pending = Pending::Union,
                "const" if self.after_star => {}
                "const" => self.pending = Pending::Const,
                "extern" => self.pending = Pending::Extern,
                _ => *eager = true,
            },
            State::Idle if s == "fn" && self.opaque == 0 => {
                self.state = State::AfterFn {
                    depth: self.stack.len(),
                };
            }
            State::AfterFn { depth } => {
                let depth = *depth;
                self.state = State::Signature { depth, angle: 0 };
            }
            _ => {}
        }
    }

    fn punct(&mut self, s: &str) {
        let depth = self.stack.len();
        match &mut self.state {
            State::AfterFn { .. } => self.state = State::Idle,
            State::Signature { depth: d, angle } if *d == depth => match s {
                "<" => *angle += 1,
                "<<" => *angle += 2,
                ">" => *angle -= 1,
                ">>" => *angle -= 2,
                ";" => self.state = State::Idle,
                _ => {}
            },
            _ => {}
        }
    }
}

impl super::FileFacts {
    /// Put parsed lazy bodies in place: `parsed` holds (index into `lazy_bodies`, what the
    /// body contributes), in any order. Their refs go where a whole-file walk would have
    /// recorded them, their summaries into their fns; they leave `lazy_bodies`. Returns
    /// the bodies' problems.
    pub fn fill_bodies(
        &mut self,
        mut parsed: Vec<(usize, super::extract::BodyFacts)>,
    ) -> Vec<super::Problem> {
        if parsed.is_empty() {
            return Vec::new();
        }
        parsed.sort_by_key(|(b, _)| *b);
        let lazy = std::mem::take(&mut self.lazy_bodies);
        let old_refs = std::mem::take(&mut self.refs);
        let added: usize = parsed.iter().map(|(_, p)| p.refs.len()).sum();
        let mut refs = Vec::with_capacity(old_refs.len() + added);
        let mut old = old_refs.into_iter();
        let mut taken = 0usize;
        let mut problems = Vec::new();
        let mut parsed = parsed.into_iter().peekable();
        for (b, mut body) in lazy.into_iter().enumerate() {
            // Refs recorded before this body, in order.
            while taken < body.ref_at as usize {
                match old.next() {
                    Some(r) => refs.push(r),
                    None => break,
                }
                taken += 1;
            }
            match parsed.next_if(|(p, _)| *p == b) {
                Some((_, facts)) => {
                    refs.extend(facts.refs);
                    problems.extend(facts.problems);
                    if let Some(super::Item {
                        detail: super::ItemDetail::Fn(f),
                        ..
                    }) = self.items.get_mut(body.item as usize)
                    {
                        f.body = facts.summary;
                    }
                }
                None => {
                    body.ref_at = refs.len() as u32;
                    self.lazy_bodies.push(body);
                }
            }
        }
        refs.extend(old);
        self.refs = refs;
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::extract::{extract_body, extract_file, extract_file_lazy, STACK_SIZE};
    use crate::facts::lex::Lexer;
    use crate::facts::FileFacts;

    /// Lazy extraction with every body filled in afterwards.
    fn lazy_then_filled(text: &str) -> FileFacts {
        let mut facts = extract_file_lazy(text);
        let parsed = facts
            .lazy_bodies
            .iter()
            .enumerate()
            .map(|(b, body)| {
                (
                    b,
                    extract_body(text, &facts.items[body.item as usize], body),
                )
            })
            .collect();
        let problems = facts.fill_bodies(parsed);
        facts.problems.extend(problems);
        assert!(facts.lazy_bodies.is_empty());
        facts
    }

    /// Lazy extraction, once every body is filled in, gives exactly the eager facts.
    fn assert_same_facts(name: String, text: String) {
        std::thread::Builder::new()
            .stack_size(STACK_SIZE)
            .spawn(move || {
                let eager = serde_json::to_value(extract_file(&text)).unwrap();
                let lazy = serde_json::to_value(lazy_then_filled(&text)).unwrap();
                assert!(
                    eager == lazy,
                    "{name}: lazy facts differ\neager: {eager}\nlazy: {lazy}"
                );
            })
            .unwrap()
            .join()
            .unwrap();
    }

    #[test]
    fn lazy_facts_equal_eager_facts_on_every_fixture_file() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut n = 0;
        for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
            let entry = entry.unwrap();
            if entry.path().extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(entry.path()).unwrap();
                assert_same_facts(entry.path().display().to_string(), text);
                n += 1;
            }
        }
        assert!(n > 50, "only {n} fixture files");
    }

    #[test]
    fn lazy_facts_equal_eager_facts_on_tricky_text() {
        let cases = [
            // Refs before, inside and after bodies keep their order; impl context and
            // test/cfg status reach body refs; summaries come back.
            "use a::B; fn f(x: B) -> C { let y: D = Default::default(); E::new(crate::g::H { i: 1 }) }\n\
             #[cfg(test)] mod t { fn u() { X::y() } }\n\
             impl<T> S<T> { #[cfg(unix)] pub fn m(&self) -> Self { Self::new(INSTANCE.get().clone()) } fn n() {} }\n\
             trait Tr { fn d() -> u8 { K::V } }\n\
             const C: u8 = { fn inner() -> u8 { Q::R } inner() };\n",
            // Multi-byte text in and around bodies, CRLF, a BOM.
            "\u{feff}fn é() { let s = \"ü😀\"; A::b(s) }\r\nfn g() { /* é */ C::d() } struct Z;",
            // Bodies the lexer must not take for fn bodies.
            "m! { fn h() { 1 } } #[a(fn x() {})] fn k() where T: Fn() -> u8 { X::y() } \
             fn l() -> Foo<{ N }> { Z::z() } extern \"C\" { fn e(); } type F = fn(u8) -> u8;",
            // A local macro that declares statics makes bodies using it eager.
            "macro_rules! mk { ($n:ident) => { static $n: u8 = 0; } } fn f() { mk!(X); Y::z() }",
            // Single-call bodies (shims).
            "pub fn fwd(x: u8) -> u8 { crate::new::f(x) } pub fn two() { a(); b() }",
            // Doc comments left out of syn's text: before items, fields, variants,
            // attributes, in eager bodies and macros; spans right after them; a
            // dangling one (a parse error either way) and plain `////`, `/**/` comments.
            "/// é doc\n/** block\n doc */ pub struct S { /// f\n pub f: A::B }\n\
             enum E { /// v\n V(X::Y) }\n///d\n#[doc(hidden)]\n///d\nfn f() { /// n\n fn g() {} Z::z() }\n\
             m! { /// in macro\n static X: u8 = 0; }\nstruct T;/// touching\nstruct U;\n\
             //// plain\n/**/ fn h() { Q::r() }\nimpl S { fn k() {} /// dangling\n}",
            "/// doc\nstatic A: M = M::new(); /// last",
            // Keywords that declare nothing here leave the body lazy.
            "fn f() { extern \"C\" {} let g: fn(u8) = h; let p = x as *const A::B; \
             const { assert!(C::D) }; a.union(&b); let t: unsafe extern \"C\" fn() = E::f; }",
        ];
        for (i, text) in cases.iter().enumerate() {
            assert_same_facts(format!("case {i}"), text.to_string());
        }
    }

    /// The one difference: a syntax error inside a lazy body is found only when the body is
    /// parsed, and then costs the body, not its fn.
    #[test]
    fn a_broken_lazy_body_costs_only_itself() {
        let text = "fn ok() { A::b() } fn broken() { let = ; } fn after() { C::d() }";
        let eager = extract_file(text);
        assert!(!eager.items.iter().any(|i| i.name == "broken"));
        assert_eq!(eager.problems.len(), 1);
        let lazy = extract_file_lazy(text);
        assert!(lazy.problems.is_empty());
        let filled = lazy_then_filled(text);
        assert!(filled.items.iter().any(|i| i.name == "broken"));
        assert_eq!(filled.problems.len(), 1);
        assert_eq!(filled.problems[0].kind, crate::facts::ProblemKind::Parse);
        let span = filled.problems[0].span.unwrap();
        assert!(
            text[span.range()].starts_with('='),
            "{:?}",
            &text[span.range()]
        );
    }

    fn bodies(text: &str) -> Option<Vec<(String, bool)>> {
        let mut f = BodyFinder::default();
        for t in Lexer::new(text) {
            f.feed(t, text);
        }
        let found = f.finish()?;
        Some(
            found
                .bodies
                .iter()
                .map(|b| (text[b.open..=b.close].to_string(), b.eager))
                .collect(),
        )
    }

    #[test]
    fn finds_outermost_fn_bodies() {
        let text = r#"
            fn a() -> Vec<u8> { vec![1] }
            pub(crate) async unsafe fn b<T: Into<u8>, const N: usize>(x: [u8; { N }]) -> Foo<{ N }> where T: Fn() -> u8 { x.len() }
            impl<T> S<T> { fn c(&self) { let f = |x| x; } fn d(); }
            trait Tr { fn e() { 1 } fn f(); }
            extern "C" { fn g(x: u8); }
            type F = fn(u8) -> u8;
            struct P { f: fn() }
            m! { fn h() { 1 } }
            #[attr(fn x() {})]
            fn i() { fn inner() {} }
        "#;
        let found = bodies(text).unwrap();
        let texts: Vec<&str> = found.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(
            texts,
            [
                "{ vec![1] }",
                "{ x.len() }",
                "{ let f = |x| x; }",
                "{ 1 }",
                "{ fn inner() {} }",
            ]
        );
        assert_eq!(found.iter().filter(|(_, eager)| *eager).count(), 1);
    }

    #[test]
    fn local_triggers_make_a_body_eager() {
        for body in [
            "static X: u8 = 1;",
            "use a::b;",
            "thread_local! { static A: u8 = 1; }",
            "Box::leak(x)",
            "log::set_boxed_logger(l)",
            "inventory::collect!(P);",
            "fn g() {}",
            "const fn g() {}",
            "const N: u8 = 1;",
            "const _: () = ();",
            "unsafe extern \"C\" fn g() {}",
            "extern crate alloc;",
            "union U { a: u8 }",
            "let p = x as *const u8; struct S;",
            "x.f(); fn",
        ] {
            let found = bodies(&format!("fn f() {{ {body} }}")).unwrap();
            assert!(found[0].1, "{body}");
        }
        for body in [
            "let f: fn(u8) -> u8 = g; f(1)",
            "let p = x as *const u8; p.add(1)",
            "const { assert!(N > 0) }; A::b()",
            "let t: unsafe extern \"C\" fn() = g;",
            "extern \"C\" {}",
            "a.union(&b).count()",
            "\"static\" /* static */",
        ] {
            let found = bodies(&format!("fn f() -> &'static str {{ {body} }}")).unwrap();
            assert!(!found[0].1, "{body}");
        }
    }

    #[test]
    fn unbalanced_delimiters_disable_blanking() {
        assert!(bodies("fn f() { ( }").is_none());
        assert!(bodies("fn f() { ").is_none());
    }
}
