//! Redirects: followed by hand, recorded, bounded, loops detected.

use axum::Router;
use axum::extract::Path;
use axum::response::Redirect;
use axum::routing::get;
use cw_fetch::FetchFailure;

use crate::harness::{Origin, config, failed, fetched, fetcher, get as fetch, terms_page};

fn redirecting_origin() -> Router {
    Router::new()
        .route("/old", get(|| async { Redirect::permanent("/middle") }))
        .route(
            "/middle",
            get(|| async { Redirect::temporary("/new#section") }),
        )
        .route(
            "/new",
            get(|| async { axum::response::Html(terms_page("new")) }),
        )
        .route("/a", get(|| async { Redirect::to("/b") }))
        .route("/b", get(|| async { Redirect::to("/a") }))
        .route(
            "/chain/{n}",
            get(|Path(n): Path<u32>| async move { Redirect::to(&format!("/chain/{}", n + 1)) }),
        )
        .route(
            "/nowhere",
            get(|| async { (axum::http::StatusCode::FOUND, "no location") }),
        )
}

#[tokio::test]
async fn redirects_are_followed_and_recorded() {
    let origin = Origin::start(redirecting_origin()).await;
    let page = fetched(fetch(&fetcher(config()), origin.url("/old")).await);
    assert_eq!(page.final_url, origin.url("/new#section"));
    assert_eq!(
        page.redirects,
        vec![origin.url("/middle"), origin.url("/new#section")]
    );
    assert!(String::from_utf8_lossy(&page.body).contains("Version new."));
}

#[tokio::test]
async fn redirect_loop_is_detected() {
    let origin = Origin::start(redirecting_origin()).await;
    assert_eq!(
        failed(fetch(&fetcher(config()), origin.url("/a")).await),
        FetchFailure::RedirectLoop {
            url: origin.url("/a").to_string()
        }
    );
}

#[tokio::test]
async fn endless_redirects_stop_at_the_limit() {
    let origin = Origin::start(redirecting_origin()).await;
    assert_eq!(
        failed(fetch(&fetcher(config()), origin.url("/chain/0")).await),
        FetchFailure::TooManyRedirects { limit: 5 }
    );
    let mut cfg = config();
    cfg.max_redirects = 0;
    assert_eq!(
        failed(fetch(&fetcher(cfg), origin.url("/old")).await),
        FetchFailure::TooManyRedirects { limit: 0 }
    );
}

#[tokio::test]
async fn redirect_without_location_is_bad() {
    let origin = Origin::start(redirecting_origin()).await;
    match failed(fetch(&fetcher(config()), origin.url("/nowhere")).await) {
        FetchFailure::BadRedirect(_) => {}
        other => panic!("{other:?}"),
    }
}
