//! What the API returns and the pages show: one function per view, reading
//! the store (and the search index and analysis through the engine) and
//! returning plain serialisable structs. The JSON handlers serialise them;
//! the page handlers hand them to templates. Keeping one data layer means
//! the web UI can never show something the API cannot.

use crate::analysis::Analysis;
use crate::error::ApiError;
use crate::outline::{OutlineEntry, outline};
use crate::paging::{Paging, budget_pages, page_of};
use crate::state::AppState;
use chrono::{DateTime, NaiveDate, Utc};
use cw_analyze::{CAVEAT, Finding, Label, LabelSource, slice_chars};
use cw_model::{
    ChangeKind, ChangeSet, DiffSummary, DocumentKey, ExtractedDocument, Provision, ProvisionKind,
    Significance, SourceFormat, VersionRef, VersionSelector, WordOp,
};
use cw_store::announce::{Announcement, check_versions, notes_by_version};
use cw_store::{DocumentRow, StoredHistoryItem, StoredVersion, VersionRow};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ops::Range;
use utoipa::{IntoParams, ToSchema};

/// How many entries the dashboard's "recent changes" list holds.
pub(crate) const RECENT_LIMIT: usize = 25;

/// A document with what the list pages need.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct DocumentSummary {
    /// `platform/document`.
    pub(crate) key: String,
    /// Platform slug.
    pub(crate) platform: String,
    /// Document slug.
    pub(crate) document: String,
    /// The latest version's title.
    pub(crate) title: Option<String>,
    /// Declared type (`acceptable-use-policy`, …).
    pub(crate) doc_type: Option<String>,
    /// Region it applies to.
    pub(crate) region: Option<String>,
    /// Where it is published.
    pub(crate) source_url: Option<String>,
    /// Number of versions.
    pub(crate) version_count: u32,
    /// Number of distinct snapshots.
    pub(crate) snapshot_count: u32,
    /// Newest version number.
    pub(crate) latest_version: Option<u32>,
    /// When the newest version was observed.
    pub(crate) latest_observed_at: Option<DateTime<Utc>>,
    /// The newest version's stated effective date.
    pub(crate) latest_effective_date: Option<NaiveDate>,
}

/// A platform and its documents.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct PlatformSummary {
    /// Platform slug.
    pub(crate) platform: String,
    /// Its documents.
    pub(crate) documents: Vec<DocumentSummary>,
}

/// One version without its provisions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct VersionSummary {
    /// `platform/document`.
    pub(crate) document: String,
    /// 1, 2, 3…
    pub(crate) number: u32,
    /// When first observed.
    pub(crate) observed_at: DateTime<Utc>,
    /// Stated effective date.
    pub(crate) effective_date: Option<NaiveDate>,
    /// Title.
    pub(crate) title: Option<String>,
    /// BCP-47 language.
    pub(crate) language: String,
    /// Extracted from: html, markdown, pdf, text.
    #[schema(value_type = String)]
    pub(crate) format: SourceFormat,
    /// Extractor version.
    pub(crate) extractor_version: String,
    /// Number of provisions.
    pub(crate) provision_count: usize,
    /// Number of snapshots (byte strings) extracting to this version.
    pub(crate) snapshot_count: usize,
    /// The version the recorded change compares against.
    pub(crate) compared_with: Option<u32>,
    /// Substantive changes against it.
    pub(crate) substantive_changes: Option<usize>,
    /// The earlier version whose text this one brings back (a revert).
    pub(crate) restores: Option<u32>,
}

impl VersionSummary {
    pub(crate) fn new(v: &VersionRow) -> Self {
        VersionSummary {
            document: v.document.to_string(),
            number: v.number,
            observed_at: v.observed_at,
            effective_date: v.effective_date,
            title: v.title.clone(),
            language: v.language.clone(),
            format: v.format,
            extractor_version: v.extractor_version.clone(),
            provision_count: v.provision_count,
            snapshot_count: v.snapshots.len(),
            compared_with: v.compared_with,
            substantive_changes: v.substantive_changes,
            restores: v.restores,
        }
    }
}

/// A document with its versions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct DocumentDetail {
    /// The document.
    pub(crate) document: DocumentSummary,
    /// Its versions, oldest first.
    pub(crate) versions: Vec<VersionSummary>,
    /// Other documents of the same platform and type (regional variants).
    pub(crate) variants: Vec<String>,
}

