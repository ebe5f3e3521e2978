//! `ssot::singleton-accessor` — see `rules/singleton-accessor.toml` for what it finds and why.
//!
//! A fn without a receiver and without a user-context parameter that returns a shared
//! handle (`&'static T`, `Arc<T>`, a `'static` guard, optionally inside `Option`/`Result`)
//! to a managed type or stateful service, and whose body takes it from a global: a static
//! declared in its body, a static it names, or `Box::leak`.

use super::classify::statics::{FnSite, StaticSite, Workspace};
use super::classify::{classify, classify_static, peel, Class};
use super::RuleCtx;
use crate::facts::{StaticOrigin, Ty};
use crate::finding::{Finding, Level};
use crate::index::FileRole;

pub const ID: &str = "singleton-accessor";

/// Return wrappers that hand out a shared handle; `args[0]` is what they share.
const SHARED_HANDLES: &[&str] = &[
    "Arc",
    "Rc",
    "MutexGuard",
    "RwLockReadGuard",
    "RwLockWriteGuard",
    "MappedMutexGuard",
    "MappedRwLockReadGuard",
    "MappedRwLockWriteGuard",
    "ReentrantMutexGuard",
    "ArcMutexGuard",
    "OwnedMutexGuard",
    "OwnedRwLockReadGuard",
    "OwnedRwLockWriteGuard",
    // `arc_swap::Guard<Arc<T>>`
    "Guard",
];

/// Return wrappers looked through to find the handle.
const FALLIBLE: &[&str] = &["Option", "Result"];

/// Parameter names that carry the user context.
const CONTEXT_PARAM_NAMES: &[&str] = &["ctx", "context", "user_ctx", "user_context"];

/// Parameter type name suffixes that carry the user context.
const CONTEXT_TYPE_SUFFIXES: &[&str] = &["Context", "Ctx"];

pub fn check(ctx: &RuleCtx) -> Vec<Finding> {
    let ws = Workspace::new(ctx.index, ctx.config);
    ws.fns.iter().filter_map(|f| finding_for(&ws, *f)).collect()
}

/// Where the shared instance comes from.
enum Source<'a> {
    Static(StaticSite<'a>),
    BoxLeak,
}

fn finding_for<'a>(ws: &'a Workspace<'a>, f: FnSite<'a>) -> Option<Finding> {
    let info = f.info;
    // Getters on `&self` hand out what an injected instance owns.
    if info.receiver.is_some() {
        return None;
    }
    let ret = info.ret.as_ref()?;
    // Without a static named in its body or a `Box::leak`, there is no global to hand out.
    let body = &info.body;
    if body.local_statics.is_empty() && body.static_like_paths.is_empty() && !body.box_leak {
        return None;
    }
    let self_ty = info.impl_of.as_ref().map(|i| &i.self_ty);
    let ret = substitute_self(ret, self_ty);
    let env = ws.env_for(f.site);
    // A shared handle (`&'static T`, `Arc<T>`, a guard), or a handle type returned by value
    // (`fn global() -> Self { GLOBAL.clone() }` over a cheap-to-clone `Arc` inside).
    let (target, by_value) = match shared_target(&ret) {
        Some(t) => (t, false),
        None => (owned_target(&ret), true),
    };
    let class = classify(target, false, &env);
    if !class.is_singleton() || has_context_param(ws, f) {
        return None;
    }
    let source = global_source(ws, f, target, &env)?;
    if by_value && matches!(source, Source::BoxLeak) {
        return None;
    }
    let (what, level) = match &class {
        Class::Managed(hit) => (format!("`{}`", hit.name), Level::Error),
        Class::Service(hit) => (
            format!("{} `{}`", hit.kind.describe(), hit.ty.display()),
            Level::Warning,
        ),
        _ => return None,
    };
    let name = &f.site.item.name;
    let from = match &source {
        Source::Static(s) => format!("the static `{}`", s.site.item.name),
        Source::BoxLeak => "a `Box::leak`ed value".to_string(),
    };
    let message = format!(
        "`{name}` hands out the process-global {what} from {from} (returns `{ret}`) without \
         taking a user context: every caller, whatever user it serves, gets the same instance, \
         so per-user state is shared and callers cannot be given their own",
        ret = ret.display(),
    );
    let help = match &class {
        Class::Managed(hit) => format!(
            "take the user context as a parameter and return a per-user `{}` built by a \
             factory (e.g. `factory.create_for(&ctx)`), or receive the instance by injection \
             instead of fetching it",
            hit.name
        ),
        _ => "receive the instance by injection (function arguments, app state) instead of \
              fetching it from a global"
            .to_string(),
    };
    let mut finding = Finding::new(ID, level, f.site.file, f.site.item.name_span, message)
        .help(help)
        .item_path(ws.item_path(f.site));
    if let Source::Static(s) = source {
        finding = finding.related(
            s.site.file,
            s.site.item.name_span,
            "global instance is here",
        );
    }
    Some(finding)
}

