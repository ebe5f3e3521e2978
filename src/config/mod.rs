//! `ssot.toml` / `.ssot.toml` / `[workspace.metadata.ssot]`: schema, loading, validation.
//!
//! Every value that names something in the analysed code keeps its span in the config
//! text, so `config-unresolved` findings and load errors can point at it.

pub mod date;
pub mod load;
pub mod suggest;

use crate::finding::Level;
use crate::source::Span;
use date::Date;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A config value with its span in the config file text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

/// Per-rule setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleLevel {
    Off,
    Level(Level),
}

/// Default managed-name patterns, matched on a whole last path segment.
pub const DEFAULT_MANAGED_PATTERNS: &[&str] = &[
    "*Manager",
    "*Registry",
    "*Hub",
    "*Bridge",
    "*Engine",
    "*Supervisor",
    "*Coordinator",
    "*Dispatcher",
    "*Broker",
    "*Orchestrator",
];

#[derive(Debug, Clone)]
pub struct ConfigFile {
    pub path: PathBuf,
    /// Shown in reports, relative to the report root.
    pub rel_path: String,
    pub text: String,
    /// For `[workspace.metadata.ssot]`: the config table lives inside `Cargo.toml`.
    pub embedded_in_manifest: bool,
}

/// A deprecated route to a concept: an item or module path, with the level its uses get,
/// and an optional date (YYYY-MM-DD) after which a warning becomes an error.
#[derive(Debug, Clone)]
pub struct DeprecatedPath {
    pub path: Spanned<String>,
    pub level: Option<Level>,
    pub error_after: Option<Spanned<String>>,
}

impl DeprecatedPath {
    /// The `error-after` date, when set (the loader has checked that it parses).
    pub fn error_after_date(&self) -> Option<Date> {
        self.error_after
            .as_ref()
            .and_then(|d| Date::parse(&d.value))
    }

    /// The `error-after` date has passed on `today` (the date itself is still a grace day).
    pub fn is_past_due(&self, today: Date) -> bool {
        self.error_after_date().is_some_and(|d| today > d)
    }

    /// The level uses of this path get on `today`: the configured level (`None`: the rule's
    /// own default), raised to an error once `error-after` has passed.
    pub fn level_on(&self, today: Date) -> Option<Level> {
        if self.is_past_due(today) {
            Some(Level::Error)
        } else {
            self.level
        }
    }
}

/// One concept: a thing the workspace must have exactly one canonical type for.
#[derive(Debug, Clone)]
pub struct Concept {
    /// The table key, `[concepts.<name>]`.
    pub name: Spanned<String>,
    /// Full path of the one canonical definition, e.g. `chat_core::ws::manager::WebSocketManager`.
    pub canonical: Option<Spanned<String>>,
    /// Glob patterns on type names that belong to the concept (`*WebSocketManager`, `WsManager`).
    /// Defaults to the canonical type's name.
    pub names: Vec<Spanned<String>>,
    /// Sanctioned extra import paths (re-exports) that are as good as the canonical one.
    pub aliases: Vec<Spanned<String>>,
    /// Item or module paths that are deprecated routes to the concept.
    pub deprecated: Vec<DeprecatedPath>,
    /// Modules (paths; a module includes its children) allowed to construct the type.
    pub factories: Vec<Spanned<String>>,
    /// Compatibility-shim modules: may only hold re-exports, deprecated aliases and
    /// one-call forwarding fns.
    pub shims: Vec<Spanned<String>>,
    /// The user-context type; when set the concept is per-user and its factories must take it.
    pub context: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Where the config came from; `None` when running with defaults.
    pub file: Option<ConfigFile>,
    /// Glob patterns (relative to the workspace root) of files or directories not to analyse.
    pub exclude: Vec<Spanned<String>>,
    /// Analyse test code too (off by default).
    pub include_tests: bool,
    /// Managed-name patterns (`*Manager` …). Empty means [`DEFAULT_MANAGED_PATTERNS`].
    pub managed_patterns: Vec<Spanned<String>>,
    /// Type names that are never managed even if a pattern matches.
    pub not_managed: Vec<Spanned<String>>,
    /// Per-rule level overrides, keyed by rule id (without `ssot::`).
    pub rule_levels: BTreeMap<String, Spanned<RuleLevel>>,
    pub concepts: Vec<Concept>,
    /// Compiled managed-name matcher.
    pub managed: ManagedNames,
    /// Compiled `exclude` globs (parallel to `exclude`), relative to the config file's directory.
    pub exclude_set: ExcludeSet,
    /// The date deprecation deadlines are measured against: today (UTC) when the config was
    /// loaded; `None` (hand-built configs) means no deadline has passed.
    pub today: Option<Date>,
}

/// The config's `exclude` globs, compiled. Globs are matched against paths relative to the
/// config file's directory, `/`-separated, `*` not crossing `/` (`**` does); a path is
/// excluded when it or one of its parent directories matches, so `backups` and `backups/**`
/// both exclude everything below `backups/`.
#[derive(Debug, Clone, Default)]
pub struct ExcludeSet {
    base: PathBuf,
    set: globset::GlobSet,
}

