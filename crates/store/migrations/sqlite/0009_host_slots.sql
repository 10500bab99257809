-- 0009_host_slots: per-host politeness shared by every worker of a store.
--
-- The fetcher keeps one request at a time per host, with a pause between
-- requests, but only inside one process (cw-fetch's HostSlots). Several
-- `clausewatch worker` processes sharing a database would each keep their
-- own turn and hit one host N at a time. This table is the shared turn:
-- one row per host ("example.com:443", lowercased host and port), taken by
-- a worker before it fetches a source of that host and released after.
--
-- A worker takes the turn only when nobody holds it and `next_allowed_at`
-- has passed, in one conditional statement (INSERT … ON CONFLICT DO UPDATE
-- … WHERE … RETURNING): PostgreSQL locks the row, SQLite has one writer,
-- so two workers can never both win. The holder is named and the hold
-- has an expiry (`held_until`, extended while the fetch runs): a worker
-- that dies holding a turn blocks the host only until then, after which
-- any worker may take it. Releasing sets `next_allowed_at` to the end of
-- the fetch plus the politeness delay. A worker that finds the host busy
-- does not wait: it puts its job back in the queue until the host is free
-- and serves another host meanwhile.
--
-- Rows are small and few (one per host ever fetched); they are kept.
-- Portable rules as in 0001 (TEXT timestamps compare as time).

CREATE TABLE host_slots (
    -- Lowercased host and port of the fetched URL ("example.com:443").
    host            TEXT PRIMARY KEY,
    -- No request to the host starts before this time.
    next_allowed_at TEXT NOT NULL,
    -- Who is fetching from the host now and until when the turn is
    -- theirs without being extended; both NULL when the host is free.
    holder          TEXT,
    held_until      TEXT,
    -- When the row last changed (taken, extended or released).
    updated_at      TEXT NOT NULL,
    CHECK ((holder IS NULL) = (held_until IS NULL))
) STRICT;
