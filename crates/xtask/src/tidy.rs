//! Tidy rules that keep the codebase navigable: every Rust file opens with a
//! `//!` paragraph saying what it is for.

use anyhow::bail;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The workspace root (two levels above this crate).
pub(crate) fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Prints a line on stderr.
pub(crate) fn say(line: &str) -> std::io::Result<()> {
    writeln!(std::io::stderr(), "{line}")
}

/// Checks every `.rs` file under `crates/` (except generated or fuzz output).
pub(crate) fn check(root: &Path) -> anyhow::Result<()> {
    let mut offenders = Vec::new();
    let mut files = Vec::new();
    collect(&root.join("crates"), &mut files)?;
    for f in &files {
        let text = std::fs::read_to_string(f)?;
        let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        if !first.starts_with("//!") {
            offenders.push(f.strip_prefix(root).unwrap_or(f).display().to_string());
        }
    }
    if !offenders.is_empty() {
        bail!(
            "these files lack a leading `//!` paragraph:\n  {}",
            offenders.join("\n  ")
        );
    }
    Ok(())
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if !matches!(
                name,
                "target" | "snapshots" | "corpus" | "artifacts" | "data"
            ) {
                collect(&path, out)?;
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_rust_file_has_a_purpose_paragraph() {
        super::check(&super::workspace_root()).unwrap();
    }
}
