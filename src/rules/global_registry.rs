//! `ssot::global-registry` — see `rules/global-registry.toml` for what it finds and why.
//!
//! A process-global collection that gains or loses entries at run time (behind a lock,
//! `static mut`, or a concurrent map), in any static form; a global collection of managed
//! instances even if it never changes; and link-time registries any module can add to
//! (`inventory::collect!`, `#[distributed_slice]` declarations, maps read from them or
//! filled from `#[ctor]` fns). Error when keyed per user/session/connection and holding
//! managed instances, warning otherwise.

use super::classify::statics::{subject, StaticSite, Workspace};
use super::classify::{
    classify_static, init_from_link_registry, is_instrumentation_name, is_user_keyed, Class, Holds,
    RegistryInfo,
};
use super::RuleCtx;
use crate::facts::{MacroRegistry, StaticOrigin, Ty};
use crate::finding::{Finding, Level};
use crate::index::FileRole;
use crate::source::FileId;
use std::collections::HashMap;

pub const ID: &str = "global-registry";

const HELP: &str = "keep the collection inside a per-user instance or the app state, created \
     at start-up and passed by injection, so its entries live and die with their owner and \
     every lookup goes through that instance";

pub fn check(ctx: &RuleCtx) -> Vec<Finding> {
    let ws = Workspace::new(ctx.index, ctx.config);
    let ctor_fills = ctor_fills(&ws);
    let link_slices: Vec<&str> = ws
        .statics
        .iter()
        .filter(|s| is_slice_declaration(s))
        .map(|s| s.site.item.name.as_str())
        .collect();
    let mut findings: Vec<Finding> = ws
        .statics
        .iter()
        .filter_map(|s| static_finding(&ws, s, &ctor_fills, &link_slices))
        .collect();
    findings.extend(collected_registry_findings(&ws));
    findings
}

/// Statics named in the bodies of `#[ctor]` fns, with the fn that fills them.
fn ctor_fills<'a>(ws: &Workspace<'a>) -> HashMap<&'a str, &'a str> {
    let mut fills = HashMap::new();
    for f in ws.fns.iter().filter(|f| f.site.item.attrs.ctor) {
        for path in &f.info.body.static_like_paths {
            if let Some(name) = path.last() {
                fills
                    .entry(name.as_str())
                    .or_insert(f.site.item.name.as_str());
            }
        }
    }
    fills
}

fn static_finding(
    ws: &Workspace<'_>,
    s: &StaticSite<'_>,
    ctor_fills: &HashMap<&str, &str>,
    link_slices: &[&str],
) -> Option<Finding> {
    let item = s.site.item;
    if s.info.origin == StaticOrigin::TaskLocal
        || item.attrs.global_allocator
        || is_instrumentation_name(&item.name)
    {
        return None;
    }
    if item.attrs.distributed_slice {
        return distributed_slice_finding(ws, s);
    }
    let env = ws.env_for(s.site);
    let Class::Registry(reg) = classify_static(s.info, &env) else {
        return None;
    };
    let link_fed = init_from_link_registry(s.info)
        || link_slices
            .iter()
            .any(|slice| mentions_word(&s.info.init_text, slice));
    let ctor_fn = ctor_fills.get(item.name.as_str()).copied();
    let holds_managed = matches!(reg.holds, Holds::Managed(_));
    // A per-thread list or set of plain data is a scratch buffer (results a callback
    // collects, a visited set), not entries anyone registers.
    if s.info.origin == StaticOrigin::ThreadLocal && reg.key.is_none() && reg.holds == Holds::Data {
        return None;
    }
    // An immutable table of data built once is a constant, not a registry.
    if !(reg.grows || link_fed || ctor_fn.is_some() || holds_managed) {
        return None;
    }
    let user_keyed = is_user_keyed(reg.key.as_ref(), &item.name, &env);
    let level = if user_keyed && holds_managed {
        Level::Error
    } else {
        Level::Warning
    };
    let how = if let Some(f) = ctor_fn {
        format!("is filled at start-up from `#[ctor]` fn `{f}`, so any module can add to it")
    } else if link_fed {
        "is built from a link-time registry that any crate can add to".to_string()
    } else if reg.grows {
        "gains and loses entries at run time".to_string()
    } else {
        "is built once".to_string()
    };
    let why = why_text(&reg, user_keyed);
    let message = format!(
        "{subject} is a process-global `{collection}` that {contents} and {how}: {why}",
        subject = subject(s),
        collection = reg.collection,
        contents = contents(&reg),
    );
    let mut finding = Finding::new(ID, level, s.site.file, item.name_span, message)
        .help(HELP)
        .item_path(ws.item_path(s.site));
    if let Holds::Managed(m) = &reg.holds {
        if let Some(def) = ws.type_def_site(m) {
            finding = finding.related(
                def.file,
                def.item.name_span,
                format!("`{}` is defined here", def.item.name),
            );
        }
    }
    Some(finding)
}

