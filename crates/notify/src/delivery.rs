//! Retrying a delivery within a time budget and writing down every try: the
//! [`RetryPolicy`] both senders share, the [`DeliveryRecord`] they return and
//! the loop that connects the two.
//!
//! The budget comes from the promise "from a confirmed change to delivery
//! within 60 seconds": the default policy makes 4 attempts at about 0 s, 2 s,
//! 6 s and 14 s (±20 % jitter on each wait), each bounded by a 10 s timeout,
//! and never starts a wait that would end past 60 s from the first attempt,
//! so a delivery succeeds or gives up within a minute.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::time::{Duration, Instant};

/// When to retry a failed delivery and how long each attempt may take.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (at least 1 is always made).
    pub max_attempts: u32,
    /// Wait before the second attempt; each later wait is `multiplier` times
    /// the previous one.
    #[serde(with = "millis")]
    pub initial_backoff: Duration,
    /// Growth factor of the wait between attempts.
    pub multiplier: u32,
    /// Longest single wait.
    #[serde(with = "millis")]
    pub max_backoff: Duration,
    /// Each wait is scaled by a random factor in `[1 - jitter, 1 + jitter]`
    /// so that many failed deliveries do not retry in lockstep. 0 disables it.
    pub jitter: f64,
    /// Longest time one attempt may take (connect, send, response).
    #[serde(with = "millis")]
    pub attempt_timeout: Duration,
    /// Total budget from the first attempt: no attempt starts, and no
    /// attempt runs, past it.
    #[serde(with = "millis")]
    pub deadline: Duration,
}

fn default_max_attempts() -> u32 {
    4
}
fn default_initial_backoff() -> Duration {
    Duration::from_secs(2)
}
fn default_multiplier() -> u32 {
    2
}
fn default_max_backoff() -> Duration {
    Duration::from_secs(30)
}
fn default_jitter() -> f64 {
    0.2
}
fn default_attempt_timeout() -> Duration {
    Duration::from_secs(10)
}
fn default_deadline() -> Duration {
    Duration::from_secs(60)
}

impl Default for RetryPolicy {
    /// 4 attempts at about 0 s, 2 s, 6 s, 14 s; 10 s per attempt; 60 s budget.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: default_max_attempts(),
            initial_backoff: default_initial_backoff(),
            multiplier: default_multiplier(),
            max_backoff: default_max_backoff(),
            jitter: default_jitter(),
            attempt_timeout: default_attempt_timeout(),
            deadline: default_deadline(),
        }
    }
}

impl RetryPolicy {
    /// A single attempt, no retry.
    pub fn no_retry(attempt_timeout: Duration) -> RetryPolicy {
        RetryPolicy {
            max_attempts: 1,
            attempt_timeout,
            deadline: attempt_timeout,
            ..RetryPolicy::default()
        }
    }

    /// The nominal (jitter-free) wait after failed attempt `attempt` (1-based).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = self
            .multiplier
            .max(1)
            .checked_pow(attempt.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.initial_backoff
            .checked_mul(factor)
            .unwrap_or(self.max_backoff)
            .min(self.max_backoff)
    }

    /// The nominal start of each attempt relative to the first, ignoring the
    /// time the attempts themselves take: `[0 s, 2 s, 6 s, 14 s]` by default.
    pub fn schedule(&self) -> Vec<Duration> {
        let mut at = Duration::ZERO;
        let mut out = vec![at];
        for attempt in 1..self.max_attempts.max(1) {
            at += self.backoff(attempt);
            out.push(at);
        }
        out
    }

    /// The longest a delivery can take: every wait at its jittered maximum
    /// plus every attempt timing out, capped by the deadline.
    pub fn worst_case(&self) -> Duration {
        let waits: Duration = (1..self.max_attempts.max(1))
            .map(|a| self.backoff(a).mul_f64(1.0 + self.jitter.clamp(0.0, 1.0)))
            .sum();
        let attempts = self.attempt_timeout * self.max_attempts.max(1);
        (waits + attempts).min(self.deadline.max(self.attempt_timeout))
    }

    fn jittered(&self, wait: Duration) -> Duration {
        let j = self.jitter.clamp(0.0, 1.0);
        if j == 0.0 {
            return wait;
        }
        wait.mul_f64(1.0 - j + 2.0 * j * random_unit())
    }
}

/// A number in `[0, 1)` that differs from call to call; jitter needs no more.
fn random_unit() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// How one attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptOutcome {
    /// The recipient accepted the alert (HTTP 2xx, SMTP 2xx).
    Delivered,
    /// A failure worth retrying: timeout, connection error, HTTP 5xx/408/429,
    /// SMTP 4xx.
    Retryable,
    /// A failure no retry will fix: HTTP 4xx, a redirect, SMTP 5xx, a bad
    /// URL or address.
    Final,
}

