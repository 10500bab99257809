//! Signed webhook deliveries: a JSON POST of
//! [`webhook_payload`](crate::webhook_payload) with the signature header,
//! retried with backoff on 5xx, 408, 429, timeouts and connection errors;
//! 2xx is success, any other 4xx and redirects are final.
//!
//! Every target passes cw-fetch's address guard, as a source does: the URL
//! before the first attempt ([`cw_fetch::check_url`]), and the addresses
//! its host name resolves to at every connection (the client's DNS
//! resolver is [`cw_fetch::GuardedResolver`], so the address checked is
//! the address connected to, and no proxy is used). A refusal is a final
//! attempt, never a retry. A subscription made with `--allow-private`
//! delivers through a second client without the guard.
//!
//! Headers sent with every attempt:
//!
//! | header | value |
//! | --- | --- |
//! | `Content-Type` | `application/json` |
//! | `User-Agent` | `clausewatch/<version>` |
//! | `X-Clausewatch-Signature` | `t=<unix>,v1=<hex>` ([`sign`](crate::sign)), fresh per attempt |
//! | `X-Clausewatch-Delivery` | the alert id (idempotency key; equal to the body's `id`) |
//! | `X-Clausewatch-Event` | `document.changed` |
//! | `X-Clausewatch-Attempt` | `1`, `2`, … |

use cw_fetch::{GuardedResolver, blocked_in_chain};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::delivery::{AttemptOutcome, TryResult, error_chain, run_with_retries};
use crate::error::NotifyError;
use crate::payload::{PAYLOAD_EVENT, webhook_payload};
use crate::signature::{SIGNATURE_HEADER, sign};
use crate::{Alert, DeliveryRecord, RetryPolicy};

/// The delivery id header (the alert id).
pub const DELIVERY_HEADER: &str = "X-Clausewatch-Delivery";
/// The event name header.
pub const EVENT_HEADER: &str = "X-Clausewatch-Event";
/// The attempt number header.
pub const ATTEMPT_HEADER: &str = "X-Clausewatch-Attempt";

/// How much of an error response's body is kept in the delivery log.
const MAX_RESPONSE_SNIPPET: usize = 200;

/// Posts signed alerts to webhook endpoints.
#[derive(Clone)]
pub struct WebhookSender {
    /// Connects to public addresses only (the address guard).
    guarded: reqwest::Client,
    /// Connects anywhere: subscriptions that allow private targets.
    open: reqwest::Client,
    policy: RetryPolicy,
}

impl fmt::Debug for WebhookSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookSender")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl WebhookSender {
    /// A sender with its own HTTP clients (rustls, no redirects followed,
    /// connect timeout = the attempt timeout): one behind the address
    /// guard, one for subscriptions that allow private targets.
    pub fn new(policy: RetryPolicy) -> Result<WebhookSender, NotifyError> {
        let client_error = |reason: String| NotifyError::Client {
            what: "HTTP",
            reason,
        };
        // rustls with ring crypto and the platform's roots, built here so no
        // process-wide crypto provider has to be installed.
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = rustls_platform_verifier::Verifier::new(Arc::clone(&provider))
            .map_err(|e| client_error(e.to_string()))?;
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| client_error(e.to_string()))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        let builder = || {
            reqwest::Client::builder()
                .tls_backend_preconfigured(tls.clone())
                .user_agent(concat!("clausewatch/", env!("CARGO_PKG_VERSION")))
                .redirect(reqwest::redirect::Policy::none())
                .connect_timeout(policy.attempt_timeout)
        };
        let guarded = builder()
            // A proxy would connect on our behalf, past the guard.
            .no_proxy()
            .dns_resolver(Arc::new(GuardedResolver::new(false)))
            .build()
            .map_err(|e| client_error(error_chain(&e)))?;
        let open = builder()
            .build()
            .map_err(|e| client_error(error_chain(&e)))?;
        Ok(WebhookSender {
            guarded,
            open,
            policy,
        })
    }

    /// The retry policy in force.
    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// Delivers `alert` to `url`, signed with `secret`; a non-public
    /// target is refused unless `allow_private` (the subscription's
    /// `--allow-private`). Never panics and never returns an error:
    /// failures are in the record. Runs on a Tokio runtime with the time
    /// and I/O drivers enabled.
    pub async fn deliver(
        &self,
        url: &str,
        secret: &[u8],
        alert: &Alert,
        allow_private: bool,
    ) -> DeliveryRecord {
        match serde_json::to_vec(&webhook_payload(alert)) {
            Ok(body) => {
                self.deliver_body(url, secret, &alert.id, &body, allow_private)
                    .await
            }
            Err(e) => DeliveryRecord::refused(&alert.id, "webhook", redact_url(url), e.to_string()),
        }
    }

    /// Delivers an already serialised payload (e.g. one replayed from the
    /// delivery log) under `delivery_id`, guarded as [`WebhookSender::deliver`].
    pub async fn deliver_body(
        &self,
        url: &str,
        secret: &[u8],
        delivery_id: &str,
        body: &[u8],
        allow_private: bool,
    ) -> DeliveryRecord {
        let target = redact_url(url);
        let parsed = match reqwest::Url::parse(url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => u,
            Ok(u) => {
                let why = format!("unsupported URL scheme {:?}", u.scheme());
                return DeliveryRecord::refused(delivery_id, "webhook", target, why);
            }
            Err(e) => {
                let why = format!("invalid URL: {e}");
                return DeliveryRecord::refused(delivery_id, "webhook", target, why);
            }
        };
        if let Err(reason) = cw_fetch::check_url(&parsed, allow_private) {
            let why = format!("refused by the address guard: {reason}");
            return DeliveryRecord::refused(delivery_id, "webhook", target, why);
        }
        let client = if allow_private {
            &self.open
        } else {
            &self.guarded
        };
        let Ok(delivery_header) = HeaderValue::from_str(delivery_id) else {
            let why = "the delivery id is not a valid header value".to_string();
            return DeliveryRecord::refused(delivery_id, "webhook", target, why);
        };
        run_with_retries(
            &self.policy,
            "webhook",
            target,
            delivery_id,
            |timeout, number| {
                let signature = sign(secret, chrono::Utc::now().timestamp(), body);
                let request = client
                    .post(parsed.clone())
                    .timeout(timeout)
                    .header(CONTENT_TYPE, "application/json")
                    .header(SIGNATURE_HEADER, signature)
                    .header(DELIVERY_HEADER, delivery_header.clone())
                    .header(EVENT_HEADER, PAYLOAD_EVENT)
                    .header(ATTEMPT_HEADER, number.to_string())
                    .body(body.to_vec());
                async move {
                    match request.send().await {
                        Ok(response) => classify_response(response).await,
                        Err(e) => classify_error(e),
                    }
                }
            },
        )
        .await
    }
}

