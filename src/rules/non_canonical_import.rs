//! `ssot::non-canonical-import` — see `rules/non-canonical-import.toml` for what it finds and why.
//!
//! Every `use` leaf and written path is a *consumer* of the item it resolves to. Its *route*
//! is what the resolver recorded on the way (`Resolution::via`: every `use` leaf passed
//! through), plus the modules its written prefixes name. Routes are compared as resolved
//! definitions and leaves, never as strings, so `crate::ws::manager::X` inside the defining
//! crate and `chat_core::ws::manager::X` elsewhere are the same route.
//!
//! A path that reaches its item through a local import is that import's business: the
//! import is checked, the uses of the name it binds are not (a glob import is reported
//! once, for the items that were used through it).
//!
//! With a config, items of a concept must come through the canonical path or a sanctioned
//! alias; a route through a `deprecated` module or item is reported at that mapping's level
//! (error by default; a `warn` mapping turns into an error after its `error-after` date), any
//! other route as a warning.
//!
//! Without a config (and for every item no concept covers), two forms are reported, both
//! warnings, tuned to stay quiet on ordinary facades (see the rule's TOML for the list):
//! imports through a *renamed* re-export of a workspace item the importing crate can name
//! directly, and, inside one crate that also uses an item's defining path, imports through a
//! re-export that gives the item a second home (a legacy module, another crate). A parent
//! module lifting a child's item is not a second home, and a crate that mixes two facades but
//! never the defining path is left alone: which facade is right is the authors' call.

use super::concept::{
    self, crate_of_file, def_path_visible, is_test_code, module_path_visible, spell_abs_path,
    spell_def_path, DeprecatedKey, DeprecatedRoute, ResolvedConcept,
};
use super::use_fix;
use super::RuleCtx;
use crate::facts::{PathRef, RefKind, UseKind, UseLeaf, Vis};
use crate::finding::{Finding, Level};
use crate::index::{CrateId, DefId, Index, ModuleId, Resolution, Target, UseId};
use crate::source::{FileId, Span};
use std::collections::{HashMap, HashSet};

const RULE: &str = "non-canonical-import";

pub fn check(ctx: &RuleCtx) -> Vec<Finding> {
    let concepts = concept::resolve_all(ctx.index, ctx.config);
    let mut run = Run {
        ctx,
        concept_items: concept_items(ctx.index, &concepts),
        concepts,
        findings: Vec::new(),
        flagged: HashSet::new(),
        groups: Groups::default(),
        shim_modules: HashMap::new(),
    };
    for file in ctx.index.rust_files() {
        run.file(file);
    }
    run.report_mixed_routes();
    run.findings
}

/// A place that names an item: a `use` leaf or a path written elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Consumer {
    Leaf(UseId),
    Ref { file: FileId, index: u32 },
}

/// Every definition some concept cares about, with the concept's position.
fn concept_items(index: &Index, concepts: &[ResolvedConcept]) -> HashMap<DefId, usize> {
    let mut items = HashMap::new();
    for (i, c) in concepts.iter().enumerate() {
        for d in c.canonical.iter().chain(&c.members) {
            items.entry(*d).or_insert(i);
        }
        // "Any def reached through a deprecated item path" belongs to the concept too.
        for dep in &c.deprecated {
            let reached = match dep.key {
                DeprecatedKey::Def(d) => Some(index.alias_target(d)),
                DeprecatedKey::Leaf(u) => {
                    index.use_resolution(u).and_then(|r| index.resolved_def(r))
                }
                DeprecatedKey::Module(_) => None,
            };
            if let Some(d) = reached {
                items.entry(d).or_insert(i);
            }
        }
    }
    items
}

/// Consumers of one item in one crate, by route (the re-exports passed, private imports left
/// out), for the "one item, two routes" check.
#[derive(Default)]
struct Group {
    /// The first consumer through the defining path (no re-export passed), if any.
    direct: Option<Consumer>,
    /// The first such consumer whose path any file of the crate could write as it stands
    /// (`dep::models::User`): the spelling to suggest.
    direct_spelled: Option<Consumer>,
    /// Consumers through re-exports, by route, in first-seen order.
    facades: Vec<(Vec<UseId>, Vec<Consumer>)>,
}

