//! Watching: the store side of `track`, `watch` and `subscribe`. Sources
//! (a URL per document, its schedule and last fetch state), the log of fetch
//! attempts, change candidates waiting for confirmation, subscriptions, the
//! alert outbox and the delivery log. The SQL is in `db::watch`; this file
//! holds the public row types and the `impl Store` block.
//!
//! Every method is one transaction. The two that matter for "no alert lost,
//! none sent twice" are [`Store::observe_candidate`] (a change is counted and
//! marked `confirmed` before its version is written) and
//! [`Store::promote_candidate`] (the candidate becomes `promoted` in the same
//! transaction that writes its alerts into the outbox, one row per
//! subscription, document and version at most).

use crate::db::{
    begin_read, begin_write, begin_write_alert, begin_write_source, documents, lock_source,
    watch as sql,
};
use crate::error::StoreError;
use crate::store::Store;
use crate::time::ts_to_text;
use crate::types::DocumentMeta;
use chrono::{DateTime, Utc};
use cw_model::DocumentKey;
use serde::{Serialize, Serializer};

/// The store-wide browser fallback setting: `on` (default) or `off`
/// (`clausewatch settings set browser-fallback off`).
pub const SETTING_BROWSER_FALLBACK: &str = "browser_fallback";

fn key_as_string<S: Serializer>(key: &DocumentKey, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(key)
}

/// When a source is fetched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Schedule {
    /// Every this many seconds after the previous fetch.
    Every(u64),
    /// At the times of a five-field cron pattern (UTC); the engine parses it.
    Cron(String),
}

/// What `track` records: a source and its settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSource {
    /// The document the source is a copy of (created if missing).
    pub document: DocumentKey,
    /// The URL fetched.
    pub url: String,
    /// When it is fetched.
    pub schedule: Schedule,
    /// CSS selectors whose content is kept (empty: the whole page).
    pub select_css: Vec<String>,
    /// CSS selectors whose content is dropped before extraction.
    pub remove_css: Vec<String>,
    /// Fetch with headless Chromium.
    pub browser: bool,
    /// Never retry in headless Chromium (`track --no-browser`): a page that
    /// needs it is the `needs_browser` fetch state.
    pub no_browser: bool,
    /// Expected language (BCP-47), also sent as `Accept-Language`.
    pub language: Option<String>,
    /// Private, loopback and link-local targets are allowed for this source
    /// (also needs `watch --allow-private`).
    pub allow_private: bool,
    /// Consecutive identical sightings a change needs to become a version.
    pub confirmations: u32,
}

/// The newest version of a source's document, as the watcher compares with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LatestVersion {
    /// Its number.
    pub number: u32,
    /// [`content_hash`](crate::content_hash) of its extraction.
    pub content_hash: String,
    /// How many provisions it has.
    pub provision_count: usize,
    /// Its language.
    pub language: String,
}

/// A change seen on a source, waiting for confirmation or already promoted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CandidateRow {
    /// Row id.
    pub id: i64,
    /// The source it was seen on.
    pub source_id: i64,
    /// Content hash of its extraction.
    pub content_hash: String,
    /// The archived bytes of its first sighting.
    pub sha256: String,
    /// First sighting.
    pub first_seen_at: DateTime<Utc>,
    /// Latest sighting.
    pub last_seen_at: DateTime<Utc>,
    /// Consecutive sightings so far.
    pub seen_count: u32,
    /// `pending`, `confirmed`, `promoted` or `superseded`.
    pub state: String,
    /// The version it became, once promoted.
    pub version_number: Option<u32>,
}

