//! Baselines for phased migration: counts per file, rule and item path (never lines).
//!
//! `--write-baseline FILE` records how many findings each (file, rule, item path) has
//! today; `--baseline FILE` then hides up to that many per key and reports the rest, so
//! code can move around freely while new violations still show. Entries whose findings
//! went away are reported as stale so the baseline only shrinks. File paths in the
//! baseline are relative to the baseline file's own directory, so it works wherever the
//! tool is started from.

use crate::config::load::{absolute, display_path};
use crate::finding::{Finding, Suppressed};
use crate::index::Index;
use crate::source::{FileId, LineIndex};
use miette::{LabeledSpan, MietteDiagnostic, NamedSource};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The format version this build reads and writes.
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct StaleEntry {
    pub file: String,
    pub rule: String,
    pub item_path: String,
    /// How many findings the baseline allows that no longer exist.
    pub unused: usize,
}

/// One line of the baseline file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Relative to the baseline file's directory, `/`-separated.
    pub file: String,
    /// Rule id without `ssot::`.
    pub rule: String,
    pub item_path: String,
    pub count: usize,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    version: u32,
    entries: Vec<Entry>,
}

type Key = (String, String, String);

/// A baseline read from disk.
#[derive(Debug, Clone)]
pub struct Baseline {
    /// Directory the entries' file paths are relative to.
    dir: PathBuf,
    counts: BTreeMap<Key, usize>,
}

impl Baseline {
    /// Read `path`; a missing or malformed file is an error (exit 2): running without the
    /// baseline that was asked for would report everything as new.
    pub fn read(path: &Path) -> miette::Result<Baseline> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            miette::miette!(
                help = format!(
                    "create it with `cargo ssot check --write-baseline {}`",
                    path.display()
                ),
                "cannot read the baseline file `{}`: {e}",
                path.display()
            )
        })?;
        let file: BaselineFile = serde_json::from_str(&text).map_err(|e| {
            let lines = LineIndex::new(&text);
            let line0 = e.line().saturating_sub(1);
            let offset = lines.line_start(line0) as usize + e.column().saturating_sub(1);
            let offset = offset.min(text.len());
            let diagnostic = MietteDiagnostic::new(format!(
                "the baseline file `{}` is not a valid cargo-ssot baseline: {e}",
                path.display()
            ))
            .with_label(LabeledSpan::at_offset(offset, "here"))
            .with_help("regenerate it with `cargo ssot check --write-baseline FILE`");
            miette::Report::new(diagnostic)
                .with_source_code(NamedSource::new(path.display().to_string(), text.clone()))
        })?;
        if file.version != VERSION {
            return Err(miette::miette!(
                help = "regenerate it with this version's `--write-baseline`",
                "the baseline file `{}` has version {}, this cargo-ssot reads version {VERSION}",
                path.display(),
                file.version
            ));
        }
        let mut counts = BTreeMap::new();
        for e in file.entries {
            *counts.entry((e.file, e.rule, e.item_path)).or_insert(0) += e.count;
        }
        Ok(Baseline {
            dir: baseline_dir(path),
            counts,
        })
    }

    /// The directory entry paths are relative to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Mark up to `count` active findings per key as [`Suppressed::Baseline`], in the
    /// order given (sort first, so which ones stay visible is deterministic), and return
    /// the entries that were not used up.
    pub fn apply(&self, index: &Index, findings: &mut [Finding]) -> Vec<StaleEntry> {
        let mut remaining = self.counts.clone();
        let mut paths = FilePaths::new(index, &self.dir);
        for finding in findings.iter_mut().filter(|f| f.suppressed.is_none()) {
            let key = (
                paths.get(finding.file),
                finding.rule.to_string(),
                finding.item_path.clone(),
            );
            if let Some(n) = remaining.get_mut(&key).filter(|n| **n > 0) {
                *n -= 1;
                finding.suppressed = Some(Suppressed::Baseline);
            }
        }
        remaining
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|((file, rule, item_path), unused)| StaleEntry {
                file,
                rule,
                item_path,
                unused,
            })
            .collect()
    }
}

/// Write the baseline for `findings` to `path`, atomically: a crash or error leaves the
/// previous file as it was. Findings suppressed by a comment are not recorded; findings
/// hidden by an earlier baseline are (so a baseline can be rewritten in place).
pub fn write_baseline(path: &Path, findings: &[Finding], index: &Index) -> miette::Result<()> {
    let text = render(&baseline_dir(path), findings, index);
    write_atomic(path, text.as_bytes(), |_| Ok(()))
        .map_err(|e| miette::miette!("cannot write the baseline file `{}`: {e}", path.display()))
}

