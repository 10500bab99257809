-- 0007_auth: API tokens for the HTTP server (issue #8).
--
-- Why: `clausewatch serve` answers people and machines over HTTP; without
-- `--anonymous-read` every request must carry a token. A token is a random
-- secret printed once by `clausewatch token create`; only its sha256 (hex)
-- is kept, so a copy of the database does not let anyone in. The role says
-- what the token may do: `viewer` reads, `admin` also changes things
-- (subscriptions, tokens).
--
-- `prefix` keeps the first characters of the secret so people can tell their
-- tokens apart in a listing without the secret being stored. Revoking sets
-- `revoked_at` instead of deleting, so the listing stays an audit trail.
-- Timestamps are TEXT (crate::time), as in 0001.

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('viewer', 'admin')),
    token_hash   TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
) STRICT;
