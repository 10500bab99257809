//! Every way a request can fail, with its stable error code and HTTP status
//! in ONE table ([`ApiError::code`] and [`ApiError::status`]). The JSON API
//! answers `{"error": {"code", "message"}}`; the web UI renders the same
//! code and message on an error page (see `ui::page_error`). This is the
//! only place in clausewatch that knows HTTP status codes.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// A path, query or body value is malformed (a bad document key, a bad
    /// version selector, a subscription that does not validate).
    #[error("{0}")]
    BadRequest(String),
    /// The search query does not parse.
    #[error("invalid query: {0}")]
    BadQuery(String),
    /// No such platform, document, version or provision.
    #[error("{0} not found")]
    NotFound(String),
    /// The request clashes with what is stored (a feed name already taken).
    #[error("{0}")]
    Conflict(String),
    /// No valid token was presented and anonymous reading is off.
    #[error("a valid API token is required")]
    Unauthorized,
    /// The token's role may not do this.
    #[error("this needs the {0} role")]
    Forbidden(&'static str),
    /// A form came without a matching CSRF token or from another origin.
    #[error("the form could not be verified (CSRF); reload the page and try again")]
    Csrf,
    /// The store failed (database, archive): an internal error.
    #[error("storage error")]
    Store(#[source] cw_store::StoreError),
    /// The engine failed: an internal error.
    #[error("engine error")]
    Engine(#[source] cw_engine::EngineError),
    /// Watching failed (writing a feed file): an internal error.
    #[error("watch error")]
    Watch(#[source] cw_engine::watch::WatchError),
    /// A page template failed to render: a bug.
    #[error("rendering failed")]
    Render(#[from] askama::Error),
}

/// The error body of every failed API request.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// A stable code and a human message.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code: `bad_request`, `bad_query`, `not_found`,
    /// `conflict`, `unauthorized`, `forbidden`, `csrf`, `internal`.
    pub code: &'static str,
    /// What went wrong, for people.
    pub message: String,
}

impl ApiError {
    /// The one table: stable code and HTTP status of every error.
    pub fn code_and_status(&self) -> (&'static str, StatusCode) {
        match self {
            ApiError::BadRequest(_) => ("bad_request", StatusCode::BAD_REQUEST),
            ApiError::BadQuery(_) => ("bad_query", StatusCode::BAD_REQUEST),
            ApiError::NotFound(_) => ("not_found", StatusCode::NOT_FOUND),
            ApiError::Conflict(_) => ("conflict", StatusCode::CONFLICT),
            ApiError::Unauthorized => ("unauthorized", StatusCode::UNAUTHORIZED),
            ApiError::Forbidden(_) => ("forbidden", StatusCode::FORBIDDEN),
            ApiError::Csrf => ("csrf", StatusCode::FORBIDDEN),
            ApiError::Store(_) | ApiError::Engine(_) | ApiError::Watch(_) | ApiError::Render(_) => {
                ("internal", StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        self.code_and_status().0
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.code_and_status().1
    }

    /// The message shown to the client; internal errors say no more than
    /// their kind (details go to the log).
    pub fn public_message(&self) -> String {
        self.to_string()
    }

    /// Logs internal errors with their cause chain.
    pub(crate) fn log(&self) {
        if self.status().is_server_error() {
            let mut chain = String::new();
            let mut src = std::error::Error::source(self);
            while let Some(e) = src {
                chain.push_str(": ");
                chain.push_str(&e.to_string());
                src = e.source();
            }
            tracing::error!(code = self.code(), "{self}{chain}");
        }
    }
}

impl From<cw_store::StoreError> for ApiError {
    fn from(e: cw_store::StoreError) -> Self {
        match e {
            cw_store::StoreError::NotFound { what } => ApiError::NotFound(what),
            other => ApiError::Store(other),
        }
    }
}

impl From<cw_engine::EngineError> for ApiError {
    fn from(e: cw_engine::EngineError) -> Self {
        match e {
            cw_engine::EngineError::Store(s) => s.into(),
            cw_engine::EngineError::Key(k) => ApiError::BadRequest(k.to_string()),
            cw_engine::EngineError::Search(s) if s.is_user_error() => {
                ApiError::BadQuery(s.to_string())
            }
            other => ApiError::Engine(other),
        }
    }
}

impl From<cw_notify::NotifyError> for ApiError {
    /// Only ever a subscription that does not validate: the caller's error.
    fn from(e: cw_notify::NotifyError) -> Self {
        ApiError::BadRequest(e.to_string())
    }
}

impl From<cw_model::KeyError> for ApiError {
    fn from(e: cw_model::KeyError) -> Self {
        ApiError::BadRequest(e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.log();
        let (code, status) = self.code_and_status();
        let body = ErrorBody {
            error: ErrorDetail {
                code,
                message: self.public_message(),
            },
        };
        let mut resp = (status, Json(body)).into_response();
        if matches!(self, ApiError::Unauthorized) {
            resp.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_a_stable_code_and_status() {
        let cases = [
            (ApiError::BadRequest("x".into()), "bad_request", 400),
            (ApiError::BadQuery("x".into()), "bad_query", 400),
            (ApiError::NotFound("x".into()), "not_found", 404),
            (ApiError::Conflict("x".into()), "conflict", 409),
            (ApiError::Unauthorized, "unauthorized", 401),
            (ApiError::Forbidden("admin"), "forbidden", 403),
            (ApiError::Csrf, "csrf", 403),
        ];
        for (e, code, status) in cases {
            assert_eq!(e.code(), code);
            assert_eq!(e.status().as_u16(), status);
        }
        let e: ApiError = cw_store::StoreError::NotFound {
            what: "document a/b".into(),
        }
        .into();
        assert_eq!(
            (e.code(), e.to_string().as_str()),
            ("not_found", "document a/b not found")
        );
    }
}
