//! SQL of imported histories: the `history_items` provenance rows
//! (migration 0013) and the snapshot an archive's upgrade adds.

use super::{Conn, manifest, snapshots, to_u32};
use crate::archive::BlobId;
use crate::error::StoreError;
use crate::history::{HistoryCounts, HistoryItemKind, Provenance, StoredHistoryItem};
use crate::time::{ts_from_text, ts_to_text};
use crate::types::NewImport;
use chrono::Utc;
use cw_model::DocumentKey;
use std::collections::HashSet;

/// What an item recorded, beside its provenance.
pub(crate) struct Row<'a> {
    pub(crate) document_id: i64,
    pub(crate) kind: HistoryItemKind,
    pub(crate) sha256: &'a str,
    pub(crate) version_number: Option<u32>,
    pub(crate) technical_upgrade_id: Option<i64>,
    pub(crate) note: Option<&'a str>,
}

/// Inserts one provenance row. A second row for the same item (a
/// concurrent run got there first) is a [`StoreError::Conflict`], which
/// rolls the caller's transaction back.
pub(crate) async fn insert(
    conn: &mut Conn,
    row: &Row<'_>,
    p: &Provenance,
    key: &DocumentKey,
) -> Result<(), StoreError> {
    let version_id: Option<i64> = match row.version_number {
        Some(n) => Some(
            sqlx::query_scalar("SELECT id FROM versions WHERE document_id = $1 AND number = $2")
                .bind(row.document_id)
                .bind(i64::from(n))
                .fetch_one(&mut *conn)
                .await?,
        ),
        None => None,
    };
    sqlx::query(
        "INSERT INTO history_items (document_id, archive, item, commit_id, path, captured_at,
            kind, sha256, version_id, technical_upgrade_id, snapshot_refs, raw_sha256, note,
            created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(row.document_id)
    .bind(&p.archive)
    .bind(&p.item)
    .bind(p.commit.as_deref())
    .bind(&p.path)
    .bind(ts_to_text(p.captured_at))
    .bind(row.kind.as_str())
    .bind(row.sha256)
    .bind(version_id)
    .bind(row.technical_upgrade_id)
    .bind(p.snapshot_refs.as_deref())
    .bind(p.raw_blob.as_ref().map(BlobId::as_str))
    .bind(row.note)
    .bind(ts_to_text(Utc::now()))
    .execute(&mut *conn)
    .await
    .map_err(|e| match e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict {
            document: format!(
                "{key} (history item {} of {} imported meanwhile)",
                p.item, p.archive
            ),
            expected: None,
            actual: None,
        },
        other => StoreError::Db(other),
    })?;
    Ok(())
}

/// The `(document, item)` pairs already imported from an archive.
pub(crate) async fn items_of_archive(
    conn: &mut Conn,
    archive: &str,
) -> Result<HashSet<(DocumentKey, String)>, StoreError> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT p.slug, d.slug, h.item FROM history_items h
         JOIN documents d ON d.id = h.document_id JOIN platforms p ON p.id = d.platform_id
         WHERE h.archive = $1",
    )
    .bind(archive)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(p, d, item)| Ok((super::to_document_key(&p, &d)?, item)))
        .collect()
}

/// Id and number of the version in force at `at` (stored timestamp text):
/// the newest observed at or before it.
pub(crate) async fn version_in_force(
    conn: &mut Conn,
    document_id: i64,
    at: &str,
) -> Result<Option<(i64, u32)>, StoreError> {
    let row: Option<(i64, i64)> = sqlx::query_as(
        "SELECT id, number FROM versions WHERE document_id = $1 AND observed_at <= $2
         ORDER BY observed_at DESC, number DESC LIMIT 1",
    )
    .bind(document_id)
    .bind(at)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|(id, n)| Ok((id, to_u32(n, "version number")?)))
        .transpose()
}

/// Logs the bytes of an upgrade as an observation of `version_id`: a new
/// snapshot of it, or a sighting of bytes already recorded for the
/// document; with the manifest entries of an import.
pub(crate) async fn observe_bytes(
    conn: &mut Conn,
    document_id: i64,
    version_id: i64,
    import: &NewImport,
    at: &str,
    now: &str,
) -> Result<(), StoreError> {
    let new_snapshot = match snapshots::find(conn, document_id, import.blob.as_str()).await? {
        Some(known) => {
            snapshots::observe(conn, known.id, &import.source, at, now).await?;
            false
        }
        None => {
            snapshots::insert(conn, document_id, version_id, import, at, now).await?;
            true
        }
    };
    manifest::record_import(conn, document_id, None, new_snapshot, import, at).await
}

