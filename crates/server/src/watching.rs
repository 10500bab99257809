//! The views of watching: tracked sources with their fetch states (and the
//! recent fetch attempts of one source), and subscriptions (listed without
//! their webhook secrets; created and removed by admins). Like `views`, these
//! are plain serialisable structs shared by the JSON API and the pages.

use crate::error::ApiError;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use cw_engine::watch::{self, TrackRequest, WatchError};
use cw_model::DocumentKey;
use cw_notify::{Channel, Filter, SubscriptionRequest};
use cw_store::{AttemptRow, Schedule, SourceRow, StoreError, SubscriptionRow};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};

/// How many fetch attempts a source's detail shows.
pub(crate) const ATTEMPT_LIMIT: u32 = 20;

/// How many recent fetch states each source of a list carries.
pub(crate) const RECENT_LIMIT: u32 = 5;

/// Fetch states meaning the page was the document and nothing is waiting.
const OK_STATES: &[&str] = &["first_version", "unchanged", "not_modified", "confirmed"];

/// A fetch state: its stored code, a class for colour and a phrase, so the
/// pages never rely on colour alone.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct StateView {
    /// The stored code (`unchanged`, `bot_wall`, `timeout`, …); `null` before the first fetch.
    pub(crate) code: Option<String>,
    /// `ok` (the document was there), `pending` (a change waits for
    /// confirmation), `problem` (not the document, or no usable response)
    /// or `never` (not fetched yet).
    pub(crate) status: &'static str,
    /// What it means, for people.
    pub(crate) text: String,
}

impl StateView {
    fn new(code: Option<&str>) -> StateView {
        let Some(code) = code else {
            return StateView {
                code: None,
                status: "never",
                text: "not fetched yet".into(),
            };
        };
        let status = if OK_STATES.contains(&code) {
            "ok"
        } else if code == "changed_unconfirmed" {
            "pending"
        } else {
            "problem"
        };
        StateView {
            code: Some(code.to_string()),
            status,
            text: state_text(code).to_string(),
        }
    }

    /// The symbol shown next to the state (decorative; the text says it).
    pub(crate) fn symbol(&self) -> &'static str {
        match self.status {
            "ok" => "✓",
            "pending" => "…",
            "problem" => "!",
            _ => "–",
        }
    }
}

fn state_text(code: &str) -> &'static str {
    match code {
        "first_version" => "first version recorded",
        "unchanged" => "unchanged",
        "not_modified" => "not modified (304)",
        "confirmed" => "change confirmed: new version",
        "changed_unconfirmed" => "changed, waiting for confirmation",
        "lost_provisions" => "far fewer provisions than the latest version",
        "no_provisions" => "no provisions on the page",
        "truncated" => "page cut short (kept as evidence, not a version)",
        "garbled" => "garbled text: undecodable characters",
        "wrong_language" => "not in the expected language",
        "unreadable" => "could not be read as a document",
        "bot_wall" => "blocked by a bot wall",
        "captcha" => "blocked by a captcha",
        "login_wall" => "behind a login",
        "soft_not_found" => "page not found",
        "error_page" => "an error page",
        "empty" => "(almost) empty page",
        "http_error" => "HTTP error",
        "timeout" => "timed out",
        "connect" | "dns" => "could not connect",
        "blocked" => "address not allowed",
        "too_large" => "page too large",
        "too_many_redirects" | "redirect_loop" | "bad_redirect" => "bad redirects",
        "browser_unavailable" | "browser" => "browser fetch failed",
        "needs_browser" => "needs a browser, and the browser fallback is off",
        _ => "fetch failed",
    }
}

/// A source's schedule.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct ScheduleView {
    /// `every` or `cron`.
    pub(crate) kind: &'static str,
    /// Seconds between fetches (`every`).
    pub(crate) every_seconds: Option<u64>,
    /// Five-field cron pattern, UTC (`cron`).
    pub(crate) cron: Option<String>,
    /// In words: `every 6 h`, `cron 0 6 * * *`.
    pub(crate) text: String,
}

