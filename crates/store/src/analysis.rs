//! Analysis results of versions: the store API for `clausewatch analyze`
//! and the import hook (labels per provision with confidence, evidence span
//! and source; attributes; regulatory findings), keyed by version so that
//! re-analysis replaces the stored results idempotently and records the
//! analyzer and model that produced them.
//!
//! The store does not depend on the analyzer: labels, sources and doc types
//! are plain strings here, attributes are JSON.

use crate::db::{analysis, begin_read, begin_write, documents, versions};
use crate::error::StoreError;
use crate::store::Store;
use crate::time::ts_to_text;
use chrono::{DateTime, Utc};
use cw_model::{DocumentKey, VersionSelector};
use serde::{Deserialize, Serialize, Serializer};

fn key_as_string<S: Serializer>(key: &DocumentKey, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(key)
}

/// One label of one provision, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredLabel {
    /// A TAXONOMY.md id, e.g. `tos_unilateral_change`.
    pub id: String,
    /// 0.0–1.0.
    pub confidence: f32,
    /// The evidence: CHARACTER offsets `[start, end)` into the provision text.
    pub span: (usize, usize),
    /// Which layer produced it: `rule`, `model` or `both`.
    pub source: String,
}

/// The analysis of one provision: its labels and attributes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProvisionAnalysis {
    /// 0-based position of the provision in the version.
    pub position: usize,
    /// The provision's id in the version.
    pub provision_id: String,
    /// Its labels, sorted by id, at most one per id.
    pub labels: Vec<StoredLabel>,
    /// Its attributes (the `cw_analyze::Attributes` JSON), when it has any.
    pub attributes: Option<serde_json::Value>,
}

/// One regulatory finding, as stored: the domain type itself. Always a
/// risk indicator, never a legal determination.
pub type AnalysisFinding = cw_model::Finding;

/// An analysis of one version to record with [`Store::record_analysis`].
#[derive(Debug, Clone, PartialEq)]
pub struct NewAnalysis {
    /// The document.
    pub document: DocumentKey,
    /// The version analysed.
    pub version_number: u32,
    /// The analyzer that produced the results (code and rules).
    pub analyzer_version: String,
    /// The trained model that produced the results ('' when none ran).
    pub model_version: String,
    /// The version's content hash the caller analysed; if the version now
    /// holds other provisions the analysis is refused as stale.
    pub content_hash: String,
    /// The document type the rules were scoped to (`tos`, `privacy`, `aup`, `unknown`).
    pub doc_type: String,
    /// Provisions with at least one label or attribute, by position.
    pub provisions: Vec<ProvisionAnalysis>,
    /// Findings in check order.
    pub findings: Vec<AnalysisFinding>,
}

/// What [`Store::record_analysis`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnalysisOutcome {
    /// The version had no analysis; this one was recorded.
    Recorded,
    /// An analysis with other results (or by another analyzer/model) was replaced.
    Replaced,
    /// The stored analysis is identical: nothing was written.
    Unchanged,
}

/// A stored analysis of one version.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct StoredAnalysis {
    /// `platform/document`.
    #[serde(serialize_with = "key_as_string")]
    pub document: DocumentKey,
    /// The version analysed.
    pub version_number: u32,
    /// The analyzer that produced it.
    pub analyzer_version: String,
    /// The model that produced it.
    pub model_version: String,
    /// The version's content hash when analysed.
    pub content_hash: String,
    /// True when the version still holds the content that was analysed.
    pub current_content: bool,
    /// The document type the rules were scoped to.
    pub doc_type: String,
    /// When it was (last) written.
    pub analyzed_at: DateTime<Utc>,
    /// Provisions with at least one label or attribute, by position.
    pub provisions: Vec<ProvisionAnalysis>,
    /// Findings in check order.
    pub findings: Vec<AnalysisFinding>,
}

impl StoredAnalysis {
    /// Whether this analysis still stands for its version as `analyzer`
    /// and `model` would make it now: made by them, from the provisions the
    /// version holds. Readers use a fresh analysis instead of labelling.
    pub fn is_fresh(&self, analyzer: &str, model: &str) -> bool {
        self.current_content && self.analyzer_version == analyzer && self.model_version == model
    }
}

