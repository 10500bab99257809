//! Labels, findings and cross-platform peers for the pages and the API,
//! computed with cw-analyze (pure) from stored versions and cached in memory:
//! a stored version never changes, so its analysis is computed once per
//! process. The peer index (for "how other platforms handle this") is
//! rebuilt when the number of stored versions changes.

use cw_analyze::{DocType, Finding, Label, LabelContext, SimilarityIndex, SimilarityRow};
use cw_store::{DocumentRow, StoredVersion};
use std::collections::HashMap;
use std::fmt;

/// The analysis of one stored version.
#[derive(Debug, Clone, Default)]
pub(crate) struct Analysis {
    /// `labels[i]` are the labels of provision `i`.
    pub(crate) labels: Vec<Vec<Label>>,
    /// Regulatory findings of the whole version.
    pub(crate) findings: Vec<Finding>,
}

/// The analysis document type of a stored document: from its declared type,
/// else guessed from its title (the same rule the search index uses).
pub(crate) fn doc_type(doc: &DocumentRow, title: Option<&str>) -> DocType {
    let declared = doc.doc_type.as_deref().unwrap_or("").to_lowercase();
    if declared.contains("privacy") {
        DocType::Privacy
    } else if declared.contains("acceptable")
        || declared.contains("aup")
        || declared.contains("community")
    {
        DocType::Aup
    } else if declared.contains("terms") || declared.contains("tos") {
        DocType::Tos
    } else {
        DocType::guess(title.unwrap_or(""))
    }
}

/// Labels every provision and runs the regulatory checks.
pub(crate) fn analyse(doc: &DocumentRow, v: &StoredVersion) -> Analysis {
    let kind = doc_type(doc, v.document.title.as_deref());
    let labels: Vec<Vec<Label>> = v
        .document
        .provisions
        .iter()
        .map(|p| {
            let ctx = LabelContext {
                doc_type: kind,
                language: Some(v.document.language.clone()),
                heading_path: p.heading_path.clone(),
            };
            cw_analyze::label(&p.text, &ctx)
        })
        .collect();
    let findings = cw_analyze::check_document(&v.document, &labels, kind);
    Analysis { labels, findings }
}

/// One provision in the peer index.
#[derive(Debug, Clone)]
pub(crate) struct PeerRow {
    /// `platform/document`.
    pub(crate) document: String,
    /// Version number (the latest).
    pub(crate) version: u32,
    /// Provision id.
    pub(crate) provision_id: String,
    /// Text.
    pub(crate) text: String,
    /// Label ids.
    pub(crate) labels: Vec<String>,
}

/// The latest provisions of every document, indexed for similarity.
pub(crate) struct Peers {
    /// BM25 over the rows.
    pub(crate) index: SimilarityIndex,
    /// Rows by similarity key.
    pub(crate) rows: HashMap<String, PeerRow>,
}

impl fmt::Debug for Peers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Peers")
            .field("rows", &self.rows.len())
            .finish()
    }
}

impl Peers {
    /// Builds the index from (document, latest version, its analysis) triples.
    pub(crate) fn build(
        items: Vec<(DocumentRow, StoredVersion, std::sync::Arc<Analysis>)>,
    ) -> Peers {
        let mut rows = HashMap::new();
        let mut sim = Vec::new();
        for (doc, v, a) in items {
            for (i, p) in v.document.provisions.iter().enumerate() {
                let labels: Vec<String> = a
                    .labels
                    .get(i)
                    .map(|ls| ls.iter().map(|l| l.id.clone()).collect())
                    .unwrap_or_default();
                let key = format!("{}@{}#{}", doc.key, v.row.number, p.id);
                sim.push(SimilarityRow {
                    key: key.clone(),
                    platform: doc.key.platform.clone(),
                    text: p.text.clone(),
                    labels: labels.clone(),
                });
                rows.insert(
                    key,
                    PeerRow {
                        document: doc.key.to_string(),
                        version: v.row.number,
                        provision_id: p.id.clone(),
                        text: p.text.clone(),
                        labels,
                    },
                );
            }
        }
        Peers {
            index: SimilarityIndex::new(sim),
            rows,
        }
    }
}
