//! SQL for watching: sources, fetch attempts, change candidates,
//! subscriptions, the alert outbox and the delivery log (migration
//! `0004_watch`). Portable SQL only: `$N` placeholders, TEXT timestamps,
//! JSON as TEXT, `ON CONFLICT … DO NOTHING`, `RETURNING id`.

use super::{Conn, to_document_key, to_u32, to_u64, to_usize};
use crate::error::StoreError;
use crate::time::{ts_from_text, ts_to_text};
use crate::watch::{
    AttemptRow, CandidateRow, DeliveryAttempt, LatestVersion, NewAlert, NewAttempt, NewSource,
    OutboxRow, RoundResult, Schedule, SourceRow, SubscriptionRow,
};
use chrono::{DateTime, Utc};
use cw_model::DocumentKey;

fn opt_ts(s: Option<&str>) -> Result<Option<DateTime<Utc>>, StoreError> {
    s.map(ts_from_text).transpose()
}

fn opt_u32(n: Option<i64>, what: &str) -> Result<Option<u32>, StoreError> {
    n.map(|n| to_u32(n, what)).transpose()
}

fn json_list(s: &str) -> Result<Vec<String>, StoreError> {
    Ok(serde_json::from_str(s)?)
}

/// The columns of [`SourceRecord`]: the source, its document key, the
/// newest version (by observation) and the waiting candidate.
macro_rules! source_select {
    () => {
        "SELECT s.id, p.slug AS platform, d.slug AS document, s.url, s.every_secs, s.cron,
            s.select_css, s.remove_css, s.browser, s.no_browser, s.language, s.allow_private,
            s.confirmations, s.active, s.next_due_at, s.etag, s.last_modified, s.last_state,
            s.last_detail, s.last_attempt_at, s.last_ok_at, s.consecutive_failures,
            v.number AS v_number, v.content_hash AS v_hash,
            v.provision_count AS v_provisions, v.language AS v_language,
            c.id AS c_id, c.content_hash AS c_hash, c.sha256 AS c_sha256,
            c.first_seen_at AS c_first, c.last_seen_at AS c_last, c.seen_count AS c_seen,
            c.state AS c_state, c.version_number AS c_version
         FROM watch_sources s
         JOIN documents d ON d.id = s.document_id
         JOIN platforms p ON p.id = d.platform_id
         LEFT JOIN versions v ON v.id = (
             SELECT v2.id FROM versions v2 WHERE v2.document_id = s.document_id
             ORDER BY v2.observed_at DESC, v2.number DESC LIMIT 1)
         LEFT JOIN watch_candidates c ON c.id = (
             SELECT c2.id FROM watch_candidates c2
             WHERE c2.source_id = s.id AND c2.state IN ('pending', 'confirmed')
             ORDER BY c2.id DESC LIMIT 1)"
    };
}

#[derive(sqlx::FromRow)]
struct SourceRecord {
    id: i64,
    platform: String,
    document: String,
    url: String,
    every_secs: Option<i64>,
    cron: Option<String>,
    select_css: String,
    remove_css: String,
    browser: i64,
    no_browser: i64,
    language: Option<String>,
    allow_private: i64,
    confirmations: i64,
    active: i64,
    next_due_at: String,
    etag: Option<String>,
    last_modified: Option<String>,
    last_state: Option<String>,
    last_detail: Option<String>,
    last_attempt_at: Option<String>,
    last_ok_at: Option<String>,
    consecutive_failures: i64,
    v_number: Option<i64>,
    v_hash: Option<String>,
    v_provisions: Option<i64>,
    v_language: Option<String>,
    c_id: Option<i64>,
    c_hash: Option<String>,
    c_sha256: Option<String>,
    c_first: Option<String>,
    c_last: Option<String>,
    c_seen: Option<i64>,
    c_state: Option<String>,
    c_version: Option<i64>,
}