/// `#[distributed_slice] static HANDLERS: [Handler];` declares a link-time registry; its
/// elements (`#[distributed_slice(HANDLERS)] static X: Handler = ..`) carry the attribute
/// too but have a plain type.
fn is_slice_declaration(s: &StaticSite<'_>) -> bool {
    s.site.item.attrs.distributed_slice && matches!(s.info.ty, Ty::Slice(_))
}

/// `name` occurs in `text` as a whole word.
fn mentions_word(text: &str, name: &str) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(name).any(|(i, _)| {
        !text[..i].chars().next_back().is_some_and(is_word)
            && !text[i + name.len()..].chars().next().is_some_and(is_word)
    })
}

fn distributed_slice_finding(ws: &Workspace<'_>, s: &StaticSite<'_>) -> Option<Finding> {
    let Ty::Slice(elem) = &s.info.ty else {
        return None;
    };
    let message = format!(
        "`{name}` is a link-time registry (`#[distributed_slice]`) of `{elem}`: any module of \
         any crate linked in can add entries, so what is registered is global state that no \
         instance owns and no reader can see in one place",
        name = s.site.item.name,
        elem = elem.display(),
    );
    Some(
        Finding::new(
            ID,
            Level::Warning,
            s.site.file,
            s.site.item.name_span,
            message,
        )
        .help(REGISTRATION_HELP)
        .item_path(ws.item_path(s.site)),
    )
}

const REGISTRATION_HELP: &str = "register implementations explicitly where the app state is \
     built (a list or map owned by that instance) and pass it by injection";

fn collected_registry_findings<'a>(ws: &'a Workspace<'a>) -> impl Iterator<Item = Finding> + 'a {
    let index = ws.index;
    ws.files.iter().flat_map(move |&file| {
        let f = index.file(file);
        let test_file = f.in_test
            || matches!(f.role, FileRole::Module { krate, .. } if index.krate(krate).is_test);
        f.facts
            .collected_registries
            .iter()
            .filter(move |r| ws.config.include_tests || !(r.in_test || test_file))
            .map(move |r| collected_registry_finding(ws, file, r))
    })
}

fn collected_registry_finding(ws: &Workspace<'_>, file: FileId, r: &MacroRegistry) -> Finding {
    let ty = r.ty.display();
    let message = format!(
        "`{macro_path}!({ty})` declares a link-time registry: any module of any crate linked in \
         can add a `{ty}` to it, so what is registered is global state that no instance owns \
         and no reader can see in one place",
        macro_path = r.macro_path,
    );
    let module = ws
        .index
        .module_at(file, &r.scope)
        .map(|m| ws.index.module_path(m))
        .unwrap_or_default();
    Finding::new(ID, Level::Warning, file, r.span, message)
        .help(REGISTRATION_HELP)
        .item_path(format!("{module}::{}!({ty})", r.macro_path))
}

/// "maps `UserId` to `Arc<WebSocketManager>`" / "holds `Sender<Event>` values".
fn contents(reg: &RegistryInfo) -> String {
    match (&reg.key, &reg.value) {
        (Some(k), Some(v)) => format!("maps `{}` to `{}`", k.display(), v.display()),
        (None, Some(v)) => format!("holds `{}` values", v.display()),
        _ => "holds values".to_string(),
    }
}

