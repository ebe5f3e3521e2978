//! Machine-applicable rewrites of one `use` leaf to another path (used by
//! `non-canonical-import`). Pure text work on the file's original text and the leaf's spans.
//!
//! - A leaf that is the whole tree (`use a::b::C as D;`) is rewritten in place.
//! - A leaf inside a group (`use a::{b::C as D, e::F};`) cannot be rewritten in place when
//!   the new path does not share the group's prefix, so it is split out: the leaf's text (and
//!   the comma after it) is removed from the group, and a separate `use new::path as D;` is
//!   inserted before the `use` item, with the same visibility. The rest of the group stays
//!   valid Rust (`{e::F}`, a trailing `{e::F, }` or even `{}` all compile). Only text after
//!   the leaf is removed, so fixes of two leaves of one group never overlap.
//!
//! The local name is kept: a rename stays, and when the new path ends in another name than
//! the old one, `as <old name>` is added, so code using the import still compiles.

use crate::facts::{UseKind, UseLeaf};
use crate::finding::{Edit, Fix};
use crate::source::{FileId, Span};

/// A fix that makes `leaf` import `new_path` (already spelled for the importing crate).
pub fn rewrite_leaf(text: &str, file: FileId, leaf: &UseLeaf, new_path: &str) -> Option<Fix> {
    if leaf.kind != UseKind::Name || new_path.is_empty() {
        return None;
    }
    let local = leaf
        .rename
        .as_deref()
        .or(leaf.path.last().map(String::as_str))?;
    let new_last = new_path.rsplit("::").next().unwrap_or(new_path);
    let as_part = if local == new_last {
        String::new()
    } else {
        format!(" as {local}")
    };
    let imported = format!("{new_path}{as_part}");
    let edits = if leaf.in_group {
        split_out_of_group(text, file, leaf, &imported)?
    } else {
        let mut lo = leaf.leaf_span.lo as usize;
        if leaf.leading_colon {
            // `use ::a::B` → the new path carries its own root (`crate::…`, `dep::…`).
            lo = start_of_leading_colon(text, lo)?;
        }
        let span = Span::new(lo, leaf.leaf_span.hi as usize);
        text.get(span.range())?;
        vec![Edit {
            file,
            span,
            replacement: imported.clone(),
        }]
    };
    Some(Fix {
        description: format!("import `{imported}`"),
        edits,
    })
}

fn split_out_of_group(
    text: &str,
    file: FileId,
    leaf: &UseLeaf,
    imported: &str,
) -> Option<Vec<Edit>> {
    let bytes = text.as_bytes();
    let (lo, hi) = (leaf.leaf_span.lo as usize, leaf.leaf_span.hi as usize);
    text.get(lo..hi)?;
    // Remove the comma after the leaf and the blank up to the next leaf, if there is one.
    let mut end = hi;
    let mut i = hi;
    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    if bytes.get(i) == Some(&b',') {
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        end = i;
    }

    let item_lo = leaf.item_span.lo as usize;
    let item_text = text.get(item_lo..leaf.item_span.hi as usize)?;
    let vis = visibility_prefix(item_text);
    let line_start = text.get(..item_lo)?.rfind('\n').map_or(0, |n| n + 1);
    let before = text.get(line_start..item_lo)?;
    let separator = if before.chars().all(|c| c == ' ' || c == '\t') {
        format!("\n{before}")
    } else {
        " ".to_string()
    };
    Some(vec![
        Edit {
            file,
            span: Span::new(item_lo, item_lo),
            replacement: format!("{vis}use {imported};{separator}"),
        },
        Edit {
            file,
            span: Span::new(lo, end),
            replacement: String::new(),
        },
    ])
}

/// `pub `, `pub(crate) `, `pub(in a::b) ` or nothing: how the `use` item starts.
fn visibility_prefix(item_text: &str) -> String {
    let t = item_text.trim_start();
    let Some(rest) = t.strip_prefix("pub") else {
        return String::new();
    };
    let rest_trimmed = rest.trim_start();
    if let Some(inner) = rest_trimmed.strip_prefix('(') {
        if let Some(close) = inner.find(')') {
            return format!("pub({}) ", inner[..close].trim());
        }
    }
    "pub ".to_string()
}

/// The offset of the `::` right before `lo` (whitespace allowed in between).
fn start_of_leading_colon(text: &str, lo: usize) -> Option<usize> {
    let before = text.get(..lo)?;
    let trimmed = before.trim_end();
    trimmed.strip_suffix("::").map(str::len)
}

