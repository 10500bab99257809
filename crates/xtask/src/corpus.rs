//! The paired pages of the shared OTA corpora (`ota`, `ota-wide`): every
//! version whose raw page(s) are included, with the peer's Markdown of the
//! same version. Read from each corpus's `versions.tsv` (column
//! `snapshot_files`) and `documents.tsv` (column `service`), so nothing is
//! hard-coded. Also the project's one **tune/check split** ([`half`]).

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// Which half of the services a document belongs to: rules are developed on
/// [`Half::Tune`] and only reported on [`Half::Check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Half {
    /// Services whose 64-bit FNV-1a hash is even.
    Tune,
    /// Services whose 64-bit FNV-1a hash is odd.
    Check,
}

impl Half {
    /// `tune` or `check`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Half::Tune => "tune",
            Half::Check => "check",
        }
    }
}

/// 64-bit FNV-1a of some bytes.
pub(crate) fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The project's tune/check split, by service: the 64-bit FNV-1a hash of the
/// `service` column of `documents.tsv` (its exact UTF-8 bytes) — even is
/// tune, odd is check. Every evaluation uses this one definition.
pub(crate) fn half(service: &str) -> Half {
    if fnv1a64(service.as_bytes()).is_multiple_of(2) {
        Half::Tune
    } else {
        Half::Check
    }
}

/// One version with its raw page(s) and the reference Markdown.
#[derive(Debug, Clone)]
pub(crate) struct Pair {
    /// The corpus folder's name (`ota`, `ota-wide`).
    pub(crate) corpus: String,
    /// Collection name (`genai-eu`, `pga-v1`, …).
    pub(crate) collection: String,
    /// Document id (`genai-eu/ChatGPT/Terms_of_Service`).
    pub(crate) doc_id: String,
    /// The service (`documents.tsv` column `service`, exactly as written).
    pub(crate) service: String,
    /// The reference Markdown file.
    pub(crate) reference: PathBuf,
    /// The raw page files, in the order the peer concatenated them.
    pub(crate) parts: Vec<PathBuf>,
}

impl Pair {
    /// The tune/check half of this pair's service.
    pub(crate) fn half(&self) -> Half {
        half(&self.service)
    }
}

/// Rows of a TSV file as maps from column name to value.
pub(crate) fn read_tsv(path: &Path) -> anyhow::Result<Vec<HashMap<String, String>>> {
    let tsv = std::fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read {} — is the shared corpus checked out beside this repository?",
            path.display()
        )
    })?;
    let mut lines = tsv.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    Ok(lines
        .filter(|l| !l.is_empty())
        .map(|line| {
            header
                .iter()
                .zip(line.split('\t'))
                .map(|(h, v)| ((*h).to_string(), v.to_string()))
                .collect()
        })
        .collect())
}

/// Reads every paired version listed in `<root>/versions.tsv`, with each
/// document's service from `<root>/documents.tsv`.
pub(crate) fn pairs(root: &Path) -> anyhow::Result<Vec<Pair>> {
    let services: HashMap<String, String> = read_tsv(&root.join("documents.tsv"))?
        .into_iter()
        .filter_map(|mut r| Some((r.remove("doc_id")?, r.remove("service")?)))
        .collect();
    let corpus = root
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| root.display().to_string());
    let tsv_path = root.join("versions.tsv");
    let mut out = Vec::new();
    for row in read_tsv(&tsv_path)? {
        let get = |name: &str| -> anyhow::Result<&str> {
            row.get(name)
                .map(|v| v.trim())
                .with_context(|| format!("{} has no column {name}", tsv_path.display()))
        };
        let snaps = get("snapshot_files")?;
        if snaps.is_empty() {
            continue;
        }
        let doc_id = get("doc_id")?.to_string();
        let service = services
            .get(&doc_id)
            .with_context(|| format!("{doc_id} is not in documents.tsv"))?
            .clone();
        out.push(Pair {
            corpus: corpus.clone(),
            collection: get("collection")?.to_string(),
            doc_id,
            service,
            reference: root.join(get("version_file")?),
            parts: snaps.split(" | ").map(|p| root.join(p.trim())).collect(),
        });
    }
    if out.is_empty() {
        bail!("no paired pages listed in {}", tsv_path.display());
    }
    Ok(out)
}

/// One document's recorded versions (the peer's Markdown files), oldest
/// first, with its service.
pub(crate) struct History {
    /// The service (`documents.tsv` column `service`).
    pub(crate) service: String,
    /// The version files in `version_no` order.
    pub(crate) versions: Vec<PathBuf>,
}

impl History {
    /// The tune/check half of this document's service.
    pub(crate) fn half(&self) -> Half {
        half(&self.service)
    }
}

/// Every document's version history listed in `<root>/versions.tsv`.
pub(crate) fn histories(root: &Path) -> anyhow::Result<Vec<History>> {
    let mut docs: std::collections::BTreeMap<String, (String, Vec<(u32, PathBuf)>)> =
        std::collections::BTreeMap::new();
    for row in read_tsv(&root.join("versions.tsv"))? {
        let (Some(doc), Some(service), Some(no), Some(file)) = (
            row.get("doc_id"),
            row.get("service"),
            row.get("version_no")
                .and_then(|n| n.trim().parse::<u32>().ok()),
            row.get("version_file"),
        ) else {
            continue;
        };
        docs.entry(doc.clone())
            .or_insert_with(|| (service.clone(), Vec::new()))
            .1
            .push((no, root.join(file.trim())));
    }
    Ok(docs
        .into_values()
        .map(|(service, mut versions)| {
            versions.sort();
            History {
                service,
                versions: versions.into_iter().map(|(_, p)| p).collect(),
            }
        })
        .collect())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a64_matches_the_published_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn the_split_is_by_hash_parity() {
        assert_eq!(half("a"), Half::Tune);
        assert_eq!(half(""), Half::Check);
    }
}
