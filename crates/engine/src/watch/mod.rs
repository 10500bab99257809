//! Watching sources: the scheduler, one fetch cycle, and the alert outbox.
//!
//! * [`track`] turns a [`TrackRequest`] into a stored source;
//!   [`schedule`] parses `--every`/`--cron` and computes due times.
//! * [`Watcher::run_cycle`] fetches every due source (many hosts at once,
//!   one request at a time per host, via cw-fetch) and judges each result.
//!   Problems with the source (HTTP errors, bot walls, login walls, soft
//!   404s, pages that lost most of their provisions, pages in the wrong
//!   language, unreadable bodies) are logged as fetch attempts with a
//!   [state](FetchState) and never become versions. Changed content becomes
//!   a *candidate*; it is imported (through [`Engine::import`]) only once it
//!   has been seen with the same content hash on the source's
//!   `confirmations` consecutive content fetches (default 2). The first
//!   fetch of a document without any version creates version 1 directly:
//!   there is nothing to confirm against, and it alerts nobody (alerts are
//!   about changes).
//! * A confirmed change writes one outbox row per matching subscription in
//!   the same transaction that marks the candidate promoted; a crash between
//!   the import and that transaction leaves the candidate `confirmed`, and
//!   the next cycle promotes it again (the import is idempotent on its
//!   bytes, the outbox unique per subscription and version).
//! * [`Watcher::deliver_due`] sends outbox rows: signed webhooks, SMTP email,
//!   Atom feed files under `<home>/feeds/`. Each round retries with backoff
//!   within 60 s; failed rounds are retried later, then given up.
//! * [`Watcher::run`] is the daemon: cycles as sources fall due, delivery
//!   as soon as a change is confirmed, graceful shutdown.
//!
//! Re-extraction and other technical upgrades never pass through here, so
//! they never alert.

mod cycle;
mod daemon;
mod deliver;
mod divergence;
pub mod schedule;
mod worker;

pub use cycle::{CycleReport, FetchState};
pub use daemon::RunReport;
pub use deliver::{DeliveryReport, document_feed_path, subscription_feed_path, write_empty_feed};
pub use divergence::{DEFAULT_DIVERGENCE_DAYS, SETTING_DIVERGENCE_DAYS, divergence_window};
pub use worker::{WorkerOptions, WorkerReport};

use crate::Engine;
use cw_fetch::{FetchConfig, Fetcher};
use cw_model::DocumentKey;
use cw_notify::{EmailConfig, EmailSender, RetryPolicy, WebhookSender};
use cw_store::{NewSource, Schedule, SourceRow, Store};
use std::sync::Arc;
use std::time::Duration;

/// Default number of consecutive identical sightings a change needs.
pub const DEFAULT_CONFIRMATIONS: u32 = 2;

/// The folder under the home where feed files are written.
pub const FEEDS_DIR: &str = "feeds";

