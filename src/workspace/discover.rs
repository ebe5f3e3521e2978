//! Find the workspace(s) around or below the start directory.
//!
//! Inside a package: the nearest `Cargo.toml` walking up, then the outermost ancestor
//! `[workspace]` that counts it as a member, else the package alone. Outside any package
//! (a folder of several projects): every workspace and standalone package below the start
//! directory, each analysed as its own workspace.

use super::manifest::{self, DepKind, Dependency, Manifest, WorkspaceDecl};
use super::{is_skipped_dir_name, normalize, relative, CrateSpec, Discovery, PackageInfo};
use crate::facts::Problem;
use crate::index::{CrateKind, InputProblem};
use globset::GlobBuilder;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// How deep a `**` member glob (or a scan for projects) descends.
const MAX_SCAN_DEPTH: usize = 32;

pub fn discover(start: &Path) -> miette::Result<Discovery> {
    let start = std::fs::canonicalize(start).map_err(|e| {
        miette::miette!("cannot open the start directory `{}`: {e}", start.display())
    })?;
    let start = if start.is_file() {
        start.parent().map(Path::to_path_buf).unwrap_or(start)
    } else {
        start
    };
    let mut manifests = Manifests::default();
    let found = match start.ancestors().find(|d| d.join("Cargo.toml").is_file()) {
        Some(nearest) => vec![manifests.workspace_around(nearest)],
        None => manifests.workspaces_below(&start),
    };
    if found.is_empty() {
        return Err(miette::miette!(
            help = "run cargo-ssot inside a Cargo package or workspace, or in a folder that holds some",
            "no `Cargo.toml` found in `{}`, its parent directories, or below it",
            start.display()
        ));
    }
    Ok(assemble(&start, found))
}

/// A workspace (or standalone package) found, before its crates are worked out.
struct Found {
    root: PathBuf,
    decl: Option<WorkspaceDecl>,
    packages: Vec<Manifest>,
    /// Bad manifests, by path.
    problems: Vec<(PathBuf, Problem)>,
}

impl Found {
    /// Is the package in `dir` part of this workspace (even if its manifest is broken)?
    fn claims(&self, dir: &Path) -> bool {
        self.packages.iter().any(|p| p.dir == dir)
            || self.problems.iter().any(|(p, _)| p.parent() == Some(dir))
    }
}

enum Parsed {
    Ok(Box<Manifest>),
    Bad {
        problem: Problem,
        looks_like_workspace: bool,
    },
}

/// Each `Cargo.toml` is read and parsed at most once, keyed by its directory.
#[derive(Default)]
struct Manifests {
    by_dir: HashMap<PathBuf, Parsed>,
}

impl Manifests {
    fn get(&mut self, dir: &Path) -> &Parsed {
        self.by_dir.entry(dir.to_path_buf()).or_insert_with(|| {
            let path = dir.join("Cargo.toml");
            match manifest::read(&path) {
                Ok(m) => Parsed::Ok(Box::new(m)),
                Err(problem) => Parsed::Bad {
                    problem,
                    // Only a regular file of sane size is looked into again.
                    looks_like_workspace: std::fs::metadata(&path)
                        .is_ok_and(|m| m.is_file() && m.len() <= 8 * 1024 * 1024)
                        && std::fs::read_to_string(&path)
                            .is_ok_and(|t| manifest::looks_like_workspace(&t)),
                },
            }
        })
    }

    fn is_workspace_root(&mut self, dir: &Path) -> bool {
        match self.get(dir) {
            Parsed::Ok(m) => m.workspace.is_some(),
            Parsed::Bad {
                looks_like_workspace,
                ..
            } => *looks_like_workspace,
        }
    }

    /// The workspace the package in `nearest` belongs to, or the package alone.
    fn workspace_around(&mut self, nearest: &Path) -> Found {
        if self.is_workspace_root(nearest) {
            return self.workspace_at(nearest);
        }
        if let Parsed::Ok(m) = self.get(nearest) {
            let explicit = m
                .package
                .as_ref()
                .and_then(|p| p.workspace_path.as_ref())
                .map(|p| normalize(&nearest.join(p)));
            if let Some(root) = explicit.filter(|r| r.join("Cargo.toml").is_file()) {
                let found = self.workspace_at(&root);
                if found.claims(nearest) {
                    return found;
                }
            }
        }
        let mut ancestors: Vec<&Path> = nearest
            .ancestors()
            .skip(1)
            .filter(|d| d.join("Cargo.toml").is_file())
            .collect();
        ancestors.reverse(); // outermost first
        for dir in ancestors {
            if self.is_workspace_root(dir) {
                let found = self.workspace_at(dir);
                if found.claims(nearest) {
                    return found;
                }
            }
        }
        self.package_with_path_deps(nearest)
    }

