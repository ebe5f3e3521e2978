//! `--format json`: one document, schema version 1, documented in `docs/json-format.md`.
//!
//! Field names and order are part of the contract: tools parse this. Lines and columns
//! are 1-based, columns count characters (Unicode scalar values), ends are exclusive;
//! byte offsets index the file as it is on disk.

use super::{
    ordered_problems, problem_kind_name, problem_position, rel_path, shown_findings,
    span_positions, Counts, RenderOptions,
};
use crate::finding::{Finding, Suppressed};
use crate::index::Index;
use crate::source::{FileId, Span};
use crate::Outcome;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// Bumped only when a field changes meaning or disappears; new fields do not bump it.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    problems: Vec<JsonProblem<'a>>,
    summary: JsonSummary<'a>,
}

/// A place in a file: 1-based start and exclusive end, in characters, plus byte offsets.
#[derive(Serialize)]
struct Location<'a> {
    file: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    byte_start: u32,
    byte_end: u32,
}

impl<'a> Location<'a> {
    fn of(index: &'a Index, file: FileId, span: Span) -> Location<'a> {
        let (line, column, end_line, end_column) = match span_positions(index, file, span) {
            Some((start, end)) => (start.line, start.column, end.line, end.column),
            None => (0, 0, 0, 0),
        };
        Location {
            file: rel_path(index, file),
            line,
            column,
            end_line,
            end_column,
            byte_start: span.lo,
            byte_end: span.hi,
        }
    }
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: String,
    level: &'static str,
    message: &'a str,
    help: Option<&'a str>,
    #[serde(flatten)]
    location: Location<'a>,
    item_path: &'a str,
    related: Vec<JsonRelated<'a>>,
    fix: Option<JsonFix<'a>>,
    suppressed: Option<JsonSuppressed<'a>>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    #[serde(flatten)]
    location: Location<'a>,
    label: &'a str,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    description: &'a str,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    #[serde(flatten)]
    location: Location<'a>,
    replacement: &'a str,
}

#[derive(Serialize)]
struct JsonSuppressed<'a> {
    /// `comment` or `baseline`.
    kind: &'static str,
    reason: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonProblem<'a> {
    kind: &'static str,
    path: &'a str,
    line: Option<u32>,
    column: Option<u32>,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonSummary<'a> {
    files_analyzed: usize,
    lines_analyzed: usize,
    files_unreachable: usize,
    files_unreachable_paths: Vec<&'a str>,
    files_excluded: usize,
    parse_failures: usize,
    crates: usize,
    workspaces: usize,
    by_rule: BTreeMap<String, usize>,
    errors: usize,
    warnings: usize,
    notes: usize,
    suppressed: usize,
    baselined: usize,
    stale_baseline: Vec<JsonStale<'a>>,
}

#[derive(Serialize)]
struct JsonStale<'a> {
    file: &'a str,
    rule: String,
    item_path: &'a str,
    unused: usize,
}

fn finding<'a>(index: &'a Index, f: &'a Finding) -> JsonFinding<'a> {
    JsonFinding {
        rule: f.code(),
        level: f.level.as_str(),
        message: &f.message,
        help: f.help.as_deref(),
        location: Location::of(index, f.file, f.span),
        item_path: &f.item_path,
        related: f
            .related
            .iter()
            .map(|r| JsonRelated {
                location: Location::of(index, r.file, r.span),
                label: &r.label,
            })
            .collect(),
        fix: f.fix.as_ref().map(|fix| JsonFix {
            description: &fix.description,
            edits: fix
                .edits
                .iter()
                .map(|e| JsonEdit {
                    location: Location::of(index, e.file, e.span),
                    replacement: &e.replacement,
                })
                .collect(),
        }),
        suppressed: f.suppressed.as_ref().map(|s| match s {
            Suppressed::Comment { reason } => JsonSuppressed {
                kind: "comment",
                reason: Some(reason),
            },
            Suppressed::Baseline => JsonSuppressed {
                kind: "baseline",
                reason: None,
            },
        }),
    }
}

