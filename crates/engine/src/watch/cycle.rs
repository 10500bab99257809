//! One watch cycle: fetch each due source, judge what came back, log a
//! fetch attempt, and count, confirm and promote changes.
//!
//! The judgement of a fetched page, in order: unreadable (extraction
//! failed) → truncated (the page ends cut short) → garbled (undecodable
//! even after re-decoding) → no provisions → wrong language → first
//! version (no version yet) → unchanged (same content hash as the latest
//! version) → lost provisions (far fewer than the latest version) →
//! truncated (only the beginning of the latest version's provisions,
//! nothing new) → a change sighting. Only the first version and a confirmed
//! change become versions: completeness is judged before content.

use super::{WatchError, Watcher, schedule};
use crate::ImportRequest;
use chrono::{DateTime, Utc};
use cw_extract::ExtractOptions;
use cw_fetch::{FetchFailure, FetchOutcome, FetchRequest, FetchedPage, PageVerdict};
use cw_model::ExtractedDocument;
use cw_notify::{Alert, Filter};
use cw_store::{BlobId, CandidateRow, DocumentMeta, NewAlert, NewAttempt, SourceRow};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// What a fetch attempt meant for the document. Only `FirstVersion` and
/// `Confirmed` create versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FetchState {
    /// The document had no version: this page became version 1.
    FirstVersion,
    /// Same content as the latest version.
    Unchanged,
    /// `304 Not Modified`.
    NotModified,
    /// Changed content, seen fewer times than the source's confirmations.
    ChangedUnconfirmed,
    /// Changed content seen often enough: a new version.
    Confirmed,
    /// The page has far fewer provisions than the latest version.
    LostProvisions,
    /// The page was cut short: its markup ends open (no `</body>` or
    /// `</html>`, inside a tag or with elements open), or it holds only the
    /// beginning of the latest version's provisions and nothing new (a body
    /// cut before its declared length is `Failed("truncated")`). Archived as
    /// evidence, never a candidate.
    Truncated,
    /// More than 1 % of the page's text is undecodable (U+FFFD) even after
    /// re-decoding with a detected charset. Archived, never a candidate.
    Garbled,
    /// The page has no provisions at all (e.g. only an image or an inline
    /// SVG): never a version, not even the first.
    NoProvisions,
    /// The page is not in the expected language.
    WrongLanguage,
    /// The body could not be read as a document.
    Unreadable,
    /// A page that is not the document (bot wall, captcha, login wall, soft
    /// 404, error page, empty shell), by its verdict code.
    Rejected(&'static str),
    /// No usable response, by its failure code (`http_error`, `timeout`, …).
    Failed(&'static str),
}

impl FetchState {
    /// The stored code: `unchanged`, `bot_wall`, `timeout`, ….
    pub fn code(&self) -> &'static str {
        match self {
            FetchState::FirstVersion => "first_version",
            FetchState::Unchanged => "unchanged",
            FetchState::NotModified => "not_modified",
            FetchState::ChangedUnconfirmed => "changed_unconfirmed",
            FetchState::Confirmed => "confirmed",
            FetchState::LostProvisions => "lost_provisions",
            FetchState::Truncated => "truncated",
            FetchState::Garbled => "garbled",
            FetchState::NoProvisions => "no_provisions",
            FetchState::WrongLanguage => "wrong_language",
            FetchState::Unreadable => "unreadable",
            FetchState::Rejected(code) | FetchState::Failed(code) => code,
        }
    }

    /// Whether the page was the document (the source is healthy).
    pub fn is_ok(&self) -> bool {
        matches!(
            self,
            FetchState::FirstVersion
                | FetchState::Unchanged
                | FetchState::NotModified
                | FetchState::ChangedUnconfirmed
                | FetchState::Confirmed
        )
    }
}

/// What one cycle did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CycleReport {
    /// Sources fetched.
    pub sources: usize,
    /// Attempts per state code.
    pub states: BTreeMap<String, usize>,
    /// Versions created (first versions and confirmed changes).
    pub new_versions: usize,
    /// Outbox rows written.
    pub alerts_queued: usize,
    /// Fetches abandoned at shutdown.
    pub abandoned: usize,
    /// Internal errors (store, archive), logged.
    pub errors: usize,
    /// Wall time of the cycle.
    pub elapsed_ms: u64,
}

