//! Reads histories that other archives recorded, as dated items with their
//! provenance, for `clausewatch import-history` (issue #23). Nothing here
//! writes: the engine turns items into versions, snapshots and technical
//! upgrades.
//!
//! # Brief overview
//!
//! * [`History::open`] recognises a source ([`SourceKind`]) and lists its
//!   [`Item`]s in capture order, without reading their bytes:
//!   * an Open Terms Archive **versions repository** (git; one commit per
//!     recorded version, the commit time as the capture time, "technical or
//!     declaration upgrade" and "Refilter" commits as [`ItemKind::Upgrade`]),
//!     optionally with its **snapshots repository**: the snapshot commits a
//!     version's message names link it to the raw page(s) it came from;
//!   * an Open Terms Archive **dataset** folder
//!     (`<Service>/<Terms type>/<ISO date>.md`);
//!   * the **corpus layout** of `../shared/corpus/ota` (`versions.tsv`);
//!   * a **folder of dated copies** (the date from each file name).
//! * [`History::read`] and [`History::read_raw`] read an item's bytes and its
//!   first raw page on demand (git blobs through gix, files from disk), so a
//!   history of any length is listed in little memory.
//!
//! Service and terms-type names are the archive's own; mapping them to
//! clausewatch document keys is the caller's business.
#![deny(missing_docs)]

mod dates;
mod files;
mod git;

pub use dates::date_in_name;

use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};

/// Why a history could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BackfillError {
    /// A file or folder could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A git repository or object could not be read.
    #[error("git {what}: {source}")]
    Git {
        /// What was being read.
        what: String,
        /// The underlying error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The source does not have the layout its kind needs (user error).
    #[error("{path}: {reason}")]
    Layout {
        /// The source or file concerned.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

impl BackfillError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        BackfillError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    pub(crate) fn git(
        what: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        BackfillError::Git {
            what: what.into(),
            source: Box::new(source),
        }
    }

    pub(crate) fn layout(path: &Path, reason: impl Into<String>) -> Self {
        BackfillError::Layout {
            path: path.to_path_buf(),
            reason: reason.into(),
        }
    }
}

/// The kinds of sources [`History::open`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// An Open Terms Archive versions repository (git).
    OtaGit,
    /// An Open Terms Archive dataset: `<Service>/<Terms type>/<ISO date>.md`.
    OtaDataset,
    /// The corpus layout: `versions.tsv` and `documents.tsv` beside the files.
    Corpus,
    /// One document's copies in one folder, dated by their file names.
    DatedFolder,
}

impl SourceKind {
    /// Recognises a source from its layout: `versions.tsv` → corpus, a git
    /// repository → versions repository, dated files directly inside →
    /// dated folder, else a dataset.
    pub fn detect(path: &Path) -> Result<SourceKind, BackfillError> {
        if path.join("versions.tsv").is_file() {
            return Ok(SourceKind::Corpus);
        }
        if path.join(".git").exists()
            || (path.join("HEAD").is_file() && path.join("objects").is_dir())
        {
            return Ok(SourceKind::OtaGit);
        }
        if files::has_dated_files(path)? {
            return Ok(SourceKind::DatedFolder);
        }
        Ok(SourceKind::OtaDataset)
    }
}

/// What an item records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    /// A copy of the document as captured (first record or a change).
    Record,
    /// The archive re-extracted the same page with new selectors or a new
    /// engine: a technical or declaration upgrade, never a change of the terms.
    Upgrade,
}

/// Where an item's bytes are.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Content {
    File(PathBuf),
    GzFile(PathBuf),
    Blob(gix::ObjectId),
    SnapshotBlob(gix::ObjectId),
}

/// One recorded copy of one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The service as the archive names it (`ChatGPT`).
    pub service: String,
    /// The terms type as the archive names it (`Terms of Service`).
    pub terms_type: String,
    /// When the archive captured it.
    pub captured_at: DateTime<Utc>,
    /// A copy or an upgrade.
    pub kind: ItemKind,
    /// The archive: a repository name or a canonical folder path.
    pub archive: String,
    /// The item within the archive (`<commit>:<path>` or a relative path);
    /// unique per archive and document.
    pub item: String,
    /// The commit that recorded it, for git histories.
    pub commit: Option<String>,
    /// The file holding the bytes (path in the repository or the folder).
    pub path: String,
    /// The raw page(s) it was extracted from, `<commit>:<path>`.
    pub snapshot_refs: Vec<String>,
    content: Content,
    raw: Option<Content>,
}

