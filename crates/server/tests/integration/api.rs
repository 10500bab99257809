//! The JSON API through `oneshot`, pinned with insta JSON snapshots, and
//! the OpenAPI document pinned as a snapshot.

use crate::util::Builder;
use axum::http::StatusCode;

#[tokio::test]
async fn lists_platforms_documents_and_versions() {
    let app = Builder::new().build().await;
    let platforms = app.json("/api/platforms").await;
    insta::assert_json_snapshot!("platforms", platforms);
    let versions = app.json("/api/documents/example-cloud/aup/versions").await;
    insta::assert_json_snapshot!("aup_versions", versions);
    let doc = app.json("/api/documents/example-cloud/aup").await;
    assert_eq!(doc["document"]["key"], "example-cloud/aup");
    assert_eq!(doc["versions"].as_array().unwrap().len(), 4);
    let one = app.json("/api/platforms/example-cloud").await;
    assert_eq!(one["platform"], "example-cloud");
    let stats = app.json("/api/stats").await;
    assert!(stats["versions"].as_u64().unwrap() >= 4, "{stats}");
}

/// (version, old version, `field`) of every timeline entry.
fn timeline_entries(
    timeline: &serde_json::Value,
    field: &str,
) -> Vec<(serde_json::Value, serde_json::Value, serde_json::Value)> {
    timeline
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["version"].clone(),
                e["old_version"].clone(),
                e[field].clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn timeline_diff_and_recent_changes() {
    let app = Builder::new().build().await;
    let tl = app.json("/api/documents/example-cloud/aup/timeline").await;
    let summaries = timeline_entries(&tl, "summary");
    insta::assert_json_snapshot!("aup_timeline_summaries", summaries);

    let d = app
        .json("/api/documents/example-cloud/aup/diff?from=1&to=2")
        .await;
    assert_eq!(
        (d["old"]["version"].as_u64(), d["new"]["version"].as_u64()),
        (Some(1), Some(2))
    );
    insta::assert_json_snapshot!("aup_diff_1_2_summary", d["change_set"]["summary"]);
    // Default `from` is the version before `to`.
    let d2 = app.json("/api/documents/example-cloud/aup/diff?to=3").await;
    assert_eq!(d2["old"]["version"], 2);
    assert!(!d2["sections"].as_array().unwrap().is_empty());

    let recent = app.json("/api/changes").await;
    let recent = recent.as_array().unwrap();
    assert!(!recent.is_empty());
    assert!(
        recent
            .iter()
            .all(|e| e["summary"]["substantive"].as_u64().unwrap() > 0)
    );
    let dates: Vec<&str> = recent
        .iter()
        .map(|e| e["observed_at"].as_str().unwrap())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted, "newest first");
}

#[tokio::test]
async fn compares_two_documents() {
    let app = Builder::new().build().await;
    let docs = app.json("/api/documents").await;
    let keys: Vec<&str> = docs
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["key"].as_str().unwrap())
        .collect();
    let (a, b) = (keys[0], keys[1]);
    let c = app.json(&format!("/api/compare?left={a}&right={b}")).await;
    assert_eq!(c["old"]["document"], a);
    assert_eq!(c["new"]["document"], b);
    assert!(c["change_set"]["changes"].as_array().unwrap().len() > 1);
}

#[tokio::test]
async fn provision_labels_findings_and_feed() {
    let app = Builder::new().build().await;
    let v = app
        .json("/api/documents/example-cloud/aup/versions/latest")
        .await;
    let provisions = v["provisions"].as_array().unwrap();
    let labelled = provisions
        .iter()
        .find(|p| !p["labels"].as_array().unwrap().is_empty())
        .expect("a labelled provision in the demo AUP");
    let id = labelled["id"].as_str().unwrap();
    assert_eq!(
        v["findings"]["caveat"],
        "risk indicator, not a legal determination"
    );

    let p = app
        .json(&format!("/api/documents/example-cloud/aup/provisions/{id}"))
        .await;
    assert_eq!(p["provision"]["id"], id);
    let label = &p["provision"]["labels"][0];
    let text = p["provision"]["text"].as_str().unwrap();
    let span = (
        label["span"][0].as_u64().unwrap() as usize,
        label["span"][1].as_u64().unwrap() as usize,
    );
    let evidence: String = text.chars().skip(span.0).take(span.1 - span.0).collect();
    assert_eq!(label["evidence"], evidence.as_str());
    assert!(!p["history"].as_array().unwrap().is_empty());
    assert!(p["similar"].is_array());

    let labels = app
        .json("/api/documents/example-cloud/aup/versions/1/labels")
        .await;
    assert!(!labels.as_array().unwrap().is_empty());
    let findings = app
        .json("/api/documents/example-cloud/aup/versions/1/findings")
        .await;
    assert!(findings["findings"].is_array());

    let feed = app.get("/api/documents/example-cloud/aup/feed.atom").await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(
        feed.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/atom+xml")
    );
    assert!(
        feed.body.contains("<feed") && feed.body.matches("<entry>").count() == 3,
        "{}",
        feed.body
    );
}

