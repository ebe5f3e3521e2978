//! `ssot::factory-missing-context` — see `rules/factory-missing-context.toml` for what it finds and why.
//!
//! For concepts with a `context` (per-user concepts): a `pub` fn — free, or an inherent
//! associated fn; trait impls such as `Default::default` are the trait's shape, not a factory
//! API — that hands out an owned instance of a member (`M`, `Self`, `Arc<M>`, `Box<M>`,
//! `Result<Arc<M>, E>`, `Option<M>`, `Arc<dyn M>` …) must take the context type as a required
//! parameter (`&Ctx`, `Ctx`, `Arc<Ctx>`); taking it only as `Option<..>` is reported too.
//!
//! Not reported: fns returning a reference (`&M` is a getter of an instance someone else
//! made), methods with a receiver on a member itself (`fn fork(&self) -> Self` derives from
//! an instance that already belongs to a user), methods on the context type itself, fns
//! returning the factory, fns declared inside fn bodies, and test code.

use super::concept::{self, is_test_code, ResolvedConcept};
use super::RuleCtx;
use crate::facts::{FnInfo, ItemDetail, RefKind, ScopeSeg, Ty, Vis};
use crate::finding::{Finding, Level};
use crate::index::{DefId, Index};
use std::collections::HashSet;

const RULE: &str = "factory-missing-context";

pub fn check(ctx: &RuleCtx) -> Vec<Finding> {
    let index = ctx.index;
    let concepts = concept::resolve_all(index, ctx.config);
    let per_user: Vec<(&ResolvedConcept, DefId)> = concepts
        .iter()
        .filter_map(|c| c.context.map(|cx| (c, cx)))
        .filter(|(c, _)| !c.members.is_empty())
        .collect();
    if per_user.is_empty() {
        return Vec::new();
    }
    // Cheap name filter before resolving anything.
    let mut member_names: HashSet<&str> = HashSet::new();
    for (c, _) in &per_user {
        for m in &c.members {
            member_names.insert(index.item(*m).name.as_str());
        }
    }

    let mut out = Vec::new();
    for d in index.def_ids() {
        let item = index.item(d);
        let ItemDetail::Fn(info) = &item.detail else {
            continue;
        };
        if item.vis != Vis::Public
            || item.in_fn_body
            || info.in_trait.is_some()
            || info.impl_of.as_ref().is_some_and(|i| i.trait_.is_some())
        {
            continue;
        }
        let Some(ret) = &info.ret else { continue };
        let returned = returned_types(ret);
        if !returned.iter().any(|t| {
            t.last_name()
                .is_some_and(|n| n == "Self" || member_names.contains(n))
        }) {
            continue;
        }
        let def = index.def(d);
        if is_test_code(index, ctx.config, def.file, Some(def.module), def.in_test) {
            continue;
        }
        let resolve = |t: &Ty| -> Option<DefId> {
            let Ty::Path { segments, .. } = t else {
                return None;
            };
            index
                .resolve_at(def.file, &item.scope, segments, RefKind::Type)
                .and_then(|r| index.resolved_def(&r))
        };
        let self_ty = info.impl_of.as_ref().and_then(|i| resolve(&i.self_ty));
        for (concept, context) in &per_user {
            let Some(member) = returned
                .iter()
                .filter_map(|t| resolve(t))
                .find(|m| concept.is_member(*m))
            else {
                continue;
            };
            // A method of an existing instance (or of the context) already has its user.
            if info.receiver.is_some()
                && self_ty.is_some_and(|s| concept.is_member(s) || s == *context)
            {
                continue;
            }
            let context_param = context_param(index, info, def.file, &item.scope, *context);
            if context_param == Some(Required::Yes) {
                continue;
            }
            out.push(finding(
                index,
                concept,
                d,
                member,
                *context,
                context_param == Some(Required::Optional),
            ));
            break;
        }
    }
    out
}

