//! The SSRF guard with `allow_private = false`: loopback targets are
//! refused directly, after DNS resolution, and on redirect hops.

use std::net::{IpAddr, Ipv4Addr};

use axum::Router;
use axum::response::Redirect;
use axum::routing::get;
use cw_fetch::{AddressClass, BlockReason, FetchConfig, FetchFailure};

use crate::harness::{Counter, Origin, failed, fetched, fetcher, get as fetch, terms_page};

struct Guarded {
    origin: Origin,
    secret_hits: Counter,
}

/// An origin with a public-looking entry page (reached as `allowed.test`,
/// pinned to loopback by an operator override) that redirects to private
/// targets, and a `/secret` that must never be reached.
async fn guarded_origin() -> Guarded {
    let secret_hits = Counter::default();
    let hits = secret_hits.clone();
    let port_cell = std::sync::Arc::new(std::sync::OnceLock::<u16>::new());
    let (p1, p2) = (port_cell.clone(), port_cell.clone());
    let router = Router::new()
        .route(
            "/terms",
            get(|| async { axum::response::Html(terms_page("1")) }),
        )
        .route(
            "/to-loopback-ip",
            get(move || async move {
                Redirect::to(&format!("http://127.0.0.1:{}/secret", p1.get().unwrap()))
            }),
        )
        .route(
            "/to-localhost",
            get(move || async move {
                Redirect::to(&format!("http://localhost:{}/secret", p2.get().unwrap()))
            }),
        )
        .route(
            "/to-metadata",
            get(|| async { Redirect::to("http://169.254.169.254/latest/meta-data/") }),
        )
        .route(
            "/to-file",
            get(|| async { Redirect::to("file:///etc/passwd") }),
        )
        .route(
            "/secret",
            get(move || async move {
                hits.bump();
                axum::response::Html(terms_page("internal"))
            }),
        );
    let origin = Origin::start(router).await;
    port_cell.set(origin.addr.port()).unwrap();
    Guarded {
        origin,
        secret_hits,
    }
}

fn guarded_config() -> FetchConfig {
    let mut cfg = crate::harness::config();
    cfg.allow_private = false;
    cfg.resolve_overrides.insert(
        "allowed.test".to_owned(),
        vec![IpAddr::V4(Ipv4Addr::LOCALHOST)],
    );
    cfg
}

#[track_caller]
fn assert_blocked_loopback(failure: FetchFailure) {
    match failure {
        FetchFailure::Blocked {
            reason:
                BlockReason::PrivateAddress {
                    class: AddressClass::Loopback,
                    ..
                },
        } => {}
        other => panic!("expected a loopback block, got {other:?}"),
    }
}

#[tokio::test]
async fn loopback_targets_are_refused() {
    let g = guarded_origin().await;
    let fetcher = fetcher(guarded_config());
    // An IP literal is refused before connecting.
    assert_blocked_loopback(failed(fetch(&fetcher, g.origin.url("/secret")).await));
    // A name is refused after resolution (localhost → 127.0.0.1 / ::1).
    assert_blocked_loopback(failed(
        fetch(&fetcher, g.origin.url_as("localhost", "/secret")).await,
    ));
    assert_eq!(g.secret_hits.get(), 0);
}

#[tokio::test]
async fn redirects_to_private_targets_are_refused() {
    let g = guarded_origin().await;
    let fetcher = fetcher(guarded_config());
    // The allowed host itself works.
    fetched(fetch(&fetcher, g.origin.url_as("allowed.test", "/terms")).await);
    for path in ["/to-loopback-ip", "/to-localhost"] {
        assert_blocked_loopback(failed(
            fetch(&fetcher, g.origin.url_as("allowed.test", path)).await,
        ));
    }
    match failed(fetch(&fetcher, g.origin.url_as("allowed.test", "/to-metadata")).await) {
        FetchFailure::Blocked {
            reason:
                BlockReason::PrivateAddress {
                    class: AddressClass::LinkLocal,
                    ..
                },
        } => {}
        other => panic!("{other:?}"),
    }
    match failed(fetch(&fetcher, g.origin.url_as("allowed.test", "/to-file")).await) {
        FetchFailure::Blocked {
            reason: BlockReason::Scheme { scheme },
        } => assert_eq!(scheme, "file"),
        other => panic!("{other:?}"),
    }
    assert_eq!(g.secret_hits.get(), 0, "no private target was reached");
}

#[tokio::test]
async fn allow_private_lets_tests_reach_loopback() {
    let g = guarded_origin().await;
    let mut cfg = guarded_config();
    cfg.allow_private = true;
    let fetcher = fetcher(cfg);
    fetched(fetch(&fetcher, g.origin.url_as("allowed.test", "/to-loopback-ip")).await);
    assert_eq!(g.secret_hits.get(), 1);
}
