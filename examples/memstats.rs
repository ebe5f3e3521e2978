//! Where memory goes: runs the pipeline of `cargo_ssot::analyze` under a counting allocator,
//! printing live and peak heap bytes after each stage, then the heap held by each part of
//! the index. `cargo run --release --example memstats -- DIR`.

use cargo_ssot::facts::*;
use cargo_ssot::index::{Index, Resolution};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static COUNT: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let now = LIVE.fetch_add(l.size(), Relaxed) + l.size();
        PEAK.fetch_max(now, Relaxed);
        COUNT.fetch_add(1, Relaxed);
        System.alloc(l)
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size(), Relaxed);
        COUNT.fetch_sub(1, Relaxed);
        System.dealloc(p, l)
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        if n > l.size() {
            let now = LIVE.fetch_add(n - l.size(), Relaxed) + n - l.size();
            PEAK.fetch_max(now, Relaxed);
        } else {
            LIVE.fetch_sub(l.size() - n, Relaxed);
        }
        System.realloc(p, l, n)
    }
}

#[global_allocator]
static A: Counting = Counting;

fn mib(b: usize) -> String {
    format!("{:8.1} MiB", b as f64 / 1048576.0)
}
fn stage(name: &str) {
    println!(
        "{name:<28} live {}  peak {}  in {} allocations",
        mib(LIVE.load(Relaxed)),
        mib(PEAK.load(Relaxed)),
        COUNT.load(Relaxed)
    );
    PEAK.store(LIVE.load(Relaxed), Relaxed);
}

fn vec<T>(v: &Vec<T>) -> usize {
    v.capacity() * std::mem::size_of::<T>()
}
fn s(x: &String) -> usize {
    x.capacity()
}
fn os(x: &Option<String>) -> usize {
    x.as_ref().map_or(0, s)
}
fn strs(v: &Vec<String>) -> usize {
    vec(v) + v.iter().map(s).sum::<usize>()
}
fn scope(v: &Vec<ScopeSeg>) -> usize {
    vec(v)
        + v.iter()
            .map(|g| match g {
                ScopeSeg::Mod(n) | ScopeSeg::Fn(n) | ScopeSeg::Impl(n) | ScopeSeg::Block(n) => s(n),
            })
            .sum::<usize>()
}
fn attrs(a: &Attrs) -> usize {
    os(&a.deprecated) + strs(&a.cfg) + os(&a.path)
}
fn ty(t: &Ty) -> usize {
    match t {
        Ty::Path { segments, args } => {
            strs(segments) + vec(args) + args.iter().map(ty).sum::<usize>()
        }
        Ty::Ref {
            lifetime, inner, ..
        } => os(lifetime) + std::mem::size_of::<Ty>() + ty(inner),
        Ty::Ptr(i) | Ty::Slice(i) => std::mem::size_of::<Ty>() + ty(i),
        Ty::Tuple(v) | Ty::TraitObject(v) => vec(v) + v.iter().map(ty).sum::<usize>(),
        Ty::Other(x) => s(x),
        _ => 0,
    }
}
fn fields(v: &Vec<Field>) -> usize {
    vec(v) + v.iter().map(|f| os(&f.name) + ty(&f.ty)).sum::<usize>()
}
fn item(i: &Item) -> (usize, usize, usize) {
    // (scope+name+attrs, detail, body summary)
    let base = s(&i.name) + scope(&i.scope) + attrs(&i.attrs);
    let mut body = 0;
    let detail = match &i.detail {
        ItemDetail::Struct(x) => fields(&x.fields),
        ItemDetail::Enum(x) => {
            vec(&x.variants)
                + x.variants
                    .iter()
                    .map(|v| s(&v.name) + fields(&v.fields))
                    .sum::<usize>()
        }
        ItemDetail::Trait(x) => strs(&x.methods),
        ItemDetail::TypeAlias(t) | ItemDetail::Const(t) => ty(t),
        ItemDetail::Fn(f) => {
            let b = &f.body;
            body = strs(&b.local_statics)
                + vec(&b.static_like_paths)
                + b.static_like_paths.iter().map(strs).sum::<usize>()
                + strs(&b.method_calls);
            vec(&f.params)
                + f.params
                    .iter()
                    .map(|p| s(&p.name) + ty(&p.ty))
                    .sum::<usize>()
                + f.ret.as_ref().map_or(0, ty)
                + f.impl_of
                    .as_ref()
                    .map_or(0, |c| ty(&c.self_ty) + c.trait_.as_ref().map_or(0, ty))
                + os(&f.in_trait)
        }
        ItemDetail::Static(x) => {
            ty(&x.ty)
                + vec(&x.init_calls)
                + x.init_calls.iter().map(strs).sum::<usize>()
                + s(&x.init_text)
        }
        ItemDetail::ExternCrate { krate } => s(krate),
        _ => 0,
    };
    (base, detail, body)
}
fn res(r: &Option<Resolution>) -> usize {
    r.as_ref().map_or(0, |r| {
        vec(&r.via)
            + match &r.target {
                cargo_ssot::index::Target::External(v) => strs(v),
                _ => 0,
            }
    })
}