impl ScheduleView {
    fn new(s: &Schedule) -> ScheduleView {
        match s {
            Schedule::Every(secs) => ScheduleView {
                kind: "every",
                every_seconds: Some(*secs),
                cron: None,
                text: format!("every {}", duration_text(*secs)),
            },
            Schedule::Cron(pattern) => ScheduleView {
                kind: "cron",
                every_seconds: None,
                cron: Some(pattern.clone()),
                text: format!("cron {pattern} (UTC)"),
            },
        }
    }
}

fn duration_text(secs: u64) -> String {
    const UNITS: [(u64, &str); 4] = [(86_400, "d"), (3_600, "h"), (60, "min"), (1, "s")];
    for (size, unit) in UNITS {
        if secs >= size && secs.is_multiple_of(size) {
            return format!("{} {unit}", secs / size);
        }
    }
    format!("{secs} s")
}

/// A change seen on a source and waiting for confirmation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct CandidateView {
    /// `pending` or `confirmed`.
    pub(crate) state: String,
    /// Consecutive sightings so far.
    pub(crate) seen_count: u32,
    /// Sightings it needs to become a version.
    pub(crate) confirmations: u32,
    /// First sighting.
    pub(crate) first_seen_at: DateTime<Utc>,
    /// When the fetch that may confirm it is due (the source's next due time).
    pub(crate) confirmation_due_at: DateTime<Utc>,
}

/// A tracked source with its fetch state.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct SourceView {
    /// `platform/document`.
    pub(crate) document: String,
    /// Platform slug.
    pub(crate) platform: String,
    /// Document slug.
    pub(crate) slug: String,
    /// The URL fetched.
    pub(crate) url: String,
    /// When it is fetched.
    pub(crate) schedule: ScheduleView,
    /// Fetched with headless Chromium.
    pub(crate) browser: bool,
    /// Never retried in headless Chromium.
    pub(crate) no_browser: bool,
    /// Expected language.
    pub(crate) language: Option<String>,
    /// Consecutive identical sightings a change needs.
    pub(crate) confirmations: u32,
    /// Still tracked (false once paused or after `untrack`).
    pub(crate) active: bool,
    /// State of the last fetch attempt.
    pub(crate) state: StateView,
    /// Detail of the last attempt.
    pub(crate) last_detail: Option<String>,
    /// When the last attempt finished.
    pub(crate) last_fetched_at: Option<DateTime<Utc>>,
    /// When the page was last the document (unchanged or changed).
    pub(crate) last_ok_at: Option<DateTime<Utc>>,
    /// Failed attempts since the last good one.
    pub(crate) consecutive_failures: u32,
    /// When it is next due.
    pub(crate) next_due_at: DateTime<Utc>,
    /// The newest version of the document.
    pub(crate) latest_version: Option<u32>,
    /// The change waiting for confirmation, if any.
    pub(crate) candidate: Option<CandidateView>,
    /// The states of the last fetches, newest first (at most 5 in lists;
    /// empty in a source's detail, whose `attempts` say more).
    pub(crate) recent: Vec<StateView>,
}

impl SourceView {
    fn new(s: &SourceRow) -> SourceView {
        SourceView {
            document: s.document.to_string(),
            platform: s.document.platform.clone(),
            slug: s.document.document.clone(),
            url: s.url.clone(),
            schedule: ScheduleView::new(&s.schedule),
            browser: s.browser,
            no_browser: s.no_browser,
            language: s.language.clone(),
            confirmations: s.confirmations,
            active: s.active,
            state: StateView::new(s.last_state.as_deref()),
            last_detail: s.last_detail.clone(),
            last_fetched_at: s.last_attempt_at,
            last_ok_at: s.last_ok_at,
            consecutive_failures: s.consecutive_failures,
            next_due_at: s.next_due_at,
            latest_version: s.latest_version.as_ref().map(|v| v.number),
            candidate: s.candidate.as_ref().map(|c| CandidateView {
                state: c.state.clone(),
                seen_count: c.seen_count,
                confirmations: s.confirmations,
                first_seen_at: c.first_seen_at,
                confirmation_due_at: s.next_due_at,
            }),
            recent: Vec::new(),
        }
    }
}

