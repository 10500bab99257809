//! SQL and hashing for the hash-chained manifest (migration 0005): the
//! record hash of every version, snapshot and observation, appending
//! entries (in the caller's transaction), reading the chain back, and
//! recomputing the records as they are now for `verify`.
//!
//! Record hashes are the sha256 of a compact JSON object with keys in
//! sorted order, built only from stored values that mean something to an
//! auditor (never database ids or `created_at`), so the same data in another
//! home hashes the same:
//!
//! * `version`: `content` (the [`content_hash`] recomputed from the stored
//!   title, effective date, language and provisions — so an edited provision
//!   text changes it), `document`, `extractor_version`, `format`, `number`,
//!   `observed_at`, `provision_count`, `stored_content_hash` (the column),
//!   `warnings` (the stored JSON text). Lineage keys and change records are
//!   derived data (recomputable from the versions) and are left out.
//! * `snapshot`: `document`, `format`, `observed_at`, `sha256`, `size`,
//!   `source`, `version` (the number of the version the bytes extract to).
//! * `observation`: `document`, `observed_at`, `sha256`, `source`.

use super::{Conn, to_u64};
use crate::content::content_hash;
use crate::error::StoreError;
use crate::time::{date_from_text, ts_to_text};
use crate::verify::{ManifestEntry, RecordKind};
use chrono::Utc;
use cw_model::{ExtractedDocument, Provision, ProvisionKind, SourceFormat};
use serde_json::json;
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry.
pub(crate) const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One record as it is now: its kind, key and hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Record {
    pub(crate) kind: RecordKind,
    pub(crate) key: String,
    pub(crate) hash: String,
}

fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// The chain hash of an entry: binds it to its predecessor and its position.
pub(crate) fn chain_hash(
    prev: &str,
    seq: u64,
    kind: RecordKind,
    key: &str,
    record_hash: &str,
) -> String {
    sha256_hex(&format!(
        "{prev}\n{seq}\n{}\n{key}\n{record_hash}",
        kind.as_str()
    ))
}

/// The key of a snapshot record.
pub(crate) fn snapshot_key(document: &str, sha256: &str) -> String {
    format!("{document}#{sha256}")
}

/// The key of an observation record.
pub(crate) fn observation_key(document: &str, sha256: &str, observed_at: &str) -> String {
    format!("{document}#{sha256}@{observed_at}")
}

/// The record of one observation (pure: everything is in the arguments).
pub(crate) fn observation_record(
    document: &str,
    sha256: &str,
    source: &str,
    observed_at: &str,
) -> Record {
    // Keys in sorted order (the output is the same with or without serde_json's preserve_order).
    let value = json!({
        "document": document,
        "observed_at": observed_at,
        "sha256": sha256,
        "source": source,
    });
    Record {
        kind: RecordKind::Observation,
        key: observation_key(document, sha256, observed_at),
        hash: sha256_hex(&value.to_string()),
    }
}

