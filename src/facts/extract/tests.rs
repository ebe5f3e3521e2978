use super::*;

fn facts(text: &str) -> FileFacts {
    let f = extract_file(text);
    assert!(
        f.problems.is_empty(),
        "unexpected problems: {:?}",
        f.problems
    );
    f
}

fn item<'a>(f: &'a FileFacts, name: &str) -> &'a Item {
    f.items
        .iter()
        .find(|i| i.name == name)
        .unwrap_or_else(|| panic!("no item {name} in {:?}", names(f)))
}

fn names(f: &FileFacts) -> Vec<&str> {
    f.items.iter().map(|i| i.name.as_str()).collect()
}

fn static_info(i: &Item) -> &StaticInfo {
    match &i.detail {
        ItemDetail::Static(s) => s,
        other => panic!("{} is not a static: {other:?}", i.name),
    }
}

fn fn_info(i: &Item) -> &FnInfo {
    match &i.detail {
        ItemDetail::Fn(f) => f,
        other => panic!("{} is not a fn: {other:?}", i.name),
    }
}

fn refs_of(f: &FileFacts, kind: RefKind) -> Vec<String> {
    f.refs
        .iter()
        .filter(|r| r.kind == kind)
        .map(|r| r.segments.join("::"))
        .collect()
}

fn path(segs: &[&str]) -> Vec<String> {
    segs.iter().map(|s| s.to_string()).collect()
}

fn ty_path(segs: &[&str], args: Vec<Ty>) -> Ty {
    Ty::Path {
        segments: path(segs),
        args,
    }
}

/// Run on a thread with the stack extraction threads get.
fn on_extraction_stack(text: String) -> FileFacts {
    std::thread::Builder::new()
        .stack_size(STACK_SIZE)
        .spawn(move || extract_file(&text))
        .unwrap()
        .join()
        .unwrap()
}

// --- spans, encodings, degenerate files ----------------------------------------------

#[test]
fn spans_index_the_original_text_with_bom_and_crlf() {
    let text = "\u{feff}// é\r\nuse crate::ws::{Manager as M, other};\r\n\
                pub struct Fancy\u{e9} { x: u8 }\r\n\
                fn f() {\r\n    let m = crate::ws::Manager::new(\"é\");\r\n}\r\n";
    let f = facts(text);
    let s = item(&f, "Fancyé");
    assert_eq!(&text[s.name_span.range()], "Fancyé");
    assert!(text[s.span.range()].starts_with("pub struct"));
    assert!(text[s.span.range()].ends_with('}'));
    let call = f.refs.iter().find(|r| r.kind == RefKind::Call).unwrap();
    assert_eq!(&text[call.span.range()], "crate::ws::Manager::new");
    assert_eq!(
        &text[call.call_span.unwrap().range()],
        "crate::ws::Manager::new(\"é\")"
    );
    assert_eq!(&text[call.segment_spans[2].range()], "Manager");
    let leaf = &f.uses[0];
    assert_eq!(&text[leaf.leaf_span.range()], "Manager as M");
    assert_eq!(&text[leaf.segment_spans[1].range()], "ws");
    assert_eq!(
        &text[leaf.item_span.range()],
        "use crate::ws::{Manager as M, other};"
    );
}

#[test]
fn shebang_is_skipped_but_spans_stay_original() {
    let text = "#!/usr/bin/env run-cargo-script\nstruct After;\n";
    let f = facts(text);
    assert_eq!(&text[item(&f, "After").name_span.range()], "After");
}

#[test]
fn empty_and_comment_only_files() {
    for text in [
        "",
        "\n\n",
        "// just a comment\n/* and a block */\n//! doc",
        "\u{feff}",
    ] {
        let f = facts(text);
        assert!(f.items.is_empty() && f.uses.is_empty() && f.refs.is_empty());
    }
}

#[test]
fn a_file_that_does_not_lex_is_a_parse_problem_with_a_position() {
    let text = "fn ok() {}\nfn broken( {\n";
    let f = extract_file(text);
    assert_eq!(f.problems.len(), 1);
    let p = &f.problems[0];
    assert_eq!(p.kind, ProblemKind::Parse);
    assert!(!p.message.is_empty());
    assert!(p.span.is_some());
}

#[test]
fn a_broken_item_costs_only_itself() {
    let text = "struct Before;\nfn broken() -> { }\nstruct After;\nimpl X { fn f() {} }\n";
    let f = extract_file(text);
    assert_eq!(f.problems.len(), 1);
    let p = &f.problems[0];
    assert_eq!(p.kind, ProblemKind::Parse);
    let lines = crate::source::LineIndex::new(text);
    let pos = lines.position(text, p.span.unwrap().lo);
    assert_eq!(pos.line, 2, "{p:?}");
    assert!(pos.column > 1);
    assert_eq!(names(&f), ["Before", "After", "f"]);
}

#[test]
fn the_thread_span_table_does_not_grow_across_files() {
    // proc-macro2 numbers the chars of every file parsed on a thread consecutively; after
    // `extract_file` the next parse must start from the beginning again.
    let first_span = || {
        let ts: TokenStream = "x".parse().unwrap();
        let span = format!("{:?}", ts.into_iter().next().unwrap().span());
        proc_macro2::extra::invalidate_current_thread_spans();
        span
    };
    let fresh = first_span();
    for _ in 0..3 {
        facts(&"struct A; fn f() { let x = 1; }\n".repeat(100));
        assert_eq!(first_span(), fresh);
    }
    extract_file("fn broken( {");
    assert_eq!(first_span(), fresh);
}

// --- hostile input ---------------------------------------------------------------------

