//! Classification on hand-written types: no pipeline needed. Types are written as Rust
//! text and converted by the test kit's small syn → [`Ty`] converter.

use super::testkit::ty;
use super::*;
use crate::facts::StaticOrigin;

fn env() -> NameEnv {
    NameEnv(ManagedNames::defaults())
}

/// A workspace where `use` maps some names, a few types are aliases, and only the listed
/// managed names are workspace types.
struct FakeEnv {
    uses: Vec<(&'static str, &'static str)>,
    aliases: Vec<(&'static str, &'static str)>,
    workspace_types: Vec<&'static str>,
    concept: Vec<&'static str>,
}

impl TypeEnv for FakeEnv {
    fn qualify(&self, written: &[String]) -> Vec<String> {
        match self
            .uses
            .iter()
            .find(|(n, _)| Some(*n) == written.first().map(String::as_str))
        {
            Some((_, full)) => full
                .split("::")
                .map(str::to_string)
                .chain(written[1..].iter().cloned())
                .collect(),
            None => written.to_vec(),
        }
    }
    fn managed(&self, q: &[String]) -> Option<ManagedOrigin> {
        let name = q.last()?.as_str();
        if self.concept.contains(&name) {
            return Some(ManagedOrigin::Concept);
        }
        if !ManagedNames::defaults().is_managed(name) {
            return None;
        }
        let external = q.len() > 1 && q[0] != "crate";
        if self.workspace_types.contains(&name) && !external {
            Some(ManagedOrigin::Workspace)
        } else {
            Some(ManagedOrigin::External)
        }
    }
    fn alias(&self, q: &[String]) -> Option<Ty> {
        let name = q.last()?.as_str();
        self.aliases
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| ty(t))
    }
    fn fields(&self, q: &[String]) -> Option<Vec<Ty>> {
        match q.last()?.as_str() {
            "Cache" => Some(vec![
                ty("Option<CpuSample>"),
                ty("Option<f32>"),
                ty("Option<Instant>"),
            ]),
            "KeyCache" => Some(vec![ty("Vec<PublicKey>"), ty("Option<DateTime<Utc>>")]),
            "TokenCache" => Some(vec![ty("HashMap<UserId, Token>")]),
            "ClientCache" => Some(vec![ty("reqwest::Client"), ty("Instant")]),
            "Board" => Some(vec![ty("DashMap<Code, Issue>")]),
            "Outbox" => Some(vec![ty("Arc<Mutex<UnboundedReceiver<Job>>>"), ty("u64")]),
            "Registrations" => Some(vec![ty("RwLock<HashMap<String, Handler>>")]),
            "Limits" => Some(vec![
                ty("usize"),
                ty("Vec<String>"),
                ty("HashMap<String, u32>"),
            ]),
            "Holder" => Some(vec![ty("Board")]),
            _ => None,
        }
    }
}

fn fake(aliases: Vec<(&'static str, &'static str)>) -> FakeEnv {
    FakeEnv {
        uses: vec![],
        aliases,
        workspace_types: vec!["WebSocketManager"],
        concept: vec![],
    }
}

fn class(text: &str) -> Class {
    classify(&ty(text), false, &env())
}

fn static_info(text: &str, init_calls: &[&str]) -> StaticInfo {
    StaticInfo {
        ty: ty(text),
        mutable: false,
        origin: StaticOrigin::Static,
        init_calls: init_calls
            .iter()
            .map(|c| c.split("::").map(str::to_string).collect())
            .collect(),
        init_literal_only: false,
        init_text: String::new(),
    }
}

#[track_caller]
fn assert_managed(text: &str, name: &str) {
    match class(text) {
        Class::Managed(m) => assert_eq!(m.name, name, "{text}"),
        other => panic!("{text}: expected managed {name}, got {other:?}"),
    }
}

#[track_caller]
fn assert_service(text: &str, kind: ServiceKind) {
    match class(text) {
        Class::Service(s) => assert_eq!(s.kind, kind, "{text}"),
        other => panic!("{text}: expected service {kind:?}, got {other:?}"),
    }
}

