//! The fn bodies lazy extraction left unparsed (`FileFacts::lazy_bodies`): which of them a
//! rule can need, and parsing those.
//!
//! A lazy body declares nothing (bodies that might are parsed with their file); it only
//! adds refs and its fn's body summary. Those reach findings only through names:
//!
//! - a body summary's `static_like_paths` matter when they name a static (accessor and
//!   registry rules look statics up by name); `single_call` matters for fns in shims;
//! - a ref reaches a finding only when it resolves to something a rule reports about, and
//!   every such resolution passes a name the path spells: the item's own name, or the name
//!   some `use` leaf binds on the way (a rename is spelled as the rename). So a ref can
//!   matter only if it spells one of: a concept item or an alias leading to one
//!   (`direct-construction`, configured `non-canonical-import`), a rename
//!   (`non-canonical-import`'s renamed re-exports), or an item re-exported from a module
//!   that does not contain it, or a name bound through such a re-export (its "two routes"
//!   check needs every consumer of such an item). `Self` spells the impl's type.
//!
//! Test code is skipped by the ref consumers (unless `include_tests`), except for glob
//! imports of concept items, so test bodies only need concept names and statics.
//!
//! The sets are supersets of what the rules use (no rule logic is mirrored beyond "can this
//! name lead there"); `tests/lazy_bodies.rs` checks that findings do not change.

use super::resolve::FxSet;
use super::{DefId, FileRole, Index, ModuleId, Target, UseId};
use crate::config::Config;
use crate::facts::extract::{extract_body, BodyFacts};
use crate::facts::lex::{Lexer, TokKind};
use crate::facts::{ItemDetail, ItemKind, UseKind, Vis};
use crate::source::FileId;
use std::collections::HashSet;

/// Parse every lazy body some rule may need and put its facts in place (before refs are
/// resolved; defs, use leaves and aliases must be resolved already). Returns how many
/// bodies it parsed.
pub fn fill_needed_bodies(index: &mut Index, config: &Config) -> usize {
    if index.files.iter().all(|f| f.facts.lazy_bodies.is_empty()) {
        return 0;
    }
    let parsed: Vec<(usize, Vec<(usize, BodyFacts)>)> = {
        use rayon::prelude::*;
        let interest = Interest::new(index, config);
        // On a small tree parsing every body costs little, and a syntax error in a body no
        // rule needs is still worth telling the user about.
        let unparsed: usize = index
            .files
            .iter()
            .flat_map(|f| &f.facts.lazy_bodies)
            .map(|b| b.span.len())
            .sum();
        let all = unparsed <= index.parse_all_bodies_up_to;
        let index = &*index;
        index
            .files
            .par_iter()
            .enumerate()
            .filter(|(_, f)| !f.facts.lazy_bodies.is_empty())
            .map(|(f, file)| {
                // Read again (texts are not kept); a file that changed since it was
                // analysed gets no bodies, and `SourceFile::reload_problem` says so.
                let Some(text) = file.source.read_text() else {
                    return (f, Vec::new());
                };
                let text: &str = &text;
                let bodies = file
                    .facts
                    .lazy_bodies
                    .iter()
                    .enumerate()
                    .filter_map(|(b, body)| {
                        let item = file.facts.items.get(body.item as usize)?;
                        let inner =
                            text.get(body.span.lo as usize + 1..body.span.hi as usize - 1)?;
                        (all || interest.needs(
                            FileId(f as u32),
                            inner,
                            item,
                            body.enclosing_impl.as_deref(),
                        ))
                        .then(|| (b, extract_body(text, item, body)))
                    })
                    .collect();
                (f, bodies)
            })
            .collect()
    };
    let count = parsed.iter().map(|(_, b)| b.len()).sum();
    for (f, bodies) in parsed {
        let Some(file) = index.files.get_mut(f) else {
            continue;
        };
        let problems = file.facts.fill_bodies(bodies);
        let (path, id) = (file.source.rel_path.clone(), FileId(f as u32));
        index
            .problems
            .extend(problems.into_iter().map(|problem| super::InputProblem {
                path: path.clone(),
                file: Some(id),
                problem,
            }));
    }
    count
}

/// The names that make a body worth parsing.
struct Interest<'a> {
    /// Matter in any body, test code included.
    everywhere: FxSet<&'a str>,
    /// Matter outside test code only (unless tests are included).
    outside_tests: FxSet<&'a str>,
    include_tests: bool,
    /// Concepts declare shims: a free fn's body decides whether it only forwards a call.
    free_fn_bodies: bool,
    names: &'a super::resolve::NameTables,
    index: &'a Index,
}