pub fn render(outcome: &Outcome, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let index = &outcome.index;
    let counts = Counts::of(outcome);
    let mut unreachable: Vec<&str> = index
        .summary
        .files_unreachable
        .iter()
        .map(String::as_str)
        .collect();
    unreachable.sort_unstable();
    let mut stale: Vec<JsonStale> = outcome
        .stale_baseline
        .iter()
        .map(|s| JsonStale {
            file: &s.file,
            rule: format!("ssot::{}", s.rule.strip_prefix("ssot::").unwrap_or(&s.rule)),
            item_path: &s.item_path,
            unused: s.unused,
        })
        .collect();
    stale.sort_by(|a, b| (a.file, &a.rule, a.item_path).cmp(&(b.file, &b.rule, b.item_path)));
    let document = Document {
        version: SCHEMA_VERSION,
        findings: shown_findings(outcome, options)
            .into_iter()
            .map(|f| finding(index, f))
            .collect(),
        problems: ordered_problems(index)
            .into_iter()
            .map(|p| {
                let pos = problem_position(index, p);
                JsonProblem {
                    kind: problem_kind_name(&p.problem.kind),
                    path: &p.path,
                    line: pos.map(|p| p.line),
                    column: pos.map(|p| p.column),
                    message: &p.problem.message,
                }
            })
            .collect(),
        summary: JsonSummary {
            files_analyzed: index.summary.files_analyzed,
            lines_analyzed: index.summary.lines_analyzed,
            files_unreachable: unreachable.len(),
            files_unreachable_paths: unreachable,
            files_excluded: index.summary.files_excluded,
            parse_failures: counts.parse_failures,
            crates: index.summary.crates,
            workspaces: index.summary.workspaces,
            by_rule: counts.by_rule,
            errors: counts.errors,
            warnings: counts.warnings,
            notes: counts.notes,
            suppressed: counts.suppressed,
            baselined: counts.baselined,
            stale_baseline: stale,
        },
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use crate::report::test_support::{self, TEXT};
    use crate::report::{Format, RenderOptions};
    use serde_json::Value;

    fn document(options: &RenderOptions) -> Value {
        let text = test_support::render(Format::Json, options);
        serde_json::from_str(&text).expect("valid JSON")
    }

    #[test]
    fn finding_has_character_columns_and_byte_offsets() {
        let doc = document(&RenderOptions::default());
        assert_eq!(doc["version"], 1);
        let findings = doc["findings"].as_array().expect("findings array");
        assert_eq!(findings.len(), 1, "suppressed finding hidden by default");
        let f = &findings[0];
        assert_eq!(f["rule"], "ssot::singleton-manager");
        assert_eq!(f["level"], "error");
        assert_eq!(f["file"], "src/lib.rs");
        assert_eq!(f["help"], "pass the manager in instead");
        assert_eq!(f["item_path"], "chat::f::ÉTAT");
        // `\tlet café = 1; static ` is 22 characters but 24 bytes
        assert_eq!(
            (f["line"].as_u64(), f["column"].as_u64()),
            (Some(3), Some(23))
        );
        assert_eq!(
            (f["end_line"].as_u64(), f["end_column"].as_u64()),
            (Some(3), Some(27))
        );
        let lo = TEXT.find("ÉTAT").expect("in text") as u64;
        assert_eq!(f["byte_start"].as_u64(), Some(lo));
        assert_eq!(f["byte_end"].as_u64(), Some(lo + "ÉTAT".len() as u64));
        let related = &f["related"][0];
        assert_eq!(related["label"], "ChatManager is defined here");
        assert_eq!(
            (related["line"].as_u64(), related["column"].as_u64()),
            (Some(1), Some(12))
        );
        assert_eq!(f["fix"]["edits"][0]["replacement"], "STATE");
        assert_eq!(f["fix"]["edits"][0]["column"], 23);
        assert!(f["suppressed"].is_null());
    }

    #[test]
    fn problems_and_summary() {
        let doc = document(&RenderOptions::default());
        let problems = doc["problems"].as_array().expect("problems array");
        assert_eq!(problems.len(), 2);
        assert_eq!(problems[0]["kind"], "bad-manifest");
        assert!(problems[0]["line"].is_null());
        assert_eq!(problems[1]["kind"], "parse");
        assert_eq!(
            (problems[1]["line"].as_u64(), problems[1]["column"].as_u64()),
            (Some(5), Some(4))
        );
        let s = &doc["summary"];
        assert_eq!(s["files_analyzed"], 1);
        assert_eq!(s["lines_analyzed"], 5);
        assert_eq!(s["files_unreachable"], 1);
        assert_eq!(s["files_unreachable_paths"][0], "src/old.rs");
        assert_eq!(s["parse_failures"], 1);
        assert_eq!(s["by_rule"]["ssot::singleton-manager"], 1);
        assert_eq!(
            (s["errors"].as_u64(), s["warnings"].as_u64()),
            (Some(1), Some(0))
        );
        assert_eq!(s["suppressed"], 1);
        assert_eq!(s["baselined"], 0);
        assert_eq!(s["stale_baseline"][0]["rule"], "ssot::singleton-manager");
    }

    #[test]
    fn suppressed_findings_carry_their_reason_when_shown() {
        let doc = document(&RenderOptions {
            include_suppressed: true,
            ..RenderOptions::default()
        });
        let f = &doc["findings"][0];
        assert_eq!(f["rule"], "ssot::global-registry");
        assert_eq!(f["suppressed"]["kind"], "comment");
        assert_eq!(f["suppressed"]["reason"], "legacy");
    }
}
