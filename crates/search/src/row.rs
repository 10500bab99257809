//! The data that crosses the crate boundary: [`ProvisionRow`] in (one
//! provision of one version), [`SearchOptions`] alongside a query, and
//! [`SearchResults`] / [`SearchHit`] out.

use chrono::NaiveDate;
use cw_model::ProvisionKind;
use serde::{Deserialize, Serialize};

/// One provision of one version, as indexed. The whole row is stored in the
/// index, so a hit can be shown without a database lookup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisionRow {
    /// Platform slug, e.g. `aws`.
    pub platform: String,
    /// Document key `platform/document`, e.g. `aws/aup-ningxia`.
    pub document: String,
    /// Document type, e.g. `Acceptable Use Policy` (matched by `type:` as a slug).
    pub doc_type: Option<String>,
    /// Region or jurisdiction the document applies to, e.g. `Ningxia`.
    pub region: Option<String>,
    /// BCP-47 language tag of the version (`en`, `zh-CN`, `fr`, `und`); picks the analyzer.
    pub language: String,
    /// The version's number, counting from 1.
    pub version_number: u32,
    /// The version's date (effective date, or the date it was first seen).
    pub version_date: NaiveDate,
    /// Whether this is the document's newest version (the one in force). See
    /// [`crate::IndexBatch::set_latest`] for how it is kept true.
    pub is_latest: bool,
    /// Position of the provision in the version's reading order, from 0; breaks score ties.
    pub position: u32,
    /// Enclosing headings, outermost first.
    pub heading_path: Vec<String>,
    /// The provision's id within the version, e.g. `no-network-abuse/3`.
    pub provision_id: String,
    /// Heading, paragraph, list item or table row.
    pub kind: ProvisionKind,
    /// The provision's plain text.
    pub text: String,
    /// Analysis labels, e.g. `tos_unilateral_change`.
    pub labels: Vec<String>,
    /// Identifies the same provision across versions (its lineage).
    pub lineage_key: String,
}

impl ProvisionRow {
    /// The document slug: the part of [`ProvisionRow::document`] after the `/`.
    pub fn document_slug(&self) -> &str {
        self.document
            .split_once('/')
            .map_or(self.document.as_str(), |(_, d)| d)
    }

    #[cfg(test)]
    pub(crate) fn example() -> ProvisionRow {
        ProvisionRow {
            platform: "aws".into(),
            document: "aws/aup".into(),
            doc_type: Some("Acceptable Use Policy".into()),
            region: None,
            language: "en".into(),
            version_number: 1,
            version_date: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default(),
            is_latest: true,
            position: 0,
            heading_path: vec![],
            provision_id: "p/1".into(),
            kind: ProvisionKind::Paragraph,
            text: "We may suspend your account without notice.".into(),
            labels: vec![],
            lineage_key: "aws/aup#p/1".into(),
        }
    }
}

/// How to run a search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchOptions {
    /// Search every version, not only the provisions in force (each document's latest version).
    pub all_versions: bool,
    /// At most this many hits (0 returns only the total).
    pub limit: usize,
    /// Skip this many hits first (paging).
    pub offset: usize,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            all_versions: false,
            limit: default_limit(),
            offset: 0,
        }
    }
}

/// The default page size: 20 hits.
pub fn default_limit() -> usize {
    20
}

/// The largest page [`crate::SearchIndex::search`] returns; larger limits are clamped.
pub const MAX_LIMIT: usize = 10_000;

/// The largest offset [`crate::SearchIndex::search`] pages to; past it only the total is returned.
pub const MAX_OFFSET: usize = 100_000;

/// One matching provision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    /// Document key `platform/document`.
    pub document: String,
    /// Platform slug.
    pub platform: String,
    /// Document type, when known.
    pub doc_type: Option<String>,
    /// Language tag of the version.
    pub language: String,
    /// The version's number.
    pub version_number: u32,
    /// The version's date.
    pub version_date: NaiveDate,
    /// Whether the version is the one in force.
    pub is_latest: bool,
    /// The provision's id within the version.
    pub provision_id: String,
    /// The provision's lineage key.
    pub lineage_key: String,
    /// Enclosing headings.
    pub heading_path: Vec<String>,
    /// Provision kind.
    pub kind: ProvisionKind,
    /// Analysis labels.
    pub labels: Vec<String>,
    /// The full provision text.
    pub text: String,
    /// A fragment of the text, HTML-escaped, matches wrapped in `<mark>…</mark>`;
    /// `…` marks where the fragment cuts the text.
    pub snippet_html: String,
    /// The same fragment as plain text, matches wrapped in `[[…]]`.
    pub snippet_text: String,
    /// BM25 relevance (0 for filter-only queries).
    pub score: f32,
}

/// A page of hits and the number of all matches.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResults {
    /// How many provisions match in total (ignoring limit and offset).
    pub total: usize,
    /// The requested page: best first; equal scores ordered by document key,
    /// then newest version first, then reading order.
    pub hits: Vec<SearchHit>,
    /// The query in canonical form, as understood.
    pub query: String,
}
