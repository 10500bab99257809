//! Derived data of stored versions — the analysis (labels, attributes,
//! findings) and the search index entries — made in batches, off the fetch
//! path of a watch cycle.
//!
//! A watcher's engine imports with [`Engine::without_derived_on_import`]: a
//! new version is archived, extracted, diffed, stored and alerted at once,
//! and its derived data comes from [`Engine::derive_pending`] after the
//! fetches (or from the `analyse` and `index` jobs of `clausewatch
//! worker`). A batch labels each provision once and uses the labels for
//! both the stored analysis and the index rows, writes the index with one
//! writer and one commit, and records the analyses last, in one
//! transaction. "No analysis row" is therefore the durable marker of a
//! version whose derived data is still to be made: a process killed in
//! between leaves the version without an analysis, and the next pass finds
//! it again (indexing a version twice replaces its rows).
//!
//! `import` makes a new version's derived data the same way, inline
//! (`Engine::derive_versions` of one version), and every import and
//! start-up catches up what a crash or a busy index left behind
//! ([`Engine::heal_derived`]): versions without an analysis row, and
//! versions with provisions but no index rows (a store compared with the
//! index's fast fields, [`Engine::missing_derived`], which `verify`
//! reports).

use crate::analyze::{analysis_from_labels, compute_labelled};
use crate::index::rows_labelled;
use crate::{Engine, EngineError};
use cw_model::{DocumentKey, VersionRef, VersionSelector};
use cw_search::{IndexBatch, ProvisionRow};
use cw_store::{DocumentRow, NewAnalysis, StoreError, StoredVersion};
use serde::Serialize;
use std::time::{Duration, Instant};

/// What a pass over versions lacking derived data did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DeriveReport {
    /// Versions analysed and indexed.
    pub versions: usize,
    /// Versions skipped: vanished, or changed since they were loaded (the
    /// next pass takes them again).
    pub skipped: usize,
    /// Of `versions`, those not labelled again: their stored analysis was
    /// fresh, or this process had labelled them already (for an alert).
    pub reused: usize,
    /// Batches written (one index commit and one store transaction each).
    pub batches: usize,
    /// Wall time of the pass.
    pub elapsed_ms: u64,
}

/// Versions whose derived data is missing ([`Engine::missing_derived`]),
/// each as its document and number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MissingDerived {
    /// Versions without an analysis row.
    pub lacking_analysis: Vec<(DocumentKey, u32)>,
    /// Versions with provisions but no row in the search index.
    pub lacking_index: Vec<(DocumentKey, u32)>,
}

impl MissingDerived {
    /// Whether nothing is missing.
    pub fn is_empty(&self) -> bool {
        self.lacking_analysis.is_empty() && self.lacking_index.is_empty()
    }
}

/// What a catch-up of derived data did ([`Engine::heal_derived`]).
#[derive(Debug, Clone, Default, Serialize)]
pub struct HealReport {
    /// Versions that had no analysis row (analysed and indexed now).
    pub analysed: DeriveReport,
    /// Versions that had an analysis but no index rows (indexed now).
    pub indexed: DeriveReport,
}

impl HealReport {
    /// Versions whose derived data was made.
    pub fn versions(&self) -> usize {
        self.analysed.versions + self.indexed.versions
    }
}

/// Versions per catch-up batch (one index commit, one store transaction).
const HEAL_BATCH: u32 = 256;

impl DeriveReport {
    fn add(&mut self, other: &DeriveReport) {
        self.versions += other.versions;
        self.skipped += other.skipped;
        self.reused += other.reused;
        self.batches += other.batches;
    }
}

/// The index writer's memory budget for one batch: a batch of a few hundred
/// versions needs far less than the default, and the budget is what the
/// writer may hold (peak RSS).
const DERIVE_WRITER_MEMORY: usize = 32 * 1024 * 1024;

