//! The oracles: what must hold for any input. Shared by the stable harness
//! (`tests/fuzz_harness/main.rs`) and the cargo-fuzz targets (`fuzz/fuzz_targets/`).

use cargo_ssot::config::load::parse;
use cargo_ssot::facts::extract::{extract_body, extract_file, extract_file_lazy};
use cargo_ssot::report::{self, Format, RenderOptions};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Something that must never happen, with a signature that tells distinct bugs apart.
#[derive(Debug, Clone)]
pub struct Failure {
    /// Stable across inputs hitting the same bug (panic location, span field).
    pub signature: String,
    pub detail: String,
}

impl Failure {
    fn new(signature: impl Into<String>, detail: impl Into<String>) -> Failure {
        Failure {
            signature: signature.into(),
            detail: detail.into(),
        }
    }
}

/// Panics caught inside the analyzer (it catches its own, so a hook has to see them).
static PANICS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Record every panic (message and location) instead of printing it.
pub fn capture_panics() {
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "<non-string panic>".into());
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        if let Ok(mut p) = PANICS.lock() {
            p.push(format!("{location}: {message}"));
        }
    }));
}

fn take_panic() -> Option<String> {
    PANICS.lock().ok().and_then(|mut p| {
        let first = p.first().cloned();
        p.clear();
        first
    })
}

/// A panic anywhere during `f`, caught here or inside the analyzer.
fn no_panic<T>(what: &str, f: impl FnOnce() -> T) -> Result<T, Failure> {
    take_panic();
    let result = catch_unwind(AssertUnwindSafe(f));
    if let Some(p) = take_panic() {
        let location = p.split(": ").next().unwrap_or("").to_string();
        return Err(Failure::new(format!("panic in {what} at {location}"), p));
    }
    result.map_err(|_| Failure::new(format!("panic in {what}"), "panic without a hook message"))
}

/// Fact extraction of one file, eager and lazy, and of every body the lazy pass left:
/// no panic, every span inside the text on char boundaries. Call on a thread with
/// `extract::STACK_SIZE` of stack.
pub fn check_extract(text: &str) -> Result<(), Failure> {
    let eager = no_panic("extract_file", || extract_file(text))?;
    no_internal_error("extract_file", &eager.problems)?;
    spans_in_bounds(text, "facts", &eager)?;
    let lazy = no_panic("extract_file_lazy", || extract_file_lazy(text))?;
    no_internal_error("extract_file_lazy", &lazy.problems)?;
    spans_in_bounds(text, "lazy_facts", &lazy)?;
    for body in &lazy.lazy_bodies {
        let Some(item) = lazy.items.get(body.item as usize) else {
            return Err(Failure::new(
                "lazy body names no item",
                format!("item {} of {}", body.item, lazy.items.len()),
            ));
        };
        let facts = no_panic("extract_body", || extract_body(text, item, body))?;
        no_internal_error("extract_body", &facts.problems)?;
        spans_in_bounds(text, "body_facts", &facts.refs)?;
    }
    Ok(())
}

fn no_internal_error(what: &str, problems: &[cargo_ssot::facts::Problem]) -> Result<(), Failure> {
    match problems
        .iter()
        .find(|p| p.message.starts_with("internal error"))
    {
        Some(p) => Err(Failure::new(
            format!("internal error in {what}"),
            p.message.clone(),
        )),
        None => Ok(()),
    }
}

fn spans_in_bounds(text: &str, root: &str, value: &impl serde::Serialize) -> Result<(), Failure> {
    let value = serde_json::to_value(value)
        .map_err(|e| Failure::new("facts do not serialize", e.to_string()))?;
    let mut bad = None;
    walk_spans(&value, &mut String::from(root), &mut |path, lo, hi| {
        if bad.is_none() && !span_ok(text, lo, hi) {
            bad = Some((path.to_string(), lo, hi));
        }
    });
    match bad {
        Some((path, lo, hi)) => Err(Failure::new(
            format!("bad span at {}", strip_indices(&path)),
            format!("{path} = {lo}..{hi}, text is {} bytes", text.len()),
        )),
        None => Ok(()),
    }
}

/// Config text: parsing never panics, an error's spans lie inside the text, and the error
/// renders (the CLI prints it with miette, which slices the text by those spans).
pub fn check_config(text: &str, embedded: bool) -> Result<(), Failure> {
    let name = if embedded { "Cargo.toml" } else { "ssot.toml" };
    let parsed = no_panic("config::load::parse", || {
        parse(
            PathBuf::from("/fuzz").join(name),
            name.to_string(),
            text.to_string(),
            embedded,
        )
    })?;
    let Err(error) = parsed else {
        return Ok(());
    };
    let mut errors = vec![&error];
    errors.extend(error.others());
    for e in errors {
        if let Some(span) = e.span() {
            if !span_ok(text, span.lo as u64, span.hi as u64) {
                return Err(Failure::new(
                    "config error span out of bounds",
                    format!(
                        "{}..{} in {} bytes: {}",
                        span.lo,
                        span.hi,
                        text.len(),
                        e.message()
                    ),
                ));
            }
        }
    }
    no_panic("rendering a config error", || {
        let mut out = String::new();
        let _ = report::human::handler(false).render_report(&mut out, &error);
    })
}