    fn package_alone(&mut self, dir: &Path) -> Found {
        let mut found = Found {
            root: dir.to_path_buf(),
            decl: None,
            packages: Vec::new(),
            problems: Vec::new(),
        };
        match self.get(dir) {
            Parsed::Ok(m) if m.package.is_some() => found.packages.push((**m).clone()),
            Parsed::Ok(_) => {}
            Parsed::Bad { problem, .. } => found
                .problems
                .push((dir.join("Cargo.toml"), problem.clone())),
        }
        found
    }

    /// The workspace rooted at `root` with its member packages.
    fn workspace_at(&mut self, root: &Path) -> Found {
        let mut found = self.package_alone(root);
        let decl = match self.get(root) {
            Parsed::Ok(m) => m.workspace.clone(),
            Parsed::Bad { .. } => None,
        };
        let Some(decl) = decl else {
            // A broken workspace manifest: its members cannot be known, so every package
            // below the root stands in for them.
            for dir in manifest_dirs_below(root, MAX_SCAN_DEPTH) {
                if dir != root && !self.is_workspace_root(&dir) {
                    self.add_member(&mut found, &dir);
                }
            }
            return found;
        };
        for member in &decl.members {
            match expand_member(root, member, &decl.exclude) {
                Ok(dirs) => {
                    for dir in dirs {
                        self.add_member(&mut found, &dir);
                    }
                }
                Err(problem) => found.problems.push((root.join("Cargo.toml"), problem)),
            }
        }
        // Path dependencies inside the workspace directory are members too (as in cargo).
        self.add_path_deps(&mut found, root, Some(&decl));
        found.decl = Some(decl);
        found
    }

    /// A package with no workspace, with the path dependencies inside its directory: cargo
    /// builds them into it, so they are part of the project (`clippy` and its
    /// `clippy_lints`, `clippy_utils` … below it, with no `[workspace]` table).
    fn package_with_path_deps(&mut self, dir: &Path) -> Found {
        let mut found = self.package_alone(dir);
        self.add_path_deps(&mut found, dir, None);
        found
    }

    /// Add the path dependencies of every package of `found` that live below `root`,
    /// transitively.
    fn add_path_deps(&mut self, found: &mut Found, root: &Path, decl: Option<&WorkspaceDecl>) {
        let exclude: &[String] = decl.map_or(&[], |d| d.exclude.as_slice());
        let mut i = 0;
        while i < found.packages.len() {
            let pkg = &found.packages[i];
            let dep_dirs: Vec<PathBuf> = pkg
                .package
                .iter()
                .flat_map(|p| &p.dependencies)
                .filter_map(|d| dep_dir(&pkg.dir, d, root, decl))
                .filter(|d| d.starts_with(root) && !is_excluded(root, d, exclude))
                .filter(|d| d.join("Cargo.toml").is_file())
                .filter(|d| decl.is_some() || !self.is_workspace_root(d))
                .collect();
            for dir in dep_dirs {
                self.add_member(found, &dir);
            }
            i += 1;
        }
    }

    fn add_member(&mut self, found: &mut Found, dir: &Path) {
        if found.claims(dir) {
            return;
        }
        match self.get(dir) {
            Parsed::Ok(m) if m.package.is_some() => found.packages.push((**m).clone()),
            Parsed::Ok(_) => {}
            Parsed::Bad { problem, .. } => found
                .problems
                .push((dir.join("Cargo.toml"), problem.clone())),
        }
    }

