//! Shared classification of static values: is this a process-global stateful service,
//! a registry, or harmless data? Used by the singleton and registry rules.
//!
//! The classifier looks through wrappers (`Lazy<Mutex<Option<Arc<T>>>>` → `T`), remembers
//! whether any of them makes the value writable at run time, and then sorts the core type
//! into a [`Class`]. Everything it knows about names lives in the `const` lists below, in
//! one place, each with the reason it is there; precision matters as much as recall, so a
//! type nobody recognises is [`Harmless::Unclassified`], never a finding.
//!
//! It needs a little knowledge of the analysed workspace (which names are managed types,
//! what a written path means after `use`, what a type alias stands for); [`TypeEnv`]
//! supplies it, so the classifier itself stays a pure function over [`Ty`] that unit tests
//! drive with hand-built types. [`statics`] holds the glue to the index shared by the rules.

pub mod statics;

use crate::config::ManagedNames;
use crate::facts::{StaticInfo, Ty};

// ---------------------------------------------------------------------------------------
// Name lists. Matched on the last path segment unless a comment says otherwise.
// ---------------------------------------------------------------------------------------

/// Initialise-once cells: the value is created once and then only read (unless a writable
/// wrapper sits inside). Only a wrapper when written with a generic argument, so a user
/// type that merely happens to be called `Lazy` is not mistaken for one.
const INIT_ONCE_WRAPPERS: &[&str] = &[
    "Lazy",
    "LazyLock",
    "LazyCell",
    "OnceLock",
    "OnceCell",
    "OnceBox",
    "SyncLazy",
    "SyncOnceCell",
    "AsyncOnceCell",
    // `spin::Once<T>` (the argument-less `std::sync::Once` is a guard, see HARMLESS_NAMES)
    "Once",
];

/// Wrappers that let the value be replaced or mutated through a shared reference: a value
/// behind one of them can change (or a collection grow) at run time.
const WRITABLE_WRAPPERS: &[&str] = &[
    "Mutex",
    "RwLock",
    "ReentrantMutex",
    "FairMutex",
    "SpinMutex",
    "SpinLock",
    "Spinlock",
    "ShardedLock",
    "RefCell",
    "AtomicRefCell",
    "Cell",
    "UnsafeCell",
    "SyncUnsafeCell",
    "ArcSwap",
    "ArcSwapOption",
    "ArcSwapAny",
    "ArcSwapWeak",
    "AtomicCell",
    // `static INSTANCE: AtomicPtr<Manager>`: a hand-rolled singleton slot
    "AtomicPtr",
];

/// Wrappers that neither add nor remove state: look straight through them.
const TRANSPARENT_WRAPPERS: &[&str] = &[
    "Arc",
    "Rc",
    "Weak",
    "Box",
    "Option",
    "Pin",
    "ManuallyDrop",
    "MaybeUninit",
    "AssertUnwindSafe",
    "CachePadded",
    "NonNull",
    "SendWrapper",
    "Fragile",
    // `thread_local::ThreadLocal<T>`: one value per thread is still shared state
    "ThreadLocal",
];

/// Keyed collections: `args[0]` is the key, `args[1]` the value.
const MAP_COLLECTIONS: &[&str] = &[
    "HashMap",
    "BTreeMap",
    "IndexMap",
    "FxHashMap",
    "AHashMap",
    "LinkedHashMap",
    "VecMap",
    "BiMap",
    "DashMap",
    "SkipMap",
    "CHashMap",
    "ConcurrentHashMap",
    "LruCache",
    "TtlCache",
    "TimedCache",
    "SizedCache",
    "TimedSizedCache",
    "ExpiringMap",
    "TtlMap",
    // `moka::sync::Cache<K, V>`, `mini_moka`, `quick_cache`: two arguments, see below
    "Cache",
];

/// Sets: `args[0]` is the element.
const SET_COLLECTIONS: &[&str] = &[
    "HashSet",
    "BTreeSet",
    "IndexSet",
    "FxHashSet",
    "AHashSet",
    "DashSet",
    "SkipSet",
];

/// Sequences: `args[0]` is the element; the key is a position.
const SEQ_COLLECTIONS: &[&str] = &[
    "Vec",
    "VecDeque",
    "LinkedList",
    "BinaryHeap",
    "Slab",
    "StableVec",
    "SmallVec",
    "ArrayVec",
];

/// Collections that grow through a shared reference, without any lock around them.
const CONCURRENT_COLLECTIONS: &[&str] = &[
    "DashMap",
    "DashSet",
    "SkipMap",
    "SkipSet",
    "CHashMap",
    "ConcurrentHashMap",
    "Cache",
];

/// Crates whose maps are concurrent whatever the type is called (`scc::HashMap`).
const CONCURRENT_COLLECTION_CRATES: &[&str] = &[
    "dashmap",
    "scc",
    "flurry",
    "papaya",
    "moka",
    "mini_moka",
    "quick_cache",
    "evmap",
    "chashmap",
    "crossbeam_skiplist",
];

/// Element types that make a sequence a byte/char buffer (data), not a registry.
const SCALAR_NAMES: &[&str] = &[
    "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize", "f32",
    "f64", "bool", "char",
];

