//! The JSON API under `/api/`: one handler per view of `views`, each
//! described for the OpenAPI document served at `/api/openapi.json`.
//! Errors are [`ApiError`]s (see `error.rs` for the code/status table).

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::paging::{MAX_LIMIT, Paged, Paging};
use crate::provenance::Provenance;
use crate::state::AppState;
use crate::views::{
    self, CompareQuery, DiffQuery, DiffView, DocumentDetail, DocumentSummary, FindingsView,
    PlatformSummary, ProvisionDetail, ProvisionQuery, ProvisionView, SearchQuery, Stats,
    TimelineEntry, VersionDetail, VersionSummary,
};
use crate::watching::{
    self, NewSource, NewSubscription, SourceAction, SourceDetail, SourceView, SourcesQuery,
    SubscriptionView, SubscriptionsQuery,
};
use axum::extract::rejection::JsonRejection;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

type ApiResult<T> = Result<Json<T>, ApiError>;

/// Items a list returns unless `limit` says otherwise.
const LIST_LIMIT: usize = 100;

/// The OpenAPI description of the API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "clausewatch API",
        description = "Platforms, documents, versions, diffs, timelines, provision histories, labels, regulatory findings (risk indicators, not legal determinations), comparisons, search, Atom feeds, tracked sources with their fetch states, and subscriptions. Send `Authorization: Bearer <token>` unless the server allows anonymous reading; tracking URLs, re-checking, pausing and resuming sources, and creating and removing subscriptions need an admin token.",
        license(name = "Apache-2.0")
    ),
    paths(
        health,
        stats,
        platforms,
        platform,
        documents,
        document,
        versions,
        version,
        timeline,
        diff,
        compare,
        provision,
        labels,
        findings,
        provenance,
        recent_changes,
        search,
        feed,
        sources,
        track_source,
        source,
        source_action,
        subscriptions,
        create_subscription,
        delete_subscription
    ),
    components(schemas(ErrorBody, Health))
)]
pub(crate) struct ApiDoc;

/// The OpenAPI document as JSON.
pub fn openapi_json() -> String {
    let mut doc = ApiDoc::openapi();
    doc.merge(crate::history_api::HistoryDoc::openapi());
    doc.to_pretty_json().unwrap_or_else(|_| "{}".to_string())
}

/// `GET /api/openapi.json`.
pub(crate) async fn openapi() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        openapi_json(),
    )
        .into_response()
}

/// Liveness.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Health {
    /// Always "ok".
    status: &'static str,
    /// Server version.
    version: &'static str,
}

/// Liveness check (no auth needed).
#[utoipa::path(get, path = "/api/health", tag = "meta", responses((status = 200, body = Health)))]
pub(crate) async fn health() -> Json<Health> {
    Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// Row counts.
#[utoipa::path(get, path = "/api/stats", tag = "meta", responses((status = 200, body = Stats), (status = 401, body = ErrorBody)))]
pub(crate) async fn stats(State(s): State<AppState>) -> ApiResult<Stats> {
    Ok(Json(views::stats(&s).await?))
}

/// Every platform with its documents.
#[utoipa::path(get, path = "/api/platforms", tag = "documents", responses((status = 200, body = Vec<PlatformSummary>), (status = 401, body = ErrorBody)))]
pub(crate) async fn platforms(State(s): State<AppState>) -> ApiResult<Vec<PlatformSummary>> {
    Ok(Json(views::platforms(&s).await?))
}

/// One platform.
#[utoipa::path(get, path = "/api/platforms/{platform}", tag = "documents",
    params(("platform" = String, Path, description = "Platform slug")),
    responses((status = 200, body = PlatformSummary), (status = 404, body = ErrorBody)))]
pub(crate) async fn platform(
    State(s): State<AppState>,
    Path(p): Path<String>,
) -> ApiResult<PlatformSummary> {
    Ok(Json(views::platform(&s, &p).await?))
}

/// Every document (a window: `offset`, `limit`; `X-Total-Count` and `Link` headers).
#[utoipa::path(get, path = "/api/documents", tag = "documents", params(Paging), responses((status = 200, body = Vec<DocumentSummary>), (status = 401, body = ErrorBody)))]
pub(crate) async fn documents(
    State(s): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Query(paging): Query<Paging>,
) -> Result<Response, ApiError> {
    let all = views::documents(&s).await?;
    Ok(paging.apply(all, LIST_LIMIT).into_json(&uri))
}

