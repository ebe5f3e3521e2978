//! The binary end to end: exit codes, subcommands, formats, files written. Each test builds a
//! small workspace in a temp dir and runs `cargo-ssot` in it.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_cargo-ssot");

const SINGLETON: &str = "static M: std::sync::Mutex<Option<ChatManager>> = std::sync::Mutex::new(None);\npub struct ChatManager;\n";
const CLEAN: &str = "pub struct Config {\n    pub port: u16,\n}\n\npub fn port(c: &Config) -> u16 {\n    c.port\n}\n";

/// A one-package workspace named `chat` with `src/lib.rs` = `lib`.
fn package(lib: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "Cargo.toml",
        "[package]\nname = \"chat\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
    );
    write(dir.path(), "src/lib.rs", lib);
    dir
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create dirs");
    }
    std::fs::write(path, text).expect("write file");
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("run cargo-ssot")
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exit code, not a signal")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("UTF-8 stdout")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            stdout(out),
            stderr(out)
        )
    })
}

#[test]
fn clean_crate_exits_0() {
    let ws = package(CLEAN);
    let out = run(ws.path(), &["check"]);
    assert_eq!(
        code(&out),
        0,
        "stdout:\n{}\nstderr:\n{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(stdout(&out).contains("no findings"), "{}", stdout(&out));
    let out = run(ws.path(), &["--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(json(&out)["findings"].as_array().map(Vec::len), Some(0));
}

#[test]
fn singleton_exits_1_and_is_reported() {
    let ws = package(SINGLETON);
    let out = run(ws.path(), &[]);
    assert_eq!(
        code(&out),
        1,
        "stdout:\n{}\nstderr:\n{}",
        stdout(&out),
        stderr(&out)
    );
    let text = stdout(&out);
    assert!(text.contains("ssot::singleton-manager"), "{text}");
    assert!(text.contains("src/lib.rs:1:8"), "{text}");
    assert!(!text.contains('\u{1b}'), "no color into a pipe: {text}");

    let out = run(ws.path(), &["check", "--exit-zero"]);
    assert_eq!(code(&out), 0);
}

#[test]
fn cargo_subcommand_form_is_the_same_as_direct() {
    let ws = package(SINGLETON);
    let direct = run(ws.path(), &["check", "--format", "json"]);
    let via_cargo = run(ws.path(), &["ssot", "check", "--format", "json"]);
    assert_eq!(code(&direct), code(&via_cargo));
    assert_eq!(stdout(&direct), stdout(&via_cargo));
    let bare = run(ws.path(), &["ssot", "--format", "json"]);
    assert_eq!(stdout(&direct), stdout(&bare), "no subcommand means check");
}

#[test]
fn json_has_the_documented_fields() {
    let ws = package(SINGLETON);
    let out = run(ws.path(), &["check", "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(doc["version"], 1);
    let f = &doc["findings"][0];
    for field in [
        "rule",
        "level",
        "message",
        "help",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "byte_start",
        "byte_end",
        "item_path",
        "related",
        "fix",
        "suppressed",
    ] {
        assert!(f.get(field).is_some(), "finding lacks `{field}`: {f}");
    }
    assert_eq!(f["rule"], "ssot::singleton-manager");
    assert_eq!(f["level"], "error");
    assert_eq!(f["file"], "src/lib.rs");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(1), Some(8))
    );
    assert_eq!(
        (f["byte_start"].as_u64(), f["byte_end"].as_u64()),
        (Some(7), Some(8))
    );
    assert!(doc["problems"].is_array());
    let s = &doc["summary"];
    for field in [
        "files_analyzed",
        "lines_analyzed",
        "files_unreachable",
        "files_unreachable_paths",
        "files_excluded",
        "parse_failures",
        "crates",
        "workspaces",
        "by_rule",
        "errors",
        "warnings",
        "notes",
        "suppressed",
        "stale_baseline",
    ] {
        assert!(s.get(field).is_some(), "summary lacks `{field}`: {s}");
    }
    assert_eq!(s["files_analyzed"], 1);
    assert_eq!(s["by_rule"]["ssot::singleton-manager"], 1);
    assert_eq!(s["errors"], 1);
}

#[test]
fn short_format_is_one_line_per_finding() {
    let ws = package(SINGLETON);
    let out = run(ws.path(), &["check", "--format", "short"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.lines()
            .any(|l| l.starts_with("src/lib.rs:1:8: error[ssot::singleton-manager] ")),
        "{text}"
    );
}

#[test]
fn output_writes_the_report_to_a_file() {
    let ws = package(SINGLETON);
    let out = run(
        ws.path(),
        &["check", "--format", "json", "--output", "report.json"],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "report went to the file, not stdout");
    let text = std::fs::read_to_string(ws.path().join("report.json")).expect("report written");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("JSON report");
    assert_eq!(doc["findings"][0]["rule"], "ssot::singleton-manager");

    let out = run(ws.path(), &["check", "--output", "missing/dir/report.txt"]);
    assert_eq!(code(&out), 2, "a missing directory is not created");
}

#[test]
fn color_follows_the_flag() {
    let ws = package(SINGLETON);
    let out = run(ws.path(), &["check", "--color", "always"]);
    assert!(stdout(&out).contains('\u{1b}'), "{}", stdout(&out));
    let out = run(ws.path(), &["check", "--color", "never"]);
    assert!(!stdout(&out).contains('\u{1b}'));
}

#[test]
fn paths_narrow_what_is_reported() {
    let ws = package(&format!("mod other;\n{SINGLETON}"));
    write(ws.path(), "src/other.rs", "pub fn f() {}\n");
    let out = run(ws.path(), &["check", "src/other.rs"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let out = run(ws.path(), &["check", "src/lib.rs"]);
    assert_eq!(code(&out), 1, "{}{}", stdout(&out), stderr(&out));
    let out = run(ws.path(), &["check", "src/nope.rs"]);
    assert_eq!(code(&out), 2, "a path that does not exist is a usage error");
}

/// Outside every package, a PATH names what to analyse: the package around it, never every
/// project below the current directory (which could be a home directory or /tmp).
#[test]
fn a_path_outside_the_current_package_analyses_only_its_own_package() {
    let outside = tempfile::tempdir().expect("temp dir");
    let manifest = |name: &str| {
        format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n")
    };
    for name in ["proj", "sibling"] {
        write(
            outside.path(),
            &format!("{name}/Cargo.toml"),
            &manifest(name),
        );
        write(outside.path(), &format!("{name}/src/lib.rs"), SINGLETON);
    }
    write(outside.path(), "loose/x.rs", SINGLETON);

    let out = run(
        outside.path(),
        &["check", "proj/src/lib.rs", "--format", "json", "--no-cache"],
    );
    assert_eq!(code(&out), 1, "{}{}", stdout(&out), stderr(&out));
    let report = json(&out);
    assert_eq!(report["summary"]["workspaces"], 1, "{report}");
    let files: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["file"].as_str().or(f["path"].as_str()))
        .collect();
    assert!(
        !files.is_empty() && files.iter().all(|f| !f.contains("sibling")),
        "{files:?}"
    );

    // No package around the PATH: a pointed error, not an analysis of the siblings.
    let out = run(outside.path(), &["check", "loose", "--no-cache"]);
    assert_eq!(code(&out), 2, "{}{}", stdout(&out), stderr(&out));
    assert!(
        stderr(&out).contains("no `Cargo.toml` found"),
        "{}",
        stderr(&out)
    );
}

/// A small tree has every fn body parsed (lazy extraction would skip this one: no rule
/// needs it), so a syntax error inside a body is a reported problem, as with a full parse.
#[test]
fn a_syntax_error_inside_a_fn_body_is_reported_on_a_small_tree() {
    let ws = package("pub fn f() -> u32 {\n    let x = ;\n    1\n}\n");
    let out = run(ws.path(), &["check", "--format", "json", "--no-cache"]);
    let report = json(&out);
    assert_eq!(report["summary"]["parse_failures"], 1, "{report}");
    assert_eq!(report["problems"][0]["kind"], "parse", "{report}");
    assert_eq!(report["problems"][0]["line"], 2, "{report}");
}

#[test]
fn bad_config_exits_2() {
    let ws = package(CLEAN);
    write(ws.path(), "ssot.toml", "[concepts\nthis is not toml\n");
    let out = run(ws.path(), &["check"]);
    assert_eq!(code(&out), 2, "stdout:\n{}", stdout(&out));
    assert!(!stderr(&out).is_empty());

    let ws = package(CLEAN);
    let out = run(ws.path(), &["check", "--config", "does-not-exist.toml"]);
    assert_eq!(code(&out), 2, "a config that was asked for must exist");
}

#[test]
fn no_workspace_exits_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run(dir.path(), &["check"]);
    assert_eq!(code(&out), 2, "stdout:\n{}", stdout(&out));
    assert!(!stderr(&out).is_empty());
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    for args in [
        &["nope"][..],
        &["check", "--format", "xml"],
        &["check", "--threads", "0"],
        &["--no-such-flag"],
    ] {
        let out = run(dir.path(), args);
        assert_eq!(code(&out), 2, "{args:?}");
        assert!(!stderr(&out).is_empty(), "{args:?}");
    }
    for args in [
        &["--help"][..],
        &["--version"],
        &["ssot", "check", "--help"],
    ] {
        assert_eq!(code(&run(dir.path(), args)), 0, "{args:?}");
    }
}

#[test]
fn rules_lists_every_rule() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run(dir.path(), &["rules"]);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    let ids = [
        "singleton-manager",
        "singleton-accessor",
        "global-registry",
        "duplicate-concept",
        "non-canonical-import",
        "direct-construction",
        "shim-defines-type",
        "factory-missing-context",
        "config-unresolved",
        "suppression-missing-reason",
        "unused-suppression",
    ];
    for id in ids {
        assert!(
            text.contains(&format!("ssot::{id} ")),
            "{id} missing:\n{text}"
        );
    }
    assert_eq!(text.matches("ssot::").count(), ids.len(), "{text}");
}

#[test]
fn explain_prints_the_rule_with_its_example() {
    let dir = tempfile::tempdir().expect("temp dir");
    let meta = cargo_ssot::rules::meta::get("singleton-manager").expect("rule metadata");
    for rule in ["singleton-manager", "ssot::singleton-manager"] {
        let out = run(dir.path(), &["ssot", "explain", rule]);
        assert_eq!(code(&out), 0);
        let text = stdout(&out);
        assert!(text.starts_with("ssot::singleton-manager"), "{text}");
        assert!(text.contains(meta.bad.trim_end()), "bad example:\n{text}");
        assert!(text.contains(meta.good.trim_end()), "good example:\n{text}");
    }
}

#[test]
fn explain_unknown_rule_exits_2_with_a_suggestion() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run(dir.path(), &["explain", "nope"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("cargo ssot rules"),
        "{}",
        stderr(&out)
    );
    let out = run(dir.path(), &["explain", "singleton-manger"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("did you mean `ssot::singleton-manager`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn init_suggests_concepts_for_managed_types() {
    let ws = package("pub struct ChatManager;\npub struct Config;\n");
    let out = run(ws.path(), &["init", "--stdout"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    let config: toml::Table = toml::from_str(&text).expect("starter config is TOML");
    assert_eq!(
        config["concepts"]["chat-manager"]["canonical"].as_str(),
        Some("chat::ChatManager"),
        "{text}"
    );
    assert!(!text.contains("[concepts.config]"), "{text}");
    assert!(
        !ws.path().join("ssot.toml").exists(),
        "--stdout writes nothing"
    );
}

#[test]
fn init_writes_the_file_and_refuses_to_overwrite_it() {
    let ws = package("pub struct ChatManager;\n");
    let out = run(ws.path(), &["init"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let written = std::fs::read_to_string(ws.path().join("ssot.toml")).expect("ssot.toml");
    assert!(written.contains("[concepts.chat-manager]"), "{written}");

    let out = run(ws.path(), &["init"]);
    assert_eq!(code(&out), 2, "refuses to overwrite");
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    let out = run(ws.path(), &["init", "--force"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    // the starter config is a config the checker accepts
    let out = run(ws.path(), &["check"]);
    assert_ne!(code(&out), 2, "{}", stderr(&out));
}
