//! The shared per-host turns (migration 0009): one holder per host at a
//! time, the politeness delay after a release, a dead holder's turn taken
//! over once its hold expires, many concurrent takers (on separate
//! connection pools, like separate worker processes) with exactly one
//! winner, and putting a claimed job back without spending an attempt.
//! Runs on whichever engine the suite runs on.

use super::util::TestHome;
use chrono::{DateTime, Duration as Span, Utc};
use cw_store::{HostTake, HostTurn, JobKind, JobState, NewJob, StoreError};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Barrier;

const HOST: &str = "example.com:443";

fn t0() -> DateTime<Utc> {
    "2030-01-01T00:00:00Z".parse().unwrap()
}

fn at(seconds: i64) -> DateTime<Utc> {
    t0() + Span::seconds(seconds)
}

fn taken(take: HostTake) -> HostTurn {
    match take {
        HostTake::Taken(turn) => turn,
        HostTake::Busy(row) => panic!("expected the turn, the host is busy: {row:?}"),
    }
}

fn busy(take: HostTake) -> cw_store::HostSlotRow {
    match take {
        HostTake::Busy(row) => row,
        HostTake::Taken(turn) => panic!("expected a busy host, got the turn: {turn:?}"),
    }
}

#[tokio::test]
async fn one_holder_at_a_time_and_hosts_are_independent() {
    let home = TestHome::new().await;
    let store = &home.store;
    let turn = taken(
        store
            .try_take_host(HOST, "w1", at(0), at(30))
            .await
            .unwrap(),
    );
    assert_eq!(
        (turn.host.as_str(), turn.holder.as_str(), turn.held_until),
        (HOST, "w1", at(30))
    );
    let row = store.host_slot(HOST).await.unwrap().unwrap();
    assert_eq!(row.holder.as_deref(), Some("w1"));
    assert_eq!(row.held_until, Some(at(30)));

    // Held: nobody else gets it, not even the same worker again.
    for (worker, second) in [("w2", 1), ("w1", 2), ("w3", 29)] {
        let row = busy(
            store
                .try_take_host(HOST, worker, at(second), at(second + 30))
                .await
                .unwrap(),
        );
        assert_eq!(row.holder.as_deref(), Some("w1"), "{worker}");
    }
    // Another host is free meanwhile.
    let other = taken(
        store
            .try_take_host("example.org:443", "w2", at(1), at(31))
            .await
            .unwrap(),
    );
    assert_eq!(other.holder, "w2");

    // Only the holder can release; then the next taker gets it.
    let stranger = HostTurn {
        host: HOST.into(),
        holder: "w2".into(),
        held_until: at(30),
    };
    assert!(!store.release_host(&stranger, at(3)).await.unwrap());
    assert!(!store.extend_host(&stranger, at(60)).await.unwrap());
    assert!(store.release_host(&turn, at(3)).await.unwrap());
    let row = store.host_slot(HOST).await.unwrap().unwrap();
    assert_eq!((row.holder, row.held_until), (None, None));
    assert_eq!(row.next_allowed_at, at(3));
    let next = taken(
        store
            .try_take_host(HOST, "w2", at(3), at(33))
            .await
            .unwrap(),
    );
    assert_eq!(next.holder, "w2");
}

#[tokio::test]
async fn the_delay_after_a_release_is_respected() {
    let home = TestHome::new().await;
    let store = &home.store;
    let turn = taken(
        store
            .try_take_host(HOST, "w1", at(0), at(30))
            .await
            .unwrap(),
    );
    // The fetch ended at 5 s; the politeness delay is 2 s.
    assert!(store.release_host(&turn, at(7)).await.unwrap());
    for second in [5, 6] {
        let row = busy(
            store
                .try_take_host(HOST, "w2", at(second), at(second + 30))
                .await
                .unwrap(),
        );
        assert_eq!(row.holder, None);
        assert_eq!(row.next_allowed_at, at(7));
        assert!(row.is_busy(at(second)));
    }
    // A millisecond early is still too early.
    busy(
        store
            .try_take_host(HOST, "w2", at(7) - Span::milliseconds(1), at(37))
            .await
            .unwrap(),
    );
    let turn = taken(
        store
            .try_take_host(HOST, "w2", at(7), at(37))
            .await
            .unwrap(),
    );
    assert_eq!(turn.holder, "w2");
}