/// One document with its versions and regional variants.
#[utoipa::path(get, path = "/api/documents/{platform}/{document}", tag = "documents",
    params(("platform" = String, Path), ("document" = String, Path)),
    responses((status = 200, body = DocumentDetail), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn document(
    State(s): State<AppState>,
    Path((p, d)): Path<(String, String)>,
) -> ApiResult<DocumentDetail> {
    Ok(Json(views::document(&s, &views::key(&p, &d)?).await?))
}

/// The versions of a document, oldest first (a window).
#[utoipa::path(get, path = "/api/documents/{platform}/{document}/versions", tag = "documents",
    params(("platform" = String, Path), ("document" = String, Path), Paging),
    responses((status = 200, body = Vec<VersionSummary>), (status = 404, body = ErrorBody)))]
pub(crate) async fn versions(
    State(s): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Path((p, d)): Path<(String, String)>,
    Query(paging): Query<Paging>,
) -> Result<Response, ApiError> {
    let all = views::versions(&s, &views::key(&p, &d)?).await?;
    Ok(paging.apply(all, LIST_LIMIT).into_json(&uri))
}

/// One version: its outline, provisions with labels (a window of at most
/// `limit`, default 1000, from `offset`; `X-Total-Count` and `Link` headers
/// count provisions), findings, warnings.
#[utoipa::path(get, path = "/api/documents/{platform}/{document}/versions/{version}", tag = "documents",
    params(("platform" = String, Path), ("document" = String, Path),
        ("version" = String, Path, description = "Number, YYYY-MM-DD (in force on that date) or latest"), Paging),
    responses((status = 200, body = VersionDetail), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn version(
    State(s): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Path((p, d, v)): Path<(String, String, String)>,
    Query(paging): Query<Paging>,
) -> Result<Response, ApiError> {
    let r = views::version_ref(&views::key(&p, &d)?, &v)?;
    let part = views::version(&s, &r, &views::Window::Items(paging)).await?;
    let window = Paged {
        items: Vec::<()>::new(),
        offset: part.detail.offset,
        limit: paging
            .limit
            .unwrap_or(views::VERSION_LIMIT)
            .clamp(1, MAX_LIMIT),
        total: part.detail.version.provision_count,
    };
    let headers = window.headers_for(&uri, part.detail.provisions.len());
    Ok((headers, Json(part.detail)).into_response())
}

/// A document's timeline: every version with what changed, substantive first.
#[utoipa::path(get, path = "/api/documents/{platform}/{document}/timeline", tag = "changes",
    params(("platform" = String, Path), ("document" = String, Path), Paging),
    responses((status = 200, body = Vec<TimelineEntry>), (status = 404, body = ErrorBody)))]
pub(crate) async fn timeline(
    State(s): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Path((p, d)): Path<(String, String)>,
    Query(paging): Query<Paging>,
) -> Result<Response, ApiError> {
    let all = views::timeline(&s, &views::key(&p, &d)?).await?;
    Ok(paging.apply(all, LIST_LIMIT).into_json(&uri))
}

/// Two versions of one document compared provision by provision. The
/// change set's `changes` are a window (`offset`, `limit`, default 1000;
/// `X-Total-Count` and `Link` headers count changes); its summary counts all.
#[utoipa::path(get, path = "/api/documents/{platform}/{document}/diff", tag = "changes",
    params(("platform" = String, Path), ("document" = String, Path), DiffQuery, Paging),
    responses((status = 200, body = DiffView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn diff(
    State(s): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Path((p, d)): Path<(String, String)>,
    Query(q): Query<DiffQuery>,
    Query(paging): Query<Paging>,
) -> Result<Response, ApiError> {
    let view = views::diff(&s, &views::key(&p, &d)?, &q).await?;
    Ok(diff_window(view, paging, &uri))
}

/// Two documents (e.g. regional variants) compared provision by provision
/// (`changes` windowed as in the diff).
#[utoipa::path(get, path = "/api/compare", tag = "changes", params(CompareQuery, Paging),
    responses((status = 200, body = DiffView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn compare(
    State(s): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Query(q): Query<CompareQuery>,
    Query(paging): Query<Paging>,
) -> Result<Response, ApiError> {
    Ok(diff_window(views::compare(&s, &q).await?, paging, &uri))
}

/// A diff with a window of its changes and the paging headers.
fn diff_window(mut view: DiffView, paging: Paging, uri: &axum::http::Uri) -> Response {
    let changes = std::mem::take(&mut view.change_set.changes);
    let window = paging.apply(changes, views::VERSION_LIMIT);
    let headers = window.headers(uri);
    view.change_set.changes = window.items;
    (headers, Json(view)).into_response()
}

/// One provision: text, labels with evidence, findings, history, how other platforms handle it.
#[utoipa::path(get, path = "/api/documents/{platform}/{document}/provisions/{provision}", tag = "analysis",
    params(("platform" = String, Path), ("document" = String, Path),
        ("provision" = String, Path, description = "Provision id, e.g. no-network-abuse/3 (slashes allowed)"), ProvisionQuery),
    responses((status = 200, body = ProvisionDetail), (status = 404, body = ErrorBody)))]
pub(crate) async fn provision(
    State(s): State<AppState>,
    Path((p, d, id)): Path<(String, String, String)>,
    Query(q): Query<ProvisionQuery>,
) -> ApiResult<ProvisionDetail> {
    Ok(Json(
        views::provision(&s, &views::key(&p, &d)?, &id, &q).await?,
    ))
}

/// The labelled provisions of a version.
#[utoipa::path(get, path = "/api/documents/{platform}/{document}/versions/{version}/labels", tag = "analysis",
    params(("platform" = String, Path), ("document" = String, Path), ("version" = String, Path)),
    responses((status = 200, body = Vec<ProvisionView>), (status = 404, body = ErrorBody)))]
