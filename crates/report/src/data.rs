//! Gathering a [`Report`] from the store: what a report says, before it is
//! rendered. Labels and findings are computed here with cw-analyze (they
//! are derived data); everything else is read from the store as recorded.

use crate::error::ReportError;
use chrono::{DateTime, NaiveDate, Utc};
use cw_analyze::{DocType, Finding, LabelSource};
use cw_model::{DocumentKey, Provision, VersionRef, VersionSelector};
use cw_store::announce::{Announcement, notes_by_version};
use cw_store::{DocumentRow, ManifestHead, Store, StoredChange, StoredHistoryItem, VersionRow};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::str::FromStr;

/// What a report covers: one document, or every document of a platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// `platform/document`.
    Document(DocumentKey),
    /// A platform slug: all its documents.
    Platform(String),
}

impl FromStr for Scope {
    type Err = cw_model::KeyError;

    /// `aws/aup` is a document, `aws` a platform.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.contains('/') {
            Ok(Scope::Document(s.parse()?))
        } else {
            // Validates the slug with the same rules as document keys.
            let key = DocumentKey::new(s, "x")?;
            Ok(Scope::Platform(key.platform))
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Document(k) => write!(f, "{k}"),
            Scope::Platform(p) => write!(f, "{p}"),
        }
    }
}

/// Who made the report and what it covers in time.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// Only versions observed on or after this date (UTC).
    pub since: Option<NaiveDate>,
    /// The generating program, e.g. `clausewatch 0.1.0`.
    pub generator: String,
    /// When the report is made.
    pub generated_at: DateTime<Utc>,
}

/// One snapshot of a version, with where and when it was fetched.
#[derive(Debug, Clone, Serialize)]
pub struct SnapshotEvidence {
    /// sha256 of the raw bytes (the archive blob).
    pub sha256: String,
    /// Size of the raw bytes.
    pub size: u64,
    /// Format of the raw bytes.
    pub format: String,
    /// Where the bytes came from on first sight: a URL or a file path.
    pub source: String,
    /// When they were first observed.
    pub observed_at: DateTime<Utc>,
    /// When they were last observed.
    pub last_observed_at: DateTime<Utc>,
    /// How often they were observed.
    pub observation_count: u32,
    /// The HTTP status of the fetch that archived these bytes, when the
    /// watcher logged one (imports from files have none).
    pub http_status: Option<u16>,
}

/// A label on a provision with its evidence text.
#[derive(Debug, Clone, Serialize)]
pub struct LabelEvidence {
    /// TAXONOMY id.
    pub id: String,
    /// 0–1.
    pub confidence: f32,
    /// The quoted evidence (the label's span of the provision text).
    pub evidence: String,
    /// `rule`, `model` or `both`.
    pub source: &'static str,
}

/// A provision with its labels.
#[derive(Debug, Clone, Serialize)]
pub struct ProvisionEntry {
    /// The provision.
    pub provision: Provision,
    /// Its labels.
    pub labels: Vec<LabelEvidence>,
}

/// One version in the report.
#[derive(Debug, Clone, Serialize)]
pub struct VersionSection {
    /// The stored version row.
    pub row: VersionRow,
    /// Its snapshots.
    pub snapshots: Vec<SnapshotEvidence>,
    /// How its change relates to its stated date (silent change, date
    /// bump without change, …); `None` for a first version.
    pub announcement: Option<Announcement>,
    /// Where imported observations of it came from (`import-history`).
    pub imported: Vec<StoredHistoryItem>,
}

/// Everything the report says about one document.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentSection {
    /// Identity and metadata.
    pub document: DocumentRow,
    /// The analysis document type used for labels and checks.
    pub doc_type: DocType,
    /// Versions observed in scope, in observation order.
    pub versions: Vec<VersionSection>,
    /// The version whose provisions are listed (the newest in scope).
    pub current: Option<u32>,
    /// Its provisions with labels.
    pub provisions: Vec<ProvisionEntry>,
    /// Regulatory findings on that version (each carries its caveat).
    pub findings: Vec<Finding>,
    /// The changes recorded into versions in scope, oldest first.
    pub changes: Vec<StoredChange>,
}

/// A whole report, ready to render.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// What it covers (`aws/aup` or `aws`).
    pub scope: String,
    /// Only versions observed on or after this date.
    pub since: Option<NaiveDate>,
    /// The generating program.
    pub generator: String,
    /// When it was made.
    pub generated_at: DateTime<Utc>,
    /// The documents.
    pub documents: Vec<DocumentSection>,
    /// The manifest chain head when the report was made.
    pub chain_head: Option<ManifestHead>,
    /// The extractor versions the versions in scope were recorded with.
    pub extractor_versions: BTreeSet<String>,
    /// The extractor of this build.
    pub current_extractor: String,
    /// The analyzer that computed labels and findings.
    pub analyzer: String,
    /// The model behind the unfair-clause labels.
    pub model: String,
}

/// The analysis document type of a stored document: its declared type, else its title.
pub(crate) fn doc_type(doc: &DocumentRow, title: Option<&str>) -> DocType {
    doc_type_of(doc.doc_type.as_deref(), title)
}

/// The analysis document type from a declared type (`privacy-policy`, …),
/// else a title ([`DocType::of_declared`], as analysis and the index).
pub(crate) fn doc_type_of(declared: Option<&str>, title: Option<&str>) -> DocType {
    DocType::of_declared(declared, title)
}

