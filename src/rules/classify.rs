//! Shared classification of static values: is this a process-global stateful service,
//! a registry, or harmless data? Used by the singleton and registry rules.
