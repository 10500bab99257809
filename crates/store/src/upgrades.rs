//! Technical upgrades and history repairs: the store API for
//! `clausewatch reextract` (a version re-extracted by a newer extractor is
//! recorded as a [`StoredUpgrade`], never as a change of the terms) and for
//! imports that arrive out of date order (the change record of the version
//! that follows is recomputed in the same transaction, see
//! [`Store::record_import_with_next`]).

use crate::db::{begin_read, documents, imports, upgrades, versions};
use crate::error::StoreError;
use crate::store::Store;
use crate::time::ts_to_text;
use crate::types::{ImportOutcome, NewImport, StoredVersion};
use chrono::{DateTime, Utc};
use cw_model::{ChangeSet, DiffSummary, DocumentKey, ExtractedDocument};
use serde::{Serialize, Serializer};

fn key_as_string<S: Serializer>(key: &DocumentKey, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(key)
}

/// One version re-extracted with different content, as handed to
/// [`Store::record_technical_upgrades`].
#[derive(Debug, Clone, PartialEq)]
pub struct VersionUpgrade {
    /// The version re-extracted.
    pub version_number: u32,
    /// The content hash the version holds now (what the caller re-extracted
    /// against); a mismatch at write time is a [`StoreError::Conflict`].
    pub old_content_hash: String,
    /// The extractor that produced `extracted` (normally `cw_model::EXTRACTOR_VERSION`).
    pub extractor_version: String,
    /// The new extraction; replaces the version's provisions and metadata.
    pub extracted: ExtractedDocument,
    /// One lineage key per provision of `extracted`.
    pub lineage_keys: Vec<String>,
    /// What the extractor changed: the diff of the stored extraction against `extracted`.
    pub change: ChangeSet,
    /// The stored extraction being replaced (kept in the upgrade record).
    pub replaced: ExtractedDocument,
    /// Its lineage keys.
    pub replaced_lineage_keys: Vec<String>,
}

/// A change record to set because a version on either side was re-extracted.
#[derive(Debug, Clone, PartialEq)]
pub struct RecomputedChange {
    /// The version the change leads to.
    pub new_version: u32,
    /// The version it is computed against (`None`: against nothing).
    pub old_version: Option<u32>,
    /// The diff of the two current extractions.
    pub change: ChangeSet,
}

/// A recorded technical upgrade: a version's provisions replaced by a newer
/// extractor's reading of the same archived bytes. Not a change of the terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct StoredUpgrade {
    /// `platform/document`.
    #[serde(serialize_with = "key_as_string")]
    pub document: DocumentKey,
    /// The version re-extracted.
    pub version: u32,
    /// Always `true`: the marker alerting code filters on (an upgrade never alerts).
    pub technical_upgrade: bool,
    /// The extractor that produced the replaced provisions.
    pub old_extractor_version: String,
    /// The extractor that produced the current ones.
    pub new_extractor_version: String,
    /// Content hash before.
    pub old_content_hash: String,
    /// Content hash after.
    pub new_content_hash: String,
    /// Counts of what the extractor changed.
    pub summary: DiffSummary,
    /// What the extractor changed, provision by provision.
    pub change_set: ChangeSet,
    /// When the upgrade was recorded.
    pub recorded_at: DateTime<Utc>,
}

/// What the caller of [`Store::record_import_with_next`] saw following the
/// new observation, and the diff it computed against it.
#[derive(Debug, Clone, PartialEq)]
pub struct NextVersion {
    /// The version that follows `observed_at` (`None`: the import is the newest).
    pub version_number: Option<u32>,
    /// Its diff against the imported extraction (`Some` when `version_number` is).
    pub change: Option<ChangeSet>,
}

impl Store {
    /// Records an import like [`Store::record_import`], also keeping the
    /// history right when the bytes are older than a stored version:
    ///
    /// * content equal to the version that follows → a snapshot of that
    ///   version, whose first observation moves earlier
    ///   ([`ImportOutcome::SameContent`]);
    /// * a new version → the change record of the version that follows is
    ///   replaced by `next.change` (computed against the new version), in the
    ///   same transaction.
    ///
    /// [`StoreError::Conflict`] if the preceding or the following version is
    /// no longer the one the caller diffed against.
    pub async fn record_import_with_next(
        &self,
        import: NewImport,
        next: NextVersion,
    ) -> Result<ImportOutcome, StoreError> {
        if !self.archive().contains(&import.blob) {
            return Err(StoreError::MissingBlob { blob: import.blob });
        }
        let outcome = imports::record_with_next(self.pool(), &import, Some(&next)).await?;
        tracing::info!(
            document = %import.document,
            blob = %import.blob,
            outcome = ?outcome,
            "recorded import"
        );
        Ok(outcome)
    }

    /// The first version observed strictly after `after`: the one a new
    /// observation at `after` would precede. `None` if there is none (also
    /// when the document is not stored).
    pub async fn next_version(
        &self,
        key: &DocumentKey,
        after: DateTime<Utc>,
    ) -> Result<Option<StoredVersion>, StoreError> {
        let mut tx = begin_read(self.pool()).await?;
        let Some(id) = documents::id(&mut tx, key).await? else {
            return Ok(None);
        };
        let Some(next) = upgrades::following(&mut tx, id, &ts_to_text(after)).await? else {
            return Ok(None);
        };
        let selector = cw_model::VersionSelector::Number(next.number()?);
        match versions::select(&mut tx, id, key, &selector).await? {
            None => Ok(None),
            Some((version_id, row)) => Ok(Some(versions::load(&mut tx, version_id, row).await?)),
        }
    }

    /// Records the technical upgrades of one document in one transaction:
    /// each version's provisions and metadata are replaced, an upgrade
    /// record keeps what was replaced, and the `recomputed` change records
    /// are set (marked as caused by the upgrade). No version and no change
    /// record of its own is added. Returns the upgraded version numbers.
    pub async fn record_technical_upgrades(
        &self,
        key: &DocumentKey,
        upgrades: &[VersionUpgrade],
        recomputed: &[RecomputedChange],
    ) -> Result<Vec<u32>, StoreError> {
        let numbers = upgrades::record(self.pool(), key, upgrades, recomputed).await?;
        tracing::info!(document = %key, versions = ?numbers, "recorded technical upgrades");
        Ok(numbers)
    }

    /// Every technical upgrade of a document, in version order.
    /// [`StoreError::NotFound`] if the document is not stored.
    pub async fn technical_upgrades(
        &self,
        key: &DocumentKey,
    ) -> Result<Vec<StoredUpgrade>, StoreError> {
        let mut tx = begin_read(self.pool()).await?;
        let id = documents::require_id(&mut tx, key).await?;
        upgrades::list(&mut tx, id, key).await
    }

    /// Numbers of the versions whose change record was recomputed by a
    /// technical upgrade rather than computed at import. Alerting code
    /// skips them. [`StoreError::NotFound`] if the document is not stored.
    pub async fn changes_recomputed_by_upgrades(
        &self,
        key: &DocumentKey,
    ) -> Result<Vec<u32>, StoreError> {
        let mut tx = begin_read(self.pool()).await?;
        let id = documents::require_id(&mut tx, key).await?;
        upgrades::recomputed_changes(&mut tx, id).await
    }
}
