//! Finding the config, reading it with spans and validating it. Every mistake becomes a
//! [`ConfigError`]: a miette diagnostic that underlines the offending TOML and says how to
//! fix it. A config the tool cannot trust stops the run (exit 2) rather than silently
//! checking less.
//!
//! Where the config comes from, first match wins:
//! 1. `--config PATH` (an `ssot.toml`-style file, or a `Cargo.toml` with a metadata table);
//! 2. `ssot.toml` or `.ssot.toml` in the config directory (both at once is an error);
//! 3. `[workspace.metadata.ssot]` or `[package.metadata.ssot]` in its `Cargo.toml`;
//! 4. built-in defaults.

use super::date::Date;
use super::suggest::did_you_mean;
use super::{
    Concept, Config, ConfigFile, DeprecatedPath, ExcludeSet, ManagedNames, RuleLevel, Spanned,
};
use crate::finding::Level;
use crate::source::Span;
use crate::workspace::Discovery;
use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};
use std::fmt;
use std::path::{Component, Path, PathBuf};
use toml::de::{DeTable, DeValue};

/// Standalone config file names, looked for in the config directory.
pub const CONFIG_FILE_NAMES: [&str; 2] = ["ssot.toml", ".ssot.toml"];

const TOP_KEYS: &[&str] = &[
    "include-tests",
    "exclude",
    "managed",
    "not-managed",
    "rules",
    "concepts",
];
const CONCEPT_KEYS: &[&str] = &[
    "canonical",
    "names",
    "aliases",
    "deprecated",
    "factories",
    "shims",
    "context",
];
const DEPRECATED_KEYS: &[&str] = &["path", "level", "error-after"];
const RULE_LEVELS: &[&str] = &["error", "warn", "off"];

/// Find and load the config (see the module docs for the search order).
pub fn load(explicit: Option<&Path>, discovery: &Discovery) -> miette::Result<Config> {
    let found = match explicit {
        Some(path) => Some(read_explicit(path)?),
        None => find_in_dir(&discovery.config_dir)?,
    };
    let Some(found) = found else {
        return Ok(defaults());
    };
    let rel_path = display_path(&found.path, &discovery.report_root);
    match parse(found.path.clone(), rel_path, found.text, found.embedded)? {
        Some(config) => Ok(config),
        None => Err(ConfigError::new(format!(
            "`{}` has no `[workspace.metadata.ssot]` or `[package.metadata.ssot]` table",
            found.path.display()
        ))
        .with_help("add the table, or pass an `ssot.toml` file to --config")
        .into()),
    }
}

/// The configuration used when the workspace has none.
pub fn defaults() -> Config {
    Config {
        managed: ManagedNames::defaults(),
        today: Some(Date::today()),
        ..Config::default()
    }
}

/// Parse and validate config text. `path` is the file it came from (globs are relative to
/// its directory); `rel_path` is how reports name it. With `embedded`, `text` is a whole
/// `Cargo.toml` and the config is its `[workspace.metadata.ssot]`/`[package.metadata.ssot]`
/// table (`Ok(None)` when it has neither); spans stay offsets into `text` either way.
pub fn parse(
    path: PathBuf,
    rel_path: String,
    text: String,
    embedded: bool,
) -> Result<Option<Config>, ConfigError> {
    let source = || NamedSource::new(rel_path.clone(), text.clone()).with_language("TOML");
    let document = match DeTable::parse(&text) {
        Ok(document) => document,
        Err(e) => {
            let span = e.span().map(|r| Span::new(r.start, r.end));
            let mut err = ConfigError::new(format!(
                "`{rel_path}` is not valid TOML: {}",
                e.message().trim_end()
            ))
            .with_source(source());
            if let Some(span) = span {
                err = err.with_label(span, "here");
            }
            return Err(err);
        }
    };
    let document = document.get_ref();
    let table = if embedded {
        match metadata_table(document) {
            Ok(Some(table)) => table,
            Ok(None) => return Ok(None),
            Err(issue) => return Err(issue.into_error(source())),
        }
    } else {
        document
    };

    let mut checker = Checker::default();
    let mut config = checker.config(table);
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    match ExcludeSet::new(base, &config.exclude) {
        Ok(set) => config.exclude_set = set,
        // Each glob was compiled on its own above; a set that still fails is reported on
        // the first glob rather than dropped.
        Err((i, message)) => {
            if let Some(glob) = config.exclude.get(i) {
                checker.issue(
                    glob.span,
                    format!("the exclude globs cannot be compiled together: {message}"),
                    "this glob",
                    None,
                );
            }
        }
    }
    if let Some(err) = checker.into_error(source) {
        return Err(err);
    }
    config.file = Some(ConfigFile {
        path,
        rel_path,
        text,
        embedded_in_manifest: embedded,
    });
    Ok(Some(config))
}

/// The file found, read, and whether it is a `Cargo.toml`.
struct Found {
    path: PathBuf,
    text: String,
    embedded: bool,
}

fn read_explicit(path: &Path) -> Result<Found, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConfigError::new(format!(
            "cannot read the config file `{}` given to --config: {e}",
            path.display()
        ))
        .with_help("check the path; it is relative to the current directory")
    })?;
    Ok(Found {
        path: absolute(path),
        text,
        embedded: path.file_name().is_some_and(|n| n == "Cargo.toml"),
    })
}

