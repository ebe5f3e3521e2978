//! The baseline workflow end to end, through the binary: record today's findings, then
//! report only what is new, survive unrelated edits, and call fixed entries stale.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_cargo-ssot");

const MANIFEST: &str =
    "[package]\nname = \"chat\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n";
const LIB: &str =
    "pub mod state;\npub mod registry;\n\npub struct ChatManager;\npub struct UserId(pub u64);\n";
const STATE: &str = "\
use crate::ChatManager;

pub static MANAGER: std::sync::Mutex<Option<ChatManager>> = std::sync::Mutex::new(None);
pub static BACKUP: std::sync::Mutex<Option<ChatManager>> = std::sync::Mutex::new(None);
";
const REGISTRY: &str = "\
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub static MANAGERS: Mutex<Option<HashMap<crate::UserId, Arc<crate::ChatManager>>>> = Mutex::new(None);
";

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "Cargo.toml", MANIFEST);
    write(dir.path(), "src/lib.rs", LIB);
    write(dir.path(), "src/state.rs", STATE);
    write(dir.path(), "src/registry.rs", REGISTRY);
    dir
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create dirs");
    }
    std::fs::write(path, text).expect("write file");
}

fn ssot(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run cargo-ssot")
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exit code, not a signal")
}

fn show(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", show(out)))
}

