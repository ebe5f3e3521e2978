//! `--format cargo-json` (alias `--message-format json`): one cargo `compiler-message` object
//! per line, then one `build-finished` line, so rust-analyzer can run cargo-ssot as its check
//! command and show findings inline (`docs/editors.md`).
//!
//! The shape is rustc's JSON diagnostic as cargo wraps it; rust-analyzer reads:
//! - `code.code` = `ssot::<rule>`: exactly one `::`, so it shows `ssot` as the source;
//! - one span with `is_primary: true` (a diagnostic without one is dropped);
//! - `file_name` relative to the directory the analysis started in (the CLI starts it at
//!   the workspace root for this format, where cargo's own paths are relative to);
//! - 1-based lines, columns in characters, exclusive ends, and `text` (the span's source
//!   lines, which the editor needs to turn character columns into UTF-16 ones);
//! - non-primary spans with a `label` as related information;
//! - `children` of level `help`: without spans they extend the message; with spans carrying
//!   `suggested_replacement` and `MachineApplicable` they become quick fixes.
//!
//! Byte offsets index the file as it is on disk.

use super::{file, rel_path, shown_findings, span_positions, RenderOptions};
use crate::finding::{Edit, Finding, Level, Suppressed};
use crate::index::{CrateKind, FileRole, Index};
use crate::source::{FileId, Span};
use crate::Outcome;
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct CompilerMessage<'a> {
    reason: &'static str,
    package_id: String,
    manifest_path: String,
    target: Target,
    message: Diagnostic<'a>,
}

#[derive(Serialize)]
struct Target {
    kind: [&'static str; 1],
    crate_types: [&'static str; 1],
    name: String,
    src_path: String,
    doc: bool,
    doctest: bool,
    test: bool,
}

/// rustc's JSON diagnostic.
#[derive(Serialize)]
struct Diagnostic<'a> {
    message: String,
    code: Option<Code>,
    level: &'static str,
    spans: Vec<DiagnosticSpan<'a>>,
    children: Vec<Diagnostic<'a>>,
    rendered: Option<String>,
}

#[derive(Serialize)]
struct Code {
    code: String,
    explanation: Option<String>,
}

#[derive(Serialize)]
struct DiagnosticSpan<'a> {
    file_name: &'a str,
    byte_start: u32,
    byte_end: u32,
    line_start: u32,
    line_end: u32,
    column_start: u32,
    column_end: u32,
    is_primary: bool,
    text: Vec<SpanLine<'a>>,
    label: Option<&'a str>,
    suggested_replacement: Option<&'a str>,
    suggestion_applicability: Option<&'static str>,
    expansion: Option<()>,
}

/// One source line of a span, with the highlighted part as 1-based character columns.
#[derive(Serialize)]
struct SpanLine<'a> {
    text: &'a str,
    highlight_start: u32,
    highlight_end: u32,
}

#[derive(Serialize)]
struct BuildFinished {
    reason: &'static str,
    success: bool,
}

pub fn render(outcome: &Outcome, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    render_after_check(outcome, options, &[], true, out)
}

/// `--with-check`: cargo's own lines first (passed through unchanged, its `build-finished`
/// already taken out), then the findings, then one `build-finished` for both.
pub fn render_after_check(
    outcome: &Outcome,
    options: &RenderOptions,
    check_lines: &[String],
    check_success: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    for line in check_lines {
        writeln!(out, "{line}")?;
    }
    let index = &outcome.index;
    for f in shown_findings(outcome, options) {
        serde_json::to_writer(&mut *out, &compiler_message(index, f))?;
        writeln!(out)?;
    }
    let finished = BuildFinished {
        reason: "build-finished",
        success: check_success && !outcome.active().any(|f| f.level == Level::Error),
    };
    serde_json::to_writer(&mut *out, &finished)?;
    writeln!(out)
}

fn compiler_message<'a>(index: &'a Index, f: &'a Finding) -> CompilerMessage<'a> {
    let (package_id, manifest_path, target) = package(index, f.file);
    CompilerMessage {
        reason: "compiler-message",
        package_id,
        manifest_path,
        target,
        message: diagnostic(index, f),
    }
}

fn diagnostic<'a>(index: &'a Index, f: &'a Finding) -> Diagnostic<'a> {
    // Shown suppressed findings must not look like live errors in the editor.
    let (level, message) = match &f.suppressed {
        None => (f.level.as_str(), f.message.clone()),
        Some(Suppressed::Comment { reason }) => {
            ("note", format!("{} (suppressed: {reason})", f.message))
        }
        Some(Suppressed::Baseline) => ("note", format!("{} (baselined)", f.message)),
    };
    let primary = span(index, f.file, f.span, true, None);
    let related = f
        .related
        .iter()
        .filter_map(|r| span(index, r.file, r.span, false, Some(&r.label)));
    let mut children = Vec::new();
    if let Some(help) = &f.help {
        children.push(child(help.clone(), Vec::new()));
    }
    if let Some(fix) = &f.fix {
        let spans = fix
            .edits
            .iter()
            .filter_map(|e| suggestion(index, e))
            .collect();
        children.push(child(fix.description.clone(), spans));
    }
    Diagnostic {
        rendered: Some(rendered(index, f, level, &message)),
        message,
        code: Some(Code {
            code: f.code(),
            explanation: None,
        }),
        level,
        spans: primary.into_iter().chain(related).collect(),
        children,
    }
}