/// Appends one entry at the end of the chain; returns it.
pub(crate) async fn append(
    conn: &mut Conn,
    record: &Record,
    now: &str,
) -> Result<ManifestEntry, StoreError> {
    let last: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, chain_hash FROM manifest ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?;
    let (seq, prev) = match last {
        Some((seq, hash)) => (to_u64(seq, "manifest seq")? + 1, hash),
        None => (1, GENESIS.to_string()),
    };
    let chain = chain_hash(&prev, seq, record.kind, &record.key, &record.hash);
    sqlx::query(
        "INSERT INTO manifest (seq, kind, record_key, record_hash, prev_hash, chain_hash, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(super::to_i64(seq, "manifest seq")?)
    .bind(record.kind.as_str())
    .bind(&record.key)
    .bind(&record.hash)
    .bind(&prev)
    .bind(&chain)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(ManifestEntry {
        seq,
        kind: record.kind,
        record_key: record.key.clone(),
        record_hash: record.hash.clone(),
        prev_hash: prev,
        chain_hash: chain,
    })
}

/// The stored fields of a version that its record hash covers.
#[derive(sqlx::FromRow)]
struct VersionFields {
    id: i64,
    document: String,
    number: i64,
    observed_at: String,
    title: Option<String>,
    effective_date: Option<String>,
    language: String,
    format: String,
    extractor_version: String,
    content_hash: String,
    provision_count: i64,
    warnings: String,
}

/// Selects [`VersionFields`]; callers append a WHERE / ORDER BY.
macro_rules! version_fields {
    () => {
        "SELECT v.id, p.slug || '/' || d.slug AS document, v.number, v.observed_at, v.title,
            v.effective_date, v.language, v.format, v.extractor_version, v.content_hash,
            v.provision_count, v.warnings
         FROM versions v JOIN documents d ON d.id = v.document_id
         JOIN platforms p ON p.id = d.platform_id"
    };
}

fn parse_kind(s: &str) -> ProvisionKind {
    // An unknown kind still has to hash deterministically; it cannot be
    // stored (CHECK constraint), so the fallback is never reached in practice.
    [
        ProvisionKind::Heading,
        ProvisionKind::Paragraph,
        ProvisionKind::ListItem,
        ProvisionKind::TableRow,
    ]
    .into_iter()
    .find(|k| k.as_str() == s)
    .unwrap_or(ProvisionKind::Paragraph)
}

/// Hashes a version from its stored fields and provisions.
async fn hash_version(conn: &mut Conn, v: VersionFields) -> Result<Record, StoreError> {
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT provision_id, heading_path, kind, text FROM provisions
         WHERE version_id = $1 ORDER BY position",
    )
    .bind(v.id)
    .fetch_all(&mut *conn)
    .await?;
    let mut provisions = Vec::with_capacity(rows.len());
    for (id, heading_path, kind, text) in rows {
        // An unreadable heading path is itself tampering: hash its raw text instead.
        let path: Vec<String> =
            serde_json::from_str(&heading_path).unwrap_or_else(|_| vec![heading_path.clone()]);
        provisions.push(Provision::new(id, path, parse_kind(&kind), text));
    }
    let doc = ExtractedDocument {
        title: v.title.clone(),
        effective_date: v
            .effective_date
            .as_deref()
            .and_then(|d| date_from_text(d).ok()),
        language: v.language.clone(),
        format: SourceFormat::Text,
        provisions,
        warnings: vec![],
        coverage: None,
    };
    // The effective date enters the hash as stored text too, so an unparsable
    // edit is not lost by the lenient parse above.
    let value = json!({
        "content": content_hash(&doc),
        "document": v.document,
        "effective_date": v.effective_date,
        "extractor_version": v.extractor_version,
        "format": v.format,
        "number": v.number,
        "observed_at": v.observed_at,
        "provision_count": v.provision_count,
        "stored_content_hash": v.content_hash,
        "warnings": v.warnings,
    });
    Ok(Record {
        kind: RecordKind::Version,
        key: format!("{}@{}", v.document, v.number),
        hash: sha256_hex(&value.to_string()),
    })
}

/// The record of one version, by database id.
pub(crate) async fn version_record(conn: &mut Conn, version_id: i64) -> Result<Record, StoreError> {
    let fields: VersionFields = sqlx::query_as(concat!(version_fields!(), " WHERE v.id = $1"))
        .bind(version_id)
        .fetch_one(&mut *conn)
        .await?;
    hash_version(conn, fields).await
}

/// The stored fields of a snapshot that its record hash covers.
#[derive(sqlx::FromRow)]
struct SnapshotFields {
    document: String,
    sha256: String,
    size: i64,
    format: String,
    source: String,
    observed_at: String,
    version: i64,
}

macro_rules! snapshot_fields {
    () => {
        "SELECT p.slug || '/' || d.slug AS document, s.sha256, s.size, s.format, s.source,
            s.observed_at, v.number AS version
         FROM snapshots s JOIN documents d ON d.id = s.document_id
         JOIN platforms p ON p.id = d.platform_id
         JOIN versions v ON v.id = s.version_id"
    };
}

fn hash_snapshot(s: SnapshotFields) -> Record {
    let value = json!({
        "document": s.document,
        "format": s.format,
        "observed_at": s.observed_at,
        "sha256": s.sha256,
        "size": s.size,
        "source": s.source,
        "version": s.version,
    });
    Record {
        kind: RecordKind::Snapshot,
        key: snapshot_key(&s.document, &s.sha256),
        hash: sha256_hex(&value.to_string()),
    }
}

/// The record of one snapshot.
pub(crate) async fn snapshot_record(
    conn: &mut Conn,
    document_id: i64,
    sha256: &str,
) -> Result<Record, StoreError> {
    let fields: SnapshotFields = sqlx::query_as(concat!(
        snapshot_fields!(),
        " WHERE s.document_id = $1 AND s.sha256 = $2"
    ))
    .bind(document_id)
    .bind(sha256)
    .fetch_one(&mut *conn)
    .await?;
    Ok(hash_snapshot(fields))
}

/// Appends the entries of one import, in the import's own transaction: the
/// new version (if any), the new snapshot (if any), and the observation.
pub(crate) async fn record_import(
    conn: &mut Conn,
    document_id: i64,
    new_version_id: Option<i64>,
    new_snapshot: bool,
    import: &crate::types::NewImport,
    observed_at: &str,
) -> Result<(), StoreError> {
    let now = ts_to_text(Utc::now());
    if let Some(id) = new_version_id {
        let record = version_record(conn, id).await?;
        append(conn, &record, &now).await?;
    }
    let sha = import.blob.as_str();
    if new_snapshot {
        let record = snapshot_record(conn, document_id, sha).await?;
        append(conn, &record, &now).await?;
    }
    let document = import.document.to_string();
    let record = observation_record(&document, sha, &import.source, observed_at);
    append(conn, &record, &now).await?;
    Ok(())
}

