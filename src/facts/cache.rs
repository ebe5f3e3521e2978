//! A cache of per-file facts on disk, so a re-run parses only files that changed.
//!
//! One entry per distinct file content, named by the content's hash, in a directory per
//! build of the tool (`<dir>/<build>/`; the build key identifies the running executable, so
//! a rebuilt or upgraded tool never reads entries written by another). Facts depend on
//! nothing but the text (config and the rest of the workspace only decide which lazy
//! bodies get parsed, and an entry keeps every body parsed so far), so the config is not
//! part of the key: changing it costs no re-parse.
//!
//! An entry is `magic, build key, content hash, payload length, payload checksum,
//! payload` (the payload is the postcard encoding of [`FileFacts`]). It is written to a
//! temporary file and renamed into place, so readers see a whole entry or none, and two
//! runs writing the same entry both leave a valid one. Anything that does not check out
//! (another build, a truncated or corrupt file, a payload that does not decode) is a miss:
//! the file is parsed again and the entry rewritten. A directory that cannot be written
//! turns the cache off for the run, with a note.

use super::FileFacts;
use std::collections::{HashMap, HashSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use xxhash_rust::xxh3::{xxh3_128, xxh3_64};

const MAGIC: &[u8; 8] = b"SSOTFCT1";
const HEADER_LEN: usize = 8 + 8 + 16 + 8 + 8;

/// The default cache directory of a workspace.
pub fn default_dir(workspace_root: &Path) -> PathBuf {
    workspace_root.join("target").join("ssot")
}

/// Content hash of a file's text (its cache key).
pub fn content_hash(text: &str) -> u128 {
    content_hash_bytes(text.as_bytes())
}

/// [`content_hash`] of raw bytes (a file read again, before its UTF-8 check).
pub fn content_hash_bytes(bytes: &[u8]) -> u128 {
    xxh3_128(bytes)
}

pub struct FactsCache {
    /// `<dir>/<build>`.
    dir: PathBuf,
    build: u64,
    /// What each looked-up content hash had in the cache: `Some(lazy bodies left)` for a
    /// hit, `None` for a miss. Decides which entries need writing afterwards.
    seen: Mutex<HashMap<u128, Option<usize>>>,
    disabled: AtomicBool,
    note: Mutex<Option<String>>,
    hits: AtomicU64,
    misses: AtomicU64,
    temp_counter: AtomicU64,
}

impl std::fmt::Debug for FactsCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FactsCache")
            .field("dir", &self.dir)
            .field("hits", &self.hits.load(Ordering::Relaxed))
            .field("misses", &self.misses.load(Ordering::Relaxed))
            .finish()
    }
}

/// How the cache did in one run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    pub hits: u64,
    pub misses: u64,
    pub written: u64,
}

impl FactsCache {
    /// Open (creating it if needed) the cache under `dir`. `Err` is a note for the user:
    /// the run goes on without a cache.
    pub fn open(dir: &Path) -> Result<FactsCache, String> {
        let build = build_key()
            .ok_or_else(|| "cache disabled: cannot identify the running executable".to_string())?;
        FactsCache::open_with_build(dir, build)
    }

    /// [`FactsCache::open`] with an explicit build key (tests).
    pub fn open_with_build(dir: &Path, build: u64) -> Result<FactsCache, String> {
        let dir = dir.join(format!("{build:016x}"));
        std::fs::create_dir_all(&dir).map_err(|e| {
            format!(
                "cache disabled: cannot create `{}`: {e} (use --cache-dir or --no-cache)",
                dir.display()
            )
        })?;
        Ok(FactsCache {
            dir,
            build,
            seen: Mutex::new(HashMap::new()),
            disabled: AtomicBool::new(false),
            note: Mutex::new(None),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            temp_counter: AtomicU64::new(0),
        })
    }

    /// The facts cached for this text, if a valid entry holds them.
    pub fn get(&self, text: &str) -> Option<FileFacts> {
        self.get_hashed(content_hash(text))
    }

    /// [`FactsCache::get`] by the text's [`content_hash`].
    pub fn get_hashed(&self, hash: u128) -> Option<FileFacts> {
        let facts = self.read_entry(hash);
        if let Ok(mut seen) = self.seen.lock() {
            seen.insert(hash, facts.as_ref().map(|f| f.lazy_bodies.len()));
        }
        match &facts {
            Some(_) => self.hits.fetch_add(1, Ordering::Relaxed),
            None => self.misses.fetch_add(1, Ordering::Relaxed),
        };
        facts
    }

    fn entry_path(&self, hash: u128) -> PathBuf {
        self.dir.join(format!("{hash:032x}.bin"))
    }

