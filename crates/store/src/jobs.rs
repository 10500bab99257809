//! The job queue that `clausewatch worker` processes share: public row
//! types and the `impl Store` block (SQL in `db::jobs`, schema and the
//! reasoning behind leases in migration 0008).
//!
//! The contract, the same on SQLite and PostgreSQL:
//!
//! * [`Store::enqueue_jobs`] adds jobs idempotently by key: the same key
//!   twice is one job, so any number of schedulers may enqueue a cycle.
//! * [`Store::claim_jobs`] leases due jobs to one worker until a deadline.
//!   No two workers hold the same job at once (PostgreSQL: `FOR UPDATE SKIP
//!   LOCKED`; SQLite: one writer at a time). A job whose lease expired is
//!   claimable again, attempts permitting: this is how a crashed worker's
//!   job gets finished by another.
//! * [`Store::extend_job_lease`], [`Store::complete_job`] and
//!   [`Store::fail_job`] act only for the worker holding the lease; anyone
//!   else gets [`StoreError::LeaseLost`] and must drop its result.
//! * A job may therefore run more than once; job work must be idempotent.

use crate::db::{Backend, begin_read, begin_write, jobs as sql, watch as watch_sql};
use crate::error::StoreError;
use crate::store::Store;
use crate::time::{ts_from_text, ts_to_text};
use crate::watch::NewAttempt;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// The steps of the pipeline a worker can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// Fetch a watched source (and judge, extract, diff and import what it shows).
    Fetch,
    /// Extract stored bytes again.
    Extract,
    /// Diff a version against its predecessor again.
    Diff,
    /// Analyse a version (labels, findings).
    Analyse,
    /// Add a version to the search index.
    Index,
    /// Deliver an alert from the outbox.
    Deliver,
}

impl JobKind {
    /// Every kind, in pipeline order.
    pub const ALL: [JobKind; 6] = [
        JobKind::Fetch,
        JobKind::Extract,
        JobKind::Diff,
        JobKind::Analyse,
        JobKind::Index,
        JobKind::Deliver,
    ];

    /// The stored name (`fetch`, `deliver`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Fetch => "fetch",
            JobKind::Extract => "extract",
            JobKind::Diff => "diff",
            JobKind::Analyse => "analyse",
            JobKind::Index => "index",
            JobKind::Deliver => "deliver",
        }
    }
}

impl fmt::Display for JobKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for JobKind {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Self, StoreError> {
        JobKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| StoreError::config(format!("unknown job kind {s:?}")))
    }
}

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting to be claimed (from `run_after` on).
    Queued,
    /// Leased to a worker.
    Running,
    /// Finished.
    Done,
    /// Gave up: the last allowed attempt failed or its worker died.
    Failed,
}

impl JobState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
        }
    }
}

impl FromStr for JobState {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Self, StoreError> {
        [
            JobState::Queued,
            JobState::Running,
            JobState::Done,
            JobState::Failed,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
        .ok_or_else(|| StoreError::config(format!("unknown job state {s:?}")))
    }
}

/// A job to enqueue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    /// What to do.
    pub kind: JobKind,
    /// Names the work; a key already in the queue (in any state) makes the
    /// enqueue a no-op. E.g. `fetch:source:12:<due time>`.
    pub dedupe_key: String,
    /// What the job works on, JSON.
    pub payload: String,
    /// Not claimable before this time.
    pub run_after: DateTime<Utc>,
    /// Claims allowed before the job fails for good (at least 1).
    pub max_attempts: u32,
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JobRow {
    /// Row id.
    pub id: i64,
    /// What to do.
    pub kind: JobKind,
    /// The idempotency key.
    pub dedupe_key: String,
    /// The payload, JSON.
    pub payload: String,
    /// Where it is in its life.
    pub state: JobState,
    /// Not claimable before this time.
    pub run_after: DateTime<Utc>,
    /// Claims so far.
    pub attempts: u32,
    /// Claims allowed.
    pub max_attempts: u32,
    /// The worker holding it, while running.
    pub lease_owner: Option<String>,
    /// When that worker's lease ends, while running.
    pub lease_expires_at: Option<DateTime<Utc>>,
    /// The error of the last failed attempt.
    pub last_error: Option<String>,
    /// What the job reported when done, JSON.
    pub result: Option<String>,
    /// When it was enqueued.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// When it finished (done or failed).
    pub finished_at: Option<DateTime<Utc>>,
}

/// How many jobs are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct JobCounts {
    /// Waiting.
    pub queued: u64,
    /// Leased.
    pub running: u64,
    /// Finished.
    pub done: u64,
    /// Given up.
    pub failed: u64,
}

