//! The labels and findings of a stored version, and why a change between
//! two stored versions matters ([`cw_model::WhyItMatters`]): the one
//! computation behind the diff page, the API and alerts. Labels come from
//! [`crate::label_document`] (headings and list lead-ins, as `analyze`
//! stores them), findings from cw-analyze's checks on those labels.
//!
//! Labelling a version is the costly step (the encoder reads every
//! sentence the linear model gates in), so [`VersionLabels::load`] reads
//! the version's stored analysis instead whenever that analysis was made
//! by this analyzer and model from the version's current provisions: the
//! same labels and findings, without labelling again.

use crate::index::doc_type;
use cw_analyze::{Finding, Label, LabelSource};
use cw_model::{ChangeSet, SideLabels, WhyItMatters};
use cw_store::{DocumentRow, ProvisionAnalysis, Store, StoredAnalysis, StoredVersion};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// The labels of every provision of a version and its regulatory findings.
#[derive(Debug, Clone, Default)]
pub struct VersionLabels {
    /// `labels[i]` are the labels of provision `i`.
    pub labels: Vec<Vec<Label>>,
    /// Regulatory findings of the whole version.
    pub findings: Vec<Finding>,
    /// Label ids by provision id.
    by_id: HashMap<String, BTreeSet<String>>,
}

impl VersionLabels {
    /// Labels every provision of `v` (a version of `doc`) and runs the
    /// regulatory checks. Pure and deterministic; callers cache it.
    pub fn of(doc: &DocumentRow, v: &StoredVersion) -> VersionLabels {
        let kind = doc_type(doc, v.document.title.as_deref());
        let labels = crate::label_document(&v.document, kind);
        let findings = cw_analyze::check_document(&v.document, &labels, kind);
        VersionLabels::new(v, labels, findings)
    }

    /// The labels and findings of `v` from its stored analysis, when that
    /// analysis is fresh: made by this build's analyzer and model from the
    /// provisions `v` holds now. `None` otherwise (the caller labels).
    pub fn from_stored(v: &StoredVersion, stored: &StoredAnalysis) -> Option<VersionLabels> {
        if !stored.is_fresh(cw_analyze::analyzer_version(), cw_analyze::model_version()) {
            return None;
        }
        VersionLabels::from_analysis(v, &stored.provisions, stored.findings.clone())
    }

    /// The labels and findings of `v` from an analysis of it (stored, or
    /// just computed); `None` when a provision of the analysis is not at
    /// its position in `v` or names an unknown label source.
    fn from_analysis(
        v: &StoredVersion,
        analysed: &[ProvisionAnalysis],
        findings: Vec<Finding>,
    ) -> Option<VersionLabels> {
        let provisions = &v.document.provisions;
        let mut labels: Vec<Vec<Label>> = vec![Vec::new(); provisions.len()];
        for p in analysed {
            // A position or id that does not match the version means the
            // analysis is not of these provisions after all: label afresh.
            if provisions.get(p.position).map(|q| &q.id) != Some(&p.provision_id) {
                return None;
            }
            let slot = labels.get_mut(p.position)?;
            for l in &p.labels {
                slot.push(Label {
                    id: l.id.clone(),
                    confidence: l.confidence,
                    span: l.span,
                    source: match l.source.as_str() {
                        "rule" => LabelSource::Rule,
                        "model" => LabelSource::Model,
                        "both" => LabelSource::Both,
                        _ => return None,
                    },
                });
            }
        }
        Some(VersionLabels::new(v, labels, findings))
    }

    /// The labels and findings of `v` (a version of `doc`): from its stored
    /// analysis when fresh ([`VersionLabels::from_stored`]), else computed
    /// ([`VersionLabels::of`]) on a blocking thread. Nothing is written.
    pub async fn load(
        store: &Store,
        doc: &DocumentRow,
        v: &StoredVersion,
    ) -> Result<VersionLabels, crate::EngineError> {
        if let Some(stored) = store.analysis(&doc.key, v.row.number).await?
            && let Some(found) = VersionLabels::from_stored(v, &stored)
        {
            return Ok(found);
        }
        let (doc, v) = (doc.clone(), v.clone());
        tokio::task::spawn_blocking(move || VersionLabels::of(&doc, &v))
            .await
            .map_err(|e| crate::EngineError::Inconsistent(format!("labelling task failed: {e}")))
    }

