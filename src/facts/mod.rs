//! Per-file facts: everything the rules need from one file, as a small owned value.
//!
//! A file is read and parsed once ([`extract::extract_file`]); nothing downstream re-reads
//! or re-parses it. Facts are serializable so a later cache can store them. All spans are
//! byte ranges into the file's original text; all scopes are relative to the file's own
//! module (the index prefixes them with the module path once the module tree is known).

mod bodies;
pub mod cache;
mod depth;
pub mod extract;
pub mod lex;
pub mod macros;
pub mod suppressions;

use crate::source::Span;
use serde::{Deserialize, Serialize};

/// Everything one file contributes to the index.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FileFacts {
    /// Every item, including those nested in fn bodies, impl blocks, inline modules, and
    /// statics declared by `lazy_static!`, `thread_local!`, `task_local!` and local `macro_rules!`.
    pub items: Vec<Item>,
    /// `use` declarations flattened to one leaf per imported name / glob.
    pub uses: Vec<UseLeaf>,
    /// Paths written in types and expressions (not in `use`). Only paths that can name an
    /// item of interest are kept: two or more segments, or one segment starting with an
    /// upper-case letter (`Self` included; the prelude's `Some`/`None`/`Ok`/`Err` excluded).
    pub refs: Vec<PathRef>,
    /// `impl` blocks (their fns are items with [`ItemKind::Fn`] and `FnInfo::impl_of`).
    pub impls: Vec<ImplBlock>,
    /// `// ssot:allow(..)` comments.
    pub suppressions: Vec<Suppression>,
    /// Inner attributes of the file (`#![cfg(test)]` etc.).
    pub inner_attrs: Attrs,
    /// Things that stopped part or all of the file from being analysed.
    pub problems: Vec<Problem>,
    /// Link-time registries declared by macros (`inventory::collect!(T)`).
    pub collected_registries: Vec<MacroRegistry>,
    /// Fn bodies not parsed yet (lazy extraction, see [`LazyBody`]): until
    /// [`extract::extract_body`] fills them in, their refs and body summaries are missing.
    /// Always empty from [`extract::extract_file`].
    #[serde(default)]
    pub lazy_bodies: Vec<LazyBody>,
    /// `include!("path.rs")` with a literal path, where items may stand: the named file's
    /// items are part of the module at `scope`.
    #[serde(default)]
    pub includes: Vec<IncludeDecl>,
    /// The file says near its top that a tool generated it (`@generated`, "do not edit").
    #[serde(default)]
    pub generated: bool,
}

/// Generated code (prost, bindgen, sea-orm …) marks itself `@generated` or "do not edit"
/// near the top; its types mirror others by design and nobody edits them by hand.
pub fn marks_generated(text: &str) -> bool {
    let mut end = text.len().min(1024);
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = text.get(..end).unwrap_or("");
    head.contains("@generated") || head.to_ascii_lowercase().contains("do not edit")
}

/// A fn body left unparsed by lazy extraction. It declares no items, uses or impls and
/// invokes no macro that does (those bodies are always parsed with their file); what it
/// would contribute is its [`PathRef`]s and its fn's [`BodySummary`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LazyBody {
    /// The fn it belongs to (index into [`FileFacts::items`]).
    pub item: u32,
    /// The block, braces included.
    pub span: Span,
    /// Where its refs belong in [`FileFacts::refs`]: the number of refs recorded before it.
    pub ref_at: u32,
    /// Self type (last segment) of the innermost `impl` around the fn, if any.
    pub enclosing_impl: Option<String>,
}

/// `include!("opt.rs")` at item position.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IncludeDecl {
    pub scope: Vec<ScopeSeg>,
    /// The path as written, relative to the including file's directory.
    pub path: String,
    /// The whole invocation.
    pub span: Span,
    pub in_test: bool,
}

