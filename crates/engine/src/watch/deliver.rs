//! Delivering the alert outbox: one round per due row (webhook, email or
//! feed file), logged attempt by attempt; failed rounds are retried later
//! with a doubling wait, then given up. Also the Atom feed files:
//! `<home>/feeds/<name>.xml` per feed subscription and
//! `<home>/feeds/documents/<platform>/<document>.xml` per watched document.

use super::{FEEDS_DIR, WatchError, Watcher};
use chrono::Utc;
use cw_model::DocumentKey;
use cw_notify::{Alert, Channel, DeliveryRecord};
use cw_store::{DeliveryAttempt, OutboxRow, RoundResult, SubscriptionRow};
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::task::JoinSet;

/// How many outbox rows are read at a time.
const BATCH: u32 = 200;
/// Deliveries in flight at once.
const PARALLEL: usize = 16;
/// Entries kept in a feed file.
const FEED_ENTRIES: usize = 100;

/// What a delivery pass did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DeliveryReport {
    /// Rows delivered.
    pub delivered: usize,
    /// Rows whose round failed and that will be retried.
    pub retrying: usize,
    /// Rows given up.
    pub failed: usize,
}

/// The feed file of a feed subscription.
pub fn subscription_feed_path(home: &Path, name: &str) -> PathBuf {
    home.join(FEEDS_DIR).join(format!("{}.xml", safe(name)))
}

/// The feed file of a document.
pub fn document_feed_path(home: &Path, document: &DocumentKey) -> PathBuf {
    home.join(FEEDS_DIR)
        .join("documents")
        .join(safe(&document.platform))
        .join(format!("{}.xml", safe(&document.document)))
}

/// Keeps a name to one path component.
fn safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect::<String>()
        .trim_start_matches('.')
        .to_string()
}

impl Watcher {
    /// Delivers every due outbox row. Rows of one pass run
    /// [`PARALLEL`] at a time; each webhook or email round retries within
    /// the retry policy's 60 s budget.
    pub async fn deliver_due(self: &Arc<Self>) -> Result<DeliveryReport, WatchError> {
        let mut report = DeliveryReport::default();
        loop {
            let rows = self.store().due_alerts(self.store().now(), BATCH).await?;
            if rows.is_empty() {
                break;
            }
            let full = rows.len() == BATCH as usize;
            let subs: HashMap<i64, SubscriptionRow> = self
                .store()
                .subscriptions(false)
                .await?
                .into_iter()
                .map(|s| (s.id, s))
                .collect();
            let mut tasks: JoinSet<Result<DeliveryReport, WatchError>> = JoinSet::new();
            for row in rows {
                while tasks.len() >= PARALLEL {
                    if let Some(done) = tasks.join_next().await {
                        merge(&mut report, done);
                    }
                }
                let Some(sub) = subs.get(&row.subscription_id).cloned() else {
                    continue;
                };
                let watcher = Arc::clone(self);
                tasks.spawn(async move { watcher.deliver_one(&row, &sub).await });
            }
            while let Some(done) = tasks.join_next().await {
                merge(&mut report, done);
            }
            if !full {
                break;
            }
        }
        Ok(report)
    }

    /// One delivery round of one outbox row, logged. Whoever calls it must
    /// own the row's round (the `deliver_due` pass of one `watch` process,
    /// or the `deliver` job of a worker).
    pub(crate) async fn deliver_one(
        &self,
        row: &OutboxRow,
        sub: &SubscriptionRow,
    ) -> Result<DeliveryReport, WatchError> {
        self.store().start_delivery(row.id).await?;
        let channel: Channel = serde_json::from_str(&sub.channel)?;
        let alert = self
            .build_alert(&row.document, row.version_number)
            .await?
            .map(|a| a.for_subscription(&sub.name));
        let record = match alert {
            None => refused(row, &channel, "the change record is missing".into()),
            Some(alert) => {
                if alert.id != row.alert_id {
                    tracing::warn!(row = row.id, "alert id differs from the queued one");
                }
                match &channel {
                    Channel::Webhook { url, secret } => {
                        self.webhook
                            .deliver(url, secret.as_bytes(), &alert, sub.allow_private)
                            .await
                    }
                    Channel::Email { to } => match &self.email {
                        Some(sender) => sender.deliver(to, &alert, sub.allow_private).await,
                        None => refused(
                            row,
                            &channel,
                            "no SMTP server configured (watch --smtp-host)".into(),
                        ),
                    },
                    Channel::Feed { name } => match self.write_subscription_feed(sub, name).await {
                        Ok(()) => delivered(row, &channel, name),
                        Err(e) => refused(row, &channel, e.to_string()),
                    },
                    _ => refused(row, &channel, "unknown channel".into()),
                }
            }
        };
        let attempts: Vec<DeliveryAttempt> = record
            .attempts
            .iter()
            .map(|a| DeliveryAttempt {
                attempt: a.number,
                at: a.at,
                outcome: serde_json::to_value(a.outcome)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_else(|| format!("{:?}", a.outcome)),
                status: a.status,
                detail: a.detail.clone(),
                elapsed_ms: a.elapsed_ms,
            })
            .collect();
        let mut report = DeliveryReport::default();
        let result = if record.ok {
            report.delivered += 1;
            RoundResult::Delivered
        } else {
            let error = record.last_error().unwrap_or("not delivered").to_string();
            let round = row.rounds + 1;
            if round >= self.config.delivery_rounds {
                report.failed += 1;
                RoundResult::Failed { error }
            } else {
                report.retrying += 1;
                let wait = self
                    .config
                    .round_backoff
                    .saturating_mul(1u32 << (round - 1).min(10));
                RoundResult::Retry {
                    next_attempt_at: self.store().now()
                        + chrono::Duration::from_std(wait)
                            .unwrap_or_else(|_| chrono::Duration::hours(1)),
                    error,
                }
            }
        };
        tracing::info!(row = row.id, subscription = %sub.name, document = %row.document,
            version = row.version_number, ok = record.ok, "alert delivery round");
        self.store()
            .finish_delivery(row.id, &attempts, &result)
            .await?;
        Ok(report)
    }

