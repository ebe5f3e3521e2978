//! `--format short`.
