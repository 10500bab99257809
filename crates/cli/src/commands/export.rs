//! `clausewatch export` and `clausewatch import-dataset`: the versioned
//! dataset (docs/export-schema.md) out of a home and back into a fresh one.

use crate::args::{DatasetFormat, Format};
use crate::output;
use anyhow::Context;
use chrono::{NaiveDate, Utc};
use cw_engine::Engine;
use cw_report::{ExportFormat, ExportOptions};
use std::path::Path;
use std::process::ExitCode;

pub(crate) async fn export(
    engine: &Engine,
    format: DatasetFormat,
    since: Option<NaiveDate>,
    dir: &Path,
    with_archive: bool,
) -> anyhow::Result<ExitCode> {
    let options = ExportOptions {
        format: match format {
            DatasetFormat::Jsonl => ExportFormat::Jsonl,
            DatasetFormat::Csv => ExportFormat::Csv,
        },
        since,
        with_archive,
        generator: format!("clausewatch {}", env!("CARGO_PKG_VERSION")),
        generated_at: Utc::now(),
    };
    let bar = crate::progress::bar("exporting documents");
    let manifest = cw_report::export_with_progress(
        engine.store(),
        dir,
        &options,
        &mut crate::progress::hook(&bar),
    )
    .await
    .with_context(|| format!("cannot export to {}", dir.display()))?;
    bar.finish_and_clear();
    let mut text = format!(
        "exported to {} (schema {} version {}):\n",
        dir.display(),
        manifest.schema,
        manifest.schema_version
    );
    for f in &manifest.files {
        text.push_str(&format!(
            "  {:<20} {:>8} records  sha256 {}\n",
            f.name, f.records, f.sha256
        ));
    }
    if manifest.with_archive {
        text.push_str(&format!(
            "  archive/             {:>8} blobs\n",
            manifest.archive_blobs
        ));
    } else {
        text.push_str("  (no archive blobs: add --with-archive to make the export importable)\n");
    }
    output::text(&text)?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn import(
    engine: &Engine,
    dir: &Path,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let summary = cw_report::import(engine.store(), dir)
        .await
        .with_context(|| format!("cannot import the dataset {}", dir.display()))?;
    // The search index is derived data; a failure here is not fatal.
    if let Err(e) = engine.reindex().await {
        output::error_line(
            &anyhow::Error::from(e).context("search index not rebuilt; run `clausewatch reindex`"),
        );
    }
    // Analyses are not part of a dataset: made here, as after any import.
    super::import::heal(engine).await;
    if format == Format::Json {
        output::json(&summary)?;
    } else {
        let r = &summary.records;
        let head = summary
            .chain_head
            .as_ref()
            .map(|h| h.chain_hash.as_str())
            .unwrap_or("empty");
        output::text(&format!(
            "imported {} documents, {} versions, {} provisions, {} changes, {} snapshots ({} blobs), {} observations\n\
             checked {} files against manifest.json and every record against the source's manifest chain\n\
             manifest chain head of this home: {head}",
            r.documents,
            r.versions,
            r.provisions,
            r.changes,
            r.snapshots,
            summary.blobs_copied,
            r.observations,
            summary.files_checked
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
