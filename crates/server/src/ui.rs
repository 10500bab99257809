//! The web UI: server-rendered pages (askama templates in `templates/`, so
//! every value is HTML-escaped unless a template says otherwise, and none
//! does), built from the same views the JSON API returns. Document text is
//! hostile input: it only ever reaches a page as escaped text.

use crate::auth::{self, Caller, SESSION_COOKIE};
use crate::error::ApiError;
use crate::paging::{self, Pager};
use crate::state::AppState;
use crate::svg::{self, Chart};
use crate::views::{self, DiffView, LabelView};
use crate::watching;
use askama::Template;
use axum::Extension;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use cw_model::{ChangeKind, ProvisionChange, Significance, WordOpKind};
use serde::Deserialize;

/// What the base layout needs on every page.
#[derive(Debug, Clone)]
pub(crate) struct Chrome {
    /// The page title (escaped by the template).
    pub(crate) title: String,
    /// Which nav entry is current.
    pub(crate) nav: &'static str,
    /// CSRF token for forms.
    pub(crate) csrf: String,
    /// Signed in with a token (shows "sign out").
    pub(crate) signed_in: bool,
    /// The search box's value.
    pub(crate) query: String,
}

impl Chrome {
    fn new(caller: &Caller, title: impl Into<String>, nav: &'static str) -> Chrome {
        Chrome {
            title: title.into(),
            nav,
            csrf: caller.csrf.clone(),
            signed_in: caller.role.is_some(),
            query: String::new(),
        }
    }
}

/// A page-level failure: the error page with the API's code and status.
#[derive(Debug)]
pub(crate) struct PageError(ApiError);

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        PageError(e)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    code: &'static str,
    status: u16,
    message: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.0.log();
        let (code, status) = self.0.code_and_status();
        let page = ErrorPage {
            chrome: Chrome {
                title: format!("{} — error", status.as_u16()),
                nav: "",
                csrf: String::new(),
                signed_in: false,
                query: String::new(),
            },
            code,
            status: status.as_u16(),
            message: self.0.public_message(),
        };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, self.0.public_message()).into_response(),
        }
    }
}

type PageResult = Result<Response, PageError>;

fn render<T: Template>(t: &T) -> PageResult {
    Ok(Html(t.render().map_err(ApiError::from)?).into_response())
}

/// A run of text with its role in a word diff.
#[derive(Debug, Clone)]
pub(crate) struct Part {
    /// The text (escaped by the template).
    pub(crate) text: String,
    /// "eq", "del" or "ins".
    pub(crate) op: &'static str,
}

/// One change of a diff, ready for the template.
#[derive(Debug, Clone)]
pub(crate) struct ChangeRow {
    pub(crate) kind: &'static str,
    pub(crate) significance: &'static str,
    pub(crate) heading: String,
    pub(crate) old_id: String,
    pub(crate) new_id: String,
    pub(crate) reasons: Vec<String>,
    pub(crate) old_parts: Vec<Part>,
    pub(crate) new_parts: Vec<Part>,
    pub(crate) inline_parts: Vec<Part>,
    /// Link to the provision page (new side), when the new side is stored.
    pub(crate) link: String,
    /// The texts were cut for the page (the provision page has them whole).
    pub(crate) clipped: bool,
    /// Labels the provision gained (an added one: all its labels).
    pub(crate) labels_added: Vec<cw_model::LabelName>,
    /// Labels it lost.
    pub(crate) labels_removed: Vec<cw_model::LabelName>,
}

fn part(text: &str, op: &'static str) -> Part {
    Part {
        text: text.to_string(),
        op,
    }
}

fn change_row(
    c: &ProvisionChange,
    new_doc: &str,
    labels: Option<&cw_model::LabelChange>,
) -> ChangeRow {
    let old = c.old_text.as_deref().unwrap_or("");
    let new = c.new_text.as_deref().unwrap_or("");
    let (old_parts, new_parts, inline_parts) = if !c.words.is_empty() {
        let mut o = Vec::new();
        let mut n = Vec::new();
        let mut i = Vec::new();
        for w in &c.words {
            match w.op {
                WordOpKind::Equal => {
                    o.push(part(&w.text, "eq"));
                    n.push(part(&w.text, "eq"));
                    i.push(part(&w.text, "eq"));
                }
                WordOpKind::Delete => {
                    o.push(part(&w.text, "del"));
                    i.push(part(&w.text, "del"));
                }
                WordOpKind::Insert => {
                    n.push(part(&w.text, "ins"));
                    i.push(part(&w.text, "ins"));
                }
            }
        }
        (o, n, i)
    } else {
        match c.kind {
            ChangeKind::Added => (vec![], vec![part(new, "ins")], vec![part(new, "ins")]),
            ChangeKind::Removed => (vec![part(old, "del")], vec![], vec![part(old, "del")]),
            _ if old == new || old.is_empty() || new.is_empty() => {
                let t = if new.is_empty() { old } else { new };
                (
                    vec![part(old, "eq")],
                    vec![part(new, "eq")],
                    vec![part(t, "eq")],
                )
            }
            _ => (
                vec![part(old, "del")],
                vec![part(new, "ins")],
                vec![part(old, "del"), part(" ", "eq"), part(new, "ins")],
            ),
        }
    };
    let (old_parts, old_cut) = clip_parts(old_parts, views::TEXT_CLIP);
    let (new_parts, new_cut) = clip_parts(new_parts, views::TEXT_CLIP);
    let (inline_parts, inline_cut) = clip_parts(inline_parts, 2 * views::TEXT_CLIP);
    let clipped = old_cut || new_cut || inline_cut;
    let (platform, document) = new_doc.split_once('/').unwrap_or((new_doc, ""));
    ChangeRow {
        clipped,
        labels_added: labels.map(|l| l.added.clone()).unwrap_or_default(),
        labels_removed: labels.map(|l| l.removed.clone()).unwrap_or_default(),
        kind: c.kind.as_str(),
        significance: c.significance.as_str(),
        heading: c.heading_path.join(" › "),
        old_id: c.old_id.clone().unwrap_or_default(),
        new_id: c.new_id.clone().unwrap_or_default(),
        reasons: c.reasons.clone(),
        old_parts,
        new_parts,
        inline_parts,
        link: c
            .new_id
            .as_ref()
            .map(|id| provision_href(platform, document, id))
            .unwrap_or_default(),
    }
}

