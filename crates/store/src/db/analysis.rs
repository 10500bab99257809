//! SQL for analysis results (migration 0003): one `analyses` row per
//! version with its `provision_labels`, `provision_attributes` and
//! `findings`; replacing an analysis; reading one back; and the labelled
//! provisions of every document's newest version.

use super::{Conn, to_document_key, to_i64, to_u32, to_usize};
use crate::analysis::{
    AnalysisFinding, AnalysisOutcome, LabelledProvision, NewAnalysis, ProvisionAnalysis,
    StoredAnalysis, StoredLabel,
};
use crate::error::StoreError;
use crate::time::{date_from_text, ts_from_text};
use cw_model::DocumentKey;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// sha256 (hex) of the results as written: doc type, provisions, findings.
fn results_hash(new: &NewAnalysis) -> Result<String, StoreError> {
    let json = serde_json::to_vec(&(&new.doc_type, &new.provisions, &new.findings))?;
    Ok(hex::encode(Sha256::digest(&json)))
}

/// Rejects values the schema's CHECK constraints would refuse, with a readable reason.
fn validate(new: &NewAnalysis, provision_count: usize) -> Result<(), StoreError> {
    let invalid = |reason: String| Err(StoreError::InvalidImport { reason });
    let mut last: Option<usize> = None;
    for p in &new.provisions {
        if p.position >= provision_count {
            return invalid(format!(
                "analysis names provision position {} but the version has {provision_count}",
                p.position
            ));
        }
        if last.is_some_and(|l| l >= p.position) {
            return invalid(format!(
                "analysis provisions are not in strictly increasing position order at {}",
                p.position
            ));
        }
        last = Some(p.position);
        let mut ids: Vec<&str> = p.labels.iter().map(|l| l.id.as_str()).collect();
        ids.sort_unstable();
        if ids.windows(2).any(|w| w[0] == w[1]) {
            return invalid(format!("provision {} has a label twice", p.provision_id));
        }
        for l in &p.labels {
            if !(0.0..=1.0).contains(&l.confidence) || l.span.0 > l.span.1 {
                return invalid(format!(
                    "label {} of provision {}: confidence {} or span {:?} out of range",
                    l.id, p.provision_id, l.confidence, l.span
                ));
            }
        }
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct AnalysisRecord {
    id: i64,
    analyzer_version: String,
    model_version: String,
    content_hash: String,
    doc_type: String,
    results_hash: String,
    analyzed_at: String,
}

async fn record_of(conn: &mut Conn, version_id: i64) -> Result<Option<AnalysisRecord>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, analyzer_version, model_version, content_hash, doc_type, results_hash, analyzed_at
         FROM analyses WHERE version_id = $1",
    )
    .bind(version_id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Writes (or replaces, or leaves as it is) the analysis of a version.
/// Runs inside the caller's write transaction.
pub(crate) async fn record(
    conn: &mut Conn,
    version_id: i64,
    provision_count: usize,
    new: &NewAnalysis,
    now: &str,
) -> Result<AnalysisOutcome, StoreError> {
    validate(new, provision_count)?;
    let hash = results_hash(new)?;
    let label_count: usize = new.provisions.iter().map(|p| p.labels.len()).sum();
    let label_count = to_i64(label_count, "label count")?;
    let finding_count = to_i64(new.findings.len(), "finding count")?;
    let (analysis_id, outcome) = match record_of(conn, version_id).await? {
        Some(old)
            if old.analyzer_version == new.analyzer_version
                && old.model_version == new.model_version
                && old.content_hash == new.content_hash
                && old.results_hash == hash =>
        {
            return Ok(AnalysisOutcome::Unchanged);
        }
        Some(old) => {
            for delete in [
                "DELETE FROM provision_labels WHERE analysis_id = $1",
                "DELETE FROM provision_attributes WHERE analysis_id = $1",
                "DELETE FROM findings WHERE analysis_id = $1",
            ] {
                sqlx::query(delete).bind(old.id).execute(&mut *conn).await?;
            }
            sqlx::query(
                "UPDATE analyses SET analyzer_version = $2, model_version = $3, content_hash = $4,
                     doc_type = $5, results_hash = $6, label_count = $7, finding_count = $8,
                     analyzed_at = $9
                 WHERE id = $1",
            )
            .bind(old.id)
            .bind(&new.analyzer_version)
            .bind(&new.model_version)
            .bind(&new.content_hash)
            .bind(&new.doc_type)
            .bind(&hash)
            .bind(label_count)
            .bind(finding_count)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            (old.id, AnalysisOutcome::Replaced)
        }
        None => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO analyses (version_id, analyzer_version, model_version, content_hash,
                     doc_type, results_hash, label_count, finding_count, analyzed_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 RETURNING id",
            )
            .bind(version_id)
            .bind(&new.analyzer_version)
            .bind(&new.model_version)
            .bind(&new.content_hash)
            .bind(&new.doc_type)
            .bind(&hash)
            .bind(label_count)
            .bind(finding_count)
            .bind(now)
            .fetch_one(&mut *conn)
            .await?;
            (id, AnalysisOutcome::Recorded)
        }
    };
    for p in &new.provisions {
        let position = to_i64(p.position, "provision position")?;
        for l in &p.labels {
            sqlx::query(
                "INSERT INTO provision_labels
                     (analysis_id, position, provision_id, label, confidence, span_start, span_end, source)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(analysis_id)
            .bind(position)
            .bind(&p.provision_id)
            .bind(&l.id)
            .bind(f64::from(l.confidence))
            .bind(to_i64(l.span.0, "span start")?)
            .bind(to_i64(l.span.1, "span end")?)
            .bind(&l.source)
            .execute(&mut *conn)
            .await?;
        }
        if let Some(attributes) = &p.attributes {
            sqlx::query(
                "INSERT INTO provision_attributes (analysis_id, position, provision_id, attributes)
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(analysis_id)
            .bind(position)
            .bind(&p.provision_id)
            .bind(serde_json::to_string(attributes)?)
            .execute(&mut *conn)
            .await?;
        }
    }
    for (seq, f) in new.findings.iter().enumerate() {
        sqlx::query(
            "INSERT INTO findings (analysis_id, seq, check_id, regulation, article, provision_id,
                 message, evidence, caveat)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(analysis_id)
        .bind(to_i64(seq, "finding number")?)
        .bind(&f.check)
        .bind(&f.regulation)
        .bind(&f.article)
        .bind(&f.provision_id)
        .bind(&f.message)
        .bind(&f.evidence)
        .bind(&f.caveat)
        .execute(&mut *conn)
        .await?;
    }
    Ok(outcome)
}

#[derive(sqlx::FromRow)]
struct LabelRecord {
    position: i64,
    provision_id: String,
    label: String,
    confidence: f64,
    span_start: i64,
    span_end: i64,
    source: String,
}

impl LabelRecord {
    fn into_label(self) -> Result<(usize, String, StoredLabel), StoreError> {
        Ok((
            to_usize(self.position, "provision position")?,
            self.provision_id,
            StoredLabel {
                id: self.label,
                // Written from an f32, so the narrowing is exact.
                confidence: self.confidence as f32,
                span: (
                    to_usize(self.span_start, "span start")?,
                    to_usize(self.span_end, "span end")?,
                ),
                source: self.source,
            },
        ))
    }
}

#[derive(sqlx::FromRow)]
struct FindingRecord {
    check_id: String,
    regulation: String,
    article: String,
    provision_id: Option<String>,
    message: String,
    evidence: Option<String>,
    caveat: String,
}

/// The stored analysis of a version (`content_hash` is the version's current one).
pub(crate) async fn get(
    conn: &mut Conn,
    version_id: i64,
    key: &DocumentKey,
    version_number: u32,
    content_hash: &str,
) -> Result<Option<StoredAnalysis>, StoreError> {
    let Some(record) = record_of(conn, version_id).await? else {
        return Ok(None);
    };
    let labels: Vec<LabelRecord> = sqlx::query_as(
        "SELECT position, provision_id, label, confidence, span_start, span_end, source
         FROM provision_labels WHERE analysis_id = $1 ORDER BY position, label",
    )
    .bind(record.id)
    .fetch_all(&mut *conn)
    .await?;
    let attributes: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT position, provision_id, attributes FROM provision_attributes
         WHERE analysis_id = $1 ORDER BY position",
    )
    .bind(record.id)
    .fetch_all(&mut *conn)
    .await?;
    let findings: Vec<FindingRecord> = sqlx::query_as(
        "SELECT check_id, regulation, article, provision_id, message, evidence, caveat
         FROM findings WHERE analysis_id = $1 ORDER BY seq",
    )
    .bind(record.id)
    .fetch_all(&mut *conn)
    .await?;

    let mut provisions: BTreeMap<usize, ProvisionAnalysis> = BTreeMap::new();
    for l in labels {
        let (position, provision_id, label) = l.into_label()?;
        provisions
            .entry(position)
            .or_insert_with(|| ProvisionAnalysis {
                position,
                provision_id,
                labels: Vec::new(),
                attributes: None,
            })
            .labels
            .push(label);
    }
    for (position, provision_id, json) in attributes {
        let position = to_usize(position, "provision position")?;
        let value: serde_json::Value = serde_json::from_str(&json).map_err(|e| {
            StoreError::bad_row(format!("attributes of provision {provision_id}: {e}"))
        })?;
        provisions
            .entry(position)
            .or_insert_with(|| ProvisionAnalysis {
                position,
                provision_id,
                labels: Vec::new(),
                attributes: None,
            })
            .attributes = Some(value);
    }
    Ok(Some(StoredAnalysis {
        document: key.clone(),
        version_number,
        current_content: record.content_hash == content_hash,
        analyzer_version: record.analyzer_version,
        model_version: record.model_version,
        content_hash: record.content_hash,
        doc_type: record.doc_type,
        analyzed_at: ts_from_text(&record.analyzed_at)?,
        provisions: provisions.into_values().collect(),
        findings: findings
            .into_iter()
            .map(|f| AnalysisFinding {
                check: f.check_id,
                regulation: f.regulation,
                article: f.article,
                provision_id: f.provision_id,
                message: f.message,
                evidence: f.evidence,
                caveat: f.caveat,
            })
            .collect(),
    }))
}

#[derive(sqlx::FromRow)]
struct InForceRecord {
    platform: String,
    document: String,
    doc_type: Option<String>,
    number: i64,
    effective_date: Option<String>,
    heading_path: String,
    text: String,
    position: i64,
    provision_id: String,
    label: String,
    confidence: f64,
    span_start: i64,
    span_end: i64,
    source: String,
}

/// Labelled provisions of the newest version (by observation) of every
/// document, from analyses of the content the version still holds.
pub(crate) async fn labelled_in_force(
    conn: &mut Conn,
) -> Result<Vec<LabelledProvision>, StoreError> {
    let rows: Vec<InForceRecord> = sqlx::query_as(
        "SELECT pf.slug AS platform, d.slug AS document, d.doc_type, v.number, v.effective_date,
                p.heading_path, p.text,
                pl.position, pl.provision_id, pl.label, pl.confidence, pl.span_start, pl.span_end,
                pl.source
         FROM analyses a
         JOIN versions v ON v.id = a.version_id
         JOIN documents d ON d.id = v.document_id
         JOIN platforms pf ON pf.id = d.platform_id
         JOIN provision_labels pl ON pl.analysis_id = a.id
         JOIN provisions p ON p.version_id = v.id AND p.position = pl.position
         WHERE a.content_hash = v.content_hash
           AND v.id = (SELECT v2.id FROM versions v2 WHERE v2.document_id = v.document_id
                       ORDER BY v2.observed_at DESC, v2.number DESC LIMIT 1)
         ORDER BY pf.slug, d.slug, pl.position, pl.label",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut out: Vec<LabelledProvision> = Vec::new();
    for r in rows {
        let position = to_usize(r.position, "provision position")?;
        let label = StoredLabel {
            id: r.label,
            confidence: r.confidence as f32,
            span: (
                to_usize(r.span_start, "span start")?,
                to_usize(r.span_end, "span end")?,
            ),
            source: r.source,
        };
        if let Some(last) = out.last_mut()
            && last.document.platform == r.platform
            && last.document.document == r.document
            && last.position == position
        {
            last.labels.push(label);
            continue;
        }
        let document = to_document_key(&r.platform, &r.document)?;
        let heading_path: Vec<String> = serde_json::from_str(&r.heading_path).map_err(|e| {
            StoreError::bad_row(format!("heading path of provision {}: {e}", r.provision_id))
        })?;
        out.push(LabelledProvision {
            document,
            document_type: r.doc_type,
            version_number: to_u32(r.number, "version number")?,
            effective_date: r
                .effective_date
                .as_deref()
                .map(date_from_text)
                .transpose()?,
            position,
            provision_id: r.provision_id,
            heading_path,
            text: r.text,
            labels: vec![label],
        });
    }
    Ok(out)
}
