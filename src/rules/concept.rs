//! Configured concepts as the path rules (`non-canonical-import`, `direct-construction`,
//! `shim-defines-type`, `factory-missing-context`) see them: every config path resolved
//! once against the index, plus the small questions those rules share (is this test
//! code, is this module inside that one, how does crate X spell a path).
//!
//! A config path that resolves to nothing is simply left out here: `config-unresolved`
//! reports it, and a rule must not guess.

use crate::config::{Concept, Config};
use crate::facts::{ScopeSeg, Ty, Vis};
use crate::finding::Level;
use crate::index::{CrateId, CrateKind, DefId, FileRole, Index, ModuleId, Target, UseId};
use crate::source::FileId;

/// A resolved route to an item: where the path leads (before `type` aliases are followed)
/// and the re-exports it passes through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub target: Target,
    pub via: Vec<UseId>,
}

/// What a `deprecated` entry names, in the form routes can be matched against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeprecatedKey {
    /// A re-export (`chat_core::legacy::OldManager`): routes through this `use` leaf.
    Leaf(UseId),
    /// A definition (a type alias, a struct): routes ending at (or passing) it.
    Def(DefId),
    /// A module: routes that pass through it or one of its children.
    Module(ModuleId),
}

#[derive(Debug, Clone)]
pub struct DeprecatedRoute {
    pub key: DeprecatedKey,
    /// The path as the config writes it.
    pub path: String,
    /// Level today (`error-after` already applied).
    pub level: Level,
}

/// Where construction is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactoryPlace {
    /// The module and its children.
    Module(ModuleId),
    /// A factory type (code inside its `impl` blocks) or a factory fn (its body).
    Def(DefId),
}

#[derive(Debug, Clone)]
pub struct ResolvedConcept<'a> {
    pub config: &'a Concept,
    /// The canonical definition (re-exports and aliases followed).
    pub canonical: Option<DefId>,
    /// The config's canonical path as written.
    pub canonical_path: Option<&'a str>,
    /// Every type definition of the concept (canonical included).
    pub members: Vec<DefId>,
    /// Routes as good as the canonical one: the canonical path, the defining path, aliases.
    pub sanctioned: Vec<Route>,
    pub deprecated: Vec<DeprecatedRoute>,
    pub factories: Vec<(FactoryPlace, &'a str)>,
    pub shims: Vec<(ModuleId, &'a str)>,
    /// The user-context type.
    pub context: Option<DefId>,
}

impl<'a> ResolvedConcept<'a> {
    pub fn is_member(&self, d: DefId) -> bool {
        self.members.contains(&d) || self.canonical == Some(d)
    }
    /// Is module `m` (inside) one of the concept's shim or deprecated modules?
    pub fn in_shim_or_deprecated_module(&self, index: &Index, m: ModuleId) -> bool {
        self.shims.iter().any(|(s, _)| index.is_within(m, *s))
            || self.deprecated.iter().any(|d| match d.key {
                DeprecatedKey::Module(dm) => index.is_within(m, dm),
                _ => false,
            })
    }
    /// The first factory's config path, for help texts.
    pub fn factory_hint(&self) -> Option<&'a str> {
        self.config.factories.first().map(|f| f.value.as_str())
    }
    /// The context type's name, for help texts.
    pub fn context_name(&self) -> Option<&'a str> {
        self.config
            .context
            .as_ref()
            .map(|c| c.value.rsplit("::").next().unwrap_or(c.value.as_str()))
    }
}

/// Resolve every configured concept (in config order).
pub fn resolve_all<'a>(index: &Index, config: &'a Config) -> Vec<ResolvedConcept<'a>> {
    config
        .concepts
        .iter()
        .enumerate()
        .map(|(i, concept)| resolve_one(index, config, i, concept))
        .collect()
}