/// A tracked source with its settings and state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SourceRow {
    /// Row id.
    pub id: i64,
    /// `platform/document`.
    #[serde(serialize_with = "key_as_string")]
    pub document: DocumentKey,
    /// The URL fetched.
    pub url: String,
    /// When it is fetched.
    pub schedule: Schedule,
    /// CSS selectors whose content is kept.
    pub select_css: Vec<String>,
    /// CSS selectors whose content is dropped.
    pub remove_css: Vec<String>,
    /// Fetched with headless Chromium.
    pub browser: bool,
    /// Never retried in headless Chromium.
    pub no_browser: bool,
    /// Expected language.
    pub language: Option<String>,
    /// Private targets allowed.
    pub allow_private: bool,
    /// Sightings a change needs.
    pub confirmations: u32,
    /// Still tracked (false after `untrack`).
    pub active: bool,
    /// When it is next due.
    pub next_due_at: DateTime<Utc>,
    /// `ETag` of the last fetched page.
    pub etag: Option<String>,
    /// `Last-Modified` of the last fetched page.
    pub last_modified: Option<String>,
    /// State of the last attempt (`unchanged`, `bot_wall`, …), if any.
    pub last_state: Option<String>,
    /// Detail of the last attempt.
    pub last_detail: Option<String>,
    /// When the last attempt finished.
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// When the document was last seen (unchanged or changed).
    pub last_ok_at: Option<DateTime<Utc>>,
    /// Failed attempts since the last good one.
    pub consecutive_failures: u32,
    /// The newest version of the document, if any.
    pub latest_version: Option<LatestVersion>,
    /// The change waiting for confirmation (`pending` or `confirmed`), if any.
    pub candidate: Option<CandidateRow>,
}

/// One fetch attempt to log, with what it changes on its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttempt {
    /// The source fetched.
    pub source_id: i64,
    /// When the fetch started.
    pub started_at: DateTime<Utc>,
    /// When it finished.
    pub finished_at: DateTime<Utc>,
    /// What it meant for the document (`unchanged`, `bot_wall`, …).
    pub state: String,
    /// The fetch outcome code (`fetched`, `not_modified`, `timeout`, …).
    pub outcome: String,
    /// HTTP status, when a response arrived.
    pub http_status: Option<u16>,
    /// A line a person can read.
    pub detail: Option<String>,
    /// The archived raw bytes, when kept.
    pub sha256: Option<String>,
    /// The content hash of the extraction, when extracted.
    pub content_hash: Option<String>,
    /// Wall time of the fetch.
    pub elapsed_ms: u64,
    /// The version matched, created or confirmed.
    pub version_number: Option<u32>,
    /// The page was the document (resets the failure count, sets `last_ok_at`).
    pub ok: bool,
    /// New validators for conditional GET (`None`: keep the stored ones).
    pub validators: Option<(Option<String>, Option<String>)>,
    /// When the source is next due.
    pub next_due_at: DateTime<Utc>,
    /// Drop the waiting candidate (the page is back to the latest version).
    pub supersede_candidate: bool,
}

/// A logged fetch attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AttemptRow {
    /// Row id.
    pub id: i64,
    /// The source.
    pub source_id: i64,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it finished.
    pub finished_at: DateTime<Utc>,
    /// What it meant for the document.
    pub state: String,
    /// The fetch outcome code.
    pub outcome: String,
    /// HTTP status.
    pub http_status: Option<u16>,
    /// Detail.
    pub detail: Option<String>,
    /// The archived raw bytes.
    pub sha256: Option<String>,
    /// Content hash.
    pub content_hash: Option<String>,
    /// Wall time in milliseconds.
    pub elapsed_ms: u64,
    /// The version matched, created or confirmed.
    pub version_number: Option<u32>,
}

/// A subscription: where alerts go and which ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SubscriptionRow {
    /// Row id.
    pub id: i64,
    /// Its name (a slug; the feed name for feeds).
    pub name: String,
    /// The channel, `cw_notify::Channel` as JSON.
    pub channel: String,
    /// The filter, `cw_notify::Filter` as JSON.
    pub filter: String,
    /// Not unsubscribed.
    pub active: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Deliveries may reach loopback, private and other non-public
    /// addresses (`subscribe --allow-private`); otherwise every delivery
    /// target passes the address guard (migration 0010).
    pub allow_private: bool,
}

/// An alert to put in the outbox for one subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAlert {
    /// The subscription.
    pub subscription_id: i64,
    /// The idempotency key (`cw_notify::alert_id` scoped to the subscription).
    pub alert_id: String,
}

/// A row of the alert outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct OutboxRow {
    /// Row id.
    pub id: i64,
    /// The subscription.
    pub subscription_id: i64,
    /// `platform/document`.
    #[serde(serialize_with = "key_as_string")]
    pub document: DocumentKey,
    /// The version the change leads to.
    pub version_number: u32,
    /// The version it was compared with.
    pub old_version_number: Option<u32>,
    /// The idempotency key.
    pub alert_id: String,
    /// `pending`, `sending`, `delivered` or `failed`.
    pub state: String,
    /// Delivery rounds made (each round retries within itself).
    pub rounds: u32,
    /// When the next round may start.
    pub next_attempt_at: DateTime<Utc>,
    /// When the change was confirmed.
    pub created_at: DateTime<Utc>,
    /// When it was delivered.
    pub delivered_at: Option<DateTime<Utc>>,
    /// The last error.
    pub last_error: Option<String>,
}

