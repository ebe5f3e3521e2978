//! `--format short`: one line per finding, then one per input problem, nothing else:
//!
//! ```text
//! src/state.rs:12:8: error[ssot::singleton-manager] static `MANAGER` holds …
//! src/broken.rs:3:14: warning[parse] expected `;`
//! crates/x/Cargo.toml: warning[bad-manifest] missing field `name`
//! ```
//!
//! Lines and columns are 1-based, columns count characters. A problem without a known
//! position (an unreadable file, a bad manifest) has no `:line:col`. Problems are always
//! `warning`s: they never change the exit status. Shown suppressed findings end with
//! `(suppressed: reason)` or `(baselined)`.

use super::{
    ordered_problems, problem_kind_name, problem_position, rel_path, shown_findings,
    span_positions, RenderOptions,
};
use crate::finding::Suppressed;
use crate::Outcome;
use std::io::{self, Write};

pub fn render(outcome: &Outcome, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let index = &outcome.index;
    for f in shown_findings(outcome, options) {
        let path = rel_path(index, f.file);
        let location = match span_positions(index, f.file, f.span) {
            Some((start, _)) => format!("{path}:{}:{}", start.line, start.column),
            None => path.to_string(),
        };
        let marker = match &f.suppressed {
            None => String::new(),
            Some(Suppressed::Comment { reason }) => format!(" (suppressed: {})", one_line(reason)),
            Some(Suppressed::Baseline) => " (baselined)".to_string(),
        };
        writeln!(
            out,
            "{location}: {}[{}] {}{marker}",
            f.level.as_str(),
            f.code(),
            one_line(&f.message)
        )?;
    }
    for p in ordered_problems(index) {
        let location = match problem_position(index, p) {
            Some(pos) => format!("{}:{}:{}", p.path, pos.line, pos.column),
            None => p.path.clone(),
        };
        writeln!(
            out,
            "{location}: warning[{}] {}",
            problem_kind_name(&p.problem.kind),
            one_line(&p.problem.message)
        )?;
    }
    Ok(())
}

/// Keep the one-line-per-entry promise even when a message spans lines.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use crate::report::{test_support, Format, RenderOptions};

    #[test]
    fn columns_count_characters_after_tabs_and_non_ascii() {
        let text = test_support::render(Format::Short, &RenderOptions::default());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "src/lib.rs:3:23: error[ssot::singleton-manager] static `ÉTAT` holds a process-global ChatManager",
                "crates/x/Cargo.toml: warning[bad-manifest] missing field `name`",
                "src/lib.rs:5:4: warning[parse] expected `)`",
            ]
        );
    }

    #[test]
    fn suppressed_findings_are_marked_when_shown() {
        let options = RenderOptions {
            include_suppressed: true,
            ..RenderOptions::default()
        };
        let text = test_support::render(Format::Short, &options);
        assert!(
            text.contains(
                "src/lib.rs:3:6: warning[ssot::global-registry] a registry (suppressed: legacy)"
            ),
            "{text}"
        );
    }
}