fn resolve_one<'a>(
    index: &Index,
    config: &'a Config,
    position: usize,
    concept: &'a Concept,
) -> ResolvedConcept<'a> {
    let built = index.concepts.get(position);
    let canonical = built.and_then(|c| c.canonical);
    let mut members = built.map(|c| c.members.clone()).unwrap_or_default();
    if let Some(c) = canonical {
        if !members.contains(&c) {
            members.push(c);
        }
    }

    let mut sanctioned = Vec::new();
    if let Some(c) = canonical {
        // The defining path itself is always fine.
        sanctioned.push(Route {
            target: Target::Def(c),
            via: Vec::new(),
        });
    }
    let canonical_path = concept.canonical.as_ref().map(|c| c.value.as_str());
    for path in canonical_path
        .into_iter()
        .chain(concept.aliases.iter().map(|a| a.value.as_str()))
    {
        if let Some(r) = index.resolve_abs(path) {
            if canonical.is_some() && index.resolved_def(&r) == canonical {
                sanctioned.push(Route {
                    target: r.target,
                    via: r.via,
                });
            }
        }
    }

    let deprecated = concept
        .deprecated
        .iter()
        .filter_map(|dp| {
            let r = index.resolve_abs(&dp.path.value)?;
            let key = match (r.via.first(), &r.target) {
                (Some(leaf), _) => DeprecatedKey::Leaf(*leaf),
                (None, Target::Def(d)) => DeprecatedKey::Def(*d),
                (None, Target::Module(m)) => DeprecatedKey::Module(*m),
                (None, Target::Crate(c)) => DeprecatedKey::Module(index.krate(*c).root_module),
                (None, Target::External(_)) => return None,
            };
            Some(DeprecatedRoute {
                key,
                path: dp.path.value.clone(),
                level: config.deprecated_level(dp).unwrap_or(Level::Error),
            })
        })
        .collect();

    let factories = concept
        .factories
        .iter()
        .filter_map(|f| {
            let r = index.resolve_abs(&f.value)?;
            let place = match r.target {
                Target::Module(m) => FactoryPlace::Module(m),
                Target::Crate(c) => FactoryPlace::Module(index.krate(c).root_module),
                Target::Def(d) => FactoryPlace::Def(index.alias_target(d)),
                Target::External(_) => return None,
            };
            Some((place, f.value.as_str()))
        })
        .collect();

    let shims = concept
        .shims
        .iter()
        .filter_map(|s| {
            let m = match index.resolve_abs(&s.value)?.target {
                Target::Module(m) => m,
                Target::Crate(c) => index.krate(c).root_module,
                _ => return None,
            };
            Some((m, s.value.as_str()))
        })
        .collect();

    let context = concept
        .context
        .as_ref()
        .and_then(|c| index.resolve_abs(&c.value))
        .and_then(|r| index.resolved_def(&r));

    ResolvedConcept {
        config: concept,
        canonical,
        canonical_path,
        members,
        sanctioned,
        deprecated,
        factories,
        shims,
        context,
    }
}

/// Is code in `file` at `scope` (with its own `in_test` flag) test code the rules skip?
pub fn is_test_code(
    index: &Index,
    config: &Config,
    file: FileId,
    module: Option<ModuleId>,
    own_flag: bool,
) -> bool {
    if config.include_tests {
        return false;
    }
    if own_flag {
        return true;
    }
    let Some(f) = index.files.get(file.0 as usize) else {
        return true;
    };
    if f.in_test {
        return true;
    }
    if let FileRole::Module { krate, .. } = f.role {
        if index
            .crates
            .get(krate.0 as usize)
            .is_some_and(|c| c.is_test)
        {
            return true;
        }
    }
    module
        .and_then(|m| index.modules.get(m.0 as usize))
        .is_some_and(|m| m.in_test)
}

/// The crate a file belongs to.
pub fn crate_of_file(index: &Index, file: FileId) -> Option<CrateId> {
    match index.files.get(file.0 as usize)?.role {
        FileRole::Module { krate, .. } => Some(krate),
        FileRole::Config => None,
    }
}

/// How code in crate `from` names crate `to`: `crate` for itself, else its dependency key.
pub fn crate_prefix(index: &Index, from: CrateId, to: CrateId) -> Option<String> {
    if from == to {
        return Some("crate".into());
    }
    let deps = &index.crates.get(from.0 as usize)?.deps;
    let to_name = &index.crates.get(to.0 as usize)?.name;
    if deps.get(to_name) == Some(&to) {
        return Some(to_name.clone());
    }
    let mut keys: Vec<&String> = deps
        .iter()
        .filter(|(_, c)| **c == to)
        .map(|(k, _)| k)
        .collect();
    keys.sort();
    keys.first().map(|k| (*k).clone())
}

/// An absolute path (crate name first, as config and `Def::path` write it) as code in crate
/// `from` spells it; `None` when `from` cannot name that crate.
pub fn spell_abs_path(index: &Index, abs: &str, from: CrateId) -> Option<String> {
    let abs = abs.trim().trim_start_matches("::");
    let (first, rest) = match abs.split_once("::") {
        Some((f, r)) => (f, Some(r)),
        None => (abs, None),
    };
    let target = crate_named(index, first)?;
    let prefix = crate_prefix(index, from, target)?;
    Some(match rest {
        Some(r) => format!("{prefix}::{r}"),
        None => prefix,
    })
}

/// The crate a config path's first segment names (a lib wins over a bin of that name).
fn crate_named(index: &Index, name: &str) -> Option<CrateId> {
    let norm = name.replace('-', "_");
    (0..index.crates.len() as u32)
        .map(CrateId)
        .filter(|c| {
            let k = index.krate(*c);
            k.name == norm || k.package == name
        })
        .min_by_key(|c| (index.krate(*c).kind != CrateKind::Lib, *c))
}

