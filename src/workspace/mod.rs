//! The workspace model: Cargo manifests, crates and their targets, and each crate's module
//! tree, built by following `mod` declarations from the crate roots. Each reached file is
//! read and parsed exactly once (in parallel) into facts.

pub mod discover;
pub mod manifest;
pub mod module_tree;

use crate::config::Config;
use crate::index::{CrateKind, Index};
use std::path::{Component, Path, PathBuf};

/// One crate target found in a manifest.
#[derive(Debug, Clone)]
pub struct CrateSpec {
    /// Crate name as code spells it (`chat_core`; a bin target uses its bin name).
    pub name: String,
    pub package: String,
    pub kind: CrateKind,
    /// The root file (`src/lib.rs`, `src/main.rs`, `src/bin/x.rs`, `tests/x.rs` …).
    pub root_file: PathBuf,
    pub manifest_path: PathBuf,
    /// Test/bench/example targets, and packages used only as dev-dependencies.
    pub is_test: bool,
    /// Dependencies that are workspace packages: (name the code uses, package name).
    /// Includes dev-dependencies only for test-like targets.
    pub deps: Vec<(String, String)>,
    pub workspace: u32,
}

/// What `discover` found: where to report from and which crates to analyse.
#[derive(Debug, Clone, Default)]
pub struct Discovery {
    /// The directory the user started in; reports are relative to it.
    pub report_root: PathBuf,
    /// Roots of the workspaces/packages found (one, unless the start dir holds several).
    pub workspace_roots: Vec<PathBuf>,
    /// The manifest whose `[workspace.metadata.ssot]`/`[package.metadata.ssot]` may hold config,
    /// and where `ssot.toml` is looked for (the first workspace root).
    pub config_dir: PathBuf,
    pub crates: Vec<CrateSpec>,
    /// Manifests that could not be read or parsed: reported, the rest still analysed.
    pub problems: Vec<crate::index::InputProblem>,
    /// Every package found, with the workspace it belongs to (also packages without targets).
    pub packages: Vec<PackageInfo>,
}

/// A package of some analysed workspace.
#[derive(Debug, Clone)]
pub struct PackageInfo {
    pub name: String,
    /// The directory holding its `Cargo.toml`.
    pub dir: PathBuf,
    pub workspace: u32,
    /// Only ever a dev-dependency of other packages: test code.
    pub is_test: bool,
}

/// Load every crate's module tree into a partial index (files, crates, modules, problems,
/// summary); `index::build::complete` adds definitions and resolution.
pub fn load(discovery: &Discovery, config: &Config, threads: Option<usize>) -> Index {
    module_tree::load(discovery, config, threads)
}

/// [`load`] with every knob.
pub fn load_with(discovery: &Discovery, config: &Config, options: &LoadOptions) -> Index {
    module_tree::load_with(discovery, config, options)
}

/// How [`load_with`] reads and parses files.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Worker threads (`None`: one per core).
    pub threads: Option<usize>,
    /// Leave fn bodies that need no look yet unparsed (`FileFacts::lazy_bodies`);
    /// `index::build::complete` parses the ones rules need.
    pub lazy_bodies: bool,
    /// Take facts of unchanged files from this cache (lazy mode only: its entries may hold
    /// lazy bodies).
    pub cache: Option<std::sync::Arc<crate::facts::cache::FactsCache>>,
}

/// Lexically normalize a path: drop `.` and fold `..` into the preceding component, without
/// touching the file system (symlinks are dealt with where files are read).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                let popped =
                    matches!(out.components().next_back(), Some(Component::Normal(_))) && out.pop();
                if !popped && !matches!(out.components().next_back(), Some(Component::RootDir)) {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// `path` relative to `base`, `/`-separated, climbing with `..` when it lies outside. Both
/// are expected normalized and absolute.
pub fn relative(path: &Path, base: &Path) -> String {
    let p: Vec<Component> = path.components().collect();
    let b: Vec<Component> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = vec!["..".to_string(); b.len() - common];
    parts.extend(
        p.iter()
            .skip(common)
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

/// Directories never walked: build output and hidden directories (`.git`, `.cargo` …).
pub fn is_skipped_dir_name(name: &std::ffi::OsStr) -> bool {
    name == "target" || name.to_str().is_some_and(|n| n.starts_with('.'))
}

/// Everything under a workspace root that belongs to it, in file-name order: follows
/// symlinks that stay inside the root (walkdir detects loops), skips build output, hidden
/// directories and projects nested in it that are not among `members` (package dirs).
/// The unreachable-file listing and the replay cache's check must walk exactly alike.
pub fn walk_workspace<'a>(
    root: &Path,
    members: std::collections::HashSet<&'a Path>,
) -> impl Iterator<Item = walkdir::Result<walkdir::DirEntry>> + 'a {
    let root_canonical = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(move |e| {
            if e.depth() == 0 || !e.file_type().is_dir() {
                return true;
            }
            if is_skipped_dir_name(e.file_name()) {
                return false;
            }
            if e.path_is_symlink()
                && !std::fs::canonicalize(e.path()).is_ok_and(|c| c.starts_with(&root_canonical))
            {
                return false; // leaves the workspace
            }
            // Another project nested in this one is not ours to list.
            members.contains(e.path()) || !e.path().join("Cargo.toml").is_file()
        })
}

#[cfg(test)]
mod path_tests {
    use super::*;

    #[test]
    fn normalize_and_relative() {
        assert_eq!(
            normalize(Path::new("/a/b/../c/./d")),
            PathBuf::from("/a/c/d")
        );
        assert_eq!(normalize(Path::new("/../a")), PathBuf::from("/a"));
        assert_eq!(normalize(Path::new("a/../../b")), PathBuf::from("../b"));
        assert_eq!(
            relative(Path::new("/w/src/lib.rs"), Path::new("/w")),
            "src/lib.rs"
        );
        assert_eq!(
            relative(Path::new("/w/x/lib.rs"), Path::new("/w/y")),
            "../x/lib.rs"
        );
        assert_eq!(relative(Path::new("/w"), Path::new("/w")), ".");
    }
}
