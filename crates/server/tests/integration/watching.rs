//! Sources with their fetch states and subscriptions, through the JSON API
//! (`oneshot`, JSON snapshots) and the pages: tracked sources and logged
//! attempts written with the real store, subscriptions created over the API
//! and through the CSRF-protected form, secrets never shown back.

use crate::util::{Builder, TestApp};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{DateTime, TimeZone, Utc};
use cw_store::{NewAttempt, NewSource, Role, Schedule};

pub(crate) const SECRET: &str = "0123456789abcdef-very-secret";

fn at(h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 1, h, 0, 0).single().unwrap()
}

fn attempt(source_id: i64, hour: u32, state: &str, ok: bool, detail: Option<&str>) -> NewAttempt {
    NewAttempt {
        source_id,
        started_at: at(hour),
        finished_at: at(hour) + chrono::Duration::seconds(1),
        state: state.into(),
        outcome: if ok { "fetched" } else { "http_error" }.into(),
        http_status: Some(if ok { 200 } else { 503 }),
        detail: detail.map(str::to_string),
        sha256: None,
        content_hash: None,
        elapsed_ms: 840,
        version_number: ok.then_some(4),
        ok,
        validators: None,
        next_due_at: at(hour + 6),
        supersede_candidate: false,
    }
}

/// Tracks two sources: the demo AUP (fetched fine, then hit a bot wall whose
/// detail is hostile text) and a new document never fetched.
pub(crate) async fn track_sources(app: &TestApp) {
    let store = app.engine.store();
    let aup = store
        .track_source(
            &NewSource {
                document: "example-cloud/aup".parse().unwrap(),
                url: "https://cloud.example.com/legal/aup".into(),
                schedule: Schedule::Every(21_600),
                select_css: vec![],
                remove_css: vec![],
                browser: false,
                no_browser: false,
                language: Some("en".into()),
                allow_private: false,
                confirmations: 2,
            },
            at(0),
        )
        .await
        .unwrap();
    store
        .record_attempt(&attempt(aup.id, 0, "unchanged", true, None))
        .await
        .unwrap();
    store
        .record_attempt(&attempt(
            aup.id,
            6,
            "bot_wall",
            false,
            Some("challenge page <script>alert('detail')</script>"),
        ))
        .await
        .unwrap();
    store
        .track_source(
            &NewSource {
                document: "acme/terms".parse().unwrap(),
                url: "https://acme.example/terms".into(),
                schedule: Schedule::Cron("0 6 * * 1".into()),
                select_css: vec!["main".into()],
                remove_css: vec![],
                browser: true,
                no_browser: false,
                language: None,
                allow_private: false,
                confirmations: 1,
            },
            at(12),
        )
        .await
        .unwrap();
}

async fn token(app: &TestApp, role: Role) -> String {
    app.engine
        .store()
        .create_token("t", role)
        .await
        .unwrap()
        .secret
}

fn json_request(method: &str, uri: &str, token: &str, body: serde_json::Value) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

/// Replaces the creation times (now) so snapshots are stable.
fn stable(mut v: serde_json::Value) -> serde_json::Value {
    match &mut v {
        serde_json::Value::Array(items) => {
            for i in items {
                *i = stable(i.take());
            }
        }
        serde_json::Value::Object(map) if map.contains_key("created_at") => {
            map.insert("created_at".into(), "[created_at]".into());
        }
        _ => {}
    }
    v
}

#[tokio::test]
async fn sources_and_their_fetch_attempts() {
    let app = Builder::new().build().await;
    assert_eq!(app.json("/api/sources").await, serde_json::json!([]));
    track_sources(&app).await;
    let list = app.json("/api/sources").await;
    insta::assert_json_snapshot!("sources", list);
    let detail = app.json("/api/sources/example-cloud/aup").await;
    insta::assert_json_snapshot!("source_aup", detail);
    assert_eq!(
        detail["attempts"][0]["state"]["code"], "bot_wall",
        "newest first"
    );

    // Untracked sources appear only with `all=true`.
    assert!(
        app.engine
            .store()
            .untrack_source(&"acme/terms".parse().unwrap())
            .await
            .unwrap()
    );
    assert_eq!(app.json("/api/sources").await.as_array().unwrap().len(), 1);
    let all = app.json("/api/sources?all=true").await;
    assert_eq!(all.as_array().unwrap().len(), 2);
    assert_eq!(all[0]["active"], false);

    let missing = app.get("/api/sources/example-cloud/privacy").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json()["error"]["code"], "not_found");
    let bad = app.get("/api/sources/Bad%20Key/x").await;
    assert_eq!(bad.json()["error"]["code"], "bad_request");
}

