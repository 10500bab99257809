//! Dataset export: every platform, document, version, provision, change,
//! label, snapshot and observation of a home (or the versions observed
//! since a date) as JSONL or CSV files with a `manifest.json` holding the
//! schema name and version, counts and sha256 of every file, and the
//! source's manifest chain (`chain.*`). With `with_archive` the raw blobs
//! travel too (`archive/`, same layout as a home), which is what makes the
//! export importable into a fresh home ([`crate::import`]).
//!
//! Files hold no database ids or creation times, and rows are ordered by
//! data only, so the same data exports to byte-identical files from any
//! home (what the round-trip test checks). Labels are derived: computed at
//! export time by the analyzer named in the manifest.

use crate::data::{doc_type_of, source_name};
use crate::error::ReportError;
use crate::schema::{self, Col, TABLES, Table};
use chrono::{DateTime, NaiveDate, Utc};
use cw_model::{Provision, ProvisionKind};
use cw_store::{Archive, ManifestHead, ProvisionRecord, Store};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// The schema name written into every export manifest.
pub const EXPORT_SCHEMA: &str = "clausewatch-export";
/// The schema version; bumped on any change of the files (2: the
/// `provenance` table). Imports read every version up to this one.
pub const EXPORT_SCHEMA_VERSION: u32 = 2;
/// The name of the export's manifest file.
pub(crate) const MANIFEST_FILE: &str = "manifest.json";
/// The folder of raw blobs inside an export made with `with_archive`.
pub(crate) const ARCHIVE_DIR: &str = "archive";

/// File format of the tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// One JSON object per line (`.jsonl`).
    Jsonl,
    /// RFC 4180 CSV with a header row (`.csv`).
    Csv,
}

impl ExportFormat {
    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Jsonl => "jsonl",
            ExportFormat::Csv => "csv",
        }
    }
}

/// What to export.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// File format.
    pub format: ExportFormat,
    /// Only versions observed on or after this date (such an export cannot be imported).
    pub since: Option<NaiveDate>,
    /// Copy the raw archive blobs too.
    pub with_archive: bool,
    /// The generating program, e.g. `clausewatch 0.1.0`.
    pub generator: String,
    /// When the export is made.
    pub generated_at: DateTime<Utc>,
}

/// One file of an export, as listed in its manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedFile {
    /// The table (`versions`).
    pub table: String,
    /// The file name (`versions.jsonl`).
    pub name: String,
    /// How many records it holds.
    pub records: u64,
    /// sha256 of the file's bytes.
    pub sha256: String,
}

/// `manifest.json` of an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportManifest {
    /// Always [`EXPORT_SCHEMA`].
    pub schema: String,
    /// [`EXPORT_SCHEMA_VERSION`] of the writer.
    pub schema_version: u32,
    /// The program that wrote it.
    pub generated_by: String,
    /// When.
    pub generated_at: DateTime<Utc>,
    /// File format of the tables.
    pub format: ExportFormat,
    /// Only versions observed on or after this date; `None`: everything.
    pub since: Option<NaiveDate>,
    /// The extractor of the writing build.
    pub extractor_version: String,
    /// The analyzer that computed `labels`.
    pub analyzer: String,
    /// The label model.
    pub model: String,
    /// The source home's manifest chain head at export time.
    pub chain_head: Option<ManifestHead>,
    /// Whether `archive/` holds the raw blobs of every snapshot.
    pub with_archive: bool,
    /// How many blobs `archive/` holds.
    pub archive_blobs: u64,
    /// Every table file, in schema order.
    pub files: Vec<ExportedFile>,
}

/// One label of one provision (derived at export time).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct LabelRecord {
    pub(crate) document: String,
    pub(crate) version: u32,
    pub(crate) provision_id: String,
    pub(crate) label: String,
    pub(crate) confidence: f64,
    pub(crate) span_start: u64,
    pub(crate) span_end: u64,
    pub(crate) source: String,
    pub(crate) evidence: String,
}

/// A platform (the only table with one column).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PlatformRecord {
    pub(crate) platform: String,
}

enum Sink {
    Jsonl(BufWriter<File>),
    Csv(Box<csv::Writer<File>>),
}

/// One table file being written.
struct TableFile {
    table: &'static Table,
    path: PathBuf,
    sink: Sink,
    records: u64,
}

impl TableFile {
    fn create(
        dir: &Path,
        table: &'static Table,
        format: ExportFormat,
    ) -> Result<Self, ReportError> {
        let path = dir.join(format!("{}.{}", table.name, format.extension()));
        let file = File::create(&path).map_err(|e| ReportError::io("creating", &path, e))?;
        let sink = match format {
            ExportFormat::Jsonl => Sink::Jsonl(BufWriter::new(file)),
            ExportFormat::Csv => {
                let mut w = csv::WriterBuilder::new()
                    .terminator(csv::Terminator::CRLF)
                    .from_writer(file);
                w.write_record(table.columns.iter().map(|(name, _)| *name))?;
                Sink::Csv(Box::new(w))
            }
        };
        Ok(TableFile {
            table,
            path,
            sink,
            records: 0,
        })
    }