/// One labelled provision of a version.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct ProvisionView {
    /// Provision id, e.g. `no-network-abuse/3`.
    pub(crate) id: String,
    /// Lineage key: follows the provision across versions.
    pub(crate) lineage_key: String,
    /// Enclosing headings, outermost first.
    pub(crate) heading_path: Vec<String>,
    /// paragraph, list_item, heading, table_row…
    #[schema(value_type = String)]
    pub(crate) kind: ProvisionKind,
    /// The text.
    pub(crate) text: String,
    /// Its labels with evidence.
    pub(crate) labels: Vec<LabelView>,
}

/// A version with its provisions, labels and findings.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct VersionDetail {
    /// The version.
    pub(crate) version: VersionSummary,
    /// Its headings, where each starts (the whole version, not only the
    /// window of provisions returned).
    pub(crate) outline: Vec<OutlineEntry>,
    /// Index of the first provision returned (the API and the pages return
    /// a window of a long version; `version.provision_count` is the total).
    pub(crate) offset: usize,
    /// Provisions in reading order (the window).
    pub(crate) provisions: Vec<ProvisionView>,
    /// Regulatory findings (risk indicators, not legal determinations).
    pub(crate) findings: FindingsView,
    /// Extraction warnings.
    pub(crate) warnings: Vec<String>,
}

/// A label with its evidence cut out of the provision text.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct LabelView {
    /// TAXONOMY id, e.g. `tos_unilateral_change`.
    pub(crate) id: String,
    /// A name a person can read, e.g. "Unilateral change (terms)".
    pub(crate) name: String,
    /// 0–1.
    pub(crate) confidence: f32,
    /// rule, model or both.
    pub(crate) source: String,
    /// Character offsets `[start, end)` of the evidence.
    pub(crate) span: [usize; 2],
    /// The evidence text.
    pub(crate) evidence: String,
}

impl LabelView {
    fn new(text: &str, l: &Label) -> Self {
        LabelView {
            id: l.id.clone(),
            name: label_name(&l.id),
            confidence: (l.confidence * 1000.0).round() / 1000.0,
            source: match l.source {
                LabelSource::Rule => "rule",
                LabelSource::Model => "model",
                _ => "both",
            }
            .to_string(),
            span: [l.span.0, l.span.1],
            evidence: slice_chars(text, l.span).to_string(),
        }
    }
}

pub(crate) use cw_model::label_name;

/// Regulatory findings of one version.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct FindingsView {
    /// Always "risk indicator, not a legal determination".
    pub(crate) caveat: String,
    /// The findings, in check order.
    #[schema(value_type = Vec<Object>)]
    pub(crate) findings: Vec<Finding>,
}

/// One changed provision in a timeline entry.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct TimelineChange {
    /// added, removed, modified, moved.
    #[schema(value_type = String)]
    pub(crate) kind: ChangeKind,
    /// substantive, cosmetic, none.
    #[schema(value_type = String)]
    pub(crate) significance: Significance,
    /// Headings.
    pub(crate) heading_path: Vec<String>,
    /// Provision id on the new side, else the old.
    pub(crate) provision_id: Option<String>,
    /// New text, else old text.
    pub(crate) text: String,
    /// Why it is (in)significant.
    pub(crate) reasons: Vec<String>,
}

impl TimelineChange {
    /// The text shortened for lists.
    pub(crate) fn short(&self) -> String {
        crate::ui::shorten(&self.text, 160)
    }
}

/// One version in a document's timeline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct TimelineEntry {
    /// `platform/document`.
    pub(crate) document: String,
    /// Document title.
    pub(crate) title: Option<String>,
    /// Version number.
    pub(crate) version: u32,
    /// Compared with.
    pub(crate) old_version: Option<u32>,
    /// The earlier version whose text this one brings back: the document
    /// went back to it ("restores @N").
    pub(crate) restores: Option<u32>,
    /// Observed.
    pub(crate) observed_at: DateTime<Utc>,
    /// Effective.
    pub(crate) effective_date: Option<NaiveDate>,
    /// Provisions.
    pub(crate) provisions: usize,
    /// Counts; absent for a first version.
    #[schema(value_type = Option<Object>)]
    pub(crate) summary: Option<DiffSummary>,
    /// The summary paragraph.
    pub(crate) summary_text: Option<String>,
    /// Changed provisions, substantive first.
    pub(crate) changes: Vec<TimelineChange>,
    /// How the change relates to the version's stated date (`announced`,
    /// `silent_change`, `date_bump_without_change`, …); absent for a first
    /// version.
    #[schema(value_type = Option<String>)]
    pub(crate) announcement: Option<Announcement>,
    /// Where imported observations of this version came from
    /// (`import-history`): archive, item, commit, path, capture time.
    #[schema(value_type = Vec<Object>)]
    pub(crate) provenance: Vec<StoredHistoryItem>,
}

