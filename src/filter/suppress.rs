//! `// ssot:allow(rule): reason` suppressions and the two hygiene rules.
