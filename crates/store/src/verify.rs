//! Verifying a home: the hash-chained manifest (migration 0005) and the
//! archive blobs. [`Store::verify_archive`] re-hashes every blob a snapshot
//! names, walks the manifest chain, recomputes the record hash of every
//! version, snapshot and observation as stored now and compares it with the
//! manifest, so a rewritten, deleted or smuggled-in record is reported as a
//! [`Problem`]. Rebuilding versions from their snapshots needs the
//! extractor and is done by the caller (cw-report), not here.
//!
//! Trust caveat: the manifest proves that records were not changed *since
//! they were entered*. Whoever can rewrite the whole database can also
//! rebuild a consistent chain, so the chain head ([`ManifestHead`]) should be
//! kept elsewhere (a report, a ticket) and compared with `expect_head`.
//! Homes created before the manifest are backfilled once; for those records
//! the manifest vouches for the state at backfill time only.

use crate::archive::BlobId;
use crate::db::manifest::{self, GENESIS, Record};
use crate::db::{begin_read, begin_write};
use crate::error::StoreError;
use crate::store::Store;
use crate::time::ts_to_text;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What a manifest entry vouches for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// A version row with its provisions (`platform/document@N`).
    Version,
    /// A snapshot row: which blob, from where, when, for which version (`platform/document#sha256`).
    Snapshot,
    /// One sighting of a snapshot (`platform/document#sha256@time`).
    Observation,
}

impl RecordKind {
    /// The stored name: `version`, `snapshot` or `observation`.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Version => "version",
            RecordKind::Snapshot => "snapshot",
            RecordKind::Observation => "observation",
        }
    }

    /// Reads a stored name.
    pub fn parse(s: &str) -> Option<RecordKind> {
        [
            RecordKind::Version,
            RecordKind::Snapshot,
            RecordKind::Observation,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// One entry of the manifest chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// 1, 2, 3… in order of appending.
    pub seq: u64,
    /// What kind of record it vouches for.
    pub kind: RecordKind,
    /// Which record (`aws/aup@2`, `aws/aup#<sha256>`, …).
    pub record_key: String,
    /// sha256 of the record's canonical JSON when it was entered.
    pub record_hash: String,
    /// The previous entry's chain hash (64 zeros for the first).
    pub prev_hash: String,
    /// sha256 over prev_hash, seq, kind, record_key and record_hash.
    pub chain_hash: String,
}

/// The end of the chain: publish it to make later rewrites detectable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestHead {
    /// How many entries the chain has.
    pub seq: u64,
    /// The last entry's chain hash.
    pub chain_hash: String,
}

/// One thing verification found wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Stable snake_case code: `blob_missing`, `blob_corrupt`,
    /// `record_rewritten`, `record_deleted`, `record_unrecorded`,
    /// `chain_broken`, `manifest_entry_edited`, `manifest_gap`,
    /// `manifest_entry_unreadable`, `head_mismatch` (and, from the rebuild
    /// check of the caller, `rebuild_mismatch`, `rebuild_failed`; from the
    /// derived-data check, `analysis_missing`, `index_missing`).
    pub code: String,
    /// What it concerns: a record key, a blob id, a manifest seq.
    pub subject: String,
    /// A sentence a person can act on.
    pub detail: String,
}

impl Problem {
    /// A problem with the given code, subject and detail.
    pub fn new(code: &str, subject: impl Into<String>, detail: impl Into<String>) -> Problem {
        Problem {
            code: code.to_string(),
            subject: subject.into(),
            detail: detail.into(),
        }
    }
}

/// What [`Store::verify_archive`] checked and found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ArchiveVerification {
    /// Entries in the manifest (after any backfill).
    pub manifest_entries: u64,
    /// The chain head, if the manifest has entries.
    pub chain_head: Option<ManifestHead>,
    /// Version records compared with the manifest.
    pub versions: u64,
    /// Snapshot records compared with the manifest.
    pub snapshots: u64,
    /// Observation records compared with the manifest.
    pub observations: u64,
    /// Distinct blobs re-read and re-hashed.
    pub blobs_checked: u64,
    /// Blobs in the archive that no snapshot names (harmless: an import that
    /// failed after archiving, or an export copied in without its rows).
    pub unreferenced_blobs: u64,
    /// Entries added by a one-time backfill during this run, if one ran.
    pub backfilled: Option<u64>,
    /// Everything found wrong, in the order found.
    pub problems: Vec<Problem>,
}