#[test]
fn hostile_nesting_is_refused_without_overflowing_the_stack() {
    let n = 100_000;
    let cases = [
        format!("fn f() {{ let x = {}1{}; }}", "(".repeat(n), ")".repeat(n)),
        format!("fn f() {{ let x = {}1{}; }}", "[".repeat(n), "]".repeat(n)),
        format!("fn f() {}{}", "{".repeat(n), "}".repeat(n)),
        format!("fn f() {{ let x = a{}; }}", " + a".repeat(n)),
        format!("fn f() {{ let x = {}x; }}", "!".repeat(n)),
        format!("fn f() {{ let x = {}x; }}", "|| ".repeat(n)),
        format!(
            "fn f() {{ let x = {}x{}; }}",
            "|| {".repeat(n),
            "}".repeat(n)
        ),
        format!("fn f() {{ let x = {}x; }}", "move |a| ".repeat(n)),
        format!("fn f() {{ a{}; }}", ".b()".repeat(n)),
        format!("type T = {}u8{};", "Vec<".repeat(n), ">".repeat(n)),
        format!("fn f() {{ if a {{}} {} }}", "else if a {} ".repeat(n)),
        format!("{}{}", "mod a { ".repeat(n), "}".repeat(n)),
        format!("fn f() {{ let {}x = 1; }}", "&".repeat(n)),
    ];
    for text in cases {
        let f = on_extraction_stack(text.clone());
        assert_eq!(f.problems.len(), 1, "{}", &text[..40]);
        assert_eq!(f.problems[0].kind, ProblemKind::TooDeep);
        assert!(f.items.is_empty());
    }
}

/// For each kind of nesting, the deepest input the guard lets through must extract on the
/// extraction stack (an overflow here aborts the test binary).
#[test]
fn the_deepest_accepted_input_fits_the_stack() {
    type Gen = fn(usize) -> String;
    let gens: [Gen; 14] = [
        |n| format!("fn f() {{ let x = {}1{}; }}", "(".repeat(n), ")".repeat(n)),
        |n| format!("fn f() {{ let x = {}1{}; }}", "[".repeat(n), "]".repeat(n)),
        |n| format!("fn f() {}{}", "{".repeat(n), "}".repeat(n)),
        |n| format!("{}{}", "mod a { ".repeat(n), "}".repeat(n)),
        |n| format!("fn f() {{ let x = a{}; }}", " + Foo::a".repeat(n)),
        |n| format!("fn f() {{ let x = {}x; }}", "!".repeat(n)),
        |n| format!("fn f() {{ let x = {}X; }}", "& ".repeat(n)),
        |n| format!("fn f() {{ let x = {}x; }}", "|| ".repeat(n)),
        |n| format!("fn f() {{ A{}; }}", ".b()".repeat(n)),
        |n| format!("type T = {}u8{};", "Vec<".repeat(n), ">".repeat(n)),
        |n| format!("type T = {}u8;", "fn() -> ".repeat(n)),
        |n| format!("fn f() {{ {}x; }}", "a = ".repeat(n)),
        |n| format!("fn f() {{ {}x; }}", "return ".repeat(n)),
        |n| format!("fn f() {{ if a {{}} {} }}", "else if a {} ".repeat(n)),
    ];
    for gen in gens {
        // Largest accepted n by bisection over the guard alone.
        let (mut lo, mut hi) = (1usize, 200_000usize);
        while lo + 1 < hi {
            let mid = (lo + hi) / 2;
            if super::super::depth::check(&gen(mid)).is_ok() {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let text = gen(lo);
        let f = on_extraction_stack(text.clone());
        assert!(
            f.problems.iter().all(|p| p.kind != ProblemKind::TooDeep),
            "{}",
            &text[..30]
        );
        // And plausible real-world depths are accepted.
        assert!(lo >= 60, "only {lo} levels accepted for {}", &text[..30]);
    }
}

// --- items at every depth --------------------------------------------------------------

#[test]
fn static_inside_an_impl_fn_body() {
    let text = r#"
        impl X {
            pub fn global() -> &'static X {
                static INSTANCE: OnceLock<X> = OnceLock::new();
                INSTANCE.get_or_init(X::default)
            }
        }
    "#;
    let f = facts(text);
    let s = item(&f, "INSTANCE");
    assert_eq!(
        s.scope,
        [ScopeSeg::Impl("X".into()), ScopeSeg::Fn("global".into())]
    );
    assert!(s.in_fn_body);
    assert_eq!(static_info(s).origin, StaticOrigin::Static);
    let g = item(&f, "global");
    assert_eq!(g.scope, [ScopeSeg::Impl("X".into())]);
    assert!(!g.in_fn_body);
    let info = fn_info(g);
    assert_eq!(
        info.impl_of.as_ref().unwrap().self_ty,
        ty_path(&["X"], vec![])
    );
    assert_eq!(info.body.local_statics, ["INSTANCE"]);
    assert_eq!(info.body.static_like_paths, [path(&["INSTANCE"])]);
    assert_eq!(info.body.method_calls, ["get_or_init"]);
    assert_eq!(f.impls.len(), 1);
    assert_eq!(f.impls[0].fns, ["global"]);
}

#[test]
fn fns_nested_in_associated_fns_are_not_associated() {
    let f = facts("impl X { fn a() { fn helper() { X::new(); } } }");
    assert!(fn_info(item(&f, "a")).impl_of.is_some());
    let helper = item(&f, "helper");
    assert!(fn_info(helper).impl_of.is_none());
    assert_eq!(
        helper.scope,
        [ScopeSeg::Impl("X".into()), ScopeSeg::Fn("a".into())]
    );
    assert_eq!(f.impls[0].fns, ["a"]);
}

#[test]
fn items_in_modules_fns_closures_blocks_and_initializers() {
    let text = r#"
        mod outer {
            pub mod inner { pub struct Deep; }
            fn handler() {
                struct EmergencyManager;
                let c = || { enum InClosure { A } };
                { type InBlock = u8; }
            }
        }
        const _: () = { static IN_CONST: u8 = 0; };
        static WITH_BLOCK: u8 = { fn helper() -> u8 { 1 } helper() };
        mod out_of_line;
        #[path = "legacy/ws.rs"]
        pub mod ws;
    "#;
    let f = facts(text);
    assert_eq!(
        item(&f, "Deep").scope,
        [ScopeSeg::Mod("outer".into()), ScopeSeg::Mod("inner".into())]
    );
    assert!(!item(&f, "Deep").in_fn_body);
    let handler_scope = [
        ScopeSeg::Mod("outer".into()),
        ScopeSeg::Fn("handler".into()),
    ];
    for name in ["EmergencyManager", "InClosure", "InBlock"] {
        let i = item(&f, name);
        assert_eq!(i.scope, handler_scope, "{name}");
        assert!(i.in_fn_body, "{name}");
    }
    let c = item(&f, "IN_CONST");
    assert_eq!(c.scope, [ScopeSeg::Block("_".into())]);
    assert!(c.in_fn_body);
    assert!(!names(&f).contains(&"_"), "`const _` is not an item");
    assert_eq!(
        item(&f, "helper").scope,
        [ScopeSeg::Block("WITH_BLOCK".into())]
    );
    let m = item(&f, "out_of_line");
    assert!(matches!(
        &m.detail,
        ItemDetail::Mod(ModInfo { out_of_line: true })
    ));
    let ws = item(&f, "ws");
    assert_eq!(ws.attrs.path.as_deref(), Some("legacy/ws.rs"));
    assert_eq!(ws.vis, Vis::Public);
    assert!(matches!(
        &item(&f, "outer").detail,
        ItemDetail::Mod(ModInfo { out_of_line: false })
    ));
}

#[test]
fn trait_fns_and_trait_info() {
    let text = r#"
        pub trait Store: Send + crate::Named {
            fn get(&self, k: &str) -> Option<String>;
            fn shared() -> &'static Self where Self: Sized {
                static S: u8 = 0;
                todo!()
            }
            const N: usize;
            type Item;
        }
    "#;
    let f = facts(text);
    let t = item(&f, "Store");
    assert_eq!(t.kind, ItemKind::Trait);
    match &t.detail {
        ItemDetail::Trait(info) => assert_eq!(info.methods, ["get", "shared"]),
        other => panic!("{other:?}"),
    }
    let get = item(&f, "get");
    assert_eq!(fn_info(get).in_trait.as_deref(), Some("Store"));
    assert_eq!(get.scope, [ScopeSeg::Block("Store".into())]);
    assert_eq!(get.vis, Vis::Public);
    assert_eq!(fn_info(get).receiver, Some(Receiver::Ref));
    assert_eq!(
        item(&f, "S").scope,
        [
            ScopeSeg::Block("Store".into()),
            ScopeSeg::Fn("shared".into())
        ]
    );
    assert_eq!(
        refs_of(&f, RefKind::Trait),
        ["Send", "crate::Named", "Sized"]
    );
}

