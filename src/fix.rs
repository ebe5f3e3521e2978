//! `--fix` and `--diff`: the machine-applicable fixes that findings carry, gathered into one
//! set of non-overlapping edits per file ([`plan`]), shown as a unified diff
//! ([`FileChange::unified_diff`]) or written back ([`write`]).
//!
//! Safety rules for writing: only files whose real path (symlinks resolved) lies inside one of
//! the workspace roots are written; a file that changed on disk since it was analysed is left
//! alone (the edits' spans point into the analysed text); every file is replaced atomically
//! (temporary file in the same directory, then rename), so an interrupted run never leaves a
//! half-written source file.

use crate::finding::{Edit, Finding};
use crate::index::Index;
use crate::source::{FileId, Span};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

/// Lines of unchanged context around each change in a diff (the `diff -u` default).
const CONTEXT: usize = 3;

/// A fix that was taken or left out, for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixNote {
    pub rule: &'static str,
    /// `path:line:col` of the finding.
    pub location: String,
    pub description: String,
    /// Why the fix was left out (`None` for a fix that was taken).
    pub reason: Option<String>,
    /// Index of the finding in the slice given to [`plan`].
    pub finding: usize,
}

/// Every file the taken fixes change, and what was taken and left out.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Sorted by report path.
    pub files: Vec<FileChange>,
    pub applied: Vec<FixNote>,
    pub skipped: Vec<FixNote>,
}

/// The edits for one file, non-overlapping and in text order.
#[derive(Debug, Clone)]
pub struct FileChange {
    /// Path as analysed (absolute).
    pub path: PathBuf,
    /// Path shown to the user, relative to the report root.
    pub rel_path: String,
    /// The analysed text, which the edits' spans point into.
    pub original: Arc<str>,
    edits: Vec<(Span, String)>,
}

/// Gather the fixes of `findings` (in order) into per-file changes. A fix is all or nothing:
/// when one of its edits overlaps an edit already taken, or points outside its file's
/// text, the whole fix is left out and the reason recorded. A fix identical to one already
/// taken (two findings proposing the same change) counts as applied.
pub fn plan(index: &Index, findings: &[&Finding]) -> Plan {
    let mut taken: Taken = BTreeMap::new();
    let mut plan = Plan::default();
    for (n, finding) in findings.iter().enumerate() {
        let Some(fix) = &finding.fix else { continue };
        let note = |reason: Option<String>| FixNote {
            rule: finding.rule,
            location: location(index, finding),
            description: fix.description.clone(),
            reason,
            finding: n,
        };
        match check_fix(index, &fix.edits, &taken) {
            Err(reason) => plan.skipped.push(note(Some(reason))),
            Ok(Check::Duplicate) => plan.applied.push(note(None)),
            Ok(Check::Clash(other)) => {
                let other = plan
                    .applied
                    .iter()
                    .find(|a| a.finding == other)
                    .map_or_else(String::new, |a| {
                        format!(" (ssot::{} at {})", a.rule, a.location)
                    });
                plan.skipped.push(note(Some(format!(
                    "it overlaps a fix already taken{other}; run again after this one"
                ))));
            }
            Ok(Check::Fits) => {
                for edit in &fix.edits {
                    let source = &index.file(edit.file).source;
                    let (_, edits) = taken
                        .entry(source.path.clone())
                        .or_insert_with(|| (edit.file, Vec::new()));
                    // An edit another fix already makes is made once.
                    if !edits
                        .iter()
                        .any(|(span, text, _)| *span == edit.span && *text == edit.replacement)
                    {
                        edits.push((edit.span, edit.replacement.clone(), n));
                    }
                }
                plan.applied.push(note(None));
            }
        }
    }
    plan.files = taken
        .into_iter()
        .map(|(path, (file, mut edits))| {
            // Stable: insertions at one point keep the order their fixes were taken in, and
            // an insertion sorts before a replacement that starts where it is.
            edits.sort_by_key(|(span, _, _)| (span.lo, span.hi));
            let source = &index.file(file).source;
            FileChange {
                path,
                rel_path: source.rel_path.clone(),
                original: source.text_arc(),
                edits: edits
                    .into_iter()
                    .map(|(span, text, _)| (span, text))
                    .collect(),
            }
        })
        .collect();
    plan.files.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
    plan
}

