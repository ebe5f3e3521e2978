//! Index glue shared by the static rules: every item of a kind with its stable path and
//! test status, and a [`TypeEnv`] backed by the index and the config.
//!
//! Items are read from the per-file facts (which hold every nested item), and the index's
//! definitions are used where they exist, so these rules see fn-local and macro-generated
//! statics whatever the definition table contains.

use super::{ManagedOrigin, TypeEnv};
use crate::config::{glob_match, Config};
use crate::facts::{
    FnInfo, Item, ItemDetail, ItemKind, ScopeSeg, StaticInfo, StaticOrigin, StructInfo, Ty, UseKind,
};
use crate::index::{FileRole, Index, Resolution, Target, UseId};
use crate::source::FileId;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

/// One item of the workspace, located.
#[derive(Debug, Clone, Copy)]
pub struct Site<'a> {
    pub file: FileId,
    /// Index into the file's `facts.items`.
    pub item_index: usize,
    pub item: &'a Item,
}

/// A static with its declaration details.
#[derive(Debug, Clone, Copy)]
pub struct StaticSite<'a> {
    pub site: Site<'a>,
    pub info: &'a StaticInfo,
}

/// A fn with its signature and body summary.
#[derive(Debug, Clone, Copy)]
pub struct FnSite<'a> {
    pub site: Site<'a>,
    pub info: &'a FnInfo,
}

/// What the static rules know about the workspace, computed once per rule run.
pub struct Workspace<'a> {
    pub index: &'a Index,
    pub config: &'a Config,
    /// The Rust files, each analysed path once.
    pub files: Vec<FileId>,
    /// Every static outside test code (unless tests are included).
    pub statics: Vec<StaticSite<'a>>,
    /// Every fn outside test code (unless tests are included).
    pub fns: Vec<FnSite<'a>>,
    statics_by_name: HashMap<&'a str, Vec<usize>>,
    /// Names of workspace type definitions (struct, enum, trait, alias …).
    type_names: HashSet<&'a str>,
    /// Type aliases by name: (file, aliased type).
    aliases: HashMap<&'a str, Vec<(FileId, &'a Ty)>>,
    /// Structs by name: (file, fields).
    structs: HashMap<&'a str, Vec<(FileId, &'a StructInfo)>>,
    /// First segments that name something in the workspace: crate and module names.
    workspace_roots: HashSet<&'a str>,
    /// Names of concept members and canonical types, and the concepts' name globs.
    concept_names: HashSet<String>,
    concept_globs: Vec<String>,
    /// Last segments of the concepts' user-context types.
    pub context_names: HashSet<String>,
    /// Whether a struct (by name) holds state, as [`super::classify`] found it.
    struct_state: RefCell<HashMap<String, bool>>,
}

