//! Loader tests on small workspaces built in temp dirs.

use super::*;
use crate::config::{ConfigFile, Spanned};
use crate::index::CrateKind;
use crate::workspace::discover::discover;

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

fn temp_root() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(tmp.path()).unwrap();
    (tmp, root)
}

fn load_dir(start: &Path, config: &Config) -> Index {
    let discovery = discover(start).unwrap();
    load(&discovery, config, Some(2))
}

/// `crate::a::b` style paths of every module, sorted.
fn module_paths(index: &Index) -> Vec<String> {
    let mut v: Vec<String> = index
        .modules
        .iter()
        .enumerate()
        .map(|(i, _)| index.module_path(ModuleId(i as u32)))
        .collect();
    v.sort();
    v
}

fn module<'i>(index: &'i Index, path: &str) -> &'i Module {
    let i = (0..index.modules.len())
        .find(|&i| index.module_path(ModuleId(i as u32)) == path)
        .unwrap_or_else(|| panic!("no module {path}: {:?}", module_paths(index)));
    &index.modules[i]
}

fn file<'i>(index: &'i Index, rel: &str) -> &'i IndexedFile {
    index
        .files
        .iter()
        .find(|f| f.source.rel_path == rel)
        .unwrap_or_else(|| panic!("no file {rel}"))
}

fn problems(index: &Index) -> Vec<(ProblemKind, String)> {
    index
        .problems
        .iter()
        .map(|p| (p.problem.kind.clone(), p.path.clone()))
        .collect()
}

/// A small lib crate at `root` whose `src/lib.rs` is `lib` plus a healthy `mod fine;`,
/// so each bad-input test can check the rest is still analysed.
fn lib_package(root: &Path, lib: &str) {
    write(
        root,
        &[
            ("Cargo.toml", "[package]\nname = \"p\"\n"),
            ("src/lib.rs", &format!("mod fine;\n{lib}")),
            ("src/fine.rs", "pub mod deeper;\n"),
            ("src/fine/deeper.rs", ""),
        ],
    );
}

fn assert_rest_analysed(index: &Index) {
    let paths = module_paths(index);
    assert!(paths.contains(&"p::fine::deeper".to_string()), "{paths:?}");
}

