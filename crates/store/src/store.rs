//! [`Store`]: a clausewatch home folder opened for use. It owns the
//! database pool and the [`Archive`], lays out the home folder, and exposes
//! the async API the rest of clausewatch uses; the SQL lives in `crate::db`.

use crate::archive::Archive;
use crate::db::{self, Pool, begin_read, begin_write, documents, imports, snapshots, versions};
use crate::error::StoreError;
use crate::time::ts_to_text;
use crate::types::{
    DocumentMeta, DocumentRow, ImportOutcome, NewImport, ProvisionHistoryEntry, SnapshotRow,
    StoreCounts, StoredChange, StoredVersion, VersionRow,
};
use chrono::{DateTime, Utc};
use cw_model::{ChangeSet, DocumentKey, Provision, SharedClock, SystemClock, VersionRef};
use std::fs;
use std::path::{Path, PathBuf};

/// The database file inside a home folder.
pub const DATABASE_FILE: &str = "clausewatch.db";
/// The archive directory inside a home folder.
pub const ARCHIVE_DIR: &str = "archive";

/// An open clausewatch home: `clausewatch.db` (SQLite, WAL) and `archive/`.
///
/// Cheap to clone (the pool and archive are shared). All database methods
/// are async; every write happens in one transaction.
#[derive(Debug, Clone)]
pub struct Store {
    home: PathBuf,
    pool: Pool,
    archive: Archive,
    clock: SharedClock,
}

impl Store {
    /// Opens the home folder, creating it, the archive directory and the
    /// database if missing, and applies pending migrations.
    pub async fn open(home: &Path) -> Result<Store, StoreError> {
        fs::create_dir_all(home).map_err(|e| StoreError::io("creating", home, e))?;
        let archive = Archive::open(home.join(ARCHIVE_DIR))?;
        let pool = db::connect(&home.join(DATABASE_FILE)).await?;
        tracing::debug!(home = %home.display(), "opened store");
        Ok(Store {
            home: home.to_path_buf(),
            pool,
            archive,
            clock: SystemClock::shared(),
        })
    }

    /// A store over an already opened pool and archive (`backend.rs`
    /// opens them from a [`StoreOptions`](crate::StoreOptions)).
    pub(crate) fn from_parts(home: &Path, pool: Pool, archive: Archive) -> Store {
        Store {
            home: home.to_path_buf(),
            pool,
            archive,
            clock: SystemClock::shared(),
        }
    }

    /// The same store reading time from `clock` (schedules, leases, retries,
    /// alert delivery): tests step a [`cw_model::ManualClock`] instead of
    /// sleeping. Clones made afterwards share the clock.
    pub fn with_clock(mut self, clock: SharedClock) -> Store {
        self.clock = clock;
        self
    }

    /// The current time by this store's clock (the system clock unless
    /// [`Store::with_clock`] set another).
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Closes the database connections, waiting for them to finish. Dropping
    /// a `Store` also closes them, but without waiting.
    pub async fn close(self) {
        self.pool.close().await;
    }

    /// The home folder.
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// The archive of raw bytes.
    pub fn archive(&self) -> &Archive {
        &self.archive
    }

    /// The database pool, for the `impl Store` blocks of other modules.
    pub(crate) fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Creates the platform and document if missing and fills in metadata
    /// fields that are still empty (fields already set are kept; blank
    /// values are ignored). Returns the document as stored.
    pub async fn ensure_document(
        &self,
        key: &DocumentKey,
        meta: &DocumentMeta,
    ) -> Result<DocumentRow, StoreError> {
        // The common case (every fetch of a watched document): the document
        // exists and the metadata fills no empty field. A read answers it
        // without queueing for the write lock.
        {
            let mut conn = self.pool.acquire().await?;
            if let Some(row) = documents::get(&mut conn, key).await?
                && !fills_empty_field(&row, meta)
            {
                return Ok(row);
            }
        }
        let now = ts_to_text(self.now());
        let mut tx = begin_write(&self.pool).await?;
        documents::ensure(&mut tx, key, meta, &now).await?;
        let row = documents::get(&mut tx, key).await?;
        tx.commit().await?;
        row.ok_or_else(|| StoreError::not_found(format!("document {key}")))
    }

