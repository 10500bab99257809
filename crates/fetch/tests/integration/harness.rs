//! Test origins and fetcher settings shared by every module.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use cw_fetch::{FetchConfig, FetchFailure, FetchOutcome, FetchRequest, FetchedPage, Fetcher};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use url::Url;

/// A server on loopback, stopped when dropped.
pub(crate) struct Origin {
    pub(crate) addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Origin {
    /// Serves `router` on `127.0.0.1:0`.
    pub(crate) async fn start(router: Router) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        Self { addr, task }
    }

    /// Serves raw bytes: every connection gets `response` written and is
    /// then closed, whatever the request was.
    pub(crate) async fn raw(response: Vec<u8>) -> Self {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let response = Arc::new(response);
        let task = tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let response = Arc::clone(&response);
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    let _ = socket.read(&mut buf).await;
                    let _ = socket.write_all(&response).await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        Self { addr, task }
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

impl Drop for Origin {
    fn drop(&mut self) {
        self.task.abort();
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