impl TimelineEntry {
    /// The announcement class when it is one the timeline flags.
    pub(crate) fn flag(&self) -> Option<Announcement> {
        self.announcement.filter(|a| a.is_flagged())
    }
}

/// One side of a diff.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct DiffSideView {
    /// `platform/document`.
    pub(crate) document: String,
    /// Version number.
    pub(crate) version: u32,
    /// Title.
    pub(crate) title: Option<String>,
    /// Observed.
    pub(crate) observed_at: DateTime<Utc>,
    /// Effective.
    pub(crate) effective_date: Option<NaiveDate>,
    /// Region of the document.
    pub(crate) region: Option<String>,
}

/// Per-section counts of a diff.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct SectionView {
    /// Innermost heading ("" before any heading).
    pub(crate) heading: String,
    /// Added.
    pub(crate) added: usize,
    /// Removed.
    pub(crate) removed: usize,
    /// Modified.
    pub(crate) modified: usize,
    /// Moved.
    pub(crate) moved: usize,
    /// Substantive.
    pub(crate) substantive: usize,
    /// Cosmetic.
    pub(crate) cosmetic: usize,
}

/// Two versions compared provision by provision.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct DiffView {
    /// Old side.
    pub(crate) old: DiffSideView,
    /// New side.
    pub(crate) new: DiffSideView,
    /// Sections with changes.
    pub(crate) sections: Vec<SectionView>,
    /// Why it matters: label changes and findings introduced or resolved
    /// (the same read model alerts carry).
    pub(crate) why: cw_model::WhyItMatters,
    /// The change set (DESIGN §4 contract).
    #[schema(value_type = Object)]
    pub(crate) change_set: ChangeSet,
}

/// One version of a provision in its history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct HistoryEntry {
    /// Version number.
    pub(crate) version: u32,
    /// Observed.
    pub(crate) observed_at: DateTime<Utc>,
    /// Effective.
    pub(crate) effective_date: Option<NaiveDate>,
    /// Provision id in that version.
    pub(crate) provision_id: String,
    /// Text in that version.
    pub(crate) text: String,
    /// True if the version's stored change record says this provision
    /// changed (anything but `unchanged`); the first entry never has.
    pub(crate) changed: bool,
    /// How much the change matters, from the same record (only when changed).
    #[schema(value_type = Option<String>)]
    pub(crate) significance: Option<Significance>,
    /// Why, from the same record (only when changed).
    pub(crate) reasons: Vec<String>,
    /// Word diff against the previous entry (empty for the first or unchanged).
    #[schema(value_type = Vec<Object>)]
    pub(crate) words: Vec<WordOp>,
}

/// A provision of another platform handling the same matter.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct SimilarView {
    /// Platform.
    pub(crate) platform: String,
    /// `platform/document`.
    pub(crate) document: String,
    /// Version number (latest).
    pub(crate) version: u32,
    /// Provision id.
    pub(crate) provision_id: String,
    /// Text.
    pub(crate) text: String,
    /// Shared labels.
    pub(crate) labels: Vec<String>,
    /// BM25 score, rounded.
    pub(crate) score: f32,
}

/// One provision: its text, labels, findings, history and peers.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct ProvisionDetail {
    /// `platform/document`.
    pub(crate) document: String,
    /// Document title.
    pub(crate) title: Option<String>,
    /// The version shown.
    pub(crate) version: u32,
    /// The provision in that version.
    pub(crate) provision: ProvisionView,
    /// Findings about this provision.
    pub(crate) findings: FindingsView,
    /// Every text it had, oldest first.
    pub(crate) history: Vec<HistoryEntry>,
    /// How other platforms handle it.
    pub(crate) similar: Vec<SimilarView>,
    /// "N of M other platforms have a provision with these labels."
    pub(crate) adoption: Option<String>,
}

/// Query of the diff endpoint.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct DiffQuery {
    /// Old version (number, date or `latest`); default: the one before `to`.
    pub(crate) from: Option<String>,
    /// New version; default: latest.
    pub(crate) to: Option<String>,
}

/// Query of the compare endpoint.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct CompareQuery {
    /// Left side: `platform/document[@version]`, e.g. `aws/aup-global`.
    pub(crate) left: String,
    /// Right side, e.g. `aws/aup-beijing`.
    pub(crate) right: String,
}

