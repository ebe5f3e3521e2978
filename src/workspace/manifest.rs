//! Reading `Cargo.toml` with `toml`: packages, targets, workspace members, dependencies.
