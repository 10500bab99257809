//! The write transaction that records one import: document, snapshot,
//! observation, and when the content is new, the version, its provisions and
//! the change that led to it. Either all of it is committed or none of it.

use super::{Conn, Pool, begin_write, documents, manifest, snapshots, to_i64, upgrades, versions};
use crate::content::content_hash;
use crate::error::StoreError;
use crate::time::{date_to_text, is_storable, ts_to_text};
use crate::types::{DocumentMeta, ImportOutcome, NewImport};
use crate::upgrades::NextVersion;
use chrono::Utc;
use cw_model::ChangeSet;

/// Checks what can be checked without the database.
fn validate(import: &NewImport) -> Result<(), StoreError> {
    let provisions = import.extracted.provisions.len();
    if import.lineage_keys.len() != provisions {
        return Err(StoreError::InvalidImport {
            reason: format!(
                "{} lineage keys for {provisions} provisions (need one per provision)",
                import.lineage_keys.len()
            ),
        });
    }
    if !is_storable(import.observed_at) {
        return Err(StoreError::InvalidImport {
            reason: format!(
                "observation time {} is outside years 0–9999",
                import.observed_at
            ),
        });
    }
    Ok(())
}

/// Records an import in one transaction. The caller has checked that the
/// blob is in the archive. Returning early with an error drops the
/// transaction, which rolls it back.
pub(crate) async fn record(pool: &Pool, import: &NewImport) -> Result<ImportOutcome, StoreError> {
    record_with_next(pool, import, None).await
}

