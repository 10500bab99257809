//! The web UI: server-rendered pages (askama templates in `templates/`, so
//! every value is HTML-escaped unless a template says otherwise, and none
//! does), built from the same views the JSON API returns. Document text is
//! hostile input: it only ever reaches a page as escaped text.

use crate::auth::{self, Caller, SESSION_COOKIE};
use crate::error::ApiError;
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
}

fn part(text: &str, op: &'static str) -> Part {
    Part {
        text: text.to_string(),
        op,
    }
}

fn change_row(c: &ProvisionChange, new_doc: &str) -> ChangeRow {
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
    let (platform, document) = new_doc.split_once('/').unwrap_or((new_doc, ""));
    ChangeRow {
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

/// A diff split the way the page shows it.
#[derive(Debug, Clone)]
pub(crate) struct DiffParts {
    pub(crate) view: DiffView,
    pub(crate) substantive: Vec<ChangeRow>,
    pub(crate) cosmetic: Vec<ChangeRow>,
    pub(crate) unchanged: Vec<ChangeRow>,
    pub(crate) inline: bool,
}

impl DiffParts {
    fn new(view: DiffView, inline: bool) -> DiffParts {
        let doc = view.new.document.clone();
        let mut substantive = Vec::new();
        let mut cosmetic = Vec::new();
        let mut unchanged = Vec::new();
        for c in &view.change_set.changes {
            let row = change_row(c, &doc);
            if c.kind == ChangeKind::Unchanged {
                unchanged.push(row);
            } else if c.significance == Significance::Substantive {
                substantive.push(row);
            } else {
                cosmetic.push(row);
            }
        }
        DiffParts {
            view,
            substantive,
            cosmetic,
            unchanged,
            inline,
        }
    }

    fn self_href(&self, inline: bool) -> String {
        format!(
            "?{}view={}",
            self.query_prefix(),
            if inline { "inline" } else { "side" }
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

/// A provision with its labels, grouped under a heading for the version page.
#[derive(Debug, Clone)]
struct Section {
    heading: String,
    depth: usize,
    provisions: Vec<views::ProvisionView>,
}

#[derive(Template)]
#[template(path = "version.html")]
struct VersionPage {
    chrome: Chrome,
    detail: views::VersionDetail,
    sections: Vec<Section>,
    platform: String,
    document: String,
}

impl VersionPage {
    fn href(&self, id: &str) -> String {
        provision_href(&self.platform, &self.document, id)
    }
}

/// `GET /d/{platform}/{document}/v/{version}`: a version's text, labels and findings.
pub(crate) async fn version(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((platform, document, version)): Path<(String, String, String)>,
) -> PageResult {
    let key = views::key(&platform, &document)?;
    let r = views::version_ref(&key, &version)?;
    let detail = views::version(&state, &r).await?;
    let mut sections: Vec<Section> = Vec::new();
    for p in &detail.provisions {
        if p.kind == cw_model::ProvisionKind::Heading {
            sections.push(Section {
                heading: p.text.clone(),
                depth: p.heading_path.len().clamp(1, 4),
                provisions: Vec::new(),
            });
            continue;
        }
        match sections.last_mut() {
            Some(s) => s.provisions.push(p.clone()),
            None => sections.push(Section {
                heading: String::new(),
                depth: 1,
                provisions: vec![p.clone()],
            }),
        }
    }
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
        sections,
        platform,
        document,
    })
}

#[derive(Template)]
#[template(path = "diff.html")]
struct DiffPage {
    chrome: Chrome,
    diff: DiffParts,
    compare: Option<CompareForm>,
}

/// The view switch of the diff pages.
#[derive(Debug, Deserialize)]
pub(crate) struct ViewQuery {
    view: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// `GET /d/{platform}/{document}/diff?from=&to=&view=inline|side`.
pub(crate) async fn diff(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((platform, document)): Path<(String, String)>,
    Query(q): Query<ViewQuery>,
) -> PageResult {
    let key = views::key(&platform, &document)?;
    let view = views::diff(
        &state,
        &key,
        &views::DiffQuery {
            from: q.from.clone(),
            to: q.to.clone(),
        },
    )
    .await?;
    let title = format!("{key}: @{} → @{}", view.old.version, view.new.version);
    render(&DiffPage {
        chrome: Chrome::new(&caller, title, "documents"),
        diff: DiffParts::new(view, q.view.as_deref() == Some("inline")),
        compare: None,
    })
}

/// The document pickers of the compare page.
#[derive(Debug, Clone)]
pub(crate) struct CompareForm {
    pub(crate) documents: Vec<String>,
    pub(crate) left: String,
    pub(crate) right: String,
}

/// Query of the compare page.
#[derive(Debug, Deserialize)]
pub(crate) struct CompareQuery {
    left: Option<String>,
    right: Option<String>,
    view: Option<String>,
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
    let documents: Vec<String> = views::documents(&state)
        .await?
        .into_iter()
        .map(|d| d.key)
        .collect();
    let (left, right) = (
        q.left.clone().unwrap_or_default(),
        q.right.clone().unwrap_or_default(),
    );
    let form = CompareForm {
        documents,
        left: left.clone(),
        right: right.clone(),
    };
    if left.is_empty() || right.is_empty() {
        return render(&ComparePage {
            chrome: Chrome::new(&caller, "Compare documents", "compare"),
            form,
        });
    }
    let view = views::compare(&state, &views::CompareQuery { left, right }).await?;
    let title = format!("{} vs {}", view.old.document, view.new.document);
    render(&DiffPage {
        chrome: Chrome::new(&caller, title, "compare"),
        diff: DiffParts::new(view, q.view.as_deref() == Some("inline")),
        compare: Some(form),
    })
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
}

/// `GET /sources?all=`: every tracked source with its fetch state.
pub(crate) async fn sources(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<watching::SourcesQuery>,
) -> PageResult {
    let sources = watching::sources(&state, q.all).await?;
    let problems = sources
        .iter()
        .filter(|s| s.state.status == "problem")
        .count();
    render(&SourcesPage {
        chrome: Chrome::new(&caller, "Sources", "sources"),
        sources,
        all: q.all,
        problems,
    })
}

#[derive(Template)]
#[template(path = "source.html")]
struct SourcePage {
    chrome: Chrome,
    s: watching::SourceView,
    attempts: Vec<watching::AttemptView>,
}

/// `GET /sources/{platform}/{document}`: a source and its recent fetch attempts.
pub(crate) async fn source(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((platform, document)): Path<(String, String)>,
) -> PageResult {
    let key = views::key(&platform, &document)?;
    let detail = watching::source(&state, &key).await?;
    render(&SourcePage {
        chrome: Chrome::new(&caller, format!("Source of {key}"), "sources"),
        s: detail.source,
        attempts: detail.attempts,
    })
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

/// Query of the subscriptions page: the outcome of the last form.
#[derive(Debug, Deserialize)]
pub(crate) struct SubscriptionsPageQuery {
    created: Option<String>,
    removed: Option<String>,
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
        admin: caller.is_admin(),
        viewer: caller.role.is_some() && !caller.is_admin(),
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