impl<'a> Interest<'a> {
    fn new(index: &'a Index, config: &'a Config) -> Self {
        let mut everywhere = FxSet::default();
        let mut outside_tests = FxSet::default();
        for d in index.def_ids() {
            let item = index.item(d);
            if item.kind == ItemKind::Static {
                everywhere.insert(item.name.as_str());
            }
        }
        concept_names(index, config, &mut everywhere);
        // Only re-exports count as renamed routes (a private rename is a local name).
        for f in index.rust_files() {
            for leaf in &index.file(f).facts.uses {
                if leaf.vis == Vis::Private {
                    continue;
                }
                if let Some(r) = leaf.rename.as_deref().filter(|r| *r != "_") {
                    outside_tests.insert(r);
                }
            }
        }
        reexport_names(index, &mut outside_tests);
        Interest {
            everywhere,
            outside_tests,
            include_tests: config.include_tests,
            free_fn_bodies: config.concepts.iter().any(|c| !c.shims.is_empty()),
            names: &index.names,
            index,
        }
    }

    /// Does this body of `item` in `file` (its text between the braces) mention a name
    /// that matters here, where it can matter?
    fn needs(
        &self,
        file: FileId,
        inner: &str,
        item: &crate::facts::Item,
        enclosing_impl: Option<&str>,
    ) -> bool {
        if self.free_fn_bodies
            && matches!(&item.detail, ItemDetail::Fn(f) if f.impl_of.is_none() && f.in_trait.is_none())
        {
            return true;
        }
        let refs_count = self.include_tests || !item.in_test;
        let matters = |name: &str| {
            self.everywhere.contains(name) || (refs_count && self.outside_tests.contains(name))
        };
        let self_matters = enclosing_impl.is_some_and(matters);
        // Only path segments extraction records can matter: a name after `.` is a field or
        // method, a name before `!` a macro (macro paths are never construction or import
        // routes), and a lone lower-case segment or `Some`/`None`/`Ok`/`Err` is never
        // recorded (`worth_recording`). Re-exported names matter only on a path that can
        // enter the workspace: one whose first segment some table binds.
        let mut tokens = Lexer::new(inner)
            .filter(|t| !matches!(t.kind, TokKind::LineComment | TokKind::BlockComment))
            .map(|t| (t.kind, inner.get(t.lo..t.hi).unwrap_or("")))
            .peekable();
        // The two tokens before the current one.
        let mut before: [(TokKind, &str); 2] = [(TokKind::Punct, ""); 2];
        // The first segment of the path at hand (`None`: not known, or a leading `::`).
        let mut start: Option<&str> = None;
        while let Some((kind, text)) = tokens.next() {
            if kind == TokKind::Ident && before[1].1 != "." {
                let next = tokens.peek().map_or("", |(_, n)| *n);
                let after_colons = before[1] == (TokKind::Punct, "::");
                start = match (after_colons, before[0]) {
                    // `a::b`: the path `a` started.
                    (true, (TokKind::Ident, prev)) if !is_keyword(prev) => start,
                    // `<T as A>::b`, `Vec::<u8>::new`, `::krate::b`: not at hand.
                    (true, _) => None,
                    _ => Some(text),
                };
                let recorded = after_colons
                    || next == "::"
                    || (text.starts_with(char::is_uppercase)
                        && !matches!(text, "Some" | "None" | "Ok" | "Err"));
                if next != "!" && recorded {
                    if self.everywhere.contains(text) || (self_matters && text == "Self") {
                        return true;
                    }
                    let lone = !after_colons && next != "::";
                    if refs_count
                        && self.outside_tests.contains(text)
                        && self.route_may_count(file, &item.scope, start, lone, after_colons)
                    {
                        return true;
                    }
                }
            }
            before = [before[1], (kind, text)];
        }
        false
    }

