//! What a fetch produced: a page, "not modified", a rejected page, or a
//! failure state.
//!
//! Source problems are never Rust errors: a 404, a timeout, a bot wall or a
//! refused private address is a [`FetchOutcome`] the engine records as the
//! fetch state of that run. Only [`FetchOutcome::Fetched`] may become a
//! version.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::classify::PageVerdict;
use crate::ssrf::BlockReason;

/// The result of [`Fetcher::fetch`](crate::Fetcher::fetch).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum FetchOutcome {
    /// A 2xx response whose body [`classify_page`](crate::classify_page)
    /// judged to be content. The only outcome that may become a version.
    Fetched(Box<FetchedPage>),
    /// The server answered `304 Not Modified` to a conditional request.
    NotModified {
        /// The validator to send next time (the response's, else the
        /// request's).
        etag: Option<String>,
        /// The validator to send next time (the response's, else the
        /// request's).
        last_modified: Option<String>,
    },
    /// A 2xx response whose body is not the document: a bot wall, captcha,
    /// login wall, soft 404, error page or empty shell (see
    /// [`FetchedPage::verdict`]). Record it as a fetch state, never as a
    /// version; the raw bytes may be archived as evidence.
    Rejected(Box<FetchedPage>),
    /// No usable response.
    Failed(FetchFailure),
}

impl FetchOutcome {
    /// A stable snake_case code for the fetch-state record: `fetched`,
    /// `not_modified`, the page verdict code for [`FetchOutcome::Rejected`]
    /// (`bot_wall`, `soft_not_found`, …), or the failure code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Fetched(_) => "fetched",
            Self::NotModified { .. } => "not_modified",
            Self::Rejected(page) => page.verdict.code(),
            Self::Failed(failure) => failure.code(),
        }
    }

    /// Whether headless Chromium might read what a plain fetch could not:
    /// a bot wall (also behind an error status) or an empty JavaScript
    /// shell.
    pub fn browser_may_help(&self) -> bool {
        match self {
            Self::Rejected(page) => page.verdict.browser_may_help(),
            Self::Failed(FetchFailure::Http { verdict, .. }) => {
                matches!(verdict, PageVerdict::BotWall { .. })
            }
            _ => false,
        }
    }

    /// The fetched page, if the outcome is [`FetchOutcome::Fetched`].
    pub fn page(&self) -> Option<&FetchedPage> {
        match self {
            Self::Fetched(page) => Some(page),
            _ => None,
        }
    }
}

/// A response with its body, as fetched.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FetchedPage {
    /// The URL after redirects.
    pub final_url: Url,
    /// HTTP status of the final response (2xx). For browser fetches, the
    /// status of the main document.
    pub status: u16,
    /// The response headers the pipeline needs.
    pub meta: ResponseMeta,
    /// The body after content decoding (gzip, br, …), not charset-decoded.
    /// For browser fetches, the serialized DOM as UTF-8.
    pub body: Vec<u8>,
    /// When the response was received.
    pub fetched_at: DateTime<Utc>,
    /// Wall time of the whole fetch, retries and politeness waits included.
    pub elapsed: Duration,
    /// Every redirect target followed, in order (the last is `final_url`).
    pub redirects: Vec<Url>,
    /// Requests sent for the final URL (1 unless retried).
    pub attempts: u32,
    /// Whether headless Chromium produced the body.
    pub via_browser: bool,
    /// What [`classify_page`](crate::classify_page) made of the body.
    pub verdict: PageVerdict,
}

/// The subset of response headers the pipeline keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResponseMeta {
    /// `Content-Type`, verbatim.
    pub content_type: Option<String>,
    /// The `charset` parameter of `Content-Type`, lowercased (as declared:
    /// it may be wrong or legacy, such as `gbk`; extraction decides).
    pub charset: Option<String>,
    /// `ETag`, for the next conditional request.
    pub etag: Option<String>,
    /// `Last-Modified`, for the next conditional request.
    pub last_modified: Option<String>,
    /// `Content-Language`.
    pub content_language: Option<String>,
}

