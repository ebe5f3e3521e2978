//! Join per-file facts into definitions with full paths; resolve paths; concepts.

use super::resolve::{self, ModKeys};
use super::{Def, DefId, FileRole, Index, ModuleId};
use crate::config::Config;
use crate::facts::{ItemKind, ScopeSeg};
use crate::timings::{IndexWork, StageClock};
use std::collections::{HashMap, HashSet};

/// Complete a loaded index: definitions, module declarations, resolution of every `use`
/// leaf, path ref and type alias, and concept membership. Safe to call again (it rebuilds).
pub fn complete(index: &mut Index, config: &Config) {
    complete_timed(index, config);
}

/// [`complete`], saying how long its parts took.
pub fn complete_timed(index: &mut Index, config: &Config) -> IndexWork {
    build_defs(index);
    link_module_decls(index);
    let mut clock = StageClock::start();
    let resolved = resolve::resolve_names(index);
    let names = clock.lap();
    index.use_res = resolved.use_res;
    index.alias_res = resolved.alias_res;
    index.names = resolved.tables;
    index.concepts = super::concepts::build(index, config);
    // Lazy bodies add refs only, which resolve against the tables built above.
    clock.lap();
    let bodies_lazy: usize = index.files.iter().map(|f| f.facts.lazy_bodies.len()).sum();
    let bodies_parsed = super::lazy::fill_needed_bodies(index, config);
    let bodies = clock.lap();
    (index.ref_res, index.ref_res_pool) = index.names.resolve_refs(index);
    IndexWork {
        names,
        bodies,
        refs: clock.lap(),
        bodies_parsed: bodies_parsed as u64,
        bodies_lazy: bodies_lazy as u64,
    }
}

/// One `Def` per item of every crate file, with its full path and test status.
fn build_defs(index: &mut Index) {
    index.defs.clear();
    index.defs_by_name.clear();
    index.item_defs = index
        .files
        .iter()
        .map(|f| vec![None; f.facts.items.len()])
        .collect();
    for m in &mut index.modules {
        m.decl = None;
    }

    let keys = ModKeys::new(index);
    let module_paths: Vec<String> = (0..index.modules.len() as u32)
        .map(|m| index.module_path(ModuleId(m)))
        .collect();

    let mut defs = Vec::new();
    for (f, file) in index.files.iter().enumerate() {
        let FileRole::Module { .. } = file.role else {
            continue;
        };
        let file_id = crate::source::FileId(f as u32);
        // Trait members sit in a block named after the trait; the path names the trait,
        // as it names the type of an `impl`.
        let traits: HashSet<(&[ScopeSeg], &str)> = file
            .facts
            .items
            .iter()
            .filter(|i| i.kind == ItemKind::Trait)
            .map(|i| (i.scope.as_slice(), i.name.as_str()))
            .collect();
        for (i, item) in file.facts.items.iter().enumerate() {
            let Some((module, skip)) = keys.locate(file_id, &item.scope) else {
                continue;
            };
            let Some(m) = index.modules.get(module.0 as usize) else {
                continue;
            };
            let krate_is_test = index
                .crates
                .get(m.krate.0 as usize)
                .is_some_and(|c| c.is_test);
            let mut path = module_paths
                .get(module.0 as usize)
                .cloned()
                .unwrap_or_default();
            for (k, seg) in item.scope.iter().enumerate().skip(skip) {
                let named = match seg {
                    ScopeSeg::Fn(n) | ScopeSeg::Impl(n) | ScopeSeg::Mod(n) => Some(n),
                    ScopeSeg::Block(n) => item
                        .scope
                        .get(..k)
                        .filter(|prefix| traits.contains(&(*prefix, n.as_str())))
                        .map(|_| n),
                };
                if let Some(n) = named {
                    path.push_str("::");
                    path.push_str(n);
                }
            }
            path.push_str("::");
            path.push_str(&item.name);
            defs.push(Def {
                file: file_id,
                item: i as u32,
                krate: m.krate,
                module,
                path,
                in_test: item.in_test || file.in_test || m.in_test || krate_is_test,
            });
        }
    }

    for (d, def) in defs.iter().enumerate() {
        let id = DefId(d as u32);
        if let Some(slot) = index
            .item_defs
            .get_mut(def.file.0 as usize)
            .and_then(|v| v.get_mut(def.item as usize))
        {
            *slot = Some(id);
        }
        let name = &index.files[def.file.0 as usize].facts.items[def.item as usize].name;
        index.defs_by_name.entry(name.clone()).or_default().push(id);
    }
    index.defs = defs;
}

/// `Module.decl`: the `mod` item that declares each non-root module. An inline module's
/// item sits in the same file at the parent's scope; a file module's in its parent's file.
/// cfg-switched twins (`#[cfg(unix)] #[path = ".."] mod imp;` twice) are two modules with
/// one parent and name: they take the declarations in order.
fn link_module_decls(index: &mut Index) {
    let keys = ModKeys::new(index);
    let mut by_parent_name: HashMap<(ModuleId, &str), Vec<ModuleId>> = HashMap::new();
    for (m, module) in index.modules.iter().enumerate() {
        if let (Some(parent), Some(name)) = (module.parent, module.path.last()) {
            by_parent_name
                .entry((parent, name.as_str()))
                .or_default()
                .push(ModuleId(m as u32));
        }
    }
    let mut decl: Vec<Option<DefId>> = vec![None; index.modules.len()];
    for d in index.def_ids() {
        let def = index.def(d);
        let item = index.item(d);
        // A `mod` inside a fn body or block is not part of the module tree.
        let in_tree = item.scope.iter().all(|s| matches!(s, ScopeSeg::Mod(_)));
        if item.kind != ItemKind::Mod || !in_tree {
            continue;
        }
        let mut inline_key = item.scope.clone();
        inline_key.push(ScopeSeg::Mod(item.name.clone()));
        let child = match index.module_by_file_scope.get(&(def.file, inline_key)) {
            // Twin inline modules share one scope, hence one module: first item wins.
            Some(m) => Some(*m).filter(|m| decl[m.0 as usize].is_none()),
            None => {
                keys.locate(def.file, &item.scope)
                    .and_then(|(parent, _)| by_parent_name.get(&(parent, item.name.as_str())))
                    .and_then(|twins| {
                        twins.iter().copied().find(|m| {
                            decl[m.0 as usize].is_none() && index.module(*m).file != def.file
                        })
                    })
            }
        };
        if let Some(child) = child {
            decl[child.0 as usize] = Some(d);
        }
    }
    for (module, d) in index.modules.iter_mut().zip(decl) {
        module.decl = d;
    }
}
