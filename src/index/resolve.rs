//! Path resolution: `use` trees, re-export chains, globs, `self`/`super`/`crate`, other
//! workspace crates, `extern crate .. as ..`.
//!
//! The model follows rustc (2018+ editions) as far as it matters for finding where a path
//! leads:
//! - every module and every fn body / block that declares items or `use`s has a *scope
//!   table*: name → binding, in three namespaces (types+modules, values, macros);
//! - items bind directly; explicit imports (`use a::B`, `use a::B as C`, `use a::{self}`)
//!   bind once their path resolves; glob imports are kept as edges and followed at lookup
//!   time (so a glob over a module that gains names later needs no copying), with a visited
//!   set so cyclic globs terminate;
//! - imports can depend on each other, so they are resolved in rounds until no binding
//!   changes (bounded);
//! - a name is looked up in the innermost fn-body scope first, then outwards to the module;
//!   module scopes do not inherit from their parent (Rust scoping); then the extern prelude
//!   (workspace crates this crate depends on, root-level `extern crate`), then what is
//!   obviously outside the workspace (std, dependency crates) becomes [`Target::External`].

use super::{CrateId, DefId, FileRole, Index, ModuleId, Resolution, Target, UseId};
use crate::facts::{ItemDetail, ItemKind, RefKind, ScopeSeg, UseKind, UseLeaf, Vis};
use crate::source::FileId;
use std::collections::HashMap;

/// FxHash (rustc's hasher): the maps here are keyed by small integers and interned names,
/// where SipHash's DoS resistance buys nothing and costs most of the lookup time.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut buf = [0u8; 8];
            buf[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(buf));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(i.into());
    }
    fn write_u32(&mut self, i: u32) {
        self.add(i.into());
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

pub(crate) type FxMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<FxHasher>>;
pub(crate) type FxSet<K> = std::collections::HashSet<K, std::hash::BuildHasherDefault<FxHasher>>;

/// Import rounds before giving up on a fixpoint (real code converges in a handful).
const MAX_ROUNDS: usize = 32;
/// Modules one glob lookup may visit; bounds the cost of pathological glob webs.
const MAX_GLOB_VISITS: usize = 4096;

/// A namespace. Types and modules share one, as in rustc.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Ns {
    Type = 0,
    Value = 1,
    Macro = 2,
}

/// Namespaces a path's last segment is looked up in, in order of preference.
pub(crate) const TYPE: &[Ns] = &[Ns::Type];
const VALUE_THEN_TYPE: &[Ns] = &[Ns::Value, Ns::Type];
const TYPE_THEN_VALUE: &[Ns] = &[Ns::Type, Ns::Value];
const MACRO: &[Ns] = &[Ns::Macro];
pub(crate) const ANY: &[Ns] = &[Ns::Type, Ns::Value, Ns::Macro];

/// What a written path of this kind may name.
pub(crate) fn wanted(kind: RefKind) -> &'static [Ns] {
    match kind {
        RefKind::Type | RefKind::StructLit | RefKind::Trait | RefKind::DefaultAnnotated => TYPE,
        // A pattern names a struct/variant, or a const: never let a fn shadow the type.
        RefKind::Pattern => TYPE_THEN_VALUE,
        // A unit/tuple struct is a value too; a named struct as a value is a compile error,
        // so falling back to the type costs nothing and survives odd extractions.
        RefKind::Value | RefKind::Call => VALUE_THEN_TYPE,
        RefKind::Macro => MACRO,
    }
}

/// An interned identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Sym(u32);

#[derive(Debug, Clone, Default)]
struct Interner {
    map: FxMap<String, Sym>,
    names: Vec<String>,
}

impl Interner {
    fn intern(&mut self, s: &str) -> Sym {
        if let Some(sym) = self.map.get(s) {
            return *sym;
        }
        let sym = Sym(self.names.len() as u32);
        self.names.push(s.to_string());
        self.map.insert(s.to_string(), sym);
        sym
    }
    /// A name nothing in the workspace binds is simply not interned.
    fn get(&self, s: &str) -> Option<Sym> {
        self.map.get(s).copied()
    }
    fn name(&self, sym: Sym) -> &str {
        self.names.get(sym.0 as usize).map_or("", String::as_str)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// An item (or a child module) declared in the scope: never displaced by an import.
    Item,
    /// An explicit import leaf.
    Import(UseId),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Binding {
    target: Target,
    /// Use leaves from this binding to the definition (its own leaf first for an import).
    via: Vec<UseId>,
    vis: Vis,
    source: Source,
}

type Slots = [Option<Binding>; 3];

#[derive(Debug, Clone)]
struct Glob {
    leaf: UseId,
    vis: Vis,
    /// The globbed module/crate/enum, once its path resolves.
    target: Option<Target>,
}

#[derive(Debug, Clone)]
struct ScopeTable {
    /// The module this scope is (or whose fn bodies it sits in).
    module: ModuleId,
    names: FxMap<Sym, Slots>,
    globs: Vec<Glob>,
}

/// Where a use leaf or path sits: its module and the fn-body scopes around it, innermost first.
#[derive(Debug, Clone)]
struct ScopeCtx {
    module: ModuleId,
    blocks: Vec<u32>,
}

/// `(file, Mod-only scope) → module`, looked up by slice without allocating per query.
#[derive(Debug, Clone, Default)]
pub(crate) struct ModKeys {
    by_file: HashMap<FileId, HashMap<Vec<ScopeSeg>, ModuleId>>,
}

impl ModKeys {
    pub(crate) fn new(index: &Index) -> ModKeys {
        let mut by_file: HashMap<FileId, HashMap<Vec<ScopeSeg>, ModuleId>> = HashMap::new();
        for ((file, scope), m) in &index.module_by_file_scope {
            by_file.entry(*file).or_default().insert(scope.clone(), *m);
        }
        ModKeys { by_file }
    }

    /// The innermost module containing `scope` in `file`, and how many scope segments
    /// belong to reaching it (the rest are fn/impl/block segments inside that module).
    pub(crate) fn locate(&self, file: FileId, scope: &[ScopeSeg]) -> Option<(ModuleId, usize)> {
        let keys = self.by_file.get(&file)?;
        let mut best = keys.get(&[][..]).map(|m| (*m, 0));
        let mut mods: Vec<ScopeSeg> = Vec::new();
        for (i, seg) in scope.iter().enumerate() {
            if let ScopeSeg::Mod(_) = seg {
                mods.push(seg.clone());
                if let Some(m) = keys.get(mods.as_slice()) {
                    best = Some((*m, i + 1));
                }
            }
        }
        best
    }
}

/// Where an item or use leaf binds its name.
enum Placement {
    /// In the module's own table.
    Module(ModuleId),
    /// In a fn body (or other block) of the module: keyed by the full scope.
    Block(ModuleId),
    /// An associated item (`impl`/trait member): reachable only through its type.
    Associated,
}

fn placement(scope: &[ScopeSeg], module: ModuleId, skip: usize) -> Placement {
    let tail = scope.get(skip..).unwrap_or(&[]);
    match tail.last() {
        None => Placement::Module(module),
        Some(ScopeSeg::Impl(_)) => Placement::Associated,
        Some(_) => Placement::Block(module),
    }
}

/// Cached glob walks of one resolution pass: `name → (scope, ns) → binding`. Only valid
/// while no glob target and no binding of that name changes (see [`Memo::forget`]).
#[derive(Default)]
struct Memo(FxMap<Sym, FxMap<(u32, Ns), Option<Binding>>>);

impl Memo {
    fn get(&self, (scope, name, ns): &(u32, Sym, Ns)) -> Option<&Option<Binding>> {
        self.0.get(name)?.get(&(*scope, *ns))
    }
    fn insert(&mut self, (scope, name, ns): (u32, Sym, Ns), found: Option<Binding>) {
        self.0.entry(name).or_default().insert((scope, ns), found);
    }
    /// A binding of `name` changed: walks that looked for it may now find something else.
    fn forget(&mut self, name: Sym) {
        self.0.remove(&name);
    }
}

/// What a leaf's resolution read from the tables, recorded by [`NameTables::lookup_own`]
/// while [`RECORDING`] is on: a name in one table without globs, or a name in a table with
/// globs (the walk may read that name in any table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dep {
    Direct(u32, Sym),
    Walk(Sym),
    /// Glob targets read outside a walk (external globs behind a path).
    Globs,
}

thread_local! {
    static RECORDING: std::cell::RefCell<Option<Vec<Dep>>> =
        const { std::cell::RefCell::new(None) };
}

fn record(dep: Dep) {
    RECORDING.with(|r| {
        if let Some(deps) = r.borrow_mut().as_mut() {
            deps.push(dep);
        }
    });
}

/// What a path's first segment is bound to: the target, and the import it came through
/// (`None` for an item, a child module or a crate).
pub(crate) type FirstSegment = (Target, Option<UseId>);

/// The name tables of the whole workspace, kept in the index after the build so rules can
/// resolve further paths ([`Index::resolve_path`](super::Index::resolve_path) and friends).
#[derive(Clone, Default)]
pub struct NameTables {
    interner: Interner,
    /// Module scopes first (index = `ModuleId`), then fn-body/block scopes.
    scopes: Vec<ScopeTable>,
    /// Block scopes by file and full scope.
    blocks: HashMap<FileId, HashMap<Vec<ScopeSeg>, u32>>,
    mod_keys: ModKeys,
    /// Per crate: names every module can use as a first segment (workspace dependencies,
    /// root-level `extern crate`).
    extern_prelude: Vec<FxMap<Sym, Target>>,
    crates_by_name: HashMap<String, Vec<CrateId>>,
    /// cfg-switched twins (`#[cfg(f)] mod gpu;` + `#[cfg(not(f))] mod gpu { .. }`): for each
    /// such module, the others with its parent and name. Paths reach the first one; a name
    /// it lacks is looked for in the others.
    twins: FxMap<ModuleId, Vec<ModuleId>>,
    /// Per symbol, a bit per namespace in which *some* table binds it (or an enum has such
    /// a variant). A lookup of a name bound nowhere in that namespace fails at once instead
    /// of walking every glob: types looked up as values are the common case.
    bound_in: Vec<u8>,
}

impl std::fmt::Debug for NameTables {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NameTables")
            .field("names", &self.interner.names.len())
            .field("scopes", &self.scopes.len())
            .finish()
    }
}

