//! After the rules: suppression comments (and their hygiene rules), baseline, reported paths,
//! deterministic order. Config levels were already applied by `rules::run_all` (the hygiene
//! rules get theirs here, where they are made).

pub mod baseline;
pub mod suppress;

use crate::config::load::absolute;
use crate::config::Config;
use crate::finding::Finding;
use crate::index::Index;
use crate::source::FileId;
use crate::Options;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub struct Filtered {
    pub findings: Vec<Finding>,
    pub stale_baseline: Vec<baseline::StaleEntry>,
}

pub fn apply(
    index: &Index,
    config: &Config,
    mut findings: Vec<Finding>,
    options: &Options,
) -> miette::Result<Filtered> {
    // Read first: a baseline that was asked for but cannot be read stops the run.
    let baseline = options
        .baseline
        .as_deref()
        .map(baseline::Baseline::read)
        .transpose()?;

    // A file compiled into several crates (a lib and a bin both declaring `mod x;`, or
    // `tests/common/mod.rs`) is one place on disk: report each of its findings once.
    sort(index, &mut findings);
    findings.dedup_by(|a, b| {
        a.rule == b.rule
            && a.span == b.span
            && index.file(a.file).source.rel_path == index.file(b.file).source.rel_path
    });

    // Suppressions and the baseline see every finding, so a narrowed report (`check PATH`)
    // neither calls a directive unused nor a baseline entry stale because of what it hides.
    let hygiene = suppress::apply(index, config, &mut findings);
    findings.extend(hygiene);
    sort(index, &mut findings);
    let mut stale = match &baseline {
        Some(b) => b.apply(index, &mut findings),
        None => Vec::new(),
    };

    if !options.report_paths.is_empty() {
        let scope = ReportScope::new(&options.start_dir, &options.report_paths);
        let mut in_scope: HashMap<FileId, bool> = HashMap::new();
        findings.retain(|f| {
            *in_scope.entry(f.file).or_insert_with(|| {
                scope.contains(&index.root.join(&index.file(f.file).source.path))
            })
        });
        if let Some(b) = &baseline {
            stale.retain(|e| scope.contains(&b.dir().join(&e.file)));
        }
    }
    if !options.include_suppressed {
        findings.retain(|f| f.suppressed.is_none());
    }
    Ok(Filtered {
        findings,
        stale_baseline: stale,
    })
}

/// Sort by file (report-relative path), position, rule, message; the rest only breaks ties
/// so equal inputs always give byte-identical reports.
pub fn sort(index: &Index, findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        let path = |f: &Finding| index.file(f.file).source.rel_path.as_str();
        path(a)
            .cmp(path(b))
            .then(a.span.lo.cmp(&b.span.lo))
            .then(a.rule.cmp(b.rule))
            .then_with(|| a.message.cmp(&b.message))
            .then(a.span.hi.cmp(&b.span.hi))
            .then_with(|| a.item_path.cmp(&b.item_path))
    });
}

/// The files and directories `check PATH…` asked about, as absolute paths.
struct ReportScope {
    roots: Vec<PathBuf>,
}

impl ReportScope {
    fn new(start_dir: &Path, paths: &[PathBuf]) -> ReportScope {
        ReportScope {
            roots: paths.iter().map(|p| absolute(&start_dir.join(p))).collect(),
        }
    }
    fn contains(&self, file: &Path) -> bool {
        let file = absolute(file);
        self.roots.iter().any(|r| file.starts_with(r))
    }
}

#[cfg(test)]
mod tests;
