//! SQL for records that rewrite derived history without adding a version:
//! technical upgrades (a version re-extracted by a newer extractor, its
//! provisions replaced, the change records around it recomputed) and the
//! change record of the version that follows an out-of-order import.

use super::{Conn, Pool, begin_write, documents, to_i64, to_u32, to_usize};
use crate::error::StoreError;
use crate::time::{date_to_text, ts_from_text, ts_to_text};
use crate::upgrades::{RecomputedChange, StoredUpgrade, VersionUpgrade};
use chrono::Utc;
use cw_model::{ChangeSet, DiffSummary, DocumentKey, ExtractedDocument};

/// Id, number and content hash of one version.
#[derive(sqlx::FromRow)]
pub(crate) struct VersionKey {
    pub(crate) id: i64,
    number: i64,
    pub(crate) content_hash: String,
}

impl VersionKey {
    /// The version's number, checked.
    pub(crate) fn number(&self) -> Result<u32, StoreError> {
        to_u32(self.number, "version number")
    }
}

/// The first version observed strictly after `at` (stored timestamp text):
/// the one a new observation at `at` precedes. (Versions observed at the
/// same instant sort before a new one: it gets the highest number.)
pub(crate) async fn following(
    conn: &mut Conn,
    document_id: i64,
    at: &str,
) -> Result<Option<VersionKey>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, number, content_hash FROM versions
         WHERE document_id = $1 AND observed_at > $2
         ORDER BY observed_at, number LIMIT 1",
    )
    .bind(document_id)
    .bind(at)
    .fetch_optional(&mut *conn)
    .await?)
}

/// A version by number.
async fn by_number(
    conn: &mut Conn,
    document_id: i64,
    number: u32,
) -> Result<Option<VersionKey>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, number, content_hash FROM versions WHERE document_id = $1 AND number = $2",
    )
    .bind(document_id)
    .bind(i64::from(number))
    .fetch_optional(&mut *conn)
    .await?)
}

