//! A small lexer over raw Rust text: just enough to tell code from comments, strings and
//! character literals. Used where syn cannot help: comments are not tokens (suppressions),
//! and the nesting guard must look at a file before syn's recursive parser does.
//!
//! It never fails: malformed input (an unterminated string or comment) lexes as a token
//! that runs to the end of the text.

/// What a [`Token`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokKind {
    /// `// ..` including doc comments `///` and `//!` (without the line terminator).
    LineComment,
    /// `/* .. */`, nested.
    BlockComment,
    /// String, byte string, C string, and their raw forms.
    Str,
    /// `'a'`, `b'a'`, `'\n'`.
    Char,
    /// `'a`, `'static`, `'label`.
    Lifetime,
    /// Identifiers and keywords, including raw identifiers `r#type`.
    Ident,
    Number,
    /// An operator or other punctuation, multi-character operators as one token.
    Punct,
    /// `(`, `[` or `{`.
    Open,
    /// `)`, `]` or `}`.
    Close,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: TokKind,
    /// Byte range `[lo, hi)` in the text given to [`Lexer::new`].
    pub lo: usize,
    pub hi: usize,
}

/// Length of the operator at the start of `rest` (not empty): multi-character operators
/// (`<<=`, `::`, `->`, `..=` ..) are one token, the longest that matches.
fn punct_len(rest: &[u8]) -> usize {
    let at = |i: usize| rest.get(i).copied().unwrap_or(0);
    match (at(0), at(1)) {
        (b'<', b'<') | (b'>', b'>') if at(2) == b'=' => 3,
        (b'.', b'.') if matches!(at(2), b'.' | b'=') => 3,
        (b':', b':')
        | (b'-', b'>')
        | (b'=', b'>')
        | (b'=' | b'!' | b'<' | b'>', b'=')
        | (b'&', b'&')
        | (b'|', b'|')
        | (b'.', b'.')
        | (b'<', b'<')
        | (b'>', b'>')
        | (b'+' | b'-' | b'*' | b'/' | b'%' | b'^' | b'&' | b'|', b'=') => 2,
        (c, _) => utf8_width(c),
    }
}

/// Bytes before the first token syn sees: a byte order mark and a shebang line (not an
/// inner attribute `#![..]`). syn strips both before tokenizing, so spans from syn are
/// relative to the text after this prefix.
pub fn prelude_len(text: &str) -> usize {
    const BOM: &str = "\u{feff}";
    let mut start = 0;
    if text.starts_with(BOM) {
        start = BOM.len();
    }
    let rest = &text[start..];
    if rest.starts_with("#!") {
        let after = skip_trivia(rest.as_bytes(), 2);
        if rest.as_bytes().get(after) != Some(&b'[') {
            // Same rule as syn: the shebang runs to the end of its line, newline excluded.
            return start + rest.find('\n').unwrap_or(rest.len());
        }
    }
    start
}

/// Index of the first byte at or after `i` that is neither whitespace nor inside a comment.
fn skip_trivia(b: &[u8], mut i: usize) -> usize {
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if b.get(i) == Some(&b'/') && b.get(i + 1) == Some(&b'/') {
            i = line_end(b, i);
        } else if b.get(i) == Some(&b'/') && b.get(i + 1) == Some(&b'*') {
            i = block_comment_end(b, i);
        } else {
            return i;
        }
    }
}

fn line_end(b: &[u8], i: usize) -> usize {
    b[i.min(b.len())..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| i + p)
}

/// End of a (nested) block comment starting at `i` (which holds `/*`).
fn block_comment_end(b: &[u8], mut i: usize) -> usize {
    let mut depth = 0usize;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
            depth += 1;
            i += 2;
        } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    b.len()
}