/// The edits taken so far, per file on disk: the file they were planned against, and each
/// edit with the index of the finding whose fix it belongs to (to name it when a later fix
/// collides). Keyed by path, not `FileId`: a file compiled into two crates is one file.
type Taken = BTreeMap<PathBuf, (FileId, Vec<(Span, String, usize)>)>;

enum Check {
    Fits,
    /// Every edit is already taken, exactly.
    Duplicate,
    /// Overlaps an edit of the finding with this index.
    Clash(usize),
}

fn check_fix(index: &Index, edits: &[Edit], taken: &Taken) -> Result<Check, String> {
    if edits.is_empty() {
        return Err("the fix has no edits".into());
    }
    let mut duplicate = true;
    for (i, edit) in edits.iter().enumerate() {
        let Some(file) = index.files.get(edit.file.0 as usize) else {
            return Err("the fix names a file that was not analysed".into());
        };
        if edit.span.lo > edit.span.hi || file.source.text().get(edit.span.range()).is_none() {
            return Err(format!(
                "the fix points outside the text of `{}`",
                file.source.rel_path
            ));
        }
        let same_file = |other: &Edit| {
            index
                .files
                .get(other.file.0 as usize)
                .map(|f| &f.source.path)
                == Some(&file.source.path)
        };
        if edits[..i]
            .iter()
            .any(|other| same_file(other) && overlaps(other.span, edit.span))
        {
            return Err("the fix's own edits overlap".into());
        }
        let taken_here = taken
            .get(&file.source.path)
            .map_or(&[][..], |(_, edits)| edits.as_slice());
        if !taken_here
            .iter()
            .any(|(span, text, _)| *span == edit.span && *text == edit.replacement)
        {
            duplicate = false;
            if let Some((_, _, owner)) = taken_here
                .iter()
                .find(|(span, _, _)| overlaps(*span, edit.span))
            {
                return Ok(Check::Clash(*owner));
            }
        }
    }
    Ok(if duplicate {
        Check::Duplicate
    } else {
        Check::Fits
    })
}

/// Half-open ranges overlap. Two insertions at one point do not (both are made, in order),
/// nor does an insertion at either end of a replacement.
fn overlaps(a: Span, b: Span) -> bool {
    a.lo < b.hi && b.lo < a.hi
}

fn location(index: &Index, finding: &Finding) -> String {
    match index.files.get(finding.file.0 as usize) {
        Some(f) => {
            let p = f.source.position(finding.span.lo);
            format!("{}:{}:{}", f.source.rel_path, p.line, p.column)
        }
        None => "<unknown file>".into(),
    }
}

impl FileChange {
    /// The file's text with every edit made.
    pub fn new_text(&self) -> String {
        apply_edits(&self.original, 0, self.original.len(), &self.edits)
    }

    /// A unified diff (`--- a/path`, `+++ b/path`, hunks with three lines of context) that
    /// `git apply` or `patch -p1` applies from the report root.
    pub fn unified_diff(&self) -> String {
        unified_diff(&self.rel_path, &self.original, &self.edits)
    }
}

/// `text[lo..hi]` with the edits inside that range made (edits sorted, non-overlapping).
fn apply_edits(text: &str, lo: usize, hi: usize, edits: &[(Span, String)]) -> String {
    let mut out = String::with_capacity(hi - lo);
    let mut at = lo;
    for (span, replacement) in edits {
        let range = span.range();
        out.push_str(text.get(at..range.start).unwrap_or_default());
        out.push_str(replacement);
        at = range.end;
    }
    out.push_str(text.get(at..hi).unwrap_or_default());
    out
}

