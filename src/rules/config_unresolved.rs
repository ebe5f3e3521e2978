//! `ssot::config-unresolved` — see `rules/config-unresolved.toml` for what it finds and why.
//!
//! A config that names nothing turns checks into checks that cannot fail, so every path,
//! concept and glob in it must land on something. Findings point into the config file.

use super::RuleCtx;
use crate::config::suggest::did_you_mean;
use crate::config::{Concept, Config, Spanned};
use crate::finding::{Finding, Level};
use crate::index::{DefId, Index, ModuleId, Target};
use crate::source::{FileId, Span};

const RULE: &str = "config-unresolved";

pub fn check(ctx: &RuleCtx) -> Vec<Finding> {
    let (index, config) = (ctx.index, ctx.config);
    let Some(file) = index.config_file else {
        return Vec::new();
    };
    let mut findings = Vec::new();
    for (i, concept) in config.concepts.iter().enumerate() {
        check_concept(index, file, i, concept, &mut findings);
    }
    check_excludes(index, config, file, &mut findings);
    if index.summary.files_analyzed == 0 {
        findings.push(
            Finding::new(
                RULE,
                Level::Error,
                file,
                scan_anchor(index, config, file),
                "the scan reached no Rust file: every rule looked at nothing",
            )
            .help(
                "check that the workspace members have `src/lib.rs`/`src/main.rs` (or the \
                 targets' `path`) and that `exclude` does not cover them",
            )
            .item_path("<scan>"),
        );
    }
    findings
}

/// What a configured path is for, which decides what it must resolve to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Canonical,
    Alias,
    Deprecated,
    Factory,
    Shim,
    Context,
}

