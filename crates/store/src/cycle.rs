//! The store side of a watch cycle's batched work (SQL in `db::cycle`):
//! finding the versions whose derived data (analysis, search index) is
//! still to be made, and logging many fetch attempts in one transaction.
//!
//! A watch cycle records a new version at once (archive, extract, diff,
//! store, alert) and leaves its analysis and index entries to a later
//! batch. "Lacks an analysis row" is the durable marker of that pending
//! work: a process killed between the version and its analysis finds the
//! version again on its next run, with nothing else to remember.

use crate::analysis::{AnalysisOutcome, NewAnalysis};
use crate::db::{
    analysis as analysis_sql, begin_read, begin_write, cycle as sql, documents, versions,
    watch as watch_sql,
};
use crate::error::StoreError;
use crate::store::Store;
use crate::time::ts_to_text;
use crate::watch::NewAttempt;
use cw_model::{DocumentKey, VersionSelector};

/// One version as the derived-data checks see it
/// ([`Store::version_inventory`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventoryVersion {
    /// The document.
    pub document: DocumentKey,
    /// The version number.
    pub number: u32,
    /// How many provisions it has (a version without any has no index
    /// entries to look for).
    pub provisions: u64,
    /// Whether it has an analysis row (of any analyzer).
    pub analysed: bool,
}

/// A version whose derived data (analysis, index entries) is still to be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingVersion {
    /// The version's row id: a cursor for paging
    /// ([`Store::versions_lacking_analysis`]'s `after_id`).
    pub row_id: i64,
    /// The document.
    pub document: DocumentKey,
    /// The version number.
    pub number: u32,
}

impl Store {
    /// Up to `limit` versions (watched or imported) that have no stored
    /// analysis, in the order they were recorded, after row id `after_id`
    /// (0 for the start). Versions
    /// analysed by an older analyzer have a row and are not listed: that is
    /// `clausewatch analyze`'s business, not the watch cycle's.
    pub async fn versions_lacking_analysis(
        &self,
        after_id: i64,
        limit: u32,
    ) -> Result<Vec<PendingVersion>, StoreError> {
        let mut tx = begin_read(self.pool()).await?;
        let rows = sql::versions_lacking_analysis(&mut tx, after_id, limit).await?;
        Ok(rows
            .into_iter()
            .map(|(row_id, document, number)| PendingVersion {
                row_id,
                document,
                number,
            })
            .collect())
    }

    /// Every version of every document, in the order they were recorded,
    /// with its provision count and whether it has an analysis row: what
    /// `verify` and the derived-data catch-up compare with the search index.
    pub async fn version_inventory(&self) -> Result<Vec<InventoryVersion>, StoreError> {
        let mut tx = begin_read(self.pool()).await?;
        let rows = sql::version_inventory(&mut tx).await?;
        Ok(rows
            .into_iter()
            .map(
                |(document, number, provisions, analysed)| InventoryVersion {
                    document,
                    number,
                    provisions,
                    analysed,
                },
            )
            .collect())
    }

    /// Logs several fetch attempts in one transaction, each exactly as
    /// [`Store::record_attempt`] would (attempt row, source's state and due
    /// time, superseded candidate). All or nothing: a process killed before
    /// the commit leaves none of them, so their sources stay due and are
    /// fetched again; none is ever written twice.
    pub async fn record_attempts(&self, attempts: &[NewAttempt]) -> Result<(), StoreError> {
        if attempts.is_empty() {
            return Ok(());
        }
        let now = ts_to_text(self.now());
        let mut tx = begin_write(self.pool()).await?;
        for attempt in attempts {
            watch_sql::insert_attempt(&mut tx, attempt).await?;
            watch_sql::update_source_after(&mut tx, attempt, &now).await?;
            if attempt.supersede_candidate {
                watch_sql::supersede_candidates(&mut tx, attempt.source_id, &now).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Records several analyses in one transaction, each as
    /// [`Store::record_analysis`] would. An analysis whose version vanished
    /// or whose provisions were replaced since it was computed (its
    /// `content_hash` is not the version's) is skipped, not an error: it is
    /// derived data and the next pass computes it again. Returns one entry
    /// per analysis, `None` for the skipped ones.
    pub async fn record_analyses(
        &self,
        analyses: &[NewAnalysis],
    ) -> Result<Vec<Option<AnalysisOutcome>>, StoreError> {
        let now = ts_to_text(self.now());
        let mut tx = begin_write(self.pool()).await?;
        let mut out = Vec::with_capacity(analyses.len());
        for new in analyses {
            let Some(doc_id) = documents::id(&mut tx, &new.document).await? else {
                out.push(None);
                continue;
            };
            let selector = VersionSelector::Number(new.version_number);
            let found = versions::select(&mut tx, doc_id, &new.document, &selector).await?;
            let Some((version_id, row)) = found.filter(|(_, r)| r.content_hash == new.content_hash)
            else {
                tracing::debug!(document = %new.document, version = new.version_number,
                    "analysis skipped: the version changed since it was computed");
                out.push(None);
                continue;
            };
            let outcome =
                analysis_sql::record(&mut tx, version_id, row.provision_count, new, &now).await?;
            out.push(Some(outcome));
        }
        tx.commit().await?;
        Ok(out)
    }
}
