//! `clausewatch worker`: one of several processes sharing a store's job
//! queue (`cw_store::Store::claim_jobs`). Each worker loops over three steps:
//!
//! 1. **Schedule.** `Store::enqueue_due_work` adds one `fetch` job per due
//!    source, keyed by the source and its due time, and one `deliver` job
//!    per due outbox row, keyed by the row and its round. Every worker
//!    schedules; the keys make a cycle one job per source whoever enqueues
//!    it, and the due time moves only when the fetch is logged.
//! 2. **Claim and run.** Due jobs are claimed in batches under a lease
//!    (`FOR UPDATE SKIP LOCKED` on PostgreSQL), run through the same code as
//!    `watch` ([`Watcher::check_source`] → candidate → promote → outbox;
//!    [`Watcher::deliver_one`]), the lease is extended while a job runs
//!    (heartbeat every third of the lease), then the job is completed, or
//!    failed and retried with a backoff. A job whose worker died is claimed
//!    by another once its lease expires.
//! 3. **Derived data.** Imports do not touch the search index here
//!    (processes sharing a home would fight over its one writer lock); a
//!    new version queues an `index` job, and the `index` jobs of one claim
//!    make their versions' derived data together
//!    ([`crate::Engine::derive_versions`]: each version labelled once, for
//!    its stored analysis and its index rows, or its fresh stored analysis
//!    read instead), written with one writer and one commit, retried while
//!    another process holds the lock. (`analyse` jobs, queued by earlier
//!    releases, still run.)
//!
//! Jobs are idempotent: a `fetch` job whose source's due time has moved on
//! (its fetch was logged by an earlier run of the job) does nothing, a
//! `deliver` job whose row has left its round does nothing, imports and the
//! outbox are idempotent. A delivery is sent only by the worker holding its
//! job, so two live workers never send the same alert; a worker killed in
//! the middle of a send leaves the round to be sent again after the lease
//! expires (at least once, with the same `X-Clausewatch-Delivery` id).

use super::{DeliveryReport, WatchError, Watcher};
use chrono::{DateTime, Utc};
use cw_model::DocumentKey;
use cw_store::{HostTake, HostTurn, JobKind, JobRow, NewJob, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// How a worker runs.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WorkerOptions {
    /// The name this worker's leases carry (unique among live workers).
    pub id: String,
    /// How long a claimed job stays this worker's without a heartbeat.
    pub lease: Duration,
    /// Jobs claimed at once (at most the free slots of `concurrency`).
    pub batch: u32,
    /// Pause between two looks at the schedule and the queue when idle.
    pub poll: Duration,
    /// Exit once nothing is queued, running or due (tests, benchmarks, cron).
    pub until_idle: bool,
    /// Claims a fetch or deliver job gets before it fails for good.
    pub max_attempts: u32,
    /// Take the source's host turn in the store before each fetch, so the
    /// politeness of `per_host_delay` (one request at a time per host, a
    /// pause in between) holds across every worker sharing the store, not
    /// only inside this process. A fetch job whose host is busy goes back
    /// to the queue until the host is free, without spending an attempt.
    pub host_turns: bool,
    /// How soon a fetch job whose host another fetch holds is tried again,
    /// at least (the host's delay, when longer, is waited instead).
    pub host_busy_retry: Duration,
}

impl WorkerOptions {
    /// Defaults: 60 s lease, batches of 16, 1 s poll, 3 attempts, shared
    /// host turns retried after 250 ms at least.
    pub fn new(id: impl Into<String>) -> WorkerOptions {
        WorkerOptions {
            id: id.into(),
            lease: Duration::from_secs(60),
            batch: 16,
            poll: Duration::from_secs(1),
            until_idle: false,
            max_attempts: 3,
            host_turns: true,
            host_busy_retry: Duration::from_millis(250),
        }
    }
}

