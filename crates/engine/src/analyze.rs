//! The analysis jobs: label every provision of a version (TAXONOMY ids with
//! confidence and evidence span), read its attributes and run the
//! regulatory checks, store the results (idempotently, per version), and
//! answer the questions built on them: how do other platforms handle this
//! provision (`compare`), which regulatory risk indicators does a document
//! raise (`check`), and which clauses of tracked platforms may a described
//! workload fall under (`check_workload`). Also the label changes of a diff
//! (computed here so that cw-diff stays pure).
//!
//! Results are derived data: a stored analysis is used only while it was
//! produced by the running analyzer and model for the content the version
//! still holds; otherwise it is recomputed.

use crate::index::doc_type as declared_doc_type;
use crate::{Engine, EngineError};
use cw_analyze::{
    Attributes, CAVEAT, DocType, Label, LabelContext, LabelSource, SimilarityIndex, SimilarityRow,
    slice_chars,
};
use cw_model::{
    ChangeKind, ChangeSet, DocumentKey, ExtractedDocument, ProvisionKind, VersionRef,
    VersionSelector,
};
use cw_store::{
    AnalysisFinding, AnalysisOutcome, DocumentRow, LabelledProvision, NewAnalysis,
    ProvisionAnalysis, StoredLabel, StoredVersion,
};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// One label of a provision with its evidence quoted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelView {
    /// A TAXONOMY.md id.
    pub id: String,
    /// 0.0–1.0 (written to JSON rounded to 3 decimals, like `clausewatch label`).
    #[serde(serialize_with = "three_decimals")]
    pub confidence: f32,
    /// CHARACTER offsets `[start, end)` of the evidence in the provision text.
    pub span: (usize, usize),
    /// `rule`, `model` or `both`.
    pub source: String,
    /// The evidence: the provision text within `span`.
    pub evidence: String,
}

/// Writes a confidence rounded to 3 decimals, so JSON is the same whether
/// it is serialised directly or through `serde_json::Value`.
fn three_decimals<S: serde::Serializer>(c: &f32, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((f64::from(*c) * 1000.0).round() / 1000.0)
}

/// The analysis of one provision, for display.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProvisionView {
    /// The provision's id in the version.
    pub provision_id: String,
    /// 0-based position in the version.
    pub position: usize,
    /// Enclosing headings, outermost first.
    pub heading_path: Vec<String>,
    /// Heading, paragraph, list item or table row.
    pub kind: ProvisionKind,
    /// The provision text.
    pub text: String,
    /// Its labels, sorted by id.
    pub labels: Vec<LabelView>,
    /// Its attributes (actor, modality, notice, …), when it has any.
    pub attributes: Option<serde_json::Value>,
}

/// Where a [`VersionAnalysis`] came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnalysisSource {
    /// Read from the store (produced by this analyzer and model for this content).
    Stored,
    /// Computed now and not stored.
    Computed,
}

/// The analysis of one version: labels and attributes per provision, findings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VersionAnalysis {
    /// `platform/document`.
    pub document: String,
    /// The version number.
    pub version: u32,
    /// The version's title, when known.
    pub title: Option<String>,
    /// The document type the rules were scoped to.
    pub doc_type: String,
    /// The analyzer (code and rules) that produced the results.
    pub analyzer_version: String,
    /// The model that produced the results.
    pub model_version: String,
    /// Stored or computed now.
    pub source: AnalysisSource,
    /// What `analyze` did in the store; `None` when nothing was written.
    pub outcome: Option<AnalysisOutcome>,
    /// Number of provisions in the version.
    pub provision_count: usize,
    /// Every provision with at least one label or attribute, in reading order.
    pub provisions: Vec<ProvisionView>,
    /// How many provisions carry each label.
    pub label_counts: BTreeMap<String, usize>,
    /// Regulatory findings: risk indicators, not legal determinations.
    pub findings: Vec<AnalysisFinding>,
}

impl VersionAnalysis {
    /// The label ids of each labelled provision, by provision id.
    pub fn label_ids(&self) -> HashMap<String, Vec<String>> {
        self.provisions
            .iter()
            .filter(|p| !p.labels.is_empty())
            .map(|p| {
                (
                    p.provision_id.clone(),
                    p.labels.iter().map(|l| l.id.clone()).collect(),
                )
            })
            .collect()
    }