// --- attributes ------------------------------------------------------------------------

#[test]
fn attributes_rules_care_about() {
    let text = r#"
        #[deprecated(since = "0.3", note = "use ws::Manager")]
        pub struct Old;
        #[deprecated = "gone"] pub struct Old2;
        #[deprecated] pub struct Old3;
        #[doc(hidden)] pub use crate::x as __x;
        #[cfg(feature = "redis")] pub struct Redis;
        #[cfg(not(unix))] pub struct NotUnix;
        #[cfg_attr(not(test), global_allocator)] static GLOBAL: Jemalloc = Jemalloc;
        #[global_allocator] static ALLOC: System = System;
        #[macro_export] macro_rules! m { () => {} }
        #[linkme::distributed_slice(PLUGINS)] static P: fn() = p;
        #[ctor::ctor] fn init() {}
        #[tokio::test] async fn t1() {}
        #[bench] fn b1() {}
        #[rstest] fn not_a_test() {}
    "#;
    let f = facts(text);
    assert_eq!(
        item(&f, "Old").attrs.deprecated.as_deref(),
        Some("use ws::Manager")
    );
    assert_eq!(item(&f, "Old2").attrs.deprecated.as_deref(), Some("gone"));
    assert_eq!(item(&f, "Old3").attrs.deprecated.as_deref(), Some(""));
    assert!(f.uses[0].attrs.doc_hidden);
    let r = item(&f, "Redis");
    assert_eq!(r.attrs.cfg, ["feature = \"redis\""]);
    assert!(r.cfg_gated && !r.in_test);
    assert_eq!(item(&f, "NotUnix").attrs.cfg, ["not(unix)"]);
    assert!(item(&f, "GLOBAL").attrs.global_allocator);
    assert!(!item(&f, "GLOBAL").attrs.cfg_test);
    assert!(item(&f, "ALLOC").attrs.global_allocator);
    assert!(item(&f, "m").attrs.macro_export);
    assert_eq!(item(&f, "m").kind, ItemKind::MacroRules);
    assert!(item(&f, "P").attrs.distributed_slice);
    assert!(item(&f, "init").attrs.ctor);
    for t in ["t1", "b1"] {
        assert!(item(&f, t).attrs.test_fn && item(&f, t).in_test, "{t}");
    }
    assert!(!item(&f, "not_a_test").attrs.test_fn);
}

#[test]
fn test_code_and_cfg_propagate_downwards() {
    let text = r#"
        #![cfg(feature = "legacy")]
        #[cfg(test)]
        mod tests {
            use super::*;
            static FIXTURE: OnceLock<Manager> = OnceLock::new();
            fn helper() { Manager::new(); }
        }
        #[cfg(any(test, feature = "testing"))] struct AnyTest;
        #[cfg(all(test, unix))] struct AllTest;
        #[cfg(not(test))] struct NotTest;
        #[test] fn a_test() { struct Local; let m = Manager::new(); }
        #[cfg(feature = "x")] mod gated { pub struct Inside; }
    "#;
    let f = facts(text);
    assert_eq!(f.inner_attrs.cfg, ["feature = \"legacy\""]);
    for name in [
        "tests", "FIXTURE", "helper", "AnyTest", "AllTest", "a_test", "Local",
    ] {
        assert!(item(&f, name).in_test, "{name}");
    }
    assert!(item(&f, "AnyTest").attrs.cfg_test);
    assert!(!item(&f, "NotTest").in_test);
    assert!(!item(&f, "NotTest").attrs.cfg_test);
    assert_eq!(item(&f, "NotTest").attrs.cfg, ["not(test)"]);
    assert!(f.uses[0].in_test);
    assert!(f
        .refs
        .iter()
        .filter(|r| r.segments[0] == "Manager")
        .all(|r| r.in_test));
    assert!(item(&f, "Inside").cfg_gated);
    // The file's inner cfg gates everything in it.
    assert!(item(&f, "NotTest").cfg_gated);
}

// --- item details ----------------------------------------------------------------------

