//! Parse one file with syn and extract its facts.
//!
//! One lexer pass finds suppression comments and checks nesting depth (so hostile input
//! never reaches syn's recursive parser); syn then parses the file item by item (a broken
//! item costs only itself) and one walk over the tree collects items, `use` leaves, path
//! references and impl blocks. Spans are converted to byte offsets into the original text
//! as they are recorded; nothing keeps a syn node after extraction.

use super::bodies::BodyFinder;
use super::depth::NestingGuard;
use super::lex::{prelude_len, Lexer, TokKind, Token};
use super::macros::{self, BranchCfg, Grammar, ItemBody, LocalMacro, MacroStatic};
use super::suppressions::Scanner;
use super::*;
use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::ToTokens;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::rc::Rc;
use syn::parse::discouraged::Speculative;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::visit::{self, Visit};
use syn::{Attribute, Expr, ImplItem, Meta, Pat, TraitItem, Type};

/// Stack the threads that call [`extract_file`] need: the nesting guard's budget is sized
/// for it (measured on unoptimised builds, the worst case).
pub const STACK_SIZE: usize = 8 << 20;

/// Parse problems recorded per file; later ones add nothing a user can act on.
const MAX_PARSE_PROBLEMS: usize = 16;
/// Bytes of a static's initializer kept for messages.
const INIT_TEXT_MAX: usize = 300;
/// Local `macro_rules!` expanding into further local macro invocations.
const MAX_EXPANSION_DEPTH: u32 = 4;

/// Extract the facts of one file's text. Never panics; problems are recorded in the facts.
///
/// Uses (and afterwards clears) proc-macro2's thread-local span table, so no spans from
/// other parses on this thread may be alive while it runs.
pub fn extract_file(text: &str) -> FileFacts {
    extract_file_with(text, false)
}

/// Like [`extract_file`], but fn bodies that mention no local trigger (see `bodies.rs`) are
/// not parsed: they are listed in [`FileFacts::lazy_bodies`], and their refs and body
/// summaries stay missing until [`extract_body`] fills them in.
pub fn extract_file_lazy(text: &str) -> FileFacts {
    extract_file_with(text, true)
}

fn extract_file_with(text: &str, lazy: bool) -> FileFacts {
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| extract(text, lazy)));
    // Every span of this parse is dead now; drop the file from the thread's source map so
    // it does not grow with every file this thread parses.
    proc_macro2::extra::invalidate_current_thread_spans();
    let mut facts = outcome.unwrap_or_else(|_| FileFacts {
        problems: vec![Problem {
            kind: ProblemKind::Parse,
            message: "internal error while extracting facts from this file".into(),
            span: None,
        }],
        ..FileFacts::default()
    });
    facts.generated = super::marks_generated(text);
    facts
}

fn extract(text: &str, lazy: bool) -> FileFacts {
    let mut facts = FileFacts::default();
    let mut guard = NestingGuard::default();
    let mut scanner = Scanner::new(text);
    let mut finder = lazy.then(BodyFinder::default);
    let mut too_deep = None;
    for tok in Lexer::new(text) {
        scanner.token(tok);
        if let Some(f) = &mut finder {
            f.feed(tok, text);
        }
        if too_deep.is_none() {
            if let Err(p) = guard.feed(tok, text) {
                too_deep = Some(p);
                if !scanner.enabled() {
                    break;
                }
            }
        }
    }
    facts.suppressions = scanner.finish();
    if let Some(p) = too_deep {
        facts.problems.push(p);
        return facts;
    }

    // syn strips a BOM and a shebang line before tokenizing; its spans start after them.
    let base = prelude_len(text);
    if let Some(lazy) = finder.and_then(|f| blank_bodies(text, f)) {
        let suppressions = std::mem::take(&mut facts.suppressions);
        match extract_blanked(text, base, suppressions, lazy) {
            Ok(facts) => return facts,
            // The lexer's idea of the bodies did not hold up: parse the file whole.
            Err(suppressions) => facts.suppressions = suppressions,
        }
    }
    let parsed = match parse_recovering(text.get(base..).unwrap_or("")) {
        Ok(parsed) => parsed,
        Err(e) => {
            facts.problems.push(parse_problem(&e, base));
            return facts;
        }
    };
    for e in parsed.errors.iter().take(MAX_PARSE_PROBLEMS) {
        facts.problems.push(parse_problem(e, base));
    }
    let mut ex = Extractor::new(text, text, base, text.len(), facts);
    ex.file(&parsed.attrs, &parsed.items);
    ex.facts
}

/// The text syn parses when bodies are left out, and the blanked bodies by their `{` offset.
struct Blanked {
    /// The file with the inside of every blanked body removed (`{}` is left), and its
    /// outer doc comments (a space is left).
    text: String,
    /// Where text was removed: (offset in `text` of the first byte after a cut, bytes
    /// removed up to there), in order; see [`Extractor::orig`].
    shifts: Vec<(usize, usize)>,
    /// `{` offset → `}` offset, in the original text.
    bodies: HashMap<usize, usize>,
}

/// Cut the inside of every body that may stay unparsed out of the text syn parses (syn
/// never has to step over it, and spans map back through [`Blanked::shifts`]), and the
/// outer doc comments syn would turn into attributes nobody reads. `None` when there is
/// nothing to leave out or the lexer could not follow the file.
fn blank_bodies(text: &str, finder: BodyFinder) -> Option<Blanked> {
    let found = finder.finish()?;
    let local_macros = &found.local_macros;
    let mut bodies = HashMap::new();
    // Ranges to cut, each keeping its first byte (a body's `{`; a space for a comment),
    // so the tokens on either side stay apart and the end of the token before keeps
    // its offset.
    let mut cuts = Vec::with_capacity(found.bodies.len() + found.docs.len());
    for b in found.bodies.iter().filter(|b| !b.eager) {
        let inner = text.get(b.open + 1..b.close)?;
        // A local `macro_rules!` invoked in the body may declare statics: parse it now.
        if !local_macros.is_empty()
            && Lexer::new(inner).any(|t| {
                t.kind == TokKind::Ident
                    && local_macros
                        .iter()
                        .any(|m| inner.get(t.lo..t.hi) == Some(m))
            })
        {
            continue;
        }
        if inner.bytes().all(|c| c.is_ascii_whitespace()) {
            continue;
        }
        cuts.push((b.open, b.close));
        bodies.insert(b.open, b.close);
    }
    cuts.extend(found.docs.iter().map(|&(lo, hi)| (lo, hi)));
    if cuts.is_empty() {
        return None;
    }
    cuts.sort_unstable();
    let mut out = String::with_capacity(text.len() / 2);
    let mut copied = 0;
    let mut removed = 0;
    let mut shifts = Vec::with_capacity(cuts.len());
    for (lo, hi) in cuts {
        // A doc comment inside a body that is cut already.
        if lo < copied {
            continue;
        }
        out.push_str(text.get(copied..lo)?);
        match text.as_bytes().get(lo) {
            Some(b'{') => out.push('{'),
            _ => out.push(' '),
        }
        copied = hi;
        removed += hi - lo - 1;
        shifts.push((out.len(), removed));
    }
    out.push_str(text.get(copied..)?);
    Some(Blanked {
        text: out,
        shifts,
        bodies,
    })
}

/// Extract from the blanked text (the file's facts so far are its suppressions); `Err`
/// gives them back when the result cannot be trusted (a parse error, or a blanked range
/// that is not exactly a fn's block).
fn extract_blanked(
    text: &str,
    base: usize,
    suppressions: Vec<Suppression>,
    blanked: Blanked,
) -> Result<FileFacts, Vec<Suppression>> {
    let parsed = match parse_recovering(blanked.text.get(base..).unwrap_or("")) {
        Ok(parsed) if parsed.errors.is_empty() => parsed,
        _ => return Err(suppressions),
    };
    let facts = FileFacts {
        suppressions,
        ..FileFacts::default()
    };
    let mut ex = Extractor::new(text, &blanked.text, base, blanked.text.len(), facts);
    ex.blanked = blanked.bodies;
    ex.shifts = blanked.shifts;
    ex.file(&parsed.attrs, &parsed.items);
    if ex.blanked.is_empty() {
        Ok(ex.facts)
    } else {
        Err(std::mem::take(&mut ex.facts.suppressions))
    }
}

/// What a lazy body contributes once parsed.
#[derive(Debug, Clone, Default)]
pub struct BodyFacts {
    /// Its refs, in the order a whole-file walk records them.
    pub refs: Vec<PathRef>,
    pub summary: BodySummary,
    pub problems: Vec<Problem>,
}

/// Parse one lazy body of `text` (the text its facts came from) as the walk of its fn
/// would have. Never panics; uses and clears proc-macro2's thread-local span table.
pub fn extract_body(text: &str, fn_item: &Item, body: &LazyBody) -> BodyFacts {
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        body_facts(text, fn_item, body)
    }));
    proc_macro2::extra::invalidate_current_thread_spans();
    outcome.unwrap_or_else(|_| BodyFacts {
        problems: vec![Problem {
            kind: ProblemKind::Parse,
            message: format!(
                "internal error while extracting facts from the body of `{}`",
                fn_item.name
            ),
            span: Some(body.span),
        }],
        ..BodyFacts::default()
    })
}

