//! Writing results: JSON, text, and the one-line error format.

use serde::Serialize;
use std::io::Write;

/// Prints an error and its causes as one line on stderr.
pub(crate) fn error_line(e: &anyhow::Error) {
    let mut line = format!("error: {e}");
    for cause in e.chain().skip(1) {
        line.push_str(&format!(": {cause}"));
    }
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Prints a value as pretty JSON on stdout.
pub(crate) fn json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

/// Prints text on stdout, adding a final newline when missing.
pub(crate) fn text(s: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(s.as_bytes())?;
    if !s.ends_with('\n') {
        writeln!(out)?;
    }
    Ok(())
}
