//! `--format human`.
