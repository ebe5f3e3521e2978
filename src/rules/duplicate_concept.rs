//! `ssot::duplicate-concept` — see `rules/duplicate-concept.toml` for what it finds and why.

use super::RuleCtx;
use crate::finding::Finding;

pub fn check(_ctx: &RuleCtx) -> Vec<Finding> {
    Vec::new()
}