/// The URL of a provision page.
pub(crate) fn provision_href(platform: &str, document: &str, id: &str) -> String {
    format!(
        "/d/{platform}/{document}/provision/{}",
        auth::url_encode(id)
    )
}

/// `parts` cut to at most `max` characters in all, and whether they were.
fn clip_parts(parts: Vec<Part>, max: usize) -> (Vec<Part>, bool) {
    let mut left = max;
    let mut out = Vec::with_capacity(parts.len());
    for p in parts {
        let n = p.text.chars().count();
        if n <= left {
            left -= n;
            out.push(p);
            continue;
        }
        let (text, _) = paging::clip(&p.text, left);
        out.push(part(text, p.op));
        return (out, true);
    }
    (out, false)
}

/// What one change costs on a page: its texts (as shown) and markup.
fn change_cost(c: &ProvisionChange) -> usize {
    let len = |t: &Option<String>| t.as_ref().map_or(0, |t| t.len().min(views::TEXT_CLIP));
    // Side by side and inline both carry the texts.
    2 * (len(&c.old_text) + len(&c.new_text)) + 400
}

/// A diff split the way the page shows it: one page of its changes
/// (substantive first), the unchanged provisions collapsed behind a link
/// that loads them on demand.
#[derive(Debug, Clone)]
pub(crate) struct DiffParts {
    pub(crate) view: DiffView,
    pub(crate) substantive: Vec<ChangeRow>,
    pub(crate) cosmetic: Vec<ChangeRow>,
    /// Substantive changes in the whole diff.
    pub(crate) substantive_total: usize,
    /// Cosmetic changes in the whole diff.
    pub(crate) cosmetic_total: usize,
    /// Unchanged provisions in the whole diff.
    pub(crate) unchanged: usize,
    /// Runs of consecutive unchanged provisions.
    pub(crate) runs: usize,
    pub(crate) pager: Pager,
    pub(crate) inline: bool,
}

impl DiffParts {
    fn new(view: DiffView, inline: bool, page: Option<usize>) -> DiffParts {
        let changes = &view.change_set.changes;
        let is_unchanged = |c: &ProvisionChange| c.kind == ChangeKind::Unchanged;
        let (mut order, cosmetic): (Vec<usize>, Vec<usize>) = (0..changes.len())
            .filter(|&i| !is_unchanged(&changes[i]))
            .partition(|&i| changes[i].significance == Significance::Substantive);
        let substantive_total = order.len();
        let cosmetic_total = cosmetic.len();
        order.extend(cosmetic);
        let unchanged = changes.len() - order.len();
        let runs = changes
            .iter()
            .enumerate()
            .filter(|(i, c)| is_unchanged(c) && (*i == 0 || !is_unchanged(&changes[i - 1])))
            .count();
        let pages = paging::budget_pages(
            order.iter().map(|&i| change_cost(&changes[i])),
            views::PAGE_BUDGET * 2,
            views::PAGE_ITEMS,
        );
        let index = page.unwrap_or(1).clamp(1, pages.len()) - 1;
        let range = pages.get(index).cloned().unwrap_or(0..0);
        let doc = view.new.document.clone();
        let labels: std::collections::HashMap<usize, &cw_model::LabelChange> = view
            .why
            .label_changes
            .iter()
            .map(|l| (l.change, l))
            .collect();
        let mut substantive = Vec::new();
        let mut cosmetic = Vec::new();
        for (k, &i) in order.iter().enumerate().skip(range.start).take(range.len()) {
            let row = change_row(&changes[i], &doc, labels.get(&i).copied());
            if k < substantive_total {
                substantive.push(row);
            } else {
                cosmetic.push(row);
            }
        }
        let mut parts = DiffParts {
            view,
            substantive,
            cosmetic,
            substantive_total,
            cosmetic_total,
            unchanged,
            runs,
            pager: Pager::default(),
            inline,
        };
        let prefix = parts.query_prefix();
        let layout = if inline { "inline" } else { "side" };
        parts.pager = Pager::new(&pages, index, |n| {
            format!("?{prefix}view={layout}&page={n}")
        });
        parts
    }

    fn self_href(&self, inline: bool) -> String {
        format!(
            "?{}view={}&page={}",
            self.query_prefix(),
            if inline { "inline" } else { "side" },
            self.pager.page.max(1)
        )
    }

    fn query_prefix(&self) -> String {
        let (o, n) = (&self.view.old, &self.view.new);
        if o.document == n.document {
            format!("from={}&to={}&", o.version, n.version)
        } else {
            format!(
                "left={}&right={}&",
                auth::url_encode(&format!("{}@{}", o.document, o.version)),
                auth::url_encode(&format!("{}@{}", n.document, n.version))
            )
        }
    }

    /// Link to the side-by-side view of this diff.
    pub(crate) fn side_href(&self) -> String {
        self.self_href(false)
    }

    /// Link to the inline view of this diff.
    pub(crate) fn inline_href(&self) -> String {
        self.self_href(true)
    }

    /// The page listing the unchanged provisions (loaded into the diff page
    /// on demand).
    pub(crate) fn unchanged_href(&self) -> String {
        let (o, n) = (&self.view.old, &self.view.new);
        let base = if o.document == n.document {
            format!("/d/{}/diff/unchanged", n.document)
        } else {
            "/compare/unchanged".to_string()
        };
        let prefix = self.query_prefix();
        format!("{base}?{}", prefix.trim_end_matches('&'))
    }
}

/// One unchanged provision on the unchanged-provisions page.
#[derive(Debug, Clone)]
struct UnchangedRow {
    /// Set on the first provision of a run: the run's length.
    run: Option<usize>,
    heading: String,
    id: String,
    text: String,
    link: String,
}