#[derive(Default)]
struct Groups {
    defs: HashMap<(CrateId, DefId), Group>,
    external: HashMap<CrateId, HashMap<Vec<String>, Group>>,
    /// Groups that have a facade route: only they can mix routes.
    with_facade: Vec<GroupKey>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum GroupKey {
    Def(CrateId, DefId),
    External(CrateId, Vec<String>),
}

impl Groups {
    fn group_mut(&mut self, krate: CrateId, target: &Target) -> Option<&mut Group> {
        match target {
            Target::Def(d) => Some(self.defs.entry((krate, *d)).or_default()),
            Target::External(p) => {
                let per_crate = self.external.entry(krate).or_default();
                if !per_crate.contains_key(p.as_slice()) {
                    per_crate.insert(p.clone(), Group::default());
                }
                per_crate.get_mut(p.as_slice())
            }
            _ => None,
        }
    }
    fn add(
        &mut self,
        krate: CrateId,
        target: &Target,
        route: Vec<UseId>,
        who: Consumer,
        spelled: bool,
    ) {
        let Some(group) = self.group_mut(krate, target) else {
            return;
        };
        if route.is_empty() {
            group.direct.get_or_insert(who);
            if spelled {
                group.direct_spelled.get_or_insert(who);
            }
            return;
        }
        let first_facade = group.facades.is_empty();
        match group.facades.iter_mut().find(|(r, _)| *r == route) {
            Some((_, who_list)) => who_list.push(who),
            None => group.facades.push((route, vec![who])),
        }
        if first_facade {
            self.with_facade.push(match target {
                Target::Def(d) => GroupKey::Def(krate, *d),
                Target::External(p) => GroupKey::External(krate, p.clone()),
                _ => return,
            });
        }
    }
    fn get(&self, key: &GroupKey) -> Option<&Group> {
        match key {
            GroupKey::Def(c, d) => self.defs.get(&(*c, *d)),
            GroupKey::External(c, p) => self.external.get(c)?.get(p.as_slice()),
        }
    }
}

/// What one consumer looks like to the checks.
struct View<'a> {
    who: Consumer,
    file: FileId,
    krate: CrateId,
    module: ModuleId,
    /// The path as written (for a glob, up to the globbed module).
    written: &'a [String],
    /// How many leading segments of `written` name modules on the way (all but the item
    /// for a leaf or ref; all of them for a glob).
    prefix_len: usize,
    /// The leaf, when the consumer is one.
    leaf: Option<&'a UseLeaf>,
    span: Span,
    /// Where the path leads (before `type` aliases are followed).
    target: &'a Target,
    /// The `use` leaves passed after the consumer's own text.
    hops: &'a [UseId],
}

struct Run<'a, 'c> {
    ctx: &'a RuleCtx<'c>,
    concepts: Vec<ResolvedConcept<'c>>,
    concept_items: HashMap<DefId, usize>,
    findings: Vec<Finding>,
    flagged: HashSet<Consumer>,
    groups: Groups,
    /// Per module: inside a configured shim or deprecated module? (cached)
    shim_modules: HashMap<ModuleId, bool>,
}

