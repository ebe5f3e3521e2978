//! Join per-file facts into definitions with full paths; resolve paths; concepts.

use super::resolve::{self, ModKeys};
use super::{Def, DefId, FileRole, Index, ModuleId};
use crate::config::Config;
use crate::facts::{ItemKind, ScopeSeg};
use std::collections::HashMap;

/// Complete a loaded index: definitions, module declarations, resolution of every `use`
/// leaf, path ref and type alias, and concept membership. Safe to call again (it rebuilds).
pub fn complete(index: &mut Index, config: &Config) {
    build_defs(index);
    link_module_decls(index);
    let resolved = resolve::resolve(index);
    index.use_res = resolved.use_res;
    index.ref_res = resolved.ref_res;
    index.alias_res = resolved.alias_res;
    index.names = resolved.tables;
    index.concepts = super::concepts::build(index, config);
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
            for seg in item.scope.get(skip..).unwrap_or(&[]) {
                match seg {
                    ScopeSeg::Fn(n) | ScopeSeg::Impl(n) | ScopeSeg::Mod(n) => {
                        path.push_str("::");
                        path.push_str(n);
                    }
                    ScopeSeg::Block(_) => {}
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
fn link_module_decls(index: &mut Index) {
    let keys = ModKeys::new(index);
    // Inline modules by (file, Mod-only scope).
    let by_scope: HashMap<(crate::source::FileId, Vec<ScopeSeg>), ModuleId> =
        index.module_by_file_scope.clone();
    let mut links: Vec<(ModuleId, DefId)> = Vec::new();
    for d in index.def_ids() {
        let def = index.def(d);
        let item = index.item(d);
        if item.kind != ItemKind::Mod {
            continue;
        }
        let mut inline_key: Vec<ScopeSeg> = item
            .scope
            .iter()
            .filter(|s| matches!(s, ScopeSeg::Mod(_)))
            .cloned()
            .collect();
        inline_key.push(ScopeSeg::Mod(item.name.clone()));
        let child = by_scope.get(&(def.file, inline_key)).copied().or_else(|| {
            let (parent, _) = keys.locate(def.file, &item.scope)?;
            let child = *index
                .modules
                .get(parent.0 as usize)?
                .children
                .get(&item.name)?;
            (index.modules.get(child.0 as usize)?.parent == Some(parent)).then_some(child)
        });
        if let Some(child) = child {
            links.push((child, d));
        }
    }
    for (child, d) in links {
        if let Some(m) = index.modules.get_mut(child.0 as usize) {
            // cfg-switched `mod imp;` pairs declare one module twice: the first wins.
            if m.decl.is_none() {
                m.decl = Some(d);
            }
        }
    }
}