#[derive(Template)]
#[template(path = "unchanged.html")]
struct UnchangedPage {
    chrome: Chrome,
    diff_href: String,
    rows: Vec<UnchangedRow>,
    pager: Pager,
}

/// The unchanged provisions of a diff, in reading order, one budgeted page
/// at a time, each run of them introduced by its length.
fn unchanged_page(
    caller: &Caller,
    view: &DiffView,
    page: Option<usize>,
    base: &str,
    diff_href: String,
) -> PageResult {
    let changes = &view.change_set.changes;
    let unchanged: Vec<usize> = (0..changes.len())
        .filter(|&i| changes[i].kind == ChangeKind::Unchanged)
        .collect();
    let pages = paging::budget_pages(
        unchanged.iter().map(|&i| change_cost(&changes[i]) / 2),
        views::PAGE_BUDGET,
        views::PAGE_ITEMS,
    );
    let index = page.unwrap_or(1).clamp(1, pages.len()) - 1;
    let range = pages.get(index).cloned().unwrap_or(0..0);
    let (platform, document) = view
        .new
        .document
        .split_once('/')
        .unwrap_or((&view.new.document, ""));
    let rows = unchanged[range]
        .iter()
        .map(|&i| {
            let c = &changes[i];
            let starts = i == 0 || changes[i - 1].kind != ChangeKind::Unchanged;
            let run = starts.then(|| {
                changes[i..]
                    .iter()
                    .take_while(|c| c.kind == ChangeKind::Unchanged)
                    .count()
            });
            let id = c.new_id.clone().unwrap_or_default();
            let text = c.new_text.as_deref().unwrap_or_default();
            let (text, clipped) = paging::clip(text, views::TEXT_CLIP);
            UnchangedRow {
                run,
                heading: c.heading_path.join(" › "),
                link: format!(
                    "{}?version={}",
                    provision_href(platform, document, &id),
                    view.new.version
                ),
                id,
                text: if clipped {
                    format!("{text}…")
                } else {
                    text.to_string()
                },
            }
        })
        .collect();
    let pager = Pager::new(&pages, index, |n| format!("{base}&page={n}"));
    render(&UnchangedPage {
        chrome: Chrome::new(
            caller,
            format!(
                "Unchanged: {}@{} → @{}",
                view.old.document, view.old.version, view.new.version
            ),
            "documents",
        ),
        diff_href,
        rows,
        pager,
    })
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    stats: views::Stats,
    recent: Vec<views::TimelineEntry>,
    platforms: Vec<views::PlatformSummary>,
}

impl DashboardPage {
    fn diff_href(&self, e: &views::TimelineEntry) -> String {
        let (p, d) = e.document.split_once('/').unwrap_or((&e.document, ""));
        format!(
            "/d/{p}/{d}/diff?from={}&to={}",
            e.old_version.unwrap_or(0),
            e.version
        )
    }
}

