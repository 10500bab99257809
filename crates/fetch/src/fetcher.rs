//! The [`Fetcher`]: plain HTTP fetches with politeness, retries, manual
//! redirects, conditional GET and a capped body, plus the browser fallback.
//!
//! One fetch is a loop over redirect hops. Each hop is checked by the SSRF
//! guard, then sent (with retries) while holding the host's politeness
//! permit; the client's own redirect following is off so every hop passes
//! the guard, and the client resolves names only through
//! [`GuardedResolver`], so the checked addresses are the connected ones.

use std::collections::HashSet;
use std::error::Error as StdError;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use reqwest::header::{self, HeaderMap};
use tokio::time::Instant;
use url::Url;

use crate::classify::{PageVerdict, charset_param, classify_page};
use crate::config::{FetchConfig, FetchRequest};
use crate::outcome::{FetchFailure, FetchOutcome, FetchedPage, ResponseMeta};
use crate::politeness::HostSlots;
use crate::retry::{backoff, parse_retry_after};
use crate::ssrf::{GuardedResolver, ResolveError, check_url};

/// What plain fetches ask for.
const ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,\
                      application/pdf;q=0.9,text/plain;q=0.8,text/markdown;q=0.8,*/*;q=0.5";

/// How much of an error body is read to classify it.
const ERROR_BODY_BYTES: u64 = 64 * 1024;

/// Why a [`Fetcher`] could not be built. Source problems are never
/// errors; see [`FetchOutcome`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// A [`FetchConfig`] value is out of range.
    #[error("invalid fetch configuration: {0}")]
    InvalidConfig(String),
    /// The TLS stack or HTTP client could not be set up.
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
}

/// Fetches sources. Cheap to share (`Arc<Fetcher>`); concurrent fetches to
/// different hosts run in parallel, fetches to one host take turns.
#[derive(Debug)]
pub struct Fetcher {
    config: FetchConfig,
    client: reqwest::Client,
    hosts: HostSlots,
    resolver: GuardedResolver,
}

/// One hop's response, before the redirect loop decides what to do.
#[derive(Debug)]
enum Hop {
    Redirect {
        status: u16,
        location: Option<String>,
    },
    NotModified(HeaderMap),
    Page {
        status: u16,
        meta: ResponseMeta,
        body: Vec<u8>,
    },
}

impl Fetcher {
    /// Builds the HTTP client (rustls with the platform's roots, ring
    /// crypto, no proxy, no automatic redirects, guarded DNS).
    pub fn new(config: FetchConfig) -> Result<Self, FetchError> {
        config.validate()?;
        let client_error = |e: &dyn std::fmt::Display| FetchError::Client(e.to_string());
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = rustls_platform_verifier::Verifier::new(Arc::clone(&provider))
            .map_err(|e| client_error(&e))?;
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| client_error(&e))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        let resolver = GuardedResolver {
            allow_private: config.allow_private,
        };
        let mut builder = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .referer(false)
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .pool_idle_timeout(Duration::from_secs(30))
            .user_agent(config.user_agent.as_str())
            .dns_resolver(Arc::new(resolver));
        for (host, ips) in &config.resolve_overrides {
            let addrs: Vec<SocketAddr> = ips.iter().map(|ip| SocketAddr::new(*ip, 0)).collect();
            builder = builder.resolve_to_addrs(host, &addrs);
        }
        let client = builder.build().map_err(|e| client_error(&e))?;
        Ok(Self {
            hosts: HostSlots::new(config.per_host_delay),
            config,
            client,
            resolver,
        })
    }

    /// The configuration this fetcher was built with.
    pub fn config(&self) -> &FetchConfig {
        &self.config
    }

    /// Fetches one source. Never fails: every source problem is a
    /// [`FetchOutcome`] state.
    ///
    /// With `request.browser`, Chromium fetches the page. Otherwise a plain
    /// fetch runs, and if it meets a bot wall or an empty JavaScript shell
    /// and the browser fallback is on and Chromium is available, the
    /// browser tries once; its result is kept only if it is content.
    pub async fn fetch(&self, request: &FetchRequest) -> FetchOutcome {
        let started = Instant::now();
        if request.browser {
            return self.fetch_browser(request, started).await;
        }
        let outcome = self.fetch_plain(request, started).await;
        if request.no_browser || !(self.config.browser.fallback && outcome.browser_may_help()) {
            return outcome;
        }
        if let Err(reason) = crate::browser::availability(&self.config.browser) {
            tracing::debug!(url = %request.url, %reason, "no browser fallback");
            return outcome;
        }
        tracing::info!(url = %request.url, plain = outcome.code(), "retrying with the browser");
        // The browser is locked to one host: send it where the plain
        // fetch's redirects ended, not to the first hop.
        let mut in_browser = request.clone();
        if let FetchOutcome::Rejected(page) = &outcome {
            in_browser.url = page.final_url.clone();
        }
        match self.fetch_browser(&in_browser, started).await {
            browser @ FetchOutcome::Fetched(_) => browser,
            other => {
                tracing::info!(url = %request.url, browser = other.code(), "browser did not help");
                outcome
            }
        }
    }

    async fn fetch_browser(&self, request: &FetchRequest, started: Instant) -> FetchOutcome {
        if let Err(reason) = check_url(&request.url, self.config.allow_private) {
            return FetchOutcome::Failed(FetchFailure::Blocked { reason });
        }
        let host = request.url.host_str().unwrap_or_default().to_owned();
        let permit = self.hosts.acquire(&host).await;
        let result = crate::browser::fetch(&self.config, self.resolver, request).await;
        drop(permit);
        match result {
            Ok(mut page) => {
                page.elapsed = started.elapsed();
                if page.verdict.is_content() {
                    FetchOutcome::Fetched(Box::new(page))
                } else {
                    FetchOutcome::Rejected(Box::new(page))
                }
            }
            Err(failure) => FetchOutcome::Failed(failure),
        }
    }

    async fn fetch_plain(&self, request: &FetchRequest, started: Instant) -> FetchOutcome {
        let mut url = request.url.clone();
        let mut redirects: Vec<Url> = Vec::new();
        let mut seen: HashSet<Url> = HashSet::from([without_fragment(&url)]);
        loop {
            if let Err(reason) = check_url(&url, self.config.allow_private) {
                tracing::warn!(%url, %reason, "target refused");
                return FetchOutcome::Failed(FetchFailure::Blocked { reason });
            }
            let (hop, attempts) = self.send_with_retries(&url, request).await;
            let hop = match hop {
                Ok(hop) => hop,
                Err(failure) => return FetchOutcome::Failed(failure),
            };
            match hop {
                Hop::Redirect { status, location } => {
                    let Some(location) = location else {
                        return FetchOutcome::Failed(FetchFailure::BadRedirect(format!(
                            "HTTP {status} without Location"
                        )));
                    };
                    let next = match url.join(&location) {
                        Ok(next) => next,
                        Err(e) => {
                            return FetchOutcome::Failed(FetchFailure::BadRedirect(format!(
                                "Location {location:?}: {e}"
                            )));
                        }
                    };
                    if !seen.insert(without_fragment(&next)) {
                        return FetchOutcome::Failed(FetchFailure::RedirectLoop {
                            url: next.to_string(),
                        });
                    }
                    if redirects.len() >= self.config.max_redirects {
                        return FetchOutcome::Failed(FetchFailure::TooManyRedirects {
                            limit: self.config.max_redirects,
                        });
                    }
                    tracing::debug!(from = %url, to = %next, status, "redirect");
                    redirects.push(next.clone());
                    url = next;
                }
                Hop::NotModified(headers) => {
                    return FetchOutcome::NotModified {
                        etag: header_string(&headers, header::ETAG).or(request.etag.clone()),
                        last_modified: header_string(&headers, header::LAST_MODIFIED)
                            .or(request.last_modified.clone()),
                    };
                }
                Hop::Page { status, meta, body } => {
                    let verdict = classify_page(status, meta.content_type.as_deref(), &body);
                    let page = FetchedPage {
                        final_url: url,
                        status,
                        meta,
                        body,
                        fetched_at: Utc::now(),
                        elapsed: started.elapsed(),
                        redirects,
                        attempts,
                        via_browser: false,
                        verdict,
                    };
                    return if page.verdict.is_content() {
                        FetchOutcome::Fetched(Box::new(page))
                    } else {
                        tracing::info!(url = %page.final_url, verdict = page.verdict.code(),
                            signal = page.verdict.signal().unwrap_or(""), "page rejected");
                        FetchOutcome::Rejected(Box::new(page))
                    };
                }
            }
        }
    }

    /// Sends one hop, retrying transient failures with backoff. Returns the
    /// hop and the number of attempts made.
    async fn send_with_retries(
        &self,
        url: &Url,
        request: &FetchRequest,
    ) -> (Result<Hop, FetchFailure>, u32) {
        let host = url.host_str().unwrap_or_default();
        let mut retry = 0u32;
        loop {
            let result = {
                let _permit = self.hosts.acquire(host).await;
                self.attempt(url, request).await
            };
            let failure = match result {
                Err(failure) if failure.is_transient() && retry < self.config.retries => failure,
                other => return (other, retry + 1),
            };
            let mut wait = backoff(self.config.backoff_base, self.config.backoff_max, retry);
            if let FetchFailure::Http {
                retry_after_secs: Some(secs),
                ..
            } = failure
            {
                let asked = Duration::from_secs(secs);
                if asked > self.config.retry_after_max {
                    tracing::info!(%url, secs, "Retry-After beyond the cap; giving up");
                    return (Err(failure), retry + 1);
                }
                wait = wait.max(asked);
            }
            tracing::info!(%url, failure = %failure, retry = retry + 1, ?wait, "transient failure; retrying");
            tokio::time::sleep(wait).await;
            retry += 1;
        }
    }

    /// One request, body included.
    async fn attempt(&self, url: &Url, request: &FetchRequest) -> Result<Hop, FetchFailure> {
        let mut builder = self.client.get(url.clone()).header(header::ACCEPT, ACCEPT);
        if let Some(lang) = &request.accept_language {
            builder = builder.header(header::ACCEPT_LANGUAGE, lang.as_str());
        }
        if let Some(etag) = &request.etag {
            builder = builder.header(header::IF_NONE_MATCH, etag.as_str());
        }
        if let Some(last_modified) = &request.last_modified {
            builder = builder.header(header::IF_MODIFIED_SINCE, last_modified.as_str());
        }
        let mut response = builder.send().await.map_err(|e| send_failure(&e))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        if matches!(status, 301 | 302 | 303 | 307 | 308) {
            return Ok(Hop::Redirect {
                status,
                location: header_string(&headers, header::LOCATION),
            });
        }
        if status == 304 {
            return Ok(Hop::NotModified(headers));
        }
        let meta = response_meta(&headers);
        if !(200..300).contains(&status) {
            let body = read_body(&mut response, ERROR_BODY_BYTES, true)
                .await
                .unwrap_or_default();
            let retry_after_secs = header_string(&headers, header::RETRY_AFTER)
                .and_then(|v| parse_retry_after(&v, Utc::now()))
                .map(|d| d.as_secs());
            let verdict = match classify_page(status, meta.content_type.as_deref(), &body) {
                PageVerdict::Content => PageVerdict::ErrorPage {
                    signal: format!("HTTP {status}"),
                },
                v => v,
            };
            return Err(FetchFailure::Http {
                status,
                retry_after_secs,
                verdict,
            });
        }
        let body = read_body(&mut response, self.config.max_body_bytes, false).await?;
        Ok(Hop::Page { status, meta, body })
    }
}

/// Reads the body, refusing more than `limit` bytes after content decoding
/// (checked per chunk, so a decompression bomb is stopped at the limit).
/// With `truncate`, stops quietly at the limit instead.
async fn read_body(
    response: &mut reqwest::Response,
    limit: u64,
    truncate: bool,
) -> Result<Vec<u8>, FetchFailure> {
    let limit_usize = usize::try_from(limit).unwrap_or(usize::MAX);
    if let Some(declared) = response.content_length()
        && declared > limit
        && !truncate
    {
        return Err(FetchFailure::TooLarge { limit });
    }
    let initial = response
        .content_length()
        .unwrap_or(0)
        .min(limit)
        .min(1 << 20);
    let mut body = Vec::with_capacity(usize::try_from(initial).unwrap_or(0));
    while let Some(chunk) = response.chunk().await.map_err(|e| body_failure(&e))? {
        if body.len().saturating_add(chunk.len()) > limit_usize {
            if truncate {
                let room = limit_usize.saturating_sub(body.len());
                body.extend_from_slice(&chunk[..room.min(chunk.len())]);
                break;
            }
            return Err(FetchFailure::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn response_meta(headers: &HeaderMap) -> ResponseMeta {
    let content_type = header_string(headers, header::CONTENT_TYPE);
    ResponseMeta {
        charset: content_type.as_deref().and_then(charset_param),
        content_type,
        etag: header_string(headers, header::ETAG),
        last_modified: header_string(headers, header::LAST_MODIFIED),
        content_language: header_string(headers, header::CONTENT_LANGUAGE),
    }
}

/// A header as a string; non-UTF-8 bytes are replaced rather than dropped.
fn header_string(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_owned())
        .filter(|v| !v.is_empty())
}

fn without_fragment(url: &Url) -> Url {
    let mut url = url.clone();
    url.set_fragment(None);
    url
}

/// Walks an error's source chain.
fn chain<'a>(
    e: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(e), |e: &&'a (dyn StdError + 'static)| (*e).source())
}

fn describe(e: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    for e in chain(e) {
        let s = e.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
    }
    parts.join(": ")
}

/// Maps an error from sending a request (before the body).
fn send_failure(e: &reqwest::Error) -> FetchFailure {
    for cause in chain(e) {
        if let Some(resolve) = cause.downcast_ref::<ResolveError>() {
            return match resolve {
                ResolveError::Blocked(reason) => FetchFailure::Blocked {
                    reason: reason.clone(),
                },
                ResolveError::Dns { .. } => FetchFailure::Dns(resolve.to_string()),
            };
        }
    }
    if e.is_timeout() {
        FetchFailure::Timeout
    } else if e.is_connect() {
        FetchFailure::Connect(describe(e))
    } else if e.is_body() || e.is_decode() {
        body_failure(e)
    } else if is_connection_cut(e) {
        FetchFailure::Connect(describe(e))
    } else {
        FetchFailure::Request(describe(e))
    }
}

/// Maps an error while reading the body: a timeout, a connection cut
/// before the declared length (truncated), or a content-decoding error.
fn body_failure(e: &reqwest::Error) -> FetchFailure {
    if e.is_timeout() || chain(e).any(|c| c.to_string().contains("timed out")) {
        return FetchFailure::Timeout;
    }
    if is_connection_cut(e) {
        return FetchFailure::Truncated;
    }
    if e.is_decode() {
        return FetchFailure::Decode(describe(e));
    }
    FetchFailure::Truncated
}

/// Whether the chain shows the connection ending early.
fn is_connection_cut(e: &reqwest::Error) -> bool {
    chain(e).any(|c| {
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            return matches!(
                io.kind(),
                std::io::ErrorKind::UnexpectedEof
                    | std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::ConnectionAborted
                    | std::io::ErrorKind::BrokenPipe
            );
        }
        if let Some(hyper) = c.downcast_ref::<hyper::Error>() {
            return hyper.is_incomplete_message() || hyper.is_closed() || hyper.is_canceled();
        }
        false
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The engine spawns fetches on a multi-threaded runtime.
    #[test]
    fn fetch_future_is_send_and_fetcher_is_sync() {
        fn assert_send<T: Send>(_: &T) {}
        fn assert_sync<T: Send + Sync>() {}
        assert_sync::<Fetcher>();
        let Ok(fetcher) = Fetcher::new(FetchConfig::default()) else {
            panic!("default config builds");
        };
        let Ok(url) = Url::parse("https://example.com/") else {
            panic!("valid url");
        };
        let request = FetchRequest::new(url);
        let future = fetcher.fetch(&request);
        assert_send(&future);
    }

    #[test]
    fn invalid_config_is_refused() {
        let config = FetchConfig {
            max_body_bytes: 0,
            ..FetchConfig::default()
        };
        assert!(matches!(
            Fetcher::new(config),
            Err(FetchError::InvalidConfig(_))
        ));
    }
}