impl SourceView {
    /// The URL as a link target: only http(s) URLs become links (anything
    /// else the store holds is shown as text).
    pub(crate) fn link(&self) -> Option<&str> {
        let head = self.url.get(..8).unwrap_or(&self.url).to_ascii_lowercase();
        (head.starts_with("http://") || head.starts_with("https://")).then_some(self.url.as_str())
    }
}

/// One logged fetch attempt.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct AttemptView {
    /// When it started.
    pub(crate) started_at: DateTime<Utc>,
    /// When it finished.
    pub(crate) finished_at: DateTime<Utc>,
    /// What it meant for the document.
    pub(crate) state: StateView,
    /// The fetch outcome code (`fetched`, `not_modified`, `timeout`, …).
    pub(crate) outcome: String,
    /// HTTP status, when a response arrived.
    pub(crate) http_status: Option<u16>,
    /// Detail.
    pub(crate) detail: Option<String>,
    /// Wall time in milliseconds.
    pub(crate) elapsed_ms: u64,
    /// The version matched, created or confirmed.
    pub(crate) version: Option<u32>,
}

impl AttemptView {
    fn new(a: &AttemptRow) -> AttemptView {
        AttemptView {
            started_at: a.started_at,
            finished_at: a.finished_at,
            state: StateView::new(Some(&a.state)),
            outcome: a.outcome.clone(),
            http_status: a.http_status,
            detail: a.detail.clone(),
            elapsed_ms: a.elapsed_ms,
            version: a.version_number,
        }
    }
}

/// A source with its recent fetch attempts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct SourceDetail {
    /// The source.
    pub(crate) source: SourceView,
    /// The latest attempts, newest first (at most 20).
    pub(crate) attempts: Vec<AttemptView>,
}

/// Query of the source list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct SourcesQuery {
    /// Include sources no longer tracked.
    #[serde(default)]
    pub(crate) all: bool,
}

/// Every tracked source (also paused ones with `all`), by document, each
/// with the states of its last fetches.
pub(crate) async fn sources(state: &AppState, all: bool) -> Result<Vec<SourceView>, ApiError> {
    let rows = state.store().sources(all).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let mut view = SourceView::new(row);
        view.recent = state
            .store()
            .fetch_attempts(&row.document, RECENT_LIMIT)
            .await?
            .iter()
            .map(|a| StateView::new(Some(&a.state)))
            .collect();
        out.push(view);
    }
    Ok(out)
}

/// A URL to track: the options of `clausewatch track`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct NewSource {
    /// The URL (http or https).
    pub(crate) url: String,
    /// Platform slug, e.g. `aws`.
    pub(crate) platform: String,
    /// Document slug, e.g. `aup`.
    pub(crate) document: String,
    /// Fetch interval (`30m`, `6h`, `1d`); default 6 h. Not with `cron`.
    pub(crate) every: Option<String>,
    /// Five-field cron pattern, UTC. Not with `every`.
    pub(crate) cron: Option<String>,
    /// CSS selectors of the content to keep.
    pub(crate) select: Vec<String>,
    /// CSS selectors of content to drop before extraction.
    pub(crate) remove: Vec<String>,
    /// Always fetch with headless Chromium.
    pub(crate) browser: bool,
    /// Never retry in headless Chromium.
    pub(crate) no_browser: bool,
    /// Expected language (`en`, `zh-CN`).
    pub(crate) language: Option<String>,
    /// Allow private, loopback and link-local addresses (the watcher also
    /// needs `--allow-private`).
    pub(crate) allow_private: bool,
    /// Consecutive identical sightings before a change becomes a version
    /// (default 2).
    pub(crate) confirmations: Option<u32>,
}

