//! `ssot::duplicate-concept` — see `rules/duplicate-concept.toml` for what it finds and why.
//!
//! Two passes:
//! - **Configured concepts** (`index.concepts`): every member definition other than the
//!   canonical one is an error. The index already leaves out `type` aliases and re-exports.
//! - **Zero-config**, for every other type: struct/enum/union definitions (and, separately,
//!   traits) of one workspace are grouped by normalized name ([`super::names`]); inside a
//!   group two definitions are one concept when their fields/variants largely overlap, one
//!   is a newtype over the other, or `From` conversions join them. Every definition after
//!   the first of such a cluster is a warning.

use super::names::{self, NormalizedName};
use super::RuleCtx;
use crate::facts::{Field, Item, ItemDetail, ItemKind, RefKind, ScopeSeg, Ty, Vis};
use crate::finding::{Finding, Level};
use crate::index::{CrateId, CrateKind, DefId, FileRole, Index, Target};
use crate::source::{FileId, Span};
use std::collections::{BTreeSet, HashMap, HashSet};

const RULE: &str = "duplicate-concept";

/// Traits whose impls convert between two types: `impl From<A> for B` joins `A` and `B`.
const CONVERSION_TRAITS: &[&str] = &["From", "TryFrom", "Into", "TryInto"];

/// Types a newtype may hold its inner value in and still be "the same thing, re-declared":
/// `struct WsManager(Arc<RwLock<WebSocketManager>>)`.
const TRANSPARENT_WRAPPERS: &[&str] = &[
    "Arc",
    "Rc",
    "Box",
    "Mutex",
    "RwLock",
    "Option",
    "RefCell",
    "Cell",
    "Weak",
    "ArcSwap",
    "ArcSwapOption",
];

/// Module path segments that hold *alternatives* of the same item, only one of which is the
/// live one: platform implementations selected by `cfg` (`sys::unix::Handle` vs
/// `sys::windows::Handle`). Version segments (`v1`, `v2` …) are recognized separately.
const ALTERNATIVE_SEGMENTS: &[&str] = &[
    "unix",
    "windows",
    "linux",
    "macos",
    "ios",
    "android",
    "freebsd",
    "wasm",
    "wasm32",
    "wasi",
    "posix",
    "win",
    "win32",
    "apple",
    "netbsd",
    "openbsd",
    "illumos",
    "solaris",
    "fuchsia",
    "miri",
    "nostd",
    "no_std",
    "unsupported",
    // instruction sets: one backend per architecture (`isa::x64::EmitState`, `isa::aarch64::..`)
    "x86",
    "x86_64",
    "x64",
    "amd64",
    "aarch64",
    "arm",
    "arm64",
    "riscv",
    "riscv32",
    "riscv64",
    "s390x",
    "powerpc",
    "powerpc64",
    "ppc",
    "ppc64",
    "mips",
    "mips64",
    "loongarch64",
    // a feature switched on or off (`gc::enabled::Root` vs `gc::disabled::Root`)
    "enabled",
    "disabled",
];

/// Words (module path segments, split on `_`, crate names included) naming an
/// architectural layer. The same type name in two *different* layers (`db::User` vs
/// `api::User`) is the conventional DB-row / wire-type / DTO split, not a copy.
const LAYER_WORDS: &[&str] = &[
    "db",
    "database",
    "sql",
    "orm",
    "schema",
    "table",
    "tables",
    "entity",
    "entities",
    "model",
    "models",
    "row",
    "rows",
    "record",
    "records",
    "dao",
    "persistence",
    "storage",
    "dto",
    "dtos",
    "api",
    "wire",
    "proto",
    "protos",
    "protobuf",
    "pb",
    "grpc",
    "rpc",
    "rest",
    "http",
    "graphql",
    "gql",
    "json",
    "view",
    "views",
    "domain",
    "payload",
    "payloads",
    "migration",
    "migrations",
    "https",
    "openapi",
    "client",
    "server",
    "cli",
    "ffi",
    "capi",
    "bindings",
    "binding",
    "py",
    "python",
    "napi",
    "jni",
    // compiler stages: the same node type in the syntax tree and in a lowered form
    "ast",
    "sema",
    "ir",
    "hir",
    "mir",
    "dfg",
];

pub fn check(ctx: &RuleCtx) -> Vec<Finding> {
    let mut findings = Vec::new();
    let configured = check_configured(ctx, &mut findings);
    check_zero_config(ctx, &configured, &mut findings);
    findings
}

// ---------------------------------------------------------------------------------------
// Candidates: the type definitions the rule compares.

/// Structs, enums and unions compare with each other; traits only with traits (so a trait
/// that abstracts a struct of the same name is never its duplicate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Class {
    Data,
    Trait,
}

fn class_of(kind: ItemKind) -> Option<Class> {
    match kind {
        ItemKind::Struct | ItemKind::Enum | ItemKind::Union => Some(Class::Data),
        ItemKind::Trait => Some(Class::Trait),
        _ => None,
    }
}

struct Candidate<'a> {
    def: DefId,
    item: &'a Item,
    file: FileId,
    /// Full path (`chat_api::routes::ws_handler::EmergencyWebSocketManager`).
    path: &'a str,
    krate: CrateId,
    workspace: u32,
    name: NormalizedName,
    class: Class,
    /// The crate is a separate example program (a package under `examples/`): compared
    /// only with its own definitions.
    example: bool,
    /// The canonical definition of a configured concept: always kept, never reported.
    canonical: bool,
    in_test: bool,
}

fn candidate<'a>(index: &'a Index, def: DefId, canonical: bool) -> Option<Candidate<'a>> {
    let item = index.item(def);
    let class = class_of(item.kind)?;
    let d = index.def(def);
    let krate = index.krate(d.krate);
    Some(Candidate {
        def,
        item,
        file: d.file,
        path: &d.path,
        krate: d.krate,
        workspace: krate.workspace,
        name: names::normalize(&item.name),
        class,
        example: is_example_crate(index, d.krate),
        canonical,
        in_test: d.in_test,
    })
}

/// Cargo example/bench/test targets, and packages that live under an `examples/` directory
/// (a workspace of sample apps keeps each app's types to itself).
fn is_example_crate(index: &Index, krate: CrateId) -> bool {
    let c = index.krate(krate);
    if matches!(
        c.kind,
        CrateKind::Example | CrateKind::Bench | CrateKind::Test
    ) {
        return true;
    }
    let rel = c
        .manifest_path
        .strip_prefix(&index.root)
        .unwrap_or(&c.manifest_path);
    rel.components()
        .any(|p| matches!(p.as_os_str().to_str(), Some("examples" | "example")))
}

/// Rank for choosing which definition of a cluster is "the first" (kept): canonical, then
/// non-test, module-level, unconditional, not a newtype over another, undecorated name,
/// library crate, shortest path, lexical path. Lower is better.
fn rank_key(index: &Index, c: &Candidate, newtype: bool) -> impl Ord {
    let lib = matches!(index.krate(c.krate).kind, CrateKind::Lib);
    (
        (
            !c.canonical,
            c.in_test,
            c.item.in_fn_body,
            c.item.cfg_gated,
            newtype,
            c.name.decorated,
            c.example,
            !lib,
        ),
        c.path.matches("::").count(),
        c.path.len(),
        c.path.to_string(),
        c.def,
    )
}

// ---------------------------------------------------------------------------------------
// Configured concepts.

/// What the configured pass leaves for the zero-config pass.
#[derive(Default)]
struct Configured {
    /// Non-canonical members: already reported (or deliberately skipped) here.
    members: HashSet<DefId>,
    /// Canonical definitions: still compared without config, always as the kept one.
    canonicals: HashSet<DefId>,
}

