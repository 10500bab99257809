//! `documents`, `versions` and `show`: read-only views of the store.

use crate::args::Format;
use crate::output;
use anyhow::Context;
use cw_engine::Engine;
use cw_model::{DocumentKey, VersionRef};
use std::fmt::Write as _;
use std::process::ExitCode;

pub(crate) async fn documents(engine: &Engine, format: Format) -> anyhow::Result<ExitCode> {
    let docs = engine.store().documents().await?;
    if format == Format::Json {
        output::json(&docs)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = String::new();
    for d in &docs {
        let _ = writeln!(
            out,
            "{:<40} {:<24} {:<16} {:>3} versions, latest {}",
            d.key.to_string(),
            d.doc_type.as_deref().unwrap_or("-"),
            d.region.as_deref().unwrap_or("-"),
            d.version_count,
            d.latest_observed_at
                .map(|x| x.format("%Y-%m-%d").to_string())
                .unwrap_or_else(|| "-".into()),
        );
    }
    if docs.is_empty() {
        out.push_str("no documents yet (try `clausewatch demo` or `clausewatch import`)\n");
    }
    output::text(&out)?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn versions(
    engine: &Engine,
    document: &str,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let key: DocumentKey = document.parse()?;
    let store = engine.store();
    store
        .document(&key)
        .await?
        .with_context(|| format!("no document {key} in this home"))?;
    let versions = store.versions(&key).await?;
    if format == Format::Json {
        output::json(&versions)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = format!("{key}: {} version(s)\n", versions.len());
    for v in &versions {
        let _ = writeln!(
            out,
            "  @{:<3} observed {}  effective {}  {:>4} provisions  {}  {}{}",
            v.number,
            v.observed_at.format("%Y-%m-%d"),
            v.effective_date
                .map(|d| d.to_string())
                .unwrap_or_else(|| "-".into()),
            v.provision_count,
            v.language,
            v.title.as_deref().unwrap_or("(untitled)"),
            v.restores
                .map(|n| format!("  (restores @{n})"))
                .unwrap_or_default(),
        );
    }
    output::text(&out)?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn show(
    engine: &Engine,
    version: &str,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let r: VersionRef = version.parse()?;
    // The version with its labels (stored analysis, or computed when missing or stale).
    let (stored, analysis) = engine.version_analysis(&r).await?;
    match format {
        Format::Json => output::json(&serde_json::json!({
            "document": r.document.to_string(),
            "version": stored.row,
            "extracted": stored.document,
            "lineage_keys": stored.lineage_keys,
            "analysis": super::analyze::labels_json(&analysis),
        }))?,
        Format::Markdown => output::text(&cw_extract::render_markdown(&stored.document))?,
        Format::Text | Format::Html => {
            let v = &stored.row;
            let out = format!(
                "{}@{} (observed {}, effective {}, {} provisions, {})\n\n",
                r.document,
                v.number,
                v.observed_at.format("%Y-%m-%d"),
                v.effective_date
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "-".into()),
                v.provision_count,
                v.extractor_version,
            );
            output::text(&super::analyze::render_show(&out, &stored, &analysis))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