    /// The labels of one provision (empty when it has none).
    pub fn labels_of(&self, provision_id: &str) -> &[LabelView] {
        self.provisions
            .iter()
            .find(|p| p.provision_id == provision_id)
            .map(|p| p.labels.as_slice())
            .unwrap_or(&[])
    }
}

/// How many other tracked platforms have a comparable clause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdoptionView {
    /// The label(s) compared on.
    pub labels: Vec<String>,
    /// Other platforms whose documents in force have a provision with one of `labels`.
    pub platforms_with: usize,
    /// Other tracked platforms (every platform in the store but the provision's own).
    pub platforms_total: usize,
    /// The platforms counted in `platforms_with`, sorted.
    pub platforms: Vec<String>,
    /// "3 of 5 other tracked platforms have a comparable clause".
    pub sentence: String,
}

/// A provision of another platform comparable to the one compared.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparableProvision {
    /// `platform/document`.
    pub document: String,
    /// The platform.
    pub platform: String,
    /// The version in force.
    pub version: u32,
    /// The provision's id.
    pub provision_id: String,
    /// Its headings.
    pub heading_path: Vec<String>,
    /// BM25 similarity to the compared provision (higher is closer).
    pub score: f32,
    /// The labels both provisions carry.
    pub shared_labels: Vec<String>,
    /// All its labels.
    pub labels: Vec<String>,
    /// The evidence of its first shared label.
    pub quote: String,
    /// Its full text.
    pub text: String,
}

/// The answer of [`Engine::compare`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// `platform/document` of the compared provision.
    pub document: String,
    /// Its version.
    pub version: u32,
    /// Its id.
    pub provision_id: String,
    /// Its headings.
    pub heading_path: Vec<String>,
    /// Its text.
    pub text: String,
    /// Its labels.
    pub labels: Vec<LabelView>,
    /// Adoption of a clause sharing any of its labels.
    pub adoption: AdoptionView,
    /// Adoption per label.
    pub by_label: Vec<AdoptionView>,
    /// The closest provisions of other platforms sharing a label, best first.
    pub matches: Vec<ComparableProvision>,
    /// Why there are no matches, when there are none.
    pub note: Option<String>,
}

/// A finding with the provision it cites.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingView {
    /// The finding.
    #[serde(flatten)]
    pub finding: AnalysisFinding,
    /// The cited provision's headings (document-level findings: none).
    pub heading_path: Option<Vec<String>>,
    /// The cited provision's text.
    pub provision_text: Option<String>,
}

/// The answer of [`Engine::check`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckReport {
    /// `platform/document`.
    pub document: String,
    /// The version checked.
    pub version: u32,
    /// The document type the checks were scoped to.
    pub doc_type: String,
    /// The analyzer that produced the findings.
    pub analyzer_version: String,
    /// The findings, in check order.
    pub findings: Vec<FindingView>,
    /// "risk indicator, not a legal determination".
    pub caveat: String,
}

/// A provision of a tracked platform a described workload may fall under.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkloadHit {
    /// `platform/document`.
    pub document: String,
    /// The platform.
    pub platform: String,
    /// The version in force.
    pub version: u32,
    /// The provision's id.
    pub provision_id: String,
    /// Its headings.
    pub heading_path: Vec<String>,
    /// All its labels.
    pub labels: Vec<String>,
    /// Confidence of the activity's label on it.
    #[serde(serialize_with = "three_decimals")]
    pub confidence: f32,
    /// BM25 score against the activity's terms (0 when only the label matched).
    pub score: f32,
    /// The evidence of the activity's label.
    pub quote: String,
    /// Its full text.
    pub text: String,
}

/// One activity recognised in a workload description.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkloadActivity {
    /// The acceptable-use label it maps to.
    pub label: String,
    /// The matched words of the description, then the label's typical clause wording.
    pub terms: Vec<String>,
    /// Platforms with such a clause in force.
    pub adoption: AdoptionView,
    /// The best provision of each document carrying the label, best first.
    pub provisions: Vec<WorkloadHit>,
}

/// The answer of [`Engine::check_workload`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkloadReport {
    /// The description as given.
    pub description: String,
    /// The activities recognised, in the order they appear in the description.
    pub activities: Vec<WorkloadActivity>,
    /// "risk indicator, not a legal determination".
    pub caveat: String,
    /// Why nothing was found, when nothing was.
    pub note: Option<String>,
}

