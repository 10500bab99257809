//! SQL for API tokens (migration 0007): insert, look up by hash, list,
//! revoke, and stamp the last use. Only hashes are stored, never secrets.

use super::{Conn, to_u64};
use crate::auth::{Role, TokenRow};
use crate::error::StoreError;
use crate::time::ts_from_text;

#[derive(sqlx::FromRow)]
struct TokenRecord {
    id: i64,
    name: String,
    role: String,
    prefix: String,
    created_at: String,
    last_used_at: Option<String>,
    revoked_at: Option<String>,
}

impl TokenRecord {
    fn into_row(self) -> Result<TokenRow, StoreError> {
        Ok(TokenRow {
            id: to_u64(self.id, "token id")?,
            name: self.name,
            role: Role::parse(&self.role)
                .ok_or_else(|| StoreError::bad_row(format!("token role {:?}", self.role)))?,
            prefix: self.prefix,
            created_at: ts_from_text(&self.created_at)?,
            last_used_at: self.last_used_at.as_deref().map(ts_from_text).transpose()?,
            revoked_at: self.revoked_at.as_deref().map(ts_from_text).transpose()?,
        })
    }
}

/// The columns every token query reads.
macro_rules! token_select {
    () => {
        "SELECT id, name, role, prefix, created_at, last_used_at, revoked_at FROM api_tokens"
    };
}

/// Inserts a token; returns its id.
pub(crate) async fn insert(
    conn: &mut Conn,
    name: &str,
    role: Role,
    hash: &str,
    prefix: &str,
    now: &str,
) -> Result<i64, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO api_tokens (name, role, token_hash, prefix, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(name)
    .bind(role.as_str())
    .bind(hash)
    .bind(prefix)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

/// One token by id.
pub(crate) async fn get(conn: &mut Conn, id: i64) -> Result<Option<TokenRow>, StoreError> {
    let rec: Option<TokenRecord> = sqlx::query_as(concat!(token_select!(), " WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    rec.map(TokenRecord::into_row).transpose()
}

/// The unrevoked token with this hash, if any.
pub(crate) async fn by_hash(conn: &mut Conn, hash: &str) -> Result<Option<TokenRow>, StoreError> {
    let rec: Option<TokenRecord> = sqlx::query_as(concat!(
        token_select!(),
        " WHERE token_hash = $1 AND revoked_at IS NULL"
    ))
    .bind(hash)
    .fetch_optional(&mut *conn)
    .await?;
    rec.map(TokenRecord::into_row).transpose()
}

/// Records that a token was used (at most the caller's granularity).
pub(crate) async fn touch(conn: &mut Conn, id: i64, now: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Every token, oldest first.
pub(crate) async fn list(conn: &mut Conn) -> Result<Vec<TokenRow>, StoreError> {
    let recs: Vec<TokenRecord> = sqlx::query_as(concat!(token_select!(), " ORDER BY id"))
        .fetch_all(&mut *conn)
        .await?;
    recs.into_iter().map(TokenRecord::into_row).collect()
}

/// Marks a token revoked; returns whether an unrevoked token was found.
pub(crate) async fn revoke(conn: &mut Conn, id: i64, now: &str) -> Result<bool, StoreError> {
    let done =
        sqlx::query("UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
            .bind(id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    Ok(done.rows_affected() > 0)
}
