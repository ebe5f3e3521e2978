//! cargo-ssot: keeps a Rust workspace honest about its single sources of truth.
//!
//! Data flows one way:
//! `workspace` (manifests, crates, module tree; each file read and parsed once into
//! `facts`) → `index` (definitions, path resolution, concepts) → `rules` (pure functions)
//! → `filter` (suppressions, baseline, levels, reported paths) → `report` (one file per format).

pub mod cli;
pub mod config;
pub mod facts;
pub mod filter;
pub mod finding;
pub mod fix;
pub mod index;
pub mod replay;
pub mod report;
pub mod rules;
pub mod source;
pub mod timings;
pub mod workspace;

use std::path::PathBuf;

/// Below this many bytes of fn bodies left unparsed (roughly 8k lines of code in bodies)
/// the command line parses them all: a small tree pays a few milliseconds, and a syntax
/// error in any body is reported, as with a full parse.
pub const SMALL_TREE_BODY_BYTES: usize = 256 * 1024;

/// What to analyse and how.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Where the user started (the workspace around it is analysed).
    pub start_dir: PathBuf,
    /// Report only findings in files under these paths (relative to `start_dir` or absolute).
    /// Empty: report everything.
    pub report_paths: Vec<PathBuf>,
    /// `--config PATH`.
    pub config_path: Option<PathBuf>,
    /// `--baseline FILE`: report only what exceeds it.
    pub baseline: Option<PathBuf>,
    /// Keep suppressed/baselined findings in the outcome (marked) instead of dropping them.
    pub include_suppressed: bool,
    /// Worker threads (`None`: one per core).
    pub threads: Option<usize>,
    /// Record per-file read/extract times too (`--timings`); stage times are always kept.
    pub timings: bool,
    /// Parse every fn body up front instead of only those a rule can need (the findings are
    /// the same; this is the reference the lazy mode is tested against). The environment
    /// variable `SSOT_EAGER_BODIES=1` does the same for the command line.
    pub eager_bodies: bool,
    /// With lazy bodies: parse every fn body anyway when the unparsed ones total at most
    /// this many bytes, so syntax errors inside them are reported (0: never). The command
    /// line uses [`SMALL_TREE_BODY_BYTES`].
    pub parse_all_bodies_up_to: usize,
    /// Where per-file facts are cached between runs.
    pub cache: CacheSetting,
}

/// Where per-file facts are cached between runs (see `facts::cache`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum CacheSetting {
    /// No cache: the library default (nothing is written next to the analysed code).
    #[default]
    Off,
    /// `target/ssot/` under the (first) workspace root: the command line's default.
    Workspace,
    /// This directory.
    Dir(PathBuf),
}

impl Options {
    /// Whether fn bodies are parsed lazily: unless `eager_bodies` or `SSOT_EAGER_BODIES=1`.
    pub fn lazy_bodies(&self) -> bool {
        !(self.eager_bodies
            || std::env::var_os("SSOT_EAGER_BODIES").is_some_and(|v| !v.is_empty() && v != "0"))
    }
}

impl CacheSetting {
    /// The cache directory this setting names for a workspace (`None`: no cache).
    pub fn dir(
        &self,
        start_dir: &std::path::Path,
        discovery: &workspace::Discovery,
    ) -> Option<PathBuf> {
        match self {
            CacheSetting::Off => None,
            CacheSetting::Workspace => Some(facts::cache::default_dir(&discovery.config_dir)),
            CacheSetting::Dir(dir) => Some(start_dir.join(dir)),
        }
    }
}

/// The result of one analysis.
#[derive(Debug)]
pub struct Outcome {
    pub index: index::Index,
    pub config: config::Config,
    /// Sorted by file, position, rule. Suppressed ones only when asked for.
    pub findings: Vec<finding::Finding>,
    /// Baseline entries that no longer match anything (the baseline can shrink).
    pub stale_baseline: Vec<filter::baseline::StaleEntry>,
    /// Where the time went (`report` is left for the caller that renders).
    pub timings: timings::Timings,
}

impl Outcome {
    /// Findings that count (not suppressed).
    pub fn active(&self) -> impl Iterator<Item = &finding::Finding> {
        self.findings.iter().filter(|f| f.suppressed.is_none())
    }
}