    /// Every workspace and standalone package below `start` (none contains it).
    fn workspaces_below(&mut self, start: &Path) -> Vec<Found> {
        let dirs = manifest_dirs_below(start, MAX_SCAN_DEPTH);
        let mut claimed: HashSet<PathBuf> = HashSet::new();
        let mut out = Vec::new();
        for dir in &dirs {
            if !claimed.contains(dir) && self.is_workspace_root(dir) {
                let found = self.workspace_at(dir);
                claimed.insert(dir.clone());
                claimed.extend(found.packages.iter().map(|p| p.dir.clone()));
                claimed.extend(
                    found
                        .problems
                        .iter()
                        .filter_map(|(p, _)| p.parent().map(Path::to_path_buf)),
                );
                out.push(found);
            }
        }
        for dir in &dirs {
            if !claimed.contains(dir) {
                let found = self.package_with_path_deps(dir);
                claimed.extend(found.packages.iter().map(|p| p.dir.clone()));
                out.push(found);
            }
        }
        out
    }
}

/// Directories below `root` (itself included) holding a `Cargo.toml`, skipping build
/// output and hidden directories; sorted, parents before children.
fn manifest_dirs_below(root: &Path, max_depth: usize) -> Vec<PathBuf> {
    let root_canonical = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let mut dirs: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .follow_links(true)
        .max_depth(max_depth)
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || (!is_skipped_dir_name(e.file_name())
                    // Symlinks are followed only while they stay below the root.
                    && (!e.path_is_symlink()
                        || std::fs::canonicalize(e.path())
                            .is_ok_and(|c| c.starts_with(&root_canonical))))
        })
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_dir() && e.path().join("Cargo.toml").is_file())
        .map(|e| normalize(e.path()))
        .collect();
    dirs.sort();
    dirs.dedup();
    dirs
}

/// Directories a `members` entry names: a plain path, or a glob (`crates/*`, `libs/**`)
/// matched against directories that hold a `Cargo.toml`. Globs honour `exclude`; a plain
/// member path always counts, as in cargo.
fn expand_member(root: &Path, member: &str, exclude: &[String]) -> Result<Vec<PathBuf>, Problem> {
    let member = member.trim_start_matches("./").trim_end_matches('/');
    let is_glob = |s: &str| s.contains(['*', '?', '[', '{']);
    if !is_glob(member) {
        let dir = normalize(&root.join(member));
        if dir.join("Cargo.toml").is_file() {
            return Ok(vec![dir]);
        }
        return Err(Problem {
            kind: crate::facts::ProblemKind::BadManifest,
            message: format!("workspace member `{member}` has no `Cargo.toml`"),
            span: None,
        });
    }
    let glob = GlobBuilder::new(member)
        .literal_separator(true)
        .build()
        .map_err(|e| Problem {
            kind: crate::facts::ProblemKind::BadManifest,
            message: format!("workspace member pattern `{member}` is not a valid glob: {e}"),
            span: None,
        })?
        .compile_matcher();
    // Walk only below the pattern's literal prefix, only as deep as the pattern reaches.
    let parts: Vec<&str> = member.split('/').collect();
    let literal = parts.iter().take_while(|p| !is_glob(p)).count();
    let base = normalize(&root.join(parts[..literal].join("/")));
    let rest = &parts[literal..];
    let depth = if rest.iter().any(|p| p.contains("**")) {
        MAX_SCAN_DEPTH
    } else {
        rest.len()
    };
    Ok(manifest_dirs_below(&base, depth)
        .into_iter()
        .filter(|d| glob.is_match(relative(d, root)))
        .filter(|d| !is_excluded(root, d, exclude))
        .collect())
}

/// Cargo's `exclude`: path prefixes relative to the workspace root.
fn is_excluded(root: &Path, dir: &Path, exclude: &[String]) -> bool {
    exclude
        .iter()
        .any(|ex| dir.starts_with(normalize(&root.join(ex.trim_end_matches('/')))))
}

/// The directory a path dependency points at (through `[workspace.dependencies]` for
/// `workspace = true`); `None` for registry and git dependencies.
fn dep_dir(
    pkg_dir: &Path,
    dep: &Dependency,
    root: &Path,
    decl: Option<&WorkspaceDecl>,
) -> Option<PathBuf> {
    if dep.workspace {
        let inherited = decl?.dependencies.iter().find(|d| d.key == dep.key)?;
        return inherited.path.as_ref().map(|p| normalize(&root.join(p)));
    }
    dep.path.as_ref().map(|p| normalize(&pkg_dir.join(p)))
}

