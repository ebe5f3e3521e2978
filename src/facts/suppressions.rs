//! Finding `// ssot:allow(..): reason` comments in the raw text (comments are not tokens).
//!
//! Only a line comment whose text *starts* with the directive counts (after `//`, `///` or
//! `//!` and blanks), so prose that mentions `ssot:allow(..)` and strings that contain it
//! are never suppressions.

use super::lex::{Lexer, TokKind, Token};
use super::Suppression;
use crate::source::Span;

const MARKER: &str = "ssot:allow";

/// All suppression comments of a file.
pub fn scan(text: &str) -> Vec<Suppression> {
    let mut scanner = Scanner::new(text);
    if scanner.enabled() {
        for tok in Lexer::new(text) {
            scanner.token(tok);
        }
    }
    scanner.finish()
}

/// Collects suppressions from the tokens of one lexer pass (shared with the nesting
/// guard, so a file is lexed once).
pub(crate) struct Scanner<'a> {
    text: &'a str,
    /// Files without the marker anywhere skip all the work.
    enabled: bool,
    /// End of the last code token (not a comment).
    last_code_end: Option<usize>,
    /// Line counting is incremental: `line` is the 0-based line of byte `line_pos`.
    line: u32,
    line_pos: usize,
    found: Vec<Suppression>,
}

impl<'a> Scanner<'a> {
    pub(crate) fn new(text: &'a str) -> Scanner<'a> {
        Scanner {
            text,
            enabled: text.contains(MARKER),
            last_code_end: None,
            line: 0,
            line_pos: 0,
            found: Vec::new(),
        }
    }

    pub(crate) fn enabled(&self) -> bool {
        self.enabled
    }

    pub(crate) fn token(&mut self, tok: Token) {
        if !self.enabled {
            return;
        }
        match tok.kind {
            TokKind::LineComment => self.comment(tok),
            TokKind::BlockComment => {}
            _ => self.last_code_end = Some(tok.hi),
        }
    }

    pub(crate) fn finish(self) -> Vec<Suppression> {
        self.found
    }

    fn comment(&mut self, tok: Token) {
        let Some(raw) = self.text.get(tok.lo..tok.hi) else {
            return;
        };
        let raw = raw.trim_end_matches('\r');
        let body = raw.get(2..).unwrap_or("");
        let body = body
            .strip_prefix('!')
            .or_else(|| body.strip_prefix('/'))
            .unwrap_or(body);
        let Some(directive) = parse_directive(body.trim_start_matches([' ', '\t'])) else {
            return;
        };
        let between = self
            .last_code_end
            .and_then(|end| self.text.get(end..tok.lo));
        let trailing = between.is_some_and(|b| !b.contains('\n'));
        let line = self.line_of(tok.lo);
        self.found.push(Suppression {
            rules: directive.rules,
            reason: directive.reason,
            file_level: directive.file_level,
            span: Span::new(tok.lo, tok.lo + raw.len()),
            line,
            trailing,
        });
    }

    fn line_of(&mut self, offset: usize) -> u32 {
        if let Some(chunk) = self.text.as_bytes().get(self.line_pos..offset) {
            self.line += chunk.iter().filter(|&&b| b == b'\n').count() as u32;
            self.line_pos = offset;
        }
        self.line
    }
}

struct Directive {
    rules: Vec<String>,
    reason: Option<String>,
    file_level: bool,
}

/// `ssot:allow(a, b): reason` / `ssot:allow-file(a): reason` at the start of `body`.
fn parse_directive(body: &str) -> Option<Directive> {
    let rest = body.strip_prefix(MARKER)?;
    let (rest, file_level) = match rest.strip_prefix("-file(") {
        Some(r) => (r, true),
        None => (rest.strip_prefix('(')?, false),
    };
    let close = rest.find(')')?;
    let rules = rest[..close]
        .split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(String::from)
        .collect();
    let reason = rest[close + 1..]
        .trim_start()
        .strip_prefix(':')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(String::from);
    Some(Directive {
        rules,
        reason,
        file_level,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_with_and_without_reasons() {
        let text = "\
//! ssot:allow-file(global-registry): plugin table is filled once at start-up
use x;
// ssot:allow(singleton-manager, ssot::global-registry): legacy, removed in phase 3
static A: u8 = 1; // ssot:allow(singleton-manager)
///   ssot:allow(direct-construction):   
fn f() {}
// ssot:allow(x) no colon means no reason
";
        let s = scan(text);
        assert_eq!(s.len(), 5);
        assert!(s[0].file_level);
        assert_eq!(s[0].rules, ["global-registry"]);
        assert_eq!(
            s[0].reason.as_deref(),
            Some("plugin table is filled once at start-up")
        );
        assert_eq!(s[0].line, 0);
        assert!(!s[0].trailing);

        assert_eq!(s[1].rules, ["singleton-manager", "ssot::global-registry"]);
        assert_eq!(s[1].line, 2);
        assert!(!s[1].file_level);
        assert!(!s[1].trailing);
        assert!(s[1].reason.is_some());

        assert_eq!(s[2].line, 3);
        assert!(s[2].trailing);
        assert_eq!(s[2].reason, None);
        assert_eq!(&text[s[2].span.range()], "// ssot:allow(singleton-manager)");

        assert_eq!(s[3].reason, None, "a blank reason is no reason");
        assert_eq!(s[3].line, 4);
        assert_eq!(s[4].reason, None);
    }

    #[test]
    fn prose_strings_and_block_comments_do_not_count() {
        let text = r#"
// Use ssot:allow(rule): reason to silence a finding.
/* ssot:allow(singleton-manager): in a block comment */
const DOC: &str = "// ssot:allow(singleton-manager): in a string";
const RAW: &str = r"
// ssot:allow(singleton-manager): in a raw string
";
//// ssot:allow(x): four slashes is an ordinary comment that starts with a slash
// ssot:allow
// ssot:allow(unclosed: x
"#;
        assert!(scan(text).is_empty());
    }

    #[test]
    fn crlf_lines_and_trailing_after_multiline_string() {
        let text =
            "fn a() {}\r\n// ssot:allow(a): r\r\nlet s = \"x\r\ny\"; // ssot:allow(b): r\r\n";
        let s = scan(text);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].line, 1);
        assert_eq!(s[0].reason.as_deref(), Some("r"));
        assert_eq!(&text[s[0].span.range()], "// ssot:allow(a): r");
        assert_eq!(s[1].line, 3);
        assert!(s[1].trailing);
    }
}
