//! The machine-readable formats end to end, checked by what their consumers use: the official
//! SARIF validator (through `scripts/validate-sarif.sh`), `cargo_metadata`'s parser for the
//! cargo-json lines (the one rust-analyzer uses), and GitHub's workflow-command syntax.

use cargo_metadata::diagnostic::{Applicability, DiagnosticLevel};
use cargo_metadata::Message;
use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_cargo-ssot");

/// The flagged line starts with a tab and non-ASCII text, so byte offsets, character columns
/// and UTF-16 columns all differ.
const LIB: &str = "pub struct ChatManager;\n\n/* état */\tstatic ÉTAT_GLOBAL: std::sync::Mutex<Option<ChatManager>> = std::sync::Mutex::new(None);\n";

/// A one-package workspace `chat` whose `src/lib.rs` is [`LIB`].
fn package() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"chat\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
    )
    .expect("write manifest");
    std::fs::create_dir_all(dir.path().join("src")).expect("src dir");
    std::fs::write(dir.path().join("src/lib.rs"), LIB).expect("write lib.rs");
    dir
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run cargo-ssot")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("UTF-8 stdout")
}

fn messages(out: &Output) -> Vec<Message> {
    stdout(out)
        .lines()
        .map(|line| {
            serde_json::from_str::<Message>(line).unwrap_or_else(|e| {
                panic!(
                    "not a cargo message ({e}): {line}\nstderr:\n{}",
                    String::from_utf8_lossy(&out.stderr)
                )
            })
        })
        .collect()
}

#[test]
fn sarif_output_passes_the_official_validator() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/validate-sarif.sh");
    let out = Command::new("bash")
        .arg(&script)
        .env("SSOT_BIN", BIN)
        .output()
        .expect("run scripts/validate-sarif.sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}\n{stderr}");
    assert!(
        out.status.success(),
        "the SARIF validator found problems:\n{stdout}\n{stderr}"
    );
    // the script skips only where npm is missing, and says so
    assert!(
        stdout.contains("validate-sarif: legacy-chat-server:") || stderr.contains("SKIPPED"),
        "{stdout}\n{stderr}"
    );
}

#[test]
fn cargo_json_lines_parse_as_cargo_messages_with_exact_spans() {
    let ws = package();
    let out = run(ws.path(), &["check", "--message-format", "json"]);
    assert_eq!(out.status.code(), Some(1), "an error finding exits 1");
    let messages = messages(&out);
    let Some((Message::BuildFinished(finished), rest)) = messages.split_last() else {
        panic!("the last line is build-finished: {messages:?}");
    };
    assert!(!finished.success, "an error finding fails the build");
    let diagnostics: Vec<_> = rest
        .iter()
        .map(|m| match m {
            Message::CompilerMessage(m) => &m.message,
            other => panic!("only compiler messages before build-finished: {other:?}"),
        })
        .collect();
    let d = diagnostics
        .iter()
        .find(|d| {
            d.code
                .as_ref()
                .is_some_and(|c| c.code == "ssot::singleton-manager")
        })
        .unwrap_or_else(|| panic!("a singleton-manager finding: {diagnostics:?}"));
    for d in &diagnostics {
        let code = d.code.as_ref().expect("every message has a code");
        assert_eq!(code.code.matches("::").count(), 1, "{}", code.code);
        assert!(code.code.starts_with("ssot::"));
    }
    assert_eq!(d.level, DiagnosticLevel::Error);

    let primary: Vec<_> = d.spans.iter().filter(|s| s.is_primary).collect();
    assert_eq!(primary.len(), 1, "exactly one primary span: {:?}", d.spans);
    let span = primary[0];
    assert_eq!(span.file_name, "src/lib.rs");
    let text = std::fs::read_to_string(ws.path().join(&span.file_name)).expect("read source");
    let bytes = span.byte_start as usize..span.byte_end as usize;
    assert_eq!(text.get(bytes), Some("ÉTAT_GLOBAL"));
    // 1-based character columns, exclusive end: `/* état */\tstatic ` is 18 characters
    let line = "/* état */\tstatic ÉTAT_GLOBAL: std::sync::Mutex<Option<ChatManager>> = std::sync::Mutex::new(None);";
    assert_eq!((span.line_start, span.line_end), (3, 3));
    assert_eq!((span.column_start, span.column_end), (19, 30));
    let chars: String = line
        .chars()
        .skip(span.column_start - 1)
        .take(span.column_end - span.column_start)
        .collect();
    assert_eq!(chars, "ÉTAT_GLOBAL");
    assert_eq!(span.text.len(), 1);
    assert_eq!(span.text[0].text, line);
    assert_eq!(
        (span.text[0].highlight_start, span.text[0].highlight_end),
        (19, 30)
    );
    assert!(span.suggested_replacement.is_none());
    assert!(d
        .rendered
        .as_deref()
        .is_some_and(|r| r.contains("src/lib.rs:3:19")));
    // help without spans extends the message in the editor
    assert!(d
        .children
        .iter()
        .any(|c| c.level == DiagnosticLevel::Help && c.spans.is_empty()));
    // suggestions, where a rule offers a fix, are machine-applicable quick fixes
    for c in &d.children {
        for s in c.spans.iter().filter(|s| s.suggested_replacement.is_some()) {
            assert!(s.is_primary);
            assert_eq!(
                s.suggestion_applicability,
                Some(Applicability::MachineApplicable)
            );
        }
    }
}

