//! Pages that are fetch states, not content: served for real and judged.

use axum::Router;
use axum::http::StatusCode;
use axum::response::Html;
use axum::routing::get;
use cw_fetch::{FetchFailure, PageVerdict};

use crate::harness::{Origin, config, failed, fetcher, get as fetch, rejected};

const CLOUDFLARE: &str = r#"<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="refresh" content="390"></head><body><div class="main-wrapper" role="main">
<div class="main-content"><noscript><div id="challenge-error-title">Enable JavaScript and cookies to continue</div></noscript></div></div>
<script>(function(){window._cf_chl_opt={cvId: '3',cZone: "example.com"};var a = document.createElement('script');
a.src = '/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1?ray=8a';document.getElementsByTagName('head')[0].appendChild(a);}());</script></body></html>"#;

const CAPTCHA: &str = r#"<html><head><title>Security verification</title>
<script src="https://www.google.com/recaptcha/api.js" async defer></script></head>
<body><form action="/verify" method="POST"><p>Please complete the check below.</p>
<div class="g-recaptcha" data-sitekey="6Lc_aCMTAAAAABx7u2W0WPXnVbI_v6ZdbM6rYf16"></div>
<input type="submit" value="Submit"></form></body></html>"#;

const LOGIN: &str = r#"<html><head><title>Example</title></head><body><header>Example</header>
<form method="post" action="/session"><label>Email <input type="email" name="email"></label>
<label>Password <input type="password" name="password"></label><button>Continue</button></form>
<footer>© Example</footer></body></html>"#;

const SOFT_404: &str = r#"<html><head><title>Page not found – Example</title></head><body>
<nav><a href="/">Home</a> <a href="/legal">Legal</a></nav><h1>Sorry, we couldn't find that page.</h1>
<p>The link may be broken or the page may have moved.</p></body></html>"#;

fn walls() -> Router {
    Router::new()
        .route("/cf", get(|| async { Html(CLOUDFLARE) }))
        .route(
            "/cf-403",
            get(|| async { (StatusCode::FORBIDDEN, Html(CLOUDFLARE)) }),
        )
        .route("/captcha", get(|| async { Html(CAPTCHA) }))
        .route("/login", get(|| async { Html(LOGIN) }))
        .route("/soft-404", get(|| async { Html(SOFT_404) }))
        .route(
            "/shell",
            get(|| async {
                Html("<html><body><div id=root></div><script src=/app.js></script></body></html>")
            }),
        )
}

#[tokio::test]
async fn walls_and_soft_404s_are_rejected_not_fetched() {
    let origin = Origin::start(walls()).await;
    let fetcher = fetcher(config());
    let cases = [
        ("/cf", "bot_wall"),
        ("/captcha", "captcha"),
        ("/login", "login_wall"),
        ("/soft-404", "soft_not_found"),
        ("/shell", "empty"),
    ];
    for (path, code) in cases {
        let outcome = fetch(&fetcher, origin.url(path)).await;
        assert_eq!(outcome.code(), code, "{path}");
        let page = rejected(outcome);
        assert_eq!(page.verdict.code(), code, "{path}");
        assert!(!page.body.is_empty(), "the evidence is kept: {path}");
    }
}

#[tokio::test]
async fn challenge_behind_403_is_an_http_failure_with_the_wall_verdict() {
    let origin = Origin::start(walls()).await;
    match failed(fetch(&fetcher(config()), origin.url("/cf-403")).await) {
        FetchFailure::Http {
            status: 403,
            verdict: PageVerdict::BotWall { signal },
            ..
        } => assert_eq!(signal, "title \"just a moment...\""),
        other => panic!("{other:?}"),
    }
}
