//! Command-line interface: clap definitions and subcommands. `main.rs` only calls [`run`].
//!
//! Exit status (computed from the full list of findings, never a shown subset):
//! - `0`: no active finding at level `error` (nor `warning` under `--deny-warnings`),
//!   or `--exit-zero`, or `--write-baseline`;
//! - `1`: at least one such finding (after `--fix`: one that is left; with `--diff`: there is
//!   something to fix);
//! - `2`: the tool could not do its job (bad arguments, no workspace, bad config, an output
//!   file that cannot be written). Suppressed and baselined findings never count.

mod explain;
mod fixes;
mod init;
mod with_check;

use crate::finding::Level;
use crate::replay::{Miss, ReplayCache, RunResult};
use crate::report::{self, Format, RenderOptions};
use crate::workspace::Discovery;
use crate::{CacheSetting, Options, Outcome};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;
use with_check::{CheckRun, CheckTool};

pub const EXIT_CLEAN: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_TOOL_ERROR: i32 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "cargo-ssot",
    bin_name = "cargo ssot",
    version,
    about = "Find single-source-of-truth violations in a Rust workspace, without building it",
    long_about = "Find single-source-of-truth violations in a Rust workspace: singleton managers, \
global registries, duplicate manager types, non-canonical import paths, construction that \
bypasses the factory. Nothing is compiled or executed.\n\n\
Without a subcommand, runs `check` on the workspace around the current directory.",
    after_help = "Exit status: 0 clean, 1 findings at a failing level, 2 the tool could not run.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Options of `check` (the default subcommand).
    #[command(flatten)]
    check: CheckOptions,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Analyse the workspace and report findings (the default).
    Check(CheckArgs),
    /// List every rule with its default level and what it finds.
    Rules,
    /// Explain a rule: what it finds, why that matters, an example and the fix.
    Explain {
        /// Rule id, with or without the `ssot::` prefix.
        rule: String,
    },
    /// Write a commented starter `ssot.toml` with the managed types found as concepts.
    Init(InitArgs),
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// Report only findings in files under these paths (the whole workspace is still
    /// analysed, so cross-file rules see everything). A single directory that holds whole
    /// workspaces is analysed itself instead (paths in the report are relative to it).
    paths: Vec<PathBuf>,
    #[command(flatten)]
    options: CheckOptions,
}

#[derive(Debug, Clone, Args)]
struct CheckOptions {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// cargo's spelling of the format, for editors: `json` (and cargo's `json-…` variants)
    /// means `--format cargo-json`; `human` and `short` are those formats.
    #[arg(long, value_name = "FMT", conflicts_with = "format")]
    message_format: Option<String>,
    /// With cargo-json: first run `cargo check` (or `--with-check=clippy`) and pass its
    /// messages through, so rust-analyzer keeps compiler errors. This builds the workspace.
    #[arg(
        long,
        value_enum,
        value_name = "TOOL",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "check"
    )]
    with_check: Option<CheckTool>,
    /// Write the report to FILE instead of stdout (its directory must exist).
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// When to color the output; `auto` honours NO_COLOR and whether the output is a terminal.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Use this config file instead of `ssot.toml` / `[workspace.metadata.ssot]`.
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
    /// Report only findings that exceed this baseline, and its entries that no longer match.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Record today's findings in FILE as the baseline (exit status 0 unless the tool fails).
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// Show suppressed and baselined findings too (marked; they still do not count).
    #[arg(long)]
    include_suppressed: bool,
    /// Exit 0 even when there are findings (report-only runs).
    #[arg(long)]
    exit_zero: bool,
    /// Exit 1 on warnings too, not only on errors.
    #[arg(long, short = 'D')]
    deny_warnings: bool,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
    /// Print where the time went, to stderr: each stage's wall time (discover, config, load
    /// with its read/extract split, index, rules, filter, report) and the files and bytes read.
    /// A replayed run (see `--no-cache`) shows discovery, the replay check and the report.
    #[arg(long)]
    timings: bool,
    /// Analyse from scratch: parse every file again instead of reusing the facts cached by
    /// earlier runs, and never replay an earlier run's result (nothing is read from or
    /// written to the cache). By default a re-run whose inputs (sources, manifests, config,
    /// baseline, the set of `.rs` files) and options are all unchanged prints the stored
    /// result of the last such run after checking them, without analysing again.
    #[arg(long, conflicts_with = "cache_dir")]
    no_cache: bool,
    /// Keep the cache (per-file facts, and the results of recent runs for replay) in DIR
    /// instead of `target/ssot/` under the workspace root.
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// Leave out the summary after the findings.
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Apply the machine-applicable fixes of the reported findings (only to files inside the
    /// workspace, each written atomically), then report what is left.
    #[arg(long, conflicts_with_all = ["diff", "write_baseline"])]
    fix: bool,
    /// Print the fixes `--fix` would make as a unified diff and change nothing; exit status 1
    /// when there is something to fix.
    #[arg(long, conflicts_with = "write_baseline")]
    diff: bool,
}