impl CycleReport {
    fn add(&mut self, outcome: &Result<SourceResult, WatchError>) {
        self.sources += 1;
        match outcome {
            Ok(r) => {
                *self.states.entry(r.state.code().to_string()).or_default() += 1;
                self.new_versions += usize::from(r.new_version);
                self.alerts_queued += r.alerts;
            }
            Err(_) => self.errors += 1,
        }
    }
}

/// The result of checking one source.
#[derive(Debug, Clone)]
pub(crate) struct SourceResult {
    pub(crate) state: FetchState,
    /// The version matched, created or confirmed.
    pub(crate) version: Option<u32>,
    pub(crate) new_version: bool,
    pub(crate) alerts: usize,
}

/// The judgement of one fetch before it is logged.
struct Judged {
    state: FetchState,
    detail: Option<String>,
    sha256: Option<String>,
    content_hash: Option<String>,
    version_number: Option<u32>,
    validators: Option<(Option<String>, Option<String>)>,
    supersede: bool,
    new_version: bool,
    alerts: usize,
}

impl Judged {
    fn state(state: FetchState, detail: Option<String>) -> Judged {
        Judged {
            state,
            detail,
            sha256: None,
            content_hash: None,
            version_number: None,
            validators: None,
            supersede: false,
            new_version: false,
            alerts: 0,
        }
    }
}

/// Extraction options for a source. `--select`/`--remove` are stored with
/// the source; cw-extract has no selector options yet, so they are not
/// applied (see the ARCHITECTURE note).
pub(crate) fn extract_options(_source: &SourceRow) -> ExtractOptions {
    ExtractOptions::default()
}

/// [`extract_options`] with the `Content-Type` the page came with: its
/// charset is the first the extractor tries (after a byte-order mark).
fn page_options(source: &SourceRow, content_type: Option<&str>) -> ExtractOptions {
    let options = extract_options(source);
    match content_type {
        Some(ct) => options.with_content_type(ct),
        None => options,
    }
}

/// `en` → `en, en-*;q=0.9`-like Accept-Language value.
fn accept_language(lang: &str) -> String {
    let primary = primary(lang);
    if primary == lang.to_ascii_lowercase() {
        format!("{lang},*;q=0.1")
    } else {
        format!("{lang},{primary};q=0.9,*;q=0.1")
    }
}