/// Texts are read again from disk when needed (see `source::SourceFile`): read those of
/// every file a report shows now, so a file that changed while it was analysed is reported
/// as a problem rather than shown at wrong positions.
fn report_changed_files(index: &mut index::Index, findings: &[finding::Finding]) {
    let mut shown = std::collections::BTreeSet::new();
    for f in findings {
        shown.insert(f.file);
        shown.extend(f.related.iter().map(|r| r.file));
        shown.extend(
            f.fix
                .iter()
                .flat_map(|fix| fix.edits.iter().map(|e| e.file)),
        );
    }
    for id in shown {
        if let Some(file) = index.files.get(id.0 as usize) {
            file.source.text();
        }
    }
    let changed: Vec<index::InputProblem> = index
        .file_ids()
        .filter_map(|id| {
            let source = &index.file(id).source;
            let why = source.reload_problem()?;
            Some(index::InputProblem {
                path: source.rel_path.clone(),
                file: Some(id),
                problem: facts::Problem {
                    kind: facts::ProblemKind::Unreadable,
                    message: why.to_string(),
                    span: None,
                },
            })
        })
        .collect();
    index.problems.extend(changed);
}

/// Run the whole pipeline. Errors are what stops the tool from doing its job (exit 2):
/// no workspace, a bad config. Bad source files are never errors: they become problems in
/// the index and every other file is still analysed.
pub fn analyze(options: &Options) -> miette::Result<Outcome> {
    let mut clock = timings::StageClock::start();
    let discovery = workspace::discover::discover(&options.start_dir)?;
    let discover = clock.lap();
    let mut outcome = analyze_discovered(options, &discovery)?;
    outcome.timings.discover = discover;
    Ok(outcome)
}

/// [`analyze`] after discovery, for a caller that ran it already (the command line looks
/// at the workspace before it decides whether to analyse it; see `replay`).
/// `timings.discover` is left for that caller.
pub fn analyze_discovered(
    options: &Options,
    discovery: &workspace::Discovery,
) -> miette::Result<Outcome> {
    let mut clock = timings::StageClock::start();
    let mut timings = timings::Timings::default();
    let config = config::load::load(options.config_path.as_deref(), discovery)?;
    timings.config = clock.lap();
    let lazy_bodies = options.lazy_bodies();
    let mut notes = Vec::new();
    // The cache holds lazy facts: an eager run (the reference) neither reads nor writes it.
    let cache_dir = lazy_bodies
        .then(|| options.cache.dir(&options.start_dir, discovery))
        .flatten();
    let cache = cache_dir.and_then(|dir| match facts::cache::FactsCache::open(&dir) {
        Ok(cache) => Some(std::sync::Arc::new(cache)),
        Err(note) => {
            notes.push(note);
            None
        }
    });
    let load = workspace::LoadOptions {
        threads: options.threads,
        lazy_bodies,
        cache: cache.clone(),
    };
    let load_clock = timings::LoadClock::new(options.timings);
    let (mut index, workers) =
        workspace::module_tree::load_timed(discovery, &config, &load, &load_clock);
    timings.load = clock.lap();
    timings.load_work = load_clock.work(workers);
    index.parse_all_bodies_up_to = options.parse_all_bodies_up_to;
    timings.index_work = index::build::complete_timed(&mut index, &config);
    if let Some(cache) = &cache {
        let files = index
            .files
            .iter()
            .filter(|f| matches!(f.role, index::FileRole::Module { .. }))
            .map(|f| (f.source.hash, &f.facts));
        index.summary.cache = Some(cache.store_hashed(files));
        notes.extend(cache.note());
    }
    index.summary.notes.extend(notes);
    timings.index = clock.lap();
    let findings = rules::run_all(&index, &config);
    timings.rules = clock.lap();
    let filtered = filter::apply(&index, &config, findings, options)?;
    report_changed_files(&mut index, &filtered.findings);
    timings.filter = clock.lap();
    Ok(Outcome {
        index,
        config,
        findings: filtered.findings,
        stale_baseline: filtered.stale_baseline,
        timings,
    })
}