/// What `resolve` computes for the index.
pub(crate) struct Resolved {
    pub(crate) tables: NameTables,
    pub(crate) use_res: Vec<Vec<Option<Resolution>>>,
    pub(crate) alias_res: HashMap<DefId, Resolution>,
}

/// A use leaf to resolve, with where it binds.
struct LeafTask {
    id: UseId,
    ctx: ScopeCtx,
    /// Table its name (or glob) goes into.
    scope: u32,
    /// Name it binds (`None` for globs and `as _`).
    name: Option<Sym>,
    /// Position in `scopes[scope].globs` for a glob.
    glob: Option<usize>,
}

/// Resolve every use leaf and type alias of the index (defs must be built). Path refs are
/// resolved afterwards with [`NameTables::resolve_refs`]: they never change what names
/// resolve to, so refs can still be added in between (lazy fn bodies).
pub(crate) fn resolve_names(index: &Index) -> Resolved {
    resolve_names_with(index, true)
}

/// [`resolve_names`]; `worklist: false` redoes every leaf every round (the reference).
fn resolve_names_with(index: &Index, worklist: bool) -> Resolved {
    let mut tables = NameTables::build(index);
    let tasks = tables.leaf_tasks(index);
    let mut use_res: Vec<Vec<Option<Resolution>>> = index
        .files
        .iter()
        .map(|f| vec![None; f.facts.uses.len()])
        .collect();

    if !worklist {
        // Every leaf in file order, every round, one lookup cache per round.
        for _ in 0..MAX_ROUNDS {
            let mut memo = Memo::default();
            let mut changed = false;
            for task in &tasks {
                changed |= tables.resolve_task(index, task, &mut memo, &mut use_res);
            }
            if !changed {
                break;
            }
        }
        let alias_res = tables.resolve_aliases(index);
        return Resolved {
            tables,
            use_res,
            alias_res,
        };
    }

    // A leaf's outcome depends only on what its lookups read from the tables (a binding
    // holds its resolved target, so chains are not followed again): the bindings of a name
    // in the tables it looked in, or of a name anywhere when a glob walk was involved,
    // and the glob targets when it walked or read globs (a lookup in a table without
    // globs reads none). Every leaf is resolved once (globs first: their targets feed
    // every lookup), then again only if something it read changed after it last ran. A
    // changed name drops the cached glob walks for it; a changed glob target drops them all.
    let (globs, names): (Vec<usize>, Vec<usize>) =
        (0..tasks.len()).partition(|&t| tasks[t].glob.is_some());
    // Clock ticks: when each leaf last ran, when each binding and any glob target changed.
    let mut clock: u64 = 0;
    let mut ran_at: Vec<Option<u64>> = vec![None; tasks.len()];
    let mut deps: Vec<Vec<Dep>> = vec![Vec::new(); tasks.len()];
    let mut changes = Changes::default();
    // Leaves binding a name some glob's path spells (`use a::b; pub use b::*;`) go once
    // before the first glob phase, so most globs resolve at their first try.
    let glob_spelled: FxMap<&str, ()> = globs
        .iter()
        .filter_map(|&t| leaf_of(index, tasks[t].id))
        .flat_map(|l| l.path.iter().map(|s| (s.as_str(), ())))
        .collect();
    let mut memo = Memo::default();
    for &t in &names {
        let feeds_a_glob = tasks[t]
            .name
            .is_some_and(|n| glob_spelled.contains_key(tables.interner.name(n)));
        if feeds_a_glob {
            clock += 1;
            if tables.resolve_task(index, &tasks[t], &mut memo, &mut use_res) {
                changes.binding(&tasks[t], clock, &mut memo);
            }
        }
    }
    for _ in 0..MAX_ROUNDS {
        let mut ran = false;
        // Globs first: their targets feed every lookup.
        for (phase, is_glob) in [(&globs, true), (&names, false)] {
            let mut memo = Memo::default();
            for &t in phase {
                if changes.up_to_date(ran_at[t], &deps[t]) {
                    continue;
                }
                clock += 1;
                ran = true;
                ran_at[t] = Some(clock);
                let (changed, read) =
                    tables.resolve_task_recorded(index, &tasks[t], &mut memo, &mut use_res);
                deps[t] = read;
                match (changed, is_glob) {
                    (false, _) => {}
                    (true, true) => {
                        changes.glob = clock;
                        memo = Memo::default();
                    }
                    (true, false) => changes.binding(&tasks[t], clock, &mut memo),
                }
            }
        }
        if !ran {
            break;
        }
    }

    let alias_res = tables.resolve_aliases(index);
    Resolved {
        tables,
        use_res,
        alias_res,
    }
}

/// When bindings and glob targets last changed, on the clock of [`resolve_names`].
#[derive(Default)]
struct Changes {
    in_table: FxMap<(u32, Sym), u64>,
    anywhere: FxMap<Sym, u64>,
    glob: u64,
}

impl Changes {
    /// A leaf changed the binding of its name.
    fn binding(&mut self, task: &LeafTask, clock: u64, memo: &mut Memo) {
        if let Some(name) = task.name {
            self.in_table.insert((task.scope, name), clock);
            self.anywhere.insert(name, clock);
            memo.forget(name);
        }
    }

