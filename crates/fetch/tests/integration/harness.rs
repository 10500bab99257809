//! Test origins and fetcher settings shared by every module.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use cw_fetch::{FetchConfig, FetchFailure, FetchOutcome, FetchRequest, FetchedPage, Fetcher};
use url::Url;

/// A server on loopback (`cw_testkit::Origin`), stopped when dropped, whose
/// URLs come as [`Url`]s.
pub(crate) struct Origin {
    pub(crate) addr: SocketAddr,
    _server: cw_testkit::Origin,
}

impl Origin {
    /// Serves `router` on `127.0.0.1:0`.
    pub(crate) async fn start(router: Router) -> Self {
        Self::from(cw_testkit::Origin::serve(router).await)
    }

    /// Serves raw bytes: every connection gets `response` written and is
    /// then closed, whatever the request was.
    pub(crate) async fn raw(response: Vec<u8>) -> Self {
        Self::from(cw_testkit::Origin::raw(response).await)
    }

    fn from(server: cw_testkit::Origin) -> Self {
        Self {
            addr: server.addr,
            _server: server,
        }
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub(crate) fn url(&self, path: &str) -> Url {
        Url::parse(&format!("http://{}{path}", self.addr)).unwrap()
    }

    /// The same origin under another host name (resolved by an override).
    pub(crate) fn url_as(&self, host: &str, path: &str) -> Url {
        Url::parse(&format!("http://{host}:{}{path}", self.addr.port())).unwrap()
    }
}

/// A counter handlers share with the test.
#[derive(Debug, Default, Clone)]
pub(crate) struct Counter(Arc<AtomicUsize>);

impl Counter {
    pub(crate) fn bump(&self) -> usize {
        self.0.fetch_add(1, Ordering::SeqCst) + 1
    }
    pub(crate) fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// Fast settings for loopback tests.
pub(crate) fn config() -> FetchConfig {
    let mut config = FetchConfig::default();
    config.allow_private = true;
    config.per_host_delay = Duration::ZERO;
    config.timeout = Duration::from_secs(5);
    config.connect_timeout = Duration::from_secs(2);
    config.backoff_base = Duration::from_millis(10);
    config.backoff_max = Duration::from_millis(40);
    config.browser.fallback = false;
    config
}

pub(crate) fn fetcher(config: FetchConfig) -> Fetcher {
    Fetcher::new(config).unwrap()
}

pub(crate) async fn get(fetcher: &Fetcher, url: Url) -> FetchOutcome {
    fetcher.fetch(&FetchRequest::new(url)).await
}

/// The page of a `Fetched` outcome, or a panic naming what came instead.
#[track_caller]
pub(crate) fn fetched(outcome: FetchOutcome) -> FetchedPage {
    match outcome {
        FetchOutcome::Fetched(page) => *page,
        other => panic!("expected Fetched, got {other:?}"),
    }
}

/// The page of a `Rejected` outcome.
#[track_caller]
pub(crate) fn rejected(outcome: FetchOutcome) -> FetchedPage {
    match outcome {
        FetchOutcome::Rejected(page) => *page,
        other => panic!("expected Rejected, got {other:?}"),
    }
}

/// The failure of a `Failed` outcome.
#[track_caller]
pub(crate) fn failed(outcome: FetchOutcome) -> FetchFailure {
    match outcome {
        FetchOutcome::Failed(failure) => failure,
        other => panic!("expected Failed, got {other:?}"),
    }
}

/// A long, plausible policy page.
pub(crate) fn terms_page(version: &str) -> String {
    format!(
        "<!doctype html><html><head><title>Terms of Service</title></head><body>\
         <h1>Terms of Service</h1><p>Version {version}.</p>{}</body></html>",
        "<p>You agree not to misuse the services or help anyone else do so.</p>".repeat(20)
    )
}