#[test]
fn loads_a_multi_crate_workspace() {
    let (_tmp, root) = temp_root();
    write(
        &root,
        &[
            ("Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n"),
            ("crates/core/Cargo.toml", "[package]\nname = \"chat-core\"\n"),
            (
                "crates/core/src/lib.rs",
                "pub mod ws;\nmod a { mod b; pub mod c { mod d; } }\n\
                 #[path = \"legacy/old_impl.rs\"]\npub mod compat;\n\
                 #[cfg(test)]\nmod tests;\nmod test_support;\n",
            ),
            ("crates/core/src/ws.rs", "pub mod manager;\n"),
            ("crates/core/src/ws/manager.rs", "pub struct WebSocketManager;\n"),
            ("crates/core/src/ws/manager_backup.rs", "pub struct Old;\n"),
            ("crates/core/src/old_lib.rs", ""),
            ("crates/core/src/a/b.rs", ""),
            ("crates/core/src/a/c/d.rs", ""),
            ("crates/core/src/legacy/old_impl.rs", "mod inner;\n"),
            ("crates/core/src/legacy/inner.rs", ""),
            ("crates/core/src/tests.rs", "mod more;\n"),
            ("crates/core/src/tests/more.rs", ""),
            ("crates/core/src/test_support.rs", "#![cfg(test)]\n"),
            ("crates/core/build.rs", "fn main() {}\n"),
            (
                "crates/app/Cargo.toml",
                "[package]\nname = \"chat-app\"\n[dependencies]\nchat-core = { path = \"../core\" }\n",
            ),
            ("crates/app/src/main.rs", "mod cli;\nfn main() {}\n"),
            ("crates/app/src/cli/mod.rs", "mod args;\n"),
            ("crates/app/src/cli/args.rs", ""),
            ("crates/app/tests/smoke.rs", "mod common;\n"),
            ("crates/app/tests/common/mod.rs", ""),
            ("target/debug/gen.rs", ""),
            (".git/hooks/x.rs", ""),
        ],
    );
    let index = load_dir(&root, &Config::default());
    assert!(index.problems.is_empty(), "{:?}", index.problems);
    assert_eq!(index.root, root);

    let crates: Vec<(&str, CrateKind, bool)> = index
        .crates
        .iter()
        .map(|c| (c.name.as_str(), c.kind, c.is_test))
        .collect();
    assert_eq!(
        crates,
        vec![
            ("chat_app", CrateKind::Bin, false),
            ("smoke", CrateKind::Test, true),
            ("chat_core", CrateKind::Lib, false),
        ]
    );
    let core = CrateId(2);
    assert_eq!(index.crates[0].deps.get("chat_core"), Some(&core));
    assert_eq!(index.crates[1].deps.get("chat_app"), None, "no lib to see");

    assert_eq!(
        module_paths(&index),
        vec![
            "chat_app",
            "chat_app::cli",
            "chat_app::cli::args",
            "chat_core",
            "chat_core::a",
            "chat_core::a::b",
            "chat_core::a::c",
            "chat_core::a::c::d",
            "chat_core::compat",
            "chat_core::compat::inner",
            "chat_core::test_support",
            "chat_core::tests",
            "chat_core::tests::more",
            "chat_core::ws",
            "chat_core::ws::manager",
            "smoke",
            "smoke::common",
        ]
    );

    // Inline modules live in their file at a scope, and are registered by (file, scope).
    let c = module(&index, "chat_core::a::c");
    let lib_rs = file(&index, "crates/core/src/lib.rs");
    assert_eq!(
        c.scope,
        vec![ScopeSeg::Mod("a".into()), ScopeSeg::Mod("c".into())]
    );
    assert_eq!(index.file(c.file).source.rel_path, lib_rs.source.rel_path);
    assert!(c.public);
    assert_eq!(
        index.module_by_file_scope.get(&(c.file, c.scope.clone())),
        Some(&ModuleId(
            index
                .modules
                .iter()
                .position(|m| std::ptr::eq(m, c))
                .unwrap() as u32
        ))
    );
    let a = module(&index, "chat_core::a");
    assert!(!a.public);
    assert!(a.children.contains_key("b") && a.children.contains_key("c"));
    let root_module = module(&index, "chat_core");
    assert_eq!(
        index.crates[2].root_module,
        index.module_by_file_scope[&(root_module.file, vec![])]
    );

    // Test code.
    assert!(module(&index, "chat_core::tests").in_test);
    assert!(module(&index, "chat_core::tests::more").in_test);
    assert!(file(&index, "crates/core/src/tests/more.rs").in_test);
    assert!(module(&index, "chat_core::test_support").in_test);
    assert!(!module(&index, "chat_core::ws::manager").in_test);
    assert!(!module(&index, "chat_core::compat::inner").in_test);
    assert!(file(&index, "crates/app/tests/common/mod.rs").in_test);
    assert!(!file(&index, "crates/app/src/cli/args.rs").in_test);

    // Roles point at the module each file is.
    for (i, f) in index.files.iter().enumerate() {
        let FileRole::Module { krate, module } = f.role else {
            panic!("config file without config")
        };
        assert_eq!(index.module(module).file, FileId(i as u32));
        assert_eq!(index.module(module).krate, krate);
    }

    assert_eq!(
        index.summary.files_unreachable,
        vec![
            "crates/core/src/old_lib.rs",
            "crates/core/src/ws/manager_backup.rs"
        ]
    );
    assert_eq!(index.summary.workspaces, 1);
    assert_eq!(index.summary.crates, 3);
    assert_eq!(index.summary.files_analyzed, index.files.len());
    assert_eq!(index.summary.files_analyzed, 15);
    assert!(index.summary.bytes_analyzed > 0 && index.summary.lines_analyzed >= 17);
}

#[test]
fn report_paths_are_relative_to_the_start_dir() {
    let (_tmp, root) = temp_root();
    write(
        &root,
        &[
            ("Cargo.toml", "[workspace]\nmembers = [\"a\", \"b\"]\n"),
            ("a/Cargo.toml", "[package]\nname = \"a\"\n"),
            ("a/src/lib.rs", ""),
            ("b/Cargo.toml", "[package]\nname = \"b\"\n"),
            ("b/src/lib.rs", ""),
        ],
    );
    let index = load_dir(&root.join("a/src"), &Config::default());
    let mut paths: Vec<&str> = index
        .files
        .iter()
        .map(|f| f.source.rel_path.as_str())
        .collect();
    paths.sort();
    assert_eq!(paths, vec!["../../b/src/lib.rs", "lib.rs"]);
}