/// A run of whole lines of the old text that edits change, and what replaces them.
struct Block {
    /// 0-based first line.
    line: usize,
    lo: usize,
    hi: usize,
    new_text: String,
}

fn unified_diff(rel_path: &str, text: &str, edits: &[(Span, String)]) -> String {
    let blocks = blocks(text, edits);
    if blocks.is_empty() {
        return String::new();
    }
    let old_lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut out = format!("--- a/{rel_path}\n+++ b/{rel_path}\n");
    // How many lines earlier hunks added (negative: removed), for the new side's numbers.
    let mut delta: isize = 0;
    let mut rest = &blocks[..];
    while let Some(first) = rest.first() {
        // A hunk takes blocks while the gap between them is small enough for shared context.
        let mut end = 1;
        while let Some(next) = rest.get(end) {
            let prev = &rest[end - 1];
            let prev_end = prev.line + count_lines(&text[prev.lo..prev.hi]);
            if next.line.saturating_sub(prev_end) > 2 * CONTEXT {
                break;
            }
            end += 1;
        }
        let (hunk, tail) = rest.split_at(end);
        rest = tail;

        let start = first.line.saturating_sub(CONTEXT);
        let mut body = String::new();
        let (mut old_count, mut new_count) = (0usize, 0usize);
        let mut line = start;
        for block in hunk {
            for l in old_lines.get(line..block.line).unwrap_or_default() {
                push_line(&mut body, ' ', l);
            }
            let context = block.line.saturating_sub(line);
            old_count += context;
            new_count += context;
            let removed = text[block.lo..block.hi].split_inclusive('\n');
            let added = block.new_text.split_inclusive('\n');
            let mut n_removed = 0;
            for l in removed {
                push_line(&mut body, '-', l);
                n_removed += 1;
            }
            for l in added {
                push_line(&mut body, '+', l);
                new_count += 1;
            }
            old_count += n_removed;
            line = block.line + n_removed;
        }
        let context_end = (line + CONTEXT).min(old_lines.len());
        for l in old_lines.get(line..context_end).unwrap_or_default() {
            push_line(&mut body, ' ', l);
        }
        old_count += context_end.saturating_sub(line);
        new_count += context_end.saturating_sub(line);

        // A side with no lines names the line before the hunk (`-0,0` at the top).
        let old_start = if old_count == 0 { start } else { start + 1 };
        let new_first = (start as isize + delta).max(0) as usize;
        let new_start = if new_count == 0 {
            new_first
        } else {
            new_first + 1
        };
        let _ = writeln!(
            out,
            "@@ -{old_start},{old_count} +{new_start},{new_count} @@"
        );
        out.push_str(&body);
        delta += new_count as isize - old_count as isize;
    }
    out
}

/// The changed line runs, in order; edits on one line share a block.
fn blocks(text: &str, edits: &[(Span, String)]) -> Vec<Block> {
    // (first byte, end byte, edits) of each run of lines.
    let mut runs: Vec<(usize, usize, std::ops::Range<usize>)> = Vec::new();
    for (i, (span, _)) in edits.iter().enumerate() {
        let (lo, hi) = (span.lo as usize, span.hi as usize);
        let run_lo = text[..lo].rfind('\n').map_or(0, |n| n + 1);
        // The end of the line holding the last byte the edit touches (for an insertion, the
        // line it is inserted into).
        let last = if hi > lo { hi - 1 } else { lo };
        let run_hi = text
            .get(last..)
            .and_then(|t| t.find('\n'))
            .map_or(text.len(), |n| last + n + 1);
        match runs.last_mut() {
            Some((cur_lo, cur_hi, cur_edits)) if run_lo < *cur_hi || run_lo == *cur_lo => {
                *cur_hi = (*cur_hi).max(run_hi);
                cur_edits.end = i + 1;
            }
            _ => runs.push((run_lo, run_hi, i..i + 1)),
        }
    }
    runs.into_iter()
        .map(|(lo, hi, run_edits)| Block {
            line: text[..lo].bytes().filter(|&b| b == b'\n').count(),
            lo,
            hi,
            new_text: apply_edits(text, lo, hi, &edits[run_edits]),
        })
        .collect()
}