/// `item_path` of every reported finding.
fn reported(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .map(|f| f["item_path"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Record the baseline of the unchanged workspace; it must have something to record.
fn record(ws: &Path) {
    let out = ssot(ws, &["check", "--write-baseline", "ssot-baseline.json"]);
    assert_eq!(code(&out), 0, "writing a baseline exits 0\n{}", show(&out));
    let before = json(&ssot(ws, &["check", "--format", "json"]));
    assert_eq!(
        reported(&before).len(),
        3,
        "three findings to baseline\n{before:#}"
    );
}

#[test]
fn a_fresh_baseline_hides_everything() {
    let ws = workspace();
    record(ws.path());
    let text = std::fs::read_to_string(ws.path().join("ssot-baseline.json")).expect("baseline");
    assert!(
        !text.contains("\"line\""),
        "keys carry no line numbers:\n{text}"
    );

    let out = ssot(ws.path(), &["check", "--baseline", "ssot-baseline.json"]);
    assert_eq!(code(&out), 0, "{}", show(&out));
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(human.contains("no findings"), "{}", show(&out));
    assert!(!human.contains("ssot::singleton-manager"), "{}", show(&out));

    let report = json(&ssot(
        ws.path(),
        &[
            "check",
            "--baseline",
            "ssot-baseline.json",
            "--format",
            "json",
        ],
    ));
    assert!(reported(&report).is_empty(), "{report:#}");
    assert_eq!(report["summary"]["baselined"], 3, "{report:#}");
    assert_eq!(report["summary"]["stale_baseline"], serde_json::json!([]));

    // Shown on request, marked, and still not counted.
    let out = ssot(
        ws.path(),
        &[
            "check",
            "--baseline",
            "ssot-baseline.json",
            "--include-suppressed",
            "--format",
            "json",
        ],
    );
    assert_eq!(code(&out), 0, "{}", show(&out));
    assert_eq!(reported(&json(&out)).len(), 3);
}

#[test]
fn inserted_lines_do_not_break_the_baseline() {
    let ws = workspace();
    record(ws.path());
    let moved = format!("//! State.\n\n// The old global, kept while callers migrate.\n\n{STATE}");
    write(ws.path(), "src/state.rs", &moved);
    let out = ssot(
        ws.path(),
        &[
            "check",
            "--baseline",
            "ssot-baseline.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(code(&out), 0, "{}", show(&out));
    assert!(reported(&json(&out)).is_empty(), "{}", show(&out));
}

#[test]
fn a_new_violation_in_a_baselined_file_is_reported() {
    let ws = workspace();
    record(ws.path());
    let more = format!(
        "{STATE}pub static SPARE: std::sync::Mutex<Option<ChatManager>> = std::sync::Mutex::new(None);\n"
    );
    write(ws.path(), "src/state.rs", &more);
    let out = ssot(
        ws.path(),
        &[
            "check",
            "--baseline",
            "ssot-baseline.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(code(&out), 1, "{}", show(&out));
    let report = json(&out);
    assert_eq!(reported(&report), ["chat::state::SPARE"], "{report:#}");
    assert_eq!(report["findings"][0]["line"], 5);

    let out = ssot(
        ws.path(),
        &[
            "check",
            "--baseline",
            "ssot-baseline.json",
            "--format",
            "short",
        ],
    );
    assert_eq!(code(&out), 1, "{}", show(&out));
    let short = String::from_utf8_lossy(&out.stdout);
    assert_eq!(short.lines().count(), 1, "{short}");
    assert!(short.starts_with("src/state.rs:5:12: error[ssot::singleton-manager]"));
}

#[test]
fn a_fixed_violation_leaves_a_stale_entry() {
    let ws = workspace();
    record(ws.path());
    // BACKUP is gone: the baseline still allows it, so its entry is stale.
    let fixed = STATE.replace(
        "pub static BACKUP: std::sync::Mutex<Option<ChatManager>> = std::sync::Mutex::new(None);\n",
        "",
    );
    write(ws.path(), "src/state.rs", &fixed);
    let out = ssot(
        ws.path(),
        &[
            "check",
            "--baseline",
            "ssot-baseline.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        code(&out),
        0,
        "a stale entry is not a finding\n{}",
        show(&out)
    );
    let report = json(&out);
    assert!(reported(&report).is_empty(), "{report:#}");
    assert_eq!(
        report["summary"]["stale_baseline"],
        serde_json::json!([{
            "file": "src/state.rs",
            "rule": "ssot::singleton-manager",
            "item_path": "chat::state::BACKUP",
            "unused": 1
        }]),
        "{report:#}"
    );

    let out = ssot(ws.path(), &["check", "--baseline", "ssot-baseline.json"]);
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(
        human.contains("1 baseline entry no longer match")
            && human
                .contains("src/state.rs: ssot::singleton-manager chat::state::BACKUP (1 unused)"),
        "{}",
        show(&out)
    );

    // Rewriting the baseline shrinks it: the stale entry is gone.
    let out = ssot(
        ws.path(),
        &["check", "--write-baseline", "ssot-baseline.json"],
    );
    assert_eq!(code(&out), 0, "{}", show(&out));
    let text = std::fs::read_to_string(ws.path().join("ssot-baseline.json")).expect("baseline");
    assert!(!text.contains("BACKUP"), "{text}");
    let report = json(&ssot(
        ws.path(),
        &[
            "check",
            "--baseline",
            "ssot-baseline.json",
            "--format",
            "json",
        ],
    ));
    assert_eq!(report["summary"]["stale_baseline"], serde_json::json!([]));
}

#[test]
fn the_baseline_works_from_any_directory() {
    let ws = workspace();
    record(ws.path());
    let out = ssot(
        &ws.path().join("src"),
        &[
            "check",
            "--baseline",
            "../ssot-baseline.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(code(&out), 0, "{}", show(&out));
    assert!(reported(&json(&out)).is_empty(), "{}", show(&out));
}

#[test]
fn a_missing_or_corrupt_baseline_stops_the_run() {
    let ws = workspace();
    let out = ssot(ws.path(), &["check", "--baseline", "nope.json"]);
    assert_eq!(code(&out), 2, "{}", show(&out));
    write(ws.path(), "bad.json", "{ \"version\": 1, \"entries\": [ {");
    let out = ssot(ws.path(), &["check", "--baseline", "bad.json"]);
    assert_eq!(code(&out), 2, "{}", show(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not a valid cargo-ssot baseline"),
        "{}",
        show(&out)
    );
}

/// A write that fails half-way leaves the previous baseline as it was. The failure is
/// forced deterministically: the report goes to a FIFO, so the process waits (after the
/// analysis, before the baseline write) until this test opens it; meanwhile a directory is
/// put where the writer's temporary file must go (`.<name>.<pid>.tmp` beside the target, see
/// `filter::baseline::write_atomic`), so creating it fails. The unit test
/// `an_interrupted_write_leaves_the_old_baseline` covers a crash after the temporary file is
/// complete.
#[cfg(unix)]
#[test]
fn a_failed_baseline_write_leaves_the_old_file() {
    use std::io::Read;
    let ws = workspace();
    record(ws.path());
    let baseline = ws.path().join("ssot-baseline.json");
    let old = std::fs::read(&baseline).expect("baseline");
    // A rewrite would now record a fourth finding.
    write(
        ws.path(),
        "src/state.rs",
        &format!("{STATE}pub static SPARE: std::sync::Mutex<Option<ChatManager>> = std::sync::Mutex::new(None);\n"),
    );

    let fifo = ws.path().join("report.fifo");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("run mkfifo");
    assert!(made.success());
    let child = Command::new(BIN)
        .args([
            "check",
            "--write-baseline",
            "ssot-baseline.json",
            "--output",
            "report.fifo",
        ])
        .current_dir(ws.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn cargo-ssot");
    let blocker = ws
        .path()
        .join(format!(".ssot-baseline.json.{}.tmp", child.id()));
    std::fs::create_dir(&blocker).expect("block the temporary file");
    let mut report = String::new();
    std::fs::File::open(&fifo)
        .and_then(|mut f| f.read_to_string(&mut report))
        .expect("read the report");
    let out = child.wait_with_output().expect("wait");

    assert_eq!(
        code(&out),
        2,
        "the write must fail (did the temporary file's name change?)\n{}",
        show(&out)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot write the baseline file"),
        "{}",
        show(&out)
    );
    assert!(
        report.contains("SPARE"),
        "the report was written first:\n{report}"
    );
    assert_eq!(
        std::fs::read(&baseline).expect("baseline"),
        old,
        "old baseline intact"
    );
    let leftovers: Vec<String> = std::fs::read_dir(ws.path())
        .expect("read dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert_eq!(leftovers, [blocker.file_name().unwrap().to_string_lossy()]);
}
