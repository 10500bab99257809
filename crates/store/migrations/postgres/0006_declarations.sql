-- 0006_declarations: the extraction declaration stored with a document
-- (PostgreSQL twin of migrations/sqlite/0006_declarations.sql; see there
-- for why). One current declaration per document, JSON as TEXT.

CREATE TABLE document_declarations (
    document_id BIGINT PRIMARY KEY REFERENCES documents (id),
    declaration TEXT COLLATE "C" NOT NULL,
    updated_at  TEXT COLLATE "C" NOT NULL
);