#[test]
fn cargo_json_paths_are_workspace_relative_from_a_subdirectory() {
    let ws = package();
    let from_root = run(ws.path(), &["--format", "cargo-json"]);
    let from_src = run(&ws.path().join("src"), &["--format", "cargo-json"]);
    assert_eq!(stdout(&from_src), stdout(&from_root));
    assert!(stdout(&from_src).contains("\"file_name\":\"src/lib.rs\""));
}

#[test]
fn with_check_passes_cargos_messages_through_and_finishes_once() {
    let ws = package();
    let out = run(
        ws.path(),
        &["check", "--message-format", "json", "--with-check"],
    );
    let messages = messages(&out);
    let finished: Vec<usize> = messages
        .iter()
        .enumerate()
        .filter(|(_, m)| matches!(m, Message::BuildFinished(_)))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(finished, [messages.len() - 1], "one build-finished, last");
    let artifact = messages
        .iter()
        .position(|m| matches!(m, Message::CompilerArtifact(_)));
    let ours = messages.iter().position(|m| {
        matches!(m, Message::CompilerMessage(c)
            if c.message.code.as_ref().is_some_and(|code| code.code.starts_with("ssot::")))
    });
    assert!(
        artifact.is_some() && ours.is_some() && artifact < ours,
        "cargo's lines first, then the findings: {messages:?}"
    );
    // rustc's own diagnostics survive: the static is never used
    assert!(
        messages
            .iter()
            .any(|m| matches!(m, Message::CompilerMessage(c)
            if c.message.code.as_ref().is_some_and(|code| code.code == "dead_code"))),
        "{messages:?}"
    );
}

#[test]
fn with_check_needs_cargo_json() {
    let ws = package();
    let out = run(ws.path(), &["--format", "sarif", "--with-check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--with-check needs"));
}

#[test]
fn github_format_writes_workflow_commands() {
    let ws = package();
    let out = run(ws.path(), &["--format", "github"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let line = text
        .lines()
        .find(|l| l.contains("title=ssot%3A%3Asingleton-manager::"))
        .unwrap_or_else(|| panic!("a singleton-manager annotation:\n{text}"));
    assert!(
        line.starts_with("::error file=src/lib.rs,line=3,col=19,endLine=3,endColumn=30,"),
        "{line}"
    );
    for l in text.lines() {
        assert!(
            l.starts_with("::error ") || l.starts_with("::warning ") || l.starts_with("::notice "),
            "{l}"
        );
    }
}

#[test]
fn sarif_uses_utf16_columns_and_relative_uris() {
    let ws = package();
    let out = run(ws.path(), &["--format", "sarif", "--exit-zero"]);
    assert_eq!(out.status.code(), Some(0));
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
    let results = log["runs"][0]["results"].as_array().expect("results");
    let r = results
        .iter()
        .find(|r| r["ruleId"] == "ssot::singleton-manager")
        .expect("a singleton-manager result");
    let location = &r["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "src/lib.rs");
    // every character before the name is in the BMP: UTF-16 columns equal character columns
    assert_eq!(location["region"]["startColumn"], 19);
    assert_eq!(location["region"]["snippet"]["text"], "ÉTAT_GLOBAL");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.contains(&*ws.path().to_string_lossy()),
        "no absolute paths"
    );
}