fn check_configured(ctx: &RuleCtx, out: &mut Vec<Finding>) -> Configured {
    let index = ctx.index;
    let mut configured = Configured::default();
    for ci in &index.concepts {
        let Some(concept) = ctx.config.concepts.get(ci.concept) else {
            continue;
        };
        if let Some(c) = ci.canonical {
            configured.canonicals.insert(c);
        }
        configured
            .members
            .extend(ci.members.iter().filter(|m| Some(**m) != ci.canonical));
        // A canonical path that resolves to nothing is `config-unresolved`'s finding;
        // without it there is nothing to say which member is right.
        if ci.canonical.is_none() && concept.canonical.is_some() {
            continue;
        }
        let mut members: Vec<Candidate> = Vec::new();
        let mut seen: HashSet<(&std::path::Path, u32)> = HashSet::new();
        if let Some(c) = ci.canonical.and_then(|c| candidate(index, c, true)) {
            seen.insert(source_item(index, c.def));
            members.push(c);
        }
        for &m in &ci.members {
            if Some(m) == ci.canonical || !seen.insert(source_item(index, m)) {
                continue;
            }
            if let Some(c) = candidate(index, m, false) {
                if ctx.config.include_tests || !c.in_test {
                    members.push(c);
                }
            }
        }
        // The canonical type's class decides what competes with it: a trait that
        // abstracts the canonical struct is not a second definition of it.
        let class = members.first().map(|c| c.class);
        members.retain(|c| Some(c.class) == class);
        members.sort_by_cached_key(|c| rank_key(index, c, false));
        let Some((keep, rest)) = members.split_first() else {
            continue;
        };
        for dup in rest {
            // Name the canonical type as the config does (it may be a sanctioned re-export
            // path), falling back to where it is defined.
            let canonical = ci
                .canonical
                .and(concept.canonical.as_ref())
                .map(|c| c.value.as_str());
            out.push(configured_finding(
                ctx,
                &concept.name.value,
                keep,
                dup,
                canonical,
            ));
        }
    }
    configured
}

/// Where the definition is written: a file compiled into two crates (a lib and a bin
/// that both `mod` it, or `#[path]` includes) yields two defs of one source definition.
fn source_item(index: &Index, def: DefId) -> (&std::path::Path, u32) {
    let d = index.def(def);
    (
        index.file(d.file).source.path.as_path(),
        index.item(def).name_span.lo,
    )
}

fn configured_finding(
    ctx: &RuleCtx,
    concept: &str,
    keep: &Candidate,
    dup: &Candidate,
    canonical: Option<&str>,
) -> Finding {
    let index = ctx.index;
    let (what, label, keep_path) = match canonical {
        Some(path) => (
            format!("the canonical type is `{path}`"),
            "canonical definition is here",
            path,
        ),
        None => (
            format!(
                "the concept has no canonical type configured, and `{}` is defined first",
                keep.path
            ),
            "first definition is here",
            keep.path,
        ),
    };
    let form = definition_form(index, dup, keep);
    let message = format!(
        "`{}` is a second definition of concept `{concept}`{form}: {what}; state and behaviour \
         split across two types drift apart",
        dup.path
    );
    Finding::new(RULE, Level::Error, dup.file, dup.item.name_span, message)
        .help(removal_help(dup, keep_path))
        .related(keep.file, keep.item.name_span, label)
        .item_path(dup.path)
}

/// Why this definition counts even though it may not look like a copy.
fn definition_form(index: &Index, dup: &Candidate, keep: &Candidate) -> &'static str {
    if wrap_kind(index, dup, keep) == Wrap::Newtype {
        " (a newtype is a new type, not an alias)"
    } else if dup.item.in_fn_body {
        " (declared inside a fn body)"
    } else if dup.item.cfg_gated {
        " (a `cfg`-gated fallback)"
    } else {
        ""
    }
}

fn removal_help(dup: &Candidate, keep: &str) -> String {
    if dup.item.in_fn_body {
        return format!("delete this fn-local type and use `{keep}` instead");
    }
    format!(
        "delete `{name}` and use `{keep}` (while callers migrate, `pub type {name} = {keep};` \
         or `pub use {keep} as {name};` keeps the old name)",
        name = dup.item.name,
    )
}

// ---------------------------------------------------------------------------------------
// Zero-config.

fn check_zero_config(ctx: &RuleCtx, configured: &Configured, out: &mut Vec<Finding>) {
    let index = ctx.index;
    let mut seen: HashSet<(&std::path::Path, u32)> = HashSet::new();
    let mut all: Vec<Candidate> = Vec::new();
    // Defs in DefId order; a file compiled into two crates counts once (the lib's copy
    // when there is one, since libs are usually listed first; else the first seen).
    let mut ids: Vec<DefId> = index.def_ids().collect();
    ids.sort_by_key(|d| {
        let k = index.krate(index.def(*d).krate);
        (!matches!(k.kind, CrateKind::Lib), *d)
    });
    for def in ids {
        if configured.members.contains(&def) {
            continue;
        }
        let Some(c) = candidate(index, def, configured.canonicals.contains(&def)) else {
            continue;
        };
        if (c.in_test && !ctx.config.include_tests)
            || names::is_conventional(&c.name)
            || index.file(c.file).facts.generated
        {
            continue;
        }
        if !seen.insert(source_item(index, def)) {
            continue;
        }
        all.push(c);
    }

    let mut groups: HashMap<(u32, Class, &str), Vec<usize>> = HashMap::new();
    for (i, c) in all.iter().enumerate() {
        groups
            .entry((c.workspace, c.class, c.name.key.as_str()))
            .or_default()
            .push(i);
    }
    let mut keys: Vec<_> = groups.keys().copied().collect();
    keys.sort();
    let conversions = conversion_pairs(ctx, &all);

    for key in keys {
        let Some(members) = groups.get(&key) else {
            continue;
        };
        if members.len() < 2 {
            continue;
        }
        let group: Vec<&Candidate> = members.iter().filter_map(|&i| all.get(i)).collect();
        report_group(ctx, &group, &conversions, out);
    }
}

/// Why two definitions are one concept.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Evidence {
    /// Most named fields / variants / methods are shared.
    SharedNames {
        what: &'static str,
        shared: Vec<String>,
    },
    /// A tuple struct holds the same data as the other (compared by field types).
    SharedTypes { shared: Vec<String> },
    /// The first is a newtype over the second.
    Newtype,
    /// `impl From<A> for B` (either direction).
    Conversion,
}

fn report_group(
    ctx: &RuleCtx,
    group: &[&Candidate],
    conversions: &HashSet<(DefId, DefId)>,
    out: &mut Vec<Finding>,
) {
    let index = ctx.index;
    let n = group.len();
    let mut parent: Vec<usize> = (0..n).collect();
    // (i, j, evidence): evidence that i duplicates j.
    let mut edges: Vec<(usize, usize, Evidence)> = Vec::new();
    let mut is_newtype = vec![false; n];
    for i in 0..n {
        for j in (i + 1)..n {
            let (Some(a), Some(b)) = (group.get(i), group.get(j)) else {
                continue;
            };
            let Some((ev, a_wraps_b)) = same_concept(ctx, a, b, conversions) else {
                continue;
            };
            if ev == Evidence::Newtype {
                let wrapper = if a_wraps_b { i } else { j };
                if let Some(flag) = is_newtype.get_mut(wrapper) {
                    *flag = true;
                }
            }
            edges.push((i, j, ev));
            union(&mut parent, i, j);
        }
    }
    if edges.is_empty() {
        return;
    }
    let mut clusters: HashMap<usize, Vec<usize>> = HashMap::new();
    for i in 0..n {
        clusters.entry(find(&mut parent, i)).or_default().push(i);
    }
    let mut clusters: Vec<Vec<usize>> = clusters.into_values().filter(|c| c.len() > 1).collect();
    for cluster in &mut clusters {
        cluster.sort_by_cached_key(|&i| {
            group
                .get(i)
                .map(|c| rank_key(index, c, is_newtype.get(i).copied().unwrap_or(false)))
        });
    }
    clusters.sort();
    for cluster in clusters {
        let Some((&keep_i, rest)) = cluster.split_first() else {
            continue;
        };
        let Some(keep) = group.get(keep_i) else {
            continue;
        };
        for &dup_i in rest {
            let Some(dup) = group.get(dup_i) else {
                continue;
            };
            // Joined only through a third definition, two platform implementations are
            // still alternatives to each other, not copies.
            if are_alternatives(ctx, dup, keep) {
                continue;
            }
            // Prefer the evidence against the kept definition; else whatever joined it.
            let edge = edges
                .iter()
                .find(|(a, b, _)| (*a, *b) == (dup_i, keep_i) || (*a, *b) == (keep_i, dup_i))
                .or_else(|| edges.iter().find(|(a, b, _)| *a == dup_i || *b == dup_i));
            let Some((a, b, ev)) = edge else {
                continue;
            };
            let other_i = if *a == dup_i { *b } else { *a };
            let Some(other) = group.get(other_i) else {
                continue;
            };
            out.push(zero_config_finding(index, keep, dup, other, ev));
        }
    }
}

