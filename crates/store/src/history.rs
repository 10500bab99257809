//! Imported histories (issue #23): the store API for `clausewatch
//! import-history`. Every item read from another archive (a version, the
//! archive's own technical or declaration upgrade, or an item that recorded
//! nothing) leaves one provenance row, written in the same transaction as
//! what it recorded, so a run can be killed at any point and resumed, and
//! a second run over the same archive records nothing.

use crate::archive::BlobId;
use crate::db::{begin_read, begin_write, documents, history, imports, manifest, upgrades};
use crate::error::StoreError;
use crate::store::Store;
use crate::time::ts_to_text;
use crate::types::{ImportOutcome, NewImport};
use crate::upgrades::{NextVersion, RecomputedChange, VersionUpgrade};
use chrono::{DateTime, Utc};
use cw_model::DocumentKey;
use serde::{Serialize, Serializer};
use std::collections::HashSet;

fn key_as_string<S: Serializer>(key: &DocumentKey, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(key)
}

/// Where one item of an imported history came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// The archive read: a repository name (`OpenTermsArchive/demo-versions`)
    /// or a canonical folder path.
    pub archive: String,
    /// The item within the archive: `<commit>:<path>` in git, else the path.
    /// With `archive` and the document, what makes an item "already imported".
    pub item: String,
    /// The commit that recorded the item, for git histories.
    pub commit: Option<String>,
    /// The file the bytes were read from.
    pub path: String,
    /// When the archive captured the item.
    pub captured_at: DateTime<Utc>,
    /// The raw page(s) the item was extracted from: `<commit>:<path>` joined
    /// by ` | ` (an Open Terms Archive snapshots repository).
    pub snapshot_refs: Option<String>,
    /// The first raw page's bytes, when they were archived too.
    pub raw_blob: Option<BlobId>,
}

/// What an imported item became.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryItemKind {
    /// An observation of the document: a new version or a snapshot of one.
    Version,
    /// The archive's technical or declaration upgrade: never a change.
    Upgrade,
    /// Nothing was recorded (see the note).
    Refused,
}

impl HistoryItemKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            HistoryItemKind::Version => "version",
            HistoryItemKind::Upgrade => "upgrade",
            HistoryItemKind::Refused => "refused",
        }
    }

    pub(crate) fn parse(s: &str) -> Result<Self, StoreError> {
        match s {
            "version" => Ok(HistoryItemKind::Version),
            "upgrade" => Ok(HistoryItemKind::Upgrade),
            "refused" => Ok(HistoryItemKind::Refused),
            other => Err(StoreError::bad_row(format!("history item kind {other:?}"))),
        }
    }
}

/// One provenance row as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct StoredHistoryItem {
    /// `platform/document`.
    #[serde(serialize_with = "key_as_string")]
    pub document: DocumentKey,
    /// Where it came from.
    #[serde(flatten)]
    pub provenance: Provenance,
    /// What it became.
    pub kind: HistoryItemKind,
    /// sha256 of the bytes read.
    pub sha256: String,
    /// The version it landed in (`None` when refused).
    pub version: Option<u32>,
    /// Whether it caused a technical upgrade of that version.
    pub technical_upgrade: bool,
    /// Why a refused item recorded nothing.
    pub note: Option<String>,
}

impl StoredHistoryItem {
    /// Where the item came from, in one line for people: archive, commit
    /// or file, capture time, the raw page it was extracted from when known,
    /// and whether it was a technical upgrade.
    pub fn describe(&self) -> String {
        let p = &self.provenance;
        let mut out = format!(
            "{} · {} · captured {}",
            p.archive,
            p.commit.as_deref().unwrap_or(&p.path),
            p.captured_at.format("%Y-%m-%dT%H:%M:%SZ")
        );
        if p.commit.is_some() {
            out.push_str(" · ");
            out.push_str(&p.path);
        }
        if let Some(refs) = &p.snapshot_refs {
            out.push_str(" · raw page ");
            out.push_str(refs);
        }
        if self.technical_upgrade {
            out.push_str(" · technical upgrade");
        }
        out
    }
}

/// An archive's technical or declaration upgrade, as handed to
/// [`Store::record_history_upgrade`]: the bytes are another snapshot of the
/// version in force at `import.observed_at`
/// (`import.previous_version_number`), and when their extraction differs
/// from the version's, `upgrade` replaces its provisions (a technical
/// upgrade, never a change).
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryUpgrade {
    /// The bytes as an observation; `previous_version_number` names the
    /// version in force, `change` and `lineage_keys` are ignored.
    pub import: NewImport,
    /// The re-extraction of that version, when its content differs.
    pub upgrade: Option<VersionUpgrade>,
    /// Change records to set because the upgraded version's content moved
    /// (the one of the version that follows it, if any).
    pub recomputed: Vec<RecomputedChange>,
    /// Where the upgrade came from.
    pub provenance: Provenance,
}

/// How many provenance rows of each kind a store holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct HistoryCounts {
    /// Items recorded as observations (`version`).
    pub versions: u64,
    /// Items recorded as the archive's upgrades.
    pub upgrades: u64,
    /// Of those, how many replaced a version's provisions.
    pub technical_upgrades: u64,
    /// Items that recorded nothing.
    pub refused: u64,
}