/// Query of the search endpoint.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct SearchQuery {
    /// The query (words, "phrases", -exclusions, platform:, label:, …).
    #[serde(default)]
    pub(crate) q: String,
    /// Search every version, not only those in force (`true`, `on`, `1`, `yes`).
    #[serde(default, deserialize_with = "flag")]
    #[param(value_type = Option<bool>)]
    pub(crate) all: bool,
    /// Hits to skip (default 0).
    pub(crate) offset: Option<usize>,
    /// Maximum hits (default 20, at most 200).
    pub(crate) limit: Option<usize>,
}

/// A boolean query flag as forms send it: `true`/`on`/`1`/`yes` (any
/// case) or `false`/`off`/`0`/`no`/empty.
fn flag<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    let s = String::deserialize(d)?;
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "on" | "1" | "yes" => Ok(true),
        "false" | "off" | "0" | "no" | "" => Ok(false),
        other => Err(serde::de::Error::custom(format!(
            "`all` must be true or false, not {other:?}"
        ))),
    }
}

/// Query of the provision endpoint.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ProvisionQuery {
    /// The version to read the provision in (default: latest).
    pub(crate) version: Option<String>,
}

/// Parses a document key from path segments.
pub(crate) fn key(platform: &str, document: &str) -> Result<DocumentKey, ApiError> {
    Ok(DocumentKey::new(platform, document)?)
}

/// Parses a version selector (`3`, `2024-01-31`, `latest`) of a document.
pub(crate) fn version_ref(key: &DocumentKey, selector: &str) -> Result<VersionRef, ApiError> {
    Ok(format!("{key}@{selector}").parse()?)
}

async fn summary(state: &AppState, row: &DocumentRow) -> Result<DocumentSummary, ApiError> {
    let title = state.title(&row.key).await?;
    Ok(DocumentSummary {
        key: row.key.to_string(),
        platform: row.key.platform.clone(),
        document: row.key.document.clone(),
        title,
        doc_type: row.doc_type.clone(),
        region: row.region.clone(),
        source_url: row.source_url.clone(),
        version_count: row.version_count,
        snapshot_count: row.snapshot_count,
        latest_version: row.latest_version,
        latest_observed_at: row.latest_observed_at,
        latest_effective_date: row.latest_effective_date,
    })
}

/// Every document.
pub(crate) async fn documents(state: &AppState) -> Result<Vec<DocumentSummary>, ApiError> {
    let mut out = Vec::new();
    for row in state.store().documents().await? {
        out.push(summary(state, &row).await?);
    }
    Ok(out)
}

/// Every platform with its documents.
pub(crate) async fn platforms(state: &AppState) -> Result<Vec<PlatformSummary>, ApiError> {
    let mut by: BTreeMap<String, Vec<DocumentSummary>> = BTreeMap::new();
    for d in documents(state).await? {
        by.entry(d.platform.clone()).or_default().push(d);
    }
    Ok(by
        .into_iter()
        .map(|(platform, documents)| PlatformSummary {
            platform,
            documents,
        })
        .collect())
}

/// One platform.
pub(crate) async fn platform(state: &AppState, slug: &str) -> Result<PlatformSummary, ApiError> {
    platforms(state)
        .await?
        .into_iter()
        .find(|p| p.platform == slug)
        .ok_or_else(|| ApiError::NotFound(format!("platform {slug}")))
}

async fn document_row(state: &AppState, key: &DocumentKey) -> Result<DocumentRow, ApiError> {
    state
        .store()
        .document(key)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("document {key}")))
}

/// One document with its versions and regional variants.
pub(crate) async fn document(
    state: &AppState,
    key: &DocumentKey,
) -> Result<DocumentDetail, ApiError> {
    let row = document_row(state, key).await?;
    let versions = state.store().versions(key).await?;
    let variants = state
        .store()
        .documents()
        .await?
        .into_iter()
        .filter(|d| d.key != *key && d.key.platform == key.platform && d.doc_type == row.doc_type)
        .map(|d| d.key.to_string())
        .collect();
    Ok(DocumentDetail {
        document: summary(state, &row).await?,
        versions: versions.iter().map(VersionSummary::new).collect(),
        variants,
    })
}

/// The versions of a document.
pub(crate) async fn versions(
    state: &AppState,
    key: &DocumentKey,
) -> Result<Vec<VersionSummary>, ApiError> {
    Ok(state
        .store()
        .versions(key)
        .await?
        .iter()
        .map(VersionSummary::new)
        .collect())
}

fn provision_views(v: &StoredVersion, a: &Analysis) -> Vec<ProvisionView> {
    provision_window(v, a, 0..v.document.provisions.len())
}

