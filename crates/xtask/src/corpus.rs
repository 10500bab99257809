//! The paired pages of the shared OTA corpus: every version whose raw page(s)
//! are included, with the peer's Markdown of the same version. Read from the
//! corpus's `versions.tsv` (column `snapshot_files`), so nothing is hard-coded.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// One version with its raw page(s) and the reference Markdown.
#[derive(Debug, Clone)]
pub(crate) struct Pair {
    /// Collection name (`genai-eu`, `pga-v1`, …).
    pub(crate) collection: String,
    /// Document id (`genai-eu/ChatGPT/Terms_of_Service`).
    pub(crate) doc_id: String,
    /// The reference Markdown file.
    pub(crate) reference: PathBuf,
    /// The raw page files, in the order the peer concatenated them.
    pub(crate) parts: Vec<PathBuf>,
}

/// Reads every paired version listed in `<root>/versions.tsv`.
pub(crate) fn pairs(root: &Path) -> anyhow::Result<Vec<Pair>> {
    let tsv_path = root.join("versions.tsv");
    let tsv = std::fs::read_to_string(&tsv_path).with_context(|| {
        format!(
            "cannot read {} — is the shared corpus checked out beside this repository?",
            tsv_path.display()
        )
    })?;
    let mut lines = tsv.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    let col: HashMap<&str, usize> = header.iter().enumerate().map(|(i, h)| (*h, i)).collect();
    let need = |name: &str| {
        col.get(name)
            .copied()
            .with_context(|| format!("versions.tsv has no column {name}"))
    };
    let (c_doc, c_coll, c_ver, c_snap) = (
        need("doc_id")?,
        need("collection")?,
        need("version_file")?,
        need("snapshot_files")?,
    );
    let mut out = Vec::new();
    for line in lines {
        let f: Vec<&str> = line.split('\t').collect();
        let get = |i: usize| f.get(i).copied().unwrap_or_default().trim();
        let snaps = get(c_snap);
        if snaps.is_empty() {
            continue;
        }
        out.push(Pair {
            collection: get(c_coll).to_string(),
            doc_id: get(c_doc).to_string(),
            reference: root.join(get(c_ver)),
            parts: snaps.split(" | ").map(|p| root.join(p.trim())).collect(),
        });
    }
    if out.is_empty() {
        bail!("no paired pages listed in {}", tsv_path.display());
    }
    Ok(out)
}

/// Reads a file, gunzipping it when its name ends in `.gz`.
pub(crate) fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    let raw = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    if path.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::with_capacity(raw.len() * 6);
        flate2::read::GzDecoder::new(raw.as_slice())
            .read_to_end(&mut out)
            .with_context(|| format!("cannot gunzip {}", path.display()))?;
        Ok(out)
    } else {
        Ok(raw)
    }
}