/// Whether a dependency entry renames the package (`package = ".."`, directly or inherited).
fn is_renamed(dep: &Dependency, decl: Option<&WorkspaceDecl>) -> bool {
    dep.package.is_some()
        || (dep.workspace
            && decl
                .and_then(|w| w.dependencies.iter().find(|d| d.key == dep.key))
                .is_some_and(|d| d.package.is_some()))
}

/// Turn what was found into crate specs: targets, workspace-internal dependencies,
/// and which packages are test code.
fn assemble(start: &Path, found: Vec<Found>) -> Discovery {
    let mut discovery = Discovery {
        report_root: start.to_path_buf(),
        ..Discovery::default()
    };
    let mut workspaces: Vec<Found> = Vec::new();
    for f in found {
        discovery
            .problems
            .extend(f.problems.iter().map(|(path, problem)| InputProblem {
                path: relative(path, start),
                file: None,
                problem: problem.clone(),
            }));
        // A lone broken manifest contributes its problem, not a workspace.
        if !f.packages.is_empty() || f.decl.is_some() {
            workspaces.push(f);
        }
    }

    // Package directory → (workspace, package name, lib crate name), across all workspaces,
    // so path dependencies between projects resolve too.
    let mut by_dir: HashMap<&Path, (u32, &str, Option<String>)> = HashMap::new();
    let mut targets: Vec<Vec<Vec<manifest::Target>>> = Vec::new();
    for (w, ws) in workspaces.iter().enumerate() {
        let mut ws_targets = Vec::new();
        for m in &ws.packages {
            let Some(pkg) = &m.package else {
                ws_targets.push(Vec::new());
                continue;
            };
            let t = manifest::targets(pkg, &m.dir);
            let lib = t
                .iter()
                .find(|t| t.kind == CrateKind::Lib)
                .map(|t| t.name.clone());
            by_dir.entry(&m.dir).or_insert((w as u32, &pkg.name, lib));
            ws_targets.push(t);
        }
        targets.push(ws_targets);
    }

    for (w, ws) in workspaces.iter().enumerate() {
        discovery.workspace_roots.push(ws.root.clone());
        // Resolved workspace dependencies of each package: (code name, package, kind, dir).
        let resolved: Vec<Vec<(String, String, DepKind, PathBuf)>> = ws
            .packages
            .iter()
            .map(|m| {
                let Some(pkg) = &m.package else {
                    return Vec::new();
                };
                pkg.dependencies
                    .iter()
                    .filter_map(|d| {
                        let dir = dep_dir(&m.dir, d, &ws.root, ws.decl.as_ref())?;
                        let (_, name, lib) = by_dir.get(dir.as_path())?;
                        if dir == m.dir {
                            return None;
                        }
                        let code_name = if is_renamed(d, ws.decl.as_ref()) {
                            manifest::crate_name(&d.key)
                        } else {
                            lib.clone().unwrap_or_else(|| manifest::crate_name(&d.key))
                        };
                        Some((code_name, name.to_string(), d.kind, dir))
                    })
                    .collect()
            })
            .collect();
        let test_only = test_only_packages(ws, &resolved);

        for (i, m) in ws.packages.iter().enumerate() {
            let Some(pkg) = &m.package else { continue };
            discovery.packages.push(PackageInfo {
                name: pkg.name.clone(),
                dir: m.dir.clone(),
                workspace: w as u32,
                is_test: test_only[i],
            });
            let own_lib = by_dir.get(m.dir.as_path()).and_then(|(_, _, l)| l.clone());
            for t in &targets[w][i] {
                let test_like = matches!(
                    t.kind,
                    CrateKind::Test | CrateKind::Bench | CrateKind::Example
                );
                let mut deps: Vec<(String, String)> = Vec::new();
                if t.kind != CrateKind::Lib {
                    if let Some(lib) = &own_lib {
                        deps.push((lib.clone(), pkg.name.clone()));
                    }
                }
                for (code, name, kind, _) in &resolved[i] {
                    let visible = match kind {
                        DepKind::Normal => true,
                        DepKind::Dev => test_like,
                        DepKind::Build => false,
                    };
                    if visible && !deps.iter().any(|(c, _)| c == code) {
                        deps.push((code.clone(), name.clone()));
                    }
                }
                discovery.crates.push(CrateSpec {
                    name: t.name.clone(),
                    package: pkg.name.clone(),
                    kind: t.kind,
                    root_file: t.root_file.clone(),
                    manifest_path: m.path.clone(),
                    is_test: test_like || test_only[i],
                    deps,
                    workspace: w as u32,
                });
            }
        }
    }
    discovery.config_dir = discovery
        .workspace_roots
        .first()
        .cloned()
        .unwrap_or_else(|| start.to_path_buf());
    discovery
}

