//! `--format sarif`: one SARIF 2.1.0 log with one run, for GitHub code scanning and SARIF
//! viewers; documented in `docs/sarif.md` and checked against the official validator by
//! `scripts/validate-sarif.sh`.
//!
//! Choices that consumers depend on:
//! - URIs are relative to the directory `cargo ssot` started in (`uriBaseId: %SRCROOT%`),
//!   percent-encoded; the log holds no absolute path, timestamp or anything else that
//!   changes between runs on the same code.
//! - Columns count UTF-16 code units (`columnKind: utf16CodeUnits`), as VS Code and GitHub
//!   index text; ends are exclusive.
//! - `partialFingerprints.primaryLocationLineHash` hashes the rule, the finding's item path
//!   and the flagged line's text (never its number), so alerts survive edits above them.
//! - Suppressed and baselined findings are left out (GitHub ignores SARIF suppressions)
//!   unless `--include-suppressed`; then they carry `suppressions`.

use super::{ordered_problems, problem_kind_name, rel_path, shown_findings, RenderOptions};
use crate::finding::{Edit, Finding, Level, Suppressed};
use crate::index::{Index, InputProblem};
use crate::rules::meta::{self, RuleMeta};
use crate::source::{FileId, Span};
use crate::Outcome;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// GitHub code scanning keeps at most this many results of one run and drops the rest.
pub const GITHUB_RESULT_LIMIT: usize = 5_000;
/// Base of every artifact URI: the directory the analysis started in.
const SRCROOT: &str = "%SRCROOT%";
/// Descriptor id of the notification about [`GITHUB_RESULT_LIMIT`].
const RESULT_LIMIT_ID: &str = "github-result-limit";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    invocations: [Invocation; 1],
    original_uri_base_ids: BTreeMap<&'static str, BaseUri>,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule>,
    notifications: Vec<Rule>,
}

/// A reporting descriptor: a rule, or a kind of tool notification.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    default_configuration: Configuration,
    properties: Properties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

impl Text {
    fn new(text: impl Into<String>) -> Text {
        Text { text: text.into() }
    }
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Properties {
    tags: Vec<String>,
}

#[derive(Serialize)]
struct BaseUri {
    description: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Notification {
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Option::is_none")]
    descriptor: Option<DescriptorRef>,
}

#[derive(Serialize)]
struct DescriptorRef {
    id: &'static str,
    index: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text,
    locations: [Location; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressions: Option<Vec<Suppression<'a>>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
    #[serde(skip_serializing_if = "Option::is_none")]
    context_region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
}

impl ArtifactLocation {
    fn of(rel_path: &str) -> ArtifactLocation {
        ArtifactLocation {
            uri: uri(rel_path),
            uri_base_id: SRCROOT,
        }
    }
}

/// 1-based lines, 1-based UTF-16 columns, exclusive end.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    snippet: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix {
    description: Text,
    artifact_changes: Vec<ArtifactChange>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    deleted_region: Region,
    inserted_content: Text,
}

#[derive(Serialize)]
struct Suppression<'a> {
    kind: &'static str,
    status: &'static str,
    justification: &'a str,
}

pub fn render(outcome: &Outcome, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let index = &outcome.index;
    let findings = shown_findings(outcome, options);
    let mut occurrences: HashMap<(FileId, u64), usize> = HashMap::new();
    let results: Vec<SarifResult> = findings
        .iter()
        .map(|f| {
            let hash = line_hash(index, f);
            let n = occurrences.entry((f.file, hash)).or_default();
            *n += 1;
            result(index, f, format!("{hash:016x}:{n}"), options)
        })
        .collect();

    let mut notifications: Vec<Notification> = ordered_problems(index)
        .into_iter()
        .map(|p| notification(index, p))
        .collect();
    if results.len() > GITHUB_RESULT_LIMIT {
        notifications.push(Notification {
            level: "warning",
            message: Text::new(result_limit_message(results.len())),
            locations: Vec::new(),
            descriptor: descriptor_ref(RESULT_LIMIT_ID),
        });
    }

    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "cargo-ssot",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: env!("CARGO_PKG_REPOSITORY"),
                    rules: meta::all().iter().map(rule).collect(),
                    notifications: descriptors(),
                },
            },
            invocations: [Invocation {
                execution_successful: true,
                tool_execution_notifications: notifications,
            }],
            original_uri_base_ids: BTreeMap::from([(
                SRCROOT,
                BaseUri {
                    description: Text::new(
                        "The directory cargo-ssot was started in (normally the repository root).",
                    ),
                },
            )]),
            column_kind: "utf16CodeUnits",
            results,
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