/// Crates whose types are never a finding: metrics (excluded from every rule, registries
/// included), logging and tracing plumbing, compiled patterns. Matched on the first segment
/// of the qualified path.
const HARMLESS_CRATES: &[(&str, Harmless)] = &[
    ("prometheus", Harmless::Metrics),
    ("prometheus_client", Harmless::Metrics),
    ("metrics", Harmless::Metrics),
    ("metrics_exporter_prometheus", Harmless::Metrics),
    ("opentelemetry", Harmless::Metrics),
    ("opentelemetry_sdk", Harmless::Metrics),
    ("opentelemetry_prometheus", Harmless::Metrics),
    ("cadence", Harmless::Metrics),
    ("statsd", Harmless::Metrics),
    ("log", Harmless::Logger),
    ("log4rs", Harmless::Logger),
    ("env_logger", Harmless::Logger),
    ("fern", Harmless::Logger),
    ("flexi_logger", Harmless::Logger),
    ("slog", Harmless::Logger),
    ("tracing", Harmless::Logger),
    ("tracing_subscriber", Harmless::Logger),
    ("tracing_appender", Harmless::Logger),
    ("regex", Harmless::Compiled),
    ("fancy_regex", Harmless::Compiled),
    ("aho_corasick", Harmless::Compiled),
    ("globset", Harmless::Compiled),
];

/// Metric instruments by name (`metrics::Counter` spelled without its crate).
const METRIC_NAMES: &[&str] = &[
    "IntCounter",
    "IntCounterVec",
    "IntGauge",
    "IntGaugeVec",
    "Counter",
    "CounterVec",
    "GenericCounter",
    "GenericCounterVec",
    "Gauge",
    "GaugeVec",
    "GenericGauge",
    "GenericGaugeVec",
    "Histogram",
    "HistogramVec",
    "Summary",
    "SummaryVec",
    "Meter",
    "UpDownCounter",
    "ObservableGauge",
    "PrometheusHandle",
    "PrometheusRecorder",
];

/// Types that are constant once built, by exact name.
const HARMLESS_NAMES: &[(&str, Harmless)] = &[
    // compiled patterns
    ("Regex", Harmless::Compiled),
    ("RegexSet", Harmless::Compiled),
    ("AhoCorasick", Harmless::Compiled),
    ("GlobSet", Harmless::Compiled),
    ("Glob", Harmless::Compiled),
    ("GlobMatcher", Harmless::Compiled),
    // plain values
    ("String", Harmless::Value),
    ("str", Harmless::Value),
    ("Cow", Harmless::Value),
    ("PathBuf", Harmless::Value),
    ("Path", Harmless::Value),
    ("OsString", Harmless::Value),
    ("OsStr", Harmless::Value),
    ("CString", Harmless::Value),
    ("CStr", Harmless::Value),
    ("Duration", Harmless::Value),
    ("Instant", Harmless::Value),
    ("SystemTime", Harmless::Value),
    ("DateTime", Harmless::Value),
    ("NaiveDateTime", Harmless::Value),
    ("Url", Harmless::Value),
    ("Uri", Harmless::Value),
    ("Uuid", Harmless::Value),
    ("Bytes", Harmless::Value),
    ("HeaderName", Harmless::Value),
    ("HeaderValue", Harmless::Value),
    ("Version", Harmless::Value),
    ("Level", Harmless::Value),
    ("LevelFilter", Harmless::Value),
    // guards, flags and process-wide signals
    ("Once", Harmless::OnceGuard),
    ("Barrier", Harmless::OnceGuard),
    ("Condvar", Harmless::OnceGuard),
    ("Notify", Harmless::OnceGuard),
    ("CancellationToken", Harmless::OnceGuard),
    ("Semaphore", Harmless::OnceGuard),
    ("WorkerGuard", Harmless::Logger),
    ("Dispatch", Harmless::Logger),
    // id generators and randomness: counters in disguise
    ("RandomState", Harmless::Scalar),
    ("Sonyflake", Harmless::Scalar),
    ("Ulid", Harmless::Value),
    // read-only objects built once
    ("Webauthn", Harmless::ReadOnly),
    ("Handlebars", Harmless::ReadOnly),
    ("Tera", Harmless::ReadOnly),
    ("Environment", Harmless::ReadOnly),
    ("SyntaxSet", Harmless::ReadOnly),
    ("ThemeSet", Harmless::ReadOnly),
    ("Argon2", Harmless::ReadOnly),
    ("Validation", Harmless::ReadOnly),
    ("JSONSchema", Harmless::ReadOnly),
    ("Keypair", Harmless::ReadOnly),
    ("KeyPair", Harmless::ReadOnly),
    ("Jieba", Harmless::ReadOnly),
    // `governor`'s unkeyed limiter throttles the whole process: a tunable, not per-user state
    ("DefaultDirectRateLimiter", Harmless::ReadOnly),
    ("DirectRateLimiter", Harmless::ReadOnly),
];

/// Name suffixes of types that are constant once built or are plumbing.
const HARMLESS_SUFFIXES: &[(&str, Harmless)] = &[
    ("Logger", Harmless::Logger),
    ("Guard", Harmless::Logger),
    ("Key", Harmless::ReadOnly),
    ("Renderer", Harmless::ReadOnly),
    ("Loader", Harmless::ReadOnly),
    ("Template", Harmless::ReadOnly),
    ("Templates", Harmless::ReadOnly),
    ("Validator", Harmless::ReadOnly),
    ("Rng", Harmless::Scalar),
    ("IdGenerator", Harmless::Scalar),
];

/// Name prefixes of read-only builders (`LevenshteinAutomatonBuilder`, `SnowflakeIdGenerator`).
const HARMLESS_PREFIXES: &[(&str, Harmless)] = &[
    ("Levenshtein", Harmless::ReadOnly),
    ("Snowflake", Harmless::Scalar),
    ("Comrak", Harmless::ReadOnly),
];

