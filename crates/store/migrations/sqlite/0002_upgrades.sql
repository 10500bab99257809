-- 0002_upgrades: technical upgrades (SQLite).
--
-- A *technical upgrade* is what `clausewatch reextract` records when the
-- current extractor reads an archived snapshot differently from the
-- extractor that produced a stored version: same bytes, same terms, other
-- provisions (a better segmentation, a boilerplate rule, a decoding fix).
-- It is never a change of the terms: it creates no version, no row in
-- `changes` of its own, and must never alert. The version's provisions are
-- replaced in place (lineage keys kept where the diff aligns them) and the
-- row below keeps what was replaced, so nothing is lost.
--
-- Same portability rules as 0001 (TEXT timestamps, JSON as TEXT, only
-- CHECK/UNIQUE/FOREIGN KEY constraints, RETURNING id on inserts).

CREATE TABLE technical_upgrades (
    id                    INTEGER PRIMARY KEY,
    document_id           INTEGER NOT NULL REFERENCES documents (id),
    -- The version whose provisions were re-extracted.
    version_id            INTEGER NOT NULL REFERENCES versions (id),
    -- versions.extractor_version before and after.
    old_extractor_version TEXT NOT NULL,
    new_extractor_version TEXT NOT NULL,
    -- versions.content_hash before and after; they always differ (an
    -- extraction with the same hash is not an upgrade and is not recorded).
    old_content_hash      TEXT NOT NULL CHECK (length(old_content_hash) = 64),
    new_content_hash      TEXT NOT NULL CHECK (length(new_content_hash) = 64),
    -- Copies of change_set.summary (old extraction → new extraction), so
    -- listings need not parse JSON.
    added                 INTEGER NOT NULL,
    removed               INTEGER NOT NULL,
    modified              INTEGER NOT NULL,
    moved                 INTEGER NOT NULL,
    unchanged             INTEGER NOT NULL,
    substantive           INTEGER NOT NULL,
    -- What the extractor changed: the cw_model::ChangeSet JSON of the old
    -- stored extraction against the new one (same contract as `changes`).
    change_set            TEXT NOT NULL,
    -- What was replaced: JSON {"document": ExtractedDocument, "lineage_keys": [...]}
    -- of the version before the upgrade.
    replaced              TEXT NOT NULL,
    created_at            TEXT NOT NULL
) STRICT;

CREATE INDEX technical_upgrades_by_version ON technical_upgrades (version_id, id);

-- A change record recomputed because one of its two versions was
-- re-extracted points at the upgrade that caused it (NULL: computed at
-- import). Alerting code must ignore change rows whose recomputation it
-- sees: an upgrade never alerts.
ALTER TABLE changes ADD COLUMN technical_upgrade_id INTEGER REFERENCES technical_upgrades (id);
