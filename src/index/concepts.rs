//! Concept membership: which definitions belong to each configured concept.

use super::{DefId, Index, Target};
use crate::config::{glob_match, Config};
use crate::facts::ItemKind;

#[derive(Debug, Clone, Default)]
pub struct ConceptIndex {
    /// Index into `config.concepts`.
    pub concept: usize,
    /// The canonical definition, when the configured path resolves to one.
    pub canonical: Option<DefId>,
    /// Every type definition whose name matches the concept's names (canonical included),
    /// excluding `type` aliases and re-exports, which are the same type.
    pub members: Vec<DefId>,
}

/// A type that can be a concept's definition (aliases are the same type, not a new one).
fn is_concept_type(kind: ItemKind) -> bool {
    matches!(
        kind,
        ItemKind::Struct | ItemKind::Enum | ItemKind::Union | ItemKind::Trait
    )
}

/// Resolve each configured concept: its canonical definition (re-exports and aliases
/// followed to the defining type) and every type definition its names match, wherever it
/// is declared (fn bodies, cfg-gated fallbacks and test code included; rules filter tests).
pub fn build(index: &Index, config: &Config) -> Vec<ConceptIndex> {
    // Sorted so members come out in a stable order without sorting per concept.
    let mut names: Vec<(&String, &Vec<DefId>)> = index.defs_by_name.iter().collect();
    names.sort();
    config
        .concepts
        .iter()
        .enumerate()
        .map(|(i, concept)| {
            let canonical_path = concept.canonical.as_ref().map(|c| c.value.as_str());
            let canonical = canonical_path
                .and_then(|p| index.resolve_abs(p))
                .and_then(|r| match r.target {
                    Target::Def(d) => Some(index.alias_target(d)),
                    _ => None,
                });
            let mut patterns: Vec<&str> = concept.names.iter().map(|n| n.value.as_str()).collect();
            if patterns.is_empty() {
                let fallback = match canonical {
                    Some(d) => Some(index.item(d).name.as_str()),
                    None => canonical_path.and_then(|p| p.rsplit("::").next()),
                };
                patterns.extend(fallback.map(str::trim));
            }
            let mut members: Vec<DefId> = names
                .iter()
                .filter(|(name, _)| patterns.iter().any(|p| glob_match(p, name)))
                .flat_map(|(_, defs)| defs.iter().copied())
                .filter(|d| is_concept_type(index.item(*d).kind))
                .collect();
            if let Some(c) = canonical {
                if is_concept_type(index.item(c).kind) && !members.contains(&c) {
                    members.push(c);
                }
            }
            members.sort();
            members.dedup();
            ConceptIndex {
                concept: i,
                canonical,
                members,
            }
        })
        .collect()
}