async fn classify_response(mut response: reqwest::Response) -> TryResult {
    let status = response.status();
    let code = Some(status.as_u16());
    if status.is_success() {
        return TryResult::new(AttemptOutcome::Delivered, code, None);
    }
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let mut snippet = Vec::new();
    while snippet.len() < MAX_RESPONSE_SNIPPET * 4 {
        match response.chunk().await {
            Ok(Some(chunk)) => snippet.extend_from_slice(&chunk),
            _ => break,
        }
    }
    let snippet = String::from_utf8_lossy(&snippet);
    let snippet = crate::render::truncate(
        &snippet.split_whitespace().collect::<Vec<_>>().join(" "),
        MAX_RESPONSE_SNIPPET,
    );
    let mut detail = format!("HTTP {status}");
    if status.is_redirection() {
        detail.push_str(" (redirects are not followed; use the final URL)");
    }
    if !snippet.is_empty() {
        detail.push_str(": ");
        detail.push_str(&snippet);
    }
    let retryable = status.is_server_error()
        || status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS;
    let outcome = if retryable {
        AttemptOutcome::Retryable
    } else {
        AttemptOutcome::Final
    };
    let mut result = TryResult::new(outcome, code, Some(detail));
    result.retry_after = retry_after;
    result
}

fn classify_error(error: reqwest::Error) -> TryResult {
    // The host name resolved to refused addresses only: no retry will help.
    if let Some(reason) = blocked_in_chain(&error) {
        let detail = format!("refused by the address guard: {reason}");
        return TryResult::new(AttemptOutcome::Final, None, Some(detail));
    }
    // A request that cannot even be built will not build on a retry.
    let outcome = if error.is_builder() {
        AttemptOutcome::Final
    } else {
        AttemptOutcome::Retryable
    };
    let kind = if error.is_timeout() {
        "timeout: "
    } else if error.is_connect() {
        "connection failed: "
    } else {
        ""
    };
    // The URL may carry a token; the record's target has the redacted one.
    let error = error.without_url();
    TryResult::new(
        outcome,
        None,
        Some(format!("{kind}{}", error_chain(&error))),
    )
}

/// `url` without user info, query and fragment, for logs and records.
pub(crate) fn redact_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut u) => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.set_query(None);
            u.set_fragment(None);
            u.to_string()
        }
        Err(_) => "<invalid URL>".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_redacted() {
        assert_eq!(
            redact_url("https://user:pw@hooks.example/x/y?token=abc#frag"),
            "https://hooks.example/x/y"
        );
        assert_eq!(redact_url("not a url"), "<invalid URL>");
    }

    #[tokio::test]
    async fn bad_urls_are_refused_without_a_request() {
        let sender = WebhookSender::new(RetryPolicy::default());
        let Ok(sender) = sender else {
            panic!("client: {sender:?}");
        };
        let record = sender
            .deliver_body("ftp://example.com/", b"secret", "id", b"{}", false)
            .await;
        assert!(!record.ok);
        assert_eq!(record.attempts.len(), 1);
        assert_eq!(record.attempts[0].outcome, AttemptOutcome::Final);
        assert!(record.last_error().unwrap_or_default().contains("scheme"));
        let record = sender
            .deliver_body("::", b"secret", "id", b"{}", false)
            .await;
        assert_eq!(record.attempts[0].outcome, AttemptOutcome::Final);
    }
}
