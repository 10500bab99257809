//! The re-extraction job (`clausewatch reextract`): reads every archived
//! snapshot again with the current extractor and records each version whose
//! extraction came out different as a *technical upgrade*.
//!
//! A technical upgrade is not a change of the terms: the bytes are the same,
//! only the reading improved. So it adds no version and no change record of
//! its own and never alerts; the version's provisions are replaced (lineage
//! keys kept where the diff of the old extraction against the new one aligns
//! provisions, else inherited from the preceding version, else fresh), the
//! change records on either side of the version are recomputed from the
//! current extractions (marked as caused by the upgrade), the upgrade is
//! recorded with what the extractor changed, and the search index is
//! updated. Idempotent: a second run finds every extraction equal to what is
//! stored and records nothing.

use crate::{Engine, EngineError, lineage};
use chrono::{DateTime, Utc};
use cw_extract::ExtractOptions;
use cw_model::{
    ChangeSet, DiffSummary, DocumentKey, ExtractedDocument, VersionRef, VersionSelector,
};
use cw_store::{RecomputedChange, StoredVersion, VersionUpgrade};
use serde::Serialize;

/// One version whose re-extraction differs from what was stored.
#[derive(Debug, Clone, Serialize)]
pub struct UpgradeReport {
    /// `platform/document`.
    pub document: String,
    /// The version re-extracted.
    pub version: u32,
    /// When the version was first observed.
    pub observed_at: DateTime<Utc>,
    /// Always `true`: this is a technical upgrade, not a change of the terms.
    pub technical_upgrade: bool,
    /// The extractor that produced the stored provisions.
    pub old_extractor_version: String,
    /// The current extractor.
    pub new_extractor_version: String,
    /// Content hash of the stored extraction.
    pub old_content_hash: String,
    /// Content hash of the new extraction.
    pub new_content_hash: String,
    /// Counts of what the extractor changed (stored extraction → new one).
    pub summary: DiffSummary,
    /// The same in words.
    pub summary_text: String,
    /// Provisions of the new extraction that kept the lineage key of a stored provision.
    pub lineage_kept: usize,
    /// Provisions of the new extraction.
    pub provisions: usize,
    /// Whether it was recorded (`false` on a dry run).
    pub recorded: bool,
}

/// A version that could not be re-extracted, or whose snapshots disagree.
#[derive(Debug, Clone, Serialize)]
pub struct ReextractProblem {
    /// `platform/document`.
    pub document: String,
    /// The version concerned.
    pub version: u32,
    /// What went wrong; the stored provisions were kept.
    pub problem: String,
}

/// What a re-extraction run found and did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReextractReport {
    /// Whether nothing was written.
    pub dry_run: bool,
    /// The extractor the snapshots were read with.
    pub extractor_version: String,
    /// Documents looked at.
    pub documents: usize,
    /// Versions looked at.
    pub versions: usize,
    /// Versions whose re-extraction equals what is stored.
    pub unchanged: usize,
    /// Versions re-extracted differently: technical upgrades.
    pub upgrades: Vec<UpgradeReport>,
    /// Change records recomputed because a version on either side was upgraded.
    pub recomputed_changes: usize,
    /// Versions left as they were, and why.
    pub problems: Vec<ReextractProblem>,
}

/// One version as it will stand after the run.
struct Current {
    number: u32,
    document: ExtractedDocument,
    lineage_keys: Vec<String>,
    upgraded: bool,
}

impl Engine {
    /// Re-extracts every version of `document` (or of every document) from
    /// its archived first snapshot with the current extractor and records the
    /// differences as technical upgrades (see the module documentation).
    /// With `dry_run`, reports what would be recorded and writes nothing.
    pub async fn reextract(
        &self,
        document: Option<&DocumentKey>,
        dry_run: bool,
    ) -> Result<ReextractReport, EngineError> {
        self.reextract_with_progress(document, dry_run, &mut |_, _| {})
            .await
    }

    /// [`Engine::reextract`], calling `progress(documents done, documents)`
    /// after each document.
    pub async fn reextract_with_progress(
        &self,
        document: Option<&DocumentKey>,
        dry_run: bool,
        progress: &mut (dyn FnMut(usize, usize) + Send),
    ) -> Result<ReextractReport, EngineError> {
        let store = self.store();
        let keys: Vec<DocumentKey> = match document {
            Some(k) => {
                store.document(k).await?.ok_or_else(|| {
                    EngineError::Store(cw_store::StoreError::NotFound {
                        what: format!("document {k}"),
                    })
                })?;
                vec![k.clone()]
            }
            None => store
                .documents()
                .await?
                .into_iter()
                .map(|d| d.key)
                .collect(),
        };
        let mut report = ReextractReport {
            dry_run,
            extractor_version: cw_model::EXTRACTOR_VERSION.to_string(),
            ..ReextractReport::default()
        };
        for (i, key) in keys.iter().enumerate() {
            self.reextract_document(key, dry_run, &mut report).await?;
            report.documents += 1;
            progress(i + 1, keys.len());
        }
        Ok(report)
    }

