//! The `watch` daemon: cycles as sources fall due, a delivery loop woken
//! as soon as a change is confirmed (and every second for retries), and a
//! graceful shutdown: no new fetch starts, in-flight fetches get a grace
//! period and are then abandoned, the delivery round in progress finishes.

use super::{CycleReport, DeliveryReport, WatchError, Watcher};
use serde::Serialize;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// What a `watch` run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunReport {
    /// Cycles run.
    pub cycles: usize,
    /// The last cycle's report (the only one with `--once`).
    pub last_cycle: CycleReport,
    /// Deliveries over the whole run.
    pub deliveries: DeliveryReport,
    /// Analysis and search indexing of new versions, after the fetches,
    /// over the whole run.
    pub derived: crate::DeriveReport,
}

/// Longest sleep between two looks at the schedule.
const MAX_IDLE: Duration = Duration::from_secs(30);

impl Watcher {
    /// Runs one cycle (due sources, or all active ones with
    /// `ignore_schedule`), delivers every due alert, and returns.
    pub async fn run_once(
        self: &Arc<Self>,
        ignore_schedule: bool,
    ) -> Result<RunReport, WatchError> {
        let (_stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        if let Err(e) = self.refresh_document_feeds().await {
            tracing::warn!(error = %e, "document feeds not refreshed");
        }
        let cycle = self.run_cycle(ignore_schedule, stop_rx).await?;
        // Alerts first: they need no analysis (their labels come from the
        // change itself); then the new versions' analysis and index entries,
        // so both are current when `watch --once` exits.
        let deliveries = self.deliver_due().await?;
        let derived = self.derive_pending(|| false).await;
        Ok(RunReport {
            cycles: 1,
            last_cycle: cycle,
            deliveries,
            derived,
        })
    }

    /// Runs until `shutdown` completes: cycles when sources are due,
    /// deliveries within a second of a confirmed change.
    pub async fn run(
        self: &Arc<Self>,
        shutdown: impl Future<Output = ()> + Send,
    ) -> Result<RunReport, WatchError> {
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        if let Err(e) = self.refresh_document_feeds().await {
            tracing::warn!(error = %e, "document feeds not refreshed");
        }
        let delivery = {
            let watcher = Arc::clone(self);
            let mut stop = stop_rx.clone();
            tokio::spawn(async move {
                let mut total = DeliveryReport::default();
                loop {
                    match watcher.deliver_due().await {
                        Ok(r) => {
                            total.delivered += r.delivered;
                            total.retrying += r.retrying;
                            total.failed += r.failed;
                        }
                        Err(e) => tracing::error!(error = %e, "delivery pass failed"),
                    }
                    if *stop.borrow() {
                        break;
                    }
                    tokio::select! {
                        () = watcher.wake_delivery.notified() => {}
                        () = tokio::time::sleep(Duration::from_secs(1)) => {}
                        _ = stop.changed() => break,
                    }
                }
                total
            })
        };
        let cycles = {
            let watcher = Arc::clone(self);
            let mut stop = stop_rx.clone();
            tokio::spawn(async move {
                let mut report = RunReport::default();
                loop {
                    if *stop.borrow() {
                        break;
                    }
                    match watcher.run_cycle(false, stop.clone()).await {
                        Ok(cycle) => {
                            if cycle.sources > 0 || cycle.abandoned > 0 {
                                report.cycles += 1;
                                report.last_cycle = cycle;
                            }
                        }
                        Err(e) => tracing::error!(error = %e, "watch cycle failed"),
                    }
                    // The cycle's new versions: analysis and index entries,
                    // in batches, stopping between batches on shutdown.
                    let stopping = stop.clone();
                    let derived = watcher.derive_pending(move || *stopping.borrow()).await;
                    report.derived.versions += derived.versions;
                    report.derived.skipped += derived.skipped;
                    report.derived.batches += derived.batches;
                    report.derived.elapsed_ms += derived.elapsed_ms;
                    let wait = match watcher.store().next_due().await {
                        Ok(Some(next)) => (next - watcher.store().now())
                            .to_std()
                            .unwrap_or(Duration::ZERO)
                            .clamp(Duration::from_millis(200), MAX_IDLE),
                        Ok(None) => MAX_IDLE,
                        Err(e) => {
                            tracing::error!(error = %e, "cannot read the schedule");
                            MAX_IDLE
                        }
                    };
                    tokio::select! {
                        () = tokio::time::sleep(wait) => {}
                        _ = stop.changed() => break,
                    }
                }
                report
            })
        };
        shutdown.await;
        tracing::info!("shutting down: no new fetches; waiting for in-flight work");
        let _ = stop_tx.send(true);
        let mut report = cycles
            .await
            .map_err(|e| WatchError::Invalid(format!("cycle task: {e}")))?;
        report.deliveries = delivery
            .await
            .map_err(|e| WatchError::Invalid(format!("delivery task: {e}")))?;
        Ok(report)
    }
}
