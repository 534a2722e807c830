//! The `hikeshi` binary: parse the command line, run the library, map the outcome to an
//! exit code (0 success, 1 problems or failure, 2 usage error).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = hikeshi::cli::Cli::parse();
    match hikeshi::cli::run(cli) {
        Ok(outcome) => outcome.into(),
        Err(error) => {
            let error = anyhow::Error::from(error);
            eprintln!("hikeshi: {error:#}");
            ExitCode::from(1)
        }
    }
}