#[test]
fn a_file_shared_by_two_crates_is_parsed_once() {
    let (_tmp, root) = temp_root();
    write(
        &root,
        &[
            ("Cargo.toml", "[package]\nname = \"p\"\n"),
            ("src/lib.rs", "mod shared;\n"),
            ("src/main.rs", "mod shared;\nfn main() {}\n"),
            ("src/shared.rs", "mod inner { }\nmod gone;\n"),
        ],
    );
    let index = load_dir(&root, &Config::default());
    assert_eq!(
        problems(&index),
        vec![(ProblemKind::MissingModule, "src/shared.rs".into())]
    );
    let shared: Vec<&IndexedFile> = index
        .files
        .iter()
        .filter(|f| f.source.rel_path == "src/shared.rs")
        .collect();
    assert_eq!(shared.len(), 2);
    assert_eq!(shared[0].source.hash, shared[1].source.hash);
    assert_eq!(shared[0].facts.items.len(), 2);
    assert_eq!(shared[1].facts.items.len(), 2);
    assert_eq!(index.summary.files_analyzed, 3);
    assert_eq!(
        module_paths(&index),
        vec![
            "p",
            "p",
            "p::shared",
            "p::shared",
            "p::shared::inner",
            "p::shared::inner"
        ]
    );
    // The bin sees its package's lib.
    assert_eq!(index.crates[1].deps.get("p"), Some(&CrateId(0)));
}

#[test]
fn a_missing_module_file_points_at_the_mod_item() {
    let (_tmp, root) = temp_root();
    lib_package(&root, "pub mod gone;\n");
    let index = load_dir(&root, &Config::default());
    assert_eq!(index.problems.len(), 1, "{:?}", index.problems);
    let p = &index.problems[0];
    assert_eq!(p.problem.kind, ProblemKind::MissingModule);
    assert_eq!(p.path, "src/lib.rs");
    let file = p.file.unwrap();
    assert_eq!(
        index.span_text(file, p.problem.span.unwrap()),
        "pub mod gone;"
    );
    assert!(
        p.problem.message.contains("src/gone.rs"),
        "{}",
        p.problem.message
    );
    assert_rest_analysed(&index);
}

#[test]
fn a_path_cycle_is_reported_not_followed() {
    let (_tmp, root) = temp_root();
    lib_package(&root, "mod a;\n");
    write(
        &root,
        &[
            ("src/a.rs", "#[path = \"b.rs\"]\nmod b;\n"),
            (
                "src/b.rs",
                "#[path = \"a.rs\"]\nmod again;\n#[path = \"lib.rs\"]\nmod top;\n",
            ),
        ],
    );
    let index = load_dir(&root, &Config::default());
    let kinds = problems(&index);
    assert_eq!(
        kinds,
        vec![
            (ProblemKind::ModuleCycle, "src/b.rs".to_string()),
            (ProblemKind::ModuleCycle, "src/b.rs".to_string())
        ]
    );
    assert!(module_paths(&index).contains(&"p::a::b".to_string()));
    assert_rest_analysed(&index);
}

#[cfg(unix)]
#[test]
fn symlink_loops_do_not_hang() {
    let (_tmp, root) = temp_root();
    lib_package(&root, "mod selfish;\nmod up;\n");
    // A file symlinked to itself, and a directory symlinked to its parent.
    std::os::unix::fs::symlink("selfish.rs", root.join("src/selfish.rs")).unwrap();
    std::fs::create_dir_all(root.join("src/up")).unwrap();
    std::os::unix::fs::symlink("..", root.join("src/up/back")).unwrap();
    write(
        &root,
        &[(
            "src/up/mod.rs",
            "#[path = \"back/up/mod.rs\"]\nmod again;\n",
        )],
    );
    let index = load_dir(&root, &Config::default());
    let kinds = problems(&index);
    assert!(
        kinds.contains(&(ProblemKind::SymlinkLoop, "src/lib.rs".to_string())),
        "{kinds:?}"
    );
    // `up/back/mod.rs` is `up/mod.rs` again: a cycle. The tree walk sees the loop too.
    assert!(
        kinds.contains(&(ProblemKind::ModuleCycle, "src/up/mod.rs".to_string())),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&(ProblemKind::SymlinkLoop, "src/up/back".to_string())),
        "{kinds:?}"
    );
    assert_rest_analysed(&index);
    assert!(module_paths(&index).contains(&"p::up".to_string()));
}