fn child<'a>(message: String, spans: Vec<DiagnosticSpan<'a>>) -> Diagnostic<'a> {
    Diagnostic {
        message,
        code: None,
        level: "help",
        spans,
        children: Vec::new(),
        rendered: None,
    }
}

fn suggestion<'a>(index: &'a Index, edit: &'a Edit) -> Option<DiagnosticSpan<'a>> {
    let mut span = span(index, edit.file, edit.span, true, None)?;
    span.suggested_replacement = Some(&edit.replacement);
    span.suggestion_applicability = Some("MachineApplicable");
    Some(span)
}

fn span<'a>(
    index: &'a Index,
    id: FileId,
    span: Span,
    is_primary: bool,
    label: Option<&'a str>,
) -> Option<DiagnosticSpan<'a>> {
    let source = &file(index, id)?.source;
    let (start, end) = span_positions(index, id, span)?;
    let text = (start.line..=end.line)
        .map(|line| {
            let text = source.lines.line_text(source.text(), line as usize - 1);
            SpanLine {
                text,
                highlight_start: if line == start.line { start.column } else { 1 },
                highlight_end: if line == end.line {
                    end.column
                } else {
                    text.chars().count() as u32 + 1
                },
            }
        })
        .collect();
    Some(DiagnosticSpan {
        file_name: rel_path(index, id),
        byte_start: start.offset,
        byte_end: end.offset,
        line_start: start.line,
        line_end: end.line,
        column_start: start.column,
        column_end: end.column,
        is_primary,
        text,
        label,
        suggested_replacement: None,
        suggestion_applicability: None,
        expansion: None,
    })
}

/// Package id, manifest path and target of the crate a file belongs to, as cargo names them.
/// Files outside any crate (the config file) get a stand-in package at the root.
fn package(index: &Index, id: FileId) -> (String, String, Target) {
    let krate = match file(index, id).map(|f| &f.role) {
        Some(FileRole::Module { krate, .. }) => index.crates.get(krate.0 as usize),
        _ => None,
    };
    let Some(krate) = krate else {
        let root = index.root.display();
        let target = Target {
            kind: ["lib"],
            crate_types: ["lib"],
            name: "ssot-config".to_string(),
            src_path: file(index, id)
                .map(|f| f.source.path.display().to_string())
                .unwrap_or_default(),
            doc: false,
            doctest: false,
            test: false,
        };
        return (
            format!("path+file://{root}#ssot-config"),
            index.root.join("Cargo.toml").display().to_string(),
            target,
        );
    };
    let (kind, crate_type) = match krate.kind {
        CrateKind::Lib => ("lib", "lib"),
        CrateKind::Bin => ("bin", "bin"),
        CrateKind::Test => ("test", "bin"),
        CrateKind::Bench => ("bench", "bin"),
        CrateKind::Example => ("example", "bin"),
        CrateKind::BuildScript => ("custom-build", "bin"),
    };
    let src_path = index
        .modules
        .get(krate.root_module.0 as usize)
        .and_then(|m| file(index, m.file))
        .map(|f| f.source.path.display().to_string())
        .unwrap_or_default();
    let package_dir = krate.manifest_path.parent().unwrap_or(&index.root);
    let is_lib = krate.kind == CrateKind::Lib;
    (
        format!("path+file://{}#{}", package_dir.display(), krate.package),
        krate.manifest_path.display().to_string(),
        Target {
            kind: [kind],
            crate_types: [crate_type],
            name: krate.name.clone(),
            src_path,
            doc: is_lib,
            doctest: is_lib,
            test: matches!(
                krate.kind,
                CrateKind::Lib | CrateKind::Bin | CrateKind::Test
            ),
        },
    )
}

/// A short rustc-like rendering: header, location, the first line of the span underlined,
/// related places and help as notes.
fn rendered(index: &Index, f: &Finding, level: &str, message: &str) -> String {
    let path = rel_path(index, f.file);
    let mut text = format!("{level}[{}]: {message}\n", f.code());
    let Some((start, end)) = span_positions(index, f.file, f.span) else {
        return text;
    };
    let line = file(index, f.file)
        .map(|file| {
            let source = &file.source;
            source
                .lines
                .line_text(source.text(), start.line as usize - 1)
        })
        .unwrap_or("");
    let gutter = " ".repeat(start.line.to_string().len());
    let before: String = line.chars().take(start.column as usize - 1).collect();
    let underlined = if end.line == start.line {
        end.column.saturating_sub(start.column) as usize
    } else {
        (line.chars().count() + 1).saturating_sub(start.column as usize)
    };
    let shown = |s: &str| s.replace('\t', "    ");
    text.push_str(&format!(
        "{gutter}--> {path}:{}:{}\n{gutter} |\n{} | {}\n{gutter} | {}{}\n",
        start.line,
        start.column,
        start.line,
        shown(line),
        " ".repeat(shown(&before).chars().count()),
        "^".repeat(underlined.max(1)),
    ));
    for r in &f.related {
        if let Some((pos, _)) = span_positions(index, r.file, r.span) {
            text.push_str(&format!(
                "{gutter} = note: {}: {}:{}:{}\n",
                r.label,
                rel_path(index, r.file),
                pos.line,
                pos.column
            ));
        }
    }
    if let Some(help) = &f.help {
        text.push_str(&format!("{gutter} = help: {help}\n"));
    }
    text
}