fn why_text(reg: &RegistryInfo, user_keyed: bool) -> String {
    match (&reg.holds, user_keyed) {
        (Holds::Managed(m), true) => format!(
            "every user's `{m}` sits in one process-wide map, so instances leak between users, \
             outlive their sessions, and a second registry elsewhere means two `{m}`s per user"
        ),
        (Holds::Managed(m), false) => format!(
            "`{m}` instances live in one process-wide collection shared by every user instead \
             of belonging to the user or app state that created them"
        ),
        (_, true) => "per-user entries live in one process-wide map: what one user's request \
             adds is visible to all, and nothing removes it when the user or session ends"
            .to_string(),
        _ => "it is process-wide mutable state shared by every user and request: entries one \
             request adds are visible to all, and nothing ties their lifetime to an owner"
            .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::facts::{Item, StaticOrigin};
    use crate::finding::Level::{self, Error, Warning};
    use crate::rules::classify::testkit::*;

    fn with(items: Vec<Item>) -> Vec<(String, Level)> {
        run(check, facts(items))
    }

    fn manager() -> Item {
        struct_item("WebSocketManager")
    }

    #[test]
    fn per_user_registries_of_managers_are_errors() {
        let mut lazy = static_item(
            "USER_MANAGERS",
            "RwLock<HashMap<Uuid, Box<WebSocketManager>>>",
        );
        static_info(&mut lazy).origin = StaticOrigin::LazyStatic;
        let mut tl = static_item(
            "CONN_MANAGERS",
            "RefCell<HashMap<ConnectionId, Arc<WebSocketManager>>>",
        );
        static_info(&mut tl).origin = StaticOrigin::ThreadLocal;
        let got = with(vec![
            manager(),
            static_item("MANAGERS", "Lazy<DashMap<UserId, Arc<WebSocketManager>>>"),
            static_item(
                "SESSIONS",
                "Lazy<Mutex<HashMap<String, Weak<WebSocketManager>>>>",
            ),
            lazy,
            tl,
        ]);
        assert_eq!(got.len(), 4, "{got:?}");
        assert!(got.iter().all(|(_, l)| *l == Error), "{got:?}");
    }

    #[test]
    fn other_growing_collections_are_warnings() {
        let mut jobs = static_item("JOBS", "Vec<Job>");
        static_info(&mut jobs).mutable = true;
        let got = with(vec![
            manager(),
            static_item(
                "PEERS",
                "Lazy<Mutex<HashMap<SocketAddr, UnboundedSender<String>>>>",
            ),
            static_item("CACHE", "Lazy<moka::sync::Cache<UserId, Arc<Profile>>>"),
            static_item("SEEN", "Lazy<Mutex<HashSet<String>>>"),
            static_item("POOL", "Lazy<Vec<Arc<WebSocketManager>>>"),
            // keyed by a job id: managed values, but not per user
            static_item(
                "BY_JOB",
                "Lazy<Mutex<HashMap<JobId, Arc<WebSocketManager>>>>",
            ),
            jobs,
        ]);
        assert_eq!(got.len(), 6, "{got:?}");
        assert!(got.iter().all(|(_, l)| *l == Warning), "{got:?}");
    }

    #[test]
    fn link_time_registries() {
        let mut decl = static_item("HANDLERS", "[fn(&str) -> String]");
        decl.attrs.distributed_slice = true;
        let mut element = static_item("ECHO", "fn(&str) -> String");
        element.attrs.distributed_slice = true;
        let mut by_name = static_item("BY_NAME", "Lazy<HashMap<&'static str, &'static Plugin>>");
        static_info(&mut by_name).init_text =
            "Lazy::new(|| inventory::iter::<Plugin>.into_iter().collect())".into();
        let mut from_slice = static_item("HANDLER_MAP", "Lazy<HashMap<&'static str, Handler>>");
        static_info(&mut from_slice).init_text = "Lazy::new(|| HANDLERS.iter().collect())".into();
        let mut codecs = static_item("CODECS", "Lazy<Mutex<HashMap<&'static str, Codec>>>");
        static_info(&mut codecs).init_text = "Default::default()".into();
        let mut ctor = fn_item("register", &[], None);
        ctor.attrs.ctor = true;
        fn_info(&mut ctor).body.static_like_paths = vec![vec!["CODECS".into()]];
        let mut f = facts(vec![decl, element, by_name, from_slice, codecs, ctor]);
        f.collected_registries.push(collected("Plugin"));
        let got = run(check, f);
        let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "BY_NAME",
                "CODECS",
                "HANDLERS",
                "HANDLER_MAP",
                "fixture::inventory::collect!(Plugin)"
            ]
        );
    }

    #[test]
    fn silent_cases() {
        let mut in_test = static_item(
            "TEST_MAP",
            "Lazy<Mutex<HashMap<u64, Arc<WebSocketManager>>>>",
        );
        in_test.in_test = true;
        let mut buf = static_item("BUF", "RefCell<Vec<u8>>");
        static_info(&mut buf).origin = StaticOrigin::ThreadLocal;
        let mut scratch = static_item("SCRATCH", "[u8; 1024]");
        static_info(&mut scratch).mutable = true;
        let mut f = facts(vec![
            manager(),
            in_test,
            buf,
            scratch,
            static_item("ROUTES", "Lazy<HashMap<&'static str, Handler>>"),
            static_item("DESCRIPTORS", "&'static [Descriptor]"),
            static_item("KEYWORDS", "Lazy<HashSet<&'static str>>"),
            static_item("COUNTERS", "Lazy<Mutex<HashMap<String, IntCounter>>>"),
            static_item("MEMO", "Lazy<moka::sync::Cache<(), Arc<Vec<Row>>>>"),
            static_item("MIME", "phf::Map<&'static str, &'static str>"),
            static_item("WS", "Lazy<Mutex<WebSocketManager>>"),
        ]);
        let mut test_registry = collected("Plugin");
        test_registry.in_test = true;
        f.collected_registries.push(test_registry);
        assert_eq!(run(check, f), []);
    }
}
