//! Who is asking and may they: API tokens (sha256-hashed in the store,
//! `viewer` and `admin` roles) presented as `Authorization: Bearer …` or as
//! the session cookie set by the login form; optional anonymous read-only
//! access; CSRF protection for forms (a double-submit cookie checked against
//! a hidden field, plus an Origin check on every unsafe request).

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use cw_store::Role;

/// The cookie holding a logged-in browser's token.
pub(crate) const SESSION_COOKIE: &str = "cw_session";
/// The double-submit CSRF cookie.
pub(crate) const CSRF_COOKIE: &str = "cw_csrf";

/// The caller of a request, as the auth middleware established it.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    /// The token's role; `None` for an anonymous caller.
    pub(crate) role: Option<Role>,
    /// Whether anonymous callers may read.
    pub(crate) anonymous_read: bool,
    /// The CSRF token forms on this page must carry.
    pub(crate) csrf: String,
}

impl Caller {
    /// Whether the caller may read.
    pub(crate) fn can_read(&self) -> bool {
        self.role.is_some() || self.anonymous_read
    }

    /// Whether the caller holds an admin token.
    pub(crate) fn is_admin(&self) -> bool {
        self.role == Some(Role::Admin)
    }

    /// Fails unless the caller holds an admin token: `unauthorized` without
    /// a token, `forbidden` with a viewer token.
    pub(crate) fn require_admin(&self) -> Result<(), ApiError> {
        match self.role {
            Some(Role::Admin) => Ok(()),
            Some(_) => Err(ApiError::Forbidden("admin")),
            None => Err(ApiError::Unauthorized),
        }
    }

    /// Fails unless `presented` is this caller's CSRF token.
    pub(crate) fn check_csrf(&self, presented: &str) -> Result<(), ApiError> {
        if !self.csrf.is_empty() && constant_time_eq(self.csrf.as_bytes(), presented.as_bytes()) {
            Ok(())
        } else {
            Err(ApiError::Csrf)
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A cookie's value from the request headers.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// 32 random bytes as hex (CSRF tokens).
fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    if getrandom::fill(&mut bytes).is_err() {
        // No randomness: forms will fail verification rather than be weak.
        return String::new();
    }
    hex::encode(bytes)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// Whether an unsafe request comes from our own origin: the `Origin` header,
/// when present, must name the `Host` the request was sent to.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        // Browsers send Origin on every cross-site POST; its absence means a
        // same-origin navigation or a non-browser client (which must use a
        // bearer token and cannot ride on cookies anyway).
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    origin
        .split_once("://")
        .is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(host))
}

/// Paths anyone may open: the login page, static files, health, the API description.
fn is_public(path: &str) -> bool {
    path == "/login"
        || path.starts_with("/static/")
        || path == "/api/health"
        || path == "/api/openapi.json"
}

/// The auth middleware: establishes the [`Caller`], enforces read access and
/// the Origin check, and hands out the CSRF cookie.
pub(crate) async fn middleware(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let headers = req.headers();
    let token = bearer(headers).or_else(|| cookie(headers, SESSION_COOKIE));
    let role = match token {
        Some(t) => match state.store().authenticate_token(t).await {
            Ok(Some(row)) => Some(row.role),
            Ok(None) => None,
            Err(e) => return ApiError::from(e).into_response(),
        },
        None => None,
    };
    let existing_csrf = cookie(headers, CSRF_COOKIE)
        .filter(|c| c.len() == 64 && c.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_string);
    let new_csrf = existing_csrf.is_none().then(random_hex);
    let caller = Caller {
        role,
        anonymous_read: state.config().anonymous_read,
        csrf: existing_csrf
            .or_else(|| new_csrf.clone())
            .unwrap_or_default(),
    };
    let path = req.uri().path().to_string();
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method && !same_origin(req.headers()) {
        return ApiError::Csrf.into_response();
    }
    if !is_public(&path) && !caller.can_read() {
        if path.starts_with("/api/") {
            return ApiError::Unauthorized.into_response();
        }
        let next_path = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        return Redirect::to(&format!("/login?next={}", url_encode(&next_path))).into_response();
    }
    req.extensions_mut().insert(caller);
    let mut resp = next.run(req).await;
    if let Some(c) = new_csrf.filter(|c| !c.is_empty())
        && let Ok(v) = HeaderValue::from_str(&format!(
            "{CSRF_COOKIE}={c}; Path=/; SameSite=Strict; HttpOnly"
        ))
    {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

/// Percent-encodes a value for a query string.
pub(crate) fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A local redirect target: a same-origin relative path (`/x`), never
/// another host. Anything else (`//host`, `/\\host`, `https://…`, a
/// relative path, nothing) becomes `/`. A control character anywhere (tab,
/// newline, DEL, C1; browsers strip tabs and newlines, so `/\t/host` reads
/// as `//host`) is a [`ApiError::BadRequest`], never a redirect.
pub(crate) fn safe_next(next: Option<&str>) -> Result<String, ApiError> {
    let Some(next) = next else {
        return Ok("/".to_string());
    };
    if next.chars().any(char::is_control) {
        return Err(ApiError::BadRequest(
            "`next` must not contain control characters".into(),
        ));
    }
    let local = next.starts_with('/') && !next.starts_with("//") && !next.contains('\\');
    Ok(if local {
        next.to_string()
    } else {
        "/".to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_check_and_redirect_targets() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert!(same_origin(&h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:8080"),
        );
        assert!(same_origin(&h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(!same_origin(&h));
        let next = |s: &str| safe_next(Some(s)).ok();
        for foreign in [
            "//evil.example",
            "/\\evil.example",
            "/d\\x",
            "https://evil.example",
            "javascript:alert(1)",
            "evil.example",
            "",
        ] {
            assert_eq!(next(foreign).as_deref(), Some("/"), "{foreign:?}");
        }
        assert_eq!(safe_next(None).ok().as_deref(), Some("/"));
        assert_eq!(next("/d/a/b?q=x").as_deref(), Some("/d/a/b?q=x"));
        for control in [
            "/\t/evil.example",
            "/\n",
            "/x\u{7f}",
            "/\u{85}x",
            "/\r\nSet-Cookie: a=b",
        ] {
            assert!(
                matches!(safe_next(Some(control)), Err(ApiError::BadRequest(_))),
                "{control:?}"
            );
        }
        assert_eq!(url_encode("/search?q=a b"), "/search%3Fq%3Da%20b");
    }
}