/// [`record`], and when the caller says which version follows the
/// observation (`next`), keeps that version's change record right: an
/// out-of-order import of new content replaces it with `next.change`, and
/// one with the following version's content becomes a snapshot of it.
pub(crate) async fn record_with_next(
    pool: &Pool,
    import: &NewImport,
    expected_next: Option<&NextVersion>,
) -> Result<ImportOutcome, StoreError> {
    validate(import)?;
    let mut tx = begin_write(pool).await?;
    let outcome = record_in(&mut tx, import, expected_next).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// The body of [`record_with_next`] inside the caller's write transaction
/// (an imported history writes its provenance row in the same one). The
/// caller commits; returning an error leaves the transaction to be dropped.
pub(crate) async fn record_in(
    tx: &mut Conn,
    import: &NewImport,
    expected_next: Option<&NextVersion>,
) -> Result<ImportOutcome, StoreError> {
    let now = ts_to_text(Utc::now());
    let at = ts_to_text(import.observed_at);
    let key = &import.document;

    let document_id = documents::ensure(tx, key, &DocumentMeta::default(), &now).await?;

    // The caller diffed against what preceded this observation when it
    // looked (the version in force at `at`).
    let preceding = versions::preceding_record(tx, document_id, &at).await?;
    let hash = content_hash(&import.extracted);

    // Same bytes as before: log the sighting, nothing else, unless they
    // bring back an older text than the one in force (a revert).
    let known = snapshots::find(tx, document_id, import.blob.as_str()).await?;
    let mut restores = None;
    if let Some(known) = &known {
        match sighting(preceding.as_ref(), known, &at, &hash)? {
            Sighting::Revert(version_id) => {
                restores = Some(restored_root(tx, version_id).await?);
            }
            Sighting::Observation(version_number) => {
                snapshots::observe(tx, known.id, &import.source, &at, &now).await?;
                manifest::record_import(tx, document_id, None, false, import, &at).await?;
                return Ok(ImportOutcome::SameSnapshot { version_number });
            }
        }
    }

    // If what preceded the observation moved since the caller looked, its
    // diff and lineage keys are stale.
    let actual = preceding.as_ref().map(|r| r.number()).transpose()?;
    if actual != import.previous_version_number {
        return Err(StoreError::Conflict {
            document: key.to_string(),
            expected: import.previous_version_number,
            actual,
        });
    }

    // New bytes, same content: another snapshot of the preceding version.
    if let Some(prev) = preceding.as_ref().filter(|p| p.content_hash == hash) {
        snapshots::insert(tx, document_id, prev.id, import, &at, &now).await?;
        let number = prev.number()?;
        manifest::record_import(tx, document_id, None, true, import, &at).await?;
        return Ok(ImportOutcome::SameContent {
            version_number: number,
        });
    }

    // What follows the observation: must be what the caller diffed against.
    let following = match expected_next {
        Some(expected) => {
            let following = upgrades::following(tx, document_id, &at).await?;
            let actual = following.as_ref().map(|f| f.number()).transpose()?;
            if actual != expected.version_number {
                return Err(StoreError::Conflict {
                    document: format!("{key} (following version)"),
                    expected: expected.version_number,
                    actual,
                });
            }
            following
        }
        None => None,
    };
    // An older copy of the following version's content: a snapshot of it,
    // first seen earlier than thought.
    if let Some(f) = following.as_ref().filter(|f| f.content_hash == hash) {
        // Bytes archived before (a revert's) are only observed again.
        match &known {
            Some(known) => snapshots::observe(tx, known.id, &import.source, &at, &now).await?,
            None => {
                snapshots::insert(tx, document_id, f.id, import, &at, &now).await?;
            }
        }
        upgrades::observe_earlier(tx, f.id, &at).await?;
        let number = f.number()?;
        // observe_earlier may move the version's observation time: re-enter it.
        let new_snapshot = known.is_none();
        manifest::record_import(tx, document_id, Some(f.id), new_snapshot, import, &at).await?;
        return Ok(ImportOutcome::SameContent {
            version_number: number,
        });
    }

    // New content for this point in time: a new version. Content an older
    // version had (new bytes of an old text) makes it a revert too.
    if restores.is_none() {
        restores = earlier_with_content(tx, document_id, &hash, &at).await?;
    }
    let next: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(number), 0) + 1 FROM versions WHERE document_id = $1",
    )
    .bind(document_id)
    .fetch_one(&mut *tx)
    .await?;
    let number = super::to_u32(next, "version number")?;
    let version_id = insert_version(tx, document_id, next, import, &hash, &at, &now).await?;
    if let Some(restored) = restores {
        sqlx::query("UPDATE versions SET restores_version_id = $1 WHERE id = $2")
            .bind(restored)
            .bind(version_id)
            .execute(&mut *tx)
            .await?;
    }
    insert_provisions(tx, version_id, import).await?;
    let substantive = match &import.change {
        Some(change) => {
            let old_id = preceding.as_ref().map(|p| p.id);
            insert_change(tx, document_id, old_id, version_id, change, &now).await?;
            change.summary.substantive
        }
        None => 0,
    };
    // The following version was diffed against the preceding one; now this
    // version stands between them.
    if let (Some(f), Some(change)) = (&following, expected_next.and_then(|n| n.change.as_ref())) {
        upgrades::put_change(tx, document_id, Some(version_id), f.id, change, None, &now).await?;
    }
    // Bytes archived before keep their one snapshot row (unique per
    // document and bytes); the revert's sighting is logged on it.
    match &known {
        Some(known) => snapshots::observe(tx, known.id, &import.source, &at, &now).await?,
        None => {
            snapshots::insert(tx, document_id, version_id, import, &at, &now).await?;
        }
    }
    let new_snapshot = known.is_none();
    manifest::record_import(tx, document_id, Some(version_id), new_snapshot, import, &at).await?;
    let restores = match restores {
        Some(id) => Some(version_number_of(tx, id).await?),
        None => None,
    };
    Ok(ImportOutcome::NewVersion {
        version_number: number,
        substantive,
        restores,
    })
}

/// What a sighting of bytes already archived for the document is.
enum Sighting {
    /// The bytes bring back the text of this older version (its id).
    Revert(i64),
    /// Only another observation of this version (its number).
    Observation(u32),
}