/// `GET /`: recent substantive changes.
pub(crate) async fn dashboard(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> PageResult {
    render(&DashboardPage {
        chrome: Chrome::new(&caller, "What changed", "home"),
        stats: views::stats(&state).await?,
        recent: views::recent_changes(&state, views::RECENT_LIMIT).await?,
        platforms: views::platforms(&state).await?,
    })
}

#[derive(Template)]
#[template(path = "documents.html")]
struct DocumentsPage {
    chrome: Chrome,
    heading: String,
    platforms: Vec<views::PlatformSummary>,
}

/// `GET /documents`: every platform and document.
pub(crate) async fn documents(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> PageResult {
    render(&DocumentsPage {
        chrome: Chrome::new(&caller, "Documents", "documents"),
        heading: "Documents".into(),
        platforms: views::platforms(&state).await?,
    })
}

/// `GET /p/{platform}`: one platform's documents.
pub(crate) async fn platform(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(slug): Path<String>,
) -> PageResult {
    let p = views::platform(&state, &slug).await?;
    render(&DocumentsPage {
        chrome: Chrome::new(&caller, slug.clone(), "documents"),
        heading: slug,
        platforms: vec![p],
    })
}

#[derive(Template)]
#[template(path = "document.html")]
struct DocumentPage {
    chrome: Chrome,
    detail: views::DocumentDetail,
    timeline: Vec<views::TimelineEntry>,
    chart: Chart,
}

/// `GET /d/{platform}/{document}`: versions, chart, timeline.
pub(crate) async fn document(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((platform, document)): Path<(String, String)>,
) -> PageResult {
    let key = views::key(&platform, &document)?;
    let detail = views::document(&state, &key).await?;
    let mut timeline = views::timeline(&state, &key).await?;
    let chart = svg::chart(&timeline);
    timeline.reverse();
    let title = detail
        .document
        .title
        .clone()
        .unwrap_or_else(|| key.to_string());
    render(&DocumentPage {
        chrome: Chrome::new(&caller, title, "documents"),
        detail,
        timeline,
        chart,
    })
}

/// One block of the version page: a heading, or a provision.
#[derive(Debug, Clone)]
struct Block {
    /// A heading opening here: (depth 1–4, text, anchor id; empty for a
    /// heading repeated at the top of a page as context).
    heading: Option<(usize, String, String)>,
    /// A provision.
    provision: Option<ProvisionRow>,
}

/// A provision on the version page.
#[derive(Debug, Clone)]
struct ProvisionRow {
    view: views::ProvisionView,
    /// The text as shown (cut at [`views::TEXT_CLIP`] characters).
    text: String,
    /// The text was cut.
    clipped: bool,
}

/// One line of the table of contents.
#[derive(Debug, Clone)]
struct TocEntry {
    depth: usize,
    heading: String,
    href: String,
}

/// Headings deeper than this stay out of the table of contents.
const TOC_DEPTH: usize = 3;
/// Entries the table of contents lists at most.
const TOC_MAX: usize = 400;

#[derive(Template)]
#[template(path = "version.html")]
struct VersionPage {
    chrome: Chrome,
    detail: views::VersionDetail,
    blocks: Vec<Block>,
    toc: Vec<TocEntry>,
    toc_more: usize,
    pager: Pager,
    provenance: crate::provenance::Provenance,
    platform: String,
    document: String,
}

impl VersionPage {
    fn href(&self, id: &str) -> String {
        format!(
            "{}?version={}",
            provision_href(&self.platform, &self.document, id),
            self.detail.version.number
        )
    }
}

/// Query of the version page.
#[derive(Debug, Deserialize)]
pub(crate) struct VersionQuery {
    /// 1-based page of a long version.
    page: Option<usize>,
    /// Show the page holding this provision.
    at: Option<String>,
}

/// The blocks of one page of a version: each provision preceded by the
/// headings that open at it; a page starting inside a section repeats that
/// section's headings (without anchors) as context.
fn blocks(detail: &views::VersionDetail) -> Vec<Block> {
    let mut out = Vec::new();
    let mut opening = detail
        .outline
        .iter()
        .enumerate()
        .skip_while(|(_, e)| e.provision < detail.offset)
        .peekable();
    for (i, p) in detail.provisions.iter().enumerate() {
        let index = detail.offset + i;
        let mut opened = false;
        while let Some((n, e)) = opening.next_if(|(_, e)| e.provision == index) {
            opened = true;
            out.push(Block {
                heading: Some((e.depth.min(4), e.heading.clone(), e.anchor(n))),
                provision: None,
            });
        }
        if i == 0 && !opened {
            for (depth, h) in p.heading_path.iter().enumerate() {
                out.push(Block {
                    heading: Some(((depth + 1).min(4), h.clone(), String::new())),
                    provision: None,
                });
            }
        }
        let (text, clipped) = paging::clip(&p.text, views::TEXT_CLIP);
        out.push(Block {
            heading: None,
            provision: Some(ProvisionRow {
                text: text.to_string(),
                clipped,
                view: p.clone(),
            }),
        });
    }
    out
}

/// `GET /d/{platform}/{document}/v/{version}?page=&at=`: a version's text
/// (one page of a long one) under its headings, with a table of contents,
/// labels and findings.
pub(crate) async fn version(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((platform, document, version)): Path<(String, String, String)>,
    Query(q): Query<VersionQuery>,
) -> PageResult {
    let key = views::key(&platform, &document)?;
    let r = views::version_ref(&key, &version)?;
    let part = views::version(
        &state,
        &r,
        &views::Window::Page {
            page: q.page,
            at: q.at.clone(),
        },
    )
    .await?;
    let number = part.detail.version.number;
    let base = format!("/d/{platform}/{document}/v/{number}");
    let page_href = |n: usize| format!("{base}?page={n}");
    let pager = Pager::new(&part.pages, part.page, page_href);
    let mut toc = Vec::new();
    let mut toc_more = 0;
    for (n, e) in part.detail.outline.iter().enumerate() {
        if e.depth > TOC_DEPTH {
            continue;
        }
        if toc.len() == TOC_MAX {
            toc_more += 1;
            continue;
        }
        let on = paging::page_of(&part.pages, e.provision);
        let href = if on == part.page {
            format!("#{}", e.anchor(n))
        } else {
            format!("{}#{}", page_href(on + 1), e.anchor(n))
        };
        toc.push(TocEntry {
            depth: e.depth,
            heading: e.heading.clone(),
            href,
        });
    }
    let blocks = blocks(&part.detail);
    let provenance = crate::provenance::provenance(&state, &r).await?;
    let detail = part.detail;
    let title = format!(
        "{} @{}",
        detail
            .version
            .title
            .clone()
            .unwrap_or_else(|| key.to_string()),
        detail.version.number
    );
    render(&VersionPage {
        chrome: Chrome::new(&caller, title, "documents"),
        detail,
        blocks,
        toc,
        toc_more,
        pager,
        provenance,
        platform,
        document,
    })
}

/// `GET /d/{platform}/{document}/v/{version}/raw/{sha256}`: the archived
/// bytes of one snapshot, as a download (never rendered here).
pub(crate) async fn raw(
    State(state): State<AppState>,
    Path((platform, document, version, sha256)): Path<(String, String, String, String)>,
) -> Result<Response, PageError> {
    let r = views::version_ref(&views::key(&platform, &document)?, &version)?;
    Ok(crate::provenance::raw(&state, &r, &sha256).await?)
}

#[derive(Template)]
#[template(path = "diff.html")]
struct DiffPage {
    chrome: Chrome,
    diff: DiffParts,
    compare: Option<CompareForm>,
    nav: Option<DiffNav>,
}

/// The version pickers and previous/next links of a document's diff page.
#[derive(Debug, Clone)]
pub(crate) struct DiffNav {
    /// Every version: number and "@n · date".
    pub(crate) versions: Vec<(u32, String)>,
    /// The versions compared.
    pub(crate) from: u32,
    pub(crate) to: u32,
    /// The change before this one (ending at `from`), if any.
    pub(crate) prev: Option<String>,
    /// The change after this one (starting at `to`), if any.
    pub(crate) next: Option<String>,
}

impl DiffNav {
    fn new(
        key: &cw_model::DocumentKey,
        versions: &[views::VersionSummary],
        from: u32,
        to: u32,
    ) -> DiffNav {
        let pos = |n: u32| versions.iter().position(|v| v.number == n);
        let href = |a: &views::VersionSummary, b: &views::VersionSummary| {
            format!("/d/{key}/diff?from={}&to={}", a.number, b.number)
        };
        let prev = pos(from)
            .filter(|&i| i > 0)
            .and_then(|i| Some(href(versions.get(i - 1)?, versions.get(i)?)));
        let next = pos(to).and_then(|i| Some(href(versions.get(i)?, versions.get(i + 1)?)));
        DiffNav {
            versions: versions
                .iter()
                .map(|v| {
                    (
                        v.number,
                        format!("@{} · {}", v.number, v.observed_at.format("%Y-%m-%d")),
                    )
                })
                .collect(),
            from,
            to,
            prev,
            next,
        }
    }
}

/// The view switch of the diff pages.
#[derive(Debug, Deserialize)]
pub(crate) struct ViewQuery {
    view: Option<String>,
    from: Option<String>,
    to: Option<String>,
    /// 1-based page of the changes (or of the unchanged provisions).
    page: Option<usize>,
}

impl ViewQuery {
    /// The diff of a document this query asks for.
    async fn diff_view(
        &self,
        state: &AppState,
        platform: &str,
        document: &str,
    ) -> Result<(cw_model::DocumentKey, DiffView), PageError> {
        let key = views::key(platform, document)?;
        let q = views::DiffQuery {
            from: self.from.clone(),
            to: self.to.clone(),
        };
        let view = views::diff(state, &key, &q).await?;
        Ok((key, view))
    }
}

/// `GET /d/{platform}/{document}/diff?from=&to=&view=inline|side`.
pub(crate) async fn diff(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((platform, document)): Path<(String, String)>,
    Query(q): Query<ViewQuery>,
) -> PageResult {
    let (key, view) = q.diff_view(&state, &platform, &document).await?;
    let title = format!("{key}: @{} → @{}", view.old.version, view.new.version);
    let versions = views::versions(&state, &key).await?;
    let nav = DiffNav::new(&key, &versions, view.old.version, view.new.version);
    render(&DiffPage {
        chrome: Chrome::new(&caller, title, "documents"),
        diff: DiffParts::new(view, q.view.as_deref() == Some("inline"), q.page),
        compare: None,
        nav: Some(nav),
    })
}

/// `GET /d/{platform}/{document}/diff/unchanged?from=&to=&page=`: the
/// unchanged provisions of a diff (the diff page loads them on demand).
pub(crate) async fn diff_unchanged(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((platform, document)): Path<(String, String)>,
    Query(q): Query<ViewQuery>,
) -> PageResult {
    let (key, view) = q.diff_view(&state, &platform, &document).await?;
    let query = format!("from={}&to={}", view.old.version, view.new.version);
    let diff_href = format!("/d/{key}/diff?{query}");
    let base = format!("/d/{key}/diff/unchanged?{query}");
    unchanged_page(&caller, &view, q.page, &base, diff_href)
}

/// The document a comparison with `left` starts from: a variant of it
/// (same platform and type), else another document of the platform, else
/// any other document.
fn default_right(all: &[views::DocumentSummary], left: &str) -> Option<String> {
    let doc = left.split('@').next().unwrap_or(left);
    let l = all.iter().find(|d| d.key == doc)?;
    let others = || all.iter().filter(|d| d.key != l.key);
    others()
        .find(|d| d.platform == l.platform && d.doc_type == l.doc_type)
        .or_else(|| others().find(|d| d.platform == l.platform))
        .or_else(|| others().next())
        .map(|d| d.key.clone())
}

/// The document pickers of the compare page.
#[derive(Debug, Clone)]
pub(crate) struct CompareForm {
    /// (value, label): each document (latest) and each of its versions.
    pub(crate) documents: Vec<(String, String)>,
    pub(crate) left: String,
    pub(crate) right: String,
}

/// Query of the compare page.
#[derive(Debug, Deserialize)]
pub(crate) struct CompareQuery {
    left: Option<String>,
    right: Option<String>,
    view: Option<String>,
    /// 1-based page of the changes (or of the unchanged provisions).
    page: Option<usize>,
}

#[derive(Template)]
#[template(path = "compare.html")]
struct ComparePage {
    chrome: Chrome,
    form: CompareForm,
}

/// `GET /compare?left=&right=`: two documents side by side.
pub(crate) async fn compare(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<CompareQuery>,
) -> PageResult {
    let all = views::documents(&state).await?;
    let mut documents = Vec::new();
    for d in &all {
        documents.push((d.key.clone(), format!("{} (latest)", d.key)));
        let key = views::key(&d.platform, &d.document)?;
        for v in views::versions(&state, &key).await?.iter().rev() {
            documents.push((
                format!("{}@{}", d.key, v.number),
                format!(
                    "{} @{} · {}",
                    d.key,
                    v.number,
                    v.observed_at.format("%Y-%m-%d")
                ),
            ));
        }
    }
    let left = q
        .left
        .clone()
        .filter(|l| !l.trim().is_empty())
        .or_else(|| all.first().map(|d| d.key.clone()))
        .unwrap_or_default();
    // Never a document against itself: the right side defaults to a
    // variant of the left document (same platform and type), else the next one.
    let right = q
        .right
        .clone()
        .filter(|r| !r.trim().is_empty())
        .or_else(|| default_right(&all, &left))
        .unwrap_or_default();
    let form = CompareForm {
        documents,
        left: left.clone(),
        right: right.clone(),
    };
    if q.left.is_none() || q.right.is_none() {
        return render(&ComparePage {
            chrome: Chrome::new(&caller, "Compare documents", "compare"),
            form,
        });
    }
    let view = views::compare(&state, &views::CompareQuery { left, right }).await?;
    let title = format!("{} vs {}", view.old.document, view.new.document);
    render(&DiffPage {
        chrome: Chrome::new(&caller, title, "compare"),
        diff: DiffParts::new(view, q.view.as_deref() == Some("inline"), q.page),
        compare: Some(form),
        nav: None,
    })
}

/// `GET /compare/unchanged?left=&right=&page=`: the unchanged provisions of
/// a comparison.
pub(crate) async fn compare_unchanged(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<CompareQuery>,
) -> PageResult {
    let (left, right) = (
        q.left.clone().unwrap_or_default(),
        q.right.clone().unwrap_or_default(),
    );
    let view = views::compare(&state, &views::CompareQuery { left, right }).await?;
    let query = format!(
        "left={}&right={}",
        auth::url_encode(&format!("{}@{}", view.old.document, view.old.version)),
        auth::url_encode(&format!("{}@{}", view.new.document, view.new.version))
    );
    let diff_href = format!("/compare?{query}");
    let base = format!("/compare/unchanged?{query}");
    unchanged_page(&caller, &view, q.page, &base, diff_href)
}

/// A label with its evidence cut out for highlighting.
#[derive(Debug, Clone)]
struct Evidence {
    label: LabelView,
    before: String,
    evidence: String,
    after: String,
}

fn evidence(text: &str, l: &LabelView) -> Evidence {
    let chars: Vec<char> = text.chars().collect();
    let (s, e) = (l.span[0].min(chars.len()), l.span[1].min(chars.len()));
    let (s, e) = (s.min(e), e);
    Evidence {
        label: l.clone(),
        before: chars[..s].iter().collect(),
        evidence: chars[s..e].iter().collect(),
        after: chars[e..].iter().collect(),
    }
}

#[derive(Template)]
#[template(path = "provision.html")]
struct ProvisionPage {
    chrome: Chrome,
    detail: views::ProvisionDetail,
    evidence: Vec<Evidence>,
    platform: String,
    document: String,
    history: Vec<(views::HistoryEntry, Vec<Part>)>,
}

impl ProvisionPage {
    fn peer_href(&self, s: &views::SimilarView) -> String {
        let (p, d) = s.document.split_once('/').unwrap_or((&s.document, ""));
        provision_href(p, d, &s.provision_id)
    }
}

/// `GET /d/{platform}/{document}/provision/{*id}?version=`.
pub(crate) async fn provision(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((platform, document, id)): Path<(String, String, String)>,
    Query(q): Query<views::ProvisionQuery>,
) -> PageResult {
    let key = views::key(&platform, &document)?;
    let detail = views::provision(&state, &key, &id, &q).await?;
    let evidence = detail
        .provision
        .labels
        .iter()
        .map(|l| evidence(&detail.provision.text, l))
        .collect();
    let history = detail
        .history
        .iter()
        .map(|h| {
            let parts = if h.words.is_empty() {
                vec![part(&h.text, "eq")]
            } else {
                h.words
                    .iter()
                    .map(|w| {
                        part(
                            &w.text,
                            match w.op {
                                WordOpKind::Equal => "eq",
                                WordOpKind::Delete => "del",
                                WordOpKind::Insert => "ins",
                            },
                        )
                    })
                    .collect()
            };
            (h.clone(), parts)
        })
        .collect();
    let title = format!("{key} · {id}");
    render(&ProvisionPage {
        chrome: Chrome::new(&caller, title, "documents"),
        detail,
        evidence,
        platform,
        document,
        history,
    })
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    chrome: Chrome,
    query: String,
    all: bool,
    results: Option<cw_search::SearchResults>,
    error: Option<String>,
}

impl SearchPage {
    /// The plain snippet split at its `[[…]]` markers: (text, highlighted).
    fn marks(&self, h: &cw_search::SearchHit) -> Vec<(String, bool)> {
        highlights(&h.snippet_text)
    }

    /// A label's readable name.
    fn label_name(&self, id: &str) -> String {
        views::label_name(id)
    }

    fn href(&self, h: &cw_search::SearchHit) -> String {
        let (p, d) = h.document.split_once('/').unwrap_or((&h.document, ""));
        format!(
            "{}?version={}",
            provision_href(p, d, &h.provision_id),
            h.version_number
        )
    }
}

/// `GET /search?q=&all=`.
pub(crate) async fn search(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<views::SearchQuery>,
) -> PageResult {
    let mut chrome = Chrome::new(&caller, "Search", "search");
    chrome.query = q.q.clone();
    let (results, error) = if q.q.trim().is_empty() {
        (None, None)
    } else {
        match views::search(&state, &q).await {
            Ok(r) => (Some(r), None),
            Err(ApiError::BadQuery(m)) => (None, Some(m)),
            Err(e) => return Err(e.into()),
        }
    };
    render(&SearchPage {
        chrome,
        query: q.q.clone(),
        all: q.all,
        results,
        error,
    })
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    next: String,
    error: Option<String>,
}

/// Query of the login page.
#[derive(Debug, Deserialize)]
pub(crate) struct LoginQuery {
    next: Option<String>,
}

/// `GET /login`.
pub(crate) async fn login_form(
    Extension(caller): Extension<Caller>,
    Query(q): Query<LoginQuery>,
) -> PageResult {
    render(&LoginPage {
        chrome: Chrome::new(&caller, "Sign in", ""),
        next: auth::safe_next(q.next.as_deref())?,
        error: None,
    })
}

/// The login form.
#[derive(Debug, Deserialize)]
pub(crate) struct LoginForm {
    token: String,
    csrf: String,
    next: Option<String>,
}

/// `POST /login`: checks the token and sets the session cookie.
pub(crate) async fn login(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Form(f): Form<LoginForm>,
) -> PageResult {
    caller.check_csrf(&f.csrf)?;
    let next = auth::safe_next(f.next.as_deref())?;
    let token = f.token.trim();
    let ok = state
        .store()
        .authenticate_token(token)
        .await
        .map_err(ApiError::from)?
        .is_some();
    if !ok {
        let page = LoginPage {
            chrome: Chrome::new(&caller, "Sign in", ""),
            next,
            error: Some("That token is not valid.".into()),
        };
        let mut resp = render(&page)?;
        *resp.status_mut() = StatusCode::UNAUTHORIZED;
        return Ok(resp);
    }
    let mut resp = Redirect::to(&next).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
    )) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(resp)
}

