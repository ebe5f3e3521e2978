//! Reading `Cargo.toml` with `toml`: packages, targets, workspace members, dependencies.
//!
//! Lenient on purpose: unknown keys and odd value types are ignored, because the analyser
//! only needs the shape of the workspace, and cargo itself is the authority on validity.
//! A manifest that does not parse at all becomes a [`ProblemKind::BadManifest`] problem.

use crate::facts::{Problem, ProblemKind};
use crate::index::CrateKind;
use crate::source::Span;
use std::path::{Path, PathBuf};
use toml::{Table, Value};

/// One parsed `Cargo.toml`.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// The `Cargo.toml` file itself.
    pub path: PathBuf,
    /// The directory holding it.
    pub dir: PathBuf,
    pub package: Option<Package>,
    pub workspace: Option<WorkspaceDecl>,
}

/// The `[workspace]` table.
#[derive(Debug, Clone, Default)]
pub struct WorkspaceDecl {
    /// Member paths or globs (`crates/*`), relative to the workspace root.
    pub members: Vec<String>,
    /// Paths (prefixes, not globs, as in cargo) that are not members.
    pub exclude: Vec<String>,
    /// `[workspace.dependencies]`, inherited by `dep = { workspace = true }`.
    pub dependencies: Vec<Dependency>,
}

/// The `[package]` table and what hangs off it.
#[derive(Debug, Clone, Default)]
pub struct Package {
    pub name: String,
    /// `package.workspace = "../.."`: an explicit pointer to the workspace root.
    pub workspace_path: Option<String>,
    /// The `[lib]` table, when present.
    pub lib: Option<TargetDecl>,
    pub bins: Vec<TargetDecl>,
    pub tests: Vec<TargetDecl>,
    pub benches: Vec<TargetDecl>,
    pub examples: Vec<TargetDecl>,
    pub autobins: bool,
    pub autotests: bool,
    pub autobenches: bool,
    pub autoexamples: bool,
    /// Normal, build and dev dependencies, target-specific ones included.
    pub dependencies: Vec<Dependency>,
}

/// A `[lib]`, `[[bin]]`, `[[test]]`, `[[bench]]` or `[[example]]` entry.
#[derive(Debug, Clone, Default)]
pub struct TargetDecl {
    pub name: Option<String>,
    pub path: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DepKind {
    Normal,
    Build,
    Dev,
}

/// One dependency entry.
#[derive(Debug, Clone)]
pub struct Dependency {
    /// The table key: the name code uses (before `-`→`_`).
    pub key: String,
    /// `package = "real-name"`.
    pub package: Option<String>,
    /// `path = ".."`, relative to the manifest that declares it.
    pub path: Option<String>,
    /// `workspace = true`: the details live in `[workspace.dependencies]`.
    pub workspace: bool,
    pub kind: DepKind,
}

impl Dependency {
    /// The package this entry names.
    pub fn package_name(&self) -> &str {
        self.package.as_deref().unwrap_or(&self.key)
    }
}

/// A crate root found for a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Crate name as code spells it (`-` replaced by `_`).
    pub name: String,
    pub kind: CrateKind,
    pub root_file: PathBuf,
}

/// `chat-core` → `chat_core`: the name a crate has in code.
pub fn crate_name(name: &str) -> String {
    name.replace('-', "_")
}

/// Read and parse a manifest. Any failure is a `BadManifest` problem (with the TOML span
/// when the text was read).
pub fn read(path: &Path) -> Result<Manifest, Problem> {
    let bad = |message: String| Problem {
        kind: ProblemKind::BadManifest,
        message,
        span: None,
    };
    // A manifest that is a pipe or a device (hostile input) would block or never end.
    let meta =
        std::fs::metadata(path).map_err(|e| bad(format!("could not read `Cargo.toml`: {e}")))?;
    if !meta.is_file() {
        return Err(bad("`Cargo.toml` is not a regular file; not read".into()));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| {
            use std::io::Read;
            f.take(MAX_MANIFEST_BYTES + 1).read_to_end(&mut bytes)
        })
        .map_err(|e| bad(format!("could not read `Cargo.toml`: {e}")))?;
    if bytes.len() as u64 > MAX_MANIFEST_BYTES {
        return Err(bad(format!(
            "`Cargo.toml` is over {} MiB; not read",
            MAX_MANIFEST_BYTES / (1024 * 1024)
        )));
    }
    let text = String::from_utf8(bytes)
        .map_err(|e| bad(format!("could not read `Cargo.toml`: not UTF-8 ({e})")))?;
    parse(path, &text)
}

