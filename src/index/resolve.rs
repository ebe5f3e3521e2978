//! Path resolution: `use` trees, re-export chains, globs, `self`/`super`/`crate`, other
//! workspace crates, `extern crate .. as ..`.
