//! `ssot::singleton-manager` — see `rules/singleton-manager.toml` for what it finds and why.
//!
//! Every static, in every form the facts record (module level, fn body, impl fn body,
//! `lazy_static!`, `thread_local!`, macro-generated), is classified by
//! [`classify`](super::classify); a managed type is an error, another stateful service a
//! warning. Collections belong to `global-registry`, so one static gives at most one of
//! the two findings.

use super::classify::statics::{subject, StaticSite, Workspace};
use super::classify::{
    classify_static, is_instrumentation_name, peel, Class, ManagedHit, ServiceHit, ServiceKind,
};
use super::RuleCtx;
use crate::facts::{StaticOrigin, Ty};
use crate::finding::{Finding, Level};
use std::collections::HashSet;

pub const ID: &str = "singleton-manager";

pub fn check(ctx: &RuleCtx) -> Vec<Finding> {
    let ws = Workspace::new(ctx.index, ctx.config);
    let loggers = logger_types(&ws);
    ws.statics
        .iter()
        .filter(|s| !is_logger(&ws, s, &loggers))
        .filter_map(|s| finding_for(&ws, s))
        .collect()
}

/// Types with an `impl log::Log for T`: `log::set_logger` needs a `&'static` one, so a
/// static of such a type is required plumbing, whatever the type is called.
fn logger_types<'a>(ws: &Workspace<'a>) -> HashSet<&'a str> {
    ws.files
        .iter()
        .flat_map(|f| ws.index.file(*f).facts.impls.iter())
        .filter(|i| i.trait_.as_ref().and_then(Ty::last_name) == Some("Log"))
        .filter_map(|i| i.self_ty.last_name())
        .collect()
}

fn is_logger(ws: &Workspace<'_>, s: &StaticSite<'_>, loggers: &HashSet<&str>) -> bool {
    let core = peel(&s.info.ty, &ws.env_for(s.site)).core;
    core.last_name().is_some_and(|n| loggers.contains(n))
}

fn finding_for(ws: &Workspace<'_>, s: &StaticSite<'_>) -> Option<Finding> {
    let item = s.site.item;
    // Task-locals are per task (what per-request state should be); allocators, and the
    // elements/declarations of link-time slices, are not values anybody shares state through.
    if s.info.origin == StaticOrigin::TaskLocal
        || item.attrs.global_allocator
        || item.attrs.distributed_slice
        || is_instrumentation_name(&item.name)
    {
        return None;
    }
    let env = ws.env_for(s.site);
    let subject = subject(s);
    let (level, message, help, defined_at) = match classify_static(s.info, &env) {
        Class::Managed(hit) => {
            let (message, help) = managed_text(s, &subject, &hit);
            // Per-thread is still global, but one step removed: a warning by default.
            let level = if s.info.origin == StaticOrigin::ThreadLocal {
                Level::Warning
            } else {
                Level::Error
            };
            (level, message, help, ws.type_def_site(&hit.name))
        }
        Class::Service(hit) => {
            let (message, help) = service_text(s, &subject, &hit);
            (Level::Warning, message, help, None)
        }
        Class::Registry(_) | Class::Harmless(_) => return None,
    };
    let mut finding = Finding::new(ID, level, s.site.file, item.name_span, message)
        .help(help)
        .item_path(ws.item_path(s.site));
    if let Some(def) = defined_at {
        finding = finding.related(
            def.file,
            def.item.name_span,
            format!("`{}` is defined here", def.item.name),
        );
    }
    Some(finding)
}

fn managed_text(s: &StaticSite<'_>, subject: &str, hit: &ManagedHit) -> (String, String) {
    let managed = &hit.name;
    let sharing = if s.info.origin == StaticOrigin::ThreadLocal {
        format!(
            "each thread gets one `{managed}` that every task scheduled on it shares, and async \
             tasks move between threads"
        )
    } else {
        format!("every user and session shares this one `{managed}`")
    };
    let message = format!(
        "{subject} holds a process-global `{managed}` (`{ty}`): {sharing}, so one user's \
         state and events can reach another's, and callers depend on a hidden global instead \
         of the instance they were given",
        ty = s.info.ty.display(),
    );
    let help = format!(
        "create `{managed}` instances per user through a factory that takes the user context \
         (e.g. `factory.create_for(&ctx)`) and pass them by injection (function arguments, \
         app state) instead of reaching for a global"
    );
    (message, help)
}

