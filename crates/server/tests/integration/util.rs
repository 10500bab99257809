//! The test harness: a [`TestApp`] is a temporary home with the demo corpus
//! (and optionally more documents) behind a router, driven with `oneshot`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use cw_engine::{Engine, ImportRequest};
use cw_server::{AppState, ServerConfig};
use std::sync::Arc;
use tower::ServiceExt;

/// A home folder with data, and a router over it.
pub(crate) struct TestApp {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) engine: Arc<Engine>,
    pub(crate) router: axum::Router,
}

/// A response as the tests look at it.
#[derive(Debug)]
pub(crate) struct Resp {
    pub(crate) status: StatusCode,
    pub(crate) headers: axum::http::HeaderMap,
    pub(crate) body: String,
}

impl Resp {
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// Builds a [`TestApp`].
pub(crate) struct Builder {
    demo: bool,
    anonymous_read: bool,
    extra: Vec<(String, Vec<u8>, &'static str, &'static str)>,
}

impl Builder {
    pub(crate) fn new() -> Builder {
        Builder {
            demo: true,
            anonymous_read: true,
            extra: Vec::new(),
        }
    }

    pub(crate) fn without_demo(mut self) -> Builder {
        self.demo = false;
        self
    }

    pub(crate) fn anonymous_read(mut self, on: bool) -> Builder {
        self.anonymous_read = on;
        self
    }

    /// Imports `bytes` as a version of `key` observed on `date`.
    pub(crate) fn document(self, key: &str, bytes: &[u8], date: &'static str) -> Builder {
        self.document_as(key, bytes, date, "test.html")
    }

    /// Imports `bytes` as a version of `key` observed on `date`, read from
    /// a file called `source`.
    pub(crate) fn document_as(
        mut self,
        key: &str,
        bytes: &[u8],
        date: &'static str,
        source: &'static str,
    ) -> Builder {
        self.extra
            .push((key.to_string(), bytes.to_vec(), date, source));
        self
    }

    pub(crate) async fn build(self) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(dir.path()).await.unwrap();
        if self.demo {
            engine.import_demo().await.unwrap();
        }
        for (key, bytes, date, source) in self.extra {
            let mut req = ImportRequest::new(key.parse().unwrap(), bytes, source);
            req.observed_at = Some(cw_engine::start_of_day(date.parse().unwrap()));
            engine.import(req).await.unwrap();
        }
        let engine = Arc::new(engine);
        let state = AppState::new(
            Arc::clone(&engine),
            ServerConfig {
                anonymous_read: self.anonymous_read,
            },
        );
        TestApp {
            dir,
            router: cw_server::router(state),
            engine,
        }
    }
}

impl TestApp {
    pub(crate) async fn request(&self, req: Request<Body>) -> Resp {
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap();
        Resp {
            status,
            headers,
            body: String::from_utf8(bytes.to_vec()).unwrap(),
        }
    }

    pub(crate) async fn get(&self, uri: &str) -> Resp {
        self.request(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    pub(crate) async fn get_with(&self, uri: &str, token: &str) -> Resp {
        self.request(
            Request::get(uri)
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    /// GET that must succeed; returns the body.
    pub(crate) async fn ok(&self, uri: &str) -> String {
        let r = self.get(uri).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.body);
        r.body
    }

    /// GET that must succeed with JSON.
    pub(crate) async fn json(&self, uri: &str) -> serde_json::Value {
        let r = self.get(uri).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.body);
        r.json()
    }
}
