//! SQL for the job queue (`jobs`, migration 0008): enqueue idempotently by
//! key, claim due jobs under a lease, extend, complete or fail a job only
//! while holding its lease. Claims are the one place where the engines get
//! different SQL: PostgreSQL adds `FOR UPDATE SKIP LOCKED` to the pick so
//! concurrent workers take different jobs without waiting; SQLite runs the
//! same statement inside `BEGIN IMMEDIATE`, where claims are serialised.

use super::{Backend, Conn, to_i64, to_u32};
use crate::error::StoreError;
use crate::jobs::{JobCounts, JobKind, JobRow, JobState, NewJob};
use crate::time::{ts_from_text, ts_to_text};

/// The columns [`JobRecord`] reads.
const COLUMNS: &str = "id, kind, dedupe_key, payload, state, run_after, attempts, max_attempts,
    lease_owner, lease_expires_at, last_error, result, created_at, updated_at, finished_at";

#[derive(sqlx::FromRow)]
struct JobRecord {
    id: i64,
    kind: String,
    dedupe_key: String,
    payload: String,
    state: String,
    run_after: String,
    attempts: i64,
    max_attempts: i64,
    lease_owner: Option<String>,
    lease_expires_at: Option<String>,
    last_error: Option<String>,
    result: Option<String>,
    created_at: String,
    updated_at: String,
    finished_at: Option<String>,
}

impl JobRecord {
    fn into_row(self) -> Result<JobRow, StoreError> {
        let opt_ts = |s: Option<String>| s.as_deref().map(ts_from_text).transpose();
        Ok(JobRow {
            id: self.id,
            kind: self
                .kind
                .parse()
                .map_err(|_| StoreError::bad_row(format!("job kind {:?}", self.kind)))?,
            dedupe_key: self.dedupe_key,
            payload: self.payload,
            state: self
                .state
                .parse()
                .map_err(|_| StoreError::bad_row(format!("job state {:?}", self.state)))?,
            run_after: ts_from_text(&self.run_after)?,
            attempts: to_u32(self.attempts, "job attempts")?,
            max_attempts: to_u32(self.max_attempts, "job max_attempts")?,
            lease_owner: self.lease_owner,
            lease_expires_at: opt_ts(self.lease_expires_at)?,
            last_error: self.last_error,
            result: self.result,
            created_at: ts_from_text(&self.created_at)?,
            updated_at: ts_from_text(&self.updated_at)?,
            finished_at: opt_ts(self.finished_at)?,
        })
    }
}

/// Adds a job unless one with its key exists; returns the new id, or
/// `None` when the key was taken (the job is already known).
pub(crate) async fn enqueue(
    conn: &mut Conn,
    job: &NewJob,
    now: &str,
) -> Result<Option<i64>, StoreError> {
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO jobs (kind, dedupe_key, payload, state, run_after, attempts, max_attempts,
            created_at, updated_at)
         VALUES ($1, $2, $3, 'queued', $4, 0, $5, $6, $6)
         ON CONFLICT (dedupe_key) DO NOTHING
         RETURNING id",
    )
    .bind(job.kind.as_str())
    .bind(&job.dedupe_key)
    .bind(&job.payload)
    .bind(ts_to_text(job.run_after))
    .bind(to_i64(job.max_attempts.max(1), "max_attempts")?)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(id)
}