/// The warning shown (in the log and on stderr) when GitHub would drop results.
pub fn result_limit_message(results: usize) -> String {
    format!(
        "This run has {results} results, but GitHub code scanning keeps at most \
{GITHUB_RESULT_LIMIT} results of a run and drops the rest; fix findings or record them \
in a baseline (--write-baseline) to stay under the limit."
    )
}

fn rule(m: &RuleMeta) -> Rule {
    let bad = m.bad.trim_end();
    let good = m.good.trim_end();
    Rule {
        id: format!("ssot::{}", m.id),
        name: m.name.clone(),
        short_description: Text::new(sentence(&m.summary)),
        full_description: Text::new(format!("{} {}", sentence(&m.what), sentence(&m.why))),
        help: Help {
            text: format!(
                "{}\n\nWhy is this bad? {}\n\nHow to fix: {}\n\nExample:\n{}\n\nUse instead:\n{}\n",
                sentence(&m.what),
                sentence(&m.why),
                sentence(&m.fix),
                indent(bad),
                indent(good),
            ),
            markdown: format!(
                "{}\n\n### Why is this bad?\n{}\n\n### How to fix\n{}\n\n\
### Example\n```rust\n{bad}\n```\nUse instead:\n```rust\n{good}\n```\n",
                sentence(&m.what),
                sentence(&m.why),
                sentence(&m.fix),
            ),
        },
        default_configuration: Configuration {
            level: level(m.level),
        },
        properties: Properties {
            tags: m.tags.clone(),
        },
    }
}

/// A kind of tool notification: id, friendly name, what happened, what to do.
struct NotificationKind {
    id: &'static str,
    name: &'static str,
    what: &'static str,
    fix: &'static str,
}

/// Problem kinds and the result-limit warning, in a fixed order (`descriptor.index`).
const NOTIFICATION_KINDS: &[NotificationKind] = &[
    NotificationKind {
        id: "parse",
        name: "FileNotParsed",
        what: "A file could not be parsed and was not analysed.",
        fix: "Fix the syntax error; `cargo check` shows it too.",
    },
    NotificationKind {
        id: "too-deep",
        name: "FileTooDeep",
        what: "A file nests deeper than the analyser follows and was not analysed.",
        fix: "Split the deeply nested code into smaller items.",
    },
    NotificationKind {
        id: "too-large",
        name: "FileTooLarge",
        what: "A file is larger than the configured maximum and was not analysed.",
        fix: "Exclude generated files in the config, or split the file.",
    },
    NotificationKind {
        id: "not-utf8",
        name: "FileNotUtf8",
        what: "A file is not valid UTF-8 and was not analysed.",
        fix: "Save the file as UTF-8, as rustc requires.",
    },
    NotificationKind {
        id: "unreadable",
        name: "FileUnreadable",
        what: "A file could not be read and was not analysed.",
        fix: "Check the file's permissions.",
    },
    NotificationKind {
        id: "missing-module",
        name: "MissingModule",
        what: "A `mod` declaration names a file that does not exist.",
        fix: "Create the file or remove the declaration.",
    },
    NotificationKind {
        id: "module-cycle",
        name: "ModuleCycle",
        what: "`mod` declarations form a cycle; the module was analysed once.",
        fix: "Fix the `#[path]` attributes that lead back to an ancestor module.",
    },
    NotificationKind {
        id: "symlink-loop",
        name: "SymlinkLoop",
        what: "A symbolic link loops back on itself and was not followed.",
        fix: "Remove or correct the link.",
    },
    NotificationKind {
        id: "bad-manifest",
        name: "BadManifest",
        what: "A Cargo manifest could not be read or parsed; its crates were not analysed.",
        fix: "Fix the manifest; `cargo metadata` reports the same error.",
    },
    NotificationKind {
        id: RESULT_LIMIT_ID,
        name: "GithubResultLimit",
        what: "The run has more results than GitHub code scanning keeps for one run.",
        fix: "Fix findings, or record them in a baseline (`--write-baseline`) so that only \
new ones are reported.",
    },
];