    /// Can a path written in a body at `scope` of `file`, starting with `start` (`None`:
    /// not known), count for `non-canonical-import`'s re-export routes through the name
    /// at hand (`later`: a segment after the first)? Not if it leads outside the workspace,
    /// nor if the rule leaves it to the import it starts with: a path through a glob of
    /// its own file, a path naming what an import of its own file names (`Expr`,
    /// `Expr::Add` after `use crate::ast::Expr;`), a lone name with no import passed (a
    /// local item). A later segment is looked up only past a module or crate (a path
    /// continuing past a type names the type; past an external path, more of it).
    fn route_may_count(
        &self,
        file: FileId,
        scope: &[crate::facts::ScopeSeg],
        start: Option<&str>,
        lone: bool,
        later: bool,
    ) -> bool {
        let Some(first) = start else {
            return true;
        };
        if matches!(first, "crate" | "self" | "super" | "Self" | "$crate") {
            return true;
        }
        let Some(bound) = self.names.first_segment(self.index, file, scope, first) else {
            return true;
        };
        // The first segment of a longer path is a type or module.
        let looked_up = if lone { &bound[..] } else { &bound[..1] };
        if later {
            return looked_up
                .iter()
                .flatten()
                .any(|(target, _)| matches!(target, Target::Module(_) | Target::Crate(_)));
        }
        looked_up.iter().flatten().any(|(target, import)| {
            let Some(u) = import else {
                // An item, a child module, a crate: no import on the way to the first
                // segment, so only a lone name is left alone.
                return !lone;
            };
            let own_leaf = (u.file == file)
                .then(|| self.index.file(u.file).facts.uses.get(u.leaf as usize))
                .flatten();
            match own_leaf {
                Some(leaf) if leaf.kind == UseKind::Glob => false,
                Some(_) => {
                    // The path ends at the first segment's target (a lone name, or a type
                    // whose associated item or variant it names) or extends an external
                    // path: the rule then sees the import's own item.
                    let ends_there = lone
                        || match target {
                            Target::Def(d) => super::resolve::is_type_like(self.index, *d),
                            Target::External(_) => true,
                            Target::Module(_) | Target::Crate(_) => false,
                        };
                    let same = self.index.use_resolution(*u).map(|r| &r.target) == Some(target);
                    !(ends_there && same)
                }
                None => true,
            }
        })
    }
}

/// Keywords that can stand right before a leading-`::` path (`return ::std::…`).
fn is_keyword(s: &str) -> bool {
    matches!(
        s,
        "as" | "break"
            | "const"
            | "continue"
            | "dyn"
            | "else"
            | "for"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "match"
            | "move"
            | "mut"
            | "ref"
            | "return"
            | "static"
            | "unsafe"
            | "where"
            | "while"
            | "yield"
            | "await"
            | "async"
            | "box"
    )
}

/// Concept items (canonical, members, what deprecated entries reach), aliases and imports
/// leading to them, and the last segments of every configured path.
fn concept_names<'a>(index: &'a Index, config: &'a Config, out: &mut FxSet<&'a str>) {
    if config.concepts.is_empty() {
        return;
    }
    let mut items: HashSet<DefId> = HashSet::new();
    for c in &index.concepts {
        items.extend(c.canonical);
        items.extend(c.members.iter().copied());
    }
    for concept in &config.concepts {
        let paths = concept
            .canonical
            .iter()
            .chain(&concept.aliases)
            .chain(concept.deprecated.iter().map(|d| &d.path))
            .chain(&concept.factories)
            .chain(&concept.shims)
            .chain(&concept.context);
        for p in paths {
            if let Some(last) = p.value.rsplit("::").next() {
                out.insert(last);
            }
            if let Some(d) = index
                .resolve_abs(&p.value)
                .and_then(|r| index.resolved_def(&r))
            {
                items.insert(d);
            }
        }
    }
    for d in index.def_ids() {
        if items.contains(&index.alias_target(d)) {
            out.insert(index.item(d).name.as_str());
        }
    }
    for_each_leaf(index, |id, leaf| {
        let reaches = index
            .use_resolution(id)
            .and_then(|r| index.resolved_def(r))
            .is_some_and(|d| items.contains(&d));
        if reaches {
            if let Some(name) = binding(leaf) {
                out.insert(name);
            }
        }
    });
}

