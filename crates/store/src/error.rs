//! The one error type of the store, split into errors the caller can fix
//! (bad input, a missing name, a lost race) and internal ones (I/O, SQL,
//! corruption), with a stable machine-readable code for each variant.

use crate::archive::BlobId;
use std::path::PathBuf;

/// Everything that can go wrong in the archive or the database.
///
/// Use [`StoreError::is_user_error`] to tell errors caused by the caller's
/// input apart from internal ones, and [`StoreError::code`] for a stable name
/// (the HTTP layer maps these codes to status codes in one table).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A document, version, change or blob that was asked for does not exist.
    #[error("not found: {what}")]
    NotFound {
        /// What was looked for, in words a person can read (`version aws/aup@3`).
        what: String,
    },
    /// The version the caller diffed against is no longer the one that
    /// precedes the new observation (another import got there first).
    /// Re-read the previous version, diff again and retry.
    #[error(
        "conflict on {document}: the import was diffed against version {}, but the preceding version is now {}",
        fmt_version(*.expected),
        fmt_version(*.actual)
    )]
    Conflict {
        /// The document, as `platform/document`.
        document: String,
        /// What the caller passed as `previous_version_number`.
        expected: Option<u32>,
        /// What the database holds now.
        actual: Option<u32>,
    },
    /// The import is inconsistent in itself (wrong number of lineage keys,
    /// duplicate provision ids, an out-of-range date).
    #[error("invalid import: {reason}")]
    InvalidImport {
        /// What is wrong with it.
        reason: String,
    },
    /// The import refers to a blob that is not in the archive: put the bytes first.
    #[error("blob {blob} is not in the archive")]
    MissingBlob {
        /// The missing blob.
        blob: BlobId,
    },
    /// A blob name is not 64 lowercase hexadecimal digits.
    #[error("{0:?} is not a blob id (expected 64 lowercase hex digits)")]
    BadBlobId(String),
    /// The bytes given to `put` are larger than the archive accepts.
    /// (A stored blob that decompresses to more than that is
    /// [`Corrupt`](Self::Corrupt): a zip bomb or a damaged file.)
    #[error("blob {blob} is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The id the bytes would have had.
        blob: BlobId,
        /// The limit in bytes.
        limit: u64,
    },
    /// A stored blob cannot be decompressed or its bytes no longer hash to its name.
    #[error("blob {blob} is corrupt: {reason}")]
    Corrupt {
        /// The damaged blob.
        blob: BlobId,
        /// What is wrong with it.
        reason: String,
    },
    /// A database row holds a value the store cannot read back (an unknown
    /// provision kind, an unparsable timestamp): the database was edited by hand or damaged.
    #[error("unreadable database value: {what}")]
    BadRow {
        /// Which value and why.
        what: String,
    },
    /// A file-system operation failed.
    #[error("{op} {}: {source}", path.display())]
    Io {
        /// What was being done (`creating`, `reading`, …).
        op: &'static str,
        /// The path concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The database reported an error.
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    /// The embedded migrations could not be applied (for example the database
    /// was migrated by a newer clausewatch).
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A value could not be converted to or from its stored JSON form.
    #[error("JSON encoding failed: {0}")]
    Json(#[from] serde_json::Error),
    /// The S3-compatible object store holding the archive failed or refused
    /// a request (unreachable endpoint, missing bucket, bad credentials).
    #[error("{op} {location}: {source}")]
    ObjectStore {
        /// What was being done (`writing`, `reading`, `listing`, …).
        op: &'static str,
        /// The object or bucket concerned, as an `s3://` URL.
        location: String,
        /// The underlying error.
        #[source]
        source: object_store::Error,
    },
    /// A database URL or archive location cannot be used as given (user error).
    #[error("configuration: {what}")]
    Config {
        /// What is wrong, in words a person can read.
        what: String,
    },
    /// A job's lease passed to another worker (it expired while this worker
    /// was still busy): the result must not be recorded by this worker.
    #[error("job {job} is no longer leased by this worker")]
    LeaseLost {
        /// The job's id.
        job: i64,
    },
}

fn fmt_version(v: Option<u32>) -> String {
    match v {
        Some(n) => n.to_string(),
        None => "none".to_string(),
    }
}

impl StoreError {
    /// True when the caller can fix the error by changing its input or
    /// retrying ([`NotFound`](Self::NotFound), [`Conflict`](Self::Conflict),
    /// [`InvalidImport`](Self::InvalidImport), [`MissingBlob`](Self::MissingBlob),
    /// [`BadBlobId`](Self::BadBlobId), [`TooLarge`](Self::TooLarge),
    /// [`Config`](Self::Config), [`LeaseLost`](Self::LeaseLost));
    /// false for internal errors (I/O, database, corruption).
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            StoreError::NotFound { .. }
                | StoreError::Conflict { .. }
                | StoreError::InvalidImport { .. }
                | StoreError::MissingBlob { .. }
                | StoreError::BadBlobId(_)
                | StoreError::TooLarge { .. }
                | StoreError::Config { .. }
                | StoreError::LeaseLost { .. }
        )
    }

    /// A stable snake_case code for the variant, for logs, JSON errors and
    /// the HTTP status table.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::NotFound { .. } => "not_found",
            StoreError::Conflict { .. } => "conflict",
            StoreError::InvalidImport { .. } => "invalid_import",
            StoreError::MissingBlob { .. } => "missing_blob",
            StoreError::BadBlobId(_) => "bad_blob_id",
            StoreError::TooLarge { .. } => "too_large",
            StoreError::Corrupt { .. } => "corrupt_blob",
            StoreError::BadRow { .. } => "bad_row",
            StoreError::Io { .. } => "io",
            StoreError::Db(_) => "database",
            StoreError::Migrate(_) => "migration",
            StoreError::Json(_) => "json",
            StoreError::ObjectStore { .. } => "object_store",
            StoreError::Config { .. } => "config",
            StoreError::LeaseLost { .. } => "lease_lost",
        }
    }

    pub(crate) fn io(op: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        StoreError::Io {
            op,
            path: path.into(),
            source,
        }
    }

    pub(crate) fn not_found(what: impl Into<String>) -> Self {
        StoreError::NotFound { what: what.into() }
    }

    pub(crate) fn config(what: impl Into<String>) -> Self {
        StoreError::Config { what: what.into() }
    }

    pub(crate) fn bad_row(what: impl Into<String>) -> Self {
        StoreError::BadRow { what: what.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_errors_are_told_apart_from_internal_ones() {
        let conflict = StoreError::Conflict {
            document: "a/b".into(),
            expected: Some(1),
            actual: None,
        };
        assert!(conflict.is_user_error());
        assert_eq!(conflict.code(), "conflict");
        assert_eq!(
            conflict.to_string(),
            "conflict on a/b: the import was diffed against version 1, but the preceding version is now none"
        );
        let io = StoreError::io("reading", "/x", std::io::Error::other("boom"));
        assert!(!io.is_user_error());
        assert_eq!(io.to_string(), "reading /x: boom");
    }
}