/// Marks running jobs whose lease expired on their last allowed attempt
/// as failed (their worker died and no attempt is left); returns how many.
pub(crate) async fn fail_exhausted(conn: &mut Conn, now: &str) -> Result<u64, StoreError> {
    let lock = match Backend::of_conn(conn) {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let sql = format!(
        "UPDATE jobs SET state = 'failed', finished_at = $1, updated_at = $1,
            last_error = 'lease of worker ' || lease_owner || ' expired on the last attempt',
            lease_owner = NULL, lease_expires_at = NULL
         WHERE id IN (SELECT id FROM jobs
                      WHERE state = 'running' AND lease_expires_at <= $1
                        AND attempts >= max_attempts{lock})"
    );
    let done = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

/// Leases up to `limit` claimable jobs to `worker` until `expires`: queued
/// jobs that are due, and running jobs whose lease expired with attempts
/// left. Oldest due first.
pub(crate) async fn claim(
    conn: &mut Conn,
    worker: &str,
    kinds: &[JobKind],
    limit: u32,
    expires: &str,
    now: &str,
) -> Result<Vec<JobRow>, StoreError> {
    // Kind names are our own constants, never input.
    let kinds = if kinds.is_empty() {
        String::new()
    } else {
        let names: Vec<String> = kinds.iter().map(|k| format!("'{}'", k.as_str())).collect();
        format!(" AND kind IN ({})", names.join(", "))
    };
    let (materialized, lock) = match Backend::of_conn(conn) {
        // MATERIALIZED: the pick runs once, whatever the planner prefers.
        Backend::Postgres => (" MATERIALIZED", " FOR UPDATE SKIP LOCKED"),
        Backend::Sqlite => ("", ""),
    };
    let sql = format!(
        "WITH picked AS{materialized} (
             SELECT id FROM jobs
             WHERE ((state = 'queued' AND run_after <= $3)
                OR (state = 'running' AND lease_expires_at <= $3 AND attempts < max_attempts)){kinds}
             ORDER BY run_after, id
             LIMIT $4{lock})
         UPDATE jobs SET state = 'running', lease_owner = $1, lease_expires_at = $2,
             attempts = attempts + 1, updated_at = $3
         WHERE id IN (SELECT id FROM picked)
         RETURNING {COLUMNS}"
    );
    let records: Vec<JobRecord> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(worker)
        .bind(expires)
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(&mut *conn)
        .await?;
    let mut rows = records
        .into_iter()
        .map(JobRecord::into_row)
        .collect::<Result<Vec<_>, _>>()?;
    rows.sort_by_key(|j| (j.run_after, j.id));
    Ok(rows)
}

/// Moves the lease of a job `worker` holds to `expires`; false if it does
/// not hold it (any more).
pub(crate) async fn extend(
    conn: &mut Conn,
    id: i64,
    worker: &str,
    expires: &str,
    now: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE jobs SET lease_expires_at = $3, updated_at = $4
         WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
    )
    .bind(id)
    .bind(worker)
    .bind(expires)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks a job `worker` holds as done; false if it does not hold it.
pub(crate) async fn complete(
    conn: &mut Conn,
    id: i64,
    worker: &str,
    result: Option<&str>,
    now: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE jobs SET state = 'done', result = $3, finished_at = $4, updated_at = $4,
             lease_owner = NULL, lease_expires_at = NULL
         WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
    )
    .bind(id)
    .bind(worker)
    .bind(result)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records a failed attempt of a job `worker` holds: queued again at
/// `retry_at` if attempts are left, failed otherwise. `None` if it does not
/// hold the job; else the state it is now in.
pub(crate) async fn fail(
    conn: &mut Conn,
    id: i64,
    worker: &str,
    error: &str,
    retry_at: &str,
    now: &str,
) -> Result<Option<JobState>, StoreError> {
    let state: Option<String> = sqlx::query_scalar(
        "UPDATE jobs SET
             state = CASE WHEN attempts < max_attempts THEN 'queued' ELSE 'failed' END,
             run_after = CASE WHEN attempts < max_attempts THEN $4 ELSE run_after END,
             finished_at = CASE WHEN attempts < max_attempts THEN NULL ELSE $5 END,
             last_error = $3, updated_at = $5, lease_owner = NULL, lease_expires_at = NULL
         WHERE id = $1 AND lease_owner = $2 AND state = 'running'
         RETURNING state",
    )
    .bind(id)
    .bind(worker)
    .bind(error)
    .bind(retry_at)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    state
        .map(|s| {
            s.parse()
                .map_err(|_| StoreError::bad_row(format!("job state {s:?}")))
        })
        .transpose()
}

/// One job by id.
pub(crate) async fn get(conn: &mut Conn, id: i64) -> Result<Option<JobRow>, StoreError> {
    let record: Option<JobRecord> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM jobs WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    record.map(JobRecord::into_row).transpose()
}

/// Jobs in id order, optionally of one state and kind, at most `limit`.
pub(crate) async fn list(
    conn: &mut Conn,
    state: Option<JobState>,
    kind: Option<JobKind>,
    limit: u32,
) -> Result<Vec<JobRow>, StoreError> {
    let records: Vec<JobRecord> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM jobs
         WHERE ($1 IS NULL OR state = $1) AND ($2 IS NULL OR kind = $2)
         ORDER BY id LIMIT $3"
    )))
    .bind(state.map(|s| s.as_str()))
    .bind(kind.map(|k| k.as_str()))
    .bind(i64::from(limit))
    .fetch_all(&mut *conn)
    .await?;
    records.into_iter().map(JobRecord::into_row).collect()
}

/// Jobs per state.
pub(crate) async fn counts(conn: &mut Conn) -> Result<JobCounts, StoreError> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT state, COUNT(*) FROM jobs GROUP BY state ORDER BY state")
            .fetch_all(&mut *conn)
            .await?;
    let mut counts = JobCounts::default();
    for (state, n) in rows {
        let n = super::to_u64(n, "job count")?;
        match state.as_str() {
            "queued" => counts.queued = n,
            "running" => counts.running = n,
            "done" => counts.done = n,
            "failed" => counts.failed = n,
            other => return Err(StoreError::bad_row(format!("job state {other:?}"))),
        }
    }
    Ok(counts)
}