/// Iterator over the tokens of a text; whitespace is skipped, comments are tokens.
pub struct Lexer<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Lexer<'a> {
    /// Lex `text` from its first token after the BOM/shebang prelude.
    pub fn new(text: &'a str) -> Lexer<'a> {
        Lexer {
            b: text.as_bytes(),
            pos: prelude_len(text),
        }
    }

    fn is_ident_start(c: u8) -> bool {
        c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
    }
    fn ident_end(&self, i: usize) -> usize {
        let rest = self.b.get(i..).unwrap_or(&[]);
        i + rest
            .iter()
            .position(|&c| !IDENT_CONTINUE[c as usize])
            .unwrap_or(rest.len())
    }

    /// End of a quoted string whose opening quote is at `i`.
    fn string_end(&self, mut i: usize) -> usize {
        i += 1;
        while i < self.b.len() {
            match self.b[i] {
                b'\\' => i += 2,
                b'"' => return i + 1,
                _ => i += 1,
            }
        }
        self.b.len()
    }

    /// If a raw string starts at `i` (at the `r`), its end.
    fn raw_string_end(&self, i: usize) -> Option<usize> {
        let mut j = i + 1;
        let mut hashes = 0;
        while self.b.get(j) == Some(&b'#') {
            hashes += 1;
            j += 1;
        }
        if self.b.get(j) != Some(&b'"') {
            return None;
        }
        j += 1;
        while j < self.b.len() {
            if self.b[j] == b'"'
                && self.b.len() >= j + 1 + hashes
                && self.b[j + 1..j + 1 + hashes].iter().all(|&c| c == b'#')
            {
                return Some(j + 1 + hashes);
            }
            j += 1;
        }
        Some(self.b.len())
    }

    /// A quote at `i`: a char literal or a lifetime/label.
    fn quote(&self, i: usize) -> (TokKind, usize) {
        let b = self.b;
        match b.get(i + 1) {
            Some(b'\\') => {
                // Escaped char literal: find the closing quote on this line.
                let mut j = i + 3;
                while j < b.len() && j < i + 16 {
                    match b[j] {
                        b'\'' => return (TokKind::Char, j + 1),
                        b'\n' => break,
                        _ => j += 1,
                    }
                }
                (TokKind::Punct, i + 1)
            }
            Some(&c) => {
                let width = utf8_width(c);
                if b.get(i + 1 + width) == Some(&b'\'') && c != b'\'' {
                    (TokKind::Char, i + 2 + width)
                } else if Self::is_ident_start(c) {
                    // `'r#ident` raw lifetimes are rare; the plain form covers them well enough.
                    (TokKind::Lifetime, self.ident_end(i + 1))
                } else {
                    (TokKind::Punct, i + 1)
                }
            }
            None => (TokKind::Punct, i + 1),
        }
    }

    fn number_end(&self, start: usize) -> usize {
        let b = self.b;
        let mut i = self.ident_end(start);
        // A fraction: `1.5`, but not `1..2` and not `x.0.foo()` method/field access.
        if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            i = self.ident_end(i + 1);
        }
        // Exponent sign: `1e-5`, `2.5E+3`.
        if matches!(b.get(i), Some(b'+' | b'-'))
            && matches!(b.get(i.wrapping_sub(1)), Some(b'e' | b'E'))
            && !b[start..].starts_with(b"0x")
        {
            i = self.ident_end(i + 1);
        }
        i
    }
}

/// Bytes that continue an identifier (non-ASCII ones too: a lexer this rough treats every
/// multi-byte char as an identifier char).
static IDENT_CONTINUE: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
        c += 1;
    }
    t
};