fn find_in_dir(dir: &Path) -> Result<Option<Found>, ConfigError> {
    let standalone: Vec<PathBuf> = CONFIG_FILE_NAMES
        .iter()
        .map(|name| dir.join(name))
        .filter(|p| p.is_file())
        .collect();
    let manifest = dir.join("Cargo.toml");
    let manifest_has_config = std::fs::read_to_string(&manifest)
        .ok()
        .and_then(|text| {
            // A manifest that does not parse is reported by the workspace stage; here it
            // only matters whether it holds a config.
            DeTable::parse(&text)
                .ok()
                .map(|doc| matches!(metadata_table(doc.get_ref()), Ok(Some(_)) | Err(_)))
        })
        .unwrap_or(false);

    let mut places: Vec<String> = standalone
        .iter()
        .map(|p| format!("`{}`", p.display()))
        .collect();
    if manifest_has_config {
        places.push(format!("the metadata table of `{}`", manifest.display()));
    }
    if places.len() > 1 {
        return Err(ConfigError::new(format!(
            "found more than one cargo-ssot config: {}",
            places.join(" and ")
        ))
        .with_help("keep one of them (or choose one with --config PATH)"));
    }

    if let Some(path) = standalone.into_iter().next() {
        let text = std::fs::read_to_string(&path).map_err(|e| {
            ConfigError::new(format!("cannot read `{}`: {e}", path.display()))
                .with_help("make the file readable UTF-8, or remove it to run with defaults")
        })?;
        return Ok(Some(Found {
            path: absolute(&path),
            text,
            embedded: false,
        }));
    }
    if manifest_has_config {
        let text = std::fs::read_to_string(&manifest)
            .map_err(|e| ConfigError::new(format!("cannot read `{}`: {e}", manifest.display())))?;
        return Ok(Some(Found {
            path: absolute(&manifest),
            text,
            embedded: true,
        }));
    }
    Ok(None)
}

/// `[workspace.metadata.ssot]` or `[package.metadata.ssot]` of a manifest.
fn metadata_table<'d, 'i>(document: &'d DeTable<'i>) -> Result<Option<&'d DeTable<'i>>, Issue> {
    let mut found: Vec<&toml::Spanned<DeValue<'i>>> = Vec::new();
    for section in ["workspace", "package"] {
        let value = document
            .get(section)
            .and_then(|s| s.get_ref().as_table())
            .and_then(|s| s.get("metadata"))
            .and_then(|m| m.get_ref().as_table())
            .and_then(|m| m.get("ssot"));
        if let Some(value) = value {
            found.push(value);
        }
    }
    match found.as_slice() {
        [] => Ok(None),
        [one] => match one.get_ref().as_table() {
            Some(table) => Ok(Some(table)),
            None => Err(Issue {
                span: span_of(one),
                message: format!(
                    "`metadata.ssot` must be a table, found {}",
                    one.get_ref().type_str()
                ),
                label: "expected a table".into(),
                help: Some(
                    "write the config as `[workspace.metadata.ssot]` with keys below".into(),
                ),
            }),
        },
        [_, second, ..] => Err(Issue {
            span: span_of(second),
            message: "both `[workspace.metadata.ssot]` and `[package.metadata.ssot]` are set"
                .into(),
            label: "second config table".into(),
            help: Some("keep one of them".into()),
        }),
    }
}

/// One validation problem, before it is tied to the source text.
#[derive(Debug)]
struct Issue {
    span: Span,
    message: String,
    label: String,
    help: Option<String>,
}

impl Issue {
    fn into_error(self, source: NamedSource<String>) -> ConfigError {
        let mut err = ConfigError::new(self.message)
            .with_label(self.span, self.label)
            .with_source(source);
        err.help = self.help;
        err
    }
}

type Value<'i> = toml::Spanned<DeValue<'i>>;

fn span_of<T>(value: &toml::Spanned<T>) -> Span {
    let range = value.span();
    Span::new(range.start, range.end)
}

/// Walks the spanned document, building the config and collecting every issue (so one run
/// shows all mistakes, not one per run).
#[derive(Default)]
struct Checker {
    issues: Vec<Issue>,
}

impl Checker {
    fn issue(
        &mut self,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
        help: Option<String>,
    ) {
        self.issues.push(Issue {
            span,
            message: message.into(),
            label: label.into(),
            help,
        });
    }

    fn into_error(mut self, source: impl Fn() -> NamedSource<String>) -> Option<ConfigError> {
        self.issues.sort_by_key(|i| (i.span.lo, i.span.hi));
        let mut issues = self.issues.into_iter();
        let first = issues.next()?;
        let mut err = first.into_error(source());
        // The others ride along as related diagnostics; they share the first one's source.
        err.related = issues
            .map(|i| {
                let mut e = ConfigError::new(i.message).with_label(i.span, i.label);
                e.help = i.help;
                e
            })
            .collect();
        Some(err)
    }

    fn unknown_key(
        &mut self,
        key: &toml::Spanned<toml::de::DeString<'_>>,
        allowed: &[&str],
        place: &str,
    ) {
        let name = key.get_ref().as_ref();
        let help = match did_you_mean(name, allowed.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("{place} accepts: {}", quoted_list(allowed)),
        };
        self.issue(
            span_of(key),
            format!("unknown key `{name}` in {place}"),
            "unknown key",
            Some(help),
        );
    }

    fn wrong_type(&mut self, key: &str, value: &Value<'_>, expected: &str, example: &str) {
        self.issue(
            span_of(value),
            format!(
                "`{key}` must be {expected}, found {}",
                value.get_ref().type_str()
            ),
            format!("expected {expected}"),
            Some(format!("write it as `{example}`")),
        );
    }