    /// Nothing a leaf that ran at `ran_at` and read `deps` changed since.
    fn up_to_date(&self, ran_at: Option<u64>, deps: &[Dep]) -> bool {
        let Some(ran) = ran_at else {
            return false;
        };
        let before = |at: Option<&u64>| at.map_or(true, |c| *c < ran);
        // A table without globs reads no glob target: only its own binding of the name.
        deps.iter().all(|d| match d {
            Dep::Direct(scope, name) => before(self.in_table.get(&(*scope, *name))),
            Dep::Walk(name) => self.glob < ran && before(self.anywhere.get(name)),
            Dep::Globs => self.glob < ran,
        })
    }
}

fn leaf_of(index: &Index, id: UseId) -> Option<&UseLeaf> {
    index
        .files
        .get(id.file.0 as usize)
        .and_then(|f| f.facts.uses.get(id.leaf as usize))
}

/// Struct, enum, union, trait or alias: a path continuing past it names an associated item.
pub(crate) fn is_type_like(index: &Index, d: DefId) -> bool {
    index.defs.get(d.0 as usize).is_some_and(|_| {
        matches!(
            index.item(d).kind,
            ItemKind::Struct
                | ItemKind::Enum
                | ItemKind::Union
                | ItemKind::Trait
                | ItemKind::TypeAlias
        )
    })
}

/// Names bound in the std prelude or built in (written without a path).
const PRELUDE: &[&str] = &[
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "Vec",
    "String",
    "Box",
    "ToString",
    "ToOwned",
    "Clone",
    "Copy",
    "Send",
    "Sync",
    "Sized",
    "Unpin",
    "Drop",
    "Fn",
    "FnMut",
    "FnOnce",
    "Default",
    "Eq",
    "PartialEq",
    "Ord",
    "PartialOrd",
    "Iterator",
    "IntoIterator",
    "DoubleEndedIterator",
    "ExactSizeIterator",
    "Future",
    "IntoFuture",
    "Extend",
    "AsRef",
    "AsMut",
    "Into",
    "From",
    "TryFrom",
    "TryInto",
    "FromIterator",
    "Debug",
    "Hash",
    "drop",
    "bool",
    "char",
    "str",
    "u8",
    "u16",
    "u32",
    "u64",
    "u128",
    "usize",
    "i8",
    "i16",
    "i32",
    "i64",
    "i128",
    "isize",
    "f32",
    "f64",
];
/// Crates every crate can name without a dependency entry.
const STD_ROOTS: &[&str] = &["std", "core", "alloc", "proc_macro", "test"];

fn starts_uppercase(s: &str) -> bool {
    s.chars().next().is_some_and(char::is_uppercase)
}

/// May code in `requester` see a name `owner` declares/imports with visibility `vis`?
fn visible(index: &Index, vis: Vis, owner: ModuleId, requester: ModuleId) -> bool {
    match vis {
        Vis::Public | Vis::Restricted => true,
        Vis::Crate => {
            let krate = |m: ModuleId| index.modules.get(m.0 as usize).map(|x| x.krate);
            krate(owner) == krate(requester)
        }
        Vis::Private => index.is_within(requester, owner),
    }
}

fn root_of(index: &Index, c: CrateId) -> Option<ModuleId> {
    index.crates.get(c.0 as usize).map(|k| k.root_module)
}

fn parent_of(index: &Index, m: ModuleId) -> Option<ModuleId> {
    index.modules.get(m.0 as usize).and_then(|x| x.parent)
}

/// The module a path continues in, when `t` is one.
fn as_module(index: &Index, t: &Target) -> Option<ModuleId> {
    match t {
        Target::Module(m) => Some(*m),
        Target::Crate(c) => root_of(index, *c),
        _ => None,
    }
}

fn item_vis_binding(target: Target, vis: Vis) -> Binding {
    Binding {
        target,
        via: Vec::new(),
        vis,
        source: Source::Item,
    }
}

/// What resolving one leaf gives.
struct LeafOutcome {
    res: Option<Resolution>,
    bindings: [Option<Binding>; 3],
    glob_target: Option<Target>,
}

impl NameTables {
    /// Scope tables with every item (and child module) bound; imports not yet.
    fn build(index: &Index) -> NameTables {
        let mut t = NameTables {
            mod_keys: ModKeys::new(index),
            ..NameTables::default()
        };
        t.scopes = (0..index.modules.len() as u32)
            .map(|m| ScopeTable {
                module: ModuleId(m),
                names: FxMap::default(),
                globs: Vec::new(),
            })
            .collect();
        t.extern_prelude = vec![FxMap::default(); index.crates.len()];
        for (i, c) in index.crates.iter().enumerate() {
            t.crates_by_name
                .entry(c.name.clone())
                .or_default()
                .push(CrateId(i as u32));
            for (name, dep) in &c.deps {
                let sym = t.interner.intern(name);
                t.extern_prelude[i].insert(sym, Target::Crate(*dep));
            }
        }

        let mut by_parent_name: HashMap<(ModuleId, &str), Vec<ModuleId>> = HashMap::new();
        for (m, module) in index.modules.iter().enumerate() {
            if let (Some(parent), Some(name)) = (module.parent, module.path.last()) {
                by_parent_name
                    .entry((parent, name.as_str()))
                    .or_default()
                    .push(ModuleId(m as u32));
            }
        }
        for group in by_parent_name.into_values().filter(|g| g.len() > 1) {
            for m in &group {
                let others = group.iter().copied().filter(|o| o != m).collect();
                t.twins.insert(*m, others);
            }
        }

        // Child modules, from the loader's tree (authoritative even when a `mod` item is
        // missing from the facts).
        for (m, module) in index.modules.iter().enumerate() {
            let mut children: Vec<(&String, &ModuleId)> = module.children.iter().collect();
            children.sort();
            for (name, child) in children {
                let vis = index
                    .modules
                    .get(child.0 as usize)
                    .map(|c| match c.decl {
                        Some(d) if (d.0 as usize) < index.defs.len() => index.item(d).vis,
                        _ if c.public => Vis::Public,
                        _ => Vis::Private,
                    })
                    .unwrap_or(Vis::Private);
                let sym = t.interner.intern(name);
                t.bind_item(
                    m as u32,
                    sym,
                    Ns::Type,
                    item_vis_binding(Target::Module(*child), vis),
                );
            }
        }

        for d in index.def_ids() {
            t.bind_def(index, d);
        }
        t
    }

    /// What the first segment `name` of a path written at `scope` of `file` is bound to in
    /// the type and the value namespace (fn-body scopes, the module and its globs, then the
    /// crate's extern prelude): the target and the import it came through (`None` for an
    /// item, a child module or a crate). Both `None`: nothing binds it, so the path resolves
    /// outside the workspace whatever follows (`std::…`, `serde::…`). `None` when the
    /// scope is not in the tree.
    pub(crate) fn first_segment(
        &self,
        index: &Index,
        file: FileId,
        scope: &[ScopeSeg],
        name: &str,
    ) -> Option<[Option<FirstSegment>; 2]> {
        let ctx = self.ctx(file, scope)?;
        let Some(sym) = self.interner.get(name) else {
            return Some([None, None]);
        };
        let mut memo = Memo::default();
        let found = [Ns::Type, Ns::Value].map(|ns| {
            let b = self.lookup_lexical(index, &ctx, sym, ns, None, &mut memo)?;
            let import = match b.source {
                Source::Item => None,
                Source::Import(u) => Some(u),
            };
            Some((b.target, import))
        });
        let prelude = || {
            Self::krate_of(index, ctx.module)
                .and_then(|k| self.extern_prelude.get(k.0 as usize))
                .and_then(|p| p.get(&sym))
                .map(|t| (t.clone(), None))
        };
        let [ty, value] = found;
        Some([ty.or_else(prelude), value])
    }