fn descriptors() -> Vec<Rule> {
    NOTIFICATION_KINDS
        .iter()
        .map(|k| Rule {
            id: k.id.to_string(),
            name: k.name.to_string(),
            short_description: Text::new(k.what),
            full_description: Text::new(format!("{} {}", k.what, k.fix)),
            help: Help {
                text: k.fix.to_string(),
                markdown: k.fix.to_string(),
            },
            default_configuration: Configuration {
                level: notification_level(k.id),
            },
            properties: Properties {
                tags: vec!["ssot".to_string(), "tool-notification".to_string()],
            },
        })
        .collect()
}

fn descriptor_ref(id: &'static str) -> Option<DescriptorRef> {
    let index = NOTIFICATION_KINDS.iter().position(|k| k.id == id)?;
    Some(DescriptorRef { id, index })
}

/// A file that was not analysed at all is an error; a module-tree oddity or the result
/// limit, a warning.
fn notification_level(id: &str) -> &'static str {
    match id {
        "missing-module" | "module-cycle" | "symlink-loop" | RESULT_LIMIT_ID => "warning",
        _ => "error",
    }
}

fn notification(index: &Index, p: &InputProblem) -> Notification {
    let kind = problem_kind_name(&p.problem.kind);
    let region = p
        .file
        .zip(p.problem.span)
        .and_then(|(file, span)| region(index, file, span, false));
    Notification {
        level: notification_level(kind),
        message: Text::new(format!("{}: {}", p.path, sentence(&p.problem.message))),
        locations: vec![Location {
            id: None,
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation::of(&p.path),
                region,
                context_region: None,
            },
            message: None,
        }],
        descriptor: descriptor_ref(kind),
    }
}

fn result<'a>(
    index: &Index,
    f: &'a Finding,
    fingerprint: String,
    options: &RenderOptions,
) -> SarifResult<'a> {
    let related_locations: Vec<Location> = f
        .related
        .iter()
        .enumerate()
        .map(|(i, r)| Location {
            id: Some(i + 1),
            physical_location: physical_location(index, r.file, r.span),
            message: Some(Text::new(r.label.trim())),
        })
        .collect();
    let suppressions = options.include_suppressed.then(|| match &f.suppressed {
        None => Vec::new(),
        Some(Suppressed::Comment { reason }) => vec![Suppression {
            kind: "inSource",
            status: "accepted",
            justification: reason,
        }],
        Some(Suppressed::Baseline) => vec![Suppression {
            kind: "external",
            status: "accepted",
            justification: "Recorded in the baseline file.",
        }],
    });
    SarifResult {
        rule_id: f.code(),
        rule_index: meta::position(f.rule),
        level: level(f.level),
        message: Text::new(message_text(f)),
        locations: [Location {
            id: None,
            physical_location: physical_location(index, f.file, f.span),
            message: None,
        }],
        related_locations,
        partial_fingerprints: BTreeMap::from([("primaryLocationLineHash", fingerprint)]),
        fixes: f
            .fix
            .iter()
            .map(|fix| sarif_fix(index, &fix.description, &fix.edits))
            .collect(),
        suppressions,
    }
}

/// The message, then the help, then links to the related locations (`[label](id)`, which
/// GitHub renders as links). With links in the text, literal brackets must be escaped.
fn message_text(f: &Finding) -> String {
    let escape = |s: &str| -> String {
        if f.related.is_empty() {
            s.to_string()
        } else {
            s.replace('[', "\\[").replace(']', "\\]")
        }
    };
    let mut text = escape(&capitalized(&sentence(&f.message)));
    if let Some(help) = &f.help {
        text.push(' ');
        text.push_str(&escape(&capitalized(&sentence(help))));
    }
    if !f.related.is_empty() {
        let links: Vec<String> = f
            .related
            .iter()
            .enumerate()
            .map(|(i, r)| format!("[{}]({})", escape(r.label.trim()), i + 1))
            .collect();
        text.push_str(&format!(" See {}.", links.join(", ")));
    }
    text
}

fn physical_location(index: &Index, file: FileId, span: Span) -> PhysicalLocation {
    PhysicalLocation {
        artifact_location: ArtifactLocation::of(rel_path(index, file)),
        region: region(index, file, span, true),
        context_region: context_region(index, file, span),
    }
}

