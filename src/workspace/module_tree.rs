//! Following `mod` declarations from each crate root; reading and parsing each file once.
//!
//! Loading goes level by level (crate roots, then the files they declare, …). Each level
//! first resolves the declared paths (rustc's rules, in parallel: it is all `stat` calls),
//! then reads and parses the files not seen before (in parallel, on a pool with big stacks
//! because syn recurses deeply), then builds files and modules sequentially, in a fixed
//! order, so ids are deterministic. A file reached from two crates (or twice in one) is read
//! and parsed once and shared; it gets one `FileId` per module it becomes.

use super::{normalize, relative, CrateSpec, Discovery, LoadOptions, PackageInfo};
use crate::config::{Config, ExcludeSet};
use crate::facts::cache::FactsCache;
use crate::facts::{FileFacts, Item, ItemDetail, ItemKind, Problem, ProblemKind, ScopeSeg, Vis};
use crate::index::{
    Crate, CrateId, FileRole, Index, IndexedFile, InputProblem, Module, ModuleId, ScanSummary,
};
use crate::source::{FileId, SourceFile, Span};
use crate::timings::LoadClock;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Files larger than this are not analysed (generated tables, vendored blobs).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;
/// Module nesting deeper than this is not followed.
pub const MAX_MODULE_DEPTH: usize = 128;
/// How many times one file may be instantiated as a module within one crate (`#[path]`
/// tricks can otherwise multiply modules exponentially).
const MAX_INSTANCES_PER_CRATE: usize = 16;
/// Stack size of the parser threads: syn recurses once per nesting level of the source.
const PARSER_STACK_BYTES: usize = 64 * 1024 * 1024;

pub fn load(discovery: &Discovery, config: &Config, threads: Option<usize>) -> Index {
    let options = LoadOptions {
        threads,
        ..LoadOptions::default()
    };
    load_with(discovery, config, &options)
}

pub fn load_with(discovery: &Discovery, config: &Config, options: &LoadOptions) -> Index {
    load_timed(discovery, config, options, &LoadClock::default()).0
}

/// [`load_with`], recording the parallel phase's work in `clock`; also returns the number of
/// worker threads used.
pub fn load_timed(
    discovery: &Discovery,
    config: &Config,
    options: &LoadOptions,
    clock: &LoadClock,
) -> (Index, usize) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads.unwrap_or(0))
        .stack_size(PARSER_STACK_BYTES)
        .thread_name(|i| format!("ssot-parse-{i}"))
        .build();
    let mut loader = Loader::new(discovery, config, clock);
    loader.lazy_bodies = options.lazy_bodies;
    loader.facts_cache = options.cache.clone().filter(|_| options.lazy_bodies);
    let workers = match &pool {
        Ok(pool) => {
            pool.install(|| loader.run());
            pool.current_num_threads()
        }
        // No pool (thread creation refused): still analyse, on this thread.
        Err(_) => {
            loader.run();
            1
        }
    };
    (loader.finish(), workers)
}

/// Where a declared module's file is looked for.
#[derive(Debug, Clone)]
enum Lookup {
    /// A crate root.
    Root(PathBuf),
    /// `#[path = ".."]`: exactly this file.
    Attr(PathBuf),
    /// `<dir>/<name>.rs` or `<dir>/<name>/mod.rs`.
    Default { dir: PathBuf, name: String },
}

/// The directory a module's `mod x;` children are looked for in (rustc's module directory:
/// `dir`, plus `relative` for a non-`mod.rs` file such as `a.rs`, whose children live in `a/`).
#[derive(Debug, Clone)]
struct ModDir {
    dir: PathBuf,
    relative: Option<String>,
}

impl ModDir {
    fn child_dir(&self) -> PathBuf {
        match &self.relative {
            Some(r) => self.dir.join(r),
            None => self.dir.clone(),
        }
    }
}

/// A module file to find and load.
struct Pending {
    /// Index into `discovery.crates`.
    spec: usize,
    krate: Option<CrateId>,
    parent: Option<ModuleId>,
    name: String,
    lookup: Lookup,
    /// The declaring `mod x;` item: (file, item index).
    decl: Option<(FileId, usize)>,
    in_test: bool,
    deprecated: bool,
    doc_hidden: bool,
    public: bool,
    /// An `include!`d file: its items join this module (no module of its own), and the
    /// invocation (file, span) is where a problem with it is reported.
    include_into: Option<(ModuleId, FileId, Span)>,
}

/// The outcome of looking for a pending module's file.
enum Found {
    File {
        /// Normalized path as declared (what users see, and what child paths build on).
        path: PathBuf,
        /// Resolved through symlinks: a file's identity.
        canonical: PathBuf,
        dir: ModDir,
    },
    Missing {
        tried: Vec<PathBuf>,
    },
    Failed {
        path: PathBuf,
        problem: Problem,
    },
}

/// A file read and parsed once, shared by every module it becomes.
struct Parsed {
    /// What is kept of the text (it is read again only when needed; see `SourceFile`).
    text: TextSummary,
    facts: FileFacts,
    /// The `FileId`s that hold this file (one per module it became).
    ids: Vec<FileId>,
}