/// `Self` in a return type means the impl's self type.
fn substitute_self(ty: &Ty, self_ty: Option<&Ty>) -> Ty {
    match (ty, self_ty) {
        (Ty::Path { segments, args }, Some(self_ty))
            if segments.len() == 1 && segments[0] == "Self" =>
        {
            if args.is_empty() {
                self_ty.clone()
            } else {
                ty.clone()
            }
        }
        (Ty::Path { segments, args }, _) => Ty::Path {
            segments: segments.clone(),
            args: args.iter().map(|a| substitute_self(a, self_ty)).collect(),
        },
        (
            Ty::Ref {
                lifetime,
                mutable,
                inner,
            },
            _,
        ) => Ty::Ref {
            lifetime: lifetime.clone(),
            mutable: *mutable,
            inner: Box::new(substitute_self(inner, self_ty)),
        },
        _ => ty.clone(),
    }
}

/// The value a returned shared handle points at: `&'static T`, `Arc<T>`, a guard, each
/// possibly inside `Option`/`Result`.
fn shared_target(ret: &Ty) -> Option<&Ty> {
    match ret {
        Ty::Ref {
            lifetime, inner, ..
        } if lifetime.as_deref() == Some("static") => Some(inner),
        Ty::Path { segments, args } => {
            let name = segments.last()?.as_str();
            if FALLIBLE.contains(&name) {
                shared_target(args.first()?)
            } else if SHARED_HANDLES.contains(&name) {
                args.first()
            } else {
                None
            }
        }
        _ => None,
    }
}

/// The value a by-value return hands out: `T`, `Option<T>`, `Result<T, E>`.
fn owned_target(ret: &Ty) -> &Ty {
    let mut cur = ret;
    for _ in 0..4 {
        match cur {
            Ty::Path { segments, args }
                if segments
                    .last()
                    .is_some_and(|n| FALLIBLE.contains(&n.as_str())) =>
            {
                match args.first() {
                    Some(inner) => cur = inner,
                    None => break,
                }
            }
            _ => break,
        }
    }
    cur
}

/// The static holds what the fn returns (`SLOT: OnceLock<Arc<M>>` for `-> &'static M`):
/// a fn that merely consults some other global (a runtime, a regex) while it builds or
/// looks up what it returns hands out nothing global.
fn holds_returned(
    ws: &Workspace<'_>,
    s: &StaticSite<'_>,
    target: &Ty,
    env: &dyn super::classify::TypeEnv,
) -> bool {
    let held = peel(&s.info.ty, &ws.env_for(s.site)).core;
    let returned = peel(target, env).core;
    held.last_name().is_some() && held.last_name() == returned.last_name()
}

/// A parameter that carries the user context: named `ctx`/`context`, typed `*Context`/`*Ctx`,
/// or typed as a configured concept's context type.
fn has_context_param(ws: &Workspace<'_>, f: FnSite<'_>) -> bool {
    let env = ws.env_for(f.site);
    f.info.params.iter().any(|p| {
        let name = p.name.trim_start_matches('_');
        if CONTEXT_PARAM_NAMES.contains(&name) || name.ends_with("_ctx") {
            return true;
        }
        let core = peel(&p.ty, &env).core;
        core.last_name().is_some_and(|t| {
            ws.context_names.contains(t) || CONTEXT_TYPE_SUFFIXES.iter().any(|s| t.ends_with(s))
        })
    })
}