/// The provisions of `range` (indices in reading order) as views.
fn provision_window(v: &StoredVersion, a: &Analysis, range: Range<usize>) -> Vec<ProvisionView> {
    v.document
        .provisions
        .iter()
        .enumerate()
        .skip(range.start)
        .take(range.len())
        .map(|(i, p)| ProvisionView {
            id: p.id.clone(),
            lineage_key: v.lineage_keys.get(i).cloned().unwrap_or_default(),
            heading_path: p.heading_path.clone(),
            kind: p.kind,
            text: p.text.clone(),
            labels: a
                .labels
                .get(i)
                .map(|ls| ls.iter().map(|l| LabelView::new(&p.text, l)).collect())
                .unwrap_or_default(),
        })
        .collect()
}

fn findings_view(findings: Vec<Finding>) -> FindingsView {
    FindingsView {
        caveat: CAVEAT.to_string(),
        findings,
    }
}

/// Which provisions of a version to return.
#[derive(Debug, Clone)]
pub(crate) enum Window {
    /// An `offset`/`limit` window (the API).
    Items(Paging),
    /// A page cut by [`PAGE_BUDGET`] (the version page): by 1-based number,
    /// or the page holding a provision id.
    Page {
        /// 1-based page number.
        page: Option<usize>,
        /// A provision id whose page to show (wins over `page`).
        at: Option<String>,
    },
}

/// Bytes of text one page of a long version or diff holds, before markup.
pub(crate) const PAGE_BUDGET: usize = 400 * 1024;
/// Items one such page holds at most.
pub(crate) const PAGE_ITEMS: usize = 500;
/// Provisions the API returns per version unless `limit` says otherwise.
pub(crate) const VERSION_LIMIT: usize = 1000;

/// A window of a version and how its pages fall.
#[derive(Debug, Clone)]
pub(crate) struct VersionPart {
    /// The version with the window's provisions.
    pub(crate) detail: VersionDetail,
    /// Every page of the version (one range for an API window).
    pub(crate) pages: Vec<Range<usize>>,
    /// The index of the page shown.
    pub(crate) page: usize,
}

/// One version with provisions (a window of them), labels and findings.
pub(crate) async fn version(
    state: &AppState,
    r: &VersionRef,
    window: &Window,
) -> Result<VersionPart, ApiError> {
    let row = document_row(state, &r.document).await?;
    let v = state.store().version(r).await?;
    let a = state.analysis(&row, &v).await?;
    let provisions = &v.document.provisions;
    let (pages, page) = match window {
        Window::Items(paging) => (vec![paging.range(provisions.len(), VERSION_LIMIT)], 0),
        Window::Page { page, at } => {
            let pages = budget_pages(
                provisions.iter().enumerate().map(|(i, p)| {
                    p.text.len().min(TEXT_CLIP) + 200 + 100 * a.labels.get(i).map_or(0, Vec::len)
                }),
                PAGE_BUDGET,
                PAGE_ITEMS,
            );
            let index = match at
                .as_deref()
                .and_then(|id| provisions.iter().position(|p| p.id == id))
            {
                Some(i) => page_of(&pages, i),
                None => page.unwrap_or(1).clamp(1, pages.len()) - 1,
            };
            (pages, index)
        }
    };
    let range = pages.get(page).cloned().unwrap_or(0..0);
    Ok(VersionPart {
        detail: VersionDetail {
            version: VersionSummary::new(&v.row),
            outline: outline(provisions.iter().map(|p| p.heading_path.as_slice())),
            offset: range.start,
            provisions: provision_window(&v, &a, range),
            findings: findings_view(a.findings.clone()),
            warnings: v.document.warnings.iter().map(|w| w.0.clone()).collect(),
        },
        pages,
        page,
    })
}

/// Characters of one provision's text a page shows; the provision page has
/// the rest.
pub(crate) const TEXT_CLIP: usize = 50_000;

/// A document's story: every version with what changed.
pub(crate) async fn timeline(
    state: &AppState,
    key: &DocumentKey,
) -> Result<Vec<TimelineEntry>, ApiError> {
    document_row(state, key).await?;
    let store = state.store();
    let versions = store.versions(key).await?;
    let mut notes = notes_by_version(key, &versions, store.history_items(key).await?);
    let mut out = Vec::new();
    for v in &versions {
        let change = store.change(key, v.number).await?;
        let mut e = timeline_entry(v, change.map(|c| (c.old_version, c.change_set)));
        let notes = notes.remove(&v.number).unwrap_or_default();
        e.announcement = notes.announcement;
        e.provenance = notes.imported;
        out.push(e);
    }
    Ok(out)
}