impl<'a> Workspace<'a> {
    pub fn new(index: &'a Index, config: &'a Config) -> Workspace<'a> {
        let mut statics = Vec::new();
        let mut fns = Vec::new();
        let mut type_names = HashSet::new();
        let mut aliases: HashMap<&str, Vec<(FileId, &Ty)>> = HashMap::new();
        let mut structs: HashMap<&str, Vec<(FileId, &StructInfo)>> = HashMap::new();
        // A file shared by two crates (a bin and a lib over one `src/`) is one set of items.
        let mut seen_paths = HashSet::new();
        let mut files = Vec::new();
        let mut workspace_roots: HashSet<&str> = ["crate", "self", "super", "Self"].into();
        for krate in &index.crates {
            workspace_roots.insert(krate.name.as_str());
        }
        for module in &index.modules {
            workspace_roots.extend(module.path.iter().map(String::as_str));
        }
        for file in index.rust_files() {
            if !seen_paths.insert(index.file(file).source.path.as_path()) {
                continue;
            }
            files.push(file);
            for (item_index, item) in index.file(file).facts.items.iter().enumerate() {
                let site = Site {
                    file,
                    item_index,
                    item,
                };
                if item.kind.is_type() {
                    type_names.insert(item.name.as_str());
                }
                if item.kind == ItemKind::Mod {
                    workspace_roots.insert(item.name.as_str());
                }
                match &item.detail {
                    ItemDetail::TypeAlias(ty) => {
                        aliases.entry(&item.name).or_default().push((file, ty));
                    }
                    ItemDetail::Struct(info) => {
                        structs.entry(&item.name).or_default().push((file, info));
                    }
                    _ => {}
                }
                if is_test(index, site) && !config.include_tests {
                    continue;
                }
                match &item.detail {
                    ItemDetail::Static(info) => statics.push(StaticSite { site, info }),
                    ItemDetail::Fn(info) => fns.push(FnSite { site, info }),
                    _ => {}
                }
            }
        }
        let mut statics_by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, s) in statics.iter().enumerate() {
            statics_by_name
                .entry(s.site.item.name.as_str())
                .or_default()
                .push(i);
        }
        let mut concept_names = HashSet::new();
        let mut concept_globs = Vec::new();
        let mut context_names = HashSet::new();
        for concept in &config.concepts {
            concept_globs.extend(concept.names.iter().map(|n| n.value.clone()));
            if let Some(canonical) = &concept.canonical {
                concept_names.extend(last_segment(&canonical.value));
            }
            if let Some(ctx) = &concept.context {
                context_names.extend(last_segment(&ctx.value));
            }
        }
        for ci in &index.concepts {
            for member in ci.members.iter().chain(ci.canonical.iter()) {
                if let Some(item) = index
                    .defs
                    .get(member.0 as usize)
                    .map(|_| index.item(*member))
                {
                    concept_names.insert(item.name.clone());
                }
            }
        }
        Workspace {
            index,
            config,
            files,
            statics,
            fns,
            statics_by_name,
            type_names,
            aliases,
            structs,
            workspace_roots,
            concept_names,
            concept_globs,
            context_names,
            struct_state: RefCell::new(HashMap::new()),
        }
    }

    /// A [`TypeEnv`] for types written at `scope` in `file`.
    pub fn env(&'a self, file: FileId, scope: &'a [ScopeSeg]) -> IndexEnv<'a> {
        IndexEnv {
            ws: self,
            file,
            scope,
        }
    }

    /// The env for types written in this item's declaration.
    pub fn env_for(&'a self, site: Site<'a>) -> IndexEnv<'a> {
        self.env(site.file, &site.item.scope)
    }

    /// Stable full path of an item: its definition's path, or (when the index has no
    /// definition for it) the module path followed by enclosing impl/fn names.
    pub fn item_path(&self, site: Site<'_>) -> String {
        if let Some(def) = self.index.def_of_item(site.file, site.item_index) {
            return self.index.def(def).path.clone();
        }
        let mut path = self
            .index
            .module_at(site.file, &site.item.scope)
            .map(|m| self.index.module_path(m))
            .unwrap_or_default();
        let after_last_mod = site
            .item
            .scope
            .iter()
            .rposition(|s| matches!(s, ScopeSeg::Mod(_)))
            .map_or(0, |i| i + 1);
        let mut segs: Vec<&str> = Vec::new();
        if path.is_empty() {
            segs.extend(
                site.item.scope[..after_last_mod]
                    .iter()
                    .filter_map(seg_name),
            );
        }
        segs.extend(
            site.item.scope[after_last_mod..]
                .iter()
                .filter_map(seg_name),
        );
        segs.push(&site.item.name);
        for seg in segs {
            if !path.is_empty() {
                path.push_str("::");
            }
            path.push_str(seg);
        }
        path
    }

    /// Statics a written value path may name (`INSTANCE`, `crate::state::MANAGER`):
    /// statics with its last segment as name, narrowed by the rest of the path when given.
    pub fn statics_named(&self, path: &[String]) -> Vec<StaticSite<'a>> {
        let Some(name) = path.last() else {
            return Vec::new();
        };
        let candidates: Vec<StaticSite<'a>> = self
            .statics_by_name
            .get(name.as_str())
            .into_iter()
            .flatten()
            .map(|i| self.statics[*i])
            .collect();
        let qualifiers: Vec<&str> = path[..path.len() - 1]
            .iter()
            .map(String::as_str)
            .filter(|s| !matches!(*s, "crate" | "self" | "super"))
            .collect();
        if qualifiers.is_empty() || candidates.len() < 2 {
            return candidates;
        }
        let suffix = format!("{}::{}", qualifiers.join("::"), name);
        let narrowed: Vec<StaticSite<'a>> = candidates
            .iter()
            .copied()
            .filter(|s| self.item_path(s.site).ends_with(&suffix))
            .collect();
        if narrowed.is_empty() {
            candidates
        } else {
            narrowed
        }
    }

    /// The statics declared directly in the body of fn `f` (at any depth below it).
    pub fn local_statics(&self, f: FnSite<'a>) -> Vec<StaticSite<'a>> {
        let mut body_scope = f.site.item.scope.clone();
        body_scope.push(ScopeSeg::Fn(f.site.item.name.clone()));
        f.info
            .body
            .local_statics
            .iter()
            .flat_map(|name| self.statics_named(std::slice::from_ref(name)))
            .filter(|s| s.site.file == f.site.file && s.site.item.scope.starts_with(&body_scope))
            .collect()
    }

    /// The first type definition named `name`, for "defined here" notes.
    pub fn type_def_site(&self, name: &str) -> Option<Site<'a>> {
        for def in self.index.defs_named(name) {
            let d = self.index.def(*def);
            let item = self.index.item(*def);
            if item.kind.is_type() {
                return Some(Site {
                    file: d.file,
                    item_index: d.item as usize,
                    item,
                });
            }
        }
        let index = self.index;
        index.rust_files().find_map(|file| {
            index
                .file(file)
                .facts
                .items
                .iter()
                .enumerate()
                .find(|(_, it)| it.name == name && it.kind.is_type())
                .map(|(item_index, item)| Site {
                    file,
                    item_index,
                    item,
                })
        })
    }

    fn is_concept_name(&self, name: &str) -> bool {
        self.concept_names.contains(name) || self.concept_globs.iter().any(|g| glob_match(g, name))
    }

    /// A qualified path whose first segment names no workspace crate or module is a
    /// third-party path (`redis::aio::ConnectionManager`).
    fn is_external_path(&self, q: &[String]) -> bool {
        q.len() > 1 && !self.workspace_roots.contains(q[0].as_str())
    }
}

