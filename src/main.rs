//! `cargo-ssot`: a thin shell around the library.

// Parsing allocates and frees millions of small syn nodes per second on every thread;
// mimalloc's per-thread free lists make that about a fifth cheaper than glibc malloc and
// return freed pages instead of fragmenting the long-lived facts.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(cargo_ssot::cli::run(std::env::args_os().collect()));
}