    fn config(&mut self, table: &DeTable<'_>) -> Config {
        let mut config = Config {
            today: Some(Date::today()),
            ..Config::default()
        };
        for (key, value) in table.iter() {
            match key.get_ref().as_ref() {
                "include-tests" => match value.get_ref().as_bool() {
                    Some(b) => config.include_tests = b,
                    None => self.wrong_type("include-tests", value, "a boolean", "include-tests = true"),
                },
                "exclude" => {
                    config.exclude = self.strings("exclude", value, "exclude = [\"backups/**\"]");
                    for glob in &config.exclude {
                        self.check_glob(glob);
                    }
                }
                "managed" => {
                    config.managed_patterns =
                        self.strings("managed", value, "managed = [\"*Manager\", \"*Registry\"]");
                    for p in &config.managed_patterns {
                        self.check_name_pattern("managed", p);
                    }
                }
                "not-managed" => {
                    config.not_managed =
                        self.strings("not-managed", value, "not-managed = [\"TaskManager\"]");
                    for p in &config.not_managed {
                        self.check_name_pattern("not-managed", p);
                    }
                }
                "rules" => match value.get_ref().as_table() {
                    Some(rules) => self.rule_levels(rules, &mut config),
                    None => self.wrong_type(
                        "rules",
                        value,
                        "a table",
                        "[rules] singleton-manager = \"warn\"",
                    ),
                },
                "concepts" => match value.get_ref().as_table() {
                    Some(concepts) => {
                        for (name, concept) in concepts.iter() {
                            if let Some(c) = self.concept(name, concept) {
                                config.concepts.push(c);
                            }
                        }
                    }
                    None => self.wrong_type(
                        "concepts",
                        value,
                        "a table of concepts",
                        "[concepts.websocket-manager] canonical = \"my_crate::ws::WebSocketManager\"",
                    ),
                },
                _ => self.unknown_key(key, TOP_KEYS, "the cargo-ssot config"),
            }
        }
        config.managed = if config.managed_patterns.is_empty() && config.not_managed.is_empty() {
            ManagedNames::defaults()
        } else {
            let patterns: Vec<String> = if config.managed_patterns.is_empty() {
                super::DEFAULT_MANAGED_PATTERNS
                    .iter()
                    .map(|s| s.to_string())
                    .collect()
            } else {
                config
                    .managed_patterns
                    .iter()
                    .map(|p| p.value.clone())
                    .collect()
            };
            let exclusions: Vec<String> =
                config.not_managed.iter().map(|p| p.value.clone()).collect();
            ManagedNames::new(&patterns, &exclusions)
        };
        config
    }

    /// A string, or `None` after recording the type error.
    fn string(&mut self, key: &str, value: &Value<'_>, example: &str) -> Option<Spanned<String>> {
        match value.get_ref().as_str() {
            Some(s) => Some(Spanned::new(s.to_string(), span_of(value))),
            None => {
                self.wrong_type(key, value, "a string", example);
                None
            }
        }
    }

    /// An array of strings (the non-strings among its elements are reported and skipped).
    fn strings(&mut self, key: &str, value: &Value<'_>, example: &str) -> Vec<Spanned<String>> {
        let Some(array) = value.get_ref().as_array() else {
            self.wrong_type(key, value, "an array of strings", example);
            return Vec::new();
        };
        array
            .iter()
            .filter_map(|element| {
                self.string(&format!("each element of `{key}`"), element, example)
            })
            .collect()
    }

    fn check_glob(&mut self, glob: &Spanned<String>) {
        let text = glob.value.as_str();
        if text.trim().is_empty() {
            self.issue(
                glob.span,
                "empty exclude glob",
                "empty",
                Some("remove it".into()),
            );
            return;
        }
        if Path::new(text).is_absolute()
            || text.starts_with('/')
            || Path::new(text)
                .components()
                .any(|c| c == Component::ParentDir)
        {
            self.issue(
                glob.span,
                format!("exclude glob `{text}` points outside the config file's directory"),
                "cannot match",
                Some(
                    "exclude globs are relative to the directory of the config file, e.g. `backups/**`"
                        .into(),
                ),
            );
            return;
        }
        if let Err(e) = globset::GlobBuilder::new(text)
            .literal_separator(true)
            .build()
        {
            self.issue(
                glob.span,
                format!("invalid exclude glob `{text}`: {}", e.kind()),
                "invalid glob",
                Some(
                    "use `*` within one directory, `**` across directories, e.g. `backups/**`"
                        .into(),
                ),
            );
        }
    }