/// One delivery attempt for the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryAttempt {
    /// 1, 2, … within the outbox row.
    pub attempt: u32,
    /// When it started.
    pub at: DateTime<Utc>,
    /// `delivered`, `retryable` or `final`.
    pub outcome: String,
    /// HTTP status or SMTP code.
    pub status: Option<u16>,
    /// Detail.
    pub detail: Option<String>,
    /// Duration.
    pub elapsed_ms: u64,
}

/// How a delivery round ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoundResult {
    /// Delivered.
    Delivered,
    /// Not delivered; try again from `next_attempt_at`.
    Retry {
        /// When.
        next_attempt_at: DateTime<Utc>,
        /// Why the round failed.
        error: String,
    },
    /// Not delivered; no more rounds.
    Failed {
        /// Why.
        error: String,
    },
}

impl Store {
    /// Records a source for `source.document` (creating the document), or
    /// updates and re-activates the document's existing source. The source
    /// is due at `next_due_at`.
    pub async fn track_source(
        &self,
        source: &NewSource,
        next_due_at: DateTime<Utc>,
    ) -> Result<SourceRow, StoreError> {
        let now = ts_to_text(self.now());
        let meta = DocumentMeta {
            source_url: Some(source.url.clone()),
            ..DocumentMeta::default()
        };
        let mut tx = begin_write(self.pool()).await?;
        let document_id = documents::ensure(&mut tx, &source.document, &meta, &now).await?;
        sql::upsert_source(&mut tx, document_id, source, &ts_to_text(next_due_at), &now).await?;
        let row = sql::source_by_document(&mut tx, document_id).await?;
        tx.commit().await?;
        row.ok_or_else(|| StoreError::not_found(format!("source of {}", source.document)))
    }

    /// A store-wide setting (`settings` table), e.g.
    /// [`SETTING_BROWSER_FALLBACK`].
    pub async fn setting(&self, name: &str) -> Result<Option<String>, StoreError> {
        let mut tx = begin_read(self.pool()).await?;
        let value = sql::setting(&mut tx, name).await?;
        tx.commit().await?;
        Ok(value)
    }