#[track_caller]
fn assert_harmless(text: &str) {
    match class(text) {
        Class::Harmless(_) => {}
        other => panic!("{text}: expected harmless, got {other:?}"),
    }
}

#[track_caller]
fn registry(text: &str) -> RegistryInfo {
    match class(text) {
        Class::Registry(r) => r,
        other => panic!("{text}: expected registry, got {other:?}"),
    }
}

#[test]
fn managed_types_are_found_through_every_wrapper() {
    assert_managed("Lazy<Mutex<WebSocketManager>>", "WebSocketManager");
    assert_managed("Mutex<Option<Arc<WebSocketManager>>>", "WebSocketManager");
    assert_managed("RwLock<WebSocketManager>", "WebSocketManager");
    assert_managed("RefCell<Option<WebSocketManager>>", "WebSocketManager");
    assert_managed("OnceLock<WebSocketManager>", "WebSocketManager");
    assert_managed("once_cell::sync::OnceCell<Arc<EventHub>>", "EventHub");
    assert_managed(
        "std::sync::LazyLock<tokio::sync::RwLock<SessionRegistry>>",
        "SessionRegistry",
    );
    assert_managed("parking_lot::Mutex<Box<AgentEngine>>", "AgentEngine");
    assert_managed("ArcSwapOption<WebSocketManager>", "WebSocketManager");
    assert_managed("ArcSwap<WebSocketManager>", "WebSocketManager");
    assert_managed("&'static WebSocketManager", "WebSocketManager");
    assert_managed(
        "Cell<Option<&'static WebSocketManager>>",
        "WebSocketManager",
    );
    assert_managed(
        "UnsafeCell<MaybeUninit<WebSocketManager>>",
        "WebSocketManager",
    );
    assert_managed("SyncLazy<WebSocketManager>", "WebSocketManager");
    assert_managed("AtomicPtr<WebSocketManager>", "WebSocketManager");
    assert_managed("crate::ws::manager::WebSocketManager", "WebSocketManager");
    assert_managed("Arc<dyn SessionManager + Send + Sync>", "SessionManager");
}

#[test]
fn managed_names_match_whole_segments_only() {
    assert_harmless("LazyLock<WebSocketManagerConfig>");
    assert_harmless("Lazy<ManagerSettings>");
}

#[test]
fn stateful_services_are_warnings() {
    assert_service("Lazy<reqwest::Client>", ServiceKind::Client);
    assert_service("OnceCell<aws_sdk_s3::Client>", ServiceKind::Client);
    assert_service("Lazy<HttpClient>", ServiceKind::Client);
    assert_service(
        "OnceLock<AsyncSmtpTransport<Tokio1Executor>>",
        ServiceKind::Client,
    );
    assert_service("RefCell<Option<DaemonClientBlocking>>", ServiceKind::Client);
    assert_service("OnceLock<PgPool>", ServiceKind::Pool);
    assert_service("OnceCell<sqlx::PgPool>", ServiceKind::Pool);
    assert_service(
        "Lazy<r2d2::Pool<PostgresConnectionManager<NoTls>>>",
        ServiceKind::Pool,
    );
    assert_service("OnceCell<deadpool_postgres::Pool>", ServiceKind::Pool);
    assert_service("Lazy<Mutex<redis::Connection>>", ServiceKind::Pool);
    assert_service("Lazy<Surreal<Client>>", ServiceKind::Pool);
    assert_service("Lazy<tokio::runtime::Runtime>", ServiceKind::Runtime);
    assert_service("OnceLock<tokio::runtime::Handle>", ServiceKind::Runtime);
    assert_service("Lazy<rayon::ThreadPool>", ServiceKind::Runtime);
    assert_service("OnceLock<broadcast::Sender<Event>>", ServiceKind::Channel);
    assert_service("OnceCell<UnboundedSender<Message>>", ServiceKind::Channel);
    assert_service(
        "Lazy<Mutex<Option<mpsc::Sender<Job>>>>",
        ServiceKind::Channel,
    );
    assert_service("Lazy<EventBus>", ServiceKind::EventBus);
    assert_service("LazyLock<BridgeRuntime>", ServiceKind::Runtime);
    assert_service(
        "RwLock<Option<Arc<InferenceService>>>",
        ServiceKind::ServiceObject,
    );
    assert_service("Lazy<TokenCache>", ServiceKind::Cache);
    assert_service(
        "Lazy<RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock>>",
        ServiceKind::RateLimiter,
    );
    assert_service(
        "Lazy<DefaultKeyedRateLimiter<IpAddr>>",
        ServiceKind::RateLimiter,
    );
}

