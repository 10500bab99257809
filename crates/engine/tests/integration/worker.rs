//! `Watcher::run_worker` when a fetch job fails every attempt: the cycle is
//! given up (logged as a `job_failed` fetch, the source moved to its next
//! scheduled time) instead of leaving the source stalled behind the failed
//! job's key, and once the cause is gone the next cycle fetches the page.
//! The failure is real: the home's archive directory is replaced by a file,
//! so storing the fetched bytes fails inside the job.

use super::origin::{Origin, Reply, policy};
use super::watchkit::{config, home, states, versions, watcher};
use cw_engine::watch::{self, TrackRequest, WorkerOptions};
use cw_store::{ARCHIVE_DIR, JobKind, JobState, Schedule};
use std::time::Duration;

fn options(id: &str) -> WorkerOptions {
    let mut o = WorkerOptions::new(id);
    o.poll = Duration::from_millis(50);
    o.lease = Duration::from_secs(10);
    o.until_idle = true;
    o.max_attempts = 2;
    o
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_whose_fetch_job_fails_every_attempt_comes_due_again_and_is_fetched() {
    let origin = Origin::start().await;
    origin.push("/terms", [Reply::Page(policy("Terms", 6, "alpha"), None)]);
    let (dir, store) = home().await;
    watch::track(
        &store,
        &TrackRequest {
            document: "acme/terms".parse().unwrap(),
            url: origin.url("/terms"),
            schedule: Schedule::Every(1),
            select_css: vec![],
            remove_css: vec![],
            browser: false,
            no_browser: false,
            language: None,
            allow_private: true,
            confirmations: 2,
        },
    )
    .await
    .unwrap();
    let source = store
        .source(&"acme/terms".parse().unwrap())
        .await
        .unwrap()
        .unwrap();

    // Storing any fetched page fails: every attempt of the job fails.
    let archive = dir.path().join(ARCHIVE_DIR);
    let moved = dir.path().join("archive.away");
    std::fs::rename(&archive, &moved).unwrap();
    std::fs::write(&archive, b"not a directory").unwrap();

    let w = watcher(&store, config());
    let report = w
        .run_worker(options("w1"), std::future::pending())
        .await
        .unwrap();
    assert_eq!(report.failed, 2, "{report:?}");
    assert_eq!(report.given_up, 1, "{report:?}");
    assert_eq!(origin.hits("/terms"), 2);
    let failed = store
        .jobs(Some(JobState::Failed), Some(JobKind::Fetch), 10)
        .await
        .unwrap();
    assert_eq!(failed.len(), 1);
    // Logged as a failed fetch outcome, with the job's error.
    assert_eq!(states(&store, "acme/terms").await, ["job_failed"]);
    let attempts = store
        .fetch_attempts(&"acme/terms".parse().unwrap(), 10)
        .await
        .unwrap();
    let detail = attempts[0].detail.clone().unwrap_or_default();
    assert!(detail.contains("every attempt"), "{detail}");
    let after = store.source_by_id(source.id).await.unwrap().unwrap();
    assert!(after.next_due_at > source.next_due_at, "{after:?}");
    assert_eq!(after.consecutive_failures, 1);
    assert_eq!(versions(&store, "acme/terms").await, 0);

    // The cause goes away; the source is due again and gets fetched.
    std::fs::remove_file(&archive).unwrap();
    std::fs::rename(&moved, &archive).unwrap();
    // Step to the time it is due (the same store, read through a clock
    // standing there) instead of sleeping until then.
    let due = cw_testkit::ManualClock::new(after.next_due_at + chrono::Duration::milliseconds(1));
    let w = watcher(&store.clone().with_clock(due.shared()), config());
    let report = w
        .run_worker(options("w2"), std::future::pending())
        .await
        .unwrap();
    assert_eq!(report.failed, 0, "{report:?}");
    assert_eq!(
        report.fetch_states.get("first_version"),
        Some(&1),
        "{report:?}"
    );
    assert_eq!(origin.hits("/terms"), 3);
    assert_eq!(versions(&store, "acme/terms").await, 1);
    assert_eq!(
        states(&store, "acme/terms").await,
        ["job_failed", "first_version"]
    );
    let healthy = store.source_by_id(source.id).await.unwrap().unwrap();
    assert_eq!(healthy.consecutive_failures, 0);
}
