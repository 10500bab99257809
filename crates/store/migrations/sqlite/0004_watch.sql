-- 0004_watch: watching sources on a schedule and alerting subscribers.
--
-- A *source* is a URL that a document is fetched from, with its schedule
-- (every N seconds or a cron pattern), extraction settings and the state of
-- its last fetch. Every fetch is logged as a *fetch attempt* with a state
-- (unchanged, changed_unconfirmed, confirmed, http_error, bot_wall,
-- lost_provisions, wrong_language, …): problems with the source are states
-- to show, never versions.
--
-- A page whose content differs from the latest version becomes a *change
-- candidate*. It turns into a version only after it is seen with the same
-- content hash on `confirmations` consecutive content fetches (failed
-- fetches neither confirm nor reset it; different content replaces it).
-- A candidate is marked `confirmed` before the version is written and
-- `promoted` (with the version number) in the same transaction that writes
-- its alerts into the outbox; a `confirmed` candidate found after a crash is
-- promoted again, idempotently (the import is idempotent on its bytes, the
-- outbox is unique per subscription, document and version).
--
-- A *subscription* is a channel (webhook, email, feed; cw_notify::Channel as
-- JSON) and a filter (cw_notify::Filter as JSON). The *alert outbox* holds
-- one row per (subscription, document, version) to deliver; the *delivery
-- log* holds every attempt made for it.
--
-- Portable rules as in 0001 (INTEGER ids with RETURNING, TEXT timestamps,
-- JSON as TEXT, booleans as 0/1 integers with a CHECK). Sources and
-- subscriptions are never deleted (untrack/unsubscribe clear `active`), so
-- their history stays attached.

CREATE TABLE watch_sources (
    id                   INTEGER PRIMARY KEY,
    -- One source per document: the document is what is tracked.
    document_id          INTEGER NOT NULL UNIQUE REFERENCES documents (id),
    url                  TEXT NOT NULL,
    -- Exactly one schedule: a fixed interval or a cron pattern (UTC).
    every_secs           INTEGER CHECK (every_secs IS NULL OR every_secs > 0),
    cron                 TEXT,
    -- CSS selectors to keep / to drop before extraction, JSON arrays.
    select_css           TEXT NOT NULL,
    remove_css           TEXT NOT NULL,
    browser              INTEGER NOT NULL CHECK (browser IN (0, 1)),
    -- Expected language (BCP-47 primary tag), also sent as Accept-Language.
    language             TEXT,
    allow_private        INTEGER NOT NULL CHECK (allow_private IN (0, 1)),
    -- Consecutive identical sightings a change needs before it is a version.
    confirmations        INTEGER NOT NULL CHECK (confirmations >= 1),
    active               INTEGER NOT NULL CHECK (active IN (0, 1)),
    next_due_at          TEXT NOT NULL,
    -- Validators of the last fetched page, for conditional GET.
    etag                 TEXT,
    last_modified        TEXT,
    -- The last attempt, denormalised for listings.
    last_state           TEXT,
    last_detail          TEXT,
    last_attempt_at      TEXT,
    -- The last attempt whose page was the document (unchanged or changed).
    last_ok_at           TEXT,
    consecutive_failures INTEGER NOT NULL CHECK (consecutive_failures >= 0),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    CHECK ((every_secs IS NULL) <> (cron IS NULL))
) STRICT;

CREATE INDEX watch_sources_due ON watch_sources (active, next_due_at);

