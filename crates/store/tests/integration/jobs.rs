//! The job queue: idempotent enqueueing, claims under leases, takeover
//! after a lease expires, lease checks on completion, retries and giving
//! up, and many concurrent claimers never sharing a job. Runs on whichever
//! engine the suite runs on (SQLite file, or PostgreSQL in the second pass).

use super::util::TestHome;
use chrono::{DateTime, Duration as Span, Utc};
use cw_store::{JobKind, JobState, NewJob, StoreError};
use std::collections::HashMap;
use std::time::Duration;

const LEASE: Duration = Duration::from_secs(30);

fn job(key: &str, run_after: DateTime<Utc>) -> NewJob {
    NewJob {
        kind: JobKind::Fetch,
        dedupe_key: key.to_string(),
        payload: format!("{{\"key\":\"{key}\"}}"),
        run_after,
        max_attempts: 3,
    }
}

fn t0() -> DateTime<Utc> {
    "2030-01-01T00:00:00Z".parse().unwrap()
}

#[tokio::test]
async fn enqueueing_is_idempotent_by_key() {
    let home = TestHome::new().await;
    let store = &home.store;
    let added = store
        .enqueue_jobs(&[job("a", t0()), job("b", t0()), job("a", t0())])
        .await
        .unwrap();
    assert_eq!(added, 2);
    assert_eq!(store.enqueue_jobs(&[job("b", t0())]).await.unwrap(), 0);
    let counts = store.job_counts().await.unwrap();
    assert_eq!((counts.queued, counts.running, counts.done), (2, 0, 0));

    // A finished job's key stays taken: the work is not done twice.
    let claimed = store.claim_jobs("w1", 10, LEASE, t0()).await.unwrap();
    for j in &claimed {
        store.complete_job(j.id, "w1", None).await.unwrap();
    }
    assert_eq!(store.enqueue_jobs(&[job("a", t0())]).await.unwrap(), 0);
    assert_eq!(store.job_counts().await.unwrap().done, 2);
}

#[tokio::test]
async fn claims_take_due_jobs_oldest_first_under_a_lease() {
    let home = TestHome::new().await;
    let store = &home.store;
    store
        .enqueue_jobs(&[
            job("late", t0() + Span::seconds(60)),
            job("second", t0() - Span::seconds(5)),
            job("first", t0() - Span::seconds(10)),
        ])
        .await
        .unwrap();

    let claimed = store.claim_jobs("w1", 10, LEASE, t0()).await.unwrap();
    let keys: Vec<&str> = claimed.iter().map(|j| j.dedupe_key.as_str()).collect();
    assert_eq!(keys, ["first", "second"], "not yet due: late");
    for j in &claimed {
        assert_eq!(j.state, JobState::Running);
        assert_eq!(j.attempts, 1);
        assert_eq!(j.lease_owner.as_deref(), Some("w1"));
        assert_eq!(j.lease_expires_at, Some(t0() + Span::seconds(30)));
        assert_eq!(j.kind, JobKind::Fetch);
        assert!(j.payload.contains(&j.dedupe_key));
    }
    // Held jobs are not claimable while the lease runs.
    assert!(
        store
            .claim_jobs("w2", 10, LEASE, t0() + Span::seconds(29))
            .await
            .unwrap()
            .is_empty()
    );
    for j in &claimed {
        store.complete_job(j.id, "w1", None).await.unwrap();
    }
    store
        .enqueue_jobs(&[job("later still", t0() + Span::seconds(61))])
        .await
        .unwrap();
    // The limit holds.
    let later = store
        .claim_jobs("w2", 1, LEASE, t0() + Span::seconds(61))
        .await
        .unwrap();
    assert_eq!(later.len(), 1);
    assert_eq!(later[0].dedupe_key, "late");
}