type LoadResult = Result<Parsed, Problem>;

/// A read file's line index, length and content hash: what its `SourceFile` needs.
#[derive(Clone)]
struct TextSummary {
    lines: crate::source::LineIndex,
    len: usize,
    hash: u128,
}

impl TextSummary {
    fn new(text: &str, hash: u128) -> Self {
        TextSummary {
            lines: crate::source::LineIndex::new(text),
            len: text.len(),
            hash,
        }
    }

    fn source_file(self, path: PathBuf, rel_path: String) -> SourceFile {
        SourceFile::on_disk(path, rel_path, self.lines, self.len, self.hash)
    }
}

struct Loader<'a> {
    discovery: &'a Discovery,
    root: &'a Path,
    exclude: ExcludeSet,
    /// Files each exclude glob matched, parallel to `config.exclude`.
    exclude_hits: Vec<usize>,
    index: Index,
    /// Every file looked at, by canonical path: parsed, or the problem reading it.
    cache: HashMap<PathBuf, LoadResult>,
    /// Canonical path of each module's file, and its module directory.
    module_file: Vec<PathBuf>,
    module_dir: Vec<ModDir>,
    /// Declared (normalized) paths and canonical paths of every file some crate reaches.
    reached: HashSet<PathBuf>,
    reached_canonical: HashSet<PathBuf>,
    /// Files not analysed because config excludes them.
    excluded: HashSet<PathBuf>,
    /// Paths a problem was already reported for (so the tree walk does not repeat it).
    problem_paths: HashSet<PathBuf>,
    instances: HashMap<(CrateId, PathBuf), usize>,
    /// `discovery.crates` index → crate id, for crates whose root loaded.
    crate_of_spec: Vec<Option<CrateId>>,
    /// Package directories, to tell foreign projects apart in the tree walk.
    packages: &'a [PackageInfo],
    /// The config file: (path, path shown, text).
    config_file: Option<(PathBuf, String, Arc<str>)>,
    clock: &'a LoadClock,
    /// Extract with lazy fn bodies.
    lazy_bodies: bool,
    /// Facts of files read before (see `facts::cache`).
    facts_cache: Option<Arc<FactsCache>>,
    /// See `ScanSummary::paths_not_found`.
    not_found: Vec<PathBuf>,
}

impl<'a> Loader<'a> {
    fn new(discovery: &'a Discovery, config: &Config, clock: &'a LoadClock) -> Self {
        // A loaded config has its globs compiled; a hand-built one (tests, embedders) may
        // not, and gets them compiled here relative to the same base.
        let exclude = if config.exclude_set.len() == config.exclude.len() {
            config.exclude_set.clone()
        } else {
            let base = config
                .file
                .as_ref()
                .and_then(|f| f.path.parent())
                .map(normalize)
                .unwrap_or_else(|| discovery.config_dir.clone());
            // Invalid globs are reported by config validation; here they exclude nothing.
            ExcludeSet::new(base, &config.exclude).unwrap_or_default()
        };
        let index = Index {
            root: discovery.report_root.clone(),
            problems: discovery.problems.clone(),
            ..Index::default()
        };
        Loader {
            discovery,
            root: &discovery.report_root,
            exclude,
            exclude_hits: vec![0; config.exclude.len()],
            index,
            cache: HashMap::new(),
            module_file: Vec::new(),
            module_dir: Vec::new(),
            reached: HashSet::new(),
            reached_canonical: HashSet::new(),
            excluded: HashSet::new(),
            problem_paths: HashSet::new(),
            instances: HashMap::new(),
            crate_of_spec: vec![None; discovery.crates.len()],
            packages: &discovery.packages,
            config_file: config.file.as_ref().map(|f| {
                (
                    f.path.clone(),
                    f.rel_path.clone(),
                    Arc::from(f.text.as_str()),
                )
            }),
            clock,
            lazy_bodies: false,
            facts_cache: None,
            not_found: Vec::new(),
        }
    }

    fn run(&mut self) {
        let mut level: Vec<Pending> = self
            .discovery
            .crates
            .iter()
            .enumerate()
            .map(|(spec, c)| Pending {
                spec,
                krate: None,
                parent: None,
                name: String::new(),
                lookup: Lookup::Root(normalize(&c.root_file)),
                decl: None,
                in_test: c.is_test,
                deprecated: false,
                doc_hidden: false,
                public: true,
                include_into: None,
            })
            .collect();
        while !level.is_empty() {
            let found: Vec<Found> = level.par_iter().map(|p| find(&p.lookup)).collect();
            let to_read: Vec<PathBuf> = {
                let mut seen = HashSet::new();
                found
                    .iter()
                    .filter_map(|f| match f {
                        Found::File {
                            path, canonical, ..
                        } if !self.cache.contains_key(canonical)
                            && !self.exclude.is_excluded(path) =>
                        {
                            seen.insert(canonical.clone()).then(|| canonical.clone())
                        }
                        _ => None,
                    })
                    .collect()
            };
            let started = std::time::Instant::now();
            let clock = self.clock;
            let lazy = self.lazy_bodies;
            let facts_cache = self.facts_cache.as_deref();
            let read: Vec<(PathBuf, LoadResult)> = to_read
                .into_par_iter()
                .map(|canonical| {
                    let result = read_and_parse(&canonical, clock, lazy, facts_cache);
                    (canonical, result)
                })
                .collect();
            clock.parallel_done(started.elapsed());
            self.cache.extend(read);
            let mut next = Vec::new();
            for (pending, found) in level.into_iter().zip(found) {
                self.place(pending, found, &mut next);
            }
            level = next;
        }
    }