/// The global the body takes the instance from, if any: a singleton static declared in the
/// body or named by it, else `Box::leak`.
fn global_source<'a>(
    ws: &'a Workspace<'a>,
    f: FnSite<'a>,
    target: &Ty,
    env: &dyn super::classify::TypeEnv,
) -> Option<Source<'a>> {
    let is_singleton_static = |s: &StaticSite<'a>| {
        s.info.origin != StaticOrigin::TaskLocal
            && holds_returned(ws, s, target, env)
            && classify_static(s.info, &ws.env_for(s.site)).is_singleton()
    };
    if let Some(s) = ws.local_statics(f).into_iter().find(is_singleton_static) {
        return Some(Source::Static(s));
    }
    for path in &f.info.body.static_like_paths {
        if let Some(s) = visible_statics(ws, f, path)
            .into_iter()
            .find(is_singleton_static)
        {
            return Some(Source::Static(s));
        }
    }
    // A fn that leaks what it builds from its arguments is a constructor of a `'static`
    // instance the caller then passes on, not a way to reach a shared one.
    (f.info.body.box_leak && f.info.params.is_empty()).then_some(Source::BoxLeak)
}

/// The statics a path written in `f`'s body can mean: fn-local statics only from this fn's
/// body; module-level ones preferring the same file, then the same crate.
fn visible_statics<'a>(
    ws: &'a Workspace<'a>,
    f: FnSite<'a>,
    path: &[String],
) -> Vec<StaticSite<'a>> {
    let mut body_scope = f.site.item.scope.clone();
    body_scope.push(crate::facts::ScopeSeg::Fn(f.site.item.name.clone()));
    let candidates: Vec<StaticSite<'a>> = ws
        .statics_named(path)
        .into_iter()
        .filter(|s| {
            !s.site.item.in_fn_body
                || (s.site.file == f.site.file && s.site.item.scope.starts_with(&body_scope))
        })
        .collect();
    let same_file: Vec<StaticSite<'a>> = candidates
        .iter()
        .copied()
        .filter(|s| s.site.file == f.site.file)
        .collect();
    if !same_file.is_empty() {
        return same_file;
    }
    let krate_of = |file| match ws.index.file(file).role {
        FileRole::Module { krate, .. } => Some(krate),
        FileRole::Config => None,
    };
    let here = krate_of(f.site.file);
    let same_crate: Vec<StaticSite<'a>> = candidates
        .iter()
        .copied()
        .filter(|s| krate_of(s.site.file) == here)
        .collect();
    if same_crate.is_empty() {
        candidates
    } else {
        same_crate
    }
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::facts::{Item, Receiver};
    use crate::finding::Level::{self, Error, Warning};
    use crate::rules::classify::testkit::*;

    fn with(items: Vec<Item>) -> Vec<(String, Level)> {
        run(check, facts(items))
    }

    fn manager() -> Item {
        struct_item("WebSocketManager")
    }

    /// `fn name(params) -> ret { .. NAMED .. }`
    fn reading(name: &str, params: &[(&str, &str)], ret: &str, statics: &[&str]) -> Item {
        let mut f = fn_item(name, params, Some(ret));
        fn_info(&mut f).body.static_like_paths = statics
            .iter()
            .map(|s| s.split("::").map(str::to_string).collect())
            .collect();
        f
    }

    #[test]
    fn fn_local_static_behind_an_impl_accessor() {
        let mut global = in_impl(
            fn_item("global", &[], Some("&'static Self")),
            "WebSocketManager",
            None,
        );
        fn_info(&mut global).body.local_statics = vec!["INSTANCE".into()];
        let mut instance = static_item("INSTANCE", "OnceLock<WebSocketManager>");
        instance.scope = vec![
            crate::facts::ScopeSeg::Impl("WebSocketManager".into()),
            crate::facts::ScopeSeg::Fn("global".into()),
        ];
        instance.in_fn_body = true;
        let got = with(vec![manager(), global, instance]);
        assert_eq!(got, [("global".to_string(), Error)]);
    }

    #[test]
    fn every_shared_handle_shape() {
        let got = with(vec![
            manager(),
            struct_item("SessionManager"),
            static_item("SHARED", "Lazy<Arc<WebSocketManager>>"),
            static_item("SESSION", "Lazy<Mutex<SessionManager>>"),
            static_item("SLOT", "OnceLock<WebSocketManager>"),
            reading("shared", &[], "Arc<WebSocketManager>", &["SHARED"]),
            reading(
                "lock",
                &[],
                "MutexGuard<'static, SessionManager>",
                &["SESSION"],
            ),
            reading(
                "try_get",
                &[],
                "Option<&'static WebSocketManager>",
                &["SLOT"],
            ),
            reading(
                "by_path",
                &[],
                "&'static WebSocketManager",
                &["crate::state::SLOT"],
            ),
        ]);
        let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["by_path", "lock", "shared", "try_get"]);
    }

    #[test]
    fn box_leak_and_services() {
        let mut leaked = fn_item("leaked", &[], Some("&'static WebSocketManager"));
        fn_info(&mut leaked).body.box_leak = true;
        let got = with(vec![
            manager(),
            leaked,
            static_item("CLIENT", "OnceLock<reqwest::Client>"),
            reading("http", &[], "&'static reqwest::Client", &["CLIENT"]),
        ]);
        assert_eq!(
            got,
            [("http".to_string(), Warning), ("leaked".to_string(), Error)]
        );
    }

    #[test]
    fn silent_cases() {
        let getter = in_impl(
            reading("ws", &[], "Arc<WebSocketManager>", &["SHARED"]),
            "AppState",
            Some(Receiver::Ref),
        );
        let got = with(vec![
            manager(),
            struct_item("UserContext"),
            static_item("SHARED", "Lazy<Arc<WebSocketManager>>"),
            static_item("MANAGERS", "Lazy<DashMap<UserId, Arc<WebSocketManager>>>"),
            static_item("RE", "Lazy<Regex>"),
            getter,
            reading(
                "for_ctx",
                &[("ctx", "&UserContext")],
                "Arc<WebSocketManager>",
                &["SHARED"],
            ),
            reading(
                "for_req",
                &[("r", "&RequestCtx")],
                "Arc<WebSocketManager>",
                &["SHARED"],
            ),
            // a registry lookup: the registry is global-registry's finding
            reading(
                "for_user",
                &[("u", "UserId")],
                "Arc<WebSocketManager>",
                &["MANAGERS"],
            ),
            // a fresh value every call
            fn_item("fresh", &[], Some("Arc<WebSocketManager>")),
            // a global constant
            reading("re", &[], "&'static Regex", &["RE"]),
            // a static that is not the returned instance
            reading("checked", &[], "Arc<WebSocketManager>", &["RE"]),
        ]);
        assert_eq!(got, []);
    }

    #[test]
    fn concept_members_and_their_context_type() {
        let config = concept_config(&["WsConn"], Some("crate::auth::Principal"));
        let items = || {
            vec![
                struct_item("WsConn"),
                static_item("CONN", "Lazy<WsConn>"),
                reading("conn", &[], "&'static WsConn", &["CONN"]),
                reading(
                    "conn_for",
                    &[("who", "&Principal")],
                    "&'static WsConn",
                    &["CONN"],
                ),
            ]
        };
        assert_eq!(
            run_with(check, facts(items()), config),
            [("conn".to_string(), Error)]
        );
        // without the concept, `WsConn` is nobody's managed type
        assert_eq!(with(items()), []);
    }

    #[test]
    fn fn_local_statics_of_other_fns_are_invisible() {
        let other = inside_fn(
            static_item("INSTANCE", "OnceLock<WebSocketManager>"),
            "other",
        );
        let got = with(vec![
            manager(),
            other,
            reading("mine", &[], "&'static WebSocketManager", &["INSTANCE"]),
        ]);
        assert_eq!(got, []);
    }
}
