//! HTTP errors, retries of transient failures, timeouts.

use std::time::Duration;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::routing::get;
use cw_fetch::{FetchFailure, PageVerdict};

use crate::harness::{Counter, Origin, config, failed, fetched, fetcher, get as fetch, terms_page};

#[tokio::test]
async fn not_found_and_server_error_are_http_failures_without_retry() {
    let hits = Counter::default();
    let (h404, h500) = (hits.clone(), hits.clone());
    let origin = Origin::start(
        Router::new()
            .route(
                "/gone",
                get(move || async move {
                    h404.bump();
                    (StatusCode::NOT_FOUND, "no such page")
                }),
            )
            .route(
                "/broken",
                get(move || async move {
                    h500.bump();
                    (StatusCode::INTERNAL_SERVER_ERROR, "oops")
                }),
            ),
    )
    .await;
    let fetcher = fetcher(config());
    match failed(fetch(&fetcher, origin.url("/gone")).await) {
        FetchFailure::Http {
            status: 404,
            verdict: PageVerdict::ErrorPage { .. },
            ..
        } => {}
        other => panic!("{other:?}"),
    }
    match failed(fetch(&fetcher, origin.url("/broken")).await) {
        FetchFailure::Http { status: 500, .. } => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(hits.get(), 2, "404 and 500 are not retried");
}

#[tokio::test]
async fn service_unavailable_then_ok_is_retried() {
    let hits = Counter::default();
    let h = hits.clone();
    let origin = Origin::start(Router::new().route(
        "/flaky",
        get(move || {
            let h = h.clone();
            async move {
                if h.bump() == 1 {
                    (StatusCode::SERVICE_UNAVAILABLE, String::from("busy"))
                } else {
                    (StatusCode::OK, terms_page("1"))
                }
            }
        }),
    ))
    .await;
    let page = fetched(fetch(&fetcher(config()), origin.url("/flaky")).await);
    assert_eq!(page.attempts, 2);
    assert_eq!(hits.get(), 2);
}

#[tokio::test]
async fn retries_are_bounded() {
    let hits = Counter::default();
    let h = hits.clone();
    let origin = Origin::start(Router::new().route(
        "/down",
        get(move || async move {
            h.bump();
            StatusCode::BAD_GATEWAY
        }),
    ))
    .await;
    let mut cfg = config();
    cfg.retries = 2;
    match failed(fetch(&fetcher(cfg), origin.url("/down")).await) {
        FetchFailure::Http { status: 502, .. } => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(hits.get(), 3);
}

#[tokio::test]
async fn retry_after_is_honoured_up_to_a_cap() {
    let hits = Counter::default();
    let (short, long) = (hits.clone(), hits.clone());
    let origin = Origin::start(
        Router::new()
            .route(
                "/short",
                get(move || {
                    let short = short.clone();
                    async move {
                        if short.bump() == 1 {
                            (
                                StatusCode::TOO_MANY_REQUESTS,
                                [(header::RETRY_AFTER, "1")],
                                String::new(),
                            )
                        } else {
                            (
                                StatusCode::OK,
                                [(header::RETRY_AFTER, "0")],
                                terms_page("1"),
                            )
                        }
                    }
                }),
            )
            .route(
                "/long",
                get(move || async move {
                    long.bump();
                    (
                        StatusCode::TOO_MANY_REQUESTS,
                        [(header::RETRY_AFTER, "3600")],
                        "slow down",
                    )
                }),
            ),
    )
    .await;
    let fetcher = fetcher(config());
    let started = std::time::Instant::now();
    let page = fetched(fetch(&fetcher, origin.url("/short")).await);
    assert_eq!(page.attempts, 2);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited for Retry-After"
    );

    match failed(fetch(&fetcher, origin.url("/long")).await) {
        FetchFailure::Http {
            status: 429,
            retry_after_secs: Some(3600),
            ..
        } => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(
        hits.get(),
        3,
        "a Retry-After beyond the cap is not waited for"
    );
}

#[tokio::test]
async fn slow_response_times_out() {
    let origin = Origin::start(Router::new().route(
        "/slow",
        get(|| async {
            tokio::time::sleep(Duration::from_secs(3)).await;
            "late"
        }),
    ))
    .await;
    let mut cfg = config();
    cfg.timeout = Duration::from_millis(300);
    cfg.retries = 1;
    let started = std::time::Instant::now();
    assert_eq!(
        failed(fetch(&fetcher(cfg), origin.url("/slow")).await),
        FetchFailure::Timeout
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn connection_refused_is_a_connect_failure() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let mut cfg = config();
    cfg.retries = 1;
    let url = url::Url::parse(&format!("http://{addr}/")).unwrap();
    match failed(fetch(&fetcher(cfg), url).await) {
        FetchFailure::Connect(_) => {}
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn unknown_host_is_a_dns_failure() {
    let url = url::Url::parse("http://no-such-host.invalid/").unwrap();
    match failed(fetch(&fetcher(config()), url).await) {
        FetchFailure::Dns(_) => {}
        other => panic!("{other:?}"),
    }
}
