//! `// ssot:allow(rule): reason` suppressions and the two hygiene rules.
//!
//! A directive covers findings whose primary span starts on the line it applies to:
//! its own line when it trails code, else the next line with code (skipping blank lines,
//! other comments, and the attributes of the item below); `//! ssot:allow-file(rule)`
//! covers the whole file. A directive without a reason still works but is reported
//! (`suppression-missing-reason`); one that covers nothing is reported
//! (`unused-suppression`). Neither hygiene finding can itself be suppressed by a comment,
//! only switched off in `[rules]`.

use crate::config::suggest::did_you_mean;
use crate::config::{Config, RuleLevel};
use crate::facts::Suppression;
use crate::finding::{Finding, Level, Suppressed};
use crate::index::Index;
use crate::source::{FileId, SourceFile, Span};
use std::collections::HashMap;
use std::ops::RangeInclusive;

pub const MISSING_REASON: &str = "suppression-missing-reason";
pub const UNUSED: &str = "unused-suppression";

/// One directive of one file, with the lines it covers.
struct Directive<'a> {
    file: FileId,
    suppression: &'a Suppression,
    /// 0-based lines; `None` for a file-level directive.
    lines: Option<RangeInclusive<usize>>,
    /// Rule ids without `ssot::`, parallel to `suppression.rules`.
    rules: Vec<String>,
    /// Which of `rules` suppressed something.
    used: Vec<bool>,
}

/// Mark the findings covered by a directive as suppressed, and return the hygiene findings
/// about the directives themselves.
pub fn apply(index: &Index, config: &Config, findings: &mut [Finding]) -> Vec<Finding> {
    let mut directives: Vec<Directive> = Vec::new();
    let mut by_file: HashMap<FileId, Vec<usize>> = HashMap::new();
    for file in index.rust_files() {
        let indexed = index.file(file);
        for suppression in &indexed.facts.suppressions {
            by_file.entry(file).or_default().push(directives.len());
            directives.push(Directive {
                file,
                suppression,
                lines: (!suppression.file_level)
                    .then(|| covered_lines(&indexed.source, suppression)),
                rules: suppression
                    .rules
                    .iter()
                    .map(|r| normalize_rule(r).to_string())
                    .collect(),
                used: vec![false; suppression.rules.len()],
            });
        }
    }

    for finding in findings.iter_mut().filter(|f| f.suppressed.is_none()) {
        let Some(candidates) = by_file.get(&finding.file) else {
            continue;
        };
        let line = index
            .file(finding.file)
            .source
            .lines
            .line_of(finding.span.lo);
        // The directive next to the code wins over a file-level one: it is the more
        // specific statement, and the file-level one may then be reported as unused.
        let line_level = candidates
            .iter()
            .find(|d| matches!(&directives[**d].lines, Some(l) if l.contains(&line)));
        let file_level = candidates.iter().find(|d| directives[**d].lines.is_none());
        for d in line_level.into_iter().chain(file_level) {
            let directive = &mut directives[*d];
            if let Some(r) = directive.rules.iter().position(|r| r == finding.rule) {
                directive.used[r] = true;
                finding.suppressed = Some(Suppressed::Comment {
                    reason: directive.suppression.reason.clone().unwrap_or_default(),
                });
                break;
            }
        }
    }

    let mut hygiene = Vec::new();
    for directive in &directives {
        hygiene.extend(hygiene_findings(index, config, directive));
    }
    hygiene
}

fn normalize_rule(id: &str) -> &str {
    let id = id.trim();
    id.strip_prefix("ssot::").unwrap_or(id)
}