/// One try at delivering an alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    /// 1 for the first attempt.
    pub number: u32,
    /// When the attempt started.
    pub at: DateTime<Utc>,
    /// How long it took, in milliseconds.
    pub elapsed_ms: u64,
    /// How it ended.
    pub outcome: AttemptOutcome,
    /// The HTTP status or SMTP reply code, when the recipient answered.
    pub status: Option<u16>,
    /// What went wrong, in words; on success, the recipient's reply when it
    /// says something (the SMTP server's `250` line).
    pub detail: Option<String>,
}

/// Every attempt of one delivery, for the delivery log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRecord {
    /// The [`Alert::id`](crate::Alert::id) delivered.
    pub alert_id: String,
    /// `webhook` or `email`.
    pub channel: String,
    /// Where it went: the URL without credentials, query or fragment, or the
    /// recipient addresses.
    pub target: String,
    /// The attempts, first to last.
    pub attempts: Vec<Attempt>,
    /// Whether the last attempt delivered the alert.
    pub ok: bool,
}

impl DeliveryRecord {
    /// A record of a delivery that failed before any attempt could be made
    /// (a bad URL or address): one final attempt carrying `error`.
    pub(crate) fn refused(alert_id: &str, channel: &str, target: String, error: String) -> Self {
        DeliveryRecord {
            alert_id: alert_id.to_string(),
            channel: channel.to_string(),
            target,
            attempts: vec![Attempt {
                number: 1,
                at: Utc::now(),
                elapsed_ms: 0,
                outcome: AttemptOutcome::Final,
                status: None,
                detail: Some(error),
            }],
            ok: false,
        }
    }

    /// The error of the last attempt, if it failed.
    pub fn last_error(&self) -> Option<&str> {
        if self.ok {
            return None;
        }
        self.attempts.last().and_then(|a| a.detail.as_deref())
    }
}

/// What a channel reports about one attempt.
#[derive(Debug)]
pub(crate) struct TryResult {
    pub(crate) outcome: AttemptOutcome,
    pub(crate) status: Option<u16>,
    pub(crate) detail: Option<String>,
    /// The recipient asked for this wait before the next attempt (Retry-After).
    pub(crate) retry_after: Option<Duration>,
}

impl TryResult {
    pub(crate) fn new(
        outcome: AttemptOutcome,
        status: Option<u16>,
        detail: Option<String>,
    ) -> Self {
        TryResult {
            outcome,
            status,
            detail,
            retry_after: None,
        }
    }
}

/// Runs `attempt` (given its timeout and 1-based number) until it delivers,
/// fails finally, or the policy's attempts or budget run out.
pub(crate) async fn run_with_retries<F, Fut>(
    policy: &RetryPolicy,
    channel: &str,
    target: String,
    alert_id: &str,
    mut attempt: F,
) -> DeliveryRecord
where
    F: FnMut(Duration, u32) -> Fut,
    Fut: Future<Output = TryResult>,
{
    let start = Instant::now();
    let deadline = policy.deadline.max(Duration::from_millis(1));
    let mut attempts = Vec::new();
    let mut ok = false;
    let max_attempts = policy.max_attempts.max(1);
    for number in 1..=max_attempts {
        let remaining = deadline.saturating_sub(start.elapsed());
        let timeout = policy
            .attempt_timeout
            .min(remaining)
            .max(Duration::from_millis(1));
        let at = Utc::now();
        let began = Instant::now();
        let result = match tokio::time::timeout(timeout, attempt(timeout, number)).await {
            Ok(result) => result,
            Err(_) => TryResult::new(
                AttemptOutcome::Retryable,
                None,
                Some(format!("timed out after {} ms", timeout.as_millis())),
            ),
        };
        let elapsed_ms = u64::try_from(began.elapsed().as_millis()).unwrap_or(u64::MAX);
        tracing::info!(
            channel,
            target = %target,
            alert_id,
            attempt = number,
            outcome = ?result.outcome,
            status = result.status,
            elapsed_ms,
            detail = result.detail.as_deref().unwrap_or(""),
            "notify.attempt"
        );
        let outcome = result.outcome;
        attempts.push(Attempt {
            number,
            at,
            elapsed_ms,
            outcome,
            status: result.status,
            detail: result.detail,
        });
        match outcome {
            AttemptOutcome::Delivered => {
                ok = true;
                break;
            }
            AttemptOutcome::Final => break,
            AttemptOutcome::Retryable if number == max_attempts => break,
            AttemptOutcome::Retryable => {
                let mut wait = policy.jittered(policy.backoff(number));
                if let Some(asked) = result.retry_after {
                    wait = wait.max(asked.min(policy.max_backoff));
                }
                // Give up rather than start an attempt past the budget.
                if start.elapsed() + wait >= deadline {
                    tracing::warn!(
                        channel,
                        alert_id,
                        attempt = number,
                        "notify.budget_exhausted"
                    );
                    break;
                }
                tokio::time::sleep(wait).await;
            }
        }
    }
    if !ok {
        tracing::warn!(channel, target = %target, alert_id, attempts = attempts.len(), "notify.failed");
    }
    DeliveryRecord {
        alert_id: alert_id.to_string(),
        channel: channel.to_string(),
        target,
        attempts,
        ok,
    }
}

