//! `--format json`.