fn zero_config_finding(
    index: &Index,
    keep: &Candidate,
    dup: &Candidate,
    other: &Candidate,
    ev: &Evidence,
) -> Finding {
    // `other` is the definition the evidence links `dup` to: the kept one, or another
    // member of the cluster.
    let it = if other.def == keep.def {
        "it".to_string()
    } else {
        format!("`{}`", other.path)
    };
    let evidence = match ev {
        Evidence::SharedNames { what, shared } => {
            format!("it shares {what} {} with {it}", quoted_list(shared))
        }
        Evidence::SharedTypes { shared } => {
            format!("it holds the same data as {it} ({})", quoted_list(shared))
        }
        Evidence::Newtype if wrap_kind(index, dup, other) == Wrap::Newtype => {
            format!("it is a newtype over {it}")
        }
        Evidence::Newtype => format!("{it} is a newtype over it"),
        Evidence::Conversion => format!("`From` conversions join it to {it}"),
    };
    let types = match dup.class {
        Class::Data => "types",
        Class::Trait => "traits",
    };
    let message = format!(
        "`{}` looks like a second definition of `{}`: both names normalize to `{}`, and \
         {evidence}; two {types} for one concept drift apart",
        dup.path, keep.path, keep.name.display
    );
    let mut f = Finding::new(RULE, Level::Warning, dup.file, dup.item.name_span, message)
        .help(format!(
            "{}; if the two are meant to differ, rename one so its name says how",
            removal_help(dup, keep.path)
        ))
        .related(keep.file, keep.item.name_span, "first definition is here")
        .item_path(dup.path);
    if other.def != keep.def {
        f = f.related(
            other.file,
            other.item.name_span,
            "it duplicates this definition",
        );
    }
    f
}

fn quoted_list(items: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut s = items
        .iter()
        .take(SHOWN)
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > SHOWN {
        s.push_str(&format!(" and {} more", items.len() - SHOWN));
    }
    s
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while let Some(&p) = parent.get(i) {
        if p == i {
            break;
        }
        let grand = parent.get(p).copied().unwrap_or(p);
        if let Some(slot) = parent.get_mut(i) {
            *slot = grand;
        }
        i = p;
    }
    i
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if let Some(slot) = parent.get_mut(ra.max(rb)) {
        *slot = ra.min(rb);
    }
}

/// Are `a` and `b` (same workspace, class and normalized name) one concept? Returns the
/// evidence, and whether `a` is the wrapper when it is a newtype relation.
fn same_concept(
    ctx: &RuleCtx,
    a: &Candidate,
    b: &Candidate,
    conversions: &HashSet<(DefId, DefId)>,
) -> Option<(Evidence, bool)> {
    let index = ctx.index;
    if a.krate != b.krate && (a.example || b.example) {
        return None;
    }
    if are_alternatives(ctx, a, b) {
        return None;
    }
    let same_name = a.item.name == b.item.name;
    if same_name {
        // The same name in two layers is the DB-row / wire-type / DTO / FFI-wrapper split;
        // two module-private types of one name are each module's own helper (`Record`,
        // `Helper`, a query row), not a concept anyone else sees.
        if layer_words(a.path) != layer_words(b.path) || (is_local(a) && is_local(b)) {
            return None;
        }
    }
    match (wrap_kind(index, a, b), wrap_kind(index, b, a)) {
        // A public newtype over a crate-internal type of the same name is that type's
        // public face (`pub struct Trace(internal::Trace)`), a deliberate encapsulation.
        (Wrap::Newtype, _) if is_public_face(a, b) => return None,
        (_, Wrap::Newtype) if is_public_face(b, a) => return None,
        (Wrap::Newtype, _) => return Some((Evidence::Newtype, true)),
        (_, Wrap::Newtype) => return Some((Evidence::Newtype, false)),
        (Wrap::Wrapper, _) | (_, Wrap::Wrapper) => return None,
        _ => {}
    }
    // Conversions between two *differently* named variants (`LegacySession` ↔ `Session`)
    // mark a migration; between two equal names they are the usual layer mapping
    // (`db::User` → `api::User`), which the shape test below judges.
    if !same_name
        && (conversions.contains(&(a.def, b.def)) || conversions.contains(&(b.def, a.def)))
    {
        return Some((Evidence::Conversion, false));
    }
    let (sa, sb) = (Shape::of(a.item), Shape::of(b.item));
    // A decorated name says "copy of" by itself, so a subset of the fields is enough; an
    // identical name needs most fields the same, with the same types, and at least three of
    // them (two-column query projections and `{positive, negative}` pairs are everywhere).
    let ev = sa.overlap(&sb, same_name)?;
    Some((ev, false))
}

/// `wrapper` is public and the type it wraps is not.
fn is_public_face(wrapper: &Candidate, wrapped: &Candidate) -> bool {
    wrapper.item.vis == Vis::Public && wrapped.item.vis != Vis::Public
}

/// Declared where only its own module (or fn) can use it.
fn is_local(c: &Candidate) -> bool {
    c.item.in_fn_body || matches!(c.item.vis, Vis::Private | Vis::Restricted)
}

/// Snapshot and platform modules hold alternatives, not copies: `api::v1::Message` vs
/// `api::v2::Message`, `api::Message` vs `api::v1::Message`, `migration::dl11::Group` vs
/// `migration::dl12::Group`, `sys::unix::Handle` vs `sys::windows::Handle`; also two
/// definitions at one path (only one of them is compiled under any `cfg`). A version tag in
/// the *name* (`MessageV1`, `SegmentConfigV5`) marks a deliberate snapshot of a data format,
/// except on a managed type (`WebSocketManagerV2` is a rewrite of a service, not a format).
fn are_alternatives(ctx: &RuleCtx, a: &Candidate, b: &Candidate) -> bool {
    if a.name.versions != b.name.versions && !ctx.config.is_managed(&a.name.display) {
        return true;
    }
    if a.path == b.path {
        return true;
    }
    let (ma, mb) = (module_segments(a.path), module_segments(b.path));
    if ma != mb && snapshot_stems(&ma) == snapshot_stems(&mb) {
        return true;
    }
    if platform_siblings(&ma, &mb) {
        return true;
    }
    let versions = |m: &[&str]| -> Vec<String> {
        m.iter()
            .filter(|s| names::is_version_tag(s))
            .map(|s| s.to_string())
            .collect()
    };
    let (va, vb) = (versions(&ma), versions(&mb));
    !va.is_empty() && !vb.is_empty() && va != vb
}

/// Module paths that part at a platform or architecture segment: `sys::custom::vm` vs
/// `sys::miri::vm`, `isa::x64::inst::emit_state` vs `isa::s390x::inst::emit` (each backend
/// lays out its own modules), or `fiber` vs `fiber::unix` (the portable facade over a
/// platform implementation).
fn platform_siblings(a: &[&str], b: &[&str]) -> bool {
    let is_alt = |s: &&str| ALTERNATIVE_SEGMENTS.contains(s);
    let common = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    match (a.get(common), b.get(common)) {
        (Some(x), Some(y)) => is_alt(x) || is_alt(y),
        (None, Some(_)) => b[common..].iter().any(is_alt),
        (Some(_), None) => a[common..].iter().any(is_alt),
        (None, None) => false,
    }
}