#[test]
fn structs_enums_aliases_consts_and_extern_crates() {
    let text = r#"
        pub struct Named { pub conns: HashMap<ConnId, Sender<Msg>>, pub(crate) n: u32, cfg: Config }
        pub struct Tuple(pub crate::ws::Manager, u8);
        pub struct Unit;
        pub union U { a: u32, b: f32 }
        pub enum Event { Open { id: u64 }, Close(u64), Ping }
        pub type Alias<T> = crate::ws::Manager<T>;
        pub(super) const LIMIT: usize = 10;
        extern crate serde_json as json;
        extern crate alloc;
    "#;
    let f = facts(text);
    let ItemDetail::Struct(named) = &item(&f, "Named").detail else {
        panic!()
    };
    assert!(!named.tuple && !named.unit);
    assert_eq!(named.fields.len(), 3);
    assert_eq!(named.fields[0].name.as_deref(), Some("conns"));
    assert_eq!(named.fields[0].vis, Vis::Public);
    assert_eq!(named.fields[1].vis, Vis::Crate);
    assert_eq!(
        named.fields[0].ty,
        ty_path(
            &["HashMap"],
            vec![
                ty_path(&["ConnId"], vec![]),
                ty_path(&["Sender"], vec![ty_path(&["Msg"], vec![])])
            ]
        )
    );
    let ItemDetail::Struct(tuple) = &item(&f, "Tuple").detail else {
        panic!()
    };
    assert!(tuple.tuple);
    assert_eq!(tuple.fields[0].name, None);
    assert_eq!(tuple.fields[0].ty.last_name(), Some("Manager"));
    let ItemDetail::Struct(unit) = &item(&f, "Unit").detail else {
        panic!()
    };
    assert!(unit.unit && unit.fields.is_empty());
    assert_eq!(item(&f, "U").kind, ItemKind::Union);
    let ItemDetail::Enum(e) = &item(&f, "Event").detail else {
        panic!()
    };
    let variants: Vec<(&str, usize)> = e
        .variants
        .iter()
        .map(|v| (v.name.as_str(), v.fields.len()))
        .collect();
    assert_eq!(variants, [("Open", 1), ("Close", 1), ("Ping", 0)]);
    let ItemDetail::TypeAlias(t) = &item(&f, "Alias").detail else {
        panic!()
    };
    assert_eq!(t.display(), "crate::ws::Manager<T>");
    let c = item(&f, "LIMIT");
    assert_eq!(c.vis, Vis::Restricted);
    assert!(matches!(&c.detail, ItemDetail::Const(t) if t.last_name() == Some("usize")));
    let j = item(&f, "json");
    assert_eq!(j.kind, ItemKind::ExternCrate);
    assert!(matches!(&j.detail, ItemDetail::ExternCrate { krate } if krate == "serde_json"));
    assert_eq!(&text[j.name_span.range()], "json");
    assert_eq!(item(&f, "alloc").kind, ItemKind::ExternCrate);
}

#[test]
fn fn_signatures() {
    let text = r#"
        impl Service for Manager {
            async fn a(self) {}
            fn b(&self, ctx: &UserCtx, (x, y): (u8, u8)) -> Arc<Manager> { todo!() }
            fn c(&mut self) {}
            fn d(self: Arc<Self>) -> impl Future<Output = ()> + Send {}
        }
        pub fn create_for(ctx: Option<&Ctx>) -> ! { loop {} }
    "#;
    let f = facts(text);
    let a = fn_info(item(&f, "a"));
    assert!(a.is_async);
    assert_eq!(a.receiver, Some(Receiver::Value));
    assert_eq!(
        a.impl_of.as_ref().unwrap().trait_,
        Some(ty_path(&["Service"], vec![]))
    );
    let b = fn_info(item(&f, "b"));
    assert_eq!(b.receiver, Some(Receiver::Ref));
    assert_eq!(b.params.len(), 2);
    assert_eq!(b.params[0].name, "ctx");
    assert_eq!(b.params[0].ty.display(), "&UserCtx");
    assert_eq!(b.params[1].name.replace(' ', ""), "(x,y)");
    assert_eq!(b.ret.as_ref().unwrap().display(), "Arc<Manager>");
    assert_eq!(fn_info(item(&f, "c")).receiver, Some(Receiver::RefMut));
    let d = fn_info(item(&f, "d"));
    assert_eq!(d.receiver, Some(Receiver::Typed));
    assert_eq!(
        d.ret,
        Some(Ty::TraitObject(vec![
            ty_path(&["Future"], vec![Ty::Tuple(vec![])]),
            ty_path(&["Send"], vec![])
        ]))
    );
    let c = fn_info(item(&f, "create_for"));
    assert_eq!(c.ret, Some(Ty::Never));
    assert!(c.impl_of.is_none());
    assert_eq!(c.params[0].ty.display(), "Option<&Ctx>");
    assert_eq!(f.impls[0].self_ty, ty_path(&["Manager"], vec![]));
    assert_eq!(f.impls[0].fns, ["a", "b", "c", "d"]);
    // `&self` is not a written `Self` reference.
    assert!(
        refs_of(&f, RefKind::Type)
            .iter()
            .filter(|r| *r == "Self")
            .count()
            == 1
    );
}

#[test]
fn type_conversion() {
    let text = r#"
        type A = <T as crate::Trait>::Assoc;
        type B = &'static mut [Box<dyn Fn(u8) -> u8 + Send + 'static>; 4];
        type C = *const (u8, _);
        type D = fn(u8) -> u8;
        type E = my_type_macro!(x);
        type F = Vec<'a, 3, Iterator<Item = Manager>>;
        type G = <Manager>::Handle;
    "#;
    let f = facts(text);
    let alias = |n: &str| match &item(&f, n).detail {
        ItemDetail::TypeAlias(t) => t.clone(),
        _ => panic!(),
    };
    assert_eq!(alias("A"), ty_path(&["crate", "Trait", "Assoc"], vec![]));
    let Ty::Ref {
        lifetime,
        mutable,
        inner,
    } = alias("B")
    else {
        panic!()
    };
    assert_eq!(lifetime.as_deref(), Some("static"));
    assert!(mutable);
    let Ty::Slice(elem) = *inner else { panic!() };
    assert_eq!(
        *elem,
        ty_path(
            &["Box"],
            vec![Ty::TraitObject(vec![
                ty_path(&["Fn"], vec![]),
                ty_path(&["Send"], vec![])
            ])]
        )
    );
    assert_eq!(
        alias("C"),
        Ty::Ptr(Box::new(Ty::Tuple(vec![
            ty_path(&["u8"], vec![]),
            Ty::Infer
        ])))
    );
    assert_eq!(alias("D"), Ty::FnPtr);
    assert_eq!(alias("E"), Ty::Other("my_type_macro!(x)".into()));
    assert_eq!(
        alias("F"),
        ty_path(
            &["Vec"],
            vec![ty_path(&["Iterator"], vec![ty_path(&["Manager"], vec![])])]
        )
    );
    assert_eq!(alias("G"), ty_path(&["Manager", "Handle"], vec![]));
}

