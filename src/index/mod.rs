//! The workspace-wide index: files with their facts, crates, the module tree, every
//! definition with its full path, and the resolution of every `use` leaf and written path.
//! Rules see only this (and the config).

pub mod build;
pub mod concepts;
pub mod lazy;
pub mod resolve;

use crate::facts::{FileFacts, Item, ItemKind, ScopeSeg};
use crate::source::{FileId, SourceFile, Span};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CrateId(pub u32);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModuleId(pub u32);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DefId(pub u32);

/// A `use` leaf: file + index into that file's `facts.uses`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UseId {
    pub file: FileId,
    pub leaf: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrateKind {
    Lib,
    Bin,
    /// `tests/*.rs` or `[[test]]`
    Test,
    Bench,
    Example,
    /// `build.rs` (never analysed beyond counting)
    BuildScript,
}

#[derive(Debug, Clone)]
pub struct Crate {
    /// Crate name as code spells it (`chat_core`).
    pub name: String,
    /// Package name from `Cargo.toml` (`chat-core`).
    pub package: String,
    pub kind: CrateKind,
    pub root_module: ModuleId,
    pub manifest_path: std::path::PathBuf,
    /// Test, bench or example target, or a package only used as a dev-dependency.
    pub is_test: bool,
    /// Names this crate can refer to other workspace crates by (dependency key, after
    /// `package =` renames and `-`→`_`), mapped to the crate. A bin/test target sees its
    /// own package's lib under the package's crate name.
    pub deps: HashMap<String, CrateId>,
    /// Index of the workspace (or standalone package) this crate belongs to.
    pub workspace: u32,
}

#[derive(Debug, Clone)]
pub struct Module {
    pub krate: CrateId,
    /// Path from the crate root, without the crate name (`["ws", "manager"]`); empty for the root.
    pub path: Vec<String>,
    /// The file that holds the module's items.
    pub file: FileId,
    /// Scope of the module's items inside that file (empty for a file module; `[Mod("x")]`
    /// for an inline `mod x { }` in it).
    pub scope: Vec<ScopeSeg>,
    pub parent: Option<ModuleId>,
    pub children: HashMap<String, ModuleId>,
    /// The `mod` item that declares it (none for crate roots).
    pub decl: Option<DefId>,
    pub in_test: bool,
    pub deprecated: bool,
    pub doc_hidden: bool,
    pub public: bool,
}

/// One definition: an item of some file's facts, placed in the module tree.
#[derive(Debug, Clone)]
pub struct Def {
    pub file: FileId,
    /// Index into `files[file].facts.items`.
    pub item: u32,
    pub krate: CrateId,
    /// Innermost enclosing module (fn-local items belong to the module of their fn).
    pub module: ModuleId,
    /// Full display path, crate name first; fn-local items include the fn name
    /// (`chat_api::routes::ws_handler::EmergencyWebSocketManager`).
    pub path: String,
    /// Test code: the item, its module, file or crate is test code.
    pub in_test: bool,
}

#[derive(Debug, Clone)]
pub enum FileRole {
    /// Part of some crate's module tree.
    Module { krate: CrateId, module: ModuleId },
    /// The config file (no facts; spans of `config-unresolved` point into it).
    Config,
}

#[derive(Debug, Clone)]
pub struct IndexedFile {
    pub source: SourceFile,
    pub facts: FileFacts,
    pub role: FileRole,
    /// The whole file is test code (test target, `tests/`, `#![cfg(test)]`, cfg(test) mod).
    pub in_test: bool,
}

/// Where a path leads.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    Def(DefId),
    Module(ModuleId),
    Crate(CrateId),
    /// Outside the workspace (std, dependencies): the path as written, with any
    /// workspace re-exports already followed (`tokio::sync::Mutex`).
    External(Vec<String>),
}

/// A resolved path: its target, and every re-export (`pub use`) passed through on the way,
/// in order from the written path to the definition.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Resolution {
    pub target: Target,
    pub via: Vec<UseId>,
}

/// Counts for the summary line.
#[derive(Debug, Clone, Default)]
pub struct ScanSummary {
    pub workspaces: usize,
    pub crates: usize,
    /// `.rs` files reached from some crate root and analysed.
    pub files_analyzed: usize,
    pub lines_analyzed: usize,
    pub bytes_analyzed: usize,
    /// `.rs` files under the scanned roots that no crate's module tree reaches (backups,
    /// stale copies): counted, never analysed.
    pub files_unreachable: Vec<String>,
    /// Files excluded by config.
    pub files_excluded: usize,
    /// Files each `exclude` glob matched, parallel to `config.exclude` (see
    /// `ExcludeSet::matches`); empty when the loader did not count per glob.
    pub exclude_hits: Vec<usize>,
    /// The facts cache, when one was used: files whose facts came from it, files parsed,
    /// entries written.
    pub cache: Option<crate::facts::cache::CacheStats>,
    /// Things the user may want to know that are not problems of the input (a cache that
    /// could not be used …), one sentence each.
    pub notes: Vec<String>,
    /// Files looked for and not found (a missing `mod x;` file, both of its candidates, or
    /// the `x.rs` whose absence made `x/mod.rs` the file;
    /// a missing crate root, `#[path]` or `include!` target): creating one changes the
    /// result, which the command line's replay cache must notice.
    pub paths_not_found: Vec<std::path::PathBuf>,
}