    /// Turn one found module file into a file + module (or a problem), and queue its
    /// out-of-line child modules.
    fn place(&mut self, pending: Pending, found: Found, next: &mut Vec<Pending>) {
        let (path, canonical, dir) = match found {
            Found::File {
                path,
                canonical,
                dir,
            } => (path, canonical, dir),
            Found::Missing { tried } => {
                self.not_found.extend(tried.iter().cloned());
                let tried: Vec<String> = tried.iter().map(|t| self.rel(t)).collect();
                let message = match &pending.lookup {
                    Lookup::Root(_) => format!(
                        "crate root `{}` of `{}` does not exist",
                        tried.join("`, `"),
                        self.discovery.crates[pending.spec].name
                    ),
                    _ if pending.include_into.is_some() => format!(
                        "file not found for `include!(\"{}\")`: expected `{}`",
                        pending.name,
                        tried.join("` or `")
                    ),
                    _ => format!(
                        "file not found for module `{}`: expected `{}`",
                        pending.name,
                        tried.join("` or `")
                    ),
                };
                self.decl_problem(&pending, ProblemKind::MissingModule, message, None);
                return;
            }
            Found::Failed { path, problem } => {
                self.reached.insert(path.clone());
                self.decl_problem(&pending, problem.kind, problem.message, Some(&path));
                return;
            }
        };
        if let Lookup::Default { dir, name } = &pending.lookup {
            // `x/mod.rs` was taken because there is no `x.rs`, which would win.
            let flat = dir.join(format!("{name}.rs"));
            if flat != path {
                self.not_found.push(flat);
            }
        }
        self.reached.insert(path.clone());
        self.reached_canonical.insert(canonical.clone());
        if self.excluded(&path) {
            return;
        }
        if self.is_twin(&pending, &canonical) {
            return;
        }
        if let Some(problem) = self.cycle_or_depth(&pending, &canonical) {
            self.decl_problem(&pending, problem.kind, problem.message, None);
            return;
        }
        let (text, file_inner_test) = match self.cache.get(&canonical) {
            Some(Ok(parsed)) => (parsed.text.clone(), parsed.facts.inner_attrs.cfg_test),
            Some(Err(problem)) => {
                if self.problem_paths.insert(path.clone()) {
                    let problem = problem.clone();
                    self.index.problems.push(InputProblem {
                        path: self.rel(&path),
                        file: None,
                        problem,
                    });
                }
                return;
            }
            None => return, // not read: cannot happen, every found file is read
        };

        let krate = match pending.krate {
            Some(k) => k,
            None => self.add_crate(pending.spec),
        };
        let count = self
            .instances
            .entry((krate, canonical.clone()))
            .or_insert(0);
        *count += 1;
        if *count > MAX_INSTANCES_PER_CRATE {
            self.decl_problem(
                &pending,
                ProblemKind::ModuleCycle,
                format!(
                    "`{}` is included as a module more than {MAX_INSTANCES_PER_CRATE} times",
                    self.rel(&path)
                ),
                None,
            );
            return;
        }

        if let Some((module, _, _)) = pending.include_into {
            self.place_included(
                &pending,
                module,
                krate,
                path,
                canonical,
                text,
                file_inner_test,
                next,
            );
            return;
        }
        let file_id = FileId(self.index.files.len() as u32);
        let module_id = ModuleId(self.index.modules.len() as u32);
        let in_test = pending.in_test || file_inner_test || self.in_test_dir(pending.spec, &path);
        let rel_path = self.rel(&path);
        self.index.files.push(IndexedFile {
            source: text.source_file(path, rel_path),
            facts: FileFacts::default(), // moved in from the cache in `finish`
            role: FileRole::Module {
                krate,
                module: module_id,
            },
            in_test,
        });
        if let Some(Ok(parsed)) = self.cache.get_mut(&canonical) {
            parsed.ids.push(file_id);
        }
        let module_path = match pending.parent {
            Some(parent) => {
                let mut p = self.index.module(parent).path.clone();
                p.push(pending.name.clone());
                p
            }
            None => Vec::new(),
        };
        self.push_module(
            Module {
                krate,
                path: module_path,
                file: file_id,
                scope: Vec::new(),
                parent: pending.parent,
                children: HashMap::new(),
                decl: None,
                in_test,
                deprecated: pending.deprecated,
                doc_hidden: pending.doc_hidden,
                public: pending.public,
            },
            canonical.clone(),
            dir,
        );
        if pending.parent.is_none() {
            if let Some(c) = self.index.crates.get_mut(krate.0 as usize) {
                c.root_module = module_id;
            }
        }
        self.inline_modules_and_children(&canonical, pending.spec, krate, file_id, module_id, next);
    }