impl SourceRecord {
    fn into_row(self) -> Result<SourceRow, StoreError> {
        let schedule = match (self.every_secs, self.cron) {
            (Some(secs), None) => Schedule::Every(to_u64(secs, "every_secs")?),
            (None, Some(cron)) => Schedule::Cron(cron),
            _ => return Err(StoreError::bad_row(format!("source {} schedule", self.id))),
        };
        let latest_version = match (self.v_number, self.v_hash) {
            (Some(number), Some(content_hash)) => Some(LatestVersion {
                number: to_u32(number, "version number")?,
                content_hash,
                provision_count: to_usize(self.v_provisions.unwrap_or(0), "provision count")?,
                language: self.v_language.unwrap_or_default(),
            }),
            _ => None,
        };
        let candidate = match self.c_id {
            Some(id) => Some(CandidateRow {
                id,
                source_id: self.id,
                content_hash: self.c_hash.unwrap_or_default(),
                sha256: self.c_sha256.unwrap_or_default(),
                first_seen_at: ts_from_text(self.c_first.as_deref().unwrap_or_default())?,
                last_seen_at: ts_from_text(self.c_last.as_deref().unwrap_or_default())?,
                seen_count: to_u32(self.c_seen.unwrap_or(0), "seen_count")?,
                state: self.c_state.unwrap_or_default(),
                version_number: opt_u32(self.c_version, "version number")?,
            }),
            None => None,
        };
        Ok(SourceRow {
            id: self.id,
            document: DocumentKey {
                platform: self.platform,
                document: self.document,
            },
            url: self.url,
            schedule,
            select_css: json_list(&self.select_css)?,
            remove_css: json_list(&self.remove_css)?,
            browser: self.browser != 0,
            no_browser: self.no_browser != 0,
            language: self.language,
            allow_private: self.allow_private != 0,
            confirmations: to_u32(self.confirmations, "confirmations")?,
            active: self.active != 0,
            next_due_at: ts_from_text(&self.next_due_at)?,
            etag: self.etag,
            last_modified: self.last_modified,
            last_state: self.last_state,
            last_detail: self.last_detail,
            last_attempt_at: opt_ts(self.last_attempt_at.as_deref())?,
            last_ok_at: opt_ts(self.last_ok_at.as_deref())?,
            consecutive_failures: to_u32(self.consecutive_failures, "consecutive_failures")?,
            latest_version,
            candidate,
        })
    }
}

/// Inserts the document's source, or updates its settings and re-activates it.
pub(crate) async fn upsert_source(
    conn: &mut Conn,
    document_id: i64,
    source: &NewSource,
    next_due_at: &str,
    now: &str,
) -> Result<(), StoreError> {
    let (every, cron) = match &source.schedule {
        Schedule::Every(secs) => (Some(super::to_i64(*secs, "interval")?), None),
        Schedule::Cron(pattern) => (None, Some(pattern.as_str())),
    };
    sqlx::query(
        "INSERT INTO watch_sources (document_id, url, every_secs, cron, select_css, remove_css,
            browser, language, allow_private, confirmations, active, next_due_at,
            consecutive_failures, created_at, updated_at, no_browser)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, 0, $12, $12, $13)
         ON CONFLICT (document_id) DO UPDATE SET
            url = excluded.url, every_secs = excluded.every_secs, cron = excluded.cron,
            select_css = excluded.select_css, remove_css = excluded.remove_css,
            browser = excluded.browser, no_browser = excluded.no_browser,
            language = excluded.language,
            allow_private = excluded.allow_private, confirmations = excluded.confirmations,
            active = 1, next_due_at = excluded.next_due_at, updated_at = excluded.updated_at",
    )
    .bind(document_id)
    .bind(&source.url)
    .bind(every)
    .bind(cron)
    .bind(serde_json::to_string(&source.select_css)?)
    .bind(serde_json::to_string(&source.remove_css)?)
    .bind(i64::from(source.browser))
    .bind(source.language.as_deref())
    .bind(i64::from(source.allow_private))
    .bind(i64::from(source.confirmations.max(1)))
    .bind(next_due_at)
    .bind(now)
    .bind(i64::from(source.no_browser))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A store-wide setting's value (migration `0011_browser_settings`).
pub(crate) async fn setting(conn: &mut Conn, name: &str) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT value FROM settings WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