/// The sign-out form.
#[derive(Debug, Deserialize)]
pub(crate) struct CsrfForm {
    csrf: String,
}

/// `POST /logout`: clears the session cookie.
pub(crate) async fn logout(
    Extension(caller): Extension<Caller>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    caller.check_csrf(&f.csrf)?;
    let mut resp = Redirect::to("/").into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_static("cw_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    Ok(resp)
}

/// Any other path.
pub(crate) async fn not_found(Extension(caller): Extension<Caller>) -> Response {
    let _ = caller;
    PageError(ApiError::NotFound("page".into())).into_response()
}

/// A snippet with `[[…]]` around its matches, as runs of (text,
/// highlighted): the template wraps highlighted runs in `<mark>`, escaping
/// every run like any other text.
pub(crate) fn highlights(snippet: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut rest = snippet;
    while let Some(start) = rest.find("[[") {
        let Some(len) = rest[start + 2..].find("]]") else {
            break;
        };
        if start > 0 {
            out.push((rest[..start].to_string(), false));
        }
        out.push((rest[start + 2..start + 2 + len].to_string(), true));
        rest = &rest[start + 2 + len + 2..];
    }
    if !rest.is_empty() {
        out.push((rest.to_string(), false));
    }
    out
}

/// Short text for lists.
pub(crate) fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max).collect();
        t.push('…');
        t
    }
}

