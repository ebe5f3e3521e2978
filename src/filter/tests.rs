use super::*;
use crate::config::{RuleLevel, Spanned};
use crate::facts::{FileFacts, Suppression};
use crate::finding::{Level, Suppressed};
use crate::index::{CrateId, FileRole, IndexedFile, ModuleId};
use crate::source::{SourceFile, Span};

/// Stand-in for the extractor in these unit tests: a directive is a `//` comment whose text
/// starts with `ssot:allow(` (or `//!` + `ssot:allow-file(`).
fn directives(text: &str) -> Vec<Suppression> {
    let mut out = Vec::new();
    let mut offset = 0;
    for (line_no, line) in text.split_inclusive('\n').enumerate() {
        if let Some(at) = line.find("//") {
            let comment = line[at..].trim_end();
            let (body, file_level) = match comment.strip_prefix("//!") {
                Some(b) => (b.trim_start(), true),
                None => (comment.trim_start_matches('/').trim_start(), false),
            };
            let prefix = if file_level {
                "ssot:allow-file("
            } else {
                "ssot:allow("
            };
            if let Some(rest) = body.strip_prefix(prefix) {
                let (rules, after) = rest.split_once(')').unwrap_or((rest, ""));
                let reason = after
                    .strip_prefix(':')
                    .map(|r| r.trim().to_string())
                    .filter(|r| !r.is_empty());
                out.push(Suppression {
                    rules: rules
                        .split(',')
                        .map(|r| r.trim().to_string())
                        .filter(|r| !r.is_empty())
                        .collect(),
                    reason,
                    file_level,
                    span: Span::new(offset + at, offset + at + comment.len()),
                    line: line_no as u32,
                    trailing: !line[..at].trim().is_empty(),
                });
            }
        }
        offset += line.len();
    }
    out
}

fn index_of(files: &[(&str, &str)]) -> Index {
    let dir = std::env::temp_dir().join("cargo-ssot-filter-tests");
    let mut index = Index {
        root: dir.clone(),
        ..Index::default()
    };
    for (name, text) in files {
        index.files.push(IndexedFile {
            source: SourceFile::new(dir.join(name), name.to_string(), (*text).into()),
            facts: FileFacts {
                suppressions: directives(text),
                ..FileFacts::default()
            },
            role: FileRole::Module {
                krate: CrateId(0),
                module: ModuleId(0),
            },
            in_test: false,
        });
    }
    index
}

/// A finding of `rule` on the first occurrence of `needle` in file `file`.
fn at(index: &Index, file: u32, needle: &str, rule: &'static str) -> Finding {
    let text = index.file(FileId(file)).source.text();
    let lo = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in file {file}"));
    Finding::new(
        rule,
        Level::Error,
        FileId(file),
        Span::new(lo, lo + needle.len()),
        format!("{needle} is bad"),
    )
    .item_path(format!("x::{needle}"))
}

fn options() -> Options {
    Options {
        include_suppressed: true,
        ..Options::default()
    }
}

fn run(index: &Index, config: &Config, findings: Vec<Finding>) -> Vec<Finding> {
    apply(index, config, findings, &options()).unwrap().findings
}

/// (rule, text under the span, suppressed?) for each finding.
fn summary(index: &Index, findings: &[Finding]) -> Vec<(String, String, bool)> {
    findings
        .iter()
        .map(|f| {
            (
                f.rule.to_string(),
                index.span_text(f.file, f.span).to_string(),
                f.suppressed.is_some(),
            )
        })
        .collect()
}

const SM: &str = "singleton-manager";

#[test]
fn a_trailing_directive_covers_its_own_line() {
    let index = index_of(&[(
        "src/lib.rs",
        "static A: M = m(); // ssot:allow(singleton-manager): one per process, by design\nstatic B: M = m();\n",
    )]);
    let out = run(
        &index,
        &Config::default(),
        vec![at(&index, 0, "A", SM), at(&index, 0, "B", SM)],
    );
    assert_eq!(
        out[0].suppressed,
        Some(Suppressed::Comment {
            reason: "one per process, by design".into()
        })
    );
    assert_eq!(out[1].suppressed, None);
    assert_eq!(out.len(), 2, "no hygiene findings: {out:#?}");

    let dropped = apply(
        &index,
        &Config::default(),
        vec![at(&index, 0, "A", SM), at(&index, 0, "B", SM)],
        &Options::default(),
    )
    .unwrap();
    assert_eq!(
        summary(&index, &dropped.findings),
        [(SM.into(), "B".into(), false)]
    );
}

#[test]
fn a_directive_on_its_own_line_covers_the_next_code_line_past_comments_and_attributes() {
    let text = "\
// ssot:allow(singleton-manager): legacy path, removed in phase 3

/// The manager.
#[allow(dead_code)]
#[cfg_attr(
    feature = \"x\",
    deny(warnings)
)]
static A: M = m();
static B: M = m();
";
    let index = index_of(&[("src/lib.rs", text)]);
    let out = run(
        &index,
        &Config::default(),
        vec![at(&index, 0, "A", SM), at(&index, 0, "B", SM)],
    );
    assert_eq!(
        summary(&index, &out),
        [
            (SM.into(), "A".into(), true),
            (SM.into(), "B".into(), false)
        ]
    );
}

