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

/// Issue #22: tracking from the API, with the options and checks of
/// `clausewatch track`; re-check (due now), pause and resume; admins only.
#[tokio::test]
async fn issue_22_admins_track_recheck_pause_and_resume_over_the_api() {
    let app = Builder::new().build().await;
    let admin = token(&app, Role::Admin).await;
    let viewer = token(&app, Role::Viewer).await;
    let body = serde_json::json!({
        "url": "https://acme.example/terms",
        "platform": "acme",
        "document": "terms",
        "every": "12h",
        "confirmations": 3,
        "language": "en",
        "no_browser": true,
    });
    let refused = app
        .request(json_request("POST", "/api/sources", &viewer, body.clone()))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let created = app
        .request(json_request("POST", "/api/sources", &admin, body))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let view = created.json();
    assert_eq!(view["document"], "acme/terms");
    assert_eq!(view["schedule"]["text"], "every 12 h");
    assert_eq!(view["confirmations"], 3);
    assert_eq!(view["active"], true);
    let row = app
        .engine
        .store()
        .source(&"acme/terms".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(row.no_browser && row.language.as_deref() == Some("en"));

    // The same refusals as the CLI's, as bad requests.
    for bad in [
        serde_json::json!({"url": "ftp://acme.example/x", "platform": "acme", "document": "x"}),
        serde_json::json!({"url": "http://127.0.0.1:9/x", "platform": "acme", "document": "x"}),
        serde_json::json!({"url": "https://acme.example/x", "platform": "Acme Corp", "document": "x"}),
        serde_json::json!({"url": "https://acme.example/x", "platform": "acme", "document": "x", "every": "1h", "cron": "0 6 * * *"}),
        serde_json::json!({"url": "https://acme.example/x", "platform": "acme", "document": "x", "cron": "every day"}),
        serde_json::json!({"url": "https://acme.example/x", "platform": "acme", "document": "x", "confirmations": 0}),
        serde_json::json!({"url": "https://acme.example/x", "platform": "acme", "document": "x", "colour": "red"}),
    ] {
        let r = app
            .request(json_request("POST", "/api/sources", &admin, bad.clone()))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
        assert_eq!(r.json()["error"]["code"], "bad_request", "{bad}");
    }

    // Re-check: due now (the store's clock), whatever the schedule said.
    let store = app.engine.store();
    let key = "acme/terms".parse().unwrap();
    let later = store.now() + chrono::Duration::hours(5);
    assert!(store.make_source_due(&key, later).await.unwrap());
    let act = |action: &str, t: &str| {
        json_request(
            "POST",
            &format!("/api/sources/acme/terms/{action}"),
            t,
            serde_json::json!({}),
        )
    };
    assert_eq!(
        app.request(act("recheck", &viewer)).await.status,
        StatusCode::FORBIDDEN
    );
    let r = app.request(act("recheck", &admin)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let due = store.source(&key).await.unwrap().unwrap().next_due_at;
    assert!(due < later, "due now, not in five hours: {due}");
    assert_eq!(store.due_sources(Some(store.now())).await.unwrap().len(), 1);

    // Pause: no longer due or listed; a re-check is refused until resumed.
    let r = app.request(act("pause", &admin)).await;
    assert_eq!(r.json()["active"], false);
    assert!(store.due_sources(None).await.unwrap().is_empty());
    let r = app.request(act("recheck", &admin)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let r = app.request(act("resume", &admin)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["active"], true);
    assert_eq!(r.json()["confirmations"], 3, "settings kept");
    assert_eq!(store.due_sources(Some(store.now())).await.unwrap().len(), 1);

    let r = app.request(act("explode", &admin)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .request(json_request(
            "POST",
            "/api/sources/example-cloud/privacy/recheck",
            &admin,
            serde_json::json!({}),
        ))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

/// A form POST with our cookies and no Origin header.
fn form(uri: &str, cookie: &str, body: String) -> Request<Body> {
    crate::auth::form_post(uri, cookie, body, None)
}

/// Issue #22: the sources page tracks a URL through a CSRF-protected form
/// (admins only), lists each source's last fetches and when a waiting
/// change's confirmation fetch is due; a source's page re-checks, pauses,
/// resumes and links to a subscription form filled in with the document.
#[tokio::test]
async fn issue_22_watching_from_the_ui() {
    let app = Builder::new().build().await;
    let store = app.engine.store();
    let admin = token(&app, Role::Admin).await;
    let viewer = token(&app, Role::Viewer).await;

    let empty = app.get("/sources").await;
    assert!(
        empty.body.contains(
            "clausewatch track https://example.com/terms --platform example --document terms --every 6h"
        ),
        "a track command that runs as written: {}",
        empty.body
    );
    assert!(empty.body.contains("needs an admin sign-in"));
    assert!(
        !empty.body.contains("name=\"url\""),
        "no form for anonymous"
    );
    let csrf = crate::auth::csrf_from(&empty);
    let as_admin = format!("cw_csrf={csrf}; cw_session={admin}");
    let as_viewer = format!("cw_csrf={csrf}; cw_session={viewer}");

    let good = format!(
        "csrf={csrf}&url=https%3A%2F%2Facme.example%2Fterms&platform=acme&document=terms&when=cron&every=6h&cron=0+6+*+*+1&confirmations=1&language=&browser=always"
    );
    let r = app
        .request(form("/sources", &as_admin, good.replace(&csrf, "nope")))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "CSRF: {}", r.body);
    let r = app
        .request(form("/sources", &as_viewer, good.clone()))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "viewer: {}", r.body);
    assert!(store.sources(true).await.unwrap().is_empty());

    // A bad value: the form again, with what was typed and the reason.
    let bad = good.replace("confirmations=1", "confirmations=two");
    let r = app.request(form("/sources", &as_admin, bad)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("role=\"alert\""), "{}", r.body);
    assert!(r.body.contains("value=\"https://acme.example/terms\""));

    let r = app.request(form("/sources", &as_admin, good)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.headers["location"], "/sources?tracked=acme/terms");
    let row = store
        .source(&"acme/terms".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.schedule, Schedule::Cron("0 6 * * 1".into()));
    assert!(row.browser && row.confirmations == 1 && row.language.is_none());

    // The list: recent fetches and the confirmation fetch of a waiting change.
    track_sources(&app).await;
    let aup = store
        .source(&"example-cloud/aup".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    store
        .observe_candidate(aup.id, &"cd".repeat(32), &"ab".repeat(32), at(7))
        .await
        .unwrap();
    let page = app
        .request(
            Request::get("/sources?tracked=acme/terms")
                .header(header::COOKIE, &as_admin)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .body;
    for text in [
        "Tracking acme/terms: due now",
        "aria-label=\"Last 2 fetches, newest first\"",
        "confirmation fetch",
        "name=\"url\"",
    ] {
        assert!(page.contains(text), "/sources lacks {text:?}:\n{page}");
    }
    let api = app.json("/api/sources").await;
    let aup_view = api
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["document"] == "example-cloud/aup")
        .unwrap();
    assert_eq!(aup_view["recent"][0]["code"], "bot_wall");
    assert_eq!(
        aup_view["candidate"]["confirmation_due_at"],
        aup_view["next_due_at"]
    );

    // A source's page: actions for admins only.
    let get_as = |who: &str| {
        Request::get("/sources/example-cloud/aup")
            .header(header::COOKIE, who.to_string())
            .body(Body::empty())
            .unwrap()
    };
    let mine = app.request(get_as(&as_admin)).await.body;
    assert!(mine.contains("action=\"/sources/example-cloud/aup/recheck\""));
    assert!(mine.contains("href=\"/subscriptions?document=example-cloud/aup#new-h\""));
    let theirs = app.request(get_as(&as_viewer)).await.body;
    assert!(!theirs.contains("/recheck\""), "no actions for viewers");

    let r = app
        .request(form(
            "/sources/example-cloud/aup/pause",
            &as_admin,
            format!("csrf={csrf}"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        r.headers["location"],
        "/sources/example-cloud/aup?done=pause"
    );
    let paused = app
        .request(
            Request::get("/sources/example-cloud/aup?done=pause")
                .header(header::COOKIE, &as_admin)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .body;
    assert!(paused.contains("paused: no more fetches"), "{paused}");
    assert!(paused.contains("/resume\""), "{paused}");
    let r = app
        .request(form(
            "/sources/example-cloud/aup/resume",
            &as_viewer,
            format!("csrf={csrf}"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .request(form(
            "/sources/example-cloud/aup/resume",
            &as_admin,
            format!("csrf={csrf}"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        store
            .source(&"example-cloud/aup".parse().unwrap())
            .await
            .unwrap()
            .unwrap()
            .active
    );

    // Subscribe from the source page: the form comes filled in.
    let sub = app
        .request(
            Request::get("/subscriptions?document=example-cloud/aup")
                .header(header::COOKIE, &as_admin)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .body;
    assert!(
        sub.contains(
            "name=\"documents\" type=\"text\" list=\"known-documents\" value=\"example-cloud/aup\""
        ),
        "{sub}"
    );
}