#[test]
fn configuration_is_a_service_only_when_rewritable() {
    assert_harmless("OnceLock<Config>");
    assert_harmless("Lazy<Settings>");
    assert_harmless("Lazy<Arc<AppConfig>>");
    assert_service("Lazy<RwLock<Config>>", ServiceKind::RuntimeConfig);
    assert_service("ArcSwap<Settings>", ServiceKind::RuntimeConfig);
    assert_service("Lazy<Mutex<AppConfig>>", ServiceKind::RuntimeConfig);
    // `static mut CONFIG: Option<Config>` is writable through the static itself.
    assert!(matches!(
        classify(&ty("Option<Config>"), true, &env()),
        Class::Service(ServiceHit {
            kind: ServiceKind::RuntimeConfig,
            ..
        })
    ));
}

#[test]
fn constants_and_plumbing_are_harmless() {
    for t in [
        "Lazy<Regex>",
        "once_cell::sync::Lazy<regex::Regex>",
        "LazyLock<RegexSet>",
        "AtomicU64",
        "AtomicBool",
        "std::sync::atomic::AtomicUsize",
        "Once",
        "std::sync::Once",
        "&'static str",
        "&'static [u8]",
        "Lazy<String>",
        "Lazy<PathBuf>",
        "Duration",
        "Lazy<Instant>",
        "Mutex<()>",
        "Cell<u32>",
        "RefCell<StdRng>",
        "RefCell<Vec<u8>>",
        "RefCell<String>",
        "Lazy<Webauthn>",
        "Lazy<Handlebars<'static>>",
        "Lazy<Tera>",
        "Lazy<MarkdownRenderer>",
        "Lazy<LevenshteinAutomatonBuilder>",
        "Lazy<EncodingKey>",
        "OnceLock<DecodingKey>",
        "Lazy<SnowflakeIdGenerator>",
        "OnceLock<WorkerGuard>",
        "MyLogger",
        "Lazy<Box<dyn Fn(&str) + Send + Sync>>",
        "fn()",
        "Lazy<Notify>",
        "Lazy<governor::DefaultDirectRateLimiter>",
        "Lazy<RateLimiter<NotKeyed, InMemoryState, DefaultClock>>",
        "Lazy<Metrics>",
        "Lazy<AppMetrics>",
        "Lazy<IntCounterVec>",
        "Lazy<HistogramVec>",
        "Lazy<prometheus::Registry>",
        "Lazy<prometheus::IntCounter>",
        "Lazy<Mutex<HashMap<String, IntCounter>>>",
        "Lazy<moka::sync::Cache<(), Arc<Vec<Row>>>>",
        "AppState",
        "Lazy<BufferPool>",
        "OnceLock<SearchScratchPool>",
        "RefCell<IoUringPool>",
        "OnceLock<TemplateCache>",
        "Lazy<opentelemetry_otlp::SpanExporter>",
        "Lazy<tracing_subscriber::Registry>",
    ] {
        assert_harmless(t);
    }
}