impl NewSource {
    /// The engine's request, validated as `clausewatch track` validates it.
    fn request(self) -> Result<TrackRequest, ApiError> {
        let document = DocumentKey::new(self.platform.trim(), self.document.trim())
            .map_err(|e| ApiError::BadRequest(format!("document name: {e}")))?;
        let schedule = watch::schedule_from(self.every.as_deref(), self.cron.as_deref())
            .map_err(user_error)?;
        Ok(TrackRequest {
            document,
            url: self.url.trim().to_string(),
            schedule,
            select_css: self.select,
            remove_css: self.remove,
            browser: self.browser,
            no_browser: self.no_browser,
            language: self.language.filter(|l| !l.trim().is_empty()),
            allow_private: self.allow_private,
            confirmations: self.confirmations.unwrap_or(watch::DEFAULT_CONFIRMATIONS),
        })
    }
}

/// A watch error caused by what the user asked for is a bad request.
fn user_error(e: WatchError) -> ApiError {
    match e {
        WatchError::Invalid(reason) => ApiError::BadRequest(reason),
        other => ApiError::Watch(other),
    }
}

/// Tracks a URL through the engine's `track` (the same checks and store
/// call as `clausewatch track`): due at once, fetched by the running
/// `watch` or `worker`. The server itself never fetches. Admins only; the
/// caller checks.
pub(crate) async fn track(state: &AppState, new: NewSource) -> Result<SourceView, ApiError> {
    let row = watch::track(state.store(), &new.request()?)
        .await
        .map_err(user_error)?;
    Ok(SourceView::new(&row))
}

/// What an admin does to a tracked source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum SourceAction {
    /// Due now: fetched at the watcher's next look at the schedule (within
    /// 30 s), a confirmation fetch included.
    Recheck,
    /// No more fetches; settings and history are kept (as `untrack`).
    Pause,
    /// Tracked again with its settings, due now.
    Resume,
}

impl SourceAction {
    /// From a path segment.
    pub(crate) fn parse(s: &str) -> Result<SourceAction, ApiError> {
        match s {
            "recheck" => Ok(SourceAction::Recheck),
            "pause" => Ok(SourceAction::Pause),
            "resume" => Ok(SourceAction::Resume),
            other => Err(ApiError::NotFound(format!("source action {other:?}"))),
        }
    }

    /// Its path segment.
    pub(crate) fn name(self) -> &'static str {
        match self {
            SourceAction::Recheck => "recheck",
            SourceAction::Pause => "pause",
            SourceAction::Resume => "resume",
        }
    }

    /// In words, past tense, for notices.
    pub(crate) fn done(self) -> &'static str {
        match self {
            SourceAction::Recheck => {
                "due now: the watcher fetches it at its next look at the schedule"
            }
            SourceAction::Pause => "paused: no more fetches until it is resumed",
            SourceAction::Resume => "resumed and due now",
        }
    }
}

/// Applies `action` to a document's source (admins only; the caller
/// checks) and returns the source as it is now. Re-checking a paused
/// source is refused: resume it.
pub(crate) async fn act_on_source(
    state: &AppState,
    key: &DocumentKey,
    action: SourceAction,
) -> Result<SourceView, ApiError> {
    let store = state.store();
    let row = store
        .source(key)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("source of {key}")))?;
    match action {
        SourceAction::Pause => {
            store.untrack_source(key).await?;
        }
        SourceAction::Recheck if !row.active => {
            return Err(ApiError::Conflict(format!(
                "{key} is paused: resume it to fetch it again"
            )));
        }
        SourceAction::Recheck | SourceAction::Resume => {
            store.make_source_due(key, store.now()).await?;
        }
    }
    let row = store
        .source(key)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("source of {key}")))?;
    Ok(SourceView::new(&row))
}

/// One document's source with its recent attempts.
pub(crate) async fn source(state: &AppState, key: &DocumentKey) -> Result<SourceDetail, ApiError> {
    let row = state
        .store()
        .source(key)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("source of {key}")))?;
    let attempts = state.store().fetch_attempts(key, ATTEMPT_LIMIT).await?;
    Ok(SourceDetail {
        source: SourceView::new(&row),
        attempts: attempts.iter().map(AttemptView::new).collect(),
    })
}

/// Which alerts a subscription wants.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct FilterView {
    /// Platform slugs (any of them).
    pub(crate) platforms: Vec<String>,
    /// Document keys (any of them).
    pub(crate) documents: Vec<String>,
    /// Labels; `tos_*` matches a prefix.
    pub(crate) labels: Vec<String>,
    /// Only changes with at least one substantive change.
    pub(crate) substantive_only: bool,
    /// In words.
    pub(crate) text: String,
}

