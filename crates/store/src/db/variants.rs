//! SQL of `document_variants` (migration 0013).

use super::Conn;
use crate::error::StoreError;
use crate::variants::VariantRow;

/// The columns of a [`VariantRow`].
macro_rules! variant_select {
    () => {
        "SELECT v.policy, v.variant, p.slug, d.slug FROM document_variants v
         JOIN documents d ON d.id = v.document_id JOIN platforms p ON p.id = d.platform_id"
    };
}

/// Declares a document's variant, replacing its earlier declaration.
pub(crate) async fn set(
    conn: &mut Conn,
    document_id: i64,
    policy: &str,
    variant: &str,
    now: &str,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM document_variants WHERE document_id = $1")
        .bind(document_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO document_variants (document_id, policy, variant, created_at)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(document_id)
    .bind(policy)
    .bind(variant)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(|e| match e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::InvalidImport {
            reason: format!("policy {policy} already has a variant {variant}"),
        },
        other => StoreError::Db(other),
    })?;
    Ok(())
}

/// The variants of one policy (or of all), by policy then label.
pub(crate) async fn of_policy(
    conn: &mut Conn,
    policy: Option<&str>,
) -> Result<Vec<VariantRow>, StoreError> {
    let rows: Vec<(String, String, String, String)> = match policy {
        Some(policy) => {
            sqlx::query_as(concat!(
                variant_select!(),
                " WHERE v.policy = $1 ORDER BY v.policy, v.variant"
            ))
            .bind(policy)
            .fetch_all(&mut *conn)
            .await?
        }
        None => {
            sqlx::query_as(concat!(variant_select!(), " ORDER BY v.policy, v.variant"))
                .fetch_all(&mut *conn)
                .await?
        }
    };
    rows.into_iter()
        .map(|(policy, variant, p, d)| {
            Ok(VariantRow {
                policy,
                variant,
                document: super::to_document_key(&p, &d)?,
            })
        })
        .collect()
}