#[test]
fn an_unreadable_file_is_a_problem() {
    let (_tmp, root) = temp_root();
    lib_package(&root, "mod dir_not_file;\nmod locked;\n");
    // A directory where the module file should be: unreadable for everyone, root included.
    std::fs::create_dir_all(root.join("src/dir_not_file.rs")).unwrap();
    write(&root, &[("src/locked.rs", "")]);
    #[cfg(unix)]
    let locked = {
        use std::os::unix::fs::PermissionsExt;
        let p = root.join("src/locked.rs");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
        // chmod does not stop root from reading; only expect a problem when it does.
        std::fs::read(&p).is_err()
    };
    #[cfg(not(unix))]
    let locked = false;
    let index = load_dir(&root, &Config::default());
    let kinds = problems(&index);
    assert!(kinds.contains(&(ProblemKind::Unreadable, "src/dir_not_file.rs".to_string())));
    assert_eq!(
        kinds.contains(&(ProblemKind::Unreadable, "src/locked.rs".to_string())),
        locked
    );
    assert_rest_analysed(&index);
}

#[test]
fn a_non_utf8_file_reports_where() {
    let (_tmp, root) = temp_root();
    lib_package(&root, "mod latin1;\n");
    std::fs::write(root.join("src/latin1.rs"), b"// ok\n// caf\xe9\n").unwrap();
    let index = load_dir(&root, &Config::default());
    assert_eq!(index.problems.len(), 1);
    let p = &index.problems[0];
    assert_eq!(p.problem.kind, ProblemKind::NotUtf8);
    assert_eq!(p.path, "src/latin1.rs");
    assert!(
        p.problem.message.contains("offset 12 (line 2)"),
        "{}",
        p.problem.message
    );
    assert_eq!(p.problem.span, Some(Span::new(12, 13)));
    assert_rest_analysed(&index);
}

#[test]
fn a_huge_file_is_skipped() {
    let (_tmp, root) = temp_root();
    lib_package(&root, "mod generated;\n");
    let f = std::fs::File::create(root.join("src/generated.rs")).unwrap();
    f.set_len(MAX_FILE_BYTES + 1).unwrap(); // sparse: cheap to create
    let index = load_dir(&root, &Config::default());
    assert_eq!(
        problems(&index),
        vec![(ProblemKind::TooLarge, "src/generated.rs".into())]
    );
    assert_rest_analysed(&index);
    assert!(index.summary.files_unreachable.is_empty());
}

#[test]
fn a_bad_manifest_leaves_the_other_packages() {
    let (_tmp, root) = temp_root();
    write(
        &root,
        &[
            ("Cargo.toml", "[workspace]\nmembers = [\"p\", \"broken\"]\n"),
            (
                "broken/Cargo.toml",
                "[package]\nname = \"broken\"\nversion = \n",
            ),
            ("broken/src/lib.rs", ""),
        ],
    );
    lib_package(&root.join("p"), "");
    let index = load_dir(&root, &Config::default());
    assert_eq!(
        problems(&index),
        vec![(ProblemKind::BadManifest, "broken/Cargo.toml".into())]
    );
    assert_rest_analysed(&index);
    // Its files are not "unreachable": they were never analysable.
    assert!(index.summary.files_unreachable.is_empty());
}

#[test]
fn a_parse_problem_is_copied_with_its_file() {
    let (_tmp, root) = temp_root();
    lib_package(&root, "mod broken;\n");
    write(&root, &[("src/broken.rs", "fn (\n")]);
    let index = load_dir(&root, &Config::default());
    assert_eq!(
        problems(&index),
        vec![(ProblemKind::Parse, "src/broken.rs".into())]
    );
    assert!(index.problems[0].file.is_some());
    assert_rest_analysed(&index);
}

