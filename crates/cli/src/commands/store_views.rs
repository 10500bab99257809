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
    // DOC@DATE: the version observed in force that day, and the observation proving it.
    let in_force = match r.selector {
        cw_model::VersionSelector::Date(date) => engine
            .store()
            .version_in_force_at(&r.document, date)
            .await?
            .map(|f| in_force_json(&f)),
        _ => None,
    };
    match format {
        Format::Json => output::json(&serde_json::json!({
            "document": r.document.to_string(),
            "version": stored.row,
            "in_force": in_force,
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
            let out = match &in_force {
                Some(f) => format!("{out}{}\n\n", in_force_text(f)),
                None => out,
            };
            output::text(&super::analyze::render_show(&out, &stored, &analysis))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The in-force answer of `show DOC@DATE` as JSON: the date, the proof,
/// when the version was replaced, and the imported provenance.
fn in_force_json(f: &cw_store::VersionInForce) -> serde_json::Value {
    serde_json::json!({
        "date": f.date,
        "version": f.version.row.number,
        "proof": f.proof,
        "replaced_at": f.replaced_at,
        "provenance": f.provenance,
    })
}

/// One line saying why the version is the one in force.
fn in_force_text(f: &serde_json::Value) -> String {
    let s = |v: &serde_json::Value| v.as_str().unwrap_or("-").to_string();
    let mut line = format!(
        "in force on {}: version {}, last observed {} from {} (sha256 {})",
        s(&f["date"]),
        f["version"],
        s(&f["proof"]["observed_at"]),
        s(&f["proof"]["source"]),
        s(&f["proof"]["sha256"]),
    );
    match f["replaced_at"].as_str() {
        Some(t) => line.push_str(&format!("; replaced {t}")),
        None => line.push_str("; not replaced since"),
    }
    if let Some(archive) = f["provenance"]["archive"].as_str() {
        line.push_str(&format!(
            "; archived by {archive} {}",
            f["provenance"]["commit"].as_str().unwrap_or("")
        ));
    }
    line
}