/// The defining path of `d` as crate `from` spells it.
pub fn spell_def_path(index: &Index, d: DefId, from: CrateId) -> Option<String> {
    let def = index.defs.get(d.0 as usize)?;
    let krate_name = &index.krate(def.krate).name;
    let rest = def.path.strip_prefix(krate_name.as_str())?;
    let prefix = crate_prefix(index, from, def.krate)?;
    Some(format!("{prefix}{rest}"))
}

/// Can code in module `from` name the item `d` by its defining path? Every module on the
/// way and the item itself must be visible from there.
pub fn def_path_visible(index: &Index, d: DefId, from: ModuleId) -> bool {
    let Some(def) = index.defs.get(d.0 as usize) else {
        return false;
    };
    if index
        .item(d)
        .scope
        .iter()
        .any(|s| !matches!(s, ScopeSeg::Mod(_)))
    {
        // Fn-local items and associated items have no module path.
        return false;
    }
    visible_from(index, index.item(d).vis, def.module, from)
        && module_path_visible(index, def.module, from)
}

/// Can code in module `from` name module `m` by its path from the crate root?
pub fn module_path_visible(index: &Index, m: ModuleId, from: ModuleId) -> bool {
    let mut cur = m;
    for _ in 0..1024 {
        let Some(module) = index.modules.get(cur.0 as usize) else {
            return false;
        };
        let Some(parent) = module.parent else {
            return true;
        };
        let vis = match module.decl {
            Some(decl) if (decl.0 as usize) < index.defs.len() => index.item(decl).vis,
            _ if module.public => Vis::Public,
            _ => Vis::Private,
        };
        if !visible_from(index, vis, parent, from) {
            return false;
        }
        cur = parent;
    }
    false
}

/// May code in `from` see a name that module `owner` declares with visibility `vis`?
fn visible_from(index: &Index, vis: Vis, owner: ModuleId, from: ModuleId) -> bool {
    let krate = |m: ModuleId| index.modules.get(m.0 as usize).map(|x| x.krate);
    match vis {
        Vis::Public => true,
        // `pub(super)`/`pub(in ..)` are crate-internal; treat them as `pub(crate)`.
        Vis::Crate | Vis::Restricted => krate(owner) == krate(from),
        Vis::Private => index.is_within(from, owner),
    }
}

/// Look through wrappers that hand out the value they hold (`Arc<M>`, `Result<Box<M>, E>`,
/// `Option<M>`, a project's `type ApiResult<T> = Result<T, Error>` …) to the core type: the
/// first type argument of any generic path, except collections (a `Vec<M>` or a map holds
/// many instances, it is not one). References are not looked through: `&M` lends an instance
/// someone else owns.
pub fn peel_owned_wrappers(ty: &Ty) -> &Ty {
    const COLLECTIONS: &[&str] = &[
        "Vec",
        "VecDeque",
        "HashMap",
        "BTreeMap",
        "HashSet",
        "BTreeSet",
        "IndexMap",
        "IndexSet",
        "DashMap",
        "SmallVec",
        "LinkedList",
        "BinaryHeap",
    ];
    let mut cur = ty;
    for _ in 0..16 {
        match cur {
            Ty::Path { segments, args } => {
                let collection = segments
                    .last()
                    .is_some_and(|s| COLLECTIONS.contains(&s.as_str()));
                match args.first() {
                    Some(inner) if !collection => cur = inner,
                    _ => return cur,
                }
            }
            _ => return cur,
        }
    }
    cur
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &str, args: Vec<Ty>) -> Ty {
        Ty::Path {
            segments: p.split("::").map(str::to_string).collect(),
            args,
        }
    }

    #[test]
    fn peels_owned_wrappers_but_not_references() {
        let m = path("WebSocketManager", vec![]);
        let nested = path(
            "Result",
            vec![
                path("std::sync::Arc", vec![m.clone()]),
                path("Error", vec![]),
            ],
        );
        assert_eq!(peel_owned_wrappers(&nested), &m);
        let r = Ty::Ref {
            lifetime: None,
            mutable: false,
            inner: Box::new(m.clone()),
        };
        assert_eq!(peel_owned_wrappers(&r), &r);
        // A bare `Arc` without arguments is the type itself.
        let bare = path("Arc", vec![]);
        assert_eq!(peel_owned_wrappers(&bare), &bare);
        // Project aliases of `Result` are looked through, collections are not.
        let alias = path("CollectionResult", vec![m.clone()]);
        assert_eq!(peel_owned_wrappers(&alias), &m);
        let many = path("Vec", vec![m.clone()]);
        assert_eq!(peel_owned_wrappers(&many), &many);
    }
}