impl<'a, 'c> Run<'a, 'c> {
    fn index(&self) -> &'c Index {
        self.ctx.index
    }

    fn file(&mut self, file: FileId) {
        let index = self.index();
        let Some(krate) = crate_of_file(index, file) else {
            return;
        };
        let facts = &index.file(file).facts;
        let mut modules: HashMap<&[crate::facts::ScopeSeg], Option<ModuleId>> = HashMap::new();
        let mut module_at = |scope: &'c [crate::facts::ScopeSeg]| {
            *modules
                .entry(scope)
                .or_insert_with(|| index.module_at(file, scope))
        };

        for (i, leaf) in facts.uses.iter().enumerate() {
            if leaf.kind == UseKind::Glob || leaf.rename.as_deref() == Some("_") || leaf.cfg_gated {
                continue;
            }
            let id = UseId {
                file,
                leaf: i as u32,
            };
            let Some(res) = index.use_resolution(id) else {
                continue;
            };
            let Some(module) = module_at(&leaf.scope) else {
                continue;
            };
            if is_test_code(index, self.ctx.config, file, Some(module), leaf.in_test)
                || self.in_shim(module)
            {
                continue;
            }
            let view = View {
                who: Consumer::Leaf(id),
                file,
                krate,
                module,
                written: &leaf.path,
                prefix_len: match leaf.kind {
                    UseKind::Name => leaf.path.len().saturating_sub(1),
                    _ => leaf.path.len(),
                },
                leaf: Some(leaf),
                span: leaf.leaf_span,
                target: &res.target,
                hops: &res.via,
            };
            self.consumer(
                &view,
                leaf.vis == Vis::Private && leaf.kind == UseKind::Name,
            );
        }

        let mut globs_done: HashSet<UseId> = HashSet::new();
        for (r, pref) in facts.refs.iter().enumerate() {
            let Some(res) = index.ref_resolution(file, r) else {
                continue;
            };
            // Paths through a local import are the import's business.
            let attributed = match res.via.first() {
                Some(u) if u.file == file => facts.uses.get(u.leaf as usize).map(|l| (*u, l)),
                _ => None,
            };
            match attributed {
                Some((u, leaf)) if leaf.kind == UseKind::Glob => {
                    // A glob is checked once per item used through it (concepts only).
                    if self.concept_of(&res.target).is_none() || !globs_done.insert(u) {
                        continue;
                    }
                    let Some(module) = module_at(&leaf.scope) else {
                        continue;
                    };
                    if leaf.cfg_gated
                        || is_test_code(index, self.ctx.config, file, Some(module), leaf.in_test)
                    {
                        continue;
                    }
                    let view = View {
                        who: Consumer::Leaf(u),
                        file,
                        krate,
                        module,
                        written: &leaf.path,
                        prefix_len: leaf.path.len(),
                        leaf: Some(leaf),
                        span: leaf.leaf_span,
                        target: &res.target,
                        hops: res.via.get(1..).unwrap_or(&[]),
                    };
                    self.concept_check(&view);
                    continue;
                }
                Some((u, _))
                    if names_same_item(index.use_resolution(u).map(|x| &x.target), &res.target) =>
                {
                    continue;
                }
                _ => {}
            }
            if pref.kind == RefKind::Macro {
                // Macro paths are plumbing (`$crate::…`, `#[macro_export]` at the root).
                continue;
            }
            // A lone name with nothing passed is a local item, not an import.
            if pref.segments.len() < 2 && res.via.is_empty() {
                continue;
            }
            let Some(module) = module_at(&pref.scope) else {
                continue;
            };
            if is_test_code(index, self.ctx.config, file, Some(module), pref.in_test)
                || self.in_shim(module)
            {
                continue;
            }
            let view = View {
                who: Consumer::Ref {
                    file,
                    index: r as u32,
                },
                file,
                krate,
                module,
                written: &pref.segments,
                prefix_len: pref.segments.len().saturating_sub(1),
                leaf: None,
                span: pref.span,
                target: &res.target,
                hops: &res.via,
            };
            let counts_as_route = self.ref_is_an_import_path(file, pref, res);
            self.consumer(&view, counts_as_route);
        }
    }

    /// Does a written path import its item from somewhere (`crate::a::B`, `super::B`,
    /// `dep::B`, `module_import::B`), rather than use a name already in scope (`B::new`,
    /// `Self::X`, `Enum::Variant` next to the enum)?
    fn ref_is_an_import_path(&self, file: FileId, pref: &PathRef, res: &Resolution) -> bool {
        let index = self.index();
        let Some(first) = pref.segments.first() else {
            return false;
        };
        if pref.segments.len() < 2 {
            return false;
        }
        if pref.leading_colon || matches!(first.as_str(), "crate" | "self" | "super" | "$crate") {
            return true;
        }
        if let Some(u) = res.via.first() {
            // Through a local import: a module or crate import (`use crate::ws; ws::X`)
            // makes this path a route of its own; anything else was attributed already.
            return u.file == file
                && matches!(
                    index.use_resolution(*u).map(|r| &r.target),
                    Some(Target::Module(_) | Target::Crate(_))
                );
        }
        // No import passed: only a crate name makes this an import path.
        first.chars().next().is_some_and(char::is_lowercase)
            && matches!(
                index
                    .resolve_at(
                        file,
                        &pref.scope,
                        std::slice::from_ref(first),
                        RefKind::Type
                    )
                    .map(|r| r.target),
                Some(Target::Crate(_) | Target::External(_))
            )
    }

    /// Code inside a configured shim or deprecated module is the migration's own
    /// plumbing: neither reported nor counted as a route.
    fn in_shim(&mut self, module: ModuleId) -> bool {
        if self.concepts.is_empty() {
            return false;
        }
        let (concepts, index) = (&self.concepts, self.ctx.index);
        *self.shim_modules.entry(module).or_insert_with(|| {
            concepts
                .iter()
                .any(|c| c.in_shim_or_deprecated_module(index, module))
        })
    }

    fn concept_of(&self, target: &Target) -> Option<usize> {
        let Target::Def(d) = target else {
            return None;
        };
        self.concept_items
            .get(&self.index().alias_target(*d))
            .or_else(|| self.concept_items.get(d))
            .copied()
    }

    /// One consumer: the concept check, or the two zero-config checks.
    fn consumer(&mut self, view: &View, counts_as_route: bool) {
        if self.concept_of(view.target).is_some() {
            self.concept_check(view);
            return;
        }
        let index = self.index();
        // Re-exports that mark macro plumbing or cfg-switched alternatives exempt the route.
        if view.hops.iter().any(|u| exempt_hop(index, *u)) {
            return;
        }
        let route = public_hops(index, view.hops);
        let is_import = view.leaf.map_or(true, |l| l.vis == Vis::Private);
        if is_import && self.renamed_reexport(view, &route) {
            return;
        }
        if !counts_as_route {
            return;
        }
        match view.target {
            Target::Def(_) => {}
            // Third-party paths are only as precise as their spelling: count `use` leaves
            // whose re-exports name exactly this item (`pub use url::Url;`), not paths that
            // continue through a re-exported module or into a method.
            Target::External(_) => {
                let exact = route
                    .iter()
                    .all(|u| index.use_resolution(*u).map(|r| &r.target) == Some(view.target));
                if view.leaf.is_none() || !exact {
                    return;
                }
            }
            _ => return,
        }
        if route.iter().any(|u| in_prelude(index, *u)) {
            return;
        }
        // A parent module lifting a child's item (`mod.rs: pub use self::key::Key;`,
        // `lib.rs: pub use inner::*;`) is the ordinary facade pattern: a path through it is
        // as good as the defining path. Only a re-export living elsewhere (a legacy module,
        // another crate) gives the item a second home.
        let route = match view.target {
            Target::Def(d) if route.iter().all(|u| lifts_from_child(index, *u, *d)) => Vec::new(),
            _ => route,
        };
        let spelled = route.is_empty() && absolute_spelling(index, view.krate, view.who).is_some();
        self.groups
            .add(view.krate, view.target, route, view.who, spelled);
    }

    // ---------------------------------------------------------------------------------
    // With config: canonical path, aliases, deprecated routes

    fn concept_check(&mut self, view: &View) {
        let Some(ci) = self.concept_of(view.target) else {
            return;
        };
        let index = self.index();
        let concept = &self.concepts[ci];
        if concept.in_shim_or_deprecated_module(index, view.module) {
            return;
        }
        let prefixes = self.prefix_targets(view);
        let deprecated = deprecated_match(index, concept, view, &prefixes);
        let is_canonical_item = match view.target {
            Target::Def(d) => concept.canonical == Some(index.alias_target(*d)),
            _ => false,
        };
        let route = public_hops(index, view.hops);
        let sanctioned = concept
            .sanctioned
            .iter()
            .any(|r| r.target == *view.target && public_hops(index, &r.via) == route);
        let name = display_name(index, view);
        let (level, why) = match deprecated {
            Some(dep) => (dep.level, format!("through the deprecated `{}`", dep.path)),
            // Other members are `duplicate-concept`'s business; only their deprecated routes
            // concern imports.
            None if !is_canonical_item || sanctioned => return,
            None => (
                Level::Warning,
                route_description(index, &route, &name, view.krate),
            ),
        };
        let canonical_abs = concept
            .canonical_path
            .map(str::to_string)
            .or_else(|| concept.canonical.map(|d| index.def(d).path.clone()));
        let spelled = canonical_abs
            .as_deref()
            .and_then(|abs| spell_abs_path(index, abs, view.krate));
        let suggestion = spelled
            .clone()
            .or(canonical_abs.clone())
            .unwrap_or_default();
        let mut message = format!(
            "`{name}` is imported {why}, not through the canonical path of concept `{}`",
            concept.config.name.value
        );
        if let Some(abs) = &canonical_abs {
            message.push_str(&format!(" (`{abs}`)"));
        }
        message.push_str(
            ": several routes to one type let callers drift apart and keep legacy paths alive",
        );
        let mut finding = Finding::new(RULE, level, view.file, view.span, message)
            .help(format!("import it as `{suggestion}`"))
            .item_path(written_key(view));
        if let Some(d) = concept.canonical {
            let def = index.def(d);
            finding = finding.related(def.file, index.item(d).name_span, "canonical definition");
        }
        if let (Some(leaf), Some(path)) = (view.leaf, spelled) {
            let text = index.file(view.file).source.text();
            if let Some(fix) = use_fix::rewrite_leaf(text, view.file, leaf, &path) {
                finding = finding.fix(fix);
            }
        }
        self.push(view.who, finding);
    }

    /// What each written prefix names (`crate::websocket_core` → that module).
    fn prefix_targets(&self, view: &View) -> Vec<Target> {
        let index = self.index();
        let scope = match view.who {
            Consumer::Leaf(u) => leaf(index, u).map(|l| l.scope.as_slice()),
            Consumer::Ref { file, index: r } => index
                .file(file)
                .facts
                .refs
                .get(r as usize)
                .map(|p| p.scope.as_slice()),
        };
        let Some(scope) = scope else {
            return Vec::new();
        };
        (1..=view.prefix_len.min(view.written.len()))
            .filter_map(|n| {
                let segs = view.written.get(..n)?;
                // Prefixes name modules (or types, for `Type::CONST` paths).
                index
                    .resolve_at(view.file, scope, segs, RefKind::Type)
                    .map(|r| r.target)
            })
            .collect()
    }

    // ---------------------------------------------------------------------------------
    // Without config: renamed re-exports

    /// Reports `view` when it passes a renamed re-export whose original this crate can reach
    /// directly; true when reported.
    fn renamed_reexport(&mut self, view: &View, public_hops: &[UseId]) -> bool {
        let index = self.index();
        let Some(renamed) = public_hops.iter().copied().find(|u| is_renamed(index, *u)) else {
            return false;
        };
        let Some(original) = index.use_resolution(renamed) else {
            return false;
        };
        let Some(hop_leaf) = leaf(index, renamed) else {
            return false;
        };
        // A prelude's renames are the names it chose for its users (`pub use
        // plan_node::LogicalPlanRef as PlanRef;` in `rule::prelude`), like its other items.
        if disambiguates(index, renamed)
            || names_private_child(index, renamed, &original.target)
            || in_prelude(index, renamed)
        {
            return false;
        }
        let reachable = match &original.target {
            Target::Def(d) => {
                can_name_crate(index, view.krate, index.def(*d).krate)
                    && def_path_visible(index, *d, view.module)
            }
            Target::Module(m) => {
                can_name_crate(index, view.krate, index.module(*m).krate)
                    && module_path_visible(index, *m, view.module)
            }
            Target::Crate(c) => can_name_crate(index, view.krate, *c),
            // A workspace crate giving a third-party type a name of its own (`pub use
            // smartstring::alias::String as AttrString`) is API design, not a second route;
            // mixing it with the original is still caught as two routes in one crate.
            Target::External(_) => false,
        };
        if !reachable {
            return false;
        }
        let original_text = spell_target(index, &original.target, view.krate);
        // The direct path of what the consumer finally names, for the fix.
        let direct = match view.target {
            Target::Def(d) if def_path_visible(index, *d, view.module) => {
                spell_def_path(index, *d, view.krate)
            }
            _ => None,
        };
        let alias = hop_leaf
            .rename
            .clone()
            .unwrap_or_else(|| hop_leaf.path.last().cloned().unwrap_or_default());
        let hop_path = bound_path_from(index, renamed, view.krate, &alias).unwrap_or(alias.clone());
        let message = format!(
            "`{}` is imported through `{hop_path}`, a renamed re-export of `{}`, which this crate can name directly: one item under two names",
            display_name(index, view),
            original_text.as_deref().map_or_else(|| hop_leaf.path.join("::"), str::to_string),
        );
        let help = match (&direct, &original_text) {
            (Some(d), _) => format!("import it as `{d}` (rename it locally if the name clashes)"),
            (None, Some(o)) => format!("import it through `{o}`"),
            (None, None) => "import it through its original path".to_string(),
        };
        let mut finding = Finding::new(RULE, Level::Warning, view.file, view.span, message)
            .help(help)
            .item_path(written_key(view))
            .related(renamed.file, hop_leaf.leaf_span, "renamed re-export");
        if let (Some(leaf), Some(path)) = (view.leaf, direct) {
            let text = index.file(view.file).source.text();
            if let Some(fix) = use_fix::rewrite_leaf(text, view.file, leaf, &path) {
                finding = finding.fix(fix);
            }
        }
        self.push(view.who, finding);
        true
    }

    // ---------------------------------------------------------------------------------
    // Without config: one item, two routes in one crate

    /// One crate imports an item both by its defining path and through re-exports: the
    /// re-export uses are the fragmentation. Crates that use one route (a facade used
    /// consistently, or the only public path) are left alone, and so are crates that mix two
    /// facades without ever using the defining path (which of them is "right" is a matter
    /// of taste a tool should not decide).
    fn report_mixed_routes(&mut self) {
        let keys = std::mem::take(&mut self.groups.with_facade);
        for key in keys {
            let Some(group) = self.groups.get(&key) else {
                continue;
            };
            let Some(example) = group.direct_spelled.or(group.direct) else {
                continue;
            };
            let to_flag: Vec<(Consumer, Vec<UseId>)> = group
                .facades
                .iter()
                .flat_map(|(route, who)| who.iter().map(|w| (*w, route.clone())))
                .collect();
            for (who, route) in to_flag {
                if self.flagged.contains(&who) {
                    continue;
                }
                if let Some(f) = self.mixed_route_finding(&key, who, &route, example) {
                    self.push(who, f);
                }
            }
        }
    }

    fn mixed_route_finding(
        &self,
        key: &GroupKey,
        who: Consumer,
        route: &[UseId],
        example: Consumer,
    ) -> Option<Finding> {
        let index = self.index();
        let (file, scope, span, written, leaf_of) = consumer_parts(index, who)?;
        let module = index.module_at(file, scope)?;
        let krate = crate_of_file(index, file)?;
        // How this consumer would write the defining path; if it cannot (a private module
        // on the way), the re-export is the only route open to it.
        let spelled = match key {
            GroupKey::Def(_, d) => {
                if !def_path_visible(index, *d, module) {
                    return None;
                }
                // The crate's own direct spelling (`dep::models::User`, lifted by the
                // defining module's parent) is the one to converge on; else the defining path.
                match absolute_spelling(index, krate, example) {
                    Some(p) => p,
                    None => spell_def_path(index, *d, krate)?,
                }
            }
            GroupKey::External(_, p) => p.join("::"),
        };
        let name = match key {
            GroupKey::Def(_, d) => index.item(*d).name.clone(),
            GroupKey::External(_, p) => p.last().cloned().unwrap_or_default(),
        };
        let this_route = route_description(index, route, &name, krate);
        let mut finding = Finding::new(
            RULE,
            Level::Warning,
            file,
            span,
            format!(
                "`{name}` is imported {this_route}, while this crate also imports it directly as `{spelled}`: one item under two paths fragments the crate's view of it"
            ),
        )
        .help(format!("import it as `{spelled}`"))
        .item_path(written.join("::"));
        if let Some((ef, _, es, _, _)) = consumer_parts(index, example) {
            finding = finding.related(ef, es, "imported directly here");
        }
        if let Some(l) = leaf_of {
            let text = index.file(file).source.text();
            if let Some(fix) = use_fix::rewrite_leaf(text, file, l, &spelled) {
                finding = finding.fix(fix);
            }
        }
        Some(finding)
    }

    fn push(&mut self, who: Consumer, finding: Finding) {
        if self.flagged.insert(who) {
            self.findings.push(finding);
        }
    }
}

