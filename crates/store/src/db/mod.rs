//! The SQL side of the store, one module per concern: [`documents`]
//! (platforms and documents), [`versions`] (versions, provisions, changes),
//! [`snapshots`] (snapshots and observations) and [`imports`] (the one
//! write transaction that records an import).
//!
//! Only this module and its children contain SQL. The queries are written
//! to run unchanged on SQLite and PostgreSQL: `$1` placeholders (sqlx's
//! SQLite driver accepts them), `RETURNING id`, `ON CONFLICT … DO NOTHING`,
//! `LIMIT`, TEXT timestamps, JSON as TEXT, no engine-specific functions.
//! What is SQLite-specific is gathered here: the connection options, the
//! migrator and the `BEGIN IMMEDIATE` that [`begin_write`] issues. A
//! PostgreSQL backend adds its own `connect`/`MIGRATOR`/`begin_write` and
//! instantiates the query functions for `sqlx::Postgres` (the [`Db`] alias
//! is the single place they name the engine).

pub(crate) mod documents;
pub(crate) mod imports;
pub(crate) mod snapshots;
pub(crate) mod versions;

use crate::error::StoreError;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::path::Path;
use std::time::Duration;

/// The database engine the query modules are written against.
pub(crate) type Db = sqlx::Sqlite;
/// A connection (or, through `&mut *tx`, a transaction) of that engine.
pub(crate) type Conn = <Db as sqlx::Database>::Connection;
/// A transaction of that engine.
pub(crate) type Tx = sqlx::Transaction<'static, Db>;
/// A pool of connections of that engine.
pub(crate) type Pool = SqlitePool;

/// The SQLite schema history, embedded at compile time.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

/// How long a connection waits for another writer before giving up with
/// "database is locked".
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Opens (creating if missing) the SQLite database at `path` in WAL mode
/// with foreign keys enforced, and brings its schema up to date.
pub(crate) async fn connect(path: &Path) -> Result<Pool, StoreError> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // NORMAL is safe with WAL: a power cut may lose the last commits but
        // never leaves a half-written one.
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(BUSY_TIMEOUT);
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

/// Starts a transaction that will write. On SQLite it takes the write lock
/// up front (`BEGIN IMMEDIATE`), so two importers queue on the busy timeout
/// instead of one failing when it upgrades a read lock.
pub(crate) async fn begin_write(pool: &Pool) -> Result<Tx, StoreError> {
    Ok(pool.begin_with("BEGIN IMMEDIATE").await?)
}

/// Starts a read-only transaction: several queries see one consistent state.
pub(crate) async fn begin_read(pool: &Pool) -> Result<Tx, StoreError> {
    Ok(pool.begin().await?)
}

/// Reads a stored non-negative integer as `u32`.
pub(crate) fn to_u32(value: i64, what: &str) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|_| StoreError::bad_row(format!("{what} = {value}")))
}

/// Reads a stored non-negative integer as `u64`.
pub(crate) fn to_u64(value: i64, what: &str) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| StoreError::bad_row(format!("{what} = {value}")))
}

/// Reads a stored non-negative integer as `usize`.
pub(crate) fn to_usize(value: i64, what: &str) -> Result<usize, StoreError> {
    usize::try_from(value).map_err(|_| StoreError::bad_row(format!("{what} = {value}")))
}

/// Converts a count or size to the stored integer type.
pub(crate) fn to_i64<T: TryInto<i64>>(value: T, what: &str) -> Result<i64, StoreError> {
    value.try_into().map_err(|_| StoreError::InvalidImport {
        reason: format!("{what} is too large to store"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn connections_use_wal_enforce_foreign_keys_and_see_the_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("test.db");
        let pool = connect(&path).await.unwrap();

        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master
             WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        // Later migrations add tables; the foundation's must always be there.
        for table in [
            "_sqlx_migrations",
            "changes",
            "documents",
            "observations",
            "platforms",
            "provisions",
            "snapshots",
            "versions",
        ] {
            assert!(
                tables.iter().any(|t| t == table),
                "{table} missing from {tables:?}"
            );
        }
        let err = sqlx::query(
            "INSERT INTO provisions
                (version_id, position, provision_id, heading_path, kind, text, lineage_key)
             VALUES (999, 0, 'a/1', '[]', 'paragraph', 'x', 'a/1')",
        )
        .execute(&pool)
        .await
        .unwrap_err();
        assert!(
            matches!(&err, sqlx::Error::Database(db) if db.is_foreign_key_violation()),
            "{err:?}"
        );
        pool.close().await;

        // Opening again applies nothing and fails on nothing.
        let again = connect(&path).await.unwrap();
        let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
            .fetch_one(&again)
            .await
            .unwrap();
        assert_eq!(applied, MIGRATOR.iter().count() as i64);
    }
}
