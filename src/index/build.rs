//! Join per-file facts into definitions with full paths; resolve paths; concepts.

use super::Index;
use crate::config::Config;

pub fn complete(index: &mut Index, config: &Config) {
    let _ = (index, config);
}