    /// Rewrites a feed subscription's file from its outbox (newest first).
    async fn write_subscription_feed(
        &self,
        sub: &SubscriptionRow,
        name: &str,
    ) -> Result<(), WatchError> {
        let rows = self.store().outbox(Some(sub.id)).await?;
        let mut alerts = Vec::new();
        for row in rows.iter().rev().take(FEED_ENTRIES) {
            if let Some(alert) = self.build_alert(&row.document, row.version_number).await? {
                alerts.push(alert.for_subscription(&sub.name));
            }
        }
        let xml = cw_notify::atom_feed(
            &cw_notify::subscription_feed_id(name),
            &format!("clausewatch: {name}"),
            None,
            &alerts,
            newest(&alerts),
        );
        let path = subscription_feed_path(self.store().home(), name);
        write(path, xml).await
    }

    /// Rewrites a document's feed from the versions watching promoted.
    pub(crate) async fn write_document_feed(
        &self,
        document: &DocumentKey,
    ) -> Result<(), WatchError> {
        let numbers = self.store().promoted_versions(document).await?;
        let mut alerts = Vec::new();
        for number in numbers.iter().rev().take(FEED_ENTRIES) {
            if let Some(alert) = self.build_alert(document, *number).await? {
                alerts.push(alert);
            }
        }
        let key = document.to_string();
        let xml = cw_notify::atom_feed(
            &cw_notify::document_feed_id(&key),
            &format!("clausewatch: {key}"),
            None,
            &alerts,
            newest(&alerts),
        );
        write(document_feed_path(self.store().home(), document), xml).await
    }

    /// Rewrites every watched document's feed (at daemon start, so a crash
    /// between a promotion and its feed write heals).
    pub async fn refresh_document_feeds(&self) -> Result<(), WatchError> {
        for document in self.store().documents_with_promoted_versions().await? {
            self.write_document_feed(&document).await?;
        }
        Ok(())
    }
}

/// Writes an empty (or current) feed file for a new feed subscription.
pub async fn write_empty_feed(home: &Path, name: &str) -> Result<PathBuf, WatchError> {
    let path = subscription_feed_path(home, name);
    if !path.exists() {
        let xml = cw_notify::atom_feed(
            &cw_notify::subscription_feed_id(name),
            &format!("clausewatch: {name}"),
            None,
            &[],
            Utc::now(),
        );
        write(path.clone(), xml).await?;
    }
    Ok(path)
}

fn newest(alerts: &[Alert]) -> chrono::DateTime<Utc> {
    alerts
        .iter()
        .map(|a| a.observed_at)
        .max()
        .unwrap_or_else(Utc::now)
}

async fn write(path: PathBuf, xml: String) -> Result<(), WatchError> {
    tokio::task::spawn_blocking(move || cw_notify::write_feed_file(&path, &xml))
        .await
        .map_err(|e| WatchError::Invalid(format!("feed task: {e}")))?
        .map_err(|e| WatchError::Invalid(format!("writing the feed: {e}")))
}

fn merge(
    report: &mut DeliveryReport,
    done: Result<Result<DeliveryReport, WatchError>, tokio::task::JoinError>,
) {
    match done {
        Ok(Ok(r)) => {
            report.delivered += r.delivered;
            report.retrying += r.retrying;
            report.failed += r.failed;
        }
        Ok(Err(e)) => tracing::error!(error = %e, "delivery failed"),
        Err(e) => tracing::error!(error = %e, "delivery task failed"),
    }
}

fn record(
    row: &OutboxRow,
    channel: &Channel,
    target: &str,
    ok: bool,
    detail: Option<String>,
) -> DeliveryRecord {
    DeliveryRecord {
        alert_id: row.alert_id.clone(),
        channel: channel.kind().to_string(),
        target: target.to_string(),
        attempts: vec![cw_notify::Attempt {
            number: 1,
            at: Utc::now(),
            elapsed_ms: 0,
            outcome: if ok {
                cw_notify::AttemptOutcome::Delivered
            } else {
                cw_notify::AttemptOutcome::Final
            },
            status: None,
            detail,
        }],
        ok,
    }
}

fn refused(row: &OutboxRow, channel: &Channel, why: String) -> DeliveryRecord {
    record(row, channel, channel.kind(), false, Some(why))
}

fn delivered(row: &OutboxRow, channel: &Channel, target: &str) -> DeliveryRecord {
    record(row, channel, target, true, None)
}