fn region(index: &Index, file: FileId, span: Span, with_snippet: bool) -> Option<Region> {
    let source = &super::file(index, file)?.source;
    let (start, end) = super::span_positions(index, file, span)?;
    Some(Region {
        start_line: start.line,
        start_column: start.column_utf16,
        end_line: end.line,
        end_column: end.column_utf16,
        snippet: with_snippet.then(|| Text::new(source.snippet(span))),
    })
}

/// The whole lines the span is on, so viewers can show it in context.
fn context_region(index: &Index, file: FileId, span: Span) -> Option<Region> {
    let source = &super::file(index, file)?.source;
    let (start, end) = super::span_positions(index, file, span)?;
    let lines: Vec<&str> = (start.line..=end.line)
        .map(|line| source.lines.line_text(source.text(), line as usize - 1))
        .collect();
    let last = lines.last().copied().unwrap_or("");
    Some(Region {
        start_line: start.line,
        start_column: 1,
        end_line: end.line,
        end_column: last.encode_utf16().count() as u32 + 1,
        snippet: Some(Text::new(lines.join("\n"))),
    })
}

/// One artifact change per file, in the order the edits first name them.
fn sarif_fix(index: &Index, description: &str, edits: &[Edit]) -> SarifFix {
    let mut changes: Vec<(FileId, ArtifactChange)> = Vec::new();
    for e in edits {
        let Some(deleted_region) = region(index, e.file, e.span, false) else {
            continue;
        };
        let replacement = Replacement {
            deleted_region,
            inserted_content: Text::new(e.replacement.clone()),
        };
        match changes.iter_mut().find(|(file, _)| *file == e.file) {
            Some((_, change)) => change.replacements.push(replacement),
            None => changes.push((
                e.file,
                ArtifactChange {
                    artifact_location: ArtifactLocation::of(rel_path(index, e.file)),
                    replacements: vec![replacement],
                },
            )),
        }
    }
    SarifFix {
        description: Text::new(description.trim()),
        artifact_changes: changes.into_iter().map(|(_, c)| c).collect(),
    }
}

fn level(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Note => "note",
    }
}