#[test]
fn static_details() {
    let text = r#"
        static WS: Lazy<Mutex<WebSocketManager>> = Lazy::new(|| Mutex::new(WebSocketManager::new(cfg())));
        static MANAGERS: Lazy<DashMap<UserId, Arc<WebSocketManager>>> = Lazy::new(DashMap::new);
        static ROUTES: Lazy<HashMap<&'static str, Handler>> = Lazy::new(build_routes);
        static mut COUNTER: u64 = 0;
        pub static TABLE: &[Desc] = &[Desc { name: "a", n: -1 }, Desc { name: "b", n: 2 }];
        static LEVELS: [Level; 2] = [Level::Info, Level::Warn];
        static UNIT: Manager = Manager;
        static RE: Lazy<Regex> = Lazy::new(|| Regex::new("^[a-z]+$").unwrap());
        static LONG: &str = "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789";
        static V: Lazy<Vec<Manager>> = Lazy::new(|| vec![Manager::new(), make()]);
    "#;
    let f = facts(text);
    let ws = static_info(item(&f, "WS"));
    assert_eq!(
        ws.init_calls,
        [
            path(&["Lazy", "new"]),
            path(&["Mutex", "new"]),
            path(&["WebSocketManager", "new"]),
            path(&["cfg"])
        ]
    );
    assert!(!ws.init_literal_only);
    assert_eq!(
        ws.init_text,
        "Lazy::new(|| Mutex::new(WebSocketManager::new(cfg())))"
    );
    assert_eq!(ws.ty.display(), "Lazy<Mutex<WebSocketManager>>");
    assert!(!ws.mutable);
    assert_eq!(
        static_info(item(&f, "MANAGERS")).init_calls,
        [path(&["Lazy", "new"]), path(&["DashMap", "new"])]
    );
    assert_eq!(
        static_info(item(&f, "ROUTES")).init_calls,
        [path(&["Lazy", "new"]), path(&["build_routes"])]
    );
    let counter = static_info(item(&f, "COUNTER"));
    assert!(counter.mutable && counter.init_literal_only);
    assert!(static_info(item(&f, "TABLE")).init_literal_only);
    assert!(static_info(item(&f, "LEVELS")).init_literal_only);
    assert!(!static_info(item(&f, "UNIT")).init_literal_only);
    assert_eq!(
        static_info(item(&f, "RE")).init_calls,
        [path(&["Lazy", "new"]), path(&["Regex", "new"])]
    );
    let long = &static_info(item(&f, "LONG")).init_text;
    assert!(long.len() <= INIT_TEXT_MAX + '…'.len_utf8() && long.ends_with('…'));
    assert_eq!(
        static_info(item(&f, "V")).init_calls,
        [
            path(&["Lazy", "new"]),
            path(&["Manager", "new"]),
            path(&["make"])
        ]
    );
    let ws_item = item(&f, "WS");
    assert_eq!(&text[ws_item.name_span.range()], "WS");
    assert!(text[ws_item.span.range()].starts_with("static WS"));
    assert!(text[ws_item.span.range()].ends_with(");"));
}

#[test]
fn body_summaries() {
    let text = r#"
        fn accessor() -> &'static Manager {
            let m = crate::state::MANAGER.get().clone();
            Box::leak(Box::new(Manager::new()))
        }
        fn leak_by_value() { let x = opt.map(Box::leak); }
        fn init_logging() { log::set_boxed_logger(Box::new(L)).unwrap(); }
        fn init_logging2() { set_logger(&LOGGER); }
        fn outer() { fn inner() { static I: u8 = 0; } let v = INSTANCE.len(); }
    "#;
    let f = facts(text);
    let a = &fn_info(item(&f, "accessor")).body;
    assert!(a.box_leak);
    assert_eq!(a.static_like_paths, [path(&["crate", "state", "MANAGER"])]);
    assert_eq!(a.method_calls, ["get", "clone"]);
    assert!(!a.sets_logger);
    assert!(fn_info(item(&f, "leak_by_value")).body.box_leak);
    assert!(fn_info(item(&f, "init_logging")).body.sets_logger);
    let l2 = &fn_info(item(&f, "init_logging2")).body;
    assert!(l2.sets_logger);
    assert_eq!(l2.static_like_paths, [path(&["LOGGER"])]);
    let outer = &fn_info(item(&f, "outer")).body;
    assert!(
        outer.local_statics.is_empty(),
        "nested fns keep their own statics"
    );
    assert_eq!(fn_info(item(&f, "inner")).body.local_statics, ["I"]);
    assert_eq!(outer.static_like_paths, [path(&["INSTANCE"])]);
}

// --- use leaves ------------------------------------------------------------------------

#[test]
fn use_trees_are_flattened() {
    let text =
        "use crate::websocket_core::{manager::WebSocketManager as Ws, types::{self, Mode}, *};\n\
                pub(crate) use ::tokio::sync::Mutex as TokioMutex;\n\
                use std::io::Write as _;\n\
                use a::b::{self as bee};\n\
                fn f() { use crate::x::Y; }\n";
    let f = facts(text);
    let leaves: Vec<(String, UseKind, Option<&str>, bool, &str)> = f
        .uses
        .iter()
        .map(|u| {
            (
                u.path.join("::"),
                u.kind,
                u.rename.as_deref(),
                u.in_group,
                &text[u.leaf_span.range()],
            )
        })
        .collect();
    assert_eq!(
        leaves,
        [
            (
                "crate::websocket_core::manager::WebSocketManager".into(),
                UseKind::Name,
                Some("Ws"),
                true,
                "manager::WebSocketManager as Ws"
            ),
            (
                "crate::websocket_core::types".into(),
                UseKind::SelfImport,
                None,
                true,
                "self"
            ),
            (
                "crate::websocket_core::types::Mode".into(),
                UseKind::Name,
                None,
                true,
                "Mode"
            ),
            (
                "crate::websocket_core".into(),
                UseKind::Glob,
                None,
                true,
                "*"
            ),
            (
                "tokio::sync::Mutex".into(),
                UseKind::Name,
                Some("TokioMutex"),
                false,
                "tokio::sync::Mutex as TokioMutex"
            ),
            (
                "std::io::Write".into(),
                UseKind::Name,
                Some("_"),
                false,
                "std::io::Write as _"
            ),
            (
                "a::b".into(),
                UseKind::SelfImport,
                Some("bee"),
                true,
                "self as bee"
            ),
            (
                "crate::x::Y".into(),
                UseKind::Name,
                None,
                false,
                "crate::x::Y"
            ),
        ]
    );
    let first = &f.uses[0];
    assert_eq!(first.segment_spans.len(), first.path.len());
    assert_eq!(&text[first.segment_spans[3].range()], "WebSocketManager");
    assert_eq!(
        first.segment_spans[0], f.uses[1].segment_spans[0],
        "shared prefix"
    );
    assert_eq!(f.uses[4].vis, Vis::Crate);
    assert!(f.uses[4].leading_colon);
    assert_eq!(
        &text[f.uses[4].leaf_span.range()],
        "tokio::sync::Mutex as TokioMutex"
    );
    assert_eq!(f.uses[7].scope, [ScopeSeg::Fn("f".into())]);
    assert_eq!(&text[f.uses[7].item_span.range()], "use crate::x::Y;");
}

