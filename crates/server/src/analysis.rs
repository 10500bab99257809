//! Labels, findings and cross-platform peers for the pages and the API,
//! computed by cw-engine / cw-analyze (pure) from stored versions and cached in memory:
//! a stored version never changes, so its analysis is computed once per
//! process. The peer index (for "how other platforms handle this") is
//! rebuilt when the number of stored versions changes.

use cw_analyze::{SimilarityIndex, SimilarityRow};
use cw_store::{DocumentRow, StoredVersion};
use std::collections::HashMap;
use std::fmt;

/// The analysis of one stored version: the engine's labels and findings
/// (the same computation alerts use).
pub(crate) type Analysis = cw_engine::VersionLabels;

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
