//! A webhook endpoint on loopback that records every delivery.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::task::JoinHandle;

/// One request the receiver accepted.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The `X-Clausewatch-Delivery` header (empty when absent).
    pub id: String,
    /// The `X-Clausewatch-Signature` header (empty when absent).
    pub signature: String,
    /// The raw body, as signed.
    pub body: Vec<u8>,
    /// The body parsed as JSON (`Null` when it is not JSON).
    pub payload: serde_json::Value,
}

#[derive(Debug, Default)]
struct Log {
    calls: usize,
    fail_first: usize,
    accepted: Vec<Delivery>,
}

type Shared = Arc<Mutex<Log>>;

fn lock(log: &Shared) -> std::sync::MutexGuard<'_, Log> {
    log.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A webhook endpoint at `http://127.0.0.1:PORT/hook`, stopped when dropped.
#[derive(Debug)]
pub struct WebhookReceiver {
    url: String,
    log: Shared,
    task: JoinHandle<()>,
}

impl WebhookReceiver {
    /// A receiver that accepts every request.
    pub async fn start() -> WebhookReceiver {
        WebhookReceiver::failing_first(0).await
    }

    /// A receiver that answers 503 to its first `n` requests (so the
    /// sender's retry shows), then accepts.
    pub async fn failing_first(n: usize) -> WebhookReceiver {
        let log: Shared = Arc::new(Mutex::new(Log {
            fail_first: n,
            ..Log::default()
        }));
        let app = Router::new()
            .route("/hook", post(receive))
            .with_state(Arc::clone(&log));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        WebhookReceiver { url, log, task }
    }

    /// Where to send.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Requests received, failed ones included.
    pub fn calls(&self) -> usize {
        lock(&self.log).calls
    }

    /// The deliveries accepted so far, oldest first.
    pub fn deliveries(&self) -> Vec<Delivery> {
        lock(&self.log).accepted.clone()
    }
}

impl Drop for WebhookReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn receive(State(log): State<Shared>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let mut log = lock(&log);
    log.calls += 1;
    if log.calls <= log.fail_first {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    log.accepted.push(Delivery {
        id: header("x-clausewatch-delivery"),
        signature: header("x-clausewatch-signature"),
        payload: serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
        body: body.to_vec(),
    });
    StatusCode::OK
}
