//! `ssot::shim-defines-type` — see `rules/shim-defines-type.toml` for what it finds and why.
//!
//! A module a concept declares in `shims` (and every module inside it) may hold only what
//! keeps old callers compiling while they migrate: `use`/`pub use` re-exports, `type`
//! aliases marked `#[deprecated]` (on the alias or on an enclosing module), one-call
//! forwarding fns, and the `mod` declarations that make up the shim. Everything else is new
//! code growing in a module that is meant to disappear: structs, enums, unions, traits,
//! statics, consts, macros, fns that do more than forward, and `impl` blocks (of types
//! defined elsewhere; a type defined in the shim is reported once, at its name).
//! Items inside fn bodies belong to their fn, and test code is out of scope.

use super::concept::{self, is_test_code};
use super::RuleCtx;
use crate::facts::{ItemDetail, ItemKind};
use crate::finding::{Finding, Level};
use crate::index::{DefId, Index, ModuleId};
use std::collections::{HashMap, HashSet};

const RULE: &str = "shim-defines-type";

pub fn check(ctx: &RuleCtx) -> Vec<Finding> {
    let index = ctx.index;
    let concepts = concept::resolve_all(index, ctx.config);
    // Shim root modules with the concept and config path that declared them (first wins).
    let mut shims: Vec<(ModuleId, &str, &str)> = Vec::new();
    for c in &concepts {
        for (m, path) in &c.shims {
            if !shims.iter().any(|(s, _, _)| s == m) {
                shims.push((*m, path, c.config.name.value.as_str()));
            }
        }
    }
    if shims.is_empty() {
        return Vec::new();
    }
    let shim_of = |m: ModuleId| {
        shims
            .iter()
            .find(|(s, _, _)| index.is_within(m, *s))
            .copied()
    };

    let mut out = Vec::new();
    let mut types_in_shim: HashSet<String> = HashSet::new();
    let mut modules_deprecated: HashMap<ModuleId, bool> = HashMap::new();
    for d in index.def_ids() {
        let def = index.def(d);
        let Some((root, shim_path, concept_name)) = shim_of(def.module) else {
            continue;
        };
        let item = index.item(d);
        if item.in_fn_body
            || is_test_code(index, ctx.config, def.file, Some(def.module), def.in_test)
        {
            continue;
        }
        let what = match (&item.kind, &item.detail) {
            (ItemKind::Mod, _) | (ItemKind::ExternCrate, _) => continue,
            (ItemKind::TypeAlias, _) => {
                let deprecated = item.attrs.deprecated.is_some()
                    || *modules_deprecated
                        .entry(def.module)
                        .or_insert_with(|| module_deprecated(index, def.module, root));
                if deprecated {
                    continue;
                }
                Some("a type alias without `#[deprecated]`")
            }
            (ItemKind::Fn, ItemDetail::Fn(f)) => {
                if f.impl_of.is_some() || f.in_trait.is_some() {
                    // Reported through their `impl` block or trait.
                    continue;
                }
                if f.body.single_call {
                    continue;
                }
                Some("a fn that does more than forward one call")
            }
            (ItemKind::Struct, _) => Some("a struct"),
            (ItemKind::Enum, _) => Some("an enum"),
            (ItemKind::Union, _) => Some("a union"),
            (ItemKind::Trait, _) => Some("a trait"),
            (ItemKind::Static, _) => Some("a static"),
            (ItemKind::Const, _) => Some("a const"),
            (ItemKind::MacroRules, _) => Some("a macro"),
            (ItemKind::Fn, _) => Some("a fn"),
        };
        if item.kind.is_type() {
            types_in_shim.insert(item.name.clone());
        }
        if let Some(what) = what {
            out.push(finding(index, d, what, shim_path, concept_name));
        }
    }

    // `impl` blocks: behaviour added in the shim to a type that lives elsewhere.
    for file in index.rust_files() {
        for block in &index.file(file).facts.impls {
            let Some(module) = index.module_at(file, &block.scope) else {
                continue;
            };
            let Some((_, shim_path, concept_name)) = shim_of(module) else {
                continue;
            };
            if block
                .scope
                .iter()
                .any(|s| matches!(s, crate::facts::ScopeSeg::Fn(_)))
                || is_test_code(index, ctx.config, file, Some(module), block.in_test)
                || block
                    .self_ty
                    .last_name()
                    .is_some_and(|n| types_in_shim.contains(n))
            {
                continue;
            }
            let ty = block.self_ty.display();
            let what = match &block.trait_ {
                Some(t) => format!("an `impl {} for {ty}` block", t.display()),
                None => format!("an `impl {ty}` block"),
            };
            let message = format!(
                "compatibility shim `{shim_path}` (concept `{concept_name}`) defines {what}: a shim may only re-export, alias with `#[deprecated]` and forward, or new code grows where it is meant to be deleted"
            );
            let key = format!("{}::impl {ty}", index.module_path(module));
            out.push(
                Finding::new(
                    RULE,
                    Level::Warning,
                    file,
                    impl_head(index, file, block.span),
                    message,
                )
                .help("move the impl next to the type's canonical definition")
                .item_path(key),
            );
        }
    }
    out
}