/// Stateful services by exact name (external crates spell them like this).
const SERVICE_NAMES: &[(&str, ServiceKind)] = &[
    ("ClientWithMiddleware", ServiceKind::Client),
    ("Runtime", ServiceKind::Runtime),
    ("ThreadPool", ServiceKind::Runtime),
    ("Executor", ServiceKind::Runtime),
    ("LocalExecutor", ServiceKind::Runtime),
    ("JobScheduler", ServiceKind::Runtime),
    ("Sender", ServiceKind::Channel),
    ("UnboundedSender", ServiceKind::Channel),
    ("SyncSender", ServiceKind::Channel),
    ("Receiver", ServiceKind::Channel),
    ("UnboundedReceiver", ServiceKind::Channel),
    ("SegQueue", ServiceKind::Channel),
    ("ArrayQueue", ServiceKind::Channel),
    ("Database", ServiceKind::Pool),
    ("DatabaseConnection", ServiceKind::Pool),
    ("Db", ServiceKind::Pool),
    ("Surreal", ServiceKind::Pool),
    ("DefaultKeyedRateLimiter", ServiceKind::RateLimiter),
    ("KeyedRateLimiter", ServiceKind::RateLimiter),
];

/// Stateful services by name suffix. Checked after the exact names, in this order.
const SERVICE_SUFFIXES: &[(&str, ServiceKind)] = &[
    ("ThreadPool", ServiceKind::Runtime),
    ("Runtime", ServiceKind::Runtime),
    ("Client", ServiceKind::Client),
    // `lettre::AsyncSmtpTransport`: a mail client with its own connection pool
    ("Transport", ServiceKind::Client),
    ("Pool", ServiceKind::Pool),
    ("Connection", ServiceKind::Pool),
    ("Bus", ServiceKind::EventBus),
    ("Broadcaster", ServiceKind::EventBus),
    ("EventEmitter", ServiceKind::EventBus),
    ("PubSub", ServiceKind::EventBus),
    ("Cache", ServiceKind::Cache),
    ("RateLimiter", ServiceKind::RateLimiter),
    ("Limiter", ServiceKind::RateLimiter),
    // `InferenceService`, `MailService`: a service object, one for the whole process
    ("Service", ServiceKind::ServiceObject),
];

/// Words that say which flavour of a service a type is, after its name.
const FLAVOUR_SUFFIXES: &[&str] = &["Blocking", "Async", "Sync", "Impl"];

/// Words that make a type a read-only object built once, whatever its suffix says
/// (`TemplateCache` holds compiled templates).
const READ_ONLY_WORDS: &[&str] = &[
    "template",
    "templates",
    "regex",
    "syntax",
    "theme",
    "font",
    "glyph",
];

/// Words that make a `*Pool` a pool of memory or objects rather than of connections.
const DATA_POOL_WORDS: &[&str] = &[
    "buffer", "buf", "byte", "bytes", "object", "string", "str", "mem", "memory", "alloc", "vec",
    "page", "block", "chunk", "arena", "id", "scratch", "uring",
];

/// Services only under a given crate (`tokio::runtime::Handle`, `ureq::Agent`,
/// `tonic::transport::Channel`): the bare names are too common to mean anything.
const SERVICE_IN_CRATE: &[(&str, &str, ServiceKind)] = &[
    ("tokio", "Handle", ServiceKind::Runtime),
    ("ureq", "Agent", ServiceKind::Client),
    ("tonic", "Channel", ServiceKind::Client),
    ("sled", "Tree", ServiceKind::Pool),
];

/// `governor`'s unkeyed limiters (see HARMLESS_NAMES): not keyed services.
const UNKEYED_LIMITERS: &[&str] = &["DefaultDirectRateLimiter", "DirectRateLimiter"];

/// Configuration types: harmless when written once, a service when rewritten at run time.
const CONFIG_NAMES: &[&str] = &[
    "Config",
    "Settings",
    "Configuration",
    "Conf",
    "Cfg",
    "Options",
];

/// Trait bounds that say nothing about what the value is.
const MARKER_TRAITS: &[&str] = &["Send", "Sync", "Unpin", "Any", "Sized", "UnwindSafe"];

/// Callback traits: a global hook is plumbing, not a service.
const FN_TRAITS: &[&str] = &["Fn", "FnMut", "FnOnce"];

/// Words in a key type (`UserId`, `ConnId`, `SocketAddr`) or a static's name (`USERS`,
/// `SESSIONS`) that say a map is keyed per user, session or connection.
const USER_KEY_WORDS: &[&str] = &[
    "user",
    "session",
    "conn",
    "connection",
    "client",
    "tenant",
    "account",
    "peer",
    "socket",
    "ws",
    "websocket",
    "player",
    "device",
    "subscriber",
    "member",
    "customer",
    "participant",
    "visitor",
    "principal",
];

/// Extra words that make a static's name per-user when its key type is a plain id
/// (`MANAGERS: Lazy<Mutex<HashMap<String, Arc<Manager>>>>`). Not `handler` or `channel`:
/// signal handlers by signal number and pub/sub channels by topic are keyed by something
/// else.
const USER_STATIC_WORDS: &[&str] = &["manager", "instance"];

/// Last words of key types that are connection settings, not identities.
const SETTINGS_KEY_WORDS: &[&str] = &[
    "props",
    "properties",
    "config",
    "configuration",
    "options",
    "opts",
    "settings",
    "params",
    "parameters",
];

/// Key types that carry no meaning of their own; the static's name decides.
const PLAIN_KEY_NAMES: &[&str] = &[
    "String", "str", "Uuid", "Ulid", "u64", "u32", "usize", "i64", "i32", "u128", "Id", "Cow",
];

/// Words in a static's name that mark instrumentation (`QUERY_PERF_TRACKER`,
/// `REQUEST_TIMINGS`, `CACHE_STATS`): timing and statistics kept for logs and metrics, which
/// every rule leaves alone like metric registries.
const INSTRUMENTATION_WORDS: &[&str] = &[
    "perf",
    "timing",
    "timings",
    "stats",
    "statistics",
    "metric",
    "metrics",
    "telemetry",
    "profiling",
    "profiler",
    // OpenTelemetry plumbing (`OTEL_PRE_COLLECT_CALLBACKS`)
    "otel",
];

