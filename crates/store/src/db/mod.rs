//! The SQL side of the store, one module per concern: [`documents`]
//! (platforms and documents), [`versions`] (versions, provisions, changes),
//! [`snapshots`] (snapshots and observations) and [`imports`] (the one
//! write transaction that records an import).
//!
//! Only this module and its children contain SQL. The queries are written
//! to run unchanged on SQLite and PostgreSQL: `$1` placeholders (sqlx's
//! SQLite driver accepts them), `RETURNING id`, `ON CONFLICT … DO NOTHING`,
//! `LIMIT`, TEXT timestamps, JSON as TEXT, no engine-specific functions.
//! What differs between the engines is gathered here: the connection
//! options, the two migrators (`migrations/sqlite/` and its twin
//! `migrations/postgres/`, same numbers) and how [`begin_write`] serialises
//! writers. The query modules run on sqlx's Any driver ([`Db`]), so each is
//! written once for both engines.

pub(crate) mod analysis;
pub(crate) mod auth;
pub(crate) mod copy;
pub(crate) mod cycle;
pub(crate) mod dataset;
pub(crate) mod declarations;
pub(crate) mod documents;
pub(crate) mod history;
pub(crate) mod hosts;
pub(crate) mod imports;
pub(crate) mod jobs;
pub(crate) mod manifest;
pub(crate) mod snapshots;
pub(crate) mod upgrades;
pub(crate) mod variants;
pub(crate) mod versions;
pub(crate) mod watch;

use crate::error::StoreError;
use cw_model::DocumentKey;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Executor};
use std::path::Path;
use std::str::FromStr;
use std::sync::Once;
use std::time::Duration;

/// The database engine the query modules are written against: sqlx's Any
/// driver, which hands each query to SQLite or PostgreSQL unchanged (see
/// ARCHITECTURE.md, "One store, two engines"). Values cross it as the
/// portable types only: integers (read as `i64`), `f64`, text, bytes, bool.
pub(crate) type Db = sqlx::Any;
/// A connection (or, through `&mut *tx`, a transaction) of that engine.
pub(crate) type Conn = <Db as sqlx::Database>::Connection;
/// A transaction of that engine.
pub(crate) type Tx = sqlx::Transaction<'static, Db>;
/// A pool of connections of that engine.
pub(crate) type Pool = sqlx::AnyPool;

/// The SQLite schema history, embedded at compile time.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
/// The PostgreSQL schema history: one twin per SQLite migration, same numbers.
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// How long a connection waits for another writer before giving up with
/// "database is locked".
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The key of the PostgreSQL advisory lock every write transaction holds
/// (see [`begin_write`]); an arbitrary constant ("cw" in ASCII, shifted).
const WRITE_LOCK_KEY: i64 = 0x6377_0001;

/// Which engine a pool or connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    /// A SQLite file: one writer at a time.
    Sqlite,
    /// A PostgreSQL server: many processes, row locks.
    Postgres,
}

impl Backend {
    /// The engine a database URL names (`sqlite:`, `postgres:`, `postgresql:`).
    pub(crate) fn of_url(url: &str) -> Option<Backend> {
        let scheme = url.split(':').next()?.to_ascii_lowercase();
        match scheme.as_str() {
            "sqlite" => Some(Backend::Sqlite),
            "postgres" | "postgresql" => Some(Backend::Postgres),
            _ => None,
        }
    }

    /// The engine of a pool.
    pub(crate) fn of_pool(pool: &Pool) -> Backend {
        Backend::of_url(pool.connect_options().database_url.as_str()).unwrap_or(Backend::Sqlite)
    }

    /// The engine of a connection or transaction.
    pub(crate) fn of_conn(conn: &Conn) -> Backend {
        if conn.backend_name().eq_ignore_ascii_case("postgresql") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// Registers the SQLite and PostgreSQL drivers with sqlx's Any driver, once.
fn install_drivers() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        sqlx::any::install_drivers(&[sqlx::sqlite::any::DRIVER, sqlx::postgres::any::DRIVER])
            // Only fails if drivers were installed already, which Once rules out.
            .unwrap_or_default();
    });
}

/// Opens (creating if missing) the SQLite database at `path` in WAL mode
/// with foreign keys enforced, and brings its schema up to date.
pub(crate) async fn connect(path: &Path) -> Result<Pool, StoreError> {
    connect_url(&sqlite_url(path)?).await
}

