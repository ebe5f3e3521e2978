//! cargo-ssot where users meet it: as a cargo subcommand, as a pre-commit hook, and with
//! `--fix` / `--diff` on a copy of the legacy chat server.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod support;

const BIN: &str = env!("CARGO_BIN_EXE_cargo-ssot");
const REPO: &str = env!("CARGO_MANIFEST_DIR");

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create dirs");
    }
    std::fs::write(path, text).expect("write file");
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exit code, not a signal")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn show(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    )
}

fn ssot(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run cargo-ssot")
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", show(out)))
}

fn findings(report: &serde_json::Value) -> &[serde_json::Value] {
    report["findings"].as_array().map_or(&[], Vec::as_slice)
}

// ---------------------------------------------------------------------------------------
// cargo subcommand

#[test]
fn cargo_ssot_runs_from_a_subdirectory_of_the_workspace() {
    let tmp = tempfile::tempdir().expect("temp dir");
    // cargo finds `cargo-ssot` on PATH; it also looks in $CARGO_HOME/bin (before PATH in
    // some versions), so that points at the same directory: an installed older cargo-ssot
    // can never answer instead of the binary under test.
    let home = tmp.path().join("cargo-home");
    let bin_dir = home.join("bin");
    std::fs::create_dir_all(&bin_dir).expect("bin dir");
    link_or_copy(Path::new(BIN), &bin_dir.join("cargo-ssot"));
    let path = std::env::join_paths(
        std::iter::once(bin_dir.clone()).chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        )),
    )
    .expect("PATH");

    let ws = tmp.path().join("ws");
    write(&ws, "Cargo.toml", "[workspace]\nmembers = [\"chat\"]\n");
    write(
        &ws,
        "chat/Cargo.toml",
        "[package]\nname = \"chat\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write(
        &ws,
        "chat/src/lib.rs",
        "pub mod state;\npub struct ChatManager;\n",
    );
    write(
        &ws,
        "chat/src/state.rs",
        "pub static MANAGER: std::sync::Mutex<Option<crate::ChatManager>> = std::sync::Mutex::new(None);\n",
    );

    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let run = |args: &[&str]| {
        Command::new(&cargo)
            .args(args)
            .current_dir(ws.join("chat/src"))
            .env("PATH", &path)
            .env("CARGO_HOME", &home)
            .env("NO_COLOR", "1")
            .output()
            .expect("run cargo")
    };

    let out = run(&["ssot", "check", "--format", "short"]);
    assert_eq!(code(&out), 1, "{}", show(&out));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("state.rs:1:12: error[ssot::singleton-manager]"),
        "{}",
        show(&out)
    );

    let out = run(&["ssot", "--format", "short"]);
    assert_eq!(code(&out), 1, "no subcommand means check\n{}", show(&out));

    let out = run(&["ssot", "--version"]);
    assert_eq!(code(&out), 0, "{}", show(&out));
    assert_eq!(
        text(&out.stdout).trim(),
        format!("cargo-ssot {}", env!("CARGO_PKG_VERSION"))
    );

    // The same binary run directly, in both spellings.
    for args in [&["ssot", "check"][..], &["check"][..]] {
        let out = ssot(&ws.join("chat/src"), args);
        assert_eq!(code(&out), 1, "{args:?}\n{}", show(&out));
        assert!(text(&out.stdout).contains("ssot::singleton-manager"));
    }
}

fn link_or_copy(from: &Path, to: &Path) {
    #[cfg(unix)]
    if std::os::unix::fs::symlink(from, to).is_ok() {
        return;
    }
    std::fs::copy(from, to).expect("copy the binary");
}

// ---------------------------------------------------------------------------------------
// pre-commit