#[tokio::test]
async fn searches() {
    let app = Builder::new().build().await;
    let r = app.json("/api/search?q=account").await;
    assert!(r["total"].as_u64().unwrap() > 0, "{r}");
    let bad = app.get("/api/search?q=%22unclosed").await;
    // Either the query language accepts it or it is a 400 bad_query: never a 500.
    assert!(
        bad.status == StatusCode::OK || bad.json()["error"]["code"] == "bad_query",
        "{}",
        bad.body
    );
}

#[tokio::test]
async fn errors_have_stable_codes() {
    let app = Builder::new().build().await;
    let cases = [
        ("/api/documents/example-cloud/nope", 404, "not_found"),
        ("/api/documents/Bad Key/x", 400, "bad_request"),
        (
            "/api/documents/example-cloud/aup/versions/soon",
            400,
            "bad_request",
        ),
        (
            "/api/documents/example-cloud/aup/versions/99",
            404,
            "not_found",
        ),
        (
            "/api/documents/example-cloud/aup/provisions/no/such",
            404,
            "not_found",
        ),
        (
            "/api/documents/example-cloud/aup/diff?to=1",
            400,
            "bad_request",
        ),
        ("/api/no-such-endpoint", 404, "not_found"),
    ];
    let mut bodies = Vec::new();
    for (uri, status, code) in cases {
        let r = app.get(&uri.replace(' ', "%20")).await;
        assert_eq!(r.status.as_u16(), status, "{uri}: {}", r.body);
        assert_eq!(r.json()["error"]["code"], code, "{uri}");
        bodies.push(r.json());
    }
    insta::assert_json_snapshot!("error_bodies", bodies);
}

#[tokio::test]
async fn openapi_document_is_pinned() {
    let app = Builder::new().without_demo().build().await;
    let doc = app.json("/api/openapi.json").await;
    assert!(doc["paths"]["/api/documents/{platform}/{document}/diff"].is_object());
    insta::assert_json_snapshot!("openapi", doc);
}

#[tokio::test]
async fn pages_render_and_carry_security_headers() {
    let app = Builder::new().build().await;
    for uri in [
        "/",
        "/documents",
        "/p/example-cloud",
        "/d/example-cloud/aup",
        "/d/example-cloud/aup/v/2",
        "/d/example-cloud/aup/diff?from=1&to=2",
        "/d/example-cloud/aup/diff?from=1&to=2&view=inline",
        "/compare",
        "/search?q=account",
        "/sources",
        "/subscriptions",
    ] {
        let r = app.get(uri).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.body);
        let csp = r.headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{csp}"
        );
        // Not `no-referrer`: that makes browsers send `Origin: null` with our
        // own form posts, which the CSRF Origin check refuses.
        assert_eq!(r.headers["referrer-policy"], "same-origin", "{uri}");
        assert!(r.body.contains("<main id=\"main\""), "{uri}");
        assert!(r.body.contains("class=\"skip\""), "{uri}");
        assert!(!r.body.contains("<script>"), "{uri}: inline script");
    }
    let missing = app.get("/d/example-cloud/nope").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.contains("not_found"));
}

/// Issue #20: a revert (A, B, A) is a third version that restores @1 in
/// the timeline (API and page), the version-in-force read; a provision's
/// history calls a quote-only edit unchanged, as the diff of the pair does.
#[tokio::test]
async fn a_revert_shows_in_the_timeline_and_history_agrees_with_the_diff() {
    const A: &[u8] = b"# Terms\n\n## Use\n\nYou must not use the \"Service\" to send spam.\n\n## Fees\n\nYou will pay within 30 days.\n";
    const B: &str = "# Terms\n\n## Use\n\nYou must not use the \u{201c}Service\u{201d} to send spam.\n\n## Fees\n\nYou will pay within 15 days.\n";
    let app = Builder::new()
        .without_demo()
        .document("acme/terms", A, "2024-01-01")
        .document("acme/terms", B.as_bytes(), "2024-02-01")
        .document("acme/terms", A, "2024-03-01")
        .build()
        .await;
    let tl = app.json("/api/documents/acme/terms/timeline").await;
    let restores = timeline_entries(&tl, "restores");
    assert_eq!(
        serde_json::json!(restores),
        serde_json::json!([[1, null, null], [2, 1, null], [3, 2, 1]])
    );
    let page = app.ok("/d/acme/terms").await;
    assert!(
        page.contains("restores <a href=\"/d/acme/terms/v/1\">@1</a>"),
        "{page}"
    );

    let v2 = app.json("/api/documents/acme/terms/versions/2").await;
    let quoted = v2["provisions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["text"].as_str().unwrap().contains("Service"))
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let p = app
        .json(&format!(
            "/api/documents/acme/terms/provisions/{quoted}?version=2"
        ))
        .await;
    let history = p["history"].as_array().unwrap();
    assert_eq!(history[1]["changed"], false, "{p}");
    let d = app.json("/api/documents/acme/terms/diff?from=1&to=2").await;
    let in_diff = d["change_set"]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["new_id"] == quoted.as_str())
        .unwrap();
    assert_eq!(in_diff["kind"], "unchanged");
}
