//! Browser fetches: Chromium over CDP with the `browser` feature, a named
//! `BrowserUnavailable` state without it.

use axum::Router;
use axum::http::HeaderMap;
use axum::response::Html;
use axum::routing::get;
use cw_fetch::{FetchFailure, FetchOutcome, FetchRequest, browser_availability};

use crate::harness::{Origin, config, fetcher};

/// The document is written by JavaScript; the plain HTML has no text.
const JS_PAGE: &str = r#"<!doctype html><html><head><title>Terms</title></head><body>
<div id="terms"></div>
<script>
  const p = "These terms govern your use of the service. ".repeat(20);
  document.getElementById("terms").innerHTML =
    "<h1>Rendered terms</h1><p id=lang>" + navigator.language + "</p><p>" + p + "</p>";
</script></body></html>"#;

async fn js_origin() -> Origin {
    Origin::start(
        Router::new()
            .route("/terms", get(|| async { Html(JS_PAGE) }))
            .route(
                "/headers",
                get(|headers: HeaderMap| async move {
                    let lang = headers
                        .get("accept-language")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("none")
                        .to_owned();
                    Html(format!(
                        "<html><body><p>{}</p><p id=al>{lang}</p></body></html>",
                        "word ".repeat(250)
                    ))
                }),
            ),
    )
    .await
}

#[tokio::test]
async fn plain_fetch_of_a_js_page_is_an_empty_shell() {
    let origin = js_origin().await;
    let outcome = fetcher(config())
        .fetch(&FetchRequest::new(origin.url("/terms")))
        .await;
    assert_eq!(outcome.code(), "empty");
}

#[tokio::test]
async fn browser_fetch_renders_javascript_or_names_why_not() {
    let origin = js_origin().await;
    let cfg = config();
    let available = browser_availability(&cfg.browser);
    let fetcher = fetcher(cfg);
    let request = FetchRequest::new(origin.url("/terms"))
        .accept_language("de-DE,de;q=0.9")
        .with_browser(true);
    let outcome = fetcher.fetch(&request).await;
    match available {
        Err(reason) => {
            assert_eq!(
                outcome,
                FetchOutcome::Failed(FetchFailure::BrowserUnavailable(reason.clone()))
            );
            if cfg!(not(feature = "browser")) {
                assert!(reason.contains("`browser` feature"), "{reason}");
            }
        }
        Ok(()) => {
            let page = match outcome {
                FetchOutcome::Fetched(page) => page,
                other => panic!("expected a rendered page, got {other:?}"),
            };
            assert!(page.via_browser);
            assert_eq!(page.status, 200);
            assert_eq!(page.final_url, origin.url("/terms"));
            let html = String::from_utf8(page.body.clone()).unwrap();
            assert!(html.contains("<h1>Rendered terms</h1>"), "{html}");
            assert!(
                html.contains("<p id=\"lang\">de-DE</p>"),
                "navigator.language: {html}"
            );
            assert_eq!(page.meta.charset.as_deref(), Some("utf-8"));

            let headers = fetcher
                .fetch(
                    &FetchRequest::new(origin.url("/headers"))
                        .accept_language("de-DE,de;q=0.9")
                        .with_browser(true),
                )
                .await;
            let html = String::from_utf8(headers.page().unwrap().body.clone()).unwrap();
            assert!(html.contains("<p id=\"al\">de-DE,de;q=0.9</p>"), "{html}");
        }
    }
}

#[cfg(feature = "browser")]
#[tokio::test]
async fn browser_respects_the_ssrf_guard() {
    use std::net::{IpAddr, Ipv4Addr};
    use std::sync::{Arc, OnceLock};

    use axum::response::Redirect;
    use cw_fetch::{AddressClass, BlockReason};

    let port = Arc::new(OnceLock::<u16>::new());
    let p = Arc::clone(&port);
    let origin = Origin::start(
        Router::new()
            .route("/terms", get(|| async { Html(JS_PAGE) }))
            .route(
                "/to-private",
                get(move || async move {
                    Redirect::to(&format!("http://127.0.0.1:{}/terms", p.get().unwrap()))
                }),
            ),
    )
    .await;
    port.set(origin.addr.port()).unwrap();
    let mut cfg = config();
    cfg.allow_private = false;
    cfg.resolve_overrides.insert(
        "allowed.test".to_owned(),
        vec![IpAddr::V4(Ipv4Addr::LOCALHOST)],
    );
    let fetcher = fetcher(cfg);
    if browser_availability(&fetcher.config().browser).is_err() {
        return; // covered by the test above
    }
    // The trusted host renders through the browser...
    let page = fetcher
        .fetch(&FetchRequest::new(origin.url_as("allowed.test", "/terms")).with_browser(true))
        .await;
    assert_eq!(page.code(), "fetched", "{page:?}");
    // ...but its redirect to a loopback address is refused by interception.
    let outcome = fetcher
        .fetch(&FetchRequest::new(origin.url_as("allowed.test", "/to-private")).with_browser(true))
        .await;
    match outcome {
        FetchOutcome::Failed(FetchFailure::Blocked {
            reason:
                BlockReason::PrivateAddress {
                    class: AddressClass::Loopback,
                    ..
                },
        }) => {}
        other => panic!("expected a loopback block, got {other:?}"),
    }
    // A direct loopback URL is refused before Chromium starts.
    let direct = fetcher
        .fetch(&FetchRequest::new(origin.url("/terms")).with_browser(true))
        .await;
    assert_eq!(direct.code(), "blocked");
}

#[tokio::test]
async fn empty_shell_falls_back_to_the_browser_when_available() {
    let origin = js_origin().await;
    let mut cfg = config();
    cfg.browser.fallback = true;
    let available = browser_availability(&cfg.browser).is_ok();
    let outcome = fetcher(cfg)
        .fetch(&FetchRequest::new(origin.url("/terms")))
        .await;
    if available {
        let page = outcome.page().expect("rendered by the fallback");
        assert!(page.via_browser);
        assert!(String::from_utf8_lossy(&page.body).contains("Rendered terms"));
    } else {
        // Without Chromium the plain verdict stands.
        assert_eq!(outcome.code(), "empty");
    }
}
