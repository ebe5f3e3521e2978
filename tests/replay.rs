//! The replay cache end to end (see `src/replay.rs`): a re-run with nothing changed prints
//! byte for byte what a fresh run prints, in every format; any change to what the run read
//! (a source file, a new `.rs` file, the config, the baseline, a manifest, a missing module
//! file appearing) is noticed and analysed afresh; a corrupt entry is discarded; concurrent
//! runs are safe; runs with side effects are never replayed.

use std::path::{Path, PathBuf};
use std::process::Command;

mod support;

const BIN: &str = env!("CARGO_BIN_EXE_cargo-ssot");
const REPLAYED: &str = "result replayed";

/// A copy of the legacy chat server fixture (findings of most rules, a config, an
/// excluded backups directory).
fn workspace() -> tempfile::TempDir {
    support::fixture_copy("legacy-chat-server")
}

#[derive(Debug, PartialEq)]
struct Run {
    stdout: Vec<u8>,
    code: Option<i32>,
}

/// Run `check` in `dir` with the cache in `cache` (`None`: `--no-cache`), with `--timings`
/// so stderr says whether the result was replayed.
fn check(dir: &Path, cache: Option<&Path>, args: &[&str]) -> (Run, String) {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir)
        .arg("check")
        .args(args)
        .arg("--timings");
    match cache {
        Some(c) => cmd.arg("--cache-dir").arg(c),
        None => cmd.arg("--no-cache"),
    };
    cmd.env_remove("SSOT_EAGER_BODIES").env("NO_COLOR", "1");
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (
        Run {
            stdout: out.stdout,
            code: out.status.code(),
        },
        stderr,
    )
}

/// A run with the cache that must (or must not) be a replay, and must print what a fresh
/// `--no-cache` run prints.
fn expect(dir: &Path, cache: &Path, args: &[&str], replayed: bool) -> String {
    let (run, stderr) = check(dir, Some(cache), args);
    assert_eq!(stderr.contains(REPLAYED), replayed, "{args:?}\n{stderr}");
    let (fresh, _) = check(dir, None, args);
    assert_eq!(
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&fresh.stdout),
        "{args:?}"
    );
    assert_eq!(run, fresh, "{args:?}");
    stderr
}

#[test]
fn a_warm_hit_prints_what_a_fresh_run_prints_in_every_format() {
    let ws = workspace();
    let cache = tempfile::tempdir().unwrap();
    for format in ["json", "sarif", "human", "short", "cargo-json", "github"] {
        let args = ["--format", format];
        let (cold, stderr) = check(ws.path(), Some(cache.path()), &args);
        assert!(!stderr.contains(REPLAYED), "{format}: {stderr}");
        assert!(stderr.contains("not replayed"), "{format}: {stderr}");
        let (warm, stderr) = check(ws.path(), Some(cache.path()), &args);
        assert!(stderr.contains(REPLAYED), "{format}: {stderr}");
        assert!(!cold.stdout.is_empty(), "{format}");
        assert_eq!(cold, warm, "{format}");
        assert_eq!(cold.code, Some(1), "{format}: the legacy server has errors");
        let (fresh, _) = check(ws.path(), None, &args);
        assert_eq!(warm, fresh, "{format}");
    }
    // Options that shape the output are part of the key; `-q` is not replayed from the
    // run without it.
    expect(ws.path(), cache.path(), &["--format", "human", "-q"], false);
    expect(ws.path(), cache.path(), &["--format", "human", "-q"], true);
    expect(
        ws.path(),
        cache.path(),
        &["--format", "json", "--exit-zero"],
        false,
    );
    expect(
        ws.path(),
        cache.path(),
        &["--format", "json", "--exit-zero"],
        true,
    );
    // Threads do not shape the output: another thread count replays the same entry.
    expect(
        ws.path(),
        cache.path(),
        &["--format", "json", "-j", "1"],
        true,
    );
}

