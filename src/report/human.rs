//! `--format human`: one miette graphical report per finding (snippet, underlined span,
//! labelled related spans, help), then a summary of what was analysed and what was not.

use super::{
    file, ordered_problems, problem_kind_name, problem_position, rel_path, shown_findings, Counts,
    RenderOptions,
};
use crate::finding::{Finding, Level, Suppressed};
use crate::index::Index;
use crate::rules::meta;
use crate::source::{FileId, Span};
use crate::Outcome;
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, Severity,
    SourceCode, SourceSpan,
};
use std::fmt;
use std::io::{self, Write};
use std::sync::Arc;

/// How many unreachable files the summary lists before "… and N more".
const UNREACHABLE_LISTED: usize = 10;

pub fn render(outcome: &Outcome, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let handler = handler(options.color);
    let index = &outcome.index;
    for f in shown_findings(outcome, options) {
        let diagnostic = FindingDiagnostic::new(index, f);
        let mut text = String::new();
        if handler.render_report(&mut text, &diagnostic).is_err() {
            // miette refused the snippet: still report the finding, without it.
            text = format!(
                "{}: {}[{}] {}\n",
                rel_path(index, f.file),
                f.level.as_str(),
                f.code(),
                f.message
            );
        }
        writeln!(out, "{text}")?;
    }
    if !options.quiet {
        summary(outcome, out)?;
    }
    Ok(())
}

/// The miette handler every graphical output of the tool uses (reports and tool errors).
pub fn handler(color: bool) -> GraphicalReportHandler {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false)
        // miette counts the column in bytes; sources are named `path:line:col` instead,
        // with the column in characters like every other format.
        .without_primary_span_start()
        .with_show_related_as_nested(true)
        // wrap at spaces only: rule ids, config keys and paths stay whole
        .with_word_separator(textwrap::WordSeparator::AsciiSpace)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
}

/// The file a span points into, as miette source code named `path:line:col` of the span.
fn named_source(index: &Index, id: FileId, span: Span) -> Option<NamedSource<Arc<str>>> {
    let f = file(index, id)?;
    let start = f.source.position(span.lo);
    let name = format!("{}:{}:{}", f.source.rel_path, start.line, start.column);
    Some(NamedSource::new(name, f.source.text_arc()).with_language("Rust"))
}

/// The span as miette wants it, kept inside the file and on character boundaries so a
/// span that does not fit the text (a rule bug) cannot spoil the rest of the report.
fn source_span(index: &Index, id: FileId, span: Span) -> SourceSpan {
    let text: &str = file(index, id).map(|f| f.source.text()).unwrap_or("");
    let snap = |offset: u32| {
        let mut o = (offset as usize).min(text.len());
        while !text.is_char_boundary(o) {
            o -= 1;
        }
        o
    };
    let (lo, hi) = (snap(span.lo), snap(span.hi));
    SourceSpan::new(lo.into(), hi.saturating_sub(lo))
}

/// Short label under the primary span: the rule's friendly name in words
/// (`SingletonManager` → "singleton manager").
fn primary_label(rule: &str) -> String {
    let Some(name) = meta::get(rule).map(|m| m.name.as_str()) else {
        return rule.replace('-', " ");
    };
    let mut words = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            words.push(' ');
        }
        words.extend(c.to_lowercase());
    }
    words
}

/// A finding as a miette diagnostic: code `ssot::rule`, the file as source, the primary span
/// and related spans of the same file as labels, related spans elsewhere as related diagnostics.
#[derive(Debug)]
struct FindingDiagnostic<'a> {
    finding: &'a Finding,
    code: String,
    source: Option<NamedSource<Arc<str>>>,
    labels: Vec<LabeledSpan>,
    elsewhere: Vec<RelatedDiagnostic>,
    help: Option<String>,
}