/// A module path with version and platform segments removed and numbered segments reduced
/// to their stem (`dl_1_12` → `dl#`): two paths with equal stems differ only in version.
fn snapshot_stems(module: &[&str]) -> Vec<String> {
    module
        .iter()
        .filter(|s| !names::is_version_tag(s) && !ALTERNATIVE_SEGMENTS.contains(s))
        .map(|s| {
            if s.chars().any(|c| c.is_ascii_digit()) {
                let stem: String = s
                    .chars()
                    .filter(|c| !c.is_ascii_digit() && *c != '_')
                    .collect();
                format!("{stem}#")
            } else {
                s.to_string()
            }
        })
        .collect()
}

/// The path without its last segment (the type's own name).
fn module_segments(path: &str) -> Vec<&str> {
    let mut segs: Vec<&str> = path.split("::").collect();
    segs.pop();
    segs
}

fn layer_words(path: &str) -> BTreeSet<&str> {
    module_segments(path)
        .into_iter()
        .flat_map(|s| s.split('_'))
        .filter(|w| LAYER_WORDS.contains(w))
        .collect()
}

/// The comparable shape of a definition.
struct Shape {
    kind: ItemKind,
    /// Field, variant or method names (empty for tuple structs).
    names: BTreeSet<String>,
    /// The same members with their types (variants: their payload types).
    typed: BTreeSet<(String, String)>,
    /// What `names` are, for messages.
    what: &'static str,
    /// Struct field types, paths shortened to their last segment (`Arc<RwLock<UserId>>`).
    types: Vec<String>,
    positional: bool,
}

impl Shape {
    fn of(item: &Item) -> Shape {
        let mut shape = Shape {
            kind: item.kind,
            names: BTreeSet::new(),
            typed: BTreeSet::new(),
            what: "fields",
            types: Vec::new(),
            positional: false,
        };
        match &item.detail {
            ItemDetail::Struct(s) => {
                shape.positional = s.tuple;
                for f in &s.fields {
                    let ty = ty_key(&f.ty);
                    if let Some(n) = &f.name {
                        shape.names.insert(n.clone());
                        shape.typed.insert((n.clone(), ty.clone()));
                    }
                    shape.types.push(ty);
                }
            }
            ItemDetail::Enum(e) => {
                shape.what = "variants";
                for v in &e.variants {
                    let payload: Vec<String> = v.fields.iter().map(|f| ty_key(&f.ty)).collect();
                    shape.names.insert(v.name.clone());
                    shape.typed.insert((v.name.clone(), payload.join(", ")));
                }
            }
            ItemDetail::Trait(t) => {
                shape.what = "methods";
                for m in &t.methods {
                    shape.names.insert(m.clone());
                    shape.typed.insert((m.clone(), String::new()));
                }
            }
            _ => {}
        }
        shape
    }

    /// Most members shared: at least two, and Jaccard ≥ ½ or ≥ ⅔ of the smaller side.
    /// `strict`: members must agree in type too, and only Jaccard counts.
    fn overlap(&self, other: &Shape, strict: bool) -> Option<Evidence> {
        if self.kind != other.kind {
            return None;
        }
        if self.positional || other.positional {
            let shared = shared_multiset(&self.types, &other.types);
            return mostly_shared(shared.len(), self.types.len(), other.types.len(), strict)
                .then_some(Evidence::SharedTypes { shared });
        }
        let count = if strict {
            self.typed.intersection(&other.typed).count()
        } else {
            self.names.intersection(&other.names).count()
        };
        let shared: Vec<String> = if strict {
            self.typed
                .intersection(&other.typed)
                .map(|(n, _)| n.clone())
                .collect()
        } else {
            self.names.intersection(&other.names).cloned().collect()
        };
        mostly_shared(count, self.names.len(), other.names.len(), strict).then_some(
            Evidence::SharedNames {
                what: self.what,
                shared,
            },
        )
    }
}

fn mostly_shared(shared: usize, a: usize, b: usize, strict: bool) -> bool {
    let union = a + b - shared.min(a + b);
    let smaller = a.min(b);
    if strict {
        shared >= 3 && 2 * shared >= union
    } else {
        shared >= 2 && (2 * shared >= union || 3 * shared >= 2 * smaller)
    }
}

fn shared_multiset(a: &[String], b: &[String]) -> Vec<String> {
    let mut rest: Vec<&String> = b.iter().collect();
    let mut shared = Vec::new();
    for t in a {
        if let Some(pos) = rest.iter().position(|r| *r == t) {
            rest.swap_remove(pos);
            shared.push(t.clone());
        }
    }
    shared
}

/// A type rendered with every path shortened to its last segment, so `crate::ids::UserId`
/// and `UserId` compare equal.
fn ty_key(ty: &Ty) -> String {
    match ty {
        Ty::Path { segments, args } => {
            let mut s = segments.last().cloned().unwrap_or_default();
            if !args.is_empty() {
                s.push('<');
                s.push_str(&args.iter().map(ty_key).collect::<Vec<_>>().join(", "));
                s.push('>');
            }
            s
        }
        Ty::Ref { mutable, inner, .. } => {
            format!("&{}{}", if *mutable { "mut " } else { "" }, ty_key(inner))
        }
        Ty::Ptr(t) => format!("*{}", ty_key(t)),
        Ty::Slice(t) => format!("[{}]", ty_key(t)),
        Ty::Tuple(ts) => format!("({})", ts.iter().map(ty_key).collect::<Vec<_>>().join(", ")),
        other => other.display(),
    }
}

// ---------------------------------------------------------------------------------------
// Wrapping.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wrap {
    None,
    /// A single-field struct holding the other (through `Arc`/`Mutex`/… at most).
    Newtype,
    /// Some field or variant mentions the other: an enum over implementations, an adapter.
    Wrapper,
}

fn fields_of(item: &Item) -> Vec<&Field> {
    match &item.detail {
        ItemDetail::Struct(s) => s.fields.iter().collect(),
        ItemDetail::Enum(e) => e.variants.iter().flat_map(|v| v.fields.iter()).collect(),
        _ => Vec::new(),
    }
}

/// Does `a` hold a value of type `b`?
fn wrap_kind(index: &Index, a: &Candidate, b: &Candidate) -> Wrap {
    let fields = fields_of(a.item);
    if let (ItemDetail::Struct(_), [only]) = (&a.item.detail, fields.as_slice()) {
        if names_def(index, a, peel(&only.ty), b) {
            return Wrap::Newtype;
        }
    }
    let mut mentions = false;
    for f in &fields {
        f.ty.walk(&mut |t| mentions |= names_def(index, a, t, b));
    }
    if mentions {
        Wrap::Wrapper
    } else {
        Wrap::None
    }
}

/// Look through `Arc<Mutex<..>>`-style wrappers to the type that is held.
fn peel(ty: &Ty) -> &Ty {
    let mut ty = ty;
    loop {
        match ty {
            Ty::Path { args, .. } if args.len() == 1 => {
                let (Some(name), Some(inner)) = (ty.last_name(), args.first()) else {
                    return ty;
                };
                if !TRANSPARENT_WRAPPERS.contains(&name) {
                    return ty;
                }
                ty = inner;
            }
            _ => return ty,
        }
    }
}

/// Is the type `ty`, written inside `owner`'s definition, the definition `target`? By the
/// index's resolution of the written path when there is one; else by a written module path
/// that ends the target's path; else, for a bare name, by the name alone (a bare `Session`
/// inside `struct Session` is the type itself, recursion, never another `Session`).
fn names_def(index: &Index, owner: &Candidate, ty: &Ty, target: &Candidate) -> bool {
    let Ty::Path { segments, .. } = ty else {
        return false;
    };
    if segments.last() != Some(&target.item.name) {
        return false;
    }
    let file = index.file(owner.file);
    for (i, r) in file.facts.refs.iter().enumerate() {
        if r.kind == RefKind::Type && &r.segments == segments && within(r.span, owner.item.span) {
            if let Some(res) = index.ref_resolution(owner.file, i) {
                return match res.target {
                    Target::Def(d) => source_item(index, d) == source_item(index, target.def),
                    _ => false,
                };
            }
        }
    }
    let qualified = segments
        .iter()
        .filter(|s| !matches!(s.as_str(), "crate" | "self" | "super" | "Self"))
        .count()
        > 1;
    if qualified {
        path_suffix_matches(segments, target.path)
    } else {
        owner.item.name != target.item.name
    }
}

