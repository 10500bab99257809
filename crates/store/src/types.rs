//! The values that cross the store's API: what callers hand in
//! ([`DocumentMeta`], [`NewImport`]) and the rows they get back
//! ([`DocumentRow`], [`VersionRow`], [`StoredVersion`], [`StoredChange`],
//! [`SnapshotRow`], [`ImportOutcome`], [`StoreCounts`]).

use crate::archive::BlobId;
use chrono::{DateTime, NaiveDate, Utc};
use cw_model::{
    ChangeKind, ChangeSet, DocumentKey, ExtractedDocument, Provision, ProvisionChange, SourceFormat,
};
use serde::{Serialize, Serializer};

/// Serialises a [`DocumentKey`] as `platform/document`.
fn key_as_string<S: Serializer>(key: &DocumentKey, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(key)
}

/// Descriptive metadata of a document. Empty fields of a stored document are
/// filled in by [`Store::ensure_document`](crate::Store::ensure_document);
/// fields already set are kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentMeta {
    /// What kind of document: `terms`, `aup`, `privacy`, ….
    pub doc_type: Option<String>,
    /// Where it applies: `cn-ningxia`, `eu`, ….
    pub region: Option<String>,
    /// Where it is published.
    pub source_url: Option<String>,
}

/// A stored document with a summary of its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct DocumentRow {
    /// `platform/document`.
    #[serde(serialize_with = "key_as_string")]
    pub key: DocumentKey,
    /// What kind of document, when known.
    pub doc_type: Option<String>,
    /// Where it applies, when known.
    pub region: Option<String>,
    /// Where it is published, when known.
    pub source_url: Option<String>,
    /// How many versions are stored.
    pub version_count: u32,
    /// How many distinct snapshots (byte strings) are stored.
    pub snapshot_count: u32,
    /// The number of the newest version (by observation), if any.
    pub latest_version: Option<u32>,
    /// When the newest version was observed, if any.
    pub latest_observed_at: Option<DateTime<Utc>>,
    /// The effective date the newest version states, if any.
    pub latest_effective_date: Option<NaiveDate>,
}

/// One version of a document, without its provisions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct VersionRow {
    /// `platform/document`.
    #[serde(serialize_with = "key_as_string")]
    pub document: DocumentKey,
    /// 1, 2, 3… in order of recording.
    pub number: u32,
    /// When its first snapshot was observed.
    pub observed_at: DateTime<Utc>,
    /// The date the document states it took effect, if any.
    pub effective_date: Option<NaiveDate>,
    /// The document's title, if any.
    pub title: Option<String>,
    /// BCP-47 language tag.
    pub language: String,
    /// The format the provisions were extracted from.
    pub format: SourceFormat,
    /// The extractor that produced the provisions.
    pub extractor_version: String,
    /// How many provisions it has.
    pub provision_count: usize,
    /// The snapshots (archive blobs) that extract to this version, oldest first.
    pub snapshots: Vec<BlobId>,
    /// [`content_hash`](crate::content_hash) of the extracted document.
    pub content_hash: String,
    /// The version the recorded change was computed against, if a change was recorded.
    pub compared_with: Option<u32>,
    /// Substantive changes against that version; `None` when no change was recorded.
    pub substantive_changes: Option<usize>,
    /// The earlier version whose text this one brings back (the document
    /// reverted to it), or `None` for a new text. Always the first version
    /// that had the text, so "restores @N" names where it was first seen.
    pub restores: Option<u32>,
}

/// A version with its full extracted content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct StoredVersion {
    /// The version's summary row.
    pub row: VersionRow,
    /// The extracted document, provisions in reading order.
    pub document: ExtractedDocument,
    /// One lineage key per provision, in the same order.
    pub lineage_keys: Vec<String>,
}

/// The change recorded between a version and the one it was compared with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct StoredChange {
    /// `platform/document`.
    #[serde(serialize_with = "key_as_string")]
    pub document: DocumentKey,
    /// The version diffed against (`None`: against nothing).
    pub old_version: Option<u32>,
    /// The version the change leads to.
    pub new_version: u32,
    /// The diff as the diff stage produced it.
    pub change_set: ChangeSet,
}

/// One text a provision lineage had, with what the version's stored change
/// record says about it: the single source of "did this provision change,
/// and does it matter" that `history`, `diff`, `timeline`, the web UI and
/// alerts all read (issue #20: a straight → curly quote edit must not be
/// "changed" in one view and unchanged in another).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ProvisionHistoryEntry {
    /// The version holding this text.
    pub version: VersionRow,
    /// The provision in that version.
    pub provision: Provision,
    /// The entry of the version's stored change record for this provision
    /// (matched by its id on the new side): kind, significance, reasons and
    /// word diff. `None` when the version has no change record (a first
    /// version, or one imported without a diff).
    pub change: Option<ProvisionChange>,
}

