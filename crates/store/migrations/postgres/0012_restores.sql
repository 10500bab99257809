-- PostgreSQL twin of migrations/sqlite/0012_restores.sql: same columns,
-- constraints and data. Append-only like its twin.
--
-- 0012_restores: a revert is a version. `versions.restores_version_id`
-- names the earlier version whose text this one brings back (NULL: a new
-- text); it always names a version that restores nothing itself. A
-- restoring version whose bytes were archived before has no snapshot row of
-- its own: its bytes are the restored version's snapshots.

ALTER TABLE versions ADD COLUMN restores_version_id BIGINT REFERENCES versions (id);
