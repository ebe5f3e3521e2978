//! The migrated chat server is the "after" picture users are pointed at, so it must be real,
//! working Rust: it is built here (std only, offline), tests included, into a throwaway
//! target directory so the repository stays clean.

use std::path::Path;
use std::process::Command;

#[test]
fn ssot_chat_server_fixture_compiles() {
    let manifest =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ssot-chat-server/Cargo.toml");
    let target = tempfile::tempdir().expect("a temporary target directory");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "check",
            "--offline",
            "--quiet",
            "--all-targets",
            "--manifest-path",
        ])
        .arg(&manifest)
        .env("CARGO_TARGET_DIR", target.path())
        .output()
        .expect("cargo can be run");
    assert!(
        output.status.success(),
        "`cargo check` of {} failed ({}):\n{}",
        manifest.display(),
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    // A clean "after" picture compiles without warnings too.
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("warning"),
        "`cargo check` of {} warned:\n{stderr}",
        manifest.display()
    );
}