#[derive(Debug, Args)]
struct InitArgs {
    /// Overwrite an existing `ssot.toml`.
    #[arg(long)]
    force: bool,
    /// Print the config instead of writing it.
    #[arg(long)]
    stdout: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to color a stream that is (or is not) a terminal.
    fn enabled(self, is_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            // https://no-color.org: a non-empty NO_COLOR turns colors off by default.
            ColorChoice::Auto => {
                is_terminal && !matches!(std::env::var_os("NO_COLOR"), Some(v) if !v.is_empty())
            }
        }
    }
}

/// Run the CLI with the process arguments; returns the exit code (0 clean, 1 findings, 2 error).
pub fn run(args: Vec<OsString>) -> i32 {
    let cli = match Cli::try_parse_from(strip_cargo_subcommand(args)) {
        Ok(cli) => cli,
        Err(e) => {
            // `--help` and `--version` are not errors; usage errors exit 2 (not clap's code).
            let _ = e.print();
            return if e.use_stderr() {
                EXIT_TOOL_ERROR
            } else {
                EXIT_CLEAN
            };
        }
    };
    let color = match &cli.command {
        Some(Command::Check(args)) => args.options.color,
        _ => cli.check.color,
    };
    let result = match cli.command {
        None => check(&[], &cli.check),
        Some(Command::Check(args)) => check(&args.paths, &args.options),
        Some(Command::Rules) => explain::list_rules(&mut std::io::stdout().lock()),
        Some(Command::Explain { rule }) => explain::explain(&rule, &mut std::io::stdout().lock()),
        Some(Command::Init(args)) => init::run(&current_dir_or_dot(), args.force, args.stdout),
    };
    match result {
        Ok(code) => code,
        Err(report) => {
            print_tool_error(&report, color);
            EXIT_TOOL_ERROR
        }
    }
}

/// `cargo ssot …` runs `cargo-ssot ssot …`: drop that `ssot` so both spellings parse alike.
fn strip_cargo_subcommand(mut args: Vec<OsString>) -> Vec<OsString> {
    if args.get(1).is_some_and(|a| a == "ssot") {
        args.remove(1);
    }
    args
}

fn current_dir_or_dot() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))
}

