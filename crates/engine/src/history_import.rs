//! `import-history` (issue #23): every item of a history another archive
//! recorded ([`cw_backfill::History`]) goes through the import pipeline in
//! capture order, each in one store transaction together with its
//! provenance row, so the job is resumable (a killed run skips what it
//! committed) and idempotent (a second run records nothing).
//!
//! An archive's technical or declaration upgrade is never a change: its
//! bytes become another snapshot of the version in force, and when they
//! extract differently the version's provisions are replaced as a
//! technical upgrade (`cw_store::HistoryUpgrade`), like `reextract` does.
//! Bytes that are not a document, or have no provisions, are archived and
//! recorded as refused with the reason (never dropped silently).

use crate::import::IMPORT_LOCK_WAIT;
use crate::{Engine, EngineError, lineage};
use chrono::{DateTime, Utc};
use cw_backfill::{History, Item, ItemKind};
use cw_model::{DocumentKey, slugify};
use cw_store::{
    DocumentMeta, HistoryUpgrade, ImportOutcome, NewImport, NextVersion, Provenance,
    RecomputedChange, VersionUpgrade,
};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::time::Instant;
use unicode_normalization::UnicodeNormalization;

/// How to import a history.
#[derive(Debug, Clone, Default)]
pub struct HistoryImportOptions {
    /// Record every item as a version of this document (a folder of dated
    /// copies names no document); otherwise the archive's service and
    /// terms type name it ([`history_document_key`]).
    pub document: Option<DocumentKey>,
    /// Analyse and index, at the end and in batches, every version that
    /// lacks it (the new ones, and those of a run that was killed).
    pub derive: bool,
}

/// What one item did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryStatus {
    /// Imported by an earlier run: skipped.
    AlreadyImported,
    /// A new version.
    NewVersion,
    /// Another snapshot (or sighting) of an existing version.
    SameContent,
    /// The archive's upgrade, recorded as a technical upgrade of the version in force.
    TechnicalUpgrade,
    /// The archive's upgrade, whose extraction equals the version in force.
    UpgradeUnchanged,
    /// Nothing recorded but the refusal (see the reason).
    Refused,
}

/// One step of the progress a caller is shown.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryStep {
    /// Items handled so far, this one included.
    pub done: usize,
    /// Items in the history.
    pub total: usize,
    /// The document.
    pub document: String,
    /// The capture time.
    pub captured_at: DateTime<Utc>,
    /// What happened.
    pub status: HistoryStatus,
    /// The version concerned, when there is one.
    pub version: Option<u32>,
    /// Why an item was refused.
    pub reason: Option<String>,
}

/// An item that recorded nothing.
#[derive(Debug, Clone, Serialize)]
pub struct RefusedItem {
    /// The document.
    pub document: String,
    /// The archive and item.
    pub archive: String,
    /// The item.
    pub item: String,
    /// Why.
    pub reason: String,
}

/// What an `import-history` run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct HistoryImportReport {
    /// Items in the history.
    pub items: usize,
    /// Documents they belong to.
    pub documents: usize,
    /// Items an earlier run imported (skipped).
    pub already_imported: usize,
    /// New versions recorded.
    pub new_versions: usize,
    /// Items that were another snapshot of a known version.
    pub same_content: usize,
    /// The archive's upgrades recorded as technical upgrades.
    pub technical_upgrades: usize,
    /// The archive's upgrades whose extraction changed nothing here.
    pub upgrades_unchanged: usize,
    /// Items that recorded nothing, with the reason.
    pub refused: Vec<RefusedItem>,
    /// Versions whose derived data (analysis, search index) was made at the end.
    pub derived: usize,
    /// Wall time of the run in seconds.
    pub seconds: f64,
}

impl HistoryImportReport {
    /// True when the run recorded nothing (a repeated run).
    pub fn recorded_nothing(&self) -> bool {
        self.new_versions == 0
            && self.same_content == 0
            && self.technical_upgrades == 0
            && self.upgrades_unchanged == 0
            && self.refused.is_empty()
    }
}

/// A slug from an archive's name: accents folded, other scripts hashed.
fn name_slug(name: &str) -> String {
    let folded: String = name.nfkd().filter(char::is_ascii).collect();
    let slug = slugify(&folded);
    if slug.is_empty() || slug.len() > 80 {
        let digest = hex::encode(Sha256::digest(name.as_bytes()));
        let head: String = slug.chars().take(60).collect();
        if head.is_empty() {
            return format!("x-{}", &digest[..12]);
        }
        return format!("{head}-{}", &digest[..8]);
    }
    slug
}

