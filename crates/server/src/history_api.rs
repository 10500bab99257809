//! API routes of issue #23, kept apart from `api.rs`: the version in force
//! at a date with the observation that proves it (as Open Terms Archive's
//! `/version/:service/:type/:date`).

use crate::error::ApiError;
use crate::state::AppState;
use crate::views::{self, VersionSummary};
use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

/// The paths of this module, merged into the API's OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(version_at))]
pub(crate) struct HistoryDoc;

/// The observation that shows a version was the text in force.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct ProofView {
    /// When its bytes were seen (the last sighting on or before the date).
    pub(crate) observed_at: DateTime<Utc>,
    /// Where they came from: a file, a URL, an archive item.
    pub(crate) source: String,
    /// The archived bytes (sha256).
    pub(crate) sha256: String,
}

/// Where an imported observation came from (`import-history`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct ProvenanceView {
    /// The archive: a repository name or a folder.
    pub(crate) archive: String,
    /// The commit that recorded it, for git histories.
    pub(crate) commit: Option<String>,
    /// The file the bytes were read from.
    pub(crate) path: String,
    /// When the archive captured it.
    pub(crate) captured_at: DateTime<Utc>,
    /// The raw page(s) it was extracted from, `<commit>:<path>`.
    pub(crate) snapshot_refs: Option<String>,
}

/// One provision of the version in force.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct ProvisionText {
    /// Provision id.
    pub(crate) id: String,
    /// Enclosing headings, outermost first.
    pub(crate) heading_path: Vec<String>,
    /// The text.
    pub(crate) text: String,
}

/// The version of a document in force on a date.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct VersionAtView {
    /// The date asked about.
    pub(crate) date: NaiveDate,
    /// The version: the newest observed on or before the end of that day (UTC).
    pub(crate) version: VersionSummary,
    /// The observation that proves it.
    pub(crate) proof: ProofView,
    /// When the next version was first observed, if any.
    pub(crate) replaced_at: Option<DateTime<Utc>>,
    /// Where the proof came from, when it was imported from another archive.
    pub(crate) provenance: Option<ProvenanceView>,
    /// The provisions in reading order.
    pub(crate) provisions: Vec<ProvisionText>,
}

/// The version in force on a date, with the observation that proves it.
#[utoipa::path(get, path = "/api/documents/{platform}/{document}/at/{date}", tag = "documents",
    params(("platform" = String, Path), ("document" = String, Path),
        ("date" = String, Path, description = "YYYY-MM-DD (UTC)")),
    responses((status = 200, body = VersionAtView), (status = 400, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub(crate) async fn version_at(
    State(s): State<AppState>,
    Path((p, d, date)): Path<(String, String, String)>,
) -> Result<Json<VersionAtView>, ApiError> {
    let key = views::key(&p, &d)?;
    let date = NaiveDate::parse_from_str(&date, "%Y-%m-%d")
        .map_err(|_| ApiError::BadRequest(format!("{date:?} is not a date (YYYY-MM-DD)")))?;
    let found = s
        .store()
        .version_in_force_at(&key, date)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("a version of {key} observed by {date}")))?;
    Ok(Json(VersionAtView {
        date,
        version: VersionSummary::new(&found.version.row),
        proof: ProofView {
            observed_at: found.proof.observed_at,
            source: found.proof.source,
            sha256: found.proof.sha256,
        },
        replaced_at: found.replaced_at,
        provenance: found.provenance.map(|i| ProvenanceView {
            archive: i.provenance.archive,
            commit: i.provenance.commit,
            path: i.provenance.path,
            captured_at: i.provenance.captured_at,
            snapshot_refs: i.provenance.snapshot_refs,
        }),
        provisions: found
            .version
            .document
            .provisions
            .into_iter()
            .map(|p| ProvisionText {
                id: p.id,
                heading_path: p.heading_path,
                text: p.text,
            })
            .collect(),
    }))
}