#[test]
fn config_exclude_and_config_file() {
    let (_tmp, root) = temp_root();
    lib_package(&root, "mod generated;\nmod legacy;\n");
    write(
        &root,
        &[
            ("src/generated.rs", "mod big;\n"),
            ("src/generated/big.rs", ""),
            ("src/legacy/mod.rs", ""),
            ("src/legacy/stale.rs", ""),
            (
                "ssot.toml",
                "exclude = [\"src/generated.rs\", \"src/legacy/\"]\n",
            ),
        ],
    );
    let text = std::fs::read_to_string(root.join("ssot.toml")).unwrap();
    let config = Config {
        file: Some(ConfigFile {
            path: root.join("ssot.toml"),
            rel_path: "ssot.toml".into(),
            text,
            embedded_in_manifest: false,
        }),
        exclude: vec![
            Spanned::new("src/generated.rs".into(), Span::default()),
            Spanned::new("src/legacy/".into(), Span::default()),
        ],
        ..Config::default()
    };
    let index = load_dir(&root, &config);
    assert!(index.problems.is_empty(), "{:?}", index.problems);
    assert_rest_analysed(&index);
    let paths = module_paths(&index);
    assert!(!paths
        .iter()
        .any(|p| p.contains("generated") || p.contains("legacy")));
    // generated.rs, legacy/mod.rs, legacy/stale.rs; generated/big.rs is not followed, so it
    // is simply unreachable.
    assert_eq!(index.summary.files_excluded, 3);
    assert_eq!(index.summary.exclude_hits, vec![1, 2]);
    // The same with the globs compiled by config loading.
    let compiled = Config {
        exclude_set: crate::config::ExcludeSet::new(root.clone(), &config.exclude).unwrap(),
        ..config.clone()
    };
    let again = load_dir(&root, &compiled);
    assert_eq!(again.summary.exclude_hits, vec![1, 2]);
    assert_eq!(
        again.summary.files_unreachable,
        vec!["src/generated/big.rs"]
    );
    assert_eq!(
        index.summary.files_unreachable,
        vec!["src/generated/big.rs"]
    );
    let cfg = index.config_file.unwrap();
    assert!(matches!(index.file(cfg).role, FileRole::Config));
    assert_eq!(index.file(cfg).source.rel_path, "ssot.toml");
    assert_eq!(index.summary.files_analyzed, 3);
}

#[test]
fn dev_only_packages_and_test_dirs_are_test_code() {
    let (_tmp, root) = temp_root();
    write(
        &root,
        &[
            ("Cargo.toml", "[workspace]\nmembers = [\"app\", \"fake\"]\n"),
            (
                "app/Cargo.toml",
                "[package]\nname = \"app\"\n[dev-dependencies]\nfake = { path = \"../fake\" }\n",
            ),
            (
                "app/src/lib.rs",
                "#[path = \"../tests/helpers.rs\"]\nmod helpers;\n",
            ),
            ("app/tests/helpers.rs", ""),
            ("app/examples/demo.rs", ""),
            ("fake/Cargo.toml", "[package]\nname = \"fake\"\n"),
            ("fake/src/lib.rs", ""),
        ],
    );
    let index = load_dir(&root, &Config::default());
    let fake = index.crates.iter().find(|c| c.name == "fake").unwrap();
    assert!(fake.is_test);
    assert!(file(&index, "fake/src/lib.rs").in_test);
    assert!(!file(&index, "app/src/lib.rs").in_test);
    assert!(file(&index, "app/tests/helpers.rs").in_test);
    let demo = index.crates.iter().find(|c| c.name == "demo").unwrap();
    assert!(demo.is_test && demo.kind == CrateKind::Example);
    assert!(demo.deps.contains_key("fake") && demo.deps.contains_key("app"));
    let app = index.crates.iter().find(|c| c.name == "app").unwrap();
    assert!(!app.deps.contains_key("fake"));
}

#[test]
fn cfg_switched_twins() {
    let (_tmp, root) = temp_root();
    write(
        &root,
        &[
            ("Cargo.toml", "[package]\nname = \"p\"\n"),
            (
                "src/lib.rs",
                "#[cfg(unix)]\nmod sys;\n#[cfg(not(unix))]\nmod sys;\n\
                 #[cfg(unix)]\n#[path = \"imp/unix.rs\"]\nmod imp;\n\
                 #[cfg(windows)]\n#[path = \"imp/windows.rs\"]\nmod imp;\n\
                 #[cfg(unix)]\nmod inline {}\n#[cfg(windows)]\nmod inline {}\n",
            ),
            ("src/sys.rs", ""),
            ("src/imp/unix.rs", ""),
            ("src/imp/windows.rs", ""),
        ],
    );
    let index = load_dir(&root, &Config::default());
    assert!(index.problems.is_empty(), "{:?}", index.problems);
    // The same file once; two alternative files both analysed (the first is the child).
    assert_eq!(
        module_paths(&index),
        vec!["p", "p::imp", "p::imp", "p::inline", "p::sys"]
    );
    let lib = module(&index, "p");
    let imp = index.module(lib.children["imp"]);
    assert_eq!(index.file(imp.file).source.rel_path, "src/imp/unix.rs");
    assert!(index.summary.files_unreachable.is_empty());
}

