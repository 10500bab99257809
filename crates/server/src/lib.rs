//! The clausewatch server: a JSON API (described by an OpenAPI document at
//! `/api/openapi.json`) and a server-rendered web UI over one store. This is
//! the only crate that knows HTTP status codes.
//!
//! # Brief overview
//!
//! * [`router`] builds the axum [`Router`] for an [`AppState`] (an engine
//!   plus a [`ServerConfig`]); tests drive it with tower's `oneshot`.
//! * [`serve`] binds an address and runs the router until a shutdown
//!   future resolves ([`shutdown_signal`]: Ctrl-C or SIGTERM).
//! * [`ApiError`] is every failure, with its stable code and HTTP status in
//!   one table.
//! * Views (`views.rs`, and `watching.rs` for sources and subscriptions)
//!   are shared by the API (`api.rs`) and the pages (`ui.rs` +
//!   `templates/`), so the UI shows nothing the API cannot.
//! * Auth (`auth.rs`): hashed API tokens with viewer/admin roles, optional
//!   anonymous read access, CSRF checks on forms.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! let engine = cw_engine::Engine::open(std::path::Path::new("clausewatch-data")).await?;
//! let config = cw_server::ServerConfig { anonymous_read: true };
//! let state = cw_server::AppState::new(Arc::new(engine), config);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! cw_server::serve(listener, state, cw_server::shutdown_signal()).await?;
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod analysis;
mod api;
mod auth;
mod error;
mod history_api;
mod outline;
mod paging;
mod provenance;
mod state;
mod svg;
mod ui;
mod views;
mod watching;

pub use api::openapi_json;
pub use error::{ApiError, ErrorBody, ErrorDetail};
pub use state::AppState;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::future::Future;
use tower_http::set_header::SetResponseHeaderLayer;

/// How the server behaves.
#[derive(Debug, Clone, Default)]
pub struct ServerConfig {
    /// Let callers without a token read everything (nothing can be changed
    /// without an admin token). Off by default: every request needs a token.
    pub anonymous_read: bool,
}

/// The Content-Security-Policy of every response: our own script and style
/// files only, no inline script, no plug-ins, no framing, forms post only here.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const STYLE_CSS: &str = include_str!("../static/style.css");
const APP_JS: &str = include_str!("../static/app.js");

async fn style_css() -> Response {
    static_file("text/css; charset=utf-8", STYLE_CSS)
}

async fn app_js() -> Response {
    static_file("text/javascript; charset=utf-8", APP_JS)
}

fn static_file(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        body,
    )
        .into_response()
}

/// The whole application: API, pages, static files, auth and security headers.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/health", get(api::health))
        .route("/openapi.json", get(api::openapi))
        .route("/stats", get(api::stats))
        .route("/changes", get(api::recent_changes))
        .route("/platforms", get(api::platforms))
        .route("/platforms/{platform}", get(api::platform))
        .route("/documents", get(api::documents))
        .route("/documents/{platform}/{document}", get(api::document))
        .route(
            "/documents/{platform}/{document}/versions",
            get(api::versions),
        )
        .route(
            "/documents/{platform}/{document}/versions/{version}",
            get(api::version),
        )
        .route(
            "/documents/{platform}/{document}/versions/{version}/labels",
            get(api::labels),
        )
        .route(
            "/documents/{platform}/{document}/versions/{version}/findings",
            get(api::findings),
        )
        .route(
            "/documents/{platform}/{document}/versions/{version}/provenance",
            get(api::provenance),
        )
        .route(
            "/documents/{platform}/{document}/timeline",
            get(api::timeline),
        )
        .route(
            "/documents/{platform}/{document}/at/{date}",
            get(history_api::version_at),
        )
        .route("/documents/{platform}/{document}/diff", get(api::diff))
        .route("/documents/{platform}/{document}/feed.atom", get(api::feed))
        .route(
            "/documents/{platform}/{document}/provisions/{*provision}",
            get(api::provision),
        )
        .route("/compare", get(api::compare))
        .route("/search", get(api::search))
        .route("/sources", get(api::sources).post(api::track_source))
        .route("/sources/{platform}/{document}", get(api::source))
        .route(
            "/sources/{platform}/{document}/{action}",
            post(api::source_action),
        )
        .route(
            "/subscriptions",
            get(api::subscriptions).post(api::create_subscription),
        )
        .route(
            "/subscriptions/{id}",
            axum::routing::delete(api::delete_subscription),
        )
        .fallback(api::not_found);
    let pages = Router::new()
        .route("/", get(ui::dashboard))
        .route("/documents", get(ui::documents))
        .route("/p/{platform}", get(ui::platform))
        .route("/d/{platform}/{document}", get(ui::document))
        .route("/d/{platform}/{document}/v/{version}", get(ui::version))
        .route(
            "/d/{platform}/{document}/v/{version}/raw/{sha256}",
            get(ui::raw),
        )
        .route("/d/{platform}/{document}/diff", get(ui::diff))
        .route(
            "/d/{platform}/{document}/diff/unchanged",
            get(ui::diff_unchanged),
        )
        .route(
            "/d/{platform}/{document}/provision/{*provision}",
            get(ui::provision),
        )
        .route("/compare", get(ui::compare))
        .route("/compare/unchanged", get(ui::compare_unchanged))
        .route("/search", get(ui::search))
        .route("/sources", get(ui::sources).post(ui::track_source))
        .route("/sources/{platform}/{document}", get(ui::source))
        .route(
            "/sources/{platform}/{document}/{action}",
            post(ui::source_action),
        )
        .route(
            "/subscriptions",
            get(ui::subscriptions).post(ui::create_subscription),
        )
        .route("/subscriptions/{id}/remove", post(ui::remove_subscription))
        .route("/login", get(ui::login_form).post(ui::login))
        .route("/logout", post(ui::logout))
        .route("/static/style.css", get(style_css))
        .route("/static/app.js", get(app_js))
        .fallback(ui::not_found);
    pages
        .nest("/api", api)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::middleware,
        ))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(64 * 1024))
        // `if_not_present`: a raw download sets a stricter (sandbox) policy.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        // `same-origin`, not `no-referrer`: under `no-referrer` browsers send
        // `Origin: null` with our own forms' POSTs, which the Origin check
        // (rightly) refuses. Other sites still get no referrer.
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .with_state(state)
}

/// Serves `state` on `listener` until `shutdown` resolves, then finishes
/// the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Resolves on Ctrl-C or (on Unix) SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
