//! Copying a whole database to another (`clausewatch migrate --from
//! sqlite://… --to postgres://…`, or back): every table of the schema,
//! rows with their ids, in foreign-key order, in one transaction on the
//! target; then every table is read back from the target and compared with
//! the source by row count and content hash. The SQL is in `db::copy`.
//!
//! Both databases are brought to the current schema first (the twin
//! migrations give them the same tables and columns); the target must be
//! empty, so a copy never merges into or overwrites existing data.

use crate::backend::DatabaseLocation;
use crate::db::{self, Backend, begin_read, begin_write, copy as sql};
use crate::error::StoreError;
use serde::Serialize;
use std::time::Instant;

/// One table of a copy: rows and content hashes on both sides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableCopy {
    /// The table.
    pub table: String,
    /// Rows read from the source.
    pub source_rows: u64,
    /// Rows read back from the target after the commit.
    pub target_rows: u64,
    /// sha256 over the source rows in key order (typed, length-prefixed values).
    pub source_hash: String,
    /// The same over the target rows.
    pub target_hash: String,
}

impl TableCopy {
    /// Same row count and same content hash.
    pub fn matches(&self) -> bool {
        self.source_rows == self.target_rows && self.source_hash == self.target_hash
    }
}

/// What [`copy_database`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CopyReport {
    /// The source, password blanked.
    pub source: String,
    /// The target, password blanked.
    pub target: String,
    /// The schema version both are at (the highest migration number).
    pub schema_version: i64,
    /// Every table, in the order copied.
    pub tables: Vec<TableCopy>,
    /// Wall time in milliseconds.
    pub elapsed_ms: u64,
}

impl CopyReport {
    /// Every table matches.
    pub fn verified(&self) -> bool {
        self.tables.iter().all(TableCopy::matches)
    }

    /// Rows copied over all tables.
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|t| t.source_rows).sum()
    }
}

/// Copies every row of `source` into the empty database `target` and
/// verifies the copy (see the module docs). The copy is one transaction on
/// the target: on any error the target is left as empty as it was.
///
/// Errors: [`StoreError::Config`] when the two schemas or migration
/// histories differ or the target holds rows; [`StoreError::Db`] for
/// database failures. A copy whose read-back does not match is *not* an
/// error: check [`CopyReport::verified`].
pub async fn copy_database(
    source: &DatabaseLocation,
    target: &DatabaseLocation,
) -> Result<CopyReport, StoreError> {
    let started = Instant::now();
    if source == target {
        return Err(StoreError::config(
            "the source and target are the same database",
        ));
    }
    let from = db::connect_url(&source.connect_url()?).await?;
    let to = db::connect_url(&target.connect_url()?).await?;

    let (source_migrations, source_tables) = {
        let mut conn = from.acquire().await?;
        (
            sql::migrations(&mut conn).await?,
            sql::tables(&mut conn).await?,
        )
    };
    let (target_migrations, target_tables) = {
        let mut conn = to.acquire().await?;
        (
            sql::migrations(&mut conn).await?,
            sql::tables(&mut conn).await?,
        )
    };
    if source_migrations != target_migrations {
        return Err(StoreError::config(format!(
            "the migration histories differ (source {source_migrations:?}, target {target_migrations:?})"
        )));
    }
    let shape = |tables: &std::collections::BTreeMap<String, sql::Table>| {
        tables
            .values()
            .map(|t| {
                let mut cols: Vec<String> = t.columns.iter().map(|(c, _)| c.clone()).collect();
                cols.sort();
                (t.name.clone(), cols)
            })
            .collect::<Vec<_>>()
    };
    if shape(&source_tables) != shape(&target_tables) {
        return Err(StoreError::config(
            "the source and target schemas have different tables or columns",
        ));
    }
    let order = sql::dependency_order(&target_tables)?;
    {
        let mut conn = to.acquire().await?;
        for table in &order {
            let n = sql::count(&mut conn, table).await?;
            if n > 0 {
                return Err(StoreError::config(format!(
                    "the target is not empty: table {} has {n} rows",
                    table.name
                )));
            }
        }
    }

    // One consistent snapshot of the source, one transaction on the target.
    let mut read = begin_read(&from).await?;
    let mut write = match Backend::of_pool(&to) {
        Backend::Sqlite => begin_write(&to).await?,
        Backend::Postgres => to.begin().await?,
    };
    let mut copied = Vec::with_capacity(order.len());
    for table in &order {
        let (rows, hash) = sql::copy_table(&mut read, &mut write, table).await?;
        sql::reset_identity(&mut write, table).await?;
        tracing::info!(table = %table.name, rows, "copied table");
        copied.push((table, rows, hash));
    }
    write.commit().await?;
    read.rollback().await?;

    let mut tables = Vec::with_capacity(copied.len());
    let mut check = begin_read(&to).await?;
    for (table, source_rows, source_hash) in copied {
        let (target_rows, target_hash) = sql::table_hash(&mut check, table).await?;
        tables.push(TableCopy {
            table: table.name.clone(),
            source_rows,
            target_rows,
            source_hash,
            target_hash,
        });
    }
    check.rollback().await?;
    from.close().await;
    to.close().await;
    Ok(CopyReport {
        source: source.display(),
        target: target.display(),
        schema_version: source_migrations.last().copied().unwrap_or(0),
        tables,
        elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    })
}
