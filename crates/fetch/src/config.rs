//! Fetcher settings and per-request inputs.
//!
//! [`FetchConfig`] holds everything a [`Fetcher`](crate::Fetcher) is built
//! from; field docs are user docs and every default comes from a named
//! function in [`defaults`]. [`FetchRequest`] is one fetch of one source:
//! its URL, language and the validators from the previous fetch.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use url::Url;

/// Default values for [`FetchConfig`] and [`BrowserConfig`].
pub mod defaults {
    use std::path::PathBuf;
    use std::time::Duration;

    /// Whole-request timeout (connect, headers and body): 30 s.
    pub fn timeout() -> Duration {
        Duration::from_secs(30)
    }
    /// TCP + TLS connect timeout: 10 s.
    pub fn connect_timeout() -> Duration {
        Duration::from_secs(10)
    }
    /// Body cap after decompression: 20 MiB.
    pub fn max_body_bytes() -> u64 {
        20 * 1024 * 1024
    }
    /// Redirects followed per fetch: 5.
    pub fn max_redirects() -> usize {
        5
    }
    /// `User-Agent`: `clausewatch/<version>`.
    pub fn user_agent() -> String {
        concat!(
            "clausewatch/",
            env!("CARGO_PKG_VERSION"),
            " (policy change monitor)"
        )
        .to_owned()
    }
    /// Pause between two requests to the same host: 1 s.
    pub fn per_host_delay() -> Duration {
        Duration::from_secs(1)
    }
    /// Retries of transient failures: 3.
    pub fn retries() -> u32 {
        3
    }
    /// First backoff step: 1 s (doubled per retry, with jitter).
    pub fn backoff_base() -> Duration {
        Duration::from_secs(1)
    }
    /// Longest backoff step: 30 s.
    pub fn backoff_max() -> Duration {
        Duration::from_secs(30)
    }
    /// Longest `Retry-After` honoured: 120 s. Longer requests end the fetch
    /// with the status and the requested delay, for the scheduler.
    pub fn retry_after_max() -> Duration {
        Duration::from_secs(120)
    }
    /// Debian's Chromium.
    pub fn chromium() -> PathBuf {
        PathBuf::from("/usr/bin/chromium")
    }
    /// Extra time after the load event for scripts to write the page: 1 s.
    pub fn settle() -> Duration {
        Duration::from_secs(1)
    }
    /// Whole browser fetch timeout (launch, navigation, settle): 60 s.
    pub fn browser_timeout() -> Duration {
        Duration::from_secs(60)
    }
}

/// How a [`Fetcher`](crate::Fetcher) fetches. Build with
/// `FetchConfig::default()` and adjust fields.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FetchConfig {
    /// Whole-request timeout: connect, headers and body of one attempt.
    pub timeout: Duration,
    /// Connect timeout (TCP and TLS handshake).
    pub connect_timeout: Duration,
    /// Largest body accepted, counted while streaming and after content
    /// decoding, so a gzip bomb stops at this many bytes.
    pub max_body_bytes: u64,
    /// Redirects followed before [`FetchFailure::TooManyRedirects`](crate::FetchFailure::TooManyRedirects).
    pub max_redirects: usize,
    /// `User-Agent` header of plain fetches (the browser sends its own).
    pub user_agent: String,
    /// Minimum pause between the end of one request and the start of the
    /// next to the same host. Requests to one host never overlap.
    pub per_host_delay: Duration,
    /// Retries after a transient failure (connect error, timeout, truncated
    /// body, 429, 502, 503, 504).
    pub retries: u32,
    /// Backoff before the first retry; doubled per retry, with jitter.
    pub backoff_base: Duration,
    /// Cap on one backoff step.
    pub backoff_max: Duration,
    /// Longest `Retry-After` waited for; a longer one ends the fetch.
    pub retry_after_max: Duration,
    /// Allow private, loopback, link-local and other non-public targets.
    /// Off in production; tests against a loopback origin turn it on.
    pub allow_private: bool,
    /// Static host → address entries, like curl's `--resolve`. They are
    /// operator-trusted: the SSRF guard does not check them (it still
    /// checks IP-literal URLs and every other host). Ports come from the
    /// URL.
    pub resolve_overrides: HashMap<String, Vec<IpAddr>>,
    /// Headless Chromium settings.
    pub browser: BrowserConfig,
}