    fn mark_bound(&mut self, sym: Sym, ns: Ns) {
        let i = sym.0 as usize;
        if self.bound_in.len() <= i {
            self.bound_in.resize(i + 1, 0);
        }
        self.bound_in[i] |= 1 << (ns as u8);
    }

    fn maybe_bound(&self, sym: Sym, ns: Ns) -> bool {
        self.bound_in
            .get(sym.0 as usize)
            .is_some_and(|bits| bits & (1 << (ns as u8)) != 0)
    }

    fn bind_item(&mut self, scope: u32, sym: Sym, ns: Ns, b: Binding) {
        self.mark_bound(sym, ns);
        if let Some(table) = self.scopes.get_mut(scope as usize) {
            let slot = &mut table.names.entry(sym).or_default()[ns as usize];
            // First declaration wins (cfg-switched alternatives declare a name twice).
            if slot.is_none() {
                *slot = Some(b);
            }
        }
    }

    /// The block scope for `(file, scope)`, created on first use.
    fn block_scope(&mut self, file: FileId, scope: &[ScopeSeg], module: ModuleId) -> u32 {
        let next = self.scopes.len() as u32;
        let map = self.blocks.entry(file).or_default();
        if let Some(b) = map.get(scope) {
            return *b;
        }
        map.insert(scope.to_vec(), next);
        self.scopes.push(ScopeTable {
            module,
            names: FxMap::default(),
            globs: Vec::new(),
        });
        next
    }

    /// The table an item or leaf at `scope` binds into, or `None` for associated items.
    fn table_for(&mut self, file: FileId, scope: &[ScopeSeg]) -> Option<u32> {
        let (module, skip) = self.mod_keys.locate(file, scope)?;
        match placement(scope, module, skip) {
            Placement::Module(m) => Some(m.0),
            Placement::Block(m) => Some(self.block_scope(file, scope, m)),
            Placement::Associated => None,
        }
    }

    fn bind_def(&mut self, index: &Index, d: DefId) {
        let def = index.def(d);
        let item = index.item(d);
        if let ItemDetail::Fn(f) = &item.detail {
            if f.impl_of.is_some() || f.in_trait.is_some() {
                return;
            }
        }
        let Some(scope) = self.table_for(def.file, &item.scope) else {
            return;
        };
        let sym = self.interner.intern(&item.name);
        let vis = item.vis;
        let def_binding = || item_vis_binding(Target::Def(d), vis);
        match item.kind {
            ItemKind::Struct => {
                self.bind_item(scope, sym, Ns::Type, def_binding());
                let has_ctor = match &item.detail {
                    ItemDetail::Struct(s) => s.tuple || s.unit,
                    _ => true,
                };
                if has_ctor {
                    self.bind_item(scope, sym, Ns::Value, def_binding());
                }
            }
            ItemKind::Enum => {
                // Variants are reached through `use Enum::*` by name: make them known.
                if let ItemDetail::Enum(e) = &item.detail {
                    for v in &e.variants {
                        let v = self.interner.intern(&v.name);
                        self.mark_bound(v, Ns::Type);
                        self.mark_bound(v, Ns::Value);
                    }
                }
                self.bind_item(scope, sym, Ns::Type, def_binding());
            }
            ItemKind::Union | ItemKind::Trait | ItemKind::TypeAlias => {
                self.bind_item(scope, sym, Ns::Type, def_binding())
            }
            ItemKind::Fn | ItemKind::Static | ItemKind::Const => {
                self.bind_item(scope, sym, Ns::Value, def_binding())
            }
            ItemKind::MacroRules => {
                self.bind_item(scope, sym, Ns::Macro, def_binding());
                if item.attrs.macro_export {
                    if let Some(root) = root_of(index, def.krate) {
                        self.bind_item(root.0, sym, Ns::Macro, def_binding());
                    }
                }
            }
            // Bound from the module tree (see `build`).
            ItemKind::Mod => {}
            ItemKind::ExternCrate => {
                let ItemDetail::ExternCrate { krate } = &item.detail else {
                    return;
                };
                let krate_of_def = def.krate;
                let target = if krate == "self" {
                    Target::Crate(krate_of_def)
                } else {
                    match index
                        .crates
                        .get(krate_of_def.0 as usize)
                        .and_then(|c| c.deps.get(krate))
                    {
                        Some(c) => Target::Crate(*c),
                        None => Target::External(vec![krate.clone()]),
                    }
                };
                self.bind_item(scope, sym, Ns::Type, item_vis_binding(target.clone(), vis));
                // At the crate root, `extern crate` also adds to the extern prelude.
                if root_of(index, krate_of_def).map(|r| r.0) == Some(scope) {
                    if let Some(p) = self.extern_prelude.get_mut(krate_of_def.0 as usize) {
                        p.entry(sym).or_insert(target);
                    }
                }
            }
        }
    }

    /// One task per use leaf of every crate file; registers globs and block scopes.
    fn leaf_tasks(&mut self, index: &Index) -> Vec<LeafTask> {
        let mut placed = Vec::new();
        for f in index.rust_files() {
            for (i, leaf) in index.file(f).facts.uses.iter().enumerate() {
                let id = UseId {
                    file: f,
                    leaf: i as u32,
                };
                let Some(scope) = self.table_for(f, &leaf.scope) else {
                    continue;
                };
                let glob = (leaf.kind == UseKind::Glob).then(|| {
                    let globs = &mut self.scopes[scope as usize].globs;
                    globs.push(Glob {
                        leaf: id,
                        vis: leaf.vis,
                        target: None,
                    });
                    globs.len() - 1
                });
                let name = match leaf.kind {
                    UseKind::Glob => None,
                    UseKind::Name | UseKind::SelfImport => match leaf.rename.as_deref() {
                        Some("_") => None,
                        Some(r) => Some(self.interner.intern(r)),
                        None => leaf.path.last().map(|s| self.interner.intern(s)),
                    },
                };
                placed.push((id, scope, name, glob));
            }
        }
        // Contexts once every block scope exists (a leaf sees blocks around it).
        let mut tasks = Vec::with_capacity(placed.len());
        let mut ctx_cache: HashMap<(FileId, &[ScopeSeg]), ScopeCtx> = HashMap::new();
        for (id, scope, name, glob) in placed {
            let Some(leaf) = leaf_of(index, id) else {
                continue;
            };
            let key = (id.file, leaf.scope.as_slice());
            let ctx = match ctx_cache.get(&key) {
                Some(c) => c.clone(),
                None => {
                    let Some(c) = self.ctx(id.file, &leaf.scope) else {
                        continue;
                    };
                    ctx_cache.insert(key, c.clone());
                    c
                }
            };
            tasks.push(LeafTask {
                id,
                ctx,
                scope,
                name,
                glob,
            });
        }
        tasks
    }

    /// The lexical context of something written at `scope` in `file`.
    fn ctx(&self, file: FileId, scope: &[ScopeSeg]) -> Option<ScopeCtx> {
        let (module, skip) = self.mod_keys.locate(file, scope)?;
        let mut blocks = Vec::new();
        if let Some(map) = self.blocks.get(&file) {
            for len in (skip + 1..=scope.len()).rev() {
                if let Some(b) = scope.get(..len).and_then(|s| map.get(s)) {
                    blocks.push(*b);
                }
            }
        }
        Some(ScopeCtx { module, blocks })
    }

    fn module_ctx(module: ModuleId) -> ScopeCtx {
        ScopeCtx {
            module,
            blocks: Vec::new(),
        }
    }