    fn read_entry(&self, hash: u128) -> Option<FileFacts> {
        let bytes = std::fs::read(self.entry_path(hash)).ok()?;
        decode_entry(&bytes, self.build, hash)
    }

    /// Write the entries this run learned something new for: files that missed, and files
    /// whose lazy bodies were parsed since their entry was written. `files` gives each
    /// file's text and its facts now; the same content twice is written once. Then drop
    /// the entries no file of this run uses.
    pub fn store<'a>(&self, files: impl Iterator<Item = (&'a str, &'a FileFacts)>) -> CacheStats {
        self.store_hashed(files.map(|(text, facts)| (content_hash(text), facts)))
    }

    /// [`FactsCache::store`] with each file's text given by its [`content_hash`].
    pub fn store_hashed<'a>(
        &self,
        files: impl Iterator<Item = (u128, &'a FileFacts)>,
    ) -> CacheStats {
        let mut stats = CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            written: 0,
        };
        let seen = match self.seen.lock() {
            Ok(seen) => seen.clone(),
            Err(_) => return stats,
        };
        let mut used = HashSet::new();
        for (hash, facts) in files {
            if !used.insert(hash) || self.disabled.load(Ordering::Relaxed) {
                continue;
            }
            let fresh = match seen.get(&hash) {
                Some(Some(lazy_before)) => facts.lazy_bodies.len() < *lazy_before,
                _ => true,
            };
            if fresh && self.write_entry(hash, facts) {
                stats.written += 1;
            }
        }
        if !self.disabled.load(Ordering::Relaxed) {
            self.prune(&used);
        }
        stats
    }

    fn write_entry(&self, hash: u128, facts: &FileFacts) -> bool {
        let Some(bytes) = encode_entry(facts, self.build, hash) else {
            return false;
        };
        let n = self.temp_counter.fetch_add(1, Ordering::Relaxed);
        let temp = self
            .dir
            .join(format!(".tmp-{}-{n}-{hash:032x}", std::process::id()));
        let written = std::fs::File::create(&temp)
            .and_then(|mut f| f.write_all(&bytes))
            .and_then(|()| std::fs::rename(&temp, self.entry_path(hash)));
        match written {
            Ok(()) => true,
            Err(e) => {
                let _ = std::fs::remove_file(&temp);
                self.disable(format!(
                    "cache disabled: cannot write to `{}`: {e} (use --cache-dir or --no-cache)",
                    self.dir.display()
                ));
                false
            }
        }
    }

    /// Remove entries (and temporary files of dead writers) this run did not use: the
    /// directory holds about one entry per file of the workspace, not its history.
    fn prune(&self, used: &HashSet<u128>) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let stale = match name.strip_suffix(".bin") {
                Some(hex) => u128::from_str_radix(hex, 16).is_ok_and(|h| !used.contains(&h)),
                // A writer that died mid-write; a live one renames within milliseconds.
                None => {
                    name.starts_with(".tmp-")
                        && entry
                            .metadata()
                            .and_then(|m| m.modified())
                            .is_ok_and(|t| t < old)
                }
            };
            if stale {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    fn disable(&self, note: String) {
        if !self.disabled.swap(true, Ordering::Relaxed) {
            if let Ok(mut n) = self.note.lock() {
                *n = Some(note);
            }
        }
    }

    /// Why the cache stopped working during the run, if it did.
    pub fn note(&self) -> Option<String> {
        self.note.lock().ok().and_then(|n| n.clone())
    }
}

fn encode_entry(facts: &FileFacts, build: u64, hash: u128) -> Option<Vec<u8>> {
    let payload = postcard::to_allocvec(facts).ok()?;
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&build.to_le_bytes());
    out.extend_from_slice(&hash.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&xxh3_64(&payload).to_le_bytes());
    out.extend_from_slice(&payload);
    Some(out)
}

fn decode_entry(bytes: &[u8], build: u64, hash: u128) -> Option<FileFacts> {
    let header = bytes.get(..HEADER_LEN)?;
    let payload = bytes.get(HEADER_LEN..)?;
    let u64_at = |i: usize| -> Option<u64> {
        Some(u64::from_le_bytes(header.get(i..i + 8)?.try_into().ok()?))
    };
    let stored_hash = u128::from_le_bytes(header.get(16..32)?.try_into().ok()?);
    let valid = header.get(..8) == Some(MAGIC.as_slice())
        && u64_at(8)? == build
        && stored_hash == hash
        && u64_at(32)? == payload.len() as u64
        && u64_at(40)? == xxh3_64(payload);
    if !valid {
        return None;
    }
    postcard::from_bytes(payload).ok()
}

