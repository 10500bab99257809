//! The store's side of dataset export and import: every stored row of a
//! document as plain records ([`DocumentDataset`]) without database ids or
//! `created_at`, so the same data reads the same from any home, and the
//! import of such records into an empty home in one transaction, with
//! manifest entries and an optional check against the source's manifest.
//!
//! The file format (JSONL/CSV, the export manifest, the schema document)
//! belongs to cw-report; these types are its rows.

use crate::db::{begin_read, begin_write, dataset, documents, manifest};
use crate::error::StoreError;
use crate::store::Store;
use crate::verify::{ManifestEntry, Problem};
use chrono::NaiveDate;
use cw_model::{ChangeSet, DocumentKey};
use serde::{Deserialize, Serialize};

/// One document's identity and metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentRecord {
    /// `platform/document`.
    pub document: String,
    /// The platform slug.
    pub platform: String,
    /// The document slug.
    pub slug: String,
    /// Declared document type, when known.
    pub doc_type: Option<String>,
    /// Region it applies to, when known.
    pub region: Option<String>,
    /// Where it is published, when known.
    pub source_url: Option<String>,
}

/// One version row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionRecord {
    /// `platform/document`.
    pub document: String,
    /// 1, 2, 3… in order of recording.
    pub number: u32,
    /// When its first snapshot was observed (UTC, `2021-06-18T00:00:00.000000Z`).
    pub observed_at: String,
    /// The extracted title.
    pub title: Option<String>,
    /// The effective date the document states (`YYYY-MM-DD`).
    pub effective_date: Option<String>,
    /// BCP-47 language tag.
    pub language: String,
    /// Format the provisions were extracted from (`html`, `markdown`, `pdf`, `text`).
    pub format: String,
    /// The extractor that produced the provisions.
    pub extractor_version: String,
    /// `cw_store::content_hash` of the extracted document.
    pub content_hash: String,
    /// How many provisions it has.
    pub provision_count: u64,
    /// Extraction warnings.
    pub warnings: Vec<String>,
}

/// One provision of one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisionRecord {
    /// `platform/document`.
    pub document: String,
    /// The version number.
    pub version: u32,
    /// 0-based reading order.
    pub position: u64,
    /// The extractor's id, unique within the version.
    pub provision_id: String,
    /// Enclosing headings, outermost first.
    pub heading_path: Vec<String>,
    /// `heading`, `paragraph`, `list_item` or `table_row`.
    pub kind: String,
    /// The text.
    pub text: String,
    /// Follows the provision across versions.
    pub lineage_key: String,
}

/// The change recorded when a version was imported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeRecord {
    /// `platform/document`.
    pub document: String,
    /// The version diffed against (`None`: against nothing).
    pub old_version: Option<u32>,
    /// The version the change leads to.
    pub new_version: u32,
    /// Provisions added.
    pub added: u64,
    /// Provisions removed.
    pub removed: u64,
    /// Provisions modified.
    pub modified: u64,
    /// Provisions moved.
    pub moved: u64,
    /// Provisions unchanged.
    pub unchanged: u64,
    /// Substantive changes.
    pub substantive: u64,
    /// The full diff (the `diff --format json` contract).
    pub change_set: ChangeSet,
}

/// One distinct byte string of a document (an archive blob).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotRecord {
    /// `platform/document`.
    pub document: String,
    /// sha256 of the raw bytes: the archive blob's name.
    pub sha256: String,
    /// Size of the raw bytes.
    pub size: u64,
    /// Format of the raw bytes as the importer saw it.
    pub format: String,
    /// Where the bytes came from on first sight (file path or URL).
    pub source: String,
    /// First observation (UTC timestamp text).
    pub observed_at: String,
    /// The version the bytes extract to.
    pub version: u32,
}

/// One sighting of a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObservationRecord {
    /// `platform/document`.
    pub document: String,
    /// The snapshot's sha256.
    pub sha256: String,
    /// Where the bytes came from this time.
    pub source: String,
    /// When (UTC timestamp text).
    pub observed_at: String,
}

/// Where one imported observation came from (`import-history`): the
/// provenance row of an archive's item. The link to a technical upgrade
/// record is not carried (upgrades are not part of a dataset); whether the
/// item caused one is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvenanceRecord {
    /// `platform/document`.
    pub document: String,
    /// The archive read (a repository name or a folder path).
    pub archive: String,
    /// The item within the archive (`<commit>:<path>` in git, else the path).
    pub item: String,
    /// The commit that recorded the item, for git histories.
    pub commit: Option<String>,
    /// The file the bytes were read from.
    pub path: String,
    /// When the archive captured the item (UTC timestamp text).
    pub captured_at: String,
    /// `version`, `upgrade` or `refused`.
    pub kind: String,
    /// sha256 of the bytes read.
    pub sha256: String,
    /// The version it landed in (`None` when refused).
    pub version: Option<u32>,
    /// Whether it caused a technical upgrade of that version.
    pub technical_upgrade: bool,
    /// The raw page(s) the item was extracted from, `<commit>:<path>` joined by ` | `.
    pub snapshot_refs: Option<String>,
    /// sha256 of the first raw page, when archived.
    pub raw_sha256: Option<String>,
    /// Why a refused item recorded nothing.
    pub note: Option<String>,
}