/// The label change of one aligned provision in a diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LabelDelta {
    /// Labels the new text has and the old had not.
    pub added: Vec<String>,
    /// Labels the old text had and the new has not.
    pub removed: Vec<String>,
}

impl LabelDelta {
    /// True when the labels did not change.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }
}

fn source_name(s: LabelSource) -> &'static str {
    match s {
        LabelSource::Rule => "rule",
        LabelSource::Model => "model",
        LabelSource::Both => "both",
        _ => "other",
    }
}

fn stored_label(l: &Label) -> StoredLabel {
    StoredLabel {
        id: l.id.clone(),
        confidence: l.confidence,
        span: l.span,
        source: source_name(l.source).to_string(),
    }
}

fn label_context(
    doc: &ExtractedDocument,
    doc_type: DocType,
    heading_path: &[String],
) -> LabelContext {
    LabelContext {
        doc_type,
        language: Some(doc.language.clone()),
        heading_path: heading_path.to_vec(),
    }
}

/// Labels every provision of a document (index = position).
pub fn label_document(doc: &ExtractedDocument, doc_type: DocType) -> Vec<Vec<Label>> {
    // cw-analyze adds what a reader sees: headings and a list item's lead-in.
    cw_analyze::label_document(doc, doc_type)
}

/// The label ids of the provisions of `doc` whose id is in `ids` (all when `ids` is `None`).
pub fn label_ids(
    doc: &ExtractedDocument,
    doc_type: DocType,
    ids: Option<&HashSet<&str>>,
) -> HashMap<String, Vec<String>> {
    doc.provisions
        .iter()
        .filter(|p| ids.is_none_or(|s| s.contains(p.id.as_str())))
        .map(|p| {
            let labels = cw_analyze::label(&p.text, &label_context(doc, doc_type, &p.heading_path));
            (p.id.clone(), labels.into_iter().map(|l| l.id).collect())
        })
        .collect()
}

/// The provision ids of the aligned (modified or moved) changes of a diff, per side.
pub fn aligned_ids(changes: &ChangeSet) -> (HashSet<&str>, HashSet<&str>) {
    let mut old = HashSet::new();
    let mut new = HashSet::new();
    for c in &changes.changes {
        if matches!(c.kind, ChangeKind::Modified | ChangeKind::Moved)
            && let (Some(o), Some(n)) = (&c.old_id, &c.new_id)
        {
            old.insert(o.as_str());
            new.insert(n.as_str());
        }
    }
    (old, new)
}

/// The label change of every modified or moved provision of a diff, index
/// for index with `changes.changes` (`None` for other kinds). Labels come
/// from `old` and `new` (provision id → label ids).
pub fn label_changes(
    changes: &ChangeSet,
    old: &HashMap<String, Vec<String>>,
    new: &HashMap<String, Vec<String>>,
) -> Vec<Option<LabelDelta>> {
    changes
        .changes
        .iter()
        .map(|c| {
            if !matches!(c.kind, ChangeKind::Modified | ChangeKind::Moved) {
                return None;
            }
            let get = |m: &HashMap<String, Vec<String>>, id: &Option<String>| -> BTreeSet<String> {
                id.as_ref()
                    .and_then(|id| m.get(id))
                    .map(|v| v.iter().cloned().collect())
                    .unwrap_or_default()
            };
            let o = get(old, &c.old_id);
            let n = get(new, &c.new_id);
            Some(LabelDelta {
                added: n.difference(&o).cloned().collect(),
                removed: o.difference(&n).cloned().collect(),
            })
        })
        .collect()
}

/// Computes the analysis of a stored version (pure: nothing is written).
fn compute(doc: &DocumentRow, version: &StoredVersion) -> NewAnalysis {
    compute_labelled(doc, version).0
}

/// [`compute`], also returning the label ids of every provision (index =
/// position), so the search index can reuse them instead of labelling the
/// provisions a second time.
pub(crate) fn compute_labelled(
    doc: &DocumentRow,
    version: &StoredVersion,
) -> (NewAnalysis, Vec<Vec<String>>) {
    let doc_type = declared_doc_type(doc, version.document.title.as_deref());
    let labels = label_document(&version.document, doc_type);
    let findings = cw_analyze::check_document(&version.document, &labels, doc_type);
    analysis_from_labels(doc, version, &labels, findings)
}