#[test]
fn a_file_directive_covers_the_file_for_its_rules_only() {
    let index = index_of(&[
        (
            "src/legacy.rs",
            "//! ssot:allow-file(ssot::singleton-manager): legacy module, deleted in phase 4\nstatic A: M = m();\nstatic B: M = m();\nstatic C: R = r();\n",
        ),
        ("src/other.rs", "static D: M = m();\n"),
    ]);
    let out = run(
        &index,
        &Config::default(),
        vec![
            at(&index, 0, "A", SM),
            at(&index, 0, "B", SM),
            at(&index, 0, "C", "global-registry"),
            at(&index, 1, "D", SM),
        ],
    );
    assert_eq!(
        summary(&index, &out),
        [
            (SM.into(), "A".into(), true),
            (SM.into(), "B".into(), true),
            ("global-registry".into(), "C".into(), false),
            (SM.into(), "D".into(), false),
        ]
    );
}

#[test]
fn prose_mentioning_the_directive_does_not_suppress() {
    let text = "\
// Note: we used to write ssot:allow(singleton-manager) here.
static A: M = m();
";
    let index = index_of(&[("src/lib.rs", text)]);
    assert!(index.file(FileId(0)).facts.suppressions.is_empty());
    let out = run(&index, &Config::default(), vec![at(&index, 0, "A", SM)]);
    assert_eq!(summary(&index, &out), [(SM.into(), "A".into(), false)]);
}

#[test]
fn a_directive_does_not_reach_past_the_next_code_line() {
    let text = "\
// ssot:allow(singleton-manager): only A
static A: M = m();
static B: M = m();
";
    let index = index_of(&[("src/lib.rs", text)]);
    let out = run(&index, &Config::default(), vec![at(&index, 0, "B", SM)]);
    assert_eq!(
        summary(&index, &out),
        [
            (
                "unused-suppression".into(),
                "singleton-manager".into(),
                false
            ),
            (SM.into(), "B".into(), false),
        ]
    );
}

#[test]
fn a_directive_without_reason_still_suppresses_but_is_reported() {
    let text = "static A: M = m(); // ssot:allow(singleton-manager)\nstatic B: M = m(); // ssot:allow(singleton-manager):   \n";
    let index = index_of(&[("src/lib.rs", text)]);
    let out = run(
        &index,
        &Config::default(),
        vec![at(&index, 0, "A", SM), at(&index, 0, "B", SM)],
    );
    let got = summary(&index, &out);
    assert_eq!(got.len(), 4, "{got:#?}");
    assert_eq!(got[0], (SM.into(), "A".into(), true));
    assert_eq!(
        got[1],
        (
            "suppression-missing-reason".into(),
            "// ssot:allow(singleton-manager)".into(),
            false
        )
    );
    assert_eq!(got[2].0, SM);
    assert_eq!(got[3].0, "suppression-missing-reason");
    let hygiene = &out[1];
    assert_eq!(hygiene.level, Level::Warning);
    assert!(hygiene.help.as_deref().unwrap().contains("): <why"));
    assert_eq!(hygiene.item_path, "ssot:allow(singleton-manager)");
}

#[test]
fn unused_and_unknown_rule_ids_are_reported_on_the_id() {
    let text = "\
// ssot:allow(singleton-manager, global-registry): both, supposedly
static A: M = m();
// ssot:allow(singelton-manager): typo
static B: M = m();
// ssot:allow(ssot::duplicate-concept): nothing here
fn f() {}
";
    let index = index_of(&[("src/lib.rs", text)]);
    let out = run(
        &index,
        &Config::default(),
        vec![at(&index, 0, "A", SM), at(&index, 0, "B", SM)],
    );
    let got = summary(&index, &out);
    assert_eq!(
        got,
        [
            ("unused-suppression".into(), "global-registry".into(), false),
            (SM.into(), "A".into(), true),
            (
                "unused-suppression".into(),
                "singelton-manager".into(),
                false
            ),
            (SM.into(), "B".into(), false),
            (
                "unused-suppression".into(),
                "ssot::duplicate-concept".into(),
                false
            ),
        ]
    );
    let typo = &out[2];
    assert!(
        typo.message.contains("unknown rule `singelton-manager`"),
        "{}",
        typo.message
    );
    assert_eq!(
        typo.help.as_deref(),
        Some("did you mean `singleton-manager`?")
    );
    assert_eq!(out[0].level, Level::Warning);
    assert!(out[0].message.contains("suppresses nothing"));
}