#[tokio::test]
async fn an_expired_lease_passes_the_job_to_another_worker() {
    let home = TestHome::new().await;
    let store = &home.store;
    store.enqueue_jobs(&[job("j", t0())]).await.unwrap();
    let first = store.claim_jobs("crashed", 1, LEASE, t0()).await.unwrap();
    let id = first[0].id;

    // The first worker dies: its lease runs out and w2 takes over.
    let after_expiry = t0() + Span::seconds(31);
    let taken = store
        .claim_jobs("w2", 5, LEASE, after_expiry)
        .await
        .unwrap();
    assert_eq!(taken.len(), 1);
    assert_eq!(taken[0].id, id);
    assert_eq!(taken[0].attempts, 2);
    assert_eq!(taken[0].lease_owner.as_deref(), Some("w2"));

    // The first worker comes back: it holds nothing any more.
    let err = store.complete_job(id, "crashed", None).await.unwrap_err();
    assert!(
        matches!(err, StoreError::LeaseLost { job } if job == id),
        "{err:?}"
    );
    assert_eq!(err.code(), "lease_lost");
    let err = store
        .extend_job_lease(id, "crashed", LEASE, after_expiry)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "lease_lost");

    store
        .complete_job(id, "w2", Some("{\"ok\":true}"))
        .await
        .unwrap();
    let done = store.job(id).await.unwrap().unwrap();
    assert_eq!(done.state, JobState::Done);
    assert_eq!(done.result.as_deref(), Some("{\"ok\":true}"));
    assert_eq!(done.lease_owner, None);
    assert!(done.finished_at.is_some());
    // Done is final: completing again is refused.
    assert_eq!(
        store.complete_job(id, "w2", None).await.unwrap_err().code(),
        "lease_lost"
    );
}

#[tokio::test]
async fn extending_a_lease_keeps_the_job() {
    let home = TestHome::new().await;
    let store = &home.store;
    store.enqueue_jobs(&[job("long", t0())]).await.unwrap();
    let id = store.claim_jobs("w1", 1, LEASE, t0()).await.unwrap()[0].id;
    store
        .extend_job_lease(id, "w1", LEASE, t0() + Span::seconds(25))
        .await
        .unwrap();
    // Past the first deadline, within the extended one: still w1's.
    assert!(
        store
            .claim_jobs("w2", 1, LEASE, t0() + Span::seconds(40))
            .await
            .unwrap()
            .is_empty()
    );
    let row = store.job(id).await.unwrap().unwrap();
    assert_eq!(row.lease_expires_at, Some(t0() + Span::seconds(55)));
}