fn within(inner: Span, outer: Span) -> bool {
    outer.lo <= inner.lo && inner.hi <= outer.hi
}

/// `ws::manager::WebSocketManager` written, `chat::ws::manager::WebSocketManager` defined.
/// Needs at least one module segment (a bare name proves nothing).
fn path_suffix_matches(written: &[String], def_path: &str) -> bool {
    let written: Vec<&str> = written
        .iter()
        .map(String::as_str)
        .skip_while(|s| matches!(*s, "crate" | "self" | "super" | "Self"))
        .collect();
    if written.len() < 2 {
        return false;
    }
    let def: Vec<&str> = def_path.split("::").collect();
    def.ends_with(&written)
}

// ---------------------------------------------------------------------------------------
// `From` conversions.

/// Pairs `(from, to)` of candidates joined by a conversion impl outside test code.
fn conversion_pairs(ctx: &RuleCtx, all: &[Candidate]) -> HashSet<(DefId, DefId)> {
    let index = ctx.index;
    let mut by_name: HashMap<&str, Vec<&Candidate>> = HashMap::new();
    for c in all.iter().filter(|c| c.class == Class::Data) {
        by_name.entry(c.item.name.as_str()).or_default().push(c);
    }
    let mut pairs = HashSet::new();
    for file in index.rust_files() {
        let f = index.file(file);
        if f.in_test && !ctx.config.include_tests {
            continue;
        }
        for imp in &f.facts.impls {
            if imp.in_test && !ctx.config.include_tests {
                continue;
            }
            let Some(tr) = &imp.trait_ else {
                continue;
            };
            let Some(trait_name) = tr.last_name() else {
                continue;
            };
            if !CONVERSION_TRAITS.contains(&trait_name) {
                continue;
            }
            let Some(arg) = tr.args().first() else {
                continue;
            };
            let resolve =
                |ty: &Ty| resolve_in_impl(index, file, &imp.scope, imp.span, ty, &by_name);
            if let (Some(x), Some(y)) = (resolve(arg), resolve(&imp.self_ty)) {
                if x != y {
                    pairs.insert((x, y));
                }
            }
        }
    }
    pairs
}