impl FilterView {
    fn new(f: &Filter) -> FilterView {
        FilterView {
            platforms: f.platforms.clone(),
            documents: f.documents.clone(),
            labels: f.labels.clone(),
            substantive_only: f.substantive_only,
            text: f.describe(),
        }
    }
}

/// Alerts of a subscription by delivery state.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub(crate) struct AlertCounts {
    /// Delivered.
    pub(crate) delivered: usize,
    /// Waiting (pending or being sent).
    pub(crate) waiting: usize,
    /// Given up.
    pub(crate) failed: usize,
}

/// A subscription, never with its webhook secret.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct SubscriptionView {
    /// Row id.
    pub(crate) id: i64,
    /// Its name (`sub-3`, or the feed's name).
    pub(crate) name: String,
    /// `webhook`, `email` or `feed`.
    pub(crate) channel: String,
    /// Where alerts go: the webhook URL (for non-admins only its origin, as
    /// webhook paths often carry credentials), the recipients, or the feed name.
    pub(crate) target: String,
    /// Which alerts.
    pub(crate) filter: FilterView,
    /// Not unsubscribed.
    pub(crate) active: bool,
    /// When it was created.
    pub(crate) created_at: DateTime<Utc>,
    /// Deliveries may reach private and loopback addresses.
    pub(crate) allow_private: bool,
    /// Its alerts by delivery state.
    pub(crate) alerts: AlertCounts,
}

/// `https://user:pw@hooks.example.com/T0/B0/xyz?k=v` → `https://hooks.example.com/…`.
fn url_origin(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "…".into();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let more = if end < rest.len() && &rest[end..] != "/" {
        "/…"
    } else {
        ""
    };
    format!("{scheme}://{host}{more}")
}

fn subscription_view(
    row: &SubscriptionRow,
    counts: AlertCounts,
    admin: bool,
) -> Result<SubscriptionView, ApiError> {
    let channel: Channel = serde_json::from_str(&row.channel).map_err(|e| {
        ApiError::Store(StoreError::BadRow {
            what: format!("channel of subscription {}: {e}", row.id),
        })
    })?;
    let filter: Filter = serde_json::from_str(&row.filter).map_err(|e| {
        ApiError::Store(StoreError::BadRow {
            what: format!("filter of subscription {}: {e}", row.id),
        })
    })?;
    let target = match &channel {
        Channel::Webhook { url, .. } if !admin => url_origin(url),
        other => other.target(),
    };
    Ok(SubscriptionView {
        id: row.id,
        name: row.name.clone(),
        channel: channel.kind().to_string(),
        target,
        filter: FilterView::new(&filter),
        active: row.active,
        created_at: row.created_at,
        allow_private: row.allow_private,
        alerts: counts,
    })
}

/// Query of the subscription list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct SubscriptionsQuery {
    /// Include removed subscriptions.
    #[serde(default)]
    pub(crate) all: bool,
}

/// Subscriptions (also removed ones with `all`), oldest first, with their
/// alert counts. `admin` callers see full webhook URLs.
pub(crate) async fn subscriptions(
    state: &AppState,
    all: bool,
    admin: bool,
) -> Result<Vec<SubscriptionView>, ApiError> {
    let rows = state.store().subscriptions(all).await?;
    let mut counts: HashMap<i64, AlertCounts> = HashMap::new();
    for a in state.store().outbox(None).await? {
        let c = counts.entry(a.subscription_id).or_default();
        match a.state.as_str() {
            "delivered" => c.delivered += 1,
            "failed" => c.failed += 1,
            _ => c.waiting += 1,
        }
    }
    rows.iter()
        .map(|r| subscription_view(r, counts.remove(&r.id).unwrap_or_default(), admin))
        .collect()
}

