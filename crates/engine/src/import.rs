//! The import job: raw bytes → archive → extract → diff against the previous
//! version → one store transaction.

use crate::{Engine, EngineError, lineage};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use cw_extract::ExtractOptions;
use cw_model::{DiffSummary, DocumentKey, Warning};
use cw_store::{DocumentMeta, ImportOutcome, NewImport, NextVersion};
use serde::Serialize;

/// One copy of a document to import.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    /// Which document these bytes are a version of.
    pub document: DocumentKey,
    /// Document attributes to record when the document is new.
    pub meta: DocumentMeta,
    /// The raw bytes, exactly as fetched or read.
    pub bytes: Vec<u8>,
    /// Where the bytes came from: a file path or a URL.
    pub source: String,
    /// When this copy was seen; defaults to the document's effective date, then now.
    pub observed_at: Option<DateTime<Utc>>,
    /// Extraction options (size limit, declarations).
    pub extract: ExtractOptions,
    /// Record a version even when extraction found no provisions
    /// (`import --force`); otherwise such bytes are refused with
    /// [`EngineError::NoProvisions`] and leave no trace.
    pub allow_no_provisions: bool,
}

impl ImportRequest {
    /// A request with default metadata, date and extraction options.
    pub fn new(document: DocumentKey, bytes: Vec<u8>, source: impl Into<String>) -> Self {
        ImportRequest {
            document,
            meta: DocumentMeta::default(),
            bytes,
            source: source.into(),
            observed_at: None,
            extract: ExtractOptions::default(),
            allow_no_provisions: false,
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    /// These exact bytes were already archived for this document and their
    /// text is the one in force: only the sighting is recorded. (Bytes of
    /// an older text than the one in force are a revert: a new version.)
    SameSnapshot,
    /// New bytes, but the same provisions as the version in force: snapshot recorded, no new version.
    SameContent,
    /// A new version was recorded.
    NewVersion,
}

/// The result of one import, for people (`outcome_text`) and machines (JSON).
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    /// The document.
    pub document: String,
    /// Where the bytes came from.
    pub source: String,
    /// sha256 of the raw bytes.
    pub sha256: String,
    /// What was recorded.
    pub status: ImportStatus,
    /// The version these bytes belong to (new or existing).
    pub version: u32,
    /// When the copy was recorded as observed.
    pub observed_at: DateTime<Utc>,
    /// The document's own effective date, when found.
    pub effective_date: Option<NaiveDate>,
    /// Number of provisions extracted.
    pub provisions: usize,
    /// Counts of the diff against the previous version, for a new version that has one.
    pub changes: Option<DiffSummary>,
    /// For a new version that brings back an older text (a revert): the
    /// version where that text was first recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restores: Option<u32>,
    /// Extraction warnings.
    pub warnings: Vec<Warning>,
}

impl ImportReport {
    /// One line a person can read.
    pub fn outcome_text(&self) -> String {
        let what = match self.status {
            ImportStatus::SameSnapshot => format!("already archived (version {})", self.version),
            ImportStatus::SameContent => {
                format!("new snapshot, same provisions as version {}", self.version)
            }
            ImportStatus::NewVersion => match &self.changes {
                Some(s) => format!(
                    "version {}{}: {} provisions; {} added, {} removed, {} modified, {} moved, {} substantive",
                    self.version,
                    self.restores
                        .map(|n| format!(" (restores version {n})"))
                        .unwrap_or_default(),
                    self.provisions,
                    s.added,
                    s.removed,
                    s.modified,
                    s.moved,
                    s.substantive
                ),
                None => format!(
                    "version {}: {} provisions (first version)",
                    self.version, self.provisions
                ),
            },
        };
        format!(
            "{} {} ← {}: {}",
            self.document,
            self.observed_at.format("%Y-%m-%d"),
            self.source,
            what
        )
    }
}

impl Engine {
    /// Imports one copy of a document. Idempotent: the same bytes twice record nothing new.
    ///
    /// Extraction happens before anything is written, so input that cannot be
    /// read leaves no trace. The raw bytes are archived before the database
    /// transaction; a blob whose transaction never committed is not referenced
    /// by any record.
    pub async fn import(&self, request: ImportRequest) -> Result<ImportReport, EngineError> {
        self.import_prepared(request, None).await
    }