    /// Sets a store-wide setting.
    pub async fn set_setting(&self, name: &str, value: &str) -> Result<(), StoreError> {
        let now = ts_to_text(self.now());
        let mut tx = begin_write(self.pool()).await?;
        sql::set_setting(&mut tx, name, value, &now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stops tracking a document. Returns false when it had no active source.
    pub async fn untrack_source(&self, document: &DocumentKey) -> Result<bool, StoreError> {
        let now = ts_to_text(self.now());
        let mut tx = begin_write(self.pool()).await?;
        let Some(document_id) = documents::id(&mut tx, document).await? else {
            return Ok(false);
        };
        let changed = sql::deactivate_source(&mut tx, document_id, &now).await?;
        tx.commit().await?;
        Ok(changed)
    }

    /// Makes a document's source active and due at `due`: "re-check now"
    /// for a tracked source (the running `watch` or `worker` fetches it at
    /// its next look at the schedule), "resume" for a paused (untracked)
    /// one, with its settings and history as they were. Returns false when
    /// the document has no source.
    pub async fn make_source_due(
        &self,
        document: &DocumentKey,
        due: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let now = ts_to_text(self.now());
        let mut tx = begin_write(self.pool()).await?;
        let Some(document_id) = documents::id(&mut tx, document).await? else {
            return Ok(false);
        };
        let changed = sql::make_source_due(&mut tx, document_id, &ts_to_text(due), &now).await?;
        tx.commit().await?;
        Ok(changed)
    }

    /// Every source (only active ones unless `include_inactive`), by document.
    pub async fn sources(&self, include_inactive: bool) -> Result<Vec<SourceRow>, StoreError> {
        let mut tx = begin_read(self.pool()).await?;
        sql::list_sources(&mut tx, include_inactive, None).await
    }

    /// A source by row id, active or not (the `fetch` jobs of
    /// `clausewatch worker` name sources by id).
    pub async fn source_by_id(&self, id: i64) -> Result<Option<SourceRow>, StoreError> {
        let mut tx = begin_read(self.pool()).await?;
        sql::source_by_id(&mut tx, id).await
    }

    /// The source of a document, active or not.
    pub async fn source(&self, document: &DocumentKey) -> Result<Option<SourceRow>, StoreError> {
        let mut tx = begin_read(self.pool()).await?;
        let Some(document_id) = documents::id(&mut tx, document).await? else {
            return Ok(None);
        };
        sql::source_by_document(&mut tx, document_id).await
    }

    /// Active sources due at `now` (all active ones when `now` is `None`),
    /// most overdue first.
    pub async fn due_sources(
        &self,
        now: Option<DateTime<Utc>>,
    ) -> Result<Vec<SourceRow>, StoreError> {
        let mut tx = begin_read(self.pool()).await?;
        let due = now.map(ts_to_text);
        sql::list_sources(&mut tx, false, Some(due.as_deref())).await
    }

    /// The earliest `next_due_at` of the active sources.
    pub async fn next_due(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        sql::next_due(&mut conn).await
    }

    /// Logs one fetch attempt and updates its source, in one transaction
    /// (on PostgreSQL under the source's own lock, not the global one).
    pub async fn record_attempt(&self, attempt: &NewAttempt) -> Result<(), StoreError> {
        let now = ts_to_text(self.now());
        let mut tx = begin_write_source(self.pool(), attempt.source_id).await?;
        sql::insert_attempt(&mut tx, attempt).await?;
        sql::update_source_after(&mut tx, attempt, &now).await?;
        if attempt.supersede_candidate {
            sql::supersede_candidates(&mut tx, attempt.source_id, &now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Counts a sighting of changed content on a source: the waiting
    /// candidate with the same hash is seen once more (and becomes
    /// `confirmed` when it reaches the source's confirmations); a different
    /// hash supersedes it and starts a new candidate. Returns the candidate.
    pub async fn observe_candidate(
        &self,
        source_id: i64,
        content_hash: &str,
        sha256: &str,
        at: DateTime<Utc>,
    ) -> Result<CandidateRow, StoreError> {
        let now = ts_to_text(self.now());
        let mut tx = begin_write_source(self.pool(), source_id).await?;
        let row = sql::observe_candidate(
            &mut tx,
            source_id,
            content_hash,
            sha256,
            &ts_to_text(at),
            &now,
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Candidates confirmed but not yet promoted (a crash came between), with
    /// their sources.
    pub async fn confirmed_candidates(&self) -> Result<Vec<SourceRow>, StoreError> {
        let mut tx = begin_read(self.pool()).await?;
        let rows = sql::list_sources(&mut tx, true, None).await?;
        Ok(rows
            .into_iter()
            .filter(|s| s.candidate.as_ref().is_some_and(|c| c.state == "confirmed"))
            .collect())
    }

    /// Marks a candidate promoted to `version_number` and puts `alerts` in
    /// the outbox, in one transaction. Idempotent: alerts already in the
    /// outbox for the same subscription and version are kept as they are.
    pub async fn promote_candidate(
        &self,
        candidate_id: i64,
        document: &DocumentKey,
        version_number: u32,
        old_version_number: Option<u32>,
        alerts: &[NewAlert],
    ) -> Result<(), StoreError> {
        let now = ts_to_text(self.now());
        let mut tx = begin_write(self.pool()).await?;
        if let Some(source_id) = sql::candidate_source(&mut tx, candidate_id).await? {
            lock_source(&mut tx, source_id).await?;
        }
        let document_id = documents::require_id(&mut tx, document).await?;
        sql::promote_candidate(&mut tx, candidate_id, version_number, &now).await?;
        for alert in alerts {
            sql::insert_alert(
                &mut tx,
                alert,
                document_id,
                version_number,
                old_version_number,
                &now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Version numbers of a document that watching promoted (confirmed changes), oldest first.
    pub async fn promoted_versions(&self, document: &DocumentKey) -> Result<Vec<u32>, StoreError> {
        let mut tx = begin_read(self.pool()).await?;
        let Some(document_id) = documents::id(&mut tx, document).await? else {
            return Ok(Vec::new());
        };
        sql::promoted_versions(&mut tx, document_id).await
    }

    /// Every document with at least one version that watching promoted, in
    /// key order: one query, where asking [`Store::promoted_versions`] per
    /// source took ~2 s at 10,000 sources.
    pub async fn documents_with_promoted_versions(&self) -> Result<Vec<DocumentKey>, StoreError> {
        let mut tx = begin_read(self.pool()).await?;
        sql::documents_with_promoted_versions(&mut tx).await
    }

    /// The latest fetch attempts of a document's source, newest first.
    pub async fn fetch_attempts(
        &self,
        document: &DocumentKey,
        limit: u32,
    ) -> Result<Vec<AttemptRow>, StoreError> {
        let mut tx = begin_read(self.pool()).await?;
        let Some(document_id) = documents::id(&mut tx, document).await? else {
            return Ok(Vec::new());
        };
        sql::attempts(&mut tx, document_id, i64::from(limit)).await
    }

    /// Adds a subscription. `name` must be unique (a feed's name).
    /// `allow_private` lets its deliveries reach non-public addresses (see
    /// [`SubscriptionRow::allow_private`]); the caller has checked the
    /// channel against the address guard.
    pub async fn add_subscription(
        &self,
        name: Option<&str>,
        channel_json: &str,
        filter_json: &str,
        allow_private: bool,
    ) -> Result<SubscriptionRow, StoreError> {
        let now = ts_to_text(self.now());
        let mut tx = begin_write(self.pool()).await?;
        let row = sql::insert_subscription(
            &mut tx,
            name,
            channel_json,
            filter_json,
            allow_private,
            &now,
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Subscriptions (active ones unless `include_inactive`), oldest first.
    pub async fn subscriptions(
        &self,
        include_inactive: bool,
    ) -> Result<Vec<SubscriptionRow>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        sql::list_subscriptions(&mut conn, include_inactive).await
    }

    /// Deactivates a subscription by id or name; its pending alerts are not
    /// delivered. Returns false if no active subscription matched.
    pub async fn remove_subscription(&self, id_or_name: &str) -> Result<bool, StoreError> {
        let mut tx = begin_write(self.pool()).await?;
        let changed = sql::deactivate_subscription(&mut tx, id_or_name).await?;
        tx.commit().await?;
        Ok(changed)
    }

    /// Outbox rows to deliver at `now`: pending ones whose time has come and
    /// `sending` ones (a delivery interrupted by a crash), oldest first.
    pub async fn due_alerts(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OutboxRow>, StoreError> {
        let mut tx = begin_read(self.pool()).await?;
        sql::due_alerts(&mut tx, &ts_to_text(now), i64::from(limit)).await
    }

    /// Every outbox row of a subscription (all of them when `None`), oldest first.
    pub async fn outbox(&self, subscription_id: Option<i64>) -> Result<Vec<OutboxRow>, StoreError> {
        let mut tx = begin_read(self.pool()).await?;
        sql::outbox(&mut tx, subscription_id).await
    }

    /// One outbox row by id (the `deliver` jobs of `clausewatch worker`
    /// name rows by id).
    pub async fn outbox_row(&self, id: i64) -> Result<Option<OutboxRow>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        sql::outbox_row(&mut conn, id).await
    }

    /// Marks an outbox row as being delivered (a crash leaves it `sending`,
    /// and it is sent again with the same idempotency key).
    pub async fn start_delivery(&self, alert_row_id: i64) -> Result<(), StoreError> {
        let mut tx = begin_write_alert(self.pool(), alert_row_id).await?;
        sql::set_alert_state(&mut tx, alert_row_id, "sending").await?;
        tx.commit().await?;
        Ok(())
    }

    /// Logs a delivery round's attempts and its result, in one transaction.
    pub async fn finish_delivery(
        &self,
        alert_row_id: i64,
        attempts: &[DeliveryAttempt],
        result: &RoundResult,
    ) -> Result<(), StoreError> {
        let now = ts_to_text(self.now());
        let mut tx = begin_write_alert(self.pool(), alert_row_id).await?;
        sql::log_deliveries(&mut tx, alert_row_id, attempts).await?;
        sql::finish_alert(&mut tx, alert_row_id, result, &now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The delivery log of one outbox row, in order.
    pub async fn deliveries(&self, alert_row_id: i64) -> Result<Vec<DeliveryAttempt>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        sql::deliveries(&mut conn, alert_row_id).await
    }
}