#[test]
fn a_hit_writes_the_report_to_the_output_file_of_this_run() {
    let ws = workspace();
    let cache = tempfile::tempdir().unwrap();
    let first = ws.path().join("first.json");
    let second = ws.path().join("second.json");
    let (_, stderr) = check(
        ws.path(),
        Some(cache.path()),
        &["--format", "json", "-o", first.to_str().unwrap()],
    );
    assert!(!stderr.contains(REPLAYED));
    let (run, stderr) = check(
        ws.path(),
        Some(cache.path()),
        &["--format", "json", "-o", second.to_str().unwrap()],
    );
    assert!(stderr.contains(REPLAYED), "{stderr}");
    assert!(run.stdout.is_empty());
    let a = std::fs::read(&first).unwrap();
    assert!(!a.is_empty());
    assert_eq!(a, std::fs::read(&second).unwrap());
}

fn edit(path: &Path, f: impl FnOnce(String) -> String) {
    let text = std::fs::read_to_string(path).unwrap();
    std::fs::write(path, f(text)).unwrap();
}

fn find_rs(dir: &Path, name: &str) -> PathBuf {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| e.file_name() == name && !e.path().to_string_lossy().contains("backups"))
        .unwrap_or_else(|| panic!("{name} in the fixture"))
        .into_path()
}

#[test]
fn every_kind_of_input_change_is_noticed() {
    let ws = workspace();
    let cache = tempfile::tempdir().unwrap();
    let args = ["--format", "json"];
    let miss = |why: &str| {
        let stderr = expect(ws.path(), cache.path(), &args, false);
        assert!(stderr.contains(why), "expected `{why}`:\n{stderr}");
        expect(ws.path(), cache.path(), &args, true);
    };
    expect(ws.path(), cache.path(), &args, false);
    expect(ws.path(), cache.path(), &args, true);

    // A source file's content: a new singleton shows up.
    let lib = find_rs(ws.path(), "lib.rs");
    edit(&lib, |t| {
        t + "\npub struct PingManager;\npub static PINGS: std::sync::OnceLock<PingManager> = std::sync::OnceLock::new();\n"
    });
    miss("a file changed");

    // A new .rs file no crate reaches: listed as unreachable.
    std::fs::write(lib.with_file_name("stale_copy.rs"), "pub fn old() {}\n").unwrap();
    miss("the set of .rs files changed");

    // The config.
    edit(&ws.path().join("ssot.toml"), |t| {
        t.replace(
            r#"direct-construction = "error""#,
            r#"direct-construction = "warn""#,
        )
    });
    miss("the config changed");

    // A manifest (a text-only change that discovery does not see is still a change).
    let manifest = ws.path().join("Cargo.toml");
    edit(&manifest, |t| t + "\n# a comment\n");
    miss("");

    // A new member package: discovery finds another crate.
    let extra = ws.path().join("crates/chat-extra");
    std::fs::create_dir_all(extra.join("src")).unwrap();
    std::fs::write(
        extra.join("Cargo.toml"),
        "[package]\nname = \"chat-extra\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    std::fs::write(
        extra.join("src/lib.rs"),
        "pub struct ExtraManager;\npub static EXTRA: std::sync::OnceLock<ExtraManager> = std::sync::OnceLock::new();\n",
    )
    .unwrap();
    miss("the workspace layout or a manifest changed");

    // A module file that was missing appears.
    edit(&lib, |t| t + "\nmod ghost;\n");
    miss("a file changed");
    std::fs::write(
        lib.with_file_name("ghost.rs"),
        "pub struct GhostRegistry;\npub static GHOSTS: std::sync::Mutex<Vec<GhostRegistry>> = std::sync::Mutex::new(Vec::new());\n",
    )
    .unwrap();
    miss("");
}