/// Why a watch operation failed (source problems are fetch states, not errors).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WatchError {
    /// A value the user gave is not acceptable (user error).
    #[error("{0}")]
    Invalid(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] cw_store::StoreError),
    /// A job of the engine failed.
    #[error(transparent)]
    Engine(#[from] Box<crate::EngineError>),
    /// The HTTP client could not be built.
    #[error(transparent)]
    Fetch(#[from] cw_fetch::FetchError),
    /// A sender could not be built.
    #[error(transparent)]
    Notify(#[from] cw_notify::NotifyError),
    /// Stored JSON could not be read.
    #[error("stored JSON: {0}")]
    Json(#[from] serde_json::Error),
}

impl From<crate::EngineError> for WatchError {
    fn from(e: crate::EngineError) -> Self {
        WatchError::Engine(Box::new(e))
    }
}

/// What `track` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackRequest {
    /// The document the URL publishes.
    pub document: DocumentKey,
    /// The URL.
    pub url: String,
    /// `--every` (default 6 h) or `--cron`.
    pub schedule: Schedule,
    /// `--select` CSS selectors.
    pub select_css: Vec<String>,
    /// `--remove` CSS selectors.
    pub remove_css: Vec<String>,
    /// `--browser`.
    pub browser: bool,
    /// `--no-browser`: never retried in headless Chromium.
    pub no_browser: bool,
    /// `--language`.
    pub language: Option<String>,
    /// `--allow-private`.
    pub allow_private: bool,
    /// `--confirmations`.
    pub confirmations: u32,
}

/// The schedule of `--every` / `--cron` (neither: every 6 h), as `track`
/// reads it from the command line, the API and the web form alike.
pub fn schedule_from(every: Option<&str>, cron: Option<&str>) -> Result<Schedule, WatchError> {
    fn blank(s: Option<&str>) -> Option<&str> {
        s.map(str::trim).filter(|s| !s.is_empty())
    }
    match (blank(every), blank(cron)) {
        (Some(_), Some(_)) => Err(WatchError::Invalid(
            "give --every or --cron, not both".into(),
        )),
        (_, Some(cron)) => Ok(Schedule::Cron(cron.to_string())),
        (every, None) => Ok(Schedule::Every(
            schedule::parse_interval(every.unwrap_or("6h"))?.as_secs(),
        )),
    }
}

/// Validates a track request and stores the source, due at once.
pub async fn track(store: &Store, request: &TrackRequest) -> Result<SourceRow, WatchError> {
    let url = url::Url::parse(&request.url)
        .map_err(|e| WatchError::Invalid(format!("{}: {e}", request.url)))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(WatchError::Invalid(format!(
            "{}: only http:// and https:// URLs with a host can be tracked",
            request.url
        )));
    }
    if !request.allow_private
        && let Err(reason) = cw_fetch::check_url(&url, false)
    {
        return Err(WatchError::Invalid(format!(
            "{url}: {reason} (pass --allow-private to track private addresses)"
        )));
    }
    if let Schedule::Cron(pattern) = &request.schedule {
        schedule::parse_cron(pattern)?;
    }
    if request.browser && request.no_browser {
        return Err(WatchError::Invalid(
            "--browser and --no-browser contradict each other".into(),
        ));
    }
    if request.confirmations == 0 {
        return Err(WatchError::Invalid(
            "--confirmations must be at least 1".into(),
        ));
    }
    if let Some(lang) = &request.language
        && (lang.is_empty() || !lang.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
    {
        return Err(WatchError::Invalid(format!(
            "{lang:?} is not a language tag (e.g. en, zh-CN)"
        )));
    }
    let source = NewSource {
        document: request.document.clone(),
        url: url.to_string(),
        schedule: request.schedule.clone(),
        select_css: request.select_css.clone(),
        remove_css: request.remove_css.clone(),
        browser: request.browser,
        no_browser: request.no_browser,
        language: request.language.clone(),
        allow_private: request.allow_private,
        confirmations: request.confirmations,
    };
    Ok(store.track_source(&source, store.now()).await?)
}

/// How the watcher fetches and delivers.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WatchConfig {
    /// Fetch settings; `allow_private` lets sources tracked with
    /// `--allow-private` reach private addresses (all others stay guarded).
    pub fetch: FetchConfig,
    /// Fetches in flight at once (across hosts; one per host at a time).
    pub concurrency: usize,
    /// SMTP settings for email subscriptions (`None`: email rounds fail).
    pub email: Option<EmailConfig>,
    /// Retries within one webhook delivery round.
    pub webhook_retry: RetryPolicy,
    /// Delivery rounds before an alert is given up.
    pub delivery_rounds: u32,
    /// Wait before the second round; doubled per round.
    pub round_backoff: Duration,
    /// A page with fewer than this share of the latest version's provisions
    /// (when that had at least [`WatchConfig::lost_min_provisions`]) is
    /// `lost_provisions`.
    pub lost_ratio: f64,
    /// See [`WatchConfig::lost_ratio`].
    pub lost_min_provisions: usize,
    /// How long a shutdown waits for in-flight fetches before abandoning them.
    pub shutdown_grace: Duration,
    /// Link to a web UI for alert payloads (`{base}/documents/{key}/versions/{n}`).
    pub base_url: Option<String>,
    /// Imports update the search index themselves; `worker` turns this off
    /// and runs batched `index` jobs instead. Only read when
    /// [`WatchConfig::defer_derived`] is off.
    pub index_on_import: bool,
    /// Take analysis and search indexing off the fetch path (default): a
    /// new version is stored and alerted at once, and its analysis and
    /// index entries are made in batches after the cycle's fetches
    /// ([`crate::Engine::derive_pending`]; `worker`: `analyse` and `index`
    /// jobs). Off: every import analyses and indexes inline, as `import` does.
    pub defer_derived: bool,
    /// Imports (extract, diff, store) running at once, apart from the
    /// fetches in flight: bounds the extracted documents held in memory
    /// and the CPU the imports take. Default: twice the cores.
    pub import_concurrency: usize,
    /// Versions per derived-data batch (one index commit, one store
    /// transaction).
    pub derive_batch: u32,
    /// The browser fallback is off (`watch --no-browser`, or the store's
    /// `browser_fallback` setting): pages that need it are the
    /// `needs_browser` state and Chromium is never started, except for
    /// sources tracked with `--browser`.
    pub no_browser: bool,
    /// How soon a change seen for the first time is fetched again to be
    /// confirmed (and the base delay before a failed fetch is retried,
    /// doubled per consecutive failure), instead of a whole period later.
    /// Never sooner than the host's politeness delay; never later than
    /// the source's schedule.
    pub confirm_after: Duration,
}

impl Default for WatchConfig {
    fn default() -> Self {
        WatchConfig {
            fetch: FetchConfig::default(),
            concurrency: 64,
            email: None,
            webhook_retry: RetryPolicy::default(),
            delivery_rounds: 5,
            round_backoff: Duration::from_secs(60),
            lost_ratio: 0.5,
            lost_min_provisions: 4,
            shutdown_grace: Duration::from_secs(10),
            base_url: None,
            index_on_import: true,
            defer_derived: true,
            import_concurrency: 2 * std::thread::available_parallelism().map_or(1, |n| n.get()),
            derive_batch: 256,
            no_browser: false,
            confirm_after: Duration::from_secs(10 * 60),
        }
    }
}

/// Runs watch cycles and deliveries against one store. Share it as
/// `Arc<Watcher>`.
#[derive(Debug)]
pub struct Watcher {
    engine: Engine,
    config: WatchConfig,
    guarded: Fetcher,
    private: Option<Fetcher>,
    webhook: WebhookSender,
    email: Option<EmailSender>,
    wake_delivery: tokio::sync::Notify,
    /// Permits for imports on the fetch path ([`WatchConfig::import_concurrency`]).
    imports: tokio::sync::Semaphore,
    /// Whether this process has looked for versions missing from the
    /// search index (once, at its first derived pass).
    index_checked: std::sync::atomic::AtomicBool,
}

impl Watcher {
    /// Builds the fetchers and senders.
    pub fn new(store: Store, config: WatchConfig) -> Result<Arc<Watcher>, WatchError> {
        let mut guarded_config = config.fetch.clone();
        guarded_config.allow_private = false;
        let guarded = Fetcher::new(guarded_config)?;
        let private = if config.fetch.allow_private {
            Some(Fetcher::new(config.fetch.clone())?)
        } else {
            None
        };
        let webhook = WebhookSender::new(config.webhook_retry.clone())?;
        let email = config.email.clone().map(EmailSender::new).transpose()?;
        Ok(Arc::new(Watcher {
            engine: if config.defer_derived {
                Engine::from_store(store).without_derived_on_import()
            } else if config.index_on_import {
                Engine::from_store(store)
            } else {
                Engine::from_store(store).without_index_on_import()
            },
            imports: tokio::sync::Semaphore::new(config.import_concurrency.max(1)),
            config,
            guarded,
            private,
            webhook,
            email,
            wake_delivery: tokio::sync::Notify::new(),
            index_checked: std::sync::atomic::AtomicBool::new(false),
        }))
    }

    /// The store.
    pub fn store(&self) -> &Store {
        self.engine.store()
    }

    /// The configuration.
    pub fn config(&self) -> &WatchConfig {
        &self.config
    }
}
