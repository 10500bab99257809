-- 0011_browser_settings: turning the headless browser off, per source and
-- for the whole store.
--
-- A page that looks like a bot wall or an empty JavaScript shell is retried
-- in headless Chromium. Some teams may not run a browser at all (no network
-- but the target allowed, no Chromium installed, a policy against it):
--
-- * `watch_sources.no_browser` (`track --no-browser`): this source is never
--   retried in the browser; a page that needs it is the `needs_browser`
--   fetch state.
-- * `settings`: store-wide preferences read by `watch` and `worker` when
--   their own flags say nothing. One row per name; `browser_fallback` is
--   `on` or `off` (`clausewatch settings set browser-fallback off`).
--
-- Portable rules as in 0001.

ALTER TABLE watch_sources ADD COLUMN no_browser INTEGER NOT NULL DEFAULT 0
    CHECK (no_browser IN (0, 1));

CREATE TABLE settings (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
