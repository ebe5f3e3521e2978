//! Resolution tests on hand-built facts, assembled into an index the way the workspace
//! loader does (files, crates with deps, file and inline modules, `module_by_file_scope`).

use crate::config::{Concept, Config, Spanned};
use crate::facts::*;
use crate::index::*;
use crate::source::{FileId, SourceFile, Span};
use std::collections::HashMap;

// ---------- facts builder ----------

/// `"m:a/f:go/i:Ty/b:init"` → `[Mod(a), Fn(go), Impl(Ty), Block(init)]`.
fn scope(s: &str) -> Vec<ScopeSeg> {
    s.split('/')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, n) = p.split_once(':').expect("kind:name");
            let n = n.to_string();
            match k {
                "m" => ScopeSeg::Mod(n),
                "f" => ScopeSeg::Fn(n),
                "i" => ScopeSeg::Impl(n),
                _ => ScopeSeg::Block(n),
            }
        })
        .collect()
}

fn path_ty(p: &str) -> Ty {
    Ty::Path {
        segments: p.split("::").map(str::to_string).collect(),
        args: vec![],
    }
}

#[derive(Default)]
struct F(FileFacts);

impl F {
    fn item(mut self, vis: Vis, kind: ItemKind, name: &str, sc: &str, detail: ItemDetail) -> F {
        let scope = scope(sc);
        self.0.items.push(Item {
            name: name.into(),
            kind,
            in_fn_body: scope.iter().any(|s| matches!(s, ScopeSeg::Fn(_))),
            scope,
            vis,
            name_span: Span::default(),
            span: Span::default(),
            attrs: Attrs::default(),
            in_test: false,
            cfg_gated: false,
            detail,
        });
        self
    }
    fn st(self, vis: Vis, name: &str, sc: &str) -> F {
        let d = ItemDetail::Struct(StructInfo::default());
        self.item(vis, ItemKind::Struct, name, sc, d)
    }
    fn en(self, vis: Vis, name: &str, variants: &[&str], sc: &str) -> F {
        let variants = variants
            .iter()
            .map(|v| Variant {
                name: v.to_string(),
                fields: vec![],
            })
            .collect();
        self.item(
            vis,
            ItemKind::Enum,
            name,
            sc,
            ItemDetail::Enum(EnumInfo { variants }),
        )
    }
    fn trait_(self, vis: Vis, name: &str, sc: &str) -> F {
        let d = ItemDetail::Trait(TraitInfo::default());
        self.item(vis, ItemKind::Trait, name, sc, d)
    }
    fn func(self, vis: Vis, name: &str, sc: &str) -> F {
        self.item(vis, ItemKind::Fn, name, sc, ItemDetail::Fn(fn_info(None)))
    }
    /// An associated fn of `impl ty` at `sc` (its scope gets the `Impl` seg).
    fn assoc_fn(self, name: &str, ty: &str, sc: &str) -> F {
        let sc = if sc.is_empty() {
            format!("i:{ty}")
        } else {
            format!("{sc}/i:{ty}")
        };
        let info = fn_info(Some(ImplCtx {
            self_ty: path_ty(ty),
            trait_: None,
        }));
        self.item(Vis::Public, ItemKind::Fn, name, &sc, ItemDetail::Fn(info))
    }
    fn stat(self, name: &str, sc: &str) -> F {
        let d = ItemDetail::Static(StaticInfo {
            ty: path_ty("X"),
            mutable: false,
            origin: StaticOrigin::Static,
            init_calls: vec![],
            init_literal_only: false,
            init_text: String::new(),
        });
        self.item(Vis::Private, ItemKind::Static, name, sc, d)
    }
    fn alias(self, vis: Vis, name: &str, target: &str, sc: &str) -> F {
        let d = ItemDetail::TypeAlias(path_ty(target));
        self.item(vis, ItemKind::TypeAlias, name, sc, d)
    }
    fn module(self, vis: Vis, name: &str, sc: &str, out_of_line: bool) -> F {
        let d = ItemDetail::Mod(ModInfo { out_of_line });
        self.item(vis, ItemKind::Mod, name, sc, d)
    }
    fn extern_crate(self, krate: &str, alias: &str) -> F {
        let d = ItemDetail::ExternCrate {
            krate: krate.into(),
        };
        self.item(Vis::Private, ItemKind::ExternCrate, alias, "", d)
    }
    fn macro_(mut self, name: &str, export: bool) -> F {
        self = self.item(
            Vis::Private,
            ItemKind::MacroRules,
            name,
            "",
            ItemDetail::None,
        );
        if let Some(last) = self.0.items.last_mut() {
            last.attrs.macro_export = export;
        }
        self
    }

    /// One leaf: `"crate::a::B as C"`, `"a::b::*"`, `"a::b::self as c"`, `"::x::Y"`.
    fn use_(mut self, vis: Vis, leaf: &str, sc: &str) -> F {
        let (path, rename) = match leaf.split_once(" as ") {
            Some((p, r)) => (p, Some(r.to_string())),
            None => (leaf, None),
        };
        let leading_colon = path.starts_with("::");
        let mut segs: Vec<String> = path
            .trim_start_matches("::")
            .split("::")
            .map(str::to_string)
            .collect();
        let kind = match segs.last().map(String::as_str) {
            Some("*") => UseKind::Glob,
            Some("self") => UseKind::SelfImport,
            _ => UseKind::Name,
        };
        if kind != UseKind::Name {
            segs.pop();
        }
        self.0.uses.push(UseLeaf {
            scope: scope(sc),
            vis,
            segment_spans: vec![Span::default(); segs.len()],
            path: segs,
            leading_colon,
            kind,
            rename,
            leaf_span: Span::default(),
            item_span: Span::default(),
            attrs: Attrs::default(),
            in_test: false,
            cfg_gated: false,
            in_group: false,
        });
        self
    }

    fn refer(mut self, path: &str, kind: RefKind, sc: &str) -> F {
        let leading_colon = path.starts_with("::");
        let segments: Vec<String> = path
            .trim_start_matches("::")
            .split("::")
            .map(str::to_string)
            .collect();
        let scope = scope(sc);
        let enclosing_impl = scope.iter().rev().find_map(|s| match s {
            ScopeSeg::Impl(t) => Some(t.clone()),
            _ => None,
        });
        self.0.refs.push(PathRef {
            scope,
            segment_spans: vec![Span::default(); segments.len()],
            segments,
            leading_colon,
            span: Span::default(),
            kind,
            call_span: None,
            enclosing_impl,
            enclosing_fn: None,
            in_test: false,
        });
        self
    }
}

fn fn_info(impl_of: Option<ImplCtx>) -> FnInfo {
    FnInfo {
        receiver: None,
        params: vec![],
        ret: None,
        is_async: false,
        impl_of,
        in_trait: None,
        body: BodySummary::default(),
    }
}

// ---------- index assembly (what the loader produces) ----------

struct Ws {
    ix: Index,
}

impl Ws {
    fn new() -> Ws {
        Ws {
            ix: Index::default(),
        }
    }

