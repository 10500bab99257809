//! Per-host politeness across workers (issue #10): three workers, each
//! with its own watcher (its own fetcher and in-process host slots) and
//! its own store connections on one SQLite home, as three processes would
//! be, fetch twelve sources on two loopback hosts. The origin records per
//! host how many requests were in flight at once and the shortest pause
//! between the end of one response and the next request: one at a time
//! and at least `per_host_delay` apart, across all workers, holds only
//! because each fetch takes the host's turn in the store.

use super::origin::policy;
use super::watchkit::{config, track, versions};
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Html;
use cw_engine::watch::{Watcher, WorkerOptions, WorkerReport};
use cw_store::Store;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

const DELAY: Duration = Duration::from_millis(300);
const SERVE_TIME: Duration = Duration::from_millis(100);

/// What one host saw.
#[derive(Default)]
struct HostLog {
    in_flight: usize,
    max_in_flight: usize,
    last_end: Option<Instant>,
    min_gap: Option<Duration>,
    hits: HashMap<String, usize>,
}

async fn page(State(log): State<Arc<Mutex<HostLog>>>, Path(name): Path<String>) -> Html<String> {
    {
        let mut l = log.lock().unwrap();
        l.in_flight += 1;
        l.max_in_flight = l.max_in_flight.max(l.in_flight);
        if let Some(end) = l.last_end {
            let gap = end.elapsed();
            l.min_gap = Some(l.min_gap.map_or(gap, |g| g.min(gap)));
        }
        *l.hits.entry(name.clone()).or_default() += 1;
    }
    // Slow enough that overlapping requests would be seen.
    tokio::time::sleep(SERVE_TIME).await;
    let mut l = log.lock().unwrap();
    l.in_flight -= 1;
    l.last_end = Some(Instant::now());
    Html(policy(&format!("Terms of {name}"), 3, ""))
}

/// A host: a server on its own loopback port (the port is part of the
/// host key) and its log.
async fn host() -> (String, Arc<Mutex<HostLog>>) {
    let log = Arc::new(Mutex::new(HostLog::default()));
    let app = Router::new()
        .route("/doc/{name}", axum::routing::get(page))
        .with_state(Arc::clone(&log));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, log)
}

fn options(id: &str) -> WorkerOptions {
    let mut o = WorkerOptions::new(id);
    o.poll = Duration::from_millis(50);
    o.lease = Duration::from_secs(10);
    o.until_idle = true;
    o
}

/// Runs three workers over 2 hosts × 6 sources; returns the hosts' logs
/// and the workers' reports.
async fn run(host_turns: bool) -> (Vec<Arc<Mutex<HostLog>>>, Vec<WorkerReport>) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    let mut logs = Vec::new();
    for h in 0..2 {
        let (base, log) = host().await;
        for i in 0..6 {
            track(
                &store,
                &format!("host{h}/doc-{i}"),
                format!("{base}/doc/{i}"),
                None,
            )
            .await;
        }
        logs.push(log);
    }
    let mut workers = Vec::new();
    for w in 0..3 {
        // Its own connections and its own fetcher: another process.
        let store = Store::open(dir.path()).await.unwrap();
        let mut c = config();
        c.fetch.per_host_delay = DELAY;
        c.concurrency = 4;
        let watcher = Watcher::new(store, c).unwrap();
        let mut o = options(&format!("w{w}"));
        o.host_turns = host_turns;
        workers.push(tokio::spawn(async move {
            watcher.run_worker(o, std::future::pending()).await.unwrap()
        }));
    }
    let mut reports = Vec::new();
    for w in workers {
        reports.push(w.await.unwrap());
    }
    for h in 0..2 {
        for i in 0..6 {
            assert_eq!(versions(&store, &format!("host{h}/doc-{i}")).await, 1);
        }
    }
    (logs, reports)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn workers_share_each_hosts_turn_and_delay() {
    let started = Instant::now();
    let (logs, reports) = run(true).await;
    for (h, log) in logs.iter().enumerate() {
        let l = log.lock().unwrap();
        assert_eq!(l.hits.len(), 6, "host {h}: {:?}", l.hits);
        assert!(l.hits.values().all(|&n| n == 1), "host {h}: {:?}", l.hits);
        assert_eq!(l.max_in_flight, 1, "host {h}: requests overlapped");
        let gap = l.min_gap.unwrap();
        assert!(
            gap >= DELAY,
            "host {h}: {gap:?} between two requests, less than the {DELAY:?} delay"
        );
    }
    let fetched: usize = reports
        .iter()
        .map(|r| r.completed.get("fetch").copied().unwrap_or(0))
        .sum();
    assert_eq!(fetched, 12, "{reports:#?}");
    assert!(reports.iter().all(|r| r.failed == 0), "{reports:#?}");
    // The workers did contend for the hosts (and deferred, not waited).
    assert!(
        reports.iter().map(|r| r.deferred).sum::<usize>() > 0,
        "{reports:#?}"
    );
    assert!(
        reports
            .iter()
            .filter(|r| r.completed.contains_key("fetch"))
            .count()
            > 1,
        "one worker did all the fetches: {reports:#?}"
    );
    // Six fetches a host, one at a time, 300 ms apart: about 2.4 s.
    assert!(started.elapsed() < Duration::from_secs(30));
}