/// The `impl … {` head of a block (the primary span should not cover the whole body).
fn impl_head(
    index: &Index,
    file: crate::source::FileId,
    span: crate::source::Span,
) -> crate::source::Span {
    let text = index.span_text(file, span);
    match text.find('{') {
        Some(open) => crate::source::Span::new(
            span.lo as usize,
            span.lo as usize + text[..open].trim_end().len(),
        ),
        None => span,
    }
}

/// Is `m`, or a module between it and the shim root, `#[deprecated]`?
fn module_deprecated(index: &Index, m: ModuleId, root: ModuleId) -> bool {
    let mut cur = Some(m);
    for _ in 0..1024 {
        let Some(c) = cur else { return false };
        let module = index.module(c);
        let file_deprecated = module.scope.is_empty()
            && index
                .file(module.file)
                .facts
                .inner_attrs
                .deprecated
                .is_some();
        if module.deprecated || file_deprecated {
            return true;
        }
        if c == root {
            return false;
        }
        cur = module.parent;
    }
    false
}

fn finding(index: &Index, d: DefId, what: &str, shim_path: &str, concept_name: &str) -> Finding {
    let item = index.item(d);
    let def = index.def(d);
    let message = format!(
        "compatibility shim `{shim_path}` (concept `{concept_name}`) defines {what}, `{}`: a shim may only re-export, alias with `#[deprecated]` and forward, or new code grows where it is meant to be deleted",
        item.name
    );
    let help = match item.kind {
        ItemKind::TypeAlias => "mark the alias `#[deprecated(note = \"use …\")]`, or re-export the type with `pub use`".to_string(),
        ItemKind::Fn => "make it a one-call forwarder to the canonical API, or move it out of the shim".to_string(),
        _ => "move it next to the concept's canonical code (or delete it) and re-export it from the shim if old callers need it".to_string(),
    };
    Finding::new(RULE, Level::Warning, def.file, item.name_span, message)
        .help(help)
        .item_path(def.path.clone())
}

#[cfg(test)]
mod tests {
    use crate::facts::{extract::extract_file, ItemDetail};

    fn single_call(src: &str) -> bool {
        let facts = extract_file(src);
        match facts
            .items
            .iter()
            .find(|i| i.name == "f")
            .map(|i| &i.detail)
        {
            Some(ItemDetail::Fn(f)) => f.body.single_call,
            other => panic!("no fn f: {other:?}"),
        }
    }

    #[test]
    fn forwarding_fns_are_one_call_and_nothing_else() {
        assert!(single_call("pub fn f(x: u8) -> u8 { crate::new::f(x) }"));
        assert!(single_call("pub fn f(s: &S) -> u8 { s.inner.g(1) }"));
        assert!(single_call("pub async fn f() -> R { g().await? }"));
        assert!(single_call("pub fn f() -> u8 { return g(); }"));
        assert!(single_call("pub fn f() -> String { forward!(1) }"));
        assert!(!single_call("pub fn f() -> u8 { let x = g(); x }"));
        assert!(!single_call("pub fn f() -> u8 { 1 + g() }"));
        assert!(!single_call("pub fn f() {}"));
        assert!(!single_call("pub fn f() -> S { S { a: 1 } }"));
    }
}