/// Real manifests are a few KiB; anything this large is not one.
const MAX_MANIFEST_BYTES: u64 = 8 * 1024 * 1024;

/// Parse manifest text; `path` is the `Cargo.toml` it came from.
pub fn parse(path: &Path, text: &str) -> Result<Manifest, Problem> {
    let table: Table = text.parse().map_err(|e: toml::de::Error| Problem {
        kind: ProblemKind::BadManifest,
        message: format!("could not parse `Cargo.toml`: {}", e.to_string().trim_end()),
        span: e.span().map(|r| Span::new(r.start, r.end)),
    })?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let workspace = table
        .get("workspace")
        .and_then(Value::as_table)
        .map(|ws| WorkspaceDecl {
            members: string_list(ws.get("members")),
            exclude: string_list(ws.get("exclude")),
            dependencies: ws
                .get("dependencies")
                .and_then(Value::as_table)
                .map(|t| deps_of(t, DepKind::Normal))
                .unwrap_or_default(),
        });
    let package = match table.get("package").and_then(Value::as_table) {
        Some(pkg) => {
            let Some(name) = pkg.get("name").and_then(Value::as_str) else {
                return Err(Problem {
                    kind: ProblemKind::BadManifest,
                    message: "`[package]` has no `name`".into(),
                    span: None,
                });
            };
            Some(package_of(name, pkg, &table))
        }
        None if workspace.is_none() => {
            return Err(Problem {
                kind: ProblemKind::BadManifest,
                message: "`Cargo.toml` has neither `[package]` nor `[workspace]`".into(),
                span: None,
            })
        }
        None => None,
    };
    Ok(Manifest {
        path: path.to_path_buf(),
        dir,
        package,
        workspace,
    })
}

/// Does this (unparseable) manifest text look like it declares a workspace? Lets a broken
/// workspace root still be treated as one, so its members are found by scanning.
pub fn looks_like_workspace(text: &str) -> bool {
    text.lines()
        .any(|l| l.trim_start().starts_with("[workspace"))
}

fn package_of(name: &str, pkg: &Table, root: &Table) -> Package {
    let flag = |key: &str| pkg.get(key).and_then(Value::as_bool).unwrap_or(true);
    let mut dependencies = Vec::new();
    collect_deps(root, &mut dependencies);
    // `[target.'cfg(unix)'.dependencies]` and friends: any platform may be the one built.
    if let Some(targets) = root.get("target").and_then(Value::as_table) {
        for t in targets.values().filter_map(Value::as_table) {
            collect_deps(t, &mut dependencies);
        }
    }
    Package {
        name: name.to_string(),
        workspace_path: pkg
            .get("workspace")
            .and_then(Value::as_str)
            .map(str::to_string),
        lib: root.get("lib").and_then(Value::as_table).map(target_decl),
        bins: target_list(root.get("bin")),
        tests: target_list(root.get("test")),
        benches: target_list(root.get("bench")),
        examples: target_list(root.get("example")),
        autobins: flag("autobins"),
        autotests: flag("autotests"),
        autobenches: flag("autobenches"),
        autoexamples: flag("autoexamples"),
        dependencies,
    }
}

fn collect_deps(table: &Table, out: &mut Vec<Dependency>) {
    const SECTIONS: [(&str, DepKind); 5] = [
        ("dependencies", DepKind::Normal),
        ("build-dependencies", DepKind::Build),
        ("build_dependencies", DepKind::Build),
        ("dev-dependencies", DepKind::Dev),
        ("dev_dependencies", DepKind::Dev),
    ];
    for (section, kind) in SECTIONS {
        if let Some(t) = table.get(section).and_then(Value::as_table) {
            out.extend(deps_of(t, kind));
        }
    }
}

