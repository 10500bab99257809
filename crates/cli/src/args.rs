//! Command-line arguments: the raw values clap parses. Validation into
//! settings that build components happens in `commands`.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Watch terms of service, acceptable use and privacy policies; see every change, explained.
#[derive(Debug, Parser)]
#[command(name = "clausewatch", version, about, long_about = None, propagate_version = true)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: Global,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Options every command accepts.
#[derive(Debug, Args)]
pub(crate) struct Global {
    /// Home folder: database, archive and index.
    #[arg(
        long,
        global = true,
        env = "CLAUSEWATCH_HOME",
        default_value = "clausewatch-data"
    )]
    pub(crate) home: PathBuf,
    /// Database: sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/DB (default: the SQLite file in the home).
    #[arg(
        long,
        global = true,
        env = "CLAUSEWATCH_DATABASE",
        hide_env_values = true
    )]
    pub(crate) database: Option<String>,
    /// Archive of raw bytes: a folder or s3://BUCKET/PREFIX (default: HOME/archive; S3 settings from AWS_* variables).
    #[arg(long, global = true, env = "CLAUSEWATCH_ARCHIVE")]
    pub(crate) archive: Option<String>,
    /// More log output on stderr (-v info, -vv debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,
}

/// Output formats for data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Human-readable text.
    Text,
    /// JSON for machines.
    Json,
    /// Clean Markdown.
    Markdown,
    /// A self-contained HTML page.
    Html,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Extract clean provisions from a file (HTML, Markdown, PDF or text; format sniffed from content).
    ///
    /// Example: clausewatch extract policy.html --format json
    Extract {
        /// The file to read.
        file: PathBuf,
        /// Output format: json (the DESIGN §4 contract), text or markdown.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Selectors that pin down the content of an HTML page.
        #[command(flatten)]
        declaration: DeclarationArgs,
    },
    /// Archive files as versions of one document (raw bytes kept, content-addressed).
    ///
    /// A folder stands for the files in it, by name; with --observed-at-from-name each file is
    /// observed on the date its name states (2021-03-04.md, aup-2021-03-04.html, 20210304.txt)
    /// and the files are imported in date order.
    ///
    /// Example: clausewatch import aup-2021.txt --platform aws --document aup-ningxia --region cn-northwest-1 --observed-at 2021-06-18
    ///
    /// Example: clausewatch import ./aup-copies --platform aws --document aup --observed-at-from-name
    Import {
        /// Files (or folders of files) to import, in order (each a copy of the document).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Platform slug, e.g. aws.
        #[arg(long)]
        platform: String,
        /// Document slug, e.g. aup-ningxia. Defaults to a slug of the extracted title.
        #[arg(long)]
        document: Option<String>,
        /// Document type, e.g. acceptable-use-policy, privacy-policy, terms-of-service.
        #[arg(long = "type")]
        doc_type: Option<String>,
        /// Region the document applies to, e.g. cn-northwest-1.
        #[arg(long)]
        region: Option<String>,
        /// Source URL to record with the document.
        #[arg(long)]
        url: Option<String>,
        /// When this copy was seen (YYYY-MM-DD). Defaults to the document's effective date, then today.
        #[arg(long)]
        observed_at: Option<chrono::NaiveDate>,
        /// Each file was seen on the date in its name (YYYY-MM-DD or YYYYMMDD, with an optional
        /// time); files are imported in date order, and a file without a date is an error.
        #[arg(long, conflicts_with = "observed_at")]
        observed_at_from_name: bool,
        /// Import a file even when it looks like an error page, a "not found"
        /// page, a bot wall or a sign-in wall, or has no provisions at all (e.g. only
        /// an image or an SVG): refused by default, as `watch` never makes such versions.
        #[arg(long)]
        force: bool,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Selectors that pin down the content of an HTML page; stored with the
        /// document and applied to its later imports that give none.
        #[command(flatten)]
        declaration: DeclarationArgs,
    },
    /// List stored documents.
    ///
    /// Example: clausewatch documents --format json
    Documents {
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// List the versions of a stored document.
    ///
    /// Example: clausewatch versions aws/aup-ningxia
    Versions {
        /// The document, PLATFORM/DOCUMENT.
        document: String,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Show a stored version: metadata and provisions.
    ///
    /// Example: clausewatch show aws/aup-ningxia@2021-06-18 --format json
    Show {
        /// PLATFORM/DOCUMENT[@YYYY-MM-DD | @N | @latest].
        // Its own id: `version` is the propagated `--version` flag's, which
        // clap's debug assertions refuse to share (a panic in debug builds).
        #[arg(id = "version_ref", value_name = "VERSION")]
        version: String,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Compare two versions provision by provision (files or stored versions).
    ///
    /// Example: clausewatch diff example-cloud/privacy example-cloud/privacy-cn --format text
    ///
    /// Example: clausewatch diff example-cloud/aup
    Diff {
        /// Old side: a file or PLATFORM/DOCUMENT[@DATE].
        old: String,
        /// New side: a file or PLATFORM/DOCUMENT[@DATE]. Without it, OLD
        /// names a stored document and its latest change is shown (the
        /// version before the latest → the latest).
        new: Option<String>,
        /// Output format: text, json (the DESIGN §4 contract) or html.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Show unchanged provisions too, in place (text and html formats; json always lists every provision).
        #[arg(long)]
        all: bool,
    },
    /// A document's versions with their change counts, substantive changes first.
    ///
    /// Example: clausewatch timeline example-cloud/aup
    Timeline {
        /// The document, PLATFORM/DOCUMENT.
        document: String,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Every text one provision had across versions, with dates.
    ///
    /// Example: clausewatch history example-cloud/aup 3-no-network-abuse/2
    History {
        /// The document, PLATFORM/DOCUMENT.
        document: String,
        /// A provision id (in the latest version, or @DATE version of the document) or a lineage key (L…).
        provision: String,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Full-text search over provisions (in force by default).
    ///
    /// Query language: words, "quoted phrases", -exclusions and filters platform:, document:, type:,
    /// label:, lang:, kind:, region:, since:YYYY-MM-DD, until:YYYY-MM-DD.
    ///
    /// Example: clausewatch search '"without notice" platform:example-cloud'
    Search {
        /// The query.
        query: String,
        /// Search every version, not only the provisions in force.
        #[arg(long)]
        all_versions: bool,
        /// Maximum number of hits.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Label every provision of a stored version (TAXONOMY ids with confidence and evidence quote),
    /// read attributes, run the regulatory checks, and store the results (re-analysis replaces them).
    ///
    /// Example: clausewatch analyze aws/aup-ningxia@2021-06-18
    Analyze {
        /// PLATFORM/DOCUMENT[@YYYY-MM-DD | @N | @latest].
        #[arg(
            id = "version_ref",
            value_name = "VERSION",
            required_unless_present = "all",
            conflicts_with = "all"
        )]
        version: Option<String>,
        /// Analyse every version of every stored document.
        #[arg(long)]
        all: bool,
        /// Output format: text or json.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// How other platforms handle a provision: the closest provisions of other platforms' documents
    /// in force sharing its labels (BM25, computed locally), with adoption counts.
    ///
    /// Example: clausewatch compare example-cloud/aup 3-no-network-abuse/2
    Compare {
        /// PLATFORM/DOCUMENT[@YYYY-MM-DD | @N | @latest].
        #[arg(id = "version_ref", value_name = "VERSION")]
        version: String,
        /// The provision id (as `show` lists it).
        provision: String,
        /// Maximum number of comparable provisions (at most 3 per platform).
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Output format: text or json.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Regulatory checks of a document (P2B, DSA, UCTD, GDPR, PIPL, CSL, CCPA …): findings citing
    /// the provision; each is a risk indicator, not a legal determination.
    ///
    /// Example: clausewatch check example-cloud/privacy-cn
    Check {
        /// PLATFORM/DOCUMENT[@YYYY-MM-DD | @N | @latest].
        #[arg(id = "version_ref", value_name = "VERSION")]
        version: String,
        /// Output format: text or json.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Which provisions of tracked platforms a described workload may fall under, with labels and quotes.
    ///
    /// Example: clausewatch check-workload "we run an open SMTP relay and crawl competitors' sites"
    CheckWorkload {
        /// What you run, in plain words.
        description: String,
        /// Maximum number of documents listed per activity.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Output format: text or json.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Label texts read one per line on stdin; writes one JSON object per line.
    ///
    /// Output: {"labels": [{"id": "tos_unilateral_change", "confidence": 0.93, "span": [0, 57]}]}
    /// (span = character offsets of the evidence in that line).
    ///
    /// Example: echo "We may modify this Policy at any time." | clausewatch label
    Label {
        /// Document type of the texts: tos, privacy, aup (default: unknown, every rule applies).
        #[arg(long = "type")]
        doc_type: Option<String>,
    },
    /// Rebuild the unfair-clause model from the CLAUDETTE corpus (reproducible: same data, same bytes).
    ///
    /// Example: clausewatch train --corpus ../shared/corpus/labelled/claudette_multilingual --output model.json
    Train {
        /// The CLAUDETTE corpus folder (with corpus/sentences/en and corpus/tags/en).
        #[arg(
            long,
            default_value = "../shared/corpus/labelled/claudette_multilingual"
        )]
        corpus: PathBuf,
        /// Where to write the model file.
        #[arg(long, default_value = "crates/analyze/model/unfair_tos.json")]
        output: PathBuf,
    },
    /// Rebuild the search index from the store.
    ///
    /// Example: clausewatch reindex
    Reindex,
    /// Re-extract every archived snapshot with the current extractor; differences are recorded as
    /// technical upgrades (never as changes of the terms, never alerted).
    ///
    /// Example: clausewatch reextract aws/aup-ningxia --dry-run
    Reextract {
        /// Only this document, PLATFORM/DOCUMENT (default: every document).
        document: Option<String>,
        /// Report what would be recorded without writing anything.
        #[arg(long)]
        dry_run: bool,
        /// Output format: text or json.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Announced vs silent changes: each version's stated date against what changed.
    ///
    /// Flags substantive changes without a new date (silent_change), a new date with no change
    /// of the terms (date_bump_without_change) and a date older than the previous version's
    /// (date_older_than_previous). Without DOC, every document.
    ///
    /// Example: clausewatch announcements example-cloud/aup --all
    Announcements {
        /// Only this document, PLATFORM/DOCUMENT.
        document: Option<String>,
        /// Every version with a change, not only the flagged ones.
        #[arg(long)]
        all: bool,
        /// Output format: text or json.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Variants of one policy (regions, languages): declare, view aligned, find divergences.
    ///
    /// Example: clausewatch variants declare example-privacy example-cloud/privacy=global example-cloud/privacy-cn=cn
    Variants {
        #[command(subcommand)]
        action: VariantsAction,
    },
    /// Import a whole history another archive recorded, resumably and idempotently.
    ///
    /// SOURCE is an Open Terms Archive versions repository (git; one commit per version, the
    /// commit time as the observation time, "technical or declaration upgrade" commits as
    /// technical upgrades), an Open Terms Archive dataset folder (<Service>/<Terms type>/<date>.md),
    /// the corpus layout (versions.tsv), or a folder of dated copies of one document (the date
    /// from each file name; name the document with --document). Every item keeps its provenance
    /// (archive, commit or file, capture time); a run killed halfway resumes where it stopped,
    /// and a second run records nothing.
    ///
    /// Example: clausewatch import-history ./aup-copies --document aws/aup
    ImportHistory {
        /// The history to read.
        source: std::path::PathBuf,
        /// The snapshots repository of an Open Terms Archive versions repository: links each
        /// version to the raw page(s) it came from (the commit message names them).
        #[arg(long)]
        snapshots: Option<std::path::PathBuf>,
        /// Record every item as a version of this document, PLATFORM/DOCUMENT (required for a
        /// folder of dated copies).
        #[arg(long)]
        document: Option<String>,
        /// The kind of source, when not to be detected from its layout.
        #[arg(long, value_enum)]
        kind: Option<HistoryKind>,
        /// Do not analyse and index the new versions at the end (a later start-up or
        /// `clausewatch worker` catches up).
        #[arg(long)]
        no_derive: bool,
        /// No progress lines on stderr.
        #[arg(long, short)]
        quiet: bool,
        /// Output format: text or json.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Track a URL: fetch it on a schedule and record confirmed changes as versions.
    ///
    /// The first fetch of a document without versions becomes version 1; later changes become
    /// versions only after being seen identically on --confirmations consecutive fetches. Error
    /// pages, bot walls, login walls, soft 404s, pages that lost most provisions and pages in the
    /// wrong language are recorded as fetch states, never as versions.
    ///
    /// Example: clausewatch track https://aws.amazon.com/aup/ --platform aws --document aup --every 6h --language en
    Track {
        /// The URL (http or https).
        url: String,
        /// Platform slug, e.g. aws.
        #[arg(long)]
        platform: String,
        /// Document slug, e.g. aup.
        #[arg(long)]
        document: String,
        /// Fetch interval: 30m, 6h, 1d (default 6h).
        #[arg(long, conflicts_with = "cron")]
        every: Option<String>,
        /// Fetch times as a five-field cron pattern in UTC, e.g. "0 6 * * *".
        #[arg(long)]
        cron: Option<String>,
        /// CSS selector of the content to keep (repeatable).
        #[arg(long = "select")]
        select: Vec<String>,
        /// CSS selector of content to drop before extraction (repeatable).
        #[arg(long = "remove")]
        remove: Vec<String>,
        /// Fetch with headless Chromium (pages that need JavaScript).
        #[arg(long, conflicts_with = "no_browser")]
        browser: bool,
        /// Never retry this source in headless Chromium; a page that needs it is the
        /// `needs_browser` fetch state.
        #[arg(long)]
        no_browser: bool,
        /// Expected language (also sent as Accept-Language), e.g. en or zh-CN.
        #[arg(long)]
        language: Option<String>,
        /// Allow private, loopback and link-local addresses (also needs `watch --allow-private`).
        #[arg(long)]
        allow_private: bool,
        /// Consecutive identical sightings before a change becomes a version (default 2).
        #[arg(long)]
        confirmations: Option<u32>,
        /// Output format: text or json.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Stop tracking a document (its versions and fetch history are kept).
    ///
    /// Example: clausewatch untrack aws/aup
    Untrack {
        /// The document, PLATFORM/DOCUMENT.
        document: String,
    },
    /// List tracked sources with their schedule, next due time and last fetch state.
    ///
    /// Example: clausewatch sources --format json
    Sources {
        /// Include untracked sources.
        #[arg(long)]
        all: bool,
        /// Output format: text or json.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Show or change the store's settings (what `watch` and `worker` do when their flags say nothing).
    ///
    /// Example: clausewatch settings set browser-fallback off
    Settings {
        #[command(subcommand)]
        action: Option<SettingsAction>,
    },
    /// Fetch due sources on their schedules and deliver alerts; SIGTERM or Ctrl-C stop it gracefully.
    ///
    /// Example: clausewatch watch --smtp-host mail.example.com --smtp-from alerts@example.com
    Watch {
        /// Run one cycle (due sources), deliver alerts, and exit (for cron and tests).
        #[arg(long)]
        once: bool,
        /// With --once: fetch every tracked source, due or not.
        #[arg(long, requires = "once")]
        all: bool,
        /// Let sources tracked with --allow-private reach private and loopback addresses.
        #[arg(long)]
        allow_private: bool,
        /// Never start headless Chromium for bot walls or empty JavaScript pages (sources
        /// tracked with --browser still use it); also `clausewatch settings set browser-fallback off`.
        #[arg(long)]
        no_browser: bool,
        /// Fetches in flight at once (one per host at a time).
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
        /// Pause between two requests to the same host: 0, 500ms, 1s.
        #[arg(long, default_value = "1s")]
        per_host_delay: String,
        /// Timeout of one request: 30s, 2m.
        #[arg(long, default_value = "30s")]
        timeout: String,
        /// How soon a change seen for the first time is fetched again to confirm it (also the
        /// first retry delay of a failed fetch, doubled per failure): 10m, 30s.
        #[arg(long, default_value = "10m")]
        confirm_after: String,
        /// How alerts are sent: SMTP server and links.
        #[command(flatten)]
        alerts: AlertArgs,
        /// Output format of the final report: text or json.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Run a worker: schedule due sources, claim fetch/deliver/index jobs from the shared queue under a lease, run them; start several (SQLite file or PostgreSQL). SIGTERM or Ctrl-C stop it gracefully.
    ///
    /// Example: clausewatch --database postgres://cw@db/clausewatch worker --id worker-1 --smtp-host mail.example.com
    Worker {
        /// Exit once no job is queued or running and nothing is due (tests, benchmarks, cron).
        #[arg(long, alias = "once")]
        until_idle: bool,
        /// Name on this worker's leases (default: HOST-PID); unique among live workers.
        #[arg(long)]
        id: Option<String>,
        /// How long a claimed job stays this worker's without a heartbeat: 60s, 2m, 500ms.
        #[arg(long, env = "CLAUSEWATCH_WORKER_LEASE", default_value = "60s")]
        lease: String,
        /// Jobs claimed at once.
        #[arg(long, default_value_t = 16)]
        batch: u32,
        /// Pause between two looks at the schedule and the queue when idle: 1s, 200ms.
        #[arg(long, env = "CLAUSEWATCH_WORKER_POLL", default_value = "1s")]
        poll: String,
        /// Claims a fetch or deliver job gets before it fails for good.
        #[arg(long, default_value_t = 3)]
        max_attempts: u32,
        /// Let sources tracked with --allow-private reach private and loopback addresses.
        #[arg(long)]
        allow_private: bool,
        /// Never start headless Chromium for bot walls or empty JavaScript pages (sources
        /// tracked with --browser still use it); also `clausewatch settings set browser-fallback off`.
        #[arg(long)]
        no_browser: bool,
        /// Jobs in flight at once in this worker (fetches: one per host at a time).
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
        /// Pause between two requests to the same host (per worker): 0, 500ms, 1s.
        #[arg(long, default_value = "1s")]
        per_host_delay: String,
        /// Timeout of one request: 30s, 2m.
        #[arg(long, default_value = "30s")]
        timeout: String,
        /// How soon a change seen for the first time is fetched again to confirm it (also the
        /// first retry delay of a failed fetch, doubled per failure): 10m, 30s.
        #[arg(long, default_value = "10m")]
        confirm_after: String,
        /// How alerts are sent: SMTP server and links.
        #[command(flatten)]
        alerts: AlertArgs,
        /// Output format of the final report: text or json.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Subscribe to confirmed changes: a signed webhook, email, or an Atom feed file.
    ///
    /// Example: clausewatch subscribe --webhook https://hooks.example.com/cw --secret "$SECRET" --platform aws --substantive-only
    Subscribe {
        /// Webhook endpoint receiving signed JSON (clausewatch.alert.v1).
        #[arg(long)]
        webhook: Option<String>,
        /// Webhook signing secret (at least 16 bytes).
        #[arg(long, env = "CLAUSEWATCH_WEBHOOK_SECRET", hide_env_values = true)]
        secret: Option<String>,
        /// Email recipient (repeatable).
        #[arg(long)]
        email: Vec<String>,
        /// Atom feed name, written to HOME/feeds/NAME.xml.
        #[arg(long)]
        feed: Option<String>,
        /// Only these platforms (repeatable).
        #[arg(long)]
        platform: Vec<String>,
        /// Only these documents, PLATFORM/DOCUMENT (repeatable).
        #[arg(long)]
        document: Vec<String>,
        /// Only changes touching provisions with this label; `tos_*` matches a prefix (repeatable).
        #[arg(long)]
        label: Vec<String>,
        /// Only changes with at least one substantive change.
        #[arg(long)]
        substantive_only: bool,
        /// Only alerts with this flag: silent_change, date_bump_without_change,
        /// date_older_than_previous or divergence (repeatable; issue #23).
        #[arg(long)]
        flag: Vec<String>,
        /// Let deliveries reach private, loopback and link-local addresses
        /// (the webhook's, or the SMTP server's for email); stored with the subscription.
        #[arg(long)]
        allow_private: bool,
        /// Output format: text or json.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// List subscriptions with their delivery counts.
    ///
    /// Example: clausewatch subscriptions --format json
    Subscriptions {
        /// Include removed subscriptions.
        #[arg(long)]
        all: bool,
        /// Output format: text or json.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Remove a subscription (by id or name); its undelivered alerts are dropped.
    ///
    /// Example: clausewatch unsubscribe 1
    Unsubscribe {
        /// Subscription id or name.
        subscription: String,
    },
    /// Load the sample corpus into the home folder, then serve the web UI and API on --addr
    /// (anonymous read-only) until Ctrl-C.
    ///
    /// Example: clausewatch demo --addr 127.0.0.1:8080
    Demo {
        /// Also import the seed documents from this folder when it exists.
        #[arg(long, default_value = "../shared/seeds")]
        seeds: PathBuf,
        /// Where to serve the web UI and API.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// Only import; do not start the server (for scripts and CI).
        #[arg(long)]
        no_serve: bool,
    },
    /// Serve the web UI and the JSON API (OpenAPI at /api/openapi.json) until Ctrl-C or SIGTERM.
    ///
    /// Every request needs an API token (`clausewatch token create`) unless --anonymous-read is given.
    ///
    /// Example: clausewatch serve --addr 127.0.0.1:8080 --anonymous-read
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// Let requests without a token read everything (changes still need an admin token).
        #[arg(long)]
        anonymous_read: bool,
    },
    /// Copy a whole database to another (SQLite → PostgreSQL or back), verified by row counts and content hashes.
    ///
    /// Example: clausewatch migrate --from sqlite://clausewatch-data/clausewatch.db --to postgres://cw@db.internal/clausewatch
    Migrate {
        /// Source database: sqlite://PATH or postgres://….
        #[arg(long)]
        from: String,
        /// Target database; must be empty (its schema is created).
        #[arg(long)]
        to: String,
        /// Also copy the archive's blobs from this folder or s3:// location…
        #[arg(long, requires = "archive_to")]
        archive_from: Option<String>,
        /// …to this folder or s3:// location (every blob re-read and re-hashed).
        #[arg(long, requires = "archive_from")]
        archive_to: Option<String>,
        /// Output format: text or json.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Manage API tokens for `serve` (stored hashed; the secret is printed once).
    ///
    /// Example: clausewatch token create --role admin --name ci
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// An evidence report for auditors: cover, document identity, every version with source,
    /// fetch time, HTTP status and snapshot sha256, provisions with labels and evidence,
    /// regulatory findings (risk indicators, not legal determinations), change history with
    /// diffs, and a provenance appendix (archive hashes, manifest chain head, extractor versions).
    ///
    /// PDF is printed by Debian's headless chromium (page numbers, contents with page numbers
    /// when pdftotext is installed).
    ///
    /// Example: clausewatch report aws/aup-ningxia --format pdf --output aup-ningxia.pdf
    Report {
        /// A document (PLATFORM/DOCUMENT) or a whole platform (PLATFORM).
        target: String,
        /// Only versions observed on or after this date (YYYY-MM-DD).
        #[arg(long)]
        since: Option<chrono::NaiveDate>,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = ReportFormat::Html)]
        format: ReportFormat,
        /// Where to write it (default: stdout for html and md, TARGET-report.pdf for pdf).
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Export platforms, documents, versions, provisions, changes, labels, snapshots and
    /// observations (and where imported histories came from) as a versioned dataset (schema: docs/export-schema.md) with a manifest.json
    /// of counts and file hashes. Add --with-archive to include the raw bytes, which makes the
    /// export importable into a fresh home (`import-dataset`).
    ///
    /// Example: clausewatch export --format jsonl --with-archive --output dataset/
    Export {
        /// File format of the tables.
        #[arg(long, short, value_enum, default_value_t = DatasetFormat::Jsonl)]
        format: DatasetFormat,
        /// Only versions observed on or after this date (YYYY-MM-DD); such an export cannot be imported.
        #[arg(long)]
        since: Option<chrono::NaiveDate>,
        /// The folder to create (must be empty or absent).
        #[arg(long, short, default_value = "clausewatch-export")]
        output: PathBuf,
        /// Also copy the raw archive blobs (needed to import the export into another home).
        #[arg(long)]
        with_archive: bool,
    },
    /// Load an export made with `export --with-archive` into a fresh home: checks file hashes,
    /// counts, blob hashes and the source's manifest chain, then writes everything in one transaction.
    ///
    /// Example: clausewatch --home fresh-home import-dataset dataset/
    ImportDataset {
        /// The export folder (with manifest.json).
        dir: PathBuf,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Verify the home: re-hash every archived blob, rebuild every version from its snapshots,
    /// and check the hash-chained manifest so rewritten or deleted records are found.
    /// Exit code 1 when anything is wrong. A home made before the manifest existed is
    /// backfilled once (the manifest then vouches for the state at that moment only).
    ///
    /// Example: clausewatch verify --format json
    Verify {
        /// Output format: text or json.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// The chain head you kept from an earlier report or verify; it must still be the head.
        #[arg(long)]
        expect_head: Option<String>,
        /// Skip re-extracting every snapshot (faster; blobs and manifest are still checked).
        #[arg(long)]
        no_rebuild: bool,
    },
}

/// Output formats of `report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ReportFormat {
    /// A self-contained HTML page.
    Html,
    /// PDF printed by headless Chromium.
    Pdf,
    /// Markdown.
    #[value(alias = "markdown")]
    Md,
}

/// File formats of `export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DatasetFormat {
    /// One JSON object per line.
    Jsonl,
    /// CSV with a header row.
    Csv,
}

/// `clausewatch token …`.
#[derive(Debug, Subcommand)]
pub(crate) enum TokenCommand {
    /// Create a token and print its secret (once) on stdout.
    ///
    /// Example: clausewatch token create --role viewer --name dashboard
    Create {
        /// admin (read and change) or viewer (read only).
        #[arg(long, value_parser = ["admin", "viewer"])]
        role: String,
        /// What the token is for (defaults to the role).
        #[arg(long)]
        name: Option<String>,
        /// Output format: text (the secret alone) or json.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// List tokens (never their secrets).
    ///
    /// Example: clausewatch token list
    List {
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Revoke a token by id.
    ///
    /// Example: clausewatch token revoke 2
    Revoke {
        /// The token id (see `token list`).
        id: u64,
    },
}

/// SMTP connection security for `watch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SmtpTlsArg {
    /// Plain SMTP (a local relay, tests).
    None,
    /// STARTTLS, required (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

/// Open Terms Archive-style declarations for HTML pages (`extract`, `import`).
#[derive(Debug, Clone, Default, clap::Args)]
pub(crate) struct DeclarationArgs {
    /// Keep only this content: a CSS selector, or a range as JSON such as
    /// '{"startBefore": "#terms", "endBefore": "footer"}' (also startAfter,
    /// endAfter). Repeatable. Wins over the automatic main-content choice.
    #[arg(long, value_name = "SELECTOR", value_parser = parse_selector)]
    pub(crate) select: Vec<cw_extract::Selector>,
    /// Drop this content (CSS selector or JSON range). Repeatable.
    #[arg(long, value_name = "SELECTOR", value_parser = parse_selector)]
    pub(crate) remove: Vec<cw_extract::Selector>,
}

impl DeclarationArgs {
    /// The declaration, when any selector was given.
    pub(crate) fn declaration(&self) -> Option<cw_extract::Declaration> {
        (!self.select.is_empty() || !self.remove.is_empty()).then(|| {
            cw_extract::Declaration::from_selectors(self.select.clone(), self.remove.clone())
        })
    }
}

fn parse_selector(text: &str) -> Result<cw_extract::Selector, String> {
    cw_extract::Selector::parse(text).map_err(|e| e.to_string())
}

/// How `watch` and `worker` send alerts: the SMTP server for email
/// subscriptions and the web UI's base URL for links (one definition, so the
/// two commands cannot drift apart).
#[derive(Debug, Clone, Args)]
pub(crate) struct AlertArgs {
    /// SMTP server for email subscriptions.
    #[arg(long, env = "CLAUSEWATCH_SMTP_HOST")]
    pub(crate) smtp_host: Option<String>,
    /// SMTP port (default: 25, 587 or 465 by --smtp-tls).
    #[arg(long, env = "CLAUSEWATCH_SMTP_PORT")]
    pub(crate) smtp_port: Option<u16>,
    /// SMTP connection security.
    #[arg(long, env = "CLAUSEWATCH_SMTP_TLS", value_enum, default_value_t = SmtpTlsArg::Starttls)]
    pub(crate) smtp_tls: SmtpTlsArg,
    /// SMTP user name.
    #[arg(long, env = "CLAUSEWATCH_SMTP_USER")]
    pub(crate) smtp_user: Option<String>,
    /// SMTP password (prefer the environment variable).
    #[arg(long, env = "CLAUSEWATCH_SMTP_PASSWORD", hide_env_values = true)]
    pub(crate) smtp_password: Option<String>,
    /// Sender address of alert emails.
    #[arg(
        long,
        env = "CLAUSEWATCH_SMTP_FROM",
        default_value = "clausewatch@localhost"
    )]
    pub(crate) smtp_from: String,
    /// Base URL of the web UI, for links in alerts.
    #[arg(long, env = "CLAUSEWATCH_BASE_URL")]
    pub(crate) base_url: Option<String>,
}

/// `settings` actions.
#[derive(Debug, Subcommand)]
pub(crate) enum SettingsAction {
    /// Set one setting.
    ///
    /// Example: clausewatch settings set browser-fallback off
    Set {
        /// The setting.
        #[arg(value_enum)]
        name: SettingName,
        /// Its value: on or off.
        #[arg(value_enum)]
        value: OnOff,
    },
}

/// The store's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SettingName {
    /// Retry bot walls and empty JavaScript pages in headless Chromium (default on).
    BrowserFallback,
}

/// A switch's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OnOff {
    /// On.
    On,
    /// Off.
    Off,
}

/// The kinds of sources `import-history` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum HistoryKind {
    /// An Open Terms Archive versions repository (git).
    Git,
    /// An Open Terms Archive dataset folder.
    Dataset,
    /// The corpus layout (versions.tsv).
    Corpus,
    /// A folder of dated copies of one document.
    Folder,
}

/// What `clausewatch variants` does.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum VariantsAction {
    /// Declare documents as variants of POLICY: DOC=LABEL (e.g. aws/aup-beijing=beijing).
    Declare {
        /// The policy's name (a slug shared by the variants).
        policy: String,
        /// PLATFORM/DOCUMENT=LABEL, one per variant.
        #[arg(required = true)]
        variants: Vec<String>,
    },
    /// The variants' provisions aligned; with --differing only what some variants lack.
    Show {
        /// The policy.
        policy: String,
        /// Only rows absent from some variant.
        #[arg(long)]
        differing: bool,
        /// Output format: text or json.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Substantive changes of one variant that a sibling did not follow within the window.
    Divergences {
        /// The window in days (default: the store's setting, else 30).
        #[arg(long)]
        window_days: Option<i64>,
        /// Output format: text or json.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}