    async fn reextract_document(
        &self,
        key: &DocumentKey,
        dry_run: bool,
        report: &mut ReextractReport,
    ) -> Result<(), EngineError> {
        let store = self.store();
        let options = ExtractOptions::default();
        let rows = store.versions(key).await?;
        let mut upgrades: Vec<VersionUpgrade> = Vec::new();
        let mut reports: Vec<UpgradeReport> = Vec::new();
        let mut own_sources: Vec<lineage::Source> = Vec::new();
        let mut current: Vec<Current> = Vec::with_capacity(rows.len());
        for row in &rows {
            report.versions += 1;
            let stored = store
                .version(&VersionRef {
                    document: key.clone(),
                    selector: VersionSelector::Number(row.number),
                })
                .await?;
            let problem = |what: String| ReextractProblem {
                document: key.to_string(),
                version: row.number,
                problem: what,
            };
            let extracted = match self.read_snapshots(row, &options) {
                Ok((doc, disagreeing)) => {
                    if !disagreeing.is_empty() {
                        report.problems.push(problem(format!(
                            "snapshot(s) {} now extract differently from the first snapshot of this version; the first one's extraction is used",
                            disagreeing.join(", ")
                        )));
                    }
                    Some(doc)
                }
                Err(e) => {
                    report.problems.push(problem(e));
                    None
                }
            };
            let Some(new) = extracted.filter(|d| cw_store::content_hash(d) != row.content_hash)
            else {
                report.unchanged += 1;
                current.push(unchanged(row.number, stored));
                continue;
            };
            let change = cw_diff::diff(&stored.document, &new);
            own_sources.push(lineage::via_old(
                &stored.lineage_keys,
                &stored.document,
                &change,
            ));
            reports.push(UpgradeReport {
                document: key.to_string(),
                version: row.number,
                observed_at: row.observed_at,
                technical_upgrade: true,
                old_extractor_version: row.extractor_version.clone(),
                new_extractor_version: cw_model::EXTRACTOR_VERSION.to_string(),
                old_content_hash: row.content_hash.clone(),
                new_content_hash: cw_store::content_hash(&new),
                summary: change.summary,
                summary_text: change.summary_text.clone(),
                lineage_kept: 0,
                provisions: new.provisions.len(),
                recorded: false,
            });
            upgrades.push(VersionUpgrade {
                version_number: row.number,
                old_content_hash: row.content_hash.clone(),
                extractor_version: cw_model::EXTRACTOR_VERSION.to_string(),
                extracted: new.clone(),
                lineage_keys: Vec::new(),
                change,
                replaced: stored.document,
                replaced_lineage_keys: stored.lineage_keys,
            });
            current.push(Current {
                number: row.number,
                document: new,
                lineage_keys: Vec::new(),
                upgraded: true,
            });
        }
        if upgrades.is_empty() {
            return Ok(());
        }

        // In observation order: lineage keys of upgraded versions, and the
        // change records whose either side was upgraded.
        let mut recomputed: Vec<RecomputedChange> = Vec::new();
        let mut upgrade_index = 0;
        for k in 0..current.len() {
            let prev_upgraded = k > 0 && current[k - 1].upgraded;
            if !(current[k].upgraded || prev_upgraded) {
                continue;
            }
            let change: Option<ChangeSet> =
                (k > 0).then(|| cw_diff::diff(&current[k - 1].document, &current[k].document));
            if current[k].upgraded {
                let own = own_sources.get(upgrade_index).cloned().unwrap_or_default();
                upgrade_index += 1;
                let from_prev = match &change {
                    Some(c) => {
                        let prev = &current[k - 1];
                        lineage::via_old(&prev.lineage_keys, &prev.document, c)
                    }
                    None => lineage::Source::default(),
                };
                let this = &current[k];
                let keys = lineage::assign(
                    key,
                    &this.document,
                    &cw_store::content_hash(&this.document),
                    &[&own, &from_prev],
                );
                current[k].lineage_keys = keys;
            }
            if let Some(change) = change {
                recomputed.push(RecomputedChange {
                    new_version: current[k].number,
                    old_version: Some(current[k - 1].number),
                    change,
                });
            }
        }
        for (u, r) in upgrades.iter_mut().zip(reports.iter_mut()) {
            if let Some(c) = current.iter().find(|c| c.number == u.version_number) {
                u.lineage_keys = c.lineage_keys.clone();
            }
            r.lineage_kept = u
                .lineage_keys
                .iter()
                .filter(|k| u.replaced_lineage_keys.contains(k))
                .count();
            r.recorded = !dry_run;
        }
        report.recomputed_changes += recomputed.len();
        if !dry_run {
            let numbers = self
                .store()
                .record_technical_upgrades(key, &upgrades, &recomputed)
                .await?;
            // The index is derived data: a failure is logged; `reindex` repairs it.
            for n in numbers {
                if let Err(e) = self.index_version(key, n).await {
                    tracing::warn!(document = %key, version = n, error = %e, "search index not updated; run `clausewatch reindex`");
                }
            }
        }
        report.upgrades.extend(reports);
        Ok(())
    }

    /// Extracts a version's first snapshot; also extracts the others and
    /// names those that now read differently. An unreadable first snapshot
    /// is an `Err` text.
    fn read_snapshots(
        &self,
        row: &cw_store::VersionRow,
        options: &ExtractOptions,
    ) -> Result<(ExtractedDocument, Vec<String>), String> {
        let archive = self.store().archive();
        let Some(first) = row.snapshots.first() else {
            return Err("no snapshot recorded for this version".to_string());
        };
        let read = |blob: &cw_store::BlobId| -> Result<ExtractedDocument, String> {
            let bytes = archive
                .get(blob)
                .map_err(|e| format!("snapshot {blob}: {e}"))?;
            cw_extract::extract(&bytes, options).map_err(|e| format!("snapshot {blob}: {e}"))
        };
        let doc = read(first)?;
        let hash = cw_store::content_hash(&doc);
        let disagreeing = row
            .snapshots
            .iter()
            .skip(1)
            .filter(|b| read(b).is_ok_and(|d| cw_store::content_hash(&d) != hash))
            .map(ToString::to_string)
            .collect();
        Ok((doc, disagreeing))
    }
}

fn unchanged(number: u32, stored: StoredVersion) -> Current {
    Current {
        number,
        document: stored.document,
        lineage_keys: stored.lineage_keys,
        upgraded: false,
    }
}