fn service_text(s: &StaticSite<'_>, subject: &str, hit: &ServiceHit) -> (String, String) {
    let what = hit.kind.describe();
    let why = match hit.kind {
        ServiceKind::RuntimeConfig => {
            "a change made while serving one request is seen by every user mid-flight, and \
             nothing says who may write it"
        }
        ServiceKind::Channel | ServiceKind::EventBus => {
            "every user's events flow through this one handle, so a message meant for one \
             user can reach another's listener"
        }
        ServiceKind::Cache | ServiceKind::RateLimiter => {
            "its entries are shared by every user, and nothing ties their lifetime to a user \
             or session"
        }
        _ => {
            "it is shared by every user and request, the state it keeps (connections, \
             sessions, queues) is not isolated per user, and callers cannot be given another \
             instance"
        }
    };
    let thread_note = if s.info.origin == StaticOrigin::ThreadLocal {
        " (one per thread, and async tasks move between threads, so it is still shared)"
    } else {
        ""
    };
    let message = format!(
        "{subject} is a process-global {what} (`{ty}`){thread_note}: {why}",
        ty = s.info.ty.display(),
    );
    let help = if hit.kind == ServiceKind::RuntimeConfig {
        "load the configuration once at start-up and pass it by injection; publish changes as \
         a new value through a handle owned by the app state"
            .to_string()
    } else {
        "create it once at start-up, keep it in the application state, and pass it by \
         injection (function arguments, app state); per-user parts belong in per-user \
         instances built by a factory that takes the user context"
            .to_string()
    };
    (message, help)
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::facts::{StaticOrigin, UseLeaf};
    use crate::finding::Level::{Error, Warning};
    use crate::rules::classify::testkit::*;

    fn with(items: Vec<crate::facts::Item>) -> Vec<(String, crate::finding::Level)> {
        run(check, facts(items))
    }

    fn manager() -> crate::facts::Item {
        struct_item("WebSocketManager")
    }

    fn found(name: &str, level: crate::finding::Level) -> Vec<(String, crate::finding::Level)> {
        vec![(name.to_string(), level)]
    }

    #[test]
    fn managed_statics_in_every_form_are_errors() {
        let mut lazy = static_item("MANAGER", "RwLock<WebSocketManager>");
        static_info(&mut lazy).origin = StaticOrigin::LazyStatic;
        let mut mac = static_item("MACRO_WS", "Lazy<WebSocketManager>");
        static_info(&mut mac).origin = StaticOrigin::MacroGenerated;
        let mut static_mut = static_item("HUB", "Option<WebSocketManager>");
        static_info(&mut static_mut).mutable = true;
        let local = inside_fn(
            static_item("INSTANCE", "OnceLock<WebSocketManager>"),
            "global",
        );
        let got = with(vec![
            manager(),
            static_item("WS", "Lazy<Mutex<WebSocketManager>>"),
            lazy,
            mac,
            static_mut,
            local,
        ]);
        let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["HUB", "INSTANCE", "MACRO_WS", "MANAGER", "WS"]);
        assert!(got.iter().all(|(_, l)| *l == Error));
    }

    #[test]
    fn thread_locals_are_warnings() {
        let mut tl = static_item("MANAGER", "RefCell<Option<WebSocketManager>>");
        static_info(&mut tl).origin = StaticOrigin::ThreadLocal;
        assert_eq!(with(vec![manager(), tl]), found("MANAGER", Warning));
    }

    #[test]
    fn services_are_warnings() {
        assert_eq!(
            with(vec![static_item("HTTP", "Lazy<reqwest::Client>")]),
            found("HTTP", Warning)
        );
        assert_eq!(
            with(vec![static_item("CFG", "Lazy<RwLock<Config>>")]),
            found("CFG", Warning)
        );
    }

    #[test]
    fn never_reported() {
        let mut alloc = static_item("GLOBAL", "GlobalEngine");
        alloc.attrs.global_allocator = true;
        let mut task = static_item("CURRENT", "Arc<WebSocketManager>");
        static_info(&mut task).origin = StaticOrigin::TaskLocal;
        let mut in_test = static_item("FIXTURE", "OnceLock<WebSocketManager>");
        in_test.in_test = true;
        let mut element = static_item("ECHO", "WebSocketManager");
        element.attrs.distributed_slice = true;
        let got = with(vec![
            manager(),
            struct_item("GlobalEngine"),
            alloc,
            task,
            in_test,
            element,
            static_item("RE", "Lazy<Regex>"),
            static_item("N", "AtomicU64"),
            static_item("DEFAULTS", "LazyLock<WebSocketManagerConfig>"),
            static_item("CONFIG", "OnceLock<Config>"),
            static_item("LAZY", "Lazy"),
            static_item("MAP", "Lazy<DashMap<UserId, Arc<WebSocketManager>>>"),
        ]);
        assert_eq!(got, []);
    }

    #[test]
    fn loggers_are_allowed_but_not_what_else_the_logger_setup_touches() {
        let mut init = fn_item("main", &[], None);
        fn_info(&mut init).body.sets_logger = true;
        fn_info(&mut init).body.static_like_paths =
            vec![vec!["LOGGER".into()], vec!["FALLBACK".into()]];
        let mut f = facts(vec![
            struct_item("LogHub"),
            static_item("LOGGER", "LogHub"),
            static_item("FALLBACK", "Lazy<WebSocketManager>"),
            manager(),
            init,
        ]);
        f.impls.push(impl_block("LogHub", Some("log::Log")));
        assert_eq!(run(check, f), found("FALLBACK", Error));
    }

    #[test]
    fn third_party_types_named_like_managers_are_services() {
        let mut f = facts(vec![static_item("REDIS", "OnceCell<ConnectionManager>")]);
        let leaf: UseLeaf = use_leaf("redis::aio::ConnectionManager");
        f.uses.push(leaf);
        assert_eq!(run(check, f), found("REDIS", Warning));
        // ... and a metric registry imported by name is no finding at all.
        let mut f = facts(vec![static_item("METRICS", "Lazy<Registry>")]);
        f.uses.push(use_leaf("prometheus::Registry"));
        assert_eq!(run(check, f), []);
    }

    #[test]
    fn aliases_of_managed_types_are_followed() {
        let got = with(vec![
            manager(),
            alias_item("SharedWs", "Arc<RwLock<WebSocketManager>>"),
            static_item("SHARED", "OnceLock<SharedWs>"),
        ]);
        assert_eq!(got, found("SHARED", Error));
    }
}
