//! Lazy fn bodies change no output: every fixture gives the same JSON report (findings,
//! problems, summary) whether every fn body is parsed up front or only those a rule can
//! need. `SSOT_LAZY_CHECK_DIRS` (paths separated by `:`) runs the same comparison on other
//! trees, e.g. real workspaces: `SSOT_LAZY_CHECK_DIRS=/src/a:/src/b cargo test --release
//! --test lazy_bodies`.

use cargo_ssot::report::{json, RenderOptions};
use cargo_ssot::{analyze, Options};
use std::path::{Path, PathBuf};

fn report(dir: &Path, eager_bodies: bool) -> String {
    let outcome = analyze(&Options {
        start_dir: dir.to_path_buf(),
        include_suppressed: true,
        eager_bodies,
        ..Options::default()
    })
    .unwrap_or_else(|e| panic!("{}: {e:?}", dir.display()));
    let options = RenderOptions {
        include_suppressed: true,
        quiet: false,
        color: false,
    };
    let mut out = Vec::new();
    json::render(&outcome, &options, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn fixture_dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut dirs = Vec::new();
    for base in [root.clone(), root.join("rules")] {
        for entry in std::fs::read_dir(&base).unwrap() {
            let path = entry.unwrap().path();
            if path.join("Cargo.toml").is_file() {
                dirs.push(path);
            }
        }
    }
    dirs.sort();
    dirs
}

fn assert_same(dir: &Path) {
    let eager = report(dir, true);
    let lazy = report(dir, false);
    if eager != lazy {
        let first = eager
            .lines()
            .zip(lazy.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "{}: lazy bodies change the report from line {}:\neager: {}\nlazy:  {}",
            dir.display(),
            first + 1,
            eager.lines().nth(first).unwrap_or(""),
            lazy.lines().nth(first).unwrap_or("")
        );
    }
}

#[test]
fn every_fixture_reports_the_same_with_lazy_bodies() {
    let dirs = fixture_dirs();
    assert!(dirs.len() > 10, "{dirs:?}");
    for dir in dirs {
        assert_same(&dir);
    }
}

#[test]
fn trees_named_in_the_environment_report_the_same() {
    let Some(dirs) = std::env::var_os("SSOT_LAZY_CHECK_DIRS") else {
        return;
    };
    for dir in std::env::split_paths(&dirs) {
        assert_same(&dir);
    }
}