#[test]
fn inline_module_directories_follow_rustc() {
    let (_tmp, root) = temp_root();
    write(
        &root,
        &[
            ("Cargo.toml", "[package]\nname = \"p\"\n"),
            (
                "src/lib.rs",
                "mod x;\n#[path = \"elsewhere\"]\nmod y { mod z; }\n",
            ),
            // x.rs is not a mod.rs file: its inline module's children live in x/inner/.
            (
                "src/x.rs",
                "mod inner { mod leaf; }\n#[path = \"sib.rs\"]\nmod sib;\n",
            ),
            ("src/x/inner/leaf.rs", ""),
            ("src/sib.rs", ""),
            ("src/elsewhere/z.rs", ""),
        ],
    );
    let index = load_dir(&root, &Config::default());
    assert!(index.problems.is_empty(), "{:?}", index.problems);
    assert_eq!(
        module_paths(&index),
        vec![
            "p",
            "p::x",
            "p::x::inner",
            "p::x::inner::leaf",
            "p::x::sib",
            "p::y",
            "p::y::z"
        ]
    );
}

/// 10k files in a 100×100 tree. Run with `--ignored` to see the time.
#[test]
#[ignore]
fn loads_ten_thousand_files_quickly() {
    let (_tmp, root) = temp_root();
    let mut lib = String::new();
    write(&root, &[("Cargo.toml", "[package]\nname = \"big\"\n")]);
    for i in 0..100 {
        lib.push_str(&format!("pub mod m{i};\n"));
        let mut m = String::new();
        for j in 0..100 {
            m.push_str(&format!("pub mod f{j};\n"));
            std::fs::create_dir_all(root.join(format!("src/m{i}"))).unwrap();
            std::fs::write(
                root.join(format!("src/m{i}/f{j}.rs")),
                "pub struct S;\nmod inline { pub fn f() {} }\n",
            )
            .unwrap();
        }
        std::fs::write(root.join(format!("src/m{i}.rs")), m).unwrap();
    }
    write(&root, &[("src/lib.rs", &lib)]);
    let started = std::time::Instant::now();
    let index = load_dir(&root, &Config::default());
    let took = started.elapsed();
    eprintln!("loaded {} files in {took:?}", index.files.len());
    assert_eq!(index.summary.files_analyzed, 10_101);
    assert!(index.problems.is_empty());
}

/// Load a real tree: `SSOT_LOAD_DIR=/path cargo test --lib load_real_tree -- --ignored
/// --nocapture` prints crates, counts, problems and unreachable files.
#[test]
#[ignore]
fn load_real_tree() {
    let Some(dir) = std::env::var_os("SSOT_LOAD_DIR") else {
        return;
    };
    let started = std::time::Instant::now();
    let discovery = discover(Path::new(&dir)).unwrap();
    let index = load(&discovery, &Config::default(), None);
    eprintln!("took {:?}", started.elapsed());
    for c in &index.crates {
        let mut deps: Vec<&String> = c.deps.keys().collect();
        deps.sort();
        eprintln!(
            "crate {} ({:?}, test={}) deps={deps:?}",
            c.name, c.kind, c.is_test
        );
    }
    for p in &index.problems {
        eprintln!(
            "problem {:?} {}: {}",
            p.problem.kind, p.path, p.problem.message
        );
    }
    for u in &index.summary.files_unreachable {
        eprintln!("unreachable {u}");
    }
    let s = &index.summary;
    eprintln!(
        "{} workspaces, {} crates, {} files, {} lines, {} unreachable, {} modules",
        s.workspaces,
        s.crates,
        s.files_analyzed,
        s.lines_analyzed,
        s.files_unreachable.len(),
        index.modules.len()
    );
}