/// Hash of what identifies a finding across edits: rule, item path, and the flagged line's
/// text with whitespace runs collapsed (so re-indenting keeps it). FNV-1a: stable across
/// platforms and releases, unlike `std`'s hasher.
fn line_hash(index: &Index, f: &Finding) -> u64 {
    let line = super::file(index, f.file)
        .map(|file| {
            let line0 = file.source.lines.line_of(f.span.lo);
            file.source.lines.line_text(file.source.text(), line0)
        })
        .unwrap_or("");
    let normalized = line.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [f.rule, f.item_path.as_str(), normalized.as_str()] {
        for byte in part.bytes().chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// A relative URI reference for a `/`-separated path: everything but unreserved characters
/// and `/` percent-encoded (spaces, `#`, `%`, non-ASCII names).
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Trimmed, ending with a period unless it already ends a sentence (SARIF asks for
/// messages that are complete sentences).
fn sentence(text: &str) -> String {
    let text = text.trim();
    if text.is_empty() || text.ends_with(['.', '!', '?']) {
        text.to_string()
    } else {
        format!("{text}.")
    }
}

/// rustc-style messages start in lower case; SARIF's read as sentences. Only a plain word
/// is capitalized, never an identifier or path (`chat_core::X`, `static`'s neighbours).
fn capitalized(text: &str) -> String {
    let first_word = text.split(' ').next().unwrap_or("");
    let plain_word = first_word
        .trim_end_matches([',', '.', ':', ';'])
        .bytes()
        .all(|b| b.is_ascii_lowercase());
    let mut chars = text.chars();
    match chars.next() {
        Some(c) if plain_word => c.to_ascii_uppercase().to_string() + chars.as_str(),
        _ => text.to_string(),
    }
}

fn indent(code: &str) -> String {
    code.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("    {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::{self, TEXT};
    use crate::report::{Format, RenderOptions};
    use serde_json::Value;

    fn log(options: &RenderOptions) -> Value {
        let text = test_support::render(Format::Sarif, options);
        serde_json::from_str(&text).expect("valid JSON")
    }

    #[test]
    fn log_has_schema_tool_and_every_rule() {
        let log = log(&RenderOptions::default());
        assert_eq!(log["$schema"], SCHEMA_URI);
        assert_eq!(log["version"], "2.1.0");
        assert_eq!(log["runs"].as_array().map(Vec::len), Some(1));
        let run = &log["runs"][0];
        assert_eq!(run["columnKind"], "utf16CodeUnits");
        let driver = &run["tool"]["driver"];
        assert_eq!(driver["name"], "cargo-ssot");
        assert_eq!(driver["semanticVersion"], env!("CARGO_PKG_VERSION"));
        let rules = driver["rules"].as_array().expect("rules");
        assert_eq!(rules.len(), meta::all().len());
        for (i, m) in meta::all().iter().enumerate() {
            let r = &rules[i];
            assert_eq!(r["id"], format!("ssot::{}", m.id));
            assert_eq!(r["name"], m.name.as_str());
            assert_eq!(r["defaultConfiguration"]["level"], level(m.level));
            let markdown = r["help"]["markdown"].as_str().expect("markdown help");
            assert!(markdown.contains(&format!("```rust\n{}\n```", m.bad.trim_end())));
            assert!(r["properties"]["tags"].is_array());
        }
        assert!(!log.to_string().contains("/ws/src"), "no absolute paths");
    }

    #[test]
    fn result_has_utf16_region_related_fix_and_fingerprint() {
        let log = log(&RenderOptions::default());
        let results = log["runs"][0]["results"].as_array().expect("results");
        assert_eq!(results.len(), 1, "suppressed finding left out");
        let r = &results[0];
        assert_eq!(r["ruleId"], "ssot::singleton-manager");
        assert_eq!(
            r["ruleIndex"].as_u64(),
            meta::position("singleton-manager").map(|i| i as u64)
        );
        assert_eq!(r["level"], "error");
        assert_eq!(
            r["message"]["text"],
            "Static `ÉTAT` holds a process-global ChatManager. Pass the manager in instead. \
See [ChatManager is defined here](1)."
        );
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "src/lib.rs");
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        // `\tlet café = 1; static ` is 22 UTF-16 code units (every char is in the BMP)
        let region = &loc["region"];
        assert_eq!(
            [
                &region["startLine"],
                &region["startColumn"],
                &region["endLine"],
                &region["endColumn"]
            ],
            [3, 23, 3, 27]
        );
        assert_eq!(region["snippet"]["text"], "ÉTAT");
        assert_eq!(
            loc["contextRegion"]["snippet"]["text"],
            "\tlet café = 1; static ÉTAT: u8 = 0;"
        );
        assert_eq!(loc["contextRegion"]["endColumn"], 36);
        let related = &r["relatedLocations"][0];
        assert_eq!(related["id"], 1);
        assert_eq!(related["message"]["text"], "ChatManager is defined here");
        assert_eq!(related["physicalLocation"]["region"]["startColumn"], 12);
        let change = &r["fixes"][0]["artifactChanges"][0];
        assert_eq!(change["artifactLocation"]["uri"], "src/lib.rs");
        assert_eq!(
            change["replacements"][0]["insertedContent"]["text"],
            "STATE"
        );
        assert_eq!(
            change["replacements"][0]["deletedRegion"]["startColumn"],
            23
        );
        let fingerprint = r["partialFingerprints"]["primaryLocationLineHash"]
            .as_str()
            .expect("fingerprint");
        assert!(fingerprint.ends_with(":1"), "{fingerprint}");
        assert!(r.get("suppressions").is_none());
    }

    #[test]
    fn fingerprints_survive_edits_above_and_reindenting() {
        let before = test_support::outcome();
        let mut after = test_support::outcome();
        let shifted = format!("// a new first line\n{}", TEXT.replace('\t', "    "));
        let old = &before.index.files[0].source;
        after.index.files[0].source = crate::source::SourceFile::new(
            old.path.clone(),
            old.rel_path.clone(),
            std::sync::Arc::from(shifted.as_str()),
        );
        let lo = shifted.find("ÉTAT").expect("in text");
        after.findings[1].span = Span::new(lo, lo + "ÉTAT".len());
        let hash = |o: &Outcome| line_hash(&o.index, &o.findings[1]);
        assert_eq!(hash(&before), hash(&after));
        after.findings[1].item_path = "chat::other".into();
        assert_ne!(hash(&before), hash(&after), "another item is another alert");
    }

    #[test]
    fn problems_become_notifications() {
        let log = log(&RenderOptions::default());
        let run = &log["runs"][0];
        let invocation = &run["invocations"][0];
        assert_eq!(invocation["executionSuccessful"], true);
        let notes = invocation["toolExecutionNotifications"]
            .as_array()
            .expect("array");
        assert_eq!(notes.len(), 2);
        assert_eq!(notes[0]["descriptor"]["id"], "bad-manifest");
        assert_eq!(notes[0]["level"], "error");
        let loc = &notes[0]["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "crates/x/Cargo.toml");
        assert!(loc.get("region").is_none());
        assert_eq!(notes[1]["descriptor"]["id"], "parse");
        let descriptors = &run["tool"]["driver"]["notifications"];
        let i = notes[1]["descriptor"]["index"].as_u64().expect("index") as usize;
        assert_eq!(descriptors[i]["id"], "parse");
        let region = &notes[1]["locations"][0]["physicalLocation"]["region"];
        assert_eq!(
            (region["startLine"].as_u64(), region["startColumn"].as_u64()),
            (Some(5), Some(4))
        );
    }

    #[test]
    fn every_problem_kind_has_a_notification_descriptor() {
        use crate::facts::ProblemKind::*;
        for kind in [
            Parse,
            TooDeep,
            TooLarge,
            NotUtf8,
            Unreadable,
            MissingModule,
            ModuleCycle,
            SymlinkLoop,
            BadManifest,
        ] {
            let id = problem_kind_name(&kind);
            assert!(descriptor_ref(id).is_some(), "{id}");
        }
        assert_eq!(notification_level(RESULT_LIMIT_ID), "warning");
    }

    #[test]
    fn suppressed_findings_carry_suppressions_when_asked() {
        let log = log(&RenderOptions {
            include_suppressed: true,
            ..RenderOptions::default()
        });
        let results = &log["runs"][0]["results"];
        assert_eq!(results[0]["suppressions"][0]["kind"], "inSource");
        assert_eq!(results[0]["suppressions"][0]["justification"], "legacy");
        assert_eq!(results[1]["suppressions"].as_array().map(Vec::len), Some(0));
    }

    #[test]
    fn over_the_github_limit_a_warning_says_so() {
        let mut outcome = test_support::outcome();
        let f = outcome.findings[1].clone();
        outcome.findings = vec![f; GITHUB_RESULT_LIMIT + 1];
        let mut out = Vec::new();
        render(&outcome, &RenderOptions::default(), &mut out).expect("renders");
        let log: Value = serde_json::from_slice(&out).expect("JSON");
        let run = &log["runs"][0];
        assert_eq!(
            run["results"].as_array().map(Vec::len),
            Some(GITHUB_RESULT_LIMIT + 1)
        );
        let fingerprint = &run["results"][1]["partialFingerprints"]["primaryLocationLineHash"];
        assert!(
            fingerprint.as_str().is_some_and(|s| s.ends_with(":2")),
            "{fingerprint}"
        );
        let notes = run["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .expect("array");
        let last = notes.last().expect("a notification");
        assert_eq!(last["descriptor"]["id"], RESULT_LIMIT_ID);
        assert_eq!(last["level"], "warning");
    }

    #[test]
    fn uris_are_percent_encoded_and_messages_escaped() {
        assert_eq!(
            uri("src/ws manager/état#1.rs"),
            "src/ws%20manager/%C3%A9tat%231.rs"
        );
        let f = Finding::new("x", Level::Note, FileId(0), Span::default(), "use `a[0]`").related(
            FileId(0),
            Span::default(),
            "here",
        );
        assert_eq!(message_text(&f), "Use `a\\[0\\]`. See [here](1).");
        let plain = Finding::new("x", Level::Note, FileId(0), Span::default(), "use `a[0]`!");
        assert_eq!(message_text(&plain), "Use `a[0]`!");
        assert_eq!(
            capitalized("chat_core::X is here."),
            "chat_core::X is here."
        );
        assert_eq!(capitalized("`x` is here."), "`x` is here.");
    }
}