fn timeline_entry(v: &VersionRow, change: Option<(Option<u32>, ChangeSet)>) -> TimelineEntry {
    let (old_version, summary, summary_text, mut changes) = match change {
        Some((old, cs)) => {
            let changes: Vec<TimelineChange> = cs
                .changes
                .iter()
                .filter(|c| c.kind != ChangeKind::Unchanged)
                .map(|c| TimelineChange {
                    kind: c.kind,
                    significance: c.significance,
                    heading_path: c.heading_path.clone(),
                    provision_id: c.new_id.clone().or_else(|| c.old_id.clone()),
                    text: c
                        .new_text
                        .clone()
                        .or_else(|| c.old_text.clone())
                        .unwrap_or_default(),
                    reasons: c.reasons.clone(),
                })
                .collect();
            (old, Some(cs.summary), Some(cs.summary_text), changes)
        }
        None => (None, None, None, Vec::new()),
    };
    changes.sort_by_key(|c| std::cmp::Reverse(c.significance));
    TimelineEntry {
        document: v.document.to_string(),
        title: v.title.clone(),
        version: v.number,
        old_version,
        restores: v.restores,
        observed_at: v.observed_at,
        effective_date: v.effective_date,
        provisions: v.provision_count,
        summary,
        summary_text,
        changes,
        announcement: None,
        provenance: Vec::new(),
    }
}

/// Recent substantive changes across every document, newest first.
pub(crate) async fn recent_changes(
    state: &AppState,
    limit: usize,
) -> Result<Vec<TimelineEntry>, ApiError> {
    let store = state.store();
    let mut out = Vec::new();
    for d in store.documents().await? {
        let versions = store.versions(&d.key).await?;
        let announcements = check_versions(&d.key, &versions);
        for v in versions {
            if v.substantive_changes.unwrap_or(0) == 0 {
                continue;
            }
            let change = store.change(&d.key, v.number).await?;
            let mut e = timeline_entry(&v, change.map(|c| (c.old_version, c.change_set)));
            e.announcement = announcements
                .iter()
                .find(|c| c.version == v.number)
                .map(|c| c.class);
            e.changes
                .retain(|c| c.significance == Significance::Substantive);
            out.push(e);
        }
    }
    out.sort_by(|a, b| {
        (b.observed_at, &b.document, b.version).cmp(&(a.observed_at, &a.document, a.version))
    });
    out.truncate(limit);
    Ok(out)
}

fn side(v: &VersionRow, region: Option<String>) -> DiffSideView {
    DiffSideView {
        document: v.document.to_string(),
        version: v.number,
        title: v.title.clone(),
        observed_at: v.observed_at,
        effective_date: v.effective_date,
        region,
    }
}

/// The row of a version, without loading its provisions when the selector
/// is a number or `latest` (a date goes through the store's own choice).
async fn version_row(state: &AppState, r: &VersionRef) -> Result<VersionRow, ApiError> {
    let found = match r.selector {
        VersionSelector::Number(n) => state
            .store()
            .versions(&r.document)
            .await?
            .into_iter()
            .find(|v| v.number == n),
        VersionSelector::Latest => state.store().versions(&r.document).await?.pop(),
        _ => None,
    };
    match found {
        Some(row) => Ok(row),
        None => Ok(state.store().version(r).await?.row),
    }
}

async fn diff_refs(
    state: &AppState,
    old: &VersionRef,
    new: &VersionRef,
) -> Result<DiffView, ApiError> {
    let store = state.store();
    let (old_doc, new_doc) = (
        document_row(state, &old.document).await?,
        document_row(state, &new.document).await?,
    );
    let (o, n) = (
        version_row(state, old).await?,
        version_row(state, new).await?,
    );
    // The stored change when it is exactly this pair; else diff now.
    let stored = if o.document == n.document {
        store
            .stored_change_between(&n.document, o.number, n.number)
            .await?
    } else {
        None
    };
    let (od, nd) = (
        store.version(&number_ref(&o)).await?,
        store.version(&number_ref(&n)).await?,
    );
    let change_set = match stored {
        Some(cs) => cs,
        None => cw_diff::diff(&od.document, &nd.document),
    };
    let (oa, na) = (
        state.analysis(&old_doc, &od).await?,
        state.analysis(&new_doc, &nd).await?,
    );
    let why = cw_engine::why_it_matters(&change_set, &oa, &na);
    let sections = cw_diff::section_summary(&change_set)
        .into_iter()
        .filter(|s| s.added + s.removed + s.modified + s.moved > 0)
        .map(|s| SectionView {
            heading: s.heading,
            added: s.added,
            removed: s.removed,
            modified: s.modified,
            moved: s.moved,
            substantive: s.substantive,
            cosmetic: s.cosmetic,
        })
        .collect();
    Ok(DiffView {
        old: side(&o, old_doc.region),
        new: side(&n, new_doc.region),
        sections,
        why,
        change_set,
    })
}