/// The JSON text of a baseline for `findings`, entries sorted.
fn render(dir: &Path, findings: &[Finding], index: &Index) -> String {
    let mut paths = FilePaths::new(index, dir);
    let mut counts: BTreeMap<Key, usize> = BTreeMap::new();
    for f in findings {
        if matches!(f.suppressed, Some(Suppressed::Comment { .. })) {
            continue;
        }
        let key = (paths.get(f.file), f.rule.to_string(), f.item_path.clone());
        *counts.entry(key).or_insert(0) += 1;
    }
    let file = BaselineFile {
        version: VERSION,
        entries: counts
            .into_iter()
            .map(|((file, rule, item_path), count)| Entry {
                file,
                rule,
                item_path,
                count,
            })
            .collect(),
    };
    // Serializing plain strings and numbers cannot fail.
    let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
    text.push('\n');
    text
}

fn baseline_dir(path: &Path) -> PathBuf {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    absolute(parent)
}

/// Each file's path relative to the baseline directory, computed once per file.
struct FilePaths<'a> {
    index: &'a Index,
    dir: &'a Path,
    cache: HashMap<FileId, String>,
}

impl<'a> FilePaths<'a> {
    fn new(index: &'a Index, dir: &'a Path) -> Self {
        FilePaths {
            index,
            dir,
            cache: HashMap::new(),
        }
    }
    fn get(&mut self, file: FileId) -> String {
        let (index, dir) = (self.index, self.dir);
        self.cache
            .entry(file)
            .or_insert_with(|| {
                let path = &index.file(file).source.path;
                display_path(&index.root.join(path), dir)
            })
            .clone()
    }
}

