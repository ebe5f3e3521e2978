//! Extraction alone, on one thread: `cargo run --profile bench-fast --example extract-bench DIR`.
//! Reads every `.rs` file under DIR first, then times `extract_file_lazy` over all of them
//! (or `extract_file` with `SSOT_EAGER_BODIES=1`), so profiles show only extraction.

use cargo_ssot::facts::extract::{extract_file, extract_file_lazy};
use std::time::Instant;

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let texts: Vec<String> = walkdir::WalkDir::new(&dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let eager = std::env::var_os("SSOT_EAGER_BODIES").is_some();
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1);
    let start = Instant::now();
    let mut items = 0;
    for _ in 0..rounds {
        for text in &texts {
            let facts = if eager {
                extract_file(text)
            } else {
                extract_file_lazy(text)
            };
            items += facts.items.len() + facts.refs.len() + facts.lazy_bodies.len();
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{} files, {:.1} MiB, {rounds} round(s): {secs:.3} s ({items} facts)",
        texts.len(),
        bytes as f64 / (1 << 20) as f64
    );
}