/// A provision of a version in force (the newest version of its document)
/// with its stored labels: the material of "how do other platforms handle
/// this" and of workload checks.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct LabelledProvision {
    /// `platform/document`.
    #[serde(serialize_with = "key_as_string")]
    pub document: DocumentKey,
    /// The document's declared type, when known.
    pub document_type: Option<String>,
    /// The version (the newest of its document).
    pub version_number: u32,
    /// The version's effective date, when stated.
    pub effective_date: Option<chrono::NaiveDate>,
    /// 0-based position in the version.
    pub position: usize,
    /// The provision's id.
    pub provision_id: String,
    /// Enclosing headings, outermost first.
    pub heading_path: Vec<String>,
    /// The provision text.
    pub text: String,
    /// Its labels, sorted by id.
    pub labels: Vec<StoredLabel>,
}

impl Store {
    /// Records the analysis of a version in one transaction, replacing any
    /// earlier analysis of it. Idempotent: the same results by the same
    /// analyzer and model write nothing ([`AnalysisOutcome::Unchanged`]).
    ///
    /// [`StoreError::NotFound`] if the document or version does not exist;
    /// [`StoreError::InvalidImport`] if `content_hash` is not the version's
    /// (its provisions were replaced meanwhile: analyse again), or a
    /// position, span or confidence is out of range.
    pub async fn record_analysis(&self, new: &NewAnalysis) -> Result<AnalysisOutcome, StoreError> {
        let now = ts_to_text(self.now());
        let mut tx = begin_write(self.pool()).await?;
        let doc_id = documents::require_id(&mut tx, &new.document).await?;
        let Some((version_id, row)) = versions::select(
            &mut tx,
            doc_id,
            &new.document,
            &VersionSelector::Number(new.version_number),
        )
        .await?
        else {
            return Err(StoreError::not_found(format!(
                "version {}@{}",
                new.document, new.version_number
            )));
        };
        if row.content_hash != new.content_hash {
            return Err(StoreError::InvalidImport {
                reason: format!(
                    "analysis of {}@{} was computed for other provisions than the version holds now; analyse again",
                    new.document, new.version_number
                ),
            });
        }
        let outcome = analysis::record(&mut tx, version_id, row.provision_count, new, &now).await?;
        tx.commit().await?;
        tracing::debug!(document = %new.document, version = new.version_number, ?outcome, "recorded analysis");
        Ok(outcome)
    }

    /// The stored analysis of a version, or `None` if it was never analysed.
    /// [`StoreError::NotFound`] if the document or version does not exist.
    pub async fn analysis(
        &self,
        key: &DocumentKey,
        version_number: u32,
    ) -> Result<Option<StoredAnalysis>, StoreError> {
        let mut tx = begin_read(self.pool()).await?;
        let doc_id = documents::require_id(&mut tx, key).await?;
        let Some((version_id, row)) = versions::select(
            &mut tx,
            doc_id,
            key,
            &VersionSelector::Number(version_number),
        )
        .await?
        else {
            return Err(StoreError::not_found(format!(
                "version {key}@{version_number}"
            )));
        };
        analysis::get(&mut tx, version_id, key, version_number, &row.content_hash).await
    }

    /// Every labelled provision of the newest version of every document,
    /// with its stored labels (documents whose newest version has no
    /// analysis, or an analysis of replaced provisions, contribute nothing).
    /// Ordered by document, then position.
    pub async fn labelled_provisions_in_force(&self) -> Result<Vec<LabelledProvision>, StoreError> {
        let mut tx = begin_read(self.pool()).await?;
        analysis::labelled_in_force(&mut tx).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Store futures must be `Send` (the server runs them on a multi-threaded runtime).
    #[allow(dead_code)]
    fn futures_are_send(store: &Store, new: &NewAnalysis, key: &DocumentKey) {
        fn is_send<T: Send>(_: T) {}
        is_send(store.record_analysis(new));
        is_send(store.analysis(key, 1));
        is_send(store.labelled_provisions_in_force());
    }
}