/// What one worker did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct WorkerReport {
    /// The worker's id.
    pub worker: String,
    /// Jobs this worker enqueued (others' identical keys excluded).
    pub scheduled: u64,
    /// Jobs completed, per kind (`fetch`, `deliver`, `index`).
    pub completed: BTreeMap<String, usize>,
    /// Completed jobs that found their work already done.
    pub skipped: usize,
    /// Attempts that failed (retried later or given up).
    pub failed: usize,
    /// Jobs whose lease another worker took over before this one finished.
    pub lost_leases: usize,
    /// Fetch attempts per state code.
    pub fetch_states: BTreeMap<String, usize>,
    /// Versions created.
    pub new_versions: usize,
    /// Outbox rows written.
    pub alerts_queued: usize,
    /// Delivery rounds run.
    pub deliveries: DeliveryReport,
    /// Fetch cycles this worker gave up after their job failed every
    /// attempt: logged as `job_failed` and rescheduled.
    pub given_up: usize,
    /// Jobs abandoned at shutdown (handed back to the queue).
    pub abandoned: usize,
    /// Fetch jobs put back in the queue, not run, because another fetch
    /// held their host's turn or its politeness delay ran (not attempts).
    pub deferred: usize,
    /// Wall time.
    pub elapsed_ms: u64,
}

/// Payload of a `fetch` job.
#[derive(Debug, Deserialize)]
struct FetchPayload {
    source_id: i64,
    due_at: DateTime<Utc>,
}

/// Payload of a `deliver` job.
#[derive(Debug, Deserialize)]
struct DeliverPayload {
    alert_row_id: i64,
    round: u32,
}

/// Payload of an `index` or `analyse` job.
#[derive(Debug, Serialize, Deserialize)]
struct IndexPayload {
    document: String,
    version: u32,
}

/// What a finished job contributes to the report.
#[derive(Debug, Default)]
struct JobOutcome {
    kind: Option<JobKind>,
    done: usize,
    skipped: usize,
    failed: usize,
    lost: usize,
    deferred: usize,
    fetch_state: Option<String>,
    new_version: bool,
    alerts: usize,
    deliveries: DeliveryReport,
}