type Parts<'i> = (
    FileId,
    &'i [crate::facts::ScopeSeg],
    Span,
    &'i [String],
    Option<&'i UseLeaf>,
);

fn consumer_parts(index: &Index, who: Consumer) -> Option<Parts<'_>> {
    match who {
        Consumer::Leaf(u) => {
            let l = leaf(index, u)?;
            Some((u.file, &l.scope, l.leaf_span, &l.path, Some(l)))
        }
        Consumer::Ref { file, index: r } => {
            let p = index.file(file).facts.refs.get(r as usize)?;
            Some((file, &p.scope, p.span, &p.segments, None))
        }
    }
}

fn leaf(index: &Index, u: UseId) -> Option<&UseLeaf> {
    index
        .files
        .get(u.file.0 as usize)?
        .facts
        .uses
        .get(u.leaf as usize)
}

/// Does a ref that resolved to `target` through an import that resolved to `imported` name
/// what the import names (`Ws::new` through `use a::WebSocketManager as Ws`)? Third-party
/// paths keep their tail (`x::Type::method`), so a longer one counts too.
fn names_same_item(imported: Option<&Target>, target: &Target) -> bool {
    match (imported, target) {
        (Some(Target::External(i)), Target::External(t)) => t.starts_with(i),
        (Some(i), t) => i == t,
        (None, _) => false,
    }
}

