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

/// True when `e` comes from writing to a pipe whose reader has gone (`… |
/// head`): the command exits quietly with success.
pub(crate) fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<serde_json::Error>()
                .and_then(|j| j.io_error_kind())
                .is_some_and(|k| k == std::io::ErrorKind::BrokenPipe)
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_pipes_are_recognised_through_context() {
        let e = anyhow::Error::from(std::io::Error::from(std::io::ErrorKind::BrokenPipe))
            .context("writing the timeline");
        assert!(is_broken_pipe(&e));
        assert!(!is_broken_pipe(&anyhow::anyhow!("Broken pipe")));
    }
}