/// A new subscription: exactly one of `webhook` (with `secret`), `email`
/// or `feed`, and optional filter conditions.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct NewSubscription {
    /// Webhook endpoint (`http://` or `https://`); needs `secret`.
    pub(crate) webhook: Option<String>,
    /// Webhook signing secret, at least 16 bytes. Never shown back.
    pub(crate) secret: Option<String>,
    /// Email recipients.
    pub(crate) email: Vec<String>,
    /// Atom feed name (lowercase letters, digits, `-`, `_`, `.`); also the subscription's name.
    pub(crate) feed: Option<String>,
    /// Only these platforms.
    pub(crate) platforms: Vec<String>,
    /// Only these documents (`platform/document`).
    pub(crate) documents: Vec<String>,
    /// Only changes touching provisions with these labels (`tos_*` matches a prefix).
    pub(crate) labels: Vec<String>,
    /// Only changes with at least one substantive change.
    pub(crate) substantive_only: bool,
    /// Only alerts with one of these flags (`silent_change`,
    /// `date_bump_without_change`, `date_older_than_previous`, `divergence`).
    pub(crate) flags: Vec<String>,
    /// Let deliveries reach loopback, private and link-local addresses
    /// (otherwise such a target is refused, now and at every delivery).
    pub(crate) allow_private: bool,
}

impl From<NewSubscription> for SubscriptionRequest {
    fn from(n: NewSubscription) -> Self {
        SubscriptionRequest {
            webhook: n.webhook,
            secret: n.secret,
            email: n.email,
            feed: n.feed,
            filter: Filter {
                platforms: n.platforms,
                documents: n.documents,
                labels: n.labels,
                substantive_only: n.substantive_only,
                flags: n.flags,
            },
            allow_private: n.allow_private,
        }
    }
}

/// Validates and stores a subscription (the same checks as `clausewatch
/// subscribe`), writing an empty feed file for a feed. Admins only; the
/// caller checks.
pub(crate) async fn create_subscription(
    state: &AppState,
    request: SubscriptionRequest,
) -> Result<SubscriptionView, ApiError> {
    let valid = request.validate()?;
    let json = |v: Result<String, serde_json::Error>| {
        v.map_err(|e| ApiError::BadRequest(format!("subscription: {e}")))
    };
    let row = state
        .store()
        .add_subscription(
            valid.name.as_deref(),
            &json(serde_json::to_string(&valid.channel))?,
            &json(serde_json::to_string(&valid.filter))?,
            valid.allow_private,
        )
        .await
        .map_err(|e| match e {
            StoreError::InvalidImport { reason } => ApiError::Conflict(reason),
            other => other.into(),
        })?;
    if let Some(name) = &valid.name {
        cw_engine::watch::write_empty_feed(state.store().home(), name)
            .await
            .map_err(ApiError::Watch)?;
    }
    subscription_view(&row, AlertCounts::default(), true)
}

/// Removes an active subscription by id or name.
pub(crate) async fn remove_subscription(state: &AppState, which: &str) -> Result<(), ApiError> {
    if state.store().remove_subscription(which).await? {
        Ok(())
    } else {
        Err(ApiError::NotFound(format!("active subscription {which:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_urls_are_cut_to_their_origin() {
        assert_eq!(
            url_origin("https://hooks.example.com/services/T0/B0/secret?x=1"),
            "https://hooks.example.com/…"
        );
        assert_eq!(
            url_origin("http://user:pw@127.0.0.1:9/hook"),
            "http://127.0.0.1:9/…"
        );
        assert_eq!(url_origin("https://example.com/"), "https://example.com");
        assert_eq!(url_origin("https://example.com"), "https://example.com");
    }

    #[test]
    fn states_have_text_and_a_class() {
        assert_eq!(StateView::new(None).status, "never");
        assert_eq!(StateView::new(Some("unchanged")).status, "ok");
        assert_eq!(
            StateView::new(Some("changed_unconfirmed")).status,
            "pending"
        );
        let wall = StateView::new(Some("bot_wall"));
        assert_eq!(
            (wall.status, wall.text.as_str()),
            ("problem", "blocked by a bot wall")
        );
        assert_eq!(duration_text(21_600), "6 h");
        assert_eq!(duration_text(90), "90 s");
    }
}