impl ExcludeSet {
    /// Compile `globs` relative to `base`; on a bad glob, its index and globset's error.
    pub fn new(base: PathBuf, globs: &[Spanned<String>]) -> Result<ExcludeSet, (usize, String)> {
        let mut builder = globset::GlobSetBuilder::new();
        for (i, glob) in globs.iter().enumerate() {
            let pattern = glob.value.trim_start_matches("./").trim_end_matches('/');
            let compiled = globset::GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()
                .map_err(|e| (i, e.kind().to_string()))?;
            builder.add(compiled);
        }
        let set = builder.build().map_err(|e| (0, e.to_string()))?;
        Ok(ExcludeSet { base, set })
    }

    /// How many globs there are (as many as `Config::exclude`).
    pub fn len(&self) -> usize {
        self.set.len()
    }

    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    /// The directory globs are relative to.
    pub fn base(&self) -> &Path {
        &self.base
    }

    /// Indices (into `Config::exclude`) of the globs that exclude `path` (absolute, or
    /// relative to [`Self::base`]). Empty: not excluded. Lets the loader count matches per
    /// glob, so a glob that matches nothing can be reported.
    pub fn matches(&self, path: &Path) -> Vec<usize> {
        if self.set.is_empty() {
            return Vec::new();
        }
        let rel = if path.is_absolute() {
            match path.strip_prefix(&self.base) {
                Ok(rel) => rel.to_path_buf(),
                Err(_) => match path.canonicalize().ok().and_then(|p| {
                    let base = self.base.canonicalize().ok()?;
                    p.strip_prefix(base).ok().map(Path::to_path_buf)
                }) {
                    Some(rel) => rel,
                    None => return Vec::new(),
                },
            }
        } else {
            path.to_path_buf()
        };
        let mut hits: Vec<usize> = rel
            .ancestors()
            .filter(|a| !a.as_os_str().is_empty())
            .flat_map(|a| self.set.matches(a))
            .collect();
        hits.sort_unstable();
        hits.dedup();
        hits
    }

    pub fn is_excluded(&self, path: &Path) -> bool {
        !self.matches(path).is_empty()
    }
}

/// Matches a type's last path segment against the managed-name patterns (whole segment).
#[derive(Debug, Clone, Default)]
pub struct ManagedNames {
    patterns: Vec<String>,
    exclusions: Vec<String>,
}

impl ManagedNames {
    pub fn new(patterns: &[String], exclusions: &[String]) -> Self {
        ManagedNames {
            patterns: patterns.to_vec(),
            exclusions: exclusions.to_vec(),
        }
    }
    pub fn defaults() -> Self {
        Self::new(
            &DEFAULT_MANAGED_PATTERNS
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>(),
            &[],
        )
    }
    /// `*Manager` matches `WebSocketManager` but not `WebSocketManagerConfig` nor `Manager`… the
    /// latter *does* match (`*` may be empty), since a type named just `Manager` is managed.
    pub fn is_managed(&self, name: &str) -> bool {
        if self.exclusions.iter().any(|e| glob_match(e, name)) {
            return false;
        }
        let pats: Vec<&str> = if self.patterns.is_empty() {
            DEFAULT_MANAGED_PATTERNS.to_vec()
        } else {
            self.patterns.iter().map(String::as_str).collect()
        };
        pats.iter().any(|p| glob_match(p, name))
    }
}

/// Whole-string glob with `*` (any run) and `?` (one char); used for type-name patterns.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let (mut star, mut mark) = (None, 0usize);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

impl Config {
    /// The level a rule's findings get: the config override, else what the rule chose.
    pub fn level_for(&self, rule: &str, emitted: Level) -> Option<Level> {
        match self.rule_levels.get(rule).map(|s| s.value) {
            Some(RuleLevel::Off) => None,
            Some(RuleLevel::Level(l)) => Some(l),
            None => Some(emitted),
        }
    }
    pub fn is_managed(&self, name: &str) -> bool {
        self.managed.is_managed(name)
    }
    /// The level uses of a deprecated path get today (see [`DeprecatedPath::level_on`]).
    pub fn deprecated_level(&self, deprecated: &DeprecatedPath) -> Option<Level> {
        match self.today {
            Some(today) => deprecated.level_on(today),
            None => deprecated.level,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn managed_names_match_whole_segment() {
        let m = ManagedNames::defaults();
        assert!(m.is_managed("WebSocketManager"));
        assert!(m.is_managed("EventHub"));
        assert!(!m.is_managed("WebSocketManagerConfig"));
        assert!(!m.is_managed("ManagerConfig"));
        assert!(glob_match("Ws*Manager", "WsConnManager"));
        assert!(!glob_match("Ws*Manager", "WsConnManagers"));
    }
}
