//! Test kit for the static rules: Rust type text → [`Ty`], and a one-file [`Index`] built
//! from hand-made items, so rule logic is tested without the extraction pipeline.

use crate::facts::{
    Attrs, BodySummary, FileFacts, FnInfo, ImplBlock, ImplCtx, Item, ItemDetail, ItemKind,
    MacroRegistry, Param, Receiver, ScopeSeg, StaticInfo, StaticOrigin, Ty, UseKind, UseLeaf, Vis,
};
use crate::index::{Crate, CrateId, CrateKind, FileRole, Index, IndexedFile, Module, ModuleId};
use crate::source::{FileId, SourceFile, Span};
use std::collections::HashMap;

/// Parse a Rust type into the facts' simplified [`Ty`] (test-only; the extractor has its own).
pub fn ty(text: &str) -> Ty {
    let parsed: syn::Type = syn::parse_str(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    convert(&parsed)
}

fn convert(t: &syn::Type) -> Ty {
    match t {
        syn::Type::Path(p) => convert_path(&p.path),
        syn::Type::Reference(r) => Ty::Ref {
            lifetime: r.lifetime.as_ref().map(|l| l.ident.to_string()),
            mutable: r.mutability.is_some(),
            inner: Box::new(convert(&r.elem)),
        },
        syn::Type::Ptr(p) => Ty::Ptr(Box::new(convert(&p.elem))),
        syn::Type::Slice(s) => Ty::Slice(Box::new(convert(&s.elem))),
        syn::Type::Array(a) => Ty::Slice(Box::new(convert(&a.elem))),
        syn::Type::Tuple(t) => Ty::Tuple(t.elems.iter().map(convert).collect()),
        syn::Type::Paren(p) => convert(&p.elem),
        syn::Type::TraitObject(o) => Ty::TraitObject(bounds(&o.bounds)),
        syn::Type::ImplTrait(i) => Ty::TraitObject(bounds(&i.bounds)),
        syn::Type::BareFn(_) => Ty::FnPtr,
        syn::Type::Infer(_) => Ty::Infer,
        syn::Type::Never(_) => Ty::Never,
        other => Ty::Other(quote::quote!(#other).to_string()),
    }
}

fn convert_path(path: &syn::Path) -> Ty {
    let segments = path.segments.iter().map(|s| s.ident.to_string()).collect();
    let args = path
        .segments
        .iter()
        .flat_map(|s| match &s.arguments {
            syn::PathArguments::AngleBracketed(a) => a
                .args
                .iter()
                .filter_map(|g| match g {
                    syn::GenericArgument::Type(t) => Some(convert(t)),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        })
        .collect();
    Ty::Path { segments, args }
}

fn bounds(b: &syn::punctuated::Punctuated<syn::TypeParamBound, syn::Token![+]>) -> Vec<Ty> {
    b.iter()
        .filter_map(|b| match b {
            syn::TypeParamBound::Trait(t) => Some(convert_path(&t.path)),
            _ => None,
        })
        .collect()
}

/// A static item `static name: ty = ..;` at module level.
pub fn static_item(name: &str, ty_text: &str) -> Item {
    item(
        name,
        ItemKind::Static,
        ItemDetail::Static(StaticInfo {
            ty: ty(ty_text),
            mutable: false,
            origin: StaticOrigin::Static,
            init_calls: Vec::new(),
            init_literal_only: false,
            init_text: String::new(),
        }),
    )
}

/// A free fn `fn name(params) -> ret`, with an empty body summary.
pub fn fn_item(name: &str, params: &[(&str, &str)], ret: Option<&str>) -> Item {
    item(
        name,
        ItemKind::Fn,
        ItemDetail::Fn(FnInfo {
            receiver: None,
            params: params
                .iter()
                .map(|(n, t)| Param {
                    name: n.to_string(),
                    ty: ty(t),
                })
                .collect(),
            ret: ret.map(ty),
            is_async: false,
            impl_of: None,
            in_trait: None,
            body: BodySummary::default(),
        }),
    )
}

pub fn struct_item(name: &str) -> Item {
    item(name, ItemKind::Struct, ItemDetail::None)
}

pub fn alias_item(name: &str, ty_text: &str) -> Item {
    item(
        name,
        ItemKind::TypeAlias,
        ItemDetail::TypeAlias(ty(ty_text)),
    )
}

fn item(name: &str, kind: ItemKind, detail: ItemDetail) -> Item {
    Item {
        name: name.to_string(),
        kind,
        scope: Vec::new(),
        vis: Vis::Private,
        name_span: Span::default(),
        span: Span::default(),
        attrs: Attrs::default(),
        in_test: false,
        in_fn_body: false,
        cfg_gated: false,
        detail,
    }
}

/// Mutable access to a static's details.
pub fn static_info(item: &mut Item) -> &mut StaticInfo {
    match &mut item.detail {
        ItemDetail::Static(s) => s,
        _ => panic!("{} is not a static", item.name),
    }
}

/// Mutable access to a fn's details.
pub fn fn_info(item: &mut Item) -> &mut FnInfo {
    match &mut item.detail {
        ItemDetail::Fn(f) => f,
        _ => panic!("{} is not a fn", item.name),
    }
}

/// Put `item` inside the body of fn `f` (declared at module level).
pub fn inside_fn(mut item: Item, f: &str) -> Item {
    item.scope = vec![ScopeSeg::Fn(f.to_string())];
    item.in_fn_body = true;
    item
}

/// Make a fn an associated fn of `impl self_ty`.
pub fn in_impl(mut item: Item, self_ty: &str, receiver: Option<Receiver>) -> Item {
    item.scope = vec![ScopeSeg::Impl(self_ty.to_string())];
    let info = fn_info(&mut item);
    info.receiver = receiver;
    info.impl_of = Some(ImplCtx {
        self_ty: ty(self_ty),
        trait_: None,
    });
    item
}

/// `use path;` at module level.
pub fn use_leaf(path: &str) -> UseLeaf {
    UseLeaf {
        scope: Vec::new(),
        vis: Vis::Private,
        path: path.split("::").map(str::to_string).collect(),
        leading_colon: false,
        segment_spans: Vec::new(),
        kind: UseKind::Name,
        rename: None,
        leaf_span: Span::default(),
        item_span: Span::default(),
        attrs: Attrs::default(),
        in_test: false,
        cfg_gated: false,
        in_group: false,
    }
}

/// `impl [trait_ for] self_ty {}` at module level.
pub fn impl_block(self_ty: &str, trait_: Option<&str>) -> ImplBlock {
    ImplBlock {
        scope: Vec::new(),
        self_ty: ty(self_ty),
        trait_: trait_.map(ty),
        span: Span::default(),
        in_test: false,
        fns: Vec::new(),
    }
}

/// `inventory::collect!(ty)` at module level.
pub fn collected(ty_text: &str) -> MacroRegistry {
    MacroRegistry {
        scope: Vec::new(),
        macro_path: "inventory::collect".to_string(),
        ty: ty(ty_text),
        span: Span::default(),
        in_test: false,
    }
}

/// A one-crate, one-file index (`fixture` crate, root module) holding `facts`.
/// Item `i` gets the name span `i..i+1`, so findings can be told apart by span.
pub fn index(mut facts: FileFacts) -> Index {
    for (i, it) in facts.items.iter_mut().enumerate() {
        it.name_span = Span::new(i, i + 1);
    }
    let mut index = Index::default();
    index.files.push(IndexedFile {
        source: SourceFile::new("lib.rs".into(), "src/lib.rs".into(), "".into()),
        facts,
        role: FileRole::Module {
            krate: CrateId(0),
            module: ModuleId(0),
        },
        in_test: false,
    });
    index.crates.push(Crate {
        name: "fixture".into(),
        package: "fixture".into(),
        kind: CrateKind::Lib,
        root_module: ModuleId(0),
        manifest_path: "Cargo.toml".into(),
        is_test: false,
        deps: HashMap::new(),
        workspace: 0,
    });
    index.modules.push(Module {
        krate: CrateId(0),
        path: Vec::new(),
        file: FileId(0),
        scope: Vec::new(),
        parent: None,
        children: HashMap::new(),
        decl: None,
        in_test: false,
        deprecated: false,
        doc_hidden: false,
        public: true,
    });
    index
        .module_by_file_scope
        .insert((FileId(0), Vec::new()), ModuleId(0));
    index
}

/// Facts with these items.
pub fn facts(items: Vec<Item>) -> FileFacts {
    FileFacts {
        items,
        ..FileFacts::default()
    }
}

/// Run one rule over `facts` with the default config; findings as `(item name, level)`.
pub fn run(check: crate::rules::RuleFn, facts: FileFacts) -> Vec<(String, crate::finding::Level)> {
    run_with(check, facts, crate::config::Config::default())
}

/// A config with one concept named by `names` globs, per user when `context` is given.
pub fn concept_config(names: &[&str], context: Option<&str>) -> crate::config::Config {
    use crate::config::{Concept, Spanned};
    let spanned = |s: &str| Spanned::new(s.to_string(), Span::default());
    crate::config::Config {
        concepts: vec![Concept {
            name: spanned("test-concept"),
            canonical: None,
            names: names.iter().map(|n| spanned(n)).collect(),
            aliases: Vec::new(),
            deprecated: Vec::new(),
            factories: Vec::new(),
            shims: Vec::new(),
            context: context.map(spanned),
        }],
        ..crate::config::Config::default()
    }
}

/// [`run`] with a given config.
pub fn run_with(
    check: crate::rules::RuleFn,
    facts: FileFacts,
    config: crate::config::Config,
) -> Vec<(String, crate::finding::Level)> {
    let index = index(facts);
    let ctx = crate::rules::RuleCtx {
        index: &index,
        config: &config,
    };
    let mut out: Vec<(String, crate::finding::Level)> = check(&ctx)
        .into_iter()
        .map(|f| {
            let items = &index.file(FileId(0)).facts.items;
            let name = items
                .get(f.span.lo as usize)
                .filter(|_| f.span.len() == 1)
                .map_or_else(|| f.item_path.clone(), |it| it.name.clone());
            (name, f.level)
        })
        .collect();
    out.sort();
    out
}