CREATE TABLE watch_fetch_attempts (
    id             INTEGER PRIMARY KEY,
    source_id      INTEGER NOT NULL REFERENCES watch_sources (id),
    started_at     TEXT NOT NULL,
    finished_at    TEXT NOT NULL,
    -- What the attempt meant for the document (see the engine's FetchState).
    state          TEXT NOT NULL,
    -- cw_fetch::FetchOutcome::code() of the fetch itself.
    outcome        TEXT NOT NULL,
    http_status    INTEGER,
    detail         TEXT,
    -- The archived raw bytes, when a body was kept (content or evidence).
    sha256         TEXT CHECK (sha256 IS NULL OR length(sha256) = 64),
    content_hash   TEXT CHECK (content_hash IS NULL OR length(content_hash) = 64),
    elapsed_ms     INTEGER NOT NULL CHECK (elapsed_ms >= 0),
    -- The version this attempt matched, created or confirmed, if any.
    version_number INTEGER
) STRICT;

CREATE INDEX watch_fetch_attempts_by_source ON watch_fetch_attempts (source_id, id);

CREATE TABLE watch_candidates (
    id             INTEGER PRIMARY KEY,
    source_id      INTEGER NOT NULL REFERENCES watch_sources (id),
    content_hash   TEXT NOT NULL CHECK (length(content_hash) = 64),
    -- The bytes of the first sighting (archived); they become the version.
    sha256         TEXT NOT NULL CHECK (length(sha256) = 64),
    first_seen_at  TEXT NOT NULL,
    last_seen_at   TEXT NOT NULL,
    seen_count     INTEGER NOT NULL CHECK (seen_count >= 1),
    state          TEXT NOT NULL
                   CHECK (state IN ('pending', 'confirmed', 'promoted', 'superseded')),
    version_number INTEGER,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
) STRICT;

CREATE INDEX watch_candidates_by_source ON watch_candidates (source_id, state);

CREATE TABLE watch_subscriptions (
    id         INTEGER PRIMARY KEY,
    -- A slug: the feed name for feeds, `sub-<id>`-like names otherwise.
    name       TEXT NOT NULL UNIQUE,
    -- cw_notify::Channel as JSON (webhook secrets included: the home folder
    -- is the operator's).
    channel    TEXT NOT NULL,
    -- cw_notify::Filter as JSON.
    filter     TEXT NOT NULL,
    active     INTEGER NOT NULL CHECK (active IN (0, 1)),
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE watch_alerts (
    id                 INTEGER PRIMARY KEY,
    subscription_id    INTEGER NOT NULL REFERENCES watch_subscriptions (id),
    document_id        INTEGER NOT NULL REFERENCES documents (id),
    version_number     INTEGER NOT NULL CHECK (version_number >= 1),
    old_version_number INTEGER,
    -- cw_notify::alert_id scoped to the subscription: the idempotency key
    -- receivers see (X-Clausewatch-Delivery, Atom entry id, Message-ID).
    alert_id           TEXT NOT NULL CHECK (length(alert_id) = 64),
    -- pending → sending → delivered, or back to pending with a later
    -- next_attempt_at, or failed after the last round.
    state              TEXT NOT NULL
                       CHECK (state IN ('pending', 'sending', 'delivered', 'failed')),
    rounds             INTEGER NOT NULL CHECK (rounds >= 0),
    next_attempt_at    TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    delivered_at       TEXT,
    last_error         TEXT,
    -- At most one alert per subscription and version, whatever crashes.
    UNIQUE (subscription_id, document_id, version_number)
) STRICT;

CREATE INDEX watch_alerts_due ON watch_alerts (state, next_attempt_at);

CREATE TABLE watch_deliveries (
    id           INTEGER PRIMARY KEY,
    alert_row_id INTEGER NOT NULL REFERENCES watch_alerts (id),
    attempt      INTEGER NOT NULL CHECK (attempt >= 1),
    at           TEXT NOT NULL,
    -- delivered, retryable or final (cw_notify::AttemptOutcome).
    outcome      TEXT NOT NULL,
    status       INTEGER,
    detail       TEXT,
    elapsed_ms   INTEGER NOT NULL CHECK (elapsed_ms >= 0)
) STRICT;

CREATE INDEX watch_deliveries_by_alert ON watch_deliveries (alert_row_id, id);
