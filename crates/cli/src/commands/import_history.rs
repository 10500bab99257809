//! `clausewatch import-history SOURCE`: backfills a whole history from
//! another archive (issue #23), with progress on stderr.

use crate::args::{Format, HistoryKind};
use crate::output;
use anyhow::Context;
use cw_backfill::{History, OpenOptions, SourceKind};
use cw_engine::{Engine, HistoryImportOptions, HistoryStatus, HistoryStep};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// The command's arguments.
pub(crate) struct Args {
    pub(crate) source: PathBuf,
    pub(crate) snapshots: Option<PathBuf>,
    pub(crate) document: Option<String>,
    pub(crate) kind: Option<HistoryKind>,
    pub(crate) derive: bool,
    pub(crate) quiet: bool,
    pub(crate) format: Format,
}

fn status_text(s: HistoryStatus) -> &'static str {
    match s {
        HistoryStatus::AlreadyImported => "already imported",
        HistoryStatus::NewVersion => "new version",
        HistoryStatus::SameContent => "same content as",
        HistoryStatus::TechnicalUpgrade => "technical upgrade of",
        HistoryStatus::UpgradeUnchanged => "upgrade, unchanged",
        HistoryStatus::Refused => "refused",
    }
}

fn progress_line(step: &HistoryStep) -> String {
    let mut line = format!(
        "[{}/{}] {} {}: {}",
        step.done,
        step.total,
        step.document,
        step.captured_at.format("%Y-%m-%dT%H:%M:%SZ"),
        status_text(step.status)
    );
    if let Some(v) = step.version {
        let _ = write!(line, " {v}");
    }
    if let Some(r) = &step.reason {
        let _ = write!(line, " ({r})");
    }
    line
}

pub(crate) async fn run(engine: &Engine, args: Args) -> anyhow::Result<ExitCode> {
    let kind = args.kind.map(|k| match k {
        HistoryKind::Git => SourceKind::OtaGit,
        HistoryKind::Dataset => SourceKind::OtaDataset,
        HistoryKind::Corpus => SourceKind::Corpus,
        HistoryKind::Folder => SourceKind::DatedFolder,
    });
    let document = args
        .document
        .as_deref()
        .map(|d| {
            d.parse()
                .with_context(|| format!("bad document name {d:?}"))
        })
        .transpose()?;
    let options = OpenOptions {
        kind,
        snapshots: args.snapshots.clone(),
    };
    // Listing reads commits and trees, not contents: quick enough to run in
    // place (a gix repository without its `parallel` feature is not Send).
    let history = History::open(&args.source, &options)
        .with_context(|| format!("cannot read the history at {}", args.source.display()))?;
    if history.kind() == SourceKind::DatedFolder && document.is_none() {
        anyhow::bail!(
            "{} is a folder of dated copies: name the document they are versions of with --document PLATFORM/DOCUMENT",
            args.source.display()
        );
    }
    let quiet = args.quiet;
    // On a terminal a bar (with the latest item as its message); else one
    // line per recorded item, for logs.
    let bar = crate::progress::bar("importing history");
    let mut progress = |step: &HistoryStep| {
        if quiet {
            return;
        }
        if crate::progress::visible() {
            bar.set_length(step.total as u64);
            bar.set_position(step.done as u64);
            bar.set_message(progress_line(step));
        } else if step.status != HistoryStatus::AlreadyImported || step.done.is_multiple_of(100) {
            // Every recorded item is shown; skipped ones every 100 (a
            // resumed run is quick). On stderr, so `--format json` on
            // stdout stays clean.
            let _ = writeln!(std::io::stderr(), "{}", progress_line(step));
        }
    };
    let report = engine
        .import_history(
            &history,
            &HistoryImportOptions {
                document,
                derive: args.derive,
            },
            &mut progress,
        )
        .await
        .context("import-history stopped (what was recorded stays; run it again to resume)")?;
    bar.finish_and_clear();
    if args.format == Format::Json {
        output::json(&report)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = format!(
        "{} item(s) of {} document(s) in {:.1}s: {} new version(s), {} same content, {} technical upgrade(s), {} upgrade(s) with unchanged content, {} refused, {} already imported\n",
        report.items,
        report.documents,
        report.seconds,
        report.new_versions,
        report.same_content,
        report.technical_upgrades,
        report.upgrades_unchanged,
        report.refused.len(),
        report.already_imported,
    );
    for r in &report.refused {
        let _ = writeln!(
            out,
            "  refused {} {} {}: {}",
            r.document, r.archive, r.item, r.reason
        );
    }
    if report.recorded_nothing() {
        out.push_str("nothing recorded: every item was imported before\n");
    }
    output::text(&out)?;
    Ok(ExitCode::SUCCESS)
}