    fn write<T: Serialize>(&mut self, record: &T) -> Result<(), ReportError> {
        match &mut self.sink {
            Sink::Jsonl(w) => {
                serde_json::to_writer(&mut *w, record)?;
                w.write_all(b"\n")
                    .map_err(|e| ReportError::io("writing", &self.path, e))?;
            }
            Sink::Csv(w) => {
                let value = serde_json::to_value(record)?;
                let row: Vec<String> = self
                    .table
                    .columns
                    .iter()
                    .map(|(name, col)| cell(value.get(*name), *col))
                    .collect();
                w.write_record(&row)?;
            }
        }
        self.records += 1;
        Ok(())
    }

    fn finish(self) -> Result<ExportedFile, ReportError> {
        match self.sink {
            Sink::Jsonl(mut w) => w
                .flush()
                .map_err(|e| ReportError::io("writing", &self.path, e))?,
            Sink::Csv(mut w) => w
                .flush()
                .map_err(|e| ReportError::io("writing", &self.path, e))?,
        }
        Ok(ExportedFile {
            table: self.table.name.to_string(),
            name: file_name(&self.path),
            records: self.records,
            sha256: sha256_file(&self.path)?,
        })
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A CSV cell: null is empty, JSON columns are compact JSON text.
fn cell(value: Option<&Value>, col: Col) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) if col != Col::Json => s.clone(),
        Some(v) if col == Col::Json => v.to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    }
}

/// sha256 of a file's bytes, lowercase hex.
pub(crate) fn sha256_file(path: &Path) -> Result<String, ReportError> {
    let mut file = File::open(path).map_err(|e| ReportError::io("reading", path, e))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(|e| ReportError::io("reading", path, e))?;
    Ok(hex::encode(hasher.finalize()))
}

pub(crate) fn parse_kind(s: &str) -> ProvisionKind {
    [
        ProvisionKind::Heading,
        ProvisionKind::Paragraph,
        ProvisionKind::ListItem,
        ProvisionKind::TableRow,
    ]
    .into_iter()
    .find(|k| k.as_str() == s)
    .unwrap_or(ProvisionKind::Paragraph)
}

/// The open file of a table.
fn table<'a>(
    files: &'a mut HashMap<&'static str, TableFile>,
    name: &str,
) -> Result<&'a mut TableFile, ReportError> {
    files
        .get_mut(name)
        .ok_or_else(|| ReportError::bad_export(name, "no such table"))
}

/// Exports the home into `dir` (created; it must be empty or absent).
pub async fn export(
    store: &Store,
    dir: &Path,
    options: &ExportOptions,
) -> Result<ExportManifest, ReportError> {
    export_with_progress(store, dir, options, &mut |_, _| {}).await
}