    fn add_file(&mut self, name: &str, facts: F, krate: CrateId, module: ModuleId) -> FileId {
        let id = FileId(self.ix.files.len() as u32);
        self.ix.files.push(IndexedFile {
            source: SourceFile::new(name.into(), name.into(), "".into()),
            facts: facts.0,
            role: FileRole::Module { krate, module },
            in_test: false,
        });
        id
    }

    fn new_module(&mut self, m: Module) -> ModuleId {
        let id = ModuleId(self.ix.modules.len() as u32);
        self.ix
            .module_by_file_scope
            .insert((m.file, m.scope.clone()), id);
        if let Some(p) = m.parent {
            let name = m.path.last().cloned().unwrap_or_default();
            // cfg-switched twins: the first stays the child, as in the loader.
            self.ix.modules[p.0 as usize]
                .children
                .entry(name)
                .or_insert(id);
        }
        self.ix.modules.push(m);
        id
    }

    /// A lib crate with its root file; deps are (name in code, crate).
    fn krate(&mut self, name: &str, deps: &[(&str, CrateId)], root: F) -> (CrateId, FileId) {
        self.krate_kind(name, CrateKind::Lib, deps, root)
    }

    fn krate_kind(
        &mut self,
        name: &str,
        kind: CrateKind,
        deps: &[(&str, CrateId)],
        root: F,
    ) -> (CrateId, FileId) {
        let c = CrateId(self.ix.crates.len() as u32);
        let m = ModuleId(self.ix.modules.len() as u32);
        let file = self.add_file(&format!("{name}/lib.rs"), root, c, m);
        self.ix.crates.push(Crate {
            name: name.into(),
            package: name.replace('_', "-"),
            kind,
            root_module: m,
            manifest_path: "Cargo.toml".into(),
            is_test: false,
            deps: deps.iter().map(|(n, c)| (n.to_string(), *c)).collect(),
            workspace: 0,
        });
        self.new_module(Module {
            krate: c,
            path: vec![],
            file,
            scope: vec![],
            parent: None,
            children: HashMap::new(),
            decl: None,
            in_test: false,
            deprecated: false,
            doc_hidden: false,
            public: true,
        });
        (c, file)
    }

    fn root(&self, c: CrateId) -> ModuleId {
        self.ix.crates[c.0 as usize].root_module
    }

    /// `mod name;` of `parent`, in a file of its own.
    fn file_mod(&mut self, parent: ModuleId, name: &str, facts: F) -> (ModuleId, FileId) {
        let p = &self.ix.modules[parent.0 as usize];
        let (krate, mut path) = (p.krate, p.path.clone());
        path.push(name.into());
        let m = ModuleId(self.ix.modules.len() as u32);
        let file = self.add_file(&format!("{}.rs", path.join("/")), facts, krate, m);
        let id = self.new_module(Module {
            krate,
            path,
            file,
            scope: vec![],
            parent: Some(parent),
            children: HashMap::new(),
            decl: None,
            in_test: false,
            deprecated: false,
            doc_hidden: false,
            public: true,
        });
        (id, file)
    }

    /// `mod name { .. }` inside `parent` (its items are in the parent's file).
    fn inline_mod(&mut self, parent: ModuleId, name: &str) -> ModuleId {
        let p = &self.ix.modules[parent.0 as usize];
        let (krate, file, mut path, mut sc) = (p.krate, p.file, p.path.clone(), p.scope.clone());
        path.push(name.into());
        sc.push(ScopeSeg::Mod(name.into()));
        self.new_module(Module {
            krate,
            path,
            file,
            scope: sc,
            parent: Some(parent),
            children: HashMap::new(),
            decl: None,
            in_test: false,
            deprecated: false,
            doc_hidden: false,
            public: true,
        })
    }

    fn finish(self) -> Index {
        self.finish_with(&Config::default())
    }

    fn finish_with(mut self, config: &Config) -> Index {
        crate::index::build::complete(&mut self.ix, config);
        self.ix
    }
}

// ---------- assertions ----------

fn show_target(ix: &Index, t: &Target) -> String {
    match t {
        Target::Def(d) => ix.canonical_path(*d),
        Target::Module(m) => format!("mod {}", ix.module_path(*m)),
        Target::Crate(c) => format!("crate {}", ix.krate(*c).name),
        Target::External(p) => format!("ext {}", p.join("::")),
    }
}

fn show_leaf(ix: &Index, u: UseId) -> String {
    let leaf = &ix.file(u.file).facts.uses[u.leaf as usize];
    let mut s = leaf.path.join("::");
    match leaf.kind {
        UseKind::Glob => s.push_str("::*"),
        UseKind::SelfImport => s.push_str("::self"),
        UseKind::Name => {}
    }
    if let Some(r) = &leaf.rename {
        s.push_str(" as ");
        s.push_str(r);
    }
    s
}

