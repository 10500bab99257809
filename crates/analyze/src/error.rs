//! The one error type of cw-analyze. Labelling, attributes, checks and
//! similarity never fail on input text; errors come only from rule files,
//! model files and training-corpus I/O.

use std::path::PathBuf;

/// What can go wrong when loading rules or models, or when training.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AnalyzeError {
    /// A rule file (labels, regulations, workload) is not valid TOML or has a bad entry.
    #[error("rule file: {0}")]
    RuleFile(String),
    /// A rule names a label id that TAXONOMY.md does not define.
    #[error("unknown label id {0:?} (ids come from TAXONOMY.md and are never renamed)")]
    UnknownLabel(String),
    /// A doc type other than tos, privacy, aup or unknown.
    #[error("unknown document type {0:?} (use tos, privacy, aup or unknown)")]
    UnknownDocType(String),
    /// A model file could not be read (wrong format, version or corrupt data).
    #[error("model file: {0}")]
    ModelFile(String),
    /// Running the transformer encoder failed (feature `encoder`): an
    /// internal error, not a property of the input text.
    #[error("encoder: {0}")]
    Encoder(String),
    /// The training corpus is missing or malformed.
    #[error("training corpus {path}: {message}")]
    Corpus {
        /// The file or folder concerned.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// Reading a file failed.
    #[error("reading {path}: {source}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}