    /// Store a leaf's new bindings; true when anything changed.
    /// Resolve one leaf against the tables as they are and record the outcome; whether
    /// the tables changed.
    fn resolve_task(
        &mut self,
        index: &Index,
        task: &LeafTask,
        memo: &mut Memo,
        use_res: &mut [Vec<Option<Resolution>>],
    ) -> bool {
        self.resolve_task_recorded(index, task, memo, use_res).0
    }

    /// [`NameTables::resolve_task`], and what the resolution read.
    fn resolve_task_recorded(
        &mut self,
        index: &Index,
        task: &LeafTask,
        memo: &mut Memo,
        use_res: &mut [Vec<Option<Resolution>>],
    ) -> (bool, Vec<Dep>) {
        let Some(leaf) = leaf_of(index, task.id) else {
            return (false, Vec::new());
        };
        RECORDING.with(|r| *r.borrow_mut() = Some(Vec::new()));
        let outcome = self.resolve_leaf(index, task, leaf, memo);
        let deps = RECORDING
            .with(|r| r.borrow_mut().take())
            .unwrap_or_default();
        let changed = self.apply(task, outcome.bindings, outcome.glob_target);
        if let Some(slot) = use_res
            .get_mut(task.id.file.0 as usize)
            .and_then(|v| v.get_mut(task.id.leaf as usize))
        {
            *slot = outcome.res;
        }
        (changed, deps)
    }

    fn apply(
        &mut self,
        task: &LeafTask,
        bindings: [Option<Binding>; 3],
        glob: Option<Target>,
    ) -> bool {
        let mut changed = false;
        let Some(table) = self.scopes.get_mut(task.scope as usize) else {
            return false;
        };
        if let Some(g) = task.glob.and_then(|g| table.globs.get_mut(g)) {
            if g.target != glob {
                g.target = glob;
                changed = true;
            }
        }
        let Some(name) = task.name else {
            return changed;
        };
        let has_any = bindings.iter().any(Option::is_some);
        if !has_any && !table.names.contains_key(&name) {
            return changed;
        }
        let set_ns = bindings.each_ref().map(Option::is_some);
        let slots = table.names.entry(name).or_default();
        for (slot, new) in slots.iter_mut().zip(bindings) {
            let ours = match slot {
                None => new.is_some(),
                Some(Binding {
                    source: Source::Item,
                    ..
                }) => false,
                // The first leaf (in file order) that binds a name keeps it, so two
                // cfg-switched imports of one name do not take turns forever.
                Some(Binding {
                    source: Source::Import(holder),
                    ..
                }) => *holder == task.id || (*holder > task.id && new.is_some()),
            };
            if ours && *slot != new {
                *slot = new;
                changed = true;
            }
        }
        for (ns, set) in [Ns::Type, Ns::Value, Ns::Macro].into_iter().zip(set_ns) {
            if set {
                self.mark_bound(name, ns);
            }
        }
        changed
    }

    fn resolve_leaf(
        &self,
        index: &Index,
        task: &LeafTask,
        leaf: &UseLeaf,
        memo: &mut Memo,
    ) -> LeafOutcome {
        let ctx = &task.ctx;
        let exclude = Some(task.id);
        let mut out = LeafOutcome {
            res: None,
            bindings: [None, None, None],
            glob_target: None,
        };
        let own = |res: &Resolution| {
            let mut via = Vec::with_capacity(res.via.len() + 1);
            via.push(task.id);
            via.extend_from_slice(&res.via);
            Binding {
                target: res.target.clone(),
                via,
                vis: leaf.vis,
                source: Source::Import(task.id),
            }
        };
        // A route that comes back through this very leaf is an import cycle (a compile
        // error in rustc, or a name only a macro provides): unresolved, and never a
        // binding whose `via` grows every round.
        let acyclic = |r: Option<Resolution>| r.filter(|r| !r.via.contains(&task.id));
        match leaf.kind {
            UseKind::Glob => {
                out.res = acyclic(self.resolve_module_path(index, ctx, leaf, exclude, memo));
                out.glob_target = out.res.as_ref().map(|r| r.target.clone());
            }
            UseKind::SelfImport => {
                out.res = acyclic(self.resolve_module_path(index, ctx, leaf, exclude, memo));
                if task.name.is_some() {
                    out.bindings[Ns::Type as usize] = out.res.as_ref().map(own);
                }
            }
            UseKind::Name => {
                let per_ns = self
                    .resolve_name_leaf(index, ctx, leaf, task.id, memo)
                    .map(acyclic);
                for (ns, r) in [Ns::Type, Ns::Value, Ns::Macro].into_iter().zip(per_ns) {
                    if task.name.is_some() {
                        out.bindings[ns as usize] = r.as_ref().map(own);
                    }
                    if out.res.is_none() {
                        out.res = r;
                    }
                }
            }
        }
        out
    }

    /// The module (crate, enum …) a glob or `{self}` leaf names.
    fn resolve_module_path(
        &self,
        index: &Index,
        ctx: &ScopeCtx,
        leaf: &UseLeaf,
        exclude: Option<UseId>,
        memo: &mut Memo,
    ) -> Option<Resolution> {
        let path = &leaf.path;
        let lc = leaf.leading_colon;
        self.resolve_segments(index, ctx, None, path, lc, TYPE, exclude, memo)
            .or_else(|| if lc { None } else { lone_crate(path) })
    }

    /// What a `use a::b::C` leaf names in each namespace (type, value, macro); the path
    /// up to `C` is resolved once.
    fn resolve_name_leaf(
        &self,
        index: &Index,
        ctx: &ScopeCtx,
        leaf: &UseLeaf,
        id: UseId,
        memo: &mut Memo,
    ) -> [Option<Resolution>; 3] {
        let lc = leaf.leading_colon;
        let path = &leaf.path;
        let all = [Ns::Type, Ns::Value, Ns::Macro];
        if path.len() == 1 {
            let mut out = all
                .map(|ns| self.resolve_segments(index, ctx, None, path, lc, &[ns], Some(id), memo));
            if out[0].is_none() && !lc {
                out[0] = lone_crate(path);
            }
            return out;
        }
        let Some((first, rest)) = path.split_first() else {
            return [None, None, None];
        };
        let Some((target, via)) =
            self.resolve_first(index, ctx, None, first, false, lc, TYPE, Some(id), memo)
        else {
            return all.map(|ns| self.external_fallback(index, ctx, path, &[ns], Some(id)));
        };
        let Some((last, middle)) = rest.split_last() else {
            return [None, None, None];
        };
        let start = Resolution { target, via };
        let Some(prefix) = self.extend(index, start, middle, TYPE, Some(id), memo) else {
            return [None, None, None];
        };
        let last = std::slice::from_ref(last);
        all.map(|ns| self.extend(index, prefix.clone(), last, &[ns], Some(id), memo))
    }

    /// Look a name up in one scope table (its items, imports, then its globs).
    #[allow(clippy::too_many_arguments)]
    fn lookup_own(
        &self,
        index: &Index,
        scope: u32,
        name: Sym,
        ns: Ns,
        exclude: Option<UseId>,
        memo: &mut Memo,
    ) -> Option<Binding> {
        let table = self.scopes.get(scope as usize)?;
        record(if table.globs.is_empty() {
            Dep::Direct(scope, name)
        } else {
            Dep::Walk(name)
        });
        if !self.maybe_bound(name, ns) {
            return None;
        }
        let direct = table.names.get(&name).and_then(|s| s[ns as usize].as_ref());
        match direct {
            // The common case needs neither the glob walk nor the cache.
            Some(b) if !matches!(b.source, Source::Import(u) if Some(u) == exclude) => {
                return Some(b.clone());
            }
            _ if table.globs.is_empty() => return None,
            _ => {}
        }
        let key = (scope, name, ns);
        if exclude.is_none() {
            if let Some(hit) = memo.get(&key) {
                return hit.clone();
            }
        }
        let mut visited = vec![scope];
        let found = self.lookup_rec(index, scope, name, ns, None, exclude, &mut visited);
        if exclude.is_none() {
            memo.insert(key, found.clone());
        }
        found
    }