/// What a job's work returned.
enum Work {
    Skipped(&'static str),
    Fetched {
        state: String,
        version: Option<u32>,
        new_version: bool,
        alerts: usize,
    },
    Delivered(DeliveryReport),
    Indexed(usize),
    Analysed(usize),
    /// Not run: the host is busy; back to the queue from this time.
    Deferred(DateTime<Utc>),
}

/// The ids of the jobs this worker is running (handed back at shutdown).
type Running = Arc<Mutex<HashSet<i64>>>;

impl Watcher {
    /// Runs a worker until `shutdown` completes (or, with `until_idle`,
    /// until nothing is queued, running or due). On shutdown no new job is
    /// claimed, jobs in flight get the shutdown grace period, and the rest
    /// are handed back to the queue.
    pub async fn run_worker(
        self: &Arc<Self>,
        options: WorkerOptions,
        shutdown: impl Future<Output = ()> + Send,
    ) -> Result<WorkerReport, WatchError> {
        let started = Instant::now();
        let options = Arc::new(options);
        let mut report = WorkerReport {
            worker: options.id.clone(),
            ..WorkerReport::default()
        };
        if let Err(e) = self.recover_for_worker(&mut report).await {
            tracing::error!(error = %e, "worker: recovering confirmed changes failed");
        }
        tokio::pin!(shutdown);
        let capacity = self.config.concurrency.max(1);
        let running: Running = Arc::default();
        let mut tasks: JoinSet<JobOutcome> = JoinSet::new();
        let mut last_schedule: Option<Instant> = None;
        let mut stopped = false;
        // Derived-data tasks in flight (an `analyse` and an `index` batch):
        // they do not count against `concurrency`, and the next batch is
        // claimed only once they are done.
        let mut indexing: usize = 0;
        loop {
            if last_schedule.is_none_or(|t| t.elapsed() >= options.poll) {
                report.given_up += self.give_up_stalled_fetches().await;
                match self
                    .store()
                    .enqueue_due_work(self.store().now(), options.max_attempts)
                    .await
                {
                    Ok((f, d)) => report.scheduled += f + d,
                    Err(e) => tracing::error!(error = %e, "worker: scheduling failed"),
                }
                last_schedule = Some(Instant::now());
            }
            // Index jobs: all that are due, in one batch, one batch at a time.
            if indexing == 0 {
                match self
                    .store()
                    .claim_jobs_of(
                        &options.id,
                        &[JobKind::Analyse, JobKind::Index],
                        INDEX_BATCH,
                        options.lease,
                        self.store().now(),
                    )
                    .await
                {
                    Ok(jobs) => {
                        indexing = self.spawn_jobs(jobs, &options, &running, &mut tasks);
                    }
                    Err(e) => tracing::error!(error = %e, "worker: claiming failed"),
                }
            }
            indexing = indexing.min(tasks.len());
            let free = capacity.saturating_sub(tasks.len().saturating_sub(indexing));
            let want = u32::try_from(free).unwrap_or(u32::MAX).min(options.batch);
            let mut claimed = 0;
            if want > 0 {
                match self
                    .store()
                    .claim_jobs_of(
                        &options.id,
                        &[JobKind::Fetch, JobKind::Deliver],
                        want,
                        options.lease,
                        self.store().now(),
                    )
                    .await
                {
                    Ok(jobs) => {
                        claimed = jobs.len();
                        self.spawn_jobs(jobs, &options, &running, &mut tasks);
                    }
                    Err(e) => tracing::error!(error = %e, "worker: claiming failed"),
                }
            }
            if claimed == 0
                && tasks.is_empty()
                && options.until_idle
                && self.idle(&mut report.given_up).await
            {
                break;
            }
            // More may be waiting: claim again at once while there is room.
            let room = tasks.len().saturating_sub(indexing) < capacity;
            let wait = if room && claimed > 0 && u32::try_from(claimed).is_ok_and(|c| c == want) {
                Duration::ZERO
            } else {
                options.poll
            };
            tokio::select! {
                Some(done) = tasks.join_next(), if !tasks.is_empty() => {
                    if matches!(&done, Ok(o) if matches!(o.kind, Some(JobKind::Index | JobKind::Analyse))) {
                        indexing = indexing.saturating_sub(1);
                    }
                    let alerts = merge(&mut report, done);
                    // Deliver new alerts without waiting for the next poll.
                    if alerts > 0 {
                        last_schedule = None;
                    }
                }
                () = tokio::time::sleep(wait) => {}
                () = &mut shutdown => {
                    stopped = true;
                    break;
                }
            }
        }
        if stopped {
            tracing::info!(
                in_flight = tasks.len(),
                "worker shutting down: no new jobs; waiting for jobs in flight"
            );
            let grace = tokio::time::sleep(self.config.shutdown_grace);
            tokio::pin!(grace);
            loop {
                tokio::select! {
                    next = tasks.join_next() => match next {
                        Some(done) => { merge(&mut report, done); }
                        None => break,
                    },
                    () = &mut grace => {
                        report.abandoned = tasks.len();
                        tasks.abort_all();
                        break;
                    }
                }
            }
            let left: Vec<i64> = running
                .lock()
                .map(|ids| ids.iter().copied().collect())
                .unwrap_or_default();
            for id in left {
                // Back to the queue at once instead of after the lease.
                if let Err(e) = self
                    .store()
                    .fail_job(id, &options.id, "worker shut down", self.store().now())
                    .await
                {
                    tracing::warn!(job = id, error = %e, "abandoned job not handed back");
                }
            }
        }
        report.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        Ok(report)
    }

