//! Webhook deliveries against a real HTTP receiver (axum on 127.0.0.1:0)
//! that verifies every request's signature with `cw_notify::verify` and the
//! shared secret, records what it got, and answers from a script of
//! statuses (503, 400, slow replies, …).

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use cw_notify::{
    AttemptOutcome, DEFAULT_TOLERANCE, DELIVERY_HEADER, RetryPolicy, SIGNATURE_HEADER,
    SignatureError, WebhookSender, verify,
};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::{HOSTILE, alert};

const SECRET: &str = "whsec_test_0123456789abcdef";

/// One request as the receiver saw it.
#[derive(Debug, Clone)]
struct Received {
    body: Vec<u8>,
    signature: String,
    delivery: String,
    attempt: String,
    verified: Result<(), SignatureError>,
}

/// What the receiver does with one request.
#[derive(Debug, Clone, Copy)]
enum Reply {
    Status(u16),
    /// Sleep, then answer 200 (to trigger the sender's timeout).
    Slow(Duration),
    /// 429 with `Retry-After: 0`.
    TooManyRequests,
}

#[derive(Clone)]
struct ReceiverState {
    secret: Arc<Vec<u8>>,
    script: Arc<Mutex<VecDeque<Reply>>>,
    log: Arc<Mutex<Vec<Received>>>,
}

/// Builder-style harness for the receiver.
struct Receiver {
    secret: String,
    script: Vec<Reply>,
}

/// A running receiver; dropped with the test's runtime.
struct RunningReceiver {
    url: String,
    log: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    fn new() -> Self {
        Receiver {
            secret: SECRET.to_string(),
            script: Vec::new(),
        }
    }

    /// The secret the receiver verifies with (default: the sender's).
    fn secret(mut self, secret: &str) -> Self {
        self.secret = secret.to_string();
        self
    }

    /// Replies for the first requests, in order; later requests get 200.
    fn replies(mut self, replies: &[Reply]) -> Self {
        self.script = replies.to_vec();
        self
    }

    async fn start(self) -> RunningReceiver {
        let state = ReceiverState {
            secret: Arc::new(self.secret.into_bytes()),
            script: Arc::new(Mutex::new(self.script.into())),
            log: Arc::new(Mutex::new(Vec::new())),
        };
        let log = state.log.clone();
        let app = Router::new().route("/hook", post(handle)).with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        RunningReceiver {
            url: format!("http://{addr}/hook"),
            log,
        }
    }
}

impl RunningReceiver {
    fn received(&self) -> Vec<Received> {
        self.log.lock().unwrap().clone()
    }
}

async fn handle(
    State(state): State<ReceiverState>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, [(&'static str, &'static str); 1], String) {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let signature = header(SIGNATURE_HEADER);
    let verified = verify(
        &state.secret,
        &signature,
        &body,
        chrono::Utc::now().timestamp(),
        DEFAULT_TOLERANCE,
    );
    let ok = verified.is_ok();
    state.log.lock().unwrap().push(Received {
        body: body.to_vec(),
        signature,
        delivery: header(DELIVERY_HEADER),
        attempt: header("x-clausewatch-attempt"),
        verified,
    });
    if !ok {
        return (
            StatusCode::UNAUTHORIZED,
            [("x-test", "")],
            "bad signature".into(),
        );
    }
    let reply = state
        .script
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or(Reply::Status(200));
    match reply {
        Reply::Status(code) => {
            let status = StatusCode::from_u16(code).unwrap();
            (status, [("x-test", "")], format!("receiver says {code}"))
        }
        Reply::Slow(wait) => {
            tokio::time::sleep(wait).await;
            (StatusCode::OK, [("x-test", "")], "late".into())
        }
        Reply::TooManyRequests => (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", "0")],
            "slow down".into(),
        ),
    }
}

/// A fast policy for tests: 4 attempts, 50 ms apart, no jitter.
fn fast_policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        initial_backoff: Duration::from_millis(50),
        multiplier: 1,
        jitter: 0.0,
        attempt_timeout: Duration::from_millis(1_000),
        deadline: Duration::from_secs(10),
        ..RetryPolicy::default()
    }
}

fn sender() -> WebhookSender {
    WebhookSender::new(fast_policy()).unwrap()
}

