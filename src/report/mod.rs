//! One file per output format; none of them computes anything about the code.
//!
//! Every renderer is a pure view over an [`Outcome`]: it reads findings, positions (always
//! through [`SourceFile::position`]) and counts, and writes text. The helpers here are the
//! only place that decide ordering and counting, so all formats agree.

pub mod cargo_json;
pub mod github;
pub mod human;
pub mod json;
pub mod sarif;
pub mod short;

use crate::facts::ProblemKind;
use crate::finding::{Finding, Level, Suppressed};
use crate::index::{Index, IndexedFile, InputProblem};
use crate::source::{FileId, Position, Span};
use crate::Outcome;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// Output formats. Adding one is a variant here and an arm in [`render`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Graphical report with source snippets, then a summary.
    Human,
    /// `path:line:col: level[ssot::rule] message`, one per line.
    Short,
    /// One JSON document (see docs/json-format.md).
    Json,
    /// GitHub Actions workflow commands: annotations on pull requests (see docs/github.md).
    Github,
    /// SARIF 2.1.0, for GitHub code scanning and SARIF viewers (see docs/sarif.md).
    Sarif,
    /// One cargo `compiler-message` per line, for rust-analyzer (see docs/editors.md).
    CargoJson,
}

/// How to render, independent of the format.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// Show suppressed and baselined findings (marked) instead of only counting them.
    pub include_suppressed: bool,
    /// Leave out the summary.
    pub quiet: bool,
    /// Emit ANSI colors.
    pub color: bool,
}

/// Write `outcome` in `format` to `out`.
pub fn render(
    format: Format,
    outcome: &Outcome,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Human => human::render(outcome, options, out),
        Format::Short => short::render(outcome, options, out),
        Format::Json => json::render(outcome, options, out),
        Format::Github => github::render(outcome, options, out),
        Format::Sarif => sarif::render(outcome, options, out),
        Format::CargoJson => cargo_json::render(outcome, options, out),
    }
}

/// The findings a report shows: suppressed ones only when asked for. `Outcome::findings` is
/// already in its deterministic order (file path, position, rule; see `filter::sort`).
pub fn shown_findings<'o>(outcome: &'o Outcome, options: &RenderOptions) -> Vec<&'o Finding> {
    outcome
        .findings
        .iter()
        .filter(|f| options.include_suppressed || f.suppressed.is_none())
        .collect()
}

/// Input problems in a deterministic order (path, then position).
pub fn ordered_problems(index: &Index) -> Vec<&InputProblem> {
    let mut problems: Vec<&InputProblem> = index.problems.iter().collect();
    problems.sort_by(|a, b| {
        (&a.path, a.problem.span.map(|s| s.lo), &a.problem.message).cmp(&(
            &b.path,
            b.problem.span.map(|s| s.lo),
            &b.problem.message,
        ))
    });
    problems
}

/// The indexed file, if the id is valid.
pub fn file(index: &Index, id: FileId) -> Option<&IndexedFile> {
    index.files.get(id.0 as usize)
}

/// Path shown for a file (relative to the report root, `/`-separated).
pub fn rel_path(index: &Index, id: FileId) -> &str {
    file(index, id)
        .map(|f| f.source.rel_path.as_str())
        .unwrap_or("<unknown file>")
}

/// Start and (exclusive) end position of a span in a file.
pub fn span_positions(index: &Index, id: FileId, span: Span) -> Option<(Position, Position)> {
    let f = file(index, id)?;
    Some((f.source.position(span.lo), f.source.position(span.hi)))
}

/// Position of an input problem, when it has a span in a loaded file.
pub fn problem_position(index: &Index, problem: &InputProblem) -> Option<Position> {
    let span = problem.problem.span?;
    let f = file(index, problem.file?)?;
    Some(f.source.position(span.lo))
}

/// Stable kebab-case name of a problem kind, used by every format.
pub fn problem_kind_name(kind: &ProblemKind) -> &'static str {
    match kind {
        ProblemKind::Parse => "parse",
        ProblemKind::TooDeep => "too-deep",
        ProblemKind::TooLarge => "too-large",
        ProblemKind::NotUtf8 => "not-utf8",
        ProblemKind::Unreadable => "unreadable",
        ProblemKind::MissingModule => "missing-module",
        ProblemKind::ModuleCycle => "module-cycle",
        ProblemKind::SymlinkLoop => "symlink-loop",
        ProblemKind::BadManifest => "bad-manifest",
    }
}

/// Counts every summary shows, computed from the full finding list (never a shown subset).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// Active findings per rule id (with the `ssot::` prefix).
    pub by_rule: BTreeMap<String, usize>,
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
    /// Findings suppressed by an allow comment.
    pub suppressed: usize,
    /// Findings covered by the baseline.
    pub baselined: usize,
    /// Input problems of kind `parse`.
    pub parse_failures: usize,
}