#[tokio::test]
async fn an_expired_hold_is_taken_over_and_the_old_holder_loses_it() {
    let home = TestHome::new().await;
    let store = &home.store;
    let dead = taken(
        store
            .try_take_host(HOST, "w1", at(0), at(30))
            .await
            .unwrap(),
    );
    // Extending moves the expiry; w1 then dies without releasing.
    assert!(store.extend_host(&dead, at(40)).await.unwrap());
    busy(
        store
            .try_take_host(HOST, "w2", at(39), at(69))
            .await
            .unwrap(),
    );

    let heir = taken(
        store
            .try_take_host(HOST, "w2", at(40), at(70))
            .await
            .unwrap(),
    );
    assert_eq!(heir.holder, "w2");
    // The dead holder's late calls change nothing.
    assert!(!store.extend_host(&dead, at(100)).await.unwrap());
    assert!(!store.release_host(&dead, at(41)).await.unwrap());
    let row = store.host_slot(HOST).await.unwrap().unwrap();
    assert_eq!(row.holder.as_deref(), Some("w2"));
    assert_eq!(row.held_until, Some(at(70)));
    assert!(store.release_host(&heir, at(45)).await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_concurrent_takers_exactly_one_wins() {
    let home = TestHome::new().await;
    // Four stores on one database, each with its own connections: four
    // worker processes. Four takers on each, released at once.
    let mut stores = vec![home.store.clone()];
    for _ in 0..3 {
        stores.push(home.open_again().await);
    }
    const TAKERS: usize = 16;
    for round in 0..12i64 {
        // Every other round races on a host seen before (an update of its
        // row); the others on a new host (racing inserts).
        let host = format!("h{}.example:80", round / 2);
        let now = at(round * 60);
        let barrier = Arc::new(Barrier::new(TAKERS));
        let mut tasks = Vec::new();
        for t in 0..TAKERS {
            let store = stores[t % stores.len()].clone();
            let barrier = Arc::clone(&barrier);
            let host = host.clone();
            tasks.push(tokio::spawn(async move {
                barrier.wait().await;
                let worker = format!("w{t}");
                match store
                    .try_take_host(&host, &worker, now, now + Span::seconds(30))
                    .await
                    .unwrap()
                {
                    HostTake::Taken(turn) => Some(turn),
                    HostTake::Busy(_) => None,
                }
            }));
        }
        let mut winners = Vec::new();
        for task in tasks {
            if let Some(turn) = task.await.unwrap() {
                winners.push(turn);
            }
        }
        assert_eq!(winners.len(), 1, "round {round}: {winners:?}");
        let row = home.store.host_slot(&host).await.unwrap().unwrap();
        assert_eq!(row.holder.as_ref(), Some(&winners[0].holder));
        assert!(
            home.store
                .release_host(&winners[0], now + Span::seconds(1))
                .await
                .unwrap()
        );
    }
    for store in stores.into_iter().skip(1) {
        store.close().await;
    }
}

#[tokio::test]
async fn a_deferred_job_goes_back_to_the_queue_without_spending_an_attempt() {
    let home = TestHome::new().await;
    let store = &home.store;
    store
        .enqueue_jobs(&[NewJob {
            kind: JobKind::Fetch,
            dedupe_key: "fetch:1".into(),
            payload: "{}".into(),
            run_after: at(0),
            max_attempts: 1,
        }])
        .await
        .unwrap();
    let lease = Duration::from_secs(30);
    // Deferred many times over: the single allowed attempt is never spent.
    for round in 0..3 {
        let now = at(round * 10);
        let claimed = store.claim_jobs("w1", 5, lease, now).await.unwrap();
        assert_eq!(claimed.len(), 1, "round {round}");
        let id = claimed[0].id;
        assert_eq!(claimed[0].attempts, 1);
        // Only the lease holder can defer it.
        assert!(matches!(
            store.defer_job(id, "w2", now).await,
            Err(StoreError::LeaseLost { job }) if job == id
        ));
        store
            .defer_job(id, "w1", now + Span::seconds(5))
            .await
            .unwrap();
        let job = store.job(id).await.unwrap().unwrap();
        assert_eq!(job.state, JobState::Queued);
        assert_eq!(job.attempts, 0);
        assert_eq!(job.run_after, now + Span::seconds(5));
        assert_eq!((job.lease_owner, job.lease_expires_at), (None, None));
        // Not claimable before its new time.
        assert!(
            store
                .claim_jobs("w1", 5, lease, now + Span::seconds(4))
                .await
                .unwrap()
                .is_empty()
        );
    }
    let claimed = store.claim_jobs("w1", 5, lease, at(100)).await.unwrap();
    store.complete_job(claimed[0].id, "w1", None).await.unwrap();
    assert_eq!(store.job_counts().await.unwrap().done, 1);
}

/// Workers started together after an upgrade open one SQLite file at once
/// and race to apply its new migrations (this one's 0009 first of all):
/// every one of them opens the store.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stores_opened_at_once_on_one_new_sqlite_file_all_open() {
    for _ in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        let opens: Vec<_> = (0..6)
            .map(|_| {
                let path = dir.path().to_path_buf();
                tokio::spawn(async move { cw_store::Store::open(&path).await })
            })
            .collect();
        for open in opens {
            let store = open.await.unwrap().unwrap();
            assert_eq!(store.host_slot(HOST).await.unwrap(), None);
            store.close().await;
        }
    }
}