/// Every record as it is now: versions (by document, number), snapshots
/// (by document, observation time, sha256), observations (by document,
/// sha256, time, source).
pub(crate) async fn current_records(conn: &mut Conn) -> Result<Vec<Record>, StoreError> {
    let versions: Vec<VersionFields> = sqlx::query_as(concat!(
        version_fields!(),
        " ORDER BY p.slug, d.slug, v.number"
    ))
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    for v in versions {
        out.push(hash_version(conn, v).await?);
    }
    let snapshots: Vec<SnapshotFields> = sqlx::query_as(concat!(
        snapshot_fields!(),
        " ORDER BY p.slug, d.slug, s.observed_at, s.sha256"
    ))
    .fetch_all(&mut *conn)
    .await?;
    out.extend(snapshots.into_iter().map(hash_snapshot));
    let observations: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT p.slug || '/' || d.slug AS document, s.sha256, o.source, o.observed_at
         FROM observations o JOIN snapshots s ON s.id = o.snapshot_id
         JOIN documents d ON d.id = s.document_id JOIN platforms p ON p.id = d.platform_id
         ORDER BY p.slug, d.slug, s.sha256, o.observed_at, o.source",
    )
    .fetch_all(&mut *conn)
    .await?;
    out.extend(
        observations
            .iter()
            .map(|(doc, sha, source, at)| observation_record(doc, sha, source, at)),
    );
    Ok(out)
}

/// One stored manifest row.
#[derive(sqlx::FromRow)]
struct EntryRow {
    seq: i64,
    kind: String,
    record_key: String,
    record_hash: String,
    prev_hash: String,
    chain_hash: String,
}

/// The whole manifest in sequence order. An entry that cannot be read (an
/// unknown kind, a negative seq) is an `Err` describing it, for the caller
/// to report as tampering.
pub(crate) async fn entries(
    conn: &mut Conn,
) -> Result<Vec<Result<ManifestEntry, String>>, StoreError> {
    let rows: Vec<EntryRow> = sqlx::query_as(
        "SELECT seq, kind, record_key, record_hash, prev_hash, chain_hash FROM manifest ORDER BY seq",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let seq = u64::try_from(r.seq).map_err(|_| format!("seq {}", r.seq))?;
            let kind = RecordKind::parse(&r.kind)
                .ok_or_else(|| format!("entry {seq} has unknown kind {:?}", r.kind))?;
            Ok(ManifestEntry {
                seq,
                kind,
                record_key: r.record_key,
                record_hash: r.record_hash,
                prev_hash: r.prev_hash,
                chain_hash: r.chain_hash,
            })
        })
        .collect())
}

/// The last entry's sequence number and chain hash.
pub(crate) async fn head(conn: &mut Conn) -> Result<Option<(u64, String)>, StoreError> {
    let last: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, chain_hash FROM manifest ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?;
    last.map(|(seq, hash)| Ok((to_u64(seq, "manifest seq")?, hash)))
        .transpose()
}

/// The reason a one-time backfill is pending, if it is.
pub(crate) async fn backfill_pending(conn: &mut Conn) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT reason FROM manifest_backfill WHERE id = 1")
            .fetch_optional(&mut *conn)
            .await?,
    )
}

/// Marks the one-time backfill as done.
pub(crate) async fn clear_backfill(conn: &mut Conn) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM manifest_backfill WHERE id = 1")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_hash_binds_every_field() {
        let base = chain_hash(GENESIS, 1, RecordKind::Version, "a/b@1", "x");
        assert_eq!(base.len(), 64);
        assert_ne!(
            base,
            chain_hash(GENESIS, 2, RecordKind::Version, "a/b@1", "x")
        );
        assert_ne!(
            base,
            chain_hash(GENESIS, 1, RecordKind::Snapshot, "a/b@1", "x")
        );
        assert_ne!(
            base,
            chain_hash(GENESIS, 1, RecordKind::Version, "a/b@2", "x")
        );
        assert_ne!(
            base,
            chain_hash(GENESIS, 1, RecordKind::Version, "a/b@1", "y")
        );
        assert_ne!(
            base,
            chain_hash(&base, 1, RecordKind::Version, "a/b@1", "x")
        );
    }

    #[test]
    fn observation_records_are_deterministic() {
        let a = observation_record("a/b", "00", "f.txt", "2021-06-18T00:00:00.000000Z");
        let b = observation_record("a/b", "00", "f.txt", "2021-06-18T00:00:00.000000Z");
        assert_eq!(a, b);
        assert_eq!(a.key, "a/b#00@2021-06-18T00:00:00.000000Z");
        assert_ne!(
            a.hash,
            observation_record("a/b", "00", "g.txt", "2021-06-18T00:00:00.000000Z").hash
        );
    }
}
