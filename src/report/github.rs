//! `--format github`: GitHub Actions workflow commands, one per finding and input problem, so
//! findings show up as annotations on a pull request without code scanning (`docs/github.md`):
//!
//! ```text
//! ::error file=src/state.rs,line=12,col=8,endLine=12,endColumn=15,title=ssot%3A%3Asingleton-manager::static `MANAGER` holds …
//! ```
//!
//! Levels map to `::error`, `::warning` and `::notice`; shown suppressed findings are
//! notices. Lines and columns are 1-based, columns count characters, ends are exclusive.
//! Paths are relative to the directory cargo-ssot started in (run it at the repository root).

use super::{
    ordered_problems, problem_kind_name, problem_position, rel_path, shown_findings,
    span_positions, RenderOptions,
};
use crate::finding::{Level, Suppressed};
use crate::Outcome;
use std::io::{self, Write};

pub fn render(outcome: &Outcome, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let index = &outcome.index;
    for f in shown_findings(outcome, options) {
        let command = match (&f.suppressed, f.level) {
            (Some(_), _) | (None, Level::Note) => "notice",
            (None, Level::Warning) => "warning",
            (None, Level::Error) => "error",
        };
        let mut properties = vec![("file", rel_path(index, f.file).to_string())];
        if let Some((start, end)) = span_positions(index, f.file, f.span) {
            properties.extend([
                ("line", start.line.to_string()),
                ("col", start.column.to_string()),
                ("endLine", end.line.to_string()),
                ("endColumn", end.column.to_string()),
            ]);
        }
        properties.push(("title", f.code()));
        let mut message = f.message.clone();
        if let Some(help) = &f.help {
            message.push_str(&format!("\nhelp: {help}"));
        }
        match &f.suppressed {
            None => {}
            Some(Suppressed::Comment { reason }) => {
                message.push_str(&format!("\n(suppressed: {reason})"));
            }
            Some(Suppressed::Baseline) => message.push_str("\n(baselined)"),
        }
        write_command(out, command, &properties, &message)?;
    }
    for p in ordered_problems(index) {
        let mut properties = vec![("file", p.path.clone())];
        if let Some(pos) = problem_position(index, p) {
            properties.extend([
                ("line", pos.line.to_string()),
                ("col", pos.column.to_string()),
            ]);
        }
        properties.push((
            "title",
            format!("cargo-ssot: {}", problem_kind_name(&p.problem.kind)),
        ));
        write_command(out, "warning", &properties, &p.problem.message)?;
    }
    Ok(())
}

fn write_command(
    out: &mut dyn Write,
    command: &str,
    properties: &[(&str, String)],
    message: &str,
) -> io::Result<()> {
    let properties: Vec<String> = properties
        .iter()
        .map(|(key, value)| format!("{key}={}", escape_property(value)))
        .collect();
    writeln!(
        out,
        "::{command} {}::{}",
        properties.join(","),
        escape_data(message)
    )
}

/// The message after `::`, escaped as the Actions toolkit does (`escapeData`).
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value, escaped as the Actions toolkit does (`escapeProperty`): also `:` and `,`,
/// which would otherwise end the value.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{test_support, Format};

    #[test]
    fn escaping_follows_the_actions_toolkit() {
        assert_eq!(
            escape_data("50% done\r\nnext: a,b"),
            "50%25 done%0D%0Anext: a,b"
        );
        assert_eq!(
            escape_property("ssot::x, 100%\n"),
            "ssot%3A%3Ax%2C 100%25%0A"
        );
        // `%` first, so an escape is never escaped twice
        assert_eq!(escape_data("%0A"), "%250A");
    }

    #[test]
    fn findings_and_problems_become_annotations() {
        let text = test_support::render(Format::Github, &RenderOptions::default());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "::error file=src/lib.rs,line=3,col=23,endLine=3,endColumn=27,title=ssot%3A%3Asingleton-manager::static `ÉTAT` holds a process-global ChatManager%0Ahelp: pass the manager in instead",
                "::warning file=crates/x/Cargo.toml,title=cargo-ssot%3A bad-manifest::missing field `name`",
                "::warning file=src/lib.rs,line=5,col=4,title=cargo-ssot%3A parse::expected `)`",
            ]
        );
    }

    #[test]
    fn shown_suppressed_findings_are_notices() {
        let options = RenderOptions {
            include_suppressed: true,
            ..RenderOptions::default()
        };
        let text = test_support::render(Format::Github, &options);
        assert!(
            text.starts_with("::notice file=src/lib.rs,line=3,col=6,endLine=3,endColumn=10,title=ssot%3A%3Aglobal-registry::a registry%0A(suppressed: legacy)\n"),
            "{text}"
        );
    }
}
