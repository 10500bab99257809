//! Test harness: a temporary home and a way to store versions as an older
//! extractor would have read them (the situation `reextract` repairs).

use chrono::{DateTime, NaiveDate, Utc};
use cw_engine::{Engine, ImportRequest};
use cw_model::{DocumentKey, ExtractedDocument, VersionRef, VersionSelector};
use cw_store::{NewImport, StoredVersion};
use std::collections::HashMap;

/// The extractor version the injected "old" extractions claim.
pub(crate) const OLD_EXTRACTOR: &str = "cw-extract/0.0.1+r0";

/// An engine on a fresh temporary home.
pub(crate) struct Home {
    pub(crate) _dir: tempfile::TempDir,
    pub(crate) engine: Engine,
}

impl Home {
    pub(crate) async fn new() -> Home {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(dir.path()).await.unwrap();
        Home { _dir: dir, engine }
    }

    /// Imports bytes through the real import job.
    pub(crate) async fn import(
        &self,
        key: &DocumentKey,
        bytes: &str,
        day: &str,
    ) -> cw_engine::ImportReport {
        let mut req =
            ImportRequest::new(key.clone(), bytes.as_bytes().to_vec(), format!("{day}.md"));
        req.observed_at = Some(midnight(day));
        self.engine.import(req).await.unwrap()
    }

    /// Stores `bytes` as a version the way an older extractor read them: the
    /// current extraction passed through `old_reading`, lineage keys inherited
    /// through the diff like the import job does, recorded with
    /// [`OLD_EXTRACTOR`]. The bytes are archived for real.
    pub(crate) async fn import_as_old_extractor(
        &self,
        key: &DocumentKey,
        bytes: &str,
        day: &str,
        old_reading: fn(&mut ExtractedDocument),
    ) {
        let store = self.engine.store();
        let mut doc = cw_extract::extract(bytes.as_bytes(), &Default::default()).unwrap();
        old_reading(&mut doc);
        let at = midnight(day);
        store
            .ensure_document(key, &Default::default())
            .await
            .unwrap();
        let previous = store.previous_version(key, at).await.unwrap();
        let change = previous.as_ref().map(|p| cw_diff::diff(&p.document, &doc));
        let mut inherited: HashMap<String, String> = HashMap::new();
        if let (Some(p), Some(c)) = (&previous, &change) {
            let key_of: HashMap<&str, &str> = p
                .document
                .provisions
                .iter()
                .zip(&p.lineage_keys)
                .map(|(p, k)| (p.id.as_str(), k.as_str()))
                .collect();
            for ch in &c.changes {
                if let (Some(o), Some(n)) = (&ch.old_id, &ch.new_id) {
                    inherited.insert(n.clone(), key_of[o.as_str()].to_string());
                }
            }
        }
        let lineage_keys = doc
            .provisions
            .iter()
            .map(|p| {
                inherited
                    .get(&p.id)
                    .cloned()
                    .unwrap_or_else(|| format!("L{day}-{}", p.id))
            })
            .collect();
        let blob = store.archive().put(bytes.as_bytes()).unwrap();
        store
            .record_import(NewImport {
                document: key.clone(),
                blob,
                size: bytes.len() as u64,
                format: "markdown".into(),
                source: format!("{day}.md"),
                observed_at: at,
                extracted: doc,
                extractor_version: OLD_EXTRACTOR.into(),
                previous_version_number: previous.map(|p| p.row.number),
                change,
                lineage_keys,
            })
            .await
            .unwrap();
    }

    /// Version `n` of a document.
    pub(crate) async fn version(&self, key: &DocumentKey, n: u32) -> StoredVersion {
        self.engine
            .store()
            .version(&VersionRef {
                document: key.clone(),
                selector: VersionSelector::Number(n),
            })
            .await
            .unwrap()
    }

    /// The lineage key of the provision with this exact text in version `n`.
    pub(crate) async fn key_of(&self, key: &DocumentKey, n: u32, text: &str) -> String {
        let v = self.version(key, n).await;
        let pos = v
            .document
            .provisions
            .iter()
            .position(|p| p.text == text)
            .unwrap_or_else(|| {
                panic!(
                    "no provision {text:?} in version {n}: {:#?}",
                    v.document.provisions
                )
            });
        v.lineage_keys[pos].clone()
    }
}

pub(crate) fn midnight(day: &str) -> DateTime<Utc> {
    day.parse::<NaiveDate>()
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
}

pub(crate) fn key(s: &str) -> DocumentKey {
    s.parse().unwrap()
}