impl Store {
    /// The end of the manifest chain, or `None` while it is empty.
    pub async fn manifest_head(&self) -> Result<Option<ManifestHead>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        Ok(manifest::head(&mut conn)
            .await?
            .map(|(seq, chain_hash)| ManifestHead { seq, chain_hash }))
    }

    /// Every readable manifest entry, in order (unreadable ones are skipped
    /// here; [`verify_archive`](Self::verify_archive) reports them).
    pub async fn manifest_entries(&self) -> Result<Vec<ManifestEntry>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        Ok(manifest::entries(&mut conn)
            .await?
            .into_iter()
            .filter_map(Result::ok)
            .collect())
    }

    /// Verifies the home: re-hashes every blob a snapshot names, checks the
    /// manifest chain, and compares every record as stored now with the
    /// manifest. With `expect_head`, the chain head must equal it.
    ///
    /// If the home predates the manifest (migration 0005 left a marker),
    /// the current records are entered first, once, in one transaction
    /// (`backfilled` says how many); see the module's trust caveat.
    pub async fn verify_archive(
        &self,
        expect_head: Option<&str>,
    ) -> Result<ArchiveVerification, StoreError> {
        let backfilled = self.backfill_if_pending().await?;

        let mut tx = begin_read(self.pool()).await?;
        let entries = manifest::entries(&mut tx).await?;
        let records = manifest::current_records(&mut tx).await?;
        let blobs: Vec<String> =
            sqlx::query_scalar("SELECT DISTINCT sha256 FROM snapshots ORDER BY sha256")
                .fetch_all(&mut *tx)
                .await?;
        tx.commit().await?;

        let mut problems = Vec::new();
        let readable = check_chain(&entries, &mut problems);
        compare_records(&readable, &records, &mut problems);

        let head = readable.last().map(|e| ManifestHead {
            seq: e.seq,
            chain_hash: e.chain_hash.clone(),
        });
        if let Some(expected) = expect_head {
            let actual = head.as_ref().map(|h| h.chain_hash.as_str()).unwrap_or("");
            if actual != expected.trim() {
                problems.push(Problem::new(
                    "head_mismatch",
                    "manifest head",
                    format!("the chain head is {actual:?}, expected {expected:?}: the manifest was rewritten or entries were removed from its end"),
                ));
            }
        }

        let (blobs_checked, unreferenced, blob_problems) = self.check_blobs(blobs).await?;
        problems.extend(blob_problems);

        let count = |k: RecordKind| records.iter().filter(|r| r.kind == k).count() as u64;
        Ok(ArchiveVerification {
            manifest_entries: entries.len() as u64,
            chain_head: head,
            versions: count(RecordKind::Version),
            snapshots: count(RecordKind::Snapshot),
            observations: count(RecordKind::Observation),
            blobs_checked,
            unreferenced_blobs: unreferenced,
            backfilled,
            problems,
        })
    }

    /// Runs the one-time backfill if migration 0005 left its marker.
    async fn backfill_if_pending(&self) -> Result<Option<u64>, StoreError> {
        let mut tx = begin_write(self.pool()).await?;
        if manifest::backfill_pending(&mut tx).await?.is_none() {
            return Ok(None);
        }
        let now = ts_to_text(self.now());
        let records = manifest::current_records(&mut tx).await?;
        for record in &records {
            manifest::append(&mut tx, record, &now).await?;
        }
        manifest::clear_backfill(&mut tx).await?;
        tx.commit().await?;
        tracing::warn!(
            entries = records.len(),
            "manifest backfilled: it vouches for these records as of now only"
        );
        Ok(Some(records.len() as u64))
    }

    /// Re-reads and re-hashes the named blobs (off the async threads) and
    /// counts archive files no snapshot names.
    async fn check_blobs(
        &self,
        blobs: Vec<String>,
    ) -> Result<(u64, u64, Vec<Problem>), StoreError> {
        let archive = self.archive().clone();
        let work = move || {
            let mut problems = Vec::new();
            let mut named = BTreeSet::new();
            for sha in &blobs {
                let id: BlobId = match sha.parse() {
                    Ok(id) => id,
                    Err(_) => {
                        problems.push(Problem::new(
                            "blob_missing",
                            sha.clone(),
                            "a snapshot names a blob id that is not a sha256",
                        ));
                        continue;
                    }
                };
                match archive.get(&id) {
                    Ok(_) => {}
                    Err(StoreError::NotFound { .. }) => problems.push(Problem::new(
                        "blob_missing",
                        sha.clone(),
                        format!("blob {sha} is named by a snapshot but is not in the archive"),
                    )),
                    Err(e) => {
                        problems.push(Problem::new("blob_corrupt", sha.clone(), e.to_string()))
                    }
                }
                named.insert(id);
            }
            let mut unreferenced = 0u64;
            for id in archive.iter() {
                match id {
                    Ok(id) if !named.contains(&id) => unreferenced += 1,
                    Ok(_) => {}
                    Err(e) => problems.push(Problem::new(
                        "blob_missing",
                        "archive",
                        format!("cannot list the archive: {e}"),
                    )),
                }
            }
            (blobs.len() as u64, unreferenced, problems)
        };
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| StoreError::Io {
                op: "verifying blobs in",
                path: self.archive().root().to_path_buf(),
                source: std::io::Error::other(e.to_string()),
            })
    }
}

