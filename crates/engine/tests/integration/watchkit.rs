//! Shared helpers of the watch tests: fast loopback watcher settings, a
//! fresh home, tracking, running cycles and reading back fetch states.

use cw_engine::watch::{self, TrackRequest, WatchConfig, Watcher};
use cw_store::{Schedule, Store};
use std::sync::Arc;
use std::time::Duration;

/// Fast loopback settings: private targets allowed, no politeness delay,
/// short timeouts and backoffs, no browser.
pub(crate) fn config() -> WatchConfig {
    let mut c = WatchConfig::default();
    c.fetch.allow_private = true;
    c.fetch.per_host_delay = Duration::ZERO;
    c.fetch.timeout = Duration::from_secs(2);
    c.fetch.connect_timeout = Duration::from_secs(2);
    c.fetch.retries = 1;
    c.fetch.backoff_base = Duration::from_millis(10);
    c.fetch.backoff_max = Duration::from_millis(20);
    c.fetch.max_body_bytes = 2 * 1024 * 1024;
    c.fetch.browser.fallback = false;
    c.concurrency = 8;
    c.round_backoff = Duration::from_millis(10);
    c
}

pub(crate) async fn home() -> (tempfile::TempDir, Store) {
    cw_testkit::temp_store().await
}

pub(crate) async fn track(store: &Store, document: &str, url: String, language: Option<&str>) {
    watch::track(
        store,
        &TrackRequest {
            document: document.parse().unwrap(),
            url,
            schedule: Schedule::Every(3600),
            select_css: vec![],
            remove_css: vec![],
            browser: false,
            no_browser: false,
            language: language.map(str::to_string),
            allow_private: true,
            confirmations: 2,
        },
    )
    .await
    .unwrap();
}

pub(crate) fn watcher(store: &Store, config: WatchConfig) -> Arc<Watcher> {
    Watcher::new(store.clone(), config).unwrap()
}

/// Runs one cycle over every source and returns the report.
pub(crate) async fn cycle(w: &Arc<Watcher>) -> watch::RunReport {
    w.run_once(true).await.unwrap()
}

/// The states of a document's attempts, oldest first.
pub(crate) async fn states(store: &Store, document: &str) -> Vec<String> {
    let mut rows = store
        .fetch_attempts(&document.parse().unwrap(), 100)
        .await
        .unwrap();
    rows.reverse();
    rows.into_iter().map(|a| a.state).collect()
}

/// How many versions a document has (0 when it does not exist).
pub(crate) async fn versions(store: &Store, document: &str) -> usize {
    store
        .versions(&document.parse().unwrap())
        .await
        .map(|v| v.len())
        .unwrap_or(0)
}
