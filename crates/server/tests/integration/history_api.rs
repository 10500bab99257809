//! `GET /api/documents/{platform}/{document}/at/{date}` (issue #23): the
//! version in force that day with the observation that proves it.

use crate::util::Builder;
use axum::http::StatusCode;

const V1: &[u8] = b"# Terms\n\nYou must not resell the service.\n";
const V2: &[u8] = b"# Terms\n\nYou must not resell or rent the service.\n";

#[tokio::test]
async fn version_in_force_at_a_date() {
    let app = Builder::new()
        .without_demo()
        .document("acme/terms", V1, "2021-01-10")
        .document("acme/terms", V2, "2021-03-01")
        .build()
        .await;
    let at = app.json("/api/documents/acme/terms/at/2021-02-28").await;
    assert_eq!(at["date"], "2021-02-28");
    assert_eq!(at["version"]["number"], 1);
    assert!(
        at["proof"]["observed_at"]
            .as_str()
            .unwrap()
            .starts_with("2021-01-10")
    );
    assert_eq!(at["proof"]["sha256"].as_str().unwrap().len(), 64);
    assert!(
        at["replaced_at"]
            .as_str()
            .unwrap()
            .starts_with("2021-03-01")
    );
    assert!(
        at["provisions"][0]["text"]
            .as_str()
            .unwrap()
            .contains("resell the service")
    );
    // The day the next version was observed, it is the one in force.
    let at = app.json("/api/documents/acme/terms/at/2021-03-01").await;
    assert_eq!(at["version"]["number"], 2);
    assert!(at["replaced_at"].is_null());
    // Before the first observation there is none; a bad date is a bad request.
    let before = app.get("/api/documents/acme/terms/at/2020-12-31").await;
    assert_eq!(before.status, StatusCode::NOT_FOUND, "{}", before.body);
    let bad = app.get("/api/documents/acme/terms/at/yesterday").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    // Documented in the OpenAPI document.
    let doc = app.ok("/api/openapi.json").await;
    assert!(doc.contains("/api/documents/{platform}/{document}/at/{date}"));
}
