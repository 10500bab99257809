//! The one error type of cw-report.

use std::path::PathBuf;

/// Everything that can go wrong while building a report, exporting,
/// importing or re-extracting.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The store failed or refused.
    #[error(transparent)]
    Store(#[from] cw_store::StoreError),
    /// Nothing matches the requested scope (no such document or platform).
    #[error("not found: {0}")]
    NotFound(String),
    /// A file could not be read or written.
    #[error("{op} {}: {source}", path.display())]
    Io {
        /// What was being done.
        op: &'static str,
        /// The path concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Chromium could not print the PDF.
    #[error("PDF printing failed: {0}")]
    Pdf(String),
    /// An export folder is not a usable clausewatch export.
    #[error("bad export {}: {reason}", path.display())]
    BadExport {
        /// The file or folder concerned.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// JSON encoding or decoding failed.
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// CSV encoding or decoding failed.
    #[error("CSV: {0}")]
    Csv(#[from] csv::Error),
}

impl ReportError {
    pub(crate) fn io(op: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        ReportError::Io {
            op,
            path: path.into(),
            source,
        }
    }

    pub(crate) fn bad_export(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        ReportError::BadExport {
            path: path.into(),
            reason: reason.into(),
        }
    }
}