#[derive(Template)]
#[template(path = "sources.html")]
struct SourcesPage {
    chrome: Chrome,
    sources: Vec<watching::SourceView>,
    all: bool,
    problems: usize,
    admin: bool,
    viewer: bool,
    form: TrackForm,
    error: Option<String>,
    notice: Option<String>,
}

/// The "track a URL" form as typed.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub(crate) struct TrackForm {
    csrf: String,
    url: String,
    platform: String,
    document: String,
    /// `every` or `cron`.
    when: String,
    every: String,
    cron: String,
    confirmations: String,
    language: String,
    /// `auto` (fallback on), `always` or `never`.
    browser: String,
    allow_private: Option<String>,
}

impl Default for TrackForm {
    fn default() -> Self {
        TrackForm {
            csrf: String::new(),
            url: String::new(),
            platform: String::new(),
            document: String::new(),
            when: "every".into(),
            every: "6h".into(),
            cron: String::new(),
            confirmations: cw_engine::watch::DEFAULT_CONFIRMATIONS.to_string(),
            language: String::new(),
            browser: "auto".into(),
            allow_private: None,
        }
    }
}

impl TrackForm {
    /// The API's request for what was typed (the schedule field not chosen
    /// is ignored).
    fn request(&self) -> Result<watching::NewSource, ApiError> {
        let confirmations = match self.confirmations.trim() {
            "" => None,
            n => Some(n.parse::<u32>().map_err(|_| {
                ApiError::BadRequest(format!("confirmations: {n:?} is not a whole number"))
            })?),
        };
        let cron = self.when == "cron";
        Ok(watching::NewSource {
            url: self.url.clone(),
            platform: self.platform.clone(),
            document: self.document.clone(),
            every: (!cron).then(|| self.every.clone()),
            cron: cron.then(|| self.cron.clone()),
            browser: self.browser == "always",
            no_browser: self.browser == "never",
            language: Some(self.language.clone()),
            allow_private: self.allow_private.is_some(),
            confirmations,
            ..watching::NewSource::default()
        })
    }
}