/// The analysis of a version whose labels (per provision, by position)
/// and findings are already known, e.g. from the [`crate::VersionLabels`]
/// an alert was built from; with the label ids of every provision.
pub(crate) fn analysis_from_labels(
    doc: &DocumentRow,
    version: &StoredVersion,
    labels: &[Vec<Label>],
    findings: Vec<AnalysisFinding>,
) -> (NewAnalysis, Vec<Vec<String>>) {
    let doc_type = declared_doc_type(doc, version.document.title.as_deref());
    let label_ids = labels
        .iter()
        .map(|ls| ls.iter().map(|l| l.id.clone()).collect())
        .collect();
    let provisions = version
        .document
        .provisions
        .iter()
        .zip(labels)
        .enumerate()
        .filter_map(|(position, (p, labels))| {
            let attrs = cw_analyze::attributes(&p.text);
            let attributes = if attrs == Attributes::default() {
                None
            } else {
                serde_json::to_value(&attrs).ok()
            };
            if labels.is_empty() && attributes.is_none() {
                return None;
            }
            Some(ProvisionAnalysis {
                position,
                provision_id: p.id.clone(),
                labels: labels.iter().map(stored_label).collect(),
                attributes,
            })
        })
        .collect();
    let analysis = NewAnalysis {
        document: doc.key.clone(),
        version_number: version.row.number,
        analyzer_version: cw_analyze::analyzer_version().to_string(),
        model_version: cw_analyze::model_version().to_string(),
        content_hash: version.row.content_hash.clone(),
        doc_type: doc_type.as_str().to_string(),
        provisions,
        findings,
    };
    (analysis, label_ids)
}

/// Turns stored or computed results into the display form.
#[allow(clippy::too_many_arguments)]
fn view(
    version: &StoredVersion,
    doc_type: String,
    analyzer_version: String,
    model_version: String,
    source: AnalysisSource,
    outcome: Option<AnalysisOutcome>,
    provisions: Vec<ProvisionAnalysis>,
    findings: Vec<AnalysisFinding>,
) -> VersionAnalysis {
    let mut label_counts: BTreeMap<String, usize> = BTreeMap::new();
    let provisions: Vec<ProvisionView> = provisions
        .into_iter()
        .filter_map(|pa| {
            let p = version.document.provisions.get(pa.position)?;
            for l in &pa.labels {
                *label_counts.entry(l.id.clone()).or_insert(0) += 1;
            }
            Some(ProvisionView {
                provision_id: pa.provision_id,
                position: pa.position,
                heading_path: p.heading_path.clone(),
                kind: p.kind,
                labels: pa
                    .labels
                    .into_iter()
                    .map(|l| LabelView {
                        evidence: slice_chars(&p.text, l.span).to_string(),
                        id: l.id,
                        confidence: l.confidence,
                        span: l.span,
                        source: l.source,
                    })
                    .collect(),
                attributes: pa.attributes,
                text: p.text.clone(),
            })
        })
        .collect();
    VersionAnalysis {
        document: version.row.document.to_string(),
        version: version.row.number,
        title: version.document.title.clone(),
        doc_type,
        analyzer_version,
        model_version,
        source,
        outcome,
        provision_count: version.document.provisions.len(),
        provisions,
        label_counts,
        findings,
    }
}

fn computed_view(
    version: &StoredVersion,
    new: NewAnalysis,
    outcome: Option<AnalysisOutcome>,
) -> VersionAnalysis {
    view(
        version,
        new.doc_type,
        new.analyzer_version,
        new.model_version,
        AnalysisSource::Computed,
        outcome,
        new.provisions,
        new.findings,
    )
}

/// The first `max` characters of a text, with an ellipsis when cut.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

fn adoption(
    labels: &[String],
    own: Option<&str>,
    all_platforms: &BTreeSet<String>,
    rows: &[LabelledProvision],
) -> AdoptionView {
    let others: BTreeSet<&str> = all_platforms
        .iter()
        .map(String::as_str)
        .filter(|p| Some(*p) != own)
        .collect();
    let with: BTreeSet<&str> = rows
        .iter()
        .filter(|r| others.contains(r.document.platform.as_str()))
        .filter(|r| r.labels.iter().any(|l| labels.contains(&l.id)))
        .map(|r| r.document.platform.as_str())
        .collect();
    let other = if own.is_some() { "other " } else { "" };
    AdoptionView {
        labels: labels.to_vec(),
        platforms_with: with.len(),
        platforms_total: others.len(),
        platforms: with.iter().map(|s| s.to_string()).collect(),
        sentence: format!(
            "{} of {} {other}tracked platforms have a comparable clause",
            with.len(),
            others.len()
        ),
    }
}