/// Init-call path segments that feed a static from a link-time registry.
const LINK_REGISTRY_CRATES: &[&str] = &["inventory", "linkme"];

// ---------------------------------------------------------------------------------------
// Classes
// ---------------------------------------------------------------------------------------

/// What a process-global value is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Class {
    /// An instance of a managed type: per-user state in a process-global.
    Managed(ManagedHit),
    /// A stateful service (client, pool, runtime, channel …).
    Service(ServiceHit),
    /// A collection (map, set, list).
    Registry(RegistryInfo),
    /// Nothing to report.
    Harmless(Harmless),
}

impl Class {
    /// How much a class matters when several candidates compete (tuple elements, trait bounds).
    fn weight(&self) -> u8 {
        match self {
            Class::Managed(_) => 3,
            Class::Registry(_) => 2,
            Class::Service(_) => 1,
            Class::Harmless(_) => 0,
        }
    }
    /// A singleton in the sense of the singleton rules (registries are not).
    pub fn is_singleton(&self) -> bool {
        matches!(self, Class::Managed(_) | Class::Service(_))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedHit {
    /// The managed type as written (after alias expansion), e.g. `WebSocketManager`.
    pub ty: Ty,
    /// Its last segment.
    pub name: String,
    pub origin: ManagedOrigin,
}

/// Why a name is managed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManagedOrigin {
    /// A member of a configured concept.
    Concept,
    /// A workspace type whose name matches the managed-name patterns.
    Workspace,
    /// A third-party type whose name matches the patterns (`redis::aio::ConnectionManager`):
    /// treated as a stateful service, not as one of the workspace's managers.
    External,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceHit {
    pub kind: ServiceKind,
    /// The service type, e.g. `reqwest::Client`.
    pub ty: Ty,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceKind {
    Client,
    Pool,
    Runtime,
    Cache,
    Channel,
    EventBus,
    RateLimiter,
    /// A configuration behind a lock or swap cell: rewritten at run time.
    RuntimeConfig,
    /// A `*Service` object.
    ServiceObject,
    /// A third-party type named like a manager.
    ExternalManaged,
    /// A workspace struct that holds services or growing collections.
    StatefulObject,
}

impl ServiceKind {
    /// What the service is, for messages ("a process-global {describe}").
    pub fn describe(self) -> &'static str {
        match self {
            ServiceKind::Client => "client",
            ServiceKind::Pool => "connection pool / database handle",
            ServiceKind::Runtime => "runtime / thread pool",
            ServiceKind::Cache => "cache",
            ServiceKind::Channel => "channel handle",
            ServiceKind::EventBus => "event bus",
            ServiceKind::RateLimiter => "rate limiter",
            ServiceKind::RuntimeConfig => "configuration that is rewritten at run time",
            ServiceKind::ServiceObject => "service object",
            ServiceKind::ExternalManaged => "third-party stateful manager",
            ServiceKind::StatefulObject => {
                "stateful object (it holds a service or a collection that grows at run time)"
            }
        }
    }
}

/// Why a value is not reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Harmless {
    /// A compiled pattern (`Regex`).
    Compiled,
    /// Strings, paths, durations, ids.
    Value,
    /// Numbers, atomics, flags, counters, id generators.
    Scalar,
    /// `Once`, `Notify`, semaphores: process-wide coordination, no per-user state.
    OnceGuard,
    /// Metric instruments and metric registries.
    Metrics,
    /// Loggers and tracing plumbing.
    Logger,
    /// Built once, read afterwards (renderers, template engines, key material).
    ReadOnly,
    /// Configuration written once and only read.
    ConfigOnce,
    /// A buffer of scalars (`RefCell<Vec<u8>>`) or a memo of one data value.
    Data,
    /// `()`, fn pointers and callback traits.
    Plumbing,
    /// Nothing recognised: never a finding.
    Unclassified,
}

/// A collection, with what it maps and whether it can change at run time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryInfo {
    /// The collection type's last segment (`DashMap`, `Vec`, `[_]` for arrays).
    pub collection: String,
    /// The key type (maps only).
    pub key: Option<Ty>,
    /// The value / element type.
    pub value: Option<Ty>,
    /// Entries can be added or removed at run time: behind a writable wrapper or
    /// `static mut`, or a concurrent map.
    pub grows: bool,
    /// What the values hold.
    pub holds: Holds,
}

/// What a registry's values are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holds {
    /// Instances of a managed type (through `Arc`/`Weak`/`Box`/locks or plain).
    Managed(String),
    /// Stateful services (senders, clients …).
    Service(ServiceKind),
    /// Anything else.
    Data,
}

// ---------------------------------------------------------------------------------------
// Knowledge of the workspace
// ---------------------------------------------------------------------------------------

/// What the classifier needs to know about the analysed workspace.
pub trait TypeEnv {
    /// Best-effort full path of a written type path, following `use` declarations
    /// (`Registry` → `prometheus::Registry`); the path as written when unknown.
    fn qualify(&self, written: &[String]) -> Vec<String> {
        written.to_vec()
    }
    /// Whether the type at this (qualified) path is managed, and why.
    fn managed(&self, qualified: &[String]) -> Option<ManagedOrigin>;
    /// The aliased type when the path names a workspace `type` alias.
    fn alias(&self, _qualified: &[String]) -> Option<Ty> {
        None
    }
    /// The field types when the path names a workspace struct.
    fn fields(&self, _qualified: &[String]) -> Option<Vec<Ty>> {
        None
    }
    /// A remembered answer of [`holds_state`] for this path, if the env keeps them.
    fn known_state(&self, _qualified: &[String]) -> Option<bool> {
        None
    }
    /// Remember what [`holds_state`] found for this path.
    fn remember_state(&self, _qualified: &[String], _holds: bool) {}
}

