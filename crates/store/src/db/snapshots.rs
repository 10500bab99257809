//! SQL for snapshots (distinct byte strings of a document, naming archive
//! blobs) and observations (every sighting of a snapshot).

use super::{Conn, to_i64, to_u32, to_u64};
use crate::error::StoreError;
use crate::time::ts_from_text;
use crate::types::{NewImport, SnapshotRow};
use cw_model::DocumentKey;

#[derive(sqlx::FromRow)]
struct SnapshotRecord {
    sha256: String,
    size: i64,
    format: String,
    source: String,
    observed_at: String,
    version_number: i64,
    observation_count: i64,
    last_observed_at: Option<String>,
}

/// Every snapshot of a document, oldest first.
pub(crate) async fn list(
    conn: &mut Conn,
    document_id: i64,
    key: &DocumentKey,
) -> Result<Vec<SnapshotRow>, StoreError> {
    let records: Vec<SnapshotRecord> = sqlx::query_as(
        "SELECT s.sha256, s.size, s.format, s.source, s.observed_at, v.number AS version_number,
            (SELECT COUNT(*) FROM observations o WHERE o.snapshot_id = s.id) AS observation_count,
            (SELECT MAX(o.observed_at) FROM observations o WHERE o.snapshot_id = s.id)
                AS last_observed_at
         FROM snapshots s JOIN versions v ON v.id = s.version_id
         WHERE s.document_id = $1
         ORDER BY s.observed_at, s.id",
    )
    .bind(document_id)
    .fetch_all(&mut *conn)
    .await?;
    records
        .into_iter()
        .map(|r| {
            let observed_at = ts_from_text(&r.observed_at)?;
            Ok(SnapshotRow {
                document: key.clone(),
                blob: r
                    .sha256
                    .parse()
                    .map_err(|_| StoreError::bad_row(format!("snapshot sha256 {:?}", r.sha256)))?,
                size: to_u64(r.size, "snapshot size")?,
                format: r.format,
                source: r.source,
                observed_at,
                version_number: to_u32(r.version_number, "version number")?,
                observation_count: to_u32(r.observation_count, "observation count")?,
                last_observed_at: match r.last_observed_at {
                    Some(t) => ts_from_text(&t)?,
                    None => observed_at,
                },
            })
        })
        .collect()
}

/// A snapshot already recorded for a document, with the version its bytes
/// were first recorded as.
pub(crate) struct KnownSnapshot {
    /// The snapshot's id.
    pub(crate) id: i64,
    /// Its version's id.
    pub(crate) version_id: i64,
    /// Its version's number.
    pub(crate) number: u32,
    /// When its version was first observed (stored timestamp text).
    pub(crate) version_observed_at: String,
}

/// The snapshot of a document with these bytes, if recorded.
pub(crate) async fn find(
    conn: &mut Conn,
    document_id: i64,
    sha256: &str,
) -> Result<Option<KnownSnapshot>, StoreError> {
    let found: Option<(i64, i64, i64, String)> = sqlx::query_as(
        "SELECT s.id, v.id, v.number, v.observed_at
         FROM snapshots s JOIN versions v ON v.id = s.version_id
         WHERE s.document_id = $1 AND s.sha256 = $2",
    )
    .bind(document_id)
    .bind(sha256)
    .fetch_optional(&mut *conn)
    .await?;
    found
        .map(|(id, version_id, number, version_observed_at)| {
            Ok(KnownSnapshot {
                id,
                version_id,
                number: to_u32(number, "version number")?,
                version_observed_at,
            })
        })
        .transpose()
}

/// Logs one sighting of a snapshot.
pub(crate) async fn observe(
    conn: &mut Conn,
    snapshot_id: i64,
    source: &str,
    observed_at: &str,
    now: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO observations (snapshot_id, source, observed_at, created_at)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(snapshot_id)
    .bind(source)
    .bind(observed_at)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records the import's bytes as a new snapshot of `version_id`, with its
/// first observation; returns the snapshot id.
pub(crate) async fn insert(
    conn: &mut Conn,
    document_id: i64,
    version_id: i64,
    import: &NewImport,
    observed_at: &str,
    now: &str,
) -> Result<i64, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO snapshots
            (document_id, version_id, sha256, size, format, source, observed_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         RETURNING id",
    )
    .bind(document_id)
    .bind(version_id)
    .bind(import.blob.as_str())
    .bind(to_i64(import.size, "snapshot size")?)
    .bind(&import.format)
    .bind(&import.source)
    .bind(observed_at)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    observe(conn, id, &import.source, observed_at, now).await?;
    Ok(id)
}
