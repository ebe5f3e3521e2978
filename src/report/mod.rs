//! One file per output format; none of them computes anything about the code.

pub mod human;
pub mod json;
pub mod short;
