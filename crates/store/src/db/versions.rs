//! SQL that reads versions, their provisions, the changes recorded between
//! them and provision lineages. Versions are ordered by
//! `(observed_at, number)` everywhere.

use super::{Conn, to_u32, to_usize};
use crate::archive::BlobId;
use crate::error::StoreError;
use crate::time::{date_from_text, end_of_day_bound, ts_from_text};
use crate::types::{ProvisionHistoryEntry, StoredChange, StoredVersion, VersionRow};
use cw_model::{
    ChangeSet, DocumentKey, ExtractedDocument, Provision, ProvisionKind, SourceFormat,
    VersionSelector, Warning,
};
use std::collections::HashMap;
use std::collections::hash_map::Entry;

/// The columns of [`VersionRecord`], with the recorded change (if any) joined in.
macro_rules! version_select {
    () => {
        "SELECT v.id, v.number, v.observed_at, v.effective_date, v.title, v.language, v.format,
            v.extractor_version, v.provision_count, v.content_hash,
            c.substantive, ov.number AS compared_with, v.restores_version_id,
            rv.number AS restores
         FROM versions v
         LEFT JOIN changes c ON c.new_version_id = v.id
         LEFT JOIN versions ov ON ov.id = c.old_version_id
         LEFT JOIN versions rv ON rv.id = v.restores_version_id"
    };
}

/// One row of [`version_select!`].
#[derive(sqlx::FromRow)]
pub(crate) struct VersionRecord {
    pub(crate) id: i64,
    number: i64,
    observed_at: String,
    effective_date: Option<String>,
    title: Option<String>,
    language: String,
    format: String,
    extractor_version: String,
    provision_count: i64,
    pub(crate) content_hash: String,
    substantive: Option<i64>,
    compared_with: Option<i64>,
    /// The id of the version whose text this one brings back (migration 0012).
    pub(crate) restores_version_id: Option<i64>,
    restores: Option<i64>,
}

impl VersionRecord {
    /// The version's number, checked.
    pub(crate) fn number(&self) -> Result<u32, StoreError> {
        to_u32(self.number, "version number")
    }

    fn into_row(
        self,
        document: &DocumentKey,
        snapshots: Vec<BlobId>,
    ) -> Result<VersionRow, StoreError> {
        Ok(VersionRow {
            document: document.clone(),
            number: self.number()?,
            observed_at: ts_from_text(&self.observed_at)?,
            effective_date: self
                .effective_date
                .as_deref()
                .map(date_from_text)
                .transpose()?,
            title: self.title,
            language: self.language,
            format: parse_format(&self.format)?,
            extractor_version: self.extractor_version,
            provision_count: to_usize(self.provision_count, "provision count")?,
            snapshots,
            content_hash: self.content_hash,
            compared_with: self
                .compared_with
                .map(|n| to_u32(n, "version number"))
                .transpose()?,
            substantive_changes: self
                .substantive
                .map(|n| to_usize(n, "substantive count"))
                .transpose()?,
            restores: self
                .restores
                .map(|n| to_u32(n, "version number"))
                .transpose()?,
        })
    }
}

fn parse_format(s: &str) -> Result<SourceFormat, StoreError> {
    [
        SourceFormat::Html,
        SourceFormat::Markdown,
        SourceFormat::Pdf,
        SourceFormat::Text,
    ]
    .into_iter()
    .find(|f| f.as_str() == s)
    .ok_or_else(|| StoreError::bad_row(format!("version format {s:?}")))
}

fn parse_kind(s: &str) -> Result<ProvisionKind, StoreError> {
    [
        ProvisionKind::Heading,
        ProvisionKind::Paragraph,
        ProvisionKind::ListItem,
        ProvisionKind::TableRow,
    ]
    .into_iter()
    .find(|k| k.as_str() == s)
    .ok_or_else(|| StoreError::bad_row(format!("provision kind {s:?}")))
}

/// The blob ids of every snapshot of a document, grouped by version id, oldest first.
async fn snapshots_by_version(
    conn: &mut Conn,
    document_id: i64,
) -> Result<HashMap<i64, Vec<BlobId>>, StoreError> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT version_id, sha256 FROM snapshots WHERE document_id = $1 ORDER BY observed_at, id",
    )
    .bind(document_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut map: HashMap<i64, Vec<BlobId>> = HashMap::new();
    for (version_id, sha) in rows {
        let id = sha
            .parse()
            .map_err(|_| StoreError::bad_row(format!("snapshot sha256 {sha:?}")))?;
        map.entry(version_id).or_default().push(id);
    }
    Ok(map)
}

/// The blob ids of one version's snapshots, oldest first: its own, or for
/// a revert whose bytes were archived before (no snapshot row of its own),
/// those of the version it restores.
async fn snapshots_of(conn: &mut Conn, record: &VersionRecord) -> Result<Vec<BlobId>, StoreError> {
    let mut shas = snapshot_shas(conn, record.id).await?;
    if let (true, Some(restored)) = (shas.is_empty(), record.restores_version_id) {
        shas = snapshot_shas(conn, restored).await?;
    }
    shas.into_iter()
        .map(|sha| {
            sha.parse()
                .map_err(|_| StoreError::bad_row(format!("snapshot sha256 {sha:?}")))
        })
        .collect()
}

