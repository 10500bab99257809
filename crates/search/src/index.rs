//! Opening the index folder and writing to it: [`SearchIndex`] (shared, for
//! reading) and [`IndexBatch`] (one writer holding the folder's lock).
//!
//! How `is_latest` stays true: it is an indexed boolean on every row, used by
//! the default "provisions in force" filter. When a newer version of a
//! document is added, [`IndexBatch::set_latest`] reads that document's
//! committed rows back from the index (each row is stored whole), and every
//! version whose flag is wrong is deleted and re-added with the flag fixed.
//! Only the previous latest version is normally rewritten, so the cost is one
//! version's rows per import.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use tantivy::collector::DocSetCollector;
use tantivy::directory::MmapDirectory;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{
    Index, IndexReader, IndexSettings, IndexWriter, ReloadPolicy, TantivyDocument, TantivyError,
    Term,
};

use crate::error::SearchError;
use crate::query::{FilterKey, normalise_filter_value};
use crate::row::{ProvisionRow, SearchOptions, SearchResults};
use crate::schema::{Fields, TextField, build_schema, primary_subtag, register_analyzers};

/// Default writer memory: 128 MB shared by the indexing threads.
pub const DEFAULT_WRITER_MEMORY: usize = 128 * 1024 * 1024;

/// A full-text index of provisions in a folder (the home's `index/`).
///
/// Cheap to share behind an `Arc`; searches see each commit shortly after it
/// happens (immediately after commits made through this value).
#[derive(Clone)]
pub struct SearchIndex {
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    pub(crate) fields: Fields,
    dir: Option<PathBuf>,
}

impl fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SearchIndex")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> SearchError + '_ {
    move |source| SearchError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn map_lock(e: TantivyError) -> SearchError {
    match e {
        TantivyError::LockFailure(..) => SearchError::Locked,
        other => SearchError::Index(other),
    }
}

impl SearchIndex {
    /// Opens the index in `dir`, creating the folder and an empty index when needed.
    ///
    /// Fails with [`SearchError::SchemaMismatch`] when the folder holds an
    /// index built with another schema (rebuild it with [`SearchIndex::recreate`]).
    pub fn open_or_create(dir: &Path) -> Result<Self, SearchError> {
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
        let (schema, fields) = build_schema();
        let mmap = MmapDirectory::open(dir)?;
        let exists = Index::exists(&mmap).map_err(|e| SearchError::Index(e.into()))?;
        let index = if exists {
            let index = Index::open(mmap)?;
            if index.schema() != schema {
                return Err(SearchError::SchemaMismatch {
                    dir: dir.to_path_buf(),
                });
            }
            index
        } else {
            Index::create(mmap, schema, IndexSettings::default())?
        };
        Self::finish_open(index, fields, Some(dir.to_path_buf()))
    }

    /// Deletes the index in `dir` (if any) and creates an empty one: the first
    /// step of a full reindex. Refuses to delete a non-empty folder that holds
    /// no index.
    pub fn recreate(dir: &Path) -> Result<Self, SearchError> {
        if dir.exists() {
            let has_meta = dir.join("meta.json").exists();
            let empty = std::fs::read_dir(dir)
                .map_err(io_err(dir))?
                .next()
                .is_none();
            if !has_meta && !empty {
                return Err(SearchError::NotAnIndex {
                    dir: dir.to_path_buf(),
                });
            }
            std::fs::remove_dir_all(dir).map_err(io_err(dir))?;
        }
        Self::open_or_create(dir)
    }

    /// An index in memory, for tests and one-off work.
    pub fn create_in_ram() -> Result<Self, SearchError> {
        let (schema, fields) = build_schema();
        Self::finish_open(Index::create_in_ram(schema), fields, None)
    }

