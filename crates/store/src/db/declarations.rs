//! SQL for the extraction declaration stored with a document (migration
//! `0006_declarations`): set (insert or replace) and read. Portable SQL only:
//! `$N` placeholders, TEXT timestamps, JSON as TEXT, `ON CONFLICT … DO UPDATE`.

use super::Conn;
use crate::declarations::StoredDeclaration;
use crate::error::StoreError;
use crate::time::ts_from_text;

/// Inserts or replaces the declaration of a document.
pub(crate) async fn set(
    conn: &mut Conn,
    document_id: i64,
    json: &str,
    now: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO document_declarations (document_id, declaration, updated_at)
         VALUES ($1, $2, $3)
         ON CONFLICT (document_id) DO UPDATE
         SET declaration = excluded.declaration, updated_at = excluded.updated_at",
    )
    .bind(document_id)
    .bind(json)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Removes the declaration of a document; true when there was one.
pub(crate) async fn clear(conn: &mut Conn, document_id: i64) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM document_declarations WHERE document_id = $1")
        .bind(document_id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// The declaration of a document, if one is stored.
pub(crate) async fn get(
    conn: &mut Conn,
    document_id: i64,
) -> Result<Option<StoredDeclaration>, StoreError> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT declaration, updated_at FROM document_declarations WHERE document_id = $1",
    )
    .bind(document_id)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|(json, at)| {
        Ok(StoredDeclaration {
            json,
            updated_at: ts_from_text(&at)?,
        })
    })
    .transpose()
}
