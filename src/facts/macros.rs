//! Real grammars for the bodies of `lazy_static!`, `thread_local!` and `task_local!`, the
//! `static NAME: T;` form syn leaves as verbatim tokens, and expansion of simple local
//! `macro_rules!` that emit statics.
//!
//! syn sees a macro invocation as an opaque token tree; the statics these macros declare
//! are exactly the ones earlier checkers missed, so their bodies get a parser of their own.

use proc_macro2::{Delimiter, Group, Ident, Span, TokenStream, TokenTree};
use std::collections::HashMap;
use syn::buffer::Cursor;
use syn::parse::discouraged::Speculative;
use syn::parse::{ParseStream, Parser};
use syn::{Attribute, Expr, Token, Type, Visibility};

/// Which static-declaring macro grammar an invocation uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Grammar {
    LazyStatic,
    ThreadLocal,
    TaskLocal,
}

impl Grammar {
    /// By the macro path's last segment, so `std::thread_local!`,
    /// `lazy_static::lazy_static!` and `tokio::task_local!` are recognised too.
    pub(crate) fn of(path: &syn::Path) -> Option<Grammar> {
        let last = &path.segments.last()?.ident;
        if last == "lazy_static" {
            Some(Grammar::LazyStatic)
        } else if last == "thread_local" {
            Some(Grammar::ThreadLocal)
        } else if last == "task_local" {
            Some(Grammar::TaskLocal)
        } else {
            None
        }
    }
}

/// One static declared inside a macro body (or a verbatim `static X: T;`).
pub(crate) struct MacroStatic {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub static_token: Span,
    pub mutable: bool,
    pub name: Ident,
    pub ty: Type,
    pub eq_token: Option<Span>,
    pub init: Option<Expr>,
    /// The terminating `;`, when there is one (the last entry may omit it).
    pub semi: Option<Span>,
}

/// Parse a `lazy_static!`/`thread_local!`/`task_local!` body. Entries before a syntax
/// error are returned together with the error.
pub(crate) fn parse_statics(
    grammar: Grammar,
    body: TokenStream,
) -> (Vec<MacroStatic>, Option<syn::Error>) {
    let mut out = Vec::new();
    let result = (|input: ParseStream| {
        while !input.is_empty() {
            out.push(parse_entry(grammar, input)?);
        }
        Ok(())
    })
    .parse2(body);
    (out, result.err())
}

fn parse_entry(grammar: Grammar, input: ParseStream) -> syn::Result<MacroStatic> {
    let attrs = input.call(Attribute::parse_outer)?;
    let vis: Visibility = input.parse()?;
    let static_token: Token![static] = input.parse()?;
    if grammar == Grammar::LazyStatic {
        input.parse::<Token![ref]>()?;
    }
    let name: Ident = input.parse()?;
    input.parse::<Token![:]>()?;
    let ty: Type = input.parse()?;
    let (eq_token, init) = if grammar == Grammar::TaskLocal {
        (None, None)
    } else {
        let eq: Token![=] = input.parse()?;
        (Some(eq.span), Some(input.parse::<Expr>()?))
    };
    let semi = if input.is_empty() && grammar != Grammar::LazyStatic {
        None
    } else {
        Some(input.parse::<Token![;]>()?.span)
    };
    Ok(MacroStatic {
        attrs,
        vis,
        static_token: static_token.span,
        mutable: false,
        name,
        ty,
        eq_token,
        init,
        semi,
    })
}

/// `[attrs] [vis] static [mut] NAME: TY;` — a static without initializer, which syn 2 keeps
/// as `Item::Verbatim` (`#[linkme::distributed_slice] static X: [T];`).
pub(crate) fn parse_verbatim_static(tokens: &TokenStream) -> Option<MacroStatic> {
    (|input: ParseStream| {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        let static_token: Token![static] = input.parse()?;
        let mutable = input.parse::<Option<Token![mut]>>()?.is_some();
        let name: Ident = input.parse()?;
        input.parse::<Token![:]>()?;
        let ty: Type = input.parse()?;
        let semi: Token![;] = input.parse()?;
        Ok(MacroStatic {
            attrs,
            vis,
            static_token: static_token.span,
            mutable,
            name,
            ty,
            eq_token: None,
            init: None,
            semi: Some(semi.span),
        })
    })
    .parse2(tokens.clone())
    .ok()
}

