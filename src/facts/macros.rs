//! Real grammars for the bodies of `lazy_static!`, `thread_local!`, `task_local!` and
//! once_cell-style macros, and expansion of simple local `macro_rules!` that emit statics.