#[test]
fn pre_commit_hook_refuses_a_violating_commit_and_accepts_the_fix() {
    if std::env::var_os("CARGO_SSOT_SKIP_PRE_COMMIT").is_some() {
        eprintln!("SKIPPED: CARGO_SSOT_SKIP_PRE_COMMIT is set");
        return;
    }
    let has_python = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_python {
        eprintln!("SKIPPED: python3 is not installed; the pre-commit hook test needs it");
        return;
    }
    // Kept between runs: the venv, pre-commit's cache and the hook's build.
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("precommit");
    let out = Command::new("bash")
        .arg(Path::new(REPO).join("scripts/test-pre-commit.sh"))
        .arg(&work)
        .output()
        .expect("run scripts/test-pre-commit.sh");
    assert!(out.status.success(), "{}", show(&out));
    assert!(
        text(&out.stdout).contains("pre-commit hook test: PASS"),
        "{}",
        show(&out)
    );
}

// ---------------------------------------------------------------------------------------
// --fix and --diff

/// A copy of `fixtures/<name>` in a temp dir (without any `target/`).
/// Every file under `dir`, relative path → contents.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).expect("read dir") {
            let path = entry.expect("dir entry").path();
            // Build output (cargo's, and the facts cache in `target/ssot`) is not the code.
            if path.is_dir() && path.file_name().is_some_and(|n| n == "target") {
                continue;
            }
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).expect("under root").to_path_buf();
                out.insert(rel, std::fs::read(&path).expect("read file"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// `(file, item_path)` of every `rule` finding, split by whether it carries a fix.
fn by_fix(report: &serde_json::Value, rule: &str) -> (Vec<String>, Vec<String>) {
    let key = |f: &serde_json::Value| format!("{} {}", f["file"], f["item_path"]);
    let of_rule: Vec<&serde_json::Value> = findings(report)
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect();
    (
        of_rule
            .iter()
            .filter(|f| !f["fix"].is_null())
            .map(|f| key(f))
            .collect(),
        of_rule
            .iter()
            .filter(|f| f["fix"].is_null())
            .map(|f| key(f))
            .collect(),
    )
}

#[test]
fn fix_rewrites_the_legacy_imports_and_the_code_still_parses() {
    let ws = support::fixture_copy("legacy-chat-server");
    let before = json(&ssot(ws.path(), &["check", "--format", "json"]));
    let (fixable, unfixable) = by_fix(&before, "ssot::non-canonical-import");
    assert!(fixable.len() >= 3, "{fixable:?}");

    let out = ssot(ws.path(), &["check", "--fix", "--format", "json"]);
    // Other rules' findings remain, so the status is still 1.
    assert_eq!(code(&out), 1, "{}", show(&out));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("ssot: fixed {} findings in", fixable.len())),
        "{stderr}"
    );
    assert!(
        stderr
            .contains("ssot: fixed crates/chat-api/src/compat.rs:4:5: ssot::non-canonical-import"),
        "{stderr}"
    );
    // The report after --fix leaves out what was fixed.
    let reported = json(&out);
    let (left_fixable, _) = by_fix(&reported, "ssot::non-canonical-import");
    assert!(left_fixable.is_empty(), "{left_fixable:?}");

    let after = json(&ssot(ws.path(), &["check", "--format", "json"]));
    let (fixable_after, unfixable_after) = by_fix(&after, "ssot::non-canonical-import");
    assert!(fixable_after.is_empty(), "{fixable_after:?}");
    // Only the findings that had no fix are left (a type path written inline in a fn body).
    assert_eq!(unfixable_after, unfixable);
    assert!(
        findings(&after).iter().all(|f| f["fix"].is_null()),
        "no fixable finding of any rule is left"
    );
    assert_eq!(
        findings(&after).len() + fixable.len(),
        findings(&before).len(),
        "--fix changes nothing but the fixed findings"
    );

    for (rel, bytes) in snapshot(ws.path()) {
        if rel.extension().is_some_and(|e| e == "rs") {
            let source = String::from_utf8(bytes).expect("UTF-8");
            if let Err(e) = syn::parse_file(&source) {
                panic!("{} no longer parses: {e}\n{source}", rel.display());
            }
        }
    }

    // Fixing is a fixed point.
    let again = ssot(ws.path(), &["check", "--diff"]);
    assert_eq!(code(&again), 0, "{}", show(&again));
    assert!(again.stdout.is_empty(), "{}", show(&again));
}