    /// True when no job is queued or running and nothing is due (fetch
    /// cycles given up on the way are added to `given_up`).
    async fn idle(&self, given_up: &mut usize) -> bool {
        match self.store().job_counts().await {
            Ok(c) if c.queued == 0 && c.running == 0 => {}
            Ok(_) => return false,
            Err(e) => {
                tracing::error!(error = %e, "worker: cannot count jobs");
                return false;
            }
        }
        // Cycles whose job just failed for good are logged and rescheduled
        // before the worker leaves.
        *given_up += self.give_up_stalled_fetches().await;
        // Schedule once more: work that fell due since the last look.
        match self.store().enqueue_due_work(self.store().now(), 1).await {
            Ok((0, 0)) => {}
            Ok(_) => return false,
            Err(e) => {
                tracing::error!(error = %e, "worker: scheduling failed");
                return false;
            }
        }
        // A job may have been queued between the count and the schedule.
        matches!(self.store().job_counts().await, Ok(c) if c.queued == 0 && c.running == 0)
    }

    /// Gives up the fetch cycles whose job failed every attempt (or whose
    /// worker died on the last): each is logged as a failed fetch
    /// (`job_failed`, with the job's last error) and its source moved to its
    /// next scheduled time, later after repeated failures (one period, then
    /// two, then four). Without this the failed job would hold the cycle's
    /// key and the source would never be fetched again. Returns how many
    /// this worker gave up (others may give up the same cycle; one wins).
    async fn give_up_stalled_fetches(&self) -> usize {
        let now = self.store().now();
        let stalled = match self.store().stalled_fetches(now, STALLED_BATCH).await {
            Ok(stalled) => stalled,
            Err(e) => {
                tracing::error!(error = %e, "worker: cannot look for failed fetch cycles");
                return 0;
            }
        };
        let mut given_up = 0;
        for cycle in stalled {
            let source = match self.store().source_by_id(cycle.source_id).await {
                Ok(Some(source)) => source,
                Ok(None) => continue,
                Err(e) => {
                    tracing::error!(source = cycle.source_id, error = %e, "worker: cannot read source");
                    continue;
                }
            };
            let mut next = now;
            for _ in 0..(1u32 << cycle.consecutive_failures.min(2)) {
                next = super::schedule::next_due(&source.schedule, next);
            }
            let attempt = cw_store::NewAttempt {
                source_id: source.id,
                started_at: now,
                finished_at: now,
                state: "job_failed".to_string(),
                outcome: "job_failed".to_string(),
                http_status: None,
                detail: Some(format!(
                    "every attempt of the fetch job failed: {}",
                    cycle.error.as_deref().unwrap_or("no error recorded")
                )),
                sha256: None,
                content_hash: None,
                elapsed_ms: 0,
                version_number: None,
                ok: false,
                validators: None,
                next_due_at: next,
                supersede_candidate: false,
            };
            match self.store().give_up_fetch(cycle.due_at, &attempt).await {
                Ok(true) => {
                    tracing::warn!(document = %source.document, due_at = %cycle.due_at,
                        next_due_at = %next, error = cycle.error.as_deref().unwrap_or(""),
                        "fetch cycle given up after its job failed every attempt");
                    given_up += 1;
                }
                Ok(false) => {}
                Err(e) => {
                    tracing::error!(source = source.id, error = %e, "worker: cannot give up a fetch cycle");
                }
            }
        }
        given_up
    }

    /// Promotes confirmed candidates a crash left behind (any number of
    /// workers may do this at once: promotion is idempotent) and queues
    /// their derived jobs; then queues the derived jobs of every watched
    /// version still without an analysis (a worker died between storing a
    /// version and queueing its jobs).
    async fn recover_for_worker(&self, report: &mut WorkerReport) -> Result<(), WatchError> {
        for source in self.store().confirmed_candidates().await? {
            if let Some(candidate) = &source.candidate {
                tracing::info!(document = %source.document, candidate = candidate.id,
                    "promoting a confirmed change left by an interrupted run");
                let (number, alerts) = self.promote(&source, candidate, None).await?;
                report.alerts_queued += alerts;
                self.enqueue_derived(&source.document, number).await?;
            }
        }
        if self.config.defer_derived {
            let mut after = 0;
            loop {
                let pending = self
                    .store()
                    .versions_lacking_analysis(after, INDEX_BATCH)
                    .await?;
                let Some(last) = pending.last() else { break };
                after = last.row_id;
                for p in &pending {
                    self.enqueue_derived(&p.document, p.number).await?;
                }
            }
        }
        // Versions analysed but missing from the search index (an index
        // update lost before this run). Derived data: a failure to look is
        // logged, the next start looks again.
        match self.engine.missing_derived().await {
            Ok(missing) => {
                for (document, number) in missing.lacking_index {
                    self.enqueue_derived(&document, number).await?;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "versions missing from the search index not looked for")
            }
        }
        Ok(())
    }

