//! Keeping the search index in step with the store: incremental updates at
//! import, a full rebuild (`reindex`), and queries.

use crate::{Engine, EngineError};
use cw_analyze::{DocType, LabelContext};
use cw_model::{DocumentKey, VersionRef, VersionSelector};
use cw_search::{ProvisionRow, SearchIndex, SearchOptions, SearchResults};
use cw_store::{DocumentRow, StoredVersion};

/// The index folder inside a home.
pub(crate) const INDEX_DIR: &str = "index";

/// The analysis document type of a stored document: from its declared type, else its title.
pub(crate) fn doc_type(doc: &DocumentRow, title: Option<&str>) -> DocType {
    DocType::of_declared(doc.doc_type.as_deref(), title)
}

fn rows(doc: &DocumentRow, version: &StoredVersion, is_latest: bool) -> Vec<ProvisionRow> {
    rows_labelled(doc, version, is_latest, None)
}

/// [`rows`] with the label ids of each provision (index = position) when
/// they are already known (computed for the version's analysis); the
/// provisions are labelled here otherwise.
pub(crate) fn rows_labelled(
    doc: &DocumentRow,
    version: &StoredVersion,
    is_latest: bool,
    known: Option<&[Vec<String>]>,
) -> Vec<ProvisionRow> {
    let row = &version.row;
    let kind = doc_type(doc, version.document.title.as_deref());
    let version_date = row
        .effective_date
        .unwrap_or_else(|| row.observed_at.date_naive());
    version
        .document
        .provisions
        .iter()
        .zip(version.lineage_keys.iter())
        .enumerate()
        .map(|(position, (p, lineage))| ProvisionRow {
            platform: doc.key.platform.clone(),
            document: doc.key.to_string(),
            doc_type: doc.doc_type.clone(),
            region: doc.region.clone(),
            language: version.document.language.clone(),
            version_number: row.number,
            version_date,
            is_latest,
            position: u32::try_from(position).unwrap_or(u32::MAX),
            heading_path: p.heading_path.clone(),
            provision_id: p.id.clone(),
            kind: p.kind,
            text: p.text.clone(),
            labels: match known.and_then(|k| k.get(position)) {
                Some(ids) => ids.clone(),
                None => {
                    let ctx = LabelContext {
                        doc_type: kind,
                        language: Some(version.document.language.clone()),
                        heading_path: p.heading_path.clone(),
                    };
                    cw_analyze::label(&p.text, &ctx)
                        .into_iter()
                        .map(|l| l.id)
                        .collect()
                }
            },
            lineage_key: lineage.clone(),
        })
        .collect()
}

impl Engine {
    pub(crate) fn open_index(&self) -> Result<SearchIndex, EngineError> {
        Ok(SearchIndex::open_or_create(
            &self.store().home().join(INDEX_DIR),
        )?)
    }

    /// A writer on the index with a memory budget of `memory` bytes,
    /// waiting up to `lock_wait` while another process holds the index's
    /// writer lock (then the lock error).
    pub(crate) async fn index_writer_waiting(
        &self,
        lock_wait: std::time::Duration,
        memory: usize,
    ) -> Result<cw_search::IndexBatch, EngineError> {
        let index = self.open_index()?;
        let deadline = std::time::Instant::now() + lock_wait;
        loop {
            match index.writer_with_memory(memory) {
                Err(cw_search::SearchError::Locked) if std::time::Instant::now() < deadline => {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
                other => return Ok(other?),
            }
        }
    }

    /// Adds one stored version to the index and marks the document's latest version.
    pub async fn index_version(&self, key: &DocumentKey, number: u32) -> Result<(), EngineError> {
        let store = self.store();
        let doc = store.document(key).await?.ok_or_else(|| {
            EngineError::Inconsistent(format!("document {key} vanished while indexing"))
        })?;
        let version = store
            .version(&VersionRef {
                document: key.clone(),
                selector: VersionSelector::Number(number),
            })
            .await?;
        let latest = store
            .version(&VersionRef {
                document: key.clone(),
                selector: VersionSelector::Latest,
            })
            .await?
            .row
            .number;
        // Another process's writer (a concurrent import) is waited for:
        // the update is queued behind it, not dropped.
        let mut batch = self
            .index_writer_waiting(
                crate::import::IMPORT_LOCK_WAIT,
                cw_search::DEFAULT_WRITER_MEMORY,
            )
            .await?;
        batch.delete_version(&key.to_string(), number);
        for row in rows(&doc, &version, number == latest) {
            batch.add(&row)?;
        }
        batch.commit()?;
        batch.set_latest(&key.to_string(), latest)?;
        batch.finish()?;
        Ok(())
    }

    /// Rebuilds the whole index from the store; returns the number of
    /// provisions indexed. A version's labels come from its stored analysis
    /// when that is fresh (rebuilding an index does not label a home's
    /// every provision again), else as `analyze` labels them.
    pub async fn reindex(&self) -> Result<usize, EngineError> {
        let store = self.store();
        let index = SearchIndex::recreate(&store.home().join(INDEX_DIR))?;
        let mut batch = index.writer()?;
        let mut count = 0;
        for doc in store.documents().await? {
            let versions = store.versions(&doc.key).await?;
            let latest = versions.last().map(|v| v.number);
            for v in &versions {
                let stored = store
                    .version(&VersionRef {
                        document: doc.key.clone(),
                        selector: VersionSelector::Number(v.number),
                    })
                    .await?;
                // Not through the engine's label cache: a whole home would
                // only churn it.
                let labels = crate::VersionLabels::load(store, &doc, &stored)
                    .await?
                    .label_ids();
                for row in rows_labelled(&doc, &stored, Some(v.number) == latest, Some(&labels)) {
                    batch.add(&row)?;
                    count += 1;
                }
            }
        }
        batch.finish()?;
        Ok(count)
    }

    /// Searches the index (see `cw_search` for the query language).
    pub fn search(
        &self,
        query: &str,
        options: &SearchOptions,
    ) -> Result<SearchResults, EngineError> {
        Ok(self.open_index()?.search(query, options)?)
    }
}