impl<'a> FindingDiagnostic<'a> {
    fn new(index: &Index, finding: &'a Finding) -> Self {
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(primary_label(finding.rule)),
            source_span(index, finding.file, finding.span),
        )];
        let mut elsewhere = Vec::new();
        let file = &index.file(finding.file).source;
        let primary_line = file.position(finding.span.lo).line;
        for r in &finding.related {
            // The snippet header names the primary position, so a related span gets its own
            // snippet (with its own header) unless it sits in the primary's context window.
            let near =
                r.file == finding.file && file.position(r.span.lo).line.abs_diff(primary_line) <= 2;
            if near {
                labels.push(LabeledSpan::new_with_span(
                    Some(r.label.clone()),
                    source_span(index, r.file, r.span),
                ));
            } else {
                elsewhere.push(RelatedDiagnostic {
                    message: r.label.clone(),
                    source: named_source(index, r.file, r.span),
                    span: source_span(index, r.file, r.span),
                });
            }
        }
        let mut help: Vec<String> = finding.help.iter().cloned().collect();
        if let Some(fix) = &finding.fix {
            help.push(format!("fix available: {}", fix.description));
        }
        match &finding.suppressed {
            Some(Suppressed::Comment { reason }) => help.push(format!(
                "suppressed by an allow comment ({reason}): not counted"
            )),
            Some(Suppressed::Baseline) => help.push("covered by the baseline: not counted".into()),
            None => {}
        }
        FindingDiagnostic {
            finding,
            code: finding.code(),
            source: named_source(index, finding.file, finding.span),
            labels,
            elsewhere,
            help: (!help.is_empty()).then(|| help.join("\n")),
        }
    }
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl Diagnostic for FindingDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.code))
    }
    fn severity(&self) -> Option<Severity> {
        Some(match self.finding.level {
            Level::Error => Severity::Error,
            Level::Warning => Severity::Warning,
            Level::Note => Severity::Advice,
        })
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        // Without the file there is nothing to underline.
        self.source.as_ref()?;
        Some(Box::new(self.labels.iter().cloned()))
    }
    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
        if self.elsewhere.is_empty() {
            return None;
        }
        Some(Box::new(
            self.elsewhere.iter().map(|r| r as &dyn Diagnostic),
        ))
    }
}

/// A related span in another file, shown with its own snippet.
#[derive(Debug)]
struct RelatedDiagnostic {
    message: String,
    source: Option<NamedSource<Arc<str>>>,
    span: SourceSpan,
}

impl fmt::Display for RelatedDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RelatedDiagnostic {}