/// An error and its causes, `outer: inner: innermost`.
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = cause.source();
    }
    out
}

mod millis {
    //! Durations as whole milliseconds in JSON.
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub(super) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_millis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[test]
    fn default_schedule_fits_the_sixty_second_budget() {
        let p = RetryPolicy::default();
        let secs: Vec<u64> = p.schedule().iter().map(Duration::as_secs).collect();
        assert_eq!(secs, vec![0, 2, 6, 14]);
        assert!(
            p.worst_case() <= Duration::from_secs(60),
            "{:?}",
            p.worst_case()
        );
    }

    #[test]
    fn backoff_is_capped() {
        let p = RetryPolicy {
            max_backoff: Duration::from_secs(5),
            ..RetryPolicy::default()
        };
        assert_eq!(p.backoff(1), Duration::from_secs(2));
        assert_eq!(p.backoff(3), Duration::from_secs(5));
        assert_eq!(p.backoff(40), Duration::from_secs(5));
        for _ in 0..50 {
            let j = RetryPolicy::default().jittered(Duration::from_secs(10));
            assert!(
                j >= Duration::from_secs(8) && j <= Duration::from_secs(12),
                "{j:?}"
            );
        }
    }

    #[test]
    fn policy_json_uses_milliseconds_and_defaults() {
        let p: RetryPolicy =
            serde_json::from_str(r#"{"max_attempts": 2, "attempt_timeout": 1500}"#)
                .unwrap_or_default();
        assert_eq!(p.max_attempts, 2);
        assert_eq!(p.attempt_timeout, Duration::from_millis(1500));
        assert_eq!(p.initial_backoff, Duration::from_secs(2));
    }

    fn fast(max_attempts: u32) -> RetryPolicy {
        RetryPolicy {
            max_attempts,
            initial_backoff: Duration::from_millis(1),
            jitter: 0.0,
            attempt_timeout: Duration::from_millis(200),
            deadline: Duration::from_secs(5),
            ..RetryPolicy::default()
        }
    }

    #[tokio::test]
    async fn retries_until_delivered_then_stops() {
        let calls = AtomicU32::new(0);
        let record = run_with_retries(&fast(5), "test", "t".into(), "id", |_, n| {
            calls.fetch_add(1, Ordering::SeqCst);
            async move {
                if n < 3 {
                    TryResult::new(AttemptOutcome::Retryable, Some(503), None)
                } else {
                    TryResult::new(AttemptOutcome::Delivered, Some(200), None)
                }
            }
        })
        .await;
        assert!(record.ok);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        assert_eq!(record.attempts.len(), 3);
        assert_eq!(record.last_error(), None);
    }

    #[tokio::test]
    async fn final_failures_and_timeouts() {
        let record = run_with_retries(&fast(5), "test", "t".into(), "id", |_, _| async {
            TryResult::new(AttemptOutcome::Final, Some(400), Some("HTTP 400".into()))
        })
        .await;
        assert!(!record.ok);
        assert_eq!(record.attempts.len(), 1);
        assert_eq!(record.last_error(), Some("HTTP 400"));

        let record = run_with_retries(&fast(2), "test", "t".into(), "id", |_, _| async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            TryResult::new(AttemptOutcome::Delivered, None, None)
        })
        .await;
        assert!(!record.ok);
        assert_eq!(record.attempts.len(), 2);
        assert!(
            record
                .attempts
                .iter()
                .all(|a| a.outcome == AttemptOutcome::Retryable)
        );
        assert!(
            record
                .last_error()
                .unwrap_or_default()
                .contains("timed out")
        );
    }

    #[tokio::test]
    async fn the_deadline_stops_retries() {
        let policy = RetryPolicy {
            max_attempts: 10,
            initial_backoff: Duration::from_millis(300),
            multiplier: 1,
            jitter: 0.0,
            attempt_timeout: Duration::from_millis(100),
            deadline: Duration::from_millis(700),
            ..RetryPolicy::default()
        };
        let began = Instant::now();
        let record = run_with_retries(&policy, "test", "t".into(), "id", |_, _| async {
            TryResult::new(AttemptOutcome::Retryable, None, Some("refused".into()))
        })
        .await;
        assert!(!record.ok);
        // Nominally attempts at 0, 300 and 600 ms; a slow machine may fit only two.
        assert!((2..=3).contains(&record.attempts.len()), "{record:?}");
        assert!(began.elapsed() < Duration::from_millis(900));
    }
}