fn hygiene_findings(index: &Index, config: &Config, directive: &Directive) -> Vec<Finding> {
    let sup = directive.suppression;
    let file = directive.file;
    let form = if sup.file_level {
        "ssot:allow-file"
    } else {
        "ssot:allow"
    };
    let key = format!("{form}({})", directive.rules.join(", "));
    let mut out = Vec::new();

    if let Some(level) = config.level_for(MISSING_REASON, Level::Warning) {
        if !matches!(sup.reason.as_deref(), Some(r) if !r.trim().is_empty()) {
            out.push(
                Finding::new(
                    MISSING_REASON,
                    level,
                    file,
                    sup.span,
                    format!(
                        "`{form}` without a reason: the next reader cannot tell a deliberate \
                         exception from a silenced bug"
                    ),
                )
                .help(format!(
                    "say why after a colon: `// {form}({}): <why this is fine>`",
                    directive.rules.join(", ")
                ))
                .item_path(key.clone()),
            );
        }
    }

    let Some(level) = config.level_for(UNUSED, Level::Warning) else {
        return out;
    };
    // Test code is not analysed by default, so its directives have nothing to cover.
    if !config.include_tests && in_test_code(index, file, sup.span) {
        return out;
    }
    if directive.rules.is_empty() {
        out.push(
            Finding::new(
                UNUSED,
                level,
                file,
                sup.span,
                format!("`{form}` names no rule"),
            )
            .help("name the rule it allows, e.g. `// ssot:allow(singleton-manager): reason`")
            .item_path(key),
        );
        return out;
    }
    let known: Vec<&str> = crate::rules::meta::all()
        .iter()
        .map(|m| m.id.as_str())
        .collect();
    for (rule, used) in directive.rules.iter().zip(&directive.used) {
        if *used {
            continue;
        }
        let span = rule_span(index, file, sup.span, rule);
        let item_path = format!("{form}({rule})");
        if !known.contains(&rule.as_str()) {
            let help = match did_you_mean(rule, known.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "`cargo ssot rules` lists the rule ids".to_string(),
            };
            out.push(
                Finding::new(
                    UNUSED,
                    level,
                    file,
                    span,
                    format!("`{form}` names unknown rule `{rule}`, so it suppresses nothing"),
                )
                .help(help)
                .item_path(item_path),
            );
            continue;
        }
        // A rule switched off in config has no findings to cover; that is not the
        // directive's fault.
        if matches!(
            config.rule_levels.get(rule.as_str()).map(|l| l.value),
            Some(RuleLevel::Off)
        ) {
            continue;
        }
        let place = if sup.file_level {
            "in this file"
        } else {
            "on the line it applies to"
        };
        out.push(
            Finding::new(
                UNUSED,
                level,
                file,
                span,
                format!("`{form}({rule})` suppresses nothing: there is no `ssot::{rule}` finding {place}"),
            )
            .help("remove the directive (or the rule from it); stale exceptions hide future findings")
            .item_path(item_path),
        );
    }
    out
}

/// The span of `rule` inside the directive's text, so the unused id is what gets underlined.
fn rule_span(index: &Index, file: FileId, comment: Span, rule: &str) -> Span {
    let text = index.span_text(file, comment);
    let lo = comment.lo as usize;
    let prefixed = format!("ssot::{rule}");
    text.find(&prefixed)
        .map(|at| Span::new(lo + at, lo + at + prefixed.len()))
        .or_else(|| {
            text.find(rule)
                .map(|at| Span::new(lo + at, lo + at + rule.len()))
        })
        .unwrap_or(comment)
}

fn in_test_code(index: &Index, file: FileId, span: Span) -> bool {
    let indexed = index.file(file);
    indexed.in_test
        || indexed
            .facts
            .items
            .iter()
            .any(|i| i.in_test && i.span.lo <= span.lo && span.lo < i.span.hi)
}

/// 0-based lines a line directive covers: its own line when it trails code; else the next
/// line with code, extended over the attributes (`#[..]`, possibly multi-line) in front of
/// an item so the directive still reaches the item's name.
fn covered_lines(source: &SourceFile, sup: &Suppression) -> RangeInclusive<usize> {
    let own = sup.line as usize;
    if sup.trailing {
        return own..=own;
    }
    let count = source.lines.line_count();
    let text = |l: usize| source.lines.line_text(source.text(), l).trim();
    let mut line = own + 1;
    while line < count && is_blank_or_comment(text(line)) {
        line += 1;
    }
    let first = line;
    let mut depth = 0i32;
    while line < count {
        let t = text(line);
        if depth == 0 && !t.starts_with("#[") && !is_blank_or_comment(t) {
            break;
        }
        if depth > 0 || t.starts_with("#[") {
            depth += t.matches('[').count() as i32 - t.matches(']').count() as i32;
        }
        line += 1;
    }
    // A directive at the end of the file covers nothing real; clamp to the last line.
    let last_line = count.saturating_sub(1);
    let first = first.min(last_line);
    first..=line.min(last_line).max(first)
}

fn is_blank_or_comment(line: &str) -> bool {
    line.is_empty() || line.starts_with("//")
}