    /// An `include!`d file: one more file of `module`, whose items (and inline modules,
    /// `mod x;` children and further includes) belong to that module.
    #[allow(clippy::too_many_arguments)]
    fn place_included(
        &mut self,
        pending: &Pending,
        module: ModuleId,
        krate: CrateId,
        path: PathBuf,
        canonical: PathBuf,
        text: TextSummary,
        file_inner_test: bool,
        next: &mut Vec<Pending>,
    ) {
        let file_id = FileId(self.index.files.len() as u32);
        let in_test = pending.in_test || file_inner_test || self.in_test_dir(pending.spec, &path);
        let rel_path = self.rel(&path);
        self.index.files.push(IndexedFile {
            source: text.source_file(path, rel_path),
            facts: FileFacts::default(), // moved in from the cache in `finish`
            role: FileRole::Module { krate, module },
            in_test,
        });
        if let Some(Ok(parsed)) = self.cache.get_mut(&canonical) {
            parsed.ids.push(file_id);
        }
        self.inline_modules_and_children(&canonical, pending.spec, krate, file_id, module, next);
    }

    /// Create modules for the inline `mod x { }` items of a file and queue its `mod x;` items.
    fn inline_modules_and_children(
        &mut self,
        canonical: &Path,
        spec: usize,
        krate: CrateId,
        file_id: FileId,
        file_module: ModuleId,
        next: &mut Vec<Pending>,
    ) {
        let Some(Ok(parsed)) = self.cache.get(canonical) else {
            return;
        };
        // Parents before children: order mod items by nesting depth (stable, so source
        // order within a depth).
        let mut mods: Vec<(usize, &Item)> = parsed
            .facts
            .items
            .iter()
            .enumerate()
            .filter(|(_, it)| it.kind == ItemKind::Mod)
            // `mod` inside a fn body or block is not part of the module tree we model.
            .filter(|(_, it)| it.scope.iter().all(|s| matches!(s, ScopeSeg::Mod(_))))
            .collect();
        mods.sort_by_key(|(_, it)| it.scope.len());
        let mods: Vec<(usize, Item)> = mods.into_iter().map(|(i, it)| (i, it.clone())).collect();

        let mut by_scope: HashMap<Vec<ScopeSeg>, ModuleId> = HashMap::new();
        by_scope.insert(Vec::new(), file_module);
        self.index
            .module_by_file_scope
            .insert((file_id, Vec::new()), file_module);
        for (item_index, item) in mods {
            let Some(&parent) = by_scope.get(&item.scope) else {
                continue;
            };
            let parent_dir = self.module_dir[parent.0 as usize].clone();
            let parent_module = self.index.module(parent);
            let in_test = parent_module.in_test
                || item.in_test
                || item.attrs.cfg_test
                || is_test_module_name(&item.name);
            let out_of_line = matches!(&item.detail, ItemDetail::Mod(m) if m.out_of_line);
            if out_of_line {
                // rustc: `#[path]` is relative to the module's directory *without* the
                // `a/` a non-`mod.rs` file `a.rs` adds for its plain children.
                let lookup = match &item.attrs.path {
                    Some(p) => Lookup::Attr(normalize(&parent_dir.dir.join(p))),
                    None => Lookup::Default {
                        dir: parent_dir.child_dir(),
                        // `mod r#match;` lives in `match.rs`.
                        name: item.name.trim_start_matches("r#").to_string(),
                    },
                };
                next.push(Pending {
                    spec,
                    krate: Some(krate),
                    parent: Some(parent),
                    name: item.name.clone(),
                    lookup,
                    decl: Some((file_id, item_index)),
                    in_test,
                    deprecated: item.attrs.deprecated.is_some(),
                    doc_hidden: item.attrs.doc_hidden,
                    public: item.vis == Vis::Public,
                    include_into: None,
                });
                continue;
            }
            let mut scope = item.scope.clone();
            scope.push(ScopeSeg::Mod(item.name.clone()));
            if by_scope.contains_key(&scope) {
                // cfg-switched twins (`#[cfg(unix)] mod imp {..} #[cfg(not(unix))] mod imp {..}`)
                // share one scope in the facts, so they are one module here.
                continue;
            }
            // rustc: an inline module's directory is its parent's plus its name, or its
            // `#[path]` taken as a directory.
            let dir = match &item.attrs.path {
                Some(p) => ModDir {
                    dir: normalize(&parent_dir.dir.join(p)),
                    relative: None,
                },
                None => ModDir {
                    dir: parent_dir
                        .child_dir()
                        .join(item.name.trim_start_matches("r#")),
                    relative: None,
                },
            };
            let mut path = parent_module.path.clone();
            path.push(item.name.clone());
            let module_id = self.push_module(
                Module {
                    krate,
                    path,
                    file: file_id,
                    scope: scope.clone(),
                    parent: Some(parent),
                    children: HashMap::new(),
                    decl: None,
                    in_test,
                    deprecated: item.attrs.deprecated.is_some(),
                    doc_hidden: item.attrs.doc_hidden,
                    public: item.vis == Vis::Public,
                },
                canonical.to_path_buf(),
                dir,
            );
            self.index
                .module_by_file_scope
                .insert((file_id, scope.clone()), module_id);
            by_scope.insert(scope, module_id);
        }
        self.queue_includes(canonical, spec, krate, file_id, &by_scope, next);
    }