fn body_facts(text: &str, fn_item: &Item, body: &LazyBody) -> BodyFacts {
    let (lo, hi) = (
        body.span.lo as usize + 1,
        (body.span.hi as usize).saturating_sub(1),
    );
    let src = text.get(lo..hi).unwrap_or("");
    let parsed = src
        .parse::<TokenStream>()
        .map_err(|e| syn::Error::new(e.span(), "cannot split this fn body into tokens"))
        .and_then(|tokens| syn::Block::parse_within.parse2(tokens));
    let stmts = match parsed {
        Ok(stmts) => stmts,
        Err(e) => {
            return BodyFacts {
                problems: vec![parse_problem(&e, lo)],
                ..BodyFacts::default()
            }
        }
    };
    let mut ex = Extractor::new(text, text, lo, hi, FileFacts::default());
    ex.scope = fn_item.scope.clone();
    ex.scope.push(ScopeSeg::Fn(fn_item.name.clone()));
    ex.in_test = fn_item.in_test;
    ex.cfg_gated = fn_item.cfg_gated;
    ex.in_fn_body = true;
    ex.fn_name = Some(fn_item.name.clone());
    ex.impl_info = body.enclosing_impl.clone().map(|name| {
        Rc::new(ImplInfo {
            name,
            // Only nested fns read it, and a body with fns in it is never lazy.
            ctx: None,
        })
    });
    ex.bodies.push(BodySummary::default());
    for stmt in &stmts {
        ex.visit_stmt(stmt);
    }
    let mut summary = ex.bodies.pop().unwrap_or_default();
    summary.single_call = is_single_call(&stmts);
    BodyFacts {
        refs: ex.facts.refs,
        summary,
        problems: ex.facts.problems,
    }
}

fn parse_problem(e: &syn::Error, base: usize) -> Problem {
    let r = e.span().byte_range();
    Problem {
        kind: ProblemKind::Parse,
        message: e.to_string(),
        span: Some(Span::new(r.start + base, r.end + base)),
    }
}

struct Parsed {
    attrs: Vec<Attribute>,
    items: Vec<syn::Item>,
    errors: Vec<syn::Error>,
}

/// Like `syn::parse_file`, but an item that does not parse is skipped (up to its `;` or
/// braced body) and recorded, and the rest of the file is still parsed.
fn parse_recovering(src: &str) -> syn::Result<Parsed> {
    let tokens: TokenStream = src.parse().map_err(|e: proc_macro2::LexError| {
        syn::Error::new(
            e.span(),
            "cannot split the file into tokens here: an unbalanced delimiter or an \
             unterminated string, character or comment",
        )
    })?;
    (|input: ParseStream| {
        let attrs = input.call(Attribute::parse_inner)?;
        let (items, errors) = parse_items(input);
        Ok(Parsed {
            attrs,
            items,
            errors,
        })
    })
    .parse2(tokens)
}

fn parse_items(input: ParseStream) -> (Vec<syn::Item>, Vec<syn::Error>) {
    let mut items = Vec::new();
    let mut errors = Vec::new();
    while !input.is_empty() {
        let fork = input.fork();
        match fork.parse::<syn::Item>() {
            Ok(item) => {
                input.advance_to(&fork);
                items.push(item);
            }
            Err(e) => {
                errors.push(e);
                skip_item(input);
            }
        }
    }
    (items, errors)
}

/// Skip tokens up to and including the next `;` or braced group.
fn skip_item(input: ParseStream) {
    let _ = input.step(|cursor| {
        let mut c = *cursor;
        while let Some((tt, next)) = c.token_tree() {
            c = next;
            match tt {
                TokenTree::Punct(p) if p.as_char() == ';' => break,
                TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => break,
                _ => {}
            }
        }
        Ok(((), c))
    });
}

// ---------------------------------------------------------------------------------------
// Small helpers over syn nodes.

/// First character of an identifier, without allocating.
fn first_char(ident: &proc_macro2::Ident) -> Option<char> {
    struct First(Option<char>);
    impl std::fmt::Write for First {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            if self.0.is_none() {
                self.0 = s.chars().next();
            }
            // Stop formatting: the rest is not needed.
            Err(std::fmt::Error)
        }
    }
    let mut f = First(None);
    let _ = write!(f, "{ident}");
    f.0
}

fn starts_upper(ident: &proc_macro2::Ident) -> bool {
    first_char(ident).is_some_and(char::is_uppercase)
}

/// Paths worth recording as references: anything qualified, or a single segment that
/// can name a type, a unit struct, or a constant (`Self` included). Single lower-case
/// segments are locals and fns in scope; the prelude's variants never matter.
fn worth_recording(path: &syn::Path) -> bool {
    match path.segments.len() {
        0 => false,
        1 => {
            let id = &path.segments[0].ident;
            starts_upper(id) && !(id == "Some" || id == "None" || id == "Ok" || id == "Err")
        }
        _ => true,
    }
}

