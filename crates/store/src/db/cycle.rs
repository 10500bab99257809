//! SQL for derived-data catch-up: the versions that still lack an
//! analysis (their derived work — analysis and search index — was deferred
//! off the fetch path, or a crash came before it ran), and the inventory of
//! every version that `verify` and the start-up catch-up compare with the
//! search index.

use super::{Conn, to_document_key, to_u32};
use crate::error::StoreError;
use cw_model::DocumentKey;

/// Up to `limit` versions (of any document, watched or imported) that have
/// no analysis row, oldest version row first, with an id above
/// `after_id` (to page past versions whose analysis keeps failing).
/// Returns `(version row id, document key, version number)`.
pub(crate) async fn versions_lacking_analysis(
    conn: &mut Conn,
    after_id: i64,
    limit: u32,
) -> Result<Vec<(i64, DocumentKey, u32)>, StoreError> {
    let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(
        "SELECT v.id, p.slug, d.slug, v.number
         FROM versions v
         JOIN documents d ON d.id = v.document_id
         JOIN platforms p ON p.id = d.platform_id
         LEFT JOIN analyses a ON a.version_id = v.id
         WHERE a.id IS NULL AND v.id > $1
         ORDER BY v.id
         LIMIT $2",
    )
    .bind(after_id)
    .bind(i64::from(limit))
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(id, platform, document, number)| {
            let key = to_document_key(&platform, &document)?;
            Ok((id, key, to_u32(number, "version number")?))
        })
        .collect()
}

/// Every version, oldest row first: `(document key, number, provision
/// count, has an analysis row)`.
pub(crate) async fn version_inventory(
    conn: &mut Conn,
) -> Result<Vec<(DocumentKey, u32, u64, bool)>, StoreError> {
    let rows: Vec<(String, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT p.slug, d.slug, v.number, v.provision_count,
                CASE WHEN a.id IS NULL THEN 0 ELSE 1 END
         FROM versions v
         JOIN documents d ON d.id = v.document_id
         JOIN platforms p ON p.id = d.platform_id
         LEFT JOIN analyses a ON a.version_id = v.id
         ORDER BY v.id",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(platform, document, number, provisions, analysed)| {
            let key = to_document_key(&platform, &document)?;
            let provisions = u64::try_from(provisions).map_err(|_| StoreError::BadRow {
                what: format!("negative provision count of {key}@{number}"),
            })?;
            Ok((
                key,
                to_u32(number, "version number")?,
                provisions,
                analysed != 0,
            ))
        })
        .collect()
}