#[test]
fn a_baseline_change_is_noticed() {
    let ws = workspace();
    let cache = tempfile::tempdir().unwrap();
    let baseline = ws.path().join("ssot-baseline.json");
    let (_, stderr) = check(
        ws.path(),
        Some(cache.path()),
        &["--write-baseline", baseline.to_str().unwrap()],
    );
    assert!(
        !stderr.contains(REPLAYED),
        "--write-baseline is never replayed"
    );
    let args = ["--format", "json", "--baseline", "ssot-baseline.json"];
    expect(ws.path(), cache.path(), &args, false);
    let stderr = expect(ws.path(), cache.path(), &args, true);
    assert!(stderr.contains(REPLAYED));
    // Drop the baseline's entries: every finding counts again.
    edit(&baseline, |t| {
        let mut v: serde_json::Value = serde_json::from_str(&t).unwrap();
        let entries = v
            .as_object_mut()
            .and_then(|o| o.values_mut().find(|x| x.is_array()))
            .expect("a list of entries");
        *entries = serde_json::Value::Array(Vec::new());
        serde_json::to_string_pretty(&v).unwrap()
    });
    let stderr = expect(ws.path(), cache.path(), &args, false);
    assert!(stderr.contains("a file changed"), "{stderr}");
}

#[test]
fn a_module_file_out_of_the_tree_that_appears_is_noticed() {
    // `#[path]` to a file outside every workspace root: no walk sees it appear.
    let top = tempfile::tempdir().unwrap();
    let ws = top.path().join("app");
    std::fs::create_dir_all(ws.join("src")).unwrap();
    std::fs::write(
        ws.join("Cargo.toml"),
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    std::fs::write(
        ws.join("src/lib.rs"),
        "#[path = \"../../shared/ghost.rs\"]\nmod ghost;\n",
    )
    .unwrap();
    let cache = top.path().join("cache");
    let args = ["--format", "json"];
    expect(&ws, &cache, &args, false);
    expect(&ws, &cache, &args, true);
    std::fs::create_dir_all(top.path().join("shared")).unwrap();
    std::fs::write(
        top.path().join("shared/ghost.rs"),
        "pub struct GhostManager;\npub static GHOST: std::sync::OnceLock<GhostManager> = std::sync::OnceLock::new();\n",
    )
    .unwrap();
    let stderr = expect(&ws, &cache, &args, false);
    assert!(stderr.contains("missing exists now"), "{stderr}");
    expect(&ws, &cache, &args, true);

    // Its child is `inner/mod.rs` because there is no `inner.rs`; one that appears wins.
    let shared = top.path().join("shared");
    std::fs::create_dir_all(shared.join("inner")).unwrap();
    std::fs::write(shared.join("inner/mod.rs"), "pub fn f() {}\n").unwrap();
    edit(&shared.join("ghost.rs"), |t| t + "mod inner;\n");
    expect(&ws, &cache, &args, false);
    expect(&ws, &cache, &args, true);
    std::fs::write(
        shared.join("inner.rs"),
        "pub struct InnerManager;\npub static INNER: std::sync::OnceLock<InnerManager> = std::sync::OnceLock::new();\n",
    )
    .unwrap();
    let stderr = expect(&ws, &cache, &args, false);
    assert!(stderr.contains("missing exists now"), "{stderr}");
}

fn run_entries(cache: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(cache)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "run"))
        .map(|e| e.into_path())
        .collect()
}

#[test]
fn a_corrupt_entry_is_discarded_and_rewritten() {
    let ws = workspace();
    let cache = tempfile::tempdir().unwrap();
    let args = ["--format", "sarif"];
    expect(ws.path(), cache.path(), &args, false);
    let entries = run_entries(cache.path());
    assert_eq!(entries.len(), 1);
    for damage in [
        |b: &mut Vec<u8>| {
            let mid = b.len() / 2;
            b[mid] ^= 0x20;
        },
        |b: &mut Vec<u8>| b.truncate(b.len() - 3),
        |b: &mut Vec<u8>| b.clear(),
    ] {
        let mut bytes = std::fs::read(&entries[0]).unwrap();
        damage(&mut bytes);
        std::fs::write(&entries[0], &bytes).unwrap();
        let stderr = expect(ws.path(), cache.path(), &args, false);
        assert!(stderr.contains("no entry"), "{stderr}");
        expect(ws.path(), cache.path(), &args, true);
    }
}