/// Everything stored about one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentDataset {
    /// Identity and metadata.
    pub document: DocumentRecord,
    /// Versions by number.
    pub versions: Vec<VersionRecord>,
    /// Provisions by version, then position.
    pub provisions: Vec<ProvisionRecord>,
    /// Changes by new version.
    pub changes: Vec<ChangeRecord>,
    /// Snapshots by observation time, then sha256.
    pub snapshots: Vec<SnapshotRecord>,
    /// Observations by sha256, time, source.
    pub observations: Vec<ObservationRecord>,
    /// Provenance of imported histories, by capture time, then item.
    #[serde(default)]
    pub provenance: Vec<ProvenanceRecord>,
}

/// What [`Store::import_dataset`] recorded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct DatasetImportSummary {
    /// Documents created.
    pub documents: u64,
    /// Versions inserted.
    pub versions: u64,
    /// Provisions inserted.
    pub provisions: u64,
    /// Changes inserted.
    pub changes: u64,
    /// Snapshots inserted.
    pub snapshots: u64,
    /// Observations inserted.
    pub observations: u64,
    /// Provenance rows of imported histories inserted.
    pub provenance: u64,
    /// Manifest entries appended.
    pub manifest_entries: u64,
}

impl Store {
    /// Every stored row of one document; with `since`, only versions
    /// observed on or after that date (with their provisions, changes,
    /// snapshots and those snapshots' observations).
    /// [`StoreError::NotFound`] if the document is not stored.
    pub async fn document_dataset(
        &self,
        key: &DocumentKey,
        since: Option<NaiveDate>,
    ) -> Result<DocumentDataset, StoreError> {
        let mut tx = begin_read(self.pool()).await?;
        let id = documents::require_id(&mut tx, key).await?;
        let data = dataset::read(&mut tx, id, key, since).await?;
        tx.commit().await?;
        Ok(data)
    }

    /// Imports datasets into this home in one transaction, appending
    /// manifest entries for every record. Refuses a home that already holds
    /// documents, and any snapshot whose blob is not in the archive yet
    /// (copy the blobs first: the database only names complete blobs).
    ///
    /// With `expected` (the source home's manifest), every imported record
    /// must hash as the source recorded it, else nothing is committed:
    /// the export was altered or is incomplete.
    pub async fn import_dataset(
        &self,
        datasets: &[DocumentDataset],
        expected: Option<&[ManifestEntry]>,
    ) -> Result<DatasetImportSummary, StoreError> {
        for d in datasets {
            for s in &d.snapshots {
                let blob = s.sha256.parse()?;
                if !self.archive().contains(&blob) {
                    return Err(StoreError::MissingBlob { blob });
                }
            }
        }
        let mut tx = begin_write(self.pool()).await?;
        let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM documents")
            .fetch_one(&mut *tx)
            .await?;
        if existing > 0 {
            return Err(StoreError::InvalidImport {
                reason: format!(
                    "the home already holds {existing} documents; import a dataset into a fresh home"
                ),
            });
        }
        let mut summary = DatasetImportSummary::default();
        for d in datasets {
            dataset::write(&mut tx, d, &mut summary).await?;
        }
        if let Some(expected) = expected {
            let entries: Vec<ManifestEntry> = manifest::entries(&mut tx)
                .await?
                .into_iter()
                .filter_map(Result::ok)
                .collect();
            let problems = crate::verify::compare_entries(expected, &entries);
            if !problems.is_empty() {
                return Err(StoreError::InvalidImport {
                    reason: describe(&problems),
                });
            }
        }
        tx.commit().await?;
        Ok(summary)
    }
}

/// The first few problems as one sentence.
fn describe(problems: &[Problem]) -> String {
    let shown: Vec<&str> = problems.iter().take(3).map(|p| p.detail.as_str()).collect();
    let more = problems.len().saturating_sub(shown.len());
    let mut text = format!(
        "the dataset does not match its source manifest ({} problems): {}",
        problems.len(),
        shown.join("; ")
    );
    if more > 0 {
        text.push_str(&format!("; and {more} more"));
    }
    text
}