    /// Queue the files a module file pulls in with `include!("x.rs")` (rustc: relative to
    /// the including file's directory).
    fn queue_includes(
        &mut self,
        canonical: &Path,
        spec: usize,
        krate: CrateId,
        file_id: FileId,
        by_scope: &HashMap<Vec<ScopeSeg>, ModuleId>,
        next: &mut Vec<Pending>,
    ) {
        let includes = match self.cache.get(canonical) {
            Some(Ok(parsed)) if !parsed.facts.includes.is_empty() => parsed.facts.includes.clone(),
            _ => return,
        };
        let file_dir = self
            .index
            .file(file_id)
            .source
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        for inc in includes {
            let Some(&module) = by_scope.get(&inc.scope) else {
                continue;
            };
            let target = normalize(&file_dir.join(&inc.path));
            // Source files live in the workspace; a path out of it (`/etc/..`, `../../..`)
            // is not read.
            if !self
                .discovery
                .workspace_roots
                .iter()
                .any(|r| target.starts_with(r))
            {
                let f = self.index.file(file_id);
                self.index.problems.push(InputProblem {
                    path: f.source.rel_path.clone(),
                    file: Some(file_id),
                    problem: Problem {
                        kind: ProblemKind::SymlinkLoop,
                        message: format!(
                            "`include!(\"{}\")` names a file outside the workspace; not read",
                            inc.path
                        ),
                        span: Some(inc.span),
                    },
                });
                continue;
            }
            let m = self.index.module(module);
            next.push(Pending {
                spec,
                krate: Some(krate),
                parent: Some(module),
                name: inc.path.clone(),
                lookup: Lookup::Attr(target),
                decl: None,
                in_test: m.in_test || inc.in_test,
                deprecated: m.deprecated,
                doc_hidden: m.doc_hidden,
                public: m.public,
                include_into: Some((module, file_id, inc.span)),
            });
        }
    }

    fn push_module(&mut self, module: Module, canonical: PathBuf, dir: ModDir) -> ModuleId {
        let id = ModuleId(self.index.modules.len() as u32);
        if let (Some(parent), Some(name)) = (module.parent, module.path.last()) {
            if let Some(p) = self.index.modules.get_mut(parent.0 as usize) {
                // cfg-switched twins keep the first as the child; both are still analysed.
                p.children.entry(name.clone()).or_insert(id);
            }
        }
        self.index.modules.push(module);
        self.module_file.push(canonical);
        self.module_dir.push(dir);
        id
    }

    fn add_crate(&mut self, spec: usize) -> CrateId {
        let s: &CrateSpec = &self.discovery.crates[spec];
        let id = CrateId(self.index.crates.len() as u32);
        self.index.crates.push(Crate {
            name: s.name.clone(),
            package: s.package.clone(),
            kind: s.kind,
            root_module: ModuleId(self.index.modules.len() as u32),
            manifest_path: s.manifest_path.clone(),
            is_test: s.is_test,
            deps: HashMap::new(),
            workspace: s.workspace,
        });
        self.crate_of_spec[spec] = Some(id);
        id
    }

    /// `#[cfg(a)] mod imp; #[cfg(b)] mod imp;` naming the same file: one module, not two.
    fn is_twin(&self, pending: &Pending, canonical: &Path) -> bool {
        pending
            .parent
            .and_then(|p| self.index.module(p).children.get(&pending.name))
            .is_some_and(|&m| self.module_file[m.0 as usize] == canonical)
    }

    /// A `mod` whose file is already one of its ancestors (a `#[path]` cycle), or nesting
    /// beyond the limit.
    fn cycle_or_depth(&self, pending: &Pending, canonical: &Path) -> Option<Problem> {
        let mut depth = 0;
        let mut current = pending.parent;
        while let Some(m) = current {
            if self.module_file[m.0 as usize] == canonical {
                return Some(Problem {
                    kind: ProblemKind::ModuleCycle,
                    message: format!(
                        "module `{}` includes `{}`, which is already one of its ancestors",
                        pending.name,
                        self.rel(canonical)
                    ),
                    span: None,
                });
            }
            depth += 1;
            current = self.index.module(m).parent;
        }
        (depth > MAX_MODULE_DEPTH).then(|| Problem {
            kind: ProblemKind::TooDeep,
            message: format!(
                "module `{}` is nested more than {MAX_MODULE_DEPTH} levels deep",
                pending.name
            ),
            span: None,
        })
    }

