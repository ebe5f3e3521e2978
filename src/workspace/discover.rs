//! Find the workspace(s) around or below the start directory.

use super::Discovery;
use std::path::Path;

pub fn discover(start: &Path) -> miette::Result<Discovery> {
    let _ = start;
    Err(miette::miette!("not implemented"))
}