fn print_tool_error(report: &miette::Report, color: ColorChoice) {
    let handler = report::human::handler(color.enabled(std::io::stderr().is_terminal()));
    let mut text = String::new();
    if handler.render_report(&mut text, report.as_ref()).is_err() {
        text = format!("error: {report}");
    }
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

fn check(paths: &[PathBuf], opts: &CheckOptions) -> miette::Result<i32> {
    let format = effective_format(opts)?;
    if opts.with_check.is_some() && format != Format::CargoJson {
        miette::bail!("--with-check needs --format cargo-json (or --message-format json)");
    }
    if opts.write_baseline.is_some() && !paths.is_empty() {
        // A baseline written from a narrowed report would drop every other file's allowance.
        miette::bail!(
            "--write-baseline records the whole workspace; run it without PATH arguments"
        );
    }
    let cwd = current_dir_or_dot();
    for p in paths {
        if !cwd.join(p).exists() {
            miette::bail!("path `{}` does not exist", p.display());
        }
    }
    let discovering = Instant::now();
    let (mut start_dir, mut report_paths, mut discovered) = start_and_report_paths(&cwd, paths);
    if format == Format::CargoJson {
        // Editors resolve `file_name` against the workspace root, like cargo's own messages.
        if let Some(root) = enclosing_workspace_root(&start_dir) {
            report_paths = report_paths.iter().map(|p| cwd.join(p)).collect();
            start_dir = root;
            discovered = None;
        }
    }
    let check_run = match opts.with_check {
        Some(tool) => Some(with_check::run(tool, &start_dir)?),
        None => None,
    };
    let options = Options {
        start_dir,
        report_paths,
        config_path: opts.config.clone(),
        baseline: opts.baseline.clone(),
        // Always kept so summaries can count them; reports show them only when asked.
        include_suppressed: true,
        threads: opts.threads.map(usize::from),
        cache: match (&opts.cache_dir, opts.no_cache) {
            (_, true) => CacheSetting::Off,
            (Some(dir), false) => CacheSetting::Dir(cwd.join(dir)),
            (None, false) => CacheSetting::Workspace,
        },
        timings: opts.timings,
        parse_all_bodies_up_to: crate::SMALL_TREE_BODY_BYTES,
        ..Options::default()
    };
    let discovery = match discovered {
        Some(discovery) => discovery,
        None => crate::workspace::discover::discover(&options.start_dir)?,
    };
    let discovered_in = discovering.elapsed();
    let render_options = RenderOptions {
        include_suppressed: opts.include_suppressed,
        quiet: opts.quiet,
        color: report_color(opts),
    };
    let replay = replay_cache(opts, format, &render_options, &options, &discovery, &cwd);
    let mut replay_miss = None;
    if let Some(cache) = &replay {
        let checking = Instant::now();
        match cache.lookup(&options, &discovery) {
            Ok((result, stats)) => {
                let writing = Instant::now();
                emit(&result, opts)?;
                if opts.timings {
                    eprint!("{}", stats.timings_table(discovered_in, writing.elapsed()));
                }
                return Ok(result.exit_code);
            }
            Err(miss) => replay_miss = Some((miss, checking.elapsed())),
        }
    }
    let snapshot = replay.as_ref().map(|cache| cache.snapshot(&discovery));

    let mut outcome = crate::analyze_discovered(&options, &discovery)?;
    outcome.timings.discover = discovered_in;
    for note in &outcome.index.summary.notes {
        eprintln!("ssot: note: {note}");
    }
    if opts.diff {
        return fixes::diff(&outcome, opts.output.as_deref(), opts.exit_zero);
    }
    if opts.fix {
        fixes::fix(&mut outcome, &options.start_dir)?;
    }

    let rendering = Instant::now();
    let mut result = RunResult {
        report: render(&outcome, format, &render_options, check_run.as_ref())?,
        ..RunResult::default()
    };
    if format == Format::Sarif {
        let results = report::shown_findings(&outcome, &render_options).len();
        if results > report::sarif::GITHUB_RESULT_LIMIT {
            let note = report::sarif::result_limit_message(results);
            result.stderr = format!("ssot: note: {note}\n").into_bytes();
        }
    }
    emit(&result, opts)?;
    outcome.timings.report = rendering.elapsed();
    if opts.timings {
        eprint!("{}", outcome.timings);
    }

    if let Some(path) = &opts.write_baseline {
        // The outcome keeps suppressed findings, which the writer expects.
        crate::filter::baseline::write_baseline(path, &outcome.findings, &outcome.index)?;
    }
    let code = exit_code(&outcome, opts);
    // A build that failed under --with-check fails the run, as `cargo check` would.
    let check_failed = check_run.is_some_and(|run| !run.success);
    if code == EXIT_CLEAN && check_failed && !opts.exit_zero {
        std::mem::forget(outcome);
        return Ok(EXIT_FINDINGS);
    }
    if let (Some(cache), Some(snapshot)) = (&replay, snapshot) {
        result.exit_code = code;
        let stored = cache.store(snapshot, &options, &discovery, &outcome, &result);
        if opts.timings {
            let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
            let (why, checked) = replay_miss.unwrap_or((Miss::NoEntry, Default::default()));
            let recorded = match stored {
                Ok(took) => format!("recorded in {:.1} ms", ms(took)),
                Err(e) => format!("not recorded: {e}"),
            };
            eprintln!(
                "ssot: replay: not replayed ({}; checked in {:.1} ms); {recorded}",
                why.describe(),
                ms(checked)
            );
        }
    }
    // The process ends right after this: freeing the index (millions of small
    // allocations) one by one would only delay the exit.
    std::mem::forget(outcome);
    Ok(code)
}

/// The replay cache for this run, if it may be replayed: only runs whose whole effect is
/// their output (no `--fix`, `--diff`, `--with-check`, `--write-baseline`), with the cache
/// on and lazy bodies (the eager reference mode is never short-cut). The key spells out
/// every option that shapes the output; threads, `--timings` and where the report goes
/// (beyond whether it is colored) do not.
fn replay_cache(
    opts: &CheckOptions,
    format: Format,
    render_options: &RenderOptions,
    options: &Options,
    discovery: &Discovery,
    cwd: &Path,
) -> Option<ReplayCache> {
    let side_effects =
        opts.fix || opts.diff || opts.with_check.is_some() || opts.write_baseline.is_some();
    if side_effects || !options.lazy_bodies() {
        return None;
    }
    let dir = options.cache.dir(&options.start_dir, discovery)?;
    let key = format!(
        "{format:?} {:?} {:?} {cwd:?} {:?} {:?} {render_options:?} {} {}",
        options.start_dir,
        options.report_paths,
        options.config_path,
        options.baseline,
        opts.exit_zero,
        opts.deny_warnings,
    );
    ReplayCache::open(&dir, &key)
}

/// Whether the report is colored: never in a file; on stdout as `--color` says.
fn report_color(opts: &CheckOptions) -> bool {
    match &opts.output {
        Some(_) => opts.color.enabled(false),
        None => opts.color.enabled(std::io::stdout().is_terminal()),
    }
}

/// `--message-format` is cargo's spelling of `--format`, which editors pass.
fn effective_format(opts: &CheckOptions) -> miette::Result<Format> {
    let Some(spec) = &opts.message_format else {
        return Ok(opts.format);
    };
    // cargo accepts lists such as `json,json-diagnostic-short`.
    let parts: Vec<&str> = spec.split(',').map(str::trim).collect();
    let is_json = |p: &&str| {
        matches!(
            *p,
            "json"
                | "json-diagnostic-short"
                | "json-diagnostic-rendered-ansi"
                | "json-render-diagnostics"
        )
    };
    match parts.as_slice() {
        ["human"] => Ok(Format::Human),
        ["short"] => Ok(Format::Short),
        list if !list.is_empty() && list.iter().all(is_json) => Ok(Format::CargoJson),
        _ => Err(miette::miette!(
            help = "use `json` (one cargo message per line), `human` or `short`; \
                    `--format` lists every format",
            "unknown --message-format `{spec}`"
        )),
    }
}

/// The root of the one workspace `dir` lies in, if there is exactly one.
fn enclosing_workspace_root(dir: &Path) -> Option<PathBuf> {
    let canonical = dir.canonicalize().ok()?;
    let discovery = crate::workspace::discover::discover(&canonical).ok()?;
    match discovery.workspace_roots.as_slice() {
        [root] if root.canonicalize().is_ok_and(|r| canonical.starts_with(r)) => Some(root.clone()),
        _ => None,
    }
}

/// Where to start the analysis and which findings to report. Normally the workspace around
/// the current directory is analysed and `paths` only narrow the report. A single directory
/// that holds whole workspaces (`check fixtures/legacy-chat-server`, `check .` at a root) is
/// analysed instead, everything in it reported, paths relative to it.
/// Also returns the discovery from the start directory when it was made on the way (on a
/// tree of many projects discovery walks it all; once is enough).
fn start_and_report_paths(
    cwd: &Path,
    paths: &[PathBuf],
) -> (PathBuf, Vec<PathBuf>, Option<Discovery>) {
    if let [single] = paths {
        let dir = cwd.join(single);
        if dir.is_dir() {
            if let Some(discovery) = holds_whole_workspaces(&dir) {
                return (dir, Vec::new(), Some(discovery));
            }
        }
    }
    if paths.is_empty() || in_a_package(cwd) {
        return (cwd.to_path_buf(), paths.to_vec(), None);
    }
    // The current directory belongs to no package: analyse the one around the first PATH
    // that has one, instead of every project below the current directory. With none, the
    // first PATH is the start, so "no Cargo.toml found" names what the user gave.
    let absolute: Vec<PathBuf> = paths.iter().map(|p| cwd.join(p)).collect();
    let start = absolute
        .iter()
        .find_map(|p| p.ancestors().find(|d| d.join("Cargo.toml").is_file()))
        .map(Path::to_path_buf)
        .or_else(|| absolute.first().map(|p| dir_of(p)))
        .unwrap_or_else(|| cwd.to_path_buf());
    (start, absolute, None)
}

/// `dir` or one of its parents holds a `Cargo.toml`.
fn in_a_package(dir: &Path) -> bool {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    dir.ancestors().any(|d| d.join("Cargo.toml").is_file())
}

/// A directory given as PATH, or the directory of a file.
fn dir_of(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent().unwrap_or(path).to_path_buf()
    }
}