#[test]
fn a_cache_struct_that_memoises_data_is_data() {
    let env = fake(vec![]);
    let c = |t: &str| classify(&ty(t), false, &env);
    assert_eq!(c("Mutex<Cache>"), Class::Harmless(Harmless::Data));
    assert_eq!(
        c("LazyLock<Mutex<KeyCache>>"),
        Class::Harmless(Harmless::Data)
    );
    assert!(matches!(c("Lazy<TokenCache>"), Class::Service(_)));
    assert!(matches!(c("Lazy<ClientCache>"), Class::Service(_)));
    // no struct known: a cache service
    assert!(matches!(c("Lazy<SessionCache>"), Class::Service(_)));
    // ... unless it takes one type argument and no key: a memo of one value
    assert_eq!(
        c("salsa::IngredientCache<IngredientImpl<Ctx>>"),
        Class::Harmless(Harmless::Data)
    );
    assert!(matches!(
        c("Lazy<lru::SizedCache<String, Token>>"),
        Class::Registry(_) | Class::Service(_)
    ));
}

#[test]
fn a_user_type_named_lazy_is_not_a_wrapper() {
    // `struct Lazy;` holding nothing generic: not the once_cell wrapper, not a finding.
    assert_harmless("Lazy");
    // A user-named lock around a plain type stays harmless too.
    assert_harmless("Mutex<MyData>");
}

#[test]
fn registries_know_key_value_and_mutability() {
    let r = registry("Lazy<DashMap<UserId, Arc<WebSocketManager>>>");
    assert!(r.grows, "a DashMap grows without a lock");
    assert_eq!(r.key, Some(ty("UserId")));
    assert_eq!(r.holds, Holds::Managed("WebSocketManager".into()));

    let r = registry("Lazy<Mutex<HashMap<String, Weak<SessionManager>>>>");
    assert!(r.grows);
    assert_eq!(r.holds, Holds::Managed("SessionManager".into()));

    let r = registry("Lazy<RwLock<Vec<Arc<Mutex<WebSocketManager>>>>>");
    assert!(r.grows);
    assert_eq!(r.key, None);
    assert_eq!(r.holds, Holds::Managed("WebSocketManager".into()));

    let r = registry("Lazy<Mutex<HashMap<SocketAddr, UnboundedSender<Message>>>>");
    assert_eq!(r.holds, Holds::Service(ServiceKind::Channel));

    let r = registry("RefCell<HashMap<u64, Session>>");
    assert!(r.grows);
    assert_eq!(r.holds, Holds::Data);

    let r = registry("Lazy<moka::sync::Cache<String, Arc<Profile>>>");
    assert!(r.grows, "moka caches are concurrent");
    let r = registry("Mutex<lru::LruCache<String, Profile>>");
    assert!(r.grows);
    let r = registry("Lazy<Mutex<Slab<Connection>>>");
    assert!(r.grows);
    let r = registry("Lazy<scc::HashMap<u64, Job>>");
    assert!(r.grows, "scc maps are concurrent");
    let r = registry("Lazy<Mutex<Option<HashMap<String, Job>>>>");
    assert!(r.grows);
    let r = registry("Lazy<IndexMap<String, Plugin>>");
    assert!(!r.grows);
    let r = registry("Mutex<HashSet<String>>");
    assert!(r.grows);
    assert_eq!(r.value, Some(ty("String")));
}

#[test]
fn immutable_tables_do_not_grow() {
    let r = registry("Lazy<HashMap<&'static str, Handler>>");
    assert!(!r.grows);
    assert_eq!(r.holds, Holds::Data);
    let r = registry("&'static [Descriptor]");
    assert!(!r.grows);
    let r = registry("LazyLock<BTreeMap<&'static str, u32>>");
    assert!(!r.grows);
}

#[test]
fn static_mut_collections_grow() {
    match classify(&ty("Vec<Job>"), true, &env()) {
        Class::Registry(r) => assert!(r.grows),
        other => panic!("{other:?}"),
    }
    // an FFI table in a `static mut` array can change, but never gains entries
    match classify(&ty("[CONF_PARSER; 4]"), true, &env()) {
        Class::Registry(r) => assert!(!r.grows),
        other => panic!("{other:?}"),
    }
    // ... but a `static mut` byte buffer is data.
    assert!(matches!(
        classify(&ty("[u8; 1024]"), true, &env()),
        Class::Harmless(Harmless::Data)
    ));
}

