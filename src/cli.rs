//! Command-line interface: clap definitions and subcommands. `main.rs` only calls [`run`].

/// Run the CLI with the process arguments; returns the exit code (0 clean, 1 findings, 2 error).
pub fn run(args: Vec<std::ffi::OsString>) -> i32 {
    let _ = args;
    2
}