/// Enqueues one `fetch` job per active source due by `now`, keyed by the
/// source and its due time (`fetch:source:<id>:<due>`), in one statement;
/// keys already queued are skipped. Returns how many were new.
pub(crate) async fn enqueue_due_fetches(
    conn: &mut Conn,
    now: &str,
    max_attempts: i64,
) -> Result<u64, StoreError> {
    // NOT EXISTS skips the keys already queued without attempting the
    // insert (PostgreSQL would use up a sequence value per conflict); ON
    // CONFLICT still settles races between schedulers.
    // The payload is built in SQL from an integer and a stored timestamp
    // (digits, `-`, `:`, `.`, `T`, `Z`): nothing that needs JSON escaping.
    let done = sqlx::query(
        "INSERT INTO jobs (kind, dedupe_key, payload, state, run_after, attempts, max_attempts,
            created_at, updated_at)
         SELECT 'fetch', 'fetch:source:' || s.id || ':' || s.next_due_at,
             '{\"source_id\":' || s.id || ',\"due_at\":\"' || s.next_due_at || '\"}',
             'queued', $1, 0, $2, $1, $1
         FROM watch_sources s
         WHERE s.active = 1 AND s.next_due_at <= $1
           AND NOT EXISTS (SELECT 1 FROM jobs j
                           WHERE j.dedupe_key = 'fetch:source:' || s.id || ':' || s.next_due_at)
         ORDER BY s.next_due_at, s.id
         ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(now)
    .bind(max_attempts)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// Enqueues one `deliver` job per outbox row due by `now` (pending and due,
/// or left `sending` by a crash) of an active subscription, keyed by the row
/// and its round (`deliver:alert:<id>:<round>`): one job per delivery round
/// whoever schedules it. Returns how many were new.
pub(crate) async fn enqueue_due_deliveries(
    conn: &mut Conn,
    now: &str,
    max_attempts: i64,
) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "INSERT INTO jobs (kind, dedupe_key, payload, state, run_after, attempts, max_attempts,
            created_at, updated_at)
         SELECT 'deliver', 'deliver:alert:' || a.id || ':' || a.rounds,
             '{\"alert_row_id\":' || a.id || ',\"round\":' || a.rounds || '}',
             'queued', $1, 0, $2, $1, $1
         FROM watch_alerts a JOIN watch_subscriptions s ON s.id = a.subscription_id
         WHERE s.active = 1
           AND (a.state = 'sending' OR (a.state = 'pending' AND a.next_attempt_at <= $1))
           AND NOT EXISTS (SELECT 1 FROM jobs j
                           WHERE j.dedupe_key = 'deliver:alert:' || a.id || ':' || a.rounds)
         ORDER BY a.id
         ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(now)
    .bind(max_attempts)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// Active sources due by `now` whose fetch job for their current due time
/// failed for good: (source id, due time, consecutive failures, the job's
/// last error), oldest due first, at most `limit`. Nothing else would ever
/// move their due time, so without a give-up they would never be fetched
/// again (the failed job holds the cycle's key).
pub(crate) async fn stalled_fetches(
    conn: &mut Conn,
    now: &str,
    limit: u32,
) -> Result<Vec<(i64, String, i64, Option<String>)>, StoreError> {
    let rows = sqlx::query_as(
        "SELECT s.id, s.next_due_at, s.consecutive_failures, j.last_error
         FROM watch_sources s
         JOIN jobs j ON j.dedupe_key = 'fetch:source:' || s.id || ':' || s.next_due_at
         WHERE s.active = 1 AND s.next_due_at <= $1 AND j.state = 'failed'
         ORDER BY s.next_due_at, s.id
         LIMIT $2",
    )
    .bind(now)
    .bind(i64::from(limit))
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows)
}

/// Takes the source's row for a give-up of the cycle due at `due_at`: true
/// when the source is still at that due time (nobody logged the cycle yet).
/// The update locks the row on PostgreSQL, so of two concurrent give-ups
/// the second re-reads the moved due time and gets false.
pub(crate) async fn take_cycle(
    conn: &mut Conn,
    source_id: i64,
    due_at: &str,
    now: &str,
) -> Result<bool, StoreError> {
    let done =
        sqlx::query("UPDATE watch_sources SET updated_at = $3 WHERE id = $1 AND next_due_at = $2")
            .bind(source_id)
            .bind(due_at)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    Ok(done.rows_affected() == 1)
}