/// The sha256 of the snapshot rows of one version, oldest first.
async fn snapshot_shas(conn: &mut Conn, version_id: i64) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT sha256 FROM snapshots WHERE version_id = $1 ORDER BY observed_at, id",
    )
    .bind(version_id)
    .fetch_all(&mut *conn)
    .await?)
}

/// Every version of a document, with database ids, ordered by observation.
pub(crate) async fn list(
    conn: &mut Conn,
    document_id: i64,
    key: &DocumentKey,
) -> Result<Vec<(i64, VersionRow)>, StoreError> {
    let records: Vec<VersionRecord> = sqlx::query_as(concat!(
        version_select!(),
        " WHERE v.document_id = $1 ORDER BY v.observed_at, v.number"
    ))
    .bind(document_id)
    .fetch_all(&mut *conn)
    .await?;
    let snapshots = snapshots_by_version(conn, document_id).await?;
    records
        .into_iter()
        .map(|r| {
            let id = r.id;
            // A revert whose bytes were archived before has no snapshot row
            // of its own: its bytes are the restored version's.
            let blobs = match snapshots.get(&id) {
                Some(own) => own.clone(),
                None => r
                    .restores_version_id
                    .and_then(|restored| snapshots.get(&restored).cloned())
                    .unwrap_or_default(),
            };
            Ok((id, r.into_row(key, blobs)?))
        })
        .collect()
}

/// The version record a selector picks, without its snapshots.
async fn select_record(
    conn: &mut Conn,
    document_id: i64,
    selector: &VersionSelector,
) -> Result<Option<VersionRecord>, StoreError> {
    let record = match selector {
        VersionSelector::Latest => {
            sqlx::query_as(concat!(
                version_select!(),
                " WHERE v.document_id = $1 ORDER BY v.observed_at DESC, v.number DESC LIMIT 1"
            ))
            .bind(document_id)
            .fetch_optional(&mut *conn)
            .await?
        }
        VersionSelector::Date(date) => {
            sqlx::query_as(concat!(
                version_select!(),
                " WHERE v.document_id = $1 AND v.observed_at < $2
                  ORDER BY v.observed_at DESC, v.number DESC LIMIT 1"
            ))
            .bind(document_id)
            .bind(end_of_day_bound(*date))
            .fetch_optional(&mut *conn)
            .await?
        }
        VersionSelector::Number(n) => {
            sqlx::query_as(concat!(
                version_select!(),
                " WHERE v.document_id = $1 AND v.number = $2"
            ))
            .bind(document_id)
            .bind(i64::from(*n))
            .fetch_optional(&mut *conn)
            .await?
        }
    };
    Ok(record)
}

/// The version a selector picks, with its database id.
pub(crate) async fn select(
    conn: &mut Conn,
    document_id: i64,
    key: &DocumentKey,
    selector: &VersionSelector,
) -> Result<Option<(i64, VersionRow)>, StoreError> {
    match select_record(conn, document_id, selector).await? {
        None => Ok(None),
        Some(record) => {
            let id = record.id;
            let blobs = snapshots_of(conn, &record).await?;
            Ok(Some((id, record.into_row(key, blobs)?)))
        }
    }
}

/// The newest version observed at or before `at` (stored timestamp text):
/// the one a new observation at `at` follows.
pub(crate) async fn preceding_record(
    conn: &mut Conn,
    document_id: i64,
    at: &str,
) -> Result<Option<VersionRecord>, StoreError> {
    let record = sqlx::query_as(concat!(
        version_select!(),
        " WHERE v.document_id = $1 AND v.observed_at <= $2
          ORDER BY v.observed_at DESC, v.number DESC LIMIT 1"
    ))
    .bind(document_id)
    .bind(at)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(record)
}

/// [`preceding_record`] as a row with its snapshots.
pub(crate) async fn preceding(
    conn: &mut Conn,
    document_id: i64,
    key: &DocumentKey,
    at: &str,
) -> Result<Option<(i64, VersionRow)>, StoreError> {
    match preceding_record(conn, document_id, at).await? {
        None => Ok(None),
        Some(record) => {
            let id = record.id;
            let blobs = snapshots_of(conn, &record).await?;
            Ok(Some((id, record.into_row(key, blobs)?)))
        }
    }
}

/// One stored provision row.
#[derive(sqlx::FromRow)]
struct ProvisionRecord {
    version_id: i64,
    provision_id: String,
    heading_path: String,
    kind: String,
    text: String,
    lineage_key: String,
}

impl ProvisionRecord {
    fn into_provision(self) -> Result<(Provision, String), StoreError> {
        let heading_path: Vec<String> = serde_json::from_str(&self.heading_path).map_err(|e| {
            StoreError::bad_row(format!(
                "heading path of provision {}: {e}",
                self.provision_id
            ))
        })?;
        let kind = parse_kind(&self.kind)?;
        Ok((
            Provision::new(self.provision_id, heading_path, kind, self.text),
            self.lineage_key,
        ))
    }
}