    /// A pattern over a type's last path segment: identifier characters plus `*` and `?`.
    fn check_name_pattern(&mut self, key: &str, pattern: &Spanned<String>) {
        let text = pattern.value.as_str();
        let help = if text.is_empty() {
            Some("remove the empty pattern".to_string())
        } else if text.contains("::") {
            let last = text.rsplit("::").next().unwrap_or(text);
            Some(format!(
                "patterns match a type's name, not its path: write `{last}`"
            ))
        } else if !text
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '*' || c == '?')
        {
            Some("use a type name with `*` and `?` wildcards, e.g. `*Manager`".to_string())
        } else {
            None
        };
        if let Some(help) = help {
            self.issue(
                pattern.span,
                format!("`{text}` in `{key}` is not a type-name pattern"),
                "not a type-name pattern",
                Some(help),
            );
        }
    }

    /// A full path to an item or module, crate name first.
    fn check_path(&mut self, key: &str, path: &Spanned<String>) -> bool {
        let text = path.value.as_str();
        let first = text.split("::").next().unwrap_or("");
        let help = if text.is_empty() {
            Some(
                "write the full path, crate name first, e.g. `my_crate::ws::WebSocketManager`"
                    .to_string(),
            )
        } else if text.starts_with("::") || matches!(first, "crate" | "self" | "super" | "$crate") {
            let rest = text.trim_start_matches("::");
            let rest = rest.split_once("::").map(|(_, r)| r).unwrap_or(rest);
            Some(format!(
                "config paths start with the crate name, as in `my_crate::{rest}`"
            ))
        } else if !text.split("::").all(is_identifier) {
            Some("write a Rust path such as `my_crate::ws::WebSocketManager` (no generics, spaces or wildcards)".to_string())
        } else {
            None
        };
        match help {
            Some(help) => {
                self.issue(
                    path.span,
                    format!("`{text}` in `{key}` is not a full item or module path"),
                    "not a full path",
                    Some(help),
                );
                false
            }
            None => true,
        }
    }

    fn paths(&mut self, key: &str, value: &Value<'_>, example: &str) -> Vec<Spanned<String>> {
        let paths = self.strings(key, value, example);
        paths
            .into_iter()
            .filter(|p| self.check_path(key, p))
            .collect()
    }

    fn rule_levels(&mut self, rules: &DeTable<'_>, config: &mut Config) {
        let ids: Vec<&str> = crate::rules::meta::all()
            .iter()
            .map(|m| m.id.as_str())
            .collect();
        for (key, value) in rules.iter() {
            let written = key.get_ref().as_ref();
            let id = written.strip_prefix("ssot::").unwrap_or(written);
            if !ids.contains(&id) {
                let help = match did_you_mean(id, ids.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "`cargo ssot rules` lists the rule ids".to_string(),
                };
                self.issue(
                    span_of(key),
                    format!("unknown rule id `{written}` in `[rules]`"),
                    "unknown rule",
                    Some(help),
                );
                continue;
            }
            let Some(level) =
                self.string(&format!("rules.{id}"), value, &format!("{id} = \"warn\""))
            else {
                continue;
            };
            let parsed = match level.value.as_str() {
                "error" => Some(RuleLevel::Level(Level::Error)),
                "warn" => Some(RuleLevel::Level(Level::Warning)),
                "off" => Some(RuleLevel::Off),
                _ => None,
            };
            match parsed {
                Some(l) => {
                    config
                        .rule_levels
                        .insert(id.to_string(), Spanned::new(l, level.span));
                }
                None => self.bad_level(&format!("rules.{id}"), &level, RULE_LEVELS),
            }
        }
    }

    fn bad_level(&mut self, key: &str, level: &Spanned<String>, allowed: &[&str]) {
        let text = level.value.as_str();
        let suggestion = match text {
            "warning" => Some("warn"),
            "deny" | "forbid" => Some("error"),
            "allow" | "none" | "ignore" => allowed.contains(&"off").then_some("off"),
            _ => did_you_mean(text, allowed.iter().copied()),
        };
        let help = match suggestion {
            Some(s) => format!("did you mean \"{s}\"? (accepted: {})", quoted_list(allowed)),
            None => format!("accepted levels: {}", quoted_list(allowed)),
        };
        self.issue(
            level.span,
            format!("`{key}` has an unknown level \"{text}\""),
            "unknown level",
            Some(help),
        );
    }

    fn concept(
        &mut self,
        name: &toml::Spanned<toml::de::DeString<'_>>,
        value: &Value<'_>,
    ) -> Option<Concept> {
        let concept_name = Spanned::new(name.get_ref().to_string(), span_of(name));
        if concept_name.value.trim().is_empty() {
            self.issue(
                concept_name.span,
                "empty concept name",
                "empty name",
                Some("name the concept after what it is: `[concepts.websocket-manager]`".into()),
            );
            return None;
        }
        let cname = concept_name.value.clone();
        let Some(table) = value.get_ref().as_table() else {
            self.wrong_type(
                &format!("concepts.{cname}"),
                value,
                "a table",
                &format!("[concepts.{cname}] canonical = \"my_crate::ws::WebSocketManager\""),
            );
            return None;
        };
        let mut concept = Concept {
            name: concept_name,
            canonical: None,
            names: Vec::new(),
            aliases: Vec::new(),
            deprecated: Vec::new(),
            factories: Vec::new(),
            shims: Vec::new(),
            context: None,
        };
        let issues_before = self.issues.len();
        for (key, value) in table.iter() {
            let k = key.get_ref().as_ref();
            let full_key = format!("concepts.{cname}.{k}");
            match k {
                "canonical" | "context" => {
                    let example = format!("{k} = \"my_crate::ws::WebSocketManager\"");
                    let path = self
                        .string(&full_key, value, &example)
                        .filter(|p| self.check_path(&full_key, p));
                    if k == "canonical" {
                        concept.canonical = path;
                    } else {
                        concept.context = path;
                    }
                }
                "names" => {
                    concept.names = self.strings(
                        &full_key,
                        value,
                        "names = [\"*WebSocketManager\", \"WsManager\"]",
                    );
                    for p in &concept.names {
                        self.check_name_pattern(&full_key, p);
                    }
                }
                "aliases" => {
                    concept.aliases = self.paths(
                        &full_key,
                        value,
                        "aliases = [\"my_crate::WebSocketManager\"]",
                    )
                }
                "factories" => {
                    concept.factories =
                        self.paths(&full_key, value, "factories = [\"my_crate::ws::factory\"]")
                }
                "shims" => {
                    concept.shims =
                        self.paths(&full_key, value, "shims = [\"my_crate::websocket_core\"]")
                }
                "deprecated" => concept.deprecated = self.deprecated(&full_key, value),
                _ => self.unknown_key(key, CONCEPT_KEYS, &format!("`[concepts.{cname}]`")),
            }
        }
        if concept.names.is_empty() {
            match &concept.canonical {
                // The canonical type's own name is the obvious default membership.
                Some(canonical) => {
                    let last = canonical.value.rsplit("::").next().unwrap_or("");
                    concept.names.push(Spanned::new(last.to_string(), canonical.span));
                }
                // After another mistake in the table (a misspelt `canonical`) this would only
                // repeat it.
                None if self.issues.len() == issues_before
                    && !table.contains_key("canonical")
                    && !table.contains_key("names") =>
                {
                    self.issue(
                    concept.name.span,
                    format!("concept `{cname}` names no type"),
                    "no `canonical` and no `names`",
                    Some(format!(
                        "add `canonical = \"my_crate::path::Type\"` (and optionally `names = [\"*Type\"]`) under `[concepts.{cname}]`"
                    )),
                    )
                }
                None => {}
            }
        }
        Some(concept)
    }

    fn deprecated(&mut self, key: &str, value: &Value<'_>) -> Vec<DeprecatedPath> {
        let example = "deprecated = [\"my_crate::old_ws\", { path = \"my_crate::legacy::Old\", level = \"warn\", error-after = \"2027-01-01\" }]";
        let Some(array) = value.get_ref().as_array() else {
            self.wrong_type(
                key,
                value,
                "an array of paths or `{ path = .. }` tables",
                example,
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for element in array.iter() {
            match element.get_ref() {
                DeValue::String(s) => {
                    let path = Spanned::new(s.to_string(), span_of(element));
                    if self.check_path(key, &path) {
                        out.push(DeprecatedPath {
                            path,
                            level: None,
                            error_after: None,
                        });
                    }
                }
                DeValue::Table(table) => {
                    if let Some(d) = self.deprecated_table(key, element, table) {
                        out.push(d);
                    }
                }
                _ => self.wrong_type(
                    &format!("each element of `{key}`"),
                    element,
                    "a path string or a `{ path = .. }` table",
                    example,
                ),
            }
        }
        out
    }

    fn deprecated_table(
        &mut self,
        key: &str,
        element: &Value<'_>,
        table: &DeTable<'_>,
    ) -> Option<DeprecatedPath> {
        let mut path = None;
        let mut level = None;
        let mut error_after = None;
        for (k, v) in table.iter() {
            match k.get_ref().as_ref() {
                "path" => {
                    path = self
                        .string(
                            &format!("{key}.path"),
                            v,
                            "path = \"my_crate::legacy::Old\"",
                        )
                        .filter(|p| self.check_path(key, p))
                }
                "level" => {
                    let lkey = format!("{key}.level");
                    if let Some(l) = self.string(&lkey, v, "level = \"warn\"") {
                        match l.value.as_str() {
                            "error" => level = Some(Level::Error),
                            "warn" => level = Some(Level::Warning),
                            _ => self.bad_level(&lkey, &l, &["error", "warn"]),
                        }
                    }
                }
                "error-after" => error_after = self.date(&format!("{key}.error-after"), v),
                _ => self.unknown_key(k, DEPRECATED_KEYS, &format!("an entry of `{key}`")),
            }
        }
        if path.is_none() && !table.contains_key("path") {
            self.issue(
                span_of(element),
                format!("an entry of `{key}` has no `path`"),
                "missing `path`",
                Some("write `{ path = \"my_crate::legacy::Old\", level = \"warn\" }`".into()),
            );
        }
        Some(DeprecatedPath {
            path: path?,
            level,
            error_after,
        })
    }

    /// A `YYYY-MM-DD` date, written as a string or as a TOML local date.
    fn date(&mut self, key: &str, value: &Value<'_>) -> Option<Spanned<String>> {
        let text = match value.get_ref() {
            DeValue::String(s) => s.to_string(),
            DeValue::Datetime(d) => d.to_string(),
            _ => {
                self.wrong_type(key, value, "a date", "error-after = \"2027-01-01\"");
                return None;
            }
        };
        if Date::parse(&text).is_none() {
            self.issue(
                span_of(value),
                format!("`{key}` is not a valid date: \"{text}\""),
                "expected YYYY-MM-DD",
                Some("write the date as YYYY-MM-DD, e.g. \"2027-01-01\"".into()),
            );
            return None;
        }
        Some(Spanned::new(text, span_of(value)))
    }
}

fn is_identifier(segment: &str) -> bool {
    let segment = segment.strip_prefix("r#").unwrap_or(segment);
    let mut chars = segment.chars();
    match chars.next() {
        Some(c) if c.is_alphabetic() || c == '_' => {}
        _ => return false,
    }
    segment != "_" && chars.all(|c| c.is_alphanumeric() || c == '_')
}

fn quoted_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `path` made absolute, symlinks resolved when it exists.
pub(crate) fn absolute(path: &Path) -> PathBuf {
    let path = if path.as_os_str().is_empty() {
        Path::new(".")
    } else {
        path
    };
    path.canonicalize()
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_path_buf())
}