/// Items a re-export gives a second home (a `pub use` in a module that does not contain
/// them), and every name bound through such a re-export.
///
/// Re-exports whose routes `non-canonical-import` never counts are left out: plumbing
/// (`#[doc(hidden)]`, `__` names, hidden modules, `pub use crate as x`), cfg-switched or test
/// alternatives, `prelude` modules, and `pub use dep_crate;`. Keep this in step with that
/// rule's `exempt_hop`, `in_prelude` and `public_hops` (`tests/lazy_bodies.rs` checks).
fn reexport_names<'a>(index: &'a Index, out: &mut FxSet<&'a str>) {
    let mut facades: HashSet<UseId> = HashSet::new();
    // Modules re-exported (or glob re-exported) from outside: everything inside counts.
    let mut modules: HashSet<ModuleId> = HashSet::new();
    for_each_leaf(index, |id, leaf| {
        if leaf.vis == Vis::Private || never_a_route(leaf) {
            return;
        }
        let Some(res) = index.use_resolution(id) else {
            return;
        };
        let Some(home) = index.module_at(id.file, &leaf.scope) else {
            return;
        };
        if in_plumbing_or_prelude(index, home) {
            return;
        }
        let inside = match &res.target {
            Target::Def(d) => {
                let contained = index.is_within(index.def(*d).module, home);
                if !contained {
                    let item = index.item(*d);
                    out.insert(item.name.as_str());
                    // `pub use Enum::*` binds the variants.
                    if let (UseKind::Glob, ItemDetail::Enum(e)) = (leaf.kind, &item.detail) {
                        out.extend(e.variants.iter().map(|v| v.name.as_str()));
                    }
                }
                contained
            }
            Target::Module(m) => {
                let contained = index.is_within(*m, home);
                if !contained {
                    modules.insert(*m);
                }
                contained
            }
            Target::Crate(c) => {
                modules.insert(index.krate(*c).root_module);
                false
            }
            Target::External(_) => true,
        };
        if !inside {
            facades.insert(id);
        }
    });
    if !modules.is_empty() {
        for d in index.def_ids() {
            let item = index.item(d);
            if module_level(item) && within_any(index, index.def(d).module, &modules) {
                out.insert(item.name.as_str());
            }
        }
        // What those modules re-export in turn is reachable through them too.
        for_each_leaf(index, |id, leaf| {
            if leaf.vis == Vis::Private {
                return;
            }
            let Some(res) = index.use_resolution(id) else {
                return;
            };
            let Some(home) = index.module_at(id.file, &leaf.scope) else {
                return;
            };
            if matches!(res.target, Target::External(_)) || !within_any(index, home, &modules) {
                return;
            }
            if let Some(name) = binding(leaf) {
                out.insert(name);
            }
            if let Target::Def(d) = res.target {
                out.insert(index.item(d).name.as_str());
            }
        });
    }
    // Every leaf whose route passes a facade binds a name that leads through it.
    for_each_leaf(index, |id, leaf| {
        let through = facades.contains(&id)
            || index
                .use_resolution(id)
                .is_some_and(|r| r.via.iter().any(|u| facades.contains(u)));
        if through {
            if let Some(name) = binding(leaf) {
                out.insert(name);
            }
        }
    });
}

/// A re-export `non-canonical-import` never counts as a route, by its own attributes.
fn never_a_route(leaf: &crate::facts::UseLeaf) -> bool {
    let crate_reexport = leaf.path.len() == 1
        && leaf.kind == UseKind::Name
        && leaf
            .rename
            .as_ref()
            .map_or(true, |r| Some(r) == leaf.path.first());
    crate_reexport || leaf.is_plumbing()
}

/// A module inside a `#[doc(hidden)]` or `__`-named one (macro plumbing), or a `prelude`.
fn in_plumbing_or_prelude(index: &Index, m: ModuleId) -> bool {
    index.module(m).path.iter().any(|s| s == "prelude") || index.in_hidden_module(m)
}

fn for_each_leaf<'a>(index: &'a Index, mut f: impl FnMut(UseId, &'a crate::facts::UseLeaf)) {
    for (fi, file) in index.files.iter().enumerate() {
        if !matches!(file.role, FileRole::Module { .. }) {
            continue;
        }
        for (li, leaf) in file.facts.uses.iter().enumerate() {
            let id = UseId {
                file: FileId(fi as u32),
                leaf: li as u32,
            };
            f(id, leaf);
        }
    }
}

/// The name a leaf binds (globs bind the names they import, which the items' own names
/// cover).
fn binding(leaf: &crate::facts::UseLeaf) -> Option<&str> {
    match (leaf.kind, leaf.rename.as_deref()) {
        (UseKind::Glob, _) | (_, Some("_")) => None,
        (_, Some(r)) => Some(r),
        (_, None) => leaf.path.last().map(String::as_str),
    }
}

/// An item a path from outside its fn or impl can name.
fn module_level(item: &crate::facts::Item) -> bool {
    item.scope
        .iter()
        .all(|s| matches!(s, crate::facts::ScopeSeg::Mod(_)))
}

fn within_any(index: &Index, m: ModuleId, set: &HashSet<ModuleId>) -> bool {
    index.module_and_parents(m).any(|c| set.contains(&c))
}