/// A version loaded for its derived data.
struct Loaded {
    doc: DocumentRow,
    version: StoredVersion,
    /// Whether it is the document's latest version.
    is_latest: bool,
    /// The label ids of its provisions (index = position) from its stored
    /// analysis, when that is fresh (this analyzer and model, these
    /// provisions): nothing to label or record again.
    stored_labels: Option<Vec<Vec<String>>>,
    /// Its labels and findings when this process already computed them
    /// (for an alert): recorded as its analysis without labelling again.
    labelled: Option<std::sync::Arc<crate::VersionLabels>>,
}

/// What the CPU side of a batch produces per version.
struct Computed {
    document: DocumentKey,
    number: u32,
    /// The analysis to record; `None` when the stored one is fresh.
    analysis: Option<NewAnalysis>,
    /// Its index rows (empty when the batch does not index).
    rows: Vec<ProvisionRow>,
    /// Whether other versions' rows need their latest flag moved (it is
    /// the latest of several).
    fix_latest: bool,
    /// Whether its labels were known (stored or cached), not computed.
    reused: bool,
}

impl Engine {
    /// The versions whose derived data is missing: no analysis row, or
    /// provisions but no rows in the search index.
    pub async fn missing_derived(&self) -> Result<MissingDerived, EngineError> {
        let inventory = self.store().version_inventory().await?;
        let indexed = self.open_index()?.indexed_versions()?;
        let mut missing = MissingDerived::default();
        for v in inventory {
            if !v.analysed {
                missing
                    .lacking_analysis
                    .push((v.document.clone(), v.number));
            }
            let key = v.document.to_string().to_lowercase();
            if v.provisions > 0 && !indexed.contains(&(key, v.number)) {
                missing.lacking_index.push((v.document, v.number));
            }
        }
        Ok(missing)
    }

    /// Catches up the derived data a crash or a busy index left behind:
    /// first every version without an analysis row
    /// ([`Engine::derive_pending`]), then every version with provisions but
    /// no index rows ([`Engine::heal_index`]). Run at start-up and after
    /// every import; waits up to `lock_wait` per batch for another
    /// process's index writer.
    pub async fn heal_derived(&self, lock_wait: Duration) -> Result<HealReport, EngineError> {
        let analysed = self.derive_pending(HEAL_BATCH, lock_wait, || false).await?;
        let indexed = self.heal_index(lock_wait).await?;
        Ok(HealReport { analysed, indexed })
    }

    /// Makes the derived data of every version with provisions but no rows
    /// in the search index (its analysis row exists: an index update that
    /// failed or was lost), in batches.
    pub async fn heal_index(&self, lock_wait: Duration) -> Result<DeriveReport, EngineError> {
        let missing = self.missing_derived().await?;
        let mut indexed = DeriveReport::default();
        for chunk in missing.lacking_index.chunks(HEAL_BATCH as usize) {
            indexed.add(&self.derive_versions(chunk, lock_wait).await?);
        }
        if indexed.versions > 0 {
            tracing::info!(
                versions = indexed.versions,
                "search index entries of earlier versions made"
            );
        }
        Ok(indexed)
    }

    /// Makes the derived data of every version (watched or imported) that
    /// has no stored analysis, `batch` versions at a time, oldest first.
    /// `stop` is asked between batches (a shutdown leaves the rest to the
    /// next pass). While another process holds the index's writer lock a
    /// batch waits up to `lock_wait` for it.
    pub async fn derive_pending(
        &self,
        batch: u32,
        lock_wait: Duration,
        stop: impl Fn() -> bool,
    ) -> Result<DeriveReport, EngineError> {
        let started = Instant::now();
        let mut report = DeriveReport::default();
        // Paging by row id: a version whose analysis cannot be stored is
        // passed over, not retried forever within one pass.
        let mut after = 0;
        loop {
            let pending = self
                .store()
                .versions_lacking_analysis(after, batch.max(1))
                .await?;
            let Some(last) = pending.last() else { break };
            after = last.row_id;
            let versions: Vec<(DocumentKey, u32)> = pending
                .into_iter()
                .map(|p| (p.document, p.number))
                .collect();
            // A writer per batch, released after it: holding one for the
            // whole pass measured a higher peak RSS (its memory budget stays
            // allocated) and keeps other processes off the index longer.
            let done = self.derive_versions(&versions, lock_wait).await?;
            report.add(&done);
            if stop() {
                break;
            }
        }
        report.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        if report.versions > 0 || report.skipped > 0 {
            tracing::info!(
                versions = report.versions,
                reused = report.reused,
                skipped = report.skipped,
                batches = report.batches,
                elapsed_ms = report.elapsed_ms,
                "derived data (analysis, search index) made"
            );
        }
        Ok(report)
    }