impl Default for FetchConfig {
    fn default() -> Self {
        Self {
            timeout: defaults::timeout(),
            connect_timeout: defaults::connect_timeout(),
            max_body_bytes: defaults::max_body_bytes(),
            max_redirects: defaults::max_redirects(),
            user_agent: defaults::user_agent(),
            per_host_delay: defaults::per_host_delay(),
            retries: defaults::retries(),
            backoff_base: defaults::backoff_base(),
            backoff_max: defaults::backoff_max(),
            retry_after_max: defaults::retry_after_max(),
            allow_private: false,
            resolve_overrides: HashMap::new(),
            browser: BrowserConfig::default(),
        }
    }
}

impl FetchConfig {
    /// Checks the values; [`Fetcher::new`](crate::Fetcher::new) calls this.
    pub fn validate(&self) -> Result<(), crate::FetchError> {
        let bad = |what: &str| Err(crate::FetchError::InvalidConfig(what.to_owned()));
        if self.timeout.is_zero() {
            return bad("timeout must be positive");
        }
        if self.connect_timeout.is_zero() {
            return bad("connect_timeout must be positive");
        }
        if self.max_body_bytes == 0 {
            return bad("max_body_bytes must be positive");
        }
        if self.backoff_max < self.backoff_base {
            return bad("backoff_max must not be below backoff_base");
        }
        if self.user_agent.trim().is_empty() {
            return bad("user_agent must not be empty");
        }
        Ok(())
    }
}

/// Headless Chromium settings (used only with the `browser` feature).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BrowserConfig {
    /// The Chromium executable.
    pub executable: PathBuf,
    /// Retry through the browser when a plain fetch meets a bot wall or an
    /// empty JavaScript shell (and Chromium is available).
    pub fallback: bool,
    /// Time after the load event for scripts to finish writing the page.
    pub settle: Duration,
    /// Whole browser fetch timeout: launch, navigation and settle.
    pub timeout: Duration,
}

impl Default for BrowserConfig {
    fn default() -> Self {
        Self {
            executable: defaults::chromium(),
            fallback: true,
            settle: defaults::settle(),
            timeout: defaults::browser_timeout(),
        }
    }
}

/// One fetch of one source.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FetchRequest {
    /// What to fetch.
    pub url: Url,
    /// `Accept-Language` (also the browser's `navigator.language`), e.g.
    /// `zh-CN,zh;q=0.9`. `None` sends no preference.
    pub accept_language: Option<String>,
    /// `ETag` of the previous fetch, sent as `If-None-Match`.
    pub etag: Option<String>,
    /// `Last-Modified` of the previous fetch, sent as `If-Modified-Since`.
    pub last_modified: Option<String>,
    /// Fetch with headless Chromium (pages that need JavaScript).
    pub browser: bool,
    /// Never retry this request in headless Chromium, whatever
    /// [`BrowserConfig::fallback`] says.
    pub no_browser: bool,
}

impl FetchRequest {
    /// A plain, unconditional request for `url`.
    pub fn new(url: Url) -> Self {
        Self {
            url,
            accept_language: None,
            etag: None,
            last_modified: None,
            browser: false,
            no_browser: false,
        }
    }

    /// Sets `Accept-Language`.
    #[must_use]
    pub fn accept_language(mut self, value: impl Into<String>) -> Self {
        self.accept_language = Some(value.into());
        self
    }

    /// Makes the request conditional on the previous fetch's validators.
    #[must_use]
    pub fn validators(mut self, etag: Option<String>, last_modified: Option<String>) -> Self {
        self.etag = etag;
        self.last_modified = last_modified;
        self
    }

    /// Fetches with headless Chromium.
    #[must_use]
    pub fn with_browser(mut self, browser: bool) -> Self {
        self.browser = browser;
        self
    }

    /// Never falls back to headless Chromium (`track --no-browser`).
    #[must_use]
    pub fn without_browser_fallback(mut self, no_browser: bool) -> Self {
        self.no_browser = no_browser;
        self
    }
}
