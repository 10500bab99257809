-- 0006_declarations: the extraction declaration stored with a document (SQLite).
--
-- Why. Automatic main-content finding is right for most pages, but a user
-- who wants to pin a page down gives CSS `select`/`remove` and range
-- selectors (Open Terms Archive's declarations). They belong to the
-- document, not to one import: every later import of the same document
-- (and a re-extraction) must apply the same selectors, or versions would
-- differ by extraction alone. One current declaration per document;
-- replacing it updates the row.
--
-- `declaration` is the JSON form of cw_extract::Declaration
-- ({"select": [...], "remove": [...]}, each entry a CSS selector string or a
-- {startBefore|startAfter, endBefore|endAfter} object), stored as TEXT.
-- Portability as in 0001: TEXT timestamps, no SQLite-only functions.

CREATE TABLE document_declarations (
    document_id INTEGER PRIMARY KEY REFERENCES documents (id),
    declaration TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;
