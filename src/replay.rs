//! Replaying a whole run when nothing it read has changed.
//!
//! The facts cache (`facts::cache`) saves the parsing of unchanged files, but a run still
//! decodes every file's facts, rebuilds the module tree and runs the index and the rules.
//! When none of the inputs changed, the result cannot have changed either: this cache keeps
//! what the last run printed, with a record of everything it read, and prints it again after
//! checking that record — a re-run with nothing changed costs discovery, reading and
//! hashing the files, and one directory walk.
//!
//! An entry is keyed by the build of the tool (the facts cache's build directory) and by
//! every option that shapes the output (the command line passes them as text: format,
//! report paths, output file, color, config and baseline paths …); threads and `--timings`
//! do not, the output being deterministic. The entry records the inputs:
//! - the discovery result (crates, targets, dependencies, manifest problems) and the content
//!   of every manifest it names;
//! - the config as loaded (its file and text, and today's date, which deprecation deadlines
//!   are measured against);
//! - the content of every file the run analysed (module files, `#[path]` and `include!`
//!   targets, wherever they are), of every file it failed to read, and of the baseline;
//! - the paths it looked for and did not find (a missing `mod x;` file);
//! - every `.rs` path under the workspace roots, walked as the unreachable-file scan walks
//!   (a new file there is a new unreachable file, or a module that now resolves).
//!
//! On any difference, or an entry that is missing, corrupt, or written by another build,
//! the run is analysed as usual (with the facts cache, so one changed file costs about one
//! file's parse) and the entry rewritten. Entries are written to a temporary file and
//! renamed into place, so concurrent runs see a whole entry or none; a write that fails
//! leaves the run's result alone. A few recent entries (one per option set) are kept.
//!
//! Not for runs with side effects or outside input (`--fix`, `--diff`, `--with-check`,
//! `--write-baseline`), nor for `SSOT_EAGER_BODIES` (the reference mode): the command line
//! decides, see `cli.rs`.

use crate::facts::ProblemKind;
use crate::index::{FileRole, Index};
use crate::workspace::module_tree::MAX_FILE_BYTES;
use crate::workspace::{normalize, Discovery};
use crate::{Options, Outcome};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};
use xxhash_rust::xxh3::{xxh3_128, xxh3_64, Xxh3};

const MAGIC: &[u8; 8] = b"SSOTRUN1";
const HEADER_LEN: usize = 8 + 8 + 16 + 8 + 8;
/// Entries kept per build: one per set of options, the most recently used.
const KEEP_ENTRIES: usize = 8;

/// What a run printed and returned: a hit reproduces it byte for byte.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunResult {
    /// The report, as written to stdout or to the `--output` file.
    pub report: Vec<u8>,
    /// Lines on stderr that belong to the result (not the notes about the run itself).
    pub stderr: Vec<u8>,
    pub exit_code: i32,
}

/// Everything a run read that could change its result, as fingerprints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Inputs {
    discovery: u128,
    config: u128,
    /// Absolute (or cwd-relative, for `--baseline`) path → content fingerprint.
    files: Vec<(String, u128)>,
    not_found: Vec<String>,
    /// The `.rs` paths under the workspace roots.
    rs_paths: u128,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    inputs: Inputs,
    result: RunResult,
}

/// The walk of `.rs` paths, taken before the analysis: a file added while it runs then
/// shows up as a difference on the next run instead of being missed.
#[derive(Debug, Clone, Copy)]
pub struct Snapshot {
    rs_paths: u128,
    taken_in: Duration,
}

/// Why a run was not replayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Miss {
    /// No valid entry for these options and this build (first run, or corrupt).
    NoEntry,
    Discovery,
    Config,
    File,
    NotFoundNowExists,
    RsPaths,
}

impl Miss {
    pub fn describe(self) -> &'static str {
        match self {
            Miss::NoEntry => "no entry for these options",
            Miss::Discovery => "the workspace layout or a manifest changed",
            Miss::Config => "the config changed",
            Miss::File => "a file changed",
            Miss::NotFoundNowExists => "a module file that was missing exists now",
            Miss::RsPaths => "the set of .rs files changed",
        }
    }
}