fn count_lines(text: &str) -> usize {
    text.split_inclusive('\n').count()
}

fn push_line(out: &mut String, prefix: char, line: &str) {
    out.push(prefix);
    out.push_str(line);
    if !line.ends_with('\n') {
        out.push_str("\n\\ No newline at end of file\n");
    }
}

/// What happened to one file in [`write`].
#[derive(Debug)]
pub enum Written {
    Ok,
    /// Not written, for the reason given; nothing on disk changed.
    Refused(String),
    /// Writing failed; the file is as it was (the write is atomic).
    Failed(std::io::Error),
}

/// Check every change against the disk before writing any: the file's real path must lie
/// inside one of `workspace_roots` and its bytes must still be the analysed text. Returns
/// the reason for each file that must not be written, by index into `plan.files`.
pub fn refusals(plan: &Plan, workspace_roots: &[PathBuf]) -> Vec<(usize, String)> {
    let roots: Vec<PathBuf> = workspace_roots
        .iter()
        .filter_map(|r| r.canonicalize().ok())
        .collect();
    plan.files
        .iter()
        .enumerate()
        .filter_map(|(i, change)| refusal(change, &roots).map(|reason| (i, reason)))
        .collect()
}

fn refusal(change: &FileChange, roots: &[PathBuf]) -> Option<String> {
    let real = match change.path.canonicalize() {
        Ok(real) => real,
        Err(e) => return Some(format!("cannot resolve its path: {e}")),
    };
    if !roots.iter().any(|root| real.starts_with(root)) {
        return Some(format!(
            "it resolves to `{}`, outside the workspace; cargo-ssot only writes inside it",
            real.display()
        ));
    }
    match std::fs::read(&real) {
        Ok(bytes) if bytes == change.original.as_bytes() => None,
        Ok(_) => Some("it changed on disk since it was analysed; run again".into()),
        Err(e) => Some(format!("cannot read it: {e}")),
    }
}

