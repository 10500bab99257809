//! SQL for datasets: reading every row of one document as id-free records
//! (for export) and writing such records into an empty home (for import),
//! with the manifest entries of everything written.

use super::{Conn, documents, manifest, to_i64, to_u32, to_u64};
use crate::dataset::{
    ChangeRecord, DatasetImportSummary, DocumentDataset, DocumentRecord, ObservationRecord,
    ProvenanceRecord, ProvisionRecord, SnapshotRecord, VersionRecord,
};
use crate::error::StoreError;
use crate::time::{date_from_text, date_to_text, ts_from_text, ts_to_text};
use crate::types::DocumentMeta;
use chrono::{NaiveDate, Utc};
use cw_model::{ChangeSet, DocumentKey};
use std::collections::HashMap;

fn bad(what: String) -> StoreError {
    StoreError::bad_row(what)
}

#[derive(sqlx::FromRow)]
struct VersionRow {
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

#[derive(sqlx::FromRow)]
struct ProvisionRow {
    version: i64,
    position: i64,
    provision_id: String,
    heading_path: String,
    kind: String,
    text: String,
    lineage_key: String,
}

#[derive(sqlx::FromRow)]
struct ChangeRow {
    old_version: Option<i64>,
    new_version: i64,
    added: i64,
    removed: i64,
    modified: i64,
    moved: i64,
    unchanged: i64,
    substantive: i64,
    change_set: String,
}

#[derive(sqlx::FromRow)]
struct SnapshotRow {
    sha256: String,
    size: i64,
    format: String,
    source: String,
    observed_at: String,
    version: i64,
}

/// Reads every row of one document (versions observed on or after `since`).
pub(crate) async fn read(
    conn: &mut Conn,
    document_id: i64,
    key: &DocumentKey,
    since: Option<NaiveDate>,
) -> Result<DocumentDataset, StoreError> {
    let doc = key.to_string();
    // Every stored timestamp text sorts after "" and a date sorts before its day's timestamps.
    let from = since.map(date_to_text).unwrap_or_default();
    let meta: (Option<String>, Option<String>, Option<String>) =
        sqlx::query_as("SELECT doc_type, region, source_url FROM documents WHERE id = $1")
            .bind(document_id)
            .fetch_one(&mut *conn)
            .await?;

    let versions: Vec<VersionRow> = sqlx::query_as(
        "SELECT number, observed_at, title, effective_date, language, format, extractor_version,
            content_hash, provision_count, warnings
         FROM versions WHERE document_id = $1 AND observed_at >= $2 ORDER BY number",
    )
    .bind(document_id)
    .bind(&from)
    .fetch_all(&mut *conn)
    .await?;
    let versions = versions
        .into_iter()
        .map(|v| {
            Ok(VersionRecord {
                document: doc.clone(),
                number: to_u32(v.number, "version number")?,
                observed_at: v.observed_at,
                title: v.title,
                effective_date: v.effective_date,
                language: v.language,
                format: v.format,
                extractor_version: v.extractor_version,
                content_hash: v.content_hash,
                provision_count: to_u64(v.provision_count, "provision count")?,
                warnings: serde_json::from_str(&v.warnings)
                    .map_err(|e| bad(format!("warnings of {doc}@{}: {e}", v.number)))?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;

    let provisions: Vec<ProvisionRow> = sqlx::query_as(
        "SELECT v.number AS version, pr.position, pr.provision_id, pr.heading_path, pr.kind,
            pr.text, pr.lineage_key
         FROM provisions pr JOIN versions v ON v.id = pr.version_id
         WHERE v.document_id = $1 AND v.observed_at >= $2
         ORDER BY v.number, pr.position",
    )
    .bind(document_id)
    .bind(&from)
    .fetch_all(&mut *conn)
    .await?;
    let provisions = provisions
        .into_iter()
        .map(|p| {
            Ok(ProvisionRecord {
                document: doc.clone(),
                version: to_u32(p.version, "version number")?,
                position: to_u64(p.position, "provision position")?,
                heading_path: serde_json::from_str(&p.heading_path).map_err(|e| {
                    bad(format!(
                        "heading path of {doc}@{} {}: {e}",
                        p.version, p.provision_id
                    ))
                })?,
                provision_id: p.provision_id,
                kind: p.kind,
                text: p.text,
                lineage_key: p.lineage_key,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;

    let changes: Vec<ChangeRow> = sqlx::query_as(
        "SELECT ov.number AS old_version, v.number AS new_version, c.added, c.removed,
            c.modified, c.moved, c.unchanged, c.substantive, c.change_set
         FROM changes c JOIN versions v ON v.id = c.new_version_id
         LEFT JOIN versions ov ON ov.id = c.old_version_id
         WHERE c.document_id = $1 AND v.observed_at >= $2
         ORDER BY v.number",
    )
    .bind(document_id)
    .bind(&from)
    .fetch_all(&mut *conn)
    .await?;
    let changes = changes
        .into_iter()
        .map(|c| {
            let change_set: ChangeSet = serde_json::from_str(&c.change_set)
                .map_err(|e| bad(format!("change set of {doc}@{}: {e}", c.new_version)))?;
            Ok(ChangeRecord {
                document: doc.clone(),
                old_version: c
                    .old_version
                    .map(|n| to_u32(n, "version number"))
                    .transpose()?,
                new_version: to_u32(c.new_version, "version number")?,
                added: to_u64(c.added, "added count")?,
                removed: to_u64(c.removed, "removed count")?,
                modified: to_u64(c.modified, "modified count")?,
                moved: to_u64(c.moved, "moved count")?,
                unchanged: to_u64(c.unchanged, "unchanged count")?,
                substantive: to_u64(c.substantive, "substantive count")?,
                change_set,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;

    let snapshots: Vec<SnapshotRow> = sqlx::query_as(
        "SELECT s.sha256, s.size, s.format, s.source, s.observed_at, v.number AS version
         FROM snapshots s JOIN versions v ON v.id = s.version_id
         WHERE s.document_id = $1 AND v.observed_at >= $2
         ORDER BY s.observed_at, s.sha256",
    )
    .bind(document_id)
    .bind(&from)
    .fetch_all(&mut *conn)
    .await?;
    let snapshots = snapshots
        .into_iter()
        .map(|s| {
            Ok(SnapshotRecord {
                document: doc.clone(),
                sha256: s.sha256,
                size: to_u64(s.size, "snapshot size")?,
                format: s.format,
                source: s.source,
                observed_at: s.observed_at,
                version: to_u32(s.version, "version number")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;

    let observations: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT s.sha256, o.source, o.observed_at
         FROM observations o JOIN snapshots s ON s.id = o.snapshot_id
         JOIN versions v ON v.id = s.version_id
         WHERE s.document_id = $1 AND v.observed_at >= $2
         ORDER BY s.sha256, o.observed_at, o.source",
    )
    .bind(document_id)
    .bind(&from)
    .fetch_all(&mut *conn)
    .await?;
    let observations = observations
        .into_iter()
        .map(|(sha256, source, observed_at)| ObservationRecord {
            document: doc.clone(),
            sha256,
            source,
            observed_at,
        })
        .collect();

    // Provenance rows of the versions in scope; refused items (no version)
    // only in a complete export. Ordered by data, not by row id.
    let in_scope: std::collections::HashSet<u32> = versions.iter().map(|v| v.number).collect();
    let mut provenance: Vec<ProvenanceRecord> = super::history::list(conn, document_id, key)
        .await?
        .into_iter()
        .filter(|i| i.version.map_or(since.is_none(), |n| in_scope.contains(&n)))
        .map(|i| ProvenanceRecord {
            document: doc.clone(),
            captured_at: ts_to_text(i.provenance.captured_at),
            raw_sha256: i.provenance.raw_blob.map(|b| b.as_str().to_string()),
            archive: i.provenance.archive,
            item: i.provenance.item,
            commit: i.provenance.commit,
            path: i.provenance.path,
            snapshot_refs: i.provenance.snapshot_refs,
            kind: i.kind.as_str().to_string(),
            sha256: i.sha256,
            version: i.version,
            technical_upgrade: i.technical_upgrade,
            note: i.note,
        })
        .collect();
    provenance.sort_by(|a, b| {
        (&a.captured_at, &a.archive, &a.item).cmp(&(&b.captured_at, &b.archive, &b.item))
    });

    Ok(DocumentDataset {
        document: DocumentRecord {
            document: doc.clone(),
            platform: key.platform.clone(),
            slug: key.document.clone(),
            doc_type: meta.0,
            region: meta.1,
            source_url: meta.2,
        },
        versions,
        provisions,
        changes,
        snapshots,
        observations,
        provenance,
    })
}

fn invalid(reason: String) -> StoreError {
    StoreError::InvalidImport { reason }
}

/// Refuses a timestamp that is not in the stored fixed-width form (text
/// order must stay time order).
fn check_ts(what: &str, s: &str) -> Result<(), StoreError> {
    match ts_from_text(s) {
        Ok(t) if ts_to_text(t) == s => Ok(()),
        _ => Err(invalid(format!(
            "{what}: {s:?} is not a UTC timestamp like 2021-06-18T00:00:00.000000Z"
        ))),
    }
}

/// Writes one document's records and appends their manifest entries.
pub(crate) async fn write(
    conn: &mut Conn,
    d: &DocumentDataset,
    summary: &mut DatasetImportSummary,
) -> Result<(), StoreError> {
    let now = ts_to_text(Utc::now());
    let rec = &d.document;
    let key = DocumentKey::new(&rec.platform, &rec.slug)
        .map_err(|e| invalid(format!("document {}: {e}", rec.document)))?;
    let doc = key.to_string();
    let belongs = |what: &str, of: &str| {
        if of == doc {
            Ok(())
        } else {
            Err(invalid(format!("{what} of {of} listed under {doc}")))
        }
    };
    let meta = DocumentMeta {
        doc_type: rec.doc_type.clone(),
        region: rec.region.clone(),
        source_url: rec.source_url.clone(),
    };
    let document_id = documents::ensure(conn, &key, &meta, &now).await?;
    summary.documents += 1;

    let mut version_ids: HashMap<u32, i64> = HashMap::new();
    for v in &d.versions {
        belongs("a version", &v.document)?;
        check_ts(&format!("{doc}@{} observed_at", v.number), &v.observed_at)?;
        if let Some(d) = &v.effective_date {
            date_from_text(d)
                .map_err(|_| invalid(format!("{doc}@{} effective_date {d:?}", v.number)))?;
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO versions (document_id, number, observed_at, title, effective_date,
                language, format, extractor_version, content_hash, provision_count, warnings,
                created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             RETURNING id",
        )
        .bind(document_id)
        .bind(i64::from(v.number))
        .bind(&v.observed_at)
        .bind(v.title.as_deref())
        .bind(v.effective_date.as_deref())
        .bind(&v.language)
        .bind(&v.format)
        .bind(&v.extractor_version)
        .bind(&v.content_hash)
        .bind(to_i64(v.provision_count, "provision count")?)
        .bind(serde_json::to_string(&v.warnings)?)
        .bind(&now)
        .fetch_one(&mut *conn)
        .await?;
        if version_ids.insert(v.number, id).is_some() {
            return Err(invalid(format!("version {doc}@{} listed twice", v.number)));
        }
        summary.versions += 1;
    }
    mark_reverts(conn, document_id).await?;
    let version_id = |n: u32| {
        version_ids
            .get(&n)
            .copied()
            .ok_or_else(|| invalid(format!("{doc}@{n} is referenced but not in the dataset")))
    };

    for p in &d.provisions {
        belongs("a provision", &p.document)?;
        sqlx::query(
            "INSERT INTO provisions
                (version_id, position, provision_id, heading_path, kind, text, lineage_key)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(version_id(p.version)?)
        .bind(to_i64(p.position, "provision position")?)
        .bind(&p.provision_id)
        .bind(serde_json::to_string(&p.heading_path)?)
        .bind(&p.kind)
        .bind(&p.text)
        .bind(&p.lineage_key)
        .execute(&mut *conn)
        .await?;
        summary.provisions += 1;
    }

    for c in &d.changes {
        belongs("a change", &c.document)?;
        let old = c.old_version.map(version_id).transpose()?;
        sqlx::query(
            "INSERT INTO changes (document_id, old_version_id, new_version_id, added, removed,
                modified, moved, unchanged, substantive, change_set, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(document_id)
        .bind(old)
        .bind(version_id(c.new_version)?)
        .bind(to_i64(c.added, "added count")?)
        .bind(to_i64(c.removed, "removed count")?)
        .bind(to_i64(c.modified, "modified count")?)
        .bind(to_i64(c.moved, "moved count")?)
        .bind(to_i64(c.unchanged, "unchanged count")?)
        .bind(to_i64(c.substantive, "substantive count")?)
        .bind(serde_json::to_string(&c.change_set)?)
        .bind(&now)
        .execute(&mut *conn)
        .await?;
        summary.changes += 1;
    }

    let mut snapshot_ids: HashMap<&str, i64> = HashMap::new();
    for s in &d.snapshots {
        belongs("a snapshot", &s.document)?;
        check_ts(
            &format!("snapshot {} observed_at", s.sha256),
            &s.observed_at,
        )?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO snapshots
                (document_id, version_id, sha256, size, format, source, observed_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             RETURNING id",
        )
        .bind(document_id)
        .bind(version_id(s.version)?)
        .bind(&s.sha256)
        .bind(to_i64(s.size, "snapshot size")?)
        .bind(&s.format)
        .bind(&s.source)
        .bind(&s.observed_at)
        .bind(&now)
        .fetch_one(&mut *conn)
        .await?;
        snapshot_ids.insert(s.sha256.as_str(), id);
        summary.snapshots += 1;
    }

    for o in &d.observations {
        belongs("an observation", &o.document)?;
        check_ts(&format!("observation of {}", o.sha256), &o.observed_at)?;
        let snapshot_id = snapshot_ids
            .get(o.sha256.as_str())
            .copied()
            .ok_or_else(|| {
                invalid(format!(
                    "an observation of {doc} names snapshot {} which is not in the dataset",
                    o.sha256
                ))
            })?;
        sqlx::query(
            "INSERT INTO observations (snapshot_id, source, observed_at, created_at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(snapshot_id)
        .bind(&o.source)
        .bind(&o.observed_at)
        .bind(&now)
        .execute(&mut *conn)
        .await?;
        summary.observations += 1;
    }

    for h in &d.provenance {
        belongs("a provenance row", &h.document)?;
        check_ts(
            &format!("provenance {} captured_at", h.item),
            &h.captured_at,
        )?;
        crate::history::HistoryItemKind::parse(&h.kind)
            .map_err(|_| invalid(format!("provenance {} of {doc}: kind {:?}", h.item, h.kind)))?;
        let version = h.version.map(version_id).transpose()?;
        sqlx::query(
            "INSERT INTO history_items (document_id, archive, item, commit_id, path, captured_at,
                kind, sha256, version_id, technical_upgrade_id, snapshot_refs, raw_sha256, note,
                created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, $10, $11, $12, $13)",
        )
        .bind(document_id)
        .bind(&h.archive)
        .bind(&h.item)
        .bind(h.commit.as_deref())
        .bind(&h.path)
        .bind(&h.captured_at)
        .bind(&h.kind)
        .bind(&h.sha256)
        .bind(version)
        .bind(h.snapshot_refs.as_deref())
        .bind(h.raw_sha256.as_deref())
        .bind(h.note.as_deref())
        .bind(&now)
        .execute(&mut *conn)
        .await?;
        summary.provenance += 1;
    }

    // Manifest entries: versions, then snapshots, then observations.
    for v in &d.versions {
        let record = manifest::version_record(conn, version_id(v.number)?).await?;
        manifest::append(conn, &record, &now).await?;
        summary.manifest_entries += 1;
    }
    for s in &d.snapshots {
        let record = manifest::snapshot_record(conn, document_id, &s.sha256).await?;
        manifest::append(conn, &record, &now).await?;
        summary.manifest_entries += 1;
    }
    for o in &d.observations {
        let record = manifest::observation_record(&doc, &o.sha256, &o.source, &o.observed_at);
        manifest::append(conn, &record, &now).await?;
        summary.manifest_entries += 1;
    }
    Ok(())
}

/// Marks the reverts among a document's versions (migration 0012): a
/// version whose content an earlier version (by observation) had restores
/// the first of them. Datasets carry no restore column; the marker follows
/// from the content hashes and the observation order, as at import.
async fn mark_reverts(conn: &mut Conn, document_id: i64) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE versions SET restores_version_id = (
            SELECT e.id FROM versions e
            WHERE e.document_id = versions.document_id
              AND e.content_hash = versions.content_hash
              AND (e.observed_at < versions.observed_at
                   OR (e.observed_at = versions.observed_at AND e.number < versions.number))
            ORDER BY e.observed_at, e.number LIMIT 1)
         WHERE document_id = $1",
    )
    .bind(document_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
