//! Stand-in for `clausewatch extract FILE --format json|text|markdown`, so the
//! shared extraction check can run before the CLI exists:
//! `cargo run -p cw-extract --example extract_json -- extract FILE --format json`.
//! Prints the result on stdout; on failure prints one error line and exits 1.

use std::io::Write as _;
use std::process::ExitCode;

use cw_extract::{ExtractOptions, extract, render_markdown, render_text};

fn run(args: &[String]) -> Result<String, String> {
    let (file, format) = match args {
        [cmd, file] if cmd == "extract" => (file, "json"),
        [cmd, file, flag, format] if cmd == "extract" && flag == "--format" => {
            (file, format.as_str())
        }
        _ => {
            return Err(
                "usage: extract_json extract FILE [--format json|text|markdown]".to_string(),
            );
        }
    };
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {file}: {e}"))?;
    let doc = extract(&bytes, &ExtractOptions::default()).map_err(|e| format!("{file}: {e}"))?;
    match format {
        "json" => serde_json::to_string_pretty(&doc).map_err(|e| e.to_string()),
        "text" => Ok(render_text(&doc)),
        "markdown" => Ok(render_markdown(&doc)),
        other => Err(format!(
            "unknown format {other:?} (use json, text or markdown)"
        )),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(out) => {
            let mut stdout = std::io::stdout().lock();
            let _ = writeln!(stdout, "{}", out.trim_end());
            ExitCode::SUCCESS
        }
        Err(e) => {
            let _ = writeln!(std::io::stderr().lock(), "error: {e}");
            ExitCode::FAILURE
        }
    }
}