/// A `use` leaf's path when it is absolute within crate `krate` (`crate::a::B`,
/// `dep::a::B`), so any file of the crate can write it as it stands.
fn absolute_spelling(index: &Index, krate: CrateId, who: Consumer) -> Option<String> {
    let Consumer::Leaf(u) = who else {
        return None;
    };
    let l = leaf(index, u)?;
    let first = l.path.first()?;
    let absolute = first == "crate" || index.krate(krate).deps.contains_key(first.as_str());
    (absolute && l.kind == UseKind::Name && l.path.len() > 1).then(|| l.path.join("::"))
}

/// The re-exports of a route that make it a route of its own: private imports (local names,
/// reachable only from inside their module) and `pub use some_crate;` (the name the extern
/// prelude gives anyway) are left out.
fn public_hops(index: &Index, hops: &[UseId]) -> Vec<UseId> {
    hops.iter()
        .copied()
        .filter(|u| {
            leaf(index, *u).is_some_and(|l| {
                let crate_reexport = l.path.len() == 1
                    && l.kind == UseKind::Name
                    && l.rename
                        .as_ref()
                        .map_or(true, |r| Some(r) == l.path.first());
                l.vis != Vis::Private && !crate_reexport
            })
        })
        .collect()
}

/// A re-export that exempts every route through it: `#[doc(hidden)]` and `__`-named macro
/// plumbing, `pub use crate as name` self-aliases, cfg-switched alternatives, test code.
fn exempt_hop(index: &Index, u: UseId) -> bool {
    let Some(l) = leaf(index, u) else {
        return true;
    };
    l.is_plumbing() || hop_module(index, u).is_some_and(|m| index.in_hidden_module(m))
}

