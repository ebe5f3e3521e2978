//! gen-workspace: writes a synthetic Rust workspace of a chosen size for benchmarking
//! cargo-ssot. Deterministic: the same `--lines` and `--seed` give byte-identical trees.
//!
//! usage: cargo run --release --example gen-workspace -- --lines 100k --out DIR [--seed N]
//!        (`scripts/gen-workspace` wraps this; sizes take `k`/`m` suffixes)
//!
//! The tree is meant to cost what a real backend costs: several crates depending on each
//! other (`members = ["crates/*"]`), module trees three levels deep in both file layouts
//! (`a.rs` + `a/`, `a/mod.rs`) plus inline modules; structs, enums, traits and impls with
//! function bodies of realistic size (lets, matches, loops, closures, method chains,
//! macros); `use` trees with groups, globs, renames and `self`; `pub use` facades; benign
//! statics (`Lazy<Regex>`, atomics, `OnceLock<String>`, literal tables, `lazy_static!`,
//! `thread_local!`); `#[cfg(test)]` modules, integration tests and an unreachable backup
//! file. About one violation is planted every `PLANT_EVERY` lines, rotating through
//! singleton managers, global registries, singleton accessors, duplicate managers and
//! imports through a renamed facade; `PLANTED.json` in the output lists each one.
//! The code parses; it is never compiled.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

/// Lines of code between two planted violations.
pub const PLANT_EVERY: usize = 1500;
/// Average lines of a module file (real backends: ~330).
const AVG_FILE_LINES: usize = 380;

const CRATE_WORDS: &[&str] = &[
    "core",
    "storage",
    "net",
    "api",
    "auth",
    "query",
    "meta",
    "stream",
    "sched",
    "billing",
    "catalog",
    "compute",
    "ingest",
    "search",
    "notify",
    "gateway",
    "wal",
    "raft",
    "cluster",
    "sql",
    "exec",
    "plan",
    "codec",
    "proto",
    "cache",
    "object",
    "batch",
    "frontend",
    "connector",
    "sink",
    "source",
    "telemetry",
    "admin",
    "jobs",
    "config",
    "common",
    "util",
    "server",
];
const MOD_WORDS: &[&str] = &[
    "handler",
    "routes",
    "model",
    "types",
    "store",
    "service",
    "codec",
    "state",
    "session",
    "worker",
    "pool",
    "client",
    "server",
    "protocol",
    "frame",
    "buffer",
    "index",
    "segment",
    "shard",
    "cursor",
    "filter",
    "expr",
    "eval",
    "plan",
    "optimizer",
    "catalog",
    "schema",
    "table",
    "row",
    "column",
    "batch",
    "stream",
    "sink",
    "source",
    "retry",
    "backoff",
    "metrics",
    "tracing",
    "auth",
    "token",
    "policy",
    "quota",
    "limits",
    "ledger",
    "invoice",
    "account",
    "order",
    "payment",
    "event",
    "queue",
    "topic",
    "partition",
    "replica",
    "snapshot",
    "compact",
    "merge",
    "split",
    "scan",
    "lookup",
    "join",
    "agg",
    "window",
    "watermark",
    "checkpoint",
    "barrier",
    "epoch",
    "version",
    "migrate",
    "upgrade",
    "health",
    "probe",
    "admin",
    "debug",
];
const TYPE_PREFIXES: &[&str] = &[
    "Order",
    "Invoice",
    "Ledger",
    "Shard",
    "Segment",
    "Query",
    "Plan",
    "Cursor",
    "Token",
    "Schema",
    "Table",
    "Batch",
    "Frame",
    "Packet",
    "Route",
    "Channel",
    "Buffer",
    "Tenant",
    "Account",
    "Payment",
    "Event",
    "Topic",
    "Partition",
    "Replica",
    "Snapshot",
    "Epoch",
    "Barrier",
    "Window",
    "Watermark",
    "Checkpoint",
    "Column",
    "Row",
    "Filter",
    "Predicate",
    "Lease",
    "Quota",
    "Policy",
    "Grant",
    "Upload",
    "Chunk",
    "Blob",
    "Bucket",
    "Object",
    "Stream",
    "Cluster",
    "Node",
    "Peer",
    "Vote",
    "Term",
];
const TYPE_SUFFIXES: &[&str] = &[
    "Spec", "Info", "Stats", "Request", "Response", "Entry", "Kind", "Id", "Meta", "Desc",
    "Handle", "Summary", "Params", "Record", "Status", "Update", "Key", "Range", "View", "Report",
    "Limit", "Task", "Message", "Plan", "Set",
];
const MANAGED_WORDS: &[&str] = &[
    "Session",
    "Connection",
    "Tenant",
    "Upload",
    "Shard",
    "Lease",
    "Quota",
    "Stream",
    "Replica",
    "Job",
    "Cursor",
    "Ticket",
    "Presence",
    "Room",
    "Subscription",
    "Socket",
    "Agent",
    "Worker",
];
const FIELD_NAMES: &[&str] = &[
    "id",
    "name",
    "created_at",
    "updated_at",
    "owner",
    "size",
    "count",
    "limit",
    "offset",
    "epoch",
    "version",
    "state",
    "labels",
    "entries",
    "parent",
    "children",
    "weight",
    "score",
    "ttl",
    "retries",
    "deadline",
    "payload",
    "checksum",
    "region",
    "tenant",
    "priority",
    "capacity",
    "watermark",
    "cursor",
    "flags",
];
const FIELD_TYPES: &[&str] = &[
    "u64",
    "u32",
    "usize",
    "i64",
    "bool",
    "String",
    "Option<String>",
    "Vec<u8>",
    "Vec<String>",
    "HashMap<String, u64>",
    "BTreeMap<u64, String>",
    "Option<u64>",
    "std::time::Duration",
    "Arc<str>",
    "Box<[u8]>",
    "(u32, u32)",
    "Option<Box<Self>>",
];
const LOCALS: &[&str] = &[
    "items", "acc", "total", "batch", "next", "buf", "key", "value", "entry", "res", "out",
    "pending", "ready", "chunk", "idx", "span", "budget", "limit", "cursor", "row",
];
const VARIANT_NAMES: &[&str] = &[
    "Pending",
    "Running",
    "Done",
    "Failed",
    "Cancelled",
    "Retrying",
    "Paused",
    "Draining",
    "Open",
    "Closed",
    "HalfOpen",
    "Leader",
    "Follower",
    "Candidate",
    "Learner",
    "Unknown",
];