    /// Report a problem at the `mod x;` item that declared the module (or at the crate's
    /// manifest for a crate root).
    fn decl_problem(
        &mut self,
        pending: &Pending,
        kind: ProblemKind,
        message: String,
        path: Option<&Path>,
    ) {
        if let Some(p) = path {
            if !self.problem_paths.insert(p.to_path_buf()) {
                return;
            }
        }
        if let (None, Some((_, file, span))) = (pending.decl, pending.include_into) {
            let f = self.index.file(file);
            self.index.problems.push(InputProblem {
                path: f.source.rel_path.clone(),
                file: Some(file),
                problem: Problem {
                    kind,
                    message,
                    span: Some(span),
                },
            });
            return;
        }
        let problem = match pending.decl {
            Some((file, item)) => {
                let f = self.index.file(file);
                let span = self
                    .cache_facts_item_span(file, item)
                    .unwrap_or_else(|| Span::new(0, 0));
                InputProblem {
                    path: f.source.rel_path.clone(),
                    file: Some(file),
                    problem: Problem {
                        kind,
                        message,
                        span: Some(span),
                    },
                }
            }
            None => InputProblem {
                path: match path {
                    Some(p) => self.rel(p),
                    None => self.rel(&self.discovery.crates[pending.spec].manifest_path),
                },
                file: None,
                problem: Problem {
                    kind,
                    message,
                    span: None,
                },
            },
        };
        self.index.problems.push(problem);
    }

    /// Span of item `item` of the file behind `file` (its facts still live in the cache).
    fn cache_facts_item_span(&self, file: FileId, item: usize) -> Option<Span> {
        let module = match self.index.file(file).role {
            FileRole::Module { module, .. } => module,
            FileRole::Config => return None,
        };
        let canonical = self.module_file.get(module.0 as usize)?;
        match self.cache.get(canonical)? {
            Ok(parsed) => parsed.facts.items.get(item).map(|it| it.span),
            Err(_) => None,
        }
    }

    /// Files under a package's `tests/`, `benches/` or `examples/` directory are test code.
    fn in_test_dir(&self, spec: usize, path: &Path) -> bool {
        let Some(pkg_dir) = self.discovery.crates[spec].manifest_path.parent() else {
            return false;
        };
        let Ok(rest) = path.strip_prefix(pkg_dir) else {
            return false;
        };
        rest.components().next().is_some_and(|c| {
            let c = c.as_os_str();
            c == "tests" || c == "benches" || c == "examples"
        })
    }

    /// Is `path` excluded by config? Counts each excluded file once, per glob.
    fn excluded(&mut self, path: &Path) -> bool {
        let hits = self.exclude.matches(path);
        if hits.is_empty() {
            return false;
        }
        if self.excluded.insert(path.to_path_buf()) {
            for i in hits {
                if let Some(n) = self.exclude_hits.get_mut(i) {
                    *n += 1;
                }
            }
        }
        true
    }

    fn rel(&self, path: &Path) -> String {
        relative(path, self.root)
    }

    /// Move the facts into the files, resolve crate dependencies, find unreachable files,
    /// add the config file, and count.
    fn finish(mut self) -> Index {
        // Facts: move into the last file that holds them, clone for the others.
        let mut summary = ScanSummary {
            workspaces: self.discovery.workspace_roots.len(),
            crates: self.index.crates.len(),
            ..ScanSummary::default()
        };
        let mut parsed_files: Vec<(PathBuf, Parsed)> = self
            .cache
            .drain()
            .filter_map(|(p, r)| r.ok().map(|parsed| (p, parsed)))
            .filter(|(_, parsed)| !parsed.ids.is_empty())
            .collect();
        parsed_files.sort_by_key(|(_, parsed)| parsed.ids[0]);
        for (_, mut parsed) in parsed_files {
            summary.files_analyzed += 1;
            summary.bytes_analyzed += parsed.text.len;
            if let Some(first) = parsed.ids.first() {
                let f = &self.index.files[first.0 as usize];
                summary.lines_analyzed += f.source.lines.line_count();
                // The file's own problems (parse errors …), reported once.
                for problem in &parsed.facts.problems {
                    self.index.problems.push(InputProblem {
                        path: f.source.rel_path.clone(),
                        file: Some(*first),
                        problem: problem.clone(),
                    });
                }
            }
            let last = parsed.ids.pop();
            for id in parsed.ids {
                self.index.files[id.0 as usize].facts = parsed.facts.clone();
            }
            if let Some(id) = last {
                self.index.files[id.0 as usize].facts = parsed.facts;
            }
        }

        // A file shared by several crates reports its problems once.
        let mut seen = HashSet::new();
        self.index.problems.retain(|p| {
            seen.insert((
                p.path.clone(),
                p.problem.span,
                format!("{:?}", p.problem.kind),
                p.problem.message.clone(),
            ))
        });
        self.resolve_crate_deps();
        self.walk_for_unreachable(&mut summary);
        summary.files_excluded = self.excluded.len();
        summary.paths_not_found = std::mem::take(&mut self.not_found);
        summary.exclude_hits = std::mem::take(&mut self.exclude_hits);
        self.index.summary = summary;

        if let Some(cfg) = &self.config_file {
            let id = FileId(self.index.files.len() as u32);
            self.index.files.push(IndexedFile {
                source: SourceFile::new(cfg.0.clone(), cfg.1.clone(), cfg.2.clone()),
                facts: FileFacts::default(),
                role: FileRole::Config,
                in_test: false,
            });
            self.index.config_file = Some(id);
        }
        self.index
    }
}

