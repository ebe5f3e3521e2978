//! Concept membership: which definitions belong to each configured concept.

use super::DefId;

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