    /// `looker`: the module whose glob led here (names must be visible to it); `None` for
    /// the table a lookup starts in, which sees all its own names.
    #[allow(clippy::too_many_arguments)]
    fn lookup_rec(
        &self,
        index: &Index,
        scope: u32,
        name: Sym,
        ns: Ns,
        looker: Option<ModuleId>,
        exclude: Option<UseId>,
        visited: &mut Vec<u32>,
    ) -> Option<Binding> {
        let table = self.scopes.get(scope as usize)?;
        let hidden = |vis: Vis| looker.is_some_and(|l| !visible(index, vis, table.module, l));
        if let Some(b) = table.names.get(&name).and_then(|s| s[ns as usize].as_ref()) {
            // A leaf never resolves through its own binding, however far down.
            let is_excluded = matches!(b.source, Source::Import(u) if Some(u) == exclude);
            if !is_excluded {
                // An explicit name hides any glob of the same name, visible or not.
                return (!hidden(b.vis)).then(|| b.clone());
            }
        }
        for g in &table.globs {
            if hidden(g.vis) || Some(g.leaf) == exclude {
                continue;
            }
            let Some(target) = &g.target else { continue };
            let via_glob = |b: Binding| {
                let mut via = Vec::with_capacity(b.via.len() + 1);
                via.push(g.leaf);
                via.extend(b.via);
                Binding {
                    target: b.target,
                    via,
                    vis: g.vis,
                    source: Source::Import(g.leaf),
                }
            };
            if let Target::Def(d) = target {
                // `use Enum::*`: its variants, which resolve to the enum.
                if ns != Ns::Macro && self.enum_has_variant(index, *d, name) {
                    return Some(via_glob(item_vis_binding(Target::Def(*d), Vis::Public)));
                }
                continue;
            }
            let Some(sub) = as_module(index, target) else {
                continue;
            };
            if visited.contains(&sub.0) || visited.len() >= MAX_GLOB_VISITS {
                continue;
            }
            visited.push(sub.0);
            // The glob imports what is visible to *its* module, not to whoever asked.
            let found =
                self.lookup_rec(index, sub.0, name, ns, Some(table.module), exclude, visited);
            if let Some(b) = found {
                return Some(via_glob(b));
            }
        }
        None
    }

    fn enum_has_variant(&self, index: &Index, d: DefId, name: Sym) -> bool {
        if (d.0 as usize) >= index.defs.len() {
            return false;
        }
        match &index.item(d).detail {
            ItemDetail::Enum(e) => {
                let name = self.interner.name(name);
                e.variants.iter().any(|v| v.name == name)
            }
            _ => false,
        }
    }

    /// Look a first segment up lexically: fn-body scopes, the module, (for macros) the
    /// enclosing modules and the crate root.
    fn lookup_lexical(
        &self,
        index: &Index,
        ctx: &ScopeCtx,
        name: Sym,
        ns: Ns,
        exclude: Option<UseId>,
        memo: &mut Memo,
    ) -> Option<Binding> {
        for b in &ctx.blocks {
            if let Some(x) = self.lookup_own(index, *b, name, ns, exclude, memo) {
                return Some(x);
            }
        }
        if let Some(x) = self.lookup_own(index, ctx.module.0, name, ns, exclude, memo) {
            return Some(x);
        }
        if ns == Ns::Macro {
            // `macro_rules!` are textually scoped into child modules; approximate by
            // looking in the enclosing modules.
            let mut m = parent_of(index, ctx.module);
            let mut guard = 0;
            while let Some(p) = m {
                if let Some(x) = self.lookup_own(index, p.0, name, ns, None, memo) {
                    return Some(x);
                }
                guard += 1;
                if guard > 1024 {
                    break;
                }
                m = parent_of(index, p);
            }
        }
        None
    }

    fn krate_of(index: &Index, m: ModuleId) -> Option<CrateId> {
        index.modules.get(m.0 as usize).map(|x| x.krate)
    }

    /// Resolve the first segment of a path.
    #[allow(clippy::too_many_arguments)]
    fn resolve_first(
        &self,
        index: &Index,
        ctx: &ScopeCtx,
        self_ty: Option<&str>,
        seg: &str,
        only: bool,
        leading_colon: bool,
        nss: &[Ns],
        exclude: Option<UseId>,
        memo: &mut Memo,
    ) -> Option<(Target, Vec<UseId>)> {
        let krate = Self::krate_of(index, ctx.module)?;
        if leading_colon {
            // `::name` is always a crate.
            let dep = index
                .crates
                .get(krate.0 as usize)
                .and_then(|c| c.deps.get(seg));
            return Some(match dep {
                Some(c) => (Target::Crate(*c), Vec::new()),
                None => (Target::External(vec![seg.to_string()]), Vec::new()),
            });
        }
        let keyword = matches!(seg, "crate" | "$crate" | "self" | "super" | "Self");
        if keyword && !nss.contains(&Ns::Type) {
            // Keywords name modules and types, never values or macros.
            return None;
        }
        match seg {
            "crate" | "$crate" => {
                return Some(if only {
                    (Target::Crate(krate), Vec::new())
                } else {
                    (Target::Module(root_of(index, krate)?), Vec::new())
                });
            }
            "self" => return Some((Target::Module(ctx.module), Vec::new())),
            "super" => return Some((Target::Module(parent_of(index, ctx.module)?), Vec::new())),
            "Self" => {
                // The impl's type, resolved like its name; the written `Self` itself goes
                // through no import (the impl header's import is a use of its own).
                let ty = [self_ty?.to_string()];
                let r = self.resolve_segments(index, ctx, None, &ty, false, TYPE, None, memo)?;
                return Some((r.target, Vec::new()));
            }
            _ => {}
        }
        let sym = self.interner.get(seg)?;
        for ns in nss {
            if let Some(b) = self.lookup_lexical(index, ctx, sym, *ns, exclude, memo) {
                return Some((b.target, b.via));
            }
        }
        if nss.contains(&Ns::Type) {
            if let Some(t) = self
                .extern_prelude
                .get(krate.0 as usize)
                .and_then(|p| p.get(&sym))
            {
                return Some((t.clone(), Vec::new()));
            }
        }
        None
    }

    /// When the first segment names nothing in the workspace: decide whether the path is
    /// plainly external (std, a dependency, the prelude) or unknown.
    /// `exclude`: the leaf being resolved, whose own glob cannot bring in its path (`use
    /// ScalarImpl::*;` after an external `use x::ScalarImpl;` would otherwise grow its
    /// target by one segment every round and never settle).
    fn external_fallback(
        &self,
        index: &Index,
        ctx: &ScopeCtx,
        segs: &[String],
        nss: &[Ns],
        exclude: Option<UseId>,
    ) -> Option<Resolution> {
        let first = segs.first()?;
        let external = |path: Vec<String>| {
            Some(Resolution {
                target: Target::External(path),
                via: Vec::new(),
            })
        };
        if matches!(
            first.as_str(),
            "crate" | "self" | "super" | "Self" | "$crate"
        ) {
            return None;
        }
        if nss == MACRO || STD_ROOTS.contains(&first.as_str()) || PRELUDE.contains(&first.as_str())
        {
            return external(segs.to_vec());
        }
        if segs.len() > 1 && !starts_uppercase(first) {
            // A crate the workspace does not contain (crate names are snake_case).
            return external(segs.to_vec());
        }
        // A type brought in by a glob over an external module (`use tokio::sync::*;`); not
        // a one-letter name, which is almost always a generic parameter.
        if starts_uppercase(first) && first.chars().nth(1).is_some() {
            let scopes = ctx
                .blocks
                .iter()
                .copied()
                .chain(std::iter::once(ctx.module.0));
            for s in scopes {
                let Some(table) = self.scopes.get(s as usize) else {
                    continue;
                };
                record(Dep::Globs);
                for g in table.globs.iter().filter(|g| Some(g.leaf) != exclude) {
                    if let Some(Target::External(p)) = &g.target {
                        let mut path = p.clone();
                        path.extend(segs.iter().cloned());
                        return external(path);
                    }
                }
            }
        }
        let _ = index;
        None
    }