/// The whole pipeline on a one-file crate in `dir` with `bytes` as `src/lib.rs`, then every
/// report format: no panic (reporters slice the source by the findings' spans), and the
/// same JSON report whether fn bodies are parsed lazily or all up front.
pub fn check_pipeline(dir: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let io = |e: std::io::Error| Failure::new("harness I/O", e.to_string());
    std::fs::create_dir_all(dir.join("src")).map_err(io)?;
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"fuzzed\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
    )
    .map_err(io)?;
    std::fs::write(dir.join("src/lib.rs"), bytes).map_err(io)?;
    let analyze = |eager_bodies: bool| {
        let options = cargo_ssot::Options {
            start_dir: dir.to_path_buf(),
            include_suppressed: true,
            threads: Some(1),
            eager_bodies,
            ..Default::default()
        };
        no_panic("analyze", || cargo_ssot::analyze(&options))
    };
    let render_options = RenderOptions {
        include_suppressed: true,
        ..Default::default()
    };
    let render = |outcome: &cargo_ssot::Outcome, format: Format| {
        no_panic(&format!("rendering {format:?}"), || {
            let mut out = Vec::new();
            let _ = report::render(format, outcome, &render_options, &mut out);
            out
        })
    };
    let Ok(lazy) = analyze(false)? else {
        return Ok(()); // a tool error (exit 2) is an answer, not a crash
    };
    for format in [Format::Human, Format::Short] {
        render(&lazy, format)?;
    }
    // Lazy bodies must not change the report (the contract of tests/lazy_bodies.rs).
    let lazy_json = String::from_utf8_lossy(&render(&lazy, Format::Json)?).into_owned();
    if let Ok(eager) = analyze(true)? {
        let eager_json = String::from_utf8_lossy(&render(&eager, Format::Json)?).into_owned();
        if LAZY_BODY_PROBLEMS_OPEN && !eager.index.problems.is_empty() {
            return Ok(());
        }
        if eager_json != lazy_json {
            let (e, l) = (&eager_json, &lazy_json);
            let line = e
                .lines()
                .zip(l.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            return Err(Failure::new(
                "lazy bodies change the report",
                format!(
                    "line {}: eager `{}` / lazy `{}`",
                    line + 1,
                    e.lines().nth(line).unwrap_or("").trim(),
                    l.lines().nth(line).unwrap_or("").trim()
                ),
            ));
        }
    }
    Ok(())
}

/// Set to `false` once eager and lazy bodies agree on files with a syntax error in a body
/// (see `lazy_bodies_report_body_parse_errors` in main.rs): until then files that do not
/// parse eagerly are not compared.
pub const LAZY_BODY_PROBLEMS_OPEN: bool = true;

fn span_ok(text: &str, lo: u64, hi: u64) -> bool {
    let (Ok(lo), Ok(hi)) = (usize::try_from(lo), usize::try_from(hi)) else {
        return false;
    };
    lo <= hi && hi <= text.len() && text.is_char_boundary(lo) && text.is_char_boundary(hi)
}

/// Every `{ "lo": n, "hi": n }` object in the serialized facts (a `Span`), with its path.
fn walk_spans(value: &serde_json::Value, path: &mut String, f: &mut dyn FnMut(&str, u64, u64)) {
    match value {
        serde_json::Value::Object(map) => {
            if map.len() == 2 {
                if let (Some(lo), Some(hi)) = (
                    map.get("lo").and_then(|v| v.as_u64()),
                    map.get("hi").and_then(|v| v.as_u64()),
                ) {
                    f(path, lo, hi);
                    return;
                }
            }
            for (k, v) in map {
                let len = path.len();
                path.push('.');
                path.push_str(k);
                walk_spans(v, path, f);
                path.truncate(len);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                walk_spans(v, path, f);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

/// `facts.items[3].name_span` → `facts.items[].name_span`.
fn strip_indices(path: &str) -> String {
    let mut out = String::new();
    let mut in_index = false;
    for c in path.chars() {
        match c {
            '[' => {
                in_index = true;
                out.push_str("[]");
            }
            ']' => in_index = false,
            _ if in_index => {}
            _ => out.push(c),
        }
    }
    out
}
