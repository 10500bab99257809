//! Conditional GET and per-source language.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use cw_fetch::{FetchOutcome, FetchRequest};

use crate::harness::{Origin, config, fetched, fetcher, terms_page};

const ETAG: &str = "\"v1\"";
const LAST_MODIFIED: &str = "Wed, 21 Oct 2026 07:28:00 GMT";

#[tokio::test]
async fn second_fetch_is_conditional_and_not_modified() {
    let seen: Arc<Mutex<Vec<HeaderMap>>> = Arc::default();
    let log = Arc::clone(&seen);
    let origin = Origin::start(Router::new().route(
        "/terms",
        get(move |headers: HeaderMap| {
            let log = Arc::clone(&log);
            async move {
                let matches = headers
                    .get(header::IF_NONE_MATCH)
                    .is_some_and(|v| v == ETAG);
                log.lock().unwrap().push(headers);
                let validators = [(header::ETAG, ETAG), (header::LAST_MODIFIED, LAST_MODIFIED)];
                if matches {
                    (StatusCode::NOT_MODIFIED, validators).into_response()
                } else {
                    (validators, axum::response::Html(terms_page("1"))).into_response()
                }
            }
        }),
    ))
    .await;
    let fetcher = fetcher(config());
    let request = FetchRequest::new(origin.url("/terms")).accept_language("zh-CN,zh;q=0.9");
    let first = fetched(fetcher.fetch(&request).await);
    assert_eq!(first.meta.etag.as_deref(), Some(ETAG));
    assert_eq!(first.meta.last_modified.as_deref(), Some(LAST_MODIFIED));

    let again = request.validators(first.meta.etag.clone(), first.meta.last_modified.clone());
    match fetcher.fetch(&again).await {
        FetchOutcome::NotModified {
            etag,
            last_modified,
        } => {
            assert_eq!(etag.as_deref(), Some(ETAG));
            assert_eq!(last_modified.as_deref(), Some(LAST_MODIFIED));
        }
        other => panic!("expected NotModified, got {other:?}"),
    }

    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    assert!(seen[0].get(header::IF_NONE_MATCH).is_none());
    assert_eq!(seen[1].get(header::IF_NONE_MATCH).unwrap(), ETAG);
    assert_eq!(
        seen[1].get(header::IF_MODIFIED_SINCE).unwrap(),
        LAST_MODIFIED
    );
    for headers in seen.iter() {
        assert_eq!(
            headers.get(header::ACCEPT_LANGUAGE).unwrap(),
            "zh-CN,zh;q=0.9"
        );
        assert!(
            headers
                .get(header::USER_AGENT)
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("clausewatch/")
        );
        let encodings = headers
            .get(header::ACCEPT_ENCODING)
            .unwrap()
            .to_str()
            .unwrap();
        for coding in ["gzip", "br", "zstd", "deflate"] {
            assert!(encodings.contains(coding), "{encodings}");
        }
    }
}