/// The candidate a type written in an impl header names: by the index's resolution of the
/// written path when there is one, else by name (unique in the workspace, or the one whose
/// path ends with what is written, or the one in the impl's module or crate).
fn resolve_in_impl(
    index: &Index,
    file: FileId,
    scope: &[ScopeSeg],
    impl_span: Span,
    ty: &Ty,
    by_name: &HashMap<&str, Vec<&Candidate>>,
) -> Option<DefId> {
    let Ty::Path { segments, .. } = ty else {
        return None;
    };
    let name = segments.last()?;
    let named = by_name.get(name.as_str())?;
    let f = index.file(file);
    for (i, r) in f.facts.refs.iter().enumerate() {
        if r.kind == RefKind::Type && &r.segments == segments && within(r.span, impl_span) {
            if let Some(res) = index.ref_resolution(file, i) {
                return match res.target {
                    Target::Def(d) if named.iter().any(|c| c.def == d) => Some(d),
                    _ => None,
                };
            }
        }
    }
    let (module, krate) = match &f.role {
        FileRole::Module { krate, .. } => (index.module_at(file, scope), Some(*krate)),
        FileRole::Config => (None, None),
    };
    let workspace = krate.map(|k| index.krate(k).workspace);
    let named: Vec<&&Candidate> = named
        .iter()
        .filter(|c| Some(c.workspace) == workspace)
        .collect();
    let unique = |cs: Vec<&&Candidate>| match cs.as_slice() {
        [one] => Some(one.def),
        _ => None,
    };
    if let Some(d) = unique(named.clone()) {
        return Some(d);
    }
    if let Some(d) = unique(
        named
            .iter()
            .copied()
            .filter(|c| path_suffix_matches(segments, c.path))
            .collect(),
    ) {
        return Some(d);
    }
    if let Some(d) = unique(
        named
            .iter()
            .copied()
            .filter(|c| module.is_some() && Some(index.def(c.def).module) == module)
            .collect(),
    ) {
        return Some(d);
    }
    unique(
        named
            .iter()
            .copied()
            .filter(|c| Some(c.krate) == krate)
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, Spanned};
    use crate::facts::{EnumInfo, FileFacts, ImplBlock, StructInfo, TraitInfo, Variant, Vis};
    use crate::index::concepts::ConceptIndex;
    use crate::index::{Crate, Def, IndexedFile, Module, ModuleId};
    use crate::source::SourceFile;
    use std::path::PathBuf;

    /// A hand-built index: one file per definition, so spans are easy.
    #[derive(Default)]
    struct Ws {
        index: Index,
        config: Config,
    }

    /// `a::B<C, D<E>>` → `Ty::Path`.
    fn ty(text: &str) -> Ty {
        fn parse(s: &str) -> (Ty, &str) {
            let s = s.trim_start();
            let end = s.find(['<', '>', ',']).unwrap_or(s.len());
            let segments = s[..end].trim().split("::").map(str::to_string).collect();
            let mut rest = &s[end..];
            let mut args = Vec::new();
            if let Some(r) = rest.strip_prefix('<') {
                rest = r;
                loop {
                    let (arg, r) = parse(rest);
                    args.push(arg);
                    rest = r.trim_start();
                    if let Some(r) = rest.strip_prefix(',') {
                        rest = r;
                    } else {
                        rest = rest.strip_prefix('>').unwrap_or(rest);
                        break;
                    }
                }
            }
            (Ty::Path { segments, args }, rest)
        }
        parse(text).0
    }

    fn field(name: Option<&str>, t: &str) -> Field {
        Field {
            name: name.map(str::to_string),
            ty: ty(t),
            vis: Vis::Public,
        }
    }

    fn item(name: &str, kind: ItemKind, detail: ItemDetail) -> Item {
        Item::new(name, kind, detail)
    }

    fn strukt(name: &str, fields: &[(&str, &str)]) -> Item {
        let fields = fields.iter().map(|(n, t)| field(Some(n), t)).collect();
        item(
            name,
            ItemKind::Struct,
            ItemDetail::Struct(StructInfo {
                tuple: false,
                unit: false,
                fields,
            }),
        )
    }

    fn tuple(name: &str, types: &[&str]) -> Item {
        let fields = types.iter().map(|t| field(None, t)).collect();
        item(
            name,
            ItemKind::Struct,
            ItemDetail::Struct(StructInfo {
                tuple: true,
                unit: false,
                fields,
            }),
        )
    }

    fn enm(name: &str, variants: &[(&str, Option<&str>)]) -> Item {
        let variants = variants
            .iter()
            .map(|(v, t)| Variant {
                name: v.to_string(),
                fields: t.iter().map(|t| field(None, t)).collect(),
            })
            .collect();
        item(
            name,
            ItemKind::Enum,
            ItemDetail::Enum(EnumInfo { variants }),
        )
    }

    fn trait_(name: &str, methods: &[&str]) -> Item {
        let methods = methods.iter().map(|m| m.to_string()).collect();
        item(
            name,
            ItemKind::Trait,
            ItemDetail::Trait(TraitInfo { methods }),
        )
    }

    impl Ws {
        fn krate(&mut self, name: &str, kind: CrateKind, workspace: u32) -> CrateId {
            let krate = CrateId(self.index.crates.len() as u32);
            let root = ModuleId(self.index.modules.len() as u32);
            let file = self.file("", FileFacts::default(), krate, root);
            self.index.modules.push(Module {
                krate,
                path: Vec::new(),
                file,
                scope: Vec::new(),
                parent: None,
                children: HashMap::new(),
                decl: None,
                in_test: false,
                deprecated: false,
                doc_hidden: false,
                public: true,
            });
            self.index.crates.push(Crate {
                name: name.into(),
                package: name.replace('_', "-"),
                kind,
                root_module: root,
                manifest_path: PathBuf::from(format!("/ws/{name}/Cargo.toml")),
                is_test: matches!(kind, CrateKind::Test | CrateKind::Example),
                deps: HashMap::new(),
                workspace,
            });
            krate
        }

        fn file(&mut self, text: &str, facts: FileFacts, krate: CrateId, m: ModuleId) -> FileId {
            let id = FileId(self.index.files.len() as u32);
            self.index.files.push(IndexedFile {
                source: SourceFile::new(
                    PathBuf::from(format!("/ws/f{}.rs", id.0)),
                    format!("f{}.rs", id.0),
                    text.into(),
                ),
                facts,
                role: FileRole::Module { krate, module: m },
                in_test: false,
            });
            self.index.item_defs.push(Vec::new());
            id
        }

        /// Define `item` at `module_path::Name` in crate `krate`.
        fn def(&mut self, krate: CrateId, module_path: &str, mut it: Item) -> DefId {
            let text = format!("struct {} {{}}", it.name);
            it.name_span = Span::new(7, 7 + it.name.len());
            it.span = Span::new(0, text.len());
            let crate_name = self.index.krate(krate).name.clone();
            let path = if module_path.is_empty() {
                format!("{crate_name}::{}", it.name)
            } else {
                format!("{crate_name}::{module_path}::{}", it.name)
            };
            let root = self.index.krate(krate).root_module;
            let in_test = it.in_test;
            let name = it.name.clone();
            let facts = FileFacts {
                items: vec![it],
                ..FileFacts::default()
            };
            let file = self.file(&text, facts, krate, root);
            let def = DefId(self.index.defs.len() as u32);
            self.index.defs.push(Def {
                file,
                item: 0,
                krate,
                module: root,
                path,
                in_test,
            });
            self.index.defs_by_name.entry(name).or_default().push(def);
            if let Some(v) = self.index.item_defs.last_mut() {
                v.push(Some(def));
            }
            def
        }

        /// `impl From<from> for to` in crate `krate`.
        fn impl_from(&mut self, krate: CrateId, from: &str, to: &str) {
            let facts = FileFacts {
                impls: vec![ImplBlock {
                    scope: Vec::new(),
                    self_ty: ty(to),
                    trait_: Some(Ty::Path {
                        segments: vec!["From".into()],
                        args: vec![ty(from)],
                    }),
                    span: Span::new(0, 10),
                    in_test: false,
                    fns: vec!["from".into()],
                }],
                ..FileFacts::default()
            };
            let root = self.index.krate(krate).root_module;
            self.file("impl From", facts, krate, root);
        }

        fn concept(&mut self, name: &str, canonical: Option<DefId>, members: &[DefId]) {
            let n = self.config.concepts.len();
            self.config.concepts.push(crate::config::Concept {
                name: Spanned::new(name.into(), Span::default()),
                canonical: canonical
                    .map(|c| Spanned::new(self.index.def(c).path.clone(), Span::default())),
                names: Vec::new(),
                aliases: Vec::new(),
                deprecated: Vec::new(),
                factories: Vec::new(),
                shims: Vec::new(),
                context: None,
            });
            self.index.concepts.push(ConceptIndex {
                concept: n,
                canonical,
                members: members.to_vec(),
            });
        }

        fn run(&self) -> Vec<Finding> {
            check(&RuleCtx {
                index: &self.index,
                config: &self.config,
            })
        }

        /// `(item_path, level, related item paths)` of each finding.
        fn flagged(&self) -> Vec<(String, Level, Vec<String>)> {
            let mut v: Vec<_> = self
                .run()
                .into_iter()
                .map(|f| {
                    let related = f
                        .related
                        .iter()
                        .filter_map(|r| {
                            self.index
                                .defs
                                .iter()
                                .find(|d| d.file == r.file)
                                .map(|d| d.path.clone())
                        })
                        .collect();
                    (f.item_path, f.level, related)
                })
                .collect();
            v.sort();
            v
        }

        fn flagged_paths(&self) -> Vec<String> {
            self.flagged().into_iter().map(|(p, _, _)| p).collect()
        }
    }

    const MANAGER_FIELDS: &[(&str, &str)] = &[
        (
            "connections",
            "Arc<RwLock<HashMap<UserId, Sender<Message>>>>",
        ),
        ("config", "WsConfig"),
        ("events", "broadcast::Sender<Event>"),
    ];

    #[test]
    fn decorated_copy_with_overlapping_fields_is_a_warning_pointing_at_the_original() {
        let mut ws = Ws::default();
        let core = ws.krate("chat_core", CrateKind::Lib, 0);
        let api = ws.krate("chat_api", CrateKind::Lib, 0);
        ws.def(
            core,
            "ws::manager",
            strukt("WebSocketManager", MANAGER_FIELDS),
        );
        ws.def(
            api,
            "ws",
            strukt(
                "UnifiedWebSocketManager",
                &[
                    ("connections", "DashMap<UserId, Conn>"),
                    ("config", "WsConfig"),
                    ("user_id", "UserId"),
                    ("metrics", "Metrics"),
                ],
            ),
        );
        let found = ws.flagged();
        assert_eq!(
            found,
            [(
                "chat_api::ws::UnifiedWebSocketManager".to_string(),
                Level::Warning,
                vec!["chat_core::ws::manager::WebSocketManager".to_string()]
            )]
        );
        let f = &ws.run()[0];
        assert!(
            f.message.contains("`config`, `connections`"),
            "{}",
            f.message
        );
        assert_eq!(
            ws.index.span_text(f.file, f.span),
            "UnifiedWebSocketManager"
        );
    }

    #[test]
    fn newtype_over_same_normalized_name_is_a_duplicate_but_other_wrappers_are_not() {
        let mut ws = Ws::default();
        let core = ws.krate("chat_core", CrateKind::Lib, 0);
        ws.def(core, "ws", strukt("WebSocketManager", MANAGER_FIELDS));
        ws.def(
            core,
            "compat",
            tuple("WsManager", &["Arc<crate::ws::WebSocketManager>"]),
        );
        // An enum over implementations and a serde adapter: differently named wrappers.
        ws.def(
            core,
            "any",
            enm(
                "AnyManager",
                &[
                    ("Ws", Some("WebSocketManager")),
                    ("Sse", Some("SseManager")),
                ],
            ),
        );
        ws.def(core, "serde", tuple("ManagerSerde", &["WebSocketManager"]));
        // An FFI wrapper of the same name: the binding layer, not a second concept.
        let ffi = ws.krate("chat_ffi", CrateKind::Lib, 0);
        ws.def(
            ffi,
            "",
            tuple("WebSocketManager", &["chat_core::ws::WebSocketManager"]),
        );
        assert_eq!(ws.flagged_paths(), ["chat_core::compat::WsManager"]);
        let f = &ws.run()[0];
        assert!(f.message.contains("newtype"), "{}", f.message);
    }

    #[test]
    fn an_enum_or_struct_that_wraps_the_other_is_not_a_duplicate() {
        let mut ws = Ws::default();
        let core = ws.krate("chat_core", CrateKind::Lib, 0);
        ws.def(
            core,
            "session",
            strukt("Session", &[("id", "Uuid"), ("user", "UserId")]),
        );
        ws.def(
            core,
            "legacy",
            enm(
                "LegacySession",
                &[("Current", Some("Session")), ("Old", Some("OldToken"))],
            ),
        );
        ws.def(
            core,
            "tracked",
            strukt(
                "SessionImpl",
                &[
                    ("id", "Uuid"),
                    ("user", "UserId"),
                    ("inner", "Session"),
                    ("at", "Instant"),
                ],
            ),
        );
        assert!(ws.flagged_paths().is_empty(), "{:?}", ws.flagged());
    }

    #[test]
    fn from_conversions_join_differently_decorated_names() {
        let mut ws = Ws::default();
        let core = ws.krate("chat_core", CrateKind::Lib, 0);
        ws.def(
            core,
            "auth::session",
            strukt("Session", &[("id", "SessionId"), ("user_id", "UserId")]),
        );
        ws.def(
            core,
            "legacy",
            strukt("LegacySession", &[("token", "String"), ("uid", "u64")]),
        );
        assert!(ws.flagged_paths().is_empty());
        ws.impl_from(core, "LegacySession", "Session");
        let found = ws.flagged();
        assert_eq!(
            found,
            [(
                "chat_core::legacy::LegacySession".to_string(),
                Level::Warning,
                vec!["chat_core::auth::session::Session".to_string()]
            )]
        );
    }

    #[test]
    fn fn_local_and_cfg_gated_copies_count() {
        let mut ws = Ws::default();
        let core = ws.krate("chat_core", CrateKind::Lib, 0);
        let api = ws.krate("chat_api", CrateKind::Bin, 0);
        ws.def(core, "ws", strukt("WebSocketManager", MANAGER_FIELDS));
        let mut local = strukt(
            "EmergencyWebSocketManager",
            &[
                ("connections", "HashMap<String, Sender>"),
                ("config", "WsConfig"),
            ],
        );
        local.in_fn_body = true;
        ws.def(api, "routes::ws_handler", local);
        let mut gated = strukt("FallbackWebSocketManager", MANAGER_FIELDS);
        gated.cfg_gated = true;
        ws.def(core, "fallback", gated);
        assert_eq!(
            ws.flagged_paths(),
            [
                "chat_api::routes::ws_handler::EmergencyWebSocketManager",
                "chat_core::fallback::FallbackWebSocketManager"
            ]
        );
        let local = ws
            .run()
            .into_iter()
            .find(|f| f.item_path.ends_with("EmergencyWebSocketManager"))
            .and_then(|f| f.help);
        assert!(local.is_some_and(|h| h.contains("fn-local")));
    }

    #[test]
    fn conventional_names_and_different_shapes_are_silent() {
        let mut ws = Ws::default();
        let a = ws.krate("a", CrateKind::Lib, 0);
        for m in ["x", "y"] {
            ws.def(
                a,
                m,
                enm("Error", &[("Io", Some("io::Error")), ("Parse", None)]),
            );
            ws.def(
                a,
                m,
                strukt("Config", &[("host", "String"), ("port", "u16")]),
            );
            ws.def(
                a,
                m,
                strukt("Builder", &[("host", "String"), ("port", "u16")]),
            );
            ws.def(
                a,
                m,
                strukt("DefaultConfig", &[("host", "String"), ("port", "u16")]),
            );
        }
        ws.def(
            a,
            "x",
            strukt("Channel", &[("id", "u64"), ("name", "String")]),
        );
        ws.def(
            a,
            "y",
            strukt("Channel", &[("tx", "Sender"), ("rx", "Receiver")]),
        );
        ws.def(a, "z", enm("Channel", &[("Id", None), ("Name", None)]));
        assert!(ws.flagged_paths().is_empty(), "{:?}", ws.flagged());
    }

    #[test]
    fn layer_splits_projections_and_private_helpers_are_silent() {
        let mut ws = Ws::default();
        let a = ws.krate("app", CrateKind::Lib, 0);
        let user = &[
            ("id", "i64"),
            ("name", "String"),
            ("email", "String"),
            ("password_hash", "String"),
            ("created_at", "i64"),
        ];
        ws.def(a, "users", strukt("User", user));
        // The same fields in another layer: a deliberate mirror (DB row, wire, FFI).
        ws.def(a, "db::models", strukt("User", user));
        ws.def(a, "grpc", strukt("User", user));
        ws.def(a, "ffi", strukt("User", user));
        // A projection: two columns of the same table, selected for one query.
        ws.def(
            a,
            "queries",
            strukt("User", &[("id", "i64"), ("name", "String")]),
        );
        // Two module-private helpers that happen to look alike.
        for m in ["feed_a", "feed_b"] {
            let mut helper = strukt("VersionUpdate", &[("time", "u64"), ("version", "String")]);
            helper.vis = Vis::Private;
            ws.def(a, m, helper);
        }
        assert!(ws.flagged_paths().is_empty(), "{:?}", ws.flagged());
        // A public copy with the same fields and types, outside any layer module.
        ws.def(a, "accounts", strukt("User", user));
        assert_eq!(ws.flagged_paths(), ["app::accounts::User"]);
    }

    #[test]
    fn version_tags_mark_snapshots_of_data_but_rewrites_of_managers() {
        let mut ws = Ws::default();
        let a = ws.krate("app", CrateKind::Lib, 0);
        let fields = &[("id", "u64"), ("path", "String"), ("size", "u64")];
        ws.def(a, "types", strukt("SegmentConfig", fields));
        ws.def(a, "compat", strukt("SegmentConfigV5", fields));
        ws.def(a, "migration::dl11", strukt("BuiltinGroup", fields));
        ws.def(a, "migration::dl_1_12", strukt("BuiltinGroup", fields));
        assert!(ws.flagged_paths().is_empty(), "{:?}", ws.flagged());
        ws.def(a, "ws", strukt("WebSocketManager", MANAGER_FIELDS));
        ws.def(a, "ws2", strukt("WebSocketManagerV2", MANAGER_FIELDS));
        assert_eq!(ws.flagged_paths(), ["app::ws2::WebSocketManagerV2"]);
    }

    #[test]
    fn generated_files_are_skipped() {
        let mut ws = Ws::default();
        let a = ws.krate("app", CrateKind::Lib, 0);
        let point = &[("x", "f64"), ("y", "f64"), ("z", "f64")];
        ws.def(a, "x", strukt("Point", point));
        let gen = ws.def(a, "y", strukt("Point", point));
        assert_eq!(ws.flagged_paths(), ["app::y::Point"]);
        let file = ws.index.def(gen).file.0 as usize;
        let text = "// This file is @generated by prost-build.\nstruct Point {}";
        ws.index.files[file].facts.generated = crate::facts::marks_generated(text);
        assert!(ws.flagged_paths().is_empty());
    }

    #[test]
    fn versioned_snapshots_and_platform_alternatives_are_silent() {
        let mut ws = Ws::default();
        let a = ws.krate("proto", CrateKind::Lib, 0);
        let fields = &[("id", "u64"), ("body", "String"), ("sent", "u64")];
        ws.def(a, "v1", strukt("ChatMessage", fields));
        ws.def(a, "v2", strukt("ChatMessage", fields));
        ws.def(a, "", strukt("ChatMessage", fields));
        ws.def(
            a,
            "sys::unix",
            strukt("Poller", &[("fd", "i32"), ("events", "Vec")]),
        );
        ws.def(
            a,
            "sys::windows",
            strukt("Poller", &[("fd", "i32"), ("events", "Vec")]),
        );
        ws.def(a, "x", strukt("EventV1", &[("id", "u64"), ("at", "u64")]));
        ws.def(a, "y", strukt("EventV2", &[("id", "u64"), ("at", "u64")]));
        assert!(ws.flagged_paths().is_empty(), "{:?}", ws.flagged());
    }

    #[test]
    fn per_architecture_backends_facades_and_public_faces_are_silent() {
        let mut ws = Ws::default();
        let a = ws.krate("codegen", CrateKind::Lib, 0);
        let emit = &[("frame", "u32"), ("offset", "u32"), ("labels", "Vec")];
        ws.def(a, "isa::x64::inst", strukt("EmitState", emit));
        ws.def(a, "isa::aarch64::inst", strukt("EmitState", emit));
        ws.def(a, "isa::interp_shared::inst", strukt("EmitState", emit));
        ws.def(
            a,
            "isa::riscv64::inst::emit_state",
            strukt("EmitState", emit),
        );
        let stack = &[("base", "usize"), ("len", "usize"), ("mapped", "bool")];
        ws.def(a, "fiber::unix", strukt("FiberStack", stack));
        ws.def(a, "fiber::custom", strukt("FiberStack", stack));
        ws.def(
            a,
            "fiber",
            tuple("FiberStack", &["crate::fiber::unix::FiberStack"]),
        );
        // a portable copy next to the per-platform ones is still reported, alone
        ws.def(a, "pool::queue", strukt("FiberStack", stack));
        // a public face over a crate-internal type of the same name
        let mut inner = strukt("Trace", &[("frames", "Vec"), ("depth", "u32")]);
        inner.vis = Vis::Crate;
        ws.def(a, "task::trace", inner);
        ws.def(a, "dump", tuple("Trace", &["crate::task::trace::Trace"]));
        // the same node in the syntax tree and in the checked form
        let fields = &[("name", "String"), ("ty", "TypeId"), ("pos", "Pos")];
        ws.def(a, "ast", strukt("Field", fields));
        ws.def(a, "sema", strukt("Field", fields));
        assert_eq!(ws.flagged_paths(), ["codegen::pool::queue::FiberStack"]);
        // ... while a public newtype over a public type still is one
        let b = ws.krate("chat", CrateKind::Lib, 0);
        ws.def(b, "ws", strukt("WebSocketManager", MANAGER_FIELDS));
        ws.def(
            b,
            "compat",
            tuple("WsManager", &["crate::ws::WebSocketManager"]),
        );
        assert_eq!(
            ws.flagged_paths(),
            [
                "chat::compat::WsManager",
                "codegen::pool::queue::FiberStack"
            ]
        );
    }

    #[test]
    fn traits_compare_with_traits_only() {
        let mut ws = Ws::default();
        let a = ws.krate("store", CrateKind::Lib, 0);
        ws.def(a, "", trait_("Storage", &["get", "put", "delete"]));
        ws.def(a, "mem", strukt("Storage", &[("get", "Fn"), ("put", "Fn")]));
        assert!(ws.flagged_paths().is_empty(), "{:?}", ws.flagged());
        ws.def(
            a,
            "legacy",
            trait_("LegacyStorage", &["get", "put", "list"]),
        );
        assert_eq!(ws.flagged_paths(), ["store::legacy::LegacyStorage"]);
    }

    #[test]
    fn tuple_and_named_forms_of_the_same_data_count() {
        let mut ws = Ws::default();
        let a = ws.krate("geo", CrateKind::Lib, 0);
        ws.def(
            a,
            "",
            strukt(
                "Location",
                &[("lat", "f64"), ("lon", "f64"), ("alt", "Option<f64>")],
            ),
        );
        ws.def(a, "compat", tuple("SimpleLocation", &["f64", "f64"]));
        assert_eq!(ws.flagged_paths(), ["geo::compat::SimpleLocation"]);
    }

    #[test]
    fn separate_workspaces_examples_tests_and_shared_files_are_silent() {
        let mut ws = Ws::default();
        let a = ws.krate("svc_a", CrateKind::Lib, 0);
        let b = ws.krate("svc_b", CrateKind::Lib, 1);
        let ex = ws.krate("demo", CrateKind::Example, 0);
        ws.def(a, "", strukt("SessionStore", MANAGER_FIELDS));
        ws.def(b, "", strukt("SessionStore", MANAGER_FIELDS));
        ws.def(ex, "", strukt("SessionStore", MANAGER_FIELDS));
        let mut t = strukt("SessionStore", MANAGER_FIELDS);
        t.in_test = true;
        ws.def(a, "tests", t);
        // A file compiled into both the lib and a bin of one package.
        let bin = ws.krate("svc_a_bin", CrateKind::Bin, 0);
        let first = ws.def(a, "shared", strukt("Pool", &[("a", "u8"), ("b", "u8")]));
        let copy = DefId(ws.index.defs.len() as u32);
        let mut d = ws.index.def(first).clone();
        d.krate = bin;
        d.path = "svc_a_bin::shared::Pool".into();
        ws.index.defs.push(d);
        ws.index
            .defs_by_name
            .entry("Pool".into())
            .or_default()
            .push(copy);
        assert!(ws.flagged_paths().is_empty(), "{:?}", ws.flagged());
        ws.config.include_tests = true;
        assert_eq!(ws.flagged_paths(), ["svc_a::tests::SessionStore"]);
    }

    #[test]
    fn the_kept_definition_is_the_undecorated_module_level_one() {
        let mut ws = Ws::default();
        let a = ws.krate("a", CrateKind::Lib, 0);
        ws.def(a, "x", strukt("WsManager", MANAGER_FIELDS));
        ws.def(
            a,
            "deeply::nested::module",
            strukt("WebSocketManager", MANAGER_FIELDS),
        );
        assert_eq!(ws.flagged_paths(), ["a::x::WsManager"]);
    }

    #[test]
    fn configured_members_other_than_the_canonical_are_errors() {
        let mut ws = Ws::default();
        let core = ws.krate("chat_core", CrateKind::Lib, 0);
        let api = ws.krate("chat_api", CrateKind::Lib, 0);
        let canonical = ws.def(
            core,
            "ws::manager",
            strukt("WebSocketManager", MANAGER_FIELDS),
        );
        // Nothing in common with the canonical: configured membership alone decides.
        let unified = ws.def(api, "ws", strukt("UnifiedWebSocketManager", &[("x", "u8")]));
        let newtype = ws.def(api, "compat", tuple("WsManager", &["WebSocketManager"]));
        let abstraction = ws.def(core, "api", trait_("WebSocketManager", &["send"]));
        let mut t = strukt("MockWebSocketManager", MANAGER_FIELDS);
        t.in_test = true;
        let mock = ws.def(api, "tests", t);
        // Not a member (not matched by the concept's names), but a copy all the same.
        ws.def(api, "v", strukt("WebsocketManager", MANAGER_FIELDS));
        ws.concept(
            "websocket-manager",
            Some(canonical),
            &[canonical, unified, newtype, abstraction, mock],
        );
        let canon = "chat_core::ws::manager::WebSocketManager".to_string();
        assert_eq!(
            ws.flagged(),
            [
                (
                    "chat_api::compat::WsManager".to_string(),
                    Level::Error,
                    vec![canon.clone()]
                ),
                (
                    "chat_api::v::WebsocketManager".to_string(),
                    Level::Warning,
                    vec![canon.clone()]
                ),
                (
                    "chat_api::ws::UnifiedWebSocketManager".to_string(),
                    Level::Error,
                    vec![canon.clone()]
                ),
            ]
        );
        let findings = ws.run();
        let f = findings
            .iter()
            .find(|f| f.item_path == "chat_api::compat::WsManager");
        let f = f.map(|f| (f.message.as_str(), f.help.as_deref().unwrap_or("")));
        assert!(f.is_some_and(|(m, h)| m.contains("websocket-manager")
            && m.contains("newtype")
            && h.contains("pub type WsManager = chat_core::ws::manager::WebSocketManager;")));
    }

    #[test]
    fn unresolved_canonical_reports_nothing_but_still_claims_its_members() {
        let mut ws = Ws::default();
        let a = ws.krate("a", CrateKind::Lib, 0);
        let m1 = ws.def(a, "x", strukt("WebSocketManager", MANAGER_FIELDS));
        let m2 = ws.def(a, "y", strukt("WsManager", MANAGER_FIELDS));
        ws.concept("ws", None, &[m1, m2]);
        ws.config.concepts[0].canonical = Some(Spanned::new(
            "a::nowhere::WebSocketManager".into(),
            Span::default(),
        ));
        assert!(ws.flagged_paths().is_empty());
        // No canonical configured at all: the first member is kept.
        ws.config.concepts[0].canonical = None;
        assert_eq!(ws.flagged_paths(), ["a::y::WsManager"]);
    }

    #[test]
    fn overlap_thresholds() {
        assert!(mostly_shared(2, 3, 4, false)); // 2 of the smaller 3
        assert!(mostly_shared(3, 4, 5, false)); // jaccard 3/6
        assert!(!mostly_shared(1, 1, 1, false)); // one shared field proves nothing
        assert!(!mostly_shared(2, 4, 8, false)); // 2/10 and 2 of 4
        assert!(mostly_shared(2, 2, 9, false)); // all of the smaller side
        assert!(!mostly_shared(2, 2, 9, true)); // ... but a projection of a same-named type
        assert!(mostly_shared(3, 4, 5, true));
        assert!(!mostly_shared(2, 2, 3, true)); // too small to tell a copy from a pair
    }
}