#[tokio::test]
async fn delivers_a_signed_versioned_payload() {
    let receiver = Receiver::new().start().await;
    let alert = alert("aws/aup-ningxia")
        .hostile()
        .label("tos_termination")
        .build();
    let record = sender()
        .deliver(&receiver.url, SECRET.as_bytes(), &alert, true)
        .await;

    assert!(record.ok, "{record:?}");
    assert_eq!(record.channel, "webhook");
    assert_eq!(record.alert_id, alert.id);
    assert_eq!(record.attempts.len(), 1);
    assert_eq!(record.attempts[0].status, Some(200));
    assert_eq!(record.attempts[0].outcome, AttemptOutcome::Delivered);

    let got = receiver.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].verified, Ok(()));
    assert!(got[0].signature.starts_with("t=") && got[0].signature.contains(",v1="));
    assert_eq!(got[0].delivery, alert.id);
    assert_eq!(got[0].attempt, "1");
    let payload: serde_json::Value = serde_json::from_slice(&got[0].body).unwrap();
    assert_eq!(payload["schema"], "clausewatch.alert.v1");
    assert_eq!(payload["id"], alert.id.as_str());
    assert_eq!(payload["document"], "aws/aup-ningxia");
    assert_eq!(payload["version"], 3);
    assert_eq!(payload["old_version"], 2);
    assert_eq!(payload["summary"]["substantive"], 2);
    assert_eq!(payload["labels"][0], "tos_termination");
    assert_eq!(payload["changes"].as_array().unwrap().len(), 3);
    assert_eq!(payload["changes"][0]["significance"], "substantive");
    // JSON carries the text as it is; escaping is the consumer's business.
    assert!(
        payload["changes"][0]["new_text"]
            .as_str()
            .unwrap()
            .contains(HOSTILE)
    );
}

#[tokio::test]
async fn two_503s_then_delivered_on_attempt_3() {
    let receiver = Receiver::new()
        .replies(&[Reply::Status(503), Reply::Status(503)])
        .start()
        .await;
    let alert = alert("aws/aup").hostile().build();
    let record = sender()
        .deliver(&receiver.url, SECRET.as_bytes(), &alert, true)
        .await;

    assert!(record.ok, "{record:?}");
    let statuses: Vec<_> = record.attempts.iter().map(|a| a.status).collect();
    assert_eq!(statuses, vec![Some(503), Some(503), Some(200)]);
    let outcomes: Vec<_> = record.attempts.iter().map(|a| a.outcome).collect();
    assert_eq!(
        outcomes,
        vec![
            AttemptOutcome::Retryable,
            AttemptOutcome::Retryable,
            AttemptOutcome::Delivered
        ]
    );
    let numbers: Vec<_> = record.attempts.iter().map(|a| a.number).collect();
    assert_eq!(numbers, vec![1, 2, 3]);
    assert!(
        record.attempts[0]
            .detail
            .as_deref()
            .unwrap()
            .contains("503")
    );
    assert!(record.attempts.windows(2).all(|w| w[0].at <= w[1].at));

    // Every attempt was signed afresh and verified; the body never changed.
    let got = receiver.received();
    assert_eq!(got.len(), 3);
    assert!(got.iter().all(|r| r.verified.is_ok()));
    assert!(
        got.iter()
            .all(|r| r.body == got[0].body && r.delivery == alert.id)
    );
    let attempts: Vec<_> = got.iter().map(|r| r.attempt.as_str()).collect();
    assert_eq!(attempts, vec!["1", "2", "3"]);
}

#[tokio::test]
async fn a_wrong_secret_is_rejected_by_verify() {
    let receiver = Receiver::new()
        .secret("a-different-secret-0000")
        .start()
        .await;
    let alert = alert("aws/aup").hostile().build();
    let record = sender()
        .deliver(&receiver.url, SECRET.as_bytes(), &alert, true)
        .await;

    let got = receiver.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].verified, Err(SignatureError::Mismatch));
    // The same request does verify with the right secret.
    let now = chrono::Utc::now().timestamp();
    assert_eq!(
        verify(
            SECRET.as_bytes(),
            &got[0].signature,
            &got[0].body,
            now,
            DEFAULT_TOLERANCE
        ),
        Ok(())
    );
    // A tampered body does not.
    let mut tampered = got[0].body.clone();
    tampered.push(b' ');
    assert_eq!(
        verify(
            SECRET.as_bytes(),
            &got[0].signature,
            &tampered,
            now,
            DEFAULT_TOLERANCE
        ),
        Err(SignatureError::Mismatch)
    );
    // The receiver's 401 is final.
    assert!(!record.ok);
    assert_eq!(record.attempts.len(), 1);
    assert_eq!(record.attempts[0].status, Some(401));
    assert_eq!(record.attempts[0].outcome, AttemptOutcome::Final);
}

