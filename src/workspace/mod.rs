//! The workspace model: Cargo manifests, crates and their targets, and each crate's module
//! tree, built by following `mod` declarations from the crate roots. Each reached file is
//! read and parsed exactly once (in parallel) into facts.

pub mod discover;
pub mod manifest;
pub mod module_tree;

use crate::config::Config;
use crate::index::{CrateKind, Index};
use std::path::PathBuf;

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
}

/// Load every crate's module tree into a partial index (files, crates, modules, problems,
/// summary); `index::build::complete` adds definitions and resolution.
pub fn load(discovery: &Discovery, config: &Config, threads: Option<usize>) -> Index {
    module_tree::load(discovery, config, threads)
}
