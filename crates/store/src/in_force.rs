//! The version in force at a date, with the observation that proves it
//! (issue #23; Open Terms Archive's `/version/:service/:type/:date`).
//! One place answers it for `show DOC@DATE`, the API and reports.

use crate::db::{begin_read, documents, history, versions};
use crate::error::StoreError;
use crate::history::StoredHistoryItem;
use crate::store::Store;
use crate::time::end_of_day_bound;
use crate::types::StoredVersion;
use chrono::{DateTime, NaiveDate, Utc};
use cw_model::{DocumentKey, VersionSelector};
use serde::Serialize;

/// One sighting of a version's bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObservationProof {
    /// When the bytes were seen.
    pub observed_at: DateTime<Utc>,
    /// Where they came from (file, URL, archive item).
    pub source: String,
    /// The archive blob holding them.
    pub sha256: String,
}

/// The version in force on a date and why we know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionInForce {
    /// The date asked about.
    pub date: NaiveDate,
    /// The version: the newest observed on or before the end of that day.
    pub version: StoredVersion,
    /// The last observation of that version on or before the end of the
    /// day: the latest evidence that it was the text in force.
    pub proof: ObservationProof,
    /// When the version that replaced it was first observed, if any
    /// (the version was in force until then, as far as anyone saw).
    pub replaced_at: Option<DateTime<Utc>>,
    /// The imported-history item behind the proof, when the proof came
    /// from another archive (`import-history`).
    pub provenance: Option<StoredHistoryItem>,
}

impl Store {
    /// The version of `key` observed in force on `date` (the newest
    /// observed on or before the end of that day, UTC) with the
    /// observation that proves it. `None` when nothing was observed by
    /// then, or when the document is not stored.
    pub async fn version_in_force_at(
        &self,
        key: &DocumentKey,
        date: NaiveDate,
    ) -> Result<Option<VersionInForce>, StoreError> {
        let mut tx = begin_read(self.pool()).await?;
        let Some(id) = documents::id(&mut tx, key).await? else {
            return Ok(None);
        };
        let Some((version_id, row)) =
            versions::select(&mut tx, id, key, &VersionSelector::Date(date)).await?
        else {
            return Ok(None);
        };
        let end = end_of_day_bound(date);
        let Some((proof, sha256)) = history::proof(&mut tx, version_id, &end).await? else {
            return Err(StoreError::bad_row(format!(
                "version {key}@{} has no observation",
                row.number
            )));
        };
        let replaced_at = history::replaced_at(&mut tx, id, version_id).await?;
        let provenance = history::list(&mut tx, id, key)
            .await?
            .into_iter()
            .filter(|i| i.sha256 == sha256 && i.provenance.captured_at <= proof.observed_at)
            .max_by_key(|i| i.provenance.captured_at);
        let version = versions::load(&mut tx, version_id, row).await?;
        Ok(Some(VersionInForce {
            date,
            version,
            proof,
            replaced_at,
            provenance,
        }))
    }
}