#[tokio::test]
async fn a_400_is_final() {
    let receiver = Receiver::new().replies(&[Reply::Status(400)]).start().await;
    let alert = alert("aws/aup").hostile().build();
    let record = sender()
        .deliver(&receiver.url, SECRET.as_bytes(), &alert, true)
        .await;

    assert!(!record.ok);
    assert_eq!(record.attempts.len(), 1);
    assert_eq!(record.attempts[0].status, Some(400));
    assert_eq!(record.attempts[0].outcome, AttemptOutcome::Final);
    assert!(record.last_error().unwrap().contains("receiver says 400"));
    assert_eq!(receiver.received().len(), 1);
}

#[tokio::test]
async fn a_429_and_a_timeout_are_retried() {
    let receiver = Receiver::new()
        .replies(&[Reply::TooManyRequests, Reply::Slow(Duration::from_secs(3))])
        .start()
        .await;
    let policy = RetryPolicy {
        attempt_timeout: Duration::from_millis(400),
        ..fast_policy()
    };
    let sender = WebhookSender::new(policy).unwrap();
    let alert = alert("aws/aup").build();
    let record = sender
        .deliver(&receiver.url, SECRET.as_bytes(), &alert, true)
        .await;

    assert!(record.ok, "{record:?}");
    assert_eq!(record.attempts.len(), 3);
    assert_eq!(record.attempts[0].status, Some(429));
    assert_eq!(record.attempts[1].status, None);
    assert!(
        record.attempts[1]
            .detail
            .as_deref()
            .unwrap()
            .contains("time"),
        "{record:?}"
    );
    assert_eq!(record.attempts[1].outcome, AttemptOutcome::Retryable);
    assert_eq!(record.attempts[2].status, Some(200));
}

#[tokio::test]
async fn an_unreachable_endpoint_gives_up_after_max_attempts() {
    // A port that was free a moment ago: nothing listens there now.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/hook?token=secret-token",
        listener.local_addr().unwrap()
    );
    drop(listener);
    let alert = alert("aws/aup").build();
    let record = sender()
        .deliver(&url, SECRET.as_bytes(), &alert, true)
        .await;

    assert!(!record.ok);
    assert_eq!(record.attempts.len(), 4);
    assert!(
        record
            .attempts
            .iter()
            .all(|a| a.outcome == AttemptOutcome::Retryable)
    );
    assert!(
        record.last_error().unwrap().contains("connection"),
        "{record:?}"
    );
    // Tokens in the URL stay out of the delivery log.
    assert!(!record.target.contains("secret-token"));
    assert!(
        record
            .attempts
            .iter()
            .all(|a| !a.detail.as_deref().unwrap().contains("secret-token"))
    );
}

#[tokio::test]
async fn the_default_policy_stays_within_sixty_seconds() {
    let policy = RetryPolicy::default();
    assert_eq!(policy.max_attempts, 4);
    assert_eq!(policy.attempt_timeout, Duration::from_secs(10));
    assert!(policy.worst_case() <= Duration::from_secs(60));
    assert!(WebhookSender::new(policy).is_ok());
}

/// Issue #25: a webhook on a loopback or private address is refused before
/// any connection unless the subscription allows private targets — for an
/// IP literal and for a host name that resolves to loopback (checked at
/// delivery, since DNS may change after subscribing). The refusal is final.
#[tokio::test]
async fn issue_25_private_targets_are_refused_at_delivery() {
    let receiver = Receiver::new().start().await;
    let alert = alert("aws/aup").build();
    let by_name = receiver.url.replace("127.0.0.1", "localhost");
    for url in [&receiver.url, &by_name] {
        let record = sender()
            .deliver(url, SECRET.as_bytes(), &alert, false)
            .await;
        assert!(!record.ok, "{url}: {record:?}");
        assert_eq!(record.attempts.len(), 1, "{url}: {record:?}");
        assert_eq!(record.attempts[0].outcome, AttemptOutcome::Final);
        let error = record.last_error().unwrap_or_default();
        assert!(error.contains("loopback"), "{url}: {error}");
    }
    let metadata = sender()
        .deliver(
            "http://169.254.169.254/latest/meta-data/",
            SECRET.as_bytes(),
            &alert,
            false,
        )
        .await;
    assert!(!metadata.ok);
    assert_eq!(metadata.attempts[0].outcome, AttemptOutcome::Final);
    assert!(
        receiver.received().is_empty(),
        "a refused delivery connected"
    );
    // Opted in: delivered.
    let record = sender()
        .deliver(&by_name, SECRET.as_bytes(), &alert, true)
        .await;
    assert!(record.ok, "{record:?}");
    assert_eq!(receiver.received().len(), 1);
}
