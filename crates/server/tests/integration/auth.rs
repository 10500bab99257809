//! Tokens (hashed, viewer/admin), anonymous read-only access, the login
//! form's CSRF protection, and the Origin check.

use crate::util::Builder;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use cw_store::Role;

#[tokio::test]
async fn without_anonymous_read_every_request_needs_a_token() {
    let app = Builder::new().anonymous_read(false).build().await;
    let r = app.get("/api/documents").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["error"]["code"], "unauthorized");
    assert_eq!(r.headers["www-authenticate"], "Bearer");
    let page = app.get("/d/example-cloud/aup").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.headers["location"], "/login?next=/d/example-cloud/aup");
    // Public: health, the API description, the login page, static files.
    for uri in [
        "/api/health",
        "/api/openapi.json",
        "/login",
        "/static/style.css",
        "/static/app.js",
    ] {
        assert_eq!(app.get(uri).await.status, StatusCode::OK, "{uri}");
    }

    let viewer = app
        .engine
        .store()
        .create_token("t", Role::Viewer)
        .await
        .unwrap();
    let ok = app.get_with("/api/documents", &viewer.secret).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let wrong = app.get_with("/api/documents", "cwt_0000").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    app.engine
        .store()
        .revoke_token(viewer.row.id)
        .await
        .unwrap();
    let revoked = app.get_with("/api/documents", &viewer.secret).await;
    assert_eq!(revoked.status, StatusCode::UNAUTHORIZED);
}

fn form_post(uri: &str, cookie: &str, body: String, origin: Option<&str>) -> Request<Body> {
    let mut b = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::COOKIE, cookie);
    if let Some(o) = origin {
        b = b.header(header::ORIGIN, o);
    }
    b.body(Body::from(body)).unwrap()
}

#[tokio::test]
async fn login_form_is_csrf_protected_and_sets_a_session() {
    let app = Builder::new().anonymous_read(false).build().await;
    let admin = app
        .engine
        .store()
        .create_token("a", Role::Admin)
        .await
        .unwrap();
    let login = app.get("/login").await;
    let set = login.headers["set-cookie"].to_str().unwrap().to_string();
    assert!(
        set.starts_with("cw_csrf=") && set.contains("SameSite=Strict"),
        "{set}"
    );
    let csrf = set
        .trim_start_matches("cw_csrf=")
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert!(
        login
            .body
            .contains(&format!("name=\"csrf\" value=\"{csrf}\""))
    );
    let cookie = format!("cw_csrf={csrf}");

    // Missing or wrong CSRF field: refused.
    let body = format!("token={}&csrf=nope&next=/", admin.secret);
    let r = app.request(form_post("/login", &cookie, body, None)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("csrf"));
    // Right field but a foreign Origin: refused.
    let body = format!("token={}&csrf={csrf}&next=/", admin.secret);
    let r = app
        .request(form_post(
            "/login",
            &cookie,
            body,
            Some("https://evil.example"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A bad token: the form again, 401.
    let body = format!("token=cwt_bad&csrf={csrf}&next=/");
    let r = app.request(form_post("/login", &cookie, body, None)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // Right: redirected to a local `next` only, with the session cookie.
    let body = format!("token={}&csrf={csrf}&next=//evil.example/", admin.secret);
    let r = app
        .request(form_post(
            "/login",
            &cookie,
            body,
            Some("http://127.0.0.1:8080"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.headers["location"], "/");
    let session = r.headers["set-cookie"].to_str().unwrap();
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Strict"),
        "{session}"
    );
    let session = session.split(';').next().unwrap().to_string();

    let page = app
        .request(
            Request::get("/d/example-cloud/aup")
                .header(header::COOKIE, format!("{session}; {cookie}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Sign out"));
}

#[tokio::test]
async fn tokens_are_stored_hashed() {
    let app = Builder::new().without_demo().build().await;
    let t = app
        .engine
        .store()
        .create_token("x", Role::Admin)
        .await
        .unwrap();
    let db = std::fs::read(app.dir.path().join("clausewatch.db")).unwrap();
    let hay = String::from_utf8_lossy(&db);
    assert!(!hay.contains(&t.secret), "the secret must not be stored");
    assert!(
        hay.contains(&cw_store::hash_token(&t.secret))
            || std::fs::metadata(app.dir.path().join("clausewatch.db-wal")).is_ok()
    );
}
