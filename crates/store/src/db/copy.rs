//! SQL for copying a whole database to another engine (`clausewatch
//! migrate`): the catalog queries of each engine (tables, columns,
//! primary keys, foreign keys, identity columns), a generic row reader and
//! batch writer over the portable value types, and a content hash of a
//! table that reads the same on SQLite and PostgreSQL.
//!
//! Rows cross as the four portable kinds of value (integer, real, text,
//! bytes, each possibly NULL), chosen by the *target* column's declared
//! type, so a NULL is bound with the type the target column expects.

use super::{Backend, Conn};
use crate::error::StoreError;
use futures_util::TryStreamExt;
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};

/// The portable kind of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// 64-bit integer.
    Int,
    /// Double-precision float.
    Real,
    /// Text.
    Text,
    /// Bytes.
    Blob,
}

impl Kind {
    /// The kind a declared column type maps to (SQLite `INTEGER`, PostgreSQL
    /// `bigint`, …).
    fn of_declared(declared: &str) -> Result<Kind, StoreError> {
        let t = declared.to_ascii_lowercase();
        if t.contains("int") {
            Ok(Kind::Int)
        } else if t.contains("char") || t.contains("text") || t.contains("clob") {
            Ok(Kind::Text)
        } else if t.contains("real") || t.contains("doub") || t.contains("floa") {
            Ok(Kind::Real)
        } else if t.contains("blob") || t.contains("bytea") {
            Ok(Kind::Blob)
        } else {
            Err(StoreError::config(format!(
                "column type {declared:?} has no portable equivalent"
            )))
        }
    }
}

/// One table of the schema, as the copy needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Table {
    /// The table's name.
    pub(crate) name: String,
    /// Column names and kinds, in declaration order.
    pub(crate) columns: Vec<(String, Kind)>,
    /// The primary key's columns (rows are read in this order).
    pub(crate) key: Vec<String>,
    /// Tables this one references.
    pub(crate) references: BTreeSet<String>,
    /// Identity columns (PostgreSQL) whose sequences follow the copied rows.
    pub(crate) identity: Vec<String>,
}

/// A value read from a row.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Int(Option<i64>),
    Real(Option<f64>),
    Text(Option<String>),
    Blob(Option<Vec<u8>>),
}

/// Catalog rows: (table, column, declared type).
type ColumnRows = Vec<(String, String, String)>;
/// Catalog rows: (table, column or referenced table).
type PairRows = Vec<(String, String)>;