fn hop_module(index: &Index, u: UseId) -> Option<ModuleId> {
    index.module_at(u.file, &leaf(index, u)?.scope)
}

/// A re-export that gives an item of a private child module its public name
/// (`mod entry; pub(crate) use entry::Handle as EntryHandle;`): outside that module the
/// rename is the only path, so it is the canonical one, even for descendants that privacy
/// would let name the original.
fn names_private_child(index: &Index, u: UseId, target: &Target) -> bool {
    let (Target::Def(d), Some(reexporter)) = (target, hop_module(index, u)) else {
        return false;
    };
    if index.item(*d).vis == Vis::Private {
        return true;
    }
    let mut cur = index.def(*d).module;
    for _ in 0..1024 {
        if cur == reexporter {
            return false;
        }
        let Some(module) = index.modules.get(cur.0 as usize) else {
            return false;
        };
        let vis = match module.decl {
            Some(decl) if (decl.0 as usize) < index.defs.len() => index.item(decl).vis,
            _ if module.public => Vis::Public,
            _ => Vis::Private,
        };
        let Some(parent) = module.parent else {
            return false;
        };
        if vis == Vis::Private && index.is_within(parent, reexporter) {
            return true;
        }
        cur = parent;
    }
    false
}

/// Is re-export `u` in the defining module of `d` or one of its ancestors?
fn lifts_from_child(index: &Index, u: UseId, d: DefId) -> bool {
    hop_module(index, u).is_some_and(|m| index.is_within(index.def(d).module, m))
}

