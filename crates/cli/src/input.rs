//! Reading input files with clear errors and a size check before reading.

use anyhow::{Context, bail};
use std::path::Path;

/// Reads a whole file, refusing files larger than `limit` bytes before reading them.
pub(crate) fn read_file(path: &Path, limit: usize) -> anyhow::Result<Vec<u8>> {
    let meta =
        std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    if meta.is_dir() {
        bail!("{} is a folder, not a file", path.display());
    }
    if meta.len() > limit as u64 {
        bail!(
            "{} is {}, larger than the {} limit for one document",
            path.display(),
            human_bytes(meta.len()),
            human_bytes(limit as u64)
        );
    }
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Formats a byte count for people.
pub(crate) fn human_bytes(n: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if n >= MIB {
        format!("{:.1} MiB", n as f64 / MIB as f64)
    } else if n >= 1024 {
        format!("{:.1} KiB", n as f64 / 1024.0)
    } else {
        format!("{n} bytes")
    }
}