/// Query of the sources page: `all`, and the outcome of the last form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct SourcesPageQuery {
    all: bool,
    tracked: Option<String>,
}

/// Whether the caller may change things, and is signed in at all.
fn roles(caller: &Caller) -> (bool, bool) {
    (
        caller.is_admin(),
        caller.role.is_some() && !caller.is_admin(),
    )
}

async fn sources_page(
    state: &AppState,
    caller: &Caller,
    all: bool,
    form: TrackForm,
    error: Option<String>,
    notice: Option<String>,
) -> Result<SourcesPage, PageError> {
    let sources = watching::sources(state, all).await?;
    let problems = sources
        .iter()
        .filter(|s| s.state.status == "problem")
        .count();
    let (admin, viewer) = roles(caller);
    Ok(SourcesPage {
        chrome: Chrome::new(caller, "Sources", "sources"),
        sources,
        all,
        problems,
        admin,
        viewer,
        form,
        error,
        notice,
    })
}

/// `GET /sources?all=`: every tracked source with its fetch state, and for
/// admins the form to track a URL.
pub(crate) async fn sources(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<SourcesPageQuery>,
) -> PageResult {
    let notice = q.tracked.map(|d| {
        format!("Tracking {d}: due now, fetched at the watcher's next look at the schedule.")
    });
    render(&sources_page(&state, &caller, q.all, TrackForm::default(), None, notice).await?)
}

/// `POST /sources`: the track form (CSRF-checked, admin only). Errors show
/// the form again with what was typed.
pub(crate) async fn track_source(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Form(f): Form<TrackForm>,
) -> PageResult {
    caller.check_csrf(&f.csrf)?;
    caller.require_admin()?;
    let outcome = match f.request() {
        Ok(new) => watching::track(&state, new).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(view) => Ok(Redirect::to(&format!(
            "/sources?tracked={}",
            auth::url_encode(&view.document)
        ))
        .into_response()),
        Err(e @ (ApiError::BadRequest(_) | ApiError::Conflict(_))) => {
            let status = e.status();
            let mut form = f;
            form.csrf.clear();
            let page =
                sources_page(&state, &caller, false, form, Some(e.to_string()), None).await?;
            let mut resp = render(&page)?;
            *resp.status_mut() = status;
            Ok(resp)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "source.html")]
struct SourcePage {
    chrome: Chrome,
    s: watching::SourceView,
    attempts: Vec<watching::AttemptView>,
    admin: bool,
    notice: Option<String>,
}

/// Query of a source's page: the action just done.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct SourcePageQuery {
    done: Option<String>,
}

/// `GET /sources/{platform}/{document}`: a source and its recent fetch
/// attempts; for admins, re-check, pause/resume and subscribe.
pub(crate) async fn source(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((platform, document)): Path<(String, String)>,
    Query(q): Query<SourcePageQuery>,
) -> PageResult {
    let key = views::key(&platform, &document)?;
    let detail = watching::source(&state, &key).await?;
    let notice = q
        .done
        .as_deref()
        .and_then(|d| watching::SourceAction::parse(d).ok())
        .map(|a| format!("{key} {}.", a.done()));
    render(&SourcePage {
        chrome: Chrome::new(&caller, format!("Source of {key}"), "sources"),
        s: detail.source,
        attempts: detail.attempts,
        admin: caller.is_admin(),
        notice,
    })
}

