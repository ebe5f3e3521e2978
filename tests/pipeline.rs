//! End-to-end properties of the pipeline that no single rule owns.

use cargo_ssot::{analyze, Options};
use std::fs;

fn write(root: &std::path::Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// A file that two crates of one package compile (`mod shared;` in lib.rs and main.rs) is one
/// place on disk: its finding must be reported once, not once per crate.
#[test]
fn a_file_compiled_into_two_crates_reports_each_finding_once() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "Cargo.toml",
        "[package]\nname = \"twice\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write(root, "src/lib.rs", "pub mod shared;\n");
    write(root, "src/main.rs", "mod shared;\nfn main() {}\n");
    write(
        root,
        "src/shared.rs",
        "pub struct ChatManager;\npub static MANAGER: std::sync::Mutex<Option<ChatManager>> = std::sync::Mutex::new(None);\n",
    );
    let outcome = analyze(&Options {
        start_dir: root.to_path_buf(),
        ..Default::default()
    })
    .unwrap();
    let singletons: Vec<_> = outcome
        .active()
        .filter(|f| f.rule == "singleton-manager")
        .collect();
    assert_eq!(singletons.len(), 1, "{singletons:#?}");
}