/// One row of [`list`].
#[derive(sqlx::FromRow)]
struct ItemRecord {
    archive: String,
    item: String,
    commit_id: Option<String>,
    path: String,
    captured_at: String,
    kind: String,
    sha256: String,
    number: Option<i64>,
    technical_upgrade_id: Option<i64>,
    snapshot_refs: Option<String>,
    raw_sha256: Option<String>,
    note: Option<String>,
}

/// Every provenance row of a document, in capture order.
pub(crate) async fn list(
    conn: &mut Conn,
    document_id: i64,
    key: &DocumentKey,
) -> Result<Vec<StoredHistoryItem>, StoreError> {
    let rows: Vec<ItemRecord> = sqlx::query_as(
        "SELECT h.archive, h.item, h.commit_id, h.path, h.captured_at, h.kind, h.sha256,
            v.number, h.technical_upgrade_id, h.snapshot_refs, h.raw_sha256, h.note
         FROM history_items h LEFT JOIN versions v ON v.id = h.version_id
         WHERE h.document_id = $1 ORDER BY h.captured_at, h.id",
    )
    .bind(document_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            let raw_blob = match r.raw_sha256 {
                Some(s) => Some(
                    s.parse::<BlobId>()
                        .map_err(|e| StoreError::bad_row(format!("raw_sha256 {s:?}: {e}")))?,
                ),
                None => None,
            };
            Ok(StoredHistoryItem {
                document: key.clone(),
                provenance: Provenance {
                    archive: r.archive,
                    item: r.item,
                    commit: r.commit_id,
                    path: r.path,
                    captured_at: ts_from_text(&r.captured_at)?,
                    snapshot_refs: r.snapshot_refs,
                    raw_blob,
                },
                kind: HistoryItemKind::parse(&r.kind)?,
                sha256: r.sha256,
                version: r.number.map(|n| to_u32(n, "version number")).transpose()?,
                technical_upgrade: r.technical_upgrade_id.is_some(),
                note: r.note,
            })
        })
        .collect()
}

/// Rows per kind, and upgrades that rewrote a version.
pub(crate) async fn counts(conn: &mut Conn) -> Result<HistoryCounts, StoreError> {
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT kind, COUNT(*), COUNT(technical_upgrade_id) FROM history_items GROUP BY kind",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut counts = HistoryCounts::default();
    for (kind, n, upgraded) in rows {
        let n = super::to_u64(n, "history item count")?;
        match HistoryItemKind::parse(&kind)? {
            HistoryItemKind::Version => counts.versions = n,
            HistoryItemKind::Upgrade => {
                counts.upgrades = n;
                counts.technical_upgrades = super::to_u64(upgraded, "upgrade count")?;
            }
            HistoryItemKind::Refused => counts.refused = n,
        }
    }
    Ok(counts)
}

/// The last observation of a version at or before `end` (stored timestamp
/// text), and the blob it saw.
pub(crate) async fn proof(
    conn: &mut Conn,
    version_id: i64,
    end: &str,
) -> Result<Option<(crate::in_force::ObservationProof, String)>, StoreError> {
    let row: Option<(String, String, String)> = sqlx::query_as(
        // A revert made of bytes archived before has no snapshot of its
        // own: its sightings are logged on the snapshot of an earlier
        // version with the same content, and count from its own start.
        "SELECT o.observed_at, o.source, s.sha256 FROM observations o
         JOIN snapshots s ON s.id = o.snapshot_id
         JOIN versions v ON v.id = $1
         WHERE o.observed_at <= $2
           AND (s.version_id = v.id
                OR (o.observed_at >= v.observed_at
                    AND s.version_id IN (SELECT w.id FROM versions w
                                          WHERE w.document_id = v.document_id
                                            AND w.content_hash = v.content_hash)))
         ORDER BY o.observed_at DESC, o.id DESC LIMIT 1",
    )
    .bind(version_id)
    .bind(end)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|(at, source, sha256)| {
        Ok((
            crate::in_force::ObservationProof {
                observed_at: ts_from_text(&at)?,
                source,
                sha256: sha256.clone(),
            },
            sha256,
        ))
    })
    .transpose()
}

/// When the version following `version_id` (by observation) was first seen.
pub(crate) async fn replaced_at(
    conn: &mut Conn,
    document_id: i64,
    version_id: i64,
) -> Result<Option<chrono::DateTime<Utc>>, StoreError> {
    let at: Option<String> = sqlx::query_scalar(
        "SELECT n.observed_at FROM versions v JOIN versions n
           ON n.document_id = v.document_id
          AND (n.observed_at > v.observed_at OR (n.observed_at = v.observed_at AND n.number > v.number))
         WHERE v.id = $1 AND v.document_id = $2
         ORDER BY n.observed_at, n.number LIMIT 1",
    )
    .bind(version_id)
    .bind(document_id)
    .fetch_optional(&mut *conn)
    .await?;
    at.map(|t| ts_from_text(&t)).transpose()
}