impl Role {
    fn key(self) -> &'static str {
        match self {
            Role::Canonical => "canonical",
            Role::Alias => "aliases",
            Role::Deprecated => "deprecated",
            Role::Factory => "factories",
            Role::Shim => "shims",
            Role::Context => "context",
        }
    }
    /// What the path has to name, when it must be a particular kind of thing.
    fn must_be(self) -> Option<Kind> {
        match self {
            Role::Canonical | Role::Context => Some(Kind::Type),
            Role::Shim => Some(Kind::Module),
            Role::Alias | Role::Deprecated | Role::Factory => None,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Type,
    Module,
}

fn check_concept(
    index: &Index,
    file: FileId,
    i: usize,
    concept: &Concept,
    findings: &mut Vec<Finding>,
) {
    let name = &concept.name.value;
    let mut paths: Vec<(Role, &Spanned<String>)> = Vec::new();
    paths.extend(concept.canonical.iter().map(|p| (Role::Canonical, p)));
    paths.extend(concept.aliases.iter().map(|p| (Role::Alias, p)));
    paths.extend(
        concept
            .deprecated
            .iter()
            .map(|d| (Role::Deprecated, &d.path)),
    );
    paths.extend(concept.factories.iter().map(|p| (Role::Factory, p)));
    paths.extend(concept.shims.iter().map(|p| (Role::Shim, p)));
    paths.extend(concept.context.iter().map(|p| (Role::Context, p)));

    let mut canonical_reported = false;
    for (role, path) in paths {
        if let Some(finding) = check_path(index, file, name, role, path) {
            canonical_reported |= role == Role::Canonical;
            findings.push(finding);
        }
    }
    // An unresolved canonical path already says the concept has no definition.
    if !canonical_reported && members(index, i) == 0 {
        let patterns: Vec<String> = concept
            .names
            .iter()
            .map(|n| format!("`{}`", n.value))
            .collect();
        let mut finding = Finding::new(
            RULE,
            Level::Error,
            file,
            concept.name.span,
            format!(
                "concept `{name}` has no definition in the workspace: no type is named {}, \
                 so its rules check nothing",
                patterns.join(" or ")
            ),
        )
        .item_path(format!("concepts.{name}"));
        let close = concept
            .names
            .iter()
            .find_map(|n| closest_type_name(index, &n.value));
        finding = finding.help(match close {
            Some(close) => format!("did you mean `{close}`? fix `names` or `canonical`"),
            None => "fix `names`/`canonical`, or remove the concept".to_string(),
        });
        findings.push(finding);
    }
}

fn check_path(
    index: &Index,
    file: FileId,
    concept: &str,
    role: Role,
    path: &Spanned<String>,
) -> Option<Finding> {
    let key = format!("concepts.{concept}.{}", role.key());
    let text = &path.value;
    let finding = |message: String, help: String| {
        Finding::new(RULE, Level::Error, file, path.span, message)
            .help(help)
            .item_path(text.clone())
    };
    match resolve(index, text) {
        None => {
            let help = match closest_path(index, text, role.must_be()) {
                Some(close) => format!("did you mean `{close}`?"),
                None => {
                    format!("write the full path of an existing item, or remove it from `{key}`")
                }
            };
            Some(finding(
                format!(
                    "`{key}` names `{text}`, which does not exist in the workspace, so the \
                     checks that rely on it look at nothing"
                ),
                help,
            ))
        }
        Some(Target::External(to)) => Some(finding(
            format!(
                "`{key}` names `{text}`, which leads outside the workspace (to `{}`)",
                to.join("::")
            ),
            "name the workspace item or module instead".to_string(),
        )),
        Some(target) => {
            let is = |kind: Kind| match (&target, kind) {
                (Target::Def(d), Kind::Type) => index.item(*d).kind.is_type(),
                (Target::Module(_) | Target::Crate(_), Kind::Module) => true,
                _ => false,
            };
            match role.must_be() {
                Some(kind) if !is(kind) => {
                    let (wanted, help) = match kind {
                        Kind::Type => (
                            "a type",
                            "name the struct, enum, trait or type alias itself".to_string(),
                        ),
                        Kind::Module => (
                            "a module",
                            "shims are modules: name the module that holds the re-exports"
                                .to_string(),
                        ),
                    };
                    let help = match closest_path(index, text, Some(kind)) {
                        Some(close) => format!("did you mean `{close}`? ({help})"),
                        None => help,
                    };
                    Some(finding(
                        format!(
                            "`{key}` must name {wanted}, but `{text}` is {}",
                            describe(index, &target)
                        ),
                        help,
                    ))
                }
                _ => None,
            }
        }
    }
}

fn describe(index: &Index, target: &Target) -> String {
    match target {
        Target::Def(d) => format!("a {:?}", index.item(*d).kind).to_lowercase(),
        Target::Module(_) => "a module".into(),
        Target::Crate(_) => "a crate".into(),
        Target::External(_) => "outside the workspace".into(),
    }
}

/// Where a configured path leads (re-exports and aliases followed by the index).
fn resolve(index: &Index, path: &str) -> Option<Target> {
    index.resolve_abs(path).map(|r| r.target)
}

/// The existing path closest to `path`: a definition with the same name elsewhere (the
/// item moved), else a sibling with a similar name (a typo in the last segment), else a
/// path a few edits away.
fn closest_path(index: &Index, path: &str, kind: Option<Kind>) -> Option<String> {
    let (parent, last) = path.rsplit_once("::").unwrap_or(("", path));
    let fits = |d: &DefId| {
        kind != Some(Kind::Module) && (kind != Some(Kind::Type) || index.item(*d).kind.is_type())
    };
    let moved = index
        .defs_named(last)
        .iter()
        .filter(|d| fits(d))
        .map(|d| index.def(*d).path.as_str())
        .min();
    if let Some(p) = moved {
        return Some(p.to_string());
    }
    let mut candidates: Vec<String> = Vec::new();
    if kind != Some(Kind::Type) {
        candidates.extend((0..index.modules.len() as u32).map(|m| index.module_path(ModuleId(m))));
    }
    if kind != Some(Kind::Module) {
        candidates.extend(
            index
                .def_ids()
                .filter(fits)
                .map(|d| index.def(d).path.clone()),
        );
    }
    let siblings = candidates.iter().filter_map(|c| {
        c.rsplit_once("::")
            .filter(|(p, _)| *p == parent)
            .map(|(_, l)| l)
    });
    if let Some(l) = did_you_mean(last, siblings) {
        return Some(format!("{parent}::{l}"));
    }
    candidates
        .iter()
        .map(|c| (strsim::levenshtein(path, c), c))
        .filter(|(distance, _)| *distance <= 3)
        .min()
        .map(|(_, c)| c.clone())
}

/// A type name close to a `names` pattern's literal part (`*WebSocketManagr` → `WebSocketManager`).
fn closest_type_name(index: &Index, pattern: &str) -> Option<String> {
    let literal: String = pattern.chars().filter(|c| *c != '*' && *c != '?').collect();
    let names: Vec<&str> = index
        .defs_by_name
        .iter()
        .filter(|(_, defs)| defs.iter().any(|d| index.item(*d).kind.is_type()))
        .map(|(n, _)| n.as_str())
        .collect();
    let best = did_you_mean(&literal, names.iter().copied())?;
    Some(best.to_string())
}

/// How many type definitions belong to concept `i` (as the index resolved them).
fn members(index: &Index, i: usize) -> usize {
    index
        .concepts
        .iter()
        .find(|c| c.concept == i)
        .map_or(0, |c| c.members.len())
}

fn check_excludes(index: &Index, config: &Config, file: FileId, findings: &mut Vec<Finding>) {
    let summary = &index.summary;
    let unmatched: Vec<&Spanned<String>> = if summary.exclude_hits.len() == config.exclude.len() {
        config
            .exclude
            .iter()
            .zip(&summary.exclude_hits)
            .filter(|(_, hits)| **hits == 0)
            .map(|(glob, _)| glob)
            .collect()
    } else if summary.files_excluded == 0 {
        // Without per-glob counts: nothing excluded means no glob matched.
        config.exclude.iter().collect()
    } else {
        Vec::new()
    };
    for glob in unmatched {
        findings.push(
            Finding::new(
                RULE,
                Level::Warning,
                file,
                glob.span,
                format!(
                    "exclude glob `{}` matches no file: a path moved, or the glob is misspelt",
                    glob.value
                ),
            )
            .help("globs are relative to the config file's directory; fix the glob or remove it")
            .item_path(format!("exclude:{}", glob.value)),
        );
    }
}

/// Where a "nothing was scanned" finding points: the first exclude glob (the likeliest
/// cause), else the config table's header, else the first line.
fn scan_anchor(index: &Index, config: &Config, file: FileId) -> Span {
    if let Some(glob) = config.exclude.first() {
        return glob.span;
    }
    let text = index.file(file).source.text();
    let header = ["[workspace.metadata.ssot", "[package.metadata.ssot"]
        .iter()
        .find_map(|h| text.find(h).map(|lo| Span::new(lo, lo + h.len() + 1)));
    header.unwrap_or_else(|| {
        let end = text.find('\n').unwrap_or(text.len());
        Span::new(0, end)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::load::parse;
    use crate::facts::{
        Attrs, FileFacts, Item, ItemDetail, ItemKind, ModInfo, StructInfo, UseKind, UseLeaf, Vis,
    };
    use crate::index::{
        concepts::ConceptIndex, Crate, CrateId, CrateKind, FileRole, IndexedFile, Module,
    };
    use crate::source::SourceFile;
    use std::collections::HashMap;

    fn item(name: &str, kind: ItemKind) -> Item {
        let detail = match kind {
            ItemKind::Mod => ItemDetail::Mod(ModInfo { out_of_line: true }),
            ItemKind::Struct => ItemDetail::Struct(StructInfo::default()),
            _ => ItemDetail::None,
        };
        Item::new(name, kind, detail)
    }

    fn reexport(path: &[&str]) -> UseLeaf {
        UseLeaf {
            scope: Vec::new(),
            vis: Vis::Public,
            path: path.iter().map(|s| s.to_string()).collect(),
            leading_colon: false,
            segment_spans: vec![Span::default(); path.len()],
            kind: UseKind::Name,
            rename: None,
            leaf_span: Span::default(),
            item_span: Span::default(),
            attrs: Attrs::default(),
            in_test: false,
            cfg_gated: false,
            in_group: false,
        }
    }

    /// The crate `chat_core`, assembled the way the workspace loader does:
    /// ```text
    /// lib.rs          pub mod ws; pub mod context; pub use crate::ws::manager::WebSocketManager;
    /// ws.rs           pub mod manager;
    /// ws/manager.rs   pub struct WebSocketManager; pub fn spawn() {}
    /// context.rs      pub struct UserContext;
    /// ```
    /// then completed by the real index build (defs, resolution, concepts).
    fn index_with(config_text: &str) -> (Index, Config) {
        let config = parse(
            "/w/ssot.toml".into(),
            "ssot.toml".into(),
            config_text.into(),
            false,
        )
        .unwrap()
        .unwrap();
        let mut root = FileFacts::default();
        root.items.push(item("ws", ItemKind::Mod));
        root.items.push(item("context", ItemKind::Mod));
        root.uses
            .push(reexport(&["crate", "ws", "manager", "WebSocketManager"]));
        let mut ws = FileFacts::default();
        ws.items.push(item("manager", ItemKind::Mod));
        let mut manager = FileFacts::default();
        manager
            .items
            .push(item("WebSocketManager", ItemKind::Struct));
        manager.items.push(item("spawn", ItemKind::Fn));
        let mut context = FileFacts::default();
        context.items.push(item("UserContext", ItemKind::Struct));

        let mut index = Index::default();
        let modules: [(&[&str], Option<u32>, FileFacts); 4] = [
            (&[], None, root),
            (&["ws"], Some(0), ws),
            (&["ws", "manager"], Some(1), manager),
            (&["context"], Some(0), context),
        ];
        for (m, (path, parent, facts)) in modules.into_iter().enumerate() {
            let id = ModuleId(m as u32);
            let file = FileId(m as u32);
            let rel = format!("src/{}.rs", path.join("/"));
            index.files.push(IndexedFile {
                source: SourceFile::new(format!("/w/{rel}").into(), rel, "".into()),
                facts,
                role: FileRole::Module {
                    krate: CrateId(0),
                    module: id,
                },
                in_test: false,
            });
            index.module_by_file_scope.insert((file, Vec::new()), id);
            if let (Some(p), Some(name)) = (parent, path.last()) {
                index.modules[p as usize]
                    .children
                    .insert(name.to_string(), id);
            }
            index.modules.push(Module {
                krate: CrateId(0),
                path: path.iter().map(|s| s.to_string()).collect(),
                file,
                scope: Vec::new(),
                parent: parent.map(ModuleId),
                children: HashMap::new(),
                decl: None,
                in_test: false,
                deprecated: false,
                doc_hidden: false,
                public: true,
            });
        }
        index.crates.push(Crate {
            name: "chat_core".into(),
            package: "chat-core".into(),
            kind: CrateKind::Lib,
            root_module: ModuleId(0),
            manifest_path: "/w/Cargo.toml".into(),
            is_test: false,
            deps: HashMap::new(),
            workspace: 0,
        });
        let config_file = config.file.clone().unwrap();
        index.config_file = Some(FileId(index.files.len() as u32));
        index.files.push(IndexedFile {
            source: SourceFile::new(
                config_file.path,
                config_file.rel_path,
                config_file.text.into(),
            ),
            facts: FileFacts::default(),
            role: FileRole::Config,
            in_test: false,
        });
        index.summary.files_analyzed = 4;
        crate::index::build::complete(&mut index, &config);
        (index, config)
    }

    fn run(config_text: &str) -> (Vec<Finding>, String) {
        let (index, config) = index_with(config_text);
        let findings = check(&RuleCtx {
            index: &index,
            config: &config,
        });
        (findings, config_text.to_string())
    }

    fn underlined<'t>(text: &'t str, f: &Finding) -> &'t str {
        &text[f.span.range()]
    }

    #[test]
    fn resolving_config_is_silent() {
        let (findings, _) = run(r#"
[concepts.ws]
canonical = "chat_core::ws::manager::WebSocketManager"
aliases = ["chat_core::WebSocketManager"]
deprecated = ["chat_core::ws"]
factories = ["chat_core::ws::manager::spawn", "chat_core::ws"]
shims = ["chat_core::ws"]
context = "chat_core::context::UserContext"
"#);
        assert!(findings.is_empty(), "{findings:#?}");
    }

    #[test]
    fn unresolved_paths_point_at_the_value_and_suggest_the_moved_item() {
        let (findings, text) = run(r#"
[concepts.ws]
canonical = "chat_core::ws::WebSocketManager"
aliases = ["chat_core::WsManager"]
factories = ["chat_core::ws::factry"]
shims = ["chat_core::ws::managr"]
context = "chat_core::ctx::UserContext"
"#);
        let got: Vec<(&str, Option<&str>)> = findings
            .iter()
            .map(|f| {
                (
                    underlined(&text, f),
                    f.help.as_deref().filter(|h| h.starts_with("did you")),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "\"chat_core::ws::WebSocketManager\"",
                    Some("did you mean `chat_core::ws::manager::WebSocketManager`?")
                ),
                ("\"chat_core::WsManager\"", None),
                ("\"chat_core::ws::factry\"", None),
                (
                    "\"chat_core::ws::managr\"",
                    Some("did you mean `chat_core::ws::manager`?")
                ),
                (
                    "\"chat_core::ctx::UserContext\"",
                    Some("did you mean `chat_core::context::UserContext`?")
                ),
            ]
        );
        assert!(findings[0].message.contains("concepts.ws.canonical"));
        assert!(findings[0].message.contains("does not exist"));
        assert!(findings
            .iter()
            .all(|f| f.rule == RULE && f.level == Level::Error));
        assert_eq!(findings[0].item_path, "chat_core::ws::WebSocketManager");
    }

    #[test]
    fn wrong_kinds_are_reported() {
        let (findings, text) = run(r#"
[concepts.ws]
canonical = "chat_core::ws::manager"
shims = ["chat_core::ws::manager::WebSocketManager"]
"#);
        assert_eq!(findings.len(), 2, "{findings:#?}");
        assert_eq!(
            underlined(&text, &findings[0]),
            "\"chat_core::ws::manager\""
        );
        assert!(
            findings[0].message.contains("must name a type"),
            "{}",
            findings[0].message
        );
        assert!(findings[0].message.contains("a module"));
        assert!(findings[1].message.contains("must name a module"));
    }

    #[test]
    fn a_concept_without_definitions_is_reported_once() {
        let (findings, text) = run("[concepts.chat]\nnames = [\"*ChatManager\"]\n");
        assert_eq!(findings.len(), 1, "{findings:#?}");
        assert_eq!(underlined(&text, &findings[0]), "chat");
        assert!(findings[0].message.contains("`*ChatManager`"));

        // Its unresolved canonical path already says so.
        let (findings, _) = run("[concepts.chat]\ncanonical = \"chat_core::ChatManager\"\n");
        assert_eq!(findings.len(), 1, "{findings:#?}");

        // Membership is what the index computed.
        let (mut index, config) = index_with("[concepts.ws]\nnames = [\"*WebSocketManager\"]\n");
        let ctx = |index: &Index| {
            check(&RuleCtx {
                index,
                config: &config,
            })
            .len()
        };
        assert_eq!(ctx(&index), 0);
        index.concepts = vec![ConceptIndex::default()];
        assert_eq!(ctx(&index), 1);
    }

    #[test]
    fn exclude_globs_that_match_nothing_are_reported() {
        let text = "exclude = [\"backups/**\", \"old/**\"]\n";
        let (mut index, config) = index_with(text);
        let run = |index: &Index| -> Vec<String> {
            check(&RuleCtx {
                index,
                config: &config,
            })
            .iter()
            .map(|f| text[f.span.range()].to_string())
            .collect()
        };
        assert_eq!(run(&index), ["\"backups/**\"", "\"old/**\""]);
        index.summary.files_excluded = 3;
        assert!(
            run(&index).is_empty(),
            "without per-glob counts, any hit clears all"
        );
        index.summary.exclude_hits = vec![3, 0];
        assert_eq!(run(&index), ["\"old/**\""]);
    }

    #[test]
    fn a_scan_that_reached_nothing_is_reported() {
        let text = "include-tests = false\n";
        let (mut index, config) = index_with(text);
        index.summary.files_analyzed = 0;
        let findings = check(&RuleCtx {
            index: &index,
            config: &config,
        });
        assert_eq!(findings.len(), 1);
        assert!(findings[0].message.contains("no Rust file"));
        assert_eq!(&text[findings[0].span.range()], "include-tests = false");
    }

    #[test]
    fn no_config_file_no_findings() {
        let (mut index, config) = index_with("[concepts.x]\nnames = [\"Nope\"]\n");
        index.config_file = None;
        assert!(check(&RuleCtx {
            index: &index,
            config: &config
        })
        .is_empty());
    }
}