/// The discovery from `dir`, if every workspace found from it has its root at or below it.
fn holds_whole_workspaces(dir: &Path) -> Option<Discovery> {
    let dir = dir.canonicalize().ok()?;
    let discovery = crate::workspace::discover::discover(&dir).ok()?;
    let whole = !discovery.workspace_roots.is_empty()
        && discovery
            .workspace_roots
            .iter()
            .all(|root| root.canonicalize().is_ok_and(|root| root.starts_with(&dir)));
    whole.then_some(discovery)
}

/// The report, rendered in memory (a replayed run prints the same bytes).
fn render(
    outcome: &Outcome,
    format: Format,
    options: &RenderOptions,
    check_run: Option<&CheckRun>,
) -> miette::Result<Vec<u8>> {
    let mut out = Vec::new();
    let rendered = match check_run {
        Some(run) => report::cargo_json::render_after_check(
            outcome,
            options,
            &run.lines,
            run.success,
            &mut out,
        ),
        None => report::render(format, outcome, options, &mut out),
    };
    rendered.map_err(|e| miette::miette!("cannot render the report: {e}"))?;
    Ok(out)
}

/// Print a result: the report to `--output` or stdout, its notes to stderr.
fn emit(result: &RunResult, opts: &CheckOptions) -> miette::Result<()> {
    let written = match &opts.output {
        Some(path) => std::fs::write(path, &result.report).map_err(|e| (e, path.as_path())),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(&result.report)
                .and_then(|()| stdout.flush())
                .map_err(|e| (e, Path::new("<stdout>")))
        }
    };
    match written {
        // `cargo ssot | head`: the reader has seen enough; the exit status still counts.
        Err((e, _)) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err((e, shown_as)) => {
            miette::bail!("cannot write the report to `{}`: {e}", shown_as.display())
        }
        Ok(()) => {}
    }
    let _ = std::io::stderr().write_all(&result.stderr);
    Ok(())
}

