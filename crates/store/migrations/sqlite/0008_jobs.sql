-- 0008_jobs: the work queue that `clausewatch worker` processes share.
--
-- A *job* is one step of the pipeline (fetch a source, extract, diff,
-- analyse, index, deliver an alert) that any worker may run. Workers claim
-- due jobs: on PostgreSQL with `SELECT … FOR UPDATE SKIP LOCKED`, so many
-- workers claim at once without waiting on each other; on SQLite inside the
-- one write transaction (`BEGIN IMMEDIATE`), which serialises claims.
--
-- A claim is a *lease*: the job is the worker's until `lease_expires_at`.
-- A worker that runs long extends its lease (heartbeat); one that dies
-- stops extending it, and once it has expired any worker may claim the job
-- again (its attempt counter goes up). Completing or failing a job checks
-- that the caller still holds the lease, so a worker that lost it cannot
-- overwrite the result of the worker that took over. Because a job can run
-- more than once (crash after the work, before `done`), every job's work is
-- idempotent: the store's imports, candidates and outbox are.
--
-- `dedupe_key` makes enqueueing idempotent too: the key names the work
-- ("fetch:source:12:2024-05-01T00:00:00.000000Z" is source 12's fetch for
-- the cycle due at that time), so several schedulers enqueueing the same
-- cycle create one job. Finished jobs are kept as history (`done`,
-- `failed`); nothing is deleted.
--
-- Portable rules as in 0001 (TEXT timestamps compare as time, JSON as TEXT).

CREATE TABLE jobs (
    id               INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL
                     CHECK (kind IN ('fetch', 'extract', 'diff', 'analyse', 'index', 'deliver')),
    dedupe_key       TEXT NOT NULL UNIQUE,
    -- What the job works on, JSON (e.g. {"source_id": 12}).
    payload          TEXT NOT NULL,
    -- queued → running → done; running → queued again after a failure with
    -- attempts left (run_after moved by the backoff), or failed.
    state            TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    -- Not claimable before this time.
    run_after        TEXT NOT NULL,
    -- Claims so far (a claim after a lease expiry counts too).
    attempts         INTEGER NOT NULL CHECK (attempts >= 0),
    max_attempts     INTEGER NOT NULL CHECK (max_attempts >= 1),
    -- The worker holding the job and until when; NULL unless running.
    lease_owner      TEXT,
    lease_expires_at TEXT,
    last_error       TEXT,
    -- What the job reported when it finished, JSON.
    result           TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    finished_at      TEXT,
    CHECK ((state = 'running') = (lease_owner IS NOT NULL AND lease_expires_at IS NOT NULL))
) STRICT;

-- Claims look for queued jobs that are due and running jobs whose lease expired.
CREATE INDEX jobs_claimable ON jobs (state, run_after);
CREATE INDEX jobs_leases ON jobs (state, lease_expires_at);