/// Two versions of one document; `from` defaults to the version before `to`.
pub(crate) async fn diff(
    state: &AppState,
    key: &DocumentKey,
    q: &DiffQuery,
) -> Result<DiffView, ApiError> {
    let to = version_ref(key, q.to.as_deref().unwrap_or("latest"))?;
    let from = match q.from.as_deref() {
        Some(f) => version_ref(key, f)?,
        None => {
            let new = version_row(state, &to).await?;
            let versions = state.store().versions(key).await?;
            let pos = versions.iter().position(|v| v.number == new.number);
            let prev = pos
                .and_then(|p| p.checked_sub(1))
                .and_then(|p| versions.get(p))
                .ok_or_else(|| {
                    ApiError::BadRequest(format!(
                        "{key}@{} is the first version: nothing to compare with",
                        new.number
                    ))
                })?;
            VersionRef {
                document: key.clone(),
                selector: VersionSelector::Number(prev.number),
            }
        }
    };
    diff_refs(state, &from, &to).await
}

/// Two documents (e.g. regional variants), latest versions unless `@n` is given.
pub(crate) async fn compare(state: &AppState, q: &CompareQuery) -> Result<DiffView, ApiError> {
    let left: VersionRef = q.left.trim().parse()?;
    let right: VersionRef = q.right.trim().parse()?;
    diff_refs(state, &left, &right).await
}

/// A reference to a version by its number.
fn number_ref(v: &VersionRow) -> VersionRef {
    VersionRef {
        document: v.document.clone(),
        selector: VersionSelector::Number(v.number),
    }
}

fn single(text: &str) -> ExtractedDocument {
    ExtractedDocument {
        title: None,
        effective_date: None,
        language: String::new(),
        format: SourceFormat::Text,
        provisions: vec![Provision::new(
            "p/1",
            vec![],
            ProvisionKind::Paragraph,
            text,
        )],
        warnings: vec![],
        coverage: None,
    }
}

/// Word operations turning `old` into `new`.
fn word_ops(old: &str, new: &str) -> Vec<WordOp> {
    cw_diff::diff(&single(old), &single(new))
        .changes
        .into_iter()
        .find(|c| !c.words.is_empty())
        .map(|c| c.words)
        .unwrap_or_default()
}

/// One provision: text, labels, findings, history, peers.
pub(crate) async fn provision(
    state: &AppState,
    key: &DocumentKey,
    provision_id: &str,
    q: &ProvisionQuery,
) -> Result<ProvisionDetail, ApiError> {
    let row = document_row(state, key).await?;
    let r = version_ref(key, q.version.as_deref().unwrap_or("latest"))?;
    let v = state.store().version(&r).await?;
    let pos = v
        .document
        .provisions
        .iter()
        .position(|p| p.id == provision_id)
        .ok_or_else(|| ApiError::NotFound(format!("provision {provision_id} in {r}")))?;
    let a = state.analysis(&row, &v).await?;
    let views = provision_views(&v, &a);
    let Some(view) = views.into_iter().nth(pos) else {
        return Err(ApiError::NotFound(format!(
            "provision {provision_id} in {r}"
        )));
    };
    let findings: Vec<Finding> = a
        .findings
        .iter()
        .filter(|f| f.provision_id.as_deref() == Some(provision_id))
        .cloned()
        .collect();
    // "Changed" and its significance come from each version's stored
    // change record, the one the timeline, the diff and the alerts read.
    let entries = state
        .store()
        .provision_history(key, &view.lineage_key)
        .await?;
    let mut history = Vec::with_capacity(entries.len());
    let mut prev: Option<&cw_store::ProvisionHistoryEntry> = None;
    for e in &entries {
        let changed = e.changed(prev);
        let words = match (prev, changed, &e.change) {
            (Some(_), true, Some(c)) if !c.words.is_empty() => c.words.clone(),
            (Some(old), true, _) => word_ops(&old.provision.text, &e.provision.text),
            _ => Vec::new(),
        };
        history.push(HistoryEntry {
            version: e.version.number,
            observed_at: e.version.observed_at,
            effective_date: e.version.effective_date,
            provision_id: e.provision.id.clone(),
            text: e.provision.text.clone(),
            changed,
            significance: e
                .change
                .as_ref()
                .filter(|_| changed)
                .map(|c| c.significance),
            reasons: match &e.change {
                Some(c) if changed => c.reasons.clone(),
                _ => Vec::new(),
            },
            words,
        });
        prev = Some(e);
    }
    let label_ids: Vec<String> = view.labels.iter().map(|l| l.id.clone()).collect();
    let peers = state.similarity().await?;
    let similar = peers
        .index
        .closest(&view.text, &label_ids, Some(&key.platform), 5)
        .into_iter()
        .filter_map(|m| {
            let p = peers.rows.get(&m.key)?;
            Some(SimilarView {
                platform: m.platform,
                document: p.document.clone(),
                version: p.version,
                provision_id: p.provision_id.clone(),
                text: p.text.clone(),
                labels: p
                    .labels
                    .iter()
                    .filter(|l| label_ids.contains(l))
                    .cloned()
                    .collect(),
                score: (m.score * 100.0).round() / 100.0,
            })
        })
        .collect();
    let adoption = (!label_ids.is_empty()).then(|| {
        peers
            .index
            .adoption(&label_ids, Some(&key.platform))
            .sentence()
    });
    Ok(ProvisionDetail {
        document: key.to_string(),
        title: v.row.title.clone(),
        version: v.row.number,
        provision: view,
        findings: findings_view(findings),
        history,
        similar,
        adoption,
    })
}