    fn finish_open(
        index: Index,
        fields: Fields,
        dir: Option<PathBuf>,
    ) -> Result<Self, SearchError> {
        register_analyzers(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()?;
        Ok(SearchIndex {
            index,
            reader,
            fields,
            dir,
        })
    }

    /// The folder the index lives in (`None` for an in-memory index).
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// Takes the index's write lock and returns a batch of changes, using
    /// [`DEFAULT_WRITER_MEMORY`]. Nothing is visible until [`IndexBatch::commit`];
    /// dropping the batch discards uncommitted changes and releases the lock.
    pub fn writer(&self) -> Result<IndexBatch, SearchError> {
        self.writer_with_memory(DEFAULT_WRITER_MEMORY)
    }

    /// Like [`SearchIndex::writer`] with an explicit memory budget in bytes
    /// (at least 15 MB per indexing thread; one or two threads are used).
    pub fn writer_with_memory(&self, memory_bytes: usize) -> Result<IndexBatch, SearchError> {
        const MIN_PER_THREAD: usize = 15_000_000;
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let threads = cores
            .clamp(1, 2)
            .min((memory_bytes / MIN_PER_THREAD).max(1));
        let memory = memory_bytes.max(threads * MIN_PER_THREAD);
        let writer = self
            .index
            .writer_with_num_threads(threads, memory)
            .map_err(map_lock)?;
        Ok(IndexBatch {
            index: self.clone(),
            writer,
            deleted_versions: HashSet::new(),
            deleted_documents: HashSet::new(),
        })
    }

    /// Runs a query (see [`crate::parse_query`] for the language).
    pub fn search(
        &self,
        query: &str,
        options: &SearchOptions,
    ) -> Result<SearchResults, SearchError> {
        let parsed = crate::query::parse_query(query)?;
        crate::search::run(self, &parsed, options)
    }

    /// Runs an already parsed query.
    pub fn search_parsed(
        &self,
        query: &crate::ParsedQuery,
        options: &SearchOptions,
    ) -> Result<SearchResults, SearchError> {
        crate::search::run(self, query, options)
    }

    /// Number of indexed rows (provisions of all versions) in the last commit.
    pub fn num_rows(&self) -> Result<u64, SearchError> {
        self.reader.reload()?;
        Ok(self.reader.searcher().num_docs())
    }

    /// The stored rows of one document (all versions), ordered by version then position.
    pub fn document_rows(&self, doc_key: &str) -> Result<Vec<ProvisionRow>, SearchError> {
        self.reader.reload()?;
        let searcher = self.reader.searcher();
        let key = normalise_filter_value(FilterKey::Platform, doc_key);
        let query = TermQuery::new(
            Term::from_field_text(self.fields.document, &key),
            IndexRecordOption::Basic,
        );
        let addrs = searcher.search(&query, &DocSetCollector)?;
        let mut rows = Vec::with_capacity(addrs.len());
        for addr in addrs {
            let doc: TantivyDocument = searcher.doc(addr)?;
            rows.push(self.row_of(&doc)?);
        }
        rows.sort_by_key(|r| (r.version_number, r.position));
        Ok(rows)
    }

    /// Every `(document key, version number)` with at least one row in the
    /// last commit (document keys lowercased, as indexed): what the
    /// derived-data checks compare with the store. Reads the fast fields
    /// of live rows only, no stored documents.
    pub fn indexed_versions(&self) -> Result<HashSet<(String, u32)>, SearchError> {
        self.reader.reload()?;
        let searcher = self.reader.searcher();
        let mut out = HashSet::new();
        let mut key = String::new();
        for segment in searcher.segment_readers() {
            let fast = segment.fast_fields();
            let Some(documents) = fast.str("document")? else {
                continue;
            };
            let numbers = fast.u64("version_number")?;
            let mut seen = HashSet::new();
            for doc in segment.doc_ids_alive() {
                let (Some(ord), Some(number)) = (documents.ords().first(doc), numbers.first(doc))
                else {
                    continue;
                };
                if !seen.insert((ord, number)) {
                    continue;
                }
                let Ok(number) = u32::try_from(number) else {
                    continue;
                };
                let found = documents
                    .ord_to_str(ord, &mut key)
                    .map_err(|e| SearchError::CorruptRow(format!("document key: {e}")))?;
                if found {
                    out.insert((key.clone(), number));
                }
            }
        }
        Ok(out)
    }

    pub(crate) fn row_of(&self, doc: &TantivyDocument) -> Result<ProvisionRow, SearchError> {
        let json = doc
            .get_first(self.fields.row)
            .and_then(|v| v.as_str())
            .ok_or_else(|| SearchError::CorruptRow("missing stored row".into()))?;
        serde_json::from_str(json).map_err(|e| SearchError::CorruptRow(e.to_string()))
    }
}

/// Days since 1970-01-01: how version dates are indexed.
pub(crate) fn date_key(d: NaiveDate) -> i64 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    d.signed_duration_since(epoch).num_days()
}

fn version_key(doc_key: &str, version: u32) -> String {
    format!("{}@{version}", doc_key.trim().to_lowercase())
}

/// A batch of changes under the index's write lock. Add, delete, then
/// [`IndexBatch::commit`] (as often as you like) or [`IndexBatch::finish`].
pub struct IndexBatch {
    index: SearchIndex,
    writer: IndexWriter,
    /// Versions (`doc@n`) and documents deleted since the last commit: their
    /// committed rows must not be resurrected by [`IndexBatch::set_latest`].
    deleted_versions: HashSet<String>,
    deleted_documents: HashSet<String>,
}

impl fmt::Debug for IndexBatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IndexBatch")
            .field("dir", &self.index.dir)
            .finish_non_exhaustive()
    }
}

impl IndexBatch {
    /// Queues one provision row for indexing.
    pub fn add(&mut self, row: &ProvisionRow) -> Result<(), SearchError> {
        let doc = self.make_doc(row)?;
        self.writer.add_document(doc)?;
        Ok(())
    }