fn is_screaming(s: &str) -> bool {
    s.chars().any(|c| c.is_ascii_uppercase())
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

fn path_ends_with(path: &syn::Path, tail: &[&str]) -> bool {
    path.segments.len() >= tail.len()
        && path
            .segments
            .iter()
            .rev()
            .zip(tail.iter().rev())
            .all(|(seg, want)| seg.ident == want)
}

fn vis_of(v: &syn::Visibility) -> Vis {
    match v {
        syn::Visibility::Public(_) => Vis::Public,
        syn::Visibility::Restricted(r) if r.in_token.is_none() && r.path.is_ident("crate") => {
            Vis::Crate
        }
        syn::Visibility::Restricted(_) => Vis::Restricted,
        syn::Visibility::Inherited => Vis::Private,
    }
}

fn vis_start(v: &syn::Visibility) -> Option<proc_macro2::Span> {
    match v {
        syn::Visibility::Public(p) => Some(p.span),
        syn::Visibility::Restricted(r) => Some(r.pub_token.span),
        syn::Visibility::Inherited => None,
    }
}

fn sig_start(sig: &syn::Signature) -> proc_macro2::Span {
    sig.constness
        .as_ref()
        .map(|t| t.span)
        .or(sig.asyncness.as_ref().map(|t| t.span))
        .or(sig.unsafety.as_ref().map(|t| t.span))
        .or(sig.abi.as_ref().map(|a| a.extern_token.span))
        .unwrap_or(sig.fn_token.span)
}

fn delim_close(d: &syn::MacroDelimiter) -> proc_macro2::Span {
    match d {
        syn::MacroDelimiter::Paren(p) => p.span.close(),
        syn::MacroDelimiter::Brace(b) => b.span.close(),
        syn::MacroDelimiter::Bracket(b) => b.span.close(),
    }
}

fn delim_span(d: &syn::MacroDelimiter) -> proc_macro2::extra::DelimSpan {
    match d {
        syn::MacroDelimiter::Paren(p) => p.span,
        syn::MacroDelimiter::Brace(b) => b.span,
        syn::MacroDelimiter::Bracket(b) => b.span,
    }
}

fn path_start(path: &syn::Path) -> proc_macro2::Span {
    match (&path.leading_colon, path.segments.first()) {
        (Some(c), _) => c.spans[0],
        (None, Some(s)) => s.ident.span(),
        (None, None) => proc_macro2::Span::call_site(),
    }
}

fn path_end(path: &syn::Path) -> proc_macro2::Span {
    path.segments
        .last()
        .map_or_else(|| path_start(path), |s| s.ident.span())
}

/// `cfg` predicate that selects test builds: `test`, or `all(..)`/`any(..)` containing one.
fn is_test_predicate(tokens: &TokenStream) -> bool {
    let mut iter = tokens.clone().into_iter().peekable();
    while let Some(tt) = iter.next() {
        let TokenTree::Ident(id) = &tt else { continue };
        let next = iter.peek();
        if id == "test" && matches!(next, None | Some(TokenTree::Punct(_))) {
            return true;
        }
        if id == "all" || id == "any" {
            if let Some(TokenTree::Group(g)) = next {
                if is_test_predicate(&g.stream()) {
                    return true;
                }
            }
        }
    }
    false
}

/// [`is_test_predicate`] over the predicate's source text: no token stream is cloned.
fn is_test_predicate_text(pred: &str) -> bool {
    let toks: Vec<Token> = Lexer::new(pred).collect();
    let text_of = |t: &Token| pred.get(t.lo..t.hi).unwrap_or("");
    // Per open group: does a `test` here select test builds (only `all`/`any` around it)?
    let mut counts = vec![true];
    for (i, t) in toks.iter().enumerate() {
        match t.kind {
            TokKind::Open => {
                let by_all_any = i > 0
                    && toks[i - 1].kind == TokKind::Ident
                    && matches!(text_of(&toks[i - 1]), "all" | "any");
                let outer = counts.last().copied().unwrap_or(false);
                counts.push(outer && by_all_any);
            }
            TokKind::Close if counts.len() > 1 => {
                counts.pop();
            }
            TokKind::Ident if text_of(t) == "test" => {
                let is_key = toks.get(i + 1).is_some_and(|n| text_of(n) == "=");
                if !is_key && counts.last() == Some(&true) {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// The attributes of `cfg_attr(pred, a, b(..))`: everything after the predicate.
fn cfg_attr_metas(tokens: &TokenStream) -> Vec<Meta> {
    let rest: TokenStream = tokens
        .clone()
        .into_iter()
        .skip_while(|tt| !matches!(tt, TokenTree::Punct(p) if p.as_char() == ','))
        .skip(1)
        .collect();
    Punctuated::<Meta, syn::Token![,]>::parse_terminated
        .parse2(rest)
        .map(|p| p.into_iter().collect())
        .unwrap_or_default()
}

/// The initializer only builds literal data: an immutable table.
fn literal_only(e: &Expr) -> bool {
    match e {
        Expr::Lit(_) => true,
        Expr::Array(a) => a.elems.iter().all(literal_only),
        Expr::Tuple(t) => t.elems.iter().all(literal_only),
        Expr::Repeat(r) => literal_only(&r.expr),
        Expr::Reference(r) => literal_only(&r.expr),
        Expr::Paren(p) => literal_only(&p.expr),
        Expr::Group(g) => literal_only(&g.expr),
        Expr::Cast(c) => literal_only(&c.expr),
        Expr::Unary(u) => matches!(u.op, syn::UnOp::Neg(_)) && literal_only(&u.expr),
        Expr::Struct(s) => s.rest.is_none() && s.fields.iter().all(|f| literal_only(&f.expr)),
        Expr::Path(p) => {
            p.qself.is_none()
                && match p.path.segments.last() {
                    // Enum variants and associated constants (`Level::Info`, `u32::MAX`),
                    // constants, `None`; a lone CamelCase name may be a unit struct.
                    Some(last) if p.path.segments.len() > 1 => starts_upper(&last.ident),
                    Some(last) => last.ident == "None" || is_screaming(&last.ident.to_string()),
                    None => false,
                }
        }
        Expr::Macro(m) => m.mac.path.segments.last().is_some_and(|s| {
            s.ident == "concat"
                || s.ident == "stringify"
                || s.ident == "include_str"
                || s.ident == "include_bytes"
                || s.ident == "env"
        }),
        _ => false,
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

fn segments_of(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| s.ident.to_string()).collect()
}

/// Paths of fns and types called or constructed in a static's initializer, outermost first.
#[derive(Default)]
struct InitCalls {
    calls: Vec<Vec<String>>,
}

impl<'ast> Visit<'ast> for InitCalls {
    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        match &*c.func {
            Expr::Path(p) => self.calls.push(segments_of(&p.path)),
            other => self.visit_expr(other),
        }
        for arg in &c.args {
            // A fn passed by name: `Lazy::new(build_routes)`.
            if let Expr::Path(p) = arg {
                if p.path.segments.len() == 1 && !starts_upper(&p.path.segments[0].ident) {
                    self.calls.push(segments_of(&p.path));
                }
            }
            self.visit_expr(arg);
        }
    }
    fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
        // A constructor passed as a value: `Lazy::new(DashMap::new)`.
        if p.path.segments.len() > 1
            && p.path
                .segments
                .last()
                .is_some_and(|s| !starts_upper(&s.ident))
        {
            self.calls.push(segments_of(&p.path));
        }
    }
    fn visit_expr_struct(&mut self, s: &'ast syn::ExprStruct) {
        self.calls.push(segments_of(&s.path));
        visit::visit_expr_struct(self, s);
    }
    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        for e in macros::expr_body(m).unwrap_or_default() {
            self.visit_expr(&e);
        }
    }
    fn visit_item(&mut self, _: &'ast syn::Item) {}
    fn visit_type(&mut self, _: &'ast Type) {}
    fn visit_attribute(&mut self, _: &'ast Attribute) {}
}

// ---------------------------------------------------------------------------------------
// The walk.

/// The impl block an item sits in.
struct ImplInfo {
    name: String,
    /// `None` for the impl around a body parsed on its own (see [`extract_body`]).
    ctx: Option<ImplCtx>,
}

/// Where a fn is declared: associated fns know their impl, trait fns their trait.
#[derive(Clone, Copy)]
enum FnPlace<'a> {
    Free,
    Impl,
    Trait(&'a str),
}

/// Lexical context, saved and restored around every scope.
struct Saved {
    scope_len: usize,
    in_test: bool,
    cfg_gated: bool,
    in_fn_body: bool,
    fn_name: Option<String>,
    impl_info: Option<Rc<ImplInfo>>,
}

/// A static from any source, ready to become an item.
struct StaticDecl<'a> {
    attrs: &'a [Attribute],
    vis: &'a syn::Visibility,
    start: proc_macro2::Span,
    name: &'a proc_macro2::Ident,
    ty: &'a Type,
    mutable: bool,
    origin: StaticOrigin,
    init: Option<&'a Expr>,
    /// Where the initializer's text is (between `=` and `;`).
    init_range: Option<Span>,
    end: proc_macro2::Span,
}

struct Extractor<'t> {
    /// The original text: snippets are taken from it.
    text: &'t str,
    /// The text syn parsed: the original, or a copy with bodies cut out (see `shifts`);
    /// line/column positions are converted against it.
    pos_text: &'t str,
    /// Offset of syn's text in `pos_text` (BOM and shebang, or the start of a body).
    base: usize,
    /// End of syn's text in `pos_text`.
    end: usize,
    /// Bodies cut out of `pos_text`: (offset in `pos_text` from which on `removed` bytes
    /// are missing, `removed`), in order. Empty when `pos_text` is the original.
    shifts: Vec<(usize, usize)>,
    /// Byte offsets of the line starts of syn's text: spans come as line/column (columns
    /// in chars), which converts to bytes far faster than proc-macro2's `byte_range`.
    line_starts: Vec<usize>,
    /// syn's text is all ASCII: columns are byte counts.
    ascii: bool,
    facts: FileFacts,
    scope: Vec<ScopeSeg>,
    in_test: bool,
    cfg_gated: bool,
    in_fn_body: bool,
    fn_name: Option<String>,
    impl_info: Option<Rc<ImplInfo>>,
    /// Summaries of the fn bodies being walked, innermost last.
    bodies: Vec<BodySummary>,
    /// `macro_rules!` seen so far that can emit statics, by name (textual order is
    /// macro_rules scoping, so a single walk sees each definition before its uses).
    local_macros: HashMap<String, Rc<LocalMacro>>,
    /// Inside a local macro's expansion: the invocation's span (tokens of the expansion
    /// carry spans of the definition or the invocation, so items point at the invocation).
    expanding: Option<Span>,
    expansion_depth: u32,
    /// Blanked bodies not yet met (`{` offset → `}` offset): each must turn out to be the
    /// block of a fn, which then becomes a [`LazyBody`].
    blanked: HashMap<usize, usize>,
}

impl<'t> Extractor<'t> {
    fn new(text: &'t str, pos_text: &'t str, base: usize, end: usize, facts: FileFacts) -> Self {
        let src = pos_text.get(base..end).unwrap_or("");
        let line_starts = std::iter::once(0)
            .chain(
                src.bytes()
                    .enumerate()
                    .filter(|&(_, b)| b == b'\n')
                    .map(|(i, _)| i + 1),
            )
            .collect();
        let ascii = src.is_ascii();
        Extractor {
            text,
            pos_text,
            base,
            end,
            shifts: Vec::new(),
            line_starts,
            ascii,
            facts,
            scope: Vec::new(),
            in_test: false,
            cfg_gated: false,
            in_fn_body: false,
            fn_name: None,
            impl_info: None,
            bodies: Vec::new(),
            local_macros: HashMap::new(),
            expanding: None,
            expansion_depth: 0,
            blanked: HashMap::new(),
        }
    }

    // --- spans -------------------------------------------------------------------------

    /// Offset in the original text of an offset in `pos_text`.
    fn orig(&self, pos: usize) -> usize {
        match self.shifts.partition_point(|&(at, _)| at <= pos) {
            0 => pos,
            n => pos + self.shifts[n - 1].1,
        }
    }

    /// Byte offset in the original text of a line/column from syn.
    fn offset(&self, lc: proc_macro2::LineColumn) -> usize {
        let src = self.pos_text.get(self.base..self.end).unwrap_or("");
        let Some(&start) = self.line_starts.get(lc.line.wrapping_sub(1)) else {
            return self.orig(self.end);
        };
        let rest = src.get(start..).unwrap_or("");
        let in_line = if self.ascii {
            lc.column.min(rest.len())
        } else {
            match rest.as_bytes().get(..lc.column) {
                // Only ASCII before the column: chars are bytes.
                Some(before) if before.is_ascii() => lc.column,
                _ => rest
                    .char_indices()
                    .nth(lc.column)
                    .map_or(rest.len(), |(i, _)| i),
            }
        };
        self.orig(self.base + start + in_line)
    }

    fn sp(&self, s: proc_macro2::Span) -> Span {
        Span::new(self.offset(s.start()), self.offset(s.end()))
    }

    /// From the start of `lo` to the end of `hi`.
    fn sp2(&self, lo: proc_macro2::Span, hi: proc_macro2::Span) -> Span {
        Span::new(self.offset(lo.start()), self.offset(hi.end()))
    }

    fn text_of(&self, span: Span) -> &'t str {
        self.text.get(span.range()).unwrap_or("")
    }

    /// Source text strictly between two tokens, trimmed.
    fn text_between(&self, open: proc_macro2::Span, close: proc_macro2::Span) -> String {
        let (a, b) = (self.sp(open), self.sp(close));
        self.text
            .get(a.hi as usize..b.lo as usize)
            .unwrap_or("")
            .trim()
            .to_string()
    }

    // --- context -----------------------------------------------------------------------

    fn save(&self) -> Saved {
        Saved {
            scope_len: self.scope.len(),
            in_test: self.in_test,
            cfg_gated: self.cfg_gated,
            in_fn_body: self.in_fn_body,
            fn_name: self.fn_name.clone(),
            impl_info: self.impl_info.clone(),
        }
    }

    fn restore(&mut self, s: Saved) {
        self.scope.truncate(s.scope_len);
        self.in_test = s.in_test;
        self.cfg_gated = s.cfg_gated;
        self.in_fn_body = s.in_fn_body;
        self.fn_name = s.fn_name;
        self.impl_info = s.impl_info;
    }

    /// The item's own attributes apply to everything inside it.
    fn enter(&mut self, attrs: &Attrs) {
        self.in_test |= attrs.cfg_test || attrs.test_fn;
        self.cfg_gated |= !attrs.cfg.is_empty();
    }

    // --- attributes --------------------------------------------------------------------

    fn attrs(&self, attrs: &[Attribute]) -> Attrs {
        let mut a = Attrs::default();
        for attr in attrs {
            self.meta(&attr.meta, false, &mut a);
        }
        a
    }

    fn meta(&self, meta: &Meta, via_cfg_attr: bool, a: &mut Attrs) {
        let path = meta.path();
        let Some(last) = path.segments.last() else {
            return;
        };
        let id = &last.ident;
        if path.segments.len() == 1 {
            if id == "doc" {
                if let Meta::List(l) = meta {
                    a.doc_hidden |= match self.expanding {
                        Some(_) => l
                            .tokens
                            .clone()
                            .into_iter()
                            .any(|t| matches!(t, TokenTree::Ident(i) if i == "hidden")),
                        None => {
                            let d = delim_span(&l.delimiter);
                            let body = self.text_between(d.open(), d.close());
                            Lexer::new(&body).any(|t| body.get(t.lo..t.hi) == Some("hidden"))
                        }
                    };
                }
                return;
            }
            if id == "cfg" {
                if let (Meta::List(l), false) = (meta, via_cfg_attr) {
                    // Token streams are only inspected inside expansions (their text is
                    // elsewhere); iterating one clones every token.
                    if self.expanding.is_some() {
                        if is_test_predicate(&l.tokens) {
                            a.cfg_test = true;
                        } else {
                            a.cfg.push(l.tokens.to_string());
                        }
                    } else {
                        let d = delim_span(&l.delimiter);
                        let pred = self.text_between(d.open(), d.close());
                        if is_test_predicate_text(&pred) {
                            a.cfg_test = true;
                        } else {
                            a.cfg.push(pred);
                        }
                    }
                }
                return;
            }
            if id == "cfg_attr" {
                if let (Meta::List(l), false) = (meta, via_cfg_attr) {
                    for m in cfg_attr_metas(&l.tokens) {
                        self.meta(&m, true, a);
                    }
                }
                return;
            }
            if id == "deprecated" {
                a.deprecated = Some(deprecation_note(meta));
                return;
            }
            if id == "global_allocator" {
                a.global_allocator = true;
                return;
            }
            if id == "macro_export" {
                a.macro_export = true;
                return;
            }
            if id == "path" {
                if let Meta::NameValue(nv) = meta {
                    if let Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s),
                        ..
                    }) = &nv.value
                    {
                        a.path.get_or_insert_with(|| s.value());
                    }
                }
                return;
            }
        }
        if id == "test" || id == "bench" {
            a.test_fn = true;
        } else if id == "distributed_slice" {
            a.distributed_slice = true;
        } else if id == "ctor" {
            a.ctor = true;
        }
    }

    // --- types -------------------------------------------------------------------------

    fn ty(&self, t: &Type) -> Ty {
        match t {
            Type::Path(p) => self.path_ty(p.qself.as_ref(), &p.path),
            Type::Reference(r) => Ty::Ref {
                lifetime: r.lifetime.as_ref().map(|l| l.ident.to_string()),
                mutable: r.mutability.is_some(),
                inner: Box::new(self.ty(&r.elem)),
            },
            Type::Ptr(p) => Ty::Ptr(Box::new(self.ty(&p.elem))),
            Type::Slice(s) => Ty::Slice(Box::new(self.ty(&s.elem))),
            Type::Array(a) => Ty::Slice(Box::new(self.ty(&a.elem))),
            Type::Tuple(t) => Ty::Tuple(t.elems.iter().map(|e| self.ty(e)).collect()),
            Type::TraitObject(t) => Ty::TraitObject(self.bounds(&t.bounds)),
            Type::ImplTrait(t) => Ty::TraitObject(self.bounds(&t.bounds)),
            Type::BareFn(_) => Ty::FnPtr,
            Type::Infer(_) => Ty::Infer,
            Type::Never(_) => Ty::Never,
            Type::Paren(p) => self.ty(&p.elem),
            Type::Group(g) => self.ty(&g.elem),
            Type::Macro(m) if self.expanding.is_none() => Ty::Other(
                self.text_of(self.sp2(path_start(&m.mac.path), delim_close(&m.mac.delimiter)))
                    .to_string(),
            ),
            other => Ty::Other(other.to_token_stream().to_string()),
        }
    }

    fn path_ty(&self, qself: Option<&syn::QSelf>, path: &syn::Path) -> Ty {
        let mut segments = Vec::with_capacity(path.segments.len());
        let mut args = Vec::new();
        if let Some(q) = qself {
            // `<T as Trait>::X` is the path `Trait::X` (already in `path`); `<T>::X` is `T::X`.
            if q.position == 0 {
                match self.ty(&q.ty) {
                    Ty::Path {
                        segments: s,
                        args: a,
                    } => {
                        segments = s;
                        args = a;
                    }
                    _ => return Ty::Other(path.to_token_stream().to_string()),
                }
            }
        }
        for seg in &path.segments {
            segments.push(seg.ident.to_string());
            if let syn::PathArguments::AngleBracketed(ab) = &seg.arguments {
                for arg in &ab.args {
                    match arg {
                        syn::GenericArgument::Type(t) => args.push(self.ty(t)),
                        syn::GenericArgument::AssocType(a) => args.push(self.ty(&a.ty)),
                        _ => {}
                    }
                }
            }
        }
        Ty::Path { segments, args }
    }

    fn bounds(&self, bounds: &Punctuated<syn::TypeParamBound, syn::Token![+]>) -> Vec<Ty> {
        bounds
            .iter()
            .filter_map(|b| match b {
                syn::TypeParamBound::Trait(t) => Some(self.path_ty(None, &t.path)),
                _ => None,
            })
            .collect()
    }

    // --- references --------------------------------------------------------------------

    /// Record a path (if worth it) without visiting its generic arguments.
    fn record(&mut self, path: &syn::Path, kind: RefKind, call_span: Option<Span>) {
        if self.expanding.is_some() || !worth_recording(path) {
            return;
        }
        let segments = segments_of(path);
        self.record_segments(path, segments, kind, call_span);
    }

    fn record_segments(
        &mut self,
        path: &syn::Path,
        segments: Vec<String>,
        kind: RefKind,
        call_span: Option<Span>,
    ) {
        let segment_spans: Vec<Span> = path
            .segments
            .iter()
            .map(|s| self.sp(s.ident.span()))
            .collect();
        let span = self.sp2(path_start(path), path_end(path));
        self.facts.refs.push(PathRef {
            scope: self.scope.clone(),
            segments,
            leading_colon: path.leading_colon.is_some(),
            segment_spans,
            span,
            kind,
            call_span,
            enclosing_impl: self.impl_info.as_ref().map(|i| i.name.clone()),
            enclosing_fn: self.fn_name.clone(),
            in_test: self.in_test,
        });
    }

    /// Record a path and visit the types in its generic arguments.
    fn path_ref(&mut self, path: &syn::Path, kind: RefKind, call_span: Option<Span>) {
        self.record(path, kind, call_span);
        for seg in &path.segments {
            self.visit_path_arguments(&seg.arguments);
        }
    }

    fn qself(&mut self, q: &Option<syn::QSelf>) {
        if let Some(q) = q {
            self.visit_type(&q.ty);
        }
    }

    /// `let m: M = Default::default()`: the annotated type is what gets constructed
    /// (also through `Arc<M>`, `Box<M>`, `Mutex<M>` .. whose `default()` builds an `M`).
    fn default_annotated(&mut self, ty: &Type, call_span: Span) {
        let Type::Path(tp) = ty else { return };
        if tp.qself.is_some() {
            return;
        }
        self.record(&tp.path, RefKind::DefaultAnnotated, Some(call_span));
        let Some(last) = tp.path.segments.last() else {
            return;
        };
        let wraps = ["Arc", "Rc", "Box", "Mutex", "RwLock", "RefCell", "Cell"]
            .iter()
            .any(|w| last.ident == w);
        if let (true, syn::PathArguments::AngleBracketed(ab)) = (wraps, &last.arguments) {
            if let Some(syn::GenericArgument::Type(inner)) = ab.args.first() {
                self.default_annotated(inner, call_span);
            }
        }
    }

    fn call_span(&self, c: &syn::ExprCall, callee: &syn::ExprPath) -> Span {
        let start = match &callee.qself {
            Some(q) => q.lt_token.span,
            None => path_start(&callee.path),
        };
        self.sp2(start, c.paren_token.span.close())
    }

    /// A macro body with no `::` and no upper-case identifier outside literals cannot
    /// hold a reference worth recording; skipping its parse saves re-tokenizing it
    /// (most bodies are log and format calls on locals).
    fn body_may_name_paths(&self, mac: &syn::Macro) -> bool {
        let d = delim_span(&mac.delimiter);
        let body = self.text_of(Span::new(
            self.sp(d.open()).hi as usize,
            self.sp(d.close()).lo as usize,
        ));
        Lexer::new(body).any(|t| match t.kind {
            TokKind::Punct => body.get(t.lo..t.hi) == Some("::"),
            TokKind::Ident => body
                .get(t.lo..)
                .is_some_and(|s| s.starts_with(|c: char| c.is_uppercase())),
            _ => false,
        })
    }

    fn body(&mut self) -> Option<&mut BodySummary> {
        self.bodies.last_mut()
    }

    // --- items -------------------------------------------------------------------------

    fn file(&mut self, attrs: &[Attribute], items: &[syn::Item]) {
        let inner = self.attrs(attrs);
        self.enter(&inner);
        self.facts.inner_attrs = inner;
        for item in items {
            self.item(item);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn push_item(
        &mut self,
        name: String,
        kind: ItemKind,
        vis: Vis,
        name_span: Span,
        span: Span,
        attrs: Attrs,
        detail: ItemDetail,
    ) -> usize {
        let (name_span, span) = match self.expanding {
            Some(inv) if !(inv.lo <= name_span.lo && name_span.hi <= inv.hi) => (inv, inv),
            Some(inv) => (name_span, inv),
            None => (name_span, span),
        };
        let in_test = self.in_test || attrs.cfg_test || attrs.test_fn;
        let cfg_gated = self.cfg_gated || !attrs.cfg.is_empty();
        self.facts.items.push(Item {
            name,
            kind,
            scope: self.scope.clone(),
            vis,
            name_span,
            span,
            attrs,
            in_test,
            in_fn_body: self.in_fn_body,
            cfg_gated,
            detail,
        });
        self.facts.items.len() - 1
    }

    /// A simple item: name, kind, detail; then its inner parts are visited for refs.
    fn simple_item(
        &mut self,
        attrs: &[Attribute],
        vis: &syn::Visibility,
        ident: &proc_macro2::Ident,
        // The item's first keyword and last token.
        (keyword, end): (proc_macro2::Span, proc_macro2::Span),
        kind: ItemKind,
        detail: ItemDetail,
    ) -> Attrs {
        let a = self.attrs(attrs);
        let span = self.sp2(vis_start(vis).unwrap_or(keyword), end);
        let name_span = self.sp(ident.span());
        self.push_item(
            ident.to_string(),
            kind,
            vis_of(vis),
            name_span,
            span,
            a.clone(),
            detail,
        );
        a
    }

    fn item(&mut self, item: &syn::Item) {
        use syn::Item as I;
        match item {
            I::Struct(s) => {
                let info = self.struct_info(&s.fields);
                let end = match (&s.semi_token, &s.fields) {
                    (Some(semi), _) => semi.span,
                    (None, syn::Fields::Named(f)) => f.brace_token.span.close(),
                    (None, syn::Fields::Unnamed(f)) => f.paren_token.span.close(),
                    (None, syn::Fields::Unit) => s.ident.span(),
                };
                let a = self.simple_item(
                    &s.attrs,
                    &s.vis,
                    &s.ident,
                    (s.struct_token.span, end),
                    ItemKind::Struct,
                    ItemDetail::Struct(info),
                );
                let saved = self.save();
                self.enter(&a);
                self.visit_generics(&s.generics);
                self.visit_fields(&s.fields);
                self.restore(saved);
            }
            I::Enum(e) => {
                let variants = e
                    .variants
                    .iter()
                    .map(|v| Variant {
                        name: v.ident.to_string(),
                        fields: self.struct_info(&v.fields).fields,
                    })
                    .collect();
                let a = self.simple_item(
                    &e.attrs,
                    &e.vis,
                    &e.ident,
                    (e.enum_token.span, e.brace_token.span.close()),
                    ItemKind::Enum,
                    ItemDetail::Enum(EnumInfo { variants }),
                );
                let saved = self.save();
                self.enter(&a);
                self.visit_generics(&e.generics);
                for v in &e.variants {
                    self.visit_variant(v);
                }
                self.restore(saved);
            }
            I::Union(u) => {
                let info = StructInfo {
                    tuple: false,
                    unit: false,
                    fields: self.fields(u.fields.named.iter()),
                };
                let a = self.simple_item(
                    &u.attrs,
                    &u.vis,
                    &u.ident,
                    (u.union_token.span, u.fields.brace_token.span.close()),
                    ItemKind::Union,
                    ItemDetail::Struct(info),
                );
                let saved = self.save();
                self.enter(&a);
                self.visit_generics(&u.generics);
                self.visit_fields_named(&u.fields);
                self.restore(saved);
            }
            I::Type(t) => {
                let ty = self.ty(&t.ty);
                let a = self.simple_item(
                    &t.attrs,
                    &t.vis,
                    &t.ident,
                    (t.type_token.span, t.semi_token.span),
                    ItemKind::TypeAlias,
                    ItemDetail::TypeAlias(ty),
                );
                let saved = self.save();
                self.enter(&a);
                self.visit_generics(&t.generics);
                self.visit_type(&t.ty);
                self.restore(saved);
            }
            I::Trait(t) => self.item_trait(t),
            I::Fn(f) => {
                let start = vis_start(&f.vis).unwrap_or_else(|| sig_start(&f.sig));
                let span = self.sp2(start, f.block.brace_token.span.close());
                self.item_fn(
                    &f.attrs,
                    &f.vis,
                    &f.sig,
                    Some(&f.block),
                    span,
                    FnPlace::Free,
                );
            }
            I::Static(s) => {
                self.static_decl(StaticDecl {
                    attrs: &s.attrs,
                    vis: &s.vis,
                    start: vis_start(&s.vis).unwrap_or(s.static_token.span),
                    name: &s.ident,
                    ty: &s.ty,
                    mutable: matches!(s.mutability, syn::StaticMutability::Mut(_)),
                    origin: StaticOrigin::Static,
                    init: Some(&s.expr),
                    init_range: Some(Span::new(
                        self.sp(s.eq_token.span).hi as usize,
                        self.sp(s.semi_token.span).lo as usize,
                    )),
                    end: s.semi_token.span,
                });
            }
            I::Const(c) => {
                let is_named = c.ident != "_";
                let a = if is_named {
                    let ty = self.ty(&c.ty);
                    self.simple_item(
                        &c.attrs,
                        &c.vis,
                        &c.ident,
                        (c.const_token.span, c.semi_token.span),
                        ItemKind::Const,
                        ItemDetail::Const(ty),
                    )
                } else {
                    self.attrs(&c.attrs)
                };
                let saved = self.save();
                self.enter(&a);
                self.visit_type(&c.ty);
                self.initializer(&c.ident, &c.expr);
                self.restore(saved);
            }
            I::Mod(m) => self.item_mod(m),
            I::Impl(i) => self.item_impl(i),
            I::Use(u) => self.item_use(u),
            I::ExternCrate(e) => {
                let name = e.rename.as_ref().map_or(&e.ident, |(_, r)| r);
                let a = self.attrs(&e.attrs);
                let span = self.sp2(
                    vis_start(&e.vis).unwrap_or(e.extern_token.span),
                    e.semi_token.span,
                );
                let name_span = self.sp(name.span());
                self.push_item(
                    name.to_string(),
                    ItemKind::ExternCrate,
                    vis_of(&e.vis),
                    name_span,
                    span,
                    a,
                    ItemDetail::ExternCrate {
                        krate: e.ident.to_string(),
                    },
                );
            }
            I::Macro(m) => self.item_macro(m),
            I::Verbatim(tokens) => self.verbatim(tokens),
            _ => {}
        }
    }

    fn struct_info(&self, fields: &syn::Fields) -> StructInfo {
        StructInfo {
            tuple: matches!(fields, syn::Fields::Unnamed(_)),
            unit: matches!(fields, syn::Fields::Unit),
            fields: self.fields(fields.iter()),
        }
    }

    fn fields<'a>(&self, fields: impl Iterator<Item = &'a syn::Field>) -> Vec<Field> {
        fields
            .map(|f| Field {
                name: f.ident.as_ref().map(|i| i.to_string()),
                ty: self.ty(&f.ty),
                vis: vis_of(&f.vis),
            })
            .collect()
    }

    /// A const/static initializer: items inside it live in a block named after it.
    fn initializer(&mut self, name: &proc_macro2::Ident, expr: &Expr) {
        let saved = self.save();
        self.scope.push(ScopeSeg::Block(name.to_string()));
        self.in_fn_body = true;
        self.visit_expr(expr);
        self.restore(saved);
    }

    fn item_fn(
        &mut self,
        attrs: &[Attribute],
        vis: &syn::Visibility,
        sig: &syn::Signature,
        block: Option<&syn::Block>,
        span: Span,
        place: FnPlace,
    ) {
        let a = self.attrs(attrs);
        let name = sig.ident.to_string();
        let receiver = sig.receiver().map(|r| {
            if r.colon_token.is_some() {
                Receiver::Typed
            } else if r.reference.is_some() {
                if r.mutability.is_some() {
                    Receiver::RefMut
                } else {
                    Receiver::Ref
                }
            } else {
                Receiver::Value
            }
        });
        let params = sig
            .inputs
            .iter()
            .filter_map(|arg| match arg {
                syn::FnArg::Typed(pt) => Some(Param {
                    name: match (&*pt.pat, self.expanding) {
                        (Pat::Ident(pi), _) => pi.ident.to_string(),
                        (other, None) => self
                            .text_of(self.sp(syn::spanned::Spanned::span(other)))
                            .to_string(),
                        (other, Some(_)) => other.to_token_stream().to_string(),
                    },
                    ty: self.ty(&pt.ty),
                }),
                syn::FnArg::Receiver(_) => None,
            })
            .collect();
        let info = FnInfo {
            receiver,
            params,
            ret: match &sig.output {
                syn::ReturnType::Type(_, t) => Some(self.ty(t)),
                syn::ReturnType::Default => None,
            },
            is_async: sig.asyncness.is_some(),
            impl_of: match place {
                FnPlace::Impl => self.impl_info.as_ref().and_then(|i| i.ctx.clone()),
                _ => None,
            },
            in_trait: match place {
                FnPlace::Trait(t) => Some(t.to_string()),
                _ => None,
            },
            body: BodySummary::default(),
        };
        let name_span = self.sp(sig.ident.span());
        let idx = self.push_item(
            name.clone(),
            ItemKind::Fn,
            vis_of(vis),
            name_span,
            span,
            a.clone(),
            ItemDetail::Fn(info),
        );
        let saved = self.save();
        self.enter(&a);
        self.fn_name = Some(name.clone());
        self.visit_signature(sig);
        if let Some(block) = block.filter(|b| !self.lazy_body(b, idx)) {
            self.scope.push(ScopeSeg::Fn(name));
            self.in_fn_body = true;
            self.bodies.push(BodySummary::default());
            self.visit_block(block);
            let mut summary = self.bodies.pop().unwrap_or_default();
            summary.single_call = is_single_call(&block.stmts);
            if let Some(Item {
                detail: ItemDetail::Fn(f),
                ..
            }) = self.facts.items.get_mut(idx)
            {
                f.body = summary;
            }
        }
        self.restore(saved);
    }

    /// A block blanked out of the text (it is empty here): record it as a [`LazyBody`].
    fn lazy_body(&mut self, block: &syn::Block, item: usize) -> bool {
        if self.blanked.is_empty() || !block.stmts.is_empty() {
            return false;
        }
        let braces = block.brace_token.span;
        let (open, close) = (self.sp(braces.open()).lo, self.sp(braces.close()).lo);
        if self.blanked.get(&(open as usize)) != Some(&(close as usize)) {
            return false;
        }
        self.blanked.remove(&(open as usize));
        self.facts.lazy_bodies.push(LazyBody {
            item: item as u32,
            span: Span {
                lo: open,
                hi: close + 1,
            },
            ref_at: self.facts.refs.len() as u32,
            enclosing_impl: self.impl_info.as_ref().map(|i| i.name.clone()),
        });
        true
    }

    fn item_trait(&mut self, t: &syn::ItemTrait) {
        let methods = t
            .items
            .iter()
            .filter_map(|i| match i {
                TraitItem::Fn(f) => Some(f.sig.ident.to_string()),
                _ => None,
            })
            .collect();
        let start = t
            .unsafety
            .as_ref()
            .map(|u| u.span)
            .or(t.auto_token.as_ref().map(|a| a.span))
            .unwrap_or(t.trait_token.span);
        let a = self.simple_item(
            &t.attrs,
            &t.vis,
            &t.ident,
            (start, t.brace_token.span.close()),
            ItemKind::Trait,
            ItemDetail::Trait(TraitInfo { methods }),
        );
        let saved = self.save();
        self.enter(&a);
        self.visit_generics(&t.generics);
        for b in &t.supertraits {
            self.visit_type_param_bound(b);
        }
        let trait_name = t.ident.to_string();
        // Trait items are not module items: a block named after the trait keeps them apart.
        self.scope.push(ScopeSeg::Block(trait_name.clone()));
        for item in &t.items {
            match item {
                TraitItem::Fn(f) => {
                    let end = match (&f.default, &f.semi_token) {
                        (Some(b), _) => b.brace_token.span.close(),
                        (None, Some(s)) => s.span,
                        (None, None) => f.sig.ident.span(),
                    };
                    let span = self.sp2(sig_start(&f.sig), end);
                    // Trait fns are as visible as the trait.
                    self.item_fn(
                        &f.attrs,
                        &t.vis,
                        &f.sig,
                        f.default.as_ref(),
                        span,
                        FnPlace::Trait(&trait_name),
                    );
                }
                TraitItem::Const(c) => {
                    self.visit_type(&c.ty);
                    if let Some((_, e)) = &c.default {
                        self.initializer(&c.ident, e);
                    }
                }
                TraitItem::Type(ty) => {
                    for b in &ty.bounds {
                        self.visit_type_param_bound(b);
                    }
                    if let Some((_, d)) = &ty.default {
                        self.visit_type(d);
                    }
                }
                TraitItem::Macro(m) => self.invocation(&m.mac, &m.attrs),
                _ => {}
            }
        }
        self.restore(saved);
    }

    fn item_mod(&mut self, m: &syn::ItemMod) {
        let start = m
            .unsafety
            .as_ref()
            .map(|u| u.span)
            .unwrap_or(m.mod_token.span);
        let end = match (&m.content, &m.semi) {
            (Some((brace, _)), _) => brace.span.close(),
            (None, Some(semi)) => semi.span,
            (None, None) => m.ident.span(),
        };
        let a = self.simple_item(
            &m.attrs,
            &m.vis,
            &m.ident,
            (start, end),
            ItemKind::Mod,
            ItemDetail::Mod(ModInfo {
                out_of_line: m.content.is_none(),
            }),
        );
        if let Some((_, items)) = &m.content {
            let saved = self.save();
            self.enter(&a);
            self.scope.push(ScopeSeg::Mod(m.ident.to_string()));
            for item in items {
                self.item(item);
            }
            self.restore(saved);
        }
    }

    fn item_impl(&mut self, i: &syn::ItemImpl) {
        let a = self.attrs(&i.attrs);
        let self_ty = self.ty(&i.self_ty);
        let trait_ = i.trait_.as_ref().map(|(_, p, _)| self.path_ty(None, p));
        let name = self_ty
            .last_name()
            .map_or_else(|| self_ty.display(), String::from);
        let start = i
            .defaultness
            .as_ref()
            .map(|d| d.span)
            .or(i.unsafety.as_ref().map(|u| u.span))
            .unwrap_or(i.impl_token.span);
        let span = self.sp2(start, i.brace_token.span.close());

        let saved = self.save();
        self.enter(&a);
        self.visit_generics(&i.generics);
        if let Some((_, p, _)) = &i.trait_ {
            self.path_ref(p, RefKind::Trait, None);
        }
        self.visit_type(&i.self_ty);
        let impl_idx = self.facts.impls.len();
        self.facts.impls.push(ImplBlock {
            scope: self.scope.clone(),
            self_ty: self_ty.clone(),
            trait_: trait_.clone(),
            span,
            in_test: self.in_test,
            fns: Vec::new(),
        });
        self.impl_info = Some(Rc::new(ImplInfo {
            name: name.clone(),
            ctx: Some(ImplCtx { self_ty, trait_ }),
        }));
        self.scope.push(ScopeSeg::Impl(name));
        for item in &i.items {
            match item {
                ImplItem::Fn(f) => {
                    if let Some(b) = self.facts.impls.get_mut(impl_idx) {
                        b.fns.push(f.sig.ident.to_string());
                    }
                    let start = vis_start(&f.vis)
                        .or(f.defaultness.as_ref().map(|d| d.span))
                        .unwrap_or_else(|| sig_start(&f.sig));
                    let span = self.sp2(start, f.block.brace_token.span.close());
                    self.item_fn(
                        &f.attrs,
                        &f.vis,
                        &f.sig,
                        Some(&f.block),
                        span,
                        FnPlace::Impl,
                    );
                }
                ImplItem::Const(c) => {
                    self.visit_type(&c.ty);
                    self.initializer(&c.ident, &c.expr);
                }
                ImplItem::Type(t) => self.visit_type(&t.ty),
                ImplItem::Macro(m) => self.invocation(&m.mac, &m.attrs),
                _ => {}
            }
        }
        self.restore(saved);
    }

    // --- statics -----------------------------------------------------------------------

    fn static_decl(&mut self, d: StaticDecl) {
        let a = self.attrs(d.attrs);
        let name = d.name.to_string();
        let init_text = match (self.expanding, d.init_range, d.init) {
            (None, Some(range), _) => truncate(self.text_of(range).trim(), INIT_TEXT_MAX),
            (_, _, Some(init)) => truncate(&init.to_token_stream().to_string(), INIT_TEXT_MAX),
            _ => String::new(),
        };
        let init_calls = d.init.map_or_else(Vec::new, |e| {
            let mut scan = InitCalls::default();
            scan.visit_expr(e);
            scan.calls
        });
        let origin = match (self.expanding, d.origin) {
            (Some(_), StaticOrigin::Static) => StaticOrigin::MacroGenerated,
            (_, o) => o,
        };
        let info = StaticInfo {
            ty: self.ty(d.ty),
            mutable: d.mutable,
            origin,
            init_calls,
            init_literal_only: d.init.is_some_and(literal_only),
            init_text,
        };
        let span = self.sp2(vis_start(d.vis).unwrap_or(d.start), d.end);
        let name_span = self.sp(d.name.span());
        self.push_item(
            name.clone(),
            ItemKind::Static,
            vis_of(d.vis),
            name_span,
            span,
            a.clone(),
            ItemDetail::Static(info),
        );
        if let Some(body) = self.body() {
            body.local_statics.push(name);
        }
        if self.expanding.is_none() {
            let saved = self.save();
            self.enter(&a);
            self.visit_type(d.ty);
            if let Some(init) = d.init {
                self.initializer(d.name, init);
            }
            self.restore(saved);
        }
    }

    fn macro_static(&mut self, s: &MacroStatic, origin: StaticOrigin, body_end: proc_macro2::Span) {
        // The last entry may omit its `;`: the item then ends with the macro body.
        let end = s.semi.unwrap_or(body_end);
        let init_end = match (&s.semi, &s.init) {
            (Some(semi), _) => self.sp(*semi).lo,
            (None, Some(e)) => self.sp(syn::spanned::Spanned::span(e)).hi,
            (None, None) => self.sp(body_end).lo,
        };
        self.static_decl(StaticDecl {
            attrs: &s.attrs,
            vis: &s.vis,
            start: s.static_token,
            name: &s.name,
            ty: &s.ty,
            mutable: s.mutable,
            origin,
            init: s.init.as_ref(),
            init_range: s
                .eq_token
                .map(|eq| Span::new(self.sp(eq).hi as usize, init_end as usize)),
            end,
        });
    }

    fn verbatim(&mut self, tokens: &TokenStream) {
        if let Some(s) = macros::parse_verbatim_static(tokens) {
            let end = s.semi.unwrap_or(s.name.span());
            self.macro_static(&s, StaticOrigin::Static, end);
        }
    }

    // --- macros ------------------------------------------------------------------------

    fn item_macro(&mut self, m: &syn::ItemMacro) {
        let Some(name) = &m.ident else {
            self.invocation(&m.mac, &m.attrs);
            return;
        };
        if !m.mac.path.is_ident("macro_rules") {
            self.invocation(&m.mac, &m.attrs);
            return;
        }
        let a = self.attrs(&m.attrs);
        let end = m
            .semi_token
            .as_ref()
            .map_or_else(|| delim_close(&m.mac.delimiter), |s| s.span);
        let span = self.sp2(path_start(&m.mac.path), end);
        let name_span = self.sp(name.span());
        self.push_item(
            name.to_string(),
            ItemKind::MacroRules,
            Vis::Private,
            name_span,
            span,
            a,
            ItemDetail::None,
        );
        if let Some(local) = LocalMacro::parse(&m.mac.tokens) {
            self.local_macros.insert(name.to_string(), Rc::new(local));
        }
    }

    /// A macro invoked in item or statement position.
    fn invocation(&mut self, mac: &syn::Macro, attrs: &[Attribute]) {
        let a = self.attrs(attrs);
        let saved = self.save();
        self.enter(&a);
        if let Some(grammar) = Grammar::of(&mac.path) {
            self.record(&mac.path, RefKind::Macro, None);
            let origin = match grammar {
                Grammar::LazyStatic => StaticOrigin::LazyStatic,
                Grammar::ThreadLocal => StaticOrigin::ThreadLocal,
                Grammar::TaskLocal => StaticOrigin::TaskLocal,
            };
            let (entries, err) = macros::parse_statics(grammar, mac.tokens.clone());
            let body_end = delim_close(&mac.delimiter);
            for s in &entries {
                self.macro_static(s, origin, body_end);
            }
            if let (Some(e), None) = (err, self.expanding) {
                let r = e.span().byte_range();
                self.facts.problems.push(Problem {
                    kind: ProblemKind::Parse,
                    message: format!(
                        "could not read the body of `{}!`: {e}",
                        mac.path
                            .segments
                            .last()
                            .map_or(String::new(), |s| s.ident.to_string())
                    ),
                    span: Some(Span::new(
                        self.orig(r.start + self.base),
                        self.orig(r.end + self.base),
                    )),
                });
            }
        } else if let Some(path) = self.included_path(mac) {
            self.record(&mac.path, RefKind::Macro, None);
            let span = self.sp2(path_start(&mac.path), delim_close(&mac.delimiter));
            self.facts.includes.push(IncludeDecl {
                scope: self.scope.clone(),
                path,
                span,
                in_test: self.in_test,
            });
        } else if mac.path.segments.len() == 2
            && path_ends_with(&mac.path, &["inventory", "collect"])
        {
            self.record(&mac.path, RefKind::Macro, None);
            if let Ok(ty) = mac.parse_body::<Type>() {
                let span = self.sp2(path_start(&mac.path), delim_close(&mac.delimiter));
                let ty_fact = self.ty(&ty);
                self.facts.collected_registries.push(MacroRegistry {
                    scope: self.scope.clone(),
                    macro_path: segments_of(&mac.path).join("::"),
                    ty: ty_fact,
                    span,
                    in_test: self.in_test,
                });
                self.visit_type(&ty);
            }
        } else {
            // A local macro is read through its expansion; any other one through its body.
            let expanded = self.expand_local(mac);
            if expanded || !self.macro_items(mac) {
                self.visit_macro(mac);
            }
        }
        self.restore(saved);
    }

    /// The literal path of an item-position `include!("x.rs")` (`std::include!` too); not
    /// inside fn bodies or expansions, where the included text is an expression.
    fn included_path(&self, mac: &syn::Macro) -> Option<String> {
        if self.in_fn_body || self.expanding.is_some() {
            return None;
        }
        let segs = segments_of(&mac.path);
        let is_include = match segs.as_slice() {
            [one] => one == "include",
            [krate, last] => (krate == "std" || krate == "core") && last == "include",
            _ => false,
        };
        if !is_include {
            return None;
        }
        mac.parse_body::<syn::LitStr>().ok().map(|l| l.value())
    }

    /// Walk the items of a macro body (`cfg_if!` branches, `cfg_fs! { pub mod fs; }`) as
    /// items declared where the macro is invoked, so the `mod`s in them join the module tree.
    /// In fn bodies only `cfg` switches count: `quote! { struct S; }` is not a declaration.
    fn macro_items(&mut self, mac: &syn::Macro) -> bool {
        if self.expanding.is_some() || (self.in_fn_body && !macros::is_cfg_switch(&mac.path)) {
            return false;
        }
        let Some(body) = macros::item_body(mac) else {
            return false;
        };
        if body.is_err() && self.in_fn_body {
            // A cfg switch of statements (`cfg_select! { unix => { let x = ..; } }`).
            return false;
        }
        self.record(&mac.path, RefKind::Macro, None);
        match body {
            Ok(ItemBody::Branches(branches)) => {
                for branch in branches {
                    let saved = self.save();
                    let a = match &branch.cfg {
                        BranchCfg::Fallback => Attrs::default(),
                        BranchCfg::Attr(attr) => self.attrs(std::slice::from_ref(attr.as_ref())),
                        BranchCfg::Predicate(pred) => Attrs {
                            cfg_test: is_test_predicate(pred),
                            cfg: vec![pred.to_string()],
                            ..Attrs::default()
                        },
                    };
                    self.enter(&a);
                    // Every branch is one of several alternatives, the last one included.
                    self.cfg_gated = true;
                    for item in &branch.items {
                        self.item(item);
                    }
                    self.restore(saved);
                }
            }
            Ok(ItemBody::Items(items)) => {
                let saved = self.save();
                // `cfg_rt! { .. }`-style wrappers add a `#[cfg]` to every item they hold.
                self.cfg_gated |= mac
                    .path
                    .segments
                    .last()
                    .is_some_and(|s| s.ident.to_string().starts_with("cfg_"));
                for item in &items {
                    self.item(item);
                }
                self.restore(saved);
            }
            Err(e) => {
                let r = e.span().byte_range();
                self.facts.problems.push(Problem {
                    kind: ProblemKind::Parse,
                    message: format!(
                        "could not read the branches of `{}!` as items: {e}",
                        segments_of(&mac.path).join("::")
                    ),
                    span: Some(Span::new(
                        self.orig(r.start + self.base),
                        self.orig(r.end + self.base),
                    )),
                });
            }
        }
        true
    }

    /// Statics declared by a `macro_rules!` of this file, expanded at their invocation.
    /// Whether the macro was a local one that could be expanded.
    fn expand_local(&mut self, mac: &syn::Macro) -> bool {
        let Some(last) = mac.path.segments.last() else {
            return false;
        };
        let local_path = mac.path.segments.len() == 1
            || (mac.path.segments.len() == 2
                && (mac.path.segments[0].ident == "crate" || mac.path.segments[0].ident == "self"));
        if !local_path
            || self.expansion_depth >= MAX_EXPANSION_DEPTH
            || self.local_macros.is_empty()
        {
            return false;
        }
        let Some(local) = self.local_macros.get(&last.ident.to_string()).cloned() else {
            return false;
        };
        let Some(expansion) = local.expand(&mac.tokens) else {
            return false;
        };
        // The expansion is parsed with this file's walk already on the stack.
        if super::depth::check_within(&expansion.to_string(), super::depth::EXPANSION_BUDGET)
            .is_err()
        {
            return false;
        }
        let Ok((items, _)) = (|input: ParseStream| Ok(parse_items(input))).parse2(expansion) else {
            return false;
        };
        let invocation = match self.expanding {
            Some(outer) => outer,
            None => self.sp2(path_start(&mac.path), delim_close(&mac.delimiter)),
        };
        let outer = self.expanding.replace(invocation);
        self.expansion_depth += 1;
        for item in &items {
            match item {
                syn::Item::Static(_) | syn::Item::Verbatim(_) => self.item(item),
                syn::Item::Macro(m) if m.ident.is_none() => self.invocation(&m.mac, &m.attrs),
                _ => {}
            }
        }
        self.expansion_depth -= 1;
        self.expanding = outer;
        true
    }

    // --- use ---------------------------------------------------------------------------

    fn item_use(&mut self, u: &syn::ItemUse) {
        let attrs = self.attrs(&u.attrs);
        let common = UseCommon {
            vis: vis_of(&u.vis),
            leading_colon: u.leading_colon.is_some(),
            item_span: self.sp2(
                vis_start(&u.vis).unwrap_or(u.use_token.span),
                u.semi_token.span,
            ),
            in_test: self.in_test || attrs.cfg_test,
            cfg_gated: self.cfg_gated || !attrs.cfg.is_empty(),
            attrs,
        };
        let mut prefix = Vec::new();
        self.use_tree(&u.tree, &mut prefix, None, false, &common);
    }

    fn use_tree(
        &mut self,
        tree: &syn::UseTree,
        prefix: &mut Vec<(String, Span)>,
        leaf_start: Option<u32>,
        in_group: bool,
        common: &UseCommon,
    ) {
        match tree {
            syn::UseTree::Path(p) => {
                let s = self.sp(p.ident.span());
                prefix.push((p.ident.to_string(), s));
                self.use_tree(
                    &p.tree,
                    prefix,
                    Some(leaf_start.unwrap_or(s.lo)),
                    in_group,
                    common,
                );
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                self.use_leaf(prefix, &n.ident, None, leaf_start, in_group, common)
            }
            syn::UseTree::Rename(r) => self.use_leaf(
                prefix,
                &r.ident,
                Some(&r.rename),
                leaf_start,
                in_group,
                common,
            ),
            syn::UseTree::Glob(g) => {
                let s = self.sp(g.star_token.spans[0]);
                self.push_use(
                    prefix,
                    UseKind::Glob,
                    None,
                    Span {
                        lo: leaf_start.unwrap_or(s.lo),
                        hi: s.hi,
                    },
                    in_group,
                    common,
                );
            }
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.use_tree(t, prefix, None, true, common);
                }
            }
        }
    }

    fn use_leaf(
        &mut self,
        prefix: &mut Vec<(String, Span)>,
        ident: &proc_macro2::Ident,
        rename: Option<&proc_macro2::Ident>,
        leaf_start: Option<u32>,
        in_group: bool,
        common: &UseCommon,
    ) {
        let s = self.sp(ident.span());
        let hi = rename.map_or(s.hi, |r| self.sp(r.span()).hi);
        let leaf_span = Span {
            lo: leaf_start.unwrap_or(s.lo),
            hi,
        };
        let rename = rename.map(|r| r.to_string());
        if ident == "self" {
            self.push_use(
                prefix,
                UseKind::SelfImport,
                rename,
                leaf_span,
                in_group,
                common,
            );
        } else {
            prefix.push((ident.to_string(), s));
            self.push_use(prefix, UseKind::Name, rename, leaf_span, in_group, common);
            prefix.pop();
        }
    }

    fn push_use(
        &mut self,
        path: &[(String, Span)],
        kind: UseKind,
        rename: Option<String>,
        leaf_span: Span,
        in_group: bool,
        common: &UseCommon,
    ) {
        self.facts.uses.push(UseLeaf {
            scope: self.scope.clone(),
            vis: common.vis,
            path: path.iter().map(|(s, _)| s.clone()).collect(),
            leading_colon: common.leading_colon,
            segment_spans: path.iter().map(|(_, sp)| *sp).collect(),
            kind,
            rename,
            leaf_span,
            item_span: common.item_span,
            attrs: common.attrs.clone(),
            in_test: common.in_test,
            cfg_gated: common.cfg_gated,
            in_group,
        });
    }
}

