//! `--timings` prints every stage to stderr and leaves stdout to the report.

use std::process::Command;

#[test]
fn timings_breakdown_names_every_stage_on_stderr() {
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-ssot"))
        .args([
            "check",
            "fixtures/legacy-chat-server",
            "--timings",
            "--exit-zero",
            // A replay hit (any earlier run of this test) prints only discover/replay/report.
            "--no-cache",
        ])
        .args(["--format", "json"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("runs");
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    for stage in [
        "discover", "config", "load", "read", "extract", "tree", "index", "rules", "filter",
        "report", "total",
    ] {
        assert!(
            stderr.lines().any(|l| l.trim_start().starts_with(stage)),
            "no `{stage}` row in\n{stderr}"
        );
    }
    assert!(stderr.contains(" files, "), "{stderr}");
    // stdout is still exactly the report
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert!(json.is_object());
}
