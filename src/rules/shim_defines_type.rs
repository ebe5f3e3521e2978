//! `ssot::shim-defines-type` — see `rules/shim-defines-type.toml` for what it finds and why.

use super::RuleCtx;
use crate::finding::Finding;

pub fn check(_ctx: &RuleCtx) -> Vec<Finding> {
    Vec::new()
}