fn deps_of(table: &Table, kind: DepKind) -> Vec<Dependency> {
    table
        .iter()
        .map(|(key, value)| {
            let detail = value.as_table();
            let get_str = |k: &str| {
                detail
                    .and_then(|d| d.get(k))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            };
            Dependency {
                key: key.clone(),
                package: get_str("package"),
                path: get_str("path"),
                workspace: detail
                    .and_then(|d| d.get("workspace"))
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                kind,
            }
        })
        .collect()
}

fn target_decl(t: &Table) -> TargetDecl {
    let get = |k: &str| t.get(k).and_then(Value::as_str).map(str::to_string);
    TargetDecl {
        name: get("name"),
        path: get("path"),
    }
}

fn target_list(v: Option<&Value>) -> Vec<TargetDecl> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_table)
                .map(target_decl)
                .collect()
        })
        .unwrap_or_default()
}

fn string_list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The crate roots of a package, following cargo's target inference: explicit targets
/// first, then (unless `auto*` is off) `src/main.rs`, `src/bin/*`, `tests/*`, `benches/*`,
/// `examples/*`. An explicit target without `path` gets the conventional one. `build.rs`
/// is never a target here.
pub fn targets(pkg: &Package, dir: &Path) -> Vec<Target> {
    let mut out = Vec::new();

    let lib_path = match &pkg.lib {
        Some(TargetDecl { path: Some(p), .. }) => Some(dir.join(p)),
        _ => Some(dir.join("src/lib.rs")).filter(|p| p.is_file()),
    };
    if let Some(root_file) = lib_path {
        let name = pkg
            .lib
            .as_ref()
            .and_then(|l| l.name.clone())
            .unwrap_or_else(|| pkg.name.clone());
        out.push(Target {
            name: crate_name(&name),
            kind: CrateKind::Lib,
            root_file,
        });
    }

    let main_rs = dir.join("src/main.rs");
    let mut bins = explicit(&pkg.bins, dir, "src/bin", CrateKind::Bin, |name| {
        (name == pkg.name && main_rs.is_file()).then(|| main_rs.clone())
    });
    if pkg.autobins {
        let mut inferred = Vec::new();
        if main_rs.is_file() {
            inferred.push((pkg.name.clone(), main_rs.clone()));
        }
        inferred.extend(inferred_in(&dir.join("src/bin")));
        add_inferred(&mut bins, inferred, CrateKind::Bin);
    }
    out.extend(bins);

    for (decls, auto, sub, kind) in [
        (&pkg.tests, pkg.autotests, "tests", CrateKind::Test),
        (&pkg.benches, pkg.autobenches, "benches", CrateKind::Bench),
        (
            &pkg.examples,
            pkg.autoexamples,
            "examples",
            CrateKind::Example,
        ),
    ] {
        let mut targets = explicit(decls, dir, sub, kind, |_| None);
        if auto {
            add_inferred(&mut targets, inferred_in(&dir.join(sub)), kind);
        }
        out.extend(targets);
    }
    out
}

/// Explicitly declared targets; a missing `path` is inferred from the name as cargo does
/// (`<sub>/<name>.rs`, `<sub>/<name>/main.rs`, or `extra(name)` for `src/main.rs`).
fn explicit(
    decls: &[TargetDecl],
    dir: &Path,
    sub: &str,
    kind: CrateKind,
    extra: impl Fn(&str) -> Option<PathBuf>,
) -> Vec<Target> {
    decls
        .iter()
        .filter_map(|d| {
            let name = d.name.clone()?;
            let root_file = match &d.path {
                Some(p) => dir.join(p),
                None => {
                    let flat = dir.join(sub).join(format!("{name}.rs"));
                    let nested = dir.join(sub).join(&name).join("main.rs");
                    if flat.is_file() {
                        flat
                    } else if nested.is_file() {
                        nested
                    } else {
                        extra(&name).unwrap_or(flat)
                    }
                }
            };
            Some(Target {
                name: crate_name(&name),
                kind,
                root_file,
            })
        })
        .collect()
}

/// `<dir>/*.rs` and `<dir>/*/main.rs`, as (target name, root file), sorted.
fn inferred_in(dir: &Path) -> Vec<(String, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<(String, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let path = e.path();
            let name = e.file_name().to_str()?.to_string();
            if name.starts_with('.') {
                return None;
            }
            if path.is_dir() {
                let main = path.join("main.rs");
                return main.is_file().then_some((name, main));
            }
            let stem = name.strip_suffix(".rs")?;
            Some((stem.to_string(), path))
        })
        .collect();
    found.sort();
    found
}