/// Why a fetch produced no usable response. These are states to record,
/// not program errors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "failure", content = "detail", rename_all = "snake_case")]
#[non_exhaustive]
pub enum FetchFailure {
    /// A non-success status (after retries, for transient ones).
    #[serde(rename = "http_error")]
    #[error("HTTP {status} ({})", verdict.code())]
    Http {
        /// The status code.
        status: u16,
        /// `Retry-After`, in seconds, when the server sent one.
        retry_after_secs: Option<u64>,
        /// What the error body looked like (a bot wall behind a 403 is
        /// worth knowing).
        verdict: PageVerdict,
    },
    /// The request (connect, headers and body) exceeded the timeout.
    #[error("timed out")]
    Timeout,
    /// The connection could not be established or broke before a response.
    #[error("connection failed: {0}")]
    Connect(String),
    /// The host name did not resolve.
    #[error("DNS resolution failed: {0}")]
    Dns(String),
    /// The body exceeded `max_body_bytes` (after decompression).
    #[error("body larger than {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// More redirects than `max_redirects`.
    #[error("more than {limit} redirects")]
    TooManyRedirects {
        /// The limit.
        limit: usize,
    },
    /// A redirect led back to a URL already visited.
    #[error("redirect loop at {url}")]
    RedirectLoop {
        /// The URL seen twice.
        url: String,
    },
    /// A redirect without a usable `Location`.
    #[error("bad redirect: {0}")]
    BadRedirect(String),
    /// The SSRF guard refused the target (first URL or any redirect hop).
    #[error("blocked: {reason}")]
    Blocked {
        /// Why.
        reason: BlockReason,
    },
    /// The body ended before its declared length, or the connection was
    /// cut mid-body.
    #[error("body truncated")]
    Truncated,
    /// Content decoding (gzip, br, …) failed.
    #[error("cannot decode body: {0}")]
    Decode(String),
    /// A browser fetch was needed but Chromium cannot be used here.
    #[error("browser unavailable: {0}")]
    BrowserUnavailable(String),
    /// Chromium ran but the navigation failed.
    #[error("browser fetch failed: {0}")]
    Browser(String),
    /// Any other request error.
    #[error("request failed: {0}")]
    Request(String),
}

impl FetchFailure {
    /// A stable snake_case code for records.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Http { .. } => "http_error",
            Self::Timeout => "timeout",
            Self::Connect(_) => "connect",
            Self::Dns(_) => "dns",
            Self::TooLarge { .. } => "too_large",
            Self::TooManyRedirects { .. } => "too_many_redirects",
            Self::RedirectLoop { .. } => "redirect_loop",
            Self::BadRedirect(_) => "bad_redirect",
            Self::Blocked { .. } => "blocked",
            Self::Truncated => "truncated",
            Self::Decode(_) => "decode",
            Self::BrowserUnavailable(_) => "browser_unavailable",
            Self::Browser(_) => "browser",
            Self::Request(_) => "request",
        }
    }

    /// Whether trying again later may succeed: connection problems,
    /// timeouts, truncated bodies, 429 and 502/503/504. Other 4xx and 5xx
    /// statuses are answers, not accidents, and are not retried.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Timeout | Self::Connect(_) | Self::Truncated => true,
            Self::Http { status, .. } => matches!(status, 429 | 502 | 503 | 504),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssrf::AddressClass;

    #[test]
    fn failures_serialize_with_their_codes() {
        let failures = [
            FetchFailure::Http {
                status: 503,
                retry_after_secs: Some(30),
                verdict: PageVerdict::BotWall {
                    signal: "title \"just a moment...\"".to_owned(),
                },
            },
            FetchFailure::Timeout,
            FetchFailure::Connect("refused".to_owned()),
            FetchFailure::Dns("nxdomain".to_owned()),
            FetchFailure::TooLarge { limit: 1 },
            FetchFailure::TooManyRedirects { limit: 5 },
            FetchFailure::RedirectLoop {
                url: "https://example.com/".to_owned(),
            },
            FetchFailure::BadRedirect("no location".to_owned()),
            FetchFailure::Blocked {
                reason: BlockReason::PrivateAddress {
                    addr: "127.0.0.1".parse().unwrap(),
                    class: AddressClass::Loopback,
                },
            },
            FetchFailure::Truncated,
            FetchFailure::Decode("bad gzip".to_owned()),
            FetchFailure::BrowserUnavailable("no chromium".to_owned()),
            FetchFailure::Browser("crashed".to_owned()),
            FetchFailure::Request("other".to_owned()),
        ];
        for failure in failures {
            let json = serde_json::to_value(&failure).unwrap();
            assert_eq!(json["failure"], failure.code(), "{json}");
            let back: FetchFailure = serde_json::from_value(json).unwrap();
            assert_eq!(back, failure);
        }
        let blocked = FetchFailure::Blocked {
            reason: BlockReason::PrivateAddress {
                addr: "::1".parse().unwrap(),
                class: AddressClass::Loopback,
            },
        };
        assert_eq!(
            serde_json::to_string(&blocked).unwrap(),
            r#"{"failure":"blocked","detail":{"reason":{"reason":"private_address","addr":"::1","class":"loopback"}}}"#
        );
    }

    #[test]
    fn verdicts_serialize_with_their_codes() {
        let verdicts = [
            PageVerdict::Content,
            PageVerdict::BotWall { signal: "s".into() },
            PageVerdict::Captcha { signal: "s".into() },
            PageVerdict::LoginWall { signal: "s".into() },
            PageVerdict::SoftNotFound { signal: "s".into() },
            PageVerdict::ErrorPage { signal: "s".into() },
            PageVerdict::Empty { text_chars: 3 },
        ];
        for verdict in verdicts {
            let json = serde_json::to_value(&verdict).unwrap();
            assert_eq!(json["verdict"], verdict.code(), "{json}");
        }
    }
}