/// `"name"`: an identifier from the catalog, quoted for SQL.
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The schema's tables (sqlx's own bookkeeping table excluded), by name.
pub(crate) async fn tables(conn: &mut Conn) -> Result<BTreeMap<String, Table>, StoreError> {
    let (columns, keys, refs, identity): (ColumnRows, PairRows, PairRows, PairRows) =
        match Backend::of_conn(conn) {
            Backend::Sqlite => {
                let columns = sqlx::query_as(
                "SELECT m.name, p.name, p.type FROM sqlite_master m, pragma_table_info(m.name) p
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
                 ORDER BY m.name, p.cid",
            )
            .fetch_all(&mut *conn)
            .await?;
                let keys = sqlx::query_as(
                    "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
                 WHERE m.type = 'table' AND p.pk > 0 ORDER BY m.name, p.pk",
                )
                .fetch_all(&mut *conn)
                .await?;
                let refs = sqlx::query_as(
                "SELECT m.name, f.\"table\" FROM sqlite_master m, pragma_foreign_key_list(m.name) f
                 WHERE m.type = 'table'",
            )
            .fetch_all(&mut *conn)
            .await?;
                (columns, keys, refs, Vec::new())
            }
            Backend::Postgres => {
                let columns = sqlx::query_as(
                    "SELECT table_name::text, column_name::text, data_type::text
                 FROM information_schema.columns WHERE table_schema = current_schema()
                 ORDER BY table_name, ordinal_position",
                )
                .fetch_all(&mut *conn)
                .await?;
                let keys = sqlx::query_as(
                    "SELECT k.table_name::text, k.column_name::text
                 FROM information_schema.table_constraints c
                 JOIN information_schema.key_column_usage k
                   ON k.constraint_name = c.constraint_name AND k.table_schema = c.table_schema
                 WHERE c.constraint_type = 'PRIMARY KEY' AND c.table_schema = current_schema()
                 ORDER BY k.table_name, k.ordinal_position",
                )
                .fetch_all(&mut *conn)
                .await?;
                let refs = sqlx::query_as(
                    "SELECT c.table_name::text, u.table_name::text
                 FROM information_schema.table_constraints c
                 JOIN information_schema.constraint_column_usage u
                   ON u.constraint_name = c.constraint_name AND u.table_schema = c.table_schema
                 WHERE c.constraint_type = 'FOREIGN KEY' AND c.table_schema = current_schema()",
                )
                .fetch_all(&mut *conn)
                .await?;
                let identity = sqlx::query_as(
                    "SELECT table_name::text, column_name::text FROM information_schema.columns
                 WHERE table_schema = current_schema() AND is_identity = 'YES'",
                )
                .fetch_all(&mut *conn)
                .await?;
                (columns, keys, refs, identity)
            }
        };
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    for (table, column, declared) in columns {
        if table == "_sqlx_migrations" {
            continue;
        }
        let kind = Kind::of_declared(&declared)
            .map_err(|e| StoreError::config(format!("{table}.{column}: {e}")))?;
        tables
            .entry(table.clone())
            .or_insert_with(|| Table {
                name: table,
                columns: Vec::new(),
                key: Vec::new(),
                references: BTreeSet::new(),
                identity: Vec::new(),
            })
            .columns
            .push((column, kind));
    }
    for (table, column) in keys {
        if let Some(t) = tables.get_mut(&table) {
            t.key.push(column);
        }
    }
    for (table, referenced) in refs {
        if let Some(t) = tables.get_mut(&table)
            && referenced != table
        {
            t.references.insert(referenced);
        }
    }
    for (table, column) in identity {
        if let Some(t) = tables.get_mut(&table) {
            t.identity.push(column);
        }
    }
    Ok(tables)
}

/// The applied migration versions, in order.
pub(crate) async fn migrations(conn: &mut Conn) -> Result<Vec<i64>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&mut *conn)
            .await?,
    )
}

/// Rows in a table.
pub(crate) async fn count(conn: &mut Conn, table: &Table) -> Result<u64, StoreError> {
    let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM {}",
        quote(&table.name)
    )))
    .fetch_one(&mut *conn)
    .await?;
    super::to_u64(n, "row count")
}

/// The tables in an order where every table comes after those it references.
pub(crate) fn dependency_order(tables: &BTreeMap<String, Table>) -> Result<Vec<Table>, StoreError> {
    let mut done: BTreeSet<String> = BTreeSet::new();
    let mut order = Vec::with_capacity(tables.len());
    while order.len() < tables.len() {
        let ready: Vec<&Table> = tables
            .values()
            .filter(|t| !done.contains(&t.name))
            .filter(|t| {
                t.references
                    .iter()
                    .all(|r| done.contains(r) || !tables.contains_key(r))
            })
            .collect();
        if ready.is_empty() {
            return Err(StoreError::config(
                "the tables' foreign keys form a cycle; cannot order the copy",
            ));
        }
        for t in ready {
            done.insert(t.name.clone());
            order.push(t.clone());
        }
    }
    Ok(order)
}

fn select_sql(table: &Table) -> String {
    let columns: Vec<String> = table.columns.iter().map(|(c, _)| quote(c)).collect();
    let order: Vec<String> = if table.key.is_empty() {
        columns.clone()
    } else {
        table.key.iter().map(|c| quote(c)).collect()
    };
    format!(
        "SELECT {} FROM {} ORDER BY {}",
        columns.join(", "),
        quote(&table.name),
        order.join(", ")
    )
}

fn read_row(row: &sqlx::any::AnyRow, table: &Table) -> Result<Vec<Value>, StoreError> {
    let mut values = Vec::with_capacity(table.columns.len());
    for (i, (_, kind)) in table.columns.iter().enumerate() {
        values.push(match kind {
            Kind::Int => Value::Int(row.try_get(i)?),
            Kind::Real => Value::Real(row.try_get(i)?),
            Kind::Text => Value::Text(row.try_get(i)?),
            Kind::Blob => Value::Blob(row.try_get(i)?),
        });
    }
    Ok(values)
}