impl Store {
    /// The `(document, item)` pairs of `archive` already imported, for a
    /// resumed run to skip.
    pub async fn imported_history_items(
        &self,
        archive: &str,
    ) -> Result<HashSet<(DocumentKey, String)>, StoreError> {
        let mut tx = begin_read(self.pool()).await?;
        history::items_of_archive(&mut tx, archive).await
    }

    /// Records one item read as an observation, like
    /// [`Store::record_import_with_next`], with its provenance row in the
    /// same transaction. [`StoreError::Conflict`] if the item was imported
    /// meanwhile (nothing written).
    pub async fn record_history_version(
        &self,
        import: NewImport,
        next: NextVersion,
        provenance: &Provenance,
    ) -> Result<ImportOutcome, StoreError> {
        if !self.archive().contains(&import.blob) {
            return Err(StoreError::MissingBlob { blob: import.blob });
        }
        let mut tx = begin_write(self.pool()).await?;
        let outcome = imports::record_in(&mut tx, &import, Some(&next)).await?;
        let document_id = documents::require_id(&mut tx, &import.document).await?;
        let row = history::Row {
            document_id,
            kind: HistoryItemKind::Version,
            sha256: import.blob.as_str(),
            version_number: Some(outcome.version_number()),
            technical_upgrade_id: None,
            note: None,
        };
        history::insert(&mut tx, &row, provenance, &import.document).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// Records an archive's technical or declaration upgrade in one
    /// transaction: a snapshot (or an observation of a known one) of the
    /// version in force, the technical upgrade of that version when
    /// `upgrade` is given (with a fresh manifest entry for the rewritten
    /// version), the recomputed change records, and the provenance row.
    /// No version and no change of the terms is recorded. Returns whether a
    /// technical upgrade was recorded.
    ///
    /// [`StoreError::Conflict`] if the version in force is no longer
    /// `import.previous_version_number`; [`StoreError::InvalidImport`]
    /// without one.
    pub async fn record_history_upgrade(&self, up: HistoryUpgrade) -> Result<bool, StoreError> {
        let import = &up.import;
        if !self.archive().contains(&import.blob) {
            return Err(StoreError::MissingBlob {
                blob: import.blob.clone(),
            });
        }
        let Some(number) = import.previous_version_number else {
            return Err(StoreError::InvalidImport {
                reason: "an upgrade needs a version in force to upgrade".into(),
            });
        };
        let now = ts_to_text(Utc::now());
        let at = ts_to_text(import.observed_at);
        let mut tx = begin_write(self.pool()).await?;
        let document_id = documents::require_id(&mut tx, &import.document).await?;
        let in_force = history::version_in_force(&mut tx, document_id, &at).await?;
        let Some((version_id, _)) = in_force.filter(|(_, n)| *n == number) else {
            return Err(StoreError::Conflict {
                document: import.document.to_string(),
                expected: Some(number),
                actual: in_force.map(|(_, n)| n),
            });
        };
        history::observe_bytes(&mut tx, document_id, version_id, import, &at, &now).await?;
        let mut upgrade_id = None;
        if let Some(upgrade) = &up.upgrade {
            let recorded = upgrades::record_in(
                &mut tx,
                document_id,
                &import.document,
                std::slice::from_ref(upgrade),
                &up.recomputed,
                &now,
            )
            .await?;
            upgrade_id = recorded.first().map(|(_, id)| *id);
            // The version row and its provisions were rewritten.
            let record = manifest::version_record(&mut tx, version_id).await?;
            manifest::append(&mut tx, &record, &now).await?;
        }
        let row = history::Row {
            document_id,
            kind: HistoryItemKind::Upgrade,
            sha256: import.blob.as_str(),
            version_number: Some(number),
            technical_upgrade_id: upgrade_id,
            note: None,
        };
        history::insert(&mut tx, &row, &up.provenance, &import.document).await?;
        tx.commit().await?;
        Ok(upgrade_id.is_some())
    }

    /// Records that an item was read and recorded nothing (it is not a
    /// document, or has no provisions), with the reason, so the report and
    /// later runs know it was seen.
    pub async fn record_history_refusal(
        &self,
        key: &DocumentKey,
        sha256: &str,
        reason: &str,
        provenance: &Provenance,
    ) -> Result<(), StoreError> {
        let now = ts_to_text(Utc::now());
        let mut tx = begin_write(self.pool()).await?;
        let document_id =
            documents::ensure(&mut tx, key, &crate::DocumentMeta::default(), &now).await?;
        let row = history::Row {
            document_id,
            kind: HistoryItemKind::Refused,
            sha256,
            version_number: None,
            technical_upgrade_id: None,
            note: Some(reason),
        };
        history::insert(&mut tx, &row, provenance, key).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every imported item of a document, in capture order: the provenance
    /// reports and exports carry. [`StoreError::NotFound`] if the document
    /// is not stored.
    pub async fn history_items(
        &self,
        key: &DocumentKey,
    ) -> Result<Vec<StoredHistoryItem>, StoreError> {
        let mut tx = begin_read(self.pool()).await?;
        let id = documents::require_id(&mut tx, key).await?;
        history::list(&mut tx, id, key).await
    }

    /// How many imported items of each kind the store holds.
    pub async fn history_counts(&self) -> Result<HistoryCounts, StoreError> {
        let mut tx = begin_read(self.pool()).await?;
        history::counts(&mut tx).await
    }
}