    /// The label ids of every provision (index = position), as the search
    /// index stores them.
    pub fn label_ids(&self) -> Vec<Vec<String>> {
        self.labels
            .iter()
            .map(|ls| ls.iter().map(|l| l.id.clone()).collect())
            .collect()
    }

    /// The label ids of the provision with id `provision_id`, if it is one
    /// of this version's.
    pub fn ids_of(&self, provision_id: &str) -> Option<&BTreeSet<String>> {
        self.by_id.get(provision_id)
    }

    fn new(v: &StoredVersion, labels: Vec<Vec<Label>>, findings: Vec<Finding>) -> VersionLabels {
        let by_id = v
            .document
            .provisions
            .iter()
            .zip(&labels)
            .map(|(p, ls)| (p.id.clone(), ls.iter().map(|l| l.id.clone()).collect()))
            .collect();
        VersionLabels {
            labels,
            findings,
            by_id,
        }
    }

    fn side(&self) -> SideLabels<'_> {
        SideLabels {
            labels: &self.by_id,
            findings: &self.findings,
        }
    }
}

/// Versions labelled in this process, by (document, number, content
/// hash), at most [`LABEL_CACHE`]: an alert labels a new version, and the
/// derived-data pass after it records that labelling as the version's
/// analysis instead of labelling again.
#[derive(Debug, Default)]
pub(crate) struct LabelCache(std::sync::Mutex<HashMap<(String, u32, String), Arc<VersionLabels>>>);

/// Versions whose labels a process keeps (a cycle's new versions and the
/// versions before them).
const LABEL_CACHE: usize = 512;

fn cache_key(doc: &DocumentRow, v: &StoredVersion) -> (String, u32, String) {
    (
        doc.key.to_string(),
        v.row.number,
        v.row.content_hash.clone(),
    )
}

impl crate::Engine {
    /// The labels and findings of `v` (a version of `doc`): labelled
    /// earlier in this process, else its fresh stored analysis, else
    /// labelled now ([`VersionLabels::load`]) and kept for the next caller.
    pub async fn version_labels(
        &self,
        doc: &DocumentRow,
        v: &StoredVersion,
    ) -> Result<Arc<VersionLabels>, crate::EngineError> {
        if let Some(found) = self.cached_labels(doc, v) {
            return Ok(found);
        }
        let labels = Arc::new(VersionLabels::load(self.store(), doc, v).await?);
        if let Ok(mut cache) = self.labels.0.lock() {
            if cache.len() >= LABEL_CACHE {
                cache.clear();
            }
            cache.insert(cache_key(doc, v), Arc::clone(&labels));
        }
        Ok(labels)
    }

    /// [`crate::Engine::version_labels`] if this process already has them.
    pub(crate) fn cached_labels(
        &self,
        doc: &DocumentRow,
        v: &StoredVersion,
    ) -> Option<Arc<VersionLabels>> {
        self.cached_labels_of(&doc.key, v.row.number, &v.row.content_hash)
    }

    /// [`crate::Engine::cached_labels`] by the version's key, number and
    /// content hash (a version row, without its provisions).
    pub(crate) fn cached_labels_of(
        &self,
        document: &cw_model::DocumentKey,
        number: u32,
        content_hash: &str,
    ) -> Option<Arc<VersionLabels>> {
        let key = (document.to_string(), number, content_hash.to_string());
        self.labels.0.lock().ok()?.get(&key).cloned()
    }
}

/// Why `cs` (the change from the version labelled `old` to the one
/// labelled `new`) matters.
pub fn why_it_matters(cs: &ChangeSet, old: &VersionLabels, new: &VersionLabels) -> WhyItMatters {
    WhyItMatters::new(cs, old.side(), new.side())
}
