//! Dataset import: loads an export made with `with_archive` into a fresh
//! home. Checks, before anything is written: the schema name and version,
//! that the export is complete (no `since`), every file's sha256 and
//! record count against `manifest.json`, and every blob's hash (the blobs
//! are copied into the home's archive first, as an import does). The rows
//! are then written in one transaction, and every record must hash as the
//! source home's manifest chain (`chain.*`) recorded it, else nothing is
//! committed.

use crate::error::ReportError;
use crate::export::{
    ARCHIVE_DIR, EXPORT_SCHEMA, EXPORT_SCHEMA_VERSION, ExportFormat, ExportManifest, MANIFEST_FILE,
    sha256_file,
};
use crate::schema::{self, Col, Table};
use cw_store::{
    Archive, ChangeRecord, DatasetImportSummary, DocumentDataset, DocumentRecord, ManifestEntry,
    ManifestHead, ObservationRecord, ProvenanceRecord, ProvisionRecord, SnapshotRecord, Store,
    VersionRecord,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead;
use std::path::Path;

/// What [`import`] did.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct ImportSummary {
    /// Rows written and manifest entries appended.
    pub records: DatasetImportSummary,
    /// Table files whose hash and count were checked.
    pub files_checked: u64,
    /// Blobs copied (and re-hashed) into the home's archive.
    pub blobs_copied: u64,
    /// The source home's chain head at export time.
    pub source_chain_head: Option<ManifestHead>,
    /// This home's chain head after the import.
    pub chain_head: Option<ManifestHead>,
}

/// Imports the export in `dir` into `store`, which must hold no documents.
pub async fn import(store: &Store, dir: &Path) -> Result<ImportSummary, ReportError> {
    let manifest_path = dir.join(MANIFEST_FILE);
    let text = std::fs::read_to_string(&manifest_path)
        .map_err(|e| ReportError::io("reading", &manifest_path, e))?;
    let manifest: ExportManifest = serde_json::from_str(&text)
        .map_err(|e| ReportError::bad_export(&manifest_path, e.to_string()))?;
    if manifest.schema != EXPORT_SCHEMA
        || !(1..=EXPORT_SCHEMA_VERSION).contains(&manifest.schema_version)
    {
        return Err(ReportError::bad_export(
            &manifest_path,
            format!(
                "schema {} version {} is not {EXPORT_SCHEMA} version 1 to {EXPORT_SCHEMA_VERSION}",
                manifest.schema, manifest.schema_version
            ),
        ));
    }
    if let Some(since) = manifest.since {
        return Err(ReportError::bad_export(
            dir,
            format!("a partial export (--since {since}) cannot be imported; export everything"),
        ));
    }
    if !manifest.with_archive {
        return Err(ReportError::bad_export(
            dir,
            "the export has no archive blobs; re-export with --with-archive (a home only records versions whose raw bytes it holds)",
        ));
    }
    for table in schema::TABLES {
        if !manifest.files.iter().any(|f| f.table == table.name) {
            return Err(ReportError::bad_export(
                dir,
                format!("table {} is missing", table.name),
            ));
        }
    }
    for f in &manifest.files {
        let path = dir.join(&f.name);
        if f.name.contains('/') || f.name.contains('\\') || f.name.starts_with('.') {
            return Err(ReportError::bad_export(
                &path,
                "file names must be plain names",
            ));
        }
        let actual = sha256_file(&path)?;
        if actual != f.sha256 {
            return Err(ReportError::bad_export(
                &path,
                format!("sha256 is {actual}, the manifest says {}", f.sha256),
            ));
        }
    }
    let format = manifest.format;
    let documents: Vec<DocumentRecord> = read(dir, &manifest, &schema::DOCUMENTS, format)?;
    let versions: Vec<VersionRecord> = read(dir, &manifest, &schema::VERSIONS, format)?;
    let provisions: Vec<ProvisionRecord> = read(dir, &manifest, &schema::PROVISIONS, format)?;
    let changes: Vec<ChangeRecord> = read(dir, &manifest, &schema::CHANGES, format)?;
    let snapshots: Vec<SnapshotRecord> = read(dir, &manifest, &schema::SNAPSHOTS, format)?;
    let observations: Vec<ObservationRecord> = read(dir, &manifest, &schema::OBSERVATIONS, format)?;
    let provenance: Vec<ProvenanceRecord> = if manifest
        .files
        .iter()
        .any(|f| f.table == schema::PROVENANCE.name)
    {
        read(dir, &manifest, &schema::PROVENANCE, format)?
    } else {
        Vec::new()
    };
    let chain: Vec<ManifestEntry> = read(dir, &manifest, &schema::CHAIN, format)?;
    // Platforms and labels are derived (from documents, from provisions): counted, not imported.
    let _: Vec<Value> = read(dir, &manifest, &schema::PLATFORMS, format)?;
    let _: Vec<Value> = read(dir, &manifest, &schema::LABELS, format)?;

    let mut by_doc: BTreeMap<String, DocumentDataset> = BTreeMap::new();
    let mut order = Vec::new();
    for d in documents {
        order.push(d.document.clone());
        by_doc.insert(
            d.document.clone(),
            DocumentDataset {
                document: d,
                versions: vec![],
                provisions: vec![],
                changes: vec![],
                snapshots: vec![],
                observations: vec![],
                provenance: vec![],
            },
        );
    }
    let unknown =
        |doc: &str| ReportError::bad_export(dir, format!("rows of {doc} but no such document"));
    for v in versions {
        by_doc
            .get_mut(&v.document)
            .ok_or_else(|| unknown(&v.document))?
            .versions
            .push(v);
    }
    for p in provisions {
        by_doc
            .get_mut(&p.document)
            .ok_or_else(|| unknown(&p.document))?
            .provisions
            .push(p);
    }
    for c in changes {
        by_doc
            .get_mut(&c.document)
            .ok_or_else(|| unknown(&c.document))?
            .changes
            .push(c);
    }
    for s in snapshots {
        by_doc
            .get_mut(&s.document)
            .ok_or_else(|| unknown(&s.document))?
            .snapshots
            .push(s);
    }
    for o in observations {
        by_doc
            .get_mut(&o.document)
            .ok_or_else(|| unknown(&o.document))?
            .observations
            .push(o);
    }
    for h in provenance {
        by_doc
            .get_mut(&h.document)
            .ok_or_else(|| unknown(&h.document))?
            .provenance
            .push(h);
    }
    let datasets: Vec<DocumentDataset> = order.iter().filter_map(|k| by_doc.remove(k)).collect();

    // Blobs first: the database only names blobs that are completely written.
    let source = Archive::open(dir.join(ARCHIVE_DIR))?;
    let mut copied = BTreeSet::new();
    let raw_pages = datasets
        .iter()
        .flat_map(|d| &d.provenance)
        .filter_map(|h| h.raw_sha256.as_ref());
    for sha256 in datasets
        .iter()
        .flat_map(|d| &d.snapshots)
        .map(|s| &s.sha256)
        .chain(raw_pages)
    {
        if copied.contains(sha256) {
            continue;
        }
        let id = sha256.parse()?;
        let bytes = source.get(&id)?;
        store.archive().put(&bytes)?;
        copied.insert(sha256.clone());
    }

    let records = store.import_dataset(&datasets, Some(&chain)).await?;
    Ok(ImportSummary {
        records,
        files_checked: manifest.files.len() as u64,
        blobs_copied: copied.len() as u64,
        source_chain_head: manifest.chain_head,
        chain_head: store.manifest_head().await?,
    })
}