    /// Queues the derived data of a new version: one `index` job, which
    /// also records the version's analysis when the import did not
    /// ([`super::WatchConfig::defer_derived`]).
    async fn enqueue_derived(
        &self,
        document: &DocumentKey,
        version: u32,
    ) -> Result<(), WatchError> {
        let payload = serde_json::to_string(&IndexPayload {
            document: document.to_string(),
            version,
        })?;
        let jobs = [NewJob {
            kind: JobKind::Index,
            dedupe_key: format!("index:{document}:{version}"),
            payload,
            run_after: self.store().now(),
            max_attempts: INDEX_ATTEMPTS,
        }];
        self.store().enqueue_jobs(&jobs).await?;
        Ok(())
    }

    /// Starts claimed jobs: each fetch and deliver job on its own task, the
    /// index jobs of the claim together on one, its analyse jobs together
    /// on another. Returns how many such batch tasks it started.
    fn spawn_jobs(
        self: &Arc<Self>,
        jobs: Vec<JobRow>,
        options: &Arc<WorkerOptions>,
        running: &Running,
        tasks: &mut JoinSet<JobOutcome>,
    ) -> usize {
        let (index, other): (Vec<JobRow>, Vec<JobRow>) =
            jobs.into_iter().partition(|j| j.kind == JobKind::Index);
        let (analyse, other): (Vec<JobRow>, Vec<JobRow>) =
            other.into_iter().partition(|j| j.kind == JobKind::Analyse);
        if let Ok(mut ids) = running.lock() {
            ids.extend(
                index
                    .iter()
                    .chain(analyse.iter())
                    .chain(other.iter())
                    .map(|j| j.id),
            );
        }
        let batches = usize::from(!index.is_empty()) + usize::from(!analyse.is_empty());
        if !analyse.is_empty() {
            let watcher = Arc::clone(self);
            let options = Arc::clone(options);
            let running = Arc::clone(running);
            tasks.spawn(async move { watcher.run_jobs(analyse, &options, &running).await });
        }
        for job in other {
            let watcher = Arc::clone(self);
            let options = Arc::clone(options);
            let running = Arc::clone(running);
            tasks.spawn(async move { watcher.run_jobs(vec![job], &options, &running).await });
        }
        if !index.is_empty() {
            let watcher = Arc::clone(self);
            let options = Arc::clone(options);
            let running = Arc::clone(running);
            tasks.spawn(async move { watcher.run_jobs(index, &options, &running).await });
        }
        batches
    }

