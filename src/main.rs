//! The `hikeshi` binary: parse the command line and run the library, which prints any failure
//! and gives the exit code (0 success, 1 problems or failure, 2 usage error).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    hikeshi::cli::run(hikeshi::cli::Cli::parse())
}