/// Sets a store-wide setting.
pub(crate) async fn set_setting(
    conn: &mut Conn,
    name: &str,
    value: &str,
    now: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO settings (name, value, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )
    .bind(name)
    .bind(value)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Clears `active`; true if the source was active.
pub(crate) async fn deactivate_source(
    conn: &mut Conn,
    document_id: i64,
    now: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE watch_sources SET active = 0, updated_at = $2 WHERE document_id = $1 AND active = 1",
    )
    .bind(document_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Makes a document's source active and due at `due` (re-check now, or
/// resume a paused source). False when the document has no source.
pub(crate) async fn make_source_due(
    conn: &mut Conn,
    document_id: i64,
    due: &str,
    now: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE watch_sources SET active = 1, next_due_at = $2, updated_at = $3 WHERE document_id = $1",
    )
    .bind(document_id)
    .bind(due)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// The source of one document.
pub(crate) async fn source_by_document(
    conn: &mut Conn,
    document_id: i64,
) -> Result<Option<SourceRow>, StoreError> {
    let record: Option<SourceRecord> =
        sqlx::query_as(concat!(source_select!(), " WHERE s.document_id = $1"))
            .bind(document_id)
            .fetch_optional(&mut *conn)
            .await?;
    record.map(SourceRecord::into_row).transpose()
}

/// One source by row id.
pub(crate) async fn source_by_id(
    conn: &mut Conn,
    id: i64,
) -> Result<Option<SourceRow>, StoreError> {
    let record: Option<SourceRecord> =
        sqlx::query_as(concat!(source_select!(), " WHERE s.id = $1"))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    record.map(SourceRecord::into_row).transpose()
}

/// Sources; with `due_before`, only active ones due by then, most overdue first.
pub(crate) async fn list_sources(
    conn: &mut Conn,
    include_inactive: bool,
    due_before: Option<Option<&str>>,
) -> Result<Vec<SourceRow>, StoreError> {
    let records: Vec<SourceRecord> = match due_before {
        Some(Some(ts)) => {
            sqlx::query_as(concat!(
                source_select!(),
                " WHERE s.active = 1 AND s.next_due_at <= $1 ORDER BY s.next_due_at, s.id"
            ))
            .bind(ts)
            .fetch_all(&mut *conn)
            .await?
        }
        Some(None) => {
            sqlx::query_as(concat!(
                source_select!(),
                " WHERE s.active = 1 ORDER BY s.next_due_at, s.id"
            ))
            .fetch_all(&mut *conn)
            .await?
        }
        None => {
            sqlx::query_as(concat!(
                source_select!(),
                " WHERE s.active = 1 OR $1 = 1 ORDER BY p.slug, d.slug"
            ))
            .bind(i64::from(include_inactive))
            .fetch_all(&mut *conn)
            .await?
        }
    };
    records.into_iter().map(SourceRecord::into_row).collect()
}

/// The earliest due time of the active sources.
pub(crate) async fn next_due(conn: &mut Conn) -> Result<Option<DateTime<Utc>>, StoreError> {
    let next: Option<String> =
        sqlx::query_scalar("SELECT MIN(next_due_at) FROM watch_sources WHERE active = 1")
            .fetch_one(&mut *conn)
            .await?;
    opt_ts(next.as_deref())
}

/// Logs a fetch attempt.
pub(crate) async fn insert_attempt(conn: &mut Conn, a: &NewAttempt) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO watch_fetch_attempts (source_id, started_at, finished_at, state, outcome,
            http_status, detail, sha256, content_hash, elapsed_ms, version_number)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(a.source_id)
    .bind(ts_to_text(a.started_at))
    .bind(ts_to_text(a.finished_at))
    .bind(&a.state)
    .bind(&a.outcome)
    .bind(a.http_status.map(i64::from))
    .bind(a.detail.as_deref())
    .bind(a.sha256.as_deref())
    .bind(a.content_hash.as_deref())
    .bind(super::to_i64(a.elapsed_ms, "elapsed_ms")?)
    .bind(a.version_number.map(i64::from))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Copies an attempt's result onto its source.
pub(crate) async fn update_source_after(
    conn: &mut Conn,
    a: &NewAttempt,
    now: &str,
) -> Result<(), StoreError> {
    let finished = ts_to_text(a.finished_at);
    let (set_validators, etag, last_modified) = match &a.validators {
        Some((etag, lm)) => (1i64, etag.as_deref(), lm.as_deref()),
        None => (0, None, None),
    };
    sqlx::query(
        "UPDATE watch_sources SET
            last_state = $2, last_detail = $3, last_attempt_at = $4,
            last_ok_at = CASE WHEN $5 = 1 THEN $4 ELSE last_ok_at END,
            consecutive_failures = CASE WHEN $5 = 1 THEN 0 ELSE consecutive_failures + 1 END,
            etag = CASE WHEN $6 = 1 THEN $7 ELSE etag END,
            last_modified = CASE WHEN $6 = 1 THEN $8 ELSE last_modified END,
            next_due_at = $9, updated_at = $10
         WHERE id = $1",
    )
    .bind(a.source_id)
    .bind(&a.state)
    .bind(a.detail.as_deref())
    .bind(&finished)
    .bind(i64::from(a.ok))
    .bind(set_validators)
    .bind(etag)
    .bind(last_modified)
    .bind(ts_to_text(a.next_due_at))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Drops the source's pending candidates.
pub(crate) async fn supersede_candidates(
    conn: &mut Conn,
    source_id: i64,
    now: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE watch_candidates SET state = 'superseded', updated_at = $2
         WHERE source_id = $1 AND state = 'pending'",
    )
    .bind(source_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct CandidateRecord {
    id: i64,
    source_id: i64,
    content_hash: String,
    sha256: String,
    first_seen_at: String,
    last_seen_at: String,
    seen_count: i64,
    state: String,
    version_number: Option<i64>,
}

impl CandidateRecord {
    fn into_row(self) -> Result<CandidateRow, StoreError> {
        Ok(CandidateRow {
            id: self.id,
            source_id: self.source_id,
            content_hash: self.content_hash,
            sha256: self.sha256,
            first_seen_at: ts_from_text(&self.first_seen_at)?,
            last_seen_at: ts_from_text(&self.last_seen_at)?,
            seen_count: to_u32(self.seen_count, "seen_count")?,
            state: self.state,
            version_number: opt_u32(self.version_number, "version number")?,
        })
    }
}

macro_rules! candidate_select {
    () => {
        "SELECT id, source_id, content_hash, sha256, first_seen_at, last_seen_at, seen_count,
            state, version_number FROM watch_candidates"
    };
}

/// The source of candidate `id`, if the candidate exists.
pub(crate) async fn candidate_source(conn: &mut Conn, id: i64) -> Result<Option<i64>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT source_id FROM watch_candidates WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

/// Counts one sighting of changed content (see `Store::observe_candidate`).
pub(crate) async fn observe_candidate(
    conn: &mut Conn,
    source_id: i64,
    content_hash: &str,
    sha256: &str,
    at: &str,
    now: &str,
) -> Result<CandidateRow, StoreError> {
    let confirmations: i64 =
        sqlx::query_scalar("SELECT confirmations FROM watch_sources WHERE id = $1")
            .bind(source_id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| StoreError::not_found(format!("source {source_id}")))?;
    let current: Option<CandidateRecord> = sqlx::query_as(concat!(
        candidate_select!(),
        " WHERE source_id = $1 AND state IN ('pending', 'confirmed') ORDER BY id DESC LIMIT 1"
    ))
    .bind(source_id)
    .fetch_optional(&mut *conn)
    .await?;
    let id = match current {
        Some(c) if c.content_hash == content_hash => {
            let seen = c.seen_count + 1;
            let state = if seen >= confirmations || c.state == "confirmed" {
                "confirmed"
            } else {
                "pending"
            };
            sqlx::query(
                "UPDATE watch_candidates SET seen_count = $2, last_seen_at = $3, state = $4,
                    updated_at = $5 WHERE id = $1",
            )
            .bind(c.id)
            .bind(seen)
            .bind(at)
            .bind(state)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            c.id
        }
        _ => {
            supersede_candidates(conn, source_id, now).await?;
            let state = if confirmations <= 1 {
                "confirmed"
            } else {
                "pending"
            };
            sqlx::query_scalar(
                "INSERT INTO watch_candidates (source_id, content_hash, sha256, first_seen_at,
                    last_seen_at, seen_count, state, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $4, 1, $5, $6, $6) RETURNING id",
            )
            .bind(source_id)
            .bind(content_hash)
            .bind(sha256)
            .bind(at)
            .bind(state)
            .bind(now)
            .fetch_one(&mut *conn)
            .await?
        }
    };
    let record: CandidateRecord = sqlx::query_as(concat!(candidate_select!(), " WHERE id = $1"))
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    record.into_row()
}

/// Marks a candidate promoted.
pub(crate) async fn promote_candidate(
    conn: &mut Conn,
    candidate_id: i64,
    version_number: u32,
    now: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE watch_candidates SET state = 'promoted', version_number = $2, updated_at = $3
         WHERE id = $1",
    )
    .bind(candidate_id)
    .bind(i64::from(version_number))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Puts one alert in the outbox unless it is there already.
pub(crate) async fn insert_alert(
    conn: &mut Conn,
    alert: &NewAlert,
    document_id: i64,
    version_number: u32,
    old_version_number: Option<u32>,
    now: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO watch_alerts (subscription_id, document_id, version_number,
            old_version_number, alert_id, state, rounds, next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6)
         ON CONFLICT (subscription_id, document_id, version_number) DO NOTHING",
    )
    .bind(alert.subscription_id)
    .bind(document_id)
    .bind(i64::from(version_number))
    .bind(old_version_number.map(i64::from))
    .bind(&alert.alert_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Version numbers promoted by watching, oldest first.
pub(crate) async fn promoted_versions(
    conn: &mut Conn,
    document_id: i64,
) -> Result<Vec<u32>, StoreError> {
    let numbers: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT c.version_number FROM watch_candidates c
         JOIN watch_sources s ON s.id = c.source_id
         WHERE s.document_id = $1 AND c.state = 'promoted' AND c.version_number IS NOT NULL
         ORDER BY c.version_number",
    )
    .bind(document_id)
    .fetch_all(&mut *conn)
    .await?;
    numbers
        .into_iter()
        .map(|n| to_u32(n, "version number"))
        .collect()
}

/// Documents with at least one version promoted by watching, by key.
pub(crate) async fn documents_with_promoted_versions(
    conn: &mut Conn,
) -> Result<Vec<DocumentKey>, StoreError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT DISTINCT p.slug, d.slug FROM watch_candidates c
         JOIN watch_sources s ON s.id = c.source_id
         JOIN documents d ON d.id = s.document_id
         JOIN platforms p ON p.id = d.platform_id
         WHERE c.state = 'promoted' AND c.version_number IS NOT NULL
         ORDER BY p.slug, d.slug",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(platform, document)| to_document_key(&platform, &document))
        .collect()
}

#[derive(sqlx::FromRow)]
struct AttemptRecord {
    id: i64,
    source_id: i64,
    started_at: String,
    finished_at: String,
    state: String,
    outcome: String,
    http_status: Option<i64>,
    detail: Option<String>,
    sha256: Option<String>,
    content_hash: Option<String>,
    elapsed_ms: i64,
    version_number: Option<i64>,
}

/// The latest attempts of a document's source, newest first.
pub(crate) async fn attempts(
    conn: &mut Conn,
    document_id: i64,
    limit: i64,
) -> Result<Vec<AttemptRow>, StoreError> {
    let records: Vec<AttemptRecord> = sqlx::query_as(
        "SELECT a.id, a.source_id, a.started_at, a.finished_at, a.state, a.outcome,
            a.http_status, a.detail, a.sha256, a.content_hash, a.elapsed_ms, a.version_number
         FROM watch_fetch_attempts a JOIN watch_sources s ON s.id = a.source_id
         WHERE s.document_id = $1 ORDER BY a.id DESC LIMIT $2",
    )
    .bind(document_id)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    records
        .into_iter()
        .map(|r| {
            Ok(AttemptRow {
                id: r.id,
                source_id: r.source_id,
                started_at: ts_from_text(&r.started_at)?,
                finished_at: ts_from_text(&r.finished_at)?,
                state: r.state,
                outcome: r.outcome,
                http_status: r
                    .http_status
                    .map(|s| {
                        u16::try_from(s).map_err(|_| StoreError::bad_row(format!("status {s}")))
                    })
                    .transpose()?,
                detail: r.detail,
                sha256: r.sha256,
                content_hash: r.content_hash,
                elapsed_ms: to_u64(r.elapsed_ms, "elapsed_ms")?,
                version_number: opt_u32(r.version_number, "version number")?,
            })
        })
        .collect()
}

#[derive(sqlx::FromRow)]
struct SubscriptionRecord {
    id: i64,
    name: String,
    channel: String,
    filter: String,
    active: i64,
    created_at: String,
    allow_private: i64,
}

impl SubscriptionRecord {
    fn into_row(self) -> Result<SubscriptionRow, StoreError> {
        Ok(SubscriptionRow {
            id: self.id,
            name: self.name,
            channel: self.channel,
            filter: self.filter,
            active: self.active != 0,
            created_at: ts_from_text(&self.created_at)?,
            allow_private: self.allow_private != 0,
        })
    }
}

/// Adds a subscription; without a name it is called `sub-<id>`.
pub(crate) async fn insert_subscription(
    conn: &mut Conn,
    name: Option<&str>,
    channel: &str,
    filter: &str,
    allow_private: bool,
    now: &str,
) -> Result<SubscriptionRow, StoreError> {
    // A unique placeholder until the id is known.
    let provisional = format!("~new-{now}");
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO watch_subscriptions (name, channel, filter, active, created_at, allow_private)
         VALUES ($1, $2, $3, 1, $4, $5) RETURNING id",
    )
    .bind(name.unwrap_or(&provisional))
    .bind(channel)
    .bind(filter)
    .bind(now)
    .bind(i64::from(allow_private))
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| match e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::InvalidImport {
            reason: format!(
                "a subscription named {:?} exists already",
                name.unwrap_or_default()
            ),
        },
        other => StoreError::Db(other),
    })?;
    if name.is_none() {
        sqlx::query("UPDATE watch_subscriptions SET name = $2 WHERE id = $1")
            .bind(id)
            .bind(format!("sub-{id}"))
            .execute(&mut *conn)
            .await?;
    }
    let record: SubscriptionRecord = sqlx::query_as(
        "SELECT id, name, channel, filter, active, created_at, allow_private
         FROM watch_subscriptions
         WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    record.into_row()
}