/// Apply a fix's edits to `text` (for tests and previews); edits must not overlap.
pub fn apply(text: &str, fix: &Fix) -> String {
    let mut edits: Vec<&Edit> = fix.edits.iter().collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.span.lo));
    let mut out = text.to_string();
    for e in edits {
        out.replace_range(e.span.range(), &e.replacement);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{Attrs, Vis};

    /// A leaf of `text` whose own text is `leaf_text` (its first occurrence after `after`).
    fn leaf(text: &str, leaf_text: &str, path: &str, rename: Option<&str>, group: bool) -> UseLeaf {
        let lo = text.find(leaf_text).expect("leaf text");
        let item_lo = text[..lo]
            .rfind("pub")
            .filter(|p| text[*p..lo].contains("use"));
        let item_lo = item_lo.unwrap_or_else(|| text[..lo].rfind("use").expect("use"));
        let item_hi = lo + text[lo..].find(';').expect(";") + 1;
        let path: Vec<String> = path.split("::").map(str::to_string).collect();
        UseLeaf {
            scope: vec![],
            vis: Vis::Private,
            segment_spans: vec![Span::default(); path.len()],
            leading_colon: text[..lo].trim_end().ends_with("::"),
            path,
            kind: UseKind::Name,
            rename: rename.map(str::to_string),
            leaf_span: Span::new(lo, lo + leaf_text.len()),
            item_span: Span::new(item_lo, item_hi),
            attrs: Attrs::default(),
            in_test: false,
            cfg_gated: false,
            in_group: group,
        }
    }

    const F: FileId = FileId(0);

    #[test]
    fn rewrites_a_lone_leaf_in_place_keeping_the_rename() {
        let text = "use crate::websocket_core::manager::WebSocketManager as Ws;\n";
        let l = leaf(
            text,
            "crate::websocket_core::manager::WebSocketManager as Ws",
            "crate::websocket_core::manager::WebSocketManager",
            Some("Ws"),
            false,
        );
        let fix = rewrite_leaf(text, F, &l, "crate::ws::manager::WebSocketManager").unwrap();
        assert_eq!(
            apply(text, &fix),
            "use crate::ws::manager::WebSocketManager as Ws;\n"
        );
    }

    #[test]
    fn a_new_last_name_keeps_the_old_local_name() {
        let text = "    use chat_core::legacy::OldManager;\n";
        let l = leaf(
            text,
            "chat_core::legacy::OldManager",
            "chat_core::legacy::OldManager",
            None,
            false,
        );
        let fix = rewrite_leaf(text, F, &l, "chat_core::ws::manager::WebSocketManager").unwrap();
        assert_eq!(
            apply(text, &fix),
            "    use chat_core::ws::manager::WebSocketManager as OldManager;\n"
        );
    }

    #[test]
    fn a_leading_colon_goes_with_the_old_root() {
        let text = "use ::chat_core::websocket_core::WebSocketManager;\n";
        let l = leaf(
            text,
            "chat_core::websocket_core::WebSocketManager",
            "chat_core::websocket_core::WebSocketManager",
            None,
            false,
        );
        let fix = rewrite_leaf(text, F, &l, "crate::ws::WebSocketManager").unwrap();
        assert_eq!(apply(text, &fix), "use crate::ws::WebSocketManager;\n");
    }

    #[test]
    fn a_grouped_leaf_is_split_out_and_the_group_stays_valid() {
        let text = "use crate::context::UserId;\nuse crate::websocket_core::{manager::WebSocketManager as Ws, types::Mode};\n";
        let l = leaf(
            text,
            "manager::WebSocketManager as Ws",
            "crate::websocket_core::manager::WebSocketManager",
            Some("Ws"),
            true,
        );
        let fix = rewrite_leaf(text, F, &l, "crate::ws::manager::WebSocketManager").unwrap();
        assert_eq!(
            apply(text, &fix),
            "use crate::context::UserId;\nuse crate::ws::manager::WebSocketManager as Ws;\nuse crate::websocket_core::{types::Mode};\n"
        );
    }

    #[test]
    fn the_last_leaf_of_a_multiline_group_leaves_a_trailing_comma() {
        let text = "mod m {\n    pub(crate) use crate::a::{\n        b::Mode,\n        c::Manager\n    };\n}\n";
        let l = leaf(text, "c::Manager", "crate::a::c::Manager", None, true);
        let fix = rewrite_leaf(text, F, &l, "crate::core::Manager").unwrap();
        assert_eq!(
            apply(text, &fix),
            "mod m {\n    pub(crate) use crate::core::Manager;\n    pub(crate) use crate::a::{\n        b::Mode,\n        \n    };\n}\n"
        );
    }

    #[test]
    fn two_leaves_of_one_group_have_non_overlapping_fixes() {
        let text = "use old::{A, B};\n";
        let a = leaf(text, "A", "old::A", None, true);
        let b = leaf(text, "B", "old::B", None, true);
        let fa = rewrite_leaf(text, F, &a, "new::A").unwrap();
        let fb = rewrite_leaf(text, F, &b, "new::B").unwrap();
        let removal = |f: &Fix| f.edits[1].span;
        assert!(removal(&fa).hi <= removal(&fb).lo);
        let once = apply(text, &fa);
        assert_eq!(once, "use new::A;\nuse old::{B};\n");
    }

    #[test]
    fn globs_get_no_fix() {
        let text = "use old::*;\n";
        let mut l = leaf(text, "old", "old", None, false);
        l.kind = UseKind::Glob;
        assert!(rewrite_leaf(text, F, &l, "new").is_none());
    }
}