    /// Resolve a path written at `ctx`, its last segment in the first of `nss` that has it.
    /// A path that continues past a type (`A::new`, `Enum::Variant`, `A::B::new` with `B` a
    /// type) resolves to that type: the longest prefix that names one.
    #[allow(clippy::too_many_arguments)]
    fn resolve_segments(
        &self,
        index: &Index,
        ctx: &ScopeCtx,
        self_ty: Option<&str>,
        segs: &[String],
        leading_colon: bool,
        nss: &[Ns],
        exclude: Option<UseId>,
        memo: &mut Memo,
    ) -> Option<Resolution> {
        let (first, rest) = segs.split_first()?;
        let first_nss = if rest.is_empty() { nss } else { TYPE };
        let Some((target, via)) = self.resolve_first(
            index,
            ctx,
            self_ty,
            first,
            rest.is_empty(),
            leading_colon,
            first_nss,
            exclude,
            memo,
        ) else {
            return self.external_fallback(index, ctx, segs, nss, exclude);
        };
        self.extend(index, Resolution { target, via }, rest, nss, exclude, memo)
    }

    /// Continue a resolution through `rest` (the last segment looked up in `nss`).
    /// `exclude`: the leaf being resolved, which never resolves through its own binding
    /// further down its path either (`pub use streaming::X;` next to `use super::*;` in
    /// `streaming`: the glob leads back to the leaf itself; following it made the leaf
    /// flip between resolved and unresolved every round).
    #[allow(clippy::too_many_arguments)]
    fn extend(
        &self,
        index: &Index,
        start: Resolution,
        rest: &[String],
        nss: &[Ns],
        exclude: Option<UseId>,
        memo: &mut Memo,
    ) -> Option<Resolution> {
        let Resolution {
            target: mut cur,
            mut via,
        } = start;
        for (i, seg) in rest.iter().enumerate() {
            let last = i + 1 == rest.len();
            match cur {
                Target::External(mut p) => {
                    p.extend(rest[i..].iter().cloned());
                    return Some(Resolution {
                        target: Target::External(p),
                        via,
                    });
                }
                Target::Def(d) => {
                    return is_type_like(index, d).then_some(Resolution {
                        target: Target::Def(d),
                        via,
                    });
                }
                Target::Module(_) | Target::Crate(_) => {
                    let m = as_module(index, &cur)?;
                    match seg.as_str() {
                        "super" => {
                            cur = Target::Module(parent_of(index, m)?);
                            continue;
                        }
                        "self" => {
                            cur = Target::Module(m);
                            continue;
                        }
                        _ => {}
                    }
                    let Some(sym) = self.interner.get(seg) else {
                        return self.through_external_facade(index, m, via, &rest[i..]);
                    };
                    let seg_nss = if last { nss } else { TYPE };
                    let twins = self.twins.get(&m).map_or(&[][..], Vec::as_slice);
                    let found = seg_nss.iter().find_map(|ns| {
                        std::iter::once(m)
                            .chain(twins.iter().copied())
                            .find_map(|t| self.lookup_own(index, t.0, sym, *ns, exclude, memo))
                    });
                    let Some(b) = found else {
                        return self.through_external_facade(index, m, via, &rest[i..]);
                    };
                    via.extend(b.via);
                    cur = b.target;
                }
            }
        }
        Some(Resolution { target: cur, via })
    }

    /// A name a module does not declare, reached through its public glob over an external
    /// crate (`pub use collab_entity::*;` in a facade, also behind workspace facades that
    /// glob the facade): that crate's item. Private globs (`use diesel::prelude::*;`) are
    /// not followed: a name a macro generated in the module would be misread as theirs.
    fn through_external_facade(
        &self,
        index: &Index,
        m: ModuleId,
        mut via: Vec<UseId>,
        rest: &[String],
    ) -> Option<Resolution> {
        let mut visited = vec![m.0];
        let (globs, path) = self.external_glob_behind(index, m, &mut visited)?;
        via.extend(globs);
        let mut path = path.clone();
        path.extend(rest.iter().cloned());
        Some(Resolution {
            target: Target::External(path),
            via,
        })
    }

    /// The first public glob over an external path reachable from `m` through public globs,
    /// with the glob leaves passed through.
    fn external_glob_behind(
        &self,
        index: &Index,
        m: ModuleId,
        visited: &mut Vec<u32>,
    ) -> Option<(Vec<UseId>, &Vec<String>)> {
        let table = self.scopes.get(m.0 as usize)?;
        record(Dep::Globs);
        let public = || table.globs.iter().filter(|g| g.vis != Vis::Private);
        if let Some((leaf, path)) = public().find_map(|g| match &g.target {
            Some(Target::External(p)) => Some((g.leaf, p)),
            _ => None,
        }) {
            return Some((vec![leaf], path));
        }
        for g in public() {
            let Some(sub) = g.target.as_ref().and_then(|t| as_module(index, t)) else {
                continue;
            };
            if visited.contains(&sub.0) || visited.len() >= MAX_GLOB_VISITS {
                continue;
            }
            visited.push(sub.0);
            if let Some((mut leaves, path)) = self.external_glob_behind(index, sub, visited) {
                leaves.insert(0, g.leaf);
                return Some((leaves, path));
            }
        }
        None
    }

    /// Resolves every path ref: per file, an index into the returned pool of distinct
    /// resolutions (see [`Index::ref_res`]). Files are resolved in parallel a batch at a time
    /// and each batch is interned before the next, so the per-ref copies never all live at once.
    pub(crate) fn resolve_refs(&self, index: &Index) -> (Vec<Vec<Option<u32>>>, Vec<Resolution>) {
        use rayon::prelude::*;
        const BATCH: usize = 128;
        let mut pool: Vec<Resolution> = Vec::new();
        let mut ids: HashMap<Resolution, u32> = HashMap::new();
        let mut out: Vec<Vec<Option<u32>>> = Vec::with_capacity(index.files.len());
        for (b, batch) in index.files.chunks(BATCH).enumerate() {
            let resolved: Vec<Vec<Option<Resolution>>> = batch
                .par_iter()
                .enumerate()
                .map(|(i, file)| {
                    self.resolve_file_refs(index, FileId((b * BATCH + i) as u32), file)
                })
                .collect();
            for file in resolved {
                let file_ids = file
                    .into_iter()
                    .map(|r| {
                        let r = r?;
                        if let Some(id) = ids.get(&r) {
                            return Some(*id);
                        }
                        let id = u32::try_from(pool.len()).ok()?;
                        ids.insert(r.clone(), id);
                        pool.push(r);
                        Some(id)
                    })
                    .collect();
                out.push(file_ids);
            }
        }
        pool.shrink_to_fit();
        (out, pool)
    }

