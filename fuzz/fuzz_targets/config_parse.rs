//! "Load a config text": parsing (standalone `ssot.toml` and embedded in a `Cargo.toml`)
//! never panics, error spans stay in bounds and errors render. Same oracle as the stable
//! harness (tests/fuzz_harness/check.rs).
#![no_main]

#[allow(dead_code)]
#[path = "../../tests/fuzz_harness/check.rs"]
mod check;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    if let Err(failure) = check::check_config(&text, first & 1 == 1) {
        panic!("{}: {}", failure.signature, failure.detail);
    }
});