#[tokio::test]
async fn failures_retry_after_the_backoff_then_give_up() {
    let home = TestHome::new().await;
    let store = &home.store;
    store.enqueue_jobs(&[job("flaky", t0())]).await.unwrap();
    let mut now = t0();
    for attempt in 1..=3u32 {
        let claimed = store.claim_jobs("w", 1, LEASE, now).await.unwrap();
        assert_eq!(claimed.len(), 1, "attempt {attempt}");
        assert_eq!(claimed[0].attempts, attempt);
        let retry_at = now + Span::seconds(10);
        let state = store
            .fail_job(claimed[0].id, "w", &format!("boom {attempt}"), retry_at)
            .await
            .unwrap();
        if attempt < 3 {
            assert_eq!(state, JobState::Queued);
            // Not before the backoff.
            assert!(
                store
                    .claim_jobs("w", 1, LEASE, now + Span::seconds(9))
                    .await
                    .unwrap()
                    .is_empty()
            );
        } else {
            assert_eq!(state, JobState::Failed);
        }
        now = retry_at;
    }
    let rows = store
        .jobs(Some(JobState::Failed), Some(JobKind::Fetch), 10)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].last_error.as_deref(), Some("boom 3"));
    assert!(
        store
            .claim_jobs("w", 1, LEASE, now + Span::days(1))
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_lease_expiring_on_the_last_attempt_fails_the_job() {
    let home = TestHome::new().await;
    let store = &home.store;
    let mut once = job("fragile", t0());
    once.max_attempts = 1;
    store.enqueue_jobs(&[once]).await.unwrap();
    let id = store.claim_jobs("dies", 1, LEASE, t0()).await.unwrap()[0].id;
    let later = t0() + Span::seconds(31);
    assert!(
        store
            .claim_jobs("w2", 1, LEASE, later)
            .await
            .unwrap()
            .is_empty()
    );
    let row = store.job(id).await.unwrap().unwrap();
    assert_eq!(row.state, JobState::Failed);
    assert!(
        row.last_error.as_deref().unwrap_or("").contains("dies"),
        "{:?}",
        row.last_error
    );
    assert_eq!(store.job_counts().await.unwrap().failed, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_claimers_never_share_a_job() {
    let home = TestHome::new().await;
    let jobs: Vec<NewJob> = (0..300).map(|i| job(&format!("j{i:03}"), t0())).collect();
    home.store.enqueue_jobs(&jobs).await.unwrap();

    let mut tasks = Vec::new();
    for w in 0..8 {
        let store = home.store.clone();
        tasks.push(tokio::spawn(async move {
            let worker = format!("w{w}");
            let mut mine = Vec::new();
            loop {
                let claimed = store.claim_jobs(&worker, 3, LEASE, t0()).await.unwrap();
                if claimed.is_empty() {
                    break;
                }
                for j in claimed {
                    store.complete_job(j.id, &worker, None).await.unwrap();
                    mine.push(j.id);
                }
            }
            mine
        }));
    }
    let mut seen: HashMap<i64, usize> = HashMap::new();
    let mut workers_with_work = 0;
    for task in tasks {
        let mine = task.await.unwrap();
        workers_with_work += usize::from(!mine.is_empty());
        for id in mine {
            *seen.entry(id).or_default() += 1;
        }
    }
    assert_eq!(seen.len(), 300);
    assert!(seen.values().all(|&n| n == 1), "a job was claimed twice");
    assert!(workers_with_work >= 2, "claims were spread over workers");
    let counts = home.store.job_counts().await.unwrap();
    assert_eq!((counts.done, counts.queued, counts.running), (300, 0, 0));
    let rows = home.store.jobs(None, None, 1000).await.unwrap();
    assert!(rows.iter().all(|r| r.attempts == 1));
}

fn source(name: &str) -> cw_store::NewSource {
    cw_store::NewSource {
        document: format!("acme/{name}").parse().unwrap(),
        url: format!("http://127.0.0.1:9/{name}"),
        schedule: cw_store::Schedule::Every(3600),
        select_css: vec![],
        remove_css: vec![],
        browser: false,
        no_browser: false,
        language: None,
        allow_private: true,
        confirmations: 1,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn due_work_is_enqueued_once_per_cycle_and_round_whoever_schedules() {
    let home = TestHome::new().await;
    let store = &home.store;
    let due = store
        .track_source(&source("due"), t0() - Span::seconds(10))
        .await
        .unwrap();
    store
        .track_source(&source("later"), t0() + Span::hours(1))
        .await
        .unwrap();

    // Eight schedulers at once: one fetch job for the one due source.
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store.enqueue_due_work(t0(), 3).await.unwrap()
        }));
    }
    let mut total = (0, 0);
    for t in tasks {
        let (f, d) = t.await.unwrap();
        total = (total.0 + f, total.1 + d);
    }
    assert_eq!(total, (1, 0));
    let jobs = store.jobs(None, Some(JobKind::Fetch), 10).await.unwrap();
    assert_eq!(jobs.len(), 1);
    let payload: serde_json::Value = serde_json::from_str(&jobs[0].payload).unwrap();
    assert_eq!(payload["source_id"], due.id);
    let due_at: DateTime<Utc> = payload["due_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(due_at, due.next_due_at);
    assert!(
        jobs[0]
            .dedupe_key
            .starts_with(&format!("fetch:source:{}:", due.id))
    );

    // Logging the fetch moves the due time: the next cycle is a new job.
    store
        .record_attempt(&cw_store::NewAttempt {
            source_id: due.id,
            started_at: t0(),
            finished_at: t0(),
            state: "unchanged".into(),
            outcome: "fetched".into(),
            http_status: Some(200),
            detail: None,
            sha256: None,
            content_hash: None,
            elapsed_ms: 1,
            version_number: None,
            ok: true,
            validators: None,
            next_due_at: t0() + Span::hours(1),
            supersede_candidate: false,
        })
        .await
        .unwrap();
    assert_eq!(store.enqueue_due_work(t0(), 3).await.unwrap(), (0, 0));
    let later = t0() + Span::hours(2);
    assert_eq!(store.enqueue_due_work(later, 3).await.unwrap(), (2, 0));
    assert_eq!(store.enqueue_due_work(later, 3).await.unwrap(), (0, 0));

    // A queued alert gets one deliver job per round.
    let sub = store
        .add_subscription(
            Some("hook"),
            r#"{"type":"feed","name":"hook"}"#,
            "{}",
            false,
        )
        .await
        .unwrap();
    let candidate = store
        .observe_candidate(due.id, &"c".repeat(64), &"d".repeat(64), t0())
        .await
        .unwrap();
    assert!(
        store
            .documents_with_promoted_versions()
            .await
            .unwrap()
            .is_empty(),
        "an observed candidate is not promoted yet"
    );
    store
        .promote_candidate(
            candidate.id,
            &due.document,
            2,
            Some(1),
            &[cw_store::NewAlert {
                subscription_id: sub.id,
                alert_id: "a".repeat(64),
            }],
        )
        .await
        .unwrap();
    // The watcher's start-up feed refresh finds the document in one query.
    assert_eq!(
        store.documents_with_promoted_versions().await.unwrap(),
        vec![due.document.clone()]
    );
    assert_eq!(
        store.promoted_versions(&due.document).await.unwrap(),
        vec![2]
    );
    let now = Utc::now() + Span::seconds(1);
    assert_eq!(store.enqueue_due_work(now, 3).await.unwrap().1, 1);
    assert_eq!(store.enqueue_due_work(now, 3).await.unwrap().1, 0);
    let deliver = store.jobs(None, Some(JobKind::Deliver), 10).await.unwrap();
    let payload: serde_json::Value = serde_json::from_str(&deliver[0].payload).unwrap();
    let row = store
        .outbox_row(payload["alert_row_id"].as_i64().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (row.subscription_id, payload["round"].as_i64()),
        (sub.id, Some(0))
    );
    assert_eq!(
        store.source_by_id(due.id).await.unwrap().unwrap().document,
        due.document
    );
}

/// Claims the one due fetch job of the queue at `now` and fails it, every
/// attempt.
async fn fail_every_attempt(store: &cw_store::Store, now: DateTime<Utc>) {
    for attempt in 1..=3u32 {
        let at = now + Span::seconds(i64::from(attempt) * 10);
        let claimed = store.claim_jobs("w", 1, LEASE, at).await.unwrap();
        assert_eq!(claimed.len(), 1, "attempt {attempt}");
        let state = store
            .fail_job(claimed[0].id, "w", &format!("boom {attempt}"), at)
            .await
            .unwrap();
        assert_eq!(state == JobState::Failed, attempt == 3);
    }
}

fn give_up(source_id: i64, next_due_at: DateTime<Utc>) -> cw_store::NewAttempt {
    cw_store::NewAttempt {
        source_id,
        started_at: t0(),
        finished_at: t0(),
        state: "job_failed".into(),
        outcome: "job_failed".into(),
        http_status: None,
        detail: Some("every attempt failed".into()),
        sha256: None,
        content_hash: None,
        elapsed_ms: 0,
        version_number: None,
        ok: false,
        validators: None,
        next_due_at,
        supersede_candidate: false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_fetch_cycle_that_failed_every_attempt_is_given_up_once_and_comes_due_again() {
    let home = TestHome::new().await;
    let store = &home.store;
    let flaky = store
        .track_source(&source("flaky"), t0() - Span::seconds(10))
        .await
        .unwrap();
    let healthy = store
        .track_source(&source("healthy"), t0() + Span::hours(5))
        .await
        .unwrap();
    assert_eq!(store.enqueue_due_work(t0(), 3).await.unwrap(), (1, 0));
    fail_every_attempt(store, t0()).await;

    // The failed job holds the cycle's key: scheduling alone never brings
    // the source back, however late it gets.
    let day = t0() + Span::days(1);
    assert_eq!(store.enqueue_due_work(day, 3).await.unwrap(), (1, 0));
    let fetches = store.jobs(None, Some(JobKind::Fetch), 10).await.unwrap();
    assert!(
        fetches.iter().all(|j| !j
            .dedupe_key
            .starts_with(&format!("fetch:source:{}:", flaky.id))
            || j.state == JobState::Failed),
        "{fetches:?}"
    );
    let stalled = store.stalled_fetches(day, 10).await.unwrap();
    assert_eq!(stalled.len(), 1, "{stalled:?}");
    assert_eq!(
        (
            stalled[0].source_id,
            stalled[0].due_at,
            stalled[0].consecutive_failures
        ),
        (flaky.id, flaky.next_due_at, 0)
    );
    assert_eq!(stalled[0].error.as_deref(), Some("boom 3"));
    // Not before the cycle is due.
    assert!(
        store
            .stalled_fetches(t0() - Span::seconds(11), 10)
            .await
            .unwrap()
            .is_empty()
    );

    // Eight workers give the cycle up at once: one logs it.
    let next = day + Span::hours(1);
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = store.clone();
        let due = flaky.next_due_at;
        tasks.push(tokio::spawn(async move {
            store
                .give_up_fetch(due, &give_up(flaky.id, next))
                .await
                .unwrap()
        }));
    }
    let mut won = 0;
    for t in tasks {
        won += usize::from(t.await.unwrap());
    }
    assert_eq!(won, 1);
    let attempts = store.fetch_attempts(&flaky.document, 10).await.unwrap();
    assert_eq!(attempts.len(), 1, "{attempts:?}");
    assert_eq!(attempts[0].state, "job_failed");
    let row = store.source_by_id(flaky.id).await.unwrap().unwrap();
    assert_eq!(row.next_due_at, next);
    assert_eq!(row.consecutive_failures, 1);
    assert_eq!(row.last_state.as_deref(), Some("job_failed"));
    assert!(store.stalled_fetches(day, 10).await.unwrap().is_empty());
    // A give-up of a cycle already logged changes nothing.
    assert!(
        !store
            .give_up_fetch(flaky.next_due_at, &give_up(flaky.id, next))
            .await
            .unwrap()
    );

    // Due again at its next time: a new job, which can succeed.
    assert_eq!(store.enqueue_due_work(next, 3).await.unwrap(), (1, 0));
    let claimed = store
        .claim_jobs_of("w", &[JobKind::Fetch], 10, LEASE, next)
        .await
        .unwrap();
    let again: Vec<_> = claimed
        .iter()
        .filter(|j| {
            let p: serde_json::Value = serde_json::from_str(&j.payload).unwrap();
            p["source_id"] == flaky.id
        })
        .collect();
    assert_eq!(again.len(), 1, "{claimed:?}");
    let due_at: DateTime<Utc> = serde_json::from_str::<serde_json::Value>(&again[0].payload)
        .unwrap()["due_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(due_at, next);
    store.complete_job(again[0].id, "w", None).await.unwrap();
    // The healthy source was never touched by the give-up.
    let healthy = store.source_by_id(healthy.id).await.unwrap().unwrap();
    assert_eq!(healthy.consecutive_failures, 0);
}

#[tokio::test]
async fn a_fetch_cycle_whose_worker_died_on_the_last_attempt_is_stalled_too() {
    let home = TestHome::new().await;
    let store = &home.store;
    let fragile = store
        .track_source(&source("fragile"), t0() - Span::seconds(10))
        .await
        .unwrap();
    assert_eq!(store.enqueue_due_work(t0(), 1).await.unwrap(), (1, 0));
    assert_eq!(
        store
            .claim_jobs("dies", 1, LEASE, t0())
            .await
            .unwrap()
            .len(),
        1
    );
    let later = t0() + Span::seconds(31);
    assert!(
        store
            .claim_jobs("w2", 1, LEASE, later)
            .await
            .unwrap()
            .is_empty()
    );
    let stalled = store.stalled_fetches(later, 10).await.unwrap();
    assert_eq!(stalled.len(), 1, "{stalled:?}");
    assert_eq!(stalled[0].source_id, fragile.id);
    assert!(
        stalled[0].error.as_deref().unwrap_or("").contains("dies"),
        "{stalled:?}"
    );
    let next = later + Span::hours(1);
    assert!(
        store
            .give_up_fetch(fragile.next_due_at, &give_up(fragile.id, next))
            .await
            .unwrap()
    );
    assert_eq!(store.enqueue_due_work(next, 1).await.unwrap(), (1, 0));
}
