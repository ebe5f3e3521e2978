//! Where one analysis spends its time (`--timings`): wall time per pipeline stage, plus
//! what the parallel loading phase did (files and bytes read, time spent reading and
//! extracting, summed over the worker threads).
//!
//! Stage boundaries cost one `Instant::now()` each and are always recorded. The per-file
//! spans inside loading cost two more per file and are recorded only when asked for
//! ([`LoadClock::new`] with `enabled`), so a normal run pays nothing measurable.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Wall time of each stage of one run, in pipeline order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timings {
    /// Finding manifests, workspaces and crates.
    pub discover: Duration,
    /// Finding, reading and validating the config.
    pub config: Duration,
    /// Module trees: resolving `mod` paths, reading and extracting each file (in parallel),
    /// building files and modules. Includes `parallel`.
    pub load: Duration,
    /// Definitions, join of file facts, path resolution, concepts.
    pub index: Duration,
    pub rules: Duration,
    /// Suppressions, baseline, levels, reported paths.
    pub filter: Duration,
    /// Rendering the report (set by the caller that renders; zero from `analyze`).
    pub report: Duration,
    /// What the loader's parallel read+extract phases did.
    pub load_work: LoadWork,
    /// The parts of the index stage.
    pub index_work: IndexWork,
}

/// The parts of the index stage (wall time each; the rest of `index` is definitions,
/// concepts and the facts cache), and how many lazy fn bodies it parsed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IndexWork {
    /// Resolving every `use` leaf and type alias.
    pub names: Duration,
    /// Choosing the lazy fn bodies rules may need and parsing them (in parallel).
    pub bodies: Duration,
    /// Resolving every path ref.
    pub refs: Duration,
    /// Lazy fn bodies parsed, of all the lazy fn bodies.
    pub bodies_parsed: u64,
    pub bodies_lazy: u64,
}

/// The loader's parallel work. Busy times are summed over worker threads, so on N threads
/// they can add up to N × `parallel`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadWork {
    /// Whether per-file spans were recorded (else only `parallel`, `files`, `bytes`).
    pub detailed: bool,
    /// Wall time of the parallel read+extract phases (one per module-tree level).
    pub parallel: Duration,
    /// Reading files: metadata, read, UTF-8 check.
    pub read_busy: Duration,
    /// Lexing, parsing and extracting facts.
    pub extract_busy: Duration,
    /// Files read (each once, however many modules it becomes) and their bytes.
    pub files: u64,
    pub bytes: u64,
    /// Worker threads of the loading pool.
    pub threads: usize,
}

impl Timings {
    /// Everything from discovery to the report.
    pub fn total(&self) -> Duration {
        self.discover
            + self.config
            + self.load
            + self.index
            + self.rules
            + self.filter
            + self.report
    }

    /// Estimated wall time of reading and of extracting: the parallel phase split in
    /// proportion to the busy time each took (they interleave on the same threads).
    pub fn read_extract_wall(&self) -> (Duration, Duration) {
        let w = &self.load_work;
        let busy = w.read_busy + w.extract_busy;
        if busy.is_zero() {
            return (Duration::ZERO, w.parallel);
        }
        let read = w
            .parallel
            .mul_f64(w.read_busy.as_secs_f64() / busy.as_secs_f64());
        (read, w.parallel.saturating_sub(read))
    }
}

/// Times consecutive stages: each call to [`StageClock::lap`] returns the time since the
/// previous one.
#[derive(Debug)]
pub struct StageClock(Instant);

impl StageClock {
    pub fn start() -> Self {
        StageClock(Instant::now())
    }
    pub fn lap(&mut self) -> Duration {
        let now = Instant::now();
        let lap = now - self.0;
        self.0 = now;
        lap
    }
}

/// Shared by the loader's worker threads; lock-free counters.
#[derive(Debug, Default)]
pub struct LoadClock {
    enabled: bool,
    parallel_ns: AtomicU64,
    read_ns: AtomicU64,
    extract_ns: AtomicU64,
    files: AtomicU64,
    bytes: AtomicU64,
}

impl LoadClock {
    /// `enabled`: also record per-file read and extract spans.
    pub fn new(enabled: bool) -> Self {
        LoadClock {
            enabled,
            ..LoadClock::default()
        }
    }

    /// Start a span that is recorded only when detailed timing is on.
    pub fn span(&self) -> Option<Instant> {
        self.enabled.then(Instant::now)
    }

    /// Record one file read: its size, and the read span if one was started.
    pub fn read_done(&self, started: Option<Instant>, bytes: usize) {
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes as u64, Ordering::Relaxed);
        add(&self.read_ns, started);
    }

    pub fn extract_done(&self, started: Option<Instant>) {
        add(&self.extract_ns, started);
    }

    /// Record the wall time of one parallel phase (always: one call per tree level).
    pub fn parallel_done(&self, elapsed: Duration) {
        self.parallel_ns
            .fetch_add(nanos(elapsed), Ordering::Relaxed);
    }

    pub fn work(&self, threads: usize) -> LoadWork {
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        LoadWork {
            detailed: self.enabled,
            parallel: Duration::from_nanos(get(&self.parallel_ns)),
            read_busy: Duration::from_nanos(get(&self.read_ns)),
            extract_busy: Duration::from_nanos(get(&self.extract_ns)),
            files: get(&self.files),
            bytes: get(&self.bytes),
            threads,
        }
    }
}