/// The `sqlite://` URL of a database file (created if missing). The path is
/// made absolute first, so no part of it can be read as a URL host.
pub(crate) fn sqlite_url(path: &Path) -> Result<String, StoreError> {
    let path = std::path::absolute(path).map_err(|e| StoreError::io("resolving", path, e))?;
    Ok(SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .to_url_lossy()
        .to_string())
}

/// Opens the database a URL names (`sqlite://PATH?mode=rwc`,
/// `postgres://user@host/db`) and brings its schema up to date.
pub(crate) async fn connect_url(url: &str) -> Result<Pool, StoreError> {
    install_drivers();
    let backend = Backend::of_url(url).ok_or_else(|| {
        StoreError::config(format!(
            "unsupported database URL {:?} (use sqlite://PATH or postgres://…)",
            redact(url)
        ))
    })?;
    let options = AnyConnectOptions::from_str(url)?;
    let pool = match backend {
        Backend::Sqlite => {
            AnyPoolOptions::new()
                .max_connections(4)
                .after_connect(|conn, _meta| {
                    Box::pin(async move {
                        // WAL: readers never block the writer. NORMAL is safe
                        // with WAL: a power cut may lose the last commits but
                        // never leaves a half-written one.
                        conn.execute(sqlx::AssertSqlSafe(format!(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {};",
                            BUSY_TIMEOUT.as_millis()
                        )))
                        .await?;
                        Ok(())
                    })
                })
                .connect_with(options)
                .await?
        }
        Backend::Postgres => {
            AnyPoolOptions::new()
                .max_connections(8)
                .acquire_timeout(BUSY_TIMEOUT)
                .connect_with(options)
                .await?
        }
    };
    match backend {
        Backend::Sqlite => migrate_sqlite(&pool).await?,
        Backend::Postgres => POSTGRES_MIGRATOR.run(&pool).await?,
    }
    Ok(pool)
}

