//! Politeness: requests to one host never overlap and are spaced by
//! `per_host_delay`; different hosts run concurrently.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::response::Html;
use axum::routing::get;

use crate::harness::{Origin, config, fetched, fetcher, get as fetch, terms_page};

#[derive(Default)]
struct Gauge {
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    spans: Mutex<Vec<(Instant, Instant)>>,
}

async fn slow_origin(gauge: Arc<Gauge>) -> Origin {
    Origin::start(Router::new().route(
        "/{page}",
        get(move || {
            let gauge = Arc::clone(&gauge);
            async move {
                let start = Instant::now();
                let now = gauge.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                gauge.max_in_flight.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(150)).await;
                gauge.in_flight.fetch_sub(1, Ordering::SeqCst);
                gauge.spans.lock().unwrap().push((start, Instant::now()));
                Html(terms_page("1"))
            }
        }),
    ))
    .await
}

#[tokio::test]
async fn same_host_fetches_are_serialized_and_spaced() {
    let gauge = Arc::<Gauge>::default();
    let origin = slow_origin(Arc::clone(&gauge)).await;
    let mut cfg = config();
    cfg.per_host_delay = Duration::from_millis(200);
    let fetcher = fetcher(cfg);
    let (a, b, c) = tokio::join!(
        fetch(&fetcher, origin.url("/a")),
        fetch(&fetcher, origin.url("/b")),
        fetch(&fetcher, origin.url("/c")),
    );
    for outcome in [a, b, c] {
        fetched(outcome);
    }
    assert_eq!(gauge.max_in_flight.load(Ordering::SeqCst), 1);
    let mut spans = gauge.spans.lock().unwrap().clone();
    spans.sort();
    for pair in spans.windows(2) {
        let gap = pair[1].0 - pair[0].1;
        assert!(gap >= Duration::from_millis(190), "gap {gap:?}");
    }
}

#[tokio::test]
async fn different_hosts_run_concurrently() {
    let gauge = Arc::<Gauge>::default();
    let origin = slow_origin(Arc::clone(&gauge)).await;
    let mut cfg = config();
    cfg.per_host_delay = Duration::from_secs(5);
    for host in ["a.test", "b.test"] {
        cfg.resolve_overrides
            .insert(host.to_owned(), vec![IpAddr::V4(Ipv4Addr::LOCALHOST)]);
    }
    let fetcher = fetcher(cfg);
    let started = Instant::now();
    let (a, b) = tokio::join!(
        fetch(&fetcher, origin.url_as("a.test", "/x")),
        fetch(&fetcher, origin.url_as("b.test", "/y")),
    );
    fetched(a);
    fetched(b);
    assert_eq!(gauge.max_in_flight.load(Ordering::SeqCst), 2);
    assert!(started.elapsed() < Duration::from_secs(2));
}
