//! The engine wires the pipeline stages into jobs: a job takes raw bytes
//! through archive → extract → diff → store, and is idempotent (running it
//! twice on the same input changes nothing the second time).
//!
//! # Brief overview
//!
//! * [`Engine`] owns a [`cw_store::Store`] and runs jobs against it.
//! * [`Engine::import`] takes an [`ImportRequest`] (bytes plus where they came
//!   from and which document they are a version of) and returns an
//!   [`ImportReport`] saying whether a new snapshot and a new version were
//!   recorded and what changed against the previous version.
//! * [`demo`] holds the project's own sample corpus, compiled into the binary.
//!
//! ```no_run
//! # async fn run() -> Result<(), cw_engine::EngineError> {
//! use cw_engine::{Engine, ImportRequest};
//! let engine = Engine::open(std::path::Path::new("clausewatch-data")).await?;
//! let key = "example-cloud/aup".parse().map_err(cw_engine::EngineError::from)?;
//! let report = engine.import(ImportRequest::new(key, b"# Policy\n\nText.".to_vec(), "policy.md")).await?;
//! println!("{}", report.outcome_text());
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod analyze;
mod announce;
pub mod demo;
mod derive;
mod history_import;
mod import;
mod index;
mod lineage;
mod reextract;
mod variants;
pub mod watch;
mod why;

pub use analyze::{
    AdoptionView, AnalysisSource, CheckReport, ComparableProvision, Comparison, FindingView,
    LabelDelta, LabelView, ProvisionView, VersionAnalysis, WorkloadActivity, WorkloadHit,
    WorkloadReport, aligned_ids, label_changes, label_document, label_ids, shorten,
};
pub use announce::{Announcement, AnnouncementCheck, check_versions, classify};
pub use derive::{DeriveReport, HealReport, MissingDerived};
pub use history_import::{
    HistoryImportOptions, HistoryImportReport, HistoryStatus, HistoryStep, RefusedItem,
    history_document_key,
};
pub use import::{ImportReport, ImportRequest, ImportStatus, start_of_day};
pub use reextract::{ReextractProblem, ReextractReport, UpgradeReport};
pub use variants::{AlignedRow, Divergence, VariantColumn, VariantsView};
pub use why::{VersionLabels, why_it_matters};

use cw_model::KeyError;
use cw_store::Store;
use std::path::Path;

/// Why a job failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The bytes could not be read as a document (user error: bad input).
    #[error(transparent)]
    Extract(#[from] cw_extract::ExtractError),
    /// A declaration (given or stored with the document) is invalid.
    #[error(transparent)]
    Declaration(#[from] cw_extract::DeclarationError),
    /// The store failed or refused the write.
    #[error(transparent)]
    Store(#[from] cw_store::StoreError),
    /// A document or version name was malformed (user error).
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The search index failed; it is derived data, `reindex` rebuilds it.
    #[error(transparent)]
    Search(#[from] cw_search::SearchError),
    /// Extraction found no provisions, and the request did not allow a
    /// version without any (user error: `import --force` records it).
    #[error(
        "{document}: no provisions found in the input; a version without provisions is refused"
    )]
    NoProvisions {
        /// The document the bytes were for.
        document: String,
    },
    /// The store changed under a running job (e.g. a document deleted meanwhile).
    #[error("inconsistent store: {0}")]
    Inconsistent(String),
    /// An archived history could not be read (issue #23).
    #[error(transparent)]
    Backfill(#[from] cw_backfill::BackfillError),
    /// The embedded demo corpus is inconsistent (a bug in the build).
    #[error("demo corpus: {0}")]
    Demo(String),
}

/// Runs clausewatch jobs against one store.
#[derive(Debug)]
pub struct Engine {
    store: Store,
    /// Imports add new versions to the search index (false: `clausewatch
    /// worker` runs `index` jobs instead, so processes sharing a home do not
    /// contend for the index's one writer lock inside an import).
    index_on_import: bool,
    /// Imports analyse new versions themselves (false: the watcher and
    /// `clausewatch worker` analyse them later, off the fetch path).
    analyze_on_import: bool,
    /// Labels of versions labelled in this process ([`Engine::version_labels`]),
    /// shared by the engine's clones.
    labels: std::sync::Arc<why::LabelCache>,
}

impl Engine {
    /// Opens (creating if needed) the home folder: database and archive.
    pub async fn open(home: &Path) -> Result<Self, EngineError> {
        Ok(Engine::from_store(Store::open(home).await?))
    }

    /// Wraps an already opened store.
    pub fn from_store(store: Store) -> Self {
        Engine {
            store,
            index_on_import: true,
            analyze_on_import: true,
            labels: std::sync::Arc::default(),
        }
    }

    /// Imports stop updating the search index; the caller indexes new
    /// versions itself ([`Engine::index_version`]).
    pub fn without_index_on_import(mut self) -> Self {
        self.index_on_import = false;
        self
    }

    /// Imports stop analysing and indexing new versions: the caller makes
    /// that derived data later, in batches ([`Engine::derive_pending`],
    /// [`Engine::derive_versions`], or the `analyse`/`index` jobs of
    /// `clausewatch worker`). `import` keeps both inline by default.
    pub fn without_derived_on_import(mut self) -> Self {
        self.index_on_import = false;
        self.analyze_on_import = false;
        self
    }

    /// The store, for read-only queries by the front ends.
    pub fn store(&self) -> &Store {
        &self.store
    }
}
