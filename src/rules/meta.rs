//! Rule metadata, loaded from `rules/<id>.toml` (compiled into the binary). `rules`,
//! `explain`, every report and the SARIF rule table read it from here.

use crate::finding::Level;
use serde::Deserialize;
use std::sync::OnceLock;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMeta {
    /// Kebab-case id without the `ssot::` prefix.
    pub id: String,
    /// PascalCase friendly name (SARIF `name`).
    pub name: String,
    /// Default level: the most severe level the rule reports at.
    pub level: Level,
    /// One line: what it finds.
    pub summary: String,
    /// What it does (clippy's "What it does").
    pub what: String,
    /// Why this is bad.
    pub why: String,
    /// Example of code that is flagged.
    pub bad: String,
    /// The same code done right.
    pub good: String,
    /// What to do about a finding, in one or two sentences.
    pub fix: String,
    #[serde(default)]
    pub tags: Vec<String>,
}

macro_rules! rule_files {
    ($($id:literal),* $(,)?) => {
        &[$(($id, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/", $id, ".toml")))),*]
    };
}

/// Every rule id with its metadata text, in the order `rules` lists them.
const RULE_FILES: &[(&str, &str)] = rule_files!(
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
);

/// All rules' metadata. The files are part of the binary and checked by a test, so a
/// malformed one is a build-time defect, not a user error.
pub fn all() -> &'static [RuleMeta] {
    static META: OnceLock<Vec<RuleMeta>> = OnceLock::new();
    META.get_or_init(|| {
        RULE_FILES
            .iter()
            .map(|(id, text)| {
                let meta: RuleMeta = toml::from_str(text)
                    .unwrap_or_else(|e| panic!("rules/{id}.toml is malformed: {e}"));
                assert_eq!(&meta.id, id, "rules/{id}.toml declares another id");
                meta
            })
            .collect()
    })
}

/// Metadata of one rule; accepts `id` or `ssot::id`.
pub fn get(id: &str) -> Option<&'static RuleMeta> {
    let id = id.strip_prefix("ssot::").unwrap_or(id);
    all().iter().find(|m| m.id == id)
}

/// Position of a rule in [`all`] (SARIF `ruleIndex`).
pub fn position(id: &str) -> Option<usize> {
    all().iter().position(|m| m.id == id)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_rule_file_parses_and_every_code_rule_has_metadata() {
        let all = super::all();
        assert_eq!(all.len(), 11);
        for (id, _) in crate::rules::CODE_RULES {
            assert!(super::get(id).is_some(), "no rules/{id}.toml");
        }
        for m in all {
            assert!(
                !m.summary.is_empty() && !m.bad.is_empty() && !m.good.is_empty(),
                "{}",
                m.id
            );
        }
    }
}