/// splitmix64: tiny, fast and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a>(&mut self, xs: &'a [&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

/// A source file being written, with its line count.
#[derive(Default)]
struct Src {
    text: String,
    lines: usize,
}

impl Src {
    fn line(&mut self, indent: usize, s: &str) {
        for _ in 0..indent {
            self.text.push_str("    ");
        }
        self.text.push_str(s);
        self.text.push('\n');
        self.lines += 1;
    }
}

#[derive(Clone, Copy, PartialEq)]
enum TypeKind {
    Struct,
    Enum,
    Trait,
}

#[derive(Clone)]
struct TypeDef {
    name: String,
    kind: TypeKind,
    fields: Vec<(String, String)>,
}

struct Module {
    /// Path below the crate root (`[]` is the root).
    path: Vec<String>,
    parent: Option<usize>,
    children: Vec<usize>,
    public: bool,
    lines: usize,
    types: Vec<TypeDef>,
}

impl Module {
    /// Reachable from outside the crate: every module on its path is `pub`.
    fn public_chain(&self, modules: &[Module]) -> bool {
        let mut m = self;
        loop {
            if !m.public {
                return false;
            }
            match m.parent {
                Some(p) => m = &modules[p],
                None => return true,
            }
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Plant {
    SingletonManager,
    GlobalRegistry,
    SingletonAccessor,
    DuplicateManager,
    RenamedFacadeImport,
}

/// The rotation planted violations go through.
const PLANT_CYCLE: [Plant; 10] = [
    Plant::SingletonManager,
    Plant::GlobalRegistry,
    Plant::SingletonAccessor,
    Plant::SingletonManager,
    Plant::RenamedFacadeImport,
    Plant::DuplicateManager,
    Plant::SingletonManager,
    Plant::GlobalRegistry,
    Plant::SingletonAccessor,
    Plant::RenamedFacadeImport,
];

impl Plant {
    /// Rules that must report it.
    fn rules(self) -> &'static [&'static str] {
        match self {
            Plant::SingletonManager => &["singleton-manager"],
            Plant::GlobalRegistry => &["global-registry"],
            Plant::SingletonAccessor => &["singleton-accessor", "singleton-manager"],
            Plant::DuplicateManager => &["duplicate-concept"],
            Plant::RenamedFacadeImport => &["non-canonical-import"],
        }
    }
}

struct Planted {
    kind: Plant,
    file: String,
    item: String,
    /// A name every finding about it mentions in its `item_path`.
    key: String,
}

struct Gen {
    rng: Rng,
    /// Every type name used so far: names are unique across the workspace, so the only
    /// duplicate concepts are the planted ones.
    names: BTreeSet<String>,
    managed_seq: usize,
    since_plant: usize,
    plant_seq: usize,
    planted: Vec<Planted>,
    /// A duplicate manager's original, waiting for a file in another module.
    pending_duplicate: Option<TypeDef>,
}

fn main() {
    let mut lines = 100_000usize;
    let mut out: Option<PathBuf> = None;
    let mut seed = 0x55_07_u64;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1);
        match (args[i].as_str(), value) {
            ("--lines", Some(v)) => lines = parse_size(v).unwrap_or_else(|| usage(&args[i])),
            ("--out", Some(v)) => out = Some(PathBuf::from(v)),
            ("--seed", Some(v)) => seed = v.parse().unwrap_or_else(|_| usage(&args[i])),
            (a, _) => usage(a),
        }
        i += 2;
    }
    let Some(out) = out else { usage("--out") };
    if let Err(e) = generate(&out, lines, seed) {
        eprintln!("gen-workspace: {e}");
        std::process::exit(1);
    }
}

fn usage(bad: &str) -> ! {
    eprintln!("gen-workspace: bad or missing `{bad}`");
    eprintln!("usage: gen-workspace --lines N[k|m] --out DIR [--seed N]");
    std::process::exit(2)
}

/// `35k`, `1m`, `1000`.
fn parse_size(s: &str) -> Option<usize> {
    let s = s.trim().to_ascii_lowercase();
    let (num, mul) = match s.strip_suffix('k') {
        Some(n) => (n, 1_000),
        None => match s.strip_suffix('m') {
            Some(n) => (n, 1_000_000),
            None => (s.as_str(), 1),
        },
    };
    num.parse::<usize>().ok().map(|n| n * mul)
}

pub fn generate(out: &Path, lines: usize, seed: u64) -> std::io::Result<()> {
    if out.exists() {
        fs::remove_dir_all(out)?;
    }
    fs::create_dir_all(out.join("crates"))?;
    let mut g = Gen {
        rng: Rng(seed ^ lines as u64),
        names: BTreeSet::new(),
        managed_seq: 0,
        since_plant: 0,
        plant_seq: 0,
        planted: Vec::new(),
        pending_duplicate: None,
    };
    // ~√(lines/1000) crates: 3 for 10k, 10 for 100k, 32 for 1M.
    let crates = ((lines as f64 / 1000.0).sqrt().round() as usize).max(3);
    let names: Vec<String> = (0..crates)
        .map(|i| match CRATE_WORDS.get(i) {
            Some(w) => format!("svc_{w}"),
            None => format!(
                "svc_{}{}",
                CRATE_WORDS[i % CRATE_WORDS.len()],
                i / CRATE_WORDS.len()
            ),
        })
        .collect();
    // Uneven crate sizes, as in real workspaces.
    let weights: Vec<usize> = (0..crates).map(|_| g.rng.range(1, 6)).collect();
    let weight_sum: usize = weights.iter().sum();
    let mut written = 0;
    for (i, name) in names.iter().enumerate() {
        let budget = lines * weights[i] / weight_sum;
        let deps: Vec<&str> = dependencies(&mut g.rng, i, &names);
        written += write_crate(&mut g, out, name, &deps, budget, i + 1 == crates)?;
    }
    let members = "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n\n\
                   [workspace.package]\nversion = \"0.1.0\"\nedition = \"2021\"\n";
    fs::write(out.join("Cargo.toml"), members)?;
    let mut planted = String::from("[\n");
    for (i, p) in g.planted.iter().enumerate() {
        let rules: Vec<String> = p.kind.rules().iter().map(|r| format!("\"{r}\"")).collect();
        let _ = writeln!(
            planted,
            "  {{\"kind\": \"{:?}\", \"rules\": [{}], \"file\": \"{}\", \"item\": \"{}\", \"key\": \"{}\"}}{}",
            p.kind,
            rules.join(", "),
            p.file,
            p.item,
            p.key,
            if i + 1 == g.planted.len() { "" } else { "," }
        );
    }
    planted.push_str("]\n");
    fs::write(out.join("PLANTED.json"), planted)?;
    eprintln!(
        "gen-workspace: {} ({} crates, {written} lines of .rs, {} planted violations)",
        out.display(),
        crates,
        g.planted.len()
    );
    Ok(())
}