/// The labels of every provision of a version.
pub(crate) async fn labels(
    state: &AppState,
    r: &VersionRef,
) -> Result<Vec<ProvisionView>, ApiError> {
    let row = document_row(state, &r.document).await?;
    let v = state.store().version(r).await?;
    let a = state.analysis(&row, &v).await?;
    Ok(provision_views(&v, &a)
        .into_iter()
        .filter(|p| !p.labels.is_empty())
        .collect())
}

/// The regulatory findings of a version.
pub(crate) async fn findings(state: &AppState, r: &VersionRef) -> Result<FindingsView, ApiError> {
    let row = document_row(state, &r.document).await?;
    let v = state.store().version(r).await?;
    Ok(findings_view(
        state.analysis(&row, &v).await?.findings.clone(),
    ))
}

/// Full-text search.
pub(crate) async fn search(
    state: &AppState,
    q: &SearchQuery,
) -> Result<cw_search::SearchResults, ApiError> {
    let options = cw_search::SearchOptions {
        all_versions: q.all,
        limit: q.limit.unwrap_or(20).clamp(1, 200),
        offset: q.offset.unwrap_or(0),
    };
    let query = q.q.clone();
    let engine = state.engine_arc();
    tokio::task::spawn_blocking(move || engine.search(&query, &options))
        .await
        .map_err(|e| ApiError::BadRequest(format!("search task failed: {e}")))?
        .map_err(ApiError::from)
}

/// The Atom feed of a document's changes.
pub(crate) async fn feed(
    state: &AppState,
    key: &DocumentKey,
    base_url: Option<&str>,
) -> Result<String, ApiError> {
    let store = state.store();
    document_row(state, key).await?;
    let title = state.title(key).await?.unwrap_or_else(|| key.to_string());
    let mut alerts = Vec::new();
    let mut updated = DateTime::<Utc>::UNIX_EPOCH;
    for v in store.versions(key).await? {
        let Some(c) = store.change(key, v.number).await? else {
            continue;
        };
        updated = updated.max(v.observed_at);
        let mut alert =
            cw_notify::Alert::new(key, c.old_version, v.number, v.observed_at, c.change_set);
        if let (Some(base), Some(old)) = (base_url, c.old_version) {
            alert = alert.with_url(format!(
                "{base}/d/{}/{}/diff?from={old}&to={}",
                key.platform, key.document, v.number
            ));
        }
        alerts.push(alert);
    }
    let self_url = base_url.map(|b| {
        format!(
            "{b}/api/documents/{}/{}/feed.atom",
            key.platform, key.document
        )
    });
    Ok(cw_notify::atom_feed(
        &cw_notify::document_feed_id(&key.to_string()),
        &format!("clausewatch: {title}"),
        self_url.as_deref(),
        &alerts,
        updated,
    ))
}

/// Totals for the dashboard.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct Stats {
    /// Platforms.
    pub(crate) platforms: u64,
    /// Documents.
    pub(crate) documents: u64,
    /// Versions.
    pub(crate) versions: u64,
    /// Provisions over all versions.
    pub(crate) provisions: u64,
    /// Recorded changes.
    pub(crate) changes: u64,
}

/// Row counts.
pub(crate) async fn stats(state: &AppState) -> Result<Stats, ApiError> {
    let c = state.store().counts().await?;
    Ok(Stats {
        platforms: c.platforms,
        documents: c.documents,
        versions: c.versions,
        provisions: c.provisions,
        changes: c.changes,
    })
}