// --- path references -------------------------------------------------------------------

#[test]
fn references_by_kind() {
    let text = r#"
        impl Drop for crate::ws::Manager { fn drop(&mut self) {} }
        fn handler<T: Into<Config>>(state: State<AppState>) -> Result<Json<Out>, ApiError>
        where T: Clone {
            let m = crate::ws::Manager::new(cfg);
            let f = crate::ws::Manager::new;
            let lit = Manager { conns: Default::default() };
            let Manager { conns } = lit;
            match x { Mode::A => {}, Some(Mode::B(y)) => {}, _ => {} }
            let n = x as Count;
            let local = other_local;
            tracing::info!("{}", Manager::describe());
            Ok(Json(Out))
        }
    "#;
    let f = facts(text);
    assert_eq!(refs_of(&f, RefKind::Trait), ["Drop", "Into", "Clone"]);
    let types = refs_of(&f, RefKind::Type);
    for t in [
        "Config",
        "State",
        "AppState",
        "Result",
        "Json",
        "Out",
        "ApiError",
        "T",
        "Count",
        "crate::ws::Manager",
    ] {
        assert!(types.contains(&t.to_string()), "{t} missing from {types:?}");
    }
    assert_eq!(
        refs_of(&f, RefKind::Call),
        [
            "crate::ws::Manager::new",
            "Default::default",
            "Manager::describe",
            "Json"
        ]
    );
    let values = refs_of(&f, RefKind::Value);
    assert!(values.contains(&"crate::ws::Manager::new".to_string()));
    assert!(values.contains(&"Out".to_string()));
    assert!(!values.iter().any(|v| v == "other_local" || v == "cfg"));
    assert_eq!(refs_of(&f, RefKind::StructLit), ["Manager"]);
    assert_eq!(
        refs_of(&f, RefKind::Pattern),
        ["Manager", "Mode::A", "Mode::B"]
    );
    assert_eq!(refs_of(&f, RefKind::Macro), ["tracing::info"]);
    let call = f
        .refs
        .iter()
        .find(|r| r.kind == RefKind::Call && r.segments.len() == 4)
        .unwrap();
    assert_eq!(call.enclosing_fn.as_deref(), Some("handler"));
    assert_eq!(call.enclosing_impl, None);
    assert_eq!(call.scope, [ScopeSeg::Fn("handler".into())]);
    assert_eq!(
        &text[call.call_span.unwrap().range()],
        "crate::ws::Manager::new(cfg)"
    );
    let drop_ty = f.refs.iter().find(|r| r.segments.len() == 3).unwrap();
    assert_eq!(drop_ty.kind, RefKind::Type);
    assert!(!refs_of(&f, RefKind::Pattern).contains(&"Some".to_string()));
}

#[test]
fn refs_inside_impls_know_their_impl() {
    let text = "impl WebSocketManager { fn fork(&self) -> Self { Self::new(self.cfg.clone()) } }";
    let f = facts(text);
    let r = f.refs.iter().find(|r| r.kind == RefKind::Call).unwrap();
    assert_eq!(r.segments, ["Self", "new"]);
    assert_eq!(r.enclosing_impl.as_deref(), Some("WebSocketManager"));
    assert_eq!(r.enclosing_fn.as_deref(), Some("fork"));
    assert_eq!(
        r.scope,
        [
            ScopeSeg::Impl("WebSocketManager".into()),
            ScopeSeg::Fn("fork".into())
        ]
    );
}

#[test]
fn default_with_an_annotated_type() {
    let text = r#"
        fn f() {
            let a: Manager = Default::default();
            let b: crate::ws::Manager = <_>::default();
            let c: Arc<Manager> = std::default::Default::default();
            let d: Manager = Manager::default();
            let e = Default::default();
        }
    "#;
    let f = facts(text);
    let d: Vec<(String, &str)> = f
        .refs
        .iter()
        .filter(|r| r.kind == RefKind::DefaultAnnotated)
        .map(|r| (r.segments.join("::"), &text[r.call_span.unwrap().range()]))
        .collect();
    assert_eq!(
        d,
        [
            ("Manager".to_string(), "Default::default()"),
            ("crate::ws::Manager".to_string(), "<_>::default()"),
            ("Arc".to_string(), "std::default::Default::default()"),
            ("Manager".to_string(), "std::default::Default::default()"),
        ]
    );
}

#[test]
fn macro_bodies_that_are_expressions_are_visited() {
    let text = r#"
        fn f() {
            let v = vec![Manager::new(); 3];
            assert_eq!(Registry::global().len(), 0, "msg {}", x);
            println!("{:?}", crate::ws::Hub::get());
            tokio::select! { _ = Hidden::wait() => {} }
            my_dsl!(not an expression Hidden2::x());
        }
    "#;
    let f = facts(text);
    let calls = refs_of(&f, RefKind::Call);
    assert_eq!(
        calls,
        ["Manager::new", "Registry::global", "crate::ws::Hub::get"]
    );
    let r = f.refs.iter().find(|r| r.segments[0] == "Registry").unwrap();
    assert_eq!(&text[r.span.range()], "Registry::global");
}

// --- macro grammars --------------------------------------------------------------------