/// The clausewatch document of an archive's service and terms type:
/// `chatgpt/terms-of-service`.
pub fn history_document_key(service: &str, terms_type: &str) -> Result<DocumentKey, EngineError> {
    Ok(DocumentKey::new(
        &name_slug(service),
        &name_slug(terms_type),
    )?)
}

fn provenance(item: &Item, raw_blob: Option<cw_store::BlobId>) -> Provenance {
    Provenance {
        archive: item.archive.clone(),
        item: item.item.clone(),
        commit: item.commit.clone(),
        path: item.path.clone(),
        captured_at: item.captured_at,
        snapshot_refs: (!item.snapshot_refs.is_empty()).then(|| item.snapshot_refs.join(" | ")),
        raw_blob,
    }
}

fn source_of(item: &Item) -> String {
    match &item.commit {
        Some(c) if !item.item.starts_with(c.as_str()) => {
            format!("{}@{c}:{}", item.archive, item.path)
        }
        _ => format!("{}:{}", item.archive, item.item),
    }
}

impl Engine {
    /// Imports every item of `history` not imported before, in capture
    /// order, calling `progress` after each. Items that cannot be read as
    /// documents are recorded as refused; a store or archive failure stops
    /// the run (what was committed stays; the next run resumes).
    pub async fn import_history(
        &self,
        history: &History,
        options: &HistoryImportOptions,
        progress: &mut dyn FnMut(&HistoryStep),
    ) -> Result<HistoryImportReport, EngineError> {
        let started = Instant::now();
        let store = self.store();
        let total = history.items().len();
        let mut report = HistoryImportReport {
            items: total,
            ..HistoryImportReport::default()
        };
        let mut done_before: HashMap<String, HashSet<(DocumentKey, String)>> = HashMap::new();
        let mut documents: HashSet<DocumentKey> = HashSet::new();
        for (n, item) in history.items().iter().enumerate() {
            let key = match &options.document {
                Some(k) => k.clone(),
                None => history_document_key(&item.service, &item.terms_type)?,
            };
            if documents.insert(key.clone()) {
                let meta = DocumentMeta {
                    doc_type: Some(name_slug(&item.terms_type)),
                    ..DocumentMeta::default()
                };
                store.ensure_document(&key, &meta).await?;
            }
            if !done_before.contains_key(&item.archive) {
                let set = store.imported_history_items(&item.archive).await?;
                done_before.insert(item.archive.clone(), set);
            }
            let already = done_before
                .get(&item.archive)
                .is_some_and(|s| s.contains(&(key.clone(), item.item.clone())));
            let (status, version, reason) = if already {
                (HistoryStatus::AlreadyImported, None, None)
            } else {
                self.import_item(history, item, &key).await?
            };
            match status {
                HistoryStatus::AlreadyImported => report.already_imported += 1,
                HistoryStatus::NewVersion => report.new_versions += 1,
                HistoryStatus::SameContent => report.same_content += 1,
                HistoryStatus::TechnicalUpgrade => report.technical_upgrades += 1,
                HistoryStatus::UpgradeUnchanged => report.upgrades_unchanged += 1,
                HistoryStatus::Refused => report.refused.push(RefusedItem {
                    document: key.to_string(),
                    archive: item.archive.clone(),
                    item: item.item.clone(),
                    reason: reason.clone().unwrap_or_default(),
                }),
            }
            progress(&HistoryStep {
                done: n + 1,
                total,
                document: key.to_string(),
                captured_at: item.captured_at,
                status,
                version,
                reason,
            });
        }
        report.documents = documents.len();
        if options.derive {
            // Every version lacking derived data, also those a killed run
            // recorded but never analysed.
            let healed = self.heal_derived(IMPORT_LOCK_WAIT).await?;
            report.derived = healed.analysed.versions + healed.indexed.versions;
        }
        report.seconds = started.elapsed().as_secs_f64();
        Ok(report)
    }