/// Write every change in `plan` (check [`refusals`] first and plan again without the
/// refused files' fixes). Each file is resolved to its real path (a symlink inside the
/// workspace stays a symlink; its target is replaced) and replaced atomically, keeping its
/// permissions.
pub fn write(plan: &Plan, workspace_roots: &[PathBuf]) -> Vec<Written> {
    let roots: Vec<PathBuf> = workspace_roots
        .iter()
        .filter_map(|r| r.canonicalize().ok())
        .collect();
    plan.files
        .iter()
        .map(|change| {
            // Checked again right before writing: the window between check and write
            // should be as small as it can be.
            if let Some(reason) = refusal(change, &roots) {
                return Written::Refused(reason);
            }
            let result = change.path.canonicalize().and_then(|real| {
                let permissions = std::fs::metadata(&real)?.permissions();
                crate::filter::baseline::write_atomic(&real, change.new_text().as_bytes(), |tmp| {
                    std::fs::set_permissions(tmp, permissions)
                })
            });
            match result {
                Ok(()) => Written::Ok,
                Err(e) => Written::Failed(e),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(text: &str, edits: &[(usize, usize, &str)]) -> FileChange {
        FileChange {
            path: PathBuf::from("/x/src/a.rs"),
            rel_path: "src/a.rs".into(),
            original: text.into(),
            edits: edits
                .iter()
                .map(|&(lo, hi, r)| (Span::new(lo, hi), r.to_string()))
                .collect(),
        }
    }

    fn at(text: &str, needle: &str) -> (usize, usize) {
        let lo = text.find(needle).expect("needle");
        (lo, lo + needle.len())
    }

    #[test]
    fn one_line_replacement_has_three_lines_of_context() {
        let text = "1\n2\n3\n4\nuse a::B;\n6\n7\n8\n9\n";
        let (lo, hi) = at(text, "a::B");
        let c = change(text, &[(lo, hi, "c::B")]);
        assert_eq!(c.new_text(), text.replace("a::B", "c::B"));
        assert_eq!(
            c.unified_diff(),
            "--- a/src/a.rs\n+++ b/src/a.rs\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-use a::B;\n+use c::B;\n 6\n 7\n 8\n"
        );
    }

    #[test]
    fn insertion_of_a_line_and_edit_on_the_same_line_share_a_block() {
        let text = "use a::{b::C, d::E};\nfn f() {}\n";
        let (lo, hi) = at(text, "b::C, ");
        let c = change(text, &[(0, 0, "use x::C;\n"), (lo, hi, "")]);
        assert_eq!(c.new_text(), "use x::C;\nuse a::{d::E};\nfn f() {}\n");
        assert_eq!(
            c.unified_diff(),
            "--- a/src/a.rs\n+++ b/src/a.rs\n@@ -1,2 +1,3 @@\n-use a::{b::C, d::E};\n+use x::C;\n+use a::{d::E};\n fn f() {}\n"
        );
    }

    #[test]
    fn distant_changes_make_separate_hunks_with_shifted_new_numbers() {
        let lines: Vec<String> = (1..=20).map(|n| format!("l{n}")).collect();
        let text = lines.join("\n") + "\n";
        let (lo1, hi1) = at(&text, "l2\n");
        let (lo2, hi2) = at(&text, "l18");
        // l2 is deleted; l18 gets a line added after it.
        let c = change(&text, &[(lo1, hi1, ""), (lo2, hi2, "l18\nnew")]);
        let diff = c.unified_diff();
        assert!(
            diff.contains("@@ -1,5 +1,4 @@\n l1\n-l2\n l3\n l4\n l5\n"),
            "{diff}"
        );
        assert!(
            diff.contains("@@ -15,6 +14,7 @@\n l15\n l16\n l17\n-l18\n+l18\n+new\n l19\n l20\n"),
            "{diff}"
        );
    }

    #[test]
    fn missing_final_newline_is_marked() {
        let text = "a\nb";
        let c = change(text, &[(2, 3, "c")]);
        assert_eq!(
            c.unified_diff(),
            "--- a/src/a.rs\n+++ b/src/a.rs\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"
        );
    }

    #[test]
    fn insertion_at_the_end_and_into_an_empty_file() {
        let c = change("a\n", &[(2, 2, "b\n")]);
        assert_eq!(
            c.unified_diff(),
            "--- a/src/a.rs\n+++ b/src/a.rs\n@@ -1,1 +1,2 @@\n a\n+b\n"
        );
        let c = change("", &[(0, 0, "b\n")]);
        assert_eq!(
            c.unified_diff(),
            "--- a/src/a.rs\n+++ b/src/a.rs\n@@ -0,0 +1,1 @@\n+b\n"
        );
    }

    #[test]
    fn crlf_lines_keep_their_carriage_returns() {
        let text = "use a::B;\r\nfn f() {}\r\n";
        let (lo, hi) = at(text, "a::B");
        let c = change(text, &[(lo, hi, "c::B")]);
        assert_eq!(
            c.unified_diff(),
            "--- a/src/a.rs\n+++ b/src/a.rs\n@@ -1,2 +1,2 @@\n-use a::B;\r\n+use c::B;\r\n fn f() {}\r\n"
        );
    }

    fn index_with(text: &str) -> Index {
        use crate::facts::FileFacts;
        use crate::index::{CrateId, FileRole, IndexedFile, ModuleId};
        use crate::source::SourceFile;
        Index {
            root: PathBuf::from("/ws"),
            files: vec![IndexedFile {
                source: SourceFile::new("/ws/src/lib.rs".into(), "src/lib.rs".into(), text.into()),
                facts: FileFacts::default(),
                role: FileRole::Module {
                    krate: CrateId(0),
                    module: ModuleId(0),
                },
                in_test: false,
            }],
            ..Index::default()
        }
    }

    fn fixing(edits: &[(usize, usize, &str)]) -> Finding {
        use crate::finding::{Fix, Level};
        use crate::source::FileId;
        let edits = edits
            .iter()
            .map(|&(lo, hi, r)| Edit {
                file: FileId(0),
                span: Span::new(lo, hi),
                replacement: r.into(),
            })
            .collect();
        Finding::new(
            "non-canonical-import",
            Level::Error,
            FileId(0),
            Span::new(0, 1),
            "m",
        )
        .fix(Fix {
            description: "d".into(),
            edits,
        })
    }

    #[test]
    fn overlapping_fixes_keep_the_first_and_say_why_the_others_were_left_out() {
        let index = index_with("use a::B;\nuse c::D;\n");
        let first = fixing(&[(4, 8, "x::B")]);
        let overlapping = fixing(&[(7, 8, "Q"), (14, 18, "y::D")]);
        let same_again = fixing(&[(4, 8, "x::B")]);
        let outside = fixing(&[(40, 41, "")]);
        let plan = plan(&index, &[&first, &overlapping, &same_again, &outside]);
        let applied: Vec<usize> = plan.applied.iter().map(|n| n.finding).collect();
        assert_eq!(applied, [0, 2], "the same change twice is one change");
        assert_eq!(plan.skipped.len(), 2);
        let reason = plan.skipped[0].reason.as_deref().unwrap_or_default();
        assert!(
            reason.contains(
                "overlaps a fix already taken (ssot::non-canonical-import at src/lib.rs:1:1)"
            ),
            "{reason}"
        );
        assert!(plan.skipped[1]
            .reason
            .as_deref()
            .unwrap_or_default()
            .contains("outside the text"));
        assert_eq!(plan.files.len(), 1);
        assert_eq!(
            plan.files[0].new_text(),
            "use x::B;\nuse c::D;\n",
            "a fix is all or nothing"
        );
    }

    #[test]
    fn an_edit_shared_by_two_fixes_is_made_once() {
        let index = index_with("use a::B;\nuse c::D;\n");
        let first = fixing(&[(4, 8, "x::B")]);
        let second = fixing(&[(4, 8, "x::B"), (14, 18, "y::D")]);
        let plan = plan(&index, &[&first, &second]);
        assert_eq!(plan.applied.len(), 2, "{:?}", plan.skipped);
        assert_eq!(plan.files[0].new_text(), "use x::B;\nuse y::D;\n");
    }

    #[test]
    fn insertions_at_one_point_are_all_made_in_order() {
        let text = "use a::{b::C, d::E};\n";
        let index = index_with(text);
        let c = fixing(&[(0, 0, "use x::C;\n"), (8, 14, "")]);
        let e = fixing(&[(0, 0, "use y::E;\n"), (14, 18, "")]);
        let plan = plan(&index, &[&c, &e]);
        assert!(plan.skipped.is_empty(), "{:?}", plan.skipped);
        assert_eq!(
            plan.files[0].new_text(),
            "use x::C;\nuse y::E;\nuse a::{};\n"
        );
    }

    #[test]
    fn overlap_is_half_open() {
        let s = |lo, hi| Span::new(lo, hi);
        assert!(overlaps(s(0, 5), s(4, 6)));
        assert!(!overlaps(s(0, 5), s(5, 6)));
        assert!(!overlaps(s(3, 3), s(3, 3)), "two insertions at one point");
        assert!(!overlaps(s(3, 3), s(3, 6)), "insertion at the start");
        assert!(overlaps(s(4, 4), s(3, 6)), "insertion inside");
    }
}