    /// Runs jobs of one kind (one job, or a batch of index jobs) with a
    /// heartbeat on their leases, then completes or fails each.
    async fn run_jobs(
        self: Arc<Self>,
        jobs: Vec<JobRow>,
        options: &WorkerOptions,
        running: &Running,
    ) -> JobOutcome {
        let mut outcome = JobOutcome {
            kind: jobs.first().map(|j| j.kind),
            ..JobOutcome::default()
        };
        let work = self.work(&jobs, options);
        tokio::pin!(work);
        let period = (options.lease / 3).max(Duration::from_millis(50));
        let mut beat = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        let mut lost: HashSet<i64> = HashSet::new();
        let result = loop {
            tokio::select! {
                result = &mut work => break result,
                _ = beat.tick() => {
                    for job in &jobs {
                        if lost.contains(&job.id) {
                            continue;
                        }
                        match self.store().extend_job_lease(job.id, &options.id, options.lease, self.store().now()).await {
                            Ok(()) => {}
                            Err(StoreError::LeaseLost { .. }) => {
                                tracing::warn!(job = job.id, "lease lost: another worker took the job over");
                                lost.insert(job.id);
                            }
                            Err(e) => tracing::warn!(job = job.id, error = %e, "heartbeat failed"),
                        }
                    }
                }
            }
        };
        let result_json = match &result {
            Ok(work) => Some(record(work, &mut outcome)),
            Err(_) => None,
        };
        for job in &jobs {
            let finished = match &result {
                Ok(Work::Deferred(until)) => self
                    .store()
                    .defer_job(job.id, &options.id, *until)
                    .await
                    .map(|()| false),
                Ok(_) => self
                    .store()
                    .complete_job(job.id, &options.id, result_json.as_deref())
                    .await
                    .map(|()| true),
                Err(e) => {
                    tracing::warn!(job = job.id, kind = %job.kind, attempt = job.attempts, error = %e, "job failed");
                    outcome.failed += 1;
                    self.store()
                        .fail_job(
                            job.id,
                            &options.id,
                            &e.to_string(),
                            retry_at(job, self.store().now()),
                        )
                        .await
                        .map(|_| false)
                }
            };
            match finished {
                Ok(true) => outcome.done += 1,
                Ok(false) => {}
                Err(StoreError::LeaseLost { .. }) => {
                    tracing::warn!(
                        job = job.id,
                        "job finished after its lease passed to another worker; result dropped"
                    );
                    outcome.lost += 1;
                }
                Err(e) => tracing::error!(job = job.id, error = %e, "job state not recorded"),
            }
        }
        if let Ok(mut ids) = running.lock() {
            for job in &jobs {
                ids.remove(&job.id);
            }
        }
        outcome
    }

    /// The work of a claim: one fetch or deliver job, or index jobs.
    async fn work(&self, jobs: &[JobRow], options: &WorkerOptions) -> Result<Work, WatchError> {
        let Some(first) = jobs.first() else {
            return Ok(Work::Skipped("no job"));
        };
        match first.kind {
            JobKind::Fetch => {
                let payload: FetchPayload = serde_json::from_str(&first.payload)?;
                self.fetch_job(&payload, options).await
            }
            JobKind::Deliver => {
                let payload: DeliverPayload = serde_json::from_str(&first.payload)?;
                self.deliver_job(&payload).await
            }
            JobKind::Index => {
                let versions = job_versions(jobs)?;
                // Other workers of this home hold the index lock for one
                // commit at a time; the heartbeat keeps the jobs meanwhile.
                self.engine
                    .derive_versions(&versions, INDEX_LOCK_WAIT)
                    .await?;
                Ok(Work::Indexed(versions.len()))
            }
            JobKind::Analyse => {
                let versions = job_versions(jobs)?;
                // Labels computed on blocking threads; one store transaction.
                let done = self.engine.analyse_versions(&versions).await?;
                Ok(Work::Analysed(done.versions))
            }
            other => Err(WatchError::Invalid(format!(
                "this worker does not run {other} jobs"
            ))),
        }
    }

