-- PostgreSQL twin of migrations/sqlite/0011_browser_settings.sql: same
-- tables, columns, constraints and data. TEXT collates as "C" so text
-- compares byte by byte as on SQLite. Append-only like its twin.
--
-- 0011_browser_settings: turning the headless browser off, per source
-- (`watch_sources.no_browser`, `track --no-browser`) and for the whole
-- store (`settings` row `browser_fallback` = `on` | `off`).

ALTER TABLE watch_sources ADD COLUMN no_browser BIGINT NOT NULL DEFAULT 0
    CHECK (no_browser IN (0, 1));

CREATE TABLE settings (
    name       TEXT COLLATE "C" PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT COLLATE "C" NOT NULL
);
