//! SQL for the batched work of a watch cycle: the versions of watched
//! documents that still lack an analysis (their derived work — analysis
//! and search index — was deferred off the fetch path, or a crash came
//! before it ran).

use super::{Conn, to_document_key, to_u32};
use crate::error::StoreError;
use cw_model::DocumentKey;

/// Up to `limit` versions of documents with a watch source (active or not)
/// that have no analysis row, oldest version row first, with an id above
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
         JOIN watch_sources s ON s.document_id = v.document_id
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