    /// Hands a host's turn back, the next request to it allowed `delay`
    /// from now. Failures are logged: the turn frees itself when its hold
    /// expires.
    async fn release_turn(&self, turn: &HostTurn, delay: Duration) {
        let next = self.store().now() + span(delay);
        match self.store().release_host(turn, next).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(host = turn.host, "host turn had expired before its release");
            }
            Err(e) => tracing::warn!(host = turn.host, error = %e, "host turn not released"),
        }
    }

    /// A fetch job: checks the source once for its due time. With
    /// `host_turns`, the fetch runs holding the host's turn in the store
    /// (extended while it runs, released with the politeness delay); when
    /// another fetch holds it or its delay runs, the job is deferred.
    async fn fetch_job(
        &self,
        payload: &FetchPayload,
        options: &WorkerOptions,
    ) -> Result<Work, WatchError> {
        let Some(source) = self.store().source_by_id(payload.source_id).await? else {
            return Ok(Work::Skipped("source deleted"));
        };
        if !source.active {
            return Ok(Work::Skipped("source untracked"));
        }
        // The due time moves when a fetch is logged: an earlier run of this
        // job (whose worker died before completing it) already fetched.
        if source.next_due_at != payload.due_at {
            return Ok(Work::Skipped("already fetched for this due time"));
        }
        let delay = self.config.fetch.per_host_delay;
        let hold = |now: DateTime<Utc>| now + span(options.lease);
        let mut turn = None;
        if options.host_turns
            && let Some(host) = host_key(&source.url)
        {
            // Named per fetch: a worker runs several fetches at once.
            let holder = format!("{}/source:{}", options.id, source.id);
            let now = self.store().now();
            match self
                .store()
                .try_take_host(&host, &holder, now, hold(now))
                .await?
            {
                HostTake::Taken(t) => turn = Some(t),
                HostTake::Busy(row) => {
                    // Held by another fetch: free at the earliest after its
                    // delay from now; else when its delay ends.
                    let until = if row.held_until.is_some_and(|u| u > now) {
                        row.next_allowed_at
                            .max(now + span(delay.max(options.host_busy_retry)))
                    } else {
                        row.next_allowed_at.max(now)
                    };
                    tracing::debug!(document = %source.document, host, %until,
                        "host busy: fetch deferred");
                    return Ok(Work::Deferred(until));
                }
            }
        }
        let (fetched, fetch_over) = tokio::sync::oneshot::channel();
        let check = self.check_source(&source, turn.is_some().then_some(fetched));
        let result = match &turn {
            None => check.await,
            Some(turn) => {
                // Keep the turn while the request runs (a dead worker's turn
                // expires one lease after its last extension), and hand it
                // back as soon as the request is over: judging and
                // importing the page do not touch the host.
                tokio::pin!(check);
                let mut fetch_over = fetch_over;
                let mut released = false;
                let period = (options.lease / 3).max(Duration::from_millis(50));
                let mut beat =
                    tokio::time::interval_at(tokio::time::Instant::now() + period, period);
                let result = loop {
                    tokio::select! {
                        result = &mut check => break result,
                        _ = &mut fetch_over, if !released => {
                            self.release_turn(turn, delay).await;
                            released = true;
                        }
                        _ = beat.tick(), if !released => match self.store().extend_host(turn, hold(self.store().now())).await {
                            Ok(true) => {}
                            Ok(false) => tracing::warn!(host = turn.host, "host turn expired and taken over during a fetch"),
                            Err(e) => tracing::warn!(host = turn.host, error = %e, "host turn not extended"),
                        },
                    }
                };
                if !released {
                    self.release_turn(turn, delay).await;
                }
                result
            }
        };
        let result = result?;
        if result.new_version
            && let Some(version) = result.version
        {
            self.enqueue_derived(&source.document, version).await?;
        }
        Ok(Work::Fetched {
            state: result.state.code().to_string(),
            version: result.version,
            new_version: result.new_version,
            alerts: result.alerts,
        })
    }

    async fn deliver_job(&self, payload: &DeliverPayload) -> Result<Work, WatchError> {
        let Some(row) = self.store().outbox_row(payload.alert_row_id).await? else {
            return Ok(Work::Skipped("outbox row deleted"));
        };
        if !matches!(row.state.as_str(), "pending" | "sending") || row.rounds != payload.round {
            return Ok(Work::Skipped("round already delivered"));
        }
        let Some(sub) = self
            .store()
            .subscriptions(false)
            .await?
            .into_iter()
            .find(|s| s.id == row.subscription_id)
        else {
            return Ok(Work::Skipped("subscription removed"));
        };
        Ok(Work::Delivered(self.deliver_one(&row, &sub).await?))
    }
}

/// Claims an index job gets. A claim fails while another process holds
/// the index's writer lock, which is normal when several workers share a
/// home, so the budget is large and retries come soon.
const INDEX_ATTEMPTS: u32 = 1000;

/// Failed fetch cycles given up per look at the schedule.
const STALLED_BATCH: u32 = 500;