pub(crate) async fn labels(
    State(s): State<AppState>,
    Path((p, d, v)): Path<(String, String, String)>,
) -> ApiResult<Vec<ProvisionView>> {
    let r = views::version_ref(&views::key(&p, &d)?, &v)?;
    Ok(Json(views::labels(&s, &r).await?))
}

/// The regulatory findings of a version (risk indicators, not legal determinations).
#[utoipa::path(get, path = "/api/documents/{platform}/{document}/versions/{version}/findings", tag = "analysis",
    params(("platform" = String, Path), ("document" = String, Path), ("version" = String, Path)),
    responses((status = 200, body = FindingsView), (status = 404, body = ErrorBody)))]
pub(crate) async fn findings(
    State(s): State<AppState>,
    Path((p, d, v)): Path<(String, String, String)>,
) -> ApiResult<FindingsView> {
    let r = views::version_ref(&views::key(&p, &d)?, &v)?;
    Ok(Json(views::findings(&s, &r).await?))
}

/// Where a version came from: its snapshots with source, observation
/// times, size, sha256, the HTTP status of the fetch that returned them,
/// the extractor version, and a link to each raw byte string (a download).
#[utoipa::path(get, path = "/api/documents/{platform}/{document}/versions/{version}/provenance", tag = "documents",
    params(("platform" = String, Path), ("document" = String, Path), ("version" = String, Path)),
    responses((status = 200, body = Provenance), (status = 404, body = ErrorBody)))]
pub(crate) async fn provenance(
    State(s): State<AppState>,
    Path((p, d, v)): Path<(String, String, String)>,
) -> ApiResult<Provenance> {
    let r = views::version_ref(&views::key(&p, &d)?, &v)?;
    Ok(Json(crate::provenance::provenance(&s, &r).await?))
}

/// Recent substantive changes across every document, newest first (a
/// window; `limit` defaults to 25).
#[utoipa::path(get, path = "/api/changes", tag = "changes", params(Paging),
    responses((status = 200, body = Vec<TimelineEntry>), (status = 401, body = ErrorBody)))]
pub(crate) async fn recent_changes(
    State(s): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Query(paging): Query<Paging>,
) -> Result<Response, ApiError> {
    let window = paging.range(usize::MAX, views::RECENT_LIMIT);
    let all = views::recent_changes(&s, window.end).await?;
    Ok(paging.apply(all, views::RECENT_LIMIT).into_json(&uri))
}

/// Full-text search over provisions (in force unless `all=true`).
#[utoipa::path(get, path = "/api/search", tag = "search", params(SearchQuery),
    responses((status = 200, description = "Hits with snippets (`snippet_html` marks matches; escape nothing else into HTML)", body = Object),
        (status = 400, body = ErrorBody)))]
pub(crate) async fn search(
    State(s): State<AppState>,
    Query(q): Query<SearchQuery>,
) -> ApiResult<cw_search::SearchResults> {
    Ok(Json(views::search(&s, &q).await?))
}

/// The Atom feed of a document's changes.
#[utoipa::path(get, path = "/api/documents/{platform}/{document}/feed.atom", tag = "changes",
    params(("platform" = String, Path), ("document" = String, Path)),
    responses((status = 200, content_type = "application/atom+xml", body = String), (status = 404, body = ErrorBody)))]