    /// Analyses and indexes stored versions as one batch: every provision
    /// is labelled once (on blocking threads, one per core) and its labels
    /// serve both the analysis and the index rows; the index is written
    /// with one writer and one commit (waiting up to `lock_wait` for another
    /// process's), then the analyses are recorded in one transaction.
    /// Vanished versions are skipped.
    pub async fn derive_versions(
        &self,
        versions: &[(DocumentKey, u32)],
        lock_wait: Duration,
    ) -> Result<DeriveReport, EngineError> {
        let mut writer = None;
        let report = self.derive_into(versions, lock_wait, &mut writer).await?;
        if let Some(writer) = writer {
            writer.finish()?;
        }
        Ok(report)
    }

    /// [`Engine::derive_versions`] with the caller's index writer (opened
    /// here when `None`), committed before the analyses are recorded.
    async fn derive_into(
        &self,
        versions: &[(DocumentKey, u32)],
        lock_wait: Duration,
        writer: &mut Option<IndexBatch>,
    ) -> Result<DeriveReport, EngineError> {
        let started = Instant::now();
        let mut report = DeriveReport::default();
        let loaded = self.load_versions(versions, &mut report).await?;
        if loaded.is_empty() {
            return Ok(report);
        }
        let computed = compute_in_parallel(loaded, true).await?;
        let batch = match writer {
            Some(batch) => batch,
            None => writer.insert(
                self.index_writer_waiting(lock_wait, DERIVE_WRITER_MEMORY)
                    .await?,
            ),
        };
        for c in &computed {
            batch.delete_version(&c.document.to_string(), c.number);
            for row in &c.rows {
                batch.add(row)?;
            }
        }
        batch.commit()?;
        let mut moved = false;
        for c in &computed {
            if c.fix_latest {
                batch.set_latest(&c.document.to_string(), c.number)?;
                moved = true;
            }
        }
        if moved {
            batch.commit()?;
        }
        self.record_batch(computed, started, report).await
    }

    /// Analyses stored versions as one batch (the `analyse` jobs of
    /// `clausewatch worker`): labels computed on blocking threads, one per
    /// core, the analyses recorded in one transaction. The search index is
    /// not touched (that is the `index` jobs' work). Vanished versions are
    /// skipped.
    pub async fn analyse_versions(
        &self,
        versions: &[(DocumentKey, u32)],
    ) -> Result<DeriveReport, EngineError> {
        let started = Instant::now();
        let mut report = DeriveReport::default();
        let loaded = self.load_versions(versions, &mut report).await?;
        if loaded.is_empty() {
            return Ok(report);
        }
        let computed = compute_in_parallel(loaded, false).await?;
        self.record_batch(computed, started, report).await
    }

    /// Records a batch's analyses in one transaction and completes its report
    /// (a version changed or gone since it was loaded counts as skipped).
    async fn record_batch(
        &self,
        computed: Vec<Computed>,
        started: Instant,
        mut report: DeriveReport,
    ) -> Result<DeriveReport, EngineError> {
        let unchanged = computed.iter().filter(|c| c.analysis.is_none()).count();
        report.reused += computed.iter().filter(|c| c.reused).count();
        let analyses: Vec<NewAnalysis> = computed.into_iter().filter_map(|c| c.analysis).collect();
        let recorded = self.store().record_analyses(&analyses).await?;
        let stored = recorded.iter().filter(|r| r.is_some()).count();
        report.versions += stored + unchanged;
        report.skipped += recorded.len() - stored;
        report.batches += 1;
        report.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        Ok(report)
    }

