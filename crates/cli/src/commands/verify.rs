//! `clausewatch verify`: re-hash the archive, rebuild versions from their
//! snapshots, check the hash-chained manifest, and look for versions
//! without their derived data (analysis row, search index entries); exit 1
//! with a readable list when anything is wrong.

use crate::args::Format;
use crate::output;
use anyhow::Context;
use cw_engine::Engine;
use cw_store::Problem;
use std::process::ExitCode;

pub(crate) async fn run(
    engine: &Engine,
    format: Format,
    expect_head: Option<&str>,
    no_rebuild: bool,
) -> anyhow::Result<ExitCode> {
    let store = engine.store();
    let archive = store
        .verify_archive(expect_head)
        .await
        .context("cannot verify the archive")?;
    let rebuild = if no_rebuild {
        None
    } else {
        Some(
            cw_report::rebuild_check(store)
                .await
                .context("cannot rebuild versions from their snapshots")?,
        )
    };
    let missing = engine
        .missing_derived()
        .await
        .context("cannot compare the analyses and the search index with the store")?;
    let mut problems: Vec<Problem> = archive.problems.clone();
    if let Some(r) = &rebuild {
        problems.extend(r.problems.iter().cloned());
    }
    problems.extend(derived_problems(&missing));
    if format == Format::Json {
        output::json(&serde_json::json!({
            "ok": problems.is_empty(),
            "archive": archive,
            "rebuild": rebuild,
            "derived": {
                "lacking_analysis": missing.lacking_analysis.len(),
                "lacking_index": missing.lacking_index.len(),
            },
            "problems": problems,
        }))?;
    } else {
        let mut t = String::new();
        if let Some(n) = archive.backfilled {
            t.push_str(&format!(
                "note: this home predates the manifest; {n} existing records were entered now (one-time backfill). \
                 The manifest vouches for them as of now, not for any change made before.\n"
            ));
        }
        t.push_str(&format!(
            "blobs: {} re-hashed ({} not referenced by any snapshot)\n",
            archive.blobs_checked, archive.unreferenced_blobs
        ));
        t.push_str(&format!(
            "records: {} versions, {} snapshots, {} observations compared with {} manifest entries\n",
            archive.versions, archive.snapshots, archive.observations, archive.manifest_entries
        ));
        match &rebuild {
            Some(r) => {
                t.push_str(&format!(
                    "rebuild: {} snapshots of {} versions re-extracted with {}\n",
                    r.snapshots_rebuilt, r.versions, r.current_extractor
                ));
                for n in &r.notes {
                    t.push_str(&format!("  note: {}\n", n.detail));
                }
            }
            None => t.push_str("rebuild: skipped (--no-rebuild)\n"),
        }
        t.push_str(&format!(
            "derived data: {} versions without an analysis, {} without search entries\n",
            missing.lacking_analysis.len(),
            missing.lacking_index.len()
        ));
        match &archive.chain_head {
            Some(h) => t.push_str(&format!(
                "manifest chain head: {} (entry {}); keep it to check later with --expect-head\n",
                h.chain_hash, h.seq
            )),
            None => t.push_str("manifest chain head: empty\n"),
        }
        if problems.is_empty() {
            t.push_str("OK: no problem found\n");
        } else {
            t.push_str(&format!("{} problem(s):\n", problems.len()));
            for p in &problems {
                t.push_str(&format!("  [{}] {}\n", p.code, p.detail));
            }
        }
        output::text(&t)?;
    }
    if problems.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        output::error_line(&anyhow::anyhow!(
            "verification found {} problem(s)",
            problems.len()
        ));
        Ok(ExitCode::FAILURE)
    }
}

/// One problem per version lacking an analysis row or index entries; the
/// next `import` (or `watch`) catches them up, `reindex` and `analyze --all`
/// rebuild them.
fn derived_problems(missing: &cw_engine::MissingDerived) -> Vec<Problem> {
    let analysis = missing.lacking_analysis.iter().map(|(key, n)| {
        Problem::new(
            "analysis_missing",
            format!("{key}@{n}"),
            format!("version {n} of {key} has no analysis (run `clausewatch analyze --all`, or any import catches it up)"),
        )
    });
    let index = missing.lacking_index.iter().map(|(key, n)| {
        Problem::new(
            "index_missing",
            format!("{key}@{n}"),
            format!("version {n} of {key} has no search index entries (run `clausewatch reindex`, or any import catches it up)"),
        )
    });
    analysis.chain(index).collect()
}