/// A problem that kept some input from being analysed, with the file it concerns.
#[derive(Debug, Clone)]
pub struct InputProblem {
    /// Path relative to the report root.
    pub path: String,
    /// The file, when it was loaded (spans then point into it).
    pub file: Option<FileId>,
    pub problem: crate::facts::Problem,
}

#[derive(Debug, Clone, Default)]
pub struct Index {
    /// Directory report paths are relative to.
    pub root: std::path::PathBuf,
    pub files: Vec<IndexedFile>,
    pub crates: Vec<Crate>,
    pub modules: Vec<Module>,
    pub defs: Vec<Def>,
    /// Resolution of each `use` leaf, parallel to `files[f].facts.uses`.
    pub use_res: Vec<Vec<Option<Resolution>>>,
    /// Resolution of each path ref, parallel to `files[f].facts.refs`: an index into
    /// `ref_res_pool`. Most refs share their resolution with many others (on a 700k-ref tree,
    /// about 1 in 4 is distinct), so each distinct one is stored once; see
    /// [`Index::ref_resolution`].
    pub ref_res: Vec<Vec<Option<u32>>>,
    /// The distinct resolutions `ref_res` points into.
    pub ref_res_pool: Vec<Resolution>,
    /// Definitions by simple name.
    pub defs_by_name: HashMap<String, Vec<DefId>>,
    /// Definition of each item, parallel to `files[f].facts.items`.
    pub item_defs: Vec<Vec<Option<DefId>>>,
    /// Module whose items sit at each item's scope, for each file: computed from
    /// `(file, scope)`; see [`Index::module_at`].
    pub module_by_file_scope: HashMap<(FileId, Vec<ScopeSeg>), ModuleId>,
    /// Concept membership resolved from config (see `concepts.rs`).
    pub concepts: Vec<concepts::ConceptIndex>,
    /// What each `type A = B;` (a `Ty::Path` right-hand side) resolves to, by the alias's def.
    pub alias_res: HashMap<DefId, Resolution>,
    /// The name tables behind resolution, kept so rules can resolve further paths
    /// ([`Index::resolve_path`], [`Index::resolve_at`], [`Index::resolve_abs`]).
    pub names: resolve::NameTables,
    pub problems: Vec<InputProblem>,
    pub summary: ScanSummary,
    /// The config file, when there is one.
    pub config_file: Option<FileId>,
    /// When the fn bodies lazy extraction left unparsed total at most this many bytes, the
    /// index parses them all, so a syntax error inside any of them is reported; on larger
    /// trees only the bodies a rule can need are parsed. 0: only those (see `lazy.rs`).
    pub parse_all_bodies_up_to: usize,
}