/// A version's announcement class for people: flagged classes (silent
/// change, date bump without change, older date) start with "Flag:".
pub(crate) fn announcement_text(a: Announcement) -> String {
    if a.is_flagged() {
        format!("Flag: {}", a.describe())
    } else {
        a.describe().to_string()
    }
}

pub(crate) fn source_name(s: LabelSource) -> &'static str {
    match s {
        LabelSource::Rule => "rule",
        LabelSource::Model => "model",
        _ => "both",
    }
}

/// Collects the report for a scope.
pub async fn gather(
    store: &Store,
    scope: &Scope,
    options: &ReportOptions,
) -> Result<Report, ReportError> {
    let keys: Vec<DocumentKey> = match scope {
        Scope::Document(key) => {
            if store.document(key).await?.is_none() {
                return Err(ReportError::NotFound(format!("document {key}")));
            }
            vec![key.clone()]
        }
        Scope::Platform(p) => {
            let keys: Vec<DocumentKey> = store
                .documents()
                .await?
                .into_iter()
                .filter(|d| &d.key.platform == p)
                .map(|d| d.key)
                .collect();
            if keys.is_empty() {
                return Err(ReportError::NotFound(format!("platform {p}")));
            }
            keys
        }
    };
    let mut documents = Vec::new();
    let mut extractor_versions = BTreeSet::new();
    for key in &keys {
        let section = gather_document(store, key, options.since).await?;
        extractor_versions.extend(
            section
                .versions
                .iter()
                .map(|v| v.row.extractor_version.clone()),
        );
        documents.push(section);
    }
    Ok(Report {
        scope: scope.to_string(),
        since: options.since,
        generator: options.generator.clone(),
        generated_at: options.generated_at,
        documents,
        chain_head: store.manifest_head().await?,
        extractor_versions,
        current_extractor: cw_model::EXTRACTOR_VERSION.to_string(),
        analyzer: cw_analyze::analyzer_version().to_string(),
        model: cw_analyze::model_version().to_string(),
    })
}

async fn gather_document(
    store: &Store,
    key: &DocumentKey,
    since: Option<NaiveDate>,
) -> Result<DocumentSection, ReportError> {
    let document = store
        .document(key)
        .await?
        .ok_or_else(|| ReportError::NotFound(format!("document {key}")))?;
    let in_scope = |t: DateTime<Utc>| since.is_none_or(|d| t.date_naive() >= d);
    let all_rows = store.versions(key).await?;
    let mut notes = notes_by_version(key, &all_rows, store.history_items(key).await?);
    let rows: Vec<VersionRow> = all_rows
        .into_iter()
        .filter(|v| in_scope(v.observed_at))
        .collect();

    // HTTP status per archived blob, from the watcher's fetch log (oldest
    // attempt that archived those bytes wins); empty for file imports.
    let mut status: HashMap<String, u16> = HashMap::new();
    let attempts = store.fetch_attempts(key, u32::MAX).await?;
    for a in attempts.iter().rev() {
        if let (Some(sha), Some(code)) = (&a.sha256, a.http_status) {
            status.entry(sha.clone()).or_insert(code);
        }
    }
    let snapshots = store.snapshots(key).await?;
    let versions: Vec<VersionSection> = rows
        .into_iter()
        .map(|row| {
            let snaps = snapshots
                .iter()
                .filter(|s| s.version_number == row.number)
                .map(|s| SnapshotEvidence {
                    sha256: s.blob.to_string(),
                    size: s.size,
                    format: s.format.clone(),
                    source: s.source.clone(),
                    observed_at: s.observed_at,
                    last_observed_at: s.last_observed_at,
                    observation_count: s.observation_count,
                    http_status: status.get(s.blob.as_str()).copied(),
                })
                .collect();
            let notes = notes.remove(&row.number).unwrap_or_default();
            VersionSection {
                row,
                snapshots: snaps,
                announcement: notes.announcement,
                imported: notes.imported,
            }
        })
        .collect();

    let mut changes = Vec::new();
    for v in &versions {
        if let Some(c) = store.change(key, v.row.number).await? {
            changes.push(c);
        }
    }

    let current = versions.last().map(|v| v.row.number);
    let mut doc_kind = doc_type(&document, None);
    let (mut provisions, mut findings) = (Vec::new(), Vec::new());
    if let Some(n) = current {
        let stored = store
            .version(&VersionRef {
                document: key.clone(),
                selector: VersionSelector::Number(n),
            })
            .await?;
        let doc = &stored.document;
        doc_kind = doc_type(&document, doc.title.as_deref());
        // The labels `analyze` stores and the web UI shows: headings and
        // list lead-ins as context.
        let labels = cw_analyze::label_document(doc, doc_kind);
        findings = cw_analyze::check_document(doc, &labels, doc_kind);
        provisions = doc
            .provisions
            .iter()
            .zip(labels)
            .map(|(p, labels)| ProvisionEntry {
                labels: labels
                    .into_iter()
                    .map(|l| LabelEvidence {
                        evidence: cw_analyze::slice_chars(&p.text, l.span).to_string(),
                        id: l.id,
                        confidence: l.confidence,
                        source: source_name(l.source),
                    })
                    .collect(),
                provision: p.clone(),
            })
            .collect();
    }
    Ok(DocumentSection {
        document,
        doc_type: doc_kind,
        versions,
        current,
        provisions,
        findings,
        changes,
    })
}
