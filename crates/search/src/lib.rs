//! Full-text search over every provision of every version: a tantivy index in
//! a folder (the home's `index/`) with English stemming, accent folding for
//! other Latin-script languages and jieba segmentation for Chinese, queried
//! in a small language of words, phrases and filters.
//!
//! # Brief overview
//!
//! * [`SearchIndex`] opens or creates the index folder and runs searches;
//!   [`SearchIndex::writer`] returns an [`IndexBatch`] (the single writer) to
//!   add [`ProvisionRow`]s, delete versions or documents, keep `is_latest`
//!   right with [`IndexBatch::set_latest`] and commit.
//! * [`parse_query`] turns `"without notice" platform:aws since:2024` into a
//!   [`ParsedQuery`] or a [`QueryError`] that says what to fix. By default only
//!   provisions in force (each document's latest version) are searched;
//!   [`SearchOptions::all_versions`] searches history too.
//! * [`SearchResults`] holds the total and a page of [`SearchHit`]s, each with
//!   an HTML-escaped snippet (`<mark>`) and a plain one (`[[…]]`).
//!
//! # Schema
//!
//! One tantivy document per provision per version. Full text goes into one
//! of `text_en` (English: lowercase, ASCII folding, English stemming),
//! `text_folded` (other Latin-script languages: lowercase, ASCII folding) or
//! `text_zh` (Chinese: jieba search-mode words, lowercase), picked from
//! [`ProvisionRow::language`]. Filters use untokenised fields (`platform`,
//! `document`, `doc_slug`, `doc_type`, `region`, `lang`, `kind`, `label`,
//! `lineage`, `version_key`), numbers `version_number`, `version_date` (days
//! since 1970), `position` and the boolean `is_latest`; the whole row is
//! stored as JSON in `row`. An index built with another [`SCHEMA_VERSION`]
//! is refused; rebuild it with [`SearchIndex::recreate`].
//!
//! Results are ordered by BM25 score, then document key, newest version
//! first, then reading order, whatever the index's segment layout.
//!
//! ```
//! use cw_search::{ProvisionRow, SearchIndex, SearchOptions};
//! use cw_model::ProvisionKind;
//! use chrono::NaiveDate;
//!
//! let index = SearchIndex::create_in_ram()?;
//! let mut batch = index.writer()?;
//! batch.add(&ProvisionRow {
//!     platform: "aws".into(),
//!     document: "aws/aup".into(),
//!     doc_type: Some("Acceptable Use Policy".into()),
//!     region: None,
//!     language: "en".into(),
//!     version_number: 1,
//!     version_date: NaiveDate::from_ymd_opt(2024, 5, 1).unwrap_or_default(),
//!     is_latest: true,
//!     position: 0,
//!     heading_path: vec!["Termination".into()],
//!     provision_id: "termination/1".into(),
//!     kind: ProvisionKind::Paragraph,
//!     text: "We may suspend your account without notice.".into(),
//!     labels: vec!["tos_unilateral_termination".into()],
//!     lineage_key: "aws/aup#termination/1".into(),
//! })?;
//! batch.commit()?;
//!
//! let results = index.search(r#""without notice" platform:aws"#, &SearchOptions::default())?;
//! assert_eq!(results.total, 1);
//! assert_eq!(results.hits[0].snippet_text, "We may suspend your account [[without notice]].");
//! assert!(index.search("since:2024-02-30", &SearchOptions::default()).is_err());
//! # Ok::<(), cw_search::SearchError>(())
//! ```
#![deny(missing_docs)]

mod error;
mod index;
mod query;
mod row;
mod schema;
mod search;

pub use error::{QueryError, SearchError};
pub use index::{DEFAULT_WRITER_MEMORY, IndexBatch, SearchIndex};
pub use query::{FILTER_KEYS, Filter, FilterKey, ParsedQuery, QueryTerm, parse_query};
pub use row::{
    MAX_LIMIT, MAX_OFFSET, ProvisionRow, SearchHit, SearchOptions, SearchResults, default_limit,
};
pub use schema::{EN_ANALYZER, FOLDED_ANALYZER, SCHEMA_VERSION, ZH_ANALYZER};