/// `POST /sources/{platform}/{document}/{recheck|pause|resume}`
/// (CSRF-checked, admin only).
pub(crate) async fn source_action(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((platform, document, action)): Path<(String, String, String)>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    caller.check_csrf(&f.csrf)?;
    caller.require_admin()?;
    let key = views::key(&platform, &document)?;
    let action = watching::SourceAction::parse(&action)?;
    watching::act_on_source(&state, &key, action).await?;
    Ok(Redirect::to(&format!("/sources/{key}?done={}", action.name())).into_response())
}

/// The subscription form as typed (never the secret).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct SubscriptionForm {
    csrf: String,
    channel: String,
    webhook: String,
    secret: String,
    email: String,
    feed: String,
    platforms: String,
    documents: String,
    labels: String,
    substantive_only: Option<String>,
    allow_private: Option<String>,
}

impl SubscriptionForm {
    /// Splits a list field on commas and white space.
    fn list(s: &str) -> Vec<String> {
        s.split(|c: char| c == ',' || c.is_whitespace())
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// The request for the chosen channel only: text left in the other
    /// channels' fields is ignored.
    fn request(&self) -> cw_notify::SubscriptionRequest {
        let pick = |name: &str, value: &str| {
            (self.channel == name && !value.trim().is_empty()).then(|| value.to_string())
        };
        cw_notify::SubscriptionRequest {
            webhook: pick("webhook", &self.webhook),
            secret: pick("webhook", &self.secret),
            email: if self.channel == "email" {
                Self::list(&self.email)
            } else {
                Vec::new()
            },
            feed: pick("feed", &self.feed),
            filter: cw_notify::Filter {
                platforms: Self::list(&self.platforms),
                documents: Self::list(&self.documents),
                labels: Self::list(&self.labels),
                substantive_only: self.substantive_only.is_some(),
                flags: Vec::new(),
            },
            allow_private: self.allow_private.is_some(),
        }
    }

    /// The form to show again after an error: everything but the secret.
    fn redisplay(mut self) -> SubscriptionForm {
        self.secret.clear();
        self.csrf.clear();
        self
    }
}

#[derive(Template)]
#[template(path = "subscriptions.html")]
struct SubscriptionsPage {
    chrome: Chrome,
    subscriptions: Vec<watching::SubscriptionView>,
    admin: bool,
    viewer: bool,
    form: SubscriptionForm,
    error: Option<String>,
    notice: Option<String>,
    documents: Vec<String>,
}

/// Query of the subscriptions page: the outcome of the last form, or a
/// document to fill in (the source page's "subscribe" link).
#[derive(Debug, Deserialize)]
pub(crate) struct SubscriptionsPageQuery {
    created: Option<String>,
    removed: Option<String>,
    document: Option<String>,
}

async fn subscriptions_page(
    state: &AppState,
    caller: &Caller,
    form: SubscriptionForm,
    error: Option<String>,
    notice: Option<String>,
) -> Result<SubscriptionsPage, PageError> {
    let documents = views::documents(state)
        .await?
        .into_iter()
        .map(|d| d.key)
        .collect();
    Ok(SubscriptionsPage {
        chrome: Chrome::new(caller, "Subscriptions", "subscriptions"),
        subscriptions: watching::subscriptions(state, false, caller.is_admin()).await?,
        admin: roles(caller).0,
        viewer: roles(caller).1,
        form,
        error,
        notice,
        documents,
    })
}

/// `GET /subscriptions`: the list, and for admins the form to add one.
pub(crate) async fn subscriptions(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<SubscriptionsPageQuery>,
) -> PageResult {
    let notice = match (q.created, q.removed) {
        (Some(name), _) => Some(format!("Subscription {name} created.")),
        (None, Some(name)) => Some(format!("Subscription {name} removed.")),
        (None, None) => None,
    };
    let form = SubscriptionForm {
        channel: "webhook".into(),
        documents: q.document.unwrap_or_default(),
        ..SubscriptionForm::default()
    };
    render(&subscriptions_page(&state, &caller, form, None, notice).await?)
}

/// `POST /subscriptions`: the form (CSRF-checked, admin only). Errors show
/// the form again with what was typed (but not the secret).
pub(crate) async fn create_subscription(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Form(f): Form<SubscriptionForm>,
) -> PageResult {
    caller.check_csrf(&f.csrf)?;
    caller.require_admin()?;
    match watching::create_subscription(&state, f.request()).await {
        Ok(view) => Ok(Redirect::to(&format!(
            "/subscriptions?created={}",
            auth::url_encode(&view.name)
        ))
        .into_response()),
        Err(e @ (ApiError::BadRequest(_) | ApiError::Conflict(_))) => {
            let status = e.status();
            let page =
                subscriptions_page(&state, &caller, f.redisplay(), Some(e.to_string()), None)
                    .await?;
            let mut resp = render(&page)?;
            *resp.status_mut() = status;
            Ok(resp)
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /subscriptions/{id}/remove` (CSRF-checked, admin only).
pub(crate) async fn remove_subscription(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    caller.check_csrf(&f.csrf)?;
    caller.require_admin()?;
    let name = watching::subscriptions(&state, false, true)
        .await?
        .into_iter()
        .find(|s| s.id.to_string() == id)
        .map(|s| s.name)
        .unwrap_or_else(|| id.clone());
    watching::remove_subscription(&state, &id).await?;
    Ok(Redirect::to(&format!(
        "/subscriptions?removed={}",
        auth::url_encode(&name)
    ))
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_split_at_markers() {
        let h = highlights("We may [[suspend]] your [[account]].");
        let marked: Vec<&str> = h.iter().filter(|p| p.1).map(|p| p.0.as_str()).collect();
        assert_eq!(marked, vec!["suspend", "account"]);
        let text: String = h.iter().map(|p| p.0.as_str()).collect();
        assert_eq!(text, "We may suspend your account.");
        assert_eq!(
            highlights("open [[ only"),
            vec![("open [[ only".to_string(), false)]
        );
    }
}
