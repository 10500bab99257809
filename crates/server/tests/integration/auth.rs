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

pub(crate) fn form_post(
    uri: &str,
    cookie: &str,
    body: String,
    origin: Option<&str>,
) -> Request<Body> {
    let mut b = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::COOKIE, cookie);
    if let Some(o) = origin {
        b = b.header(header::ORIGIN, o);
    }
    b.body(Body::from(body)).unwrap()
}

/// The CSRF token the login page hands out (a SameSite=Strict cookie, and
/// the same value in the form), and the cookie header that sends it back.
async fn csrf_cookie(app: &crate::util::TestApp) -> (String, String) {
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
    (csrf, cookie)
}

/// An app without anonymous read, an admin token (not signed in), and the
/// login page's CSRF token and cookie.
async fn signed_out_admin() -> (crate::util::TestApp, cw_store::NewToken, String, String) {
    let app = Builder::new().anonymous_read(false).build().await;
    let admin = app
        .engine
        .store()
        .create_token("a", Role::Admin)
        .await
        .unwrap();
    let (csrf, cookie) = csrf_cookie(&app).await;
    (app, admin, csrf, cookie)
}

#[tokio::test]
async fn login_form_is_csrf_protected_and_sets_a_session() {
    let (app, admin, csrf, cookie) = signed_out_admin().await;

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

pub(crate) fn csrf_from(resp: &crate::util::Resp) -> String {
    let set = resp.headers["set-cookie"].to_str().unwrap();
    set.trim_start_matches("cw_csrf=")
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn subscription_form_needs_csrf_and_an_admin() {
    const SECRET: &str = crate::watching::SECRET;
    let app = Builder::new().build().await;
    let store = app.engine.store();
    let admin = store.create_token("a", Role::Admin).await.unwrap().secret;
    let viewer = store.create_token("v", Role::Viewer).await.unwrap().secret;

    // Anonymous readers see the list and are told creating needs an admin.
    let page = app.get("/subscriptions").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("needs an admin sign-in"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("name=\"secret\""),
        "no form for anonymous"
    );
    let csrf = csrf_from(&page);
    let as_viewer = format!("cw_csrf={csrf}; cw_session={viewer}");
    let as_admin = format!("cw_csrf={csrf}; cw_session={admin}");
    let viewer_page = app
        .request(
            Request::get("/subscriptions")
                .header(header::COOKIE, &as_viewer)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(viewer_page.body.contains("viewer role"));
    assert!(!viewer_page.body.contains("name=\"secret\""));
    let admin_page = app
        .request(
            Request::get("/subscriptions")
                .header(header::COOKIE, &as_admin)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(
        admin_page
            .body
            .contains(&format!("name=\"csrf\" value=\"{csrf}\"")),
        "{}",
        admin_page.body
    );

    let good = format!(
        "channel=webhook&webhook=https%3A%2F%2Fhooks.example.com%2Fcw&secret={SECRET}&email=&feed=&platforms=example-cloud&documents=&labels=&substantive_only=true"
    );
    // No or a wrong CSRF field, or a foreign Origin: refused, nothing stored.
    let no_field = good.clone();
    let r = app
        .request(form_post("/subscriptions", &as_admin, no_field, None))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("csrf"));
    let wrong = format!("{good}&csrf={}", "0".repeat(64));
    let r = app
        .request(form_post("/subscriptions", &as_admin, wrong, None))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let with_csrf = format!("{good}&csrf={csrf}");
    let r = app
        .request(form_post(
            "/subscriptions",
            &as_admin,
            with_csrf.clone(),
            Some("https://evil.example"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A viewer (or nobody) with the right CSRF field: still refused.
    let r = app
        .request(form_post(
            "/subscriptions",
            &as_viewer,
            with_csrf.clone(),
            None,
        ))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("forbidden"));
    let r = app
        .request(form_post(
            "/subscriptions",
            &format!("cw_csrf={csrf}"),
            with_csrf.clone(),
            None,
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(store.subscriptions(true).await.unwrap().len(), 0);

    // An admin with a weak secret: the form again, with the error and the
    // typed values but never the secret.
    let weak = with_csrf.replace(SECRET, "short-secret");
    let r = app
        .request(form_post("/subscriptions", &as_admin, weak, None))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("at least 16 bytes"), "{}", r.body);
    assert!(r.body.contains("value=\"https://hooks.example.com/cw\""));
    assert!(!r.body.contains("short-secret"));

    // Right: created, redirected to the list, which shows it without the secret.
    let r = app
        .request(form_post(
            "/subscriptions",
            &as_admin,
            with_csrf,
            Some("http://127.0.0.1:8080"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.headers["location"], "/subscriptions?created=sub-1");
    let list = app
        .request(
            Request::get("/subscriptions?created=sub-1")
                .header(header::COOKIE, &as_admin)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(list.body.contains("Subscription sub-1 created."));
    assert!(list.body.contains("https://hooks.example.com/cw"));
    assert!(
        list.body
            .contains("platform example-cloud, substantive only")
    );
    assert!(!list.body.contains(SECRET));

    // Removing through the form needs the CSRF field and an admin too.
    let r = app
        .request(form_post(
            "/subscriptions/1/remove",
            &as_viewer,
            format!("csrf={csrf}"),
            None,
        ))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .request(form_post(
            "/subscriptions/1/remove",
            &as_admin,
            "csrf=nope".into(),
            None,
        ))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .request(form_post(
            "/subscriptions/1/remove",
            &as_admin,
            format!("csrf={csrf}"),
            None,
        ))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.headers["location"], "/subscriptions?removed=sub-1");
    assert!(store.subscriptions(false).await.unwrap().is_empty());
}

/// Issue #25: `next` after login is a same-origin relative path or `/`;
/// a control character in it is a 400 (it was a 303 to `/\t/evil.example`,
/// which browsers read as `//evil.example`, or a 500 for `%0a` and `%7f`).
#[tokio::test]
async fn issue_25_login_next_is_a_local_path_and_control_characters_are_a_400() {
    let (app, admin, csrf, cookie) = signed_out_admin().await;
    let post = |next: &str| {
        let body = format!("token={}&csrf={csrf}&next={next}", admin.secret);
        form_post("/login", &cookie, body, Some("http://127.0.0.1:8080"))
    };
    for control in [
        "/%09/evil.example",
        "/%0a",
        "/x%7f",
        "/%0d%0aSet-Cookie:%20a=b",
        "/%c2%85",
    ] {
        let page = app.get(&format!("/login?next={control}")).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "GET {control}");
        let r = app.request(post(control)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "POST {control}");
        assert!(!r.headers.contains_key("location"), "POST {control}");
    }
    for foreign in [
        "//evil.example",
        "/%5Cevil.example",
        "/%5C/evil.example",
        "https://evil.example/",
        "evil.example",
        "%2F%2Fevil.example",
    ] {
        let r = app.request(post(foreign)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{foreign}: {}", r.body);
        assert_eq!(r.headers["location"], "/", "{foreign}");
    }
    let r = app.request(post("/d/example-cloud/aup%3Fall%3D1")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers["location"], "/d/example-cloud/aup?all=1");
}
