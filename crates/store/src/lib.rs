//! Storage for clausewatch: the archive of raw bytes and the database of
//! documents, snapshots, versions, provisions and changes. This is the only
//! crate that knows SQL or the archive layout.
//!
//! # Brief overview
//!
//! * [`Store`] is an opened home folder (`clausewatch.db` + `archive/`). Its
//!   async methods read and write the database; every write is one
//!   transaction. [`Store::record_import`] is the heart: given archived
//!   bytes, their extraction, and the diff against the preceding version, it
//!   records a new version, a new snapshot of an unchanged version, or only
//!   an observation ([`ImportOutcome`]). A copy that brings back an older
//!   text than the one in force (a revert) is a new version that restores
//!   that text's first version ([`VersionRow::restores`]).
//! * [`Archive`] keeps raw bytes forever as zstd files named by the sha256
//!   of the raw bytes ([`BlobId`]); reads are size-capped and re-hashed.
//! * [`content_hash`] decides when two extractions are the same version.
//! * Rows come back as [`DocumentRow`], [`VersionRow`], [`StoredVersion`],
//!   [`StoredChange`] and [`SnapshotRow`]; every failure is a [`StoreError`],
//!   which tells user errors ([`StoreError::is_user_error`]) from internal ones.
//!
//! The schema is in `migrations/sqlite/`, numbered and append-only, with
//! its reasoning in comments; queries are written to run on PostgreSQL too.
//!
//! # Example
//!
//! ```
//! use cw_model::{DocumentKey, ExtractedDocument, Provision, ProvisionKind, SourceFormat};
//! use cw_store::{ImportOutcome, NewImport, Store};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let home = tempfile::tempdir()?;
//! let store = Store::open(home.path()).await?;
//! let key: DocumentKey = "aws/aup".parse()?;
//!
//! let bytes = b"# AUP\n\nNo network abuse.";
//! let blob = store.archive().put(bytes)?;
//! let extracted = ExtractedDocument {
//!     title: Some("AUP".into()),
//!     effective_date: None,
//!     language: "en".into(),
//!     format: SourceFormat::Markdown,
//!     provisions: vec![Provision::new("aup/1", vec!["AUP".into()],
//!         ProvisionKind::Paragraph, "No network abuse.")],
//!     warnings: vec![],
//!     coverage: None,
//! };
//! let outcome = store.record_import(NewImport {
//!     document: key.clone(),
//!     blob,
//!     size: bytes.len() as u64,
//!     format: "markdown".into(),
//!     source: "aup.md".into(),
//!     observed_at: chrono::Utc::now(),
//!     extracted,
//!     extractor_version: cw_model::EXTRACTOR_VERSION.into(),
//!     previous_version_number: None,
//!     change: None,
//!     lineage_keys: vec!["aup/1".into()],
//! }).await?;
//! assert_eq!(outcome, ImportOutcome::NewVersion { version_number: 1, substantive: 0, restores: None });
//! assert_eq!(store.versions(&key).await?.len(), 1);
//! # Ok(()) }
//! # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
//! ```
#![deny(missing_docs)]

pub(crate) mod analysis;
pub mod announce;
mod archive;
mod archive_s3;
pub(crate) mod auth;
mod backend;
mod content;
mod copy;
pub(crate) mod cycle;
pub(crate) mod dataset;
mod db;
pub(crate) mod declarations;
mod error;
pub(crate) mod history;
pub(crate) mod hosts;
pub(crate) mod in_force;
pub(crate) mod jobs;
mod store;
mod time;
mod types;
pub(crate) mod upgrades;
pub(crate) mod variants;
pub(crate) mod verify;
pub(crate) mod watch;

pub use analysis::{
    AnalysisFinding, AnalysisOutcome, LabelledProvision, NewAnalysis, ProvisionAnalysis,
    StoredAnalysis, StoredLabel,
};
pub use archive::{Archive, BlobId, BlobIter, DEFAULT_MAX_BLOB_SIZE};
pub use archive_s3::S3Config;
pub use auth::{NewToken, Role, TOKEN_PREFIX, TokenRow, hash_token};
pub use backend::{DatabaseLocation, StoreOptions};
pub use content::content_hash;
pub use copy::{CopyReport, TableCopy, copy_database};
pub use cycle::{InventoryVersion, PendingVersion};
pub use dataset::{
    ChangeRecord, DatasetImportSummary, DocumentDataset, DocumentRecord, ObservationRecord,
    ProvenanceRecord, ProvisionRecord, SnapshotRecord, VersionRecord,
};
pub use declarations::StoredDeclaration;
pub use error::StoreError;
pub use history::{HistoryCounts, HistoryItemKind, HistoryUpgrade, Provenance, StoredHistoryItem};
pub use hosts::{HostSlotRow, HostTake, HostTurn};
pub use in_force::{ObservationProof, VersionInForce};
pub use jobs::{JobCounts, JobKind, JobRow, JobState, NewJob, StalledFetch};
pub use store::{ARCHIVE_DIR, DATABASE_FILE, Store};
pub use types::{
    DocumentMeta, DocumentRow, ImportOutcome, NewImport, ProvisionHistoryEntry, SnapshotRow,
    StoreCounts, StoredChange, StoredVersion, VersionRow,
};
pub use upgrades::{NextVersion, RecomputedChange, StoredUpgrade, VersionUpgrade};
pub use variants::VariantRow;
pub use verify::{ArchiveVerification, ManifestEntry, ManifestHead, Problem, RecordKind};
pub use watch::{
    AttemptRow, CandidateRow, DeliveryAttempt, LatestVersion, NewAlert, NewAttempt, NewSource,
    OutboxRow, RoundResult, SETTING_BROWSER_FALLBACK, Schedule, SourceRow, SubscriptionRow,
};
