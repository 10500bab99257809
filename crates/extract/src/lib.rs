//! Extraction: bytes of a policy document → an [`ExtractedDocument`] of clean provisions.
#![deny(missing_docs)]

use cw_model::ExtractedDocument;

/// Why bytes could not be read as a document at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExtractError {
    /// The input has no bytes, or only whitespace.
    #[error("the input is empty")]
    Empty,
}

/// Options for [`extract`].
#[derive(Debug, Clone, Default)]
pub struct ExtractOptions {}

/// Extracts a document from raw bytes.
pub fn extract(_bytes: &[u8], _options: &ExtractOptions) -> Result<ExtractedDocument, ExtractError> {
    Err(ExtractError::Empty)
}