#[test]
fn diff_writes_nothing_and_applies_to_the_same_result_as_fix() {
    let ws = support::fixture_copy("rules/non-canonical-import");
    let before = snapshot(ws.path());
    let out = ssot(ws.path(), &["check", "--diff"]);
    assert_eq!(code(&out), 1, "there is something to fix\n{}", show(&out));
    assert_eq!(snapshot(ws.path()), before, "--diff wrote nothing");
    let diff = text(&out.stdout);
    assert!(diff.starts_with("--- a/"), "{diff}");
    assert!(diff.contains("\n+++ b/"), "{diff}");
    assert!(diff.contains("\n@@ -"), "{diff}");
    assert!(text(&out.stderr).contains("to fix in"), "{}", show(&out));

    // The diff is a real patch: applied to the untouched tree it gives what --fix writes.
    let fixed = support::fixture_copy("rules/non-canonical-import");
    let out = ssot(fixed.path(), &["check", "--fix", "--exit-zero", "-q"]);
    assert_eq!(code(&out), 0, "{}", show(&out));
    let patch = ws.path().join("fixes.patch");
    std::fs::write(&patch, &diff).expect("write patch");
    let applied = Command::new("git")
        .args(["apply", "--verbose", "fixes.patch"])
        .current_dir(ws.path())
        .output()
        .expect("run git apply");
    assert!(applied.status.success(), "{}", show(&applied));
    std::fs::remove_file(&patch).expect("remove patch");
    let patched = snapshot(ws.path());
    assert_ne!(patched, before);
    assert_eq!(patched, snapshot(fixed.path()));

    // --output takes the diff instead of stdout.
    let ws = support::fixture_copy("rules/non-canonical-import");
    let out_file = tempfile::NamedTempFile::new().expect("temp file");
    let out = ssot(
        ws.path(),
        &[
            "check",
            "--diff",
            "--exit-zero",
            "--output",
            &out_file.path().to_string_lossy(),
        ],
    );
    assert_eq!(code(&out), 0, "{}", show(&out));
    assert!(out.stdout.is_empty());
    assert_eq!(
        std::fs::read_to_string(out_file.path()).expect("diff file"),
        diff
    );
}

#[cfg(unix)]
#[test]
fn fix_never_writes_through_a_symlink_that_leaves_the_workspace() {
    let ws = support::fixture_copy("legacy-chat-server");
    let outside = tempfile::tempdir().expect("temp dir");
    let compat = ws.path().join("crates/chat-api/src/compat.rs");
    let target = outside.path().join("compat.rs");
    std::fs::rename(&compat, &target).expect("move compat.rs out");
    std::os::unix::fs::symlink(&target, &compat).expect("symlink");
    let outside_before = std::fs::read(&target).expect("read");

    let out = ssot(ws.path(), &["check", "--fix", "--format", "short"]);
    assert_eq!(code(&out), 1, "{}", show(&out));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("not writing `crates/chat-api/src/compat.rs`: it resolves to")
            && stderr.contains("outside the workspace"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&target).expect("read"), outside_before);
    assert!(std::fs::symlink_metadata(&compat)
        .expect("still there")
        .file_type()
        .is_symlink());
    // The refused file's finding is still reported; the others were fixed.
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("crates/chat-api/src/compat.rs:4:5: error[ssot::non-canonical-import]"),
        "{stdout}"
    );
    assert!(
        stderr.contains("ssot: fixed crates/chat-core/src/session.rs:5:29"),
        "{stderr}"
    );
}

#[test]
fn fix_and_diff_do_not_combine_with_write_baseline() {
    let ws = support::fixture_copy("rules/non-canonical-import");
    for args in [
        &["check", "--fix", "--diff"][..],
        &["check", "--fix", "--write-baseline", "b.json"][..],
        &["check", "--diff", "--write-baseline", "b.json"][..],
    ] {
        let out = ssot(ws.path(), args);
        assert_eq!(code(&out), 2, "{args:?}\n{}", show(&out));
    }
}