/// A re-export in a `prelude` module: the conventional "import the common names from here"
/// facade. Naming an item through it while other files use the defining path is a style
/// the crate chose, not fragmentation worth a finding.
fn in_prelude(index: &Index, u: UseId) -> bool {
    hop_module(index, u).is_some_and(|m| index.module(m).path.iter().any(|s| s == "prelude"))
}

/// `pub use x::A as B` (B ≠ A), `pub use x::{self as y}`.
fn is_renamed(index: &Index, u: UseId) -> bool {
    let Some(l) = leaf(index, u) else {
        return false;
    };
    match (l.kind, l.rename.as_deref()) {
        (_, None) | (_, Some("_")) | (UseKind::Glob, _) => false,
        (UseKind::SelfImport, Some(r)) | (UseKind::Name, Some(r)) => {
            l.path.last().map(String::as_str) != Some(r)
        }
    }
}

/// A rename that tells apart two items of the same name re-exported side by side
/// (`pub use q2::SCALE as SCALE_2BIT; pub use q4::SCALE as SCALE_4BIT;`), or qualifies the
/// name with where it comes from (`core::events_routes as core_events_routes`,
/// `kanidm_proto::DomainInfo as ProtoDomainInfo`): the new names are the point, not a
/// second route.
fn disambiguates(index: &Index, u: UseId) -> bool {
    let Some(l) = leaf(index, u) else {
        return false;
    };
    let Some(name) = l.path.last() else {
        return false;
    };
    if let Some(rename) = &l.rename {
        if qualifies(rename, name, &l.path[..l.path.len() - 1]) {
            return true;
        }
    }
    index
        .file(u.file)
        .facts
        .uses
        .iter()
        .enumerate()
        .any(|(i, other)| {
            i != u.leaf as usize
                && other.scope == l.scope
                && other.kind == l.kind
                && other.path.last() == Some(name)
                && other.path != l.path
        })
}

/// `rename` is `name` with a word of its path added (`core_events_routes` for
/// `core::events_routes`, `ProtoDomainInfo` for `kanidm_proto::..::DomainInfo`).
fn qualifies(rename: &str, name: &str, path: &[String]) -> bool {
    let flat = |s: &str| s.replace('_', "").to_ascii_lowercase();
    let (rename, name) = (flat(rename), flat(name));
    let Some(at) = rename.find(&name).filter(|_| rename != name) else {
        return false;
    };
    let added = format!("{}{}", &rename[..at], &rename[at + name.len()..]);
    !added.is_empty() && path.iter().any(|seg| flat(seg).contains(&added))
}

/// Can crate `from` name crate `to` at all?
fn can_name_crate(index: &Index, from: CrateId, to: CrateId) -> bool {
    from == to || index.krate(from).deps.values().any(|c| *c == to)
}

/// A target as crate `from` would write it.
fn spell_target(index: &Index, t: &Target, from: CrateId) -> Option<String> {
    match t {
        Target::Def(d) => {
            spell_def_path(index, *d, from).or_else(|| Some(index.def(*d).path.clone()))
        }
        Target::Module(m) => {
            let abs = index.module_path(*m);
            spell_abs_path(index, &abs, from).or(Some(abs))
        }
        Target::Crate(c) => Some(index.krate(*c).name.clone()),
        Target::External(p) => Some(p.join("::")),
    }
}

/// The path of the name a re-export binds as crate `from` writes it (`crate::a::B` inside
/// the re-exporting crate, `dep::a::B` elsewhere), else absolute.
fn bound_path_from(index: &Index, u: UseId, from: CrateId, item: &str) -> Option<String> {
    let l = leaf(index, u)?;
    let module = index.module_at(u.file, &l.scope)?;
    let name = match l.kind {
        UseKind::Glob => item.to_string(),
        _ => l.rename.clone().or_else(|| l.path.last().cloned())?,
    };
    let m = index.module(module);
    let prefix = concept::crate_prefix(index, from, m.krate)
        .unwrap_or_else(|| index.krate(m.krate).name.clone());
    let mut path = prefix;
    for seg in m.path.iter().chain(std::iter::once(&name)) {
        path.push_str("::");
        path.push_str(seg);
    }
    Some(path)
}

/// "through the re-export `a::B`" for a route's first re-export (spelled as crate `from`
/// writes it), "by its defining path" else.
fn route_description(index: &Index, hops: &[UseId], item: &str, from: CrateId) -> String {
    match hops
        .first()
        .and_then(|u| bound_path_from(index, *u, from, item))
    {
        Some(p) => format!("through the re-export `{p}`"),
        None if hops.is_empty() => "by its defining path".to_string(),
        None => "through a re-export".to_string(),
    }
}