fn row_key(r: &LabelledProvision) -> String {
    format!("{}@{}#{}", r.document, r.version_number, r.provision_id)
}

impl Engine {
    /// Loads a document row and a version.
    async fn load_version(
        &self,
        r: &VersionRef,
    ) -> Result<(DocumentRow, StoredVersion), EngineError> {
        let store = self.store();
        let doc =
            store
                .document(&r.document)
                .await?
                .ok_or_else(|| cw_store::StoreError::NotFound {
                    what: format!("document {}", r.document),
                })?;
        let version = store.version(r).await?;
        Ok((doc, version))
    }

    /// Analyses one stored version and stores the results (replacing an
    /// earlier analysis of it; identical results write nothing).
    pub async fn analyze(&self, r: &VersionRef) -> Result<VersionAnalysis, EngineError> {
        let (doc, version) = self.load_version(r).await?;
        let new = compute(&doc, &version);
        let outcome = self.store().record_analysis(&new).await?;
        Ok(computed_view(&version, new, Some(outcome)))
    }

    /// Analyses every version of every stored document; returns one
    /// analysis per version (document order, then version order).
    pub async fn analyze_all(&self) -> Result<Vec<VersionAnalysis>, EngineError> {
        self.analyze_all_with_progress(&mut |_, _| {}).await
    }

    /// [`Engine::analyze_all`], calling `progress(versions done, versions)`
    /// after each version.
    pub async fn analyze_all_with_progress(
        &self,
        progress: &mut (dyn FnMut(usize, usize) + Send),
    ) -> Result<Vec<VersionAnalysis>, EngineError> {
        let mut versions = Vec::new();
        for doc in self.store().documents().await? {
            let numbers = self.store().versions(&doc.key).await?;
            versions.push((doc, numbers));
        }
        let total = versions.iter().map(|(_, v)| v.len()).sum();
        let mut out = Vec::new();
        for (doc, numbers) in versions {
            for v in numbers {
                progress(out.len(), total);
                out.push(
                    self.analyze(&VersionRef {
                        document: doc.key.clone(),
                        selector: VersionSelector::Number(v.number),
                    })
                    .await?,
                );
            }
        }
        progress(out.len(), total);
        Ok(out)
    }

    /// The import hook: analyses a freshly recorded version. Analysis is
    /// derived data, so a failure is logged, never fatal (`analyze` repeats it).
    pub(crate) async fn analyze_imported(&self, key: &DocumentKey, number: u32) {
        let r = VersionRef {
            document: key.clone(),
            selector: VersionSelector::Number(number),
        };
        if let Err(e) = self.analyze(&r).await {
            tracing::warn!(document = %key, version = number, error = %e, "analysis not stored; run `clausewatch analyze`");
        }
    }

    /// The analysis of a version: the stored one when it was produced by the
    /// running analyzer and model for the content the version holds, else
    /// computed now (and not stored). Returns the version too.
    pub async fn version_analysis(
        &self,
        r: &VersionRef,
    ) -> Result<(StoredVersion, VersionAnalysis), EngineError> {
        let (doc, version) = self.load_version(r).await?;
        let stored = self
            .store()
            .analysis(&doc.key, version.row.number)
            .await?
            .filter(|a| {
                a.current_content
                    && a.analyzer_version == cw_analyze::analyzer_version()
                    && a.model_version == cw_analyze::model_version()
            });
        let analysis = match stored {
            Some(a) => view(
                &version,
                a.doc_type,
                a.analyzer_version,
                a.model_version,
                AnalysisSource::Stored,
                None,
                a.provisions,
                a.findings,
            ),
            None => computed_view(&version, compute(&doc, &version), None),
        };
        Ok((version, analysis))
    }

