//! SQL for platforms and documents: create on first use, fill in metadata,
//! list with a summary of each document's history, count rows.

use super::{Conn, to_document_key, to_u32, to_u64};
use crate::error::StoreError;
use crate::time::{date_from_text, ts_from_text};
use crate::types::{DocumentMeta, DocumentRow, StoreCounts};
use cw_model::DocumentKey;

/// Creates the platform if it is missing; returns its id.
async fn ensure_platform(conn: &mut Conn, slug: &str, now: &str) -> Result<i64, StoreError> {
    sqlx::query(
        "INSERT INTO platforms (slug, created_at) VALUES ($1, $2) ON CONFLICT (slug) DO NOTHING",
    )
    .bind(slug)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let id: i64 = sqlx::query_scalar("SELECT id FROM platforms WHERE slug = $1")
        .bind(slug)
        .fetch_one(&mut *conn)
        .await?;
    Ok(id)
}

/// Creates the platform and document if missing and fills in metadata
/// fields that are still empty; returns the document id.
pub(crate) async fn ensure(
    conn: &mut Conn,
    key: &DocumentKey,
    meta: &DocumentMeta,
    now: &str,
) -> Result<i64, StoreError> {
    let platform_id = ensure_platform(conn, &key.platform, now).await?;
    sqlx::query(
        "INSERT INTO documents (platform_id, slug, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (platform_id, slug) DO NOTHING",
    )
    .bind(platform_id)
    .bind(&key.document)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let id: i64 = sqlx::query_scalar(
        "UPDATE documents SET
             doc_type = COALESCE(doc_type, $3),
             region = COALESCE(region, $4),
             source_url = COALESCE(source_url, $5)
         WHERE platform_id = $1 AND slug = $2
         RETURNING id",
    )
    .bind(platform_id)
    .bind(&key.document)
    .bind(non_empty(&meta.doc_type))
    .bind(non_empty(&meta.region))
    .bind(non_empty(&meta.source_url))
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

/// `None` for a missing or blank value, so blanks never fill a field.
fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The id of a document, if it exists.
pub(crate) async fn id(conn: &mut Conn, key: &DocumentKey) -> Result<Option<i64>, StoreError> {
    let id = sqlx::query_scalar(
        "SELECT d.id FROM documents d JOIN platforms p ON p.id = d.platform_id
         WHERE p.slug = $1 AND d.slug = $2",
    )
    .bind(&key.platform)
    .bind(&key.document)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(id)
}

/// The id of a document, or [`StoreError::NotFound`].
pub(crate) async fn require_id(conn: &mut Conn, key: &DocumentKey) -> Result<i64, StoreError> {
    id(conn, key)
        .await?
        .ok_or_else(|| StoreError::not_found(format!("document {key}")))
}

/// Columns and joins shared by the document listings; `latest` is the newest
/// version by observation.
macro_rules! document_select {
    () => {
        "SELECT p.slug AS platform, d.slug AS document, d.doc_type, d.region, d.source_url,
            (SELECT COUNT(*) FROM versions v WHERE v.document_id = d.id) AS version_count,
            (SELECT COUNT(*) FROM snapshots s WHERE s.document_id = d.id) AS snapshot_count,
            (SELECT v.number FROM versions v WHERE v.document_id = d.id
               ORDER BY v.observed_at DESC, v.number DESC LIMIT 1) AS latest_version,
            (SELECT v.observed_at FROM versions v WHERE v.document_id = d.id
               ORDER BY v.observed_at DESC, v.number DESC LIMIT 1) AS latest_observed_at,
            (SELECT v.effective_date FROM versions v WHERE v.document_id = d.id
               ORDER BY v.observed_at DESC, v.number DESC LIMIT 1) AS latest_effective_date
         FROM documents d JOIN platforms p ON p.id = d.platform_id"
    };
}

#[derive(sqlx::FromRow)]
struct DocumentRecord {
    platform: String,
    document: String,
    doc_type: Option<String>,
    region: Option<String>,
    source_url: Option<String>,
    version_count: i64,
    snapshot_count: i64,
    latest_version: Option<i64>,
    latest_observed_at: Option<String>,
    latest_effective_date: Option<String>,
}

impl DocumentRecord {
    fn into_row(self) -> Result<DocumentRow, StoreError> {
        let key = to_document_key(&self.platform, &self.document)?;
        Ok(DocumentRow {
            key,
            doc_type: self.doc_type,
            region: self.region,
            source_url: self.source_url,
            version_count: to_u32(self.version_count, "version count")?,
            snapshot_count: to_u32(self.snapshot_count, "snapshot count")?,
            latest_version: self
                .latest_version
                .map(|n| to_u32(n, "version number"))
                .transpose()?,
            latest_observed_at: self
                .latest_observed_at
                .as_deref()
                .map(ts_from_text)
                .transpose()?,
            latest_effective_date: self
                .latest_effective_date
                .as_deref()
                .map(date_from_text)
                .transpose()?,
        })
    }
}

/// Every document, ordered by platform then document slug.
pub(crate) async fn list(conn: &mut Conn) -> Result<Vec<DocumentRow>, StoreError> {
    let records: Vec<DocumentRecord> =
        sqlx::query_as(concat!(document_select!(), " ORDER BY p.slug, d.slug"))
            .fetch_all(&mut *conn)
            .await?;
    records.into_iter().map(DocumentRecord::into_row).collect()
}

/// One document, if it exists.
pub(crate) async fn get(
    conn: &mut Conn,
    key: &DocumentKey,
) -> Result<Option<DocumentRow>, StoreError> {
    let record: Option<DocumentRecord> = sqlx::query_as(concat!(
        document_select!(),
        " WHERE p.slug = $1 AND d.slug = $2"
    ))
    .bind(&key.platform)
    .bind(&key.document)
    .fetch_optional(&mut *conn)
    .await?;
    record.map(DocumentRecord::into_row).transpose()
}

/// Rows per table.
pub(crate) async fn counts(conn: &mut Conn) -> Result<StoreCounts, StoreError> {
    let (platforms, documents, versions, provisions, changes, snapshots, observations): (
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
    ) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM platforms), (SELECT COUNT(*) FROM documents),
                (SELECT COUNT(*) FROM versions), (SELECT COUNT(*) FROM provisions),
                (SELECT COUNT(*) FROM changes), (SELECT COUNT(*) FROM snapshots),
                (SELECT COUNT(*) FROM observations)",
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(StoreCounts {
        platforms: to_u64(platforms, "platform count")?,
        documents: to_u64(documents, "document count")?,
        versions: to_u64(versions, "version count")?,
        provisions: to_u64(provisions, "provision count")?,
        changes: to_u64(changes, "change count")?,
        snapshots: to_u64(snapshots, "snapshot count")?,
        observations: to_u64(observations, "observation count")?,
    })
}