    /// Loads each version with its document and, when fresh, its stored
    /// analysis's labels; a vanished version is counted as skipped.
    async fn load_versions(
        &self,
        versions: &[(DocumentKey, u32)],
        report: &mut DeriveReport,
    ) -> Result<Vec<Loaded>, EngineError> {
        let store = self.store();
        let mut loaded = Vec::with_capacity(versions.len());
        for (key, number) in versions {
            let Some(doc) = store.document(key).await? else {
                report.skipped += 1;
                continue;
            };
            let version = match store
                .version(&VersionRef {
                    document: key.clone(),
                    selector: VersionSelector::Number(*number),
                })
                .await
            {
                Ok(v) => v,
                Err(StoreError::NotFound { .. }) => {
                    report.skipped += 1;
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            let is_latest = doc.latest_version == Some(*number);
            let stored_labels = match store.analysis(key, *number).await {
                Ok(Some(stored)) => crate::VersionLabels::from_stored(&version, &stored)
                    .map(|labels| labels.label_ids()),
                Ok(None) | Err(StoreError::NotFound { .. }) => None,
                Err(e) => return Err(e.into()),
            };
            let labelled = match stored_labels {
                Some(_) => None,
                None => self.cached_labels(&doc, &version),
            };
            loaded.push(Loaded {
                doc,
                version,
                is_latest,
                stored_labels,
                labelled,
            });
        }
        Ok(loaded)
    }
}

/// Labels, analyses and (with `index_rows`) builds the index rows of the
/// loaded versions on blocking threads, one chunk per core, keeping the
/// async runtime free for fetches; a version with a fresh stored analysis
/// is not labelled again (its stored labels make its index rows), nor is
/// one this process labelled for an alert (those labels are recorded).
/// Order is kept.
async fn compute_in_parallel(
    loaded: Vec<Loaded>,
    index_rows: bool,
) -> Result<Vec<Computed>, EngineError> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per = loaded.len().div_ceil(threads).max(1);
    let mut chunks: Vec<Vec<Loaded>> = Vec::new();
    let mut rest = loaded.into_iter().peekable();
    while rest.peek().is_some() {
        chunks.push(rest.by_ref().take(per).collect());
    }
    let handles: Vec<_> = chunks
        .into_iter()
        .map(|chunk| {
            tokio::task::spawn_blocking(move || {
                chunk
                    .into_iter()
                    .map(|loaded| {
                        let Loaded {
                            doc,
                            version,
                            is_latest,
                            stored_labels,
                            labelled,
                        } = loaded;
                        let reused = stored_labels.is_some() || labelled.is_some();
                        if stored_labels.is_some() && !index_rows {
                            return computed(&doc, &version, None, Vec::new(), is_latest, true);
                        }
                        let (analysis, labels) = match (stored_labels, labelled) {
                            (Some(labels), _) => (None, labels),
                            (None, Some(known)) => {
                                let (analysis, labels) = analysis_from_labels(
                                    &doc,
                                    &version,
                                    &known.labels,
                                    known.findings.clone(),
                                );
                                (Some(analysis), labels)
                            }
                            (None, None) => {
                                let (analysis, labels) = compute_labelled(&doc, &version);
                                (Some(analysis), labels)
                            }
                        };
                        let rows = if index_rows {
                            rows_labelled(&doc, &version, is_latest, Some(&labels))
                        } else {
                            Vec::new()
                        };
                        computed(&doc, &version, analysis, rows, is_latest, reused)
                    })
                    .collect::<Vec<Computed>>()
            })
        })
        .collect();
    let mut out = Vec::new();
    for handle in handles {
        let part = handle
            .await
            .map_err(|e| EngineError::Inconsistent(format!("analysis task failed: {e}")))?;
        out.extend(part);
    }
    Ok(out)
}

fn computed(
    doc: &DocumentRow,
    version: &StoredVersion,
    analysis: Option<NewAnalysis>,
    rows: Vec<ProvisionRow>,
    is_latest: bool,
    reused: bool,
) -> Computed {
    Computed {
        document: doc.key.clone(),
        number: version.row.number,
        analysis,
        rows,
        fix_latest: is_latest && doc.version_count > 1,
        reused,
    }
}
