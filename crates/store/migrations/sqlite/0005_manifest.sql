-- 0005_manifest: a hash-chained, append-only manifest of the archive (SQLite).
--
-- Why. The archive blobs are named by their sha256, so a damaged blob is
-- caught by re-hashing it. The database rows that say which blob is which
-- version of which document, when and where it was seen, and what it says
-- (the provisions) have no such protection: an UPDATE or DELETE leaves no
-- trace. The manifest gives every such record a hash, written in the same
-- transaction as the import that created it, and chains the entries:
--
--   chain_hash(n) = sha256(prev_hash "\n" seq "\n" kind "\n" record_key "\n" record_hash)
--   prev_hash(1)  = 64 zeros
--
-- `clausewatch verify` recomputes every record hash from the rows as they
-- are now and compares: a rewritten record no longer matches its entry, a
-- deleted record leaves an entry without a row, an edited or deleted entry
-- breaks the chain. Whoever can rewrite the whole database can also rebuild
-- a consistent chain; the chain head (the last chain_hash) is therefore
-- printed in every report and by `verify`, to be kept elsewhere and compared
-- (`verify --expect-head`).
--
-- Record kinds and keys (hash inputs are documented in src/db/manifest.rs):
--   version      platform/document@N               the version row and its provisions
--   snapshot     platform/document#<sha256>         the snapshot row (blob, source, time, version)
--   observation  platform/document#<sha256>@<time>  one sighting of a snapshot
-- A later entry with the same kind and key supersedes an earlier one (a
-- deliberate rewrite, e.g. a technical upgrade, appends a new entry).
--
-- Portability as in 0001: TEXT hashes, no SQLite-only functions; seq is
-- assigned by the writer as MAX(seq) + 1 inside the write transaction.

CREATE TABLE manifest (
    seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
    kind        TEXT NOT NULL CHECK (kind IN ('version', 'snapshot', 'observation')),
    record_key  TEXT NOT NULL,
    record_hash TEXT NOT NULL CHECK (length(record_hash) = 64),
    prev_hash   TEXT NOT NULL CHECK (length(prev_hash) = 64),
    chain_hash  TEXT NOT NULL CHECK (length(chain_hash) = 64),
    created_at  TEXT NOT NULL
) STRICT;

CREATE INDEX manifest_by_record ON manifest (kind, record_key, seq);

-- Homes created before this migration already hold records that no import
-- entered into the manifest. This marker says so; `verify` then enters
-- them once (a backfill: the manifest vouches for the state at backfill
-- time, not for anything before it) and removes the marker in the same
-- transaction. A manifest emptied later has no marker, so it is reported,
-- never silently rebuilt.
CREATE TABLE manifest_backfill (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    reason     TEXT NOT NULL
) STRICT;

INSERT INTO manifest_backfill (id, reason)
SELECT 1, 'records existed before the manifest was introduced (migration 0005)'
WHERE EXISTS (SELECT 1 FROM snapshots) OR EXISTS (SELECT 1 FROM versions);