/// "Static `X`", "`thread_local!` static `X`" …, with "in fn `f`" for fn-local ones.
pub fn subject(s: &StaticSite<'_>) -> String {
    let name = &s.site.item.name;
    let kind = match s.info.origin {
        StaticOrigin::Static if s.info.mutable => "`static mut`",
        StaticOrigin::Static | StaticOrigin::TaskLocal => "static",
        StaticOrigin::LazyStatic => "`lazy_static!` static",
        StaticOrigin::ThreadLocal => "`thread_local!` static",
        StaticOrigin::MacroGenerated => "macro-generated static",
    };
    let enclosing_fn = s.site.item.scope.iter().rev().find_map(|seg| match seg {
        ScopeSeg::Fn(f) => Some(f.as_str()),
        _ => None,
    });
    match enclosing_fn {
        Some(f) if s.site.item.in_fn_body => capitalize(&format!("{kind} `{name}` in fn `{f}`")),
        _ => capitalize(&format!("{kind} `{name}`")),
    }
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Is this item test code?
fn is_test(index: &Index, site: Site<'_>) -> bool {
    let file = index.file(site.file);
    let crate_is_test = match file.role {
        FileRole::Module { krate, .. } => index.krate(krate).is_test,
        FileRole::Config => false,
    };
    let def_in_test = index
        .def_of_item(site.file, site.item_index)
        .is_some_and(|d| index.def_in_test(d));
    // Items without a definition (fn-local statics) inside an inline test module.
    let module_in_test = || {
        index
            .module_at(site.file, &site.item.scope)
            .is_some_and(|m| index.module(m).in_test)
    };
    site.item.in_test || file.in_test || crate_is_test || def_in_test || module_in_test()
}

/// A `use` at `use_scope` is visible at `scope` when `scope` is inside it without entering
/// a child module (fn bodies and impls see their module's imports; child modules do not).
fn visible_from(use_scope: &[ScopeSeg], scope: &[ScopeSeg]) -> bool {
    scope.starts_with(use_scope)
        && !scope[use_scope.len()..]
            .iter()
            .any(|s| matches!(s, ScopeSeg::Mod(_)))
}

fn seg_name(seg: &ScopeSeg) -> Option<&str> {
    match seg {
        ScopeSeg::Mod(n) | ScopeSeg::Fn(n) | ScopeSeg::Impl(n) => Some(n),
        ScopeSeg::Block(_) => None,
    }
}

fn last_segment(path: &str) -> Option<String> {
    path.rsplit("::").next().map(str::to_string)
}

/// A [`TypeEnv`] that reads `use` declarations of one file scope and the workspace's
/// definitions.
pub struct IndexEnv<'a> {
    ws: &'a Workspace<'a>,
    file: FileId,
    scope: &'a [ScopeSeg],
}