    fn resolve_file_refs(
        &self,
        index: &Index,
        file_id: FileId,
        file: &super::IndexedFile,
    ) -> Vec<Option<Resolution>> {
        if !matches!(file.role, FileRole::Module { .. }) {
            return vec![None; file.facts.refs.len()];
        }
        let mut memo = Memo::default();
        let mut ctx_cache: HashMap<&[ScopeSeg], Option<ScopeCtx>> = HashMap::new();
        file.facts
            .refs
            .iter()
            .map(|r| {
                let ctx = ctx_cache
                    .entry(r.scope.as_slice())
                    .or_insert_with(|| self.ctx(file_id, &r.scope))
                    .as_ref()?;
                let self_ty = r.enclosing_impl.as_deref().or_else(|| last_impl(&r.scope));
                self.resolve_segments(
                    index,
                    ctx,
                    self_ty,
                    &r.segments,
                    r.leading_colon,
                    wanted(r.kind),
                    None,
                    &mut memo,
                )
            })
            .collect()
    }

    fn resolve_aliases(&self, index: &Index) -> HashMap<DefId, Resolution> {
        let mut memo = Memo::default();
        let mut out = HashMap::new();
        for d in index.def_ids() {
            let item = index.item(d);
            let ItemDetail::TypeAlias(crate::facts::Ty::Path { segments, .. }) = &item.detail
            else {
                continue;
            };
            let file = index.def(d).file;
            let Some(ctx) = self.ctx(file, &item.scope) else {
                continue;
            };
            if let Some(r) = self.resolve_segments(
                index,
                &ctx,
                last_impl(&item.scope),
                segments,
                false,
                TYPE,
                None,
                &mut memo,
            ) {
                out.insert(d, r);
            }
        }
        out
    }

    /// Resolve a path as if written at `(file, scope)`.
    pub(crate) fn resolve_at(
        &self,
        index: &Index,
        file: FileId,
        scope: &[ScopeSeg],
        segs: &[String],
        nss: &[Ns],
    ) -> Option<Resolution> {
        let ctx = self.ctx(file, scope)?;
        let mut memo = Memo::default();
        self.resolve_segments(
            index,
            &ctx,
            last_impl(scope),
            segs,
            false,
            nss,
            None,
            &mut memo,
        )
    }

    /// Resolve a path as if written at the top level of module `from`.
    pub(crate) fn resolve_in_module(
        &self,
        index: &Index,
        from: ModuleId,
        segs: &[String],
        nss: &[Ns],
    ) -> Option<Resolution> {
        let ctx = Self::module_ctx(from);
        let mut memo = Memo::default();
        self.resolve_segments(index, &ctx, None, segs, false, nss, None, &mut memo)
    }

    /// Resolve an absolute path whose first segment is a workspace crate name (a lib
    /// is preferred when a bin or another workspace has a crate of the same name).
    pub(crate) fn resolve_abs(&self, index: &Index, path: &str) -> Option<Resolution> {
        let segs: Vec<String> = path
            .trim()
            .trim_start_matches("::")
            .split("::")
            .map(|s| s.trim().to_string())
            .collect();
        let (first, rest) = segs.split_first()?;
        let mut candidates: Vec<CrateId> = self
            .crates_by_name
            .get(first.as_str())
            .or_else(|| self.crates_by_name.get(&first.replace('-', "_")))
            .cloned()
            .unwrap_or_default();
        if candidates.is_empty() {
            // A package name (`chat-core`) works too.
            candidates = (0..index.crates.len() as u32)
                .map(CrateId)
                .filter(|c| index.krate(*c).package == *first)
                .collect();
        }
        candidates.sort_by_key(|c| (index.krate(*c).kind != super::CrateKind::Lib, *c));
        let mut memo = Memo::default();
        for c in candidates {
            if rest.is_empty() {
                return Some(Resolution {
                    target: Target::Crate(c),
                    via: Vec::new(),
                });
            }
            let Some(root) = root_of(index, c) else {
                continue;
            };
            let ctx = Self::module_ctx(root);
            let mut path = vec!["crate".to_string()];
            path.extend(rest.iter().cloned());
            if let Some(r) =
                self.resolve_segments(index, &ctx, None, &path, false, ANY, None, &mut memo)
            {
                return Some(r);
            }
        }
        None
    }
}

/// `use serde_json;`, `use serde::{self, ..}`, `use tracing::*`: a lone segment in a `use`
/// that names nothing in the workspace is a crate outside it.
fn lone_crate(path: &[String]) -> Option<Resolution> {
    match path {
        [only]
            if !matches!(
                only.as_str(),
                "crate" | "self" | "super" | "Self" | "$crate"
            ) =>
        {
            Some(Resolution {
                target: Target::External(path.to_vec()),
                via: Vec::new(),
            })
        }
        _ => None,
    }
}

/// The self type of the innermost `impl` around `scope`.
fn last_impl(scope: &[ScopeSeg]) -> Option<&str> {
    scope.iter().rev().find_map(|s| match s {
        ScopeSeg::Impl(t) => Some(t.as_str()),
        _ => None,
    })
}

#[cfg(test)]
mod tests;

/// Redoing only the leaves that spell a changed name reaches the same fixpoint as redoing
/// every leaf every round, on every fixture (and on the trees in `SSOT_RESOLVE_CHECK_DIRS`,
/// separated by `:`, when set).
#[cfg(test)]
mod worklist_tests {
    use super::*;
    use std::path::{Path, PathBuf};

    fn check(dir: &Path) {
        let discovery = crate::workspace::discover::discover(dir).unwrap();
        let config = crate::config::load::load(None, &discovery).unwrap();
        let mut index = crate::workspace::load(&discovery, &config, None);
        crate::index::build::complete(&mut index, &config);
        let full = resolve_names_with(&index, false);
        let worklist = resolve_names_with(&index, true);
        assert!(full.use_res == worklist.use_res, "{}", dir.display());
        assert!(full.alias_res == worklist.alias_res, "{}", dir.display());
    }

    /// `pub use streaming::X;` in `config` while `streaming` has `use super::*;` and gets
    /// `X` from another glob: the leaf must not resolve through its own binding (it used to
    /// flip between resolved and unresolved every round, ending on the round count's parity).
    #[test]
    fn a_reexport_seen_through_a_glob_of_its_own_module_settles() {
        let dir = tempfile::tempdir().unwrap();
        let files = [
            ("Cargo.toml", "[package]\nname = \"osc\"\nversion = \"0.1.0\"\nedition = \"2021\"\n[workspace]\n"),
            ("src/lib.rs", "pub mod config;\n"),
            ("src/config/mod.rs", "pub mod streaming;\npub use streaming::Trace;\n"),
            ("src/config/streaming.rs", "use super::*;\nmod imp;\npub use imp::*;\npub mod d { use crate::config::Trace; }\n"),
            ("src/config/streaming/imp.rs", "pub enum Trace { On }\n"),
        ];
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        check(dir.path());
        let discovery = crate::workspace::discover::discover(dir.path()).unwrap();
        let config = crate::config::load::load(None, &discovery).unwrap();
        let mut index = crate::workspace::load(&discovery, &config, None);
        crate::index::build::complete(&mut index, &config);
        let found = index.resolve_abs("osc::config::Trace");
        let def = found.as_ref().and_then(|r| index.resolved_def(r));
        assert_eq!(
            def.map(|d| index.canonical_path(d)).as_deref(),
            Some("osc::config::streaming::imp::Trace")
        );
    }

    #[test]
    fn the_worklist_reaches_the_same_fixpoint() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut dirs: Vec<PathBuf> = Vec::new();
        for base in [root.clone(), root.join("rules")] {
            for entry in std::fs::read_dir(&base).unwrap() {
                let path = entry.unwrap().path();
                if path.join("Cargo.toml").is_file() {
                    dirs.push(path);
                }
            }
        }
        if let Some(extra) = std::env::var_os("SSOT_RESOLVE_CHECK_DIRS") {
            dirs.extend(std::env::split_paths(&extra));
        }
        for dir in dirs {
            check(&dir);
        }
    }
}