#[test]
fn collections_are_not_singletons_even_of_managed_values() {
    // One static, one rule: the registry rule owns this, not singleton-manager.
    assert!(!class("Lazy<DashMap<UserId, Arc<WebSocketManager>>>").is_singleton());
    assert!(!class("Lazy<Vec<WebSocketManager>>").is_singleton());
}

#[test]
fn use_declarations_decide_what_a_bare_name_is() {
    let env = FakeEnv {
        uses: vec![
            ("Registry", "prometheus::Registry"),
            ("Counter", "metrics::Counter"),
            ("ConnectionManager", "redis::aio::ConnectionManager"),
            ("Handle", "tokio::runtime::Handle"),
        ],
        aliases: vec![],
        workspace_types: vec!["WebSocketManager"],
        concept: vec![],
    };
    let c = |t: &str| classify(&ty(t), false, &env);
    assert_eq!(c("Lazy<Registry>"), Class::Harmless(Harmless::Metrics));
    assert_eq!(c("Lazy<Counter>"), Class::Harmless(Harmless::Metrics));
    assert!(matches!(
        c("OnceCell<ConnectionManager>"),
        Class::Service(ServiceHit {
            kind: ServiceKind::ExternalManaged,
            ..
        })
    ));
    assert!(matches!(
        c("OnceCell<Handle>"),
        Class::Service(ServiceHit {
            kind: ServiceKind::Runtime,
            ..
        })
    ));
    assert!(matches!(c("Lazy<WebSocketManager>"), Class::Managed(_)));
}

#[test]
fn concept_members_are_managed_whatever_their_name() {
    let env = FakeEnv {
        uses: vec![],
        aliases: vec![],
        workspace_types: vec![],
        concept: vec!["WsConn"],
    };
    match classify(&ty("Lazy<Mutex<WsConn>>"), false, &env) {
        Class::Managed(m) => assert_eq!(m.origin, ManagedOrigin::Concept),
        other => panic!("{other:?}"),
    }
}

#[test]
fn type_aliases_are_expanded() {
    let env = FakeEnv {
        uses: vec![],
        aliases: vec![
            ("PeerMap", "Arc<Mutex<HashMap<SocketAddr, Tx>>>"),
            ("Tx", "UnboundedSender<Message>"),
            ("Shared", "Arc<RwLock<WebSocketManager>>"),
            ("Loop", "Loop"),
        ],
        workspace_types: vec!["WebSocketManager"],
        concept: vec![],
    };
    match classify(&ty("Lazy<PeerMap>"), false, &env) {
        Class::Registry(r) => {
            assert!(r.grows);
            assert_eq!(r.holds, Holds::Service(ServiceKind::Channel));
            assert!(is_user_keyed(r.key.as_ref(), "PEERS", &env));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        classify(&ty("OnceLock<Shared>"), false, &env),
        Class::Managed(_)
    ));
    // An alias cycle ends, unclassified.
    assert_eq!(
        classify(&ty("Lazy<Loop>"), false, &env),
        Class::Harmless(Harmless::Unclassified)
    );
}

#[test]
fn opaque_types_are_judged_by_their_initializer() {
    let info = static_info(
        "Lazy<Box<dyn Handler + Send + Sync>>",
        &["Lazy::new", "Box::new", "WebSocketManager::new", "cfg"],
    );
    assert!(matches!(classify_static(&info, &env()), Class::Managed(_)));
    // A named type keeps its own verdict whatever the initializer calls.
    let info = static_info(
        "Lazy<AppState>",
        &["Lazy::new", "AppState::new", "WebSocketManager::new"],
    );
    assert!(matches!(classify_static(&info, &env()), Class::Harmless(_)));
}

#[test]
fn link_registry_initializers_are_recognised() {
    let info = static_info(
        "Lazy<HashMap<&'static str, &'static Plugin>>",
        &["Lazy::new", "inventory::iter", "HashMap::new"],
    );
    assert!(init_from_link_registry(&info));
    assert!(!init_from_link_registry(&static_info(
        "Lazy<Regex>",
        &["Regex::new"]
    )));
}

