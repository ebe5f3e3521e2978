//! Baselines for phased migration: counts per file, rule and item path (never lines).

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct StaleEntry {
    pub file: String,
    pub rule: String,
    pub item_path: String,
    /// How many findings the baseline allows that no longer exist.
    pub unused: usize,
}