#[test]
fn hygiene_rules_follow_config_levels_only() {
    let text = "// ssot:allow(global-registry)\nfn f() {}\n// ssot:allow(duplicate-concept): off in config\nfn g() {}\n";
    let index = index_of(&[("src/lib.rs", text)]);
    let mut config = Config::default();
    config.rule_levels.insert(
        "unused-suppression".into(),
        Spanned::new(RuleLevel::Off, Span::default()),
    );
    config.rule_levels.insert(
        "suppression-missing-reason".into(),
        Spanned::new(RuleLevel::Level(Level::Error), Span::default()),
    );
    let out = run(&index, &config, Vec::new());
    assert_eq!(
        summary(&index, &out),
        [(
            "suppression-missing-reason".into(),
            "// ssot:allow(global-registry)".into(),
            false
        )]
    );
    assert_eq!(out[0].level, Level::Error);

    // A rule switched off has nothing to suppress; its directives are not "unused".
    let mut config = Config::default();
    config.rule_levels.insert(
        "duplicate-concept".into(),
        Spanned::new(RuleLevel::Off, Span::default()),
    );
    let out = run(&index, &config, Vec::new());
    let rules: Vec<&str> = out.iter().map(|f| f.rule).collect();
    assert_eq!(rules, ["suppression-missing-reason", "unused-suppression"]);
    assert_eq!(index.span_text(out[1].file, out[1].span), "global-registry");
}

#[test]
fn report_paths_narrow_what_is_reported_after_suppressions_saw_everything() {
    let index = index_of(&[
        ("src/a.rs", "static A: M = m();\n"),
        (
            "src/b/c.rs",
            "static C: M = m(); // ssot:allow(singleton-manager): reviewed\n",
        ),
    ]);
    let findings = || vec![at(&index, 0, "A", SM), at(&index, 1, "C", SM)];
    let mut opts = options();
    opts.start_dir = index.root.clone();
    opts.report_paths = vec!["src/b".into()];
    let out = apply(&index, &Config::default(), findings(), &opts).unwrap();
    assert_eq!(
        summary(&index, &out.findings),
        [(SM.into(), "C".into(), true)]
    );

    opts.report_paths = vec![index.root.join("src/a.rs")];
    let out = apply(&index, &Config::default(), findings(), &opts).unwrap();
    assert_eq!(
        summary(&index, &out.findings),
        [(SM.into(), "A".into(), false)]
    );
}

#[test]
fn output_order_is_file_position_rule_message() {
    let index = index_of(&[
        ("src/b.rs", "static X: M = m();\n"),
        ("src/a.rs", "static Y: M = m(); static Z: M = m();\n"),
    ]);
    let out = run(
        &index,
        &Config::default(),
        vec![
            at(&index, 0, "X", SM),
            at(&index, 1, "Z", SM),
            at(&index, 1, "Y", SM),
            at(&index, 1, "Y", "global-registry"),
        ],
    );
    let got: Vec<(String, &str)> = summary(&index, &out)
        .into_iter()
        .map(|(r, t, _)| (t, if r == SM { "sm" } else { "gr" }))
        .collect();
    assert_eq!(
        got,
        [
            ("Y".to_string(), "gr"),
            ("Y".to_string(), "sm"),
            ("Z".to_string(), "sm"),
            ("X".to_string(), "sm"),
        ]
    );
}

#[test]
fn a_baseline_hides_what_it_recorded_and_reports_stale_entries() {
    let dir = tempfile::tempdir().unwrap();
    let mut index = index_of(&[("src/a.rs", "static A: M = m();\nstatic B: M = m();\n")]);
    index.root = dir.path().to_path_buf();
    for f in &mut index.files {
        f.source.path = dir.path().join(&f.source.rel_path);
    }
    let path = dir.path().join("baseline.json");
    baseline::write_baseline(
        &path,
        &[
            at(&index, 0, "A", SM),
            at(&index, 0, "B", "global-registry"),
        ],
        &index,
    )
    .unwrap();

    let mut opts = Options {
        baseline: Some(path.clone()),
        ..Options::default()
    };
    // `A` is still there, `B` was fixed, a new `B` finding of another rule appeared.
    let now = || vec![at(&index, 0, "A", SM), at(&index, 0, "B", SM)];
    let out = apply(&index, &Config::default(), now(), &opts).unwrap();
    assert_eq!(
        summary(&index, &out.findings),
        [(SM.into(), "B".into(), false)]
    );
    assert_eq!(out.stale_baseline.len(), 1);
    assert_eq!(out.stale_baseline[0].rule, "global-registry");
    assert_eq!(out.stale_baseline[0].file, "src/a.rs");

    opts.include_suppressed = true;
    let out = apply(&index, &Config::default(), now(), &opts).unwrap();
    assert_eq!(out.findings[0].suppressed, Some(Suppressed::Baseline));

    opts.baseline = Some(dir.path().join("missing.json"));
    assert!(apply(&index, &Config::default(), now(), &opts).is_err());
}