/// `path` relative to `root`, `/`-separated (with `..` when it lies outside `root`).
pub(crate) fn display_path(path: &Path, root: &Path) -> String {
    let root = absolute(root);
    let path = absolute(path);
    let root_parts: Vec<Component> = root.components().collect();
    let path_parts: Vec<Component> = path.components().collect();
    let common = root_parts
        .iter()
        .zip(&path_parts)
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 {
        return path.display().to_string();
    }
    let ups = root_parts.len() - common;
    let mut parts: Vec<String> = vec!["..".to_string(); ups];
    parts.extend(
        path_parts[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

/// A config that cannot be used: missing, unreadable, not TOML, or not valid cargo-ssot
/// config. Carries the config text so the report underlines the mistake; further mistakes
/// in the same file are attached as related diagnostics.
#[derive(Debug)]
pub struct ConfigError {
    message: String,
    source: Option<Box<NamedSource<String>>>,
    label: Option<(Span, String)>,
    help: Option<String>,
    related: Vec<ConfigError>,
}

impl ConfigError {
    fn new(message: impl Into<String>) -> ConfigError {
        ConfigError {
            message: message.into(),
            source: None,
            label: None,
            help: None,
            related: Vec::new(),
        }
    }
    fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    fn with_label(mut self, span: Span, label: impl Into<String>) -> Self {
        self.label = Some((span, label.into()));
        self
    }
    fn with_source(mut self, source: NamedSource<String>) -> Self {
        self.source = Some(Box::new(source));
        self
    }
    pub fn message(&self) -> &str {
        &self.message
    }
    pub fn help_text(&self) -> Option<&str> {
        self.help.as_deref()
    }
    /// The underlined span in the config text, if the error points at one.
    pub fn span(&self) -> Option<Span> {
        self.label.as_ref().map(|(s, _)| *s)
    }
    /// The other mistakes found in the same file.
    pub fn others(&self) -> &[ConfigError] {
        &self.related
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

impl Diagnostic for ConfigError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("ssot::config"))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_deref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (span, label) = self.label.as_ref()?;
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(Some(label.clone()), span.range()),
        )))
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|e| e as &dyn Diagnostic)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn discovery(dir: &Path) -> Discovery {
        Discovery {
            report_root: dir.to_path_buf(),
            workspace_roots: vec![dir.to_path_buf()],
            config_dir: dir.to_path_buf(),
            ..Discovery::default()
        }
    }

    /// Load `text` as `ssot.toml` of a fresh directory.
    fn load_text(text: &str) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("ssot.toml"), text).unwrap();
        let found = find_in_dir(dir.path())?.unwrap();
        Ok(parse(found.path, "ssot.toml".into(), found.text, false)?.unwrap())
    }

    fn load_err(text: &str) -> ConfigError {
        match load_text(text) {
            Ok(_) => panic!("expected an error for:\n{text}"),
            Err(e) => e,
        }
    }

    fn text_at(config: &Config, span: Span) -> String {
        config.file.as_ref().unwrap().text[span.range()].to_string()
    }

    const FULL: &str = r#"