#[tokio::test]
async fn sources_pages_show_states_in_words_and_escape_details() {
    let app = Builder::new().build().await;
    let empty = app.ok("/sources").await;
    assert!(empty.contains("No sources are tracked"), "{empty}");
    track_sources(&app).await;
    let page = app.ok("/sources").await;
    for text in [
        "https://cloud.example.com/legal/aup",
        "every 6 h",
        "blocked by a bot wall",
        "class=\"state problem\"",
        "1 failed in a row",
        "not fetched yet",
        "cron 0 6 * * 1 (UTC)",
        "1 with a problem",
        "href=\"/sources\" aria-current=\"page\"",
    ] {
        assert!(page.contains(text), "/sources lacks {text:?}");
    }
    let one = app.ok("/sources/example-cloud/aup").await;
    assert!(one.contains("Recent fetch attempts"));
    assert!(
        one.contains("challenge page &#60;script&#62;")
            || one.contains("challenge page &lt;script&gt;"),
        "detail escaped: {one}"
    );
    assert!(
        !one.contains("<script>alert"),
        "hostile detail rendered raw"
    );
    assert_eq!(one.matches("<tr>").count(), 3, "header and two attempts");
    assert_eq!(
        app.get("/sources/example-cloud/privacy").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn admins_create_and_remove_subscriptions_over_the_api() {
    let app = Builder::new().build().await;
    let admin = token(&app, Role::Admin).await;
    let viewer = token(&app, Role::Viewer).await;

    let hook = serde_json::json!({
        "webhook": "https://hooks.example.com/services/T0/B0/xyz",
        "secret": SECRET,
        "platforms": ["example-cloud"],
        "labels": ["tos_*"],
        "substantive_only": true,
    });
    let created = app
        .request(json_request("POST", "/api/subscriptions", &admin, hook))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert!(!created.body.contains(SECRET), "secret shown back");
    insta::assert_json_snapshot!("subscription_created", stable(created.json()));

    let feed = app
        .request(json_request(
            "POST",
            "/api/subscriptions",
            &admin,
            serde_json::json!({"feed": "cloud-terms", "documents": ["example-cloud/aup"]}),
        ))
        .await;
    assert_eq!(feed.status, StatusCode::CREATED, "{}", feed.body);
    assert!(
        app.dir.path().join("feeds/cloud-terms.xml").is_file(),
        "an empty feed file is written, as `clausewatch subscribe` does"
    );
    let email = app
        .request(json_request(
            "POST",
            "/api/subscriptions",
            &admin,
            serde_json::json!({"email": ["legal@example.com", "ops@example.com"]}),
        ))
        .await;
    assert_eq!(email.status, StatusCode::CREATED, "{}", email.body);

    // Admins see full webhook URLs; everyone else only the origin.
    let as_admin = app.get_with("/api/subscriptions", &admin).await;
    assert_eq!(as_admin.status, StatusCode::OK);
    assert!(!as_admin.body.contains(SECRET));
    insta::assert_json_snapshot!("subscriptions_as_admin", stable(as_admin.json()));
    let anonymous = app.json("/api/subscriptions").await;
    assert_eq!(anonymous[0]["target"], "https://hooks.example.com/…");
    let as_viewer = app.get_with("/api/subscriptions", &viewer).await.json();
    assert_eq!(as_viewer[0]["target"], "https://hooks.example.com/…");

    // Removing: by id, then it is gone from the active list; twice is a 404.
    let id = created.json()["id"].as_i64().unwrap();
    let del = |t: &str| {
        Request::delete(format!("/api/subscriptions/{id}"))
            .header(header::AUTHORIZATION, format!("Bearer {t}"))
            .body(Body::empty())
            .unwrap()
    };
    let refused = app.request(del(&viewer)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.json()["error"]["code"], "forbidden");
    let gone = app.request(del(&admin)).await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT, "{}", gone.body);
    let again = app.request(del(&admin)).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let names: Vec<String> = app
        .json("/api/subscriptions")
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["cloud-terms", "sub-3"]);
    let all = app.json("/api/subscriptions?all=true").await;
    assert_eq!(all.as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn invalid_subscriptions_are_refused_with_stable_codes() {
    let app = Builder::new().build().await;
    let admin = token(&app, Role::Admin).await;
    let viewer = token(&app, Role::Viewer).await;
    let ok_body = serde_json::json!({"feed": "x"});

    let cases = [
        (serde_json::json!({}), 400),
        (
            serde_json::json!({"feed": "x", "email": ["a@example.com"]}),
            400,
        ),
        (
            serde_json::json!({"webhook": "https://h.example.com/h"}),
            400,
        ),
        (
            serde_json::json!({"webhook": "https://h.example.com/h", "secret": "short"}),
            400,
        ),
        (
            serde_json::json!({"webhook": "javascript:alert(1)", "secret": SECRET}),
            400,
        ),
        (serde_json::json!({"email": ["not an address"]}), 400),
        (serde_json::json!({"feed": "../etc/passwd"}), 400),
        (serde_json::json!({"feed": "x", "colour": "red"}), 400),
    ];
    let mut bodies = Vec::new();
    for (body, status) in cases {
        let r = app
            .request(json_request(
                "POST",
                "/api/subscriptions",
                &admin,
                body.clone(),
            ))
            .await;
        assert_eq!(r.status.as_u16(), status, "{body}: {}", r.body);
        assert_eq!(r.json()["error"]["code"], "bad_request", "{body}");
        bodies.push(r.json());
    }
    insta::assert_json_snapshot!("subscription_errors", bodies);

    // Not JSON at all.
    let r = app
        .request(
            Request::post("/api/subscriptions")
                .header(header::AUTHORIZATION, format!("Bearer {admin}"))
                .header(header::CONTENT_TYPE, "text/plain")
                .body(Body::from("feed=x"))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "bad_request");

    // Without a token (anonymous read is on): unauthorized; a viewer: forbidden.
    let anonymous = app
        .request(
            Request::post("/api/subscriptions")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(ok_body.to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let r = app
        .request(json_request(
            "POST",
            "/api/subscriptions",
            &viewer,
            ok_body.clone(),
        ))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["error"]["code"], "forbidden");
    assert_eq!(app.json("/api/subscriptions").await, serde_json::json!([]));

    // A feed name can be taken only once.
    let first = app
        .request(json_request(
            "POST",
            "/api/subscriptions",
            &admin,
            ok_body.clone(),
        ))
        .await;
    assert_eq!(first.status, StatusCode::CREATED);
    let second = app
        .request(json_request("POST", "/api/subscriptions", &admin, ok_body))
        .await;
    assert_eq!(second.status, StatusCode::CONFLICT, "{}", second.body);
    assert_eq!(second.json()["error"]["code"], "conflict");
}

/// Issue #25: the admin API refuses a webhook on a non-public address (the
/// cloud metadata endpoint, loopback) unless `allow_private` is set, which
/// is then stored with the subscription.
#[tokio::test]
async fn issue_25_private_webhooks_need_allow_private() {
    let app = Builder::new().build().await;
    let admin = token(&app, Role::Admin).await;
    for url in [
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.1:9/hook",
        "http://[::1]/hook",
    ] {
        let body = serde_json::json!({"webhook": url, "secret": SECRET});
        let r = app
            .request(json_request("POST", "/api/subscriptions", &admin, body))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{url}: {}", r.body);
        assert_eq!(r.json()["error"]["code"], "bad_request");
    }
    let email = serde_json::json!({"email": ["ops@10.0.0.1"]});
    let r = app
        .request(json_request("POST", "/api/subscriptions", &admin, email))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(app.json("/api/subscriptions").await, serde_json::json!([]));

    let body = serde_json::json!({
        "webhook": "http://127.0.0.1:9/hook",
        "secret": SECRET,
        "allow_private": true,
    });
    let r = app
        .request(json_request("POST", "/api/subscriptions", &admin, body))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["allow_private"], true);
    let rows = app.engine.store().subscriptions(false).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].allow_private);
}