/// Feeds one row into a table hash: a tag and length-prefixed bytes per
/// value, so no two different rows hash alike.
fn hash_row(hasher: &mut Sha256, values: &[Value]) {
    for value in values {
        let (tag, bytes): (u8, Option<Vec<u8>>) = match value {
            Value::Int(v) => (b'i', v.map(|n| n.to_be_bytes().to_vec())),
            Value::Real(v) => (b'r', v.map(|f| f.to_bits().to_be_bytes().to_vec())),
            Value::Text(v) => (b't', v.as_ref().map(|s| s.as_bytes().to_vec())),
            Value::Blob(v) => (b'b', v.clone()),
        };
        hasher.update([tag]);
        match bytes {
            None => hasher.update([0]),
            Some(b) => {
                hasher.update([1]);
                hasher.update((b.len() as u64).to_be_bytes());
                hasher.update(&b);
            }
        }
    }
    hasher.update([b'\n']);
}

/// The content hash of a table: sha256 over its rows in key order, values
/// read as the portable kinds of `table` (the same on either engine).
pub(crate) async fn table_hash(
    conn: &mut Conn,
    table: &Table,
) -> Result<(u64, String), StoreError> {
    let sql = select_sql(table);
    let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&mut *conn);
    let mut hasher = Sha256::new();
    let mut n = 0u64;
    while let Some(row) = rows.try_next().await? {
        hash_row(&mut hasher, &read_row(&row, table)?);
        n += 1;
    }
    Ok((n, hex::encode(hasher.finalize())))
}

/// Most bind parameters one INSERT statement carries.
const MAX_PARAMS: usize = 8_000;

async fn insert_batch(
    target: &mut Conn,
    table: &Table,
    batch: &[Vec<Value>],
) -> Result<(), StoreError> {
    if batch.is_empty() {
        return Ok(());
    }
    let width = table.columns.len();
    let mut sql = format!(
        "INSERT INTO {} ({}) VALUES ",
        quote(&table.name),
        table
            .columns
            .iter()
            .map(|(c, _)| quote(c))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for r in 0..batch.len() {
        if r > 0 {
            sql.push_str(", ");
        }
        let params: Vec<String> = (1..=width).map(|c| format!("${}", r * width + c)).collect();
        sql.push('(');
        sql.push_str(&params.join(", "));
        sql.push(')');
    }
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for row in batch {
        for value in row {
            query = match value {
                Value::Int(v) => query.bind(*v),
                Value::Real(v) => query.bind(*v),
                Value::Text(v) => query.bind(v.clone()),
                Value::Blob(v) => query.bind(v.clone()),
            };
        }
    }
    query.execute(&mut *target).await?;
    Ok(())
}

/// Copies every row of `table` from `source` to `target` (read in key
/// order, written in batches); returns the rows copied and the content hash
/// of what was read.
pub(crate) async fn copy_table(
    source: &mut Conn,
    target: &mut Conn,
    table: &Table,
) -> Result<(u64, String), StoreError> {
    let per_batch = (MAX_PARAMS / table.columns.len().max(1)).max(1);
    let sql = select_sql(table);
    let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&mut *source);
    let mut hasher = Sha256::new();
    let mut n = 0u64;
    let mut batch = Vec::with_capacity(per_batch);
    while let Some(row) = rows.try_next().await? {
        let values = read_row(&row, table)?;
        hash_row(&mut hasher, &values);
        batch.push(values);
        n += 1;
        if batch.len() == per_batch {
            insert_batch(target, table, &batch).await?;
            batch.clear();
        }
    }
    insert_batch(target, table, &batch).await?;
    Ok((n, hex::encode(hasher.finalize())))
}

/// Moves the identity sequences of a PostgreSQL table past its copied
/// rows, so the next insert does not reuse an id.
pub(crate) async fn reset_identity(target: &mut Conn, table: &Table) -> Result<(), StoreError> {
    for column in &table.identity {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT setval(pg_get_serial_sequence($1, $2),
                           (SELECT COALESCE(MAX({col}), 0) + 1 FROM {table}), false)",
            col = quote(column),
            table = quote(&table.name)
        )))
        .bind(quote(&table.name))
        .bind(column.as_str())
        .execute(&mut *target)
        .await?;
    }
    Ok(())
}