/// The route matches a deprecated mapping of the concept: the most severe one.
fn deprecated_match<'x>(
    index: &Index,
    concept: &'x ResolvedConcept,
    view: &View,
    prefixes: &[Target],
) -> Option<&'x DeprecatedRoute> {
    let in_module = |m: ModuleId, dm: ModuleId| index.is_within(m, dm);
    let target_def = match view.target {
        Target::Def(d) => Some(*d),
        _ => None,
    };
    concept
        .deprecated
        .iter()
        .filter(|dep| match dep.key {
            DeprecatedKey::Leaf(u) => view.hops.contains(&u),
            DeprecatedKey::Def(d) => target_def == Some(d) || prefixes.contains(&Target::Def(d)),
            DeprecatedKey::Module(dm) => {
                prefixes.iter().any(|t| match t {
                    Target::Module(m) => in_module(*m, dm),
                    Target::Crate(c) => in_module(index.krate(*c).root_module, dm),
                    _ => false,
                }) || view.hops.iter().any(|u| {
                    leaf(index, *u)
                        .and_then(|l| index.module_at(u.file, &l.scope))
                        .is_some_and(|m| in_module(m, dm))
                }) || target_def.is_some_and(|d| in_module(index.def(d).module, dm))
            }
        })
        .max_by_key(|dep| dep.level)
}

/// The item's name as the consumer writes it (a rename is the name it uses).
fn display_name(index: &Index, view: &View) -> String {
    match view.target {
        Target::Def(d) => index.item(*d).name.clone(),
        _ => view.written.last().cloned().unwrap_or_default(),
    }
}

/// Stable key: the path as written (a glob ends in `*`).
fn written_key(view: &View) -> String {
    let mut key = view.written.join("::");
    if view.leaf.is_some_and(|l| l.kind == UseKind::Glob) {
        key.push_str("::*");
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::date::Date;

    fn fixture_outcome(name: &str) -> crate::Outcome {
        let options = crate::Options {
            start_dir: std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures/rules")
                .join(name),
            ..Default::default()
        };
        crate::analyze(&options).expect("fixture analyses")
    }

    fn level_of(findings: &[Finding], item_path: &str) -> Level {
        findings
            .iter()
            .find(|f| f.item_path == item_path)
            .map(|f| f.level)
            .unwrap_or_else(|| panic!("no finding for {item_path}"))
    }

    #[test]
    fn qualifying_renames() {
        let path = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(qualifies(
            "core_events_routes",
            "events_routes",
            &path(&["crate", "api", "core"])
        ));
        assert!(qualifies(
            "ProtoDomainInfo",
            "DomainInfo",
            &path(&["kanidm_proto", "internal"])
        ));
        assert!(!qualifies(
            "LegacyStore",
            "Store",
            &path(&["crate", "backend"])
        ));
        assert!(!qualifies(
            "Ws",
            "WebSocketManager",
            &path(&["crate", "ws"])
        ));
        assert!(!qualifies("Store", "Store", &path(&["crate", "store"])));
    }

    #[test]
    fn deprecated_routes_take_their_mapping_level_and_deadline() {
        let outcome = fixture_outcome("non-canonical-import-config");
        let mut config = outcome.config.clone();
        config.today = Date::parse("2029-12-31");
        let before = check(&RuleCtx {
            index: &outcome.index,
            config: &config,
        });
        // `level = "warn"` until the deadline; a bare mapping is an error; a route that is
        // merely not canonical is a warning.
        assert_eq!(
            level_of(&before, "pool_core::compat::LegacyPool"),
            Level::Warning
        );
        assert_eq!(
            level_of(&before, "super::super::old_pool::ConnectionPool"),
            Level::Error
        );
        assert_eq!(
            level_of(&before, "pool_core::reexports::ConnectionPool"),
            Level::Warning
        );

        config.today = Date::parse("2030-01-02");
        let after = check(&RuleCtx {
            index: &outcome.index,
            config: &config,
        });
        assert_eq!(
            level_of(&after, "pool_core::compat::LegacyPool"),
            Level::Error
        );
    }

    #[test]
    fn grouped_imports_get_a_fix_that_keeps_the_rest_of_the_group() {
        let outcome = fixture_outcome("non-canonical-import-config");
        let finding = outcome
            .findings
            .iter()
            .find(|f| f.rule == RULE && f.item_path == "crate::old_pool::ConnectionPool")
            .expect("the grouped import is reported");
        let fix = finding.fix.as_ref().expect("a fix");
        let text = outcome.index.file(finding.file).source.text();
        let fixed = use_fix::apply(text, fix);
        assert!(fixed.contains(
            "use crate::pool::ConnectionPool as Pool;\nuse crate::old_pool::{types::PoolConfig, };"
        ));
    }
}
