//! `clausewatch reextract [DOC]`: re-reads every archived snapshot with the
//! current extractor and records the differences as technical upgrades,
//! never as changes of the terms.

use crate::args::Format;
use crate::output;
use anyhow::Context;
use cw_engine::Engine;
use cw_model::DocumentKey;
use std::fmt::Write as _;
use std::process::ExitCode;

pub(crate) async fn run(
    engine: &Engine,
    document: Option<&str>,
    dry_run: bool,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let key: Option<DocumentKey> = document
        .map(|d| {
            d.parse()
                .with_context(|| format!("bad document name {d:?}"))
        })
        .transpose()?;
    let bar = crate::progress::bar("re-extracting documents");
    let report = engine
        .reextract_with_progress(key.as_ref(), dry_run, &mut crate::progress::hook(&bar))
        .await
        .context("re-extraction failed")?;
    bar.finish_and_clear();
    if format == Format::Json {
        output::json(&report)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = format!(
        "re-extracted {} version(s) of {} document(s) with {}: {} unchanged, {} technical upgrade(s){}\n",
        report.versions,
        report.documents,
        report.extractor_version,
        report.unchanged,
        report.upgrades.len(),
        if report.dry_run {
            " (dry run: nothing recorded)"
        } else {
            ""
        }
    );
    for u in &report.upgrades {
        let s = &u.summary;
        let _ = writeln!(
            out,
            "  {}@{} {}: technical upgrade {} → {}: {} added, {} removed, {} modified, {} moved; {} of {} provisions kept their lineage",
            u.document,
            u.version,
            u.observed_at.format("%Y-%m-%d"),
            u.old_extractor_version,
            u.new_extractor_version,
            s.added,
            s.removed,
            s.modified,
            s.moved,
            u.lineage_kept,
            u.provisions,
        );
    }
    if report.recomputed_changes > 0 {
        let _ = writeln!(
            out,
            "  {} change record(s) recomputed from the new extractions (not changes of the terms)",
            report.recomputed_changes
        );
    }
    for p in &report.problems {
        let _ = writeln!(
            out,
            "  warning: {}@{}: {}",
            p.document, p.version, p.problem
        );
    }
    output::text(&out)?;
    Ok(ExitCode::SUCCESS)
}