    /// Records one observation of a document's bytes, in one transaction:
    ///
    /// * bytes already recorded for this document whose text is the one in
    ///   force at `observed_at` (or that belong to a later version) → only
    ///   the observation is logged: [`ImportOutcome::SameSnapshot`];
    /// * new bytes whose [`content_hash`](crate::content_hash) equals the
    ///   version preceding `observed_at` → a new snapshot of that version:
    ///   [`ImportOutcome::SameContent`];
    /// * otherwise a new version (number = highest + 1) with its provisions,
    ///   the change record if given, and the snapshot:
    ///   [`ImportOutcome::NewVersion`]. When the bytes or their content
    ///   equal an older version's (the document went back to an earlier
    ///   text), the new version records that it restores the text's first
    ///   version ([`VersionRow::restores`]); bytes archived before keep
    ///   their one snapshot row and only gain the observation.
    ///
    /// The document is created if missing. Errors leave the database as it
    /// was: [`StoreError::MissingBlob`] if the bytes were not archived first;
    /// [`StoreError::InvalidImport`] for a lineage key count that does not
    /// match the provisions or a duplicate provision id;
    /// [`StoreError::Conflict`] if `previous_version_number` is not the
    /// version that now precedes `observed_at` (another import got there
    /// first: re-read [`previous_version`](Self::previous_version), diff
    /// again and retry).
    pub async fn record_import(&self, import: NewImport) -> Result<ImportOutcome, StoreError> {
        if !self.archive.contains(&import.blob) {
            return Err(StoreError::MissingBlob { blob: import.blob });
        }
        let outcome = imports::record(&self.pool, &import).await?;
        tracing::info!(
            document = %import.document,
            blob = %import.blob,
            outcome = ?outcome,
            "recorded import"
        );
        Ok(outcome)
    }