#[test]
fn modules_declared_inside_item_macros_are_followed() {
    let (_tmp, root) = temp_root();
    write(
        &root,
        &[
            ("Cargo.toml", "[package]\nname = \"p\"\n"),
            (
                "src/lib.rs",
                "cfg_if::cfg_if! {\n    if #[cfg(unix)] {\n        mod sys;\n    } else {\n        #[path = \"sys_other.rs\"]\n        mod sys;\n    }\n}\ncfg_net! {\n    pub mod net;\n}\n",
            ),
            ("src/sys.rs", ""),
            ("src/sys_other.rs", ""),
            ("src/net.rs", "cfg_select! {\n    test => { mod fake; }\n    _ => { mod real; }\n}\n"),
            ("src/net/fake.rs", ""),
            ("src/net/real.rs", ""),
        ],
    );
    let index = load_dir(&root, &Config::default());
    assert_eq!(problems(&index), vec![]);
    assert_eq!(index.summary.files_unreachable, Vec::<String>::new());
    assert_eq!(index.summary.files_analyzed, 6);
    assert!(module(&index, "p::net::fake").in_test);
    assert!(!module(&index, "p::net::real").in_test);
}

#[test]
fn modules_named_for_test_support_are_test_code() {
    let (_tmp, root) = temp_root();
    write(
        &root,
        &[
            ("Cargo.toml", "[package]\nname = \"p\"\n"),
            (
                "src/lib.rs",
                "pub mod test_sink;\npub mod madsim_test_utils;\npub mod testing { pub mod inner {} }\npub mod latest;\npub mod contest_results;\n",
            ),
            ("src/test_sink.rs", ""),
            ("src/madsim_test_utils.rs", ""),
            ("src/latest.rs", ""),
            ("src/contest_results.rs", ""),
        ],
    );
    let index = load_dir(&root, &Config::default());
    assert!(module(&index, "p::test_sink").in_test);
    assert!(module(&index, "p::madsim_test_utils").in_test);
    assert!(module(&index, "p::testing::inner").in_test);
    assert!(!module(&index, "p::latest").in_test);
    assert!(!module(&index, "p::contest_results").in_test);
    assert!(file(&index, "src/test_sink.rs").in_test);
}

#[test]
fn included_files_join_the_including_module() {
    let (_tmp, root) = temp_root();
    write(
        &root,
        &[
            ("Cargo.toml", "[package]\nname = \"p\"\n"),
            (
                "src/main.rs",
                "include!(\"./opt.rs\");\nmod cli { include!(\"cli/args.rs\"); }\ninclude!(\"gone.rs\");\ninclude!(\"../../../../../../etc/hostname\");\nfn main() {}\n",
            ),
            ("src/opt.rs", "pub struct Opt;\nmod helper;\n"),
            ("src/helper.rs", "pub struct Helper;\n"),
            ("src/cli/args.rs", "pub struct Args;\n"),
        ],
    );
    let index = load_dir(&root, &Config::default());
    assert_eq!(index.summary.files_unreachable, Vec::<String>::new());
    assert_eq!(index.summary.files_analyzed, 4);
    let opt = file(&index, "src/opt.rs");
    assert!(
        matches!(opt.role, FileRole::Module { module, .. } if index.module_path(module) == "p")
    );
    let args = file(&index, "src/cli/args.rs");
    assert!(
        matches!(args.role, FileRole::Module { module, .. } if index.module_path(module) == "p::cli")
    );
    assert_eq!(module(&index, "p::helper").path, ["helper"]);
    let mut got = problems(&index);
    got.sort_by_key(|(k, _)| format!("{k:?}"));
    assert_eq!(
        got,
        vec![
            (ProblemKind::MissingModule, "src/main.rs".into()),
            (ProblemKind::SymlinkLoop, "src/main.rs".into())
        ]
    );
    assert!(index
        .problems
        .iter()
        .any(|p| p.problem.message.contains("include!(\"gone.rs\")")));
    assert!(index
        .problems
        .iter()
        .any(|p| p.problem.message.contains("outside the workspace")));
}

#[cfg(unix)]
#[test]
fn a_device_named_by_path_is_not_read() {
    let (_tmp, root) = temp_root();
    lib_package(&root, "#[path = \"/dev/zero\"]\nmod endless;\n");
    let index = load_dir(&root, &Config::default());
    assert!(
        index
            .problems
            .iter()
            .any(|p| p.problem.message.contains("not a regular file")),
        "{:?}",
        problems(&index)
    );
    assert_rest_analysed(&index);
}
