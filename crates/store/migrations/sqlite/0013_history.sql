-- 0013_history: imported histories and variants of one policy (SQLite).
--
-- *Provenance* (issue #23). `clausewatch import-history` reads versions
-- that another archive recorded (an Open Terms Archive versions repository,
-- its dataset, a folder of dated copies). Each item it reads gets one row
-- here, written in the same transaction as what the item recorded, so a run
-- killed at any point and started again skips exactly the items already
-- done, and a second run records nothing. The row keeps where the item came
-- from (archive, commit, file, capture time) and what it became:
--   * 'version'  – an import: a new version, or a snapshot of one;
--   * 'upgrade'  – the archive's own technical or declaration upgrade: a
--                  snapshot of the version in force, and when its extraction
--                  differs a technical_upgrades row (never a change);
--   * 'refused'  – nothing recorded (not a document, no provisions); the
--                  reason is kept so nothing is dropped silently.
--
-- *Variants*. Documents declared as variants of one policy (regions,
-- languages): one row per document, the policy a free slug shared by the
-- siblings, the variant label a short name ("beijing", "fr").
--
-- Same portability rules as 0001.

CREATE TABLE history_items (
    id                   INTEGER PRIMARY KEY,
    document_id          INTEGER NOT NULL REFERENCES documents (id),
    -- The archive read: a repository name or a canonical folder path.
    archive              TEXT NOT NULL,
    -- The item within it: `<commit>:<path>` for git, the relative path for files.
    item                 TEXT NOT NULL,
    -- The commit that recorded the item, when the archive is a git history.
    commit_id            TEXT,
    -- The file the bytes were read from (path in the repository or folder).
    path                 TEXT NOT NULL,
    -- When the archive captured it (commit time, TSV date, date in the file name).
    captured_at          TEXT NOT NULL,
    kind                 TEXT NOT NULL CHECK (kind IN ('version', 'upgrade', 'refused')),
    -- sha256 of the bytes read (the archive blob, unless refused).
    sha256               TEXT NOT NULL CHECK (length(sha256) = 64),
    -- The version the item landed in (NULL when refused).
    version_id           INTEGER REFERENCES versions (id),
    -- The technical upgrade it caused, if any.
    technical_upgrade_id INTEGER REFERENCES technical_upgrades (id),
    -- The raw page(s) it was extracted from: `<commit>:<path>` joined by ' | '.
    snapshot_refs        TEXT,
    -- sha256 of the first raw page, when its bytes were archived too.
    raw_sha256           TEXT CHECK (raw_sha256 IS NULL OR length(raw_sha256) = 64),
    -- Why a refused item recorded nothing.
    note                 TEXT,
    created_at           TEXT NOT NULL,
    UNIQUE (document_id, archive, item)
) STRICT;

CREATE INDEX history_items_by_version ON history_items (version_id);

CREATE TABLE document_variants (
    document_id INTEGER PRIMARY KEY REFERENCES documents (id),
    policy      TEXT NOT NULL,
    variant     TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (policy, variant)
) STRICT;

CREATE INDEX document_variants_by_policy ON document_variants (policy);