#[test]
fn concurrent_runs_are_safe() {
    let ws = workspace();
    let cache = tempfile::tempdir().unwrap();
    let args = ["--format", "json"];
    let (fresh, _) = check(ws.path(), None, &args);
    for _ in 0..2 {
        let runs: Vec<Run> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|_| s.spawn(|| check(ws.path(), Some(cache.path()), &args).0))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for run in runs {
            assert_eq!(run, fresh);
        }
    }
    expect(ws.path(), cache.path(), &args, true);
    let leftovers: Vec<_> = walkdir::WalkDir::new(cache.path())
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn side_effecting_and_uncached_runs_are_never_replayed() {
    let ws = workspace();
    let cache = tempfile::tempdir().unwrap();
    let args = ["--format", "cargo-json"];
    expect(ws.path(), cache.path(), &args, false);
    expect(ws.path(), cache.path(), &args, true);
    let (_, stderr) = check(ws.path(), Some(cache.path()), &["--diff"]);
    assert!(!stderr.contains(REPLAYED) && !stderr.contains("not replayed"));
    // The eager reference mode neither reads nor writes entries.
    let out = Command::new(BIN)
        .current_dir(ws.path())
        .args([
            "check",
            "--format",
            "cargo-json",
            "--timings",
            "--cache-dir",
        ])
        .arg(cache.path())
        .env("SSOT_EAGER_BODIES", "1")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("replay"));
    // --no-cache writes nothing at all (the default cache would be `target/ssot`).
    check(ws.path(), None, &args);
    assert!(!ws.path().join("target").exists());
}

#[test]
fn a_cache_that_cannot_be_written_never_fails_the_run() {
    let ws = workspace();
    let args = ["--format", "json"];
    let (fresh, _) = check(ws.path(), None, &args);
    // The cache directory is a file.
    let not_a_dir = ws.path().join("cache-file");
    std::fs::write(&not_a_dir, "x").unwrap();
    for _ in 0..2 {
        let (run, stderr) = check(ws.path(), Some(&not_a_dir), &args);
        assert_eq!(run, fresh, "{stderr}");
        assert!(!stderr.contains(REPLAYED), "{stderr}");
    }
    // The entry's place is taken by a directory: not replayed, not recorded, still right.
    let cache = tempfile::tempdir().unwrap();
    expect(ws.path(), cache.path(), &args, false);
    let entry = run_entries(cache.path()).pop().expect("an entry");
    std::fs::remove_file(&entry).unwrap();
    std::fs::create_dir(&entry).unwrap();
    for _ in 0..2 {
        let stderr = expect(ws.path(), cache.path(), &args, false);
        assert!(stderr.contains("not recorded"), "{stderr}");
    }
}

#[test]
fn a_file_that_could_not_be_read_is_checked_too() {
    let ws = workspace();
    let cache = tempfile::tempdir().unwrap();
    let args = ["--format", "json"];
    let lib = find_rs(ws.path(), "lib.rs");
    edit(&lib, |t| t + "\nmod latin1;\n");
    let bad = lib.with_file_name("latin1.rs");
    std::fs::write(&bad, b"pub fn caf\xe9() {}\n").unwrap();
    expect(ws.path(), cache.path(), &args, false);
    expect(ws.path(), cache.path(), &args, true);
    std::fs::write(&bad, "pub struct CafeManager;\npub static CAFE: std::sync::OnceLock<CafeManager> = std::sync::OnceLock::new();\n").unwrap();
    let stderr = expect(ws.path(), cache.path(), &args, false);
    assert!(stderr.contains("a file changed"), "{stderr}");
    expect(ws.path(), cache.path(), &args, true);
}
