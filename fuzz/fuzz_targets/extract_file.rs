//! "Analyse one file's text": fact extraction never panics and keeps every span inside the
//! text. Same oracle as the stable harness (tests/fuzz_harness/check.rs).
#![no_main]

#[allow(dead_code)]
#[path = "../../tests/fuzz_harness/check.rs"]
mod check;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // libFuzzer runs on the main thread; give extraction the stack it is specified for.
    let text = text.into_owned();
    let result = std::thread::Builder::new()
        .stack_size(cargo_ssot::facts::extract::STACK_SIZE)
        .spawn(move || check::check_extract(&text))
        .expect("spawn")
        .join()
        .expect("extraction thread");
    if let Err(failure) = result {
        panic!("{}: {}", failure.signature, failure.detail);
    }
});
