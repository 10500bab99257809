//! `clausewatch import PATH…`: archive files as versions of one document.
//!
//! Before and after the files, the derived data of the home is caught up
//! (`Engine::heal_derived`): a version left without its analysis or search
//! entries by a killed or concurrent import gets them here.

use crate::args::Format;
use crate::{input, output};
use anyhow::Context;
use cw_engine::{Engine, ImportRequest};
use cw_model::{DocumentKey, slugify};
use cw_store::DocumentMeta;
use std::path::PathBuf;
use std::process::ExitCode;

pub(crate) struct ImportArgs {
    pub(crate) platform: String,
    pub(crate) document: Option<String>,
    pub(crate) doc_type: Option<String>,
    pub(crate) region: Option<String>,
    pub(crate) url: Option<String>,
    pub(crate) observed_at: Option<chrono::NaiveDate>,
    pub(crate) format: Format,
    /// Selectors given with `--select`/`--remove`, if any.
    pub(crate) declaration: Option<cw_extract::Declaration>,
    /// `--force`: record a version without provisions.
    pub(crate) force: bool,
}

/// How long a catch-up waits for another process's index writer per batch.
const HEAL_LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(120);

/// Catches up missing derived data; a failure is a warning (derived data,
/// the next run repeats it), never the import's failure.
pub(crate) async fn heal(engine: &Engine) {
    match engine.heal_derived(HEAL_LOCK_WAIT).await {
        Ok(report) if report.versions() > 0 => {
            tracing::info!(
                versions = report.versions(),
                "caught up the analysis and search entries of earlier versions"
            );
        }
        Ok(_) => {}
        Err(e) => {
            tracing::warn!(error = %e, "derived data not caught up; the next import retries");
        }
    }
}

pub(crate) async fn run(
    engine: &Engine,
    paths: &[PathBuf],
    args: ImportArgs,
) -> anyhow::Result<ExitCode> {
    heal(engine).await;
    let mut reports = Vec::new();
    let mut failed = 0usize;
    for path in paths {
        match import_one(engine, path, &args).await {
            Ok(report) => {
                if args.format != Format::Json {
                    output::text(&report.outcome_text())?;
                    for w in &report.warnings {
                        output::text(&format!("  warning: {w}"))?;
                    }
                }
                reports.push(report);
            }
            Err(e) => {
                failed += 1;
                output::error_line(&e);
            }
        }
    }
    heal(engine).await;
    if args.format == Format::Json {
        output::json(&reports)?;
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

async fn import_one(
    engine: &Engine,
    path: &std::path::Path,
    args: &ImportArgs,
) -> anyhow::Result<cw_engine::ImportReport> {
    let mut options = cw_extract::ExtractOptions::default();
    options.declaration = args.declaration.clone();
    let bytes = input::read_file(path, options.max_bytes)?;
    let document = match &args.document {
        Some(d) => d.clone(),
        None => {
            let doc = cw_extract::extract(&bytes, &options)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            let title = doc.title.unwrap_or_default();
            let slug: String = slugify(&title).chars().take(60).collect();
            if slug.is_empty() || !slug.is_ascii() {
                anyhow::bail!(
                    "{}: no usable title to name the document; pass --document",
                    path.display()
                );
            }
            slug
        }
    };
    let key = DocumentKey::new(&args.platform, &document)?;
    let mut request = ImportRequest::new(key, bytes, path.display().to_string());
    request.meta = DocumentMeta {
        doc_type: args.doc_type.clone(),
        region: args.region.clone(),
        source_url: args.url.clone(),
    };
    request.observed_at = args.observed_at.map(cw_engine::start_of_day);
    request.extract = options;
    request.allow_no_provisions = args.force;
    match engine.import(request).await {
        Err(cw_engine::EngineError::NoProvisions { .. }) => anyhow::bail!(
            "cannot import {}: no provisions found (a page that is only an image or an SVG?); \
             pass --force to record it as a version anyway",
            path.display()
        ),
        other => other.with_context(|| format!("cannot import {}", path.display())),
    }
}