#[cfg(test)]
mod tests {
    use crate::report::test_support::{self, TEXT};
    use crate::report::{Format, RenderOptions};
    use serde_json::Value;

    fn lines(options: &RenderOptions) -> Vec<Value> {
        test_support::render(Format::CargoJson, options)
            .lines()
            .map(|l| serde_json::from_str(l).expect("each line is one JSON object"))
            .collect()
    }

    #[test]
    fn one_compiler_message_per_finding_then_build_finished() {
        let lines = lines(&RenderOptions::default());
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(lines[0]["reason"], "compiler-message");
        assert_eq!(lines[1]["reason"], "build-finished");
        assert_eq!(
            lines[1]["success"], false,
            "an error finding fails the build"
        );
    }

    #[test]
    fn primary_span_has_character_columns_bytes_and_text() {
        let lines = lines(&RenderOptions::default());
        let d = &lines[0]["message"];
        assert_eq!(d["code"]["code"], "ssot::singleton-manager");
        assert_eq!(d["level"], "error");
        let primary = &d["spans"][0];
        assert_eq!(primary["is_primary"], true);
        assert_eq!(primary["file_name"], "src/lib.rs");
        let lo = TEXT.find("ÉTAT").expect("in text") as u64;
        assert_eq!(primary["byte_start"].as_u64(), Some(lo));
        assert_eq!(primary["byte_end"].as_u64(), Some(lo + "ÉTAT".len() as u64));
        assert_eq!(
            [
                &primary["line_start"],
                &primary["column_start"],
                &primary["line_end"],
                &primary["column_end"]
            ],
            [3, 23, 3, 27]
        );
        assert_eq!(
            primary["text"][0]["text"],
            "\tlet café = 1; static ÉTAT: u8 = 0;"
        );
        assert_eq!(
            (
                &primary["text"][0]["highlight_start"],
                &primary["text"][0]["highlight_end"]
            ),
            (&Value::from(23), &Value::from(27))
        );
        let related = &d["spans"][1];
        assert_eq!(related["is_primary"], false);
        assert_eq!(related["label"], "ChatManager is defined here");
        let rendered = d["rendered"].as_str().expect("rendered");
        assert!(
            rendered.starts_with("error[ssot::singleton-manager]: static `ÉTAT`"),
            "{rendered}"
        );
        assert!(rendered.contains(" --> src/lib.rs:3:23\n"), "{rendered}");
        // the tab is shown as four spaces; the carets sit under `ÉTAT`
        assert!(
            rendered.contains(
                "3 |     let café = 1; static ÉTAT: u8 = 0;\n  |                          ^^^^\n"
            ),
            "{rendered}"
        );
    }

    #[test]
    fn help_and_fix_become_children() {
        let lines = lines(&RenderOptions::default());
        let children = lines[0]["message"]["children"]
            .as_array()
            .expect("children");
        assert_eq!(children.len(), 2);
        assert_eq!(children[0]["level"], "help");
        assert_eq!(children[0]["message"], "pass the manager in instead");
        assert_eq!(children[0]["spans"].as_array().map(Vec::len), Some(0));
        let fix = &children[1]["spans"][0];
        assert_eq!(fix["suggested_replacement"], "STATE");
        assert_eq!(fix["suggestion_applicability"], "MachineApplicable");
        assert_eq!(fix["is_primary"], true);
        assert_eq!(fix["column_start"], 23);
    }

    #[test]
    fn shown_suppressed_findings_are_notes() {
        let lines = lines(&RenderOptions {
            include_suppressed: true,
            ..RenderOptions::default()
        });
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0]["message"]["level"], "note");
        assert_eq!(
            lines[0]["message"]["message"],
            "a registry (suppressed: legacy)"
        );
    }

    #[test]
    fn check_lines_come_first_and_share_one_build_finished() {
        let mut outcome = test_support::outcome();
        outcome.findings.clear();
        let check = vec![r#"{"reason":"compiler-artifact"}"#.to_string()];
        let mut out = Vec::new();
        super::render_after_check(&outcome, &RenderOptions::default(), &check, false, &mut out)
            .expect("renders");
        let text = String::from_utf8(out).expect("UTF-8");
        assert_eq!(
            text,
            "{\"reason\":\"compiler-artifact\"}\n{\"reason\":\"build-finished\",\"success\":false}\n"
        );
    }
}