/// [`export`], calling `progress(documents done, documents)` after each
/// document.
pub async fn export_with_progress(
    store: &Store,
    dir: &Path,
    options: &ExportOptions,
    progress: &mut (dyn FnMut(usize, usize) + Send),
) -> Result<ExportManifest, ReportError> {
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).map_err(|e| ReportError::io("listing", dir, e))?;
        if entries.next().is_some() {
            return Err(ReportError::bad_export(
                dir,
                "the output folder is not empty; choose a new folder",
            ));
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| ReportError::io("creating", dir, e))?;
    let format = options.format;
    let mut files: HashMap<&'static str, TableFile> = HashMap::new();
    for table in TABLES {
        files.insert(table.name, TableFile::create(dir, table, format)?);
    }

    let archive = if options.with_archive {
        Some(Archive::open(dir.join(ARCHIVE_DIR))?)
    } else {
        None
    };
    let mut blobs = BTreeSet::new();

    let documents = store.documents().await?;
    let platforms: BTreeSet<&str> = documents.iter().map(|d| d.key.platform.as_str()).collect();
    for platform in platforms {
        table(&mut files, schema::PLATFORMS.name)?.write(&PlatformRecord {
            platform: platform.to_string(),
        })?;
    }
    for (done, doc) in documents.iter().enumerate() {
        progress(done, documents.len());
        let data = store.document_dataset(&doc.key, options.since).await?;
        table(&mut files, schema::DOCUMENTS.name)?.write(&data.document)?;
        for v in &data.versions {
            table(&mut files, schema::VERSIONS.name)?.write(v)?;
        }
        for p in &data.provisions {
            table(&mut files, schema::PROVISIONS.name)?.write(p)?;
        }
        for c in &data.changes {
            table(&mut files, schema::CHANGES.name)?.write(c)?;
        }
        for v in &data.versions {
            let kind = doc_type_of(data.document.doc_type.as_deref(), v.title.as_deref());
            let of_version: Vec<&ProvisionRecord> = data
                .provisions
                .iter()
                .filter(|p| p.version == v.number)
                .collect();
            // The version's fresh stored analysis, else labelled as
            // `analyze` labels it (headings and list lead-ins as context),
            // so the export agrees with the UI.
            let stored = store.analysis(&doc.key, v.number).await?.filter(|a| {
                a.is_fresh(cw_analyze::analyzer_version(), cw_analyze::model_version())
            });
            let labels: Vec<Vec<ExportLabel>> = match stored {
                Some(a) => {
                    let mut by_position: Vec<Vec<ExportLabel>> = vec![Vec::new(); of_version.len()];
                    for p in a.provisions {
                        if let Some(slot) = by_position.get_mut(p.position) {
                            *slot = p
                                .labels
                                .into_iter()
                                .map(|l| ExportLabel {
                                    id: l.id,
                                    confidence: l.confidence,
                                    span: l.span,
                                    source: l.source,
                                })
                                .collect();
                        }
                    }
                    by_position
                }
                None => {
                    let version_doc = cw_model::ExtractedDocument {
                        title: v.title.clone(),
                        effective_date: None,
                        language: v.language.clone(),
                        format: cw_model::SourceFormat::Text,
                        provisions: of_version
                            .iter()
                            .map(|p| {
                                Provision::new(
                                    p.provision_id.clone(),
                                    p.heading_path.clone(),
                                    parse_kind(&p.kind),
                                    p.text.clone(),
                                )
                            })
                            .collect(),
                        warnings: Vec::new(),
                        coverage: None,
                    };
                    cw_analyze::label_document(&version_doc, kind)
                        .into_iter()
                        .map(|ls| {
                            ls.into_iter()
                                .map(|l| ExportLabel {
                                    id: l.id,
                                    confidence: l.confidence,
                                    span: l.span,
                                    source: source_name(l.source).to_string(),
                                })
                                .collect()
                        })
                        .collect()
                }
            };
            for (p, labels) in of_version.iter().zip(labels) {
                for l in labels {
                    table(&mut files, schema::LABELS.name)?.write(&LabelRecord {
                        document: p.document.clone(),
                        version: v.number,
                        provision_id: p.provision_id.clone(),
                        evidence: cw_analyze::slice_chars(&p.text, l.span).to_string(),
                        label: l.id,
                        confidence: (f64::from(l.confidence) * 10_000.0).round() / 10_000.0,
                        span_start: l.span.0 as u64,
                        span_end: l.span.1 as u64,
                        source: l.source,
                    })?;
                }
            }
        }
        for s in &data.snapshots {
            table(&mut files, schema::SNAPSHOTS.name)?.write(s)?;
            if let Some(target) = &archive
                && blobs.insert(s.sha256.clone())
            {
                let id = s.sha256.parse()?;
                let bytes = store.archive().get(&id)?;
                target.put(&bytes)?;
            }
        }
        for o in &data.observations {
            table(&mut files, schema::OBSERVATIONS.name)?.write(o)?;
        }
        for h in &data.provenance {
            table(&mut files, schema::PROVENANCE.name)?.write(h)?;
            // The raw page an imported version came from travels with it.
            if let (Some(target), Some(raw)) = (&archive, &h.raw_sha256)
                && blobs.insert(raw.clone())
            {
                let bytes = store.archive().get(&raw.parse()?)?;
                target.put(&bytes)?;
            }
        }
    }
    progress(documents.len(), documents.len());
    for entry in store.manifest_entries().await? {
        table(&mut files, schema::CHAIN.name)?.write(&entry)?;
    }

    let mut listed = Vec::new();
    for table in TABLES {
        if let Some(f) = files.remove(table.name) {
            listed.push(f.finish()?);
        }
    }
    let manifest = ExportManifest {
        schema: EXPORT_SCHEMA.to_string(),
        schema_version: EXPORT_SCHEMA_VERSION,
        generated_by: options.generator.clone(),
        generated_at: options.generated_at,
        format,
        since: options.since,
        extractor_version: cw_model::EXTRACTOR_VERSION.to_string(),
        analyzer: cw_analyze::analyzer_version().to_string(),
        model: cw_analyze::model_version().to_string(),
        chain_head: store.manifest_head().await?,
        with_archive: options.with_archive,
        archive_blobs: blobs.len() as u64,
        files: listed,
    };
    let path = dir.join(MANIFEST_FILE);
    let text = serde_json::to_string_pretty(&manifest)?;
    std::fs::write(&path, text + "\n").map_err(|e| ReportError::io("writing", &path, e))?;
    Ok(manifest)
}