/// Walks the chain: contiguous seqs from 1, each prev_hash equal to the
/// previous stored chain hash, each chain hash recomputable. Returns the
/// readable entries. One damaged entry yields one problem, not a cascade.
fn check_chain(
    entries: &[Result<ManifestEntry, String>],
    problems: &mut Vec<Problem>,
) -> Vec<ManifestEntry> {
    let mut readable = Vec::with_capacity(entries.len());
    let mut expected_seq = 1u64;
    let mut prev = GENESIS.to_string();
    for entry in entries {
        let e = match entry {
            Ok(e) => e,
            Err(what) => {
                problems.push(Problem::new(
                    "manifest_entry_unreadable",
                    "manifest",
                    what.clone(),
                ));
                continue;
            }
        };
        if e.seq != expected_seq {
            problems.push(Problem::new(
                "manifest_gap",
                format!(
                    "manifest entries {expected_seq}–{}",
                    e.seq.saturating_sub(1)
                ),
                format!(
                    "manifest entries {expected_seq} to {} are missing: they were deleted",
                    e.seq.saturating_sub(1)
                ),
            ));
        }
        if e.prev_hash != prev {
            problems.push(Problem::new(
                "chain_broken",
                format!("manifest entry {}", e.seq),
                format!(
                    "entry {} does not follow the entry before it (prev_hash {} ≠ {})",
                    e.seq, e.prev_hash, prev
                ),
            ));
        }
        let recomputed =
            manifest::chain_hash(&e.prev_hash, e.seq, e.kind, &e.record_key, &e.record_hash);
        if recomputed != e.chain_hash {
            problems.push(Problem::new(
                "manifest_entry_edited",
                format!("manifest entry {}", e.seq),
                format!(
                    "entry {} ({} {}) was edited: its chain hash does not match its content",
                    e.seq,
                    e.kind.as_str(),
                    e.record_key
                ),
            ));
        }
        prev = e.chain_hash.clone();
        expected_seq = e.seq + 1;
        readable.push(e.clone());
    }
    readable
}

/// Compares the records as stored now with the manifest: the latest entry
/// per version and snapshot key, a multiset of hashes per observation key.
fn compare_records(entries: &[ManifestEntry], records: &[Record], problems: &mut Vec<Problem>) {
    let mut latest: BTreeMap<(RecordKind, &str), &ManifestEntry> = BTreeMap::new();
    let mut observed: HashMap<&str, Vec<&ManifestEntry>> = HashMap::new();
    for e in entries {
        if e.kind == RecordKind::Observation {
            observed.entry(e.record_key.as_str()).or_default().push(e);
        } else {
            latest.insert((e.kind, e.record_key.as_str()), e);
        }
    }
    let what = |k: RecordKind| k.as_str();
    for r in records {
        let found = if r.kind == RecordKind::Observation {
            observed.get_mut(r.key.as_str()).and_then(|list| {
                let at = list
                    .iter()
                    .position(|e| e.record_hash == r.hash)
                    .unwrap_or(0);
                (!list.is_empty()).then(|| list.remove(at))
            })
        } else {
            latest.remove(&(r.kind, r.key.as_str()))
        };
        match found {
            None => problems.push(Problem::new(
                "record_unrecorded",
                format!("{} {}", what(r.kind), r.key),
                format!(
                    "{} {} is not in the manifest: it was added outside the import path (or by a rewrite that did not enter it)",
                    what(r.kind),
                    r.key
                ),
            )),
            Some(e) if e.record_hash != r.hash => problems.push(Problem::new(
                "record_rewritten",
                format!("{} {}", what(r.kind), r.key),
                format!(
                    "{} {} no longer matches manifest entry {}: it was rewritten after it was recorded",
                    what(r.kind),
                    r.key,
                    e.seq
                ),
            )),
            Some(_) => {}
        }
    }
    let mut missing: Vec<&ManifestEntry> = latest.into_values().collect();
    missing.extend(observed.into_values().flatten());
    missing.sort_by_key(|e| e.seq);
    for e in missing {
        problems.push(Problem::new(
            "record_deleted",
            format!("{} {}", what(e.kind), e.record_key),
            format!(
                "{} {} (manifest entry {}) is no longer in the database: it was deleted",
                what(e.kind),
                e.record_key,
                e.seq
            ),
        ));
    }
}

/// Compares a freshly written manifest (one entry per record, as an import
/// of a dataset appends them) with the manifest the records came from.
pub(crate) fn compare_entries(
    expected: &[ManifestEntry],
    actual: &[ManifestEntry],
) -> Vec<Problem> {
    let records: Vec<Record> = actual
        .iter()
        .map(|e| Record {
            kind: e.kind,
            key: e.record_key.clone(),
            hash: e.record_hash.clone(),
        })
        .collect();
    let mut problems = Vec::new();
    compare_records(expected, &records, &mut problems);
    problems
}