/// What a hit cost.
#[derive(Debug, Clone, Copy, Default)]
pub struct HitStats {
    pub files: usize,
    pub bytes: u64,
    pub checked_in: Duration,
}

impl HitStats {
    /// The `--timings` table of a replayed run, in the shape of `Timings`' table.
    pub fn timings_table(&self, discover: Duration, report: Duration) -> String {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let row = |name: &str, d: Duration, note: &str| {
            format!("  {name:<10} {:>9.1}  {note}", ms(d))
                .trim_end()
                .to_string()
                + "\n"
        };
        let checked = format!(
            "result replayed: {} files ({:.1} MiB) and the .rs paths unchanged",
            self.files,
            self.bytes as f64 / (1024.0 * 1024.0)
        );
        let mut out = String::from("ssot: timings (wall ms)\n");
        out += &row("discover", discover, "manifests, crates");
        out += &row("replay", self.checked_in, &checked);
        out += &row("report", report, "");
        out += &row("total", discover + self.checked_in + report, "");
        out
    }
}

/// The replay entries of one build, for one set of options.
#[derive(Debug)]
pub struct ReplayCache {
    /// `<cache dir>/<build>/replay`.
    dir: PathBuf,
    build: u64,
    key: u128,
}

impl ReplayCache {
    /// The cache for runs with these options (`options_key`: every option that shapes the
    /// output, spelled out by the caller). `None` when the build cannot be identified or
    /// the directory cannot be created: the run simply is not replayed.
    pub fn open(cache_dir: &Path, options_key: &str) -> Option<ReplayCache> {
        let build = crate::facts::cache::build_key()?;
        ReplayCache::open_with_build(cache_dir, options_key, build)
    }

    /// [`ReplayCache::open`] with an explicit build key (tests).
    pub fn open_with_build(cache_dir: &Path, options_key: &str, build: u64) -> Option<Self> {
        let dir = cache_dir.join(format!("{build:016x}")).join("replay");
        std::fs::create_dir_all(&dir).ok()?;
        Some(ReplayCache {
            dir,
            build,
            key: xxh3_128(options_key.as_bytes()),
        })
    }

    fn entry_path(&self) -> PathBuf {
        self.dir.join(format!("{:032x}.run", self.key))
    }

    /// The stored result, if the entry is valid and nothing it records has changed.
    pub fn lookup(
        &self,
        options: &Options,
        discovery: &Discovery,
    ) -> Result<(RunResult, HitStats), Miss> {
        let started = Instant::now();
        let bytes = std::fs::read(self.entry_path()).map_err(|_| Miss::NoEntry)?;
        let entry = decode(&bytes, self.build, self.key).ok_or(Miss::NoEntry)?;
        let inputs = &entry.inputs;
        if inputs.discovery != discovery_fingerprint(discovery) {
            return Err(Miss::Discovery);
        }
        // A config that no longer loads is a miss: the analysis reports it properly.
        let config = crate::config::load::load(options.config_path.as_deref(), discovery)
            .map_err(|_| Miss::Config)?;
        if inputs.config != config_fingerprint(&config) {
            return Err(Miss::Config);
        }
        if inputs
            .not_found
            .par_iter()
            .any(|p| Path::new(p).symlink_metadata().is_ok())
        {
            return Err(Miss::NotFoundNowExists);
        }
        let bytes_read = AtomicU64::new(0);
        let (files_same, walk) = rayon::join(
            || {
                inputs.files.par_iter().all(|(path, recorded)| {
                    let (print, len) = fingerprint(Path::new(path));
                    bytes_read.fetch_add(len, Ordering::Relaxed);
                    print == *recorded
                })
            },
            || walk_rs_paths(discovery),
        );
        if !files_same {
            return Err(Miss::File);
        }
        if walk != inputs.rs_paths {
            return Err(Miss::RsPaths);
        }
        // Pruning keeps the most recently used entries.
        let _ = std::fs::File::options()
            .write(true)
            .open(self.entry_path())
            .and_then(|f| f.set_modified(SystemTime::now()));
        let stats = HitStats {
            files: inputs.files.len(),
            bytes: bytes_read.into_inner(),
            checked_in: started.elapsed(),
        };
        Ok((entry.result, stats))
    }