impl Index {
    pub fn file(&self, id: FileId) -> &IndexedFile {
        &self.files[id.0 as usize]
    }
    pub fn def(&self, id: DefId) -> &Def {
        &self.defs[id.0 as usize]
    }
    pub fn item(&self, id: DefId) -> &Item {
        let d = self.def(id);
        &self.file(d.file).facts.items[d.item as usize]
    }
    pub fn module(&self, id: ModuleId) -> &Module {
        &self.modules[id.0 as usize]
    }
    /// Is `m` the module `ancestor` or inside it?
    pub fn is_within(&self, m: ModuleId, ancestor: ModuleId) -> bool {
        self.module_and_parents(m).any(|c| c == ancestor)
    }
    /// Is `m` inside (or itself) a `#[doc(hidden)]` or `__`-named module (`__private`):
    /// plumbing for macros?
    pub fn in_hidden_module(&self, m: ModuleId) -> bool {
        self.module_and_parents(m).any(|c| {
            let module = self.module(c);
            module.doc_hidden || module.path.last().is_some_and(|n| n.starts_with("__"))
        })
    }
    /// `m`, its parent, and so on up to the crate root; bounded by the tree depth (the
    /// bound guards against a malformed tree).
    pub fn module_and_parents(&self, m: ModuleId) -> impl Iterator<Item = ModuleId> + '_ {
        std::iter::successors(Some(m), |c| self.modules.get(c.0 as usize)?.parent)
            .take_while(|c| (c.0 as usize) < self.modules.len())
            .take(1024)
    }
    pub fn krate(&self, id: CrateId) -> &Crate {
        &self.crates[id.0 as usize]
    }
    pub fn def_ids(&self) -> impl Iterator<Item = DefId> {
        (0..self.defs.len() as u32).map(DefId)
    }
    pub fn file_ids(&self) -> impl Iterator<Item = FileId> {
        (0..self.files.len() as u32).map(FileId)
    }
    /// Rust source files that belong to a crate (not the config file).
    pub fn rust_files(&self) -> impl Iterator<Item = FileId> + '_ {
        self.file_ids()
            .filter(|f| matches!(self.file(*f).role, FileRole::Module { .. }))
    }
    pub fn defs_named(&self, name: &str) -> &[DefId] {
        self.defs_by_name
            .get(name)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
    /// The definition of item `item` of file `file`.
    pub fn def_of_item(&self, file: FileId, item: usize) -> Option<DefId> {
        self.item_defs
            .get(file.0 as usize)
            .and_then(|v| v.get(item))
            .copied()
            .flatten()
    }
    /// The module whose scope contains `scope` in `file` (fn and impl segments are skipped:
    /// fn-local items resolve names in the enclosing module, as rustc does for most cases).
    pub fn module_at(&self, file: FileId, scope: &[ScopeSeg]) -> Option<ModuleId> {
        let mut mods: Vec<ScopeSeg> = Vec::new();
        let mut best = self.module_by_file_scope.get(&(file, Vec::new())).copied();
        for seg in scope {
            if let ScopeSeg::Mod(_) = seg {
                mods.push(seg.clone());
                if let Some(m) = self.module_by_file_scope.get(&(file, mods.clone())) {
                    best = Some(*m);
                }
            }
        }
        best
    }
    pub fn use_resolution(&self, id: UseId) -> Option<&Resolution> {
        self.use_res
            .get(id.file.0 as usize)
            .and_then(|v| v.get(id.leaf as usize))
            .and_then(Option::as_ref)
    }
    pub fn ref_resolution(&self, file: FileId, r: usize) -> Option<&Resolution> {
        self.ref_res
            .get(file.0 as usize)
            .and_then(|v| v.get(r))
            .copied()
            .flatten()
            .and_then(|i| self.ref_res_pool.get(i as usize))
    }
    /// `crate::a::b` display path of a module, crate name first.
    pub fn module_path(&self, m: ModuleId) -> String {
        let module = self.module(m);
        let mut s = self.krate(module.krate).name.clone();
        for p in &module.path {
            s.push_str("::");
            s.push_str(p);
        }
        s
    }
    /// The items of kind `kind` whose names match.
    pub fn defs_of_kind(&self, kind: ItemKind) -> impl Iterator<Item = DefId> + '_ {
        self.def_ids().filter(move |d| self.item(*d).kind == kind)
    }
    /// Is this span's file test code, or the def test code?
    pub fn def_in_test(&self, d: DefId) -> bool {
        self.def(d).in_test
    }
    pub fn span_text(&self, file: FileId, span: Span) -> &str {
        self.file(file).source.snippet(span)
    }

    /// Resolve `segments` as if written at the top level of module `from` (type, value or
    /// macro, in that order of preference). Needs [`build::complete`] to have run.
    pub fn resolve_path(&self, from: ModuleId, segments: &[String]) -> Option<Resolution> {
        self.names
            .resolve_in_module(self, from, segments, resolve::ANY)
    }

    /// Like [`Index::resolve_path`], looking the path up the way a ref of `kind` would
    /// (a type position never resolves to a fn of the same name; `A::new` → `A`).
    pub fn resolve_path_as(
        &self,
        from: ModuleId,
        segments: &[String],
        kind: crate::facts::RefKind,
    ) -> Option<Resolution> {
        self.names
            .resolve_in_module(self, from, segments, resolve::wanted(kind))
    }

    /// Resolve `segments` as if written at `scope` of `file` (fn-local items and `use`s and
    /// `Self` included), e.g. a type written in a static's declaration.
    pub fn resolve_at(
        &self,
        file: FileId,
        scope: &[ScopeSeg],
        segments: &[String],
        kind: crate::facts::RefKind,
    ) -> Option<Resolution> {
        self.names
            .resolve_at(self, file, scope, segments, resolve::wanted(kind))
    }

    /// Resolve an absolute path such as a config value (`chat_core::ws::manager::WebSocketManager`,
    /// `chat_core::ws`): the first segment is a workspace crate name (or package name); when
    /// several crates share it (a lib and a bin, or crates of two workspaces) the lib wins.
    pub fn resolve_abs(&self, path: &str) -> Option<Resolution> {
        self.names.resolve_abs(self, path)
    }

    /// The defining path of a definition (`chat_core::ws::manager::WebSocketManager`).
    pub fn canonical_path(&self, d: DefId) -> String {
        self.def(d).path.clone()
    }

    /// Follow `type A = B;` chains from `d` to the definition they name; `d` itself when it
    /// is not an alias or its right-hand side is not a workspace definition.
    pub fn alias_target(&self, d: DefId) -> DefId {
        let mut cur = d;
        // Bounded: alias cycles are a compile error but must not hang us.
        for _ in 0..64 {
            match self.alias_res.get(&cur).map(|r| &r.target) {
                Some(Target::Def(next)) if *next != cur => cur = *next,
                _ => break,
            }
        }
        cur
    }

    /// The definition a resolution ends at, through type aliases.
    pub fn resolved_def(&self, r: &Resolution) -> Option<DefId> {
        match r.target {
            Target::Def(d) => Some(self.alias_target(d)),
            _ => None,
        }
    }
}