/// An environment that only knows managed-name patterns: every match is a workspace type.
/// For tests and for callers without an index.
pub struct NameEnv(pub ManagedNames);

impl TypeEnv for NameEnv {
    fn managed(&self, qualified: &[String]) -> Option<ManagedOrigin> {
        let name = qualified.last()?;
        self.0.is_managed(name).then_some(ManagedOrigin::Workspace)
    }
}

// ---------------------------------------------------------------------------------------
// Peeling wrappers
// ---------------------------------------------------------------------------------------

/// A type with its wrappers peeled off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peeled {
    /// The value inside every wrapper (type aliases expanded).
    pub core: Ty,
    /// The wrappers passed, outermost first (`["Lazy", "Mutex", "Option", "Arc"]`).
    pub wrappers: Vec<String>,
    /// Some wrapper lets the value change through a shared reference.
    pub writable: bool,
}

/// How deep aliases and wrappers are followed (guards against alias cycles).
const MAX_DEPTH: usize = 16;

/// How many levels of struct fields [`holds_state`] looks into.
const MAX_STRUCT_NESTING: usize = 3;

/// Peel wrappers off `ty` (see the lists above), expanding workspace type aliases.
pub fn peel(ty: &Ty, env: &dyn TypeEnv) -> Peeled {
    let mut cur = ty.clone();
    let mut wrappers = Vec::new();
    let mut writable = false;
    for _ in 0..MAX_DEPTH {
        let next = match &cur {
            Ty::Ref { inner, mutable, .. } => {
                writable |= *mutable;
                wrappers.push(if *mutable { "&mut" } else { "&" }.to_string());
                Some((**inner).clone())
            }
            Ty::Ptr(inner) => {
                wrappers.push("*".to_string());
                Some((**inner).clone())
            }
            Ty::Path { segments, args } => {
                let name = segments.last().map(String::as_str).unwrap_or("");
                match (wrapper_kind(name), args.first()) {
                    (Some(kind), Some(inner)) => {
                        writable |= kind == WrapperKind::Writable;
                        wrappers.push(name.to_string());
                        Some(inner.clone())
                    }
                    _ => {
                        // A managed name stays itself even when it is an alias
                        // (`type WsManager = Arc<Mutex<Inner>>`): the name is the concept.
                        let q = env.qualify(segments);
                        if env.managed(&q).is_some() {
                            None
                        } else {
                            env.alias(&q)
                        }
                    }
                }
            }
            _ => None,
        };
        match next {
            Some(t) => cur = t,
            None => break,
        }
    }
    Peeled {
        core: cur,
        wrappers,
        writable,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WrapperKind {
    InitOnce,
    Writable,
    Transparent,
}

fn wrapper_kind(name: &str) -> Option<WrapperKind> {
    if INIT_ONCE_WRAPPERS.contains(&name) {
        Some(WrapperKind::InitOnce)
    } else if WRITABLE_WRAPPERS.contains(&name) {
        Some(WrapperKind::Writable)
    } else if TRANSPARENT_WRAPPERS.contains(&name) {
        Some(WrapperKind::Transparent)
    } else {
        None
    }
}

// ---------------------------------------------------------------------------------------
// Classification
// ---------------------------------------------------------------------------------------

/// Classify a static: its declared type, `static mut`, and (for opaque types such as
/// `Box<dyn Trait>`) the constructors its initializer calls.
pub fn classify_static(info: &StaticInfo, env: &dyn TypeEnv) -> Class {
    let class = classify(&info.ty, info.mutable, env);
    if class != Class::Harmless(Harmless::Unclassified) || !is_opaque(&peel(&info.ty, env).core) {
        return class;
    }
    // `Lazy<Box<dyn Handler>> = Lazy::new(|| Box::new(WebSocketManager::new()))`: the type
    // hides what the value is, the initializer says it.
    info.init_calls
        .iter()
        .filter_map(|call| constructed_type(call))
        .find_map(|ty_segs| {
            let q = env.qualify(ty_segs);
            managed_hit(&q, env)
        })
        .unwrap_or(class)
}

/// Classify a value of type `ty`; `writable` when an outer context (`static mut`) already
/// lets it change.
pub fn classify(ty: &Ty, writable: bool, env: &dyn TypeEnv) -> Class {
    classify_depth(ty, writable, env, 0)
}

fn classify_depth(ty: &Ty, writable: bool, env: &dyn TypeEnv, depth: usize) -> Class {
    if depth > MAX_DEPTH {
        return Class::Harmless(Harmless::Unclassified);
    }
    let peeled = peel(ty, env);
    let writable = writable || peeled.writable;
    match &peeled.core {
        Ty::Path { segments, args } => classify_path(segments, args, writable, env, depth),
        Ty::Tuple(elems) if elems.is_empty() => Class::Harmless(Harmless::Plumbing),
        Ty::Tuple(elems) => most_severe(
            elems
                .iter()
                .map(|t| classify_depth(t, writable, env, depth + 1)),
        ),
        // An array or slice has a fixed length: its elements may change, it never grows.
        Ty::Slice(elem) => registry(
            "[_]".to_string(),
            None,
            Some((**elem).clone()),
            false,
            true,
            env,
            depth,
        ),
        Ty::TraitObject(bounds) => {
            let meaningful: Vec<&Ty> = bounds
                .iter()
                .filter(|b| !b.last_name().is_some_and(|n| MARKER_TRAITS.contains(&n)))
                .collect();
            if meaningful
                .iter()
                .any(|b| b.last_name().is_some_and(|n| FN_TRAITS.contains(&n)))
            {
                return Class::Harmless(Harmless::Plumbing);
            }
            most_severe(
                meaningful
                    .iter()
                    .map(|b| classify_depth(b, writable, env, depth + 1)),
            )
        }
        Ty::FnPtr | Ty::Never => Class::Harmless(Harmless::Plumbing),
        _ => Class::Harmless(Harmless::Unclassified),
    }
}

fn classify_path(
    segments: &[String],
    args: &[Ty],
    writable: bool,
    env: &dyn TypeEnv,
    depth: usize,
) -> Class {
    let q = env.qualify(segments);
    let Some(name) = q.last().map(String::as_str) else {
        return Class::Harmless(Harmless::Unclassified);
    };
    let krate = if q.len() > 1 { q[0].as_str() } else { "" };
    let core = Ty::Path {
        segments: segments.to_vec(),
        args: args.to_vec(),
    };

    if let Some(reason) = harmless_crate(krate) {
        // Metrics and logging crates win over everything: `prometheus::Registry` is a
        // metric registry even though `*Registry` is a managed-name pattern.
        if env.managed(&q) != Some(ManagedOrigin::Concept) {
            return Class::Harmless(reason);
        }
    }
    if is_metric_name(name) {
        return Class::Harmless(Harmless::Metrics);
    }
    if let Some(hit) = managed_hit_ty(&q, core.clone(), env) {
        return hit;
    }
    if let Some(kind) = collection_kind(name, args) {
        let concurrent =
            CONCURRENT_COLLECTIONS.contains(&name) || CONCURRENT_COLLECTION_CRATES.contains(&krate);
        let (key, value) = match kind {
            CollectionKind::Map => (args.first().cloned(), args.get(1).cloned()),
            CollectionKind::Set | CollectionKind::Seq => (None, args.first().cloned()),
        };
        // A `Cache<(), T>` memoises one data value: data, not a registry.
        if kind == CollectionKind::Map && key.as_ref().is_some_and(is_unit) {
            return Class::Harmless(Harmless::Data);
        }
        return registry(
            name.to_string(),
            key,
            value,
            writable || concurrent,
            kind == CollectionKind::Seq,
            env,
            depth,
        );
    }
    if SCALAR_NAMES.contains(&name) || is_atomic_scalar(name) || name.starts_with("NonZero") {
        return Class::Harmless(Harmless::Scalar);
    }
    if camel_words(name)
        .iter()
        .any(|w| READ_ONLY_WORDS.contains(&w.as_str()))
    {
        return Class::Harmless(Harmless::ReadOnly);
    }
    if let Some(kind) = service_kind(krate, name, args) {
        if kind == ServiceKind::Cache
            && (is_data_memo(&q, env, depth) || single_value_cache(&q, args, env))
        {
            return Class::Harmless(Harmless::Data);
        }
        return Class::Service(ServiceHit { kind, ty: core });
    }
    if is_config_name(name) {
        return if writable {
            Class::Service(ServiceHit {
                kind: ServiceKind::RuntimeConfig,
                ty: core,
            })
        } else {
            Class::Harmless(Harmless::ConfigOnce)
        };
    }
    if let Some(reason) = harmless_name(name, args) {
        return Class::Harmless(reason);
    }
    if holds_state(&q, env, depth) {
        return Class::Service(ServiceHit {
            kind: ServiceKind::StatefulObject,
            ty: core,
        });
    }
    Class::Harmless(Harmless::Unclassified)
}

/// A workspace struct whose name says nothing but whose fields are a service (a channel
/// sender, a client, a runtime), a managed instance, or a collection that grows through a
/// shared reference (`DashMap`, `RwLock<HashMap<..>>`, a concurrent cache): one of it in a
/// static is a stateful service (`struct Dashboard { issues: DashMap<Code, Issue> }`).
/// Plain collections and values (configuration, key material, lookup tables) are not.
fn holds_state(q: &[String], env: &dyn TypeEnv, depth: usize) -> bool {
    // Each level reads every field of a struct: a few levels of struct nesting say enough,
    // and more would grow with the product of the field counts.
    if depth > MAX_STRUCT_NESTING {
        return false;
    }
    if let Some(known) = env.known_state(q) {
        return known;
    }
    let Some(fields) = env.fields(q) else {
        return false;
    };
    let holds = fields
        .iter()
        .any(|f| match classify_depth(f, false, env, depth + 1) {
            Class::Managed(_) => true,
            Class::Service(s) => s.kind != ServiceKind::RuntimeConfig,
            Class::Registry(r) => r.grows,
            Class::Harmless(_) => false,
        });
    // Only a full-depth answer is worth keeping: a cut-off one may be missing a level.
    if depth == 0 {
        env.remember_state(q, holds);
    }
    holds
}

/// A third-party `*Cache<T>` with one type argument and no key (`IngredientCache<T>`,
/// `OnceCache<T>`) memoises one value; keyed caches take the key as an argument too.
fn single_value_cache(q: &[String], args: &[Ty], env: &dyn TypeEnv) -> bool {
    args.len() == 1 && env.fields(q).is_none()
}

/// A workspace `*Cache` struct that memoises data (`struct Cache { last_value: Option<f32>,
/// at: Instant }`, a list of fetched keys): no keyed collection, no service inside.
fn is_data_memo(q: &[String], env: &dyn TypeEnv, depth: usize) -> bool {
    let Some(fields) = env.fields(q) else {
        return false;
    };
    fields
        .iter()
        .all(|f| match classify_depth(f, false, env, depth + 1) {
            Class::Managed(_) | Class::Service(_) => false,
            Class::Registry(r) => r.key.is_none() && r.holds == Holds::Data,
            Class::Harmless(_) => true,
        })
}

/// A registry of `value`s keyed by `key`. Sequences of scalars or strings are buffers
/// (`RefCell<Vec<u8>>`), and a collection of metric instruments is a metric registry.
fn registry(
    collection: String,
    key: Option<Ty>,
    value: Option<Ty>,
    grows: bool,
    sequence: bool,
    env: &dyn TypeEnv,
    depth: usize,
) -> Class {
    let value_class = value
        .as_ref()
        .map(|v| classify_depth(v, false, env, depth + 1));
    match &value_class {
        Some(Class::Harmless(Harmless::Metrics)) => return Class::Harmless(Harmless::Metrics),
        Some(Class::Harmless(Harmless::Scalar | Harmless::Value)) if sequence => {
            return Class::Harmless(Harmless::Data)
        }
        _ => {}
    }
    let holds = match value.as_ref().and_then(|v| managed_inside(v, env)) {
        Some(name) => Holds::Managed(name),
        None => match value_class {
            Some(Class::Service(s)) => Holds::Service(s.kind),
            Some(Class::Registry(inner)) => inner.holds,
            _ => Holds::Data,
        },
    };
    Class::Registry(RegistryInfo {
        collection,
        key,
        value,
        grows,
        holds,
    })
}

/// The first managed workspace type anywhere inside `ty` (`Vec<Arc<Mutex<Manager>>>`).
fn managed_inside(ty: &Ty, env: &dyn TypeEnv) -> Option<String> {
    let mut found = None;
    ty.walk(&mut |t| {
        if found.is_some() {
            return;
        }
        if let Ty::Path { segments, .. } = t {
            let q = env.qualify(segments);
            if matches!(
                env.managed(&q),
                Some(ManagedOrigin::Concept | ManagedOrigin::Workspace)
            ) && harmless_crate(q.first().map(String::as_str).unwrap_or("")).is_none()
            {
                found = q.last().cloned();
            }
        }
    });
    found
}

fn managed_hit(q: &[String], env: &dyn TypeEnv) -> Option<Class> {
    let ty = Ty::Path {
        segments: q.to_vec(),
        args: Vec::new(),
    };
    managed_hit_ty(q, ty, env)
}

fn managed_hit_ty(q: &[String], ty: Ty, env: &dyn TypeEnv) -> Option<Class> {
    let name = q.last()?.clone();
    match env.managed(q)? {
        ManagedOrigin::External => Some(Class::Service(ServiceHit {
            kind: ServiceKind::ExternalManaged,
            ty,
        })),
        origin => Some(Class::Managed(ManagedHit { ty, name, origin })),
    }
}

fn most_severe(classes: impl Iterator<Item = Class>) -> Class {
    classes
        .reduce(|a, b| if b.weight() > a.weight() { b } else { a })
        .unwrap_or(Class::Harmless(Harmless::Unclassified))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CollectionKind {
    Map,
    Set,
    Seq,
}

fn collection_kind(name: &str, args: &[Ty]) -> Option<CollectionKind> {
    // Without generic arguments it is a user type that happens to share the name.
    if args.is_empty() {
        return None;
    }
    if MAP_COLLECTIONS.contains(&name) {
        // `Cache<T>` with one argument is a single-value cache, not a keyed one.
        (args.len() >= 2).then_some(CollectionKind::Map)
    } else if SET_COLLECTIONS.contains(&name) {
        Some(CollectionKind::Set)
    } else if SEQ_COLLECTIONS.contains(&name) {
        Some(CollectionKind::Seq)
    } else {
        None
    }
}

fn service_kind(krate: &str, name: &str, args: &[Ty]) -> Option<ServiceKind> {
    if let Some((_, _, kind)) = SERVICE_IN_CRATE
        .iter()
        .find(|(c, n, _)| *c == krate && *n == name)
    {
        return Some(*kind);
    }
    if UNKEYED_LIMITERS.contains(&name) {
        return None;
    }
    if name == "RateLimiter" {
        // `governor::RateLimiter<NotKeyed, ..>` throttles the whole process; keyed ones
        // hold per-key state.
        let direct = args
            .first()
            .and_then(Ty::last_name)
            .is_some_and(|n| n == "NotKeyed");
        return (!direct).then_some(ServiceKind::RateLimiter);
    }
    if let Some((_, kind)) = SERVICE_NAMES.iter().find(|(n, _)| *n == name) {
        return Some(*kind);
    }
    // `DaemonClientBlocking`, `HttpClientImpl`: a flavour word after the service's name.
    let base = FLAVOUR_SUFFIXES
        .iter()
        .find_map(|f| name.strip_suffix(f).filter(|rest| !rest.is_empty()))
        .unwrap_or(name);
    let kind = SERVICE_SUFFIXES
        .iter()
        .find(|(suffix, _)| base.ends_with(suffix))
        .map(|(_, kind)| *kind)?;
    // `BufferPool`, `ObjectPool<Vec<u8>>`: pools of data, not of connections.
    if kind == ServiceKind::Pool
        && camel_words(name)
            .iter()
            .any(|w| DATA_POOL_WORDS.contains(&w.as_str()))
    {
        return None;
    }
    Some(kind)
}

/// A crate of a harmless family: `opentelemetry`, `opentelemetry_otlp`, `metrics_util` …
fn harmless_crate(krate: &str) -> Option<Harmless> {
    HARMLESS_CRATES
        .iter()
        .find(|(c, _)| {
            krate
                .strip_prefix(c)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('_'))
        })
        .map(|(_, h)| *h)
}

fn harmless_name(name: &str, args: &[Ty]) -> Option<Harmless> {
    if let Some((_, h)) = HARMLESS_NAMES.iter().find(|(n, _)| *n == name) {
        // `Once` with an argument is `spin::Once<T>`, a wrapper handled by `peel`.
        if name != "Once" || args.is_empty() {
            return Some(*h);
        }
    }
    if let Some((_, h)) = HARMLESS_SUFFIXES.iter().find(|(s, _)| name.ends_with(s)) {
        return Some(*h);
    }
    HARMLESS_PREFIXES
        .iter()
        .find(|(p, _)| name.starts_with(p))
        .map(|(_, h)| *h)
}

/// `Metrics`, `AppMetrics`, `MetricsRegistry`, `IntCounterVec` …
fn is_metric_name(name: &str) -> bool {
    METRIC_NAMES.contains(&name) || camel_words(name).iter().any(|w| w.starts_with("metric"))
}

/// `AtomicU64`, `AtomicBool`, `AtomicUsize` … (`AtomicPtr` is a wrapper, `AtomicCell` too).
fn is_atomic_scalar(name: &str) -> bool {
    name.strip_prefix("Atomic").is_some_and(|rest| {
        SCALAR_NAMES.contains(&rest.to_ascii_lowercase().as_str()) || rest.starts_with('F')
    })
}

/// `Config`, `AppConfig`, `ServerSettings` … but not `ConfigBuilder`.
fn is_config_name(name: &str) -> bool {
    CONFIG_NAMES
        .iter()
        .any(|c| name == *c || name.ends_with(c) && name.len() > c.len())
}

fn is_unit(ty: &Ty) -> bool {
    matches!(ty, Ty::Tuple(t) if t.is_empty())
}

/// Types whose name tells nothing about the value: the initializer has to.
fn is_opaque(ty: &Ty) -> bool {
    matches!(ty, Ty::TraitObject(_) | Ty::Infer | Ty::Other(_))
}

/// The type an init call constructs: `WebSocketManager::new` → `WebSocketManager`.
fn constructed_type(call: &[String]) -> Option<&[String]> {
    match call {
        [.., ty, _ctor] if starts_upper(ty) => Some(&call[..call.len() - 1]),
        _ => None,
    }
}

fn starts_upper(s: &str) -> bool {
    s.chars().next().is_some_and(char::is_uppercase)
}

/// The static's initializer reads a link-time registry (`inventory::iter::<T>`, which is
/// a value rather than a call, so the initializer text is consulted too).
pub fn init_from_link_registry(info: &StaticInfo) -> bool {
    info.init_calls.iter().any(|call| {
        call.first()
            .is_some_and(|c| LINK_REGISTRY_CRATES.contains(&c.as_str()))
    }) || LINK_REGISTRY_CRATES
        .iter()
        .any(|c| mentions_path(&info.init_text, &format!("{c}::")))
}

/// `text` contains `needle` starting at a word boundary (`inventory::` but not
/// `my_inventory::`).
pub fn mentions_path(text: &str, needle: &str) -> bool {
    text.match_indices(needle).any(|(i, _)| {
        !text[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

// ---------------------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------------------

/// Is a map keyed per user, session or connection? Decided by the key type's name
/// (`UserId`, `ConnectionId`, `SocketAddr`), or for plain keys (`String`, `Uuid`, `u64`)
/// by the static's name (`USERS`, `SESSIONS`, `MANAGERS`).
pub fn is_user_keyed(key: Option<&Ty>, static_name: &str, env: &dyn TypeEnv) -> bool {
    let Some(key) = key else {
        return false;
    };
    let core = peel(key, env).core;
    let Some(name) = core.last_name() else {
        return false;
    };
    let words = camel_words(name);
    // `KafkaConnectionProps`, `ClientConfig`: settings that say how to connect, shared by
    // everyone who connects the same way.
    if words
        .last()
        .is_some_and(|w| SETTINGS_KEY_WORDS.contains(&w.as_str()))
    {
        return false;
    }
    if name == "SocketAddr" || words.iter().any(|w| is_user_word(w)) {
        return true;
    }
    PLAIN_KEY_NAMES.contains(&name) && static_name_is_per_user(static_name)
}

/// A static named for instrumentation (`QUERY_PERF_TRACKER`, `SEARCH_STATS`).
pub fn is_instrumentation_name(static_name: &str) -> bool {
    static_name
        .split('_')
        .map(str::to_ascii_lowercase)
        .any(|w| INSTRUMENTATION_WORDS.contains(&w.as_str()))
}

/// `USERS`, `ACTIVE_SESSIONS`, `WS_MANAGERS`, `user_connections`.
pub fn static_name_is_per_user(static_name: &str) -> bool {
    static_name
        .split('_')
        .map(str::to_ascii_lowercase)
        // In a static's name a "client" is mostly an HTTP/OIDC client object
        // (`CLIENT_CACHE`), not the party at the other end of a connection.
        .filter(|w| w != "client" && w != "clients")
        .any(|w| {
            let singular = w.strip_suffix('s').unwrap_or(&w);
            is_user_word(&w) || is_user_word(singular) || USER_STATIC_WORDS.contains(&singular)
        })
}

fn is_user_word(w: &str) -> bool {
    USER_KEY_WORDS.contains(&w)
}

/// `WebSocketManagerConfig` → `["web", "socket", "manager", "config"]`; acronyms stay
/// together (`HTTPClient` → `["http", "client"]`).
pub fn camel_words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let boundary = c.is_uppercase()
            && i > 0
            && (chars[i - 1].is_lowercase()
                || chars[i - 1].is_ascii_digit()
                || chars.get(i + 1).is_some_and(|n| n.is_lowercase()));
        if (boundary || c == '_') && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        if c != '_' {
            cur.extend(c.to_lowercase());
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

#[cfg(test)]
pub(crate) mod testkit;
#[cfg(test)]
mod tests;