fn show(ix: &Index, r: Option<&Resolution>) -> String {
    match r {
        None => "unresolved".into(),
        Some(r) if r.via.is_empty() => show_target(ix, &r.target),
        Some(r) => format!(
            "{} via [{}]",
            show_target(ix, &r.target),
            r.via
                .iter()
                .map(|u| show_leaf(ix, *u))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn ref_(ix: &Index, f: FileId, i: usize) -> String {
    show(ix, ix.ref_resolution(f, i))
}

fn use_(ix: &Index, f: FileId, i: u32) -> String {
    show(ix, ix.use_resolution(UseId { file: f, leaf: i }))
}

use RefKind::*;
use Vis::{Private as Priv, Public as Pub};

// ---------- tests ----------

#[test]
fn groups_and_renames() {
    let mut w = Ws::new();
    let (c, root) = w.krate(
        "app",
        &[],
        F::default()
            .module(Pub, "a", "", true)
            .module(Pub, "b", "", true)
            // use crate::a::{Conn, Pool as P};
            .use_(Priv, "crate::a::Conn", "")
            .use_(Priv, "crate::a::Pool as P", "")
            .refer("Conn", Type, "")
            .refer("P::new", Call, "")
            .refer("Pool", Type, ""),
    );
    let r = w.root(c);
    w.file_mod(r, "a", F::default().st(Pub, "Conn", "").st(Pub, "Pool", ""));
    w.file_mod(r, "b", F::default());
    let ix = w.finish();
    assert_eq!(ref_(&ix, root, 0), "app::a::Conn via [crate::a::Conn]");
    assert_eq!(ref_(&ix, root, 1), "app::a::Pool via [crate::a::Pool as P]");
    // The original name is not bound by a rename.
    assert_eq!(ref_(&ix, root, 2), "unresolved");
    assert_eq!(use_(&ix, root, 1), "app::a::Pool");
}

#[test]
fn glob_imports_respect_privacy_and_shadowing() {
    let mut w = Ws::new();
    let (c, _) = w.krate(
        "app",
        &[],
        F::default()
            .module(Pub, "a", "", true)
            .module(Pub, "b", "", true),
    );
    let r = w.root(c);
    let (a, a_file) = w.file_mod(
        r,
        "a",
        F::default()
            .st(Pub, "Open", "")
            .st(Priv, "Hidden", "")
            .module(Priv, "tests", "", false)
            .use_(Priv, "super::*", "m:tests")
            .refer("Hidden", Type, "m:tests")
            .refer("Open", Type, "m:tests"),
    );
    w.inline_mod(a, "tests");
    let (_, b_file) = w.file_mod(
        r,
        "b",
        F::default()
            .use_(Priv, "crate::a::*", "")
            .st(Pub, "Open", "")
            .refer("Hidden", Type, "")
            .refer("Open", Type, "")
            .refer("Open::new", Call, ""),
    );
    let ix = w.finish();
    // A child module's glob over its parent sees private items.
    assert_eq!(ref_(&ix, a_file, 0), "app::a::Hidden via [super::*]");
    assert_eq!(ref_(&ix, a_file, 1), "app::a::Open via [super::*]");
    // A sibling's glob does not.
    assert_eq!(ref_(&ix, b_file, 0), "unresolved");
    // Items shadow glob imports.
    assert_eq!(ref_(&ix, b_file, 1), "app::b::Open");
    assert_eq!(ref_(&ix, b_file, 2), "app::b::Open");
    assert_eq!(use_(&ix, b_file, 0), "mod app::a");
}

#[test]
fn reexport_chain_across_two_crates_with_renames() {
    let mut w = Ws::new();
    let (core, core_root) = w.krate(
        "chat_core",
        &[],
        F::default()
            .module(Pub, "ws", "", true)
            .use_(Pub, "ws::WebSocketManager as WsManager", ""),
    );
    let r = w.root(core);
    let (ws, _) = w.file_mod(
        r,
        "ws",
        F::default().module(Priv, "manager", "", true).use_(
            Pub,
            "self::manager::WebSocketManager",
            "",
        ),
    );
    w.file_mod(
        ws,
        "manager",
        F::default()
            .st(Pub, "WebSocketManager", "")
            .assoc_fn("new", "WebSocketManager", ""),
    );
    let (_, api) = w.krate(
        "chat_api",
        &[("chat_core", core)],
        F::default()
            .use_(Priv, "chat_core::WsManager", "")
            .refer("WsManager::new", Call, "")
            .refer("chat_core::ws::WebSocketManager", Type, "")
            .refer("::chat_core::WsManager", StructLit, ""),
    );
    let ix = w.finish();
    assert_eq!(
        ref_(&ix, api, 0),
        "chat_core::ws::manager::WebSocketManager via [chat_core::WsManager, \
         ws::WebSocketManager as WsManager, self::manager::WebSocketManager]"
    );
    assert_eq!(
        ref_(&ix, api, 1),
        "chat_core::ws::manager::WebSocketManager via [self::manager::WebSocketManager]"
    );
    assert_eq!(
        ref_(&ix, api, 2),
        "chat_core::ws::manager::WebSocketManager via [ws::WebSocketManager as WsManager, \
         self::manager::WebSocketManager]"
    );
    // A use leaf's own resolution starts after itself.
    assert_eq!(
        use_(&ix, core_root, 0),
        "chat_core::ws::manager::WebSocketManager via [self::manager::WebSocketManager]"
    );
    // Associated fns are not bound in the module: `manager::new` names nothing.
    let m = ix.resolve_abs("chat_core::ws::manager::new");
    assert!(m.is_none(), "{m:?}");
}

#[test]
fn super_chains_and_self_imports() {
    let mut w = Ws::new();
    let (c, _) = w.krate("app", &[], F::default().module(Pub, "a", "", true));
    let r = w.root(c);
    let (a, _) = w.file_mod(
        r,
        "a",
        F::default().st(Pub, "Top", "").module(Pub, "b", "", true),
    );
    let (b, _) = w.file_mod(a, "b", F::default().module(Pub, "c", "", true));
    let (_, c_file) = w.file_mod(
        b,
        "c",
        F::default()
            .use_(Priv, "super::super::Top", "")
            .use_(Priv, "crate::a::self", "")
            .use_(Priv, "super::super::self as outer", "")
            .refer("Top", Type, "")
            .refer("a::Top", Type, "")
            .refer("outer::b::c::Nope", Type, "")
            .refer("super::super::Top::new", Call, "")
            .refer("self::super::super::b", Type, ""),
    );
    let ix = w.finish();
    assert_eq!(ref_(&ix, c_file, 0), "app::a::Top via [super::super::Top]");
    assert_eq!(ref_(&ix, c_file, 1), "app::a::Top via [crate::a::self]");
    assert_eq!(ref_(&ix, c_file, 2), "unresolved");
    assert_eq!(ref_(&ix, c_file, 3), "app::a::Top");
    assert_eq!(ref_(&ix, c_file, 4), "mod app::a::b");
    assert_eq!(use_(&ix, c_file, 2), "mod app::a");
}

#[test]
fn fn_body_uses_and_items_are_local_to_the_body() {
    let mut w = Ws::new();
    let (c, root) = w.krate(
        "app",
        &[],
        F::default()
            .module(Pub, "a", "", true)
            .func(Pub, "run", "")
            .use_(Priv, "crate::a::Thing", "f:run")
            .st(Priv, "Local", "f:run")
            .refer("Thing::new", Call, "f:run")
            .refer("Local", StructLit, "f:run")
            .refer("Thing", Type, "")
            .refer("Local", Type, "")
            // a nested fn's body sees the outer body's names
            .refer("Local", Type, "f:run/f:inner"),
    );
    let r = w.root(c);
    w.file_mod(r, "a", F::default().st(Pub, "Thing", ""));
    let ix = w.finish();
    assert_eq!(ref_(&ix, root, 0), "app::a::Thing via [crate::a::Thing]");
    assert_eq!(ref_(&ix, root, 1), "app::run::Local");
    assert_eq!(ref_(&ix, root, 2), "unresolved");
    assert_eq!(ref_(&ix, root, 3), "unresolved");
    assert_eq!(ref_(&ix, root, 4), "app::run::Local");
}

#[test]
fn def_paths_module_decls_and_test_flags() {
    let mut w = Ws::new();
    let (c, root) = w.krate(
        "chat_core",
        &[],
        F::default()
            .module(Pub, "ws", "", true)
            .module(Priv, "inline", "", false)
            .st(Pub, "Inner", "m:inline"),
    );
    let r = w.root(c);
    let inline = w.inline_mod(r, "inline");
    let (ws, ws_file) = w.file_mod(
        r,
        "ws",
        F::default()
            .st(Pub, "WebSocketManager", "")
            .assoc_fn("global", "WebSocketManager", "")
            .stat("INSTANCE", "i:WebSocketManager/f:global")
            .stat("CACHE", "f:helper/b:init"),
    );
    let ix = w.finish();
    let paths: Vec<&str> = ix.defs.iter().map(|d| d.path.as_str()).collect();
    for p in [
        "chat_core::ws",
        "chat_core::inline",
        "chat_core::inline::Inner",
        "chat_core::ws::WebSocketManager",
        "chat_core::ws::WebSocketManager::global",
        "chat_core::ws::WebSocketManager::global::INSTANCE",
        "chat_core::ws::helper::CACHE",
    ] {
        assert!(paths.contains(&p), "{p} missing from {paths:?}");
    }
    let decl_of = |m: ModuleId| ix.module(m).decl.map(|d| ix.canonical_path(d));
    assert_eq!(decl_of(ws).as_deref(), Some("chat_core::ws"));
    assert_eq!(decl_of(inline).as_deref(), Some("chat_core::inline"));
    assert_eq!(decl_of(r), None);
    assert_eq!(ix.defs_named("INSTANCE").len(), 1);
    let d = ix.def_of_item(ws_file, 2).unwrap();
    assert_eq!(ix.item(d).name, "INSTANCE");
    assert!(ix.def_of_item(root, 2).is_some());
    assert!(!ix.def(d).in_test);
}

#[test]
fn type_alias_targets() {
    let mut w = Ws::new();
    let (c, root) = w.krate(
        "app",
        &[],
        F::default()
            .module(Pub, "ws", "", true)
            .alias(
                Pub,
                "WebSocketConnectionManager",
                "crate::ws::WebSocketManager",
                "",
            )
            .alias(Pub, "Twice", "WebSocketConnectionManager", "")
            .alias(Pub, "Shared", "std::sync::Arc", "")
            .refer("Twice", Type, ""),
    );
    let r = w.root(c);
    w.file_mod(r, "ws", F::default().st(Pub, "WebSocketManager", ""));
    let ix = w.finish();
    let twice = ix.def_of_item(root, 2).unwrap();
    let conn = ix.def_of_item(root, 1).unwrap();
    assert_eq!(
        show(&ix, ix.alias_res.get(&conn)),
        "app::ws::WebSocketManager"
    );
    assert_eq!(
        ix.canonical_path(ix.alias_target(twice)),
        "app::ws::WebSocketManager"
    );
    let shared = ix.def_of_item(root, 3).unwrap();
    assert_eq!(show(&ix, ix.alias_res.get(&shared)), "ext std::sync::Arc");
    assert_eq!(ix.alias_target(shared), shared);
    // A ref to an alias names the alias; rules follow `alias_res` when they need to.
    assert_eq!(ref_(&ix, root, 0), "app::Twice");
}

#[test]
fn cyclic_globs_and_imports_terminate() {
    let mut w = Ws::new();
    let (c, root) = w.krate(
        "app",
        &[],
        F::default()
            .module(Pub, "a", "", true)
            .module(Pub, "b", "", true)
            .use_(Priv, "crate::a::Y", "")
            .use_(Priv, "crate::a::Missing", "")
            .use_(Priv, "crate::b::Loop", "")
            .refer("Y", Type, "")
            .refer("a::X", Type, "")
            .refer("b::X", Type, "")
            .refer("Missing", Type, "")
            .refer("Loop", Type, ""),
    );
    let r = w.root(c);
    w.file_mod(
        r,
        "a",
        F::default()
            .use_(Pub, "crate::b::*", "")
            .st(Pub, "X", "")
            .use_(Pub, "crate::b::Loop", ""),
    );
    w.file_mod(
        r,
        "b",
        F::default()
            .use_(Pub, "crate::a::*", "")
            .st(Pub, "Y", "")
            .use_(Pub, "crate::a::Loop", ""),
    );
    let ix = w.finish();
    assert_eq!(
        ref_(&ix, root, 0),
        "app::b::Y via [crate::a::Y, crate::b::*]"
    );
    assert_eq!(ref_(&ix, root, 1), "app::a::X");
    assert_eq!(ref_(&ix, root, 2), "app::a::X via [crate::a::*]");
    assert_eq!(ref_(&ix, root, 3), "unresolved");
    assert_eq!(ref_(&ix, root, 4), "unresolved");
}

#[test]
fn renamed_reexport_via_is_in_order() {
    let mut w = Ws::new();
    let (c, root) = w.krate(
        "chat_core",
        &[],
        F::default()
            .module(Pub, "ws", "", true)
            .module(Pub, "legacy", "", true)
            .use_(Priv, "crate::legacy::WebSocketManager as Ws", "")
            .refer("Ws::new", Call, "")
            .refer("Ws", Type, "f:handler"),
    );
    let r = w.root(c);
    let (ws, _) = w.file_mod(r, "ws", F::default().module(Pub, "manager", "", true));
    w.file_mod(ws, "manager", F::default().st(Pub, "WebSocketManager", ""));
    w.file_mod(
        r,
        "legacy",
        F::default().use_(Pub, "crate::ws::manager::WebSocketManager", ""),
    );
    let ix = w.finish();
    let expected = "chat_core::ws::manager::WebSocketManager via \
        [crate::legacy::WebSocketManager as Ws, crate::ws::manager::WebSocketManager]";
    assert_eq!(ref_(&ix, root, 0), expected);
    assert_eq!(ref_(&ix, root, 1), expected);
    let via = &ix.ref_resolution(root, 0).unwrap().via;
    assert_eq!(
        via[0],
        UseId {
            file: root,
            leaf: 0
        }
    );
}

#[test]
fn external_paths_and_workspace_reexports_of_them() {
    let mut w = Ws::new();
    let (core, core_root) = w.krate(
        "chat_core",
        &[],
        F::default()
            .use_(Pub, "tokio::sync::Mutex as TokioMutex", "")
            .use_(Pub, "tokio::sync", "")
            .use_(Priv, "std::collections::HashMap", "")
            .use_(Priv, "serde_json", "")
            .use_(Priv, "serde::self", "")
            .use_(Priv, "tracing::*", "")
            .use_(Priv, "tokio::sync::*", "f:run")
            .module(Pub, "entity", "", false)
            .use_(Pub, "collab_entity::*", "m:entity")
            .use_(Priv, "diesel::prelude::*", "m:entity")
            .st(Pub, "Local", "m:entity")
            .refer("HashMap::new", Call, "")
            .refer("Vec", Type, "")
            .refer("T", Type, "")
            .refer("RwLock", Type, "f:run")
            .refer("serde_json::to_string", Call, "")
            .refer("anyhow::Result", Type, "")
            .refer("println", Macro, ""),
    );
    let (_, api) = w.krate(
        "chat_api",
        &[("chat_core", core)],
        F::default()
            .use_(Priv, "chat_core::TokioMutex", "")
            .refer("TokioMutex", Type, "")
            .refer("chat_core::sync::RwLock", Type, "")
            .refer("chat_core::entity::CollabType::Document", Value, "")
            .refer("chat_core::entity::Local", Type, "")
            .module(Pub, "facade", "", false)
            .use_(Pub, "chat_core::entity::*", "m:facade")
            .refer("facade::CollabType", Type, ""),
    );
    w.inline_mod(w.root(core), "entity");
    w.inline_mod(ModuleId(1), "facade");
    let ix = w.finish();
    assert_eq!(
        ref_(&ix, core_root, 0),
        "ext std::collections::HashMap::new via [std::collections::HashMap]"
    );
    assert_eq!(ref_(&ix, core_root, 1), "ext Vec");
    assert_eq!(ref_(&ix, core_root, 2), "unresolved");
    assert_eq!(ref_(&ix, core_root, 3), "ext tokio::sync::RwLock");
    assert_eq!(
        ref_(&ix, core_root, 4),
        "ext serde_json::to_string via [serde_json]"
    );
    assert_eq!(ref_(&ix, core_root, 5), "ext anyhow::Result");
    assert_eq!(ref_(&ix, core_root, 6), "ext println");
    assert_eq!(use_(&ix, core_root, 3), "ext serde_json");
    assert_eq!(use_(&ix, core_root, 4), "ext serde");
    assert_eq!(use_(&ix, core_root, 5), "ext tracing");
    assert_eq!(
        ref_(&ix, api, 0),
        "ext tokio::sync::Mutex via [chat_core::TokioMutex, tokio::sync::Mutex as TokioMutex]"
    );
    assert_eq!(
        ref_(&ix, api, 1),
        "ext tokio::sync::RwLock via [tokio::sync]"
    );
    // A facade's public glob over an external crate supplies names it does not declare.
    assert_eq!(
        ref_(&ix, api, 2),
        "ext collab_entity::CollabType::Document via [collab_entity::*]"
    );
    assert_eq!(ref_(&ix, api, 3), "chat_core::entity::Local");
    // … also behind a workspace facade that globs the facade.
    assert_eq!(
        ref_(&ix, api, 4),
        "ext collab_entity::CollabType via [chat_core::entity::*, collab_entity::*]"
    );
}

#[test]
fn extern_crate_aliases_and_own_crate_name() {
    let mut w = Ws::new();
    let (core, _) = w.krate("chat_core", &[], F::default().st(Pub, "Hub", ""));
    let (_, api) = w.krate(
        "chat_api",
        &[("chat_core", core)],
        F::default()
            .extern_crate("chat_core", "core_alias")
            .extern_crate("self", "me")
            .module(Pub, "inner", "", true)
            .refer("core_alias::Hub", Type, "")
            .refer("me::inner::Local", Type, "")
            .refer("chat_api::inner::Local", Type, "")
            .refer("chat_core::Hub", Type, ""),
    );
    let root = ModuleId(1);
    let (_, inner) = w.file_mod(
        root,
        "inner",
        F::default()
            .st(Pub, "Local", "")
            // root-level `extern crate` joins the extern prelude of every module
            .refer("core_alias::Hub", Type, "")
            .refer("::chat_core::Hub", Type, ""),
    );
    let ix = w.finish();
    assert_eq!(ref_(&ix, api, 0), "chat_core::Hub");
    assert_eq!(ref_(&ix, api, 1), "chat_api::inner::Local");
    // The crate's own name is not in scope (no `extern crate self as chat_api`).
    assert_eq!(ref_(&ix, api, 2), "ext chat_api::inner::Local");
    assert_eq!(ref_(&ix, api, 3), "chat_core::Hub");
    assert_eq!(ref_(&ix, inner, 0), "chat_core::Hub");
    assert_eq!(ref_(&ix, inner, 1), "chat_core::Hub");
}

#[test]
fn associated_items_resolve_to_the_longest_type_prefix() {
    let mut w = Ws::new();
    let (c, root) = w.krate(
        "app",
        &[],
        F::default()
            .module(Pub, "a", "", true)
            .use_(Priv, "crate::a::Mode::*", "")
            .use_(Priv, "crate::a::Manager", "")
            .refer("Manager::new", Call, "")
            .refer("a::Manager::new", Call, "")
            .refer("a::Mode::Fast", Value, "")
            .refer("Fast", Pattern, "")
            .refer("a::Manager", Type, "")
            .refer("a::Manager", Call, "")
            .refer("a::Tr::method", Call, "")
            .refer("Self::new", Call, "i:Manager/f:fork")
            .refer("a::make::more", Call, "")
            .refer("Self::new", Call, "i:String/f:from_x"),
    );
    let r = w.root(c);
    w.file_mod(
        r,
        "a",
        F::default()
            .st(Pub, "Manager", "")
            .func(Pub, "Manager", "")
            .en(Pub, "Mode", &["Fast", "Slow"], "")
            .trait_(Pub, "Tr", "")
            .func(Pub, "make", ""),
    );
    let ix = w.finish();
    assert_eq!(
        ref_(&ix, root, 0),
        "app::a::Manager via [crate::a::Manager]"
    );
    assert_eq!(ref_(&ix, root, 1), "app::a::Manager");
    assert_eq!(ref_(&ix, root, 2), "app::a::Mode");
    assert_eq!(ref_(&ix, root, 3), "app::a::Mode via [crate::a::Mode::*]");
    let def_kind = |i: usize| match &ix.ref_resolution(root, i).unwrap().target {
        Target::Def(d) => ix.item(*d).kind,
        t => panic!("{t:?}"),
    };
    // A type path never takes the fn of the same name; a call prefers the value.
    assert_eq!(def_kind(4), ItemKind::Struct);
    assert_eq!(def_kind(5), ItemKind::Fn);
    assert_eq!(ref_(&ix, root, 6), "app::a::Tr");
    // `Self` is the impl's type, which resolves like its name (written: no import).
    assert_eq!(ref_(&ix, root, 7), "app::a::Manager");
    // Nothing continues past a fn.
    assert_eq!(ref_(&ix, root, 8), "unresolved");
    assert_eq!(ref_(&ix, root, 9), "ext String::new");
}

#[test]
fn cfg_switched_imports_of_one_name_settle() {
    let mut w = Ws::new();
    let (c, root) = w.krate(
        "app",
        &[],
        F::default()
            .module(Pub, "unix", "", true)
            .module(Pub, "win", "", true)
            .use_(Priv, "crate::unix::Imp", "")
            .use_(Priv, "crate::win::Imp", "")
            .refer("Imp", Type, ""),
    );
    let r = w.root(c);
    w.file_mod(r, "unix", F::default().st(Pub, "Imp", ""));
    w.file_mod(r, "win", F::default().st(Pub, "Imp", ""));
    let ix = w.finish();
    assert_eq!(ref_(&ix, root, 0), "app::unix::Imp via [crate::unix::Imp]");
    // Both leaves still resolve themselves.
    assert_eq!(use_(&ix, root, 1), "app::win::Imp");
}

#[test]
fn imports_resolve_in_any_order() {
    // `b` imports what `a` re-exports, which `a` imports from `c` — declared backwards.
    let mut w = Ws::new();
    let (c, root) = w.krate(
        "app",
        &[],
        F::default()
            .use_(Priv, "self::b::Final", "")
            .refer("Final", Type, "")
            .module(Pub, "b", "", false)
            .use_(Pub, "super::a::Mid as Final", "m:b")
            .module(Pub, "a", "", false)
            .use_(Pub, "super::c::Base as Mid", "m:a")
            .module(Pub, "c", "", false)
            .st(Pub, "Base", "m:c"),
    );
    let r = w.root(c);
    w.inline_mod(r, "b");
    w.inline_mod(r, "a");
    w.inline_mod(r, "c");
    let ix = w.finish();
    assert_eq!(
        ref_(&ix, root, 0),
        "app::c::Base via [self::b::Final, super::a::Mid as Final, super::c::Base as Mid]"
    );
}

#[test]
fn macros_resolve_textually_and_through_macro_export() {
    let mut w = Ws::new();
    let (core, _) = w.krate("core_lib", &[], F::default().macro_("make_hub", true));
    let (c, root) = w.krate(
        "app",
        &[("core_lib", core)],
        F::default()
            .macro_("local", false)
            .module(Pub, "a", "", true)
            .refer("core_lib::make_hub", Macro, ""),
    );
    let r = w.root(c);
    let (_, a) = w.file_mod(r, "a", F::default().refer("local", Macro, ""));
    let ix = w.finish();
    assert_eq!(ref_(&ix, root, 0), "core_lib::make_hub");
    assert_eq!(ref_(&ix, a, 0), "app::local");
}

#[test]
fn resolve_abs_prefers_the_lib_and_finds_modules() {
    let mut w = Ws::new();
    let (bin, _) = w.krate_kind(
        "chat_server",
        CrateKind::Bin,
        &[],
        F::default().st(Pub, "Manager", ""),
    );
    let (lib, _) = w.krate(
        "chat_server",
        &[],
        F::default()
            .module(Pub, "ws", "", true)
            .use_(Pub, "ws::Manager", ""),
    );
    let r = w.root(lib);
    let (ws, _) = w.file_mod(r, "ws", F::default().st(Pub, "Manager", ""));
    let ix = w.finish();
    let abs = |p: &str| show(&ix, ix.resolve_abs(p).as_ref());
    assert_eq!(
        abs("chat_server::Manager"),
        "chat_server::ws::Manager via [ws::Manager]"
    );
    assert_eq!(abs("chat_server::ws"), "mod chat_server::ws");
    assert_eq!(abs("chat-server::ws::Manager"), "chat_server::ws::Manager");
    assert_eq!(abs("chat_server::nope"), "unresolved");
    assert_eq!(abs("other::x"), "unresolved");
    assert_eq!(abs("chat_server"), format!("crate chat_server"));
    let _ = bin;
    // resolve_path from a module, as rules use it.
    let segs = |p: &str| p.split("::").map(str::to_string).collect::<Vec<_>>();
    assert_eq!(
        show(&ix, ix.resolve_path(ws, &segs("super::Manager")).as_ref()),
        "chat_server::ws::Manager via [ws::Manager]"
    );
    assert_eq!(
        show(
            &ix,
            ix.resolve_path_as(ws, &segs("Manager::new"), Call).as_ref()
        ),
        "chat_server::ws::Manager"
    );
}

#[test]
fn concepts_collect_type_members_not_aliases() {
    let mut w = Ws::new();
    let (c, _) = w.krate(
        "chat_core",
        &[],
        F::default()
            .module(Pub, "ws", "", true)
            .use_(Pub, "ws::WebSocketManager", "")
            .alias(
                Pub,
                "WebSocketConnectionManager",
                "ws::WebSocketManager",
                "",
            )
            .st(Priv, "EmergencyWebSocketManager", "f:fallback")
            .st(Pub, "WebSocketManagerConfig", "")
            .func(Pub, "WebSocketManagerFn", ""),
    );
    let r = w.root(c);
    w.file_mod(
        r,
        "ws",
        F::default()
            .st(Pub, "WebSocketManager", "")
            .trait_(Pub, "UnifiedWebSocketManager", ""),
    );
    let concept = |canonical: &str, names: &[&str]| Concept {
        name: Spanned::new("ws".into(), Span::default()),
        canonical: Some(Spanned::new(canonical.into(), Span::default())),
        names: names
            .iter()
            .map(|n| Spanned::new(n.to_string(), Span::default()))
            .collect(),
        aliases: vec![],
        deprecated: vec![],
        factories: vec![],
        shims: vec![],
        context: None,
    };
    let config = Config {
        concepts: vec![
            // The canonical path goes through a re-export and names are globbed.
            concept("chat_core::WebSocketManager", &["*WebSocketManager"]),
            // No names: the canonical type's own name; the path is an alias.
            concept("chat_core::WebSocketConnectionManager", &[]),
        ],
        ..Config::default()
    };
    let ix = w.finish_with(&config);
    let members = |i: usize| {
        ix.concepts[i]
            .members
            .iter()
            .map(|d| ix.canonical_path(*d))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
    };
    let canon = |i: usize| ix.concepts[i].canonical.map(|d| ix.canonical_path(d));
    assert_eq!(canon(0).as_deref(), Some("chat_core::ws::WebSocketManager"));
    assert_eq!(
        members(0),
        vec![
            "chat_core::fallback::EmergencyWebSocketManager",
            "chat_core::ws::UnifiedWebSocketManager",
            "chat_core::ws::WebSocketManager",
        ]
    );
    assert_eq!(canon(1).as_deref(), Some("chat_core::ws::WebSocketManager"));
    assert_eq!(members(1), vec!["chat_core::ws::WebSocketManager"]);
}

#[test]
fn garbage_input_never_panics() {
    let mut w = Ws::new();
    let (_, root) = w.krate(
        "app",
        &[],
        F::default()
            .use_(Priv, "super::super::x", "")
            .use_(Priv, "self", "")
            .use_(Priv, "crate", "")
            .use_(Priv, "::*", "")
            .use_(Priv, "a::b as _", "")
            .refer("super::X", Type, "")
            .refer("Self::new", Call, "")
            .refer("", Type, "")
            .refer("crate::crate::self::super", Type, ""),
    );
    // An item whose scope names a module that does not exist.
    let mut w2 = w;
    w2.ix.files[root.0 as usize].facts.items.push(
        F::default()
            .st(Pub, "Lost", "m:nowhere/f:x")
            .0
            .items
            .remove(0),
    );
    let ix = w2.finish();
    for i in 0..4 {
        assert_eq!(ref_(&ix, root, i), "unresolved");
    }
    assert!(ix.defs.iter().any(|d| d.path == "app::nowhere::x::Lost"));
}

#[test]
fn cfg_switched_twin_modules_each_get_their_decl() {
    let mut w = Ws::new();
    let (c, _) = w.krate(
        "app",
        &[],
        F::default()
            .module(Pub, "imp", "", true)
            .module(Pub, "imp", "", true)
            .module(Priv, "tests", "", false)
            .module(Priv, "tests", "f:helper", false)
            .refer("imp::Sys", Type, "")
            .refer("imp::OnlyWin", Type, ""),
    );
    let r = w.root(c);
    let (unix, _) = w.file_mod(r, "imp", F::default().st(Pub, "Sys", ""));
    let (win, _) = w.file_mod(
        r,
        "imp",
        F::default().st(Pub, "Sys", "").st(Pub, "OnlyWin", ""),
    );
    let tests = w.inline_mod(r, "tests");
    let ix = w.finish();
    let decl = |m: ModuleId| ix.module(m).decl.map(|d| (d, ix.def(d).item));
    assert_eq!(decl(unix).map(|x| x.1), Some(0));
    assert_eq!(decl(win).map(|x| x.1), Some(1));
    assert_eq!(decl(tests).map(|x| x.1), Some(2));
    assert_eq!(ref_(&ix, FileId(0), 0), "app::imp::Sys");
    // A name only the other twin declares is found there.
    let only_win = ix.ref_resolution(FileId(0), 1).map(|r| r.target.clone());
    assert_eq!(only_win, ix.def_of_item(FileId(2), 1).map(Target::Def));
}

/// Scale check: `cargo test -q --lib big_workspace -- --ignored --nocapture`.
#[test]
#[ignore]
fn big_workspace_resolves_quickly() {
    const MODS: usize = 10_000;
    let mut w = Ws::new();
    let mut root = F::default().module(Pub, "prelude", "", true);
    for i in 0..MODS {
        root = root.module(Pub, &format!("m{i}"), "", true);
    }
    let (c, _) = w.krate("big", &[], root);
    let r = w.root(c);
    let mut prelude = F::default();
    for i in 0..50 {
        prelude = prelude.use_(Pub, &format!("crate::m{i}::*"), "");
    }
    w.file_mod(r, "prelude", prelude);
    for i in 0..MODS {
        let mut f = F::default().use_(Priv, "crate::prelude::*", "");
        for k in 0..5 {
            f = f.st(Pub, &format!("T{i}_{k}"), "");
        }
        for k in 0..10 {
            let j = (i * 7 + k * 13) % MODS;
            f = f.use_(Priv, &format!("crate::m{j}::T{j}_{} as A{k}", k % 5), "");
            f = f
                .refer(&format!("A{k}::new"), Call, "f:run")
                .refer(&format!("T{}_1", k % 50), Type, "")
                .refer("Vec", Type, "")
                .refer("Missing", Type, "");
        }
        w.file_mod(r, &format!("m{i}"), f);
    }
    let start = std::time::Instant::now();
    let ix = w.finish();
    let elapsed = start.elapsed();
    let uses: usize = ix.use_res.iter().map(Vec::len).sum();
    let refs: usize = ix.ref_res.iter().map(Vec::len).sum();
    let resolved = ix.ref_res.iter().flatten().filter(|r| r.is_some()).count();
    eprintln!("{uses} use leaves, {refs} refs ({resolved} resolved) in {elapsed:?}");
    assert!(resolved >= refs * 3 / 4);
}

// ---------- from source, through the real extractor ----------

/// One crate: name, workspace deps (by crate name, declared earlier), and its files as
/// (module path from the crate root, source), parents before children.
type CrateSrc<'a> = (&'a str, &'a [&'a str], &'a [(&'a str, &'a str)]);

/// An index built from source the way the loader builds it: `mod x;` files from the list,
/// inline `mod x { }` (at module level) as modules of their file. Files are keyed
/// `crate/module::path` (`crate/` for the root).
fn from_source(crates: &[CrateSrc], config: &Config) -> (Index, HashMap<String, FileId>) {
    let mut w = Ws::new();
    let mut files = HashMap::new();
    let mut crate_ids: HashMap<&str, CrateId> = HashMap::new();
    for (name, deps, srcs) in crates {
        let deps: Vec<(&str, CrateId)> = deps.iter().map(|d| (*d, crate_ids[d])).collect();
        let mut modules: HashMap<String, ModuleId> = HashMap::new();
        for (path, src) in srcs.iter() {
            let facts = F(crate::facts::extract::extract_file(src));
            let (module, file) = if path.is_empty() {
                let (c, file) = w.krate(name, &deps, facts);
                crate_ids.insert(name, c);
                (w.root(c), file)
            } else {
                let (parent, last) = match path.rsplit_once("::") {
                    Some((p, l)) => (modules[p], l),
                    None => (modules[""], *path),
                };
                w.file_mod(parent, last, facts)
            };
            w.ix.files[file.0 as usize].source =
                SourceFile::new(path.into(), format!("{name}/{path}"), (*src).into());
            modules.insert(path.to_string(), module);
            // Inline modules, parents first, as the loader makes them.
            let mut inline: Vec<Item> = w.ix.files[file.0 as usize]
                .facts
                .items
                .iter()
                .filter(|i| i.kind == ItemKind::Mod)
                .filter(|i| matches!(&i.detail, ItemDetail::Mod(m) if !m.out_of_line))
                .filter(|i| i.scope.iter().all(|s| matches!(s, ScopeSeg::Mod(_))))
                .cloned()
                .collect();
            inline.sort_by_key(|i| i.scope.len());
            for item in inline {
                let parent = w.ix.module_by_file_scope[&(file, item.scope.clone())];
                let m = w.inline_mod(parent, &item.name);
                let full = w.ix.modules[m.0 as usize].path.join("::");
                modules.insert(full, m);
            }
            files.insert(format!("{name}/{path}"), file);
        }
    }
    (w.finish_with(config), files)
}

/// The resolution of the first ref of `kind` whose segments are `path` in `file`.
fn src_ref(ix: &Index, file: FileId, kind: RefKind, path: &str) -> String {
    let refs = &ix.file(file).facts.refs;
    let i = refs
        .iter()
        .position(|r| r.kind == kind && r.segments.join("::") == path)
        .unwrap_or_else(|| panic!("no {kind:?} ref {path} in {refs:#?}"));
    ref_(ix, file, i)
}

fn src_use(ix: &Index, file: FileId, path: &str) -> String {
    let uses = &ix.file(file).facts.uses;
    let i = uses
        .iter()
        .position(|u| u.path.join("::") == path)
        .unwrap_or_else(|| panic!("no use {path} in {uses:#?}"));
    use_(ix, file, i as u32)
}

const CORE_LIB: &str = r#"
pub mod ws;
pub mod legacy;
pub mod websocket_core;
pub use ws::manager::WebSocketManager;
pub type WebSocketConnectionManager = ws::manager::WebSocketManager;
"#;
const CORE_WS: &str = r#"
pub mod manager;
pub mod types {
    pub enum Mode { Fast, Slow }
}
"#;
const CORE_MANAGER: &str = r#"
use std::sync::OnceLock;
pub struct WebSocketManager { conns: usize }
impl WebSocketManager {
    pub fn new() -> Self { Self { conns: 0 } }
    pub fn global() -> &'static WebSocketManager {
        static INSTANCE: OnceLock<WebSocketManager> = OnceLock::new();
        INSTANCE.get_or_init(WebSocketManager::new)
    }
}
pub trait Manage { fn manage(&self) { struct Scratch; } }
"#;
const CORE_LEGACY: &str = r#"
pub use crate::ws::manager::WebSocketManager as OldManager;
"#;
const CORE_WEBSOCKET_CORE: &str = r#"
pub mod manager {
    pub use crate::ws::manager::*;
}
"#;
const API_LIB: &str = r#"
use chat_core::{legacy::OldManager as Ws, ws::types::Mode};
use chat_core::websocket_core::manager::WebSocketManager;
mod routes;
pub fn make() -> Ws { let m = Ws::new(); m }
fn mode() -> Mode { Mode::Fast }
"#;
const API_ROUTES: &str = r#"
use super::*;
pub fn handler() {
    struct EmergencyWebSocketManager;
    let _ = Ws::new();
    let _: chat_core::WebSocketConnectionManager = chat_core::WebSocketManager::new();
}
"#;

fn chat_workspace(config: &Config) -> (Index, HashMap<String, FileId>) {
    from_source(
        &[
            (
                "chat_core",
                &[],
                &[
                    ("", CORE_LIB),
                    ("ws", CORE_WS),
                    ("ws::manager", CORE_MANAGER),
                    ("legacy", CORE_LEGACY),
                    ("websocket_core", CORE_WEBSOCKET_CORE),
                ],
            ),
            (
                "chat_api",
                &["chat_core"],
                &[("", API_LIB), ("routes", API_ROUTES)],
            ),
        ],
        config,
    )
}

#[test]
fn source_chat_workspace_resolves_every_route_to_the_manager() {
    let (ix, files) = chat_workspace(&Config::default());
    let api = files["chat_api/"];
    let routes = files["chat_api/routes"];
    let manager = files["chat_core/ws::manager"];
    const MANAGER: &str = "chat_core::ws::manager::WebSocketManager";

    // Through the renamed shim re-export, local import leaf first.
    assert_eq!(
        src_ref(&ix, api, Call, "Ws::new"),
        format!(
            "{MANAGER} via [chat_core::legacy::OldManager as Ws, \
             crate::ws::manager::WebSocketManager as OldManager]"
        )
    );
    // Through a glob re-export in a deprecated module.
    assert_eq!(
        src_use(
            &ix,
            api,
            "chat_core::websocket_core::manager::WebSocketManager"
        ),
        format!("{MANAGER} via [crate::ws::manager::*]")
    );
    // A child's glob over its parent picks up the parent's private imports.
    assert_eq!(
        src_ref(&ix, routes, Call, "Ws::new"),
        format!(
            "{MANAGER} via [super::*, chat_core::legacy::OldManager as Ws, \
             crate::ws::manager::WebSocketManager as OldManager]"
        )
    );
    assert_eq!(
        src_ref(&ix, routes, Call, "chat_core::WebSocketManager::new"),
        format!("{MANAGER} via [ws::manager::WebSocketManager]")
    );
    // An alias is its own def; alias_target reaches the type.
    assert_eq!(
        src_ref(&ix, routes, Type, "chat_core::WebSocketConnectionManager"),
        "chat_core::WebSocketConnectionManager"
    );
    let alias = ix.defs_named("WebSocketConnectionManager")[0];
    assert_eq!(ix.canonical_path(ix.alias_target(alias)), MANAGER);
    // Enum variants resolve to the enum.
    assert_eq!(
        src_ref(&ix, api, Value, "Mode::Fast"),
        "chat_core::ws::types::Mode via [chat_core::ws::types::Mode]"
    );
    // fn-local statics and `Self`.
    assert_eq!(
        src_ref(&ix, manager, Value, "INSTANCE"),
        format!("{MANAGER}::global::INSTANCE")
    );
    assert_eq!(src_ref(&ix, manager, StructLit, "Self"), MANAGER);
    assert_eq!(
        src_ref(&ix, manager, Type, "OnceLock"),
        "ext std::sync::OnceLock via [std::sync::OnceLock]"
    );
    // Trait members are named after the trait.
    let paths: Vec<&str> = ix.defs.iter().map(|d| d.path.as_str()).collect();
    assert!(paths.contains(&"chat_core::ws::manager::Manage::manage"));
    assert!(paths.contains(&"chat_core::ws::manager::Manage::manage::Scratch"));
    assert!(paths.contains(&"chat_api::routes::handler::EmergencyWebSocketManager"));
    // No use leaf of this workspace is left unresolved.
    for f in ix.rust_files() {
        for (i, leaf) in ix.file(f).facts.uses.iter().enumerate() {
            assert!(
                ix.use_resolution(UseId {
                    file: f,
                    leaf: i as u32
                })
                .is_some(),
                "unresolved use {:?}",
                leaf.path
            );
        }
    }
}

#[test]
fn source_concepts_follow_reexports_and_aliases() {
    let concept = Concept {
        name: Spanned::new("websocket-manager".into(), Span::default()),
        // A re-export of the canonical type: resolve to the definition.
        canonical: Some(Spanned::new(
            "chat_core::legacy::OldManager".into(),
            Span::default(),
        )),
        names: vec![Spanned::new("*WebSocketManager".into(), Span::default())],
        aliases: vec![],
        deprecated: vec![],
        factories: vec![],
        shims: vec![],
        context: None,
    };
    let config = Config {
        concepts: vec![concept],
        ..Config::default()
    };
    let (ix, _) = chat_workspace(&config);
    let c = &ix.concepts[0];
    assert_eq!(
        c.canonical.map(|d| ix.canonical_path(d)).as_deref(),
        Some("chat_core::ws::manager::WebSocketManager")
    );
    let mut members: Vec<String> = c.members.iter().map(|d| ix.canonical_path(*d)).collect();
    members.sort();
    assert_eq!(
        members,
        [
            "chat_api::routes::handler::EmergencyWebSocketManager",
            "chat_core::ws::manager::WebSocketManager",
        ]
    );
}

#[test]
fn child_imports_through_parents_glob_reexport_without_finding_itself() {
    // The qdrant shape: the parent re-exports its children by glob, and a child imports a
    // sibling's item through the parent. The child's own (private) import must not be
    // found through the parent's glob, neither to resolve itself nor for anyone else.
    let mut w = Ws::new();
    let (c, root) = w.krate(
        "app",
        &[],
        F::default()
            .module(Priv, "storage", "", true)
            .module(Priv, "scorer", "", true)
            .use_(Pub, "storage::*", "")
            .use_(Pub, "scorer::*", "")
            .refer("Arc", Type, "")
            .refer("Scorer", Type, ""),
    );
    let r = w.root(c);
    w.file_mod(r, "storage", F::default().st(Pub, "DenseRead", ""));
    let (_, scorer) = w.file_mod(
        r,
        "scorer",
        F::default()
            .use_(Priv, "super::DenseRead", "")
            .use_(Priv, "std::sync::Arc", "")
            .use_(Priv, "super::Missing", "")
            .st(Pub, "Scorer", "")
            .refer("DenseRead", Type, ""),
    );
    let ix = w.finish();
    assert_eq!(
        use_(&ix, scorer, 0),
        "app::storage::DenseRead via [storage::*]"
    );
    assert_eq!(
        ref_(&ix, scorer, 0),
        "app::storage::DenseRead via [super::DenseRead, storage::*]"
    );
    assert_eq!(use_(&ix, scorer, 2), "unresolved");
    // The child's private import is not re-exported by the parent's glob.
    assert_eq!(ref_(&ix, root, 0), "unresolved");
    assert_eq!(ref_(&ix, root, 1), "app::scorer::Scorer via [scorer::*]");
}
