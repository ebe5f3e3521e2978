//! Finding `// ssot:allow(..): reason` comments in the raw text (comments are not tokens).