impl Loader<'_> {
    /// Map each crate's (code name, package) dependencies to the lib crates loaded.
    fn resolve_crate_deps(&mut self) {
        let mut libs: HashMap<(u32, &str), CrateId> = HashMap::new();
        let mut libs_any: HashMap<&str, CrateId> = HashMap::new();
        for (i, c) in self.index.crates.iter().enumerate() {
            if c.kind == crate::index::CrateKind::Lib {
                let id = CrateId(i as u32);
                libs.entry((c.workspace, c.package.as_str())).or_insert(id);
                libs_any.entry(c.package.as_str()).or_insert(id);
            }
        }
        let mut all_deps = Vec::new();
        for (spec, krate) in self.discovery.crates.iter().zip(&self.crate_of_spec) {
            let Some(krate) = krate else { continue };
            let deps: HashMap<String, CrateId> = spec
                .deps
                .iter()
                .filter_map(|(code, package)| {
                    let id = libs
                        .get(&(spec.workspace, package.as_str()))
                        .or_else(|| libs_any.get(package.as_str()))?;
                    (*id != *krate).then(|| (code.clone(), *id))
                })
                .collect();
            all_deps.push((*krate, deps));
        }
        for (krate, deps) in all_deps {
            self.index.crates[krate.0 as usize].deps = deps;
        }
    }

    /// `.rs` files under the workspace roots that no crate reaches (backups, stale copies).
    /// Follows symlinks that stay inside the root, with loop detection; skips build output,
    /// hidden directories, `build.rs`, and nested projects that are not members.
    fn walk_for_unreachable(&mut self, summary: &mut ScanSummary) {
        let mut unreachable = std::collections::BTreeSet::new();
        let mut walked: HashSet<&Path> = HashSet::new();
        for (w, root) in self.discovery.workspace_roots.iter().enumerate() {
            if !walked.insert(root.as_path()) {
                continue;
            }
            let members: HashSet<&Path> = self
                .packages
                .iter()
                .filter(|p| p.workspace == w as u32)
                .map(|p| p.dir.as_path())
                .collect();
            let walker = super::walk_workspace(root, members);
            for entry in walker {
                let entry = match entry {
                    Ok(e) => e,
                    Err(err) => {
                        self.walk_problem(&err);
                        continue;
                    }
                };
                let name = entry.file_name();
                if !entry.file_type().is_file()
                    || name == "build.rs"
                    || !name.to_str().is_some_and(|n| n.ends_with(".rs"))
                {
                    continue;
                }
                let path = entry.path();
                if self.reached.contains(path) {
                    continue;
                }
                if self.excluded(path) {
                    continue;
                }
                // Reached under another name (through a symlink)? Only unreached candidates
                // pay for the canonicalization.
                if std::fs::canonicalize(path).is_ok_and(|c| self.reached_canonical.contains(&c)) {
                    continue;
                }
                unreachable.insert(self.rel(path));
            }
        }
        summary.files_unreachable = unreachable.into_iter().collect();
    }

    fn walk_problem(&mut self, err: &walkdir::Error) {
        let Some(path) = err.path().map(Path::to_path_buf) else {
            return;
        };
        let is_symlink = path.symlink_metadata().is_ok_and(|m| m.is_symlink());
        let problem = if let Some(ancestor) = err.loop_ancestor() {
            Problem {
                kind: ProblemKind::SymlinkLoop,
                message: format!(
                    "symlink loop: `{}` leads back to `{}`; not followed",
                    self.rel(&path),
                    self.rel(ancestor)
                ),
                span: None,
            }
        } else if err
            .io_error()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::NotFound)
        {
            return; // a dangling symlink: nothing there to analyse
        } else if is_symlink {
            Problem {
                kind: ProblemKind::SymlinkLoop,
                message: format!("symlink `{}` cannot be resolved: {err}", self.rel(&path)),
                span: None,
            }
        } else {
            Problem {
                kind: ProblemKind::Unreadable,
                message: format!("cannot read `{}`: {err}", self.rel(&path)),
                span: None,
            }
        };
        if self.problem_paths.insert(path.clone()) {
            self.index.problems.push(InputProblem {
                path: self.rel(&path),
                file: None,
                problem,
            });
        }
    }
}

/// Apply rustc's rules to find a module's file. Only `stat`s; reading comes later.
/// A module named for test support (`test_utils`, `testing`, `test_sink`, `mock_test`),
/// compiled into the crate so that tests elsewhere can use it: test code.
fn is_test_module_name(name: &str) -> bool {
    let name = name.trim_start_matches("r#");
    matches!(name, "test" | "tests" | "testing" | "testutils")
        || name.starts_with("test_")
        || name.ends_with("_test")
        || name.ends_with("_tests")
        || name.ends_with("_testing")
        || name.ends_with("test_utils")
        || name.ends_with("test_util")
}

