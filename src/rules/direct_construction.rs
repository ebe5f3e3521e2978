//! `ssot::direct-construction` — see `rules/direct-construction.toml` for what it finds and why.
//!
//! Only concepts with `factories` take part: without a factory there is nothing to bypass.
//! Construction is recognised on resolved paths, never on names: `M::new(..)` and other
//! associated fns of `M` without a receiver that return `Self`/`M` (also wrapped: `Result<Self>`,
//! `Arc<Self>`), `M::default()`, tuple and unit struct constructors, struct literals
//! `M { .. }`, and `let m: M = Default::default()`. A constructor passed as a value
//! (`get_or_init(M::default)`) counts too. `Arc::new(M::new())` is found through its inner call.
//!
//! Allowed: code inside the concept's factory modules (or factory types/fns), code inside
//! any `impl` of `M` itself (the type's own business: `Self::new()` in `fork`), patterns
//! (destructuring), and test code. The factory type itself is not a member of the concept
//! (its name does not match the concept's `names`), so building it is never reported.

use super::concept::{self, is_test_code, FactoryPlace, ResolvedConcept};
use super::RuleCtx;
use crate::facts::{ItemDetail, ItemKind, PathRef, RefKind, ScopeSeg, Ty};
use crate::finding::{Finding, Level};
use crate::index::{DefId, Index, ModuleId};
use crate::source::FileId;
use std::collections::HashMap;

const RULE: &str = "direct-construction";

pub fn check(ctx: &RuleCtx) -> Vec<Finding> {
    let index = ctx.index;
    let concepts = concept::resolve_all(index, ctx.config);
    // Member → its concept, for concepts that have a factory to bypass.
    let mut member_of: HashMap<DefId, usize> = HashMap::new();
    for (i, c) in concepts.iter().enumerate() {
        if c.factories.is_empty() {
            continue;
        }
        for m in &c.members {
            let kind = index.item(*m).kind;
            if !matches!(kind, ItemKind::Struct | ItemKind::Enum | ItemKind::Union) {
                continue;
            }
            member_of.entry(*m).or_insert(i);
        }
    }
    if member_of.is_empty() {
        return Vec::new();
    }
    let ctors = AssocFns::collect(index, &member_of);

    let mut out = Vec::new();
    for file in index.rust_files() {
        let facts = &index.file(file).facts;
        for (r, pref) in facts.refs.iter().enumerate() {
            if !matches!(
                pref.kind,
                RefKind::Call | RefKind::Value | RefKind::StructLit | RefKind::DefaultAnnotated
            ) {
                continue;
            }
            let Some(res) = index.ref_resolution(file, r) else {
                continue;
            };
            let Some(m) = index.resolved_def(res) else {
                continue;
            };
            let Some(&ci) = member_of.get(&m) else {
                continue;
            };
            let concept = &concepts[ci];
            let Some(form) = construction_form(index, &ctors, file, pref, m) else {
                continue;
            };
            let module = index.module_at(file, &pref.scope);
            if is_test_code(index, ctx.config, file, module, pref.in_test)
                || inside_impl_of(index, file, pref, m)
                || in_factory(
                    index,
                    concept,
                    file,
                    &pref.scope,
                    module,
                    pref.enclosing_fn.as_deref(),
                )
            {
                continue;
            }
            out.push(finding(index, concept, file, pref, m, module, &form));
        }
    }
    out
}

/// How a path constructs the member.
enum Form {
    /// `M::ctor(..)` or `M::ctor` passed as a fn.
    Ctor(String),
    /// `M(..)` / `M` for tuple and unit structs.
    TupleOrUnit,
    StructLit,
    DefaultAnnotated,
}

fn construction_form(
    index: &Index,
    ctors: &AssocFns,
    file: FileId,
    pref: &PathRef,
    m: DefId,
) -> Option<Form> {
    match pref.kind {
        RefKind::StructLit => {
            // `Enum::Variant { .. }` builds a variant of an enum member: construction too,
            // but only a struct literal of a struct names the type itself.
            Some(Form::StructLit)
        }
        RefKind::DefaultAnnotated => Some(Form::DefaultAnnotated),
        RefKind::Call | RefKind::Value => {
            let (last, prefix) = pref.segments.split_last()?;
            // Does the path end at the type (a tuple/unit constructor) or continue to an
            // associated item? Resolve the prefix to tell.
            let prefix_is_m = !prefix.is_empty()
                && index
                    .resolve_at(file, &pref.scope, prefix, RefKind::Type)
                    .and_then(|r| index.resolved_def(&r))
                    == Some(m);
            if !prefix_is_m {
                let tuple_or_unit = match &index.item(m).detail {
                    ItemDetail::Struct(s) => s.tuple || s.unit,
                    _ => false,
                };
                return tuple_or_unit.then_some(Form::TupleOrUnit);
            }
            ctors
                .is_constructor(index, m, last)
                .then(|| Form::Ctor(last.clone()))
        }
        _ => None,
    }
}

/// Associated fns of the members, by (member, fn name).
struct AssocFns {
    by_member: HashMap<(DefId, String), Vec<DefId>>,
}

impl AssocFns {
    fn collect(index: &Index, members: &HashMap<DefId, usize>) -> AssocFns {
        // Members by (crate, name): impls name their self type by its last segment.
        let mut by_name: HashMap<(crate::index::CrateId, &str), Vec<DefId>> = HashMap::new();
        for m in members.keys() {
            by_name
                .entry((index.def(*m).krate, index.item(*m).name.as_str()))
                .or_default()
                .push(*m);
        }
        let mut by_member: HashMap<(DefId, String), Vec<DefId>> = HashMap::new();
        for d in index.def_ids() {
            let item = index.item(d);
            let ItemDetail::Fn(f) = &item.detail else {
                continue;
            };
            let Some(self_name) = f.impl_of.as_ref().and_then(|i| i.self_ty.last_name()) else {
                continue;
            };
            let Some(candidates) = by_name.get(&(index.def(d).krate, self_name)) else {
                continue;
            };
            for m in candidates {
                by_member
                    .entry((*m, item.name.clone()))
                    .or_default()
                    .push(d);
            }
        }
        AssocFns { by_member }
    }