impl Counts {
    pub fn of(outcome: &Outcome) -> Counts {
        let mut counts = Counts::default();
        for f in &outcome.findings {
            match &f.suppressed {
                Some(Suppressed::Comment { .. }) => counts.suppressed += 1,
                Some(Suppressed::Baseline) => counts.baselined += 1,
                None => {
                    *counts.by_rule.entry(f.code()).or_default() += 1;
                    match f.level {
                        Level::Error => counts.errors += 1,
                        Level::Warning => counts.warnings += 1,
                        Level::Note => counts.notes += 1,
                    }
                }
            }
        }
        counts.parse_failures = outcome
            .index
            .problems
            .iter()
            .filter(|p| p.problem.kind == ProblemKind::Parse)
            .count();
        counts
    }
    pub fn active(&self) -> usize {
        self.errors + self.warnings + self.notes
    }
}

/// A hand-built outcome for renderer tests: one file with a tab and non-ASCII identifiers.
#[cfg(test)]
pub(crate) mod test_support {
    use crate::config::Config;
    use crate::facts::{FileFacts, Problem, ProblemKind};
    use crate::finding::{Edit, Finding, Fix, Level, Suppressed};
    use crate::index::{CrateId, FileRole, Index, IndexedFile, InputProblem, ModuleId};
    use crate::source::{FileId, SourceFile, Span};
    use crate::Outcome;

    pub const TEXT: &str =
        "pub struct ChatManager;\nfn f() {\n\tlet café = 1; static ÉTAT: u8 = 0;\n}\nfn g( {\n";

    pub fn span_of(needle: &str) -> Span {
        let lo = TEXT.find(needle).expect("needle in TEXT");
        Span::new(lo, lo + needle.len())
    }

    pub fn outcome() -> Outcome {
        let file = FileId(0);
        let source = SourceFile::new(
            "/ws/src/lib.rs".into(),
            "src/lib.rs".into(),
            std::sync::Arc::from(TEXT),
        );
        let mut index = Index {
            root: "/ws".into(),
            ..Index::default()
        };
        index.files.push(IndexedFile {
            source,
            facts: FileFacts::default(),
            role: FileRole::Module {
                krate: CrateId(0),
                module: ModuleId(0),
            },
            in_test: false,
        });
        index.summary.workspaces = 1;
        index.summary.crates = 1;
        index.summary.files_analyzed = 1;
        index.summary.lines_analyzed = 5;
        index.summary.files_unreachable = vec!["src/old.rs".into()];
        index.problems.push(InputProblem {
            path: "src/lib.rs".into(),
            file: Some(file),
            problem: Problem {
                kind: ProblemKind::Parse,
                message: "expected `)`".into(),
                span: Some(span_of("g(")),
            },
        });
        index.problems.push(InputProblem {
            path: "crates/x/Cargo.toml".into(),
            file: None,
            problem: Problem {
                kind: ProblemKind::BadManifest,
                message: "missing field `name`".into(),
                span: None,
            },
        });
        let etat = span_of("ÉTAT");
        let singleton = Finding::new(
            "singleton-manager",
            Level::Error,
            file,
            etat,
            "static `ÉTAT` holds a process-global ChatManager",
        )
        .help("pass the manager in instead")
        .related(file, span_of("ChatManager"), "ChatManager is defined here")
        .item_path("chat::f::ÉTAT")
        .fix(Fix {
            description: "rename".into(),
            edits: vec![Edit {
                file,
                span: etat,
                replacement: "STATE".into(),
            }],
        });
        let mut suppressed = Finding::new(
            "global-registry",
            Level::Warning,
            file,
            span_of("café"),
            "a registry",
        )
        .item_path("chat::f::café");
        suppressed.suppressed = Some(Suppressed::Comment {
            reason: "legacy".into(),
        });
        Outcome {
            index,
            config: Config::default(),
            // in `filter::sort` order: `café` comes before `ÉTAT`
            findings: vec![suppressed, singleton],
            stale_baseline: vec![crate::filter::baseline::StaleEntry {
                file: "src/gone.rs".into(),
                rule: "singleton-manager".into(),
                item_path: "chat::gone::X".into(),
                unused: 1,
            }],
            timings: Default::default(),
        }
    }

    pub fn render(format: super::Format, options: &super::RenderOptions) -> String {
        let mut out = Vec::new();
        super::render(format, &outcome(), options, &mut out).expect("render to a Vec");
        String::from_utf8(out).expect("reports are UTF-8")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_come_from_the_full_list() {
        let outcome = test_support::outcome();
        let counts = Counts::of(&outcome);
        assert_eq!(counts.errors, 1);
        assert_eq!(counts.warnings, 0);
        assert_eq!(counts.suppressed, 1);
        assert_eq!(counts.parse_failures, 1);
        assert_eq!(counts.by_rule.get("ssot::singleton-manager"), Some(&1));
        assert_eq!(
            shown_findings(&outcome, &RenderOptions::default()).len(),
            1,
            "suppressed findings are hidden unless asked for"
        );
    }
}
