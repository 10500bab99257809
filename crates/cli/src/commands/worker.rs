//! `clausewatch worker`: one of several processes sharing the store's job
//! queue. It schedules due sources and alerts as jobs, claims jobs under a
//! lease and runs them with the watch pipeline (see
//! `cw_engine::watch::Watcher::run_worker`). `--until-idle` exits when the
//! queue is empty and nothing is due; SIGTERM or Ctrl-C stop it gracefully.

use super::watch::{self, WatchArgs};
use crate::args::Format;
use crate::output;
use anyhow::Context;
use cw_engine::Engine;
use cw_engine::watch::{Watcher, WorkerOptions, WorkerReport};
use std::process::ExitCode;

/// The worker's own values (the watcher's are in [`WatchArgs`]).
pub(crate) struct WorkerArgs {
    pub(crate) until_idle: bool,
    pub(crate) id: Option<String>,
    pub(crate) lease: String,
    pub(crate) batch: u32,
    pub(crate) poll: String,
    pub(crate) max_attempts: u32,
}

/// `HOST-PID`: unique among the live workers of one database.
fn default_id() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "worker".to_string());
    format!("{host}-{}", std::process::id())
}

/// Runs `worker`.
pub(crate) async fn run(
    engine: Engine,
    watch_args: WatchArgs,
    args: WorkerArgs,
) -> anyhow::Result<ExitCode> {
    let mut config = watch::config(&engine, &watch_args).await?;
    config.index_on_import = false;
    let mut options = WorkerOptions::new(args.id.unwrap_or_else(default_id));
    options.lease = watch::duration(&args.lease).context("--lease")?;
    if options.lease.is_zero() {
        anyhow::bail!("--lease must be longer than 0");
    }
    options.poll = watch::duration(&args.poll)
        .context("--poll")?
        .max(std::time::Duration::from_millis(10));
    options.batch = args.batch.max(1);
    options.max_attempts = args.max_attempts.max(1);
    options.until_idle = args.until_idle;
    let watcher =
        Watcher::new(engine.store().clone(), config).context("cannot start the worker")?;
    tracing::info!(worker = %options.id, "worker started");
    let report = watcher
        .run_worker(options, watch::shutdown_signal())
        .await?;
    print_report(&report, watch_args.format)?;
    Ok(ExitCode::SUCCESS)
}

fn print_report(report: &WorkerReport, format: Format) -> anyhow::Result<()> {
    if format == Format::Json {
        return output::json(report);
    }
    let list = |m: &std::collections::BTreeMap<String, usize>| {
        if m.is_empty() {
            "none".to_string()
        } else {
            m.iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let d = &report.deliveries;
    output::text(&format!(
        "worker {}: jobs done: {} ({} found their work done); {} failed attempts, {} leases lost, {} abandoned; fetches: {}; {} new versions, {} alerts queued; deliveries: {} delivered, {} retrying, {} failed; {} ms",
        report.worker,
        list(&report.completed),
        report.skipped,
        report.failed,
        report.lost_leases,
        report.abandoned,
        list(&report.fetch_states),
        report.new_versions,
        report.alerts_queued,
        d.delivered,
        d.retrying,
        d.failed,
        report.elapsed_ms,
    ))
}