/// One step of the lexical scope an item/use/ref sits in, relative to the file's module.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ScopeSeg {
    /// Inline `mod name { .. }` or out-of-line `mod name;` (for the items of the
    /// child file the index adds this seg itself).
    Mod(String),
    /// Body of fn `name` (free fn or associated fn).
    Fn(String),
    /// Inside `impl <Ty>`: the self type's last segment, for display only.
    Impl(String),
    /// Body of a const/static initializer or other block; named for display. Also the
    /// body of a trait (its fns are items there), named after the trait.
    Block(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Vis {
    #[default]
    Private,
    /// `pub`
    Public,
    /// `pub(crate)`
    Crate,
    /// `pub(super)`, `pub(in path)`, `pub(self)`
    Restricted,
}

/// The attributes rules care about.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attrs {
    /// `#[deprecated]`, with its note if any.
    pub deprecated: Option<String>,
    pub doc_hidden: bool,
    /// `#[cfg(test)]` (or `cfg(any(test, ..))`, `cfg_attr(test, ..)` is not counted).
    pub cfg_test: bool,
    /// Other `#[cfg(..)]` predicates, as token text (`feature = "x"`, `not(unix)`), test excluded.
    pub cfg: Vec<String>,
    /// `#[test]`, `#[tokio::test]`, `#[bench]`, any attribute whose last segment is `test`.
    pub test_fn: bool,
    /// `#[global_allocator]` or `#[cfg_attr(.., global_allocator)]`.
    pub global_allocator: bool,
    /// `#[macro_export]`.
    pub macro_export: bool,
    /// `#[path = ".."]` on a `mod`.
    pub path: Option<String>,
    /// `#[linkme::distributed_slice]` / `#[distributed_slice(..)]`.
    pub distributed_slice: bool,
    /// `#[ctor]` / `#[ctor::ctor]` fns.
    pub ctor: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ItemKind {
    Struct,
    Enum,
    Union,
    Trait,
    TypeAlias,
    Fn,
    Static,
    Const,
    /// `mod x { .. }` or `mod x;`
    Mod,
    MacroRules,
    ExternCrate,
}

impl ItemKind {
    /// Items that live in the type namespace and can be a "concept".
    pub fn is_type(self) -> bool {
        matches!(
            self,
            ItemKind::Struct
                | ItemKind::Enum
                | ItemKind::Union
                | ItemKind::Trait
                | ItemKind::TypeAlias
        )
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Item {
    pub name: String,
    pub kind: ItemKind,
    /// Where the item is declared, relative to the file's module.
    pub scope: Vec<ScopeSeg>,
    pub vis: Vis,
    /// The item's name identifier (what a finding points at).
    pub name_span: Span,
    /// The whole item, attributes excluded.
    pub span: Span,
    pub attrs: Attrs,
    /// Inside test code: a `#[cfg(test)]` module/item, a `#[test]` fn, or below one.
    pub in_test: bool,
    /// Declared inside a fn body (at any depth).
    pub in_fn_body: bool,
    /// Some `cfg` (other than test) applies to the item or an enclosing scope.
    pub cfg_gated: bool,
    pub detail: ItemDetail,
}

impl Item {
    /// A public item with default spans, attributes and flags (hand-built facts in tests).
    pub fn new(name: &str, kind: ItemKind, detail: ItemDetail) -> Item {
        Item {
            name: name.into(),
            kind,
            scope: Vec::new(),
            vis: Vis::Public,
            name_span: Span::default(),
            span: Span::default(),
            attrs: Attrs::default(),
            in_test: false,
            in_fn_body: false,
            cfg_gated: false,
            detail,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum ItemDetail {
    None,
    Struct(StructInfo),
    Enum(EnumInfo),
    Trait(TraitInfo),
    TypeAlias(Ty),
    Fn(FnInfo),
    Static(StaticInfo),
    Const(Ty),
    Mod(ModInfo),
    /// `extern crate name as alias;` — the item's `name` is the alias (or the crate name).
    ExternCrate {
        krate: String,
    },
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StructInfo {
    /// Tuple structs have unnamed fields.
    pub tuple: bool,
    pub unit: bool,
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Field {
    /// `None` for tuple fields.
    pub name: Option<String>,
    pub ty: Ty,
    pub vis: Vis,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EnumInfo {
    pub variants: Vec<Variant>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Variant {
    pub name: String,
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TraitInfo {
    pub methods: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FnInfo {
    /// `self`, `&self`, `&mut self`, `self: Arc<Self>` …
    pub receiver: Option<Receiver>,
    pub params: Vec<Param>,
    pub ret: Option<Ty>,
    pub is_async: bool,
    /// For associated fns: the impl block's self type and trait.
    pub impl_of: Option<ImplCtx>,
    /// For fns declared in a trait.
    pub in_trait: Option<String>,
    /// What the body does that rules need, collected without keeping the body.
    pub body: BodySummary,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Receiver {
    Value,
    Ref,
    RefMut,
    /// `self: Arc<Self>`, `self: Pin<&mut Self>` …
    Typed,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Param {
    /// Binding name when it is a plain identifier (`ctx`), else the pattern text.
    pub name: String,
    pub ty: Ty,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImplCtx {
    pub self_ty: Ty,
    pub trait_: Option<Ty>,
}

/// Facts about a fn body, enough for accessor/factory rules.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BodySummary {
    /// Names of statics declared inside the body (any depth).
    pub local_statics: Vec<String>,
    /// Single-segment or multi-segment paths used as values in the body that may name a
    /// static (upper-case last segment), e.g. `INSTANCE`, `crate::state::MANAGER`.
    pub static_like_paths: Vec<Vec<String>>,
    /// The body calls `Box::leak`.
    pub box_leak: bool,
    /// Method names called in the body (`get_or_init`, `clone`, `get`, `lock` …).
    pub method_calls: Vec<String>,
    /// The body calls `log::set_logger` / `set_boxed_logger` (logger statics are allowed).
    pub sets_logger: bool,
    /// The body is one call and nothing else (`new::f(x)`, `self.inner.g(x).await?`,
    /// `return f(x);`): a forwarding fn, which a compatibility shim may keep.
    #[serde(default)]
    pub single_call: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StaticOrigin {
    /// `static` / `static mut` item.
    Static,
    /// `lazy_static! { static ref X: T = ..; }`
    LazyStatic,
    /// `thread_local! { static X: T = ..; }`
    ThreadLocal,
    /// `tokio::task_local! { static X: T; }` (never a finding, recorded for completeness)
    TaskLocal,
    /// A static produced by expanding a `macro_rules!` defined in the same crate.
    MacroGenerated,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StaticInfo {
    /// The declared type as written.
    pub ty: Ty,
    pub mutable: bool,
    pub origin: StaticOrigin,
    /// Paths of fns/types called or constructed in the initializer, outermost first
    /// (`Lazy::new(|| Mutex::new(WebSocketManager::new(cfg())))` →
    /// `[Lazy::new, Mutex::new, WebSocketManager::new, cfg]`).
    pub init_calls: Vec<Vec<String>>,
    /// The initializer is made only of literals (strings, numbers, arrays/tuples of them,
    /// `&[..]` of literal structs): an immutable table.
    pub init_literal_only: bool,
    /// The initializer text, truncated to a few hundred bytes (for messages).
    pub init_text: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ModInfo {
    /// `mod x;` (the body lives in another file) vs `mod x { .. }`.
    pub out_of_line: bool,
}

/// A simplified type: enough structure to look through wrappers and compare shapes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Ty {
    /// `a::b::C<T, U>`: segments as written; generic args of the *last* segment (and of
    /// earlier segments appended, which is rare) in `args`. Lifetimes and const args dropped.
    /// `<T as Trait>::X` becomes the path `Trait::X`.
    Path {
        segments: Vec<String>,
        args: Vec<Ty>,
    },
    /// `&'a T`, `&mut T`; `lifetime` without the quote (`static`).
    Ref {
        lifetime: Option<String>,
        mutable: bool,
        inner: Box<Ty>,
    },
    /// `*const T` / `*mut T`
    Ptr(Box<Ty>),
    /// `[T]` or `[T; N]`
    Slice(Box<Ty>),
    Tuple(Vec<Ty>),
    /// `dyn A + B` / `impl A + B`: the trait bounds (lifetimes dropped).
    TraitObject(Vec<Ty>),
    /// `fn(..) -> ..`
    FnPtr,
    /// `_`
    Infer,
    /// `!`
    Never,
    /// Anything else (macro types …), as text.
    Other(String),
}

impl Ty {
    /// Last path segment, or `None` for non-path types.
    pub fn last_name(&self) -> Option<&str> {
        match self {
            Ty::Path { segments, .. } => segments.last().map(String::as_str),
            _ => None,
        }
    }
    pub fn args(&self) -> &[Ty] {
        match self {
            Ty::Path { args, .. } => args,
            _ => &[],
        }
    }
    /// Rendered as Rust-like text, for messages.
    pub fn display(&self) -> String {
        match self {
            Ty::Path { segments, args } => {
                let mut s = segments.join("::");
                if !args.is_empty() {
                    s.push('<');
                    s.push_str(&args.iter().map(Ty::display).collect::<Vec<_>>().join(", "));
                    s.push('>');
                }
                s
            }
            Ty::Ref {
                lifetime,
                mutable,
                inner,
            } => {
                let mut s = String::from("&");
                if let Some(l) = lifetime {
                    s.push('\'');
                    s.push_str(l);
                    s.push(' ');
                }
                if *mutable {
                    s.push_str("mut ");
                }
                s.push_str(&inner.display());
                s
            }
            Ty::Ptr(t) => format!("*{}", t.display()),
            Ty::Slice(t) => format!("[{}]", t.display()),
            Ty::Tuple(ts) => format!(
                "({})",
                ts.iter().map(Ty::display).collect::<Vec<_>>().join(", ")
            ),
            Ty::TraitObject(ts) => format!(
                "dyn {}",
                ts.iter().map(Ty::display).collect::<Vec<_>>().join(" + ")
            ),
            Ty::FnPtr => "fn(..)".into(),
            Ty::Infer => "_".into(),
            Ty::Never => "!".into(),
            Ty::Other(s) => s.clone(),
        }
    }
    /// Visit this type and every nested type argument, depth first.
    pub fn walk<'a>(&'a self, f: &mut dyn FnMut(&'a Ty)) {
        f(self);
        match self {
            Ty::Path { args, .. } => args.iter().for_each(|a| a.walk(f)),
            Ty::Ref { inner, .. } | Ty::Ptr(inner) | Ty::Slice(inner) => inner.walk(f),
            Ty::Tuple(ts) | Ty::TraitObject(ts) => ts.iter().for_each(|a| a.walk(f)),
            _ => {}
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UseKind {
    /// `use a::b::C;` / `use a::b::C as D;`
    Name,
    /// `use a::b::*;`
    Glob,
    /// `use a::b::{self};` / `use a::b::{self as c};` — imports the module `b`.
    SelfImport,
}

/// One leaf of a `use` tree, with the full path from the tree's root.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UseLeaf {
    pub scope: Vec<ScopeSeg>,
    pub vis: Vis,
    /// Full path segments as written, e.g. `["crate", "ws", "manager", "WebSocketManager"]`
    /// (for `SelfImport` the path ends at the module, for `Glob` at the globbed module).
    pub path: Vec<String>,
    /// `use ::a::b;`
    pub leading_colon: bool,
    /// Span of each segment in `path` (shared prefixes of a group point at the same text).
    pub segment_spans: Vec<Span>,
    pub kind: UseKind,
    /// `as Name` (or `_` for `as _`).
    pub rename: Option<String>,
    /// The span of this leaf within the tree: from its first *own* segment (after the
    /// group brace it sits in, or the tree start) to the end of its rename. Outside a group
    /// this is the tree root up to and including the leaf (after a leading `::`): the text a
    /// fix rewrites when the leaf is the only one in the tree.
    pub leaf_span: Span,
    /// The whole `use ..;` item (for whole-line fixes).
    pub item_span: Span,
    pub attrs: Attrs,
    pub in_test: bool,
    pub cfg_gated: bool,
    /// The leaf sits inside a `{..}` group.
    pub in_group: bool,
}

impl UseLeaf {
    /// A re-export no route counts through, by its own attributes: `#[doc(hidden)]` and
    /// `__`-named macro plumbing, `pub use crate as name` self-aliases, cfg-switched
    /// alternatives, test code. One predicate for `non-canonical-import` (which also exempts
    /// leaves in hidden modules) and for lazy body selection, which must not count more.
    pub fn is_plumbing(&self) -> bool {
        self.attrs.doc_hidden
            || self.cfg_gated
            || self.in_test
            || self.rename.as_deref().is_some_and(|r| r.starts_with("__"))
            || self.path.last().is_some_and(|s| s.starts_with("__"))
            || matches!(self.path.as_slice(), [only] if only == "crate" || only == "self")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RefKind {
    /// A path in a type position (`let x: a::B`, fn signatures, fields, generic args).
    Type,
    /// A path expression used as a value or callee that is not a call (`a::B::new` passed
    /// as a fn, a unit struct value, a static).
    Value,
    /// The callee of a call: `a::B::new(..)`; `segments` include the fn name.
    Call,
    /// A struct literal `a::B { .. }`.
    StructLit,
    /// A path in a pattern (`let B { x } = ..`, `match` arms): destructuring.
    Pattern,
    /// `let m: M = Default::default()` / `Default::default()` with an annotated type: the
    /// segments are the annotated type `M`.
    DefaultAnnotated,
    /// A path of a macro invocation (`a::b!(..)`).
    Macro,
    /// A trait path in `impl Trait for X` or a bound.
    Trait,
}

/// A path written outside `use` declarations.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PathRef {
    pub scope: Vec<ScopeSeg>,
    pub segments: Vec<String>,
    pub leading_colon: bool,
    pub segment_spans: Vec<Span>,
    /// The whole path (for `Call`, the callee path; use `call_span` for the whole call).
    pub span: Span,
    pub kind: RefKind,
    /// For `Call`: the whole call expression `a::B::new(..)`.
    pub call_span: Option<Span>,
    /// Self type (last segment) of the innermost enclosing `impl`, if any.
    pub enclosing_impl: Option<String>,
    /// Innermost enclosing fn name, if any.
    pub enclosing_fn: Option<String>,
    pub in_test: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImplBlock {
    pub scope: Vec<ScopeSeg>,
    pub self_ty: Ty,
    pub trait_: Option<Ty>,
    pub span: Span,
    pub in_test: bool,
    /// Names of the associated fns (their details are items).
    pub fns: Vec<String>,
}

/// `inventory::collect!(Plugin)` and similar link-time registry declarations.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MacroRegistry {
    pub scope: Vec<ScopeSeg>,
    /// The macro path as written (`inventory::collect`).
    pub macro_path: String,
    /// The collected type (`Plugin`).
    pub ty: Ty,
    pub span: Span,
    pub in_test: bool,
}

/// `// ssot:allow(rule-a, rule-b): reason` or `//! ssot:allow-file(rule): reason`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Suppression {
    /// Rule ids as written (with or without the `ssot::` prefix).
    pub rules: Vec<String>,
    pub reason: Option<String>,
    pub file_level: bool,
    /// The comment itself.
    pub span: Span,
    /// 0-based line of the comment.
    pub line: u32,
    /// The comment shares its line with code (trailing comment): it applies to that line;
    /// otherwise to the next line that has code.
    pub trailing: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProblemKind {
    /// syn could not parse the file (or a macro body a rule needs).
    Parse,
    /// Nesting deeper than the analyser follows.
    TooDeep,
    /// Larger than the configured maximum size.
    TooLarge,
    NotUtf8,
    Unreadable,
    /// `mod x;` whose file does not exist.
    MissingModule,
    /// `mod` declarations that form a cycle (via `#[path]`).
    ModuleCycle,
    /// A symlink loop or a path that leaves the workspace.
    SymlinkLoop,
    /// A `Cargo.toml` that could not be read or parsed.
    BadManifest,
}

/// Something that kept part of the input from being analysed. Reported, never fatal.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Problem {
    pub kind: ProblemKind,
    pub message: String,
    pub span: Option<Span>,
}