    /// Imports one item; returns what it did, the version concerned and,
    /// when refused, why.
    async fn import_item(
        &self,
        history: &History,
        item: &Item,
        key: &DocumentKey,
    ) -> Result<(HistoryStatus, Option<u32>, Option<String>), EngineError> {
        let store = self.store();
        let bytes = history.read(item)?;
        // Every byte string read is kept, whatever becomes of it.
        let blob = store.archive().put(&bytes)?;
        let raw_blob = match history.read_raw(item)? {
            Some(raw) => Some(store.archive().put(&raw)?),
            None => None,
        };
        let prov = provenance(item, raw_blob);
        let extracted = match cw_extract::extract(&bytes, &cw_extract::ExtractOptions::default()) {
            Ok(doc) if !doc.provisions.is_empty() => Ok(doc),
            Ok(_) => Err(format!(
                "no provisions found ({} bytes); the archive's copy is kept",
                bytes.len()
            )),
            Err(e) => Err(format!("not a document: {e}")),
        };
        let extracted = match extracted {
            Ok(doc) => doc,
            Err(reason) => {
                store
                    .record_history_refusal(key, blob.as_str(), &reason, &prov)
                    .await?;
                return Ok((HistoryStatus::Refused, None, Some(reason)));
            }
        };
        let at = item.captured_at;
        let previous = store.previous_version(key, at).await?;
        let next = store.next_version(key, at).await?;
        let content_hash = cw_store::content_hash(&extracted);
        let base = NewImport {
            document: key.clone(),
            blob: blob.clone(),
            size: bytes.len() as u64,
            format: extracted.format.as_str().to_string(),
            source: source_of(item),
            observed_at: at,
            extractor_version: cw_model::EXTRACTOR_VERSION.to_string(),
            previous_version_number: previous.as_ref().map(|p| p.row.number),
            change: None,
            lineage_keys: Vec::new(),
            extracted,
        };
        if let (ItemKind::Upgrade, Some(prev)) = (item.kind, previous.as_ref()) {
            let number = prev.row.number;
            if prev.row.content_hash == content_hash {
                store
                    .record_history_upgrade(HistoryUpgrade {
                        import: base,
                        upgrade: None,
                        recomputed: Vec::new(),
                        provenance: prov,
                    })
                    .await?;
                return Ok((HistoryStatus::UpgradeUnchanged, Some(number), None));
            }
            let change = cw_diff::diff(&prev.document, &base.extracted);
            let inherited = lineage::via_old(&prev.lineage_keys, &prev.document, &change);
            let keys = lineage::assign(key, &base.extracted, &content_hash, &[&inherited]);
            let recomputed = next
                .as_ref()
                .map(|n| RecomputedChange {
                    new_version: n.row.number,
                    old_version: Some(number),
                    change: cw_diff::diff(&base.extracted, &n.document),
                })
                .into_iter()
                .collect();
            let upgrade = VersionUpgrade {
                version_number: number,
                old_content_hash: prev.row.content_hash.clone(),
                extractor_version: cw_model::EXTRACTOR_VERSION.to_string(),
                extracted: base.extracted.clone(),
                lineage_keys: keys,
                change,
                replaced: prev.document.clone(),
                replaced_lineage_keys: prev.lineage_keys.clone(),
            };
            store
                .record_history_upgrade(HistoryUpgrade {
                    import: base,
                    upgrade: Some(upgrade),
                    recomputed,
                    provenance: prov,
                })
                .await?;
            return Ok((HistoryStatus::TechnicalUpgrade, Some(number), None));
        }
        // A copy (or an upgrade with nothing in force to upgrade: the first record).
        let change = previous
            .as_ref()
            .map(|p| cw_diff::diff(&p.document, &base.extracted));
        let next_change = next
            .as_ref()
            .map(|n| cw_diff::diff(&base.extracted, &n.document));
        let lineage_keys = lineage::keys_between(
            key,
            &base.extracted,
            &content_hash,
            previous.as_ref().zip(change.as_ref()),
            next.as_ref().zip(next_change.as_ref()),
        );
        let import = NewImport {
            change,
            lineage_keys,
            ..base
        };
        let outcome = store
            .record_history_version(
                import,
                NextVersion {
                    version_number: next.as_ref().map(|n| n.row.number),
                    change: next_change,
                },
                &prov,
            )
            .await?;
        let status = match outcome {
            ImportOutcome::NewVersion { .. } => HistoryStatus::NewVersion,
            _ => HistoryStatus::SameContent,
        };
        Ok((status, Some(outcome.version_number()), None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_keys_from_archive_names() {
        let k = |s, t| history_document_key(s, t).map(|k| k.to_string()).ok();
        assert_eq!(
            k("ChatGPT", "Terms of Service").as_deref(),
            Some("chatgpt/terms-of-service")
        );
        assert_eq!(
            k("Lass-andere-scheiben.de", "Privacy Policy").as_deref(),
            Some("lass-andere-scheiben-de/privacy-policy")
        );
        assert_eq!(
            k("Société Générale", "CGU").as_deref(),
            Some("societe-generale/cgu")
        );
        // Another script: a stable hashed slug, never an invalid key.
        let cn = k("微信", "Terms of Service");
        assert!(cn.as_deref().is_some_and(|s| s.starts_with("x-")), "{cn:?}");
        assert_eq!(cn, k("微信", "Terms of Service"));
    }
}
