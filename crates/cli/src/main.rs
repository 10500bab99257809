//! The `clausewatch` binary: parses arguments, calls the libraries, owns exit codes.
//!
//! Exit codes: 0 success, 1 failure (one clear error line on stderr), 2 usage
//! error (clap's own). Per-item failures in batch commands are counted and
//! reported, not fatal to the rest of the batch.

mod args;
mod commands;
mod input;
mod output;
mod progress;
mod suggest;

use clap::Parser;
use std::process::ExitCode;

/// jemalloc: with glibc's allocator the first watch cycle's RSS kept growing
/// with the sources analysed (one malloc arena per busy thread, fragmented),
/// measured in BENCHMARKS.md.
#[cfg(all(target_os = "linux", not(target_env = "musl")))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    init_tracing(cli.global.verbose);
    quiet_caught_pdf_panics();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            output::error_line(&anyhow::anyhow!(e).context("cannot start the async runtime"));
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => code,
        // `clausewatch show … | head`: the reader left; nothing to report.
        Err(e) if output::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            output::error_line(&e);
            ExitCode::FAILURE
        }
    }
}

/// cw-extract runs the PDF library on a worker thread named `cw-extract-pdf`
/// and turns its panics into an error; the default hook would still print a
/// "thread panicked" message for them, so that thread's panics stay quiet.
fn quiet_caught_pdf_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name() != Some("cw-extract-pdf") {
            default(info);
        }
    }));
}

fn init_tracing(verbose: u8) {
    let default = match verbose {
        // The PDF library logs its own recoveries; extraction reports what
        // matters as warnings in the document.
        0 => "warn,tantivy=error,pdf_oxide=off",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("CLAUSEWATCH_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