/// Subscriptions, oldest first.
pub(crate) async fn list_subscriptions(
    conn: &mut Conn,
    include_inactive: bool,
) -> Result<Vec<SubscriptionRow>, StoreError> {
    let records: Vec<SubscriptionRecord> = sqlx::query_as(
        "SELECT id, name, channel, filter, active, created_at, allow_private
         FROM watch_subscriptions
         WHERE active = 1 OR $1 = 1 ORDER BY id",
    )
    .bind(i64::from(include_inactive))
    .fetch_all(&mut *conn)
    .await?;
    records
        .into_iter()
        .map(SubscriptionRecord::into_row)
        .collect()
}

/// Deactivates a subscription by id or name.
pub(crate) async fn deactivate_subscription(
    conn: &mut Conn,
    id_or_name: &str,
) -> Result<bool, StoreError> {
    let id: i64 = id_or_name.parse().unwrap_or(-1);
    let done = sqlx::query(
        "UPDATE watch_subscriptions SET active = 0 WHERE (id = $1 OR name = $2) AND active = 1",
    )
    .bind(id)
    .bind(id_or_name)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

macro_rules! outbox_select {
    () => {
        "SELECT a.id, a.subscription_id, p.slug AS platform, d.slug AS document,
            a.version_number, a.old_version_number, a.alert_id, a.state, a.rounds,
            a.next_attempt_at, a.created_at, a.delivered_at, a.last_error
         FROM watch_alerts a
         JOIN documents d ON d.id = a.document_id
         JOIN platforms p ON p.id = d.platform_id"
    };
}

#[derive(sqlx::FromRow)]
struct OutboxRecord {
    id: i64,
    subscription_id: i64,
    platform: String,
    document: String,
    version_number: i64,
    old_version_number: Option<i64>,
    alert_id: String,
    state: String,
    rounds: i64,
    next_attempt_at: String,
    created_at: String,
    delivered_at: Option<String>,
    last_error: Option<String>,
}

impl OutboxRecord {
    fn into_row(self) -> Result<OutboxRow, StoreError> {
        Ok(OutboxRow {
            id: self.id,
            subscription_id: self.subscription_id,
            document: DocumentKey {
                platform: self.platform,
                document: self.document,
            },
            version_number: to_u32(self.version_number, "version number")?,
            old_version_number: opt_u32(self.old_version_number, "version number")?,
            alert_id: self.alert_id,
            state: self.state,
            rounds: to_u32(self.rounds, "rounds")?,
            next_attempt_at: ts_from_text(&self.next_attempt_at)?,
            created_at: ts_from_text(&self.created_at)?,
            delivered_at: opt_ts(self.delivered_at.as_deref())?,
            last_error: self.last_error,
        })
    }
}

/// Outbox rows due for delivery, of active subscriptions.
pub(crate) async fn due_alerts(
    conn: &mut Conn,
    now: &str,
    limit: i64,
) -> Result<Vec<OutboxRow>, StoreError> {
    let records: Vec<OutboxRecord> = sqlx::query_as(concat!(
        outbox_select!(),
        " JOIN watch_subscriptions s ON s.id = a.subscription_id
         WHERE s.active = 1 AND (a.state = 'sending' OR (a.state = 'pending' AND a.next_attempt_at <= $1))
         ORDER BY a.id LIMIT $2"
    ))
    .bind(now)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    records.into_iter().map(OutboxRecord::into_row).collect()
}

/// One outbox row by id.
pub(crate) async fn outbox_row(conn: &mut Conn, id: i64) -> Result<Option<OutboxRow>, StoreError> {
    let record: Option<OutboxRecord> =
        sqlx::query_as(concat!(outbox_select!(), " WHERE a.id = $1"))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    record.map(OutboxRecord::into_row).transpose()
}

/// Outbox rows of one subscription (or all), oldest first.
pub(crate) async fn outbox(
    conn: &mut Conn,
    subscription_id: Option<i64>,
) -> Result<Vec<OutboxRow>, StoreError> {
    let records: Vec<OutboxRecord> = sqlx::query_as(concat!(
        outbox_select!(),
        " WHERE a.subscription_id = $1 OR $1 IS NULL ORDER BY a.id"
    ))
    .bind(subscription_id)
    .fetch_all(&mut *conn)
    .await?;
    records.into_iter().map(OutboxRecord::into_row).collect()
}

/// Sets an outbox row's state.
pub(crate) async fn set_alert_state(
    conn: &mut Conn,
    id: i64,
    state: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE watch_alerts SET state = $2 WHERE id = $1")
        .bind(id)
        .bind(state)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Appends attempts to the delivery log.
pub(crate) async fn log_deliveries(
    conn: &mut Conn,
    alert_row_id: i64,
    attempts: &[DeliveryAttempt],
) -> Result<(), StoreError> {
    let base: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(attempt), 0) FROM watch_deliveries WHERE alert_row_id = $1",
    )
    .bind(alert_row_id)
    .fetch_one(&mut *conn)
    .await?;
    for (i, a) in attempts.iter().enumerate() {
        sqlx::query(
            "INSERT INTO watch_deliveries (alert_row_id, attempt, at, outcome, status, detail,
                elapsed_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(alert_row_id)
        .bind(base + super::to_i64(i, "attempt")? + 1)
        .bind(ts_to_text(a.at))
        .bind(&a.outcome)
        .bind(a.status.map(i64::from))
        .bind(a.detail.as_deref())
        .bind(super::to_i64(a.elapsed_ms, "elapsed_ms")?)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Records how a delivery round ended.
pub(crate) async fn finish_alert(
    conn: &mut Conn,
    id: i64,
    result: &RoundResult,
    now: &str,
) -> Result<(), StoreError> {
    let (state, next, error, delivered) = match result {
        RoundResult::Delivered => ("delivered", None, None, Some(now)),
        RoundResult::Retry {
            next_attempt_at,
            error,
        } => (
            "pending",
            Some(ts_to_text(*next_attempt_at)),
            Some(error.as_str()),
            None,
        ),
        RoundResult::Failed { error } => ("failed", None, Some(error.as_str()), None),
    };
    sqlx::query(
        "UPDATE watch_alerts SET state = $2, rounds = rounds + 1,
            next_attempt_at = COALESCE($3, next_attempt_at), last_error = $4,
            delivered_at = COALESCE($5, delivered_at)
         WHERE id = $1",
    )
    .bind(id)
    .bind(state)
    .bind(next)
    .bind(error)
    .bind(delivered)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// One row of the delivery log: attempt, at, outcome, status, detail, elapsed ms.
type DeliveryRecord = (i64, String, String, Option<i64>, Option<String>, i64);

/// The delivery log of one outbox row.
pub(crate) async fn deliveries(
    conn: &mut Conn,
    alert_row_id: i64,
) -> Result<Vec<DeliveryAttempt>, StoreError> {
    let rows: Vec<DeliveryRecord> = sqlx::query_as(
        "SELECT attempt, at, outcome, status, detail, elapsed_ms FROM watch_deliveries
         WHERE alert_row_id = $1 ORDER BY attempt",
    )
    .bind(alert_row_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(attempt, at, outcome, status, detail, elapsed)| {
            Ok(DeliveryAttempt {
                attempt: to_u32(attempt, "attempt")?,
                at: ts_from_text(&at)?,
                outcome,
                status: opt_u32(status, "status")?.and_then(|s| u16::try_from(s).ok()),
                detail,
                elapsed_ms: to_u64(elapsed, "elapsed_ms")?,
            })
        })
        .collect()
}
