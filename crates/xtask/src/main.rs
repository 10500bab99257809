//! Project chores run with `cargo run -p xtask -- <task>`: tidy checks today;
//! corpus evaluations and peer benchmarks as their issues land.

use std::process::ExitCode;

mod tidy;

fn main() -> ExitCode {
    let task = std::env::args().nth(1).unwrap_or_default();
    let result = match task.as_str() {
        "tidy" => tidy::check(&tidy::workspace_root()),
        _ => {
            let _ = tidy::say("usage: cargo run -p xtask -- tidy");
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