impl Diagnostic for RelatedDiagnostic {
    fn severity(&self) -> Option<Severity> {
        Some(Severity::Advice)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(None, self.span),
        )))
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn summary(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    let index = &outcome.index;
    let counts = Counts::of(outcome);
    let s = &index.summary;

    if counts.active() == 0 {
        writeln!(out, "ssot: no findings")?;
    } else {
        writeln!(out, "ssot: findings by rule")?;
        let width = counts.by_rule.keys().map(String::len).max().unwrap_or(0);
        for (rule, n) in &counts.by_rule {
            writeln!(out, "  {rule:<width$}  {n}")?;
        }
        writeln!(
            out,
            "ssot: {}: {}, {}, {}",
            plural(counts.active(), "finding", "findings"),
            plural(counts.errors, "error", "errors"),
            plural(counts.warnings, "warning", "warnings"),
            plural(counts.notes, "note", "notes"),
        )?;
    }
    if counts.suppressed + counts.baselined > 0 {
        writeln!(
            out,
            "ssot: not counted: {} by allow comments, {} by the baseline",
            counts.suppressed, counts.baselined
        )?;
    }
    writeln!(
        out,
        "ssot: analysed {} ({}) in {}, {}",
        plural(s.files_analyzed, "file", "files"),
        plural(s.lines_analyzed, "line", "lines"),
        plural(s.crates, "crate", "crates"),
        plural(s.workspaces, "workspace", "workspaces"),
    )?;
    if s.files_excluded > 0 {
        writeln!(
            out,
            "ssot: {} excluded by config",
            plural(s.files_excluded, "file", "files")
        )?;
    }

    let mut unreachable: Vec<&String> = s.files_unreachable.iter().collect();
    unreachable.sort_unstable();
    if !unreachable.is_empty() {
        writeln!(
            out,
            "ssot: {} not in any module tree (no crate compiles them; not analysed):",
            plural(unreachable.len(), "file is", "files are")
        )?;
        for path in unreachable.iter().take(UNREACHABLE_LISTED) {
            writeln!(out, "  {path}")?;
        }
        if unreachable.len() > UNREACHABLE_LISTED {
            writeln!(
                out,
                "  … and {} more",
                unreachable.len() - UNREACHABLE_LISTED
            )?;
        }
    }

    let problems = ordered_problems(index);
    if !problems.is_empty() {
        writeln!(
            out,
            "ssot: {} kept input from being analysed:",
            plural(problems.len(), "problem", "problems")
        )?;
        for p in problems {
            let location = match problem_position(index, p) {
                Some(pos) => format!("{}:{}:{}", p.path, pos.line, pos.column),
                None => p.path.clone(),
            };
            writeln!(
                out,
                "  {location}: {}: {}",
                problem_kind_name(&p.problem.kind),
                p.problem.message
            )?;
        }
    }

    if !outcome.stale_baseline.is_empty() {
        let n = outcome.stale_baseline.len();
        writeln!(
            out,
            "ssot: {} no longer {} anything (rewrite the baseline to shrink it):",
            plural(n, "baseline entry", "baseline entries"),
            if n == 1 { "matches" } else { "match" }
        )?;
        let mut stale: Vec<_> = outcome.stale_baseline.iter().collect();
        stale.sort_by(|a, b| {
            (&a.file, &a.rule, &a.item_path).cmp(&(&b.file, &b.rule, &b.item_path))
        });
        for e in stale {
            let rule = e.rule.strip_prefix("ssot::").unwrap_or(&e.rule);
            writeln!(
                out,
                "  {}: ssot::{rule} {} ({} unused)",
                e.file, e.item_path, e.unused
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::report::{test_support, Format, RenderOptions};

    #[test]
    fn finding_shows_code_snippet_labels_and_help() {
        let text = test_support::render(Format::Human, &RenderOptions::default());
        assert!(text.contains("ssot::singleton-manager"), "{text}");
        assert!(text.contains("[src/lib.rs:3:23]"), "{text}");
        assert!(text.contains("static ÉTAT: u8 = 0;"), "{text}");
        assert!(text.contains("singleton manager"), "primary label: {text}");
        assert!(text.contains("ChatManager is defined here"), "{text}");
        assert!(text.contains("pass the manager in instead"), "{text}");
        assert!(text.contains("fix available: rename"), "{text}");
        assert!(!text.contains('\u{1b}'), "no color unless asked: {text}");
        assert!(!text.contains("a registry"), "suppressed hidden: {text}");
    }

    #[test]
    fn summary_lists_counts_unreachable_files_problems_and_stale_entries() {
        let text = test_support::render(Format::Human, &RenderOptions::default());
        assert!(text.contains("ssot::singleton-manager  1"), "{text}");
        assert!(
            text.contains("1 finding: 1 error, 0 warnings, 0 notes"),
            "{text}"
        );
        assert!(text.contains("1 by allow comments"), "{text}");
        assert!(
            text.contains("analysed 1 file (5 lines) in 1 crate, 1 workspace"),
            "{text}"
        );
        assert!(text.contains("  src/old.rs"), "{text}");
        assert!(
            text.contains("  src/lib.rs:5:4: parse: expected `)`"),
            "{text}"
        );
        assert!(
            text.contains("  crates/x/Cargo.toml: bad-manifest: missing field"),
            "{text}"
        );
        assert!(
            text.contains("src/gone.rs: ssot::singleton-manager chat::gone::X (1 unused)"),
            "{text}"
        );
    }

    #[test]
    fn quiet_leaves_out_the_summary_and_color_is_optional() {
        let options = RenderOptions {
            quiet: true,
            color: true,
            include_suppressed: false,
        };
        let text = test_support::render(Format::Human, &options);
        assert!(!text.contains("analysed"), "{text}");
        assert!(text.contains('\u{1b}'), "colored: {text}");
    }

    #[test]
    fn long_lines_wrap_at_spaces_only() {
        let mut outcome = test_support::outcome();
        let key = "concepts.websocket-manager.canonical";
        outcome.findings[1].help = Some(format!("{}{key}", "x ".repeat(32)));
        let mut out = Vec::new();
        super::render(&outcome, &RenderOptions::default(), &mut out).expect("render");
        let text = String::from_utf8(out).expect("utf8");
        assert!(text.contains(key), "{text}");
    }

    #[test]
    fn a_span_outside_the_file_does_not_spoil_the_report() {
        use crate::source::Span;
        let mut outcome = test_support::outcome();
        outcome.findings[1].span = Span::new(10_000, 10_010);
        outcome.findings[1].related[0].span = Span::new(3, 99_999);
        let mut out = Vec::new();
        super::render(&outcome, &RenderOptions::default(), &mut out).expect("render");
        let text = String::from_utf8(out).expect("utf8");
        assert!(text.contains("ssot::singleton-manager"), "{text}");
        assert!(text.contains("analysed 1 file"), "{text}");
    }

    #[test]
    fn related_span_in_another_file_gets_its_own_snippet() {
        use crate::finding::Finding;
        use crate::index::{CrateId, FileRole, IndexedFile, ModuleId};
        use crate::source::{FileId, SourceFile, Span};
        let mut outcome = test_support::outcome();
        let other = "pub struct ChatManager { users: Vec<u32> }\n";
        outcome.index.files.push(IndexedFile {
            source: SourceFile::new(
                "/ws/src/core.rs".into(),
                "src/core.rs".into(),
                std::sync::Arc::from(other),
            ),
            facts: Default::default(),
            role: FileRole::Module {
                krate: CrateId(0),
                module: ModuleId(1),
            },
            in_test: false,
        });
        outcome.findings = vec![Finding::new(
            "duplicate-concept",
            crate::finding::Level::Warning,
            FileId(0),
            test_support::span_of("ChatManager"),
            "second ChatManager",
        )
        .related(FileId(1), Span::new(11, 22), "canonical definition is here")];
        let mut out = Vec::new();
        super::render(&outcome, &RenderOptions::default(), &mut out).expect("render");
        let text = String::from_utf8(out).expect("utf8");
        assert!(text.contains("canonical definition is here"), "{text}");
        assert!(text.contains("[src/core.rs:1:12]"), "{text}");
        assert!(text.contains("users: Vec<u32>"), "{text}");
    }
}
