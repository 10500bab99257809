//! A scripted HTTP origin on loopback: each path serves a queue of
//! responses (the last one repeats), so a test can play successive
//! versions, errors, walls, slow and truncated answers, redirect loops and
//! gzip bombs to the watcher. Also policy pages and watcher settings.

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Response, StatusCode, header};
use std::collections::{HashMap, VecDeque};
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// One scripted answer.
#[derive(Clone, Debug)]
pub(crate) enum Reply {
    /// 200 with an HTML body and an optional Content-Type override.
    Page(String, Option<&'static str>),
    /// 200 with raw bytes (any charset) and a Content-Type.
    Bytes(Vec<u8>, &'static str),
    /// A status with an HTML body.
    Status(u16, String),
    /// 200 after a delay.
    Slow(Duration, String),
    /// A redirect to the path itself (a loop).
    RedirectLoop,
    /// A gzip-encoded body that inflates to `n` bytes.
    GzipBomb(usize),
}

#[derive(Default)]
struct Script {
    queues: HashMap<String, VecDeque<Reply>>,
    last: HashMap<String, Reply>,
    hits: HashMap<String, usize>,
}

/// The origin: a server on 127.0.0.1:0 and its script.
pub(crate) struct Origin {
    pub(crate) addr: SocketAddr,
    script: Arc<Mutex<Script>>,
    task: JoinHandle<()>,
}

impl Origin {
    pub(crate) async fn start() -> Origin {
        let script = Arc::new(Mutex::new(Script::default()));
        let app = Router::new()
            .fallback(serve)
            .with_state(Arc::clone(&script));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Origin { addr, script, task }
    }

    /// Appends replies for `path`.
    pub(crate) fn push(&self, path: &str, replies: impl IntoIterator<Item = Reply>) {
        let mut s = self.script.lock().unwrap();
        s.queues
            .entry(path.to_string())
            .or_default()
            .extend(replies);
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub(crate) fn hits(&self, path: &str) -> usize {
        *self.script.lock().unwrap().hits.get(path).unwrap_or(&0)
    }
}

impl Drop for Origin {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(State(script): State<Arc<Mutex<Script>>>, request: Request) -> Response<Body> {
    let path = request.uri().path().to_string();
    let reply = {
        let mut s = script.lock().unwrap();
        *s.hits.entry(path.clone()).or_default() += 1;
        let next = s.queues.get_mut(&path).and_then(VecDeque::pop_front);
        match next {
            Some(r) => {
                s.last.insert(path.clone(), r.clone());
                Some(r)
            }
            None => s.last.get(&path).cloned(),
        }
    };
    let html = |status: StatusCode, body: String, ct: &str| {
        Response::builder()
            .status(status)
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap()
    };
    match reply {
        None => html(StatusCode::NOT_FOUND, "no script".into(), "text/plain"),
        Some(Reply::Page(body, ct)) => html(
            StatusCode::OK,
            body,
            ct.unwrap_or("text/html; charset=utf-8"),
        ),
        Some(Reply::Bytes(body, ct)) => Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap(),
        Some(Reply::Status(code, body)) => html(
            StatusCode::from_u16(code).unwrap(),
            body,
            "text/html; charset=utf-8",
        ),
        Some(Reply::Slow(delay, body)) => {
            tokio::time::sleep(delay).await;
            html(StatusCode::OK, body, "text/html; charset=utf-8")
        }
        Some(Reply::RedirectLoop) => Response::builder()
            .status(StatusCode::FOUND)
            .header(header::LOCATION, format!("{path}?again"))
            .body(Body::empty())
            .unwrap(),
        Some(Reply::GzipBomb(n)) => {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            let chunk = vec![b' '; 1 << 20];
            let mut left = n;
            while left > 0 {
                let take = left.min(chunk.len());
                enc.write_all(&chunk[..take]).unwrap();
                left -= take;
            }
            let body = enc.finish().unwrap();
            Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, "text/html")
                .header(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"))
                .body(Body::from(body))
                .unwrap()
        }
    }
}

/// A raw server that declares 200 000 bytes, sends the headers and part of
/// a page, then closes the connection: a truncated body. Returns its URL.
pub(crate) async fn truncated_origin() -> (String, JoinHandle<()>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let page = policy("Truncated", 4, "");
    let task = tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let page = page.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let head =
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 200000\r\n\r\n";
                let _ = socket.write_all(head.as_bytes()).await;
                let _ = socket.write_all(&page.as_bytes()[..page.len() / 2]).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    (format!("http://{addr}/doc"), task)
}

/// An English policy page with `sections` sections of two provisions each;
/// `twist` is appended to the first provision (a change).
pub(crate) fn policy(title: &str, sections: usize, twist: &str) -> String {
    let mut html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><title>{title}</title></head><body>\
         <nav><a href=\"/\">Home</a> <a href=\"/legal\">Legal</a></nav><main><h1>{title}</h1>"
    );
    for i in 1..=sections {
        let extra = if i == 1 { twist } else { "" };
        html.push_str(&format!(
            "<h2>Section {i}: Use of the services</h2>\
             <p>You must not use the services in section {i} to violate the law, to infringe the \
             rights of others, or to distribute malware, spam or other harmful content.{extra}</p>\
             <p>We may suspend or terminate your access to the services described in section {i} \
             if you breach this policy, and we will give you notice where the law requires it.</p>"
        ));
    }
    html.push_str("</main><footer>© Example Corp</footer></body></html>");
    html
}

/// The same policy in French (wrong language for an English source).
pub(crate) fn policy_fr(sections: usize) -> String {
    let mut html = String::from(
        "<!DOCTYPE html><html lang=\"fr\"><head><title>Politique d'utilisation</title></head><body><main>\
         <h1>Politique d'utilisation acceptable</h1>",
    );
    for i in 1..=sections {
        html.push_str(&format!(
            "<h2>Section {i} : Utilisation des services</h2>\
             <p>Vous ne devez pas utiliser les services de la section {i} pour enfreindre la loi, \
             porter atteinte aux droits d'autrui ou diffuser des logiciels malveillants.</p>\
             <p>Nous pouvons suspendre ou résilier votre accès aux services décrits dans la section \
             {i} si vous enfreignez cette politique, et nous vous en informerons lorsque la loi l'exige.</p>"
        ));
    }
    html.push_str("</main></body></html>");
    html
}

pub(crate) const CLOUDFLARE: &str = r#"<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="refresh" content="390"></head><body><div class="main-wrapper" role="main">
<div class="main-content"><noscript><div id="challenge-error-title">Enable JavaScript and cookies to continue</div></noscript></div></div>
<script>(function(){window._cf_chl_opt={cvId: '3',cZone: "example.com"};var a = document.createElement('script');
a.src = '/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1?ray=8a';document.getElementsByTagName('head')[0].appendChild(a);}());</script></body></html>"#;

pub(crate) const LOGIN: &str = r#"<html><head><title>Example</title></head><body><header>Example</header>
<form method="post" action="/session"><label>Email <input type="email" name="email"></label>
<label>Password <input type="password" name="password"></label><button>Continue</button></form>
<footer>© Example</footer></body></html>"#;

pub(crate) const SOFT_404: &str = r#"<html><head><title>Page not found – Example</title></head><body>
<nav><a href="/">Home</a> <a href="/legal">Legal</a></nav><h1>Sorry, we couldn't find that page.</h1>
<p>The link may be broken or the page may have moved.</p></body></html>"#;

pub(crate) const CAPTCHA: &str = r#"<html><head><title>Security verification</title>
<script src="https://www.google.com/recaptcha/api.js" async defer></script></head>
<body><form action="/verify" method="POST"><p>Please complete the check below.</p>
<div class="g-recaptcha" data-sitekey="6Lc_aCMTAAAAABx7u2W0WPXnVbI_v6ZdbM6rYf16"></div>
<input type="submit" value="Submit"></form></body></html>"#;
