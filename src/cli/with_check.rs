//! `--with-check[=check|clippy]`: run `cargo check` (or `cargo clippy`) with JSON messages
//! before the analysis, so rust-analyzer, which runs only one check command, still gets the
//! compiler's diagnostics along with cargo-ssot's.
//!
//! This is the one place cargo-ssot builds anything, and only when asked: cargo then runs
//! build scripts and proc macros of the workspace as any `cargo check` does.

use clap::ValueEnum;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckTool {
    /// `cargo check`
    Check,
    /// `cargo clippy`
    Clippy,
}

/// What cargo printed, minus its `build-finished` line (one is written at the very end for
/// both), and whether the build succeeded.
#[derive(Debug, Default)]
pub struct CheckRun {
    pub lines: Vec<String>,
    pub success: bool,
}

/// Run `cargo <tool> --workspace --all-targets --message-format=json` in `workspace_root`
/// (rust-analyzer's default check covers all targets too). Cargo's stderr (progress) goes
/// to ours.
pub fn run(tool: CheckTool, workspace_root: &Path) -> miette::Result<CheckRun> {
    // Under `cargo ssot`, cargo tells us which cargo it is.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let subcommand = match tool {
        CheckTool::Check => "check",
        CheckTool::Clippy => "clippy",
    };
    let mut child = Command::new(&cargo)
        .args([
            subcommand,
            "--workspace",
            "--all-targets",
            "--message-format=json",
        ])
        .current_dir(workspace_root)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| {
            miette::miette!(
                "--with-check: cannot run `{} {subcommand}`: {e}",
                Path::new(&cargo).display()
            )
        })?;
    let mut run = CheckRun::default();
    let mut finished = None;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let line = line.map_err(|e| miette::miette!("--with-check: reading cargo: {e}"))?;
            match build_finished(&line) {
                Some(success) => finished = Some(success),
                None => run.lines.push(line),
            }
        }
    }
    let status = child
        .wait()
        .map_err(|e| miette::miette!("--with-check: waiting for cargo: {e}"))?;
    run.success = status.success() && finished.unwrap_or(true);
    Ok(run)
}

/// `Some(success)` when `line` is cargo's `build-finished` message.
fn build_finished(line: &str) -> Option<bool> {
    let value: serde_json::Value = serde_json::from_str(line).ok()?;
    if value.get("reason")?.as_str()? != "build-finished" {
        return None;
    }
    value.get("success")?.as_bool()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_build_finished_is_taken_out() {
        assert_eq!(
            build_finished(r#"{"reason":"build-finished","success":false}"#),
            Some(false)
        );
        assert_eq!(
            build_finished(r#"{"reason":"compiler-message","success":true}"#),
            None
        );
        assert_eq!(build_finished("warning: not JSON"), None);
    }
}
