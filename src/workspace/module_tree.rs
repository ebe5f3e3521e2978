//! Following `mod` declarations from each crate root; reading and parsing each file once.

use super::Discovery;
use crate::config::Config;
use crate::index::Index;

pub fn load(discovery: &Discovery, config: &Config, threads: Option<usize>) -> Index {
    let _ = (discovery, config, threads);
    Index::default()
}