/// A directory that holds test, bench or fuzz code: `tests`, `benches`, `fuzz`, `testkit`,
/// `test-util`, `test_programs`, `filetests`, `e2e-tests` …
fn is_test_dir_name(name: &str) -> bool {
    const EXACT: &[&str] = &[
        "tests", "test", "testing", "testkit", "testutil", "benches", "fuzz", "fuzzing",
    ];
    let name = name.to_ascii_lowercase();
    EXACT.contains(&name.as_str())
        || name.starts_with("test-")
        || name.starts_with("test_")
        || name.ends_with("tests")
        || name.ends_with("-test")
        || name.ends_with("_test")
}

/// Packages that live in a test, bench or fuzz directory of the workspace (test servers and
/// helpers, fuzz targets), that are only ever dev-dependencies of others, or dependencies
/// of such test-only packages alone (a helper of a test helper). Any other package nobody
/// depends on is application code.
fn test_only_packages(
    ws: &Found,
    resolved: &[Vec<(String, String, DepKind, PathBuf)>],
) -> Vec<bool> {
    let index: HashMap<&Path, usize> = ws
        .packages
        .iter()
        .enumerate()
        .map(|(i, m)| (m.dir.as_path(), i))
        .collect();
    // For each package: who depends on it, and how.
    let mut dependents: Vec<Vec<(usize, DepKind)>> = vec![Vec::new(); ws.packages.len()];
    for (from, deps) in resolved.iter().enumerate() {
        for (_, _, kind, dir) in deps {
            if let Some(&to) = index.get(dir.as_path()) {
                dependents[to].push((from, *kind));
            }
        }
    }
    let mut test_only: Vec<bool> = ws
        .packages
        .iter()
        .map(|m| {
            m.dir.strip_prefix(&ws.root).is_ok_and(|rel| {
                rel.components()
                    .any(|c| c.as_os_str().to_str().is_some_and(is_test_dir_name))
            })
        })
        .collect();
    loop {
        let mut changed = false;
        for p in 0..ws.packages.len() {
            if test_only[p] || dependents[p].is_empty() {
                continue;
            }
            let all_test = dependents[p]
                .iter()
                .all(|&(from, kind)| kind == DepKind::Dev || test_only[from]);
            if all_test {
                test_only[p] = true;
                changed = true;
            }
        }
        if !changed {
            return test_only;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, files: &[(&str, &str)]) {
        for (path, text) in files {
            let p = root.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
    }

    fn canon(p: &Path) -> PathBuf {
        std::fs::canonicalize(p).unwrap()
    }

    #[test]
    fn finds_the_workspace_around_a_member() {
        let tmp = tempfile::tempdir().unwrap();
        let root = canon(tmp.path());
        write(
            &root,
            &[
                (
                    "Cargo.toml",
                    "[workspace]\nmembers = [\"crates/*\"]\nexclude = [\"crates/old\"]\n\
                     [workspace.dependencies]\ncore = { package = \"chat-core\", path = \"crates/core\" }\n",
                ),
                ("crates/core/Cargo.toml", "[package]\nname = \"chat-core\"\n"),
                ("crates/core/src/lib.rs", ""),
                (
                    "crates/api/Cargo.toml",
                    "[package]\nname = \"chat-api\"\n[dependencies]\ncore = { workspace = true }\n\
                     [dev-dependencies]\ntesting = { path = \"../testing\" }\n",
                ),
                ("crates/api/src/lib.rs", ""),
                ("crates/api/src/main.rs", ""),
                ("crates/api/tests/it.rs", ""),
                ("crates/testing/Cargo.toml", "[package]\nname = \"testing\"\n"),
                ("crates/testing/src/lib.rs", ""),
                ("crates/old/Cargo.toml", "[package]\nname = \"old\"\n"),
                ("crates/old/src/lib.rs", ""),
            ],
        );
        let d = discover(&root.join("crates/api/src")).unwrap();
        assert_eq!(d.workspace_roots, vec![root.clone()]);
        assert_eq!(d.config_dir, root);
        assert_eq!(d.report_root, root.join("crates/api/src"));
        let names: Vec<(&str, CrateKind, bool)> = d
            .crates
            .iter()
            .map(|c| (c.name.as_str(), c.kind, c.is_test))
            .collect();
        assert_eq!(
            names,
            vec![
                ("chat_api", CrateKind::Lib, false),
                ("chat_api", CrateKind::Bin, false),
                ("it", CrateKind::Test, true),
                ("chat_core", CrateKind::Lib, false),
                ("testing", CrateKind::Lib, true),
            ]
        );
        let lib = &d.crates[0];
        assert_eq!(
            lib.deps,
            vec![("core".to_string(), "chat-core".to_string())]
        );
        let bin = &d.crates[1];
        assert!(bin.deps.contains(&("chat_api".into(), "chat-api".into())));
        assert!(!bin.deps.iter().any(|(c, _)| c == "testing"));
        let test = &d.crates[2];
        assert!(test.deps.contains(&("testing".into(), "testing".into())));
        assert!(d.problems.is_empty());
    }

    #[test]
    fn a_package_without_a_workspace_brings_its_path_dependencies() {
        let tmp = tempfile::tempdir().unwrap();
        let root = canon(tmp.path());
        write(
            &root,
            &[
                (
                    "Cargo.toml",
                    "[package]\nname = \"tool\"\n[dependencies]\nlints = { path = \"lints\" }\n\
                     outside = { path = \"../outside\" }\n",
                ),
                ("src/main.rs", ""),
                (
                    "lints/Cargo.toml",
                    "[package]\nname = \"lints\"\n[dependencies]\nutils = { path = \"../utils\" }\n",
                ),
                ("lints/src/lib.rs", ""),
                ("utils/Cargo.toml", "[package]\nname = \"utils\"\n"),
                ("utils/src/lib.rs", ""),
            ],
        );
        for start in [root.clone(), root.join("lints")] {
            let d = discover(&start).unwrap();
            let mut names: Vec<&str> = d.crates.iter().map(|c| c.name.as_str()).collect();
            names.sort();
            if start == root {
                assert_eq!(names, ["lints", "tool", "utils"]);
                assert!(d.problems.is_empty(), "{:?}", d.problems);
            } else {
                // Started inside a path dependency: that package alone (`../utils` is
                // outside its directory, as `../outside` is outside the tool's).
                assert_eq!(names, ["lints"]);
            }
        }
    }

    #[test]
    fn packages_in_a_tests_directory_are_test_code() {
        let tmp = tempfile::tempdir().unwrap();
        let root = canon(tmp.path());
        write(
            &root,
            &[
                (
                    "Cargo.toml",
                    "[workspace]\nmembers = [\"app\", \"tests/util\", \"tests/ffi\", \"crates/*\"]\n",
                ),
                ("app/Cargo.toml", "[package]\nname = \"app\"\n"),
                ("app/src/lib.rs", ""),
                (
                    "tests/util/Cargo.toml",
                    "[package]\nname = \"test_server\"\n",
                ),
                ("tests/util/src/lib.rs", ""),
                ("tests/ffi/Cargo.toml", "[package]\nname = \"test_ffi\"\n"),
                ("tests/ffi/src/lib.rs", ""),
                ("crates/test-programs/Cargo.toml", "[package]\nname = \"progs\"\n"),
                ("crates/test-programs/src/lib.rs", ""),
                ("crates/fuzzing/Cargo.toml", "[package]\nname = \"fz\"\n"),
                ("crates/fuzzing/src/lib.rs", ""),
                ("crates/latest/Cargo.toml", "[package]\nname = \"latest\"\n"),
                ("crates/latest/src/lib.rs", ""),
            ],
        );
        let d = discover(&root).unwrap();
        let tests: Vec<(&str, bool)> = d
            .crates
            .iter()
            .map(|c| (c.name.as_str(), c.is_test))
            .collect();
        assert_eq!(
            tests,
            [
                ("app", false),
                ("test_server", true),
                ("test_ffi", true),
                ("fz", true),
                ("latest", false),
                ("progs", true),
            ]
        );
    }

    #[test]
    fn a_package_outside_members_stands_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let root = canon(tmp.path());
        write(
            &root,
            &[
                ("Cargo.toml", "[workspace]\nmembers = [\"a\"]\n"),
                ("a/Cargo.toml", "[package]\nname = \"a\"\n"),
                ("a/src/lib.rs", ""),
                (
                    "fixture/Cargo.toml",
                    "[package]\nname = \"fx\"\n[workspace]\n",
                ),
                ("fixture/src/lib.rs", ""),
            ],
        );
        let d = discover(&root.join("fixture")).unwrap();
        assert_eq!(d.workspace_roots, vec![root.join("fixture")]);
        assert_eq!(d.crates.len(), 1);
        assert_eq!(d.crates[0].name, "fx");
    }

    #[test]
    fn a_folder_of_projects_analyses_each() {
        let tmp = tempfile::tempdir().unwrap();
        let root = canon(tmp.path());
        write(
            &root,
            &[
                ("ws/Cargo.toml", "[workspace]\nmembers = [\"m\"]\n"),
                ("ws/m/Cargo.toml", "[package]\nname = \"m\"\n"),
                ("ws/m/src/lib.rs", ""),
                ("solo/Cargo.toml", "[package]\nname = \"solo\"\n"),
                ("solo/src/main.rs", ""),
                (
                    "solo/target/debug/x/Cargo.toml",
                    "[package]\nname = \"built\"\n",
                ),
                (".hidden/Cargo.toml", "[package]\nname = \"hidden\"\n"),
                ("broken/Cargo.toml", "[package\n"),
            ],
        );
        let d = discover(&root).unwrap();
        assert_eq!(d.report_root, root);
        assert_eq!(d.workspace_roots, vec![root.join("ws"), root.join("solo")]);
        let crates: Vec<(&str, u32)> = d
            .crates
            .iter()
            .map(|c| (c.name.as_str(), c.workspace))
            .collect();
        assert_eq!(crates, vec![("m", 0), ("solo", 1)]);
        assert_eq!(d.problems.len(), 1);
        assert_eq!(d.problems[0].path, "broken/Cargo.toml");
        assert_eq!(
            d.problems[0].problem.kind,
            crate::facts::ProblemKind::BadManifest
        );
    }

    #[test]
    fn no_cargo_toml_anywhere_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        write(tmp.path(), &[("notes/readme.txt", "hi")]);
        let err = discover(tmp.path()).unwrap_err();
        assert!(err.to_string().contains("no `Cargo.toml`"), "{err}");
    }

    #[test]
    fn a_bad_member_manifest_leaves_the_others() {
        let tmp = tempfile::tempdir().unwrap();
        let root = canon(tmp.path());
        write(
            &root,
            &[
                ("Cargo.toml", "[workspace]\nmembers = [\"good\", \"bad\"]\n"),
                ("good/Cargo.toml", "[package]\nname = \"good\"\n"),
                ("good/src/lib.rs", ""),
                ("bad/Cargo.toml", "[package]\nname = \n"),
                ("bad/src/lib.rs", ""),
            ],
        );
        let d = discover(&root).unwrap();
        assert_eq!(d.crates.len(), 1);
        assert_eq!(d.problems.len(), 1);
        assert_eq!(d.problems[0].path, "bad/Cargo.toml");
        assert!(d.problems[0].problem.span.is_some());
        // Started inside the broken member: still the whole workspace.
        let d = discover(&root.join("bad/src")).unwrap();
        assert_eq!(d.workspace_roots, vec![root.clone()]);
        assert_eq!(d.crates.len(), 1);
        assert_eq!(d.problems[0].path, "../Cargo.toml");

        // A broken workspace root: its packages are found by scanning.
        write(&root, &[("Cargo.toml", "[workspace]\nmembers = [\n")]);
        let d = discover(&root.join("good")).unwrap();
        assert_eq!(d.workspace_roots, vec![root.clone()]);
        assert_eq!(d.crates.len(), 1);
        assert_eq!(d.problems.len(), 2, "{:?}", d.problems);
    }
}