/// How long an index batch waits for another process's index commit.
const INDEX_LOCK_WAIT: Duration = Duration::from_secs(120);

/// The versions named by index or analyse jobs.
fn job_versions(jobs: &[JobRow]) -> Result<Vec<(DocumentKey, u32)>, WatchError> {
    let mut versions = Vec::new();
    for job in jobs {
        let p: IndexPayload = serde_json::from_str(&job.payload)?;
        let key: DocumentKey = p
            .document
            .parse()
            .map_err(|e| WatchError::Invalid(format!("{} job: {e}", job.kind)))?;
        versions.push((key, p.version));
    }
    Ok(versions)
}

/// Index jobs claimed at once (written with one writer and one commit).
const INDEX_BATCH: u32 = 500;

/// When a failed attempt is retried: index jobs soon and spread out (the
/// index lock frees quickly), others after 1 s, 2 s, 4 s … up to 5 min.
fn retry_at(job: &JobRow, now: DateTime<Utc>) -> DateTime<Utc> {
    let wait = match job.kind {
        JobKind::Index => {
            Duration::from_millis(200 + u64::try_from(job.id.rem_euclid(8)).unwrap_or(0) * 100)
        }
        _ => Duration::from_secs(1u64 << job.attempts.min(8)).min(Duration::from_secs(300)),
    };
    now + chrono::Duration::from_std(wait).unwrap_or_else(|_| chrono::Duration::seconds(1))
}

/// The key of a URL's host turn: its lowercased host and port
/// (`example.com:443`); `None` for URLs without a host.
fn host_key(url: &str) -> Option<String> {
    let url = url::Url::parse(url).ok()?;
    let host = url.host_str()?.to_ascii_lowercase();
    Some(match url.port_or_known_default() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

/// A std duration as a chrono one, saturating (a day for absurd values).
fn span(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or_else(|_| chrono::Duration::days(1))
}

/// Adds a job's work to its outcome; returns the JSON stored as its result.
fn record(work: &Work, outcome: &mut JobOutcome) -> String {
    let value = match work {
        Work::Skipped(why) => {
            outcome.skipped += 1;
            serde_json::json!({ "skipped": why })
        }
        Work::Fetched {
            state,
            version,
            new_version,
            alerts,
        } => {
            outcome.fetch_state = Some(state.clone());
            outcome.new_version = *new_version;
            outcome.alerts = *alerts;
            serde_json::json!({ "state": state, "version": version, "new_version": new_version, "alerts": alerts })
        }
        Work::Delivered(d) => {
            outcome.deliveries = d.clone();
            serde_json::json!({ "delivered": d.delivered, "retrying": d.retrying, "failed": d.failed })
        }
        Work::Indexed(n) => serde_json::json!({ "indexed": n }),
        Work::Analysed(n) => serde_json::json!({ "analysed": n }),
        Work::Deferred(until) => {
            outcome.deferred += 1;
            serde_json::json!({ "deferred_until": until })
        }
    };
    value.to_string()
}

/// Adds a finished task to the report; returns the alerts it queued.
fn merge(report: &mut WorkerReport, done: Result<JobOutcome, tokio::task::JoinError>) -> usize {
    let o = match done {
        Ok(o) => o,
        Err(e) => {
            tracing::error!(error = %e, "worker: job task failed");
            return 0;
        }
    };
    if let Some(kind) = o.kind
        && o.done > 0
    {
        *report.completed.entry(kind.to_string()).or_default() += o.done;
    }
    report.skipped += o.skipped;
    report.failed += o.failed;
    report.lost_leases += o.lost;
    report.deferred += o.deferred;
    if let Some(state) = o.fetch_state {
        *report.fetch_states.entry(state).or_default() += 1;
    }
    report.new_versions += usize::from(o.new_version);
    report.alerts_queued += o.alerts;
    report.deliveries.delivered += o.deliveries.delivered;
    report.deliveries.retrying += o.deliveries.retrying;
    report.deliveries.failed += o.deliveries.failed;
    o.alerts
}
