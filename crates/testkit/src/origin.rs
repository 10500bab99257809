//! A scripted HTTP origin on loopback: each path serves a queue of replies
//! (the last one repeats once the queue is empty), so a test can play
//! successive versions, errors, walls, slow and truncated answers, redirect
//! loops and gzip bombs to a fetcher or watcher.

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Response, StatusCode, header};
use std::collections::{HashMap, VecDeque};
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// One scripted answer.
#[derive(Clone, Debug)]
pub enum Reply {
    /// 200 with an HTML body and an optional Content-Type (default
    /// `text/html; charset=utf-8`).
    Page(String, Option<&'static str>),
    /// 200 with raw bytes and the given Content-Type (wrong charsets,
    /// binary files).
    Bytes(Vec<u8>, &'static str),
    /// A status with an HTML body.
    Status(u16, String),
    /// 200 with an HTML body after a delay.
    Slow(Duration, String),
    /// A redirect to the path itself with a query appended (a loop).
    RedirectLoop,
    /// A gzip-encoded body that inflates to `n` bytes.
    GzipBomb(usize),
}

#[derive(Debug, Default)]
struct Script {
    queues: HashMap<String, VecDeque<Reply>>,
    last: HashMap<String, Reply>,
    hits: HashMap<String, usize>,
    latency: Duration,
}

type Shared = Arc<Mutex<Script>>;

fn lock(script: &Shared) -> std::sync::MutexGuard<'_, Script> {
    script.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A server on `127.0.0.1:0`, stopped when dropped. Scripted
/// ([`Origin::start`]), any router ([`Origin::serve`]) or raw bytes
/// ([`Origin::raw`]).
#[derive(Debug)]
pub struct Origin {
    /// The address it listens on.
    pub addr: SocketAddr,
    script: Shared,
    task: JoinHandle<()>,
}

impl Origin {
    /// A scripted origin with an empty script (every path is a 404 until
    /// [`Origin::push`]ed).
    pub async fn start() -> Origin {
        let script: Shared = Arc::default();
        let app = Router::new()
            .fallback(serve_script)
            .with_state(Arc::clone(&script));
        let mut origin = Origin::serve(app).await;
        origin.script = script;
        origin
    }

    /// Serves any axum `router`.
    pub async fn serve(router: Router) -> Origin {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        Origin {
            addr,
            script: Arc::default(),
            task,
        }
    }

    /// Serves raw bytes: every connection gets `response` (status line,
    /// headers and body as the test wrote them: a declared length longer
    /// than the body, a cut connection) and is then closed.
    pub async fn raw(response: Vec<u8>) -> Origin {
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
        Origin {
            addr,
            script: Arc::default(),
            task,
        }
    }

    /// Appends replies for `path`.
    pub fn push(&self, path: &str, replies: impl IntoIterator<Item = Reply>) {
        lock(&self.script)
            .queues
            .entry(path.to_string())
            .or_default()
            .extend(replies);
    }

    /// A delay before every scripted reply (a slow network).
    pub fn set_latency(&self, latency: Duration) {
        lock(&self.script).latency = latency;
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The same origin under another host name (for a resolver override).
    pub fn url_as(&self, host: &str, path: &str) -> String {
        format!("http://{host}:{}{path}", self.addr.port())
    }

    /// Requests the scripted origin has answered for `path`.
    pub fn hits(&self, path: &str) -> usize {
        lock(&self.script).hits.get(path).copied().unwrap_or(0)
    }
}

impl Drop for Origin {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn respond(status: StatusCode, content_type: &str, body: impl Into<Body>) -> Response<Body> {
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    if let Ok(value) = HeaderValue::from_str(content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    response
}

const HTML: &str = "text/html; charset=utf-8";

async fn serve_script(State(script): State<Shared>, request: Request) -> Response<Body> {
    let path = request.uri().path().to_string();
    let (reply, latency) = {
        let mut s = lock(&script);
        *s.hits.entry(path.clone()).or_default() += 1;
        let next = s.queues.get_mut(&path).and_then(VecDeque::pop_front);
        let reply = match next {
            Some(r) => {
                s.last.insert(path.clone(), r.clone());
                Some(r)
            }
            None => s.last.get(&path).cloned(),
        };
        (reply, s.latency)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match reply {
        None => respond(StatusCode::NOT_FOUND, "text/plain", "no script"),
        Some(Reply::Page(body, ct)) => respond(StatusCode::OK, ct.unwrap_or(HTML), body),
        Some(Reply::Bytes(body, ct)) => respond(StatusCode::OK, ct, body),
        Some(Reply::Status(code, body)) => respond(
            StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            HTML,
            body,
        ),
        Some(Reply::Slow(delay, body)) => {
            tokio::time::sleep(delay).await;
            respond(StatusCode::OK, HTML, body)
        }
        Some(Reply::RedirectLoop) => {
            let mut response = respond(StatusCode::FOUND, HTML, Body::empty());
            if let Ok(location) = HeaderValue::from_str(&format!("{path}?again")) {
                response.headers_mut().insert(header::LOCATION, location);
            }
            response
        }
        Some(Reply::GzipBomb(n)) => {
            let mut response = respond(StatusCode::OK, "text/html", gzip_of_spaces(n));
            response
                .headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            response
        }
    }
}

/// `n` spaces, gzip-compressed (about a thousandth of `n`).
fn gzip_of_spaces(n: usize) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let chunk = vec![b' '; 1 << 20];
    let mut left = n;
    while left > 0 {
        let take = left.min(chunk.len());
        enc.write_all(&chunk[..take]).unwrap();
        left -= take;
    }
    enc.finish().unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_script_plays_in_order_and_the_last_reply_repeats() {
        let origin = Origin::start().await;
        origin.push(
            "/p",
            [
                Reply::Page("one".into(), None),
                Reply::Status(503, "down".into()),
            ],
        );
        let url = origin.url("/p");
        let get = |url: String| async move {
            tokio::task::spawn_blocking(move || {
                use std::io::{Read, Write as _};
                let addr = url.trim_start_matches("http://");
                let (host, path) = addr.split_once('/').unwrap();
                let mut s = std::net::TcpStream::connect(host).unwrap();
                write!(
                    s,
                    "GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
                )
                .unwrap();
                let mut out = String::new();
                s.read_to_string(&mut out).unwrap();
                out
            })
            .await
            .unwrap()
        };
        assert!(get(url.clone()).await.starts_with("HTTP/1.1 200"));
        assert!(get(url.clone()).await.starts_with("HTTP/1.1 503"));
        assert!(get(url).await.starts_with("HTTP/1.1 503"));
        assert_eq!(origin.hits("/p"), 3);
        assert_eq!(origin.hits("/other"), 0);
    }
}