include-tests = true
exclude = ["backups/**"]
managed = ["*Manager", "*Registry"]
not-managed = ["TaskManager"]

[rules]
singleton-manager = "error"
"ssot::global-registry" = "warn"
duplicate-concept = "off"

[concepts.websocket-manager]
canonical = "chat_core::ws::manager::WebSocketManager"
names = ["*WebSocketManager", "WsManager"]
aliases = ["chat_core::WebSocketManager"]
deprecated = ["chat_core::websocket_core", { path = "chat_core::legacy::OldManager", level = "warn", error-after = "2027-01-01" }]
factories = ["chat_core::ws::factory"]
shims = ["chat_core::websocket_core"]
context = "chat_core::context::UserContext"
"#;

    #[test]
    fn reads_the_whole_schema_with_spans() {
        let config = load_text(FULL).unwrap();
        assert!(config.include_tests);
        assert_eq!(config.exclude[0].value, "backups/**");
        assert_eq!(text_at(&config, config.exclude[0].span), "\"backups/**\"");
        assert!(config.is_managed("ChatRegistry"));
        assert!(
            !config.is_managed("ChatHub"),
            "managed replaces the defaults"
        );
        assert!(!config.is_managed("TaskManager"));
        assert_eq!(
            config.rule_levels["singleton-manager"].value,
            RuleLevel::Level(Level::Error)
        );
        assert_eq!(
            config.rule_levels["global-registry"].value,
            RuleLevel::Level(Level::Warning)
        );
        assert_eq!(
            config.rule_levels["duplicate-concept"].value,
            RuleLevel::Off
        );
        assert_eq!(config.level_for("duplicate-concept", Level::Error), None);

        let c = &config.concepts[0];
        assert_eq!(c.name.value, "websocket-manager");
        assert_eq!(text_at(&config, c.name.span), "websocket-manager");
        let canonical = c.canonical.as_ref().unwrap();
        assert_eq!(canonical.value, "chat_core::ws::manager::WebSocketManager");
        assert_eq!(
            text_at(&config, canonical.span),
            "\"chat_core::ws::manager::WebSocketManager\""
        );
        assert_eq!(c.names.len(), 2);
        assert_eq!(c.aliases[0].value, "chat_core::WebSocketManager");
        assert_eq!(c.deprecated.len(), 2);
        assert_eq!(c.deprecated[0].level, None);
        let old = &c.deprecated[1];
        assert_eq!(old.path.value, "chat_core::legacy::OldManager");
        assert_eq!(old.level, Some(Level::Warning));
        assert_eq!(old.error_after.as_ref().unwrap().value, "2027-01-01");
        assert_eq!(c.factories[0].value, "chat_core::ws::factory");
        assert_eq!(c.shims[0].value, "chat_core::websocket_core");
        assert_eq!(
            c.context.as_ref().unwrap().value,
            "chat_core::context::UserContext"
        );
        assert!(config.today.is_some());
        assert!(!config.file.as_ref().unwrap().embedded_in_manifest);
    }

    #[test]
    fn names_default_to_the_canonical_type_name() {
        let config = load_text("[concepts.ws]\ncanonical = \"a::b::WsManager\"\n").unwrap();
        let c = &config.concepts[0];
        assert_eq!(c.names.len(), 1);
        assert_eq!(c.names[0].value, "WsManager");
    }

    #[test]
    fn deprecation_turns_into_an_error_after_its_date() {
        // A TOML date literal works as well as a string.
        let config = load_text(
            "[concepts.ws]\ncanonical = \"a::Ws\"\ndeprecated = [{ path = \"a::old\", level = \"warn\", error-after = 2027-01-01 }]\n",
        )
        .unwrap();
        let d = &config.concepts[0].deprecated[0];
        let day = |s| Date::parse(s).unwrap();
        assert_eq!(d.level_on(day("2026-12-31")), Some(Level::Warning));
        assert_eq!(d.level_on(day("2027-01-01")), Some(Level::Warning));
        assert_eq!(d.level_on(day("2027-01-02")), Some(Level::Error));
        let mut config = config;
        config.today = Some(day("2030-06-01"));
        assert_eq!(
            config.deprecated_level(&config.concepts[0].deprecated[0]),
            Some(Level::Error)
        );
    }

    #[test]
    fn no_config_means_defaults() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
        let config = load(None, &discovery(dir.path())).unwrap();
        assert!(config.file.is_none());
        assert!(config.is_managed("WebSocketManager"));
        assert!(config.is_managed("EventHub"));
        assert!(config.concepts.is_empty());
    }

    #[test]
    fn finds_dot_ssot_toml() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(".ssot.toml"), "include-tests = true\n").unwrap();
        let config = load(None, &discovery(dir.path())).unwrap();
        assert!(config.include_tests);
        assert_eq!(config.file.unwrap().rel_path, ".ssot.toml");
    }

    #[test]
    fn two_config_files_are_an_error() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("ssot.toml"), "").unwrap();
        fs::write(dir.path().join(".ssot.toml"), "").unwrap();
        let err = find_in_dir(dir.path()).err().unwrap();
        assert!(err.message().contains("ssot.toml"), "{}", err.message());
        assert!(err.message().contains(".ssot.toml"), "{}", err.message());
        assert!(err.help_text().unwrap().contains("keep one"));
    }

    #[test]
    fn a_standalone_file_next_to_a_metadata_table_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("ssot.toml"), "").unwrap();
        fs::write(
            dir.path().join("Cargo.toml"),
            "[workspace]\n[workspace.metadata.ssot]\ninclude-tests = true\n",
        )
        .unwrap();
        let err = find_in_dir(dir.path()).err().unwrap();
        assert!(
            err.message().contains("metadata table"),
            "{}",
            err.message()
        );
        assert!(err.help_text().unwrap().contains("keep one"));
    }

    #[test]
    fn reads_workspace_metadata_with_spans_into_the_manifest() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = "[workspace]\nmembers = []\n\n[workspace.metadata.ssot]\nexclude = [\"old/**\"]\n\n[workspace.metadata.ssot.concepts.ws]\ncanonical = \"a::ws::WsManager\"\n";
        fs::write(dir.path().join("Cargo.toml"), manifest).unwrap();
        let config = load(None, &discovery(dir.path())).unwrap();
        let file = config.file.as_ref().unwrap();
        assert!(file.embedded_in_manifest);
        assert_eq!(file.rel_path, "Cargo.toml");
        assert_eq!(&manifest[config.exclude[0].span.range()], "\"old/**\"");
        let canonical = config.concepts[0].canonical.as_ref().unwrap();
        assert_eq!(&manifest[canonical.span.range()], "\"a::ws::WsManager\"");
    }

    #[test]
    fn reads_package_metadata() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join("Cargo.toml"),
            "[package]\nname = \"x\"\n[package.metadata.ssot]\ninclude-tests = true\n",
        )
        .unwrap();
        let config = load(None, &discovery(dir.path())).unwrap();
        assert!(config.include_tests);
    }

    #[test]
    fn both_metadata_tables_are_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = "[package]\nname = \"x\"\n[package.metadata.ssot]\n[workspace]\n[workspace.metadata.ssot]\n";
        fs::write(dir.path().join("Cargo.toml"), manifest).unwrap();
        let err = load(None, &discovery(dir.path())).err().unwrap();
        assert!(err.to_string().contains("both"), "{err}");
    }

    #[test]
    fn explicit_config_wins_and_must_exist() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("ssot.toml"), "include-tests = false\n").unwrap();
        let other = dir.path().join("ci-ssot.toml");
        fs::write(&other, "include-tests = true\n").unwrap();
        let config = load(Some(&other), &discovery(dir.path())).unwrap();
        assert!(config.include_tests);
        assert_eq!(config.file.unwrap().rel_path, "ci-ssot.toml");

        let missing = dir.path().join("nope.toml");
        let err = load(Some(&missing), &discovery(dir.path())).err().unwrap();
        assert!(err.to_string().contains("nope.toml"), "{err}");
        assert!(err.to_string().contains("--config"), "{err}");
    }

    #[test]
    fn explicit_manifest_without_table_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = dir.path().join("Cargo.toml");
        fs::write(&manifest, "[package]\nname = \"x\"\n").unwrap();
        let err = load(Some(&manifest), &discovery(dir.path())).err().unwrap();
        assert!(err.to_string().contains("metadata.ssot"), "{err}");
    }

    #[test]
    fn config_outside_the_report_root_is_named_relative_to_it() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("sub")).unwrap();
        fs::write(dir.path().join("ssot.toml"), "").unwrap();
        let mut d = discovery(dir.path());
        d.report_root = dir.path().join("sub");
        let config = load(None, &d).unwrap();
        assert_eq!(config.file.unwrap().rel_path, "../ssot.toml");
    }

    fn assert_error(err: &ConfigError, text: &str, underlined: &str, message: &[&str], help: &str) {
        let span = err.span().expect("error points into the config");
        assert_eq!(&text[span.range()], underlined, "{}", err.message());
        for m in message {
            assert!(err.message().contains(m), "`{}` lacks `{m}`", err.message());
        }
        let h = err.help_text().unwrap_or("");
        assert!(h.contains(help), "help `{h}` lacks `{help}`");
    }

    #[test]
    fn unknown_top_key_suggests_the_kebab_case_key() {
        let text = "include_tests = true\n";
        assert_error(
            &load_err(text),
            text,
            "include_tests",
            &["unknown key `include_tests`"],
            "`include-tests`",
        );
    }

    #[test]
    fn unknown_concept_key_suggests_the_close_one() {
        let text = "[concepts.ws]\ncanonicl = \"a::Ws\"\n";
        assert_error(
            &load_err(text),
            text,
            "canonicl",
            &["canonicl", "[concepts.ws]"],
            "did you mean `canonical`?",
        );
    }

    #[test]
    fn unknown_key_without_a_close_match_lists_the_keys() {
        let text = "[concepts.ws]\ncanonical = \"a::Ws\"\nzzz = 1\n";
        assert_error(&load_err(text), text, "zzz", &["zzz"], "`factories`");
    }

    #[test]
    fn wrong_types_name_the_key_and_show_the_form() {
        let text = "exclude = \"backups/**\"\n";
        assert_error(
            &load_err(text),
            text,
            "\"backups/**\"",
            &["`exclude`", "array of strings", "string"],
            "exclude = [",
        );
        let text = "include-tests = \"yes\"\n";
        assert_error(
            &load_err(text),
            text,
            "\"yes\"",
            &["`include-tests`", "boolean"],
            "include-tests = true",
        );
        let text = "[concepts.ws]\ncanonical = [\"a::Ws\"]\n";
        assert_error(
            &load_err(text),
            text,
            "[\"a::Ws\"]",
            &["concepts.ws.canonical", "a string"],
            "canonical = \"",
        );
        let text = "[concepts]\nws = \"a::Ws\"\n";
        assert_error(
            &load_err(text),
            text,
            "\"a::Ws\"",
            &["concepts.ws", "a table"],
            "[concepts.ws]",
        );
    }

    #[test]
    fn unknown_rule_id_suggests_the_close_one() {
        let text = "[rules]\nsingelton-manager = \"warn\"\n";
        assert_error(
            &load_err(text),
            text,
            "singelton-manager",
            &["unknown rule id `singelton-manager`"],
            "`singleton-manager`",
        );
    }

    #[test]
    fn bad_levels_suggest_accepted_ones() {
        let text = "[rules]\nsingleton-manager = \"warning\"\n";
        assert_error(
            &load_err(text),
            text,
            "\"warning\"",
            &["rules.singleton-manager", "\"warning\""],
            "did you mean \"warn\"?",
        );
        let text = "[rules]\nsingleton-manager = \"allow\"\n";
        assert_error(
            &load_err(text),
            text,
            "\"allow\"",
            &["unknown level"],
            "\"off\"",
        );
        let text = "[concepts.ws]\ncanonical = \"a::Ws\"\ndeprecated = [{ path = \"a::old\", level = \"off\" }]\n";
        assert_error(
            &load_err(text),
            text,
            "\"off\"",
            &["level"],
            "`error`, `warn`",
        );
    }

    #[test]
    fn bad_globs_are_errors() {
        let text = "exclude = [\"backups/[\"]\n";
        assert_error(
            &load_err(text),
            text,
            "\"backups/[\"",
            &["invalid exclude glob `backups/[`"],
            "**",
        );
        let text = "exclude = [\"../other/**\"]\n";
        assert_error(
            &load_err(text),
            text,
            "\"../other/**\"",
            &["outside"],
            "relative to the directory of the config file",
        );
    }

    #[test]
    fn bad_dates_are_errors() {
        let text = "[concepts.ws]\ncanonical = \"a::Ws\"\ndeprecated = [{ path = \"a::old\", error-after = \"2027-13-01\" }]\n";
        assert_error(
            &load_err(text),
            text,
            "\"2027-13-01\"",
            &["error-after", "2027-13-01"],
            "YYYY-MM-DD",
        );
        let text = "[concepts.ws]\ncanonical = \"a::Ws\"\ndeprecated = [{ path = \"a::old\", error-after = 2027 }]\n";
        assert_error(
            &load_err(text),
            text,
            "2027",
            &["error-after", "a date"],
            "\"2027-01-01\"",
        );
    }

    #[test]
    fn empty_concept_names_and_empty_concepts_are_errors() {
        let text = "[concepts.\"\"]\ncanonical = \"a::Ws\"\n";
        assert_error(
            &load_err(text),
            text,
            "\"\"",
            &["empty concept name"],
            "[concepts.websocket-manager]",
        );
        let text = "[concepts.ws]\nfactories = [\"a::f\"]\n";
        assert_error(
            &load_err(text),
            text,
            "ws",
            &["concept `ws` names no type"],
            "canonical = ",
        );
    }

    #[test]
    fn paths_must_start_with_the_crate_name() {
        let text = "[concepts.ws]\ncanonical = \"crate::ws::WsManager\"\n";
        assert_error(
            &load_err(text),
            text,
            "\"crate::ws::WsManager\"",
            &["crate::ws::WsManager", "canonical"],
            "`my_crate::ws::WsManager`",
        );
        let text = "[concepts.ws]\ncanonical = \"a::Ws\"\naliases = [\"a::Ws<T>\"]\n";
        assert_error(
            &load_err(text),
            text,
            "\"a::Ws<T>\"",
            &["aliases"],
            "no generics",
        );
        let text = "[concepts.ws]\ncanonical = \"a::Ws\"\ndeprecated = [{ level = \"warn\" }]\n";
        assert_error(
            &load_err(text),
            text,
            "{ level = \"warn\" }",
            &["no `path`"],
            "path = ",
        );
    }

    #[test]
    fn name_patterns_are_type_names() {
        let text = "managed = [\"a::*Manager\"]\n";
        assert_error(
            &load_err(text),
            text,
            "\"a::*Manager\"",
            &["managed"],
            "`*Manager`",
        );
    }

    #[test]
    fn every_mistake_is_reported_at_once_in_source_order() {
        let text =
            "zzz = 1\n[rules]\nsingelton-manager = \"warn\"\n[concepts.ws]\ncanonicl = \"a::Ws\"\n";
        let err = load_err(text);
        assert_eq!(&text[err.span().unwrap().range()], "zzz");
        let others: Vec<&str> = err
            .others()
            .iter()
            .map(|e| &text[e.span().unwrap().range()])
            .collect();
        assert_eq!(others, ["singelton-manager", "canonicl"]);
        let report = miette::Report::new(err);
        let mut rendered = String::new();
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .render_report(&mut rendered, report.as_ref())
            .unwrap();
        assert!(rendered.contains("ssot.toml"), "{rendered}");
        assert!(rendered.contains("did you mean `canonical`?"), "{rendered}");
    }

    #[test]
    fn toml_syntax_errors_point_at_the_text() {
        let text = "exclude = [\"a\"\n";
        let err = load_err(text);
        assert!(
            err.message().contains("not valid TOML"),
            "{}",
            err.message()
        );
        assert!(err.span().is_some());
    }

    #[test]
    fn exclude_globs_match_paths_and_their_directories() {
        let config = load_text("exclude = [\"backups/**\", \"./old/\", \"*.bak.rs\"]\n").unwrap();
        let set = &config.exclude_set;
        assert_eq!(set.matches(Path::new("backups/src/lib.rs")), vec![0]);
        assert_eq!(set.matches(Path::new("old/src/lib.rs")), vec![1]);
        assert_eq!(set.matches(Path::new("lib.bak.rs")), vec![2]);
        assert!(
            set.matches(Path::new("src/lib.bak.rs")).is_empty(),
            "`*` stays within a directory"
        );
        assert!(!set.is_excluded(Path::new("src/lib.rs")));
        assert!(set.is_excluded(&set.base().join("backups/x.rs")));
    }

    #[test]
    fn every_fixture_config_loads() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut seen = 0;
        for entry in walkdir::WalkDir::new(&root)
            .into_iter()
            .filter_entry(|e| e.file_name() != "target")
            .filter_map(Result::ok)
        {
            let name = entry.file_name().to_string_lossy();
            if !CONFIG_FILE_NAMES.contains(&name.as_ref()) && name != "Cargo.toml" {
                continue;
            }
            let text = fs::read_to_string(entry.path()).unwrap();
            let embedded = name == "Cargo.toml";
            let parsed = parse(entry.path().into(), name.to_string(), text, embedded);
            match parsed {
                Ok(Some(_)) => seen += 1,
                Ok(None) => {}
                Err(e) => panic!("{}: {e}: {:?}", entry.path().display(), e.help_text()),
            }
        }
        assert!(seen > 0, "no fixture config found under {}", root.display());
    }
}
