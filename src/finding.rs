//! Findings are data; every report is a view of them.

use crate::source::{FileId, Span};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Note,
    Warning,
    Error,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Note => "note",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

/// A place the message refers to besides the primary span ("canonical definition is here").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Related {
    pub file: FileId,
    pub span: Span,
    pub label: String,
}

/// One text replacement. Edits of one fix never overlap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edit {
    pub file: FileId,
    pub span: Span,
    pub replacement: String,
}

/// A machine-applicable fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    pub description: String,
    pub edits: Vec<Edit>,
}

/// Why a finding is not counted (filled by `filter`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Suppressed {
    /// `// ssot:allow(..): reason`
    Comment { reason: String },
    /// Covered by the baseline file.
    Baseline,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Rule id without the `ssot::` prefix, e.g. `singleton-manager`.
    pub rule: &'static str,
    pub level: Level,
    pub file: FileId,
    /// The primary span: the name or expression the finding is about.
    pub span: Span,
    /// Says what is wrong and why it matters.
    pub message: String,
    /// Says what to do instead.
    pub help: Option<String>,
    pub related: Vec<Related>,
    pub fix: Option<Fix>,
    /// Stable key of the thing the finding is about (full item path, or the import path),
    /// used by baselines and fingerprints instead of line numbers.
    pub item_path: String,
    pub suppressed: Option<Suppressed>,
}

impl Finding {
    pub fn new(
        rule: &'static str,
        level: Level,
        file: FileId,
        span: Span,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            rule,
            level,
            file,
            span,
            message: message.into(),
            help: None,
            related: Vec::new(),
            fix: None,
            item_path: String::new(),
            suppressed: None,
        }
    }
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    pub fn related(mut self, file: FileId, span: Span, label: impl Into<String>) -> Self {
        self.related.push(Related {
            file,
            span,
            label: label.into(),
        });
        self
    }
    pub fn item_path(mut self, path: impl Into<String>) -> Self {
        self.item_path = path.into();
        self
    }
    pub fn fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }
    /// `ssot::<rule>`
    pub fn code(&self) -> String {
        format!("ssot::{}", self.rule)
    }
}
