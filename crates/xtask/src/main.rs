//! Project chores run with `cargo run -p xtask -- <task>`: tidy checks, the
//! extraction evaluation on the shared corpus (`eval-extract`), the
//! extraction throughput benchmark (`bench-extract`) and the false-alarm
//! count of the integrity signals (`check-integrity`).

use std::process::ExitCode;

mod bench;
mod corpus;
mod eval;
mod integrity;
mod tidy;

const USAGE: &str = "usage: cargo run --release -p xtask -- tidy | eval-extract CORPUS_DIR... [--no-peer] [--half tune|check] [--worst N] [--dump DIR] [--only TEXT] | bench-extract CORPUS_DIR... [--no-peer] | check-integrity CORPUS_DIR... [--list]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let task = args.first().cloned().unwrap_or_default();
    let rest = args.get(1..).unwrap_or_default();
    let result = match task.as_str() {
        "tidy" => tidy::check(&tidy::workspace_root()),
        "eval-extract" => eval::run(rest),
        "bench-extract" => bench::run(rest),
        "check-integrity" => integrity::run(rest),
        _ => {
            let _ = tidy::say(USAGE);
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = tidy::say(&format!("error: {e:#}"));
            ExitCode::FAILURE
        }
    }
}