    /// Is `M::name` a constructor: an associated fn without receiver returning `Self`/`M`
    /// (also inside `Result`, `Option`, `Arc` …)? When no such fn is declared (a derived
    /// `Default`), `default` and `new` count.
    fn is_constructor(&self, index: &Index, m: DefId, name: &str) -> bool {
        let m_name = index.item(m).name.as_str();
        match self.by_member.get(&(m, name.to_string())) {
            Some(fns) => fns.iter().any(|f| match &index.item(*f).detail {
                ItemDetail::Fn(info) => {
                    info.receiver.is_none()
                        && info.ret.as_ref().is_some_and(|t| returns_self(t, m_name))
                }
                _ => false,
            }),
            None => name == "default" || name == "new",
        }
    }
}

fn returns_self(ret: &Ty, m_name: &str) -> bool {
    matches!(concept::peel_owned_wrappers(ret).last_name(), Some(n) if n == "Self" || n == m_name)
}

/// Code inside any `impl` of the member itself (inherent or trait impl).
fn inside_impl_of(index: &Index, file: FileId, pref: &PathRef, m: DefId) -> bool {
    let Some(self_name) = pref.enclosing_impl.as_deref().or_else(|| {
        pref.scope.iter().rev().find_map(|s| match s {
            ScopeSeg::Impl(t) => Some(t.as_str()),
            _ => None,
        })
    }) else {
        return false;
    };
    if self_name == index.item(m).name {
        return true;
    }
    // `impl Ws { .. }` with `Ws` an import or alias of the member.
    index
        .resolve_at(file, &pref.scope, &[self_name.to_string()], RefKind::Type)
        .and_then(|r| index.resolved_def(&r))
        == Some(m)
}

/// Is code at `(file, scope)` inside one of the concept's factories?
fn in_factory(
    index: &Index,
    concept: &ResolvedConcept,
    file: FileId,
    scope: &[ScopeSeg],
    module: Option<ModuleId>,
    enclosing_fn: Option<&str>,
) -> bool {
    let Some(module) = module.or_else(|| index.module_at(file, scope)) else {
        return false;
    };
    concept.factories.iter().any(|(place, _)| match place {
        FactoryPlace::Module(f) => index.is_within(module, *f),
        FactoryPlace::Def(d) => {
            let def = index.def(*d);
            let item = index.item(*d);
            let same_module = index.is_within(module, def.module);
            match item.kind {
                ItemKind::Fn => {
                    same_module
                        && (enclosing_fn == Some(item.name.as_str())
                            || scope
                                .iter()
                                .any(|s| matches!(s, ScopeSeg::Fn(n) if *n == item.name)))
                }
                _ => scope
                    .iter()
                    .any(|s| matches!(s, ScopeSeg::Impl(n) if *n == item.name)),
            }
        }
    })
}

fn finding(
    index: &Index,
    concept: &ResolvedConcept,
    file: FileId,
    pref: &PathRef,
    m: DefId,
    module: Option<ModuleId>,
    form: &Form,
) -> Finding {
    let name = &index.item(m).name;
    let how = match form {
        Form::Ctor(f) => format!("`{name}::{f}` constructs a `{name}`"),
        Form::TupleOrUnit => format!("`{name}(..)` constructs a `{name}`"),
        Form::StructLit => format!("a `{name} {{ .. }}` literal constructs a `{name}`"),
        Form::DefaultAnnotated => {
            format!("`Default::default()` annotated as `{name}` constructs a `{name}`")
        }
    };
    let message = format!(
        "{how} outside the factory of concept `{}`: instances made on the side skip the per-user setup the factory guarantees",
        concept.config.name.value
    );
    let factory = concept.factory_hint().unwrap_or("the factory");
    let help = match concept.context_name() {
        Some(ctx) => format!(
            "get the instance from the factory (`{factory}`), passing the user context (`{ctx}`)"
        ),
        None => format!("get the instance from the factory (`{factory}`)"),
    };
    let place = match (module, pref.enclosing_fn.as_deref()) {
        (Some(m), Some(f)) => format!("{}::{f}", index.module_path(m)),
        (Some(m), None) => index.module_path(m),
        (None, _) => String::new(),
    };
    let def = index.def(m);
    Finding::new(RULE, Level::Warning, file, pref.span, message)
        .help(help)
        .related(
            def.file,
            index.item(m).name_span,
            "the type is defined here",
        )
        .item_path(format!("{place} -> {}", def.path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &str, args: Vec<Ty>) -> Ty {
        Ty::Path {
            segments: p.split("::").map(str::to_string).collect(),
            args,
        }
    }

    #[test]
    fn constructors_return_self_or_the_type_possibly_wrapped() {
        assert!(returns_self(&path("Self", vec![]), "M"));
        assert!(returns_self(&path("crate::M", vec![]), "M"));
        assert!(returns_self(
            &path("Result", vec![path("Self", vec![]), path("Error", vec![])]),
            "M"
        ));
        assert!(!returns_self(&path("MBuilder", vec![]), "M"));
        assert!(!returns_self(&path("Vec", vec![path("M", vec![])]), "M"));
        assert!(returns_self(
            &path("CollectionResult", vec![path("Self", vec![])]),
            "M"
        ));
    }
}