fn add(counter: &AtomicU64, started: Option<Instant>) {
    if let Some(started) = started {
        counter.fetch_add(nanos(started.elapsed()), Ordering::Relaxed);
    }
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// Bytes in the unit that keeps them readable.
fn size(bytes: u64) -> String {
    const KIB: f64 = 1024.0;
    let b = bytes as f64;
    if b < KIB * KIB {
        format!("{:.1} KiB", b / KIB)
    } else {
        format!("{:.1} MiB", b / (KIB * KIB))
    }
}

/// The `--timings` table, as printed to stderr.
impl fmt::Display for Timings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let w = &self.load_work;
        writeln!(f, "ssot: timings (wall ms)")?;
        let row = |f: &mut fmt::Formatter<'_>, name: &str, d: Duration, note: &str| {
            let line = format!("  {name:<10} {:>9.1}  {note}", ms(d));
            writeln!(f, "{}", line.trim_end())
        };
        row(f, "discover", self.discover, "manifests, crates")?;
        row(f, "config", self.config, "")?;
        row(
            f,
            "load",
            self.load,
            &format!("module trees; {} files, {} read", w.files, size(w.bytes)),
        )?;
        if w.detailed {
            let (read, extract) = self.read_extract_wall();
            let busy = |d: Duration| format!("{:.1} ms busy on {} threads", ms(d), w.threads);
            row(f, "  read", read, &busy(w.read_busy))?;
            row(f, "  extract", extract, &busy(w.extract_busy))?;
            row(
                f,
                "  tree",
                self.load.saturating_sub(w.parallel),
                "resolving mod paths, building modules",
            )?;
        }
        row(f, "index", self.index, "definitions, join, resolution")?;
        let x = &self.index_work;
        if w.detailed && !self.index.is_zero() {
            row(f, "  names", x.names, "use leaves and aliases")?;
            let parsed = format!(
                "{} of {} lazy fn bodies parsed",
                x.bodies_parsed, x.bodies_lazy
            );
            row(f, "  bodies", x.bodies, &parsed)?;
            row(f, "  refs", x.refs, "path refs")?;
        }
        row(f, "rules", self.rules, "")?;
        row(f, "filter", self.filter, "suppressions, baseline, levels")?;
        row(f, "report", self.report, "")?;
        row(f, "total", self.total(), "")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_and_extract_split_the_parallel_wall_time_by_busy_share() {
        let t = Timings {
            load: Duration::from_millis(120),
            index: Duration::from_millis(40),
            index_work: IndexWork {
                bodies_parsed: 7,
                bodies_lazy: 9,
                ..IndexWork::default()
            },
            load_work: LoadWork {
                detailed: true,
                parallel: Duration::from_millis(100),
                read_busy: Duration::from_millis(50),
                extract_busy: Duration::from_millis(150),
                files: 3,
                bytes: 2048,
                threads: 2,
            },
            ..Timings::default()
        };
        let (read, extract) = t.read_extract_wall();
        assert_eq!(read, Duration::from_millis(25));
        assert_eq!(extract, Duration::from_millis(75));
        let shown = t.to_string();
        for row in [
            "discover",
            "  read",
            "  extract",
            "  tree",
            "index",
            "  names",
            "  bodies",
            "  refs",
            "rules",
            "total",
        ] {
            assert!(shown.contains(row), "{row} missing from\n{shown}");
        }
        assert!(shown.contains("3 files, 2.0 KiB read"), "{shown}");
        assert!(shown.contains("7 of 9 lazy fn bodies parsed"), "{shown}");
        assert!(shown.lines().all(|l| l == l.trim_end()), "{shown}");
    }

    #[test]
    fn without_detail_no_split_is_shown_and_nothing_is_divided_by_zero() {
        let t = Timings::default();
        assert_eq!(t.read_extract_wall(), (Duration::ZERO, Duration::ZERO));
        assert!(!t.to_string().contains("  read"));
    }

    #[test]
    fn load_clock_counts_files_always_and_spans_only_when_enabled() {
        let off = LoadClock::new(false);
        assert!(off.span().is_none());
        off.read_done(off.span(), 10);
        assert_eq!(off.work(1).files, 1);
        assert_eq!(off.work(1).bytes, 10);
        assert!(off.work(1).read_busy.is_zero());

        let on = LoadClock::new(true);
        let span = on.span();
        assert!(span.is_some());
        std::thread::sleep(Duration::from_millis(2));
        on.extract_done(span);
        assert!(on.work(2).extract_busy >= Duration::from_millis(2));
    }
}