pub(crate) async fn feed(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path((p, d)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let base = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".:-[]".contains(&b))
        })
        .map(|h| format!("http://{h}"));
    let xml = views::feed(&s, &views::key(&p, &d)?, base.as_deref()).await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/atom+xml; charset=utf-8"),
        )],
        xml,
    )
        .into_response())
}

/// Tracked sources with their fetch states, by document.
#[utoipa::path(get, path = "/api/sources", tag = "watching", params(SourcesQuery, Paging),
    responses((status = 200, body = Vec<SourceView>), (status = 401, body = ErrorBody)))]
pub(crate) async fn sources(
    State(s): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Query(q): Query<SourcesQuery>,
    Query(paging): Query<Paging>,
) -> Result<Response, ApiError> {
    let all = watching::sources(&s, q.all).await?;
    Ok(paging.apply(all, LIST_LIMIT).into_json(&uri))
}

/// A document's source with its recent fetch attempts, newest first.
#[utoipa::path(get, path = "/api/sources/{platform}/{document}", tag = "watching",
    params(("platform" = String, Path), ("document" = String, Path)),
    responses((status = 200, body = SourceDetail), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn source(
    State(s): State<AppState>,
    Path((p, d)): Path<(String, String)>,
) -> ApiResult<SourceDetail> {
    Ok(Json(watching::source(&s, &views::key(&p, &d)?).await?))
}

/// Tracks a URL (admin token), with the options of `clausewatch track`:
/// the source is due at once and fetched by the running `watch` or
/// `worker` (the server never fetches).
#[utoipa::path(post, path = "/api/sources", tag = "watching", request_body = NewSource,
    responses((status = 201, body = SourceView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn track_source(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    body: Result<Json<NewSource>, JsonRejection>,
) -> Result<(StatusCode, Json<SourceView>), ApiError> {
    caller.require_admin()?;
    let Json(new) = body.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    Ok((StatusCode::CREATED, Json(watching::track(&s, new).await?)))
}

/// Re-checks (due now), pauses or resumes a document's source (admin token).
#[utoipa::path(post, path = "/api/sources/{platform}/{document}/{action}", tag = "watching",
    params(("platform" = String, Path), ("document" = String, Path),
        ("action" = SourceAction, Path, description = "`recheck`, `pause` or `resume`")),
    responses((status = 200, body = SourceView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Re-checking a paused source")))]
pub(crate) async fn source_action(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((p, d, action)): Path<(String, String, String)>,
) -> ApiResult<SourceView> {
    caller.require_admin()?;
    let key = views::key(&p, &d)?;
    let action = SourceAction::parse(&action)?;
    Ok(Json(watching::act_on_source(&s, &key, action).await?))
}

/// Subscriptions with their alert counts, oldest first. Webhook secrets are
/// never shown; callers without an admin token see only a webhook URL's origin.
#[utoipa::path(get, path = "/api/subscriptions", tag = "watching", params(SubscriptionsQuery, Paging),
    responses((status = 200, body = Vec<SubscriptionView>), (status = 401, body = ErrorBody)))]
pub(crate) async fn subscriptions(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    OriginalUri(uri): OriginalUri,
    Query(q): Query<SubscriptionsQuery>,
    Query(paging): Query<Paging>,
) -> Result<Response, ApiError> {
    let all = watching::subscriptions(&s, q.all, caller.is_admin()).await?;
    Ok(paging.apply(all, LIST_LIMIT).into_json(&uri))
}

/// Creates a subscription (admin token): exactly one of a webhook with its
/// secret, email recipients or a feed name, and optional filters.
#[utoipa::path(post, path = "/api/subscriptions", tag = "watching", request_body = NewSubscription,
    responses((status = 201, body = SubscriptionView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(crate) async fn create_subscription(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    body: Result<Json<NewSubscription>, JsonRejection>,
) -> Result<(StatusCode, Json<SubscriptionView>), ApiError> {
    caller.require_admin()?;
    let Json(new) = body.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let view = watching::create_subscription(&s, new.into()).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Removes an active subscription by id or name (admin token); its
/// undelivered alerts are dropped.
#[utoipa::path(delete, path = "/api/subscriptions/{id}", tag = "watching",
    params(("id" = String, Path, description = "Subscription id or name")),
    responses((status = 204, description = "Removed"), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn delete_subscription(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require_admin()?;
    watching::remove_subscription(&s, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Any other `/api/` path.
pub(crate) async fn not_found() -> ApiError {
    ApiError::NotFound("endpoint".into())
}
