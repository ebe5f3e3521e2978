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

/// One loaded file: where it lives, its line index, and its text on demand.
///
/// The loader does not keep the texts of analysed files (they are most of the source
/// tree's size, and only a few files are looked at again: those with findings, fixes,
/// suppressions, and fn bodies a rule needs). [`SourceFile::text`] reads the file again
/// the first time it is asked for and checks that it is the text that was analysed
/// (same length and content hash); a file that changed meanwhile gives no text, and
/// [`SourceFile::reload_problem`] says why.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Absolute path on disk.
    pub path: std::path::PathBuf,
    /// Path shown to users and written into reports: relative to the report root
    /// (the directory the user started in), `/`-separated.
    pub rel_path: String,
    pub lines: LineIndex,
    /// Length in bytes of the analysed text.
    pub len: usize,
    /// `facts::cache::content_hash` of the analysed text.
    pub hash: u128,
    /// The original text (BOM and CRLF kept, so spans match the bytes on disk), once
    /// read; empty if it could not be read again.
    text: std::sync::OnceLock<std::sync::Arc<str>>,
    /// Why the text could not be read again, once that was tried and failed.
    reload_problem: std::sync::OnceLock<String>,
}

impl SourceFile {
    /// A file whose text is held in memory for the whole run (the config file, tests,
    /// files built by hand): never read again from disk.
    pub fn new(path: std::path::PathBuf, rel_path: String, text: std::sync::Arc<str>) -> Self {
        let file = SourceFile {
            lines: LineIndex::new(&text),
            len: text.len(),
            hash: crate::facts::cache::content_hash(&text),
            ..SourceFile::on_disk(path, rel_path, LineIndex::default(), 0, 0)
        };
        let _ = file.text.set(text);
        file
    }

    /// A file analysed from `path` whose text (`len` bytes, content hash `hash`) is read
    /// again only when asked for.
    pub fn on_disk(
        path: std::path::PathBuf,
        rel_path: String,
        lines: LineIndex,
        len: usize,
        hash: u128,
    ) -> Self {
        SourceFile {
            path,
            rel_path,
            lines,
            len,
            hash,
            text: std::sync::OnceLock::new(),
            reload_problem: std::sync::OnceLock::new(),
        }
    }

    /// The analysed text, read again from disk (and kept) the first time; empty when the
    /// file can no longer be read or has changed (see [`SourceFile::reload_problem`]).
    pub fn text(&self) -> &str {
        self.text_arc_ref()
    }

    /// [`SourceFile::text`] as a shared string.
    pub fn text_arc(&self) -> std::sync::Arc<str> {
        self.text_arc_ref().clone()
    }

    fn text_arc_ref(&self) -> &std::sync::Arc<str> {
        self.text
            .get_or_init(|| self.read_text().unwrap_or_else(|| std::sync::Arc::from("")))
    }

    /// The analysed text without keeping it: the held copy if there is one, else read
    /// from disk and checked; `None` (and [`SourceFile::reload_problem`] set) when the
    /// file can no longer be read or has changed since it was analysed. For passes that
    /// visit many files once (lazy fn bodies).
    pub fn read_text(&self) -> Option<std::sync::Arc<str>> {
        if let Some(text) = self.text.get() {
            return (text.len() == self.len).then(|| text.clone());
        }
        let why = match std::fs::read(&self.path) {
            Err(e) => format!("cannot read the file again: {e}"),
            Ok(bytes)
                if bytes.len() != self.len
                    || crate::facts::cache::content_hash_bytes(&bytes) != self.hash =>
            {
                "the file changed on disk while it was analysed; its findings may point at \
                 the wrong place and have no snippets: run again"
                    .to_string()
            }
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => return Some(std::sync::Arc::from(text)),
                Err(_) => "the file is no longer valid UTF-8".to_string(),
            },
        };
        let _ = self.reload_problem.set(why);
        None
    }

    /// Is the text in memory (held from the start, or read again and kept)?
    pub fn holds_text(&self) -> bool {
        self.text.get().is_some()
    }

    /// Why the text could not be read again, when that was tried and failed.
    pub fn reload_problem(&self) -> Option<&str> {
        self.reload_problem.get().map(String::as_str)
    }

    /// Line and column of a byte offset. Without the text (the file changed on disk),
    /// columns count bytes.
    pub fn position(&self, offset: u32) -> Position {
        let text = self.text();
        if text.len() == self.len {
            return self.lines.position(text, offset);
        }
        let offset = offset.min(self.len as u32);
        let line0 = self.lines.line_of(offset);
        let column = offset - self.lines.line_start(line0) + 1;
        Position {
            line: line0 as u32 + 1,
            column,
            column_utf16: column,
            offset,
        }
    }
    pub fn snippet(&self, span: Span) -> &str {
        self.text().get(span.range()).unwrap_or("")
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

    #[test]
    fn texts_are_read_again_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lib.rs");
        let text = "static A: u8 = 0;\nstatic É: u8 = 1;\n";
        std::fs::write(&path, text).unwrap();
        let analysed = SourceFile::new(path.clone(), "lib.rs".into(), text.into());
        let on_disk = || {
            SourceFile::on_disk(
                path.clone(),
                "lib.rs".into(),
                analysed.lines.clone(),
                analysed.len,
                analysed.hash,
            )
        };

        let same = on_disk();
        assert!(!same.holds_text());
        assert_eq!(same.read_text().as_deref(), Some(text));
        assert!(!same.holds_text(), "read_text does not keep the text");
        assert_eq!(same.snippet(Span::new(25, 27)), "É");
        assert!(same.holds_text());
        assert_eq!(same.position(28).column, 10);
        assert_eq!(same.reload_problem(), None);

        // Same length, other content: no text, a problem, byte columns.
        std::fs::write(&path, text.replace('A', "B")).unwrap();
        let changed = on_disk();
        assert_eq!(changed.read_text(), None);
        assert_eq!(changed.text(), "");
        assert!(changed
            .reload_problem()
            .unwrap()
            .contains("changed on disk"));
        let p = changed.position(28);
        assert_eq!((p.line, p.column), (2, 11));

        std::fs::remove_file(&path).unwrap();
        let gone = on_disk();
        assert_eq!(gone.text(), "");
        assert!(gone.reload_problem().unwrap().contains("cannot read"));
    }
}