fn primary(lang: &str) -> String {
    lang.split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

fn failure_state(failure: &FetchFailure) -> FetchState {
    match failure {
        FetchFailure::Http { verdict, .. }
            if matches!(
                verdict,
                PageVerdict::BotWall { .. }
                    | PageVerdict::Captcha { .. }
                    | PageVerdict::LoginWall { .. }
            ) =>
        {
            FetchState::Rejected(verdict.code())
        }
        other => FetchState::Failed(other.code()),
    }
}

impl Watcher {
    /// Runs one cycle over the sources due now (every active source with
    /// `ignore_schedule`), `concurrency` at a time. Confirmed candidates
    /// left by a crash are promoted first. When `stop` turns true, no new
    /// fetch starts and in-flight ones get the shutdown grace period, then
    /// are abandoned (nothing half-written: each step is one transaction).
    pub async fn run_cycle(
        self: &Arc<Self>,
        ignore_schedule: bool,
        mut stop: tokio::sync::watch::Receiver<bool>,
    ) -> Result<CycleReport, WatchError> {
        let started = Instant::now();
        let mut report = CycleReport::default();
        report.alerts_queued += self.recover().await?;
        let now = self.store().now();
        let due = self
            .store()
            .due_sources((!ignore_schedule).then_some(now))
            .await?;
        tracing::info!(due = due.len(), "watch cycle");
        let permits = Arc::new(Semaphore::new(self.config.concurrency.max(1)));
        let batch: Arc<AttemptBatch> = Arc::default();
        let mut tasks: JoinSet<Result<SourceResult, WatchError>> = JoinSet::new();
        let mut stopped = *stop.borrow();
        for source in due {
            if stopped {
                break;
            }
            let permit = tokio::select! {
                permit = Arc::clone(&permits).acquire_owned() => permit,
                changed = stop.changed() => {
                    stopped = changed.is_err() || *stop.borrow();
                    continue;
                }
            };
            let Ok(permit) = permit else { break };
            // Collect finished results as we go, to keep memory flat.
            while let Some(done) = tasks.try_join_next() {
                report.add(&flatten(done));
            }
            let watcher = Arc::clone(self);
            let batch = Arc::clone(&batch);
            tasks.spawn(async move {
                let result = watcher.check_source_logged(&source, Some(&batch), None).await;
                if let Err(e) = &result {
                    tracing::error!(document = %source.document, error = %e, "watch: source check failed");
                }
                drop(permit);
                result
            });
        }
        // Wait for the fetches in flight; once a stop is asked, give them
        // the grace period, then abandon the rest.
        let grace = tokio::time::sleep(self.config.shutdown_grace);
        tokio::pin!(grace);
        let mut stop_open = true;
        loop {
            tokio::select! {
                next = tasks.join_next() => match next {
                    Some(done) => report.add(&flatten(done)),
                    None => break,
                },
                changed = stop.changed(), if !stopped && stop_open => match changed {
                    Ok(()) if *stop.borrow() => {
                        stopped = true;
                        grace.as_mut().reset(tokio::time::Instant::now() + self.config.shutdown_grace);
                    }
                    Ok(()) => {}
                    Err(_) => stop_open = false,
                },
                () = &mut grace, if stopped => {
                    report.abandoned = tasks.len();
                    tracing::warn!(abandoned = tasks.len(), "shutdown: abandoning in-flight fetches");
                    tasks.abort_all();
                    break;
                }
            }
        }
        // The attempts still waiting: their fetches are done.
        let rest = batch
            .lock()
            .map(|mut pending| std::mem::take(&mut *pending))
            .unwrap_or_default();
        if let Err(e) = self.store().record_attempts(&rest).await {
            tracing::error!(attempts = rest.len(), error = %e, "fetch attempts not logged; their sources are fetched again next cycle");
            report.errors += rest.len();
        }
        // Variants that changed while a sibling did not, once their window
        // has passed (issue #23): queued through the same outbox.
        if let Err(e) = self.queue_divergence_alerts(self.store().now()).await {
            tracing::warn!(error = %e, "divergence alerts not queued; the next cycle tries again");
        }
        report.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        Ok(report)
    }

    /// Makes the derived data (analysis, search index entries) of every
    /// version that lacks it: the new versions of the cycle just run, and
    /// any left by an interrupted run or an import; the first pass of a
    /// process also indexes analysed versions missing from the search index
    /// ([`crate::Engine::heal_index`]). Does nothing when
    /// imports make it inline ([`super::WatchConfig::defer_derived`] off).
    /// Failures are logged: it is derived data, the next pass repeats it.
    pub async fn derive_pending(&self, stop: impl Fn() -> bool) -> crate::DeriveReport {
        if !self.config.defer_derived {
            return crate::DeriveReport::default();
        }
        let pending = self
            .engine
            .derive_pending(self.config.derive_batch, DERIVE_LOCK_WAIT, stop)
            .await;
        // Once per process (start-up): versions analysed but missing from
        // the search index (an index update lost before this run).
        let pending = match pending {
            Ok(mut report) if !self.index_checked.swap(true, Ordering::SeqCst) => {
                match self.engine.heal_index(DERIVE_LOCK_WAIT).await {
                    Ok(indexed) => {
                        report.versions += indexed.versions;
                        report.skipped += indexed.skipped;
                        report.batches += indexed.batches;
                        Ok(report)
                    }
                    Err(e) => Err(e),
                }
            }
            other => other,
        };
        match pending {
            Ok(report) => report,
            Err(e) => {
                tracing::error!(error = %e, "analysis and search index of new versions not made; the next cycle retries");
                crate::DeriveReport::default()
            }
        }
    }

    /// Promotes candidates that were confirmed but not promoted (a crash
    /// came in between). Returns the outbox rows written.
    pub async fn recover(&self) -> Result<usize, WatchError> {
        let mut alerts = 0;
        for source in self.store().confirmed_candidates().await? {
            if let Some(candidate) = &source.candidate {
                tracing::info!(document = %source.document, candidate = candidate.id, "promoting a confirmed change left by an interrupted run");
                let (_, queued) = self.promote(&source, candidate, None).await?;
                alerts += queued;
            }
        }
        Ok(alerts)
    }

    /// Fetches and judges one source, and logs the attempt.
    /// `fetched`, when given, is signalled (or dropped) as soon as the
    /// request is over, before the page is judged and imported: a worker
    /// holding the host's turn hands it back then.
    pub(crate) async fn check_source(
        &self,
        source: &SourceRow,
        fetched: Option<tokio::sync::oneshot::Sender<()>>,
    ) -> Result<SourceResult, WatchError> {
        self.check_source_logged(source, None, fetched).await
    }

    /// [`Watcher::check_source`]; with `batch`, an attempt that changed
    /// nothing else in the store (no version, no candidate sighting) is
    /// added to it instead of being written at once, and the batch is
    /// written in one transaction once it holds [`ATTEMPT_BATCH`] attempts
    /// (the cycle writes the rest at its end). A process killed before a
    /// batch is written loses none of its fetches' effects: their sources
    /// stay due and are fetched again by the next run, and no attempt is
    /// ever written twice.
    async fn check_source_logged(
        &self,
        source: &SourceRow,
        batch: Option<&AttemptBatch>,
        fetched: Option<tokio::sync::oneshot::Sender<()>>,
    ) -> Result<SourceResult, WatchError> {
        let started_at = self.store().now();
        let clock = Instant::now();
        let (outcome_code, http_status, judged) = match url::Url::parse(&source.url) {
            Err(e) => (
                "bad_url",
                None,
                Judged::state(FetchState::Failed("bad_url"), Some(e.to_string())),
            ),
            Ok(url) => {
                let mut request = FetchRequest::new(url)
                    .with_browser(source.browser)
                    .without_browser_fallback(self.browser_off_for(source));
                if let Some(lang) = &source.language {
                    request = request.accept_language(accept_language(lang));
                }
                // While a change waits for confirmation, ask for the whole page.
                if source.candidate.is_none() {
                    request = request.validators(source.etag.clone(), source.last_modified.clone());
                }
                let fetcher = match (&self.private, source.allow_private) {
                    (Some(private), true) => private,
                    _ => &self.guarded,
                };
                let outcome = fetcher.fetch(&request).await;
                if let Some(fetched) = fetched {
                    // The receiver may be gone (no turn held): nothing to tell.
                    let _ = fetched.send(());
                }
                let code = outcome.code();
                let status = match &outcome {
                    FetchOutcome::Fetched(p) | FetchOutcome::Rejected(p) => Some(p.status),
                    FetchOutcome::Failed(FetchFailure::Http { status, .. }) => Some(*status),
                    FetchOutcome::NotModified { .. } => Some(304),
                    _ => None,
                };
                (code, status, self.judge(source, outcome).await?)
            }
        };
        let finished_at = self.store().now();
        tracing::debug!(document = %source.document, state = judged.state.code(),
            detail = judged.detail.as_deref().unwrap_or(""), "fetch attempt");
        // Attempts that go with a version or a candidate sighting are
        // written at once; the others may wait in the cycle's batch.
        let batchable = !judged.new_version
            && judged.alerts == 0
            && !matches!(
                judged.state,
                FetchState::FirstVersion | FetchState::Confirmed | FetchState::ChangedUnconfirmed
            );
        let attempt = NewAttempt {
            source_id: source.id,
            started_at,
            finished_at,
            state: judged.state.code().to_string(),
            outcome: outcome_code.to_string(),
            http_status,
            detail: judged.detail,
            sha256: judged.sha256,
            content_hash: judged.content_hash,
            elapsed_ms: u64::try_from(clock.elapsed().as_millis()).unwrap_or(u64::MAX),
            version_number: judged.version_number,
            ok: judged.state.is_ok(),
            validators: judged.validators,
            next_due_at: self.next_due_after(source, &judged.state, finished_at),
            supersede_candidate: judged.supersede,
        };
        match batch {
            Some(batch) if batchable => {
                let full = batch.lock().ok().and_then(|mut pending| {
                    pending.push(attempt);
                    (pending.len() >= ATTEMPT_BATCH).then(|| std::mem::take(&mut *pending))
                });
                if let Some(full) = full {
                    self.store().record_attempts(&full).await?;
                }
            }
            _ => self.store().record_attempt(&attempt).await?,
        }
        if judged.alerts > 0 {
            self.wake_delivery.notify_one();
        }
        Ok(SourceResult {
            state: judged.state,
            version: judged.version_number,
            new_version: judged.new_version,
            alerts: judged.alerts,
        })
    }

    /// When the source is due after an attempt that ended at `finished`:
    /// a change seen for the first time is confirmed soon
    /// ([`WatchConfig::confirm_after`], never sooner than the host's
    /// politeness delay), and a failed fetch is retried soon with a
    /// doubling delay; otherwise, and never later than, its schedule.
    fn next_due_after(
        &self,
        source: &SourceRow,
        state: &FetchState,
        finished: DateTime<Utc>,
    ) -> DateTime<Utc> {
        let scheduled = schedule::next_due(&source.schedule, finished);
        let base = self
            .config
            .confirm_after
            .max(self.config.fetch.per_host_delay);
        let soon = match state {
            FetchState::ChangedUnconfirmed => Some(base),
            // A cut delivery is as transient as a failed one.
            FetchState::Failed(_) | FetchState::Truncated => {
                Some(base.saturating_mul(1u32 << source.consecutive_failures.min(8)))
            }
            _ => None,
        };
        match soon.and_then(|d| chrono::Duration::from_std(d).ok()) {
            Some(delay) => scheduled.min(finished + delay),
            None => scheduled,
        }
    }

    /// Whether the browser fallback is off for this source: turned off for
    /// the store or this run ([`WatchConfig::no_browser`]) or for the
    /// source (`track --no-browser`). A source tracked with `--browser`
    /// always uses it.
    fn browser_off_for(&self, source: &SourceRow) -> bool {
        !source.browser && (self.config.no_browser || source.no_browser)
    }

    async fn judge(&self, source: &SourceRow, outcome: FetchOutcome) -> Result<Judged, WatchError> {
        if self.browser_off_for(source) && outcome.browser_may_help() {
            return Ok(self.needs_browser(outcome).await);
        }
        match outcome {
            FetchOutcome::NotModified {
                etag,
                last_modified,
            } => {
                let mut j = Judged::state(FetchState::NotModified, None);
                j.version_number = source.latest_version.as_ref().map(|v| v.number);
                j.validators = Some((etag, last_modified));
                Ok(j)
            }
            FetchOutcome::Failed(failure) => {
                let detail = match &failure {
                    FetchFailure::Http { verdict, .. } => match verdict.signal() {
                        Some(signal) => format!("{failure}: {signal}"),
                        None => failure.to_string(),
                    },
                    other => other.to_string(),
                };
                Ok(Judged::state(failure_state(&failure), Some(detail)))
            }
            FetchOutcome::Rejected(page) => {
                let detail = format!(
                    "HTTP {}: {}",
                    page.status,
                    page.verdict.signal().unwrap_or(page.verdict.code())
                );
                let mut j = Judged::state(FetchState::Rejected(page.verdict.code()), Some(detail));
                // Kept as evidence of what the source served.
                j.sha256 = self.archive(page.body).await.ok().map(|b| b.to_string());
                Ok(j)
            }
            FetchOutcome::Fetched(page) => self.judge_page(source, *page).await,
            _ => Ok(Judged::state(FetchState::Failed("unknown"), None)),
        }
    }

    async fn archive(&self, body: Vec<u8>) -> Result<BlobId, WatchError> {
        let archive = self.store().archive().clone();
        tokio::task::spawn_blocking(move || archive.put(&body))
            .await
            .map_err(|e| WatchError::Invalid(format!("archive task: {e}")))?
            .map_err(WatchError::from)
    }

    /// The `needs_browser` state: the page looks like a bot wall or an
    /// empty JavaScript shell and the browser fallback is off. What the
    /// source served is archived as evidence, as for other rejected pages.
    async fn needs_browser(&self, outcome: FetchOutcome) -> Judged {
        let (seen, body) = match outcome {
            FetchOutcome::Rejected(page) => (
                format!(
                    "HTTP {}: {}",
                    page.status,
                    page.verdict.signal().unwrap_or(page.verdict.code())
                ),
                Some(page.body),
            ),
            FetchOutcome::Failed(failure) => (failure.to_string(), None),
            other => (other.code().to_owned(), None),
        };
        let detail = format!(
            "{seen}; the page needs a browser and the browser fallback is off \
             (--no-browser or `settings set browser-fallback off`)"
        );
        let mut j = Judged::state(FetchState::Rejected("needs_browser"), Some(detail));
        if let Some(body) = body {
            j.sha256 = self.archive(body).await.ok().map(|b| b.to_string());
        }
        j
    }

    async fn judge_page(
        &self,
        source: &SourceRow,
        page: FetchedPage,
    ) -> Result<Judged, WatchError> {
        // Archiving first: file I/O waiting on fsyncs, bounded only by the
        // fetches in flight.
        let archive = self.store().archive().clone();
        let (blob, body) = tokio::task::spawn_blocking(move || {
            let blob = archive.put(&page.body);
            (blob, page.body)
        })
        .await
        .map_err(|e| WatchError::Invalid(format!("archive task: {e}")))?;
        let blob = blob?;
        // Then at most `import_concurrency` pages are extracted, diffed and
        // stored at once, however many fetches are in flight: the extracted
        // documents held in memory and the CPU they take stay bounded.
        let _permit = self
            .imports
            .acquire()
            .await
            .map_err(|e| WatchError::Invalid(format!("import permits: {e}")))?;
        let content_type = page.meta.content_type.clone();
        let options = page_options(source, content_type.as_deref());
        let extracted = tokio::task::spawn_blocking(move || {
            cw_extract::extract_checked(&body, &options).map(|doc| (doc, body))
        })
        .await
        .map_err(|e| WatchError::Invalid(format!("extraction task: {e}")))?;
        let validators = Some((page.meta.etag.clone(), page.meta.last_modified.clone()));
        let (checked, body) = match extracted {
            Ok(pair) => pair,
            Err(e) => {
                let mut j = Judged::state(FetchState::Unreadable, Some(e.to_string()));
                j.sha256 = Some(blob.to_string());
                return Ok(j);
            }
        };
        let extracted = checked.document;
        let hash = cw_store::content_hash(&extracted);
        let mut judged = Judged::state(FetchState::Unchanged, None);
        judged.sha256 = Some(blob.to_string());
        judged.content_hash = Some(hash.clone());

        // Completeness before content: a page cut short or undecodable is
        // evidence, never a version or a candidate.
        if let Some(why) = checked.integrity.cut_short {
            judged.state = FetchState::Truncated;
            judged.detail = Some(why);
            return Ok(judged);
        }
        if let Some(why) = checked.integrity.garbled() {
            judged.state = FetchState::Garbled;
            judged.detail = Some(why);
            return Ok(judged);
        }
        if extracted.provisions.is_empty() {
            judged.state = FetchState::NoProvisions;
            judged.detail = Some("the page has no provisions".into());
            return Ok(judged);
        }
        if let Some(detail) = wrong_language(source, &extracted) {
            judged.state = FetchState::WrongLanguage;
            judged.detail = Some(detail);
            return Ok(judged);
        }
        let Some(latest) = &source.latest_version else {
            let provisions = extracted.provisions.len();
            let report = self
                .engine
                .import_prepared(
                    ImportRequest {
                        document: source.document.clone(),
                        meta: DocumentMeta {
                            source_url: Some(source.url.clone()),
                            ..DocumentMeta::default()
                        },
                        bytes: body,
                        source: page.final_url.to_string(),
                        observed_at: Some(page.fetched_at),
                        extract: page_options(source, content_type.as_deref()),
                        allow_no_provisions: false,
                    },
                    Some(extracted),
                )
                .await?;
            judged.state = FetchState::FirstVersion;
            judged.version_number = Some(report.version);
            judged.new_version = report.status == crate::ImportStatus::NewVersion;
            judged.validators = validators;
            judged.detail = Some(format!("{provisions} provisions"));
            return Ok(judged);
        };
        if latest.content_hash == hash {
            judged.version_number = Some(latest.number);
            judged.validators = validators;
            judged.supersede = true;
            return Ok(judged);
        }
        let count = extracted.provisions.len();
        if latest.provision_count >= self.config.lost_min_provisions
            && (count as f64) < (latest.provision_count as f64) * self.config.lost_ratio
        {
            judged.state = FetchState::LostProvisions;
            judged.detail = Some(format!(
                "{count} provisions, version {} has {}",
                latest.number, latest.provision_count
            ));
            return Ok(judged);
        }
        if let Some(why) = self.lost_tail(source, latest.number, &extracted).await? {
            judged.state = FetchState::Truncated;
            judged.detail = Some(why);
            return Ok(judged);
        }
        let candidate = self
            .store()
            .observe_candidate(source.id, &hash, blob.as_str(), page.fetched_at)
            .await?;
        judged.validators = validators;
        if candidate.state != "confirmed" {
            judged.state = FetchState::ChangedUnconfirmed;
            judged.detail = Some(format!(
                "change seen {} of {} times",
                candidate.seen_count, source.confirmations
            ));
            return Ok(judged);
        }
        let (version, alerts) = self
            .promote(source, &candidate, content_type.as_deref())
            .await?;
        judged.state = FetchState::Confirmed;
        judged.version_number = Some(version);
        judged.new_version = true;
        judged.alerts = alerts;
        judged.detail = Some(format!(
            "version {version} after {} sightings; {alerts} alerts queued",
            candidate.seen_count
        ));
        Ok(judged)
    }

    /// `Some(why)` when the page holds only the beginning of version
    /// `number`'s provisions and nothing new ([`cw_extract::lost_tail`]).
    async fn lost_tail(
        &self,
        source: &SourceRow,
        number: u32,
        page: &ExtractedDocument,
    ) -> Result<Option<String>, WatchError> {
        let latest = self
            .store()
            .version(&cw_model::VersionRef {
                document: source.document.clone(),
                selector: cw_model::VersionSelector::Number(number),
            })
            .await?;
        Ok(
            cw_extract::lost_tail(&latest.document.provisions, &page.provisions)
                .map(|why| format!("{why} (version {number})")),
        )
    }

    /// Imports a confirmed candidate's bytes (observed at its first
    /// sighting) and, in one transaction, marks it promoted and queues its
    /// alerts. Idempotent. Returns the version and the alerts queued.
    /// `content_type` is the confirming response's (the same content);
    /// `None` when promoting after a crash, when the bytes' own
    /// declarations and detection decide their charset.
    pub(crate) async fn promote(
        &self,
        source: &SourceRow,
        candidate: &CandidateRow,
        content_type: Option<&str>,
    ) -> Result<(u32, usize), WatchError> {
        let blob: BlobId = candidate.sha256.parse()?;
        let archive = self.store().archive().clone();
        let bytes = tokio::task::spawn_blocking(move || archive.get(&blob))
            .await
            .map_err(|e| WatchError::Invalid(format!("archive task: {e}")))??;
        let report = self
            .engine
            .import(ImportRequest {
                document: source.document.clone(),
                meta: DocumentMeta {
                    source_url: Some(source.url.clone()),
                    ..DocumentMeta::default()
                },
                bytes,
                source: source.url.clone(),
                observed_at: Some(candidate.first_seen_at),
                extract: page_options(source, content_type),
                allow_no_provisions: false,
            })
            .await?;
        let number = report.version;
        crash_point("after_import");
        // A new version alerts, a revert to an older text included (the
        // store records it as a new version that restores the old one). So
        // does an existing version that is the document's latest with the
        // candidate's content: the import of an interrupted run.
        let alertable = match report.status {
            crate::ImportStatus::NewVersion => true,
            _ => {
                let latest = self.store().document(&source.document).await?;
                latest.and_then(|d| d.latest_version) == Some(number)
                    && self
                        .store()
                        .versions(&source.document)
                        .await?
                        .iter()
                        .any(|v| v.number == number && v.content_hash == candidate.content_hash)
            }
        };
        let (alerts, old) = if alertable {
            self.alerts_for(source, number).await?
        } else {
            (Vec::new(), None)
        };
        self.store()
            .promote_candidate(candidate.id, &source.document, number, old, &alerts)
            .await?;
        if let Err(e) = self.write_document_feed(&source.document).await {
            tracing::warn!(document = %source.document, error = %e, "document feed not written");
        }
        if !alerts.is_empty() {
            self.wake_delivery.notify_one();
        }
        Ok((number, alerts.len()))
    }

    /// The outbox rows a confirmed version produces: one per active
    /// subscription whose filter matches the alert.
    async fn alerts_for(
        &self,
        source: &SourceRow,
        number: u32,
    ) -> Result<(Vec<NewAlert>, Option<u32>), WatchError> {
        let Some(alert) = self.build_alert(&source.document, number).await? else {
            return Ok((Vec::new(), None));
        };
        let mut out = Vec::new();
        for sub in self.store().subscriptions(false).await? {
            let filter: Filter = serde_json::from_str(&sub.filter)?;
            if filter.matches(&alert) {
                out.push(NewAlert {
                    subscription_id: sub.id,
                    alert_id: alert.clone().for_subscription(&sub.name).id,
                });
            }
        }
        Ok((out, alert.old_version_number))
    }

    /// The unscoped alert for version `number` of a document, from its
    /// recorded change; `None` when no change was recorded (a first version).
    pub(crate) async fn build_alert(
        &self,
        document: &cw_model::DocumentKey,
        number: u32,
    ) -> Result<Option<Alert>, WatchError> {
        let Some(change) = self.store().change(document, number).await? else {
            return Ok(None);
        };
        let versions = self.store().versions(document).await?;
        let row_of = |n: u32| versions.iter().find(|v| v.number == n);
        let observed_at: DateTime<Utc> = row_of(number).map_or_else(Utc::now, |v| v.observed_at);
        let doc = self.store().document(document).await?.ok_or_else(|| {
            WatchError::Store(cw_store::StoreError::NotFound {
                what: format!("document {document}"),
            })
        })?;
        // One labelling per version serves the alert's labels and its "why
        // it matters" (the stored analysis when there is one).
        let after = self.version_labels(&doc, number, row_of(number)).await?;
        let before = match change.old_version {
            Some(old) => Some(self.version_labels(&doc, old, row_of(old)).await?),
            None => None,
        };
        let labels = change_labels(&change.change_set, &after, before.as_deref());
        let why = before
            .as_deref()
            .map(|before| crate::why_it_matters(&change.change_set, before, &after));
        let mut alert = Alert::new(
            document,
            change.old_version,
            number,
            observed_at,
            change.change_set,
        )
        .with_labels(labels);
        alert.why = why;
        alert.flags = self
            .alert_flags(document, number, self.store().now())
            .await?;
        if let Some(base) = &self.config.base_url {
            alert = alert.with_url(format!(
                "{}/documents/{document}/versions/{number}",
                base.trim_end_matches('/')
            ));
        }
        Ok(Some(alert))
    }

    /// The labels and findings of a stored version
    /// ([`crate::Engine::version_labels`]: kept per process, else the
    /// stored analysis when fresh, else labelled). With the version's row,
    /// labels this process already has are found without reading the
    /// version's provisions (a feed refresh reads many versions).
    async fn version_labels(
        &self,
        doc: &cw_store::DocumentRow,
        number: u32,
        row: Option<&cw_store::VersionRow>,
    ) -> Result<Arc<crate::VersionLabels>, WatchError> {
        if let Some(found) = row.and_then(|r| {
            self.engine
                .cached_labels_of(&doc.key, r.number, &r.content_hash)
        }) {
            return Ok(found);
        }
        let version = self
            .store()
            .version(&cw_model::VersionRef {
                document: doc.key.clone(),
                selector: cw_model::VersionSelector::Number(number),
            })
            .await?;
        Ok(self.engine.version_labels(doc, &version).await?)
    }
}

/// Attempts written per transaction in a cycle (see `check_source_logged`).
const ATTEMPT_BATCH: usize = 128;

/// The fetch attempts of a cycle waiting to be written together.
type AttemptBatch = std::sync::Mutex<Vec<NewAttempt>>;

/// How long a derived-data batch waits for another process's index commit.
const DERIVE_LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(120);

/// Labels of the changed provisions: a provision's labels in the new
/// version (`after`), else, for a removed one, in the old (`before`).
fn change_labels(
    change: &cw_model::ChangeSet,
    after: &crate::VersionLabels,
    before: Option<&crate::VersionLabels>,
) -> Vec<String> {
    let mut labels = Vec::new();
    for c in &change.changes {
        if c.kind == cw_model::ChangeKind::Unchanged {
            continue;
        }
        let found = match (&c.new_id, &c.old_id) {
            (Some(id), _) => after.ids_of(id),
            (None, Some(id)) => before.and_then(|b| b.ids_of(id)),
            (None, None) => None,
        };
        labels.extend(found.into_iter().flatten().cloned());
    }
    labels
}

/// `Some(detail)` when the page's language differs from the source's
/// expected language (else from the latest version's).
fn wrong_language(source: &SourceRow, doc: &ExtractedDocument) -> Option<String> {
    let expected = source
        .language
        .clone()
        .or_else(|| source.latest_version.as_ref().map(|v| v.language.clone()))?;
    let want = primary(&expected);
    let got = primary(&doc.language);
    if want.is_empty() || got.is_empty() || got == "und" || want == "und" || want == got {
        return None;
    }
    Some(format!("page is in {got:?}, expected {want:?}"))
}

fn flatten(
    done: Result<Result<SourceResult, WatchError>, tokio::task::JoinError>,
) -> Result<SourceResult, WatchError> {
    done.map_err(|e| WatchError::Invalid(format!("source task: {e}")))?
}

/// Test hook: `CLAUSEWATCH_CRASH_AT=<point>` aborts the process at that
/// point, as a `kill -9` would, so tests can prove recovery from the worst
/// moment (a version written, its alerts not yet queued).
fn crash_point(point: &str) {
    if std::env::var("CLAUSEWATCH_CRASH_AT").is_ok_and(|p| p == point) {
        tracing::error!(point, "CLAUSEWATCH_CRASH_AT: aborting");
        std::process::abort();
    }
}