fn find(lookup: &Lookup) -> Found {
    let exists = |p: &Path| p.symlink_metadata().is_ok();
    let (path, dir) = match lookup {
        Lookup::Root(p) | Lookup::Attr(p) => {
            if !exists(p) {
                return Found::Missing {
                    tried: vec![p.clone()],
                };
            }
            // A crate root and a `#[path]` file own their directory, like `mod.rs`.
            let dir = ModDir {
                dir: p.parent().map(Path::to_path_buf).unwrap_or_default(),
                relative: None,
            };
            (p.clone(), dir)
        }
        Lookup::Default { dir, name } => {
            let flat = dir.join(format!("{name}.rs"));
            let nested = dir.join(name).join("mod.rs");
            if exists(&flat) {
                let d = ModDir {
                    dir: dir.clone(),
                    relative: Some(name.clone()),
                };
                (flat, d)
            } else if exists(&nested) {
                let d = ModDir {
                    dir: dir.join(name),
                    relative: None,
                };
                (nested, d)
            } else {
                return Found::Missing {
                    tried: vec![flat, nested],
                };
            }
        }
    };
    match std::fs::canonicalize(&path) {
        Ok(canonical) => Found::File {
            path,
            canonical,
            dir,
        },
        Err(e) => {
            let is_symlink = path.symlink_metadata().is_ok_and(|m| m.is_symlink());
            let kind = if !is_symlink {
                ProblemKind::Unreadable
            } else if e.kind() == std::io::ErrorKind::NotFound {
                return Found::Missing { tried: vec![path] };
            } else {
                ProblemKind::SymlinkLoop
            };
            let problem = Problem {
                kind,
                message: format!("cannot resolve `{}`: {e}", path.display()),
                span: None,
            };
            Found::Failed { path, problem }
        }
    }
}

/// Read one file and extract its facts. Size, encoding and I/O failures are problems; a
/// panic in extraction (a bug) costs only this file.
fn read_and_parse(
    path: &Path,
    clock: &LoadClock,
    lazy: bool,
    cache: Option<&FactsCache>,
) -> LoadResult {
    let read_span = clock.span();
    let unreadable = |e: std::io::Error| Problem {
        kind: ProblemKind::Unreadable,
        message: format!("cannot read file: {e}"),
        span: None,
    };
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if meta.is_dir() {
        return Err(Problem {
            kind: ProblemKind::Unreadable,
            message: "expected a file, found a directory".into(),
            span: None,
        });
    }
    // A device or FIFO (`#[path = "/dev/zero"]`) never ends or blocks: not source code.
    if !meta.is_file() {
        return Err(Problem {
            kind: ProblemKind::Unreadable,
            message: "not a regular file (a device, socket or pipe); not read".into(),
            span: None,
        });
    }
    let too_large = |len: u64| Problem {
        kind: ProblemKind::TooLarge,
        message: format!(
            "file is {len} bytes, over the {} MiB limit; not analysed",
            MAX_FILE_BYTES / (1024 * 1024)
        ),
        span: None,
    };
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large(meta.len()));
    }
    // Bounded even if the file grows while it is read.
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| {
            use std::io::Read;
            f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)
        })
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        Problem {
            kind: ProblemKind::NotUtf8,
            message: format!(
                "file is not valid UTF-8: first bad byte at offset {offset} (line {line})"
            ),
            span: Some(Span::new(offset, offset + 1)),
        }
    })?;
    clock.read_done(read_span, text.len());
    let extract_span = clock.span();
    let hash = crate::facts::cache::content_hash(&text);
    if let Some(facts) = cache.and_then(|c| c.get_hashed(hash)) {
        clock.extract_done(extract_span);
        return Ok(Parsed {
            text: TextSummary::new(&text, hash),
            facts,
            ids: Vec::new(),
        });
    }
    let extract = if lazy {
        crate::facts::extract::extract_file_lazy
    } else {
        crate::facts::extract::extract_file
    };
    let facts = std::panic::catch_unwind(|| extract(&text)).unwrap_or_else(|_| FileFacts {
        problems: vec![Problem {
            kind: ProblemKind::Parse,
            message: "internal error while extracting facts from this file; it was skipped".into(),
            span: None,
        }],
        ..FileFacts::default()
    });
    clock.extract_done(extract_span);
    Ok(Parsed {
        text: TextSummary::new(&text, hash),
        facts: shrunk(facts),
        ids: Vec::new(),
    })
}

/// Facts are kept for the whole run: give back the spare capacity their vectors grew while
/// being filled (a quarter of their size on average; ~60 MiB on a 3M-line tree).
fn shrunk(mut facts: FileFacts) -> FileFacts {
    facts.items.shrink_to_fit();
    facts.uses.shrink_to_fit();
    facts.refs.shrink_to_fit();
    facts.impls.shrink_to_fit();
    facts.suppressions.shrink_to_fit();
    facts.problems.shrink_to_fit();
    facts.collected_registries.shrink_to_fit();
    facts.lazy_bodies.shrink_to_fit();
    facts.includes.shrink_to_fit();
    facts
}

#[cfg(test)]
mod tests;