fn breakdown(index: &Index) {
    let mut t = std::collections::BTreeMap::<&str, usize>::new();
    let mut add = |k: &'static str, n: usize| *t.entry(k).or_default() += n;
    let (mut nrefs, mut nuses, mut nitems) = (0, 0, 0);
    add("files: Vec<IndexedFile>", vec(&index.files));
    for f in &index.files {
        add("line index", f.source.lines.line_count() * 4);
        add(
            "paths",
            f.source.path.capacity() + f.source.rel_path.capacity(),
        );
        let x = &f.facts;
        nitems += x.items.len();
        nuses += x.uses.len();
        nrefs += x.refs.len();
        add("items: Vec<Item>", vec(&x.items));
        for i in &x.items {
            let (a, b, c) = item(i);
            add("items: name/scope/attrs", a);
            add("items: detail (types, params)", b);
            add("items: fn BodySummary", c);
        }
        add("uses: Vec<UseLeaf>", vec(&x.uses));
        for u in &x.uses {
            add(
                "uses: heap",
                scope(&u.scope)
                    + strs(&u.path)
                    + vec(&u.segment_spans)
                    + os(&u.rename)
                    + attrs(&u.attrs),
            );
        }
        add("refs: Vec<PathRef>", vec(&x.refs));
        for r in &x.refs {
            add("refs: scope", scope(&r.scope));
            add("refs: segments", strs(&r.segments));
            add("refs: segment_spans", vec(&r.segment_spans));
            add(
                "refs: enclosing impl/fn",
                os(&r.enclosing_impl) + os(&r.enclosing_fn),
            );
        }
        add(
            "impls",
            vec(&x.impls)
                + x.impls
                    .iter()
                    .map(|i| {
                        scope(&i.scope)
                            + ty(&i.self_ty)
                            + i.trait_.as_ref().map_or(0, ty)
                            + strs(&i.fns)
                    })
                    .sum::<usize>(),
        );
        add(
            "lazy_bodies",
            vec(&x.lazy_bodies)
                + x.lazy_bodies
                    .iter()
                    .map(|b| os(&b.enclosing_impl))
                    .sum::<usize>(),
        );
        add(
            "other facts",
            vec(&x.suppressions)
                + vec(&x.problems)
                + vec(&x.collected_registries)
                + vec(&x.includes),
        );
    }
    add(
        "defs",
        vec(&index.defs) + index.defs.iter().map(|d| s(&d.path)).sum::<usize>(),
    );
    add(
        "item_defs",
        vec(&index.item_defs) + index.item_defs.iter().map(vec).sum::<usize>(),
    );
    add(
        "use_res",
        vec(&index.use_res)
            + index
                .use_res
                .iter()
                .map(|v| vec(v) + v.iter().map(res).sum::<usize>())
                .sum::<usize>(),
    );
    add(
        "ref_res",
        vec(&index.ref_res)
            + index.ref_res.iter().map(vec).sum::<usize>()
            + vec(&index.ref_res_pool)
            + index
                .ref_res_pool
                .iter()
                .map(|r| res(&Some(r.clone())))
                .sum::<usize>(),
    );
    let total: usize = t.values().sum();
    for (k, v) in &t {
        println!("  {k:<32} {}", mib(*v));
    }
    println!("  {:<32} {}", "sum of the above", mib(total));
    println!("  items {nitems}, uses {nuses}, refs {nrefs}");
    let (mut none, mut ext, mut other, mut via) = (0, 0, 0, 0);
    let mut distinct = std::collections::HashSet::new();
    for r in index.ref_res.iter().flatten() {
        match r.and_then(|i| index.ref_res_pool.get(i as usize)) {
            None => none += 1,
            Some(r) => {
                if matches!(r.target, cargo_ssot::index::Target::External(_)) {
                    ext += 1
                } else {
                    other += 1
                }
                via += usize::from(!r.via.is_empty());
                distinct.insert(format!("{:?}", r));
            }
        }
    }
    println!(
        "  ref_res: none {none}, external {ext}, workspace {other}, with via {via}, distinct {}",
        distinct.len()
    );
}

fn main() -> miette::Result<()> {
    sizes();
    let dir = std::env::args().nth(1).expect("DIR");
    stage("start");
    let discovery = cargo_ssot::workspace::discover::discover(std::path::Path::new(&dir))?;
    let config = cargo_ssot::config::load::load(None, &discovery)?;
    stage("discover+config");
    let load = cargo_ssot::workspace::LoadOptions {
        threads: None,
        lazy_bodies: true,
        cache: None,
    };
    let mut index = cargo_ssot::workspace::module_tree::load_with(&discovery, &config, &load);
    stage("load");
    println!(
        "files {} (analysed {}), modules {}, crates {}",
        index.files.len(),
        index.summary.files_analyzed,
        index.modules.len(),
        index.crates.len()
    );
    breakdown(&index);
    cargo_ssot::index::build::complete(&mut index, &config);
    stage("index complete");
    breakdown(&index);
    let findings = cargo_ssot::rules::run_all(&index, &config);
    stage("rules");
    let held: Vec<_> = index
        .files
        .iter()
        .filter(|f| f.source.holds_text())
        .collect();
    println!(
        "texts held after rules: {} files, {}",
        held.len(),
        mib(held.iter().map(|f| f.source.len).sum())
    );
    println!("findings {}", findings.len());
    Ok(())
}
#[allow(dead_code)]
fn sizes() {
    use std::mem::size_of;
    println!(
        "Item {} ItemDetail {} FnInfo {} StaticInfo {} Attrs {} Ty {} PathRef {} UseLeaf {} Resolution {} Option<Resolution> {} ImplBlock {} Def {} BodySummary {}",
        size_of::<Item>(), size_of::<ItemDetail>(), size_of::<FnInfo>(), size_of::<StaticInfo>(), size_of::<Attrs>(), size_of::<Ty>(),
        size_of::<PathRef>(), size_of::<UseLeaf>(), size_of::<Resolution>(), size_of::<Option<Resolution>>(), size_of::<ImplBlock>(),
        size_of::<cargo_ssot::index::Def>(), size_of::<BodySummary>()
    );
}