    /// Makes sure the newest version of every document has a current stored
    /// analysis (analysing those that lack one), and returns the labelled
    /// provisions in force and every tracked platform.
    async fn in_force(&self) -> Result<(Vec<LabelledProvision>, BTreeSet<String>), EngineError> {
        let store = self.store();
        let mut platforms = BTreeSet::new();
        for doc in store.documents().await? {
            platforms.insert(doc.key.platform.clone());
            let Some(latest) = doc.latest_version else {
                continue;
            };
            let current = store.analysis(&doc.key, latest).await?.is_some_and(|a| {
                a.current_content
                    && a.analyzer_version == cw_analyze::analyzer_version()
                    && a.model_version == cw_analyze::model_version()
            });
            if !current {
                self.analyze(&VersionRef {
                    document: doc.key.clone(),
                    selector: VersionSelector::Number(latest),
                })
                .await?;
            }
        }
        Ok((store.labelled_provisions_in_force().await?, platforms))
    }

    /// How other platforms handle a provision: the closest provisions (BM25,
    /// computed locally) of other platforms' documents in force that share
    /// one of its labels, at most `limit` (and at most 3 per platform), with
    /// adoption counts overall and per label.
    pub async fn compare(
        &self,
        r: &VersionRef,
        provision_id: &str,
        limit: usize,
    ) -> Result<Comparison, EngineError> {
        let (version, analysis) = self.version_analysis(r).await?;
        let Some(p) = version
            .document
            .provisions
            .iter()
            .find(|p| p.id == provision_id)
        else {
            return Err(cw_store::StoreError::NotFound {
                what: format!(
                    "provision {provision_id} in {}@{} (see `clausewatch show {}@{}`)",
                    r.document, version.row.number, r.document, version.row.number
                ),
            }
            .into());
        };
        let labels: Vec<LabelView> = analysis.labels_of(provision_id).to_vec();
        let ids: Vec<String> = labels.iter().map(|l| l.id.clone()).collect();
        let (rows, platforms) = self.in_force().await?;
        let own = r.document.platform.as_str();
        let overall = adoption(&ids, Some(own), &platforms, &rows);
        let by_label = ids
            .iter()
            .map(|l| adoption(std::slice::from_ref(l), Some(own), &platforms, &rows))
            .collect();
        let candidates: Vec<&LabelledProvision> = rows
            .iter()
            .filter(|r| r.document.platform != own)
            .filter(|r| r.labels.iter().any(|l| ids.contains(&l.id)))
            .collect();
        let index = SimilarityIndex::new(
            candidates
                .iter()
                .map(|r| SimilarityRow {
                    key: row_key(r),
                    platform: r.document.platform.clone(),
                    text: r.text.clone(),
                    labels: r.labels.iter().map(|l| l.id.clone()).collect(),
                })
                .collect(),
        );
        let by_key: HashMap<String, &LabelledProvision> =
            candidates.iter().map(|r| (row_key(r), *r)).collect();
        let mut per_platform: HashMap<String, usize> = HashMap::new();
        let mut matches = Vec::new();
        for m in index.closest(&p.text, &ids, Some(own), candidates.len()) {
            if matches.len() >= limit {
                break;
            }
            let Some(row) = by_key.get(&m.key) else {
                continue;
            };
            let n = per_platform.entry(m.platform.clone()).or_insert(0);
            if *n >= 3 {
                continue;
            }
            *n += 1;
            let shared: Vec<String> = row
                .labels
                .iter()
                .filter(|l| ids.contains(&l.id))
                .map(|l| l.id.clone())
                .collect();
            let quote = row
                .labels
                .iter()
                .find(|l| ids.contains(&l.id))
                .map(|l| slice_chars(&row.text, l.span).to_string())
                .unwrap_or_default();
            matches.push(ComparableProvision {
                document: row.document.to_string(),
                platform: row.document.platform.clone(),
                version: row.version_number,
                provision_id: row.provision_id.clone(),
                heading_path: row.heading_path.clone(),
                score: m.score,
                shared_labels: shared,
                labels: row.labels.iter().map(|l| l.id.clone()).collect(),
                quote,
                text: row.text.clone(),
            });
        }
        let note = if ids.is_empty() {
            Some("the provision has no labels, so there is nothing to compare it on".to_string())
        } else if overall.platforms_total == 0 {
            Some("no other platform is tracked in this home".to_string())
        } else if matches.is_empty() {
            Some(
                "no other platform's document in force has a provision sharing its labels"
                    .to_string(),
            )
        } else {
            None
        };
        Ok(Comparison {
            document: r.document.to_string(),
            version: version.row.number,
            provision_id: p.id.clone(),
            heading_path: p.heading_path.clone(),
            text: p.text.clone(),
            labels,
            adoption: overall,
            by_label,
            matches,
            note,
        })
    }