    /// Every document with a summary of its history, by platform then document.
    pub async fn documents(&self) -> Result<Vec<DocumentRow>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        documents::list(&mut conn).await
    }

    /// One document, or `None` if it is not stored.
    pub async fn document(&self, key: &DocumentKey) -> Result<Option<DocumentRow>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        documents::get(&mut conn, key).await
    }

    /// Every version of a document, ordered by observation time then number.
    /// [`StoreError::NotFound`] if the document is not stored.
    pub async fn versions(&self, key: &DocumentKey) -> Result<Vec<VersionRow>, StoreError> {
        let mut tx = begin_read(&self.pool).await?;
        let id = documents::require_id(&mut tx, key).await?;
        let rows = versions::list(&mut tx, id, key).await?;
        Ok(rows.into_iter().map(|(_, row)| row).collect())
    }

    /// One version with its provisions: the latest (by observation), the
    /// newest observed on or before a date, or by number.
    /// [`StoreError::NotFound`] if the document or version does not exist.
    pub async fn version(&self, version: &VersionRef) -> Result<StoredVersion, StoreError> {
        let key = &version.document;
        let mut tx = begin_read(&self.pool).await?;
        let id = documents::require_id(&mut tx, key).await?;
        let Some((version_id, row)) = versions::select(&mut tx, id, key, &version.selector).await?
        else {
            return Err(StoreError::not_found(format!("version {version}")));
        };
        versions::load(&mut tx, version_id, row).await
    }

    /// The version a new observation at `before` would follow: the newest
    /// observed at or before that instant, or `None` if there is none (also
    /// when the document is not stored yet). Pass its number as
    /// [`NewImport::previous_version_number`].
    pub async fn previous_version(
        &self,
        key: &DocumentKey,
        before: DateTime<Utc>,
    ) -> Result<Option<StoredVersion>, StoreError> {
        let mut tx = begin_read(&self.pool).await?;
        let Some(id) = documents::id(&mut tx, key).await? else {
            return Ok(None);
        };
        match versions::preceding(&mut tx, id, key, &ts_to_text(before)).await? {
            None => Ok(None),
            Some((version_id, row)) => Ok(Some(versions::load(&mut tx, version_id, row).await?)),
        }
    }

    /// The change recorded when version `new_version_number` was imported,
    /// or `None` (first version, or imported without a diff).
    /// [`StoreError::NotFound`] if the document is not stored.
    pub async fn change(
        &self,
        key: &DocumentKey,
        new_version_number: u32,
    ) -> Result<Option<StoredChange>, StoreError> {
        let mut tx = begin_read(&self.pool).await?;
        let id = documents::require_id(&mut tx, key).await?;
        versions::change(&mut tx, id, key, new_version_number).await
    }

    /// Every text a provision lineage had: one entry per version (observation
    /// order) holding a provision with that lineage key.
    /// [`StoreError::NotFound`] if the document is not stored.
    pub async fn history(
        &self,
        key: &DocumentKey,
        lineage_key: &str,
    ) -> Result<Vec<(VersionRow, Provision)>, StoreError> {
        let mut tx = begin_read(&self.pool).await?;
        let id = documents::require_id(&mut tx, key).await?;
        versions::history(&mut tx, id, key, lineage_key).await
    }

    /// [`history`](Self::history) with what each version's stored change
    /// record says about the provision: the one record `history`, `diff`,
    /// `timeline`, the web UI and alerts derive "changed" and its
    /// significance from ([`ProvisionHistoryEntry::changed`]).
    /// [`StoreError::NotFound`] if the document is not stored.
    pub async fn provision_history(
        &self,
        key: &DocumentKey,
        lineage_key: &str,
    ) -> Result<Vec<ProvisionHistoryEntry>, StoreError> {
        let mut tx = begin_read(&self.pool).await?;
        let id = documents::require_id(&mut tx, key).await?;
        versions::provision_history(&mut tx, id, key, lineage_key).await
    }

    /// The change set stored for the pair `old_number` → `new_number` of a
    /// document, if that is exactly the pair the change record of
    /// `new_number` compares (else `None`: the caller diffs the two itself).
    /// Views of two stored versions read it first, so they say what the
    /// timeline and the alerts said about the same pair.
    pub async fn stored_change_between(
        &self,
        key: &DocumentKey,
        old_number: u32,
        new_number: u32,
    ) -> Result<Option<ChangeSet>, StoreError> {
        Ok(self
            .change(key, new_number)
            .await?
            .filter(|c| c.old_version == Some(old_number))
            .map(|c| c.change_set))
    }

    /// Every snapshot of a document, oldest first.
    /// [`StoreError::NotFound`] if the document is not stored.
    pub async fn snapshots(&self, key: &DocumentKey) -> Result<Vec<SnapshotRow>, StoreError> {
        let mut tx = begin_read(&self.pool).await?;
        let id = documents::require_id(&mut tx, key).await?;
        snapshots::list(&mut tx, id, key).await
    }

    /// How many rows each table holds.
    pub async fn counts(&self) -> Result<StoreCounts, StoreError> {
        let mut conn = self.pool.acquire().await?;
        documents::counts(&mut conn).await
    }
}

/// Whether [`Store::ensure_document`] would write `meta` into `row`: a
/// non-blank value for a field `row` has empty.
fn fills_empty_field(row: &DocumentRow, meta: &DocumentMeta) -> bool {
    let given = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
    (row.doc_type.is_none() && given(&meta.doc_type))
        || (row.region.is_none() && given(&meta.region))
        || (row.source_url.is_none() && given(&meta.source_url))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The server and the engine run store calls on a multi-threaded
    /// runtime, so every future must be `Send`. Compiling is the test.
    #[allow(dead_code)]
    fn futures_are_send(store: &Store, import: NewImport, key: &DocumentKey, v: &VersionRef) {
        fn is_send<T: Send>(_: T) {}
        is_send(Store::open(Path::new("x")));
        is_send(store.ensure_document(key, &DocumentMeta::default()));
        is_send(store.record_import(import));
        is_send(store.documents());
        is_send(store.document(key));
        is_send(store.versions(key));
        is_send(store.version(v));
        is_send(store.previous_version(key, Utc::now()));
        is_send(store.version_in_force_at(key, Utc::now().date_naive()));
        is_send(store.change(key, 1));
        is_send(store.history(key, "x"));
        is_send(store.provision_history(key, "x"));
        is_send(store.stored_change_between(key, 1, 2));
        is_send(store.snapshots(key));
        is_send(store.counts());
    }
}
