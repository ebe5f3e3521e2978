//! The per-file facts cache end to end: a warm run reports exactly what a cold one does from
//! the cache alone, one changed file is the only one parsed again, corrupt entries are
//! discarded, concurrent runs leave a valid cache, and `--no-cache` writes nothing.

use cargo_ssot::{analyze, CacheSetting, Options};
use std::path::{Path, PathBuf};
use std::process::Command;

mod support;

const BIN: &str = env!("CARGO_BIN_EXE_cargo-ssot");

/// A copy of the legacy chat server fixture (it has findings of most rules).
fn workspace() -> tempfile::TempDir {
    support::fixture_copy("legacy-chat-server")
}

fn json_report(outcome: &cargo_ssot::Outcome) -> String {
    let options = cargo_ssot::report::RenderOptions {
        include_suppressed: true,
        quiet: false,
        color: false,
    };
    let mut out = Vec::new();
    cargo_ssot::report::json::render(outcome, &options, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn run(dir: &Path, cache: &Path) -> cargo_ssot::Outcome {
    analyze(&Options {
        start_dir: dir.to_path_buf(),
        include_suppressed: true,
        cache: CacheSetting::Dir(cache.to_path_buf()),
        ..Options::default()
    })
    .unwrap()
}

fn entries(cache: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(cache)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "bin"))
        .map(|e| e.into_path())
        .collect()
}

#[test]
fn a_warm_run_reports_the_same_from_the_cache_alone() {
    let ws = workspace();
    let cache = tempfile::tempdir().unwrap();
    let uncached = analyze(&Options {
        start_dir: ws.path().to_path_buf(),
        include_suppressed: true,
        ..Options::default()
    })
    .unwrap();
    let cold = run(ws.path(), cache.path());
    let files = cold.index.summary.files_analyzed as u64;
    let stats = cold.index.summary.cache.unwrap();
    assert_eq!((stats.hits, stats.misses), (0, files));
    assert!(stats.written > 0);

    let warm = run(ws.path(), cache.path());
    let stats = warm.index.summary.cache.unwrap();
    assert_eq!((stats.hits, stats.misses), (files, 0), "{stats:?}");
    assert!(!warm.findings.is_empty());
    assert_eq!(json_report(&warm), json_report(&cold));
    assert_eq!(json_report(&warm), json_report(&uncached));
}

#[test]
fn one_changed_file_is_the_only_one_parsed_again() {
    let ws = workspace();
    let cache = tempfile::tempdir().unwrap();
    run(ws.path(), cache.path());
    let lib = ws.path().join("crates/chat-core/src/lib.rs");
    let text = std::fs::read_to_string(&lib).unwrap();
    std::fs::write(&lib, format!("{text}\npub struct AddedLater;\n")).unwrap();
    let after = run(ws.path(), cache.path());
    let stats = after.index.summary.cache.unwrap();
    assert_eq!(stats.misses, 1, "{stats:?}");
    let fresh = analyze(&Options {
        start_dir: ws.path().to_path_buf(),
        include_suppressed: true,
        ..Options::default()
    })
    .unwrap();
    assert_eq!(json_report(&after), json_report(&fresh));
}

#[test]
fn corrupt_entries_are_discarded_and_rewritten() {
    let ws = workspace();
    let cache = tempfile::tempdir().unwrap();
    let cold = run(ws.path(), cache.path());
    let written = entries(cache.path());
    assert!(!written.is_empty());
    for (i, path) in written.iter().enumerate() {
        let mut bytes = std::fs::read(path).unwrap();
        match i % 3 {
            0 => bytes.truncate(bytes.len() / 2),
            1 => {
                let last = bytes.len() - 1;
                bytes[last] ^= 0x55;
            }
            _ => bytes = b"garbage".to_vec(),
        }
        std::fs::write(path, bytes).unwrap();
    }
    let again = run(ws.path(), cache.path());
    let stats = again.index.summary.cache.unwrap();
    assert_eq!(stats.hits, 0, "{stats:?}");
    assert_eq!(json_report(&again), json_report(&cold));
    let third = run(ws.path(), cache.path());
    assert_eq!(third.index.summary.cache.unwrap().misses, 0);
}

#[test]
fn concurrent_processes_leave_a_valid_cache() {
    let ws = workspace();
    let cache = tempfile::tempdir().unwrap();
    let spawn = || {
        Command::new(BIN)
            .args(["check", "--format", "json", "--exit-zero", "--cache-dir"])
            .arg(cache.path())
            .current_dir(ws.path())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let runs: Vec<_> = (0..3).map(|_| spawn()).collect();
    let outputs: Vec<_> = runs
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    for out in &outputs {
        assert!(out.status.success());
        assert_eq!(out.stdout, outputs[0].stdout);
    }
    // Every entry the runs left is whole: a later run of the binary (same build) hits.
    let later = Command::new(BIN)
        .args(["check", "--format", "json", "--exit-zero", "--cache-dir"])
        .arg(cache.path())
        .current_dir(ws.path())
        .output()
        .unwrap();
    assert_eq!(later.stdout, outputs[0].stdout);
    assert!(!entries(cache.path()).is_empty());
    let leftovers = walkdir::WalkDir::new(cache.path())
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp-"))
        .count();
    assert_eq!(leftovers, 0);
}

#[test]
fn the_command_line_caches_under_target_by_default_and_no_cache_writes_nothing() {
    let ws = workspace();
    let out = Command::new(BIN)
        .args(["check", "--format", "json", "--exit-zero", "--no-cache"])
        .current_dir(ws.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(!ws.path().join("target").exists());

    let out = Command::new(BIN)
        .args(["check", "--format", "json", "--exit-zero"])
        .current_dir(ws.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(!entries(&ws.path().join("target/ssot")).is_empty());
}

#[test]
fn an_unusable_cache_directory_is_a_note() {
    let ws = workspace();
    let blocker = ws.path().join("not-a-dir");
    std::fs::write(&blocker, "x").unwrap();
    let out = Command::new(BIN)
        .args([
            "check",
            "--format",
            "json",
            "--exit-zero",
            "--cache-dir",
            "not-a-dir",
        ])
        .current_dir(ws.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cache disabled"), "{stderr}");
}