/// Write `bytes` to a temporary file next to `path`, flush it to disk, then rename it over
/// `path` (atomic on the same file system). `before_rename` runs between the two (tests use
/// it to simulate a crash); on any error the temporary file is removed and `path` is untouched.
pub(crate) fn write_atomic(
    path: &Path,
    bytes: &[u8],
    before_rename: impl FnOnce(&Path) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "baseline".into());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        before_rename(&tmp)?;
        std::fs::rename(&tmp, path)?;
        // Make the rename itself durable; not every platform can sync a directory.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::FileFacts;
    use crate::finding::Level;
    use crate::index::{CrateId, FileRole, IndexedFile, ModuleId};
    use crate::source::{SourceFile, Span};

    fn at(lo: usize) -> Span {
        Span::new(lo, lo + 1)
    }

    fn index_in(dir: &Path, files: &[&str]) -> Index {
        let mut index = Index {
            root: dir.to_path_buf(),
            ..Index::default()
        };
        for name in files {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "").unwrap();
            index.files.push(IndexedFile {
                source: SourceFile::new(path, name.to_string(), "".into()),
                facts: FileFacts::default(),
                role: FileRole::Module {
                    krate: CrateId(0),
                    module: ModuleId(0),
                },
                in_test: false,
            });
        }
        index
    }

    fn finding(file: u32, lo: usize, rule: &'static str, item: &str) -> Finding {
        Finding::new(rule, Level::Error, FileId(file), at(lo), "m").item_path(item)
    }

    fn baselined(findings: &[Finding]) -> Vec<bool> {
        findings
            .iter()
            .map(|f| f.suppressed == Some(Suppressed::Baseline))
            .collect()
    }

    #[test]
    fn writes_counts_per_file_rule_and_item_sorted() {
        let dir = tempfile::tempdir().unwrap();
        let index = index_in(dir.path(), &["src/b.rs", "src/a.rs"]);
        let mut suppressed = finding(1, 9, "singleton-manager", "a::Z");
        suppressed.suppressed = Some(Suppressed::Comment { reason: "r".into() });
        let findings = vec![
            finding(0, 1, "singleton-manager", "b::X"),
            finding(1, 5, "global-registry", "a::Y"),
            finding(1, 7, "global-registry", "a::Y"),
            suppressed,
        ];
        let path = dir.path().join("ssot-baseline.json");
        write_baseline(&path, &findings, &index).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let file: BaselineFile = serde_json::from_str(&text).unwrap();
        assert_eq!(file.version, 1);
        assert_eq!(
            file.entries,
            [
                Entry {
                    file: "src/a.rs".into(),
                    rule: "global-registry".into(),
                    item_path: "a::Y".into(),
                    count: 2
                },
                Entry {
                    file: "src/b.rs".into(),
                    rule: "singleton-manager".into(),
                    item_path: "b::X".into(),
                    count: 1
                },
            ]
        );
        assert!(text.ends_with("}\n"));
    }

    #[test]
    fn findings_that_move_stay_baselined_and_new_ones_show() {
        let dir = tempfile::tempdir().unwrap();
        let index = index_in(dir.path(), &["src/a.rs"]);
        let path = dir.path().join("baseline.json");
        write_baseline(
            &path,
            &[
                finding(0, 10, "global-registry", "a::Y"),
                finding(0, 20, "singleton-manager", "a::X"),
            ],
            &index,
        )
        .unwrap();
        let baseline = Baseline::read(&path).unwrap();

        // Lines were inserted above both: the spans moved, the keys did not.
        let mut moved = vec![
            finding(0, 110, "global-registry", "a::Y"),
            finding(0, 120, "singleton-manager", "a::X"),
        ];
        assert!(baseline.apply(&index, &mut moved).is_empty());
        assert_eq!(baselined(&moved), [true, true]);

        // A second finding with a baselined key exceeds the count and is reported.
        let mut more = vec![
            finding(0, 10, "global-registry", "a::Y"),
            finding(0, 15, "global-registry", "a::Y"),
            finding(0, 20, "singleton-manager", "a::X"),
        ];
        assert!(baseline.apply(&index, &mut more).is_empty());
        assert_eq!(baselined(&more), [true, false, true]);
    }

    #[test]
    fn fixed_findings_make_their_entry_stale() {
        let dir = tempfile::tempdir().unwrap();
        let index = index_in(dir.path(), &["src/a.rs"]);
        let path = dir.path().join("baseline.json");
        write_baseline(
            &path,
            &[
                finding(0, 10, "global-registry", "a::Y"),
                finding(0, 11, "global-registry", "a::Y"),
                finding(0, 20, "singleton-manager", "a::X"),
            ],
            &index,
        )
        .unwrap();
        let baseline = Baseline::read(&path).unwrap();
        let mut now = vec![finding(0, 10, "global-registry", "a::Y")];
        let stale = baseline.apply(&index, &mut now);
        assert_eq!(
            stale,
            [
                StaleEntry {
                    file: "src/a.rs".into(),
                    rule: "global-registry".into(),
                    item_path: "a::Y".into(),
                    unused: 1
                },
                StaleEntry {
                    file: "src/a.rs".into(),
                    rule: "singleton-manager".into(),
                    item_path: "a::X".into(),
                    unused: 1
                },
            ]
        );
    }

    #[test]
    fn keys_are_relative_to_the_baseline_file_not_the_start_dir() {
        let dir = tempfile::tempdir().unwrap();
        let index = index_in(dir.path(), &["crates/core/src/a.rs"]);
        std::fs::create_dir_all(dir.path().join("ci")).unwrap();
        let path = dir.path().join("ci/baseline.json");
        write_baseline(&path, &[finding(0, 1, "global-registry", "a::Y")], &index).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"../crates/core/src/a.rs\""), "{text}");
    }

    #[test]
    fn an_interrupted_write_leaves_the_old_baseline() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("baseline.json");
        std::fs::write(&path, "old").unwrap();
        let err = write_atomic(&path, b"new", |tmp| {
            assert_eq!(std::fs::read(tmp).unwrap(), b"new");
            Err(std::io::Error::other("simulated crash"))
        });
        assert!(err.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "temporary file removed");

        write_atomic(&path, b"new", |_| Ok(())).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    }

    #[test]
    fn missing_or_corrupt_baselines_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.json");
        let err = Baseline::read(&missing).unwrap_err();
        assert!(err.to_string().contains("nope.json"), "{err}");
        assert!(err.help().unwrap().to_string().contains("--write-baseline"));

        let corrupt = dir.path().join("bad.json");
        std::fs::write(
            &corrupt,
            "{ \"version\": 1, \"entries\": [ { \"file\": 3 } ] }",
        )
        .unwrap();
        let err = Baseline::read(&corrupt).unwrap_err();
        assert!(
            err.to_string().contains("not a valid cargo-ssot baseline"),
            "{err}"
        );
        assert!(err.labels().is_some());

        let future = dir.path().join("v2.json");
        std::fs::write(&future, "{ \"version\": 2, \"entries\": [] }").unwrap();
        let err = Baseline::read(&future).unwrap_err();
        assert!(err.to_string().contains("version 2"), "{err}");
    }
}
