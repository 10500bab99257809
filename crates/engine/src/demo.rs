//! The project's own sample corpus ("Example Cloud" and friends), compiled
//! into the binary so `clausewatch demo` works from any folder.

use crate::{Engine, EngineError, ImportReport, ImportRequest};
use chrono::NaiveDate;
use cw_model::DocumentKey;
use cw_store::DocumentMeta;
use include_dir::{Dir, include_dir};
use serde::Deserialize;

static DEMO: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../../demo");

#[derive(Debug, Deserialize)]
struct Manifest {
    documents: Vec<ManifestDocument>,
}

#[derive(Debug, Deserialize)]
struct ManifestDocument {
    platform: String,
    document: String,
    doc_type: Option<String>,
    region: Option<String>,
    versions: Vec<ManifestVersion>,
}

#[derive(Debug, Deserialize)]
struct ManifestVersion {
    observed_at: NaiveDate,
    file: String,
}

/// One file of the demo corpus, ready to import.
#[derive(Debug, Clone)]
pub struct DemoFile {
    /// The document it is a version of.
    pub document: DocumentKey,
    /// Document type and region.
    pub meta: DocumentMeta,
    /// Observation date.
    pub observed_at: NaiveDate,
    /// Path inside the demo folder.
    pub path: String,
    /// The file's bytes.
    pub bytes: &'static [u8],
}

/// Lists the demo corpus in import order (each document's versions oldest first).
pub fn files() -> Result<Vec<DemoFile>, EngineError> {
    let manifest = DEMO
        .get_file("manifest.json")
        .ok_or_else(|| EngineError::Demo("manifest.json missing".into()))?;
    let manifest: Manifest = serde_json::from_slice(manifest.contents())
        .map_err(|e| EngineError::Demo(format!("manifest.json: {e}")))?;
    let mut out = Vec::new();
    for doc in manifest.documents {
        let key = DocumentKey::new(&doc.platform, &doc.document)?;
        let mut versions = doc.versions;
        versions.sort_by_key(|v| v.observed_at);
        for v in versions {
            let file = DEMO
                .get_file(&v.file)
                .ok_or_else(|| EngineError::Demo(format!("{} listed but missing", v.file)))?;
            out.push(DemoFile {
                document: key.clone(),
                meta: DocumentMeta {
                    doc_type: doc.doc_type.clone(),
                    region: doc.region.clone(),
                    source_url: None,
                },
                observed_at: v.observed_at,
                path: v.file.clone(),
                bytes: file.contents(),
            });
        }
    }
    Ok(out)
}

impl Engine {
    /// Imports the whole demo corpus. Idempotent.
    pub async fn import_demo(&self) -> Result<Vec<ImportReport>, EngineError> {
        let mut reports = Vec::new();
        for f in files()? {
            let mut req =
                ImportRequest::new(f.document, f.bytes.to_vec(), format!("demo/{}", f.path));
            req.meta = f.meta;
            req.observed_at = Some(crate::start_of_day(f.observed_at));
            reports.push(self.import(req).await?);
        }
        Ok(reports)
    }
}