/// Known bytes seen at `at` are a revert when their version is older than
/// the one in force at `at` (observed at or before `at`, and not that
/// version) and their content (`hash`, as extracted now) is not the one in
/// force. Otherwise the sighting is an observation of the version in force
/// (bytes of an older version whose text is back in force) or of their own
/// version (the version in force, or a later one seen earlier).
fn sighting(
    preceding: Option<&versions::VersionRecord>,
    known: &snapshots::KnownSnapshot,
    at: &str,
    hash: &str,
) -> Result<Sighting, StoreError> {
    match preceding {
        Some(in_force)
            if known.version_id != in_force.id && known.version_observed_at.as_str() <= at =>
        {
            if in_force.content_hash == hash {
                Ok(Sighting::Observation(in_force.number()?))
            } else {
                Ok(Sighting::Revert(known.version_id))
            }
        }
        _ => Ok(Sighting::Observation(known.number)),
    }
}

/// The version a revert to `version_id` names: the text's first version,
/// so a chain of reverts always points where the text was first recorded.
async fn restored_root(conn: &mut Conn, version_id: i64) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT COALESCE(restores_version_id, id) FROM versions WHERE id = $1")
            .bind(version_id)
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// The first version of a text equal to `hash` observed at or before `at`,
/// if any: new bytes whose content an older version had are a revert to it.
async fn earlier_with_content(
    conn: &mut Conn,
    document_id: i64,
    hash: &str,
    at: &str,
) -> Result<Option<i64>, StoreError> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT COALESCE(restores_version_id, id) FROM versions
         WHERE document_id = $1 AND content_hash = $2 AND observed_at <= $3
         ORDER BY observed_at DESC, number DESC LIMIT 1",
    )
    .bind(document_id)
    .bind(hash)
    .bind(at)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(found)
}

/// The number of a version, by id.
async fn version_number_of(conn: &mut Conn, version_id: i64) -> Result<u32, StoreError> {
    let number: i64 = sqlx::query_scalar("SELECT number FROM versions WHERE id = $1")
        .bind(version_id)
        .fetch_one(&mut *conn)
        .await?;
    super::to_u32(number, "version number")
}

async fn insert_version(
    conn: &mut Conn,
    document_id: i64,
    number: i64,
    import: &NewImport,
    content_hash: &str,
    observed_at: &str,
    now: &str,
) -> Result<i64, StoreError> {
    let doc = &import.extracted;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO versions (document_id, number, observed_at, title, effective_date, language,
            format, extractor_version, content_hash, provision_count, warnings, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         RETURNING id",
    )
    .bind(document_id)
    .bind(number)
    .bind(observed_at)
    .bind(doc.title.as_deref())
    .bind(doc.effective_date.map(date_to_text))
    .bind(&doc.language)
    .bind(doc.format.as_str())
    .bind(&import.extractor_version)
    .bind(content_hash)
    .bind(to_i64(doc.provisions.len(), "provision count")?)
    .bind(serde_json::to_string(&doc.warnings)?)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

async fn insert_provisions(
    conn: &mut Conn,
    version_id: i64,
    import: &NewImport,
) -> Result<(), StoreError> {
    let provisions = import.extracted.provisions.iter().zip(&import.lineage_keys);
    for (position, (provision, lineage_key)) in provisions.enumerate() {
        sqlx::query(
            "INSERT INTO provisions
                (version_id, position, provision_id, heading_path, kind, text, lineage_key)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(version_id)
        .bind(to_i64(position, "provision position")?)
        .bind(&provision.id)
        .bind(serde_json::to_string(&provision.heading_path)?)
        .bind(provision.kind.as_str())
        .bind(&provision.text)
        .bind(lineage_key)
        .execute(&mut *conn)
        .await
        .map_err(|e| match e {
            // UNIQUE (version_id, provision_id); positions are unique by construction.
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::InvalidImport {
                reason: format!("provision id {:?} appears more than once", provision.id),
            },
            other => StoreError::Db(other),
        })?;
    }
    Ok(())
}

async fn insert_change(
    conn: &mut Conn,
    document_id: i64,
    old_version_id: Option<i64>,
    new_version_id: i64,
    change: &ChangeSet,
    now: &str,
) -> Result<(), StoreError> {
    let s = &change.summary;
    sqlx::query(
        "INSERT INTO changes (document_id, old_version_id, new_version_id, added, removed,
            modified, moved, unchanged, substantive, change_set, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
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
    .bind(serde_json::to_string(change)?)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