/// See the module docs for the exit-status contract.
fn exit_code(outcome: &Outcome, opts: &CheckOptions) -> i32 {
    if opts.exit_zero || opts.write_baseline.is_some() {
        return EXIT_CLEAN;
    }
    let failing = outcome
        .active()
        .any(|f| f.level == Level::Error || (opts.deny_warnings && f.level == Level::Warning));
    if failing {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        let args: Vec<OsString> = args.iter().map(OsString::from).collect();
        Cli::try_parse_from(strip_cargo_subcommand(args))
    }

    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn cargo_and_direct_invocations_parse_alike() {
        let direct = parse(&["cargo-ssot", "check", "src", "--format", "json"]).expect("parses");
        let cargo = parse(&["cargo-ssot", "ssot", "check", "src", "--format", "json"]).expect("ok");
        assert_eq!(format!("{direct:?}"), format!("{cargo:?}"));
    }

    #[test]
    fn no_subcommand_means_check_with_top_level_options() {
        let cli = parse(&["cargo-ssot", "ssot", "--format", "short", "-q"]).expect("parses");
        assert!(cli.command.is_none());
        assert_eq!(cli.check.format, Format::Short);
        assert!(cli.check.quiet);
    }

    #[test]
    fn usage_errors_are_errors() {
        let e = parse(&["cargo-ssot", "nope"]).expect_err("unknown subcommand");
        assert!(e.use_stderr());
        let e = parse(&["cargo-ssot", "check", "--threads", "0"]).expect_err("zero threads");
        assert!(e.use_stderr());
        assert!(!parse(&["cargo-ssot", "--version"])
            .expect_err("version")
            .use_stderr());
    }

    #[test]
    fn message_format_is_cargos_spelling_of_format() {
        let format = |args: &[&str]| {
            let cli = parse(args).expect("parses");
            effective_format(&cli.check)
        };
        for json in [
            "json",
            "json-diagnostic-rendered-ansi",
            "json,json-diagnostic-short",
        ] {
            let f = format(&["cargo-ssot", "--message-format", json]).expect("known");
            assert_eq!(f, Format::CargoJson, "{json}");
        }
        let f = format(&["cargo-ssot", "--message-format=short"]).expect("known");
        assert_eq!(f, Format::Short);
        assert!(format(&["cargo-ssot", "--message-format", "xml"]).is_err());
        assert!(format(&["cargo-ssot", "--message-format", ""]).is_err());
        let f = format(&["cargo-ssot", "--format", "sarif"]).expect("plain --format");
        assert_eq!(f, Format::Sarif);
        let both = parse(&["cargo-ssot", "--format", "json", "--message-format", "json"]);
        assert!(both.expect_err("conflict").use_stderr());
    }

    #[test]
    fn with_check_defaults_to_cargo_check() {
        let cli = parse(&[
            "cargo-ssot",
            "check",
            "--message-format",
            "json",
            "--with-check",
        ])
        .expect("parses");
        let Some(Command::Check(args)) = cli.command else {
            panic!("check subcommand");
        };
        assert_eq!(args.options.with_check, Some(CheckTool::Check));
        assert!(
            args.paths.is_empty(),
            "--with-check takes no separate value"
        );
        let cli = parse(&["cargo-ssot", "--with-check=clippy"]).expect("parses");
        assert_eq!(cli.check.with_check, Some(CheckTool::Clippy));
    }

    #[test]
    fn warnings_fail_only_when_denied() {
        let mut outcome = report::test_support::outcome();
        let cli = parse(&["cargo-ssot"]).expect("parses");
        let mut opts = cli.check;
        assert_eq!(exit_code(&outcome, &opts), EXIT_FINDINGS);
        opts.exit_zero = true;
        assert_eq!(exit_code(&outcome, &opts), EXIT_CLEAN);
        opts.exit_zero = false;
        for f in &mut outcome.findings {
            f.level = Level::Warning;
        }
        assert_eq!(exit_code(&outcome, &opts), EXIT_CLEAN);
        opts.deny_warnings = true;
        assert_eq!(exit_code(&outcome, &opts), EXIT_FINDINGS);
        // a suppressed finding never counts
        outcome.findings.retain(|f| f.suppressed.is_some());
        assert_eq!(exit_code(&outcome, &opts), EXIT_CLEAN);
    }
}