impl ProvisionHistoryEntry {
    /// Whether this text is a change from the previous entry of the same
    /// lineage (`previous`; `None` for the first entry, which is never a
    /// change). The stored change record decides: anything but `unchanged`
    /// is a change. Only a version without a record falls back to
    /// comparing the texts character for character.
    pub fn changed(&self, previous: Option<&ProvisionHistoryEntry>) -> bool {
        let Some(previous) = previous else {
            return false;
        };
        match &self.change {
            Some(c) => c.kind != ChangeKind::Unchanged,
            None => previous.provision.text != self.provision.text,
        }
    }
}

/// One distinct byte string of a document, as archived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SnapshotRow {
    /// `platform/document`.
    #[serde(serialize_with = "key_as_string")]
    pub document: DocumentKey,
    /// The archive blob holding the bytes.
    pub blob: BlobId,
    /// Size of the raw bytes.
    pub size: u64,
    /// Format of the raw bytes as the importer saw it.
    pub format: String,
    /// Where the bytes came from on first sight (file path or URL).
    pub source: String,
    /// When the bytes were first observed.
    pub observed_at: DateTime<Utc>,
    /// The version the bytes extract to.
    pub version_number: u32,
    /// How many times the bytes were observed (at least 1).
    pub observation_count: u32,
    /// When they were last observed.
    pub last_observed_at: DateTime<Utc>,
}

/// Everything needed to record one observation of a document's bytes.
///
/// The caller archives the bytes ([`Archive::put`](crate::Archive::put)),
/// extracts them, reads the preceding version
/// ([`Store::previous_version`](crate::Store::previous_version)), diffs
/// against it and assigns lineage keys, then hands all of it to
/// [`Store::record_import`](crate::Store::record_import).
#[derive(Debug, Clone, PartialEq)]
pub struct NewImport {
    /// The document observed. Created (without metadata) if it does not exist.
    pub document: DocumentKey,
    /// The archived raw bytes.
    pub blob: BlobId,
    /// Size of the raw bytes.
    pub size: u64,
    /// Format of the raw bytes as detected (`html`, `pdf`, …).
    pub format: String,
    /// Where the bytes came from: a file path or a URL.
    pub source: String,
    /// When the bytes were observed. For a file with only a date, use
    /// midnight UTC: `date.and_time(chrono::NaiveTime::MIN).and_utc()`.
    pub observed_at: DateTime<Utc>,
    /// What the bytes extract to.
    pub extracted: ExtractedDocument,
    /// The extractor that produced `extracted` (normally `cw_model::EXTRACTOR_VERSION`).
    pub extractor_version: String,
    /// The version the caller diffed against: the one
    /// [`Store::previous_version`](crate::Store::previous_version) returned
    /// for `observed_at`, or `None` if there was none.
    pub previous_version_number: Option<u32>,
    /// The diff of `extracted` against that version, if one was computed.
    pub change: Option<ChangeSet>,
    /// One lineage key per provision of `extracted`, in the same order.
    pub lineage_keys: Vec<String>,
}

/// What [`Store::record_import`](crate::Store::record_import) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ImportOutcome {
    /// The content differs from the version in force at the observation: a
    /// new version was recorded (also when the bytes or the content equal an
    /// older version's: a revert, see `restores`).
    NewVersion {
        /// The new version's number.
        version_number: u32,
        /// Substantive changes against the previous version (0 without a change record).
        substantive: usize,
        /// The earlier version whose text it brings back, if it is a revert.
        #[serde(skip_serializing_if = "Option::is_none")]
        restores: Option<u32>,
    },
    /// The bytes were new but extract to the same content as the preceding
    /// version: a snapshot was added to that version.
    SameContent {
        /// The existing version.
        version_number: u32,
    },
    /// These exact bytes were already recorded for the document: only the
    /// observation was logged.
    SameSnapshot {
        /// The version they belong to.
        version_number: u32,
    },
}

impl ImportOutcome {
    /// The version the import ended up in.
    pub fn version_number(&self) -> u32 {
        match *self {
            ImportOutcome::NewVersion { version_number, .. }
            | ImportOutcome::SameContent { version_number }
            | ImportOutcome::SameSnapshot { version_number } => version_number,
        }
    }

    /// True if a new version was recorded.
    pub fn is_new_version(&self) -> bool {
        matches!(self, ImportOutcome::NewVersion { .. })
    }
}

/// How many rows each table holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct StoreCounts {
    /// Platforms.
    pub platforms: u64,
    /// Documents.
    pub documents: u64,
    /// Versions.
    pub versions: u64,
    /// Provisions, over all versions.
    pub provisions: u64,
    /// Recorded changes.
    pub changes: u64,
    /// Snapshots (distinct byte strings per document).
    pub snapshots: u64,
    /// Observations (every import, repeats included).
    pub observations: u64,
}
