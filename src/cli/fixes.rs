//! `check --fix` and `check --diff`: the user-facing side of [`crate::fix`]. What was fixed,
//! left out or refused goes to stderr, so stdout stays the report (or the diff).

use super::{EXIT_CLEAN, EXIT_FINDINGS};
use crate::finding::Finding;
use crate::fix::{self, Written};
use crate::Outcome;
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Print the fixes of the active findings as one unified diff (to `output` or stdout) and
/// change nothing. Exit 1 when there is something to fix, like `cargo fmt --check`.
pub(super) fn diff(
    outcome: &Outcome,
    output: Option<&Path>,
    exit_zero: bool,
) -> miette::Result<i32> {
    let findings: Vec<&Finding> = outcome.active().collect();
    let plan = fix::plan(&outcome.index, &findings);
    report_skipped(&plan.skipped);
    let text: String = plan
        .files
        .iter()
        .map(fix::FileChange::unified_diff)
        .collect();
    match output {
        Some(path) => std::fs::write(path, &text)
            .map_err(|e| miette::miette!("cannot write the diff to `{}`: {e}", path.display()))?,
        None => {
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
            {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    miette::bail!("cannot write the diff to <stdout>: {e}")
                }
                _ => {}
            }
        }
    }
    if plan.files.is_empty() {
        eprintln!("ssot: nothing to fix");
    } else {
        eprintln!(
            "ssot: {} to fix in {}",
            count(plan.applied.len(), "finding"),
            count(plan.files.len(), "file")
        );
    }
    Ok(if plan.files.is_empty() || exit_zero {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    })
}

/// Apply the fixes of the active findings and drop the fixed findings from `outcome`, so
/// the report and the exit status are about what is left. Files outside the workspace (after
/// resolving symlinks) or changed since the analysis are refused, and the fixes touching them
/// left out. A file that cannot be written is an error (exit 2); every file is written
/// atomically, so none is left half-written.
pub(super) fn fix(outcome: &mut Outcome, start_dir: &Path) -> miette::Result<()> {
    let roots = crate::workspace::discover::discover(start_dir)?.workspace_roots;
    let active: Vec<usize> = (0..outcome.findings.len())
        .filter(|&i| outcome.findings[i].suppressed.is_none() && outcome.findings[i].fix.is_some())
        .collect();

    // Plan, then leave out the fixes of refused files and plan again, until nothing is
    // refused (each round leaves out at least one more fix, so this ends).
    let mut excluded: HashSet<usize> = HashSet::new();
    let (plan, chosen) = loop {
        let chosen: Vec<usize> = active
            .iter()
            .copied()
            .filter(|i| !excluded.contains(i))
            .collect();
        let refs: Vec<&Finding> = chosen.iter().map(|&i| &outcome.findings[i]).collect();
        let plan = fix::plan(&outcome.index, &refs);
        let refused = fix::refusals(&plan, &roots);
        if refused.is_empty() {
            break (plan, chosen);
        }
        let mut refused_paths: HashSet<&PathBuf> = HashSet::new();
        for (file, reason) in &refused {
            let change = &plan.files[*file];
            eprintln!("ssot: not writing `{}`: {reason}", change.rel_path);
            refused_paths.insert(&change.path);
        }
        let before = excluded.len();
        for note in &plan.applied {
            if touches(&outcome.index, refs[note.finding], &refused_paths) {
                excluded.insert(chosen[note.finding]);
            }
        }
        if excluded.len() == before {
            // Cannot happen (every planned file holds a taken fix's edit); `write` checks
            // each file again and refuses it, so stopping here is safe.
            break (plan, chosen);
        }
    };
    report_skipped(&plan.skipped);

    let written = fix::write(&plan, &roots);
    let mut failed: HashSet<&PathBuf> = HashSet::new();
    let mut errors = Vec::new();
    for (change, result) in plan.files.iter().zip(&written) {
        match result {
            Written::Ok => {}
            Written::Refused(reason) => {
                eprintln!("ssot: not writing `{}`: {reason}", change.rel_path);
                failed.insert(&change.path);
            }
            Written::Failed(e) => {
                errors.push(format!("cannot write `{}`: {e}", change.rel_path));
                failed.insert(&change.path);
            }
        }
    }

    let mut fixed: HashSet<usize> = HashSet::new();
    for note in &plan.applied {
        let finding = &outcome.findings[chosen[note.finding]];
        if !touches(&outcome.index, finding, &failed) {
            eprintln!(
                "ssot: fixed {}: ssot::{}: {}",
                note.location, note.rule, note.description
            );
            fixed.insert(chosen[note.finding]);
        }
    }
    let files_written = written.iter().filter(|w| matches!(w, Written::Ok)).count();
    if fixed.is_empty() {
        eprintln!("ssot: nothing fixed");
    } else {
        eprintln!(
            "ssot: fixed {} in {}",
            count(fixed.len(), "finding"),
            count(files_written, "file")
        );
    }
    let mut i = 0;
    outcome.findings.retain(|_| {
        i += 1;
        !fixed.contains(&(i - 1))
    });
    if !errors.is_empty() {
        miette::bail!("{}", errors.join("\n"));
    }
    Ok(())
}

/// Does any edit of `finding`'s fix change one of `paths`?
fn touches(index: &crate::index::Index, finding: &Finding, paths: &HashSet<&PathBuf>) -> bool {
    finding.fix.iter().flat_map(|f| &f.edits).any(|e| {
        index
            .files
            .get(e.file.0 as usize)
            .is_some_and(|f| paths.contains(&f.source.path))
    })
}

fn report_skipped(skipped: &[fix::FixNote]) {
    for note in skipped {
        eprintln!(
            "ssot: not fixed {}: ssot::{}: {}",
            note.location,
            note.rule,
            note.reason.as_deref().unwrap_or("left out")
        );
    }
}

fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}