    /// Take what must be recorded before the analysis runs (see [`Snapshot`]).
    pub fn snapshot(&self, discovery: &Discovery) -> Snapshot {
        let started = Instant::now();
        Snapshot {
            rs_paths: walk_rs_paths(discovery),
            taken_in: started.elapsed(),
        }
    }

    /// Record this run's inputs and result. `Err` says why nothing was stored; the run's
    /// result stands either way.
    pub fn store(
        &self,
        snapshot: Snapshot,
        options: &Options,
        discovery: &Discovery,
        outcome: &Outcome,
        result: &RunResult,
    ) -> Result<Duration, String> {
        let started = Instant::now();
        let inputs = Inputs {
            discovery: discovery_fingerprint(discovery),
            config: config_fingerprint(&outcome.config),
            files: file_fingerprints(options, discovery, &outcome.index)?,
            not_found: outcome
                .index
                .summary
                .paths_not_found
                .iter()
                .map(|p| path_string(p))
                .collect::<Result<_, _>>()?,
            rs_paths: snapshot.rs_paths,
        };
        let entry = Entry {
            inputs,
            result: result.clone(),
        };
        let bytes = encode(&entry, self.build, self.key)?;
        let temp = self.dir.join(format!(
            ".tmp-{}-{:032x}-{}",
            std::process::id(),
            self.key,
            temp_suffix()
        ));
        let written = std::fs::File::create(&temp)
            .and_then(|mut f| f.write_all(&bytes))
            .and_then(|()| std::fs::rename(&temp, self.entry_path()));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&temp);
            return Err(format!("cannot write `{}`: {e}", self.dir.display()));
        }
        self.prune();
        Ok(started.elapsed() + snapshot.taken_in)
    }

    /// Keep the most recently written or replayed entries (and drop temporary files of
    /// writers that died).
    fn prune(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let hour_ago = SystemTime::now() - Duration::from_secs(3600);
        let own = self.entry_path();
        let mut runs = Vec::new();
        for entry in entries.flatten() {
            let modified = entry
                .metadata()
                .and_then(|m| m.modified())
                .unwrap_or(SystemTime::UNIX_EPOCH);
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.ends_with(".run") {
                if entry.path() != own {
                    runs.push((modified, entry.path()));
                }
            } else if name.starts_with(".tmp-") && modified < hour_ago {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        let others = KEEP_ENTRIES - 1;
        if runs.len() > others {
            runs.sort_by_key(|run| std::cmp::Reverse(run.0));
            for (_, path) in runs.drain(others..) {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

/// Unique per process and call, for temporary file names.
fn temp_suffix() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    COUNTER.fetch_add(1, Ordering::Relaxed)
}

fn path_string(path: &Path) -> Result<String, String> {
    path.to_str()
        .map(str::to_string)
        .ok_or_else(|| format!("`{}` is not UTF-8", path.display()))
}

/// Discovery is a function of the manifests and the directories that hold them; its whole
/// result stands for that (the manifests' own text is recorded with the files).
fn discovery_fingerprint(discovery: &Discovery) -> u128 {
    xxh3_128(format!("{discovery:?}").as_bytes())
}

fn config_fingerprint(config: &crate::config::Config) -> u128 {
    xxh3_128(format!("{:?} {:?}", config.file, config.today).as_bytes())
}

/// Every file whose content the run depended on, with its fingerprint: analysed files from
/// the text the run analysed (a change since shows as a difference next time), manifests,
/// files that could not be read, and the baseline from disk.
fn file_fingerprints(
    options: &Options,
    discovery: &Discovery,
    index: &Index,
) -> Result<Vec<(String, u128)>, String> {
    let mut files: BTreeMap<PathBuf, u128> = BTreeMap::new();
    for f in &index.files {
        if matches!(f.role, FileRole::Module { .. }) {
            // The hash of the analysed text, recorded at load (`xxh3_128` of its bytes).
            files.insert(f.source.path.clone(), f.source.hash);
        }
    }
    // A file the run could not read is fingerprinted only now: if it reads as source now, it
    // changed after the run tried, and an entry would pair its new content with the old
    // result.
    for p in &index.problems {
        let unread = matches!(
            p.problem.kind,
            ProblemKind::NotUtf8 | ProblemKind::TooLarge | ProblemKind::Unreadable
        );
        let path = normalize(&index.root.join(&p.path));
        if p.file.is_none() && unread && reads_as_source(&path) {
            return Err(format!("`{}` changed during the run", p.path));
        }
    }
    let mut on_disk: Vec<PathBuf> = Vec::new();
    on_disk.extend(
        discovery
            .workspace_roots
            .iter()
            .map(|r| r.join("Cargo.toml")),
    );
    on_disk.extend(discovery.packages.iter().map(|p| p.dir.join("Cargo.toml")));
    on_disk.extend(discovery.crates.iter().map(|c| c.manifest_path.clone()));
    on_disk.extend(
        index
            .problems
            .iter()
            .filter(|p| p.file.is_none())
            .map(|p| normalize(&index.root.join(&p.path))),
    );
    on_disk.extend(options.baseline.clone());
    on_disk.retain(|p| !files.contains_key(p));
    on_disk.sort();
    on_disk.dedup();
    let printed: Vec<(PathBuf, u128)> = on_disk
        .into_par_iter()
        .map(|p| {
            let (print, _) = fingerprint(&p);
            (p, print)
        })
        .collect();
    files.extend(printed);
    files
        .into_iter()
        .map(|(p, print)| Ok((path_string(&p)?, print)))
        .collect()
}

/// Whether the loader would read this file as source text now.
fn reads_as_source(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() <= MAX_FILE_BYTES)
        && std::fs::read(path).is_ok_and(|bytes| {
            bytes.len() as u64 <= MAX_FILE_BYTES && std::str::from_utf8(&bytes).is_ok()
        })
}

/// A file's content hash, or a marker for what stands in its place (nothing, a directory,
/// a file over the size limit, an error); and the bytes read.
fn fingerprint(path: &Path) -> (u128, u64) {
    let marker = |what: String| (xxh3_128(format!("\0{what}").as_bytes()), 0);
    match std::fs::metadata(path) {
        Err(e) => marker(format!("unreadable {:?}", e.kind())),
        Ok(m) if !m.is_file() => marker("not a file".into()),
        Ok(m) if m.len() > MAX_FILE_BYTES => marker(format!("too large {}", m.len())),
        Ok(_) => {
            // Bounded even if the file grows while it is read (as the loader reads).
            let mut bytes = Vec::new();
            let read = std::fs::File::open(path).and_then(|f| {
                use std::io::Read;
                f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)
            });
            match read {
                Ok(_) => (xxh3_128(&bytes), bytes.len() as u64),
                Err(e) => marker(format!("unreadable {:?}", e.kind())),
            }
        }
    }
}

/// Hash of every `.rs` path (and every walk error) under the workspace roots, walked the
/// way `module_tree::walk_for_unreachable` walks: symlinks followed while they stay inside
/// the root, build output, hidden directories and nested non-member projects skipped.
/// Unlike that walk it keeps the reached files too, so it is a superset of what it sees.
fn walk_rs_paths(discovery: &Discovery) -> u128 {
    let mut walked: HashSet<&Path> = HashSet::new();
    let roots: Vec<(usize, &Path)> = discovery
        .workspace_roots
        .iter()
        .map(PathBuf::as_path)
        .enumerate()
        .filter(|(_, root)| walked.insert(root))
        .collect();
    // Roots are walked in parallel (a tree of projects has many); combined in their order.
    let digests: Vec<u128> = roots
        .par_iter()
        .map(|&(w, root)| walk_root(discovery, w, root))
        .collect();
    let mut hasher = Xxh3::new();
    for digest in digests {
        hasher.update(&digest.to_le_bytes());
    }
    hasher.digest128()
}

fn walk_root(discovery: &Discovery, w: usize, root: &Path) -> u128 {
    let mut hasher = Xxh3::new();
    hasher.update(root.as_os_str().as_encoded_bytes());
    let members: HashSet<&Path> = discovery
        .packages
        .iter()
        .filter(|p| p.workspace == w as u32)
        .map(|p| p.dir.as_path())
        .collect();
    let walker = crate::workspace::walk_workspace(root, members);
    for entry in walker {
        match entry {
            Ok(e) => {
                let is_rs = e.file_name().as_encoded_bytes().ends_with(b".rs");
                if is_rs && e.file_type().is_file() {
                    hasher.update(b"\0");
                    hasher.update(e.path().as_os_str().as_encoded_bytes());
                }
            }
            Err(err) => hasher.update(format!("\0error {err}").as_bytes()),
        }
    }
    hasher.digest128()
}

fn encode(entry: &Entry, build: u64, key: u128) -> Result<Vec<u8>, String> {
    let payload = postcard::to_allocvec(entry).map_err(|e| format!("cannot encode: {e}"))?;
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&build.to_le_bytes());
    out.extend_from_slice(&key.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&xxh3_64(&payload).to_le_bytes());
    out.extend_from_slice(&payload);
    Ok(out)
}

/// The entry, if the bytes are a whole, intact entry of this build and key.
fn decode(bytes: &[u8], build: u64, key: u128) -> Option<Entry> {
    let header = bytes.get(..HEADER_LEN)?;
    let payload = bytes.get(HEADER_LEN..)?;
    let u64_at = |i: usize| -> Option<u64> {
        Some(u64::from_le_bytes(header.get(i..i + 8)?.try_into().ok()?))
    };
    let stored_key = u128::from_le_bytes(header.get(16..32)?.try_into().ok()?);
    let valid = header.get(..8) == Some(MAGIC.as_slice())
        && u64_at(8)? == build
        && stored_key == key
        && u64_at(32)? == payload.len() as u64
        && u64_at(40)? == xxh3_64(payload);
    if !valid {
        return None;
    }
    postcard::from_bytes(payload).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Entry {
        Entry {
            inputs: Inputs {
                discovery: 1,
                config: 2,
                files: vec![("/w/src/lib.rs".into(), 3)],
                not_found: vec!["/w/src/gone.rs".into()],
                rs_paths: 4,
            },
            result: RunResult {
                report: b"{}\n".to_vec(),
                stderr: Vec::new(),
                exit_code: 1,
            },
        }
    }

    #[test]
    fn an_entry_round_trips_and_anything_else_is_discarded() {
        let bytes = encode(&entry(), 7, 9).unwrap();
        let back = decode(&bytes, 7, 9).unwrap();
        assert_eq!(back.inputs, entry().inputs);
        assert_eq!(back.result, entry().result);
        assert!(decode(&bytes, 8, 9).is_none(), "another build");
        assert!(decode(&bytes, 7, 10).is_none(), "other options");
        for cut in [0, 10, HEADER_LEN, bytes.len() - 1] {
            assert!(decode(&bytes[..cut], 7, 9).is_none(), "cut at {cut}");
        }
        let mut flipped = bytes.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0x40;
        assert!(decode(&flipped, 7, 9).is_none());
    }

    #[test]
    fn fingerprints_tell_content_absence_and_directories_apart() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.rs");
        std::fs::write(&file, "fn a() {}").unwrap();
        let (first, len) = fingerprint(&file);
        assert_eq!(len, 9);
        assert_eq!(first, xxh3_128(b"fn a() {}"));
        std::fs::write(&file, "fn b() {}").unwrap();
        assert_ne!(fingerprint(&file).0, first);
        let missing = fingerprint(&dir.path().join("nope.rs")).0;
        assert_ne!(missing, fingerprint(dir.path()).0);
    }

    #[test]
    fn only_the_most_recent_entries_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..KEEP_ENTRIES + 3 {
            let cache = ReplayCache::open_with_build(dir.path(), &i.to_string(), 1).unwrap();
            std::fs::write(cache.entry_path(), b"x").unwrap();
            cache.prune();
        }
        let left = std::fs::read_dir(dir.path().join(format!("{:016x}", 1)).join("replay"))
            .unwrap()
            .count();
        assert_eq!(left, KEEP_ENTRIES);
    }
}
