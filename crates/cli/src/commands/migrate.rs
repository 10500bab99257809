//! `clausewatch migrate`: copies a whole database to another engine
//! (`--from sqlite://… --to postgres://…`, or back) with
//! [`cw_store::copy_database`], and optionally the archive's blobs from one
//! location to another (a folder or an S3 bucket). Exit code 1 when any
//! table's read-back differs from its source, or a blob cannot be copied.

use crate::args::Format;
use crate::output;
use anyhow::Context;
use cw_store::{Archive, CopyReport, DatabaseLocation, StoreError};
use serde::Serialize;
use std::process::ExitCode;

/// The values of `migrate`.
pub(crate) struct MigrateArgs {
    pub(crate) from: String,
    pub(crate) to: String,
    pub(crate) archive_from: Option<String>,
    pub(crate) archive_to: Option<String>,
    pub(crate) format: Format,
}

/// What an archive copy did.
#[derive(Debug, Default, Serialize)]
struct ArchiveCopy {
    from: String,
    to: String,
    /// Blobs in the source.
    blobs: u64,
    /// Blobs written to the target (the others were there already).
    copied: u64,
    /// Blobs that could not be read, written or read back intact.
    errors: Vec<String>,
}

#[derive(Serialize)]
struct Report {
    database: CopyReport,
    archive: Option<ArchiveCopy>,
}

/// Runs `migrate`.
pub(crate) async fn run(args: MigrateArgs) -> anyhow::Result<ExitCode> {
    let from = DatabaseLocation::parse(&args.from).context("--from")?;
    let to = DatabaseLocation::parse(&args.to).context("--to")?;
    if let DatabaseLocation::Sqlite(path) = &from
        && !path.is_file()
    {
        anyhow::bail!("--from: no SQLite database at {}", path.display());
    }
    let database = cw_store::copy_database(&from, &to)
        .await
        .with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))?;
    let archive = match (args.archive_from, args.archive_to) {
        (Some(src), Some(dst)) => Some(
            tokio::task::spawn_blocking(move || copy_archive(&src, &dst))
                .await
                .context("archive copy task")??,
        ),
        _ => None,
    };
    let ok = database.verified() && archive.as_ref().is_none_or(|a| a.errors.is_empty());
    let report = Report { database, archive };
    if args.format == Format::Json {
        output::json(&report)?;
    } else {
        output::text(&render(&report))?;
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Copies every blob of one archive into another: read (which re-hashes),
/// put (skipped when present), and read back from the target.
fn copy_archive(from: &str, to: &str) -> anyhow::Result<ArchiveCopy> {
    let source = Archive::open_location(from).with_context(|| format!("--archive-from {from}"))?;
    let target = Archive::open_location(to).with_context(|| format!("--archive-to {to}"))?;
    let mut report = ArchiveCopy {
        from: source.location(),
        to: target.location(),
        ..ArchiveCopy::default()
    };
    for id in source.iter() {
        let id = match id {
            Ok(id) => id,
            Err(e) => {
                report.errors.push(format!("listing: {e}"));
                continue;
            }
        };
        report.blobs += 1;
        let step = || -> Result<bool, StoreError> {
            if target.contains(&id) {
                target.verify(&id)?;
                return Ok(false);
            }
            let bytes = source.get(&id)?;
            target.put(&bytes)?;
            target.verify(&id)?;
            Ok(true)
        };
        match step() {
            Ok(true) => report.copied += 1,
            Ok(false) => {}
            Err(e) => report.errors.push(format!("{id}: {e}")),
        }
    }
    Ok(report)
}

fn render(report: &Report) -> String {
    let db = &report.database;
    let mut out = format!(
        "{} → {} (schema {}): {} rows in {} tables, {} ms\n",
        db.source,
        db.target,
        db.schema_version,
        db.rows(),
        db.tables.len(),
        db.elapsed_ms
    );
    for t in &db.tables {
        out.push_str(&format!(
            "  {:<24} {:>8} rows  {}  {}\n",
            t.table,
            t.target_rows,
            &t.target_hash[..16],
            if t.matches() {
                "ok".to_string()
            } else {
                format!(
                    "MISMATCH (source {} rows, {})",
                    t.source_rows,
                    &t.source_hash[..16]
                )
            }
        ));
    }
    out.push_str(if db.verified() {
        "database copy verified: every table has the same rows and content hash\n"
    } else {
        "database copy NOT verified: see the mismatches above\n"
    });
    if let Some(a) = &report.archive {
        out.push_str(&format!(
            "archive {} → {}: {} blobs, {} copied, {} errors\n",
            a.from,
            a.to,
            a.blobs,
            a.copied,
            a.errors.len()
        ));
        for e in &a.errors {
            out.push_str(&format!("  {e}\n"));
        }
    }
    out
}