/// The body of an expression-like macro (`vec![..]`, `format!(..)`, `assert_eq!(..)`) as
/// expressions separated by `,` (or `;` as in `vec![x; n]`); `None` when it is not one.
pub(crate) fn expr_body(mac: &syn::Macro) -> Option<Vec<Expr>> {
    if matches!(mac.delimiter, syn::MacroDelimiter::Brace(_)) || mac.tokens.is_empty() {
        return None;
    }
    mac.parse_body_with(|input: ParseStream| {
        let mut exprs = Vec::new();
        while !input.is_empty() {
            exprs.push(input.parse::<Expr>()?);
            if input.is_empty() {
                break;
            }
            if input.peek(Token![;]) {
                input.parse::<Token![;]>()?;
            } else {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(exprs)
    })
    .ok()
}

// ---------------------------------------------------------------------------------------
// Item-position macros whose body is items: `cfg_if!`/`cfg_select!` branches and wrappers
// such as `cfg_fs! { pub mod fs; }` or `pin_project! { pub struct S { .. } }`. Their `mod`
// items are part of the module tree, so the loader has to see them.

/// Items of one branch of a macro body, with the `cfg` that selects the branch (if any).
pub(crate) struct ItemBranch {
    pub cfg: BranchCfg,
    pub items: Vec<syn::Item>,
}

/// What selects a branch.
pub(crate) enum BranchCfg {
    /// `else { .. }`, `_ => { .. }`: the fallback.
    Fallback,
    /// cfg_if's `#[cfg(..)]`.
    Attr(Box<Attribute>),
    /// cfg_select's predicate before `=>`.
    Predicate(TokenStream),
}

/// What an item-position macro body holds, when it holds items.
pub(crate) enum ItemBody {
    /// Branches of `cfg_if!`/`cfg_select!`: alternatives chosen by `cfg`.
    Branches(Vec<ItemBranch>),
    /// The whole body is a list of items (a wrapper macro).
    Items(Vec<syn::Item>),
}

/// `cfg_if!`, `cfg_select!` (and its earlier name `cfg_match!`), by last segment.
pub(crate) fn is_cfg_switch(path: &syn::Path) -> bool {
    path.segments
        .last()
        .is_some_and(|s| s.ident == "cfg_if" || s.ident == "cfg_select" || s.ident == "cfg_match")
}

/// The items in a macro body. `cfg` switches are read branch by branch (a branch that is not
/// items is an error, reported by the caller); any other macro counts only when its
/// `{ .. }` body parses completely as one or more items, so DSL bodies (`table! { .. }`,
/// `bitflags! { .. }`) are left alone.
pub(crate) fn item_body(mac: &syn::Macro) -> Option<syn::Result<ItemBody>> {
    if is_cfg_switch(&mac.path) {
        return Some(cfg_switch_branches(mac.tokens.clone()).map(ItemBody::Branches));
    }
    if !matches!(mac.delimiter, syn::MacroDelimiter::Brace(_)) || mac.tokens.is_empty() {
        return None;
    }
    let items = parse_all_items(mac.tokens.clone()).ok()?;
    (!items.is_empty()).then_some(Ok(ItemBody::Items(items)))
}

fn parse_all_items(tokens: TokenStream) -> syn::Result<Vec<syn::Item>> {
    (|input: ParseStream| {
        let mut items = Vec::new();
        while !input.is_empty() {
            items.push(input.parse::<syn::Item>()?);
        }
        Ok(items)
    })
    .parse2(tokens)
}

/// `if #[cfg(a)] { .. } else if #[cfg(b)] { .. } else { .. }` (cfg_if) and
/// `a => { .. } b => { .. } _ => { .. }` (cfg_select): every braced group at the top level
/// is a branch, selected by the `#[cfg(..)]` or the predicate before its `=>`.
fn cfg_switch_branches(tokens: TokenStream) -> syn::Result<Vec<ItemBranch>> {
    let mut branches = Vec::new();
    let mut cfg = BranchCfg::Fallback;
    // Tokens since the last branch, for a cfg_select predicate.
    let mut predicate: Vec<TokenTree> = Vec::new();
    let mut trees = tokens.into_iter().peekable();
    while let Some(tt) = trees.next() {
        match &tt {
            TokenTree::Punct(p) if p.as_char() == '#' => {
                if let Some(TokenTree::Group(g)) = trees.peek() {
                    if g.delimiter() == Delimiter::Bracket {
                        let attr_tokens: TokenStream = [tt.clone(), TokenTree::Group(g.clone())]
                            .into_iter()
                            .collect();
                        trees.next();
                        if let Some(attr) = Attribute::parse_outer.parse2(attr_tokens)?.pop() {
                            cfg = BranchCfg::Attr(Box::new(attr));
                        }
                        predicate.clear();
                        continue;
                    }
                }
                predicate.push(tt.clone());
            }
            // `=>` ends a cfg_select predicate (the `=` of `feature = "x"` is not joint
            // with a `>`).
            TokenTree::Punct(p)
                if p.as_char() == '=' && p.spacing() == proc_macro2::Spacing::Joint =>
            {
                if matches!(trees.peek(), Some(TokenTree::Punct(q)) if q.as_char() == '>') {
                    trees.next();
                    let is_fallback =
                        matches!(predicate.as_slice(), [TokenTree::Ident(i)] if i == "_");
                    cfg = if is_fallback {
                        BranchCfg::Fallback
                    } else {
                        BranchCfg::Predicate(predicate.drain(..).collect())
                    };
                    predicate.clear();
                } else {
                    predicate.push(tt.clone());
                }
            }
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => {
                branches.push(ItemBranch {
                    cfg: std::mem::replace(&mut cfg, BranchCfg::Fallback),
                    items: parse_all_items(g.stream())?,
                });
                predicate.clear();
            }
            // `if`, `else`, and a `,` between cfg_select arms.
            TokenTree::Ident(i) if predicate.is_empty() && (i == "if" || i == "else") => {}
            TokenTree::Punct(p) if p.as_char() == ',' && predicate.is_empty() => {}
            _ => predicate.push(tt.clone()),
        }
    }
    Ok(branches)
}

// ---------------------------------------------------------------------------------------
// Local `macro_rules!` expansion: enough to see the statics a helper macro declares.

/// A `macro_rules!` definition whose transcribers can emit a `static`.
#[derive(Debug)]
pub(crate) struct LocalMacro {
    rules: Vec<Rule>,
}

#[derive(Debug)]
struct Rule {
    matcher: Vec<Matcher>,
    transcriber: TokenStream,
}

#[derive(Debug)]
enum Matcher {
    /// A literal token that must appear as written.
    Token(TokenTree),
    Group(Delimiter, Vec<Matcher>),
    /// `$name:kind`
    Fragment(String, Fragment),
    /// `$( .. ) sep? op`
    Repeat {
        inner: Vec<Matcher>,
        separator: Option<TokenTree>,
        op: char,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fragment {
    Ident,
    Type,
    Expr,
    Path,
    Literal,
    Lifetime,
    Pat,
    Block,
    Item,
    Stmt,
    Vis,
    Meta,
    TokenTree,
}

impl Fragment {
    fn from_name(s: &str) -> Option<Fragment> {
        Some(match s {
            "ident" => Fragment::Ident,
            "ty" => Fragment::Type,
            "expr" | "expr_2021" => Fragment::Expr,
            "path" => Fragment::Path,
            "literal" => Fragment::Literal,
            "lifetime" => Fragment::Lifetime,
            "pat" | "pat_param" => Fragment::Pat,
            "block" => Fragment::Block,
            "item" => Fragment::Item,
            "stmt" => Fragment::Stmt,
            "vis" => Fragment::Vis,
            "meta" => Fragment::Meta,
            "tt" => Fragment::TokenTree,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone)]
enum Binding {
    One(TokenStream, Fragment),
    Many(Vec<Binding>),
}

type Bindings = HashMap<String, Binding>;

impl LocalMacro {
    /// Read the body of `macro_rules! name { (matcher) => { transcriber }; .. }`. `None` when
    /// no transcriber mentions `static` (the only macros worth expanding here) or the body
    /// is not rule-shaped.
    pub(crate) fn parse(body: &TokenStream) -> Option<LocalMacro> {
        let tokens: Vec<TokenTree> = body.clone().into_iter().collect();
        let mut rules = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            let (Some(TokenTree::Group(m)), Some(TokenTree::Punct(eq)), Some(TokenTree::Punct(gt))) =
                (tokens.get(i), tokens.get(i + 1), tokens.get(i + 2))
            else {
                break;
            };
            let Some(TokenTree::Group(t)) = tokens.get(i + 3) else {
                break;
            };
            if eq.as_char() != '=' || gt.as_char() != '>' {
                break;
            }
            rules.push(Rule {
                matcher: parse_matcher(&m.stream())?,
                transcriber: t.stream(),
            });
            i += 4;
            if matches!(tokens.get(i), Some(TokenTree::Punct(p)) if p.as_char() == ';') {
                i += 1;
            }
        }
        if rules.iter().any(|r| mentions_static(&r.transcriber)) {
            Some(LocalMacro { rules })
        } else {
            None
        }
    }

    /// Expand an invocation with the first rule whose matcher accepts it.
    pub(crate) fn expand(&self, input: &TokenStream) -> Option<TokenStream> {
        self.rules.iter().find_map(|rule| {
            let mut bindings = Bindings::new();
            let matched = (|stream: ParseStream| {
                match_seq(stream, &rule.matcher, &mut bindings)?;
                if stream.is_empty() {
                    Ok(())
                } else {
                    Err(stream.error("unmatched tokens"))
                }
            })
            .parse2(input.clone());
            matched.ok()?;
            let mut out = TokenStream::new();
            let mut budget = MAX_EXPANSION_TOKENS;
            transcribe(
                &rule.transcriber,
                &bindings,
                &mut Vec::new(),
                &mut out,
                &mut budget,
            );
            (budget > 0).then_some(out)
        })
    }
}

fn mentions_static(ts: &TokenStream) -> bool {
    ts.clone().into_iter().any(|tt| match tt {
        TokenTree::Ident(i) => i == "static",
        TokenTree::Group(g) => mentions_static(&g.stream()),
        _ => false,
    })
}

fn parse_matcher(ts: &TokenStream) -> Option<Vec<Matcher>> {
    let tokens: Vec<TokenTree> = ts.clone().into_iter().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(tt) = tokens.get(i) {
        i += 1;
        match tt {
            TokenTree::Punct(p) if p.as_char() == '$' => match tokens.get(i) {
                Some(TokenTree::Ident(name)) => {
                    let (Some(TokenTree::Punct(colon)), Some(TokenTree::Ident(kind))) =
                        (tokens.get(i + 1), tokens.get(i + 2))
                    else {
                        return None;
                    };
                    if colon.as_char() != ':' {
                        return None;
                    }
                    let frag = Fragment::from_name(&kind.to_string())?;
                    out.push(Matcher::Fragment(name.to_string(), frag));
                    i += 3;
                }
                Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis => {
                    let inner = parse_matcher(&g.stream())?;
                    let (separator, op, used) = repetition_tail(&tokens[i + 1..])?;
                    out.push(Matcher::Repeat {
                        inner,
                        separator,
                        op,
                    });
                    i += 1 + used;
                }
                _ => return None,
            },
            TokenTree::Group(g) if g.delimiter() != Delimiter::None => {
                out.push(Matcher::Group(g.delimiter(), parse_matcher(&g.stream())?));
            }
            other => out.push(Matcher::Token(other.clone())),
        }
    }
    Some(out)
}

/// After `$( .. )`: `*`, `+`, `?`, or a separator token then one of them. Returns the
/// separator, the operator and how many tokens were read.
fn repetition_tail(rest: &[TokenTree]) -> Option<(Option<TokenTree>, char, usize)> {
    let op_of = |tt: Option<&TokenTree>| match tt {
        Some(TokenTree::Punct(p)) if matches!(p.as_char(), '*' | '+' | '?') => Some(p.as_char()),
        _ => None,
    };
    if let Some(op) = op_of(rest.first()) {
        return Some((None, op, 1));
    }
    let op = op_of(rest.get(1))?;
    Some((rest.first().cloned(), op, 2))
}

fn same_token(a: &TokenTree, b: &TokenTree) -> bool {
    match (a, b) {
        (TokenTree::Ident(x), TokenTree::Ident(y)) => x == y,
        (TokenTree::Punct(x), TokenTree::Punct(y)) => x.as_char() == y.as_char(),
        (TokenTree::Literal(x), TokenTree::Literal(y)) => x.to_string() == y.to_string(),
        _ => false,
    }
}

fn match_seq(input: ParseStream, matchers: &[Matcher], b: &mut Bindings) -> syn::Result<()> {
    matchers.iter().try_for_each(|m| match_one(input, m, b))
}

fn match_one(input: ParseStream, m: &Matcher, b: &mut Bindings) -> syn::Result<()> {
    match m {
        Matcher::Token(expected) => input.step(|cursor| match cursor.token_tree() {
            Some((tt, rest)) if same_token(&tt, expected) => Ok(((), rest)),
            _ => Err(cursor.error("token does not match")),
        }),
        Matcher::Group(delim, inner) => {
            let content;
            match delim {
                Delimiter::Parenthesis => {
                    syn::parenthesized!(content in input);
                }
                Delimiter::Brace => {
                    syn::braced!(content in input);
                }
                _ => {
                    syn::bracketed!(content in input);
                }
            }
            match_seq(&content, inner, b)?;
            if content.is_empty() {
                Ok(())
            } else {
                Err(content.error("unmatched tokens in group"))
            }
        }
        Matcher::Fragment(name, frag) => {
            let begin = input.cursor();
            parse_fragment(input, *frag)?;
            let tokens = tokens_between(begin, input.cursor());
            b.insert(name.clone(), Binding::One(tokens, *frag));
            Ok(())
        }
        Matcher::Repeat {
            inner,
            separator,
            op,
        } => {
            let mut iterations: Vec<Bindings> = Vec::new();
            loop {
                let fork = input.fork();
                if !iterations.is_empty() {
                    if let Some(sep) = separator {
                        if match_one(&fork, &Matcher::Token(sep.clone()), &mut Bindings::new())
                            .is_err()
                        {
                            break;
                        }
                    }
                }
                let mut found = Bindings::new();
                if fork.is_empty()
                    || match_seq(&fork, inner, &mut found).is_err()
                    || fork.cursor() == input.cursor()
                {
                    break;
                }
                input.advance_to(&fork);
                iterations.push(found);
                if *op == '?' {
                    break;
                }
            }
            if *op == '+' && iterations.is_empty() {
                return Err(input.error("repetition needs at least one match"));
            }
            let mut names = Vec::new();
            fragment_names(inner, &mut names);
            for name in names {
                let per_iteration = iterations
                    .iter_mut()
                    .filter_map(|it| it.remove(&name))
                    .collect();
                b.insert(name, Binding::Many(per_iteration));
            }
            Ok(())
        }
    }
}

fn fragment_names(matchers: &[Matcher], out: &mut Vec<String>) {
    for m in matchers {
        match m {
            Matcher::Fragment(name, _) => out.push(name.clone()),
            Matcher::Group(_, inner) | Matcher::Repeat { inner, .. } => fragment_names(inner, out),
            Matcher::Token(_) => {}
        }
    }
}

fn parse_fragment(input: ParseStream, frag: Fragment) -> syn::Result<()> {
    use syn::ext::IdentExt;
    match frag {
        Fragment::Ident => input.call(Ident::parse_any).map(drop),
        Fragment::Type => input.parse::<Type>().map(drop),
        Fragment::Expr => input.parse::<Expr>().map(drop),
        Fragment::Path => input.call(syn::Path::parse_mod_style).map(drop),
        Fragment::Literal => {
            let _ = input.parse::<Option<Token![-]>>()?;
            input.parse::<syn::Lit>().map(drop)
        }
        Fragment::Lifetime => input.parse::<syn::Lifetime>().map(drop),
        Fragment::Pat => input.call(syn::Pat::parse_single).map(drop),
        Fragment::Block => input.parse::<syn::Block>().map(drop),
        Fragment::Item => input.parse::<syn::Item>().map(drop),
        Fragment::Stmt => input.parse::<syn::Stmt>().map(drop),
        Fragment::Vis => input.parse::<Visibility>().map(drop),
        Fragment::Meta => input.parse::<syn::Meta>().map(drop),
        Fragment::TokenTree => input.parse::<TokenTree>().map(drop),
    }
}

fn tokens_between(begin: Cursor, end: Cursor) -> TokenStream {
    let mut out = TokenStream::new();
    let mut c = begin;
    while c != end {
        match c.token_tree() {
            Some((tt, next)) => {
                out.extend(std::iter::once(tt));
                c = next;
            }
            None => break,
        }
    }
    out
}

/// Tokens in a stream, group contents included.
fn count_tokens(ts: &TokenStream) -> usize {
    ts.clone()
        .into_iter()
        .map(|tt| match tt {
            TokenTree::Group(g) => 1 + count_tokens(&g.stream()),
            _ => 1,
        })
        .sum()
}

fn lookup<'b>(b: &'b Bindings, name: &str, indices: &[usize]) -> Option<&'b Binding> {
    let mut found = b.get(name)?;
    for &i in indices {
        match found {
            Binding::Many(v) => found = v.get(i)?,
            Binding::One(..) => break,
        }
    }
    Some(found)
}

/// How many times a `$( .. )` in a transcriber repeats: the length of the first
/// repeated binding it uses at this depth.
fn repeat_count(ts: &TokenStream, b: &Bindings, indices: &[usize]) -> Option<usize> {
    let mut prev_dollar = false;
    for tt in ts.clone() {
        match &tt {
            TokenTree::Ident(name) if prev_dollar => {
                if let Some(Binding::Many(v)) = lookup(b, &name.to_string(), indices) {
                    return Some(v.len());
                }
            }
            TokenTree::Group(g) => {
                if let Some(n) = repeat_count(&g.stream(), b, indices) {
                    return Some(n);
                }
            }
            _ => {}
        }
        prev_dollar = matches!(&tt, TokenTree::Punct(p) if p.as_char() == '$');
    }
    None
}

/// Tokens an expansion may produce: repetitions of large bindings could otherwise
/// multiply a small file into a huge one.
const MAX_EXPANSION_TOKENS: usize = 50_000;

/// Substitute bindings into a transcriber. `budget` counts down the tokens still allowed;
/// at zero the output is incomplete and must be dropped.
fn transcribe(
    ts: &TokenStream,
    b: &Bindings,
    indices: &mut Vec<usize>,
    out: &mut TokenStream,
    budget: &mut usize,
) {
    let tokens: Vec<TokenTree> = ts.clone().into_iter().collect();
    let mut i = 0;
    while let Some(tt) = tokens.get(i) {
        i += 1;
        if *budget == 0 {
            return;
        }
        *budget -= 1;
        match tt {
            TokenTree::Punct(p) if p.as_char() == '$' => match tokens.get(i) {
                Some(TokenTree::Ident(name)) if name == "crate" => {
                    out.extend([TokenTree::Ident(Ident::new("crate", name.span()))]);
                    i += 1;
                }
                Some(TokenTree::Ident(name)) => {
                    i += 1;
                    match lookup(b, &name.to_string(), indices) {
                        Some(Binding::One(tokens, _)) if count_tokens(tokens) > *budget => {
                            *budget = 0;
                            return;
                        }
                        Some(Binding::One(tokens, Fragment::Expr)) => {
                            // Keep the expression's precedence, as rustc does.
                            let mut g = Group::new(Delimiter::None, tokens.clone());
                            g.set_span(name.span());
                            out.extend([TokenTree::Group(g)]);
                        }
                        Some(Binding::One(tokens, _)) => out.extend(tokens.clone()),
                        _ => out.extend([tt.clone(), TokenTree::Ident(name.clone())]),
                    }
                }
                Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis => {
                    let Some((separator, _op, used)) = repetition_tail(&tokens[i + 1..]) else {
                        out.extend([tt.clone()]);
                        continue;
                    };
                    i += 1 + used;
                    let count = repeat_count(&g.stream(), b, indices).unwrap_or(0);
                    for n in 0..count {
                        if n > 0 {
                            if let Some(sep) = &separator {
                                out.extend([sep.clone()]);
                            }
                        }
                        indices.push(n);
                        transcribe(&g.stream(), b, indices, out, budget);
                        indices.pop();
                    }
                }
                _ => out.extend([tt.clone()]),
            },
            TokenTree::Group(g) => {
                let mut inner = TokenStream::new();
                transcribe(&g.stream(), b, indices, &mut inner, budget);
                let mut group = Group::new(g.delimiter(), inner);
                group.set_span(g.span());
                out.extend([TokenTree::Group(group)]);
            }
            other => out.extend([other.clone()]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> TokenStream {
        s.parse().unwrap()
    }

    #[test]
    fn lazy_static_entries() {
        let (entries, err) = parse_statics(
            Grammar::LazyStatic,
            ts(r#"
                #[doc = "x"] pub static ref A: Mutex<M> = Mutex::new(M::new());
                static ref B: u8 = 1;
                pub(crate) static ref C: Vec<u8> = vec![1, 2];
            "#),
        );
        assert!(err.is_none());
        let names: Vec<String> = entries.iter().map(|e| e.name.to_string()).collect();
        assert_eq!(names, ["A", "B", "C"]);
        assert_eq!(entries[0].attrs.len(), 1);
        assert!(matches!(entries[0].vis, Visibility::Public(_)));
    }

    #[test]
    fn thread_local_and_task_local_entries() {
        let (entries, err) = parse_statics(
            Grammar::ThreadLocal,
            ts("static A: RefCell<u8> = RefCell::new(1); pub static B: Cell<u8> = const { Cell::new(0) }"),
        );
        assert!(err.is_none(), "{err:?}");
        assert_eq!(entries.len(), 2);
        assert!(entries[1].semi.is_none());
        let (entries, err) = parse_statics(
            Grammar::TaskLocal,
            ts("pub static CTX: RequestCtx; static N: u32;"),
        );
        assert!(err.is_none());
        assert_eq!(entries.len(), 2);
        assert!(entries[0].init.is_none());
    }

    #[test]
    fn malformed_body_keeps_the_good_entries_and_reports() {
        let (entries, err) = parse_statics(
            Grammar::LazyStatic,
            ts("static ref A: u8 = 1; static B: u8 = 2;"),
        );
        assert_eq!(entries.len(), 1);
        assert!(err.is_some());
    }

    #[test]
    fn verbatim_static_without_initializer() {
        let s =
            parse_verbatim_static(&ts("#[distributed_slice] pub static PLUGINS: [fn()];")).unwrap();
        assert_eq!(s.name.to_string(), "PLUGINS");
        assert!(parse_verbatim_static(&ts("fn f();")).is_none());
    }

    #[test]
    fn expression_bodies() {
        let mac: syn::Macro = syn::parse_str("vec![M::new(); 3]").unwrap();
        assert_eq!(expr_body(&mac).unwrap().len(), 2);
        let mac: syn::Macro = syn::parse_str(r#"format!("{}", a::B::new(), x = 1)"#).unwrap();
        assert_eq!(expr_body(&mac).unwrap().len(), 3);
        let mac: syn::Macro = syn::parse_str("select! { a = b => c }").unwrap();
        assert!(expr_body(&mac).is_none());
        let mac: syn::Macro = syn::parse_str("info!(target: \"x\", \"y\")").unwrap();
        assert!(expr_body(&mac).is_none());
    }

    fn expand(def: &str, input: &str) -> Option<String> {
        let m = LocalMacro::parse(&ts(def))?;
        m.expand(&ts(input)).map(|t| t.to_string().replace(' ', ""))
    }

    #[test]
    fn macro_rules_expansion_binds_fragments() {
        let def = r#"
            ($name:ident, $ty:ty) => { static $name: Lazy<$ty> = Lazy::new(<$ty>::default); };
            ($name:ident) => { static $name: u8 = 0; };
        "#;
        let out = expand(def, "MANAGER, crate::ws::WsManager").unwrap();
        assert!(
            out.contains("staticMANAGER:Lazy<crate::ws::WsManager>"),
            "{out}"
        );
        let out = expand(def, "ONLY").unwrap();
        assert!(out.contains("staticONLY:u8"), "{out}");
        assert!(expand(def, "1 + 2").is_none());
    }

    #[test]
    fn macro_rules_repetition_and_crate() {
        let def = r#"
            ($($vis:vis $name:ident = $e:expr),* $(,)?) => {
                $( $vis static $name: $crate::Thing = $e; )*
            };
        "#;
        let out = expand(def, "pub A = Thing::new(1), B = make(),").unwrap();
        assert!(out.contains("pubstaticA:crate::Thing"), "{out}");
        assert!(out.contains(";staticB:crate::Thing"), "{out}");
    }

    #[test]
    fn expansions_cannot_blow_up() {
        let def = "($($t:tt)*) => { static X: u8 = 0; $($t)* $($t)* $($t)* $($t)* };";
        let big = "a ".repeat(20_000);
        assert!(expand(def, &big).is_none());
        assert!(expand(def, "a b").is_some());
    }

    #[test]
    fn macros_without_statics_are_not_kept() {
        assert!(LocalMacro::parse(&ts("($x:expr) => { println!(\"{}\", $x) };")).is_none());
        assert!(LocalMacro::parse(&ts("garbage")).is_none());
    }
}
