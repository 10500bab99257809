//! `clausewatch verify`: re-hash the archive, rebuild versions from their
//! snapshots, check the hash-chained manifest; exit 1 with a readable list
//! when anything is wrong.

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
    let mut problems: Vec<Problem> = archive.problems.clone();
    if let Some(r) = &rebuild {
        problems.extend(r.problems.iter().cloned());
    }
    if format == Format::Json {
        output::json(&serde_json::json!({
            "ok": problems.is_empty(),
            "archive": archive,
            "rebuild": rebuild,
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