    /// [`Engine::import`] of bytes the caller has already extracted with
    /// `request.extract` (the watcher judges a page by its extraction
    /// before importing it): the extraction is reused unless a declaration
    /// (given or stored with the document) applies, which extracts again.
    pub(crate) async fn import_prepared(
        &self,
        mut request: ImportRequest,
        extracted: Option<cw_model::ExtractedDocument>,
    ) -> Result<ImportReport, EngineError> {
        // A declaration given with the request wins and is stored with the
        // document; without one, the document's stored declaration applies.
        let given = request
            .extract
            .declaration
            .as_ref()
            .filter(|d| !d.is_empty())
            .map(cw_extract::Declaration::to_json);
        if given.is_none()
            && let Some(stored) = self.store().declaration(&request.document).await?
        {
            request.extract.declaration = Some(cw_extract::Declaration::from_json(&stored.json)?);
        }
        let extracted = match extracted {
            Some(doc) if request.extract.declaration.is_none() => doc,
            _ => cw_extract::extract(&request.bytes, &request.extract)?,
        };
        // A page that is only an image or an inline SVG has no provisions:
        // as a version it would "remove" every provision of the one before.
        if extracted.provisions.is_empty() && !request.allow_no_provisions {
            return Err(EngineError::NoProvisions {
                document: request.document.to_string(),
            });
        }
        let observed_at = request
            .observed_at
            .or_else(|| extracted.effective_date.map(start_of_day))
            .unwrap_or_else(Utc::now);
        let store = self.store();
        store
            .ensure_document(&request.document, &request.meta)
            .await?;
        let previous = store
            .previous_version(&request.document, observed_at)
            .await?;
        // A copy older than a stored version (imported out of date order):
        // the following version's change must be recomputed against it.
        let next = store.next_version(&request.document, observed_at).await?;
        let change = previous
            .as_ref()
            .map(|prev| cw_diff::diff(&prev.document, &extracted));
        let next_change = next
            .as_ref()
            .map(|n| cw_diff::diff(&extracted, &n.document));
        let content_hash = cw_store::content_hash(&extracted);
        let lineage_keys = lineage::keys_between(
            &request.document,
            &extracted,
            &content_hash,
            previous.as_ref().zip(change.as_ref()),
            next.as_ref().zip(next_change.as_ref()),
        );
        let blob = store.archive().put(&request.bytes)?;
        let summary = change.as_ref().map(|c| c.summary);
        let outcome = store
            .record_import_with_next(
                NewImport {
                    document: request.document.clone(),
                    blob: blob.clone(),
                    size: request.bytes.len() as u64,
                    format: extracted.format.as_str().to_string(),
                    source: request.source.clone(),
                    observed_at,
                    extractor_version: cw_model::EXTRACTOR_VERSION.to_string(),
                    previous_version_number: previous.as_ref().map(|p| p.row.number),
                    change,
                    lineage_keys,
                    extracted: extracted.clone(),
                },
                NextVersion {
                    version_number: next.as_ref().map(|n| n.row.number),
                    change: next_change,
                },
            )
            .await?;
        if let Some(json) = &given {
            store.set_declaration(&request.document, json).await?;
        }
        if let ImportOutcome::NewVersion { version_number, .. } = outcome {
            self.derive_imported(&request.document, version_number)
                .await;
        }
        let (status, version, changes, restores) = match outcome {
            ImportOutcome::SameSnapshot { version_number } => {
                (ImportStatus::SameSnapshot, version_number, None, None)
            }
            ImportOutcome::SameContent { version_number } => {
                (ImportStatus::SameContent, version_number, None, None)
            }
            ImportOutcome::NewVersion {
                version_number,
                restores,
                ..
            } => (ImportStatus::NewVersion, version_number, summary, restores),
        };
        Ok(ImportReport {
            document: request.document.to_string(),
            source: request.source,
            sha256: blob.to_string(),
            status,
            version,
            observed_at,
            effective_date: extracted.effective_date,
            provisions: extracted.provisions.len(),
            changes,
            restores,
            warnings: extracted.warnings,
        })
    }
}

impl Engine {
    /// The derived data of a version an import just recorded (analysis and
    /// search index entries), as the import's settings ask. Inline, both go
    /// through [`Engine::derive_versions`]: index first, waiting for another
    /// process's index writer (queued, not dropped), analysis row last, so
    /// a crash or a failure leaves the version without an analysis row and
    /// the next catch-up ([`Engine::heal_derived`]) makes both. Failures
    /// are logged, never fatal: it is derived data.
    async fn derive_imported(&self, key: &DocumentKey, number: u32) {
        match (self.index_on_import, self.analyze_on_import) {
            (true, true) => {
                let versions = [(key.clone(), number)];
                if let Err(e) = self.derive_versions(&versions, IMPORT_LOCK_WAIT).await {
                    tracing::warn!(document = %key, version = number, error = %e,
                        "analysis and search index of the new version not made; the next import or start-up catches up");
                }
            }
            (true, false) => {
                if let Err(e) = self.index_version(key, number).await {
                    tracing::warn!(document = %key, error = %e, "search index not updated; run `clausewatch reindex`");
                }
            }
            (false, true) => self.analyze_imported(key, number).await,
            (false, false) => {}
        }
    }
}

/// How long an import's index update waits for another process's index
/// writer (two imports into one home take turns) before leaving the
/// version to the next catch-up.
pub(crate) const IMPORT_LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(120);

/// Midnight UTC of a date: the observation time of a copy known only by its date.
pub fn start_of_day(date: NaiveDate) -> DateTime<Utc> {
    date.and_time(NaiveTime::MIN).and_utc()
}