/// Add inferred targets unless an explicit one already has that name or root file.
fn add_inferred(targets: &mut Vec<Target>, inferred: Vec<(String, PathBuf)>, kind: CrateKind) {
    for (name, root_file) in inferred {
        let name = crate_name(&name);
        if targets
            .iter()
            .any(|t| t.name == name || t.root_file == root_file)
        {
            continue;
        }
        targets.push(Target {
            name,
            kind,
            root_file,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_packages_targets_and_dependencies() {
        let text = r#"
            [package]
            name = "chat-api"
            autobenches = false
            [lib]
            name = "api"
            [[bin]]
            name = "server"
            path = "src/server.rs"
            [dependencies]
            core = { package = "chat-core", path = "../core" }
            serde = "1"
            shared = { workspace = true }
            [target.'cfg(unix)'.dependencies]
            unix-only = { path = "../unix" }
            [dev-dependencies]
            helpers = { path = "../helpers" }
            [unknown]
            whatever = 1
        "#;
        let m = parse(Path::new("/w/api/Cargo.toml"), text).unwrap();
        let p = m.package.unwrap();
        assert_eq!(p.name, "chat-api");
        assert_eq!(p.lib.unwrap().name.as_deref(), Some("api"));
        assert_eq!(p.bins.len(), 1);
        assert!(!p.autobenches && p.autobins);
        let core = p.dependencies.iter().find(|d| d.key == "core").unwrap();
        assert_eq!(core.package_name(), "chat-core");
        assert!(p
            .dependencies
            .iter()
            .any(|d| d.key == "shared" && d.workspace));
        assert!(p
            .dependencies
            .iter()
            .any(|d| d.key == "unix-only" && d.kind == DepKind::Normal));
        assert!(p
            .dependencies
            .iter()
            .any(|d| d.key == "helpers" && d.kind == DepKind::Dev));
        assert_eq!(m.dir, Path::new("/w/api"));
    }

    #[test]
    fn bad_toml_is_a_problem_with_span() {
        let err = parse(Path::new("Cargo.toml"), "[package\nname = 1").unwrap_err();
        assert_eq!(err.kind, ProblemKind::BadManifest);
        assert!(err.span.is_some());
        let err = parse(Path::new("Cargo.toml"), "[dependencies]\n").unwrap_err();
        assert_eq!(err.kind, ProblemKind::BadManifest);
        assert!(looks_like_workspace("x = [\n[workspace]\n"));
    }

    #[test]
    fn infers_targets_like_cargo() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for f in [
            "src/lib.rs",
            "src/main.rs",
            "src/bin/tool.rs",
            "src/bin/multi/main.rs",
            "src/bin/multi/helper.rs",
            "tests/it.rs",
            "tests/common/mod.rs",
            "tests/suite/main.rs",
            "benches/speed.rs",
            "examples/demo.rs",
        ] {
            let p = d.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, "").unwrap();
        }
        let m = parse(
            &d.join("Cargo.toml"),
            "[package]\nname = \"my-app\"\nautoexamples = false\n[[bin]]\nname = \"tool\"\n",
        )
        .unwrap();
        let t = targets(m.package.as_ref().unwrap(), d);
        let names: Vec<(&str, CrateKind)> = t.iter().map(|t| (t.name.as_str(), t.kind)).collect();
        assert_eq!(
            names,
            vec![
                ("my_app", CrateKind::Lib),
                ("tool", CrateKind::Bin),
                ("my_app", CrateKind::Bin),
                ("multi", CrateKind::Bin),
                ("it", CrateKind::Test),
                ("suite", CrateKind::Test),
                ("speed", CrateKind::Bench),
            ]
        );
        assert_eq!(t[1].root_file, d.join("src/bin/tool.rs"));
        assert_eq!(t[2].root_file, d.join("src/main.rs"));

        let no_auto = parse(
            &d.join("Cargo.toml"),
            "[package]\nname = \"my-app\"\nautobins = false\n",
        )
        .unwrap();
        let t = targets(no_auto.package.as_ref().unwrap(), d);
        assert!(t.iter().all(|t| t.kind != CrateKind::Bin));
    }
}
