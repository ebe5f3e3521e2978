//! `rules` and `explain <rule>`: views of the rule metadata in `rules/<id>.toml`.

use crate::rules::meta::{self, RuleMeta};
use std::io::Write;

/// `cargo ssot rules`: one line per rule, in registry order.
pub fn list_rules(out: &mut dyn Write) -> miette::Result<i32> {
    let rules = meta::all();
    let width = rules.iter().map(|m| m.id.len()).max().unwrap_or(0) + "ssot::".len();
    let mut text = format!("{:<width$}  {:<7}  SUMMARY\n", "RULE", "LEVEL");
    for m in rules {
        text.push_str(&format!(
            "{:<width$}  {:<7}  {}\n",
            format!("ssot::{}", m.id),
            m.level.as_str(),
            m.summary.trim()
        ));
    }
    text.push_str("\nRun `cargo ssot explain <rule>` for details and examples.\n");
    write_all(out, &text)
}

/// `cargo ssot explain <rule>`, in the shape of `clippy --explain`.
pub fn explain(rule: &str, out: &mut dyn Write) -> miette::Result<i32> {
    let Some(m) = meta::get(rule.trim()) else {
        return Err(unknown_rule(rule));
    };
    write_all(out, &explanation(m))
}

fn explanation(m: &RuleMeta) -> String {
    format!(
        "ssot::{id} ({name}, {level} by default)\n\n{summary}\n\n\
### What it does\n{what}\n\n\
### Why is this bad?\n{why}\n\n\
### Example\n```rust\n{bad}\n```\nUse instead:\n```rust\n{good}\n```\n\n\
### How to fix\n{fix}\n",
        id = m.id,
        name = m.name,
        level = m.level.as_str(),
        summary = m.summary.trim(),
        what = m.what.trim(),
        why = m.why.trim(),
        bad = m.bad.trim_end(),
        good = m.good.trim_end(),
        fix = m.fix.trim(),
    )
}

/// Rule ids close to what the user typed: ids containing it, or spelled alike.
pub fn suggestions(typed: &str) -> Vec<&'static str> {
    let typed = typed.trim();
    let typed = typed.strip_prefix("ssot::").unwrap_or(typed).to_lowercase();
    let mut scored: Vec<(f64, &'static str)> = meta::all()
        .iter()
        .filter_map(|m| {
            let score = if !typed.is_empty() && m.id.contains(&typed) {
                1.0
            } else {
                strsim::normalized_damerau_levenshtein(&typed, &m.id)
            };
            (score >= 0.7).then_some((score, m.id.as_str()))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.into_iter().take(3).map(|(_, id)| id).collect()
}

fn unknown_rule(typed: &str) -> miette::Report {
    let suggested = suggestions(typed);
    let help = if suggested.is_empty() {
        "run `cargo ssot rules` to list the rules".to_string()
    } else {
        let names: Vec<String> = suggested.iter().map(|s| format!("`ssot::{s}`")).collect();
        format!(
            "did you mean {}? (`cargo ssot rules` lists the rules)",
            names.join(" or ")
        )
    };
    miette::miette!(
        code = "ssot::unknown-rule",
        help = help,
        "unknown rule `{typed}`"
    )
}

fn write_all(out: &mut dyn Write, text: &str) -> miette::Result<i32> {
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        // `cargo ssot rules | head`: the reader has seen enough.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(miette::miette!("cannot write to stdout: {e}"))
        }
        _ => Ok(super::EXIT_CLEAN),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_table_lists_every_rule() {
        let mut out = Vec::new();
        list_rules(&mut out).expect("writes");
        let text = String::from_utf8(out).expect("utf8");
        for m in meta::all() {
            assert!(text.contains(&format!("ssot::{}", m.id)), "{text}");
        }
    }

    #[test]
    fn explain_accepts_both_spellings() {
        for id in ["singleton-manager", "ssot::singleton-manager"] {
            let mut out = Vec::new();
            explain(id, &mut out).expect("known rule");
            let text = String::from_utf8(out).expect("utf8");
            let m = meta::get("singleton-manager").expect("meta");
            assert!(text.starts_with("ssot::singleton-manager"), "{text}");
            assert!(text.contains(m.bad.trim_end()), "{text}");
            assert!(text.contains("### Why is this bad?"), "{text}");
        }
    }

    #[test]
    fn unknown_rules_get_suggestions() {
        assert_eq!(suggestions("singleton-manger"), ["singleton-manager"]);
        assert_eq!(suggestions("ssot::Global-Registry"), ["global-registry"]);
        assert!(suggestions("singleton").contains(&"singleton-accessor"));
        assert!(suggestions("nope").is_empty());
        let mut out = Vec::new();
        let err = explain("nope", &mut out).expect_err("unknown");
        assert!(format!("{err:?}").contains("cargo ssot rules"));
    }
}