/// Loads the provisions and warnings of a version into a [`StoredVersion`].
pub(crate) async fn load(
    conn: &mut Conn,
    version_id: i64,
    row: VersionRow,
) -> Result<StoredVersion, StoreError> {
    let warnings_json: String = sqlx::query_scalar("SELECT warnings FROM versions WHERE id = $1")
        .bind(version_id)
        .fetch_one(&mut *conn)
        .await?;
    let warnings: Vec<Warning> = serde_json::from_str(&warnings_json)
        .map_err(|e| StoreError::bad_row(format!("warnings of version {}: {e}", row.number)))?;
    let records: Vec<ProvisionRecord> = sqlx::query_as(
        "SELECT version_id, provision_id, heading_path, kind, text, lineage_key
         FROM provisions WHERE version_id = $1 ORDER BY position",
    )
    .bind(version_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut provisions = Vec::with_capacity(records.len());
    let mut lineage_keys = Vec::with_capacity(records.len());
    for record in records {
        let (provision, lineage) = record.into_provision()?;
        provisions.push(provision);
        lineage_keys.push(lineage);
    }
    let document = ExtractedDocument {
        title: row.title.clone(),
        effective_date: row.effective_date,
        language: row.language.clone(),
        format: row.format,
        provisions,
        warnings,
        coverage: None,
    };
    Ok(StoredVersion {
        row,
        document,
        lineage_keys,
    })
}

/// The change recorded for version `number` of a document, if any.
pub(crate) async fn change(
    conn: &mut Conn,
    document_id: i64,
    key: &DocumentKey,
    number: u32,
) -> Result<Option<StoredChange>, StoreError> {
    let record: Option<(Option<i64>, String)> = sqlx::query_as(
        "SELECT ov.number, c.change_set
         FROM changes c
         JOIN versions v ON v.id = c.new_version_id
         LEFT JOIN versions ov ON ov.id = c.old_version_id
         WHERE v.document_id = $1 AND v.number = $2",
    )
    .bind(document_id)
    .bind(i64::from(number))
    .fetch_optional(&mut *conn)
    .await?;
    let Some((old, json)) = record else {
        return Ok(None);
    };
    let change_set: ChangeSet = serde_json::from_str(&json)
        .map_err(|e| StoreError::bad_row(format!("change set of {key}@{number}: {e}")))?;
    Ok(Some(StoredChange {
        document: key.clone(),
        old_version: old.map(|n| to_u32(n, "version number")).transpose()?,
        new_version: number,
        change_set,
    }))
}

/// Every provision of a document with the given lineage key, with its
/// version, ordered by version (observation order) then position.
pub(crate) async fn history(
    conn: &mut Conn,
    document_id: i64,
    key: &DocumentKey,
    lineage_key: &str,
) -> Result<Vec<(VersionRow, Provision)>, StoreError> {
    let versions = list(conn, document_id, key).await?;
    let records: Vec<ProvisionRecord> = sqlx::query_as(
        "SELECT pr.version_id, pr.provision_id, pr.heading_path, pr.kind, pr.text, pr.lineage_key
         FROM provisions pr JOIN versions v ON v.id = pr.version_id
         WHERE v.document_id = $1 AND pr.lineage_key = $2
         ORDER BY pr.version_id, pr.position",
    )
    .bind(document_id)
    .bind(lineage_key)
    .fetch_all(&mut *conn)
    .await?;
    let mut by_version: HashMap<i64, Vec<Provision>> = HashMap::new();
    for record in records {
        let version_id = record.version_id;
        let (provision, _) = record.into_provision()?;
        by_version.entry(version_id).or_default().push(provision);
    }
    let mut out = Vec::new();
    for (id, row) in versions {
        for provision in by_version.remove(&id).unwrap_or_default() {
            out.push((row.clone(), provision));
        }
    }
    Ok(out)
}

/// [`history`] with, for each entry, the entry of its version's stored
/// change record for that provision (matched by its id on the new side).
pub(crate) async fn provision_history(
    conn: &mut Conn,
    document_id: i64,
    key: &DocumentKey,
    lineage_key: &str,
) -> Result<Vec<ProvisionHistoryEntry>, StoreError> {
    let rows = history(conn, document_id, key, lineage_key).await?;
    let mut changes: HashMap<u32, Option<ChangeSet>> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for (version, provision) in rows {
        if let Entry::Vacant(slot) = changes.entry(version.number) {
            let stored = change(conn, document_id, key, version.number).await?;
            slot.insert(stored.map(|c| c.change_set));
        }
        let change = changes
            .get(&version.number)
            .and_then(Option::as_ref)
            .and_then(|cs| {
                cs.changes
                    .iter()
                    .find(|c| c.new_id.as_deref() == Some(provision.id.as_str()))
            })
            .cloned();
        out.push(ProvisionHistoryEntry {
            version,
            provision,
            change,
        });
    }
    Ok(out)
}