/// Moves a version's first observation earlier (an older snapshot of the
/// same content was imported after it).
pub(crate) async fn observe_earlier(
    conn: &mut Conn,
    version_id: i64,
    at: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE versions SET observed_at = $1 WHERE id = $2 AND observed_at > $1")
        .bind(at)
        .bind(version_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Sets the change record leading to `new_version_id`: replaces the one
/// there is (keeping its `created_at`), or inserts one. `upgrade_id` names
/// the technical upgrade that caused a recomputation.
pub(crate) async fn put_change(
    conn: &mut Conn,
    document_id: i64,
    old_version_id: Option<i64>,
    new_version_id: i64,
    change: &ChangeSet,
    upgrade_id: Option<i64>,
    now: &str,
) -> Result<(), StoreError> {
    let s = &change.summary;
    let json = serde_json::to_string(change)?;
    let updated = sqlx::query(
        "UPDATE changes SET old_version_id = $1, added = $2, removed = $3, modified = $4,
            moved = $5, unchanged = $6, substantive = $7, change_set = $8,
            technical_upgrade_id = $9
         WHERE new_version_id = $10",
    )
    .bind(old_version_id)
    .bind(to_i64(s.added, "added count")?)
    .bind(to_i64(s.removed, "removed count")?)
    .bind(to_i64(s.modified, "modified count")?)
    .bind(to_i64(s.moved, "moved count")?)
    .bind(to_i64(s.unchanged, "unchanged count")?)
    .bind(to_i64(s.substantive, "substantive count")?)
    .bind(&json)
    .bind(upgrade_id)
    .bind(new_version_id)
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() > 0 {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO changes (document_id, old_version_id, new_version_id, added, removed,
            modified, moved, unchanged, substantive, change_set, created_at, technical_upgrade_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(document_id)
    .bind(old_version_id)
    .bind(new_version_id)
    .bind(to_i64(s.added, "added count")?)
    .bind(to_i64(s.removed, "removed count")?)
    .bind(to_i64(s.modified, "modified count")?)
    .bind(to_i64(s.moved, "moved count")?)
    .bind(to_i64(s.unchanged, "unchanged count")?)
    .bind(to_i64(s.substantive, "substantive count")?)
    .bind(&json)
    .bind(now)
    .bind(upgrade_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Replaces the provisions of a version (reading order = position).
async fn replace_provisions(
    conn: &mut Conn,
    version_id: i64,
    doc: &ExtractedDocument,
    lineage_keys: &[String],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM provisions WHERE version_id = $1")
        .bind(version_id)
        .execute(&mut *conn)
        .await?;
    for (position, (p, key)) in doc.provisions.iter().zip(lineage_keys).enumerate() {
        sqlx::query(
            "INSERT INTO provisions
                (version_id, position, provision_id, heading_path, kind, text, lineage_key)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(version_id)
        .bind(to_i64(position, "provision position")?)
        .bind(&p.id)
        .bind(serde_json::to_string(&p.heading_path)?)
        .bind(p.kind.as_str())
        .bind(&p.text)
        .bind(key)
        .execute(&mut *conn)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::InvalidImport {
                reason: format!("provision id {:?} appears more than once", p.id),
            },
            other => StoreError::Db(other),
        })?;
    }
    Ok(())
}

/// The id of the technical upgrade recorded for a version in this run, if any.
fn upgrade_of(recorded: &[(u32, i64)], number: u32) -> Option<i64> {
    recorded
        .iter()
        .find(|(n, _)| *n == number)
        .map(|(_, id)| *id)
}

/// Records the technical upgrades of one document and the change records
/// they make stale, in one transaction. Returns the numbers of the upgraded
/// versions. Fails with [`StoreError::Conflict`] (nothing written) when a
/// version no longer holds the content the caller re-extracted.
pub(crate) async fn record(
    pool: &Pool,
    key: &DocumentKey,
    upgrades: &[VersionUpgrade],
    recomputed: &[RecomputedChange],
) -> Result<Vec<u32>, StoreError> {
    let now = ts_to_text(Utc::now());
    let mut tx = begin_write(pool).await?;
    let document_id = documents::require_id(&mut tx, key).await?;
    let recorded = record_in(&mut tx, document_id, key, upgrades, recomputed, &now).await?;
    tx.commit().await?;
    Ok(recorded.into_iter().map(|(n, _)| n).collect())
}

/// The body of [`record`] inside the caller's write transaction: returns
/// each upgraded version's number with the id of its `technical_upgrades` row.
pub(crate) async fn record_in(
    tx: &mut Conn,
    document_id: i64,
    key: &DocumentKey,
    upgrades: &[VersionUpgrade],
    recomputed: &[RecomputedChange],
    now: &str,
) -> Result<Vec<(u32, i64)>, StoreError> {
    let mut recorded: Vec<(u32, i64)> = Vec::with_capacity(upgrades.len());
    for u in upgrades {
        if u.lineage_keys.len() != u.extracted.provisions.len() {
            return Err(StoreError::InvalidImport {
                reason: format!(
                    "{} lineage keys for {} provisions",
                    u.lineage_keys.len(),
                    u.extracted.provisions.len()
                ),
            });
        }
        let version = by_number(tx, document_id, u.version_number)
            .await?
            .ok_or_else(|| StoreError::not_found(format!("version {key}@{}", u.version_number)))?;
        if version.content_hash != u.old_content_hash {
            return Err(StoreError::Conflict {
                document: format!("{key}@{} (re-extracted meanwhile)", u.version_number),
                expected: Some(u.version_number),
                actual: Some(u.version_number),
            });
        }
        let new_hash = crate::content_hash(&u.extracted);
        let old_extractor: String =
            sqlx::query_scalar("SELECT extractor_version FROM versions WHERE id = $1")
                .bind(version.id)
                .fetch_one(&mut *tx)
                .await?;
        let s = &u.change.summary;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO technical_upgrades (document_id, version_id, old_extractor_version,
                new_extractor_version, old_content_hash, new_content_hash, added, removed,
                modified, moved, unchanged, substantive, change_set, replaced, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
             RETURNING id",
        )
        .bind(document_id)
        .bind(version.id)
        .bind(&old_extractor)
        .bind(&u.extractor_version)
        .bind(&version.content_hash)
        .bind(&new_hash)
        .bind(to_i64(s.added, "added count")?)
        .bind(to_i64(s.removed, "removed count")?)
        .bind(to_i64(s.modified, "modified count")?)
        .bind(to_i64(s.moved, "moved count")?)
        .bind(to_i64(s.unchanged, "unchanged count")?)
        .bind(to_i64(s.substantive, "substantive count")?)
        .bind(serde_json::to_string(&u.change)?)
        .bind(serde_json::to_string(&serde_json::json!({
            "document": &u.replaced,
            "lineage_keys": &u.replaced_lineage_keys,
        }))?)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let doc = &u.extracted;
        sqlx::query(
            "UPDATE versions SET title = $1, effective_date = $2, language = $3, format = $4,
                extractor_version = $5, content_hash = $6, provision_count = $7, warnings = $8
             WHERE id = $9",
        )
        .bind(doc.title.as_deref())
        .bind(doc.effective_date.map(date_to_text))
        .bind(&doc.language)
        .bind(doc.format.as_str())
        .bind(&u.extractor_version)
        .bind(&new_hash)
        .bind(to_i64(doc.provisions.len(), "provision count")?)
        .bind(serde_json::to_string(&doc.warnings)?)
        .bind(version.id)
        .execute(&mut *tx)
        .await?;
        replace_provisions(tx, version.id, doc, &u.lineage_keys).await?;
        recorded.push((u.version_number, id));
    }
    for r in recomputed {
        let new = by_number(tx, document_id, r.new_version)
            .await?
            .ok_or_else(|| StoreError::not_found(format!("version {key}@{}", r.new_version)))?;
        let old_id = match r.old_version {
            Some(n) => Some(
                by_number(tx, document_id, n)
                    .await?
                    .ok_or_else(|| StoreError::not_found(format!("version {key}@{n}")))?
                    .id,
            ),
            None => None,
        };
        // The upgrade of the new side caused it, else that of the old side.
        let cause = upgrade_of(&recorded, r.new_version)
            .or_else(|| r.old_version.and_then(|n| upgrade_of(&recorded, n)));
        put_change(tx, document_id, old_id, new.id, &r.change, cause, now).await?;
    }
    Ok(recorded)
}

/// One row of `technical_upgrades` joined with its version's number.
#[derive(sqlx::FromRow)]
struct UpgradeRecord {
    number: i64,
    old_extractor_version: String,
    new_extractor_version: String,
    old_content_hash: String,
    new_content_hash: String,
    added: i64,
    removed: i64,
    modified: i64,
    moved: i64,
    unchanged: i64,
    substantive: i64,
    change_set: String,
    created_at: String,
}

/// Every technical upgrade of a document, by version observation order then
/// recording order.
pub(crate) async fn list(
    conn: &mut Conn,
    document_id: i64,
    key: &DocumentKey,
) -> Result<Vec<StoredUpgrade>, StoreError> {
    let records: Vec<UpgradeRecord> = sqlx::query_as(
        "SELECT v.number, u.old_extractor_version, u.new_extractor_version, u.old_content_hash,
            u.new_content_hash, u.added, u.removed, u.modified, u.moved, u.unchanged,
            u.substantive, u.change_set, u.created_at
         FROM technical_upgrades u JOIN versions v ON v.id = u.version_id
         WHERE u.document_id = $1
         ORDER BY v.observed_at, v.number, u.id",
    )
    .bind(document_id)
    .fetch_all(&mut *conn)
    .await?;
    records
        .into_iter()
        .map(|r| {
            let version = to_u32(r.number, "version number")?;
            let change_set: ChangeSet = serde_json::from_str(&r.change_set).map_err(|e| {
                StoreError::bad_row(format!("upgrade change set of {key}@{version}: {e}"))
            })?;
            Ok(StoredUpgrade {
                document: key.clone(),
                version,
                technical_upgrade: true,
                old_extractor_version: r.old_extractor_version,
                new_extractor_version: r.new_extractor_version,
                old_content_hash: r.old_content_hash,
                new_content_hash: r.new_content_hash,
                summary: DiffSummary {
                    added: to_usize(r.added, "added count")?,
                    removed: to_usize(r.removed, "removed count")?,
                    modified: to_usize(r.modified, "modified count")?,
                    moved: to_usize(r.moved, "moved count")?,
                    unchanged: to_usize(r.unchanged, "unchanged count")?,
                    substantive: to_usize(r.substantive, "substantive count")?,
                },
                change_set,
                recorded_at: ts_from_text(&r.created_at)?,
            })
        })
        .collect()
}

/// Numbers of the versions whose recorded change was recomputed by a
/// technical upgrade (the watcher must not alert on them).
pub(crate) async fn recomputed_changes(
    conn: &mut Conn,
    document_id: i64,
) -> Result<Vec<u32>, StoreError> {
    let numbers: Vec<i64> = sqlx::query_scalar(
        "SELECT v.number FROM changes c JOIN versions v ON v.id = c.new_version_id
         WHERE c.document_id = $1 AND c.technical_upgrade_id IS NOT NULL
         ORDER BY v.observed_at, v.number",
    )
    .bind(document_id)
    .fetch_all(&mut *conn)
    .await?;
    numbers
        .into_iter()
        .map(|n| to_u32(n, "version number"))
        .collect()
}