/// A source whose fetch job for its current due time failed for good:
/// nothing moves its due time until the cycle is given up
/// ([`Store::give_up_fetch`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StalledFetch {
    /// The source.
    pub source_id: i64,
    /// The due time of the cycle whose job failed.
    pub due_at: DateTime<Utc>,
    /// The source's failed fetches in a row so far (for a backoff).
    pub consecutive_failures: u32,
    /// The failed job's last error.
    pub error: Option<String>,
}

/// `now + d`, saturating far in the future rather than overflowing.
fn after(now: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(d)
        .ok()
        .and_then(|d| now.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

impl Store {
    /// Enqueues jobs in one transaction; returns how many were new (keys
    /// already in the queue are skipped, whatever their state).
    pub async fn enqueue_jobs(&self, jobs: &[NewJob]) -> Result<u64, StoreError> {
        let now = ts_to_text(self.now());
        // PostgreSQL: the unique key settles races, no global write lock.
        let mut tx = match Backend::of_pool(self.pool()) {
            Backend::Postgres => self.pool().begin().await?,
            Backend::Sqlite => begin_write(self.pool()).await?,
        };
        let mut added = 0;
        for job in jobs {
            if sql::enqueue(&mut tx, job, &now).await?.is_some() {
                added += 1;
            }
        }
        tx.commit().await?;
        Ok(added)
    }

    /// Leases up to `limit` claimable jobs to `worker` for `lease`, as of
    /// `now`: queued jobs due by then, and running jobs whose lease has
    /// expired with attempts left (a running job whose lease expired on its
    /// last attempt is marked failed). Oldest due first.
    pub async fn claim_jobs(
        &self,
        worker: &str,
        limit: u32,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> Result<Vec<JobRow>, StoreError> {
        self.claim_jobs_of(worker, &[], limit, lease, now).await
    }

    /// [`Store::claim_jobs`] restricted to some kinds (all when empty): a
    /// worker claims its `index` jobs apart, in one large batch per writer.
    pub async fn claim_jobs_of(
        &self,
        worker: &str,
        kinds: &[JobKind],
        limit: u32,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> Result<Vec<JobRow>, StoreError> {
        let now_text = ts_to_text(now);
        let expires = ts_to_text(after(now, lease));
        // PostgreSQL: a plain transaction, row locks do the work (no global
        // write lock, so claims never queue behind other writers).
        let mut tx = match Backend::of_pool(self.pool()) {
            Backend::Postgres => self.pool().begin().await?,
            Backend::Sqlite => begin_write(self.pool()).await?,
        };
        let failed = sql::fail_exhausted(&mut tx, &now_text).await?;
        let jobs = sql::claim(&mut tx, worker, kinds, limit, &expires, &now_text).await?;
        tx.commit().await?;
        if failed > 0 {
            tracing::warn!(
                failed,
                "jobs failed: their worker's lease expired on the last attempt"
            );
        }
        Ok(jobs)
    }

    /// Extends the lease `worker` holds on job `id` to `now + lease`.
    /// [`StoreError::LeaseLost`] if it does not hold it any more.
    pub async fn extend_job_lease(
        &self,
        id: i64,
        worker: &str,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut conn = self.pool().acquire().await?;
        let expires = ts_to_text(after(now, lease));
        if sql::extend(&mut conn, id, worker, &expires, &ts_to_text(now)).await? {
            Ok(())
        } else {
            Err(StoreError::LeaseLost { job: id })
        }
    }

    /// Marks job `id` done with an optional JSON result.
    /// [`StoreError::LeaseLost`] if `worker` does not hold it (another worker
    /// took it over after the lease expired, or it was already finished).
    pub async fn complete_job(
        &self,
        id: i64,
        worker: &str,
        result: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut conn = self.pool().acquire().await?;
        if sql::complete(&mut conn, id, worker, result, &ts_to_text(self.now())).await? {
            Ok(())
        } else {
            Err(StoreError::LeaseLost { job: id })
        }
    }

    /// Records a failed attempt of job `id`: queued again from `retry_at`
    /// while attempts are left, failed for good after the last. Returns the
    /// state it is now in; [`StoreError::LeaseLost`] if `worker` does not hold it.
    pub async fn fail_job(
        &self,
        id: i64,
        worker: &str,
        error: &str,
        retry_at: DateTime<Utc>,
    ) -> Result<JobState, StoreError> {
        let mut conn = self.pool().acquire().await?;
        let now = ts_to_text(self.now());
        sql::fail(&mut conn, id, worker, error, &ts_to_text(retry_at), &now)
            .await?
            .ok_or(StoreError::LeaseLost { job: id })
    }

    /// The scheduler step of `clausewatch worker`: enqueues one `fetch` job
    /// per active source due by `now` (key `fetch:source:<id>:<due time>`,
    /// payload `{"source_id", "due_at"}`) and one `deliver` job per outbox
    /// row due by `now` (key `deliver:alert:<id>:<round>`, payload
    /// `{"alert_row_id", "round"}`), in one transaction.
    /// Any number of workers may call it at once: a source's due time only
    /// changes when its fetch is logged, and a row's round only when its
    /// round ends, so each cycle and round gets one job. Returns the new
    /// (fetch, deliver) jobs.
    pub async fn enqueue_due_work(
        &self,
        now: DateTime<Utc>,
        max_attempts: u32,
    ) -> Result<(u64, u64), StoreError> {
        let now = ts_to_text(now);
        let max = i64::from(max_attempts.max(1));
        // PostgreSQL: the unique key settles races, no global write lock.
        let mut tx = match Backend::of_pool(self.pool()) {
            Backend::Postgres => self.pool().begin().await?,
            Backend::Sqlite => begin_write(self.pool()).await?,
        };
        let fetches = sql::enqueue_due_fetches(&mut tx, &now, max).await?;
        let deliveries = sql::enqueue_due_deliveries(&mut tx, &now, max).await?;
        tx.commit().await?;
        Ok((fetches, deliveries))
    }

    /// Active sources due by `now` whose fetch job for that due time failed
    /// every attempt (or its worker died on the last), oldest first, at most
    /// `limit`. The failed job keeps the cycle's key, so they are never
    /// scheduled again until [`Store::give_up_fetch`] moves their due time.
    pub async fn stalled_fetches(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<StalledFetch>, StoreError> {
        let mut tx = begin_read(self.pool()).await?;
        sql::stalled_fetches(&mut tx, &ts_to_text(now), limit)
            .await?
            .into_iter()
            .map(|(source_id, due_at, failures, error)| {
                Ok(StalledFetch {
                    source_id,
                    due_at: ts_from_text(&due_at)?,
                    consecutive_failures: u32::try_from(failures).unwrap_or(u32::MAX),
                    error,
                })
            })
            .collect()
    }

    /// Gives up the cycle of source `attempt.source_id` due at `due_at`:
    /// logs `attempt` (a failed fetch outcome) and moves the source to
    /// `attempt.next_due_at`, in one transaction, only if the source is
    /// still due at `due_at`. Returns false (and changes nothing) when the
    /// cycle was already logged, by a fetch or by another worker's give-up,
    /// so any number of workers may give up the same cycle at once.
    pub async fn give_up_fetch(
        &self,
        due_at: DateTime<Utc>,
        attempt: &NewAttempt,
    ) -> Result<bool, StoreError> {
        let now = ts_to_text(self.now());
        let mut tx = begin_write(self.pool()).await?;
        if !sql::take_cycle(&mut tx, attempt.source_id, &ts_to_text(due_at), &now).await? {
            return Ok(false);
        }
        watch_sql::insert_attempt(&mut tx, attempt).await?;
        watch_sql::update_source_after(&mut tx, attempt, &now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// One job, or `None`.
    pub async fn job(&self, id: i64) -> Result<Option<JobRow>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        sql::get(&mut conn, id).await
    }

    /// Jobs in id order, optionally only of one state and kind, at most `limit`.
    pub async fn jobs(
        &self,
        state: Option<JobState>,
        kind: Option<JobKind>,
        limit: u32,
    ) -> Result<Vec<JobRow>, StoreError> {
        let mut tx = begin_read(self.pool()).await?;
        sql::list(&mut tx, state, kind, limit).await
    }

    /// How many jobs are in each state.
    pub async fn job_counts(&self) -> Result<JobCounts, StoreError> {
        let mut conn = self.pool().acquire().await?;
        sql::counts(&mut conn).await
    }
}
