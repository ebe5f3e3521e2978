//! `ssot::config-unresolved` — see `rules/config-unresolved.toml` for what it finds and why.

use super::RuleCtx;
use crate::finding::Finding;

pub fn check(_ctx: &RuleCtx) -> Vec<Finding> {
    Vec::new()
}