/// The types a return type hands out: the core type behind owned wrappers, or the traits of
/// `dyn`/`impl` trait objects. A reference hands out nothing new.
fn returned_types(ret: &Ty) -> Vec<&Ty> {
    match concept::peel_owned_wrappers(ret) {
        Ty::TraitObject(bounds) => bounds.iter().collect(),
        Ty::Path { .. } => vec![concept::peel_owned_wrappers(ret)],
        _ => Vec::new(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Required {
    Yes,
    /// Only as `Option<Ctx>`.
    Optional,
}

/// Does the fn take the context type (`&Ctx`, `Ctx`, `Arc<Ctx>`, or only `Option<Ctx>`)?
fn context_param(
    index: &Index,
    info: &FnInfo,
    file: crate::source::FileId,
    scope: &[ScopeSeg],
    context: DefId,
) -> Option<Required> {
    let context_name = index.item(context).name.as_str();
    let is_context = |t: &Ty| -> bool {
        let Ty::Path { segments, .. } = t else {
            return false;
        };
        if segments.last().map(String::as_str) != Some(context_name) {
            // A renamed import of the context type still resolves to it.
            return index
                .resolve_at(file, scope, segments, RefKind::Type)
                .and_then(|r| index.resolved_def(&r))
                == Some(context);
        }
        match index.resolve_at(file, scope, segments, RefKind::Type) {
            Some(r) => index.resolved_def(&r).map_or(true, |d| d == context),
            // Unresolvable (macro-generated, odd scope): the name is the best evidence.
            None => true,
        }
    };
    let mut found = None;
    for p in &info.params {
        let (core, optional) = peel_param(&p.ty);
        if is_context(core) {
            if !optional {
                return Some(Required::Yes);
            }
            found = Some(Required::Optional);
        }
    }
    found
}

/// `&Ctx`, `&mut Ctx`, `Arc<Ctx>`, `Box<Ctx>`, `Option<&Ctx>` → (`Ctx`, went through Option).
fn peel_param(ty: &Ty) -> (&Ty, bool) {
    let mut cur = ty;
    let mut optional = false;
    for _ in 0..16 {
        match cur {
            Ty::Ref { inner, .. } => cur = inner,
            Ty::Path { segments, args } => {
                let last = segments.last().map(String::as_str);
                match (last, args.first()) {
                    (Some("Option"), Some(inner)) => {
                        optional = true;
                        cur = inner;
                    }
                    (Some("Arc" | "Rc" | "Box" | "Cow"), Some(inner)) => cur = inner,
                    _ => break,
                }
            }
            _ => break,
        }
    }
    (cur, optional)
}

fn finding(
    index: &Index,
    concept: &ResolvedConcept,
    f: DefId,
    member: DefId,
    context: DefId,
    optional: bool,
) -> Finding {
    let item = index.item(f);
    let def = index.def(f);
    let member_name = &index.item(member).name;
    let ctx_name = &index.item(context).name;
    let message = if optional {
        format!(
            "`{}` returns a `{member_name}` (a per-user type of concept `{}`) but takes the user context only as an `Option<{ctx_name}>`: callers can leave it out and get an instance that belongs to no particular user",
            item.name, concept.config.name.value
        )
    } else {
        format!(
            "`{}` returns a `{member_name}` (a per-user type of concept `{}`) without taking the user context `{ctx_name}`: every caller gets an instance that belongs to no particular user",
            item.name, concept.config.name.value
        )
    };
    Finding::new(RULE, Level::Error, def.file, item.name_span, message)
        .help(format!(
            "take `&{ctx_name}` as a required parameter and build the instance for that user"
        ))
        .related(
            index.def(member).file,
            index.item(member).name_span,
            "the per-user type",
        )
        .item_path(def.path.clone())
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
    fn r(inner: Ty) -> Ty {
        Ty::Ref {
            lifetime: None,
            mutable: false,
            inner: Box::new(inner),
        }
    }

    #[test]
    fn optional_context_is_told_apart() {
        let ctx = path("UserContext", vec![]);
        assert_eq!(peel_param(&r(ctx.clone())), (&ctx, false));
        assert_eq!(
            peel_param(&path("Option", vec![r(ctx.clone())])),
            (&ctx, true)
        );
        assert_eq!(
            peel_param(&path("std::sync::Arc", vec![ctx.clone()])),
            (&ctx, false)
        );
    }

    #[test]
    fn references_hand_out_nothing_new() {
        let m = path("WebSocketManager", vec![]);
        assert!(returned_types(&r(m.clone())).is_empty());
        assert_eq!(returned_types(&path("Arc", vec![m.clone()])), vec![&m]);
        let dyn_m = Ty::TraitObject(vec![m.clone()]);
        assert_eq!(returned_types(&path("Box", vec![dyn_m])), vec![&m]);
    }
}
