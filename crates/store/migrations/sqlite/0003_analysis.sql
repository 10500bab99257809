-- 0003_analysis: analysis results of versions (SQLite).
--
-- `clausewatch analyze` (and every import) labels each provision of a
-- version with TAXONOMY ids, reads its attributes (modality, notice,
-- retention, …) and runs the regulatory checks on the whole version. The
-- results are derived data: the analyzer can always recompute them from the
-- stored provisions. They are stored so `show`, `diff`, `compare`, `check`
-- and the server read them without re-running the model, and so a result
-- can be traced to the analyzer and model that produced it.
--
-- One *analysis* per version. Re-analysing replaces it in one transaction
-- (its label, attribute and finding rows are deleted and written again),
-- and is skipped when nothing would change (same analyzer, same model,
-- same content hash of the version, same results_hash). This is the only
-- place where rows are deleted: they are derived, never a record of what a
-- platform published.
--
-- Same portability rules as 0001 (TEXT timestamps, JSON as TEXT, only
-- CHECK/UNIQUE/FOREIGN KEY constraints, RETURNING id on inserts). REAL is
-- DOUBLE PRECISION on PostgreSQL.

CREATE TABLE analyses (
    id               INTEGER PRIMARY KEY,
    -- At most one analysis per version: re-analysis replaces it.
    version_id       INTEGER NOT NULL UNIQUE REFERENCES versions (id),
    -- Which code produced it: the cw-analyze version and a hash of its rule
    -- files, e.g. 'cw-analyze 0.1.0 rules 3f2a…'. A different value means
    -- the stored results may be stale.
    analyzer_version TEXT NOT NULL,
    -- Which trained model: its file's hash ('' when no model ran).
    model_version    TEXT NOT NULL,
    -- versions.content_hash when analysed: a re-extraction that replaced
    -- the provisions (0002) changes the version's hash, so a mismatch
    -- means the analysis describes provisions that are no longer stored.
    content_hash     TEXT NOT NULL CHECK (length(content_hash) = 64),
    -- The document type the rules were scoped to: tos | privacy | aup | unknown.
    doc_type         TEXT NOT NULL,
    -- sha256 of the results (labels, attributes, findings) as written, so
    -- an identical re-analysis writes nothing.
    results_hash     TEXT NOT NULL CHECK (length(results_hash) = 64),
    -- Denormalised counts for listings.
    label_count      INTEGER NOT NULL CHECK (label_count >= 0),
    finding_count    INTEGER NOT NULL CHECK (finding_count >= 0),
    analyzed_at      TEXT NOT NULL
) STRICT;

CREATE TABLE provision_labels (
    id           INTEGER PRIMARY KEY,
    analysis_id  INTEGER NOT NULL REFERENCES analyses (id),
    -- The provision: its 0-based position in the version and its id
    -- (provisions.position / provisions.provision_id of the same version).
    position     INTEGER NOT NULL CHECK (position >= 0),
    provision_id TEXT NOT NULL,
    -- A TAXONOMY.md id, e.g. 'tos_unilateral_change'.
    label        TEXT NOT NULL,
    -- 0..1: calibrated probability (model) or noisy-or of cue weights (rules).
    confidence   REAL NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
    -- The evidence: CHARACTER offsets [span_start, span_end) into the provision text.
    span_start   INTEGER NOT NULL CHECK (span_start >= 0),
    span_end     INTEGER NOT NULL CHECK (span_end >= span_start),
    -- Which layer produced it: rule | model | both.
    source       TEXT NOT NULL,
    -- One label id per provision.
    UNIQUE (analysis_id, position, label)
) STRICT;

-- "Which provisions carry label X" across documents (compare, workload checks).
CREATE INDEX provision_labels_by_label ON provision_labels (label, analysis_id);

CREATE TABLE provision_attributes (
    id           INTEGER PRIMARY KEY,
    analysis_id  INTEGER NOT NULL REFERENCES analyses (id),
    position     INTEGER NOT NULL CHECK (position >= 0),
    provision_id TEXT NOT NULL,
    -- The cw_analyze::Attributes JSON (only provisions with at least one
    -- attribute get a row).
    attributes   TEXT NOT NULL,
    UNIQUE (analysis_id, position)
) STRICT;

CREATE TABLE findings (
    id           INTEGER PRIMARY KEY,
    analysis_id  INTEGER NOT NULL REFERENCES analyses (id),
    -- Order of the findings as the checks produced them.
    seq          INTEGER NOT NULL CHECK (seq >= 0),
    -- The check id of rules/regulations.toml, e.g. 'p2b-3-2-change-notice'.
    check_id     TEXT NOT NULL,
    regulation   TEXT NOT NULL,
    article      TEXT NOT NULL,
    -- The provision concerned; NULL for document-level findings (absence, coverage).
    provision_id TEXT,
    message      TEXT NOT NULL,
    -- The quoted evidence, when there is one.
    evidence     TEXT,
    -- Always 'risk indicator, not a legal determination'.
    caveat       TEXT NOT NULL,
    UNIQUE (analysis_id, seq)
) STRICT;