#[test]
fn user_keys() {
    let e = env();
    let keyed = |k: &str, name: &str| is_user_keyed(Some(&ty(k)), name, &e);
    assert!(keyed("UserId", "MAP"));
    assert!(keyed("SessionId", "X"));
    assert!(keyed("ConnectionId", "X"));
    assert!(keyed("ConnId", "X"));
    assert!(keyed("TenantId", "X"));
    assert!(keyed("SocketAddr", "X"));
    assert!(keyed("Uuid", "USER_MANAGERS"));
    assert!(keyed("String", "SESSIONS"));
    assert!(keyed("String", "MANAGERS"));
    assert!(keyed("&'static str", "CONNECTIONS"));
    assert!(!keyed("Uuid", "JOBS"));
    assert!(!keyed("KafkaConnectionProps", "SHARED_CONSUMERS"));
    assert!(!keyed("ClientConfig", "CLIENTS"));
    assert!(!keyed("String", "CLIENT_CACHE"));
    assert!(keyed("ClientId", "CACHE"));
    assert!(!keyed("String", "ROUTES"));
    assert!(!keyed("&'static str", "TEMPLATES"));
    // signal handlers by number, pub/sub channels by topic
    assert!(!keyed("i32", "HANDLERS"));
    assert!(!keyed("String", "CHANNELS"));
    assert!(!is_user_keyed(None, "USERS", &e));
}

#[test]
fn camel_words_split_like_a_reader_would() {
    assert_eq!(
        camel_words("WebSocketManager"),
        ["web", "socket", "manager"]
    );
    assert_eq!(camel_words("HTTPClient"), ["http", "client"]);
    assert_eq!(camel_words("UserId"), ["user", "id"]);
    assert_eq!(camel_words("user_id"), ["user", "id"]);
    assert_eq!(camel_words("V2Manager"), ["v2", "manager"]);
    assert!(camel_words("").is_empty());
}

#[test]
fn peel_reports_wrappers_and_writability() {
    let p = peel(&ty("Lazy<Mutex<Option<Arc<WebSocketManager>>>>"), &env());
    assert_eq!(p.wrappers, ["Lazy", "Mutex", "Option", "Arc"]);
    assert!(p.writable);
    assert_eq!(p.core, ty("WebSocketManager"));
    let p = peel(&ty("OnceLock<Arc<WebSocketManager>>"), &env());
    assert!(!p.writable);
}

#[test]
fn link_crates_are_matched_at_word_starts() {
    assert!(mentions_path("inventory::iter::<P>", "inventory::"));
    assert!(mentions_path("x(inventory::iter)", "inventory::"));
    assert!(!mentions_path("my_inventory::iter", "inventory::"));
}

#[test]
fn a_struct_holding_services_or_growing_collections_is_stateful() {
    let env = fake(vec![]);
    let c = |t: &str| classify(&ty(t), false, &env);
    for t in [
        "OnceLock<Arc<Board>>",
        "Lazy<Outbox>",
        "Lazy<Registrations>",
        "Lazy<Holder>",
    ] {
        match c(t) {
            Class::Service(s) => assert_eq!(s.kind, ServiceKind::StatefulObject, "{t}"),
            other => panic!("{t}: {other:?}"),
        }
    }
    // plain values and tables that never grow
    assert_eq!(
        c("OnceLock<Limits>"),
        Class::Harmless(Harmless::Unclassified)
    );
}

#[test]
fn instrumentation_names() {
    assert!(is_instrumentation_name("QUERY_PERF_TRACKER"));
    assert!(is_instrumentation_name("SEARCH_STATS"));
    assert!(is_instrumentation_name("request_timings"));
    assert!(is_instrumentation_name("OTEL_PRE_COLLECT_CALLBACKS"));
    assert!(!is_instrumentation_name("STATUS"));
    assert!(!is_instrumentation_name("USER_SESSIONS"));
}