/// Crate `i` depends on crate 0 and up to two other earlier crates.
fn dependencies<'a>(rng: &mut Rng, i: usize, names: &'a [String]) -> Vec<&'a str> {
    let mut deps = BTreeSet::new();
    if i > 0 {
        deps.insert(0);
        for _ in 0..2 {
            deps.insert(rng.below(i));
        }
    }
    deps.into_iter().map(|d| names[d].as_str()).collect()
}

/// Writes one crate; returns the lines of Rust written.
fn write_crate(
    g: &mut Gen,
    out: &Path,
    name: &str,
    deps: &[&str],
    budget: usize,
    is_bin: bool,
) -> std::io::Result<usize> {
    let dir = out.join("crates").join(name.replace('_', "-"));
    fs::create_dir_all(dir.join("src"))?;
    let mut manifest = format!(
        "[package]\nname = \"{}\"\nversion.workspace = true\nedition.workspace = true\n\n\
         [dependencies]\n",
        name.replace('_', "-")
    );
    for d in deps {
        let _ = writeln!(
            manifest,
            "{} = {{ path = \"../{}\" }}",
            d.replace('_', "-"),
            d.replace('_', "-")
        );
    }
    manifest.push_str(
        "once_cell = \"1\"\nregex = \"1\"\nserde = { version = \"1\", features = [\"derive\"] }\n\
         tokio = { version = \"1\", features = [\"full\"] }\ntracing = \"0.1\"\n\
         lazy_static = \"1\"\nparking_lot = \"0.12\"\n",
    );
    if is_bin {
        let _ = write!(
            manifest,
            "\n[[bin]]\nname = \"{name}\"\npath = \"src/main.rs\"\n"
        );
    }
    fs::write(dir.join("Cargo.toml"), manifest)?;

    let modules = plan_modules(g, budget);
    let mut facade_renames: Vec<(String, String)> = Vec::new();
    let mut written = 0;
    // Module files first (the root last: it holds the facades they ask for).
    let mut planned_left: usize = modules.iter().map(|m| m.lines).sum();
    for m in 1..modules.len() {
        let rel = module_file(&modules, m);
        let mut src = Src::default();
        // Files overshoot their plan by up to one item: scale what is left to what the
        // crate's budget still allows, so totals land within a few percent.
        let target = modules[m].lines * budget.saturating_sub(written) / planned_left.max(1);
        planned_left = planned_left.saturating_sub(modules[m].lines);
        write_module(
            g,
            &modules,
            m,
            target,
            name,
            deps,
            &rel,
            &mut facade_renames,
            &mut src,
        );
        written += src.lines;
        let path = dir.join("src").join(&rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(path, src.text)?;
    }
    let mut root = Src::default();
    write_root(g, &modules, name, deps, &facade_renames, &mut root);
    written += root.lines;
    fs::write(dir.join("src/lib.rs"), root.text)?;
    if is_bin {
        let mut main = Src::default();
        write_main(name, &mut main);
        written += main.lines;
        fs::write(dir.join("src/main.rs"), main.text)?;
    }
    // Test code (out of scope by default, but walked and parsed like everything else).
    fs::create_dir_all(dir.join("tests"))?;
    let mut tests = Src::default();
    write_integration_test(g, &modules, name, &mut tests);
    written += tests.lines;
    fs::write(dir.join("tests/integration.rs"), tests.text)?;
    // A stale copy no crate compiles: counted as unreachable, never analysed.
    fs::write(
        dir.join("src/handler_backup.rs"),
        "// old copy kept around during a refactor\npub struct SessionManager;\n",
    )?;
    Ok(written)
}

/// The module tree of one crate: enough modules to fill the budget, at most 8 children
/// each, at most 3 deep.
fn plan_modules(g: &mut Gen, budget: usize) -> Vec<Module> {
    let files = (budget / AVG_FILE_LINES).max(2);
    let mut modules = vec![Module {
        path: Vec::new(),
        parent: None,
        children: Vec::new(),
        public: true,
        lines: 0,
        types: Vec::new(),
    }];
    for _ in 0..files {
        // Prefer shallow parents a little, as real crates do.
        let parent = loop {
            let p = g.rng.below(modules.len());
            if modules[p].path.len() < 3 && modules[p].children.len() < 8 {
                break p;
            }
            if modules
                .iter()
                .all(|m| m.path.len() >= 3 || m.children.len() >= 8)
            {
                break 0;
            }
        };
        let taken: BTreeSet<&str> = modules[parent]
            .children
            .iter()
            .filter_map(|&c| modules[c].path.last().map(String::as_str))
            .collect();
        let mut word = g.rng.pick(MOD_WORDS).to_string();
        let mut n = 2;
        while taken.contains(word.as_str()) {
            word = format!("{}{n}", g.rng.pick(MOD_WORDS));
            n += 1;
        }
        let mut path = modules[parent].path.clone();
        path.push(word);
        let lines = g.rng.range(AVG_FILE_LINES / 4, AVG_FILE_LINES * 7 / 4);
        let public = !g.rng.chance(15);
        let id = modules.len();
        modules[parent].children.push(id);
        modules.push(Module {
            path,
            parent: Some(parent),
            children: Vec::new(),
            public,
            lines,
            types: Vec::new(),
        });
    }
    // Decide every module's types up front, so any module can import any other's.
    for module in modules.iter_mut().skip(1) {
        let count = (module.lines / 140).clamp(1, 6);
        module.types = (0..count).map(|_| new_type(g)).collect();
    }
    modules
}

fn unique_name(g: &mut Gen) -> String {
    for _ in 0..8 {
        let name = format!("{}{}", g.rng.pick(TYPE_PREFIXES), g.rng.pick(TYPE_SUFFIXES));
        if g.names.insert(name.clone()) {
            return name;
        }
    }
    let mut n = g.names.len();
    loop {
        let name = format!(
            "{}{}{n}",
            g.rng.pick(TYPE_PREFIXES),
            g.rng.pick(TYPE_SUFFIXES)
        );
        if g.names.insert(name.clone()) {
            return name;
        }
        n += 1;
    }
}

fn new_type(g: &mut Gen) -> TypeDef {
    let name = unique_name(g);
    let kind = match g.rng.below(10) {
        0..=5 => TypeKind::Struct,
        6..=8 => TypeKind::Enum,
        _ => TypeKind::Trait,
    };
    let fields = random_fields(g, 3, 10);
    TypeDef { name, kind, fields }
}

fn random_fields(g: &mut Gen, lo: usize, hi: usize) -> Vec<(String, String)> {
    let n = g.rng.range(lo, hi);
    let mut seen = BTreeSet::new();
    let mut fields = Vec::new();
    for _ in 0..n {
        let f = g.rng.pick(FIELD_NAMES);
        if seen.insert(f) {
            fields.push((f.to_string(), g.rng.pick(FIELD_TYPES).to_string()));
        }
    }
    fields
}

/// Where module `m`'s file lives below `src/`: `a/b.rs` for leaves, `a/b/mod.rs` or
/// `a/b.rs` (+ `a/b/`) for modules with children, alternating by name.
fn module_file(modules: &[Module], m: usize) -> String {
    let path = modules[m].path.join("/");
    if !modules[m].children.is_empty() && path.len() % 2 == 0 {
        format!("{path}/mod.rs")
    } else {
        format!("{path}.rs")
    }
}

/// `crate::a::b`.
fn crate_path(module: &Module) -> String {
    let mut p = String::from("crate");
    for seg in &module.path {
        p.push_str("::");
        p.push_str(seg);
    }
    p
}

#[allow(clippy::too_many_arguments)]
fn write_module(
    g: &mut Gen,
    modules: &[Module],
    m: usize,
    target_lines: usize,
    crate_name: &str,
    deps: &[&str],
    rel: &str,
    facade_renames: &mut Vec<(String, String)>,
    src: &mut Src,
) {
    let module = &modules[m];
    let file = format!("crates/{}/src/{rel}", crate_name.replace('_', "-"));
    src.line(
        0,
        &format!("//! The `{}` part of {crate_name}.", module.path.join("::")),
    );
    src.line(0, "//!");
    src.line(
        0,
        "//! Generated by gen-workspace for benchmarking; parsed, never built.",
    );
    src.line(0, "");
    write_uses(g, modules, m, deps, src);
    src.line(0, "");
    for &c in &module.children {
        let vis = if modules[c].public { "pub " } else { "" };
        src.line(
            0,
            &format!(
                "{vis}mod {};",
                modules[c].path.last().map_or("", String::as_str)
            ),
        );
    }
    if !module.children.is_empty() {
        src.line(0, "");
    }
    if let Some(original) = g.pending_duplicate.take() {
        // The duplicate of a manager defined elsewhere: same fields, decorated name.
        let name = format!("Legacy{}", original.name);
        write_struct(g, &name, &original.fields, src);
        g.planted.push(Planted {
            kind: Plant::DuplicateManager,
            file: file.clone(),
            item: name,
            key: original.name.clone(),
        });
    }
    let types = module.types.clone();
    // Every planned type is written, even past the target: other modules import them.
    for t in &types {
        write_type(g, t, &types, src, 0);
    }
    if g.rng.chance(35) {
        write_statics(g, src);
    }
    if g.rng.chance(20) {
        write_inline_module(g, &types, src);
    }
    while src.lines < target_lines {
        write_free_fn(g, &types, src, 0);
    }
    g.since_plant += src.lines;
    if g.since_plant >= PLANT_EVERY {
        g.since_plant -= PLANT_EVERY;
        let kind = PLANT_CYCLE[g.plant_seq % PLANT_CYCLE.len()];
        g.plant_seq += 1;
        plant(g, kind, modules, m, &file, facade_renames, src);
    }
    if g.rng.chance(30) {
        write_test_module(g, &types, src);
    }
}

fn write_uses(g: &mut Gen, modules: &[Module], m: usize, deps: &[&str], src: &mut Src) {
    src.line(0, "use std::collections::{BTreeMap, HashMap, HashSet};");
    src.line(
        0,
        "use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};",
    );
    src.line(0, "use std::sync::{Arc, OnceLock};");
    src.line(0, "use std::fmt::{self, Display};");
    if g.rng.chance(50) {
        src.line(0, "use serde::{Deserialize, Serialize};");
    }
    if g.rng.chance(40) {
        src.line(
            0,
            "use tokio::sync::{mpsc, oneshot, Mutex as TokioMutex, RwLock as TokioRwLock};",
        );
    }
    if g.rng.chance(30) {
        src.line(0, "use once_cell::sync::Lazy;");
        src.line(0, "use regex::Regex;");
    }
    if modules[m].parent.is_some_and(|p| p != 0) && g.rng.chance(50) {
        src.line(0, "use super::*;");
    }
    // Imports of sibling and cousin modules' types: groups and renames.
    for _ in 0..g.rng.range(1, 4) {
        let other = 1 + g.rng.below(modules.len() - 1);
        if other == m || modules[other].types.is_empty() {
            continue;
        }
        let names: Vec<&TypeDef> = modules[other].types.iter().take(3).collect();
        let leaves: Vec<String> = names
            .iter()
            .enumerate()
            .map(|(i, t)| {
                if i == 1 && g.rng.chance(25) {
                    format!("{} as Other{}", t.name, t.name)
                } else {
                    t.name.clone()
                }
            })
            .collect();
        if leaves.len() == 1 {
            src.line(
                0,
                &format!("use {}::{};", crate_path(&modules[other]), leaves[0]),
            );
        } else {
            src.line(
                0,
                &format!(
                    "use {}::{{{}}};",
                    crate_path(&modules[other]),
                    leaves.join(", ")
                ),
            );
        }
    }
    // Dependencies: through their facades, their preludes, or self imports.
    for d in deps.iter().take(2) {
        match g.rng.below(3) {
            0 => src.line(0, &format!("use {d}::prelude::*;")),
            1 => src.line(
                0,
                &format!("use {d}::{{self, Error as {}Error}};", camel(d)),
            ),
            _ => src.line(0, &format!("use {d}::Error as {}Error;", camel(d))),
        }
    }
}

fn camel(s: &str) -> String {
    s.split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn snake(s: &str) -> String {
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if ch.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

fn write_type(g: &mut Gen, t: &TypeDef, siblings: &[TypeDef], src: &mut Src, indent: usize) {
    match t.kind {
        TypeKind::Struct => {
            write_struct_at(g, &t.name, &t.fields, src, indent);
            write_impl(g, t, siblings, src, indent);
            if g.rng.chance(40) {
                src.line(indent, "");
                src.line(indent, &format!("impl Display for {} {{", t.name));
                src.line(
                    indent + 1,
                    "fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {",
                );
                let first = t.fields.first().map_or("id", |f| f.0.as_str());
                src.line(
                    indent + 2,
                    &format!("write!(f, \"{}({{:?}})\", self.{first})", t.name),
                );
                src.line(indent + 1, "}");
                src.line(indent, "}");
            }
        }
        TypeKind::Enum => {
            src.line(
                indent,
                &format!(
                    "/// Where a {} is in its life.",
                    snake(&t.name).replace('_', " ")
                ),
            );
            src.line(indent, "#[derive(Debug, Clone, PartialEq, Eq)]");
            src.line(indent, &format!("pub enum {} {{", t.name));
            let n = g.rng.range(3, 8);
            for v in VARIANT_NAMES.iter().skip(g.rng.below(6)).take(n) {
                match g.rng.below(3) {
                    0 => src.line(indent + 1, &format!("{v},")),
                    1 => src.line(indent + 1, &format!("{v}(u64),")),
                    _ => src.line(indent + 1, &format!("{v} {{ reason: String, at: u64 }},")),
                }
            }
            src.line(indent, "}");
            src.line(indent, "");
            src.line(indent, &format!("impl {} {{", t.name));
            src.line(indent + 1, "pub fn is_terminal(&self) -> bool {");
            src.line(
                indent + 2,
                "matches!(self, Self::Done | Self::Failed { .. } | Self::Cancelled)",
            );
            src.line(indent + 1, "}");
            for _ in 0..g.rng.range(1, 3) {
                write_method(g, siblings, src, indent + 1, false);
            }
            src.line(indent, "}");
        }
        TypeKind::Trait => {
            src.line(indent, &format!("pub trait {}: Send + Sync {{", t.name));
            src.line(indent + 1, "fn id(&self) -> u64;");
            src.line(indent + 1, "fn describe(&self) -> String {");
            src.line(
                indent + 2,
                &format!("format!(\"{}#{{}}\", self.id())", t.name),
            );
            src.line(indent + 1, "}");
            src.line(
                indent + 1,
                "fn poll_ready(&mut self, budget: usize) -> Result<usize, String>;",
            );
            src.line(indent, "}");
        }
    }
    src.line(indent, "");
}

fn write_struct(g: &mut Gen, name: &str, fields: &[(String, String)], src: &mut Src) {
    write_struct_at(g, name, fields, src, 0);
    src.line(0, "");
}

fn write_struct_at(
    g: &mut Gen,
    name: &str,
    fields: &[(String, String)],
    src: &mut Src,
    indent: usize,
) {
    src.line(
        indent,
        &format!("/// One {}.", snake(name).replace('_', " ")),
    );
    if g.rng.chance(50) {
        src.line(
            indent,
            "#[derive(Debug, Clone, Default, Serialize, Deserialize)]",
        );
    } else {
        src.line(indent, "#[derive(Debug, Clone, Default)]");
    }
    src.line(indent, &format!("pub struct {name} {{"));
    for (f, ty) in fields {
        let vis = if g.rng.chance(60) { "pub " } else { "" };
        let ty = if ty.contains("Self") {
            "Option<u64>"
        } else {
            ty.as_str()
        };
        src.line(indent + 1, &format!("{vis}{f}: {ty},"));
    }
    src.line(indent, "}");
}

fn write_impl(g: &mut Gen, t: &TypeDef, siblings: &[TypeDef], src: &mut Src, indent: usize) {
    src.line(indent, "");
    src.line(indent, &format!("impl {} {{", t.name));
    src.line(indent + 1, "pub fn new(id: u64) -> Self {");
    src.line(indent + 2, "let mut this = Self::default();");
    if let Some((f, ty)) = t.fields.iter().find(|(_, ty)| ty == "u64") {
        let _ = ty;
        src.line(indent + 2, &format!("this.{f} = id;"));
    } else {
        src.line(indent + 2, "let _ = id;");
    }
    src.line(indent + 2, "this");
    src.line(indent + 1, "}");
    for _ in 0..g.rng.range(2, 6) {
        src.line(indent, "");
        write_method(g, siblings, src, indent + 1, true);
    }
    src.line(indent, "}");
}

fn write_method(g: &mut Gen, siblings: &[TypeDef], src: &mut Src, indent: usize, with_self: bool) {
    let name = format!(
        "{}_{}",
        g.rng.pick(&[
            "load", "apply", "merge", "scan", "flush", "plan", "check", "collect", "route",
            "encode"
        ]),
        g.rng.pick(LOCALS)
    );
    let is_async = g.rng.chance(25);
    let recv = if with_self && g.rng.chance(40) {
        "&mut self"
    } else {
        "&self"
    };
    let asyncness = if is_async { "async " } else { "" };
    src.line(indent, &format!("/// {}.", name.replace('_', " ")));
    src.line(
        indent,
        &format!("pub {asyncness}fn {name}({recv}, limit: usize, keys: &[u64]) -> Result<Vec<u64>, String> {{"),
    );
    let body = g.rng.range(4, 40);
    write_body(g, siblings, src, indent + 1, body, is_async);
    src.line(indent, "}");
}

fn write_free_fn(g: &mut Gen, siblings: &[TypeDef], src: &mut Src, indent: usize) {
    let name = format!(
        "{}_{}_{}",
        g.rng.pick(&[
            "build",
            "parse",
            "validate",
            "resolve",
            "split",
            "compact",
            "rebalance",
            "schedule"
        ]),
        g.rng.pick(LOCALS),
        src.lines
    );
    src.line(indent, "");
    src.line(indent, &format!("/// {}.", name.replace('_', " ")));
    if g.rng.chance(20) {
        src.line(indent, "#[inline]");
    }
    let generic = g.rng.chance(30);
    if generic {
        src.line(
            indent,
            &format!("pub(crate) fn {name}<'a, T>(input: &'a [T], limit: usize, keys: &[u64]) -> Result<Vec<u64>, String>"),
        );
        src.line(indent, "where");
        src.line(indent + 1, "T: Clone + fmt::Debug + Send + 'a,");
        src.line(indent, "{");
        src.line(indent + 1, "let _ = input.len();");
    } else {
        src.line(
            indent,
            &format!("pub fn {name}(limit: usize, keys: &[u64]) -> Result<Vec<u64>, String> {{"),
        );
    }
    let body = g.rng.range(6, 60);
    write_body(g, siblings, src, indent + 1, body, false);
    src.line(indent, "}");
}

/// A function body of about `lines` lines ending in `Ok(..)`; uses `limit` and `keys`.
fn write_body(
    g: &mut Gen,
    siblings: &[TypeDef],
    src: &mut Src,
    indent: usize,
    lines: usize,
    is_async: bool,
) {
    let start = src.lines;
    src.line(indent, "let mut out: Vec<u64> = Vec::with_capacity(limit);");
    let mut depth = 0;
    while src.lines - start < lines {
        write_statement(g, siblings, src, indent, &mut depth, is_async);
    }
    src.line(indent, "Ok(out)");
}

fn write_statement(
    g: &mut Gen,
    siblings: &[TypeDef],
    src: &mut Src,
    indent: usize,
    depth: &mut usize,
    is_async: bool,
) {
    let v = g.rng.pick(LOCALS);
    let n = g.rng.range(1, 4096);
    match g.rng.below(14) {
        0 => src.line(
            indent,
            &format!("let {v}: Vec<u64> = keys.iter().copied().filter(|k| k % {n} != 0).map(|k| k.rotate_left(7) ^ {n}).collect();"),
        ),
        1 => src.line(indent, &format!("let mut {v}: HashMap<u64, Vec<u64>> = HashMap::with_capacity({n});")),
        2 if *depth < 3 => {
            src.line(indent, &format!("if keys.len() > {n} && limit != 0 {{"));
            *depth += 1;
            for _ in 0..g.rng.range(1, 3) {
                write_statement(g, siblings, src, indent + 1, depth, is_async);
            }
            *depth -= 1;
            src.line(indent, "} else {");
            src.line(indent + 1, &format!("out.push({n});"));
            src.line(indent, "}");
        }
        3 if *depth < 3 => {
            src.line(indent, "for (i, key) in keys.iter().enumerate() {");
            src.line(indent + 1, "if i >= limit {");
            src.line(indent + 2, "break;");
            src.line(indent + 1, "}");
            *depth += 1;
            write_statement(g, siblings, src, indent + 1, depth, is_async);
            *depth -= 1;
            src.line(indent + 1, &format!("out.push(key.wrapping_mul({n}));"));
            src.line(indent, "}");
        }
        4 if *depth < 3 => {
            src.line(indent, &format!("match keys.get({}) {{", n % 8));
            src.line(indent + 1, "Some(&k) if k > limit as u64 => {");
            *depth += 1;
            write_statement(g, siblings, src, indent + 2, depth, is_async);
            *depth -= 1;
            src.line(indent + 2, "out.push(k);");
            src.line(indent + 1, "}");
            src.line(indent + 1, &format!("Some(k) => out.push(*k + {n}),"));
            src.line(indent + 1, "None => return Err(format!(\"no key at {}\", limit)),");
            src.line(indent, "}");
        }
        5 => {
            src.line(indent, &format!("let {v} = |a: u64, b: u64| -> u64 {{"));
            src.line(indent + 1, &format!("let x = a.wrapping_add(b) ^ {n};"));
            src.line(indent + 1, "x.rotate_right((b % 63) as u32)");
            src.line(indent, "};");
            src.line(indent, &format!("out.push({v}(limit as u64, {n}));"));
        }
        6 => src.line(indent, &format!("tracing::debug!(count = out.len(), limit, \"{} {v}\");", g.rng.pick(MOD_WORDS))),
        7 => {
            if let Some(t) = siblings.iter().find(|t| t.kind == TypeKind::Struct) {
                src.line(indent, &format!("let {v} = {}::new({n});", t.name));
                src.line(indent, &format!("let _ = format!(\"{{:?}}\", {v});"));
            } else {
                src.line(indent, &format!("let {v} = format!(\"{{}}-{{}}\", limit, {n});"));
                src.line(indent, &format!("out.push({v}.len() as u64);"));
            }
        }
        8 => {
            src.line(indent, &format!("let {v} = keys"));
            src.line(indent + 1, ".chunks(limit.max(1))");
            src.line(indent + 1, &format!(".map(|c| c.iter().fold(0u64, |acc, k| acc.wrapping_add(*k) % {n}))"));
            src.line(indent + 1, ".collect::<Vec<_>>();");
            src.line(indent, &format!("out.extend_from_slice(&{v});"));
        }
        9 if is_async => {
            src.line(indent, "let (tx, rx) = oneshot::channel::<u64>();");
            src.line(indent, &format!("let _ = tx.send({n});"));
            src.line(indent, "out.push(rx.await.map_err(|e| e.to_string())?);");
        }
        10 => {
            src.line(indent, &format!("let {v} = String::from_utf8_lossy(&[{}u8, {}]).to_string();", n % 128, (n / 7) % 128));
            src.line(indent, &format!("if {v}.is_empty() {{ return Err(\"empty\".into()); }}"));
        }
        11 => src.line(indent, &format!("out.retain(|x| *x != {n});")),
        12 => {
            src.line(indent, &format!("let {v}: BTreeMap<u64, usize> = out.iter().enumerate().map(|(i, x)| (*x, i)).collect();"));
            src.line(indent, &format!("debug_assert!({v}.len() <= out.len(), \"{{}} > {{}}\", {v}.len(), out.len());"));
        }
        _ => src.line(indent, &format!("out.sort_unstable_by(|a, b| b.cmp(a).then(a.cmp(&{n})));")),
    }
}

/// Benign statics of every common form (none of them is a violation).
fn write_statics(g: &mut Gen, src: &mut Src) {
    let tag = src.lines;
    src.line(0, "");
    src.line(0, &format!("const MAX_BATCH_{tag}: usize = 1024;"));
    src.line(
        0,
        &format!("static REQUESTS_TOTAL_{tag}: AtomicU64 = AtomicU64::new(0);"),
    );
    src.line(
        0,
        &format!("static SHUTTING_DOWN_{tag}: AtomicBool = AtomicBool::new(false);"),
    );
    src.line(
        0,
        &format!("static BUILD_VERSION_{tag}: OnceLock<String> = OnceLock::new();"),
    );
    if g.rng.chance(50) {
        src.line(
            0,
            &format!("static NAME_RE_{tag}: once_cell::sync::Lazy<regex::Regex> ="),
        );
        src.line(1, "once_cell::sync::Lazy::new(|| regex::Regex::new(r\"^[a-z][a-z0-9_]{0,62}$\").unwrap());");
    }
    if g.rng.chance(30) {
        src.line(0, &format!("static KINDS_{tag}: &[(&str, u32)] = &[(\"alpha\", 1), (\"beta\", 2), (\"gamma\", 3)];"));
    }
    if g.rng.chance(25) {
        src.line(0, "lazy_static::lazy_static! {");
        src.line(1, &format!("static ref HEADER_RE_{tag}: regex::Regex = regex::Regex::new(\"^x-[a-z-]+$\").unwrap();"));
        src.line(0, "}");
    }
    if g.rng.chance(20) {
        src.line(0, "thread_local! {");
        src.line(
            1,
            &format!("static DEPTH_{tag}: std::cell::Cell<u32> = std::cell::Cell::new(0);"),
        );
        src.line(0, "}");
    }
    src.line(0, "");
    src.line(0, &format!("pub fn next_request_id_{tag}() -> u64 {{"));
    src.line(
        1,
        &format!("REQUESTS_TOTAL_{tag}.fetch_add(1, Ordering::Relaxed)"),
    );
    src.line(0, "}");
}

fn write_inline_module(g: &mut Gen, siblings: &[TypeDef], src: &mut Src) {
    src.line(0, "");
    src.line(0, "pub mod detail {");
    src.line(1, "use super::*;");
    src.line(0, "");
    let t = new_type(g);
    if t.kind == TypeKind::Struct {
        write_struct_at(g, &t.name, &t.fields, src, 1);
    }
    for _ in 0..g.rng.range(1, 3) {
        write_free_fn(g, siblings, src, 1);
    }
    src.line(0, "}");
}

fn write_test_module(g: &mut Gen, siblings: &[TypeDef], src: &mut Src) {
    src.line(0, "");
    src.line(0, "#[cfg(test)]");
    src.line(0, "mod tests {");
    src.line(1, "use super::*;");
    for i in 0..g.rng.range(1, 4) {
        src.line(0, "");
        src.line(1, "#[test]");
        src.line(1, &format!("fn case_{i}() {{"));
        src.line(2, "let keys = [1u64, 2, 3];");
        if let Some(t) = siblings.iter().find(|t| t.kind == TypeKind::Struct) {
            src.line(2, &format!("let v = {}::new(7);", t.name));
            src.line(2, "assert!(!format!(\"{:?}\", v).is_empty());");
        }
        src.line(2, "assert_eq!(keys.len(), 3);");
        src.line(1, "}");
    }
    src.line(0, "}");
}

/// Plants one violation in the file being written.
#[allow(clippy::too_many_arguments)]
fn plant(
    g: &mut Gen,
    kind: Plant,
    modules: &[Module],
    m: usize,
    file: &str,
    facade_renames: &mut Vec<(String, String)>,
    src: &mut Src,
) {
    g.managed_seq += 1;
    let word = MANAGED_WORDS[g.managed_seq % MANAGED_WORDS.len()];
    let manager = format!("{word}{}Manager", g.managed_seq);
    let upper = snake(&manager).to_ascii_uppercase();
    let fields: Vec<(String, String)> = vec![
        ("by_user".into(), "HashMap<u64, Vec<u64>>".into()),
        ("limit".into(), "usize".into()),
        ("epoch".into(), "u64".into()),
        ("label".into(), "String".into()),
    ];
    src.line(0, "");
    let (item, key) = match kind {
        Plant::SingletonManager => {
            write_struct(g, &manager, &fields, src);
            src.line(
                0,
                &format!("static {upper}: once_cell::sync::Lazy<parking_lot::Mutex<{manager}>> ="),
            );
            src.line(
                1,
                &format!(
                    "once_cell::sync::Lazy::new(|| parking_lot::Mutex::new({manager}::default()));"
                ),
            );
            (upper.clone(), upper)
        }
        Plant::GlobalRegistry => {
            write_struct(g, &manager, &fields, src);
            let name = format!("{upper}S_BY_USER");
            src.line(0, &format!("static {name}: once_cell::sync::Lazy<parking_lot::RwLock<HashMap<u64, Arc<{manager}>>>> ="));
            src.line(1, "once_cell::sync::Lazy::new(Default::default);");
            src.line(0, "");
            src.line(
                0,
                &format!(
                    "pub fn register_{}(user: u64, m: Arc<{manager}>) {{",
                    snake(&manager)
                ),
            );
            src.line(1, &format!("{name}.write().insert(user, m);"));
            src.line(0, "}");
            (name.clone(), name)
        }
        Plant::SingletonAccessor => {
            write_struct(g, &manager, &fields, src);
            src.line(0, &format!("impl {manager} {{"));
            src.line(1, "pub fn global() -> &'static Self {");
            // Items inside a fn cannot name `Self`: the static spells the type out.
            src.line(
                2,
                &format!("static INSTANCE: OnceLock<{manager}> = OnceLock::new();"),
            );
            src.line(2, &format!("INSTANCE.get_or_init({manager}::default)"));
            src.line(1, "}");
            src.line(0, "}");
            (format!("{manager}::global"), manager)
        }
        Plant::DuplicateManager => {
            write_struct(g, &manager, &fields, src);
            // Its duplicate goes into the next module file written.
            g.pending_duplicate = Some(TypeDef {
                name: manager.clone(),
                kind: TypeKind::Struct,
                fields,
            });
            return;
        }
        Plant::RenamedFacadeImport => {
            // Import a type of another public module through a renamed crate-root facade,
            // while its defining path is just as reachable.
            let target = (1..modules.len()).find(|&o| {
                o != m
                    && modules[o].public_chain(modules)
                    && modules[o].types.iter().any(|t| t.kind == TypeKind::Struct)
            });
            let Some(o) = target else {
                // No candidate in this crate: plant a singleton instead, so the count holds.
                return plant(
                    g,
                    Plant::SingletonManager,
                    modules,
                    m,
                    file,
                    facade_renames,
                    src,
                );
            };
            let Some(t) = modules[o].types.iter().find(|t| t.kind == TypeKind::Struct) else {
                return;
            };
            let alias = format!("{}Handle{}", t.name, g.managed_seq);
            facade_renames.push((
                format!("{}::{}", crate_path(&modules[o]), t.name),
                alias.clone(),
            ));
            src.line(0, &format!("use crate::{alias};"));
            src.line(0, "");
            src.line(
                0,
                &format!("pub fn open_{}(id: u64) -> {alias} {{", snake(&alias)),
            );
            src.line(1, &format!("{alias}::new(id)"));
            src.line(0, "}");
            (format!("crate::{alias}"), alias)
        }
    };
    g.planted.push(Planted {
        kind,
        file: file.to_string(),
        item,
        key,
    });
}

fn write_root(
    g: &mut Gen,
    modules: &[Module],
    crate_name: &str,
    deps: &[&str],
    facade_renames: &[(String, String)],
    src: &mut Src,
) {
    src.line(
        0,
        &format!("//! {crate_name}: one crate of a synthetic backend."),
    );
    src.line(0, "#![allow(dead_code)]");
    src.line(0, "");
    for &c in &modules[0].children {
        let vis = if modules[c].public { "pub " } else { "" };
        src.line(
            0,
            &format!(
                "{vis}mod {};",
                modules[c].path.last().map_or("", String::as_str)
            ),
        );
    }
    src.line(0, "");
    // The facade: same-name re-exports of a few public types, used consistently by
    // dependants.
    let mut exported = 0;
    for module in modules.iter().skip(1) {
        if exported >= 6 || !module.public_chain(modules) {
            continue;
        }
        if let Some(t) = module.types.first() {
            src.line(0, &format!("pub use {}::{};", crate_path(module), t.name));
            exported += 1;
        }
    }
    for (path, alias) in facade_renames {
        src.line(0, &format!("pub use {path} as {alias};"));
    }
    src.line(0, "");
    src.line(0, "/// What dependants glob-import.");
    src.line(0, "pub mod prelude {");
    for module in modules
        .iter()
        .skip(1)
        .filter(|m| m.public_chain(modules))
        .take(3)
    {
        src.line(1, &format!("pub use {}::*;", crate_path(module)));
    }
    src.line(0, "}");
    src.line(0, "");
    src.line(0, "#[derive(Debug)]");
    src.line(0, "pub enum Error {");
    src.line(1, "NotFound(String),");
    src.line(1, "Invalid { reason: String },");
    for d in deps {
        src.line(1, &format!("{}({d}::Error),", camel(d)));
    }
    src.line(0, "}");
    src.line(0, "");
    src.line(
        0,
        "pub type Result<T, E = Error> = std::result::Result<T, E>;",
    );
    let _ = g;
}

fn write_main(crate_name: &str, src: &mut Src) {
    src.line(0, "//! The server binary.");
    src.line(0, "");
    src.line(0, "#[tokio::main]");
    src.line(0, "async fn main() {");
    src.line(1, "tracing::info!(\"starting\");");
    src.line(
        1,
        &format!("let _ = {crate_name}::Error::NotFound(String::new());"),
    );
    src.line(0, "}");
}

fn write_integration_test(g: &mut Gen, modules: &[Module], crate_name: &str, src: &mut Src) {
    src.line(0, &format!("use {crate_name}::*;"));
    for module in modules
        .iter()
        .skip(1)
        .filter(|m| m.public_chain(modules))
        .take(4)
    {
        for t in module
            .types
            .iter()
            .filter(|t| t.kind == TypeKind::Struct)
            .take(1)
        {
            src.line(0, "");
            src.line(0, "#[test]");
            src.line(0, &format!("fn builds_{}() {{", snake(&t.name)));
            src.line(
                1,
                &format!(
                    "let v = {}::{}::new({});",
                    crate_path(module).replacen("crate", crate_name, 1),
                    t.name,
                    g.rng.below(100)
                ),
            );
            src.line(1, "assert!(!format!(\"{:?}\", v).is_empty());");
            src.line(0, "}");
        }
    }
}
