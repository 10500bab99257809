//! Where a version came from: each snapshot (archived byte string) that
//! extracts to it, with its source, first and last observation, size,
//! sha256, the HTTP status of the fetch that brought it (when a watched
//! source fetched it) and the extractor version; and the raw bytes as a
//! download that a browser never renders as a page of this origin.

use crate::error::ApiError;
use crate::state::AppState;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use cw_model::VersionRef;
use cw_store::BlobId;
use serde::Serialize;
use utoipa::ToSchema;

/// The Content-Security-Policy of a raw download: a sandbox with nothing
/// allowed, should a browser ever render it.
pub(crate) const RAW_CSP: &str = "sandbox; default-src 'none'";

/// One archived byte string of a version.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct SnapshotView {
    /// sha256 of the raw bytes (the archive id).
    pub(crate) sha256: String,
    /// Size in bytes.
    pub(crate) size: u64,
    /// Format as the importer saw it.
    pub(crate) format: String,
    /// Where the bytes came from first: a URL or a file path.
    pub(crate) source: String,
    /// The source when it is a web address (safe to link).
    pub(crate) source_url: Option<String>,
    /// First observed.
    pub(crate) observed_at: DateTime<Utc>,
    /// Last observed.
    pub(crate) last_observed_at: DateTime<Utc>,
    /// Times observed.
    pub(crate) observation_count: u32,
    /// HTTP status of the latest logged fetch that returned these bytes.
    pub(crate) http_status: Option<u16>,
    /// When that fetch finished.
    pub(crate) fetched_at: Option<DateTime<Utc>>,
    /// Where to download the raw bytes.
    pub(crate) raw_href: String,
}

/// Where a version came from.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct Provenance {
    /// `platform/document`.
    pub(crate) document: String,
    /// Version number.
    pub(crate) version: u32,
    /// The extractor that produced its provisions.
    pub(crate) extractor_version: String,
    /// The snapshots extracting to it, oldest first.
    pub(crate) snapshots: Vec<SnapshotView>,
}

/// How many logged fetch attempts are searched for a snapshot's HTTP status.
const ATTEMPTS_SEARCHED: u32 = 500;

/// The provenance of a version.
pub(crate) async fn provenance(state: &AppState, r: &VersionRef) -> Result<Provenance, ApiError> {
    let key = &r.document;
    let row = state.store().version(r).await?.row;
    let attempts = state.store().fetch_attempts(key, ATTEMPTS_SEARCHED).await?;
    let snapshots = state
        .store()
        .snapshots(key)
        .await?
        .into_iter()
        .filter(|s| s.version_number == row.number)
        .map(|s| {
            let sha256 = s.blob.to_string();
            let fetch = attempts
                .iter()
                .find(|a| a.sha256.as_deref() == Some(sha256.as_str()));
            let web = s.source.starts_with("https://") || s.source.starts_with("http://");
            SnapshotView {
                raw_href: format!("/d/{key}/v/{}/raw/{sha256}", row.number),
                size: s.size,
                format: s.format.clone(),
                source_url: web.then(|| s.source.clone()),
                source: s.source,
                observed_at: s.observed_at,
                last_observed_at: s.last_observed_at,
                observation_count: s.observation_count,
                http_status: fetch.and_then(|a| a.http_status),
                fetched_at: fetch.map(|a| a.finished_at),
                sha256,
            }
        })
        .collect();
    Ok(Provenance {
        document: key.to_string(),
        version: row.number,
        extractor_version: row.extractor_version,
        snapshots,
    })
}

/// The media type to label raw bytes of a format with.
fn media_type(format: &str) -> (&'static str, &'static str) {
    match format {
        "html" => ("text/html", "html"),
        "markdown" => ("text/markdown", "md"),
        "pdf" => ("application/pdf", "pdf"),
        "text" => ("text/plain", "txt"),
        _ => ("application/octet-stream", "bin"),
    }
}

/// The raw bytes of a snapshot of a version, as an attachment: the right
/// media type, `nosniff` (set for every response), and a sandboxing CSP,
/// so the archived page never runs as a page of this origin.
pub(crate) async fn raw(
    state: &AppState,
    r: &VersionRef,
    sha256: &str,
) -> Result<Response, ApiError> {
    let p = provenance(state, r).await?;
    let Some(s) = p.snapshots.iter().find(|s| s.sha256 == sha256) else {
        return Err(ApiError::NotFound(format!(
            "snapshot {sha256} of {}@{}",
            p.document, p.version
        )));
    };
    let id: BlobId = s.sha256.parse()?;
    let archive = state.store().archive().clone();
    let bytes = tokio::task::spawn_blocking(move || archive.get(&id))
        .await
        .map_err(|e| ApiError::BadRequest(format!("archive read failed: {e}")))??;
    let (media, ext) = media_type(&s.format);
    let name = format!(
        "{}-v{}-{}.{ext}",
        p.document.replace('/', "-"),
        p.version,
        &sha256[..12.min(sha256.len())]
    );
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(media)),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(RAW_CSP),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, max-age=3600"),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_has_a_media_type_and_nothing_else_is_html() {
        assert_eq!(media_type("html").0, "text/html");
        assert_eq!(media_type("pdf").1, "pdf");
        assert_eq!(media_type("docx").0, "application/octet-stream");
    }
}
