//! The rule registry. Each rule is a pure function from the index (and config) to findings,
//! in a file named like its id; its metadata lives in `rules/<id>.toml` (see [`meta`]).

pub mod classify;
pub mod concept;
pub mod meta;
pub mod names;

pub mod config_unresolved;
pub mod direct_construction;
pub mod duplicate_concept;
pub mod factory_missing_context;
pub mod global_registry;
pub mod non_canonical_import;
pub mod shim_defines_type;
pub mod singleton_accessor;
pub mod singleton_manager;
pub mod use_fix;

use crate::config::Config;
use crate::finding::Finding;
use crate::index::Index;

/// What every rule gets to look at.
pub struct RuleCtx<'a> {
    pub index: &'a Index,
    pub config: &'a Config,
}

pub type RuleFn = fn(&RuleCtx) -> Vec<Finding>;

/// Rules that look at the code. The two suppression-hygiene rules
/// (`suppression-missing-reason`, `unused-suppression`) run in `filter`, after these,
/// because they need to know what was suppressed.
pub const CODE_RULES: &[(&str, RuleFn)] = &[
    ("singleton-manager", singleton_manager::check),
    ("singleton-accessor", singleton_accessor::check),
    ("global-registry", global_registry::check),
    ("duplicate-concept", duplicate_concept::check),
    ("non-canonical-import", non_canonical_import::check),
    ("direct-construction", direct_construction::check),
    ("shim-defines-type", shim_defines_type::check),
    ("factory-missing-context", factory_missing_context::check),
    ("config-unresolved", config_unresolved::check),
];

/// Run every enabled code rule (in parallel: they are independent and pure).
pub fn run_all(index: &Index, config: &Config) -> Vec<Finding> {
    use rayon::prelude::*;
    let ctx = RuleCtx { index, config };
    let mut findings: Vec<Finding> = CODE_RULES
        .par_iter()
        .filter(|(id, _)| {
            !matches!(
                config.rule_levels.get(*id).map(|s| s.value),
                Some(crate::config::RuleLevel::Off)
            )
        })
        .flat_map_iter(|(_, f)| f(&ctx))
        .collect();
    findings.retain_mut(|f| match config.level_for(f.rule, f.level) {
        Some(l) => {
            f.level = l;
            true
        }
        None => false,
    });
    findings
}