/// Identifies the build of the running tool: its version and its executable's size and
/// modification time (a rebuild or an upgrade changes them; reading the whole executable
/// would cost more than a warm run).
pub fn build_key() -> Option<u64> {
    let exe = std::env::current_exe().ok()?;
    let meta = std::fs::metadata(exe).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    let key = format!(
        "{} {} {}.{}",
        env!("CARGO_PKG_VERSION"),
        meta.len(),
        modified.as_secs(),
        modified.subsec_nanos()
    );
    Some(xxh3_64(key.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (String, FileFacts) {
        let text = "use a::B; pub static X: Lazy<Mutex<M>> = Lazy::new(M::new); fn f() { B::g() }"
            .to_string();
        let facts = super::super::extract::extract_file_lazy(&text);
        (text, facts)
    }

    #[test]
    fn an_entry_round_trips_and_anything_else_is_a_miss() {
        let (text, facts) = sample();
        let hash = content_hash(&text);
        let bytes = encode_entry(&facts, 7, hash).unwrap();
        let back = decode_entry(&bytes, 7, hash).unwrap();
        assert_eq!(
            serde_json::to_value(&back).unwrap(),
            serde_json::to_value(&facts).unwrap()
        );
        // Another build, another content, a truncated entry, a flipped payload byte.
        assert!(decode_entry(&bytes, 8, hash).is_none());
        assert!(decode_entry(&bytes, 7, hash ^ 1).is_none());
        for cut in [0, 10, HEADER_LEN, bytes.len() - 1] {
            assert!(
                decode_entry(&bytes[..cut], 7, hash).is_none(),
                "cut at {cut}"
            );
        }
        let mut flipped = bytes.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0x40;
        assert!(decode_entry(&flipped, 7, hash).is_none());
    }

    #[test]
    fn store_then_get_and_corrupt_entries_are_discarded() {
        let dir = tempfile::tempdir().unwrap();
        let (text, facts) = sample();
        let cache = FactsCache::open_with_build(dir.path(), 1).unwrap();
        assert!(cache.get(&text).is_none());
        let stats = cache.store([(text.as_str(), &facts)].into_iter());
        assert_eq!(stats.written, 1);

        let again = FactsCache::open_with_build(dir.path(), 1).unwrap();
        assert!(again.get(&text).is_some());
        // A hit with nothing new is not rewritten.
        assert_eq!(
            again.store([(text.as_str(), &facts)].into_iter()).written,
            0
        );

        // Corrupt the entry on disk: it is a miss, and rewritten.
        let path = again.entry_path(content_hash(&text));
        let mut bytes = std::fs::read(&path).unwrap();
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0xff;
        std::fs::write(&path, &bytes).unwrap();
        let third = FactsCache::open_with_build(dir.path(), 1).unwrap();
        assert!(third.get(&text).is_none());
        assert_eq!(
            third.store([(text.as_str(), &facts)].into_iter()).written,
            1
        );
        assert!(FactsCache::open_with_build(dir.path(), 1)
            .unwrap()
            .get(&text)
            .is_some());
    }

    #[test]
    fn unused_entries_are_pruned() {
        let dir = tempfile::tempdir().unwrap();
        let (text, facts) = sample();
        let cache = FactsCache::open_with_build(dir.path(), 1).unwrap();
        cache.store([(text.as_str(), &facts)].into_iter());
        let other = "fn other() {}".to_string();
        let other_facts = super::super::extract::extract_file_lazy(&other);
        let cache = FactsCache::open_with_build(dir.path(), 1).unwrap();
        cache.store([(other.as_str(), &other_facts)].into_iter());
        let cache = FactsCache::open_with_build(dir.path(), 1).unwrap();
        assert!(cache.get(&text).is_none());
        assert!(cache.get(&other).is_some());
    }

    #[test]
    fn concurrent_writers_leave_valid_entries() {
        let dir = tempfile::tempdir().unwrap();
        let texts: Vec<String> = (0..20)
            .map(|i| format!("pub struct S{i}; fn f{i}() {{ S{i}::new() }}"))
            .collect();
        let facts: Vec<FileFacts> = texts
            .iter()
            .map(|t| super::super::extract::extract_file_lazy(t))
            .collect();
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..5 {
                        let cache = FactsCache::open_with_build(dir.path(), 1).unwrap();
                        for t in &texts {
                            cache.get(t);
                        }
                        cache.store(texts.iter().map(String::as_str).zip(facts.iter()));
                    }
                });
            }
        });
        let cache = FactsCache::open_with_build(dir.path(), 1).unwrap();
        for t in &texts {
            assert!(cache.get(t).is_some(), "{t}");
        }
    }

    #[test]
    fn an_unwritable_directory_is_a_note_not_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-dir");
        std::fs::write(&file, "x").unwrap();
        let err = FactsCache::open_with_build(&file, 1).unwrap_err();
        assert!(err.contains("cache disabled"), "{err}");
    }
}
