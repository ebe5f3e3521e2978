//! `cargo-ssot`: a thin shell around the library.

fn main() {
    std::process::exit(cargo_ssot::cli::run(std::env::args_os().collect()));
}