fn utf8_width(lead: u8) -> usize {
    match lead {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

impl Iterator for Lexer<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        let b = self.b;
        let mut i = self.pos;
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let c = *b.get(i)?;
        let next = b.get(i + 1).copied();
        let (kind, end) = match c {
            b'/' if next == Some(b'/') => (TokKind::LineComment, line_end(b, i)),
            b'/' if next == Some(b'*') => (TokKind::BlockComment, block_comment_end(b, i)),
            b'"' => (TokKind::Str, self.string_end(i)),
            b'\'' => self.quote(i),
            b'(' | b'[' | b'{' => (TokKind::Open, i + 1),
            b')' | b']' | b'}' => (TokKind::Close, i + 1),
            b'0'..=b'9' => (TokKind::Number, self.number_end(i)),
            _ if Self::is_ident_start(c) => {
                // String prefixes: b"", br"", r"", r#"", c"", cr"", b''.
                let word_end = self.ident_end(i);
                let word = &b[i..word_end];
                match (word, b.get(word_end)) {
                    (b"b" | b"c", Some(b'"')) => (TokKind::Str, self.string_end(word_end)),
                    (b"b", Some(b'\'')) => match self.quote(word_end) {
                        (TokKind::Char, e) => (TokKind::Char, e),
                        _ => (TokKind::Ident, word_end),
                    },
                    (b"r" | b"br" | b"cr", Some(b'"' | b'#')) => {
                        match self.raw_string_end(word_end - 1) {
                            Some(e) => (TokKind::Str, e),
                            // `r#ident`: a raw identifier.
                            None if word == b"r" && b.get(word_end) == Some(&b'#') => {
                                (TokKind::Ident, self.ident_end(word_end + 1))
                            }
                            None => (TokKind::Ident, word_end),
                        }
                    }
                    _ => (TokKind::Ident, word_end),
                }
            }
            _ => (TokKind::Punct, (i + punct_len(&b[i..])).min(b.len())),
        };
        let end = end.max(i + 1).min(b.len());
        self.pos = end;
        Some(Token {
            kind,
            lo: i,
            hi: end,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(TokKind, &str)> {
        Lexer::new(text)
            .map(|t| (t.kind, &text[t.lo..t.hi]))
            .collect()
    }

    #[test]
    fn strings_chars_lifetimes_and_comments() {
        use TokKind::*;
        let text = r####"fn f<'a>(x: &'a str) -> char { let s = "a // no \" comment"; 'x' } // yes
/* outer /* inner */ still */ r#"raw "# b'\'' br##"x"## r#type '\u{1F600}' 'é' c"c" 1.5e-3 x.0 1..2"####;
        let toks = kinds(text);
        assert!(toks.contains(&(Lifetime, "'a")));
        assert!(toks.contains(&(Str, r#""a // no \" comment""#)));
        assert!(toks.contains(&(Char, "'x'")));
        assert!(toks.contains(&(LineComment, "// yes")));
        assert!(toks.contains(&(BlockComment, "/* outer /* inner */ still */")));
        assert!(toks.contains(&(Str, r##"r#"raw "#"##)));
        assert!(toks.contains(&(Char, r"b'\''")));
        assert!(toks.contains(&(Str, r###"br##"x"##"###)));
        assert!(toks.contains(&(Ident, "r#type")));
        assert!(toks.contains(&(Char, r"'\u{1F600}'")));
        assert!(toks.contains(&(Char, "'é'")));
        assert!(toks.contains(&(Str, r#"c"c""#)));
        assert!(toks.contains(&(Number, "1.5e-3")));
        assert!(toks.contains(&(Number, "0")));
        assert!(toks.contains(&(Punct, "..")));
        assert!(toks.contains(&(Punct, "->")));
    }

    #[test]
    fn operators_are_single_tokens_longest_first() {
        const OPERATORS: &[&str] = &[
            "<<=", ">>=", "...", "..=", "::", "->", "=>", "==", "!=", "<=", ">=", "&&", "||", "..",
            "<<", ">>", "+=", "-=", "*=", "/=", "%=", "^=", "&=", "|=",
        ];
        for op in OPERATORS {
            assert_eq!(
                kinds(&format!("{op} x")),
                [(TokKind::Punct, *op), (TokKind::Ident, "x")]
            );
        }
        let toks: Vec<&str> = kinds("a<<=b>>c..=d...e..f::<g>=h!i==j-k")
            .iter()
            .map(|t| t.1)
            .collect();
        assert_eq!(
            toks,
            [
                "a", "<<=", "b", ">>", "c", "..=", "d", "...", "e", "..", "f", "::", "<", "g",
                ">=", "h", "!", "i", "==", "j", "-", "k"
            ]
        );
    }

    #[test]
    fn unterminated_input_never_panics() {
        for text in [
            "\"abc", "/* abc", "r#\"abc", "'", "b'", "'\\", "r#", "br", "é", "1e", "0x1e+",
        ] {
            let n = Lexer::new(text).count();
            assert!(n >= 1, "{text}");
        }
    }

    #[test]
    fn prelude_skips_bom_and_shebang_but_not_inner_attributes() {
        assert_eq!(prelude_len("\u{feff}fn x() {}"), 3);
        assert_eq!(prelude_len("#!/usr/bin/env run\nfn x() {}"), 18);
        assert_eq!(prelude_len("#![allow(x)]\nfn x() {}"), 0);
        assert_eq!(prelude_len("#! // c\n [allow(x)]"), 0);
        assert_eq!(prelude_len("\u{feff}#!shebang"), 12);
    }
}