/// A source opened for reading: its items in capture order. Not `Send`:
/// gix is built without its `parallel` feature (fewer dependencies), so its
/// repository handles stay on the thread that opened them.
pub struct History {
    kind: SourceKind,
    items: Vec<Item>,
    versions: Option<gix::Repository>,
    snapshots: Option<gix::Repository>,
}

impl std::fmt::Debug for History {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("History")
            .field("kind", &self.kind)
            .field("items", &self.items.len())
            .finish_non_exhaustive()
    }
}

/// How to open a source.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// The kind, when not to be detected.
    pub kind: Option<SourceKind>,
    /// The snapshots repository of an Open Terms Archive versions repository.
    pub snapshots: Option<PathBuf>,
}

impl History {
    /// Lists the items of the source at `path` (capture order, stable for
    /// equal times: archive order).
    pub fn open(path: &Path, options: &OpenOptions) -> Result<History, BackfillError> {
        let kind = match options.kind {
            Some(k) => k,
            None => SourceKind::detect(path)?,
        };
        let (mut items, versions, snapshots) = match kind {
            SourceKind::OtaGit => {
                let (items, versions, snapshots) = git::read(path, options.snapshots.as_deref())?;
                (items, Some(versions), snapshots)
            }
            SourceKind::Corpus => (files::read_corpus(path)?, None, None),
            SourceKind::OtaDataset => (files::read_dataset(path)?, None, None),
            SourceKind::DatedFolder => (files::read_dated_folder(path)?, None, None),
        };
        items.sort_by_key(|i| i.captured_at);
        Ok(History {
            kind,
            items,
            versions,
            snapshots,
        })
    }

    /// The kind of source read.
    pub fn kind(&self) -> SourceKind {
        self.kind
    }

    /// Every item, in capture order.
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// The bytes of an item, exactly as the archive holds them.
    pub fn read(&self, item: &Item) -> Result<Vec<u8>, BackfillError> {
        self.read_content(&item.content)
    }

    /// The bytes of the item's first raw page, when the source has them
    /// (`None`: no raw page known or available).
    pub fn read_raw(&self, item: &Item) -> Result<Option<Vec<u8>>, BackfillError> {
        item.raw.as_ref().map(|c| self.read_content(c)).transpose()
    }

    fn read_content(&self, content: &Content) -> Result<Vec<u8>, BackfillError> {
        match content {
            Content::File(p) => std::fs::read(p).map_err(|e| BackfillError::io(p, e)),
            Content::GzFile(p) => files::read_gz(p),
            Content::Blob(id) => git::blob(self.versions.as_ref(), *id),
            Content::SnapshotBlob(id) => git::blob(self.snapshots.as_ref(), *id),
        }
    }
}

/// True when a commit subject or corpus kind names an archive's technical
/// or declaration upgrade (Open Terms Archive: "Apply technical or
/// declaration upgrade on …"; older histories: "Refilter …").
pub fn is_upgrade_subject(subject: &str) -> bool {
    let s = subject.trim().to_lowercase();
    s.starts_with("refilter ")
        || s.contains("technical upgrade")
        || s.contains("declaration upgrade")
        || s.contains("technical or declaration upgrade")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upgrade_subjects() {
        assert!(is_upgrade_subject(
            "Apply technical or declaration upgrade on ChatGPT Terms of Service"
        ));
        assert!(is_upgrade_subject("Refilter GitLab Terms of Service"));
        assert!(is_upgrade_subject("Record technical upgrade of X"));
        assert!(!is_upgrade_subject(
            "Record new changes of ChatGPT Terms of Service"
        ));
        assert!(!is_upgrade_subject("First record of X Privacy Policy"));
        assert!(!is_upgrade_subject("Update Cloudflare Terms"));
    }
}