#[test]
fn lazy_static_thread_local_and_task_local_entries_are_statics() {
    let text = r#"
        lazy_static! {
            /// The manager.
            pub static ref MANAGER: RwLock<WebSocketManager> = RwLock::new(WebSocketManager::default());
            static ref COUNT: u32 = 0;
        }
        lazy_static::lazy_static! { static ref QUALIFIED: Foo = Foo::new(); }
        thread_local! {
            static TL: RefCell<Option<WebSocketManager>> = RefCell::new(None);
            pub static CONST_INIT: Cell<u8> = const { Cell::new(0) }
        }
        fn in_body() { std::thread_local!(static INNER: u8 = 1); }
        tokio::task_local! { pub static CTX: RequestCtx; }
    "#;
    let f = facts(text);
    let m = item(&f, "MANAGER");
    let info = static_info(m);
    assert_eq!(info.origin, StaticOrigin::LazyStatic);
    assert_eq!(info.ty.display(), "RwLock<WebSocketManager>");
    assert_eq!(
        info.init_calls,
        [
            path(&["RwLock", "new"]),
            path(&["WebSocketManager", "default"])
        ]
    );
    assert_eq!(info.init_text, "RwLock::new(WebSocketManager::default())");
    assert_eq!(m.vis, Vis::Public);
    assert_eq!(&text[m.name_span.range()], "MANAGER");
    assert!(text[m.span.range()].starts_with("pub static ref MANAGER"));
    assert!(text[m.span.range()].ends_with("default());"));
    assert!(static_info(item(&f, "COUNT")).init_literal_only);
    assert_eq!(
        static_info(item(&f, "QUALIFIED")).origin,
        StaticOrigin::LazyStatic
    );
    assert_eq!(
        static_info(item(&f, "TL")).origin,
        StaticOrigin::ThreadLocal
    );
    let c = static_info(item(&f, "CONST_INIT"));
    assert_eq!(c.init_text, "const { Cell::new(0) }");
    let inner = item(&f, "INNER");
    assert_eq!(static_info(inner).origin, StaticOrigin::ThreadLocal);
    assert!(inner.in_fn_body);
    assert_eq!(fn_info(item(&f, "in_body")).body.local_statics, ["INNER"]);
    let ctx = static_info(item(&f, "CTX"));
    assert_eq!(ctx.origin, StaticOrigin::TaskLocal);
    assert!(ctx.init_calls.is_empty());
    // The paths in the bodies are references like any other.
    assert!(refs_of(&f, RefKind::Call).contains(&"WebSocketManager::default".to_string()));
    assert!(refs_of(&f, RefKind::Type).contains(&"WebSocketManager".to_string()));
}

#[test]
fn a_malformed_lazy_static_body_is_a_problem_but_keeps_good_entries() {
    let text = "lazy_static! { static ref A: u8 = 1; static B: u8 = 2; }";
    let f = extract_file(text);
    assert_eq!(names(&f), ["A"]);
    assert_eq!(f.problems.len(), 1);
    assert!(f.problems[0].message.contains("lazy_static"));
}

#[test]
fn local_macro_rules_statics_are_expanded_at_the_invocation() {
    let text = r#"
        macro_rules! global_manager {
            ($name:ident, $ty:ty) => {
                pub static $name: Lazy<$ty> = Lazy::new(<$ty>::default);
            };
        }
        macro_rules! no_statics { () => { fn x() {} } }
        global_manager!(MANAGER, crate::ws::WsManager);
        fn f() { global_manager!(LOCAL, Hub); }
        macro_rules! via_lazy { ($n:ident) => { lazy_static! { static ref $n: Reg = Reg::new(); } } }
        via_lazy!(NESTED);
        unknown_macro!(NOT_EXPANDED, Foo);
    "#;
    let f = facts(text);
    let m = item(&f, "MANAGER");
    let info = static_info(m);
    assert_eq!(info.origin, StaticOrigin::MacroGenerated);
    assert_eq!(info.ty.display(), "Lazy<crate::ws::WsManager>");
    assert_eq!(m.vis, Vis::Public);
    assert_eq!(&text[m.name_span.range()], "MANAGER");
    assert_eq!(
        &text[m.span.range()],
        "global_manager!(MANAGER, crate::ws::WsManager)"
    );
    let local = item(&f, "LOCAL");
    assert!(local.in_fn_body);
    assert_eq!(local.scope, [ScopeSeg::Fn("f".into())]);
    let nested = item(&f, "NESTED");
    assert_eq!(static_info(nested).origin, StaticOrigin::LazyStatic);
    assert_eq!(&text[nested.name_span.range()], "NESTED");
    assert_eq!(static_info(nested).init_calls, [path(&["Reg", "new"])]);
    assert!(!names(&f).contains(&"NOT_EXPANDED"));
    assert!(!names(&f).contains(&"x"));
    assert_eq!(item(&f, "global_manager").kind, ItemKind::MacroRules);
}

#[test]
fn link_time_registries() {
    let text = r#"
        inventory::collect!(Plugin);
        #[linkme::distributed_slice]
        pub static HANDLERS: [fn()];
        #[distributed_slice(HANDLERS)]
        static ONE: fn() = one;
    "#;
    let f = facts(text);
    assert_eq!(f.collected_registries.len(), 1);
    let r = &f.collected_registries[0];
    assert_eq!(r.macro_path, "inventory::collect");
    assert_eq!(r.ty, ty_path(&["Plugin"], vec![]));
    assert_eq!(&text[r.span.range()], "inventory::collect!(Plugin)");
    let h = item(&f, "HANDLERS");
    assert!(h.attrs.distributed_slice);
    assert_eq!(h.vis, Vis::Public);
    assert_eq!(static_info(h).ty, Ty::Slice(Box::new(Ty::FnPtr)));
    assert_eq!(&text[h.name_span.range()], "HANDLERS");
    assert!(text[h.span.range()].starts_with("pub static HANDLERS"));
    assert!(item(&f, "ONE").attrs.distributed_slice);
}

#[test]
fn suppressions_are_collected_with_the_facts() {
    let text = "static A: u8 = 1; // ssot:allow(singleton-manager): counter\n";
    let f = facts(text);
    assert_eq!(f.suppressions.len(), 1);
    assert!(f.suppressions[0].trailing);
}

#[test]
fn multibyte_text_before_a_span_on_the_same_line() {
    let text = "/* ééé 😀 */ pub struct Après; const É: &str = \"ü\"; struct Z;";
    let f = facts(text);
    for name in ["Après", "É", "Z"] {
        assert_eq!(&text[item(&f, name).name_span.range()], name);
    }
}

