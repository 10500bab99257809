//! Error types: [`QueryError`] for a query a person mistyped (a usage error)
//! and [`SearchError`] for everything else that can go wrong with the index.

use chrono::NaiveDate;
use std::path::PathBuf;

use crate::query::FILTER_KEYS;

/// A malformed query. These are the user's to fix; the message says how.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// A `"` was opened and never closed.
    #[error("unclosed quote starting at column {column}: add the closing \"")]
    UnclosedQuote {
        /// 1-based character column of the opening quote.
        column: usize,
    },
    /// `since:`/`until:` with something that is not a date.
    #[error("{key}:{value} is not a date (use YYYY-MM-DD, YYYY-MM or YYYY)")]
    BadDate {
        /// `since` or `until`.
        key: String,
        /// What was written.
        value: String,
    },
    /// `since:` later than `until:`.
    #[error("since:{since} is after until:{until}: no version can match")]
    EmptyDateRange {
        /// The lower bound.
        since: NaiveDate,
        /// The upper bound.
        until: NaiveDate,
    },
    /// `key:value` with a key the language does not know.
    #[error(
        "unknown filter '{key}:' at column {column} (known: {}); quote the text to search for it literally",
        FILTER_KEYS.join(", ")
    )]
    UnknownFilter {
        /// The key as written.
        key: String,
        /// 1-based character column where the filter starts.
        column: usize,
    },
    /// `platform:` with nothing after the colon.
    #[error("filter '{key}:' at column {column} has no value")]
    EmptyFilterValue {
        /// The key (lowercase).
        key: String,
        /// 1-based character column where the filter starts.
        column: usize,
    },
    /// `-since:`/`-until:`.
    #[error("{key}: at column {column} cannot be negated")]
    NegatedDate {
        /// `since` or `until`.
        key: String,
        /// 1-based character column where the filter starts.
        column: usize,
    },
    /// Nothing to search for at all.
    #[error("the query is empty: give words, \"a phrase\" or a filter such as platform:aws")]
    Empty,
    /// Words were given but none contains a letter or digit the index could match.
    #[error("nothing searchable in {0:?}: words need at least one letter or digit")]
    NothingSearchable(String),
}

/// Anything that can fail while opening, writing or searching the index.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SearchError {
    /// The query string is malformed (a usage error: exit code 2).
    #[error("invalid query: {0}")]
    Query(#[from] QueryError),
    /// The folder holds an index written with a different schema (an older clausewatch).
    #[error(
        "the search index in {} was built by another version of clausewatch; rebuild it with `clausewatch reindex`",
        dir.display()
    )]
    SchemaMismatch {
        /// The index folder.
        dir: PathBuf,
    },
    /// [`crate::SearchIndex::recreate`] was pointed at a folder that is neither empty nor an index.
    #[error("{} is not empty and holds no search index; refusing to delete it", dir.display())]
    NotAnIndex {
        /// The folder.
        dir: PathBuf,
    },
    /// Another writer (this process or another) holds the index lock.
    #[error("the search index is being written by another process; try again when it has finished")]
    Locked,
    /// A filesystem operation on the index folder failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A stored row could not be read back (index corruption or a bug).
    #[error("a stored search row is unreadable: {0}")]
    CorruptRow(String),
    /// Tantivy reported an internal error.
    #[error("search index error: {0}")]
    Index(#[from] tantivy::TantivyError),
}

impl SearchError {
    /// Whether the person who typed the query can fix this by changing it
    /// (maps to exit code 2 / HTTP 400); everything else is an internal failure.
    pub fn is_user_error(&self) -> bool {
        matches!(self, SearchError::Query(_))
    }
}

impl From<tantivy::directory::error::OpenDirectoryError> for SearchError {
    fn from(e: tantivy::directory::error::OpenDirectoryError) -> Self {
        SearchError::Index(e.into())
    }
}