/// Reads one table and checks its record count against the manifest.
fn read<T: DeserializeOwned>(
    dir: &Path,
    manifest: &ExportManifest,
    table: &Table,
    format: ExportFormat,
) -> Result<Vec<T>, ReportError> {
    let Some(listed) = manifest.files.iter().find(|f| f.table == table.name) else {
        return Err(ReportError::bad_export(
            dir,
            format!("table {} is missing", table.name),
        ));
    };
    let path = dir.join(&listed.name);
    let file = std::fs::File::open(&path).map_err(|e| ReportError::io("reading", &path, e))?;
    let mut out = Vec::new();
    match format {
        ExportFormat::Jsonl => {
            for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
                let line = line.map_err(|e| ReportError::io("reading", &path, e))?;
                if line.trim().is_empty() {
                    continue;
                }
                out.push(
                    serde_json::from_str(&line).map_err(|e| {
                        ReportError::bad_export(&path, format!("line {}: {e}", i + 1))
                    })?,
                );
            }
        }
        ExportFormat::Csv => {
            let mut reader = csv::Reader::from_reader(file);
            let headers = reader.headers()?.clone();
            let expected: Vec<&str> = table.columns.iter().map(|(n, _)| *n).collect();
            if headers.iter().collect::<Vec<_>>() != expected {
                return Err(ReportError::bad_export(
                    &path,
                    format!(
                        "columns are {:?}, expected {expected:?}",
                        headers.iter().collect::<Vec<_>>()
                    ),
                ));
            }
            for (i, row) in reader.records().enumerate() {
                let row = row?;
                let mut object = Map::new();
                for ((name, col), cell) in table.columns.iter().zip(row.iter()) {
                    let value = parse_cell(cell, *col).map_err(|e| {
                        ReportError::bad_export(&path, format!("row {}, column {name}: {e}", i + 1))
                    })?;
                    object.insert((*name).to_string(), value);
                }
                out.push(
                    serde_json::from_value(Value::Object(object)).map_err(|e| {
                        ReportError::bad_export(&path, format!("row {}: {e}", i + 1))
                    })?,
                );
            }
        }
    }
    if out.len() as u64 != listed.records {
        return Err(ReportError::bad_export(
            &path,
            format!(
                "{} records, the manifest says {}",
                out.len(),
                listed.records
            ),
        ));
    }
    Ok(out)
}

/// A CSV cell back to its JSON value.
fn parse_cell(cell: &str, col: Col) -> Result<Value, String> {
    Ok(match col {
        Col::Str => Value::String(cell.to_string()),
        Col::OptStr if cell.is_empty() => Value::Null,
        Col::OptStr => Value::String(cell.to_string()),
        Col::OptInt if cell.is_empty() => Value::Null,
        Col::Int | Col::OptInt => Value::from(cell.parse::<u64>().map_err(|e| e.to_string())?),
        Col::Num => Value::from(cell.parse::<f64>().map_err(|e| e.to_string())?),
        Col::Bool => Value::Bool(cell.parse::<bool>().map_err(|e| e.to_string())?),
        Col::Json => serde_json::from_str(cell).map_err(|e| e.to_string())?,
    })
}