#[test]
fn cfg_attr_path_and_tail_position_thread_local() {
    let text = r#"
        #[cfg_attr(windows, path = "win.rs")]
        mod platform;
        fn f() -> u8 { std::thread_local!(static TAIL: u8 = 1) }
    "#;
    let f = facts(text);
    assert_eq!(item(&f, "platform").attrs.path.as_deref(), Some("win.rs"));
    assert_eq!(
        static_info(item(&f, "TAIL")).origin,
        StaticOrigin::ThreadLocal
    );
}

#[test]
fn deep_macro_expansions_are_skipped_not_overflowed() {
    let n = 150;
    let text = format!(
        "macro_rules! deep {{ ($($t:tt)*) => {{ static X: u8 = $($t)*; }} }}\n\
         deep!({}1{});",
        "(".repeat(n),
        ")".repeat(n)
    );
    let f = on_extraction_stack(text);
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    assert_eq!(names(&f), ["deep"]);
    // The same macro with shallow input does expand.
    let f = facts("macro_rules! deep { ($($t:tt)*) => { static X: u8 = $($t)*; } }\ndeep!(((1)));");
    assert_eq!(names(&f), ["deep", "X"]);
}

#[test]
fn cfg_attr_test_is_not_test_code() {
    let f =
        facts("#[cfg_attr(test, derive(Debug))] pub struct Prod; #[cfg(test_utils)] struct Other;");
    let p = item(&f, "Prod");
    assert!(!p.attrs.cfg_test && !p.in_test && !p.cfg_gated);
    let o = item(&f, "Other");
    assert!(!o.in_test && o.cfg_gated, "`test_utils` is not `test`");
}

#[test]
fn relative_use_paths_and_globs() {
    let text = "use self::a::B; use super::*; use ::std::{*}; pub use crate as my_crate;";
    let f = facts(text);
    let leaves: Vec<(String, UseKind, bool)> = f
        .uses
        .iter()
        .map(|u| (u.path.join("::"), u.kind, u.leading_colon))
        .collect();
    assert_eq!(
        leaves,
        [
            ("self::a::B".into(), UseKind::Name, false),
            ("super".into(), UseKind::Glob, false),
            ("std".into(), UseKind::Glob, true),
            ("crate".into(), UseKind::Name, false),
        ]
    );
    assert_eq!(&text[f.uses[1].leaf_span.range()], "super::*");
    assert_eq!(&text[f.uses[2].leaf_span.range()], "*");
    assert_eq!(f.uses[3].rename.as_deref(), Some("my_crate"));
}

#[test]
fn items_inside_cfg_switches_and_wrapper_macros_are_declared_where_invoked() {
    let text = r#"
        cfg_if::cfg_if! {
            if #[cfg(unix)] {
                mod unix_impl;
                pub use unix_impl::Sys;
            } else if #[cfg(test)] {
                mod fake;
            } else {
                mod other;
            }
        }
        cfg_select! {
            feature = "tls" => { pub mod tls; }
            test => { mod select_test; }
            _ => { pub mod plain; }
        }
        cfg_net! { pub mod net; pub struct Listener; }
        pin_project! { pub struct Pinned { inner: u8 } }
        mod outer {
            cfg_rt! { pub(crate) mod runtime; }
        }
        table! { users (id) { id -> Int4, } }
        fn f() {
            quote! { struct NotDeclared; }
            cfg_if! { if #[cfg(unix)] { static LOCAL: u8 = 0; } }
            cfg_select! { unix => { let statements = 1; } _ => {} }
        }
    "#;
    let f = facts(text);
    let mods: Vec<&str> = f
        .items
        .iter()
        .filter(|i| i.kind == ItemKind::Mod)
        .map(|i| i.name.as_str())
        .collect();
    assert_eq!(
        mods,
        [
            "unix_impl",
            "fake",
            "other",
            "tls",
            "select_test",
            "plain",
            "net",
            "outer",
            "runtime"
        ]
    );
    assert_eq!(item(&f, "runtime").scope, [ScopeSeg::Mod("outer".into())]);
    for name in [
        "unix_impl",
        "other",
        "tls",
        "plain",
        "net",
        "Listener",
        "runtime",
    ] {
        assert!(item(&f, name).cfg_gated, "{name}");
        assert!(!item(&f, name).in_test, "{name}");
    }
    assert!(item(&f, "fake").in_test);
    assert!(item(&f, "select_test").in_test);
    assert_eq!(item(&f, "tls").attrs.cfg, Vec::<String>::new());
    assert!(!item(&f, "Pinned").cfg_gated);
    assert!(f.uses.iter().any(|u| u.path == ["unix_impl", "Sys"]));
    // DSL bodies and `quote!` in fn bodies declare nothing; cfg switches in fn bodies do.
    assert!(f.items.iter().all(|i| i.name != "NotDeclared"));
    assert!(item(&f, "LOCAL").in_fn_body);
}

#[test]
fn a_cfg_switch_branch_that_is_not_items_is_a_problem() {
    let f = extract_file("cfg_if! { if #[cfg(unix)] { let x = 1; } }\nstruct After;");
    assert_eq!(f.problems.len(), 1, "{:?}", f.problems);
    assert!(f.problems[0].message.contains("cfg_if"));
    assert_eq!(names(&f), ["After"]);
}

#[test]
fn literal_item_position_includes_are_recorded() {
    let f = facts(
        "include!(\"opt.rs\");\nmod cli { std::include!(\"cli/args.rs\"); }\ninclude!(concat!(env!(\"OUT_DIR\"), \"/gen.rs\"));\nfn f() -> &'static str { include!(\"expr.rs\") }\n",
    );
    let got: Vec<(&str, Vec<ScopeSeg>)> = f
        .includes
        .iter()
        .map(|i| (i.path.as_str(), i.scope.clone()))
        .collect();
    assert_eq!(
        got,
        [
            ("opt.rs", vec![]),
            ("cli/args.rs", vec![ScopeSeg::Mod("cli".into())])
        ]
    );
}

#[test]
fn generated_marker_near_the_top_is_a_fact() {
    assert!(extract_file("// @generated by prost-build\nstruct A;").generated);
    assert!(extract_file_lazy("// DO NOT EDIT.\nfn f() { 1 }").generated);
    let late = format!("{}// @generated\n", "// padding\n".repeat(200));
    assert!(!extract_file(&late).generated);
    assert!(!extract_file("struct A;").generated);
}
