//! Source text and positions. Every span in cargo-ssot is a byte range into the file's
//! original text (BOM included); lines and columns are derived here and nowhere else.

use serde::{Deserialize, Serialize};

/// A byte range `[lo, hi)` into one file's original text.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
pub struct Span {
    pub lo: u32,
    pub hi: u32,
}

impl Span {
    pub fn new(lo: usize, hi: usize) -> Span {
        Span {
            lo: lo as u32,
            hi: hi.max(lo) as u32,
        }
    }
    pub fn join(self, other: Span) -> Span {
        Span {
            lo: self.lo.min(other.lo),
            hi: self.hi.max(other.hi),
        }
    }
    pub fn len(self) -> usize {
        (self.hi - self.lo) as usize
    }
    pub fn is_empty(self) -> bool {
        self.hi == self.lo
    }
    pub fn range(self) -> std::ops::Range<usize> {
        self.lo as usize..self.hi as usize
    }
}

/// A resolved position: 1-based line, 1-based column counted in Unicode scalar values
/// (what rustc and rust-analyzer call a column), and in UTF-16 code units (what SARIF
/// consumers such as VS Code expect when `columnKind` is `utf16CodeUnits`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Position {
    pub line: u32,
    pub column: u32,
    pub column_utf16: u32,
    pub offset: u32,
}

/// Byte offsets of line starts; `\n` ends a line (so CRLF files keep `\r` as the last
/// character of the line, which is never inside a span we report).
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    line_starts: Vec<u32>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![0u32];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(i as u32 + 1);
            }
        }
        LineIndex { line_starts }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 0-based line number containing `offset`.
    pub fn line_of(&self, offset: u32) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    pub fn line_start(&self, line0: usize) -> u32 {
        self.line_starts.get(line0).copied().unwrap_or(0)
    }

    /// The text of 0-based line `line0` without its line terminator.
    pub fn line_text<'t>(&self, text: &'t str, line0: usize) -> &'t str {
        let start = self.line_start(line0) as usize;
        let end = self
            .line_starts
            .get(line0 + 1)
            .map(|&e| e as usize)
            .unwrap_or(text.len());
        let s = text.get(start..end).unwrap_or("");
        s.trim_end_matches('\n').trim_end_matches('\r')
    }

    /// Position of a byte offset; offsets inside a multi-byte character snap to its start.
    pub fn position(&self, text: &str, offset: u32) -> Position {
        let offset = (offset as usize).min(text.len());
        let mut offset_snapped = offset;
        while offset_snapped > 0 && !text.is_char_boundary(offset_snapped) {
            offset_snapped -= 1;
        }
        let line0 = self.line_of(offset_snapped as u32);
        let mut start = self.line_start(line0) as usize;
        // A byte-order mark is not a character of the line: editors and rustc start column 1
        // after it (byte offsets still count it, since they index the bytes on disk).
        if start == 0 && text.starts_with('\u{feff}') && offset_snapped >= 3 {
            start = 3;
        }
        let before = &text[start..offset_snapped];
        Position {
            line: line0 as u32 + 1,
            column: before.chars().count() as u32 + 1,
            column_utf16: before.encode_utf16().count() as u32 + 1,
            offset: offset_snapped as u32,
        }
    }
}

/// Identifies a file in the analysed set (index into `Index::files`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FileId(pub u32);

/// One loaded file: its text and where it lives.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Absolute path on disk.
    pub path: std::path::PathBuf,
    /// Path shown to users and written into reports: relative to the report root
    /// (the directory the user started in), `/`-separated.
    pub rel_path: String,
    /// Original text (BOM and CRLF kept, so spans match the bytes on disk).
    pub text: std::sync::Arc<str>,
    pub lines: LineIndex,
}

impl SourceFile {
    pub fn new(path: std::path::PathBuf, rel_path: String, text: std::sync::Arc<str>) -> Self {
        let lines = LineIndex::new(&text);
        SourceFile {
            path,
            rel_path,
            text,
            lines,
        }
    }
    pub fn position(&self, offset: u32) -> Position {
        self.lines.position(&self.text, offset)
    }
    pub fn snippet(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_chars_and_utf16() {
        let text = "fn main() {}\n\tlet é = \"😀\"; x\r\nend";
        let idx = LineIndex::new(text);
        let x = text.find(" x").unwrap() as u32 + 1;
        let p = idx.position(text, x);
        assert_eq!(p.line, 2);
        // tab, "let é = ", quote, emoji, quote, "; " -> 1+8+1+1+1+2 = 14 chars before x
        assert_eq!(p.column, 15);
        assert_eq!(p.column_utf16, 16);
        assert_eq!(idx.line_text(text, 1), "\tlet é = \"😀\"; x");
        let e = text.find("end").unwrap() as u32;
        assert_eq!(idx.position(text, e).line, 3);
        assert_eq!(idx.position(text, e).column, 1);
    }

    #[test]
    fn bom_is_not_a_column() {
        let text = "\u{feff}static X: u8 = 0;\n";
        let idx = LineIndex::new(text);
        let x = text.find('X').unwrap() as u32;
        let p = idx.position(text, x);
        assert_eq!((p.line, p.column, p.column_utf16, p.offset), (1, 8, 8, 10));
        assert_eq!(idx.position(text, 3).column, 1);
    }
}