/// One label of one provision as the export writes it, from a stored
/// analysis or from labelling.
#[derive(Debug, Clone)]
struct ExportLabel {
    id: String,
    confidence: f32,
    span: (usize, usize),
    source: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use cw_store::{
        ChangeRecord, DocumentRecord, ManifestEntry, ObservationRecord, RecordKind, SnapshotRecord,
        VersionRecord,
    };

    fn keys<T: Serialize>(value: &T) -> Vec<String> {
        match serde_json::to_value(value).unwrap() {
            Value::Object(m) => {
                let mut k: Vec<String> = m.keys().cloned().collect();
                k.sort();
                k
            }
            other => panic!("not an object: {other}"),
        }
    }

    fn columns(t: &Table) -> Vec<String> {
        let mut c: Vec<String> = t.columns.iter().map(|(n, _)| n.to_string()).collect();
        c.sort();
        c
    }

    #[test]
    fn schema_columns_match_the_records() {
        let doc = "a/b".to_string();
        assert_eq!(
            keys(&PlatformRecord {
                platform: "a".into()
            }),
            columns(&schema::PLATFORMS)
        );
        let d = DocumentRecord {
            document: doc.clone(),
            platform: "a".into(),
            slug: "b".into(),
            doc_type: None,
            region: None,
            source_url: None,
        };
        assert_eq!(keys(&d), columns(&schema::DOCUMENTS));
        let v = VersionRecord {
            document: doc.clone(),
            number: 1,
            observed_at: String::new(),
            title: None,
            effective_date: None,
            language: "en".into(),
            format: "text".into(),
            extractor_version: String::new(),
            content_hash: String::new(),
            provision_count: 0,
            warnings: vec![],
        };
        assert_eq!(keys(&v), columns(&schema::VERSIONS));
        let p = ProvisionRecord {
            document: doc.clone(),
            version: 1,
            position: 0,
            provision_id: String::new(),
            heading_path: vec![],
            kind: String::new(),
            text: String::new(),
            lineage_key: String::new(),
        };
        assert_eq!(keys(&p), columns(&schema::PROVISIONS));
        let empty = cw_model::ExtractedDocument {
            title: None,
            effective_date: None,
            language: "en".into(),
            format: cw_model::SourceFormat::Text,
            provisions: vec![],
            warnings: vec![],
            coverage: None,
        };
        let c = ChangeRecord {
            document: doc.clone(),
            old_version: None,
            new_version: 1,
            added: 0,
            removed: 0,
            modified: 0,
            moved: 0,
            unchanged: 0,
            substantive: 0,
            change_set: cw_diff::diff(&empty, &empty),
        };
        assert_eq!(keys(&c), columns(&schema::CHANGES));
        let l = LabelRecord {
            document: doc.clone(),
            version: 1,
            provision_id: String::new(),
            label: String::new(),
            confidence: 0.5,
            span_start: 0,
            span_end: 0,
            source: String::new(),
            evidence: String::new(),
        };
        assert_eq!(keys(&l), columns(&schema::LABELS));
        let s = SnapshotRecord {
            document: doc.clone(),
            sha256: String::new(),
            size: 0,
            format: String::new(),
            source: String::new(),
            observed_at: String::new(),
            version: 1,
        };
        assert_eq!(keys(&s), columns(&schema::SNAPSHOTS));
        let o = ObservationRecord {
            document: doc,
            sha256: String::new(),
            source: String::new(),
            observed_at: String::new(),
        };
        assert_eq!(keys(&o), columns(&schema::OBSERVATIONS));
        let e = ManifestEntry {
            seq: 1,
            kind: RecordKind::Version,
            record_key: String::new(),
            record_hash: String::new(),
            prev_hash: String::new(),
            chain_hash: String::new(),
        };
        assert_eq!(keys(&e), columns(&schema::CHAIN));
    }

    #[test]
    fn schema_document_lists_every_table_and_column() {
        let doc = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/export-schema.md"),
        )
        .unwrap();
        for t in TABLES {
            assert!(
                doc.contains(&format!("`{}.jsonl`", t.name)),
                "table {}",
                t.name
            );
            for (c, _) in t.columns {
                assert!(doc.contains(&format!("| `{c}` |")), "column {}.{c}", t.name);
            }
        }
        assert!(
            doc.contains(&format!("schema_version: {EXPORT_SCHEMA_VERSION}"))
                || doc.contains(&format!("\"schema_version\": {EXPORT_SCHEMA_VERSION}"))
        );
    }
}