    fn make_doc(&self, row: &ProvisionRow) -> Result<TantivyDocument, SearchError> {
        let f = &self.index.fields;
        let mut doc = TantivyDocument::new();
        doc.add_text(f.text(TextField::for_row(row)), &row.text);
        let lc = |s: &str| s.trim().to_lowercase();
        doc.add_text(f.platform, lc(&row.platform));
        doc.add_text(f.document, lc(&row.document));
        doc.add_text(f.doc_slug, lc(row.document_slug()));
        if let Some(t) = &row.doc_type {
            doc.add_text(f.doc_type, normalise_filter_value(FilterKey::DocType, t));
        }
        if let Some(r) = &row.region {
            doc.add_text(f.region, normalise_filter_value(FilterKey::Region, r));
        }
        let tag = lc(&row.language).replace('_', "-");
        let primary = primary_subtag(&tag);
        doc.add_text(f.lang, &tag);
        if primary != tag {
            doc.add_text(f.lang, &primary);
        }
        doc.add_text(f.kind, row.kind.as_str());
        for label in &row.labels {
            doc.add_text(f.label, normalise_filter_value(FilterKey::Label, label));
        }
        doc.add_text(
            f.lineage,
            normalise_filter_value(FilterKey::Lineage, &row.lineage_key),
        );
        doc.add_text(
            f.version_key,
            version_key(&row.document, row.version_number),
        );
        doc.add_u64(f.version_number, u64::from(row.version_number));
        doc.add_i64(f.version_date, date_key(row.version_date));
        doc.add_bool(f.is_latest, row.is_latest);
        doc.add_u64(f.position, u64::from(row.position));
        let json =
            serde_json::to_string(row).map_err(|e| SearchError::CorruptRow(e.to_string()))?;
        doc.add_text(f.row, json);
        Ok(doc)
    }

    /// Deletes every row of one version of a document.
    pub fn delete_version(&mut self, doc_key: &str, version_number: u32) {
        let key = version_key(doc_key, version_number);
        self.writer
            .delete_term(Term::from_field_text(self.index.fields.version_key, &key));
        self.deleted_versions.insert(key);
    }

    /// Deletes every row of every version of a document.
    pub fn delete_document(&mut self, doc_key: &str) {
        let key = doc_key.trim().to_lowercase();
        self.writer
            .delete_term(Term::from_field_text(self.index.fields.document, &key));
        self.deleted_documents.insert(key);
    }

    /// Deletes every row.
    pub fn delete_all(&mut self) -> Result<(), SearchError> {
        self.writer.delete_all_documents()?;
        Ok(())
    }

    /// Makes `version_number` the document's version in force: committed rows
    /// of that version get `is_latest = true`, those of every other version
    /// `false`, by deleting and re-adding the versions whose flag is wrong.
    /// Returns how many rows were rewritten.
    ///
    /// It acts on rows committed before this batch (minus versions deleted in
    /// it); rows added in this batch keep the flag they were given, so add a
    /// new latest version with `is_latest: true` and then call this.
    pub fn set_latest(&mut self, doc_key: &str, version_number: u32) -> Result<usize, SearchError> {
        let doc_key_lc = doc_key.trim().to_lowercase();
        if self.deleted_documents.contains(&doc_key_lc) {
            return Ok(0);
        }
        let mut by_version: BTreeMap<u32, Vec<ProvisionRow>> = BTreeMap::new();
        for row in self.index.document_rows(&doc_key_lc)? {
            by_version.entry(row.version_number).or_default().push(row);
        }
        let mut rewritten = 0;
        for (version, mut rows) in by_version {
            let key = version_key(&doc_key_lc, version);
            if self.deleted_versions.contains(&key) {
                continue;
            }
            let want = version == version_number;
            if rows.iter().all(|r| r.is_latest == want) {
                continue;
            }
            self.writer
                .delete_term(Term::from_field_text(self.index.fields.version_key, &key));
            for row in &mut rows {
                row.is_latest = want;
                let doc = self.make_doc(row)?;
                self.writer.add_document(doc)?;
            }
            rewritten += rows.len();
        }
        Ok(rewritten)
    }

    /// Makes everything queued so far durable and visible to searches.
    pub fn commit(&mut self) -> Result<(), SearchError> {
        self.writer.commit()?;
        self.index.reader.reload()?;
        self.deleted_versions.clear();
        self.deleted_documents.clear();
        Ok(())
    }

    /// Commits, waits for background segment merges to end and releases the lock.
    pub fn finish(mut self) -> Result<(), SearchError> {
        self.commit()?;
        self.writer.wait_merging_threads()?;
        self.index.reader.reload()?;
        Ok(())
    }
}