struct UseCommon {
    vis: Vis,
    leading_colon: bool,
    item_span: Span,
    in_test: bool,
    cfg_gated: bool,
    attrs: Attrs,
}

fn deprecation_note(meta: &Meta) -> String {
    let lit_str = |e: &Expr| match e {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Some(s.value()),
        _ => None,
    };
    match meta {
        Meta::NameValue(nv) => lit_str(&nv.value).unwrap_or_default(),
        Meta::List(l) => l
            .parse_args_with(Punctuated::<syn::MetaNameValue, syn::Token![,]>::parse_terminated)
            .ok()
            .and_then(|args| {
                args.iter()
                    .find(|nv| nv.path.is_ident("note"))
                    .and_then(|nv| lit_str(&nv.value))
            })
            .unwrap_or_default(),
        Meta::Path(_) => String::new(),
    }
}

impl<'ast> Visit<'ast> for Extractor<'_> {
    fn visit_item(&mut self, i: &'ast syn::Item) {
        self.item(i);
    }

    fn visit_attribute(&mut self, _: &'ast Attribute) {}

    fn visit_vis_restricted(&mut self, _: &'ast syn::VisRestricted) {}

    fn visit_receiver(&mut self, r: &'ast syn::Receiver) {
        // `&self` carries a synthesized `&Self` type: only a written one is a reference.
        if r.colon_token.is_some() {
            self.visit_type(&r.ty);
        }
    }

    fn visit_type_path(&mut self, t: &'ast syn::TypePath) {
        self.qself(&t.qself);
        self.path_ref(&t.path, RefKind::Type, None);
    }

    fn visit_trait_bound(&mut self, b: &'ast syn::TraitBound) {
        self.path_ref(&b.path, RefKind::Trait, None);
    }

    fn visit_expr_path(&mut self, e: &'ast syn::ExprPath) {
        self.qself(&e.qself);
        let path = &e.path;
        if path_ends_with(path, &["Box", "leak"]) {
            if let Some(b) = self.body() {
                b.box_leak = true;
            }
        }
        if worth_recording(path) && self.expanding.is_none() {
            let segments = segments_of(path);
            if let (Some(last), Some(body)) = (segments.last(), self.bodies.last_mut()) {
                if is_screaming(last) && !body.static_like_paths.contains(&segments) {
                    body.static_like_paths.push(segments.clone());
                }
            }
            self.record_segments(path, segments, RefKind::Value, None);
        }
        for seg in &path.segments {
            self.visit_path_arguments(&seg.arguments);
        }
    }

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        match &*c.func {
            Expr::Path(p) => {
                self.qself(&p.qself);
                let path = &p.path;
                if let Some(last) = path.segments.last() {
                    let leak = path_ends_with(path, &["Box", "leak"]);
                    let logger = last.ident == "set_logger" || last.ident == "set_boxed_logger";
                    if let Some(b) = self.body() {
                        b.box_leak |= leak;
                        b.sets_logger |= logger;
                    }
                }
                let span = self.call_span(c, p);
                self.path_ref(path, RefKind::Call, Some(span));
            }
            other => self.visit_expr(other),
        }
        for arg in &c.args {
            self.visit_expr(arg);
        }
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        // Receiver first: calls are listed in the order they run.
        self.visit_expr(&m.receiver);
        if let Some(b) = self.bodies.last_mut() {
            if !b.method_calls.iter().any(|n| m.method == n) {
                b.method_calls.push(m.method.to_string());
            }
        }
        if let Some(t) = &m.turbofish {
            self.visit_angle_bracketed_generic_arguments(t);
        }
        for arg in &m.args {
            self.visit_expr(arg);
        }
    }

    fn visit_expr_struct(&mut self, s: &'ast syn::ExprStruct) {
        self.qself(&s.qself);
        self.path_ref(&s.path, RefKind::StructLit, None);
        for f in &s.fields {
            self.visit_expr(&f.expr);
        }
        if let Some(rest) = &s.rest {
            self.visit_expr(rest);
        }
    }

    fn visit_pat(&mut self, p: &'ast Pat) {
        match p {
            Pat::Path(e) => {
                self.qself(&e.qself);
                self.path_ref(&e.path, RefKind::Pattern, None);
            }
            _ => visit::visit_pat(self, p),
        }
    }

    fn visit_pat_struct(&mut self, p: &'ast syn::PatStruct) {
        self.qself(&p.qself);
        self.path_ref(&p.path, RefKind::Pattern, None);
        for f in &p.fields {
            self.visit_pat(&f.pat);
        }
    }

    fn visit_pat_tuple_struct(&mut self, p: &'ast syn::PatTupleStruct) {
        self.qself(&p.qself);
        self.path_ref(&p.path, RefKind::Pattern, None);
        for e in &p.elems {
            self.visit_pat(e);
        }
    }

    fn visit_local(&mut self, l: &'ast syn::Local) {
        if let (Pat::Type(pt), Some(init)) = (&l.pat, &l.init) {
            if let Expr::Call(c) = &*init.expr {
                if let Expr::Path(p) = &*c.func {
                    let is_default = c.args.is_empty()
                        && match &p.qself {
                            // `<_>::default()`, `<_ as Default>::default()`
                            Some(q) => {
                                matches!(&*q.ty, Type::Infer(_))
                                    && p.path.segments.last().is_some_and(|s| s.ident == "default")
                            }
                            None => path_ends_with(&p.path, &["Default", "default"]),
                        };
                    if is_default && self.expanding.is_none() {
                        let span = self.call_span(c, p);
                        self.default_annotated(&pt.ty, span);
                    }
                }
            }
        }
        visit::visit_local(self, l);
    }

    fn visit_stmt_macro(&mut self, m: &'ast syn::StmtMacro) {
        self.invocation(&m.mac, &m.attrs);
    }

    fn visit_expr_macro(&mut self, m: &'ast syn::ExprMacro) {
        // `thread_local!(..)` as a block's tail expression is still a declaration.
        if Grammar::of(&m.mac.path).is_some() {
            self.invocation(&m.mac, &m.attrs);
        } else {
            self.visit_macro(&m.mac);
        }
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        self.record(&m.path, RefKind::Macro, None);
        if self.expanding.is_none() && self.body_may_name_paths(m) {
            for e in macros::expr_body(m).unwrap_or_default() {
                self.visit_expr(&e);
            }
        }
    }
}

/// A body that is one call and nothing else: `new::f(x)`, `self.g(x).await?`, `return f(x);`,
/// `forward!(x)`.
fn is_single_call(stmts: &[syn::Stmt]) -> bool {
    let expr = match stmts {
        [syn::Stmt::Expr(expr, _)] => expr,
        [syn::Stmt::Macro(_)] => return true,
        _ => return false,
    };
    let mut e = expr;
    // Bounded: each step strips one wrapper of a finite expression.
    for _ in 0..64 {
        match e {
            Expr::Await(a) => e = &a.base,
            Expr::Try(t) => e = &t.expr,
            Expr::Paren(p) => e = &p.expr,
            Expr::Return(syn::ExprReturn { expr: Some(x), .. }) => e = x,
            Expr::Call(_) | Expr::MethodCall(_) | Expr::Macro(_) => return true,
            _ => return false,
        }
    }
    false
}

#[cfg(test)]
mod tests;