    /// The regulatory findings of a version, each citing its provision.
    /// Risk indicators, not legal determinations.
    pub async fn check(&self, r: &VersionRef) -> Result<CheckReport, EngineError> {
        let (version, analysis) = self.version_analysis(r).await?;
        let findings = analysis
            .findings
            .iter()
            .map(|f| {
                let p = f
                    .provision_id
                    .as_ref()
                    .and_then(|id| version.document.provisions.iter().find(|p| &p.id == id));
                FindingView {
                    finding: f.clone(),
                    heading_path: p.map(|p| p.heading_path.clone()),
                    provision_text: p.map(|p| p.text.clone()),
                }
            })
            .collect();
        Ok(CheckReport {
            document: analysis.document,
            version: analysis.version,
            doc_type: analysis.doc_type,
            analyzer_version: analysis.analyzer_version,
            findings,
            caveat: CAVEAT.to_string(),
        })
    }

    /// The provisions of tracked platforms (documents in force) that a
    /// described activity may fall under: each activity recognised in the
    /// description, its label, and the best provision of each document
    /// carrying that label (at most `limit` per activity), with quotes.
    pub async fn check_workload(
        &self,
        description: &str,
        limit: usize,
    ) -> Result<WorkloadReport, EngineError> {
        let queries = cw_analyze::workload_queries(description);
        let mut activities = Vec::new();
        if !queries.is_empty() {
            let (rows, platforms) = self.in_force().await?;
            for (label, terms) in queries {
                let with: Vec<&LabelledProvision> = rows
                    .iter()
                    .filter(|r| r.labels.iter().any(|l| l.id == label))
                    .collect();
                let index = SimilarityIndex::new(
                    with.iter()
                        .map(|r| SimilarityRow {
                            key: row_key(r),
                            platform: r.document.platform.clone(),
                            text: r.text.clone(),
                            labels: vec![label.clone()],
                        })
                        .collect(),
                );
                let scores: HashMap<String, f32> = index
                    .closest(
                        &terms.join(" "),
                        std::slice::from_ref(&label),
                        None,
                        with.len(),
                    )
                    .into_iter()
                    .map(|m| (m.key, m.score))
                    .collect();
                let mut hits: Vec<WorkloadHit> = with
                    .iter()
                    .filter_map(|r| {
                        let l = r.labels.iter().find(|l| l.id == label)?;
                        Some(WorkloadHit {
                            document: r.document.to_string(),
                            platform: r.document.platform.clone(),
                            version: r.version_number,
                            provision_id: r.provision_id.clone(),
                            heading_path: r.heading_path.clone(),
                            labels: r.labels.iter().map(|l| l.id.clone()).collect(),
                            confidence: l.confidence,
                            score: scores.get(&row_key(r)).copied().unwrap_or(0.0),
                            quote: slice_chars(&r.text, l.span).to_string(),
                            text: r.text.clone(),
                        })
                    })
                    .collect();
                hits.sort_by(|a, b| {
                    b.score
                        .total_cmp(&a.score)
                        .then_with(|| b.confidence.total_cmp(&a.confidence))
                        .then_with(|| a.document.cmp(&b.document))
                        .then_with(|| a.provision_id.cmp(&b.provision_id))
                });
                let mut seen = HashSet::new();
                hits.retain(|h| seen.insert(h.document.clone()));
                hits.truncate(limit);
                activities.push(WorkloadActivity {
                    adoption: adoption(std::slice::from_ref(&label), None, &platforms, &rows),
                    label,
                    terms,
                    provisions: hits,
                });
            }
        }
        let note = if activities.is_empty() {
            Some("no activity in the description maps to an acceptable-use label (rules/workload.toml)".to_string())
        } else if activities.iter().all(|a| a.provisions.is_empty()) {
            Some("no tracked document in force has a provision with these labels".to_string())
        } else {
            None
        };
        Ok(WorkloadReport {
            description: description.to_string(),
            activities,
            caveat: CAVEAT.to_string(),
            note,
        })
    }
}