/// Brings a SQLite schema up to date. Processes opening one file at once
/// (several workers started together after an upgrade) race to apply the
/// same new migration: sqlx takes no lock on SQLite, so the loser's
/// migration fails ("table … already exists") once the winner's has
/// committed, and the winner has recorded it by then. Running again
/// applies nothing, so a failed run is retried a few times. (PostgreSQL's
/// migrator holds an advisory lock instead.)
async fn migrate_sqlite(pool: &Pool) -> Result<(), StoreError> {
    let mut tries: u64 = 0;
    loop {
        match MIGRATOR.run(pool).await {
            Ok(()) => return Ok(()),
            Err(e) if tries < 10 => {
                tries += 1;
                tracing::debug!(error = %e, "migration failed; another process may be migrating, retrying");
                tokio::time::sleep(Duration::from_millis(50 * tries)).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// A database URL with its password blanked, for messages and logs.
pub(crate) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => match rest[..at].split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***{}", &rest[at..]),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

/// Starts a transaction that will write, serialised with every other
/// writer of the database. On SQLite it takes the write lock up front
/// (`BEGIN IMMEDIATE`), so two importers queue on the busy timeout instead
/// of one failing when it upgrades a read lock. On PostgreSQL it takes one
/// transaction-scoped advisory lock, which gives the same one-writer-at-a-time
/// behaviour the query modules were written for (read-then-write sequences
/// such as "next version number" stay race-free); readers are never blocked,
/// and the job queue's claims use row locks instead (`db::jobs`).
pub(crate) async fn begin_write(pool: &Pool) -> Result<Tx, StoreError> {
    match Backend::of_pool(pool) {
        Backend::Sqlite => Ok(pool.begin_with("BEGIN IMMEDIATE").await?),
        Backend::Postgres => {
            let mut tx = pool.begin().await?;
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(WRITE_LOCK_KEY)
                .execute(&mut *tx)
                .await?;
            Ok(tx)
        }
    }
}

/// Starts a transaction that writes only rows of one watched source (its
/// fetch attempts, its own row, its candidates), serialised with every
/// other such transaction of the same source. On PostgreSQL it takes a
/// transaction-scoped advisory lock on the source alone (the two-key form:
/// [`SOURCE_LOCK_CLASS`] and the id), not the database-wide write lock, so
/// a fetch's bookkeeping does not queue behind other sources' imports;
/// [`Store::promote_candidate`](crate::Store::promote_candidate), which
/// writes the source's candidate under the global lock, takes this lock
/// too. SQLite has one writer anyway: [`begin_write`].
pub(crate) async fn begin_write_source(pool: &Pool, source_id: i64) -> Result<Tx, StoreError> {
    match Backend::of_pool(pool) {
        Backend::Sqlite => begin_write(pool).await,
        Backend::Postgres => {
            let mut tx = pool.begin().await?;
            lock_source(&mut tx, source_id).await?;
            Ok(tx)
        }
    }
}

/// Takes the per-source lock of [`begin_write_source`] inside a
/// PostgreSQL transaction (nothing on SQLite, whose writers are one at a time).
pub(crate) async fn lock_source(tx: &mut Tx, source_id: i64) -> Result<(), StoreError> {
    if Backend::of_conn(tx) == Backend::Postgres {
        // Ids beyond 2^31 share a lock with another id: still correct,
        // only coarser.
        let key = (source_id & 0x7fff_ffff) as i32;
        sqlx::query("SELECT pg_advisory_xact_lock($1, $2)")
            .bind(SOURCE_LOCK_CLASS)
            .bind(key)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Starts a transaction that writes only one outbox row and its delivery
/// log, serialised with every other writer of that row: on PostgreSQL the
/// row's own lock (`SELECT … FOR UPDATE`), not the database-wide write
/// lock, so deliveries never queue behind imports. SQLite: [`begin_write`].
pub(crate) async fn begin_write_alert(pool: &Pool, alert_row_id: i64) -> Result<Tx, StoreError> {
    match Backend::of_pool(pool) {
        Backend::Sqlite => begin_write(pool).await,
        Backend::Postgres => {
            let mut tx = pool.begin().await?;
            sqlx::query("SELECT id FROM watch_alerts WHERE id = $1 FOR UPDATE")
                .bind(alert_row_id)
                .execute(&mut *tx)
                .await?;
            Ok(tx)
        }
    }
}

/// The first key of the per-source advisory locks (the two-key form never
/// conflicts with [`WRITE_LOCK_KEY`]'s one-key form).
const SOURCE_LOCK_CLASS: i32 = 0x6377_0001;

/// Starts a read-only transaction: several queries see one consistent state
/// (on PostgreSQL a REPEATABLE READ snapshot, as SQLite's read transaction).
pub(crate) async fn begin_read(pool: &Pool) -> Result<Tx, StoreError> {
    match Backend::of_pool(pool) {
        Backend::Sqlite => Ok(pool.begin().await?),
        Backend::Postgres => Ok(pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ")
            .await?),
    }
}

/// Reads a stored document's platform and document slugs as its key.
pub(crate) fn to_document_key(platform: &str, document: &str) -> Result<DocumentKey, StoreError> {
    DocumentKey::new(platform, document)
        .map_err(|e| StoreError::bad_row(format!("document {platform}/{document}: {e}")))
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

    #[test]
    fn every_sqlite_migration_has_a_postgres_twin() {
        let sqlite: Vec<(i64, String)> = MIGRATOR
            .iter()
            .map(|m| (m.version, m.description.to_string()))
            .collect();
        let postgres: Vec<(i64, String)> = POSTGRES_MIGRATOR
            .iter()
            .map(|m| (m.version, m.description.to_string()))
            .collect();
        assert_eq!(
            sqlite, postgres,
            "migrations/postgres/ must hold a twin of each migrations/sqlite/ file \
             (draft one with crates/store/scripts/pg_twin.py)"
        );
    }

    #[test]
    fn database_urls_name_their_engine_and_hide_passwords() {
        assert_eq!(Backend::of_url("sqlite:///x.db"), Some(Backend::Sqlite));
        assert_eq!(Backend::of_url("postgres://h/db"), Some(Backend::Postgres));
        assert_eq!(
            Backend::of_url("PostgreSQL://h/db"),
            Some(Backend::Postgres)
        );
        assert_eq!(Backend::of_url("mysql://h/db"), None);
        assert_eq!(redact("postgres://u:pw@h:5/db"), "postgres://u:***@h:5/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("postgres://h/a@b"), "postgres://h/a@b");
    }

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