impl IndexEnv<'_> {
    /// Of several same-named definitions, the one in this file, else the first.
    fn nearest<'t, T>(&self, candidates: &'t [(FileId, T)]) -> Option<&'t T> {
        candidates
            .iter()
            .find(|(f, _)| *f == self.file)
            .or_else(|| candidates.first())
            .map(|(_, t)| t)
    }
}

impl TypeEnv for IndexEnv<'_> {
    fn qualify(&self, written: &[String]) -> Vec<String> {
        let Some(first) = written.first() else {
            return Vec::new();
        };
        if self.ws.workspace_roots.contains(first.as_str()) && written.len() > 1 {
            return written.to_vec();
        }
        let index = self.ws.index;
        let uses = &index.file(self.file).facts.uses;
        let best = uses
            .iter()
            .enumerate()
            .filter(|(_, u)| {
                u.kind == UseKind::Name
                    && u.rename
                        .as_deref()
                        .or(u.path.last().map(String::as_str))
                        .is_some_and(|n| n == first)
                    && visible_from(&u.scope, self.scope)
            })
            .max_by_key(|(_, u)| u.scope.len());
        let Some((leaf, leaf_facts)) = best else {
            return written.to_vec();
        };
        let id = UseId {
            file: self.file,
            leaf: leaf as u32,
        };
        let mut base: Vec<String> = match index.use_resolution(id) {
            Some(Resolution {
                target: Target::External(p),
                ..
            }) => p.clone(),
            Some(Resolution {
                target: Target::Def(d),
                ..
            }) => index.def(*d).path.split("::").map(str::to_string).collect(),
            _ => leaf_facts.path.clone(),
        };
        base.extend(written[1..].iter().cloned());
        base
    }

    fn managed(&self, qualified: &[String]) -> Option<ManagedOrigin> {
        let name = qualified.last()?;
        if self.ws.is_concept_name(name) {
            return Some(ManagedOrigin::Concept);
        }
        // `SessionManagerImpl`, `WsMgr`, `HubV2`: a decorated or abbreviated manager is one.
        if !self.ws.config.is_managed(name)
            && !self
                .ws
                .config
                .is_managed(&crate::rules::names::normalize(name).display)
        {
            return None;
        }
        let defined_here = self.ws.type_names.contains(name.as_str())
            || !self.ws.index.defs_named(name).is_empty();
        if defined_here && !self.ws.is_external_path(qualified) {
            Some(ManagedOrigin::Workspace)
        } else {
            Some(ManagedOrigin::External)
        }
    }

    fn alias(&self, qualified: &[String]) -> Option<Ty> {
        if self.ws.is_external_path(qualified) {
            return None;
        }
        let candidates = self.ws.aliases.get(qualified.last()?.as_str())?;
        self.nearest(candidates).map(|ty| (*ty).clone())
    }

    fn fields(&self, qualified: &[String]) -> Option<Vec<Ty>> {
        if self.ws.is_external_path(qualified) {
            return None;
        }
        let candidates = self.ws.structs.get(qualified.last()?.as_str())?;
        self.nearest(candidates)
            .map(|info| info.fields.iter().map(|f| f.ty.clone()).collect())
    }

    // Keyed by name like `fields` (which picks the nearest struct of that name), so an
    // answer found from one file may stand for a same-named struct elsewhere: acceptable
    // for a name-level memo, and it keeps classification linear in the workspace's size.
    fn known_state(&self, qualified: &[String]) -> Option<bool> {
        let name = qualified.last()?;
        self.ws.struct_state.borrow().get(name.as_str()).copied()
    }

    fn remember_state(&self, qualified: &[String], holds: bool) {
        if let Some(name) = qualified.last() {
            self.ws
                .struct_state
                .borrow_mut()
                .insert(name.clone(), holds);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::visible_from;
    use crate::facts::ScopeSeg::{Fn, Impl, Mod};

    #[test]
    fn uses_reach_fn_bodies_but_not_child_modules() {
        assert!(visible_from(&[], &[]));
        assert!(visible_from(&[], &[Fn("f".into())]));
        assert!(visible_from(&[], &[Impl("T".into()), Fn("f".into())]));
        assert!(!visible_from(&[], &[Mod("inner".into())]));
        assert!(visible_from(
            &[Mod("m".into())],
            &[Mod("m".into()), Fn("f".into())]
        ));
        assert!(!visible_from(&[Fn("f".into())], &[]));
    }
}
